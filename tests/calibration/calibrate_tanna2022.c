/* calibrate_tanna2022.c - fits the default PK parameters of mitragynine (MG)
 * and 7-hydroxymitragynine (7OH) to the single-dose study of Tanna et al.,
 * Pharmaceutics 2022;14:620 (medians from Drug Metab Dispos 2023;51:923,
 * Table 3), and prints the values written in models/compounds/.
 *
 * Study: one 2 g kratom tea dose containing 39 mg MG (7OH content not
 * reported, so the dose is modelled as 39 mg MG, oral). Targets: the median
 * Cmax, Tmax, t1/2 and AUCinf of MG and 7OH, computed from the simulated
 * profile (every 0.05 h to 168 h, rtol 1e-10) by pk_nca_compute_column.
 * Terminal windows: MG 24-96 h (after distribution, within a 4-day
 * sampling); 7OH 4-24 h (after its peak, while it is quantifiable).
 *
 * Objective: sum of squared log errors against the eight medians, minimised
 * by Nelder-Mead (GSL nmsimplex2) over log parameters (logit for fm and
 * f_first_pass, which must stay in (0, 1)), restarted until it stops
 * improving. In the objective Tmax is refined by a parabola through the
 * sampled peak and its neighbours, so that it varies smoothly with the
 * parameters; the printed Tmax is the sampled one. MG CL stays at the
 * reported CL/F, 233 L/h; 7OH ka stays equal to MG's ka.
 *
 * 7OH is parameterised by its clearance CL and elimination half-life
 * t1/2 = ln 2 V / CL. What the data determine (run with --profiles):
 *  - f_first_pass: the best objective grows with it, and with first-pass
 *    formation alone (fm = 0) the 7OH half-life stays below its range. So
 *    no presystemic formation: f_first_pass = 0.
 *  - 7OH's own elimination: the objective is lowest as its half-life goes
 *    to 0, when 7OH is formation-rate limited and follows MG, whose decline
 *    over 4-24 h (distribution into the peripheral compartment) is the
 *    5.67 h the study reports; a longer one only delays the 7OH peak.
 *  - fm and 7OH CL: with formation-rate limited 7OH only fm / CL enters
 *    (7OH AUC = fm * MG AUC * CL_MG / CL_7OH), so one of them is fixed.
 *  - MG absorption: a mirror solution with slow absorption and fast
 *    distribution (ka about 0.42 1/h, V about 180 L) fits as well; starting
 *    from ka = 2 1/h keeps absorption faster than distribution, as for a tea.
 * Shipped fit: f_first_pass = 0; 7OH CL = 90 L/h (hepatic blood flow, the
 * clearance of a high-extraction compound; 7OH turns over fast in human
 * liver microsomes and is unstable in human plasma); 7OH half-life 0.05 h
 * (3 min), short enough to be formation-rate limited (a shorter one changes
 * the objective by < 10 % and makes the ODE stiff); free: MG ka, V, Vp1, Q1
 * and fm.
 *
 * Usage: calibrate_tanna2022 [--profiles] [models-dir]
 * (default models-dir: the source tree's models/). The shipped fit takes a
 * few seconds; --profiles adds the profiles above, a few minutes. */
#include <gsl/gsl_errno.h>
#include <gsl/gsl_multimin.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "pk/pk.h"
#include "tanna2022.h"

#ifndef PK_MODELS_DIR
#define PK_MODELS_DIR "models"
#endif

static const double DOSE_MG = TANNA_DOSE_MG;
static const double STEP_H = 0.05, END_H = 168.0;
static const double MG_WINDOW_H[2] = {24.0, 96.0}, OH_WINDOW_H[2] = {4.0, 24.0};

enum { MG_CMAX = TANNA_MG_CMAX, MG_TMAX = TANNA_MG_TMAX, MG_THALF = TANNA_MG_THALF,
       MG_AUC = TANNA_MG_AUC, OH_CMAX = TANNA_OH_CMAX, OH_TMAX = TANNA_OH_TMAX,
       OH_THALF = TANNA_OH_THALF, OH_AUC = TANNA_OH_AUC, N_TARGETS = TANNA_N };
typedef tanna_target target;
#define TARGETS TANNA

enum { P_KA, P_V, P_VP1, P_Q1, P_THALF7, P_CL7, P_FM, P_FP, N_PARAMS };
static const char *const PARAM_NAMES[N_PARAMS] = {
    "MG ka (1/h)", "MG V (L)", "MG Vp1 (L)", "MG Q1 (L/h)", "7OH elimination t1/2 (h)",
    "7OH CL (L/h)", "fm", "f_first_pass"};
static int is_fraction(int k) { return k == P_FM || k == P_FP; }

typedef struct fit_ctx {
  pk_compound_params mg, oh; /* everything not fitted comes from the shipped files */
  double p[N_PARAMS];        /* current values; the fixed ones stay as set */
  int free[N_PARAMS];        /* 1 if fitted */
  int free_index[N_PARAMS];  /* position of parameter k in the optimiser's vector */
  int n_free;
} fit_ctx;

typedef struct outcome {
  double nca[N_TARGETS];  /* in the order of TARGETS */
  double tmax_smooth_h[2]; /* parabola-refined Tmax of MG and 7OH */
} outcome;

static double v7_of(const double *p) { return p[P_CL7] * p[P_THALF7] / log(2.0); }

/* Peak time refined by the vertex of the parabola through the sampled
 * maximum and its two neighbours. */
static double smooth_tmax(const pk_trajectory *t, const char *column) {
  int j = pk_trajectory_column_index(t, column);
  size_t n = pk_trajectory_rows(t), im = 1;
  for (size_t i = 1; i + 1 < n; i++)
    if (pk_trajectory_get(t, i, (size_t)j) > pk_trajectory_get(t, im, (size_t)j)) im = i;
  double y0 = pk_trajectory_get(t, im - 1, (size_t)j), y1 = pk_trajectory_get(t, im, (size_t)j);
  double y2 = pk_trajectory_get(t, im + 1, (size_t)j), d = y0 - 2.0 * y1 + y2;
  return pk_trajectory_get(t, im, 0) + (d < 0 ? 0.5 * STEP_H * (y0 - y2) / d : 0.0);
}

static pk_status build_model(const fit_ctx *f, const double *p, pk_model *m, pk_error *err) {
  pk_compound_params mg = f->mg, oh = f->oh;
  mg.ka_per_h = oh.ka_per_h = p[P_KA];
  mg.V_L = p[P_V];
  mg.Vp_L[0] = p[P_VP1];
  mg.Q_L_per_h[0] = p[P_Q1];
  oh.V_L = v7_of(p);
  oh.CL_L_per_h = p[P_CL7];
  int i_mg = -1, i_oh = -1;
  pk_status st = pk_model_add_compound(m, &mg, &i_mg, err);
  if (st == PK_OK) st = pk_model_add_compound(m, &oh, &i_oh, err);
  if (st == PK_OK) st = pk_model_add_conversion(m, i_mg, i_oh, p[P_FM], p[P_FP], err);
  return st;
}

/* Simulates the study's dose with parameters p and analyses both profiles. */
static pk_status simulate(const fit_ctx *f, const double *p, outcome *out, pk_error *err) {
  pk_model *m = pk_model_new();
  pk_regimen *r = pk_regimen_new();
  pk_trajectory *t = NULL;
  pk_sim_options o = pk_sim_options_default();
  o.t_end_h = END_H;
  o.output_step_h = STEP_H;
  o.rtol = 1e-10;
  pk_nca_result a, b;
  pk_status st = (m && r) ? build_model(f, p, m, err) : PK_ERR_NOMEM;
  if (st == PK_OK) st = pk_regimen_add_dose(r, 0, PK_ROUTE_ORAL, 0.0, DOSE_MG, err);
  if (st == PK_OK) st = pk_simulate(m, r, &o, &t, err);
  if (st == PK_OK) st = pk_nca_compute_column(t, "C_mg", MG_WINDOW_H[0], MG_WINDOW_H[1], &a, err);
  if (st == PK_OK) st = pk_nca_compute_column(t, "C_7oh", OH_WINDOW_H[0], OH_WINDOW_H[1], &b, err);
  if (st == PK_OK) {
    const double v[N_TARGETS] = {a.cmax, a.tmax_h, a.t_half_h, a.auc_inf,
                                 b.cmax, b.tmax_h, b.t_half_h, b.auc_inf};
    memcpy(out->nca, v, sizeof v);
    out->tmax_smooth_h[0] = smooth_tmax(t, "C_mg");
    out->tmax_smooth_h[1] = smooth_tmax(t, "C_7oh");
  }
  pk_trajectory_free(t);
  pk_regimen_free(r);
  pk_model_free(m);
  return st;
}

static double objective_of(const outcome *o) {
  double v[N_TARGETS], s = 0.0;
  memcpy(v, o->nca, sizeof v);
  v[MG_TMAX] = o->tmax_smooth_h[0];
  v[OH_TMAX] = o->tmax_smooth_h[1];
  for (int k = 0; k < N_TARGETS; k++) {
    double e = log(v[k] / TARGETS[k].median);
    s += e * e;
  }
  return s;
}

/* Optimiser coordinates (log, or logit for fractions) to parameter values;
 * fixed parameters keep their values in p. */
static void unpack(const fit_ctx *f, const gsl_vector *x, double *p) {
  memcpy(p, f->p, sizeof f->p);
  for (int k = 0; k < N_PARAMS; k++) {
    if (!f->free[k]) continue;
    double y = gsl_vector_get(x, (size_t)f->free_index[k]);
    p[k] = is_fraction(k) ? 1.0 / (1.0 + exp(-y)) : exp(y);
  }
}

static double nm_function(const gsl_vector *x, void *params) {
  const fit_ctx *f = params;
  double p[N_PARAMS];
  outcome o;
  pk_error err;
  unpack(f, x, p);
  /* A failed simulation (an unreachable corner of parameter space) is a bad
   * point for the simplex, not a reason to stop. */
  if (simulate(f, p, &o, &err) != PK_OK) return GSL_POSINF;
  return objective_of(&o);
}

/* One Nelder-Mead run from f->p (updated in place); returns the objective. */
static double nm_run(fit_ctx *f) {
  gsl_vector *x = gsl_vector_alloc((size_t)f->n_free);
  gsl_vector *step = gsl_vector_alloc((size_t)f->n_free);
  for (int k = 0; k < N_PARAMS; k++) {
    if (!f->free[k]) continue;
    double v = f->p[k], y = is_fraction(k) ? log(v / (1.0 - v)) : log(v);
    gsl_vector_set(x, (size_t)f->free_index[k], y);
    gsl_vector_set(step, (size_t)f->free_index[k], 0.3);
  }
  gsl_multimin_function fn = {nm_function, (size_t)f->n_free, f};
  gsl_multimin_fminimizer *s =
      gsl_multimin_fminimizer_alloc(gsl_multimin_fminimizer_nmsimplex2, (size_t)f->n_free);
  gsl_multimin_fminimizer_set(s, &fn, x, step);
  for (int it = 0; it < 4000; it++) {
    if (gsl_multimin_fminimizer_iterate(s) != GSL_SUCCESS) break;
    if (gsl_multimin_test_size(gsl_multimin_fminimizer_size(s), 1e-7) == GSL_SUCCESS) break;
  }
  double p[N_PARAMS];
  unpack(f, gsl_multimin_fminimizer_x(s), p);
  memcpy(f->p, p, sizeof p);
  double fmin = gsl_multimin_fminimizer_minimum(s);
  gsl_multimin_fminimizer_free(s);
  gsl_vector_free(step);
  gsl_vector_free(x);
  return fmin;
}

/* Restarts the simplex until the objective stops improving: a collapsed
 * simplex is the usual way Nelder-Mead stalls short of the minimum. */
static double fit(fit_ctx *f) {
  f->n_free = 0;
  for (int k = 0; k < N_PARAMS; k++) f->free_index[k] = f->free[k] ? f->n_free++ : -1;
  double best = nm_run(f);
  for (int restart = 0; restart < 10; restart++) {
    double again = nm_run(f);
    int done = again > best - 1e-9;
    best = fmin(best, again);
    if (done) break;
  }
  return best;
}

/* Rounds to 4 significant digits, as the values are written in the files. */
static double round4(double x) {
  if (x == 0.0) return 0.0;
  double scale = pow(10.0, 3 - floor(log10(fabs(x))));
  return round(x * scale) / scale;
}

static void print_nca(const fit_ctx *f, const outcome *o) {
  printf("  %-18s %10s %10s %18s %8s\n", "quantity", "model", "median", "published range",
         "ratio");
  for (int k = 0; k < N_TARGETS; k++) {
    const target *t = &TARGETS[k];
    double v = o->nca[k];
    printf("  %-18s %10.4g %10.4g %8.4g - %-8.4g %8.3f%s\n", t->name, v, t->median, t->lo,
           t->hi, v / t->median, v >= t->lo && v <= t->hi ? "" : "  outside range");
  }
  /* The study's derived values: CL/F = Dose / AUCinf, Vz/F = CL/F / lambda_z. */
  double cl = 1e6 * DOSE_MG / f->mg.mw_g_per_mol / o->nca[MG_AUC];
  printf("  MG CL/F %.4g L/h (published 233), Vz/F %.4g L (published 12,700)\n", cl,
         cl * o->nca[MG_THALF] / log(2.0));
  printf("  objective %.6g\n", objective_of(o));
}

static void print_result(const fit_ctx *f, const double *p) {
  outcome o;
  pk_error err;
  for (int k = 0; k < N_PARAMS; k++) printf("  %-26s %.6g\n", PARAM_NAMES[k], p[k]);
  printf("  %-26s %.6g\n", "7OH V (L)", v7_of(p));
  if (simulate(f, p, &o, &err) == PK_OK)
    print_nca(f, &o);
  else
    printf("  simulation failed: %s\n", err.message);
}

/* Starting point and the freedom of each parameter for one fit. */
static void setup(fit_ctx *f, int all_free) {
  const double start[N_PARAMS] = {2.0, 900, 5000, 130, 1.0, 90, 0.1, 0.0};
  memcpy(f->p, start, sizeof start);
  for (int k = 0; k < N_PARAMS; k++) f->free[k] = all_free;
}

/* Best objective with f_first_pass held at each value (others free), and
 * with first-pass formation only. That last variant sees only
 * f_first_pass / V and f_first_pass / CL of 7OH, so its CL is held at the
 * shipped 90 L/h to make f_first_pass a number. */
static void profile_first_pass(fit_ctx *f) {
  static const double fp[] = {0.0, 0.05, 0.1, 0.2};
  printf("\n== profile over f_first_pass (all other parameters fitted)\n");
  for (size_t i = 0; i <= sizeof fp / sizeof fp[0]; i++) {
    setup(f, 1);
    int fp_only = i == sizeof fp / sizeof fp[0];
    if (fp_only) {
      f->free[P_FM] = f->free[P_CL7] = 0;
      f->p[P_FM] = 0.0;
      f->p[P_FP] = 0.1;
      f->p[P_THALF7] = 5.0;
    } else {
      f->free[P_FP] = 0;
      f->p[P_FP] = fp[i];
    }
    double obj = fit(f);
    outcome o;
    pk_error err;
    if (simulate(f, f->p, &o, &err) != PK_OK) continue;
    printf("  %-20s f_first_pass %-6.3g fm %-8.3g 7OH CL %-8.3g L/h, t1/2 %.3g h "
           "(elimination %.3g h): objective %.4g\n",
           fp_only ? "first pass only:" : "f_first_pass fixed:", f->p[P_FP], f->p[P_FM],
           f->p[P_CL7], o.nca[OH_THALF], f->p[P_THALF7], obj);
  }
}

/* Best objective with 7OH's elimination half-life held at each value. */
static void profile_7oh_half_life(fit_ctx *f) {
  static const double th[] = {0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0};
  printf("\n== profile over the 7OH elimination half-life (f_first_pass 0, 7OH CL 90 L/h)\n");
  for (size_t i = 0; i < sizeof th / sizeof th[0]; i++) {
    setup(f, 1);
    f->free[P_FP] = f->free[P_CL7] = f->free[P_THALF7] = 0;
    f->p[P_THALF7] = th[i];
    double obj = fit(f);
    printf("  7OH elimination t1/2 %-5g h: objective %.4g (fm %.4g, MG ka %.4g 1/h)\n", th[i],
           obj, f->p[P_FM], f->p[P_KA]);
  }
}

static int load_compound(const char *dir, const char *file, const char *id,
                         pk_compound_params *out) {
  char path[4096];
  snprintf(path, sizeof path, "%s/compounds/linear/%s", dir, file);
  char parent[4096]; /* 7OH's formed_from names MG: load it first */
  snprintf(parent, sizeof parent, "%s/compounds/linear/mitragynine.json", dir);
  pk_model *m = pk_model_new();
  pk_error err;
  pk_status st = m ? PK_OK : PK_ERR_NOMEM;
  if (st == PK_OK && strcmp(file, "mitragynine.json") != 0)
    st = pk_model_load_file(m, parent, &err);
  if (st == PK_OK) st = pk_model_load_file(m, path, &err);
  if (st == PK_OK) st = pk_model_get_compound(m, pk_model_find_compound(m, id), out, &err);
  pk_model_free(m);
  if (st != PK_OK) {
    char msg[1024];
    pk_error_format(&err, msg, sizeof msg);
    fprintf(stderr, "calibrate_tanna2022: %s\n", msg);
  }
  return st != PK_OK;
}

int main(int argc, char **argv) {
  gsl_set_error_handler_off();
  int profiles = argc > 1 && strcmp(argv[1], "--profiles") == 0;
  const char *dir = argc > 1 + profiles ? argv[1 + profiles] : PK_MODELS_DIR;
  fit_ctx f;
  memset(&f, 0, sizeof f);
  /* The 7OH file is loaded alone: its formation from MG is then skipped and
   * the conversion is added with the values being fitted. */
  if (load_compound(dir, "mitragynine.json", "mg", &f.mg) ||
      load_compound(dir, "7-hydroxymitragynine.json", "7oh", &f.oh))
    return 1;
  printf("Tanna 2022: 39 mg MG oral; t1/2 windows MG %g-%g h, 7OH %g-%g h; samples every %g h "
         "to %g h\n", MG_WINDOW_H[0], MG_WINDOW_H[1], OH_WINDOW_H[0], OH_WINDOW_H[1], STEP_H,
         END_H);
  if (profiles) {
    profile_first_pass(&f);
    profile_7oh_half_life(&f);
  }
  setup(&f, 0);
  f.p[P_THALF7] = 0.05;
  f.free[P_KA] = f.free[P_V] = f.free[P_VP1] = f.free[P_Q1] = f.free[P_FM] = 1;
  double obj = fit(&f);
  printf("\n== fit (f_first_pass 0, 7OH CL 90 L/h, 7OH elimination t1/2 0.05 h): "
         "objective %.6g\n", obj);
  print_result(&f, f.p);
  double p[N_PARAMS];
  for (int k = 0; k < N_PARAMS; k++) p[k] = round4(f.p[k]);
  printf("\n== shipped: rounded to 4 significant digits (7OH V rounded too)\n");
  p[P_THALF7] = log(2.0) * round4(v7_of(p)) / p[P_CL7];
  print_result(&f, p);
  return 0;
}
