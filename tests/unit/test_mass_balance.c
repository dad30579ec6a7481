/* test_mass_balance.c - conservation of moles across a network of compounds.
 *
 * Every flux in the model moves umol from one compartment to another (depot
 * to central, central to peripherals and back, central to the eliminated
 * amount, parent to metabolite by systemic or first-pass conversion; all
 * molar). So at every output time the sum of all A_* columns over all
 * compounds must equal the umol that have arrived so far: F * dose for an
 * oral dose once its lag has passed, the whole dose for an IV bolus. A dose
 * whose lag carries it past the end never arrives.
 *
 * Network: a (2 peripherals, a receptor ligand) -> b (1 peripheral) and c;
 * b -> c; both systemic (fm) and first-pass conversions; oral doses with F < 1
 * and lag, IV boluses, doses on and between output times.
 *
 * Tolerances: solver rtol 1e-12, atol 1e-15; check 1e-9 relative to the
 * amount given plus 1e-12 umol (for the rows before anything arrives). */
#include <string.h>
#include "unit_helpers.h"

enum { N_COMPOUNDS = 3, N_DOSES = 9 };
static const double rel_tol = 1e-9, abs_tol_umol = 1e-12;

typedef struct dose_spec {
  int compound;
  pk_route route;
  double t_h, mg;
} dose_spec;

static const dose_spec doses[N_DOSES] = {
    {0, PK_ROUTE_ORAL, 0.0, 100.0},  {0, PK_ROUTE_ORAL, 8.0, 50.0},
    {0, PK_ROUTE_ORAL, 16.3, 75.0},  {1, PK_ROUTE_ORAL, 3.0, 20.0},
    {1, PK_ROUTE_IV, 5.5, 10.0},     {2, PK_ROUTE_IV, 10.0, 5.0},
    {2, PK_ROUTE_ORAL, 20.0, 30.0},  {0, PK_ROUTE_IV, 30.25, 15.0},
    {0, PK_ROUTE_ORAL, 47.8, 500.0}, /* lag 0.4 h: arrives after the 48 h end */
};

static void build_model(pk_model *m, pk_compound_params p[N_COMPOUNDS]) {
  p[0] = unit_compound("a", 398.5, 1.0, 40.0, 8.0);
  p[0].F = 0.6;
  p[0].lag_h = 0.4;
  p[0].n_peripheral = 2;
  p[0].Vp_L[0] = 60.0, p[0].Q_L_per_h[0] = 6.0;
  p[0].Vp_L[1] = 150.0, p[0].Q_L_per_h[1] = 2.0;
  unit_ligand(&p[0], 1.5, 0.8, 100.0, 2.0);
  p[1] = unit_compound("b", 414.5, 0.7, 25.0, 5.0);
  p[1].F = 0.9;
  p[1].n_peripheral = 1;
  p[1].Vp_L[0] = 30.0, p[1].Q_L_per_h[0] = 4.0;
  p[2] = unit_compound("c", 250.0, 2.0, 10.0, 3.0);
  p[2].lag_h = 0.15;
  for (int i = 0; i < N_COMPOUNDS; i++) unit_add(m, &p[i]);
  pk_error err;
  CHECK(pk_model_add_conversion(m, 0, 1, 0.4, 0.2, &err) == PK_OK, "a->b: %s", err.message);
  CHECK(pk_model_add_conversion(m, 0, 2, 0.3, 0.1, &err) == PK_OK, "a->c: %s", err.message);
  CHECK(pk_model_add_conversion(m, 1, 2, 0.5, 0.35, &err) == PK_OK, "b->c: %s", err.message);
  CHECK(pk_model_set_adaptation(m, 0.05, &err) == PK_OK, "adaptation: %s", err.message);
}

/* umol that have reached the body (depot or central) by time t. */
static double given_by(const pk_compound_params p[N_COMPOUNDS], double t) {
  double total = 0.0;
  for (int d = 0; d < N_DOSES; d++) {
    const pk_compound_params *c = &p[doses[d].compound];
    int oral = doses[d].route == PK_ROUTE_ORAL;
    double arrival = doses[d].t_h + (oral ? c->lag_h : 0.0);
    if (arrival <= t) total += (oral ? c->F : 1.0) * unit_umol(doses[d].mg, c->mw_g_per_mol);
  }
  return total;
}

/* Sum of every A_* column at row i; *n_cols gets how many there are. */
static double amount_sum(const pk_trajectory *t, size_t i, int *n_cols) {
  double sum = 0.0;
  *n_cols = 0;
  for (size_t j = 0; j < pk_trajectory_cols(t); j++)
    if (strncmp(pk_trajectory_column_name(t, j), "A_", 2) == 0) {
      sum += pk_trajectory_get(t, i, j);
      (*n_cols)++;
    }
  return sum;
}

static void run(const pk_model *m, const pk_regimen *r, const pk_compound_params *p,
                pk_ode_method method) {
  pk_sim_options o = unit_options(48.0, 0.25);
  o.method = method;
  pk_trajectory *t = unit_simulate(m, r, &o);
  int n_cols = 0;
  for (size_t i = 0; t && i < pk_trajectory_rows(t); i++) {
    double time = unit_get(t, i, "time_h");
    double sum = amount_sum(t, i, &n_cols), want = given_by(p, time);
    char what[96];
    snprintf(what, sizeof what, "unit_mass_balance (%s): sum of A_* at t = %g h",
             pk_ode_method_name(method), time);
    CHECK_CLOSE(sum, want, rel_tol, abs_tol_umol, what);
  }
  /* depot + central + elim per compound, plus 2 + 1 + 0 peripherals. */
  CHECK(n_cols == 3 * N_COMPOUNDS + 3, "%d amount columns, expected %d", n_cols,
        3 * N_COMPOUNDS + 3);
  CHECK(t && pk_trajectory_rows(t) == 193, "%zu rows, expected 193", pk_trajectory_rows(t));
  pk_trajectory_free(t);
}

int main(void) {
  test_init();
  pk_model *m = pk_model_new();
  pk_regimen *r = pk_regimen_new();
  pk_compound_params p[N_COMPOUNDS];
  build_model(m, p);
  for (int d = 0; d < N_DOSES; d++)
    unit_dose(r, doses[d].compound, doses[d].route, doses[d].t_h, doses[d].mg);
  /* Both integrators conserve linear invariants up to rounding. */
  run(m, r, p, PK_ODE_RK8PD);
  run(m, r, p, PK_ODE_MSBDF);
  /* The last dose never arrives, so the final sum is not trivially the
   * total of the regimen. */
  CHECK(given_by(p, 48.0) < given_by(p, 48.5), "the last dose must arrive after 48 h");
  pk_regimen_free(r);
  pk_model_free(m);
  return test_finish("unit_mass_balance_multi_compound");
}
