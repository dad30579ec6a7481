/* fuzz_dataset.c - fuzz target of the event-dataset readers
 * (pk_dataset_load_text, and pk_dataset_reader on the same bytes in a
 * temporary file: it never refuses what the whole-file loader takes, and
 * where both read the file they give the same subjects; it may take a file
 * the loader refuses only for the limit on ADDL doses, which it applies per
 * subject), against the model of the dataset tests
 * (tests/unit/dataset_helpers.h: compounds d and p, CMT 1 to 4, with a
 * zero-order rate and duration so that RATE -1 and -2 are accepted, and
 * the products mix and tab of both, for PRODUCT 1, 2, mix and tab), with
 * the default options and with LOCF covariates and F on the rate. A loaded
 * dataset's warnings and observation records are read back. */
#include <math.h>
#include <unistd.h>
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

/* The same bytes read subject by subject, against the whole load d (NULL
 * when it failed with err). */
static void stream(const char *text, size_t size, const pk_dataset_options *o,
                   const pk_dataset *d, const pk_error *whole_err) {
  const char *tmp = getenv("TMPDIR");
  char path[512];
  snprintf(path, sizeof path, "%s/pk-fuzz-XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
  int fd = mkstemp(path);
  if (fd < 0) return; /* no temporary file: nothing to compare */
  FILE *f = fdopen(fd, "wb");
  int ok = f && fwrite(text, 1, size, f) == size;
  if (f ? fclose(f) != 0 : close(fd) != 0) ok = 0;
  if (!ok) {
    unlink(path);
    return;
  }
  pk_dataset_reader *r = NULL;
  pk_error err;
  pk_status st = pk_dataset_reader_open(path, model(), o, &r, &err);
  fuzz_check_error(st, &err, "pk_dataset_reader_open");
  size_t n = 0;
  while (st == PK_OK) {
    pk_dataset *one = NULL;
    st = pk_dataset_reader_next(r, &one, &err);
    fuzz_check_error(st, &err, "pk_dataset_reader_next");
    if (st != PK_OK || !one) {
      if (one) abort();
      break;
    }
    if (pk_dataset_subject_count(one) != 1) abort();
    if (d && (n >= pk_dataset_subject_count(d) ||
              strcmp(pk_dataset_subject_id(one, 0), pk_dataset_subject_id(d, n)) != 0 ||
              pk_regimen_size(pk_dataset_subject_regimen(one, 0)) !=
                  pk_regimen_size(pk_dataset_subject_regimen(d, n)) ||
              pk_dataset_observation_count(one, 0) != pk_dataset_observation_count(d, n)))
      abort();
    n++;
    pk_dataset_free(one);
  }
  if (d && (st != PK_OK || n != pk_dataset_subject_count(d))) {
    fprintf(stderr, "the reader refused (%s, line %d) what the loader read\n", err.message,
            err.line);
    abort();
  }
  if (!d && st == PK_OK && !strstr(whole_err->message, "additional doses (ADDL)")) {
    fprintf(stderr, "the reader took what the loader refused: %s\n", whole_err->message);
    abort();
  }
  pk_dataset_reader_free(r);
  unlink(path);
}

static void load(const char *text, size_t size, const pk_dataset_options *o) {
  pk_dataset *d = NULL;
  pk_error err;
  pk_status st = pk_dataset_load_text(text, size, "fuzz.csv", model(), o, &d, &err);
  fuzz_check_error(st, &err, "pk_dataset_load_text");
  stream(text, size, o, st == PK_OK ? d : NULL, &err);
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
