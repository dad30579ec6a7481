/* test_dataset_quotes.c - one rule for quotes when a dataset line is split
 * into fields: the number of fields and the fields themselves come from the
 * same pass. Lines whose quotes would make a counting pass and a splitting
 * pass disagree (a quote inside an unquoted field, such as 1",",,,, with a
 * few or 5000 commas after it) must be refused with the line and column of
 * the bad field, never write past the line's buffer (run under ASan), and a
 * quote inside an unquoted field is a plain character, so that the commas
 * after it still separate fields. The model is dataset_helpers.h's. */
#include <stdlib.h>
#include "dataset_helpers.h"
#include "temp_file.h"

/* Loads header + "\n" + line; returns the status, err filled. */
static pk_status load_line(const pk_model *m, const char *header, const char *line,
                           pk_error *err) {
  size_t n = strlen(header) + strlen(line) + 3;
  char *text = malloc(n);
  snprintf(text, n, "%s\n%s\n", header, line);
  char path[512];
  pk_status st = PK_ERR_IO;
  if (temp_file_write(text, strlen(text), "quotes.csv", path, sizeof path) == 0) {
    pk_dataset *d = NULL;
    st = pk_dataset_load(path, m, &d, err);
    pk_dataset_free(d);
    temp_file_remove(path);
  }
  free(text);
  return st;
}

static void refused_at(const pk_model *m, const char *what, const char *header, const char *line,
                       int column, const char *expect) {
  pk_error err;
  pk_status st = load_line(m, header, line, &err);
  CHECK(st == PK_ERR_INVALID, "%s: got %s (%s), expected PK_ERR_INVALID", what,
        pk_status_str(st), err.message);
  CHECK(err.line == 2 && err.column == column, "%s: line %d column %d, expected 2 and %d (%s)",
        what, err.line, err.column, column, err.message);
  CHECK(strstr(err.message, expect) != NULL, "%s: message '%s' does not say '%s'", what,
        err.message, expect);
}

/* "1\",\"" followed by n commas. */
static char *quote_then_commas(size_t n) {
  char *s = malloc(n + 5);
  memcpy(s, "1\",\"", 4);
  memset(s + 4, ',', n);
  s[n + 4] = '\0';
  return s;
}

int main(void) {
  test_init();
  pk_model *m = ds_model();

  /* the reported line: a quote in the first (unquoted) field, then a quoted
   * field that never closes, then commas */
  refused_at(m, "1\",\",,,,", "ID,TIME,AMT", "1\",\",,,,", 2, "malformed quoted field");
  for (size_t n = 1; n <= 64; n *= 2) {
    char *line = quote_then_commas(n), what[64];
    snprintf(what, sizeof what, "1\",\" and %zu commas", n);
    refused_at(m, what, "ID,TIME,AMT", line, 2, "malformed quoted field");
    free(line);
  }
  char *longline = quote_then_commas(5000);
  refused_at(m, "1\",\" and 5000 commas", "ID,TIME,AMT", longline, 2, "malformed quoted field");
  free(longline);
  /* the same with a 5000-column header: the surplus fields are counted, not
   * written past the buffer */
  {
    size_t nc = 5000;
    char *hdr = malloc(nc * 8 + 16);
    size_t o = (size_t)sprintf(hdr, "ID,TIME");
    for (size_t j = 2; j < nc; j++) o += (size_t)sprintf(hdr + o, ",c%zu", j);
    char *line = quote_then_commas(nc + 100);
    refused_at(m, "5000 columns, 1\",\" and 5100 commas", hdr, line, 2, "malformed quoted field");
    free(line);
    free(hdr);
  }

  /* a quote inside an unquoted field is a character: the commas after it
   * still separate fields (4 fields here, not 3) */
  refused_at(m, "1,0,a\"b,c\"d", "ID,TIME,AMT", "1,0,a\"b,c\"d", 4,
             "the line has 4 fields, the header 3");
  refused_at(m, "1,0\",1,2\"", "ID,TIME,AMT", "1,0\",1,2\"", 4,
             "the line has 4 fields, the header 3");
  /* text after a closing quote, an unclosed quote at the end */
  refused_at(m, "1,\"0\"x,5", "ID,TIME,AMT", "1,\"0\"x,5", 2, "malformed quoted field");
  refused_at(m, "1,0,\"5", "ID,TIME,AMT", "1,0,\"5", 3, "malformed quoted field");

  /* quoted fields that are well formed load: "" is a quote, commas inside
   * quotes belong to the field, spaces around the quotes are dropped */
  {
    pk_error err;
    pk_status st = load_line(m, "ID,TIME,\"AMT\",CMT", "\"S1\", \"0\" ,\"10\",1", &err);
    CHECK(st == PK_OK, "quoted fields: %s", err.message);
    st = load_line(m, "ID,TIME,AMT,\"W,\"\"T\"\"\"", "S1,0,10,70", &err);
    CHECK(st == PK_OK, "a quoted header with a comma and quotes: %s", err.message);
  }

  pk_model_free(m);
  return test_finish("unit_dataset_quotes_one_rule_for_counting_and_splitting");
}
