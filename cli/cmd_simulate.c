/* cmd_simulate.c - pk simulate: load a scenario, simulate, write CSV (and a plot). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"

static const char HELP[] =
    "usage: pk simulate [SCENARIO] [-o FILE.csv] [--plot FILE.png|FILE.svg]\n"
    "\n"
    "Simulates SCENARIO (a JSON file, see docs/scenario-format.md; default: the\n"
    "shipped kratom taper, models/scenarios/kratom-taper.json) and writes the\n"
    "trajectory as CSV: time_h (h), C_<id> and ce_<id> (nM), occ and occ_<id>\n"
    "(fractions), E, net, tol, W (fractions of the system maximum).\n"
    "\n"
    "  -o, --output FILE   write the CSV to FILE (default: standard output)\n"
    "  -p, --plot IMAGE    also draw it with gnuplot into IMAGE (.png or .svg)\n"
    "  -h, --help          this text\n"
    "\n"
    "Files are written to a temporary name and renamed when complete: a failed\n"
    "run leaves no partial file and keeps any previous one.\n"
    "\n"
    "environment:\n"
    "  PK_MODELS_DIR   directory holding scenarios/kratom-taper.json (the default)\n"
    "  PK_GNUPLOT      the gnuplot program to run (default: gnuplot on PATH)\n";

static int write_stdout(const pk_trajectory *t) {
  size_t nc = pk_trajectory_cols(t), nr = pk_trajectory_rows(t);
  for (size_t j = 0; j < nc; j++) printf("%s%s", j ? "," : "", pk_trajectory_column_name(t, j));
  putchar('\n');
  for (size_t i = 0; i < nr; i++) {
    for (size_t j = 0; j < nc; j++) printf("%s%.12g", j ? "," : "", pk_trajectory_get(t, i, j));
    putchar('\n');
  }
  return fflush(stdout) == 0 && !ferror(stdout) ? 0 : cli_fail("cannot write to standard output");
}

int cmd_simulate(int argc, char **argv) {
  static const struct option opts[] = {{"output", required_argument, 0, 'o'},
                                       {"plot", required_argument, 0, 'p'},
                                       {"help", no_argument, 0, 'h'},
                                       {0, 0, 0, 0}};
  const char *output = NULL, *plot = NULL;
  int c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "o:p:h", opts, NULL)) != -1) {
    switch (c) {
    case 'o': output = optarg; break;
    case 'p': plot = optarg; break;
    case 'h': fputs(HELP, stdout); return 0;
    default: fputs(HELP, stderr); return 2;
    }
  }
  if (argc - optind > 1) {
    cli_fail("simulate takes one scenario file, got %d arguments", argc - optind);
    fputs(HELP, stderr);
    return 2;
  }
  char def[4096];
  const char *scenario = optind < argc ? argv[optind] : NULL;
  if (!scenario) {
    if (cli_default_scenario(def, sizeof def) != 0)
      return cli_fail("no SCENARIO given and the default scenario "
                      "(scenarios/kratom-taper.json) was not found; set PK_MODELS_DIR");
    scenario = def;
  }
  if (plot && cli_check_image_name(plot) != 0) return 1;
  if (plot && !cli_gnuplot_available()) return cli_gnuplot_missing("--plot");

  pk_error err;
  pk_scenario *s = NULL;
  pk_trajectory *t = NULL;
  char *tmp_csv = NULL;
  int rc = 0, fd = -1;
  if (pk_scenario_load(scenario, &s, &err) != PK_OK ||
      pk_scenario_simulate(s, &t, &err) != PK_OK) {
    if (!err.file[0]) fprintf(stderr, "pk: while simulating %s:\n", scenario);
    cli_report(&err);
    rc = 1;
    goto done;
  }
  /* With --plot, gnuplot reads the CSV from a temporary file: beside -o FILE
   * (renamed over FILE once the plot is drawn, so that a failed plot keeps
   * any previous FILE), or in /tmp after writing standard output. */
  if (!plot) {
    if (!output) {
      rc = write_stdout(t);
    } else if (pk_trajectory_write_csv(t, output, &err) != PK_OK) {
      cli_report(&err);
      rc = 1;
    }
    goto done;
  }
  if (!output && (rc = write_stdout(t)) != 0) goto done;
  if (output) {
    size_t len = strlen(output) + 16;
    if ((tmp_csv = malloc(len))) snprintf(tmp_csv, len, "%s.tmp.XXXXXX", output);
  } else {
    tmp_csv = strdup("/tmp/pk-plot-XXXXXX");
  }
  fd = tmp_csv ? mkstemp(tmp_csv) : -1;
  if (fd < 0) {
    rc = cli_fail("%s: cannot create a temporary file for the plot: %s",
                  output ? output : "/tmp", strerror(errno));
    free(tmp_csv);
    tmp_csv = NULL;
    goto done;
  }
  close(fd);
  if (pk_trajectory_write_csv(t, tmp_csv, &err) != PK_OK) {
    if (output) snprintf(err.file, sizeof err.file, "%s", output);
    cli_report(&err);
    rc = 1;
  }
  if (rc == 0) rc = cli_plot_csv(tmp_csv, plot, pk_scenario_name(s));
  if (rc == 0 && output && rename(tmp_csv, output) != 0)
    rc = cli_fail("%s: cannot replace the file: %s", output, strerror(errno));
  if (rc != 0 || !output) unlink(tmp_csv);
  free(tmp_csv);
done:
  pk_trajectory_free(t);
  pk_scenario_free(s);
  return rc;
}
