/* test_dataset_products.c - doses of products in event datasets (PRODUCT
 * column): one record doses every compound of the product, AMT in the
 * product's dose unit, each dose tagged with the product.
 *
 * The model is dataset_helpers.h's (d: ka 1.1, V 40, CL 8, MW 250; p: ka
 * 0.7, V 60, CL 6, MW 300) with three products:
 *   1 mix    oral, in g: 1 % d, 0.2 % p (w/w)
 *   2 tab    oral, in tablets: 2 mg of d and 1 mg of p per tablet
 *   3 patch  transdermal, in patches: 0.5 mg/h of d for 10 h, absorbed
 *            with ka 0.3 1/h after a lag of 1 h
 * products.csv is checked against
 *   - the doses themselves: content x AMT (30 and 6 mg for 3 g of mix),
 *     each tagged with its product, bit for bit;
 *   - products-compounds.csv, the same doses written per compound: the
 *     trajectories are identical bit for bit;
 *   - closed forms (1e-8 relative plus 1e-12 nM): Bateman sums for the
 *     oral doses; the patch's zero-order input r on [1, 11) h into a depot
 *     emptied at ka' = 0.3, A(t) = r ka'/(ka'-k) ((1-e^{-ks})/k -
 *     (1-e^{-ka's})/ka') between s = t-11 and s = t-1; EVID 4 with a
 *     product resets once and gives every compound; SS 1 with a product
 *     starts every compound at its periodic steady state (no compound
 *     resets another's), with a PK_WARN_PRODUCT_SS warning;
 * and bad records are refused with their line, column and what is
 * expected. */
#include "dataset_helpers.h"

static const char *const PRODUCTS[] = {
    "{\"kind\": \"product\", \"id\": \"mix\", \"name\": \"mix\", \"route\": \"oral\", "
    "\"dose_unit\": \"g\", \"content\": {"
    "\"d\": {\"value\": 0.01, \"unit\": \"w/w\", \"source\": \"test\"}, "
    "\"p\": {\"value\": 0.002, \"unit\": \"w/w\", \"source\": \"test\"}}}",
    "{\"kind\": \"product\", \"id\": \"tab\", \"name\": \"tab\", \"route\": \"oral\", "
    "\"dose_unit\": \"tablet\", \"content\": {"
    "\"d\": {\"value\": 2, \"unit\": \"mg/tablet\", \"source\": \"test\"}, "
    "\"p\": {\"value\": 1, \"unit\": \"mg/tablet\", \"source\": \"test\"}}}",
    "{\"kind\": \"product\", \"id\": \"patch\", \"name\": \"patch\", \"route\": \"transdermal\", "
    "\"dose_unit\": \"patch\", \"content\": {"
    "\"d\": {\"value\": 0.5, \"unit\": \"mg/h\", \"source\": \"test\"}}, "
    "\"absorption\": {\"d\": {\"ka\": {\"value\": 0.3, \"unit\": \"1/h\", \"source\": \"test\"}, "
    "\"lag\": {\"value\": 1, \"unit\": \"h\", \"source\": \"test\"}}}, "
    "\"release_h\": {\"value\": 10, \"unit\": \"h\", \"source\": \"test\"}}",
};

static pk_model *product_model(void) {
  pk_model *m = ds_model();
  for (size_t k = 0; k < 3; k++) {
    pk_error err;
    CHECK(pk_model_load_text(m, PRODUCTS[k], strlen(PRODUCTS[k]), "product.json", &err) ==
              PK_OK,
          "product %zu: %s: %s", k, err.path, err.message);
  }
  return m;
}

/* Central amount (umol) of compound p, s h after u umol arrived in its depot. */
static double p_bateman(double u, double s) {
  const double ka = 0.7, k = 0.1;
  return s >= 0 ? u * ka / (ka - k) * (exp(-k * s) - exp(-ka * s)) : 0.0;
}
static double p_umol(double mg) { return 1000.0 * mg / 300.0; }
static double p_conc(double umol) { return 1000.0 * umol / 60.0; }

static void doses_and_equivalence(const pk_model *m) {
  pk_dataset *d = ds_load("products.csv", m, NULL), *c = ds_load("products-compounds.csv", m,
                                                                  NULL);
  if (!d || !c) goto done;
  CHECK(pk_dataset_covariate_count(d) == 0, "products: PRODUCT must not be a covariate");
  /* subject 1: mix (3 g) at 0, tab (2 tablets) at 12 and 24 (ADDL), d at 36 */
  const struct {
    double t, mg;
    int compound, product;
  } want[] = {{0, 30, 0, 0},  {0, 6, 1, 0},  {12, 4, 0, 1},
              {12, 2, 1, 1},  {24, 4, 0, 1}, {24, 2, 1, 1}, {36, 5, 0, -1}};
  const pk_regimen *r = pk_dataset_subject_regimen(d, 0);
  size_t n = sizeof want / sizeof want[0];
  CHECK(pk_regimen_size(r) == n, "products: subject 1 has %zu doses, expected %zu",
        pk_regimen_size(r), n);
  for (size_t k = 0; k < n && k < pk_regimen_size(r); k++) {
    pk_dose x = pk_regimen_dose(r, k);
    CHECK(x.t_h == want[k].t && x.amount_mg == want[k].mg && x.compound == want[k].compound &&
              x.product == want[k].product && x.route == PK_ROUTE_ORAL,
          "products: dose %zu is %g mg of compound %d (product %d) at %g h, expected %g mg of "
          "%d (product %d) at %g h", k, x.amount_mg, x.compound, x.product, x.t_h,
          want[k].mg, want[k].compound, want[k].product, want[k].t);
  }
  /* the patch: one dose of d, 0.5 mg/h over 10 h by the transdermal route */
  pk_dose patch = pk_regimen_dose(pk_dataset_subject_regimen(d, 1), 0);
  CHECK(patch.amount_mg == 5 && patch.duration_h == 10 && patch.route == PK_ROUTE_DEPOT &&
            patch.ka_per_h == 0.3 && patch.lag_h == 1 && patch.product == 2,
        "products: the patch is %g mg over %g h (route %d, ka %g, lag %g, product %d)",
        patch.amount_mg, patch.duration_h, (int)patch.route, patch.ka_per_h, patch.lag_h,
        patch.product);
  for (size_t s = 0; s < 2; s++) {
    pk_sim_options o = ds_options(48.0, 0.25, ds_solvers[s]);
    pk_trajectory **td = ds_simulate(d, &o), **tc = ds_simulate(c, &o);
    const char *sv = pk_solver_name(ds_solvers[s]);
    CHECK(td && tc && pk_trajectory_rows(td[0]) == pk_trajectory_rows(tc[0]) &&
              pk_trajectory_cols(td[0]) == pk_trajectory_cols(tc[0]) &&
              memcmp(pk_trajectory_data(td[0]), pk_trajectory_data(tc[0]),
                     pk_trajectory_rows(tc[0]) * pk_trajectory_cols(tc[0]) * sizeof(double)) ==
                  0,
          "products (%s): the product doses and the same doses per compound differ", sv);
    for (size_t i = 0; td && i < pk_trajectory_rows(td[0]); i++) {
      double t = unit_get(td[0], i, "time_h");
      double Ad = ds_bateman(ds_umol(30), t) + ds_bateman(ds_umol(4), t - 12) +
                  ds_bateman(ds_umol(4), t - 24) + ds_bateman(ds_umol(5), t - 36);
      double Ap = p_bateman(p_umol(6), t) + p_bateman(p_umol(2), t - 12) +
                  p_bateman(p_umol(2), t - 24);
      char what[96];
      snprintf(what, sizeof what, "products (%s): subject 1 C_d at %g h", sv, t);
      CHECK_CLOSE(unit_get(td[0], i, "C_d"), ds_conc(Ad), ds_rel, ds_abs, what);
      snprintf(what, sizeof what, "products (%s): subject 1 C_p at %g h", sv, t);
      CHECK_CLOSE(unit_get(td[0], i, "C_p"), p_conc(Ap), ds_rel, ds_abs, what);
      /* subject 2: the patch, then EVID 4 with 1 g of mix at 24 h */
      const double kp = 0.3, k = ds_k, rate = ds_umol(0.5);
#define GP(s) ((s) > 0 ? kp / (kp - k) * ((1 - exp(-k * (s))) / k - (1 - exp(-kp * (s))) / kp) : 0)
      Ad = t < 24 ? rate * (GP(t - 1) - GP(t - 11)) : ds_bateman(ds_umol(10), t - 24);
#undef GP
      Ap = t < 24 ? 0 : p_bateman(p_umol(2), t - 24);
      snprintf(what, sizeof what, "products (%s): subject 2 C_d at %g h", sv, t);
      CHECK_CLOSE(unit_get(td[1], i, "C_d"), ds_conc(Ad), ds_rel, ds_abs, what);
      snprintf(what, sizeof what, "products (%s): subject 2 C_p at %g h", sv, t);
      CHECK_CLOSE(unit_get(td[1], i, "C_p"), p_conc(Ap), ds_rel, ds_abs, what);
      /* subject 3: SS 1 with 1 g of mix every 12 h: both compounds at
       * their periodic steady state from 0 h (no further dose) */
      double tau = 12, ka = ds_ka;
      Ad = ds_umol(10) * ka / (ka - k) *
           (exp(-k * t) / (1 - exp(-k * tau)) - exp(-ka * t) / (1 - exp(-ka * tau)));
      Ap = p_umol(2) * 0.7 / 0.6 *
           (exp(-0.1 * t) / (1 - exp(-0.1 * tau)) - exp(-0.7 * t) / (1 - exp(-0.7 * tau)));
      snprintf(what, sizeof what, "products (%s): subject 3 (SS 1) C_d at %g h", sv, t);
      CHECK_CLOSE(unit_get(td[2], i, "C_d"), ds_conc(Ad), ds_rel, ds_abs, what);
      snprintf(what, sizeof what, "products (%s): subject 3 (SS 1) C_p at %g h", sv, t);
      CHECK_CLOSE(unit_get(td[2], i, "C_p"), p_conc(Ap), ds_rel, ds_abs, what);
    }
    pk_dataset_trajectories_free(td, 3);
    pk_dataset_trajectories_free(tc, 1);
  }
  /* the SS 1 record of a product with two compounds is named in a warning */
  CHECK(pk_dataset_warning_count(d) == 1, "products: %zu warnings, expected 1",
        pk_dataset_warning_count(d));
  const pk_error *w = pk_dataset_warning(d, 0);
  CHECK(w && w->code == PK_WARN_PRODUCT_SS && w->line == 15 && w->column == 8 &&
            strstr(w->message, "SS 1 on a dose of product mix") &&
            strstr(w->message, "tol and the withdrawal filters start from the initial level"),
        "products: the SS 1 warning: %s at %d:%d: %s", w ? pk_status_str(w->code) : "none",
        w ? w->line : 0, w ? w->column : 0, w ? w->message : "");
done:
  pk_dataset_free(d);
  pk_dataset_free(c);
}

static const ds_bad_case bad[] = {
    {"product-unknown.csv", 4, 5,
     {"column PRODUCT: ", "unknown product '4'",
      "expected a number 1 to 3 or a product id of the model (1 mix, 2 tab, 3 patch)"}},
    {"product-cmt.csv", 3, 5,
     {"column CMT: ", "CMT depot_d on a dose of product mix", "expected CMT empty or 0"}},
    {"product-rate.csv", 3, 5,
     {"column RATE: ", "RATE -2 on a dose of product tab", "expected RATE empty or 0"}},
    {"product-negative-amt.csv", 3, 4,
     {"column AMT: ", "negative amount -1 tablet of product tab"}},
    {"product-ss-lag.csv", 4, 5,
     {"column II: ", "the lag of d (1 h) plus the release time (10 h)",
      "is at least the interval II 8 h"}},
};

int main(void) {
  test_init();
  pk_model *m = product_model();
  doses_and_equivalence(m);
  for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) ds_refused(m, &bad[k]);
  /* too much of a product: the amount of a compound above PK_MAX_DOSE_MG */
  const char huge[] = "ID,TIME,AMT,PRODUCT\n1,0,1e12,mix\n";
  pk_dataset *d = NULL;
  pk_error err;
  pk_status st = pk_dataset_load_text(huge, sizeof huge - 1, "huge.csv", m, NULL, &d, &err);
  CHECK(st == PK_ERR_INVALID && !d && err.line == 2 && err.column == 3 &&
            strstr(err.message, "column AMT: 1e+12 g of product mix: "),
        "a huge product dose: %d:%d %s", err.line, err.column, err.message);
  pk_model_free(m);
  return test_finish("unit_dataset_products");
}
