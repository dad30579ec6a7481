/* extrema.c - the highest or lowest value of an output between two times on
 * the continuous solution, not on the output grid: the simulation is run
 * again over shrinking windows around the best time (128 sub-intervals each,
 * down to a window of PK_EXTREMUM_TOL_H), which on the exact path costs one
 * propagation per dose before the window and a few output rows. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"
#include "fast.h"

enum { SUB = 128, MAX_ROUNDS = 16 };

pk_status pk_sim_extremum(const pk_model *m, const pk_regimen *r, const pk_sim_options *opt,
                          const char *column, double t_lo_h, double t_hi_h, int want_max,
                          double *t_h, double *value, pk_error *err) {
  pk_error_clear(err);
  if (!m || !r || !opt || !column || !t_h || !value)
    return pk_err_set(err, PK_ERR_INVALID, NULL, NULL, "extremum: a missing argument");
  if (!(isfinite(t_lo_h) && isfinite(t_hi_h) && t_lo_h < t_hi_h && t_lo_h >= opt->t_start_h))
    return pk_err_set(err, PK_ERR_INVALID, NULL, NULL, "extremum: expected a window "
                      "t_start <= lo < hi, got [%g, %g] h (start %g h)", t_lo_h, t_hi_h,
                      opt->t_start_h);
  pk_regimen *sub = pk_regimen_new();
  if (!sub) return pk_err_nomem(err);
  pk_status st = PK_OK;
  double lo = t_lo_h, hi = t_hi_h, best_t = NAN, best = NAN;
  int col = -1;
  for (int round = 0; st == PK_OK && round < MAX_ROUNDS; round++) {
    /* the doses up to this window's end (later ones cannot matter, and
     * pk_simulate refuses doses after its end) */
    sub->n = 0;
    for (size_t k = 0; k < r->n && st == PK_OK; k++)
      if (r->dose[k].t_h <= hi) st = pk_regimen_add(sub, &r->dose[k], err);
    if (st == PK_OK && sub->n == 0 && !opt->steady_state) {
      /* nothing dosed by then: a dose of nothing, since a regimen without
       * doses is refused (tol and W may still move from tol0) */
      pk_dose d = pk_dose_default();
      d.t_h = lo;
      st = pk_regimen_add(sub, &d, err);
    }
    if (st != PK_OK) break;
    pk_sim_options o = *opt;
    o.output_start_h = lo;
    o.output_step_h = (hi - lo) / SUB;
    o.t_end_h = hi;
    pk_trajectory *t = NULL;
    if ((st = pk_sim_run_pre(m, sub, &o, opt->output_step_h, &t, err)) != PK_OK) break;
    if (col < 0 && (col = pk_trajectory_column_index(t, column)) < 0) {
      pk_trajectory_free(t);
      st = pk_err_set(err, PK_ERR_INVALID, NULL, NULL, "extremum: no output column '%s'",
                      column);
      break;
    }
    size_t n = t->rows, jb = 0;
    for (size_t i = 1; i < n; i++) {
      double v = t->data[i * t->cols + (size_t)col], b = t->data[jb * t->cols + (size_t)col];
      if (want_max ? v > b : v < b) jb = i;
    }
    double v = t->data[jb * t->cols + (size_t)col], tv = t->data[jb * t->cols];
    if (isnan(best) || (want_max ? v > best : v < best) || (v == best && tv < best_t)) {
      best = v;
      best_t = tv;
    }
    double nlo = jb > 0 ? t->data[(jb - 1) * t->cols] : lo;
    double nhi = jb + 1 < n ? t->data[(jb + 1) * t->cols] : hi;
    pk_trajectory_free(t);
    if (nhi - nlo <= PK_EXTREMUM_TOL_H || !(nhi > nlo)) break;
    lo = nlo;
    hi = nhi;
  }
  pk_regimen_free(sub);
  if (st != PK_OK) return st;
  *t_h = best_t;
  *value = best;
  return PK_OK;
}
