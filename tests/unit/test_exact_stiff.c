/* test_exact_stiff.c - a very stiff but allowed model runs on the exact
 * path in bounded time with the right answer (it used to fail, or with
 * fewer sub-steps needed per step take tens of seconds: 45000 sub-steps per
 * one-hour step for CL 8e8 L/h, 13-19 s for the default scenario's dosing
 * without its run-in).
 *
 * One oral ligand, MW 400 g/mol, ka 1 /h, V 50 L, CL 1e9 L/h (the largest
 * clearance allowed: ke = 2e7 /h), ke0 2 /h, fu 0.6, K 100 nM, tau 4,
 * adaptation k_tol 0.05 /h; 10 mg at 1, 9 and 17 h; output every 0.5 h to
 * 24 h. Each half-hour step spans 1e7 time constants of elimination (the
 * exact path used to refuse it: more than 1e5 sub-steps of 20 time
 * constants). Independent values, superposed over the doses:
 *  - C(t) = 1000 D/MW / V ka / (ke - ka) (e^{-ka t} - e^{-ke t}) nM;
 *  - ce(t) = 1000 D/MW / V ka ke0 sum_i e^{-r_i t} / prod_{j != i} (r_j - r_i)
 *    over r = (ka, ke, ke0) nM;
 *  - E = tau x / (1 + x + tau x), x = fu ce / K;
 *  - tol(t) = k integral_0^t e^{-k (t - s)} E(s) ds by composite Simpson
 *    (400 panels per half hour on the closed-form E; doses fall on the grid).
 * The exact path's propagators are normwise accurate, so a slow mode's rate
 * is off by about eps times the fastest rate rho (exact.c): every value
 * must agree to 1e-9 + 3 eps rho (t - 1 h) relative (eps = 2.2e-16; 1.5e-7
 * at 24 h; the differences measured grow by about 8e-9 per hour after a
 * dose; tol's Simpson error is below 1e-12 relative). The run must take
 * under 5 s (it takes milliseconds; the ctest TIMEOUT of 60 s catches a
 * hang). And a model beyond the exact path's largest rate, 1e10 1/h (V
 * 1e-6 L with CL 1e9 L/h: 1e15 1/h), fails at once with PK_ERR_SOLVER
 * naming the rate and the state it drains, instead of writing values
 * whose rounding error would be of order 1. */
#include <float.h>
#include <string.h>
#include <time.h>
#include "unit_helpers.h"

static const double mw = 400.0, ka = 1.0, V = 50.0, CL = 1e9, ke0 = 2.0, fu = 0.6, K = 100.0,
                    tau = 4.0, k_tol = 0.05, dose_mg = 10.0, dose_t[3] = {1.0, 9.0, 17.0};

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void closed_form(double t, double *C, double *ce) {
  double ke = CL / V, a0 = 1000.0 * unit_umol(dose_mg, mw) / V;
  double r[3] = {ka, ke, ke0};
  *C = *ce = 0.0;
  for (int d = 0; d < 3; d++) {
    double s = t - dose_t[d];
    if (s < 0) continue;
    *C += a0 * ka / (ke - ka) * (exp(-ka * s) - exp(-ke * s));
    double acc = 0.0;
    for (int i = 0; i < 3; i++) {
      double den = 1.0;
      for (int j = 0; j < 3; j++)
        if (j != i) den *= r[j] - r[i];
      acc += exp(-r[i] * s) / den;
    }
    *ce += a0 * ka * ke0 * acc;
  }
}

static double response(double t) {
  double C, ce;
  closed_form(t, &C, &ce);
  double x = fu * ce / K;
  return tau * x / (1.0 + x + tau * x);
}

int main(void) {
  test_init();
  pk_model *m = pk_model_new();
  pk_regimen *r = pk_regimen_new();
  CHECK(m && r, "out of memory");
  if (!m || !r) return test_finish("unit_exact_stiff_clearance_bounded_time_closed_form");
  pk_compound_params p = unit_compound("lig", mw, ka, V, CL);
  unit_ligand(&p, ke0, fu, K, tau);
  unit_add(m, &p);
  pk_error err;
  CHECK(pk_model_set_adaptation(m, k_tol, &err) == PK_OK, "k_tol: %s", err.message);
  for (int d = 0; d < 3; d++) unit_dose(r, 0, PK_ROUTE_ORAL, dose_t[d], dose_mg);
  pk_sim_options o = unit_options(24.0, 0.5);
  o.solver = PK_SOLVER_EXACT;
  double t0 = now_s();
  pk_trajectory *t = NULL;
  pk_status st = pk_simulate(m, r, &o, &t, &err);
  double took = now_s() - t0;
  printf("CL 1e9 L/h on the exact path: %s in %.3f s%s%s\n", pk_status_str(st), took,
         st == PK_OK ? "" : ": ", st == PK_OK ? "" : err.message);
  CHECK(st == PK_OK, "exact path: %s at t = %g h: %s", pk_status_str(st), err.t_h, err.message);
  CHECK(took < 5.0, "the exact path took %.2f s, expected well under 5 s", took);
  double tol = 0.0, t_prev = 0.0;
  for (size_t i = 0; t && i < pk_trajectory_rows(t); i++) {
    double th = pk_trajectory_get(t, i, 0), C, ce;
    /* tol over [t_prev, th] by Simpson on the closed-form E */
    if (th > t_prev) {
      int np = 400;
      double h = (th - t_prev) / np, acc = 0.0;
      for (int j = 0; j <= np; j++) {
        double s = t_prev + j * h, w = (j == 0 || j == np) ? 1.0 : (j % 2 ? 4.0 : 2.0);
        acc += w * exp(-k_tol * (th - s)) * response(s);
      }
      tol = exp(-k_tol * (th - t_prev)) * tol + k_tol * acc * h / 3.0;
      t_prev = th;
    }
    closed_form(th, &C, &ce);
    double rel = 1e-9 + 3.0 * DBL_EPSILON * (CL / V) * fmax(0.0, th - dose_t[0]);
    char what[96];
    snprintf(what, sizeof what, "C_lig at t = %g h", th);
    CHECK_CLOSE(unit_get(t, i, "C_lig"), C, rel, 1e-30, what);
    snprintf(what, sizeof what, "ce_lig at t = %g h", th);
    CHECK_CLOSE(unit_get(t, i, "ce_lig"), ce, rel, 1e-30, what);
    snprintf(what, sizeof what, "E at t = %g h", th);
    CHECK_CLOSE(unit_get(t, i, "E"), response(th), rel, 1e-30, what);
    snprintf(what, sizeof what, "tol at t = %g h", th);
    CHECK_CLOSE(unit_get(t, i, "tol"), tol, rel, 1e-30, what);
  }
  if (t) {
    size_t last = pk_trajectory_rows(t) - 1;
    printf("at 24 h: C_lig %.6g nM, ce_lig %.6g nM, E %.6g, tol %.6g\n",
           unit_get(t, last, "C_lig"), unit_get(t, last, "ce_lig"), unit_get(t, last, "E"),
           unit_get(t, last, "tol"));
  }
  pk_trajectory_free(t);
  t = NULL;
  /* beyond the exact path's largest rate */
  p.V_L = 1e-6;
  CHECK(pk_model_set_compound(m, 0, &p, &err) == PK_OK, "V 1e-6 L: %s", err.message);
  t0 = now_s();
  st = pk_simulate(m, r, &o, &t, &err);
  took = now_s() - t0;
  printf("V 1e-6 L, CL 1e9 L/h: %s in %.3f s: at t = %g h: %s\n", pk_status_str(st), took,
         err.t_h, err.message);
  CHECK(st == PK_ERR_SOLVER && t == NULL && took < 5.0 && isfinite(err.t_h),
        "rate 1e15 1/h: %s after %.2f s, expected PK_ERR_SOLVER at once", pk_status_str(st),
        took);
  CHECK(strstr(err.message, "the fastest rate of the model, 1e+15 1/h") != NULL &&
            strstr(err.message, "the central amount of compound 'lig'") != NULL,
        "the message '%s' names neither the rate nor the state", err.message);
  pk_trajectory_free(t);
  pk_regimen_free(r);
  pk_model_free(m);
  return test_finish("unit_exact_stiff_clearance_bounded_time_closed_form");
}
