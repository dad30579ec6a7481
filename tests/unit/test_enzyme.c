/* test_enzyme.c - enzymes with a turnover and mechanism-based inactivation
 * (pk/model.h) against independent numbers:
 *  1. kinact 0: the activity stays 1 and the enzyme model is the linear
 *     model with the same clearance and formation, which the exact path
 *     (matrix exponential, a second solver) computes: agreement to 1e-7.
 *  2. A constant infusion to steady state: the fixed point
 *     a = kdeg / (kdeg + kinact c / (KI + c)), c = fu C, C = R / CL(a),
 *     solved here by bisection, against the simulation at 2000 h (1e-6).
 *  3. Mass balance: with amount columns, every umol dosed is in a depot,
 *     a compartment or an eliminated amount of the parent or the
 *     metabolite, at every output time (1e-9 of the dose).
 *  4. Recovery: after the inhibitor is gone the activity returns as
 *     1 - (1 - a0) e^{-kdeg t} (1e-6).
 *  5. The periodic steady state (Newton shooting) equals 400 days of
 *     explicit daily dosing (1e-6), and the stiff solver (msbdf, which uses
 *     the Jacobian with the enzyme terms) agrees with rk8pd (1e-5).
 *  6. The inlet concentration: an oral dose inactivates more than the same
 *     dose given intravenously, and without a hepatic blood flow both act
 *     alike on the plasma concentration.
 * Each check runs on both solver paths: the ODE path (rk8pd) and the exact
 * path (the coupled step of exact.c: the linear part exact, the fluxes and
 * activities by Gauss collocation).
 *  7. Strong, fast inactivation (kinact 30/h, KI 20 nM, all of the parent
 *     unbound, repeated large doses): the activity falls by most of its
 *     value within an hour, the collocation rounds contract slowly and
 *     steps halve; the exact path still agrees with rk8pd at rtol 1e-12 to
 *     1e-8 in every column (relative to the column's largest value), so its
 *     convergence test does not stop early. */
#include <math.h>
#include <string.h>
#include "check.h"
#include "pk/pk.h"

static const double KDEG = 0.02, KI = 500.0, KINACT = 0.5, FU = 0.2;
static const double CL = 60.0, V = 100.0, F_ENZ = 0.75, FM = 0.3;

/* parent (one compartment, absorbed at ka) cleared partly by the enzyme,
 * forming a metabolite through it; inactivation by the parent (KI nM,
 * kinact 1/h, unbound fraction fu, hepatic flow Qh for the inlet drive) */
static pk_model *model_with(double ka, double KI_nM, double kinact, double fu, double Qh,
                            int with_enzyme) {
  pk_model *m = pk_model_new();
  pk_error err;
  pk_compound_params p = pk_compound_params_default(), q = pk_compound_params_default();
  snprintf(p.id, sizeof p.id, "par");
  snprintf(p.name, sizeof p.name, "parent");
  p.mw_g_per_mol = 400, p.ka_per_h = ka, p.V_L = V, p.CL_L_per_h = CL;
  snprintf(q.id, sizeof q.id, "met");
  snprintf(q.name, sizeof q.name, "metabolite");
  q.mw_g_per_mol = 400, q.ka_per_h = 1.0, q.V_L = 50, q.CL_L_per_h = 40;
  int e = -1, a = -1, b = -1, ok = 1;
  ok &= pk_model_add_compound(m, &p, &a, &err) == PK_OK;
  ok &= pk_model_add_compound(m, &q, &b, &err) == PK_OK;
  ok &= pk_model_add_conversion(m, a, b, FM, 0.0, &err) == PK_OK;
  if (with_enzyme) {
    ok &= pk_model_add_enzyme(m, "e1", "enzyme one", KDEG, &e, &err) == PK_OK;
    ok &= pk_model_set_enzyme_clearance(m, a, e, F_ENZ, &err) == PK_OK;
    ok &= pk_model_set_conversion_enzyme(m, a, b, e, &err) == PK_OK;
    ok &= pk_model_set_enzyme_inactivation(m, a, e, KI_nM, kinact, fu, Qh, &err) == PK_OK;
  }
  CHECK(ok, "building the model: %s", err.message);
  return m;
}

/* the model of checks 1-6: ka 1.5 1/h, KI, FU */
static pk_model *model(double kinact, double Qh, int with_enzyme) {
  return model_with(1.5, KI, kinact, FU, Qh, with_enzyme);
}

/* the path under test (main runs every check on each) */
static pk_solver SOLVER = PK_SOLVER_ODE;

/* o's solver unless it names one: the path under test */
static pk_trajectory *run(const pk_model *m, const pk_regimen *r, pk_sim_options o) {
  pk_trajectory *t = NULL;
  pk_error err;
  if (o.solver == PK_SOLVER_AUTO) o.solver = SOLVER;
  pk_status st = pk_simulate(m, r, &o, &t, &err);
  CHECK(st == PK_OK, "simulate (%s path): %s", pk_solver_name(o.solver), err.message);
  return t;
}

static double col(const pk_trajectory *t, size_t row, const char *name) {
  int j = pk_trajectory_column_index(t, name);
  return j < 0 ? NAN : pk_trajectory_get(t, row, (size_t)j);
}

static void no_inactivation_is_linear(void) {
  pk_model *me = model(0.0, 0.0, 1), *ml = model(0.0, 0.0, 0);
  pk_regimen *r = pk_regimen_new();
  pk_error err;
  for (int d = 0; d < 5; d++) pk_regimen_add_dose(r, 0, PK_ROUTE_ORAL, 12.0 * d, 40.0, &err);
  pk_sim_options o = pk_sim_options_default();
  o.t_end_h = 96, o.output_step_h = 0.5, o.rtol = 1e-11, o.atol = 1e-14;
  pk_trajectory *a = run(me, r, o);
  o.solver = PK_SOLVER_EXACT; /* the linear model: matrix exponentials only */
  pk_trajectory *b = run(ml, r, o);
  double worst = 0.0;
  for (size_t i = 0; a && b && i < pk_trajectory_rows(a); i++) {
    for (int k = 0; k < 2; k++) {
      const char *c = k ? "C_met" : "C_par";
      double x = col(a, i, c), y = col(b, i, c);
      worst = fmax(worst, fabs(x - y) / fmax(fabs(y), 1e-6));
    }
    CHECK_CLOSE(col(a, i, "act_e1"), 1.0, 0, 1e-12, "activity without inactivation");
  }
  CHECK(worst <= 1e-7, "enzyme model with kinact 0 vs the linear model (exact path): %.3g",
        worst);
  pk_trajectory_free(a), pk_trajectory_free(b);
  pk_regimen_free(r), pk_model_free(me), pk_model_free(ml);
}

/* the steady state of an infusion of R umol/h, by bisection on a */
static void infusion_fixed_point(double R, double *a_out, double *C_out) {
  double lo = 0.0, hi = 1.0;
  for (int it = 0; it < 200; it++) {
    double a = 0.5 * (lo + hi);
    double C = 1000.0 * R / (CL * (1.0 - F_ENZ + F_ENZ * a)); /* nM */
    double c = FU * C;
    double a_of = KDEG / (KDEG + KINACT * c / (KI + c));
    if (a_of > a) lo = a;
    else hi = a;
  }
  *a_out = 0.5 * (lo + hi);
  *C_out = 1000.0 * R / (CL * (1.0 - F_ENZ + F_ENZ * *a_out));
}

static void infusion_steady_state(void) {
  pk_model *m = model(KINACT, 0.0, 1);
  pk_regimen *r = pk_regimen_new();
  pk_error err;
  double rate_mg_h = 20.0, R = rate_mg_h / 400.0 * 1000.0; /* umol/h */
  pk_dose d = pk_dose_default();
  d.compound = 0, d.route = PK_ROUTE_IV, d.t_h = 0, d.amount_mg = rate_mg_h * 3000.0;
  d.duration_h = 3000.0;
  CHECK(pk_regimen_add(r, &d, &err) == PK_OK, "infusion: %s", err.message);
  pk_sim_options o = pk_sim_options_default();
  o.t_end_h = 2000, o.output_step_h = 100, o.rtol = 1e-11, o.atol = 1e-14;
  pk_trajectory *t = run(m, r, o);
  double a, C;
  infusion_fixed_point(R, &a, &C);
  size_t last = t ? pk_trajectory_rows(t) - 1 : 0;
  CHECK(a < 0.5, "the test's infusion inhibits strongly (a = %g)", a);
  CHECK_CLOSE(col(t, last, "act_e1"), a, 1e-6, 0, "activity at steady state");
  CHECK_CLOSE(col(t, last, "C_par"), C, 1e-6, 0, "parent concentration at steady state");
  /* metabolite: formation FM CL a C = CL_met C_met */
  CHECK_CLOSE(col(t, last, "C_met"), FM * CL * a * C / 40.0, 1e-6, 0,
              "metabolite concentration at steady state");
  pk_trajectory_free(t), pk_regimen_free(r), pk_model_free(m);
}

static void mass_balance(void) {
  pk_model *m = model(KINACT, 90.0, 1);
  pk_regimen *r = pk_regimen_new();
  pk_error err;
  for (int k = 0; k < 6; k++) pk_regimen_add_dose(r, 0, PK_ROUTE_ORAL, 8.0 * k, 100.0, &err);
  pk_sim_options o = pk_sim_options_default();
  o.t_end_h = 120, o.output_step_h = 1, o.rtol = 1e-11, o.atol = 1e-14, o.include_amounts = 1;
  pk_trajectory *t = run(m, r, o);
  double worst = 0.0;
  for (size_t i = 0; t && i < pk_trajectory_rows(t); i++) {
    double th = pk_trajectory_get(t, i, 0), dosed = 0.0;
    for (int k = 0; k < 6; k++) dosed += 8.0 * k <= th + 1e-9 ? 100.0 / 400.0 * 1000.0 : 0.0;
    double sum = 0.0;
    for (size_t j = 0; j < pk_trajectory_cols(t); j++)
      if (strncmp(pk_trajectory_column_name(t, j), "A_", 2) == 0) sum += pk_trajectory_get(t, i, j);
    worst = fmax(worst, fabs(sum - dosed) / 1500.0);
  }
  CHECK(worst <= 1e-9, "amounts in the system and eliminated vs dosed: worst %.3g of the doses",
        worst);
  pk_trajectory_free(t), pk_regimen_free(r), pk_model_free(m);
}

/* one dose of mg at 0 h, output every step_h to end_h */
static pk_trajectory *one_dose(const pk_model *m, pk_route route, double mg, double end_h,
                               double step_h) {
  pk_regimen *r = pk_regimen_new();
  pk_error err;
  pk_regimen_add_dose(r, 0, route, 0.0, mg, &err);
  pk_sim_options o = pk_sim_options_default();
  o.t_end_h = end_h, o.output_step_h = step_h, o.rtol = 1e-12, o.atol = 1e-15;
  pk_trajectory *t = run(m, r, o);
  pk_regimen_free(r);
  return t;
}

static void recovery(void) {
  pk_model *m = model(KINACT, 0.0, 1);
  pk_trajectory *t = one_dose(m, PK_ROUTE_IV, 400.0, 400, 10);
  /* the parent (half-life ln 2 V / CL(a) < 4.6 h) is gone by 100 h: from
   * there c / (KI + c) is below 1e-8 and the activity recovers freely */
  size_t i0 = 10, i1 = pk_trajectory_rows(t) - 1;
  double a0 = col(t, i0, "act_e1"), t0 = pk_trajectory_get(t, i0, 0);
  CHECK(a0 < 0.99 && col(t, i0, "C_par") < 1e-5, "inhibited at 100 h (a %g), parent gone (%g nM)",
        a0, col(t, i0, "C_par"));
  for (size_t i = i0; t && i <= i1; i++) {
    double th = pk_trajectory_get(t, i, 0);
    CHECK_CLOSE(col(t, i, "act_e1"), 1.0 - (1.0 - a0) * exp(-KDEG * (th - t0)), 1e-6, 0,
                "recovery of the activity");
  }
  pk_trajectory_free(t), pk_model_free(m);
}

static void periodic_state_and_stiff_solver(void) {
  pk_model *m = model(KINACT, 90.0, 1);
  pk_error err;
  pk_regimen *hist = pk_regimen_new(), *day = pk_regimen_new(), *long_run = pk_regimen_new();
  pk_regimen_add_dose(hist, 0, PK_ROUTE_ORAL, 2.0, 60.0, &err);
  pk_regimen_add_dose(day, 0, PK_ROUTE_ORAL, 2.0, 60.0, &err);
  for (int d = 0; d < 400; d++) pk_regimen_add_dose(long_run, 0, PK_ROUTE_ORAL, 24.0 * d + 2.0, 60.0, &err);
  pk_sim_options o = pk_sim_options_default();
  o.rtol = 1e-11, o.atol = 1e-14, o.output_step_h = 1;
  pk_sim_options ss = o;
  ss.steady_state = hist, ss.steady_state_period_h = 24.0, ss.t_end_h = 24;
  /* from the periodic state at phase 0 (t = 0), one more period with its
   * dose at 2 h, against the 400th day of the explicit run */
  pk_trajectory *a = run(m, day, ss);
  pk_sim_options lo = o;
  lo.t_start_h = 0, lo.output_start_h = 24.0 * 399, lo.t_end_h = 24.0 * 400;
  pk_trajectory *b = run(m, long_run, lo);
  double worst = 0.0;
  const char *cols[] = {"C_par", "C_met", "act_e1"};
  for (size_t i = 0; a && b && i < pk_trajectory_rows(a); i++)
    for (int k = 0; k < 3; k++) {
      double x = col(a, i, cols[k]), y = col(b, i, cols[k]);
      worst = fmax(worst, fabs(x - y) / fmax(fabs(y), 1e-3));
    }
  CHECK(a && b && pk_trajectory_rows(a) == pk_trajectory_rows(b) && worst <= 1e-6,
        "periodic state (Newton) vs 400 days of explicit dosing: %.3g", worst);
  CHECK(a && col(a, 0, "act_e1") < 0.9, "the history inhibits (a = %g)", col(a, 0, "act_e1"));
  pk_sim_options st = lo;
  st.method = PK_ODE_MSBDF, st.solver = PK_SOLVER_ODE;
  pk_trajectory *c = run(m, long_run, st);
  worst = 0.0;
  for (size_t i = 0; b && c && i < pk_trajectory_rows(b); i++)
    for (int k = 0; k < 3; k++) {
      double x = col(c, i, cols[k]), y = col(b, i, cols[k]);
      worst = fmax(worst, fabs(x - y) / fmax(fabs(y), 1e-3));
    }
  CHECK(worst <= 1e-5, "msbdf (Jacobian with the enzyme terms) vs rk8pd: %.3g", worst);
  pk_trajectory_free(a), pk_trajectory_free(b), pk_trajectory_free(c);
  pk_regimen_free(hist), pk_regimen_free(day), pk_regimen_free(long_run);
  pk_model_free(m);
}

static double lowest_activity(const pk_model *m, pk_route route) {
  pk_trajectory *t = one_dose(m, route, 200.0, 48, 0.25);
  double low = 1.0;
  for (size_t i = 0; t && i < pk_trajectory_rows(t); i++) low = fmin(low, col(t, i, "act_e1"));
  pk_trajectory_free(t);
  return low;
}

static void inlet_concentration(void) {
  pk_model *inlet = model(KINACT, 90.0, 1), *plasma = model(KINACT, 0.0, 1);
  double oral_in = lowest_activity(inlet, PK_ROUTE_ORAL), iv_in = lowest_activity(inlet, PK_ROUTE_IV);
  double oral_pl = lowest_activity(plasma, PK_ROUTE_ORAL);
  CHECK(oral_in < oral_pl - 0.01, "oral dose, inlet vs plasma drive: activity %g vs %g",
        oral_in, oral_pl);
  /* an intravenous dose has no absorption: the inlet and the plasma drive agree */
  double iv_pl = lowest_activity(plasma, PK_ROUTE_IV);
  CHECK_CLOSE(iv_in, iv_pl, 1e-9, 0, "intravenous dose, inlet vs plasma drive");
  pk_model_free(inlet), pk_model_free(plasma);
}

static void strong_inactivation_paths_agree(void) {
  pk_model *m = model_with(3.0, 20.0, 30.0, 1.0, 0.0, 1);
  pk_error err;
  pk_regimen *r = pk_regimen_new();
  for (int k = 0; k < 4; k++) pk_regimen_add_dose(r, 0, PK_ROUTE_ORAL, 24.0 * k, 400.0, &err);
  pk_sim_options o = pk_sim_options_default();
  o.t_end_h = 120, o.output_step_h = 1, o.rtol = 1e-12, o.atol = 1e-16;
  o.solver = PK_SOLVER_ODE;
  pk_trajectory *ode = run(m, r, o);
  o.solver = PK_SOLVER_EXACT;
  pk_trajectory *ex = run(m, r, o);
  double worst = 0.0, lowest = 1.0;
  const char *worst_col = "";
  if (ode && ex && pk_trajectory_rows(ode) == pk_trajectory_rows(ex)) {
    for (size_t j = 1; j < pk_trajectory_cols(ode); j++) {
      double big = 0.0;
      for (size_t i = 0; i < pk_trajectory_rows(ode); i++)
        big = fmax(big, fabs(pk_trajectory_get(ode, i, j)));
      for (size_t i = 0; big > 0 && i < pk_trajectory_rows(ode); i++) {
        double d = fabs(pk_trajectory_get(ex, i, j) - pk_trajectory_get(ode, i, j)) / big;
        if (d > worst) worst = d, worst_col = pk_trajectory_column_name(ode, j);
      }
    }
    for (size_t i = 0; i < pk_trajectory_rows(ode); i++) lowest = fmin(lowest, col(ode, i, "act_e1"));
  } else {
    worst = INFINITY;
  }
  CHECK(lowest < 0.2, "the doses inactivate strongly (lowest activity %g)", lowest);
  CHECK(worst <= 1e-8, "strong inactivation: exact vs rk8pd at rtol 1e-12: %.3g (%s)", worst,
        worst_col);
  printf("strong inactivation (lowest activity %.3g): exact vs rk8pd %.2e\n", lowest, worst);
  pk_trajectory_free(ode), pk_trajectory_free(ex), pk_regimen_free(r), pk_model_free(m);
}

int main(void) {
  test_init();
  const pk_solver paths[] = {PK_SOLVER_ODE, PK_SOLVER_EXACT};
  for (int k = 0; k < 2; k++) {
    SOLVER = paths[k];
    printf("%s path:\n", pk_solver_name(SOLVER));
    no_inactivation_is_linear();
    infusion_steady_state();
    mass_balance();
    recovery();
    periodic_state_and_stiff_solver();
    inlet_concentration();
  }
  strong_inactivation_paths_agree();
  return test_finish("unit_enzyme_turnover_and_inactivation");
}
