/* scenarios.h - the shipped scenarios for the solver tests: each .json file
 * of models/scenarios loaded in turn, in name order. */
#ifndef PK_TEST_SCENARIOS_H
#define PK_TEST_SCENARIOS_H

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "pk/pk.h"

static int scenario_name_cmp(const void *a, const void *b) { return strcmp(a, b); }

/* Calls fn with each shipped scenario, loaded (one that does not load is a
 * failed check); returns how many there are. */
static inline int for_each_scenario(void (*fn)(const pk_scenario *s, const char *name)) {
  DIR *d = opendir(PK_MODELS_DIR "/scenarios");
  CHECK(d != NULL, "cannot open %s", PK_MODELS_DIR "/scenarios");
  static char names[64][256];
  int n = 0;
  for (struct dirent *e; d && (e = readdir(d)) && n < 64;) {
    size_t len = strlen(e->d_name);
    if (len > 5 && strcmp(e->d_name + len - 5, ".json") == 0)
      snprintf(names[n++], sizeof names[0], "%s", e->d_name);
  }
  if (d) closedir(d);
  qsort(names, (size_t)n, sizeof names[0], scenario_name_cmp);
  for (int i = 0; i < n; i++) {
    char path[sizeof PK_MODELS_DIR + 300];
    snprintf(path, sizeof path, "%s/scenarios/%.255s", PK_MODELS_DIR, names[i]);
    pk_error err;
    pk_scenario *s = NULL;
    if (pk_scenario_load(path, &s, &err) != PK_OK) {
      CHECK(0, "%s: %s", names[i], err.message);
      continue;
    }
    fn(s, names[i]);
    pk_scenario_free(s);
  }
  return n;
}

#endif
