/* test_schild_shift.c - the parallel shift of an agonist's dose-response
 * curve by a competitive antagonist, read off simulations.
 *
 * Agonist A and antagonist B (tau_B = 0) both have CL = 0 and are given as IV
 * boluses at t = 0, so at t = 20 h (ke0 = 5/h, e^{-100} ~ 4e-44) their
 * effect sites equal their constant plasma concentrations. With x_A = u_A /
 * K_A and x_B = u_B / K_B (u = fu * ce) the operational model gives
 *   E = tau x_A / (1 + x_B + (1 + tau) x_A),
 * whose maximum tau / (1 + tau) does not depend on B and whose half-maximum
 * is at u_A = K_A (1 + x_B) / (1 + tau). Since ce_A is proportional to the
 * agonist dose, the dose giving E = Emax / 2 (found by bisection on the
 * simulated E) shifts by the dose ratio DR = 1 + u_B / K_B (Schild, slope 1):
 * log(DR - 1) = log u_B - log K_B.
 *
 * Tolerances: solver rtol 1e-12, atol 1e-15; bisection to a relative
 * bracket of 1e-11; the half-maximal dose without B, dose ratios, Schild
 * slopes and K_B recovered from them to 1e-6 relative; the maximum with the
 * highest B (x_A = 1e9) to 1e-6 relative. */
#include "unit_helpers.h"

static const double rel_tol = 1e-6;
static const double t_read = 20.0;

/* agonist: K_A 30 nM, tau 6; antagonist: K_B 2 nM, fu 0.7 */
static const double mw_a = 400.0, V_a = 40.0, ke0_a = 5.0, fu_a = 1.0, K_a = 30.0, tau_a = 6.0;
static const double mw_b = 350.0, V_b = 70.0, ke0_b = 5.0, fu_b = 0.7, K_b = 2.0;

typedef struct setup {
  pk_model *m;
  pk_solver solver;
  double b_mg; /* antagonist dose */
} setup;

/* unbound agonist concentration (nM) at the effect site per mg of agonist */
static double u_a_per_mg(void) { return fu_a * 1000.0 * unit_umol(1.0, mw_a) / V_a; }
static double u_b_of(double mg) { return fu_b * 1000.0 * unit_umol(mg, mw_b) / V_b; }

/* E at t_read after a_mg of agonist and s->b_mg of antagonist, IV at 0. */
static double simulated_E(const setup *s, double a_mg) {
  pk_regimen *r = pk_regimen_new();
  unit_dose(r, 0, PK_ROUTE_IV, 0.0, a_mg);
  unit_dose(r, 1, PK_ROUTE_IV, 0.0, s->b_mg);
  pk_sim_options o = unit_options(t_read + 1.0, 1.0);
  o.output_start_h = t_read;
  o.solver = s->solver;
  pk_trajectory *t = unit_simulate(s->m, r, &o);
  double E = t ? unit_get(t, 0, "E") : NAN;
  CHECK(t && fabs(unit_get(t, 0, "time_h") - t_read) < 1e-12, "E read at %g h, not %g h",
        t ? unit_get(t, 0, "time_h") : NAN, t_read);
  pk_trajectory_free(t);
  pk_regimen_free(r);
  return E;
}

/* The agonist dose (mg) with simulated E = target, by bisection in log
 * space on [lo, hi] (E increases with the dose). */
static double half_max_dose(const setup *s, double target, double lo, double hi) {
  double elo = simulated_E(s, lo), ehi = simulated_E(s, hi);
  CHECK(elo < target && ehi > target, "bracket [%g, %g] mg gives E in [%g, %g], not around %g",
        lo, hi, elo, ehi, target);
  while (hi / lo - 1.0 > 1e-11) {
    double mid = sqrt(lo * hi), e = simulated_E(s, mid);
    if (!isfinite(e)) return NAN;
    if (e > target) hi = mid;
    else lo = mid;
  }
  return sqrt(lo * hi);
}

static void schild(pk_solver solver) {
  const char *sname = pk_solver_name(solver);
  char what[200];
  pk_model *m = pk_model_new();
  pk_compound_params a = unit_compound("ago", mw_a, 1.0, V_a, 0.0);
  unit_ligand(&a, ke0_a, fu_a, K_a, tau_a);
  pk_compound_params b = unit_compound("antag", mw_b, 1.0, V_b, 0.0);
  unit_ligand(&b, ke0_b, fu_b, K_b, 0.0);
  unit_add(m, &a);
  unit_add(m, &b);
  const double emax = tau_a / (1.0 + tau_a);
  /* antagonist doses for x_B = u_B / K_B = 0, 0.5, 3, 30, 300 */
  const double x_b[] = {0.0, 0.5, 3.0, 30.0, 300.0};
  const int n = (int)(sizeof x_b / sizeof x_b[0]);
  double dose50[5], b_nM[5];
  for (int k = 0; k < n; k++) {
    b_nM[k] = x_b[k] * K_b;
    double b_mg = b_nM[k] / u_b_of(1.0);
    CHECK_CLOSE(u_b_of(b_mg), b_nM[k], 1e-14, 1e-14, "antagonist dose conversion");
    setup s = {m, solver, b_mg};
    /* expected half-maximal agonist dose, bracketed a factor 100 either side */
    double guess = K_a * (1.0 + x_b[k]) / (1.0 + tau_a) / u_a_per_mg();
    dose50[k] = half_max_dose(&s, 0.5 * emax, guess / 100.0, guess * 100.0);
  }
  snprintf(what, sizeof what,
           "unit_schild (%s): half-maximal agonist dose without antagonist, u = K / (1 + tau)",
           sname);
  CHECK_CLOSE(dose50[0] * u_a_per_mg(), K_a / (1.0 + tau_a), rel_tol, 0, what);
  for (int k = 1; k < n; k++) {
    double dr = dose50[k] / dose50[0];
    snprintf(what, sizeof what, "unit_schild (%s): dose ratio at B = %g nM (1 + B / K_B)",
             sname, b_nM[k]);
    CHECK_CLOSE(dr, 1.0 + b_nM[k] / K_b, rel_tol, 0, what);
    snprintf(what, sizeof what, "unit_schild (%s): K_B = B / (DR - 1) at B = %g nM", sname,
             b_nM[k]);
    CHECK_CLOSE(b_nM[k] / (dr - 1.0), K_b, rel_tol, 0, what);
    if (k >= 2) {
      double dr_prev = dose50[k - 1] / dose50[0];
      double slope = log((dr - 1.0) / (dr_prev - 1.0)) / log(b_nM[k] / b_nM[k - 1]);
      snprintf(what, sizeof what, "unit_schild (%s): Schild slope between B = %g and %g nM",
               sname, b_nM[k - 1], b_nM[k]);
      CHECK_CLOSE(slope, 1.0, rel_tol, 0, what);
    }
  }
  /* surmountable: the maximum is unchanged by the largest B (x_A = 1e9) */
  setup s = {m, solver, b_nM[n - 1] / u_b_of(1.0)};
  snprintf(what, sizeof what, "unit_schild (%s): maximum with B = %g nM", sname, b_nM[n - 1]);
  CHECK_CLOSE(simulated_E(&s, 1e9 * K_a / u_a_per_mg()), emax, rel_tol, 0, what);
  pk_model_free(m);
}

int main(void) {
  test_init();
  schild(PK_SOLVER_EXACT);
  schild(PK_SOLVER_ODE);
  return test_finish("unit_schild_shift_simulated");
}
