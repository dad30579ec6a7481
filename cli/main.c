/* main.c - the pk tool: dispatch to one subcommand per file. */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <sys/stat.h>
#include <unistd.h>
#include "cli.h"

#ifndef PK_SOURCE_MODELS_DIR
#define PK_SOURCE_MODELS_DIR ""
#endif
#ifndef PK_INSTALL_MODELS_DIR
#define PK_INSTALL_MODELS_DIR ""
#endif

static const char USAGE[] =
    "usage: pk COMMAND [OPTIONS]\n"
    "\n"
    "Simulates pharmacokinetics and mu-opioid receptor pharmacodynamics of kratom\n"
    "alkaloids and opioids: concentrations, occupancy, response, tolerance and\n"
    "withdrawal under a dosing scenario.\n"
    "\n"
    "commands:\n"
    "  simulate [SCENARIO] [--events FILE.csv] [-o FILE.csv] [--plot FILE.png|FILE.svg]\n"
    "           [--solver auto|exact|ode] [-v]\n"
    "                   simulate a scenario (default: the kratom taper scenario)\n"
    "  plot CSV... -o FILE.png|FILE.svg [--label TEXT ...] [--columns LIST] [--log-y]\n"
    "       [--xrange A:B] [--yrange A:B ...] [--doses SCENARIO] [--daily] [--heatmap]\n"
    "                   draw CSV files of pk with gnuplot: trajectories overlaid,\n"
    "                   percentile bands, a sweep's summary\n"
    "  compounds [--models DIR] [--sources] [NAME...]\n"
    "                   list the shipped compounds, products and receptor with\n"
    "                   their parameters (and sources)\n"
    "  taper [SCENARIO] --max-withdrawal W [--grid G] [--max-step S]\n"
    "        [--min-days-between-changes N] [--max-days D] [-o FILE.json] [--csv FILE.csv]\n"
    "                   the shortest taper keeping the withdrawal measure W under a limit\n"
    "  population [SCENARIO] -n N [--seed S] [-o SUMMARY.csv] [--percentiles PCT.csv]\n"
    "        [--threads T] [--shard K/N | --mpi] [--plot IMAGE]\n"
    "                   N subjects drawn from a population: one summary row each;\n"
    "                   --plot IMAGE draws the percentile bands\n"
    "  sweep [SCENARIO] --param NAME=LO:HI:N ... [--lhs N --seed S] [-o SUMMARY.csv]\n"
    "        [--plot IMAGE [--heatmap]]\n"
    "                   a grid or Latin hypercube over parameters and dose levels;\n"
    "                   --plot IMAGE draws the measures against the settings\n"
    "  nca [SCENARIO | TRAJECTORY.csv] [--units nM|ng/mL|ug/L] [-o FILE.csv|FILE.json]\n"
    "                   Cmax, Tmax, Cmin, AUC, AUCinf, lambda_z, half-life per compound,\n"
    "                   whole output and first and last dosing intervals\n"
    "  curve conc|dose [SCENARIO] [--range LO:HI:N] [--mix ID=R,...] [-o FILE]\n"
    "                   concentration -> occupancy and E per ligand (and mixtures);\n"
    "                   steady-state dose -> day-mean, trough, peak occupancy and E\n"
      "  help [COMMAND]   this text, or a command's (the same as 'pk COMMAND --help');\n"
    "                   'pk help --commands' lists the command names\n"
    "  version          the version of pk and libpk\n"
    "\n"
    "A scenario that loads but looks like a mistake (a dose far above any published\n"
    "use, no receptor file, a compound that no dose reaches) is run with a warning\n"
    "on standard error: 'pk: warning: FILE: KEY.PATH: what'. An unknown key,\n"
    "product, compound, parameter or command is an error that names the closest\n"
    "known one ('did you mean ...?').\n"
    "\n"
    "environment:\n"
    "  PK_MODELS_DIR       the models folder (default: <prefix>/share/libpk/models\n"
    "                      beside pk, else the source tree's models/)\n"
    "  PK_GNUPLOT          the gnuplot program for --plot (default: gnuplot on PATH)\n"
    "  PK_MAX_INPUT_BYTES  the largest input file read, bytes (default 64 MiB)\n"
    "  PK_SIMD             the batch kernel's variant: avx512, avx2, sse2 or scalar\n"
    "  OMP_NUM_THREADS     threads of pk population and pk sweep (default: all cores)\n";

/* The commands, in the order of the usage text. */
typedef struct command {
  const char *name;
  int (*run)(int argc, char **argv);
} command;
static const command COMMANDS[] = {
    {"simulate", cmd_simulate}, {"plot", cmd_plot},           {"compounds", cmd_compounds},
    {"taper", cmd_taper},       {"population", cmd_population}, {"sweep", cmd_sweep},
    {"nca", cmd_nca},           {"curve", cmd_curve}};
enum { N_COMMANDS = sizeof COMMANDS / sizeof COMMANDS[0] };

/* Prints "pk: KIND: TEXT" with every control character of TEXT (a newline,
 * a terminal escape sequence from a file's contents) shown as '?'. */
static void put_message(const char *kind, const char *text) {
  fprintf(stderr, "pk: %s: ", kind);
  for (const unsigned char *p = (const unsigned char *)text; *p; p++)
    fputc(*p < 0x20 || *p == 0x7f ? '?' : *p, stderr);
  fputc('\n', stderr);
}
static void put_error(const char *text) { put_message("error", text); }

void cli_report(const pk_error *err) {
  char buf[2048];
  pk_error_format(err, buf, sizeof buf);
  put_error(buf);
}

static void put_warning(const pk_error *w) {
  char buf[2048];
  pk_error_format(w, buf, sizeof buf);
  put_message("warning", buf);
}

void cli_print_warnings(const pk_scenario *s, int with_events) {
  for (size_t k = 0; k < pk_scenario_warning_count(s); k++) {
    const pk_error *w = pk_scenario_warning(s, k);
    if (with_events && w->code == PK_WARN_NOT_DOSED) continue; /* the dataset doses */
    put_warning(w);
  }
}

void cli_print_dataset_warnings(const pk_dataset *d) {
  for (size_t k = 0; k < pk_dataset_warning_count(d); k++) put_warning(pk_dataset_warning(d, k));
}

int cli_fail(const char *fmt, ...) {
  char buf[4096];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  put_error(buf);
  return 1;
}

static int is_file(const char *p) {
  struct stat st;
  return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

/* <directory of the running executable>/../share/libpk/models, where
 * cmake --install puts the models relative to bin/pk under any prefix. */
static void exe_relative_models(char *buf, size_t n) {
  char exe[4096];
  buf[0] = '\0';
  ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (len <= 0) return;
  exe[len] = '\0';
  char *slash = strrchr(exe, '/');
  if (!slash) return;
  *slash = '\0';
  snprintf(buf, n, "%s/../share/libpk/models", exe);
}

int cli_models_dir(char *buf, size_t n) {
  const char *env = getenv("PK_MODELS_DIR");
  char installed[4096 + 32], probe[4096 + 64];
  if (env && env[0]) {
    /* a folder asked for is used or refused, never silently replaced */
    snprintf(probe, sizeof probe, "%s/scenarios/kratom-taper.json", env);
    if (!is_file(probe)) {
      struct stat st;
      if (stat(env, &st) != 0 || !S_ISDIR(st.st_mode))
        cli_fail("PK_MODELS_DIR is '%s', which is not a folder%s%s", env,
                 stat(env, &st) != 0 ? ": " : "", stat(env, &st) != 0 ? strerror(errno) : "");
      else
        cli_fail("PK_MODELS_DIR is '%s', which has no scenarios/kratom-taper.json; expected "
                 "a models folder like the shipped models/", env);
      return -1;
    }
    snprintf(buf, n, "%s", env);
    return 0;
  }
  exe_relative_models(installed, sizeof installed);
  const char *dirs[] = {installed, PK_SOURCE_MODELS_DIR, PK_INSTALL_MODELS_DIR};
  for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
    if (!dirs[i] || !dirs[i][0]) continue;
    snprintf(probe, sizeof probe, "%s/scenarios/kratom-taper.json", dirs[i]);
    if (is_file(probe)) {
      snprintf(buf, n, "%s", dirs[i]);
      return 0;
    }
  }
  return -1;
}

int cli_default_scenario(char *buf, size_t n) {
  char dir[4096];
  if (cli_models_dir(dir, sizeof dir) != 0) return -1;
  snprintf(buf, n, "%s/scenarios/kratom-taper.json", dir);
  return 0;
}

/* PK_MAX_INPUT_BYTES raises (or lowers) the size limit of input files. */
static int set_input_limit(void) {
  const char *mx = getenv("PK_MAX_INPUT_BYTES");
  if (!mx || !mx[0]) return 0;
  char *end = NULL;
  errno = 0;
  unsigned long long v = strtoull(mx, &end, 10);
  if (errno || *end || v == 0 || mx[0] == '-' || v > SIZE_MAX)
    return cli_fail("PK_MAX_INPUT_BYTES: expected a whole number of bytes > 0, got '%s'", mx);
  pk_set_max_input_bytes((size_t)v);
  return 0;
}

/* PK_SIMD names the batch kernel's variant (docs/population.md); a name
 * this machine cannot run is ignored by the library, and said here. */
static void warn_simd(void) {
  const char *want = getenv("PK_SIMD");
  int lanes = 0;
  const char *isa = pk_batch_simd(&lanes);
  if (want && *want && strcmp(want, isa) != 0)
    fprintf(stderr,
            "pk: warning: PK_SIMD=\"%.40s\" is not a batch kernel variant this machine runs "
            "(avx512, avx2, sse2 or generic, scalar); using %s, packs of %d\n",
            want, isa, lanes);
}

/* Each subject of a population run with --trajectories passes through
 * blocks of hundreds of kilobytes (its trajectory, then its text), made on
 * a worker thread and freed on the main thread. glibc would map each one
 * afresh and unmap it when freed, so every page of every subject would
 * fault in again (a third of that run's time). Kept in the heap instead,
 * they are reused; memory stays bounded by the subjects in flight. */
static void tune_malloc(void) {
#ifdef __GLIBC__
  mallopt(M_MMAP_THRESHOLD, 64 << 20);
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
#endif
}

static const command *find_command(const char *name) {
  for (size_t k = 0; k < N_COMMANDS; k++)
    if (strcmp(COMMANDS[k].name, name) == 0) return &COMMANDS[k];
  return NULL;
}

/* Says that name is no command, with the closest one if any; returns 2. */
static int unknown_command(const char *name) {
  const char *names[N_COMMANDS + 2] = {"help", "version"};
  for (size_t k = 0; k < N_COMMANDS; k++) names[k + 2] = COMMANDS[k].name;
  const char *dym = pk_suggest(name, names, N_COMMANDS + 2);
  cli_fail("unknown command '%s'%s%s%s", name, dym ? "; did you mean '" : "", dym ? dym : "",
           dym ? "'?" : "");
  fprintf(stderr, "\n%s", USAGE);
  return 2;
}

/* pk help [COMMAND | --commands]: the usage, a command's help exactly as
 * 'pk COMMAND --help' prints it, or the command names one a line (for
 * completion scripts and the manual page). */
static int help(int argc, char **argv) {
  if (argc < 2) {
    fputs(USAGE, stdout);
    return 0;
  }
  if (argc > 2) {
    cli_fail("help takes one command name, got %d arguments", argc - 1);
    return 2;
  }
  if (strcmp(argv[1], "--commands") == 0) {
    for (size_t k = 0; k < N_COMMANDS; k++) puts(COMMANDS[k].name);
    return 0;
  }
  const command *c = find_command(argv[1]);
  if (!c) return unknown_command(argv[1]);
  char name[32], opt[] = "--help";
  snprintf(name, sizeof name, "%s", c->name);
  char *args[] = {name, opt, NULL};
  return c->run(2, args);
}

int main(int argc, char **argv) {
  pk_gsl_error_handler_off();
  cli_set_command_line(argc, argv);
  tune_malloc();
  cli_cleanup_on_signals();
  if (set_input_limit() != 0) return 2;
  if (argc < 2) {
    fputs(USAGE, stderr);
    return 2;
  }
  const char *cmd = argv[1];
  warn_simd();
  const command *c = find_command(cmd);
  if (c) return c->run(argc - 1, argv + 1);
  if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0)
    return help(argc - 1, argv + 1);
  if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
    int lanes = 0;
    const char *isa = pk_batch_simd(&lanes);
    int threads = pk_batch_max_threads();
    printf("pk %s (libpk %s)\nbatch kernel: %s, packs of %d subject%s; %d thread%s\n",
           PK_VERSION_STRING, pk_version(), isa, lanes, lanes == 1 ? "" : "s", threads,
           threads == 1 ? "" : "s");
    return 0;
  }
  return unknown_command(cmd);
}
