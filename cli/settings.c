/* settings.c - --set KEY=VALUE, shared by the commands that load a scenario. */
#include <stdlib.h>
#include <string.h>
#include <getopt.h>
#include <stdio.h>
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

/* ---- options ---- */

int cli_getopt(int argc, char **argv, const char *shortopts, const struct option *longopts) {
  int c = getopt_long(argc, argv, shortopts, longopts, NULL);
  if (c != '?' || optind < 1 || optind > argc) return c;
  const char *arg = argv[optind - 1];
  if (!arg || strncmp(arg, "--", 2) != 0 || optopt != 0) return c;
  /* an unknown long option: the nearest known one */
  char name[64];
  size_t len = strcspn(arg + 2, "=");
  if (len >= sizeof name) return c;
  memcpy(name, arg + 2, len);
  name[len] = '\0';
  const char *cand[128];
  size_t n = 0;
  for (const struct option *o = longopts; o && o->name && n < 128; o++) cand[n++] = o->name;
  const char *s = pk_suggest(name, cand, n);
  if (s) fprintf(stderr, "pk: did you mean --%s?\n", s);
  return c;
}

void cli_usage_error(const char *help) {
  const char *end = strstr(help, "\n\n");
  fprintf(stderr, "%.*s\n", end ? (int)(end - help) : (int)strlen(help), help);
  const char *cmd = strncmp(help, "usage: pk ", 10) == 0 ? help + 10 : "";
  size_t n = strcspn(cmd, " \n");
  fprintf(stderr, "(pk help %.*s lists every option)\n", (int)n, cmd);
}

const char *cli_output_arg(const char *arg) { return arg && strcmp(arg, "-") == 0 ? NULL : arg; }

int cli_name_list(const char *opt, const char *list, char **names, size_t max) {
  size_t n = 0;
  const char *p = list;
  for (;;) {
    const char *comma = strchr(p, ',');
    size_t len = comma ? (size_t)(comma - p) : strlen(p);
    while (len && (*p == ' ')) p++, len--;
    while (len && p[len - 1] == ' ') len--;
    if (len == 0 || n >= max) {
      for (size_t k = 0; k < n; k++) free(names[k]);
      if (len == 0)
        return cli_fail("%s '%s': an empty name; expected names separated by commas", opt,
                        list), -1;
      return cli_fail("%s: more than %zu names", opt, max), -1;
    }
    if (!(names[n++] = strndup(p, len))) {
      for (size_t k = 0; k + 1 < n; k++) free(names[k]);
      return cli_fail("out of memory"), -1;
    }
    if (!comma) return (int)n;
    p = comma + 1;
  }
}
