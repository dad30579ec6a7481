/* trajectory.c - the output table of a simulation and its CSV writer. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"

pk_trajectory *pk_trajectory_alloc(size_t cols, size_t rows_hint) {
  pk_trajectory *t = calloc(1, sizeof *t);
  if (!t) return NULL;
  t->cols = cols;
  t->cap_rows = rows_hint ? rows_hint : 16;
  t->names = calloc(cols, sizeof *t->names);
  t->data = malloc(t->cap_rows * cols * sizeof *t->data);
  if (!t->names || !t->data) {
    pk_trajectory_free(t);
    return NULL;
  }
  return t;
}

void pk_trajectory_free(pk_trajectory *t) {
  if (!t) return;
  if (t->names)
    for (size_t j = 0; j < t->cols; j++) free(t->names[j]);
  free(t->names);
  free(t->data);
  free(t);
}

pk_status pk_trajectory_set_name(pk_trajectory *t, size_t j, const char *name) {
  if (j >= t->cols) return PK_ERR_RANGE;
  char *copy = strdup(name);
  if (!copy) return PK_ERR_NOMEM;
  free(t->names[j]);
  t->names[j] = copy;
  return PK_OK;
}

pk_status pk_trajectory_append(pk_trajectory *t, const double *row) {
  if (t->rows == t->cap_rows) {
    size_t cap = 2 * t->cap_rows;
    double *d = realloc(t->data, cap * t->cols * sizeof *d);
    if (!d) return PK_ERR_NOMEM;
    t->data = d;
    t->cap_rows = cap;
  }
  memcpy(t->data + t->rows * t->cols, row, t->cols * sizeof *row);
  t->rows++;
  return PK_OK;
}

size_t pk_trajectory_rows(const pk_trajectory *t) { return t ? t->rows : 0; }
size_t pk_trajectory_cols(const pk_trajectory *t) { return t ? t->cols : 0; }

const char *pk_trajectory_column_name(const pk_trajectory *t, size_t j) {
  return (t && j < t->cols) ? t->names[j] : NULL;
}

int pk_trajectory_column_index(const pk_trajectory *t, const char *name) {
  if (!t || !name) return -1;
  for (size_t j = 0; j < t->cols; j++)
    if (t->names[j] && strcmp(t->names[j], name) == 0) return (int)j;
  return -1;
}

double pk_trajectory_get(const pk_trajectory *t, size_t row, size_t col) {
  if (!t || row >= t->rows || col >= t->cols) return NAN;
  return t->data[row * t->cols + col];
}

const double *pk_trajectory_data(const pk_trajectory *t) { return t ? t->data : NULL; }

static int write_csv(void *ctx, FILE *f) {
  const pk_trajectory *t = ctx;
  for (size_t j = 0; j < t->cols; j++)
    if (fprintf(f, "%s%s", j ? "," : "", t->names[j]) < 0) return -1;
  if (fputc('\n', f) == EOF) return -1;
  char *line = malloc(PK_CSV_FIELD_MAX * t->cols + 2);
  if (!line) return errno = ENOMEM, -1;
  for (size_t i = 0; i < t->rows; i++) {
    size_t len = pk_csv_format_values(t->data + i * t->cols, t->cols, 0, line);
    line[len++] = '\n';
    /* the first field has no comma before it */
    if (fwrite(line + 1, 1, len - 1, f) != len - 1) return free(line), -1;
  }
  free(line);
  return 0;
}

pk_status pk_trajectory_write_csv_stream(const pk_trajectory *t, FILE *f, pk_error *err) {
  if (!t || !f) return pk_err_set(err, PK_ERR_INVALID, NULL, NULL, "no trajectory or no stream");
  if (write_csv((void *)t, f) != 0 || fflush(f) != 0)
    return pk_err_set(err, PK_ERR_IO, NULL, NULL, "write failed: %s", strerror(errno));
  return PK_OK;
}

pk_status pk_trajectory_write_csv(const pk_trajectory *t, const char *path, pk_error *err) {
  if (!t || !path)
    return pk_err_set(err, PK_ERR_INVALID, path, NULL, "no trajectory or no output path");
  return pk_write_atomic(path, write_csv, (void *)t, err);
}
