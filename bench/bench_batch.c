/* bench_batch.c - throughput and peak memory of the batch engine on a
 * population of a scenario (default: the shipped kratom taper, 35 days
 * hourly, three doses a day), for the exact path (the batch kernel), the
 * GSL driver with rk8pd and with msbdf, each at the tolerance that reaches
 * about 1e-8 (rk8pd 1e-8, msbdf 1e-13); one thread and all threads; summaries only, and summaries
 * with every value of every subject held (as for percentiles, written to
 * /dev/null). Each case runs in a fresh process, so that its peak resident
 * memory (getrusage ru_maxrss) is its own.
 *
 * usage: bench_batch [N [SCENARIO [N_MSBDF]]]     (defaults 10000, kratom-taper, N/100)
 *        bench_batch --case PATH THREADS MODE N SCENARIO
 *                                  one case: PATH exact|rk8pd|msbdf, THREADS (0: all),
 *                                  MODE summary|full; prints "subjects/s maxrss_kB"
 */
#define _POSIX_C_SOURCE 200809L
#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "bench_common.h"
#include "pk/pk.h"

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void die(const char *what, const pk_error *err) {
  char buf[1024];
  pk_error_format(err, buf, sizeof buf);
  fprintf(stderr, "bench_batch: %s: %s\n", what, buf);
  exit(1);
}

static pk_population *population(const pk_model *m) {
  pk_error err;
  pk_population *p = bench_population(m, &err);
  if (!p) die("population", &err);
  return p;
}

static void set_path(pk_sim_options *o, const char *path) {
  if (strcmp(path, "exact") == 0) {
    o->solver = PK_SOLVER_EXACT;
    return;
  }
  /* each at the tolerance that reaches about 1e-8 against the reference
   * (the largest decade that does): rk8pd 1e-8 gives 7e-9; msbdf needs
   * 1e-13 (1e-12 gives 4.5e-8) */
  o->solver = PK_SOLVER_ODE;
  int bdf = strcmp(path, "msbdf") == 0;
  o->method = bdf ? PK_ODE_MSBDF : PK_ODE_RK8PD;
  o->rtol = bdf ? 1e-13 : 1e-8;
  o->atol = bdf ? 1e-15 : 1e-11;
}

static int run_case(const char *path, int threads, const char *mode, size_t n,
                    const char *scenario) {
  pk_error err;
  pk_scenario *s = NULL;
  if (pk_scenario_load(scenario, &s, &err) != PK_OK) die(scenario, &err);
  pk_population *pop = population(pk_scenario_model(s));
  pk_batch_spec spec = pk_batch_spec_default();
  spec.model = pk_scenario_model(s);
  spec.regimen = pk_scenario_regimen(s);
  spec.options = pk_scenario_options(s);
  set_path(&spec.options, path);
  spec.population = pop;
  spec.n_subjects = n;
  spec.seed = 1;
  pk_batch *b = NULL;
  if (pk_batch_new(&spec, &b, &err) != PK_OK) die("batch", &err);
  pk_batch_run_options o = pk_batch_run_options_default();
  o.threads = threads;
  o.keep_values = strcmp(mode, "full") == 0;
  pk_batch_report rep;
  double t0 = now_s();
  if (pk_batch_run(b, &o, &rep, &err) != PK_OK) die("run", &err);
  if (o.keep_values) {
    const double lv[3] = {5, 50, 95};
    FILE *f = fopen("/dev/null", "w");
    if (!f || pk_batch_write_percentiles(b, lv, 3, f, &err) != PK_OK) die("percentiles", &err);
    fclose(f);
  }
  double dt = now_s() - t0;
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  printf("%.1f %ld %d %zu\n", (double)rep.done / dt, ru.ru_maxrss, rep.threads, rep.failed);
  pk_batch_free(b);
  pk_population_free(pop);
  pk_scenario_free(s);
  return rep.done == n ? 0 : 1;
}

/* Largest relative difference (floor 1e-12) of the typical subject's output
 * on this path, as the batch engine computes it, from a reference ODE run
 * at rtol 1e-13. */
static double accuracy(const pk_scenario *s, const char *path) {
  pk_error err;
  pk_sim_options ref = pk_scenario_options(s);
  ref.solver = PK_SOLVER_ODE;
  ref.rtol = 1e-13;
  ref.atol = 1e-15;
  pk_trajectory *r = NULL;
  if (pk_simulate(pk_scenario_model(s), pk_scenario_regimen(s), &ref, &r, &err) != PK_OK)
    die("accuracy", &err);
  pk_sim_options o = pk_scenario_options(s);
  set_path(&o, path);
  bench_rows k;
  if (bench_batch_rows(s, o, &k, &err) != PK_OK) die("accuracy", &err);
  size_t n = pk_trajectory_rows(r) * pk_trajectory_cols(r);
  const double *y = pk_trajectory_data(r);
  double worst = 0;
  for (size_t i = 0; i < n && i < k.n; i++)
    worst = fmax(worst, fabs(k.v[i] - y[i]) / (fabs(y[i]) + 1e-12));
  free(k.v);
  pk_trajectory_free(r);
  return worst;
}

int main(int argc, char **argv) {
  gsl_set_error_handler_off();
  if (argc == 7 && strcmp(argv[1], "--case") == 0)
    return run_case(argv[2], atoi(argv[3]), argv[4], (size_t)atol(argv[5]), argv[6]);
  size_t n = argc > 1 ? (size_t)atol(argv[1]) : 10000;
  const char *scenario = argc > 2 ? argv[2] : PK_MODELS_DIR "/scenarios/kratom-taper.json";
  bench_print_machine();
  size_t n_msbdf = argc > 3 ? (size_t)atol(argv[3]) : (n / 100 ? n / 100 : 1);
  pk_error err;
  pk_scenario *s = NULL;
  if (n < 1 || pk_scenario_load(scenario, &s, &err) != PK_OK) die(scenario, &err);
  pk_trajectory *t = NULL;
  if (pk_scenario_simulate(s, &t, &err) != PK_OK) die("typical subject", &err);
  printf("scenario %s: %zu output rows x %zu columns; population of %zu subjects (msbdf: %zu);"
         " %d threads available\n",
         pk_scenario_name(s), pk_trajectory_rows(t), pk_trajectory_cols(t), n, n_msbdf,
         pk_batch_max_threads());
  pk_trajectory_free(t);
  printf("%-7s %-13s %7s %-8s %9s %12s %14s %13s\n", "path", "rtol/atol", "threads", "mode",
         "subjects", "subjects/s", "peak RSS MB", "max rel err");
  const char *paths[] = {"exact", "rk8pd", "msbdf"};
  const char *modes[] = {"summary", "full"};
  char self[4096];
  ssize_t len = readlink("/proc/self/exe", self, sizeof self - 1);
  if (len <= 0) return 1;
  self[len] = '\0';
  for (int p = 0; p < 3; p++) {
    double acc = accuracy(s, paths[p]);
    size_t np = p == 2 ? n_msbdf : n;
    for (int th = 1; th >= 0; th--)
      for (int md = 0; md < 2; md++) {
        char nbuf[32], tbuf[8];
        snprintf(nbuf, sizeof nbuf, "%zu", np);
        snprintf(tbuf, sizeof tbuf, "%d", th);
        int fd[2];
        if (pipe(fd) != 0) return 1;
        fflush(stdout);
        pid_t pid = fork();
        if (pid == 0) {
          dup2(fd[1], 1);
          close(fd[0]);
          execl(self, self, "--case", paths[p], tbuf, modes[md], nbuf, scenario, (char *)NULL);
          _exit(127);
        }
        close(fd[1]);
        char out[256] = "";
        FILE *f = fdopen(fd[0], "r");
        if (!f || !fgets(out, sizeof out, f)) out[0] = '\0';
        if (f) fclose(f);
        int status = 0;
        waitpid(pid, &status, 0);
        double rate = 0;
        long rss = 0;
        int threads = 0;
        if (sscanf(out, "%lf %ld %d", &rate, &rss, &threads) != 3 || !WIFEXITED(status) ||
            WEXITSTATUS(status) != 0) {
          fprintf(stderr, "bench_batch: case %s %s %s failed\n", paths[p], tbuf, modes[md]);
          return 1;
        }
        printf("%-7s %-13s %7d %-8s %9zu %12.1f %14.1f %13.2e\n", paths[p],
               p == 0 ? "-" : p == 1 ? "1e-8/1e-11" : "1e-13/1e-15", threads, modes[md], np, rate, (double)rss / 1024.0,
               acc);
        fflush(stdout);
      }
  }
  pk_scenario_free(s);
  return 0;
}
