/* system.h - a model compiled into the ODE system that the solvers integrate.
 *
 * States: for each compound, depot, central, peripheral (0-2), effect site
 * (ligands only) and cumulative eliminated amount; then the adaptation state
 * tol. Everything but tol obeys x' = A x with constant A between doses.
 * Amounts are umol, effect-site concentrations nM.
 */
#ifndef PK_SYSTEM_H
#define PK_SYSTEM_H

#include "internal.h"

typedef struct pk_system {
  int n_states; /* linear states + 1 (tol) */
  int n_lin;    /* linear states */
  double *A;    /* n_lin x n_lin, row-major */
  int n_compounds;
  int depot[PK_MAX_COMPOUNDS], central[PK_MAX_COMPOUNDS], ce[PK_MAX_COMPOUNDS];
  int periph[PK_MAX_COMPOUNDS][PK_MAX_PERIPHERAL], elim[PK_MAX_COMPOUNDS];
  int n_periph[PK_MAX_COMPOUNDS];
  double V_L[PK_MAX_COMPOUNDS];
  int n_ligands;
  int lig_compound[PK_MAX_COMPOUNDS], lig_state[PK_MAX_COMPOUNDS];
  double lig_fu[PK_MAX_COMPOUNDS], lig_K_nM[PK_MAX_COMPOUNDS], lig_tau[PK_MAX_COMPOUNDS];
  double k_tol_per_h;
  int tol; /* index of the adaptation state */
  int include_amounts;
  int n_cols; /* output columns */
} pk_system;

/* Builds the system for model m; include_amounts adds A_* columns. */
pk_status pk_system_init(pk_system *s, const pk_model *m, int include_amounts, pk_error *err);
void pk_system_release(pk_system *s);

/* Names the output columns of t (t->cols == s->n_cols). */
pk_status pk_system_name_columns(const pk_system *s, const pk_model *m, pk_trajectory *t);

/* Receptor response from the state y: fills occ per ligand (may be NULL),
 * total occupancy and E. */
void pk_system_response(const pk_system *s, const double *y, double *occ_lig, double *occ,
                        double *E);

/* Fills one output row at time t_h from state y. */
void pk_system_output_row(const pk_system *s, double t_h, const double *y, double *row);

#endif
