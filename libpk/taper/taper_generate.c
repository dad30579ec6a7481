/* taper_generate.c - pk_taper_generate: a taper spec into a schedule. The
 * linear and percentage generators are here; the hyperbolic and responsive
 * ones simulate (taper_sim.c). This file sits above taper.c (schedule
 * arithmetic) and taper_sim.c, so that neither calls the other's way
 * back. docs/taper.md describes the generators. */
#include <math.h>
#include <stdlib.h>
#include "taper_internal.h"

/* Levels every `every` days from start_day: level k from step(k, level k-1). */
typedef double (*next_level_fn)(const pk_taper_spec *spec, long start, long prev, size_t k);

static double linear_next(const pk_taper_spec *spec, long start, long prev, size_t k) {
  (void)prev;
  return (double)start - (double)k * spec->step / spec->grid;
}

static double percentage_next(const pk_taper_spec *spec, long start, long prev, size_t k) {
  (void)start, (void)k;
  return (double)prev * (1.0 - spec->percent / 100.0);
}

static pk_status periodic(const pk_taper_item *item, const pk_taper_spec *spec, long start,
                          next_level_fn next, pk_taper_schedule *out, pk_error *err) {
  size_t n = (size_t)start + 1; /* every step cuts at least one grid step */
  long *level = malloc(n * sizeof *level);
  int *day = malloc(n * sizeof *day);
  pk_status st = (level && day) ? PK_OK : pk_err_nomem(err);
  size_t k = 0;
  if (st == PK_OK) {
    level[0] = start;
    day[0] = spec->start_day;
    for (k = 1; level[k - 1] > 0 && st == PK_OK; k++) {
      level[k] = pk_taper_round_units(next(spec, start, level[k - 1], k), level[k - 1]);
      double d = (double)spec->start_day + (double)k * spec->every_days;
      if (d > MAX_DAY)
        st = pk_err_set(err, PK_ERR_INVALID, NULL, NULL,
                        "the taper would go on after day %d", MAX_DAY);
      day[k] = (int)fmin(d, MAX_DAY);
    }
  }
  if (st == PK_OK) st = pk_taper_from_changes(item, spec->grid, level, day, k, 0, 0, out, err);
  free(level);
  free(day);
  return st;
}

static pk_status check_spec(const pk_model *m, const pk_taper_item *item,
                            const pk_taper_spec *spec, long *start, pk_error *err) {
#define BAD(...) return pk_err_set(err, PK_ERR_INVALID, NULL, NULL, __VA_ARGS__)
  const char *unit = pk_taper_item_unit(m, item);
  pk_status st = pk_taper_grid_units(item->start_dose, spec->grid, "the start dose", unit, start,
                                      err);
  if (st != PK_OK) return st;
  if (!(spec->start_day >= item->first_day && spec->start_day <= MAX_DAY))
    BAD("the taper's start day %d must be on or after the item's first day %d (and at most "
        "%d)", spec->start_day, item->first_day, MAX_DAY);
  if (!(spec->every_days >= 1 && spec->every_days <= MAX_DAY))
    BAD("expected every_days in [1, %d], got %d", MAX_DAY, spec->every_days);
  int stepped = spec->kind == PK_TAPER_LINEAR || spec->kind == PK_TAPER_RESPONSIVE;
  if (stepped && !(isfinite(spec->step) && spec->step > 0))
    BAD("a %s taper needs a step > 0 %s, got %g",
        spec->kind == PK_TAPER_LINEAR ? "linear" : "responsive", unit, spec->step);
  if (spec->kind == PK_TAPER_PERCENTAGE && !(spec->percent > 0 && spec->percent <= 100))
    BAD("a percentage taper needs a percent in (0, 100], got %g", spec->percent);
  if (spec->kind == PK_TAPER_HYPERBOLIC && !(spec->steps >= 1 && spec->steps <= 10000))
    BAD("a hyperbolic taper needs a number of steps in [1, 10000], got %d", spec->steps);
  if (spec->kind == PK_TAPER_HYPERBOLIC && spec->measure != PK_TAPER_OCCUPANCY &&
      spec->measure != PK_TAPER_RESPONSE)
    BAD("unknown hyperbolic measure %d", (int)spec->measure);
  if (spec->kind == PK_TAPER_RESPONSIVE &&
      !(isfinite(spec->max_withdrawal) && spec->max_withdrawal >= 0))
    BAD("a responsive taper needs a W limit >= 0, got %g", spec->max_withdrawal);
  if (spec->kind == PK_TAPER_RESPONSIVE && !(spec->max_days >= 0 && spec->max_days <= MAX_DAY))
    BAD("expected max_days in [0, %d], got %d", MAX_DAY, spec->max_days);
#undef BAD
  return PK_OK;
}

pk_status pk_taper_generate(const pk_model *m, const pk_taper_item *item,
                            const pk_taper_spec *spec, const pk_regimen *base,
                            const pk_sim_options *opt, pk_taper_schedule *out, pk_error *err) {
  return pk_taper_generate_until(m, item, spec, base, opt, 0, out, err);
}

pk_status pk_taper_generate_until(const pk_model *m, const pk_taper_item *item,
                                  const pk_taper_spec *spec, const pk_regimen *base,
                                  const pk_sim_options *opt, int stop_day,
                                  pk_taper_schedule *out, pk_error *err) {
  pk_error_clear(err);
  if (!spec || !out) return pk_err_set(err, PK_ERR_INVALID, NULL, NULL, "no spec or output");
  *out = (pk_taper_schedule){0};
  long start = 0;
  pk_status st = pk_taper_check_item(m, item, err);
  if (st == PK_OK) st = check_spec(m, item, spec, &start, err);
  if (st != PK_OK) return st;
  switch (spec->kind) {
  case PK_TAPER_LINEAR: return periodic(item, spec, start, linear_next, out, err);
  case PK_TAPER_PERCENTAGE: return periodic(item, spec, start, percentage_next, out, err);
  case PK_TAPER_HYPERBOLIC: return pk_taper_hyperbolic(m, item, spec, start, opt, out, err);
  case PK_TAPER_RESPONSIVE:
    return pk_taper_responsive(m, item, spec, start, base, opt, stop_day, out, err);
  }
  return pk_err_set(err, PK_ERR_INVALID, NULL, NULL, "unknown taper kind %d", (int)spec->kind);
}

