/* Steady-state records (SS 1) into the central compartment (CMT 2), every
 * 12 h, with ALAG2 and F2 and each kind of input, against the train of 200
 * doses written out (nm_reference.h: the state at and after the record is
 * that of the record's dose repeated every II without end, lag and F
 * applied to every implied dose):
 *   1: bolus 100 mg, ALAG2 2 h, F2 0.7
 *   2: RATE 25, 100 mg, ALAG2 1 h, F2 0.7    -> 70 mg over 2.8 h
 *   3: RATE -1 with R2 10, 100 mg, ALAG2 1 h, F2 1.3 -> 130 mg over 13 h:
 *      lag plus duration beyond II, the infusions overlap
 *   4: RATE -2 with D2 6, 100 mg, F2 0.9     -> 90 mg over 6 h
 *   5: bolus 100 mg, F2 0.7, after a plain dose of 300 mg at -6 h, which the
 *      SS 1 record removes (reset): before 0 h that dose alone.
 * Output from -6 h to 48 h. Tolerances: nm_reference.h. */
#include "nm_reference.h"

static nm_ref r[5];

int main(void) {
  test_init();
  pk_model *m = nm_model();
  pk_dataset *d = nm_open(m, "ss-central.csv");
  nm_add_ss(&r[0], 0, 0.0, 2.0, 12.0, 100, 0.7, 0);
  nm_add_ss(&r[1], 0, 0.0, 1.0, 12.0, 100, 0.7, 2.8);
  nm_add_ss(&r[2], 0, 0.0, 1.0, 12.0, 100, 1.3, 13.0);
  nm_add_ss(&r[3], 0, 0.0, 0.0, 12.0, 100, 0.9, 6.0);
  nm_add(&r[4], 0, -6.0, 300, 0.7, 0);
  nm_window(&r[4], 0, -INFINITY, 0.0);
  nm_add_ss(&r[4], 0, 0.0, 0.0, 12.0, 100, 0.7, 0);
  const nm_ref *refs[] = {&r[0], &r[1], &r[2], &r[3], &r[4]};
  if (d) nm_check_all(d, 5, refs, -6.0, 48.0, 0.125, "SS 1 into the central compartment");
  pk_dataset_free(d);
  pk_model_free(m);
  return test_finish("dataset_nm_ss_central_compartment");
}
