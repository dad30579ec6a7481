/* target.c - named settings of a subject (target.h): compound parameters
 * (<compound>.<KEY>), k_tol, the withdrawal parameters, tol0 and dose
 * multipliers, shared by populations and sweeps. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "model_load.h"
#include "target.h"

int pk_target_parse(const pk_model *m, const char *text, unsigned allow, pk_target *t,
                    char *msg, size_t n) {
  memset(t, 0, sizeof *t);
  t->compound = -1;
  t->key = -1;
  if (!text || !text[0]) {
    snprintf(msg, n, "empty name; expected <compound>.<KEY>, <metabolite>.fm, k_tol, k_wx, "
             "k_wf, immediate, tol0, dose, dose.<compound> or <product>.content.<compound>");
    return -1;
  }
  const char *what = NULL;
  static const char *const pd_keys[] = {"k_wx", "k_wf", "immediate"};
  for (int k = 0; k < 3; k++)
    if (strcmp(text, pd_keys[k]) == 0) {
      if (!(allow & (1u << PK_TARGET_PD))) {
        snprintf(msg, n, "'%s' cannot be varied here", text);
        return -1;
      }
      if (!m->has_withdrawal) {
        snprintf(msg, n, "'%s': the receptor file has no withdrawal block (PD version 2)", text);
        return -1;
      }
      t->kind = PK_TARGET_PD;
      t->key = k;
      snprintf(t->name, sizeof t->name, "%s", text);
      return 0;
    }
  if (strcmp(text, "k_tol") == 0) {
    t->kind = PK_TARGET_K_TOL;
    snprintf(t->name, sizeof t->name, "k_tol");
  } else if (strcmp(text, "tol0") == 0) {
    t->kind = PK_TARGET_TOL0;
    snprintf(t->name, sizeof t->name, "tol0");
  } else if (strcmp(text, "dose") == 0) {
    t->kind = PK_TARGET_DOSE;
    snprintf(t->name, sizeof t->name, "dose");
  } else if (strncmp(text, "dose.", 5) == 0) {
    t->kind = PK_TARGET_DOSE;
    if ((t->compound = pk_model_find_compound(m, text + 5)) < 0) {
      char dym[PK_NAME_MAX + 32];
      pk_model_suggest_compound(m, text + 5, dym, sizeof dym);
      snprintf(msg, n, "'%s': no compound '%s' in the model files%s", text, text + 5, dym);
      return -1;
    }
    snprintf(t->name, sizeof t->name, "dose.%s", m->compound[t->compound].id);
  } else if (strstr(text, ".content.")) {
    const char *mid = strstr(text, ".content.");
    char prod[PK_ID_MAX + 8];
    size_t len = (size_t)(mid - text);
    if (len >= sizeof prod) len = sizeof prod - 1;
    memcpy(prod, text, len);
    prod[len] = '\0';
    const char *comp = mid + 9;
    t->kind = PK_TARGET_CONTENT;
    if ((t->product = pk_model_find_product(m, prod)) < 0) {
      snprintf(msg, n, "'%s': no product '%s' in the model files", text, prod);
      return -1;
    }
    const pk_product *p = &m->product[t->product];
    if ((t->compound = pk_model_find_compound(m, comp)) < 0) {
      snprintf(msg, n, "'%s': no compound '%s' in the model files", text, comp);
      return -1;
    }
    for (size_t k = 0; k < p->n; k++)
      if (p->compound[k] == t->compound) t->key = (int)k;
    if (t->key < 0) {
      snprintf(msg, n, "'%s': product '%s' does not list compound '%s' in its content", text,
               p->id, m->compound[t->compound].name);
      return -1;
    }
    snprintf(t->name, sizeof t->name, "%s.content.%s", p->id, m->compound[t->compound].id);
  } else {
    const char *dot = strrchr(text, '.');
    if (!dot || dot == text || !dot[1]) {
      static const char *const names[] = {"k_tol", "k_wx", "k_wf", "immediate", "tol0", "dose"};
      char dym[64];
      pk_suggest_suffix(text, names, sizeof names / sizeof names[0], dym, sizeof dym);
      snprintf(msg, n, "'%s': expected <compound>.<KEY> (such as mitragynine.CL), k_tol, k_wx, "
               "k_wf, immediate, tol0, dose, dose.<compound> or <product>.content.<compound>%s",
               text, dym);
      return -1;
    }
    char comp[PK_NAME_MAX + 8];
    size_t len = (size_t)(dot - text);
    if (len >= sizeof comp) len = sizeof comp - 1;
    memcpy(comp, text, len);
    comp[len] = '\0';
    t->kind = PK_TARGET_PARAM;
    if ((t->compound = pk_model_find_compound(m, comp)) < 0) {
      char dym[PK_NAME_MAX + 32];
      pk_model_suggest_compound(m, comp, dym, sizeof dym);
      snprintf(msg, n, "'%s': no compound '%s' in the model files%s", text, comp, dym);
      return -1;
    }
    if (strcmp(dot + 1, "fm") == 0) { /* the metabolite's formation from its parent */
      t->kind = PK_TARGET_FM;
      for (int k = 0; k < m->n_conversions; k++)
        if (m->conversion[k].to == t->compound) {
          if (t->key >= 0) {
            snprintf(msg, n, "'%s': compound '%s' is formed from more than one parent", text,
                     m->compound[t->compound].name);
            return -1;
          }
          t->key = k;
        }
      if (t->key < 0) {
        snprintf(msg, n, "'%s': compound '%s' is not formed from another (no formed_from)",
                 text, m->compound[t->compound].name);
        return -1;
      }
      snprintf(t->name, sizeof t->name, "%s.fm", m->compound[t->compound].id);
      goto allowed;
    }
    if ((t->key = pk_param_find(dot + 1)) < 0) {
      const char *keys[32];
      size_t nk = 0;
      for (const char *k; nk < 31 && (k = pk_param_key((int)nk)); nk++) keys[nk] = k;
      keys[nk++] = "fm";
      char dym[64];
      pk_suggest_suffix(dot + 1, keys, nk, dym, sizeof dym);
      snprintf(msg, n, "'%s': unknown parameter '%s'; expected a key of the model files "
               "(MW, ka, lag, F, V, CL, Vp1, Q1, Vp2, Q2, ke0, fu, K, tau, kon, koff, R, D, "
               "lag_iv, F_iv, R_iv, D_iv) "
               "or fm%s", text, dot + 1, dym);
      return -1;
    }
    pk_compound_params p = m->compound[t->compound];
    char why[PK_ERROR_MESSAGE_MAX];
    double x = pk_target_typical(m, NULL, t);
    if (pk_param_set(&p, t->key, isnan(x) ? 1.0 : x, why, sizeof why) == -1) {
      snprintf(msg, n, "'%s': %s", text, why);
      return -1;
    }
    if (isnan(x)) {
      snprintf(msg, n, "'%s': compound '%s' has no value for %s", text,
               m->compound[t->compound].name, pk_param_key(t->key));
      return -1;
    }
    snprintf(t->name, sizeof t->name, "%s.%s", m->compound[t->compound].id,
             pk_param_key(t->key));
  }
allowed:
  if (!(allow & (1u << t->kind))) {
    what = t->kind == PK_TARGET_DOSE ? "a dose multiplier" : t->kind == PK_TARGET_TOL0
                                                                 ? "tol0"
                                                                 : "this setting";
    snprintf(msg, n, "'%s': %s cannot be used here", text, what);
    return -1;
  }
  return 0;
}

double pk_target_typical(const pk_model *m, const pk_sim_options *o, const pk_target *t) {
  switch (t->kind) {
  case PK_TARGET_PARAM: return pk_param_get(&m->compound[t->compound], t->key);
  case PK_TARGET_K_TOL: return m->k_tol_per_h;
  case PK_TARGET_PD:
    return t->key == 0 ? m->k_wx_per_h : t->key == 1 ? m->k_wf_per_h : m->w_immediate;
  case PK_TARGET_TOL0: return o ? o->tol0 : 0.0;
  case PK_TARGET_DOSE: return 1.0;
  case PK_TARGET_FM: return m->conversion[t->key].fm;
  case PK_TARGET_CONTENT: return m->product[t->product].content[t->key];
  }
  return NAN;
}

int pk_target_apply(pk_model *m, pk_subject_extra *extra, const pk_target *t, double x,
                    char *msg, size_t n) {
  pk_error err;
  switch (t->kind) {
  case PK_TARGET_PARAM: {
    pk_compound_params p = m->compound[t->compound];
    if (pk_param_set(&p, t->key, x, msg, n) != 0) return -1;
    if (pk_model_set_compound(m, t->compound, &p, &err) != PK_OK) {
      snprintf(msg, n, "%s", err.message);
      return -1;
    }
    return 0;
  }
  case PK_TARGET_K_TOL:
    if (pk_model_set_adaptation(m, x, &err) != PK_OK) {
      snprintf(msg, n, "k_tol: %.400s", err.message);
      return -1;
    }
    return 0;
  case PK_TARGET_PD: {
    double v[3] = {m->k_wx_per_h, m->k_wf_per_h, m->w_immediate};
    v[t->key] = x;
    /* k_wx 0 would switch the model to version 1: refused like any rate
     * outside its range */
    if (t->key == 0 && !(x > 0)) {
      snprintf(msg, n, "k_wx must be > 0 1/h, got %g", x);
      return -1;
    }
    if (pk_model_set_withdrawal(m, v[0], v[1], v[2], m->w_threshold, &err) != PK_OK) {
      snprintf(msg, n, "%s: %.400s", t->name, err.message);
      return -1;
    }
    return 0;
  }
  case PK_TARGET_FM: {
    const pk_conversion *cv = &m->conversion[t->key];
    if (!(isfinite(x) && x >= 0 && x <= 1)) {
      snprintf(msg, n, "%s must be in [0, 1], got %g", t->name, x);
      return -1;
    }
    double old = cv->fm;
    m->conversion[t->key].fm = x;
    if (pk_model_check_budgets(m, &err) != PK_OK) {
      m->conversion[t->key].fm = old;
      snprintf(msg, n, "%s = %g: %.400s", t->name, x, err.message);
      return -1;
    }
    return 0;
  }
  case PK_TARGET_CONTENT: {
    pk_product *p = &m->product[t->product];
    int w = p->content_kind == PK_CONTENT_W_W;
    if (!(isfinite(x) && x >= 0 && (!w || x <= 1))) {
      snprintf(msg, n, "%s must be %s, got %g", t->name,
               w ? "a mass fraction in [0, 1] (w/w)" : "a finite number >= 0", x);
      return -1;
    }
    double old = p->content[t->key];
    p->content[t->key] = x;
    if (old == x) return 0;
    if (!(old > 0)) {
      /* the typical regimen has no dose of it to scale */
      snprintf(msg, n, "%s: the product's content is 0 in its file, so its doses hold none "
               "to scale; set it in the scenario (subject.overrides) instead", t->name);
      return -1;
    }
    for (int k = 0; k < extra->n_content; k++)
      if (extra->content[k].product == t->product && extra->content[k].compound == t->compound) {
        extra->content[k].mult *= x / old;
        return 0;
      }
    if (extra->n_content == PK_MAX_CONTENT_SETTINGS) {
      snprintf(msg, n, "more than %d product contents set", PK_MAX_CONTENT_SETTINGS);
      return -1;
    }
    extra->content[extra->n_content].product = t->product;
    extra->content[extra->n_content].compound = t->compound;
    extra->content[extra->n_content].mult = x / old;
    extra->n_content++;
    return 0;
  }
  case PK_TARGET_TOL0:
    if (!(isfinite(x) && x >= 0)) {
      snprintf(msg, n, "tol0 must be a finite number >= 0, got %g", x);
      return -1;
    }
    extra->tol0 = x;
    return 0;
  case PK_TARGET_DOSE:
    if (!(isfinite(x) && x >= 0)) {
      snprintf(msg, n, "%s: a dose multiplier must be a finite number >= 0, got %g", t->name, x);
      return -1;
    }
    for (int c = 0; c < m->n_compounds; c++)
      if (t->compound < 0 || t->compound == c) extra->dose_mult[c] *= x;
    return 0;
  }
  snprintf(msg, n, "unknown setting");
  return -1;
}
