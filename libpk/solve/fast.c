/* fast.c - the batch kernel's front (fast.h): the variant for this
 * machine's vector registers (fast_ops.h), chosen at run time. */
#include <stdlib.h>
#include <string.h>
#include "fast_ops.h"

struct pk_fast {
  const pk_fast_ops *ops;
  void *k;
};

/* The variants, widest first, with what the processor needs for each. */
typedef struct variant {
  const pk_fast_ops *ops;
  const char *name;
  int (*supported)(void);
} variant;

#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
#define PK_FAST_X86 1
#endif

#if defined(PK_FAST_HAVE_W8) && defined(PK_FAST_X86)
/* x86-64-v4: AVX-512 F, BW, CD, DQ, VL (the compiler's checks include the
 * operating system's support for the registers) */
static int have_v4(void) {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
         __builtin_cpu_supports("avx512cd") && __builtin_cpu_supports("avx512dq") &&
         __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx2") &&
         __builtin_cpu_supports("fma") && __builtin_cpu_supports("bmi") &&
         __builtin_cpu_supports("bmi2");
}
#endif
#if defined(PK_FAST_HAVE_W4) && defined(PK_FAST_X86)
/* x86-64-v3: AVX2, FMA, BMI1, BMI2 (and AVX, F16C, LZCNT, MOVBE, which
 * every processor with these has) */
static int have_v3(void) {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
         __builtin_cpu_supports("bmi") && __builtin_cpu_supports("bmi2");
}
#endif
static int always(void) { return 1; }

static const variant VARIANTS[] = {
#if defined(PK_FAST_HAVE_W8) && defined(PK_FAST_X86)
    {&pk_fast_ops_w8, "avx512", have_v4},
#endif
#if defined(PK_FAST_HAVE_W4) && defined(PK_FAST_X86)
    {&pk_fast_ops_w4, "avx2", have_v3},
#endif
#if defined(PK_FAST_X86)
    {&pk_fast_ops_w2, "sse2", always},
#else
    {&pk_fast_ops_w2, "generic", always},
#endif
    {&pk_fast_ops_w1, "scalar", always},
};
enum { N_VARIANTS = sizeof VARIANTS / sizeof VARIANTS[0] };

static const variant *chosen(void) {
  const char *want = getenv("PK_SIMD");
  const variant *best = NULL;
  for (int i = 0; i < N_VARIANTS; i++) {
    if (!VARIANTS[i].supported()) continue;
    if (!best) best = &VARIANTS[i];
    if (want && strcmp(want, VARIANTS[i].name) == 0) return &VARIANTS[i];
  }
  return best;
}

int pk_fast_choose(const char **isa) {
  const variant *v = chosen();
  if (isa) *isa = v->name;
  return v->ops->lanes;
}

static const variant *by_lanes(int lanes) {
  for (int i = 0; i < N_VARIANTS; i++)
    if (VARIANTS[i].ops->lanes == lanes && VARIANTS[i].supported()) return &VARIANTS[i];
  return NULL;
}

int pk_fast_available(int lanes) { return by_lanes(lanes) != NULL; }

pk_fast *pk_fast_new_lanes(int lanes) {
  const variant *v = by_lanes(lanes);
  if (!v) return NULL;
  pk_fast *f = malloc(sizeof *f);
  if (!f) return NULL;
  f->ops = v->ops;
  if (!(f->k = f->ops->new_())) {
    free(f);
    return NULL;
  }
  return f;
}

pk_fast *pk_fast_new(void) { return pk_fast_new_lanes(pk_fast_choose(NULL)); }

void pk_fast_free(pk_fast *f) {
  if (!f) return;
  f->ops->free_(f->k);
  free(f);
}

int pk_fast_lanes(const pk_fast *f) { return f->ops->lanes; }

int pk_fast_lane(pk_fast *f, int lane, const pk_model *m, const pk_regimen *r,
                 const pk_sim_options *o, pk_error *err) {
  return f->ops->lane(f->k, lane, m, r, o, err);
}

int pk_fast_run(pk_fast *f, int n_lanes, const pk_sim_options *o, pk_fast_row_fn fn, void *ctx,
                pk_fast_summary *summary, int (*stop_fn)(void *), void *stop_ctx,
                pk_status *status, pk_error *errs) {
  return f->ops->run(f->k, n_lanes, o, fn, ctx, summary, stop_fn, stop_ctx, status, errs);
}

const pk_system *pk_fast_system(const pk_fast *f, int lane) { return f->ops->system(f->k, lane); }

void pk_fast_set_pre_step(pk_fast *f, double h) { f->ops->pre_step(f->k, h); }
