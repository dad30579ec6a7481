/* numfmt.c - "%.12g" without printf: the CSV writers format tens of
 * millions of numbers for a population's trajectories, where printf costs
 * far more than the simulation. See numfmt.h. */
#include "numfmt_impl.h"
#include "internal.h"
#include <stdatomic.h>
#include <stdlib.h>

size_t pk_fmt_g12(double x, char *out) {
  int d = 0;
  uint64_t m = digits12(x, &d);
  return m ? write12(ascii12(m, d), signbit(x) != 0, out) : write_other(x, out);
}

/* Values are formatted in blocks: first the digits of every value of the
 * block, then the text. Each value's digits are a long chain of dependent
 * arithmetic; computed apart from the branches of writing, the chains of
 * a block overlap. */
enum { FMT_BLOCK = 8 };

static size_t format_values_base(const double *v, size_t n, int nan_empty, char *buf) {
  char *p = buf;
  for (size_t j0 = 0; j0 < n; j0 += FMT_BLOCK) {
    size_t nb = n - j0 < FMT_BLOCK ? n - j0 : FMT_BLOCK;
    uint64_t m[FMT_BLOCK];
    int d[FMT_BLOCK];
    for (size_t j = 0; j < nb; j++) m[j] = digits12(v[j0 + j], &d[j]);
    for (size_t j = 0; j < nb; j++) {
      double x = v[j0 + j];
      *p++ = ',';
      if (m[j]) p += write12(ascii12(m[j], d[j]), signbit(x) != 0, p);
      else if (!(nan_empty && isnan(x))) p += write_other(x, p);
    }
  }
  return (size_t)(p - buf);
}

#if defined(PK_NUMFMT_HAVE_V3) && defined(__GNUC__) && defined(__x86_64__)
/* The AVX2 writer where the processor has x86-64-v3, unless PK_SIMD (the
 * batch kernel's variable, solve/fast.c) asks for "sse2" or "scalar": the
 * tests then run the baseline writer too. Chosen once; racing threads
 * choose the same. */
static int use_v3(void) {
  static _Atomic int chosen; /* 0 not yet, 1 baseline, 2 AVX2 */
  int c = atomic_load_explicit(&chosen, memory_order_relaxed);
  if (c == 0) {
    __builtin_cpu_init();
    const char *want = getenv("PK_SIMD");
    int narrow = want && (strcmp(want, "sse2") == 0 || strcmp(want, "scalar") == 0);
    c = !narrow && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
                __builtin_cpu_supports("bmi") && __builtin_cpu_supports("bmi2")
            ? 2
            : 1;
    atomic_store_explicit(&chosen, c, memory_order_relaxed);
  }
  return c == 2;
}
#endif

size_t pk_numfmt_format_with(int variant, const double *v, size_t n, int nan_empty, char *buf) {
  if (variant == 0) return format_values_base(v, n, nan_empty, buf);
#if defined(PK_NUMFMT_HAVE_V3) && defined(__GNUC__) && defined(__x86_64__)
  if (variant == 1 && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
      __builtin_cpu_supports("bmi") && __builtin_cpu_supports("bmi2"))
    return pk_csv_format_values_v3(v, n, nan_empty, buf);
#endif
  return (size_t)-1;
}

size_t pk_csv_format_values(const double *v, size_t n, int nan_empty, char *buf) {
#if defined(PK_NUMFMT_HAVE_V3) && defined(__GNUC__) && defined(__x86_64__)
  if (use_v3()) return pk_csv_format_values_v3(v, n, nan_empty, buf);
#endif
  return format_values_base(v, n, nan_empty, buf);
}
