/* cmd_simulate.c - pk simulate: load a scenario, simulate, write CSV (and a plot). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <math.h>
#include "cli.h"

static const char HELP[] =
    "usage: pk simulate [SCENARIO] [--events FILE.csv] [-o FILE.csv]\n"
    "                   [--plot FILE.png|FILE.svg] [--solver auto|exact|ode] [-v]\n"
    "\n"
    "Simulates SCENARIO (a JSON file, see docs/scenario-format.md; default: the\n"
    "shipped kratom taper, models/scenarios/kratom-taper.json) and writes the\n"
    "trajectory as CSV: time_h (h), C_<id> and ce_<id> (nM), occ and occ_<id>\n"
    "(fractions), E, net, tol, W (fractions of the system maximum).\n"
    "\n"
    "With --events, the dosing comes from a NONMEM-style event dataset instead\n"
    "(ID, TIME, EVID, AMT, CMT, RATE, II, ADDL, SS and per-subject parameter\n"
    "columns such as CL_mg; see docs/event-datasets.md): the scenario gives the\n"
    "model files, solver and output grid, and each subject is simulated from the\n"
    "smaller of 0 and its first record time. With several subjects the CSV has\n"
    "an ID column first and the subjects one after the other (--plot then needs\n"
    "a single subject).\n"
    "\n"
    "  -e, --events FILE   dosing from the event dataset FILE (CSV)\n"
    "  -o, --output FILE   write the CSV to FILE (default: standard output)\n"
    "  -p, --plot IMAGE    also draw it with gnuplot into IMAGE (.png or .svg)\n"
    "  -s, --solver PATH   auto (default: exact unless the model has kinetic\n"
    "                      receptor binding), exact or ode (GSL, the reference)\n"
    "  -v, --verbose       say which solver path runs\n"
    "  -h, --help          this text\n"
    "\n"
    "Files are written to a temporary name and renamed when complete: a failed\n"
    "run leaves no partial file and keeps any previous one. Devices, pipes and\n"
    "/dev/stdout are written directly, never replaced; an output naming an\n"
    "input (the scenario, its model files, the dataset) is refused.\n"
    "\n"
    "environment:\n"
    "  PK_MODELS_DIR       directory holding scenarios/kratom-taper.json (the default)\n"
    "  PK_GNUPLOT          the gnuplot program to run (default: gnuplot on PATH)\n"
    "  PK_MAX_INPUT_BYTES  the largest input file read, bytes (default 64 MiB)\n";

static int write_stdout(const pk_trajectory *t) {
  pk_error err;
  return pk_trajectory_write_csv_stream(t, stdout, &err) == PK_OK
             ? 0 : cli_fail("cannot write to standard output: %s", err.message);
}

/* Several subjects on standard output: an ID column first. */
static int write_stdout_subjects(const pk_dataset *d, pk_trajectory *const *t) {
  size_t n = pk_dataset_subject_count(d), nc = pk_trajectory_cols(t[0]);
  fputs("ID", stdout);
  for (size_t j = 0; j < nc; j++) printf(",%s", pk_trajectory_column_name(t[0], j));
  putchar('\n');
  for (size_t s = 0; s < n; s++)
    for (size_t i = 0; i < pk_trajectory_rows(t[s]); i++) {
      fputs(pk_dataset_subject_id(d, s), stdout);
      char line[PK_CSV_FIELD_MAX * 64 + 2];
      if (nc > 64) {
        for (size_t j = 0; j < nc; j++) printf(",%.12g", pk_trajectory_get(t[s], i, j));
      } else {
        size_t len = pk_csv_format_values(pk_trajectory_data(t[s]) + i * nc, nc, 0, line);
        fwrite(line, 1, len, stdout);
      }
      putchar('\n');
    }
  return fflush(stdout) == 0 && !ferror(stdout) ? 0 : cli_fail("cannot write to standard output");
}

/* Simulates every subject of the event dataset `events` with the scenario's
 * model and options. One subject: its trajectory goes to *t; several: they
 * are written here (standard output or output) and *t stays NULL. */
static int simulate_events(const pk_scenario *s, const char *events, const char *output,
                           const char *plot, pk_trajectory **t) {
  pk_error err;
  pk_dataset *d = NULL;
  pk_trajectory **all = NULL;
  int rc = 0;
  pk_sim_options o = pk_scenario_options(s);
  if (pk_dataset_load(events, pk_scenario_model(s), &d, &err) != PK_OK ||
      pk_dataset_simulate(d, &o, &all, &err) != PK_OK) {
    if (!err.file[0]) fprintf(stderr, "pk: while simulating %s:\n", events);
    cli_report(&err);
    rc = 1;
  } else if (pk_dataset_subject_count(d) == 1) {
    *t = all[0];
    all[0] = NULL;
  } else if (plot) {
    rc = cli_fail("%s: --plot draws one subject, the dataset has %zu; nothing was written",
                  events, pk_dataset_subject_count(d));
  } else if (!output) {
    rc = write_stdout_subjects(d, all);
  } else if (pk_dataset_write_csv(d, all, output, &err) != PK_OK) {
    cli_report(&err);
    rc = 1;
  }
  pk_dataset_trajectories_free(all, pk_dataset_subject_count(d));
  pk_dataset_free(d);
  return rc;
}

/* Says on stderr which path the simulation takes and with what accuracy. */
static int report_solver(const pk_scenario *s, const char *scenario, pk_error *err) {
  pk_sim_options o = pk_scenario_options(s);
  int path = pk_sim_resolve_solver(pk_scenario_model(s), &o, err);
  if (path < 0) return -1;
  if (path == PK_SOLVER_EXACT)
    fprintf(stderr, "pk: %s: solver exact (matrix exponentials of the linear part, %s)%s\n",
            scenario,
            pk_model_enzyme_count(pk_scenario_model(s)) > 0
                ? "enzyme-scaled flows and activities by Gauss collocation, checked per step"
                : "adaptive Gauss-Kronrod quadrature for tol",
            o.solver == PK_SOLVER_AUTO ? ", chosen automatically" : "");
  else
    fprintf(stderr, "pk: %s: solver ode (GSL %s, rtol %g, atol %g)%s\n", scenario,
            pk_ode_method_name(o.method), o.rtol, o.atol,
            o.solver == PK_SOLVER_AUTO ? ", chosen automatically: the model has kinetic "
                                         "receptor binding" : "");
  return 0;
}

/* Refuses outputs that name an input (the scenario, its model files, the
 * event dataset) or each other. */
static int check_paths(const pk_scenario *s, const char *scenario, const char *events,
                       const char *output, const char *plot) {
  const cli_path p[] = {{"-o", output, 1}, {"--plot", plot, 1}, {"--events dataset", events, 0}};
  return cli_check_outputs(s, scenario, p, sizeof p / sizeof p[0]);
}

/* Writes the CSV (to output, or standard output) and draws the plot. gnuplot
 * reads the CSV from the temporary file beside output (renamed over output
 * once the plot is drawn, so that a failed plot keeps any previous file), or
 * from a temporary file in /tmp when output is standard output or a device.
 * mark_doses: mark the scenario's dose times. */
static int simulate_plot(const pk_scenario *s, const pk_trajectory *t, const char *output,
                         const char *plot, int mark_doses) {
  pk_error err;
  pk_output *o = NULL;
  const char *data = NULL;
  char tmp[4200];
  cli_temp_template(tmp, sizeof tmp, "pk-plot");
  int own_tmp = 0, rc = 0;
  if (output) {
    if (pk_output_open(output, &o, &err) != PK_OK ||
        pk_trajectory_write_csv_stream(t, pk_output_stream(o), &err) != PK_OK) {
      snprintf(err.file, sizeof err.file, "%s", output);
      cli_report(&err);
      pk_output_discard(o);
      return 1;
    }
    data = pk_output_temp_path(o);
  } else if ((rc = write_stdout(t)) != 0) {
    return rc;
  }
  if (!data) {
    if ((rc = cli_temp_csv(t, tmp)) != 0) {
      pk_output_discard(o);
      return rc;
    }
    data = tmp;
    own_tmp = 1;
  }
  /* the figure marks the scenario's doses (not with --events: the dataset's
   * doses replace them) and draws its W threshold */
  cli_plot_options po;
  cli_plot_options_init(&po);
  po.title = pk_scenario_name(s);
  pk_model_withdrawal(pk_scenario_model(s), NULL, NULL, NULL, &po.threshold);
  double *times = NULL;
  long nt = cli_dose_times(pk_scenario_regimen(s), &times);
  size_t count = nt > 0 ? (size_t)nt : 0;
  const double *const sets[1] = {times};
  if (nt > 0 && mark_doses) {
    po.doses = sets;
    po.n_doses = &count;
    po.n_dose_sets = 1;
  }
  if (rc == 0) rc = cli_plot_files(&data, 1, plot, &po);
  free(times);
  if (o) {
    if (rc == 0 && pk_output_commit(o, &err) != PK_OK) cli_report(&err), rc = 1;
    else if (rc != 0) pk_output_discard(o);
  }
  if (own_tmp) cli_temp_remove(tmp);
  return rc;
}

int cmd_simulate(int argc, char **argv) {
  static const struct option opts[] = {{"output", required_argument, 0, 'o'},
                                       {"events", required_argument, 0, 'e'},
                                       {"plot", required_argument, 0, 'p'},
                                       {"solver", required_argument, 0, 's'},
                                       {"verbose", no_argument, 0, 'v'},
                                       {"help", no_argument, 0, 'h'},
                                       {0, 0, 0, 0}};
  const char *output = NULL, *plot = NULL, *events = NULL, *solver = NULL;
  int c, verbose = 0;
  optind = 1;
  while ((c = getopt_long(argc, argv, "o:p:e:s:vh", opts, NULL)) != -1) {
    switch (c) {
    case 'o': output = optarg; break;
    case 's': solver = optarg; break;
    case 'v': verbose = 1; break;
    case 'e': events = optarg; break;
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
  pk_solver path = PK_SOLVER_AUTO;
  if (solver && strcmp(solver, "auto") != 0 && strcmp(solver, "exact") != 0 &&
      strcmp(solver, "ode") != 0) {
    cli_fail("--solver takes auto, exact or ode, got '%s'", solver);
    return 2;
  }
  if (solver) path = strcmp(solver, "exact") == 0 ? PK_SOLVER_EXACT
                     : strcmp(solver, "ode") == 0 ? PK_SOLVER_ODE : PK_SOLVER_AUTO;

  pk_error err;
  pk_scenario *s = NULL;
  pk_trajectory *t = NULL;
  int rc = 0;
  if (pk_scenario_load(scenario, &s, &err) != PK_OK) {
    cli_report(&err);
    return 1;
  }
  if ((rc = check_paths(s, scenario, events, output, plot)) != 0) goto done;
  if ((solver && pk_scenario_set_solver(s, path, &err) != PK_OK) ||
      (verbose && report_solver(s, scenario, &err) != 0) ||
      (!events && pk_scenario_simulate(s, &t, &err) != PK_OK)) {
    if (!err.file[0]) fprintf(stderr, "pk: while simulating %s:\n", scenario);
    cli_report(&err);
    rc = 1;
    goto done;
  }
  if (events && ((rc = simulate_events(s, events, output, plot, &t)) != 0 || !t)) goto done;
  if (!plot) {
    if (!output) {
      rc = write_stdout(t);
    } else if (pk_trajectory_write_csv(t, output, &err) != PK_OK) {
      cli_report(&err);
      rc = 1;
    }
    goto done;
  }
  rc = simulate_plot(s, t, output, plot, events == NULL);
done:
  pk_trajectory_free(t);
  pk_scenario_free(s);
  return rc;
}
