/* cmd_simulate.c - pk simulate: load a scenario, simulate, write CSV (and a plot). */
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
    "run leaves no partial file and keeps any previous one.\n";

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
  if (argc - optind > 1) return cli_fail("simulate takes one scenario file, got %d", argc - optind);
  char def[4096];
  const char *scenario = optind < argc ? argv[optind] : NULL;
  if (!scenario) {
    if (cli_default_scenario(def, sizeof def) != 0)
      return cli_fail("no SCENARIO given and the default scenario "
                      "(scenarios/kratom-taper.json) was not found; set PK_MODELS_DIR");
    scenario = def;
  }
  if (plot && cli_check_image_name(plot) != 0) return 1;
  if (plot && !cli_gnuplot_available())
    return cli_fail("--plot needs gnuplot, which is not on PATH (Debian: apt-get install "
                    "gnuplot-nox); nothing was written");

  pk_error err;
  pk_scenario *s = NULL;
  pk_trajectory *t = NULL;
  int rc = 0;
  if (pk_scenario_load(scenario, &s, &err) != PK_OK ||
      pk_scenario_simulate(s, &t, &err) != PK_OK) {
    if (!err.file[0]) fprintf(stderr, "pk: while simulating %s:\n", scenario);
    cli_report(&err);
    rc = 1;
    goto done;
  }
  char tmp_csv[64] = "";
  const char *csv = output;
  if (output) {
    if (pk_trajectory_write_csv(t, output, &err) != PK_OK) {
      cli_report(&err);
      rc = 1;
      goto done;
    }
  } else {
    if ((rc = write_stdout(t)) != 0) goto done;
    if (plot) { /* the plot reads a file: write a private temporary copy */
      snprintf(tmp_csv, sizeof tmp_csv, "/tmp/pk-plot-XXXXXX");
      int fd = mkstemp(tmp_csv);
      if (fd < 0) {
        rc = cli_fail("cannot create a temporary file for the plot");
        goto done;
      }
      close(fd);
      if (pk_trajectory_write_csv(t, tmp_csv, &err) != PK_OK) {
        cli_report(&err);
        unlink(tmp_csv);
        rc = 1;
        goto done;
      }
      csv = tmp_csv;
    }
  }
  if (plot) rc = cli_plot_csv(csv, plot, pk_scenario_name(s));
  if (tmp_csv[0]) unlink(tmp_csv);
done:
  pk_trajectory_free(t);
  pk_scenario_free(s);
  return rc;
}
