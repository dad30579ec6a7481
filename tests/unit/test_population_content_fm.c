/* A population varying a product's content (dose.<compound>) and a
 * metabolite's formation (<metabolite>.fm), through the batch engine:
 * for a parent x (one compartment, IV bolus D) forming y with fm, the
 * closed forms over a long run are AUC_x = d D / CL_x (d the subject's dose
 * multiplier) and AUC_y = fm d D / CL_y (the conversion is molar, equal
 * MW). Each subject's summaries must match its drawn d and fm (1e-6), and
 * the drawn values must have the asked spread. */
#include "batch_fixture.h"
#include "check.h"

enum { N = 400 };

typedef struct got {
  int d, fm, ax, ay;
  double v[N][4];
  int n;
} got;

static int keep(void *ctx, const pk_subject_result *r) {
  got *g = ctx;
  if (r->index >= N || r->status != PK_OK) return 0;
  g->v[r->index][0] = r->values[g->d], g->v[r->index][1] = r->values[g->fm];
  g->v[r->index][2] = r->values[g->ax], g->v[r->index][3] = r->values[g->ay];
  g->n++;
  return 0;
}

int main(void) {
  test_init();
  pk_error err;
  pk_model *m = fixture_model(); /* x: CL 2, V 10; y: CL 2, V 10 (+ peripheral) */
  const double FM = 0.4, D = 50, T = 400;
  CHECK(m && pk_model_add_conversion(m, 0, 1, FM, 0.0, &err) == PK_OK, "model: %s",
        err.message);
  pk_regimen *reg = pk_regimen_new();
  CHECK(pk_regimen_add_dose(reg, 0, PK_ROUTE_IV, 0, D, &err) == PK_OK, "%s", err.message);
  pk_population *pop = pk_population_new(m);
  CHECK(pk_population_add(pop, "dose.drug-x", log1p(0.3 * 0.3), &err) == PK_OK,
        "content variability: %s", err.message);
  CHECK(pk_population_add(pop, "drug-y.fm", 0.04, &err) == PK_OK, "fm variability: %s",
        err.message);
  CHECK(pk_population_prepare(pop, &err) == PK_OK, "prepare: %s", err.message);
  pk_batch_spec spec = pk_batch_spec_default();
  spec.model = m, spec.regimen = reg, spec.population = pop, spec.n_subjects = N;
  spec.options.t_end_h = T, spec.options.output_step_h = 0.25;
  spec.options.rtol = 1e-10, spec.options.atol = 1e-14;
  pk_batch *b = NULL;
  CHECK(pk_batch_new(&spec, &b, &err) == PK_OK, "batch: %s", err.message);
  static got g;
  g.d = pk_batch_column_index(b, "dose.x"), g.fm = pk_batch_column_index(b, "y.fm");
  g.ax = pk_batch_column_index(b, "AUC_x"), g.ay = pk_batch_column_index(b, "AUC_y");
  CHECK(g.d >= 0 && g.fm >= 0 && g.ax >= 0 && g.ay >= 0, "columns dose.x, y.fm, AUC_x, AUC_y");
  pk_batch_run_options ro = pk_batch_run_options_default();
  ro.on_subject = keep, ro.ctx = &g;
  CHECK(pk_batch_run(b, &ro, NULL, &err) == PK_OK, "run: %s", err.message);
  CHECK(g.n == N, "%d subjects ran", g.n);
  double sl = 0, sl2 = 0, ml = 0;
  for (int i = 0; i < g.n; i++) {
    double d = g.v[i][0], fm = g.v[i][1];
    /* the whole dose is cleared by T (k = 0.2/h: e^-80); AUC over the
     * output times by the log-down trapezoid, exact for exponentials */
    CHECK_CLOSE(g.v[i][2], 1000.0 * d * D / 2.0, 1e-6, 0, "AUC of x = d D / CL");
    CHECK_CLOSE(g.v[i][3], 1000.0 * fm * d * D / 2.0, 2e-3, 0, "AUC of y = fm d D / CL_y");
    sl += log(d), sl2 += log(d) * log(d), ml += log(fm / FM);
  }
  double mean = sl / g.n, var = sl2 / g.n - mean * mean;
  CHECK(fabs(mean) < 4.5 * sqrt(log1p(0.09) / g.n), "mean log dose multiplier %g", mean);
  CHECK_CLOSE(var, log1p(0.09), 0.25, 0, "variance of the log dose multiplier");
  CHECK(fabs(ml / g.n) < 4.5 * sqrt(0.04 / g.n), "mean log fm ratio %g", ml / g.n);
  pk_batch_free(b), pk_population_free(pop), pk_regimen_free(reg), pk_model_free(m);
  return test_finish("unit_population_content_and_fm");
}
