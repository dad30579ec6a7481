/* catalog.c - reading what a model file states, for listing (pk/catalog.h).
 * The file is parsed as JSON and walked; the numbers are listed as written,
 * and building a model from it (model_load.c) is what validates them. */
#include <stdlib.h>
#include <string.h>
#include "json.h"

typedef struct entry {
  char *key;
  double value;
  const char *unit, *source; /* point into the parsed document */
  int assumption;
} entry;

struct pk_file_info {
  cJSON *doc;
  const char *kind, *id, *name, *route, *dose_unit;
  size_t n, cap;
  entry *e;
};

static const char *str_or(const cJSON *obj, const char *key, const char *dflt) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
  return cJSON_IsString(v) ? v->valuestring : dflt;
}

/* Adds {"value", "unit", "source", "assumption"} found at obj under a label
 * made of prefix and key; objects without a numeric value are skipped. */
static pk_status add(pk_file_info *info, const char *prefix, const char *key, const cJSON *obj,
                     pk_error *err) {
  const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, "value");
  if (!cJSON_IsObject(obj) || !cJSON_IsNumber(v)) return PK_OK;
  if (info->n == info->cap) {
    size_t cap = info->cap ? 2 * info->cap : 32;
    entry *e = realloc(info->e, cap * sizeof *e);
    if (!e) return pk_err_nomem(err);
    info->e = e;
    info->cap = cap;
  }
  size_t len = strlen(prefix) + strlen(key) + 2;
  char *label = malloc(len);
  if (!label) return pk_err_nomem(err);
  snprintf(label, len, "%s%s%s", prefix, prefix[0] ? " " : "", key);
  info->e[info->n++] = (entry){label, v->valuedouble, str_or(obj, "unit", ""),
                               str_or(obj, "source", ""),
                               cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(obj, "assumption"))};
  return PK_OK;
}

/* Every member of obj, labelled "<prefix> <member>" (or by the member's
 * own keys for nested objects such as absorption). */
static pk_status add_all(pk_file_info *info, const char *prefix, const cJSON *obj,
                         pk_error *err) {
  pk_status st = PK_OK;
  for (const cJSON *it = obj ? obj->child : NULL; it && st == PK_OK; it = it->next)
    st = add(info, prefix, it->string, it, err);
  return st;
}

static pk_status walk(pk_file_info *info, pk_error *err) {
  const cJSON *d = info->doc;
  pk_status st = PK_OK;
  if (strcmp(info->kind, "compound") == 0) {
    st = add_all(info, "", cJSON_GetObjectItemCaseSensitive(d, "parameters"), err);
    if (st == PK_OK)
      st = add(info, "", "max_plausible_dose",
               cJSON_GetObjectItemCaseSensitive(d, "max_plausible_dose"), err);
    const cJSON *ff = cJSON_GetObjectItemCaseSensitive(d, "formed_from");
    for (const cJSON *it = cJSON_IsArray(ff) ? ff->child : NULL; it && st == PK_OK; it = it->next) {
      char prefix[128];
      snprintf(prefix, sizeof prefix, "from %s:", str_or(it, "compound", "?"));
      st = add_all(info, prefix, it, err);
    }
  } else if (strcmp(info->kind, "product") == 0) {
    st = add_all(info, "content", cJSON_GetObjectItemCaseSensitive(d, "content"), err);
    if (st == PK_OK) st = add(info, "", "release_h", cJSON_GetObjectItemCaseSensitive(d, "release_h"), err);
    const cJSON *ab = cJSON_GetObjectItemCaseSensitive(d, "absorption");
    for (const cJSON *it = cJSON_IsObject(ab) ? ab->child : NULL; it && st == PK_OK; it = it->next) {
      char prefix[128];
      snprintf(prefix, sizeof prefix, "%s:", it->string);
      st = add_all(info, prefix, it, err);
    }
  } else {
    st = add_all(info, "", cJSON_GetObjectItemCaseSensitive(d, "adaptation"), err);
    const cJSON *w = cJSON_GetObjectItemCaseSensitive(d, "withdrawal");
    if (st == PK_OK && w) st = add_all(info, "withdrawal:", w, err);
  }
  return st;
}

pk_status pk_file_info_load(const char *path, pk_file_info **out, pk_error *err) {
  pk_error_clear(err);
  if (!path || !out) return pk_err_set(err, PK_ERR_INVALID, path, NULL, "no path or output");
  *out = NULL;
  pk_file_info *info = calloc(1, sizeof *info);
  if (!info) return pk_err_nomem(err);
  pk_status st = pk_json_parse_file(path, &info->doc, err);
  if (st == PK_OK) {
    info->kind = str_or(info->doc, "kind", "");
    info->id = str_or(info->doc, "id", "");
    info->name = str_or(info->doc, "name", "");
    info->route = str_or(info->doc, "route", strcmp(info->kind, "product") ? "" : "oral");
    info->dose_unit = str_or(info->doc, "dose_unit", strcmp(info->kind, "product") ? "" : "g");
    if (strcmp(info->kind, "compound") && strcmp(info->kind, "product") &&
        strcmp(info->kind, "receptor"))
      st = pk_err_set(err, PK_ERR_INVALID, path, "kind",
                      "expected \"compound\", \"product\" or \"receptor\"");
  }
  if (st == PK_OK) st = walk(info, err);
  if (st != PK_OK) {
    pk_file_info_free(info);
    return st;
  }
  *out = info;
  return PK_OK;
}

void pk_file_info_free(pk_file_info *info) {
  if (!info) return;
  for (size_t k = 0; k < info->n; k++) free(info->e[k].key);
  free(info->e);
  cJSON_Delete(info->doc);
  free(info);
}

const char *pk_file_info_kind(const pk_file_info *i) { return i ? i->kind : ""; }
const char *pk_file_info_id(const pk_file_info *i) { return i ? i->id : ""; }
const char *pk_file_info_name(const pk_file_info *i) { return i ? i->name : ""; }
const char *pk_file_info_route(const pk_file_info *i) { return i ? i->route : ""; }
const char *pk_file_info_dose_unit(const pk_file_info *i) { return i ? i->dose_unit : ""; }
size_t pk_file_info_param_count(const pk_file_info *i) { return i ? i->n : 0; }

pk_param_info pk_file_info_param(const pk_file_info *i, size_t k) {
  if (!i || k >= i->n) return (pk_param_info){"", 0.0, "", "", 0};
  const entry *e = &i->e[k];
  return (pk_param_info){e->key, e->value, e->unit, e->source, e->assumption};
}
