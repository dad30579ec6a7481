/* test_tanna2022.c - the shipped mitragynine (MG) and 7-hydroxymitragynine
 * (7OH) files reproduce the human single-dose study they were calibrated to.
 *
 * Published numbers: Tanna RS et al., Clinical pharmacokinetic assessment of
 * kratom (Mitragyna speciosa), a botanical product with opioid-like effects,
 * in healthy adult participants. Pharmaceutics 2022;14(3):620,
 * doi:10.3390/pharmaceutics14030620; medians (ranges) as tabulated in Drug
 * Metab Dispos 2023;51(8):923-935, doi:10.1124/dmd.122.001005, Table 3
 * (n = 5). One 2 g kratom tea dose containing 39 mg MG; its 7OH content is
 * not reported, so the dose is simulated as 39 mg MG, oral, at t = 0.
 *
 *              Cmax (nM)           Tmax (h)        t1/2 (h)            AUCinf (nM h)
 *   MG         81.9 (50.1-177)     1 (0.75-1.5)    45.3 (31.9-50.2)    420 (324-1360)
 *   7OH        16.1 (11.9-22.2)    1 (0.75-2.5)    5.67 (5.03-6.52)    106 (60.8-126)
 *   MG CL/F 233 (71.7-302) L/h, Vz/F 12,700 (5190-19,700) L.
 *
 * The simulated profile is analysed like the study's: samples every 0.05 h
 * to 168 h, AUC by linear-up/log-down trapezoids, and the terminal half-life
 * from a log-linear fit over a window: 24-96 h for MG (after distribution,
 * within a 4-day sampling) and 4-24 h for 7OH (after its peak, while it is
 * quantifiable). 7OH formed from MG eventually declines with MG's 45 h
 * half-life; a single-dose study sees the earlier, faster part.
 *
 * Each number must lie in the published range and near the median: within
 * 15 % for Cmax, t1/2 and AUCinf, and Tmax within 0.25 h, the study's
 * sampling interval around 1 h (Tmax values of 0.75 h and 1 h occur). */
#include <math.h>
#include <stdio.h>
#include "check.h"
#include "pk/pk.h"

static const double DOSE_MG = 39.0, STEP_H = 0.05, END_H = 168.0;
static const double NEAR_MEDIAN = 0.15, TMAX_STEP_H = 0.25;

typedef struct published {
  double median, lo, hi;
} published;

typedef struct compound_targets {
  const char *id, *column, *name; /* compound id, trajectory column, label */
  double window_h[2];
  published cmax_nM, tmax_h, t_half_h, auc_inf_nM_h;
} compound_targets;

static const compound_targets MG = {"mg", "C_mg", "MG", {24.0, 96.0},
                                    {81.9, 50.1, 177}, {1, 0.75, 1.5},
                                    {45.3, 31.9, 50.2}, {420, 324, 1360}};
static const compound_targets OH = {"7oh", "C_7oh", "7OH", {4.0, 24.0},
                                    {16.1, 11.9, 22.2}, {1, 0.75, 2.5},
                                    {5.67, 5.03, 6.52}, {106, 60.8, 126}};

/* The value must be in [lo, hi] and within rel of the median (or within
 * abs_h of it when rel is 0). */
static void check_published(const char *what, double value, published p, double rel,
                            double abs_h) {
  CHECK(value >= p.lo && value <= p.hi, "%s = %.4g outside the published range %.4g-%.4g",
        what, value, p.lo, p.hi);
  CHECK_CLOSE(value, p.median, rel, abs_h, what);
}

static void check_compound(const pk_trajectory *t, const compound_targets *c) {
  pk_nca_result r;
  pk_error err;
  pk_status st = pk_nca_compute_column(t, c->column, c->window_h[0], c->window_h[1], &r, &err);
  CHECK(st == PK_OK, "NCA of %s: %s", c->column, err.message);
  if (st != PK_OK) return;
  printf("%-4s Cmax %.4g nM, Tmax %.3g h, t1/2 %.4g h (%g-%g h, %zu samples), AUCinf %.4g nM h\n",
         c->name, r.cmax, r.tmax_h, r.t_half_h, c->window_h[0], c->window_h[1], r.lambda_n,
         r.auc_inf);
  char what[64];
  snprintf(what, sizeof what, "%s Cmax (nM)", c->name);
  check_published(what, r.cmax, c->cmax_nM, NEAR_MEDIAN, 0);
  snprintf(what, sizeof what, "%s Tmax (h)", c->name);
  check_published(what, r.tmax_h, c->tmax_h, 0, TMAX_STEP_H + 1e-9);
  snprintf(what, sizeof what, "%s t1/2 (h)", c->name);
  check_published(what, r.t_half_h, c->t_half_h, NEAR_MEDIAN, 0);
  snprintf(what, sizeof what, "%s AUCinf (nM h)", c->name);
  check_published(what, r.auc_inf, c->auc_inf_nM_h, NEAR_MEDIAN, 0);
}

/* The study derives CL/F = Dose / AUCinf and Vz/F = CL/F / lambda_z for MG;
 * their medians come from other subjects' values than the medians above, so
 * only the ranges are checked. */
static void check_mg_apparent(const pk_trajectory *t, double mw_g_per_mol) {
  pk_nca_result r;
  pk_error err;
  if (pk_nca_compute_column(t, MG.column, MG.window_h[0], MG.window_h[1], &r, &err) != PK_OK)
    return;
  double cl_L_per_h = 1000.0 * (1000.0 * DOSE_MG / mw_g_per_mol) / r.auc_inf;
  double vz_L = cl_L_per_h / r.lambda_z_per_h;
  CHECK(cl_L_per_h >= 71.7 && cl_L_per_h <= 302, "MG CL/F %.4g L/h outside 71.7-302 L/h",
        cl_L_per_h);
  CHECK(vz_L >= 5190 && vz_L <= 19700, "MG Vz/F %.4g L outside 5190-19,700 L", vz_L);
}

static pk_status load_models(pk_model *m, pk_error *err) {
  const char *files[] = {"compounds/linear/mitragynine.json", "compounds/linear/7-hydroxymitragynine.json",
                         "receptors/mu-opioid.json"};
  for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", PK_MODELS_DIR, files[i]);
    pk_status st = pk_model_load_file(m, path, err);
    if (st != PK_OK) return st;
  }
  return PK_OK;
}

int main(void) {
  test_init();
  pk_error err;
  pk_model *m = pk_model_new();
  pk_regimen *r = pk_regimen_new();
  pk_trajectory *t = NULL;
  pk_compound_params mg;
  int i_mg = -1;
  CHECK(load_models(m, &err) == PK_OK, "loading the shipped models: %s %s", err.file,
        err.message);
  CHECK((i_mg = pk_model_find_compound(m, MG.id)) >= 0, "compound '%s' not loaded", MG.id);
  CHECK(pk_model_find_compound(m, OH.id) >= 0, "compound '%s' not loaded", OH.id);
  if (i_mg >= 0 && pk_model_get_compound(m, i_mg, &mg, &err) == PK_OK &&
      pk_regimen_add_dose(r, i_mg, PK_ROUTE_ORAL, 0.0, DOSE_MG, &err) == PK_OK) {
    pk_sim_options o = pk_sim_options_default();
    o.t_end_h = END_H;
    o.output_step_h = STEP_H;
    o.rtol = 1e-10;
    CHECK(pk_simulate(m, r, &o, &t, &err) == PK_OK, "simulation: %s", err.message);
    if (t) {
      check_compound(t, &MG);
      check_compound(t, &OH);
      check_mg_apparent(t, mg.mw_g_per_mol);
    }
  }
  pk_trajectory_free(t);
  pk_regimen_free(r);
  pk_model_free(m);
  return test_finish("calibration_tanna2022");
}
