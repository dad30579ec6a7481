/* ALAG2 and F2 (lag and bioavailability of the central compartment, CMT 2)
 * on intravenous boluses, next to ALAG1 and F1 of the depot (CMT 1): each
 * dose takes its own compartment's values. Checked against the closed forms
 * of nm_reference.h (every bolus u F at its record time plus its lag):
 *   1: 100 mg at 0 h and 50 mg at 6 h, ALAG2 1.5 h, F2 0.6
 *   2: 100 mg with ADDL 2 every 12 h, ALAG2 0.75 h, F2 1.6 (above 1)
 *   3: doses at 0 and 1 h with ALAG2 2.5 h: the second is given before the
 *      first arrives
 *   4: a depot dose (ALAG1 0.5 h, F1 0.8) and a central dose (ALAG2 2 h,
 *      F2 1.2) at the same time
 *   5: subject 1 after a reset (EVID 3) at -1 h, which the batch kernel does
 *      not take: the general exact path must give the same numbers.
 * Tolerances: nm_reference.h. */
#include "nm_reference.h"

static nm_ref r[5];

int main(void) {
  test_init();
  pk_model *m = nm_model();
  pk_dataset *d = nm_open(m, "central-lag-f.csv");
  nm_add(&r[0], 0, 1.5, 100, 0.6, 0);
  nm_add(&r[0], 0, 7.5, 50, 0.6, 0);
  nm_add_train(&r[1], 0, 0.0, 0.75, 12.0, 3, 100, 1.6, 0);
  nm_add(&r[2], 0, 2.5, 80, 1.0, 0);
  nm_add(&r[2], 0, 3.5, 40, 1.0, 0);
  nm_add(&r[3], 1, 0.5, 60, 0.8, 0);
  nm_add(&r[3], 0, 2.0, 30, 1.2, 0);
  r[4] = r[0];
  const nm_ref *refs[] = {&r[0], &r[1], &r[2], &r[3], &r[4]};
  /* the subject's model carries the columns' values */
  const pk_model *m2 = pk_dataset_subject_model(d, 1);
  pk_compound_params p;
  pk_error err;
  CHECK(m2 && pk_model_get_compound(m2, 0, &p, &err) == PK_OK && p.F_iv == 1.6 &&
            p.lag_iv_h == 0.75 && p.F == 1 && p.lag_h == 0,
        "subject 2: F2 and ALAG2 must set F_iv 1.6 and lag_iv 0.75 h, leaving F and lag");
  if (d) nm_check_all(d, 5, refs, -1.0, 40.0, 0.125, "ALAG2/F2 on central boluses");
  pk_dataset_free(d);
  pk_model_free(m);
  return test_finish("dataset_nm_central_bolus_lag_and_f");
}
