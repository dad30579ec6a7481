/* scenario_set.c - settings given beside a scenario file ("KEY=VALUE", the
 * command line's --set): scenario keys by their key path, set in the JSON
 * document before it is read, and subject settings by the names of sweep
 * axes, applied to the loaded model and regimen. Documented in
 * docs/scenario-format.md#settings. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "scenario_set.h"
#include "target.h"

static const char *const TOP_KEYS[] = {"name",   "description", "model",  "subject",
                                       "run_in_days", "steady_state", "dosing", "output",
                                       "solver", "population", NULL};

/* Splits "KEY=VALUE"; 0, or -1 with err set. */
static int split(const char *text, char *key, size_t n, const char **value, pk_error *err) {
  const char *eq = text ? strchr(text, '=') : NULL;
  if (!eq || eq == text) {
    pk_err_set(err, PK_ERR_INVALID, NULL, NULL,
               "setting '%.200s': expected KEY=VALUE, such as mitragynine.CL=150 or "
               "output.duration_days=7", text ? text : "");
    return -1;
  }
  size_t len = (size_t)(eq - text);
  if (len >= n) {
    pk_err_set(err, PK_ERR_INVALID, NULL, NULL, "setting '%.200s': the key is longer than %zu "
               "characters", text, n - 1);
    return -1;
  }
  memcpy(key, text, len);
  key[len] = '\0';
  *value = eq + 1;
  return 0;
}

int pk_setting_is_path(const char *text) {
  size_t len = strcspn(text, ".[=");
  for (size_t k = 0; TOP_KEYS[k]; k++)
    if (strlen(TOP_KEYS[k]) == len && strncmp(TOP_KEYS[k], text, len) == 0) return 1;
  return 0;
}

/* The JSON value of VALUE: itself if it parses as JSON (a number, true,
 * false, null, a quoted string, an array or an object), else a string. */
static cJSON *value_of(const char *value) {
  const char *end = NULL;
  cJSON *v = cJSON_ParseWithOpts(value, &end, 1);
  if (v) return v;
  return cJSON_CreateString(value);
}

pk_status pk_settings_apply_json(cJSON *root, const char *const *settings, size_t n,
                                 pk_error *err) {
  for (size_t k = 0; k < n; k++) {
    if (!pk_setting_is_path(settings[k])) continue;
    char key[PK_ERROR_PATH_MAX];
    const char *value;
    if (split(settings[k], key, sizeof key, &value, err) != 0) return PK_ERR_INVALID;
    if (strncmp(key, "population", 10) == 0)
      return pk_err_set(err, PK_ERR_INVALID, NULL, key, "setting '%.200s': the population "
                        "block is read by pk population on its own; give its changes in a "
                        "population file instead", settings[k]);
    cJSON *node = root;
    const char *p = key;
    char seg[PK_ERROR_PATH_MAX];
    while (*p) {
      if (*p == '[') { /* an index into an array that exists */
        char *end = NULL;
        errno = 0;
        long i = strtol(p + 1, &end, 10);
        if (!isdigit((unsigned char)p[1]) || errno || *end != ']')
          return pk_err_set(err, PK_ERR_INVALID, NULL, key, "setting '%.200s': expected an "
                            "index such as [0] after '%.*s'", settings[k], (int)(p - key), key);
        int size = cJSON_IsArray(node) ? cJSON_GetArraySize(node) : -1;
        if (size < 0)
          return pk_err_set(err, PK_ERR_INVALID, NULL, key, "setting '%.200s': '%.*s' is not "
                            "an array in the scenario", settings[k], (int)(p - key), key);
        if (i >= size)
          return pk_err_set(err, PK_ERR_INVALID, NULL, key, "setting '%.200s': '%.*s' has %d "
                            "entr%s; expected an index below %d", settings[k], (int)(p - key),
                            key, size, size == 1 ? "y" : "ies", size);
        p = end + 1;
        if (!*p) {
          cJSON_ReplaceItemInArray(node, (int)i, value_of(value));
          break;
        }
        node = cJSON_GetArrayItem(node, (int)i);
        if (*p == '.') p++;
        continue;
      }
      size_t len = strcspn(p, ".[");
      if (len == 0)
        return pk_err_set(err, PK_ERR_INVALID, NULL, key, "setting '%.200s': an empty key in "
                          "the path", settings[k]);
      memcpy(seg, p, len);
      seg[len] = '\0';
      p += len;
      if (!cJSON_IsObject(node))
        return pk_err_set(err, PK_ERR_INVALID, NULL, key, "setting '%.200s': '%.*s' is not an "
                          "object in the scenario", settings[k], (int)(p - key - len - 1), key);
      cJSON *child = cJSON_GetObjectItemCaseSensitive(node, seg);
      if (!*p) { /* the last key: replaced or added */
        cJSON *v = value_of(value);
        if (!v) return pk_err_nomem(err);
        if (child) cJSON_ReplaceItemInObjectCaseSensitive(node, seg, v);
        else cJSON_AddItemToObject(node, seg, v);
        break;
      }
      if (!child) { /* a missing object on the way is made */
        if (*p == '[')
          return pk_err_set(err, PK_ERR_INVALID, NULL, key, "setting '%.200s': the scenario "
                            "has no array '%s'", settings[k], seg);
        child = cJSON_AddObjectToObject(node, seg);
        if (!child) return pk_err_nomem(err);
      }
      node = child;
      if (*p == '.') p++;
    }
  }
  return PK_OK;
}

/* Adds to err's message which setting gave the value it concerns. */
void pk_settings_explain(const char *const *settings, size_t n, pk_error *err) {
  if (!err || err->code == PK_OK || !err->path[0] || strstr(err->message, "setting '"))
    return;
  for (size_t k = 0; k < n; k++) {
    if (!pk_setting_is_path(settings[k])) continue;
    size_t len = strcspn(settings[k], "=");
    if (strncmp(err->path, settings[k], len) == 0 &&
        (err->path[len] == '\0' || err->path[len] == '.' || err->path[len] == '[')) {
      size_t m = strlen(err->message);
      snprintf(err->message + m, sizeof err->message - m, " (the value of the setting "
               "'%.200s')", settings[k]);
      return;
    }
  }
}

pk_status pk_settings_apply_model(pk_model *m, const char *const *settings, size_t n,
                                  double *tol0, double *dose_mult, int *dose_set, pk_error *err) {
  static const unsigned ALL = (1u << PK_TARGET_PARAM) | (1u << PK_TARGET_K_TOL) |
                              (1u << PK_TARGET_PD) | (1u << PK_TARGET_TOL0) |
                              (1u << PK_TARGET_DOSE) | (1u << PK_TARGET_FM) |
                              (1u << PK_TARGET_CONTENT);
  pk_subject_extra extra = pk_subject_extra_default(*tol0);
  for (size_t k = 0; k < n; k++) {
    if (pk_setting_is_path(settings[k])) continue;
    char key[PK_TARGET_NAME_MAX + 64], msg[PK_ERROR_MESSAGE_MAX];
    const char *value;
    if (split(settings[k], key, sizeof key, &value, err) != 0) return PK_ERR_INVALID;
    pk_target t;
    if (pk_target_parse(m, key, ALL, &t, msg, sizeof msg) != 0) {
      /* a key that names nothing loaded may have meant a scenario key */
      int naming = strstr(msg, "no compound") || strstr(msg, "no product") ||
                   strstr(msg, "expected <compound>");
      return pk_err_set(err, PK_ERR_INVALID, NULL, NULL, "setting '%.200s': %s%s", settings[k],
                        msg, naming ? "; or a scenario key path starting with name, "
                        "description, model, subject, run_in_days, steady_state, dosing, "
                        "output or solver (such as dosing[0].dose_g)" : "");
    }
    char *end = NULL;
    errno = 0;
    double x = strtod(value, &end);
    if (!value[0] || *end || errno == ERANGE || !isfinite(x))
      return pk_err_set(err, PK_ERR_INVALID, NULL, NULL, "setting '%.200s': expected a finite "
                        "number for %s, got '%.100s'", settings[k], t.name, value);
    if (t.kind == PK_TARGET_CONTENT) {
      /* set in the model, from which the doses are expanded next (the
       * multiplier for an expanded regimen is not wanted) */
      pk_subject_extra scratch = pk_subject_extra_default(0.0);
      pk_product *p = &m->product[t.product];
      double old = p->content[t.key];
      p->content[t.key] = 1.0; /* any value > 0: only the range is checked */
      int bad = pk_target_apply(m, &scratch, &t, x, msg, sizeof msg) != 0;
      if (bad) p->content[t.key] = old;
      else continue;
    }
    if (t.kind == PK_TARGET_CONTENT || pk_target_apply(m, &extra, &t, x, msg, sizeof msg) != 0)
      return pk_err_set(err, PK_ERR_INVALID, NULL, NULL, "setting '%.200s': %s", settings[k],
                        msg);
    if (t.kind == PK_TARGET_DOSE) *dose_set = 1;
  }
  *tol0 = extra.tol0;
  for (int c = 0; c < PK_MAX_COMPOUNDS; c++) dose_mult[c] = extra.dose_mult[c];
  return PK_OK;
}

pk_status pk_settings_scale_doses(pk_regimen *r, const double *dose_mult, pk_error *err) {
  if (!r) return PK_OK;
  for (size_t k = 0; k < r->n; k++) {
    pk_dose *d = &r->dose[k];
    double f = d->compound >= 0 && d->compound < PK_MAX_COMPOUNDS ? dose_mult[d->compound] : 1.0;
    d->amount_mg *= f;
    d->rate_mg_per_h *= f; /* a rate-defined input keeps its duration */
    if (!(d->amount_mg <= PK_MAX_DOSE_MG && d->rate_mg_per_h <= PK_MAX_DOSE_MG))
      return pk_err_set(err, PK_ERR_INVALID, NULL, NULL, "a dose multiplier setting makes a "
                        "dose of %g mg (or %g mg/h); at most %g mg", d->amount_mg,
                        d->rate_mg_per_h, PK_MAX_DOSE_MG);
  }
  return PK_OK;
}
