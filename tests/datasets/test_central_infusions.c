/* Zero-order inputs into the central compartment (CMT 2) with ALAG2 and F2,
 * by each RATE form (NONMEM's rules):
 *   RATE > 0: AMT enters at RATE, F2 scales the duration (F2 AMT / RATE h);
 *   RATE -1:  the rate is R2, F2 again scales the duration;
 *   RATE -2:  the duration is D2, the rate F2 AMT / D2.
 * Subjects (100 mg at 0 h, ALAG2 1 h):
 *   1: RATE 20, F2 0.5 -> 50 mg over 2.5 h from 1 h
 *   2: RATE -1 with R2 20, F2 0.5 -> the same
 *   3: RATE -2 with D2 4, F2 0.5 -> 50 mg over 4 h
 *   4: RATE 20, F2 1.5 -> 150 mg over 7.5 h
 *   5: RATE -2 with D2 4, F2 1.5 -> 150 mg over 4 h
 *   6: RATE -1 with R2 20 given as the compound key column R_iv_d, F2 1.5
 * against the closed form of an input r on [t0, t0 + dur) (nm_reference.h). */
#include "nm_reference.h"

static nm_ref r[6];

int main(void) {
  test_init();
  pk_model *m = nm_model();
  pk_dataset *d = nm_open(m, "central-infusions.csv");
  pk_dataset *k = nm_open(m, "central-infusions-keys.csv");
  nm_add(&r[0], 0, 1.0, 100, 0.5, 2.5);
  nm_add(&r[1], 0, 1.0, 100, 0.5, 2.5);
  nm_add(&r[2], 0, 1.0, 100, 0.5, 4.0);
  nm_add(&r[3], 0, 1.0, 100, 1.5, 7.5);
  nm_add(&r[4], 0, 1.0, 100, 1.5, 4.0);
  nm_add(&r[5], 0, 1.0, 100, 1.5, 7.5);
  const nm_ref *refs[] = {&r[0], &r[1], &r[2], &r[3], &r[4]}, *refk[] = {&r[5]};
  if (d) nm_check_all(d, 5, refs, 0.0, 30.0, 0.125, "central infusions");
  if (k) nm_check_all(k, 1, refk, 0.0, 30.0, 0.125, "central infusion, compound-key columns");
  pk_dataset_free(k);
  pk_dataset_free(d);
  pk_model_free(m);
  return test_finish("dataset_nm_central_infusions_rate_r2_d2");
}
