/* taper_sim.c - the taper pieces that simulate: W over a schedule, the
 * day-mean steady-state occupancy (or E) that the hyperbolic generator
 * inverts, the responsive generator and the cross-taper. docs/taper.md
 * describes the rules. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "taper_internal.h"

enum { MEASURE_SAMPLES = 96, BISECT_MAX = 100, TAIL_EXTENSIONS = 8, DEFAULT_MAX_DAYS = 365 };

/* ---- W over a simulation -------------------------------------------------- */

pk_status pk_taper_build_regimen(const pk_model *m, const pk_taper_schedule *s, size_t n,
                               const pk_regimen *base, double t_end_h, pk_regimen **out,
                               pk_error *err) {
  pk_regimen *r = pk_regimen_new();
  if (!r) return pk_err_nomem(err);
  pk_status st = PK_OK;
  for (size_t k = 0; base && k < base->n && st == PK_OK; k++)
    st = pk_regimen_add(r, &base->dose[k], err);
  for (size_t i = 0; i < n && st == PK_OK; i++) st = pk_taper_schedule_add_doses(m, &s[i], r, err);
  size_t kept = 0;
  for (size_t k = 0; k < r->n; k++)
    if (r->dose[k].t_h <= t_end_h) r->dose[kept++] = r->dose[k];
  r->n = kept;
  if (st != PK_OK) pk_regimen_free(r), r = NULL;
  *out = r;
  return st;
}

/* Highest W at the rows with w_from <= t < w_to (NaN if none), tol at the
 * last row, and there a bound on W at any later time once the drug is gone
 * (pk_taper_W_bound). */
static void scan_W(const pk_model *m, const pk_trajectory *t, double w_from, double w_to,
                   pk_taper_eval *ev) {
  int jt = pk_trajectory_column_index(t, "time_h"), jw = pk_trajectory_column_index(t, "W");
  int jtol = pk_trajectory_column_index(t, "tol"), jE = pk_trajectory_column_index(t, "E");
  int jwx = pk_trajectory_column_index(t, "wx"), jwf = pk_trajectory_column_index(t, "wf");
  size_t rows = pk_trajectory_rows(t);
  ev->max_W = ev->t_max_W_h = NAN;
  for (size_t i = 0; i < rows; i++) {
    double th = pk_trajectory_get(t, i, (size_t)jt), w = pk_trajectory_get(t, i, (size_t)jw);
    if (th < w_from || th >= w_to) continue;
    if (!(w <= ev->max_W)) ev->max_W = w, ev->t_max_W_h = th;
  }
  if (!rows) {
    ev->tol_end = ev->W_bound_end = NAN;
    return;
  }
  size_t e = rows - 1;
  pk_taper_W_bound(m, pk_trajectory_get(t, e, (size_t)jtol), pk_trajectory_get(t, e, (size_t)jE),
                   jwx >= 0 && jwf >= 0, jwx >= 0 ? pk_trajectory_get(t, e, (size_t)jwx) : 0.0,
                   jwf >= 0 ? pk_trajectory_get(t, e, (size_t)jwf) : 0.0, ev);
}

void pk_taper_W_bound(const pk_model *m, double tol, double E, int filters, double wx, double wf,
                      pk_taper_eval *ev) {
  ev->tol_end = tol;
  ev->W_bound_end = tol;
  double b = 1.0;
  if (filters && pk_model_withdrawal(m, NULL, NULL, &b, NULL))
    ev->W_bound_end = b * (tol + fmax(E, -wf)) + (1.0 - b) * fmax(wx, tol);
}

pk_status pk_taper_run(const pk_model *m, const pk_taper_schedule *s, size_t n,
                       const pk_regimen *base, const pk_sim_options *opt, double t_end_h,
                       double w_from_h, double w_to_h, pk_trajectory **traj,
                       pk_taper_eval *ev, pk_error *err) {
  pk_regimen *r = NULL;
  pk_trajectory *t = NULL;
  pk_sim_options o = *opt;
  o.t_end_h = t_end_h;
  pk_status st = pk_taper_build_regimen(m, s, n, base, t_end_h, &r, err);
  if (st == PK_OK) st = pk_simulate(m, r, &o, &t, err);
  if (st == PK_OK) {
    scan_W(m, t, w_from_h, w_to_h, ev);
    ev->t_end_h = t_end_h;
    ev->last_dose_h = pk_taper_last_dose_h(s, n);
  }
  if (st == PK_OK && traj) *traj = t;
  else pk_trajectory_free(t);
  pk_regimen_free(r);
  return st;
}

pk_status pk_taper_simulate(const pk_model *m, const pk_taper_schedule *s, size_t n,
                            const pk_regimen *base, const pk_sim_options *opt, double tail_h,
                            double limit, pk_trajectory **traj, pk_taper_eval *ev,
                            pk_error *err) {
  pk_error_clear(err);
  if (!m || (!s && n) || !opt || !ev)
    return pk_err_set(err, PK_ERR_INVALID, NULL, NULL, "no model, schedules, options or result");
  if (traj) *traj = NULL;
  double tail = pk_taper_tail(m, tail_h), last = pk_taper_last_dose_h(s, n);
  double t_end = isnan(last) ? opt->t_end_h : fmax(opt->t_end_h, last + tail);
  pk_trajectory *t = NULL;
  pk_status st = pk_taper_run(m, s, n, base, opt, t_end, -INFINITY, INFINITY, traj ? &t : NULL,
                              ev, err);
  for (int k = 0; k < TAIL_EXTENSIONS && st == PK_OK && !isnan(limit) && ev->W_bound_end > limit &&
                  ev->max_W <= limit;
       k++) {
    pk_trajectory_free(t);
    t = NULL;
    t_end += tail;
    st = pk_taper_run(m, s, n, base, opt, t_end, -INFINITY, INFINITY, traj ? &t : NULL, ev, err);
  }
  if (st == PK_OK && traj) *traj = t;
  else pk_trajectory_free(t);
  return st;
}

/* ---- steady-state day means (hyperbolic) ---------------------------------- */

pk_status pk_taper_steady_measure(const pk_model *m, const pk_taper_item *item, double dose,
                                  pk_taper_measure measure, const pk_sim_options *opt,
                                  double *out, pk_error *err) {
  pk_status st = pk_taper_check_item(m, item, err);
  if (st != PK_OK) return st;
  if (!(isfinite(dose) && dose >= 0) || !out)
    return pk_err_set(err, PK_ERR_INVALID, NULL, NULL, "expected a dose >= 0, got %g", dose);
  *out = 0.0;
  if (dose == 0) return PK_OK;
  pk_regimen *day = pk_regimen_new();
  pk_trajectory *t = NULL;
  if (!day) return pk_err_nomem(err);
  for (size_t j = 0; j < item->n_times && st == PK_OK; j++)
    st = pk_taper_add_administration(m, item, item->times_of_day_h[j], dose, day, err);
  pk_sim_options o = pk_sim_options_default();
  if (opt) o.solver = opt->solver, o.method = opt->method, o.rtol = opt->rtol, o.atol = opt->atol;
  o.t_end_h = 24.0;
  o.output_step_h = 24.0 / MEASURE_SAMPLES;
  o.steady_state = day;
  o.steady_state_period_h = 24.0;
  if (st == PK_OK) st = pk_simulate(m, day, &o, &t, err);
  if (st == PK_OK) {
    int j = pk_trajectory_column_index(t, measure == PK_TAPER_RESPONSE ? "E" : "occ");
    double sum = 0;
    if (j < 0) st = pk_err_set(err, PK_ERR_INVALID, NULL, NULL, "the model has no receptor ligand");
    for (size_t i = 0; i < MEASURE_SAMPLES && st == PK_OK; i++)
      sum += pk_trajectory_get(t, i, (size_t)j);
    *out = sum / MEASURE_SAMPLES;
  }
  pk_trajectory_free(t);
  pk_regimen_free(day);
  return st;
}

/* The dose in [0, hi] whose day mean is target (bisection on the monotone
 * dose -> mean measure), to 1e-6 grid steps. */
static pk_status invert_measure(const pk_model *m, const pk_taper_item *item,
                                const pk_taper_spec *spec, const pk_sim_options *opt,
                                double target, double hi, double *dose, pk_error *err) {
  double lo = 0.0;
  pk_status st = PK_OK;
  for (int k = 0; k < BISECT_MAX && hi - lo > 1e-6 * spec->grid && st == PK_OK; k++) {
    double mid = 0.5 * (lo + hi), v = NAN;
    st = pk_taper_steady_measure(m, item, mid, spec->measure, opt, &v, err);
    if (v < target) lo = mid;
    else hi = mid;
  }
  *dose = 0.5 * (lo + hi);
  return st;
}

pk_status pk_taper_hyperbolic(const pk_model *m, const pk_taper_item *item,
                              const pk_taper_spec *spec, long start_units,
                              const pk_sim_options *opt, pk_taper_schedule *out,
                              pk_error *err) {
  size_t n_max = (size_t)spec->steps + 1;
  long *level = malloc(n_max * sizeof *level);
  int *day = malloc(n_max * sizeof *day);
  double top = NAN, dose = item->start_dose;
  pk_status st = (level && day) ? PK_OK : pk_err_nomem(err);
  if (st == PK_OK) st = pk_taper_steady_measure(m, item, dose, spec->measure, opt, &top, err);
  if (st == PK_OK && !(top > 0))
    st = pk_err_set(err, PK_ERR_INVALID, NULL, NULL,
                    "a hyperbolic taper needs an item that reaches the receptor; its mean "
                    "%s at the start dose is %g", spec->measure ? "E" : "occupancy", top);
  size_t n = 1;
  if (st == PK_OK) level[0] = start_units, day[0] = spec->start_day;
  for (int k = 1; k <= spec->steps && st == PK_OK && level[n - 1] > 0; k++, n++) {
    double target = top * (1.0 - (double)k / spec->steps);
    if (k < spec->steps) st = invert_measure(m, item, spec, opt, target, dose, &dose, err);
    else dose = 0.0;
    level[n] = pk_taper_round_units(dose / spec->grid, level[n - 1]);
    day[n] = spec->start_day + k * spec->every_days;
  }
  if (st == PK_OK) st = pk_taper_from_changes(item, spec->grid, level, day, n, 0, 0, out, err);
  free(level);
  free(day);
  return st;
}

/* ---- responsive ------------------------------------------------------------ */

typedef struct steps {
  size_t n, cap;
  long *level;
  int *day;
} steps;

static pk_status steps_push(steps *s, long level, int day, pk_error *err) {
  if (s->n == s->cap) {
    size_t cap = s->cap ? 2 * s->cap : 16;
    long *l = realloc(s->level, cap * sizeof *l);
    if (l) s->level = l;
    int *d = realloc(s->day, cap * sizeof *d);
    if (d) s->day = d;
    if (!l || !d) return pk_err_nomem(err);
    s->cap = cap;
  }
  s->level[s->n] = level;
  s->day[s->n++] = day;
  return PK_OK;
}

/* Highest W at the output times in [24 (from - 1), 24 (to - 1)) h, with the
 * doses decided so far (the current level held through day to - 1). */
static pk_status window_W(const pk_model *m, const pk_taper_item *item, double grid,
                          const steps *s, int from, int to, const pk_regimen *base,
                          const pk_sim_options *opt, double *max_W, pk_error *err) {
  pk_taper_schedule sched = {0};
  pk_taper_eval ev;
  double t_to = 24.0 * (to - 1);
  if (!(t_to > opt->output_start_h))
    return pk_err_set(err, PK_ERR_INVALID, NULL, NULL,
                      "responsive taper: the planned step of day %d comes before the output "
                      "starts (%g h), so W cannot be read", to, opt->output_start_h);
  pk_status st = pk_taper_from_changes(item, grid, s->level, s->day, s->n, 1, to - 1, &sched, err);
  if (st == PK_OK)
    st = pk_taper_run(m, &sched, 1, base, opt, t_to, 24.0 * (from - 1), t_to, NULL, &ev, err);
  if (st == PK_OK && isnan(ev.max_W))
    st = pk_err_set(err, PK_ERR_INVALID, NULL, NULL,
                    "responsive taper: no output time between day %d and day %d; use a finer "
                    "output step", from, to);
  *max_W = ev.max_W;
  pk_taper_schedule_release(&sched);
  return st;
}

/* The planned step of day d (the previous one on day prev): cut if W over
 * the window stayed within the limit, else hold. */
static pk_status decide(const pk_model *m, const pk_taper_item *item, const pk_taper_spec *spec,
                        const pk_regimen *base, const pk_sim_options *opt, int prev, int d,
                        steps *s, size_t *holds, pk_error *err) {
  int max_days = spec->max_days ? spec->max_days : DEFAULT_MAX_DAYS;
  long cur = s->level[s->n - 1];
  if (d - spec->start_day > max_days)
    return pk_err_set(err, PK_ERR_INVALID, NULL, NULL,
                      "responsive taper: still at %g after %d days (%zu planned steps held); "
                      "W stays above the limit %g", (double)cur * spec->grid, max_days, *holds,
                      spec->max_withdrawal);
  double max_W = NAN;
  pk_status st = window_W(m, item, spec->grid, s, prev, d, base, opt, &max_W, err);
  if (st != PK_OK) return st;
  if (max_W > spec->max_withdrawal) {
    (*holds)++;
    return PK_OK;
  }
  return steps_push(s, pk_taper_round_units((double)cur - spec->step / spec->grid, cur), d, err);
}

pk_status pk_taper_responsive(const pk_model *m, const pk_taper_item *item,
                              const pk_taper_spec *spec, long start_units,
                              const pk_regimen *base, const pk_sim_options *opt,
                              int stop_day, pk_taper_schedule *out, pk_error *err) {
  if (!opt)
    return pk_err_set(err, PK_ERR_INVALID, NULL, NULL,
                      "a responsive taper needs simulation options (subject, output grid)");
  steps s = {0};
  size_t holds = 0;
  pk_status st = steps_push(&s, start_units, spec->start_day, err);
  for (int prev = spec->start_day, d = prev + spec->every_days;
       st == PK_OK && s.level[s.n - 1] > 0 && !(stop_day && d > stop_day);
       prev = d, d += spec->every_days)
    st = decide(m, item, spec, base, opt, prev, d, &s, &holds, err);
  int open = st == PK_OK && s.level[s.n - 1] > 0; /* stopped at stop_day */
  if (st == PK_OK)
    st = pk_taper_from_changes(item, spec->grid, s.level, s.day, s.n, open, stop_day, out, err);
  if (st == PK_OK) out->n_holds = holds;
  free(s.level);
  free(s.day);
  return st;
}

/* ---- cross-taper ------------------------------------------------------------ */

/* base plus item held at its start dose from its first day through day last. */
static pk_status with_held(const pk_model *m, const pk_taper_item *item, int last,
                           const pk_regimen *base, pk_regimen **out, pk_error *err) {
  pk_taper_schedule held = {0};
  long lv[1] = {1};
  int dy[1] = {item->first_day};
  pk_regimen *r = pk_regimen_new();
  pk_status st = r ? PK_OK : pk_err_nomem(err);
  for (size_t k = 0; base && k < base->n && st == PK_OK; k++)
    st = pk_regimen_add(r, &base->dose[k], err);
  if (st == PK_OK && last >= item->first_day)
    st = pk_taper_from_changes(item, item->start_dose, lv, dy, 1, 1, last, &held, err);
  if (st == PK_OK && held.level) st = pk_taper_schedule_add_doses(m, &held, r, err);
  pk_taper_schedule_release(&held);
  if (st != PK_OK) pk_regimen_free(r), r = NULL;
  *out = r;
  return st;
}

/* base plus the doses of schedule s. */
static pk_status with_schedule(const pk_model *m, const pk_taper_schedule *s,
                               const pk_regimen *base, pk_regimen **out, pk_error *err) {
  pk_regimen *r = pk_regimen_new();
  pk_status st = r ? PK_OK : pk_err_nomem(err);
  for (size_t k = 0; base && k < base->n && st == PK_OK; k++)
    st = pk_regimen_add(r, &base->dose[k], err);
  if (st == PK_OK) st = pk_taper_schedule_add_doses(m, s, r, err);
  if (st != PK_OK) pk_regimen_free(r), r = NULL;
  *out = r;
  return st;
}

pk_status pk_taper_cross(const pk_model *m, const pk_taper_item items[2],
                         const pk_taper_spec specs[2], const pk_regimen *base,
                         const pk_sim_options *opt, pk_taper_schedule out[2], pk_error *err) {
  pk_error_clear(err);
  if (!items || !specs || !out)
    return pk_err_set(err, PK_ERR_INVALID, NULL, NULL, "no items, specs or output");
  out[0] = out[1] = (pk_taper_schedule){0};
  pk_taper_spec sub = specs[1];
  int responsive0 = specs[0].kind == PK_TAPER_RESPONSIVE;
  int span0 = specs[0].max_days ? specs[0].max_days : DEFAULT_MAX_DAYS;
  int held_to = sub.start_day ? sub.start_day + sub.every_days - 1
                              : specs[0].start_day + span0 + specs[0].every_days;
  pk_regimen *b0 = NULL, *b1 = NULL;
  pk_status st = pk_taper_check_item(m, &items[1], err);
  if (st == PK_OK && responsive0) st = with_held(m, &items[1], held_to, base, &b0, err);
  if (st == PK_OK)
    st = pk_taper_generate(m, &items[0], &specs[0], responsive0 ? b0 : base, opt, &out[0], err);
  int zero0 = pk_taper_schedule_zero_day(&out[0]);
  if (st == PK_OK && !sub.start_day)
    sub.start_day = zero0 > items[1].first_day ? zero0 : items[1].first_day;
  if (st == PK_OK && responsive0 && zero0 > sub.start_day + sub.every_days)
    st = pk_err_set(err, PK_ERR_INVALID, NULL, NULL,
                    "cross-taper: the responsive first item ends on day %d, after the "
                    "substitute's first cut (day %d); start the substitute's taper later",
                    zero0, sub.start_day + sub.every_days);
  if (st == PK_OK) st = with_schedule(m, &out[0], base, &b1, err);
  if (st == PK_OK) st = pk_taper_generate(m, &items[1], &sub, b1, opt, &out[1], err);
  if (st != PK_OK) pk_taper_schedule_release(&out[0]), pk_taper_schedule_release(&out[1]);
  pk_regimen_free(b0);
  pk_regimen_free(b1);
  return st;
}
