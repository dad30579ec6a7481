/* test_taper_responsive.c - the responsive taper cuts at a planned step
 * exactly when W at the output times since the previous planned step
 * stayed at or below the limit, and holds otherwise.
 *
 * Every decision is checked against an independent simulation of the
 * returned schedule (doses built here, simulated to its end with
 * pk_simulate): the W over each window decides cut or hold, and the number
 * of holds must match. A case where it must hold is built from a fixed
 * schedule simulated here first (8 mg, then 4 mg from day 2: W on day 2
 * exceeds the limit 0.03, while the start regimen's W on day 1 does not);
 * with a limit that never binds the schedule is the linear one; with a
 * limit below the start regimen's own W it never reaches 0. Synthetic
 * ligand and start regimen at steady state from taper_helpers.h. */
#include <string.h>
#include "taper_helpers.h"

static pk_taper_spec responsive(double limit, double step, int every) {
  pk_taper_spec sp = pk_taper_spec_default();
  sp.kind = PK_TAPER_RESPONSIVE;
  sp.grid = 1.0;
  sp.start_day = 1;
  sp.every_days = every;
  sp.step = step;
  sp.max_withdrawal = limit;
  sp.max_days = 120;
  return sp;
}

/* Re-simulates s and checks every planned step against its window's W. */
static void check_decisions(const pk_model *m, const pk_taper_schedule *s,
                            const pk_taper_spec *sp, const pk_sim_options *o, const char *what) {
  pk_regimen *r = pk_regimen_new();
  th_add_levels(r, &s->item, s->level, s->n_days, s->item.first_day);
  int zero = pk_taper_schedule_zero_day(s);
  pk_sim_options oo = *o;
  oo.t_end_h = 24.0 * zero + 24.0;
  pk_trajectory *t = unit_simulate(m, r, &oo);
  size_t holds = 0;
  for (int prev = sp->start_day, d = prev + sp->every_days; t && d <= zero;
       prev = d, d += sp->every_days) {
    double w = -1;
    for (size_t i = 0; i < pk_trajectory_rows(t); i++) {
      double th = unit_get(t, i, "time_h");
      if (th >= 24.0 * (prev - 1) && th < 24.0 * (d - 1)) w = fmax(w, unit_get(t, i, "W"));
    }
    int cut = pk_taper_schedule_level(s, d) < pk_taper_schedule_level(s, d - 1);
    CHECK(cut == (w <= sp->max_withdrawal), "%s: day %d: W %.6g over days %d-%d, limit %g, "
          "but the taper %s", what, d, w, prev, d - 1, sp->max_withdrawal, cut ? "cut" : "held");
    holds += !cut;
    for (int e = prev + 1; e < d; e++)
      CHECK(pk_taper_schedule_level(s, e) == pk_taper_schedule_level(s, prev),
            "%s: the level changed on day %d, between planned steps", what, e);
  }
  CHECK(holds == s->n_holds, "%s: %zu holds counted, the schedule says %zu", what, holds,
        s->n_holds);
  pk_trajectory_free(t);
  pk_regimen_free(r);
}

static void generate(const pk_model *m, const pk_taper_item *it, const pk_taper_spec *sp,
                     const pk_sim_options *o, pk_taper_schedule *s, const char *what) {
  pk_error err;
  pk_status st = pk_taper_generate(m, it, sp, NULL, o, s, &err);
  CHECK(st == PK_OK, "%s: %s", what, err.message);
  if (st == PK_OK) th_check_shape(s, sp->grid, what);
}

static void test_must_hold(const pk_model *m, const pk_taper_item *it, const pk_sim_options *o) {
  const double limit = 0.03, fixed[] = {8, 4, 4, 4};
  pk_regimen *r = pk_regimen_new();
  th_add_levels(r, it, fixed, 4, 1);
  double w_day1 = th_max_W(m, r, o, 96, 0, 24, NULL), w_day2 = th_max_W(m, r, o, 96, 24, 48, NULL);
  pk_regimen_free(r);
  CHECK(w_day1 <= limit && w_day2 > limit, "setup: W on day 1 %.6g must be <= %g and W on "
        "day 2 after the cut %.6g above it", w_day1, limit, w_day2);
  pk_taper_spec sp = responsive(limit, 4, 1);
  pk_taper_schedule s;
  generate(m, it, &sp, o, &s, "must hold");
  CHECK(pk_taper_schedule_level(&s, 2) == 4, "cut to 4 mg on day 2 (W on day 1 under the "
        "limit), got %g", pk_taper_schedule_level(&s, 2));
  CHECK(pk_taper_schedule_level(&s, 3) == 4, "held at 4 mg on day 3 (W on day 2 over the "
        "limit), got %g", pk_taper_schedule_level(&s, 3));
  CHECK(s.n_holds >= 1, "at least one hold");
  check_decisions(m, &s, &sp, o, "must hold");
  pk_taper_schedule_release(&s);
}

static void test_decisions(const pk_model *m, const pk_taper_item *it, const pk_sim_options *o) {
  pk_taper_spec sp = responsive(0.04, 2, 2);
  pk_taper_schedule s;
  generate(m, it, &sp, o, &s, "limit 0.04, 2 mg every 2 days");
  CHECK(s.n_holds > 0, "this limit must make the taper hold sometimes");
  check_decisions(m, &s, &sp, o, "limit 0.04, 2 mg every 2 days");
  pk_taper_schedule_release(&s);
}

static void test_never_binding(const pk_model *m, const pk_taper_item *it,
                               const pk_sim_options *o) {
  pk_taper_spec sp = responsive(1.0, 2, 2);
  pk_taper_schedule s;
  generate(m, it, &sp, o, &s, "limit never reached");
  static const double want[] = {8, 8, 6, 6, 4, 4, 2, 2, 0};
  CHECK(s.n_days == 9 && s.n_holds == 0, "limit never reached: %zu days, %zu holds", s.n_days,
        s.n_holds);
  for (size_t k = 0; k < 9 && k < s.n_days; k++)
    CHECK_CLOSE(s.level[k], want[k], 0, 0, "limit never reached: the linear taper");
  pk_taper_schedule_release(&s);
}

static void test_never_ends(const pk_model *m, const pk_taper_item *it, const pk_sim_options *o) {
  pk_taper_spec sp = responsive(0.01, 2, 2);
  sp.max_days = 10;
  pk_taper_schedule s;
  pk_error err;
  pk_status st = pk_taper_generate(m, it, &sp, NULL, o, &s, &err);
  CHECK(st == PK_ERR_INVALID && strstr(err.message, "W stays above the limit"),
        "a limit below the start regimen's own W never reaches 0: %s", err.message);
  CHECK(s.level == NULL, "no schedule on failure");
}

int main(void) {
  test_init();
  int ci = -1;
  pk_model *m = th_model(3000, &ci);
  pk_taper_item it = th_item(ci, 8);
  pk_regimen *hist = th_day(&it, 8);
  pk_sim_options o = th_options(hist);
  test_must_hold(m, &it, &o);
  test_decisions(m, &it, &o);
  test_never_binding(m, &it, &o);
  test_never_ends(m, &it, &o);
  pk_regimen_free(hist);
  pk_model_free(m);
  return test_finish("unit_taper_responsive_holds_when_W_exceeds_limit");
}
