/* scenario.c - reading a scenario file: model files, subject, dosing (times of
 * day over day ranges, step tapers, product doses), output grid and solver.
 * Every key is documented in docs/scenario-format.md. */
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "json.h"
#include "model_load.h"
#include "scenario_set.h"
#include "scenario_taper.h"

struct pk_scenario {
  char *name, *description;
  pk_model *model;
  pk_regimen *regimen;
  pk_regimen *history; /* steady-state regimen, or NULL */
  pk_sim_options options;
  pk_scenario_tapers tapers; /* taper generators, and the first entry for pk taper */
  char **files;    /* the model files read, as opened */
  size_t n_files;
  int dose_scaled; /* a dose multiplier setting scaled the doses */
  int compound_file[PK_MAX_COMPOUNDS]; /* index in files of each compound's file */
  pk_error *warnings; /* what loads but looks like a mistake (pk_scenario_warning) */
  size_t n_warnings;
};

/* Records a warning of the given kind at the current key path extended by
 * key (NULL: the path itself). Fails only when out of memory. */
static pk_status warn(pk_scenario *s, pk_jctx *c, const char *key, pk_status kind,
                      const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static pk_status warn(pk_scenario *s, pk_jctx *c, const char *key, pk_status kind,
                      const char *fmt, ...) {
  size_t len = key ? pk_json_push_key(c, key) : strlen(c->path);
  va_list ap;
  va_start(ap, fmt);
  pk_status st = pk_warning_vadd(&s->warnings, &s->n_warnings, kind, c->file, c->path, NULL,
                                 fmt, ap);
  va_end(ap);
  pk_json_pop(c, len);
  return st == PK_OK ? PK_OK : pk_err_nomem(c->err);
}

/* What a dosing entry gives, and how its amounts are counted. */
typedef struct dose_spec {
  int product;  /* product index or -1 */
  int compound; /* compound index or -1 */
  pk_route route;
  const char *amount_key, *step_key, *unit; /* dose_g/step_g/"g", dose_units/..., dose_mg/... */
  /* record options of a times_h entry (as in an event dataset) */
  double interval_h;  /* II */
  int additional;     /* ADDL: doses repeated every interval_h after each time */
  int ss;             /* 0, 1 or 2 */
  int reset;          /* reset before each of the entry's doses */
  double duration_h, rate_mg_per_h; /* zero-order input of a compound */
} dose_spec;

/* Where the doses of an entry go: the scenario's regimen (times within the
 * simulated days) or the steady-state history (times within one period). */
typedef struct dose_target {
  pk_regimen *r;
  int history;
  double days;     /* simulated days */
  double period_h; /* history period */
} dose_target;

static char *dup_str(const char *s) {
  char *d = malloc(strlen(s) + 1);
  if (d) strcpy(d, s);
  return d;
}

/* Directory part of path, with a trailing slash ("" for none). */
static char *dir_of(const char *path) {
  const char *slash = strrchr(path, '/');
  size_t n = slash ? (size_t)(slash - path) + 1 : 0;
  char *d = malloc(n + 1);
  if (d) {
    memcpy(d, path, n);
    d[n] = '\0';
  }
  return d;
}

/* base_dir with a trailing slash ("" stays ""). */
static char *dir_with_slash(const char *base_dir) {
  size_t n = strlen(base_dir);
  int add = n > 0 && base_dir[n - 1] != '/';
  char *d = malloc(n + 2);
  if (d) snprintf(d, n + 2, "%s%s", base_dir, add ? "/" : "");
  return d;
}

/* Without a receptor file the scenario runs with no adaptation and no
 * withdrawal (tol and W 0 throughout), and without a compound that binds
 * the receptor with occupancy and E 0 too: legal (a PK-only model), but
 * more often a file left out of 'model'. */
static pk_status warn_receptor(pk_scenario *s, pk_jctx *c) {
  const pk_model *m = s->model;
  if (!m->has_receptor)
    return warn(s, c, "model", PK_WARN_RECEPTOR,
                "no receptor file among the model files: no adaptation or withdrawal, tol "
                "and W stay 0 throughout (occupancy and E come from the compounds' K and "
                "tau); add one such as receptors/mu-opioid.json");
  for (int i = 0; i < m->n_compounds; i++)
    if (m->compound[i].binds_receptor) return PK_OK;
  return warn(s, c, "model", PK_WARN_RECEPTOR,
              "no compound binds the receptor (none has K, or kon and koff): occupancy, E, tol "
              "and W stay 0 throughout");
}

/* Model paths are relative to base_dir, or without one to the scenario
 * file's directory. */
static pk_status load_models(pk_scenario *s, pk_jctx *c, const cJSON *root,
                             const char *base_dir) {
  const cJSON *arr;
  pk_status st = pk_json_array(c, root, "model", 1, &arr);
  if (st != PK_OK) return st;
  int n = cJSON_GetArraySize(arr);
  if (n == 0)
    return pk_json_fail_at(c, "model", "'model' is empty; list compound, receptor and product files");
  cJSON **docs = calloc((size_t)n, sizeof *docs);
  char **paths = calloc((size_t)n, sizeof *paths);
  char *dir = base_dir ? dir_with_slash(base_dir) : dir_of(c->file);
  if (!docs || !paths || !dir) st = pk_err_nomem(c->err);
  size_t len = pk_json_push_key(c, "model");
  int i = 0;
  for (const cJSON *it = arr->child; it && st == PK_OK; it = it->next, i++) {
    size_t l2 = pk_json_push_index(c, (size_t)i);
    if (!cJSON_IsString(it) || !it->valuestring[0]) {
      st = pk_json_fail(c, "expected a model file path (a non-empty string), got %s",
                        cJSON_IsString(it) ? "an empty string" : pk_json_type(it));
    } else {
      const char *p = it->valuestring;
      size_t need = strlen(dir) + strlen(p) + 1;
      paths[i] = malloc(need);
      if (!paths[i]) st = pk_err_nomem(c->err);
      else {
        snprintf(paths[i], need, "%s%s", p[0] == '/' ? "" : dir, p);
        if ((st = pk_json_parse_file(paths[i], &docs[i], c->err)) != PK_OK &&
            c->err->message[0] && st == PK_ERR_IO) {
          size_t used = strlen(c->err->message);
          snprintf(c->err->message + used, sizeof c->err->message - used,
                   " (model file named in %s at %s)", c->file, c->path);
        }
      }
    }
    pk_json_pop(c, l2);
  }
  pk_json_pop(c, len);
  for (int pass = PK_LOAD_COMPOUNDS; pass <= PK_LOAD_PRODUCTS && st == PK_OK; pass++)
    for (i = 0; i < n && st == PK_OK; i++) {
      int before = s->model->n_compounds;
      st = pk_model_load_json(s->model, docs[i], paths[i], pass, c->err);
      for (int k = before; k < s->model->n_compounds; k++) s->compound_file[k] = i;
    }
  if (st == PK_OK && s->model->n_compounds == 0)
    st = pk_json_fail_at(c, "model", "the model files name no compound; expected at least one file "
                 "of kind \"compound\"");
  for (i = 0; docs && i < n; i++) cJSON_Delete(docs[i]);
  free(docs);
  free(dir);
  s->files = paths; /* kept for pk_scenario_file */
  s->n_files = paths ? (size_t)n : 0;
  if (st == PK_OK) st = warn_receptor(s, c);
  return st;
}

static pk_status load_subject(pk_scenario *s, pk_jctx *c, const cJSON *root) {
  static const char *const keys[] = {"initial_tol", "overrides", "note", NULL};
  const cJSON *subj = pk_json_get(root, "subject");
  if (!subj) return PK_OK;
  size_t len = pk_json_push_key(c, "subject");
  pk_status st = pk_json_check_object(c, subj, "subject", keys);
  if (st == PK_OK) st = pk_json_number(c, subj, "initial_tol", "", 0, &s->options.tol0);
  if (st == PK_OK && s->options.tol0 < 0) {
    size_t l2 = pk_json_push_key(c, "initial_tol");
    st = pk_json_fail(c, "the initial adaptation level must be >= 0, got %g", s->options.tol0);
    pk_json_pop(c, l2);
  }
  const cJSON *ov = pk_json_get(subj, "overrides");
  if (st == PK_OK && ov) {
    size_t l2 = pk_json_push_key(c, "overrides");
    if (!cJSON_IsObject(ov))
      st = pk_json_fail(c, "expected an object mapping compound names to parameters, got %s",
                        pk_json_type(ov));
    for (const cJSON *it = ov->child; it && st == PK_OK; it = it->next) {
      size_t l3 = pk_json_push_key(c, it->string);
      int i = pk_model_find_compound(s->model, it->string);
      int prod = i < 0 ? pk_model_find_product(s->model, it->string) : -1;
      for (const cJSON *jt = ov->child; prod >= 0 && jt != it && st == PK_OK; jt = jt->next)
        if (strcmp(jt->string, it->string) == 0)
          st = pk_json_fail(c, "key '%s' appears more than once in overrides", it->string);
      if (prod >= 0) {
        if (st == PK_OK) st = pk_model_apply_product_overrides(s->model, prod, c, it);
        pk_json_pop(c, l3);
        continue;
      }
      if (i < 0) {
        char dym[PK_NAME_MAX + 32];
        pk_model_suggest_compound(s->model, it->string, dym, sizeof dym);
        st = pk_json_fail(c, "no compound or product '%s' in the model files; expected the id "
                          "or name of a loaded compound, or the id of a loaded product%s",
                          it->string, dym);
      }
      for (const cJSON *jt = ov->child; jt != it && st == PK_OK; jt = jt->next)
        if (strcmp(jt->string, it->string) == 0)
          st = pk_json_fail(c, "key '%s' appears more than once in overrides", it->string);
        else if (pk_model_find_compound(s->model, jt->string) == i)
          st = pk_json_fail(c, "compound '%s' is overridden twice (as '%s' and '%s'); give "
                            "each compound one entry", s->model->compound[i].name, jt->string,
                            it->string);
      if (st == PK_OK) st = pk_model_apply_overrides(s->model, i, c, it);
      pk_json_pop(c, l3);
    }
    pk_json_pop(c, l2);
  }
  pk_json_pop(c, len);
  return st;
}

static pk_status load_output(pk_scenario *s, pk_jctx *c, const cJSON *root, double *days) {
  static const char *const keys[] = {"duration_days", "step_h", "amounts", NULL};
  const cJSON *out = pk_json_get(root, "output");
  if (!out) return pk_json_fail(c, "missing key 'output' (an object with duration_days and step_h)");
  size_t len = pk_json_push_key(c, "output");
  pk_status st = pk_json_check_object(c, out, "output", keys);
  double step = 1.0;
  if (st == PK_OK) st = pk_json_number(c, out, "duration_days", "days", 1, days);
  if (st == PK_OK && !(*days > 0 && *days <= 36500)) {
    size_t l2 = pk_json_push_key(c, "duration_days");
    st = pk_json_fail(c, "expected a duration in (0, 36500] days, got %g", *days);
    pk_json_pop(c, l2);
  }
  if (st == PK_OK) st = pk_json_number(c, out, "step_h", "h", 0, &step);
  if (st == PK_OK && !(step > 0 && step <= *days * 24)) {
    size_t l2 = pk_json_push_key(c, "step_h");
    st = pk_json_fail(c, "expected an output step in (0, duration] h, got %g", step);
    pk_json_pop(c, l2);
  }
  if (st == PK_OK && *days * 24 / step > 1e8) {
    size_t l2 = pk_json_push_key(c, "step_h");
    st = pk_json_fail(c, "%g h over %g days is more than 1e8 output rows; expected a larger "
                      "step", step, *days);
    pk_json_pop(c, l2);
  }
  const cJSON *am = pk_json_get(out, "amounts");
  if (st == PK_OK && am) {
    if (!cJSON_IsBool(am)) {
      size_t l2 = pk_json_push_key(c, "amounts");
      st = pk_json_fail(c, "expected true or false, got %s", pk_json_type(am));
      pk_json_pop(c, l2);
    } else {
      s->options.include_amounts = cJSON_IsTrue(am);
    }
  }
  pk_json_pop(c, len);
  s->options.output_start_h = 0.0;
  s->options.t_end_h = *days * 24.0;
  s->options.output_step_h = step;
  return st;
}

static pk_status load_solver(pk_scenario *s, pk_jctx *c, const cJSON *root) {
  static const char *const keys[] = {"path", "method", "rtol", "atol", "quad_tol", NULL};
  const cJSON *sv = pk_json_get(root, "solver");
  if (!sv) return PK_OK;
  size_t len = pk_json_push_key(c, "solver");
  pk_status st = pk_json_check_object(c, sv, "solver", keys);
  const char *method = NULL, *path = NULL;
  if (st == PK_OK) st = pk_json_string(c, sv, "path", 0, &path);
  if (st == PK_OK && path) {
    if (strcmp(path, "auto") == 0) s->options.solver = PK_SOLVER_AUTO;
    else if (strcmp(path, "exact") == 0) s->options.solver = PK_SOLVER_EXACT;
    else if (strcmp(path, "ode") == 0) s->options.solver = PK_SOLVER_ODE;
    else st = pk_json_fail_at(c, "path", "unknown solver path '%s'; expected auto, exact or ode", path);
  }
  if (st == PK_OK) st = pk_json_string(c, sv, "method", 0, &method);
  if (st == PK_OK && method) {
    if (strcmp(method, "rk8pd") == 0) s->options.method = PK_ODE_RK8PD;
    else if (strcmp(method, "msbdf") == 0) s->options.method = PK_ODE_MSBDF;
    else if (strcmp(method, "rkf45") == 0) s->options.method = PK_ODE_RKF45;
    else {
      size_t l2 = pk_json_push_key(c, "method");
      st = pk_json_fail(c, "unknown method '%s'; expected rk8pd, msbdf or rkf45", method);
      pk_json_pop(c, l2);
    }
  }
  if (st == PK_OK) st = pk_json_number(c, sv, "rtol", "", 0, &s->options.rtol);
  if (st == PK_OK && !(s->options.rtol >= PK_RTOL_MIN && s->options.rtol <= PK_RTOL_MAX)) {
    size_t l2 = pk_json_push_key(c, "rtol");
    st = pk_json_fail(c, "expected a relative tolerance in [%g, %g], got %g", PK_RTOL_MIN,
                      PK_RTOL_MAX, s->options.rtol);
    pk_json_pop(c, l2);
  }
  if (st == PK_OK) st = pk_json_number(c, sv, "atol", "", 0, &s->options.atol);
  if (st == PK_OK && !(s->options.atol > 0 && s->options.atol <= PK_ATOL_MAX)) {
    size_t l2 = pk_json_push_key(c, "atol");
    st = pk_json_fail(c, "expected an absolute tolerance in (0, %g] (umol, nM and fractions: "
                      "the states' units), got %g", PK_ATOL_MAX, s->options.atol);
    pk_json_pop(c, l2);
  }
  if (st == PK_OK) st = pk_json_number(c, sv, "quad_tol", "", 0, &s->options.quad_tol);
  if (st == PK_OK && !(s->options.quad_tol >= 1e-15 && s->options.quad_tol <= 1e-6)) {
    size_t l2 = pk_json_push_key(c, "quad_tol");
    st = pk_json_fail(c, "expected a quadrature error bound in [1e-15, 1e-6] per hour, got %g",
                      s->options.quad_tol);
    pk_json_pop(c, l2);
  }
  pk_json_pop(c, len);
  return st;
}

/* At most MAX_DOSES doses in the regimen (and as many in the history): a
 * short file asking for many (times_h with "additional", clock times over a
 * century, long run-ins) would otherwise take gigabytes. n: doses so far. */
enum { MAX_DOSES = 1000000 };
static pk_status check_dose_count(pk_jctx *c, size_t n) {
  if (n < MAX_DOSES) return PK_OK;
  return pk_json_fail(c, "more than %d doses in the scenario; expected fewer times, days, "
                      "additional doses or run-in days", MAX_DOSES);
}

/* Adds one dose of what spec names. A product dose becomes one dose per
 * contained compound: 1000 * g * w mg for products dosed in g, units * mg per
 * unit, or for patches units * mg/h * release time delivered over the release
 * time; with the product's route and absorption. */
static pk_status add_dose(pk_scenario *s, pk_jctx *c, const dose_spec *d, pk_regimen *r,
                          double t_h, double amount) {
  pk_status st = check_dose_count(c, r->n);
  if (st != PK_OK) return st;
  pk_dose dose = pk_dose_default();
  dose.t_h = t_h;
  dose.ss = d->ss;
  dose.ii_h = d->ss ? d->interval_h : 0.0;
  dose.reset = d->reset;
  if (d->compound >= 0) {
    dose.compound = d->compound;
    dose.route = d->route;
    dose.amount_mg = amount;
    dose.duration_h = d->duration_h;
    dose.rate_mg_per_h = d->rate_mg_per_h;
    return pk_regimen_add(r, &dose, c->err);
  }
  const pk_product *p = &s->model->product[d->product];
  dose.product = d->product;
  st = pk_product_add_dose(p, &dose, amount, r, c->err);
  return st;
}

static int is_whole(double x) { return x == floor(x); }

/* Reads what an entry doses: product or compound, route, and the keys its
 * amounts go by. */
static pk_status read_dose_spec(pk_scenario *s, pk_jctx *c, const cJSON *e, dose_spec *d) {
  const char *prod = NULL, *comp = NULL, *route = NULL;
  pk_status st;
  if ((st = pk_json_string(c, e, "product", 0, &prod)) != PK_OK ||
      (st = pk_json_string(c, e, "compound", 0, &comp)) != PK_OK ||
      (st = pk_json_string(c, e, "route", 0, &route)) != PK_OK)
    return st;
  if (!prod == !comp)
    return pk_json_fail(c, "give exactly one of 'product' (dosed in its dose unit) or "
                        "'compound' (dosed in mg)");
  *d = (dose_spec){.product = -1, .compound = -1, .route = PK_ROUTE_ORAL,
                   .amount_key = "dose_mg", .step_key = "step_mg", .unit = "mg"};
  if (prod) {
    if ((d->product = pk_model_find_product(s->model, prod)) < 0) {
      const char *ids[PK_MAX_PRODUCTS];
      char dym[PK_ID_MAX + 32];
      for (int k = 0; k < s->model->n_products; k++) ids[k] = s->model->product[k].id;
      pk_suggest_suffix(prod, ids, (size_t)s->model->n_products, dym, sizeof dym);
      return pk_json_fail_at(c, "product", "no product '%s' in the model files; expected the id of a "
                     "loaded product%s", prod, dym);
    }
    const char *unit = pk_model_product_dose_unit(s->model, d->product);
    int grams = strcmp(unit, "g") == 0;
    d->amount_key = grams ? "dose_g" : "dose_units";
    d->step_key = grams ? "step_g" : "step_units";
    d->unit = grams ? "g" : unit;
    if (route) return pk_json_fail_at(c, "route", "a product's route is set in its product file");
  } else {
    if ((d->compound = pk_model_find_compound(s->model, comp)) < 0) {
      char dym[PK_NAME_MAX + 32];
      pk_model_suggest_compound(s->model, comp, dym, sizeof dym);
      return pk_json_fail_at(c, "compound", "no compound '%s' in the model files; expected the id or "
                     "name of a loaded compound%s", comp, dym);
    }
    if (route && strcmp(route, "iv") == 0) d->route = PK_ROUTE_IV;
    else if (route && strcmp(route, "oral") != 0)
      return pk_json_fail_at(c, "route", "unknown route '%s'; expected \"oral\" or \"iv\" (other "
                     "routes come with a product file)", route);
  }
  static const char *const amount_keys[] = {"dose_g", "dose_units", "dose_mg"};
  for (size_t k = 0; k < 3; k++)
    if (strcmp(amount_keys[k], d->amount_key) != 0 && pk_json_get(e, amount_keys[k]))
      return pk_json_fail_at(c, amount_keys[k], "this %s is dosed with '%s' (%s)",
                     prod ? "product" : "compound", d->amount_key, d->unit);
  return PK_OK;
}

/* Checks and returns the entry's amount per dose. */
static pk_status read_amount(pk_jctx *c, const cJSON *e, const dose_spec *d, double *amount) {
  pk_status st = pk_json_number(c, e, d->amount_key, d->unit, 1, amount);
  if (st == PK_OK && !(*amount > 0))
    st = pk_json_fail_at(c, d->amount_key, "a dose must be > 0 %s, got %g", d->unit, *amount);
  return st;
}

/* Whether mg of compound i in one dose is above its file's
 * max_plausible_dose: far above any published use, most often a slip of
 * unit (3000 g meant as mg). */
static int implausible(const pk_scenario *s, int i, double mg) {
  return s->model->max_dose_mg[i] > 0 && mg > s->model->max_dose_mg[i];
}

/* The warning for the entry's dose: one per entry, for compound i. */
static pk_status warn_dose(pk_scenario *s, pk_jctx *c, const dose_spec *d, double amount,
                           int i, double mg) {
  const pk_compound_params *p = &s->model->compound[i];
  char what[PK_NAME_MAX * 3 + 64];
  if (d->product >= 0)
    snprintf(what, sizeof what, "%g %s of %s carries %.6g mg of %s per dose", amount, d->unit,
             s->model->product[d->product].id, mg, p->name);
  else
    snprintf(what, sizeof what, "%.6g mg of %s per dose", mg, p->name);
  return warn(s, c, d->amount_key, PK_WARN_DOSE,
              "%s, far above any published use: more than %g mg, the max_plausible_dose of "
              "%s, which cites its source; check the unit: '%s' is in %s",
              what, s->model->max_dose_mg[i], s->files[s->compound_file[i]], d->amount_key,
              d->unit);
}

/* A product's amount must make doses of finite mg (1e308 g does not): tried
 * once here, so that the message names the amount's key. Compound amounts
 * are mg already. Either way the mg per dose are checked against each
 * compound's max_plausible_dose. */
static pk_status check_dose_mg(pk_scenario *s, pk_jctx *c, const dose_spec *d, double amount) {
  if (d->product < 0)
    return implausible(s, d->compound, amount) ? warn_dose(s, c, d, amount, d->compound, amount)
                                               : PK_OK;
  pk_regimen *r = pk_regimen_new();
  if (!r) return pk_err_nomem(c->err);
  const pk_product *p = &s->model->product[d->product];
  pk_dose base = pk_dose_default();
  pk_status st = pk_product_add_dose(p, &base, amount, r, c->err);
  if (st != PK_OK && st != PK_ERR_NOMEM) {
    char msg[PK_ERROR_MESSAGE_MAX];
    snprintf(msg, sizeof msg, "%s", c->err->message);
    st = pk_json_fail_at(c, d->amount_key, "%g %s of %s: %s; expected a smaller dose", amount,
                         d->unit, p->id, msg);
  }
  for (size_t k = 0; k < r->n && st == PK_OK; k++)
    if (implausible(s, r->dose[k].compound, r->dose[k].amount_mg)) {
      st = warn_dose(s, c, d, amount, r->dose[k].compound, r->dose[k].amount_mg);
      break;
    }
  pk_regimen_free(r);
  return st;
}

/* "times_h": absolute times (hours from day 1 00:00), or for the history
 * times within its period. */
static pk_status expand_times(pk_scenario *s, pk_jctx *c, const cJSON *times, const dose_spec *d,
                              const dose_target *tg, double amount) {
  if (!times->child) return pk_json_fail_at(c, "times_h", "'times_h' is empty; expected times in h");
  double t_hi = tg->history ? tg->period_h : tg->days * 24.0;
  pk_status st = PK_OK;
  size_t len = pk_json_push_key(c, "times_h"), i = 0;
  for (const cJSON *it = times->child; it && st == PK_OK; it = it->next, i++) {
    size_t l2 = pk_json_push_index(c, i);
    double t = cJSON_IsNumber(it) ? it->valuedouble : NAN;
    if (!isfinite(t))
      st = pk_json_fail(c, "expected a time in h, got %s", pk_json_type(it));
    else if (tg->history && !(t >= 0 && t < t_hi))
      st = pk_json_fail(c, "expected a time within the steady-state period [0, %g) h, got %g",
                        t_hi, t);
    else if (t < 0)
      st = pk_json_fail(c, "dose in the past: t = %g h is before the start of the simulation "
                        "(t = 0 h, day 1 at 00:00)", t);
    else if (t + d->additional * d->interval_h > t_hi)
      st = pk_json_fail(c, "dose at t = %g h is after the end of the simulation (%g h)",
                        t + d->additional * d->interval_h, t_hi);
    /* repeats at t + k * interval, by multiplication (no drift) */
    for (int k = 0; st == PK_OK && k <= d->additional; k++) {
      dose_spec one = *d;
      if (k > 0) one.ss = 0, one.reset = 0;
      st = add_dose(s, c, &one, tg->r, t + k * d->interval_h, amount);
    }
    pk_json_pop(c, l2);
  }
  pk_json_pop(c, len);
  return st;
}

static pk_status check_clock_times(pk_jctx *c, const cJSON *tod) {
  if (!tod->child) return pk_json_fail_at(c, "times_of_day_h", "'times_of_day_h' is empty");
  pk_status st = PK_OK;
  size_t len = pk_json_push_key(c, "times_of_day_h"), i = 0;
  for (const cJSON *it = tod->child; it && st == PK_OK; it = it->next, i++) {
    size_t l2 = pk_json_push_index(c, i);
    if (!cJSON_IsNumber(it))
      st = pk_json_fail(c, "expected a clock time in [0, 24) h, got %s", pk_json_type(it));
    else if (!(it->valuedouble >= 0 && it->valuedouble < 24))
      st = pk_json_fail(c, "expected a clock time in [0, 24) h, got %g", it->valuedouble);
    pk_json_pop(c, l2);
  }
  pk_json_pop(c, len);
  return st;
}

static pk_status read_days(pk_jctx *c, const cJSON *dayr, double days, double *first,
                           double *last) {
  if (!dayr) return pk_json_fail(c, "missing key 'days' ([first, last], 1-based, inclusive)");
  pk_status st = PK_OK;
  size_t len = pk_json_push_key(c, "days");
  if (cJSON_GetArraySize(dayr) != 2 || !cJSON_IsNumber(dayr->child) ||
      !cJSON_IsNumber(dayr->child->next)) {
    st = pk_json_fail(c, "expected [first, last] day numbers");
  } else {
    *first = dayr->child->valuedouble;
    *last = dayr->child->next->valuedouble;
    if (!is_whole(*first) || !is_whole(*last) || *first > *last)
      st = pk_json_fail(c, "expected whole day numbers with first <= last, got [%g, %g]", *first,
                        *last);
    else if (*first < 1)
      st = pk_json_fail(c, "dose in the past: day %g is before day 1, the first simulated day",
                        *first);
    else if (*last > days)
      st = pk_json_fail(c, "day %g is after the last simulated day (%g)", *last, days);
  }
  pk_json_pop(c, len);
  return st;
}

typedef struct taper_spec {
  double step, every, start;
} taper_spec;

static pk_status read_taper(pk_jctx *c, const cJSON *taper, const dose_spec *d, double amount,
                            double first, double last, taper_spec *t) {
  static const char *const tkeys[] = {"step_g", "step_units", "step_mg", "every_days",
                                      "start_day", "kind", NULL};
  t->start = first;
  size_t len = pk_json_push_key(c, "taper");
  pk_status st = pk_json_check_object(c, taper, "a taper", tkeys);
  for (size_t k = 0; k < 3 && st == PK_OK; k++)
    if (strcmp(tkeys[k], d->step_key) != 0 && pk_json_get(taper, tkeys[k]))
      st = pk_json_fail_at(c, tkeys[k], "the taper step of this entry is '%s' (%s)", d->step_key,
                   d->unit);
  if (st == PK_OK) st = pk_json_number(c, taper, d->step_key, d->unit, 1, &t->step);
  if (st == PK_OK) st = pk_json_number(c, taper, "every_days", "days", 1, &t->every);
  if (st == PK_OK) st = pk_json_number(c, taper, "start_day", "", 0, &t->start);
  if (st == PK_OK && !(t->step > 0 && t->step <= amount))
    st = pk_json_fail_at(c, d->step_key, "expected a step in (0, %g] %s (the dose), got %g", amount,
                 d->unit, t->step);
  if (st == PK_OK && !(t->every >= 1 && is_whole(t->every)))
    st = pk_json_fail_at(c, "every_days", "expected a whole number of days >= 1, got %g", t->every);
  if (st == PK_OK && !(is_whole(t->start) && t->start >= first && t->start <= last))
    st = pk_json_fail_at(c, "start_day", "expected a whole day in [%g, %g] (the entry's days), got %g",
                 first, last, t->start);
  pk_json_pop(c, len);
  return st;
}

/* Clock times over a day range, with an optional step taper; for the
 * history, clock times on every day of the period. */
static pk_status expand_clock(pk_scenario *s, pk_jctx *c, const cJSON *e, const cJSON *tod,
                              const dose_spec *d, const dose_target *tg, double amount) {
  pk_status st = check_clock_times(c, tod);
  if (st != PK_OK) return st;
  const cJSON *dayr = pk_json_get(e, "days"), *taper = pk_json_get(e, "taper");
  double first = 1, last = 1;
  taper_spec tp = {0};
  if (tg->history) {
    if (dayr || taper)
      return pk_json_fail(c, "a steady-state entry repeats every period: no 'days' or 'taper'");
    if (!is_whole(tg->period_h / 24.0))
      return pk_json_fail_at(c, "times_of_day_h", "clock times need a period of whole days, the "
                     "period is %g h; use times_h", tg->period_h);
    last = tg->period_h / 24.0;
  } else {
    if ((st = read_days(c, dayr, tg->days, &first, &last)) != PK_OK) return st;
    pk_scenario_dose sd = {d->product, d->compound, d->route, d->amount_key + 5, d->unit, amount};
    if ((st = pk_scenario_taper_note(c, &s->tapers, tod, taper, &sd, (int)first)) != PK_OK)
      return st;
    if (taper && pk_scenario_taper_is_generator(taper))
      return pk_scenario_taper_entry(c, &s->tapers, s->model, &s->options, tod, taper, &sd,
                                     (int)first, (int)last, tg->r);
    if (taper && (st = read_taper(c, taper, d, amount, first, last, &tp)) != PK_OK) return st;
  }
  for (double day = first; day <= last && st == PK_OK; day++) {
    double level = amount;
    if (taper && day >= tp.start) level = amount - tp.step * floor((day - tp.start) / tp.every);
    if (level <= 1e-9 * amount) break; /* the taper has reached zero */
    for (const cJSON *it = tod->child; it && st == PK_OK; it = it->next)
      st = add_dose(s, c, d, tg->r, (day - 1) * 24.0 + it->valuedouble, level);
  }
  return st;
}

/* Whole number in [lo, hi] at key (absent: *out unchanged). */
static pk_status read_count(pk_jctx *c, const cJSON *e, const char *key, double lo, double hi,
                            int *out) {
  double v = *out;
  pk_status st = pk_json_number(c, e, key, "", 0, &v);
  if (st == PK_OK && !(is_whole(v) && v >= lo && v <= hi))
    st = pk_json_fail_at(c, key, "expected a whole number in [%g, %g], got %g", lo, hi, v);
  if (st == PK_OK) *out = (int)v;
  return st;
}

/* The options an event-dataset record has (II, ADDL, SS, reset, RATE and
 * duration), for entries with times_h: the same checks as for a dataset. */
static pk_status read_record_options(pk_jctx *c, const cJSON *e, const dose_target *tg,
                                     dose_spec *d) {
  d->interval_h = 0.0;
  d->additional = d->ss = d->reset = 0;
  d->duration_h = d->rate_mg_per_h = 0.0;
  static const char *const rec[] = {"interval_h", "additional", "steady_state", "reset",
                                    "duration_h", "rate_mg_per_h"};
  int any = 0;
  for (size_t k = 0; k < 6; k++) any |= pk_json_get(e, rec[k]) != NULL;
  if (!any) return PK_OK;
  if (!pk_json_get(e, "times_h") || tg->history)
    return pk_json_fail(c, "interval_h, additional, steady_state, reset, duration_h and "
                        "rate_mg_per_h go with 'times_h' in 'dosing'");
  const cJSON *rs = pk_json_get(e, "reset");
  if (rs && !cJSON_IsBool(rs)) return pk_json_fail_at(c, "reset", "expected true or false");
  d->reset = rs && cJSON_IsTrue(rs);
  pk_status st = pk_json_number(c, e, "interval_h", "h", 0, &d->interval_h);
  if (st == PK_OK && !(d->interval_h >= 0))
    st = pk_json_fail_at(c, "interval_h", "expected an interval >= 0 h, got %g", d->interval_h);
  if (st == PK_OK) st = read_count(c, e, "additional", 0, 100000, &d->additional);
  if (st == PK_OK) st = read_count(c, e, "steady_state", 0, 2, &d->ss);
  if (st == PK_OK && (d->additional || d->ss) && !(d->interval_h > 0))
    st = pk_json_fail_at(c, d->additional ? "additional" : "steady_state",
                 "needs 'interval_h' > 0 (the dosing interval)");
  if (st == PK_OK && d->interval_h > 0 && !d->additional && !d->ss)
    st = pk_json_fail_at(c, "interval_h", "an interval goes with 'additional' or 'steady_state'");
  if (st == PK_OK) st = pk_json_number(c, e, "duration_h", "h", 0, &d->duration_h);
  if (st == PK_OK) st = pk_json_number(c, e, "rate_mg_per_h", "mg/h", 0, &d->rate_mg_per_h);
  if (st == PK_OK && (d->duration_h != 0 || d->rate_mg_per_h != 0) && d->compound < 0)
    st = pk_json_fail(c, "a product's input duration is its release_h; duration_h and "
                      "rate_mg_per_h are for compound entries");
  if (st == PK_OK && !(d->duration_h >= 0 && d->rate_mg_per_h >= 0))
    st = pk_json_fail(c, "duration_h and rate_mg_per_h must be >= 0");
  if (st == PK_OK && d->duration_h > 0 && d->rate_mg_per_h > 0)
    st = pk_json_fail(c, "give duration_h or rate_mg_per_h, not both");
  return st;
}

/* One entry of "dosing" (or of the steady-state history). */
static pk_status load_dose_entry(pk_scenario *s, pk_jctx *c, const cJSON *e,
                                 const dose_target *tg) {
  static const char *const keys[] = {
      "product",  "compound", "dose_g",     "dose_units",     "dose_mg",    "route",
      "times_h",  "times_of_day_h", "days", "taper",          "interval_h", "additional",
      "steady_state", "reset", "duration_h", "rate_mg_per_h", "note",       NULL};
  pk_status st = pk_json_check_object(c, e, "a dosing entry", keys);
  dose_spec d;
  double amount = NAN;
  if (st == PK_OK) st = read_dose_spec(s, c, e, &d);
  if (st == PK_OK) st = read_amount(c, e, &d, &amount);
  if (st == PK_OK) st = check_dose_mg(s, c, &d, amount);
  if (st == PK_OK) st = read_record_options(c, e, tg, &d);
  if (st != PK_OK) return st;
  const cJSON *times, *tod;
  if ((st = pk_json_array(c, e, "times_h", 0, &times)) != PK_OK ||
      (st = pk_json_array(c, e, "times_of_day_h", 0, &tod)) != PK_OK)
    return st;
  if (!times == !tod)
    return pk_json_fail(c, "give either 'times_h' (hours from the start) or 'times_of_day_h' "
                        "with 'days'");
  if (times && (pk_json_get(e, "days") || pk_json_get(e, "taper")))
    return pk_json_fail(c, "'days' and 'taper' go with 'times_of_day_h', not with 'times_h'");
  if (times) return expand_times(s, c, times, &d, tg, amount);
  return expand_clock(s, c, e, tod, &d, tg, amount);
}

static pk_status load_entries(pk_scenario *s, pk_jctx *c, const cJSON *obj, const char *key,
                              const dose_target *tg) {
  const cJSON *arr;
  pk_status st = pk_json_array(c, obj, key, 1, &arr);
  if (st != PK_OK) return st;
  if (!arr->child)
    return pk_json_fail_at(c, key, "'%s' is empty; expected at least one dosing entry", key);
  size_t len = pk_json_push_key(c, key), i = 0;
  for (const cJSON *it = arr->child; it && st == PK_OK; it = it->next, i++) {
    size_t l2 = pk_json_push_index(c, i), lo = tg->r->n;
    if (!tg->history) s->tapers.entry = i;
    st = load_dose_entry(s, c, it, tg);
    if (!tg->history && i == 0) s->tapers.first_lo = lo, s->tapers.first_hi = tg->r->n;
    pk_json_pop(c, l2);
  }
  pk_json_pop(c, len);
  return st;
}

/* "steady_state": {"period_h": T, "dosing": [...]}: the subject has taken
 * this regimen every T hours for a long time before day 1. */
static pk_status load_history(pk_scenario *s, pk_jctx *c, const cJSON *root) {
  static const char *const keys[] = {"period_h", "dosing", "note", NULL};
  const cJSON *h = pk_json_get(root, "steady_state");
  if (!h) return PK_OK;
  size_t len = pk_json_push_key(c, "steady_state");
  dose_target tg = {.history = 1, .period_h = 24.0};
  pk_status st = pk_json_check_object(c, h, "steady_state", keys);
  if (st == PK_OK) st = pk_json_number(c, h, "period_h", "h", 0, &tg.period_h);
  if (st == PK_OK && !(tg.period_h > 0 && tg.period_h <= 24.0 * 365))
    st = pk_json_fail_at(c, "period_h", "expected a period in (0, 8760] h, got %g", tg.period_h);
  if (st == PK_OK && !(s->history = pk_regimen_new())) st = pk_err_nomem(c->err);
  tg.r = s->history;
  if (st == PK_OK) st = load_entries(s, c, h, "dosing", &tg);
  if (st == PK_OK) {
    s->options.steady_state = s->history;
    s->options.steady_state_period_h = tg.period_h;
  }
  pk_json_pop(c, len);
  return st;
}

/* "run_in_days": N repeats every dose of day 1 on each of the N days before
 * it, so that the subject enters day 1 already on the regimen. */
static pk_status load_run_in(pk_scenario *s, pk_jctx *c, const cJSON *root) {
  double n = 0;
  pk_status st = pk_json_number(c, root, "run_in_days", "days", 0, &n);
  if (st != PK_OK) return st;
  if (!(n >= 0 && n <= 3650 && is_whole(n))) {
    size_t len = pk_json_push_key(c, "run_in_days");
    st = pk_json_fail(c, "expected a whole number of days in [0, 3650], got %g", n);
    pk_json_pop(c, len);
    return st;
  }
  if (n > 0 && pk_json_get(root, "steady_state"))
    return pk_json_fail_at(c, "run_in_days", "give either a run-in or a steady_state history, not both");
  size_t n_day1 = s->regimen->n, n_copies = 0;
  for (size_t k = 0; k < n_day1; k++) n_copies += s->regimen->dose[k].t_h < 24.0;
  if (n > 0 && n_copies > (MAX_DOSES - n_day1) / n) {
    size_t len = pk_json_push_key(c, "run_in_days");
    st = check_dose_count(c, MAX_DOSES);
    pk_json_pop(c, len);
    return st;
  }
  for (size_t k = 0; k < n_day1 && st == PK_OK; k++) {
    pk_dose d = s->regimen->dose[k];
    if (d.t_h >= 24.0) continue;
    double t0 = d.t_h;
    for (int j = 1; j <= (int)n && st == PK_OK; j++) {
      d.t_h = t0 - 24.0 * j;
      st = pk_regimen_add(s->regimen, &d, c->err);
    }
  }
  s->options.t_start_h = -24.0 * n;
  return st;
}

/* Marks the compounds that r doses (an amount or a rate). */
static void mark_dosed(const pk_regimen *r, int *reached) {
  for (size_t k = 0; r && k < r->n; k++)
    if (r->dose[k].amount_mg > 0 || r->dose[k].rate_mg_per_h > 0)
      reached[r->dose[k].compound] = 1;
}

/* Warns about each compound that neither a dose nor a conversion from a
 * dosed compound reaches: its concentrations stay 0, most often a file
 * loaded by mistake or a dosing entry left out. */
static pk_status warn_not_dosed(pk_scenario *s, pk_jctx *c) {
  const pk_model *m = s->model;
  int reached[PK_MAX_COMPOUNDS] = {0};
  mark_dosed(s->regimen, reached);
  mark_dosed(s->history, reached);
  for (int changed = 1; changed;) {
    changed = 0;
    for (int k = 0; k < m->n_conversions; k++) {
      const pk_conversion *v = &m->conversion[k];
      if (reached[v->from] && !reached[v->to] && (v->fm > 0 || v->f_first_pass > 0))
        reached[v->to] = changed = 1;
    }
  }
  pk_status st = PK_OK;
  for (int i = 0; i < m->n_compounds && st == PK_OK; i++) {
    if (reached[i]) continue;
    size_t len = pk_json_push_key(c, "model");
    size_t l2 = pk_json_push_index(c, (size_t)s->compound_file[i]);
    st = warn(s, c, NULL, PK_WARN_NOT_DOSED,
              "compound '%s' (%s) is never dosed and not formed from a dosed compound: its "
              "concentrations stay 0 throughout; dose it in 'dosing' or leave its file out",
              m->compound[i].name, s->files[s->compound_file[i]]);
    pk_json_pop(c, l2);
    pk_json_pop(c, len);
  }
  return st;
}

/* Loads the scenario named path (for messages): from text[0..len), or with
 * text NULL from the file path. */
static pk_status load_scenario(const char *path, const char *text, size_t len,
                               const char *base_dir, const char *const *settings,
                               size_t n_settings, pk_scenario **out, pk_error *err) {
  pk_error_clear(err);
  if (!path || !out) return pk_err_set(err, PK_ERR_INVALID, NULL, NULL, "no path or output");
  *out = NULL;
  pk_error local;
  if (!err) err = &local;
  pk_scenario *s = calloc(1, sizeof *s);
  if (!s) return pk_err_nomem(err);
  s->model = pk_model_new();
  s->regimen = pk_regimen_new();
  s->options = pk_sim_options_default();
  cJSON *root = NULL;
  pk_status st = (!s->model || !s->regimen) ? pk_err_nomem(err)
                 : text ? pk_json_parse_text(text, len, path, &root, err)
                        : pk_json_parse_file(path, &root, err);
  static const char *const keys[] = {"name", "description", "model", "subject", "run_in_days",
                                     "steady_state", "dosing", "output", "solver",
                                     "population", NULL};
  pk_jctx c = {.file = path, .err = err};
  double days = 0;
  const char *name = NULL, *desc = "";
  if (st == PK_OK && n_settings) st = pk_settings_apply_json(root, settings, n_settings, err);
  if (st == PK_OK) st = pk_json_check_object(&c, root, "a scenario", keys);
  if (st == PK_OK) st = pk_json_string(&c, root, "name", 1, &name);
  if (st == PK_OK) st = pk_json_string(&c, root, "description", 0, &desc);
  if (st == PK_OK) st = load_models(s, &c, root, base_dir);
  if (st == PK_OK) st = load_subject(s, &c, root);
  double dose_mult[PK_MAX_COMPOUNDS];
  if (st == PK_OK && n_settings) {
    st = pk_settings_apply_model(s->model, settings, n_settings, &s->options.tol0, dose_mult,
                                 &s->dose_scaled, err);
    if (st != PK_OK && !err->file[0]) snprintf(err->file, sizeof err->file, "%s", path);
  }
  if (st == PK_OK) st = load_output(s, &c, root, &days);
  if (st == PK_OK) st = load_solver(s, &c, root);
  dose_target main = {.r = s->regimen, .days = days};
  if (st == PK_OK) st = load_entries(s, &c, root, "dosing", &main);
  if (st == PK_OK) st = load_history(s, &c, root);
  if (st == PK_OK) st = load_run_in(s, &c, root);
  if (st == PK_OK)
    st = pk_scenario_taper_deferred(&c, &s->tapers, s->model, &s->options, s->regimen);
  if (st == PK_OK && s->regimen->n > MAX_DOSES) st = check_dose_count(&c, s->regimen->n);
  if (st == PK_OK && s->dose_scaled) {
    st = pk_settings_scale_doses(s->regimen, dose_mult, err);
    if (st == PK_OK) st = pk_settings_scale_doses(s->history, dose_mult, err);
  }
  if (st == PK_OK) st = warn_not_dosed(s, &c);
  if (st != PK_OK) pk_settings_explain(settings, n_settings, err);
  if (st == PK_OK) {
    s->name = dup_str(name);
    s->description = dup_str(desc);
    if (!s->name || !s->description) st = pk_err_nomem(err);
  }
  cJSON_Delete(root);
  if (st != PK_OK) {
    if (!err->file[0]) snprintf(err->file, sizeof err->file, "%s", path);
    pk_scenario_free(s);
    return st;
  }
  *out = s;
  return PK_OK;
}

pk_status pk_scenario_load(const char *path, pk_scenario **out, pk_error *err) {
  return load_scenario(path, NULL, 0, NULL, NULL, 0, out, err);
}

pk_status pk_scenario_load_set(const char *path, const char *const *settings, size_t n,
                               pk_scenario **out, pk_error *err) {
  if (n && !settings) {
    pk_error_clear(err);
    return pk_err_set(err, PK_ERR_INVALID, path, NULL, "no settings");
  }
  return load_scenario(path, NULL, 0, NULL, settings, n, out, err);
}

pk_status pk_scenario_load_text(const char *text, size_t len, const char *name,
                                const char *base_dir, pk_scenario **out, pk_error *err) {
  if (!text && len) {
    pk_error_clear(err);
    return pk_err_set(err, PK_ERR_INVALID, name, NULL, "no text");
  }
  return load_scenario(name ? name : "", text ? text : "", len, base_dir, NULL, 0, out, err);
}

void pk_scenario_free(pk_scenario *s) {
  if (!s) return;
  free(s->name);
  free(s->description);
  pk_model_free(s->model);
  pk_regimen_free(s->regimen);
  pk_regimen_free(s->history);
  pk_scenario_tapers_release(&s->tapers);
  for (size_t k = 0; k < s->n_files; k++) free(s->files[k]);
  free(s->files);
  free(s->warnings);
  free(s);
}

size_t pk_scenario_file_count(const pk_scenario *s) { return s ? s->n_files : 0; }
const char *pk_scenario_file(const pk_scenario *s, size_t k) {
  return s && k < s->n_files ? s->files[k] : NULL;
}

size_t pk_scenario_warning_count(const pk_scenario *s) { return s ? s->n_warnings : 0; }
const pk_error *pk_scenario_warning(const pk_scenario *s, size_t k) {
  return s && k < s->n_warnings ? &s->warnings[k] : NULL;
}

const char *pk_scenario_name(const pk_scenario *s) { return s ? s->name : NULL; }
const char *pk_scenario_description(const pk_scenario *s) { return s ? s->description : NULL; }
const pk_model *pk_scenario_model(const pk_scenario *s) { return s ? s->model : NULL; }
const pk_regimen *pk_scenario_regimen(const pk_scenario *s) { return s ? s->regimen : NULL; }
pk_sim_options pk_scenario_options(const pk_scenario *s) {
  return s ? s->options : pk_sim_options_default();
}

pk_status pk_scenario_set_solver(pk_scenario *s, pk_solver solver, pk_error *err) {
  if (!s) return pk_err_set(err, PK_ERR_INVALID, NULL, NULL, "no scenario");
  if (solver != PK_SOLVER_AUTO && solver != PK_SOLVER_EXACT && solver != PK_SOLVER_ODE)
    return pk_err_set(err, PK_ERR_INVALID, NULL, NULL, "unknown solver %d", (int)solver);
  s->options.solver = solver;
  return PK_OK;
}

pk_status pk_scenario_simulate(const pk_scenario *s, pk_trajectory **out, pk_error *err) {
  if (!s) return pk_err_set(err, PK_ERR_INVALID, NULL, NULL, "no scenario");
  return pk_simulate(s->model, s->regimen, &s->options, out, err);
}

pk_status pk_scenario_taper_start(const pk_scenario *s, pk_taper_item *item, int *start_day,
                                  pk_regimen **others, pk_error *err) {
  if (!s) return pk_err_set(err, PK_ERR_INVALID, NULL, NULL, "no scenario");
  if (s->dose_scaled)
    return pk_err_set(err, PK_ERR_INVALID, NULL, NULL, "a dose multiplier setting (dose, "
                      "dose.<compound>) does not carry over to the schedules a taper search "
                      "makes; set the dose of the dosing entry instead (dosing[0].dose_g=...)");
  return pk_scenario_taper_split(&s->tapers, s->regimen, item, start_day, others, err);
}
