/* taper_internal.h - pieces shared by the taper sources (taper.c,
 * taper_generate.c, taper_sim.c, taper_opt.c, taper_io.c), not installed. */
#ifndef PK_TAPER_INTERNAL_H
#define PK_TAPER_INTERNAL_H

#include "internal.h"
#include "pk/taper.h"

/* The last day a schedule may reach; the most grid steps of a start dose. */
enum { MAX_DAY = 36500, MAX_GRID_STEPS = 100000 };

/* Checks that item names something in m and that its times, dose and first
 * day are acceptable. */
pk_status pk_taper_check_item(const pk_model *m, const pk_taper_item *item, pk_error *err);

/* Checks grid > 0 and that dose is a whole multiple of it (to 1e-9
 * relative); the multiple goes to *units. what names the dose in messages,
 * unit (may be NULL) its unit. */
pk_status pk_taper_grid_units(double dose, double grid, const char *what, const char *unit,
                              long *units, pk_error *err);

/* The rounding rule, in grid units: u (a level in grid units, unrounded)
 * rounded to the nearest whole number (halves up); one below prev if that
 * is not below prev; never below 0. */
long pk_taper_round_units(double u, long prev);

/* Builds a schedule from levels (grid units) level[0..n-1] that take effect
 * on days day[0..n-1] (day[0] is ignored: level[0] holds from the item's
 * first day); days strictly increasing; the last level must be 0 unless
 * open_end is set (then the last level is held through day hold_to). */
pk_status pk_taper_from_changes(const pk_taper_item *item, double grid, const long *level,
                                const int *day, size_t n, int open_end, int hold_to,
                                pk_taper_schedule *out, pk_error *err);

/* Appends the doses of one administration of `amount` (item's unit) at t_h
 * to r: a compound dose, or one dose per compound of a product. */
pk_status pk_taper_add_administration(const pk_model *m, const pk_taper_item *item,
                                      double t_h, double amount, pk_regimen *r, pk_error *err);

/* The default tail: tail_h if > 0, else 5 / k_tol, else 168 h. */
double pk_taper_tail(const pk_model *m, double tail_h);

/* One simulation of base plus the schedules to exactly t_end_h (base doses
 * after t_end_h are left out); W is read at the output times t < w_to_h
 * (INFINITY: all). traj may be NULL. */
pk_status pk_taper_run(const pk_model *m, const pk_taper_schedule *s, size_t n,
                       const pk_regimen *base, const pk_sim_options *opt, double t_end_h,
                       double w_from_h, double w_to_h, pk_trajectory **traj,
                       pk_taper_eval *ev, pk_error *err);

/* base plus the n schedules' doses, without doses after t_end_h, into a
 * new regimen *out (pk_regimen_free). */
pk_status pk_taper_build_regimen(const pk_model *m, const pk_taper_schedule *s, size_t n,
                                 const pk_regimen *base, double t_end_h, pk_regimen **out,
                                 pk_error *err);

/* ev's tol_end and W_bound_end from the last row's tol, E and (filters:
 * PD version 2) wx and wf: a bound on W at any later time once the drug is
 * gone (E falling, so tol <= tol_end and tol - E >= -E_end): version 1,
 * W = max(0, tol - E) <= tol_end; version 2 (immediate share b),
 * b (d - wf) <= b (tol_end + max(E_end, -wf_end)) and (1 - b) wx <=
 * (1 - b) max(wx_end, tol_end), since each filter stays between its own
 * value and the range of d. */
void pk_taper_W_bound(const pk_model *m, double tol, double E, int filters, double wx, double wf,
                      pk_taper_eval *ev);

/* Time of the last dose of the schedules, NaN if they have none. */
double pk_taper_last_dose_h(const pk_taper_schedule *s, size_t n);

/* The responsive generator (taper_sim.c). With stop_day > 0 it stops
 * deciding after stop_day: the schedule then ends on stop_day, at the level
 * reached (not necessarily 0), without an error. */
pk_status pk_taper_responsive(const pk_model *m, const pk_taper_item *item,
                              const pk_taper_spec *spec, long start_units,
                              const pk_regimen *base, const pk_sim_options *opt, int stop_day,
                              pk_taper_schedule *out, pk_error *err);

/* pk_taper_generate, with stop_day passed to the responsive generator. */
pk_status pk_taper_generate_until(const pk_model *m, const pk_taper_item *item,
                                  const pk_taper_spec *spec, const pk_regimen *base,
                                  const pk_sim_options *opt, int stop_day,
                                  pk_taper_schedule *out, pk_error *err);
/* The hyperbolic generator (taper_sim.c). */
pk_status pk_taper_hyperbolic(const pk_model *m, const pk_taper_item *item,
                              const pk_taper_spec *spec, long start_units,
                              const pk_sim_options *opt, pk_taper_schedule *out,
                              pk_error *err);

#endif
