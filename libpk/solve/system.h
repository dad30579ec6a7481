/* system.h - a model compiled into the ODE system that the solvers integrate.
 *
 * States: for each compound its absorption depots (one per distinct
 * absorption rate and first-pass behaviour used by the regimen; the oral
 * depot always exists), central, peripheral (0-2), effect site (ligands
 * only) and cumulative eliminated amount; then the adaptation state tol;
 * then (PD version 2) the two filters of the mismatch tol - E, the
 * withdrawal expression wx and the fast follower wf; then one bound-receptor
 * fraction per kinetic ligand; then one activity per enzyme (pk_model.h).
 * The states before tol obey x' = A x + b + F with constant A, b the
 * zero-order inputs running and F the flows an enzyme's activity scales
 * (none without enzymes: the linear system the exact path needs).
 * Amounts are umol, effect-site concentrations nM.
 */
#ifndef PK_SYSTEM_H
#define PK_SYSTEM_H

#include <math.h>
#include "internal.h"

enum { PK_MAX_DEPOTS = 64, PK_EINACT_SOURCES = 9 };

/* PD version 2: filters of the mismatch d = tol - E, m_j' = k_j (d - m_j);
 * j = 0 the withdrawal expression wx, j = 1 the fast follower wf. */
enum { PK_PD_FILTERS = 2, PK_PD_WX = 0, PK_PD_WF = 1 };

typedef struct pk_system {
  int n_states; /* linear states + tol + kinetic bound fractions */
  int n_lin;    /* linear states */
  double *A;    /* n_lin x n_lin, row-major */
  int n_compounds;
  int central[PK_MAX_COMPOUNDS], ce[PK_MAX_COMPOUNDS], elim[PK_MAX_COMPOUNDS];
  int periph[PK_MAX_COMPOUNDS][PK_MAX_PERIPHERAL], n_periph[PK_MAX_COMPOUNDS];
  double V_L[PK_MAX_COMPOUNDS];
  int n_depots;
  int depot_state[PK_MAX_DEPOTS], depot_compound[PK_MAX_DEPOTS], depot_first_pass[PK_MAX_DEPOTS];
  double depot_ka[PK_MAX_DEPOTS];
  int n_ligands, n_kinetic;
  int lig_compound[PK_MAX_COMPOUNDS], lig_state[PK_MAX_COMPOUNDS];
  int lig_bound[PK_MAX_COMPOUNDS]; /* state of the bound fraction, -1 at equilibrium */
  double lig_fu[PK_MAX_COMPOUNDS], lig_K_nM[PK_MAX_COMPOUNDS], lig_tau[PK_MAX_COMPOUNDS];
  double lig_kon[PK_MAX_COMPOUNDS], lig_koff[PK_MAX_COMPOUNDS];
  double k_tol_per_h;
  int tol; /* index of the adaptation state */
  /* PD version 2 (n_filt 2; 0 in version 1): the filters' states (tol + 1
   * + j) and rates, and W = max(0, w_delta (tol - E) + sum_j w_filt[j] m_j):
   * w_delta = beta, w_filt = {1 - beta, -beta} with beta the immediate share
   * (version 1: w_delta 1) */
  int n_filt;
  int filt[PK_PD_FILTERS];
  double k_filt[PK_PD_FILTERS];
  double w_delta, w_filt[PK_PD_FILTERS];
  /* enzymes: activity states (1 = baseline) and turnover; the flows they
   * scale, k a y[from] from state `from` to state `to`, 1/h; and the
   * inactivation of enzyme `enz` by a compound, driven by the unbound
   * concentration sum_k w[k] y[src[k]] (nM; its central amount, and its
   * oral depots for the inlet concentration) */
  int n_enz, enz[PK_MAX_ENZYMES];
  double enz_kdeg[PK_MAX_ENZYMES];
  int n_eflow;
  struct pk_eflow {
    int enz, from, to;
    double k_per_h;
  } eflow[PK_MAX_COMPOUNDS * PK_MAX_ENZYMES + PK_MAX_CONVERSIONS];
  int n_einact;
  struct pk_einact {
    int enz, n_src, src[PK_EINACT_SOURCES];
    double w[PK_EINACT_SOURCES], KI_nM, kinact_per_h;
  } einact[PK_MAX_COMPOUNDS * PK_MAX_ENZYMES];
  int include_amounts;
  int n_cols; /* output columns */
} pk_system;

/* Builds the system for model m and the depots that the n regimens need;
 * include_amounts adds A_* columns. */
pk_status pk_system_init(pk_system *s, const pk_model *m, const pk_regimen *const *regimens,
                         size_t n, int include_amounts, pk_error *err);
void pk_system_release(pk_system *s);

/* The depot state receiving dose d (ORAL or DEPOT route), -1 if none. */
int pk_system_depot_for(const pk_system *s, const pk_model *m, const pk_dose *d);

/* The output rows of a run with options o: every output_step_h from
 * output_start_h up to t_end_h, the last one included when t_end_h is on
 * the grid to 1e-12 relative (one rule for every solver path). */
static inline size_t pk_sim_output_rows(const pk_sim_options *o) {
  return (size_t)floor((o->t_end_h - o->output_start_h) / o->output_step_h * (1.0 + 1e-12) +
                       1e-9) + 1;
}

/* The trajectory pk_simulate would return for (m, r, opt), without its
 * rows: the same checks of the options, regimen and solver, the same
 * columns. Its rows would be at output_start_h + k output_step_h for k <
 * pk_sim_output_rows(opt). Used by the batch engine to lay out its output
 * without simulating anyone. */
pk_status pk_sim_layout(const pk_model *m, const pk_regimen *r, const pk_sim_options *opt,
                        pk_trajectory **out, pk_error *err);

/* Where the PD columns are in an output row (the layout of
 * pk_system_output_row and pk_system_name_columns): E, tol, the filters wx
 * and wf (-1 without them, version 1) and W. */
typedef struct pk_pd_columns {
  int E, tol, wx, wf, W;
} pk_pd_columns;
pk_pd_columns pk_system_pd_columns(const pk_system *s);

/* Names the output columns of t (t->cols == s->n_cols). */
pk_status pk_system_name_columns(const pk_system *s, const pk_model *m, pk_trajectory *t);

/* Receptor state from y: occupancy per ligand (occ_lig may be NULL), total
 * occupancy and response E = sum tau_i occ_i / (1 + sum tau_j occ_j), which is
 * the operational model for ligands at equilibrium. */
void pk_system_response(const pk_system *s, const double *y, double *occ_lig, double *occ,
                        double *E);

/* Derivatives of the nonlinear states (tol, the filters, kinetic bound
 * fractions, enzyme activities): sets dydt's rows from s->tol on. */
void pk_system_nonlinear_rhs(const pk_system *s, const double *y, double *dydt);
/* Adds the enzyme-scaled flows to dydt's linear rows (nothing without
 * enzymes). */
void pk_system_enzyme_flows(const pk_system *s, const double *y, double *dydt);
/* Adds to the Jacobian dfdy (n_states x n_states, row-major) the entries
 * of the enzyme-scaled flows (rows and columns of linear states and
 * activities) and of the activities' dependence on concentrations. */
void pk_system_enzyme_jacobian(const pk_system *s, const double *y, double *dfdy);
/* The state at the start of a run or after a reset: zero amounts, tol at
 * tol0, enzyme activities at their baseline 1. */
void pk_system_initial_state(const pk_system *s, double tol0, double *y);

/* Describes state k for a message, such as "the central amount of compound
 * 'mg' (umol)" (m may be NULL: compounds by index). */
void pk_system_state_name(const pk_system *s, const pk_model *m, int k, char *buf, size_t n);

/* The first state of y below its negative-state bound, -1 if none (the
 * bound in *bound): with rel_all 0, PK_NEGATIVE_STATE_FACTOR * (atol + rtol
 * * ymax[k]) (the ODE path); else rel_all times the largest ymax (the exact
 * path). ymax[k] is the largest |y_k| so far. */
int pk_system_negative_state(const pk_system *s, const double *y, const double *ymax,
                             double atol, double rtol, double rel_all, double *bound);

/* The PD block (tol, and the filters m_j in version 2) is linear given E(t):
 *   tol' = k1 (E - tol),  m_j' = k_j ((tol - E) - m_j).
 * Over a step of length h from (tol0, m_j0), with tau = h - u,
 *   tol(h) = e1 tol0 + k1 I,         I = int_0^h e^{-k1 tau} E(u) du
 *   m_j(h) = e_j m_j0 + k_j g_j(h) tol0 + k_j J_j,
 *            J_j = int_0^h (k1 g_j(tau) - e^{-k_j tau}) E(u) du,
 * with e_i = e^{-k_i h} and g_j(t) = (e^{-k1 t} - e^{-k_j t}) / (k_j - k1)
 * (t e^{-k t} when k1 = k_j), computed without cancellation. The filters do
 * not act on each other: each is the same formula with its own rate. */
double pk_pd_g(double k1, double k2, double t);
/* The weights of E(u) in I and the J_j at lag tau = h - u (w_filt may be
 * NULL). */
void pk_system_pd_weights(const pk_system *s, double tau, double *w_tol, double *w_filt);
/* (I, J) over a + b from (Ia, Ja) over the first part a and (Ib, Jb) over
 * the following part of length b (J arrays of s->n_filt values). */
void pk_system_pd_join(const pk_system *s, double b, double Ia, const double *Ja, double Ib,
                       const double *Jb, double *I, double *J);
/* Advances y[tol] (and the filters) over h given the step's I and J. */
void pk_system_pd_advance(const pk_system *s, double h, double I, const double *J, double *y);
/* The periodic start of the PD block over a period T, from the block's
 * values at the end of one period started at tol = m_j = 0 (tol_T and
 * m_T[j]): tol0 = tol_T / (1 - e1) (tol_keep when k1 = 0), the filters
 * from their own fixed points. */
void pk_system_pd_periodic(const pk_system *s, double T, double tol_T, const double *m_T,
                           double tol_keep, double *y);
/* W from tol, E and the filters m (version 1: max(0, tol - E); m may be
 * NULL then). */
double pk_system_withdrawal(const pk_system *s, double tol, double E, const double *m);

/* Fills one output row at time t_h from state y. */
void pk_system_output_row(const pk_system *s, double t_h, const double *y, double *row);

#endif
