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

static u128 pow5(int k) {
  u128 p = 1;
  while (k-- > 0) p *= 5;
  return p;
}

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
  int e2;
  double fr = frexp(a, &e2);
  uint64_t f = (uint64_t)ldexp(fr, 53);
  int e = e2 - 53; /* a = f 2^e exactly */
  int d = (int)floor(log10(a));
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
