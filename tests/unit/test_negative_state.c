/* test_negative_state.c - the negative-state check that turns an
 * integration gone wrong into PK_ERR_SOLVER (sim_ode.c, via
 * pk_system_negative_state) instead of written nonsense, and the names it
 * gives the offending state.
 *
 * Every state is >= 0 in exact arithmetic. On the ODE path a state below
 * -100 (atol + rtol * its largest magnitude so far) is a failure; on the
 * exact path one below -1e-9 times the largest magnitude of any state.
 * With allowed tolerances GSL's error control keeps every excursion far
 * inside that bound (a loose-but-allowed run is not a failure), so the
 * check is exercised on the compiled system of a model directly:
 *  - model: "p" (oral, one peripheral, receptor ligand) and "m" (its
 *    metabolite, a kinetic ligand); the states are laid out as
 *    system.h says, and each one's name says what it is and whose;
 *  - atol 1e-6, rtol 1e-2, largest central amount so far 10 umol: bound
 *    100 (1e-6 + 0.1) = 10.0001 umol; -10 is inside, -10.001 outside and
 *    reported as that state; a state never above 0 has bound 1e-4;
 *  - exact path, largest state 1e3: bound 1e-6; -9e-7 inside, -1.1e-6
 *    outside;
 *  - and, end to end, the loosest allowed tolerances (rtol 1e-2, atol 1e-6)
 *    on the shipped kratom taper (rk8pd) and buprenorphine induction
 *    (msbdf, kinetic binding) succeed: no false failure. */
#include <string.h>
#include "system.h"
#include "unit_helpers.h"

static void check_name(const pk_system *s, const pk_model *m, int k, const char *want) {
  char buf[200];
  pk_system_state_name(s, m, k, buf, sizeof buf);
  CHECK(strstr(buf, want) != NULL, "state %d is named '%s', expected '%s'", k, buf, want);
}

static void loosest_shipped(const char *file, pk_ode_method method) {
  char path[1024];
  snprintf(path, sizeof path, "%s/scenarios/%s", PK_MODELS_DIR, file);
  pk_scenario *sc = NULL;
  pk_error err;
  CHECK(pk_scenario_load(path, &sc, &err) == PK_OK, "%s: %s", file, err.message);
  if (!sc) return;
  pk_sim_options o = pk_scenario_options(sc);
  o.solver = PK_SOLVER_ODE;
  o.method = method;
  o.rtol = PK_RTOL_MAX;
  o.atol = PK_ATOL_MAX;
  pk_trajectory *t = NULL;
  pk_status st = pk_simulate(pk_scenario_model(sc), pk_scenario_regimen(sc), &o, &t, &err);
  CHECK(st == PK_OK, "%s at rtol 1e-2, atol 1e-6 (%s): %s at t = %g h: %s", file,
        pk_ode_method_name(method), pk_status_str(st), err.t_h, err.message);
  pk_trajectory_free(t);
  pk_scenario_free(sc);
}

int main(void) {
  test_init();
  pk_model *m = pk_model_new();
  pk_compound_params p = unit_compound("p", 400.0, 1.0, 50.0, 10.0);
  p.n_peripheral = 1;
  p.Vp_L[0] = 100.0;
  p.Q_L_per_h[0] = 5.0;
  unit_ligand(&p, 2.0, 0.5, 10.0, 3.0);
  pk_compound_params q = unit_compound("m", 380.0, 1.0, 20.0, 30.0);
  unit_ligand(&q, 1.0, 1.0, NAN, 0.5);
  q.kinetic_binding = 1;
  q.kon_per_nM_h = 2.0;
  q.koff_per_h = 5.0;
  int ip = unit_add(m, &p), iq = unit_add(m, &q);
  pk_error err;
  CHECK(ip == 0 && iq == 1 && pk_model_add_conversion(m, 0, 1, 0.3, 0.0, &err) == PK_OK,
        "model: %s", err.message);
  pk_system s;
  const pk_regimen *none[1] = {NULL};
  CHECK(pk_system_init(&s, m, none, 1, 1, &err) == PK_OK, "system: %s", err.message);

  check_name(&s, m, s.central[0], "the central amount of compound 'p' (umol; C_p)");
  check_name(&s, m, s.periph[0][0], "the peripheral 1 amount of compound 'p' (umol)");
  check_name(&s, m, s.ce[0], "the effect-site concentration of compound 'p' (nM)");
  check_name(&s, m, s.elim[1], "the eliminated amount of compound 'm' (umol)");
  check_name(&s, m, s.depot_state[0], "the absorption depot amount (ka 1 1/h) of compound 'p'");
  check_name(&s, m, s.tol, "the adaptation state tol");
  check_name(&s, m, s.lig_bound[1], "the bound receptor fraction of compound 'm'");

  int n = s.n_states, cen = s.central[0];
  double y[64] = {0}, ymax[64] = {0}, bound = 0.0;
  CHECK(n <= 64, "%d states", n);
  ymax[cen] = 10.0;
  y[cen] = -10.0;
  CHECK(pk_system_negative_state(&s, y, ymax, 1e-6, 1e-2, 0.0, &bound) == -1,
        "-10 umol is inside the ODE bound 10.0001");
  y[cen] = -10.001;
  int k = pk_system_negative_state(&s, y, ymax, 1e-6, 1e-2, 0.0, &bound);
  CHECK(k == cen, "-10.001 umol: state %d reported, expected the central amount %d", k, cen);
  CHECK_CLOSE(bound, 100.0 * (1e-6 + 1e-2 * 10.0), 1e-12, 0.0, "ODE bound");
  y[cen] = 0.0;
  y[s.ce[0]] = -1.01e-4; /* never above 0: bound 100 atol */
  k = pk_system_negative_state(&s, y, ymax, 1e-6, 1e-2, 0.0, &bound);
  CHECK(k == s.ce[0] && fabs(bound - 1e-4) < 1e-16, "effect site at -1.01e-4: got state %d, "
        "bound %g", k, bound);
  y[s.ce[0]] = -0.99e-4;
  CHECK(pk_system_negative_state(&s, y, ymax, 1e-6, 1e-2, 0.0, &bound) == -1,
        "-0.99e-4 nM is inside 100 atol");
  /* exact path: rounding only, 1e-9 of the largest state */
  memset(y, 0, sizeof y);
  ymax[s.elim[0]] = 1e3;
  y[s.tol] = -9e-7;
  CHECK(pk_system_negative_state(&s, y, ymax, 0.0, 0.0, 1e-9, &bound) == -1,
        "exact: -9e-7 is inside 1e-9 x 1e3");
  y[s.tol] = -1.1e-6;
  k = pk_system_negative_state(&s, y, ymax, 0.0, 0.0, 1e-9, &bound);
  CHECK(k == s.tol && fabs(bound - 1e-6) < 1e-18, "exact: tol at -1.1e-6: state %d, bound %g",
        k, bound);
  pk_system_release(&s);
  pk_model_free(m);

  loosest_shipped("kratom-taper.json", PK_ODE_RK8PD);
  loosest_shipped("buprenorphine-induction.json", PK_ODE_MSBDF);
  return test_finish("unit_negative_state_beyond_tolerance_is_solver_failure");
}
