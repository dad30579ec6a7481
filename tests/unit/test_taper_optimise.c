/* test_taper_optimise.c - the withdrawal-limited optimiser is exact with
 * respect to the simulator: its schedule, re-simulated here (doses built
 * here, simulated with pk_simulate 30 days past the last dose, longer than
 * the optimiser looks), keeps W <= the limit; so does the best uniform
 * schedule (cut s grid steps every n days) it reports; and every uniform
 * schedule allowed by the same rules (s <= max step, n >= min days between
 * changes) that is shorter, n ceil(L/s) < its duration, exceeds the limit
 * when simulated here. The returned schedule also keeps the rules (cuts of
 * at most max step, changes at least min days apart), and an impossible
 * limit is an error. Synthetic ligand from taper_helpers.h: 8 mg three
 * times a day at steady state, grid 1 mg (L = 8 grid steps). */
#include <string.h>
#include "taper_helpers.h"
#ifdef _OPENMP
#include <omp.h>
#endif

static const double TAIL_DAYS = 30;

/* Levels of the uniform schedule (s, n) from day 1: n_days = n ceil(L/s) + 1. */
static size_t uniform_levels(long L, long s, int n, double grid, double *level) {
  long c = (L + s - 1) / s;
  size_t n_days = (size_t)(n * c) + 1;
  for (size_t k = 0; k < n_days; k++) {
    long v = L - (long)(k / (size_t)n) * s;
    level[k] = (double)(v > 0 ? v : 0) * grid;
  }
  return n_days;
}

/* The returned schedule keeps the rules: cuts <= max_units grid steps,
 * changes at least min_days apart (the first after the start day). */
static void check_rules(const pk_taper_schedule *s, double grid, long max_units, int min_days,
                        const char *what) {
  int last_change = 1;
  for (int d = 2; d <= pk_taper_schedule_zero_day(s); d++) {
    double cut = pk_taper_schedule_level(s, d - 1) - pk_taper_schedule_level(s, d);
    if (cut <= 0) continue;
    CHECK(cut <= (double)max_units * grid + 1e-12, "%s: cut of %g on day %d", what, cut, d);
    CHECK(d - last_change >= min_days, "%s: changes on days %d and %d", what, last_change, d);
    last_change = d;
  }
}

/* Every uniform schedule allowed by lim shorter than `days` exceeds the
 * limit when simulated here; returns how many there are. */
static int check_shorter(const pk_model *m, const pk_taper_item *it, const pk_sim_options *o,
                         const pk_taper_limits *lim, long L, long S, int days, const char *what) {
  double level[512];
  int shorter = 0;
  for (long s = 1; s <= S; s++)
    for (int nd = lim->min_days_between_changes; nd * ((L + s - 1) / s) < days; nd++, shorter++) {
      size_t n = uniform_levels(L, s, nd, lim->grid, level);
      double w = th_levels_max_W(m, it, level, n, 1, o, TAIL_DAYS);
      CHECK(w > lim->max_withdrawal, "%s: the shorter uniform schedule s %ld, n %d (%ld days) "
            "keeps max W %.9g <= %g", what, s, nd, (long)nd * ((L + s - 1) / s), w,
            lim->max_withdrawal);
    }
  return shorter;
}

static void check_optimum(const pk_model *m, const pk_taper_item *it, const pk_sim_options *o,
                          const pk_taper_limits *lim, const char *what) {
  pk_taper_result r;
  pk_error err;
  pk_status st = pk_taper_optimise(m, it, NULL, o, lim, &r, &err);
  CHECK(st == PK_OK, "%s: %s", what, err.message);
  if (st != PK_OK) return;
  long L = (long)(it->start_dose / lim->grid + 0.5);
  long S = lim->max_step > 0 ? (long)(lim->max_step / lim->grid + 0.5) : L;
  double limit = lim->max_withdrawal, level[512];
  th_check_shape(&r.schedule, lim->grid, what);
  check_rules(&r.schedule, lim->grid, S, lim->min_days_between_changes, what);
  CHECK(pk_taper_schedule_zero_day(&r.schedule) - lim->start_day == r.days,
        "%s: duration %d does not match the schedule", what, r.days);
  CHECK(r.uniform_days >= 0 && r.days <= r.uniform_days, "%s: %d days, uniform %d", what, r.days,
        r.uniform_days);
  double w = th_levels_max_W(m, it, r.schedule.level, r.schedule.n_days, 1, o, TAIL_DAYS);
  CHECK(w <= limit, "%s: the returned schedule re-simulated has max W %.9g > %g", what, w, limit);
  CHECK_CLOSE(r.eval.max_W, w, 1e-9, 1e-12, "reported max W equals the re-simulated one");
  size_t n = uniform_levels(L, r.uniform_cut_units, r.uniform_every_days, lim->grid, level);
  w = th_levels_max_W(m, it, level, n, 1, o, TAIL_DAYS);
  CHECK(w <= limit, "%s: the uniform optimum (s %d, n %d) has max W %.9g > %g", what,
        r.uniform_cut_units, r.uniform_every_days, w, limit);
  int shorter = check_shorter(m, it, o, lim, L, S, r.uniform_days, what);
  printf("%s: %d days (%s), uniform s %d n %d = %d days, greedy %d days; %d shorter uniform "
         "schedules re-simulated, all over the limit\n", what, r.days,
         r.method == PK_TAPER_GREEDY ? "greedy" : "uniform", r.uniform_cut_units,
         r.uniform_every_days, r.uniform_days, r.greedy_days, shorter);
  pk_taper_result_release(&r);
}

static void test_impossible(const pk_model *m, const pk_taper_item *it, const pk_sim_options *o) {
  pk_taper_limits lim = pk_taper_limits_default();
  lim.grid = 1;
  lim.max_days = 20;
  lim.max_withdrawal = 0.02; /* below the start regimen's own daily trough of W */
  pk_taper_result r;
  pk_error err;
  pk_status st = pk_taper_optimise(m, it, NULL, o, &lim, &r, &err);
  CHECK(st == PK_ERR_INVALID && strstr(err.message, "the start regimen itself reaches W"),
        "a limit below the start regimen's W is refused from that regimen: %s", err.message);
  CHECK(r.schedule.level == NULL && r.n_simulations == 1,
        "no schedule on failure, one simulation (got %zu)", r.n_simulations);
  /* above the start regimen's W but out of reach in 2 days: the family is
   * searched and the lowest max W named */
  lim.max_withdrawal = 0.0265;
  lim.max_days = 2;
  st = pk_taper_optimise(m, it, NULL, o, &lim, &r, &err);
  CHECK(st == PK_ERR_INVALID && strstr(err.message, "lowest max W"),
        "an impossible limit is an error naming the lowest max W: %s", err.message);
  CHECK(r.schedule.level == NULL && r.n_simulations > 1, "no schedule on failure, the family "
        "searched (%zu simulations)", r.n_simulations);
  /* the same limit over a year: every member of the family is simulated
   * (sum over s of 365 / ceil(L / s), L = 8), but the greedy search stops
   * waiting once the held level has settled and even a one-step cut stays
   * above the limit (docs/taper.md), instead of trying every cut on each
   * of the 365 days */
  lim.max_days = 365;
  st = pk_taper_optimise(m, it, NULL, o, &lim, &r, &err);
  size_t family = 0;
  for (long c = 1; c <= 8; c++) family += (size_t)(365 / ((8 + c - 1) / c));
  CHECK(st == PK_ERR_INVALID && strstr(err.message, "lowest max W"),
        "out of reach in a year: an error naming the lowest max W: %s", err.message);
  CHECK(r.n_simulations > family && r.n_simulations < family + 365,
        "a year: %zu simulations, the uniform family has %zu (the greedy search must stop "
        "waiting, well before trying each day)", r.n_simulations, family);
  printf("out of reach in a year: %zu simulations, %zu of them the uniform family\n",
         r.n_simulations, family);
}

/* The uniform search runs its candidates on all threads: the answer, its
 * numbers, the lowest W and the simulation count are the same on one
 * thread and on four. */
static void check_threads(const pk_model *m, const pk_taper_item *it, const pk_sim_options *o,
                          pk_taper_limits lim, const char *what) {
#ifdef _OPENMP
  pk_taper_result a, b;
  pk_error ea, eb;
  int before = omp_get_max_threads();
  omp_set_num_threads(1);
  pk_status sa = pk_taper_optimise(m, it, NULL, o, &lim, &a, &ea);
  omp_set_num_threads(4);
  pk_status sb = pk_taper_optimise(m, it, NULL, o, &lim, &b, &eb);
  omp_set_num_threads(before);
  CHECK(sa == sb, "%s: status %d on one thread, %d on four", what, sa, sb);
  if (sa == PK_OK && sb == PK_OK) {
    CHECK(a.days == b.days && a.uniform_days == b.uniform_days &&
              a.uniform_max_W == b.uniform_max_W && a.eval.max_W == b.eval.max_W &&
              a.n_simulations == b.n_simulations && a.schedule.n_days == b.schedule.n_days,
          "%s: one thread %d days (max W %.17g, %zu simulations), four %d days (%.17g, %zu)",
          what, a.days, a.eval.max_W, a.n_simulations, b.days, b.eval.max_W, b.n_simulations);
    for (size_t k = 0; k < a.schedule.n_days && k < b.schedule.n_days; k++)
      CHECK(a.schedule.level[k] == b.schedule.level[k], "%s: day %zu differs", what, k + 1);
  } else {
    CHECK(strcmp(ea.message, eb.message) == 0, "%s: '%s' vs '%s'", what, ea.message,
          eb.message);
  }
  pk_taper_result_release(&a);
  pk_taper_result_release(&b);
#else
  (void)m, (void)it, (void)o, (void)lim;
  printf("%s: built without OpenMP, one thread only\n", what);
#endif
}

int main(void) {
  test_init();
  int ci = -1;
  pk_model *m = th_model(3000, &ci);
  pk_taper_item it = th_item(ci, 8);
  pk_regimen *hist = th_day(&it, 8);
  pk_sim_options o = th_options(hist);
  pk_taper_limits lim = pk_taper_limits_default();
  lim.grid = 1;
  lim.max_days = 60;
  lim.max_withdrawal = 0.07;
  check_optimum(m, &it, &o, &lim, "limit 0.07, any step, daily changes");
  lim.greedy = 0;
  check_optimum(m, &it, &o, &lim, "limit 0.07, uniform only");
  lim.greedy = 1;
  lim.max_withdrawal = 0.06;
  lim.max_step = 2;
  lim.min_days_between_changes = 3;
  check_optimum(m, &it, &o, &lim, "limit 0.06, at most 2 mg, 3 days apart");
  lim.max_withdrawal = 0.1;
  lim.max_step = 3;
  lim.min_days_between_changes = 2;
  check_optimum(m, &it, &o, &lim, "limit 0.1, at most 3 mg, 2 days apart");
  test_impossible(m, &it, &o);
  lim = pk_taper_limits_default();
  lim.grid = 1;
  lim.max_days = 60;
  lim.max_withdrawal = 0.07;
  check_threads(m, &it, &o, lim, "threads, limit 0.07");
  lim.max_withdrawal = 0.0265; /* out of reach in 60 days: the whole family */
  check_threads(m, &it, &o, lim, "threads, limit 0.0265");
  pk_regimen_free(hist);
  pk_model_free(m);
  return test_finish("unit_taper_optimiser_shortest_within_limit");
}
