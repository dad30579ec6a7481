/* test_dataset_observations.c - output at the observation records of an
 * event dataset (pk_dataset_simulate_observations, the observation
 * accessors and pk_dataset_write_observations[_csv]).
 *
 * observations.csv (model of dataset_helpers.h): subject 1 takes 100 mg of
 * d IV at 0 h and 50 mg at 4 h, observed at 0, 0.5, 1.7 (twice), 3 (EVID
 * 2), 4 (written before the dose) and 6.25 h; the closed form
 *   C_d(t) = 1000/V (u_100 e^{-kt} + [t >= 4] u_50 e^{-k(t-4)}),
 * u = 1000 mg / MW, k = CL/V, holds at every observation (1e-8 relative
 * plus 1e-12 nM, both solvers), the rows at a dose time after the dose
 * whatever the order of the records. Where an observation time is on the
 * output grid (0, 0.5, 3, 4 and 6.25 h on a 0.25 h grid) every column
 * equals the grid's value to 1e-12 relative. Subject 2 (observations only,
 * from -1 h) has zeros; subject 3 (no observation) no row. The CSV holds
 * ID, TIME, CMT, EVID, DV, the carried columns as written in the file and
 * the outputs; a carried name that is no column, or that an output column
 * has, is refused and nothing is written. */
#include <unistd.h>
#include "dataset_helpers.h"

static const double obs_t[] = {0, 0.5, 1.7, 1.7, 3, 4, 6.25};
static const int obs_line[] = {8, 9, 10, 11, 12, 13, 15};

static double closed_form(double t) {
  double A = ds_iv(ds_umol(100), t) + (t >= 4 ? ds_iv(ds_umol(50), t - 4) : 0.0);
  return ds_conc(A);
}

static void values(const pk_dataset *d, pk_solver solver) {
  pk_sim_options o = ds_options(8.0, 0.25, solver);
  const char *sv = pk_solver_name(solver);
  pk_trajectory **obs = NULL, **grid = ds_simulate(d, &o);
  pk_error err;
  CHECK(pk_dataset_simulate_observations(d, &o, &obs, &err) == PK_OK && obs,
        "observations (%s): %s", sv, err.message);
  if (!obs || !grid) goto done;
  size_t n = sizeof obs_t / sizeof obs_t[0];
  CHECK(pk_trajectory_rows(obs[0]) == n && pk_trajectory_rows(obs[1]) == 2 &&
            pk_trajectory_rows(obs[2]) == 0 &&
            pk_trajectory_cols(obs[2]) == pk_trajectory_cols(grid[2]),
        "observations (%s): %zu, %zu and %zu rows, expected %zu, 2 and 0 (with the columns)", sv,
        pk_trajectory_rows(obs[0]), pk_trajectory_rows(obs[1]), pk_trajectory_rows(obs[2]), n);
  for (size_t i = 0; i < n && i < pk_trajectory_rows(obs[0]); i++) {
    double t = unit_get(obs[0], i, "time_h");
    char what[96];
    snprintf(what, sizeof what, "observations (%s): C_d at %g h (row %zu)", sv, obs_t[i], i);
    CHECK(t == obs_t[i], "%s: time_h is %.17g", what, t);
    CHECK_CLOSE(unit_get(obs[0], i, "C_d"), closed_form(obs_t[i]), ds_rel, ds_abs, what);
    /* on the grid: every column as the grid has it */
    size_t g = (size_t)(obs_t[i] / 0.25);
    if (g * 0.25 != obs_t[i]) continue;
    for (size_t j = 0; j < pk_trajectory_cols(grid[0]); j++) {
      snprintf(what, sizeof what, "observations (%s): %s at %g h against the grid", sv,
               pk_trajectory_column_name(grid[0], j), obs_t[i]);
      CHECK_CLOSE(pk_trajectory_get(obs[0], i, j), pk_trajectory_get(grid[0], g, j), 1e-12,
                  1e-300, what);
    }
  }
  CHECK(memcmp(pk_trajectory_data(obs[0]) + 2 * pk_trajectory_cols(obs[0]),
               pk_trajectory_data(obs[0]) + 3 * pk_trajectory_cols(obs[0]),
               pk_trajectory_cols(obs[0]) * sizeof(double)) == 0,
        "observations (%s): two records at 1.7 h give the same row", sv);
  for (size_t i = 0; i < 2 && pk_trajectory_rows(obs[1]) == 2; i++)
    CHECK(unit_get(obs[1], i, "time_h") == (i ? 2 : -1) && unit_get(obs[1], i, "C_d") == 0 &&
              unit_get(obs[1], i, "A_depot_d") == 0,
          "observations (%s): subject 2 has nothing at its observation %zu", sv, i);
done:
  pk_dataset_trajectories_free(obs, 3);
  pk_dataset_trajectories_free(grid, 3);
}

static void accessors(const pk_dataset *d) {
  size_t n = sizeof obs_t / sizeof obs_t[0];
  for (size_t k = 0; k < n; k++) {
    CHECK(pk_dataset_observation_line(d, 0, k) == obs_line[k] &&
              pk_dataset_observation_evid(d, 0, k) == (k == 4 ? 2 : 0),
          "accessors: observation %zu at line %d, EVID %d", k, pk_dataset_observation_line(d, 0, k),
          pk_dataset_observation_evid(d, 0, k));
  }
  const char *cmt = pk_dataset_observation_field(d, 0, 2, "cmt"),
             *time = pk_dataset_observation_field(d, 0, 6, "Time"),
             *dv = pk_dataset_observation_field(d, 0, 1, "DV");
  CHECK(cmt && strcmp(cmt, "2,b") == 0 && time && strcmp(time, "6.25") == 0 && dv &&
            strcmp(dv, "2249.5") == 0,
        "accessors: fields as written: CMT '%s', TIME '%s', DV '%s'", cmt ? cmt : "(null)",
        time ? time : "(null)", dv ? dv : "(null)");
  CHECK(pk_dataset_observation_field(d, 0, 0, "BMI") == NULL &&
            pk_dataset_observation_field(d, 0, 7, "DV") == NULL &&
            pk_dataset_observation_field(d, 2, 0, "DV") == NULL &&
            pk_dataset_observation_line(d, 0, 7) == 0 && pk_dataset_observation_evid(d, 3, 0) == -1,
        "accessors: no such column or record gives NULL, 0 or -1");
}

static char *slurp(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  char *b = calloc(1, 1 << 16);
  if (b && fread(b, 1, (1 << 16) - 1, f) == 0) b[0] = '\0';
  fclose(f);
  return b;
}

static void csv(const pk_dataset *d) {
  pk_sim_options o = ds_options(8.0, 0.25, PK_SOLVER_EXACT);
  o.include_amounts = 0;
  pk_trajectory **obs = NULL, **grid = ds_simulate(d, &o);
  pk_error err;
  char dir[] = "/tmp/pk-dataset-obs-XXXXXX", path[128];
  CHECK(mkdtemp(dir) != NULL, "csv: cannot make a temporary directory");
  snprintf(path, sizeof path, "%s/obs.csv", dir);
  CHECK(pk_dataset_simulate_observations(d, &o, &obs, &err) == PK_OK, "csv: %s", err.message);
  /* every covariate by default; DV and WT as written */
  CHECK(obs && pk_dataset_write_observations_csv(d, obs, NULL, 0, path, &err) == PK_OK,
        "csv: writing: %s", err.message);
  char *text = slurp(path);
  char row[256];
  snprintf(row, sizeof row, "\n1,1.7,\"2,b\",0,1790,71,%.12g,",
           obs ? unit_get(obs[0], 2, "C_d") : 0.0);
  CHECK(text && strncmp(text, "ID,TIME,CMT,EVID,DV,WT,C_d,C_p", 30) == 0 &&
            strstr(text, row) && strstr(text, "\n1,3,.,2,.,71,") &&
            strstr(text, "\n2,-1,.,0,0,80,0,0,"),
        "csv: the header or rows are wrong (want '%s'):\n%s", row + 1, text ? text : "(none)");
  size_t lines = 0;
  for (const char *p = text; p && *p; p++) lines += *p == '\n';
  CHECK(lines == 1 + 7 + 2, "csv: %zu lines, expected a header and 9 rows", lines);
  free(text);
  /* carried columns by name, without regard to case, each once */
  const char *carry[] = {"wt", "dv", "ID", "WT"};
  FILE *f = tmpfile();
  CHECK(f && pk_dataset_write_observations(d, obs, carry, 4, f, &err) == PK_OK,
        "csv: carry: %s", err.message);
  char head[64] = "";
  if (f) {
    rewind(f);
    CHECK(fgets(head, sizeof head, f) && strncmp(head, "ID,TIME,CMT,EVID,DV,WT,C_d,", 27) == 0,
          "csv: carry wt, dv, ID, WT: header '%s'", head);
    fclose(f);
  }
  const char *none[] = {"ID"};
  f = tmpfile();
  CHECK(f && pk_dataset_write_observations(d, obs, none, 1, f, &err) == PK_OK, "csv: carry ID");
  if (f) {
    rewind(f);
    CHECK(fgets(head, sizeof head, f) && strncmp(head, "ID,TIME,CMT,EVID,DV,C_d,", 24) == 0,
          "csv: carrying nothing but the fixed columns: header '%s'", head);
    fclose(f);
  }
  /* refused before anything is written */
  unlink(path);
  const char *bmi[] = {"BMI"};
  pk_status st = pk_dataset_write_observations_csv(d, obs, bmi, 1, path, &err);
  CHECK(st == PK_ERR_INVALID && strstr(err.message, "no column 'BMI' in the dataset") &&
            strstr(err.message, "(ID, TIME, EVID, AMT, CMT, DV, WT)") && access(path, F_OK) != 0,
        "csv: an unknown column to carry: %s", err.message);
  st = pk_dataset_write_observations_csv(d, grid, NULL, 0, path, &err);
  CHECK(st == PK_ERR_INVALID && strstr(err.message, "subject 1: 33 rows for 7 observation") &&
            access(path, F_OK) != 0,
        "csv: grid trajectories are not observation rows: %s", err.message);
  pk_dataset_trajectories_free(obs, 3);
  pk_dataset_trajectories_free(grid, 3);
  rmdir(dir);
}

/* A covariate with the name of an output column cannot be carried. */
static void clash(const pk_model *m) {
  const char text[] = "ID,TIME,AMT,C_p\n1,0,10,3\n1,1,.,4\n";
  pk_dataset *d = NULL;
  pk_error err;
  pk_trajectory **obs = NULL;
  pk_sim_options o = ds_options(2.0, 1.0, PK_SOLVER_EXACT);
  CHECK(pk_dataset_load_text(text, sizeof text - 1, "clash.csv", m, NULL, &d, &err) == PK_OK &&
            pk_dataset_simulate_observations(d, &o, &obs, &err) == PK_OK,
        "clash: %s", err.message);
  FILE *f = tmpfile();
  pk_status st = obs && f ? pk_dataset_write_observations(d, obs, NULL, 0, f, &err) : PK_OK;
  CHECK(st == PK_ERR_INVALID && strstr(err.message, "column C_p has the name of an output column"),
        "clash: %s", err.message);
  CHECK(f && ftell(f) == 0, "clash: nothing may be written");
  if (f) fclose(f);
  pk_dataset_trajectories_free(obs, 1);
  pk_dataset_free(d);
}

int main(void) {
  test_init();
  pk_model *m = ds_model();
  pk_dataset *d = ds_load("observations.csv", m, NULL);
  for (size_t s = 0; d && s < 2; s++) values(d, ds_solvers[s]);
  if (d) accessors(d);
  if (d) csv(d);
  clash(m);
  pk_dataset_free(d);
  pk_model_free(m);
  return test_finish("unit_dataset_observations");
}
