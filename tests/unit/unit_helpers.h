/* unit_helpers.h - small helpers shared by the unit tests: building compounds
 * and reading trajectory columns by name, with every failure reported through
 * check.h so that a broken setup shows up as a failed check, not a crash. */
#ifndef PK_UNIT_HELPERS_H
#define PK_UNIT_HELPERS_H

#include <math.h>
#include <stdio.h>
#include <string.h>
#include "check.h"
#include "pk/pk.h"

/* Tight solver tolerances for comparisons against closed forms: the checks
 * ask for 1e-8 relative, so the integrator must be well below that. */
static const double unit_rtol = 1e-12; /* relative, per step */
static const double unit_atol = 1e-15; /* absolute, umol or nM, per step */

/* A compound with the given id (also used as its name), molecular weight
 * (g/mol), absorption rate (1/h), central volume (L) and clearance (L/h);
 * everything else at its default (F 1, no lag, no peripheral, no ligand). */
static inline pk_compound_params unit_compound(const char *id, double mw, double ka, double V,
                                               double CL) {
  pk_compound_params p = pk_compound_params_default();
  snprintf(p.id, sizeof p.id, "%s", id);
  snprintf(p.name, sizeof p.name, "%s", id);
  p.mw_g_per_mol = mw;
  p.ka_per_h = ka;
  p.V_L = V;
  p.CL_L_per_h = CL;
  return p;
}

/* Makes compound p a receptor ligand. */
static inline void unit_ligand(pk_compound_params *p, double ke0, double fu, double K_nM,
                               double tau) {
  p->binds_receptor = 1;
  p->ke0_per_h = ke0;
  p->fu = fu;
  p->K_nM = K_nM;
  p->tau = tau;
}

/* Adds p to m and returns its index, -1 (and a failed check) on error. */
static inline int unit_add(pk_model *m, const pk_compound_params *p) {
  pk_error err;
  int idx = -1;
  pk_status st = pk_model_add_compound(m, p, &idx, &err);
  CHECK(st == PK_OK, "adding compound %s: %s", p->id, err.message);
  return st == PK_OK ? idx : -1;
}

/* Adds a dose, reporting a failure as a failed check. */
static inline void unit_dose(pk_regimen *r, int compound, pk_route route, double t_h,
                             double mg) {
  pk_error err;
  pk_status st = pk_regimen_add_dose(r, compound, route, t_h, mg, &err);
  CHECK(st == PK_OK, "adding a dose at %g h: %s", t_h, err.message);
}

/* Options with an output grid from 0 to t_end every step hours, the strict
 * tolerances above and the amount columns on. */
static inline pk_sim_options unit_options(double t_end, double step) {
  pk_sim_options o = pk_sim_options_default();
  o.t_end_h = t_end;
  o.output_step_h = step;
  o.rtol = unit_rtol;
  o.atol = unit_atol;
  o.include_amounts = 1;
  return o;
}

/* Both solver paths agree on every value of a and b: 1e-8 relative, with
 * an absolute floor of 1e-12 (net, W and the filters wx, wf, differences of
 * numbers of the size of E and tol, on that scale). */
static inline void unit_paths_agree(const pk_trajectory *a, const pk_trajectory *b) {
  size_t rows = pk_trajectory_rows(a), cols = pk_trajectory_cols(a);
  CHECK(rows == pk_trajectory_rows(b) && cols == pk_trajectory_cols(b),
        "the two solver paths give different shapes");
  if (rows != pk_trajectory_rows(b) || cols != pk_trajectory_cols(b)) return;
  int iE = pk_trajectory_column_index(a, "E"), itol = pk_trajectory_column_index(a, "tol");
  for (size_t j = 0; j < cols; j++) {
    const char *col = pk_trajectory_column_name(a, j);
    int diff = !strcmp(col, "net") || !strcmp(col, "W") || !strcmp(col, "wx") ||
               !strcmp(col, "wf");
    for (size_t i = 0; i < rows; i++) {
      double x = pk_trajectory_get(a, i, j), y = pk_trajectory_get(b, i, j);
      double scale = fabs(y);
      if (diff && iE >= 0 && itol >= 0)
        scale = fmax(fabs(pk_trajectory_get(b, i, (size_t)iE)),
                     fabs(pk_trajectory_get(b, i, (size_t)itol)));
      if (!(fabs(x - y) <= 1e-8 * scale + 1e-12)) {
        CHECK(0, "exact and ODE paths differ: %s at row %zu: %.15g vs %.15g", col, i, x, y);
        return;
      }
    }
  }
}

/* Simulates on the path of o and returns the trajectory, NULL (and a failed
 * check) on error. Where the model allows both paths (no kinetic binding)
 * and o asks for the exact path or a tight ODE tolerance (rtol <= 1e-10),
 * the other path runs too (the ODE path at rtol 1e-12, atol 1e-15) and must
 * agree (unit_paths_agree): each test's checks against closed forms then
 * hold for the exact path and the GSL ODE path alike. */
static inline pk_trajectory *unit_simulate(const pk_model *m, const pk_regimen *r,
                                           const pk_sim_options *o) {
  pk_error err;
  pk_trajectory *t = NULL;
  pk_status st = pk_simulate(m, r, o, &t, &err);
  CHECK(st == PK_OK && t, "pk_simulate: %s: %s", pk_status_str(st), err.message);
  if (st != PK_OK) return NULL;
  pk_sim_options other = *o;
  pk_sim_options probe = *o;
  int path = pk_sim_resolve_solver(m, &probe, &err);
  other.solver = path == PK_SOLVER_EXACT ? PK_SOLVER_ODE : PK_SOLVER_EXACT;
  if (other.solver == PK_SOLVER_ODE && other.rtol > 1e-12) other.rtol = 1e-12;
  if (other.solver == PK_SOLVER_ODE && other.atol > 1e-15) other.atol = 1e-15;
  pk_sim_options check = other;
  /* an ODE run at a loose tolerance is tested for itself: no cross-check */
  int tight = path == PK_SOLVER_EXACT || o->rtol <= 1e-10;
  if (tight && path >= 0 && pk_sim_resolve_solver(m, &check, &err) == (int)other.solver) {
    pk_trajectory *u = NULL;
    st = pk_simulate(m, r, &other, &u, &err);
    CHECK(st == PK_OK, "the other solver path (%s): %s", pk_solver_name(other.solver),
          err.message);
    if (st == PK_OK) {
      if (path == PK_SOLVER_EXACT) unit_paths_agree(t, u);
      else unit_paths_agree(u, t);
    }
    pk_trajectory_free(u);
  }
  return t;
}

/* Index of column `name`; a missing column is a failed check and gives -1. */
static inline int unit_col(const pk_trajectory *t, const char *name) {
  int j = pk_trajectory_column_index(t, name);
  if (j < 0) CHECK(j >= 0, "trajectory has no column %s", name);
  return j;
}

/* Value of column `name` at row i (NaN if the column is missing, which then
 * fails any CHECK_CLOSE). */
static inline double unit_get(const pk_trajectory *t, size_t i, const char *name) {
  int j = unit_col(t, name);
  return j >= 0 ? pk_trajectory_get(t, i, (size_t)j) : NAN;
}

/* umol in `mg` milligrams of a compound of molecular weight mw (g/mol). */
static inline double unit_umol(double mg, double mw) { return 1000.0 * mg / mw; }

#endif
