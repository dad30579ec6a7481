/* numfmt.c - "%.12g" without printf: the CSV writers format tens of
 * millions of numbers for a population's trajectories, where printf costs
 * far more than the simulation. See numfmt.h. */
#include "numfmt.h"
#include "internal.h"
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

static u128 pow5(int k) { return POW5[k]; }

/* num / 2^k rounded half to even (k >= 1). */
static u128 shr_round(u128 num, int k) {
  u128 q = num >> k, rem = num - (q << k), half = (u128)1 << (k - 1);
  if (rem > half || (rem == half && (q & 1))) q++;
  return q;
}

/* num / den rounded half to even. */
static u128 div_round(u128 num, u128 den) {
  u128 q = num / den, rem = num - q * den;
  if (2 * rem > den || (2 * rem == den && (q & 1))) q++;
  return q;
}

/* round(f 2^e 10^p) exactly, half to even; 0 if out of the exact range. */
static uint64_t scaled(uint64_t f, int e, int p) {
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

size_t pk_fmt_g12(double x, char *out) {
  double a = fabs(x);
  if (!(a >= 1e-20 && a <= 1e20)) return (size_t)snprintf(out, PK_G12_MAX, "%.12g", x);
  /* a = f 2^e exactly, f with 53 bits (a is normal here) */
  uint64_t bits;
  memcpy(&bits, &a, sizeof bits);
  int e2 = (int)(bits >> 52) - 1022; /* a in [2^(e2-1), 2^e2) */
  uint64_t f = (bits & 0xfffffffffffffULL) | 0x10000000000000ULL;
  int e = e2 - 53;
  /* floor(log10 a) is floor((e2 - 1) log10 2) or one more: 78913 / 2^18
   * is log10 2 to 6 digits, exact enough for |e2| < 1700; the loop below
   * corrects the estimate */
  int d = (int)(((int64_t)(e2 - 1) * 78913) >> 18);
  uint64_t m = 0;
  /* 12 significant digits: 10^11 <= m < 10^12, m = round(a 10^(11 - d));
   * the estimate of d may be one off, and rounding may carry to 10^12 */
  for (int tries = 0; tries < 4; tries++) {
    m = scaled(f, e, 11 - d);
    if (m == 0) return (size_t)snprintf(out, PK_G12_MAX, "%.12g", x);
    if (m >= E12) d++;
    else if (m < E11) d--;
    else break;
  }
  if (m < E11 || m >= E12) return (size_t)snprintf(out, PK_G12_MAX, "%.12g", x);
  char dig[12];
  for (int i = 11; i >= 0; i--) dig[i] = (char)('0' + m % 10), m /= 10;
  int last = 11; /* the last significant digit: trailing zeros are dropped */
  while (last > 0 && dig[last] == '0') last--;
  char *p = out;
  if (signbit(x)) *p++ = '-';
  if (d >= -4 && d < 12) {
    if (d >= 0) {
      for (int i = 0; i <= d; i++) *p++ = dig[i];
      if (last > d) {
        *p++ = '.';
        for (int i = d + 1; i <= last; i++) *p++ = dig[i];
      }
    } else {
      *p++ = '0';
      *p++ = '.';
      for (int i = 0; i < -d - 1; i++) *p++ = '0';
      for (int i = 0; i <= last; i++) *p++ = dig[i];
    }
  } else {
    *p++ = dig[0];
    if (last > 0) {
      *p++ = '.';
      for (int i = 1; i <= last; i++) *p++ = dig[i];
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

size_t pk_csv_format_values(const double *v, size_t n, int nan_empty, char *buf) {
  char *p = buf;
  for (size_t j = 0; j < n; j++) {
    *p++ = ',';
    if (nan_empty && isnan(v[j])) continue;
    p += pk_fmt_g12(v[j], p);
  }
  return (size_t)(p - buf);
}
