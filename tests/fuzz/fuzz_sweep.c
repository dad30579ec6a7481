/* fuzz_sweep.c - fuzz target of the sweep axis parser (pk_sweep_add_text,
 * the text of pk sweep --param) against the shipped kratom model: each line
 * of the input is one --param; a sweep that checks is read at its first
 * and last points, then as a Latin hypercube. */
#include "population_internal.h" /* pk_sweep_check, pk_sweep_target */
#include "fuzz_common.h"

static void read_points(const pk_sweep *sw) {
  size_t n = pk_sweep_point_count(sw), na = pk_sweep_axis_count(sw);
  double *v = calloc(na + 1, sizeof *v);
  pk_error err;
  for (size_t k = 0; k < n && k < 8 && v; k++) {
    if (pk_sweep_point(sw, k, v, &err) != PK_OK) abort();
    if (pk_sweep_point(sw, n - 1 - k, v, &err) != PK_OK) abort();
  }
  for (size_t a = 0; a < na; a++)
    if (!pk_sweep_axis_name(sw, a) || !pk_sweep_target(sw, a)) abort();
  free(v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *text = (const char *)data;
  const pk_model *m = fuzz_kratom_model();
  pk_sweep *sw = pk_sweep_new();
  if (!sw) return 0;
  pk_error err;
  size_t i = 0;
  for (int line = 0; i < size && line < 40; line++) {
    const char *nl = memchr(text + i, '\n', size - i);
    size_t len = nl ? (size_t)(nl - (text + i)) : size - i;
    pk_status st = pk_sweep_add_text(sw, m, text + i, len, &err);
    fuzz_check_error(st, &err, "pk_sweep_add_text");
    i += len + 1;
  }
  if (pk_sweep_check(sw, &err) == PK_OK) read_points(sw);
  pk_status st = pk_sweep_set_lhs(sw, 1 + size % 64, size, &err);
  fuzz_check_error(st, &err, "pk_sweep_set_lhs");
  if (st == PK_OK && pk_sweep_check(sw, &err) == PK_OK) read_points(sw);
  pk_sweep_free(sw);
  return 0;
}
