/* fuzz_dataset.c - fuzz target of the event-dataset reader
 * (pk_dataset_load_text), against the model of the dataset tests
 * (tests/unit/dataset_helpers.h: compounds d and p, CMT 1 to 4, with a
 * zero-order rate and duration so that RATE -1 and -2 are accepted, and
 * the products mix and tab of both, for PRODUCT 1, 2, mix and tab), with
 * the default options and with LOCF covariates and F on the rate. A loaded
 * dataset's warnings and observation records are read back. */
#include <math.h>
#include "fuzz_common.h"

static const pk_model *model(void) {
  static pk_model *m;
  if (!m) {
    m = pk_model_new();
    const char *ids[2] = {"d", "p"};
    const double mw[2] = {250, 300}, ka[2] = {1.1, 0.7}, V[2] = {40, 60}, CL[2] = {8, 6};
    for (int i = 0; i < 2; i++) {
      pk_compound_params p = pk_compound_params_default();
      snprintf(p.id, sizeof p.id, "%s", ids[i]);
      snprintf(p.name, sizeof p.name, "%s", ids[i]);
      p.mw_g_per_mol = mw[i];
      p.ka_per_h = ka[i];
      p.V_L = V[i];
      p.CL_L_per_h = CL[i];
      if (i == 0) p.zo_rate_mg_per_h = 5, p.zo_duration_h = 2;
      pk_error err;
      fuzz_setup_ok(pk_model_add_compound(m, &p, NULL, &err), &err, "the dataset model");
    }
    const int both[2] = {0, 1};
    const double mix[2] = {0.01, 0.002}, tab[2] = {0.5, 0.5};
    pk_error err;
    fuzz_setup_ok(pk_model_add_product(m, "mix", 2, both, mix, NULL, &err), &err, "product mix");
    fuzz_setup_ok(pk_model_add_product(m, "tab", 2, both, tab, NULL, &err), &err, "product tab");
  }
  return m;
}

static void load(const char *text, size_t size, const pk_dataset_options *o) {
  pk_dataset *d = NULL;
  pk_error err;
  pk_status st = pk_dataset_load_text(text, size, "fuzz.csv", model(), o, &d, &err);
  fuzz_check_error(st, &err, "pk_dataset_load_text");
  if (st != PK_OK) {
    if (d) abort();
    return;
  }
  for (size_t s = 0; s < pk_dataset_subject_count(d); s++) {
    if (!pk_dataset_subject_id(d, s) || !pk_dataset_subject_model(d, s) ||
        !pk_dataset_subject_regimen(d, s))
      abort();
    size_t n = pk_dataset_observation_count(d, s);
    if (n && !pk_dataset_observation_times(d, s)) abort();
    for (size_t k = 0; k < n; k++) {
      int evid = pk_dataset_observation_evid(d, s, k);
      if (pk_dataset_observation_line(d, s, k) < 2 || (evid != 0 && evid != 2) ||
          !pk_dataset_observation_field(d, s, k, "TIME") ||
          !pk_dataset_observation_field(d, s, k, "id"))
        abort();
    }
    double t0 = pk_dataset_subject_first_time(d, s);
    for (size_t j = 0; j < pk_dataset_covariate_count(d); j++) {
      (void)pk_dataset_covariate_at(d, s, j, t0);
      (void)pk_dataset_covariate_at(d, s, j, t0 + 1);
    }
    pk_sim_options so = pk_dataset_sim_options(d, s, NULL);
    if (!(so.t_start_h <= 0)) abort();
  }
  for (size_t k = 0; k < pk_dataset_warning_count(d); k++) {
    const pk_error *w = pk_dataset_warning(d, k);
    if (!w || w->code <= 0 || w->line < 1 || !w->message[0]) abort();
  }
  pk_dataset_free(d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *text = (const char *)data;
  load(text, size, NULL);
  pk_dataset_options o = pk_dataset_options_default();
  o.covariate_fill = PK_FILL_LOCF;
  o.f_scales_rate = 1;
  load(text, size, &o);
  return 0;
}
