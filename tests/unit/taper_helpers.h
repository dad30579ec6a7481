/* taper_helpers.h - shared pieces of the taper tests: a synthetic model
 * whose drug washes out faster than tolerance adapts (so that the speed of
 * a taper shows in W), a start regimen at its periodic steady state, and
 * re-simulation of day-by-day levels built here with pk_regimen_add_dose,
 * independently of the library's schedule-to-regimen code. */
#ifndef PK_TAPER_HELPERS_H
#define PK_TAPER_HELPERS_H

#include <stdlib.h>
#include "unit_helpers.h"

/* Synthetic ligand: MW 300, ka 2/h, V 100 L, CL 3 L/h (half-life 23 h),
 * ke0 2/h, fu 1, tau 2, with K_nM given; adaptation k_tol = 0.02/h (35 h). */
static inline pk_model *th_model(double K_nM, int *ci) {
  pk_model *m = pk_model_new();
  pk_compound_params p = unit_compound("syn", 300.0, 2.0, 100.0, 3.0);
  unit_ligand(&p, 2.0, 1.0, K_nM, 2.0);
  *ci = unit_add(m, &p);
  pk_error err;
  CHECK(pk_model_set_adaptation(m, 0.02, &err) == PK_OK, "k_tol: %s", err.message);
  return m;
}

/* Three oral doses a day (08:00, 14:00, 20:00) of `dose` mg, from day 1. */
static inline pk_taper_item th_item(int ci, double dose) {
  pk_taper_item it = pk_taper_item_default();
  it.compound = ci;
  it.n_times = 3;
  it.times_of_day_h[0] = 8;
  it.times_of_day_h[1] = 14;
  it.times_of_day_h[2] = 20;
  it.start_dose = dose;
  it.first_day = 1;
  return it;
}

/* One day of the item at `dose` mg (the steady-state history). */
static inline pk_regimen *th_day(const pk_taper_item *it, double dose) {
  pk_regimen *r = pk_regimen_new();
  for (size_t j = 0; j < it->n_times; j++)
    unit_dose(r, it->compound, PK_ROUTE_ORAL, it->times_of_day_h[j], dose);
  return r;
}

/* The subject has taken `history` every day for a long time before day 1;
 * output every hour from 0 to 72 h; rtol 1e-8, atol 1e-10. */
static inline pk_sim_options th_options(const pk_regimen *history) {
  pk_sim_options o = pk_sim_options_default();
  o.t_end_h = 72.0;
  o.output_step_h = 1.0;
  o.rtol = 1e-8;
  o.atol = 1e-10;
  o.steady_state = history;
  o.steady_state_period_h = 24.0;
  return o;
}

/* Adds the doses of level[k] (mg, per administration) on day first + k to r. */
static inline void th_add_levels(pk_regimen *r, const pk_taper_item *it, const double *level,
                                 size_t n_days, int first) {
  for (size_t k = 0; k < n_days; k++)
    for (size_t j = 0; level[k] > 0 && j < it->n_times; j++)
      unit_dose(r, it->compound, PK_ROUTE_ORAL, 24.0 * (first + (int)k - 1) + it->times_of_day_h[j],
                level[k]);
}

/* Last dose time of levels (day first + k), NaN if none. */
static inline double th_last_dose_h(const pk_taper_item *it, const double *level, size_t n,
                                    int first) {
  for (size_t k = n; k-- > 0;)
    if (level[k] > 0) return 24.0 * (first + (int)k - 1) + it->times_of_day_h[it->n_times - 1];
  return NAN;
}

/* Highest W at the output times with from <= t < to, simulating r under o
 * to t_end; *t_at gets its time (may be NULL). */
static inline double th_max_W(const pk_model *m, const pk_regimen *r, const pk_sim_options *o,
                              double t_end, double from, double to, double *t_at) {
  pk_sim_options oo = *o;
  oo.t_end_h = t_end;
  pk_trajectory *t = unit_simulate(m, r, &oo);
  double w = -1, at = NAN;
  for (size_t i = 0; t && i < pk_trajectory_rows(t); i++) {
    double th = unit_get(t, i, "time_h"), wi = unit_get(t, i, "W");
    if (th >= from && th < to && wi > w) w = wi, at = th;
  }
  pk_trajectory_free(t);
  if (t_at) *t_at = at;
  return w;
}

/* Highest W over the whole output of levels (day first + k), simulated to
 * tail_days days after the last dose. */
static inline double th_levels_max_W(const pk_model *m, const pk_taper_item *it,
                                     const double *level, size_t n, int first,
                                     const pk_sim_options *o, double tail_days) {
  pk_regimen *r = pk_regimen_new();
  th_add_levels(r, it, level, n, first);
  double last = th_last_dose_h(it, level, n, first);
  double w = th_max_W(m, r, o, fmax(o->t_end_h, last + 24.0 * tail_days), -INFINITY, INFINITY,
                      NULL);
  pk_regimen_free(r);
  return w;
}

/* Levels checks every schedule must pass: on the grid, never rising, the
 * last one 0 and the others > 0. */
static inline void th_check_shape(const pk_taper_schedule *s, double grid, const char *what) {
  CHECK(s->n_days >= 2 && s->level, "%s: %zu days", what, s->n_days);
  for (size_t k = 0; k < s->n_days; k++) {
    double u = s->level[k] / grid;
    CHECK(fabs(u - floor(u + 0.5)) < 1e-9, "%s: day %zu level %g is off the grid %g", what, k,
          s->level[k], grid);
    if (k) CHECK(s->level[k] <= s->level[k - 1], "%s: level rises on day index %zu", what, k);
    if (k + 1 < s->n_days) CHECK(s->level[k] > 0, "%s: zero before the end (day index %zu)",
                                 what, k);
  }
  CHECK(s->n_days && s->level[s->n_days - 1] == 0, "%s: the last level is not 0", what);
}

#endif
