/* cmd_plot.c - pk plot: draw CSV files written by pk (trajectories
 * overlaid, percentile bands, sweep summaries). */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

static const char HELP[] =
    "usage: pk plot CSV... -o FILE.png|FILE.svg [--title TEXT] [--label TEXT ...]\n"
    "               [--columns LIST] [--log-y | --linear-y] [--xrange A:B]\n"
    "               [--yrange A:B ...] [--doses SCENARIO ...] [--w-threshold X]\n"
    "               [--daily | --no-daily] [--log-x] [--heatmap]\n"
    "\n"
    "Draws CSV files written by pk with gnuplot; the format follows the file\n"
    "name (.png or .svg). What is drawn depends on the files' headers:\n"
    "\n"
    "  trajectories (pk simulate; several are overlaid, one colour per file)\n"
    "      against time in days (hours for 2 days or less), in panels stacked on\n"
    "      one time axis: concentrations (nM), occupancy (fraction of receptors),\n"
    "      E and tol, and W (fractions of the system maximum) with the symptom\n"
    "      threshold as a dashed line when it is known (--doses, --w-threshold).\n"
    "  percentile tables (pk population/sweep --percentiles; several overlaid)\n"
    "      the same panels: the median as a line, a band from the lowest to the\n"
    "      highest level (5-95 %% by default).\n"
    "  a sweep summary (pk sweep -o)\n"
    "      the measures (Cmax and Cmin, occ_max and occ_min, E_max, W_max)\n"
    "      against the setting swept; over two settings, one curve per level of\n"
    "      the second (Cmax, occ_max, W_max), or with --heatmap a heat map of\n"
    "      W_max over both. Settings spaced on a log scale get a log axis.\n"
    "\n"
    "Runs longer than 14 days are drawn as each day's maximum and minimum (a\n"
    "band between two lines) rather than every point; --no-daily draws every\n"
    "point, --daily asks for the daily view of a shorter run.\n"
    "\n"
    "  -o, --output FILE      the image to write (required)\n"
    "  -t, --title TEXT       title of the figure (default: the CSV's name; none\n"
    "                         for several files)\n"
    "  -l, --label TEXT       the key label of the next CSV, in order (default:\n"
    "                         its file name)\n"
    "  -c, --columns LIST     the columns to draw, separated by commas: names of\n"
    "                         the trajectory (C_mg,occ,W), columns of the\n"
    "                         percentile table without _p<level> (C_mg,W), or\n"
    "                         measures of the summary (W_max,h_W_above_0.011);\n"
    "                         each goes to the panel of its unit\n"
    "      --log-y            logarithmic concentration axes (nM, umol, nM h; every\n"
    "                         axis when no concentration is drawn); without it a\n"
    "                         log axis is chosen when compounds' peaks differ by\n"
    "                         more than 100 times\n"
    "      --linear-y         linear axes always\n"
    "      --log-x            logarithmic axis for the setting of a sweep\n"
    "      --xrange A:B       the x axis from A to B: days, or hours with h\n"
    "                         (2:10, 36h:72h, :7); a sweep's setting in its unit\n"
    "      --yrange A:B       the y axis of a panel: the first --yrange is the top\n"
    "                         panel's, the next the second's ...; ':' leaves one\n"
    "                         automatic\n"
    "      --doses SCENARIO   mark the dose times of SCENARIO (the scenario the CSV\n"
    "                         was simulated from) at the top of the figure, and\n"
    "                         draw its W symptom threshold; once for every CSV, or\n"
    "                         once per CSV in their order\n"
    "      --w-threshold X    the W symptom threshold to draw (fraction of the\n"
    "                         system maximum)\n"
    "      --daily            each day's maximum and minimum\n"
    "      --no-daily         every point, however long the run\n"
    "      --heatmap          a sweep over two settings as heat maps\n"
    "  -h, --help             this text\n"
    "\n"
    "Mixing kinds (a trajectory and a percentile table) is an error. The image\n"
    "is drawn into a temporary file and renamed when gnuplot succeeds; no text\n"
    "of the files or of the options is ever run as a gnuplot command.\n"
    "\n"
    "environment:\n"
    "  PK_GNUPLOT          the gnuplot program to run (default: gnuplot on PATH)\n";

enum { MAX_FILES = 64 };
enum { OPT_LOGY = 256, OPT_LINY, OPT_LOGX, OPT_XRANGE, OPT_YRANGE, OPT_DOSES, OPT_WTHR,
       OPT_DAILY, OPT_NODAILY, OPT_HEAT };

typedef struct plot_args {
  const char *output;
  const char *labels[MAX_FILES];
  const char *doses[MAX_FILES];
  size_t n_doses;
  cli_plot_options o;
} plot_args;

static int parse_option(int c, plot_args *a) {
  cli_plot_options *o = &a->o;
  switch (c) {
  case 'o': a->output = optarg; return 0;
  case 't': o->title = optarg; return 0;
  case 'l':
    if (o->n_labels >= MAX_FILES) return cli_fail("--label: at most %d", MAX_FILES);
    a->labels[o->n_labels++] = optarg;
    return 0;
  case 'c': o->columns = optarg; return 0;
  case OPT_LOGY: o->log_y = 1; return 0;
  case OPT_LINY: o->log_y = -1; return 0;
  case OPT_LOGX: o->log_x = 1; return 0;
  case OPT_XRANGE:
    o->has_xrange = 1;
    return cli_parse_range("--xrange", optarg, 1, &o->xrange);
  case OPT_YRANGE:
    if (o->n_yranges >= CLI_PLOT_MAX_PANELS)
      return cli_fail("--yrange: at most %d, one per panel", CLI_PLOT_MAX_PANELS);
    return cli_parse_range("--yrange", optarg, 0, &o->yrange[o->n_yranges++]);
  case OPT_DOSES:
    if (a->n_doses >= MAX_FILES) return cli_fail("--doses: at most %d", MAX_FILES);
    a->doses[a->n_doses++] = optarg;
    return 0;
  case OPT_WTHR: {
    char *end;
    o->threshold = strtod(optarg, &end);
    if (end == optarg || *end || !(o->threshold > 0 && o->threshold < 1))
      return cli_fail("--w-threshold: expected a fraction of the system maximum in (0, 1), "
                      "got '%s'", optarg);
    return 0;
  }
  case OPT_DAILY: o->daily = 1; return 0;
  case OPT_NODAILY: o->daily = -1; return 0;
  case OPT_HEAT: o->heatmap = 1; return 0;
  }
  return 2;
}

/* Loads the --doses scenarios: their dose times, the first one's W
 * threshold (unless --w-threshold), and their files for the path checks. */
static int load_doses(plot_args *a, char *const *csv, size_t n, pk_scenario **s,
                      double **times, size_t *counts) {
  pk_error err;
  double thr = NAN;
  for (size_t k = 0; k < a->n_doses; k++) {
    if (pk_scenario_load(a->doses[k], &s[k], &err) != PK_OK) {
      cli_report(&err);
      return 1;
    }
    long m = cli_dose_times(pk_scenario_regimen(s[k]), &times[k]);
    if (m < 0) return cli_fail("out of memory");
    counts[k] = (size_t)m;
    if (k == 0) pk_model_withdrawal(pk_scenario_model(s[k]), NULL, NULL, NULL, &thr);
    cli_path p[MAX_FILES + 2];
    size_t np = 0;
    p[np++] = (cli_path){"-o", a->output, 1};
    for (size_t i = 0; i < n; i++) p[np++] = (cli_path){"CSV", csv[i], 0};
    if (cli_check_outputs(s[k], a->doses[k], p, np) != 0) return 1;
  }
  if (isnan(a->o.threshold)) a->o.threshold = thr;
  return 0;
}

int cmd_plot(int argc, char **argv) {
  static const struct option opts[] = {
      {"output", required_argument, 0, 'o'}, {"title", required_argument, 0, 't'},
      {"label", required_argument, 0, 'l'}, {"columns", required_argument, 0, 'c'},
      {"log-y", no_argument, 0, OPT_LOGY}, {"linear-y", no_argument, 0, OPT_LINY},
      {"log-x", no_argument, 0, OPT_LOGX}, {"xrange", required_argument, 0, OPT_XRANGE},
      {"yrange", required_argument, 0, OPT_YRANGE}, {"doses", required_argument, 0, OPT_DOSES},
      {"w-threshold", required_argument, 0, OPT_WTHR}, {"daily", no_argument, 0, OPT_DAILY},
      {"no-daily", no_argument, 0, OPT_NODAILY}, {"heatmap", no_argument, 0, OPT_HEAT},
      {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
  plot_args a = {0};
  cli_plot_options_init(&a.o);
  a.o.labels = a.labels;
  int c, rc;
  optind = 1;
  while ((c = cli_getopt(argc, argv, "o:t:l:c:h", opts)) != -1) {
    if (c == 'h') return fputs(HELP, stdout), 0;
    if (c == '?' || (rc = parse_option(c, &a)) == 2) return cli_usage_error(HELP), 2;
    if (rc) return 2; /* a bad value, already reported */
  }
  size_t n = (size_t)(argc - optind);
  if (n == 0 || !a.output) {
    if (n == 0) cli_fail("plot needs at least one CSV file");
    else cli_fail("plot needs -o FILE.png or -o FILE.svg");
    cli_usage_error(HELP);
    return 2;
  }
  if (n > MAX_FILES) return cli_fail("plot: at most %d CSV files, got %zu", MAX_FILES, n), 2;
  char *const *csv = argv + optind;
  cli_path p[MAX_FILES + 1];
  p[0] = (cli_path){"-o", a.output, 1};
  for (size_t i = 0; i < n; i++) p[i + 1] = (cli_path){"CSV", csv[i], 0};
  if (cli_check_paths(p, n + 1) != 0) return 1;
  if (cli_check_image_name(a.output) != 0) return 1;
  if (!cli_gnuplot_available()) return cli_gnuplot_missing("plotting");
  pk_scenario *s[MAX_FILES] = {0};
  double *times[MAX_FILES] = {0};
  size_t counts[MAX_FILES] = {0};
  rc = load_doses(&a, csv, n, s, times, counts);
  if (rc == 0) {
    a.o.doses = (const double *const *)times;
    a.o.n_doses = counts;
    a.o.n_dose_sets = a.n_doses;
    rc = cli_plot_files((const char *const *)csv, n, a.output, &a.o);
  }
  for (size_t k = 0; k < a.n_doses; k++) {
    pk_scenario_free(s[k]);
    free(times[k]);
  }
  return rc;
}
