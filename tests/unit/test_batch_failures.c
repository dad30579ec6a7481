/* A subject whose solve fails (or whose settings are out of range) is
 * reported with its index, status, time reached and reason; the subjects
 * after it go on, in order, with the same results as without it. */
#include <stdlib.h>
#include "batch_fixture.h"
#include "check.h"

typedef struct seen {
  size_t index[16];
  int status[16];
  double fail_t[16], auc[16];
  char reason[16][600];
  size_t n;
  int auc_col;
} seen;

static int keep(void *ctx, const pk_subject_result *r) {
  seen *s = ctx;
  if (s->n >= 16) return 1;
  s->index[s->n] = r->index;
  s->status[s->n] = r->status;
  s->fail_t[s->n] = r->fail_t_h;
  s->auc[s->n] = r->values[s->auc_col];
  snprintf(s->reason[s->n], sizeof s->reason[0], "%s", r->reason);
  s->n++;
  return 0;
}

int main(void) {
  test_init();
  pk_error err;
  pk_model *m = pk_model_new();
  CHECK(m && fixture_add_compound(m, "x", "drug-x", 0) == 0, "model");
  pk_regimen *reg = pk_regimen_new();
  CHECK(pk_regimen_add_dose(reg, 0, PK_ROUTE_IV, 0, 100, &err) == PK_OK, "%s", err.message);
  pk_sweep *sw = pk_sweep_new();
  /* V = 1e-300 L (below the smallest volume, 1e-6 L, at which every rate and
   * concentration stays finite) and CL = -1 are refused before simulating */
  CHECK(pk_sweep_add(sw, m, "x.V=10,1e-300,12,20", &err) == PK_OK, "%s", err.message);
  CHECK(pk_sweep_add(sw, m, "x.CL=2,-1", &err) == PK_OK, "%s", err.message);
  pk_batch_spec spec = pk_batch_spec_default();
  spec.model = m;
  spec.regimen = reg;
  spec.options.t_end_h = 24;
  spec.options.solver = PK_SOLVER_ODE;
  spec.sweep = sw;
  pk_batch *b = NULL;
  CHECK(pk_batch_new(&spec, &b, &err) == PK_OK, "batch: %s", err.message);
  for (int threads = 1; threads <= 2; threads++) {
    seen s = {.auc_col = pk_batch_column_index(b, "AUC_x")};
    pk_batch_run_options o = pk_batch_run_options_default();
    o.threads = threads;
    o.on_subject = keep;
    o.ctx = &s;
    pk_batch_report rep;
    CHECK(pk_batch_run(b, &o, &rep, &err) == PK_OK, "the run goes on: %s", err.message);
    CHECK(s.n == 8 && rep.done == 8 && rep.failed == 5 && !rep.stopped,
          "%d threads: 8 reported, 5 failed (got %zu, %zu)", threads, s.n, rep.failed);
    for (size_t i = 0; i < s.n; i++) CHECK(s.index[i] == i, "in order: %zu at %zu", s.index[i], i);
    /* points: (V, CL) = (10,2) (10,-1) (1e-300,2) (1e-300,-1) (12,2) (12,-1) (20,2) (20,-1) */
    for (size_t i = 1; i < 8; i += 2) {
      CHECK(s.status[i] == PK_ERR_INVALID, "point %zu: CL -1 refused", i);
      /* point 3 has both V 1e-300 and CL -1: the first refusal is V's */
      CHECK(strstr(s.reason[i], i == 3 ? "V of compound 'drug-x' must be a finite number in"
                                       : "CL of compound 'drug-x' must be >= 0 L/h, got -1") != NULL,
            "reason: %s", s.reason[i]);
      CHECK(isnan(s.fail_t[i]) && isnan(s.auc[i]), "no time or summary for a refused point");
    }
    CHECK(s.status[2] == PK_ERR_INVALID, "point 2: V 1e-300 refused (%d)", s.status[2]);
    CHECK(strstr(s.reason[2], "V of compound 'drug-x' must be a finite number in [1e-06, "
                              "1e+08] L, got 1e-300") != NULL, "reason: %s", s.reason[2]);
    CHECK(isnan(s.fail_t[2]) && isnan(s.auc[2]), "no time or summary for a refused point");
    CHECK(s.status[0] == PK_OK && s.status[4] == PK_OK && s.status[6] == PK_OK, "the others ok");
    /* AUC(0..24) = D/CL (1 - exp(-k 24)) in nM h */
    double want[3] = {1000 * 100 / 2.0 * (1 - exp(-0.2 * 24)),
                      1000 * 100 / 2.0 * (1 - exp(-2.0 / 12 * 24)),
                      1000 * 100 / 2.0 * (1 - exp(-0.1 * 24))};
    CHECK_CLOSE(s.auc[0], want[0], 1e-6, 0, "AUC of point 0");
    CHECK_CLOSE(s.auc[4], want[1], 1e-6, 0, "AUC of point 4 after the failure");
    CHECK_CLOSE(s.auc[6], want[2], 1e-6, 0, "AUC of point 6");
    char row[2048];
    pk_subject_result r = {.index = 2, .status = PK_ERR_SOLVER, .fail_t_h = 2,
                           .reason = "at t = 2 h: a \"quoted\" reason", .values = NULL};
    double nanv[64];
    for (int j = 0; j < 64; j++) nanv[j] = NAN;
    r.values = nanv;
    pk_batch_format_row(b, &r, row, sizeof row);
    CHECK(strncmp(row, "2,failed,,", 10) == 0, "row: %s", row);
    CHECK(strstr(row, ",2,\"at t = 2 h: a \"\"quoted\"\" reason\"\n") != NULL, "row: %s", row);
  }
  pk_batch_free(b);
  pk_sweep_free(sw);
  pk_regimen_free(reg);
  pk_model_free(m);
  return test_finish("unit_batch_failing_subject_reported_others_go_on");
}
