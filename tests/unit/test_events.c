/* test_events.c - dose events and input validation.
 *
 * Dose timing is checked on a one-compartment model with k = CL / V, where
 * an IV bolus of n umol at td contributes n e^{-k (t - td)} to the central
 * amount for t >= td. The output row at a dose time must show the state just
 * after the dose. Doses outside [t_start, t_end], an empty regimen and bad
 * compound parameters must be refused with PK_ERR_INVALID.
 *
 * Tolerances: solver rtol 1e-12, atol 1e-15; concentrations to 1e-8
 * relative plus 1e-12 nM. */
#include <stddef.h>
#include "unit_helpers.h"

static const double rel_tol = 1e-8, abs_tol_nM = 1e-12;
static const double mw = 300.0, V = 40.0, CL = 8.0;

/* Expected C (nM) at t for IV boluses (td[d], mg[d]) of the compound above.
 * A dose within 1e-9 h of t counts as given: grid times such as 3 * 0.3 =
 * 0.8999999999999999 stand for the decimal time. */
static double iv_conc(const double *td, const double *mg, int n, double t) {
  double a = 0.0;
  for (int d = 0; d < n; d++)
    if (td[d] <= t + 1e-9) a += unit_umol(mg[d], mw) * exp(-CL / V * fmax(0.0, t - td[d]));
  return 1000.0 * a / V;
}

static pk_model *one_compartment(void) {
  pk_model *m = pk_model_new();
  pk_compound_params p = unit_compound("d", mw, 1.3, V, CL);
  p.F = 0.75;
  p.lag_h = 1.5;
  unit_add(m, &p);
  return m;
}

/* IV boluses at 0 h, two at once at 2 h (on the grid), at 3.3 h (between
 * rows) and at t_end: every row against the sum of decaying boluses. The
 * compound's F (0.75) and lag (1.5 h) must not apply to an IV bolus. */
static void iv_bolus_on_output_times(void) {
  const double td[] = {0.0, 2.0, 2.0, 3.3, 12.0}, mg[] = {10.0, 30.0, 6.0, 12.0, 9.0};
  const int n = 5;
  pk_model *m = one_compartment();
  pk_regimen *r = pk_regimen_new();
  for (int d = 0; d < n; d++) unit_dose(r, 0, PK_ROUTE_IV, td[d], mg[d]);
  pk_sim_options o = unit_options(12.0, 0.5);
  pk_trajectory *t = unit_simulate(m, r, &o);
  size_t rows = pk_trajectory_rows(t);
  CHECK(rows == 25, "unit_events: %zu rows, expected 25", rows);
  for (size_t i = 0; t && i < rows; i++) {
    double time = unit_get(t, i, "time_h");
    char what[128];
    snprintf(what, sizeof what, "unit_events: C_d at t = %g h (state after doses at t)", time);
    CHECK_CLOSE(unit_get(t, i, "C_d"), iv_conc(td, mg, n, time), rel_tol, abs_tol_nM, what);
  }
  pk_trajectory_free(t);
  pk_regimen_free(r);
  pk_model_free(m);
}

/* A single bolus at 2 h, on the grid: the row at 2 h is exactly dose / V
 * (nothing has decayed yet), the row before is 0. */
static void single_bolus_row(void) {
  pk_model *m = one_compartment();
  pk_regimen *r = pk_regimen_new();
  unit_dose(r, 0, PK_ROUTE_IV, 2.0, 30.0);
  pk_sim_options o = unit_options(4.0, 0.5);
  pk_trajectory *t = unit_simulate(m, r, &o);
  CHECK(unit_get(t, 3, "C_d") == 0.0, "unit_events: C at 1.5 h before the 2 h bolus is %g",
        unit_get(t, 3, "C_d"));
  CHECK_CLOSE(unit_get(t, 4, "time_h"), 2.0, 0, 0, "unit_events: row 4 time");
  CHECK_CLOSE(unit_get(t, 4, "C_d"), 1000.0 * unit_umol(30.0, mw) / V, 1e-14, 0,
              "unit_events: C = dose / V in the row at the bolus time 2 h");
  CHECK_CLOSE(unit_get(t, 4, "A_central_d"), unit_umol(30.0, mw), 1e-14, 0,
              "unit_events: central amount = dose in the row at the bolus time 2 h");
  pk_trajectory_free(t);
  pk_regimen_free(r);
  pk_model_free(m);
}

/* Doses at 0.9 h and 5.4 h on a 0.3 h grid whose times are computed as
 * k * 0.3, which falls just short of them (0.8999999999999999): the rows
 * must still show the doses as given. */
static void dose_on_inexact_grid_time(void) {
  const double td[] = {0.0, 0.9, 5.4}, mg[] = {4.0, 20.0, 8.0};
  pk_model *m = one_compartment();
  pk_regimen *r = pk_regimen_new();
  for (int d = 0; d < 3; d++) unit_dose(r, 0, PK_ROUTE_IV, td[d], mg[d]);
  pk_sim_options o = unit_options(9.0, 0.3);
  pk_trajectory *t = unit_simulate(m, r, &o);
  CHECK(t && pk_trajectory_rows(t) == 31, "unit_events: %zu rows on the 0.3 h grid",
        pk_trajectory_rows(t));
  for (size_t i = 0; t && i < pk_trajectory_rows(t); i++) {
    double time = unit_get(t, i, "time_h");
    char what[128];
    snprintf(what, sizeof what, "unit_events: C_d at t = %.17g h on the 0.3 h grid", time);
    CHECK_CLOSE(unit_get(t, i, "C_d"), iv_conc(td, mg, 3, time), rel_tol, abs_tol_nM, what);
  }
  pk_trajectory_free(t);
  pk_regimen_free(r);
  pk_model_free(m);
}

/* An oral dose at 0.5 h with lag 1.5 h arrives at 2 h, on the grid: that row
 * shows the whole F * dose in the depot and nothing absorbed yet. A single
 * IV dose at 0 h with output starting at 5 h shows the decayed amount. */
static void lagged_arrival_and_late_output(void) {
  pk_model *m = one_compartment();
  pk_regimen *r = pk_regimen_new();
  unit_dose(r, 0, PK_ROUTE_ORAL, 0.5, 60.0);
  pk_sim_options o = unit_options(4.0, 0.5);
  pk_trajectory *t = unit_simulate(m, r, &o);
  CHECK_CLOSE(unit_get(t, 4, "time_h"), 2.0, 0, 0, "unit_events: row 4 time");
  CHECK_CLOSE(unit_get(t, 4, "A_depot_d"), 0.75 * unit_umol(60.0, mw), rel_tol, 0,
              "unit_events: depot at the lagged arrival time 2 h");
  CHECK(unit_get(t, 4, "A_central_d") == 0.0 && unit_get(t, 3, "A_depot_d") == 0.0,
        "unit_events: nothing may move before the lagged arrival");
  pk_trajectory_free(t);
  pk_regimen_free(r);
  r = pk_regimen_new();
  const double td[] = {0.0}, mg[] = {25.0};
  unit_dose(r, 0, PK_ROUTE_IV, td[0], mg[0]);
  o.output_start_h = 5.0;
  o.t_end_h = 8.0;
  t = unit_simulate(m, r, &o);
  CHECK(t && pk_trajectory_rows(t) == 7, "unit_events: %zu rows from 5 to 8 h",
        pk_trajectory_rows(t));
  for (size_t i = 0; t && i < pk_trajectory_rows(t); i++)
    CHECK_CLOSE(unit_get(t, i, "C_d"), iv_conc(td, mg, 1, 5.0 + 0.5 * (double)i), rel_tol,
                abs_tol_nM, "unit_events: dose before the output start");
  pk_trajectory_free(t);
  pk_regimen_free(r);
  pk_model_free(m);
}

/* pk_simulate must refuse the regimen with PK_ERR_INVALID and leave no
 * trajectory. */
static void expect_refused(const pk_model *m, const pk_regimen *r, const pk_sim_options *o,
                           const char *what) {
  pk_error err;
  pk_trajectory *t = (pk_trajectory *)&err; /* any non-NULL value: must be reset */
  pk_status st = pk_simulate(m, r, o, &t, &err);
  CHECK(st == PK_ERR_INVALID && err.code == PK_ERR_INVALID && t == NULL,
        "unit_events: %s: got %s, expected PK_ERR_INVALID", what, pk_status_str(st));
  if (st == PK_OK) pk_trajectory_free(t);
}

static void refused_regimens(void) {
  pk_model *m = one_compartment();
  pk_sim_options o = unit_options(24.0, 1.0);
  pk_regimen *empty = pk_regimen_new();
  expect_refused(m, empty, &o, "empty regimen");
  expect_refused(m, NULL, &o, "no regimen");
  const struct {
    double t_start, t_dose;
    pk_route route;
    const char *what;
  } bad[] = {
      {0.0, -0.5, PK_ROUTE_IV, "IV dose before t_start 0 h"},
      {0.0, 24.5, PK_ROUTE_IV, "IV dose after t_end 24 h"},
      {0.0, 24.001, PK_ROUTE_ORAL, "oral dose after t_end 24 h"},
      {2.0, 1.0, PK_ROUTE_ORAL, "oral dose before t_start 2 h"},
  };
  for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
    pk_regimen *r = pk_regimen_new();
    unit_dose(r, 0, PK_ROUTE_IV, 10.0, 1.0); /* a valid dose alongside */
    unit_dose(r, 0, bad[k].route, bad[k].t_dose, 1.0);
    pk_sim_options ok = o;
    ok.t_start_h = ok.output_start_h = bad[k].t_start;
    expect_refused(m, r, &ok, bad[k].what);
    pk_regimen_free(r);
  }
  pk_regimen_free(empty);
  pk_model_free(m);
}

/* One invalid value written into one double field of valid parameters. */
typedef struct bad_param {
  const char *what;
  size_t offset;
  double value;
} bad_param;

#define FIELD(f) offsetof(pk_compound_params, f)
static const bad_param bad_params[] = {
    {"negative V", FIELD(V_L), -1.0},
    {"zero V", FIELD(V_L), 0.0},
    {"NaN V", FIELD(V_L), NAN},
    {"infinite V", FIELD(V_L), INFINITY},
    {"negative CL", FIELD(CL_L_per_h), -0.1},
    {"NaN CL", FIELD(CL_L_per_h), NAN},
    {"negative F", FIELD(F), -0.01},
    {"infinite F", FIELD(F), INFINITY},
    {"NaN F", FIELD(F), NAN},
    {"negative F_iv", FIELD(F_iv), -0.5},
    {"NaN F_iv", FIELD(F_iv), NAN},
    {"negative lag_iv", FIELD(lag_iv_h), -1.0},
    {"zero R_iv", FIELD(zo_rate_iv_mg_per_h), 0.0},
    {"negative D_iv", FIELD(zo_duration_iv_h), -2.0},
    {"zero ka", FIELD(ka_per_h), 0.0},
    {"negative lag", FIELD(lag_h), -0.5},
    {"zero MW", FIELD(mw_g_per_mol), 0.0},
    {"negative peripheral volume", FIELD(Vp_L), -5.0},
    {"NaN second peripheral volume", FIELD(Vp_L) + sizeof(double), NAN},
    {"negative Q", FIELD(Q_L_per_h), -1.0},
    {"zero ke0", FIELD(ke0_per_h), 0.0},
    {"fu > 1", FIELD(fu), 1.5},
    {"zero K", FIELD(K_nM), 0.0},
    {"negative tau", FIELD(tau), -1.0},
};
#undef FIELD

static pk_compound_params valid_params(void) {
  pk_compound_params p = unit_compound("ok", 400.0, 1.0, 20.0, 0.0); /* CL 0 is allowed */
  p.F = 1.0;
  p.n_peripheral = 2;
  p.Vp_L[0] = 30.0, p.Q_L_per_h[0] = 0.0, p.Vp_L[1] = 50.0, p.Q_L_per_h[1] = 2.0;
  unit_ligand(&p, 1.0, 1.0, 10.0, 0.0);
  return p;
}

static void refused_compounds(void) {
  pk_model *m = pk_model_new();
  for (size_t k = 0; k < sizeof bad_params / sizeof bad_params[0]; k++) {
    pk_compound_params p = valid_params();
    double *field = (double *)((char *)&p + bad_params[k].offset);
    *field = bad_params[k].value;
    pk_error err;
    pk_status st = pk_model_add_compound(m, &p, NULL, &err);
    CHECK(st == PK_ERR_INVALID && err.code == PK_ERR_INVALID,
          "unit_events: compound with %s: got %s, expected PK_ERR_INVALID", bad_params[k].what,
          pk_status_str(st));
  }
  pk_compound_params p = valid_params();
  p.n_peripheral = PK_MAX_PERIPHERAL + 1;
  pk_error err;
  CHECK(pk_model_add_compound(m, &p, NULL, &err) == PK_ERR_INVALID,
        "unit_events: too many peripheral compartments accepted");
  CHECK(pk_model_compound_count(m) == 0, "unit_events: a refused compound was added");
  p = valid_params(); /* the boundary values themselves are valid */
  CHECK(pk_model_add_compound(m, &p, NULL, &err) == PK_OK, "unit_events: valid: %s",
        err.message);
  CHECK(pk_model_add_compound(m, &p, NULL, &err) == PK_ERR_INVALID,
        "unit_events: a duplicate id was accepted");
  pk_model_free(m);
}

int main(void) {
  test_init();
  single_bolus_row();
  iv_bolus_on_output_times();
  dose_on_inexact_grid_time();
  lagged_arrival_and_late_output();
  refused_regimens();
  refused_compounds();
  return test_finish("unit_events_and_validation");
}
