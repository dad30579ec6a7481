/* test_exact_limits.c - absurd parameters are refused before any solver
 * sees them, the exact path fails fast, with PK_ERR_SOLVER and the time
 * reached, on absurd but accepted ones instead of bisecting for hours; and
 * a merely stiff model still runs on it.
 *
 * One oral ligand (MW 400 g/mol, V 50 L, CL 10 L/h, ke0 2 /h, fu 0.6,
 * K 100 nM, tau 4) with adaptation k_tol 0.05 /h, so that every step runs
 * the adaptation quadrature, dosed 10 mg at 1, 9 and 17 h, output every
 * 0.5 h from -2 h (the simulation start) to 24 h:
 *  - ka 1e8 /h (above the largest rate constant, 1e6 /h), or V 1e-300 L
 *    (below the smallest volume, 1e-6 L; CL/V would be 2e301 /h): refused
 *    by pk_model_add_compound with PK_ERR_INVALID naming the parameter, its
 *    range and the value;
 *  - K 1e-307 nM: fu ce / K overflows once the dose arrives, E is inf / inf:
 *    PK_ERR_SOLVER saying that E is not finite, at or after the dose;
 *  - ka 50 /h (stiff for an explicit method, three sub-steps per step here):
 *    succeeds and agrees with the ODE path (rk8pd, rtol 1e-12, atol 1e-14)
 *    in every column at every row to 1e-8 relative plus 1e-12 absolute (net
 *    and W, differences of E and tol, on the scale of E and tol), as the
 *    shipped scenarios do in solver_exact_agrees_with_ode_on_shipped_scenarios.
 * Each failing run must return within 10 s (it takes milliseconds; the
 * ctest TIMEOUT of 60 s catches a hang outright). */
#include <string.h>
#include <time.h>
#include "unit_helpers.h"

static const double t_start_h = -2.0, t_end_h = 24.0, step_h = 0.5, dose_mg = 10.0;
static const double rel_tol = 1e-8, abs_tol = 1e-12, max_fail_s = 10.0;

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* The ligand above with the given ka (1/h), V (L) and K (nM). */
static pk_model *ligand_model(double ka, double V, double K) {
  pk_model *m = pk_model_new();
  CHECK(m != NULL, "pk_model_new: out of memory");
  if (!m) return NULL;
  pk_compound_params p = unit_compound("lig", 400.0, ka, V, 10.0);
  unit_ligand(&p, 2.0, 0.6, K, 4.0);
  unit_add(m, &p);
  pk_error err;
  CHECK(pk_model_set_adaptation(m, 0.05, &err) == PK_OK, "k_tol: %s", err.message);
  return m;
}

static pk_regimen *three_doses(void) {
  pk_regimen *r = pk_regimen_new();
  CHECK(r != NULL, "pk_regimen_new: out of memory");
  for (int k = 0; r && k < 3; k++) unit_dose(r, 0, PK_ROUTE_ORAL, 1.0 + 8.0 * k, dose_mg);
  return r;
}

static pk_sim_options options(pk_solver solver) {
  pk_sim_options o = unit_options(t_end_h, step_h);
  o.t_start_h = o.output_start_h = t_start_h;
  o.solver = solver;
  return o;
}

/* The exact path on (ka, V, K) must fail with PK_ERR_SOLVER at a finite
 * time in [t_min, t_end], quickly, with a message containing `why`. */
static void check_fails_fast(const char *what, double ka, double V, double K, double t_min,
                             const char *why) {
  pk_model *m = ligand_model(ka, V, K);
  pk_regimen *r = three_doses();
  if (!m || !r) goto done;
  pk_sim_options o = options(PK_SOLVER_EXACT);
  pk_error err;
  pk_trajectory *t = NULL;
  double t0 = now_s();
  pk_status st = pk_simulate(m, r, &o, &t, &err);
  double took = now_s() - t0;
  printf("%s: %s after %.3f s: at t = %g h: %s\n", what, pk_status_str(st), took, err.t_h,
         err.message);
  CHECK(st == PK_ERR_SOLVER, "%s: exact path returned %s, expected PK_ERR_SOLVER (%s)", what,
        pk_status_str(st), err.message);
  CHECK(t == NULL, "%s: a failed simulation returned a trajectory", what);
  CHECK(took <= max_fail_s, "%s: the exact path took %.1f s to fail, expected at most %g s",
        what, took, max_fail_s);
  CHECK(isfinite(err.t_h) && err.t_h >= t_min && err.t_h <= t_end_h,
        "%s: err.t_h = %g, expected a finite time in [%g, %g] h", what, err.t_h, t_min,
        t_end_h);
  CHECK(strstr(err.message, why) != NULL, "%s: the message '%s' does not say '%s'", what,
        err.message, why);
  pk_trajectory_free(t);
done:
  pk_regimen_free(r);
  pk_model_free(m);
}

/* Adding the ligand with (ka, V) must be refused, naming the parameter. */
static void check_refused(const char *what, double ka, double V, const char *why) {
  pk_model *m = pk_model_new();
  CHECK(m != NULL, "pk_model_new: out of memory");
  if (!m) return;
  pk_compound_params p = unit_compound("lig", 400.0, ka, V, 10.0);
  unit_ligand(&p, 2.0, 0.6, 100.0, 4.0);
  pk_error err;
  pk_status st = pk_model_add_compound(m, &p, NULL, &err);
  printf("%s: %s: %s: %s\n", what, pk_status_str(st), err.path, err.message);
  CHECK(st == PK_ERR_INVALID, "%s: pk_model_add_compound returned %s, expected PK_ERR_INVALID",
        what, pk_status_str(st));
  CHECK(strstr(err.message, why) != NULL, "%s: the message '%s' does not say '%s'", what,
        err.message, why);
  pk_model_free(m);
}

/* A model that the general path rejects at once must stay an error there. */
static void check_ode_fails(const char *what, double ka, double V, double K) {
  pk_model *m = ligand_model(ka, V, K);
  pk_regimen *r = three_doses();
  if (!m || !r) goto done;
  pk_sim_options o = options(PK_SOLVER_ODE);
  pk_error err;
  pk_trajectory *t = NULL;
  pk_status st = pk_simulate(m, r, &o, &t, &err);
  CHECK(st == PK_ERR_SOLVER && isfinite(err.t_h) && err.t_h >= t_start_h && err.t_h <= t_end_h,
        "%s: ODE path returned %s at t = %g h, expected PK_ERR_SOLVER in the simulated range",
        what, pk_status_str(st), err.t_h);
  pk_trajectory_free(t);
done:
  pk_regimen_free(r);
  pk_model_free(m);
}

static void check_stiff_model_agrees(void) {
  pk_model *m = ligand_model(50.0, 50.0, 100.0);
  pk_regimen *r = three_doses();
  pk_trajectory *ode = NULL, *ex = NULL;
  if (!m || !r) goto done;
  pk_sim_options o = options(PK_SOLVER_ODE);
  o.rtol = 1e-12;
  o.atol = 1e-14;
  ode = unit_simulate(m, r, &o);
  o.solver = PK_SOLVER_EXACT;
  ex = unit_simulate(m, r, &o);
  if (!ode || !ex) goto done;
  size_t rows = pk_trajectory_rows(ode), cols = pk_trajectory_cols(ode);
  CHECK(rows == pk_trajectory_rows(ex) && cols == pk_trajectory_cols(ex),
        "ka 50 /h: the paths give %zu x %zu and %zu x %zu", rows, cols,
        pk_trajectory_rows(ex), pk_trajectory_cols(ex));
  if (rows != pk_trajectory_rows(ex) || cols != pk_trajectory_cols(ex)) goto done;
  CHECK(unit_get(ode, rows - 1, "tol") > 1e-3, "ka 50 /h: tol = %g at the end: no adaptation",
        unit_get(ode, rows - 1, "tol"));
  for (size_t i = 0; i < rows; i++)
    for (size_t j = 1; j < cols; j++) {
      const char *col = pk_trajectory_column_name(ode, j);
      double want = pk_trajectory_get(ode, i, j), scale = fabs(want);
      if (strcmp(col, "net") == 0 || strcmp(col, "W") == 0)
        scale = fmax(fabs(unit_get(ode, i, "E")), fabs(unit_get(ode, i, "tol")));
      char what[160];
      snprintf(what, sizeof what, "ka 50 /h: exact vs ode: %s at t = %g h", col,
               pk_trajectory_get(ode, i, 0));
      CHECK_CLOSE(pk_trajectory_get(ex, i, j), want, 0.0, rel_tol * scale + abs_tol, what);
    }
done:
  pk_trajectory_free(ex);
  pk_trajectory_free(ode);
  pk_regimen_free(r);
  pk_model_free(m);
}

int main(void) {
  test_init();
  check_refused("ka 1e8 /h", 1e8, 50.0,
                "ka of compound 'lig' must be a finite, normal number in (0, 1e+06] 1/h, got 1e+08");
  check_refused("V 1e-300 L", 1.0, 1e-300,
                "V of compound 'lig' must be a finite number in [1e-06, 1e+08] L, got 1e-300");
  check_fails_fast("K 1e-307 nM", 1.0, 50.0, 1e-307, 1.0, "E is not finite");
  check_ode_fails("K 1e-307 nM", 1.0, 50.0, 1e-307);
  check_stiff_model_agrees();
  return test_finish("unit_exact_absurd_rates_fail_fast");
}
