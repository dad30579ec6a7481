/* model.c - building and checking a compartment model in memory. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"

pk_compound_params pk_compound_params_default(void) {
  pk_compound_params p;
  memset(&p, 0, sizeof p);
  p.mw_g_per_mol = p.ka_per_h = p.V_L = p.CL_L_per_h = NAN;
  p.ke0_per_h = p.K_nM = p.tau = p.kon_per_nM_h = p.koff_per_h = NAN;
  p.zo_rate_mg_per_h = p.zo_duration_h = NAN;
  p.zo_rate_iv_mg_per_h = p.zo_duration_iv_h = NAN;
  for (int k = 0; k < PK_MAX_PERIPHERAL; k++) p.Vp_L[k] = p.Q_L_per_h[k] = NAN;
  p.lag_h = p.lag_iv_h = 0.0;
  p.F = p.F_iv = 1.0;
  p.fu = 1.0;
  return p;
}

pk_model *pk_model_new(void) { return calloc(1, sizeof(pk_model)); }
void pk_model_free(pk_model *m) { free(m); }

void pk_model_copy_into(pk_model *dst, const pk_model *src) { *dst = *src; }

/* The range every parameter must lie in (docs/model-format.md, "Ranges").
 * Strictly positive parameters must be normal numbers (not subnormal):
 * a volume of 4.9e-324 L would make CL / V and 1000 / V overflow to inf.
 * The bounds are far outside any physiology but keep every rate of the
 * system, and every concentration factor, finite: rates up to
 * CL_MAX / VOLUME_MIN = 1e15 1/h, 1000 / VOLUME_MIN = 1e9 nM per umol. */
static const double VOLUME_MIN_L = 1e-6, VOLUME_MAX_L = 1e8; /* 1 uL to 1e5 m3 */
static const double FLOW_MAX_L_PER_H = 1e9;                   /* CL, Q */
static const double RATE_MAX_PER_H = 1e6;  /* ka, ke0, koff: half-life 2.5 ms */
static const double KON_MAX_PER_NM_H = 1e6;
static const double MW_MIN = 1.0, MW_MAX = 1e7; /* g/mol */

/* x must be finite, in [lo, hi] (lo excluded when strict), and a normal
 * number when strict. On failure the message names the parameter by its
 * file key and compound, and err->path is the key (callers that read a
 * file prefix their own path). */
static pk_status check_num(pk_error *err, const char *file, const pk_compound_params *p,
                           const char *key, const char *unit, double x, double lo, int strict,
                           double hi) {
  int ok = isfinite(x) && (strict ? x > lo && isnormal(x) : x >= lo) && x <= hi;
  if (ok) return PK_OK;
  char range[96];
  if (isinf(hi))
    snprintf(range, sizeof range, "%s %g", strict ? ">" : ">=", lo);
  else
    snprintf(range, sizeof range, "in %s%g, %g]", strict ? "(" : "[", lo, hi);
  return pk_err_set(err, PK_ERR_INVALID, file, key,
                    "%s of compound '%s' must be a finite%s number %s%s%s, got %g", key,
                    p->name[0] ? p->name : p->id, strict ? ", normal" : "", range,
                    unit[0] ? " " : "", unit, x);
}

pk_status pk_compound_check(const pk_compound_params *p, const char *file, pk_error *err) {
  if (!p->id[0] || !p->name[0])
    return pk_err_set(err, PK_ERR_INVALID, file, NULL, "a compound needs an id and a name");
  pk_status st;
  static const char *const VP[] = {"Vp1", "Vp2"}, *const Q[] = {"Q1", "Q2"};
#define CHECK(key, unit, x, lo, strict, hi)                                                   \
  if ((st = check_num(err, file, p, key, unit, x, lo, strict, hi)) != PK_OK) return st
  CHECK("MW", "g/mol", p->mw_g_per_mol, MW_MIN, 0, MW_MAX);
  CHECK("ka", "1/h", p->ka_per_h, 0, 1, RATE_MAX_PER_H);
  CHECK("lag", "h", p->lag_h, 0, 0, INFINITY);
  CHECK("F", "", p->F, 0, 0, INFINITY);
  CHECK("lag_iv", "h", p->lag_iv_h, 0, 0, INFINITY);
  CHECK("F_iv", "", p->F_iv, 0, 0, INFINITY);
  CHECK("V", "L", p->V_L, VOLUME_MIN_L, 0, VOLUME_MAX_L);
  CHECK("CL", "L/h", p->CL_L_per_h, 0, 0, FLOW_MAX_L_PER_H);
  if (!isnan(p->zo_rate_mg_per_h)) CHECK("R", "mg/h", p->zo_rate_mg_per_h, 0, 1, INFINITY);
  if (!isnan(p->zo_duration_h)) CHECK("D", "h", p->zo_duration_h, 0, 1, INFINITY);
  if (!isnan(p->zo_rate_iv_mg_per_h))
    CHECK("R_iv", "mg/h", p->zo_rate_iv_mg_per_h, 0, 1, INFINITY);
  if (!isnan(p->zo_duration_iv_h)) CHECK("D_iv", "h", p->zo_duration_iv_h, 0, 1, INFINITY);
  if (p->n_peripheral < 0 || p->n_peripheral > PK_MAX_PERIPHERAL)
    return pk_err_set(err, PK_ERR_INVALID, file, NULL,
                      "compound '%s': 0 to %d peripheral compartments, got %d", p->id,
                      PK_MAX_PERIPHERAL, p->n_peripheral);
  for (int k = 0; k < p->n_peripheral; k++) {
    CHECK(VP[k], "L", p->Vp_L[k], VOLUME_MIN_L, 0, VOLUME_MAX_L);
    CHECK(Q[k], "L/h", p->Q_L_per_h[k], 0, 0, FLOW_MAX_L_PER_H);
  }
  if (p->binds_receptor) {
    CHECK("ke0", "1/h", p->ke0_per_h, 0, 1, RATE_MAX_PER_H);
    CHECK("fu", "", p->fu, 0, 1, 1.0);
    CHECK("tau", "", p->tau, 0, 0, INFINITY);
    if (p->kinetic_binding) {
      CHECK("kon", "1/(nM*h)", p->kon_per_nM_h, 0, 1, KON_MAX_PER_NM_H);
      CHECK("koff", "1/h", p->koff_per_h, 0, 1, RATE_MAX_PER_H);
    } else {
      CHECK("K", "nM", p->K_nM, 0, 1, INFINITY);
    }
  }
#undef CHECK
  return PK_OK;
}

pk_status pk_compound_check_at(const pk_compound_params *p, const char *file, const char *path,
                               pk_error *err) {
  pk_status st = pk_compound_check(p, file, err);
  if (st == PK_OK || !err) return st;
  char key[32]; /* a parameter key ("V", "Vp1", ...) */
  snprintf(key, sizeof key, "%.16s", err->path);
  int need;
  if (key[0] && path && path[0])
    need = snprintf(err->path, sizeof err->path, "%s.%s.value", path, key);
  else if (key[0])
    need = snprintf(err->path, sizeof err->path, "%s.value", key);
  else
    need = snprintf(err->path, sizeof err->path, "%s", path ? path : "");
  (void)need; /* a path longer than PK_ERROR_PATH_MAX is cut, as everywhere */
  return st;
}

/* A kinetic ligand's equilibrium constant follows from its rate constants. */
static void derive_K(pk_compound_params *p) {
  if (p->binds_receptor && p->kinetic_binding) p->K_nM = p->koff_per_h / p->kon_per_nM_h;
}

static pk_status check_index(const pk_model *m, int i, pk_error *err) {
  if (!m) return pk_err_set(err, PK_ERR_INVALID, NULL, NULL, "no model");
  if (i < 0 || i >= m->n_compounds)
    return pk_err_set(err, PK_ERR_RANGE, NULL, NULL, "compound index %d out of range [0, %d)",
                      i, m->n_compounds);
  return PK_OK;
}

pk_status pk_model_add_compound(pk_model *m, const pk_compound_params *p, int *index_out,
                                pk_error *err) {
  if (!m || !p) return pk_err_set(err, PK_ERR_INVALID, NULL, NULL, "no model or parameters");
  if (m->n_compounds == PK_MAX_COMPOUNDS)
    return pk_err_set(err, PK_ERR_RANGE, NULL, NULL, "at most %d compounds",
                      PK_MAX_COMPOUNDS);
  pk_status st = pk_compound_check(p, NULL, err);
  if (st != PK_OK) return st;
  if (pk_model_find_compound(m, p->id) >= 0 || pk_model_find_compound(m, p->name) >= 0)
    return pk_err_set(err, PK_ERR_INVALID, NULL, NULL, "compound '%s' (%s) is already loaded",
                      p->id, p->name);
  m->compound[m->n_compounds] = *p;
  derive_K(&m->compound[m->n_compounds]);
  if (index_out) *index_out = m->n_compounds;
  m->n_compounds++;
  return PK_OK;
}

pk_status pk_model_set_compound(pk_model *m, int i, const pk_compound_params *p,
                                pk_error *err) {
  pk_status st = check_index(m, i, err);
  if (st != PK_OK) return st;
  if ((st = pk_compound_check(p, NULL, err)) != PK_OK) return st;
  m->compound[i] = *p;
  derive_K(&m->compound[i]);
  return PK_OK;
}

pk_status pk_model_add_conversion(pk_model *m, int from, int to, double fm,
                                  double f_first_pass, pk_error *err) {
  pk_status st;
  if ((st = check_index(m, from, err)) != PK_OK || (st = check_index(m, to, err)) != PK_OK)
    return st;
  if (from == to)
    return pk_err_set(err, PK_ERR_INVALID, NULL, NULL,
                      "a compound cannot be converted into itself");
  if (!(isfinite(fm) && fm >= 0 && fm <= 1) ||
      !(isfinite(f_first_pass) && f_first_pass >= 0 && f_first_pass <= 1))
    return pk_err_set(err, PK_ERR_INVALID, NULL, NULL,
                      "conversion %s -> %s: fm and f_first_pass must be in [0, 1], got %g and %g",
                      m->compound[from].id, m->compound[to].id, fm, f_first_pass);
  if (m->n_conversions == PK_MAX_CONVERSIONS)
    return pk_err_set(err, PK_ERR_RANGE, NULL, NULL, "at most %d conversions",
                      PK_MAX_CONVERSIONS);
  double sum_fm = fm, sum_fp = f_first_pass;
  for (int k = 0; k < m->n_conversions; k++)
    if (m->conversion[k].from == from) {
      if (m->conversion[k].to == to)
        return pk_err_set(err, PK_ERR_INVALID, NULL, NULL,
                          "conversion %s -> %s is defined twice", m->compound[from].id,
                          m->compound[to].id);
      sum_fm += m->conversion[k].fm;
      sum_fp += m->conversion[k].f_first_pass;
    }
  if (sum_fm > 1.0 || sum_fp > 1.0)
    return pk_err_set(err, PK_ERR_INVALID, NULL, NULL,
                      "conversions out of '%s' sum to fm %g and f_first_pass %g; each sum must "
                      "be <= 1", m->compound[from].id, sum_fm, sum_fp);
  m->conversion[m->n_conversions++] = (pk_conversion){from, to, fm, f_first_pass, -1};
  return PK_OK;
}

/* ---- enzymes ---- */

static pk_status check_enzyme(const pk_model *m, int e, pk_error *err) {
  if (!m || e < 0 || e >= m->n_enzymes)
    return pk_err_set(err, PK_ERR_RANGE, NULL, NULL, "no enzyme %d in the model", e);
  return PK_OK;
}

/* The clearance budget of compound i: the fm of the conversions through
 * enzyme e stay <= i's fraction through e, and (with total) the fractions
 * through enzymes plus the fm of conversions not through one stay <= 1.
 * The total is checked when the model is used (pk_model_check_budgets):
 * while links and conversions are being set one by one it may pass
 * through states that break it. */
static pk_status check_budget(const pk_model *m, int i, int total, pk_error *err) {
  double through = 0.0, plain = 0.0, via[PK_MAX_ENZYMES] = {0};
  for (int e = 0; e < m->n_enzymes; e++) through += m->enzyme[e].f_cl[i];
  for (int k = 0; k < m->n_conversions; k++) {
    const pk_conversion *cv = &m->conversion[k];
    if (cv->from != i) continue;
    if (cv->enzyme >= 0) via[cv->enzyme] += cv->fm;
    else plain += cv->fm;
  }
  if (total && through + plain > 1.0 + 1e-12)
    return pk_err_set(err, PK_ERR_INVALID, NULL, NULL,
                      "compound '%s': the fractions of its clearance through enzymes (%g) and "
                      "the fm of its other conversions (%g) sum to more than 1",
                      m->compound[i].id, through, plain);
  for (int e = 0; e < m->n_enzymes; e++)
    if (via[e] > m->enzyme[e].f_cl[i] + 1e-12)
      return pk_err_set(err, PK_ERR_INVALID, NULL, NULL,
                        "compound '%s': its conversions through enzyme '%s' have fm %g in all, "
                        "more than the fraction of its clearance through that enzyme (%g)",
                        m->compound[i].id, m->enzyme[e].id, via[e], m->enzyme[e].f_cl[i]);
  return PK_OK;
}

pk_status pk_model_add_enzyme(pk_model *m, const char *id, const char *name, double kdeg_per_h,
                              int *index_out, pk_error *err) {
  if (!m || !id || !id[0] || !name)
    return pk_err_set(err, PK_ERR_INVALID, NULL, NULL, "an enzyme needs an id and a name");
  if (strlen(id) >= PK_ID_MAX || strlen(name) >= PK_NAME_MAX)
    return pk_err_set(err, PK_ERR_INVALID, NULL, NULL,
                      "enzyme id or name too long (at most %d and %d characters)", PK_ID_MAX - 1,
                      PK_NAME_MAX - 1);
  if (pk_model_find_enzyme(m, id) >= 0 || pk_model_find_enzyme(m, name) >= 0)
    return pk_err_set(err, PK_ERR_INVALID, NULL, NULL, "enzyme '%s' is already loaded", id);
  if (!(isfinite(kdeg_per_h) && kdeg_per_h >= 1e-6 && kdeg_per_h <= RATE_MAX_PER_H))
    return pk_err_set(err, PK_ERR_INVALID, NULL, NULL,
                      "enzyme '%s': turnover rate kdeg must be in [1e-06, %g] 1/h, got %g", id,
                      RATE_MAX_PER_H, kdeg_per_h);
  if (m->n_enzymes == PK_MAX_ENZYMES)
    return pk_err_set(err, PK_ERR_RANGE, NULL, NULL, "at most %d enzymes", PK_MAX_ENZYMES);
  pk_enzyme *z = &m->enzyme[m->n_enzymes];
  memset(z, 0, sizeof *z);
  snprintf(z->id, sizeof z->id, "%s", id);
  snprintf(z->name, sizeof z->name, "%s", name);
  z->kdeg_per_h = kdeg_per_h;
  for (int i = 0; i < PK_MAX_COMPOUNDS; i++) z->fu_plasma[i] = 1.0, z->KI_nM[i] = 1.0;
  if (index_out) *index_out = m->n_enzymes;
  m->n_enzymes++;
  return PK_OK;
}

pk_status pk_model_set_enzyme_clearance(pk_model *m, int compound, int enzyme, double fraction,
                                        pk_error *err) {
  pk_status st;
  if ((st = check_index(m, compound, err)) != PK_OK || (st = check_enzyme(m, enzyme, err)) != PK_OK)
    return st;
  if (!(isfinite(fraction) && fraction >= 0 && fraction <= 1))
    return pk_err_set(err, PK_ERR_INVALID, NULL, NULL,
                      "compound '%s': the fraction of its clearance through enzyme '%s' must be "
                      "in [0, 1], got %g", m->compound[compound].id, m->enzyme[enzyme].id,
                      fraction);
  double old = m->enzyme[enzyme].f_cl[compound];
  m->enzyme[enzyme].f_cl[compound] = fraction;
  if ((st = check_budget(m, compound, 0, err)) != PK_OK) m->enzyme[enzyme].f_cl[compound] = old;
  return st;
}

pk_status pk_model_set_enzyme_inactivation(pk_model *m, int compound, int enzyme, double KI_nM,
                                           double kinact_per_h, double fu_plasma,
                                           double Q_h_L_per_h, pk_error *err) {
  pk_status st;
  if ((st = check_index(m, compound, err)) != PK_OK || (st = check_enzyme(m, enzyme, err)) != PK_OK)
    return st;
  if (!(isfinite(KI_nM) && KI_nM > 0 && KI_nM <= 1e12) ||
      !(isfinite(kinact_per_h) && kinact_per_h >= 0 && kinact_per_h <= RATE_MAX_PER_H) ||
      !(isfinite(fu_plasma) && fu_plasma > 0 && fu_plasma <= 1) ||
      !(isfinite(Q_h_L_per_h) && Q_h_L_per_h >= 0 && Q_h_L_per_h <= FLOW_MAX_L_PER_H) ||
      (Q_h_L_per_h > 0 && Q_h_L_per_h < VOLUME_MIN_L))
    return pk_err_set(err, PK_ERR_INVALID, NULL, NULL,
                      "compound '%s' inactivating enzyme '%s': expected KI in (0, 1e12] nM, "
                      "kinact in [0, %g] 1/h, fu_plasma in (0, 1] and hepatic blood flow 0 or "
                      "in [%g, %g] L/h, got %g, %g, %g and %g",
                      m->compound[compound].id, m->enzyme[enzyme].id, RATE_MAX_PER_H,
                      VOLUME_MIN_L, FLOW_MAX_L_PER_H, KI_nM, kinact_per_h, fu_plasma,
                      Q_h_L_per_h);
  pk_enzyme *z = &m->enzyme[enzyme];
  z->KI_nM[compound] = KI_nM;
  z->kinact_per_h[compound] = kinact_per_h;
  z->fu_plasma[compound] = fu_plasma;
  z->Qh_L_per_h[compound] = Q_h_L_per_h;
  return PK_OK;
}

pk_status pk_model_set_conversion_enzyme(pk_model *m, int from, int to, int enzyme,
                                         pk_error *err) {
  pk_status st;
  if ((st = check_index(m, from, err)) != PK_OK || (st = check_index(m, to, err)) != PK_OK ||
      (st = check_enzyme(m, enzyme, err)) != PK_OK)
    return st;
  for (int k = 0; k < m->n_conversions; k++) {
    pk_conversion *cv = &m->conversion[k];
    if (cv->from != from || cv->to != to) continue;
    int old = cv->enzyme;
    cv->enzyme = enzyme;
    if ((st = check_budget(m, from, 0, err)) != PK_OK) cv->enzyme = old;
    return st;
  }
  return pk_err_set(err, PK_ERR_INVALID, NULL, NULL, "no conversion %s -> %s in the model",
                    m->compound[from].id, m->compound[to].id);
}

pk_status pk_model_check_budgets(const pk_model *m, pk_error *err) {
  pk_status st = PK_OK;
  for (int i = 0; i < m->n_compounds && st == PK_OK; i++) st = check_budget(m, i, 1, err);
  return st;
}

pk_status pk_model_get_enzyme(const pk_model *m, int e, double *kdeg_per_h, pk_error *err) {
  pk_status st = check_enzyme(m, e, err);
  if (st == PK_OK && kdeg_per_h) *kdeg_per_h = m->enzyme[e].kdeg_per_h;
  return st;
}

pk_status pk_model_get_enzyme_link(const pk_model *m, int compound, int enzyme,
                                   double *fraction, double *KI_nM, double *kinact_per_h,
                                   double *fu_plasma, double *Q_h_L_per_h, pk_error *err) {
  pk_status st;
  if ((st = check_index(m, compound, err)) != PK_OK || (st = check_enzyme(m, enzyme, err)) != PK_OK)
    return st;
  const pk_enzyme *z = &m->enzyme[enzyme];
  if (fraction) *fraction = z->f_cl[compound];
  if (KI_nM) *KI_nM = z->KI_nM[compound];
  if (kinact_per_h) *kinact_per_h = z->kinact_per_h[compound];
  if (fu_plasma) *fu_plasma = z->fu_plasma[compound];
  if (Q_h_L_per_h) *Q_h_L_per_h = z->Qh_L_per_h[compound];
  return PK_OK;
}

pk_status pk_model_get_conversion(const pk_model *m, int from, int to, double *fm,
                                  double *f_first_pass, int *enzyme, pk_error *err) {
  pk_status st;
  if ((st = check_index(m, from, err)) != PK_OK || (st = check_index(m, to, err)) != PK_OK)
    return st;
  for (int k = 0; k < m->n_conversions; k++) {
    const pk_conversion *cv = &m->conversion[k];
    if (cv->from != from || cv->to != to) continue;
    if (fm) *fm = cv->fm;
    if (f_first_pass) *f_first_pass = cv->f_first_pass;
    if (enzyme) *enzyme = cv->enzyme;
    return PK_OK;
  }
  return pk_err_set(err, PK_ERR_INVALID, NULL, NULL, "no conversion %s -> %s in the model",
                    m->compound[from].id, m->compound[to].id);
}

int pk_model_enzyme_count(const pk_model *m) { return m ? m->n_enzymes : 0; }

int pk_model_find_enzyme(const pk_model *m, const char *id_or_name) {
  if (!m || !id_or_name) return -1;
  for (int e = 0; e < m->n_enzymes; e++)
    if (strcmp(m->enzyme[e].id, id_or_name) == 0 || strcmp(m->enzyme[e].name, id_or_name) == 0)
      return e;
  return -1;
}

const char *pk_model_enzyme_id(const pk_model *m, int e) {
  return m && e >= 0 && e < m->n_enzymes ? m->enzyme[e].id : NULL;
}

pk_status pk_model_add_product_full(pk_model *m, const pk_product *p, pk_error *err) {
  if (!m || !p || !p->id[0])
    return pk_err_set(err, PK_ERR_INVALID, NULL, NULL, "a product needs an id");
  if (pk_model_find_product(m, p->id) >= 0)
    return pk_err_set(err, PK_ERR_INVALID, NULL, NULL, "product '%s' is already loaded", p->id);
  if (m->n_products == PK_MAX_PRODUCTS)
    return pk_err_set(err, PK_ERR_RANGE, NULL, NULL, "at most %d products", PK_MAX_PRODUCTS);
  if (p->n == 0 || p->n > PK_MAX_COMPOUNDS)
    return pk_err_set(err, PK_ERR_INVALID, NULL, NULL,
                      "product '%s' must contain 1 to %d compounds", p->id, PK_MAX_COMPOUNDS);
  if (!(isfinite(p->release_h) && p->release_h >= 0))
    return pk_err_set(err, PK_ERR_INVALID, NULL, NULL,
                      "product '%s': release time must be finite and >= 0 h, got %g", p->id,
                      p->release_h);
  if (p->content_kind == PK_CONTENT_MG_PER_H && !(p->release_h > 0))
    return pk_err_set(err, PK_ERR_INVALID, NULL, NULL,
                      "product '%s' delivers mg/h and needs a release time > 0 h", p->id);
  double total = 0;
  for (size_t k = 0; k < p->n; k++) {
    pk_status st = check_index(m, p->compound[k], err);
    if (st != PK_OK) return st;
    double x = p->content[k];
    int w = p->content_kind == PK_CONTENT_W_W;
    if (!(isfinite(x) && x >= 0 && (!w || x <= 1)))
      return pk_err_set(err, PK_ERR_INVALID, NULL, NULL,
                        "product '%s': content of '%s' must be %s, got %g", p->id,
                        m->compound[p->compound[k]].id,
                        w ? "a mass fraction in [0, 1]" : "finite and >= 0", x);
    for (size_t j = 0; j < k; j++)
      if (p->compound[j] == p->compound[k])
        return pk_err_set(err, PK_ERR_INVALID, NULL, NULL,
                          "product '%s' lists compound '%s' twice", p->id,
                          m->compound[p->compound[k]].id);
    total += x;
  }
  if (p->content_kind == PK_CONTENT_W_W && total > 1.0)
    return pk_err_set(err, PK_ERR_INVALID, NULL, NULL,
                      "product '%s': contents sum to %g, more than the whole product", p->id,
                      total);
  m->product[m->n_products++] = *p;
  return PK_OK;
}

pk_status pk_model_add_product(pk_model *m, const char *id, size_t n, const int *compound,
                               const double *w_frac, int *index_out, pk_error *err) {
  if (!m || !id || !id[0])
    return pk_err_set(err, PK_ERR_INVALID, NULL, NULL, "a product needs an id");
  if (strlen(id) >= PK_ID_MAX)
    return pk_err_set(err, PK_ERR_INVALID, NULL, NULL, "product id '%s' is longer than %d",
                      id, PK_ID_MAX - 1);
  if (n > PK_MAX_COMPOUNDS)
    return pk_err_set(err, PK_ERR_INVALID, NULL, NULL,
                      "product '%s' must contain 1 to %d compounds", id, PK_MAX_COMPOUNDS);
  pk_product p;
  memset(&p, 0, sizeof p);
  snprintf(p.id, sizeof p.id, "%s", id);
  snprintf(p.name, sizeof p.name, "%s", id);
  snprintf(p.route_name, sizeof p.route_name, "oral");
  snprintf(p.dose_unit, sizeof p.dose_unit, "g");
  p.route = PK_ROUTE_ORAL;
  p.content_kind = PK_CONTENT_W_W;
  p.n = n;
  for (size_t k = 0; k < n; k++) {
    p.compound[k] = compound[k];
    p.content[k] = w_frac[k];
    p.ka_per_h[k] = p.F[k] = p.lag_h[k] = NAN;
  }
  pk_status st = pk_model_add_product_full(m, &p, err);
  if (st == PK_OK && index_out) *index_out = m->n_products - 1;
  return st;
}

pk_status pk_model_set_adaptation(pk_model *m, double k_tol_per_h, pk_error *err) {
  if (!m) return pk_err_set(err, PK_ERR_INVALID, NULL, NULL, "no model");
  if (!(isfinite(k_tol_per_h) && k_tol_per_h >= 0))
    return pk_err_set(err, PK_ERR_INVALID, NULL, NULL,
                      "adaptation rate k_tol must be finite and >= 0 1/h, got %g", k_tol_per_h);
  m->k_tol_per_h = k_tol_per_h;
  return PK_OK;
}

double pk_model_adaptation(const pk_model *m) { return m ? m->k_tol_per_h : NAN; }

pk_status pk_model_set_withdrawal(pk_model *m, double k_wx_per_h, double k_wf_per_h,
                                  double immediate, double threshold, pk_error *err) {
  if (!m) return pk_err_set(err, PK_ERR_INVALID, NULL, NULL, "no model");
  if (k_wx_per_h == 0.0) {
    m->has_withdrawal = 0;
    return PK_OK;
  }
  if (!(isfinite(k_wx_per_h) && k_wx_per_h >= 1e-6 && k_wx_per_h <= 1e4))
    return pk_err_set(err, PK_ERR_RANGE, NULL, NULL,
                      "withdrawal expression rate k_wx must be in [1e-06, 10000] 1/h (or 0 "
                      "for version 1), got %g", k_wx_per_h);
  if (!(isfinite(k_wf_per_h) && k_wf_per_h >= 1e-6 && k_wf_per_h <= 1e4))
    return pk_err_set(err, PK_ERR_RANGE, NULL, NULL,
                      "fast follower rate k_wf must be in [1e-06, 10000] 1/h, got %g",
                      k_wf_per_h);
  if (!(immediate >= 0.0 && immediate <= 1.0))
    return pk_err_set(err, PK_ERR_RANGE, NULL, NULL,
                      "immediate share of withdrawal must be in [0, 1], got %g", immediate);
  if (!(isfinite(threshold) && threshold >= 0.0 && threshold <= 1.0))
    return pk_err_set(err, PK_ERR_RANGE, NULL, NULL,
                      "withdrawal symptom threshold must be in [0, 1] (fraction of the system "
                      "maximum), got %g", threshold);
  m->has_withdrawal = 1;
  m->k_wx_per_h = k_wx_per_h;
  m->k_wf_per_h = k_wf_per_h;
  m->w_immediate = immediate;
  m->w_threshold = threshold;
  return PK_OK;
}

int pk_model_withdrawal(const pk_model *m, double *k_wx_per_h, double *k_wf_per_h,
                        double *immediate, double *threshold) {
  int on = m && m->has_withdrawal;
  if (k_wx_per_h) *k_wx_per_h = on ? m->k_wx_per_h : 0.0;
  if (k_wf_per_h) *k_wf_per_h = on ? m->k_wf_per_h : 0.0;
  if (immediate) *immediate = on ? m->w_immediate : 1.0;
  if (threshold) *threshold = on ? m->w_threshold : NAN;
  return on;
}
int pk_model_compound_count(const pk_model *m) { return m ? m->n_compounds : 0; }
int pk_model_product_count(const pk_model *m) { return m ? m->n_products : 0; }

int pk_model_find_compound(const pk_model *m, const char *id_or_name) {
  if (!m || !id_or_name) return -1;
  for (int i = 0; i < m->n_compounds; i++)
    if (strcmp(m->compound[i].id, id_or_name) == 0 ||
        strcmp(m->compound[i].name, id_or_name) == 0)
      return i;
  return -1;
}

int pk_model_find_product(const pk_model *m, const char *id_or_name) {
  if (!m || !id_or_name) return -1;
  for (int i = 0; i < m->n_products; i++)
    if (strcmp(m->product[i].id, id_or_name) == 0) return i;
  return -1;
}

pk_status pk_model_get_compound(const pk_model *m, int i, pk_compound_params *out,
                                pk_error *err) {
  pk_status st = check_index(m, i, err);
  if (st == PK_OK) *out = m->compound[i];
  return st;
}

size_t pk_model_product_size(const pk_model *m, int p) {
  return (m && p >= 0 && p < m->n_products) ? m->product[p].n : 0;
}

pk_status pk_model_product_content(const pk_model *m, int p, size_t k, int *compound,
                                   double *w_frac, pk_error *err) {
  if (!m || p < 0 || p >= m->n_products || k >= m->product[p].n)
    return pk_err_set(err, PK_ERR_RANGE, NULL, NULL, "product %d content %zu out of range", p,
                      k);
  *compound = m->product[p].compound[k];
  *w_frac = m->product[p].content[k];
  return PK_OK;
}

const char *pk_model_product_dose_unit(const pk_model *m, int p) {
  return (m && p >= 0 && p < m->n_products) ? m->product[p].dose_unit : NULL;
}

const char *pk_model_product_route(const pk_model *m, int p) {
  return (m && p >= 0 && p < m->n_products) ? m->product[p].route_name : NULL;
}

pk_status pk_product_add_dose(const pk_product *p, const pk_dose *base, double amount,
                              pk_regimen *r, pk_error *err) {
  pk_status st = PK_OK;
  pk_dose dose = *base;
  size_t dosed = 0;
  for (size_t k = 0; k < p->n; k++) dosed += p->content[k] > 0;
  for (size_t k = 0, i = 0; k < p->n && st == PK_OK; k++) {
    if (!(p->content[k] > 0)) continue;
    /* one reset, before the first compound's dose: a reset (or SS 1) on
     * each would drop the compounds dosed before it */
    dose.reset = i == 0 && (base->reset || (base->ss == 1 && dosed > 1));
    if (base->ss == 1 && dosed > 1) dose.ss = 2;
    i++;
    dose.compound = p->compound[k];
    dose.route = p->route;
    dose.duration_h = p->release_h;
    dose.ka_per_h = p->ka_per_h[k];
    dose.F = p->F[k];
    dose.lag_h = p->lag_h[k];
    switch (p->content_kind) {
    case PK_CONTENT_W_W: dose.amount_mg = 1000.0 * amount * p->content[k]; break;
    case PK_CONTENT_MG_PER_UNIT: dose.amount_mg = amount * p->content[k]; break;
    case PK_CONTENT_MG_PER_H: dose.amount_mg = amount * p->content[k] * p->release_h; break;
    }
    st = pk_regimen_add(r, &dose, err);
  }
  return st;
}

void pk_model_suggest_compound(const pk_model *m, const char *name, char *buf, size_t cap) {
  const char *names[2 * PK_MAX_COMPOUNDS];
  size_t n = 0;
  for (int i = 0; m && i < m->n_compounds; i++) {
    names[n++] = m->compound[i].id;
    names[n++] = m->compound[i].name;
  }
  pk_suggest_suffix(name, names, n, buf, cap);
}
