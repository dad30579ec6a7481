/* batch_internal.h - pieces shared by population.c, sweep.c and batch.c:
 * named settings of a subject (targets) and the per-subject random numbers. */
#ifndef PK_BATCH_INTERNAL_H
#define PK_BATCH_INTERNAL_H

#include <gsl/gsl_rng.h>
#include <stdint.h>
#include "internal.h"
#include "pk/batch.h"

typedef enum pk_target_kind {
  PK_TARGET_PARAM = 0, /* a compound parameter */
  PK_TARGET_K_TOL = 1, /* the receptor's adaptation rate */
  PK_TARGET_TOL0 = 2,  /* the initial adaptation level */
  PK_TARGET_DOSE = 3,  /* a dose multiplier (compound -1: every dose) */
  PK_TARGET_PD = 4     /* a withdrawal parameter (PD version 2): key 0 k_wx, 1 k_wf,
                          2 immediate */
} pk_target_kind;

enum { PK_TARGET_NAME_MAX = 96 };

typedef struct pk_target {
  pk_target_kind kind;
  int compound; /* PARAM, DOSE: compound index (-1: every compound, DOSE only) */
  int key;      /* PARAM: pk_param_find index; PD: 0 k_wx, 1 k_wf, 2 immediate */
  /* column name: <id>.<KEY>, k_tol, k_wx, k_wf, immediate, tol0, dose, dose.<id> */
  char name[PK_TARGET_NAME_MAX];
} pk_target;

/* What a subject changes beside its model. */
typedef struct pk_subject_extra {
  double dose_mult[PK_MAX_COMPOUNDS];
  double tol0;
} pk_subject_extra;

/* Parses a target name against model m; allow lists which kinds are
 * accepted (bit 1 << kind). Returns 0, or -1 with a message. */
int pk_target_parse(const pk_model *m, const char *text, unsigned allow, pk_target *t,
                    char *msg, size_t n);
/* Typical (unchanged) value of the target. */
double pk_target_typical(const pk_model *m, const pk_sim_options *o, const pk_target *t);
/* Sets the target to x in (m, extra): 0, or -1 with a message. Compound
 * parameters are checked with the compound (pk_model_set_compound). */
int pk_target_apply(pk_model *m, pk_subject_extra *extra, const pk_target *t, double x,
                    char *msg, size_t n);

/* splitmix64 step, and the generator seeded from (seed, stream, index). */
uint64_t pk_splitmix64(uint64_t *state);
/* A GSL generator of libpk's own type (xoshiro256**, 64-bit seeding), NULL
 * if out of memory; reseed it with pk_rng_seed. */
gsl_rng *pk_rng_new(void);
void pk_rng_seed(gsl_rng *r, uint64_t seed, uint64_t stream, uint64_t index);

enum { PK_STREAM_POPULATION = 1, PK_STREAM_LHS = 2 };

/* Sweep internals: a sweep is complete (every grid axis has N), and the
 * target of axis a. */
pk_status pk_sweep_check(const pk_sweep *s, pk_error *err);
const pk_target *pk_sweep_target(const pk_sweep *s, size_t a);

/* Copy of a model's contents. */
void pk_model_copy_into(pk_model *dst, const pk_model *src);

/* Population internals used by batch.c. */
int pk_population_is_prepared(const pk_population *p);
int pk_population_compound_count(const pk_population *p);
/* pk_population_subject with the caller's generator (one per thread). */
pk_status pk_population_subject_rng(const pk_population *p, const pk_model *typical,
                                    gsl_rng *r, uint64_t seed, uint64_t index,
                                    pk_model *subject, double *values, pk_error *err);

#endif
