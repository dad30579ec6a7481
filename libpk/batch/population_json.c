/* population_json.c - reading a population spec (JSON): a "population"
 * block in a scenario file or a file of its own. Keys: docs/population.md. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "json.h"
#include "population_internal.h"

/* Fails at the current path extended by key (NULL: the current path). */
static pk_status fail_key(pk_jctx *c, const char *key, const char *msg) {
  char copy[PK_ERROR_MESSAGE_MAX]; /* msg may be c->err->message */
  snprintf(copy, sizeof copy, "%s", msg);
  size_t len = key ? pk_json_push_key(c, key) : strlen(c->path);
  pk_status st = pk_json_fail(c, "%s", copy);
  if (key) pk_json_pop(c, len);
  return st;
}

/* A number in (lo, hi] at obj.key. */
static pk_status number_in(pk_jctx *c, const cJSON *obj, const char *key, const char *unit,
                           int required, double lo, double hi, double *out) {
  double x = *out;
  pk_status st = pk_json_number(c, obj, key, unit, required, &x);
  if (st != PK_OK || !pk_json_get(obj, key)) return st;
  if (!(x > lo && x <= hi)) {
    char msg[200];
    snprintf(msg, sizeof msg, "expected a number in (%g, %g]%s%s, got %g", lo, hi,
             unit[0] ? " " : "", unit, x);
    return fail_key(c, key, msg);
  }
  *out = x;
  return PK_OK;
}

static pk_status read_parameters(pk_jctx *c, const cJSON *blk, pk_population *p) {
  static const char *const keys[] = {"omega", "cv_percent", "source", "assumption", "note", NULL};
  const cJSON *params = pk_json_get(blk, "parameters");
  if (!params) return PK_OK;
  size_t len = pk_json_push_key(c, "parameters");
  pk_status st = PK_OK;
  if (!cJSON_IsObject(params))
    st = pk_json_fail(c, "expected an object of parameters such as {\"mitragynine.CL\": "
                      "{\"cv_percent\": 40}}, got %s", pk_json_type(params));
  for (const cJSON *it = params->child; it && st == PK_OK; it = it->next) {
    for (const cJSON *o = params->child; o != it && st == PK_OK; o = o->next)
      if (strcmp(o->string, it->string) == 0)
        st = pk_json_fail(c, "key '%s' appears more than once in parameters", it->string);
    if (st != PK_OK) break;
    size_t l2 = pk_json_push_key(c, it->string);
    st = pk_json_check_object(c, it, "a parameter's variability", keys);
    int has_omega = pk_json_get(it, "omega") != NULL, has_cv = pk_json_get(it, "cv_percent") != NULL;
    double omega = NAN, cv = NAN;
    if (st == PK_OK && has_omega == has_cv)
      st = pk_json_fail(c, "give either 'omega' (variance of eta on the log scale) or "
                        "'cv_percent', %s", has_omega ? "not both" : "got neither");
    if (st == PK_OK && has_omega) st = number_in(c, it, "omega", "", 1, 0, 25, &omega);
    if (st == PK_OK && has_cv) {
      st = number_in(c, it, "cv_percent", "%", 1, 0, 1000, &cv);
      omega = log1p(cv / 100 * cv / 100);
    }
    if (st == PK_OK && pk_population_add(p, it->string, omega, c->err) != PK_OK)
      st = fail_key(c, NULL, c->err->message);
    pk_json_pop(c, l2);
  }
  pk_json_pop(c, len);
  return st;
}

static pk_status read_correlations(pk_jctx *c, const cJSON *blk, pk_population *p) {
  static const char *const keys[] = {"between", "r", "covariance", "source", "assumption", "note", NULL};
  const cJSON *arr;
  pk_status st = pk_json_array(c, blk, "correlations", 0, &arr);
  if (st != PK_OK || !arr) return st;
  size_t len = pk_json_push_key(c, "correlations"), i = 0;
  for (const cJSON *it = arr->child; it && st == PK_OK; it = it->next, i++) {
    size_t l2 = pk_json_push_index(c, i);
    st = pk_json_check_object(c, it, "a correlation", keys);
    const cJSON *bt = st == PK_OK ? pk_json_get(it, "between") : NULL;
    if (st == PK_OK && (!cJSON_IsArray(bt) || cJSON_GetArraySize(bt) != 2 ||
                        !cJSON_IsString(bt->child) || !cJSON_IsString(bt->child->next)))
      st = fail_key(c, "between", "expected two parameter names, such as [\"mitragynine.CL\", "
                    "\"mitragynine.V\"]");
    int has_r = st == PK_OK && pk_json_get(it, "r"), has_cov = st == PK_OK && pk_json_get(it, "covariance");
    if (st == PK_OK && has_r == has_cov)
      st = pk_json_fail(c, "give either 'r' (a correlation) or 'covariance' (of the etas), %s",
                        has_r ? "not both" : "got neither");
    double x = NAN;
    if (st == PK_OK) st = pk_json_number(c, it, has_r ? "r" : "covariance", "", 1, &x);
    if (st == PK_OK) {
      const char *a = bt->child->valuestring, *b = bt->child->next->valuestring;
      pk_status s2 = has_r ? pk_population_set_correlation(p, a, b, x, c->err)
                           : pk_population_set_covariance(p, a, b, x, c->err);
      if (s2 != PK_OK) {
        char msg[PK_ERROR_MESSAGE_MAX];
        snprintf(msg, sizeof msg, "%s", c->err->message);
        int on_value = strstr(msg, "expected a") != NULL;
        st = fail_key(c, on_value ? (has_r ? "r" : "covariance") : "between", msg);
      }
    }
    pk_json_pop(c, l2);
  }
  pk_json_pop(c, len);
  return st;
}

static pk_status read_covariates(pk_jctx *c, const cJSON *blk, pk_population *p) {
  static const char *const keys[] = {"weight_kg", "allometry", "note", NULL};
  static const char *const wkeys[] = {"median", "cv_percent", "fixed", "source", "assumption", "note", NULL};
  static const char *const akeys[] = {"reference_kg", "CL", "Q", "V", "Vp", "note", NULL};
  const cJSON *cov = pk_json_get(blk, "covariates");
  if (!cov) return PK_OK;
  size_t len = pk_json_push_key(c, "covariates");
  pk_status st = pk_json_check_object(c, cov, "covariates", keys);
  const cJSON *w = st == PK_OK ? pk_json_get(cov, "weight_kg") : NULL;
  const cJSON *al = st == PK_OK ? pk_json_get(cov, "allometry") : NULL;
  if (st == PK_OK && al && !w)
    st = fail_key(c, "allometry", "allometric scaling needs a body weight; add weight_kg");
  if (st == PK_OK && w) {
    size_t l2 = pk_json_push_key(c, "weight_kg");
    st = pk_json_check_object(c, w, "a weight distribution", wkeys);
    int fixed = pk_json_get(w, "fixed") != NULL;
    double med = NAN, cv = NAN;
    if (st == PK_OK && fixed && (pk_json_get(w, "median") || pk_json_get(w, "cv_percent")))
      st = pk_json_fail(c, "give either 'fixed' or 'median' with 'cv_percent', not both");
    if (st == PK_OK && fixed) st = number_in(c, w, "fixed", "kg", 1, 0, 1000, &med);
    if (st == PK_OK && !fixed) st = number_in(c, w, "median", "kg", 1, 0, 1000, &med);
    if (st == PK_OK && !fixed) st = number_in(c, w, "cv_percent", "%", 1, 0, 500, &cv);
    if (st == PK_OK &&
        pk_population_set_weight(p, fixed ? PK_WEIGHT_FIXED : PK_WEIGHT_LOGNORMAL, med,
                                 cv / 100, c->err) != PK_OK)
      st = fail_key(c, NULL, c->err->message);
    pk_json_pop(c, l2);
  }
  if (st == PK_OK && al) {
    size_t l2 = pk_json_push_key(c, "allometry");
    double ref = 70, e[4] = {0.75, 0.75, 1.0, 1.0};
    static const char *const ek[4] = {"CL", "Q", "V", "Vp"};
    st = pk_json_check_object(c, al, "allometry", akeys);
    if (st == PK_OK) st = number_in(c, al, "reference_kg", "kg", 0, 0, 1000, &ref);
    for (int k = 0; k < 4 && st == PK_OK; k++) {
      st = pk_json_number(c, al, ek[k], "", 0, &e[k]);
      if (st == PK_OK && !(fabs(e[k]) <= 10))
        st = fail_key(c, ek[k], "expected an exponent in [-10, 10]");
    }
    if (st == PK_OK &&
        pk_population_set_allometry(p, ref, e[0], e[1], e[2], e[3], c->err) != PK_OK)
      st = fail_key(c, NULL, c->err->message);
    pk_json_pop(c, l2);
  }
  pk_json_pop(c, len);
  return st;
}

/* Reads the population of a parsed file (takes root); path names it. */
static pk_status load_root(cJSON *root, const char *path, const pk_model *m,
                           pk_population **out, pk_error *err) {
  static const char *const keys[] = {"parameters", "correlations", "covariates", "note", NULL};
  pk_status st = PK_OK;
  pk_jctx c = {.file = path, .err = err};
  pk_population *p = pk_population_new(m);
  if (!p) st = pk_err_nomem(err);
  const cJSON *blk = root;
  size_t len = strlen(c.path);
  if (st == PK_OK && !cJSON_IsObject(root))
    st = pk_json_fail(&c, "the top level must be a JSON object, got %s", pk_json_type(root));
  if (st == PK_OK && pk_json_get(root, "population")) {
    blk = pk_json_get(root, "population");
    len = pk_json_push_key(&c, "population");
  } else if (st == PK_OK && pk_json_get(root, "model")) {
    st = pk_json_fail(&c, "this scenario has no 'population' block; add one or give a "
                      "population file (docs/population.md)");
  }
  if (st == PK_OK) st = pk_json_check_object(&c, blk, "a population", keys);
  if (st == PK_OK && !pk_json_get(blk, "parameters") && !pk_json_get(blk, "covariates"))
    st = pk_json_fail(&c, "a population needs 'parameters' (variability) or 'covariates'");
  if (st == PK_OK) st = read_parameters(&c, blk, p);
  if (st == PK_OK) st = read_correlations(&c, blk, p);
  if (st == PK_OK) st = read_covariates(&c, blk, p);
  if (st == PK_OK && pk_population_prepare(p, err) != PK_OK) {
    char msg[PK_ERROR_MESSAGE_MAX];
    snprintf(msg, sizeof msg, "%s", err->message);
    st = fail_key(&c, pk_json_get(blk, "correlations") ? "correlations" : "parameters", msg);
  }
  pk_json_pop(&c, len);
  cJSON_Delete(root);
  if (st != PK_OK) {
    if (!err->file[0]) snprintf(err->file, sizeof err->file, "%s", path);
    pk_population_free(p);
    return st;
  }
  *out = p;
  return PK_OK;
}

pk_status pk_population_load(const char *path, const pk_model *m, pk_population **out,
                             pk_error *err) {
  pk_error local;
  if (!err) err = &local;
  pk_error_clear(err);
  if (!path || !m || !out)
    return pk_err_set(err, PK_ERR_INVALID, NULL, NULL, "no path, model or output");
  *out = NULL;
  cJSON *root = NULL;
  pk_status st = pk_json_parse_file(path, &root, err);
  return st == PK_OK ? load_root(root, path, m, out, err) : st;
}

pk_status pk_population_load_text(const char *text, size_t len, const char *name,
                                  const pk_model *m, pk_population **out, pk_error *err) {
  pk_error local;
  if (!err) err = &local;
  pk_error_clear(err);
  if (!name) name = "";
  if (!m || !out) return pk_err_set(err, PK_ERR_INVALID, name, NULL, "no model or output");
  *out = NULL;
  cJSON *root = NULL;
  pk_status st = pk_json_parse_text(text, len, name, &root, err);
  return st == PK_OK ? load_root(root, name, m, out, err) : st;
}
