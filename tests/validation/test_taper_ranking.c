/* test_taper_ranking.c - the withdrawal measure ranks taper schedules
 * (PD version 2, docs/pd-model.md and docs/taper.md), on the three shipped
 * taper scenarios: kratom-taper (grid 0.25 g of leaf), methadone-taper
 * (grid 1 mg = 0.1 tablet, as with methadone oral solution) and
 * oxycodone-to-kratom-cross-taper (oxycodone tapered on a 1 mg grid = 0.2
 * tablet, oral solution; the kratom entry as the scenario has it).
 *
 * For each: (1) stable use before day 1 stays below the symptom threshold
 * theta (FITTED: theta was placed above stable users' W); (2) an abrupt
 * stop after day 1 (the one-day schedule of pk_taper_optimise's family)
 * peaks above theta and at least 1.5 times as high as the shipped taper
 * (PREDICTION); (3) pk_taper_optimise answers five limits evenly spread
 * between theta and the abrupt-stop peak with five different schedules,
 * each keeping its own W under its limit, no longer for a higher limit
 * (PREDICTION: the model's range, not a published number); (4) a limit
 * below the start regimen's own W is refused after one simulation. */
#include "validation.h"

static double theta;

static int same_levels(const pk_taper_schedule *a, const pk_taper_schedule *b) {
  if (a->n_days != b->n_days) return 0;
  for (size_t k = 0; k < a->n_days; k++)
    if (a->level[k] != b->level[k]) return 0;
  return 1;
}

static void rank(const char *file, double grid, double stable_until_h) {
  char path[1024];
  snprintf(path, sizeof path, "%s/scenarios/%s.json", PK_MODELS_DIR, file);
  printf("%s (grid %g):\n", file, grid);
  pk_error err;
  pk_scenario *s = NULL;
  if (pk_scenario_load(path, &s, &err) != PK_OK) {
    CHECK(0, "%s: %s", path, err.message);
    return;
  }
  pk_trajectory *t = NULL;
  if (pk_scenario_simulate(s, &t, &err) != PK_OK) {
    CHECK(0, "%s: %s", file, err.message);
    pk_scenario_free(s);
    return;
  }
  double stable = v_max(t, "W", 0, stable_until_h, NULL);
  double shipped = v_max(t, "W", 0, INFINITY, NULL);
  pk_trajectory_free(t);
  v_report("fitted", stable < theta, "stable use (0-%g h): highest W %.4f below theta %.4f",
           stable_until_h, stable, theta);

  const pk_model *m = pk_scenario_model(s);
  pk_sim_options o = pk_scenario_options(s);
  pk_taper_item it;
  int start = 0;
  pk_regimen *others = NULL;
  if (pk_scenario_taper_start(s, &it, &start, &others, &err) != PK_OK) {
    CHECK(0, "%s: taper start: %s", file, err.message);
    pk_scenario_free(s);
    return;
  }
  pk_taper_limits lim = pk_taper_limits_default();
  lim.grid = grid;
  lim.start_day = start;
  pk_taper_result r;
  /* any limit: the shortest schedule is the one-day one, stopping after day 1 */
  lim.max_withdrawal = 1.0;
  double abrupt = NAN;
  if (pk_taper_optimise(m, &it, others, &o, &lim, &r, &err) == PK_OK) {
    CHECK(r.days == 1, "%s: the one-day schedule, got %d days", file, r.days);
    abrupt = r.eval.max_W;
    pk_taper_result_release(&r);
  } else {
    CHECK(0, "%s: abrupt stop: %s", file, err.message);
  }
  v_report("prediction", abrupt > theta && abrupt >= 1.5 * shipped,
           "abrupt stop after day 1: peak W %.4f (%.2f theta), %.2f times the shipped taper's "
           "%.4f", abrupt, abrupt / theta, abrupt / shipped, shipped);

  pk_taper_schedule found[5];
  memset(found, 0, sizeof found);
  int days[5], n_ok = 0;
  for (int i = 0; i < 5; i++) {
    lim.max_withdrawal = theta + (abrupt - theta) * (i + 0.5) / 5;
    days[i] = -1;
    if (pk_taper_optimise(m, &it, others, &o, &lim, &r, &err) != PK_OK) {
      v_report("prediction", 0, "limit %.4f: %s", lim.max_withdrawal, err.message);
      continue;
    }
    int distinct = 1;
    for (int j = 0; j < i; j++)
      if (days[j] >= 0 && same_levels(&found[j], &r.schedule)) distinct = 0;
    int ordered = i == 0 || days[i - 1] < 0 || r.days <= days[i - 1];
    v_report("prediction", r.eval.max_W <= lim.max_withdrawal && distinct && ordered,
             "limit %.4f: %3d days (%s), max W %.4f; a schedule of its own", lim.max_withdrawal,
             r.days, r.method == PK_TAPER_GREEDY ? "greedy" : "uniform", r.eval.max_W);
    days[i] = r.days;
    found[i] = r.schedule;
    r.schedule.level = NULL;
    n_ok++;
    pk_taper_result_release(&r);
  }
  CHECK(n_ok == 5, "%s: %d of 5 limits answered", file, n_ok);
  for (int i = 0; i < 5; i++) pk_taper_schedule_release(&found[i]);

  lim.max_withdrawal = 0.5 * stable;
  pk_status st = pk_taper_optimise(m, &it, others, &o, &lim, &r, &err);
  v_report("prediction", st != PK_OK && r.n_simulations == 1,
           "limit %.4f below the start regimen's W: refused after %zu simulation(s)",
           lim.max_withdrawal, r.n_simulations);
  pk_regimen_free(others);
  pk_scenario_free(s);
}

int main(void) {
  test_init();
  theta = v_threshold();
  printf("symptom threshold theta = %g\n", theta);
  rank("kratom-taper", 0.25, 24);
  rank("methadone-taper", 0.1, 24);
  /* before the first dose of day 1 (06:00): oxycodone alone at steady state */
  rank("oxycodone-to-kratom-cross-taper", 0.2, 6);
  return test_finish("validation_taper_ranking");
}
