/* test_receptor.c - pk_receptor_response against limits of the operational
 * model derived by hand. For an agonist A (x = u / K, efficacy tau) alone:
 *   E = tau x / (1 + (1 + tau) x)
 * so E -> tau / (1 + tau) as u -> infinity, and E is half of that at
 * x = 1 / (1 + tau): EC50 = K / (1 + tau). A competitive antagonist B
 * (tau_B = 0) at concentration B adds x_B = B / K_B to the denominator:
 *   E = tau x / (1 + x_B + (1 + tau) x)
 * with the same maximum and EC50' = K (1 + B / K_B) / (1 + tau): the
 * agonist's EC50 shifts by exactly 1 + B / K_B (Schild, slope 1). For binding,
 * the concentration of B that halves A's occupancy is K_B (1 + A / K_A)
 * (Cheng-Prusoff). EC50s and IC50s are found by bisection on the library's
 * output, so what is compared is the library's curve against these numbers.
 *
 * Tolerances: the bisection stops at a relative bracket of 1e-14; EC50s,
 * shifts and IC50s are compared to 1e-9 relative, closed-form occupancy and
 * E to 1e-14 relative, the saturation limit (u = 1e12 K) to 1e-9. */
#include "unit_helpers.h"

static const double rel_tol = 1e-9, exact_tol = 1e-14;

/* Response of an agonist (u, K, tau) in the presence of an optional second
 * ligand (u2, K2, tau2): E, or the agonist's occupancy if want_occ. */
static double response(double u, double K, double tau, double u2, double K2, double tau2,
                       int want_occ) {
  const double uu[2] = {u, u2}, KK[2] = {K, K2}, tt[2] = {tau, tau2};
  double occ[2] = {NAN, NAN}, occ_total = NAN, E = NAN;
  pk_error err;
  pk_status st = pk_receptor_response(u2 > 0 ? 2 : 1, uu, KK, tt, occ, &occ_total, &E, &err);
  if (st != PK_OK) CHECK(st == PK_OK, "pk_receptor_response: %s", err.message);
  return want_occ ? occ[0] : E;
}

typedef double (*curve_fn)(double u, const double *args);

/* Concentration u in [lo, hi] with f(u) = target for f increasing (or
 * decreasing if `decreasing`), by bisection in log space. */
static double bisect(curve_fn f, const double *args, double target, double lo, double hi,
                     int decreasing) {
  while (hi / lo - 1.0 > 1e-14) {
    double mid = sqrt(lo * hi);
    int above = f(mid, args) > target;
    if (above != decreasing) hi = mid;
    else lo = mid;
  }
  return sqrt(lo * hi);
}

/* args: K, tau, B, K_B: E of the agonist at u with antagonist B present. */
static double agonist_E(double u, const double *a) {
  return response(u, a[0], a[1], a[2], a[3], 0.0, 0);
}

/* args: A, K_A, K_B: occupancy of A when B is at u (tau irrelevant). */
static double occupancy_of_A(double u, const double *a) {
  return response(a[0], a[1], 1.0, u, a[2], 0.0, 1);
}

static void saturation_and_ec50(double K, double tau) {
  char what[128];
  double emax = tau / (1.0 + tau);
  snprintf(what, sizeof what, "unit_receptor: E at u = 1e12 K, tau %g (-> tau/(1+tau))", tau);
  CHECK_CLOSE(response(1e12 * K, K, tau, 0, 1, 0, 0), emax, rel_tol, 0, what);
  const double args[4] = {K, tau, 0.0, 1.0};
  double ec50 = bisect(agonist_E, args, 0.5 * emax, 1e-6 * K, 1e6 * K, 0);
  snprintf(what, sizeof what, "unit_receptor: EC50 of an agonist, K %g nM, tau %g", K, tau);
  CHECK_CLOSE(ec50, K / (1.0 + tau), rel_tol, 0, what);
}

static void antagonist_shift(double K, double tau, double B, double K_B) {
  double emax = tau / (1.0 + tau);
  const double alone[4] = {K, tau, 0.0, K_B}, with_b[4] = {K, tau, B, K_B};
  double ec50 = bisect(agonist_E, alone, 0.5 * emax, 1e-6 * K, 1e9 * K, 0);
  double ec50_b = bisect(agonist_E, with_b, 0.5 * emax, 1e-6 * K, 1e9 * K, 0);
  char what[128];
  snprintf(what, sizeof what, "unit_receptor: EC50 shift by antagonist B = %g nM, K_B %g nM",
           B, K_B);
  CHECK_CLOSE(ec50_b / ec50, 1.0 + B / K_B, rel_tol, 0, what);
  /* The antagonist does not lower the maximum (surmountable). */
  CHECK_CLOSE(response(1e13 * K, K, tau, B, K_B, 0.0, 0), emax, rel_tol, 0,
              "unit_receptor: maximum with a competitive antagonist");
}

static void competing_occupancy(void) {
  const double u[2] = {300.0, 45.0}, K[2] = {709.0, 77.9}, tau[2] = {0.5, 20.0};
  double occ[2], total, E;
  pk_error err;
  CHECK(pk_receptor_response(2, u, K, tau, occ, &total, &E, &err) == PK_OK, "%s", err.message);
  double x0 = u[0] / K[0], x1 = u[1] / K[1], d = 1.0 + x0 + x1;
  CHECK_CLOSE(occ[0], x0 / d, exact_tol, 0, "unit_receptor: occupancy of ligand 0 of 2");
  CHECK_CLOSE(occ[1], x1 / d, exact_tol, 0, "unit_receptor: occupancy of ligand 1 of 2");
  CHECK_CLOSE(total, (x0 + x1) / d, exact_tol, 0, "unit_receptor: total occupancy of 2");
  CHECK_CLOSE(E, (tau[0] * x0 + tau[1] * x1) / (d + tau[0] * x0 + tau[1] * x1), exact_tol, 0,
              "unit_receptor: E of two agonists");
  /* Cheng-Prusoff: B halves A's occupancy at K_B (1 + A / K_A). */
  const double args[3] = {u[0], K[0], K[1]};
  double occ_alone = x0 / (1.0 + x0);
  double ic50 = bisect(occupancy_of_A, args, 0.5 * occ_alone, 1e-6, 1e9, 1);
  CHECK_CLOSE(ic50, K[1] * (1.0 + x0), rel_tol, 0, "unit_receptor: Cheng-Prusoff IC50");
}

static void antagonist_alone(void) {
  const double u[1] = {1e4}, K[1] = {2.0}, tau[1] = {0.0};
  double occ, total, E = NAN;
  pk_error err;
  CHECK(pk_receptor_response(1, u, K, tau, &occ, &total, &E, &err) == PK_OK, "%s",
        err.message);
  CHECK(E == 0.0, "unit_receptor: antagonist alone gives E = %g, expected 0", E);
  CHECK_CLOSE(total, 5000.0 / 5001.0, exact_tol, 0, "unit_receptor: antagonist occupancy");
  CHECK(pk_receptor_response(0, u, K, tau, NULL, &total, &E, &err) == PK_OK &&
            E == 0.0 && total == 0.0,
        "unit_receptor: no ligand gives E = %g, occ = %g", E, total);
}

/* Each bad value in each position must give PK_ERR_INVALID with err set. */
static void invalid_inputs(void) {
  const double bad_u[] = {-1.0, NAN, INFINITY}, bad_K[] = {0.0, -3.0, NAN, INFINITY},
               bad_tau[] = {-0.1, NAN, INFINITY};
  const double *bad[3] = {bad_u, bad_K, bad_tau};
  const size_t n_bad[3] = {3, 4, 3};
  const char *names[3] = {"u", "K", "tau"};
  for (int which = 0; which < 3; which++)
    for (size_t k = 0; k < n_bad[which]; k++)
      for (int pos = 0; pos < 2; pos++) {
        double v[3][2] = {{10.0, 5.0}, {100.0, 50.0}, {1.0, 0.0}}, E = -1.0;
        v[which][pos] = bad[which][k];
        pk_error err;
        pk_error_clear(&err);
        pk_status st = pk_receptor_response(2, v[0], v[1], v[2], NULL, NULL, &E, &err);
        CHECK(st == PK_ERR_INVALID && err.code == PK_ERR_INVALID && err.message[0],
              "unit_receptor: %s[%d] = %g gives %s, expected PK_ERR_INVALID", names[which],
              pos, bad[which][k], pk_status_str(st));
      }
}

int main(void) {
  test_init();
  saturation_and_ec50(709.0, 0.5);
  saturation_and_ec50(77.9, 20.0);
  saturation_and_ec50(1.0, 1e-3);
  antagonist_shift(709.0, 0.5, 100.0, 2.0);
  antagonist_shift(77.9, 20.0, 3.5, 0.7);
  antagonist_shift(5.0, 3.0, 1e-3, 10.0);
  competing_occupancy();
  antagonist_alone();
  invalid_inputs();
  return test_finish("unit_receptor_operational_model");
}
