/* nca.c - non-compartmental summaries of a sampled concentration profile
 * (Cmax, Tmax, AUC, terminal half-life), computed as clinical studies do so
 * that simulations can be compared with published tables. */
#include <math.h>
#include <stdlib.h>
#include "internal.h"
#include "segment.h"

#define BAD(...) pk_err_set(err, PK_ERR_INVALID, NULL, NULL, __VA_ARGS__)

static pk_status check_samples(const double *t_h, const double *c, size_t n, pk_error *err) {
  if (!t_h || !c) return BAD("NCA: no time or concentration array");
  if (n < 2) return BAD("NCA: at least 2 samples are needed, got %zu", n);
  for (size_t i = 0; i < n; i++) {
    if (!isfinite(t_h[i])) return BAD("NCA: sample %zu: time is not finite", i);
    if (!(isfinite(c[i]) && c[i] >= 0))
      return BAD("NCA: sample %zu (t = %g h): concentration must be finite and >= 0, got %g",
                 i, t_h[i], c[i]);
    if (i > 0 && !(t_h[i] > t_h[i - 1]))
      return BAD("NCA: times must increase strictly; sample %zu (t = %g h) follows t = %g h",
                 i, t_h[i], t_h[i - 1]);
  }
  return PK_OK;
}

/* Area of one interval: the log rule where the concentration falls, since a
 * declining profile is close to exponential and the straight line would
 * overestimate it; the straight line where it rises or is flat or zero
 * (pk_seg_auc, the batch summaries' arithmetic). */
static double interval_auc(double t1, double c1, double t2, double c2) {
  return pk_seg_auc(t1, t2, c1, c2);
}

/* Cmax, Tmax, Clast, Tlast and AUClast. Fails if no sample is positive. */
static pk_status exposure(const double *t_h, const double *c, size_t n, pk_nca_result *out,
                          pk_error *err) {
  size_t imax = 0, ilast = n;
  for (size_t i = 0; i < n; i++) {
    if (c[i] > c[imax]) imax = i;
    if (c[i] > 0) ilast = i;
  }
  if (ilast == n) return BAD("NCA: no concentration is above 0");
  out->cmax = c[imax];
  out->tmax_h = t_h[imax];
  out->clast = c[ilast];
  out->tlast_h = t_h[ilast];
  double auc = 0.0;
  for (size_t i = 0; i < ilast; i++) auc += interval_auc(t_h[i], c[i], t_h[i + 1], c[i + 1]);
  out->auc_last = auc;
  return PK_OK;
}

/* Least-squares line through (t, ln c) over the positive samples in
 * [from, to]; centred sums keep it accurate for late windows. */
static pk_status terminal_slope(const double *t_h, const double *c, size_t n, double from,
                                double to, pk_nca_result *out, pk_error *err) {
  double st = 0, sy = 0;
  size_t m = 0;
  for (size_t i = 0; i < n; i++)
    if (t_h[i] >= from && t_h[i] <= to && c[i] > 0) {
      st += t_h[i];
      sy += log(c[i]);
      m++;
    }
  if (m < 3)
    return BAD("NCA: the terminal window [%g, %g] h holds %zu samples with c > 0; at least 3 "
               "are needed", from, to, m);
  double tm = st / (double)m, ym = sy / (double)m, stt = 0, sty = 0, syy = 0;
  for (size_t i = 0; i < n; i++)
    if (t_h[i] >= from && t_h[i] <= to && c[i] > 0) {
      double dt = t_h[i] - tm, dy = log(c[i]) - ym;
      stt += dt * dt;
      sty += dt * dy;
      syy += dy * dy;
    }
  double slope = sty / stt;
  if (!(slope < 0))
    return BAD("NCA: concentrations do not decline over the terminal window [%g, %g] h "
               "(log-linear slope %g 1/h)", from, to, slope);
  out->lambda_z_per_h = -slope;
  out->lambda_n = m;
  out->lambda_from_h = NAN;
  out->lambda_to_h = NAN;
  for (size_t i = 0; i < n; i++)
    if (t_h[i] >= from && t_h[i] <= to && c[i] > 0) {
      if (isnan(out->lambda_from_h)) out->lambda_from_h = t_h[i];
      out->lambda_to_h = t_h[i];
    }
  out->lambda_r2 = syy > 0 ? sty * sty / (stt * syy) : 1.0;
  return PK_OK;
}

pk_status pk_nca_compute(const double *t_h, const double *c, size_t n, double lambda_from_h,
                         double lambda_to_h, pk_nca_result *out, pk_error *err) {
  pk_error_clear(err);
  if (!out) return BAD("NCA: no result");
  if (!(isfinite(lambda_from_h) && isfinite(lambda_to_h) && lambda_from_h < lambda_to_h))
    return BAD("NCA: the terminal window must be finite with start < end, got [%g, %g] h",
               lambda_from_h, lambda_to_h);
  pk_status st = check_samples(t_h, c, n, err);
  if (st == PK_OK) st = exposure(t_h, c, n, out, err);
  if (st == PK_OK) st = terminal_slope(t_h, c, n, lambda_from_h, lambda_to_h, out, err);
  if (st != PK_OK) return st;
  out->t_half_h = log(2.0) / out->lambda_z_per_h;
  out->auc_inf = out->auc_last + out->clast / out->lambda_z_per_h;
  return PK_OK;
}

pk_status pk_nca_exposure(const double *t_h, const double *c, size_t n, pk_nca_result *out,
                          pk_error *err) {
  pk_error_clear(err);
  if (!out) return BAD("NCA: no result");
  pk_status st = check_samples(t_h, c, n, err);
  if (st == PK_OK) st = exposure(t_h, c, n, out, err);
  if (st != PK_OK) return st;
  out->lambda_z_per_h = out->t_half_h = out->lambda_r2 = out->auc_inf = NAN;
  out->lambda_from_h = out->lambda_to_h = NAN;
  out->lambda_n = 0;
  return PK_OK;
}

pk_status pk_nca_compute_auto(const double *t_h, const double *c, size_t n, double min_from_h,
                              pk_nca_result *out, pk_error *err) {
  pk_error_clear(err);
  if (!out) return BAD("NCA: no result");
  pk_status st = check_samples(t_h, c, n, err);
  if (st == PK_OK) st = exposure(t_h, c, n, out, err);
  if (st != PK_OK) return st;
  /* the positive samples after Tmax (and min_from_h), from the last back */
  size_t m = 0;
  for (size_t i = n; i-- > 0;) {
    if (!(t_h[i] > out->tmax_h) || t_h[i] < min_from_h) break;
    if (c[i] > 0) m++;
  }
  if (m < 3)
    return BAD("NCA: %zu sample%s with c > 0 after Tmax (%g h)%s; at least 3 are needed for "
               "the terminal slope", m, m == 1 ? "" : "s", out->tmax_h,
               isfinite(min_from_h) ? " and the window's start" : "");
  double best_adj = -INFINITY, best_from = NAN;
  size_t k = 0;
  /* the regression of each window from running co-moments (Welford's
   * updates, stable for late windows): one pass, not one fit per window */
  double mt = 0, my = 0, stt = 0, syy = 0, sty = 0;
  for (size_t i = n; i-- > 0 && k < m;) {
    if (!(c[i] > 0)) continue;
    k++;
    double y = log(c[i]), dt = t_h[i] - mt, dy = y - my;
    mt += dt / (double)k;
    my += dy / (double)k;
    stt += dt * (t_h[i] - mt);
    syy += dy * (y - my);
    sty += dt * (y - my);
    if (k < 3 || !(sty / stt < 0)) continue;
    double r2 = syy > 0 ? sty * sty / (stt * syy) : 1.0;
    double adj = 1.0 - (1.0 - r2) * (double)(k - 1) / (double)(k - 2);
    if (adj > best_adj - 1e-4) { /* more samples win within 1e-4 */
      if (adj > best_adj) best_adj = adj;
      best_from = t_h[i];
    }
  }
  if (isnan(best_from))
    return BAD("NCA: concentrations do not decline after Tmax (%g h) over any window of the "
               "last 3 or more samples", out->tmax_h);
  st = terminal_slope(t_h, c, n, best_from, t_h[n - 1], out, err);
  if (st != PK_OK) return st;
  out->t_half_h = log(2.0) / out->lambda_z_per_h;
  out->auc_inf = out->auc_last + out->clast / out->lambda_z_per_h;
  return PK_OK;
}

pk_status pk_nca_compute_column(const pk_trajectory *t, const char *column,
                                double lambda_from_h, double lambda_to_h, pk_nca_result *out,
                                pk_error *err) {
  pk_error_clear(err);
  int jt = pk_trajectory_column_index(t, "time_h"), jc = pk_trajectory_column_index(t, column);
  if (!t || jt < 0) return BAD("NCA: no trajectory, or it has no time_h column");
  if (jc < 0) return BAD("NCA: the trajectory has no column '%s'", column ? column : "(null)");
  size_t n = t->rows;
  double *tc = malloc((n ? 2 * n : 1) * sizeof *tc);
  if (!tc) return pk_err_nomem(err);
  for (size_t i = 0; i < n; i++) {
    tc[i] = t->data[i * t->cols + (size_t)jt];
    tc[n + i] = t->data[i * t->cols + (size_t)jc];
  }
  pk_status st = pk_nca_compute(tc, tc + n, n, lambda_from_h, lambda_to_h, out, err);
  free(tc);
  return st;
}
