/* cli.h - shared pieces of the pk command-line tool. */
#ifndef PK_CLI_H
#define PK_CLI_H

#include <stdio.h>
#include "pk/pk.h"

/* Prints "pk: <formatted error>" to stderr. */
void cli_report(const pk_error *err);
/* Prints "pk: <message>" to stderr; returns 1 (the exit code for failures). */
int cli_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

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
/* The distinct times (h) of the doses of r, sorted, into *times (malloc'd;
 * free it); -1 when out of memory, else the count. */
long cli_dose_times(const pk_regimen *r, double **times);
/* One trajectory CSV with its W threshold (NaN: none): cli_plot_files. */
int cli_plot_csv(const char *csv, const char *image, const char *title, double threshold);
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

int cmd_simulate(int argc, char **argv);
int cmd_plot(int argc, char **argv);
int cmd_compounds(int argc, char **argv);
int cmd_taper(int argc, char **argv);
int cmd_population(int argc, char **argv);
int cmd_sweep(int argc, char **argv);

#endif
