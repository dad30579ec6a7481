/* SS 3 (NONMEM: identical to SS 1 except that its iterative steady-state
 * routines SS6 and SS9 start from the current state; libpk's steady state
 * does not iterate from a guess, so SS 3 is SS 1): a reset, then the
 * steady state of the record's dose. A plain dose of 200 mg at -5 h is
 * removed at the record.
 *   1: central bolus 100 mg every 12 h, ALAG2 4 h, SS 3
 *   2: depot infusion 90 mg at RATE 10 (9 h) every 6 h, SS 3 (overlapping)
 * Against the trains written out (nm_reference.h); output -5 h to 36 h. */
#include "nm_reference.h"

static nm_ref r[2];

int main(void) {
  test_init();
  pk_model *m = nm_model();
  pk_dataset *d = nm_open(m, "ss3.csv");
  nm_add(&r[0], 0, -1.0, 200, 1, 0);
  nm_window(&r[0], 0, -INFINITY, 0.0);
  nm_add_ss(&r[0], 0, 0.0, 4.0, 12.0, 100, 1, 0);
  nm_add(&r[1], 1, -5.0, 200, 1, 0);
  nm_window(&r[1], 0, -INFINITY, 0.0);
  nm_add_ss(&r[1], 1, 0.0, 0.0, 6.0, 90, 1, 9.0);
  CHECK(d && pk_regimen_dose(pk_dataset_subject_regimen(d, 0), 1).ss == 1,
        "SS 3 must become a steady-state dose that resets first (ss 1)");
  const nm_ref *refs[] = {&r[0], &r[1]};
  if (d) nm_check_all(d, 2, refs, -5.0, 36.0, 0.125, "SS 3");
  pk_dataset_free(d);
  pk_model_free(m);
  return test_finish("dataset_nm_ss3_is_ss1");
}
