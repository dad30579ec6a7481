/* pk/population.h - a population of subjects: log-normal between-subject
 * variability and body weight.
 *
 * Subject i of a population with seed S has, for every parameter k with
 * variability,
 *
 *     P_ik = P_k * (WT_i / WT_ref)^theta_k * exp(eta_ik),   eta_i ~ N(0, Omega)
 *
 * where P_k is the typical value (the model's), Omega the full covariance
 * matrix of the etas (variances on the log scale, correlations or
 * covariances between them) and theta_k the allometric exponent of the
 * parameter (CL and Q1/Q2: 0.75, V and Vp1/Vp2: 1 by default; every compound's
 * clearances and volumes are scaled, whether or not they vary). Body weight
 * WT_i is fixed or log-normal with a given median and CV; without a weight
 * covariate nothing is scaled.
 *
 * The random numbers of subject i are a deterministic function of (S, i)
 * alone: a generator is seeded for each subject from splitmix64 of the seed
 * and the index, then draws the standard normals z_1..z_p of the etas
 * (eta = L z with Omega = L L^T, Cholesky) and then the weight's. A subject
 * is therefore the same whatever the number of threads, processes or shards
 * and whichever subjects are drawn before it.
 *
 * The JSON form (a "population" block in a scenario file, or a file of its
 * own) is described in docs/population.md.
 */
#ifndef PK_POPULATION_H
#define PK_POPULATION_H

#include <stddef.h>
#include <stdint.h>
#include "pk/error.h"
#include "pk/model.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct pk_population pk_population;

typedef enum pk_weight_kind {
  PK_WEIGHT_NONE = 0,     /* no weight covariate: no allometric scaling */
  PK_WEIGHT_FIXED = 1,    /* every subject weighs median_kg */
  PK_WEIGHT_LOGNORMAL = 2 /* WT = median_kg * exp(s z), s^2 = ln(1 + cv^2) */
} pk_weight_kind;

/* An empty population (no variability, no covariate) for subjects of model
 * m: parameter names are resolved against m's compounds. NULL if out of
 * memory. */
PK_API pk_population *pk_population_new(const pk_model *m);
PK_API void pk_population_free(pk_population *p); /* NULL is safe */

/* Adds log-normal variability with variance omega (> 0, log scale) to the
 * parameter named target: "<compound>.<KEY>" with the compound's id or name
 * and a parameter key of the model files ("mitragynine.CL", "mg.V",
 * "7oh.ka"; keys are matched without regard to case), "k_tol" (the
 * receptor's adaptation rate), or "k_wx", "k_wf", "immediate" (its withdrawal
 * parameters, PD version 2). A CV of c (a fraction) is omega = ln(1 + c^2). */
PK_API pk_status pk_population_add(pk_population *p, const char *target, double omega,
                                   pk_error *err);

/* Sets the correlation r (in [-1, 1]) or the covariance of the etas of two
 * parameters already added. */
PK_API pk_status pk_population_set_correlation(pk_population *p, const char *a, const char *b,
                                               double r, pk_error *err);
PK_API pk_status pk_population_set_covariance(pk_population *p, const char *a, const char *b,
                                              double cov, pk_error *err);

/* Body weight: fixed (cv ignored) or log-normal with median median_kg
 * (> 0) and coefficient of variation cv (a fraction, > 0). */
PK_API pk_status pk_population_set_weight(pk_population *p, pk_weight_kind kind,
                                          double median_kg, double cv, pk_error *err);

/* Allometric scaling: reference weight (> 0, default 70 kg) and exponents of
 * CL, of Q1/Q2, of V and of Vp1/Vp2 (finite; defaults 0.75, 0.75, 1, 1). */
PK_API pk_status pk_population_set_allometry(pk_population *p, double reference_kg,
                                             double e_cl, double e_q, double e_v, double e_vp,
                                             pk_error *err);

/* Checks the population and factorises Omega (Cholesky); a matrix that is
 * not positive definite is refused. Needed before drawing subjects;
 * pk_population_load does it. */
PK_API pk_status pk_population_prepare(pk_population *p, pk_error *err);

/* Reads a population from a JSON file for subjects of model m: either a
 * scenario file with a "population" block, or a file holding the block's
 * keys at its top level (docs/population.md). Errors name the file and the
 * key path. The result is prepared. */
PK_API pk_status pk_population_load(const char *path, const pk_model *m, pk_population **out,
                                    pk_error *err);
/* The same from memory: text[0..len) is the file's JSON (it need not end in
 * a NUL; a NUL byte in it is an error) and name (may be NULL) the file name
 * messages give. text is not kept. */
PK_API pk_status pk_population_load_text(const char *text, size_t len, const char *name,
                                         const pk_model *m, pk_population **out,
                                         pk_error *err);

/* Number of parameters with variability, and their covariance matrix. */
PK_API size_t pk_population_size(const pk_population *p);
PK_API double pk_population_omega(const pk_population *p, size_t a, size_t b);
PK_API pk_weight_kind pk_population_weight(const pk_population *p);

/* The values reported for each subject: its weight (kg, when there is a
 * weight covariate) then the individual value of each parameter with
 * variability. Names: "WT", then "<compound id>.<KEY>", "k_tol", "k_wx", "k_wf" or
 * "immediate". */
PK_API size_t pk_population_value_count(const pk_population *p);
PK_API const char *pk_population_value_name(const pk_population *p, size_t k);

/* Draws subject `index` of the population with seed `seed`: its etas
 * (pk_population_size values) and its weight (NaN without a weight
 * covariate). Either output may be NULL. The population must be prepared. */
PK_API pk_status pk_population_draw(const pk_population *p, uint64_t seed, uint64_t index,
                                    double *eta, double *weight_kg, pk_error *err);

/* Makes subject `index`: copies `typical` (a model with the compounds the
 * population was made for) into `subject` (a model from pk_model_new) and
 * applies weight scaling and the etas. values (may be NULL) receives
 * pk_population_value_count values. A parameter pushed out of its range
 * (for example fu above 1) is PK_ERR_INVALID with the reason. */
PK_API pk_status pk_population_subject(const pk_population *p, const pk_model *typical,
                                       uint64_t seed, uint64_t index, pk_model *subject,
                                       double *values, pk_error *err);

#ifdef __cplusplus
}
#endif
#endif
