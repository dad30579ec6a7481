/* cmd_nca.c - pk nca: non-compartmental summaries of a scenario's
 * concentrations (simulated here, extrema on the continuous solution) or of
 * a trajectory CSV (sampled), per compound, over the whole output and the
 * first and last dosing intervals. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

static const char HELP[] =
    "usage: pk nca [SCENARIO | TRAJECTORY.csv] [--scenario SCENARIO]\n"
    "              [--set KEY=VALUE ...] [--columns COL,...] [--units nM|ng/mL|ug/L]\n"
    "              [--lambda-window FROM:TO] [--sampled] [-o FILE.csv|FILE.json]\n"
    "              [--no-metadata]\n"
    "\n"
    "Non-compartmental analysis, as clinical studies report it, of the plasma\n"
    "concentrations of SCENARIO (simulated; default: the shipped kratom taper) or\n"
    "of a trajectory CSV that pk simulate wrote. One row per column and interval:\n"
    "  all    the whole output (Cmin after the first dose; without dose times,\n"
    "         from the first positive value on)\n"
    "  first  the first dosing interval, from the first dose time in the output\n"
    "         to the next (with two or more dose times)\n"
    "  last   from the last dose time to the end of the output\n"
    "Columns of a row: column, interval, from_h, to_h, unit, Cmax, Tmax_h, Cmin,\n"
    "Tmin_h, AUC (over the interval's samples, linear-up/log-down; unit*h),\n"
    "AUCinf, lambda_z_per_h, t_half_h, r2, lambda_n, lambda_from_h,\n"
    "lambda_to_h (the terminal regression, on the 'all' and 'last' rows),\n"
    "extrema and note (why a value is missing).\n"
    "\n"
    "Extrema: for a scenario, Cmax/Tmax and Cmin/Tmin are the continuous\n"
    "solution's (the window around the best output time simulated again until\n"
    "it is 1e-6 h wide, column extrema = continuous); --sampled, or a CSV input,\n"
    "takes them at the output times (extrema = sampled), as a study's samples.\n"
    "Terminal phase: by default the last 3 or more samples after Tmax of the\n"
    "last interval with the best adjusted r^2 (within 1e-4: the most samples);\n"
    "--lambda-window FROM:TO (h) fixes it. Dose times come from the scenario (for\n"
    "a CSV input, from --scenario; without it only 'all' is given).\n"
    "\n"
    "  -c, --columns LIST    columns to analyse (default: every C_<id>); any\n"
    "                        column of the trajectory (ce_mg, occ, W...)\n"
    "  -u, --units U         nM (default), ng/mL or ug/L for C_ and ce_ columns\n"
    "  -l, --lambda-window FROM:TO   the terminal regression's window, h\n"
    "      --sampled         extrema at the output times only\n"
    "      --scenario FILE   with a CSV input: dose times and molecular weights\n"
    CLI_SET_HELP
    "  -o, --output FILE     the table as CSV (default or -: standard output), or\n"
    "                        JSON for FILE.json (metadata inside)\n"
    "      --no-metadata     no NAME.meta.json beside a CSV file\n"
    "  -h, --help            this text\n";

enum { OPT_SAMPLED = 256, OPT_SCENARIO, OPT_NOMETA };

typedef struct nca_args {
  const char *input, *scenario, *output, *columns;
  int sampled, no_meta, has_units;
  cli_units units;
  double lam_from, lam_to;
  cli_settings set;
} nca_args;

/* One row of the table. */
typedef struct nca_row {
  char column[96], interval[8], unit[16], note[PK_ERROR_MESSAGE_MAX + 64];
  double from_h, to_h, cmax, tmax, cmin, tmin, auc, aucinf, lz, thalf, r2, lfrom, lto;
  size_t ln;
  int continuous;
} nca_row;

static int parse_window(const char *text, double *a, double *b) {
  char *end = NULL;
  errno = 0;
  *a = strtod(text, &end);
  if (end == text || *end != ':') goto bad;
  const char *q = end + 1;
  *b = strtod(q, &end);
  if (end == q || *end || errno || !isfinite(*a) || !isfinite(*b) || !(*a < *b)) goto bad;
  return 0;
bad:
  return cli_fail("--lambda-window: expected FROM:TO in hours with FROM < TO, got '%s'", text);
}

/* Distinct dose times within [t0, t1], sorted; their count. */
static size_t dose_times(const pk_regimen *r, double t0, double t1, double **out) {
  size_t n = pk_regimen_size(r), m = 0;
  double *t = malloc((n ? n : 1) * sizeof *t);
  if (!t) return 0;
  for (size_t k = 0; k < n; k++) {
    pk_dose d = pk_regimen_dose(r, k);
    if (d.t_h >= t0 && d.t_h <= t1) t[m++] = d.t_h;
  }
  for (size_t i = 1; i < m; i++) /* insertion sort: doses are mostly in order */
    for (size_t j = i; j > 0 && t[j - 1] > t[j]; j--) {
      double x = t[j];
      t[j] = t[j - 1];
      t[j - 1] = x;
    }
  size_t u = 0;
  for (size_t i = 0; i < m; i++)
    if (u == 0 || t[i] > t[u - 1]) t[u++] = t[i];
  *out = t;
  return u;
}

typedef struct nca_ctx {
  const nca_args *a;
  const pk_trajectory *t;
  const pk_scenario *s; /* NULL: no model (CSV without --scenario) */
  int simulate;         /* extrema on the continuous solution */
  double first_dose;    /* NaN: none in the output */
} nca_ctx;

/* The continuous extremum near grid row j inside [a, b]; keeps the grid
 * values when the refinement fails (note says why). */
static void refine(const nca_ctx *c, const char *col, double a, double b, size_t j, int want_max,
                   double *t_out, double *v_out, char *note, size_t nn) {
  size_t nr = pk_trajectory_rows(c->t);
  double lo = j > 0 ? pk_trajectory_get(c->t, j - 1, 0) : a;
  double hi = j + 1 < nr ? pk_trajectory_get(c->t, j + 1, 0) : b;
  if (lo < a) lo = a;
  if (hi > b) hi = b;
  if (!(hi > lo)) return;
  pk_sim_options o = pk_scenario_options(c->s);
  double tt, vv;
  pk_error err;
  if (pk_sim_extremum(pk_scenario_model(c->s), pk_scenario_regimen(c->s), &o, col, lo, hi,
                      want_max, &tt, &vv, &err) != PK_OK) {
    snprintf(note, nn, "extremum from the output times: %.400s", err.message);
    return;
  }
  if (want_max ? vv >= *v_out : vv <= *v_out) {
    *t_out = tt;
    *v_out = vv;
  }
}

/* Fills row for column col over the samples with from <= t <= to. */
static int analyse(const nca_ctx *c, const char *col, int jc, const char *interval, double from,
                   double to, int terminal, nca_row *row) {
  const nca_args *a = c->a;
  size_t nr = pk_trajectory_rows(c->t), n = 0, i0 = nr;
  memset(row, 0, sizeof *row);
  snprintf(row->column, sizeof row->column, "%s", col);
  snprintf(row->interval, sizeof row->interval, "%s", interval);
  row->from_h = from;
  row->to_h = to;
  row->cmax = row->tmax = row->cmin = row->tmin = row->auc = row->aucinf = NAN;
  row->lz = row->thalf = row->r2 = row->lfrom = row->lto = NAN;
  const pk_model *m = c->s ? pk_scenario_model(c->s) : NULL;
  double f = cli_units_factor(m, col, a->units);
  snprintf(row->unit, sizeof row->unit, "%s",
           strncmp(col, "C_", 2) == 0 || strncmp(col, "ce_", 3) == 0 ? cli_units_name(a->units)
                                                                     : "1");
  double *tc = malloc(2 * (nr ? nr : 1) * sizeof *tc);
  if (!tc) return cli_fail("out of memory");
  for (size_t i = 0; i < nr; i++) {
    double t = pk_trajectory_get(c->t, i, 0);
    if (t < from || t > to) continue;
    if (i0 == nr) i0 = i;
    tc[n] = t;
    tc[nr + n] = pk_trajectory_get(c->t, i, (size_t)jc);
    n++;
  }
  double *cc = tc + nr;
  /* Cmin over times after the first dose ("all"), or over the interval */
  size_t jmin = nr, jmax = i0;
  int seen = 0; /* without dose times: from the first positive value on */
  for (size_t k = 0; k < n; k++) {
    if (cc[k] > cc[jmax - i0]) jmax = i0 + k;
    seen |= cc[k] > 0;
    int counts = strcmp(interval, "all") != 0 ||
                 (isnan(c->first_dose) ? seen : tc[k] > c->first_dose);
    if (counts && (jmin == nr || cc[k] < cc[jmin - i0])) jmin = i0 + k;
  }
  pk_nca_result r;
  pk_error err;
  if (n == 0) {
    snprintf(row->note, sizeof row->note, "no output time in the interval");
  } else if (pk_nca_exposure(tc, cc, n, &r, &err) != PK_OK) {
    snprintf(row->note, sizeof row->note, "%.400s", err.message + (strncmp(err.message, "NCA: ", 5) ? 0 : 5));
    row->cmax = cc[jmax - i0];
    row->tmax = tc[jmax - i0];
  } else {
    row->cmax = r.cmax;
    row->tmax = r.tmax_h;
    row->auc = r.auc_last;
    if (terminal) {
      pk_nca_result q;
      pk_status st = isnan(a->lam_from) ? pk_nca_compute_auto(tc, cc, n, from, &q, &err)
                                        : pk_nca_compute(tc, cc, n, a->lam_from, a->lam_to, &q, &err);
      if (st == PK_OK) {
        row->lz = q.lambda_z_per_h;
        row->thalf = q.t_half_h;
        row->r2 = q.lambda_r2;
        row->ln = q.lambda_n;
        row->lfrom = q.lambda_from_h;
        row->lto = q.lambda_to_h;
        row->aucinf = q.auc_inf;
      } else {
        snprintf(row->note, sizeof row->note, "no terminal phase: %.400s",
                 err.message + (strncmp(err.message, "NCA: ", 5) ? 0 : 5));
      }
    }
  }
  if (jmin < nr) {
    row->cmin = cc[jmin - i0];
    row->tmin = tc[jmin - i0];
  }
  if (c->simulate && n > 0) {
    double lo = from;
    if (strcmp(interval, "all") == 0 && !isnan(c->first_dose)) lo = c->first_dose;
    refine(c, col, from, to, jmax, 1, &row->tmax, &row->cmax, row->note, sizeof row->note);
    if (jmin < nr) refine(c, col, lo, to, jmin, 0, &row->tmin, &row->cmin, row->note, sizeof row->note);
    row->continuous = 1;
  }
  free(tc);
  /* units: concentrations and areas scale alike */
  row->cmax *= f, row->cmin *= f, row->auc *= f, row->aucinf *= f;
  return 0;
}

static const char *const COLS[] = {"column", "interval", "from_h", "to_h", "unit", "Cmax",
                                   "Tmax_h", "Cmin", "Tmin_h", "AUC", "AUCinf",
                                   "lambda_z_per_h", "t_half_h", "r2", "lambda_n",
                                   "lambda_from_h", "lambda_to_h", "extrema", "note", NULL};

static void values_of(const nca_row *r, double *v) {
  double x[] = {r->from_h, r->to_h, r->cmax, r->tmax, r->cmin, r->tmin, r->auc, r->aucinf,
                r->lz, r->thalf, r->r2, r->ln ? (double)r->ln : NAN, r->lfrom, r->lto};
  memcpy(v, x, sizeof x);
}

static void csv_text(FILE *f, const char *s) {
  fputc('"', f);
  for (; *s; s++) {
    if (*s == '"') fputc('"', f);
    fputc((unsigned char)*s < 0x20 ? ' ' : *s, f);
  }
  fputc('"', f);
}

static int write_rows(const nca_row *rows, size_t n, const char *path, int json,
                      const cli_run *run) {
  pk_output *o = NULL;
  pk_error err;
  if (path && pk_output_open(path, &o, &err) != PK_OK) {
    cli_report(&err);
    return 1;
  }
  FILE *f = o ? pk_output_stream(o) : stdout;
  if (json) {
    cJSON *root = cJSON_CreateObject(), *arr = NULL;
    if (root) cJSON_AddItemToObject(root, "metadata", cli_meta_object(run));
    if (root) arr = cJSON_AddArrayToObject(root, "rows");
    for (size_t k = 0; arr && k < n; k++) {
      cJSON *row = cJSON_CreateObject();
      double v[14];
      values_of(&rows[k], v);
      cJSON_AddStringToObject(row, "column", rows[k].column);
      cJSON_AddStringToObject(row, "interval", rows[k].interval);
      for (int j = 0; j < 14; j++) {
        const char *name = COLS[j < 2 ? 2 + j : 3 + j];
        if (isfinite(v[j])) cJSON_AddNumberToObject(row, name, v[j]);
        else cJSON_AddNullToObject(row, name);
        if (j == 1) cJSON_AddStringToObject(row, "unit", rows[k].unit);
      }
      cJSON_AddStringToObject(row, "extrema", rows[k].continuous ? "continuous" : "sampled");
      cJSON_AddStringToObject(row, "note", rows[k].note);
      cJSON_AddItemToArray(arr, row);
    }
    char *text = root ? cJSON_Print(root) : NULL;
    cJSON_Delete(root);
    if (!text) {
      if (o) pk_output_discard(o);
      return cli_fail("out of memory");
    }
    fputs(text, f);
    fputc('\n', f);
    free(text);
  } else {
    for (int j = 0; COLS[j]; j++) fprintf(f, "%s%s", j ? "," : "", COLS[j]);
    fputc('\n', f);
    for (size_t k = 0; k < n; k++) {
      double v[14];
      values_of(&rows[k], v);
      fprintf(f, "%s,%s", rows[k].column, rows[k].interval);
      for (int j = 0; j < 14; j++) {
        if (j == 2) fprintf(f, ",%s", rows[k].unit);
        if (isfinite(v[j])) fprintf(f, ",%.10g", v[j]);
        else fputs(",", f);
      }
      fprintf(f, ",%s,", rows[k].continuous ? "continuous" : "sampled");
      if (rows[k].note[0]) csv_text(f, rows[k].note);
      fputc('\n', f);
    }
  }
  if (o) {
    if (pk_output_commit(o, &err) != PK_OK) return cli_report(&err), 1;
  } else if (fflush(stdout) != 0 || ferror(stdout)) {
    return cli_fail("cannot write to standard output");
  }
  return 0;
}

static int is_csv_name(const char *p) {
  const char *dot = p ? strrchr(p, '.') : NULL;
  return dot && strcmp(dot, ".csv") == 0;
}

static int run_nca(nca_args *a) {
  char def[4096];
  int csv_in = is_csv_name(a->input);
  const char *scenario = csv_in ? a->scenario : a->input;
  if (!csv_in && a->scenario)
    return cli_fail("--scenario goes with a trajectory CSV input; the input %s is a scenario",
                    a->input);
  if (!scenario && !csv_in) {
    if (cli_default_scenario(def, sizeof def) != 0)
      return cli_fail("no SCENARIO given and the default scenario "
                      "(scenarios/kratom-taper.json) was not found; set PK_MODELS_DIR");
    scenario = def;
  }
  if (csv_in && !scenario && a->set.n)
    return cli_fail("--set needs a scenario (--scenario FILE with a CSV input)");
  if (csv_in && !scenario && a->units != CLI_UNITS_NM)
    return cli_fail("--units %s needs molecular weights: give --scenario FILE with a CSV input",
                    cli_units_name(a->units));
  pk_scenario *s = NULL;
  pk_trajectory *t = NULL;
  nca_row *rows = NULL;
  double *doses = NULL;
  pk_error err;
  int rc = 0;
  if (scenario && cli_load_scenario(scenario, &a->set, 0, &s) != 0) return 1;
  int json = a->output && cli_is_json_name(a->output);
  char sidecar[4200];
  int meta = !a->no_meta && !json && cli_meta_sidecar(a->output, sidecar, sizeof sidecar) == 0;
  const cli_path p[] = {{"-o", a->output, 1}, {"TRAJECTORY", csv_in ? a->input : NULL, 0},
                        {"metadata", meta ? sidecar : NULL, 1}};
  rc = s ? cli_check_outputs(s, scenario, p, 3) : cli_check_paths(p, 3);
  if (rc) goto done;
  if (csv_in) {
    if (pk_trajectory_read_csv(a->input, &t, &err) != PK_OK) {
      cli_report(&err);
      rc = 1;
      goto done;
    }
  } else if (pk_scenario_simulate(s, &t, &err) != PK_OK) {
    if (!err.file[0]) fprintf(stderr, "pk: while simulating %s:\n", scenario);
    cli_report(&err);
    rc = 1;
    goto done;
  }
  size_t nr = pk_trajectory_rows(t);
  double t0 = pk_trajectory_get(t, 0, 0), t1 = pk_trajectory_get(t, nr - 1, 0);
  size_t nd = s ? dose_times(pk_scenario_regimen(s), t0, t1, &doses) : 0;
  nca_ctx c = {.a = a, .t = t, .s = s, .simulate = !csv_in && !a->sampled,
               .first_dose = nd ? doses[0] : NAN};
  /* the columns */
  size_t nc = pk_trajectory_cols(t), ncol = 0;
  int *jc = malloc(nc * sizeof *jc);
  if (!jc) {
    rc = cli_fail("out of memory");
    goto done;
  }
  if (a->columns) {
    const char *q = a->columns;
    while (*q && rc == 0) {
      size_t len = strcspn(q, ",");
      char name[96];
      snprintf(name, sizeof name, "%.*s", (int)(len < 95 ? len : 95), q);
      int j = pk_trajectory_column_index(t, name);
      if (j <= 0) rc = cli_fail("--columns: no column '%s' in the %s (columns: C_<id>, ce_<id>, "
                                "occ, E, tol, W...)", name, csv_in ? "CSV" : "trajectory");
      else if (ncol < nc) jc[ncol++] = j;
      q += len;
      if (*q == ',') q++;
    }
  } else {
    for (size_t j = 1; j < nc; j++)
      if (strncmp(pk_trajectory_column_name(t, j), "C_", 2) == 0) jc[ncol++] = (int)j;
    if (ncol == 0) rc = cli_fail("%s: no concentration column (C_<id>); name columns with --columns",
                                 a->input ? a->input : scenario);
  }
  rows = calloc(3 * (ncol ? ncol : 1), sizeof *rows);
  if (rc == 0 && !rows) rc = cli_fail("out of memory");
  size_t n = 0;
  for (size_t k = 0; rc == 0 && k < ncol; k++) {
    const char *col = pk_trajectory_column_name(t, (size_t)jc[k]);
    rc = analyse(&c, col, jc[k], "all", t0, t1, 1, &rows[n++]);
    if (rc == 0 && nd >= 2) rc = analyse(&c, col, jc[k], "first", doses[0], doses[1], 0, &rows[n++]);
    if (rc == 0 && nd >= 2) rc = analyse(&c, col, jc[k], "last", doses[nd - 1], t1, 1, &rows[n++]);
  }
  free(jc);
  if (rc == 0) {
    cli_run run = {.scenario = s, .scenario_path = scenario, .input_path = csv_in ? a->input : NULL,
                   .set = &a->set, .has_units = 1, .units = a->units, .sidecar = meta};
    rc = write_rows(rows, n, a->output, json, &run);
    if (rc == 0 && meta) rc = cli_meta_write_sidecar(a->output, &run);
  }
done:
  free(rows);
  free(doses);
  pk_trajectory_free(t);
  pk_scenario_free(s);
  return rc;
}

int cmd_nca(int argc, char **argv) {
  static const struct option opts[] = {{"columns", required_argument, 0, 'c'},
                                       {"units", required_argument, 0, 'u'},
                                       {"lambda-window", required_argument, 0, 'l'},
                                       {"sampled", no_argument, 0, OPT_SAMPLED},
                                       {"scenario", required_argument, 0, OPT_SCENARIO},
                                       {"set", required_argument, 0, 'S'},
                                       {"output", required_argument, 0, 'o'},
                                       {"no-metadata", no_argument, 0, OPT_NOMETA},
                                       {"help", no_argument, 0, 'h'},
                                       {0, 0, 0, 0}};
  nca_args a = {.lam_from = NAN, .lam_to = NAN};
  int c, rc = 0;
  optind = 1;
  while (rc == 0 && (c = cli_getopt(argc, argv, "c:u:l:S:o:h", opts)) != -1) {
    switch (c) {
    case 'c': a.columns = optarg; break;
    case 'u': rc = cli_units_parse(optarg, &a.units) ? 2 : 0; break;
    case 'l': rc = parse_window(optarg, &a.lam_from, &a.lam_to) ? 2 : 0; break;
    case OPT_SAMPLED: a.sampled = 1; break;
    case OPT_SCENARIO: a.scenario = optarg; break;
    case 'S': rc = cli_settings_add(&a.set, optarg) ? 2 : 0; break;
    case 'o': a.output = cli_output_arg(optarg); break;
    case OPT_NOMETA: a.no_meta = 1; break;
    case 'h': cli_settings_free(&a.set); fputs(HELP, stdout); return 0;
    default: rc = 2; cli_usage_error(HELP); break;
    }
  }
  if (rc == 0 && argc - optind > 1) {
    cli_fail("nca takes one scenario or trajectory file, got %d arguments", argc - optind);
    cli_usage_error(HELP);
    rc = 2;
  }
  if (rc == 0) {
    a.input = optind < argc ? argv[optind] : NULL;
    rc = run_nca(&a);
  }
  cli_settings_free(&a.set);
  return rc;
}
