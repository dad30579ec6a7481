/* batch.c - the batch engine: subjects of a population or points of a
 * sweep simulated on OpenMP threads, block by block, each summarised and
 * handed over in subject order; optionally every output value kept for
 * percentiles across subjects. */
#include <math.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#define PK_OMP(x) _Pragma(x)
#else
#define PK_OMP(x)
#endif
#include "population_internal.h"
#include "rng.h"
#include "fast.h"
#include "pk/nca.h"

/* SLOTS_PER_THREAD: subjects per thread in one block (16 packs of eight
 * lanes, 32 of four, 64 of two: the threads wait for each other at the end
 * of a block) */
enum { PK_COL_MAX = 48, SLOTS_PER_THREAD = 128, PCT_ROWS_PER_CHUNK = 64 };
/* nca: per compound AUCinf, lambda_z, t_half, r2, then Cmax, Tmax and AUC of
 * the first and of the last dosing interval */
enum { NCA_PER_COMPOUND = 10 };

/* What a subject's summaries take from its doses: the first dose time
 * (-inf with a steady-state history; Cmin counts after it) and, for nca,
 * the first and the last dosing intervals (NaN: fewer than 2 dose times in
 * the output). */
typedef struct timing {
  double t_first, ivl_first_lo, ivl_first_hi, ivl_last_lo;
} timing;

struct pk_batch {
  pk_model *model; /* the typical subject (a copy) */
  const pk_regimen *regimen; /* &sorted */
  pk_regimen sorted;         /* the spec's regimen in time order (stable) */
  pk_sim_options opt;
  const pk_population *pop;
  const pk_sweep *sweep;
  size_t n_subjects;
  uint64_t seed;
  double w_thr, occ_thr;
  int exact_extrema, nca; /* pk_batch_spec's */
  pk_batch_source source;  /* subjects given by the caller, or NULL */
  void *source_ctx;
  /* the output grid and columns (pk_sim_layout) */
  size_t rows, tcols;
  double *times;
  char **tnames;
  int n_comp, ccol[PK_MAX_COMPOUNDS], occ_col, e_col, w_col;
  timing tm; /* of the spec's regimen (every subject's but a source's) */
  /* summary columns */
  size_t n_set, ncol;
  char (*colname)[PK_COL_MAX];
  /* values kept by the last run */
  double *kept;
  size_t n_kept;
};

pk_batch_spec pk_batch_spec_default(void) {
  return (pk_batch_spec){.options = pk_sim_options_default(), .n_subjects = 1, .seed = 1,
                         .w_threshold = NAN, .occ_threshold = 0.1};
}

pk_batch_run_options pk_batch_run_options_default(void) {
  return (pk_batch_run_options){.threads = 0, .shard_count = 1};
}

const char *pk_batch_simd(int *lanes) {
  const char *isa = NULL;
  int n = pk_fast_choose(&isa);
  if (lanes) *lanes = n;
  return isa;
}

int pk_batch_max_threads(void) {
#ifdef _OPENMP
  return omp_get_max_threads();
#else
  return 1;
#endif
}

void pk_batch_free(pk_batch *b) {
  if (!b) return;
  pk_model_free(b->model);
  free(b->sorted.dose);
  free(b->times);
  for (size_t j = 0; b->tnames && j < b->tcols; j++) free(b->tnames[j]);
  free(b->tnames);
  free(b->colname);
  free(b->kept);
  free(b);
}

static pk_status add_col(pk_batch *b, size_t *j, pk_error *err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static pk_status add_col(pk_batch *b, size_t *j, pk_error *err, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int len = vsnprintf(b->colname[*j], PK_COL_MAX, fmt, ap);
  va_end(ap);
  if (len < 0 || len >= PK_COL_MAX)
    return pk_err_set(err, PK_ERR_INVALID, NULL, NULL, "column name too long: %s",
                      b->colname[*j]);
  (*j)++;
  return PK_OK;
}

/* Output grid and column layout: the columns of t (pk_sim_layout: no rows),
 * the times of the output rule. */
static pk_status layout(pk_batch *b, const pk_trajectory *t, pk_error *err) {
  b->rows = pk_sim_output_rows(&b->opt);
  b->tcols = pk_trajectory_cols(t);
  b->times = malloc(b->rows * sizeof *b->times);
  b->tnames = calloc(b->tcols, sizeof *b->tnames);
  if (!b->times || !b->tnames) return pk_err_nomem(err);
  for (size_t r = 0; r < b->rows; r++)
    b->times[r] = b->opt.output_start_h + (double)r * b->opt.output_step_h;
  for (size_t j = 0; j < b->tcols; j++) {
    const char *name = pk_trajectory_column_name(t, j);
    if (!(b->tnames[j] = malloc(strlen(name) + 1))) return pk_err_nomem(err);
    strcpy(b->tnames[j], name);
  }
  b->n_comp = b->model->n_compounds;
  char name[PK_ID_MAX + 8];
  for (int c = 0; c < b->n_comp; c++) {
    snprintf(name, sizeof name, "C_%s", b->model->compound[c].id);
    b->ccol[c] = pk_trajectory_column_index(t, name);
  }
  b->occ_col = pk_trajectory_column_index(t, "occ");
  b->e_col = pk_trajectory_column_index(t, "E");
  b->w_col = pk_trajectory_column_index(t, "W");
  for (int c = 0; c < b->n_comp; c++)
    if (b->ccol[c] < 0) return pk_err_set(err, PK_ERR_INVALID, NULL, NULL, "no column C_%s",
                                          b->model->compound[c].id);
  if (b->occ_col < 0 || b->e_col < 0 || b->w_col < 0)
    return pk_err_set(err, PK_ERR_INVALID, NULL, NULL, "the trajectory lacks occ, E or W");
  return PK_OK;
}

/* The timing of the summaries of a subject with regimen r and steady-state
 * history hist (or NULL): the first dose; the first dosing interval (the
 * first two distinct dose times in the output) and the start of the last
 * (the last dose time), as pk nca takes them, NaN with fewer than two. */
static timing dose_timing(const pk_batch *b, const pk_regimen *r, const pk_regimen *hist) {
  double t0 = b->times[0], t1 = b->times[b->rows - 1], d0 = INFINITY, d1 = INFINITY;
  double last = -INFINITY;
  timing tm = {.t_first = INFINITY};
  for (size_t k = 0; k < r->n; k++) {
    double t = r->dose[k].t_h;
    tm.t_first = fmin(tm.t_first, t);
    if (t < t0 || t > t1) continue;
    if (t < d0) d1 = d0, d0 = t;
    else if (t > d0 && t < d1) d1 = t;
    last = fmax(last, t);
  }
  if (hist) tm.t_first = -INFINITY;
  int two = isfinite(d1);
  tm.ivl_first_lo = two ? d0 : NAN;
  tm.ivl_first_hi = two ? d1 : NAN;
  tm.ivl_last_lo = two ? last : NAN;
  return tm;
}

static pk_status columns(pk_batch *b, pk_error *err) {
  size_t n_set = b->pop ? pk_population_value_count(b->pop)
                        : b->sweep ? pk_sweep_axis_count(b->sweep) : 0;
  size_t ncol = n_set + (b->nca ? 4 + NCA_PER_COMPOUND : 4) * (size_t)b->n_comp + 6;
  b->colname = calloc(ncol, sizeof *b->colname);
  if (!b->colname) return pk_err_nomem(err);
  size_t j = 0;
  pk_status st = PK_OK;
  for (size_t k = 0; k < n_set && st == PK_OK; k++)
    st = add_col(b, &j, err, "%s",
                 b->pop ? pk_population_value_name(b->pop, k) : pk_sweep_axis_name(b->sweep, k));
  for (int c = 0; c < b->n_comp && st == PK_OK; c++) {
    const char *id = b->model->compound[c].id;
    st = add_col(b, &j, err, "Cmax_%s", id);
    if (st == PK_OK) st = add_col(b, &j, err, "Tmax_%s", id);
    if (st == PK_OK) st = add_col(b, &j, err, "Cmin_%s", id);
    if (st == PK_OK) st = add_col(b, &j, err, "AUC_%s", id);
  }
  if (st == PK_OK) st = add_col(b, &j, err, "occ_min");
  if (st == PK_OK) st = add_col(b, &j, err, "occ_max");
  if (st == PK_OK) st = add_col(b, &j, err, "E_max");
  if (st == PK_OK) st = add_col(b, &j, err, "W_max");
  if (st == PK_OK) st = add_col(b, &j, err, "h_W_above_%g", b->w_thr);
  if (st == PK_OK) st = add_col(b, &j, err, "h_occ_above_%g", b->occ_thr);
  for (int c = 0; b->nca && c < b->n_comp && st == PK_OK; c++) {
    const char *id = b->model->compound[c].id;
    st = add_col(b, &j, err, "AUCinf_%s", id);
    if (st == PK_OK) st = add_col(b, &j, err, "lambda_z_%s", id);
    if (st == PK_OK) st = add_col(b, &j, err, "t_half_%s", id);
    if (st == PK_OK) st = add_col(b, &j, err, "r2_%s", id);
    for (int k = 0; k < 2 && st == PK_OK; k++) {
      const char *iv = k == 0 ? "first" : "last";
      st = add_col(b, &j, err, "Cmax_%s_%s", iv, id);
      if (st == PK_OK) st = add_col(b, &j, err, "Tmax_%s_%s", iv, id);
      if (st == PK_OK) st = add_col(b, &j, err, "AUC_%s_%s", iv, id);
    }
  }
  b->n_set = n_set;
  b->ncol = j;
  return st;
}

pk_status pk_batch_new(const pk_batch_spec *spec, pk_batch **out, pk_error *err) {
  pk_error_clear(err);
  if (!spec || !out || !spec->model || !spec->regimen)
    return pk_err_set(err, PK_ERR_INVALID, NULL, NULL, "no spec, model, regimen or output");
  *out = NULL;
  if ((spec->population != NULL) + (spec->sweep != NULL) + (spec->source != NULL) > 1)
    return pk_err_set(err, PK_ERR_INVALID, NULL, NULL,
                      "a batch is a population, a sweep or a source of subjects, one of them");
  /* NaN: the receptor's symptom threshold (PD version 2), else 0.02 */
  double w_thr = spec->w_threshold;
  if (isnan(w_thr) && !pk_model_withdrawal(spec->model, NULL, NULL, NULL, &w_thr)) w_thr = 0.02;
  if (!(isfinite(w_thr) && isfinite(spec->occ_threshold)))
    return pk_err_set(err, PK_ERR_INVALID, NULL, NULL, "thresholds must be finite numbers");
  if (spec->occ_threshold < 0 || spec->occ_threshold > 1 || w_thr < 0)
    return pk_err_set(err, PK_ERR_INVALID, NULL, NULL,
                      "expected an occupancy threshold in [0, 1] and a W threshold >= 0, got "
                      "%g and %g", spec->occ_threshold, w_thr);
  if (spec->sweep && pk_sweep_check(spec->sweep, err) != PK_OK) return err->code;
  if (spec->population && !pk_population_is_prepared(spec->population))
    return pk_err_set(err, PK_ERR_INVALID, NULL, NULL,
                      "the population is not prepared (pk_population_prepare)");
  if (spec->population &&
      pk_population_compound_count(spec->population) != pk_model_compound_count(spec->model))
    return pk_err_set(err, PK_ERR_INVALID, NULL, NULL,
                      "the population was made for a model with %d compounds, this one has %d",
                      pk_population_compound_count(spec->population),
                      pk_model_compound_count(spec->model));
  if (spec->sweep)
    for (size_t a = 0; a < pk_sweep_axis_count(spec->sweep); a++) {
      const pk_target *t = pk_sweep_target(spec->sweep, a);
      if (t->compound >= pk_model_compound_count(spec->model))
        return pk_err_set(err, PK_ERR_INVALID, NULL, NULL,
                          "the sweep was made for another model");
    }
  size_t n = spec->sweep ? pk_sweep_point_count(spec->sweep) : spec->n_subjects;
  if (spec->source) n = 0; /* as many as it gives */
  if (n < 1 && !spec->source) return pk_err_set(err, PK_ERR_INVALID, NULL, NULL, "no subjects");
  pk_batch *b = calloc(1, sizeof *b);
  if (!b) return pk_err_nomem(err);
  b->model = pk_model_new();
  if (!b->model) {
    free(b);
    return pk_err_nomem(err);
  }
  pk_model_copy_into(b->model, spec->model);
  /* doses in time order (equal times keep their order, as pk_simulate's
   * event sort does): every subject's events then come out sorted */
  size_t nd = pk_regimen_size(spec->regimen);
  b->sorted.dose = malloc((nd ? nd : 1) * sizeof *b->sorted.dose);
  if (!b->sorted.dose) {
    pk_model_free(b->model);
    free(b);
    return pk_err_nomem(err);
  }
  b->sorted.n = b->sorted.cap = nd;
  for (size_t k = 0; k < nd; k++) {
    pk_dose d = pk_regimen_dose(spec->regimen, k);
    size_t i = k;
    for (; i > 0 && b->sorted.dose[i - 1].t_h > d.t_h; i--) b->sorted.dose[i] = b->sorted.dose[i - 1];
    b->sorted.dose[i] = d;
  }
  b->regimen = &b->sorted;
  b->opt = spec->options;
  b->pop = spec->population;
  b->sweep = spec->sweep;
  b->n_subjects = n;
  b->seed = spec->seed;
  b->w_thr = w_thr;
  b->occ_thr = spec->occ_threshold;
  b->exact_extrema = spec->exact_extrema != 0;
  b->nca = spec->nca != 0;
  b->source = spec->source;
  b->source_ctx = spec->source_ctx;
  pk_trajectory *t = NULL;
  pk_status st = pk_sim_layout(b->model, b->regimen, &b->opt, &t, err);
  if (st == PK_OK) st = layout(b, t, err);
  if (st == PK_OK) b->tm = dose_timing(b, b->regimen, b->opt.steady_state);
  if (st == PK_OK) st = columns(b, err);
  pk_trajectory_free(t);
  if (st != PK_OK) {
    pk_batch_free(b);
    return st;
  }
  *out = b;
  return PK_OK;
}

size_t pk_batch_subject_count(const pk_batch *b) { return b ? b->n_subjects : 0; }
size_t pk_batch_column_count(const pk_batch *b) { return b ? b->ncol : 0; }
const char *pk_batch_column_name(const pk_batch *b, size_t j) {
  return b && j < b->ncol ? b->colname[j] : NULL;
}
int pk_batch_column_index(const pk_batch *b, const char *name) {
  for (size_t j = 0; b && name && j < b->ncol; j++)
    if (strcmp(b->colname[j], name) == 0) return (int)j;
  return -1;
}

size_t pk_batch_time_count(const pk_batch *b) { return b ? b->rows : 0; }
double pk_batch_time(const pk_batch *b, size_t row) {
  return b && row < b->rows ? b->times[row] : NAN;
}
size_t pk_batch_output_count(const pk_batch *b) { return b ? b->tcols - 1 : 0; }
const char *pk_batch_output_name(const pk_batch *b, size_t j) {
  return b && j + 1 < b->tcols ? b->tnames[j + 1] : NULL;
}

/* ---- summaries ---- */

double pk_hours_above(const double *t_h, const double *y, size_t n, size_t stride,
                      double threshold) {
  double h = 0.0;
  if (stride == 0) stride = 1;
  for (size_t i = 1; i < n; i++)
    h += pk_seg_above(t_h[(i - 1) * stride], t_h[i * stride], y[(i - 1) * stride], y[i * stride],
               threshold);
  return h;
}

/* The summaries of one subject, accumulated row by row (nothing else is
 * kept, except each compound's concentrations when the batch computes the
 * terminal phase, compound by compound: conc[c * rows + row]). */
typedef struct summ {
  const pk_batch *b;
  const timing *tm;
  size_t rows;
  double t_prev, c_prev[PK_MAX_COMPOUNDS], w_prev, o_prev;
  double cmax[PK_MAX_COMPOUNDS], tmax[PK_MAX_COMPOUNDS], cmin[PK_MAX_COMPOUNDS],
      auc[PK_MAX_COMPOUNDS];
  double omin, omax, emax, wmax, h_w, h_o;
  double t_omax, t_emax, t_wmax; /* grid times of the maxima (for refinement) */
  double *conc;                  /* b->rows * n_comp, or NULL */
} summ;

static void summ_init(summ *a, const pk_batch *b, const timing *tm, double *conc) {
  memset(a, 0, sizeof *a);
  a->b = b;
  a->tm = tm;
  a->conc = conc;
  for (int c = 0; c < b->n_comp; c++) a->cmax[c] = -INFINITY, a->tmax[c] = NAN, a->cmin[c] = INFINITY;
  a->omin = INFINITY, a->omax = a->emax = a->wmax = -INFINITY;
  a->t_omax = a->t_emax = a->t_wmax = NAN;
}

/* One output row (time in column 0). */
static void summ_row(summ *a, const double *row) {
  const pk_batch *b = a->b;
  double ti = row[0];
  for (int c = 0; c < b->n_comp; c++) {
    double ci = row[b->ccol[c]];
    if (ci > a->cmax[c]) a->cmax[c] = ci, a->tmax[c] = ti;
    if (ti > a->tm->t_first && ci < a->cmin[c]) a->cmin[c] = ci;
    if (a->rows > 0) a->auc[c] += pk_seg_auc(a->t_prev, ti, a->c_prev[c], ci);
    a->c_prev[c] = ci;
    if (a->conc && a->rows < b->rows) a->conc[(size_t)c * b->rows + a->rows] = ci;
  }
  double occ = row[b->occ_col], w = row[b->w_col], e = row[b->e_col];
  a->omin = fmin(a->omin, occ);
  if (occ > a->omax) a->omax = occ, a->t_omax = ti;
  if (e > a->emax) a->emax = e, a->t_emax = ti;
  if (w > a->wmax) a->wmax = w, a->t_wmax = ti;
  if (a->rows > 0) {
    a->h_w += pk_seg_above(a->t_prev, ti, a->w_prev, w, b->w_thr);
    a->h_o += pk_seg_above(a->t_prev, ti, a->o_prev, occ, b->occ_thr);
  }
  a->t_prev = ti, a->w_prev = w, a->o_prev = occ;
  a->rows++;
}

/* Summary values: 4 per compound, then 6, then (nca) NCA_PER_COMPOUND per
 * compound. */
static size_t n_summary(const pk_batch *b) {
  return (b->nca ? 4 + NCA_PER_COMPOUND : 4) * (size_t)b->n_comp + 6;
}

/* A summary row is finite (Cmin may be missing: no dose yet; the terminal
 * phase may be missing: no declining tail). */
static pk_status check_summary(const pk_batch *b, const double *out, pk_error *err) {
  size_t n = n_summary(b), n4 = 4 * (size_t)b->n_comp;
  for (size_t i = 0; i < n; i++) {
    int may_be_nan = (i < n4 && i % 4 == 2) || i >= n4 + 6;
    if (!isfinite(out[i]) && !(isnan(out[i]) && may_be_nan))
      return pk_err_set(err, PK_ERR_SOLVER, NULL, NULL, "a summary (%s) is not finite",
                        b->colname[b->n_set + i]);
  }
  return PK_OK;
}

/* The terminal phase of compound c from the kept concentrations, as pk nca
 * computes it over the whole output (pk_nca_compute_auto from the first
 * output time): AUCinf, lambda_z, t1/2, r^2, NaN where there is none. */
static void summ_terminal(const summ *a, int c, double *out) {
  const pk_batch *b = a->b;
  for (int k = 0; k < NCA_PER_COMPOUND; k++) out[k] = NAN;
  if (!a->conc || a->rows != b->rows) return;
  const double *cc = a->conc + (size_t)c * b->rows;
  pk_nca_result q;
  pk_error err;
  if (pk_nca_compute_auto(b->times, cc, b->rows, b->times[0], &q, &err) == PK_OK) {
    out[0] = q.auc_inf;
    out[1] = q.lambda_z_per_h;
    out[2] = q.t_half_h;
    out[3] = q.lambda_r2;
  }
  /* the first and the last dosing interval, as pk nca's rows: Cmax, Tmax
   * and AUClast of the samples in [lo, hi] */
  double lo[2] = {a->tm->ivl_first_lo, a->tm->ivl_last_lo};
  double hi[2] = {a->tm->ivl_first_hi, b->times[b->rows - 1]};
  for (int k = 0; k < 2; k++) {
    if (isnan(lo[k])) continue;
    size_t i0 = 0, n = 0;
    while (i0 < b->rows && b->times[i0] < lo[k]) i0++;
    while (i0 + n < b->rows && b->times[i0 + n] <= hi[k]) n++;
    if (pk_nca_exposure(b->times + i0, cc + i0, n, &q, &err) == PK_OK) {
      out[4 + 3 * k] = q.cmax;
      out[5 + 3 * k] = q.tmax_h;
      out[6 + 3 * k] = q.auc_last;
    }
  }
}

static pk_status summ_finish(const summ *a, double *out, pk_error *err) {
  const pk_batch *b = a->b;
  size_t j = 0;
  for (int c = 0; c < b->n_comp; c++) {
    out[j++] = a->cmax[c];
    out[j++] = a->tmax[c];
    out[j++] = isinf(a->cmin[c]) ? NAN : a->cmin[c];
    out[j++] = a->auc[c];
  }
  out[j++] = a->omin;
  out[j++] = a->omax;
  out[j++] = a->emax;
  out[j++] = a->wmax;
  out[j++] = a->h_w;
  out[j++] = a->h_o;
  for (int c = 0; b->nca && c < b->n_comp; c++, j += NCA_PER_COMPOUND)
    summ_terminal(a, c, out + j);
  return check_summary(b, out, err);
}

/* exact_extrema: the maxima of the summary (Cmax_<id> with Tmax_<id>,
 * occ_max, E_max, W_max) moved from the output grid to the continuous
 * solution of the subject (m, reg, opt): pk_sim_extremum over the output
 * intervals either side of the grid's best time. */
/* The maximum of column col near grid time t_grid, inside [a, b]: out[jv]
 * (and its time out[jt], when jt is not SIZE_MAX) raised to the continuous
 * solution's. */
static pk_status refine_one(const pk_batch *b, const pk_model *m, const pk_regimen *reg,
                            const pk_sim_options *opt, int col, double t_grid, double a, double bb,
                            double *out, size_t jv, size_t jt, pk_error *err) {
  double step = b->opt.output_step_h;
  double lo = fmax(a, t_grid - step), hi = fmin(bb, t_grid + step);
  if (!(hi > lo) || isnan(out[jv])) return PK_OK; /* a single output time, or no value */
  double t_best, v_best;
  pk_status st = pk_sim_extremum(m, reg, opt, b->tnames[col], lo, hi, 1, &t_best, &v_best, err);
  if (st != PK_OK) return st;
  if (v_best > out[jv]) {
    out[jv] = v_best;
    if (jt != SIZE_MAX) out[jt] = t_best;
  }
  return PK_OK;
}

static pk_status refine_maxima(const summ *a, const pk_model *m, const pk_regimen *reg,
                               const pk_sim_options *opt, double *out, pk_error *err) {
  const pk_batch *b = a->b;
  size_t n4 = 4 * (size_t)b->n_comp;
  double t0 = b->times[0], t1 = b->times[b->rows - 1];
  pk_status st = PK_OK;
  for (int k = 0; k < b->n_comp && st == PK_OK; k++)
    st = refine_one(b, m, reg, opt, b->ccol[k], a->tmax[k], t0, t1, out, 4 * (size_t)k,
                    4 * (size_t)k + 1, err);
  if (st == PK_OK) st = refine_one(b, m, reg, opt, b->occ_col, a->t_omax, t0, t1, out, n4 + 1, SIZE_MAX, err);
  if (st == PK_OK) st = refine_one(b, m, reg, opt, b->e_col, a->t_emax, t0, t1, out, n4 + 2, SIZE_MAX, err);
  if (st == PK_OK) st = refine_one(b, m, reg, opt, b->w_col, a->t_wmax, t0, t1, out, n4 + 3, SIZE_MAX, err);
  /* nca: the first and last dosing intervals' Cmax, inside the interval */
  for (int c = 0; b->nca && c < b->n_comp && st == PK_OK; c++) {
    size_t j = n4 + 6 + (size_t)c * NCA_PER_COMPOUND + 4;
    double lo[2] = {a->tm->ivl_first_lo, a->tm->ivl_last_lo}, hi[2] = {a->tm->ivl_first_hi, t1};
    for (int k = 0; k < 2 && st == PK_OK; k++)
      if (!isnan(lo[k]))
        st = refine_one(b, m, reg, opt, b->ccol[c], out[j + 3 * (size_t)k + 1], lo[k], hi[k], out,
                        j + 3 * (size_t)k, j + 3 * (size_t)k + 1, err);
  }
  return st;
}

/* The summaries of trajectory t (the batch's grid) into out; with a subject
 * (m non-NULL) and exact_extrema, its maxima refined. conc: scratch for the
 * terminal phase (b->rows * n_comp), or NULL to allocate it here. */
static pk_status summarise(const pk_batch *b, const timing *tm, const pk_trajectory *t,
                           double *out, double *conc, const pk_model *m, const pk_regimen *reg,
                           const pk_sim_options *opt, pk_error *err) {
  size_t nr = pk_trajectory_rows(t), nc = pk_trajectory_cols(t);
  if (nr != b->rows || nc != b->tcols)
    return pk_err_set(err, PK_ERR_INVALID, NULL, NULL,
                      "the trajectory has %zu x %zu values, the batch's grid %zu x %zu", nr, nc,
                      b->rows, b->tcols);
  const double *d = pk_trajectory_data(t);
  double *own = NULL;
  if (b->nca && !conc && !(conc = own = malloc((nr ? nr : 1) * (size_t)b->n_comp * sizeof *conc)))
    return pk_err_nomem(err);
  summ a;
  summ_init(&a, b, tm, conc);
  for (size_t r = 0; r < nr; r++) summ_row(&a, d + r * nc);
  pk_status st = summ_finish(&a, out, err);
  if (st == PK_OK && m && b->exact_extrema) st = refine_maxima(&a, m, reg, opt, out, err);
  free(own);
  return st;
}

pk_status pk_batch_summarise(const pk_batch *b, const pk_trajectory *t, double *out,
                             pk_error *err) {
  if (!b || !t || !out) return pk_err_set(err, PK_ERR_INVALID, NULL, NULL, "no batch or output");
  return summarise(b, &b->tm, t, out, NULL, NULL, NULL, NULL, err);
}

/* ---- one subject ---- */

#define LANES PK_FAST_MAX_LANES

/* A thread's workspace: one subject's model and scaled regimens per lane of
 * a pack, and the pack kernel. */
typedef struct worker {
  pk_model *model[LANES];
  gsl_rng *rng;
  pk_regimen reg[LANES], hist[LANES]; /* scaled copies, own dose arrays */
  double *conc[LANES]; /* nca: each lane's concentrations (compounds x rows) */
  pk_fast *fast;
} worker;

/* A subject given by the batch's source: copies of what it gave. */
typedef struct given {
  pk_model *model;
  pk_regimen reg, hist;
  pk_sim_options opt; /* steady_state: &hist or NULL */
  char *id;
  timing tm;
} given;

typedef struct slot {
  size_t index;
  given *g;   /* a source's subject, or NULL */
  int ran;    /* 0: not run (stopped before it) */
  int kernel; /* 1: run by the batch kernel */
  pk_status status;
  double fail_t;
  char reason[PK_ERROR_MESSAGE_MAX + PK_ERROR_PATH_MAX + 64];
  double *values;
  pk_trajectory *traj;
  void *prepared; /* pk_batch_run_options.prepare's result */
} slot;

static void worker_release(worker *w) {
  for (int l = 0; l < LANES; l++) {
    pk_model_free(w->model[l]);
    free(w->reg[l].dose);
    free(w->hist[l].dose);
    free(w->conc[l]);
  }
  if (w->rng) gsl_rng_free(w->rng);
  pk_fast_free(w->fast);
}

static int worker_init(worker *w, const pk_batch *b) {
  memset(w, 0, sizeof *w);
  w->rng = pk_rng_new();
  w->fast = pk_fast_new();
  int ok = w->rng && w->fast;
  size_t nr = pk_regimen_size(b->regimen), nh = pk_regimen_size(b->opt.steady_state);
  for (int l = 0; l < LANES && ok; l++) {
    w->model[l] = pk_model_new();
    w->reg[l].dose = malloc((nr ? nr : 1) * sizeof(pk_dose));
    w->hist[l].dose = malloc((nh ? nh : 1) * sizeof(pk_dose));
    w->reg[l].cap = nr;
    w->hist[l].cap = nh;
    ok = w->model[l] && w->reg[l].dose && w->hist[l].dose;
    if (ok && b->nca)
      ok = (w->conc[l] = malloc((b->rows ? b->rows : 1) * (size_t)b->n_comp * sizeof(double))) != NULL;
  }
  return ok ? 0 : -1;
}

/* 0, or -1 (err set) when a scaled dose exceeds PK_MAX_DOSE_MG. */
static int scale_into(pk_regimen *dst, const pk_regimen *src, const pk_subject_extra *e,
                      pk_error *err) {
  dst->n = src->n;
  for (size_t k = 0; k < src->n; k++) {
    pk_dose d = src->dose[k];
    double f = pk_subject_dose_factor(e, &d);
    d.amount_mg *= f;
    d.rate_mg_per_h *= f; /* a rate-defined input keeps its duration */
    if (!(d.amount_mg <= PK_MAX_DOSE_MG && d.rate_mg_per_h <= PK_MAX_DOSE_MG)) {
      pk_err_set(err, PK_ERR_INVALID, NULL, NULL, "the dose multiplier makes a dose of %g mg "
                 "(or %g mg/h); at most %g mg", d.amount_mg, d.rate_mg_per_h, PK_MAX_DOSE_MG);
      return -1;
    }
    dst->dose[k] = d;
  }
  return 0;
}

static void fail_slot(slot *s, const pk_error *err, const char *what) {
  char buf[sizeof s->reason];
  pk_error_format(err, buf, sizeof buf);
  s->status = err->code != PK_OK ? err->code : PK_ERR_INVALID;
  s->fail_t = err->code == PK_ERR_SOLVER ? err->t_h : NAN;
  snprintf(s->reason, sizeof s->reason, "%s%s", what, buf);
}

/* The subject of slot s in lane storage l: its model, regimen and options
 * (population draw, sweep point, dose multipliers). 0, or -1 with the slot
 * failed. */
static int prepare_subject(const pk_batch *b, worker *w, int l, slot *s, const pk_model **model,
                           const pk_regimen **reg, pk_sim_options *opt) {
  pk_error err;
  pk_error_clear(&err);
  s->ran = 1;
  s->kernel = 0;
  s->status = PK_OK;
  s->fail_t = NAN;
  s->reason[0] = '\0';
  s->traj = NULL;
  for (size_t j = 0; j < b->ncol; j++) s->values[j] = NAN;
  *model = w->model[l];
  if (s->g) { /* read in place: the slot's copy */
    given *g = s->g;
    *model = g->model;
    *reg = &g->reg;
    *opt = g->opt;
    return 0;
  }
  pk_subject_extra extra = pk_subject_extra_default(b->opt.tol0);
  pk_status st = PK_OK;
  if (b->pop)
    st = pk_population_subject_rng(b->pop, b->model, w->rng, b->seed, s->index, w->model[l],
                                   s->values, &extra, &err);
  else
    pk_model_copy_into(w->model[l], b->model);
  if (st == PK_OK && b->sweep) {
    st = pk_sweep_point(b->sweep, s->index, s->values, &err);
    char msg[PK_ERROR_MESSAGE_MAX];
    for (size_t a = 0; st == PK_OK && a < b->n_set; a++)
      if (pk_target_apply(w->model[l], &extra, pk_sweep_target(b->sweep, a), s->values[a], msg,
                          sizeof msg) != 0)
        st = pk_err_set(&err, PK_ERR_INVALID, NULL, NULL, "%s", msg);
  }
  if (st != PK_OK) {
    fail_slot(s, &err, "");
    return -1;
  }
  *opt = b->opt;
  opt->tol0 = extra.tol0;
  *reg = b->regimen;
  int scaled = extra.n_content > 0;
  for (int c = 0; c < b->n_comp; c++) scaled |= extra.dose_mult[c] != 1.0;
  if (scaled) {
    if (scale_into(&w->reg[l], b->regimen, &extra, &err) != 0 ||
        (opt->steady_state && scale_into(&w->hist[l], opt->steady_state, &extra, &err) != 0)) {
      fail_slot(s, &err, "");
      return -1;
    }
    *reg = &w->reg[l];
    if (opt->steady_state) opt->steady_state = &w->hist[l];
  }
  return 0;
}

/* One prepared subject through pk_simulate (any model, any solver). */
static void simulate_subject(const pk_batch *b, const pk_model *m, const pk_regimen *reg,
                             const pk_sim_options *opt, const pk_batch_run_options *o, slot *s,
                             double *kept, double *conc) {
  pk_error err;
  pk_error_clear(&err);
  pk_trajectory *t = NULL;
  pk_status st = pk_simulate(m, reg, opt, &t, &err);
  if (st == PK_OK)
    st = summarise(b, s->g ? &s->g->tm : &b->tm, t, s->values + b->n_set, conc, m, reg, opt, &err);
  if (st != PK_OK) {
    for (size_t j = b->n_set; j < b->ncol; j++) s->values[j] = NAN;
    fail_slot(s, &err, "");
    pk_trajectory_free(t);
    return;
  }
  if (kept) {
    const double *d = pk_trajectory_data(t);
    size_t no = b->tcols - 1;
    for (size_t r = 0; r < b->rows; r++) memcpy(kept + r * no, d + r * b->tcols + 1, no * sizeof *d);
  }
  if (o->want_trajectories) s->traj = t;
  else pk_trajectory_free(t);
}

/* ---- packs of subjects through the kernel ---- */

typedef struct pack_sink {
  const pk_batch *b;
  int summarise; /* the summaries from the rows (else the kernel's own) */
  summ acc[LANES];
  double *kept[LANES];
  pk_trajectory *traj[LANES];
  int nomem[LANES];
} pack_sink;

static int pack_row(void *ctx, int l, size_t k, const double *row) {
  pack_sink *p = ctx;
  const pk_batch *b = p->b;
  if (k >= b->rows) return 1;
  if (p->summarise) summ_row(&p->acc[l], row);
  if (p->kept[l]) memcpy(p->kept[l] + k * (b->tcols - 1), row + 1, (b->tcols - 1) * sizeof *row);
  if (p->traj[l] && pk_trajectory_append(p->traj[l], row) != PK_OK) return p->nomem[l] = 1;
  return 0;
}

typedef struct stop_poll {
  const pk_batch_run_options *o;
  atomic_int stop;
} stop_poll;

static int should_stop(stop_poll *p) {
  if (atomic_load(&p->stop)) return 1;
  if (p->o->should_stop && p->o->should_stop(p->o->ctx)) {
    atomic_store(&p->stop, 1);
    return 1;
  }
  return 0;
}

static int stop_cb(void *ctx) { return should_stop(ctx); }

/* Runs the n prepared lanes of w->fast; slots[l] receives lane l. */
/* A prepared subject of a pack: its model, regimen and options. */
typedef struct lane_subject {
  const pk_model *m;
  const pk_regimen *reg;
  pk_sim_options opt;
} lane_subject;

static void flush_pack(const pk_batch *b, worker *w, const pk_batch_run_options *o,
                       const pk_sim_options *opt, slot **slots, double **kept,
                       const lane_subject *subj, int n, stop_poll *poll) {
  if (n == 0) return;
  pack_sink sink = {.b = b};
  pk_status status[LANES];
  pk_error errs[LANES];
  for (int l = 0; l < n; l++) {
    summ_init(&sink.acc[l], b, slots[l]->g ? &slots[l]->g->tm : &b->tm, w->conc[l]);
    sink.kept[l] = kept[l];
    if (kept[l])
      for (size_t k = 0; k < b->rows * (b->tcols - 1); k++) kept[l][k] = NAN;
    if (o->want_trajectories) {
      const pk_system *sys = pk_fast_system(w->fast, l);
      sink.traj[l] = pk_trajectory_alloc((size_t)sys->n_cols, b->rows);
      if (!sink.traj[l] || pk_system_name_columns(sys, subj[l].m, sink.traj[l]) != PK_OK)
        sink.nomem[l] = 1;
    }
  }
  /* The kernel accumulates the summaries lane-wise, equal to the bit to
   * those from the rows; the rows go through pack_row only for what needs
   * them, and the summaries too only for the terminal phase (nca) and the
   * times of the maxima (exact_extrema). */
  int rows_needed = o->want_trajectories || b->nca || b->exact_extrema;
  for (int l = 0; l < n; l++) rows_needed |= kept[l] != NULL;
  int summarise = sink.summarise = b->nca || b->exact_extrema;
  /* the lanes of a pack share their first dose (run_slots) */
  pk_fast_summary fs = {.t_first_h = slots[0]->g ? slots[0]->g->tm.t_first : b->tm.t_first,
                        .w_threshold = b->w_thr, .occ_threshold = b->occ_thr};
  for (int l = 0; l < n; l++) fs.out[l] = slots[l]->values + b->n_set;
  int stopped = pk_fast_run(w->fast, n, opt, rows_needed ? pack_row : NULL, &sink,
                            summarise ? NULL : &fs, stop_cb, poll, status, errs);
  for (int l = 0; l < n; l++) {
    slot *s = slots[l];
    if (stopped) {
      s->ran = 0;
      pk_trajectory_free(sink.traj[l]);
      continue;
    }
    pk_error err;
    pk_error_clear(&err);
    s->kernel = 1;
    pk_status st = status[l];
    if (st == PK_ERR_SOLVER) {
      /* the kernel could not do it: pk_simulate's general exact path may
       * (as for a single run of the subject) */
      pk_trajectory_free(sink.traj[l]);
      s->kernel = 0;
      simulate_subject(b, subj[l].m, subj[l].reg, &subj[l].opt, o, s, kept[l], w->conc[l]);
      continue;
    }
    if (st != PK_OK) err = errs[l];
    else if (sink.nomem[l]) st = pk_err_nomem(&err);
    else if ((summarise ? sink.acc[l].rows : fs.rows) != b->rows)
      st = pk_err_set(&err, PK_ERR_SOLVER, NULL, NULL, "%zu output rows, expected %zu",
                      summarise ? sink.acc[l].rows : fs.rows, b->rows);
    else if (summarise) st = summ_finish(&sink.acc[l], s->values + b->n_set, &err);
    else st = check_summary(b, s->values + b->n_set, &err);
    if (st == PK_OK && b->exact_extrema)
      st = refine_maxima(&sink.acc[l], subj[l].m, subj[l].reg, &subj[l].opt,
                         s->values + b->n_set, &err);
    if (st != PK_OK) {
      for (size_t j = b->n_set; j < b->ncol; j++) s->values[j] = NAN;
      fail_slot(s, &err, "");
      pk_trajectory_free(sink.traj[l]);
      continue;
    }
    s->traj = sink.traj[l];
  }
}

/* Subjects slots[0..n) (kept values at kept + k * per, or none): those the
 * kernel handles in packs of equal event timing, the others one by one. */
static void run_slots(const pk_batch *b, worker *w, const pk_batch_run_options *o, slot *slots,
                      size_t n, double *kept, size_t per, stop_poll *poll) {
  slot *lane_slot[LANES];
  double *lane_kept[LANES];
  lane_subject lane_subj[LANES];
  int nl = 0;
  pk_sim_options lane0_opt = b->opt;
  for (size_t j = 0; j < n; j++) {
    if (should_stop(poll)) break;
    slot *s = &slots[j];
    const pk_regimen *reg = NULL;
    const pk_model *m = NULL;
    pk_sim_options opt;
    int l = (int)j;
    if (prepare_subject(b, w, l, s, &m, &reg, &opt) != 0) continue;
    double *kp = kept ? kept + j * per : NULL;
    int r = 0;
    pk_error err;
    pk_error_clear(&err);
    if (opt.solver != PK_SOLVER_ODE) {
      /* the kernel's summaries count Cmin from one first dose per pack:
       * a given subject whose first dose differs starts the next pack (one
       * whose start differs, the kernel sends there itself) */
      if (nl > 0 && s->g && s->g->tm.t_first != lane_slot[0]->g->tm.t_first) {
        flush_pack(b, w, o, &lane0_opt, lane_slot, lane_kept, lane_subj, nl, poll);
        nl = 0;
      }
      r = pk_fast_lane(w->fast, nl, m, reg, &opt, &err);
      /* a subject that does not fit the pack starts the next one; one the
       * kernel refuses runs on its own and the pack goes on filling */
      if (r == PK_FAST_MISFIT) {
        flush_pack(b, w, o, &lane0_opt, lane_slot, lane_kept, lane_subj, nl, poll);
        nl = 0;
        r = pk_fast_lane(w->fast, 0, m, reg, &opt, &err);
      }
    }
    if (r < 0) {
      fail_slot(s, &err, "");
      continue;
    }
    if (r == PK_FAST_REFUSED) {
      simulate_subject(b, m, reg, &opt, o, s, kp, w->conc[l]);
      continue;
    }
    if (nl == 0) lane0_opt = opt;
    lane_slot[nl] = s;
    lane_kept[nl] = kp;
    lane_subj[nl] = (lane_subject){.m = m, .reg = reg, .opt = opt};
    nl++;
  }
  flush_pack(b, w, o, &lane0_opt, lane_slot, lane_kept, lane_subj, nl, poll);
}

/* ---- the run ---- */

/* What on_subject (and prepare) see of a slot. */
static pk_subject_result slot_result(const slot *s) {
  return (pk_subject_result){.index = s->index, .id = s->g ? s->g->id : NULL,
                             .status = s->status, .fail_t_h = s->fail_t, .reason = s->reason,
                             .values = s->values, .trajectory = s->traj,
                             .prepared = s->prepared};
}

static void given_release(given *g) {
  pk_model_free(g->model);
  free(g->reg.dose);
  free(g->hist.dose);
  free(g->id);
}

static int copy_doses(pk_regimen *dst, const pk_regimen *src) {
  size_t n = src ? src->n : 0;
  if (n > dst->cap) {
    pk_dose *d = realloc(dst->dose, n * sizeof *d);
    if (!d) return -1;
    dst->dose = d;
    dst->cap = n;
  }
  if (n) memcpy(dst->dose, src->dose, n * sizeof *dst->dose);
  dst->n = n;
  return 0;
}

/* Subject `index` from the batch's source into g: PK_OK (*end set at the
 * end of the subjects), or the source's error, or a grid that is not the
 * batch's. */
static pk_status read_given(const pk_batch *b, size_t index, given *g, int *end, pk_error *err) {
  pk_batch_subject bs = {.model = NULL, .regimen = NULL, .options = b->opt, .id = NULL};
  *end = 0;
  pk_status st = b->source(b->source_ctx, index, &bs, end, err);
  if (st != PK_OK) {
    if (err && err->code == PK_OK) pk_err_set(err, st, NULL, NULL, "the source of subjects failed");
    return st;
  }
  if (*end) return PK_OK;
  const pk_sim_options *o = &bs.options;
  if (!bs.model || !bs.regimen)
    return pk_err_set(err, PK_ERR_INVALID, NULL, NULL, "subject %zu: no model or regimen", index);
  if (o->output_start_h != b->opt.output_start_h || o->output_step_h != b->opt.output_step_h ||
      o->t_end_h != b->opt.t_end_h)
    return pk_err_set(err, PK_ERR_INVALID, NULL, NULL,
                      "subject %zu: its output grid (%g to %g h every %g h) is not the batch's "
                      "(%g to %g h every %g h)", index, o->output_start_h, o->t_end_h,
                      o->output_step_h, b->opt.output_start_h, b->opt.t_end_h,
                      b->opt.output_step_h);
  if (!g->model && !(g->model = pk_model_new())) return pk_err_nomem(err);
  pk_model_copy_into(g->model, bs.model);
  if (copy_doses(&g->reg, bs.regimen) != 0 || copy_doses(&g->hist, o->steady_state) != 0)
    return pk_err_nomem(err);
  free(g->id);
  g->id = NULL;
  if (bs.id && !(g->id = malloc(strlen(bs.id) + 1))) return pk_err_nomem(err);
  if (bs.id) strcpy(g->id, bs.id);
  g->opt = *o;
  g->opt.steady_state = o->steady_state ? &g->hist : NULL;
  g->tm = dose_timing(b, &g->reg, g->opt.steady_state);
  return PK_OK;
}

/* Up to n subjects from the source, from index `start`, into slots[0..n)
 * (their givens): the count read. At the source's end *end is set; on its
 * error *st (and err) is, and the subjects before it count. */
static size_t read_block(const pk_batch *b, slot *slots, size_t n, size_t start, int *end,
                         pk_status *st, stop_poll *poll, pk_error *err) {
  size_t got = 0;
  while (got < n && !*end && *st == PK_OK && !should_stop(poll)) {
    *st = read_given(b, start + got, slots[got].g, end, err);
    if (*st == PK_OK && !*end) got++;
  }
  return got;
}

/* keep_values with a source: room for cnt more subjects (0), or -1 with
 * *st and err set. */
static int grow_kept(pk_batch *b, size_t cnt, size_t per, pk_status *st, pk_error *err) {
  size_t have = b->n_kept;
  double *k2 = NULL;
  if ((double)(have + cnt) * (double)per * sizeof(double) > (double)SIZE_MAX / 2 ||
      !(k2 = realloc(b->kept, (have + cnt) * per * sizeof(double)))) {
    *st = pk_err_set(err, PK_ERR_NOMEM, NULL, NULL,
                     "keeping every value of %zu subjects (%zu times x %zu columns) needs "
                     "%.3g GB, more than could be allocated", have + cnt, b->rows, b->tcols - 1,
                     pk_batch_kept_bytes(b, have + cnt) / 1e9);
    return -1;
  }
  b->kept = k2;
  b->n_kept = have + cnt;
  return 0;
}

pk_status pk_batch_run(pk_batch *b, const pk_batch_run_options *o, pk_batch_report *rep,
                       pk_error *err) {
  pk_error_clear(err);
  pk_batch_report local_rep;
  if (!rep) rep = &local_rep;
  memset(rep, 0, sizeof *rep);
  if (!b || !o) return pk_err_set(err, PK_ERR_INVALID, NULL, NULL, "no batch or options");
  size_t K = o->shard_index, N = o->shard_count ? o->shard_count : 1, n = b->n_subjects;
  if (K >= N)
    return pk_err_set(err, PK_ERR_INVALID, NULL, NULL,
                      "shard %zu of %zu: expected an index in [0, %zu)", K, N, N);
  int src = b->source != NULL;
  if (src && N > 1)
    return pk_err_set(err, PK_ERR_INVALID, NULL, NULL,
                      "subjects from a source run in one shard: they are read in one pass");
  size_t lo = 0, n_local;
  if (src) {
    n_local = SIZE_MAX; /* until the source ends */
  } else if (o->shard_interleaved) {
    n_local = n > K ? (n - K + N - 1) / N : 0;
  } else {
    lo = (size_t)((unsigned long long)K * n / N);
    n_local = (size_t)((unsigned long long)(K + 1) * n / N) - lo;
  }
  rep->total = src ? 0 : n_local;
  int nt = o->threads > 0 ? o->threads : pk_batch_max_threads();
#ifndef _OPENMP
  nt = 1;
#endif
  if (nt < 1) nt = 1;
  rep->threads = nt;
  free(b->kept);
  b->kept = NULL;
  b->n_kept = 0;
  size_t per = b->rows * (b->tcols - 1);
  if (o->keep_values && n_local > 0 && !src) {
    double bytes = pk_batch_kept_bytes(b, n_local);
    if (bytes > (double)SIZE_MAX / 2 || !(b->kept = malloc(n_local * per * sizeof(double))))
      return pk_err_set(err, PK_ERR_NOMEM, NULL, NULL,
                        "keeping every value of %zu subjects (%zu times x %zu columns) needs "
                        "%.3g GB, more than could be allocated",
                        n_local, b->rows, b->tcols - 1, bytes / 1e9);
    b->n_kept = n_local;
  }
  size_t n_slots = (size_t)nt * SLOTS_PER_THREAD;
  if (n_slots > n_local) n_slots = n_local ? n_local : 1;
  /* a source's subjects are read block by block on this thread while the
   * workers run the block before: two sets of slots */
  size_t sets = src ? 2 : 1;
  slot *slots = calloc(sets * n_slots, sizeof *slots);
  double *vals = calloc(sets * n_slots * (b->ncol ? b->ncol : 1), sizeof *vals);
  worker *ws = calloc((size_t)nt, sizeof *ws);
  given *gs = src ? calloc(sets * n_slots, sizeof *gs) : NULL;
  int bad = !slots || !vals || !ws || (src && !gs);
  for (int k = 0; !bad && k < nt; k++) bad = worker_init(&ws[k], b) != 0;
  if (bad) {
    for (int k = 0; ws && k < nt; k++) worker_release(&ws[k]);
    free(gs);
    free(ws);
    free(vals);
    free(slots);
    free(b->kept);
    b->kept = NULL;
    b->n_kept = 0;
    return pk_err_nomem(err);
  }
  for (size_t k = 0; k < sets * n_slots; k++) {
    slots[k].values = vals + k * b->ncol;
    if (gs) slots[k].g = &gs[k];
  }
  size_t lanes = (size_t)pk_fast_lanes(ws[0].fast); /* every worker's: pk_fast_new's choice */
  stop_poll poll = {.o = o};
  atomic_init(&poll.stop, 0);
  pk_status st = PK_OK;
  int src_end = 0, cur = 0;
  size_t n_read = src ? read_block(b, slots, n_slots, 0, &src_end, &st, &poll, err) : 0;
  for (size_t start = 0; !rep->stopped;) {
    slot *sl = slots + (size_t)cur * n_slots;
    size_t cnt;
    if (src) {
      /* the block read before (on a source's error, those read before it
       * still run) */
      cnt = n_read;
      n_read = 0;
      if (cnt == 0) break;
      rep->total += cnt;
      if (o->keep_values && grow_kept(b, cnt, per, &st, err) != 0) break;
    } else {
      if (start >= n_local) break;
      cnt = n_local - start < n_slots ? n_local - start : n_slots;
    }
    for (size_t k = 0; k < cnt; k++) {
      size_t j = start + k;
      sl[k].index = src ? j : o->shard_interleaved ? K + j * N : lo + j;
      sl[k].ran = 0;
    }
    /* packs of `lanes` consecutive slots: a subject's results do not
     * depend on its pack (fast.h), so neither on the thread count */
    long long n_packs = (long long)((cnt + lanes - 1) / lanes);
    int read_more = src && !src_end && st == PK_OK;
    slot *next = slots + (size_t)(1 - cur) * n_slots;
    PK_OMP("omp parallel num_threads(nt)")
    {
      if (read_more) {
        PK_OMP("omp master")
        n_read = read_block(b, next, n_slots, start + cnt, &src_end, &st, &poll, err);
      }
      PK_OMP("omp for schedule(dynamic, 1) nowait")
      for (long long pk = 0; pk < n_packs; pk++) {
        if (should_stop(&poll)) continue;
#ifdef _OPENMP
        worker *w = &ws[omp_get_thread_num()];
#else
        worker *w = &ws[0];
#endif
        size_t first = (size_t)pk * lanes, m = cnt - first < lanes ? cnt - first : lanes;
        run_slots(b, w, o, sl + first, m, b->kept ? b->kept + (start + first) * per : NULL,
                  per, &poll);
        for (size_t k = first; o->prepare && k < first + m; k++) {
          if (!sl[k].ran) continue;
          pk_subject_result r = slot_result(&sl[k]);
          r.prepared = NULL;
          sl[k].prepared = o->prepare(o->ctx, &r);
        }
      }
    }
    for (size_t k = 0; k < cnt; k++) {
      slot *s = &sl[k];
      if (!s->ran || rep->stopped) {
        rep->stopped = 1;
      } else {
        pk_subject_result r = slot_result(s);
        rep->done++;
        rep->failed += s->status != PK_OK;
        rep->kernel += (size_t)s->kernel;
        if (o->on_subject && o->on_subject(o->ctx, &r) != 0) rep->stopped = 1;
      }
      pk_trajectory_free(s->traj);
      s->traj = NULL;
      free(s->prepared);
      s->prepared = NULL;
    }
    if (atomic_load(&poll.stop)) rep->stopped = 1;
    if (o->on_progress) o->on_progress(o->ctx, rep->done, src ? 0 : n_local);
    start += cnt;
    if (src) cur = 1 - cur;
  }
  for (int k = 0; k < nt; k++) worker_release(&ws[k]);
  for (size_t k = 0; gs && k < sets * n_slots; k++) given_release(&gs[k]);
  free(gs);
  free(ws);
  free(vals);
  free(slots);
  return st;
}

/* ---- CSV ---- */

/* Appends to buf (capacity n, used *len) like snprintf, tracking the length
 * needed. */
static void cat(char *buf, size_t n, size_t *len, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void cat(char *buf, size_t n, size_t *len, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int k = vsnprintf(*len < n ? buf + *len : NULL, *len < n ? n - *len : 0, fmt, ap);
  va_end(ap);
  if (k > 0) *len += (size_t)k;
}

int pk_batch_format_header(const pk_batch *b, char *buf, size_t n) {
  size_t len = 0;
  if (n) buf[0] = '\0';
  cat(buf, n, &len, "id,status");
  for (size_t j = 0; b && j < b->ncol; j++) cat(buf, n, &len, ",%s", b->colname[j]);
  cat(buf, n, &len, ",fail_t_h,reason\n");
  return (int)len;
}

static void cat_value(char *buf, size_t n, size_t *len, double x) {
  if (*len + PK_CSV_FIELD_MAX + 1 <= n) {
    /* room for the field: written in place, the length kept exact */
    *len += pk_csv_format_values(&x, 1, 1, buf + *len);
    buf[*len] = '\0';
    return;
  }
  if (isnan(x)) cat(buf, n, len, ",");
  else cat(buf, n, len, ",%.12g", x);
}

int pk_batch_format_row(const pk_batch *b, const pk_subject_result *r, char *buf, size_t n) {
  size_t len = 0;
  if (n) buf[0] = '\0';
  if (!b || !r) return 0;
  if (r->id) cat(buf, n, &len, "%s,%s", r->id, r->status == PK_OK ? "ok" : "failed");
  else cat(buf, n, &len, "%zu,%s", r->index, r->status == PK_OK ? "ok" : "failed");
  for (size_t j = 0; j < b->ncol; j++) cat_value(buf, n, &len, r->values[j]);
  cat_value(buf, n, &len, r->fail_t_h);
  cat(buf, n, &len, ",");
  if (r->reason && r->reason[0]) {
    cat(buf, n, &len, "\"");
    for (const char *q = r->reason; *q; q++) {
      if (*q == '"') cat(buf, n, &len, "\"\"");
      else cat(buf, n, &len, "%c", *q == '\n' || *q == '\r' ? ' ' : *q);
    }
    cat(buf, n, &len, "\"");
  }
  cat(buf, n, &len, "\n");
  return (int)len;
}

/* ---- percentiles ---- */

double pk_batch_kept_bytes(const pk_batch *b, size_t n) {
  return b ? (double)n * (double)b->rows * (double)(b->tcols - 1) * sizeof(double) : 0.0;
}

size_t pk_batch_kept_count(const pk_batch *b) { return b ? b->n_kept : 0; }

pk_status pk_batch_kept_row(const pk_batch *b, size_t row, double *buf, pk_error *err) {
  if (!b || !buf || row >= b->rows || (!b->kept && b->n_kept))
    return pk_err_set(err, PK_ERR_RANGE, NULL, NULL, "no kept values for row %zu", row);
  size_t no = b->tcols - 1, per = b->rows * no;
  for (size_t j = 0; j < b->n_kept; j++)
    memcpy(buf + j * no, b->kept + j * per + row * no, no * sizeof *buf);
  return PK_OK;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Percentiles (levels in percent) of column c of values (n x no), NaN left
 * out, into out[nl]; returns the count used. scratch: n doubles. */
static size_t column_percentiles(const double *values, size_t n, size_t no, size_t c,
                                 const double *levels, size_t nl, double *scratch,
                                 double *out) {
  size_t m = 0;
  for (size_t i = 0; i < n; i++) {
    double x = values[i * no + c];
    if (!isnan(x)) scratch[m++] = x;
  }
  qsort(scratch, m, sizeof *scratch, cmp_double);
  for (size_t l = 0; l < nl; l++) {
    if (m == 0) {
      out[l] = NAN;
      continue;
    }
    double h = (double)(m - 1) * levels[l] / 100.0;
    size_t i = (size_t)floor(h);
    if (i >= m - 1) out[l] = scratch[m - 1];
    else out[l] = scratch[i] + (h - (double)i) * (scratch[i + 1] - scratch[i]);
  }
  return m;
}

int pk_batch_write_percentile_header(const pk_batch *b, const double *levels, size_t nl,
                                     FILE *f) {
  fputs("time_h,n", f);
  for (size_t j = 1; b && j < b->tcols; j++)
    for (size_t l = 0; l < nl; l++) fprintf(f, ",%s_p%g", b->tnames[j], levels[l]);
  fputc('\n', f);
  return ferror(f) ? -1 : 0;
}

static void write_pct_line(const pk_batch *b, size_t row, size_t count, const double *pct,
                           size_t nl, FILE *f) {
  char buf[PK_CSV_FIELD_MAX];
  size_t len = pk_csv_format_values(&b->times[row], 1, 0, buf);
  fwrite(buf + 1, 1, len - 1, f);
  fprintf(f, ",%zu", count);
  /* the row's percentiles in blocks, each formatted by one call */
  enum { BLOCK = 64 };
  char text[BLOCK * PK_CSV_FIELD_MAX];
  size_t n = (b->tcols - 1) * nl;
  for (size_t k = 0; k < n; k += BLOCK) {
    len = pk_csv_format_values(pct + k, n - k < BLOCK ? n - k : BLOCK, 1, text);
    fwrite(text, 1, len, f);
  }
  fputc('\n', f);
}

int pk_batch_write_percentile_row(const pk_batch *b, size_t row, const double *values,
                                  size_t n, const double *levels, size_t nl, FILE *f) {
  if (!b || row >= b->rows) return -1;
  size_t no = b->tcols - 1;
  double *scratch = malloc((n ? n : 1) * sizeof *scratch);
  double *pct = malloc(((no * nl) > 0 ? no * nl : 1) * sizeof *pct);
  if (!scratch || !pct) {
    free(scratch);
    free(pct);
    return -1;
  }
  size_t count = 0;
  for (size_t c = 0; c < no; c++) {
    size_t m = column_percentiles(values, n, no, c, levels, nl, scratch, pct + c * nl);
    if (c == 0) count = m;
  }
  write_pct_line(b, row, count, pct, nl, f);
  free(scratch);
  free(pct);
  return ferror(f) ? -1 : 0;
}

pk_status pk_batch_write_percentiles(const pk_batch *b, const double *levels, size_t nl,
                                     FILE *f, pk_error *err) {
  if (!b || !f || (nl && !levels))
    return pk_err_set(err, PK_ERR_INVALID, NULL, NULL, "no batch, levels or file");
  for (size_t l = 0; l < nl; l++)
    if (!(levels[l] >= 0 && levels[l] <= 100))
      return pk_err_set(err, PK_ERR_INVALID, NULL, NULL,
                        "expected percentile levels in [0, 100], got %g", levels[l]);
  size_t no = b->tcols - 1, n = b->n_kept, chunk = PCT_ROWS_PER_CHUNK;
  double *pct = malloc(chunk * no * (nl ? nl : 1) * sizeof *pct);
  size_t *count = malloc(chunk * sizeof *count);
  int nt = pk_batch_max_threads();
  double *scratch = malloc((size_t)nt * (n ? n : 1) * sizeof *scratch);
  if (!pct || !count || !scratch) {
    free(pct);
    free(count);
    free(scratch);
    return pk_err_nomem(err);
  }
  pk_batch_write_percentile_header(b, levels, nl, f);
  size_t per = b->rows * no;
  for (size_t r0 = 0; r0 < b->rows; r0 += chunk) {
    size_t cn = b->rows - r0 < chunk ? b->rows - r0 : chunk;
    long long tasks = (long long)(cn * no);
    PK_OMP("omp parallel for num_threads(nt) schedule(dynamic, 1)")
    for (long long k = 0; k < tasks; k++) {
#ifdef _OPENMP
      double *sc = scratch + (size_t)omp_get_thread_num() * (n ? n : 1);
#else
      double *sc = scratch;
#endif
      size_t rr = (size_t)k / no, c = (size_t)k % no;
      /* the values of row r0 + rr, column c, are at kept[j * per + row * no + c] */
      size_t m = 0;
      for (size_t j = 0; j < n; j++) {
        double x = b->kept[j * per + (r0 + rr) * no + c];
        if (!isnan(x)) sc[m++] = x;
      }
      double *out = pct + (rr * no + c) * nl;
      /* reuse the single-column routine on the gathered values (stride 1) */
      if (c == 0) count[rr] = m;
      column_percentiles(sc, m, 1, 0, levels, nl, sc + 0, out);
    }
    for (size_t rr = 0; rr < cn; rr++) write_pct_line(b, r0 + rr, count[rr], pct + rr * no * nl, nl, f);
  }
  free(pct);
  free(count);
  free(scratch);
  if (ferror(f)) return pk_err_set(err, PK_ERR_IO, NULL, NULL, "write failed");
  return PK_OK;
}
