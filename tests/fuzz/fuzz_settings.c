/* fuzz_settings.c - fuzz target of scenario settings (pk_scenario_load_set,
 * the text of --set KEY=VALUE): each line of the input is one setting,
 * applied to the shipped two-day test scenario; whatever loads must
 * simulate or fail with a reported error. */
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (memchr(data, '\0', size)) return 0; /* a command-line argument has no NUL */
  char *text = malloc(size + 1);
  const char *set[16];
  size_t n = 0;
  if (!text) return 0;
  memcpy(text, data, size);
  text[size] = '\0';
  for (char *p = text; p && *p && n < 16;) {
    set[n++] = p;
    p = strchr(p, '\n');
    if (p) *p++ = '\0';
  }
  pk_scenario *s = NULL;
  pk_error err;
  pk_status st = pk_scenario_load_set(PK_MODELS_DIR "/../tests/data/good/two-days.json", set, n,
                                      &s, &err);
  fuzz_check_error(st, &err, "pk_scenario_load_set");
  if (st == PK_OK) {
    pk_sim_options o = pk_scenario_options(s);
    /* bounded work per input: short runs only */
    if (o.t_end_h - o.t_start_h <= 24 * 30 && (o.t_end_h - o.output_start_h) / o.output_step_h < 1e5) {
      pk_trajectory *t = NULL;
      fuzz_check_error(pk_scenario_simulate(s, &t, &err), &err, "pk_scenario_simulate");
      pk_trajectory_free(t);
    }
  } else if (s) {
    abort();
  }
  pk_scenario_free(s);
  free(text);
  return 0;
}
