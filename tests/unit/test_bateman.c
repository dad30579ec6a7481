/* test_bateman.c - one-compartment oral absorption against the Bateman
 * function, derived by hand from
 *   d depot/dt = -ka depot,  d central/dt = ka depot - k central,  k = CL/V,
 * for an amount a = F * dose (umol) arriving in the depot at ta = t_dose + lag:
 *   depot(t)   = a e^{-ka s}
 *   central(t) = a ka / (ka - k) (e^{-k s} - e^{-ka s})      (ka != k)
 *   central(t) = a ka s e^{-k s}                              (ka == k, the limit)
 * with s = t - ta >= 0 and both 0 before ta; several doses superpose because
 * the system is linear. C = 1000 central / V (nM).
 *
 * Tolerances: solver rtol 1e-12, atol 1e-15 (umol); checks 1e-8 relative at
 * every output row plus an absolute floor of 1e-12 nM (1e-15 umol), which
 * only matters where the exact value is 0 (before the lag). */
#include "unit_helpers.h"

enum { MAX_DOSES = 4 };
static const double rel_tol = 1e-8, abs_tol_nM = 1e-12, abs_tol_umol = 1e-15;

typedef struct oral_case {
  const char *what;
  double mw, ka, V, CL, F, lag;
  int n_doses;
  double t_dose[MAX_DOSES], mg[MAX_DOSES];
  double t_end, step;
} oral_case;

/* Central amount (umol) s hours after a umol reached the depot. */
static double bateman_central(double a, double ka, double k, double s) {
  if (s < 0) return 0.0;
  if (ka == k) return a * ka * s * exp(-k * s);
  return a * ka / (ka - k) * (exp(-k * s) - exp(-ka * s));
}

static double bateman_depot(double a, double ka, double s) {
  return s < 0 ? 0.0 : a * exp(-ka * s);
}

/* Sums the closed form over the doses of c at time t. */
static void expected(const oral_case *c, double t, double *depot, double *central) {
  double k = c->CL / c->V;
  *depot = *central = 0.0;
  for (int d = 0; d < c->n_doses; d++) {
    double a = c->F * unit_umol(c->mg[d], c->mw);
    double s = t - (c->t_dose[d] + c->lag);
    *depot += bateman_depot(a, c->ka, s);
    *central += bateman_central(a, c->ka, k, s);
  }
}

static void run_case(const oral_case *c) {
  pk_model *m = pk_model_new();
  pk_regimen *r = pk_regimen_new();
  pk_compound_params p = unit_compound("drug", c->mw, c->ka, c->V, c->CL);
  p.F = c->F;
  p.lag_h = c->lag;
  int i = unit_add(m, &p);
  for (int d = 0; d < c->n_doses; d++) unit_dose(r, i, PK_ROUTE_ORAL, c->t_dose[d], c->mg[d]);
  pk_sim_options o = unit_options(c->t_end, c->step);
  pk_trajectory *t = unit_simulate(m, r, &o);
  size_t rows = pk_trajectory_rows(t);
  CHECK(t && rows == (size_t)(c->t_end / c->step + 0.5) + 1, "%s: %zu rows", c->what, rows);
  double worst = 0.0;
  for (size_t row = 0; t && row < rows; row++) {
    double time = unit_get(t, row, "time_h"), depot, central;
    expected(c, time, &depot, &central);
    double conc = 1000.0 * central / c->V, got = unit_get(t, row, "C_drug");
    char what[160];
    snprintf(what, sizeof what, "%s: C_drug at t = %g h", c->what, time);
    CHECK_CLOSE(got, conc, rel_tol, abs_tol_nM, what);
    snprintf(what, sizeof what, "%s: A_depot_drug at t = %g h", c->what, time);
    CHECK_CLOSE(unit_get(t, row, "A_depot_drug"), depot, rel_tol, abs_tol_umol, what);
    if (conc > 0) worst = fmax(worst, fabs(got - conc) / conc);
  }
  printf("%s: largest relative error in C %.3g\n", c->what, worst);
  pk_trajectory_free(t);
  pk_regimen_free(r);
  pk_model_free(m);
}

int main(void) {
  test_init();
  const oral_case cases[] = {
      {"unit_bateman: F 0.7, lag 0.5 h landing on an output time", 400.0, 1.2, 50.0, 5.0,
       0.7, 0.5, 1, {0.0}, {100.0}, 48.0, 0.25},
      {"unit_bateman: dose at 1.1 h, lag 0.3 h arriving between output times", 350.0, 2.5,
       80.0, 12.0, 0.45, 0.3, 1, {1.1}, {60.0}, 36.0, 0.5},
      {"unit_bateman: degenerate ka == k (limit a ka t e^-kt), F 0.5, lag 0.2 h", 300.0, 0.3,
       10.0, 3.0, 0.5, 0.2, 1, {0.0}, {20.0}, 48.0, 0.25},
      {"unit_bateman: three doses superposed, F 0.8, lag 0.25 h", 398.5, 0.9, 30.0, 6.0, 0.8,
       0.25, 3, {0.0, 12.0, 24.0}, {40.0, 40.0, 80.0}, 48.0, 0.5},
  };
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) run_case(&cases[k]);
  return test_finish("unit_bateman_oral_one_compartment");
}
