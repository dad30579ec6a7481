/* plot_sweep.c - the figure of a summary of pk sweep: its measures (Cmax,
 * occupancy, E_max, W_max ...) against the setting swept; over two
 * settings, one curve per level of the second, or heat maps. The settings
 * are the columns between status and the first measure; those that take
 * one value are left out. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "plot.h"

typedef enum measure_kind { M_CONC, M_AUC, M_TMAX, M_OCC, M_E, M_W, M_HOURS, M_OTHER } measure_kind;

static measure_kind measure_of(const char *s) {
  if (!strncmp(s, "Cmax_", 5) || !strncmp(s, "Cmin_", 5)) return M_CONC;
  if (!strncmp(s, "AUC_", 4)) return M_AUC;
  if (!strncmp(s, "Tmax_", 5)) return M_TMAX;
  if (!strcmp(s, "occ_min") || !strcmp(s, "occ_max")) return M_OCC;
  if (!strcmp(s, "E_max")) return M_E;
  if (!strcmp(s, "W_max")) return M_W;
  if (!strncmp(s, "h_W_above_", 10) || !strncmp(s, "h_occ_above_", 12)) return M_HOURS;
  return M_OTHER;
}

static const char *unit_of(measure_kind k) {
  switch (k) {
  case M_CONC: return "nM";
  case M_AUC: return "nM\xc2\xb7h";
  case M_TMAX: case M_HOURS: return "h";
  case M_OCC: return "fraction of receptors";
  case M_E: case M_W: return "fraction of system maximum";
  default: return NULL;
  }
}

/* A setting's name with its unit, where pk knows it. */
static char *axis_label(const char *name) {
  static const struct { const char *key, *unit; } keys[] = {
      {"CL", "L/h"}, {"V", "L"}, {"V1", "L"}, {"V2", "L"}, {"V3", "L"}, {"Q", "L/h"},
      {"Q2", "L/h"}, {"Q3", "L/h"}, {"ka", "1/h"}, {"F", "bioavailability"},
      {"F_iv", "bioavailability"}, {"fm", "fraction"}, {"lag", "h"}, {"lag_iv", "h"},
      {"R", "mg/h"}, {"R_iv", "mg/h"}, {"D", "h"}, {"D_iv", "h"}, {"ke0", "1/h"},
      {"fu", "fraction"}};
  if (!strcmp(name, "dose")) return strdup("dose (multiple of every dose)");
  if (!strncmp(name, "dose.", 5)) return plot_strf("%s (multiple of its doses)", name);
  if (!strcmp(name, "WT")) return strdup("body weight WT (kg)");
  if (!strcmp(name, "k_tol") || !strcmp(name, "k_wx") || !strcmp(name, "k_wf"))
    return plot_strf("%s (1/h)", name);
  if (!strcmp(name, "immediate")) return strdup("immediate share of W (fraction)");
  if (!strcmp(name, "tol0")) return strdup("tol0 (fraction of system maximum)");
  const char *dot = strrchr(name, '.');
  for (size_t k = 0; dot && k < sizeof keys / sizeof keys[0]; k++)
    if (!strcmp(dot + 1, keys[k].key)) return plot_strf("%s (%s)", name, keys[k].unit);
  return strdup(name);
}

enum { MAX_M = 64 };

typedef struct sweep_plot {
  const plot_table *t;
  const cli_plot_options *o;
  int ax, ay;                 /* the x axis and the level (or heat-map y) axis, -1: none */
  double *xs, *ys;            /* their distinct values, sorted */
  size_t nx, ny;
  int first_measure;
  int m[MAX_M];               /* measures drawn */
  size_t nm;
  char *compounds[MAX_M];
  size_t ncomp;
  double x_lo, x_hi;          /* the data's x range shown */
} sweep_plot;

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* The distinct finite values of column j, sorted, into *out; the count. */
static size_t distinct(const plot_table *t, int j, double **out) {
  double *v = malloc((t->nr ? t->nr : 1) * sizeof *v);
  size_t n = 0, k = 0;
  if (!v) return 0;
  for (size_t i = 0; i < t->nr; i++)
    if (isfinite(plot_at(t, i, (size_t)j))) v[n++] = plot_at(t, i, (size_t)j);
  qsort(v, n, sizeof *v, cmp_double);
  for (size_t i = 0; i < n; i++)
    if (k == 0 || v[i] != v[k - 1]) v[k++] = v[i];
  *out = v;
  return k;
}

/* Values evenly spaced on a log scale (a LO:HI:N:log axis). */
static int geometric(const double *v, size_t n) {
  if (n < 3 || !(v[0] > 0)) return 0;
  double r = v[1] / v[0];
  for (size_t i = 2; i < n; i++)
    if (fabs(v[i] / v[i - 1] - r) > 1e-6 * r) return 0;
  return r > 1.5;
}

/* The settings: which vary, and whether two of them form a grid. */
static int find_axes(sweep_plot *p) {
  const plot_table *t = p->t;
  p->first_measure = -1;
  for (size_t j = 2; j < t->nc && p->first_measure < 0; j++)
    if (measure_of(t->names[j]) != M_OTHER) p->first_measure = (int)j;
  if (p->first_measure < 0)
    return cli_fail("%s: no summary measure (Cmax_..., occ_max, W_max ...) in the header; "
                    "expected a summary written by pk sweep", t->path);
  int vary[MAX_M];
  size_t nv = 0;
  char names[512] = "";
  size_t len = 0;
  for (int j = 2; j < p->first_measure; j++) {
    double *v = NULL;
    size_t n = distinct(t, j, &v);
    free(v);
    if (n > 1 && nv < MAX_M) {
      vary[nv++] = j;
      if (len + 64 < sizeof names)
        len += (size_t)snprintf(names + len, sizeof names - len, "%s%s", len ? ", " : "",
                                t->names[j]);
    }
  }
  if (nv == 0)
    return cli_fail("%s: no setting varies (%zu row%s): nothing to draw against; expected "
                    "a sweep over one or two --param settings", t->path, t->nr,
                    t->nr == 1 ? "" : "s");
  if (nv > 2)
    return cli_fail("%s: %zu settings vary (%s): a population or a sweep over more than two "
                    "settings; pk plot draws a sweep over one setting, or a grid over two "
                    "(for a population, plot its --percentiles table)", t->path, nv, names);
  p->ax = vary[0];
  p->ay = nv == 2 ? vary[1] : -1;
  p->nx = distinct(t, p->ax, &p->xs);
  if (p->ay >= 0) {
    p->ny = distinct(t, p->ay, &p->ys);
    /* every combination once */
    int grid = p->nx * p->ny == t->nr;
    for (size_t i = 0; grid && i < t->nr; i++)
      for (size_t k = i + 1; grid && k < t->nr; k++)
        grid = !(plot_at(t, i, (size_t)p->ax) == plot_at(t, k, (size_t)p->ax) &&
                 plot_at(t, i, (size_t)p->ay) == plot_at(t, k, (size_t)p->ay));
    if (!grid)
      return cli_fail("%s: the settings %s do not form a grid (%zu rows for %zu x %zu "
                      "values): a Latin hypercube or a population; pk plot draws a sweep over "
                      "one setting, or a grid over two", t->path, names, t->nr, p->nx, p->ny);
  }
  if (!p->xs || (p->ay >= 0 && !p->ys)) return cli_fail("out of memory");
  return 0;
}

static int add_measure(sweep_plot *p, int j) {
  for (size_t k = 0; k < p->nm; k++)
    if (p->m[k] == j) return 0;
  if (p->nm >= MAX_M) return cli_fail("--columns: more than %d measures", MAX_M);
  p->m[p->nm++] = j;
  return 0;
}

static int choose_measures(sweep_plot *p) {
  const plot_table *t = p->t;
  int fm = p->first_measure;
  for (size_t j = (size_t)fm; j < t->nc && p->ncomp < MAX_M; j++)
    if (!strncmp(t->names[j], "Cmax_", 5)) p->compounds[p->ncomp++] = t->names[j] + 5;
  if (p->o->columns) {
    char *names[MAX_M];
    int n = cli_name_list("--columns", p->o->columns, names, MAX_M), rc = 0;
    if (n < 0) return 1;
    for (int k = 0; k < n && rc == 0; k++) {
      int j = plot_table_column(t, names[k]);
      if (j < fm || !strcmp(names[k], "reason")) {
        char list[1024];
        size_t len = 0;
        for (size_t i = (size_t)fm; i < t->nc && len + 64 < sizeof list; i++)
          if (strcmp(t->names[i], "reason"))
            len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", len ? ", " : "",
                                    t->names[i]);
        rc = cli_fail("%s: --columns: no measure '%s'; expected one of: %s", t->path, names[k],
                      list);
      } else {
        rc = add_measure(p, j);
      }
    }
    for (int k = 0; k < n; k++) free(names[k]);
    return rc;
  }
  /* the default: concentrations, occupancy, E_max, W_max; over two
   * settings the first compound's Cmax, occ_max and W_max; a heat map of W_max */
  for (size_t j = (size_t)fm; j < t->nc; j++) {
    const char *s = t->names[j];
    int want;
    if (p->o->heatmap) want = !strcmp(s, "W_max");
    else if (p->ay >= 0)
      want = (p->ncomp && !strncmp(s, "Cmax_", 5) && !strcmp(s + 5, p->compounds[0])) ||
             !strcmp(s, "occ_max") || !strcmp(s, "W_max");
    else
      want = measure_of(s) == M_CONC || measure_of(s) == M_OCC || measure_of(s) == M_E ||
             measure_of(s) == M_W;
    if (want && add_measure(p, (int)j)) return 1;
  }
  if (p->nm == 0)
    return cli_fail("%s: none of the default measures (Cmax_..., occ_max, W_max) is in the "
                    "summary; name measures with --columns", t->path);
  return 0;
}

/* The symptom threshold: --w-threshold or the scenario's, else the one in
 * the h_W_above_X column's name. */
static double threshold_of(const sweep_plot *p) {
  if (isfinite(p->o->threshold)) return p->o->threshold;
  for (size_t j = 0; j < p->t->nc; j++)
    if (!strncmp(p->t->names[j], "h_W_above_", 10)) {
      char *end;
      double x = strtod(p->t->names[j] + 10, &end);
      if (*end == '\0' && end != p->t->names[j] + 10 && x > 0) return x;
    }
  return NAN;
}

/* The rows with x in range and the level y (NaN: any), sorted by x. */
static size_t rows_at(const sweep_plot *p, double y, size_t *idx) {
  size_t n = 0;
  for (size_t i = 0; i < p->t->nr; i++) {
    double x = plot_at(p->t, i, (size_t)p->ax);
    if (!(x >= p->x_lo && x <= p->x_hi)) continue;
    if (!isnan(y) && plot_at(p->t, i, (size_t)p->ay) != y) continue;
    size_t k = n++;
    while (k > 0 && plot_at(p->t, idx[k - 1], (size_t)p->ax) > x) {
      idx[k] = idx[k - 1];
      k--;
    }
    idx[k] = i;
  }
  return n;
}

/* The largest value of each measure of the panel, the ratio of the
 * largest to the smallest of them. */
static double peak_ratio(const sweep_plot *p, const int *members, size_t n) {
  double hi = -INFINITY, lo = INFINITY;
  for (size_t i = 0; i < n; i++) {
    double mx = -INFINITY;
    for (size_t r = 0; r < p->t->nr; r++) mx = fmax(mx, plot_at(p->t, r, (size_t)p->m[members[i]]));
    if (mx > 0) hi = fmax(hi, mx), lo = fmin(lo, mx);
  }
  return hi > 0 ? hi / lo : 1;
}

/* A log axis: asked for (for concentrations and AUC, or every panel when
 * there are none), or for concentrations whose peaks differ by more than
 * 100 times. */
static int log_panel(const sweep_plot *p, measure_kind k, int any_conc, const int *members,
                     size_t n) {
  if (p->o->log_y < 0) return 0;
  if (p->o->log_y > 0) return k == M_CONC || k == M_AUC || !any_conc;
  return k == M_CONC && peak_ratio(p, members, n) > 100;
}

/* The y label of a panel of measures of kind k (names: the measures). */
static char *measure_label(measure_kind k, const char *names, int several) {
  const char *unit = unit_of(k);
  if (!several || k == M_OTHER) return unit ? plot_strf("%s\n(%s)", names, unit) : strdup(names);
  switch (k) {
  case M_CONC: return plot_strf("Cmax, Cmin (%s)", unit);
  case M_AUC: return plot_strf("AUC (%s)", unit);
  case M_TMAX: return plot_strf("Tmax (%s)", unit);
  case M_OCC: return plot_strf("occ_max, occ_min\n(%s)", unit);
  case M_HOURS: return plot_strf("time above a threshold (%s)", unit);
  default: return plot_strf("%s\n(%s)", names, unit);
  }
}

static void write_curve(sweep_plot *p, plot_figure *f, int j, double level, int log,
                        size_t *idx) {
  size_t n = rows_at(p, level, idx);
  for (size_t r = 0; r < n; r++) {
    double v[2] = {plot_at(p->t, idx[r], (size_t)p->ax), plot_at(p->t, idx[r], (size_t)j)};
    if (log && !(v[1] > 0)) v[1] = NAN;
    plot_row(f, 2, v);
  }
}

/* One axis: measures grouped by unit into panels. Two: a panel per
 * measure, a curve per level of the second setting. */
static int curves(sweep_plot *p, plot_figure *f, size_t *idx) {
  const plot_table *t = p->t;
  int any_conc = 0;
  for (size_t k = 0; k < p->nm; k++) {
    measure_kind mk = measure_of(t->names[p->m[k]]);
    any_conc |= mk == M_CONC || mk == M_AUC;
  }
  int done[MAX_M] = {0};
  char *ylabel = NULL;
  for (size_t k = 0; k < p->nm; k++) {
    if (done[k]) continue;
    measure_kind mk = measure_of(t->names[p->m[k]]);
    /* one axis: the measures of one kind share the panel */
    int members[MAX_M];
    size_t nmem = 0;
    for (size_t i = k; i < p->nm; i++)
      if (!done[i] && (i == k || (p->ay < 0 && mk != M_OTHER &&
                                  measure_of(t->names[p->m[i]]) == mk))) {
        members[nmem++] = (int)i;
        done[i] = 1;
      }
    char names[256] = "";
    size_t len = 0;
    for (size_t i = 0; i < nmem && len + 48 < sizeof names; i++)
      len += (size_t)snprintf(names + len, sizeof names - len, "%s%s", i ? ", " : "",
                              t->names[p->m[members[i]]]);
    ylabel = measure_label(mk, names, nmem > 1);
    plot_panel *pn = ylabel ? plot_panel_add(f, "%s", ylabel) : NULL;
    free(ylabel);
    if (!pn) return 1;
    pn->log_y = log_panel(p, mk, any_conc, members, nmem);
    if (mk != M_OTHER) pn->y_floor = 0;
    if (mk == M_W) pn->threshold = threshold_of(p);
    for (size_t i = 0; i < nmem; i++) {
      int j = p->m[members[i]];
      const char *name = t->names[j];
      if (p->ay < 0) {
        int b = plot_block(f);
        write_curve(p, f, j, NAN, pn->log_y, idx);
        int dash = !strncmp(name, "Cmin_", 5) || !strcmp(name, "occ_min") ? 2 : 1;
        plot_series_add(f, pn, PLOT_LINEPOINTS, b, 2,
                        plot_quantity_colour(name, p->compounds, p->ncomp), dash, 2, name);
        continue;
      }
      for (size_t l = 0; l < p->ny; l++) {
        int b = plot_block(f);
        write_curve(p, f, j, p->ys[l], pn->log_y, idx);
        char colour[8], *title = plot_strf("%s = %g", t->names[p->ay], p->ys[l]);
        plot_sequence_colour(l, p->ny, colour);
        plot_series_add(f, pn, PLOT_LINEPOINTS, b, 2, colour, 1, 2, title);
        free(title);
      }
    }
  }
  return 0;
}

/* Cell edges of sorted values: halfway between neighbours (geometrically
 * on a log axis), the outer cells as wide as their neighbours. */
static void edges(const double *v, size_t n, int log, double *e) {
  for (size_t i = 1; i < n; i++) e[i] = log ? sqrt(v[i - 1] * v[i]) : (v[i - 1] + v[i]) / 2;
  e[0] = log ? v[0] * v[0] / e[1] : 2 * v[0] - e[1];
  e[n] = log ? v[n - 1] * v[n - 1] / e[n - 1] : 2 * v[n - 1] - e[n - 1];
}

static size_t index_of(const double *v, size_t n, double x) {
  size_t k = 0;
  while (k + 1 < n && v[k] != x) k++;
  return k;
}

/* Heat maps: x the first setting, y the second, the colour a measure,
 * its value written in each cell when there are few. */
static int heatmaps(sweep_plot *p, plot_figure *f) {
  const plot_table *t = p->t;
  /* the x values in range */
  size_t nx = 0;
  for (size_t i = 0; i < p->nx; i++)
    if (p->xs[i] >= p->x_lo && p->xs[i] <= p->x_hi) p->xs[nx++] = p->xs[i];
  p->nx = nx;
  int logy = geometric(p->ys, p->ny);
  double *ex = malloc((nx + 1) * sizeof *ex), *ey = malloc((p->ny + 1) * sizeof *ey);
  if (!ex || !ey) {
    free(ex);
    free(ey);
    return cli_fail("out of memory");
  }
  edges(p->xs, nx, f->log_x, ex);
  edges(p->ys, p->ny, logy, ey);
  f->x_lo = ex[0];
  f->x_hi = ex[nx];
  int labels = nx <= 16 && p->ny <= 16;
  for (size_t k = 0; k < p->nm; k++) {
    int j = p->m[k];
    const char *unit = unit_of(measure_of(t->names[j]));
    char *label = axis_label(t->names[p->ay]);
    plot_panel *pn = label ? plot_panel_add(f, "%s", label) : NULL;
    free(label);
    if (!pn) break;
    pn->heatmap = 1;
    pn->height = 1.7;
    pn->log_y = logy;
    pn->y_lo = ey[0];
    pn->y_hi = ey[p->ny];
    pn->threshold = measure_of(t->names[j]) == M_W ? threshold_of(p) : NAN;
    if (p->ny <= 16 && (pn->ytics = malloc(p->ny * sizeof *pn->ytics)) != NULL) {
      memcpy(pn->ytics, p->ys, p->ny * sizeof *pn->ytics);
      pn->n_ytics = p->ny;
    }
    pn->cblabel = unit ? plot_strf("%s (%s)", t->names[j], unit) : strdup(t->names[j]);
    double lo = INFINITY, hi = -INFINITY;
    int b = plot_block(f);
    for (size_t i = 0; i < t->nr; i++) {
      double x = plot_at(t, i, (size_t)p->ax), y = plot_at(t, i, (size_t)p->ay);
      double v = plot_at(t, i, (size_t)j);
      if (!(x >= p->x_lo && x <= p->x_hi)) continue;
      size_t a = index_of(p->xs, nx, x), c = index_of(p->ys, p->ny, y);
      double row[7] = {x, y, ex[a], ex[a + 1], ey[c], ey[c + 1], v};
      plot_row(f, 7, row);
      if (isfinite(v)) lo = fmin(lo, v), hi = fmax(hi, v);
    }
    plot_series_add(f, pn, PLOT_CELLS, b, 7, "#000000", 1, 1, NULL);
    /* the values, white on the dark half of the palette */
    for (int light = 0; labels && light < 2; light++) {
      int bl = plot_block(f);
      for (size_t i = 0; i < t->nr; i++) {
        double x = plot_at(t, i, (size_t)p->ax), y = plot_at(t, i, (size_t)p->ay);
        double v = plot_at(t, i, (size_t)j);
        if (!(x >= p->x_lo && x <= p->x_hi) || !isfinite(v)) continue;
        double u = hi > lo ? (v - lo) / (hi - lo) : 0;
        if ((u > 0.55) != light) continue;
        double row[3] = {x, y, v};
        plot_row(f, 3, row);
      }
      plot_series_add(f, pn, PLOT_CELL_LABELS, bl, 3, light ? "#000000" : "#FFFFFF", 1, 1,
                      NULL);
    }
  }
  free(ex);
  free(ey);
  return f->np == p->nm ? 0 : 1;
}

int plot_sweep_figure(const plot_table *t, const cli_plot_options *o, plot_figure *f) {
  sweep_plot p = {.t = t, .o = o, .ax = -1, .ay = -1};
  int rc = 1;
  size_t *idx = NULL;
  if (o->n_dose_sets) {
    cli_fail("--doses: %s is a sweep summary, which has no time axis", t->path);
    goto done;
  }
  if (o->daily > 0) {
    cli_fail("--daily: %s is a sweep summary, which has no time axis", t->path);
    goto done;
  }
  if (find_axes(&p)) goto done;
  if (o->heatmap && p.ay < 0) {
    cli_fail("--heatmap: %s varies one setting (%s); a heat map needs a sweep over two",
             t->path, t->names[p.ax]);
    goto done;
  }
  p.x_lo = p.xs[0];
  p.x_hi = p.xs[p.nx - 1];
  if (o->has_xrange) {
    if (o->xrange.time_unit) {
      cli_fail("--xrange: the x axis of %s is %s, not time: give its values without d or h",
               t->path, t->names[p.ax]);
      goto done;
    }
    if (isfinite(o->xrange.lo)) p.x_lo = fmax(p.x_lo, o->xrange.lo);
    if (isfinite(o->xrange.hi)) p.x_hi = fmin(p.x_hi, o->xrange.hi);
    if (!(p.x_lo < p.x_hi)) {
      cli_fail("%s: nothing to draw in --xrange: %s runs from %g to %g; expected a range "
               "holding at least two of its values", t->path, t->names[p.ax], p.xs[0],
               p.xs[p.nx - 1]);
      goto done;
    }
  }
  if (choose_measures(&p)) goto done;
  if (o->log_x > 0 && !(p.x_lo > 0)) {
    cli_fail("--log-x: %s has values <= 0 (%g); a logarithmic axis needs values > 0",
             t->names[p.ax], p.x_lo);
    goto done;
  }
  f->log_x = o->log_x > 0 || (o->log_x == 0 && geometric(p.xs, p.nx));
  f->x_lo = p.x_lo;
  f->x_hi = p.x_hi;
  if (!(idx = malloc(t->nr * sizeof *idx))) {
    cli_fail("out of memory");
    goto done;
  }
  /* few values: a tic at each */
  size_t nt = 0;
  if (p.nx <= 12 && (f->xtics = malloc(p.nx * sizeof *f->xtics)) != NULL)
    for (size_t i = 0; i < p.nx; i++)
      if (p.xs[i] >= p.x_lo && p.xs[i] <= p.x_hi) f->xtics[nt++] = p.xs[i];
  f->n_xtics = nt;
  if ((o->heatmap ? heatmaps(&p, f) : curves(&p, f, idx)) != 0) goto done;
  if (plot_apply_yranges(f, o) != 0) goto done;
  f->xlabel = axis_label(t->names[p.ax]);
  f->title = strdup(o->title ? o->title : t->path);
  rc = f->xlabel && f->title ? 0 : cli_fail("out of memory");
done:
  free(idx);
  free(p.xs);
  free(p.ys);
  return rc;
}
