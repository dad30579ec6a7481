/* cmd_plot.c - pk plot: draw a trajectory CSV written by pk simulate. */
#include <getopt.h>
#include <stdio.h>
#include <math.h>
#include "cli.h"

static const char HELP[] =
    "usage: pk plot CSV -o FILE.png|FILE.svg [--title TEXT]\n"
    "\n"
    "Draws a trajectory written by 'pk simulate' with gnuplot: plasma\n"
    "concentrations (nM) on top, occupancy, E, tol and W below, against time in\n"
    "days. The format follows the file name (.png or .svg).\n"
    "\n"
    "  -o, --output FILE   the image to write (required)\n"
    "  -t, --title TEXT    title of the figure (default: the CSV's name)\n"
    "  -h, --help          this text\n";

int cmd_plot(int argc, char **argv) {
  static const struct option opts[] = {{"output", required_argument, 0, 'o'},
                                       {"title", required_argument, 0, 't'},
                                       {"help", no_argument, 0, 'h'},
                                       {0, 0, 0, 0}};
  const char *output = NULL, *title = NULL;
  int c;
  optind = 1;
  while ((c = getopt_long(argc, argv, "o:t:h", opts, NULL)) != -1) {
    switch (c) {
    case 'o': output = optarg; break;
    case 't': title = optarg; break;
    case 'h': fputs(HELP, stdout); return 0;
    default: fputs(HELP, stderr); return 2;
    }
  }
  if (argc - optind != 1 || !output) {
    if (argc - optind != 1) cli_fail("plot takes one CSV file, got %d arguments", argc - optind);
    else cli_fail("plot needs -o FILE.png or -o FILE.svg");
    fputs(HELP, stderr);
    return 2;
  }
  cli_path p[] = {{"-o", output, 1}, {"CSV", argv[optind], 0}};
  if (cli_check_paths(p, 2) != 0) return 1;
  return cli_plot_csv(argv[optind], output, title, NAN);
}
