/* test_taper_scenario.c - taper generators in scenario files, and the
 * schedule files written for them.
 *
 * Scenarios written here (shipped kratom model files, leaf powder at
 * 1.3 % mitragynine) must expand to the doses computed by hand:
 *  - "kind": "percentage", 10 % a week on a 0.25 g grid from 2 g: 2, 1.75,
 *    1.5, 1.25, 1, 0.75, 0.5, 0.25 g for a week each, none from day 57
 *    (the hand computation is in test_taper_generators.c);
 *  - a linear taper with a grid: step 0.3 g on a 0.25 g grid: 2, 1.75, 1.5,
 *    1, 0.75, 0.5, 0.25, then none;
 *  - "kind": "linear" without a grid is the plain step taper;
 *  - "responsive" with a limit the run never reaches equals the plain step
 *    taper, and with a run-in its start dose is repeated before day 1;
 *  - an entry's days cut its taper short.
 * Wrong keys and values are errors naming the key path. A schedule written
 * with pk_taper_write_json, pasted into a scenario as its dosing, loads to
 * the same doses as the schedule; the CSV has one day,dose_g row a day. */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "taper_helpers.h"

static char dir[64];
static const double MG_W = 0.013; /* leaf powder mitragynine content, w/w */

static void path_of(const char *name, char *buf, size_t n) { snprintf(buf, n, "%s/%s", dir, name); }

/* Writes a scenario with these dosing entries (and top-level extra keys,
 * e.g. a run-in) and loads it; NULL on failure, with err filled. */
static pk_scenario *load(const char *extra, const char *dosing, int days, pk_error *err) {
  char path[128], text[8192];
  path_of("s.json", path, sizeof path);
  snprintf(text, sizeof text,
           "{\"name\": \"t\", \"model\": [\"%s/compounds/linear/mitragynine.json\", "
           "\"%s/compounds/linear/7-hydroxymitragynine.json\", \"%s/receptors/mu-opioid.json\", "
           "\"%s/products/kratom-leaf-powder.json\"], %s%s\"dosing\": [%s], "
           "\"output\": {\"duration_days\": %d, \"step_h\": 1}}",
           PK_MODELS_DIR, PK_MODELS_DIR, PK_MODELS_DIR, PK_MODELS_DIR, extra, extra[0] ? ", " : "",
           dosing, days);
  FILE *f = fopen(path, "w");
  if (f) fputs(text, f), fclose(f);
  pk_scenario *s = NULL;
  return pk_scenario_load(path, &s, err) == PK_OK ? s : NULL;
}

/* g of leaf per administration on each day 1..n (from the mitragynine doses). */
static void daily_levels(const pk_scenario *s, double *g, int n, int per_day) {
  const pk_regimen *r = pk_scenario_regimen(s);
  int mg = pk_model_find_compound(pk_scenario_model(s), "mitragynine");
  for (int d = 0; d < n; d++) g[d] = 0;
  for (size_t k = 0; k < pk_regimen_size(r); k++) {
    pk_dose d = pk_regimen_dose(r, k);
    int day = (int)floor(d.t_h / 24.0);
    if (d.compound == mg && day >= 0 && day < n) g[day] += d.amount_mg / (1000.0 * MG_W) / per_day;
  }
}

static void check_levels(const char *extra, const char *entry, const double *want, int n,
                         int days, const char *what) {
  pk_error err;
  pk_scenario *s = load(extra, entry, days, &err);
  CHECK(s, "%s: %s: %s", what, err.path, err.message);
  double g[128];
  if (s) daily_levels(s, g, days, 1);
  for (int d = 0; s && d < days; d++)
    CHECK_CLOSE(g[d], d / 7 < n ? want[d / 7] : 0, 1e-12, 1e-12, what);
  pk_scenario_free(s);
}

static void test_generators(void) {
  static const double pct[] = {2, 1.75, 1.5, 1.25, 1, 0.75, 0.5, 0.25};
  check_levels("", "{\"product\": \"kratom-leaf-powder\", \"dose_g\": 2, \"times_of_day_h\": [9],"
               " \"days\": [1, 70], \"taper\": {\"kind\": \"percentage\", \"percent\": 10, "
               "\"every_days\": 7, \"grid_g\": 0.25}}", pct, 8, 70, "percentage in a scenario");
  static const double lin[] = {2, 1.75, 1.5, 1, 0.75, 0.5, 0.25};
  check_levels("", "{\"product\": \"kratom-leaf-powder\", \"dose_g\": 2, \"times_of_day_h\": [9],"
               " \"days\": [1, 70], \"taper\": {\"step_g\": 0.3, \"every_days\": 7, "
               "\"grid_g\": 0.25}}", lin, 7, 70, "linear with a grid in a scenario");
  static const double plain[] = {2, 1.7, 1.4, 1.1, 0.8, 0.5, 0.2};
  check_levels("", "{\"product\": \"kratom-leaf-powder\", \"dose_g\": 2, \"times_of_day_h\": [9],"
               " \"days\": [1, 70], \"taper\": {\"kind\": \"linear\", \"step_g\": 0.3, "
               "\"every_days\": 7}}", plain, 7, 70, "kind linear without a grid: the step taper");
  check_levels("", "{\"product\": \"kratom-leaf-powder\", \"dose_g\": 2, \"times_of_day_h\": [9],"
               " \"days\": [1, 20], \"taper\": {\"kind\": \"percentage\", \"percent\": 10, "
               "\"every_days\": 7, \"grid_g\": 0.25}}", pct, 3, 20, "the entry's days end it");
}

static const char *RESPONSIVE =
    "{\"product\": \"kratom-leaf-powder\", \"dose_g\": 2, \"times_of_day_h\": [8, 14, 20], "
    "\"days\": [1, 35], \"taper\": {\"kind\": \"responsive\", \"step_g\": 0.5, "
    "\"every_days\": 7, \"grid_g\": 0.25, \"max_withdrawal\": %s}}";

/* Every day of days at `g` g three times a day. */
static void check_held(const pk_scenario *s, const double *want, int n, const char *what) {
  double g[35];
  daily_levels(s, g, 35, 3);
  for (int d = 0; d < 35; d++)
    CHECK_CLOSE(g[d], d / 7 < n ? want[d / 7] : 0, 1e-12, 1e-12, what);
}

static void test_responsive(void) {
  char entry[512];
  snprintf(entry, sizeof entry, RESPONSIVE, "0.011");
  pk_error err;
  pk_scenario *s = load("\"run_in_days\": 28", entry, 35, &err);
  CHECK(s, "responsive: %s: %s", err.path, err.message);
  if (!s) return;
  static const double plain[] = {2, 1.5, 1, 0.5}, held[] = {2, 2, 2, 2, 2};
  check_held(s, plain, 4, "responsive, limit not reached: the step taper");
  pk_taper_item it;
  int start = 0;
  pk_regimen *others = NULL;
  CHECK(pk_scenario_taper_start(s, &it, &start, &others, &err) == PK_OK, "start: %s",
        err.message);
  CHECK(others && pk_regimen_size(others) == 28 * 3 * 2, "the run-in of a responsive entry: %zu "
        "doses before day 1", others ? pk_regimen_size(others) : 0);
  CHECK(it.start_dose == 2 && it.first_day == 1 && start == 1, "the responsive entry's start");
  pk_regimen_free(others);
  pk_scenario_free(s);
  snprintf(entry, sizeof entry, RESPONSIVE, "0.004");
  s = load("\"run_in_days\": 28", entry, 35, &err);
  CHECK(s, "responsive below the regimen's own W: %s", err.message);
  if (s) check_held(s, held, 5, "responsive below the regimen's own W: held to the last day");
  pk_scenario_free(s);
  snprintf(entry, sizeof entry, RESPONSIVE, "0.004, \"max_days\": 21");
  s = load("\"run_in_days\": 28", entry, 35, &err);
  CHECK(!s && strcmp(err.path, "dosing[0].taper") == 0 && strstr(err.message, "W stays above"),
        "with max_days, not reaching 0 is an error: %s: %s", err.path, err.message);
  pk_scenario_free(s);
}

static void check_error(const char *taper, const char *path, const char *text) {
  char entry[512];
  snprintf(entry, sizeof entry, "{\"product\": \"kratom-leaf-powder\", \"dose_g\": 2, "
           "\"times_of_day_h\": [9], \"days\": [1, 30], \"taper\": %s}", taper);
  pk_error err;
  pk_scenario *s = load("", entry, 30, &err);
  CHECK(!s && strcmp(err.path, path) == 0 && strstr(err.message, text),
        "taper %s: expected %s: ...%s..., got %s: %s", taper, path, text, err.path, err.message);
  pk_scenario_free(s);
}

static void test_errors(void) {
  check_error("{\"kind\": \"exponential\", \"every_days\": 7}", "dosing[0].taper.kind",
              "unknown taper kind 'exponential'");
  check_error("{\"kind\": \"percentage\", \"percent\": 120, \"every_days\": 7, \"grid_g\": 0.25}",
              "dosing[0].taper.percent", "expected a percent in (0, 100], got 120");
  check_error("{\"kind\": \"percentage\", \"percent\": 10, \"every_days\": 7, \"grid_mg\": 1}",
              "dosing[0].taper.grid_mg", "the taper grid of this entry is 'grid_g' (g)");
  check_error("{\"kind\": \"percentage\", \"step_g\": 1, \"every_days\": 7, \"grid_g\": 0.25}",
              "dosing[0].taper.step_g", "unknown key 'step_g' in a taper");
  check_error("{\"kind\": \"hyperbolic\", \"every_days\": 7, \"grid_g\": 0.25}",
              "dosing[0].taper", "missing key 'steps'");
  check_error("{\"kind\": \"hyperbolic\", \"steps\": 3, \"measure\": \"W\", \"every_days\": 7, "
              "\"grid_g\": 0.25}", "dosing[0].taper.measure", "unknown measure 'W'");
  check_error("{\"kind\": \"percentage\", \"percent\": 10, \"every_days\": 7, \"grid_g\": 0.3}",
              "dosing[0].taper", "not a multiple of the dose grid 0.3");
}

/* A percentage schedule of leaf powder at 08:00 and 20:00 from 2 g. */
static pk_status leaf_schedule(const pk_model *m, pk_taper_schedule *sched, pk_error *err) {
  pk_taper_item it = pk_taper_item_default();
  it.product = pk_model_find_product(m, "kratom-leaf-powder");
  it.n_times = 2;
  it.times_of_day_h[0] = 8;
  it.times_of_day_h[1] = 20;
  it.start_dose = 2;
  pk_taper_spec sp = pk_taper_spec_default();
  sp.kind = PK_TAPER_PERCENTAGE;
  sp.grid = 0.25;
  sp.percent = 20;
  sp.every_days = 5;
  return pk_taper_generate(m, &it, &sp, NULL, NULL, sched, err);
}

/* The "dosing" array of a written schedule file without its brackets
 * (malloc'd), NULL if there is none. */
static char *written_entries(const char *path) {
  FILE *f = fopen(path, "r");
  char text[8192] = "";
  size_t n = f ? fread(text, 1, sizeof text - 1, f) : 0;
  if (f) fclose(f);
  text[n] = '\0';
  cJSON *root = cJSON_Parse(text);
  cJSON *dosing = cJSON_GetObjectItem(root, "dosing");
  char *arr = cJSON_IsArray(dosing) ? cJSON_PrintUnformatted(dosing) : NULL;
  cJSON_Delete(root);
  if (!arr) return NULL;
  arr[strlen(arr) - 1] = '\0';
  memmove(arr, arr + 1, strlen(arr));
  return arr;
}

static void compare_regimens(const pk_regimen *got, const pk_regimen *want) {
  CHECK(got && pk_regimen_size(got) == pk_regimen_size(want), "same number of doses");
  for (size_t k = 0; got && k < pk_regimen_size(got) && k < pk_regimen_size(want); k++) {
    pk_dose a = pk_regimen_dose(got, k), b = pk_regimen_dose(want, k);
    CHECK(a.t_h == b.t_h && a.compound == b.compound &&
              fabs(a.amount_mg - b.amount_mg) <= 1e-12 * b.amount_mg,
          "dose %zu: %g h %g mg, expected %g h %g mg", k, a.t_h, a.amount_mg, b.t_h,
          b.amount_mg);
  }
}

static void check_csv(const char *path, const pk_taper_schedule *sched) {
  FILE *f = fopen(path, "r");
  char line[64];
  CHECK(f && fgets(line, sizeof line, f) && strcmp(line, "day,dose_g\n") == 0, "CSV header");
  int d = 1;
  for (; f && fgets(line, sizeof line, f); d++) {
    int day = 0;
    double dose = NAN;
    CHECK(sscanf(line, "%d,%lf", &day, &dose) == 2 && day == d &&
              dose == pk_taper_schedule_level(sched, d), "CSV row %d: %s", d, line);
  }
  CHECK(d - 1 == pk_taper_schedule_zero_day(sched), "CSV rows up to the zero day");
  if (f) fclose(f);
}

/* The written dosing entries, pasted into a scenario, give the schedule's
 * doses; the CSV gives its levels. */
static void test_files(void) {
  pk_error err;
  pk_scenario *s = load("", "{\"product\": \"kratom-leaf-powder\", \"dose_g\": 2, "
                        "\"times_of_day_h\": [8, 20], \"days\": [1, 1]}", 60, &err);
  CHECK(s, "base scenario: %s", err.message);
  if (!s) return;
  const pk_model *m = pk_scenario_model(s);
  pk_taper_schedule sched;
  char jpath[128], cpath[128];
  path_of("sched.json", jpath, sizeof jpath);
  path_of("sched.csv", cpath, sizeof cpath);
  CHECK(leaf_schedule(m, &sched, &err) == PK_OK, "%s", err.message);
  CHECK(pk_taper_write_json(m, &sched, 1, "round trip", jpath, &err) == PK_OK, "%s", err.message);
  CHECK(pk_taper_write_csv(m, &sched, cpath, &err) == PK_OK, "%s", err.message);
  pk_regimen *want = pk_regimen_new();
  pk_taper_schedule_add_doses(m, &sched, want, &err);
  char *entries = written_entries(jpath);
  CHECK(entries, "the written file has a dosing array");
  pk_scenario *s2 = entries ? load("", entries, 60, &err) : NULL;
  CHECK(s2, "the written dosing loads in a scenario: %s: %s", err.path, err.message);
  compare_regimens(s2 ? pk_scenario_regimen(s2) : NULL, want);
  check_csv(cpath, &sched);
  free(entries);
  pk_regimen_free(want);
  pk_taper_schedule_release(&sched);
  pk_scenario_free(s2);
  pk_scenario_free(s);
  unlink(jpath);
  unlink(cpath);
}

int main(void) {
  test_init();
  snprintf(dir, sizeof dir, "/tmp/pk-taper-test-XXXXXX");
  CHECK(mkdtemp(dir) != NULL, "temporary directory");
  test_generators();
  test_responsive();
  test_errors();
  test_files();
  char path[128];
  path_of("s.json", path, sizeof path);
  unlink(path);
  rmdir(dir);
  return test_finish("unit_taper_scenario_generators_and_files");
}
