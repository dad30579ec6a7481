/* test_taper_generators.c - the generators that need no simulation (linear,
 * percentage, uniform), the rounding rule and the schedule-to-regimen step,
 * against sequences computed by hand here.
 *
 * Rounding rule: a level u (in grid steps) goes to the nearest whole number
 * (halves up); if that is not below the previous level, one below it; never
 * below 0. Hand computations (grid steps in brackets):
 *  - percentage, 2 g, 0.25 g grid, 10 % a week: 2 [8] -> 1.8 [7.2 -> 7] 1.75
 *    -> 1.575 [6.3 -> 6] 1.5 -> 1.35 [5.4 -> 5] 1.25 -> 1.125 [4.5 -> 5 =
 *    previous -> 4] 1 -> 0.9 [3.6 -> 4 = previous -> 3] 0.75 -> 0.675 [2.7 ->
 *    3 -> 2] 0.5 -> 0.45 [1.8 -> 2 -> 1] 0.25 -> 0.225 [0.9 -> 1 -> 0] 0.
 *  - percentage, 40 mg, 2.5 mg grid, 25 % every 3 days: 40 [16] -> [12] 30
 *    -> [9] 22.5 -> [6.75 -> 7] 17.5 -> [5.25 -> 5] 12.5 -> [3.75 -> 4] 10
 *    -> [3] 7.5 -> [2.25 -> 2] 5 -> [1.5 -> 2 = previous -> 1] 2.5 -> [0.75
 *    -> 1 -> 0] 0.
 *  - linear, 2 g, step 0.3 g, 0.25 g grid: u_k = 8 - 1.2 k: 6.8 -> 7 (1.75),
 *    5.6 -> 6 (1.5), 4.4 -> 4 (1), 3.2 -> 3 (0.75), 2 (0.5), 0.8 -> 1 (0.25),
 *    -0.4 -> 0.
 *  - linear, 1 g, step 0.1 g (finer than the 0.25 g grid): u_k = 4 - 0.4 k:
 *    3.6 -> 4 = previous -> 3; 3.2 -> 3 -> 2; 2.8 -> 3 -> 1; 2.4 -> 2 -> 0:
 *    every step cuts one grid step.
 *  - uniform, 8 grid steps, cut 3 every 2 days: 8, 5, 2, 0. */
#include <string.h>
#include "taper_helpers.h"
#include "taper_internal.h"

/* Checks s against `levels` (n of them), each held `every` days from
 * start_day (the first also from the item's first day). */
static void check_sequence(const pk_taper_schedule *s, const double *levels, size_t n,
                           int start_day, int every, double grid, const char *what) {
  th_check_shape(s, grid, what);
  int first = s->item.first_day, zero = start_day + (int)(n - 1) * every;
  CHECK(pk_taper_schedule_zero_day(s) == zero, "%s: zero day %d, expected %d", what,
        pk_taper_schedule_zero_day(s), zero);
  for (int d = first; d <= zero; d++) {
    int k = d < start_day ? 0 : (d - start_day) / every;
    double want = levels[k < (int)n ? k : (int)n - 1];
    CHECK_CLOSE(pk_taper_schedule_level(s, d), want, 0, 1e-12, what);
  }
  CHECK(pk_taper_schedule_level(s, zero + 5) == 0 && pk_taper_schedule_level(s, first - 1) == 0,
        "%s: levels outside the schedule must be 0", what);
}

static pk_taper_spec spec_of(pk_taper_kind kind, double grid, int start, int every) {
  pk_taper_spec sp = pk_taper_spec_default();
  sp.kind = kind;
  sp.grid = grid;
  sp.start_day = start;
  sp.every_days = every;
  return sp;
}

static void generate(const pk_model *m, const pk_taper_item *it, const pk_taper_spec *sp,
                     pk_taper_schedule *s, const char *what) {
  pk_error err;
  pk_status st = pk_taper_generate(m, it, sp, NULL, NULL, s, &err);
  CHECK(st == PK_OK, "%s: %s", what, err.message);
}

static void test_percentage(const pk_model *m, int prod, int ci) {
  pk_taper_item it = pk_taper_item_default();
  it.product = prod;
  it.n_times = 1;
  it.times_of_day_h[0] = 9;
  it.start_dose = 2.0;
  pk_taper_spec sp = spec_of(PK_TAPER_PERCENTAGE, 0.25, 1, 7);
  sp.percent = 10;
  pk_taper_schedule s;
  generate(m, &it, &sp, &s, "percentage 2 g 10 %/week");
  static const double want[] = {2, 1.75, 1.5, 1.25, 1, 0.75, 0.5, 0.25, 0};
  check_sequence(&s, want, 9, 1, 7, 0.25, "percentage 2 g 10 %/week");
  pk_taper_schedule_release(&s);

  it = th_item(ci, 40);
  it.first_day = 2;
  sp = spec_of(PK_TAPER_PERCENTAGE, 2.5, 4, 3);
  sp.percent = 25;
  generate(m, &it, &sp, &s, "percentage 40 mg 25 %/3 days");
  static const double want2[] = {40, 30, 22.5, 17.5, 12.5, 10, 7.5, 5, 2.5, 0};
  check_sequence(&s, want2, 10, 4, 3, 2.5, "percentage 40 mg 25 %/3 days");
  CHECK(s.item.first_day == 2 && s.level[0] == 40 && s.level[2] == 40,
        "days before the start day stay at the start dose");
  pk_taper_schedule_release(&s);
}

static void test_linear(const pk_model *m, int ci) {
  pk_taper_item it = th_item(ci, 2.0);
  pk_taper_spec sp = spec_of(PK_TAPER_LINEAR, 0.25, 1, 7);
  sp.step = 0.3;
  pk_taper_schedule s;
  generate(m, &it, &sp, &s, "linear 0.3 on a 0.25 grid");
  static const double want[] = {2, 1.75, 1.5, 1, 0.75, 0.5, 0.25, 0};
  check_sequence(&s, want, 8, 1, 7, 0.25, "linear 0.3 on a 0.25 grid");
  pk_taper_schedule_release(&s);

  it.start_dose = 1.0;
  sp = spec_of(PK_TAPER_LINEAR, 0.25, 1, 1);
  sp.step = 0.1;
  generate(m, &it, &sp, &s, "linear step finer than the grid");
  static const double want2[] = {1, 0.75, 0.5, 0.25, 0};
  check_sequence(&s, want2, 5, 1, 1, 0.25, "linear step finer than the grid");
  pk_taper_schedule_release(&s);

  it.start_dose = 2.0;
  sp = spec_of(PK_TAPER_LINEAR, 0.5, 1, 7);
  sp.step = 0.5;
  generate(m, &it, &sp, &s, "linear like the shipped kratom taper");
  static const double want3[] = {2, 1.5, 1, 0.5, 0};
  check_sequence(&s, want3, 5, 1, 7, 0.5, "linear like the shipped kratom taper");
  pk_taper_schedule_release(&s);
}

static void test_uniform(int ci) {
  pk_taper_item it = th_item(ci, 8);
  pk_taper_schedule s;
  pk_error err;
  CHECK(pk_taper_uniform(&it, 1.0, 1, 3, 2, &s, &err) == PK_OK, "uniform: %s", err.message);
  static const double want[] = {8, 5, 2, 0};
  check_sequence(&s, want, 4, 1, 2, 1.0, "uniform cut 3 every 2 days");
  pk_taper_schedule_release(&s);
}

static void test_rounding_rule(void) {
  CHECK(pk_taper_round_units(4.5, 9) == 5, "a half rounds up");
  CHECK(pk_taper_round_units(4.5, 5) == 4, "rounding to the previous level steps down");
  CHECK(pk_taper_round_units(6.0, 5) == 4, "a level above the previous one steps down");
  CHECK(pk_taper_round_units(2.49, 5) == 2, "nearest below a half");
  CHECK(pk_taper_round_units(-0.4, 1) == 0 && pk_taper_round_units(0.2, 0) == 0,
        "never below 0");
}

/* The regimen of a product schedule: 1000 g w mg of each compound at each
 * clock time of each day with a dose. */
static void test_add_doses(const pk_model *m, int prod, int ci) {
  pk_taper_item it = pk_taper_item_default();
  it.product = prod;
  it.n_times = 2;
  it.times_of_day_h[0] = 8;
  it.times_of_day_h[1] = 20;
  it.start_dose = 1.0;
  pk_taper_schedule s;
  pk_error err;
  CHECK(pk_taper_uniform(&it, 0.5, 1, 1, 2, &s, &err) == PK_OK, "uniform: %s", err.message);
  pk_regimen *r = pk_regimen_new();
  CHECK(pk_taper_schedule_add_doses(m, &s, r, &err) == PK_OK, "add doses: %s", err.message);
  /* 1 g on days 1-2, 0.5 g on days 3-4, two times a day, one compound */
  CHECK(pk_regimen_size(r) == 8, "expected 8 doses, got %zu", pk_regimen_size(r));
  static const double t[] = {8, 20, 32, 44, 56, 68, 80, 92}, g[] = {1, 1, 1, 1, .5, .5, .5, .5};
  for (size_t k = 0; k < 8 && k < pk_regimen_size(r); k++) {
    pk_dose d = pk_regimen_dose(r, k);
    CHECK_CLOSE(d.t_h, t[k], 0, 1e-12, "dose time");
    CHECK_CLOSE(d.amount_mg, 1000.0 * g[k] * 0.02, 1e-15, 0, "dose mg = 1000 g w");
    CHECK(d.compound == ci, "dose compound");
  }
  pk_regimen_free(r);
  pk_taper_schedule_release(&s);
}

static void test_invalid(const pk_model *m, int ci) {
  pk_taper_item it = th_item(ci, 2.1);
  pk_taper_spec sp = spec_of(PK_TAPER_LINEAR, 0.25, 1, 7);
  sp.step = 0.5;
  pk_taper_schedule s;
  pk_error err;
  CHECK(pk_taper_generate(m, &it, &sp, NULL, NULL, &s, &err) == PK_ERR_INVALID &&
            strstr(err.message, "not a multiple of the dose grid"),
        "a start dose off the grid is an error: %s", err.message);
  it.start_dose = 2;
  sp.kind = PK_TAPER_PERCENTAGE;
  sp.percent = 0;
  CHECK(pk_taper_generate(m, &it, &sp, NULL, NULL, &s, &err) == PK_ERR_INVALID,
        "a percent of 0 is an error");
  sp.percent = 10;
  sp.start_day = 0;
  CHECK(pk_taper_generate(m, &it, &sp, NULL, NULL, &s, &err) == PK_ERR_INVALID,
        "a start day before the item's first day is an error");
  CHECK(s.level == NULL && s.n_days == 0, "a failed generator leaves the schedule empty");
}

int main(void) {
  test_init();
  int ci = -1, prod = -1;
  pk_model *m = th_model(3000, &ci);
  double w = 0.02;
  pk_error err;
  CHECK(pk_model_add_product(m, "leaf", 1, &ci, &w, &prod, &err) == PK_OK, "product: %s",
        err.message);
  test_rounding_rule();
  test_percentage(m, prod, ci);
  test_linear(m, ci);
  test_uniform(ci);
  test_add_doses(m, prod, ci);
  test_invalid(m, ci);
  pk_model_free(m);
  return test_finish("unit_taper_generators_grid_rounding");
}
