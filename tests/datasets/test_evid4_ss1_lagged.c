/* EVID 4 with SS 1 on lagged doses into the central compartment, repeated:
 * each such record resets (every compartment emptied, inputs running and
 * doses still in their lag dropped) and starts the steady state of its own
 * dose, lag included; implied doses still in their lag at the record arrive
 * after it.
 *   1: a plain dose of 500 mg at -10 h; EVID 4 SS 1 of 100 mg every 12 h at
 *      0 h; a plain dose of 300 mg at 5 h (arrives at 8 h); a plain dose of
 *      80 mg at 29 h, still in its lag at 30 h (dropped); EVID 4 SS 1 of
 *      60 mg every 8 h at 30 h; EVID 4 SS 1 of 60 mg every 8 h again at
 *      50 h. ALAG2 3 h, F2 0.8 throughout.
 *   2: ALAG2 10 h with II 8 h: EVID 4 SS 1 of 100 mg at 0 h and of 50 mg at
 *      20 h: the dose implied 8 h before each record arrives 2 h after it.
 * Against the trains written out (nm_reference.h), each counted from its
 * record until the next reset. Output -10 h to 80 h. */
#include "nm_reference.h"

static nm_ref r[2];

int main(void) {
  test_init();
  pk_model *m = nm_model();
  pk_dataset *d = nm_open(m, "evid4-ss1-lagged.csv");
  /* subject 1 */
  nm_add(&r[0], 0, -7.0, 500, 0.8, 0);
  nm_window(&r[0], 0, -INFINITY, 0.0);
  size_t first = r[0].n;
  nm_add_ss(&r[0], 0, 0.0, 3.0, 12.0, 100, 0.8, 0);
  nm_add(&r[0], 0, 8.0, 300, 0.8, 0);
  nm_window(&r[0], first, 0.0, 30.0); /* the dose of 29 h (32 h) never arrives */
  first = r[0].n;
  nm_add_ss(&r[0], 0, 30.0, 3.0, 8.0, 60, 0.8, 0);
  nm_window(&r[0], first, 30.0, 50.0);
  nm_add_ss(&r[0], 0, 50.0, 3.0, 8.0, 60, 0.8, 0);
  /* subject 2 */
  nm_add_ss(&r[1], 0, 0.0, 10.0, 8.0, 100, 1, 0);
  nm_window(&r[1], 0, 0.0, 20.0);
  nm_add_ss(&r[1], 0, 20.0, 10.0, 8.0, 50, 1, 0);
  const nm_ref *refs[] = {&r[0], &r[1]};
  if (d) nm_check_all(d, 2, refs, -10.0, 80.0, 0.125, "EVID 4 SS 1, lagged, repeated");
  /* the records at 50 h repeat those at 30 h, 20 h (2.5 II) later: the state
   * at 50 h is the steady state's at its record again (the same value as at
   * 30 h), not the continuation (which is 1 h into a cycle) */
  pk_sim_options o = nm_options(-10.0, 80.0, 0.125, PK_SOLVER_EXACT, 0);
  pk_trajectory **t = d ? nm_simulate(d, &o) : NULL;
  if (t) {
    int j = pk_trajectory_column_index(t[0], "C_d");
    double c30 = pk_trajectory_get(t[0], 320, (size_t)j), c50 = pk_trajectory_get(t[0], 480, (size_t)j);
    CHECK_CLOSE(c50, c30, 1e-12, 0, "EVID 4 SS 1 at 50 h: the state of the record at 30 h");
  }
  pk_dataset_trajectories_free(t, 2);
  pk_dataset_free(d);
  pk_model_free(m);
  return test_finish("dataset_nm_evid4_ss1_lagged_central_repeated");
}
