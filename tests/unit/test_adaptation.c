/* test_adaptation.c - the adaptation state tol, d tol/dt = k_tol (E - tol),
 * against independent solutions, and the derived columns net = E - tol and
 * W = max(0, tol - E).
 *
 * A ligand with CL = 0 given as an IV bolus at t = 0 keeps C = C0 = 1000
 * dose / V (nM), so its effect site follows ce(s) = C0 (1 - e^{-ke0 s}) and
 * E(s) = tau x / (1 + (1 + tau) x) with x = fu ce(s) / K, all in closed form.
 * Then, by variation of constants,
 *   tol(t) = tol0 e^{-k t} + k * integral_0^t e^{-k (t - s)} E(s) ds,
 * evaluated with GSL adaptive quadrature (not with the ODE solver).
 * Special cases with a closed form:
 *  - an antagonist only: E = 0 exactly, so tol = tol0 e^{-k t}, W = tol,
 *    net = -tol; with k_tol = 0, tol stays tol0;
 *  - a very fast ke0: once e^{-ke0 t} is negligible E is the constant E_inf
 *    and tol relaxes exponentially: tol(t) - E_inf = (tol(t1) - E_inf)
 *    e^{-k (t - t1)} for t >= t1.
 *
 * Tolerances: solver rtol 1e-12, atol 1e-15; quadrature epsrel 1e-13; checks
 * 1e-8 relative plus 1e-12 absolute (the scale of E and tol is 1; net, a
 * difference of two numbers near E, to 1e-8 E), and net and W against E and
 * tol of the same row to 1e-14 absolute. */
#include <gsl/gsl_integration.h>
#include "unit_helpers.h"

static const double rel_tol = 1e-8, abs_tol = 1e-12, row_tol = 1e-14;
static const double mw = 400.0, V = 50.0, dose_mg = 5.0;

typedef struct ligand {
  double ke0, fu, K, tau, k_tol, tol0;
} ligand;

static double C0(void) { return 1000.0 * unit_umol(dose_mg, mw) / V; }
static double ce_at(const ligand *l, double s) { return C0() * -expm1(-l->ke0 * s); }
static double E_at(const ligand *l, double s) {
  double x = l->fu * ce_at(l, s) / l->K;
  return l->tau * x / (1.0 + (1.0 + l->tau) * x);
}

typedef struct quad_args {
  const ligand *l;
  double t;
} quad_args;

static double integrand(double s, void *p) {
  const quad_args *q = p;
  return exp(-q->l->k_tol * (q->t - s)) * E_at(q->l, s);
}

static double tol_by_quadrature(const ligand *l, double t, gsl_integration_workspace *w) {
  if (t <= 0) return l->tol0;
  quad_args q = {l, t};
  gsl_function f = {integrand, &q};
  double result = NAN, abserr = NAN;
  int st = gsl_integration_qag(&f, 0.0, t, 1e-15, 1e-13, 1000, GSL_INTEG_GAUSS41, w, &result,
                               &abserr);
  CHECK(st == GSL_SUCCESS, "quadrature at t = %g h: %s", t, gsl_strerror(st));
  return l->tol0 * exp(-l->k_tol * t) + l->k_tol * result;
}

/* A one-ligand model (CL = 0) dosed IV at 0, simulated with method. */
static pk_trajectory *simulate_ligand(const ligand *l, pk_ode_method method, double t_end) {
  pk_model *m = pk_model_new();
  pk_regimen *r = pk_regimen_new();
  pk_compound_params p = unit_compound("lig", mw, 1.0, V, 0.0);
  unit_ligand(&p, l->ke0, l->fu, l->K, l->tau);
  int i = unit_add(m, &p);
  pk_error err;
  CHECK(pk_model_set_adaptation(m, l->k_tol, &err) == PK_OK, "k_tol: %s", err.message);
  unit_dose(r, i, PK_ROUTE_IV, 0.0, dose_mg);
  pk_sim_options o = unit_options(t_end, 0.25);
  o.tol0 = l->tol0;
  o.method = method;
  pk_trajectory *t = unit_simulate(m, r, &o);
  pk_regimen_free(r);
  pk_model_free(m);
  return t;
}

/* net and W must be E - tol and max(0, tol - E) of the same row. */
static void check_derived(const pk_trajectory *t, size_t i, const char *label) {
  double E = unit_get(t, i, "E"), tol = unit_get(t, i, "tol");
  char what[160];
  snprintf(what, sizeof what, "%s: net = E - tol at row %zu", label, i);
  CHECK_CLOSE(unit_get(t, i, "net"), E - tol, 0, row_tol, what);
  snprintf(what, sizeof what, "%s: W = max(0, tol - E) at row %zu", label, i);
  CHECK_CLOSE(unit_get(t, i, "W"), fmax(0.0, tol - E), 0, row_tol, what);
}

static void check_against_quadrature(pk_ode_method method, const char *label) {
  const ligand l = {.ke0 = 2.0, .fu = 0.6, .K = 100.0, .tau = 4.0, .k_tol = 0.15, .tol0 = 0.0};
  pk_trajectory *t = simulate_ligand(&l, method, 36.0);
  gsl_integration_workspace *w = gsl_integration_workspace_alloc(1000);
  for (size_t i = 0; t && i < pk_trajectory_rows(t); i++) {
    double time = unit_get(t, i, "time_h"), E = E_at(&l, time);
    double tol = tol_by_quadrature(&l, time, w);
    char what[160];
    snprintf(what, sizeof what, "%s: ce_lig at t = %g h", label, time);
    CHECK_CLOSE(unit_get(t, i, "ce_lig"), ce_at(&l, time), rel_tol, abs_tol, what);
    snprintf(what, sizeof what, "%s: E at t = %g h", label, time);
    CHECK_CLOSE(unit_get(t, i, "E"), E, rel_tol, abs_tol, what);
    snprintf(what, sizeof what, "%s: tol at t = %g h", label, time);
    CHECK_CLOSE(unit_get(t, i, "tol"), tol, rel_tol, abs_tol, what);
    /* tol trails a rising E from below: no withdrawal, a positive net. net
     * is a small difference of two numbers near E, so its error is judged
     * on the scale of E. */
    snprintf(what, sizeof what, "%s: net at t = %g h", label, time);
    CHECK_CLOSE(unit_get(t, i, "net"), E - tol, 0, rel_tol * E + abs_tol, what);
    CHECK(unit_get(t, i, "W") == 0.0, "%s: W = %g at t = %g h, expected 0", label,
          unit_get(t, i, "W"), time);
    check_derived(t, i, label);
  }
  gsl_integration_workspace_free(w);
  pk_trajectory_free(t);
}

static void check_zero_response(double k_tol, const char *label) {
  const ligand l = {.ke0 = 2.0, .fu = 1.0, .K = 10.0, .tau = 0.0, .k_tol = k_tol, .tol0 = 0.8};
  pk_trajectory *t = simulate_ligand(&l, PK_ODE_RK8PD, 48.0);
  for (size_t i = 0; t && i < pk_trajectory_rows(t); i++) {
    double time = unit_get(t, i, "time_h"), want = l.tol0 * exp(-k_tol * time);
    char what[160];
    snprintf(what, sizeof what, "%s: tol at t = %g h", label, time);
    CHECK_CLOSE(unit_get(t, i, "tol"), want, rel_tol, abs_tol, what);
    CHECK(unit_get(t, i, "E") == 0.0, "%s: E = %g, expected 0", label, unit_get(t, i, "E"));
    snprintf(what, sizeof what, "%s: W at t = %g h", label, time);
    CHECK_CLOSE(unit_get(t, i, "W"), want, rel_tol, abs_tol, what);
    snprintf(what, sizeof what, "%s: net at t = %g h", label, time);
    CHECK_CLOSE(unit_get(t, i, "net"), -want, rel_tol, abs_tol, what);
  }
  pk_trajectory_free(t);
}

static void check_constant_response(void) {
  const char *label = "unit_adaptation: constant E after a fast effect site";
  const ligand l = {.ke0 = 40.0, .fu = 1.0, .K = 250.0, .tau = 1.0, .k_tol = 0.2, .tol0 = 0.9};
  const double t1 = 1.0; /* e^{-40} ~ 4e-18: E is E_inf from here on */
  double x = C0() / l.K, E_inf = l.tau * x / (1.0 + (1.0 + l.tau) * x);
  pk_trajectory *t = simulate_ligand(&l, PK_ODE_RK8PD, 30.0);
  size_t i1 = (size_t)(t1 / 0.25);
  double tol1 = unit_get(t, i1, "tol");
  CHECK(tol1 > E_inf, "%s: tol(t1) = %g should still be above E_inf = %g", label, tol1, E_inf);
  for (size_t i = i1; t && i < pk_trajectory_rows(t); i++) {
    double time = unit_get(t, i, "time_h");
    double want = E_inf + (tol1 - E_inf) * exp(-l.k_tol * (time - t1));
    char what[160];
    snprintf(what, sizeof what, "%s: E at t = %g h", label, time);
    CHECK_CLOSE(unit_get(t, i, "E"), E_inf, rel_tol, abs_tol, what);
    snprintf(what, sizeof what, "%s: tol at t = %g h", label, time);
    CHECK_CLOSE(unit_get(t, i, "tol"), want, rel_tol, abs_tol, what);
    snprintf(what, sizeof what, "%s: W at t = %g h", label, time);
    CHECK_CLOSE(unit_get(t, i, "W"), want - E_inf, 0, rel_tol * want + abs_tol, what);
    check_derived(t, i, label);
  }
  pk_trajectory_free(t);
}

int main(void) {
  test_init();
  check_against_quadrature(PK_ODE_RK8PD, "unit_adaptation: tol vs quadrature (rk8pd)");
  check_against_quadrature(PK_ODE_MSBDF, "unit_adaptation: tol vs quadrature (msbdf)");
  check_zero_response(0.15, "unit_adaptation: E = 0, tol = tol0 e^-kt");
  check_zero_response(0.0, "unit_adaptation: k_tol = 0 keeps tol0");
  check_constant_response();
  return test_finish("unit_adaptation_tolerance");
}
