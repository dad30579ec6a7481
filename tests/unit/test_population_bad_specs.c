/* Bad population specs are refused with the file, the key path and what
 * was expected: a covariance matrix that is not positive definite, unknown
 * compounds, parameters and keys, omega and CV together, values out of
 * range, correlations of parameters without variability. */
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "pk/pk.h"

#define DIR PK_TEST_DATA_DIR "/population/"

int main(void) {
  test_init();
  pk_error err;
  pk_scenario *s = NULL;
  CHECK(pk_scenario_load(DIR "kratom-pop.json", &s, &err) == PK_OK, "%s", err.message);
  const pk_model *m = pk_scenario_model(s);
  pk_population *p = NULL;
  CHECK(pk_population_load(DIR "kratom-pop.json", m, &p, &err) == PK_OK, "good: %s", err.message);
  CHECK(pk_population_size(p) == 4 && pk_population_weight(p) == PK_WEIGHT_LOGNORMAL,
        "four parameters and a weight");
  CHECK_CLOSE(pk_population_omega(p, 0, 0), log1p(0.16), 1e-15, 0, "cv_percent 40");
  CHECK_CLOSE(pk_population_omega(p, 2, 2), 0.09, 0, 0, "omega 0.09");
  CHECK_CLOSE(pk_population_omega(p, 0, 1), 0.5 * sqrt(log1p(0.16) * log1p(0.09)), 1e-15, 0, "r 0.5");
  pk_population_free(p);
  p = NULL;

  struct { const char *file, *path, *expect; } bad[] = {
      {"bad/not-positive-definite.json", "correlations", "not positive definite"},
      {"bad/unknown-compound.json", "parameters.morphine.CL",
       "no compound 'morphine' in the model files"},
      {"bad/unknown-parameter.json", "parameters.mitragynine.Cl_typo",
       "unknown parameter 'Cl_typo'"},
      {"bad/omega-and-cv.json", "parameters.mitragynine.CL", "give either 'omega'"},
      {"bad/negative-omega.json", "parameters.mitragynine.V.omega",
       "expected a number in (0, 25], got -0.1"},
      {"bad/correlation-unlisted.json", "correlations[0].between",
       "'7-hydroxymitragynine.CL' has no variability"},
      {"bad/correlation-out-of-range.json", "correlations[0].r",
       "expected a correlation in [-1, 1], got 1.5"},
      {"bad/weight-negative.json", "covariates.weight_kg.median",
       "expected a number in (0, 1000] kg, got -70"},
      {"bad/unknown-key.json", "covariate", "unknown key 'covariate'"},
      {"bad/scenario-block-bad.json", "population.parameters.mitragynine.V.cv_percent",
       "expected a number in %, got a string"},
      {"../good/two-days.json", "", "this scenario has no 'population' block"},
      {"bad/does-not-exist.json", "", "cannot open"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    char path[1024];
    snprintf(path, sizeof path, DIR "%s", bad[i].file);
    pk_status st = pk_population_load(path, m, &p, &err);
    CHECK(st != PK_OK && p == NULL, "%s accepted", bad[i].file);
    const char *base = strrchr(bad[i].file, '/') + 1;
    CHECK(strstr(err.file, base) != NULL, "%s: file '%s' not named", bad[i].file, err.file);
    CHECK(strcmp(err.path, bad[i].path) == 0, "%s: path '%s', expected '%s'", bad[i].file,
          err.path, bad[i].path);
    CHECK(strstr(err.message, bad[i].expect) != NULL, "%s: message '%s' lacks '%s'",
          bad[i].file, err.message, bad[i].expect);
    pk_population_free(p);
    p = NULL;
  }
  pk_scenario_free(s);
  return test_finish("unit_population_bad_specs_rejected_with_key_path");
}
