/* baseline.c - the straightforward exact propagation (baseline.h): dense
 * matrix exponentials per subject, one dense mat-vec per output hour,
 * Gauss-Legendre quadrature of the adaptation state, summaries streamed. */
#include "baseline.h"
#include <gsl/gsl_errno.h>
#include <gsl/gsl_integration.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_odeiv2.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "events.h"
#include "system.h"

enum { STEP_H = 1 }; /* the propagation step and output grid, h */

struct baseline {
  int n_nodes;
  double node_h[BASELINE_MAX_NODES];   /* Gauss-Legendre nodes on [0, 1 h] */
  double weight_h[BASELINE_MAX_NODES]; /* and their weights (sum 1 h) */
  /* buffers sized for the last system seen (models of one population share it) */
  int n_lin, n_states, n_ligands, n_cols;
  gsl_matrix *a_tau, *exp_a_tau; /* A tau and exp(A tau), n_lin x n_lin */
  double *phi;       /* exp(A 1 h), n_lin x n_lin row-major */
  double *node_rows; /* effect-site rows of exp(A tau_j): n_nodes x n_ligands x n_lin */
  double *y, *x_next; /* full state (linear, tol), next linear state */
  double *row;        /* one output row */
  pk_event_list ev;
};

baseline *baseline_new(int n_nodes) {
  if (n_nodes < 1 || n_nodes > BASELINE_MAX_NODES) return NULL;
  baseline *b = calloc(1, sizeof *b);
  gsl_integration_glfixed_table *gl = gsl_integration_glfixed_table_alloc((size_t)n_nodes);
  if (!b || !gl) {
    free(b);
    if (gl) gsl_integration_glfixed_table_free(gl);
    return NULL;
  }
  b->n_nodes = n_nodes;
  for (int j = 0; j < n_nodes; j++)
    gsl_integration_glfixed_point(0.0, STEP_H, (size_t)j, &b->node_h[j], &b->weight_h[j], gl);
  gsl_integration_glfixed_table_free(gl);
  return b;
}

static void release_buffers(baseline *b) {
  gsl_matrix_free(b->a_tau);
  gsl_matrix_free(b->exp_a_tau);
  free(b->phi);
  free(b->node_rows);
  free(b->y);
  free(b->x_next);
  free(b->row);
  b->a_tau = b->exp_a_tau = NULL;
  b->phi = b->node_rows = b->y = b->x_next = b->row = NULL;
  b->n_lin = 0;
}

void baseline_free(baseline *b) {
  if (!b) return;
  release_buffers(b);
  pk_events_release(&b->ev);
  free(b);
}

int baseline_nodes(const baseline *b) { return b ? b->n_nodes : 0; }

size_t baseline_summary_count(const pk_model *m) {
  return 4 * (size_t)pk_model_compound_count(m) + 6;
}

/* Sizes the buffers for system s (kept when the layout is unchanged, as for
 * every subject of a population). */
static pk_status ensure_buffers(baseline *b, const pk_system *s, pk_error *err) {
  if (b->n_lin == s->n_lin && b->n_states == s->n_states && b->n_ligands == s->n_ligands &&
      b->n_cols == s->n_cols)
    return PK_OK;
  release_buffers(b);
  size_t n = (size_t)s->n_lin, nl = (size_t)s->n_ligands;
  b->a_tau = gsl_matrix_alloc(n, n);
  b->exp_a_tau = gsl_matrix_alloc(n, n);
  b->phi = malloc(n * n * sizeof *b->phi);
  b->node_rows = malloc(((size_t)b->n_nodes * nl * n + 1) * sizeof *b->node_rows);
  b->y = malloc((size_t)s->n_states * sizeof *b->y);
  b->x_next = malloc(n * sizeof *b->x_next);
  b->row = malloc((size_t)s->n_cols * sizeof *b->row);
  if (!b->a_tau || !b->exp_a_tau || !b->phi || !b->node_rows || !b->y || !b->x_next ||
      !b->row) {
    release_buffers(b);
    return pk_err_nomem(err);
  }
  b->n_lin = s->n_lin;
  b->n_states = s->n_states;
  b->n_ligands = s->n_ligands;
  b->n_cols = s->n_cols;
  return PK_OK;
}

/* exp(A tau) into b->exp_a_tau by GSL's scaling and squaring. */
static pk_status expm(baseline *b, const pk_system *s, double tau_h, pk_error *err) {
  size_t n = (size_t)s->n_lin;
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < n; j++) gsl_matrix_set(b->a_tau, i, j, s->A[i * n + j] * tau_h);
  if (gsl_linalg_exponential_ss(b->a_tau, b->exp_a_tau, GSL_PREC_DOUBLE) != GSL_SUCCESS)
    return pk_err_set(err, PK_ERR_SOLVER, NULL, NULL,
                      "baseline: matrix exponential failed for a step of %g h", tau_h);
  return PK_OK;
}

/* Phi = exp(A 1 h) and the effect-site rows of exp(A tau_j) at the nodes:
 * the only part of the node propagators that E needs. */
static pk_status build_propagators(baseline *b, const pk_system *s, pk_error *err) {
  size_t n = (size_t)s->n_lin, nl = (size_t)s->n_ligands;
  pk_status st = expm(b, s, STEP_H, err);
  if (st != PK_OK) return st;
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < n; j++) b->phi[i * n + j] = gsl_matrix_get(b->exp_a_tau, i, j);
  for (int k = 0; k < b->n_nodes; k++) {
    if ((st = expm(b, s, b->node_h[k], err)) != PK_OK) return st;
    for (size_t l = 0; l < nl; l++) {
      double *dst = b->node_rows + ((size_t)k * nl + l) * n;
      for (size_t j = 0; j < n; j++)
        dst[j] = gsl_matrix_get(b->exp_a_tau, (size_t)s->lig_state[l], j);
    }
  }
  return PK_OK;
}

/* The grid this baseline handles: a 1 h output step, output starting a
 * whole number of hours after the simulation start, no steady-state
 * history. *h_out0: hours from the start to the first output row; *n_out:
 * rows, counted as pk_simulate counts them. */
static pk_status check_grid(const pk_sim_options *o, size_t *h_out0, size_t *n_out,
                            pk_error *err) {
  if (o->steady_state)
    return pk_err_set(err, PK_ERR_INVALID, NULL, NULL,
                      "baseline: a steady-state history is not supported");
  if (o->output_step_h != STEP_H)
    return pk_err_set(err, PK_ERR_INVALID, NULL, NULL,
                      "baseline: only a %d h output step is supported, got %g h", STEP_H,
                      o->output_step_h);
  double lead_h = o->output_start_h - o->t_start_h;
  if (!(isfinite(lead_h) && lead_h >= 0 && lead_h == floor(lead_h) && lead_h < 1e8 &&
        o->t_end_h > o->output_start_h && (o->t_end_h - o->output_start_h) < 1e8))
    return pk_err_set(err, PK_ERR_INVALID, NULL, NULL,
                      "baseline: the output must start a whole number of hours after the "
                      "simulation start and end after it");
  *h_out0 = (size_t)lead_h;
  *n_out = (size_t)floor((o->t_end_h - o->output_start_h) / o->output_step_h * (1.0 + 1e-12) +
                         1e-9) + 1;
  return PK_OK;
}

/* Every event a bolus on the hour grid of the simulation start, none before
 * it (events after the last output row are never reached, as in
 * pk_simulate). Times within pk_simulate's merging tolerance (relative
 * 1e-12) of a grid hour count as on it. */
static pk_status check_events(const pk_event_list *ev, const pk_sim_options *o, pk_error *err) {
  for (size_t k = 0; k < ev->n; k++) {
    const pk_event *e = &ev->ev[k];
    if (e->kind != PK_EV_BOLUS)
      return pk_err_set(err, PK_ERR_INVALID, NULL, NULL,
                        "baseline: dose %zu: only boluses are supported (no zero-order "
                        "inputs, resets or steady-state records)", e->dose);
    double off_h = e->t_h - o->t_start_h, eps = 1e-12 * fmax(1.0, fabs(e->t_h));
    if (off_h < -eps || fabs(off_h - nearbyint(off_h)) > eps)
      return pk_err_set(err, PK_ERR_INVALID, NULL, NULL,
                        "baseline: dose %zu enters at %.17g h, not on the hour grid from "
                        "%g h", e->dose, e->t_h, o->t_start_h);
  }
  return PK_OK;
}

/* ---- the summaries, as pk_batch_summarise, one row at a time ---- */

typedef struct running {
  int nc;
  size_t col_occ, col_E, col_W;
  double t_first_dose_h; /* Cmin counts rows strictly after it */
  double w_thr, occ_thr;
  size_t rows;
  double t_prev_h, occ_prev, w_prev;
  double c_prev[PK_MAX_COMPOUNDS], cmax[PK_MAX_COMPOUNDS], tmax_h[PK_MAX_COMPOUNDS];
  double cmin[PK_MAX_COMPOUNDS], auc[PK_MAX_COMPOUNDS];
  double occ_min, occ_max, e_max, w_max, h_w_above, h_occ_above;
} running;

static void running_init(running *s, const pk_system *sys, const pk_regimen *r, double w_thr,
                         double occ_thr) {
  memset(s, 0, sizeof *s);
  s->nc = sys->n_compounds;
  s->col_occ = 1 + (size_t)sys->n_compounds + (size_t)sys->n_ligands;
  s->col_E = s->col_occ + 1 + (size_t)sys->n_ligands;
  s->col_W = s->col_E + 3 + (size_t)sys->n_filt; /* E, net, tol, [wx, wf,] W */
  s->t_first_dose_h = INFINITY;
  for (size_t k = 0; k < pk_regimen_size(r); k++)
    s->t_first_dose_h = fmin(s->t_first_dose_h, pk_regimen_dose(r, k).t_h);
  s->w_thr = w_thr;
  s->occ_thr = occ_thr;
  for (int c = 0; c < s->nc; c++) {
    s->cmax[c] = -INFINITY;
    s->tmax_h[c] = NAN;
    s->cmin[c] = INFINITY;
  }
  s->occ_min = INFINITY;
  s->occ_max = s->e_max = s->w_max = -INFINITY;
}

/* Linear-up / log-down trapezoid (pk_batch_summarise's, pk_nca's AUClast). */
static double trapezoid(double t0, double t1, double c0, double c1) {
  double dt = t1 - t0;
  if (c1 < c0 && c1 > 0 && c0 > 0) return dt * (c0 - c1) / log(c0 / c1);
  return 0.5 * dt * (c0 + c1);
}

/* Hours above thr between two rows: pk_hours_above on the pair, so that
 * the crossing interpolation is the library's own. */
static double pair_above(double t0, double t1, double y0, double y1, double thr) {
  const double t[2] = {t0, t1}, y[2] = {y0, y1};
  return pk_hours_above(t, y, 2, 1, thr);
}

static void running_add(running *s, const double *row) {
  double t = row[0];
  for (int c = 0; c < s->nc; c++) {
    double ci = row[1 + c];
    if (ci > s->cmax[c]) s->cmax[c] = ci, s->tmax_h[c] = t;
    if (t > s->t_first_dose_h && ci < s->cmin[c]) s->cmin[c] = ci;
    if (s->rows > 0) s->auc[c] += trapezoid(s->t_prev_h, t, s->c_prev[c], ci);
    s->c_prev[c] = ci;
  }
  double occ = row[s->col_occ], E = row[s->col_E], W = row[s->col_W];
  s->occ_min = fmin(s->occ_min, occ);
  s->occ_max = fmax(s->occ_max, occ);
  s->e_max = fmax(s->e_max, E);
  s->w_max = fmax(s->w_max, W);
  if (s->rows > 0) {
    s->h_w_above += pair_above(s->t_prev_h, t, s->w_prev, W, s->w_thr);
    s->h_occ_above += pair_above(s->t_prev_h, t, s->occ_prev, occ, s->occ_thr);
  }
  s->t_prev_h = t;
  s->occ_prev = occ;
  s->w_prev = W;
  s->rows++;
}

static pk_status running_finish(const running *s, double *out, pk_error *err) {
  size_t j = 0;
  for (int c = 0; c < s->nc; c++) {
    out[j++] = s->cmax[c];
    out[j++] = s->tmax_h[c];
    out[j++] = isinf(s->cmin[c]) ? NAN : s->cmin[c];
    out[j++] = s->auc[c];
  }
  out[j++] = s->occ_min;
  out[j++] = s->occ_max;
  out[j++] = s->e_max;
  out[j++] = s->w_max;
  out[j++] = s->h_w_above;
  out[j++] = s->h_occ_above;
  /* Cmin may be NaN (no row after the first dose); anything else must be a
   * number, as the batch engine requires */
  for (size_t i = 0; i < j; i++)
    if (!isfinite(out[i]) && !(isnan(out[i]) && i % 4 == 2 && i < 4 * (size_t)s->nc))
      return pk_err_set(err, PK_ERR_SOLVER, NULL, NULL, "baseline: summary %zu is not finite",
                        i);
  return PK_OK;
}

/* ---- the propagation ---- */

/* One hour: tol (and the withdrawal filters) by their variation-of-constants
 * formulas with the integrals by Gauss-Legendre over the nodes, E there from
 * the node rows times the state at the start of the hour; then x <- Phi x.
 * coef[j] = w_j e^{-k (1 h - tau_j)}, coef_f[f][j] = w_j times filter f's
 * weight at lag 1 h - tau_j (pk_system_pd_weights), and fu_over_K[l] are
 * per subject. */
static void hour_step(baseline *b, const pk_system *s, const double *coef,
                      const double (*coef_f)[BASELINE_MAX_NODES], const double *fu_over_K) {
  size_t n = (size_t)s->n_lin, nl = (size_t)s->n_ligands;
  double *y = b->y, integral = 0.0, J[PK_PD_FILTERS] = {0};
  for (int k = 0; k < b->n_nodes; k++) {
    const double *rows = b->node_rows + (size_t)k * nl * n;
    double sum_x = 0.0, sum_tx = 0.0;
    for (size_t l = 0; l < nl; l++) {
      const double *r = rows + l * n;
      double ce_nM = 0.0;
      for (size_t j = 0; j < n; j++) ce_nM += r[j] * y[j];
      double x = fu_over_K[l] * ce_nM;
      sum_x += x;
      sum_tx += s->lig_tau[l] * x;
    }
    double E = sum_tx / (1.0 + sum_x + sum_tx);
    integral += coef[k] * E;
    for (int f = 0; f < s->n_filt; f++) J[f] += coef_f[f][k] * E;
  }
  pk_system_pd_advance(s, STEP_H, integral, J, y);
  for (size_t i = 0; i < n; i++) {
    const double *p = b->phi + i * n;
    double acc = 0.0;
    for (size_t j = 0; j < n; j++) acc += p[j] * y[j];
    b->x_next[i] = acc;
  }
  memcpy(y, b->x_next, n * sizeof *y);
}

/* Hour by hour from the simulation start to the last output row, with the
 * propagators of b already built for system s. */
static pk_status run_hours(baseline *b, const pk_system *s, const pk_regimen *r,
                           const pk_sim_options *o, size_t h_out0, size_t n_out,
                           double w_threshold, double occ_threshold, double *summary,
                           baseline_row_fn on_row, void *ctx, pk_error *err) {
  double coef[BASELINE_MAX_NODES], coef_f[PK_PD_FILTERS][BASELINE_MAX_NODES];
  double fu_over_K[PK_MAX_COMPOUNDS];
  for (int j = 0; j < b->n_nodes; j++) {
    double w_tol, w_f[PK_PD_FILTERS];
    pk_system_pd_weights(s, STEP_H - b->node_h[j], &w_tol, w_f);
    coef[j] = b->weight_h[j] * w_tol;
    for (int f = 0; f < s->n_filt; f++) coef_f[f][j] = b->weight_h[j] * w_f[f];
  }
  for (int l = 0; l < s->n_ligands; l++) fu_over_K[l] = s->lig_fu[l] / s->lig_K_nM[l];
  running sum;
  running_init(&sum, s, r, w_threshold, occ_threshold);
  memset(b->y, 0, (size_t)s->n_states * sizeof *b->y);
  b->y[s->tol] = o->tol0;
  size_t last_h = h_out0 + n_out - 1, di = 0;
  for (size_t h = 0;; h++) {
    double t_h = o->t_start_h + (double)h, eps = 1e-12 * fmax(1.0, fabs(t_h));
    /* doses first: the row at a dose time shows the state after the dose */
    while (di < b->ev.n && b->ev.ev[di].t_h <= t_h + eps) {
      b->y[b->ev.ev[di].state] += b->ev.ev[di].value;
      di++;
    }
    if (h >= h_out0) {
      double t_out_h = o->output_start_h + (double)(h - h_out0) * o->output_step_h;
      pk_system_output_row(s, t_out_h, b->y, b->row);
      running_add(&sum, b->row);
      if (on_row) on_row(ctx, b->row, (size_t)s->n_cols);
    }
    if (h == last_h) break;
    hour_step(b, s, coef, (const double(*)[BASELINE_MAX_NODES])coef_f, fu_over_K);
  }
  return running_finish(&sum, summary, err);
}

/* What both baselines do first: the output grid, the compiled system s
 * (which the caller releases, also after a failure), the sorted dose
 * events appended to ev (emptied first), and the W threshold resolved (NaN:
 * the receptor's symptom threshold, as pk_batch_spec's default). */
static pk_status prepare(const char *who, const pk_model *m, const pk_regimen *r,
                         const pk_sim_options *o, pk_system *s, pk_event_list *ev,
                         size_t *h_out0, size_t *n_out, double *w_threshold, pk_error *err) {
  pk_status st = check_grid(o, h_out0, n_out, err);
  const pk_regimen *regs[1] = {r};
  if (st == PK_OK) st = pk_system_init(s, m, regs, 1, o->include_amounts, err);
  if (st == PK_OK && s->n_kinetic > 0)
    st = pk_err_set(err, PK_ERR_INVALID, NULL, NULL,
                    "%s: kinetic receptor binding is not supported", who);
  ev->n = 0; /* the list keeps its capacity from subject to subject */
  if (st == PK_OK) st = pk_events_from_regimen(ev, s, m, r, 0.0, err);
  if (st == PK_OK) {
    pk_events_sort(ev);
    st = check_events(ev, o, err);
  }
  if (isnan(*w_threshold) && !pk_model_withdrawal(m, NULL, NULL, NULL, w_threshold))
    *w_threshold = 0.02;
  return st;
}

pk_status baseline_run(baseline *b, const pk_model *m, const pk_regimen *r,
                       const pk_sim_options *o, double w_threshold, double occ_threshold,
                       double *summary, baseline_row_fn on_row, void *ctx, pk_error *err) {
  pk_error_clear(err);
  if (!b || !m || !r || !o || !summary)
    return pk_err_set(err, PK_ERR_INVALID, NULL, NULL, "baseline: missing argument");
  size_t h_out0 = 0, n_out = 0;
  pk_system s = {0};
  pk_status st = prepare("baseline", m, r, o, &s, &b->ev, &h_out0, &n_out, &w_threshold, err);
  if (st == PK_OK) st = ensure_buffers(b, &s, err);
  if (st == PK_OK) st = build_propagators(b, &s, err);
  if (st == PK_OK)
    st = run_hours(b, &s, r, o, h_out0, n_out, w_threshold, occ_threshold, summary, on_row,
                   ctx, err);
  pk_system_release(&s);
  return st;
}

/* ---- baseline B: a direct gsl_odeiv2_driver loop ---- */

typedef struct ode_ctx {
  const pk_system *s;
} ode_ctx;

/* dy/dt: A y over the linear states (a dense mat-vec), then the nonlinear
 * rows (tol, the withdrawal filters) as pk_system computes them. */
static int ode_rhs(double t, const double y[], double dydt[], void *params) {
  (void)t;
  const pk_system *s = ((const ode_ctx *)params)->s;
  size_t n = (size_t)s->n_lin;
  for (size_t i = 0; i < n; i++) {
    const double *a = s->A + i * n;
    double acc = 0.0;
    for (size_t j = 0; j < n; j++) acc += a[j] * y[j];
    dydt[i] = acc;
  }
  pk_system_nonlinear_rhs(s, y, dydt);
  return GSL_SUCCESS;
}

pk_status baseline_ode_run(const pk_model *m, const pk_regimen *r, const pk_sim_options *o,
                           double rtol, double atol, double w_threshold, double occ_threshold,
                           double *summary, baseline_row_fn on_row, void *ctx, pk_error *err) {
  pk_error_clear(err);
  if (!m || !r || !o || !summary)
    return pk_err_set(err, PK_ERR_INVALID, NULL, NULL, "baseline B: missing argument");
  size_t h_out0 = 0, n_out = 0;
  pk_system s = {0};
  pk_event_list ev = {0};
  pk_status st = prepare("baseline B", m, r, o, &s, &ev, &h_out0, &n_out, &w_threshold, err);
  double *y = st == PK_OK ? calloc((size_t)s.n_states, sizeof *y) : NULL;
  double *row = st == PK_OK ? malloc((size_t)s.n_cols * sizeof *row) : NULL;
  if (st == PK_OK && (!y || !row)) st = pk_err_nomem(err);
  ode_ctx c = {&s};
  gsl_odeiv2_system sys = {ode_rhs, NULL, (size_t)s.n_states, &c};
  gsl_odeiv2_driver *d =
      st == PK_OK ? gsl_odeiv2_driver_alloc_y_new(&sys, gsl_odeiv2_step_rk8pd, 1e-3, atol, rtol)
                  : NULL;
  if (st == PK_OK && !d) st = pk_err_nomem(err);
  running sum;
  if (st == PK_OK) {
    running_init(&sum, &s, r, w_threshold, occ_threshold);
    y[s.tol] = o->tol0;
    double t = o->t_start_h;
    size_t last_h = h_out0 + n_out - 1, di = 0;
    for (size_t h = 0; st == PK_OK; h++) {
      double t_h = o->t_start_h + (double)h, eps = 1e-12 * fmax(1.0, fabs(t_h));
      int dosed = 0;
      while (di < ev.n && ev.ev[di].t_h <= t_h + eps) {
        y[ev.ev[di].state] += ev.ev[di].value;
        di++;
        dosed = 1;
      }
      if (dosed) gsl_odeiv2_driver_reset(d); /* restart after the jump */
      if (h >= h_out0) {
        pk_system_output_row(&s, o->output_start_h + (double)(h - h_out0) * o->output_step_h, y,
                             row);
        running_add(&sum, row);
        if (on_row) on_row(ctx, row, (size_t)s.n_cols);
      }
      if (h == last_h) break;
      int rc = gsl_odeiv2_driver_apply(d, &t, t_h + 1.0, y);
      if (rc != GSL_SUCCESS)
        st = pk_err_set(err, PK_ERR_SOLVER, NULL, NULL, "baseline B: rk8pd failed at %g h: %s",
                        t, gsl_strerror(rc));
    }
    if (st == PK_OK) st = running_finish(&sum, summary, err);
  }
  if (d) gsl_odeiv2_driver_free(d);
  free(row);
  free(y);
  pk_events_release(&ev);
  pk_system_release(&s);
  return st;
}
