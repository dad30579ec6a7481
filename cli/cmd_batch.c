/* cmd_batch.c - pk population and pk sweep: many subjects of a scenario,
 * simulated on several threads (and shards or MPI ranks), one summary row
 * per subject streamed to the output in subject order, optionally
 * percentiles across subjects and every trajectory. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <cjson/cJSON.h>
#include "cli.h"
#ifdef PK_WITH_MPI
#include "batch_mpi.h"
#endif

static const char HELP_POPULATION[] =
    "usage: pk population [SCENARIO] (-n N [--seed S] [--spec POP.json] |\n"
    "                                 --events DATA.csv)\n"
    "                     [-o SUMMARY.csv] [--percentiles PCT.csv [--levels 5,50,95]]\n"
    "                     [--trajectories ALL.csv|ALL.npy] [--threads T]\n"
    "                     [--shard K/N | --mpi] [--summary-percentiles SPCT.csv]\n"
    "                     [--w-threshold X] [--occ-threshold Y]\n"
    "                     [--plot IMAGE] [--exact-extrema] [--nca] [--no-metadata]\n"
    "                     [--set KEY=VALUE ...] [--quiet]\n"
    "\n"
    "Simulates N subjects of SCENARIO (default: the shipped kratom taper) drawn\n"
    "from a population: log-normal variability of parameters with a full\n"
    "covariance matrix, and body weight with allometric scaling\n"
    "(docs/population.md). The population is the scenario's \"population\" block,\n"
    "or the file given with --spec. Subject i is a function of (S, i) alone:\n"
    "results do not depend on threads, shards or ranks.\n"
    "\n"
    "  --events DATA.csv  the subjects of a NONMEM-style event dataset instead\n"
    "                of drawn ones: each subject's records (its doses, resets,\n"
    "                parameter columns) with the scenario's model and output grid,\n"
    "                as pk simulate --events runs it (docs/event-datasets.md); the\n"
    "                id column holds the dataset's ID. The file is read subject by\n"
    "                subject: memory does not grow with its size. An error in\n"
    "                the file stops the run and no output is written\n"
    "\n"
    "  --plot IMAGE  draw the percentiles across subjects with gnuplot (.png or\n"
    "                .svg): the median and the band from the lowest to the highest\n"
    "                level (5-95 %% by default) of concentrations, occupancy, E,\n"
    "                tol and W (with the symptom threshold), the doses marked;\n"
    "                each day's range for runs longer than 14 days (pk plot\n"
    "                PCT.csv draws a --percentiles file with more choices)\n";

static const char HELP_SWEEP[] =
    "usage: pk sweep [SCENARIO] --param NAME=VALUES [--param ...] [--lhs N --seed S]\n"
    "                [-o SUMMARY.csv] [--percentiles PCT.csv [--levels 5,50,95]]\n"
    "                [--trajectories ALL.csv|ALL.npy] [--threads T] [--shard K/N | --mpi]\n"
    "                [--w-threshold X] [--occ-threshold Y] [--plot IMAGE [--heatmap]]\n"
    "                [--summary-percentiles SPCT.csv] [--exact-extrema] [--nca]\n"
    "                [--no-metadata] [--set KEY=VALUE ...] [--quiet]\n"
    "\n"
    "Simulates SCENARIO (default: the shipped kratom taper) at every point of a\n"
    "grid over the --param axes (the last varying fastest), or at N points of a\n"
    "Latin hypercube over their ranges drawn from seed S (default 1).\n"
    "\n"
    "  NAME    <compound>.<KEY>  a compound parameter, by compound id or name and\n"
    "                            model-file key: mitragynine.CL, mg.V, 7oh.ka ...\n"
    "          k_tol             the receptor's adaptation rate (1/h)\n"
    "          k_wx, k_wf        its withdrawal expression and fast-follower\n"
    "                            rates (1/h)\n"
    "          immediate         the immediate share of W\n"
    "          tol0              the initial adaptation level\n"
    "          dose              a multiplier on every dose (and the steady-state\n"
    "                            history)\n"
    "          dose.<compound>   a multiplier on every dose of one compound\n"
    "  VALUES  LO:HI:N           N evenly spaced values from LO to HI\n"
    "          LO:HI:N:log       N values evenly spaced on a log scale\n"
    "          V1,V2,...         these values\n"
    "          LO:HI[:log]       a range, for --lhs (N, if given, is ignored)\n"
    "\n"
    "  --plot IMAGE  draw the summary with gnuplot (.png or .svg): Cmax and Cmin,\n"
    "                occupancy, E_max and W_max (with the symptom threshold)\n"
    "                against the first setting that varies; over two settings,\n"
    "                Cmax, occ_max and W_max with one curve per value of the\n"
    "                second (pk plot SUMMARY.csv draws it with more choices)\n"
    "  --heatmap     with --plot over two settings: a heat map of W_max\n";

static const char HELP_COMMON[] =
    "\n"
    "Output: one summary row per subject in subject order (id, status ok/failed,\n"
    "the subject's settings, then per compound Cmax, Tmax, Cmin after the first\n"
    "dose, AUC over the output times, then occ_min, occ_max, E_max, W_max, hours\n"
    "with W above X and with occupancy above Y, [with --nca: per compound\n"
    "AUCinf, lambda_z, t_half and r2 of the terminal phase], then fail_t_h and\n"
    "reason). Values are on the output grid unless --exact-extrema. A\n"
    "subject that fails is reported with its reason and the others go on.\n"
    "Summaries are streamed: memory grows with threads, not subjects.\n"
    "\n"
    "  -o, --output FILE     the summary CSV (default or -: standard output)\n"
    "      --percentiles F   percentiles across subjects of every output column at\n"
    "                        every time (time_h, n, <col>_p<level>...); holds every\n"
    "                        value: subjects x times x columns x 8 bytes\n"
    "      --summary-percentiles F  across the subjects that succeeded, per summary\n"
    "                        column (Cmax_<id>, AUC_<id>, occ_max, W_max, ...): n,\n"
    "                        mean, sd and the percentiles of --levels; holds\n"
    "                        subjects x columns x 8 bytes (not with --mpi or --shard)\n"
    "      --levels L,...    percentile levels in percent (default 5,50,95)\n"
    "      --trajectories F  every subject's trajectory (an id column first); F\n"
    "                        ending in .npy: a NumPy file instead, an array of\n"
    "                        records (subject, time_h, the output columns) with\n"
    "                        the exact doubles, for numpy.load (docs/population.md)\n"
    "      --threads T       threads (default: all cores, or OMP_NUM_THREADS)\n"
    "      --shard K/N       run only shard K (0-based) of N: the contiguous block\n"
    "                        of subjects [K*n/N, (K+1)*n/N); the shards' outputs,\n"
    "                        headers dropped after the first, concatenate to the\n"
    "                        output of one run (no --percentiles)\n"
    "      --mpi             split the subjects across the MPI ranks of mpirun\n"
    "                        (rank 0 writes; MPI builds only; no --trajectories)\n"
    "      --w-threshold X   W threshold of h_W_above_X (default: the receptor's\n"
    "                        symptom threshold, withdrawal.threshold; 0.02\n"
    "                        without one)\n"
    "      --occ-threshold Y occupancy threshold of h_occ_above_Y (default 0.1)\n"
    "      --exact-extrema   Cmax/Tmax per compound, occ_max, E_max and W_max\n"
    "                        from the continuous solution (to 1e-6 h) instead of\n"
    "                        the output grid; each subject is simulated again over\n"
    "                        the grid intervals around its peaks (about 50 times\n"
    "                        the cost: bench/README.md)\n"
    "      --nca             add AUCinf_<id>, lambda_z_<id> (1/h), t_half_<id> (h)\n"
    "                        and r2_<id>: the terminal phase over the whole output,\n"
    "                        the window chosen as pk nca does (best adjusted r2;\n"
    "                        empty when no declining tail exists); and Cmax, Tmax\n"
    "                        and AUC of the first and the last dosing interval\n"
    "                        (Cmax_first_<id>, ..., AUC_last_<id>) as pk nca's\n"
    "                        first and last rows\n"
    "      --no-metadata     no NAME.meta.json beside the -o file (pk version,\n"
    "                        command line, scenario and model files with SHA-256,\n"
    "                        solver, seed, settings, what the summary holds)\n"
CLI_SET_HELP
    "  -q, --quiet           no progress bar (shown only on a terminal anyway)\n"
    "  -h, --help            this text\n"
    "\n"
    "Files are written to a temporary name and renamed when the run is complete:\n"
    "an error or Ctrl-C leaves no partial file and keeps any previous one\n"
    "(standard output cannot be taken back). Exit status 0 (even if some\n"
    "subjects failed: see the status column), 1 on errors, 130 when interrupted.\n";

enum { MAX_LEVELS = 32, MAX_PARAMS = 32 };

typedef struct batch_args {
  int sweep;
  const char *events; /* pk population --events: the dataset's subjects */
  const char *scenario, *spec, *output, *pct_path, *traj_path, *sumpct_path, *plot;
  int heatmap;
  size_t n;
  uint64_t seed;
  int traj_npy; /* --trajectories FILE.npy */
  int threads, use_mpi, quiet;
  size_t shard_k, shard_n;
  double w_thr, occ_thr;
  double levels[MAX_LEVELS];
  size_t nl;
  const char *params[MAX_PARAMS];
  size_t n_params;
  size_t lhs_n;
  cli_settings set;
  int exact_extrema, nca, no_meta;
  char sidecar[4200]; /* -o FILE's metadata, or "" */
} batch_args;

/* ---- output files: written to a temporary name, renamed on success ---- */

typedef struct out_file {
  const char *path;
  pk_output *out; /* NULL: standard output */
  FILE *f;
} out_file;

static int out_open(out_file *o, const char *path) {
  o->path = path;
  o->out = NULL;
  o->f = NULL;
  if (!path) {
    o->f = stdout;
    return 0;
  }
  pk_error err;
  if (pk_output_open(path, &o->out, &err) != PK_OK) {
    cli_report(&err);
    return 1;
  }
  o->f = pk_output_stream(o->out);
  return 0;
}

static void out_discard(out_file *o) {
  pk_output_discard(o->out);
  o->out = NULL;
  o->f = NULL;
}

static int out_commit(out_file *o) {
  if (!o->f) return 0;
  o->f = NULL;
  if (!o->out)
    return fflush(stdout) != 0 || ferror(stdout) ? cli_fail("cannot write to standard output")
                                                 : 0;
  pk_error err;
  pk_status st = pk_output_commit(o->out, &err);
  o->out = NULL;
  if (st == PK_OK) return 0;
  cli_report(&err);
  return 1;
}

/* ---- Ctrl-C ---- */

static volatile sig_atomic_t g_interrupted = 0;

/* The first SIGINT, SIGTERM or SIGHUP stops the run (the outputs are then
 * discarded); a second one ends pk at once, removing its temporary files. */
static void on_sigint(int sig) {
  (void)sig;
  g_interrupted = 1;
  struct sigaction sa, old;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = cli_signal_cleanup_handler;
  sigemptyset(&sa.sa_mask);
  static const int sigs[] = {SIGINT, SIGTERM, SIGHUP};
  for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
    if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler == on_sigint)
      sigaction(sigs[i], &sa, NULL);
}

static int should_stop(void *ctx) {
  (void)ctx;
  return g_interrupted != 0;
}

/* ---- the run ---- */

typedef struct run_ctx {
  const batch_args *a;
  pk_batch *b;
  out_file sum, traj;
  pk_npy_writer *npy; /* --trajectories FILE.npy */
  char *buf;
  size_t cap;
  int io_error;
  const char *io_path; /* the file whose write failed, if not the summary */
  pk_dataset_reader *reader; /* --events */
  pk_dataset *subject;       /* the subject the source gave last */
  pk_regimen *subject_reg;
  pk_sim_options base;
  int show_progress;
  double t0, last_draw;
  size_t n_total; /* subjects of the whole run, for the progress bar */
  int rank, size; /* MPI, or 0 and 1 */
  int remote_stopped, protocol_error;
  size_t failed_remote;
  double *kept;      /* --summary-percentiles: the values of every subject that succeeded */
  size_t n_kept, cap_kept;
  FILE *copy;           /* pk sweep --plot: the summary, also in a temporary file */
  char copy_path[4200];
} run_ctx;

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static const char *format_row(run_ctx *c, const pk_subject_result *r, size_t *len) {
  int need = pk_batch_format_row(c->b, r, c->buf, c->cap);
  if (need >= 0 && (size_t)need >= c->cap) {
    size_t cap = (size_t)need + 256;
    char *p = realloc(c->buf, cap);
    if (!p) return NULL;
    c->buf = p;
    c->cap = cap;
    need = pk_batch_format_row(c->b, r, c->buf, c->cap);
  }
  *len = (size_t)need;
  return c->buf;
}

/* A subject's trajectory as written: CSV text (an id column first), or
 * .npy records. */
typedef struct traj_block {
  size_t len;
  char data[];
} traj_block;

/* pk_batch_run_options.prepare: the trajectory formatted on the worker
 * thread that simulated it, so that formatting runs on every thread (NULL:
 * none, or out of memory; write_trajectory then formats it itself). */
static void *format_trajectory(void *ctx, const pk_subject_result *r) {
  (void)ctx;
  const pk_trajectory *t = r->trajectory;
  if (!t) return NULL;
  size_t nr = pk_trajectory_rows(t), nc = pk_trajectory_cols(t);
  const double *d = pk_trajectory_data(t);
  char num[32];
  const char *id = r->id;
  if (!id) snprintf(num, sizeof num, "%zu", r->index), id = num;
  size_t head = strlen(id);
  traj_block *x = malloc(sizeof *x + nr * PK_CSV_ROW_MAX(nc, head));
  if (!x) return NULL;
  x->len = pk_csv_format_rows(d, nr, nc, id, head, 0, x->data);
  return x;
}

/* The same for a .npy file: one record per row, the subject's index then
 * the row's values (time_h first), packed on the worker thread too. */
static void *pack_trajectory(void *ctx, const pk_subject_result *r) {
  (void)ctx;
  const pk_trajectory *t = r->trajectory;
  if (!t) return NULL;
  size_t nr = pk_trajectory_rows(t), nc = pk_trajectory_cols(t);
  traj_block *x = malloc(sizeof *x + nr * 8 * (nc + 1));
  if (!x) return NULL;
  x->len = pk_npy_pack_rows((int64_t)r->index, pk_trajectory_data(t), nr, nc, x->data);
  return x;
}

static int write_trajectory(run_ctx *c, const pk_subject_result *r) {
  if (!c->traj.f || !r->trajectory) return 0;
  traj_block *x = r->prepared ? r->prepared
                  : c->npy    ? pack_trajectory(NULL, r)
                              : format_trajectory(NULL, r);
  if (!x) return -1;
  int bad;
  if (c->npy) {
    size_t rec = pk_npy_record_bytes(c->npy);
    bad = x->len % rec != 0 || pk_npy_write(c->npy, x->data, x->len / rec, NULL) != PK_OK;
  } else {
    bad = fwrite(x->data, 1, x->len, c->traj.f) != x->len;
  }
  if (x != r->prepared) free(x);
  return bad || ferror(c->traj.f) ? -1 : 0;
}

/* The trajectories' header: the CSV's column names, or the .npy header
 * (fields subject, time_h and the output columns, named as in the CSV),
 * with room for the row count written when the run is complete. */
static int begin_trajectories(run_ctx *c) {
  size_t no = pk_batch_output_count(c->b);
  if (!c->a->traj_npy) {
    fputs("id,time_h", c->traj.f);
    for (size_t j = 0; j < no; j++) fprintf(c->traj.f, ",%s", pk_batch_output_name(c->b, j));
    fputc('\n', c->traj.f);
    return 0;
  }
  pk_npy_field *f = malloc((no + 2) * sizeof *f);
  if (!f) return cli_fail("out of memory");
  f[0] = (pk_npy_field){"subject", PK_NPY_INT64};
  f[1] = (pk_npy_field){"time_h", PK_NPY_DOUBLE};
  for (size_t j = 0; j < no; j++)
    f[j + 2] = (pk_npy_field){pk_batch_output_name(c->b, j), PK_NPY_DOUBLE};
  pk_error err;
  pk_status st = pk_npy_begin(c->traj.f, f, no + 2, &c->npy, &err);
  free(f);
  if (st != PK_OK) {
    snprintf(err.file, sizeof err.file, "%s", c->a->traj_path);
    cli_report(&err);
    return 1;
  }
  /* numpy.load refuses longer headers unless told (max_header_size) */
  size_t text = pk_npy_header_bytes(c->npy) - (pk_npy_version(c->npy) == 1 ? 10 : 12);
  if (text > 10000 && !c->a->quiet)
    fprintf(stderr, "pk: note: %s: the .npy header holds %zu bytes, more than numpy.load "
            "reads by default (10000): load it with numpy.load(FILE, max_header_size=%zu)\n",
            c->a->traj_path, text, text);
  return 0;
}

/* Writes the .npy file's row count into its header. */
static int finish_trajectories(run_ctx *c) {
  pk_error err;
  pk_status st = pk_npy_finish(c->npy, &err);
  c->npy = NULL;
  if (st == PK_OK) return 0;
  snprintf(err.file, sizeof err.file, "%s", c->a->traj_path);
  cli_report(&err);
  return 1;
}

/* Keeps a successful subject's values for --summary-percentiles. */
static int keep_summary(run_ctx *c, const pk_subject_result *r) {
  if (!c->a->sumpct_path || r->status != PK_OK) return 0;
  size_t nc = pk_batch_column_count(c->b);
  if (c->n_kept == c->cap_kept) {
    size_t cap = c->cap_kept ? 2 * c->cap_kept : 1024;
    double *k = realloc(c->kept, cap * nc * sizeof *k);
    if (!k) return -1;
    c->kept = k;
    c->cap_kept = cap;
  }
  memcpy(c->kept + c->n_kept * nc, r->values, nc * sizeof *c->kept);
  c->n_kept++;
  return 0;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* column,n,mean,sd,p<level>...: per column over the kept subjects (NaN
 * values left out), percentiles between order statistics as R's type 7. */
static int write_summary_percentiles(run_ctx *c, out_file *o) {
  size_t nc = pk_batch_column_count(c->b), n = c->n_kept;
  double *v = malloc((n ? n : 1) * sizeof *v);
  if (!v) return cli_fail("out of memory");
  fputs("column,n,mean,sd", o->f);
  for (size_t l = 0; l < c->a->nl; l++) fprintf(o->f, ",p%g", c->a->levels[l]);
  fputc('\n', o->f);
  for (size_t j = 0; j < nc; j++) {
    size_t m = 0;
    double sum = 0;
    for (size_t i = 0; i < n; i++) {
      double x = c->kept[i * nc + j];
      if (!isnan(x)) v[m++] = x, sum += x;
    }
    fprintf(o->f, "%s,%zu", pk_batch_column_name(c->b, j), m);
    if (m == 0) {
      for (size_t l = 0; l < c->a->nl + 2; l++) fputc(',', o->f);
      fputc('\n', o->f);
      continue;
    }
    double mean = sum / (double)m, ss = 0;
    for (size_t i = 0; i < m; i++) ss += (v[i] - mean) * (v[i] - mean);
    qsort(v, m, sizeof *v, cmp_double);
    fprintf(o->f, ",%.12g,", mean);
    if (m > 1) fprintf(o->f, "%.12g", sqrt(ss / (double)(m - 1)));
    for (size_t l = 0; l < c->a->nl; l++) {
      double h = (double)(m - 1) * c->a->levels[l] / 100.0;
      size_t lo = (size_t)floor(h), hi = lo + 1 < m ? lo + 1 : lo;
      fprintf(o->f, ",%.12g", v[lo] + (h - (double)lo) * (v[hi] - v[lo]));
    }
    fputc('\n', o->f);
  }
  free(v);
  return ferror(o->f) ? cli_fail("%s: write failed", c->a->sumpct_path) : 0;
}

static int on_subject(void *ctx, const pk_subject_result *r) {
  run_ctx *c = ctx;
  size_t len = 0;
  if (keep_summary(c, r) != 0) {
    c->io_error = 1;
    return 1;
  }
  const char *line = format_row(c, r, &len);
  if (!line) {
    c->io_error = 1;
    return 1;
  }
#ifdef PK_WITH_MPI
  if (c->a->use_mpi && c->rank != 0) {
    if (cli_mpi_send_row(line, len) != 0) c->protocol_error = 1;
    return c->protocol_error;
  }
#endif
  if (fwrite(line, 1, len, c->sum.f) != len ||
      (c->copy && fwrite(line, 1, len, c->copy) != len)) {
    c->io_error = 1;
    return 1;
  }
  if (write_trajectory(c, r) != 0) {
    c->io_error = 1;
    c->io_path = c->a->traj_path;
    return 1;
  }
#ifdef PK_WITH_MPI
  if (c->a->use_mpi) {
    /* rank 0 owns subjects i = size * j; the others' i + 1 ... follow */
    for (int q = 1; q < c->size && r->index + (size_t)q < c->n_total; q++) {
      const char *l2;
      size_t n2;
      int rc = cli_mpi_recv_row(q, &l2, &n2);
      if (rc != 0) {
        if (rc > 0) c->remote_stopped = 1;
        else c->protocol_error = 1;
        return 1;
      }
      if (n2 > 3 && memcmp(strchr(l2, ','), ",failed,", 8) == 0) c->failed_remote++;
      if (fwrite(l2, 1, n2, c->sum.f) != n2) {
        c->io_error = 1;
        return 1;
      }
    }
  }
#endif
  return 0;
}

static void on_progress(void *ctx, size_t done, size_t total) {
  run_ctx *c = ctx;
#ifdef PK_WITH_MPI
  if (c->a->use_mpi && c->rank != 0 && cli_mpi_flush() != 0) c->protocol_error = 1;
#endif
  if (!c->show_progress) return;
  double t = now_s();
  if ((done < total || total == 0) && t - c->last_draw < 0.25) return;
  c->last_draw = t;
  if (total == 0) { /* --events: the count is known at the end */
    fprintf(stderr, "\r%zu subjects, %.1f/s   ", done, (double)done / fmax(t - c->t0, 1e-9));
    fflush(stderr);
    return;
  }
  /* with MPI, rank 0's share stands for the whole run */
  double frac = total ? (double)done / (double)total : 1.0;
  size_t shown = (size_t)(frac * (double)c->n_total + 0.5);
  double rate = (double)shown / fmax(t - c->t0, 1e-9);
  double left = rate > 0 ? (double)(c->n_total - shown) / rate : 0;
  char bar[31];
  int fill = (int)(frac * 30);
  for (int k = 0; k < 30; k++) bar[k] = k < fill ? '#' : ' ';
  bar[30] = '\0';
  fprintf(stderr, "\r[%s] %zu/%zu subjects, %.1f/s, %.0f s left   ", bar, shown, c->n_total,
          rate, left);
  fflush(stderr);
}

/* --events: the dataset's next subject, read from the file as the batch
 * asks (the batch copies it before asking again). */
static pk_status next_subject(void *ctx, size_t index, pk_batch_subject *out, int *end,
                              pk_error *err) {
  run_ctx *c = ctx;
  (void)index;
  pk_dataset_free(c->subject);
  c->subject = NULL;
  pk_status st = pk_dataset_reader_next(c->reader, &c->subject, err);
  if (st != PK_OK) return st;
  if (!c->subject) {
    *end = 1;
    return PK_OK;
  }
  cli_print_dataset_warnings(c->subject);
  st = pk_dataset_subject_run(c->subject, 0, &c->base, c->subject_reg, &out->options, err);
  if (st != PK_OK) return st;
  out->model = pk_dataset_subject_model(c->subject, 0);
  out->regimen = c->subject_reg;
  out->id = pk_dataset_subject_id(c->subject, 0);
  return PK_OK;
}

/* ---- arguments ---- */

static int parse_size(const char *opt, const char *s, size_t lo, size_t hi, size_t *out) {
  char *end;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 10);
  if (end == s || *end || errno || s[0] == '-' || v < lo || v > hi)
    return cli_fail("%s: expected a whole number in [%zu, %zu], got '%s'", opt, lo, hi, s);
  *out = (size_t)v;
  return 0;
}

static int parse_double(const char *opt, const char *s, double *out) {
  char *end;
  errno = 0;
  double v = strtod(s, &end);
  if (end == s || *end || errno || !isfinite(v))
    return cli_fail("%s: expected a number, got '%s'", opt, s);
  *out = v;
  return 0;
}

static int parse_levels(const char *s, batch_args *a) {
  a->nl = 0;
  const char *q = s;
  while (*q) {
    if (a->nl >= MAX_LEVELS) return cli_fail("--levels: at most %d levels", MAX_LEVELS);
    char *end;
    errno = 0;
    double v = strtod(q, &end);
    if (end == q || errno || !(v >= 0 && v <= 100) || (*end && *end != ','))
      return cli_fail("--levels: expected percent levels in [0, 100] separated by commas, "
                      "got '%s'", s);
    a->levels[a->nl++] = v;
    q = *end ? end + 1 : end;
  }
  return a->nl ? 0 : cli_fail("--levels: no level given");
}

static int parse_shard(const char *s, batch_args *a) {
  unsigned long long k, n;
  char tail;
  if (sscanf(s, "%llu/%llu%c", &k, &n, &tail) != 2 || n < 1 || k >= n || n > 1000000 ||
      strchr(s, '-'))
    return cli_fail("--shard: expected K/N with 0 <= K < N (such as 0/4), got '%s'", s);
  a->shard_k = (size_t)k;
  a->shard_n = (size_t)n;
  return 0;
}

enum { OPT_EVENTS = 250, OPT_SEED = 256, OPT_SPEC, OPT_PCT, OPT_LEVELS, OPT_TRAJ, OPT_THREADS, OPT_SHARD,
       OPT_MPI, OPT_WTHR, OPT_OTHR, OPT_PARAM, OPT_LHS, OPT_SET, OPT_SUMPCT, OPT_PLOT,
       OPT_HEAT, OPT_EXACT, OPT_NCA, OPT_NOMETA };

/* Returns 0 to go on, 1 or 2 (exit status) to stop, -1 after --help. */
static int parse_args(int argc, char **argv, batch_args *a) {
  static const struct option opts[] = {
      {"subjects", required_argument, 0, 'n'}, {"seed", required_argument, 0, OPT_SEED},
      {"spec", required_argument, 0, OPT_SPEC}, {"output", required_argument, 0, 'o'},
      {"events", required_argument, 0, OPT_EVENTS},
      {"percentiles", required_argument, 0, OPT_PCT},
      {"summary-percentiles", required_argument, 0, OPT_SUMPCT},
      {"levels", required_argument, 0, OPT_LEVELS},
      {"trajectories", required_argument, 0, OPT_TRAJ},
      {"threads", required_argument, 0, OPT_THREADS},
      {"shard", required_argument, 0, OPT_SHARD}, {"mpi", no_argument, 0, OPT_MPI},
      {"w-threshold", required_argument, 0, OPT_WTHR},
      {"occ-threshold", required_argument, 0, OPT_OTHR},
      {"param", required_argument, 0, OPT_PARAM}, {"lhs", required_argument, 0, OPT_LHS},
      {"set", required_argument, 0, 'S'},
      {"plot", required_argument, 0, OPT_PLOT}, {"heatmap", no_argument, 0, OPT_HEAT},
      {"exact-extrema", no_argument, 0, OPT_EXACT}, {"nca", no_argument, 0, OPT_NCA},
      {"no-metadata", no_argument, 0, OPT_NOMETA},
      {"quiet", no_argument, 0, 'q'}, {"help", no_argument, 0, 'h'}, {0, 0, 0, 0}};
  const char *help = a->sweep ? HELP_SWEEP : HELP_POPULATION;
  int c, n_given = 0, seed_given = 0;
  size_t tmp = 0;
  optind = 1;
  while ((c = cli_getopt(argc, argv, "n:o:S:qh", opts)) != -1) {
    int bad = 0;
    switch (c) {
    case 'n':
      bad = parse_size("-n", optarg, 1, (size_t)1e12, &a->n);
      n_given = 1;
      break;
    case OPT_SEED: {
      char *end;
      errno = 0;
      unsigned long long v = strtoull(optarg, &end, 0);
      if (end == optarg || *end || errno || optarg[0] == '-')
        bad = cli_fail("--seed: expected a whole number >= 0, got '%s'", optarg);
      a->seed = (uint64_t)v;
      seed_given = 1;
      break;
    }
    case OPT_EVENTS: a->events = optarg; break;
    case OPT_SPEC: a->spec = optarg; break;
    case 'o': a->output = cli_output_arg(optarg); break;
    case OPT_PCT: a->pct_path = optarg; break;
    case OPT_SUMPCT: a->sumpct_path = optarg; break;
    case OPT_LEVELS: bad = parse_levels(optarg, a); break;
    case OPT_TRAJ: a->traj_path = optarg; break;
    case OPT_THREADS:
      bad = parse_size("--threads", optarg, 0, 4096, &tmp);
      a->threads = (int)tmp;
      break;
    case OPT_SHARD: bad = parse_shard(optarg, a); break;
    case OPT_MPI: a->use_mpi = 1; break;
    case OPT_WTHR: bad = parse_double("--w-threshold", optarg, &a->w_thr); break;
    case OPT_OTHR: bad = parse_double("--occ-threshold", optarg, &a->occ_thr); break;
    case OPT_PARAM:
      if (a->n_params >= MAX_PARAMS) bad = cli_fail("--param: at most %d axes", MAX_PARAMS);
      else a->params[a->n_params++] = optarg;
      break;
    case OPT_LHS: bad = parse_size("--lhs", optarg, 1, 100000000, &a->lhs_n); break;
    case 'S': bad = cli_settings_add(&a->set, optarg); break;
    case OPT_PLOT: a->plot = optarg; break;
    case OPT_HEAT: a->heatmap = 1; break;
    case OPT_EXACT: a->exact_extrema = 1; break;
    case OPT_NCA: a->nca = 1; break;
    case OPT_NOMETA: a->no_meta = 1; break;
    case 'q': a->quiet = 1; break;
    case 'h':
      fputs(help, stdout);
      fputs(HELP_COMMON, stdout);
      return -1;
    default: cli_usage_error(help); return 2;
    }
    if (bad) return 2;
  }
  if (argc - optind > 1) {
    cli_fail("%s takes one scenario file, got %d arguments", argv[0], argc - optind);
    cli_usage_error(help);
    return 2;
  }
  a->scenario = optind < argc ? argv[optind] : NULL;
  if (a->traj_path) {
    size_t len = strlen(a->traj_path);
    a->traj_npy = len >= 4 && strcmp(a->traj_path + len - 4, ".npy") == 0;
  }
  if (a->sweep) {
    if (a->events) return cli_fail("--events is for pk population (and pk simulate)"), 2;
    if (a->n_params == 0) return cli_fail("sweep: give at least one --param NAME=VALUES"), 2;
    if (n_given || a->spec) return cli_fail("sweep: -n and --spec are for pk population"), 2;
  } else if (a->events) {
    if (n_given || a->spec || seed_given)
      return cli_fail("population --events: the subjects are the dataset's; -n, --seed and "
                      "--spec are for drawn subjects"), 2;
    if (a->n_params || a->lhs_n)
      return cli_fail("population: --param and --lhs are for pk sweep"), 2;
    if (a->shard_n > 1 || a->use_mpi)
      return cli_fail("population --events reads the dataset in one pass: not with --shard "
                      "or --mpi"), 2;
  } else {
    if (!n_given) return cli_fail("population: give the number of subjects with -n N"), 2;
    if (a->n_params || a->lhs_n)
      return cli_fail("population: --param and --lhs are for pk sweep"), 2;
  }
  if (a->shard_n > 1 && a->use_mpi) return cli_fail("give --shard or --mpi, not both"), 2;
  if (a->pct_path && a->shard_n > 1)
    return cli_fail("--percentiles needs every subject in one run: not with --shard (use "
                    "--mpi, or one process)"), 2;
  if (a->traj_path && a->use_mpi) return cli_fail("--trajectories is not available with --mpi"), 2;
  if (a->sumpct_path && (a->use_mpi || a->shard_n > 1))
    return cli_fail("--summary-percentiles needs every subject in one process: not with --mpi "
                    "or --shard (compute them from the concatenated summaries)"), 2;
  if (a->heatmap && (!a->sweep || !a->plot))
    return cli_fail("--heatmap goes with pk sweep --plot"), 2;
  if (a->plot && (a->shard_n > 1 || a->use_mpi))
    return cli_fail("--plot needs every subject in one process: not with --shard or --mpi "
                    "(write -o%s and draw it with pk plot)", a->sweep ? "" : " and --percentiles"), 2;
  if (a->plot && cli_check_image_name(a->plot) != 0) return 1;
  if (a->plot && !cli_gnuplot_available()) return cli_gnuplot_missing("--plot");
#ifndef PK_WITH_MPI
  if (a->use_mpi)
    return cli_fail("--mpi: this pk was built without MPI (configure with -DPK_WITH_MPI=ON)"), 1;
#endif
  return 0;
}

/* ---- percentiles ---- */

static int write_percentiles(run_ctx *c, out_file *pct) {
  const batch_args *a = c->a;
  pk_error err;
  if (!a->use_mpi) {
    if (pk_batch_write_percentiles(c->b, a->levels, a->nl, pct->f, &err) != PK_OK) {
      snprintf(err.file, sizeof err.file, "%s", a->pct_path);
      cli_report(&err);
      return 1;
    }
    return 0;
  }
#ifdef PK_WITH_MPI
  size_t no = pk_batch_output_count(c->b), nk = pk_batch_kept_count(c->b), cap = 0, n_all = 0;
  double *local = malloc((nk ? nk : 1) * no * sizeof *local), *all = NULL;
  int rc = local ? 0 : 1;
  if (c->rank == 0 && pct->f && pk_batch_write_percentile_header(c->b, a->levels, a->nl, pct->f))
    rc = 1;
  for (size_t row = 0; row < pk_batch_time_count(c->b); row++) {
    if (local && pk_batch_kept_row(c->b, row, local, &err) != PK_OK) rc = 1;
    if (cli_mpi_gather(local, local ? nk : 0, no, &all, &cap, &n_all) != 0) rc = 1;
    if (c->rank == 0 && rc == 0 &&
        pk_batch_write_percentile_row(c->b, row, all, n_all, a->levels, a->nl, pct->f) != 0)
      rc = 1;
  }
  free(local);
  free(all);
  if (rc && c->rank == 0) cli_fail("%s: cannot compute or write the percentiles", a->pct_path);
  return rc;
#else
  return 1;
#endif
}

static int load_inputs(const batch_args *a, pk_scenario **s, pk_population **pop,
                       pk_sweep **sw) {
  char def[4096];
  const char *scenario = a->scenario;
  pk_error err;
  if (!scenario) {
    if (cli_default_scenario(def, sizeof def) != 0)
      return cli_fail("no SCENARIO given and the default scenario "
                      "(scenarios/kratom-taper.json) was not found; set PK_MODELS_DIR");
    scenario = def;
  }
  if (cli_load_scenario(scenario, &a->set, a->events != NULL, s) != 0) return 1;
  const pk_model *m = pk_scenario_model(*s);
  if (a->events) return 0;
  if (!a->sweep) {
    if (pk_population_load(a->spec ? a->spec : scenario, m, pop, &err) != PK_OK) {
      cli_report(&err);
      return 1;
    }
    if (pk_population_size(*pop) == 0 && pk_population_weight(*pop) != PK_WEIGHT_LOGNORMAL &&
        !a->quiet)
      fprintf(stderr, "pk: note: %s: the population varies no parameter (\"parameters\" is "
              "empty and body weight does not vary): every subject is the typical subject\n",
              a->spec ? a->spec : scenario);
    return 0;
  }
  if (!(*sw = pk_sweep_new())) return cli_fail("out of memory");
  for (size_t k = 0; k < a->n_params; k++)
    if (pk_sweep_add(*sw, m, a->params[k], &err) != PK_OK) {
      cli_fail("--param %s: %s", a->params[k], err.message);
      return 1;
    }
  if (a->lhs_n && pk_sweep_set_lhs(*sw, a->lhs_n, a->seed, &err) != PK_OK) {
    cli_report(&err);
    return 1;
  }
  return 0;
}

/* Refuses outputs that name an input (the scenario, its model files, the
 * population spec) or each other. */
static int check_paths(batch_args *a, const pk_scenario *s) {
  if (a->no_meta || cli_meta_sidecar(a->output, a->sidecar, sizeof a->sidecar) != 0)
    a->sidecar[0] = '\0';
  const cli_path p[] = {{"-o", a->output, 1}, {"--percentiles", a->pct_path, 1},
                        {"--trajectories", a->traj_path, 1}, {"--plot", a->plot, 1},
                        {"--spec", a->spec, 0}, {"--summary-percentiles", a->sumpct_path, 1},
                        {"--events dataset", a->events, 0},
                        {"metadata", a->sidecar[0] ? a->sidecar : NULL, 1}};
  return cli_check_outputs(s, a->scenario, p, sizeof p / sizeof p[0]);
}

/* Memory the system can give without swapping (MemAvailable), in bytes; 0
 * if unknown. */
static double available_memory(void) {
  FILE *f = fopen("/proc/meminfo", "r");
  double kb = 0;
  char line[256];
  while (f && fgets(line, sizeof line, f))
    if (sscanf(line, "MemAvailable: %lf kB", &kb) == 1) break;
  if (f) fclose(f);
  if (kb > 0) return kb * 1024.0;
#ifdef _SC_AVPHYS_PAGES
  return (double)sysconf(_SC_AVPHYS_PAGES) * (double)sysconf(_SC_PAGESIZE);
#else
  return 0;
#endif
}

/* pk sweep --plot: a copy of the summary for gnuplot, whatever -o is. */
static int open_copy(run_ctx *c) {
  cli_temp_template(c->copy_path, sizeof c->copy_path, "pk-plot-summary");
  int fd = mkstemp(c->copy_path);
  if (fd < 0) {
    c->copy_path[0] = '\0';
    return cli_fail("cannot create a temporary file for the plot: %s", strerror(errno));
  }
  pk_temporary_add(c->copy_path);
  if (!(c->copy = fdopen(fd, "w"))) {
    close(fd);
    return cli_fail("cannot write a temporary file for the plot: %s", strerror(errno));
  }
  return 0;
}

/* --plot: the sweep's summary, or the population's percentiles (those of
 * --percentiles, still in their temporary file, or written for the plot),
 * with the scenario's doses and W threshold. */
static int draw(run_ctx *c, const pk_scenario *s, out_file *pct) {
  const batch_args *a = c->a;
  cli_plot_options o;
  cli_plot_options_init(&o);
  o.threshold = a->w_thr;
  if (isnan(o.threshold))
    pk_model_withdrawal(pk_scenario_model(s), NULL, NULL, NULL, &o.threshold);
  char title[512], tmp[4200] = "";
  const char *data = NULL;
  double *times = NULL;
  size_t count = 0;
  int rc = 0;
  if (a->sweep) {
    snprintf(title, sizeof title, "sweep of %s", pk_scenario_name(s));
    o.heatmap = a->heatmap;
    if (fflush(c->copy) != 0 || ferror(c->copy))
      return cli_fail("%s: cannot write a temporary file for the plot", c->copy_path);
    data = c->copy_path;
  } else {
    snprintf(title, sizeof title, "%s, %zu subjects", pk_scenario_name(s), c->n_total);
    /* a dataset's subjects have doses of their own: none marked */
    long nt = a->events ? 0 : cli_dose_times(pk_scenario_regimen(s), &times);
    if (nt < 0) return cli_fail("out of memory");
    count = (size_t)nt;
    const char *kept = pct->out ? pk_output_temp_path(pct->out) : NULL;
    if (kept && fflush(pct->f) == 0) {
      data = kept;
    } else {
      pk_error err;
      cli_temp_template(tmp, sizeof tmp, "pk-plot-percentiles");
      int fd = mkstemp(tmp);
      FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
      if (fd >= 0) pk_temporary_add(tmp);
      if (!f || pk_batch_write_percentiles(c->b, a->levels, a->nl, f, &err) != PK_OK)
        rc = cli_fail("cannot write a temporary file for the plot: %s", strerror(errno));
      if ((f ? fclose(f) != 0 : (fd >= 0 && close(fd) != 0)) && rc == 0)
        rc = cli_fail("cannot write a temporary file for the plot: %s", strerror(errno));
      if (fd < 0) tmp[0] = '\0';
      data = tmp;
    }
  }
  const double *const sets[1] = {times};
  if (count) {
    o.doses = sets;
    o.n_doses = &count;
    o.n_dose_sets = 1;
  }
  o.title = title;
  if (rc == 0) rc = cli_plot_files(&data, 1, a->plot, &o);
  if (tmp[0]) cli_temp_remove(tmp);
  free(times);
  return rc;
}

/* -o FILE's metadata: the scenario, model files, solver, seed and settings
 * (report.c), and what the summary holds. */
static int write_sidecar(const batch_args *a, const pk_scenario *s, size_t n, size_t failed) {
  char def[4096];
  const char *scenario = a->scenario;
  if (!scenario && cli_default_scenario(def, sizeof def) == 0) scenario = def;
  cJSON *x = cJSON_CreateObject();
  if (!x) return cli_fail("out of memory");
  cJSON_AddStringToObject(x, "command", a->sweep ? "sweep" : "population");
  cJSON_AddNumberToObject(x, "subjects", (double)n);
  cJSON_AddNumberToObject(x, "failed", (double)failed);
  if (a->shard_n > 1) {
    char sh[64];
    snprintf(sh, sizeof sh, "%zu/%zu", a->shard_k, a->shard_n);
    cJSON_AddStringToObject(x, "shard", sh);
  }
  if (a->spec) {
    char hex[65];
    cJSON *sp = cJSON_AddObjectToObject(x, "population_spec");
    cJSON_AddStringToObject(sp, "path", a->spec);
    if (cli_sha256_file(a->spec, hex) == 0) cJSON_AddStringToObject(sp, "sha256", hex);
  }
  if (a->events) {
    char hex[65];
    cJSON *ev = cJSON_AddObjectToObject(x, "events");
    cJSON_AddStringToObject(ev, "path", a->events);
    if (cli_sha256_file(a->events, hex) == 0) cJSON_AddStringToObject(ev, "sha256", hex);
  }
  cJSON *ax = a->sweep ? cJSON_AddArrayToObject(x, "axes") : NULL;
  for (size_t k = 0; ax && k < a->n_params; k++)
    cJSON_AddItemToArray(ax, cJSON_CreateString(a->params[k]));
  if (a->sweep && a->lhs_n) cJSON_AddNumberToObject(x, "latin_hypercube_points", (double)a->lhs_n);
  cJSON_AddStringToObject(x, "extrema", a->exact_extrema
                                            ? "continuous solution (maxima to 1e-6 h)"
                                            : "output grid");
  cJSON_AddBoolToObject(x, "terminal_phase", a->nca);
  if (a->traj_path) {
    cJSON *tr = cJSON_AddObjectToObject(x, "trajectories");
    cJSON_AddStringToObject(tr, "path", a->traj_path);
    cJSON_AddStringToObject(tr, "format", a->traj_npy ? "npy" : "csv");
  }
  cli_run run = {.scenario = s, .scenario_path = scenario, .set = &a->set,
                 .has_seed = (!a->sweep && !a->events) || a->lhs_n, .seed = a->seed,
                 .extra = x};
  int rc = cli_meta_write_sidecar(a->output, &run);
  cJSON_Delete(x);
  return rc;
}

static int run(batch_args *a, int argc, char **argv) {
  pk_scenario *s = NULL;
  pk_population *pop = NULL;
  pk_sweep *sw = NULL;
  pk_batch *b = NULL;
  pk_error err;
  int rc = 0, rank = 0, size = 1;
  out_file pct = {0}, sumpct = {0};
  run_ctx c = {.a = a, .rank = 0, .size = 1};
  (void)argc;
  (void)argv;
#ifdef PK_WITH_MPI
  if (a->use_mpi && cli_mpi_start(&argc, &argv, &rank, &size) != 0)
    return cli_fail("--mpi: MPI could not be started");
  c.rank = rank;
  c.size = size;
#endif
  if ((rc = load_inputs(a, &s, &pop, &sw)) != 0 || (rc = check_paths(a, s)) != 0) goto done;
  if (a->events) {
    c.base = pk_scenario_options(s);
    if (!(c.subject_reg = pk_regimen_new())) {
      rc = cli_fail("out of memory");
      goto done;
    }
    if (pk_dataset_reader_open(a->events, pk_scenario_model(s), NULL, &c.reader, &err) !=
        PK_OK) {
      cli_report(&err);
      rc = 1;
      goto done;
    }
  }
  pk_batch_spec spec = pk_batch_spec_default();
  spec.model = pk_scenario_model(s);
  spec.regimen = pk_scenario_regimen(s);
  spec.options = pk_scenario_options(s);
  spec.population = pop;
  spec.sweep = sw;
  spec.n_subjects = a->n;
  spec.seed = a->seed;
  spec.w_threshold = a->w_thr;
  spec.occ_threshold = a->occ_thr;
  spec.exact_extrema = a->exact_extrema;
  spec.nca = a->nca;
  if (a->events) {
    spec.source = next_subject;
    spec.source_ctx = &c;
  }
  if (pk_batch_new(&spec, &b, &err) != PK_OK) {
    if (!err.file[0] && a->scenario) fprintf(stderr, "pk: while preparing %s:\n", a->scenario);
    cli_report(&err);
    rc = 1;
    goto done;
  }
  c.b = b;
  c.n_total = pk_batch_subject_count(b);
  int keep = a->pct_path || (a->plot && !a->sweep);
  if (keep && !a->use_mpi) {
    double bytes = pk_batch_kept_bytes(b, c.n_total);
    double ram = available_memory();
    if (ram > 0 && bytes > ram) {
      rc = cli_fail("--percentiles holds every value: %zu subjects x %zu times x %zu columns x "
                    "8 bytes = %.3g GB are needed, more than the %.3g GB of memory available "
                    "now; use fewer subjects, a coarser output grid, or --mpi over several "
                    "machines",
                    c.n_total, pk_batch_time_count(b), pk_batch_output_count(b), bytes / 1e9,
                    ram / 1e9);
      goto done;
    }
    if (!a->quiet && bytes > 1e9)
      fprintf(stderr, "pk: --percentiles holds %.3g GB (%zu subjects x %zu times x %zu "
              "columns x 8 bytes)\n", bytes / 1e9, c.n_total, pk_batch_time_count(b),
              pk_batch_output_count(b));
  }
  /* outputs (rank 0 only) */
  if (rank == 0) {
    if ((rc = out_open(&c.sum, a->output)) != 0) goto done;
    if (a->pct_path && (rc = out_open(&pct, a->pct_path)) != 0) goto done;
    if (a->traj_path && (rc = out_open(&c.traj, a->traj_path)) != 0) goto done;
    if (a->sumpct_path && (rc = out_open(&sumpct, a->sumpct_path)) != 0) goto done;
    int need = pk_batch_format_header(b, NULL, 0);
    char *hdr = malloc((size_t)need + 1);
    if (!hdr) {
      rc = cli_fail("out of memory");
      goto done;
    }
    pk_batch_format_header(b, hdr, (size_t)need + 1);
    fputs(hdr, c.sum.f);
    if (a->plot && a->sweep && (rc = open_copy(&c)) == 0) fputs(hdr, c.copy);
    free(hdr);
    if (rc != 0) goto done;
    if (c.traj.f && (rc = begin_trajectories(&c)) != 0) goto done;
  }
  /* Ctrl-C, SIGHUP (a closed terminal) and SIGTERM (which mpirun sends its
   * ranks) stop the run */
  struct sigaction sa, old_int, old_term, old_hup;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_sigint;
  sigemptyset(&sa.sa_mask);
  sigaddset(&sa.sa_mask, SIGINT);
  sigaddset(&sa.sa_mask, SIGTERM);
  sigaddset(&sa.sa_mask, SIGHUP);
  /* a signal ignored by whoever started pk (nohup) stays ignored */
  sigaction(SIGINT, NULL, &old_int);
  sigaction(SIGTERM, NULL, &old_term);
  sigaction(SIGHUP, NULL, &old_hup);
  if (old_int.sa_handler != SIG_IGN) sigaction(SIGINT, &sa, NULL);
  if (old_term.sa_handler != SIG_IGN) sigaction(SIGTERM, &sa, NULL);
  if (old_hup.sa_handler != SIG_IGN) sigaction(SIGHUP, &sa, NULL);
  c.show_progress = rank == 0 && !a->quiet && isatty(STDERR_FILENO);
  c.t0 = c.last_draw = now_s();
  pk_batch_run_options ro = pk_batch_run_options_default();
  ro.threads = a->threads;
  ro.shard_index = a->use_mpi ? (size_t)rank : a->shard_k;
  ro.shard_count = a->use_mpi ? (size_t)size : a->shard_n;
  ro.shard_interleaved = a->use_mpi;
  ro.keep_values = keep;
  ro.want_trajectories = a->traj_path != NULL;
  if (ro.want_trajectories) ro.prepare = a->traj_npy ? pack_trajectory : format_trajectory;
  ro.on_subject = on_subject;
  ro.on_progress = on_progress;
  ro.should_stop = should_stop;
  ro.ctx = &c;
  pk_batch_report rep;
  pk_status st = pk_batch_run(b, &ro, &rep, &err);
  double elapsed = now_s() - c.t0;
  if (c.show_progress) fputc('\n', stderr);
  if (a->events) c.n_total = rep.total;
  if (st != PK_OK) {
    if (a->events && !err.file[0]) fprintf(stderr, "pk: while simulating %s:\n", a->events);
    cli_report(&err);
    rc = 1;
  }
#ifdef PK_WITH_MPI
  if (a->use_mpi && rank != 0) {
    if (cli_mpi_send_end(rep.stopped || st != PK_OK) != 0) c.protocol_error = 1;
  } else if (a->use_mpi && !rep.stopped && st == PK_OK) {
    int e = cli_mpi_recv_ends();
    if (e > 0) c.remote_stopped = 1;
    if (e < 0) c.protocol_error = 1;
  }
#endif
  sigaction(SIGINT, &old_int, NULL);
  sigaction(SIGTERM, &old_term, NULL);
  sigaction(SIGHUP, &old_hup, NULL);
  if (c.io_error && rc == 0)
    rc = cli_fail("%s: write failed: %s",
                  c.io_path ? c.io_path : a->output ? a->output : "standard output",
                  strerror(errno));
  if (c.protocol_error && rc == 0) rc = cli_fail("--mpi: the ranks lost track of each other");
  int stopped = rc == 0 && (rep.stopped || c.remote_stopped) && !c.io_error;
  if (stopped) {
    if (rank == 0)
      fprintf(stderr, "pk: interrupted after %zu of %zu subjects%s; %s\n",
              a->use_mpi ? rep.done * (size_t)size : rep.done,
              a->use_mpi ? c.n_total : rep.total, a->use_mpi ? " (about, over all ranks)" : "",
              a->output ? "no output was written" : "the summary on standard output is incomplete");
    rc = 130;
  }
#ifdef PK_WITH_MPI
  if (a->use_mpi && rc == 0) rc = cli_mpi_max(rc);
#endif
  if (rc == 0 && a->pct_path) rc = write_percentiles(&c, &pct);
  if (rc == 0 && a->sumpct_path) rc = write_summary_percentiles(&c, &sumpct);
  if (rc == 0 && a->plot) rc = draw(&c, s, &pct);
  if (rc == 0 && rank == 0) {
    rc = c.npy ? finish_trajectories(&c) : 0;
    if (rc == 0) rc = out_commit(&c.sum);
    if (rc == 0 && a->sidecar[0]) rc = write_sidecar(a, s, c.n_total, rep.failed + c.failed_remote);
    if (rc == 0 && c.traj.f) rc = out_commit(&c.traj);
    if (rc == 0 && pct.f) rc = out_commit(&pct);
    if (rc == 0 && sumpct.f) rc = out_commit(&sumpct);
    size_t failed = rep.failed + c.failed_remote;
    size_t done = a->use_mpi ? c.n_total : rep.done;
    if (rc == 0 && !a->quiet) {
      fprintf(stderr, "pk: %zu subjects in %.1f s (%.1f/s, %d thread%s%s)\n", done, elapsed,
              (double)done / fmax(elapsed, 1e-9), rep.threads, rep.threads == 1 ? "" : "s",
              a->use_mpi ? " per rank" : "");
      /* which path ran: the batch kernel, or pk_simulate subject by subject */
      if (!a->use_mpi) {
        pk_sim_options so = pk_scenario_options(s);
        pk_error e2;
        int path = pk_sim_resolve_solver(pk_scenario_model(s), &so, &e2);
        fprintf(stderr, "pk: %zu by the batch kernel (exact path), %zu by pk_simulate (%s path)\n",
                rep.kernel, rep.done - rep.kernel,
                path < 0 ? "-" : pk_solver_name((pk_solver)path));
      }
    }
    if (rc == 0 && failed)
      fprintf(stderr, "pk: warning: %zu subject%s failed; see the status and reason columns\n",
              failed, failed == 1 ? "" : "s");
  }
done:
  if (c.copy) fclose(c.copy);
  if (c.copy_path[0]) cli_temp_remove(c.copy_path);
  out_discard(&c.sum);
  pk_npy_free(c.npy);
  out_discard(&c.traj);
  out_discard(&pct);
  out_discard(&sumpct);
  free(c.kept);
  free(c.buf);
  pk_dataset_free(c.subject);
  pk_dataset_reader_free(c.reader);
  pk_regimen_free(c.subject_reg);
  pk_batch_free(b);
  pk_sweep_free(sw);
  pk_population_free(pop);
  pk_scenario_free(s);
#ifdef PK_WITH_MPI
  if (a->use_mpi) {
    /* rank 0 ends the others once its temporary files are gone; a rank
     * that failed alone ends everyone */
    if ((rank == 0 && rc != 0 && size > 1) || (rank != 0 && rc != 0 && rc != 130)) {
      fflush(stderr);
      cli_mpi_abort(rc);
    }
    cli_mpi_finish();
  }
#endif
  return rc;
}

static int batch_main(int argc, char **argv, int sweep) {
  batch_args a = {.sweep = sweep, .seed = 1, .w_thr = NAN, .occ_thr = 0.1,
                  .levels = {5, 50, 95}, .nl = 3};
  int rc = parse_args(argc, argv, &a);
  if (rc == 0) rc = run(&a, argc, argv);
  cli_settings_free(&a.set);
  return rc < 0 ? 0 : rc;
}

int cmd_population(int argc, char **argv) { return batch_main(argc, argv, 0); }
int cmd_sweep(int argc, char **argv) { return batch_main(argc, argv, 1); }
