/* pk/sim.h - simulate a model under a regimen.
 *
 * Two paths (pk_solver): the exact path, the default for every model
 * without kinetic receptor binding, propagates the linear part exactly
 * (modal coordinates, or matrix exponentials) and the PD states (tol and,
 * in version 2, the withdrawal filters) by their variation-of-constants
 * formulas with quadrature of E to a stated bound; it is the engine of
 * pk_batch_run with the subject alone in a pack, so a subject gets the same
 * numbers here as in a batch. The ODE path integrates every state with
 * GSL's gsl_odeiv2 driver at the stated tolerances. Both
 * integrate exactly up to each dose and restart after it. The output row at
 * a dose time shows the state just after the dose.
 *
 * GSL's default error handler aborts the process; libpk validates inputs so
 * that GSL is not reached with bad ones, but programs should still turn it
 * off once at start-up with pk_gsl_error_handler_off() (which needs no GSL
 * header or library of their own).
 */
#ifndef PK_SIM_H
#define PK_SIM_H

#include "pk/error.h"
#include "pk/model.h"
#include "pk/regimen.h"
#include "pk/trajectory.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum pk_ode_method {
  PK_ODE_RK8PD = 0, /* explicit embedded Runge-Kutta Prince-Dormand (8,9) */
  PK_ODE_MSBDF = 1, /* variable-order BDF (stiff); Jacobian analytic for the linear part */
  PK_ODE_RKF45 = 2  /* explicit embedded Runge-Kutta-Fehlberg (4,5) */
} pk_ode_method;

typedef enum pk_solver {
  PK_SOLVER_AUTO = 0,  /* exact when the model allows it (no kinetic binding), else ODE */
  PK_SOLVER_EXACT = 1, /* exact propagation of the linear part (matrix exponentials,
                          cached per step length) and quadrature of the exact solution
                          for tol; models without kinetic receptor binding */
  PK_SOLVER_ODE = 2    /* GSL gsl_odeiv2 on every state: any model; the reference */
} pk_solver;

/* The ODE path's tolerances must lie in these ranges (pk_simulate, and so
 * every batch, returns PK_ERR_INVALID otherwise): tighter than 1e-14
 * relative is below the rounding of double precision, looser than 1e-2
 * relative or 1e-6 absolute (1 pmol, 1 fM, 1e-6 of the system maximum for
 * tol) no longer bounds the error of anything the outputs show (rtol 0.99
 * or atol 1e308 gave concentrations of -1e11 to -3.7e268 nM). Within them,
 * a state (amount, concentration, tol, bound fraction; all >= 0 in exact
 * arithmetic) that the integration drives below
 * -PK_NEGATIVE_STATE_FACTOR * (atol + rtol * the largest magnitude of that
 * state so far) is reported as a solver failure (PK_ERR_SOLVER, the time in
 * err->t_h, the state named), never written out; on the exact path, whose
 * only error is rounding, a state below -1e-9 times the largest magnitude
 * of any state so far. The exact path also refuses (PK_ERR_SOLVER) a model
 * whose fastest rate exceeds 1e10 1/h, where its rounding (about 2.2e-16
 * times that rate, relative, per hour) would show. */
#define PK_RTOL_MIN 1e-14
#define PK_RTOL_MAX 1e-2
#define PK_ATOL_MAX 1e-6
#define PK_NEGATIVE_STATE_FACTOR 100.0

typedef struct pk_sim_options {
  double t_start_h;       /* simulation start: initial state given here, h */
  double output_start_h;  /* first output time, h (>= t_start_h) */
  double t_end_h;         /* last output time, h (> output_start_h) */
  double output_step_h;   /* output grid spacing, h (> 0) */
  double tol0;            /* adaptation level at t_start_h (>= 0) */
  pk_solver solver;       /* which path (default auto) */
  pk_ode_method method;   /* ODE path: stepper */
  double rtol;            /* relative tolerance per step, in [PK_RTOL_MIN, PK_RTOL_MAX] */
  double atol;            /* absolute tolerance per step, in state units (umol, nM; the
                             fractions tol and bound receptor), in (0, PK_ATOL_MAX] */
  int include_amounts;    /* 1: add A_* amount columns (umol) */
  /* The exact path's bound on the quadrature error of E per hour, which
   * chooses the number of Gauss-Legendre nodes of each step (default 1e-11:
   * outputs within about 1e-9 relative of the ODE path at tight tolerance;
   * <= 0 or NaN: the default). Runs the batch kernel does not take
   * (steady-state records, resets, amount columns, ill-conditioned modes)
   * use adaptive Gauss-Kronrod quadrature and ignore it. */
  double quad_tol;
  /* Optional history: the subject has taken this regimen every
   * steady_state_period_h hours for a long time before t_start_h (dose times
   * relative to the start of a period, in [0, period)). The state at
   * t_start_h is then the periodic steady state of that regimen at the start
   * of a period, computed, not simulated: exactly for the linear part from
   * the matrix exponential of one period; for kinetic binding by iterating
   * periods to convergence; for tol from its linear periodic fixed point.
   * Doses of the history still being absorbed or infused at t_start_h go on
   * after it (lag and infusion tails). tol0 is then ignored. NULL: none. */
  const pk_regimen *steady_state;
  double steady_state_period_h; /* > 0 when steady_state is set */
} pk_sim_options;

/* Defaults: start 0, output from 0 to 24 h every 1 h, tol0 0, rk8pd,
 * rtol 1e-10, atol 1e-12, no steady-state history. */
PK_API pk_sim_options pk_sim_options_default(void);

/* Turns off GSL's default error handler, which aborts the process: libpk
 * checks the status of every GSL call and reports failures as a pk_status.
 * The handler is process-wide (GSL's gsl_set_error_handler_off): call this
 * once at start-up, before threads use libpk; a program that installs a
 * GSL handler of its own need not call it. */
PK_API void pk_gsl_error_handler_off(void);

/* Simulates model m under regimen r. Doses before t_start_h or after t_end_h
 * are errors, as is a regimen with no dose (unless a steady-state history is
 * given). On success *out owns a new
 * trajectory (free with pk_trajectory_free). A solver failure returns
 * PK_ERR_SOLVER with the time reached in err->t_h. */
PK_API pk_status pk_simulate(const pk_model *m, const pk_regimen *r, const pk_sim_options *opt,
                             pk_trajectory **out, pk_error *err);

/* The highest (want_max 1) or lowest (0) value of output column `column`
 * (such as "C_mg", "occ", "W") of pk_simulate(m, r, opt) over the times
 * [t_lo_h, t_hi_h], on the continuous solution rather than the output grid:
 * the window is simulated again at 128 sub-intervals around the best time so
 * far, shrinking 64-fold per round, until it is PK_EXTREMUM_TOL_H wide (the
 * time of the extremum is then known to that, its value to the solver's
 * accuracy). A jump (a dose) counts at its right limit, as output rows
 * show. t_lo_h must be >= opt->t_start_h; doses after t_hi_h are ignored.
 * *t_h receives the (first) time and *value the value. Costs about four
 * simulations up to the window's end (on the exact path, a propagation per
 * earlier dose and 129 rows each; about 0.9 ms on the default taper). */
#define PK_EXTREMUM_TOL_H 1e-6
PK_API pk_status pk_sim_extremum(const pk_model *m, const pk_regimen *r,
                                 const pk_sim_options *opt, const char *column, double t_lo_h,
                                 double t_hi_h, int want_max, double *t_h, double *value,
                                 pk_error *err);
PK_API const char *pk_ode_method_name(pk_ode_method method);
PK_API const char *pk_solver_name(pk_solver solver); /* "auto", "exact", "ode" */

/* The path pk_simulate takes for model m under opt: PK_SOLVER_EXACT or
 * PK_SOLVER_ODE (auto resolved), or -1 if exact was asked and the model
 * needs the ODE path (err says why). */
PK_API int pk_sim_resolve_solver(const pk_model *m, const pk_sim_options *opt, pk_error *err);

#ifdef __cplusplus
}
#endif
#endif
