/* cli.h - shared pieces of the pk command-line tool. */
#ifndef PK_CLI_H
#define PK_CLI_H

#include <stdio.h>
#include "pk/pk.h"

/* Prints "pk: <formatted error>" to stderr. */
void cli_report(const pk_error *err);
/* Prints "pk: <message>" to stderr; returns 1 (the exit code for failures). */
int cli_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Loads the scenario at path; on failure prints the error and returns 1.
 * Prints its warnings as "pk: warning: FILE: KEY.PATH: what" (with_events:
 * not those about compounds no dose of the scenario reaches, as an event
 * dataset does the dosing). */
int cli_load_scenario(const char *path, int with_events, pk_scenario **s);

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
/* Draws the figure of a trajectory CSV into image (.png or .svg),
 * atomically: concentrations, occupancy/E/tol, and W with the symptom
 * threshold as a dashed line (threshold NaN: none). Returns 0 on success;
 * on failure prints why and leaves no image behind. */
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
