/* steady.h - the periodic steady-state start that pk_simulate computes
 * (sim_ode.c), shared with the batch kernel (fast.c), which takes its start
 * state from it where it cannot compute one in closed form. */
#ifndef PK_STEADY_H
#define PK_STEADY_H

#include "events.h"

/* The start of a simulation under options opt with a steady-state history
 * (opt->steady_state), for the compiled system s of model m (which must
 * include the history's depots): the state at opt->t_start_h (y, n_states
 * values, tol included), the inputs running then (rate0, active0, n_lin
 * each) and the history's events still to come, appended to `pending` (order
 * 0: before any record of the main regimen at the same time). As
 * pk_simulate computes it (sim_ode.c). */
pk_status pk_sim_history_start(const pk_model *m, const pk_sim_options *opt, const pk_system *s,
                               double *y, double *rate0, int *active0, pk_event_list *pending,
                               pk_error *err);

#endif
