/* test_taper_hyperbolic.c - the hyperbolic taper takes equal steps of
 * day-mean steady-state occupancy (or E), not of dose.
 *
 * For a ligand near saturation (K = 300 nM: about 75 % occupancy at 8 mg
 * three times a day) the target of step k is (1 - k/K) times the start
 * level's day mean. Here the day mean m(dose) is computed independently:
 * pk_simulate from the periodic steady state of the day's doses, 0.05 h
 * output, trapezoidal rule over the 24 h. Each level l_k must be the grid
 * multiple nearest to the dose hitting the target: m(l_k - g/2) <= target
 * <= m(l_k + g/2) (m is increasing), or, where the nearest multiple is the
 * previous level, one grid step below it; so the levels' occupancies are
 * equally spaced within the rounding. At saturation the first dose cut
 * must then be the largest. Also: the library's own day mean agrees with
 * this one to 1e-4 (it uses 96 samples). */
#include "taper_helpers.h"

static const double grid = 0.25, slack = 1e-6;

static double day_mean(const pk_model *m, const pk_taper_item *it, double dose, const char *col) {
  if (dose <= 0) return 0;
  pk_regimen *day = th_day(it, dose);
  pk_sim_options o = th_options(day);
  o.t_end_h = 24;
  o.output_step_h = 0.05;
  pk_trajectory *t = unit_simulate(m, day, &o);
  double sum = 0;
  size_t n = t ? pk_trajectory_rows(t) : 0;
  for (size_t i = 0; i + 1 < n; i++)
    sum += 0.5 * (unit_get(t, i, col) + unit_get(t, i + 1, col)) * 0.05;
  pk_trajectory_free(t);
  pk_regimen_free(day);
  return sum / 24.0;
}

static void check_levels(const pk_model *m, const pk_taper_item *it, const pk_taper_spec *sp,
                         const pk_taper_schedule *s, const char *col, const char *what) {
  th_check_shape(s, grid, what);
  double top = day_mean(m, it, it->start_dose, col), prev = it->start_dose;
  for (int k = 1; k < sp->steps; k++) {
    double l = pk_taper_schedule_level(s, sp->start_day + k * sp->every_days);
    if (l <= 0) break;
    double target = top * (1.0 - (double)k / sp->steps);
    double lo = day_mean(m, it, l - grid / 2, col), hi = day_mean(m, it, l + grid / 2, col);
    int nearest = lo <= target + slack && target <= hi + slack;
    int forced = l == prev - grid && day_mean(m, it, prev - grid / 2, col) <= target + slack;
    CHECK(nearest || forced, "%s: step %d: level %g has day-mean %s %.6g..%.6g around it, "
          "target %.6g", what, k, l, col, lo, hi, target);
    prev = l;
  }
}

static pk_taper_spec hyperbolic(int steps, pk_taper_measure measure) {
  pk_taper_spec sp = pk_taper_spec_default();
  sp.kind = PK_TAPER_HYPERBOLIC;
  sp.grid = grid;
  sp.steps = steps;
  sp.measure = measure;
  sp.every_days = 7;
  return sp;
}

int main(void) {
  test_init();
  int ci = -1;
  pk_model *m = th_model(300, &ci);
  pk_taper_item it = th_item(ci, 8);
  pk_taper_schedule s;
  pk_error err;
  double lib = NAN;
  CHECK(pk_taper_steady_measure(m, &it, 8, PK_TAPER_OCCUPANCY, NULL, &lib, &err) == PK_OK,
        "steady measure: %s", err.message);
  CHECK_CLOSE(lib, day_mean(m, &it, 8, "occ"), 1e-4, 0, "library day-mean occupancy at 8 mg");

  pk_taper_spec sp = hyperbolic(6, PK_TAPER_OCCUPANCY);
  CHECK(pk_taper_generate(m, &it, &sp, NULL, NULL, &s, &err) == PK_OK, "occupancy: %s",
        err.message);
  check_levels(m, &it, &sp, &s, "occ", "occupancy, 6 steps");
  double first_cut = s.level[0] - pk_taper_schedule_level(&s, 8);
  double last_cut = pk_taper_schedule_level(&s, 1 + 5 * 7) - 0;
  CHECK(first_cut > last_cut, "near saturation the first cut (%g mg) must exceed the last "
        "(%g mg)", first_cut, last_cut);
  CHECK(pk_taper_schedule_zero_day(&s) <= 1 + 6 * 7, "ends by step 6");
  pk_taper_schedule_release(&s);

  sp = hyperbolic(4, PK_TAPER_RESPONSE);
  CHECK(pk_taper_generate(m, &it, &sp, NULL, NULL, &s, &err) == PK_OK, "E: %s", err.message);
  check_levels(m, &it, &sp, &s, "E", "E, 4 steps");
  pk_taper_schedule_release(&s);
  pk_model_free(m);
  return test_finish("unit_taper_hyperbolic_equal_occupancy_steps");
}
