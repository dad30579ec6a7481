/* numfmt.h - numbers for the CSV writers, fast and exactly as printf would
 * write them. */
#ifndef PK_NUMFMT_H
#define PK_NUMFMT_H

#include <stddef.h>

enum { PK_G12_MAX = 32 }; /* longest text of pk_fmt_g12, with the NUL */

/* Writes x into out (at least PK_G12_MAX bytes) exactly as
 * snprintf(out, n, "%.12g", x) does, NUL-terminated, and returns its
 * length. The digits come from exact integer arithmetic (round half to
 * even on the exact binary value, as glibc's printf), for |x| in about
 * [1e-20, 1e20]; other values (and zeros, infinities, NaN) go through
 * snprintf. */
size_t pk_fmt_g12(double x, char *out);

/* pk_csv_format_values (pk/trajectory.h) by a chosen variant, for the
 * tests and benchmarks: 0 the baseline writer, 1 the AVX2 one
 * (io/numfmt_v3.c); the same text whichever runs. (size_t)-1 if this
 * build or processor lacks it. */
size_t pk_numfmt_format_with(int variant, const double *v, size_t n, int nan_empty, char *buf);
/* pk_csv_format_rows the same way */
size_t pk_numfmt_rows_with(int variant, const double *v, size_t rows, size_t cols,
                           const char *prefix, size_t prefix_len, int nan_empty, char *buf);

#endif
