/* The batch kernel (libpk/solve/fast.c) with lanes that differ only in the
 * central compartment's F_iv (the same regimen, the same lag_iv): each lane
 * must make its own events, not share lane 0's (which lanes with equal F,
 * lag and molar mass may do). Two lanes, F_iv 0.5 and 2.0, lag_iv 1.5 h,
 * IV boluses of 40 mg at 0 and 6 h of a one-compartment compound (MW
 * 400 g/mol, V 50 L, CL 5 L/h): C(t) = 1000/V sum F_iv u e^{-k (t - t_d - lag)}
 * with u = 1000 mg / MW umol, at 1e-10 relative plus 1e-12 nM. A lane with
 * another lag_iv has another event timing: it does not fit the pack
 * (PK_FAST_MISFIT), and the same subject alone in a pack is taken. */
#include "fast.h"
#include "unit_helpers.h"

enum { MAXROWS = 512, MAXCOLS = 16 };

typedef struct rows {
  double v[2][MAXROWS * MAXCOLS];
  size_t n[2], cols;
} rows;

static rows R;

static int keep(void *ctx, int lane, size_t k, const double *row) {
  rows *r = ctx;
  if (k >= MAXROWS || r->cols > MAXCOLS) return 1;
  memcpy(r->v[lane] + k * r->cols, row, r->cols * sizeof *row);
  r->n[lane] = k + 1;
  return 0;
}

static pk_model *model(double F_iv, double lag_iv) {
  pk_model *m = pk_model_new();
  pk_compound_params p = unit_compound("d", 400.0, 0.9, 50.0, 5.0);
  p.F_iv = F_iv;
  p.lag_iv_h = lag_iv;
  unit_add(m, &p);
  return m;
}

int main(void) {
  test_init();
  pk_error err;
  pk_regimen *r = pk_regimen_new();
  unit_dose(r, 0, PK_ROUTE_IV, 0.0, 40.0);
  unit_dose(r, 0, PK_ROUTE_IV, 6.0, 40.0);
  pk_sim_options o = pk_sim_options_default();
  o.t_end_h = 24.0;
  o.output_step_h = 0.25;
  pk_model *m[3] = {model(0.5, 1.5), model(2.0, 1.5), model(2.0, 2.5)};
  pk_fast *f = pk_fast_new_lanes(2);
  CHECK(f != NULL, "no kernel of 2 lanes");
  if (!f) return test_finish("unit_kernel_lanes_take_their_own_F_iv");
  CHECK(pk_fast_lane(f, 0, m[0], r, &o, &err) == PK_FAST_READY, "lane 0: %s", err.message);
  CHECK(pk_fast_lane(f, 1, m[2], r, &o, &err) == PK_FAST_MISFIT,
        "another lag_iv must not fit the pack of lane 0");
  CHECK(pk_fast_lane(f, 1, m[1], r, &o, &err) == PK_FAST_READY, "lane 1: %s", err.message);
  const pk_system *s = pk_fast_system(f, 0);
  R.cols = (size_t)s->n_cols;
  pk_status st[2];
  pk_error errs[2];
  CHECK(pk_fast_run(f, 2, &o, keep, &R, NULL, NULL, NULL, st, errs) == 0, "the run stopped");
  double k = 5.0 / 50.0, u = 1000.0 * 40.0 / 400.0, F[2] = {0.5, 2.0};
  pk_trajectory *names = pk_trajectory_alloc(R.cols, 1);
  int jc = names && pk_system_name_columns(s, m[0], names) == PK_OK
               ? pk_trajectory_column_index(names, "C_d")
               : -1;
  pk_trajectory_free(names);
  CHECK(jc >= 0, "no column C_d");
  for (int l = 0; l < 2 && jc >= 0; l++) {
    CHECK(st[l] == PK_OK && R.n[l] == 97, "lane %d: %s, %zu rows", l, errs[l].message, R.n[l]);
    for (size_t i = 0; i < R.n[l]; i++) {
      double t = 0.25 * (double)i, a = 0.0;
      for (int d = 0; d < 2; d++)
        if (t >= 6.0 * d + 1.5) a += F[l] * u * exp(-k * (t - 6.0 * d - 1.5));
      char w[96];
      snprintf(w, sizeof w, "lane %d (F_iv %g): C_d at %g h", l, F[l], t);
      CHECK_CLOSE(R.v[l][i * R.cols + (size_t)jc], 1000.0 * a / 50.0, 1e-10, 1e-12, w);
    }
  }
  pk_fast_free(f);
  for (int i = 0; i < 3; i++) pk_model_free(m[i]);
  pk_regimen_free(r);
  return test_finish("unit_kernel_lanes_take_their_own_F_iv");
}
