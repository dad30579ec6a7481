/* test_population_gsl_handler.c - a population spec whose covariance matrix
 * is not positive definite is an error returned (PK_ERR_INVALID with the key
 * path), even in a program that keeps GSL's default error handler, which
 * aborts: the library never ends the process. (Found by the population fuzz
 * target: GSL's Cholesky reported the matrix through the handler.) The good
 * spec still loads. */
#include "unit_helpers.h"

int main(void) {
  /* no test_init(): GSL's handler stays the default, abort() */
  pk_error err;
  pk_scenario *s = NULL;
  pk_status st = pk_scenario_load(PK_TEST_DATA_DIR "/population/kratom-pop.json", &s, &err);
  CHECK(st == PK_OK, "%s", err.message);
  if (st != PK_OK) return test_finish("unit_population_not_positive_definite_returns_error");
  const pk_model *m = pk_scenario_model(s);
  pk_population *p = (pk_population *)&err;
  st = pk_population_load(PK_TEST_DATA_DIR "/population/bad/not-positive-definite.json", m, &p,
                          &err);
  CHECK(st == PK_ERR_INVALID && !p, "not positive definite: got %s", pk_status_str(st));
  CHECK(strstr(err.message, "not positive definite") && strcmp(err.path, "correlations") == 0,
        "message '%s' at '%s'", err.message, err.path);
  p = NULL;
  st = pk_population_load(PK_TEST_DATA_DIR "/population/kratom-pop.json", m, &p, &err);
  CHECK(st == PK_OK, "the good spec: %s", err.message);
  pk_population_free(p);
  pk_scenario_free(s);
  return test_finish("unit_population_not_positive_definite_returns_error");
}
