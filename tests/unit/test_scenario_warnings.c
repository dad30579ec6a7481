/* test_scenario_warnings.c - pk_scenario_warning: what loads but looks like
 * a mistake (a dose above a compound file's max_plausible_dose, no receptor
 * or no ligand of it, a compound no dose reaches) comes back as warnings
 * with kind, file and key path; the shipped scenarios have none. Also
 * pk_suggest, the "did you mean" of error messages. */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "pk/pk.h"

static pk_scenario *load_text(const char *text) {
  pk_error err;
  pk_scenario *s = NULL;
  if (pk_scenario_load_text(text, strlen(text), "t.json", PK_MODELS_DIR, &s, &err) != PK_OK) {
    char msg[1024];
    pk_error_format(&err, msg, sizeof msg);
    CHECK(0, "load failed: %s", msg);
  }
  return s;
}

static pk_scenario *load_file(const char *path) {
  pk_error err;
  pk_scenario *s = NULL;
  CHECK(pk_scenario_load(path, &s, &err) == PK_OK, "%s: %s", path, err.message);
  return s;
}

/* s has exactly one warning, of this kind at this path, mentioning text. */
static void expect_one(const pk_scenario *s, pk_status kind, const char *path, const char *text,
                       const char *what) {
  CHECK(pk_scenario_warning_count(s) == 1, "%s: %zu warnings", what, pk_scenario_warning_count(s));
  const pk_error *w = pk_scenario_warning(s, 0);
  if (!w) return;
  CHECK(w->code == kind, "%s: kind %s, expected %s", what, pk_status_str(w->code),
        pk_status_str(kind));
  CHECK(strcmp(w->path, path) == 0, "%s: path '%s', expected '%s'", what, w->path, path);
  CHECK(strstr(w->message, text) != NULL, "%s: '%s' lacks '%s'", what, w->message, text);
}

static void test_suggest(void) {
  static const char *const keys[] = {"product", "compound", "dose_g", "dose_units", "dose_mg"};
  const char *s = pk_suggest("dose_gram", keys, 5);
  CHECK(s && strcmp(s, "dose_g") == 0, "dose_gram -> %s", s ? s : "NULL");
  static const char *const names[] = {"mg", "mitragynine", "7oh", "7-hydroxymitragynine"};
  s = pk_suggest("mitargynine", names, 4); /* two letters swapped: one edit */
  CHECK(s && strcmp(s, "mitragynine") == 0, "mitargynine -> %s", s ? s : "NULL");
  static const char *const params[] = {"K", "ka", "CL", "V", "Vp1"};
  s = pk_suggest("cl", params, 5); /* case only */
  CHECK(s && strcmp(s, "CL") == 0, "cl -> %s", s ? s : "NULL");
  s = pk_suggest("Vp", params, 5);
  CHECK(s && strcmp(s, "Vp1") == 0, "Vp -> %s", s ? s : "NULL");
  /* a rewrite of a short name is no slip */
  CHECK(pk_suggest("tau", params, 5) == NULL, "tau got a suggestion");
  static const char *const cmds[] = {"simulate", "plot", "compounds", "taper", "help"};
  CHECK(pk_suggest("frobnicate", cmds, 5) == NULL, "frobnicate got a suggestion");
  CHECK(pk_suggest("", cmds, 5) == NULL && pk_suggest(NULL, cmds, 5) == NULL &&
            pk_suggest("plot", NULL, 0) == NULL,
        "empty or NULL input got a suggestion");
  CHECK(pk_suggest("plot", cmds, 5) == NULL, "an exact name is not suggested to itself");
}

/* Every shipped scenario loads without a warning. */
static void test_shipped_scenarios(void) {
  const char *dir = PK_MODELS_DIR "/scenarios";
  DIR *d = opendir(dir);
  CHECK(d != NULL, "cannot open %s", dir);
  int n = 0;
  for (struct dirent *e; d && (e = readdir(d));) {
    size_t len = strlen(e->d_name);
    if (len < 6 || strcmp(e->d_name + len - 5, ".json") != 0) continue;
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
    pk_scenario *s = load_file(path);
    n++;
    for (size_t k = 0; k < pk_scenario_warning_count(s); k++)
      CHECK(0, "%s: %s: %s", e->d_name, pk_scenario_warning(s, k)->path,
            pk_scenario_warning(s, k)->message);
    pk_scenario_free(s);
  }
  if (d) closedir(d);
  CHECK(n >= 8, "only %d shipped scenarios found", n);
}

static void test_fixtures(void) {
  pk_scenario *s = load_file(PK_TEST_DATA_DIR "/warn/dose-3000-g.json");
  expect_one(s, PK_WARN_DOSE, "dosing[0].dose_g",
             "3000 g of kratom-leaf-powder carries 39000 mg of mitragynine", "3000 g");
  if (pk_scenario_warning_count(s))
    CHECK(strstr(pk_scenario_warning(s, 0)->file, "dose-3000-g.json") != NULL,
          "the warning names file '%s'", pk_scenario_warning(s, 0)->file);
  pk_scenario_free(s);
  s = load_file(PK_TEST_DATA_DIR "/warn/no-receptor.json");
  expect_one(s, PK_WARN_RECEPTOR, "model", "no receptor file", "no receptor");
  pk_scenario_free(s);
  s = load_file(PK_TEST_DATA_DIR "/warn/compound-not-dosed.json");
  expect_one(s, PK_WARN_NOT_DOSED, "model[2]", "compound 'naloxone'", "naloxone not dosed");
  pk_scenario_free(s);
  s = load_file(PK_TEST_DATA_DIR "/good/two-days.json");
  CHECK(pk_scenario_warning_count(s) == 0, "two-days: %zu warnings", pk_scenario_warning_count(s));
  CHECK(pk_scenario_warning(s, 0) == NULL, "warning past the count is not NULL");
  pk_scenario_free(s);
}

static void test_texts(void) {
  /* 7OH is reached only through its formation from MG: no warning */
  pk_scenario *s = load_text(
      "{\"name\": \"formed\", \"model\": [\"compounds/linear/mitragynine.json\","
      "\"compounds/linear/7-hydroxymitragynine.json\", \"receptors/mu-opioid.json\"],"
      "\"dosing\": [{\"compound\": \"mitragynine\", \"dose_mg\": 1100, \"times_h\": [1]}],"
      "\"output\": {\"duration_days\": 1, \"step_h\": 1}}");
  CHECK(pk_scenario_warning_count(s) == 0, "formed metabolite at the limit: %zu warnings",
        pk_scenario_warning_count(s));
  pk_scenario_free(s);
  /* a steady-state history above the limit */
  s = load_text(
      "{\"name\": \"ss\", \"model\": [\"compounds/linear/mitragynine.json\","
      "\"compounds/linear/7-hydroxymitragynine.json\", \"receptors/mu-opioid.json\"],"
      "\"steady_state\": {\"period_h\": 24, \"dosing\": [{\"compound\": \"mg\", \"dose_mg\": 2000,"
      " \"times_h\": [8]}]},"
      "\"dosing\": [{\"compound\": \"mg\", \"dose_mg\": 20, \"times_h\": [8]}],"
      "\"output\": {\"duration_days\": 1, \"step_h\": 1}}");
  expect_one(s, PK_WARN_DOSE, "steady_state.dosing[0].dose_mg", "2000 mg of mitragynine",
             "history dose");
  pk_scenario_free(s);
  /* a receptor no compound binds: heroin is PK only */
  s = load_text(
      "{\"name\": \"nobind\", \"model\": [\"compounds/heroin.json\", \"receptors/mu-opioid.json\"],"
      "\"dosing\": [{\"compound\": \"heroin\", \"dose_mg\": 20, \"times_h\": [1]}],"
      "\"output\": {\"duration_days\": 1, \"step_h\": 1}}");
  expect_one(s, PK_WARN_RECEPTOR, "model", "no compound binds the receptor", "no ligand");
  pk_scenario_free(s);
  /* 70 implausible entries: 63 warnings and one saying that more were left out */
  size_t cap = 70 * 100 + 512, used = 0;
  char *t = malloc(cap);
  used += (size_t)snprintf(t, cap, "{\"name\": \"many\", \"model\": [\"compounds/linear/"
                           "mitragynine.json\", \"compounds/linear/7-hydroxymitragynine.json\","
                           " \"receptors/mu-opioid.json\"], \"dosing\": [");
  for (int k = 0; k < 70; k++)
    used += (size_t)snprintf(t + used, cap - used, "%s{\"compound\": \"mg\", \"dose_mg\": 5000,"
                             " \"times_h\": [%d]}", k ? "," : "", k);
  snprintf(t + used, cap - used, "], \"output\": {\"duration_days\": 4, \"step_h\": 1}}");
  s = load_text(t);
  free(t);
  CHECK(pk_scenario_warning_count(s) == 64, "%zu warnings kept, expected 64",
        pk_scenario_warning_count(s));
  const pk_error *last = pk_scenario_warning(s, 63);
  CHECK(last && strstr(last->message, "more than 63 warnings") != NULL, "last: %s",
        last ? last->message : "none");
  const pk_error *w62 = pk_scenario_warning(s, 62);
  CHECK(w62 && strcmp(w62->path, "dosing[62].dose_mg") == 0, "warning 62 at %s",
        w62 ? w62->path : "none");
  pk_scenario_free(s);
}

int main(void) {
  test_init();
  test_suggest();
  test_shipped_scenarios();
  test_fixtures();
  test_texts();
  return test_finish("unit_scenario_warnings");
}
