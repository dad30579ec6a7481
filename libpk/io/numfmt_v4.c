/* numfmt_v4.c - pk_csv_format_values for x86-64-v4 (AVX-512 F, BW, DQ,
 * VL), chosen at run time by numfmt.c: the AVX2 writer's method
 * (numfmt_v3.c, numfmt_simd.h) on eight values at a time. The output is
 * the same text, byte for byte, as the other writers' and printf's
 * "%.12g". */
#include "numfmt_simd.h"

/* The digits of eight values for the lanes of the returned bit mask: m in
 * *r (exact integers in doubles), d in d_out (numfmt_simd.h says why they
 * are exact). */
static inline __mmask8 digits8(__m512d x, __m512d *r_out, int32_t d_out[8]) {
  const __m512d big = _mm512_set1_pd(0x1p52);
  __m512d a = _mm512_abs_pd(x);
  __mmask8 ok = _mm512_cmp_pd_mask(a, _mm512_set1_pd(1e-20), _CMP_GE_OQ) &
                _mm512_cmp_pd_mask(a, _mm512_set1_pd(1e20), _CMP_LE_OQ);
  /* the table index e - SCALE_E0; lanes outside the range read entry 0 */
  __m512i i = _mm512_sub_epi64(_mm512_srli_epi64(_mm512_castpd_si512(a), 52),
                               _mm512_set1_epi64(SCALE_E0));
  i = _mm512_maskz_mov_epi64(_mm512_cmplt_epu64_mask(i, _mm512_set1_epi64(SCALE_N)), i);
  __m512d y0 = _mm512_mul_pd(a, _mm512_i64gather_pd(i, SCALE_S0, 8));
  __m512d y1 = _mm512_mul_pd(a, _mm512_i64gather_pd(i, SCALE_S1, 8));
  __mmask8 hi = _mm512_cmp_pd_mask(y0, _mm512_set1_pd(999999999999.5), _CMP_GE_OQ);
  /* which of the two is decided exactly unless y0 is near that half */
  ok &= _mm512_cmp_pd_mask(_mm512_abs_pd(_mm512_sub_pd(y0, _mm512_set1_pd(999999999999.5))),
                           _mm512_set1_pd(0x1p-10), _CMP_GE_OQ);
  __m512d y = _mm512_mask_blend_pd(hi, y0, y1);
  __m256i d = _mm512_i64gather_epi32(i, SCALE_D, 4);
  d = _mm256_mask_add_epi32(d, hi, d, _mm256_set1_epi32(1));
  _mm256_storeu_si256((__m256i *)(void *)d_out, d);
  __m512d r = _mm512_sub_pd(_mm512_add_pd(y, big), big);
  ok &= _mm512_cmp_pd_mask(_mm512_abs_pd(_mm512_sub_pd(y, r)), _mm512_set1_pd(0.5 - 0x1p-10),
                           _CMP_LT_OQ);
  ok &= _mm512_cmp_pd_mask(r, _mm512_set1_pd(1e11), _CMP_GE_OQ);
  ok &= _mm512_cmp_pd_mask(r, _mm512_set1_pd(1e12), _CMP_LT_OQ);
  *r_out = r;
  return ok;
}

/* The 4 ASCII digits of each 32-bit lane x < 10^4, the first in the lowest
 * byte (numfmt_simd.h). */
static inline __m512i ascii4x16(__m512i x) {
  __m512i hi = _mm512_srli_epi16(_mm512_mulhi_epu16(x, _mm512_set1_epi32(5243)), 3);
  __m512i lo = _mm512_sub_epi16(x, _mm512_mullo_epi16(hi, _mm512_set1_epi32(100)));
  __m512i v = _mm512_or_si512(hi, _mm512_slli_epi32(lo, 16));
  __m512i tens = _mm512_mulhi_epu16(v, _mm512_set1_epi16(6554));
  __m512i ones = _mm512_sub_epi16(v, _mm512_mullo_epi16(tens, _mm512_set1_epi16(10)));
  return _mm512_add_epi8(_mm512_or_si512(tens, _mm512_slli_epi16(ones, 8)),
                         _mm512_set1_epi8('0'));
}

/* The 12 digits of the eight m as text, 16 bytes per value (the 12
 * digits, then "0000"): values 0-3 in *lo, 4-7 in *hi. */
static inline void text8(__m512d r, __m512i *lo, __m512i *hi) {
  __m512d g0 = _mm512_roundscale_pd(_mm512_mul_pd(r, _mm512_set1_pd(1e-8)), _MM_FROUND_TO_NEG_INF);
  __m512d g01 = _mm512_roundscale_pd(_mm512_mul_pd(r, _mm512_set1_pd(1e-4)), _MM_FROUND_TO_NEG_INF);
  __m512d g1 = _mm512_fnmadd_pd(g0, _mm512_set1_pd(1e4), g01);
  __m512d g2 = _mm512_fnmadd_pd(g01, _mm512_set1_pd(1e4), r);
  /* 32-bit lanes: g0 of values 0-7, then g1 of 0-7; g2 of 0-7, then zeros */
  __m512i ab = _mm512_inserti64x4(_mm512_castsi256_si512(_mm512_cvttpd_epi32(g0)),
                                  _mm512_cvttpd_epi32(g1), 1);
  __m512i c = _mm512_zextsi256_si512(_mm512_cvttpd_epi32(g2));
  /* value j's groups g0, g1, g2 and a zero in 4 lanes (indices 16 + of c) */
  const __m512i take_lo = _mm512_setr_epi32(0, 8, 16, 24, 1, 9, 17, 24, 2, 10, 18, 24, 3, 11, 19, 24);
  const __m512i take_hi = _mm512_setr_epi32(4, 12, 20, 24, 5, 13, 21, 24, 6, 14, 22, 24, 7, 15, 23, 24);
  *lo = ascii4x16(_mm512_permutex2var_epi32(ab, take_lo, c));
  *hi = ascii4x16(_mm512_permutex2var_epi32(ab, take_hi, c));
}

/* Values go in chunks of up to 32, in stages over the chunk's groups of
 * eight (digits, text, writing), so that the groups' long dependency
 * chains overlap. */
enum { CHUNK = 32 };

size_t pk_csv_format_values_v4(const double *v, size_t n, int nan_empty, char *buf) {
  char *p = buf;
  for (size_t j0 = 0; j0 < n; j0 += CHUNK) {
    size_t nc = n - j0 < CHUNK ? n - j0 : CHUNK, nq = (nc + 7) / 8;
    _Alignas(64) __m128i S[CHUNK];
    unsigned zs[CHUNK];
    int32_t d[CHUNK];
    uint64_t ok = 0, neg = 0;
    __m512d r[CHUNK / 8];
    for (size_t q = 0; q < nq; q++) {
      /* the last 1 to 7 values with the other lanes read as zeros */
      __mmask8 in = nc - 8 * q >= 8 ? 0xff : (__mmask8)((1u << (nc - 8 * q)) - 1);
      __m512d x = _mm512_maskz_loadu_pd(in, v + j0 + 8 * q);
      ok |= (uint64_t)digits8(x, &r[q], d + 8 * q) << (8 * q);
      neg |= (uint64_t)_mm512_movepi64_mask(_mm512_castpd_si512(x)) << (8 * q);
    }
    for (size_t q = 0; q < nq; q++) {
      __m512i lo, hi;
      text8(r[q], &lo, &hi);
      uint64_t zlo = _mm512_cmpeq_epi8_mask(lo, _mm512_set1_epi8('0'));
      uint64_t zhi = _mm512_cmpeq_epi8_mask(hi, _mm512_set1_epi8('0'));
      _mm512_store_si512((void *)&S[8 * q], lo);
      _mm512_store_si512((void *)&S[8 * q + 4], hi);
      for (int j = 0; j < 4; j++) {
        zs[8 * q + (size_t)j] = (unsigned)(zlo >> (16 * j)) & 0xffffu;
        zs[8 * q + 4 + (size_t)j] = (unsigned)(zhi >> (16 * j)) & 0xffffu;
      }
    }
    p = write_chunk(p, v + j0, nc, S, zs, d, ok, neg, nan_empty);
  }
  return (size_t)(p - buf);
}
