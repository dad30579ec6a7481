/* plot_table.c - the CSV files pk plot reads: a trajectory of pk simulate,
 * a percentile table of pk population/sweep --percentiles, or a summary of
 * pk sweep/population, told apart by their headers and checked line by
 * line. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "plot.h"

const char *plot_kind_name(plot_kind k) {
  switch (k) {
  case PLOT_TRAJECTORY: return "a trajectory (pk simulate)";
  case PLOT_PERCENTILES: return "a percentile table (pk population/sweep --percentiles)";
  case PLOT_SUMMARY: return "a summary (pk sweep/population -o)";
  }
  return "?";
}

int plot_table_column(const plot_table *t, const char *name) {
  for (size_t j = 0; j < t->nc; j++)
    if (strcmp(t->names[j], name) == 0) return (int)j;
  return -1;
}

void plot_table_free(plot_table *t) {
  for (size_t j = 0; t->names && j < t->nc; j++) free(t->names[j]);
  free(t->names);
  free(t->v);
  t->names = NULL;
  t->v = NULL;
  t->nc = t->nr = 0;
}

/* The whole file, NUL-terminated; NULL after an error message. */
static char *slurp(const char *path, size_t *len) {
  int fd = open(path, O_RDONLY | O_NOCTTY | O_NONBLOCK);
  if (fd < 0) return cli_fail("%s: cannot open: %s", path, strerror(errno)), NULL;
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    cli_fail("%s: %s; expected a CSV file written by pk", path,
             S_ISDIR(st.st_mode) ? "is a directory" : "not a regular file");
    return NULL;
  }
  size_t limit = pk_max_input_bytes();
  if ((unsigned long long)st.st_size > limit) {
    close(fd);
    cli_fail("%s: %lld bytes, more than the input limit of %zu bytes (PK_MAX_INPUT_BYTES)",
             path, (long long)st.st_size, limit);
    return NULL;
  }
  size_t cap = (size_t)st.st_size + 1, n = 0;
  char *buf = malloc(cap + 1);
  while (buf) {
    if (n == cap) {
      if (cap > limit) {
        free(buf);
        close(fd);
        cli_fail("%s: more than the input limit of %zu bytes (PK_MAX_INPUT_BYTES)", path,
                 limit);
        return NULL;
      }
      char *p = realloc(buf, 2 * cap + 1);
      if (!p) break;
      buf = p;
      cap *= 2;
    }
    ssize_t k = read(fd, buf + n, cap - n);
    if (k < 0 && errno == EINTR) continue;
    if (k < 0) {
      int e = errno;
      free(buf);
      close(fd);
      cli_fail("%s: cannot read: %s", path, strerror(e));
      return NULL;
    }
    if (k == 0) {
      close(fd);
      buf[n] = '\0';
      if (memchr(buf, '\0', n)) {
        free(buf);
        cli_fail("%s: holds a NUL byte; expected a CSV text file written by pk", path);
        return NULL;
      }
      *len = n;
      return buf;
    }
    n += (size_t)k;
  }
  free(buf);
  close(fd);
  cli_fail("out of memory reading %s", path);
  return NULL;
}

/* Splits the line at p (ending at '\n' or NUL) into fields, in place: a
 * field may be quoted ("...", "" for a quote). Returns the count (at most
 * max; more are counted, not stored), or -1 for an unterminated quote;
 * *next is the start of the next line; col[k] the 1-based column of field k. */
static long split_line(char *p, char **fields, size_t *col, size_t max, char **next) {
  char *line = p;
  long n = 0;
  for (;;) {
    char *start = p, *out = p;
    if (*p == '"') {
      p++;
      for (;;) {
        if (*p == '\0' || *p == '\n') return -1;
        if (*p == '"' && p[1] == '"') {
          *out++ = '"';
          p += 2;
        } else if (*p == '"') {
          p++;
          break;
        } else {
          *out++ = *p++;
        }
      }
      if (*p != ',' && *p != '\n' && *p != '\0' &&
          !(*p == '\r' && (p[1] == '\n' || p[1] == '\0')))
        return -1;
    } else {
      while (*p != ',' && *p != '\n' && *p != '\0') p++;
      out = p;
      if (out > start && out[-1] == '\r' && *p != ',') out--;
    }
    char sep = *p;
    if ((size_t)n < max) {
      fields[n] = start;
      col[n] = (size_t)(start - line) + 1;
    }
    n++;
    if (sep == '\r') p++;
    char *after = *p == '\0' ? p : p + 1;
    int last = sep != ',';
    *out = '\0';
    if (!last) {
      p = after;
      continue;
    }
    *next = after;
    return n;
  }
}

/* The field as shown in a message: at most 40 characters. */
static const char *shown(const char *s, char buf[48]) {
  size_t n = strlen(s);
  if (n <= 40) return s;
  snprintf(buf, 48, "%.37s...", s);
  return buf;
}

static int is_level_name(const char *s) {
  const char *p = strstr(s, "_p");
  if (!p) return 0;
  while (strstr(p + 2, "_p")) p = strstr(p + 2, "_p");
  char *end;
  double v = strtod(p + 2, &end);
  return p > s && end != p + 2 && *end == '\0' && v >= 0 && v <= 100;
}

/* The kind told by the header; 1 after an error message. */
static int header_kind(plot_table *t) {
  char **h = t->names;
  if (t->nc >= 2 && (strcmp(h[0], "ID") == 0 || strcmp(h[0], "id") == 0) &&
      strcmp(h[1], "time_h") == 0)
    return cli_fail("%s: line 1: an %s column before time_h: the trajectories of several "
                    "subjects (pk simulate --events, pk population --trajectories); pk plot "
                    "draws one trajectory per file: plot a percentile table "
                    "(--percentiles) or one subject's CSV", t->path, h[0]);
  if (t->nc >= 3 && strcmp(h[0], "time_h") == 0 && strcmp(h[1], "n") == 0) {
    for (size_t j = 2; j < t->nc; j++)
      if (!is_level_name(h[j]))
        return cli_fail("%s: line 1: column %zu is '%s'; a percentile table has "
                        "<column>_p<level> columns after time_h,n", t->path, j + 1, h[j]);
    t->kind = PLOT_PERCENTILES;
    return 0;
  }
  if (t->nc >= 2 && strcmp(h[0], "time_h") == 0) {
    t->kind = PLOT_TRAJECTORY;
    return 0;
  }
  if (t->nc >= 3 && strcmp(h[0], "id") == 0 && strcmp(h[1], "status") == 0) {
    t->kind = PLOT_SUMMARY;
    return 0;
  }
  char buf[48];
  return cli_fail("%s: line 1: the header starts with '%s'; expected a CSV written by pk: a "
                  "trajectory (time_h,C_...), a percentile table (time_h,n,...) or a summary "
                  "(id,status,...)", t->path, shown(h[0], buf));
}

static int is_text_column(const plot_table *t, size_t j) {
  return t->kind == PLOT_SUMMARY &&
         (strcmp(t->names[j], "status") == 0 || strcmp(t->names[j], "reason") == 0);
}

/* Reads the data lines. */
static int read_rows(plot_table *t, char *p, char **fields, size_t *col) {
  size_t cap = 0, line = 1;
  int jt = t->kind == PLOT_SUMMARY ? -1 : 0;
  while (*p) {
    line++;
    char *next;
    if (*p == '\n' || (*p == '\r' && p[1] == '\n')) { /* a blank line: only at the end */
      char *q = p;
      while (*q == '\n' || *q == '\r') q++;
      if (*q == '\0') break;
      return cli_fail("%s:%zu: an empty line; expected %zu fields as in the header", t->path,
                      line, t->nc);
    }
    long n = split_line(p, fields, col, t->nc, &next);
    if (n < 0) return cli_fail("%s:%zu: a quote is not closed on its line", t->path, line);
    if ((size_t)n != t->nc)
      return cli_fail("%s:%zu: %ld fields; expected %zu as in the header", t->path, line, n,
                      t->nc);
    if (t->nr == cap) {
      cap = cap ? 2 * cap : 256;
      double *v = realloc(t->v, cap * t->nc * sizeof *v);
      if (!v) return cli_fail("out of memory reading %s", t->path);
      t->v = v;
    }
    double *row = t->v + t->nr * t->nc;
    for (size_t j = 0; j < t->nc; j++) {
      const char *s = fields[j];
      row[j] = NAN;
      if (is_text_column(t, j)) continue;
      if (!*s) {
        if (t->kind == PLOT_TRAJECTORY || (int)j == jt)
          return cli_fail("%s:%zu:%zu: column %s: an empty field; expected a number",
                          t->path, line, col[j], t->names[j]);
        continue; /* a percentile or measure not computed */
      }
      char *end, buf[48];
      errno = 0;
      double x = strtod(s, &end);
      if (end == s || *end || !isfinite(x))
        return cli_fail("%s:%zu:%zu: column %s: expected a number, got '%s'", t->path, line,
                        col[j], t->names[j], shown(s, buf));
      row[j] = x;
    }
    if (jt == 0 && t->nr > 0 && !(row[0] > row[-(long)t->nc]))
      return cli_fail("%s:%zu: time_h %g after %g; expected increasing times (one "
                      "trajectory per file)", t->path, line, row[0], row[-(long)t->nc]);
    t->nr++;
    p = next;
  }
  if (t->nr == 0)
    return cli_fail("%s: a header and no data lines; expected at least one row", t->path);
  return 0;
}

int plot_table_read(const char *path, plot_table *t) {
  memset(t, 0, sizeof *t);
  t->path = path;
  size_t len = 0;
  char *text = slurp(path, &len), *next = NULL;
  if (!text) return 1;
  if (len == 0) {
    free(text);
    return cli_fail("%s: the file is empty; expected a CSV written by pk with a header row",
                    path);
  }
  /* the header: as many names as commas allow */
  size_t max = 1;
  for (const char *q = text; *q && *q != '\n'; q++) max += *q == ',';
  char **fields = calloc(max, sizeof *fields);
  size_t *col = calloc(max, sizeof *col);
  int rc = 1;
  if (!fields || !col) {
    cli_fail("out of memory reading %s", path);
    goto done;
  }
  long n = split_line(text, fields, col, max, &next);
  if (n < 0) {
    cli_fail("%s:1: a quote is not closed on its line", path);
    goto done;
  }
  t->nc = (size_t)n;
  t->names = calloc(t->nc, sizeof *t->names);
  if (!t->names) {
    cli_fail("out of memory reading %s", path);
    goto done;
  }
  for (size_t j = 0; j < t->nc; j++) {
    char buf[48];
    if (!fields[j][0]) {
      cli_fail("%s:1:%zu: column %zu has no name; expected a header row", path, col[j], j + 1);
      goto done;
    }
    for (size_t k = 0; k < j; k++)
      if (strcmp(fields[k], fields[j]) == 0) {
        cli_fail("%s:1:%zu: column '%s' appears twice", path, col[j], shown(fields[j], buf));
        goto done;
      }
    if (!(t->names[j] = strdup(fields[j]))) {
      cli_fail("out of memory reading %s", path);
      goto done;
    }
  }
  if (header_kind(t) != 0) goto done;
  rc = read_rows(t, next, fields, col);
done:
  free(fields);
  free(col);
  free(text);
  if (rc) plot_table_free(t);
  return rc;
}

int plot_table_from_trajectory(const pk_trajectory *tr, const char *name, plot_table *t) {
  memset(t, 0, sizeof *t);
  t->path = name;
  t->kind = PLOT_TRAJECTORY;
  t->nc = pk_trajectory_cols(tr);
  t->nr = pk_trajectory_rows(tr);
  t->names = calloc(t->nc ? t->nc : 1, sizeof *t->names);
  size_t cells = t->nr * t->nc;
  t->v = malloc((cells ? cells : 1) * sizeof *t->v);
  int ok = t->names && t->v;
  for (size_t j = 0; ok && j < t->nc; j++)
    ok = (t->names[j] = strdup(pk_trajectory_column_name(tr, j))) != NULL;
  if (!ok) {
    plot_table_free(t);
    return cli_fail("out of memory");
  }
  if (cells) memcpy(t->v, pk_trajectory_data(tr), cells * sizeof *t->v);
  return 0;
}
