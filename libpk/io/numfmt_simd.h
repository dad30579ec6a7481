/* numfmt_simd.h - the vector writer of CSV numbers (numfmt_v3.c, AVX2)
 * apart from its vector code: the table of scales by binary exponent,
 * why its digits are exact, and the writing of each value's text from its
 * digits. Included by numfmt_v3.c only, compiled for its instruction set.
 *
 * The digits of a value, m with 10^11 <= m < 10^12 and the decimal
 * exponent d (|x| rounds to m 10^(d - 11)), come out of vector registers
 * for the values it can settle exactly; the others (zeros, NaN,
 * infinities, |x| outside [1e-20, 1e20], and the near-ties below) go to
 * the exact scalar digits12 (numfmt_impl.h).
 *
 * Why the vector result is exact: d = floor((e - 1023) log10 2) for the
 * biased exponent e is floor(log10 |x|) or one less (numfmt_v3.c computes
 * it by an integer product). y0 = |x| 10^(11 - d) is computed with 10^(11 - d) rounded to a
 * double (relative error 2^-53) and one rounded product. If it is
 * 999999999999.5 or more (d one low, or a rounding that carries to 13
 * digits), d + 1 and y = |x| 10^(10 - d) are used instead; a y0 within
 * 2^-10 of that half is left out, as the choice could be wrong there. Then
 * y < 10^12 < 2^40, the computed y is within 2^-12 of the exact one, and
 * rounding it to an integer (adding and subtracting 2^52) gives the exact
 * round(|x| 10^k) unless the computed y is within 2^-10 of a half-integer,
 * which is left out too, as is an m outside [10^11, 10^12).
 *
 * The text of m is 16 bytes per value, the 12 digits then "0000", from
 * 4-digit groups m = g0 10^8 + g1 10^4 + g2: g0 = floor(m 1e-8) and
 * g0 10^4 + g1 = floor(m 1e-4) are exact because the doubles 1e-8 and
 * 1e-4 are above 10^-8 and 10^-4 (never rounding down) and the products
 * stay far from the next integer; a group x < 10^4 gives its digits by
 * x / 100 = (x 5243) >> 19 and y / 10 = (y 6554) >> 16 for y < 100. */
#ifndef PK_NUMFMT_SIMD_H
#define PK_NUMFMT_SIMD_H

#include <immintrin.h>
#include "numfmt_impl.h"

/* By biased exponent e = 956..1089 (|x| in [2^(e-1023), 2^(e-1022)), index
 * e - 956), with d = floor((e - 1023) log10 2): 10^(11 - d) and 10^(10 - d)
 * as the nearest doubles. */
enum { SCALE_E0 = 956, SCALE_N = 134 };
static const double SCALE_S0[SCALE_N] = {
    1e32, 1e31, 1e31, 1e31, 1e30, 1e30, 1e30, 1e30, 1e29, 1e29,
    1e29, 1e28, 1e28, 1e28, 1e27, 1e27, 1e27, 1e27, 1e26, 1e26,
    1e26, 1e25, 1e25, 1e25, 1e24, 1e24, 1e24, 1e24, 1e23, 1e23,
    1e23, 1e22, 1e22, 1e22, 1e21, 1e21, 1e21, 1e21, 1e20, 1e20,
    1e20, 1e19, 1e19, 1e19, 1e18, 1e18, 1e18, 1e18, 1e17, 1e17,
    1e17, 1e16, 1e16, 1e16, 1e15, 1e15, 1e15, 1e15, 1e14, 1e14,
    1e14, 1e13, 1e13, 1e13, 1e12, 1e12, 1e12, 1e11, 1e11, 1e11,
    1e11, 1e10, 1e10, 1e10, 1e9, 1e9, 1e9, 1e8, 1e8, 1e8,
    1e8, 1e7, 1e7, 1e7, 1e6, 1e6, 1e6, 1e5, 1e5, 1e5,
    1e5, 1e4, 1e4, 1e4, 1e3, 1e3, 1e3, 1e2, 1e2, 1e2,
    1e2, 1e1, 1e1, 1e1, 1e0, 1e0, 1e0, 1e-1, 1e-1, 1e-1,
    1e-1, 1e-2, 1e-2, 1e-2, 1e-3, 1e-3, 1e-3, 1e-4, 1e-4, 1e-4,
    1e-4, 1e-5, 1e-5, 1e-5, 1e-6, 1e-6, 1e-6, 1e-7, 1e-7, 1e-7,
    1e-7, 1e-8, 1e-8, 1e-8,
};
static const double SCALE_S1[SCALE_N] = {
    1e31, 1e30, 1e30, 1e30, 1e29, 1e29, 1e29, 1e29, 1e28, 1e28,
    1e28, 1e27, 1e27, 1e27, 1e26, 1e26, 1e26, 1e26, 1e25, 1e25,
    1e25, 1e24, 1e24, 1e24, 1e23, 1e23, 1e23, 1e23, 1e22, 1e22,
    1e22, 1e21, 1e21, 1e21, 1e20, 1e20, 1e20, 1e20, 1e19, 1e19,
    1e19, 1e18, 1e18, 1e18, 1e17, 1e17, 1e17, 1e17, 1e16, 1e16,
    1e16, 1e15, 1e15, 1e15, 1e14, 1e14, 1e14, 1e14, 1e13, 1e13,
    1e13, 1e12, 1e12, 1e12, 1e11, 1e11, 1e11, 1e10, 1e10, 1e10,
    1e10, 1e9, 1e9, 1e9, 1e8, 1e8, 1e8, 1e7, 1e7, 1e7,
    1e7, 1e6, 1e6, 1e6, 1e5, 1e5, 1e5, 1e4, 1e4, 1e4,
    1e4, 1e3, 1e3, 1e3, 1e2, 1e2, 1e2, 1e1, 1e1, 1e1,
    1e1, 1e0, 1e0, 1e0, 1e-1, 1e-1, 1e-1, 1e-2, 1e-2, 1e-2,
    1e-2, 1e-3, 1e-3, 1e-3, 1e-4, 1e-4, 1e-4, 1e-5, 1e-5, 1e-5,
    1e-5, 1e-6, 1e-6, 1e-6, 1e-7, 1e-7, 1e-7, 1e-8, 1e-8, 1e-8,
    1e-8, 1e-9, 1e-9, 1e-9,
};

/* For dp = 0..11 digits before the point: the byte shuffle that puts a
 * '.' after byte dp of the digits (byte i takes digit i for i <= dp and
 * digit i - 1 after the point; 0x80 gives a zero byte), then the '.'. */
static _Alignas(16) const uint8_t DOT_AT[12][2][16] = {
    {{0x00, 0x80, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e},
     {0x00, 0x2e, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00}},
    {{0x00, 0x01, 0x80, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e},
     {0x00, 0x00, 0x2e, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00}},
    {{0x00, 0x01, 0x02, 0x80, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e},
     {0x00, 0x00, 0x00, 0x2e, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00}},
    {{0x00, 0x01, 0x02, 0x03, 0x80, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e},
     {0x00, 0x00, 0x00, 0x00, 0x2e, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00}},
    {{0x00, 0x01, 0x02, 0x03, 0x04, 0x80, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e},
     {0x00, 0x00, 0x00, 0x00, 0x00, 0x2e, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00}},
    {{0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x80, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e},
     {0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x2e, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00}},
    {{0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x80, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e},
     {0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x2e, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00}},
    {{0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x80, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e},
     {0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x2e, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00}},
    {{0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x80, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e},
     {0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x2e, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00}},
    {{0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x80, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e},
     {0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x2e, 0x00, 0x00, 0x00, 0x00, 0x00}},
    {{0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x80, 0x0b, 0x0c, 0x0d, 0x0e},
     {0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x2e, 0x00, 0x00, 0x00, 0x00}},
    {{0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x80, 0x0c, 0x0d, 0x0e},
     {0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x2e, 0x00, 0x00, 0x00}},
};

/* The length of the text "%.12g" writes for a value with index last of
 * the last digit that is not a trailing zero, exponent d and sign neg. */
static inline int text_length(int last, int d, int neg) {
  if (d >= -4 && d < 0) return neg + 1 - d + last + 1; /* 0.000ddd */
  int dp = d >= 0 && d < 12 ? d : 0;                   /* digits before the point */
  return neg + (last > dp ? last + 2 : dp + 1) + (dp != d ? 4 : 0);
}

/* Writes that text at out from the digits S, len bytes as text_length
 * gives them. A branch per kind of text (predicted well: a column keeps
 * its kind) costs less than one path for all three. Stores stay within
 * 24 bytes of out. */
static inline void write_text(__m128i S, int d, int neg, int len, char *out) {
  char *p = out;
  *p = '-';
  p += neg;
  if (d >= -4 && d < 0) { /* 0.000ddd */
    memcpy(p, "0.000000", 8);
    _mm_storeu_si128((__m128i *)(void *)(p + 1 - d), S);
    return;
  }
  int dp = d >= 0 && d < 12 ? d : 0;
  /* the bytes of S with a '.' after byte dp */
  __m128i t = _mm_or_si128(_mm_shuffle_epi8(S, _mm_load_si128((const __m128i *)(const void *)DOT_AT[dp][0])),
                           _mm_load_si128((const __m128i *)(const void *)DOT_AT[dp][1]));
  _mm_storeu_si128((__m128i *)(void *)p, t);
  if (dp != d) { /* d.ddde+dd: |d| <= 20 here */
    int ad = d < 0 ? -d : d;
    uint32_t e = (uint32_t)'e' | (uint32_t)(d < 0 ? '-' : '+') << 8 |
                 (uint32_t)('0' + ad / 10) << 16 | (uint32_t)('0' + ad % 10) << 24;
    memcpy(out + len - 4, &e, 4);
  }
}

/* the index of the last byte of the low 12 of z that is not '0' */
static inline int last_digit(unsigned zeros) {
  return 31 - __builtin_clz(~zeros & 0xfffu);
}

/* Rows for pk_csv_format_rows: every row is the prefix, then ncols values
 * (",v0,v1,..."), then '\n'. ncols 0: no rows, one run of values
 * (pk_csv_format_values). */
typedef struct row_shape {
  size_t ncols, col; /* values per row; the column of the next value */
  const char *pre;   /* the prefix, plen bytes */
  size_t plen;
  __m128i pre16;     /* its bytes, zero-padded, when plen <= 16 */
} row_shape;

/* Writes nc values (nc <= 64) as ",v0,v1,..." at p (in rows as rs says:
 * a row's prefix before its first value, one 16-byte store for a short
 * prefix, whose overhang what follows writes over, and '\n' after its
 * last) from their digits and returns the end: S[j], zs[j] (bit i set
 * where byte i of S[j] is '0'), d[j] for the values with bit j of ok set,
 * sign bits in neg; the others through the scalar path. The row position
 * is kept in locals: stores through p could alias *rs. (Computing every
 * length before any store measured slower than this.) */
static inline char *write_chunk(char *p, const double *v, size_t nc, const __m128i *S,
                                const unsigned *zs, const int32_t *d, uint64_t ok, uint64_t neg,
                                int nan_empty, row_shape *rs) {
  const size_t ncols = rs->ncols, plen = rs->plen;
  size_t col = rs->col;
  for (size_t j = 0; j < nc;) {
    /* the values up to the chunk's end or the row's */
    size_t stop = nc;
    if (ncols) {
      if (col == 0) {
        if (plen <= 16) _mm_storeu_si128((__m128i *)(void *)p, rs->pre16);
        else memcpy(p, rs->pre, plen);
        p += plen;
      }
      if (ncols - col < nc - j) stop = j + (ncols - col);
      col += stop - j;
    }
    for (; j < stop; j++) {
      *p++ = ',';
      if (ok >> j & 1) {
        int nj = (int)(neg >> j & 1), lj = text_length(last_digit(zs[j]), d[j], nj);
        write_text(S[j], d[j], nj, lj, p);
        p += lj;
      } else {
        p += pk_fmt_g12_field(v[j], nan_empty, p);
      }
    }
    if (ncols && col == ncols) {
      col = 0;
      *p++ = '\n';
    }
  }
  rs->col = col;
  return p;
}

#endif
