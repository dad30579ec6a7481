/* nm_reference.h - shared by the NONMEM-convention dataset tests
 * (tests/datasets/): the test compound, loading a dataset (data/, CSV),
 * simulating it on both solver paths, and an independent reference:
 * the closed forms of a one-compartment model with first-order absorption,
 * summed over every input (superposition, written out here, without libpk).
 *
 * The compound "d": MW 400 g/mol, ka 0.9 1/h, V 50 L, CL 5 L/h (k = 0.1 1/h).
 * CMT 1 is its depot, CMT 2 its central compartment (NONMEM's numbering:
 * compound i has depot 2i+1 and central 2i+2). 1 mg = 2.5 umol; C (nM) =
 * 1000 A (umol) / V.
 *
 * An input arrives at t_arr (its record time plus the lag), carries u umol
 * (AMT times F, in umol) and lasts dur hours (0: a bolus, else u/dur umol/h
 * on [t_arr, t_arr + dur)). With s = t - t_arr:
 *   central bolus:  A_c = u e^{-k s}
 *   depot bolus:    A_d = u e^{-ka s}, A_c = u ka/(ka-k) (e^{-k s} - e^{-ka s})
 *   central input:  A_c = r (H_k(s) - H_k(s - dur)),  H_x(s) = (1 - e^{-x s})/x for s > 0
 *   depot input:    A_d = r (H_ka(s) - H_ka(s - dur)),
 *                   A_c = r (G(s) - G(s - dur)),
 *                   G(s) = ka/(ka-k) (H_k(s) - H_ka(s))
 * An input arriving at t is part of the state at t (libpk applies the doses
 * at an output time before the output row). An input may count only within
 * a window [from, until) of output times: the implied doses of a steady
 * state exist from their record on (SS 2 adds them there; before it only
 * what was there counts), and a reset at `until` removes what came before.
 *
 * A steady state is written out as its train: the dose at the record time
 * and NM_TRAIN - 1 = 199 copies at II, 2 II, ... before it (e^{-0.1 * 199 * 6}
 * is below 1e-51 for the shortest interval used, 6 h: nothing is missed).
 *
 * Tolerances (|got - expected| <= rel |expected| + abs): the exact path
 * (matrix exponentials; the batch kernel for plain doses) 1e-10 relative;
 * the ODE path (rk8pd at rtol 1e-12, atol 1e-15 umol) 1e-9 relative; both
 * with an absolute floor of 1e-9 nM (concentrations here are 1 to 1000 nM,
 * so the floor matters only where the expected value is near 0). */
#ifndef PK_NM_REFERENCE_H
#define PK_NM_REFERENCE_H

#include <math.h>
#include <stdio.h>
#include <string.h>
#include "check.h"
#include "pk/pk.h"

static const double nm_mw = 400.0, nm_ka = 0.9, nm_V = 50.0, nm_CL = 5.0;
static const double nm_k = 5.0 / 50.0;
enum { NM_TRAIN = 200, NM_MAX_INPUTS = 8192 };
static const double nm_abs_nM = 1e-9;

typedef struct nm_input {
  double t_arr, u, dur;
  int depot;
  double from, until; /* the output times it counts at: [from, until) */
} nm_input;

typedef struct nm_ref {
  nm_input in[NM_MAX_INPUTS];
  size_t n;
} nm_ref;

static inline double nm_umol(double mg) { return 1000.0 * mg / nm_mw; }

/* Adds an input of amt mg with bioavailability F, arriving at t_arr and
 * lasting dur hours (0: a bolus), into the depot (depot 1) or central. */
static inline void nm_add(nm_ref *r, int depot, double t_arr, double amt_mg, double F,
                          double dur) {
  CHECK(r->n < NM_MAX_INPUTS, "reference: more than %d inputs", NM_MAX_INPUTS);
  if (r->n < NM_MAX_INPUTS)
    r->in[r->n++] = (nm_input){.t_arr = t_arr, .u = nm_umol(amt_mg) * F, .dur = dur,
                               .depot = depot, .from = -INFINITY, .until = INFINITY};
}

/* The inputs added since index first count only at output times in
 * [from, until). */
static inline void nm_window(nm_ref *r, size_t first, double from, double until) {
  for (size_t j = first; j < r->n; j++) r->in[j].from = from, r->in[j].until = until;
}

/* The dose of a record at t_rec with lag lag, given n times: at t_rec,
 * t_rec - ii, ..., t_rec - (n - 1) ii (a steady state's train, n = NM_TRAIN),
 * or forwards (step = +ii: ADDL doses, n of them after t_rec). */
static inline void nm_add_train(nm_ref *r, int depot, double t_rec, double lag, double step,
                                int n, double amt_mg, double F, double dur) {
  for (int j = 0; j < n; j++) nm_add(r, depot, t_rec + (double)j * step + lag, amt_mg, F, dur);
}

/* A steady state: the dose of a record at t_rec repeated every ii h without
 * end (NM_TRAIN doses: t_rec, t_rec - ii, ...), each lagged by lag,
 * counting from the record on. */
static inline void nm_add_ss(nm_ref *r, int depot, double t_rec, double lag, double ii,
                             double amt_mg, double F, double dur) {
  size_t first = r->n;
  nm_add_train(r, depot, t_rec, lag, -ii, NM_TRAIN, amt_mg, F, dur);
  nm_window(r, first, t_rec, INFINITY);
}

static inline double nm_H(double x, double s) { return s > 0 ? -expm1(-x * s) / x : 0.0; }
static inline double nm_G(double s) {
  return nm_ka / (nm_ka - nm_k) * (nm_H(nm_k, s) - nm_H(nm_ka, s));
}

/* Amounts (umol) in the central compartment and the depot at t. */
static inline double nm_central(const nm_ref *r, double t) {
  double a = 0.0;
  for (size_t j = 0; j < r->n; j++) {
    const nm_input *x = &r->in[j];
    double s = t - x->t_arr;
    if (s < 0 || t < x->from || t >= x->until) continue;
    if (x->dur == 0 && !x->depot) a += x->u * exp(-nm_k * s);
    else if (x->dur == 0) a += x->u * nm_ka / (nm_ka - nm_k) * (exp(-nm_k * s) - exp(-nm_ka * s));
    else if (!x->depot) a += x->u / x->dur * (nm_H(nm_k, s) - nm_H(nm_k, s - x->dur));
    else a += x->u / x->dur * (nm_G(s) - nm_G(s - x->dur));
  }
  return a;
}

static inline double nm_depot(const nm_ref *r, double t) {
  double a = 0.0;
  for (size_t j = 0; j < r->n; j++) {
    const nm_input *x = &r->in[j];
    double s = t - x->t_arr;
    if (s < 0 || !x->depot || t < x->from || t >= x->until) continue;
    if (x->dur == 0) a += x->u * exp(-nm_ka * s);
    else a += x->u / x->dur * (nm_H(nm_ka, s) - nm_H(nm_ka, s - x->dur));
  }
  return a;
}

static inline double nm_conc(const nm_ref *r, double t) { return 1000.0 * nm_central(r, t) / nm_V; }

/* The test compound with F, lag (depot) and F_iv, lag_iv (central) at
 * their defaults (1 and 0). */
static inline pk_model *nm_model(void) {
  pk_model *m = pk_model_new();
  pk_compound_params p = pk_compound_params_default();
  snprintf(p.id, sizeof p.id, "d");
  snprintf(p.name, sizeof p.name, "drug-d");
  p.mw_g_per_mol = nm_mw;
  p.ka_per_h = nm_ka;
  p.V_L = nm_V;
  p.CL_L_per_h = nm_CL;
  pk_error err;
  CHECK(m && pk_model_add_compound(m, &p, NULL, &err) == PK_OK, "the test compound: %s",
        err.message);
  return m;
}

/* Loads data/<file> (the records as a NONMEM user writes them); NULL and a
 * failed check on error. */
static inline pk_dataset *nm_open(const pk_model *m, const char *file) {
  char path[1024];
  snprintf(path, sizeof path, "%s/%s", PK_DATASETS_DIR, file);
  pk_error err;
  pk_dataset *d = NULL;
  pk_status st = pk_dataset_load(path, m, &d, &err);
  CHECK(st == PK_OK && d, "loading %s: %s:%d:%d: %s", file, err.file, err.line, err.column,
        err.message);
  return st == PK_OK ? d : NULL;
}

static const pk_solver nm_solvers[] = {PK_SOLVER_EXACT, PK_SOLVER_ODE};
static inline double nm_rel(pk_solver s) { return s == PK_SOLVER_EXACT ? 1e-10 : 1e-9; }

/* Options: output every step hours from t0 to t_end, on solver s, at the
 * tight tolerances above; amounts in the output when amounts is set (the
 * batch kernel takes only runs without them). */
static inline pk_sim_options nm_options(double t0, double t_end, double step, pk_solver s,
                                        int amounts) {
  pk_sim_options o = pk_sim_options_default();
  o.t_start_h = o.output_start_h = t0;
  o.t_end_h = t_end;
  o.output_step_h = step;
  o.solver = s;
  o.rtol = 1e-12;
  o.atol = 1e-15;
  o.include_amounts = amounts;
  return o;
}

/* Simulates every subject of d; NULL and a failed check on error. */
static inline pk_trajectory **nm_simulate(const pk_dataset *d, const pk_sim_options *o) {
  pk_error err;
  pk_trajectory **t = NULL;
  if (!d) return NULL;
  pk_status st = pk_dataset_simulate(d, o, &t, &err);
  CHECK(st == PK_OK && t, "pk_dataset_simulate (%s): %s", pk_solver_name(o->solver),
        err.message);
  return st == PK_OK ? t : NULL;
}

/* Checks column col ("C_d" in nM, "A_depot_d" in umol) of t against the
 * reference at every output time; returns the largest relative error seen
 * (for the test's log). */
static inline double nm_check(const pk_trajectory *t, const char *col, const nm_ref *r,
                              double rel, const char *what) {
  int j = t ? pk_trajectory_column_index(t, col) : -1, jt = t ? pk_trajectory_column_index(t, "time_h") : -1;
  CHECK(j >= 0 && jt >= 0, "%s: no column %s", what, col);
  if (j < 0 || jt < 0) return NAN;
  int depot = strncmp(col, "A_depot", 7) == 0;
  double worst = 0.0;
  for (size_t i = 0; i < pk_trajectory_rows(t); i++) {
    double time = pk_trajectory_get(t, i, (size_t)jt), got = pk_trajectory_get(t, i, (size_t)j);
    double want = depot ? nm_depot(r, time) : nm_conc(r, time);
    double abs_floor = depot ? nm_abs_nM * nm_V / 1000.0 : nm_abs_nM;
    char w[256];
    snprintf(w, sizeof w, "%s: %s at t = %g h", what, col, time);
    CHECK_CLOSE(got, want, rel, abs_floor, w);
    if (fabs(want) > 1e-6) worst = fmax(worst, fabs(got - want) / fabs(want));
  }
  return worst;
}

/* Runs dataset d (n_subj subjects, subject s against refs[s]) on both
 * solver paths over [t0, t_end] every step hours, checking C_d (without
 * amounts: the batch kernel where it takes the subject) and, with amounts,
 * C_d and A_depot_d. */
static inline void nm_check_all(const pk_dataset *d, size_t n_subj, const nm_ref *const *refs,
                                double t0, double t_end, double step, const char *what) {
  for (size_t si = 0; si < 2; si++)
    for (int amounts = 0; amounts <= 1; amounts++) {
      pk_sim_options o = nm_options(t0, t_end, step, nm_solvers[si], amounts);
      pk_trajectory **t = nm_simulate(d, &o);
      for (size_t s = 0; t && s < n_subj; s++) {
        char w[192];
        snprintf(w, sizeof w, "%s, subject %s (%s%s)", what, pk_dataset_subject_id(d, s),
                 pk_solver_name(nm_solvers[si]), amounts ? ", amounts" : "");
        double e = nm_check(t[s], "C_d", refs[s], nm_rel(nm_solvers[si]), w);
        if (amounts) e = fmax(e, nm_check(t[s], "A_depot_d", refs[s], nm_rel(nm_solvers[si]), w));
        printf("%s: largest relative error %.2g\n", w, e);
      }
      pk_dataset_trajectories_free(t, n_subj);
    }
}

#endif
