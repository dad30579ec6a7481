/* test_population_tanna2022.c - the population shipped with the default
 * kratom scenario (models/scenarios/kratom-taper.json, its "population"
 * block) set beside the spread of the single-dose study it draws on.
 *
 * Tanna RS et al. Pharmaceutics 2022;14:620 (medians and ranges of 5
 * people, Drug Metab Dispos 2023;51:923, Table 3): one 39 mg MG tea.
 * Simulated: 1000 subjects of the shipped population, 39 mg MG by mouth,
 * to 400 h (AUC over 0-400 h, within 0.5 % of AUCinf for MG's 48 h
 * half-life). One product was given in the study, so the population's
 * content variability (dose.mitragynine) is taken out: every summary is
 * divided by the subject's content multiplier (the model is linear).
 *
 * The CVs of MG CL and V were derived from this study's CL/F and Vz/F
 * ranges (FITTED, in that sense); the spread of MG Cmax and AUC and
 * everything about 7OH are PREDICTED. Checks: the population median
 * within a factor of 1.35 of the study's; the study's lowest and highest
 * values inside the population's 1st-99th percentiles (five people should
 * not fall outside); and the population not much narrower than the study
 * (its 10th-90th percentile span at least half the study's range, on the
 * log scale). The table is printed. */
#include <stdlib.h>
#include "check.h"
#include "pk/pk.h"
#include "tanna2022.h"

enum { N = 1000 };

typedef struct got {
  int d, col[4];
  double v[4][N];
  int n;
} got;

static int keep(void *ctx, const pk_subject_result *r) {
  got *g = ctx;
  if (r->status != PK_OK || g->n >= N) return 0;
  double d = r->values[g->d];
  for (int k = 0; k < 4; k++) g->v[k][g->n] = r->values[g->col[k]] / d;
  g->n++;
  return 0;
}

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* R type 7 percentile of sorted x */
static double pct(const double *x, int n, double p) {
  double h = (n - 1) * p / 100.0;
  int i = (int)floor(h);
  return i + 1 < n ? x[i] + (h - i) * (x[i + 1] - x[i]) : x[n - 1];
}

int main(void) {
  test_init();
  pk_error err;
  pk_scenario *sc = NULL;
  const char *path = PK_MODELS_DIR "/scenarios/kratom-taper.json";
  CHECK(pk_scenario_load(path, &sc, &err) == PK_OK, "default scenario: %s", err.message);
  if (!sc) return test_finish("calibration_population_tanna2022");
  const pk_model *m = pk_scenario_model(sc);
  pk_population *pop = NULL;
  CHECK(pk_population_load(path, m, &pop, &err) == PK_OK, "its population block: %s",
        err.message);
  CHECK(pop && pk_population_prepare(pop, &err) == PK_OK, "prepare: %s", err.message);
  pk_regimen *reg = pk_regimen_new();
  int mg = pk_model_find_compound(m, "mg");
  CHECK(pk_regimen_add_dose(reg, mg, PK_ROUTE_ORAL, 0.0, TANNA_DOSE_MG, &err) == PK_OK, "%s",
        err.message);
  pk_batch_spec spec = pk_batch_spec_default();
  spec.model = m, spec.regimen = reg, spec.population = pop, spec.n_subjects = N;
  spec.options.t_end_h = 400, spec.options.output_step_h = 0.25;
  pk_batch *b = NULL;
  CHECK(pk_batch_new(&spec, &b, &err) == PK_OK, "batch: %s", err.message);
  static got g;
  const char *names[4] = {"Cmax_mg", "AUC_mg", "Cmax_7oh", "AUC_7oh"};
  const int target[4] = {TANNA_MG_CMAX, TANNA_MG_AUC, TANNA_OH_CMAX, TANNA_OH_AUC};
  g.d = b ? pk_batch_column_index(b, "dose.mg") : -1;
  for (int k = 0; k < 4; k++) g.col[k] = b ? pk_batch_column_index(b, names[k]) : -1;
  CHECK(g.d >= 0 && g.col[0] >= 0 && g.col[3] >= 0, "summary columns");
  pk_batch_run_options ro = pk_batch_run_options_default();
  ro.on_subject = keep, ro.ctx = &g;
  CHECK(b && pk_batch_run(b, &ro, NULL, &err) == PK_OK, "run: %s", err.message);
  CHECK(g.n >= N - 5, "%d of %d subjects ran", g.n, N);
  printf("%-18s %9s %9s %9s %9s %9s | %9s %18s %s\n", "", "P1", "P10", "P50", "P90", "P99",
         "median", "range (n = 5)", "");
  for (int k = 0; k < 4 && g.n > 10; k++) {
    qsort(g.v[k], (size_t)g.n, sizeof(double), cmp);
    const tanna_target *t = &TANNA[target[k]];
    double p1 = pct(g.v[k], g.n, 1), p10 = pct(g.v[k], g.n, 10), p50 = pct(g.v[k], g.n, 50),
           p90 = pct(g.v[k], g.n, 90), p99 = pct(g.v[k], g.n, 99);
    printf("%-18s %9.4g %9.4g %9.4g %9.4g %9.4g | %9.4g %8.4g - %-8.4g %s\n", t->name, p1, p10,
           p50, p90, p99, t->median, t->lo, t->hi, k < 2 ? "(CV of CL, V from this study)"
                                                      : "(predicted)");
    CHECK(p50 > t->median / 1.35 && p50 < t->median * 1.35, "%s: population median %g, study %g",
          t->name, p50, t->median);
    CHECK(t->lo >= p1 && t->hi <= p99, "%s: study range %g-%g outside the population's P1-P99 "
          "%g-%g", t->name, t->lo, t->hi, p1, p99);
    CHECK(log(p90 / p10) >= 0.5 * log(t->hi / t->lo),
          "%s: population P10-P90 %g-%g much narrower than the study's range %g-%g", t->name, p10,
          p90, t->lo, t->hi);
  }
  pk_batch_free(b);
  pk_regimen_free(reg);
  pk_population_free(pop);
  pk_scenario_free(sc);
  return test_finish("calibration_population_tanna2022");
}
