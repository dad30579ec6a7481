/* The lag is applied before the steady state is placed (NONMEM: the lag
 * applies to every implied dose; the steady state is computed without it
 * and advanced to the right point of its cycle): the state at an SS 1
 * record is that of the lagged train, and implied doses still in their lag
 * at the record arrive after it. II 12 h:
 *   1: depot bolus 100 mg, ALAG1 2 h (less than II)
 *   2: depot bolus 100 mg, ALAG1 15 h (more than II: the dose implied at
 *      -12 h arrives at 3 h)
 *   3: central bolus 100 mg, ALAG2 27 h (more than 2 II)
 *   4: depot infusion 50 mg at RATE 10 (5 h), ALAG1 9 h: lag plus duration
 *      14 h, beyond II
 *   5: central infusion 100 mg at RATE 10 (10 h), ALAG2 5 h: 15 h
 * Checked against the train written out (nm_reference.h) and against a run-in
 * of the same dose as 200 plain records (ADDL 199 from -2388 h, the last
 * at 0 h), simulated by libpk, at 1e-9 relative plus 1e-9 nM. */
#include "nm_reference.h"

static nm_ref r[5];

int main(void) {
  test_init();
  pk_model *m = nm_model();
  pk_dataset *d = nm_open(m, "lag-before-ss.csv"), *run = nm_open(m, "lag-before-ss-runin.csv");
  nm_add_ss(&r[0], 1, 0.0, 2.0, 12.0, 100, 1, 0);
  nm_add_ss(&r[1], 1, 0.0, 15.0, 12.0, 100, 1, 0);
  nm_add_ss(&r[2], 0, 0.0, 27.0, 12.0, 100, 1, 0);
  nm_add_ss(&r[3], 1, 0.0, 9.0, 12.0, 50, 1, 5.0);
  nm_add_ss(&r[4], 0, 0.0, 5.0, 12.0, 100, 1, 10.0);
  const nm_ref *refs[] = {&r[0], &r[1], &r[2], &r[3], &r[4]};
  if (d) nm_check_all(d, 5, refs, 0.0, 48.0, 0.125, "lag before SS placement");
  for (size_t si = 0; d && run && si < 2; si++) {
    pk_sim_options o = nm_options(0.0, 48.0, 0.25, nm_solvers[si], 1);
    pk_trajectory **a = nm_simulate(d, &o);
    o.t_start_h = -2388.0; /* the run-in's records start there; output from 0 */
    pk_trajectory **b = nm_simulate(run, &o);
    for (size_t s = 0; a && b && s < 5; s++)
      for (size_t i = 0; i < pk_trajectory_rows(a[s]); i++)
        for (int c = 0; c < 2; c++) {
          const char *col = c ? "A_depot_d" : "C_d";
          int j = pk_trajectory_column_index(a[s], col);
          char w[160];
          snprintf(w, sizeof w, "subject %zu, SS 1 vs 200 plain doses (%s): %s at %g h", s + 1,
                   pk_solver_name(nm_solvers[si]), col, 0.25 * (double)i);
          CHECK_CLOSE(pk_trajectory_get(a[s], i, (size_t)j), pk_trajectory_get(b[s], i, (size_t)j),
                      1e-9, c ? 1e-9 * nm_V / 1000.0 : 1e-9, w);
        }
    pk_dataset_trajectories_free(a, 5);
    pk_dataset_trajectories_free(b, 5);
  }
  pk_dataset_free(run);
  pk_dataset_free(d);
  pk_model_free(m);
  return test_finish("dataset_nm_lag_before_ss_placement");
}
