/* target.h - named settings of a subject (targets), shared by populations
 * (variability), sweeps (axes) and the batch engine (applying them). */
#ifndef PK_BATCH_TARGET_H
#define PK_BATCH_TARGET_H

#include "internal.h"

typedef enum pk_target_kind {
  PK_TARGET_PARAM = 0, /* a compound parameter */
  PK_TARGET_K_TOL = 1, /* the receptor's adaptation rate */
  PK_TARGET_TOL0 = 2,  /* the initial adaptation level */
  PK_TARGET_DOSE = 3,  /* a dose multiplier (compound -1: every dose) */
  PK_TARGET_PD = 4,    /* a withdrawal parameter (PD version 2): key 0 k_wx, 1 k_wf,
                          2 immediate */
  PK_TARGET_FM = 5     /* a metabolite's formation fraction: key the conversion */
} pk_target_kind;

enum { PK_TARGET_NAME_MAX = 96 };

typedef struct pk_target {
  pk_target_kind kind;
  int compound; /* PARAM, DOSE: compound index (-1: every compound, DOSE only) */
  int key;      /* PARAM: pk_param_find index; PD: 0 k_wx, 1 k_wf, 2 immediate;
                   FM: the conversion's index */
  /* column name: <id>.<KEY>, <metabolite id>.fm, k_tol, k_wx, k_wf, immediate,
   * tol0, dose, dose.<id> */
  char name[PK_TARGET_NAME_MAX];
} pk_target;

/* What a subject changes beside its model. */
typedef struct pk_subject_extra {
  double dose_mult[PK_MAX_COMPOUNDS];
  double tol0;
} pk_subject_extra;

/* Every dose multiplier 1, tol0 as given. */
static inline pk_subject_extra pk_subject_extra_default(double tol0) {
  pk_subject_extra e = {.tol0 = tol0};
  for (int c = 0; c < PK_MAX_COMPOUNDS; c++) e.dose_mult[c] = 1.0;
  return e;
}

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

#endif
