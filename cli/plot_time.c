/* plot_time.c - figures against time: trajectories of pk simulate overlaid,
 * or percentile bands of pk population/sweep --percentiles. Panels, top to
 * bottom: concentrations (nM), amounts (umol), occupancy (fraction of
 * receptors), E/tol/net (fraction of system maximum), W (the same unit, on
 * its own axis: it is a small fraction of E) with the symptom threshold.
 * Long runs can be drawn as each day's maximum and minimum. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "plot.h"

/* Panels, in the order they are stacked. */
typedef enum panel_kind { P_CONC, P_AMOUNT, P_OCC, P_EFFECT, P_W, P_OTHER, P_COUNT } panel_kind;

static panel_kind kind_of(const char *name) {
  if (strncmp(name, "C_", 2) == 0 || strncmp(name, "ce_", 3) == 0) return P_CONC;
  if (strncmp(name, "A_", 2) == 0) return P_AMOUNT;
  if (strcmp(name, "occ") == 0 || strncmp(name, "occ_", 4) == 0) return P_OCC;
  if (strcmp(name, "E") == 0 || strcmp(name, "tol") == 0 || strcmp(name, "net") == 0)
    return P_EFFECT;
  if (strcmp(name, "W") == 0 || strcmp(name, "wx") == 0 || strcmp(name, "wf") == 0) return P_W;
  return P_OTHER;
}

enum { MAX_Q = 128 };

/* What is drawn: quantities (base column names) and the files. */
typedef struct time_plot {
  plot_table *t;
  size_t n;
  const cli_plot_options *o;
  char *q[MAX_Q]; /* quantity names (owned) */
  size_t nq;
  int explicit_columns;
  double x_lo, x_hi, scale; /* hours; scale: hours to the x unit */
  int daily;
  char **labels; /* per file */
  char *compounds[MAX_Q]; /* compound ids of the files' C_ columns */
  size_t ncomp;
  int crowd; /* more files than o->key_max: thin curves, a key entry per quantity */
} time_plot;

/* The column of quantity q in a trajectory; in a percentile table, the
 * columns of its lowest, highest and 50th level (-1: none). */
typedef struct qcols {
  int col, lo, hi, med;
  double lo_level, hi_level;
} qcols;

static double level_of(const char *name, const char *q) {
  size_t n = strlen(q);
  if (strncmp(name, q, n) != 0 || strncmp(name + n, "_p", 2) != 0) return NAN;
  char *end;
  double v = strtod(name + n + 2, &end);
  return *end == '\0' && end != name + n + 2 ? v : NAN;
}

static int find_q(const plot_table *t, const char *q, qcols *c) {
  *c = (qcols){-1, -1, -1, -1, NAN, NAN};
  if (t->kind == PLOT_TRAJECTORY) {
    c->col = plot_table_column(t, q);
    return c->col >= 0 && c->col > 0;
  }
  for (size_t j = 2; j < t->nc; j++) {
    double l = level_of(t->names[j], q);
    if (isnan(l)) continue;
    if (c->lo < 0 || l < c->lo_level) c->lo = (int)j, c->lo_level = l;
    if (c->hi < 0 || l > c->hi_level) c->hi = (int)j, c->hi_level = l;
    if (l == 50) c->med = (int)j;
  }
  return c->lo >= 0;
}

/* The base names a table offers, joined for a message. */
static void list_names(const plot_table *t, char *buf, size_t cap) {
  size_t len = 0;
  buf[0] = '\0';
  const char *prev = NULL;
  size_t prev_len = 0;
  for (size_t j = 1; j < t->nc && len + 64 < cap; j++) {
    const char *s = t->names[j];
    size_t n = strlen(s);
    if (t->kind == PLOT_PERCENTILES) {
      if (j == 1) continue; /* n */
      const char *p = strstr(s, "_p"), *q;
      while (p && (q = strstr(p + 2, "_p")) != NULL) p = q;
      n = p ? (size_t)(p - s) : n;
      if (prev && n == prev_len && strncmp(s, prev, n) == 0) continue;
    }
    len += (size_t)snprintf(buf + len, cap - len, "%s%.*s", len ? ", " : "", (int)n, s);
    prev = s;
    prev_len = n;
  }
}

static int add_q(time_plot *p, const char *name) {
  for (size_t k = 0; k < p->nq; k++)
    if (strcmp(p->q[k], name) == 0) return 0;
  if (p->nq >= MAX_Q) return cli_fail("more than %d columns to draw", MAX_Q);
  if (!(p->q[p->nq] = strdup(name))) return cli_fail("out of memory");
  p->nq++;
  return 0;
}

/* The quantities: --columns, each in every file; or the default: every
 * file's concentrations, then occ, E, tol and W. */
static int choose_quantities(time_plot *p) {
  qcols c;
  if (p->o->columns) {
    char *names[MAX_Q];
    int n = cli_name_list("--columns", p->o->columns, names, MAX_Q);
    if (n < 0) return 1;
    int rc = 0;
    for (int k = 0; k < n && rc == 0; k++) {
      for (size_t i = 0; i < p->n && rc == 0; i++)
        if (!find_q(&p->t[i], names[k], &c)) {
          char list[1024];
          list_names(&p->t[i], list, sizeof list);
          rc = cli_fail("%s: --columns: no %s '%s'; expected one of: %s", p->t[i].path,
                        p->t[i].kind == PLOT_PERCENTILES ? "percentiles of a column" : "column",
                        names[k], list);
        }
      if (rc == 0) rc = add_q(p, names[k]);
    }
    for (int k = 0; k < n; k++) free(names[k]);
    p->explicit_columns = 1;
    return rc;
  }
  for (size_t i = 0; i < p->n; i++)
    for (size_t j = 1; j < p->t[i].nc; j++) {
      const char *s = p->t[i].names[j];
      if (strncmp(s, "C_", 2) != 0) continue;
      char base[256];
      snprintf(base, sizeof base, "%s", s);
      if (p->t[i].kind == PLOT_PERCENTILES) {
        char *u = strstr(base, "_p"), *v;
        while (u && (v = strstr(u + 2, "_p")) != NULL) u = v;
        if (u) *u = '\0';
      }
      if (add_q(p, base)) return 1;
    }
  static const char *const pd[] = {"occ", "E", "tol", "W"};
  for (size_t k = 0; k < 4; k++)
    for (size_t i = 0; i < p->n; i++)
      if (find_q(&p->t[i], pd[k], &c)) {
        if (add_q(p, pd[k])) return 1;
        break;
      }
  if (p->nq == 0)
    return cli_fail("%s: no concentration (C_...), occ, E, tol or W column to draw; name "
                    "columns with --columns", p->t[0].path);
  return 0;
}

/* The x axis: the files' times, or --xrange (days, or hours with h). */
static int choose_range(time_plot *p) {
  double lo = INFINITY, hi = -INFINITY;
  for (size_t i = 0; i < p->n; i++) {
    lo = fmin(lo, plot_at(&p->t[i], 0, 0));
    hi = fmax(hi, plot_at(&p->t[i], p->t[i].nr - 1, 0));
  }
  double dlo = lo, dhi = hi;
  if (p->o->has_xrange) {
    const cli_range *r = &p->o->xrange;
    if (isfinite(r->lo)) lo = r->lo * (r->lo_h ? 1 : 24);
    if (isfinite(r->hi)) hi = r->hi * (r->hi_h ? 1 : 24);
    lo = fmax(lo, dlo);
    hi = fmin(hi, dhi);
  }
  if (!(lo < hi))
    return cli_fail("%s: nothing to draw in --xrange: the data run from %g to %g h (days %g "
                    "to %g); expected a range overlapping them, with more than one time",
                    p->t[0].path, dlo, dhi, dlo / 24, dhi / 24);
  p->x_lo = lo;
  p->x_hi = hi;
  p->scale = hi - lo > 48 ? 1.0 / 24 : 1.0;
  p->daily = !p->crowd && (p->o->daily > 0 || (p->o->daily == 0 && hi - lo > 14 * 24));
  return 0;
}

/* Labels: --label, else the file's name without its folder (the whole
 * name when two files share it); at most 28 characters, so that the key
 * entry "label: column" keeps its column. */
static int choose_labels(time_plot *p) {
  p->labels = calloc(p->n, sizeof *p->labels);
  if (!p->labels) return cli_fail("out of memory");
  for (size_t i = 0; i < p->n; i++) {
    if (i < p->o->n_labels) {
      p->labels[i] = plot_clean(p->o->labels[i], 28);
    } else {
      const char *path = p->t[i].path, *base = strrchr(path, '/');
      base = base ? base + 1 : path;
      int clash = 0;
      for (size_t k = 0; k < p->n; k++) {
        const char *b = strrchr(p->t[k].path, '/');
        b = b ? b + 1 : p->t[k].path;
        clash |= k != i && strcmp(b, base) == 0;
      }
      p->labels[i] = plot_clean(clash ? path : base, 28);
    }
    if (!p->labels[i]) return cli_fail("out of memory");
  }
  return 0;
}

/* Each day's minimum and maximum of columns cols[] (staircase rows: the
 * start and end of the day, each followed by min,max per column), or every
 * row, into a new block. Non-positive values are left out on a log axis. */
static int write_block(time_plot *p, plot_figure *f, const plot_table *t, const int *cols,
                       size_t nc, int log) {
  int b = plot_block(f);
  double v[16];
  if (!p->daily) {
    for (size_t i = 0; i < t->nr; i++) {
      double x = plot_at(t, i, 0);
      if (x < p->x_lo || x > p->x_hi) continue;
      v[0] = x * p->scale;
      for (size_t k = 0; k < nc; k++) {
        double y = plot_at(t, i, (size_t)cols[k]);
        v[k + 1] = log && !(y > 0) ? NAN : y;
      }
      plot_row(f, nc + 1, v);
    }
    return b;
  }
  double d0 = floor(p->x_lo / 24), d1 = ceil(p->x_hi / 24);
  size_t i = 0;
  for (double d = d0; d < d1; d++) {
    double a = fmax(24 * d, p->x_lo), e = fmin(24 * d + 24, p->x_hi);
    double mn[8], mx[8];
    int any = 0;
    for (size_t k = 0; k < nc; k++) mn[k] = INFINITY, mx[k] = -INFINITY;
    while (i < t->nr && plot_at(t, i, 0) < a) i++;
    /* a day holds both its midnights: the value at midnight is both days' */
    for (size_t r = i; r < t->nr && plot_at(t, r, 0) <= e; r++) {
      for (size_t k = 0; k < nc; k++) {
        double y = plot_at(t, r, (size_t)cols[k]);
        if (isnan(y) || (log && !(y > 0))) continue;
        mn[k] = fmin(mn[k], y);
        mx[k] = fmax(mx[k], y);
        any = 1;
      }
    }
    if (!any) continue;
    for (int end = 0; end < 2; end++) {
      v[0] = (end ? e : a) * p->scale;
      for (size_t k = 0; k < nc; k++) {
        v[1 + 2 * k] = isfinite(mn[k]) ? mn[k] : NAN;
        v[2 + 2 * k] = isfinite(mx[k]) ? mx[k] : NAN;
      }
      plot_row(f, 2 * nc + 1, v);
    }
  }
  return b;
}

/* A series' key entry: the quantity, with the file's label when several
 * files are drawn or a label is given. */
static char *entry(const time_plot *p, size_t file, const char *q, const char *what) {
  if (p->n > 1 || p->o->n_labels > 0) return plot_strf("%s: %s%s", p->labels[file], q, what);
  return plot_strf("%s%s", q, what);
}

/* The series of quantity q of file i in panel pn: several files, a colour
 * per file and a dash type per quantity (rank: its place in the panel);
 * one file, the quantity's colour, and a dash type of its own among the
 * panel's quantities of that colour (C_mg solid, ce_mg dashed). */
static int add_quantity(time_plot *p, plot_figure *f, plot_panel *pn, size_t i, const char *q,
                        size_t rank, size_t same_colour) {
  const plot_table *t = &p->t[i];
  qcols c;
  if (!find_q(t, q, &c)) return 0; /* a default quantity this file does not have */
  const char *colour = p->n > 1 ? plot_file_colour(i)
                                : plot_quantity_colour(q, p->compounds, p->ncomp);
  int dash = 1 + (int)((p->n > 1 ? rank : same_colour) % 5);
  double lw = 2.0;
  char *title = NULL;
  if (t->kind == PLOT_TRAJECTORY) {
    int b = write_block(p, f, t, &c.col, 1, pn->log_y);
    if (p->daily) {
      plot_series_add(f, pn, PLOT_BAND, b, 2, colour, 1, 1, NULL);
      title = entry(p, i, q, " (daily max and min)");
      plot_series_add(f, pn, PLOT_LINE, b, 3, colour, dash, 1.6, title);
      plot_series_add(f, pn, PLOT_LINE, b, 2, colour, dash, 1.0, NULL);
    } else {
      title = entry(p, i, q, "");
      plot_series_add(f, pn, PLOT_LINE, b, 2, colour, dash, lw, title);
    }
    free(title);
    return 0;
  }
  /* percentiles: a band from the lowest to the highest level, the median
   * (or the one level) as a line */
  char band[96], what[128];
  snprintf(band, sizeof band, " %g-%g %%", c.lo_level, c.hi_level);
  int cols[3] = {c.lo, c.hi, c.med >= 0 ? c.med : c.lo};
  int b = write_block(p, f, t, cols, 3, pn->log_y);
  int two = c.hi != c.lo;
  /* block columns: every point x, lo, hi, med; daily x, then min and max of each */
  int lo = 2, hi = p->daily ? 5 : 3, med = p->daily ? 7 : 4;
  if (two) {
    snprintf(what, sizeof what, "%s%s", band, p->daily ? " (daily range)" : "");
    title = entry(p, i, q, what);
    plot_series *s = plot_series_add(f, pn, PLOT_BAND, b, lo, colour, 1, 1, title);
    if (s) s->ycol2 = hi;
    free(title);
  }
  if (c.med >= 0 || !two) {
    if (c.med >= 0) snprintf(what, sizeof what, " median");
    else snprintf(what, sizeof what, " p%g", c.lo_level);
    if (p->daily) strcat(what, " (daily max and min)");
    title = entry(p, i, q, what);
    plot_series_add(f, pn, PLOT_LINE, b, med, colour, dash, p->daily ? 1.6 : lw, title);
    if (p->daily) plot_series_add(f, pn, PLOT_LINE, b, med - 1, colour, dash, 1.0, NULL);
    free(title);
  }
  return 0;
}

/* Quantity q of every file as a thin curve in the quantity's colour, all
 * in one series over their blocks, with one key entry (a crowd of files). */
static int add_crowd(time_plot *p, plot_figure *f, plot_panel *pn, const char *q,
                     size_t same_colour) {
  int first = -1, last = -1;
  for (size_t i = 0; i < p->n; i++) {
    qcols c;
    if (!find_q(&p->t[i], q, &c)) continue;
    last = write_block(p, f, &p->t[i], &c.col, 1, pn->log_y);
    if (first < 0 && !f->data_error && f->valid[last] > 0) first = last;
  }
  if (first < 0) return 0;
  char *title = plot_strf("%s (%zu %s)", q, p->n, p->o->file_noun ? p->o->file_noun : "files");
  if (!title) return cli_fail("out of memory");
  plot_series *s = plot_series_add(f, pn, PLOT_LINE, first, 2,
                                   plot_quantity_colour(q, p->compounds, p->ncomp),
                                   1 + (int)(same_colour % 5), 1.0, title);
  if (s) s->block_end = last;
  free(title);
  return 0;
}

/* The compounds, from the C_<id> columns of every file (their colours). */
static void find_compounds(time_plot *p) {
  for (size_t i = 0; i < p->n; i++)
    for (size_t j = 1; j < p->t[i].nc && p->ncomp < MAX_Q; j++) {
      char *s = p->t[i].names[j];
      if (strncmp(s, "C_", 2) != 0) continue;
      size_t len = strlen(s + 2);
      if (p->t[i].kind == PLOT_PERCENTILES) {
        const char *u = strstr(s, "_p"), *v;
        while (u && (v = strstr(u + 2, "_p")) != NULL) u = v;
        if (u) len = (size_t)(u - (s + 2));
      }
      int seen = 0;
      for (size_t k = 0; k < p->ncomp; k++)
        seen |= strlen(p->compounds[k]) == len && strncmp(p->compounds[k], s + 2, len) == 0;
      if (!seen && (p->compounds[p->ncomp] = strndup(s + 2, len)) != NULL) p->ncomp++;
    }
}

/* The largest value of quantity q in any file within the x range (the
 * highest level for percentiles), and the smallest positive one. */
static void extremes(const time_plot *p, const char *q, double *hi, double *lo_pos) {
  *hi = -INFINITY;
  *lo_pos = INFINITY;
  for (size_t i = 0; i < p->n; i++) {
    const plot_table *t = &p->t[i];
    qcols c;
    if (!find_q(t, q, &c)) continue;
    int jh = t->kind == PLOT_TRAJECTORY ? c.col : c.hi;
    int jl = t->kind == PLOT_TRAJECTORY ? c.col : c.lo;
    for (size_t r = 0; r < t->nr; r++) {
      double x = plot_at(t, r, 0);
      if (x < p->x_lo || x > p->x_hi) continue;
      double a = plot_at(t, r, (size_t)jh), b = plot_at(t, r, (size_t)jl);
      if (a > *hi) *hi = a;
      if (b > 0 && b < *lo_pos) *lo_pos = b;
    }
  }
}

static char *panel_label(const time_plot *p, panel_kind k) {
  char names[256] = "";
  size_t len = 0;
  int c = 0, ce = 0;
  for (size_t i = 0; i < p->nq; i++) {
    if (kind_of(p->q[i]) != k) continue;
    c |= strncmp(p->q[i], "C_", 2) == 0;
    ce |= strncmp(p->q[i], "ce_", 3) == 0;
    if (len + 40 < sizeof names)
      len += (size_t)snprintf(names + len, sizeof names - len, "%s%s", len ? ", " : "",
                              p->q[i]);
  }
  switch (k) {
  case P_CONC:
    return strdup(c && ce ? "concentration (nM)" : c ? "plasma concentration (nM)"
                                                     : "effect-site concentration (nM)");
  case P_AMOUNT: return strdup("amount (\xc2\xb5mol)");
  case P_OCC: return strdup("receptor occupancy\n(fraction of receptors)");
  case P_EFFECT: return plot_strf("%s\n(fraction of system maximum)", names);
  case P_W:
    return plot_strf("%s\n(fraction of system maximum)",
                     strcmp(names, "W") == 0 ? "withdrawal W" : names);
  default: return strdup(names);
  }
}

/* One panel of kind k (P_OTHER: one per quantity, other = its index). */
static int build_panel(time_plot *p, plot_figure *f, panel_kind k, size_t other) {
  char *label = NULL;
  if (k == P_OTHER) label = strdup(p->q[other]);
  else label = panel_label(p, k);
  if (!label) return cli_fail("out of memory");
  plot_panel *pn = plot_panel_add(f, "%s", label);
  free(label);
  if (!pn) return 1;
  int signed_values = 0;
  for (size_t i = 0; i < p->nq; i++)
    if (kind_of(p->q[i]) == k)
      signed_values |= !strcmp(p->q[i], "net") || !strcmp(p->q[i], "wx") ||
                       !strcmp(p->q[i], "wf");
  if (k != P_OTHER && !signed_values) pn->y_floor = 0;
  /* a log axis: asked for (for concentrations and amounts, or for every
   * panel when there are none), or when peaks differ by more than 100 */
  int has_conc = 0;
  for (size_t i = 0; i < p->nq; i++)
    has_conc |= kind_of(p->q[i]) == P_CONC || kind_of(p->q[i]) == P_AMOUNT;
  int concish = k == P_CONC || k == P_AMOUNT;
  double peak = -INFINITY, low_peak = INFINITY, small = INFINITY;
  for (size_t i = 0; i < p->nq; i++) {
    if (!(k == P_OTHER ? i == other : kind_of(p->q[i]) == k)) continue;
    double hi, lo;
    extremes(p, p->q[i], &hi, &lo);
    if (hi > 0) {
      peak = fmax(peak, hi);
      low_peak = fmin(low_peak, hi);
    }
    small = fmin(small, lo);
  }
  if (p->o->log_y > 0) pn->log_y = concish || !has_conc;
  else if (p->o->log_y == 0) pn->log_y = k == P_CONC && peak > 0 && peak / low_peak > 100;
  if (pn->log_y) {
    if (!(peak > 0))
      return cli_fail("--log-y: %s has no value above 0 to draw on a logarithmic axis",
                      p->q[k == P_OTHER ? other : 0]);
    /* four decades below the highest peak */
    pn->y_lo = fmax(peak * 1e-4, small * 0.9);
    pn->y_hi = peak * 1.5;
  }
  size_t rank = 0;
  for (size_t qi = 0; qi < p->nq; qi++) {
    if (!(k == P_OTHER ? qi == other : kind_of(p->q[qi]) == k)) continue;
    const char *colour = plot_quantity_colour(p->q[qi], p->compounds, p->ncomp);
    size_t same = 0;
    for (size_t qj = 0; qj < qi; qj++)
      same += (k == P_OTHER ? 0 : kind_of(p->q[qj]) == k) &&
              !strcmp(plot_quantity_colour(p->q[qj], p->compounds, p->ncomp), colour);
    if (p->crowd && add_crowd(p, f, pn, p->q[qi], same) != 0) return 1;
    for (size_t i = 0; !p->crowd && i < p->n; i++)
      if (add_quantity(p, f, pn, i, p->q[qi], rank, same) != 0) return 1;
    rank++;
  }
  if (k == P_W && isfinite(p->o->threshold)) {
    int w = 0;
    for (size_t i = 0; i < p->nq; i++) w |= strcmp(p->q[i], "W") == 0;
    if (w) pn->threshold = p->o->threshold;
  }
  return 0;
}

/* Dose markers at the top of the first panel: one set for every file
 * (grey), or one per file in its colour. */
static int add_doses(time_plot *p, plot_figure *f) {
  const cli_plot_options *o = p->o;
  if (o->n_dose_sets == 0 || f->np == 0) return 0;
  if (o->n_dose_sets != 1 && o->n_dose_sets != p->n)
    return cli_fail("--doses is given %zu times for %zu CSV file%s; give it once (the same "
                    "doses for every file) or once per file, in their order",
                    o->n_dose_sets, p->n, p->n == 1 ? "" : "s");
  const char *what = p->daily ? "days with doses" : "doses";
  for (size_t k = 0; k < o->n_dose_sets; k++) {
    int b = plot_block(f);
    double last_day = -INFINITY;
    for (size_t i = 0; i < o->n_doses[k]; i++) {
      double x = o->doses[k][i];
      if (x < p->x_lo || x > p->x_hi) continue;
      if (p->daily) {
        /* the daily view: a marker in the middle of each day with doses */
        double d = floor(x / 24);
        if (d == last_day) continue;
        last_day = d;
        x = (fmax(24 * d, p->x_lo) + fmin(24 * d + 24, p->x_hi)) / 2;
      }
      x *= p->scale;
      plot_row(f, 1, &x);
    }
    char *title = o->n_dose_sets > 1 ? plot_strf("%s: %s", p->labels[k], what) : strdup(what);
    const char *colour = o->n_dose_sets > 1 ? plot_file_colour(k) : "#555555";
    plot_series_add(f, &f->p[0], PLOT_DOSES, b, (int)k, colour, 1, 1, title);
    free(title);
  }
  /* room for the markers above the data on a log axis (a linear one gets
   * it from the script's offsets) */
  if (f->p[0].log_y && isfinite(f->p[0].y_hi)) f->p[0].y_hi *= 3 * (double)o->n_dose_sets + 1;
  return 0;
}

int plot_time_figure(plot_table *t, size_t n, const cli_plot_options *o, plot_figure *f) {
  time_plot p = {.t = t, .n = n, .o = o, .crowd = o->key_max > 0 && n > o->key_max};
  int rc = 1;
  if (choose_quantities(&p) || choose_range(&p) || choose_labels(&p)) goto done;
  find_compounds(&p);
  for (panel_kind k = P_CONC; k < P_OTHER; k++) {
    int any = 0;
    for (size_t i = 0; i < p.nq; i++) any |= kind_of(p.q[i]) == k;
    if (any && build_panel(&p, f, k, 0) != 0) goto done;
  }
  for (size_t i = 0; i < p.nq; i++)
    if (kind_of(p.q[i]) == P_OTHER && build_panel(&p, f, P_OTHER, i) != 0) goto done;
  if (add_doses(&p, f) || plot_apply_yranges(f, o)) goto done;
  f->x_lo = p.x_lo * p.scale;
  f->x_hi = p.x_hi * p.scale;
  f->xlabel = strdup(p.scale == 1 ? "time (h)" : "time (days)");
  if (o->title) f->title = strdup(o->title);
  else if (n == 1) f->title = strdup(t[0].path);
  rc = f->xlabel ? 0 : cli_fail("out of memory");
done:
  for (size_t i = 0; i < p.nq; i++) free(p.q[i]);
  for (size_t i = 0; i < p.ncomp; i++) free(p.compounds[i]);
  for (size_t i = 0; p.labels && i < n; i++) free(p.labels[i]);
  free(p.labels);
  return rc;
}
