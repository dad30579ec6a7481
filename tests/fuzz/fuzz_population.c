/* fuzz_population.c - fuzz target of the population-spec reader
 * (pk_population_load_text) against the shipped kratom model; a population
 * that loads draws two subjects. */
#include <math.h>
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const pk_model *typical = fuzz_kratom_model();
  pk_population *p = NULL;
  pk_error err;
  pk_status st = pk_population_load_text((const char *)data, size, "fuzz.json", typical, &p, &err);
  fuzz_check_error(st, &err, "pk_population_load_text");
  if (st != PK_OK) {
    if (p) abort();
    return 0;
  }
  size_t nv = pk_population_value_count(p), ne = pk_population_size(p);
  double *values = calloc(nv + 1, sizeof *values), *eta = calloc(ne + 1, sizeof *eta);
  pk_model *subject = pk_model_new();
  for (uint64_t i = 0; i < 2 && values && eta && subject; i++) {
    double wt;
    st = pk_population_draw(p, 7, i, eta, &wt, &err);
    fuzz_check_error(st, &err, "pk_population_draw");
    st = pk_population_subject(p, typical, 7, i, subject, values, &err);
    fuzz_check_error(st, &err, "pk_population_subject");
  }
  for (size_t k = 0; k < nv; k++)
    if (!pk_population_value_name(p, k)) abort();
  free(values);
  free(eta);
  pk_model_free(subject);
  pk_population_free(p);
  return 0;
}
