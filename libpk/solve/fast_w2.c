/* fast_w2.c - the batch kernel with packs of 2 lanes, for the build's baseline
 * instruction set (SSE2 on x86-64). */
#define PK_FAST_W 2
#define PK_FAST_OPS pk_fast_ops_w2
#include "fast_kernel.inc"
