/* test_zero_order_input.c - zero-order inputs (infusions, slow release)
 * against the closed forms of the one-compartment model, k = CL / V.
 *
 * IV infusion of n umol over d hours from t0 (rate R = n / d into the
 * central compartment; F and lag do not apply to IV): with T = t - t0,
 *   A(t) = R / k (1 - e^{-k T})                        0 <= T <= d
 *   A(t) = A(t0 + d) e^{-k (T - d)}                    T > d
 * and C = 1000 A / V (so C = 1000 R / CL (1 - e^{-kT}) during the input);
 * the eliminated amount is the input so far minus A.
 *
 * Zero-order input into a depot (rate R = F n / d from t0 + lag, absorbed
 * at ka):
 *   D(t) = R / ka (1 - e^{-ka T}),
 *   A(t) = R / k (1 - e^{-k T}) - R (e^{-ka T} - e^{-k T}) / (k - ka)   0 <= T <= d
 * and after the input, with D1, A1 their values at T = d and S = T - d:
 *   D(t) = D1 e^{-ka S},
 *   A(t) = A1 e^{-k S} + ka D1 (e^{-ka S} - e^{-k S}) / (k - ka).
 * Cases: DEPOT route with its own ka, F and lag (overrides); ORAL route
 * given by a rate in mg/h, where F scales the duration (F amount / rate)
 * and not the rate; each on the exact and ODE paths.
 *
 * Tolerances: solver rtol 1e-12, atol 1e-15; C to 1e-8 relative plus
 * 1e-12 nM, amounts to 1e-8 relative plus 1e-12 umol. */
#include "unit_helpers.h"

static const double rel_tol = 1e-8, abs_tol = 1e-12;
static const double mw = 250.0, V = 40.0, CL = 6.0, ka_c = 1.2, F_c = 0.8, lag_c = 0.25;

typedef struct amounts {
  double depot, central, input; /* umol; input: amount delivered so far */
} amounts;

static amounts iv_infusion(double R, double d, double T) {
  double k = CL / V;
  if (T < 0) return (amounts){0, 0, 0};
  if (T <= d) return (amounts){0.0, R / k * -expm1(-k * T), R * T};
  double a1 = R / k * -expm1(-k * d);
  return (amounts){0.0, a1 * exp(-k * (T - d)), R * d};
}

static amounts depot_infusion(double R, double d, double ka, double T) {
  double k = CL / V;
  if (T < 0) return (amounts){0, 0, 0};
  double Tin = fmin(T, d);
  double D = R / ka * -expm1(-ka * Tin);
  double A = R / k * -expm1(-k * Tin) - R * (exp(-ka * Tin) - exp(-k * Tin)) / (k - ka);
  if (T <= d) return (amounts){D, A, R * T};
  double S = T - d;
  double A_after = A * exp(-k * S) + ka * D * (exp(-ka * S) - exp(-k * S)) / (k - ka);
  return (amounts){D * exp(-ka * S), A_after, R * d};
}

typedef enum { CASE_IV, CASE_DEPOT, CASE_ORAL_RATE } case_kind;

static void run_case(case_kind kind, pk_solver solver) {
  static const char *names[3] = {"IV infusion", "DEPOT input with ka, F, lag overrides",
                                 "ORAL input by rate (F scales duration)"};
  char label[160], what[240];
  snprintf(label, sizeof label, "unit_zero_order: %s (%s)", names[kind], pk_solver_name(solver));
  pk_model *m = pk_model_new();
  pk_regimen *r = pk_regimen_new();
  pk_compound_params p = unit_compound("inf", mw, ka_c, V, CL);
  p.F = F_c;
  p.lag_h = lag_c;
  int i = unit_add(m, &p);
  pk_dose dose = pk_dose_default();
  dose.compound = i;
  double t_in = 0.0, R = 0.0, d = 0.0, ka = ka_c;
  switch (kind) {
  case CASE_IV: /* 50 mg over 3 h from 1 h: F and lag of the compound ignored */
    dose.route = PK_ROUTE_IV;
    dose.t_h = 1.0;
    dose.amount_mg = 50.0;
    dose.duration_h = 3.0;
    t_in = 1.0;
    d = 3.0;
    R = unit_umol(50.0, mw) / d;
    break;
  case CASE_DEPOT: /* 30 mg over 4 h from 2 h, ka 2.5, F 0.6, lag 0.5 */
    dose.route = PK_ROUTE_DEPOT;
    dose.t_h = 2.0;
    dose.amount_mg = 30.0;
    dose.duration_h = 4.0;
    dose.ka_per_h = 2.5;
    dose.F = 0.6;
    dose.lag_h = 0.5;
    t_in = 2.5;
    d = 4.0;
    ka = 2.5;
    R = 0.6 * unit_umol(30.0, mw) / d;
    break;
  case CASE_ORAL_RATE: /* 20 mg at 4 mg/h from 0.5 h: F 0.8 -> 4 h at 4 mg/h */
    dose.route = PK_ROUTE_ORAL;
    dose.t_h = 0.5;
    dose.amount_mg = 20.0;
    dose.rate_mg_per_h = 4.0;
    t_in = 0.5 + lag_c;
    d = F_c * 20.0 / 4.0;
    R = unit_umol(4.0, mw);
    break;
  }
  pk_error err;
  CHECK(pk_regimen_add(r, &dose, &err) == PK_OK, "%s: dose: %s", label, err.message);
  pk_sim_options o = unit_options(30.0, 0.125);
  o.solver = solver;
  pk_trajectory *t = unit_simulate(m, r, &o);
  size_t n_during = 0;
  for (size_t k = 0; t && k < pk_trajectory_rows(t); k++) {
    double time = unit_get(t, k, "time_h"), T = time - t_in;
    amounts a = kind == CASE_IV ? iv_infusion(R, d, T) : depot_infusion(R, d, ka, T);
    n_during += T > 0 && T < d;
    snprintf(what, sizeof what, "%s: C_inf at t = %g h", label, time);
    CHECK_CLOSE(unit_get(t, k, "C_inf"), 1000.0 * a.central / V, rel_tol, abs_tol, what);
    snprintf(what, sizeof what, "%s: A_central_inf at t = %g h", label, time);
    CHECK_CLOSE(unit_get(t, k, "A_central_inf"), a.central, rel_tol, abs_tol, what);
    snprintf(what, sizeof what, "%s: A_depot_inf at t = %g h", label, time);
    CHECK_CLOSE(unit_get(t, k, "A_depot_inf"), a.depot, rel_tol, abs_tol, what);
    snprintf(what, sizeof what, "%s: A_elim_inf = input - depot - central at t = %g h", label,
             time);
    CHECK_CLOSE(unit_get(t, k, "A_elim_inf"), a.input - a.depot - a.central, rel_tol,
                rel_tol * a.input + abs_tol, what);
  }
  CHECK(n_during >= 20, "%s: only %zu rows during the input", label, n_during);
  pk_trajectory_free(t);
  pk_regimen_free(r);
  pk_model_free(m);
}

int main(void) {
  test_init();
  const pk_solver solvers[2] = {PK_SOLVER_EXACT, PK_SOLVER_ODE};
  for (int s = 0; s < 2; s++) {
    run_case(CASE_IV, solvers[s]);
    run_case(CASE_DEPOT, solvers[s]);
    run_case(CASE_ORAL_RATE, solvers[s]);
  }
  return test_finish("unit_zero_order_input_closed_form");
}
