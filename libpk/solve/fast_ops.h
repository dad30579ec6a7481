/* fast_ops.h - the batch kernel's variants, one per pack width and
 * instruction set (fast_kernel.inc compiled by fast_w8.c, fast_w4.c,
 * fast_w2.c, fast_w1.c), behind the functions of fast.h (fast.c chooses one). */
#ifndef PK_FAST_OPS_H
#define PK_FAST_OPS_H

#include "fast.h"

typedef struct pk_fast_ops {
  int lanes;
  void *(*new_)(void);
  void (*free_)(void *k);
  int (*lane)(void *k, int lane, const pk_model *m, const pk_regimen *r, const pk_sim_options *o,
              pk_error *err);
  int (*run)(void *k, int n_lanes, const pk_sim_options *o, pk_fast_row_fn fn, void *ctx,
             pk_fast_summary *summary, int (*stop_fn)(void *), void *stop_ctx, pk_status *status,
             pk_error *errs);
  const pk_system *(*system)(const void *k, int lane);
  void (*pre_step)(void *k, double h);
} pk_fast_ops;

/* Each is defined only where the build compiled its variant
 * (PK_FAST_HAVE_W8, PK_FAST_HAVE_W4); the two-lane and the scalar ones
 * always are. */
extern const pk_fast_ops pk_fast_ops_w8; /* AVX-512 (x86-64-v4) */
extern const pk_fast_ops pk_fast_ops_w4; /* AVX2 with FMA (x86-64-v3) */
extern const pk_fast_ops pk_fast_ops_w2; /* the build's baseline (SSE2 on x86-64) */
extern const pk_fast_ops pk_fast_ops_w1; /* scalar: one subject at a time */

#endif
