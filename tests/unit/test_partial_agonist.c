/* test_partial_agonist.c - a high-affinity partial agonist displacing a full
 * agonist lowers the response (the buprenorphine effect), simulated.
 *
 * Full agonist A: tau_A = 50, x_A = u_A / K_A = 100 (saturating): alone
 *   E_A = tau_A x_A / (1 + (1 + tau_A) x_A) = 5000 / 5101 ~ 0.980,
 * close to its ceiling tau_A / (1 + tau_A). Partial agonist P: tau_P = 0.5,
 * K_P = 0.1 nM. Both have CL = 0 (constant plasma) and are given IV, A at
 * t = 0 and P at t = 2 h, so that with ce_P(t) = C_P (1 - e^{-ke0 (t - 2)})
 *   E = (tau_A x_A + tau_P x_P) / (1 + x_A + x_P + tau_A x_A + tau_P x_P).
 * As x_P grows E falls from E_A towards P's ceiling c = tau_P / (1 + tau_P)
 * = 1/3: with D the denominator above,
 *   E - c = (tau_A x_A - tau_P (1 + x_A)) / ((1 + tau_P) D),
 * positive (tau_A x_A = 5000 > tau_P (1 + x_A) = 50.5) and decreasing in x_P.
 * Checked: every row against the closed form (with ce_A and ce_P in closed
 * form), E decreasing strictly in P's concentration at the end of the run,
 * every E with P below E_A, A's occupancy displaced, and E at the highest
 * P within the closed-form distance of 1/3 (< 0.003).
 *
 * Tolerances: solver rtol 1e-12, atol 1e-15; E and occupancies to 1e-9
 * relative plus 1e-12 absolute; E - c to 1e-8 relative plus 1e-12. */
#include "unit_helpers.h"

static const double rel_tol = 1e-9, abs_tol = 1e-12;
static const double mw_a = 300.0, V_a = 100.0, ke0_a = 10.0, K_a = 10.0, tau_a = 50.0;
static const double mg_a = 30.0; /* 100 umol -> 1000 nM: x_A = 100 */
static const double mw_p = 467.6, V_p = 200.0, ke0_p = 10.0, K_p = 0.1, tau_p = 0.5;
static const double t_p = 2.0, t_end = 8.0, step = 0.25;

typedef struct expected {
  double occ_a, occ_p, occ, E;
} expected;

static expected closed_form(double ce_a, double ce_p) {
  double xa = ce_a / K_a, xp = ce_p / K_p, d = 1.0 + xa + xp;
  double t = tau_a * xa + tau_p * xp;
  return (expected){xa / d, xp / d, (xa + xp) / d, t / (d + t)};
}

/* Simulates A with P at x_P (final), checks every row, returns the final
 * row's E and A's occupancy. */
static void run(double x_p, pk_solver solver, double *E_end, double *occ_a_end) {
  const char *sname = pk_solver_name(solver);
  pk_model *m = pk_model_new();
  pk_regimen *r = pk_regimen_new();
  pk_compound_params a = unit_compound("full", mw_a, 1.0, V_a, 0.0);
  unit_ligand(&a, ke0_a, 1.0, K_a, tau_a);
  pk_compound_params p = unit_compound("part", mw_p, 1.0, V_p, 0.0);
  unit_ligand(&p, ke0_p, 1.0, K_p, tau_p);
  int ia = unit_add(m, &a), ip = unit_add(m, &p);
  double C_a = 1000.0 * unit_umol(mg_a, mw_a) / V_a;
  double C_p = x_p * K_p, mg_p = C_p * V_p / 1000.0 * mw_p / 1000.0;
  unit_dose(r, ia, PK_ROUTE_IV, 0.0, mg_a);
  unit_dose(r, ip, PK_ROUTE_IV, t_p, mg_p);
  pk_sim_options o = unit_options(t_end, step);
  o.solver = solver;
  pk_trajectory *t = unit_simulate(m, r, &o);
  size_t n = t ? pk_trajectory_rows(t) : 0;
  for (size_t i = 0; i < n; i++) {
    double time = unit_get(t, i, "time_h");
    double ce_a = C_a * -expm1(-ke0_a * time);
    double ce_p = time >= t_p ? C_p * -expm1(-ke0_p * (time - t_p)) : 0.0;
    expected w = closed_form(ce_a, ce_p);
    char what[200];
#define AT(col, val)                                                                          \
  snprintf(what, sizeof what, "unit_partial_agonist (%s): x_P = %g: %s at t = %g h", sname, x_p, \
           col, time);                                                                        \
  CHECK_CLOSE(unit_get(t, i, col), val, rel_tol, abs_tol, what)
    AT("occ_full", w.occ_a);
    AT("occ_part", w.occ_p);
    AT("occ", w.occ);
    AT("E", w.E);
#undef AT
  }
  *E_end = n ? unit_get(t, n - 1, "E") : NAN;
  *occ_a_end = n ? unit_get(t, n - 1, "occ_full") : NAN;
  pk_trajectory_free(t);
  pk_regimen_free(r);
  pk_model_free(m);
}

static void displacement(pk_solver solver) {
  const char *sname = pk_solver_name(solver);
  const double x_p[] = {0.0, 1.0, 10.0, 100.0, 1e3, 1e4, 1e5, 1e6};
  const int n = (int)(sizeof x_p / sizeof x_p[0]);
  const double x_a = 1000.0 * unit_umol(mg_a, mw_a) / V_a / K_a;
  const double E_a = tau_a * x_a / (1.0 + (1.0 + tau_a) * x_a), ceiling_p = tau_p / (1.0 + tau_p);
  double E[8], occ_a[8];
  char what[200];
  for (int k = 0; k < n; k++) run(x_p[k], solver, &E[k], &occ_a[k]);
  snprintf(what, sizeof what, "unit_partial_agonist (%s): saturating full agonist alone", sname);
  CHECK_CLOSE(E[0], E_a, rel_tol, abs_tol, what);
  CHECK(E_a > 0.98 && tau_a / (1.0 + tau_a) - E_a < 1e-3,
        "unit_partial_agonist: setup: E_A = %g should be near the ceiling %g", E_a,
        tau_a / (1.0 + tau_a));
  for (int k = 1; k < n; k++) {
    CHECK(E[k] < E[k - 1], "unit_partial_agonist (%s): E = %.15g at x_P = %g not below %.15g at "
          "x_P = %g", sname, E[k], x_p[k], E[k - 1], x_p[k - 1]);
    CHECK(occ_a[k] < occ_a[k - 1], "unit_partial_agonist (%s): occ_full = %g at x_P = %g not "
          "below %g", sname, occ_a[k], x_p[k], occ_a[k - 1]);
    CHECK(E[k] > ceiling_p, "unit_partial_agonist (%s): E = %g at x_P = %g below P's ceiling",
          sname, E[k], x_p[k]);
    /* distance above P's ceiling in closed form */
    double d = 1.0 + x_a + x_p[k] + tau_a * x_a + tau_p * x_p[k];
    double above = (tau_a * x_a - tau_p * (1.0 + x_a)) / ((1.0 + tau_p) * d);
    snprintf(what, sizeof what, "unit_partial_agonist (%s): E - tau_P / (1 + tau_P) at x_P = %g",
             sname, x_p[k]);
    CHECK_CLOSE(E[k] - ceiling_p, above, 1e-8, abs_tol, what);
  }
  CHECK(E[n - 1] - ceiling_p < 3e-3,
        "unit_partial_agonist (%s): E = %g at x_P = %g, expected within 0.003 of %g", sname,
        E[n - 1], x_p[n - 1], ceiling_p);
}

int main(void) {
  test_init();
  displacement(PK_SOLVER_EXACT);
  displacement(PK_SOLVER_ODE);
  return test_finish("unit_partial_agonist_lowers_full_agonist_effect");
}
