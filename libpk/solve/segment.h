/* segment.h - the arithmetic of per-subject summaries between two output
 * rows, in one place: the batch engine's row-by-row summaries
 * (batch/batch.c), the batch kernel's lane-wise ones (solve/fast_kernel.inc,
 * the same operations on vectors) and NCA (batch/nca.c) all use it, so
 * that they give the same numbers. */
#ifndef PK_SEGMENT_H
#define PK_SEGMENT_H

#include <float.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

/* Part of [t0, t1] (h) where the segment from y0 to y1 is above thr:
 * crossings interpolated on a log scale between positive values. */
static inline double pk_seg_above(double t0, double t1, double y0, double y1, double thr) {
  int a0 = y0 > thr, a1 = y1 > thr;
  if (a0 && a1) return t1 - t0;
  if (!a0 && !a1) return 0.0;
  double f; /* fraction of the step at which y crosses thr */
  if (y0 > 0 && y1 > 0 && thr > 0) f = log(thr / y0) / log(y1 / y0);
  else f = (thr - y0) / (y1 - y0);
  if (!(f >= 0)) f = 0;
  if (f > 1) f = 1;
  return (a0 ? f : 1.0 - f) * (t1 - t0);
}

/* ln x for the log-down trapezoid, within about 2 ulp: x = m 2^e with m in
 * [sqrt(1/2), sqrt(2)], ln m = 2 atanh(s), s = (m - 1) / (m + 1), |s| <=
 * 0.172, by its series to s^23. The kernel evaluates the same operations
 * for all the lanes of a pack at once (fast_kernel.inc), so both give the
 * same bits; values that are not normal numbers go to the C library. */
#define PK_LOG_SERIES                                                                         \
  2.0 / 23, 2.0 / 21, 2.0 / 19, 2.0 / 17, 2.0 / 15, 2.0 / 13, 2.0 / 11, 2.0 / 9, 2.0 / 7,    \
      2.0 / 5, 2.0 / 3
/* The series' polynomial in x = s^2, sum_k c[k] x^(10-k) with c the
 * coefficients above, by Estrin's scheme (pairs, then pairs of pairs, with
 * x2 = x^2, x4 = x^4, x8 = x^8): a chain of four multiply-add levels instead
 * of ten. Any arithmetic type (double, or the kernel's vectors of lanes). */
#define PK_LOG_POLY(c, x, x2, x4, x8)                                                         \
  ((((c)[10] + (c)[9] * (x)) + ((c)[8] + (c)[7] * (x)) * (x2)) +                               \
   (((c)[6] + (c)[5] * (x)) + ((c)[4] + (c)[3] * (x)) * (x2)) * (x4) +                         \
   (((c)[2] + (c)[1] * (x)) + (c)[0] * (x2)) * (x8))
#define PK_LN2_HI 6.93147180369123816490e-01 /* high bits of ln 2: e * PK_LN2_HI is exact */
#define PK_LN2_LO 1.90821492927058770002e-10
static inline double pk_log(double x) {
  if (!(x >= DBL_MIN && x <= DBL_MAX)) return log(x);
  static const double c[] = {PK_LOG_SERIES};
  _Static_assert(sizeof c / sizeof c[0] == 11, "PK_LOG_POLY takes 11 coefficients");
  uint64_t bits;
  memcpy(&bits, &x, sizeof bits);
  int64_t e = (int64_t)((bits >> 52) & 0x7ff) - 1023;
  uint64_t mb = (bits & 0xfffffffffffffULL) | 0x3ff0000000000000ULL;
  double m;
  memcpy(&m, &mb, sizeof m);
  if (m > 1.41421356237309504880) m *= 0.5, e += 1;
  double s = (m - 1.0) / (m + 1.0), s2 = s * s, s4 = s2 * s2, s8 = s4 * s4, s16 = s8 * s8;
  double p = PK_LOG_POLY(c, s2, s4, s8, s16);
  double r = 2.0 * s + s * (s2 * p);
  double ed = (double)e;
  return ed * PK_LN2_HI + (ed * PK_LN2_LO + r);
}

/* Linear-up / log-down trapezoid between two samples (nM h). */
static inline double pk_seg_auc(double t0, double t1, double c0, double c1) {
  double dt = t1 - t0;
  if (c1 < c0 && c1 > 0 && c0 > 0) return dt * (c0 - c1) / pk_log(c0 / c1);
  return 0.5 * dt * (c0 + c1);
}

#endif
