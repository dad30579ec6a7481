/* numfmt.c - "%.12g" without printf: the CSV writers format tens of
 * millions of numbers for a population's trajectories, where printf costs
 * far more than the simulation. See numfmt.h. */
#include "numfmt_impl.h"
#include "internal.h"
#include <stdatomic.h>
#include <stdlib.h>

size_t pk_fmt_g12(double x, char *out) { return pk_fmt_g12_field(x, 0, out); }

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

#if defined(__GNUC__) && defined(__x86_64__)
#define PK_NUMFMT_X86 1
#endif

/* The variants: 0 the baseline, 1 AVX2 (x86-64-v3) where the build has
 * it and the processor runs it (the batch kernel's check, solve/fast.c). */
static int have_variant(int variant) {
  if (variant == 0) return 1;
#if defined(PK_NUMFMT_X86) && defined(PK_NUMFMT_HAVE_V3)
  __builtin_cpu_init();
  if (variant == 1)
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
           __builtin_cpu_supports("bmi") && __builtin_cpu_supports("bmi2");
#endif
  return 0;
}

static size_t format_by(int variant, const double *v, size_t n, int nan_empty, char *buf) {
#if defined(PK_NUMFMT_X86) && defined(PK_NUMFMT_HAVE_V3)
  if (variant == 1) return pk_csv_format_values_v3(v, n, nan_empty, buf);
#else
  (void)variant;
#endif
  return format_values_base(v, n, nan_empty, buf);
}

static size_t rows_by(int variant, const double *v, size_t rows, size_t cols, const char *prefix,
                      size_t prefix_len, int nan_empty, char *buf) {
#if defined(PK_NUMFMT_X86) && defined(PK_NUMFMT_HAVE_V3)
  if (variant == 1 && cols > 0)
    return pk_csv_format_rows_v3(v, rows, cols, prefix, prefix_len, nan_empty, buf);
#endif
  char *p = buf;
  for (size_t i = 0; i < rows; i++) {
    if (prefix_len) memcpy(p, prefix, prefix_len);
    p += prefix_len;
    p += format_by(variant, v + i * cols, cols, nan_empty, p);
    *p++ = '\n';
  }
  return (size_t)(p - buf);
}

size_t pk_numfmt_format_with(int variant, const double *v, size_t n, int nan_empty, char *buf) {
  return have_variant(variant) ? format_by(variant, v, n, nan_empty, buf) : (size_t)-1;
}

size_t pk_numfmt_rows_with(int variant, const double *v, size_t rows, size_t cols,
                           const char *prefix, size_t prefix_len, int nan_empty, char *buf) {
  return have_variant(variant) ? rows_by(variant, v, rows, cols, prefix, prefix_len, nan_empty, buf)
                               : (size_t)-1;
}

/* AVX2 where the processor has it, unless PK_SIMD (the batch kernel's
 * variable) asks for "sse2" or "scalar": the tests' runs with narrower
 * kernels then test the baseline writer too. Chosen once; threads racing
 * here choose the same. */
static int chosen_variant(void) {
  static _Atomic int chosen = -1;
  int c = atomic_load_explicit(&chosen, memory_order_relaxed);
  if (c < 0) {
    const char *want = getenv("PK_SIMD");
    int narrow = want && (strcmp(want, "sse2") == 0 || strcmp(want, "scalar") == 0);
    c = !narrow && have_variant(1);
    atomic_store_explicit(&chosen, c, memory_order_relaxed);
  }
  return c;
}

size_t pk_csv_format_values(const double *v, size_t n, int nan_empty, char *buf) {
  return format_by(chosen_variant(), v, n, nan_empty, buf);
}

size_t pk_csv_format_rows(const double *v, size_t rows, size_t cols, const char *prefix,
                          size_t prefix_len, int nan_empty, char *buf) {
  return rows_by(chosen_variant(), v, rows, cols, prefix, prefix_len, nan_empty, buf);
}
