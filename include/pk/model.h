/* pk/model.h - a general compartment model: compounds, conversions, products.
 *
 * A compound has a depot (gut), a central compartment, 0-2 peripheral
 * compartments and, if it binds the receptor, an effect site. Compounds are
 * linked by first-order conversions (parent to metabolite, systemic and
 * first-pass). A product is a mix of compounds given by weight (w/w). The
 * receptor's adaptation (tolerance) rate is a model property.
 *
 * Units: amounts umol, volumes L, clearances and flows L/h, rate constants
 * 1/h, times h, concentrations nM, molecular weights g/mol. Clearances and
 * volumes of oral compounds are apparent (CL/F, V/F) unless F is given.
 */
#ifndef PK_MODEL_H
#define PK_MODEL_H

#include <stddef.h>
#include "pk/error.h"

#ifdef __cplusplus
extern "C" {
#endif

enum { PK_ID_MAX = 32, PK_NAME_MAX = 64, PK_MAX_PERIPHERAL = 2 };

/* Parameters of one compound. Start from pk_compound_params_default(). */
typedef struct pk_compound_params {
  char id[PK_ID_MAX];     /* short name used in output columns, e.g. "mg" */
  char name[PK_NAME_MAX]; /* full name, e.g. "mitragynine" */
  double mw_g_per_mol;    /* molecular weight, g/mol, > 0 */
  double ka_per_h;        /* first-order absorption rate from the depot, 1/h, > 0 */
  double lag_h;           /* "lag": lag time of doses into the depot, h, >= 0 */
  double F;               /* "F": bioavailability of doses into the depot, >= 0 (above 1:
                             relative to a reference the volumes are apparent for) */
  double V_L;             /* central volume, L, > 0 */
  double CL_L_per_h;      /* clearance from the central compartment, L/h, >= 0 */
  int n_peripheral;       /* 0, 1 or 2 */
  double Vp_L[PK_MAX_PERIPHERAL];      /* peripheral volumes, L, > 0 */
  double Q_L_per_h[PK_MAX_PERIPHERAL]; /* inter-compartmental flows, L/h, >= 0 */
  int binds_receptor;     /* 1 if the compound is a ligand of the receptor */
  double ke0_per_h;       /* plasma to effect-site equilibration, 1/h, > 0 */
  double fu;              /* unbound fraction at the effect site, (0, 1] */
  double K_nM;            /* equilibrium dissociation constant, nM, > 0 (for a kinetic
                             ligand, derived: koff / kon) */
  double tau;             /* operational efficacy, >= 0 (0 = antagonist) */
  int kinetic_binding;    /* 1: bound fraction is a state, driven by kon and koff */
  double kon_per_nM_h;    /* association rate constant, 1/(nM h), > 0 (kinetic only) */
  double koff_per_h;      /* dissociation rate constant, 1/h, > 0 (kinetic only) */
  double zo_rate_mg_per_h; /* "R": rate of a zero-order input into the depot whose event record
                              asks for the model's rate (RATE -1), mg/h, > 0; NaN: not given */
  double zo_duration_h;    /* "D": duration of a zero-order input into the depot whose event
                              record asks for the model's duration (RATE -2), h, > 0; NaN: not
                              given */
  /* The same four for doses into the central compartment (intravenous; NONMEM's ALAGn, Fn,
   * Rn, Dn of compartment n = 2i+2): */
  double lag_iv_h;            /* "lag_iv": lag time, h, >= 0 (default 0) */
  double F_iv;                /* "F_iv": bioavailability, >= 0 (default 1) */
  double zo_rate_iv_mg_per_h; /* "R_iv": rate for RATE -1, mg/h, > 0; NaN: not given */
  double zo_duration_iv_h;    /* "D_iv": duration for RATE -2, h, > 0; NaN: not given */
} pk_compound_params;

typedef struct pk_model pk_model;

/* Defaults: F = F_iv = 1, lag = lag_iv = 0, no peripheral compartment, not a ligand, fu = 1,
 * equilibrium binding, no zero-order rates or durations (NaN, optional);
 * every other number NaN so that forgetting one is
 * caught by validation. A kinetic ligand (kinetic_binding = 1) gives kon and
 * koff; its K_nM is set to koff / kon when it is added to a model. */
PK_API pk_compound_params pk_compound_params_default(void);

/* A new empty model (adaptation rate 0: tolerance stays constant). NULL if
 * out of memory. */
PK_API pk_model *pk_model_new(void);
PK_API void pk_model_free(pk_model *m); /* NULL is safe */

/* Adds a compound after checking every parameter (finite, in range, unique
 * id and name). Its index (0, 1, ...) goes to *index_out if not NULL. */
PK_API pk_status pk_model_add_compound(pk_model *m, const pk_compound_params *p,
                                       int *index_out, pk_error *err);

/* Replaces the parameters of compound i (same checks). */
PK_API pk_status pk_model_set_compound(pk_model *m, int i, const pk_compound_params *p,
                                       pk_error *err);

/* First-order conversion of compound `from` into `to`: a molar fraction fm
 * of from's clearance forms `to` in the central compartment, and a fraction
 * f_first_pass of from's absorption flux enters `to`'s central compartment
 * instead of from's. Both in [0, 1]; the sums over conversions out of one
 * compound must stay <= 1. */
PK_API pk_status pk_model_add_conversion(pk_model *m, int from, int to, double fm,
                                         double f_first_pass, pk_error *err);

/* A product containing n compounds at w_frac[i] (mass fraction, w/w, in
 * [0, 1]) of compound[i]. */
PK_API pk_status pk_model_add_product(pk_model *m, const char *id, size_t n,
                                      const int *compound, const double *w_frac,
                                      int *index_out, pk_error *err);

/* Drug-metabolising enzymes with a turnover (docs/model-format.md,
 * "Enzymes"). An enzyme's activity a is a state, a fraction of its
 * baseline (1 at the start):
 *   a' = kdeg (1 - a) - a sum_i kinact_i c_i / (KI_i + c_i),
 * resynthesis at the baseline rate against degradation and mechanism-based
 * inactivation by compounds i at unbound concentrations c_i (nM): in
 * plasma, fu_i C_i, or where the enzyme is the liver's and the compound is
 * taken by mouth, at the liver's inlet, fu_i (C_i + ka A_gut,i / Q_h) with
 * A_gut,i the amount being absorbed and Q_h the hepatic blood flow (the
 * usual estimate of the inlet concentration, Ito et al. 1998). A compound cleared partly through the enzyme has
 * clearance CL (1 - f + f a) (f the fraction through the enzyme at baseline
 * activity), and a conversion marked with the enzyme forms its metabolite
 * at fm CL a. A model with an enzyme is nonlinear: it runs on the ODE path
 * (pk_sim_resolve_solver). */
/* Adds an enzyme with turnover rate kdeg (1/h, > 0): its index to
 * *index_out if not NULL. */
PK_API pk_status pk_model_add_enzyme(pk_model *m, const char *id, const char *name,
                                     double kdeg_per_h, int *index_out, pk_error *err);
/* Compound i is cleared through enzyme e: a fraction f in [0, 1] of its CL
 * at baseline activity. The fractions over enzymes, plus the fm of its
 * conversions not through an enzyme, stay <= 1. */
PK_API pk_status pk_model_set_enzyme_clearance(pk_model *m, int compound, int enzyme,
                                               double fraction, pk_error *err);
/* Compound i inactivates enzyme e (mechanism-based): KI in nM of unbound
 * compound (> 0), kinact in 1/h (>= 0), fu_plasma its unbound fraction in
 * plasma, (0, 1]; Q_h the hepatic blood flow in L/h for the inlet
 * concentration (> 0), or 0 for the plasma concentration. */
PK_API pk_status pk_model_set_enzyme_inactivation(pk_model *m, int compound, int enzyme,
                                                  double KI_nM, double kinact_per_h,
                                                  double fu_plasma, double Q_h_L_per_h,
                                                  pk_error *err);
/* The conversion from -> to (added before) goes through enzyme e: its fm
 * is then a fraction of from's CL at baseline activity, scaled by e's
 * activity; the fm of from's conversions through e stay <= its fraction
 * of CL through e. */
PK_API pk_status pk_model_set_conversion_enzyme(pk_model *m, int from, int to, int enzyme,
                                                pk_error *err);
/* Reading them back: enzyme e's turnover; compound i's link to e (each
 * pointer may be NULL; fraction 0 and kinact 0 when there is none); a
 * conversion's fm, f_first_pass and enzyme (-1: none). */
PK_API pk_status pk_model_get_enzyme(const pk_model *m, int e, double *kdeg_per_h,
                                     pk_error *err);
PK_API pk_status pk_model_get_enzyme_link(const pk_model *m, int compound, int enzyme,
                                          double *fraction, double *KI_nM,
                                          double *kinact_per_h, double *fu_plasma,
                                          double *Q_h_L_per_h, pk_error *err);
PK_API pk_status pk_model_get_conversion(const pk_model *m, int from, int to, double *fm,
                                         double *f_first_pass, int *enzyme, pk_error *err);
PK_API int pk_model_enzyme_count(const pk_model *m);
/* Index of the enzyme with this id or name, -1 if none. */
PK_API int pk_model_find_enzyme(const pk_model *m, const char *id_or_name);
/* The id of enzyme e, NULL if out of range. */
PK_API const char *pk_model_enzyme_id(const pk_model *m, int e);

/* Rate k_tol (1/h, >= 0) at which tolerance follows the response. */
PK_API pk_status pk_model_set_adaptation(pk_model *m, double k_tol_per_h, pk_error *err);
PK_API double pk_model_adaptation(const pk_model *m);

/* Pharmacodynamics version 2 (docs/pd-model.md): two filters of the
 * adaptation mismatch d = tol - E, the withdrawal expression
 * wx' = k_wx (d - wx) and the fast follower wf' = k_wf (d - wf) (rates in
 * 1/h), and the withdrawal measure, a fraction of the system maximum,
 *   W = max(0, immediate (d - wf) + (1 - immediate) wx);
 * threshold is the level of W documented as the onset of symptoms (reported,
 * not used by the dynamics). k_wx 0 selects version 1 (no filters;
 * W = max(0, tol - E)). */
PK_API pk_status pk_model_set_withdrawal(pk_model *m, double k_wx_per_h, double k_wf_per_h,
                                         double immediate, double threshold, pk_error *err);
/* 1 for version 2 (the parameters in the non-NULL pointers), 0 for version
 * 1 (rates 0, immediate 1, threshold NaN). */
PK_API int pk_model_withdrawal(const pk_model *m, double *k_wx_per_h, double *k_wf_per_h,
                               double *immediate, double *threshold);

PK_API int pk_model_compound_count(const pk_model *m);
PK_API int pk_model_product_count(const pk_model *m);
/* Index of the compound (or product) with this id or name, -1 if none. */
PK_API int pk_model_find_compound(const pk_model *m, const char *id_or_name);
PK_API int pk_model_find_product(const pk_model *m, const char *id_or_name);
/* Copies the parameters of compound i into *out. */
PK_API pk_status pk_model_get_compound(const pk_model *m, int i, pk_compound_params *out,
                                       pk_error *err);
/* Content of product p: number of compounds, and for k < count, compound
 * index and content per dose unit: a mass fraction (w/w) for products dosed
 * in g, mg per unit for products dosed in units (tablets, films...), mg/h per
 * unit for patches (see pk_model_product_dose_unit). */
PK_API size_t pk_model_product_size(const pk_model *m, int p);
PK_API pk_status pk_model_product_content(const pk_model *m, int p, size_t k, int *compound,
                                          double *w_frac, pk_error *err);

/* The unit a dose of product p is counted in ("g", "tablet", "patch"...) and
 * its route ("oral", "sublingual", "transdermal"...); NULL if p is out of range. */
PK_API const char *pk_model_product_dose_unit(const pk_model *m, int p);
PK_API const char *pk_model_product_route(const pk_model *m, int p);

/* Loads one model file (JSON) into m: a compound (with its conversions to
 * compounds already in m), a product, or a receptor description. The format
 * is in docs/model-format.md. */
PK_API pk_status pk_model_load_file(pk_model *m, const char *path, pk_error *err);
/* The same from memory: text[0..len) is the file's JSON (it need not end in
 * a NUL; a NUL byte in it is an error) and name (may be NULL) the file name
 * messages give. text is not kept. On failure m may hold what the file added
 * before the error was found, as with pk_model_load_file. */
PK_API pk_status pk_model_load_text(pk_model *m, const char *text, size_t len, const char *name,
                                    pk_error *err);

#ifdef __cplusplus
}
#endif
#endif
