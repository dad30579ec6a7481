/* test_numfmt.c - pk_fmt_g12 writes exactly what snprintf("%.12g") writes:
 * for 4 million doubles with random bits across every exponent it handles
 * (and beyond, where it hands over to snprintf), the decimal boundaries
 * (10^k and the values just below and above), halfway cases of the 12th
 * digit (exact binary ties among them), and the special values. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "numfmt.h"
#include "pk/trajectory.h"

static uint64_t state = 0x9E3779B97F4A7C15ULL;
static uint64_t next(void) { /* splitmix64 */
  uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

/* Every value checked is also written by each variant of
 * pk_csv_format_values, in rows of 1 to 40 values, and compared with
 * printf's text of the same rows. */
enum { BATCH = 4096 };
static double batch[BATCH];
static size_t n_batch = 0;
static int row_text_mismatches = 0, variants_run = 0;

static void check_batch(void) {
  static char want[BATCH * 40], got[BATCH * PK_CSV_FIELD_MAX + 1];
  for (int variant = 0; variant < 2; variant++) {
    size_t at = 0;
    int ran = 0;
    while (at < n_batch) {
      size_t n = 1 + (size_t)(next() % 40);
      if (n > n_batch - at) n = n_batch - at;
      size_t wl = 0;
      for (size_t j = 0; j < n; j++) {
        want[wl++] = ',';
        wl += (size_t)snprintf(want + wl, 40, "%.12g", batch[at + j]);
      }
      size_t gl = pk_numfmt_format_with(variant, batch + at, n, 0, got);
      if (gl == (size_t)-1) break;
      ran = 1;
      if (gl != wl || memcmp(want, got, wl) != 0) {
        got[gl < sizeof got ? gl : 0] = '\0';
        want[wl] = '\0';
        if (row_text_mismatches++ < 5)
          CHECK(0, "variant %d: printf '%s', pk_csv_format_values '%s'", variant, want, got);
      }
      at += n;
    }
    if (ran && n_batch == BATCH) variants_run |= 1 << variant;
  }
  n_batch = 0;
}

static int mismatches = 0;
static void check(double x) {
  batch[n_batch++] = x;
  if (n_batch == BATCH) check_batch();
  char a[64], b[PK_G12_MAX];
  int n = snprintf(a, sizeof a, "%.12g", x);
  size_t m = pk_fmt_g12(x, b);
  if ((size_t)n != m || strcmp(a, b) != 0) {
    if (mismatches++ < 10) CHECK(0, "%.17g: printf '%s', pk_fmt_g12 '%s'", x, a, b);
  }
}

int main(void) {
  test_init();
  for (int i = 0; i < 4000000; i++) {
    /* random mantissa, exponent in [-90, 90] (2^-90 ~ 1e-27 to 2^90 ~ 1e27) */
    uint64_t r = next();
    double x = ldexp((double)(r >> 11) / 9007199254740992.0 + 0.5, (int)(next() % 181) - 90);
    check(r & 1 ? -x : x);
  }
  for (int k = -25; k <= 25; k++) {
    double p = pow(10.0, k);
    check(p), check(nextafter(p, 0)), check(nextafter(p, INFINITY));
    /* 12 nines rounding up to the next power of ten, and halfway cases */
    check(p * 0.9999999999995), check(p * 0.99999999999949), check(p * 1.00000000000050);
    check(p * 1.23456789012350), check(p * 1.23456789012250);
  }
  /* exact ties of the 12th digit, binary fractions that end in 5 right
   * after it: N + 1/2 (12-digit N), N + 1/4 (11), N + 1/8 (10), N + 1/16 (9) */
  for (int i = 0; i < 200000; i++) {
    static const double frac[4] = {0.5, 0.25, 0.125, 0.0625};
    static const double lo[4] = {1e11, 1e10, 1e9, 1e8};
    int j = i % 4;
    double n = lo[j] + (double)(next() % (uint64_t)(9 * lo[j]));
    check(n + frac[j]), check(-(n + frac[j]));
  }
  /* near halves of the 12th digit at every decimal exponent the vector
   * writer takes, where it must hand the value to the exact path */
  for (int i = 0; i < 100000; i++) {
    static const double off[6] = {-1e-4, 1e-4, -0x1p-11, 0x1p-11, -1e-7, 1e-7};
    double n = 1e11 + (double)(next() % 900000000000ULL) + 0.5 + off[i % 6];
    if (i % 7 == 0) n = 999999999999.5 + off[i % 6];
    double x = n * pow(10.0, (int)(next() % 41) - 31);
    check(i & 1 ? -x : x);
  }
  for (long v = 1; v < 100000; v += 7) check((double)v), check(v / 1024.0), check(v * 0.1);
  static const double special[] = {0.0, -0.0, INFINITY, -INFINITY, NAN, 1e-300, 5e-324,
                                   1.7976931348623157e308, 0.5, 0.25, 0.1, 2.5e-5, 1e-5,
                                   9.9999999999995e-5, 123456789012.5, 999999999999.5};
  for (size_t i = 0; i < sizeof special / sizeof special[0]; i++) check(special[i]);
  check_batch();
  CHECK(mismatches == 0, "%d values written differently from printf", mismatches);
  CHECK(row_text_mismatches == 0, "%d rows written differently from printf", row_text_mismatches);
  CHECK(variants_run & 1, "the baseline writer ran");
  printf("variants compared with printf: baseline%s\n", variants_run & 2 ? ", AVX2" : "");

  /* pk_csv_format_values formats in blocks: rows of every length up to 21
   * mixing all kinds of values, NaN written or left empty */
  int row_mismatches = 0;
  for (int r = 0; r < 20000; r++) {
    double v[21];
    size_t n = (size_t)(r % 22);
    for (size_t j = 0; j < n; j++) {
      uint64_t k = next() % 8;
      double x = ldexp((double)(next() >> 11) / 9007199254740992.0 + 0.5, (int)(next() % 101) - 50);
      v[j] = k == 0 ? 0.0 : k == 1 ? NAN : k == 2 ? 1e30 * x : k == 3 ? -x : x;
    }
    int nan_empty = r & 1;
    char want[21 * 40] = "", got[21 * PK_CSV_FIELD_MAX + 1];
    size_t wl = 0;
    for (size_t j = 0; j < n; j++) {
      want[wl++] = ',';
      if (!(nan_empty && isnan(v[j]))) wl += (size_t)snprintf(want + wl, 40, "%.12g", v[j]);
    }
    size_t gl = pk_csv_format_values(v, n, nan_empty, got);
    got[gl] = '\0';
    if (gl != wl || memcmp(want, got, wl) != 0) {
      if (row_mismatches++ < 5) CHECK(0, "row %d: printf '%s', pk_csv_format_values '%s'", r, want, got);
    }
  }
  CHECK(row_mismatches == 0, "%d rows written differently from printf", row_mismatches);

  /* pk_csv_format_rows: blocks of 1-12 rows of 1-9 values of every kind,
   * a prefix of 0-40 bytes (so both the short and the long prefix paths),
   * NaN written or left empty, by each variant, against printf's rows, in
   * a buffer of exactly the documented size (ASan sees any store past it) */
  int block_mismatches = 0, rows_variants = 0;
  for (int r = 0; r < 6000; r++) {
    size_t rows = 1 + (size_t)(next() % 12), cols = 1 + (size_t)(next() % 9), n = rows * cols;
    size_t plen = (size_t)(next() % 41);
    char prefix[41];
    for (size_t k = 0; k < plen; k++) prefix[k] = (char)(' ' + next() % 95);
    double v[12 * 9];
    static const double edge[] = {INFINITY, -INFINITY, -0.0, -NAN, 4.9e-324, 2.2e-308,
                                  1.7976931348623157e308, 1e20, -1e20, 9.99999999999e19,
                                  1.00000000001e20, 1e-20, 9.99999999999e-21, -1.00000000001e-20};
    for (size_t j = 0; j < n; j++) {
      uint64_t k = next() % 10;
      double x = ldexp((double)(next() >> 11) / 9007199254740992.0 + 0.5, (int)(next() % 151) - 75);
      v[j] = k == 0   ? 0.0
             : k == 1 ? NAN
             : k == 2 ? 1e30 * x
             : k == 3 ? -x
             : k == 4 ? edge[next() % (sizeof edge / sizeof edge[0])]
                      : x;
    }
    int nan_empty = r & 1;
    char want[12 * (41 + 9 * 40 + 1) + 1];
    size_t wl = 0;
    for (size_t i = 0; i < rows; i++) {
      memcpy(want + wl, prefix, plen);
      wl += plen;
      for (size_t j = 0; j < cols; j++) {
        double x = v[i * cols + j];
        want[wl++] = ',';
        if (!(nan_empty && isnan(x))) wl += (size_t)snprintf(want + wl, 40, "%.12g", x);
      }
      want[wl++] = '\n';
    }
    size_t cap = rows * PK_CSV_ROW_MAX(cols, plen);
    char *got = malloc(cap);
    if (!got) break;
    for (int variant = 0; variant < 2; variant++) {
      memset(got, '#', cap); /* nothing left from the variant before */
      size_t gl = pk_numfmt_rows_with(variant, v, rows, cols, prefix, plen, nan_empty, got);
      if (gl == (size_t)-1) continue;
      rows_variants |= 1 << variant;
      if (gl != wl || memcmp(want, got, wl) != 0) {
        if (block_mismatches++ < 5) {
          want[wl] = '\0';
          CHECK(0, "variant %d, %zu rows of %zu: printf '%s', pk_csv_format_rows '%.*s'", variant,
                rows, cols, want, (int)(gl < cap ? gl : cap), got);
        }
      }
    }
    /* the public call writes the same */
    memset(got, '#', cap);
    size_t gl = pk_csv_format_rows(v, rows, cols, prefix, plen, nan_empty, got);
    if (gl != wl || memcmp(want, got, wl) != 0) block_mismatches++;
    free(got);
  }
  /* no rows, and rows of no values (each the prefix and '\n'), a NULL prefix of length 0 */
  {
    char out[64];
    double one = 1.5;
    for (int variant = 0; variant < 2; variant++) {
      size_t l0 = pk_numfmt_rows_with(variant, &one, 0, 3, "id", 2, 0, out);
      if (l0 == (size_t)-1) continue;
      CHECK(l0 == 0, "variant %d: no rows give no text (%zu bytes)", variant, l0);
      size_t l1 = pk_numfmt_rows_with(variant, &one, 2, 0, "id", 2, 0, out);
      CHECK(l1 == 6 && memcmp(out, "id\nid\n", 6) == 0, "variant %d: rows of no values", variant);
      size_t l2 = pk_numfmt_rows_with(variant, &one, 1, 1, NULL, 0, 0, out);
      CHECK(l2 == 5 && memcmp(out, ",1.5\n", 5) == 0, "variant %d: a NULL prefix of length 0",
            variant);
    }
  }
  CHECK(block_mismatches == 0, "%d blocks of rows written differently from printf", block_mismatches);
  CHECK(rows_variants == variants_run, "pk_csv_format_rows ran the same variants (%d, %d)",
        rows_variants, variants_run);
  return test_finish("unit_numfmt_equals_printf");
}
