/* test_scenario_dose_limit.c - a short scenario asking for very many doses
 * is refused at the key that asks for them, at once, once the scenario
 * would hold more than 10^6 doses (a product dose counts one per contained
 * compound): a 2.4 kB file of 300 times_h with "additional": 100000 used to
 * be expanded into 6 * 10^7 doses (8.7 GB, a minute); clock times on every
 * day of a century and a long run-in likewise. The ctest timeout makes a
 * slow refusal a failure. */
#include <stdlib.h>
#include "unit_helpers.h"

static const char HEAD[] =
    "{\"name\": \"many\", \"model\": [\"../compounds/linear/mitragynine.json\", "
    "\"../compounds/linear/7-hydroxymitragynine.json\", \"../receptors/mu-opioid.json\", "
    "\"../products/kratom-leaf-powder.json\"],\n";

static void check(const char *what, const char *body, pk_status want, const char *path) {
  size_t n = strlen(HEAD) + strlen(body) + 1;
  char *text = malloc(n);
  snprintf(text, n, "%s%s", HEAD, body);
  pk_scenario *s = NULL;
  pk_error err;
  pk_status st = pk_scenario_load_text(text, strlen(text), "many.json",
                                       PK_MODELS_DIR "/scenarios", &s, &err);
  CHECK(st == want, "%s: got %s (%s), expected %s", what, pk_status_str(st), err.message,
        pk_status_str(want));
  if (want != PK_OK) {
    CHECK(strcmp(err.path, path) == 0, "%s: path '%s', expected '%s' (%s)", what, err.path, path,
          err.message);
    CHECK(strstr(err.message, "more than 1000000 doses in the scenario") != NULL,
          "%s: message '%s'", what, err.message);
  }
  pk_scenario_free(s);
  free(text);
}

/* "a, a+step, ..." n numbers into buf. */
static const char *numbers(char *buf, size_t size, int n, double step) {
  size_t o = 0;
  for (int i = 0; i < n && o + 32 < size; i++)
    o += (size_t)snprintf(buf + o, size - o, "%s%g", i ? ", " : "", i * step);
  return buf;
}

int main(void) {
  test_init();
  static char times[8192], body[16384];
  snprintf(body, sizeof body,
           "\"dosing\": [{\"product\": \"kratom-leaf-powder\", \"dose_g\": 1, \"times_h\": [%s], "
           "\"additional\": 100000, \"interval_h\": 0.001}],\n"
           "\"output\": {\"duration_days\": 100, \"step_h\": 24}}",
           numbers(times, sizeof times, 300, 1));
  check("300 times_h with additional 100000", body, PK_ERR_INVALID, "dosing[0].times_h[4]");
  snprintf(body, sizeof body,
           "\"dosing\": [{\"product\": \"kratom-leaf-powder\", \"dose_g\": 1, "
           "\"times_of_day_h\": [%s], \"days\": [1, 36500]}],\n"
           "\"output\": {\"duration_days\": 36500, \"step_h\": 24000}}",
           numbers(times, sizeof times, 24, 1));
  check("24 clock times for a century", body, PK_ERR_INVALID, "dosing[0]");
  snprintf(body, sizeof body,
           "\"run_in_days\": 3650, \"dosing\": [{\"product\": \"kratom-leaf-powder\", "
           "\"dose_g\": 1, \"times_h\": [%s]}],\n"
           "\"output\": {\"duration_days\": 1, \"step_h\": 1}}",
           numbers(times, sizeof times, 300, 0.08));
  check("a run-in of 3650 days of 300 doses", body, PK_ERR_INVALID, "run_in_days");
  /* a taper of ten years, three times a day, loads */
  snprintf(body, sizeof body,
           "\"run_in_days\": 28, \"dosing\": [{\"product\": \"kratom-leaf-powder\", "
           "\"dose_g\": 2, \"times_of_day_h\": [8, 14, 20], \"days\": [1, 3650], "
           "\"taper\": {\"step_g\": 0.5, \"every_days\": 900}}],\n"
           "\"output\": {\"duration_days\": 3650, \"step_h\": 24}}");
  check("ten years three times a day", body, PK_OK, "");
  return test_finish("unit_scenario_dose_count_limited_at_its_key");
}
