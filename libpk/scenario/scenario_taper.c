/* scenario_taper.c - a dosing entry's taper generator in a scenario file:
 * {"kind": "linear" | "percentage" | "hyperbolic" | "responsive", ...}
 * with a dose grid (grid_g, grid_units or grid_mg, like the entry's dose).
 * The keys are listed in docs/scenario-format.md; the generators are in
 * taper.c and taper_sim.c. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "scenario_taper.h"
#include "taper_internal.h"

static const char *const SUFFIX[] = {"g", "units", "mg"};

int pk_scenario_taper_is_generator(const cJSON *taper) {
  const cJSON *kind = pk_json_get(taper, "kind");
  if (kind && !(cJSON_IsString(kind) && strcmp(kind->valuestring, "linear") == 0)) return 1;
  return pk_json_get(taper, "grid_g") || pk_json_get(taper, "grid_units") ||
         pk_json_get(taper, "grid_mg");
}

static pk_status read_kind(pk_jctx *c, const cJSON *taper, pk_taper_spec *spec) {
  static const char *const names[] = {"linear", "percentage", "hyperbolic", "responsive"};
  const char *kind = "linear";
  pk_status st = pk_json_string(c, taper, "kind", 0, &kind);
  if (st != PK_OK) return st;
  for (int k = 0; k < 4; k++)
    if (strcmp(kind, names[k]) == 0) {
      spec->kind = (pk_taper_kind)k;
      return PK_OK;
    }
  return pk_json_fail_at(c, "kind", "unknown taper kind '%s'; expected linear, percentage, "
                  "hyperbolic or responsive", kind);
}

/* The keys each kind takes, besides the unit-suffixed step and grid keys. */
static const char *const *kind_keys(pk_taper_kind kind) {
  static const char *const linear[] = {"kind", "step_g", "step_units", "step_mg", "grid_g",
                                       "grid_units", "grid_mg", "every_days", "start_day", NULL};
  static const char *const percentage[] = {"kind", "percent", "grid_g", "grid_units", "grid_mg",
                                           "every_days", "start_day", NULL};
  static const char *const hyperbolic[] = {"kind", "steps", "measure", "grid_g", "grid_units",
                                           "grid_mg", "every_days", "start_day", NULL};
  static const char *const responsive[] = {"kind", "step_g", "step_units", "step_mg",
                                           "max_withdrawal", "max_days", "grid_g",
                                           "grid_units", "grid_mg", "every_days", "start_day",
                                           NULL};
  switch (kind) {
  case PK_TAPER_PERCENTAGE: return percentage;
  case PK_TAPER_HYPERBOLIC: return hyperbolic;
  case PK_TAPER_RESPONSIVE: return responsive;
  default: return linear;
  }
}

/* "step_<suffix>" and "grid_<suffix>" of the entry's unit; the other
 * suffixes are errors. */
static pk_status read_unit_keys(pk_jctx *c, const cJSON *taper, const char *suffix,
                                const char *unit, int need_step, pk_taper_spec *spec) {
  char step_key[16], grid_key[16], other[16];
  snprintf(step_key, sizeof step_key, "step_%s", suffix);
  snprintf(grid_key, sizeof grid_key, "grid_%s", suffix);
  for (int k = 0; k < 3; k++) {
    if (strcmp(SUFFIX[k], suffix) == 0) continue;
    for (int g = 0; g < 2; g++) {
      snprintf(other, sizeof other, "%s_%s", g ? "grid" : "step", SUFFIX[k]);
      if (pk_json_get(taper, other))
        return pk_json_fail_at(c, other, "the taper %s of this entry is '%s' (%s)", g ? "grid" : "step",
                        g ? grid_key : step_key, unit);
    }
  }
  pk_status st = pk_json_number(c, taper, grid_key, unit, 1, &spec->grid);
  if (st == PK_OK && !(spec->grid > 0))
    st = pk_json_fail_at(c, grid_key, "expected a dose grid > 0 %s, got %g", unit, spec->grid);
  if (st == PK_OK && need_step) st = pk_json_number(c, taper, step_key, unit, 1, &spec->step);
  if (st == PK_OK && need_step && !(spec->step > 0))
    st = pk_json_fail_at(c, step_key, "expected a step > 0 %s, got %g", unit, spec->step);
  return st;
}

static pk_status read_whole(pk_jctx *c, const cJSON *taper, const char *key, const char *unit,
                            int required, double lo, double hi, int *out) {
  double v = *out;
  pk_status st = pk_json_number(c, taper, key, unit, required, &v);
  if (st == PK_OK && !pk_json_get(taper, key)) return PK_OK; /* absent, not required */
  if (st == PK_OK && !(v == floor(v) && v >= lo && v <= hi))
    st = pk_json_fail_at(c, key, "expected a whole number in [%g, %g], got %g", lo, hi, v);
  if (st == PK_OK) *out = (int)v;
  return st;
}

static pk_status read_kind_values(pk_jctx *c, const cJSON *taper, pk_taper_spec *spec) {
  pk_status st = PK_OK;
  if (spec->kind == PK_TAPER_PERCENTAGE) {
    st = pk_json_number(c, taper, "percent", "%", 1, &spec->percent);
    if (st == PK_OK && !(spec->percent > 0 && spec->percent <= 100))
      st = pk_json_fail_at(c, "percent", "expected a percent in (0, 100], got %g", spec->percent);
  } else if (spec->kind == PK_TAPER_HYPERBOLIC) {
    const char *measure = "occupancy";
    st = read_whole(c, taper, "steps", "", 1, 1, 10000, &spec->steps);
    if (st == PK_OK) st = pk_json_string(c, taper, "measure", 0, &measure);
    if (st == PK_OK && strcmp(measure, "E") == 0) spec->measure = PK_TAPER_RESPONSE;
    else if (st == PK_OK && strcmp(measure, "occupancy") != 0)
      st = pk_json_fail_at(c, "measure", "unknown measure '%s'; expected \"occupancy\" or \"E\"",
                    measure);
  } else if (spec->kind == PK_TAPER_RESPONSIVE) {
    st = pk_json_number(c, taper, "max_withdrawal", "", 1, &spec->max_withdrawal);
    if (st == PK_OK && !(spec->max_withdrawal >= 0))
      st = pk_json_fail_at(c, "max_withdrawal", "expected a W limit >= 0, got %g",
                    spec->max_withdrawal);
    if (st == PK_OK) st = read_whole(c, taper, "max_days", "days", 0, 1, 36500, &spec->max_days);
  }
  return st;
}

struct pk_scenario_deferred {
  pk_taper_item item;
  pk_taper_spec spec;
  int last, is_first;
  char path[PK_ERROR_PATH_MAX];
};

void pk_scenario_tapers_release(pk_scenario_tapers *t) {
  if (!t) return;
  free(t->deferred);
  t->deferred = NULL;
  t->n_deferred = 0;
}

static pk_status read_taper(pk_jctx *c, const cJSON *taper, const char *unit_suffix,
                            const char *unit, int first, int last, pk_taper_spec *spec) {
  *spec = pk_taper_spec_default();
  spec->start_day = first;
  size_t len = pk_json_push_key(c, "taper");
  pk_status st = cJSON_IsObject(taper) ? read_kind(c, taper, spec)
                                       : pk_json_fail(c, "a taper must be an object, got %s",
                                                      pk_json_type(taper));
  int stepped = spec->kind == PK_TAPER_LINEAR || spec->kind == PK_TAPER_RESPONSIVE;
  if (st == PK_OK) st = pk_json_check_object(c, taper, "a taper", kind_keys(spec->kind));
  if (st == PK_OK) st = read_unit_keys(c, taper, unit_suffix, unit, stepped, spec);
  if (st == PK_OK) st = read_whole(c, taper, "every_days", "days", 1, 1, 36500, &spec->every_days);
  if (st == PK_OK) st = read_whole(c, taper, "start_day", "", 0, first, last, &spec->start_day);
  if (st == PK_OK) st = read_kind_values(c, taper, spec);
  pk_json_pop(c, len);
  return st;
}

/* Generates the schedule and adds its doses up to day last to r; a
 * generator failure is reported at path (the entry's taper). */
static pk_status add_generated(pk_jctx *c, const char *path, const pk_model *m,
                               const pk_taper_item *item, const pk_taper_spec *spec, int last,
                               const pk_regimen *base, const pk_sim_options *opt,
                               pk_regimen *r) {
  pk_taper_schedule sched = {0};
  /* without max_days, a responsive taper simply ends with the entry's days */
  pk_status st = pk_taper_generate_until(m, item, spec, base, opt, spec->max_days ? 0 : last,
                                         &sched, c->err);
  if (st == PK_OK && pk_taper_schedule_zero_day(&sched) > last + 1)
    sched.n_days = (size_t)(last - item->first_day + 1); /* the entry ends on day last */
  if (st == PK_OK) st = pk_taper_schedule_add_doses(m, &sched, r, c->err);
  pk_taper_schedule_release(&sched);
  if (st != PK_OK && st != PK_ERR_NOMEM) {
    char msg[PK_ERROR_MESSAGE_MAX];
    snprintf(msg, sizeof msg, "%s", c->err->message);
    pk_err_set(c->err, st, c->file, path, "%s", msg);
  }
  return st;
}

/* The entry as a taper item: what, its clock times, amount and first day. */
static pk_status clock_item(pk_jctx *c, const cJSON *tod, const pk_scenario_dose *d,
                            int first, pk_taper_item *item) {
  *item = pk_taper_item_default();
  item->product = d->product;
  item->compound = d->compound;
  item->route = d->route;
  item->start_dose = d->amount;
  item->first_day = first;
  for (const cJSON *it = tod->child; it; it = it->next) {
    if (item->n_times == PK_TAPER_MAX_TIMES)
      return pk_json_fail_at(c, "times_of_day_h", "a taper takes at most %d clock times a day",
                      PK_TAPER_MAX_TIMES);
    item->times_of_day_h[item->n_times++] = it->valuedouble;
  }
  return PK_OK;
}

pk_status pk_scenario_taper_note(pk_jctx *c, pk_scenario_tapers *t, const cJSON *tod,
                                 const cJSON *taper, const pk_scenario_dose *d, int first) {
  if (t->entry != 0) return PK_OK;
  const cJSON *sd = taper ? pk_json_get(taper, "start_day") : NULL;
  t->first_start_day = cJSON_IsNumber(sd) ? (int)sd->valuedouble : first;
  pk_status st = clock_item(c, tod, d, first, &t->first_item);
  t->first_clock = st == PK_OK;
  return st;
}

static pk_status defer(pk_jctx *c, pk_scenario_tapers *t, const pk_taper_item *item,
                       const pk_taper_spec *spec, int last) {
  pk_scenario_deferred *d = realloc(t->deferred, (t->n_deferred + 1) * sizeof *d);
  if (!d) return pk_err_nomem(c->err);
  t->deferred = d;
  d += t->n_deferred++;
  *d = (pk_scenario_deferred){.item = *item, .spec = *spec, .last = last,
                              .is_first = t->entry == 0};
  snprintf(d->path, sizeof d->path, "%s", c->path);
  return PK_OK;
}

pk_status pk_scenario_taper_entry(pk_jctx *c, pk_scenario_tapers *t, const pk_model *m,
                                  const pk_sim_options *opt, const cJSON *tod,
                                  const cJSON *taper, const pk_scenario_dose *d, int first,
                                  int last, pk_regimen *r) {
  pk_taper_item item;
  pk_taper_spec spec;
  pk_status st = clock_item(c, tod, d, first, &item);
  if (st == PK_OK) st = read_taper(c, taper, d->suffix, d->unit, first, last, &spec);
  if (st != PK_OK) return st;
  size_t len = pk_json_push_key(c, "taper");
  if (spec.kind == PK_TAPER_RESPONSIVE) st = defer(c, t, &item, &spec, last);
  else st = add_generated(c, c->path, m, &item, &spec, last, NULL, opt, r);
  pk_json_pop(c, len);
  return st;
}

pk_status pk_scenario_taper_deferred(pk_jctx *c, pk_scenario_tapers *t, const pk_model *m,
                                     const pk_sim_options *opt, pk_regimen *r) {
  pk_status st = PK_OK;
  for (size_t k = 0; k < t->n_deferred && st == PK_OK; k++) {
    pk_scenario_deferred *d = &t->deferred[k];
    /* the run-in repeats day 1, which is at the start dose */
    if (d->item.first_day == 1) d->item.first_day += (int)floor(opt->t_start_h / 24.0);
    size_t lo = r->n;
    st = add_generated(c, d->path, m, &d->item, &d->spec, d->last, r, opt, r);
    if (d->is_first) t->first_lo = lo, t->first_hi = r->n;
  }
  return st;
}

pk_status pk_scenario_taper_split(const pk_scenario_tapers *t, const pk_regimen *r,
                                  pk_taper_item *item, int *start_day, pk_regimen **others,
                                  pk_error *err) {
  pk_error_clear(err);
  if (!t || !r || !item || !start_day || !others)
    return pk_err_set(err, PK_ERR_INVALID, NULL, NULL, "no scenario or output");
  *others = NULL;
  if (!t->first_clock)
    return pk_err_set(err, PK_ERR_INVALID, NULL, "dosing[0]",
                      "a taper starts from the first dosing entry, which must give "
                      "'times_of_day_h' and 'days'");
  pk_regimen *o = pk_regimen_new();
  if (!o) return pk_err_nomem(err);
  double from_h = 24.0 * (t->first_item.first_day - 1);
  pk_status st = PK_OK;
  for (size_t k = 0; k < r->n && st == PK_OK; k++)
    if (k < t->first_lo || k >= t->first_hi || r->dose[k].t_h < from_h)
      st = pk_regimen_add(o, &r->dose[k], err);
  if (st != PK_OK) {
    pk_regimen_free(o);
    return st;
  }
  *item = t->first_item;
  *start_day = t->first_start_day;
  *others = o;
  return PK_OK;
}
