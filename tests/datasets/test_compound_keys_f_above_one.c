/* The compound-file keys of both dosable compartments (data/drug-d-routes.json):
 * lag 0.5 h, F 1.25, R 30 mg/h, D 2 h for the depot (CMT 1) and lag_iv
 * 0.25 h, F_iv 2, R_iv 40 mg/h, D_iv 3 h for the central compartment
 * (CMT 2), F above 1 in both, used by records without parameter columns:
 *   1: 40 mg bolus into CMT 1 at 0 h     -> 50 mg arriving at 0.5 h
 *   2: 40 mg bolus into CMT 2 at 0 h     -> 80 mg arriving at 0.25 h
 *   3: 90 mg, RATE -1 into CMT 1         -> F AMT / R = 3.75 h at 30 mg/h from 0.5 h
 *   4: 90 mg, RATE -2 into CMT 2         -> 180 mg over D_iv 3 h from 0.25 h
 *   5: 90 mg, RATE -1 into CMT 2, F2 0.5 (a column overrides F_iv; ALAG2,
 *      R2 from the file) -> 45 mg over 1.125 h at 40 mg/h from 0.25 h
 * and pk_dose.F above 1 given directly in a regimen (F 3 on an IV bolus,
 * lag from lag_iv) against the closed form. Tolerances: nm_reference.h. */
#include "nm_reference.h"

static nm_ref r[6];

int main(void) {
  test_init();
  pk_model *m = pk_model_new();
  pk_error err;
  pk_status st = pk_model_load_file(m, PK_DATASETS_DIR "/drug-d-routes.json", &err);
  CHECK(st == PK_OK, "loading drug-d-routes.json: %s: %s", err.path, err.message);
  pk_compound_params p;
  CHECK(pk_model_get_compound(m, 0, &p, &err) == PK_OK && p.lag_h == 0.5 && p.F == 1.25 &&
            p.zo_rate_mg_per_h == 30 && p.zo_duration_h == 2 && p.lag_iv_h == 0.25 &&
            p.F_iv == 2 && p.zo_rate_iv_mg_per_h == 40 && p.zo_duration_iv_h == 3,
        "the file's keys must reach the compound's parameters");
  pk_dataset *d = st == PK_OK ? nm_open(m, "compound-keys.csv") : NULL;
  nm_add(&r[0], 1, 0.5, 40, 1.25, 0);
  nm_add(&r[1], 0, 0.25, 40, 2.0, 0);
  nm_add(&r[2], 1, 0.5, 90, 1.25, 3.75);
  nm_add(&r[3], 0, 0.25, 90, 2.0, 3.0);
  nm_add(&r[4], 0, 0.25, 90, 0.5, 1.125);
  const nm_ref *refs[] = {&r[0], &r[1], &r[2], &r[3], &r[4]};
  if (d) nm_check_all(d, 5, refs, 0.0, 24.0, 0.125, "compound-file keys, F above 1");

  /* pk_dose.F = 3 on an IV bolus of 20 mg at 1 h: 60 mg at 1.25 h */
  pk_regimen *reg = pk_regimen_new();
  pk_dose dose = pk_dose_default();
  dose.t_h = 1.0, dose.route = PK_ROUTE_IV, dose.amount_mg = 20, dose.F = 3.0;
  CHECK(pk_regimen_add(reg, &dose, &err) == PK_OK, "pk_dose.F 3: %s", err.message);
  nm_add(&r[5], 0, 1.25, 20, 3.0, 0);
  for (size_t si = 0; st == PK_OK && si < 2; si++) {
    pk_sim_options o = nm_options(0.0, 24.0, 0.125, nm_solvers[si], 0);
    pk_trajectory *t = NULL;
    CHECK(pk_simulate(m, reg, &o, &t, &err) == PK_OK, "pk_dose.F 3: %s", err.message);
    char w[96];
    snprintf(w, sizeof w, "pk_dose.F 3 on an IV bolus (%s)", pk_solver_name(nm_solvers[si]));
    if (t) nm_check(t, "C_d", &r[5], nm_rel(nm_solvers[si]), w);
    pk_trajectory_free(t);
  }
  pk_regimen_free(reg);
  pk_dataset_free(d);
  pk_model_free(m);
  return test_finish("dataset_nm_compound_keys_and_f_above_one");
}
