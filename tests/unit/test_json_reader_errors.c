/* test_json_reader_errors.c - JSON inputs that used to be accepted wrongly
 * or refused without saying why:
 *   - a raw NUL byte inside a string (it cut the scenario's name or a
 *     compound's id short) and a \u0000 escape are refused with line:column;
 *   - arrays nested deeper than the parser's limit (1000) are refused with
 *     the limit, not as "malformed JSON", and 1000 levels still parse;
 *   - a product dose whose mg overflow ("dose_g": 1e308) is refused with the
 *     key path of the dose.
 * The files are written to a temporary directory and read by the path API. */
#include <stdlib.h>
#include "temp_file.h"
#include "unit_helpers.h"

#define MODELS "\"" PK_MODELS_DIR "/compounds/linear/mitragynine.json\", \"" PK_MODELS_DIR \
               "/compounds/linear/7-hydroxymitragynine.json\", \"" PK_MODELS_DIR            \
               "/receptors/mu-opioid.json\", \"" PK_MODELS_DIR                       \
               "/products/kratom-leaf-powder.json\""

static pk_status load_scenario_text(const char *text, size_t len, pk_error *err) {
  char path[700];
  if (temp_file_write(text, len, "scenario.json", path, sizeof path) != 0) {
    CHECK(0, "cannot write a temporary file");
    return PK_ERR_IO;
  }
  pk_scenario *s = NULL;
  pk_status st = pk_scenario_load(path, &s, err);
  pk_scenario_free(s);
  temp_file_remove(path);
  return st;
}

static pk_status load_model_text(const char *text, size_t len, pk_error *err) {
  char path[700];
  if (temp_file_write(text, len, "compound.json", path, sizeof path) != 0) {
    CHECK(0, "cannot write a temporary file");
    return PK_ERR_IO;
  }
  pk_model *m = pk_model_new();
  pk_status st = pk_model_load_file(m, path, err);
  pk_model_free(m);
  temp_file_remove(path);
  return st;
}

/* A scenario: two days, one dose of leaf powder. name is spliced in as
 * written (it may hold a NUL: the length is given). */
static size_t scenario_with_name(char *buf, size_t n, const char *name, size_t name_len,
                                 const char *dose_g) {
  size_t o = (size_t)snprintf(buf, n, "{\n  \"name\": \"");
  memcpy(buf + o, name, name_len);
  o += name_len;
  o += (size_t)snprintf(buf + o, n - o,
                        "\",\n  \"model\": [" MODELS "],\n"
                        "  \"dosing\": [{\"product\": \"kratom-leaf-powder\", \"dose_g\": %s, "
                        "\"times_h\": [8]}],\n"
                        "  \"output\": {\"duration_days\": 2, \"step_h\": 1}\n}\n",
                        dose_g);
  return o;
}

static void parse_error_at(pk_status st, const pk_error *err, const char *what, int line,
                           int column, const char *expect) {
  CHECK(st == PK_ERR_PARSE, "%s: got %s (%s), expected PK_ERR_PARSE", what, pk_status_str(st),
        err->message);
  CHECK(err->line == line && err->column == column, "%s: at %d:%d, expected %d:%d (%s)", what,
        err->line, err->column, line, column, err->message);
  CHECK(strstr(err->message, expect) != NULL, "%s: message '%s' does not say '%s'", what,
        err->message, expect);
}

int main(void) {
  test_init();
  static char buf[1 << 16];
  pk_error err;

  /* the good scenario loads */
  size_t n = scenario_with_name(buf, sizeof buf, "two-days", 8, "2");
  pk_status st = load_scenario_text(buf, n, &err);
  CHECK(st == PK_OK, "the good scenario: %s", err.message);

  /* a raw NUL inside the name: line 2, column 15 ("  \"name\": \"two" is 14 bytes) */
  n = scenario_with_name(buf, sizeof buf, "two\0days", 8, "2");
  st = load_scenario_text(buf, n, &err);
  parse_error_at(st, &err, "NUL in a scenario's name", 2, 15, "a NUL byte inside a string");
  /* a NUL after the closing brace */
  n = scenario_with_name(buf, sizeof buf, "two-days", 8, "2");
  buf[n++] = '\0';
  st = load_scenario_text(buf, n, &err);
  CHECK(st == PK_ERR_PARSE && strstr(err.message, "NUL byte"), "NUL after the object: %s: %s",
        pk_status_str(st), err.message);

  /* a compound id with a raw NUL and one with \u0000 */
  static const char compound[] =
      "{\"kind\": \"compound\", \"id\": \"mg%s\", \"name\": \"mitragynine\",\n"
      " \"parameters\": {\"MW\": {\"value\": 398.5, \"unit\": \"g/mol\", \"source\": \"s\"},\n"
      "  \"ka\": {\"value\": 2, \"unit\": \"1/h\", \"source\": \"s\"},\n"
      "  \"V\": {\"value\": 884, \"unit\": \"L\", \"source\": \"s\"},\n"
      "  \"CL\": {\"value\": 233, \"unit\": \"L/h\", \"source\": \"s\"}}}\n";
  n = (size_t)snprintf(buf, sizeof buf, compound, "");
  st = load_model_text(buf, n, &err);
  CHECK(st == PK_OK, "the good compound: %s", err.message);
  n = (size_t)snprintf(buf, sizeof buf, compound, "@x");
  *strchr(buf, '@') = '\0'; /* "mg\0x" */
  st = load_model_text(buf, n, &err);
  parse_error_at(st, &err, "NUL in a compound id", 1, 31, "a NUL byte inside a string");
  n = (size_t)snprintf(buf, sizeof buf, compound, "\\u0000x");
  st = load_model_text(buf, n, &err);
  parse_error_at(st, &err, "\\u0000 in a compound id", 1, 31, "'\\u0000'");
  /* an escaped backslash before u0000 is text, not a NUL */
  n = (size_t)snprintf(buf, sizeof buf, compound, "\\\\u0000x");
  st = load_model_text(buf, n, &err);
  CHECK(st != PK_ERR_PARSE, "'mg\\\\u0000x' is not a NUL: %s", err.message);

  /* nesting: 1001 levels refused with the limit, at the 1001st bracket */
  for (int depth = 1000; depth <= 1001; depth++) {
    size_t o = (size_t)snprintf(buf, sizeof buf, "{\"name\": \"deep\", \"note\": ");
    for (int k = 0; k < depth - 1; k++) buf[o++] = '[';
    for (int k = 0; k < depth - 1; k++) buf[o++] = ']';
    o += (size_t)snprintf(buf + o, sizeof buf - o, "}\n");
    st = load_scenario_text(buf, o, &err);
    if (depth == 1000) {
      CHECK(st != PK_ERR_PARSE, "1000 levels parse: %s", err.message);
    } else {
      parse_error_at(st, &err, "1001 levels", 1, 1025, "nested more than 1000 deep");
      CHECK(strstr(err.message, "malformed") == NULL, "the limit, not 'malformed': %s",
            err.message);
    }
  }

  /* a dose that overflows in mg names its key */
  n = scenario_with_name(buf, sizeof buf, "big-dose", 8, "1e308");
  st = load_scenario_text(buf, n, &err);
  CHECK(st == PK_ERR_INVALID && strcmp(err.path, "dosing[0].dose_g") == 0,
        "dose_g 1e308: %s, path '%s' (%s), expected dosing[0].dose_g", pk_status_str(st),
        err.path, err.message);
  CHECK(strstr(err.message, "kratom-leaf-powder") && strstr(err.message, "finite"),
        "dose_g 1e308: message '%s'", err.message);
  CHECK(strstr(err.file, "scenario.json") != NULL, "dose_g 1e308: file '%s'", err.file);

  return test_finish("unit_json_reader_nul_nesting_and_dose_overflow");
}
