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

  /* F has no upper bound (relative bioavailability): F = exp(eta) above 1
   * is a subject like any other */
  pk_population *rel = pk_population_new(m);
  CHECK(pk_population_add(rel, "x.F", 4.0, &err) == PK_OK, "%s", err.message);
  CHECK(pk_population_prepare(rel, &err) == PK_OK, "%s", err.message);
  int above_one = 0;
  for (uint64_t i = 0; i < 20; i++) {
    double F = 0;
    pk_status st = pk_population_subject(rel, m, 5, i, s, &F, &err);
    CHECK(st == PK_OK, "subject %d with F = exp(eta): %s", (int)i, err.message);
    above_one += st == PK_OK && F > 1;
  }
  CHECK(above_one > 0, "no subject drew F above 1: the check of F > 1 did not run");
  pk_population_free(rel);

  /* an eta pushing a bounded parameter out of range is the subject's error:
   * fu of a ligand, in (0, 1] */
  pk_compound_params lig = pk_compound_params_default();
  snprintf(lig.id, sizeof lig.id, "z");
  snprintf(lig.name, sizeof lig.name, "drug-z");
  lig.mw_g_per_mol = 1000, lig.ka_per_h = 1.5, lig.V_L = 10, lig.CL_L_per_h = 2;
  lig.binds_receptor = 1, lig.ke0_per_h = 1, lig.fu = 0.5, lig.K_nM = 10, lig.tau = 1;
  CHECK(pk_model_add_compound(m, &lig, NULL, &err) == PK_OK, "%s", err.message);
  pk_population *bad = pk_population_new(m);
  CHECK(pk_population_add(bad, "z.fu", 4.0, &err) == PK_OK, "%s", err.message);
  CHECK(pk_population_prepare(bad, &err) == PK_OK, "%s", err.message);
  int out_of_range = 0;
  for (uint64_t i = 0; i < 20; i++)
    out_of_range += pk_population_subject(bad, m, 5, i, s, NULL, &err) == PK_ERR_INVALID &&
                    strstr(err.message, "fu of compound 'drug-z' must be in (0, 1]") != NULL;
  CHECK(out_of_range > 0, "fu = 0.5 exp(eta) > 1 is refused with a message");
  pk_population_free(bad);
  pk_population_free(pop);
  pk_model_free(s);
  pk_model_free(m);
  return test_finish("unit_population_weight_allometric_scaling");
}
