/* gauss.h - Gauss-Legendre rules on [0, 1], for the batch kernel's
 * quadrature of E and the exact path's collocation (exact.c). */
#ifndef PK_GAUSS_H
#define PK_GAUSS_H

#include <math.h>

/* The n-point rule on [0, 1]: nodes x (ascending) and weights w, by
 * Newton's method on the Legendre polynomial from Tricomi's first guess. */
static inline void pk_gauss_legendre01(int n, double *x, double *w) {
  for (int i = 0; i < n; i++) {
    double t = cos(3.14159265358979323846 * (i + 0.75) / (n + 0.5)), dp = 1.0;
    for (int it = 0; it < 100; it++) {
      double p0 = 1.0, p1 = t;
      for (int k = 2; k <= n; k++) {
        double p2 = ((2.0 * k - 1.0) * t * p1 - (k - 1.0) * p0) / k;
        p0 = p1, p1 = p2;
      }
      dp = n * (t * p1 - p0) / (t * t - 1.0);
      double dx = p1 / dp;
      t -= dx;
      if (fabs(dx) < 1e-16) break;
    }
    /* node (1 - t) / 2, weight 1 / ((1 - t^2) P'^2) */
    x[i] = 0.5 * (1.0 - t);
    w[i] = 1.0 / ((1.0 - t * t) * dp * dp);
  }
}

#endif
