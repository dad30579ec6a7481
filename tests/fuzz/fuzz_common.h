/* fuzz_common.h - shared by the fuzz targets of libpk's readers (one per
 * reader: fuzz_scenario.c, fuzz_model.c, fuzz_dataset.c, fuzz_population.c,
 * fuzz_sweep.c). Each defines LLVMFuzzerTestOneInput; built with
 * -DPK_FUZZ=ON it is linked with libFuzzer, otherwise with replay_main.c,
 * which runs it on the seed corpus under ctest.
 *
 * Every target checks, besides what the sanitizers check, that a failed
 * load returns the status it puts in err and says something: every error
 * has a message. */
#ifndef PK_FUZZ_COMMON_H
#define PK_FUZZ_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h" /* struct pk_model: the targets copy models */
#include "pk/pk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Aborts (a crash for the fuzzer) if a failure is not reported properly. */
static inline void fuzz_check_error(pk_status st, const pk_error *err, const char *what) {
  if (st == PK_OK) return;
  if (err->code != st || !err->message[0]) {
    fprintf(stderr, "%s: status %s, err->code %s, message '%s'\n", what, pk_status_str(st),
            pk_status_str(err->code), err->message);
    abort();
  }
  char buf[2048];
  pk_error_format(err, buf, sizeof buf);
}

/* Aborts if setting up a target fails (the shipped files are broken). */
static inline void fuzz_setup_ok(pk_status st, const pk_error *err, const char *what) {
  if (st == PK_OK) return;
  char buf[2048];
  pk_error_format(err, buf, sizeof buf);
  fprintf(stderr, "fuzz target setup: %s: %s\n", what, buf);
  abort();
}

/* The shipped kratom model (mitragynine, 7-hydroxymitragynine, the
 * receptor, leaf powder), loaded once. */
static inline const pk_model *fuzz_kratom_model(void) {
  static pk_scenario *s;
  if (!s) {
    pk_error err;
    fuzz_setup_ok(pk_scenario_load(PK_MODELS_DIR "/scenarios/kratom-taper.json", &s, &err), &err,
                  "kratom-taper.json");
  }
  return pk_scenario_model(s);
}

#endif
