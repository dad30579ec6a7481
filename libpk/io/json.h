/* json.h - strict JSON reading on top of cJSON: whole-file parsing with
 * line:column of syntax errors, key paths for every message, rejection of
 * unknown and duplicate keys, and numbers checked with their units. */
#ifndef PK_JSON_H
#define PK_JSON_H

#include <cjson/cJSON.h>
#include "internal.h"

typedef struct pk_jctx {
  const char *file;                /* file being read, for messages */
  char path[PK_ERROR_PATH_MAX];    /* current key path */
  pk_error *err;
} pk_jctx;

/* Reads (pk_read_file) and parses file; on failure err says where
 * (line:column). The top level must be an object; NUL bytes are refused. */
pk_status pk_json_parse_file(const char *file, cJSON **root, pk_error *err);
/* The same for text[0..len) (need not be NUL-terminated); file names it in
 * messages (may be NULL). */
pk_status pk_json_parse_text(const char *text, size_t len, const char *file, cJSON **root,
                             pk_error *err);

/* Path handling: push returns the previous length for pop. */
size_t pk_json_push_key(pk_jctx *c, const char *key);
size_t pk_json_push_index(pk_jctx *c, size_t i);
void pk_json_pop(pk_jctx *c, size_t len);

/* Fails with PK_ERR_INVALID at the current path. */
pk_status pk_json_fail(pk_jctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Fails with PK_ERR_INVALID at the current path extended by key. */
pk_status pk_json_fail_at(pk_jctx *c, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The current value must be an object whose keys are all in allowed
 * (NULL-terminated), each at most once. what names the object in messages. */
pk_status pk_json_check_object(pk_jctx *c, const cJSON *obj, const char *what,
                               const char *const *allowed);

/* Value of key in obj, NULL if absent. */
const cJSON *pk_json_get(const cJSON *obj, const char *key);

/* A plain finite number at obj.key; absent -> PK_OK with *out unchanged if
 * not required. unit (may be "") goes into messages. */
pk_status pk_json_number(pk_jctx *c, const cJSON *obj, const char *key, const char *unit,
                         int required, double *out);
/* A non-empty string; absent -> *out unchanged if not required. */
pk_status pk_json_string(pk_jctx *c, const cJSON *obj, const char *key, int required,
                         const char **out);
/* An array at obj.key (NULL if absent and not required). */
pk_status pk_json_array(pk_jctx *c, const cJSON *obj, const char *key, int required,
                        const cJSON **out);

/* A parameter object {"value": x, "unit": "...", "source": "...", ...} at
 * obj.key; its unit must equal unit exactly; with need_source a non-empty
 * "source" is required. */
pk_status pk_json_param(pk_jctx *c, const cJSON *obj, const char *key, const char *unit,
                        int need_source, int required, double *out);

/* A JSON type name for messages. */
const char *pk_json_type(const cJSON *v);

#endif
