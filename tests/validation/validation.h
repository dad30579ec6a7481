/* validation.h - helpers for the validation tests: scenarios written as
 * JSON text (model files relative to models/, or the validation products
 * in tests/validation/data), simulated by the library; maxima and crossing
 * times read off the trajectory; one line per comparison,
 *
 *   [fitted|prediction] what: model X vs published Y (source) ... ok|FAIL
 *
 * where "fitted" marks a number the model's parameters were calibrated to
 * and "prediction" one they were not. */
#ifndef PK_VALIDATION_H
#define PK_VALIDATION_H

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "pk/pk.h"

#define VMODELS PK_MODELS_DIR "/"
#define VDATA PK_VALIDATION_DATA "/"

/* Loads and simulates the scenario text (printf format); NULL with a failed
 * check on error. */
static inline pk_trajectory *v_run(const char *fmt, ...) {
  char text[8192];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(text, sizeof text, fmt, ap);
  va_end(ap);
  CHECK(n > 0 && (size_t)n < sizeof text, "scenario text too long (%d)", n);
  pk_error err;
  pk_scenario *s = NULL;
  pk_trajectory *t = NULL;
  if (pk_scenario_load_text(text, strlen(text), "validation.json", PK_MODELS_DIR, &s, &err) !=
      PK_OK) {
    CHECK(0, "scenario: %s: %s\n%s", err.path, err.message, text);
    return NULL;
  }
  if (pk_scenario_simulate(s, &t, &err) != PK_OK) {
    CHECK(0, "simulate: %s", err.message);
    t = NULL;
  }
  pk_scenario_free(s);
  return t;
}

static inline double v_get(const pk_trajectory *t, size_t row, const char *col) {
  int j = pk_trajectory_column_index(t, col);
  return j < 0 ? NAN : pk_trajectory_get(t, row, (size_t)j);
}

/* Largest value of col at t0 <= time < t1 (its time in *at). */
static inline double v_max(const pk_trajectory *t, const char *col, double t0, double t1, double *at) {
  double best = -INFINITY, when = NAN;
  for (size_t i = 0; t && i < pk_trajectory_rows(t); i++) {
    double th = v_get(t, i, "time_h"), v = v_get(t, i, col);
    if (th >= t0 && th < t1 && v > best) best = v, when = th;
  }
  if (at) *at = when;
  return best;
}

/* First time >= t0 at which col exceeds level (NaN if never). */
static inline double v_first_above(const pk_trajectory *t, const char *col, double level, double t0) {
  for (size_t i = 0; t && i < pk_trajectory_rows(t); i++) {
    double th = v_get(t, i, "time_h");
    if (th >= t0 && v_get(t, i, col) > level) return th;
  }
  return NAN;
}

/* Last time >= t0 at which col exceeds level (NaN if never). */
static inline double v_last_above(const pk_trajectory *t, const char *col, double level, double t0) {
  double last = NAN;
  for (size_t i = 0; t && i < pk_trajectory_rows(t); i++) {
    double th = v_get(t, i, "time_h");
    if (th >= t0 && v_get(t, i, col) > level) last = th;
  }
  return last;
}

/* One comparison: prints it and counts it as a check. */
static inline void v_report(const char *kind, int ok, const char *fmt, ...) {
  char line[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  printf("  [%-10s] %s ... %s\n", kind, line, ok ? "ok" : "FAIL");
  CHECK(ok, "%s", line);
}

/* A published number the model does not reproduce, printed beside the
 * model's, with the reason (docs/pd-model.md lists these): not a check. */
static inline void v_deviation(const char *fmt, ...) {
  char line[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  printf("  [deviation ] %s\n", line);
}

/* The symptom threshold of W from the shipped receptor file. */
static inline double v_threshold(void) {
  pk_model *m = pk_model_new();
  pk_error err;
  double thr = NAN;
  if (m && pk_model_load_file(m, PK_MODELS_DIR "/receptors/mu-opioid.json", &err) == PK_OK)
    pk_model_withdrawal(m, NULL, NULL, NULL, &thr);
  pk_model_free(m);
  CHECK(isfinite(thr), "the shipped receptor has no withdrawal threshold");
  return thr;
}

#endif
