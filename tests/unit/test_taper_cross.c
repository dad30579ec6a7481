/* test_taper_cross.c - cross-taper: a substitute comes in on its own first
 * day while the first item is cut, and is tapered from the first day
 * without the first item (or from its own start day).
 *
 * First item: the synthetic ligand, 8 mg at 08:00, 14:00, 20:00, linear
 * 2 mg every 3 days from day 1: 8 on days 1-3, 6 on 4-6, 4 on 7-9, 2 on
 * 10-12, none from day 13. Substitute: a slower partial agonist, 4 mg at
 * 09:00 and 21:00 from day 5, linear 1 mg every 2 days from day 13 (the
 * default): 4 on days 5-14, 3 on 15-16, 2 on 17-18, 1 on 19-20, none from
 * day 21. A responsive substitute must decide from W with the first item's
 * doses in the simulation (checked by re-simulating both here), and a
 * responsive first item whose steps overlap the substitute's taper is an
 * error. */
#include <string.h>
#include "taper_helpers.h"

static pk_taper_spec linear(double step, int start, int every) {
  pk_taper_spec sp = pk_taper_spec_default();
  sp.grid = 1.0;
  sp.step = step;
  sp.start_day = start;
  sp.every_days = every;
  return sp;
}

static pk_taper_item substitute(int sub) {
  pk_taper_item it = pk_taper_item_default();
  it.compound = sub;
  it.n_times = 2;
  it.times_of_day_h[0] = 9;
  it.times_of_day_h[1] = 21;
  it.start_dose = 4;
  it.first_day = 5;
  return it;
}

static void check_levels(const pk_taper_schedule *s, int from, const double *want, size_t n,
                         const char *what) {
  for (size_t k = 0; k < n; k++)
    CHECK_CLOSE(pk_taper_schedule_level(s, from + (int)k), want[k], 0, 0, what);
}

static void test_linear_pair(const pk_model *m, const pk_taper_item it[2],
                             const pk_sim_options *o) {
  pk_taper_spec sp[2] = {linear(2, 1, 3), linear(1, 0, 2)};
  pk_taper_schedule s[2];
  pk_error err;
  CHECK(pk_taper_cross(m, it, sp, NULL, o, s, &err) == PK_OK, "cross: %s", err.message);
  th_check_shape(&s[0], 1.0, "first item");
  th_check_shape(&s[1], 1.0, "substitute");
  static const double first[] = {8, 8, 8, 6, 6, 6, 4, 4, 4, 2, 2, 2, 0};
  check_levels(&s[0], 1, first, 13, "first item levels, days 1-13");
  CHECK(pk_taper_schedule_zero_day(&s[0]) == 13, "first item ends on day 13");
  static const double sub[] = {0, 0, 0, 0, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 3, 3, 2, 2, 1, 1, 0};
  check_levels(&s[1], 1, sub, 21, "substitute levels, days 1-21");
  CHECK(s[1].item.first_day == 5 && pk_taper_schedule_zero_day(&s[1]) == 21,
        "substitute from day 5 to day 21, got %d to %d", s[1].item.first_day,
        pk_taper_schedule_zero_day(&s[1]));
  pk_regimen *r = pk_regimen_new();
  CHECK(pk_taper_schedule_add_doses(m, &s[1], r, &err) == PK_OK, "doses: %s", err.message);
  CHECK(pk_regimen_size(r) == 2 * 16, "substitute: 16 days of 2 doses, got %zu",
        pk_regimen_size(r));
  CHECK_CLOSE(pk_regimen_dose(r, 0).t_h, 4 * 24 + 9, 0, 0, "first substitute dose: day 5 09:00");
  pk_regimen_free(r);
  pk_taper_schedule_release(&s[0]);
  pk_taper_schedule_release(&s[1]);
}

/* W over [24 (from - 1), 24 (to - 1)) with both schedules simulated here
 * (to the substitute's zero day). */
static double window_W(const pk_model *m, const pk_taper_schedule s[2], const pk_sim_options *o,
                       int from, int to) {
  pk_regimen *r = pk_regimen_new();
  for (int i = 0; i < 2; i++)
    th_add_levels(r, &s[i].item, s[i].level, s[i].n_days, s[i].item.first_day);
  double end = 24.0 * pk_taper_schedule_zero_day(&s[1]);
  double w = th_max_W(m, r, o, end, 24.0 * (from - 1), 24.0 * (to - 1), NULL);
  pk_regimen_free(r);
  return w;
}

static void test_responsive_substitute(const pk_model *m, const pk_taper_item it[2],
                                       const pk_sim_options *o) {
  pk_taper_spec sp[2] = {linear(2, 1, 3), linear(1, 0, 2)};
  sp[1].kind = PK_TAPER_RESPONSIVE;
  sp[1].max_withdrawal = 0.05;
  sp[1].max_days = 120;
  pk_taper_schedule s[2];
  pk_error err;
  CHECK(pk_taper_cross(m, it, sp, NULL, o, s, &err) == PK_OK, "responsive substitute: %s",
        err.message);
  th_check_shape(&s[1], 1.0, "responsive substitute");
  CHECK(s[1].n_holds > 0, "the limit 0.05 must make the substitute's taper hold");
  int zero = pk_taper_schedule_zero_day(&s[1]);
  for (int prev = 13, d = 15; d <= zero; prev = d, d += 2) {
    double w = window_W(m, s, o, prev, d);
    int cut = pk_taper_schedule_level(&s[1], d) < pk_taper_schedule_level(&s[1], d - 1);
    CHECK(cut == (w <= 0.05), "responsive substitute, day %d: W %.6g with both items, %s", d, w,
          cut ? "cut" : "held");
  }
  pk_taper_schedule_release(&s[0]);
  pk_taper_schedule_release(&s[1]);
}

static void test_overlap_error(const pk_model *m, const pk_taper_item it[2],
                               const pk_sim_options *o) {
  pk_taper_spec sp[2] = {linear(2, 1, 3), linear(1, 6, 2)};
  sp[0].kind = PK_TAPER_RESPONSIVE;
  sp[0].max_withdrawal = 1.0;
  pk_taper_schedule s[2];
  pk_error err;
  CHECK(pk_taper_cross(m, it, sp, NULL, o, s, &err) == PK_ERR_INVALID &&
            strstr(err.message, "start the substitute's taper later"),
        "a responsive first item overlapping the substitute's taper: %s", err.message);
  CHECK(s[0].level == NULL && s[1].level == NULL, "no schedules on failure");
}

int main(void) {
  test_init();
  int ci = -1;
  pk_model *m = th_model(3000, &ci);
  pk_compound_params p = unit_compound("sub", 470.0, 1.0, 300.0, 1.0);
  unit_ligand(&p, 0.5, 1.0, 2000.0, 0.5);
  int sub = unit_add(m, &p);
  pk_taper_item it[2] = {th_item(ci, 8), substitute(sub)};
  pk_regimen *hist = th_day(&it[0], 8);
  pk_sim_options o = th_options(hist);
  test_linear_pair(m, it, &o);
  test_responsive_substitute(m, it, &o);
  test_overlap_error(m, it, &o);
  pk_regimen_free(hist);
  pk_model_free(m);
  return test_finish("unit_taper_cross_substitute_starts_and_both_end");
}
