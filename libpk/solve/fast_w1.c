/* fast_w1.c - the batch kernel with one lane: scalar code, for tests and
 * comparisons (PK_SIMD=scalar). */
#define PK_FAST_W 1
#define PK_FAST_OPS pk_fast_ops_w1
#include "fast_kernel.inc"
