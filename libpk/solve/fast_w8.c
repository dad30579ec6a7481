/* fast_w8.c - the batch kernel with packs of 8 lanes, for AVX-512 (compiled with
 * -march=x86-64-v4). */
#define PK_FAST_W 8
#define PK_FAST_OPS pk_fast_ops_w8
#include "fast_kernel.inc"
