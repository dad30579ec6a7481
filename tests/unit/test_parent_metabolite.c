/* test_parent_metabolite.c - a one-compartment oral parent converted into a
 * one-compartment metabolite, against a closed form derived by hand.
 *
 * With a = F * dose (umol) reaching the parent's depot at ta = t_dose + lag,
 * s = t - ta, kp = CL_p / V_p, km = CL_m / V_m, systemic fraction fm and
 * first-pass fraction fp of the absorption flux:
 *   depot_p(s) = a e^{-ka s}
 *   P(s)       = b (e^{-kp s} - e^{-ka s}),           b = (1 - fp) a ka / (ka - kp)
 *   dM/ds      = fm kp P + fp ka depot_p - km M = c1 e^{-kp s} + c2 e^{-ka s} - km M
 *                with c1 = fm kp b, c2 = fp ka a - fm kp b, so
 *   M(s)       = c1 g(kp, s) + c2 g(ka, s),  g(x, s) = (e^{-x s} - e^{-km s}) / (km - x)
 * and the eliminated amounts integrate the elimination fluxes:
 *   elim_p(s)  = (1 - fm) kp b [I(kp, s) - I(ka, s)],  I(x, s) = (1 - e^{-x s}) / x
 *   elim_m(s)  = km [c1 (I(kp, s) - I(km, s)) / (km - kp) + c2 (I(ka, s) - I(km, s)) / (km - ka)]
 * Conversions are molar, so the metabolite's molecular weight does not enter.
 *
 * Tolerances: solver rtol 1e-12, atol 1e-15; checks 1e-8 relative at every
 * output row plus an absolute floor of 1e-12 nM / 1e-15 umol (for the zeros
 * before the lag time). */
#include "unit_helpers.h"

static const double rel_tol = 1e-8, abs_tol_nM = 1e-12, abs_tol_umol = 1e-15;
static const double mw_p = 398.5, ka = 1.5, V_p = 60.0, CL_p = 12.0, F = 0.8, lag = 0.25;
static const double mw_m = 414.5, V_m = 30.0, CL_m = 15.0, dose_mg = 120.0;

typedef struct pm_case {
  const char *what;
  double fm, fp;
} pm_case;

/* Expected parent and metabolite amounts at s: P, M, elim_p, elim_m. */
typedef struct pm_state {
  double depot, P, M, elim_p, elim_m;
} pm_state;

static double g(double x, double km, double s) { return (exp(-x * s) - exp(-km * s)) / (km - x); }
static double I(double x, double s) { return -expm1(-x * s) / x; }

static pm_state expected(const pm_case *c, double s) {
  pm_state e = {0, 0, 0, 0, 0};
  if (s < 0) return e;
  double kp = CL_p / V_p, km = CL_m / V_m, a = F * unit_umol(dose_mg, mw_p);
  double b = (1.0 - c->fp) * a * ka / (ka - kp);
  double c1 = c->fm * kp * b, c2 = c->fp * ka * a - c->fm * kp * b;
  e.depot = a * exp(-ka * s);
  e.P = b * (exp(-kp * s) - exp(-ka * s));
  e.M = c1 * g(kp, km, s) + c2 * g(ka, km, s);
  e.elim_p = (1.0 - c->fm) * kp * b * (I(kp, s) - I(ka, s));
  e.elim_m = km * (c1 * (I(kp, s) - I(km, s)) / (km - kp) +
                   c2 * (I(ka, s) - I(km, s)) / (km - ka));
  return e;
}

static void check_row(const pk_trajectory *t, size_t row, const pm_case *c) {
  double time = unit_get(t, row, "time_h");
  pm_state e = expected(c, time - lag);
  const char *cols[] = {"C_par", "C_met", "A_depot_par", "A_elim_par", "A_elim_met",
                        "A_depot_met"};
  const double want[] = {1000.0 * e.P / V_p, 1000.0 * e.M / V_m, e.depot, e.elim_p, e.elim_m,
                         0.0};
  const double floor_[] = {abs_tol_nM, abs_tol_nM, abs_tol_umol, abs_tol_umol, abs_tol_umol,
                           0.0};
  for (size_t k = 0; k < sizeof want / sizeof want[0]; k++) {
    char what[160];
    snprintf(what, sizeof what, "%s: %s at t = %g h", c->what, cols[k], time);
    CHECK_CLOSE(unit_get(t, row, cols[k]), want[k], rel_tol, floor_[k], what);
  }
}

static void run_case(const pm_case *c) {
  pk_model *m = pk_model_new();
  pk_regimen *r = pk_regimen_new();
  pk_compound_params par = unit_compound("par", mw_p, ka, V_p, CL_p);
  par.F = F;
  par.lag_h = lag;
  /* The metabolite is never dosed: its ka is only there to be valid. */
  pk_compound_params met = unit_compound("met", mw_m, 3.0, V_m, CL_m);
  int ip = unit_add(m, &par), im = unit_add(m, &met);
  pk_error err;
  pk_status st = pk_model_add_conversion(m, ip, im, c->fm, c->fp, &err);
  CHECK(st == PK_OK, "%s: conversion: %s", c->what, err.message);
  unit_dose(r, ip, PK_ROUTE_ORAL, 0.0, dose_mg);
  pk_sim_options o = unit_options(48.0, 0.25);
  pk_trajectory *t = unit_simulate(m, r, &o);
  for (size_t row = 0; t && row < pk_trajectory_rows(t); row++) check_row(t, row, c);
  pk_trajectory_free(t);
  pk_regimen_free(r);
  pk_model_free(m);
}

int main(void) {
  test_init();
  const pm_case cases[] = {
      {"unit_parent_metabolite: systemic formation only (fm 0.3)", 0.3, 0.0},
      {"unit_parent_metabolite: systemic and first pass (fm 0.3, f_first_pass 0.25)", 0.3,
       0.25},
      {"unit_parent_metabolite: first pass only (f_first_pass 0.6)", 0.0, 0.6},
  };
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) run_case(&cases[k]);
  return test_finish("unit_parent_metabolite_closed_form");
}
