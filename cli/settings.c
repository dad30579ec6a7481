/* settings.c - --set KEY=VALUE, shared by the commands that load a scenario. */
#include <stdlib.h>
#include <string.h>
#include "cli.h"

int cli_settings_add(cli_settings *s, const char *text) {
  if (!strchr(text, '=') || text[0] == '=')
    return cli_fail("--set takes KEY=VALUE (such as mitragynine.CL=150, dose=1.5 or "
                    "dosing[0].dose_g=3), got '%s'", text);
  const char **v = realloc(s->v, (s->n + 1) * sizeof *v);
  if (!v) return cli_fail("out of memory");
  s->v = v;
  s->v[s->n++] = text;
  return 0;
}

void cli_settings_free(cli_settings *s) {
  free(s->v);
  s->v = NULL;
  s->n = 0;
}

int cli_load_scenario(const char *path, const cli_settings *set, int with_events,
                      pk_scenario **out) {
  pk_error err;
  if (pk_scenario_load_set(path, set ? set->v : NULL, set ? set->n : 0, out, &err) != PK_OK) {
    cli_report(&err);
    return 1;
  }
  cli_print_warnings(*out, with_events);
  return 0;
}
