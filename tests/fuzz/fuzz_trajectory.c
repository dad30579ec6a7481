/* fuzz_trajectory.c - fuzz target of the trajectory CSV reader
 * (pk_trajectory_read_csv_text, the input of pk nca): a trajectory that
 * reads has time_h first, increasing times and finite values, and goes
 * through the NCA functions that pk nca calls. */
#include <math.h>
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  pk_trajectory *t = NULL;
  pk_error err;
  pk_status st = pk_trajectory_read_csv_text((const char *)data, size, "fuzz.csv", &t, &err);
  fuzz_check_error(st, &err, "pk_trajectory_read_csv_text");
  if (st != PK_OK) {
    if (t) abort();
    return 0;
  }
  size_t nr = pk_trajectory_rows(t), nc = pk_trajectory_cols(t);
  if (nr == 0 || nc == 0 || strcmp(pk_trajectory_column_name(t, 0), "time_h") != 0) abort();
  for (size_t i = 0; i < nr; i++)
    for (size_t j = 0; j < nc; j++) {
      double v = pk_trajectory_get(t, i, j);
      if (!isfinite(v)) abort();
      if (j == 0 && i > 0 && !(v > pk_trajectory_get(t, i - 1, 0))) abort();
    }
  double *tc = malloc(2 * nr * sizeof *tc);
  for (size_t j = 1; tc && j < nc && j < 8; j++) {
    for (size_t i = 0; i < nr; i++) {
      tc[i] = pk_trajectory_get(t, i, 0);
      tc[nr + i] = pk_trajectory_get(t, i, j);
    }
    pk_nca_result r;
    fuzz_check_error(pk_nca_exposure(tc, tc + nr, nr, &r, &err), &err, "pk_nca_exposure");
    fuzz_check_error(pk_nca_compute_auto(tc, tc + nr, nr, -INFINITY, &r, &err), &err,
                     "pk_nca_compute_auto");
  }
  free(tc);
  pk_trajectory_free(t);
  return 0;
}
