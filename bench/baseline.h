/* baseline.h - the straightforward exact propagation that the batch
 * engine's speed is measured against (bench_kernel).
 *
 * Per subject: the system of pk_system_init, its dose events, Phi = exp(A 1 h)
 * by GSL's scaling and squaring once, and the effect-site rows of
 * exp(A tau_j) at the n Gauss-Legendre nodes tau_j of a 1 h step (n more
 * matrix exponentials). Then, hour by hour from the simulation start:
 *
 *     tol <- e^{-k} tol + k sum_j w_j e^{-k (1 h - tau_j)} E(tau_j)
 *     x   <- Phi x                 (one dense mat-vec over the linear states)
 *     doses due at the new hour added; the output row (pk_simulate's columns)
 *     filled and folded into the running summaries
 *
 * where E(tau_j) comes from the node rows times the state at the start of
 * the hour, with the equilibrium operational model of pk_system_response.
 * Nothing of the trajectory is stored: the summaries are those of
 * pk_batch_summarise (pk/batch.h), computed as the rows arrive.
 *
 * Only what the benchmark scenario needs is supported: boluses on the hour
 * grid of the simulation start (after lag), a 1 h output step starting a
 * whole number of hours after the start, equilibrium receptor binding; no
 * zero-order inputs, resets, steady-state records or steady-state history.
 * Anything else is PK_ERR_INVALID with the reason.
 */
#ifndef PK_BENCH_BASELINE_H
#define PK_BENCH_BASELINE_H

#include <stddef.h>
#include "pk/pk.h"

enum { BASELINE_MAX_NODES = 32 };

typedef struct baseline baseline;

/* Called with each output row (the columns of pk_simulate's trajectory:
 * time_h, C_*, ce_*, occ, occ_*, E, net, tol, W[, A_*]). */
typedef void (*baseline_row_fn)(void *ctx, const double *row, size_t n_cols);

/* A workspace for n_nodes Gauss-Legendre nodes per hour (1 to
 * BASELINE_MAX_NODES), reused across subjects. NULL if out of memory or
 * n_nodes is out of range. */
baseline *baseline_new(int n_nodes);
void baseline_free(baseline *b); /* NULL is safe */
int baseline_nodes(const baseline *b);

/* Summary values of a subject of model m: pk_batch_summarise's layout
 * (Cmax, Tmax, Cmin, AUC per compound; occ_min, occ_max, E_max, W_max,
 * h_W_above, h_occ_above), 4 per compound + 6. */
size_t baseline_summary_count(const pk_model *m);

/* Simulates model m under regimen r on the output grid of o and writes the
 * summaries (baseline_summary_count values) to summary, with the batch
 * engine's thresholds for W and occupancy. on_row (may be NULL) sees every
 * output row. */
pk_status baseline_run(baseline *b, const pk_model *m, const pk_regimen *r,
                       const pk_sim_options *o, double w_threshold, double occ_threshold,
                       double *summary, baseline_row_fn on_row, void *ctx, pk_error *err);

/* Baseline B: the same subject with a direct gsl_odeiv2_driver loop (rk8pd,
 * at rtol, atol) over the model's right-hand side (A y for the linear
 * states, the PD rows as pk_system computes them), hour by hour, the driver
 * reset after each dose; the same output rows and summaries as baseline_run.
 * Not pk_simulate: no negative-state checks, no step caps. */
pk_status baseline_ode_run(const pk_model *m, const pk_regimen *r, const pk_sim_options *o,
                           double rtol, double atol, double w_threshold, double occ_threshold,
                           double *summary, baseline_row_fn on_row, void *ctx, pk_error *err);

#endif
