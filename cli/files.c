/* files.c - what pk does to protect files: temporary files removed when a
 * signal ends the process, and no output path naming one of the command's
 * inputs or another of its outputs. */
#define _XOPEN_SOURCE 700 /* realpath */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "cli.h"

static void on_fatal_signal(int sig) {
  pk_temporaries_remove();
  signal(sig, SIG_DFL);
  raise(sig);
}

static const int g_signals[] = {SIGINT, SIGTERM, SIGHUP, SIGPIPE, SIGQUIT};

void cli_cleanup_on_signals(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_fatal_signal;
  sigemptyset(&sa.sa_mask);
  for (size_t i = 0; i < sizeof g_signals / sizeof g_signals[0]; i++)
    sigaddset(&sa.sa_mask, g_signals[i]);
  for (size_t i = 0; i < sizeof g_signals / sizeof g_signals[0]; i++) {
    struct sigaction old;
    /* a signal ignored by whoever started pk stays ignored */
    if (sigaction(g_signals[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN) continue;
    sigaction(g_signals[i], &sa, NULL);
  }
}

void cli_signal_cleanup_handler(int sig) { on_fatal_signal(sig); }

/* dirname's real path joined with the last component: how a file that does
 * not exist yet would be named once created. NULL if the directory does not
 * resolve. */
static char *canonical_new(const char *path) {
  const char *slash = strrchr(path, '/');
  char *dir = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path)) : strdup(".");
  if (!dir) return NULL;
  char *real = realpath(dir, NULL);
  free(dir);
  if (!real) return NULL;
  const char *base = slash ? slash + 1 : path;
  char *out = malloc(strlen(real) + strlen(base) + 2);
  if (out) sprintf(out, "%s/%s", real, base);
  free(real);
  return out;
}

/* 1 if a and b name the same file: the same device and inode when both
 * exist, the same resolved name when neither does. */
static int same_file(const char *a, const char *b, int *both_char_devices) {
  struct stat sa, sb;
  int ea = stat(a, &sa) == 0, eb = stat(b, &sb) == 0;
  *both_char_devices = 0;
  if (ea && eb) {
    *both_char_devices = S_ISCHR(sa.st_mode) && S_ISCHR(sb.st_mode);
    return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
  }
  if (ea || eb) return 0;
  char *ca = canonical_new(a), *cb = canonical_new(b);
  int same = ca && cb && strcmp(ca, cb) == 0;
  free(ca);
  free(cb);
  return same;
}

int cli_check_outputs(const pk_scenario *s, const char *scenario, const cli_path *extra,
                      size_t n_extra) {
  size_t nf = pk_scenario_file_count(s), n = 0;
  cli_path *p = calloc(n_extra + nf + 1, sizeof *p);
  if (!p) return cli_fail("out of memory");
  for (size_t k = 0; k < n_extra; k++) p[n++] = extra[k];
  p[n++] = (cli_path){"scenario", scenario, 0};
  for (size_t k = 0; k < nf; k++) p[n++] = (cli_path){"model file", pk_scenario_file(s, k), 0};
  int rc = cli_check_paths(p, n);
  free(p);
  return rc;
}

int cli_check_paths(const cli_path *p, size_t n) {
  for (size_t i = 0; i < n; i++) {
    if (!p[i].path) continue;
    if (!p[i].path[0])
      return cli_fail("%s: empty file name; expected a path", p[i].role);
    for (size_t j = i + 1; j < n; j++) {
      if (!p[j].path || !p[j].path[0] || (!p[i].output && !p[j].output)) continue;
      int chr = 0;
      if (!same_file(p[i].path, p[j].path, &chr)) continue;
      /* two outputs to /dev/null (or a terminal) destroy nothing */
      if (chr && p[i].output && p[j].output) continue;
      if (p[i].output && p[j].output)
        return cli_fail("%s %s and %s %s name the same file; each output needs a file of its "
                        "own; nothing was written", p[i].role, p[i].path, p[j].role, p[j].path);
      const cli_path *in = p[i].output ? &p[j] : &p[i], *out = p[i].output ? &p[i] : &p[j];
      return cli_fail("%s %s is also the %s (%s): writing it would destroy an input; choose "
                      "another output file; nothing was written", out->role, out->path,
                      in->role, in->path);
    }
  }
  return 0;
}

void cli_temp_template(char *buf, size_t n, const char *name) {
  const char *dir = getenv("TMPDIR");
  if (!dir || dir[0] != '/') dir = "/tmp";
  snprintf(buf, n, "%s/%s-XXXXXX", dir, name);
}

int cli_temp_csv(const pk_trajectory *t, char *tmpl) {
  int fd = mkstemp(tmpl);
  if (fd < 0) return cli_fail("%s: cannot create a temporary file: %s", tmpl, strerror(errno));
  pk_temporary_add(tmpl);
  FILE *f = fdopen(fd, "w");
  pk_error err;
  int bad = !f || pk_trajectory_write_csv_stream(t, f, &err) != PK_OK;
  int e = errno;
  if (f ? fclose(f) != 0 : close(fd) != 0) bad = 1;
  if (!bad) return 0;
  cli_temp_remove(tmpl);
  return cli_fail("%s: cannot write a temporary file for the plot: %s", tmpl, strerror(e));
}

void cli_temp_remove(const char *path) {
  pk_temporary_forget(path);
  unlink(path);
}
