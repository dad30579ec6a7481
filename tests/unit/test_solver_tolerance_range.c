/* test_solver_tolerance_range.c - the ODE path's tolerances outside
 * [PK_RTOL_MIN, PK_RTOL_MAX] = [1e-14, 1e-2] (rtol) and (0, PK_ATOL_MAX] =
 * (0, 1e-6] (atol) are refused by pk_simulate and by pk_batch_new with
 * PK_ERR_INVALID and a message naming the tolerance and its range, before
 * any integration; at the loosest allowed ones the answer is still an
 * answer.
 *
 * Model: one compound, MW 300 g/mol, ka 1.2 /h, V 40 L, CL 8 L/h (ke 0.2
 * /h), 50 mg oral at t = 0, output every hour to 24 h. Refused: atol 1e308
 * and rtol 0.99 (the settings that once wrote concentrations of -1e11 to
 * -3.7e268 nM with exit status 0), rtol 1e-15, rtol 0.02, atol 0, atol 2e-6,
 * NaN for either. Accepted: rtol 1e-2 with atol 1e-6 (both at their bound),
 * with each stepper, where C(t) must match the closed form
 * C = 1000 D/MW ka / (V (ka - ke)) (e^{-ke t} - e^{-ka t}) nM to 5 % of its
 * peak (rtol 1e-2 is a per-step bound: a few times it over 24 h) and stay
 * >= -1e-4 nM (100 atol times 1000 / V); and rtol 1e-14, the tightest, to
 * 1e-9 relative. */
#include <string.h>
#include "unit_helpers.h"

static const double mw = 300.0, ka = 1.2, V = 40.0, CL = 8.0, dose_mg = 50.0;

static double closed_form(double t) {
  double ke = CL / V;
  return 1000.0 * unit_umol(dose_mg, mw) / V * ka / (ka - ke) * (exp(-ke * t) - exp(-ka * t));
}

static void refused(const pk_model *m, const pk_regimen *r, double rtol, double atol,
                    const char *why) {
  pk_sim_options o = unit_options(24.0, 1.0);
  o.solver = PK_SOLVER_ODE;
  o.rtol = rtol;
  o.atol = atol;
  pk_error err;
  pk_trajectory *t = NULL;
  pk_status st = pk_simulate(m, r, &o, &t, &err);
  printf("rtol %g, atol %g: %s: %s\n", rtol, atol, pk_status_str(st), err.message);
  CHECK(st == PK_ERR_INVALID && t == NULL,
        "rtol %g, atol %g: pk_simulate returned %s, expected PK_ERR_INVALID", rtol, atol,
        pk_status_str(st));
  CHECK(strstr(err.message, why) != NULL, "rtol %g, atol %g: message '%s' lacks '%s'", rtol,
        atol, err.message, why);
  pk_trajectory_free(t);
  /* a batch checks the same options (it simulates its typical subject) */
  pk_batch_spec spec = pk_batch_spec_default();
  spec.model = m;
  spec.regimen = r;
  spec.options = o;
  spec.n_subjects = 2;
  pk_batch *b = NULL;
  st = pk_batch_new(&spec, &b, &err);
  CHECK(st == PK_ERR_INVALID && b == NULL && strstr(err.message, why) != NULL,
        "rtol %g, atol %g: pk_batch_new returned %s (%s), expected PK_ERR_INVALID", rtol, atol,
        pk_status_str(st), err.message);
  pk_batch_free(b);
}

static void accepted(const pk_model *m, const pk_regimen *r, pk_ode_method method, double rtol,
                     double atol, double rel, double abs_floor) {
  pk_sim_options o = unit_options(24.0, 1.0);
  o.solver = PK_SOLVER_ODE;
  o.method = method;
  o.rtol = rtol;
  o.atol = atol;
  pk_trajectory *t = unit_simulate(m, r, &o);
  if (!t) return;
  for (size_t i = 0; i < pk_trajectory_rows(t); i++) {
    double th = pk_trajectory_get(t, i, 0), c = unit_get(t, i, "C_d");
    char what[128];
    snprintf(what, sizeof what, "%s rtol %g atol %g: C_d at t = %g h",
             pk_ode_method_name(method), rtol, atol, th);
    CHECK_CLOSE(c, closed_form(th), rel, abs_floor, what);
    CHECK(c >= -100.0 * atol * 1000.0 / V, "%s: negative beyond 100 atol: %g", what, c);
  }
  pk_trajectory_free(t);
}

int main(void) {
  test_init();
  pk_model *m = pk_model_new();
  pk_regimen *r = pk_regimen_new();
  CHECK(m && r, "out of memory");
  if (!m || !r) return test_finish("unit_solver_tolerance_outside_range_refused");
  pk_compound_params p = unit_compound("d", mw, ka, V, CL);
  unit_add(m, &p);
  unit_dose(r, 0, PK_ROUTE_ORAL, 0.0, dose_mg);

  const char *rt = "relative tolerance rtol must be in [1e-14, 0.01]";
  const char *at = "absolute tolerance atol must be in (0, 1e-06]";
  refused(m, r, 1e-10, 1e308, at);
  refused(m, r, 0.99, 1e-12, rt);
  refused(m, r, 1e-15, 1e-12, rt);
  refused(m, r, 0.02, 1e-12, rt);
  refused(m, r, 1e-10, 0.0, at);
  refused(m, r, 1e-10, 2e-6, at);
  refused(m, r, NAN, 1e-12, rt);
  refused(m, r, 1e-10, NAN, at);

  double peak = 0.0;
  for (int i = 0; i <= 240; i++) peak = fmax(peak, closed_form(0.1 * i));
  accepted(m, r, PK_ODE_RK8PD, 1e-2, 1e-6, 0.0, 0.05 * peak);
  accepted(m, r, PK_ODE_RKF45, 1e-2, 1e-6, 0.0, 0.05 * peak);
  accepted(m, r, PK_ODE_MSBDF, 1e-2, 1e-6, 0.0, 0.05 * peak);
  accepted(m, r, PK_ODE_RK8PD, 1e-14, 1e-15, 1e-9, 1e-12);

  pk_regimen_free(r);
  pk_model_free(m);
  return test_finish("unit_solver_tolerance_outside_range_refused");
}
