/* fast.h - the batch kernel: the exact path for packs of subjects.
 *
 * Subjects of a batch differ in their parameters and dose amounts but
 * usually share the timing of every event. The kernel runs up to
 * PK_FAST_LANES such subjects side by side, one per lane of every array, so
 * that each arithmetic operation serves all of them (SIMD across subjects):
 *
 * - the linear part in modal coordinates, A = V diag(lambda) V^-1, with the
 *   eigenvalues in closed form from the block-triangular structure of the
 *   rate matrix (one block per strongly connected group of compartments:
 *   a depot, central with its peripherals, an effect site); propagation over
 *   a step is elementwise, e^{lambda h}, with tables shared by every step of
 *   the same length;
 * - tol by its variation-of-constants formula, the integral of
 *   e^{-k (h - s)} E(s) by Gauss-Legendre quadrature whose number of nodes
 *   is chosen per step and per subject from an error bound on the modal
 *   amplitudes (few nodes where E is smooth, many after a dose), the step
 *   bisected where even the largest rule would not do.
 *
 * The quadrature choice is per lane, so a subject's results do not depend
 * on the other subjects in its pack (nor on thread or shard counts).
 * Anything the kernel does not handle (kinetic binding, resets,
 * steady-state records or history, amount columns, eigenvectors that are
 * ill-conditioned) is reported as unsupported and the caller uses
 * pk_simulate for that subject.
 */
#ifndef PK_FAST_H
#define PK_FAST_H

#include "system.h"

enum { PK_FAST_LANES = 8 };

/* Error bound per unit time on the integral of E over a step (E is at most
 * 1): the quadrature's node count is the smallest whose bound is below it. */
#define PK_FAST_QUAD_TOL 1e-12

typedef struct pk_fast pk_fast;

/* A workspace for one thread, NULL if out of memory. */
pk_fast *pk_fast_new(void);
void pk_fast_free(pk_fast *f);

/* Prepares lane `lane` (0: the pack's first) for model m under regimen r and
 * options o. Returns 1 if the lane is ready and shares the timing and
 * layout of lane 0, 0 if this subject needs pk_simulate or does not fit the
 * pack (call with lane 0 to start a new pack), -1 with err set on a hard
 * error (out of memory). */
int pk_fast_lane(pk_fast *f, int lane, const pk_model *m, const pk_regimen *r,
                 const pk_sim_options *o, pk_error *err);

/* Called with each output row of each lane (s->n_cols values, row k). A
 * non-zero return stops that lane. */
typedef int (*pk_fast_row_fn)(void *ctx, int lane, size_t k, const double *row);

/* Runs lanes [0, n_lanes) prepared by pk_fast_lane, with the output grid
 * and start of o (the options every lane was prepared with). status[lane]
 * and errs[lane] receive each lane's outcome (PK_ERR_SOLVER with the time
 * when the quadrature cannot reach its bound or the state stops being
 * finite). stop_fn (may be NULL) is polled every few thousand steps: when
 * it returns non-zero the run returns 1 (interrupted), else 0. */
int pk_fast_run(pk_fast *f, int n_lanes, const pk_sim_options *o, pk_fast_row_fn fn, void *ctx,
                int (*stop_fn)(void *), void *stop_ctx, pk_status *status, pk_error *errs);

/* The system of lane `lane` (for column names). */
const pk_system *pk_fast_system(const pk_fast *f, int lane);

#endif
