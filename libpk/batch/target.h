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
  PK_TARGET_FM = 5,    /* a metabolite's formation fraction: key the conversion */
  PK_TARGET_CONTENT = 6 /* a product's content of a compound: product, compound, key the
                           slot in the product's content list */
} pk_target_kind;

enum { PK_TARGET_NAME_MAX = 96 };

typedef struct pk_target {
  pk_target_kind kind;
  int compound; /* PARAM, DOSE: compound index (-1: every compound, DOSE only) */
  int key;      /* PARAM: pk_param_find index; PD: 0 k_wx, 1 k_wf, 2 immediate;
                   FM: the conversion's index; CONTENT: the slot in the product */
  int product;  /* CONTENT: the product's index */
  /* column name: <id>.<KEY>, <metabolite id>.fm, k_tol, k_wx, k_wf, immediate,
   * tol0, dose, dose.<id>, <product id>.content.<compound id> */
  char name[PK_TARGET_NAME_MAX];
} pk_target;

enum { PK_MAX_CONTENT_SETTINGS = 32 };

/* What a subject changes beside its model: dose multipliers per compound,
 * and per (product, compound) for doses of a product whose content changed
 * (the regimen was expanded with the typical content). */
typedef struct pk_subject_extra {
  double dose_mult[PK_MAX_COMPOUNDS];
  double tol0;
  int n_content;
  struct {
    int product, compound;
    double mult;
  } content[PK_MAX_CONTENT_SETTINGS];
} pk_subject_extra;

/* Every dose multiplier 1, tol0 as given. */
static inline pk_subject_extra pk_subject_extra_default(double tol0) {
  pk_subject_extra e = {.tol0 = tol0};
  for (int c = 0; c < PK_MAX_COMPOUNDS; c++) e.dose_mult[c] = 1.0;
  return e;
}

/* The factor on dose d of the regimen expanded with the typical model. */
static inline double pk_subject_dose_factor(const pk_subject_extra *e, const pk_dose *d) {
  double f = d->compound >= 0 && d->compound < PK_MAX_COMPOUNDS ? e->dose_mult[d->compound] : 1.0;
  for (int k = 0; k < e->n_content; k++)
    if (e->content[k].product == d->product && e->content[k].compound == d->compound)
      f *= e->content[k].mult;
  return f;
}

/* Parses a target name against model m; allow lists which kinds are
 * accepted (bit 1 << kind). Returns 0, or -1 with a message. */
int pk_target_parse(const pk_model *m, const char *text, unsigned allow, pk_target *t,
                    char *msg, size_t n);
/* Typical (unchanged) value of the target. */
double pk_target_typical(const pk_model *m, const pk_sim_options *o, const pk_target *t);
/* Sets the target to x in (m, extra): 0, or -1 with a message. Compound
 * parameters are checked with the compound (pk_model_set_compound). A
 * product's content is set in m and, as the ratio to its value in m before,
 * added to extra's content multipliers (for a regimen already expanded;
 * one expanded afterwards from m needs none). */
int pk_target_apply(pk_model *m, pk_subject_extra *extra, const pk_target *t, double x,
                    char *msg, size_t n);

#endif
