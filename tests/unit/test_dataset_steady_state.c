/* test_dataset_steady_state.c - SS records of event datasets against closed
 * forms and a long run-in (model and formulas in dataset_helpers.h):
 *
 * - SS 1 with lag L: the periodic steady state computed without lag and
 *   shifted, so that samples between the record and the lagged arrival see
 *   the previous cycle's tail: sum over past doses of the Bateman function,
 *   A(t) = F u ka/(ka-k) [e^{-k s}/(1-e^{-kT}) - e^{-ka s}/(1-e^{-ka T})] with
 *   s = t + j0 T - L and j0 the first dose (0 = the record's own) that has
 *   arrived; and equal to 101 explicit doses every 12 h from -1200 h;
 * - SS 2 adds its own train from its record on: before it only what was
 *   there; after it that plus u/(1-e^{-kT}) e^{-k(t-t0)} (IV) or the shifted
 *   oral sum above;
 * - SS 1 (and EVID 4 with SS 1, after a dose that the reset removes) with
 *   ADDL: the additional doses are plain doses continuing the train;
 * - the constant infusion (AMT 0, RATE r, II 0, SS 1) starts at A = r/k and
 *   does not continue (A = r/k e^{-kt}); with an infusion at the same rate
 *   from the record on, the concentration stays constant, also into the
 *   depot with F 0.5 (F*AMT/RATE hours at RATE);
 * - SS infusions lasting II, 2 II and 1.5 II (overlapping): constant r/k,
 *   constant 2r/k, and the periodic solution of a piecewise constant input
 *   2r, r, each followed after the record by its own infusion and the tails
 *   of the earlier ones.
 * Exact and ODE (rtol 1e-12) solvers; 1e-8 relative plus 1e-12 nM. */
#include "dataset_helpers.h"

/* Central amount at t of oral doses u arriving at t_arr, t_arr - T, t_arr - 2T... */
static double oral_train(double u, double T, double t_arr, double t) {
  double j0 = t >= t_arr ? 0.0 : ceil((t_arr - t) / T);
  double s = t + j0 * T - t_arr;
  return u * ds_ka / (ds_ka - ds_k) *
         (exp(-ds_k * s) / (1 - exp(-ds_k * T)) - exp(-ds_ka * s) / (1 - exp(-ds_ka * T)));
}

static void check_column(const pk_trajectory *t, const char *col, double (*expect)(double, void *),
                         void *ctx, const char *what) {
  for (size_t i = 0; t && i < pk_trajectory_rows(t); i++) {
    double time = unit_get(t, i, "time_h");
    char w[192];
    snprintf(w, sizeof w, "%s: %s at t = %g h", what, col, time);
    CHECK_CLOSE(unit_get(t, i, col), expect(time, ctx), ds_rel, ds_abs, w);
  }
}

static double ss1_lag_expect(double t, void *ctx) {
  (void)ctx;
  return ds_conc(oral_train(ds_umol(100), 12.0, 2.0, t));
}

static void ss1_with_lag(void) {
  pk_model *m = ds_model();
  pk_dataset *ss = ds_load("ss1-lag.csv", m, NULL), *run = ds_load("ss1-runin.csv", m, NULL);
  CHECK(pk_dataset_subject_first_time(run, 0) == -1200, "ss1: the run-in starts at %g h",
        pk_dataset_subject_first_time(run, 0));
  for (size_t s = 0; s < 2; s++) {
    pk_sim_options o = ds_options(30.0, 0.125, ds_solvers[s]);
    pk_trajectory **a = ds_simulate(ss, &o), **b = ds_simulate(run, &o);
    char what[96];
    snprintf(what, sizeof what, "SS 1 with lag 2 h (%s)", pk_solver_name(ds_solvers[s]));
    if (a) check_column(a[0], "C_d", ss1_lag_expect, NULL, what);
    if (a && b) ds_same(a[0], b[0], "C_d", 1e-9, "SS 1 with lag vs 101 doses from -1200 h");
    if (a && b) ds_same(a[0], b[0], "A_depot_d", 1e-9, "SS 1 with lag vs 101 doses from -1200 h");
    /* before the lagged arrival the previous cycle's tail is there, and the
     * depot holds what is left of the dose taken 12 h before */
    if (a) {
      double c0 = unit_get(a[0], 0, "C_d"), g1 = unit_get(a[0], 8, "A_depot_d");
      CHECK(c0 > 0, "SS 1: C at the record time is %g: the previous cycle's tail is missing", c0);
      CHECK_CLOSE(g1, ds_umol(100) * exp(-ds_ka * 11.0) / (1 - exp(-ds_ka * 12.0)), ds_rel, 0,
                  "SS 1: depot at 1 h, before the lagged arrival");
    }
    pk_dataset_trajectories_free(a, 1);
    pk_dataset_trajectories_free(b, 1);
  }
  pk_dataset_free(ss);
  pk_dataset_free(run);
  pk_model_free(m);
}

/* the train of ss1-lag.csv continued by two plain doses: its last dose
 * arrives at 24 + 2 h */
static double ss1_addl_expect(double t, void *ctx) {
  (void)ctx;
  return ds_conc(oral_train(ds_umol(100), 12.0, 26.0, t));
}

static void ss1_with_addl(void) {
  pk_model *m = ds_model();
  pk_dataset *d = ds_load("ss1-addl.csv", m, NULL);
  const pk_regimen *r = pk_dataset_subject_regimen(d, 0);
  CHECK(pk_regimen_size(r) == 3 && pk_regimen_dose(r, 0).ss == 1 &&
            pk_regimen_dose(r, 1).ss == 0 && pk_regimen_dose(r, 2).ss == 0 &&
            pk_regimen_dose(r, 2).t_h == 24,
        "SS 1 with ADDL 2: the additional doses must be plain doses at 12 and 24 h");
  for (size_t s = 0; s < 2; s++) {
    pk_sim_options o = ds_options(48.0, 0.125, ds_solvers[s]);
    pk_trajectory **t = ds_simulate(d, &o);
    char what[96];
    for (size_t j = 0; t && j < 2; j++) {
      snprintf(what, sizeof what, "SS 1 with ADDL 2, %s (%s)", j ? "EVID 4" : "EVID 1",
               pk_solver_name(ds_solvers[s]));
      check_column(t[j], "C_d", ss1_addl_expect, NULL, what);
    }
    pk_dataset_trajectories_free(t, 2);
  }
  pk_dataset_free(d);
  pk_model_free(m);
}

static double ss2_iv_expect(double t, void *ctx) {
  (void)ctx;
  double A = ds_iv(ds_umol(10), t);
  if (t >= 5) A += ds_umol(20) * exp(-ds_k * (t - 5)) / (1 - exp(-12 * ds_k));
  return ds_conc(A);
}

static double ss2_oral_expect(double t, void *ctx) {
  (void)ctx;
  double A = ds_bateman(ds_umol(10), t - 2);
  if (t >= 5) A += oral_train(ds_umol(20), 12.0, 7.0, t);
  return ds_conc(A);
}

static void ss2_adds(void) {
  pk_model *m = ds_model();
  pk_dataset *d = ds_load("ss2.csv", m, NULL);
  for (size_t s = 0; s < 2; s++) {
    pk_sim_options o = ds_options(36.0, 0.125, ds_solvers[s]);
    pk_trajectory **t = ds_simulate(d, &o);
    char what[96];
    snprintf(what, sizeof what, "SS 2 IV (%s)", pk_solver_name(ds_solvers[s]));
    if (t) check_column(t[0], "C_d", ss2_iv_expect, NULL, what);
    snprintf(what, sizeof what, "SS 2 oral with lag 2 h (%s)", pk_solver_name(ds_solvers[s]));
    if (t) check_column(t[1], "C_d", ss2_oral_expect, NULL, what);
    pk_dataset_trajectories_free(t, 2);
  }
  pk_dataset_free(d);
  pk_model_free(m);
}

/* ss-constant.csv: r = 2 mg/h */
static double const_s1(double t, void *ctx) {
  (void)ctx;
  return ds_conc(ds_umol(2) / ds_k * exp(-ds_k * t));
}
static double const_s2(double t, void *ctx) {
  (void)ctx;
  double css = ds_umol(2) / ds_k;
  return ds_conc(t <= 48 ? css : css * exp(-ds_k * (t - 48)));
}
static double const_s3(double t, void *ctx) {
  int depot = *(const int *)ctx;
  double r = ds_umol(2), s = t - 24;
  if (depot) return t <= 24 ? r / ds_ka : r / ds_ka * exp(-ds_ka * s);
  if (t <= 24) return ds_conc(r / ds_k);
  return ds_conc(r / ds_k * exp(-ds_k * s) + ds_bateman(r / ds_ka, s));
}

static void constant_infusion(void) {
  pk_model *m = ds_model();
  pk_dataset *d = ds_load("ss-constant.csv", m, NULL);
  CHECK(pk_dataset_subject_first_time(d, 0) == -5, "constant: subject 1 starts at %g h",
        pk_dataset_subject_first_time(d, 0));
  int depot = 1, central = 0;
  for (size_t s = 0; s < 2; s++) {
    pk_sim_options o = ds_options(72.0, 0.25, ds_solvers[s]);
    pk_trajectory **t = ds_simulate(d, &o);
    char what[128];
    const char *sv = pk_solver_name(ds_solvers[s]);
    snprintf(what, sizeof what, "constant-infusion SS does not continue (%s)", sv);
    if (t) check_column(t[0], "C_d", const_s1, NULL, what);
    snprintf(what, sizeof what, "infusion from its own SS stays at R/CL (%s)", sv);
    if (t) check_column(t[1], "C_d", const_s2, NULL, what);
    snprintf(what, sizeof what, "depot infusion (F 0.5) from its own SS (%s)", sv);
    if (t) check_column(t[2], "C_d", const_s3, &central, what);
    if (t) check_column(t[2], "A_depot_d", const_s3, &depot, what);
    /* R/CL in nM: 1e6 R / (MW CL) */
    if (t)
      CHECK_CLOSE(unit_get(t[1], 40, "C_d"), 1e6 * 2.0 / (ds_mw * ds_CL), ds_rel, 0,
                  "constant infusion: C = R/CL at 10 h");
    pk_dataset_trajectories_free(t, 3);
  }
  pk_dataset_free(d);
  pk_model_free(m);
}

/* ss-overlap.csv: r = 1 mg/h; input and amount piecewise */
static double piecewise(double A0, const double *t_seg, const double *in, int n, double t) {
  double A = A0;
  for (int k = 0; k < n; k++) {
    double end = k + 1 < n ? t_seg[k + 1] : INFINITY, upto = fmin(t, end);
    double dt = upto - t_seg[k];
    if (dt <= 0) break;
    A = in[k] / ds_k + (A - in[k] / ds_k) * exp(-ds_k * dt);
  }
  return A;
}
static double overlap_expect(double t, void *ctx) {
  int which = *(const int *)ctx;
  double r = ds_umol(1), e12 = exp(-12 * ds_k), e24 = exp(-24 * ds_k);
  if (which == 0) {
    const double ts[] = {0, 24}, in[] = {r, 0};
    return ds_conc(piecewise(r / ds_k, ts, in, 2, t));
  }
  if (which == 1) {
    const double ts[] = {0, 24, 48}, in[] = {2 * r, r, 0};
    return ds_conc(piecewise(2 * r / ds_k, ts, in, 3, t));
  }
  double A0 = (2 * r / ds_k * (1 - e12) * e12 + r / ds_k * (1 - e12)) / (1 - e24);
  const double ts[] = {0, 12, 36}, in[] = {2 * r, r, 0};
  return ds_conc(piecewise(A0, ts, in, 3, t));
}

static void overlapping_ss_infusions(void) {
  pk_model *m = ds_model();
  pk_dataset *d = ds_load("ss-overlap.csv", m, NULL);
  static const char *const names[] = {"duration = II", "duration = 2 II", "duration = 1.5 II"};
  for (size_t s = 0; s < 2; s++) {
    pk_sim_options o = ds_options(72.0, 0.25, ds_solvers[s]);
    pk_trajectory **t = ds_simulate(d, &o);
    for (int j = 0; t && j < 3; j++) {
      char what[128];
      snprintf(what, sizeof what, "SS infusion, %s (%s)", names[j], pk_solver_name(ds_solvers[s]));
      check_column(t[j], "C_d", overlap_expect, &j, what);
    }
    /* duration = II: the steady state is the constant R/CL */
    if (t)
      CHECK_CLOSE(unit_get(t[0], 0, "C_d"), 1e6 * 1.0 / (ds_mw * ds_CL), ds_rel, 0,
                  "SS infusion lasting II: C = R/CL at the record");
    pk_dataset_trajectories_free(t, 3);
  }
  pk_dataset_free(d);
  pk_model_free(m);
}

int main(void) {
  test_init();
  ss1_with_lag();
  ss1_with_addl();
  ss2_adds();
  constant_infusion();
  overlapping_ss_infusions();
  return test_finish("unit_dataset_steady_state");
}
