/* kratom_v2_design.h - the two human studies the kratom PK model version 2
 * is calibrated on, as simulations: their designs, the published numbers,
 * and the non-compartmental summaries of a simulated study. Shared by the
 * fitting program (calibrate_kratom_v2.c) and the test of the shipped files
 * (test_kratom_v2.c), so that both compute the same numbers.
 *
 * Tanna RS et al. Pharmaceutics 2022;14:620 (medians and ranges from Drug
 * Metab Dispos 2023;51:923, Table 3; n = 5): one 2 g kratom tea with 39 mg
 * MG and 7OH below quantification (< 0.25 mg), simulated as 39 mg MG by
 * mouth.
 *
 * Huestis MA, Brett MA, Bothmer J, Atallah R. Molecules 2024;29:984
 * (abstract; the tables were not available): 500-4000 mg of encapsulated
 * dried leaf, 6.65-53.2 mg MG (1.33 %), one dose and 15 once-daily doses.
 * Groups taken as 1, 2, 4 and 8 capsules of 500 mg (6.65, 13.3, 26.6,
 * 53.2 mg MG; the doses are multiples of 500 mg), each capsule also with
 * 0.1 mg 7OH (models/products/kratom-capsule.json: leaf 0.02 %, an
 * assumption; the study did not report it). The reported numbers are the
 * ranges over the groups of group medians (Tmax) and means (ratio), and
 * the highest group mean of the half-lives. The half-life windows were not
 * reported; the simulation uses Tanna's (MG 24-96 h, 7OH 4-24 h after the
 * dose), and the 7OH/MG "concentration ratio" is taken as the molar ratio
 * of the AUCs over the dosing interval (0-24 h). */
#ifndef KRATOM_V2_DESIGN_H
#define KRATOM_V2_DESIGN_H

#include <math.h>
#include <stdio.h>
#include <string.h>
#include "pk/pk.h"
#include "tanna2022.h"

#ifndef PK_MODELS_DIR
#define PK_MODELS_DIR "models"
#endif

/* ---- published numbers ---- */

/* MG Cmax, Tmax, t1/2, AUCinf; 7OH the same (tanna2022.h) */
enum { V2_TANNA_N = TANNA_N };
typedef tanna_target v2_target;
#define V2_TANNA TANNA
#define V2_TANNA_DOSE_MG TANNA_DOSE_MG

enum { V2_HUESTIS_GROUPS = 4, V2_HUESTIS_DAYS = 15 };
static const double V2_HUESTIS_CAPSULES[V2_HUESTIS_GROUPS] = {1, 2, 4, 8};
static const double V2_CAPSULE_MG_MG = 6.65, V2_CAPSULE_7OH_MG = 0.1;
/* [single, multiple][low, high] */
static const double V2_HUESTIS_TMAX_MG[2][2] = {{1.0, 1.3}, {1.0, 1.7}};
static const double V2_HUESTIS_TMAX_7OH[2][2] = {{1.2, 1.8}, {1.3, 2.0}};
static const double V2_HUESTIS_RATIO[2][2] = {{0.20, 0.31}, {0.15, 0.21}};
/* highest group mean, [single, multiple] */
static const double V2_HUESTIS_THALF_MG[2] = {43.4, 67.9};
static const double V2_HUESTIS_THALF_7OH[2] = {4.7, 24.7};

static const double V2_STEP_H = 0.05;
static const double V2_MG_WINDOW_H[2] = {24.0, 96.0}, V2_OH_WINDOW_H[2] = {4.0, 24.0};

/* ---- the model's numbers that the studies inform ---- */

typedef struct v2_model {
  pk_compound_params mg, oh;
  double fm;                        /* 7OH formed per MG cleared, via CYP3A4 */
  double f3a4;                      /* MG's clearance through CYP3A4 */
  double KI_nM, kinact_per_h, fu, Qh_L_per_h; /* MG's inactivation of CYP3A4 */
  double kdeg_per_h;                /* CYP3A4 turnover */
} v2_model;

static int v2_fail(const char *what, const pk_error *err) {
  char msg[1024];
  pk_error_format(err, msg, sizeof msg);
  fprintf(stderr, "%s: %s\n", what, msg);
  return 1;
}

/* Reads the shipped files (enzymes/cyp3a4-liver.json, compounds/
 * mitragynine.json, compounds/7-hydroxymitragynine.json under dir). */
static int v2_load(const char *dir, v2_model *out) {
  static const char *const files[] = {"enzymes/cyp3a4-liver.json", "compounds/mitragynine.json",
                                      "compounds/7-hydroxymitragynine.json"};
  pk_model *m = pk_model_new();
  pk_error err;
  pk_error_clear(&err);
  pk_status st = m ? PK_OK : PK_ERR_NOMEM;
  for (size_t k = 0; k < 3 && st == PK_OK; k++) {
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, files[k]);
    st = pk_model_load_file(m, path, &err);
  }
  int mg = pk_model_find_compound(m, "mg"), oh = pk_model_find_compound(m, "7oh");
  int e = pk_model_find_enzyme(m, "cyp3a4"), enz = -1;
  if (st == PK_OK) st = pk_model_get_compound(m, mg, &out->mg, &err);
  if (st == PK_OK) st = pk_model_get_compound(m, oh, &out->oh, &err);
  if (st == PK_OK) st = pk_model_get_conversion(m, mg, oh, &out->fm, NULL, &enz, &err);
  if (st == PK_OK)
    st = pk_model_get_enzyme_link(m, mg, e, &out->f3a4, &out->KI_nM, &out->kinact_per_h,
                                  &out->fu, &out->Qh_L_per_h, &err);
  if (st == PK_OK) st = pk_model_get_enzyme(m, e, &out->kdeg_per_h, &err);
  pk_model_free(m);
  if (st != PK_OK) return v2_fail("loading the model files", &err);
  if (enz != e) {
    fprintf(stderr, "7OH is not formed through CYP3A4 in the model files\n");
    return 1;
  }
  return 0;
}

/* The model as pk_model (compounds 0 MG and 1 7OH, enzyme 0). */
static pk_model *v2_build(const v2_model *v, pk_error *err) {
  pk_model *m = pk_model_new();
  int e = -1, mg = -1, oh = -1;
  pk_status st = m ? PK_OK : PK_ERR_NOMEM;
  if (st == PK_OK) st = pk_model_add_enzyme(m, "cyp3a4", "CYP3A4 (liver)", v->kdeg_per_h, &e, err);
  if (st == PK_OK) st = pk_model_add_compound(m, &v->mg, &mg, err);
  if (st == PK_OK) st = pk_model_add_compound(m, &v->oh, &oh, err);
  if (st == PK_OK) st = pk_model_set_enzyme_clearance(m, mg, e, v->f3a4, err);
  if (st == PK_OK)
    st = pk_model_set_enzyme_inactivation(m, mg, e, v->KI_nM, v->kinact_per_h, v->fu,
                                          v->Qh_L_per_h, err);
  if (st == PK_OK) st = pk_model_add_conversion(m, mg, oh, v->fm, 0.0, err);
  if (st == PK_OK) st = pk_model_set_conversion_enzyme(m, mg, oh, e, err);
  if (st != PK_OK) {
    pk_model_free(m);
    return NULL;
  }
  return m;
}

/* ---- summaries of a simulated study ---- */

typedef struct v2_phase {
  double cmax_mg, tmax_mg_h, cmax_7oh, tmax_7oh_h; /* nM, h after the dose (sampled) */
  double tmax_mg_smooth_h, tmax_7oh_smooth_h;      /* refined by a parabola */
  double auc24_mg, auc24_7oh, ratio;               /* nM h over 0-24 h; 7OH / MG */
  double thalf_mg_h, thalf_7oh_h;                  /* log-linear, the windows above */
  double trough_mg;                                /* C_mg just before the dose (nM) */
} v2_phase;

typedef struct v2_outcome {
  double tanna[V2_TANNA_N];
  double tanna_tmax_smooth_h[2];
  v2_phase huestis[V2_HUESTIS_GROUPS][2]; /* [group][single, multiple] */
  double act_min;                          /* lowest CYP3A4 activity, highest group */
} v2_outcome;

/* Samples (t, c) of column j from row r0 on, t relative to t0. */
static void v2_column(const pk_trajectory *t, int j, size_t r0, double t0, double *tt,
                      double *c, size_t *n) {
  *n = pk_trajectory_rows(t) - r0;
  for (size_t i = 0; i < *n; i++) {
    tt[i] = pk_trajectory_get(t, r0 + i, 0) - t0;
    c[i] = pk_trajectory_get(t, r0 + i, (size_t)j);
  }
}

static double v2_smooth_tmax(const double *tt, const double *c, size_t n, size_t im) {
  if (im == 0 || im + 1 >= n) return tt[im];
  double d = c[im - 1] - 2.0 * c[im] + c[im + 1];
  return tt[im] + (d < 0 ? 0.5 * (tt[im + 1] - tt[im]) * (c[im - 1] - c[im + 1]) / d : 0.0);
}

/* Cmax, Tmax and AUC over [0, 24 h] of (tt, c), and the half-life over
 * the window; 0 on success. */
static int v2_interval(const double *tt, const double *c, size_t n, const double *window,
                       double *cmax, double *tmax, double *tmax_s, double *auc24,
                       double *thalf) {
  size_t im = 0;
  double auc = 0.0;
  for (size_t i = 0; i < n && tt[i] <= 24.0 + 1e-9; i++) {
    if (c[i] > c[im]) im = i;
    if (i > 0) auc += 0.5 * (c[i] + c[i - 1]) * (tt[i] - tt[i - 1]);
  }
  *cmax = c[im], *tmax = tt[im], *auc24 = auc;
  *tmax_s = v2_smooth_tmax(tt, c, n, im);
  pk_nca_result r;
  pk_error err;
  if (pk_nca_compute(tt, c, n, window[0], window[1], &r, &err) != PK_OK) return 1;
  *thalf = r.t_half_h;
  return 0;
}

/* The summaries of the dose at t0 in trajectory t (rows from t0 on). */
static int v2_phase_of(const pk_trajectory *t, double t0, v2_phase *ph) {
  int jm = pk_trajectory_column_index(t, "C_mg"), jo = pk_trajectory_column_index(t, "C_7oh");
  size_t n = pk_trajectory_rows(t), r0 = 0;
  while (r0 < n && pk_trajectory_get(t, r0, 0) < t0 - 1e-9) r0++;
  if (jm < 0 || jo < 0 || r0 >= n) return 1;
  static double tt[20000], c[20000];
  if (n - r0 > 20000) return 1;
  size_t m;
  ph->trough_mg = pk_trajectory_get(t, r0, (size_t)jm);
  v2_column(t, jm, r0, t0, tt, c, &m);
  if (v2_interval(tt, c, m, V2_MG_WINDOW_H, &ph->cmax_mg, &ph->tmax_mg_h, &ph->tmax_mg_smooth_h,
                  &ph->auc24_mg, &ph->thalf_mg_h))
    return 1;
  v2_column(t, jo, r0, t0, tt, c, &m);
  if (v2_interval(tt, c, m, V2_OH_WINDOW_H, &ph->cmax_7oh, &ph->tmax_7oh_h,
                  &ph->tmax_7oh_smooth_h, &ph->auc24_7oh, &ph->thalf_7oh_h))
    return 1;
  ph->ratio = ph->auc24_7oh / ph->auc24_mg;
  return 0;
}

/* Simulates n_days once-daily doses of (mg_mg, oh_mg) and returns the
 * trajectory from output_from_h to 96 h after the last dose. */
static pk_trajectory *v2_run(const pk_model *m, double mg_mg, double oh_mg, int n_days,
                             double output_from_h, pk_error *err) {
  pk_regimen *r = pk_regimen_new();
  pk_trajectory *t = NULL;
  pk_sim_options o = pk_sim_options_default();
  double last = 24.0 * (n_days - 1);
  o.t_end_h = last + 96.0;
  o.output_start_h = output_from_h;
  o.output_step_h = V2_STEP_H;
  o.rtol = 1e-9;
  o.atol = 1e-12;
  pk_status st = r ? PK_OK : PK_ERR_NOMEM;
  for (int d = 0; d < n_days && st == PK_OK; d++) {
    st = pk_regimen_add_dose(r, 0, PK_ROUTE_ORAL, 24.0 * d, mg_mg, err);
    if (st == PK_OK && oh_mg > 0) st = pk_regimen_add_dose(r, 1, PK_ROUTE_ORAL, 24.0 * d, oh_mg, err);
  }
  if (st == PK_OK) st = pk_simulate(m, r, &o, &t, err);
  pk_regimen_free(r);
  return st == PK_OK ? t : NULL;
}

/* Both studies; 0 on success. */
static int v2_simulate_all(const v2_model *v, v2_outcome *out) {
  pk_error err;
  pk_error_clear(&err);
  pk_model *m = v2_build(v, &err);
  if (!m) return 1;
  int bad = 0;
  pk_trajectory *t = v2_run(m, V2_TANNA_DOSE_MG, 0.0, 1, 0.0, &err);
  if (!t) bad = 1;
  if (!bad) {
    pk_nca_result a, b;
    bad = pk_nca_compute_column(t, "C_mg", V2_MG_WINDOW_H[0], V2_MG_WINDOW_H[1], &a, &err) ||
          pk_nca_compute_column(t, "C_7oh", V2_OH_WINDOW_H[0], V2_OH_WINDOW_H[1], &b, &err);
    if (!bad) {
      const double v8[V2_TANNA_N] = {a.cmax, a.tmax_h, a.t_half_h, a.auc_inf,
                                     b.cmax, b.tmax_h, b.t_half_h, b.auc_inf};
      memcpy(out->tanna, v8, sizeof v8);
      v2_phase ph;
      bad = v2_phase_of(t, 0.0, &ph);
      out->tanna_tmax_smooth_h[0] = ph.tmax_mg_smooth_h;
      out->tanna_tmax_smooth_h[1] = ph.tmax_7oh_smooth_h;
    }
  }
  pk_trajectory_free(t);
  for (int g = 0; g < V2_HUESTIS_GROUPS && !bad; g++) {
    double k = V2_HUESTIS_CAPSULES[g];
    t = v2_run(m, k * V2_CAPSULE_MG_MG, k * V2_CAPSULE_7OH_MG, 1, 0.0, &err);
    bad = !t || v2_phase_of(t, 0.0, &out->huestis[g][0]);
    pk_trajectory_free(t);
    double last = 24.0 * (V2_HUESTIS_DAYS - 1);
    t = bad ? NULL
            : v2_run(m, k * V2_CAPSULE_MG_MG, k * V2_CAPSULE_7OH_MG, V2_HUESTIS_DAYS, last, &err);
    bad = bad || !t || v2_phase_of(t, last, &out->huestis[g][1]);
    if (!bad && g == V2_HUESTIS_GROUPS - 1) {
      int ja = pk_trajectory_column_index(t, "act_cyp3a4");
      out->act_min = 1.0;
      for (size_t i = 0; ja >= 0 && i < pk_trajectory_rows(t); i++)
        out->act_min = fmin(out->act_min, pk_trajectory_get(t, i, (size_t)ja));
    }
    pk_trajectory_free(t);
  }
  pk_model_free(m);
  return bad;
}

static void v2_print(const v2_outcome *o, FILE *f) {
  fprintf(f, "  Tanna 2022, 39 mg MG:\n  %-18s %10s %10s %18s\n", "quantity", "model", "median",
          "published range");
  for (int k = 0; k < V2_TANNA_N; k++) {
    const v2_target *t = &V2_TANNA[k];
    double v = o->tanna[k];
    fprintf(f, "  %-18s %10.4g %10.4g %8.4g - %-8.4g%s\n", t->name, v, t->median, t->lo, t->hi,
            v >= t->lo && v <= t->hi ? "" : "  outside range");
  }
  fprintf(f, "  Huestis 2024 (reported: MG Tmax %.1f-%.1f / %.1f-%.1f h, 7OH Tmax %.1f-%.1f / "
          "%.1f-%.1f h, ratio %.2f-%.2f / %.2f-%.2f single / multiple):\n",
          V2_HUESTIS_TMAX_MG[0][0], V2_HUESTIS_TMAX_MG[0][1], V2_HUESTIS_TMAX_MG[1][0],
          V2_HUESTIS_TMAX_MG[1][1], V2_HUESTIS_TMAX_7OH[0][0], V2_HUESTIS_TMAX_7OH[0][1],
          V2_HUESTIS_TMAX_7OH[1][0], V2_HUESTIS_TMAX_7OH[1][1], V2_HUESTIS_RATIO[0][0],
          V2_HUESTIS_RATIO[0][1], V2_HUESTIS_RATIO[1][0], V2_HUESTIS_RATIO[1][1]);
  fprintf(f, "  %8s %6s %9s %9s %9s %9s %7s %9s %9s %9s\n", "MG mg", "phase", "MG Cmax",
          "MG Tmax", "7OH Cmax", "7OH Tmax", "ratio", "MG t1/2", "7OH t1/2", "MG trough");
  for (int g = 0; g < V2_HUESTIS_GROUPS; g++)
    for (int d = 0; d < 2; d++) {
      const v2_phase *p = &o->huestis[g][d];
      fprintf(f, "  %8.4g %6s %9.4g %9.3g %9.4g %9.3g %7.3f %9.4g %9.4g %9.4g\n",
              V2_HUESTIS_CAPSULES[g] * V2_CAPSULE_MG_MG, d ? "day 15" : "single", p->cmax_mg,
              p->tmax_mg_h, p->cmax_7oh, p->tmax_7oh_h, p->ratio, p->thalf_mg_h, p->thalf_7oh_h,
              p->trough_mg);
    }
  fprintf(f, "  highest group: MG t1/2 reported %.1f / %.1f h, 7OH %.1f / %.1f h; lowest "
          "CYP3A4 activity %.3f\n", V2_HUESTIS_THALF_MG[0], V2_HUESTIS_THALF_MG[1],
          V2_HUESTIS_THALF_7OH[0], V2_HUESTIS_THALF_7OH[1], o->act_min);
}

#endif
