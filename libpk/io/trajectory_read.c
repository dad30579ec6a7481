/* trajectory_read.c - reading back a trajectory CSV as pk simulate writes it
 * (a header of column names, the first time_h, then one row of numbers per
 * time), for pk nca and other analyses of saved runs. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "io.h"

#define BAD(line, ...) pk_err_set(err, PK_ERR_INVALID, name, NULL, __VA_ARGS__)

enum { MAX_COLS = 4096 };

/* The line starting at p (up to \n or \r\n, or end): its length without
 * the line end; *next the start of the next line. */
static size_t line_at(const char *p, const char *end, const char **next) {
  const char *q = memchr(p, '\n', (size_t)(end - p));
  size_t len = q ? (size_t)(q - p) : (size_t)(end - p);
  *next = q ? q + 1 : end;
  if (len && p[len - 1] == '\r') len--;
  return len;
}

static int name_char_ok(unsigned char ch) {
  return ch > 0x20 && ch < 0x7f && ch != '"' && ch != ',';
}

pk_status pk_trajectory_read_csv_text(const char *text, size_t len, const char *name,
                                      pk_trajectory **out, pk_error *err) {
  pk_error_clear(err);
  if (!out) return pk_err_set(err, PK_ERR_INVALID, name, NULL, "no output");
  *out = NULL;
  if (!text && len) return pk_err_set(err, PK_ERR_INVALID, name, NULL, "no text");
  if (!name) name = "";
  if (len && memchr(text, '\0', len))
    return BAD(0, "a NUL byte in the file; expected a CSV text file");
  const char *p = text, *end = text + len, *next;
  size_t hl = line_at(p, end, &next);
  if (len == 0 || hl == 0)
    return BAD(1, "line 1: the file is empty; expected a header such as time_h,C_mg,...");
  /* header: names separated by commas */
  size_t cols = 1;
  for (size_t i = 0; i < hl; i++) cols += p[i] == ',';
  if (cols > MAX_COLS) return BAD(1, "line 1: %zu columns; at most %d", cols, MAX_COLS);
  pk_trajectory *t = pk_trajectory_alloc(cols, 64);
  if (!t) return pk_err_nomem(err);
  pk_status st = PK_OK;
  size_t j = 0, start = 0;
  char field[PK_CSV_FIELD_MAX * 4];
  for (size_t i = 0; i <= hl && st == PK_OK; i++) {
    if (i < hl && p[i] != ',') continue;
    size_t fl = i - start;
    for (size_t k = start; k < i && st == PK_OK; k++)
      if (!name_char_ok((unsigned char)p[k]))
        st = BAD(1, "line 1, column %zu: a column name may not hold quotes, spaces or control "
                 "characters; expected names such as time_h, C_mg", j + 1);
    if (st != PK_OK) break;
    if (fl == 0) st = BAD(1, "line 1, column %zu: an empty column name", j + 1);
    else if (fl >= sizeof field) st = BAD(1, "line 1, column %zu: a name longer than %zu "
                                          "characters", j + 1, sizeof field - 1);
    else {
      memcpy(field, p + start, fl);
      field[fl] = '\0';
      for (size_t k = 0; k < j && st == PK_OK; k++)
        if (strcmp(t->names[k], field) == 0)
          st = BAD(1, "line 1, column %zu: column '%s' appears twice", j + 1, field);
      if (st == PK_OK && pk_trajectory_set_name(t, j, field) != PK_OK) st = pk_err_nomem(err);
    }
    j++;
    start = i + 1;
  }
  if (st == PK_OK && strcmp(t->names[0], "time_h") != 0)
    st = BAD(1, "line 1: the first column is '%s'; expected time_h (a trajectory written by "
             "pk simulate; for several subjects, one subject's rows without the ID column)",
             t->names[0]);
  double *row = st == PK_OK ? malloc(cols * sizeof *row) : NULL;
  if (st == PK_OK && !row) st = pk_err_nomem(err);
  size_t lineno = 1;
  for (p = next; st == PK_OK && p < end; p = next) {
    size_t ll = line_at(p, end, &next);
    lineno++;
    if (ll == 0) {
      /* only a last empty line is allowed */
      if (next < end) st = BAD(lineno, "line %zu: an empty line", lineno);
      break;
    }
    size_t c = 0;
    const char *q = p, *lend = p + ll;
    while (st == PK_OK) {
      const char *comma = memchr(q, ',', (size_t)(lend - q));
      size_t fl = comma ? (size_t)(comma - q) : (size_t)(lend - q);
      if (c >= cols) {
        st = BAD(lineno, "line %zu: more than the header's %zu fields", lineno, cols);
        break;
      }
      if (fl == 0 || fl >= sizeof field) {
        st = BAD(lineno, "line %zu, column %zu (%s): %s; expected a number", lineno, c + 1,
                 t->names[c], fl ? "a field too long" : "an empty field");
        break;
      }
      memcpy(field, q, fl);
      field[fl] = '\0';
      char *e = NULL;
      errno = 0;
      double v = strtod(field, &e);
      if (*e || !isfinite(v) || e == field) {
        st = BAD(lineno, "line %zu, column %zu (%s): '%.40s' is not a finite number", lineno,
                 c + 1, t->names[c], field);
        break;
      }
      row[c++] = v;
      if (!comma) break;
      q = comma + 1;
    }
    if (st == PK_OK && c != cols)
      st = BAD(lineno, "line %zu: %zu fields; the header has %zu", lineno, c, cols);
    if (st == PK_OK && t->rows > 0 && !(row[0] > t->data[(t->rows - 1) * cols]))
      st = BAD(lineno, "line %zu: time_h %g does not follow %g; expected increasing times "
               "(one subject)", lineno, row[0], t->data[(t->rows - 1) * cols]);
    if (st == PK_OK && pk_trajectory_append(t, row) != PK_OK) st = pk_err_nomem(err);
  }
  if (st == PK_OK && t->rows == 0) st = BAD(2, "no rows after the header; expected at least one");
  free(row);
  if (st != PK_OK) {
    pk_trajectory_free(t);
    return st;
  }
  *out = t;
  return PK_OK;
}

pk_status pk_trajectory_read_csv(const char *path, pk_trajectory **out, pk_error *err) {
  pk_error_clear(err);
  if (!out) return pk_err_set(err, PK_ERR_INVALID, path, NULL, "no output");
  *out = NULL;
  char *text = NULL;
  size_t len = 0;
  pk_status st = pk_read_file(path, &text, &len, err);
  if (st == PK_OK) st = pk_trajectory_read_csv_text(text, len, path, out, err);
  free(text);
  return st;
}
