/* tanna2022.h - the published numbers of Tanna RS et al. Pharmaceutics
 * 2022;14:620 (one 2 g kratom tea, 39 mg MG; medians and ranges from Drug
 * Metab Dispos 2023;51:923, Table 3, n = 5), shared by the calibration
 * programs of model versions 1 and 2. */
#ifndef TANNA2022_H
#define TANNA2022_H

enum { TANNA_MG_CMAX, TANNA_MG_TMAX, TANNA_MG_THALF, TANNA_MG_AUC, TANNA_OH_CMAX, TANNA_OH_TMAX,
       TANNA_OH_THALF, TANNA_OH_AUC, TANNA_N };
typedef struct tanna_target {
  const char *name;
  double median, lo, hi;
} tanna_target;
static const tanna_target TANNA[TANNA_N] = {
    {"MG Cmax (nM)", 81.9, 50.1, 177},   {"MG Tmax (h)", 1, 0.75, 1.5},
    {"MG t1/2 (h)", 45.3, 31.9, 50.2},   {"MG AUCinf (nM h)", 420, 324, 1360},
    {"7OH Cmax (nM)", 16.1, 11.9, 22.2}, {"7OH Tmax (h)", 1, 0.75, 2.5},
    {"7OH t1/2 (h)", 5.67, 5.03, 6.52},  {"7OH AUCinf (nM h)", 106, 60.8, 126},
};
static const double TANNA_DOSE_MG = 39.0;

#endif
