/* test_dataset_records.c - event-dataset records against explicit records
 * and closed forms (model and formulas in dataset_helpers.h):
 *
 * - CMT numbers (depot 2i+1, central 2i+2, 0 or empty: 1) and names
 *   (depot_<id>, central_<id>, any case) give the same doses;
 * - ADDL equals the explicit records at TIME + k*II, computed by
 *   multiplication (bit for bit: same regimen, same trajectory bytes);
 * - a lag L equals shifting every depot dose by L;
 * - F = 0.5 equals half the amount for a bolus, a RATE > 0 input and a
 *   RATE -2 input;
 * - RATE -1 and RATE > 0 keep the rate and F scales the duration, RATE -2
 *   keeps the duration and F scales the rate, against closed forms; the
 *   f_scales_rate option gives the other behaviour;
 * - EVID 3 drops running inputs and doses in their lag, a record listed
 *   before it at its time is dropped, EVID 4 resets and doses, its ADDL
 *   doses do not reset;
 * - records 1e-16 h apart are merged, not failed.
 * Every simulation runs with the exact solver and with the ODE solver
 * (rtol 1e-12); closed forms to 1e-8 relative plus 1e-12 nM. */
#include "dataset_helpers.h"

static void cmt_numbering(void) {
  pk_model *m = ds_model();
  pk_dataset *a = ds_load("cmt-numbers.csv", m, NULL), *b = ds_load("cmt-names.csv", m, NULL);
  const pk_regimen *ra = pk_dataset_subject_regimen(a, 0), *rb = pk_dataset_subject_regimen(b, 0);
  CHECK(pk_regimen_size(ra) == 6 && pk_regimen_size(rb) == 6, "cmt: %zu and %zu doses, expected 6",
        pk_regimen_size(ra), pk_regimen_size(rb));
  const int compound[] = {0, 0, 1, 1, 0, 0};
  const pk_route route[] = {PK_ROUTE_ORAL, PK_ROUTE_IV, PK_ROUTE_ORAL,
                            PK_ROUTE_IV,   PK_ROUTE_ORAL, PK_ROUTE_ORAL};
  for (size_t k = 0; k < 6 && k < pk_regimen_size(ra) && k < pk_regimen_size(rb); k++) {
    pk_dose x = pk_regimen_dose(ra, k), y = pk_regimen_dose(rb, k);
    CHECK(x.compound == compound[k] && x.route == route[k], "cmt: numbered dose %zu went to "
          "compound %d route %d, expected %d/%d", k, x.compound, (int)x.route, compound[k],
          (int)route[k]);
    CHECK(y.compound == x.compound && y.route == x.route && y.amount_mg == x.amount_mg &&
              y.t_h == x.t_h,
          "cmt: named dose %zu differs from the numbered one", k);
  }
  pk_dataset_free(a);
  pk_dataset_free(b);
  pk_model_free(m);
}

static int same_bytes(const pk_trajectory *a, const pk_trajectory *b) {
  return a && b && pk_trajectory_rows(a) == pk_trajectory_rows(b) &&
         pk_trajectory_cols(a) == pk_trajectory_cols(b) &&
         memcmp(pk_trajectory_data(a), pk_trajectory_data(b),
                pk_trajectory_rows(a) * pk_trajectory_cols(a) * sizeof(double)) == 0;
}

static void addl_equals_explicit(void) {
  pk_model *m = ds_model();
  pk_dataset *a = ds_load("addl.csv", m, NULL), *b = ds_load("addl-explicit.csv", m, NULL);
  const pk_regimen *ra = pk_dataset_subject_regimen(a, 0), *rb = pk_dataset_subject_regimen(b, 0);
  CHECK(pk_regimen_size(ra) == 27 && pk_regimen_size(rb) == 27,
        "addl: %zu and %zu doses, expected 21 + 6", pk_regimen_size(ra), pk_regimen_size(rb));
  for (size_t k = 0; k < pk_regimen_size(ra) && k < pk_regimen_size(rb); k++) {
    pk_dose x = pk_regimen_dose(ra, k), y = pk_regimen_dose(rb, k);
    CHECK(memcmp(&x.t_h, &y.t_h, sizeof x.t_h) == 0 && x.amount_mg == y.amount_mg &&
              x.rate_mg_per_h == y.rate_mg_per_h && x.route == y.route && x.ss == 0 &&
              x.reset == 0,
          "addl: dose %zu at %.17g h differs from the explicit record at %.17g h", k, x.t_h, y.t_h);
  }
  /* TIME + k*II by multiplication: 0.1 + k*0.7 differs from repeated
   * addition for several k (k = 3: 2.1999999999999997 vs 2.2), and the
   * expansion must give the multiplied value */
  int found = 0, drift = 0;
  double acc = 0.1;
  for (int k = 1; k <= 20; k++) {
    acc += 0.7;
    double want = 0.1 + (double)k * 0.7;
    drift += acc != want;
    for (size_t j = 0; j < pk_regimen_size(ra); j++) {
      pk_dose x = pk_regimen_dose(ra, j);
      if (x.route == PK_ROUTE_ORAL && x.t_h == want) found++;
    }
  }
  CHECK(drift > 0, "addl: the fixture should make repeated addition drift");
  CHECK(found == 20, "addl: %d of 20 additional doses at exactly TIME + k*II", found);
  for (size_t s = 0; s < 2; s++) {
    pk_sim_options o = ds_options(30.0, 0.05, ds_solvers[s]);
    pk_trajectory **ta = ds_simulate(a, &o), **tb = ds_simulate(b, &o);
    CHECK(ta && tb && same_bytes(ta[0], tb[0]),
          "addl (%s): the trajectories of ADDL and explicit records differ",
          pk_solver_name(ds_solvers[s]));
    pk_dataset_trajectories_free(ta, 1);
    pk_dataset_trajectories_free(tb, 1);
  }
  pk_dataset_free(a);
  pk_dataset_free(b);
  pk_model_free(m);
}

static void lag_equals_shift(void) {
  pk_model *m = ds_model();
  pk_dataset *a = ds_load("lag.csv", m, NULL), *b = ds_load("lag-shifted.csv", m, NULL);
  pk_compound_params p;
  pk_model_get_compound(pk_dataset_subject_model(a, 0), 0, &p, NULL);
  CHECK(p.lag_h == 1.25, "lag: the subject's lag is %g, expected 1.25 from column lag_d", p.lag_h);
  for (size_t s = 0; s < 2; s++) {
    pk_sim_options o = ds_options(12.0, 0.05, ds_solvers[s]);
    pk_trajectory **ta = ds_simulate(a, &o), **tb = ds_simulate(b, &o);
    if (ta && tb) {
      ds_same(ta[0], tb[0], "C_d", 1e-12, "lag 1.25 h vs doses shifted by 1.25 h");
      ds_same(ta[0], tb[0], "A_depot_d", 1e-12, "lag 1.25 h vs doses shifted by 1.25 h");
    }
    pk_dataset_trajectories_free(ta, 1);
    pk_dataset_trajectories_free(tb, 1);
  }
  pk_dataset_free(a);
  pk_dataset_free(b);
  pk_model_free(m);
}

static void f_equals_half_amount(void) {
  pk_model *m = ds_model();
  pk_dataset *a = ds_load("f-half.csv", m, NULL), *b = ds_load("f-half-amt.csv", m, NULL);
  for (size_t s = 0; s < 2; s++) {
    pk_sim_options o = ds_options(20.0, 0.1, ds_solvers[s]);
    pk_trajectory **ta = ds_simulate(a, &o), **tb = ds_simulate(b, &o);
    if (ta && tb) {
      ds_same(ta[0], tb[0], "C_d", 1e-12, "F 0.5 vs F 1 with half the amounts");
      ds_same(ta[0], tb[0], "A_depot_d", 1e-12, "F 0.5 vs F 1 with half the amounts");
    }
    pk_dataset_trajectories_free(ta, 1);
    pk_dataset_trajectories_free(tb, 1);
  }
  pk_dataset_free(a);
  pk_dataset_free(b);
  pk_model_free(m);
}

/* rates.csv: 40 mg at 1 h, F 0.5, lag 0.5 h (arrival 1.5 h), R 10, D 4. */
static void rates_against_closed_forms(int f_scales_rate) {
  pk_model *m = ds_model();
  pk_dataset_options opt = pk_dataset_options_default();
  opt.f_scales_rate = f_scales_rate;
  pk_dataset *d = ds_load("rates.csv", m, &opt);
  CHECK(pk_dataset_subject_count(d) == 4, "rates: %zu subjects", pk_dataset_subject_count(d));
  /* per subject: depot or IV, rate mg/h, duration h, start of the input */
  struct {
    int iv;
    double rate, dur, t0;
  } want[4] = {{0, 10, 2, 1.5}, {0, 5, 4, 1.5}, {0, 10, 2, 1.5}, {1, 8, 5, 1.0}};
  if (f_scales_rate) { /* AMT/RATE hours at F*RATE; RATE -2 and IV unchanged */
    want[0].rate = want[2].rate = 5;
    want[0].dur = want[2].dur = 4;
  }
  for (size_t s = 0; s < 2; s++) {
    pk_sim_options o = ds_options(14.0, 0.05, ds_solvers[s]);
    pk_trajectory **t = ds_simulate(d, &o);
    for (size_t j = 0; t && j < 4; j++)
      for (size_t i = 0; i < pk_trajectory_rows(t[j]); i++) {
        double time = unit_get(t[j], i, "time_h"), r = ds_umol(want[j].rate);
        double x = time - want[j].t0, T = want[j].dur;
        double A = want[j].iv ? r * (ds_H(x) - ds_H(x - T)) : r * (ds_G(x) - ds_G(x - T));
        char what[160];
        snprintf(what, sizeof what, "rates%s (%s): subject %zu at t = %g h",
                 f_scales_rate ? " (F scales the rate)" : "", pk_solver_name(ds_solvers[s]),
                 j + 1, time);
        CHECK_CLOSE(unit_get(t[j], i, "C_d"), ds_conc(A), ds_rel, ds_abs, what);
      }
    pk_dataset_trajectories_free(t, 4);
  }
  /* the regimen says what was read: RATE -1 and 10 as a rate, -2 as a duration */
  pk_dose d1 = pk_regimen_dose(pk_dataset_subject_regimen(d, 0), 0);
  pk_dose d2 = pk_regimen_dose(pk_dataset_subject_regimen(d, 1), 0);
  if (!f_scales_rate)
    CHECK(d1.rate_mg_per_h == 10 && d1.duration_h == 0 && d2.duration_h == 4 &&
              d2.rate_mg_per_h == 0,
          "rates: RATE -1 must give rate_mg_per_h 10 (got %g, duration %g), RATE -2 "
          "duration_h 4 (got %g)", d1.rate_mg_per_h, d1.duration_h, d2.duration_h);
  pk_dataset_free(d);
  pk_model_free(m);
}

static void resets(void) {
  pk_model *m = ds_model();
  pk_dataset *d = ds_load("resets.csv", m, NULL);
  const pk_regimen *r = pk_dataset_subject_regimen(d, 0);
  /* 10 IV, 20 oral, infusion, 30 oral (in its lag at 5 h), reset, EVID 4, ADDL
   * dose; the 50 mg dose listed before the reset at 5 h is dropped */
  CHECK(pk_regimen_size(r) == 7, "resets: %zu doses in the regimen, expected 7",
        pk_regimen_size(r));
  for (size_t k = 0; k < pk_regimen_size(r); k++)
    CHECK(pk_regimen_dose(r, k).amount_mg != 50, "resets: the dose listed before EVID 3 at its "
          "time must be dropped");
  pk_dose last = pk_regimen_dose(r, pk_regimen_size(r) - 1);
  CHECK(last.t_h == 16 && last.reset == 0 && last.amount_mg == 12,
        "resets: the ADDL dose of EVID 4 must be a plain dose at 16 h");
  for (size_t s = 0; s < 2; s++) {
    pk_sim_options o = ds_options(24.0, 0.125, ds_solvers[s]);
    pk_trajectory **t = ds_simulate(d, &o);
    for (size_t i = 0; t && i < pk_trajectory_rows(t[0]); i++) {
      double time = unit_get(t[0], i, "time_h"), A;
      if (time < 5)
        A = ds_iv(ds_umol(10), time) + ds_bateman(ds_umol(20), time - 1) +
            ds_umol(2) * (ds_H(time - 3) - ds_H(time - 7));
      else if (time < 10)
        A = 0.0;
      else
        A = ds_iv(ds_umol(12), time - 10) + ds_iv(ds_umol(12), time - 16);
      char what[128];
      snprintf(what, sizeof what, "resets (%s): C_d at t = %g h", pk_solver_name(ds_solvers[s]),
               time);
      CHECK_CLOSE(unit_get(t[0], i, "C_d"), ds_conc(A), ds_rel, ds_abs, what);
      if (time >= 5 && time < 10)
        CHECK(unit_get(t[0], i, "A_depot_d") == 0 && unit_get(t[0], i, "A_central_d") == 0,
              "resets (%s): not empty at t = %g h after EVID 3", pk_solver_name(ds_solvers[s]),
              time);
    }
    pk_dataset_trajectories_free(t, 1);
  }
  pk_dataset_free(d);
  pk_model_free(m);
}

static void close_events(void) {
  pk_model *m = ds_model();
  pk_dataset *d = ds_load("close-events.csv", m, NULL);
  CHECK(pk_regimen_size(pk_dataset_subject_regimen(d, 0)) == 6,
        "close events: %zu doses, expected 6 (the one before the reset dropped)",
        pk_regimen_size(pk_dataset_subject_regimen(d, 0)));
  for (size_t s = 0; s < 2; s++) {
    pk_sim_options o = ds_options(10.0, 0.125, ds_solvers[s]);
    pk_trajectory **t = ds_simulate(d, &o);
    for (size_t i = 0; t && i < pk_trajectory_rows(t[0]); i++) {
      double time = unit_get(t[0], i, "time_h"), A;
      if (time < 2)
        /* records within 1e-12 of an output time count as given at it */
        A = ds_umol(10) * (ds_H(time) - ds_H(time - 1)) +
            ds_umol(5) * exp(-ds_k * (time - 1e-16)) +
            (time >= 1 ? ds_umol(7) * exp(-ds_k * (time - 1.0000000000000002)) : 0.0);
      else
        A = ds_iv(ds_umol(9), time - 2) + ds_bateman(ds_umol(20), time - 4);
      char what[128];
      snprintf(what, sizeof what, "close events (%s): C_d at t = %g h",
               pk_solver_name(ds_solvers[s]), time);
      CHECK_CLOSE(unit_get(t[0], i, "C_d"), ds_conc(A), ds_rel, ds_abs, what);
    }
    pk_dataset_trajectories_free(t, 1);
  }
  pk_dataset_free(d);
  pk_model_free(m);
}

int main(void) {
  test_init();
  cmt_numbering();
  addl_equals_explicit();
  lag_equals_shift();
  f_equals_half_amount();
  rates_against_closed_forms(0);
  rates_against_closed_forms(1);
  resets();
  close_events();
  return test_finish("unit_dataset_records");
}
