/* F scales the duration of an infusion given by its rate (RATE > 0, or -1
 * with the modeled rate Rn), not its rate; with RATE -2 the modeled duration
 * Dn is kept and the rate is F AMT / Dn. Into the depot (CMT 1, F1, R1, D1)
 * and the central compartment (CMT 2, F2), with F below and above 1; 60 mg
 * at 2 h:
 *   1: depot, RATE 10, F1 0.4   -> 24 mg over 2.4 h
 *   2: depot, RATE -1, R1 10, F1 2.5 -> 150 mg over 15 h
 *   3: depot, RATE -2, D1 3, F1 2.5  -> 150 mg over 3 h
 *   4: central, RATE 10, F2 0.25 -> 15 mg over 1.5 h
 * The end of each input is also checked directly: the depot of subject 1
 * fills at RATE (10 mg/h, not F1 RATE) until 4.4 h: A = r (1 - e^{-ka s})/ka,
 * and only empties after, at rate ka (A' = -ka A). */
#include "nm_reference.h"

static nm_ref r[4];

int main(void) {
  test_init();
  pk_model *m = nm_model();
  pk_dataset *d = nm_open(m, "f-scales-duration.csv");
  nm_add(&r[0], 1, 2.0, 60, 0.4, 2.4);
  nm_add(&r[1], 1, 2.0, 60, 2.5, 15.0);
  nm_add(&r[2], 1, 2.0, 60, 2.5, 3.0);
  nm_add(&r[3], 0, 2.0, 60, 0.25, 1.5);
  const nm_ref *refs[] = {&r[0], &r[1], &r[2], &r[3]};
  if (d) nm_check_all(d, 4, refs, 0.0, 30.0, 0.1, "F scales the duration");
  /* subject 1's depot: filling at 10 mg/h (25 umol/h) for 2.4 h, then
   * A(t) = A(4.4) e^{-ka (t - 4.4)} */
  pk_sim_options o = nm_options(0.0, 8.0, 0.2, PK_SOLVER_EXACT, 1);
  pk_trajectory **t = d ? nm_simulate(d, &o) : NULL;
  if (t) {
    int jd = pk_trajectory_column_index(t[0], "A_depot_d");
    double a_end = pk_trajectory_get(t[0], 22, (size_t)jd); /* 4.4 h */
    double want = nm_umol(10.0) / nm_ka * -expm1(-nm_ka * 2.4);
    CHECK_CLOSE(a_end, want, 1e-10, 0, "depot at the end of the input, 4.4 h");
    for (size_t i = 23; i < pk_trajectory_rows(t[0]); i++)
      CHECK_CLOSE(pk_trajectory_get(t[0], i, (size_t)jd),
                  a_end * exp(-nm_ka * (0.2 * (double)i - 4.4)), 1e-10, 0,
                  "depot after the input: free decay");
  }
  pk_dataset_trajectories_free(t, 4);
  pk_dataset_free(d);
  pk_model_free(m);
  return test_finish("dataset_nm_f_scales_infusion_duration");
}
