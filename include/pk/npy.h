/* pk/npy.h - NumPy .npy files written as a stream: a 1-D structured array,
 * one record per row, whose length is known only at the end (a population's
 * trajectories, subject after subject).
 *
 * The layout is numpy's own (numpy.lib.format): the magic string
 * "\x93NUMPY", the format version (two bytes), the header length, then the
 * header, the Python literal
 *     {'descr': [('name', '<f8'), ...], 'fortran_order': False, 'shape': (N,), }
 * padded with spaces and ended by a newline so that the data start at a
 * multiple of 64 bytes; then the records in C order, the fields of a record
 * packed without gaps, every value little-endian whatever the host.
 * numpy.load reads such a file with no options as long as the header is at
 * most 10 000 bytes (numpy's default max_header_size; some 300 fields of
 * short names).
 *
 * Version 1.0 (a 2-byte header length) when every name is ASCII and the
 * header fits in 65 535 bytes, 2.0 (a 4-byte length; numpy 1.9 and later)
 * when it is ASCII and longer, 3.0 (a 4-byte length and UTF-8 text; numpy
 * 1.17 and later) when a name is not ASCII.
 *
 * Field names often come from input files: each is written as a Python
 * string literal in single quotes (backslash and quote escaped, control
 * characters as \xNN, UTF-8 as it is), and a name that is empty, repeated
 * or neither ASCII nor valid UTF-8 is refused (PK_ERR_INVALID, the message
 * quoting the name with its unprintable bytes as \xNN).
 */
#ifndef PK_NPY_H
#define PK_NPY_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "pk/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum pk_npy_type {
  PK_NPY_INT64 = 0, /* '<i8': a 64-bit two's complement integer */
  PK_NPY_DOUBLE = 1 /* '<f8': an IEEE 754 double */
} pk_npy_type;

typedef struct pk_npy_field {
  const char *name;
  pk_npy_type type;
} pk_npy_field;

/* The header of an array of `rows` records of the n fields, from the magic
 * string to the newline before the data, into buf (cap bytes; buf may be
 * NULL with cap 0 to learn the length). *len (may be NULL) receives its
 * length, a multiple of 64 that does not depend on rows: room is kept for
 * a 20-digit count, so that a stream can write the header first and its
 * count last. *version (may be NULL) receives the major format version, 1,
 * 2 or 3. Fails with PK_ERR_INVALID for no fields, an unknown type or a
 * name refused as above (err names the field), PK_ERR_RANGE when cap is
 * too small (*len is then set). */
PK_API pk_status pk_npy_header(const pk_npy_field *fields, size_t n, uint64_t rows, char *buf,
                               size_t cap, size_t *len, int *version, pk_error *err);

/* Packs n_rows records of a 64-bit integer key followed by n_values
 * doubles (row r: key, values[r * n_values ... + n_values - 1]) into out,
 * little-endian: n_rows * 8 * (1 + n_values) bytes, the count returned. */
PK_API size_t pk_npy_pack_rows(int64_t key, const double *values, size_t n_rows, size_t n_values,
                               void *out);

/* ---- writing a stream ---- */

typedef struct pk_npy_writer pk_npy_writer;

/* Writes the header (for 0 rows) at f's current position and returns a
 * writer that counts the records written after it. f must be able to seek
 * back (a regular file, /dev/null), which is checked here: a pipe, a
 * terminal or a file opened for appending fail with PK_ERR_IO. The names
 * are not kept. */
PK_API pk_status pk_npy_begin(FILE *f, const pk_npy_field *fields, size_t n,
                              pk_npy_writer **out, pk_error *err);
/* Bytes of a record (8 per field) and of the header. */
PK_API size_t pk_npy_record_bytes(const pk_npy_writer *w);
PK_API size_t pk_npy_header_bytes(const pk_npy_writer *w);
/* The major format version of the header, 1, 2 or 3. */
PK_API int pk_npy_version(const pk_npy_writer *w);
/* Writes n records (n * record_bytes bytes, laid out as described above,
 * e.g. by pk_npy_pack_rows). The data must reach the stream only through
 * here: the count written last is what these calls wrote. PK_ERR_IO on a
 * write error. */
PK_API pk_status pk_npy_write(pk_npy_writer *w, const void *records, size_t n, pk_error *err);
/* Writes the count of records into the header and leaves the stream at its
 * end (the caller flushes and closes it). Frees w in every case; PK_ERR_IO
 * if seeking or writing fails. */
PK_API pk_status pk_npy_finish(pk_npy_writer *w, pk_error *err);
/* Frees w without finishing (after an error: the file is to be thrown
 * away). NULL is safe. */
PK_API void pk_npy_free(pk_npy_writer *w);

#ifdef __cplusplus
}
#endif
#endif
