/* test_agreement.c - the exact path against the general GSL path on every
 * shipped scenario: every output column at every output time agrees to
 * 1e-8 relative with an absolute floor of 1e-12 (net, W and the filters wx
 * and wf of tol - E relative to the scale of E and tol, of which they are
 * differences), the ODE path run
 * at rtol 1e-12 (the reference). Scenarios whose model needs the ODE path (kinetic
 * receptor binding) are checked to resolve to it. */
#include <string.h>
#include "scenarios.h"

static void compare(const char *name, const pk_trajectory *ode, const pk_trajectory *ex) {
  size_t rows = pk_trajectory_rows(ode), cols = pk_trajectory_cols(ode);
  CHECK(rows == pk_trajectory_rows(ex) && cols == pk_trajectory_cols(ex),
        "%s: shapes differ", name);
  double worst = 0;
  size_t wc = 0;
  int iE = pk_trajectory_column_index(ode, "E"), itol = pk_trajectory_column_index(ode, "tol");
  for (size_t i = 0; i < rows && i < pk_trajectory_rows(ex); i++)
    for (size_t j = 0; j < cols; j++) {
      double a = pk_trajectory_get(ex, i, j), b = pk_trajectory_get(ode, i, j);
      /* net = E - tol and W = max(0, tol - E) are differences of two close
       * numbers: judged on the scale of E and tol */
      const char *col = pk_trajectory_column_name(ode, j);
      double scale = fabs(b);
      if (strcmp(col, "net") == 0 || strcmp(col, "W") == 0 || strcmp(col, "wx") == 0 ||
          strcmp(col, "wf") == 0)
        scale = fmax(fabs(pk_trajectory_get(ode, i, (size_t)iE)),
                     fabs(pk_trajectory_get(ode, i, (size_t)itol)));
      double d = fabs(a - b), tol = 1e-8 * scale + 1e-12;
      if (d > tol) {
        char what[256];
        snprintf(what, sizeof what, "%s: %s at t = %g h", name, pk_trajectory_column_name(ode, j),
                 pk_trajectory_get(ode, i, 0));
        CHECK_CLOSE(a, b, 1e-8 * scale / fmax(fabs(b), 1e-300), 1e-12, what);
        return;
      }
      if (scale > 1e-9 && d / scale > worst) worst = d / scale, wc = j;
    }
  printf("%-28s %6zu rows x %2zu columns: largest relative difference %.2e (%s)\n", name, rows,
         cols, worst, pk_trajectory_column_name(ode, wc));
}

static void check_scenario(const pk_scenario *s, const char *name) {
  pk_error err;
  pk_sim_options o = pk_scenario_options(s);
  o.solver = PK_SOLVER_AUTO;
  int path_auto = pk_sim_resolve_solver(pk_scenario_model(s), &o, &err);
  if (path_auto == PK_SOLVER_ODE) {
    o.solver = PK_SOLVER_EXACT;
    CHECK(pk_sim_resolve_solver(pk_scenario_model(s), &o, &err) < 0,
          "%s: the exact path must refuse a model with kinetic binding", name);
    printf("%-28s needs the ODE path (kinetic binding)\n", name);
    return;
  }
  pk_trajectory *ode = NULL, *ex = NULL;
  o.solver = PK_SOLVER_ODE;
  o.rtol = 1e-12;
  o.atol = 1e-14;
  pk_status a = pk_simulate(pk_scenario_model(s), pk_scenario_regimen(s), &o, &ode, &err);
  CHECK(a == PK_OK, "%s: ode path: %s", name, err.message);
  o.solver = PK_SOLVER_EXACT;
  pk_status b = pk_simulate(pk_scenario_model(s), pk_scenario_regimen(s), &o, &ex, &err);
  CHECK(b == PK_OK, "%s: exact path: %s", name, err.message);
  if (a == PK_OK && b == PK_OK) compare(name, ode, ex);
  pk_trajectory_free(ode);
  pk_trajectory_free(ex);
}

int main(void) {
  test_init();
  int n = for_each_scenario(check_scenario);
  CHECK(n >= 4, "only %d scenarios found", n);
  return test_finish("solver_exact_agrees_with_ode_on_shipped_scenarios");
}
