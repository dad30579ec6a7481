/* numfmt_v3.c - pk_csv_format_values and pk_csv_format_rows for x86-64-v3
 * (AVX2, FMA), chosen at run time by numfmt.c: the 12 significant digits
 * of four values at a time in vector registers, then each value's text put
 * together by one byte shuffle (numfmt_simd.h, which says why the digits
 * are exact). The output is the same text, byte for byte, as the scalar
 * writer's and printf's "%.12g". */
#include "numfmt_simd.h"

/* The digits of four values for the lanes of the returned bit mask: m in
 * *r (exact integers in doubles), d in d_out. */
static inline int digits4(__m256d x, __m256d *r_out, int32_t d_out[4]) {
  const __m256d big = _mm256_set1_pd(0x1p52);
  __m256d a = _mm256_andnot_pd(_mm256_set1_pd(-0.0), x);
  __m256d ok = _mm256_and_pd(_mm256_cmp_pd(a, _mm256_set1_pd(1e-20), _CMP_GE_OQ),
                             _mm256_cmp_pd(a, _mm256_set1_pd(1e20), _CMP_LE_OQ));
  uint64_t ex[4];
  _mm256_storeu_si256((__m256i *)(void *)ex, _mm256_srli_epi64(_mm256_castpd_si256(a), 52));
  size_t t[4];
  for (int j = 0; j < 4; j++) {
    uint64_t i = ex[j] - SCALE_E0; /* lanes outside the range read entry 0 */
    t[j] = i < SCALE_N ? i : 0;
  }
  __m256d y0 = _mm256_mul_pd(
      a, _mm256_setr_pd(SCALE_S0[t[0]], SCALE_S0[t[1]], SCALE_S0[t[2]], SCALE_S0[t[3]]));
  __m256d y1 = _mm256_mul_pd(
      a, _mm256_setr_pd(SCALE_S1[t[0]], SCALE_S1[t[1]], SCALE_S1[t[2]], SCALE_S1[t[3]]));
  __m256d hi = _mm256_cmp_pd(y0, _mm256_set1_pd(999999999999.5), _CMP_GE_OQ);
  /* which of the two is decided exactly unless y0 is near that half */
  __m256d dist = _mm256_andnot_pd(_mm256_set1_pd(-0.0), _mm256_sub_pd(y0, _mm256_set1_pd(999999999999.5)));
  ok = _mm256_and_pd(ok, _mm256_cmp_pd(dist, _mm256_set1_pd(0x1p-10), _CMP_GE_OQ));
  __m256d y = _mm256_blendv_pd(y0, y1, hi);
  /* d = floor((e - 1023) log10 2), computed as ((e 78913
   * + 100 2^18 - 1023 78913) >> 18) - 100, true for every biased exponent
   * e of the table (the tests compare every exponent with printf), plus 1
   * where y1 is used, in the low 32 bits of each lane (lanes outside the
   * table are not settled here) */
  __m256i e = _mm256_srli_epi64(_mm256_castpd_si256(a), 52);
  __m256i dd = _mm256_srli_epi64(_mm256_add_epi64(_mm256_mul_epu32(e, _mm256_set1_epi64x(78913)),
                                                  _mm256_set1_epi64x(100 * 262144 - 1023 * 78913)),
                                 18);
  dd = _mm256_sub_epi64(dd, _mm256_add_epi64(_mm256_set1_epi64x(100), _mm256_castpd_si256(hi)));
  _mm_storeu_si128((__m128i *)(void *)d_out,
                   _mm256_castsi256_si128(_mm256_permutevar8x32_epi32(dd, _mm256_setr_epi32(0, 2, 4, 6, 0, 0, 0, 0))));
  __m256d r = _mm256_sub_pd(_mm256_add_pd(y, big), big);
  __m256d off = _mm256_andnot_pd(_mm256_set1_pd(-0.0), _mm256_sub_pd(y, r));
  ok = _mm256_and_pd(ok, _mm256_cmp_pd(off, _mm256_set1_pd(0.5 - 0x1p-10), _CMP_LT_OQ));
  ok = _mm256_and_pd(ok, _mm256_cmp_pd(r, _mm256_set1_pd(1e11), _CMP_GE_OQ));
  ok = _mm256_and_pd(ok, _mm256_cmp_pd(r, _mm256_set1_pd(1e12), _CMP_LT_OQ));
  *r_out = r;
  return _mm256_movemask_pd(ok);
}

/* The 4 ASCII digits of each 32-bit lane x < 10^4, the first in the lowest
 * byte: q = x / 100 = (x 5243) >> 19, exact for x < 10^4, and the lane
 * q | (x - 100 q) << 16 = (x << 16) - q (100 2^16 - 1); then in each 16-bit
 * half y < 100, t = y / 10 = (y 6554) >> 16 and t | (y - 10 t) << 8 =
 * (y << 8) - t (10 2^8 - 1). */
static inline __m256i ascii4x8(__m256i x) {
  __m256i q = _mm256_srli_epi16(_mm256_mulhi_epu16(x, _mm256_set1_epi32(5243)), 3);
  __m256i v = _mm256_sub_epi32(_mm256_slli_epi32(x, 16), _mm256_mullo_epi32(q, _mm256_set1_epi32(6553599)));
  __m256i t = _mm256_mulhi_epu16(v, _mm256_set1_epi16(6554));
  __m256i r = _mm256_sub_epi16(_mm256_slli_epi16(v, 8), _mm256_mullo_epi16(t, _mm256_set1_epi16(2559)));
  return _mm256_add_epi8(r, _mm256_set1_epi8('0'));
}

/* The 12 digits of the four m as text, 16 bytes per value (the 12 digits,
 * then "0000"): values 0 and 2 in *s02, 1 and 3 in *s13. The groups, exact
 * integers below 10^4 in doubles, become integers in the low 32 bits of
 * their bits by adding 2^52. */
static inline void text4(__m256d r, __m256i *s02, __m256i *s13) {
  /* the groups from the first 4 and the first 8 digits, side by side */
  const __m256d big = _mm256_set1_pd(0x1p52);
  __m256d g0 = _mm256_floor_pd(_mm256_mul_pd(r, _mm256_set1_pd(1e-8)));
  __m256d g01 = _mm256_floor_pd(_mm256_mul_pd(r, _mm256_set1_pd(1e-4)));
  __m256d g1 = _mm256_fnmadd_pd(g0, _mm256_set1_pd(1e4), g01);
  __m256d g2 = _mm256_fnmadd_pd(g01, _mm256_set1_pd(1e4), r);
  __m256i a = _mm256_castpd_si256(_mm256_add_pd(g0, big));
  __m256i b = _mm256_castpd_si256(_mm256_add_pd(g1, big));
  __m256i c = _mm256_castpd_si256(_mm256_add_pd(g2, big));
  /* 64-bit lanes: g0 | g1 << 32, and g2 */
  __m256i ab = _mm256_blend_epi32(a, _mm256_slli_epi64(b, 32), 0xaa);
  __m256i c0 = _mm256_and_si256(c, _mm256_set1_epi64x(0xffffffff));
  *s02 = ascii4x8(_mm256_unpacklo_epi64(ab, c0));
  *s13 = ascii4x8(_mm256_unpackhi_epi64(ab, c0));
}

/* Values go in chunks of up to 16, in stages over the chunk's groups of
 * four (digits, text, writing), so that the groups' long dependency
 * chains overlap. */
enum { CHUNK = 16 };

static size_t format_v3(const double *v, size_t n, int nan_empty, row_shape *rs, char *buf) {
  char *p = buf;
  for (size_t j0 = 0; j0 < n; j0 += CHUNK) {
    size_t nc = n - j0 < CHUNK ? n - j0 : CHUNK, nq = (nc + 3) / 4;
    __m128i S[CHUNK];
    unsigned zs[CHUNK];
    int32_t d[CHUNK];
    uint64_t ok = 0, neg = 0;
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
      ok |= (uint64_t)digits4(x, &r[q], d + 4 * q) << (4 * q);
      neg |= (uint64_t)_mm256_movemask_pd(x) << (4 * q);
    }
    for (size_t q = 0; q < nq; q++) {
      __m256i s02, s13;
      text4(r[q], &s02, &s13);
      unsigned z02 = (unsigned)_mm256_movemask_epi8(_mm256_cmpeq_epi8(s02, _mm256_set1_epi8('0')));
      unsigned z13 = (unsigned)_mm256_movemask_epi8(_mm256_cmpeq_epi8(s13, _mm256_set1_epi8('0')));
      S[4 * q] = _mm256_castsi256_si128(s02);
      S[4 * q + 1] = _mm256_castsi256_si128(s13);
      S[4 * q + 2] = _mm256_extracti128_si256(s02, 1);
      S[4 * q + 3] = _mm256_extracti128_si256(s13, 1);
      zs[4 * q] = z02;
      zs[4 * q + 1] = z13;
      zs[4 * q + 2] = z02 >> 16;
      zs[4 * q + 3] = z13 >> 16;
    }
    p = write_chunk(p, v + j0, nc, S, zs, d, ok, neg, nan_empty, rs);
  }
  return (size_t)(p - buf);
}

size_t pk_csv_format_values_v3(const double *v, size_t n, int nan_empty, char *buf) {
  row_shape rs = {0};
  return format_v3(v, n, nan_empty, &rs, buf);
}

/* The rows as one run of values: chunks run across the rows' ends. */
size_t pk_csv_format_rows_v3(const double *v, size_t rows, size_t cols, const char *prefix,
                             size_t prefix_len, int nan_empty, char *buf) {
  row_shape rs = {.ncols = cols, .pre = prefix, .plen = prefix_len};
  if (prefix_len <= 16) {
    char pad[16] = {0};
    if (prefix_len) memcpy(pad, prefix, prefix_len);
    rs.pre16 = _mm_loadu_si128((const __m128i *)(const void *)pad);
  }
  return format_v3(v, rows * cols, nan_empty, &rs, buf);
}
