/* bench_format.c - the CSV number writer against the simulation that feeds
 * it: a population of a scenario (default: the shipped kratom taper) run
 * once through the batch engine on one thread, summaries only (the
 * simulation's time), then every value of its trajectories written as
 * CSV rows, subject by subject, by each variant of pk_csv_format_values
 * (baseline, and AVX2 where this build and processor have it) and
 * by printf's "%.12g", each the best of R rounds after one that checks
 * that the variant writes printf's bytes. Times are CPU time of this
 * thread.
 *
 * usage: bench_format [N [SCENARIO [R]]]     (defaults 1000, kratom-taper, 5) */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "bench_common.h"
#include "numfmt.h"
#include "pk/pk.h"

static double cpu_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void die(const char *what, const pk_error *err) {
  char buf[1024];
  pk_error_format(err, buf, sizeof buf);
  fprintf(stderr, "bench_format: %s: %s\n", what, buf);
  exit(1);
}

/* every subject's rows, one after another */
typedef struct rows {
  double *v;
  size_t n, cap, cols;
} rows;

static int keep_rows(void *ctx, const pk_subject_result *r) {
  rows *k = ctx;
  if (!r->trajectory) return 1;
  size_t m = pk_trajectory_rows(r->trajectory) * pk_trajectory_cols(r->trajectory);
  k->cols = pk_trajectory_cols(r->trajectory);
  if (k->n + m > k->cap) {
    size_t cap = 2 * (k->n + m);
    double *v = realloc(k->v, cap * sizeof *v);
    if (!v) return 1;
    k->v = v, k->cap = cap;
  }
  memcpy(k->v + k->n, pk_trajectory_data(r->trajectory), m * sizeof *k->v);
  k->n += m;
  return 0;
}

static double run_batch(pk_batch *b, int trajectories, rows *k) {
  pk_batch_run_options o = pk_batch_run_options_default();
  o.threads = 1;
  o.want_trajectories = trajectories;
  o.on_subject = trajectories ? keep_rows : NULL;
  o.ctx = k;
  pk_batch_report rep;
  pk_error err;
  double t0 = cpu_s();
  if (pk_batch_run(b, &o, &rep, &err) != PK_OK || rep.failed) die("run", &err);
  return cpu_s() - t0;
}

/* Writes the rows as CSV text with variant v (-1: printf), subject by
 * subject into the same buffer of one subject's text (as pk population
 * does, so that the memory traffic is a subject's, not the whole run's):
 * every row the subject's number, then its values (pk_csv_format_rows,
 * one call per subject), each subject's text compared with want (when
 * given, as printf wrote it) or copied there (v -1). The total length, or
 * 0 on a difference. */
static size_t write_all(int v, const rows *k, size_t per_subject, char *buf, char *want) {
  size_t total = 0;
  for (size_t s0 = 0; s0 < k->n; s0 += per_subject) {
    char id[32];
    size_t head = (size_t)snprintf(id, sizeof id, "%zu", s0 / per_subject);
    char *p = buf;
    if (v < 0) {
      for (size_t i = s0; i < s0 + per_subject; i += k->cols) {
        p += sprintf(p, "%s", id);
        for (size_t j = 0; j < k->cols; j++) p += sprintf(p, ",%.12g", k->v[i + j]);
        *p++ = '\n';
      }
    } else {
      p += pk_numfmt_rows_with(v, k->v + s0, per_subject / k->cols, k->cols, id, head, 0, p);
    }
    size_t len = (size_t)(p - buf);
    if (v < 0) memcpy(want + total, buf, len);
    else if (want && memcmp(want + total, buf, len) != 0) return 0;
    total += len;
  }
  return total;
}

int main(int argc, char **argv) {
  size_t n = argc > 1 ? (size_t)atol(argv[1]) : 1000;
  const char *scenario = argc > 2 ? argv[2] : PK_MODELS_DIR "/scenarios/kratom-taper.json";
  int rounds = argc > 3 ? atoi(argv[3]) : 5;
  bench_print_machine();
  pk_error err;
  pk_scenario *s = NULL;
  if (n < 1 || rounds < 1 || pk_scenario_load(scenario, &s, &err) != PK_OK) die(scenario, &err);
  pk_population *pop = bench_population(pk_scenario_model(s), &err);
  if (!pop) die("population", &err);
  pk_batch_spec spec = pk_batch_spec_default();
  spec.model = pk_scenario_model(s);
  spec.regimen = pk_scenario_regimen(s);
  spec.options = pk_scenario_options(s);
  spec.population = pop;
  spec.n_subjects = n;
  spec.seed = 1;
  pk_batch *b = NULL;
  if (pk_batch_new(&spec, &b, &err) != PK_OK) die("batch", &err);
  rows k = {0};
  run_batch(b, 1, &k);
  double sim = 1e300;
  for (int r = 0; r < rounds; r++) sim = fmin(sim, run_batch(b, 0, NULL));
  printf("scenario %s: %zu subjects, %zu numbers (%zu columns a row)\n", pk_scenario_name(s), n,
         k.n, k.cols);
  printf("simulation, summaries only, one thread: %.3f s CPU, %.2f ns per number written\n", sim,
         sim / (double)k.n * 1e9);
  size_t per = k.n / n; /* numbers per subject (the same grid for all) */
  char *want = malloc(k.n * 32 + (k.n / k.cols) * 32),
       *buf = malloc((per / k.cols) * PK_CSV_ROW_MAX(k.cols, 32));
  if (!want || !buf) return 1;
  size_t wl = write_all(-1, &k, per, buf, want);
  static const char *names[] = {"printf %.12g", "baseline", "AVX2"};
  printf("%-13s %12s %14s %14s\n", "writer", "ns/number", "s CPU (all)", "/ simulation");
  for (int v = -1; v < 2; v++) {
    if (v >= 0 && pk_numfmt_format_with(v, k.v, 1, 0, buf) == (size_t)-1) continue;
    double best = 1e300;
    for (int r = 0; r < (v < 0 ? 1 : rounds + 1); r++) {
      double t0 = cpu_s();
      size_t len = write_all(v, &k, per, buf, r == 0 ? want : NULL);
      double t = cpu_s() - t0;
      if (v >= 0 && r == 0) {
        if (len != wl) {
          fprintf(stderr, "bench_format: %s writes other text than printf\n", names[v + 1]);
          return 1;
        }
        continue; /* the round that compares is not timed */
      }
      best = fmin(best, t);
    }
    printf("%-13s %12.2f %14.3f %14.2f\n", names[v + 1], best / (double)k.n * 1e9, best,
           best / sim);
  }
  free(want);
  free(buf);
  free(k.v);
  pk_batch_free(b);
  pk_population_free(pop);
  pk_scenario_free(s);
  return 0;
}
