/* pk/trajectory.h - simulation output: a table of columns over time.
 *
 * Columns (units): time_h (h); C_<id> plasma concentration (nM) of every
 * compound; ce_<id> effect-site concentration (nM) of every ligand; occ total
 * receptor occupancy and occ_<id> per ligand (fractions); E response and net
 * = E - tol (fractions of the system maximum); tol adaptation level; with a
 * PD version 2 receptor wx and wf, the filters of tol - E; W the withdrawal
 * measure (docs/pd-model.md; max(0, tol - E) in version 1). With amounts
 * on, A_<compartment>_<id>
 * (umol) for depot, central, periph1, periph2 and elim (cumulative eliminated).
 */
#ifndef PK_TRAJECTORY_H
#define PK_TRAJECTORY_H

#include <stddef.h>
#include <stdio.h>
#include "pk/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct pk_trajectory pk_trajectory;

/* CSV numbers: the n values v[0..n) written into buf as ",v0,v1,...", each
 * exactly as printf's "%.12g" writes it (but several times faster), a NaN
 * as an empty field when nan_empty is set (else "nan", as printf); returns
 * the length written (no NUL). buf must hold PK_CSV_FIELD_MAX * n bytes. */
#define PK_CSV_FIELD_MAX 33
PK_API size_t pk_csv_format_values(const double *v, size_t n, int nan_empty, char *buf);
/* CSV rows: rows x cols values, row-major, written as rows of text, each
 * the prefix_len bytes of prefix (for example an id; not quoted or
 * checked; NULL when prefix_len is 0), then ",v0,...,v(cols-1)" as pk_csv_format_values writes them,
 * then '\n'; returns the length written (no NUL). Faster than a call per
 * row. buf must hold rows * PK_CSV_ROW_MAX(cols, prefix_len) bytes. */
#define PK_CSV_ROW_MAX(cols, prefix_len) (PK_CSV_FIELD_MAX * (cols) + (prefix_len) + 1)
PK_API size_t pk_csv_format_rows(const double *v, size_t rows, size_t cols, const char *prefix,
                                 size_t prefix_len, int nan_empty, char *buf);

PK_API void pk_trajectory_free(pk_trajectory *t); /* NULL is safe */
PK_API size_t pk_trajectory_rows(const pk_trajectory *t);
PK_API size_t pk_trajectory_cols(const pk_trajectory *t);
/* Name of column j, NULL if out of range. */
PK_API const char *pk_trajectory_column_name(const pk_trajectory *t, size_t j);
/* Index of the column with this name, -1 if none. */
PK_API int pk_trajectory_column_index(const pk_trajectory *t, const char *name);
/* Value at (row, col); NaN if out of range. */
PK_API double pk_trajectory_get(const pk_trajectory *t, size_t row, size_t col);
/* Row-major data, rows * cols values. */
PK_API const double *pk_trajectory_data(const pk_trajectory *t);

/* Writes the table as CSV (header row, then one row per time, values with
 * 12 significant digits) to path through pk_output_open (pk/output.h): a
 * regular file is written to a temporary file beside it and renamed over
 * it, so that a failure leaves no partial file and keeps any previous one;
 * a device or FIFO (/dev/null, /dev/stdout) is written directly. */
PK_API pk_status pk_trajectory_write_csv(const pk_trajectory *t, const char *path,
                                         pk_error *err);

/* Reads a trajectory CSV back (as pk_trajectory_write_csv writes it, one
 * subject): a header of distinct column names (printable, no quotes or
 * spaces), the first time_h, then rows of as many finite numbers, times
 * strictly increasing, at least one row; CRLF line ends allowed. On failure
 * err names the file and the line (and column) and what was expected; *out
 * is then NULL. The file is read through pk/input.h's reader (regular files,
 * at most pk_max_input_bytes()). */
PK_API pk_status pk_trajectory_read_csv(const char *path, pk_trajectory **out, pk_error *err);
/* The same from text[0..len) (need not end in a NUL; a NUL in it is an
 * error); name (may be NULL) names it in messages. */
PK_API pk_status pk_trajectory_read_csv_text(const char *text, size_t len, const char *name,
                                             pk_trajectory **out, pk_error *err);
/* Writes the same CSV to an open stream; PK_ERR_IO if a write fails. */
PK_API pk_status pk_trajectory_write_csv_stream(const pk_trajectory *t, FILE *f,
                                                pk_error *err);

#ifdef __cplusplus
}
#endif
#endif
