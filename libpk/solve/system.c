/* system.c - compile a model into a rate matrix, a state layout and the
 * output columns; the receptor and adaptation right-hand sides. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "response.h"
#include "system.h"

static double dose_ka(const pk_model *m, const pk_dose *d) {
  return isnan(d->ka_per_h) ? m->compound[d->compound].ka_per_h : d->ka_per_h;
}

int pk_system_depot_for(const pk_system *s, const pk_model *m, const pk_dose *d) {
  if (d->route == PK_ROUTE_IV) return -1;
  double ka = dose_ka(m, d);
  int fp = d->route == PK_ROUTE_ORAL;
  for (int k = 0; k < s->n_depots; k++)
    if (s->depot_compound[k] == d->compound && s->depot_ka[k] == ka &&
        s->depot_first_pass[k] == fp)
      return s->depot_state[k];
  return -1;
}

/* Registers a depot (compound, ka, first pass) unless it exists. */
static pk_status add_depot(pk_system *s, int compound, double ka, int first_pass,
                           pk_error *err) {
  for (int k = 0; k < s->n_depots; k++)
    if (s->depot_compound[k] == compound && s->depot_ka[k] == ka &&
        s->depot_first_pass[k] == first_pass)
      return PK_OK;
  if (s->n_depots == PK_MAX_DEPOTS)
    return pk_err_set(err, PK_ERR_RANGE, NULL, NULL,
                      "more than %d distinct absorption depots (compound, ka, route)",
                      PK_MAX_DEPOTS);
  s->depot_compound[s->n_depots] = compound;
  s->depot_ka[s->n_depots] = ka;
  s->depot_first_pass[s->n_depots] = first_pass;
  s->n_depots++;
  return PK_OK;
}

static pk_status collect_depots(pk_system *s, const pk_model *m,
                                const pk_regimen *const *regimens, size_t n, pk_error *err) {
  pk_status st = PK_OK;
  for (int i = 0; i < m->n_compounds && st == PK_OK; i++)
    st = add_depot(s, i, m->compound[i].ka_per_h, 1, err);
  for (size_t r = 0; r < n && st == PK_OK; r++)
    for (size_t k = 0; regimens[r] && k < regimens[r]->n && st == PK_OK; k++) {
      const pk_dose *d = &regimens[r]->dose[k];
      if (d->compound < 0 || d->compound >= m->n_compounds)
        return pk_err_set(err, PK_ERR_RANGE, NULL, NULL, "dose %zu: no compound %d in the model",
                          k, d->compound);
      if (d->route != PK_ROUTE_IV)
        st = add_depot(s, d->compound, dose_ka(m, d), d->route == PK_ROUTE_ORAL, err);
    }
  return st;
}

/* Lays out the states: per compound its depots, central, peripherals, effect
 * site and eliminated amount; then tol; then kinetic bound fractions. */
static void layout(pk_system *s, const pk_model *m) {
  int n = 0;
  for (int i = 0; i < m->n_compounds; i++) {
    const pk_compound_params *c = &m->compound[i];
    for (int k = 0; k < s->n_depots; k++)
      if (s->depot_compound[k] == i) s->depot_state[k] = n++;
    s->central[i] = n++;
    s->n_periph[i] = c->n_peripheral;
    for (int k = 0; k < c->n_peripheral; k++) s->periph[i][k] = n++;
    s->ce[i] = -1;
    if (c->binds_receptor) {
      int l = s->n_ligands++;
      s->ce[i] = n++;
      s->lig_compound[l] = i;
      s->lig_state[l] = s->ce[i];
      s->lig_fu[l] = c->fu;
      s->lig_K_nM[l] = c->K_nM;
      s->lig_tau[l] = c->tau;
      s->lig_kon[l] = c->kinetic_binding ? c->kon_per_nM_h : NAN;
      s->lig_koff[l] = c->kinetic_binding ? c->koff_per_h : NAN;
    }
    s->elim[i] = n++;
    s->V_L[i] = c->V_L;
  }
  s->n_lin = n;
  s->tol = n++;
  s->n_filt = m->has_withdrawal ? PK_PD_FILTERS : 0;
  for (int j = 0; j < PK_PD_FILTERS; j++) s->filt[j] = j < s->n_filt ? n++ : -1;
  for (int l = 0; l < s->n_ligands; l++) {
    s->lig_bound[l] = m->compound[s->lig_compound[l]].kinetic_binding ? n++ : -1;
    if (s->lig_bound[l] >= 0) s->n_kinetic++;
  }
  s->n_enz = m->n_enzymes;
  for (int e = 0; e < m->n_enzymes; e++) {
    s->enz[e] = n++;
    s->enz_kdeg[e] = m->enzyme[e].kdeg_per_h;
  }
  s->n_states = n;
}

/* Fills A and the enzyme terms; -1 if a compound has more oral depots
 * than an inactivation's inlet concentration takes. */
static int fill_rates(pk_system *s, const pk_model *m) {
  int n = s->n_lin;
#define A_(r, c) s->A[(size_t)(r) * (size_t)n + (size_t)(c)]
  /* fm_out: conversions not through an enzyme; f_enz: the fractions of CL
   * through enzymes, which the flows carry (pk_system_enzyme_flows) */
  double fm_out[PK_MAX_COMPOUNDS] = {0}, fp_out[PK_MAX_COMPOUNDS] = {0};
  double f_enz[PK_MAX_COMPOUNDS] = {0}, fm_enz[PK_MAX_ENZYMES][PK_MAX_COMPOUNDS] = {{0}};
  for (int k = 0; k < m->n_conversions; k++) {
    const pk_conversion *cv = &m->conversion[k];
    if (cv->enzyme >= 0) fm_enz[cv->enzyme][cv->from] += cv->fm;
    else fm_out[cv->from] += cv->fm;
    fp_out[cv->from] += cv->f_first_pass;
  }
  for (int e = 0; e < m->n_enzymes; e++)
    for (int i = 0; i < m->n_compounds; i++) {
      const pk_enzyme *z = &m->enzyme[e];
      const pk_compound_params *c = &m->compound[i];
      f_enz[i] += z->f_cl[i];
      double ke = c->CL_L_per_h / c->V_L;
      if (z->f_cl[i] > 0)
        s->eflow[s->n_eflow++] = (struct pk_eflow){e, s->central[i], s->elim[i],
                                                   ke * (z->f_cl[i] - fm_enz[e][i])};
      if (z->kinact_per_h[i] > 0) {
        struct pk_einact *q = &s->einact[s->n_einact++];
        *q = (struct pk_einact){.enz = e, .KI_nM = z->KI_nM[i], .kinact_per_h = z->kinact_per_h[i]};
        q->src[q->n_src] = s->central[i];
        q->w[q->n_src++] = z->fu_plasma[i] * 1000.0 / c->V_L;
        for (int d = 0; z->Qh_L_per_h[i] > 0 && d < s->n_depots; d++)
          if (s->depot_compound[d] == i && s->depot_first_pass[d]) {
            if (q->n_src == PK_EINACT_SOURCES) return -1;
            q->src[q->n_src] = s->depot_state[d];
            q->w[q->n_src++] = z->fu_plasma[i] * 1000.0 * s->depot_ka[d] / z->Qh_L_per_h[i];
          }
      }
    }
  for (int k = 0; k < m->n_conversions; k++) {
    const pk_conversion *cv = &m->conversion[k];
    if (cv->enzyme < 0) continue;
    const pk_compound_params *from = &m->compound[cv->from];
    s->eflow[s->n_eflow++] = (struct pk_eflow){cv->enzyme, s->central[cv->from],
                                               s->central[cv->to],
                                               cv->fm * from->CL_L_per_h / from->V_L};
  }
  for (int d = 0; d < s->n_depots; d++) {
    int i = s->depot_compound[d], g = s->depot_state[d];
    double ka = s->depot_ka[d];
    A_(g, g) = -ka;
    A_(s->central[i], g) += ka * (1.0 - (s->depot_first_pass[d] ? fp_out[i] : 0.0));
    for (int k = 0; s->depot_first_pass[d] && k < m->n_conversions; k++)
      if (m->conversion[k].from == i)
        A_(s->central[m->conversion[k].to], g) += m->conversion[k].f_first_pass * ka;
  }
  for (int i = 0; i < m->n_compounds; i++) {
    const pk_compound_params *c = &m->compound[i];
    int cen = s->central[i];
    double ke = c->CL_L_per_h / c->V_L;
    A_(cen, cen) -= ke * (1.0 - f_enz[i]);
    for (int k = 0; k < c->n_peripheral; k++) {
      int p = s->periph[i][k];
      double q = c->Q_L_per_h[k];
      A_(cen, cen) -= q / c->V_L;
      A_(cen, p) += q / c->Vp_L[k];
      A_(p, cen) += q / c->V_L;
      A_(p, p) -= q / c->Vp_L[k];
    }
    if (s->ce[i] >= 0) {
      A_(s->ce[i], cen) = c->ke0_per_h * 1000.0 / c->V_L;
      A_(s->ce[i], s->ce[i]) = -c->ke0_per_h;
    }
    A_(s->elim[i], cen) = ke * (1.0 - f_enz[i] - fm_out[i]);
  }
  for (int k = 0; k < m->n_conversions; k++) {
    const pk_conversion *cv = &m->conversion[k];
    const pk_compound_params *from = &m->compound[cv->from];
    if (cv->enzyme >= 0) continue; /* an enzyme-scaled flow */
    A_(s->central[cv->to], s->central[cv->from]) += cv->fm * from->CL_L_per_h / from->V_L;
  }
#undef A_
  return 0;
}

pk_status pk_system_init(pk_system *s, const pk_model *m, const pk_regimen *const *regimens,
                         size_t n, int include_amounts, pk_error *err) {
  memset(s, 0, sizeof *s);
  if (!m || m->n_compounds == 0)
    return pk_err_set(err, PK_ERR_INVALID, NULL, NULL, "the model has no compound");
  pk_status st = pk_model_check_budgets(m, err);
  if (st != PK_OK) return st;
  st = collect_depots(s, m, regimens, n, err);
  if (st != PK_OK) return st;
  layout(s, m);
  s->n_compounds = m->n_compounds;
  s->k_tol_per_h = m->k_tol_per_h;
  s->k_filt[PK_PD_WX] = m->has_withdrawal ? m->k_wx_per_h : 0.0;
  s->k_filt[PK_PD_WF] = m->has_withdrawal ? m->k_wf_per_h : 0.0;
  double beta = m->has_withdrawal ? m->w_immediate : 1.0;
  s->w_delta = beta;
  s->w_filt[PK_PD_WX] = 1.0 - beta;
  s->w_filt[PK_PD_WF] = -beta;
  s->include_amounts = include_amounts;
  s->A = calloc((size_t)s->n_lin * (size_t)s->n_lin, sizeof *s->A);
  if (!s->A) return pk_err_nomem(err);
  if (fill_rates(s, m) != 0)
    return pk_err_set(err, PK_ERR_RANGE, NULL, NULL,
                      "an enzyme-inactivating compound is dosed by mouth with more than %d "
                      "absorption rates", PK_EINACT_SOURCES - 1);
  s->n_cols = 1 + m->n_compounds + s->n_ligands + 1 + s->n_ligands + 4 + s->n_filt + s->n_enz;
  if (include_amounts)
    for (int i = 0; i < m->n_compounds; i++) s->n_cols += 3 + s->n_periph[i];
  return PK_OK;
}

void pk_system_release(pk_system *s) {
  if (!s) return;
  free(s->A);
  s->A = NULL;
}

pk_pd_columns pk_system_pd_columns(const pk_system *s) {
  /* time, C per compound, ce and occupancy per ligand, occ, then E, net, tol */
  int E = 1 + s->n_compounds + 2 * s->n_ligands + 1, tol = E + 2;
  return (pk_pd_columns){.E = E, .tol = tol, .wx = s->n_filt ? tol + 1 : -1,
                         .wf = s->n_filt ? tol + 2 : -1, .W = tol + 1 + s->n_filt};
}

pk_status pk_system_name_columns(const pk_system *s, const pk_model *m, pk_trajectory *t) {
  char name[96];
  size_t j = 0;
  pk_status st = PK_OK;
#define NAME(...)                                                                             \
  do {                                                                                        \
    snprintf(name, sizeof name, __VA_ARGS__);                                                 \
    if ((st = pk_trajectory_set_name(t, j++, name)) != PK_OK) return st;                      \
  } while (0)
  NAME("time_h");
  for (int i = 0; i < s->n_compounds; i++) NAME("C_%s", m->compound[i].id);
  for (int l = 0; l < s->n_ligands; l++) NAME("ce_%s", m->compound[s->lig_compound[l]].id);
  NAME("occ");
  for (int l = 0; l < s->n_ligands; l++) NAME("occ_%s", m->compound[s->lig_compound[l]].id);
  NAME("E");
  NAME("net");
  NAME("tol");
  if (s->n_filt) {
    NAME("wx");
    NAME("wf");
  }
  NAME("W");
  for (int e = 0; e < s->n_enz; e++) NAME("act_%s", m->enzyme[e].id);
  if (s->include_amounts)
    for (int i = 0; i < s->n_compounds; i++) {
      const char *id = m->compound[i].id;
      NAME("A_depot_%s", id);
      NAME("A_central_%s", id);
      for (int k = 0; k < s->n_periph[i]; k++) NAME("A_periph%d_%s", k + 1, id);
      NAME("A_elim_%s", id);
    }
#undef NAME
  return st;
}

void pk_system_response(const pk_system *s, const double *y, double *occ_lig, double *occ,
                        double *E) {
  /* response.h: X, T over the ligands at equilibrium, B, S_k over the
   * kinetic ones */
  double bound = 0.0, S_k = 0.0, sum_x = 0.0, sum_tx = 0.0;
  for (int l = 0; l < s->n_ligands; l++) {
    if (s->lig_bound[l] >= 0) {
      bound += y[s->lig_bound[l]];
      S_k += s->lig_tau[l] * y[s->lig_bound[l]];
    } else {
      double x = s->lig_fu[l] * y[s->lig_state[l]] / s->lig_K_nM[l];
      sum_x += x;
      sum_tx += s->lig_tau[l] * x;
    }
  }
  /* equilibrium ligands share the receptors that kinetic ones leave free */
  double scale = (1.0 - bound) * PK_RESPONSE_FREE(sum_x);
  if (occ_lig)
    for (int l = 0; l < s->n_ligands; l++)
      occ_lig[l] = s->lig_bound[l] >= 0 ? y[s->lig_bound[l]]
                                        : s->lig_fu[l] * y[s->lig_state[l]] / s->lig_K_nM[l] * scale;
  *occ = bound + sum_x * scale;
  *E = pk_response_E_kinetic(sum_x, sum_tx, bound, S_k);
}

void pk_system_nonlinear_rhs(const pk_system *s, const double *y, double *dydt) {
  double occ, E;
  pk_system_response(s, y, NULL, &occ, &E);
  dydt[s->tol] = s->k_tol_per_h * (E - y[s->tol]);
  for (int j = 0; j < s->n_filt; j++)
    dydt[s->filt[j]] = s->k_filt[j] * (y[s->tol] - E - y[s->filt[j]]);
  double free_frac = 1.0 - occ;
  for (int l = 0; l < s->n_ligands; l++) {
    int b = s->lig_bound[l];
    if (b < 0) continue;
    double u = s->lig_fu[l] * y[s->lig_state[l]];
    dydt[b] = s->lig_kon[l] * u * free_frac - s->lig_koff[l] * y[b];
  }
  for (int e = 0; e < s->n_enz; e++) dydt[s->enz[e]] = s->enz_kdeg[e] * (1.0 - y[s->enz[e]]);
  for (int k = 0; k < s->n_einact; k++) {
    const struct pk_einact *q = &s->einact[k];
    double c = 0.0;
    for (int j = 0; j < q->n_src; j++) c += q->w[j] * y[q->src[j]];
    dydt[s->enz[q->enz]] -= q->kinact_per_h * c / (q->KI_nM + c) * y[s->enz[q->enz]];
  }
}

void pk_system_enzyme_flows(const pk_system *s, const double *y, double *dydt) {
  for (int k = 0; k < s->n_eflow; k++) {
    const struct pk_eflow *f = &s->eflow[k];
    double flux = f->k_per_h * y[s->enz[f->enz]] * y[f->from];
    dydt[f->from] -= flux;
    dydt[f->to] += flux;
  }
}

void pk_system_enzyme_jacobian(const pk_system *s, const double *y, double *dfdy) {
  size_t ns = (size_t)s->n_states;
#define J_(r, c) dfdy[(size_t)(r) * ns + (size_t)(c)]
  for (int k = 0; k < s->n_eflow; k++) {
    const struct pk_eflow *f = &s->eflow[k];
    int a = s->enz[f->enz];
    J_(f->from, f->from) -= f->k_per_h * y[a];
    J_(f->to, f->from) += f->k_per_h * y[a];
    J_(f->from, a) -= f->k_per_h * y[f->from];
    J_(f->to, a) += f->k_per_h * y[f->from];
  }
  for (int k = 0; k < s->n_einact; k++) {
    const struct pk_einact *q = &s->einact[k];
    int a = s->enz[q->enz];
    double c = 0.0;
    for (int j = 0; j < q->n_src; j++) c += q->w[j] * y[q->src[j]];
    double d = q->KI_nM + c;
    /* d/dy_src of -kinact c / (KI + c) a */
    for (int j = 0; j < q->n_src; j++)
      J_(a, q->src[j]) -= q->kinact_per_h * q->KI_nM / (d * d) * q->w[j] * y[a];
  }
#undef J_
}

void pk_system_initial_state(const pk_system *s, double tol0, double *y) {
  memset(y, 0, (size_t)s->n_states * sizeof *y);
  y[s->tol] = tol0;
  for (int e = 0; e < s->n_enz; e++) y[s->enz[e]] = 1.0;
}

void pk_system_output_row(const pk_system *s, double t_h, const double *y, double *row) {
  size_t j = 0;
  row[j++] = t_h;
  for (int i = 0; i < s->n_compounds; i++) row[j++] = 1000.0 * y[s->central[i]] / s->V_L[i];
  for (int l = 0; l < s->n_ligands; l++) row[j++] = y[s->lig_state[l]];
  double occ, E;
  pk_system_response(s, y, row + j + 1, &occ, &E);
  row[j++] = occ;
  j += (size_t)s->n_ligands;
  double tol = y[s->tol];
  row[j++] = E;
  row[j++] = E - tol;
  row[j++] = tol;
  for (int f = 0; f < s->n_filt; f++) row[j++] = y[s->filt[f]];
  row[j++] = pk_system_withdrawal(s, tol, E, y + s->tol + 1);
  for (int e = 0; e < s->n_enz; e++) row[j++] = y[s->enz[e]];
  if (s->include_amounts)
    for (int i = 0; i < s->n_compounds; i++) {
      double depot = 0.0;
      for (int k = 0; k < s->n_depots; k++)
        if (s->depot_compound[k] == i) depot += y[s->depot_state[k]];
      row[j++] = depot;
      row[j++] = y[s->central[i]];
      for (int k = 0; k < s->n_periph[i]; k++) row[j++] = y[s->periph[i][k]];
      row[j++] = y[s->elim[i]];
    }
}

static const char *compound_label(const pk_model *m, int i, char *buf, size_t n) {
  if (m) snprintf(buf, n, "'%s'", m->compound[i].id);
  else snprintf(buf, n, "%d", i);
  return buf;
}

void pk_system_state_name(const pk_system *s, const pk_model *m, int k, char *buf, size_t n) {
  char cid[PK_ID_MAX + 16];
#define CID(i) compound_label(m, i, cid, sizeof cid)
  if (k == s->tol) {
    snprintf(buf, n, "the adaptation state tol");
    return;
  }
  if (s->n_filt && k == s->filt[PK_PD_WX]) {
    snprintf(buf, n, "the withdrawal expression state wx");
    return;
  }
  if (s->n_filt && k == s->filt[PK_PD_WF]) {
    snprintf(buf, n, "the fast mismatch follower wf");
    return;
  }
  for (int l = 0; l < s->n_ligands; l++)
    if (s->lig_bound[l] == k) {
      snprintf(buf, n, "the bound receptor fraction of compound %s", CID(s->lig_compound[l]));
      return;
    }
  for (int e = 0; e < s->n_enz; e++)
    if (s->enz[e] == k) {
      if (m) snprintf(buf, n, "the activity of enzyme '%s' (fraction of baseline)", m->enzyme[e].id);
      else snprintf(buf, n, "the activity of enzyme %d (fraction of baseline)", e);
      return;
    }
  for (int d = 0; d < s->n_depots; d++)
    if (s->depot_state[d] == k) {
      snprintf(buf, n, "the absorption depot amount (ka %g 1/h) of compound %s (umol)",
               s->depot_ka[d], CID(s->depot_compound[d]));
      return;
    }
  for (int i = 0; i < s->n_compounds; i++) {
    if (s->central[i] == k) {
      snprintf(buf, n, "the central amount of compound %s (umol; C_%s)", CID(i),
               m ? m->compound[i].id : "");
      return;
    }
    for (int p = 0; p < s->n_periph[i]; p++)
      if (s->periph[i][p] == k) {
        snprintf(buf, n, "the peripheral %d amount of compound %s (umol)", p + 1, CID(i));
        return;
      }
    if (s->ce[i] == k) {
      snprintf(buf, n, "the effect-site concentration of compound %s (nM)", CID(i));
      return;
    }
    if (s->elim[i] == k) {
      snprintf(buf, n, "the eliminated amount of compound %s (umol)", CID(i));
      return;
    }
  }
  snprintf(buf, n, "state %d", k);
#undef CID
}

int pk_system_negative_state(const pk_system *s, const double *y, const double *ymax,
                             double atol, double rtol, double rel_all, double *bound) {
  double all = 0.0;
  for (int k = 0; k < s->n_states; k++) all = fmax(all, ymax[k]);
  for (int k = 0; k < s->n_states; k++) {
    /* the filters are signed: below 0 while the agonist effect exceeds tol */
    if (k > s->tol && k <= s->tol + s->n_filt) continue;
    double b = rel_all > 0 ? rel_all * all : PK_NEGATIVE_STATE_FACTOR * (atol + rtol * ymax[k]);
    if (y[k] < -b) {
      *bound = b;
      return k;
    }
  }
  return -1;
}

double pk_pd_g(double k1, double k2, double t) {
  double d = k2 - k1;
  /* (1 - e^{-d t}) / d, = t at d = 0, positive for either sign of d */
  double r = d == 0.0 ? t : -expm1(-d * t) / d;
  return exp(-k1 * t) * r;
}

void pk_system_pd_weights(const pk_system *s, double tau, double *w_tol, double *w_filt) {
  double k1 = s->k_tol_per_h;
  *w_tol = exp(-k1 * tau);
  for (int j = 0; w_filt && j < s->n_filt; j++)
    w_filt[j] = k1 * pk_pd_g(k1, s->k_filt[j], tau) - exp(-s->k_filt[j] * tau);
}

void pk_system_pd_join(const pk_system *s, double b, double Ia, const double *Ja, double Ib,
                       const double *Jb, double *I, double *J) {
  double k1 = s->k_tol_per_h;
  *I = exp(-k1 * b) * Ia + Ib;
  for (int j = 0; j < s->n_filt; j++) {
    double kj = s->k_filt[j];
    J[j] = k1 * pk_pd_g(k1, kj, b) * Ia + exp(-kj * b) * Ja[j] + Jb[j];
  }
}

void pk_system_pd_advance(const pk_system *s, double h, double I, const double *J, double *y) {
  double k1 = s->k_tol_per_h, tol0 = y[s->tol];
  y[s->tol] = exp(-k1 * h) * tol0 + k1 * I;
  for (int j = 0; j < s->n_filt; j++) {
    double kj = s->k_filt[j];
    int f = s->filt[j];
    y[f] = exp(-kj * h) * y[f] + kj * (pk_pd_g(k1, kj, h) * tol0 + J[j]);
  }
}

void pk_system_pd_periodic(const pk_system *s, double T, double tol_T, const double *m_T,
                           double tol_keep, double *y) {
  double k1 = s->k_tol_per_h;
  double tol0 = k1 > 0 ? tol_T / -expm1(-k1 * T) : tol_keep;
  y[s->tol] = tol0;
  for (int j = 0; j < s->n_filt; j++) {
    /* m0 = e_j m0 + k_j g_j(T) tol0 + m_T; k_j > 0 (pk_model_set_withdrawal) */
    double kj = s->k_filt[j];
    y[s->filt[j]] = (m_T[j] + kj * pk_pd_g(k1, kj, T) * tol0) / -expm1(-kj * T);
  }
}

double pk_system_withdrawal(const pk_system *s, double tol, double E, const double *m) {
  double d = s->w_delta * (tol - E);
  for (int j = 0; j < s->n_filt; j++) d += s->w_filt[j] * m[j];
  return d > 0.0 ? d : 0.0;
}
