/* Body weight scales every compound's clearances and flows by
 * (WT/ref)^0.75 and volumes by (WT/ref)^1 (or the exponents given), before
 * the etas. */
#include "batch_fixture.h"
#include "check.h"

int main(void) {
  test_init();
  pk_error err;
  pk_model *m = fixture_model(), *s = pk_model_new();
  pk_population *pop = pk_population_new(m);
  CHECK(m && s && pop, "setup");
  CHECK(pk_population_set_weight(pop, PK_WEIGHT_FIXED, 140, 0, &err) == PK_OK, "%s", err.message);
  CHECK(pk_population_prepare(pop, &err) == PK_OK, "%s", err.message);
  double v = 0;
  CHECK(pk_population_subject(pop, m, 1, 7, s, &v, &err) == PK_OK, "%s", err.message);
  CHECK_CLOSE(v, 140, 0, 0, "fixed weight reported");
  double f = 2.0;
  CHECK_CLOSE(compound_param(s, 0, "CL"), 2 * pow(f, 0.75), 1e-14, 0, "CL x (140/70)^0.75");
  CHECK_CLOSE(compound_param(s, 0, "V"), 10 * f, 1e-14, 0, "V x 140/70");
  CHECK_CLOSE(compound_param(s, 1, "Q1"), 4 * pow(f, 0.75), 1e-14, 0, "Q1 x (140/70)^0.75");
  CHECK_CLOSE(compound_param(s, 1, "Vp1"), 40 * f, 1e-14, 0, "Vp1 x 140/70");
  CHECK_CLOSE(compound_param(s, 1, "ka"), 1.5, 0, 0, "ka not scaled");

  /* configurable exponents and reference, with an eta on top */
  CHECK(pk_population_set_allometry(pop, 50, 1.0, 0.5, 0.8, 0.0, &err) == PK_OK, "%s", err.message);
  CHECK(pk_population_add(pop, "drug-y.CL", 0.04, &err) == PK_OK, "%s", err.message);
  CHECK(pk_population_prepare(pop, &err) == PK_OK, "%s", err.message);
  double eta = 0, wt = 0, vals[2];
  CHECK(pk_population_draw(pop, 99, 3, &eta, &wt, &err) == PK_OK, "%s", err.message);
  CHECK(pk_population_subject(pop, m, 99, 3, s, vals, &err) == PK_OK, "%s", err.message);
  f = 140.0 / 50.0;
  CHECK_CLOSE(compound_param(s, 0, "CL"), 2 * f, 1e-14, 0, "CL exponent 1");
  CHECK_CLOSE(compound_param(s, 1, "CL"), 2 * f * exp(eta), 1e-14, 0, "CL of y: weight then eta");
  CHECK_CLOSE(vals[1], 2 * f * exp(eta), 1e-14, 0, "reported individual CL of y");
  CHECK_CLOSE(compound_param(s, 1, "Q1"), 4 * pow(f, 0.5), 1e-14, 0, "Q exponent 0.5");
  CHECK_CLOSE(compound_param(s, 1, "V"), 10 * pow(f, 0.8), 1e-14, 0, "V exponent 0.8");
  CHECK_CLOSE(compound_param(s, 1, "Vp1"), 40, 1e-14, 0, "Vp exponent 0");

  /* an eta pushing a bounded parameter out of range is the subject's error */
  pk_population *bad = pk_population_new(m);
  CHECK(pk_population_add(bad, "x.F", 4.0, &err) == PK_OK, "%s", err.message);
  CHECK(pk_population_prepare(bad, &err) == PK_OK, "%s", err.message);
  int out_of_range = 0;
  for (uint64_t i = 0; i < 20; i++)
    out_of_range += pk_population_subject(bad, m, 5, i, s, NULL, &err) == PK_ERR_INVALID &&
                    strstr(err.message, "F of compound 'drug-x' must be in (0, 1]") != NULL;
  CHECK(out_of_range > 0, "F = exp(eta) > 1 is refused with a message");
  pk_population_free(bad);
  pk_population_free(pop);
  pk_model_free(s);
  pk_model_free(m);
  return test_finish("unit_population_weight_allometric_scaling");
}
