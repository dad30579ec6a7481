/* numfmt_impl.h - the exact scalar pieces of "%.12g" (numfmt.c), shared
 * by the baseline writer and the AVX2 one (numfmt_v3.c), which falls back
 * to them for the values its vector path leaves (near ties, zeros,
 * magnitudes outside [1e-20, 1e20]). Included by those two files only. */
#ifndef PK_NUMFMT_IMPL_H
#define PK_NUMFMT_IMPL_H

#include "numfmt.h"
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

typedef unsigned __int128 u128;

static const uint64_t E11 = 100000000000ULL, E12 = 1000000000000ULL;

/* 5^k for k = 0..31 (5^31 < 2^72) */
#define P5(hi, lo) (((u128)(hi) << 64) | (u128)(lo))
static const u128 POW5[32] = {
    P5(0x0ULL, 0x1ULL), /* 5^0 */
    P5(0x0ULL, 0x5ULL), /* 5^1 */
    P5(0x0ULL, 0x19ULL), /* 5^2 */
    P5(0x0ULL, 0x7dULL), /* 5^3 */
    P5(0x0ULL, 0x271ULL), /* 5^4 */
    P5(0x0ULL, 0xc35ULL), /* 5^5 */
    P5(0x0ULL, 0x3d09ULL), /* 5^6 */
    P5(0x0ULL, 0x1312dULL), /* 5^7 */
    P5(0x0ULL, 0x5f5e1ULL), /* 5^8 */
    P5(0x0ULL, 0x1dcd65ULL), /* 5^9 */
    P5(0x0ULL, 0x9502f9ULL), /* 5^10 */
    P5(0x0ULL, 0x2e90eddULL), /* 5^11 */
    P5(0x0ULL, 0xe8d4a51ULL), /* 5^12 */
    P5(0x0ULL, 0x48c27395ULL), /* 5^13 */
    P5(0x0ULL, 0x16bcc41e9ULL), /* 5^14 */
    P5(0x0ULL, 0x71afd498dULL), /* 5^15 */
    P5(0x0ULL, 0x2386f26fc1ULL), /* 5^16 */
    P5(0x0ULL, 0xb1a2bc2ec5ULL), /* 5^17 */
    P5(0x0ULL, 0x3782dace9d9ULL), /* 5^18 */
    P5(0x0ULL, 0x1158e460913dULL), /* 5^19 */
    P5(0x0ULL, 0x56bc75e2d631ULL), /* 5^20 */
    P5(0x0ULL, 0x1b1ae4d6e2ef5ULL), /* 5^21 */
    P5(0x0ULL, 0x878678326eac9ULL), /* 5^22 */
    P5(0x0ULL, 0x2a5a058fc295edULL), /* 5^23 */
    P5(0x0ULL, 0xd3c21bcecceda1ULL), /* 5^24 */
    P5(0x0ULL, 0x422ca8b0a00a425ULL), /* 5^25 */
    P5(0x0ULL, 0x14adf4b7320334b9ULL), /* 5^26 */
    P5(0x0ULL, 0x6765c793fa10079dULL), /* 5^27 */
    P5(0x2ULL, 0x4fce5e3e2502611ULL), /* 5^28 */
    P5(0xaULL, 0x18f07d736b90be55ULL), /* 5^29 */
    P5(0x32ULL, 0x7cb2734119d3b7a9ULL), /* 5^30 */
    P5(0xfcULL, 0x6f7c40458122964dULL), /* 5^31 */
};
#undef P5

static inline u128 pow5(int k) { return POW5[k]; }

/* num / 2^k rounded half to even (k >= 1). */
static inline u128 shr_round(u128 num, int k) {
  u128 q = num >> k, rem = num - (q << k), half = (u128)1 << (k - 1);
  if (rem > half || (rem == half && (q & 1))) q++;
  return q;
}

/* num / den rounded half to even. */
static inline u128 div_round(u128 num, u128 den) {
  u128 q = num / den, rem = num - q * den;
  if (2 * rem > den || (2 * rem == den && (q & 1))) q++;
  return q;
}

/* round(f 2^e 10^p) exactly, half to even; 0 if out of the exact range. */
static inline uint64_t scaled(uint64_t f, int e, int p) {
  if (p >= 0) {
    if (p > 31) return 0; /* 5^p must fit 74 bits: f 5^p < 2^127 */
    u128 num = (u128)f * pow5(p);
    int s = e + p;
    if (s >= 0) {
      if (s > 10) return 0; /* more than 12 digits: not the case looked for */
      return (uint64_t)(num << s);
    }
    if (-s >= 127) return 0;
    return (uint64_t)shr_round(num, -s);
  }
  int q = -p, s = e - q;
  if (q > 27) return 0; /* 5^q must fit 63 bits */
  u128 den = pow5(q);
  if (s >= 0) {
    if (s > 70) return 0; /* f 2^s must fit 123 bits */
    return (uint64_t)div_round((u128)f << s, den);
  }
  if (-s > 60) return 0;
  return (uint64_t)div_round(f, den << -s);
}

/* The 8 decimal digits of x < 10^8 as ASCII in the bytes of an integer,
 * the first digit in the lowest byte: two 4-digit halves in 32-bit lanes,
 * then 2-digit quarters in 16-bit lanes, then digits in bytes, each split
 * by a multiply and shift that is exact over the lane's range (x / 100 =
 * x 10486 >> 20 for x < 10^4, x / 10 = x 103 >> 10 for x < 100). */
static inline uint64_t ascii8(uint32_t x) {
  uint64_t v = (uint64_t)(x / 10000) | ((uint64_t)(x % 10000) << 32);
  uint64_t hi = ((v * 10486) >> 20) & 0x0000007F0000007FULL;
  v = hi | ((v - hi * 100) << 16);
  hi = ((v * 103) >> 10) & 0x000F000F000F000FULL;
  v = hi | ((v - hi * 10) << 8);
  return v + 0x3030303030303030ULL;
}

/* The 4 digits of x < 10^4 likewise. */
static inline uint32_t ascii4(uint32_t x) {
  uint32_t hi = (x * 10486) >> 20;
  uint32_t v = hi | ((x - hi * 100) << 16);
  uint32_t h = ((v * 103) >> 10) & 0x000F000FU;
  v = h | ((v - h * 10) << 8);
  return v + 0x30303030U;
}

/* Stores the 16 bytes of v at p, the lowest byte first. */
static inline void store16(char *p, u128 v) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  /* two 8-byte stores: a 16-byte copy of a 128-bit integer goes through
   * the stack, and the reload of its two halves stalls */
  uint64_t lo = (uint64_t)v, hi = (uint64_t)(v >> 64);
  memcpy(p, &lo, 8);
  memcpy(p + 8, &hi, 8);
#else
  for (int i = 0; i < 16; i++) p[i] = (char)(uint8_t)(v >> (8 * i));
#endif
}

/* 10^k for k = -21..21, to pre-correct the estimate of floor(log10 a):
 * only a first guess, the exact test is the range of m below */
static const double POW10[43] = {
    1e-21, 1e-20, 1e-19, 1e-18, 1e-17, 1e-16, 1e-15, 1e-14, 1e-13, 1e-12, 1e-11,
    1e-10, 1e-9,  1e-8,  1e-7,  1e-6,  1e-5,  1e-4,  1e-3,  1e-2,  1e-1,  1e0,
    1e1,   1e2,   1e3,   1e4,   1e5,   1e6,   1e7,   1e8,   1e9,   1e10,  1e11,
    1e12,  1e13,  1e14,  1e15,  1e16,  1e17,  1e18,  1e19,  1e20,  1e21};

/* The 12 significant digits of |x|, m with 10^11 <= m < 10^12, and the
 * decimal exponent d: |x| rounds to m 10^(d - 11). 0 (m not set) for
 * zero and for |x| outside [1e-20, 1e20], which go elsewhere. */
static inline uint64_t digits12(double x, int *d_out) {
  double a = fabs(x);
  if (!(a >= 1e-20 && a <= 1e20)) return 0;
  /* a = f 2^e exactly, f with 53 bits (a is normal here) */
  uint64_t bits;
  memcpy(&bits, &a, sizeof bits);
  int e2 = (int)(bits >> 52) - 1022; /* a in [2^(e2-1), 2^e2) */
  uint64_t f = (bits & 0xfffffffffffffULL) | 0x10000000000000ULL;
  int e = e2 - 53;
  /* floor(log10 a) is floor((e2 - 1) log10 2) or one more: 78913 / 2^18
   * is log10 2 to 6 digits, exact enough for |e2| < 1700; a comparison
   * with 10^(d+1) usually settles which, and the loop below corrects the
   * estimate whatever it is */
  int d = (int)(((int64_t)(e2 - 1) * 78913) >> 18);
  /* |e2 - 1| <= 67 here, so -21 <= d <= 19 and 10^(d+1) is in the table */
  d += a >= POW10[d + 22];
  uint64_t m = 0;
  /* 12 significant digits: 10^11 <= m < 10^12, m = round(a 10^(11 - d));
   * the estimate of d may be one off, and rounding may carry to 10^12.
   * First in floating point: 10^k is exact for |k| <= 22 and y = a 10^k
   * (or a / 10^-k) is then a 10^k within half an ulp of y, below 2^-13
   * for y < 2^40, so round(y) is exact unless y is within 2^-10 of a
   * half-integer; then (and outside that range of k) exactly, on
   * integers. */
  for (int tries = 0; tries < 4; tries++) {
    int k = 11 - d;
    if (k > 21 || k < -21) break;
    double y = k >= 0 ? a * POW10[k + 21] : a / POW10[21 - k];
    double fl = (double)(int64_t)y, fr = y - fl; /* floor: 0 <= y < 2^41 */
    if (fabs(fr - 0.5) < 0x1p-10) break;
    m = (uint64_t)fl + (fr > 0.5);
    if (m >= E12) d++, m = 0;
    else if (m < E11) d--, m = 0;
    else break;
  }
  for (int tries = 0; m == 0 && tries < 4; tries++) {
    uint64_t t = scaled(f, e, 11 - d);
    if (t == 0) return 0;
    if (t >= E12) d++;
    else if (t < E11) d--;
    else m = t;
  }
  if (m < E11 || m >= E12) return 0;
  *d_out = d;
  return m;
}

/* The 12 digits of m as ASCII, the first in the lowest byte of S, and the
 * index of the last that is not a trailing zero. */
typedef struct {
  u128 S;
  int last, d;
} text12;

static inline text12 ascii12(uint64_t m, int d) {
  uint32_t top = (uint32_t)(m / 100000000);
  uint32_t s4 = ascii4(top);
  uint64_t s8 = ascii8((uint32_t)(m - (uint64_t)top * 100000000));
  /* trailing zeros are dropped (the first digit is not zero) */
  uint64_t z8 = s8 ^ 0x3030303030303030ULL;
  uint32_t z4 = s4 ^ 0x30303030U;
  text12 t = {(u128)s4 | ((u128)s8 << 32),
              z8 ? 4 + (63 - __builtin_clzll(z8)) / 8 : (31 - __builtin_clz(z4)) / 8, d};
  return t;
}

/* Writes (-1)^neg m 10^(d - 11), m and d from digits12, as "%.12g" does. */
static inline size_t write12(text12 t, int neg, char *out) {
  u128 S = t.S;
  int last = t.last, d = t.d;
  /* Every store below stays within PK_G12_MAX bytes of out, as the
   * contract allows; the length returned counts only the text. */
  char *p = out;
  *p = '-';
  p += neg;
  if (d >= 0 && d < 12) { /* ddd.ddd */
    if (last > d) {
      int n1 = 8 * (d + 1);
      u128 low = S & (((u128)1 << n1) - 1);
      store16(p, low | ((u128)'.' << n1) | ((S - low) << 8));
      p += last + 2;
    } else {
      store16(p, S);
      p += d + 1;
    }
  } else if (d < 0 && d >= -4) { /* 0.000ddd */
    memcpy(p, "0.000000", 8);
    store16(p + 1 - d, S);
    p += 1 - d + last + 1;
  } else { /* d.ddde+dd */
    if (last > 0) {
      store16(p, (S & 0xff) | ((u128)'.' << 8) | ((S >> 8) << 16));
      p += last + 2;
    } else {
      *p++ = (char)(uint8_t)S;
    }
    *p++ = 'e';
    *p++ = d < 0 ? '-' : '+';
    int ad = d < 0 ? -d : d;
    if (ad >= 100) *p++ = (char)('0' + ad / 100);
    *p++ = (char)('0' + ad / 10 % 10);
    *p++ = (char)('0' + ad % 10);
  }
  *p = '\0';
  return (size_t)(p - out);
}

/* zeros, and values digits12 does not take */
static inline size_t write_other(double x, char *out) {
  if (x == 0) { /* "0" or "-0" */
    char *p = out;
    if (signbit(x)) *p++ = '-';
    *p++ = '0';
    *p = '\0';
    return (size_t)(p - out);
  }
  return (size_t)snprintf(out, PK_G12_MAX, "%.12g", x);
}

/* One CSV field: x as "%.12g" (or nothing for a NaN when nan_empty). */
static inline size_t pk_fmt_g12_field(double x, int nan_empty, char *out) {
  int d = 0;
  uint64_t m = digits12(x, &d);
  if (m) return write12(ascii12(m, d), signbit(x) != 0, out);
  if (nan_empty && isnan(x)) return 0;
  return write_other(x, out);
}

/* pk_csv_format_values and pk_csv_format_rows for x86-64-v3 (numfmt_v3.c),
 * in builds that have it (rows: cols >= 1) */
size_t pk_csv_format_values_v3(const double *v, size_t n, int nan_empty, char *buf);
size_t pk_csv_format_rows_v3(const double *v, size_t rows, size_t cols, const char *prefix,
                             size_t prefix_len, int nan_empty, char *buf);

#endif
