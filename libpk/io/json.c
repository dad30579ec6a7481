/* json.c - strict JSON helpers (see json.h). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "io.h"
#include "json.h"

/* NaN, Infinity and their variants are not JSON but are easily written. */
static int is_non_finite_literal(const char *s) {
  if (*s == '-' || *s == '+') s++;
  static const char *const words[] = {"nan", "inf"};
  for (size_t k = 0; k < sizeof words / sizeof words[0]; k++) {
    size_t i = 0;
    while (i < 3 && s[i] && (s[i] | 0x20) == words[k][i]) i++;
    if (i == 3) return 1;
  }
  return 0;
}

/* Line and column (1-based, in bytes) of offset off in text. */
static void line_col(const char *text, size_t off, int *line, int *col) {
  *line = 1;
  *col = 1;
  for (size_t i = 0; i < off; i++) {
    if (text[i] == '\n') ++*line, *col = 1;
    else ++*col;
  }
}

static pk_status fail_at_offset(const char *file, const char *text, size_t off, pk_error *err,
                                const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static pk_status fail_at_offset(const char *file, const char *text, size_t off, pk_error *err,
                                const char *fmt, ...) {
  char msg[PK_ERROR_MESSAGE_MAX];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  pk_status st = pk_err_set(err, PK_ERR_PARSE, file, NULL, "%s", msg);
  if (err) line_col(text, off, &err->line, &err->column);
  return st;
}

/* A NUL byte, raw or written \u0000 in a string, would cut an id or a name
 * short without a word (cJSON's strings end at a NUL): refused. */
static pk_status check_no_nul(const char *text, size_t len, const char *file, pk_error *err) {
  int in_string = 0;
  for (size_t i = 0; i < len; i++) {
    char ch = text[i];
    if (ch == '\0')
      return fail_at_offset(file, text, i, err, "a NUL byte %s; expected a JSON text file",
                            in_string ? "inside a string" : "in the file");
    if (!in_string) {
      in_string = ch == '"';
    } else if (ch == '"') {
      in_string = 0;
    } else if (ch == '\\' && i + 1 < len) {
      if (text[i + 1] == 'u' && len - i >= 6 && memcmp(text + i + 2, "0000", 4) == 0)
        return fail_at_offset(file, text, i, err, "'\\u0000' (a NUL character) inside a string; "
                              "expected text without NUL characters");
      if (text[i + 1] != '\0') i++; /* the escaped character */
    }
  }
  return PK_OK;
}

/* Depth of the arrays and objects open at offset off (outside strings). */
static size_t depth_at(const char *text, size_t off) {
  size_t depth = 0;
  int in_string = 0;
  for (size_t i = 0; i < off; i++) {
    char ch = text[i];
    if (in_string) {
      if (ch == '\\') i++;
      else if (ch == '"') in_string = 0;
    } else if (ch == '"') {
      in_string = 1;
    } else if (ch == '[' || ch == '{') {
      depth++;
    } else if ((ch == ']' || ch == '}') && depth > 0) {
      depth--;
    }
  }
  return depth;
}

/* Parses text[0..len) (text[len] must be NUL: cJSON looks for it). */
static pk_status parse_terminated(const char *text, size_t len, const char *file, cJSON **root,
                                  pk_error *err) {
  *root = NULL;
  pk_status st = check_no_nul(text, len, file, err);
  if (st != PK_OK) return st;
  const char *end = NULL;
  /* the length includes the terminating NUL, which cJSON requires to see */
  *root = cJSON_ParseWithLengthOpts(text, len + 1, &end, 1);
  if (!*root) {
    size_t off = end && end >= text && end <= text + len ? (size_t)(end - text) : 0;
    /* the excerpt: at most 20 characters, up to the end of the line */
    const char *near = off < len ? text + off : "(end of file)";
    int near_len = 0;
    while (near_len < 20 && near[near_len] && near[near_len] != '\n' && near[near_len] != '\r')
      near_len++;
    if (len == 0)
      return pk_err_set(err, PK_ERR_PARSE, file, NULL, "the file is empty; expected a JSON object");
    if (off < len && (text[off] == '[' || text[off] == '{') &&
        depth_at(text, off) >= CJSON_NESTING_LIMIT)
      return fail_at_offset(file, text, off, err,
                            "arrays and objects nested more than %d deep; expected at most %d "
                            "levels (the JSON parser's limit)", CJSON_NESTING_LIMIT,
                            CJSON_NESTING_LIMIT);
    if (is_non_finite_literal(near))
      return fail_at_offset(file, text, off, err,
                            "malformed JSON near '%.*s': JSON has no NaN or Infinity; expected a "
                            "finite number", near_len, near);
    return fail_at_offset(file, text, off, err,
                          "malformed JSON near '%.*s'; expected a JSON value, ',' between items "
                          "or a closing bracket (comments and trailing commas are not allowed)",
                          near_len, near);
  }
  if (!cJSON_IsObject(*root)) {
    cJSON_Delete(*root);
    *root = NULL;
    return pk_err_set(err, PK_ERR_PARSE, file, NULL, "the top level must be a JSON object");
  }
  return PK_OK;
}

pk_status pk_json_parse_file(const char *file, cJSON **root, pk_error *err) {
  *root = NULL;
  char *text = NULL;
  size_t len = 0;
  pk_status st = pk_read_file(file, &text, &len, err);
  if (st != PK_OK) return st;
  st = parse_terminated(text, len, file, root, err);
  free(text);
  return st;
}

pk_status pk_json_parse_text(const char *text, size_t len, const char *file, cJSON **root,
                             pk_error *err) {
  *root = NULL;
  if (!text && len) return pk_err_set(err, PK_ERR_INVALID, file, NULL, "no text");
  char *copy = malloc(len + 1); /* NUL-terminated for cJSON */
  if (!copy) return pk_err_nomem(err);
  if (len) memcpy(copy, text, len);
  copy[len] = '\0';
  pk_status st = parse_terminated(copy, len, file, root, err);
  free(copy);
  return st;
}

size_t pk_json_push_key(pk_jctx *c, const char *key) {
  size_t len = strlen(c->path);
  snprintf(c->path + len, sizeof c->path - len, "%s%s", len ? "." : "", key);
  return len;
}

size_t pk_json_push_index(pk_jctx *c, size_t i) {
  size_t len = strlen(c->path);
  snprintf(c->path + len, sizeof c->path - len, "[%zu]", i);
  return len;
}

void pk_json_pop(pk_jctx *c, size_t len) { c->path[len] = '\0'; }

pk_status pk_json_fail(pk_jctx *c, const char *fmt, ...) {
  char msg[PK_ERROR_MESSAGE_MAX];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  return pk_err_set(c->err, PK_ERR_INVALID, c->file, c->path, "%s", msg);
}

pk_status pk_json_fail_at(pk_jctx *c, const char *key, const char *fmt, ...) {
  char msg[PK_ERROR_MESSAGE_MAX];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  size_t len = pk_json_push_key(c, key);
  pk_status st = pk_json_fail(c, "%s", msg);
  pk_json_pop(c, len);
  return st;
}

const char *pk_json_type(const cJSON *v) {
  if (!v) return "nothing";
  if (cJSON_IsNumber(v)) return "a number";
  if (cJSON_IsString(v)) return "a string";
  if (cJSON_IsBool(v)) return "a boolean";
  if (cJSON_IsNull(v)) return "null";
  if (cJSON_IsArray(v)) return "an array";
  if (cJSON_IsObject(v)) return "an object";
  return "an invalid value";
}

pk_status pk_json_check_object(pk_jctx *c, const cJSON *obj, const char *what,
                               const char *const *allowed) {
  if (!cJSON_IsObject(obj))
    return pk_json_fail(c, "%s must be an object, got %s", what, pk_json_type(obj));
  for (const cJSON *it = obj->child; it; it = it->next) {
    int ok = 0;
    for (const char *const *a = allowed; *a; a++)
      if (strcmp(*a, it->string) == 0) ok = 1;
    if (!ok) {
      char list[PK_ERROR_MESSAGE_MAX / 2] = "", dym[PK_ERROR_MESSAGE_MAX / 4];
      size_t n_allowed = 0;
      for (const char *const *a = allowed; *a; a++, n_allowed++) {
        size_t l = strlen(list);
        snprintf(list + l, sizeof list - l, "%s%s", l ? ", " : "", *a);
      }
      pk_suggest_suffix(it->string, allowed, n_allowed, dym, sizeof dym);
      size_t len = pk_json_push_key(c, it->string);
      pk_status st = pk_json_fail(c, "unknown key '%s' in %s; allowed keys: %s%s", it->string,
                                  what, list, dym);
      pk_json_pop(c, len);
      return st;
    }
    for (const cJSON *jt = it->next; jt; jt = jt->next)
      if (strcmp(jt->string, it->string) == 0) {
        size_t len = pk_json_push_key(c, it->string);
        pk_status st = pk_json_fail(c, "key '%s' appears more than once in %s", it->string,
                                    what);
        pk_json_pop(c, len);
        return st;
      }
  }
  return PK_OK;
}

const cJSON *pk_json_get(const cJSON *obj, const char *key) {
  return cJSON_GetObjectItemCaseSensitive(obj, key);
}

static pk_status missing(pk_jctx *c, const char *key, const char *what) {
  return pk_json_fail(c, "missing key '%s' (%s)", key, what);
}

pk_status pk_json_number(pk_jctx *c, const cJSON *obj, const char *key, const char *unit,
                         int required, double *out) {
  const cJSON *v = pk_json_get(obj, key);
  char what[64];
  snprintf(what, sizeof what, "a number%s%s", unit[0] ? " in " : "", unit);
  if (!v) return required ? missing(c, key, what) : PK_OK;
  size_t len = pk_json_push_key(c, key);
  pk_status st = PK_OK;
  if (!cJSON_IsNumber(v))
    st = pk_json_fail(c, "expected %s, got %s", what, pk_json_type(v));
  else if (!isfinite(v->valuedouble))
    st = pk_json_fail(c, "expected a finite number, got %g", v->valuedouble);
  else
    *out = v->valuedouble;
  pk_json_pop(c, len);
  return st;
}

pk_status pk_json_string(pk_jctx *c, const cJSON *obj, const char *key, int required,
                         const char **out) {
  const cJSON *v = pk_json_get(obj, key);
  if (!v) return required ? missing(c, key, "a string") : PK_OK;
  if (!cJSON_IsString(v) || !v->valuestring[0]) {
    size_t len = pk_json_push_key(c, key);
    pk_status st = pk_json_fail(c, "expected a non-empty string, got %s", pk_json_type(v));
    pk_json_pop(c, len);
    return st;
  }
  *out = v->valuestring;
  return PK_OK;
}

pk_status pk_json_array(pk_jctx *c, const cJSON *obj, const char *key, int required,
                        const cJSON **out) {
  const cJSON *v = pk_json_get(obj, key);
  *out = NULL;
  if (!v) return required ? missing(c, key, "an array") : PK_OK;
  if (!cJSON_IsArray(v)) {
    size_t len = pk_json_push_key(c, key);
    pk_status st = pk_json_fail(c, "expected an array, got %s", pk_json_type(v));
    pk_json_pop(c, len);
    return st;
  }
  *out = v;
  return PK_OK;
}

pk_status pk_json_param(pk_jctx *c, const cJSON *obj, const char *key, const char *unit,
                        int need_source, int required, double *out) {
  static const char *const keys[] = {"value", "unit", "source", "note", "assumption",
                                     "range", NULL};
  const cJSON *v = pk_json_get(obj, key);
  char what[96];
  snprintf(what, sizeof what, "an object {\"value\": number, \"unit\": \"%s\"%s}", unit,
           need_source ? ", \"source\": text" : "");
  if (!v) return required ? missing(c, key, what) : PK_OK;
  size_t len = pk_json_push_key(c, key);
  pk_status st = pk_json_check_object(c, v, what, keys);
  const char *u = NULL, *src = NULL;
  double x = NAN;
  if (st == PK_OK) st = pk_json_number(c, v, "value", unit, 1, &x);
  if (st == PK_OK) st = pk_json_string(c, v, "unit", 1, &u);
  if (st == PK_OK && strcmp(u, unit) != 0) {
    size_t l2 = pk_json_push_key(c, "unit");
    st = pk_json_fail(c, "wrong unit '%s'; expected '%s'", u, unit);
    pk_json_pop(c, l2);
  }
  if (st == PK_OK && need_source) st = pk_json_string(c, v, "source", 1, &src);
  const cJSON *a = pk_json_get(v, "assumption");
  if (st == PK_OK && a && !cJSON_IsBool(a)) {
    size_t l2 = pk_json_push_key(c, "assumption");
    st = pk_json_fail(c, "expected true or false, got %s", pk_json_type(a));
    pk_json_pop(c, l2);
  }
  const cJSON *r = pk_json_get(v, "range");
  if (st == PK_OK && r) {
    size_t l2 = pk_json_push_key(c, "range");
    if (!cJSON_IsArray(r) || cJSON_GetArraySize(r) != 2 || !cJSON_IsNumber(r->child) ||
        !cJSON_IsNumber(r->child->next) || !(r->child->valuedouble <= r->child->next->valuedouble))
      st = pk_json_fail(c, "expected [low, high] in %s with low <= high", unit);
    pk_json_pop(c, l2);
  }
  pk_json_pop(c, len);
  if (st == PK_OK) *out = x;
  return st;
}
