/* internal.h - definitions shared by libpk's source files, not installed. */
#ifndef PK_INTERNAL_H
#define PK_INTERNAL_H

#include <stdarg.h>
#include <stdio.h>
#include <stddef.h>
#include "pk/pk.h"

enum { PK_MAX_COMPOUNDS = 32, PK_MAX_PRODUCTS = 32, PK_MAX_CONVERSIONS = 64,
       PK_MAX_ENZYMES = 4 };

typedef struct pk_conversion {
  int from, to;
  double fm;           /* molar fraction of from's clearance forming `to` (at the
                          enzyme's baseline activity when enzyme >= 0) */
  double f_first_pass; /* fraction of from's absorption flux entering `to` */
  int enzyme;          /* the enzyme forming `to`, -1: none (pk_model.h) */
} pk_conversion;

/* An enzyme with a turnover (pk_model_add_enzyme), and what each compound
 * does with it: the fraction of its CL through it (0: none), and its
 * mechanism-based inactivation (kinact 0: none). */
typedef struct pk_enzyme {
  char id[PK_ID_MAX], name[PK_NAME_MAX];
  double kdeg_per_h;
  double f_cl[PK_MAX_COMPOUNDS];
  double KI_nM[PK_MAX_COMPOUNDS], kinact_per_h[PK_MAX_COMPOUNDS], fu_plasma[PK_MAX_COMPOUNDS];
  double Qh_L_per_h[PK_MAX_COMPOUNDS]; /* 0: plasma concentration drives it */
} pk_enzyme;

/* What one unit of a product's dose carries of each compound. */
typedef enum {
  PK_CONTENT_W_W = 0,         /* mass fraction; doses in g of product */
  PK_CONTENT_MG_PER_UNIT = 1, /* mg per unit (tablet, film, mL...); doses in units */
  PK_CONTENT_MG_PER_H = 2     /* mg/h delivered per unit over release_h (patches) */
} pk_content_kind;

typedef struct pk_product {
  char id[PK_ID_MAX];
  char name[PK_NAME_MAX * 2];
  char form[PK_NAME_MAX];      /* tablet, patch, powder... (descriptive) */
  char route_name[PK_ID_MAX];  /* oral, sublingual, transdermal... */
  char dose_unit[PK_ID_MAX];   /* g, tablet, patch... */
  pk_route route;
  pk_content_kind content_kind;
  double release_h;            /* 0: bolus; > 0: zero-order input over this time */
  size_t n;
  int compound[PK_MAX_COMPOUNDS];
  double content[PK_MAX_COMPOUNDS];   /* w/w, mg/unit or mg/h, per content_kind */
  double ka_per_h[PK_MAX_COMPOUNDS];  /* route-specific absorption; NaN: compound's */
  double F[PK_MAX_COMPOUNDS];
  double lag_h[PK_MAX_COMPOUNDS];
} pk_product;

struct pk_model {
  int n_compounds, n_conversions, n_products;
  pk_compound_params compound[PK_MAX_COMPOUNDS];
  pk_conversion conversion[PK_MAX_CONVERSIONS];
  pk_product product[PK_MAX_PRODUCTS];
  int n_enzymes;
  pk_enzyme enzyme[PK_MAX_ENZYMES];
  double k_tol_per_h;
  /* withdrawal (PD version 2, docs/pd-model.md; has_withdrawal 0: version
   * 1, W = max(0, tol - E)) */
  int has_withdrawal;
  double k_wx_per_h, k_wf_per_h, w_immediate, w_threshold;
  int has_receptor; /* a receptor file was loaded (only one allowed) */
  /* a compound file's max_plausible_dose: mg of the compound in one dose
   * above which a scenario warns (0: none given) */
  double max_dose_mg[PK_MAX_COMPOUNDS];
};

struct pk_regimen {
  size_t n, cap;
  pk_dose *dose;
};

struct pk_trajectory {
  size_t rows, cols, cap_rows;
  char **names;
  double *data;
};

/* Fills err (if not NULL) and returns code. file and path may be NULL. */
pk_status pk_err_set(pk_error *err, pk_status code, const char *file, const char *path,
                     const char *fmt, ...) __attribute__((format(printf, 5, 6)));
pk_status pk_err_nomem(pk_error *err);

/* Warnings (pk_scenario_warning, pk_dataset_warning): a list of at most
 * PK_WARNINGS_MAX, the last then saying that more were left out. Adds one
 * of the given kind (file and path may be NULL) to *list (*n of them) and
 * points *added (if not NULL) to it, NULL when the list is full; fails only
 * when out of memory (err.c). */
enum { PK_WARNINGS_MAX = 64 };
pk_status pk_warning_vadd(pk_error **list, size_t *n, pk_status kind, const char *file,
                          const char *path, pk_error **added, const char *fmt, va_list ap)
    __attribute__((format(printf, 7, 0)));

/* "; did you mean 'x'?" with the candidate closest to word (pk_suggest), or
 * "" when none is close, into buf of size cap (suggest.c). */
void pk_suggest_suffix(const char *word, const char *const *candidates, size_t n, char *buf,
                       size_t cap);
/* pk_suggest_suffix over the ids and names of m's compounds (model.c). */
void pk_model_suggest_compound(const pk_model *m, const char *name, char *buf, size_t cap);

/* Trajectory construction (trajectory.c). */
pk_trajectory *pk_trajectory_alloc(size_t cols, size_t rows_hint);
pk_status pk_trajectory_set_name(pk_trajectory *t, size_t j, const char *name);
pk_status pk_trajectory_append(pk_trajectory *t, const double *row);

/* Adds one dose of product p (amount in its dose unit) to r as one dose per
 * contained compound, with the product's route, absorption and release:
 * 1000 * g * w mg for w/w content, units * mg per unit, or for mg/h content
 * units * rate * release time over the release time. base gives the time
 * and record options; a reset (base->reset, or base->ss 1 with several
 * compounds) is made once, by the first compound's dose, and ss 1 with
 * several compounds becomes ss 2 for each after that reset: every compound
 * starts at its periodic steady state (tol does not: ss 2 adds amounts
 * only), none resetting another's (model.c). */
pk_status pk_product_add_dose(const pk_product *p, const pk_dose *base, double amount,
                              pk_regimen *r, pk_error *err);

/* Adds a fully described product after checking it (model.c). */
pk_status pk_model_add_product_full(pk_model *m, const pk_product *p, pk_error *err);
/* Checks every compound's clearance budget (model.c): the fm of its
 * conversions and the fractions of its clearance through enzymes. A
 * conversion added after the enzyme links, or an fm changed for a subject,
 * can break it. */
pk_status pk_model_check_budgets(const pk_model *m, pk_error *err);
/* Copies a model's contents into another (model.c). */
void pk_model_copy_into(pk_model *dst, const pk_model *src);

/* Checks a compound's parameters; path_prefix names where they came from
 * (e.g. a file) and may be NULL. */
pk_status pk_compound_check(const pk_compound_params *p, const char *file, pk_error *err);
/* The same for a compound read from a file at JSON key path `path` (the
 * "parameters" object, or a compound's overrides): a failure's path is then
 * `path`.<key>.value (model.c). */
pk_status pk_compound_check_at(const pk_compound_params *p, const char *file, const char *path,
                               pk_error *err);

/* Writes via a temporary file beside path and renames it over path
 * (output.c). write_fn returns 0 on success. */
pk_status pk_write_atomic(const char *path, int (*write_fn)(void *ctx, FILE *f), void *ctx,
                          pk_error *err);

#endif
