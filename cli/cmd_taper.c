/* cmd_taper.c - pk taper: the shortest schedule from a scenario's first
 * dosing entry to zero that keeps the predicted withdrawal pressure W under
 * a limit (pk_taper_optimise); prints it day by day and writes it as
 * scenario dosing entries, a day,dose CSV, the trajectory and a plot. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "cli.h"

static const char HELP[] =
    "usage: pk taper [SCENARIO] --max-withdrawal W [--grid G] [--max-step S]\n"
    "                [--min-days-between-changes N] [--max-days D] [--no-greedy]\n"
    "                [-o SCHEDULE.json] [--csv SCHEDULE.csv] [--trajectory FILE.csv]\n"
    "                [--plot FILE.png|FILE.svg] [--set KEY=VALUE ...]\n"
    "\n"
    "Finds the shortest taper to zero of the first dosing entry of SCENARIO (its\n"
    "product or compound, clock times and dose; default: the shipped kratom\n"
    "taper) that keeps the withdrawal measure W (docs/pd-model.md; symptoms above\n"
    "the receptor's threshold, 0.011 shipped) at or below W at every output time,\n"
    "from day 1 until W can no longer reach the limit after the last dose.\n"
    "The subject (steady_state history or run-in), the other dosing entries, the\n"
    "output step and the solver come from SCENARIO. Shortest is over schedules\n"
    "that cut s grid steps every n days (every one is simulated, in order of\n"
    "length); a greedy variable-step schedule is returned instead when it is\n"
    "shorter. See docs/taper.md.\n"
    "\n"
    "  -w, --max-withdrawal W   the W limit (fraction of the system maximum), > 0\n"
    "  -g, --grid G             dose grid in the entry's unit (default 0.25 g,\n"
    "                           1 unit, 1 mg)\n"
    "  -s, --max-step S         largest cut, in the entry's unit (a multiple of G)\n"
    "  -n, --min-days-between-changes N   (default 1)\n"
    "  -d, --max-days D         longest taper considered, in days (default 365)\n"
    "      --no-greedy          only the uniform schedules\n"
    "  -o, --output FILE.json   write the schedule as scenario dosing entries\n"
    "  -c, --csv FILE.csv       write day,dose\n"
    "  -t, --trajectory FILE    write the simulated trajectory (CSV)\n"
    "  -p, --plot IMAGE         draw the trajectory with gnuplot (.png or .svg)\n"
CLI_SET_HELP
    "  -h, --help               this text\n"
    "\n"
    "Files are written to a temporary name and renamed when complete.\n";

typedef struct taper_args {
  const char *scenario, *json, *csv, *traj, *plot;
  pk_taper_limits lim;
  int has_grid;
  cli_settings set;
} taper_args;

static int parse_number(const char *opt, const char *text, double *out) {
  char *end = NULL;
  errno = 0;
  double v = strtod(text, &end);
  if (errno || end == text || *end || !isfinite(v))
    return cli_fail("%s: expected a number, got '%s'", opt, text);
  *out = v;
  return 0;
}

static int parse_days(const char *opt, const char *text, int *out) {
  double v = 0;
  if (parse_number(opt, text, &v)) return 1;
  if (!(v == floor(v) && v >= 1 && v <= 3650))
    return cli_fail("%s: expected a whole number of days in [1, 3650], got '%s'", opt, text);
  *out = (int)v;
  return 0;
}

static int parse_option(int c, taper_args *a) {
  switch (c) {
  case 'w': return parse_number("--max-withdrawal", optarg, &a->lim.max_withdrawal);
  case 'g': a->has_grid = 1; return parse_number("--grid", optarg, &a->lim.grid);
  case 's': return parse_number("--max-step", optarg, &a->lim.max_step);
  case 'n': return parse_days("--min-days-between-changes", optarg,
                              &a->lim.min_days_between_changes);
  case 'd': return parse_days("--max-days", optarg, &a->lim.max_days);
  case 'G': a->lim.greedy = 0; return 0;
  case 'o': a->json = optarg; return 0;
  case 'c': a->csv = optarg; return 0;
  case 't': a->traj = optarg; return 0;
  case 'p': a->plot = optarg; return 0;
  }
  return 2;
}

/* 0 to go on, -1 after --help, else the exit code. */
static int parse_args(int argc, char **argv, taper_args *a) {
  static const struct option opts[] = {
      {"max-withdrawal", required_argument, 0, 'w'}, {"grid", required_argument, 0, 'g'},
      {"max-step", required_argument, 0, 's'},
      {"min-days-between-changes", required_argument, 0, 'n'},
      {"max-days", required_argument, 0, 'd'}, {"no-greedy", no_argument, 0, 'G'},
      {"output", required_argument, 0, 'o'}, {"csv", required_argument, 0, 'c'},
      {"trajectory", required_argument, 0, 't'}, {"plot", required_argument, 0, 'p'},
      {"set", required_argument, 0, 'S'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
  int c, rc;
  optind = 1;
  while ((c = cli_getopt(argc, argv, "w:g:s:n:d:o:c:t:p:S:h", opts)) != -1) {
    if (c == 'h') return fputs(HELP, stdout), -1;
    if (c == 'S') {
      if (cli_settings_add(&a->set, optarg) != 0) return 2;
      continue;
    }
    if (c == '?' || (rc = parse_option(c, a)) == 2) return cli_usage_error(HELP), 2;
    if (rc) return 2; /* a bad value, already reported */
  }
  if (argc - optind > 1) {
    cli_fail("taper takes one scenario file, got %d arguments", argc - optind);
    return cli_usage_error(HELP), 2;
  }
  if (isnan(a->lim.max_withdrawal)) {
    cli_fail("taper needs --max-withdrawal W (the W limit, e.g. 0.05)");
    return cli_usage_error(HELP), 2;
  }
  a->scenario = optind < argc ? argv[optind] : NULL;
  if (a->plot && cli_check_image_name(a->plot)) return 1;
  if (a->plot && !cli_gnuplot_available()) return cli_gnuplot_missing("--plot");
  return 0;
}

static void clock_text(double h, char *buf, size_t n) {
  int minutes = (int)lround(fmin(fmax(h, 0.0), 24.0) * 60.0);
  snprintf(buf, n, "%02d:%02d", (minutes / 60) % 100, minutes % 60);
}

static void print_header(const pk_scenario *s, const pk_taper_item *it, const char *unit,
                         const pk_taper_limits *lim) {
  printf("pk taper: %s: %s, %zu dose%s a day at", pk_scenario_name(s),
         pk_taper_item_name(pk_scenario_model(s), it), it->n_times, it->n_times > 1 ? "s" : "");
  for (size_t j = 0; j < it->n_times; j++) {
    char t[16];
    clock_text(it->times_of_day_h[j], t, sizeof t);
    printf("%s %s", j ? "," : "", t);
  }
  printf(", %g %s per dose, tapering from day %d\n", it->start_dose, unit, lim->start_day);
  char step[64] = "any";
  if (lim->max_step > 0) snprintf(step, sizeof step, "%g %s", lim->max_step, unit);
  printf("limit: W <= %g; grid %g %s; largest cut %s; at least %d day(s) between changes\n",
         lim->max_withdrawal, lim->grid, unit, step, lim->min_days_between_changes);
}

static void print_summary(const pk_taper_result *r, const char *unit, double grid) {
  if (r->uniform_days >= 0)
    printf("uniform: cut %d grid step(s) (%g %s) every %d day(s): %d days, max W %.6g\n",
           r->uniform_cut_units, r->uniform_cut_units * grid, unit, r->uniform_every_days,
           r->uniform_days, r->uniform_max_W);
  else
    printf("uniform: none within the limit\n");
  if (r->greedy_days >= 0)
    printf("greedy: %d days, max W %.6g\n", r->greedy_days, r->greedy_max_W);
  printf("chosen: %s, %d days from day %d; no dose from day %d (%zu simulations)\n",
         r->method == PK_TAPER_GREEDY ? "greedy" : "uniform", r->days,
         pk_taper_schedule_zero_day(&r->schedule) - r->days,
         pk_taper_schedule_zero_day(&r->schedule), r->n_simulations);
}

/* Highest W on each day, from the trajectory. */
static void print_table(const pk_trajectory *t, const pk_taper_schedule *s, const char *unit) {
  int jt = pk_trajectory_column_index(t, "time_h"), jw = pk_trajectory_column_index(t, "W");
  size_t rows = pk_trajectory_rows(t), i = 0;
  printf("\n%5s %12s %12s %10s\n", "day", "dose", "daily", "max_W");
  while (i < rows) {
    double th = pk_trajectory_get(t, i, (size_t)jt), w = 0;
    int day = (int)floor(th / 24.0) + 1;
    for (; i < rows && (int)floor(pk_trajectory_get(t, i, (size_t)jt) / 24.0) + 1 == day; i++)
      w = fmax(w, pk_trajectory_get(t, i, (size_t)jw));
    double lv = pk_taper_schedule_level(s, day);
    printf("%5d %10g %s %10g %s %10.6f\n", day, lv, unit, lv * (double)s->item.n_times, unit, w);
  }
}

static void print_peak(const pk_taper_eval *ev) {
  char t[16];
  double th = ev->t_max_W_h;
  clock_text(th - 24.0 * floor(th / 24.0), t, sizeof t);
  printf("\nmax W %.6g at t = %g h (day %d, %s); simulated to %g h, where later W is at most "
         "%.4g\n",
         ev->max_W, th, (int)floor(th / 24.0) + 1, t, ev->t_end_h, ev->W_bound_end);
}

/* Draws the trajectory through a temporary CSV. */
static int plot(const pk_model *m, const pk_trajectory *t, const pk_taper_schedule *sched,
                const pk_regimen *others, const char *image, const char *title) {
  /* the doses marked: the schedule's and the scenario's others */
  pk_regimen *doses = pk_regimen_new();
  pk_error err;
  if (!doses) return cli_fail("out of memory");
  for (size_t k = 0; others && k < pk_regimen_size(others); k++) {
    pk_dose d = pk_regimen_dose(others, k);
    if (pk_regimen_add(doses, &d, &err) != PK_OK) {
      pk_regimen_free(doses);
      cli_report(&err);
      return 1;
    }
  }
  if (pk_taper_schedule_add_doses(m, sched, doses, &err) != PK_OK) {
    pk_regimen_free(doses);
    cli_report(&err);
    return 1;
  }
  char tmp[4200];
  cli_temp_template(tmp, sizeof tmp, "pk-taper");
  int rc = cli_temp_csv(t, tmp);
  if (rc == 0) {
    double threshold = NAN;
    pk_model_withdrawal(m, NULL, NULL, NULL, &threshold);
    rc = cli_plot_csv(tmp, image, title, threshold, doses);
    cli_temp_remove(tmp);
  }
  pk_regimen_free(doses);
  return rc;
}

static int write_outputs(const taper_args *a, const pk_scenario *s, const pk_taper_result *r,
                         const pk_regimen *others, const pk_trajectory *t) {
  const pk_model *m = pk_scenario_model(s);
  pk_error err;
  char note[512];
  snprintf(note, sizeof note, "pk taper of scenario %s: W <= %g, grid %g, %d days, max W %.6g "
           "at %g h", pk_scenario_name(s), a->lim.max_withdrawal, a->lim.grid, r->days,
           r->eval.max_W, r->eval.t_max_W_h);
  if ((a->json && pk_taper_write_json(m, &r->schedule, 1, note, a->json, &err) != PK_OK) ||
      (a->csv && pk_taper_write_csv(m, &r->schedule, a->csv, &err) != PK_OK) ||
      (a->traj && pk_trajectory_write_csv(t, a->traj, &err) != PK_OK)) {
    cli_report(&err);
    return 1;
  }
  return a->plot ? plot(m, t, &r->schedule, others, a->plot, pk_scenario_name(s)) : 0;
}

static double default_grid(const char *unit) {
  return strcmp(unit, "g") == 0 ? 0.25 : 1.0;
}

/* On a terminal, the search's progress on one line of standard error
 * (cleared when done), at most about ten times a second. */
typedef struct progress_line {
  struct timespec last;
  int shown;
} progress_line;

static void show_progress(void *ctx, int days, int max_days, size_t n_sims) {
  progress_line *p = ctx;
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  double dt = (double)(now.tv_sec - p->last.tv_sec) + 1e-9 * (double)(now.tv_nsec - p->last.tv_nsec);
  if (p->shown && dt < 0.1) return;
  p->last = now;
  p->shown = 1;
  fprintf(stderr, "\rpk taper: schedules of %d of at most %d days, %zu simulations ", days,
          max_days, n_sims);
  fflush(stderr);
}

static int run(taper_args *a, const pk_scenario *s) {
  pk_error err;
  pk_taper_item item;
  pk_regimen *others = NULL;
  pk_taper_result res = {0};
  pk_trajectory *t = NULL;
  pk_sim_options opt = pk_scenario_options(s);
  const pk_model *m = pk_scenario_model(s);
  int rc = 1;
  if (pk_scenario_taper_start(s, &item, &a->lim.start_day, &others, &err) != PK_OK) goto fail;
  const char *unit = pk_taper_item_unit(m, &item);
  if (!a->has_grid) a->lim.grid = default_grid(unit);
  progress_line line = {{0, 0}, 0};
  if (isatty(STDERR_FILENO)) {
    clock_gettime(CLOCK_MONOTONIC, &line.last);
    a->lim.progress = show_progress;
    a->lim.progress_ctx = &line;
  }
  pk_status st = pk_taper_optimise(m, &item, others, &opt, &a->lim, &res, &err);
  if (line.shown) fputs("\r\033[K", stderr); /* the progress line goes away */
  if (st != PK_OK ||
      pk_taper_simulate(m, &res.schedule, 1, others, &opt, a->lim.tail_h,
                        a->lim.max_withdrawal, &t, &res.eval, &err) != PK_OK)
    goto fail;
  print_header(s, &item, unit, &a->lim);
  print_summary(&res, unit, a->lim.grid);
  print_table(t, &res.schedule, unit);
  print_peak(&res.eval);
  rc = write_outputs(a, s, &res, others, t);
  goto done;
fail:
  cli_report(&err);
done:
  pk_trajectory_free(t);
  pk_taper_result_release(&res);
  pk_regimen_free(others);
  return rc;
}

int cmd_taper(int argc, char **argv) {
  taper_args a = {.lim = pk_taper_limits_default()};
  int rc = parse_args(argc, argv, &a);
  if (rc) return cli_settings_free(&a.set), rc < 0 ? 0 : rc;
  char def[4096];
  if (!a.scenario) {
    if (cli_default_scenario(def, sizeof def) != 0)
      return cli_settings_free(&a.set), cli_fail("no SCENARIO given and the default scenario "
                      "(scenarios/kratom-taper.json) was not found; set PK_MODELS_DIR");
    a.scenario = def;
  }
  pk_scenario *s = NULL;
  if (cli_load_scenario(a.scenario, &a.set, 0, &s) != 0) return cli_settings_free(&a.set), 1;
  const cli_path p[] = {{"-o", a.json, 1}, {"--csv", a.csv, 1}, {"--trajectory", a.traj, 1},
                        {"--plot", a.plot, 1}};
  rc = cli_check_outputs(s, a.scenario, p, sizeof p / sizeof p[0]);
  if (rc == 0) rc = run(&a, s);
  pk_scenario_free(s);
  cli_settings_free(&a.set);
  return rc;
}
