/* taper.c - taper items and schedules, the grid and its rounding rule, and
 * the uniform family of the optimiser. The generators are in
 * taper_generate.c (linear, percentage) and taper_sim.c (hyperbolic,
 * responsive). The rule and the generators are described in docs/taper.md. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "taper_internal.h"

pk_taper_item pk_taper_item_default(void) {
  return (pk_taper_item){.product = -1, .compound = -1, .route = PK_ROUTE_ORAL, .n_times = 0,
                         .start_dose = NAN, .first_day = 1};
}

pk_taper_spec pk_taper_spec_default(void) {
  return (pk_taper_spec){.kind = PK_TAPER_LINEAR, .grid = NAN, .start_day = 1, .every_days = 7,
                         .step = NAN, .percent = NAN, .steps = 0,
                         .measure = PK_TAPER_OCCUPANCY, .max_withdrawal = NAN, .max_days = 0};
}

const char *pk_taper_item_unit(const pk_model *m, const pk_taper_item *item) {
  if (!m || !item) return NULL;
  if (item->product >= 0) return pk_model_product_dose_unit(m, item->product);
  return (item->compound >= 0 && item->compound < m->n_compounds) ? "mg" : NULL;
}

const char *pk_taper_item_name(const pk_model *m, const pk_taper_item *item) {
  if (!m || !item) return NULL;
  if (item->product >= 0)
    return item->product < m->n_products ? m->product[item->product].id : NULL;
  if (item->compound >= 0 && item->compound < m->n_compounds) return m->compound[item->compound].id;
  return NULL;
}

pk_status pk_taper_check_item(const pk_model *m, const pk_taper_item *item, pk_error *err) {
#define BAD(...) return pk_err_set(err, PK_ERR_INVALID, NULL, NULL, __VA_ARGS__)
  if (!m || !item) BAD("no model or taper item");
  if (item->product >= m->n_products)
    BAD("taper item: product index %d, the model has %d products", item->product,
        m->n_products);
  if (item->product < 0 && !(item->compound >= 0 && item->compound < m->n_compounds))
    BAD("taper item: give a product index, or product -1 and a compound index below %d "
        "(got %d)", m->n_compounds, item->compound);
  if (item->route != PK_ROUTE_ORAL && item->route != PK_ROUTE_IV &&
      item->route != PK_ROUTE_DEPOT)
    BAD("taper item: unknown route %d", (int)item->route);
  if (item->n_times < 1 || item->n_times > PK_TAPER_MAX_TIMES)
    BAD("taper item: expected 1 to %d clock times a day, got %zu", PK_TAPER_MAX_TIMES,
        item->n_times);
  for (size_t k = 0; k < item->n_times; k++)
    if (!(item->times_of_day_h[k] >= 0 && item->times_of_day_h[k] < 24))
      BAD("taper item: clock time %zu must be in [0, 24) h, got %g", k,
          item->times_of_day_h[k]);
  if (!(isfinite(item->start_dose) && item->start_dose > 0))
    BAD("taper item: the start dose must be > 0 %s, got %g", pk_taper_item_unit(m, item),
        item->start_dose);
  if (item->first_day < -MAX_DAY || item->first_day > MAX_DAY)
    BAD("taper item: first day %d is out of [%d, %d]", item->first_day, -MAX_DAY, MAX_DAY);
#undef BAD
  return PK_OK;
}

pk_status pk_taper_grid_units(double dose, double grid, const char *what, const char *unit,
                              long *units, pk_error *err) {
  const char *sp = unit && *unit ? " " : "";
  if (!unit) unit = "";
  if (!(isfinite(grid) && grid > 0))
    return pk_err_set(err, PK_ERR_INVALID, NULL, NULL,
                      "the dose grid must be > 0%s%s (per administration), got %g%s%s", sp,
                      unit, grid, sp, unit);
  double u = dose / grid;
  if (!(u >= 0 && u <= MAX_GRID_STEPS + 0.5))
    return pk_err_set(err, PK_ERR_INVALID, NULL, NULL,
                      "%s %g%s%s is more than %d steps of the grid %g%s%s; use a coarser grid",
                      what, dose, sp, unit, MAX_GRID_STEPS, grid, sp, unit);
  double r = floor(u + 0.5);
  if (fabs(u - r) > 1e-9 * fmax(1.0, u))
    return pk_err_set(err, PK_ERR_INVALID, NULL, NULL,
                      "%s %g%s%s is not a multiple of the dose grid %g%s%s (%g grid steps)",
                      what, dose, sp, unit, grid, sp, unit, u);
  *units = (long)r;
  return PK_OK;
}

long pk_taper_round_units(double u, long prev) {
  /* the 1e-9 absorbs the rounding of u, so that an exact half goes up */
  double r = floor(u + 0.5 + 1e-9);
  long level = r < (double)prev ? (long)r : prev - 1;
  return level < 0 ? 0 : level;
}

double pk_taper_tail(const pk_model *m, double tail_h) {
  if (tail_h > 0) return tail_h;
  double k = pk_model_adaptation(m);
  return k > 0 ? 5.0 / k : 168.0;
}

/* ---- schedules ------------------------------------------------------------ */

void pk_taper_schedule_release(pk_taper_schedule *s) {
  if (!s) return;
  free(s->level);
  s->level = NULL;
  s->n_days = 0;
}

int pk_taper_schedule_zero_day(const pk_taper_schedule *s) {
  return s ? s->item.first_day + (int)s->n_days - 1 : 0;
}

double pk_taper_schedule_level(const pk_taper_schedule *s, int day) {
  if (!s || !s->level || day < s->item.first_day) return 0.0;
  size_t k = (size_t)(day - s->item.first_day);
  return k < s->n_days ? s->level[k] : 0.0;
}

pk_status pk_taper_from_changes(const pk_taper_item *item, double grid, const long *level,
                                const int *day, size_t n, int open_end, int hold_to,
                                pk_taper_schedule *out, pk_error *err) {
  int first = item->first_day;
  for (size_t k = 1; k < n; k++)
    if (day[k] <= (k == 1 ? first : day[k - 1]) || level[k] >= level[k - 1] || level[k] < 0)
      return pk_err_set(err, PK_ERR_INVALID, NULL, NULL,
                        "taper step %zu (day %d, %ld grid steps) does not follow the previous "
                        "one", k, day[k], level[k]);
  if (!open_end && (n < 2 || level[n - 1] != 0))
    return pk_err_set(err, PK_ERR_INVALID, NULL, NULL, "a taper must end at 0");
  int last = open_end ? hold_to : day[n - 1];
  if (last < first || (n > 1 && last < day[n - 1]) || last - first > 2 * MAX_DAY)
    return pk_err_set(err, PK_ERR_INVALID, NULL, NULL, "a taper must end after it starts");
  size_t n_days = (size_t)(last - first) + 1;
  double *lv = malloc(n_days * sizeof *lv);
  if (!lv) return pk_err_nomem(err);
  size_t k = 0;
  for (int d = first; d <= last; d++) {
    while (k + 1 < n && day[k + 1] <= d) k++;
    lv[d - first] = (double)level[k] * grid;
  }
  *out = (pk_taper_schedule){.item = *item, .n_days = n_days, .level = lv};
  return PK_OK;
}

pk_status pk_taper_add_administration(const pk_model *m, const pk_taper_item *item,
                                      double t_h, double amount, pk_regimen *r, pk_error *err) {
  pk_dose dose = pk_dose_default();
  dose.t_h = t_h;
  if (item->product < 0) {
    dose.compound = item->compound;
    dose.route = item->route;
    dose.amount_mg = amount;
    return pk_regimen_add(r, &dose, err);
  }
  const pk_product *p = &m->product[item->product];
  pk_status st = PK_OK;
  dose.product = item->product;
  st = pk_product_add_dose(p, &dose, amount, r, err);
  return st;
}

pk_status pk_taper_schedule_add_doses(const pk_model *m, const pk_taper_schedule *s,
                                      pk_regimen *r, pk_error *err) {
  if (!s || !r) return pk_err_set(err, PK_ERR_INVALID, NULL, NULL, "no schedule or regimen");
  pk_status st = pk_taper_check_item(m, &s->item, err);
  for (size_t k = 0; k < s->n_days && st == PK_OK; k++) {
    if (!(s->level[k] > 0)) continue;
    double day0_h = 24.0 * (double)(s->item.first_day + (int)k - 1);
    for (size_t j = 0; j < s->item.n_times && st == PK_OK; j++)
      st = pk_taper_add_administration(m, &s->item, day0_h + s->item.times_of_day_h[j],
                                       s->level[k], r, err);
  }
  return st;
}

double pk_taper_last_dose_h(const pk_taper_schedule *s, size_t n) {
  double last = NAN;
  for (size_t i = 0; i < n; i++)
    for (size_t k = s[i].n_days; k-- > 0;)
      if (s[i].level[k] > 0) {
        double day0_h = 24.0 * (double)(s[i].item.first_day + (int)k - 1), latest = 0;
        for (size_t j = 0; j < s[i].item.n_times; j++)
          latest = fmax(latest, s[i].item.times_of_day_h[j]);
        if (!(day0_h + latest <= last)) last = day0_h + latest;
        break;
      }
  return last;
}

/* ---- generators without simulation ---------------------------------------- */

pk_status pk_taper_uniform(const pk_taper_item *item, double grid, int start_day,
                           int cut_units, int every_days, pk_taper_schedule *out,
                           pk_error *err) {
  pk_error_clear(err);
  if (!item || !out) return pk_err_set(err, PK_ERR_INVALID, NULL, NULL, "no item or output");
  *out = (pk_taper_schedule){0};
  long start = 0;
  pk_status st = pk_taper_grid_units(item->start_dose, grid, "the start dose", NULL, &start, err);
  if (st != PK_OK) return st;
  if (cut_units < 1 || every_days < 1 || start_day < item->first_day)
    return pk_err_set(err, PK_ERR_INVALID, NULL, NULL,
                      "a uniform taper needs a cut >= 1 grid step, every >= 1 day and a start "
                      "day on or after the first day (got %d, %d, %d)", cut_units, every_days,
                      start_day);
  long steps = (start + cut_units - 1) / cut_units;
  if ((double)start_day + (double)steps * every_days > MAX_DAY)
    return pk_err_set(err, PK_ERR_INVALID, NULL, NULL, "the taper would end after day %d",
                      MAX_DAY);
  long *level = malloc(((size_t)steps + 1) * sizeof *level);
  int *day = malloc(((size_t)steps + 1) * sizeof *day);
  if (!level || !day) st = pk_err_nomem(err);
  for (long k = 0; st == PK_OK && k <= steps; k++) {
    level[k] = start - k * cut_units > 0 ? start - k * cut_units : 0;
    day[k] = start_day + (int)k * every_days;
  }
  if (st == PK_OK)
    st = pk_taper_from_changes(item, grid, level, day, (size_t)steps + 1, 0, 0, out, err);
  free(level);
  free(day);
  return st;
}
