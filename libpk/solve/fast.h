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
#include "system.h"

/* The widest pack of any variant. */
enum { PK_FAST_MAX_LANES = 8 };

/* Error bound per unit time on the integral of E over a step (E is at most
 * 1) when the options give none (pk_sim_options.quad_tol): the
 * quadrature's node count is the smallest whose bound is below it. */
#define PK_FAST_QUAD_TOL 1e-11

/* Per-subject summaries between two output rows, shared by the batch
 * engine's row-by-row summaries and the kernel's, so that both give the
 * same numbers. */

/* Part of [t0, t1] (h) where the segment from y0 to y1 is above thr:
 * crossings interpolated on a log scale between positive values. */
static inline double pk_seg_above(double t0, double t1, double y0, double y1, double thr) {
  int a0 = y0 > thr, a1 = y1 > thr;
  if (a0 && a1) return t1 - t0;
  if (!a0 && !a1) return 0.0;
  double f; /* fraction of the step at which y crosses thr */
  if (y0 > 0 && y1 > 0 && thr > 0) f = log(thr / y0) / log(y1 / y0);
  else f = (thr - y0) / (y1 - y0);
  if (!(f >= 0)) f = 0;
  if (f > 1) f = 1;
  return (a0 ? f : 1.0 - f) * (t1 - t0);
}

/* ln x for the log-down trapezoid, within about 2 ulp: x = m 2^e with m in
 * [sqrt(1/2), sqrt(2)], ln m = 2 atanh(s), s = (m - 1) / (m + 1), |s| <=
 * 0.172, by its series to s^23. The kernel evaluates the same operations
 * for eight lanes at once (fast.c), so both give the same bits; values
 * that are not normal numbers go to the C library. */
#define PK_LOG_SERIES                                                                         \
  2.0 / 23, 2.0 / 21, 2.0 / 19, 2.0 / 17, 2.0 / 15, 2.0 / 13, 2.0 / 11, 2.0 / 9, 2.0 / 7,    \
      2.0 / 5, 2.0 / 3
#define PK_LN2_HI 6.93147180369123816490e-01 /* high bits of ln 2: e * PK_LN2_HI is exact */
#define PK_LN2_LO 1.90821492927058770002e-10
static inline double pk_log(double x) {
  if (!(x >= DBL_MIN && x <= DBL_MAX)) return log(x);
  static const double c[] = {PK_LOG_SERIES};
  uint64_t bits;
  memcpy(&bits, &x, sizeof bits);
  int64_t e = (int64_t)((bits >> 52) & 0x7ff) - 1023;
  uint64_t mb = (bits & 0xfffffffffffffULL) | 0x3ff0000000000000ULL;
  double m;
  memcpy(&m, &mb, sizeof m);
  if (m > 1.41421356237309504880) m *= 0.5, e += 1;
  double s = (m - 1.0) / (m + 1.0), s2 = s * s, p = c[0];
  for (size_t k = 1; k < sizeof c / sizeof c[0]; k++) p = p * s2 + c[k];
  double r = 2.0 * s + s * (s2 * p);
  double ed = (double)e;
  return ed * PK_LN2_HI + (ed * PK_LN2_LO + r);
}

/* Linear-up / log-down trapezoid between two samples (nM h). */
static inline double pk_seg_auc(double t0, double t1, double c0, double c1) {
  double dt = t1 - t0;
  if (c1 < c0 && c1 > 0 && c0 > 0) return dt * (c0 - c1) / pk_log(c0 / c1);
  return 0.5 * dt * (c0 + c1);
}

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
 * subject but not in this pack (its layout, modes or event timing differ
 * from lane 0's: start a new pack with it at lane 0); PK_FAST_REFUSED (0)
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

#endif
