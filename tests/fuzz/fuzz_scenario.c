/* fuzz_scenario.c - fuzz target of the scenario reader
 * (pk_scenario_load_text). Model paths are resolved against
 * models/scenarios/, so the shipped scenarios load their model files; an
 * input naming any other file is skipped (see safe_model_path), so that the
 * target reads only the shipped model files and stays fast and
 * deterministic. */
#include <cjson/cJSON.h>
#include "fuzz_common.h"

/* ../compounds/NAME, ../products/NAME, ../receptors/NAME or the test
 * fixtures ../../tests/data/bad/models/NAME, NAME without '/' or "..". */
static int safe_model_path(const char *p) {
  static const char *const dirs[] = {"../compounds/", "../products/", "../receptors/",
                                     "../../tests/data/bad/models/"};
  for (size_t k = 0; k < sizeof dirs / sizeof dirs[0]; k++) {
    size_t n = strlen(dirs[k]);
    if (strncmp(p, dirs[k], n) != 0) continue;
    const char *name = p + n;
    if (!name[0] || strchr(name, '/') || strstr(name, "..")) return 0;
    for (const char *c = name; *c; c++)
      if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
            *c == '-' || *c == '_' || *c == '.'))
        return 0;
    return 1;
  }
  return 0;
}

/* 0 if the input would make the reader open a file other than the shipped
 * model files. The reader parses before it opens anything, with the same
 * parser (more strictly: text after the value is an error): what does not
 * parse here opens nothing there. */
static int opens_only_shipped_files(const char *text, size_t len) {
  cJSON *root = cJSON_ParseWithLength(text, len);
  if (!root) return 1;
  int ok = 1;
  for (const cJSON *it = root->child; it && ok; it = it->next) {
    if (!it->string || strcmp(it->string, "model") != 0 || !cJSON_IsArray(it)) continue;
    for (const cJSON *p = it->child; p && ok; p = p->next)
      if (cJSON_IsString(p) && p->valuestring[0]) ok = safe_model_path(p->valuestring);
  }
  cJSON_Delete(root);
  return ok;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *text = (const char *)data;
  if (!opens_only_shipped_files(text, size)) return 0;
  pk_scenario *s = NULL;
  pk_error err;
  pk_status st = pk_scenario_load_text(text, size, "fuzz.json", PK_MODELS_DIR "/scenarios", &s,
                                       &err);
  fuzz_check_error(st, &err, "pk_scenario_load_text");
  if (st == PK_OK) {
    pk_sim_options o = pk_scenario_options(s);
    const pk_regimen *r = pk_scenario_regimen(s);
    if (!r || !pk_scenario_model(s) || !(o.t_end_h > o.t_start_h)) abort();
    pk_taper_item item;
    int start_day = 0;
    pk_regimen *others = NULL;
    if (pk_scenario_taper_start(s, &item, &start_day, &others, &err) == PK_OK)
      pk_regimen_free(others);
  }
  pk_scenario_free(s);
  return 0;
}
