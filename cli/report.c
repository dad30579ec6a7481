/* report.c - what goes out beside the numbers: concentration units
 * (--units), JSON output, and the run's metadata (pk version, command line,
 * scenario and model files with SHA-256 digests, settings, solver and
 * tolerances, seed), as a sidecar NAME.meta.json beside a CSV or inside a
 * JSON file. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include "cli.h"

static int g_argc;
static char **g_argv;

void cli_set_command_line(int argc, char **argv) {
  /* a copy of the pointers: getopt permutes argv */
  static char *copy[256];
  g_argc = argc < 256 ? argc : 256;
  for (int i = 0; i < g_argc; i++) copy[i] = argv[i];
  g_argv = copy;
}

/* ---- units ---- */

int cli_units_parse(const char *text, cli_units *u) {
  if (!text || strcmp(text, "nM") == 0) *u = CLI_UNITS_NM;
  else if (strcmp(text, "ng/mL") == 0 || strcmp(text, "ng/ml") == 0) *u = CLI_UNITS_NG_ML;
  else if (strcmp(text, "ug/L") == 0 || strcmp(text, "µg/L") == 0 || strcmp(text, "ug/l") == 0)
    *u = CLI_UNITS_UG_L;
  else
    return cli_fail("--units takes nM, ng/mL or ug/L (µg/L), got '%s'", text);
  return 0;
}

const char *cli_units_name(cli_units u) {
  return u == CLI_UNITS_NG_ML ? "ng/mL" : u == CLI_UNITS_UG_L ? "ug/L" : "nM";
}

/* The compound of a concentration column C_<id> or ce_<id>, -1 if none. */
static int conc_compound(const pk_model *m, const char *col) {
  const char *id = strncmp(col, "C_", 2) == 0 ? col + 2 : strncmp(col, "ce_", 3) == 0 ? col + 3 : NULL;
  if (!id || !m) return -1;
  int n = pk_model_compound_count(m);
  for (int i = 0; i < n; i++) {
    pk_compound_params p;
    if (pk_model_get_compound(m, i, &p, NULL) == PK_OK && strcmp(p.id, id) == 0) return i;
  }
  return -1;
}

double cli_units_factor(const pk_model *m, const char *col, cli_units u) {
  int i = conc_compound(m, col);
  if (i < 0 || u == CLI_UNITS_NM) return 1.0;
  pk_compound_params p;
  if (pk_model_get_compound(m, i, &p, NULL) != PK_OK) return NAN;
  return p.mw_g_per_mol / 1000.0; /* nmol/L * g/mol = ng/L; / 1000: ng/mL (= ug/L) */
}

void cli_units_column(const pk_model *m, const char *col, cli_units u, char *buf, size_t n) {
  if (conc_compound(m, col) < 0 || u == CLI_UNITS_NM) snprintf(buf, n, "%s", col);
  else snprintf(buf, n, "%s_%s", col, u == CLI_UNITS_NG_ML ? "ngmL" : "ugL");
}

/* ---- metadata ---- */

static void add_file(cJSON *arr, const char *path) {
  cJSON *o = cJSON_CreateObject();
  char hex[65];
  cJSON_AddStringToObject(o, "path", path);
  if (cli_sha256_file(path, hex) == 0) cJSON_AddStringToObject(o, "sha256", hex);
  else cJSON_AddNullToObject(o, "sha256");
  cJSON_AddItemToArray(arr, o);
}

cJSON *cli_meta_object(const cli_run *r) {
  cJSON *o = cJSON_CreateObject();
  if (!o) return NULL;
  cJSON_AddStringToObject(o, "program", "pk");
  cJSON_AddStringToObject(o, "pk_version", PK_VERSION_STRING);
  cJSON_AddStringToObject(o, "libpk_version", pk_version());
  char when[32];
  time_t now = time(NULL);
  struct tm tm;
  if (gmtime_r(&now, &tm) && strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm))
    cJSON_AddStringToObject(o, "run_at_utc", when);
  cJSON *cmd = cJSON_AddArrayToObject(o, "command_line");
  for (int i = 0; i < g_argc; i++) cJSON_AddItemToArray(cmd, cJSON_CreateString(g_argv[i]));
  if (r && r->scenario_path) {
    cJSON *sc = cJSON_AddArrayToObject(o, "scenario");
    add_file(sc, r->scenario_path);
  }
  if (r && r->input_path) {
    cJSON *in = cJSON_AddArrayToObject(o, "input");
    add_file(in, r->input_path);
  }
  if (r && r->scenario) {
    cJSON *mf = cJSON_AddArrayToObject(o, "model_files");
    for (size_t k = 0; k < pk_scenario_file_count(r->scenario); k++)
      add_file(mf, pk_scenario_file(r->scenario, k));
    pk_sim_options opt = pk_scenario_options(r->scenario);
    pk_error err;
    int path = pk_sim_resolve_solver(pk_scenario_model(r->scenario), &opt, &err);
    cJSON *so = cJSON_AddObjectToObject(o, "solver");
    cJSON_AddStringToObject(so, "path", path == PK_SOLVER_ODE ? "ode" : "exact");
    cJSON_AddStringToObject(so, "requested", pk_solver_name(opt.solver));
    if (path == PK_SOLVER_ODE) {
      cJSON_AddStringToObject(so, "method", pk_ode_method_name(opt.method));
      cJSON_AddNumberToObject(so, "rtol", opt.rtol);
      cJSON_AddNumberToObject(so, "atol", opt.atol);
    } else {
      cJSON_AddNumberToObject(so, "quad_tol_per_h", opt.quad_tol > 0 ? opt.quad_tol : 1e-11);
    }
    cJSON *grid = cJSON_AddObjectToObject(o, "output_grid");
    cJSON_AddNumberToObject(grid, "start_h", opt.output_start_h);
    cJSON_AddNumberToObject(grid, "end_h", opt.t_end_h);
    cJSON_AddNumberToObject(grid, "step_h", opt.output_step_h);
  }
  if (r && r->set) {
    cJSON *st = cJSON_AddArrayToObject(o, "settings");
    for (size_t k = 0; k < r->set->n; k++) cJSON_AddItemToArray(st, cJSON_CreateString(r->set->v[k]));
  }
  if (r && r->has_seed) cJSON_AddNumberToObject(o, "seed", (double)r->seed);
  if (r && r->has_units) cJSON_AddStringToObject(o, "concentration_unit", cli_units_name(r->units));
  for (const cJSON *x = r && r->extra ? r->extra->child : NULL; x; x = x->next)
    if (x->string) cJSON_AddItemToObject(o, x->string, cJSON_Duplicate(x, 1));
  return o;
}

int cli_meta_sidecar(const char *output, char *buf, size_t n) {
  if (!output || strcmp(output, "-") == 0) return -1;
  struct stat st;
  if (stat(output, &st) == 0 && !S_ISREG(st.st_mode)) return -1; /* a device, a FIFO */
  if (strncmp(output, "/dev/", 5) == 0 || strncmp(output, "/proc/", 6) == 0) return -1;
  size_t len = strlen(output);
  const char *dot = strrchr(output, '.'), *slash = strrchr(output, '/');
  if (dot && (!slash || dot > slash + 1) && strcmp(dot, ".csv") == 0) len = (size_t)(dot - output);
  if ((size_t)snprintf(buf, n, "%.*s.meta.json", (int)len, output) >= n) return -1;
  return 0;
}

int cli_meta_write_sidecar(const char *output, const cli_run *r) {
  char path[4200];
  if (cli_meta_sidecar(output, path, sizeof path) != 0) return 0;
  cJSON *o = cli_meta_object(r);
  char *text = o ? cJSON_Print(o) : NULL;
  cJSON_Delete(o);
  if (!text) return cli_fail("out of memory");
  pk_output *out = NULL;
  pk_error err;
  int rc = 0;
  if (pk_output_open(path, &out, &err) != PK_OK) {
    cli_report(&err);
    rc = 1;
  } else {
    fputs(text, pk_output_stream(out));
    fputc('\n', pk_output_stream(out));
    if (pk_output_commit(out, &err) != PK_OK) cli_report(&err), rc = 1;
  }
  free(text);
  return rc;
}

int cli_is_json_name(const char *path) {
  const char *dot = path ? strrchr(path, '.') : NULL;
  return dot && strcmp(dot, ".json") == 0;
}

/* ---- trajectories ---- */

/* The column names and factors of t in units u. */
static int unit_columns(const pk_trajectory *t, const pk_model *m, cli_units u, char (*names)[96],
                        double *f) {
  size_t nc = pk_trajectory_cols(t);
  for (size_t j = 0; j < nc; j++) {
    const char *name = pk_trajectory_column_name(t, j);
    cli_units_column(m, name, u, names[j], sizeof names[j]);
    f[j] = cli_units_factor(m, name, u);
    if (!isfinite(f[j])) return cli_fail("no molecular weight for column %s", name);
  }
  return 0;
}

void cli_json_string(FILE *out, const char *text) {
  fputc('"', out);
  for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
    if (*p == '"' || *p == '\\') fprintf(out, "\\%c", *p);
    else if (*p < 0x20 || *p == 0x7f) fprintf(out, "\\u%04x", *p);
    else fputc(*p, out);
  }
  fputc('"', out);
}

static int write_csv_body(const pk_trajectory *t, char (*names)[96], const double *f, FILE *out) {
  size_t nc = pk_trajectory_cols(t), nr = pk_trajectory_rows(t);
  const double *d = pk_trajectory_data(t);
  for (size_t j = 0; j < nc; j++) fprintf(out, "%s%s", j ? "," : "", names[j]);
  fputc('\n', out);
  double *row = malloc(nc * sizeof *row);
  char *line = malloc(PK_CSV_FIELD_MAX * nc + 2);
  if (!row || !line) {
    free(row);
    free(line);
    return cli_fail("out of memory");
  }
  for (size_t i = 0; i < nr; i++) {
    for (size_t j = 0; j < nc; j++) row[j] = d[i * nc + j] * f[j];
    size_t len = pk_csv_format_values(row, nc, 0, line);
    fwrite(line + 1, 1, len - 1, out); /* without the leading comma */
    fputc('\n', out);
  }
  free(row);
  free(line);
  return 0;
}

static int write_json_body(const pk_trajectory *t, char (*names)[96], const double *f,
                            const pk_model *m, cli_units u, const cli_run *r, FILE *out) {
  size_t nc = pk_trajectory_cols(t), nr = pk_trajectory_rows(t);
  const double *d = pk_trajectory_data(t);
  cJSON *meta = cli_meta_object(r);
  char *mt = meta ? cJSON_Print(meta) : NULL;
  cJSON_Delete(meta);
  fprintf(out, "{\n\"metadata\": %s,\n\"columns\": [", mt ? mt : "null");
  free(mt);
  for (size_t j = 0; j < nc; j++) {
    const char *name = pk_trajectory_column_name(t, j);
    fprintf(out, "%s\n  {\"name\": ", j ? "," : "");
    cli_json_string(out, names[j]);
    fprintf(out, ", \"unit\": \"%s\"}", cli_column_unit(m, name, u));
  }
  fputs("\n],\n\"data\": {", out);
  char line[PK_CSV_FIELD_MAX + 2];
  for (size_t j = 0; j < nc; j++) {
    fputs(j ? ",\n  " : "\n  ", out);
    cli_json_string(out, names[j]);
    fputs(": [", out);
    for (size_t i = 0; i < nr; i++) {
      double v = d[i * nc + j] * f[j];
      size_t len = pk_csv_format_values(&v, 1, 0, line);
      if (i) fputc(',', out);
      fwrite(line + 1, 1, len - 1, out);
    }
    fputc(']', out);
  }
  fputs("\n}\n}\n", out);
  return 0;
}

const char *cli_column_unit(const pk_model *m, const char *col, cli_units u) {
  if (strcmp(col, "time_h") == 0) return "h";
  if (conc_compound(m, col) >= 0) return cli_units_name(u);
  if (strncmp(col, "A_", 2) == 0) return "umol";
  if (strncmp(col, "occ", 3) == 0) return "fraction of receptors";
  return "fraction of system maximum";
}

int cli_write_trajectory(const pk_trajectory *t, const pk_model *m, const char *path, int json,
                         cli_units u, const cli_run *r) {
  size_t nc = pk_trajectory_cols(t);
  char(*names)[96] = malloc(nc * sizeof *names);
  double *f = malloc(nc * sizeof *f);
  int rc = 0;
  if (!names || !f) rc = cli_fail("out of memory");
  if (rc == 0) rc = unit_columns(t, m, u, names, f);
  pk_output *out = NULL;
  pk_error err;
  if (rc == 0 && path && pk_output_open(path, &out, &err) != PK_OK) {
    cli_report(&err);
    rc = 1;
  }
  if (rc == 0) {
    FILE *s = out ? pk_output_stream(out) : stdout;
    rc = json ? write_json_body(t, names, f, m, u, r, s) : write_csv_body(t, names, f, s);
    if (rc != 0) {
      if (out) pk_output_discard(out);
    } else if (out) {
      if (pk_output_commit(out, &err) != PK_OK) cli_report(&err), rc = 1;
    } else if (fflush(stdout) != 0 || ferror(stdout)) {
      rc = cli_fail("cannot write to standard output");
    }
  }
  if (rc == 0 && path && !json && r && r->sidecar) rc = cli_meta_write_sidecar(path, r);
  free(names);
  free(f);
  return rc;
}
