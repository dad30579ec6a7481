/* pk/batch.h - many subjects at once: parameter sweeps, populations, and
 * the batch engine that simulates them in parallel and summarises each.
 *
 * A batch is a scenario's model, regimen and options together with either
 * a population (pk/population.h: subject i drawn from (seed, i)) or a sweep
 * (point i of a grid or a Latin hypercube). pk_batch_run simulates the
 * subjects on several threads (OpenMP, when libpk was built with it) and
 * hands each subject's summary to a callback in subject order, holding at
 * most a few summaries per thread: memory grows with the number of threads,
 * not of subjects. Results do not depend on the number of threads, the
 * shard or the order of work: each subject is computed alone, from its
 * index.
 *
 * Summary of one subject (over the output grid of the scenario):
 *   Cmax_<id>, Tmax_<id>  highest plasma concentration (nM) and first time (h)
 *   Cmin_<id>             lowest concentration at output times strictly after
 *                         the first dose (all times if a dose or a steady-state
 *                         history precedes the output), nM
 *   AUC_<id>              area under C over the output times, linear-up /
 *                         log-down trapezoids (as pk_nca's AUClast), nM h
 *   occ_min, occ_max      lowest and highest total receptor occupancy
 *   E_max, W_max          highest response and withdrawal measure W
 *   h_W_above_<x>         hours with W > x (default x: the symptom threshold),
 *                         h_occ_above_<y> hours with occ > y;
 *                         crossings between output times are interpolated
 *                         (log-linearly between positive values, else linearly)
 * with pk_batch_spec.nca, after these, for each compound (as pk_nca's
 * pk_nca_compute_auto over the whole output, from the first output time;
 * empty where no declining tail of 3 or more positive samples exists):
 *   AUCinf_<id>           AUC_<id> + Clast / lambda_z, nM h
 *   lambda_z_<id>         terminal rate constant, 1/h
 *   t_half_<id>           ln 2 / lambda_z, h
 *   r2_<id>               r^2 of the log-linear terminal fit
 *   Cmax_first_<id>, Tmax_first_<id>, AUC_first_<id>   over the first dosing
 *                         interval (the first two distinct dose times in the
 *                         output), as pk nca's "first" row (AUC: AUClast of its
 *                         samples); Cmax_last_<id>, ... from the last dose
 *                         time to the end; empty with fewer than two dose
 *                         times
 * The maxima (the intervals' Cmax too) are grid values unless
 * pk_batch_spec.exact_extrema is set;
 * minima stay grid values (a dose's instant is excluded from Cmin, so its
 * infimum on the continuous solution would be the pre-dose value).
 * preceded by the subject's settings (population: WT and the individual
 * parameter values; sweep: the value of each axis).
 */
#ifndef PK_BATCH_H
#define PK_BATCH_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "pk/error.h"
#include "pk/model.h"
#include "pk/population.h"
#include "pk/regimen.h"
#include "pk/sim.h"
#include "pk/trajectory.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- sweeps ---- */

typedef struct pk_sweep pk_sweep;

PK_API pk_sweep *pk_sweep_new(void); /* NULL if out of memory */
PK_API void pk_sweep_free(pk_sweep *s); /* NULL is safe */

/* Adds an axis from the text NAME=VALUES, resolved against model m:
 *   NAME    <compound>.<KEY>  a compound parameter (id or name, a model-file key)
 *           k_tol             the receptor's adaptation rate, 1/h
 *           k_wx, k_wf        its withdrawal expression and fast-follower rates,
 *                             1/h; immediate, the immediate share of W (PD
 *                             version 2; an error for a version-1 receptor)
 *           tol0              the initial adaptation level (no steady-state history)
 *           dose              a multiplier on every dose (and steady-state history)
 *           dose.<compound>   a multiplier on every dose of one compound
 *           <product>.content.<compound>  the product's content of the compound, in
 *                             its file's unit (w/w, mg/<unit>, mg/h): the doses of
 *                             that compound that come from that product scale with it
 *                             (a content of 0 in the file cannot be varied: the
 *                             scenario holds no such dose)
 *   VALUES  LO:HI:N           N values from LO to HI, evenly spaced (N >= 1)
 *           LO:HI:N:log       N values evenly spaced on a log scale (LO, HI > 0)
 *           V1,V2,...         the values listed
 *           LO:HI[:log]       a range for a Latin hypercube (pk_sweep_set_lhs)
 * The grid is every combination, the last axis varying fastest. */
PK_API pk_status pk_sweep_add(pk_sweep *s, const pk_model *m, const char *text, pk_error *err);
/* The same for text[0..len), which need not end in a NUL (a NUL byte in it
 * is an error); text is not kept. */
PK_API pk_status pk_sweep_add_text(pk_sweep *s, const pk_model *m, const char *text, size_t len,
                                   pk_error *err);

/* Replaces the grid by a Latin hypercube of n points over the axes' ranges
 * (N of LO:HI:N is then ignored; lists are refused): each axis is cut into n
 * equal strata (equal on the log scale for :log), every stratum is used
 * once, in an order and at a position inside it drawn from seed. Call after
 * the last pk_sweep_add. */
PK_API pk_status pk_sweep_set_lhs(pk_sweep *s, size_t n, uint64_t seed, pk_error *err);

PK_API size_t pk_sweep_axis_count(const pk_sweep *s);
PK_API const char *pk_sweep_axis_name(const pk_sweep *s, size_t a); /* column name */
PK_API size_t pk_sweep_point_count(const pk_sweep *s);
/* The axis values of point k (pk_sweep_axis_count values). */
PK_API pk_status pk_sweep_point(const pk_sweep *s, size_t k, double *values, pk_error *err);

/* ---- the batch engine ---- */

typedef struct pk_batch pk_batch;

/* A subject given by the caller rather than drawn (the subjects of an event
 * dataset, pk/dataset.h: pk_dataset_subject_run gives what it needs). */
typedef struct pk_batch_subject {
  const pk_model *model;     /* copied before the source is called again */
  const pk_regimen *regimen; /* copied, as is options.steady_state */
  pk_sim_options options;    /* its output grid (output_start_h, output_step_h,
                                t_end_h) must be the batch's; the start may differ */
  const char *id;            /* its name in the summary's id column (copied; no
                                comma, quote or line end), or NULL: its index */
} pk_batch_subject;
/* Gives subject `index` (0, 1, 2, ... in turn, on the thread that called
 * pk_batch_run) into *out (preset to the batch's options and NULLs) and
 * returns PK_OK; or sets *end = 1 when there is no more; or returns an
 * error (err set), which stops the run: the subjects given before it are
 * still run and handed over, and pk_batch_run returns the error. */
typedef pk_status (*pk_batch_source)(void *ctx, size_t index, pk_batch_subject *out, int *end,
                                     pk_error *err);

typedef struct pk_batch_spec {
  const pk_model *model;          /* the typical subject (copied) */
  const pk_regimen *regimen;      /* must outlive the batch */
  pk_sim_options options;         /* its steady_state regimen must outlive the batch */
  const pk_population *population; /* prepared; or NULL. Must outlive the batch */
  const pk_sweep *sweep;          /* or NULL (not both). Must outlive the batch */
  size_t n_subjects;              /* population (or neither: copies of the typical
                                     subject); a sweep has one subject per point */
  uint64_t seed;                  /* population seed */
  double w_threshold;             /* h_W_above_<x>: x (default NaN: the receptor's
                                     symptom threshold, 0.02 without one) */
  double occ_threshold;           /* h_occ_above_<y>: y (default 0.1) */
  int exact_extrema;              /* 1: Cmax_<id>/Tmax_<id>, occ_max, E_max and W_max
                                     from the continuous solution (pk_sim_extremum in
                                     the output intervals either side of the grid's
                                     best time), not the output grid; costs a few
                                     simulations per value */
  int nca;                        /* 1: add the terminal phase of each compound */
  /* Or subjects given one by one (not with a population or a sweep):
   * n_subjects is then ignored, and the count is known at the end of the run
   * (pk_batch_report.total; on_progress gets total 0 until then). Shards are
   * refused; keep_values grows with the subjects. model, regimen and options
   * above still give the columns and the output grid; each subject's
   * summaries use its own doses (Cmin after its first dose, its dosing
   * intervals). The kernel packs subjects with equal event timing and start,
   * as for a population. */
  pk_batch_source source;
  void *source_ctx;
} pk_batch_spec;

/* Defaults: no model, no population or sweep, 1 subject, seed 1,
 * thresholds: W the receptor's symptom threshold (withdrawal.threshold;
 * 0.02 for a receptor without one), occupancy 0.1. */
PK_API pk_batch_spec pk_batch_spec_default(void);

/* One subject's outcome, as handed to on_subject. */
typedef struct pk_subject_result {
  size_t index;         /* subject (or sweep point) index, from 0 */
  const char *id;       /* a given subject's id (pk_batch_subject.id), else NULL */
  pk_status status;     /* PK_OK, or why it failed (its values are then NaN,
                           its settings kept where known) */
  double fail_t_h;      /* time a solver failure had reached, h; NaN otherwise */
  const char *reason;   /* what went wrong, "" when ok */
  const double *values; /* pk_batch_column_count values */
  const pk_trajectory *trajectory; /* with want_trajectories and success; else NULL */
  void *prepared; /* on_subject: what prepare returned for this subject (NULL
                     without prepare); NULL in prepare itself */
} pk_subject_result;

typedef struct pk_batch_run_options {
  int threads;              /* 0: all (OpenMP's default, OMP_NUM_THREADS) */
  size_t shard_index;       /* this process runs shard shard_index of shard_count */
  size_t shard_count;       /* 0 or 1: every subject */
  int shard_interleaved;    /* 0: shard K of N runs the contiguous block of subjects
                               [K*n/N, (K+1)*n/N) (rounded down); 1: subjects
                               with index % N == K */
  int keep_values;          /* 1: hold every output value of every subject of this
                               shard (for percentiles): subjects x times x columns
                               x 8 bytes */
  int want_trajectories;    /* 1: pass each trajectory to on_subject */
  /* Called for each subject in increasing index, one call at a time, from the
   * thread that called pk_batch_run; nonzero stops the run. May be NULL. */
  int (*on_subject)(void *ctx, const pk_subject_result *r);
  /* Called from the same thread now and then with the subjects done. */
  void (*on_progress)(void *ctx, size_t done, size_t total);
  /* Polled from any of the worker threads (concurrently); nonzero stops the
   * run at the next subject. For a signal flag, e.g. */
  int (*should_stop)(void *ctx);
  void *ctx;
  /* Optional: called on the worker thread that ran the subject, as soon as
   * it is done (concurrently with other subjects', in any order), to do
   * work on_subject would otherwise do on one thread, such as formatting
   * its trajectory. Its result (malloc'd, or NULL) reaches on_subject as
   * r->prepared and is freed by pk_batch_run after that call (or unused if
   * the run stops first). It must only read r and ctx. */
  void *(*prepare)(void *ctx, const pk_subject_result *r);
} pk_batch_run_options;

PK_API pk_batch_run_options pk_batch_run_options_default(void);

typedef struct pk_batch_report {
  size_t total;   /* subjects of this shard */
  size_t done;    /* handed to on_subject */
  size_t failed;  /* of which failed */
  int stopped;    /* 1 if should_stop or on_subject stopped the run */
  int threads;    /* threads used */
  size_t kernel;  /* of the done, run by the batch kernel (exact path, packs of
                     subjects in SIMD lanes); the others by pk_simulate */
} pk_batch_report;

/* Checks the spec and simulates the typical subject once (its failure is
 * an error: nothing would work). */
PK_API pk_status pk_batch_new(const pk_batch_spec *spec, pk_batch **out, pk_error *err);
PK_API void pk_batch_free(pk_batch *b); /* NULL is safe */

PK_API size_t pk_batch_subject_count(const pk_batch *b);
/* The numeric columns of a subject's values: settings then summaries. */
PK_API size_t pk_batch_column_count(const pk_batch *b);
PK_API const char *pk_batch_column_name(const pk_batch *b, size_t j);
/* Index of the column named name, -1 if none. */
PK_API int pk_batch_column_index(const pk_batch *b, const char *name);

/* Simulates the subjects of the shard. Returns PK_OK when it ran to the end
 * or was stopped (report->stopped); a subject that fails is reported
 * through on_subject and the others go on. Failure codes are for the run as
 * a whole (out of memory for keep_values, bad options). */
PK_API pk_status pk_batch_run(pk_batch *b, const pk_batch_run_options *o,
                              pk_batch_report *report, pk_error *err);

/* Threads available to pk_batch_run (1 without OpenMP). */
PK_API int pk_batch_max_threads(void);

/* The instruction set of the batch kernel that pk_batch_run uses in this
 * process: "avx512" (packs of 8 subjects), "avx2" (4), "sse2" or, on other
 * processors, "generic" (2), or "scalar" (1); *lanes (may be NULL)
 * receives the pack width. It is the widest that the build has and the
 * processor supports, unless the environment variable PK_SIMD names
 * another that it can run. Results do not depend on it beyond rounding
 * (docs/internals.md). */
PK_API const char *pk_batch_simd(int *lanes);

/* CSV text of the summary: header "id,status,<columns>,fail_t_h,reason"; a
 * row per subject (id: its index, or a given subject's id) with status "ok" or "failed", values with 12 significant
 * digits (empty where NaN) and the reason quoted. Both end in a newline.
 * Return the length the full text needs, as snprintf. */
PK_API int pk_batch_format_header(const pk_batch *b, char *buf, size_t n);
PK_API int pk_batch_format_row(const pk_batch *b, const pk_subject_result *r, char *buf,
                               size_t n);

/* ---- percentiles across subjects (after a run with keep_values) ---- */

/* The output grid: times and the trajectory columns other than time_h. */
PK_API size_t pk_batch_time_count(const pk_batch *b);
PK_API double pk_batch_time(const pk_batch *b, size_t row);
PK_API size_t pk_batch_output_count(const pk_batch *b);
PK_API const char *pk_batch_output_name(const pk_batch *b, size_t j);

/* Bytes keep_values needs for n subjects. */
PK_API double pk_batch_kept_bytes(const pk_batch *b, size_t n);
/* Subjects held by the last run, in the order run, and their values at one
 * time row: kept_count x output_count values into buf (NaN for failed). */
PK_API size_t pk_batch_kept_count(const pk_batch *b);
PK_API pk_status pk_batch_kept_row(const pk_batch *b, size_t row, double *buf, pk_error *err);

/* Writes the percentile header: "time_h,n,<col>_p<level>,..." for each output
 * column and level (percent, in [0, 100]). */
PK_API int pk_batch_write_percentile_header(const pk_batch *b, const double *levels, size_t nl,
                                            FILE *f);
/* Writes one CSV row of percentiles at time row `row` from the values of n
 * subjects (n x output_count, as pk_batch_kept_row gives them). Subjects
 * whose values are NaN (failed) are left out; the n column counts the
 * others. Percentiles interpolate linearly between order statistics (the
 * definition of R's type 7 and numpy's default). Returns 0, -1 on a write
 * error. */
PK_API int pk_batch_write_percentile_row(const pk_batch *b, size_t row, const double *values,
                                         size_t n, const double *levels, size_t nl, FILE *f);
/* Both, for every time row, from the values held by the last run. */
PK_API pk_status pk_batch_write_percentiles(const pk_batch *b, const double *levels, size_t nl,
                                            FILE *f, pk_error *err);

/* ---- summary of one trajectory ---- */

/* Fills the summaries (the columns after the settings) of trajectory t,
 * which must have the batch's columns and grid. out: column_count minus the
 * settings values. */
PK_API pk_status pk_batch_summarise(const pk_batch *b, const pk_trajectory *t, double *out,
                                    pk_error *err);

/* Hours with y > threshold on the n samples (t_h[i*stride], y[i*stride])
 * (times increasing), crossings interpolated as above. */
PK_API double pk_hours_above(const double *t_h, const double *y, size_t n, size_t stride,
                             double threshold);

#ifdef __cplusplus
}
#endif
#endif
