/* bench_ode.c - throughput of the simulation paths on a scenario: the exact
 * path (cached propagators) and the general path (GSL gsl_odeiv2 driver) at
 * several methods and tolerances. Subjects per second and ns per output
 * row, with the accuracy reached against a reference ODE run at rtol 1e-13,
 * all in the same run.
 *
 * usage: bench_ode [SCENARIO] [N_SUBJECTS]
 */
#define _POSIX_C_SOURCE 200809L
#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "bench_common.h"
#include "pk/pk.h"

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Largest relative difference over all output values, with an absolute
 * floor of 1e-12 so that values near zero do not dominate. */
static double max_rel_diff(const pk_trajectory *a, const pk_trajectory *b) {
  size_t n = pk_trajectory_rows(a) * pk_trajectory_cols(a);
  const double *x = pk_trajectory_data(a), *y = pk_trajectory_data(b);
  double worst = 0;
  for (size_t i = 0; i < n; i++) {
    double d = fabs(x[i] - y[i]) / (fabs(y[i]) + 1e-12);
    if (d > worst) worst = d;
  }
  return worst;
}

int main(int argc, char **argv) {
  gsl_set_error_handler_off();
  const char *path = argc > 1 ? argv[1] : PK_MODELS_DIR "/scenarios/kratom-taper.json";
  int n_subjects = argc > 2 ? atoi(argv[2]) : 20;
  pk_error err;
  pk_scenario *s = NULL;
  if (pk_scenario_load(path, &s, &err) != PK_OK) {
    char buf[1024];
    pk_error_format(&err, buf, sizeof buf);
    fprintf(stderr, "bench_ode: %s\n", buf);
    return 1;
  }
  pk_sim_options ref_opt = pk_scenario_options(s);
  ref_opt.solver = PK_SOLVER_ODE;
  ref_opt.rtol = 1e-13;
  ref_opt.atol = 1e-15;
  pk_trajectory *ref = NULL;
  if (pk_simulate(pk_scenario_model(s), pk_scenario_regimen(s), &ref_opt, &ref, &err) != PK_OK) {
    fprintf(stderr, "bench_ode: reference run failed: %s\n", err.message);
    return 1;
  }
  size_t points = pk_trajectory_rows(ref);
  bench_print_machine();
  printf("scenario %s: %zu output rows, %zu columns, %d subjects per case\n",
         pk_scenario_name(s), points, pk_trajectory_cols(ref), n_subjects);
  printf("%-8s %8s %8s %14s %16s %14s\n", "method", "rtol", "atol", "subjects/s",
         "ns/output row", "max rel err");
  const struct { pk_solver solver; pk_ode_method m; double rtol, atol; } cases[] = {
      {PK_SOLVER_EXACT, PK_ODE_RK8PD, 0, 0},
      {PK_SOLVER_ODE, PK_ODE_RK8PD, 1e-6, 1e-9},  {PK_SOLVER_ODE, PK_ODE_RK8PD, 1e-8, 1e-11},
      {PK_SOLVER_ODE, PK_ODE_RK8PD, 1e-10, 1e-12}, {PK_SOLVER_ODE, PK_ODE_MSBDF, 1e-8, 1e-11},
      {PK_SOLVER_ODE, PK_ODE_MSBDF, 1e-10, 1e-12}, {PK_SOLVER_ODE, PK_ODE_RKF45, 1e-8, 1e-11},
  };
  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
    pk_sim_options o = pk_scenario_options(s);
    o.solver = cases[c].solver;
    o.method = cases[c].m;
    if (cases[c].rtol > 0) o.rtol = cases[c].rtol, o.atol = cases[c].atol;
    double worst = 0, t0 = now_s();
    for (int k = 0; k < n_subjects; k++) {
      pk_trajectory *t = NULL;
      if (pk_simulate(pk_scenario_model(s), pk_scenario_regimen(s), &o, &t, &err) != PK_OK) {
        fprintf(stderr, "bench_ode: case %zu failed: %s\n", c, err.message);
        return 1;
      }
      if (k == 0) worst = max_rel_diff(t, ref);
      pk_trajectory_free(t);
    }
    double dt = now_s() - t0;
    const char *name = o.solver == PK_SOLVER_EXACT ? "exact" : pk_ode_method_name(o.method);
    if (o.solver == PK_SOLVER_EXACT)
      printf("%-8s %8s %8s", name, "-", "-");
    else
      printf("%-8s %8.0e %8.0e", name, o.rtol, o.atol);
    printf(" %14.1f %16.1f %14.2e\n", n_subjects / dt,
           1e9 * dt / ((double)n_subjects * (double)points), worst);
  }
  pk_trajectory_free(ref);
  pk_scenario_free(s);
  return 0;
}
