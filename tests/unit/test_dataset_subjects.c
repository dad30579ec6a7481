/* test_dataset_subjects.c - several subjects, per-subject parameters,
 * observation times, covariates (NOCB and LOCF), simulation options, the
 * CSV of several subjects, and the metamorphic check that a JSON scenario's
 * regimen and the same doses as a dataset give identical trajectories
 * (compound doses, and product doses against a PRODUCT column).
 *
 * subjects.csv: 20 mg by mouth at 0 h for each subject; the closed form is
 * the Bateman function with the subject's own ka, V and CL:
 *   C = 1000/V * u ka/(ka - k) (e^{-kt} - e^{-ka t}), k = CL/V,
 * 101: base (ka 1.1, V 40, CL 8); 102: CL 4; S3: V 20, ka 0.5.
 * Closed forms to 1e-8 relative plus 1e-12 nM; the scenario comparison is
 * bit for bit (trajectory data and written CSV files). */
#include <unistd.h>
#include "dataset_helpers.h"

static void subjects_with_overrides(void) {
  pk_model *m = ds_model();
  pk_dataset *d = ds_load("subjects.csv", m, NULL);
  CHECK(pk_dataset_subject_count(d) == 3, "subjects: %zu subjects, expected 3",
        pk_dataset_subject_count(d));
  const char *ids[] = {"101", "102", "S3"};
  const double ka[] = {1.1, 1.1, 0.5}, V[] = {40, 40, 20}, CL[] = {8, 4, 8};
  const double first[] = {0, 0, -2};
  const double obs[3][2] = {{2, 5}, {1, 3}, {-2, 6}};
  for (size_t s = 0; d && s < 3; s++) {
    CHECK(strcmp(pk_dataset_subject_id(d, s), ids[s]) == 0, "subjects: ID %zu is %s", s,
          pk_dataset_subject_id(d, s));
    pk_compound_params p;
    pk_model_get_compound(pk_dataset_subject_model(d, s), 0, &p, NULL);
    CHECK(p.ka_per_h == ka[s] && p.V_L == V[s] && p.CL_L_per_h == CL[s],
          "subjects: %s has ka %g V %g CL %g, expected %g %g %g", ids[s], p.ka_per_h, p.V_L,
          p.CL_L_per_h, ka[s], V[s], CL[s]);
    pk_model_get_compound(pk_dataset_subject_model(d, s), 1, &p, NULL);
    CHECK(p.V_L == 60 && p.CL_L_per_h == 6, "subjects: %s: compound p must keep its parameters",
          ids[s]);
    CHECK(pk_dataset_subject_first_time(d, s) == first[s], "subjects: %s starts at %g h", ids[s],
          pk_dataset_subject_first_time(d, s));
    CHECK(pk_dataset_observation_count(d, s) == 2 &&
              pk_dataset_observation_times(d, s)[0] == obs[s][0] &&
              pk_dataset_observation_times(d, s)[1] == obs[s][1],
          "subjects: %s: observation times (EVID 0 and 2) wrong", ids[s]);
    CHECK(pk_regimen_size(pk_dataset_subject_regimen(d, s)) == 1, "subjects: %s: %zu doses",
          ids[s], pk_regimen_size(pk_dataset_subject_regimen(d, s)));
  }
  CHECK(pk_dataset_subject_id(d, 3) == NULL && pk_dataset_subject_model(d, 3) == NULL &&
            pk_dataset_subject_regimen(d, 3) == NULL && pk_dataset_observation_count(d, 3) == 0,
        "subjects: out-of-range accessors must give NULL or 0");
  for (size_t sv = 0; sv < 2; sv++) {
    pk_sim_options o = ds_options(24.0, 0.25, ds_solvers[sv]);
    pk_trajectory **t = ds_simulate(d, &o);
    for (size_t s = 0; t && s < 3; s++) {
      CHECK_CLOSE(unit_get(t[s], 0, "time_h"), 0.0, 0, 0, "subjects: output starts at 0 h");
      double k = CL[s] / V[s], u = ds_umol(20);
      for (size_t i = 0; i < pk_trajectory_rows(t[s]); i++) {
        double time = unit_get(t[s], i, "time_h");
        double A = u * ka[s] / (ka[s] - k) * (exp(-k * time) - exp(-ka[s] * time));
        char what[128];
        snprintf(what, sizeof what, "subjects (%s): %s at t = %g h",
                 pk_solver_name(ds_solvers[sv]), ids[s], time);
        CHECK_CLOSE(unit_get(t[s], i, "C_d"), 1000.0 * A / V[s], ds_rel, ds_abs, what);
      }
    }
    pk_dataset_trajectories_free(t, 3);
  }
  pk_dataset_free(d);
  pk_model_free(m);
}

static size_t cov_index(const pk_dataset *d, const char *name) {
  for (size_t j = 0; j < pk_dataset_covariate_count(d); j++)
    if (strcmp(pk_dataset_covariate_name(d, j), name) == 0) return j;
  CHECK(0, "covariates: no covariate %s", name);
  return (size_t)-1;
}

static void covariates(void) {
  pk_model *m = ds_model();
  const pk_covariate_rule rules[] = {{"wt", PK_FILL_LOCF}};
  pk_dataset_options opt = pk_dataset_options_default();
  opt.rules = rules;
  opt.n_rules = 1;
  pk_dataset *dflt = ds_load("subjects.csv", m, NULL), *d = ds_load("subjects.csv", m, &opt);
  CHECK(pk_dataset_covariate_count(d) == 3, "covariates: %zu covariates, expected WT AGE CL_CR "
        "(CL_d, V_d, ka_d are parameters)", pk_dataset_covariate_count(d));
  size_t wt = cov_index(d, "WT"), age = cov_index(d, "AGE"), crcl = cov_index(d, "CL_CR");
  CHECK(pk_dataset_covariate_fill(dflt, wt) == PK_FILL_NOCB &&
            pk_dataset_covariate_fill(d, wt) == PK_FILL_LOCF &&
            pk_dataset_covariate_fill(d, age) == PK_FILL_NOCB,
        "covariates: NOCB by default, LOCF where a rule says so");
  const struct {
    const pk_dataset *d;
    size_t s, j;
    double t, want;
    const char *what;
  } cases[] = {
      {dflt, 0, 0, 1.0, 72, "WT NOCB between 0 h (70) and 2 h (72)"},
      {d, 0, 0, 1.0, 70, "WT LOCF between 0 h (70) and 2 h (72)"},
      {d, 0, 0, 2.0, 72, "WT LOCF at a record"},
      {d, 0, 0, 4.0, 72, "WT LOCF past a missing value"},
      {d, 0, 0, -1.0, 70, "WT LOCF before the first record"},
      {dflt, 0, 0, 10.0, 72, "WT NOCB after the last value"},
      {d, 0, 1, 1.0, 41, "AGE NOCB across a missing value (40 at 0 h, 41 at 5 h)"},
      {d, 0, 1, 0.0, 40, "AGE NOCB at a record"},
      {d, 0, 1, -3.0, 40, "AGE NOCB before the first record"},
      {d, 0, 2, 3.0, 95, "CL_CR NOCB"},
      {d, 1, 0, 2.0, 80, "WT LOCF, second subject"},
      {dflt, 1, 0, 2.0, 82, "WT NOCB, second subject"},
      {d, 2, 0, 3.0, 60, "WT LOCF, third subject"},
  };
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
    size_t j = cases[k].j == 0 ? wt : cases[k].j == 1 ? age : crcl;
    double v = pk_dataset_covariate_at(cases[k].d, cases[k].s, j, cases[k].t);
    CHECK(v == cases[k].want, "covariates: %s at %g h: got %g, expected %g", cases[k].what,
          cases[k].t, v, cases[k].want);
  }
  CHECK(isnan(pk_dataset_covariate_at(d, 1, crcl, 1.0)),
        "covariates: a subject without any value gives NaN");
  /* a rule naming no covariate column is an error */
  const pk_covariate_rule bad[] = {{"CL_d", PK_FILL_LOCF}};
  opt.rules = bad;
  pk_error err;
  pk_dataset *x = NULL;
  pk_status st = pk_dataset_load_ex(ds_path("subjects.csv"), m, &opt, &x, &err);
  CHECK(st == PK_ERR_INVALID && !x && strstr(err.message, "'CL_d', which is not a covariate"),
        "covariates: a rule for the parameter column CL_d must be refused: %s", err.message);
  pk_dataset_free(dflt);
  pk_dataset_free(d);
  pk_model_free(m);
}

static void sim_options(void) {
  pk_model *m = ds_model();
  pk_dataset *d = ds_load("subjects.csv", m, NULL);
  pk_regimen *hist = pk_regimen_new();
  unit_dose(hist, 0, PK_ROUTE_ORAL, 0.0, 5.0);
  pk_sim_options base = unit_options(24.0, 1.0);
  base.t_start_h = -100;
  base.steady_state = hist;
  base.steady_state_period_h = 24;
  pk_sim_options o0 = pk_dataset_sim_options(d, 0, &base), o2 = pk_dataset_sim_options(d, 2, &base);
  CHECK(o0.t_start_h == 0 && o2.t_start_h == -2 && !o0.steady_state && !o2.steady_state &&
            o2.t_end_h == 24 && o2.output_step_h == 1,
        "sim options: start min(0, first record) (got %g, %g), no history, the base grid",
        o0.t_start_h, o2.t_start_h);
  pk_regimen_free(hist);
  pk_dataset_free(d);
  pk_model_free(m);
}

static char *slurp(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *b = malloc((size_t)n + 1);
  if (b && fread(b, 1, (size_t)n, f) != (size_t)n) n = 0;
  if (b) b[n] = '\0';
  fclose(f);
  return b;
}

static void csv_of_subjects(void) {
  pk_model *m = ds_model();
  pk_dataset *d = ds_load("subjects.csv", m, NULL);
  pk_sim_options o = ds_options(2.0, 1.0, PK_SOLVER_EXACT);
  o.include_amounts = 0;
  pk_trajectory **t = ds_simulate(d, &o);
  char dir[] = "/tmp/pk-dataset-test-XXXXXX", path[128];
  CHECK(mkdtemp(dir) != NULL, "csv: cannot make a temporary directory");
  snprintf(path, sizeof path, "%s/all.csv", dir);
  pk_error err;
  CHECK(t && pk_dataset_write_csv(d, t, path, &err) == PK_OK, "csv: writing failed: %s",
        err.message);
  char *text = slurp(path);
  CHECK(text && strncmp(text, "ID,time_h,C_d,C_p,", 18) == 0, "csv: header is wrong: %.40s",
        text ? text : "(no file)");
  /* 3 subjects x 3 rows, each starting with its ID */
  const char *want[] = {"101,0,", "101,1,", "101,2,", "102,0,", "102,1,",
                        "102,2,", "S3,0,",  "S3,1,",  "S3,2,"};
  const char *line = text ? strchr(text, '\n') : NULL;
  size_t n = 0;
  while (line && line[1]) {
    line++;
    CHECK(n < 9 && strncmp(line, want[n], strlen(want[n])) == 0, "csv: row %zu is %.20s", n, line);
    n++;
    line = strchr(line, '\n');
  }
  CHECK(n == 9, "csv: %zu data rows, expected 9", n);
  free(text);
  unlink(path);
  snprintf(path, sizeof path, "%s/no/such/dir/all.csv", dir);
  CHECK(t && pk_dataset_write_csv(d, t, path, &err) == PK_ERR_IO && access(path, F_OK) != 0,
        "csv: writing into a missing directory must fail with PK_ERR_IO");
  rmdir(dir);
  pk_dataset_trajectories_free(t, 3);
  pk_dataset_free(d);
  pk_model_free(m);
}

/* <name>.json and <name>.csv hold the same doses: scenario-compounds (plain
 * doses with a run-in), scenario-records (steady state with additional
 * doses, a rate-defined infusion, a reset) and scenario-products (product
 * doses with SS 1, EVID 4 and ADDL, as a PRODUCT column). */
static void scenario_equals_dataset(const char *name) {
  pk_error err;
  pk_scenario *sc = NULL;
  char path[1100], csv[256];
  snprintf(path, sizeof path, "%s.json", ds_path(name));
  snprintf(csv, sizeof csv, "%s.csv", name);
  if (pk_scenario_load(path, &sc, &err) != PK_OK) {
    CHECK(0, "scenario: %s: %s", err.path, err.message);
    return;
  }
  pk_dataset *d = ds_load(csv, pk_scenario_model(sc), NULL);
  char dir[] = "/tmp/pk-dataset-test-XXXXXX", pa[128], pb[128];
  CHECK(mkdtemp(dir) != NULL, "scenario: cannot make a temporary directory");
  snprintf(pa, sizeof pa, "%s/scenario.csv", dir);
  snprintf(pb, sizeof pb, "%s/dataset.csv", dir);
  for (size_t s = 0; d && s < 2; s++) {
    pk_sim_options o = pk_scenario_options(sc);
    o.solver = ds_solvers[s];
    if (ds_solvers[s] == PK_SOLVER_ODE) o.rtol = 1e-12, o.atol = 1e-15;
    pk_trajectory *ts = NULL;
    CHECK(pk_simulate(pk_scenario_model(sc), pk_scenario_regimen(sc), &o, &ts, &err) == PK_OK,
          "scenario: %s", err.message);
    pk_trajectory **td = ds_simulate(d, &o);
    CHECK(ts && td && pk_trajectory_rows(ts) == 145 && pk_trajectory_rows(td[0]) == 145 &&
              pk_trajectory_cols(ts) == pk_trajectory_cols(td[0]) &&
              memcmp(pk_trajectory_data(ts), pk_trajectory_data(td[0]),
                     145 * pk_trajectory_cols(ts) * sizeof(double)) == 0,
          "scenario (%s): the JSON regimen and the dataset give different trajectories",
          pk_solver_name(ds_solvers[s]));
    if (ts && td) {
      CHECK(pk_trajectory_write_csv(ts, pa, &err) == PK_OK &&
                pk_dataset_write_csv(d, td, pb, &err) == PK_OK,
            "scenario: writing: %s", err.message);
      char *a = slurp(pa), *b = slurp(pb);
      CHECK(a && b && strcmp(a, b) == 0, "scenario (%s): the CSV files differ",
            pk_solver_name(ds_solvers[s]));
      free(a);
      free(b);
    }
    pk_trajectory_free(ts);
    pk_dataset_trajectories_free(td, 1);
  }
  unlink(pa);
  unlink(pb);
  rmdir(dir);
  pk_dataset_free(d);
  pk_scenario_free(sc);
}

int main(void) {
  test_init();
  subjects_with_overrides();
  covariates();
  sim_options();
  csv_of_subjects();
  scenario_equals_dataset("scenario-compounds");
  scenario_equals_dataset("scenario-records");
  scenario_equals_dataset("scenario-products");
  return test_finish("unit_dataset_subjects");
}
