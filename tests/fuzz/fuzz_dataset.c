/* fuzz_dataset.c - fuzz target of the event-dataset reader
 * (pk_dataset_load_text), against the model of the dataset tests
 * (tests/unit/dataset_helpers.h: compounds d and p, CMT 1 to 4, with a
 * zero-order rate and duration so that RATE -1 and -2 are accepted), with
 * the default options and with LOCF covariates and F on the rate. */
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
    double t0 = pk_dataset_subject_first_time(d, s);
    for (size_t j = 0; j < pk_dataset_covariate_count(d); j++) {
      (void)pk_dataset_covariate_at(d, s, j, t0);
      (void)pk_dataset_covariate_at(d, s, j, t0 + 1);
    }
    pk_sim_options so = pk_dataset_sim_options(d, s, NULL);
    if (!(so.t_start_h <= 0)) abort();
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
