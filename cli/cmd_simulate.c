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
    "usage: pk simulate [SCENARIO] [--events FILE.csv [--obs-only [--carry COLS]]]\n"
    "                   [-o FILE.csv] [--plot FILE.png|FILE.svg]\n"
    "                   [--solver auto|exact|ode] [--set KEY=VALUE ...]\n"
    "                   [--units nM|ng/mL|ug/L] [--format csv|json] [--no-metadata]\n"
    "                   [-v]\n"
    "\n"
    "Simulates SCENARIO (a JSON file, see docs/scenario-format.md; default: the\n"
    "shipped kratom taper, models/scenarios/kratom-taper.json) and writes the\n"
    "trajectory as CSV: time_h (h), C_<id> and ce_<id> (nM), occ and occ_<id>\n"
    "(fractions), E, net, tol, W (fractions of the system maximum).\n"
    "\n"
    "With --events, the dosing comes from a NONMEM-style event dataset instead\n"
    "(ID, TIME, EVID, AMT, CMT, RATE, II, ADDL, SS, PRODUCT and per-subject\n"
    "parameter columns such as CL_mg; see docs/event-datasets.md): the scenario\n"
    "gives the model files, solver and output grid, and each subject is\n"
    "simulated from the smaller of 0 and its first record time. With several\n"
    "subjects the CSV has an ID column first and the subjects one after the\n"
    "other, and --plot overlays them: one curve per subject, named by ID in the\n"
    "key up to 8 subjects; with more, thin curves, one colour per quantity.\n"
    "Records that look like mistakes (a reset dropping a dose at its time,\n"
    "covariates, which change nothing) are named in warnings.\n"
    "\n"
    "With --obs-only the CSV has one row per observation record (EVID 0 and 2)\n"
    "instead, in file order at the record's own time (also past the grid):\n"
    "ID, TIME, CMT, EVID, DV (if the file has it), the carried columns as\n"
    "written in the file, then the outputs at that time (a row at a dose time\n"
    "shows the state just after the dose). --plot still draws the grid.\n"
    "\n"
    "  -e, --events FILE   dosing from the event dataset FILE (CSV)\n"
    "      --obs-only      with --events: rows at the observation records\n"
    "      --carry COLS    with --obs-only: the columns of the file to carry,\n"
    "                      comma-separated (default: every covariate column)\n"
    "  -o, --output FILE   write the CSV to FILE (default or -: standard output)\n"
    "  -p, --plot IMAGE    also draw it with gnuplot into IMAGE (.png or .svg)\n"
CLI_SET_HELP
    "  -u, --units U       concentrations in nM (default), ng/mL or ug/L: the\n"
    "                      columns C_<id> and ce_<id> become C_<id>_ngmL (ugL)\n"
    "  -f, --format F      csv (default) or json (also chosen by -o FILE.json):\n"
    "                      {\"metadata\", \"columns\": [{name, unit}], \"data\"}\n"
    "      --no-metadata   no NAME.meta.json beside a CSV file (the run's pk\n"
    "                      version, command, scenario and model files with\n"
    "                      SHA-256, settings, solver, tolerances and grid)\n"
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
    "  PK_MODELS_DIR       directory holding scenarios/kratom-taper.json (the\n"
    "                      default scenario)\n"
    "  PK_GNUPLOT          the gnuplot program to run (default: gnuplot on PATH)\n"
    "  PK_MAX_INPUT_BYTES  the largest input file read, bytes (default 64 MiB)\n";

static int write_stdout(const pk_trajectory *t) {
  pk_error err;
  return pk_trajectory_write_csv_stream(t, stdout, &err) == PK_OK
             ? 0 : cli_fail("cannot write to standard output: %s", err.message);
}

/* Several subjects: an ID column first, the subjects one after the other. */
static int write_subjects(const pk_dataset *d, pk_trajectory *const *t, FILE *f) {
  size_t n = pk_dataset_subject_count(d), nc = pk_trajectory_cols(t[0]);
  fputs("ID", f);
  for (size_t j = 0; j < nc; j++) fprintf(f, ",%s", pk_trajectory_column_name(t[0], j));
  fputc('\n', f);
  /* blocks of rows, each row the subject's ID then its values */
  enum { BLOCK = 256 };
  char *text = NULL;
  size_t cap = 0;
  int bad = 0;
  for (size_t s = 0; s < n && !bad; s++) {
    const char *id = pk_dataset_subject_id(d, s);
    size_t head = strlen(id), rows = pk_trajectory_rows(t[s]);
    if (BLOCK * PK_CSV_ROW_MAX(nc, head) > cap) {
      free(text);
      cap = BLOCK * PK_CSV_ROW_MAX(nc, head);
      if (!(text = malloc(cap))) return -1;
    }
    for (size_t i = 0; i < rows && !bad; i += BLOCK) {
      size_t nb = rows - i < BLOCK ? rows - i : BLOCK;
      size_t len = pk_csv_format_rows(pk_trajectory_data(t[s]) + i * nc, nb, nc, id, head, 0, text);
      bad = fwrite(text, 1, len, f) != len;
    }
  }
  free(text);
  return !bad && fflush(f) == 0 && !ferror(f) ? 0 : -1;
}

static int plot_only(const pk_scenario *s, const pk_trajectory *t, const char *plot,
                     int mark_doses);

/* What pk simulate --events is asked for. */
typedef struct events_run {
  const char *events, *output, *plot;
  int obs_only;
  char **carry; /* --carry names; NULL: every covariate */
  size_t n_carry;
} events_run;

/* The key of a figure of several subjects names each by its ID up to
 * KEY_SUBJECTS of them; with more, every subject is a thin curve in the
 * colour of its quantity and the key names the quantities. */
enum { KEY_SUBJECTS = 8 };

/* Draws the grid trajectories of every subject: one subject as pk simulate
 * draws a scenario (without dose markers), several overlaid, one curve per
 * subject. */
static int plot_events(const pk_scenario *s, const pk_dataset *d, pk_trajectory *const *all,
                       const char *plot) {
  double threshold = NAN;
  pk_model_withdrawal(pk_scenario_model(s), NULL, NULL, NULL, &threshold);
  size_t n = pk_dataset_subject_count(d);
  if (n == 1) return plot_only(s, all[0], plot, 0);
  const char **ids = malloc(n * sizeof *ids);
  char *title = malloc(strlen(pk_scenario_name(s)) + 64);
  int rc = 1;
  if (ids && title) {
    for (size_t k = 0; k < n; k++) ids[k] = pk_dataset_subject_id(d, k);
    sprintf(title, "%s, %zu subjects", pk_scenario_name(s), n);
    cli_plot_options o;
    cli_plot_options_init(&o);
    o.title = title;
    o.threshold = threshold;
    o.labels = ids;
    o.n_labels = n;
    o.key_max = KEY_SUBJECTS;
    o.file_noun = "subjects";
    rc = cli_plot_trajectories((const pk_trajectory *const *)all, ids, n, plot, &o);
  } else {
    cli_fail("out of memory");
  }
  free(ids);
  free(title);
  return rc;
}

/* Writes what the run asks for to f: the rows at the observation records
 * (obs), or the grid trajectories of several subjects (all). 0, or prints
 * why and returns 1. */
static int write_events(const events_run *e, const pk_dataset *d, pk_trajectory *const *all,
                        pk_trajectory *const *obs, FILE *f) {
  pk_error err;
  const char *where = e->output ? e->output : "standard output";
  if (!e->obs_only)
    return write_subjects(d, all, f) == 0 ? 0
               : cli_fail("cannot write to %s: %s", where, strerror(errno));
  if (pk_dataset_write_observations(d, obs, (const char *const *)e->carry, e->n_carry, f,
                                    &err) == PK_OK)
    return 0;
  if (err.code == PK_ERR_IO) return cli_fail("cannot write to %s: %s", where, err.message);
  return cli_fail("%s: --carry: %s", e->events, err.message);
}

/* Simulates every subject of the event dataset with the scenario's model
 * and options. One subject on the grid: its trajectory goes to *t (the
 * caller writes and draws it); otherwise what is asked for is written here
 * (to -o, through a temporary file renamed once the plot is drawn, or to
 * standard output) and *t stays NULL. */
static int simulate_events(const pk_scenario *s, const events_run *e, pk_trajectory **t) {
  pk_error err;
  pk_dataset *d = NULL;
  pk_trajectory **all = NULL, **obs = NULL;
  pk_output *out = NULL;
  int rc = 0;
  pk_sim_options o = pk_scenario_options(s);
  pk_status st = pk_dataset_load(e->events, pk_scenario_model(s), &d, &err);
  size_t n = pk_dataset_subject_count(d);
  if (st == PK_OK) cli_print_dataset_warnings(d);
  if (st == PK_OK && e->obs_only) st = pk_dataset_simulate_observations(d, &o, &obs, &err);
  if (st == PK_OK && (!e->obs_only || e->plot)) st = pk_dataset_simulate(d, &o, &all, &err);
  if (st != PK_OK) {
    if (!err.file[0]) fprintf(stderr, "pk: while simulating %s:\n", e->events);
    cli_report(&err);
    rc = 1;
  } else if (n == 1 && !e->obs_only) {
    *t = all[0];
    all[0] = NULL;
  } else if (e->output && pk_output_open(e->output, &out, &err) != PK_OK) {
    cli_report(&err);
    rc = 1;
  } else {
    rc = write_events(e, d, all, obs, out ? pk_output_stream(out) : stdout);
    if (rc == 0 && e->plot) rc = plot_events(s, d, all, e->plot);
    if (out && rc == 0 && pk_output_commit(out, &err) != PK_OK) cli_report(&err), rc = 1;
    else if (out && rc != 0) pk_output_discard(out);
  }
  pk_dataset_trajectories_free(all, n);
  pk_dataset_trajectories_free(obs, n);
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
  double threshold = NAN;
  pk_model_withdrawal(pk_scenario_model(s), NULL, NULL, NULL, &threshold);
  if (rc == 0)
    rc = cli_plot_csv(data, plot, pk_scenario_name(s), threshold,
                      mark_doses ? pk_scenario_regimen(s) : NULL);
  if (o) {
    if (rc == 0 && pk_output_commit(o, &err) != PK_OK) cli_report(&err), rc = 1;
    else if (rc != 0) pk_output_discard(o);
  }
  if (own_tmp) cli_temp_remove(tmp);
  return rc;
}

/* Draws the plot alone, from a temporary CSV in nM (the output, in other
 * units or JSON, is written afterwards). */
static int plot_only(const pk_scenario *s, const pk_trajectory *t, const char *plot,
                     int mark_doses) {
  char tmp[4200];
  cli_temp_template(tmp, sizeof tmp, "pk-plot");
  int rc = cli_temp_csv(t, tmp);
  if (rc != 0) return rc;
  double threshold = NAN;
  pk_model_withdrawal(pk_scenario_model(s), NULL, NULL, NULL, &threshold);
  rc = cli_plot_csv(tmp, plot, pk_scenario_name(s), threshold,
                    mark_doses ? pk_scenario_regimen(s) : NULL);
  cli_temp_remove(tmp);
  return rc;
}

enum { MAX_CARRY = 256 }; /* names --carry takes */

/* How the trajectory is written. */
typedef struct sim_out {
  const char *output, *plot, *events, *solver, *carry;
  int verbose, json, no_meta, obs_only;
  cli_units units;
  int has_units;
} sim_out;

static int run_simulate(int argc, char **argv, const sim_out *so, const cli_settings *set);

int cmd_simulate(int argc, char **argv) {
  static const struct option opts[] = {{"output", required_argument, 0, 'o'},
                                       {"events", required_argument, 0, 'e'},
                                       {"plot", required_argument, 0, 'p'},
                                       {"solver", required_argument, 0, 's'},
                                       {"verbose", no_argument, 0, 'v'},
                                       {"set", required_argument, 0, 'S'},
                                       {"units", required_argument, 0, 'u'},
                                       {"format", required_argument, 0, 'f'},
                                       {"no-metadata", no_argument, 0, 'M'},
                                       {"obs-only", no_argument, 0, 'O'},
                                       {"carry", required_argument, 0, 'C'},
                                       {"help", no_argument, 0, 'h'},
                                       {0, 0, 0, 0}};
  sim_out so = {0};
  int c;
  cli_settings set = {0};
  optind = 1;
  while ((c = cli_getopt(argc, argv, "o:p:e:s:S:u:f:vh", opts)) != -1) {
    switch (c) {
    case 'S':
      if (cli_settings_add(&set, optarg) != 0) return cli_settings_free(&set), 2;
      break;
    case 'u':
      if (cli_units_parse(optarg, &so.units) != 0) return cli_settings_free(&set), 2;
      so.has_units = 1;
      break;
    case 'f':
      if (strcmp(optarg, "csv") != 0 && strcmp(optarg, "json") != 0) {
        cli_settings_free(&set);
        cli_fail("--format takes csv or json, got '%s'", optarg);
        return 2;
      }
      so.json = strcmp(optarg, "json") == 0 ? 1 : -1;
      break;
    case 'M': so.no_meta = 1; break;
    case 'O': so.obs_only = 1; break;
    case 'C': so.carry = optarg; break;
    case 'o': so.output = cli_output_arg(optarg); break;
    case 's': so.solver = optarg; break;
    case 'v': so.verbose = 1; break;
    case 'e': so.events = optarg; break;
    case 'p': so.plot = optarg; break;
    case 'h': cli_settings_free(&set); fputs(HELP, stdout); return 0;
    default: cli_settings_free(&set); cli_usage_error(HELP); return 2;
    }
  }
  int rc = run_simulate(argc, argv, &so, &set);
  cli_settings_free(&set);
  return rc;
}

static int run_simulate(int argc, char **argv, const sim_out *so, const cli_settings *set) {
  const char *output = so->output, *plot = so->plot, *events = so->events, *solver = so->solver;
  int verbose = so->verbose;
  int json = so->json > 0 || (so->json == 0 && output && cli_is_json_name(output));
  if (so->json < 0 && output && cli_is_json_name(output)) {
    cli_fail("%s: --format csv with a .json name; name the file .csv or use --format json",
             output);
    return 2;
  }
  if (argc - optind > 1) {
    cli_fail("simulate takes one scenario file, got %d arguments", argc - optind);
    cli_usage_error(HELP);
    return 2;
  }
  if ((so->obs_only || so->carry) && !events) {
    cli_fail("%s is for an event dataset: give --events FILE.csv",
             so->obs_only ? "--obs-only" : "--carry");
    return 2;
  }
  if (so->carry && !so->obs_only) {
    cli_fail("--carry chooses the columns of the --obs-only output; give --obs-only too");
    return 2;
  }
  events_run er = {.events = events, .output = output, .plot = plot, .obs_only = so->obs_only};
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
  if (cli_load_scenario(scenario, set, events != NULL, &s) != 0) return 1;
  char sidecar[4200];
  int meta = !so->no_meta && !json && !events && cli_meta_sidecar(output, sidecar, sizeof sidecar) == 0;
  {
    const cli_path p[] = {{"-o", output, 1}, {"--plot", plot, 1}, {"--events dataset", events, 0},
                          {"metadata", meta ? sidecar : NULL, 1}};
    if ((rc = cli_check_outputs(s, scenario, p, sizeof p / sizeof p[0])) != 0) goto done;
  }
  if (events && (json || so->has_units)) {
    rc = cli_fail("--events writes CSV in nM; --units and JSON are for scenario runs");
    goto done;
  }
  if (so->carry) {
    er.n_carry = 0;
    er.carry = calloc(MAX_CARRY, sizeof *er.carry);
    int nc = er.carry ? cli_name_list("--carry", so->carry, er.carry, MAX_CARRY) : -1;
    if (nc < 0) {
      rc = 2;
      goto done;
    }
    er.n_carry = (size_t)nc;
  }
  if ((solver && pk_scenario_set_solver(s, path, &err) != PK_OK) ||
      (verbose && report_solver(s, scenario, &err) != 0) ||
      (!events && pk_scenario_simulate(s, &t, &err) != PK_OK)) {
    if (!err.file[0]) fprintf(stderr, "pk: while simulating %s:\n", scenario);
    cli_report(&err);
    rc = 1;
    goto done;
  }
  if (events && ((rc = simulate_events(s, &er, &t)) != 0 || !t)) goto done;
  cli_run run = {.scenario = s, .scenario_path = scenario, .set = set, .has_units = 1,
                 .units = so->units, .sidecar = meta};
  if (!plot) {
    rc = cli_write_trajectory(t, pk_scenario_model(s), output, json, so->units, &run);
    goto done;
  }
  if (json || so->units != CLI_UNITS_NM) {
    rc = plot_only(s, t, plot, events == NULL);
    if (rc == 0) rc = cli_write_trajectory(t, pk_scenario_model(s), output, json, so->units, &run);
    goto done;
  }
  rc = simulate_plot(s, t, output, plot, events == NULL);
  if (rc == 0 && meta) rc = cli_meta_write_sidecar(output, &run);
done:
  for (size_t k = 0; k < er.n_carry; k++) free(er.carry[k]);
  free(er.carry);
  pk_trajectory_free(t);
  pk_scenario_free(s);
  return rc;
}
