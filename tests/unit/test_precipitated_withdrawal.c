/* test_precipitated_withdrawal.c - an antagonist given to a subject adapted
 * to a full agonist: withdrawal W = max(0, tol - E) spikes at the bolus and
 * fades as the antagonist is eliminated.
 *
 * Agonist A: CL = 0, IV at t = 0, so its plasma concentration is constant;
 * with ke0 = 10/h its effect site is at equilibrium after a few hours and
 * E = E_A = tau x_A / (1 + (1 + tau) x_A) = 20 / 22 (x_A = 1, tau = 20).
 * Antagonist N (tau 0, K_N 1 nM, k_N = CL / V = 0.5/h, ke0 4/h) as an IV
 * bolus at t_b giving C_N(0) = 200 nM: with s = t - t_b
 *   ce_N(s) = C_N(0) ke0 / (ke0 - k_N) (e^{-k_N s} - e^{-ke0 s}),
 *   E(s)    = tau x_A / (1 + x_A + ce_N(s) / K_N + tau x_A),
 * lowest at s* = ln(ke0 / k_N) / (ke0 - k_N). Since E <= E_A throughout and
 * tol' = k_tol (E - tol), tol starting at E_A stays in [E_A e^{-k_tol s}, E_A]
 * (the bound on how much tol moves during the spike), hence
 *   E_A e^{-k_tol s} - E(s) <= W(s) <= E_A - E(s),
 * and the W peak lies in [max_s (E_A e^{-k_tol s} - E(s)), E_A - E(s*)].
 *
 * A. Adapted by a long run: k_tol = 0.02/h, tol0 = 0, t_b = 1500 h
 *    (e^{-k_tol t_b} ~ 1e-13): tol(t_b) = E_A and W(t_b) = 0; the peak within
 *    the bounds above (a band of E_A (1 - e^{-k_tol s*}), about 1.1 %); every
 *    row against tol(s) = E_A e^{-k s} + k int_0^s e^{-k (s - v)} E(v) dv by
 *    GSL adaptive quadrature (independent of the solver), and W = max(0,
 *    tol - E): W falls to 0 once tol, pulled down during the spike, is below
 *    the recovering E (rebound).
 * B. Slow adaptation, k_tol = 1e-7/h, tol0 = E_A, t_b = 20 h: tol moves by
 *    at most E_A (1 - e^{-k_tol (t_b + s)}) < 4e-6, so late W follows E_A - E(s):
 *    W(18 h) / W(14 h) within the interval that bound allows (about 0.4 %)
 *    of the closed-form ratio, and the decay rate ln(W(14) / W(18)) / 4 h
 *    within 1 % of k_N (the closed form, with x_N << 1 + x_A + tau x_A,
 *    differs from e^{-k_N s} by under 0.5 % there).
 *
 * Tolerances: solver rtol 1e-12, atol 1e-15; quadrature epsrel 1e-13; E, tol
 * and W against closed form or quadrature to 1e-8 relative plus 1e-11
 * absolute; bounds with a margin of 1e-11. */
#include <gsl/gsl_integration.h>
#include "unit_helpers.h"

static const double rel_tol = 1e-8, abs_tol = 1e-11, margin = 1e-11;
static const double mw_a = 300.0, V_a = 100.0, mg_a = 30.0, ke0_a = 10.0, K_a = 1000.0,
                    tau_a = 20.0; /* 100 umol, 1000 nM: x_A = 1 */
static const double mw_n = 327.0, V_n = 200.0, CL_n = 100.0, mg_n = 13.08, ke0_n = 4.0,
                    K_n = 1.0; /* 40 umol, 200 nM */
static const double step = 0.01, span = 24.0;

static double x_a(void) { return 1000.0 * unit_umol(mg_a, mw_a) / V_a / K_a; }
static double E_agonist(void) { return tau_a * x_a() / (1.0 + (1.0 + tau_a) * x_a()); }
static double k_n(void) { return CL_n / V_n; }
static double ce_n(double s) {
  double c0 = 1000.0 * unit_umol(mg_n, mw_n) / V_n;
  return c0 * ke0_n / (ke0_n - k_n()) * (exp(-k_n() * s) - exp(-ke0_n * s));
}
static double E_at(double s) {
  double xa = x_a();
  return tau_a * xa / (1.0 + xa + ce_n(s) / K_n + tau_a * xa);
}

typedef struct quad_args {
  double k, s;
} quad_args;

static double integrand(double v, void *p) {
  const quad_args *q = p;
  return exp(-q->k * (q->s - v)) * E_at(v);
}

/* tol at s after the bolus, starting from E_A at s = 0 */
static double tol_quadrature(double k, double s, gsl_integration_workspace *w) {
  if (s <= 0) return E_agonist();
  quad_args q = {k, s};
  gsl_function f = {integrand, &q};
  double result = NAN, abserr = NAN;
  int st = gsl_integration_qag(&f, 0.0, s, 1e-15, 1e-13, 1000, GSL_INTEG_GAUSS41, w, &result,
                               &abserr);
  CHECK(st == GSL_SUCCESS, "quadrature at s = %g h: %s", s, gsl_strerror(st));
  return E_agonist() * exp(-k * s) + k * result;
}

static pk_trajectory *simulate(double k_tol, double tol0, double t_b, pk_solver solver) {
  pk_model *m = pk_model_new();
  pk_regimen *r = pk_regimen_new();
  pk_compound_params a = unit_compound("ago", mw_a, 1.0, V_a, 0.0);
  unit_ligand(&a, ke0_a, 1.0, K_a, tau_a);
  pk_compound_params n = unit_compound("antag", mw_n, 1.0, V_n, CL_n);
  unit_ligand(&n, ke0_n, 1.0, K_n, 0.0);
  int ia = unit_add(m, &a), in = unit_add(m, &n);
  pk_error err;
  CHECK(pk_model_set_adaptation(m, k_tol, &err) == PK_OK, "k_tol: %s", err.message);
  unit_dose(r, ia, PK_ROUTE_IV, 0.0, mg_a);
  unit_dose(r, in, PK_ROUTE_IV, t_b, mg_n);
  pk_sim_options o = unit_options(t_b + span, step);
  o.output_start_h = t_b;
  o.tol0 = tol0;
  o.solver = solver;
  pk_trajectory *t = unit_simulate(m, r, &o);
  pk_regimen_free(r);
  pk_model_free(m);
  return t;
}

/* The bounds that hold whatever k_tol: tol in [E_A e^{-k (t0 + s)}, E_A],
 * W in [E_A e^{-k (t0 + s)} - E(s), E_A - E(s)], and the W peak. */
static void check_bounds(const pk_trajectory *t, double k, double t0, const char *label) {
  const double E_A = E_agonist(), s_star = log(ke0_n / k_n()) / (ke0_n - k_n());
  double w_peak = -1.0, lower_peak = -1.0;
  size_t n = t ? pk_trajectory_rows(t) : 0;
  for (size_t i = 0; i < n; i++) {
    double s = i * step, E = E_at(s), tol = unit_get(t, i, "tol"), W = unit_get(t, i, "W");
    double lo = E_A * exp(-k * (t0 + s));
    CHECK(tol >= lo - margin && tol <= E_A + margin,
          "%s: tol = %.15g at s = %g h outside [%.15g, %.15g]", label, tol, s, lo, E_A);
    CHECK(W >= lo - E - margin && W <= E_A - E + margin,
          "%s: W = %.15g at s = %g h outside [%.15g, %.15g]", label, W, s, lo - E, E_A - E);
    w_peak = fmax(w_peak, W);
    lower_peak = fmax(lower_peak, lo - E);
  }
  double upper_peak = E_A - E_at(s_star);
  CHECK(n && w_peak >= lower_peak - margin && w_peak <= upper_peak + margin,
        "%s: W peak %.15g outside [%.15g, %.15g]", label, w_peak, lower_peak, upper_peak);
  printf("%s: W peak %.6f in [%.6f, %.6f] (closed form E_A - E(s* = %.4f h))\n", label, w_peak,
         lower_peak, upper_peak, s_star);
  CHECK(upper_peak > 0.75, "%s: setup: the antagonist should precipitate a large W (%g)", label,
        upper_peak);
}

static void adapted_by_long_run(pk_solver solver) {
  char label[128], what[200];
  snprintf(label, sizeof label, "unit_withdrawal: adapted by a long run (%s)",
           pk_solver_name(solver));
  const double k = 0.02, t_b = 1500.0, E_A = E_agonist();
  pk_trajectory *t = simulate(k, 0.0, t_b, solver);
  size_t n = t ? pk_trajectory_rows(t) : 0;
  CHECK(n == (size_t)(span / step + 0.5) + 1, "%s: %zu rows", label, n);
  if (!n) return;
  /* adapted: the row at t_b (after the bolus, before any antagonist has
   * reached the effect site) */
  snprintf(what, sizeof what, "%s: tol at t_b = E_A", label);
  CHECK_CLOSE(unit_get(t, 0, "tol"), E_A, 1e-10, 0, what);
  snprintf(what, sizeof what, "%s: E at t_b = E_A", label);
  CHECK_CLOSE(unit_get(t, 0, "E"), E_A, 1e-10, 0, what);
  CHECK(unit_get(t, 0, "W") <= 1e-10, "%s: W = %g at t_b, expected ~0", label,
        unit_get(t, 0, "W"));
  check_bounds(t, k, 0.0, label);
  gsl_integration_workspace *w = gsl_integration_workspace_alloc(1000);
  size_t argmax_sim = 0, argmax_pred = 0, n_rebound = 0;
  double best_sim = -1, best_pred = -1;
  for (size_t i = 0; i < n; i++) {
    double s = i * step, E = E_at(s), tol = tol_quadrature(k, s, w), W = fmax(0.0, tol - E);
    snprintf(what, sizeof what, "%s: time at s = %g h", label, s);
    CHECK_CLOSE(unit_get(t, i, "time_h"), t_b + s, 1e-14, 1e-9, what);
    snprintf(what, sizeof what, "%s: ce_antag at s = %g h", label, s);
    CHECK_CLOSE(unit_get(t, i, "ce_antag"), ce_n(s), rel_tol, abs_tol, what);
    snprintf(what, sizeof what, "%s: E at s = %g h", label, s);
    CHECK_CLOSE(unit_get(t, i, "E"), E, rel_tol, abs_tol, what);
    snprintf(what, sizeof what, "%s: tol at s = %g h", label, s);
    CHECK_CLOSE(unit_get(t, i, "tol"), tol, rel_tol, abs_tol, what);
    snprintf(what, sizeof what, "%s: W at s = %g h", label, s);
    CHECK_CLOSE(unit_get(t, i, "W"), W, rel_tol, abs_tol, what);
    if (unit_get(t, i, "W") > best_sim) best_sim = unit_get(t, i, "W"), argmax_sim = i;
    if (W > best_pred) best_pred = W, argmax_pred = i;
    n_rebound += W == 0.0 && s > 5.0;
  }
  CHECK(argmax_sim + 1 >= argmax_pred && argmax_sim <= argmax_pred + 1,
        "%s: W peaks at s = %g h, predicted %g h", label, argmax_sim * step,
        argmax_pred * step);
  CHECK(n_rebound > 100, "%s: setup: expected W back to 0 (rebound) late, %zu rows", label,
        n_rebound);
  gsl_integration_workspace_free(w);
  pk_trajectory_free(t);
}

static void decays_with_elimination(pk_solver solver) {
  char label[128];
  snprintf(label, sizeof label, "unit_withdrawal: decay at the antagonist's rate (%s)",
           pk_solver_name(solver));
  const double k = 1e-7, t_b = 20.0, E_A = E_agonist();
  pk_trajectory *t = simulate(k, E_A, t_b, solver);
  if (!t) return;
  check_bounds(t, k, t_b, label);
  const double s1 = 14.0, s2 = 18.0;
  size_t i1 = (size_t)(s1 / step + 0.5), i2 = (size_t)(s2 / step + 0.5);
  double w1 = unit_get(t, i1, "W"), w2 = unit_get(t, i2, "W");
  /* W(s) in [E_A - E(s) - b(s), E_A - E(s)] with b(s) = E_A (1 - e^{-k (t_b + s)}) */
  double hi1 = E_A - E_at(s1), hi2 = E_A - E_at(s2);
  double lo1 = hi1 - E_A * -expm1(-k * (t_b + s1)), lo2 = hi2 - E_A * -expm1(-k * (t_b + s2));
  double ratio = w2 / w1, r_lo = lo2 / hi1, r_hi = hi2 / lo1;
  CHECK(ratio >= r_lo * (1 - 1e-9) && ratio <= r_hi * (1 + 1e-9),
        "%s: W(%g h) / W(%g h) = %.10g outside [%.10g, %.10g] (closed form %.10g)", label, s2, s1,
        ratio, r_lo, r_hi, hi2 / hi1);
  CHECK(r_hi / r_lo - 1.0 < 5e-3, "%s: setup: ratio interval too wide [%g, %g]", label, r_lo,
        r_hi);
  double rate = log(w1 / w2) / (s2 - s1);
  char what[200];
  snprintf(what, sizeof what, "%s: decay rate of W between %g and %g h vs k_N", label, s1, s2);
  CHECK_CLOSE(rate, k_n(), 1e-2, 0, what);
  printf("%s: W(%g) = %.6g, W(%g) = %.6g, decay rate %.6f/h, k_N %.6f/h\n", label, s1, w1, s2,
         w2, rate, k_n());
  pk_trajectory_free(t);
}

int main(void) {
  test_init();
  adapted_by_long_run(PK_SOLVER_EXACT);
  adapted_by_long_run(PK_SOLVER_ODE);
  decays_with_elimination(PK_SOLVER_EXACT);
  decays_with_elimination(PK_SOLVER_ODE);
  return test_finish("unit_antagonist_precipitates_withdrawal");
}
