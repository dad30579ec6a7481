/* dataset.c - NONMEM-style event datasets (CSV) into per-subject regimens,
 * models and observation times; simulation and CSV output of all subjects.
 * The rules are in docs/event-datasets.md. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include "internal.h"
#include "io.h"
#include "model_load.h"

enum { COL_ID, COL_TIME, COL_EVID, COL_AMT, COL_CMT, COL_RATE, COL_II, COL_ADDL, COL_SS, N_STD };
static const char *const STD_NAMES[N_STD] = {"ID",   "TIME", "EVID", "AMT", "CMT",
                                             "RATE", "II",   "ADDL", "SS"};

/* Limits that keep a mistyped number from exhausting memory: ADDL per
 * record, and the doses ADDL adds in the whole dataset (explicit records are
 * bounded by the input size). A dose takes about 90 bytes in the dataset and
 * 200 while its subject is read: 5 million of them about 0.5 GB. */
static const double MAX_ADDL = 1e6;
static const size_t MAX_IMPLIED = 5000000;

/* An observation record (EVID 0 or 2): where it is in the record table and
 * the file. */
typedef struct ds_obs {
  size_t row;
  int line, evid;
} ds_obs;

typedef struct ds_subject {
  char *id;
  pk_model *own_model; /* the base model with this subject's overrides, or NULL */
  pk_regimen *regimen;
  double *obs;
  ds_obs *obs_rec; /* n_obs, as obs */
  size_t n_obs;
  size_t row0, n_rows; /* the subject's records in the dataset's record table */
  double t_first;
} ds_subject;

struct pk_dataset {
  pk_model *base;
  size_t n_subjects;
  ds_subject *subj;
  size_t n_cov;
  char **cov_name;
  pk_covariate_fill *cov_fill;
  size_t n_rows;
  double *row_time; /* per record */
  double *cov;      /* n_rows x n_cov, NaN where missing */
  pk_error *warnings; /* what loads but looks like a mistake (pk_dataset_warning) */
  size_t n_warnings;
  /* the header and the fields of the observation records, as written
   * (pk_dataset_observation_field); rec_field[r] NULL for other records */
  size_t n_cols;
  char **col_name, *col_block;
  int col_time, col_cmt;
  char ***rec_field;
};

/* ---- reading the file ----------------------------------------------------- */

typedef struct ds_row {
  int line;
  char **f; /* ncols fields, unquoted and trimmed; f[0] owns the text block */
} ds_row;

typedef struct override_col {
  size_t col;
  int param;    /* pk_param_find index */
  int compound; /* compound index */
} override_col;

typedef struct loader {
  const char *file;
  pk_error *err;
  const pk_model *m;
  pk_dataset_options opt;
  size_t ncols;
  char **hdr;
  char *hdr_block;
  int hdr_line;
  int std[N_STD]; /* column index of each standard column, -1 if absent */
  override_col *ovr;
  size_t n_ovr;
  size_t *cov_col;
  ds_row *rows;
  size_t n_rows, cap_rows;
  size_t n_implied; /* ADDL doses of every subject so far, for MAX_IMPLIED */
  long product_col;  /* the PRODUCT column (find_product_column), -1 if none */
  int product_pattern; /* dose_record makes the pattern of a product's doses: AMT is in
                          the product's unit, its amounts are checked when expanded */
} loader;

static pk_status failv(loader *L, pk_status code, int line, long col, const char *fmt,
                       va_list ap) {
  char msg[PK_ERROR_MESSAGE_MAX];
  vsnprintf(msg, sizeof msg, fmt, ap);
  if (col >= 0 && (size_t)col < L->ncols)
    pk_err_set(L->err, code, L->file, NULL, "column %s: %s", L->hdr[col], msg);
  else
    pk_err_set(L->err, code, L->file, NULL, "%s", msg);
  if (L->err) {
    L->err->line = line;
    L->err->column = col >= 0 ? (int)col + 1 : 0;
  }
  return code;
}

/* Fails at (line, 0-based column col; -1: none) with "column <header>: msg". */
static pk_status fail(loader *L, int line, long col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static pk_status fail(loader *L, int line, long col, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  pk_status st = failv(L, PK_ERR_INVALID, line, col, fmt, ap);
  va_end(ap);
  return st;
}

/* Records a warning of the given kind at (line, 0-based column col; -1:
 * none) of the file. Fails only when out of memory. */
static pk_status warn(loader *L, pk_dataset *d, pk_status kind, int line, long col,
                      const char *fmt, ...) __attribute__((format(printf, 6, 7)));
static pk_status warn(loader *L, pk_dataset *d, pk_status kind, int line, long col,
                      const char *fmt, ...) {
  pk_error *w = NULL;
  va_list ap;
  va_start(ap, fmt);
  pk_status st = pk_warning_vadd(&d->warnings, &d->n_warnings, kind, L->file, NULL, &w, fmt, ap);
  va_end(ap);
  if (st != PK_OK) return pk_err_nomem(L->err);
  if (w) w->line = line, w->column = col >= 0 ? (int)col + 1 : 0;
  return PK_OK;
}

static char *dup_str(const char *s) {
  size_t n = strlen(s) + 1;
  char *d = malloc(n);
  if (d) memcpy(d, s, n);
  return d;
}

/* Splits one line (without its end) into fields in a single pass, so that
 * the fields counted are the fields written: commas separate fields, spaces
 * and tabs around a field are dropped, and a field whose first character
 * (after spaces) is a quote is quoted: it runs to the next lone quote ("" in
 * it is a quote), commas in it belong to it, and only spaces may follow the
 * closing quote. A quote anywhere else is a plain character.
 * *fields gets a new array whose [0] points to a new text block holding all
 * fields; *n their count. Returns 0, -1 for out of memory, or 1 for a
 * malformed quoted field, whose 1-based number goes to *bad. */
static int split_line(const char *s, size_t len, char ***fields, size_t *n, size_t *bad) {
  /* Every field's text is at most the input it came from, and every field
   * but the last is followed by a comma that is not copied, which pays for
   * its NUL: the block needs len + 1 bytes (o <= i holds before each field). */
  char *block = malloc(len + 1);
  size_t cap = 16, nf = 0;
  char **f = malloc(cap * sizeof *f);
  if (!block || !f) {
    free(block);
    free(f);
    return -1;
  }
  size_t i = 0, o = 0;
  *bad = 0;
  for (;;) {
    if (nf == cap) {
      char **nfp = realloc(f, 2 * cap * sizeof *f);
      if (!nfp) {
        free(block);
        free(f);
        return -1;
      }
      f = nfp;
      cap *= 2;
    }
    while (i < len && (s[i] == ' ' || s[i] == '\t')) i++;
    f[nf] = block + o;
    if (i < len && s[i] == '"') {
      i++;
      for (;;) {
        if (i >= len) {
          if (!*bad) *bad = nf + 1;
          break;
        }
        if (s[i] == '"') {
          if (i + 1 < len && s[i + 1] == '"') {
            block[o++] = '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        block[o++] = s[i++];
      }
      while (i < len && (s[i] == ' ' || s[i] == '\t')) i++;
      if (i < len && s[i] != ',') {
        if (!*bad) *bad = nf + 1;
        while (i < len && s[i] != ',') i++;
      }
    } else {
      size_t start = o;
      while (i < len && s[i] != ',') block[o++] = s[i++];
      while (o > start && (block[o - 1] == ' ' || block[o - 1] == '\t')) o--;
    }
    block[o++] = '\0';
    nf++;
    if (i >= len) break;
    i++; /* the comma */
  }
  if (*bad) {
    free(block);
    free(f);
    return 1;
  }
  *fields = f;
  *n = nf;
  return 0;
}

static void free_fields(char **f) {
  if (!f) return;
  free(f[0]);
  free(f);
}

static int is_missing(const char *s) { return s[0] == '\0' || strcmp(s, ".") == 0; }

/* Parses a decimal number (digits, sign, point, exponent; no hex, NaN or
 * infinity). 0 on success. */
static int parse_number(const char *s, double *x) {
  if (!s[0]) return -1;
  for (const char *p = s; *p; p++)
    if (!isdigit((unsigned char)*p) && !strchr("+-.eE", *p)) return -1;
  char *end = NULL;
  errno = 0;
  double v = strtod(s, &end);
  if (end == s || *end != '\0' || !isfinite(v)) return -1;
  *x = v;
  return 0;
}

/* Value of standard column c in row r: 0 when the column is absent or the
 * field missing. integral: must be a whole number. */
static pk_status get_num(loader *L, const ds_row *r, int c, int integral, double *x) {
  *x = 0.0;
  int col = L->std[c];
  if (col < 0 || is_missing(r->f[col])) return PK_OK;
  if (parse_number(r->f[col], x) != 0)
    return fail(L, r->line, col, "'%s' is not a number", r->f[col]);
  if (integral && *x != floor(*x))
    return fail(L, r->line, col, "expected a whole number, got %s", r->f[col]);
  return PK_OK;
}

static int find_compound_ci(const pk_model *m, const char *id) {
  for (int i = 0; i < m->n_compounds; i++)
    if (strcasecmp(m->compound[i].id, id) == 0) return i;
  return -1;
}

typedef struct named_col {
  const char *name;
  size_t col;
} named_col;

static int cmp_named_col(const void *a, const void *b) {
  const named_col *x = a, *y = b;
  int c = strcasecmp(x->name, y->name);
  if (c) return c;
  return (x->col > y->col) - (x->col < y->col);
}

/* The first column (in file order) whose name (without regard to case)
 * an earlier column has: 1 with *dup and *dup_of (the first column of that
 * name), 0 if none, -1 out of memory. Sorting makes it n log n. */
static int first_duplicate(char *const *f, size_t n, size_t *dup, size_t *dup_of) {
  if (n < 2) return 0;
  named_col *v = malloc(n * sizeof *v);
  if (!v) return -1;
  for (size_t j = 0; j < n; j++) v[j] = (named_col){f[j], j};
  qsort(v, n, sizeof *v, cmp_named_col);
  int found = 0;
  for (size_t a = 0; a < n;) {
    /* a run of equal names, its columns in file order: the second is the
     * run's first duplicate, the first its original */
    size_t b = a + 1;
    while (b < n && strcasecmp(v[b].name, v[a].name) == 0) b++;
    if (b - a > 1 && (!found || v[a + 1].col < *dup)) {
      *dup = v[a + 1].col;
      *dup_of = v[a].col;
      found = 1;
    }
    a = b;
  }
  free(v);
  return found;
}

/* NONMEM's per-compartment parameters, ALAGn, Fn, Rn and Dn: the key for
 * compartment n = 2i+1 (the depot of compound i) and n = 2i+2 (its central
 * compartment). */
static const struct {
  const char *prefix, *depot, *central, *what;
} NM_PARAMS[] = {{"ALAG", "lag", "lag_iv", "lag time"},
                 {"F", "F", "F_iv", "bioavailability"},
                 {"R", "R", "R_iv", "modeled rate"},
                 {"D", "D", "D_iv", "modeled duration"}};

/* Whether column j (named f) is a per-subject parameter: <key>_<compound
 * id> (any underscore may separate them: F_iv_mg is F_iv of compound mg)
 * or ALAGn, Fn, Rn, Dn (a prefix and digits only). *param and *compound
 * stay -1 for a covariate. A NONMEM name whose n is not a dosable
 * compartment of the model, or a name that splits two ways, is an error. */
static pk_status param_column(loader *L, int line, size_t j, int *param, int *compound) {
  const char *f = L->hdr[j];
  int nc = L->m->n_compounds;
  for (size_t k = 0; k < sizeof NM_PARAMS / sizeof NM_PARAMS[0]; k++) {
    size_t pl = strlen(NM_PARAMS[k].prefix);
    const char *d = f + pl;
    if (strncasecmp(f, NM_PARAMS[k].prefix, pl) != 0 || !*d || strspn(d, "0123456789") != strlen(d))
      continue;
    long n = strlen(d) > 6 ? -1 : strtol(d, NULL, 10);
    if (n < 1 || n > 2L * nc)
      return fail(L, line, (long)j, "%s%s is NONMEM's %s of compartment %s, but the model's "
                  "dosable compartments are 1 to %d (compound i, 0-based in model order: "
                  "depot 2i+1, central 2i+2); expected one of those, or rename the column",
                  NM_PARAMS[k].prefix, d, NM_PARAMS[k].what, d, 2 * nc);
    *compound = (int)(n - 1) / 2;
    *param = pk_param_find(n % 2 ? NM_PARAMS[k].depot : NM_PARAMS[k].central);
    return PK_OK;
  }
  for (const char *us = strchr(f, '_'); us; us = strchr(us + 1, '_')) {
    char key[64];
    size_t kl = (size_t)(us - f);
    if (kl == 0 || kl >= sizeof key || !us[1]) continue;
    memcpy(key, f, kl);
    key[kl] = '\0';
    int p = pk_param_find(key), c = find_compound_ci(L->m, us + 1);
    if (p < 0 || c < 0) continue;
    if (*param >= 0)
      return fail(L, line, (long)j, "the name reads as %s of compound '%s' and as %s of "
                  "compound '%s'; expected a name with one reading", pk_param_key(*param),
                  L->m->compound[*compound].id, pk_param_key(p), L->m->compound[c].id);
    *param = p;
    *compound = c;
  }
  return PK_OK;
}

static pk_status read_header(loader *L, const char *s, size_t len, int line) {
  char **f = NULL;
  size_t n = 0, bad = 0;
  int rc = split_line(s, len, &f, &n, &bad);
  if (rc < 0) return pk_err_nomem(L->err);
  L->hdr_line = line;
  if (rc > 0) {
    L->ncols = 0;
    return fail(L, line, (long)bad - 1,
                "malformed quoted header field (a quote must close the field)");
  }
  L->hdr = f;
  L->hdr_block = f[0];
  L->ncols = n;
  for (int c = 0; c < N_STD; c++) L->std[c] = -1;
  L->ovr = calloc(n, sizeof *L->ovr);
  L->cov_col = calloc(n, sizeof *L->cov_col);
  if (!L->ovr || !L->cov_col) return pk_err_nomem(L->err);
  size_t n_cov = 0, dup = 0, dup_of = 0;
  int has_dup = first_duplicate(f, n, &dup, &dup_of);
  if (has_dup < 0) return pk_err_nomem(L->err);
  for (size_t j = 0; j < n; j++) {
    if (!f[j][0]) return fail(L, line, (long)j, "empty column name in the header");
    if (has_dup && j == dup)
      return fail(L, line, (long)j, "duplicate column name (column %zu is %s)", dup_of + 1,
                  f[dup_of]);
    int is_std = 0;
    for (int c = 0; c < N_STD && !is_std; c++)
      if (strcasecmp(f[j], STD_NAMES[c]) == 0) L->std[c] = (int)j, is_std = 1;
    if (is_std) continue;
    int param = -1, compound = -1;
    pk_status st = param_column(L, line, j, &param, &compound);
    if (st != PK_OK) return st;
    if (param >= 0 && compound >= 0) {
      /* the compound must have the parameter (1 is in every range) */
      pk_compound_params probe = L->m->compound[compound];
      char msg[PK_ERROR_MESSAGE_MAX];
      if (pk_param_set(&probe, param, 1.0, msg, sizeof msg) == -1)
        return fail(L, line, (long)j, "%s", msg);
      for (size_t o = 0; o < L->n_ovr; o++)
        if (L->ovr[o].param == param && L->ovr[o].compound == compound)
          return fail(L, line, (long)j, "column %zu (%s) already gives %s of compound '%s': "
                      "expected one column per parameter", L->ovr[o].col + 1,
                      f[L->ovr[o].col], pk_param_key(param), L->m->compound[compound].id);
      L->ovr[L->n_ovr++] = (override_col){.col = j, .param = param, .compound = compound};
    } else {
      L->cov_col[n_cov++] = j;
    }
  }
  const char *missing = L->std[COL_ID] < 0 ? "ID" : L->std[COL_TIME] < 0 ? "TIME" : NULL;
  if (!missing) return PK_OK;
  /* a file written with another separator has one long column name */
  static const struct { char ch; const char *name; } seps[] = {
      {';', "';'"}, {'\t', "tabs"}, {'|', "'|'"}};
  for (size_t k = 0; k < sizeof seps / sizeof seps[0]; k++)
    for (size_t j = 0; j < n; j++)
      if (strchr(f[j], seps[k].ch))
        return fail(L, line, -1, "the header has no %s column: its columns are separated by %s "
                    "('%.40s'); expected ',' between columns", missing, seps[k].name, f[j]);
  return fail(L, line, -1, "the header has no %s column", missing);
}

/* Splits a record line into *row (fields checked against the header). */
static pk_status parse_row(loader *L, const char *s, size_t len, int line, ds_row *row) {
  char **f = NULL;
  size_t n = 0, bad = 0;
  int rc = split_line(s, len, &f, &n, &bad);
  if (rc < 0) return pk_err_nomem(L->err);
  if (rc > 0)
    return fail(L, line, (long)bad - 1, "malformed quoted field (a quote must close the field)");
  if (n != L->ncols) {
    free_fields(f);
    if (n < L->ncols)
      return fail(L, line, (long)n,
                  "the field is missing: the line has %zu fields, the header %zu", n, L->ncols);
    pk_err_set(L->err, PK_ERR_INVALID, L->file, NULL,
               "the line has %zu fields, the header %zu (field %zu has no column)", n, L->ncols,
               L->ncols + 1);
    if (L->err) L->err->line = line, L->err->column = (int)L->ncols + 1;
    return PK_ERR_INVALID;
  }
  *row = (ds_row){.line = line, .f = f};
  return PK_OK;
}

/* Appends a parsed row to the loader's records (taking its fields). */
static pk_status push_row(loader *L, ds_row *row) {
  if (L->n_rows == L->cap_rows) {
    size_t cap = L->cap_rows ? 2 * L->cap_rows : 256;
    ds_row *nr = realloc(L->rows, cap * sizeof *nr);
    if (!nr) {
      free_fields(row->f);
      row->f = NULL;
      return pk_err_nomem(L->err);
    }
    L->rows = nr;
    L->cap_rows = cap;
  }
  L->rows[L->n_rows++] = *row;
  row->f = NULL;
  return PK_OK;
}

static pk_status add_row(loader *L, const char *s, size_t len, int line) {
  ds_row row;
  pk_status st = parse_row(L, s, len, line, &row);
  return st == PK_OK ? push_row(L, &row) : st;
}

/* The text of a line that holds a header or a record: NULL for a blank
 * line or a comment ('#' first), else the line without its CR (*n bytes);
 * a NUL byte in it is an error (*st). */
static const char *content_line(loader *L, const char *s, size_t len, int line, size_t *n,
                                pk_status *st) {
  *st = PK_OK;
  if (len > 0 && s[len - 1] == '\r') len--;
  size_t b = 0;
  while (b < len && (s[b] == ' ' || s[b] == '\t')) b++;
  if (b == len || s[b] == '#') return NULL;
  if (memchr(s, '\0', len)) {
    *st = fail(L, line, -1, "the line contains a NUL byte: not a text file");
    return NULL;
  }
  *n = len;
  return s;
}

/* Header and data rows; blank lines and lines starting with '#' are skipped. */
static pk_status read_rows(loader *L, const char *text, size_t len) {
  size_t i = 0;
  int line = 0, have_header = 0;
  if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) i = 3; /* UTF-8 byte order mark */
  while (i < len) {
    size_t e = i;
    while (e < len && text[e] != '\n') e++;
    line++;
    size_t n = 0;
    pk_status st = PK_OK;
    const char *c = content_line(L, text + i, e - i, line, &n, &st);
    if (c) {
      st = have_header ? add_row(L, c, n, line) : read_header(L, c, n, line);
      have_header = 1;
    }
    if (st != PK_OK) return st;
    i = e + 1;
  }
  if (!have_header)
    return pk_err_set(L->err, PK_ERR_INVALID, L->file, NULL,
                      "the file is empty: expected a header row (ID, TIME, EVID, AMT, ...) "
                      "and records");
  if (L->n_rows == 0) return fail(L, L->hdr_line, -1, "no records after the header");
  return PK_OK;
}

/* ---- subjects --------------------------------------------------------------- */

typedef struct entry {
  pk_dose d;
  int implied;  /* an ADDL dose */
  int resets;   /* EVID 3/4 or SS 1: everything pending before it is dropped */
  int dropped;
  size_t seq;
  int line, evid, rec_ss; /* the record it comes from: line, EVID, SS (for warnings) */
} entry;

typedef struct entry_list {
  entry *e;
  size_t n, cap;
} entry_list;

static pk_status push_entry(loader *L, entry_list *l, const entry *e) {
  if (l->n == l->cap) {
    size_t cap = l->cap ? 2 * l->cap : 64;
    entry *ne = realloc(l->e, cap * sizeof *ne);
    if (!ne) return pk_err_nomem(L->err);
    l->e = ne;
    l->cap = cap;
  }
  l->e[l->n] = *e;
  l->e[l->n].seq = l->n;
  l->n++;
  return PK_OK;
}

static int cmp_entry(const void *a, const void *b) {
  const entry *x = a, *y = b;
  if (x->d.t_h != y->d.t_h) return x->d.t_h < y->d.t_h ? -1 : 1;
  if (x->implied != y->implied) return x->implied - y->implied;
  return (x->seq > y->seq) - (x->seq < y->seq);
}

/* The subject's model: the base with its overrides, each constant over the
 * subject's records. *own stays NULL without overrides. */
static pk_status subject_model(loader *L, const ds_row *rows, size_t n, pk_model **own) {
  *own = NULL;
  if (L->n_ovr == 0) return PK_OK;
  pk_compound_params p[PK_MAX_COMPOUNDS];
  int touched[PK_MAX_COMPOUNDS] = {0}, last_col[PK_MAX_COMPOUNDS] = {0};
  for (int i = 0; i < L->m->n_compounds; i++) p[i] = L->m->compound[i];
  int any = 0, first_line = rows[0].line;
  for (size_t o = 0; o < L->n_ovr; o++) {
    const override_col *oc = &L->ovr[o];
    double v = NAN;
    int vline = 0;
    for (size_t r = 0; r < n; r++) {
      const char *s = rows[r].f[oc->col];
      if (is_missing(s)) continue;
      double x;
      if (parse_number(s, &x) != 0)
        return fail(L, rows[r].line, (long)oc->col, "'%s' is not a number", s);
      if (isnan(v)) {
        char msg[PK_ERROR_MESSAGE_MAX];
        if (pk_param_set(&p[oc->compound], oc->param, x, msg, sizeof msg) != 0)
          return fail(L, rows[r].line, (long)oc->col, "%s", msg);
        v = x;
        vline = rows[r].line;
        touched[oc->compound] = 1;
        last_col[oc->compound] = (int)oc->col;
        if (!any) first_line = rows[r].line;
        any = 1;
      } else if (x != v) {
        return fail(L, rows[r].line, (long)oc->col,
                    "%s changes within subject %s (%.17g at line %d, %.17g here): parameters "
                    "are per subject; time-varying parameters are not supported",
                    L->hdr[oc->col], rows[r].f[L->std[COL_ID]], v, vline, x);
      }
    }
  }
  if (!any) return PK_OK;
  pk_model *c = malloc(sizeof *c);
  if (!c) return pk_err_nomem(L->err);
  *c = *L->m;
  for (int i = 0; i < c->n_compounds; i++) {
    if (!touched[i]) continue;
    pk_error e;
    if (pk_model_set_compound(c, i, &p[i], &e) != PK_OK) {
      free(c);
      return fail(L, first_line, last_col[i], "%s", e.message);
    }
  }
  *own = c;
  return PK_OK;
}

/* The compound and route of CMT field s (a number or depot_<id>/central_<id>). */
static pk_status parse_cmt(loader *L, const ds_row *r, int *compound, pk_route *route) {
  int col = L->std[COL_CMT];
  const pk_model *m = L->m;
  int nc = m->n_compounds;
  const char *s = col >= 0 ? r->f[col] : "";
  double x = 0;
  if (is_missing(s) || parse_number(s, &x) == 0) {
    if (x != floor(x) || x < 0 || x > 2.0 * nc)
      return fail(L, r->line, col,
                  "unknown compartment %s: expected 1 to %d (compound i, 0-based in model "
                  "order: depot 2i+1, central 2i+2), depot_<id> or central_<id>",
                  s, 2 * nc);
    int k = x == 0 ? 1 : (int)x; /* 0 or missing: the default dose compartment, 1 */
    *compound = (k - 1) / 2;
    *route = k % 2 == 1 ? PK_ROUTE_ORAL : PK_ROUTE_IV;
    return PK_OK;
  }
  const char *us = strchr(s, '_');
  int i = us ? find_compound_ci(m, us + 1) : -1;
  size_t pl = us ? (size_t)(us - s) : 0;
  if (i >= 0 && pl == 5 && strncasecmp(s, "depot", 5) == 0) {
    *compound = i;
    *route = PK_ROUTE_ORAL;
    return PK_OK;
  }
  if (i >= 0 && pl == 7 && strncasecmp(s, "central", 7) == 0) {
    *compound = i;
    *route = PK_ROUTE_IV;
    return PK_OK;
  }
  char ids[512] = "";
  for (int j = 0; j < nc; j++) {
    size_t l = strlen(ids);
    snprintf(ids + l, sizeof ids - l, "%s%s", j ? ", " : "", m->compound[j].id);
  }
  return fail(L, r->line, col,
              "unknown compartment '%s': expected a number 1 to %d, depot_<id> or "
              "central_<id> with a compound id of the model (%s)",
              s, 2 * nc, ids);
}

typedef struct rec {
  double t, evid, amt, rate, ii, addl, ss;
} rec;

/* Turns one dose record (EVID 1 or 4) into entries. */
static pk_status dose_record(loader *L, const ds_row *r, const rec *v, const pk_model *sm,
                             entry_list *out, size_t *n_total) {
  const int *c = L->std;
  int line = r->line;
  if (v->amt < 0) return fail(L, line, c[COL_AMT], "negative amount %g mg", v->amt);
  if (v->ss < 0 || v->ss > 3)
    return fail(L, line, c[COL_SS], "SS must be 0, 1, 2 or 3, got %g%s", v->ss,
                v->ss < 0 ? " (negative)" : "");
  if (v->addl < 0)
    return fail(L, line, c[COL_ADDL], "negative number of additional doses %g", v->addl);
  if (v->addl > MAX_ADDL)
    return fail(L, line, c[COL_ADDL], "at most %g additional doses, got %g", MAX_ADDL, v->addl);
  if (v->ii < 0) return fail(L, line, c[COL_II], "negative interval %g h", v->ii);
  if (!(v->rate >= 0 || v->rate == -1 || v->rate == -2))
    return fail(L, line, c[COL_RATE],
                "RATE must be > 0 (mg/h), 0 (bolus), -1 (rate from the model) or -2 (duration "
                "from the model), got %g", v->rate);
  int compound = 0;
  pk_route route = PK_ROUTE_ORAL;
  pk_status st = parse_cmt(L, r, &compound, &route);
  if (st != PK_OK) return st;
  const pk_compound_params *cp = &sm->compound[compound];
  /* SS 3 is SS 1 but for the first guess of NONMEM's iterative steady-state
   * routines (SS6, SS9); libpk's steady state does not depend on one */
  int ss = v->ss == 3 ? 1 : (int)v->ss, infusion = v->rate != 0;
  int constant = ss == 1 && v->ii == 0 && v->amt == 0 && (v->rate > 0 || v->rate == -1);
  if (v->addl > 0 && v->ii == 0)
    return fail(L, line, c[COL_ADDL], "%g additional doses need an interval II > 0 (II is 0)",
                v->addl);
  if (v->addl == 0 && v->ii > 0 && ss == 0)
    return fail(L, line, c[COL_II],
                "II %g h on a dose without ADDL or SS: give ADDL (additional doses every II) "
                "or SS (steady state), or leave II 0", v->ii);
  if (ss != 0 && v->ii == 0 && !constant)
    return fail(L, line, c[COL_SS],
                "SS %g needs an interval II > 0 (II is 0); only SS 1 (or 3) with AMT 0 and a "
                "rate (RATE > 0 or -1) and II 0 is allowed without one: a constant infusion",
                v->ss);
  if (v->amt == 0 && infusion && !constant)
    return fail(L, line, c[COL_AMT],
                ss == 0 ? "AMT 0 with RATE %g on a non-steady-state record: an infusion needs "
                          "an amount"
                        : "AMT 0 with RATE %g and II > 0: a repeated steady-state infusion "
                          "needs an amount (for a constant infusion give II 0)",
                v->rate);
  /* the compartment's own F, R and D: the depot's (F, R, D; NONMEM's F1, R1,
   * D1 for compound 0) or the central compartment's (F_iv, R_iv, D_iv; F2...) */
  int iv = route == PK_ROUTE_IV, cmt = 2 * compound + 1 + iv;
  double F = iv ? cp->F_iv : cp->F;
  double R = iv ? cp->zo_rate_iv_mg_per_h : cp->zo_rate_mg_per_h;
  double D = iv ? cp->zo_duration_iv_h : cp->zo_duration_h;
  const char *where = iv ? "central compartment" : "depot";
  double rate = v->rate;
  if (rate == -1) {
    if (isnan(R))
      return fail(L, line, c[COL_RATE],
                  "RATE -1 asks for the model's rate, but compound '%s' has no %s (zero-order "
                  "rate into its %s, mg/h; column %s_%s or R%d) in its model file or overrides",
                  cp->id, iv ? "R_iv" : "R", where, iv ? "R_iv" : "R", cp->id, cmt);
    rate = R;
  }
  if (rate == -2 && isnan(D))
    return fail(L, line, c[COL_RATE],
                "RATE -2 asks for the model's duration, but compound '%s' has no %s (zero-order "
                "duration into its %s, h; column %s_%s or D%d) in its model file or overrides",
                cp->id, iv ? "D_iv" : "D", where, iv ? "D_iv" : "D", cp->id, cmt);
  if (rate > PK_MAX_DOSE_MG)
    return fail(L, line, c[COL_RATE], "rate %g mg/h%s: expected at most %g mg/h", rate,
                v->rate == -1 ? (iv ? " (R_iv)" : " (R)") : "", PK_MAX_DOSE_MG);
  if (!L->product_pattern && !(v->amt <= PK_MAX_DOSE_MG && F * v->amt <= PK_MAX_DOSE_MG))
    return fail(L, line, c[COL_AMT],
                "AMT %g mg with bioavailability %g (%s of compound '%s') is %g mg: expected at "
                "most %g mg (a tonne)", v->amt, F, iv ? "F_iv" : "F", cp->id, F * v->amt,
                PK_MAX_DOSE_MG);
  pk_dose d = pk_dose_default();
  d.t_h = v->t;
  d.compound = compound;
  d.route = route;
  d.amount_mg = v->amt;
  d.ss = ss;
  d.ii_h = v->ii;
  d.reset = v->evid == 4;
  if (constant) {
    d.rate_mg_per_h = L->opt.f_scales_rate ? F * rate : rate;
  } else if (rate == -2) {
    d.duration_h = D;
  } else if (rate > 0) {
    if (L->opt.f_scales_rate) d.duration_h = v->amt / rate;
    else d.rate_mg_per_h = rate;
  }
  entry e = {.d = d, .resets = d.reset || ss == 1};
  if ((st = push_entry(L, out, &e)) != PK_OK) return st;
  size_t n_addl = (size_t)v->addl;
  if ((*n_total += n_addl) > MAX_IMPLIED)
    return fail(L, line, c[COL_ADDL], "more than %zu additional doses (ADDL) in the dataset; "
                "expected fewer, or the doses as records", MAX_IMPLIED);
  e.d.ss = 0;
  e.d.reset = 0;
  e.d.ii_h = 0.0;
  e.resets = 0;
  e.implied = 1;
  for (size_t k = 1; k <= n_addl && st == PK_OK; k++) {
    e.d.t_h = v->t + (double)k * v->ii; /* by multiplication: no drift */
    st = push_entry(L, out, &e);
  }
  return st;
}

/* ---- products ------------------------------------------------------------- */

/* The PRODUCT column, if the header has one: taken out of the covariates
 * (its values name products, not numbers). */
static pk_status find_product_column(loader *L) {
  L->product_col = -1;
  size_t n = L->ncols - L->n_ovr, k = 0;
  for (int c = 0; c < N_STD; c++) n -= L->std[c] >= 0;
  while (k < n && strcasecmp(L->hdr[L->cov_col[k]], "PRODUCT") != 0) k++;
  if (k == n) return PK_OK;
  L->product_col = (long)L->cov_col[k];
  memmove(L->cov_col + k, L->cov_col + k + 1, (n - k - 1) * sizeof *L->cov_col);
  return PK_OK;
}

/* The product a dose record names: *p -1 when the PRODUCT field is missing
 * or 0 (a compound dose), else the product's index (a number 1 to
 * n_products in model order, or its id without regard to case). */
static pk_status parse_product(loader *L, const ds_row *r, int *p) {
  *p = -1;
  long col = L->product_col;
  const char *s = col >= 0 ? r->f[col] : "";
  double x = 0;
  const pk_model *m = L->m;
  if (is_missing(s)) return PK_OK;
  if (parse_number(s, &x) == 0) {
    if (x == 0) return PK_OK;
    if (x == floor(x) && x >= 1 && x <= m->n_products) return *p = (int)x - 1, PK_OK;
  } else {
    for (int i = 0; i < m->n_products; i++)
      if (strcasecmp(m->product[i].id, s) == 0) return *p = i, PK_OK;
  }
  if (m->n_products == 0)
    return fail(L, r->line, col, "unknown product '%s': the model has no product (list a "
                "product file in the scenario's model, or leave PRODUCT empty)", s);
  char ids[512] = "";
  for (int j = 0; j < m->n_products; j++) {
    size_t l = strlen(ids);
    snprintf(ids + l, sizeof ids - l, "%s%d %s", j ? ", " : "", j + 1, m->product[j].id);
  }
  return fail(L, r->line, col, "unknown product '%s': expected a number 1 to %d or a product "
              "id of the model (%s), or empty or 0 for a compound dose", s, m->n_products, ids);
}

/* Replaces entry e (a dose of AMT units of product p, made by dose_record
 * with its record options) by one entry per compound of the product, at
 * the product's content, route, absorption and release (pk_product_add_dose:
 * one reset, SS 1 as a reset and SS 2 for each compound). */
static pk_status expand_product(loader *L, const ds_row *r, const rec *v, int p, const entry *e,
                                entry_list *out) {
  const pk_product *pr = &L->m->product[p];
  pk_regimen *tmp = pk_regimen_new();
  if (!tmp) return pk_err_nomem(L->err);
  pk_dose base = e->d;
  base.product = p;
  pk_error perr;
  pk_status st = pk_product_add_dose(pr, &base, v->amt, tmp, &perr);
  if (st == PK_ERR_NOMEM) st = pk_err_nomem(L->err);
  else if (st != PK_OK)
    st = fail(L, r->line, L->std[COL_AMT], "%g %s of product %s: %s", v->amt, pr->dose_unit,
              pr->id, perr.message);
  for (size_t k = 0; k < tmp->n && st == PK_OK; k++) {
    entry c = *e;
    c.d = tmp->dose[k];
    c.resets = c.d.reset || c.d.ss == 1;
    const pk_compound_params *cp = &L->m->compound[c.d.compound];
    double lag = c.d.route == PK_ROUTE_IV ? 0.0 : isnan(c.d.lag_h) ? cp->lag_h : c.d.lag_h;
    if (c.d.ss && c.d.duration_h > 0 && v->addl > 0)
      st = fail(L, r->line, L->std[COL_ADDL], "ADDL %g on a steady-state dose of product %s, "
                "whose input lasts %g h (release_h): NONMEM does not allow additional doses "
                "on a steady-state infusion; give the following doses as records", v->addl,
                pr->id, c.d.duration_h);
    else if (c.d.ss && c.d.duration_h > 0 && lag > 0 && lag + c.d.duration_h >= c.d.ii_h)
      st = fail(L, r->line, L->std[COL_II], "product %s: the lag of %s (%g h) plus the release "
                "time (%g h) is at least the interval II %g h: an ambiguous steady state",
                pr->id, cp->id, lag, c.d.duration_h, c.d.ii_h);
    else
      st = push_entry(L, out, &c);
  }
  pk_regimen_free(tmp);
  return st;
}

/* A dose record (EVID 1 or 4): of a compound (dose_record), or with a
 * PRODUCT of each compound of that product, AMT in the product's dose unit
 * (g of leaf, tablets, patches). RATE and CMT are the product file's
 * (its release time and route); SS, II, ADDL and EVID 4 are checked and
 * applied as on a compound dose. */
static pk_status product_record(loader *L, pk_dataset *d, const ds_row *r, const rec *v,
                                const pk_model *sm, entry_list *out) {
  int p = -1;
  pk_status st = parse_product(L, r, &p);
  if (st != PK_OK) return st;
  if (p < 0) return dose_record(L, r, v, sm, out, &L->n_implied);
  const pk_product *pr = &L->m->product[p];
  const int *c = L->std;
  double cmt = 0;
  if (c[COL_CMT] >= 0 && !is_missing(r->f[c[COL_CMT]]) &&
      (parse_number(r->f[c[COL_CMT]], &cmt) != 0 || cmt != 0))
    return fail(L, r->line, c[COL_CMT], "CMT %s on a dose of product %s: a product's doses go "
                "where its file says (route %s); expected CMT empty or 0",
                r->f[c[COL_CMT]], pr->id, pr->route_name);
  if (v->rate != 0)
    return fail(L, r->line, c[COL_RATE], "RATE %g on a dose of product %s: a product's input "
                "is its file's (release time %g h); expected RATE empty or 0", v->rate, pr->id,
                pr->release_h);
  if (v->amt < 0)
    return fail(L, r->line, c[COL_AMT], "negative amount %g %s of product %s", v->amt,
                pr->dose_unit, pr->id);
  /* dose_record checks SS, II and ADDL and makes the record's doses (of
   * compound 0, as a pattern); each becomes the product's doses */
  size_t first = out->n;
  L->product_pattern = 1;
  st = dose_record(L, r, v, sm, out, &L->n_implied);
  L->product_pattern = 0;
  if (st != PK_OK) return st;
  size_t n = out->n - first;
  entry *made = malloc((n ? n : 1) * sizeof *made);
  if (!made) return pk_err_nomem(L->err);
  memcpy(made, out->e + first, n * sizeof *made);
  out->n = first;
  for (size_t k = 0; k < n && st == PK_OK; k++) st = expand_product(L, r, v, p, &made[k], out);
  free(made);
  if (st == PK_OK && v->ss == 1 && out->n - first > n)
    st = warn(L, d, PK_WARN_PRODUCT_SS, r->line, c[COL_SS],
              "SS 1 on a dose of product %s: each of its compounds starts at its steady state "
              "(the reset, then SS 2 for each compound, so that they do not reset each other), "
              "but tol and the withdrawal filters start from the initial level: libpk computes "
              "the steady state of tol for one compound dose at a time", pr->id);
  return st;
}

static pk_status check_no_dose(loader *L, const ds_row *r, const rec *v) {
  const char *what = v->evid == 3 ? "a reset record (EVID 3)"
                     : v->evid == 2 ? "an other-type record (EVID 2)"
                                    : "an observation record (EVID 0)";
  const double vals[] = {v->amt, v->rate, v->ii, v->addl, v->ss};
  const int cols[] = {COL_AMT, COL_RATE, COL_II, COL_ADDL, COL_SS};
  for (int k = 0; k < 5; k++)
    if (vals[k] != 0)
      return fail(L, r->line, L->std[cols[k]], "%s carries no dose: %s must be 0 or empty, got %g",
                  what, STD_NAMES[cols[k]], vals[k]);
  return PK_OK;
}

/* What a reset entry is, in a warning. */
static void describe_reset(const entry *e, char *buf, size_t n) {
  if (e->rec_ss == 1)
    snprintf(buf, n, "the steady-state dose (SS 1, which resets first) of line %d", e->line);
  else
    snprintf(buf, n, "the %s (EVID %d) of line %d", e->evid == 3 ? "reset" : "reset and dose",
             e->evid, e->line);
}

/* What a dose entry gives, in a warning. */
static void describe_dose(const loader *L, const entry *e, char *buf, size_t n) {
  const pk_dose *x = &e->d;
  const char *id = L->m->compound[x->compound].name;
  const char *what = e->implied ? "an additional dose (ADDL) of the record" : "the dose";
  if (x->product >= 0)
    snprintf(buf, n, "%s of line %d (product %s)", what, e->line, L->m->product[x->product].id);
  else if (x->amount_mg > 0)
    snprintf(buf, n, "%s of line %d (%g mg of %s%s)", what, e->line, x->amount_mg, id,
             x->ss ? x->ss == 1 ? ", SS 1" : ", SS 2" : "");
  else
    snprintf(buf, n, "%s of line %d (a steady-state infusion of %s at %g mg/h)", what, e->line,
             id, x->rate_mg_per_h);
}

/* Warns that reset entry r drops entry q, a record at its time before it:
 * unless q is a reset alone (nothing is lost) or another entry of q's
 * record (next, the entry after q; a product record has one per compound)
 * was already named. */
static pk_status warn_dropped(loader *L, pk_dataset *d, const entry *q, const entry *r,
                              const entry *next) {
  const pk_dose *x = &q->d;
  if (!(x->amount_mg > 0 || x->rate_mg_per_h > 0 || x->ss)) return PK_OK;
  if (next && next != r && next->line == q->line && next->implied == q->implied &&
      next->d.product >= 0 && next->d.product == x->product)
    return PK_OK;
  char rs[128], ds[PK_NAME_MAX + 160];
  describe_reset(r, rs, sizeof rs);
  describe_dose(L, q, ds, sizeof ds);
  int col = r->rec_ss == 1 ? L->std[COL_SS] : L->std[COL_EVID];
  return warn(L, d, PK_WARN_RESET_DROPS, r->line, col,
              "%s at TIME %.17g drops %s at the same time: a reset (EVID 3, EVID 4 or SS 1) "
              "removes what records before it at its time gave; to keep both, %s",
              rs, r->d.t_h, ds,
              r->rec_ss == 1 && x->ss ? "give the later steady state SS 2 (added to the first)"
                                      : "write the reset first");
}

static pk_status build_subject(loader *L, pk_dataset *d, size_t s) {
  ds_subject *S = &d->subj[s];
  const ds_row *rows = L->rows + S->row0;
  size_t n = S->n_rows;
  const int *c = L->std;
  pk_status st = subject_model(L, rows, n, &S->own_model);
  if (st != PK_OK) return st;
  const pk_model *sm = S->own_model ? S->own_model : L->m;
  entry_list el = {0};
  S->obs = malloc(n * sizeof *S->obs);
  S->obs_rec = malloc(n * sizeof *S->obs_rec);
  if (!S->obs || !S->obs_rec) return pk_err_nomem(L->err);
  double t_prev = -INFINITY;
  int line_prev = 0;
  for (size_t k = 0; k < n && st == PK_OK; k++) {
    const ds_row *r = &rows[k];
    rec v;
    int tcol = c[COL_TIME];
    if (is_missing(r->f[tcol])) {
      st = fail(L, r->line, tcol, "every record needs a time (h)");
      break;
    }
    if ((st = get_num(L, r, COL_TIME, 0, &v.t)) != PK_OK) break;
    d->row_time[S->row0 + k] = v.t;
    if (v.t < t_prev) {
      st = fail(L, r->line, tcol,
                "time %.17g h is before the previous record's %.17g h (line %d): the records "
                "of a subject must be sorted by time", v.t, t_prev, line_prev);
      break;
    }
    t_prev = v.t;
    line_prev = r->line;
    if ((st = get_num(L, r, COL_AMT, 0, &v.amt)) != PK_OK ||
        (st = get_num(L, r, COL_RATE, 0, &v.rate)) != PK_OK ||
        (st = get_num(L, r, COL_II, 0, &v.ii)) != PK_OK ||
        (st = get_num(L, r, COL_ADDL, 1, &v.addl)) != PK_OK ||
        (st = get_num(L, r, COL_SS, 1, &v.ss)) != PK_OK)
      break;
    if (c[COL_EVID] >= 0) {
      if ((st = get_num(L, r, COL_EVID, 1, &v.evid)) != PK_OK) break;
    } else {
      v.evid = v.amt > 0 ? 1 : 0; /* no EVID column: a record with an amount is a dose */
    }
    if (!(v.evid >= 0 && v.evid <= 4)) {
      st = fail(L, r->line, c[COL_EVID],
                "EVID must be 0 (observation), 1 (dose), 2 (other), 3 (reset) or 4 (reset and "
                "dose), got %g", v.evid);
      break;
    }
    int evid = (int)v.evid;
    if (evid == 1 || evid == 4) {
      size_t first = el.n;
      st = product_record(L, d, r, &v, sm, &el);
      for (size_t q = first; q < el.n; q++)
        el.e[q].line = r->line, el.e[q].evid = evid, el.e[q].rec_ss = (int)v.ss;
      continue;
    }
    if ((st = check_no_dose(L, r, &v)) != PK_OK) break;
    if (evid == 3) {
      pk_dose z = pk_dose_default();
      z.t_h = v.t;
      z.reset = 1;
      entry e = {.d = z, .resets = 1, .line = r->line, .evid = 3};
      st = push_entry(L, &el, &e);
    } else {
      S->obs_rec[S->n_obs] = (ds_obs){S->row0 + k, r->line, evid};
      S->obs[S->n_obs++] = v.t;
    }
  }
  S->t_first = d->row_time[S->row0];
  if (st == PK_OK) {
    /* explicit records in file order, ADDL doses after the records at their
     * time; a reset drops what precedes it at the same time (within the
     * simulator's merging tolerance) */
    if (el.n) qsort(el.e, el.n, sizeof *el.e, cmp_entry);
    for (size_t p = 0; p < el.n; p++) {
      if (!el.e[p].resets) continue;
      double t = el.e[p].d.t_h, eps = 1e-12 * fmax(1.0, fabs(t));
      for (size_t q = p; q-- > 0 && el.e[q].d.t_h >= t - eps && st == PK_OK;) {
        if (!el.e[q].dropped)
          st = warn_dropped(L, d, &el.e[q], &el.e[p], q + 1 < p ? &el.e[q + 1] : NULL);
        el.e[q].dropped = 1;
      }
    }
    S->regimen = pk_regimen_new();
    if (!S->regimen) st = pk_err_nomem(L->err);
    for (size_t p = 0; p < el.n && st == PK_OK; p++) {
      if (el.e[p].dropped) continue;
      pk_error e;
      if (pk_regimen_add(S->regimen, &el.e[p].d, &e) != PK_OK)
        st = pk_err_set(L->err, e.code, L->file, NULL, "subject %s: %s", S->id, e.message);
    }
  }
  free(el.e);
  return st;
}

/* Splits the rows into subjects (contiguous ID blocks). */
static pk_status find_subjects(loader *L, pk_dataset *d) {
  int idc = L->std[COL_ID];
  size_t n = 0;
  for (size_t r = 0; r < L->n_rows; r++) {
    const char *id = L->rows[r].f[idc];
    if (is_missing(id)) return fail(L, L->rows[r].line, idc, "every record needs a subject ID");
    for (const char *p = id; *p; p++)
      if (*p == ',' || *p == '"' || iscntrl((unsigned char)*p))
        return fail(L, L->rows[r].line, idc, "an ID may not contain commas, quotes or control "
                    "characters: '%s'", id);
    if (r == 0 || strcmp(id, L->rows[r - 1].f[idc]) != 0) n++;
  }
  d->subj = calloc(n, sizeof *d->subj);
  if (!d->subj) return pk_err_nomem(L->err);
  for (size_t r = 0; r < L->n_rows; r++) {
    const char *id = L->rows[r].f[idc];
    if (r == 0 || strcmp(id, L->rows[r - 1].f[idc]) != 0) {
      ds_subject *S = &d->subj[d->n_subjects++];
      S->row0 = r;
      if (!(S->id = dup_str(id))) return pk_err_nomem(L->err);
    }
    d->subj[d->n_subjects - 1].n_rows++;
  }
  /* an ID may not come back after other subjects */
  size_t *ord = malloc(n * sizeof *ord);
  if (!ord) return pk_err_nomem(L->err);
  for (size_t s = 0; s < n; s++) ord[s] = s;
  /* insertion sort would be quadratic: sort indices by (id, block order) */
  const ds_subject *subj = d->subj;
  for (size_t w = 1; w < n; w *= 2) { /* bottom-up merge sort, stable */
    size_t *tmp = malloc(n * sizeof *tmp);
    if (!tmp) {
      free(ord);
      return pk_err_nomem(L->err);
    }
    for (size_t lo = 0; lo < n; lo += 2 * w) {
      size_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
      size_t a = lo, b = mid, o = lo;
      while (a < mid && b < hi)
        tmp[o++] = strcmp(subj[ord[b]].id, subj[ord[a]].id) < 0 ? ord[b++] : ord[a++];
      while (a < mid) tmp[o++] = ord[a++];
      while (b < hi) tmp[o++] = ord[b++];
    }
    memcpy(ord, tmp, n * sizeof *ord);
    free(tmp);
  }
  pk_status st = PK_OK;
  for (size_t k = 1; k < n && st == PK_OK; k++)
    if (strcmp(subj[ord[k]].id, subj[ord[k - 1]].id) == 0) {
      const ds_subject *a = &subj[ord[k - 1]], *b = &subj[ord[k]];
      st = fail(L, L->rows[b->row0].line, idc,
                "subject %s appears again after other subjects (its records start at line %d): "
                "the records of a subject must be contiguous", b->id, L->rows[a->row0].line);
    }
  free(ord);
  return st;
}

static pk_status setup_covariates(loader *L, pk_dataset *d) {
  size_t nc = L->ncols - L->n_ovr - (L->product_col >= 0);
  for (int c = 0; c < N_STD; c++) nc -= L->std[c] >= 0;
  d->n_cov = nc;
  d->n_rows = L->n_rows;
  d->row_time = calloc(L->n_rows, sizeof *d->row_time);
  d->cov_name = calloc(nc ? nc : 1, sizeof *d->cov_name);
  d->cov_fill = calloc(nc ? nc : 1, sizeof *d->cov_fill);
  size_t cells = L->n_rows * nc;
  d->cov = malloc((cells ? cells : 1) * sizeof *d->cov);
  if (!d->row_time || !d->cov_name || !d->cov_fill || !d->cov) return pk_err_nomem(L->err);
  for (size_t j = 0; j < nc; j++) {
    if (!(d->cov_name[j] = dup_str(L->hdr[L->cov_col[j]]))) return pk_err_nomem(L->err);
    d->cov_fill[j] = L->opt.covariate_fill;
  }
  for (size_t k = 0; k < L->opt.n_rules; k++) {
    const pk_covariate_rule *rule = &L->opt.rules[k];
    size_t j = 0;
    while (j < nc && !(rule->name && strcasecmp(rule->name, d->cov_name[j]) == 0)) j++;
    if (j == nc)
      return fail(L, L->hdr_line, -1, "covariate rule %zu names '%s', which is not a covariate "
                  "column of the file", k, rule->name ? rule->name : "(null)");
    if (rule->fill != PK_FILL_NOCB && rule->fill != PK_FILL_LOCF)
      return fail(L, L->hdr_line, (long)L->cov_col[j], "unknown covariate fill %d",
                  (int)rule->fill);
    d->cov_fill[j] = rule->fill;
  }
  for (size_t r = 0; r < L->n_rows; r++)
    for (size_t j = 0; j < nc; j++) {
      const char *s = L->rows[r].f[L->cov_col[j]];
      double x = NAN;
      if (!is_missing(s) && parse_number(s, &x) != 0)
        return fail(L, L->rows[r].line, (long)L->cov_col[j],
                    "'%s' is not a number (covariates are numeric; '.' or empty: missing)", s);
      d->cov[r * nc + j] = x;
    }
  return PK_OK;
}

/* Names the covariate columns in one warning: they change nothing, since
 * the model has no covariate relations, and no column should go unnoticed.
 * DV and MDV (the observed value and its flag) are no model input in any
 * program and are left out. */
static pk_status warn_unused_covariates(loader *L, pk_dataset *d) {
  char names[320] = "";
  size_t len = 0, n = 0, shown = 0;
  long first = -1;
  for (size_t j = 0; j < d->n_cov; j++) {
    const char *c = d->cov_name[j];
    if (strcasecmp(c, "DV") == 0 || strcasecmp(c, "MDV") == 0) continue;
    if (first < 0) first = (long)L->cov_col[j];
    n++;
    size_t k = strlen(c) + (len ? 2 : 0);
    if (shown < n - 1 || len + k >= sizeof names) continue;
    snprintf(names + len, sizeof names - len, "%s%s", len ? ", " : "", c);
    len += k;
    shown++;
  }
  if (n == 0) return PK_OK;
  char more[48] = "";
  if (shown < n) snprintf(more, sizeof more, " and %zu more", n - shown);
  return warn(L, d, PK_WARN_UNUSED_COLUMNS, L->hdr_line, first,
              "%s %s%s %s nothing in the simulation: the model has no covariate relations "
              "(the values are checked and kept)",
              n == 1 ? "covariate column" : "covariate columns", names, more,
              n == 1 ? "changes" : "change");
}

/* Moves the fields of the observation records from the loader into the
 * dataset, and copies the header, for the output at observation records. */
static pk_status keep_observation_fields(loader *L, pk_dataset *d) {
  if (!(d->rec_field = calloc(L->n_rows ? L->n_rows : 1, sizeof *d->rec_field)))
    return pk_err_nomem(L->err);
  for (size_t s = 0; s < d->n_subjects; s++)
    for (size_t k = 0; k < d->subj[s].n_obs; k++) {
      size_t r = d->subj[s].obs_rec[k].row;
      d->rec_field[r] = L->rows[r].f;
      L->rows[r].f = NULL;
    }
  size_t bytes = 0;
  for (size_t j = 0; j < L->ncols; j++) bytes += strlen(L->hdr[j]) + 1;
  d->col_name = calloc(L->ncols ? L->ncols : 1, sizeof *d->col_name);
  d->col_block = malloc(bytes ? bytes : 1);
  if (!d->col_name || !d->col_block) return pk_err_nomem(L->err);
  char *p = d->col_block;
  for (size_t j = 0; j < L->ncols; j++) {
    size_t n = strlen(L->hdr[j]) + 1;
    memcpy(p, L->hdr[j], n);
    d->col_name[j] = p;
    p += n;
  }
  d->n_cols = L->ncols;
  d->col_time = L->std[COL_TIME];
  d->col_cmt = L->std[COL_CMT];
  return PK_OK;
}

pk_dataset_options pk_dataset_options_default(void) {
  return (pk_dataset_options){.covariate_fill = PK_FILL_NOCB, .rules = NULL, .n_rules = 0,
                              .f_scales_rate = 0};
}

pk_status pk_dataset_load(const char *csv_path, const pk_model *m, pk_dataset **out,
                          pk_error *err) {
  return pk_dataset_load_ex(csv_path, m, NULL, out, err);
}

/* The doses ADDL asks for, counted before any is made: a few short lines
 * with a large ADDL each would otherwise take gigabytes before the limit is
 * reached. Every line's ADDL counts (an upper bound: ADDL on a record that
 * is not a dose is refused later); fields that are not numbers are left to
 * the checks of each record. */
static pk_status check_implied_count(loader *L) {
  int col = L->std[COL_ADDL];
  size_t total = 0;
  for (size_t r = 0; col >= 0 && r < L->n_rows; r++) {
    double addl = 0;
    if (is_missing(L->rows[r].f[col]) || parse_number(L->rows[r].f[col], &addl) != 0 ||
        !(addl >= 0 && addl <= MAX_ADDL))
      continue;
    total += (size_t)addl;
    if (total > MAX_IMPLIED)
      return fail(L, L->rows[r].line, col, "more than %zu additional doses (ADDL) in the "
                  "dataset; expected fewer, or the doses as records", MAX_IMPLIED);
  }
  return PK_OK;
}

/* Checks the arguments and options of a load (file: for messages). */
static pk_status check_load_args(const char *file, const pk_model *m,
                                 const pk_dataset_options *opt, pk_dataset **out,
                                 pk_error *err) {
  if (!m || !out) return pk_err_set(err, PK_ERR_INVALID, file, NULL, "no model or output");
  *out = NULL;
  if (m->n_compounds == 0)
    return pk_err_set(err, PK_ERR_INVALID, file, NULL, "the model has no compound to dose");
  pk_dataset_options o = opt ? *opt : pk_dataset_options_default();
  if (o.covariate_fill != PK_FILL_NOCB && o.covariate_fill != PK_FILL_LOCF)
    return pk_err_set(err, PK_ERR_INVALID, file, NULL, "unknown covariate fill %d",
                      (int)o.covariate_fill);
  if (o.n_rules && !o.rules)
    return pk_err_set(err, PK_ERR_INVALID, file, NULL, "n_rules > 0 without rules");
  return PK_OK;
}

static void free_rows(loader *L) {
  for (size_t r = 0; r < L->n_rows; r++) free_fields(L->rows[r].f);
  L->n_rows = 0;
}

static void free_header(loader *L) {
  free(L->rows);
  free(L->hdr_block);
  free(L->hdr);
  free(L->ovr);
  free(L->cov_col);
  L->rows = NULL;
  L->hdr = NULL;
  L->hdr_block = NULL;
  L->ovr = NULL;
  L->cov_col = NULL;
  L->n_rows = L->cap_rows = 0;
}

/* The dataset of the records read into L under its header: the whole file,
 * or one subject of a file read subject by subject (header_warnings: the
 * warnings about the header's columns go with it). */
static pk_status build_dataset(loader *L, const pk_model *m, int header_warnings,
                               pk_dataset **out) {
  pk_dataset *d = NULL;
  pk_status st = check_implied_count(L);
  if (st == PK_OK && !(d = calloc(1, sizeof *d))) st = pk_err_nomem(L->err);
  if (st == PK_OK) st = setup_covariates(L, d);
  if (st == PK_OK && header_warnings) st = warn_unused_covariates(L, d);
  if (st == PK_OK) st = find_subjects(L, d);
  for (size_t s = 0; st == PK_OK && s < d->n_subjects; s++) st = build_subject(L, d, s);
  /* a copy of the model for the subjects without parameter columns of their
   * own (a model is 64 KB: not made when every subject has its own) */
  int need_base = 0;
  for (size_t s = 0; st == PK_OK && s < d->n_subjects; s++) need_base |= !d->subj[s].own_model;
  if (need_base && !(d->base = malloc(sizeof *d->base))) st = pk_err_nomem(L->err);
  if (need_base && st == PK_OK) *d->base = *m;
  if (st == PK_OK) st = keep_observation_fields(L, d);
  if (st != PK_OK) {
    pk_dataset_free(d);
    return st;
  }
  *out = d;
  return PK_OK;
}

pk_status pk_dataset_load_ex(const char *csv_path, const pk_model *m,
                             const pk_dataset_options *opt, pk_dataset **out, pk_error *err) {
  pk_error_clear(err);
  if (!csv_path || !out)
    return pk_err_set(err, PK_ERR_INVALID, csv_path, NULL, "no file, model or output");
  pk_status st = check_load_args(csv_path, m, opt, out, err);
  if (st != PK_OK) return st;
  char *text = NULL;
  size_t len = 0;
  if ((st = pk_read_file(csv_path, &text, &len, err)) != PK_OK) return st;
  st = pk_dataset_load_text(text, len, csv_path, m, opt, out, err);
  free(text);
  return st;
}

pk_status pk_dataset_load_text(const char *text, size_t len, const char *name,
                               const pk_model *m, const pk_dataset_options *opt,
                               pk_dataset **out, pk_error *err) {
  pk_error_clear(err);
  pk_status st = check_load_args(name, m, opt, out, err);
  if (st != PK_OK) return st;
  if (!text && len) return pk_err_set(err, PK_ERR_INVALID, name, NULL, "no text");
  loader L = {.file = name, .err = err, .m = m,
              .opt = opt ? *opt : pk_dataset_options_default()};
  st = read_rows(&L, text ? text : "", len);
  if (st == PK_OK) st = find_product_column(&L);
  if (st == PK_OK) st = build_dataset(&L, m, 1, out);
  free_rows(&L);
  free_header(&L);
  return st;
}

void pk_dataset_free(pk_dataset *d) {
  if (!d) return;
  for (size_t s = 0; s < d->n_subjects; s++) {
    free(d->subj[s].id);
    free(d->subj[s].own_model);
    pk_regimen_free(d->subj[s].regimen);
    free(d->subj[s].obs);
    free(d->subj[s].obs_rec);
  }
  for (size_t r = 0; d->rec_field && r < d->n_rows; r++) free_fields(d->rec_field[r]);
  free(d->rec_field);
  free(d->col_name);
  free(d->col_block);
  free(d->subj);
  for (size_t j = 0; d->cov_name && j < d->n_cov; j++) free(d->cov_name[j]);
  free(d->cov_name);
  free(d->cov_fill);
  free(d->cov);
  free(d->row_time);
  free(d->base);
  free(d->warnings);
  free(d);
}

/* ---- reading subject by subject -------------------------------------------- */

/* An ID seen, with the line where its records start. */
typedef struct seen_id {
  uint64_t hash;
  char *id; /* NULL: an empty slot */
  int line;
} seen_id;

struct pk_dataset_reader {
  loader L;         /* the header; L.rows holds one subject's records at a time */
  pk_model model;   /* the base model (a copy) */
  char *path;
  int fd, eof, line, started;
  char *buf;        /* [pos, end) read but not yet split into lines */
  size_t pos, end, cap;
  ds_row pending;   /* the first record of the next subject, or f NULL */
  size_t pending_bytes;
  seen_id *seen;    /* open addressing, at most half full */
  size_t n_seen, cap_seen;
  size_t n_subjects;
  pk_error failure; /* code != PK_OK once a call failed: every later call fails so */
};

static uint64_t hash_id(const char *s) {
  uint64_t h = 1469598103934665603u; /* FNV-1a */
  for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211u;
  return h ^ (h >> 29);
}

/* The slot of id in the table (an empty one if absent). */
static seen_id *seen_slot(seen_id *t, size_t cap, uint64_t h, const char *id) {
  size_t i = (size_t)h & (cap - 1);
  while (t[i].id && !(t[i].hash == h && strcmp(t[i].id, id) == 0)) i = (i + 1) & (cap - 1);
  return &t[i];
}

/* The line where id's records started, if it was seen; else remembers it
 * (starting at line) and returns 0; -1 when out of memory. */
static int seen_before(pk_dataset_reader *r, const char *id, int line) {
  uint64_t h = hash_id(id);
  if (r->cap_seen) {
    seen_id *e = seen_slot(r->seen, r->cap_seen, h, id);
    if (e->id) return e->line;
  }
  if (2 * (r->n_seen + 1) > r->cap_seen) {
    size_t cap = r->cap_seen ? 2 * r->cap_seen : 1024;
    seen_id *t = calloc(cap, sizeof *t);
    if (!t) return -1;
    for (size_t k = 0; k < r->cap_seen; k++)
      if (r->seen[k].id) *seen_slot(t, cap, r->seen[k].hash, r->seen[k].id) = r->seen[k];
    free(r->seen);
    r->seen = t;
    r->cap_seen = cap;
  }
  seen_id *e = seen_slot(r->seen, r->cap_seen, h, id);
  if (!(e->id = dup_str(id))) return -1;
  e->hash = h;
  e->line = line;
  r->n_seen++;
  return 0;
}

/* The next line of the file: *s and *n (without the newline), 0; 1 at the
 * end of the file; -1 on a read error or a line longer than the input
 * limit (err set). */
static int next_line(pk_dataset_reader *r, const char **s, size_t *n) {
  size_t max = pk_max_input_bytes();
  for (;;) {
    char *nl = r->pos < r->end ? memchr(r->buf + r->pos, '\n', r->end - r->pos) : NULL;
    if (nl || (r->eof && r->pos < r->end)) {
      size_t e = nl ? (size_t)(nl - r->buf) : r->end;
      *s = r->buf + r->pos;
      *n = e - r->pos;
      r->pos = nl ? e + 1 : e;
      r->line++;
      return 0;
    }
    if (r->eof) return 1;
    if (r->end - r->pos > max) {
      fail(&r->L, r->line + 1, -1, "the line is longer than the input limit of %zu bytes "
           "(raised with pk_set_max_input_bytes, or PK_MAX_INPUT_BYTES for the pk tool)", max);
      return -1;
    }
    if (r->pos > 0) { /* keep the partial line at the start */
      memmove(r->buf, r->buf + r->pos, r->end - r->pos);
      r->end -= r->pos;
      r->pos = 0;
    }
    if (r->end == r->cap) {
      size_t cap = 2 * r->cap;
      char *b = realloc(r->buf, cap);
      if (!b) return pk_err_nomem(r->L.err), -1;
      r->buf = b;
      r->cap = cap;
    }
    ssize_t got = read(r->fd, r->buf + r->end, r->cap - r->end);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) {
      pk_err_set(r->L.err, PK_ERR_IO, r->path, NULL, "read error: %s", strerror(errno));
      return -1;
    }
    if (got == 0) r->eof = 1;
    r->end += (size_t)got;
    if (r->line == 0 && !r->started && r->end >= 3) { /* a UTF-8 byte order mark */
      r->started = 1;
      if (memcmp(r->buf, "\xEF\xBB\xBF", 3) == 0) r->pos = 3;
    }
  }
}

/* The next header or record line (blank lines and comments skipped): 0 with
 * *s, *n; 1 at the end; -1 on error. */
static int next_content(pk_dataset_reader *r, const char **s, size_t *n) {
  for (;;) {
    const char *raw;
    size_t len;
    int rc = next_line(r, &raw, &len);
    if (rc) return rc;
    pk_status st;
    if ((*s = content_line(&r->L, raw, len, r->line, n, &st))) return 0;
    if (st != PK_OK) return -1;
  }
}

pk_status pk_dataset_reader_open(const char *csv_path, const pk_model *m,
                                 const pk_dataset_options *opt, pk_dataset_reader **out,
                                 pk_error *err) {
  pk_error_clear(err);
  if (!csv_path || !out)
    return pk_err_set(err, PK_ERR_INVALID, csv_path, NULL, "no file, model or output");
  pk_dataset *probe = NULL;
  pk_status st = check_load_args(csv_path, m, opt, &probe, err);
  *out = NULL;
  if (st != PK_OK) return st;
  pk_dataset_reader *r = calloc(1, sizeof *r);
  if (!r) return pk_err_nomem(err);
  r->fd = -1;
  r->model = *m;
  r->cap = 1 << 16;
  r->path = dup_str(csv_path);
  r->buf = malloc(r->cap);
  if (!r->path || !r->buf) {
    pk_dataset_reader_free(r);
    return pk_err_nomem(err);
  }
  r->L = (loader){.file = r->path, .err = err, .m = &r->model,
                  .opt = opt ? *opt : pk_dataset_options_default()};
  st = pk_open_file(csv_path, &r->fd, err);
  const char *s = NULL;
  size_t n = 0;
  int rc = st == PK_OK ? next_content(r, &s, &n) : -1;
  if (rc == 1)
    st = pk_err_set(err, PK_ERR_INVALID, r->path, NULL,
                    "the file is empty: expected a header row (ID, TIME, EVID, AMT, ...) and "
                    "records");
  else if (rc < 0 && st == PK_OK)
    st = err ? err->code : PK_ERR_INVALID;
  if (st == PK_OK) st = read_header(&r->L, s, n, r->line);
  if (st == PK_OK) st = find_product_column(&r->L);
  if (st != PK_OK) {
    pk_dataset_reader_free(r);
    return st;
  }
  *out = r;
  return PK_OK;
}

/* Reads the records of the next subject into r->L.rows (none at the end). */
static pk_status read_subject(pk_dataset_reader *r) {
  loader *L = &r->L;
  int idc = L->std[COL_ID];
  size_t bytes = 0, max = pk_max_input_bytes();
  if (r->pending.f) {
    bytes = r->pending_bytes;
    pk_status st = push_row(L, &r->pending);
    if (st != PK_OK) return st;
  }
  for (;;) {
    const char *s;
    size_t n;
    int rc = next_content(r, &s, &n);
    if (rc == 1) return PK_OK;
    if (rc < 0) return L->err ? L->err->code : PK_ERR_INVALID;
    ds_row row;
    pk_status st = parse_row(L, s, n, r->line, &row);
    if (st != PK_OK) return st;
    if (L->n_rows > 0 && strcmp(row.f[idc], L->rows[0].f[idc]) != 0) {
      r->pending = row; /* the next subject's first record */
      r->pending_bytes = n;
      return PK_OK;
    }
    bytes += n;
    if (bytes > max) {
      free_fields(row.f);
      return fail(L, r->line, -1, "the records of subject %s take more than %zu bytes, the "
                  "input limit for one subject when a dataset is read subject by subject "
                  "(raised with pk_set_max_input_bytes, or PK_MAX_INPUT_BYTES for the pk "
                  "tool)", L->rows[0].f[idc], max);
    }
    if ((st = push_row(L, &row)) != PK_OK) return st;
  }
}

pk_status pk_dataset_reader_next(pk_dataset_reader *r, pk_dataset **out, pk_error *err) {
  pk_error_clear(err);
  if (!r || !out) return pk_err_set(err, PK_ERR_INVALID, NULL, NULL, "no reader or output");
  *out = NULL;
  if (r->failure.code != PK_OK) {
    if (err) *err = r->failure;
    return r->failure.code;
  }
  pk_error local;
  pk_error_clear(&local);
  if (!err) err = &local;
  loader *L = &r->L;
  L->err = err;
  free_rows(L);
  pk_status st = read_subject(r);
  int idc = L->std[COL_ID];
  if (st == PK_OK && L->n_rows == 0 && r->n_subjects == 0)
    st = fail(L, L->hdr_line, -1, "no records after the header");
  if (st == PK_OK && L->n_rows > 0 && !is_missing(L->rows[0].f[idc])) {
    int first = seen_before(r, L->rows[0].f[idc], L->rows[0].line);
    if (first < 0) st = pk_err_nomem(err);
    else if (first > 0)
      st = fail(L, L->rows[0].line, idc,
                "subject %s appears again after other subjects (its records start at line %d): "
                "the records of a subject must be contiguous", L->rows[0].f[idc], first);
  }
  if (st == PK_OK && L->n_rows > 0) st = build_dataset(L, &r->model, r->n_subjects == 0, out);
  free_rows(L);
  if (st != PK_OK) {
    r->failure = *err;
    return st;
  }
  if (*out) r->n_subjects++;
  return PK_OK;
}

size_t pk_dataset_reader_count(const pk_dataset_reader *r) { return r ? r->n_subjects : 0; }

void pk_dataset_reader_free(pk_dataset_reader *r) {
  if (!r) return;
  if (r->fd >= 0) close(r->fd);
  free_fields(r->pending.f);
  free_rows(&r->L);
  free_header(&r->L);
  for (size_t k = 0; k < r->cap_seen; k++) free(r->seen[k].id);
  free(r->seen);
  free(r->buf);
  free(r->path);
  free(r);
}

/* ---- accessors -------------------------------------------------------------- */

static const ds_subject *subject(const pk_dataset *d, size_t s) {
  return d && s < d->n_subjects ? &d->subj[s] : NULL;
}

size_t pk_dataset_subject_count(const pk_dataset *d) { return d ? d->n_subjects : 0; }

const char *pk_dataset_subject_id(const pk_dataset *d, size_t s) {
  const ds_subject *S = subject(d, s);
  return S ? S->id : NULL;
}

const pk_model *pk_dataset_subject_model(const pk_dataset *d, size_t s) {
  const ds_subject *S = subject(d, s);
  return S ? (S->own_model ? S->own_model : d->base) : NULL;
}

const pk_regimen *pk_dataset_subject_regimen(const pk_dataset *d, size_t s) {
  const ds_subject *S = subject(d, s);
  return S ? S->regimen : NULL;
}

size_t pk_dataset_observation_count(const pk_dataset *d, size_t s) {
  const ds_subject *S = subject(d, s);
  return S ? S->n_obs : 0;
}

const double *pk_dataset_observation_times(const pk_dataset *d, size_t s) {
  const ds_subject *S = subject(d, s);
  return S ? S->obs : NULL;
}

double pk_dataset_subject_first_time(const pk_dataset *d, size_t s) {
  const ds_subject *S = subject(d, s);
  return S ? S->t_first : NAN;
}

size_t pk_dataset_covariate_count(const pk_dataset *d) { return d ? d->n_cov : 0; }

const char *pk_dataset_covariate_name(const pk_dataset *d, size_t j) {
  return d && j < d->n_cov ? d->cov_name[j] : NULL;
}

pk_covariate_fill pk_dataset_covariate_fill(const pk_dataset *d, size_t j) {
  return d && j < d->n_cov ? d->cov_fill[j] : PK_FILL_NOCB;
}

double pk_dataset_covariate_at(const pk_dataset *d, size_t s, size_t j, double t_h) {
  const ds_subject *S = subject(d, s);
  if (!S || j >= d->n_cov || isnan(t_h)) return NAN;
  const double *tm = d->row_time + S->row0;
  size_t n = S->n_rows, nc = d->n_cov;
#define VAL(k) d->cov[(S->row0 + (k)) * nc + j]
  double first = NAN, last = NAN, v = NAN;
  for (size_t k = 0; k < n; k++) {
    if (isnan(VAL(k))) continue;
    if (isnan(first)) first = VAL(k);
    last = VAL(k);
  }
  if (d->cov_fill[j] == PK_FILL_NOCB) {
    for (size_t k = 0; k < n && isnan(v); k++)
      if (tm[k] >= t_h && !isnan(VAL(k))) v = VAL(k);
    return isnan(v) ? last : v;
  }
  for (size_t k = n; k-- > 0 && isnan(v);)
    if (tm[k] <= t_h && !isnan(VAL(k))) v = VAL(k);
  return isnan(v) ? first : v;
#undef VAL
}

size_t pk_dataset_warning_count(const pk_dataset *d) { return d ? d->n_warnings : 0; }

const pk_error *pk_dataset_warning(const pk_dataset *d, size_t k) {
  return d && k < d->n_warnings ? &d->warnings[k] : NULL;
}

/* ---- simulation and output -------------------------------------------------- */

pk_sim_options pk_dataset_sim_options(const pk_dataset *d, size_t s, const pk_sim_options *base) {
  pk_sim_options o = base ? *base : pk_sim_options_default();
  double t0 = fmin(0.0, o.output_start_h);
  const ds_subject *S = subject(d, s);
  if (S && S->t_first < t0) t0 = S->t_first;
  o.t_start_h = t0;
  o.steady_state = NULL;
  o.steady_state_period_h = 0.0;
  return o;
}

void pk_dataset_trajectories_free(pk_trajectory **t, size_t n) {
  if (!t) return;
  for (size_t k = 0; k < n; k++) pk_trajectory_free(t[k]);
  free(t);
}

/* Simulates subject s under o with its doses up to t_last_h (later ones
 * cannot change the output until then, and pk_simulate refuses doses after
 * its end) into *t; r is a regimen to work in. A failure names the
 * subject. */
/* Subject s's doses up to t_last_h into r (emptied first); a dose of 0 at
 * t_start_h when there is none. */
static pk_status subject_doses(const ds_subject *S, double t_start_h, double t_last_h,
                               pk_regimen *r, pk_error *err) {
  pk_status st = PK_OK;
  r->n = 0;
  for (size_t k = 0; k < S->regimen->n && st == PK_OK; k++)
    if (S->regimen->dose[k].t_h <= t_last_h) st = pk_regimen_add(r, &S->regimen->dose[k], err);
  if (st == PK_OK && r->n == 0) { /* observations only: nothing in the body */
    pk_dose z = pk_dose_default();
    z.t_h = t_start_h;
    st = pk_regimen_add(r, &z, err);
  }
  return st;
}

pk_status pk_dataset_subject_run(const pk_dataset *d, size_t s, const pk_sim_options *base,
                                 pk_regimen *r, pk_sim_options *opt, pk_error *err) {
  pk_error_clear(err);
  const ds_subject *S = subject(d, s);
  if (!S || !base || !r || !opt)
    return pk_err_set(err, PK_ERR_INVALID, NULL, NULL, "no dataset, subject %zu, options or "
                      "regimen", s);
  *opt = pk_dataset_sim_options(d, s, base);
  return subject_doses(S, opt->t_start_h, opt->t_end_h, r, err);
}

static pk_status simulate_subject(const pk_dataset *d, size_t s, const pk_sim_options *o,
                                  double t_last_h, pk_regimen *r, pk_trajectory **t,
                                  pk_error *err) {
  const ds_subject *S = &d->subj[s];
  pk_status st = subject_doses(S, o->t_start_h, t_last_h, r, err);
  if (st == PK_OK) st = pk_simulate(pk_dataset_subject_model(d, s), r, o, t, err);
  if (st != PK_OK && err && st != PK_ERR_NOMEM) {
    /* prefix the subject, keeping as much of the message as fits */
    char msg[PK_ERROR_MESSAGE_MAX];
    memcpy(msg, err->message, sizeof msg);
    int k = snprintf(err->message, sizeof err->message, "subject %s: ", S->id);
    size_t room = k > 0 && (size_t)k < sizeof err->message ? sizeof err->message - (size_t)k : 0;
    if (room > 1) {
      size_t len = strnlen(msg, room - 1);
      memcpy(err->message + k, msg, len);
      err->message[(size_t)k + len] = '\0';
    }
  }
  return st;
}

/* Subject s on the output grid of opt. */
static pk_status grid_subject(const pk_dataset *d, size_t s, const pk_sim_options *opt,
                              pk_regimen *r, pk_trajectory **out, pk_error *err) {
  pk_sim_options o = pk_dataset_sim_options(d, s, opt);
  return simulate_subject(d, s, &o, o.t_end_h, r, out, err);
}

typedef pk_status (*subject_fn)(const pk_dataset *d, size_t s, const pk_sim_options *opt,
                                pk_regimen *r, pk_trajectory **out, pk_error *err);

/* Every subject by fn: (*out)[s] is subject s's trajectory. */
static pk_status simulate_each(const pk_dataset *d, const pk_sim_options *opt, subject_fn fn,
                               pk_trajectory ***out, pk_error *err) {
  pk_error_clear(err);
  if (!d || !opt || !out)
    return pk_err_set(err, PK_ERR_INVALID, NULL, NULL, "no dataset, options or output");
  *out = NULL;
  pk_trajectory **t = calloc(d->n_subjects ? d->n_subjects : 1, sizeof *t);
  pk_regimen *r = pk_regimen_new();
  pk_status st = t && r ? PK_OK : pk_err_nomem(err);
  for (size_t s = 0; s < d->n_subjects && st == PK_OK; s++) st = fn(d, s, opt, r, &t[s], err);
  pk_regimen_free(r);
  if (st != PK_OK) {
    pk_dataset_trajectories_free(t, d->n_subjects);
    return st;
  }
  *out = t;
  return PK_OK;
}

pk_status pk_dataset_simulate(const pk_dataset *d, const pk_sim_options *opt,
                              pk_trajectory ***out, pk_error *err) {
  return simulate_each(d, opt, grid_subject, out, err);
}

/* ---- output at the observation records ------------------------------------- */

/* Subject s's rows at its observation times: the first row of a
 * simulation whose output starts at each distinct time (the value there,
 * not interpolated), with the doses up to that time (within the
 * simulator's merging tolerance, as on a grid). A subject without
 * observations gets the columns and no row. */
static pk_status observe_subject(const pk_dataset *d, size_t s, const pk_sim_options *opt,
                                 pk_regimen *r, pk_trajectory **out, pk_error *err) {
  const ds_subject *S = &d->subj[s];
  pk_sim_options o = pk_dataset_sim_options(d, s, opt);
  pk_status st = PK_OK;
  size_t k = 0;
  *out = NULL;
  do {
    double t = S->n_obs ? S->obs[k] : o.t_start_h; /* no observation: the columns alone */
    pk_sim_options at = o; /* a second output row, one step later, is not used */
    at.output_start_h = t;
    at.output_step_h = fmax(1.0, 1e-9 * fabs(t));
    at.t_end_h = t + at.output_step_h;
    pk_trajectory *one = NULL;
    st = simulate_subject(d, s, &at, t + 1e-12 * fmax(1.0, fabs(t)), r, &one, err);
    if (st == PK_OK && !*out) {
      if (!(*out = pk_trajectory_alloc(one->cols, S->n_obs))) st = pk_err_nomem(err);
      for (size_t j = 0; st == PK_OK && j < one->cols; j++)
        if (pk_trajectory_set_name(*out, j, one->names[j]) != PK_OK) st = pk_err_nomem(err);
    }
    /* every record at this time (times are in order within a subject) */
    for (; st == PK_OK && k < S->n_obs && S->obs[k] == t; k++)
      if (pk_trajectory_append(*out, one->data) != PK_OK) st = pk_err_nomem(err);
    pk_trajectory_free(one);
  } while (st == PK_OK && k < S->n_obs);
  return st;
}

pk_status pk_dataset_simulate_observations(const pk_dataset *d, const pk_sim_options *opt,
                                           pk_trajectory ***out, pk_error *err) {
  return simulate_each(d, opt, observe_subject, out, err);
}

static const ds_obs *observation(const pk_dataset *d, size_t s, size_t k) {
  const ds_subject *S = subject(d, s);
  return S && k < S->n_obs ? &S->obs_rec[k] : NULL;
}

/* The column named name (without regard to case), -1 if none. */
static long column_of(const pk_dataset *d, const char *name) {
  for (size_t j = 0; name && j < d->n_cols; j++)
    if (strcasecmp(d->col_name[j], name) == 0) return (long)j;
  return -1;
}

const char *pk_dataset_observation_field(const pk_dataset *d, size_t s, size_t k,
                                         const char *column) {
  const ds_obs *o = observation(d, s, k);
  long j = o ? column_of(d, column) : -1;
  return j >= 0 ? d->rec_field[o->row][j] : NULL;
}

int pk_dataset_observation_line(const pk_dataset *d, size_t s, size_t k) {
  const ds_obs *o = observation(d, s, k);
  return o ? o->line : 0;
}

int pk_dataset_observation_evid(const pk_dataset *d, size_t s, size_t k) {
  const ds_obs *o = observation(d, s, k);
  return o ? o->evid : -1;
}

typedef struct write_ctx {
  const pk_dataset *d;
  pk_trajectory *const *t;
} write_ctx;

static int write_all(void *ctx, FILE *f) {
  const write_ctx *w = ctx;
  int with_id = w->d->n_subjects > 1;
  const pk_trajectory *t0 = w->t[0];
  if (with_id && fputs("ID,", f) == EOF) return -1;
  for (size_t j = 0; j < t0->cols; j++)
    if (fprintf(f, "%s%s", j ? "," : "", t0->names[j]) < 0) return -1;
  if (fputc('\n', f) == EOF) return -1;
  for (size_t s = 0; s < w->d->n_subjects; s++) {
    const pk_trajectory *t = w->t[s];
    for (size_t i = 0; i < t->rows; i++) {
      const double *row = t->data + i * t->cols;
      if (with_id && fprintf(f, "%s,", w->d->subj[s].id) < 0) return -1;
      char line[PK_CSV_FIELD_MAX * 64 + 2];
      if (t->cols > 64) {
        for (size_t j = 0; j < t->cols; j++)
          if (fprintf(f, "%s%.12g", j ? "," : "", row[j]) < 0) return -1;
      } else {
        size_t len = pk_csv_format_values(row, t->cols, 0, line);
        if (fwrite(line + 1, 1, len - 1, f) != len - 1) return -1;
      }
      if (fputc('\n', f) == EOF) return -1;
    }
  }
  return 0;
}

/* Checks the trajectories given for every subject of d: present, with the
 * same columns (obs: one row per observation record). */
static pk_status check_trajectories(const pk_dataset *d, pk_trajectory *const *t, int obs,
                                    const char *path, pk_error *err) {
  if (!d || !t || d->n_subjects == 0)
    return pk_err_set(err, PK_ERR_INVALID, path, NULL, "no dataset or trajectories");
  for (size_t s = 0; s < d->n_subjects; s++) {
    if (!t[s]) return pk_err_set(err, PK_ERR_INVALID, path, NULL, "no trajectory for subject %s",
                                 d->subj[s].id);
    int same = t[s]->cols == t[0]->cols;
    for (size_t j = 0; same && j < t[0]->cols; j++) same = !strcmp(t[s]->names[j], t[0]->names[j]);
    if (!same)
      return pk_err_set(err, PK_ERR_INVALID, path, NULL,
                        "subject %s's trajectory has other columns than subject %s's",
                        d->subj[s].id, d->subj[0].id);
    if (obs && t[s]->rows != d->subj[s].n_obs)
      return pk_err_set(err, PK_ERR_INVALID, path, NULL, "subject %s: %zu rows for %zu "
                        "observation records (pk_dataset_simulate_observations gives them)",
                        d->subj[s].id, t[s]->rows, d->subj[s].n_obs);
  }
  return PK_OK;
}

pk_status pk_dataset_write_csv(const pk_dataset *d, pk_trajectory *const *t, const char *path,
                               pk_error *err) {
  pk_error_clear(err);
  if (!path) return pk_err_set(err, PK_ERR_INVALID, NULL, NULL, "no path");
  pk_status st = check_trajectories(d, t, 0, path, err);
  if (st != PK_OK) return st;
  write_ctx w = {d, t};
  return pk_write_atomic(path, write_all, &w, err);
}

/* What an observation row holds: ID, TIME, CMT, EVID, DV (when the file has
 * it), the carried columns, then the model's outputs but time_h. */
typedef struct obs_writer {
  const pk_dataset *d;
  pk_trajectory *const *t;
  long dv;
  long *carry; /* column indices */
  size_t n_carry;
} obs_writer;

static const char *const OBS_FIXED[] = {"ID", "TIME", "CMT", "EVID", "DV"};

/* Adds column j to w's carried columns, unless it is written anyway. */
static void carry_column(obs_writer *w, long j) {
  for (size_t k = 0; k < sizeof OBS_FIXED / sizeof OBS_FIXED[0]; k++)
    if (strcasecmp(w->d->col_name[j], OBS_FIXED[k]) == 0) return;
  for (size_t k = 0; k < w->n_carry; k++)
    if (w->carry[k] == j) return;
  w->carry[w->n_carry++] = j;
}

/* The columns to carry: carry[0..n) by name, or every covariate (carry
 * NULL); a name that is no column of the file, or a carried column named
 * like an output column, is an error. */
static pk_status resolve_carry(obs_writer *w, const char *const *carry, size_t n,
                               const char *where, pk_error *err) {
  const pk_dataset *d = w->d;
  size_t want = carry ? n : d->n_cov;
  w->dv = column_of(d, "DV");
  w->n_carry = 0;
  if (!(w->carry = malloc((want ? want : 1) * sizeof *w->carry))) return pk_err_nomem(err);
  for (size_t k = 0; k < want; k++) {
    const char *name = carry ? carry[k] : d->cov_name[k];
    long j = column_of(d, name);
    if (j < 0) {
      char cols[400] = "";
      for (size_t c = 0, len = 0; c < d->n_cols && len + 64 < sizeof cols; c++)
        len += (size_t)snprintf(cols + len, sizeof cols - len, "%s%.40s", c ? ", " : "",
                                d->col_name[c]);
      return pk_err_set(err, PK_ERR_INVALID, where, NULL, "no column '%s' in the dataset to "
                        "carry; expected one of its columns (%s)", name ? name : "(null)", cols);
    }
    carry_column(w, j);
  }
  const pk_trajectory *t0 = w->t[0];
  for (size_t k = 0; k < w->n_carry; k++)
    for (size_t j = 1; j < t0->cols; j++)
      if (strcmp(d->col_name[w->carry[k]], t0->names[j]) == 0)
        return pk_err_set(err, PK_ERR_INVALID, where, NULL, "the dataset's column %s has the "
                          "name of an output column; rename it in the file, or leave it out "
                          "of the carried columns", t0->names[j]);
  return PK_OK;
}

/* A field as written in the file: quoted when it holds a comma or a quote. */
static int put_field(FILE *f, const char *s) {
  if (fputc(',', f) == EOF) return -1;
  if (!strpbrk(s, ",\"\r\n")) return fputs(s, f) == EOF ? -1 : 0;
  if (fputc('"', f) == EOF) return -1;
  for (; *s; s++)
    if ((*s == '"' && fputc('"', f) == EOF) || fputc(*s, f) == EOF) return -1;
  return fputc('"', f) == EOF ? -1 : 0;
}

static int write_observations(void *ctx, FILE *f) {
  const obs_writer *w = ctx;
  const pk_dataset *d = w->d;
  const pk_trajectory *t0 = w->t[0];
  size_t nv = t0->cols - 1;
  if (fputs("ID,TIME,CMT,EVID", f) == EOF || (w->dv >= 0 && fputs(",DV", f) == EOF)) return -1;
  for (size_t k = 0; k < w->n_carry; k++)
    if (put_field(f, d->col_name[w->carry[k]]) != 0) return -1;
  for (size_t j = 1; j < t0->cols; j++)
    if (fprintf(f, ",%s", t0->names[j]) < 0) return -1;
  if (fputc('\n', f) == EOF) return -1;
  char *line = malloc(PK_CSV_FIELD_MAX * (nv ? nv : 1) + 2);
  if (!line) return errno = ENOMEM, -1;
  int rc = 0;
  for (size_t s = 0; s < d->n_subjects && rc == 0; s++) {
    const ds_subject *S = &d->subj[s];
    for (size_t i = 0; i < S->n_obs && rc == 0; i++) {
      char *const *fld = d->rec_field[S->obs_rec[i].row];
      rc = fputs(S->id, f) == EOF || put_field(f, fld[d->col_time]) ||
           put_field(f, d->col_cmt >= 0 ? fld[d->col_cmt] : ".") ||
           fprintf(f, ",%d", S->obs_rec[i].evid) < 0 || (w->dv >= 0 && put_field(f, fld[w->dv]))
               ? -1 : 0;
      for (size_t k = 0; k < w->n_carry && rc == 0; k++) rc = put_field(f, fld[w->carry[k]]);
      size_t len = pk_csv_format_values(w->t[s]->data + i * t0->cols + 1, nv, 0, line);
      if (rc == 0 && (fwrite(line, 1, len, f) != len || fputc('\n', f) == EOF)) rc = -1;
    }
  }
  free(line);
  return rc;
}

/* Checks the arguments and resolves the carried columns into w. */
static pk_status obs_writer_open(obs_writer *w, const pk_dataset *d, pk_trajectory *const *obs,
                                 const char *const *carry, size_t n_carry, const char *where,
                                 pk_error *err) {
  *w = (obs_writer){.d = d, .t = obs, .dv = -1};
  if (n_carry && !carry)
    return pk_err_set(err, PK_ERR_INVALID, where, NULL, "n_carry > 0 without names");
  pk_status st = check_trajectories(d, obs, 1, where, err);
  return st == PK_OK ? resolve_carry(w, carry, n_carry, where, err) : st;
}

pk_status pk_dataset_write_observations(const pk_dataset *d, pk_trajectory *const *obs,
                                        const char *const *carry, size_t n_carry, FILE *f,
                                        pk_error *err) {
  pk_error_clear(err);
  obs_writer w = {0};
  pk_status st = f ? obs_writer_open(&w, d, obs, carry, n_carry, NULL, err)
                   : pk_err_set(err, PK_ERR_INVALID, NULL, NULL, "no stream");
  errno = 0;
  if (st == PK_OK && (write_observations(&w, f) != 0 || fflush(f) != 0 || ferror(f)))
    st = pk_err_set(err, PK_ERR_IO, NULL, NULL, "write failed: %s",
                    errno ? strerror(errno) : "unknown error");
  free(w.carry);
  return st;
}

pk_status pk_dataset_write_observations_csv(const pk_dataset *d, pk_trajectory *const *obs,
                                            const char *const *carry, size_t n_carry,
                                            const char *path, pk_error *err) {
  pk_error_clear(err);
  if (!path) return pk_err_set(err, PK_ERR_INVALID, NULL, NULL, "no path");
  obs_writer w = {0};
  pk_status st = obs_writer_open(&w, d, obs, carry, n_carry, path, err);
  if (st == PK_OK) st = pk_write_atomic(path, write_observations, &w, err);
  free(w.carry);
  return st;
}
