/* test_fast_agreement.c - the batch kernel (libpk/solve/fast.c) against the
 * general GSL path, subject by subject:
 * - every shipped scenario, with a population varying every compound's CL,
 *   V, ka and ke0 (CV 30-50 %, so that some subjects have nearly equal
 *   rates), 24 subjects in packs of every width this machine runs (8 lanes
 *   with AVX-512, 4 with AVX2, 2 and 1 everywhere): every output value agrees
 *   with the ODE path at rtol 1e-12 to 1e-8 relative, absolute floor 1e-12
 *   (net and W on the scale of E and tol);
 * - a subject's values do not depend on the other subjects of its pack
 *   (alone in a pack and among others: identical bits), and packs of
 *   different widths agree to 1e-10 relative, floor 1e-13 (they differ by
 *   the rounding of fused multiply-adds, which may tip a step's node count
 *   from one rule to the next, both within the quadrature's bound);
 * - extreme but finite rates (ka 1e4 /h) still agree; an absurd volume
 *   (1e-300 L) is refused by the parameter check, naming V (or would be
 *   a reported solver failure with its time), not a hang;
 * - the kernel handles the default scenario (else the first check would
 *   say nothing about it);
 * - through pk_batch_run, the summaries the kernel accumulates itself
 *   (summaries only) equal, to the bit, those computed from its rows (with
 *   trajectories), and agree to 1e-7 with pk_batch_summarise of the ODE
 *   reference trajectory. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h" /* pk_model_copy_into */
#include "fast.h"
#include "scenarios.h"

enum { NSUB = 24, MAXROWS = 4096, MAXCOLS = 64 };

typedef struct rows {
  double v[PK_FAST_MAX_LANES][MAXROWS * MAXCOLS];
  size_t n[PK_FAST_MAX_LANES], cols;
} rows;

static int keep(void *ctx, int lane, size_t k, const double *row) {
  rows *r = ctx;
  if (k >= MAXROWS) return 1;
  memcpy(r->v[lane] + k * r->cols, row, r->cols * sizeof *row);
  r->n[lane] = k + 1;
  return 0;
}

static rows R1, R2, RW; /* RW: the widest pack's last subject alone */
static size_t RW_first;   /* ... and its index */

/* Largest scaled difference of the kernel's rows from the reference;
 * reports the first value beyond the tolerance. */
static double compare(const char *what, const double *v, size_t n, const pk_trajectory *ref) {
  size_t nr = pk_trajectory_rows(ref), nc = pk_trajectory_cols(ref);
  CHECK(n == nr, "%s: %zu rows, the reference has %zu", what, n, nr);
  int iE = pk_trajectory_column_index(ref, "E"), itol = pk_trajectory_column_index(ref, "tol");
  double worst = 0.0;
  for (size_t i = 0; i < n && i < nr; i++)
    for (size_t j = 0; j < nc; j++) {
      const char *col = pk_trajectory_column_name(ref, j);
      double a = v[i * nc + j], b = pk_trajectory_get(ref, i, j), scale = fabs(b);
      if (strcmp(col, "net") == 0 || strcmp(col, "W") == 0 || strcmp(col, "wx") == 0 ||
          strcmp(col, "wf") == 0)
        scale = fmax(fabs(pk_trajectory_get(ref, i, (size_t)iE)),
                     fabs(pk_trajectory_get(ref, i, (size_t)itol)));
      double d = fabs(a - b);
      if (d > 1e-8 * scale + 1e-12) {
        CHECK(0, "%s: %s at t = %g h: kernel %.15g, ODE reference %.15g", what, col,
              pk_trajectory_get(ref, i, 0), a, b);
        return INFINITY;
      }
      /* the summary line reports values of some size (1e-4: nM, or E) */
      if (scale > 1e-4 && d / scale > worst) {
        worst = d / scale;
        if (getenv("PK_TEST_VERBOSE"))
          printf("  %s: %s at t = %g h: %.15g vs %.15g\n", what, col,
                 pk_trajectory_get(ref, i, 0), a, b);
      }
    }
  return worst;
}

static pk_population *population(const pk_model *m) {
  pk_error err;
  pk_population *p = pk_population_new(m);
  static const char *keys[] = {"CL", "V", "ka", "ke0"};
  static const double cv[] = {0.4, 0.3, 0.5, 0.3};
  int added = 0;
  for (int c = 0; c < pk_model_compound_count(m); c++) {
    pk_compound_params cp;
    pk_model_get_compound(m, c, &cp, &err);
    for (int k = 0; k < 4; k++) {
      if (k == 3 && !cp.binds_receptor) continue;
      char name[160];
      snprintf(name, sizeof name, "%s.%s", cp.id, keys[k]);
      if (pk_population_add(p, name, log1p(cv[k] * cv[k]), &err) == PK_OK) added++;
    }
  }
  CHECK(added > 0 && pk_population_prepare(p, &err) == PK_OK, "population: %s", err.message);
  return p;
}

/* Subjects [first, first + n) of the scenario through the kernel in one
 * pack; each checked against the ODE reference. Returns the number the
 * kernel handled. */
static int check_pack(const char *name, const pk_scenario *s, const pk_population *pop,
                      const pk_model *typical, size_t first, int n, int widest, double *worst) {
  pk_error err;
  pk_sim_options o = pk_scenario_options(s);
  pk_model *m[PK_FAST_MAX_LANES];
  pk_fast *f = pk_fast_new_lanes(n);
  CHECK(f != NULL, "no kernel of %d lanes", n);
  if (!f) return 0;
  int lanes = 0, made = 0;
  for (int l = 0; l < n; l++) {
    m[l] = pk_model_new();
    made++;
    if (pop) CHECK(pk_population_subject(pop, typical, 1, first + (size_t)l, m[l], NULL, &err) ==
                       PK_OK, "%s: subject: %s", name, err.message);
    else pk_model_copy_into(m[l], typical);
    if (pk_fast_lane(f, lanes, m[l], pk_scenario_regimen(s), &o, &err) == 1) lanes++;
    else break;
  }
  if (lanes > 0) {
    pk_status st[PK_FAST_MAX_LANES];
    pk_error errs[PK_FAST_MAX_LANES];
    R1.cols = (size_t)pk_fast_system(f, 0)->n_cols;
    CHECK(pk_fast_run(f, lanes, &o, keep, &R1, NULL, NULL, NULL, st, errs) == 0, "%s: stopped", name);
    for (int l = 0; l < lanes; l++) {
      char what[200];
      snprintf(what, sizeof what, "%s subject %zu", name, first + (size_t)l);
      CHECK(st[l] == PK_OK, "%s: kernel failed: %s", what, errs[l].message);
      pk_sim_options ro = o;
      ro.solver = PK_SOLVER_ODE;
      ro.rtol = 1e-12;
      ro.atol = 1e-14;
      pk_trajectory *ref = NULL;
      CHECK(pk_simulate(m[l], pk_scenario_regimen(s), &ro, &ref, &err) == PK_OK,
            "%s: reference: %s", what, err.message);
      if (ref) *worst = fmax(*worst, compare(what, R1.v[l], R1.n[l], ref));
      pk_trajectory_free(ref);
    }
    /* the last subject alone: the same bits as in the pack */
    int last = lanes - 1;
    pk_fast *g = pk_fast_new_lanes(n);
    pk_status st1;
    pk_error e1;
    R2.cols = R1.cols;
    CHECK(pk_fast_lane(g, 0, m[last], pk_scenario_regimen(s), &o, &err) == 1 &&
              pk_fast_run(g, 1, &o, keep, &R2, NULL, NULL, NULL, &st1, &e1) == 0 && st1 == PK_OK,
          "%s: alone", name);
    CHECK(R2.n[0] == R1.n[last] &&
              memcmp(R2.v[0], R1.v[last], R1.n[last] * R1.cols * sizeof(double)) == 0,
          "%s subject %zu: alone and in a pack of %d the values differ", name,
          first + (size_t)last, lanes);
    pk_fast_free(g);
    /* the same subject in a pack of another width */
    if (widest) {
      RW.cols = R2.cols, RW.n[0] = R2.n[0], RW_first = first + (size_t)last;
      memcpy(RW.v[0], R2.v[0], R2.n[0] * R2.cols * sizeof(double));
    } else if (RW_first == first + (size_t)last && RW.cols == R2.cols && RW.n[0] == R2.n[0]) {
      size_t bad = 0;
      for (size_t k = 0; k < R2.n[0] * R2.cols; k++)
        bad += !(fabs(R2.v[0][k] - RW.v[0][k]) <= 1e-10 * fabs(RW.v[0][k]) + 1e-13);
      CHECK(bad == 0, "%s subject %zu: packs of %d lanes and of the widest differ in %zu values",
            name, RW_first, n, bad);
    }
  }
  for (int l = 0; l < made; l++) pk_model_free(m[l]);
  pk_fast_free(f);
  return lanes;
}

static void check_scenario(const pk_scenario *s, const char *name) {
  const pk_model *typical = pk_scenario_model(s);
  pk_population *pop = population(typical);
  int widest = 1;
  RW_first = SIZE_MAX;
  for (int w = PK_FAST_MAX_LANES; w >= 1; w /= 2) {
    if (!pk_fast_available(w)) continue;
    double worst = 0.0;
    int handled = 0;
    for (size_t first = 0; first < NSUB; first += (size_t)w)
      handled += check_pack(name, s, pop, typical, first, w, widest, &worst);
    widest = 0;
    if (handled == 0)
      printf("%-34s not for the kernel (pk_simulate runs it)\n", name);
    else
      printf("%-34s packs of %d, %2d subjects: largest relative difference %.2e\n", name, w,
             handled, worst);
    if (strcmp(name, "kratom-taper.json") == 0)
      CHECK(handled == NSUB, "the kernel must handle the default scenario (%d of %d)", handled,
            NSUB);
  }
  pk_population_free(pop);
}

/* The default scenario with mitragynine's ka or V set to x. */
static void extreme(const char *key, double x, int expect_ok) {
  pk_error err;
  pk_scenario *s = NULL;
  CHECK(pk_scenario_load(PK_MODELS_DIR "/scenarios/kratom-taper.json", &s, &err) == PK_OK,
        "load: %s", err.message);
  if (!s) return;
  pk_model *m = pk_model_new();
  pk_model_copy_into(m, pk_scenario_model(s));
  pk_compound_params cp;
  pk_model_get_compound(m, 0, &cp, &err);
  if (strcmp(key, "ka") == 0) cp.ka_per_h = x;
  else cp.V_L = x;
  pk_status set = pk_model_set_compound(m, 0, &cp, &err);
  if (!expect_ok && set == PK_ERR_INVALID) {
    /* out of the parameter's range (a volume below 1e-6 L): refused before
     * any solver sees it, naming the parameter */
    CHECK(strncmp(err.message, key, strlen(key)) == 0, "%s = %g: the refusal '%s' does not name %s",
          key, x, err.message, key);
    printf("mitragynine %s = %g: refused: %s\n", key, x, err.message);
    pk_model_free(m);
    pk_scenario_free(s);
    return;
  }
  CHECK(set == PK_OK, "set %s: %s", key, err.message);
  pk_sim_options o = pk_scenario_options(s);
  pk_fast *f = pk_fast_new();
  pk_status st = PK_OK;
  pk_error e1;
  pk_error_clear(&e1);
  R1.cols = 0;
  int r = pk_fast_lane(f, 0, m, pk_scenario_regimen(s), &o, &err);
  if (r == 1) {
    R1.cols = (size_t)pk_fast_system(f, 0)->n_cols;
    pk_fast_run(f, 1, &o, keep, &R1, NULL, NULL, NULL, &st, &e1);
  }
  if (expect_ok) {
    CHECK(r == 1 && st == PK_OK, "%s = %g: the kernel should run it (%s)", key, x, e1.message);
    pk_sim_options ro = o;
    ro.solver = PK_SOLVER_ODE;
    ro.rtol = 1e-12;
    ro.atol = 1e-14;
    pk_trajectory *ref = NULL;
    if (r == 1 && pk_simulate(m, pk_scenario_regimen(s), &ro, &ref, &err) == PK_OK) {
      char what[64];
      snprintf(what, sizeof what, "mitragynine %s = %g", key, x);
      printf("%-34s largest relative difference %.2e\n", what, compare(what, R1.v[0], R1.n[0], ref));
    }
    pk_trajectory_free(ref);
  } else {
    /* either refused at set-up (pk_simulate then runs it) or a failure
     * with its time */
    CHECK(r == 0 || (st == PK_ERR_SOLVER && isfinite(e1.t_h)),
          "%s = %g: expected a reported failure, got status %d", key, x, st);
    printf("mitragynine %s = %g: %s\n", key, x,
           r == 0 ? "refused by the kernel" : e1.message);
  }
  pk_fast_free(f);
  pk_model_free(m);
  pk_scenario_free(s);
}

enum { NB = 20 };
typedef struct collect {
  size_t ncol;
  double v[NB][64];
  int ok[NB];
  pk_trajectory *traj[NB];
} collect;

static int on_subject(void *ctx, const pk_subject_result *r) {
  collect *c = ctx;
  if (r->index >= NB) return 1;
  memcpy(c->v[r->index], r->values, c->ncol * sizeof(double));
  c->ok[r->index] = r->status == PK_OK;
  return 0;
}

static collect CA, CB;

static void batch_summaries(void) {
  pk_error err;
  pk_scenario *s = NULL;
  CHECK(pk_scenario_load(PK_MODELS_DIR "/scenarios/kratom-taper.json", &s, &err) == PK_OK,
        "load: %s", err.message);
  if (!s) return;
  pk_population *pop = population(pk_scenario_model(s));
  pk_batch_spec spec = pk_batch_spec_default();
  spec.model = pk_scenario_model(s);
  spec.regimen = pk_scenario_regimen(s);
  spec.options = pk_scenario_options(s);
  spec.population = pop;
  spec.n_subjects = NB;
  pk_batch *b = NULL;
  CHECK(pk_batch_new(&spec, &b, &err) == PK_OK, "batch: %s", err.message);
  if (!b) return;
  size_t ncol = pk_batch_column_count(b), n_set = pk_population_value_count(pop);
  CHECK(ncol <= 64, "%zu columns", ncol);
  CA.ncol = CB.ncol = ncol;
  pk_batch_run_options o = pk_batch_run_options_default();
  o.threads = 1;
  o.on_subject = on_subject;
  o.ctx = &CA;
  CHECK(pk_batch_run(b, &o, NULL, &err) == PK_OK, "run: %s", err.message);
  o.want_trajectories = 1;
  o.ctx = &CB;
  CHECK(pk_batch_run(b, &o, NULL, &err) == PK_OK, "run: %s", err.message);
  double worst = 0.0;
  pk_model *m = pk_model_new();
  double *ref = malloc(ncol * sizeof *ref);
  for (size_t i = 0; i < NB; i++) {
    CHECK(CA.ok[i] && CB.ok[i], "subject %zu failed", i);
    CHECK(memcmp(CA.v[i], CB.v[i], ncol * sizeof(double)) == 0,
          "subject %zu: the kernel's own summaries differ from those of its rows", i);
    pk_sim_options ro = pk_scenario_options(s);
    ro.solver = PK_SOLVER_ODE;
    ro.rtol = 1e-12;
    ro.atol = 1e-14;
    pk_trajectory *t = NULL;
    CHECK(pk_population_subject(pop, spec.model, spec.seed, i, m, NULL, &err) == PK_OK &&
              pk_simulate(m, spec.regimen, &ro, &t, &err) == PK_OK &&
              pk_batch_summarise(b, t, ref + n_set, &err) == PK_OK,
          "reference of subject %zu: %s", i, err.message);
    for (size_t j = n_set; t && j < ncol; j++) {
      double a = CA.v[i][j], r = ref[j];
      if (isnan(a) && isnan(r)) continue;
      double d = fabs(a - r) / fmax(fabs(r), 1e-9);
      if (d > worst) worst = d;
      CHECK(d <= 1e-7, "subject %zu: %s is %.12g, from the ODE reference %.12g", i,
            pk_batch_column_name(b, j), a, r);
    }
    pk_trajectory_free(t);
  }
  printf("batch summaries of %d subjects: kernel = rows bit for bit; largest relative "
         "difference from the ODE reference %.2e\n", NB, worst);
  free(ref);
  pk_model_free(m);
  pk_batch_free(b);
  pk_population_free(pop);
  pk_scenario_free(s);
}

/* pk_log (the log-down trapezoid's logarithm) against the C library's:
 * within 2.5 ulp over ratios near 1 (hourly concentration ratios) and over
 * the whole normal range. */
static void log_accuracy(void) {
  double worst = 0.0, at = 0.0;
  uint64_t r = 88172645463325252ULL;
  for (int k = 0; k < 2000000; k++) {
    r ^= r << 13, r ^= r >> 7, r ^= r << 17;
    double u = (double)(r >> 11) / 9007199254740992.0;
    double x = k % 2 ? 1.0 + 3.0 * u : exp((u - 0.5) * 1400.0);
    double a = pk_log(x), b = log(x);
    double ulp = nextafter(fabs(b), INFINITY) - fabs(b);
    double d = b == 0.0 ? fabs(a) : fabs(a - b) / ulp;
    if (d > worst) worst = d, at = x;
  }
  CHECK(worst <= 2.5, "pk_log(%.17g) is %g ulp from log", at, worst);
  printf("pk_log: largest difference from log over 2e6 values %.2f ulp\n", worst);
}

int main(void) {
  test_init();
  int n = for_each_scenario(check_scenario);
  CHECK(n >= 8, "expected the shipped scenarios, found %d", n);
  extreme("ka", 1e4, 1);
  extreme("V", 1e-300, 0);
  batch_summaries();
  log_accuracy();
  return test_finish("solver_batch_kernel_agrees_with_ode_per_subject");
}
