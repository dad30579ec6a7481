/* fast_w4.c - the batch kernel with packs of 4 lanes, for AVX2 with FMA (compiled
 * with -march=x86-64-v3). */
#define PK_FAST_W 4
#define PK_FAST_OPS pk_fast_ops_w4
#include "fast_kernel.inc"
