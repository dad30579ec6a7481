/* numfmt_v3.c - pk_csv_format_values for x86-64-v3 (AVX2, FMA), chosen at
 * run time by numfmt.c: the 12 significant digits of four values at a time
 * in vector registers, and each value's text put together by one byte
 * shuffle instead of branches. The output is the same text, byte for byte,
 * as the scalar writer's (and printf's "%.12g"): values the vector path
 * cannot settle exactly go to the scalar pieces of numfmt_impl.h. */
#include <immintrin.h>
#include "numfmt_impl.h"

/* By biased exponent e = 956..1089 (|x| in [2^(e-1023), 2^(e-1022))):
 * d = floor((e - 1023) log10 2), which is floor(log10 |x|) or one less,
 * and 10^(11 - d) and 10^(10 - d) as the nearest doubles. */
typedef struct {
  double s0, s1;
  int d;
} scale;
static const scale SCALE[134] = {
    {1e32, 1e31, -21},
    {1e31, 1e30, -20},
    {1e31, 1e30, -20},
    {1e31, 1e30, -20},
    {1e30, 1e29, -19},
    {1e30, 1e29, -19},
    {1e30, 1e29, -19},
    {1e30, 1e29, -19},
    {1e29, 1e28, -18},
    {1e29, 1e28, -18},
    {1e29, 1e28, -18},
    {1e28, 1e27, -17},
    {1e28, 1e27, -17},
    {1e28, 1e27, -17},
    {1e27, 1e26, -16},
    {1e27, 1e26, -16},
    {1e27, 1e26, -16},
    {1e27, 1e26, -16},
    {1e26, 1e25, -15},
    {1e26, 1e25, -15},
    {1e26, 1e25, -15},
    {1e25, 1e24, -14},
    {1e25, 1e24, -14},
    {1e25, 1e24, -14},
    {1e24, 1e23, -13},
    {1e24, 1e23, -13},
    {1e24, 1e23, -13},
    {1e24, 1e23, -13},
    {1e23, 1e22, -12},
    {1e23, 1e22, -12},
    {1e23, 1e22, -12},
    {1e22, 1e21, -11},
    {1e22, 1e21, -11},
    {1e22, 1e21, -11},
    {1e21, 1e20, -10},
    {1e21, 1e20, -10},
    {1e21, 1e20, -10},
    {1e21, 1e20, -10},
    {1e20, 1e19, -9},
    {1e20, 1e19, -9},
    {1e20, 1e19, -9},
    {1e19, 1e18, -8},
    {1e19, 1e18, -8},
    {1e19, 1e18, -8},
    {1e18, 1e17, -7},
    {1e18, 1e17, -7},
    {1e18, 1e17, -7},
    {1e18, 1e17, -7},
    {1e17, 1e16, -6},
    {1e17, 1e16, -6},
    {1e17, 1e16, -6},
    {1e16, 1e15, -5},
    {1e16, 1e15, -5},
    {1e16, 1e15, -5},
    {1e15, 1e14, -4},
    {1e15, 1e14, -4},
    {1e15, 1e14, -4},
    {1e15, 1e14, -4},
    {1e14, 1e13, -3},
    {1e14, 1e13, -3},
    {1e14, 1e13, -3},
    {1e13, 1e12, -2},
    {1e13, 1e12, -2},
    {1e13, 1e12, -2},
    {1e12, 1e11, -1},
    {1e12, 1e11, -1},
    {1e12, 1e11, -1},
    {1e11, 1e10, 0},
    {1e11, 1e10, 0},
    {1e11, 1e10, 0},
    {1e11, 1e10, 0},
    {1e10, 1e9, 1},
    {1e10, 1e9, 1},
    {1e10, 1e9, 1},
    {1e9, 1e8, 2},
    {1e9, 1e8, 2},
    {1e9, 1e8, 2},
    {1e8, 1e7, 3},
    {1e8, 1e7, 3},
    {1e8, 1e7, 3},
    {1e8, 1e7, 3},
    {1e7, 1e6, 4},
    {1e7, 1e6, 4},
    {1e7, 1e6, 4},
    {1e6, 1e5, 5},
    {1e6, 1e5, 5},
    {1e6, 1e5, 5},
    {1e5, 1e4, 6},
    {1e5, 1e4, 6},
    {1e5, 1e4, 6},
    {1e5, 1e4, 6},
    {1e4, 1e3, 7},
    {1e4, 1e3, 7},
    {1e4, 1e3, 7},
    {1e3, 1e2, 8},
    {1e3, 1e2, 8},
    {1e3, 1e2, 8},
    {1e2, 1e1, 9},
    {1e2, 1e1, 9},
    {1e2, 1e1, 9},
    {1e2, 1e1, 9},
    {1e1, 1e0, 10},
    {1e1, 1e0, 10},
    {1e1, 1e0, 10},
    {1e0, 1e-1, 11},
    {1e0, 1e-1, 11},
    {1e0, 1e-1, 11},
    {1e-1, 1e-2, 12},
    {1e-1, 1e-2, 12},
    {1e-1, 1e-2, 12},
    {1e-1, 1e-2, 12},
    {1e-2, 1e-3, 13},
    {1e-2, 1e-3, 13},
    {1e-2, 1e-3, 13},
    {1e-3, 1e-4, 14},
    {1e-3, 1e-4, 14},
    {1e-3, 1e-4, 14},
    {1e-4, 1e-5, 15},
    {1e-4, 1e-5, 15},
    {1e-4, 1e-5, 15},
    {1e-4, 1e-5, 15},
    {1e-5, 1e-6, 16},
    {1e-5, 1e-6, 16},
    {1e-5, 1e-6, 16},
    {1e-6, 1e-7, 17},
    {1e-6, 1e-7, 17},
    {1e-6, 1e-7, 17},
    {1e-7, 1e-8, 18},
    {1e-7, 1e-8, 18},
    {1e-7, 1e-8, 18},
    {1e-7, 1e-8, 18},
    {1e-8, 1e-9, 19},
    {1e-8, 1e-9, 19},
    {1e-8, 1e-9, 19},
};

/* The digits of four values: m (in *r, exact integers in doubles) with
 * 10^11 <= m < 10^12 and the decimal exponent d (|x| rounds to
 * m 10^(d - 11)), for the lanes of the returned bit mask; the other lanes
 * (zeros, NaN, infinities, |x| outside [1e-20, 1e20], and the near-ties
 * below) are left to the scalar digits12.
 *
 * Why the result is exact: SCALE gives d, floor(log10 |x|) or one less.
 * y0 = |x| 10^(11 - d) is computed with 10^(11 - d) rounded to a double
 * (relative error 2^-53) and one rounded product. If it is 999999999999.5
 * or more (d one low, or a rounding that carries to 13 digits), d + 1 and
 * y = |x| 10^(10 - d) are used instead; a y0 within 2^-10 of that half is
 * left out, as the choice could be wrong there. Then y < 10^12 < 2^40, the
 * computed y is within 2^-12 of the exact one, and rounding it to an
 * integer (adding and subtracting 2^52) gives the exact round(|x| 10^k)
 * unless the computed y is within 2^-10 of a half-integer, which is left
 * out too, as is an m outside [10^11, 10^12). */
static inline int digits4(__m256d x, __m256d *r_out, int d_out[4]) {
  const __m256d big = _mm256_set1_pd(0x1p52);
  __m256d a = _mm256_andnot_pd(_mm256_set1_pd(-0.0), x);
  __m256d ok = _mm256_and_pd(_mm256_cmp_pd(a, _mm256_set1_pd(1e-20), _CMP_GE_OQ),
                             _mm256_cmp_pd(a, _mm256_set1_pd(1e20), _CMP_LE_OQ));
  uint64_t ex[4];
  _mm256_storeu_si256((__m256i *)(void *)ex, _mm256_srli_epi64(_mm256_castpd_si256(a), 52));
  const scale *t[4];
  for (int j = 0; j < 4; j++) {
    uint64_t i = ex[j] - 956; /* lanes outside the range read entry 0 */
    t[j] = &SCALE[i < 134 ? i : 0];
  }
  __m256d y0 = _mm256_mul_pd(a, _mm256_setr_pd(t[0]->s0, t[1]->s0, t[2]->s0, t[3]->s0));
  __m256d y1 = _mm256_mul_pd(a, _mm256_setr_pd(t[0]->s1, t[1]->s1, t[2]->s1, t[3]->s1));
  __m256d hi = _mm256_cmp_pd(y0, _mm256_set1_pd(999999999999.5), _CMP_GE_OQ);
  /* which of the two is decided exactly unless y0 is near that half */
  __m256d dist = _mm256_andnot_pd(_mm256_set1_pd(-0.0), _mm256_sub_pd(y0, _mm256_set1_pd(999999999999.5)));
  ok = _mm256_and_pd(ok, _mm256_cmp_pd(dist, _mm256_set1_pd(0x1p-10), _CMP_GE_OQ));
  __m256d y = _mm256_blendv_pd(y0, y1, hi);
  int up = _mm256_movemask_pd(hi);
  for (int j = 0; j < 4; j++) d_out[j] = t[j]->d + (up >> j & 1);
  __m256d r = _mm256_sub_pd(_mm256_add_pd(y, big), big);
  __m256d off = _mm256_andnot_pd(_mm256_set1_pd(-0.0), _mm256_sub_pd(y, r));
  ok = _mm256_and_pd(ok, _mm256_cmp_pd(off, _mm256_set1_pd(0.5 - 0x1p-10), _CMP_LT_OQ));
  ok = _mm256_and_pd(ok, _mm256_cmp_pd(r, _mm256_set1_pd(1e11), _CMP_GE_OQ));
  ok = _mm256_and_pd(ok, _mm256_cmp_pd(r, _mm256_set1_pd(1e12), _CMP_LT_OQ));
  *r_out = r;
  return _mm256_movemask_pd(ok);
}

/* The 4 ASCII digits of each 32-bit lane x < 10^4, the first in the lowest
 * byte: x / 100 = (x 5243) >> 19 and y / 10 = (y 6554) >> 16, exact for
 * x < 10^4 and y < 100. */
static inline __m256i ascii4x8(__m256i x) {
  __m256i hi = _mm256_srli_epi16(_mm256_mulhi_epu16(x, _mm256_set1_epi32(5243)), 3);
  __m256i lo = _mm256_sub_epi16(x, _mm256_mullo_epi16(hi, _mm256_set1_epi32(100)));
  __m256i v = _mm256_or_si256(hi, _mm256_slli_epi32(lo, 16));
  __m256i tens = _mm256_mulhi_epu16(v, _mm256_set1_epi16(6554));
  __m256i ones = _mm256_sub_epi16(v, _mm256_mullo_epi16(tens, _mm256_set1_epi16(10)));
  return _mm256_add_epi8(_mm256_or_si256(tens, _mm256_slli_epi16(ones, 8)),
                         _mm256_set1_epi8('0'));
}

/* The 12 digits of the four m as text, 16 bytes per value (the 12 digits,
 * then "0000"): values 0 and 1 in *s01, 2 and 3 in *s23. */
static inline void text4(__m256d r, __m256i *s01, __m256i *s23) {
  /* m = g0 10^8 + g1 10^4 + g2 with 4-digit groups, from the first 4 and
   * the first 8 digits, side by side; 1e-8 and 1e-4 round up, never
   * down, so each floor is exact */
  __m256d g0 = _mm256_floor_pd(_mm256_mul_pd(r, _mm256_set1_pd(1e-8)));
  __m256d g01 = _mm256_floor_pd(_mm256_mul_pd(r, _mm256_set1_pd(1e-4)));
  __m256d g1 = _mm256_fnmadd_pd(g0, _mm256_set1_pd(1e4), g01);
  __m256d g2 = _mm256_fnmadd_pd(g01, _mm256_set1_pd(1e4), r);
  __m128i a = _mm256_cvttpd_epi32(g0), b = _mm256_cvttpd_epi32(g1), c = _mm256_cvttpd_epi32(g2);
  __m128i z = _mm_setzero_si128();
  __m128i ab01 = _mm_unpacklo_epi32(a, b), c01 = _mm_unpacklo_epi32(c, z);
  __m128i ab23 = _mm_unpackhi_epi32(a, b), c23 = _mm_unpackhi_epi32(c, z);
  *s01 = ascii4x8(_mm256_set_m128i(_mm_unpackhi_epi64(ab01, c01), _mm_unpacklo_epi64(ab01, c01)));
  *s23 = ascii4x8(_mm256_set_m128i(_mm_unpackhi_epi64(ab23, c23), _mm_unpacklo_epi64(ab23, c23)));
}

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

/* Writes that text at out, from the digits S (16 bytes as text4 makes
 * them); its length is text_length's. Stores stay within 24 bytes of
 * out. */
static inline void write_text(__m128i S, int last, int d, int neg, char *out) {
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
    p += last > 0 ? last + 2 : 1;
    int ad = d < 0 ? -d : d;
    uint32_t e = (uint32_t)'e' | (uint32_t)(d < 0 ? '-' : '+') << 8 |
                 (uint32_t)('0' + ad / 10) << 16 | (uint32_t)('0' + ad % 10) << 24;
    memcpy(p, &e, 4);
  }
}

/* the index of the last byte of the low 12 of z that is not '0' */
static inline int last_digit(unsigned zeros) {
  return 31 - __builtin_clz(~zeros & 0xfffu);
}

/* Values go in chunks of up to 16: first the digits and text of every
 * value of the chunk, then the writing; the long dependency chains of the
 * first phase overlap across the chunk's groups of four. */
enum { CHUNK = 16 };

size_t pk_csv_format_values_v3(const double *v, size_t n, int nan_empty, char *buf) {
  char *p = buf;
  for (size_t j0 = 0; j0 < n; j0 += CHUNK) {
    size_t nc = n - j0 < CHUNK ? n - j0 : CHUNK, nq = (nc + 3) / 4;
    __m128i S[CHUNK];
    unsigned zs[CHUNK];
    int d[CHUNK], ok[CHUNK / 4], neg[CHUNK / 4];
    /* in stages over the chunk's groups, so that the groups' long
     * dependency chains overlap */
    __m256d r[CHUNK / 4];
    for (size_t q = 0; q < nq; q++) {
      __m256d x;
      if (4 * q + 4 <= nc) {
        x = _mm256_loadu_pd(v + j0 + 4 * q);
      } else { /* the last 1 to 3 values; the other lanes read as zeros */
        static const int64_t first[7] = {-1, -1, -1, 0, 0, 0, 0};
        __m256i mask = _mm256_loadu_si256((const __m256i *)(const void *)(first + 3 - (nc - 4 * q)));
        x = _mm256_maskload_pd(v + j0 + 4 * q, mask);
      }
      ok[q] = digits4(x, &r[q], d + 4 * q);
      neg[q] = _mm256_movemask_pd(x);
    }
    for (size_t q = 0; q < nq; q++) {
      __m256i s01, s23;
      text4(r[q], &s01, &s23);
      unsigned z01 = (unsigned)_mm256_movemask_epi8(_mm256_cmpeq_epi8(s01, _mm256_set1_epi8('0')));
      unsigned z23 = (unsigned)_mm256_movemask_epi8(_mm256_cmpeq_epi8(s23, _mm256_set1_epi8('0')));
      S[4 * q] = _mm256_castsi256_si128(s01);
      S[4 * q + 1] = _mm256_extracti128_si256(s01, 1);
      S[4 * q + 2] = _mm256_castsi256_si128(s23);
      S[4 * q + 3] = _mm256_extracti128_si256(s23, 1);
      zs[4 * q] = z01;
      zs[4 * q + 1] = z01 >> 16;
      zs[4 * q + 2] = z23;
      zs[4 * q + 3] = z23 >> 16;
    }
    unsigned all = (1u << nc) - 1, got = 0;
    for (size_t q = 0; q < nq; q++) got |= (unsigned)ok[q] << (4 * q);
    if ((got & all) == all) {
      /* every length first, then the stores, which no longer wait for
       * the previous value's length */
      int len[CHUNK], last[CHUNK];
      for (size_t j = 0; j < nc; j++) {
        last[j] = last_digit(zs[j]);
        len[j] = 1 + text_length(last[j], d[j], neg[j / 4] >> (j % 4) & 1);
      }
      size_t at = 0;
      for (size_t j = 0; j < nc; j++) {
        p[at] = ',';
        write_text(S[j], last[j], d[j], neg[j / 4] >> (j % 4) & 1, p + at + 1);
        at += (size_t)len[j];
      }
      p += at;
      continue;
    }
    for (size_t j = 0; j < nc; j++) {
      *p++ = ',';
      if (ok[j / 4] >> (j % 4) & 1) {
        int lj = last_digit(zs[j]), nj = neg[j / 4] >> (j % 4) & 1;
        write_text(S[j], lj, d[j], nj, p);
        p += text_length(lj, d[j], nj);
      } else {
        p += pk_fmt_g12_field(v[j0 + j], nan_empty, p);
      }
    }
  }
  return (size_t)(p - buf);
}
