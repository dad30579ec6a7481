/* pk/dataset.h - NONMEM-style event datasets: one CSV of dosing, reset and
 * observation records for one or many subjects.
 *
 * Columns (header row, names without regard to case): ID and TIME required;
 * EVID, AMT, CMT, RATE, II, ADDL, SS optional (0 when absent, "." or empty);
 * a column named <param>_<compound id> (CL_mg, V_7oh, ka_mg, R_mg, F_iv_mg...)
 * or ALAGn, Fn, Rn, Dn (NONMEM's lag, bioavailability, modeled rate and
 * duration of compartment n: 2i+1 compound i's depot, 2i+2 its central
 * compartment) is a per-subject parameter override, constant within a
 * subject; any other column is a covariate. Each subject becomes a regimen (ADDL expanded into
 * explicit records at TIME + k * II), a model (the base model with the
 * subject's overrides) and a list of observation times (EVID 0 and 2).
 * The rules, with every NONMEM convention and what libpk does, are in
 * docs/event-datasets.md. Every impossible record is an error naming the
 * file, its line and column (err->line, err->column, both 1-based) and the
 * column's header in the message.
 */
#ifndef PK_DATASET_H
#define PK_DATASET_H

#include <stddef.h>
#include <stdio.h>
#include "pk/error.h"
#include "pk/model.h"
#include "pk/regimen.h"
#include "pk/sim.h"
#include "pk/trajectory.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct pk_dataset pk_dataset;

/* How a covariate's value is carried between records. */
typedef enum pk_covariate_fill {
  PK_FILL_NOCB = 0, /* next observation carried backward: between two records the later
                       record's value applies (NONMEM's default; libpk's default) */
  PK_FILL_LOCF = 1  /* last observation carried forward: the earlier record's value */
} pk_covariate_fill;

/* The fill of one covariate, by its column header (matched without regard
 * to case). */
typedef struct pk_covariate_rule {
  const char *name;
  pk_covariate_fill fill;
} pk_covariate_rule;

typedef struct pk_dataset_options {
  pk_covariate_fill covariate_fill; /* every covariate not named in rules */
  const pk_covariate_rule *rules;   /* n_rules exceptions; a name that is not a covariate
                                       column of the file is an error */
  size_t n_rules;
  /* 0 (NONMEM): on a dose with RATE > 0 (or -1) F scales the duration, F * AMT / RATE
   * hours at RATE. 1: F scales the rate instead: AMT / RATE hours at F * RATE. */
  int f_scales_rate;
} pk_dataset_options;

/* NOCB for every covariate, NONMEM's F-on-rate rule. */
PK_API pk_dataset_options pk_dataset_options_default(void);

/* Reads csv_path (a regular file of at most pk_max_input_bytes(), see
 * pk/input.h) against model m (compound numbering for CMT, parameters
 * for F, lag, R, D and their central-compartment versions, overrides). m is copied: it may be freed afterwards.
 * On success *out owns a new dataset (free with pk_dataset_free). */
PK_API pk_status pk_dataset_load(const char *csv_path, const pk_model *m, pk_dataset **out,
                                 pk_error *err);
/* The same with options (NULL: defaults). */
PK_API pk_status pk_dataset_load_ex(const char *csv_path, const pk_model *m,
                                    const pk_dataset_options *opt, pk_dataset **out,
                                    pk_error *err);
/* The same from memory: text[0..len) is the CSV (it need not end in a NUL;
 * a NUL byte in a line is an error), and name (may be NULL) is the file name
 * messages give. text is only read, and not kept: it may be freed as soon
 * as the call returns. */
PK_API pk_status pk_dataset_load_text(const char *text, size_t len, const char *name,
                                      const pk_model *m, const pk_dataset_options *opt,
                                      pk_dataset **out, pk_error *err);
PK_API void pk_dataset_free(pk_dataset *d); /* NULL is safe */

/* Subjects in the order of the file. Out-of-range indices give NULL, 0 or NaN. */
PK_API size_t pk_dataset_subject_count(const pk_dataset *d);
PK_API const char *pk_dataset_subject_id(const pk_dataset *d, size_t s);
PK_API const pk_model *pk_dataset_subject_model(const pk_dataset *d, size_t s);
PK_API const pk_regimen *pk_dataset_subject_regimen(const pk_dataset *d, size_t s);
/* Observation times (EVID 0 and 2 records) in file order. */
PK_API size_t pk_dataset_observation_count(const pk_dataset *d, size_t s);
PK_API const double *pk_dataset_observation_times(const pk_dataset *d, size_t s);
/* Time of the subject's first record, h. */
PK_API double pk_dataset_subject_first_time(const pk_dataset *d, size_t s);

/* Covariate columns, in file order. */
PK_API size_t pk_dataset_covariate_count(const pk_dataset *d);
PK_API const char *pk_dataset_covariate_name(const pk_dataset *d, size_t j);
PK_API pk_covariate_fill pk_dataset_covariate_fill(const pk_dataset *d, size_t j);
/* Value of covariate j for subject s at time t_h under the covariate's fill.
 * Records with the value missing ("." or empty) are skipped; before the
 * first record (NOCB: after the last) the nearest value applies. At a time
 * with several records, NOCB takes the first one's value and LOCF the last
 * one's. NaN if the subject has no value for it. */
PK_API double pk_dataset_covariate_at(const pk_dataset *d, size_t s, size_t j, double t_h);

/* Warnings: what loads but looks like a mistake, in file order. Each is a
 * pk_error (format it with pk_error_format) naming the file and the line
 * (err->line; err->column the column concerned, or 0), whose code says the
 * kind: PK_WARN_UNUSED_COLUMNS (the covariate columns, named, change
 * nothing: the model has no covariate relations; DV and MDV are not
 * named), PK_WARN_RESET_DROPS (a reset, EVID 3 or 4 or SS 1, drops a dose
 * written before it at its time: the warning is at the reset's line and
 * names the dose's), PK_WARN_PRODUCT_SS (SS 1 on a PRODUCT record: every
 * compound of the product starts at its steady state, but tol and the
 * withdrawal filters at the initial level). libpk prints none of them; a
 * caller should show them. At most 64 (the last then says that more were
 * left out). pk_dataset_warning returns NULL if k >= count; the pointer
 * lives as long as d. */
PK_API size_t pk_dataset_warning_count(const pk_dataset *d);
PK_API const pk_error *pk_dataset_warning(const pk_dataset *d, size_t k);

/* ---- reading a large dataset subject by subject ----
 * The file is read one subject (one block of records with the same ID) at a
 * time; each comes as a dataset of that one subject, read with the same
 * columns, rules, checks and messages as pk_dataset_load_ex (lines are the
 * file's). Memory holds one subject's records and the IDs seen so far (an
 * ID may not come back after other subjects: some 40 bytes per subject),
 * not the file. What differs from loading the file whole:
 *   - the input limit (pk_max_input_bytes) and the limit on doses made by
 *     ADDL apply to each subject's records, not to the whole file;
 *   - an error is found when its subject is reached: the subjects before it
 *     have been returned (write their results to a temporary file that the
 *     error discards, as pk/output.h does);
 *   - the warning about unused covariate columns comes with the first
 *     subject. */
typedef struct pk_dataset_reader pk_dataset_reader;

/* Opens csv_path and reads its header (errors as pk_dataset_load_ex's for
 * the header). m and opt as for pk_dataset_load_ex; m is copied. */
PK_API pk_status pk_dataset_reader_open(const char *csv_path, const pk_model *m,
                                        const pk_dataset_options *opt,
                                        pk_dataset_reader **out, pk_error *err);
/* The next subject: *out a new dataset of one subject (free with
 * pk_dataset_free); *out NULL with PK_OK after the last. A file with a
 * header and no record is an error, as for pk_dataset_load_ex. After a
 * failure every further call returns the same error. */
PK_API pk_status pk_dataset_reader_next(pk_dataset_reader *r, pk_dataset **out, pk_error *err);
/* Subjects returned so far. */
PK_API size_t pk_dataset_reader_count(const pk_dataset_reader *r);
PK_API void pk_dataset_reader_free(pk_dataset_reader *r); /* NULL is safe */

/* Simulation options for subject s from base options: the simulation starts
 * at the smaller of 0 and the subject's first record time, the output grid
 * is base's, and base's steady-state history is dropped (the dataset's
 * records are the whole dosing). */
PK_API pk_sim_options pk_dataset_sim_options(const pk_dataset *d, size_t s,
                                             const pk_sim_options *base);

/* What pk_dataset_simulate runs for subject s, for running it elsewhere
 * (such as in a batch, pk/batch.h, where it gets the same numbers): *opt is
 * pk_dataset_sim_options(d, s, base), and r (emptied first) the subject's
 * doses up to base->t_end_h; a subject without doses gets a dose of 0 mg at
 * the start, so that the run has an event. */
PK_API pk_status pk_dataset_subject_run(const pk_dataset *d, size_t s, const pk_sim_options *base,
                                        pk_regimen *r, pk_sim_options *opt, pk_error *err);

/* Simulates every subject with its model and regimen under
 * pk_dataset_sim_options(d, s, opt); records after opt->t_end_h are left out
 * (they cannot change the output). On success (*out)[s] is subject s's
 * trajectory; free the array with pk_dataset_trajectories_free. On failure
 * nothing is returned and err names the subject in its message. */
PK_API pk_status pk_dataset_simulate(const pk_dataset *d, const pk_sim_options *opt,
                                     pk_trajectory ***out, pk_error *err);
PK_API void pk_dataset_trajectories_free(pk_trajectory **t, size_t n); /* NULL is safe */

/* ---- output at the observation records ----
 * One row per observation record (EVID 0 and 2) of every subject, at the
 * record's own time, in file order: what NONMEM's $TABLE, mrgsolve's
 * obsonly and rxode2 give at the observations. */

/* Simulates every subject as pk_dataset_simulate does (same model,
 * regimen, start and solver), but (*out)[s] has one row per observation
 * record of subject s (pk_dataset_observation_times, in file order; rows at
 * the same time are equal): time_h and the outputs of pk_simulate at that
 * time, each time an output time of its own simulation, so the values are
 * the model's there (not interpolated), and a row at a dose time shows the
 * state just after every dose at that time (within the simulator's merging
 * tolerance of 1e-12 * max(1, |t|) h), as a row of the output grid does.
 * The output grid of opt (output_start_h, t_end_h, output_step_h) does not
 * limit the rows; it gives the start of the simulation as in
 * pk_dataset_sim_options. A subject without observation records gets the
 * columns and no row. Free with pk_dataset_trajectories_free. On failure
 * nothing is returned and err names the subject. */
PK_API pk_status pk_dataset_simulate_observations(const pk_dataset *d, const pk_sim_options *opt,
                                                  pk_trajectory ***out, pk_error *err);

/* Observation record k (0-based, file order) of subject s: its line in the
 * file and its EVID (0 or 2; 0 and -1 out of range), and the text of its
 * field in `column` (a header of the file, without regard to case) as
 * written: unquoted, spaces around it dropped, "." or "" when missing; NULL
 * for no such column or record. The pointer lives as long as d. */
PK_API int pk_dataset_observation_line(const pk_dataset *d, size_t s, size_t k);
PK_API int pk_dataset_observation_evid(const pk_dataset *d, size_t s, size_t k);
PK_API const char *pk_dataset_observation_field(const pk_dataset *d, size_t s, size_t k,
                                                const char *column);

/* Writes the rows of pk_dataset_simulate_observations (obs[s] for subject
 * s) as one CSV, every observation record in file order: ID, TIME (as
 * written in the file), CMT (as written; "." when the file has no CMT
 * column), EVID (0 or 2), DV (as written, when the file has a DV column),
 * the carried columns (as written, in the order given), then the model's
 * outputs (the columns of obs but time_h: C_<id> and ce_<id> in nM, occ,
 * E, tol, W...). carry names n_carry columns of the file (without regard
 * to case; ID, TIME, CMT, EVID and DV, always written, and repeated names
 * are skipped); NULL: every covariate column, in file order. A name that is
 * no column of the file, or a carried column named like an output column,
 * is PK_ERR_INVALID, before anything is written. A field holding a comma
 * or a quote is quoted. To path: through a temporary file renamed when
 * complete (pk/output.h), a failure leaving no partial file. */
PK_API pk_status pk_dataset_write_observations_csv(const pk_dataset *d, pk_trajectory *const *obs,
                                                   const char *const *carry, size_t n_carry,
                                                   const char *path, pk_error *err);
/* The same to a stream (written directly, flushed). */
PK_API pk_status pk_dataset_write_observations(const pk_dataset *d, pk_trajectory *const *obs,
                                               const char *const *carry, size_t n_carry,
                                               FILE *f, pk_error *err);

/* Writes the trajectories of every subject (t[s] for subject s, as given by
 * pk_dataset_simulate) as one CSV: with one subject exactly as
 * pk_trajectory_write_csv; with several, an ID column first and the
 * subjects' rows one after the other. Written to a temporary file and
 * renamed over path: a failure leaves no partial file. */
PK_API pk_status pk_dataset_write_csv(const pk_dataset *d, pk_trajectory *const *t,
                                      const char *path, pk_error *err);

#ifdef __cplusplus
}
#endif
#endif
