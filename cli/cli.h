/* cli.h - shared pieces of the pk command-line tool. */
#ifndef PK_CLI_H
#define PK_CLI_H

#include <stdint.h>
#include <stdio.h>
#include "pk/pk.h"

/* Prints "pk: <formatted error>" to stderr. */
void cli_report(const pk_error *err);
/* Prints "pk: <message>" to stderr; returns 1 (the exit code for failures). */
int cli_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Prints the scenario's warnings as "pk: warning: FILE: KEY.PATH: what"
 * (with_events: not those about compounds no dose of the scenario reaches,
 * as an event dataset does the dosing). */
void cli_print_warnings(const pk_scenario *s, int with_events);
/* Prints the event dataset's warnings as "pk: warning: FILE:LINE:COLUMN: what". */
void cli_print_dataset_warnings(const pk_dataset *d);

/* Path of the default scenario (models/scenarios/kratom-taper.json), looked
 * up in $PK_MODELS_DIR, <directory of pk>/../share/libpk/models, the source
 * tree, then the installed data directory.
 * Writes into buf; returns 0 if found. */
int cli_default_scenario(char *buf, size_t n);
/* The models folder used for the default scenario; 0 if found. */
int cli_models_dir(char *buf, size_t n);

/* Plotting with gnuplot (plot.c): the program is $PK_GNUPLOT if set (a path,
 * or a name looked up on PATH), otherwise gnuplot on PATH. */
int cli_gnuplot_available(void);
/* Says that `what` needs gnuplot and where it was looked for ($PK_GNUPLOT or
 * PATH); returns 1. */
int cli_gnuplot_missing(const char *what);
/* What to draw and how (pk plot's options; cli_plot_options_init gives
 * the defaults: everything automatic). */
enum { CLI_PLOT_MAX_PANELS = 12 };
typedef struct cli_range {
  double lo, hi;     /* NaN: that end from the data */
  int lo_h, hi_h;    /* time axes: the end was given in hours (else days) */
  int time_unit;     /* a unit (d or h) was given */
} cli_range;
typedef struct cli_plot_options {
  const char *title;            /* NULL: the CSV's name for one file, none for several */
  const char *const *labels;    /* labels of the first n_labels CSVs (else their names) */
  size_t n_labels;
  const char *columns;          /* comma-separated columns to draw; NULL: the default */
  int log_y, log_x;             /* 1: logarithmic, -1: linear, 0: automatic */
  int daily;                    /* 1: daily max/min, -1: every point, 0: automatic */
  int heatmap;                  /* sweeps over two axes: heat maps, not curves */
  int has_xrange;
  cli_range xrange;
  cli_range yrange[CLI_PLOT_MAX_PANELS]; /* top panel first */
  size_t n_yranges;
  double threshold;             /* W symptom threshold; NaN: unknown */
  const double *const *doses;   /* dose times (h) to mark: one set for every CSV, or */
  const size_t *n_doses;        /* one set per CSV, in order */
  size_t n_dose_sets;
  size_t key_max;               /* more files than this (0: no limit): each quantity in one
                                   colour, every file a thin curve, one key entry per
                                   quantity, every point (not daily) */
  const char *file_noun;        /* what a file is in that key entry (NULL: "files") */
} cli_plot_options;
void cli_plot_options_init(cli_plot_options *o);
/* Parses "A:B" (either end empty: from the data) into r; time: the ends may
 * end in d or h. Prints why and returns 1 if it is no range or A >= B. */
int cli_parse_range(const char *opt, const char *text, int time, cli_range *r);
/* Draws the CSV files (trajectories written by pk simulate overlaid,
 * percentile tables of pk population/sweep --percentiles as bands, or one
 * sweep summary) into image (.png or .svg), atomically. Returns 0 on
 * success; on failure prints why and leaves no image behind. */
int cli_plot_files(const char *const *csv, size_t n, const char *image,
                   const cli_plot_options *o);
/* The same for trajectories in memory (as written by pk simulate), names[i]
 * standing for the file name of tr[i] (default labels, messages). */
int cli_plot_trajectories(const pk_trajectory *const *tr, const char *const *names, size_t n,
                          const char *image, const cli_plot_options *o);
/* The distinct times (h) of the doses of r, sorted, into *times (malloc'd;
 * free it); -1 when out of memory, else the count. */
long cli_dose_times(const pk_regimen *r, double **times);
/* One trajectory CSV with its W threshold (NaN: none), the doses of the
 * regimen doses marked (NULL: none): cli_plot_files. */
int cli_plot_csv(const char *csv, const char *image, const char *title, double threshold,
                 const pk_regimen *doses);
/* Checks that image ends in .png or .svg; prints an error and returns 1 if not. */
int cli_check_image_name(const char *image);

/* Files (files.c). Installs handlers for SIGINT, SIGTERM, SIGHUP, SIGPIPE and
 * SIGQUIT that remove the temporary files listed with pk_temporary_add (every
 * pk_output's) and then end pk by the same signal. */
void cli_cleanup_on_signals(void);
/* That handler, for commands that install a handler of their own and hand
 * over to it on a second signal. */
void cli_signal_cleanup_handler(int sig);

/* A file named on the command line: its role ("-o", "SCENARIO", "--events"),
 * its path (NULL: not given) and whether the command writes it. */
typedef struct cli_path {
  const char *role, *path;
  int output;
} cli_path;
/* Refuses (prints why, returns 1) when an output names the same file as an
 * input or as another output (device and inode where the file exists, the
 * resolved name where it does not; two outputs to the same character
 * device, such as /dev/null, are allowed), or a path is empty. */
int cli_check_paths(const cli_path *paths, size_t n);
/* cli_check_paths over extra (the command's outputs and other inputs), the
 * scenario file and the model files it read. */
int cli_check_outputs(const pk_scenario *s, const char *scenario, const cli_path *extra,
                      size_t n_extra);

/* A mkstemp template "<dir>/<name>-XXXXXX" in $TMPDIR (an absolute path) or
 * /tmp. */
void cli_temp_template(char *buf, size_t n, const char *name);
/* Writes t as CSV to a new temporary file made from tmpl (mkstemp's
 * template, ending in XXXXXX, changed in place), listed for removal on a
 * signal; 0 on success, else prints why (and leaves no file) and returns 1. */
int cli_temp_csv(const pk_trajectory *t, char *tmpl);
/* Takes a temporary file off the list and removes it. */
void cli_temp_remove(const char *path);

/* --set KEY=VALUE settings (settings.c), kept as given (argv strings). */
typedef struct cli_settings {
  const char **v;
  size_t n;
} cli_settings;
/* Adds one; prints why and returns 1 if text is not KEY=VALUE. */
int cli_settings_add(cli_settings *s, const char *text);
/* getopt_long, and for an unknown long option (after getopt's own message)
 * "did you mean --NAME?" with the nearest of longopts. */
struct option;
int cli_getopt(int argc, char **argv, const char *shortopts, const struct option *longopts);
/* After a usage error: the usage lines of help (up to its first blank line)
 * and where the rest is, on standard error. */
void cli_usage_error(const char *help);
/* -o's argument: NULL (standard output) for "-", else the name. */
const char *cli_output_arg(const char *arg);
void cli_settings_free(cli_settings *s);
/* The names of option opt's list (names separated by commas, spaces
 * around them dropped) into names[] (at most max, each malloc'd); returns
 * the count, or -1 after an error message (an empty name, too many). */
int cli_name_list(const char *opt, const char *list, char **names, size_t max);
/* The help lines of --set, shared by the commands' help texts. */
#define CLI_SET_HELP                                                                   \
  "  -S, --set KEY=VALUE change the scenario (repeatable, later ones win): a model\n"  \
  "                      parameter named as in pk sweep (mitragynine.CL=150 in L/h,\n"  \
  "                      k_tol, tol0, 7-hydroxymitragynine.fm, dose=1.5 to scale\n"  \
  "                      every dose, dose.<compound>, <product>.content.<compound>\n"  \
  "                      in the product file's unit) or a scenario key path\n"  \
  "                      (output.duration_days=7, dosing[0].dose_g=3,\n"  \
  "                      solver.path=ode); see docs/scenario-format.md#settings\n"
/* Loads the scenario at path with the settings (NULL: none) and prints its
 * warnings (cli_print_warnings); 0, or prints the error and returns 1. */
int cli_load_scenario(const char *path, const cli_settings *set, int with_events,
                      pk_scenario **out);

/* Output units and metadata (report.c). */
typedef enum cli_units { CLI_UNITS_NM = 0, CLI_UNITS_NG_ML = 1, CLI_UNITS_UG_L = 2 } cli_units;
/* nM (default, text NULL), ng/mL, ug/L (or µg/L); prints why and returns 1 otherwise. */
int cli_units_parse(const char *text, cli_units *u);
const char *cli_units_name(cli_units u);
/* The factor from nM to u for output column col (C_<id>, ce_<id>: MW/1000
 * for ng/mL and ug/L; 1 for other columns), and its name in u (C_mg_ngmL). */
double cli_units_factor(const pk_model *m, const char *col, cli_units u);
void cli_units_column(const pk_model *m, const char *col, cli_units u, char *buf, size_t n);
/* The unit of output column col, in words (h, nM, ng/mL, fraction of receptors...). */
const char *cli_column_unit(const pk_model *m, const char *col, cli_units u);

/* What the run metadata says (beside the pk version, the command line and
 * the time, which every run has). */
typedef struct cli_run {
  const pk_scenario *scenario; /* model files, solver, grid; may be NULL */
  const char *scenario_path;   /* hashed; may be NULL */
  const char *input_path;      /* another input (a trajectory CSV), hashed; may be NULL */
  const cli_settings *set;     /* may be NULL */
  int has_seed;
  uint64_t seed;
  int has_units;
  cli_units units;
  int sidecar;                 /* 1: a CSV output gets NAME.meta.json beside it */
  const struct cJSON *extra;   /* an object whose members are added (copied); may be NULL */
} cli_run;
/* Keeps argc/argv for the metadata (main). */
void cli_set_command_line(int argc, char **argv);
/* The metadata as a cJSON object (caller deletes), NULL if out of memory. */
struct cJSON *cli_meta_object(const cli_run *r);
/* The sidecar of output (x.csv -> x.meta.json, other names + .meta.json)
 * into buf; -1 when output gets none (standard output, a device). */
int cli_meta_sidecar(const char *output, char *buf, size_t n);
/* Writes output's sidecar atomically (nothing for standard output or a
 * device); 0, or prints why and returns 1. */
int cli_meta_write_sidecar(const char *output, const cli_run *r);
/* 1 if path ends in .json. */
int cli_is_json_name(const char *path);
/* text as a JSON string (quotes, backslashes and control characters escaped). */
void cli_json_string(FILE *out, const char *text);
/* Writes trajectory t to path (NULL: standard output) as CSV, or with json
 * as JSON ({"metadata", "columns": [{name, unit}], "data": {column:
 * [values]}}), concentrations in u; a CSV file gets the sidecar when
 * r->sidecar. Atomic as pk_output. 0, or prints why and returns 1. */
int cli_write_trajectory(const pk_trajectory *t, const pk_model *m, const char *path, int json,
                         cli_units u, const cli_run *r);
/* SHA-256 of a file as 64 hex digits; -1 if it cannot be read. */
int cli_sha256_file(const char *path, char hex[65]);

int cmd_simulate(int argc, char **argv);
int cmd_plot(int argc, char **argv);
int cmd_compounds(int argc, char **argv);
int cmd_taper(int argc, char **argv);
int cmd_population(int argc, char **argv);
int cmd_sweep(int argc, char **argv);
int cmd_nca(int argc, char **argv);
int cmd_curve(int argc, char **argv);

#endif
