/* test_dataset_header.c - dataset headers:
 *   - a file separated by ';' or tabs is refused with the separator named
 *     ("columns are separated by ';' ... expected ','"), not only as "no ID
 *     column";
 *   - a header of 100 000 columns loads (the duplicate-name check sorts the
 *     names instead of comparing every pair: it took 49 s), and a duplicate
 *     among them is still found, with the first column of that name;
 *     the ctest timeout makes a slow check a failure.
 * The model is dataset_helpers.h's. */
#include "dataset_helpers.h"
#include "temp_file.h"

static pk_status load_text(const pk_model *m, const char *text, pk_dataset **d, pk_error *err) {
  char path[700];
  *d = NULL;
  if (temp_file_write(text, strlen(text), "events.csv", path, sizeof path) != 0) {
    CHECK(0, "cannot write a temporary file");
    return PK_ERR_IO;
  }
  pk_status st = pk_dataset_load(path, m, d, err);
  temp_file_remove(path);
  return st;
}

static void refused(const pk_model *m, const char *what, const char *text, int line, int column,
                    const char *e1, const char *e2) {
  pk_dataset *d = NULL;
  pk_error err;
  pk_status st = load_text(m, text, &d, &err);
  CHECK(st == PK_ERR_INVALID && !d, "%s: got %s, expected PK_ERR_INVALID", what,
        pk_status_str(st));
  CHECK(err.line == line && err.column == column, "%s: %d:%d, expected %d:%d (%s)", what,
        err.line, err.column, line, column, err.message);
  CHECK(strstr(err.message, e1) && (!e2 || strstr(err.message, e2)),
        "%s: message '%s' lacks '%s' / '%s'", what, err.message, e1, e2 ? e2 : "");
  pk_dataset_free(d);
}

int main(void) {
  test_init();
  pk_model *m = ds_model();

  refused(m, "';' separators", "ID;TIME;AMT;CMT\n1;0;10;1\n", 1, 0,
          "columns are separated by ';'", "expected ','");
  refused(m, "tab separators", "ID\tTIME\tAMT\tCMT\n1\t0\t10\t1\n", 1, 0,
          "columns are separated by tabs", "expected ','");
  refused(m, "no ID column", "TIME,AMT\n0,10\n", 1, 0, "the header has no ID column", NULL);

  /* 100 000 columns: ID, TIME and covariates c2..c99999, one record */
  enum { NC = 100000 };
  size_t cap = (size_t)NC * 12 + 64;
  char *text = malloc(cap);
  size_t o = (size_t)snprintf(text, cap, "ID,TIME");
  for (size_t j = 2; j < NC; j++) o += (size_t)snprintf(text + o, cap - o, ",c%zu", j);
  size_t header_end = o;
  o += (size_t)snprintf(text + o, cap - o, "\n1,0");
  for (size_t j = 2; j < NC; j++) text[o++] = ',';
  text[o++] = '\n';
  text[o] = '\0';
  pk_dataset *d = NULL;
  pk_error err;
  pk_status st = load_text(m, text, &d, &err);
  CHECK(st == PK_OK, "100000 columns: %s", err.message);
  CHECK(pk_dataset_covariate_count(d) == NC - 2, "%zu covariates, expected %d",
        pk_dataset_covariate_count(d), NC - 2);
  pk_dataset_free(d);
  /* the last column renamed C7: a duplicate of column 8 (c7) in another case */
  char *last = text + header_end;
  while (last[-1] != ',') last--;
  memcpy(last, "C7", 2);
  memset(last + 2, ' ', (size_t)(text + header_end - last) - 2); /* trailing spaces are dropped */
  refused(m, "a duplicate at column 100000", text, 1, NC, "duplicate column name (column 8 is c7)",
          NULL);
  free(text);

  pk_model_free(m);
  return test_finish("unit_dataset_header_separator_and_100000_columns");
}
