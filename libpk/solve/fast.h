/* fast.h - the batch kernel: the exact path for packs of subjects.
 *
 * Subjects of a batch differ in their parameters and dose amounts but
 * usually share the timing of every event. The kernel runs a pack of such
 * subjects side by side, one per lane of every array, so that each
 * arithmetic operation serves all of them (SIMD across subjects). A pack is
 * as wide as a vector register of the machine: 8 lanes with AVX-512, 4 with
 * AVX2, 2 otherwise (and a scalar variant, one lane), chosen at run time
 * (pk_fast_choose; fast_ops.h).
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
 * on the other subjects in its pack (nor on thread or shard counts); packs
 * of different widths give the same numbers up to the rounding of fused
 * multiply-adds (AVX2 and AVX-512 have them, SSE2 not).
 * A steady-state history starts from the state pk_simulate computes for it
 * (pk_sim_history_start). Anything the kernel does not handle (kinetic
 * binding, resets, steady-state records, amount columns, eigenvectors that
 * are ill-conditioned) is reported as unsupported and the caller uses
 * pk_simulate for that subject.
 */
#ifndef PK_FAST_H
#define PK_FAST_H

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <string.h>
#include "segment.h"
#include "system.h"

/* The widest pack of any variant. */
enum { PK_FAST_MAX_LANES = 8 };

/* Error bound per unit time on the integral of E over a step (E is at most
 * 1) when the options give none (pk_sim_options.quad_tol): the
 * quadrature's node count is the smallest whose bound is below it. */
#define PK_FAST_QUAD_TOL 1e-11

/* Summaries the kernel accumulates itself (no row callback needed): per
 * compound Cmax, Tmax, Cmin (after t_first_h), AUC; then min and max
 * occupancy, max E, max W, hours with W above w_threshold and with
 * occupancy above occ_threshold: 4 n_compounds + 6 values per lane, in
 * that order, into out[lane]. */
typedef struct pk_fast_summary {
  double t_first_h, w_threshold, occ_threshold;
  double *out[PK_FAST_MAX_LANES];
  size_t rows; /* set by the run: the rows summarised */
} pk_fast_summary;

typedef struct pk_fast pk_fast;

/* A workspace for one thread with the pack width that pk_fast_choose
 * gives, NULL if out of memory. */
pk_fast *pk_fast_new(void);
/* The same with packs of `lanes` lanes (8, 4, 2 or 1): NULL if this build or
 * this processor has no such variant, or if out of memory. */
pk_fast *pk_fast_new_lanes(int lanes);
/* Lanes per pack (the most a pk_fast_run takes). */
int pk_fast_lanes(const pk_fast *f);
/* The pack width used by pk_fast_new: the widest variant that the build
 * has and the processor supports, or the one the environment variable
 * PK_SIMD names ("avx512", "avx2", "sse2" or, on other processors,
 * "generic", and "scalar": one subject at a time; a name this machine
 * cannot run is ignored), and that name for reports. */
int pk_fast_choose(const char **isa);
/* Whether this build and this processor can run packs of `lanes` lanes. */
int pk_fast_available(int lanes);
void pk_fast_free(pk_fast *f);

/* Prepares lane `lane` (0: the pack's first; below pk_fast_lanes) for
 * model m under regimen r and options o. Returns PK_FAST_READY (1) if the lane is ready and shares the
 * timing and layout of lane 0; PK_FAST_MISFIT (2) if the kernel takes the
 * subject but not in this pack (its layout, modes, start or event timing
 * differ from lane 0's: start a new pack with it at lane 0); PK_FAST_REFUSED (0)
 * if it needs pk_simulate (the pack is unaffected: the next subject may
 * take the same lane); -1 with err set on a hard error (out of memory). */
enum { PK_FAST_REFUSED = 0, PK_FAST_READY = 1, PK_FAST_MISFIT = 2 };
int pk_fast_lane(pk_fast *f, int lane, const pk_model *m, const pk_regimen *r,
                 const pk_sim_options *o, pk_error *err);

/* Called with each output row of each lane (s->n_cols values, row k). A
 * non-zero return stops that lane. */
typedef int (*pk_fast_row_fn)(void *ctx, int lane, size_t k, const double *row);

/* Runs lanes [0, n_lanes) prepared by pk_fast_lane, with the output grid
 * and start of o (the options every lane was prepared with). status[lane]
 * and errs[lane] receive each lane's outcome. fn (may be NULL) receives
 * every row; summary (may be NULL) is filled at the end. status[lane] (PK_ERR_SOLVER with the time
 * when the quadrature cannot reach its bound or the state stops being
 * finite). stop_fn (may be NULL) is polled every few thousand steps: when
 * it returns non-zero the run returns 1 (interrupted), else 0. */
int pk_fast_run(pk_fast *f, int n_lanes, const pk_sim_options *o, pk_fast_row_fn fn, void *ctx,
                pk_fast_summary *summary, int (*stop_fn)(void *), void *stop_ctx,
                pk_status *status, pk_error *errs);

/* The system of lane `lane` (for column names). */
const pk_system *pk_fast_system(const pk_fast *f, int lane);

/* Before the first output time the kernel steps from each event in lengths
 * that double (h, h, 2h, 4h, ...); h is the output step unless set here
 * (> 0). Only the step lengths change, not what the quadrature bound
 * guarantees: pk_sim_extremum keeps the scenario's step for the run-up to
 * a narrow window, whose own output step would make thousands of distinct
 * step lengths. */
void pk_fast_set_pre_step(pk_fast *f, double h);

/* pk_simulate with that step (0: the output step) where the kernel runs. */
pk_status pk_sim_run_pre(const pk_model *m, const pk_regimen *r, const pk_sim_options *opt,
                         double pre_step_h, pk_trajectory **out, pk_error *err);

#endif
