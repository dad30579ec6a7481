/* bench_kernel.c - the batch engine against the straightforward exact
 * propagation (baseline.h) on a population of a scenario (default: the
 * shipped kratom taper, 28 days of run-in plus 35 days, hourly output),
 * all in one process, one thread:
 *
 *   (a) accuracy of the baseline on the typical subject (hourly C_*, E and
 *       tol against an ODE reference at rtol 1e-13, atol 1e-15) for 2 to 10
 *       Gauss-Legendre nodes per hour; the smallest count reaching 1e-8 is
 *       used below;
 *   (b) the baseline's summaries checked against pk_batch_run's (exact path
 *       and a tight ODE run) for a few subjects;
 *   (c) throughput: the baseline, pk_batch_run on the exact path with each
 *       variant of the batch kernel this machine runs (AVX-512 packs of 8,
 *       AVX2 packs of 4, SSE2 packs of 2, scalar; chosen through PK_SIMD),
 *       pk_batch_run with rk8pd at rtol 1e-8 / atol 1e-11 (N/20 subjects),
 *       and baseline B, a direct gsl_odeiv2_driver loop with rk8pd at the
 *       loosest rtol decade that reaches 1e-8 (atol 1e-3 rtol; N/20
 *       subjects), summaries only, and the ratios.
 *
 * The baseline's subjects are drawn with pk_population_subject (seed 1, the
 * batch's) in blocks outside its timed region; drawing is timed apart and
 * reported, because pk_batch_run's time includes its own drawing.
 *
 * usage: bench_kernel [N [SCENARIO [N_RK8PD]]]   (defaults 10000, kratom-taper, N/20)
 */
#define _POSIX_C_SOURCE 200809L
#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "baseline.h"
#include "bench_common.h"
#include "pk/pk.h"

enum {
  MIN_NODES = 2,
  MAX_NODES = 10,
  BLOCK = 64,       /* subjects drawn ahead of each timed block of the baseline */
  N_CHECK = 5,      /* subjects whose summaries are compared */
  N_REPEAT_TYP = 40 /* runs of the typical subject per node count, for its cost */
};

static const double TARGET_REL_ERR = 1e-8;
static const double REL_FLOOR = 1e-12; /* absolute floor of the relative differences */
static const uint64_t SEED = 1;

static double wall_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double cpu_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void die(const char *what, const pk_error *err) {
  char buf[1024];
  pk_error_format(err, buf, sizeof buf);
  fprintf(stderr, "bench_kernel: %s: %s\n", what, buf);
  exit(1);
}

static double rel_diff(double a, double ref) {
  if (isnan(a) && isnan(ref)) return 0.0;
  return fabs(a - ref) / (fabs(ref) + REL_FLOOR);
}

/* The population of bench_batch (bench_common.h), so the numbers compare. */
static pk_population *population(const pk_model *m) {
  pk_error err;
  pk_population *p = bench_population(m, &err);
  if (!p) die("population", &err);
  return p;
}

/* ---- (a) accuracy on the typical subject ---- */

typedef struct row_sink {
  double *rows;
  size_t n_cols, n, cap;
} row_sink;

static void keep_row(void *ctx, const double *row, size_t n_cols) {
  row_sink *k = ctx;
  if (k->n < k->cap && n_cols == k->n_cols)
    memcpy(k->rows + k->n * n_cols, row, n_cols * sizeof *row);
  k->n++;
}

/* Columns compared: C_<id> of each compound, E and tol. */
static size_t compared_columns(const pk_trajectory *t, size_t *cols) {
  size_t n = 0;
  for (size_t j = 0; j < pk_trajectory_cols(t); j++) {
    const char *name = pk_trajectory_column_name(t, j);
    if (strncmp(name, "C_", 2) == 0 || strcmp(name, "E") == 0 || strcmp(name, "tol") == 0)
      cols[n++] = j;
  }
  return n;
}

/* Largest relative difference of rows (n_rows x n_cols) from the
 * reference on the compared columns; *worst_col gets the column. */
static double max_err(const double *rows, const pk_trajectory *ref, const size_t *cols,
                      size_t n_cmp, size_t *worst_col) {
  const double *y = pk_trajectory_data(ref);
  size_t nc = pk_trajectory_cols(ref), nr = pk_trajectory_rows(ref);
  double worst = 0.0;
  *worst_col = cols[0];
  for (size_t r = 0; r < nr; r++)
    for (size_t k = 0; k < n_cmp; k++) {
      double d = rel_diff(rows[r * nc + cols[k]], y[r * nc + cols[k]]);
      if (d > worst) worst = d, *worst_col = cols[k];
    }
  return worst;
}

/* The typical subject through pk_batch_run (the batch kernel) with the
 * given quadrature bound: its rows into *rows (malloc'd). */
static double *kernel_rows(const pk_scenario *sc, double quad_tol) {
  pk_error err;
  pk_sim_options o = pk_scenario_options(sc);
  o.solver = PK_SOLVER_EXACT;
  o.quad_tol = quad_tol;
  bench_rows k;
  if (bench_batch_rows(sc, o, &k, &err) != PK_OK) die("batch run", &err);
  return k.v;
}

/* Prints the table and returns the smallest node count reaching the
 * target (MAX_NODES if none does); *matched_tol gets the loosest batch
 * kernel bound (of 1e-11, 1e-10, 1e-9) at least as accurate as the
 * baseline with that node count. */
static int accuracy_table(const pk_scenario *sc, double w_thr, double occ_thr,
                          double *matched_tol, double *ode_rtol) {
  pk_error err;
  const pk_model *m = pk_scenario_model(sc);
  const pk_regimen *reg = pk_scenario_regimen(sc);
  pk_sim_options opt = pk_scenario_options(sc), ref_opt = opt, ex_opt = opt;
  ref_opt.solver = PK_SOLVER_ODE;
  ref_opt.method = PK_ODE_RK8PD;
  ref_opt.rtol = 1e-13;
  ref_opt.atol = 1e-15;
  ex_opt.solver = PK_SOLVER_EXACT;
  pk_trajectory *ref = NULL, *ex = NULL;
  if (pk_simulate(m, reg, &ref_opt, &ref, &err) != PK_OK) die("ODE reference", &err);
  if (pk_simulate(m, reg, &ex_opt, &ex, &err) != PK_OK) die("exact path", &err);
  size_t nc = pk_trajectory_cols(ref), nr = pk_trajectory_rows(ref);
  size_t *cols = malloc(pk_trajectory_cols(ref) * sizeof *cols), worst_col;
  if (!cols) exit(1);
  size_t n_cmp = compared_columns(ref, cols);
  row_sink sink = {.rows = malloc(nr * nc * sizeof(double)), .n_cols = nc, .cap = nr};
  double *summary = malloc(baseline_summary_count(m) * sizeof *summary);
  if (!sink.rows || !summary) exit(1);
  printf("\n(a) accuracy, typical subject: %zu hourly rows; largest relative difference "
         "(floor %.0e) of", nr, REL_FLOOR);
  for (size_t k = 0; k < n_cmp; k++) printf(" %s", pk_trajectory_column_name(ref, cols[k]));
  printf("\n    from pk_simulate ODE rk8pd rtol 1e-13 atol 1e-15\n");
  printf("    %-22s %13s %-8s %14s\n", "path", "max rel err", "worst", "us/subject");
  double lib_err = max_err(pk_trajectory_data(ex), ref, cols, n_cmp, &worst_col);
  printf("    %-22s %13.2e %-8s %14s\n", "library exact path", lib_err,
         pk_trajectory_column_name(ref, worst_col), "-");
  static const double tols[] = {1e-11, 1e-10, 1e-9};
  double kerr[3];
  for (int k = 0; k < 3; k++) {
    double *rows = kernel_rows(sc, tols[k]);
    kerr[k] = max_err(rows, ref, cols, n_cmp, &worst_col);
    char label[40];
    snprintf(label, sizeof label, "batch kernel, bound %.0e", tols[k]);
    printf("    %-22s %13.2e %-8s %14s\n", label, kerr[k],
           pk_trajectory_column_name(ref, worst_col), "-");
    free(rows);
  }
  int chosen = 0;
  double chosen_err = INFINITY;
  for (int n = MIN_NODES; n <= MAX_NODES; n++) {
    baseline *b = baseline_new(n);
    if (!b) exit(1);
    sink.n = 0;
    if (baseline_run(b, m, reg, &opt, w_thr, occ_thr, summary, keep_row, &sink, &err) != PK_OK)
      die("typical subject", &err);
    if (sink.n != nr) {
      fprintf(stderr, "bench_kernel: the baseline gave %zu rows, the reference %zu\n", sink.n,
              nr);
      exit(1);
    }
    for (size_t r = 0; r < nr; r++)
      if (sink.rows[r * nc] != pk_trajectory_get(ref, r, 0)) {
        fprintf(stderr, "bench_kernel: row %zu at %g h, the reference's at %g h\n", r,
                sink.rows[r * nc], pk_trajectory_get(ref, r, 0));
        exit(1);
      }
    double e = max_err(sink.rows, ref, cols, n_cmp, &worst_col);
    double t0 = wall_s();
    for (int k = 0; k < N_REPEAT_TYP; k++)
      if (baseline_run(b, m, reg, &opt, w_thr, occ_thr, summary, NULL, NULL, &err) != PK_OK)
        die("typical subject", &err);
    double us = (wall_s() - t0) / N_REPEAT_TYP * 1e6;
    char label[32];
    snprintf(label, sizeof label, "baseline, %d GL nodes", n);
    printf("    %-22s %13.2e %-8s %14.1f%s\n", label, e,
           pk_trajectory_column_name(ref, worst_col), us,
           !chosen && e <= TARGET_REL_ERR ? "   <- chosen" : "");
    if (!chosen && e <= TARGET_REL_ERR) chosen = n, chosen_err = e;
    baseline_free(b);
  }
  if (!chosen) {
    printf("    no node count reaches %.0e; using %d\n", TARGET_REL_ERR, MAX_NODES);
    chosen = MAX_NODES;
  }
  *matched_tol = tols[0];
  for (int k = 0; k < 3; k++)
    if (kerr[k] <= chosen_err) *matched_tol = tols[k];
  printf("    batch kernel bound as accurate as the chosen baseline (%.2e): %.0e\n", chosen_err,
         *matched_tol);
  /* baseline B: the loosest tolerance decade that reaches the target */
  *ode_rtol = 0.0;
  for (int k = 6; k <= 12 && *ode_rtol == 0.0; k++) {
    double rtol = pow(10.0, -k);
    sink.n = 0;
    if (baseline_ode_run(m, reg, &opt, rtol, 1e-3 * rtol, w_thr, occ_thr, summary, keep_row,
                         &sink, &err) != PK_OK)
      die("baseline B, typical subject", &err);
    double e = max_err(sink.rows, ref, cols, n_cmp, &worst_col);
    double t0 = wall_s();
    for (int r = 0; r < 5; r++)
      if (baseline_ode_run(m, reg, &opt, rtol, 1e-3 * rtol, w_thr, occ_thr, summary, NULL, NULL,
                           &err) != PK_OK)
        die("baseline B, typical subject", &err);
    double us = (wall_s() - t0) / 5 * 1e6;
    char label[40];
    snprintf(label, sizeof label, "baseline B, rtol %.0e", rtol);
    printf("    %-22s %13.2e %-8s %14.1f%s\n", label, e,
           pk_trajectory_column_name(ref, worst_col), us,
           e <= TARGET_REL_ERR ? "   <- chosen" : "");
    if (e <= TARGET_REL_ERR) *ode_rtol = rtol;
  }
  if (*ode_rtol == 0.0) *ode_rtol = 1e-12;
  free(summary);
  free(cols);
  free(sink.rows);
  pk_trajectory_free(ex);
  pk_trajectory_free(ref);
  return chosen;
}

/* ---- batches ---- */

typedef struct kept_values {
  const pk_batch *b;
  double *values; /* subjects x column_count */
} kept_values;

static int keep_values(void *ctx, const pk_subject_result *r) {
  kept_values *k = ctx;
  size_t nc = pk_batch_column_count(k->b);
  memcpy(k->values + r->index * nc, r->values, nc * sizeof *r->values);
  return r->status == PK_OK ? 0 : 1;
}

static pk_batch *make_batch(const pk_scenario *sc, const pk_population *pop, size_t n,
                            pk_sim_options opt) {
  pk_error err;
  pk_batch_spec spec = pk_batch_spec_default();
  spec.model = pk_scenario_model(sc);
  spec.regimen = pk_scenario_regimen(sc);
  spec.options = opt;
  spec.population = pop;
  spec.n_subjects = n;
  spec.seed = SEED;
  pk_batch *b = NULL;
  if (pk_batch_new(&spec, &b, &err) != PK_OK) die("batch", &err);
  return b;
}

typedef struct rate {
  size_t n;
  double wall_s, cpu_s;
} rate;

/* pk_batch_run on one thread, summaries only (nothing kept), as
 * bench_batch's summary cases; pk_batch_new (which simulates the typical
 * subject once) is outside the timing, as there. */
static rate time_batch(const pk_scenario *sc, const pk_population *pop, size_t n,
                       pk_sim_options opt, size_t shard, size_t shards) {
  pk_error err;
  pk_batch *b = make_batch(sc, pop, n, opt);
  pk_batch_run_options o = pk_batch_run_options_default();
  o.threads = 1;
  o.shard_index = shard;
  o.shard_count = shards;
  pk_batch_report rep;
  double w0 = wall_s(), c0 = cpu_s();
  if (pk_batch_run(b, &o, &rep, &err) != PK_OK) die("batch run", &err);
  rate r = {.n = rep.done, .wall_s = wall_s() - w0, .cpu_s = cpu_s() - c0};
  if (rep.done != rep.total || rep.failed) {
    fprintf(stderr, "bench_kernel: batch ran %zu of %zu subjects, %zu failed\n", rep.done,
            rep.total, rep.failed);
    exit(1);
  }
  pk_batch_free(b);
  return r;
}

/* ---- (b) the summaries against the library's ---- */

static void check_summaries(const pk_scenario *sc, const pk_population *pop, int n_nodes,
                            double w_thr, double occ_thr) {
  pk_error err;
  const pk_model *typ = pk_scenario_model(sc);
  pk_sim_options opt = pk_scenario_options(sc), ex_opt = opt, ode_opt = opt;
  ex_opt.solver = PK_SOLVER_EXACT;
  ode_opt.solver = PK_SOLVER_ODE;
  ode_opt.method = PK_ODE_RK8PD;
  ode_opt.rtol = 1e-12;
  ode_opt.atol = 1e-14;
  pk_batch *bx = make_batch(sc, pop, N_CHECK, ex_opt), *bo = make_batch(sc, pop, N_CHECK, ode_opt);
  size_t ncol = pk_batch_column_count(bx), n_set = pk_population_value_count(pop);
  size_t n_sum = baseline_summary_count(typ);
  if (ncol != n_set + n_sum) {
    fprintf(stderr, "bench_kernel: the batch has %zu columns, expected %zu + %zu\n", ncol,
            n_set, n_sum);
    exit(1);
  }
  kept_values kx = {.b = bx, .values = calloc(N_CHECK * ncol, sizeof(double))};
  kept_values ko = {.b = bo, .values = calloc(N_CHECK * ncol, sizeof(double))};
  if (!kx.values || !ko.values) exit(1);
  pk_batch_run_options o = pk_batch_run_options_default();
  o.threads = 1;
  o.on_subject = keep_values;
  o.ctx = &kx;
  if (pk_batch_run(bx, &o, NULL, &err) != PK_OK) die("batch (exact)", &err);
  o.ctx = &ko;
  if (pk_batch_run(bo, &o, NULL, &err) != PK_OK) die("batch (ODE)", &err);
  baseline *bl = baseline_new(n_nodes);
  pk_model *sub = pk_model_new();
  double *settings = malloc((n_set + 1) * sizeof *settings);
  double *mine = malloc(n_sum * sizeof *mine);
  if (!bl || !sub || !settings || !mine) exit(1);
  printf("\n(b) summaries of the baseline (%d nodes) against pk_batch_run's, subjects 0-%d "
         "(seed %llu): largest relative\n    difference (floor %.0e) over the %zu summary "
         "columns other than Tmax, its column, and Tmax differences\n",
         n_nodes, N_CHECK - 1, (unsigned long long)SEED, REL_FLOOR,
         n_sum - (size_t)pk_model_compound_count(typ));
  printf("    %-7s | %-38s | %-38s | %-25s\n", "subject", "baseline vs batch exact",
         "baseline vs batch ODE rtol 1e-12", "batch exact vs batch ODE");
  double worst_all = 0.0;
  for (size_t i = 0; i < N_CHECK; i++) {
    if (pk_population_subject(pop, typ, SEED, i, sub, settings, &err) != PK_OK)
      die("subject", &err);
    for (size_t k = 0; k < n_set; k++)
      if (settings[k] != kx.values[i * ncol + k]) {
        fprintf(stderr, "bench_kernel: subject %zu: setting %s differs from the batch's\n", i,
                pk_batch_column_name(bx, k));
        exit(1);
      }
    if (baseline_run(bl, sub, pk_scenario_regimen(sc), &opt, w_thr, occ_thr, mine, NULL, NULL,
                     &err) != PK_OK)
      die("summary check", &err);
    /* pairs compared: baseline vs exact, baseline vs ODE, exact vs ODE */
    const double *ex_i = kx.values + i * ncol + n_set, *ode_i = ko.values + i * ncol + n_set;
    const double *test[3] = {mine, mine, ex_i}, *ref[3] = {ex_i, ode_i, ode_i};
    printf("    %-7zu", i);
    for (int c = 0; c < 3; c++) {
      double worst = 0.0, dtmax_h = 0.0;
      size_t wj = 0;
      for (size_t j = 0; j < n_sum; j++) {
        /* Tmax is an output time: near-equal peaks on different days may
         * swap under differences far below any tolerance, so it is
         * reported as a time difference, not a relative one */
        if (j < 4 * (size_t)pk_model_compound_count(typ) && j % 4 == 1) {
          dtmax_h = fmax(dtmax_h, fabs(test[c][j] - ref[c][j]));
          continue;
        }
        double d = rel_diff(test[c][j], ref[c][j]);
        if (isnan(d)) d = INFINITY; /* one NaN, the other not */
        if (d > worst) worst = d, wj = j;
      }
      if (c < 2) worst_all = fmax(worst_all, worst);
      char tm[32] = "";
      if (c < 2 && dtmax_h == 0.0) snprintf(tm, sizeof tm, "Tmax same");
      else if (c < 2) snprintf(tm, sizeof tm, "Tmax by %g h", dtmax_h);
      printf(" | %9.2e %-15s %-12s", worst, pk_batch_column_name(bx, n_set + wj), c < 2 ? tm : "");
    }
    printf("\n");
  }
  printf("    largest difference of the baseline from the library: %.2e (%s)\n", worst_all,
         worst_all <= 1e-7 ? "same summaries" : "CHECK: larger than 1e-7");
  free(mine);
  free(settings);
  pk_model_free(sub);
  baseline_free(bl);
  free(ko.values);
  free(kx.values);
  pk_batch_free(bo);
  pk_batch_free(bx);
}

/* ---- (c) the baseline's throughput ---- */

/* Runs the baseline on subjects 0..n-1, drawn (untimed) BLOCK at a time;
 * *draw gets the time the drawing took. */
static rate time_baseline(const pk_scenario *sc, const pk_population *pop, size_t lo,
                          size_t n, int n_nodes, double w_thr, double occ_thr, rate *draw,
                          double *checksum) {
  pk_error err;
  const pk_model *typ = pk_scenario_model(sc);
  const pk_regimen *reg = pk_scenario_regimen(sc);
  pk_sim_options opt = pk_scenario_options(sc);
  size_t n_set = pk_population_value_count(pop), n_sum = baseline_summary_count(typ);
  pk_model *models[BLOCK];
  for (int k = 0; k < BLOCK; k++)
    if (!(models[k] = pk_model_new())) exit(1);
  double *settings = malloc((n_set + 1) * sizeof *settings);
  double *summary = malloc(n_sum * sizeof *summary);
  baseline *bl = baseline_new(n_nodes);
  if (!settings || !summary || !bl) exit(1);
  rate run = {.n = n}, dr = {.n = n};
  double sum = 0.0;
  for (size_t start = 0; start < n; start += BLOCK) {
    size_t cnt = n - start < BLOCK ? n - start : BLOCK;
    double w0 = wall_s(), c0 = cpu_s();
    for (size_t k = 0; k < cnt; k++)
      if (pk_population_subject(pop, typ, SEED, lo + start + k, models[k], settings, &err) !=
          PK_OK)
        die("subject", &err);
    double w1 = wall_s(), c1 = cpu_s();
    for (size_t k = 0; k < cnt; k++) {
      if (baseline_run(bl, models[k], reg, &opt, w_thr, occ_thr, summary, NULL, NULL, &err) !=
          PK_OK)
        die("population run", &err);
      sum += summary[0];
    }
    double w2 = wall_s(), c2 = cpu_s();
    dr.wall_s += w1 - w0, dr.cpu_s += c1 - c0;
    run.wall_s += w2 - w1, run.cpu_s += c2 - c1;
  }
  *draw = dr;
  *checksum = sum;
  baseline_free(bl);
  free(summary);
  free(settings);
  for (int k = 0; k < BLOCK; k++) pk_model_free(models[k]);
  return run;
}

/* Baseline B on subjects 0..n-1 (drawing excluded). */
static rate time_baseline_ode(const pk_scenario *sc, const pk_population *pop, size_t n,
                              double rtol, double w_thr, double occ_thr) {
  pk_error err;
  const pk_model *typ = pk_scenario_model(sc);
  pk_sim_options opt = pk_scenario_options(sc);
  size_t n_set = pk_population_value_count(pop), n_sum = baseline_summary_count(typ);
  pk_model *sub = pk_model_new();
  double *settings = malloc((n_set + 1) * sizeof *settings);
  double *summary = malloc(n_sum * sizeof *summary);
  if (!sub || !settings || !summary) exit(1);
  rate run = {.n = n};
  for (size_t i = 0; i < n; i++) {
    if (pk_population_subject(pop, typ, SEED, i, sub, settings, &err) != PK_OK)
      die("subject", &err);
    double w0 = wall_s(), c0 = cpu_s();
    if (baseline_ode_run(sub, pk_scenario_regimen(sc), &opt, rtol, 1e-3 * rtol, w_thr, occ_thr,
                         summary, NULL, NULL, &err) != PK_OK)
      die("baseline B", &err);
    run.wall_s += wall_s() - w0, run.cpu_s += cpu_s() - c0;
  }
  free(summary);
  free(settings);
  pk_model_free(sub);
  return run;
}

/* Rates on wall time, as bench_batch; and microseconds per subject on this
 * process's CPU time, steadier when other work shares the cores (cpu/wall
 * below 100 % says it did). */
static void print_rate(const char *label, rate r) {
  printf("    %-46s %9zu %10.2f %12.1f %12.1f %12.1f %8.0f%%\n", label, r.n, r.wall_s,
         (double)r.n / r.wall_s, r.wall_s / (double)r.n * 1e6, r.cpu_s / (double)r.n * 1e6,
         100.0 * r.cpu_s / r.wall_s);
}

static void print_ratio(const char *label, double slow_us_wall, double fast_us_wall,
                        double slow_us_cpu, double fast_us_cpu) {
  printf("    %-44s %8.3f %8.3f\n", label, slow_us_wall / fast_us_wall, slow_us_cpu / fast_us_cpu);
}

int main(int argc, char **argv) {
  gsl_set_error_handler_off();
  size_t n = argc > 1 ? (size_t)atol(argv[1]) : 10000;
  const char *env = getenv("PK_MODELS_DIR");
  char def[4096];
  snprintf(def, sizeof def, "%s/scenarios/kratom-taper.json", env && *env ? env : PK_MODELS_DIR);
  const char *scenario = argc > 2 ? argv[2] : def;
  size_t n_rk = argc > 3 ? (size_t)atol(argv[3]) : (n / 20 ? n / 20 : 1);
  pk_error err;
  pk_scenario *sc = NULL;
  if (n < 1 || n_rk < 1) {
    fprintf(stderr, "usage: bench_kernel [N [SCENARIO [N_RK8PD]]]\n");
    return 2;
  }
  if (pk_scenario_load(scenario, &sc, &err) != PK_OK) die(scenario, &err);
  pk_population *pop = population(pk_scenario_model(sc));
  pk_batch_spec defaults = pk_batch_spec_default();
  double w_thr = defaults.w_threshold, occ_thr = defaults.occ_threshold;
  pk_sim_options opt = pk_scenario_options(sc);
  bench_print_machine();
  printf("scenario %s: simulation from %g h, output every %g h from %g h to %g h; %zu "
         "compound doses;\npopulation of %zu subjects (rk8pd: %zu), seed %llu, one thread\n",
         pk_scenario_name(sc), opt.t_start_h + 0.0, opt.output_step_h, opt.output_start_h + 0.0,
         opt.t_end_h,
         pk_regimen_size(pk_scenario_regimen(sc)), n, n_rk, (unsigned long long)SEED);

  double matched_tol = 1e-11, ode_rtol = 1e-8;
  int n_nodes = accuracy_table(sc, w_thr, occ_thr, &matched_tol, &ode_rtol);
  check_summaries(sc, pop, n_nodes, w_thr, occ_thr);

  printf("\n(c) throughput, one thread, summaries only\n");
  printf("    %-46s %9s %10s %12s %12s %12s %9s\n", "path", "subjects", "wall s", "subjects/s",
         "us/subj wall", "us/subj cpu", "cpu/wall");
  /* the batch kernel's variants that this machine runs, each chosen
   * through PK_SIMD (pk_batch_simd), the widest first; the matched-accuracy
   * run with the widest only */
  static const char *ISAS[] = {"avx512", "avx2", "sse2", "generic", "scalar"};
  enum { N_ISA = sizeof ISAS / sizeof ISAS[0] };
  const char *isa[N_ISA];
  int lanes[N_ISA], n_isa = 0;
  char saved[64] = "";
  const char *had = getenv("PK_SIMD");
  if (had) snprintf(saved, sizeof saved, "%s", had);
  for (int v = 0; v < N_ISA; v++) {
    setenv("PK_SIMD", ISAS[v], 1);
    int ln = 0;
    if (strcmp(pk_batch_simd(&ln), ISAS[v]) == 0) isa[n_isa] = ISAS[v], lanes[n_isa++] = ln;
  }
  /* the baseline and the batch engine alternate over ROUNDS blocks of the
   * subjects, so that a change in the machine's speed during the run (a
   * shared cloud host) affects both alike; the ratio is also given per round */
  enum { ROUNDS = 5 };
  rate draw = {0}, base = {0}, base6 = {0}, ex[N_ISA] = {{0}}, exm = {0};
  double checksum = 0.0, round_ratio[N_ISA][ROUNDS], round_ratio6[N_ISA][ROUNDS],
         round_ratio_m[ROUNDS];
  pk_sim_options ex_opt = opt, rk_opt = opt, exm_opt;
  ex_opt.solver = PK_SOLVER_EXACT;
  exm_opt = ex_opt;
  exm_opt.quad_tol = matched_tol;
  for (size_t r = 0; r < ROUNDS; r++) {
    size_t lo = r * n / ROUNDS, hi = (r + 1) * n / ROUNDS;
    rate d, bl;
    double cs;
    bl = time_baseline(sc, pop, lo, hi - lo, n_nodes, w_thr, occ_thr, &d, &cs);
    /* the baseline A as described, 6 nodes, whatever its accuracy */
    double cs6;
    rate d6, b6 = time_baseline(sc, pop, lo, hi - lo, 6, w_thr, occ_thr, &d6, &cs6);
    base6.n += b6.n, base6.wall_s += b6.wall_s, base6.cpu_s += b6.cpu_s;
    for (int v = 0; v < n_isa; v++) {
      setenv("PK_SIMD", isa[v], 1);
      rate e = time_batch(sc, pop, n, ex_opt, r, ROUNDS);
      ex[v].n += e.n, ex[v].wall_s += e.wall_s, ex[v].cpu_s += e.cpu_s;
      round_ratio[v][r] = (bl.cpu_s / (double)bl.n) / (e.cpu_s / (double)e.n);
      round_ratio6[v][r] = (b6.cpu_s / (double)b6.n) / (e.cpu_s / (double)e.n);
      if (v == 0) {
        rate em = time_batch(sc, pop, n, exm_opt, r, ROUNDS);
        exm.n += em.n, exm.wall_s += em.wall_s, exm.cpu_s += em.cpu_s;
        round_ratio_m[r] = (bl.cpu_s / (double)bl.n) / (em.cpu_s / (double)em.n);
      }
    }
    checksum += cs;
    base.n += bl.n, base.wall_s += bl.wall_s, base.cpu_s += bl.cpu_s;
    draw.n += d.n, draw.wall_s += d.wall_s, draw.cpu_s += d.cpu_s;
  }
  if (had) setenv("PK_SIMD", saved, 1);
  else unsetenv("PK_SIMD");
  char label[96];
  snprintf(label, sizeof label, "baseline (%d GL nodes), drawing excluded", n_nodes);
  print_rate(label, base);
  print_rate("  drawing the subjects (not in the above)", draw);
  print_rate("baseline with 6 GL nodes (table (a))", base6);
  rk_opt.solver = PK_SOLVER_ODE;
  rk_opt.method = PK_ODE_RK8PD;
  rk_opt.rtol = 1e-8;
  rk_opt.atol = 1e-11;
  for (int v = 0; v < n_isa; v++) {
    snprintf(label, sizeof label, "pk_batch_run exact, %s x%d (drawing incl.)", isa[v],
             lanes[v]);
    print_rate(label, ex[v]);
  }
  snprintf(label, sizeof label, "pk_batch_run exact, %s, bound %.0e (matched)", isa[0],
           matched_tol);
  print_rate(label, exm);
  rate rk = time_batch(sc, pop, n_rk, rk_opt, 0, 1);
  print_rate("pk_batch_run rk8pd 1e-8/1e-11 (drawing incl.)", rk);
  rate bb = time_baseline_ode(sc, pop, n_rk, ode_rtol, w_thr, occ_thr);
  snprintf(label, sizeof label, "baseline B, GSL driver rk8pd rtol %.0e", ode_rtol);
  print_rate(label, bb);
  printf("\n    batch exact / baseline per round (CPU time, %d rounds alternating):\n", ROUNDS);
  for (int v = 0; v < n_isa; v++) {
    printf("      %-8s x%d                                        ", isa[v], lanes[v]);
    for (int r = 0; r < ROUNDS; r++) printf(" %.3f", round_ratio[v][r]);
    printf("\n");
  }
  printf("    batch exact / baseline A with 6 nodes per round (CPU time):\n");
  for (int v = 0; v < n_isa; v++) {
    printf("      %-8s x%d                                        ", isa[v], lanes[v]);
    for (int r = 0; r < ROUNDS; r++) printf(" %.3f", round_ratio6[v][r]);
    printf("\n");
  }
  printf("      %-8s at matched accuracy (bound %.0e):          ", isa[0], matched_tol);
  for (int r = 0; r < ROUNDS; r++) printf(" %.3f", round_ratio_m[r]);
  printf("\n");
#define US(r, field) ((r).field / (double)(r).n * 1e6)
  printf("\n    ratios of subjects/s (first on wall time, then on CPU time):\n");
  for (int v = 0; v < n_isa; v++) {
    char l2[96];
    snprintf(l2, sizeof l2, "batch exact %s / baseline A", isa[v]);
    print_ratio(l2, US(base, wall_s), US(ex[v], wall_s), US(base, cpu_s), US(ex[v], cpu_s));
    snprintf(l2, sizeof l2, "batch exact %s / baseline A, 6 nodes", isa[v]);
    print_ratio(l2, US(base6, wall_s), US(ex[v], wall_s), US(base6, cpu_s), US(ex[v], cpu_s));
    snprintf(l2, sizeof l2, "batch exact %s / baseline B (GSL driver)", isa[v]);
    print_ratio(l2, US(bb, wall_s), US(ex[v], wall_s), US(bb, cpu_s), US(ex[v], cpu_s));
  }
  print_ratio("batch exact / (baseline A + drawing)", US(base, wall_s) + US(draw, wall_s),
              US(ex[0], wall_s), US(base, cpu_s) + US(draw, cpu_s), US(ex[0], cpu_s));
  print_ratio("batch exact matched accuracy / baseline A", US(base, wall_s), US(exm, wall_s),
              US(base, cpu_s), US(exm, cpu_s));
  print_ratio("batch exact / batch rk8pd", US(rk, wall_s), US(ex[0], wall_s), US(rk, cpu_s),
              US(ex[0], cpu_s));
  print_ratio("baseline A / batch rk8pd", US(rk, wall_s), US(base, wall_s), US(rk, cpu_s),
              US(base, cpu_s));
#undef US
  printf("    (checksum %.6g)\n", checksum);
  pk_population_free(pop);
  pk_scenario_free(sc);
  return 0;
}
