/* cmd_curve.c - pk curve: concentration -> occupancy and response of the
 * receptor's ligands (alone, and mixed at fixed ratios), and steady-state
 * dose -> day-mean, trough and peak of occupancy, response and plasma
 * concentrations for the scenario's first dosing entry. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

static const char HELP[] =
    "usage: pk curve conc [SCENARIO] [--ligands ID,...] [--mix ID=R,...]\n"
    "                     [--range LO:HI:N] [--linear] [-o FILE.csv|FILE.json]\n"
    "       pk curve dose [SCENARIO] --range LO:HI:N [--linear] [--set KEY=VALUE ...]\n"
    "                     [-o FILE.csv|FILE.json]\n"
    "\n"
    "conc: the receptor model at equilibrium (README, \"Receptor pharmacology\"):\n"
    "for a plasma concentration C (nM; the effect site equals it at steady\n"
    "state) a ligand's unbound concentration is fu*C, its occupancy\n"
    "x/(1 + sum x) with x = fu*C/K, and the response E = sum tau*x / (1 + sum x +\n"
    "sum tau*x) (fraction of the system maximum). One curve per ligand of the\n"
    "scenario's model (or of --ligands), and with --mix one curve of the ligands\n"
    "together, ligand i at R_i*C. Rows: curve, C_nM, occ, E, occ_<id> for every\n"
    "ligand. Default range 0.1:100000:61, log-spaced.\n"
    "\n"
    "dose: the periodic steady state of the scenario's first dosing entry (its\n"
    "product or compound and clock times, taken every day for ever, alone) at\n"
    "each dose per administration of the range (in the entry's unit: g, units,\n"
    "mg): over one day, the mean (Simpson's rule at 0.005 h), trough and peak (on the\n"
    "continuous solution, 1e-6 h) of occ and E, and of every C_<id> (nM).\n"
    "Rows: dose, unit, occ_mean, occ_trough, occ_peak, E_mean, E_trough, E_peak,\n"
    "then C_<id>_mean, _trough, _peak. Default range: linear, N 11.\n"
    "\n"
    "  -l, --ligands LIST  ligands (ids or names) for conc curves (default: all)\n"
    "  -m, --mix LIST      a mixture: ID=R pairs, ligand ID at R times the axis\n"
    "  -r, --range LO:HI:N the axis: concentrations (nM) or doses\n"
    "      --log, --linear spacing of the axis (conc: log, dose: linear)\n"
    CLI_SET_HELP
    "  -o, --output FILE   CSV (default or -: standard output), JSON for FILE.json\n"
    "      --no-metadata   no NAME.meta.json beside a CSV file\n"
    "  -h, --help          this text\n";

enum { OPT_LOG = 256, OPT_LINEAR, OPT_NOMETA };
enum { MAX_LIG = 32, MAX_POINTS = 100000 };

typedef struct curve_args {
  const char *kind, *scenario, *ligands, *mix, *range, *output;
  int spacing; /* 0 default, 1 log, 2 linear */
  int no_meta;
  cli_settings set;
} curve_args;

static int parse_range(const char *text, int log_default, int spacing, double **xs, size_t *n) {
  double lo, hi;
  unsigned long k;
  char *e1, *e2, *e3;
  errno = 0;
  lo = strtod(text, &e1);
  if (e1 == text || *e1 != ':') goto bad;
  hi = strtod(e1 + 1, &e2);
  if (e2 == e1 + 1 || *e2 != ':') goto bad;
  k = strtoul(e2 + 1, &e3, 10);
  if (e3 == e2 + 1 || *e3 || errno || !isfinite(lo) || !isfinite(hi) || !(lo < hi) || k < 2 ||
      k > MAX_POINTS || lo < 0)
    goto bad;
  int lg = spacing ? spacing == 1 : log_default;
  if (lg && !(lo > 0)) return cli_fail("--range: a log-spaced axis needs LO > 0, got %g", lo);
  double *x = malloc(k * sizeof *x);
  if (!x) return cli_fail("out of memory");
  for (unsigned long i = 0; i < k; i++) {
    double u = (double)i / (double)(k - 1);
    x[i] = lg ? exp(log(lo) + u * (log(hi) - log(lo))) : lo + u * (hi - lo);
  }
  x[0] = lo;
  x[k - 1] = hi;
  *xs = x;
  *n = k;
  return 0;
bad:
  return cli_fail("--range: expected LO:HI:N with 0 <= LO < HI and N in [2, %d], got '%s'",
                  MAX_POINTS, text);
}

/* ---- output: a table of named numeric columns, text in the first ---- */

typedef struct table {
  size_t cols, rows, cap;
  char (*names)[64];
  char (*label)[64]; /* first column's text per row (NULL: none) */
  double *v;
} table;

static int table_row(table *t, const char *label, const double *v) {
  if (t->rows == t->cap) {
    size_t cap = t->cap ? 2 * t->cap : 64;
    double *nv = realloc(t->v, cap * t->cols * sizeof *nv);
    if (!nv) return cli_fail("out of memory");
    t->v = nv;
    if (t->label) {
      char(*nl)[64] = realloc(t->label, cap * sizeof *nl);
      if (!nl) return cli_fail("out of memory");
      t->label = nl;
    }
    t->cap = cap;
  }
  memcpy(t->v + t->rows * t->cols, v, t->cols * sizeof *v);
  if (t->label) snprintf(t->label[t->rows], 64, "%s", label);
  t->rows++;
  return 0;
}

static int table_write(const table *t, const char *label_name, const char *path,
                       const cli_run *run) {
  int json = path && cli_is_json_name(path);
  pk_output *o = NULL;
  pk_error err;
  if (path && pk_output_open(path, &o, &err) != PK_OK) return cli_report(&err), 1;
  FILE *f = o ? pk_output_stream(o) : stdout;
  char line[PK_CSV_FIELD_MAX + 2];
  if (json) {
    cJSON *meta = cli_meta_object(run);
    char *mt = meta ? cJSON_Print(meta) : NULL;
    cJSON_Delete(meta);
    fprintf(f, "{\n\"metadata\": %s,\n\"rows\": [", mt ? mt : "null");
    free(mt);
    for (size_t i = 0; i < t->rows; i++) {
      fputs(i ? ",\n  {" : "\n  {", f);
      if (t->label) {
        fprintf(f, "\"%s\": ", label_name);
        cli_json_string(f, t->label[i]);
        fputs(", ", f);
      }
      for (size_t j = 0; j < t->cols; j++) {
        double v = t->v[i * t->cols + j];
        size_t len = pk_csv_format_values(&v, 1, 0, line);
        fprintf(f, "%s\"%s\": %.*s", j ? ", " : "", t->names[j], (int)(len - 1), line + 1);
      }
      fputc('}', f);
    }
    fputs("\n]\n}\n", f);
  } else {
    if (t->label) fprintf(f, "%s,", label_name);
    for (size_t j = 0; j < t->cols; j++) fprintf(f, "%s%s", j ? "," : "", t->names[j]);
    fputc('\n', f);
    for (size_t i = 0; i < t->rows; i++) {
      if (t->label) fprintf(f, "%s,", t->label[i]);
      for (size_t j = 0; j < t->cols; j++) {
        double v = t->v[i * t->cols + j];
        size_t l = pk_csv_format_values(&v, 1, 0, line);
        fprintf(f, "%s%.*s", j ? "," : "", (int)(l - 1), line + 1);
      }
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

static void table_free(table *t) {
  free(t->names);
  free(t->label);
  free(t->v);
}

/* ---- conc ---- */

typedef struct ligand {
  int index;
  char id[PK_ID_MAX];
  double fu, K, tau, ratio;
} ligand;

static int find_ligand(const pk_model *m, const char *name, ligand *out) {
  int i = pk_model_find_compound(m, name);
  pk_compound_params p;
  if (i < 0 || pk_model_get_compound(m, i, &p, NULL) != PK_OK)
    return cli_fail("no compound '%s' in the scenario's model files", name);
  if (!p.binds_receptor) return cli_fail("compound '%s' is not a ligand of the receptor", name);
  *out = (ligand){.index = i, .fu = p.fu, .K = p.K_nM, .tau = p.tau, .ratio = 1};
  snprintf(out->id, sizeof out->id, "%s", p.id);
  return 0;
}

static int curve_conc(const curve_args *a, const pk_scenario *s, table *t) {
  const pk_model *m = pk_scenario_model(s);
  ligand lig[MAX_LIG], mix[MAX_LIG];
  size_t nl = 0, nm = 0, n = 0;
  double *x = NULL;
  int rc = 0;
  if (a->ligands) {
    for (const char *q = a->ligands; *q && rc == 0;) {
      size_t len = strcspn(q, ",");
      char name[PK_NAME_MAX];
      snprintf(name, sizeof name, "%.*s", (int)(len < PK_NAME_MAX - 1 ? len : PK_NAME_MAX - 1), q);
      if (nl == MAX_LIG) rc = cli_fail("--ligands: at most %d", MAX_LIG);
      else rc = find_ligand(m, name, &lig[nl++]);
      q += len + (q[len] == ',');
    }
  } else {
    for (int i = 0; i < pk_model_compound_count(m) && nl < MAX_LIG; i++) {
      pk_compound_params p;
      if (pk_model_get_compound(m, i, &p, NULL) == PK_OK && p.binds_receptor)
        rc |= find_ligand(m, p.id, &lig[nl++]);
    }
    if (nl == 0) return cli_fail("the scenario's model has no receptor ligand");
  }
  for (const char *q = a->mix; q && *q && rc == 0;) {
    size_t len = strcspn(q, ",");
    char item[PK_NAME_MAX + 32];
    snprintf(item, sizeof item, "%.*s", (int)(len < sizeof item - 1 ? len : sizeof item - 1), q);
    char *eq = strchr(item, '='), *end = NULL;
    if (!eq) {
      rc = cli_fail("--mix: expected ID=RATIO pairs, got '%s'", item);
      break;
    }
    *eq = '\0';
    errno = 0;
    double r = strtod(eq + 1, &end);
    if (end == eq + 1 || *end || errno || !isfinite(r) || r < 0)
      rc = cli_fail("--mix: the ratio of '%s' must be a finite number >= 0, got '%s'", item, eq + 1);
    else if (nm == MAX_LIG) rc = cli_fail("--mix: at most %d ligands", MAX_LIG);
    else if ((rc = find_ligand(m, item, &mix[nm])) == 0) mix[nm++].ratio = r;
    q += len + (q[len] == ',');
  }
  if (rc == 0) rc = parse_range(a->range ? a->range : "0.1:100000:61", 1, a->spacing, &x, &n);
  if (rc) return free(x), rc;
  /* columns: C_nM, occ, E, occ_<id> of every ligand named anywhere */
  ligand all[2 * MAX_LIG];
  size_t na = 0;
  for (size_t k = 0; k < nl + nm; k++) {
    const ligand *l = k < nl ? &lig[k] : &mix[k - nl];
    size_t j = 0;
    while (j < na && all[j].index != l->index) j++;
    if (j == na) all[na++] = *l;
  }
  t->cols = 3 + na;
  t->names = calloc(t->cols, sizeof *t->names);
  t->label = calloc(1, sizeof *t->label);
  if (!t->names || !t->label) return free(x), cli_fail("out of memory");
  snprintf(t->names[0], 64, "C_nM");
  snprintf(t->names[1], 64, "occ");
  snprintf(t->names[2], 64, "E");
  for (size_t j = 0; j < na; j++) snprintf(t->names[3 + j], 64, "occ_%s", all[j].id);
  double u[2 * MAX_LIG], K[2 * MAX_LIG], tau[2 * MAX_LIG], occ[2 * MAX_LIG], row[3 + 2 * MAX_LIG];
  pk_error err;
  for (size_t c = 0; c < nl + (nm > 0) && rc == 0; c++) {
    const ligand *set = c < nl ? &lig[c] : mix;
    size_t ns = c < nl ? 1 : nm;
    const char *label = c < nl ? lig[c].id : "mix";
    for (size_t i = 0; i < n && rc == 0; i++) {
      for (size_t k = 0; k < ns; k++) {
        u[k] = set[k].fu * set[k].ratio * x[i];
        K[k] = set[k].K;
        tau[k] = set[k].tau;
      }
      double ot = 0, E = 0;
      if (pk_receptor_response(ns, u, K, tau, occ, &ot, &E, &err) != PK_OK) {
        cli_report(&err);
        rc = 1;
        break;
      }
      row[0] = x[i];
      row[1] = ot;
      row[2] = E;
      for (size_t j = 0; j < na; j++) {
        row[3 + j] = 0;
        for (size_t k = 0; k < ns; k++)
          if (set[k].index == all[j].index) row[3 + j] += occ[k];
      }
      rc = table_row(t, label, row);
    }
  }
  free(x);
  return rc;
}

/* ---- dose ---- */

/* The settings that make the scenario the entry's daily regimen at `dose`,
 * at steady state, simulated over one day. */
static int dose_settings(const pk_model *m, const pk_taper_item *it, double dose, char *ss,
                         char *dosing, size_t n) {
  char what[160], times[400] = "", clock[400] = "";
  const char *unit = pk_taper_item_unit(m, it), *name = pk_taper_item_name(m, it);
  if (!unit || !name) return cli_fail("the first dosing entry names nothing in the model");
  if (it->product >= 0)
    snprintf(what, sizeof what, "\"product\": \"%s\", \"%s\": %.17g", name,
             strcmp(unit, "g") == 0 ? "dose_g" : "dose_units", dose);
  else
    snprintf(what, sizeof what, "\"compound\": \"%s\", \"dose_mg\": %.17g, \"route\": \"%s\"",
             name, dose, it->route == PK_ROUTE_IV ? "iv" : "oral");
  for (size_t k = 0; k < it->n_times; k++) {
    size_t l = strlen(times), c = strlen(clock);
    snprintf(times + l, sizeof times - l, "%s%.17g", k ? "," : "", it->times_of_day_h[k]);
    snprintf(clock + c, sizeof clock - c, "%s%.17g", k ? "," : "", it->times_of_day_h[k]);
  }
  snprintf(ss, n, "steady_state={\"period_h\": 24, \"dosing\": [{%s, \"times_of_day_h\": [%s]}]}",
           what, clock);
  snprintf(dosing, n, "dosing=[{%s, \"times_h\": [%s]}]", what, times);
  return 0;
}

static int curve_dose(const curve_args *a, const char *path, const pk_scenario *s0, table *t) {
  const pk_model *m0 = pk_scenario_model(s0);
  pk_taper_item it;
  int start_day;
  pk_regimen *others = NULL;
  pk_error err;
  if (pk_scenario_taper_start(s0, &it, &start_day, &others, &err) != PK_OK) {
    fprintf(stderr, "pk: curve dose takes its regimen from the first dosing entry of %s:\n",
            path);
    cli_report(&err);
    return 1;
  }
  pk_regimen_free(others);
  double *x = NULL;
  size_t n = 0;
  char def[64];
  snprintf(def, sizeof def, "%.6g:%.6g:11", 0.0, 2 * it.start_dose);
  int rc = parse_range(a->range ? a->range : def, 0, a->spacing, &x, &n);
  if (rc) return rc;
  int nc = pk_model_compound_count(m0);
  t->cols = 8 + 3 * (size_t)nc;
  t->names = calloc(t->cols, sizeof *t->names);
  if (!t->names) return free(x), cli_fail("out of memory");
  static const char *const head[] = {"dose", "occ_mean", "occ_trough", "occ_peak",
                                     "E_mean", "E_trough", "E_peak"};
  for (int j = 0; j < 7; j++) snprintf(t->names[j], 64, "%s", head[j]);
  snprintf(t->names[7], 64, "doses_per_day");
  for (int c = 0; c < nc; c++) {
    pk_compound_params p;
    pk_model_get_compound(m0, c, &p, NULL);
    snprintf(t->names[8 + 3 * c], 64, "C_%s_mean", p.id);
    snprintf(t->names[9 + 3 * c], 64, "C_%s_trough", p.id);
    snprintf(t->names[10 + 3 * c], 64, "C_%s_peak", p.id);
  }
  size_t nset = a->set.n + 6;
  const char **set = malloc(nset * sizeof *set);
  char ss[1200], dosing[1200];
  double *row = malloc(t->cols * sizeof *row);
  if (!set || !row) rc = cli_fail("out of memory");
  for (size_t i = 0; i < n && rc == 0; i++) {
    row[0] = x[i];
    row[7] = (double)it.n_times;
    if (!(x[i] > 0)) { /* nothing taken: nothing bound */
      for (size_t j = 1; j < t->cols; j++) row[j] = j == 7 ? (double)it.n_times : 0.0;
      rc = table_row(t, NULL, row);
      continue;
    }
    if ((rc = dose_settings(m0, &it, x[i], ss, dosing, sizeof ss)) != 0) break;
    for (size_t k = 0; k < a->set.n; k++) set[k] = a->set.v[k];
    set[a->set.n] = ss;
    set[a->set.n + 1] = dosing;
    set[a->set.n + 2] = "run_in_days=0";
    set[a->set.n + 3] = "output.duration_days=1";
    set[a->set.n + 4] = "output.step_h=0.005";
    set[a->set.n + 5] = "subject.initial_tol=0";
    pk_scenario *s = NULL;
    pk_trajectory *tr = NULL;
    if (pk_scenario_load_set(path, set, nset, &s, &err) != PK_OK ||
        pk_scenario_simulate(s, &tr, &err) != PK_OK) {
      fprintf(stderr, "pk: curve dose at %g %s:\n", x[i], pk_taper_item_unit(m0, &it));
      cli_report(&err);
      pk_scenario_free(s);
      rc = 1;
      break;
    }
    const char *cols[2 + 32];
    size_t ncols = 0;
    cols[ncols++] = "occ";
    cols[ncols++] = "E";
    char cn[32][PK_ID_MAX + 4];
    for (int c = 0; c < nc && c < 32; c++) {
      pk_compound_params p;
      pk_model_get_compound(m0, c, &p, NULL);
      snprintf(cn[c], sizeof cn[c], "C_%s", p.id);
      cols[ncols++] = cn[c];
    }
    pk_sim_options o = pk_scenario_options(s);
    for (size_t k = 0; k < ncols && rc == 0; k++) {
      int j = pk_trajectory_column_index(tr, cols[k]);
      size_t nr = pk_trajectory_rows(tr);
      double area = 0, lo = INFINITY, hi = -INFINITY;
      size_t jl = 0, jh = 0;
      for (size_t r = 0; r < nr; r++) {
        double v = pk_trajectory_get(tr, r, (size_t)j);
        /* composite Simpson over the uniform grid (an even number of steps) */
        area += v * (r == 0 || r == nr - 1 ? 1.0 : r % 2 ? 4.0 : 2.0);
        if (v < lo) lo = v, jl = r;
        if (v > hi) hi = v, jh = r;
      }
      double span = pk_trajectory_get(tr, nr - 1, 0) - pk_trajectory_get(tr, 0, 0);
      area *= span / (double)(nr - 1) / 3.0;
      if (nr % 2 == 0) {
        rc = cli_fail("curve dose: %zu output rows over the day; expected an odd number", nr);
        break;
      }
      double tt, vv;
      for (int want = 0; want < 2 && rc == 0; want++) {
        size_t jj = want ? jh : jl;
        double a0 = pk_trajectory_get(tr, jj > 0 ? jj - 1 : 0, 0);
        double b0 = pk_trajectory_get(tr, jj + 1 < nr ? jj + 1 : nr - 1, 0);
        if (pk_sim_extremum(pk_scenario_model(s), pk_scenario_regimen(s), &o, cols[k], a0, b0,
                            want, &tt, &vv, &err) != PK_OK) {
          cli_report(&err);
          rc = 1;
        } else if (want ? vv > hi : vv < lo) {
          if (want) hi = vv;
          else lo = vv;
        }
      }
      size_t base = k < 2 ? 1 + 3 * k : 8 + 3 * (k - 2);
      row[base] = area / span;
      row[base + 1] = lo;
      row[base + 2] = hi;
    }
    pk_trajectory_free(tr);
    pk_scenario_free(s);
    if (rc == 0) rc = table_row(t, NULL, row);
  }
  free(set);
  free(row);
  free(x);
  return rc;
}

int cmd_curve(int argc, char **argv) {
  static const struct option opts[] = {{"ligands", required_argument, 0, 'l'},
                                       {"mix", required_argument, 0, 'm'},
                                       {"range", required_argument, 0, 'r'},
                                       {"log", no_argument, 0, OPT_LOG},
                                       {"linear", no_argument, 0, OPT_LINEAR},
                                       {"set", required_argument, 0, 'S'},
                                       {"output", required_argument, 0, 'o'},
                                       {"no-metadata", no_argument, 0, OPT_NOMETA},
                                       {"help", no_argument, 0, 'h'},
                                       {0, 0, 0, 0}};
  curve_args a = {0};
  int c, rc = 0;
  optind = 1;
  while (rc == 0 && (c = cli_getopt(argc, argv, "l:m:r:S:o:h", opts)) != -1) {
    switch (c) {
    case 'l': a.ligands = optarg; break;
    case 'm': a.mix = optarg; break;
    case 'r': a.range = optarg; break;
    case OPT_LOG: a.spacing = 1; break;
    case OPT_LINEAR: a.spacing = 2; break;
    case 'S': rc = cli_settings_add(&a.set, optarg) ? 2 : 0; break;
    case 'o': a.output = cli_output_arg(optarg); break;
    case OPT_NOMETA: a.no_meta = 1; break;
    case 'h': cli_settings_free(&a.set); fputs(HELP, stdout); return 0;
    default: rc = 2; cli_usage_error(HELP); break;
    }
  }
  if (rc == 0 && (optind >= argc || (strcmp(argv[optind], "conc") != 0 &&
                                     strcmp(argv[optind], "dose") != 0))) {
    cli_fail("curve needs a kind: conc or dose%s%s%s", optind < argc ? ", got '" : "",
             optind < argc ? argv[optind] : "", optind < argc ? "'" : "");
    cli_usage_error(HELP);
    rc = 2;
  }
  if (rc == 0 && argc - optind > 2) {
    cli_fail("curve takes a kind and one scenario file, got %d arguments", argc - optind);
    rc = 2;
  }
  char def[4096];
  pk_scenario *s = NULL;
  table t = {0};
  if (rc == 0) {
    a.kind = argv[optind];
    a.scenario = optind + 1 < argc ? argv[optind + 1] : NULL;
    if (!a.scenario) {
      if (cli_default_scenario(def, sizeof def) != 0)
        rc = cli_fail("no SCENARIO given and the default scenario "
                      "(scenarios/kratom-taper.json) was not found; set PK_MODELS_DIR");
      a.scenario = def;
    }
  }
  if (rc == 0 && strcmp(a.kind, "dose") == 0 && (a.ligands || a.mix))
    rc = cli_fail("--ligands and --mix go with 'pk curve conc'");
  if (rc == 0) rc = cli_load_scenario(a.scenario, &a.set, 0, &s);
  char sidecar[4200];
  int json = a.output && cli_is_json_name(a.output);
  int meta = !a.no_meta && !json && cli_meta_sidecar(a.output, sidecar, sizeof sidecar) == 0;
  if (rc == 0) {
    const cli_path p[] = {{"-o", a.output, 1}, {"metadata", meta ? sidecar : NULL, 1}};
    rc = cli_check_outputs(s, a.scenario, p, 2);
  }
  if (rc == 0)
    rc = strcmp(a.kind, "conc") == 0 ? curve_conc(&a, s, &t) : curve_dose(&a, a.scenario, s, &t);
  if (rc == 0) {
    cli_run run = {.scenario = s, .scenario_path = a.scenario, .set = &a.set, .sidecar = meta};
    rc = table_write(&t, "curve", a.output, &run);
    if (rc == 0 && meta) rc = cli_meta_write_sidecar(a.output, &run);
  }
  table_free(&t);
  pk_scenario_free(s);
  cli_settings_free(&a.set);
  return rc;
}
