/* model_load.c - reading compound, product and receptor files (JSON) into a
 * pk_model, and applying parameter overrides. Format: docs/model-format.md. */
#include <math.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>
#include "json.h"
#include "model_load.h"

/* Parameter names as they appear in files and overrides, with their units. */
typedef enum {
  GROUP_CORE,
  GROUP_PERIPH1,
  GROUP_PERIPH2,
  GROUP_RECEPTOR,    /* any ligand */
  GROUP_EQUILIBRIUM, /* ligand with equilibrium binding */
  GROUP_KINETIC      /* ligand with kinetic binding */
} param_group;
typedef struct param_def {
  const char *key, *unit;
  size_t offset;
  param_group group;
  int optional; /* may be left out (a default applies) */
  int strict;   /* 1: value > 0, 0: value >= 0 */
  double hi;    /* upper bound (inclusive) */
} param_def;

/* The ranges are those of pk_compound_check (model.c), checked here too so
 * that a message can name the key of the offending value. */
#define P(key, unit, field, group, optional, strict, hi)                                      \
  { key, unit, offsetof(pk_compound_params, field), group, optional, strict, hi }
static const param_def PARAMS[] = {
    P("MW", "g/mol", mw_g_per_mol, GROUP_CORE, 0, 1, INFINITY),
    P("ka", "1/h", ka_per_h, GROUP_CORE, 0, 1, INFINITY),
    P("lag", "h", lag_h, GROUP_CORE, 1, 0, INFINITY),
    P("F", "1", F, GROUP_CORE, 1, 0, INFINITY),
    P("V", "L", V_L, GROUP_CORE, 0, 1, INFINITY),
    P("CL", "L/h", CL_L_per_h, GROUP_CORE, 0, 0, INFINITY),
    P("Vp1", "L", Vp_L[0], GROUP_PERIPH1, 0, 1, INFINITY),
    P("Q1", "L/h", Q_L_per_h[0], GROUP_PERIPH1, 0, 0, INFINITY),
    P("Vp2", "L", Vp_L[1], GROUP_PERIPH2, 0, 1, INFINITY),
    P("Q2", "L/h", Q_L_per_h[1], GROUP_PERIPH2, 0, 0, INFINITY),
    P("ke0", "1/h", ke0_per_h, GROUP_RECEPTOR, 0, 1, INFINITY),
    P("fu", "1", fu, GROUP_RECEPTOR, 1, 1, 1.0),
    P("K", "nM", K_nM, GROUP_EQUILIBRIUM, 0, 1, INFINITY),
    P("tau", "1", tau, GROUP_RECEPTOR, 0, 0, INFINITY),
    P("kon", "1/(nM*h)", kon_per_nM_h, GROUP_KINETIC, 0, 1, INFINITY),
    P("koff", "1/h", koff_per_h, GROUP_KINETIC, 0, 1, INFINITY),
    P("R", "mg/h", zo_rate_mg_per_h, GROUP_CORE, 1, 1, INFINITY),
    P("D", "h", zo_duration_h, GROUP_CORE, 1, 1, INFINITY),
    P("lag_iv", "h", lag_iv_h, GROUP_CORE, 1, 0, INFINITY),
    P("F_iv", "1", F_iv, GROUP_CORE, 1, 0, INFINITY),
    P("R_iv", "mg/h", zo_rate_iv_mg_per_h, GROUP_CORE, 1, 1, INFINITY),
    P("D_iv", "h", zo_duration_iv_h, GROUP_CORE, 1, 1, INFINITY),
};
#undef P
enum { N_PARAMS = sizeof PARAMS / sizeof PARAMS[0] };

static double *field(pk_compound_params *p, const param_def *d) {
  return (double *)((char *)p + d->offset);
}

static int group_present(const pk_compound_params *p, param_group g) {
  switch (g) {
  case GROUP_CORE: return 1;
  case GROUP_PERIPH1: return p->n_peripheral >= 1;
  case GROUP_PERIPH2: return p->n_peripheral >= 2;
  case GROUP_RECEPTOR: return p->binds_receptor;
  case GROUP_EQUILIBRIUM: return p->binds_receptor && !p->kinetic_binding;
  case GROUP_KINETIC: return p->binds_receptor && p->kinetic_binding;
  }
  return 0;
}

/* Reads parameter d of obj (a parameter object {"value", "unit", ...}) into
 * p and checks its range, naming <key>.value in a message. */
static pk_status read_param(pk_jctx *c, const cJSON *obj, const param_def *d, int need_source,
                            int required, pk_compound_params *p) {
  double *x = field(p, d);
  pk_status st = pk_json_param(c, obj, d->key, d->unit, need_source, required, x);
  if (st != PK_OK || ((d->strict ? *x > 0 : *x >= 0) && *x <= d->hi)) return st;
  if (d->optional && isnan(*x) && !pk_json_get(obj, d->key)) return st; /* absent, no default */
  char range[64];
  if (isinf(d->hi)) snprintf(range, sizeof range, "%s 0", d->strict ? ">" : ">=");
  else snprintf(range, sizeof range, "in %s0, %g]", d->strict ? "(" : "[", d->hi);
  size_t len = pk_json_push_key(c, d->key), l2 = pk_json_push_key(c, "value");
  st = pk_json_fail(c, "%s of compound '%s' must be %s%s%s, got %g", d->key, p->name, range,
                    strcmp(d->unit, "1") ? " " : "", strcmp(d->unit, "1") ? d->unit : "", *x);
  pk_json_pop(c, l2);
  pk_json_pop(c, len);
  return st;
}

static const char *const PARAM_KEYS[] = {"MW",  "ka",   "lag",  "F",    "V",    "CL",
                                         "Vp1", "Q1",   "Vp2",  "Q2",   "ke0",  "fu",
                                         "K",   "tau",  "kon",  "koff", "R",    "D",
                                         "lag_iv", "F_iv", "R_iv", "D_iv", NULL};

/* Reads the "parameters" object of a compound file. */
static pk_status read_parameters(pk_jctx *c, const cJSON *obj, pk_compound_params *p) {
  pk_status st = pk_json_check_object(c, obj, "compound parameters", PARAM_KEYS);
  if (st != PK_OK) return st;
  int has_vp1 = pk_json_get(obj, "Vp1") || pk_json_get(obj, "Q1");
  int has_vp2 = pk_json_get(obj, "Vp2") || pk_json_get(obj, "Q2");
  if (has_vp2 && !has_vp1)
    return pk_json_fail(c, "Vp2/Q2 given without Vp1/Q1; fill the first peripheral compartment first");
  p->n_peripheral = has_vp2 ? 2 : has_vp1 ? 1 : 0;
  p->kinetic_binding = pk_json_get(obj, "kon") || pk_json_get(obj, "koff");
  p->binds_receptor = p->kinetic_binding || pk_json_get(obj, "K") || pk_json_get(obj, "tau") ||
                      pk_json_get(obj, "ke0") || pk_json_get(obj, "fu");
  if (p->kinetic_binding && pk_json_get(obj, "K"))
    return pk_json_fail(c, "give either K (equilibrium binding) or kon and koff (kinetic "
                        "binding, K = koff/kon), not both");
  for (int k = 0; k < N_PARAMS; k++) {
    const param_def *d = &PARAMS[k];
    if (!group_present(p, d->group)) continue;
    if ((st = read_param(c, obj, d, 1, !d->optional, p)) != PK_OK) return st;
  }
  return PK_OK;
}

pk_status pk_model_apply_overrides(pk_model *m, int i, pk_jctx *c, const cJSON *obj) {
  pk_compound_params p = m->compound[i];
  pk_status st = pk_json_check_object(c, obj, "compound overrides", PARAM_KEYS);
  if (st != PK_OK) return st;
  for (int k = 0; k < N_PARAMS; k++) {
    const param_def *d = &PARAMS[k];
    if (!pk_json_get(obj, d->key)) continue;
    if (!group_present(&p, d->group)) {
      size_t len = pk_json_push_key(c, d->key);
      st = pk_json_fail(c, "compound '%s' has no parameter %s in its model file; an override "
                        "can change a parameter, not add a compartment or a receptor binding",
                        p.name, d->key);
      pk_json_pop(c, len);
      return st;
    }
    if ((st = read_param(c, obj, d, 0, 1, &p)) != PK_OK) return st;
  }
  if ((st = pk_compound_check_at(&p, c->file, c->path, c->err)) != PK_OK) return st;
  return pk_model_set_compound(m, i, &p, c->err); /* derives K of a kinetic ligand */
}

pk_status pk_model_apply_product_overrides(pk_model *m, int i, pk_jctx *c, const cJSON *obj) {
  static const char *const keys[] = {"content", "note", NULL};
  pk_product *p = &m->product[i];
  pk_status st = pk_json_check_object(c, obj, "product overrides", keys);
  if (st != PK_OK) return st;
  const cJSON *content = pk_json_get(obj, "content");
  if (!content) return PK_OK;
  size_t len = pk_json_push_key(c, "content");
  if (!cJSON_IsObject(content))
    st = pk_json_fail(c, "expected an object mapping compound names to {\"value\", \"unit\", "
                      "\"source\"}, got %s", pk_json_type(content));
  char unit[PK_ID_MAX + 8];
  if (p->content_kind == PK_CONTENT_W_W) snprintf(unit, sizeof unit, "w/w");
  else if (p->content_kind == PK_CONTENT_MG_PER_H) snprintf(unit, sizeof unit, "mg/h");
  else snprintf(unit, sizeof unit, "mg/%s", p->dose_unit);
  double x[PK_MAX_COMPOUNDS];
  int slot[PK_MAX_COMPOUNDS], n = 0;
  for (const cJSON *it = content && st == PK_OK ? content->child : NULL; it && st == PK_OK;
       it = it->next) {
    size_t l2 = pk_json_push_key(c, it->string);
    int ci = pk_model_find_compound(m, it->string), k = -1;
    for (size_t j = 0; ci >= 0 && j < p->n; j++)
      if (p->compound[j] == ci) k = (int)j;
    if (k < 0)
      st = pk_json_fail(c, "product '%s' does not list '%s' in its content; expected one of "
                        "the compounds of its file", p->id, it->string);
    for (int j = 0; j < n && st == PK_OK; j++)
      if (slot[j] == k)
        st = pk_json_fail(c, "compound '%s' is overridden twice (by id and by name)",
                          it->string);
    pk_json_pop(c, l2);
    if (st != PK_OK) break;
    st = pk_json_param(c, content, it->string, unit, 0, 1, &x[n]);
    int w = p->content_kind == PK_CONTENT_W_W;
    if (st == PK_OK && !(x[n] >= 0 && (!w || x[n] <= 1))) {
      l2 = pk_json_push_key(c, it->string);
      size_t l3 = pk_json_push_key(c, "value");
      st = pk_json_fail(c, "expected %s %s, got %g", w ? "a mass fraction in [0, 1]" : "a value >= 0",
                        unit, x[n]);
      pk_json_pop(c, l3);
      pk_json_pop(c, l2);
    }
    slot[n++] = k;
  }
  pk_json_pop(c, len);
  for (int j = 0; j < n && st == PK_OK; j++) p->content[slot[j]] = x[j];
  return st;
}

int pk_param_find(const char *key) {
  for (int k = 0; key && k < N_PARAMS; k++)
    if (strcasecmp(PARAMS[k].key, key) == 0) return k;
  return -1;
}

const char *pk_param_key(int k) { return k >= 0 && k < N_PARAMS ? PARAMS[k].key : NULL; }

double pk_param_get(const pk_compound_params *p, int k) {
  if (k < 0 || k >= N_PARAMS) return NAN;
  return *(const double *)((const char *)p + PARAMS[k].offset);
}

int pk_param_set(pk_compound_params *p, int k, double x, char *msg, size_t n) {
  const param_def *d = &PARAMS[k];
  const char *u = strcmp(d->unit, "1") ? d->unit : "";
  if (!group_present(p, d->group)) {
    snprintf(msg, n, "compound '%s' has no parameter %s in its model file; an override can "
             "change a parameter, not add a compartment or a receptor binding", p->name, d->key);
    return -1;
  }
  if (!(isfinite(x) && (d->strict ? x > 0 : x >= 0) && x <= d->hi)) {
    char range[64];
    if (isinf(d->hi)) snprintf(range, sizeof range, "%s 0", d->strict ? ">" : ">=");
    else snprintf(range, sizeof range, "in %s0, %g]", d->strict ? "(" : "[", d->hi);
    snprintf(msg, n, "%s of compound '%s' must be %s%s%s, got %g", d->key, p->name, range,
             u[0] ? " " : "", u, x);
    return -2;
  }
  *field(p, d) = x;
  return 0;
}

static pk_status copy_name(pk_jctx *c, const cJSON *root, const char *key, char *dst,
                           size_t cap) {
  const char *s = NULL;
  pk_status st = pk_json_string(c, root, key, 1, &s);
  if (st != PK_OK) return st;
  if (strlen(s) >= cap) {
    size_t len = pk_json_push_key(c, key);
    st = pk_json_fail(c, "'%s' is longer than %zu characters", s, cap - 1);
    pk_json_pop(c, len);
    return st;
  }
  for (const char *q = s; *q; q++)
    if (*q == ',' || *q == '"' || *q == ' ' || (unsigned char)*q < 0x20 || *q == 0x7f) {
      size_t len = pk_json_push_key(c, key);
      st = pk_json_fail(c, "'%s' may not contain spaces, commas, quotes, newlines or other "
                        "control characters", s);
      pk_json_pop(c, len);
      return st;
    }
  memcpy(dst, s, strlen(s) + 1);
  return PK_OK;
}

static pk_status load_compound(pk_model *m, pk_jctx *c, const cJSON *root) {
  static const char *const keys[] = {"kind",        "id",          "name",  "description",
                                     "parameters",  "formed_from", "enzymes", "calibration",
                                     "max_plausible_dose", "notes",       NULL};
  pk_status st = pk_json_check_object(c, root, "a compound file", keys);
  if (st != PK_OK) return st;
  pk_compound_params p = pk_compound_params_default();
  if ((st = copy_name(c, root, "id", p.id, sizeof p.id)) != PK_OK) return st;
  if ((st = copy_name(c, root, "name", p.name, sizeof p.name)) != PK_OK) return st;
  const cJSON *params = pk_json_get(root, "parameters");
  if (!params) return pk_json_fail(c, "missing key 'parameters' (an object)");
  size_t len = pk_json_push_key(c, "parameters");
  st = read_parameters(c, params, &p);
  if (st == PK_OK) st = pk_compound_check_at(&p, c->file, c->path, c->err);
  pk_json_pop(c, len);
  if (st != PK_OK) return st;
  if (pk_model_find_compound(m, p.id) >= 0 || pk_model_find_compound(m, p.name) >= 0)
    return pk_json_fail(c, "compound '%s' (%s) is loaded twice, or its id or name is taken "
                        "by another compound", p.name, p.id);
  double max_dose = NAN;
  if ((st = pk_json_param(c, root, "max_plausible_dose", "mg", 1, 0, &max_dose)) != PK_OK)
    return st;
  if (!isnan(max_dose) && !(max_dose > 0 && max_dose <= 1e9)) {
    size_t l2 = pk_json_push_key(c, "max_plausible_dose"), l3 = pk_json_push_key(c, "value");
    st = pk_json_fail(c, "expected a dose in (0, 1e+09] mg, got %g", max_dose);
    pk_json_pop(c, l3);
    pk_json_pop(c, l2);
    return st;
  }
  if ((st = pk_model_add_compound(m, &p, NULL, c->err)) != PK_OK)
    snprintf(c->err->file, sizeof c->err->file, "%s", c->file);
  else
    m->max_dose_mg[m->n_compounds - 1] = isnan(max_dose) ? 0.0 : max_dose;
  return st;
}

static pk_status copy_text(pk_jctx *c, const cJSON *root, const char *key, int required,
                           char *dst, size_t cap);

/* The enzyme named at obj."enzyme" (an error naming the loaded ones if
 * there is none). */
static pk_status find_enzyme(const pk_model *m, pk_jctx *c, const cJSON *obj, const char *name,
                             int *e) {
  (void)obj;
  *e = pk_model_find_enzyme(m, name);
  if (*e >= 0) return PK_OK;
  char loaded[256] = "";
  for (int k = 0, used = 0; k < m->n_enzymes && used < (int)sizeof loaded; k++)
    used += snprintf(loaded + used, sizeof loaded - (size_t)used, "%s%s", k ? ", " : "",
                     m->enzyme[k].id);
  size_t len = pk_json_push_key(c, "enzyme");
  const char *ids[PK_MAX_ENZYMES];
  char dym[PK_ID_MAX + 32];
  for (int k = 0; k < m->n_enzymes; k++) ids[k] = m->enzyme[k].id;
  pk_suggest_suffix(name, ids, (size_t)m->n_enzymes, dym, sizeof dym);
  pk_status st = pk_json_fail(c, "enzyme '%s' is not loaded (loaded: %s); add its file "
                              "(models/enzymes/) to the model files%s", name,
                              loaded[0] ? loaded : "none", dym);
  pk_json_pop(c, len);
  return st;
}

/* "enzymes": [{"enzyme": id, "fraction_of_CL": {...}, and optionally the
 * mechanism-based inactivation "KI" (nM), "kinact" (1/h), "fu_plasma",
 * "hepatic_blood_flow" (L/h; the inlet concentration drives it)}]:
 * the compound's links to loaded enzymes (pk_model.h). */
static pk_status load_enzyme_links(pk_model *m, pk_jctx *c, const cJSON *root) {
  static const char *const keys[] = {"enzyme",    "fraction_of_CL",     "KI", "kinact",
                                     "fu_plasma", "hepatic_blood_flow", "note", NULL};
  const cJSON *arr;
  pk_status st = pk_json_array(c, root, "enzymes", 0, &arr);
  if (st != PK_OK || !arr) return st;
  int i = pk_model_find_compound(m, pk_json_get(root, "id")->valuestring);
  size_t len = pk_json_push_key(c, "enzymes");
  size_t k = 0;
  for (const cJSON *it = arr->child; it && st == PK_OK; it = it->next, k++) {
    size_t l2 = pk_json_push_index(c, k);
    const char *name = NULL;
    int e = -1;
    double f = 0.0, KI = NAN, kinact = NAN, fu = 1.0, Qh = 0.0;
    if ((st = pk_json_check_object(c, it, "an enzyme link", keys)) == PK_OK &&
        (st = pk_json_string(c, it, "enzyme", 1, &name)) == PK_OK &&
        (st = find_enzyme(m, c, it, name, &e)) == PK_OK &&
        (st = pk_json_param(c, it, "fraction_of_CL", "1", 1, 1, &f)) == PK_OK &&
        (st = pk_json_param(c, it, "KI", "nM", 1, 0, &KI)) == PK_OK &&
        (st = pk_json_param(c, it, "kinact", "1/h", 1, 0, &kinact)) == PK_OK &&
        (st = pk_json_param(c, it, "fu_plasma", "1", 1, 0, &fu)) == PK_OK &&
        (st = pk_json_param(c, it, "hepatic_blood_flow", "L/h", 1, 0, &Qh)) == PK_OK) {
      pk_error e2;
      pk_error_clear(&e2);
      if (isnan(KI) != isnan(kinact)) {
        st = pk_json_fail(c, "an inactivation needs both KI (nM) and kinact (1/h)");
      } else if (pk_model_set_enzyme_clearance(m, i, e, f, &e2) != PK_OK) {
        size_t l3 = pk_json_push_key(c, "fraction_of_CL");
        size_t l4 = pk_json_push_key(c, "value");
        st = pk_json_fail(c, "%s", e2.message);
        pk_json_pop(c, l4);
        pk_json_pop(c, l3);
      } else if (!isnan(KI) &&
                 pk_model_set_enzyme_inactivation(m, i, e, KI, kinact, fu, Qh, &e2) != PK_OK) {
        st = pk_json_fail(c, "%s", e2.message);
      }
    }
    pk_json_pop(c, l2);
  }
  pk_json_pop(c, len);
  return st;
}

/* An enzyme file: {"kind": "enzyme", "id", "name", "parameters": {"kdeg"}}. */
static pk_status load_enzyme(pk_model *m, pk_jctx *c, const cJSON *root) {
  static const char *const keys[] = {"kind", "id", "name", "description", "parameters", "notes",
                                     NULL};
  static const char *const pkeys[] = {"kdeg", NULL};
  pk_status st = pk_json_check_object(c, root, "an enzyme file", keys);
  if (st != PK_OK) return st;
  char id[PK_ID_MAX], name[PK_NAME_MAX];
  if ((st = copy_name(c, root, "id", id, sizeof id)) != PK_OK) return st;
  if ((st = copy_text(c, root, "name", 1, name, sizeof name)) != PK_OK) return st;
  const cJSON *params = pk_json_get(root, "parameters");
  if (!params) return pk_json_fail(c, "missing key 'parameters' (an object with kdeg)");
  size_t len = pk_json_push_key(c, "parameters");
  double kdeg = NAN;
  if ((st = pk_json_check_object(c, params, "parameters", pkeys)) == PK_OK &&
      (st = pk_json_param(c, params, "kdeg", "1/h", 1, 1, &kdeg)) == PK_OK &&
      (st = pk_model_add_enzyme(m, id, name, kdeg, NULL, c->err)) != PK_OK) {
    size_t l2 = pk_json_push_key(c, "kdeg");
    snprintf(c->err->file, sizeof c->err->file, "%s", c->file);
    snprintf(c->err->path, sizeof c->err->path, "%s", c->path);
    pk_json_pop(c, l2);
  }
  pk_json_pop(c, len);
  return st;
}

/* "formed_from": [{"compound": parent, "fm": {...}, "f_first_pass": {...}}]. A
 * parent that the model does not contain is an error (a typo, or a parent
 * file missing from the model list): skipping it would silently drop the
 * metabolite's formation. */
static pk_status load_formation(pk_model *m, pk_jctx *c, const cJSON *root) {
  static const char *const keys[] = {"compound", "fm", "f_first_pass", "enzyme", "note", NULL};
  const cJSON *arr;
  pk_status st = pk_json_array(c, root, "formed_from", 0, &arr);
  if (st != PK_OK || !arr) return st;
  const char *id = pk_json_get(root, "id")->valuestring;
  int to = pk_model_find_compound(m, id);
  size_t len = pk_json_push_key(c, "formed_from");
  size_t i = 0;
  for (const cJSON *it = arr->child; it && st == PK_OK; it = it->next, i++) {
    size_t l2 = pk_json_push_index(c, i);
    const char *parent = NULL;
    double fm = 0, fp = 0;
    if ((st = pk_json_check_object(c, it, "a formation", keys)) == PK_OK &&
        (st = pk_json_string(c, it, "compound", 1, &parent)) == PK_OK &&
        (st = pk_json_param(c, it, "fm", "1", 1, 1, &fm)) == PK_OK &&
        (st = pk_json_param(c, it, "f_first_pass", "1", 1, 0, &fp)) == PK_OK) {
      int from = pk_model_find_compound(m, parent);
      if (from < 0) {
        char loaded[256] = "";
        for (int k = 0, used = 0; k < m->n_compounds && used < (int)sizeof loaded; k++)
          used += snprintf(loaded + used, sizeof loaded - (size_t)used, "%s%s (%s)",
                           k ? ", " : "", m->compound[k].id, m->compound[k].name);
        char dym[PK_NAME_MAX + 32];
        pk_model_suggest_compound(m, parent, dym, sizeof dym);
        size_t l3 = pk_json_push_key(c, "compound");
        st = pk_json_fail(c, "parent compound '%s' of '%s' is not loaded; expected the id or "
                          "name of a loaded compound (loaded: %s); add the parent's file to the "
                          "model files (with pk_model_load_file, load it first)%s",
                          parent, id, loaded, dym);
        pk_json_pop(c, l3);
      } else if ((st = pk_model_add_conversion(m, from, to, fm, fp, c->err)) != PK_OK) {
        snprintf(c->err->file, sizeof c->err->file, "%s", c->file);
        snprintf(c->err->path, sizeof c->err->path, "%s", c->path);
      } else {
        const char *enz = NULL;
        int e = -1;
        if ((st = pk_json_string(c, it, "enzyme", 0, &enz)) == PK_OK && enz &&
            (st = find_enzyme(m, c, it, enz, &e)) == PK_OK &&
            (st = pk_model_set_conversion_enzyme(m, from, to, e, c->err)) != PK_OK) {
          snprintf(c->err->file, sizeof c->err->file, "%s", c->file);
          snprintf(c->err->path, sizeof c->err->path, "%s", c->path);
        }
      }
    }
    pk_json_pop(c, l2);
  }
  pk_json_pop(c, len);
  return st;
}

static const struct {
  const char *name;
  pk_route route;
} ROUTES[] = {{"oral", PK_ROUTE_ORAL},          {"sublingual", PK_ROUTE_DEPOT},
              {"buccal", PK_ROUTE_DEPOT},        {"intranasal", PK_ROUTE_DEPOT},
              {"intramuscular", PK_ROUTE_DEPOT}, {"subcutaneous", PK_ROUTE_DEPOT},
              {"transdermal", PK_ROUTE_DEPOT},   {"rectal", PK_ROUTE_DEPOT},
              {"intravenous", PK_ROUTE_IV}};

/* Copies an optional descriptive string of at most cap - 1 characters. */
static pk_status copy_text(pk_jctx *c, const cJSON *root, const char *key, int required,
                           char *dst, size_t cap) {
  const char *v = NULL;
  pk_status st = pk_json_string(c, root, key, required, &v);
  if (st != PK_OK || !v) return st;
  if (strlen(v) >= cap) {
    size_t len = pk_json_push_key(c, key);
    st = pk_json_fail(c, "expected at most %zu characters, got %zu", cap - 1, strlen(v));
    pk_json_pop(c, len);
    return st;
  }
  memcpy(dst, v, strlen(v) + 1);
  return PK_OK;
}

static pk_status read_route(pk_jctx *c, const cJSON *root, pk_product *p) {
  snprintf(p->route_name, sizeof p->route_name, "oral");
  p->route = PK_ROUTE_ORAL;
  pk_status st = copy_text(c, root, "route", 0, p->route_name, sizeof p->route_name);
  if (st != PK_OK) return st;
  for (size_t k = 0; k < sizeof ROUTES / sizeof ROUTES[0]; k++)
    if (strcmp(ROUTES[k].name, p->route_name) == 0) {
      p->route = ROUTES[k].route;
      return PK_OK;
    }
  size_t len = pk_json_push_key(c, "route");
  st = pk_json_fail(c, "unknown route '%s'; expected oral, sublingual, buccal, intranasal, "
                    "intramuscular, subcutaneous, transdermal, rectal or intravenous",
                    p->route_name);
  pk_json_pop(c, len);
  return st;
}

/* "content": {"<compound>": {"value": x, "unit": u, "source": ...}}, u being
 * "w/w" (doses in g), "mg/h" (transdermal) or "mg/<dose unit>". */
static pk_status read_content(pk_model *m, pk_jctx *c, const cJSON *root, pk_product *p) {
  const cJSON *content = pk_json_get(root, "content");
  if (!cJSON_IsObject(content) || !content->child)
    return pk_json_fail(c, "missing or empty 'content': an object mapping compound names to "
                        "{\"value\": ..., \"unit\": ..., \"source\": ...}");
  char unit[PK_ID_MAX + 8];
  if (p->content_kind == PK_CONTENT_W_W) snprintf(unit, sizeof unit, "w/w");
  else if (p->content_kind == PK_CONTENT_MG_PER_H) snprintf(unit, sizeof unit, "mg/h");
  else snprintf(unit, sizeof unit, "mg/%s", p->dose_unit);
  pk_status st = PK_OK;
  size_t len = pk_json_push_key(c, "content");
  for (const cJSON *it = content->child; it && st == PK_OK; it = it->next) {
    if (p->n == PK_MAX_COMPOUNDS) {
      st = pk_json_fail(c, "at most %d compounds in a product", PK_MAX_COMPOUNDS);
      break;
    }
    size_t l2 = pk_json_push_key(c, it->string);
    for (const cJSON *jt = it->next; jt && st == PK_OK; jt = jt->next)
      if (strcmp(jt->string, it->string) == 0)
        st = pk_json_fail(c, "key '%s' appears more than once in the content", it->string);
    int i = st == PK_OK ? pk_model_find_compound(m, it->string) : -1;
    if (st == PK_OK && i < 0) {
      char dym[PK_NAME_MAX + 32];
      pk_model_suggest_compound(m, it->string, dym, sizeof dym);
      st = pk_json_fail(c, "product '%s' contains '%s', which is not a loaded compound: the "
                        "model files must include its compound file%s", p->id, it->string, dym);
    }
    for (size_t k = 0; k < p->n && st == PK_OK; k++)
      if (p->compound[k] == i)
        st = pk_json_fail(c, "compound '%s' is listed twice in the content (by id and by "
                          "name)", it->string);
    pk_json_pop(c, l2);
    if (st != PK_OK) break;
    double x = NAN;
    st = pk_json_param(c, content, it->string, unit, 1, 1, &x);
    int w = p->content_kind == PK_CONTENT_W_W;
    if (st == PK_OK && !(x >= 0 && (!w || x <= 1))) {
      l2 = pk_json_push_key(c, it->string);
      size_t l3 = pk_json_push_key(c, "value");
      st = pk_json_fail(c, "expected %s %s, got %g", w ? "a mass fraction in [0, 1]" : "a value >= 0",
                        unit, x);
      pk_json_pop(c, l3);
      pk_json_pop(c, l2);
    }
    p->compound[p->n] = i;
    p->content[p->n] = x;
    p->ka_per_h[p->n] = p->F[p->n] = p->lag_h[p->n] = NAN;
    p->n++;
  }
  pk_json_pop(c, len);
  return st;
}

/* "absorption": {"<compound>": {"ka", "F", "lag"}}: route-specific absorption,
 * required (ka) for every compound of a depot route other than oral. */
static pk_status read_absorption(pk_model *m, pk_jctx *c, const cJSON *root, pk_product *p) {
  static const char *const keys[] = {"ka", "F", "lag", NULL};
  const cJSON *ab = pk_json_get(root, "absorption");
  pk_status st = PK_OK;
  size_t len = pk_json_push_key(c, "absorption");
  if (ab && p->route == PK_ROUTE_IV)
    st = pk_json_fail(c, "an intravenous product has no absorption");
  else if (ab && !cJSON_IsObject(ab))
    st = pk_json_fail(c, "expected an object mapping compound names to {ka, F, lag}, got %s",
                      pk_json_type(ab));
  for (const cJSON *it = ab ? ab->child : NULL; it && st == PK_OK; it = it->next) {
    size_t l2 = pk_json_push_key(c, it->string);
    int i = pk_model_find_compound(m, it->string), k = -1;
    for (size_t j = 0; j < p->n; j++)
      if (p->compound[j] == i) k = (int)j;
    if (k < 0) st = pk_json_fail(c, "'%s' is not in the product's content", it->string);
    for (const cJSON *prev = ab->child; st == PK_OK && prev != it; prev = prev->next)
      if (pk_model_find_compound(m, prev->string) == i)
        st = pk_json_fail(c, "compound '%s' has two absorption entries", it->string);
    if (st == PK_OK) st = pk_json_check_object(c, it, "an absorption", keys);
    if (st == PK_OK) st = pk_json_param(c, it, "ka", "1/h", 1, 0, &p->ka_per_h[k]);
    if (st == PK_OK) st = pk_json_param(c, it, "F", "1", 1, 0, &p->F[k]);
    if (st == PK_OK) st = pk_json_param(c, it, "lag", "h", 1, 0, &p->lag_h[k]);
    if (st == PK_OK && !isnan(p->ka_per_h[k]) && !(p->ka_per_h[k] > 0))
      st = pk_json_fail(c, "ka must be > 0 1/h, got %g", p->ka_per_h[k]);
    if (st == PK_OK && !isnan(p->F[k]) && !(isfinite(p->F[k]) && p->F[k] >= 0))
      st = pk_json_fail(c, "F must be a finite number >= 0, got %g", p->F[k]);
    if (st == PK_OK && !isnan(p->lag_h[k]) && !(p->lag_h[k] >= 0))
      st = pk_json_fail(c, "lag must be >= 0 h, got %g", p->lag_h[k]);
    pk_json_pop(c, l2);
  }
  for (size_t k = 0; k < p->n && st == PK_OK && p->route == PK_ROUTE_DEPOT; k++)
    if (isnan(p->ka_per_h[k]) && p->content[k] > 0)
      st = pk_json_fail(c, "a %s product needs its own ka for '%s' (the compound's ka is for "
                        "the oral route)", p->route_name, m->compound[p->compound[k]].name);
  pk_json_pop(c, len);
  return st;
}

static pk_status load_product(pk_model *m, pk_jctx *c, const cJSON *root) {
  static const char *const keys[] = {"kind",    "id",         "name",      "description",
                                     "form",    "route",      "dose_unit", "content",
                                     "absorption", "release_h", "notes",   NULL};
  pk_status st = pk_json_check_object(c, root, "a product file", keys);
  if (st != PK_OK) return st;
  pk_product p;
  memset(&p, 0, sizeof p);
  snprintf(p.dose_unit, sizeof p.dose_unit, "g");
  if ((st = copy_name(c, root, "id", p.id, sizeof p.id)) != PK_OK ||
      (st = copy_text(c, root, "name", 1, p.name, sizeof p.name)) != PK_OK ||
      (st = copy_text(c, root, "form", 0, p.form, sizeof p.form)) != PK_OK ||
      (st = read_route(c, root, &p)) != PK_OK)
    return st;
  if (pk_json_get(root, "dose_unit") &&
      (st = copy_name(c, root, "dose_unit", p.dose_unit, sizeof p.dose_unit)) != PK_OK)
    return st;
  int transdermal = strcmp(p.route_name, "transdermal") == 0;
  int per_gram = strcmp(p.dose_unit, "g") == 0;
  if (transdermal && per_gram)
    return pk_json_fail_at(c, "dose_unit", "a transdermal product is dosed in units (e.g. \"patch\"), "
                    "not g");
  p.content_kind = per_gram ? PK_CONTENT_W_W
                   : transdermal ? PK_CONTENT_MG_PER_H : PK_CONTENT_MG_PER_UNIT;
  if ((st = pk_json_param(c, root, "release_h", "h", 1, transdermal, &p.release_h)) != PK_OK)
    return st;
  if (!(isfinite(p.release_h) && p.release_h >= 0) || (transdermal && !(p.release_h > 0)))
    return pk_json_fail_at(c, "release_h", "expected a release time %s h, got %g",
                    transdermal ? "> 0" : ">= 0", p.release_h);
  if ((st = read_content(m, c, root, &p)) != PK_OK ||
      (st = read_absorption(m, c, root, &p)) != PK_OK)
    return st;
  if ((st = pk_model_add_product_full(m, &p, c->err)) != PK_OK) {
    snprintf(c->err->file, sizeof c->err->file, "%s", c->file);
    snprintf(c->err->path, sizeof c->err->path, "%s", c->path);
  }
  return st;
}

static pk_status load_receptor(pk_model *m, pk_jctx *c, const cJSON *root) {
  static const char *const keys[] = {"kind", "id", "name", "description", "adaptation",
                                     "withdrawal", "notes", NULL};
  static const char *const akeys[] = {"k_tol", NULL};
  static const char *const wkeys[] = {"k_wx", "k_wf", "immediate", "threshold", NULL};
  pk_status st = pk_json_check_object(c, root, "a receptor file", keys);
  if (st != PK_OK) return st;
  if (m->has_receptor) return pk_json_fail(c, "a receptor is already loaded; one is allowed");
  const cJSON *a = pk_json_get(root, "adaptation");
  if (!a) return pk_json_fail(c, "missing key 'adaptation' (an object with k_tol)");
  size_t len = pk_json_push_key(c, "adaptation");
  double k = NAN;
  if ((st = pk_json_check_object(c, a, "adaptation", akeys)) == PK_OK &&
      (st = pk_json_param(c, a, "k_tol", "1/h", 1, 1, &k)) == PK_OK) {
    if (k < 0) {
      size_t l2 = pk_json_push_key(c, "k_tol");
      st = pk_json_fail(c, "k_tol must be >= 0 1/h, got %g", k);
      pk_json_pop(c, l2);
    } else {
      m->k_tol_per_h = k;
      m->has_receptor = 1;
    }
  }
  pk_json_pop(c, len);
  const cJSON *w = pk_json_get(root, "withdrawal");
  if (st != PK_OK || !w) return st;
  /* PD version 2 */
  len = pk_json_push_key(c, "withdrawal");
  double kwx = NAN, kwf = NAN, imm = NAN, thr = NAN;
  if ((st = pk_json_check_object(c, w, "withdrawal", wkeys)) == PK_OK &&
      (st = pk_json_param(c, w, "k_wx", "1/h", 1, 1, &kwx)) == PK_OK &&
      (st = pk_json_param(c, w, "k_wf", "1/h", 1, 1, &kwf)) == PK_OK &&
      (st = pk_json_param(c, w, "immediate", "1", 1, 1, &imm)) == PK_OK &&
      (st = pk_json_param(c, w, "threshold", "1", 1, 1, &thr)) == PK_OK) {
    /* each value checked at its own key path */
    static const char *const name[] = {"k_wx", "k_wf", "immediate", "threshold"};
    const double v[] = {kwx, kwf, imm, thr};
    const double lo[] = {1e-6, 1e-6, 0.0, 0.0}, hi[] = {1e4, 1e4, 1.0, 1.0};
    static const char *const what[] = {
        "withdrawal expression rate k_wx must be in [1e-06, 10000] 1/h",
        "fast follower rate k_wf must be in [1e-06, 10000] 1/h",
        "immediate share of withdrawal must be in [0, 1]",
        "withdrawal symptom threshold must be in [0, 1] (fraction of the system maximum)"};
    for (int k = 0; k < 4 && st == PK_OK; k++)
      if (!(v[k] >= lo[k] && v[k] <= hi[k])) {
        size_t l2 = pk_json_push_key(c, name[k]);
        size_t l3 = pk_json_push_key(c, "value");
        st = pk_json_fail(c, "%s, got %g", what[k], v[k]);
        pk_json_pop(c, l3);
        pk_json_pop(c, l2);
      }
    pk_error e2;
    pk_error_clear(&e2);
    if (st == PK_OK && pk_model_set_withdrawal(m, kwx, kwf, imm, thr, &e2) != PK_OK)
      st = pk_json_fail(c, "%s", e2.message);
  }
  pk_json_pop(c, len);
  return st;
}

pk_status pk_model_load_json(pk_model *m, const cJSON *root, const char *file, int pass,
                             pk_error *err) {
  pk_jctx c = {.file = file, .err = err};
  const char *kind = NULL;
  pk_status st = pk_json_string(&c, root, "kind", 1, &kind);
  if (st != PK_OK) return st;
  int is_compound = strcmp(kind, "compound") == 0, is_product = strcmp(kind, "product") == 0,
      is_receptor = strcmp(kind, "receptor") == 0, is_enzyme = strcmp(kind, "enzyme") == 0;
  if (!is_compound && !is_product && !is_receptor && !is_enzyme) {
    size_t len = pk_json_push_key(&c, "kind");
    st = pk_json_fail(&c, "unknown kind '%s'; expected \"compound\", \"product\", "
                      "\"receptor\" or \"enzyme\"", kind);
    pk_json_pop(&c, len);
    return st;
  }
  if (pass == PK_LOAD_COMPOUNDS) {
    if (is_compound) return load_compound(m, &c, root);
    if (is_receptor) return load_receptor(m, &c, root);
    if (is_enzyme) return load_enzyme(m, &c, root);
  } else if (pass == PK_LOAD_CONVERSIONS) {
    if (is_compound) {
      pk_status s2 = load_enzyme_links(m, &c, root);
      return s2 == PK_OK ? load_formation(m, &c, root) : s2;
    }
  } else if (pass == PK_LOAD_PRODUCTS) {
    if (is_product) return load_product(m, &c, root);
  }
  return PK_OK;
}

/* The three passes over one parsed file (takes root). */
static pk_status load_root(pk_model *m, cJSON *root, const char *file, pk_error *err) {
  pk_status st = PK_OK;
  for (int pass = PK_LOAD_COMPOUNDS; st == PK_OK && pass <= PK_LOAD_PRODUCTS; pass++)
    st = pk_model_load_json(m, root, file, pass, err);
  cJSON_Delete(root);
  return st;
}

pk_status pk_model_load_file(pk_model *m, const char *path, pk_error *err) {
  pk_error local; /* the loaders write into err directly */
  if (!err) err = &local;
  pk_error_clear(err);
  if (!m || !path) return pk_err_set(err, PK_ERR_INVALID, path, NULL, "no model or path");
  cJSON *root = NULL;
  pk_status st = pk_json_parse_file(path, &root, err);
  return st == PK_OK ? load_root(m, root, path, err) : st;
}

pk_status pk_model_load_text(pk_model *m, const char *text, size_t len, const char *name,
                             pk_error *err) {
  pk_error local;
  if (!err) err = &local;
  pk_error_clear(err);
  if (!name) name = "";
  if (!m) return pk_err_set(err, PK_ERR_INVALID, name, NULL, "no model");
  cJSON *root = NULL;
  pk_status st = pk_json_parse_text(text, len, name, &root, err);
  return st == PK_OK ? load_root(m, root, name, err) : st;
}
