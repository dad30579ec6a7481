/* ADDL on steady-state records: the additional doses continue the implied
 * train as plain doses at TIME + k II (k = 1..ADDL), for SS 1 and SS 2, for
 * boluses and for infusions lasting less than, exactly and more than II
 * (NONMEM refuses ADDL on SS infusions; libpk gives them: the result is the
 * train continued). II 12 h, ADDL 3 (doses at 12, 24 and 36 h), RATE 10:
 *   SS 1, subjects 1-5: central bolus 100 mg with ALAG2 1 h; central
 *     infusions of 60, 120 and 180 mg (6, 12 and 18 h); a depot infusion of
 *     180 mg (18 h) with ALAG1 2 h
 *   SS 2, subjects 6-10: the same, each after a plain bolus of 200 mg into
 *     the same compartment at -4 h, which SS 2 keeps (before 0 h that dose
 *     alone; after it that dose plus the train).
 * Against the trains written out (nm_reference.h), output -4 h to 72 h. */
#include "nm_reference.h"

static nm_ref r[10];

int main(void) {
  test_init();
  pk_model *m = nm_model();
  pk_dataset *d = nm_open(m, "addl-on-ss.csv");
  static const struct {
    int depot;
    double amt, dur, lag;
  } dose[5] = {{0, 100, 0, 1}, {0, 60, 6, 0}, {0, 120, 12, 0}, {0, 180, 18, 0}, {1, 180, 18, 2}};
  for (int s = 0; s < 10; s++) {
    int k = s % 5;
    if (s >= 5) nm_add(&r[s], dose[k].depot, -4.0 + dose[k].lag, 200, 1, 0);
    nm_add_ss(&r[s], dose[k].depot, 0.0, dose[k].lag, 12.0, dose[k].amt, 1, dose[k].dur);
    nm_add_train(&r[s], dose[k].depot, 12.0, dose[k].lag, 12.0, 3, dose[k].amt, 1, dose[k].dur);
  }
  const pk_regimen *reg = d ? pk_dataset_subject_regimen(d, 3) : NULL;
  CHECK(pk_regimen_size(reg) == 4 && pk_regimen_dose(reg, 0).ss == 1 &&
            pk_regimen_dose(reg, 3).ss == 0 && pk_regimen_dose(reg, 3).t_h == 36 &&
            pk_regimen_dose(reg, 3).rate_mg_per_h == 10,
        "subject 4: the SS record and three plain infusions at 12, 24, 36 h at RATE 10");
  const nm_ref *refs[10];
  for (int s = 0; s < 10; s++) refs[s] = &r[s];
  if (d) nm_check_all(d, 10, refs, -4.0, 72.0, 0.125, "ADDL on SS records");
  pk_dataset_free(d);
  pk_model_free(m);
  return test_finish("dataset_nm_addl_on_ss_boluses_and_infusions");
}
