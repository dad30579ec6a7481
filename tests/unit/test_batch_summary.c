/* Per-subject summaries against closed forms: a one-compartment IV bolus
 * (dose D, volume V, clearance CL, k = CL/V) has Cmax = D/V at the dose,
 * AUC(0..T) = D/CL (1 - exp(-kT)), Cmin = C(T); hours above a threshold of
 * a mono-exponential are ln(C0/thr)/k; dose and CL sweeps scale AUC as
 * D/CL. Also the percentiles across subjects (R type 7), and the prepare
 * hook (run on the worker threads, its result handed to on_subject). */
#include <stdlib.h>
#include "batch_fixture.h"
#include "check.h"
#include "internal.h"

enum { MAXP = 16 };

typedef struct got {
  double v[MAXP][64];
  int status[MAXP];
  size_t n, ncol;
} got;

static int keep(void *ctx, const pk_subject_result *r) {
  got *g = ctx;
  if (r->index >= MAXP) return 1;
  memcpy(g->v[r->index], r->values, g->ncol * sizeof(double));
  g->status[r->index] = r->status;
  g->n++;
  return 0;
}

/* pk_batch_run_options.prepare: runs on the worker threads; its result
 * reaches on_subject with the same subject. */
typedef struct prep {
  size_t index;
  double c0;
} prep;

static void *prepare(void *ctx, const pk_subject_result *r) {
  int *called = ctx;
  prep *x = malloc(sizeof *x);
  if (!x || r->index >= MAXP || !r->trajectory || r->prepared) return x;
  called[r->index]++;
  x->index = r->index;
  x->c0 = pk_trajectory_get(r->trajectory, 0, 1);
  return x;
}

static int seen_prepared(void *ctx, const pk_subject_result *r) {
  int *called = ctx;
  const prep *x = r->prepared;
  CHECK(x && x->index == r->index && r->index < MAXP && called[r->index] == 1 &&
            x->c0 == pk_trajectory_get(r->trajectory, 0, 1),
        "subject %zu: on_subject gets what prepare made of that subject", r->index);
  called[r->index] += 10;
  return 0;
}

int main(void) {
  test_init();
  pk_error err;
  pk_model *m = pk_model_new();
  CHECK(m && fixture_add_compound(m, "x", "drug-x", 0) == 0, "model");
  pk_regimen *reg = pk_regimen_new();
  const double D = 100, V = 10, CL = 2, k = CL / V, T = 60, C0 = 1000 * D / V; /* nM */
  CHECK(pk_regimen_add_dose(reg, 0, PK_ROUTE_IV, 0, D, &err) == PK_OK, "%s", err.message);
  pk_sweep *sw = pk_sweep_new();
  CHECK(pk_sweep_add(sw, m, "x.CL=1,2,4", &err) == PK_OK, "%s", err.message);
  CHECK(pk_sweep_add(sw, m, "dose=1,3", &err) == PK_OK, "%s", err.message);
  CHECK(pk_sweep_point_count(sw) == 6, "3 x 2 points");
  pk_batch_spec spec = pk_batch_spec_default();
  spec.model = m;
  spec.regimen = reg;
  spec.options.t_end_h = T;
  spec.options.output_step_h = 1;
  spec.sweep = sw;
  pk_batch *b = NULL;
  CHECK(pk_batch_new(&spec, &b, &err) == PK_OK, "batch: %s", err.message);
  int cmax = pk_batch_column_index(b, "Cmax_x"), tmax = pk_batch_column_index(b, "Tmax_x"),
      cmin = pk_batch_column_index(b, "Cmin_x"), auc = pk_batch_column_index(b, "AUC_x"),
      cl = pk_batch_column_index(b, "x.CL"), dose = pk_batch_column_index(b, "dose");
  CHECK(cmax >= 0 && tmax >= 0 && cmin >= 0 && auc >= 0 && cl == 0 && dose == 1, "columns");
  CHECK(pk_batch_column_index(b, "h_W_above_0.02") >= 0 &&
            pk_batch_column_index(b, "h_occ_above_0.1") >= 0,
        "threshold columns named with their thresholds");
  got g = {.ncol = pk_batch_column_count(b)};
  CHECK(g.ncol <= 64, "columns fit");
  pk_batch_run_options o = pk_batch_run_options_default();
  o.on_subject = keep;
  o.ctx = &g;
  o.keep_values = 1;
  pk_batch_report rep;
  CHECK(pk_batch_run(b, &o, &rep, &err) == PK_OK && g.n == 6, "run: %s", err.message);
  for (size_t i = 0; i < g.n; i++) {
    double cli = g.v[i][cl], di = D * g.v[i][dose], ki = cli / V, c0 = 1000 * di / V;
    CHECK(g.status[i] == PK_OK, "point %zu ok", i);
    CHECK_CLOSE(g.v[i][cmax], c0, 1e-9, 0, "Cmax = D/V");
    CHECK_CLOSE(g.v[i][tmax], 0, 0, 0, "Tmax at the dose");
    CHECK_CLOSE(g.v[i][cmin], c0 * exp(-ki * T), 1e-6, 0, "Cmin = C(T)");
    /* log-down trapezoids are exact for a mono-exponential */
    CHECK_CLOSE(g.v[i][auc], 1000 * di / cli * (1 - exp(-ki * T)), 1e-8, 0, "AUC = D/CL (1 - e^-kT)");
  }
  CHECK_CLOSE(g.v[2][cl], 2, 0, 0, "grid order: last axis fastest (point 2 is CL 2, dose 1)");
  CHECK_CLOSE(g.v[2][dose], 1, 0, 0, "grid order");

  /* hours above a threshold on the subject's own concentration samples */
  double t[61], c[61];
  for (int i = 0; i <= 60; i++) t[i] = i, c[i] = C0 * exp(-k * i);
  double thr = 37.0;
  CHECK_CLOSE(pk_hours_above(t, c, 61, 1, thr), log(C0 / thr) / k, 1e-12, 0,
              "hours above = ln(C0/thr)/k");
  CHECK_CLOSE(pk_hours_above(t, c, 61, 1, 2 * C0), 0, 0, 0, "never above");
  CHECK_CLOSE(pk_hours_above(t, c, 61, 1, 0), 60, 0, 0, "always above 0");
  double up[3] = {0, 2, 4}, tt[3] = {0, 1, 2};
  CHECK_CLOSE(pk_hours_above(tt, up, 3, 1, 1), 1.5, 1e-15, 0, "linear crossing from 0");

  /* W and occupancy hours through pk_batch_summarise on a made-up trajectory */
  size_t nc = 1 + pk_batch_output_count(b);
  pk_trajectory *tr = pk_trajectory_alloc(nc, 61);
  for (size_t j = 0; j < nc; j++)
    pk_trajectory_set_name(tr, j, j == 0 ? "time_h" : pk_batch_output_name(b, j - 1));
  int occ = pk_trajectory_column_index(tr, "occ"), w = pk_trajectory_column_index(tr, "W");
  CHECK(occ > 0 && w > 0, "occ and W columns");
  for (int i = 0; i <= 60; i++) {
    double row[32] = {0};
    row[0] = i;
    row[1] = c[i];
    row[w] = 0.5 * exp(-0.1 * i);
    row[occ] = 0.9 * exp(-0.05 * i);
    pk_trajectory_append(tr, row);
  }
  double out[64];
  CHECK(pk_batch_summarise(b, tr, out, &err) == PK_OK, "%s", err.message);
  size_t ns = 2; /* the settings columns come first in the batch's columns */
  CHECK_CLOSE(out[pk_batch_column_index(b, "h_W_above_0.02") - ns], log(0.5 / 0.02) / 0.1, 1e-12,
              0, "W hours above 0.02");
  CHECK_CLOSE(out[pk_batch_column_index(b, "h_occ_above_0.1") - ns], log(0.9 / 0.1) / 0.05, 1e-12,
              0, "occupancy hours above 0.1");
  CHECK_CLOSE(out[pk_batch_column_index(b, "W_max") - ns], 0.5, 0, 0, "W_max");
  CHECK_CLOSE(out[pk_batch_column_index(b, "occ_min") - ns], 0.9 * exp(-3), 1e-15, 0, "occ_min");
  pk_trajectory_free(tr);

  /* percentiles across the 6 points at t = 0 (C0 values 1e4 x dose) */
  CHECK(pk_batch_kept_count(b) == 6, "six subjects kept");
  double vals[6 * 16], lv[3] = {0, 50, 100};
  CHECK(pk_batch_kept_row(b, 0, vals, &err) == PK_OK, "%s", err.message);
  char *text = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&text, &len);
  pk_batch_write_percentile_row(b, 0, vals, 6, lv, 3, f);
  fclose(f);
  /* C_x at t = 0: 10000 (x3) and 30000 (x3): p0 10000, p50 20000, p100 30000 */
  CHECK(text && strncmp(text, "0,6,10000,20000,30000,", 22) == 0, "percentile row: %s", text);
  free(text);
  text = NULL;
  f = open_memstream(&text, &len);
  CHECK(pk_batch_write_percentiles(b, lv, 3, f, &err) == PK_OK, "%s", err.message);
  fclose(f);
  CHECK(text && strncmp(text, "time_h,n,C_x_p0,C_x_p50,C_x_p100,", 33) == 0, "header: %.60s", text);
  CHECK(text && strstr(text, "\n0,6,10000,20000,30000,") != NULL, "first row in the file");
  free(text);

  /* prepare on two threads, its results handed to on_subject, once each */
  int called[MAXP] = {0};
  pk_batch_run_options po = pk_batch_run_options_default();
  po.threads = 2;
  po.want_trajectories = 1;
  po.prepare = prepare;
  po.on_subject = seen_prepared;
  po.ctx = called;
  CHECK(pk_batch_run(b, &po, NULL, &err) == PK_OK, "%s", err.message);
  for (int i = 0; i < 6; i++)
    CHECK(called[i] == 11, "subject %d: prepare and on_subject once each (%d)", i, called[i]);

  pk_batch_free(b);
  pk_sweep_free(sw);
  pk_regimen_free(reg);
  pk_model_free(m);
  return test_finish("unit_batch_summaries_match_closed_forms");
}
