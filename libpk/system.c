/* system.c - compile a model into a rate matrix, a state layout and the
 * output columns. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "system.h"

pk_status pk_system_init(pk_system *s, const pk_model *m, int include_amounts, pk_error *err) {
  memset(s, 0, sizeof *s);
  if (!m || m->n_compounds == 0)
    return pk_err_set(err, PK_ERR_INVALID, NULL, NULL, "the model has no compound");
  int n = 0;
  s->n_compounds = m->n_compounds;
  for (int i = 0; i < m->n_compounds; i++) {
    const pk_compound_params *c = &m->compound[i];
    s->depot[i] = n++;
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
    }
    s->elim[i] = n++;
    s->V_L[i] = c->V_L;
  }
  s->n_lin = n;
  s->tol = n;
  s->n_states = n + 1;
  s->k_tol_per_h = m->k_tol_per_h;
  s->include_amounts = include_amounts;
  s->A = calloc((size_t)n * (size_t)n, sizeof *s->A);
  if (!s->A) return pk_err_nomem(err);
#define A_(r, c) s->A[(size_t)(r) * (size_t)n + (size_t)(c)]
  for (int i = 0; i < m->n_compounds; i++) {
    const pk_compound_params *c = &m->compound[i];
    double fm_out = 0, fp_out = 0;
    for (int k = 0; k < m->n_conversions; k++)
      if (m->conversion[k].from == i) {
        fm_out += m->conversion[k].fm;
        fp_out += m->conversion[k].f_first_pass;
      }
    int g = s->depot[i], cen = s->central[i];
    double ke = c->CL_L_per_h / c->V_L;
    A_(g, g) = -c->ka_per_h;
    A_(cen, g) += c->ka_per_h * (1.0 - fp_out);
    A_(cen, cen) -= ke;
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
    A_(s->elim[i], cen) = ke * (1.0 - fm_out);
  }
  for (int k = 0; k < m->n_conversions; k++) {
    const pk_conversion *cv = &m->conversion[k];
    const pk_compound_params *from = &m->compound[cv->from];
    A_(s->central[cv->to], s->central[cv->from]) += cv->fm * from->CL_L_per_h / from->V_L;
    A_(s->central[cv->to], s->depot[cv->from]) += cv->f_first_pass * from->ka_per_h;
  }
#undef A_
  s->n_cols = 1 + m->n_compounds + s->n_ligands + 1 + s->n_ligands + 4;
  if (include_amounts)
    for (int i = 0; i < m->n_compounds; i++) s->n_cols += 3 + s->n_periph[i];
  return PK_OK;
}

void pk_system_release(pk_system *s) {
  if (!s) return;
  free(s->A);
  s->A = NULL;
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
  NAME("W");
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
  double sum_x = 0.0, sum_tx = 0.0;
  for (int l = 0; l < s->n_ligands; l++) {
    double x = s->lig_fu[l] * y[s->lig_state[l]] / s->lig_K_nM[l];
    sum_x += x;
    sum_tx += s->lig_tau[l] * x;
    if (occ_lig) occ_lig[l] = x;
  }
  if (occ_lig)
    for (int l = 0; l < s->n_ligands; l++) occ_lig[l] /= 1.0 + sum_x;
  *occ = sum_x / (1.0 + sum_x);
  *E = sum_tx / (1.0 + sum_x + sum_tx);
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
  row[j++] = tol > E ? tol - E : 0.0;
  if (s->include_amounts)
    for (int i = 0; i < s->n_compounds; i++) {
      row[j++] = y[s->depot[i]];
      row[j++] = y[s->central[i]];
      for (int k = 0; k < s->n_periph[i]; k++) row[j++] = y[s->periph[i][k]];
      row[j++] = y[s->elim[i]];
    }
}
