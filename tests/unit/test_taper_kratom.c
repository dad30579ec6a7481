/* test_taper_kratom.c - the optimiser on the shipped kratom model and
 * scenario (models/scenarios/kratom-taper.json: 2 g of leaf powder at
 * 08:00, 14:00 and 20:00 after a 28-day run-in).
 *
 * The start of the taper read from the scenario must be that entry (product
 * kratom-leaf-powder, three clock times, 2 g, day 1) with the run-in doses
 * (28 days x 3 x 2 compounds, all before t = 0) as the other doses. With
 * the limit W <= 0.0135 (between the symptom threshold 0.011 and the peak
 * of an abrupt stop, about 0.0149) and a 0.25 g grid, the returned schedule
 * re-simulated here (compound doses computed here as 1000 g w mg from the
 * product's contents) keeps W under the limit and takes 3 days, and every
 * shorter schedule of the uniform family (2 g on day 1, then 1, 0.75, 0.5,
 * 0.25 g or nothing on day 2, nothing from day 3) exceeds it, simulated
 * here one by one. A hyperbolic taper of the same regimen
 * (4 equal steps of day-mean occupancy) must lower the day-mean occupancy
 * at every step. */
#include <string.h>
#include "taper_helpers.h"

static const double LIMIT = 0.0135, GRID = 0.25;

/* Scenario doses before t = 0 plus level[k] g of the product on day 1 + k. */
static pk_regimen *kratom_regimen(const pk_model *m, const pk_taper_item *it,
                                  const pk_regimen *others, const double *level, size_t n) {
  pk_regimen *r = pk_regimen_new();
  for (size_t k = 0; k < pk_regimen_size(others); k++) {
    pk_dose d = pk_regimen_dose(others, k);
    pk_regimen_add(r, &d, NULL);
  }
  for (size_t k = 0; k < n; k++)
    for (size_t j = 0; level[k] > 0 && j < it->n_times; j++)
      for (size_t c = 0; c < pk_model_product_size(m, it->product); c++) {
        int comp = -1;
        double w = 0;
        pk_model_product_content(m, it->product, c, &comp, &w, NULL);
        unit_dose(r, comp, PK_ROUTE_ORAL, 24.0 * (double)k + it->times_of_day_h[j],
                  1000.0 * level[k] * w);
      }
  return r;
}

static double kratom_max_W(const pk_model *m, const pk_taper_item *it, const pk_regimen *others,
                           const pk_sim_options *o, const double *level, size_t n) {
  pk_regimen *r = kratom_regimen(m, it, others, level, n);
  double w = th_max_W(m, r, o, 24.0 * (double)n + 24.0 * 20, 0, INFINITY, NULL);
  pk_regimen_free(r);
  return w;
}

static void test_start(const pk_model *m, const pk_taper_item *it, int start_day,
                       const pk_regimen *others) {
  CHECK(it->product == pk_model_find_product(m, "kratom-leaf-powder") && it->n_times == 3 &&
            it->times_of_day_h[0] == 8 && it->times_of_day_h[1] == 14 &&
            it->times_of_day_h[2] == 20 && it->start_dose == 2 && it->first_day == 1 &&
            start_day == 1,
        "the first dosing entry as a taper item");
  CHECK(pk_regimen_size(others) == 28 * 3 * 2, "other doses: the run-in, got %zu",
        pk_regimen_size(others));
  for (size_t k = 0; k < pk_regimen_size(others); k++)
    CHECK(pk_regimen_dose(others, k).t_h < 0, "other dose %zu at %g h is not in the run-in", k,
          pk_regimen_dose(others, k).t_h);
}

static void test_optimum(const pk_model *m, const pk_taper_item *it, const pk_regimen *others,
                         const pk_sim_options *o) {
  pk_taper_limits lim = pk_taper_limits_default();
  lim.max_withdrawal = LIMIT;
  lim.grid = GRID;
  lim.max_days = 30;
  pk_taper_result r;
  pk_error err;
  pk_status st = pk_taper_optimise(m, it, others, o, &lim, &r, &err);
  CHECK(st == PK_OK, "optimise: %s", err.message);
  if (st != PK_OK) return;
  th_check_shape(&r.schedule, GRID, "kratom optimum");
  double w = kratom_max_W(m, it, others, o, r.schedule.level, r.schedule.n_days);
  CHECK(w <= LIMIT, "kratom optimum (%d days) re-simulated: max W %.9g > %g", r.days, w, LIMIT);
  CHECK(r.days == 3, "expected 3 days, got uniform %d, returned %d", r.uniform_days, r.days);
  static const double day2[] = {1, 0.75, 0.5, 0.25, 0};
  for (size_t k = 0; k < sizeof day2 / sizeof day2[0]; k++) {
    double levels[] = {2, day2[k], 0};
    double wk = kratom_max_W(m, it, others, o, levels, 3);
    CHECK(wk > LIMIT, "the shorter schedule 2 g, %g g, stop keeps max W %.9g <= %g", day2[k], wk,
          LIMIT);
  }
  static const double stop[] = {2, 0};
  w = kratom_max_W(m, it, others, o, stop, 2);
  printf("kratom-taper at W <= %g: %d days, levels", LIMIT, r.days);
  for (size_t k = 0; k < r.schedule.n_days; k++) printf(" %g", r.schedule.level[k]);
  printf(" g; max W %.7g at %g h; stopping at once: %.7g\n", r.eval.max_W, r.eval.t_max_W_h, w);
  pk_taper_result_release(&r);
}

static void test_hyperbolic(const pk_model *m, const pk_taper_item *it) {
  pk_taper_spec sp = pk_taper_spec_default();
  sp.kind = PK_TAPER_HYPERBOLIC;
  sp.grid = GRID;
  sp.steps = 4;
  sp.every_days = 7;
  pk_taper_schedule s;
  pk_error err;
  CHECK(pk_taper_generate(m, it, &sp, NULL, NULL, &s, &err) == PK_OK, "hyperbolic: %s",
        err.message);
  th_check_shape(&s, GRID, "kratom hyperbolic");
  double prev = INFINITY;
  for (int d = 1; d <= pk_taper_schedule_zero_day(&s); d += 7) {
    double occ = NAN;
    pk_taper_steady_measure(m, it, pk_taper_schedule_level(&s, d), PK_TAPER_OCCUPANCY, NULL,
                            &occ, &err);
    CHECK(occ < prev, "day %d: day-mean occupancy %g does not fall", d, occ);
    prev = occ;
  }
  pk_taper_schedule_release(&s);
}

int main(void) {
  test_init();
  pk_scenario *sc = NULL;
  pk_error err;
  pk_status st = pk_scenario_load(PK_MODELS_DIR "/scenarios/kratom-taper.json", &sc, &err);
  CHECK(st == PK_OK, "load: %s", err.message);
  if (st != PK_OK) return test_finish("unit_taper_kratom_shipped_model");
  const pk_model *m = pk_scenario_model(sc);
  pk_sim_options o = pk_scenario_options(sc);
  pk_taper_item it;
  int start_day = 0;
  pk_regimen *others = NULL;
  st = pk_scenario_taper_start(sc, &it, &start_day, &others, &err);
  CHECK(st == PK_OK, "taper start: %s", err.message);
  if (st == PK_OK) {
    test_start(m, &it, start_day, others);
    test_optimum(m, &it, others, &o);
    test_hyperbolic(m, &it);
  }
  pk_regimen_free(others);
  pk_scenario_free(sc);
  return test_finish("unit_taper_kratom_shipped_model");
}
