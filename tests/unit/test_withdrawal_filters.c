/* test_withdrawal_filters.c - pharmacodynamics version 2: the filters of
 * the adaptation mismatch d = tol - E,
 *   wx' = k_wx (d - wx),  wf' = k_wf (d - wf),
 * and W = max(0, beta (d - wf) + (1 - beta) wx), against independent
 * solutions, on both solver paths (exact and ODE).
 *
 * 1. A ligand with CL = 0 given IV at t = 0 has E(s) in closed form (see
 *    test_adaptation.c). tol, wx and wf are integrated here by classical
 *    fourth-order Runge-Kutta with steps of 1/1024 h driven by that E (error
 *    of order 1e-14): an independent method, not the library's
 *    variation-of-constants formulas or its quadrature. The first run has
 *    tol0 = 0.5 above the rising E, so W is positive for a while.
 * 2. An antagonist only (E = 0) from tol0: tol = tol0 e^{-k1 t} and, in
 *    closed form, m(t) = tol0 k (e^{-k1 t} - e^{-k t}) / (k - k1) for each
 *    filter (k = k_wx, k_wf); with k_wx = k_tol, wx = tol0 k1 t e^{-k1 t}.
 * 3. W and net against tol, E, wx and wf of the same row.
 * Tolerances: 1e-8 relative to the scale of E and tol (1) plus 1e-12. */
#include "unit_helpers.h"

static const double mw = 400.0, V = 50.0, dose_mg = 5.0, tol_rel = 1e-8, tol_abs = 1e-12;

typedef struct pd {
  double ke0, fu, K, tau, k_tol, k_wx, k_wf, beta, tol0;
} pd;

static double E_at(const pd *p, double s) {
  double x = p->fu * 1000.0 * unit_umol(dose_mg, mw) / V * -expm1(-p->ke0 * s) / p->K;
  return p->tau * x / (1.0 + (1.0 + p->tau) * x);
}

static void deriv(const pd *p, double s, const double *y, double *dy) {
  double E = E_at(p, s), d = y[0] - E;
  dy[0] = p->k_tol * (E - y[0]);
  dy[1] = p->k_wx * (d - y[1]);
  dy[2] = p->k_wf * (d - y[2]);
}

/* y = (tol, wx, wf) at t by RK4 from (tol0, 0, 0) at 0. */
static void rk4(const pd *p, double t, double *y) {
  y[0] = p->tol0, y[1] = y[2] = 0.0;
  int n = (int)ceil(t * 1024.0);
  double h = n ? t / n : 0, k1[3], k2[3], k3[3], k4[3], yt[3];
  for (int i = 0; i < n; i++) {
    double s = i * h;
    deriv(p, s, y, k1);
    for (int j = 0; j < 3; j++) yt[j] = y[j] + 0.5 * h * k1[j];
    deriv(p, s + 0.5 * h, yt, k2);
    for (int j = 0; j < 3; j++) yt[j] = y[j] + 0.5 * h * k2[j];
    deriv(p, s + 0.5 * h, yt, k3);
    for (int j = 0; j < 3; j++) yt[j] = y[j] + h * k3[j];
    deriv(p, s + h, yt, k4);
    for (int j = 0; j < 3; j++) y[j] += h / 6.0 * (k1[j] + 2 * k2[j] + 2 * k3[j] + k4[j]);
  }
}

static pk_trajectory *simulate(const pd *p, pk_solver solver, double t_end) {
  pk_model *m = pk_model_new();
  pk_regimen *r = pk_regimen_new();
  pk_compound_params c = unit_compound("lig", mw, 1.0, V, 0.0);
  unit_ligand(&c, p->ke0, p->fu, p->K, p->tau);
  int i = unit_add(m, &c);
  pk_error err;
  CHECK(pk_model_set_adaptation(m, p->k_tol, &err) == PK_OK, "k_tol: %s", err.message);
  CHECK(pk_model_set_withdrawal(m, p->k_wx, p->k_wf, p->beta, 0.01, &err) == PK_OK,
        "withdrawal: %s", err.message);
  unit_dose(r, i, PK_ROUTE_IV, 0.0, dose_mg);
  pk_sim_options o = unit_options(t_end, 0.5);
  o.tol0 = p->tol0;
  o.solver = solver;
  pk_trajectory *t = unit_simulate(m, r, &o);
  pk_regimen_free(r);
  pk_model_free(m);
  return t;
}

static void check_row(const pk_trajectory *t, size_t i, const pd *p, const double *want,
                      const char *label) {
  double time = unit_get(t, i, "time_h"), E = unit_get(t, i, "E"), tol = unit_get(t, i, "tol");
  double wx = unit_get(t, i, "wx"), wf = unit_get(t, i, "wf");
  static const char *const name[] = {"tol", "wx", "wf"};
  double got[3] = {tol, wx, wf};
  char what[200];
  for (int j = 0; j < 3; j++) {
    snprintf(what, sizeof what, "%s: %s at t = %g h", label, name[j], time);
    CHECK_CLOSE(got[j], want[j], 0, tol_rel + tol_abs, what);
  }
  double w = fmax(0.0, p->beta * (tol - E - wf) + (1 - p->beta) * wx);
  snprintf(what, sizeof what, "%s: W = max(0, beta (tol - E - wf) + (1 - beta) wx) at t = %g h",
           label, time);
  CHECK_CLOSE(unit_get(t, i, "W"), w, 0, 1e-14, what);
  snprintf(what, sizeof what, "%s: net = E - tol at t = %g h", label, time);
  CHECK_CLOSE(unit_get(t, i, "net"), E - tol, 0, 1e-14, what);
}

static void against_rk4(pk_solver solver, const char *label) {
  const pd p = {.ke0 = 2.0, .fu = 0.6, .K = 100.0, .tau = 4.0, .k_tol = 0.05, .k_wx = 0.08,
                .k_wf = 1.5, .beta = 0.3, .tol0 = 0.5};
  pk_trajectory *t = simulate(&p, solver, 48.0);
  int positive = 0;
  for (size_t i = 0; t && i < pk_trajectory_rows(t); i++) {
    double want[3];
    rk4(&p, unit_get(t, i, "time_h"), want);
    check_row(t, i, &p, want, label);
    positive += unit_get(t, i, "W") > 0;
  }
  CHECK(positive > 0, "%s: W never positive: the case does not test the withdrawal side", label);
  pk_trajectory_free(t);
}

static double filter_closed_form(double tol0, double k1, double k, double t) {
  if (k == k1) return tol0 * k1 * t * exp(-k1 * t);
  return tol0 * k * (exp(-k1 * t) - exp(-k * t)) / (k - k1);
}

static void antagonist(pk_solver solver, double k_wx, const char *label) {
  const pd p = {.ke0 = 2.0, .fu = 1.0, .K = 10.0, .tau = 0.0, .k_tol = 0.04, .k_wx = k_wx,
                .k_wf = 1.2, .beta = 0.25, .tol0 = 0.7};
  pk_trajectory *t = simulate(&p, solver, 72.0);
  for (size_t i = 0; t && i < pk_trajectory_rows(t); i++) {
    double s = unit_get(t, i, "time_h");
    double want[3] = {p.tol0 * exp(-p.k_tol * s), filter_closed_form(p.tol0, p.k_tol, k_wx, s),
                      filter_closed_form(p.tol0, p.k_tol, p.k_wf, s)};
    CHECK(unit_get(t, i, "E") == 0.0, "%s: E = %g", label, unit_get(t, i, "E"));
    check_row(t, i, &p, want, label);
  }
  pk_trajectory_free(t);
}

int main(void) {
  test_init();
  against_rk4(PK_SOLVER_EXACT, "exact path, rising E from tol0 0.5");
  against_rk4(PK_SOLVER_ODE, "ODE path, rising E from tol0 0.5");
  antagonist(PK_SOLVER_EXACT, 0.09, "exact path, antagonist");
  antagonist(PK_SOLVER_ODE, 0.09, "ODE path, antagonist");
  antagonist(PK_SOLVER_EXACT, 0.04, "exact path, antagonist, k_wx = k_tol");
  antagonist(PK_SOLVER_ODE, 0.04, "ODE path, antagonist, k_wx = k_tol");
  /* the setter's ranges */
  pk_model *m = pk_model_new();
  pk_error err;
  CHECK(pk_model_set_withdrawal(m, 0.05, 0.0, 0.3, 0.01, &err) == PK_ERR_RANGE &&
            strstr(err.message, "k_wf"),
        "k_wf 0 is refused: %s", err.message);
  CHECK(pk_model_set_withdrawal(m, 0.05, 1.0, 1.5, 0.01, &err) == PK_ERR_RANGE,
        "an immediate share above 1 is refused");
  CHECK(pk_model_set_withdrawal(m, 0.05, 1.0, 0.3, -0.1, &err) == PK_ERR_RANGE,
        "a negative threshold is refused");
  double kwx = 0, kwf = 0, b = 0, thr = 0;
  CHECK(pk_model_set_withdrawal(m, 0.05, 1.0, 0.3, 0.01, &err) == PK_OK &&
            pk_model_withdrawal(m, &kwx, &kwf, &b, &thr) == 1 && kwx == 0.05 && kwf == 1.0 &&
            b == 0.3 && thr == 0.01,
        "the parameters read back");
  CHECK(pk_model_set_withdrawal(m, 0.0, 0.0, 0.0, 0.0, &err) == PK_OK &&
            pk_model_withdrawal(m, NULL, NULL, NULL, NULL) == 0,
        "k_wx 0 selects version 1");
  pk_model_free(m);
  return test_finish("unit_withdrawal_filters");
}
