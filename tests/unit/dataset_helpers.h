/* dataset_helpers.h - shared by the event-dataset tests: the test model, loading
 * fixtures from tests/data/events/, simulating every subject with both
 * solvers, and the closed forms of a one-compartment compound.
 *
 * The model has two independent compounds (no conversion), numbered for CMT
 * as compound i -> depot 2i+1, central 2i+2:
 *   d: MW 250 g/mol, ka 1.1 1/h, V 40 L, CL 8 L/h (k = 0.2 1/h), F 1, lag 0
 *      -> CMT 1 (depot_d), 2 (central_d)
 *   p: MW 300 g/mol, ka 0.7 1/h, V 60 L, CL 6 L/h (k = 0.1 1/h)
 *      -> CMT 3 (depot_p), 4 (central_p)
 * F, lag, R and D are varied by the fixtures' per-subject override columns
 * (F_d, lag_d, R_d, D_d...).
 *
 * Closed forms (amounts in umol, u = 1000 mg / MW, k = CL / V):
 *   IV bolus u at 0:              A(t) = u e^{-kt}
 *   depot bolus u (F) arriving 0: A(t) = F u ka/(ka-k) (e^{-kt} - e^{-ka t})
 *   IV input r umol/h on [0, T):  A(t) = r (H(t) - H(t - T)), H(s) = (1 - e^{-ks})/k, s > 0
 *   depot input r on [0, T):      A(t) = r (G(t) - G(t - T)),
 *                                 G(s) = ka/(ka-k) ((1 - e^{-ks})/k - (1 - e^{-ka s})/ka)
 * and C = 1000 A / V nM. */
#ifndef PK_DATASET_HELPERS_H
#define PK_DATASET_HELPERS_H

#include <stdlib.h>
#include "unit_helpers.h"

static const double ds_mw = 250.0, ds_ka = 1.1, ds_V = 40.0, ds_CL = 8.0;
static const double ds_k = 8.0 / 40.0;
/* Against closed forms: 1e-8 relative plus 1e-12 nM. */
static const double ds_rel = 1e-8, ds_abs = 1e-12;

static inline pk_model *ds_model(void) {
  pk_model *m = pk_model_new();
  pk_compound_params d = unit_compound("d", ds_mw, ds_ka, ds_V, ds_CL);
  pk_compound_params p = unit_compound("p", 300.0, 0.7, 60.0, 6.0);
  unit_add(m, &d);
  unit_add(m, &p);
  return m;
}

static inline const char *ds_path(const char *name) {
  static char buf[1024];
  snprintf(buf, sizeof buf, "%s/events/%s", PK_TEST_DATA_DIR, name);
  return buf;
}

/* Loads fixture `name` (under tests/data/events/); NULL and a failed check on error. */
static inline pk_dataset *ds_load(const char *name, const pk_model *m,
                                  const pk_dataset_options *o) {
  pk_error err;
  pk_dataset *d = NULL;
  pk_status st = pk_dataset_load_ex(ds_path(name), m, o, &d, &err);
  CHECK(st == PK_OK && d, "loading %s: %s:%d:%d: %s", name, err.file, err.line, err.column,
        err.message);
  return st == PK_OK ? d : NULL;
}

/* Simulates every subject; NULL and a failed check on error. */
static inline pk_trajectory **ds_simulate(const pk_dataset *d, const pk_sim_options *o) {
  pk_error err;
  pk_trajectory **t = NULL;
  if (!d) return NULL;
  pk_status st = pk_dataset_simulate(d, o, &t, &err);
  CHECK(st == PK_OK && t, "pk_dataset_simulate (%s): %s", pk_solver_name(o->solver), err.message);
  return st == PK_OK ? t : NULL;
}

/* unit_options with the solver chosen. */
static inline pk_sim_options ds_options(double t_end, double step, pk_solver solver) {
  pk_sim_options o = unit_options(t_end, step);
  o.solver = solver;
  return o;
}

static inline double ds_umol(double mg) { return 1000.0 * mg / ds_mw; }
static inline double ds_conc(double umol) { return 1000.0 * umol / ds_V; }

static inline double ds_H(double s) { return s > 0 ? (1.0 - exp(-ds_k * s)) / ds_k : 0.0; }
static inline double ds_G(double s) {
  if (s <= 0) return 0.0;
  return ds_ka / (ds_ka - ds_k) * ((1.0 - exp(-ds_k * s)) / ds_k - (1.0 - exp(-ds_ka * s)) / ds_ka);
}
/* Central amount s hours after a depot bolus of u umol (already times F) arrived. */
static inline double ds_bateman(double u, double s) {
  return s >= 0 ? u * ds_ka / (ds_ka - ds_k) * (exp(-ds_k * s) - exp(-ds_ka * s)) : 0.0;
}
static inline double ds_iv(double u, double s) { return s >= 0 ? u * exp(-ds_k * s) : 0.0; }

/* Compares column `col` of two trajectories row by row: |a - b| <= rel |b|. */
static inline void ds_same(const pk_trajectory *a, const pk_trajectory *b, const char *col,
                           double rel, const char *what) {
  CHECK(a && b && pk_trajectory_rows(a) == pk_trajectory_rows(b), "%s: row counts differ", what);
  if (!a || !b) return;
  for (size_t i = 0; i < pk_trajectory_rows(a) && i < pk_trajectory_rows(b); i++) {
    char w[256];
    snprintf(w, sizeof w, "%s: %s at t = %g h", what, col, unit_get(b, i, "time_h"));
    CHECK_CLOSE(unit_get(a, i, col), unit_get(b, i, col), rel, 1e-13, w);
  }
}

static const pk_solver ds_solvers[] = {PK_SOLVER_EXACT, PK_SOLVER_ODE};

/* A file under tests/data/events/bad/ that must be refused, where, and
 * texts the message must hold. */
typedef struct ds_bad_case {
  const char *file;
  int line, column;
  const char *expect[3];
} ds_bad_case;

/* Checks that c's file is refused with PK_ERR_INVALID, no dataset, the file
 * named, c's line and column (1-based field number; 0 where none applies)
 * and c's texts in the message. */
static inline void ds_refused(const pk_model *m, const ds_bad_case *c) {
  char name[256];
  snprintf(name, sizeof name, "bad/%s", c->file);
  pk_error err;
  pk_dataset *d = (pk_dataset *)&err; /* any non-NULL value: must be reset */
  pk_status st = pk_dataset_load(ds_path(name), m, &d, &err);
  CHECK(st == PK_ERR_INVALID && err.code == PK_ERR_INVALID && d == NULL,
        "%s: got %s, expected PK_ERR_INVALID and no dataset", c->file, pk_status_str(st));
  if (st == PK_OK) {
    pk_dataset_free(d);
    return;
  }
  size_t fl = strlen(err.file), nl = strlen(c->file);
  CHECK(fl >= nl && strcmp(err.file + fl - nl, c->file) == 0, "%s: the error names file '%s'",
        c->file, err.file);
  CHECK(err.line == c->line && err.column == c->column, "%s: at %d:%d, expected %d:%d (%s)",
        c->file, err.line, err.column, c->line, c->column, err.message);
  for (int k = 0; k < 3 && c->expect[k]; k++)
    CHECK(strstr(err.message, c->expect[k]) != NULL, "%s: message '%s' lacks '%s'", c->file,
          err.message, c->expect[k]);
  /* the formatted text starts file:line:column */
  char buf[2048], want[600];
  pk_error_format(&err, buf, sizeof buf);
  if (c->line > 0 && c->column > 0) {
    snprintf(want, sizeof want, "%s:%d:%d: column ", c->file, c->line, c->column);
    CHECK(strstr(buf, want) != NULL, "%s: formatted as '%s'", c->file, buf);
  }
}

#endif
