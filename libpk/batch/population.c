/* population.c - log-normal between-subject variability with a full
 * covariance matrix, body weight with allometric scaling; each subject's
 * random numbers a function of the seed and its index only (rng.h), its
 * settings applied as targets (target.h). */
#include <gsl/gsl_errno.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "population_internal.h"
#include "rng.h"
#include "target.h"

enum { PK_POP_MAX = 64 };

struct pk_population {
  pk_model model; /* a copy of the model it was made for: names resolve against it */
  size_t n;
  pk_target target[PK_POP_MAX];
  double omega[PK_POP_MAX * PK_POP_MAX]; /* covariance of the etas, row-major */
  double chol[PK_POP_MAX * PK_POP_MAX];  /* lower Cholesky factor once prepared */
  int prepared;
  pk_weight_kind weight;
  double weight_median_kg, weight_sigma;
  double ref_kg, e_cl, e_q, e_v, e_vp;
  char value_name[PK_POP_MAX + 1][PK_TARGET_NAME_MAX];
};

/* ---- populations ---- */

pk_population *pk_population_new(const pk_model *m) {
  if (!m) return NULL;
  pk_population *p = calloc(1, sizeof *p);
  if (!p) return NULL;
  p->model = *m;
  p->ref_kg = 70.0;
  p->e_cl = 0.75;
  p->e_q = 0.75;
  p->e_v = 1.0;
  p->e_vp = 1.0;
  p->weight_median_kg = NAN;
  return p;
}

void pk_population_free(pk_population *p) { free(p); }

static const unsigned POP_TARGETS = (1u << PK_TARGET_PARAM) | (1u << PK_TARGET_K_TOL) |
                                    (1u << PK_TARGET_PD) | (1u << PK_TARGET_DOSE) |
                                    (1u << PK_TARGET_FM);

/* Index of the parameter named name (any spelling that resolves to it). */
static int find_target(const pk_population *p, const char *name, pk_error *err) {
  pk_target t;
  char msg[PK_ERROR_MESSAGE_MAX];
  if (pk_target_parse(&p->model, name, POP_TARGETS, &t, msg, sizeof msg) != 0) {
    pk_err_set(err, PK_ERR_INVALID, NULL, NULL, "%s", msg);
    return -1;
  }
  for (size_t k = 0; k < p->n; k++)
    if (strcmp(p->target[k].name, t.name) == 0) return (int)k;
  pk_err_set(err, PK_ERR_INVALID, NULL, NULL,
             "'%s' has no variability; give it an omega or a CV among the parameters first",
             name);
  return -1;
}

pk_status pk_population_add(pk_population *p, const char *target, double omega,
                            pk_error *err) {
  pk_error_clear(err);
  if (!p) return pk_err_set(err, PK_ERR_INVALID, NULL, NULL, "no population");
  pk_target t;
  char msg[PK_ERROR_MESSAGE_MAX];
  if (pk_target_parse(&p->model, target, POP_TARGETS, &t, msg, sizeof msg) != 0)
    return pk_err_set(err, PK_ERR_INVALID, NULL, NULL, "%s", msg);
  for (size_t k = 0; k < p->n; k++)
    if (strcmp(p->target[k].name, t.name) == 0)
      return pk_err_set(err, PK_ERR_INVALID, NULL, NULL,
                        "'%s' is given twice (as %s)", target, t.name);
  if (!(isfinite(omega) && omega > 0 && omega <= 25))
    return pk_err_set(err, PK_ERR_INVALID, NULL, NULL,
                      "%s: expected a variance of eta (log scale) in (0, 25], got %g", target,
                      omega);
  if (p->n >= PK_POP_MAX)
    return pk_err_set(err, PK_ERR_RANGE, NULL, NULL, "more than %d parameters with variability",
                      PK_POP_MAX);
  size_t k = p->n++;
  p->target[k] = t;
  for (size_t j = 0; j < p->n; j++) p->omega[k * PK_POP_MAX + j] = p->omega[j * PK_POP_MAX + k] = 0;
  p->omega[k * PK_POP_MAX + k] = omega;
  p->prepared = 0;
  return PK_OK;
}

static pk_status set_off_diagonal(pk_population *p, const char *a, const char *b, double x,
                                  int is_r, pk_error *err) {
  pk_error_clear(err);
  if (!p) return pk_err_set(err, PK_ERR_INVALID, NULL, NULL, "no population");
  int i = find_target(p, a, err), j = i < 0 ? -1 : find_target(p, b, err);
  if (i < 0 || j < 0) return PK_ERR_INVALID;
  if (i == j)
    return pk_err_set(err, PK_ERR_INVALID, NULL, NULL,
                      "'%s' and '%s' are the same parameter; its variance is its omega", a, b);
  double vi = p->omega[i * PK_POP_MAX + i], vj = p->omega[j * PK_POP_MAX + j];
  if (is_r && !(isfinite(x) && x >= -1 && x <= 1))
    return pk_err_set(err, PK_ERR_INVALID, NULL, NULL,
                      "expected a correlation in [-1, 1], got %g", x);
  if (!isfinite(x))
    return pk_err_set(err, PK_ERR_INVALID, NULL, NULL, "expected a finite covariance, got %g",
                      x);
  double cov = is_r ? x * sqrt(vi * vj) : x;
  p->omega[i * PK_POP_MAX + j] = p->omega[j * PK_POP_MAX + i] = cov;
  p->prepared = 0;
  return PK_OK;
}

pk_status pk_population_set_correlation(pk_population *p, const char *a, const char *b,
                                        double r, pk_error *err) {
  return set_off_diagonal(p, a, b, r, 1, err);
}

pk_status pk_population_set_covariance(pk_population *p, const char *a, const char *b,
                                       double cov, pk_error *err) {
  return set_off_diagonal(p, a, b, cov, 0, err);
}

pk_status pk_population_set_weight(pk_population *p, pk_weight_kind kind, double median_kg,
                                   double cv, pk_error *err) {
  pk_error_clear(err);
  if (!p) return pk_err_set(err, PK_ERR_INVALID, NULL, NULL, "no population");
  if (kind == PK_WEIGHT_NONE) {
    p->weight = kind;
    return PK_OK;
  }
  if (kind != PK_WEIGHT_FIXED && kind != PK_WEIGHT_LOGNORMAL)
    return pk_err_set(err, PK_ERR_INVALID, NULL, NULL, "unknown weight distribution %d",
                      (int)kind);
  if (!(isfinite(median_kg) && median_kg > 0 && median_kg <= 1000))
    return pk_err_set(err, PK_ERR_INVALID, NULL, NULL,
                      "expected a body weight in (0, 1000] kg, got %g", median_kg);
  if (kind == PK_WEIGHT_LOGNORMAL && !(isfinite(cv) && cv > 0 && cv <= 5))
    return pk_err_set(err, PK_ERR_INVALID, NULL, NULL,
                      "expected a weight CV in (0, 500] %%, got %g %%", 100 * cv);
  p->weight = kind;
  p->weight_median_kg = median_kg;
  p->weight_sigma = kind == PK_WEIGHT_LOGNORMAL ? sqrt(log1p(cv * cv)) : 0.0;
  p->prepared = 0;
  return PK_OK;
}

pk_status pk_population_set_allometry(pk_population *p, double reference_kg, double e_cl,
                                      double e_q, double e_v, double e_vp, pk_error *err) {
  pk_error_clear(err);
  if (!p) return pk_err_set(err, PK_ERR_INVALID, NULL, NULL, "no population");
  if (!(isfinite(reference_kg) && reference_kg > 0 && reference_kg <= 1000))
    return pk_err_set(err, PK_ERR_INVALID, NULL, NULL,
                      "expected a reference weight in (0, 1000] kg, got %g", reference_kg);
  const double e[4] = {e_cl, e_q, e_v, e_vp};
  for (int k = 0; k < 4; k++)
    if (!(isfinite(e[k]) && fabs(e[k]) <= 10))
      return pk_err_set(err, PK_ERR_INVALID, NULL, NULL,
                        "expected an allometric exponent in [-10, 10], got %g", e[k]);
  p->ref_kg = reference_kg;
  p->e_cl = e_cl;
  p->e_q = e_q;
  p->e_v = e_v;
  p->e_vp = e_vp;
  return PK_OK;
}

pk_status pk_population_prepare(pk_population *p, pk_error *err) {
  pk_error_clear(err);
  if (!p) return pk_err_set(err, PK_ERR_INVALID, NULL, NULL, "no population");
  size_t n = p->n;
  p->prepared = 0;
  if (n > 0) {
    gsl_matrix *a = gsl_matrix_alloc(n, n);
    if (!a) return pk_err_nomem(err);
    for (size_t i = 0; i < n; i++)
      for (size_t j = 0; j < n; j++) gsl_matrix_set(a, i, j, p->omega[i * PK_POP_MAX + j]);
    /* Cholesky, written out: GSL's refuses a matrix that is not positive
     * definite through its error handler, which aborts by default, and
     * this matrix comes from the user. The lower triangle of a becomes the
     * factor. A diagonal element of the factor that is not positive, or so
     * small that the draws would be meaningless, is refused. */
    int rc = 0;
    for (size_t j = 0; j < n && rc == 0; j++) {
      double d = gsl_matrix_get(a, j, j);
      for (size_t k = 0; k < j; k++) d -= gsl_matrix_get(a, j, k) * gsl_matrix_get(a, j, k);
      if (!(d > 0) || !(sqrt(d) > 1e-8 * sqrt(p->omega[j * PK_POP_MAX + j]))) {
        rc = GSL_EDOM;
        break;
      }
      d = sqrt(d);
      gsl_matrix_set(a, j, j, d);
      for (size_t i = j + 1; i < n; i++) {
        double x = gsl_matrix_get(a, i, j);
        for (size_t k = 0; k < j; k++) x -= gsl_matrix_get(a, i, k) * gsl_matrix_get(a, j, k);
        gsl_matrix_set(a, i, j, x / d);
      }
    }
    if (rc != 0) {
      gsl_matrix_free(a);
      return pk_err_set(err, PK_ERR_INVALID, NULL, NULL,
                        "the covariance matrix of the etas (omega with its correlations) is "
                        "not positive definite; expected correlations that can occur "
                        "together (for three parameters, for example, r12 = r13 = 0.9 needs "
                        "r23 > 0.62)");
    }
    for (size_t i = 0; i < n; i++)
      for (size_t j = 0; j < n; j++)
        p->chol[i * PK_POP_MAX + j] = j <= i ? gsl_matrix_get(a, i, j) : 0.0;
    gsl_matrix_free(a);
  }
  size_t v = 0;
  if (p->weight != PK_WEIGHT_NONE) snprintf(p->value_name[v++], PK_TARGET_NAME_MAX, "WT");
  for (size_t k = 0; k < n; k++)
    snprintf(p->value_name[v++], PK_TARGET_NAME_MAX, "%s", p->target[k].name);
  p->prepared = 1;
  return PK_OK;
}

size_t pk_population_size(const pk_population *p) { return p ? p->n : 0; }
int pk_population_is_prepared(const pk_population *p) { return p && p->prepared; }
int pk_population_compound_count(const pk_population *p) { return p ? p->model.n_compounds : 0; }

double pk_population_omega(const pk_population *p, size_t a, size_t b) {
  return p && a < p->n && b < p->n ? p->omega[a * PK_POP_MAX + b] : NAN;
}

pk_weight_kind pk_population_weight(const pk_population *p) {
  return p ? p->weight : PK_WEIGHT_NONE;
}

size_t pk_population_value_count(const pk_population *p) {
  return p ? p->n + (p->weight != PK_WEIGHT_NONE) : 0;
}

const char *pk_population_value_name(const pk_population *p, size_t k) {
  return p && p->prepared && k < pk_population_value_count(p) ? p->value_name[k] : NULL;
}

/* The draws of one subject with a generator r already allocated. */
static void draw(const pk_population *p, gsl_rng *r, uint64_t seed, uint64_t index,
                 double *eta, double *weight_kg) {
  double z[PK_POP_MAX];
  pk_rng_seed(r, seed, PK_STREAM_POPULATION, index);
  for (size_t k = 0; k < p->n; k++) z[k] = gsl_ran_gaussian_ziggurat(r, 1.0);
  double zw = gsl_ran_gaussian_ziggurat(r, 1.0);
  for (size_t i = 0; eta && i < p->n; i++) {
    double acc = 0.0;
    for (size_t j = 0; j <= i; j++) acc += p->chol[i * PK_POP_MAX + j] * z[j];
    eta[i] = acc;
  }
  if (weight_kg)
    *weight_kg = p->weight == PK_WEIGHT_NONE ? NAN
                                             : p->weight_median_kg * exp(p->weight_sigma * zw);
}

pk_status pk_population_draw(const pk_population *p, uint64_t seed, uint64_t index,
                             double *eta, double *weight_kg, pk_error *err) {
  pk_error_clear(err);
  if (!p || !p->prepared)
    return pk_err_set(err, PK_ERR_INVALID, NULL, NULL,
                      "the population is not prepared (pk_population_prepare)");
  gsl_rng *r = pk_rng_new();
  if (!r) return pk_err_nomem(err);
  draw(p, r, seed, index, eta, weight_kg);
  gsl_rng_free(r);
  return PK_OK;
}

/* Scales every compound's clearances and volumes by (WT/ref)^exponent. */
static void allometry(const pk_population *p, pk_model *m, double wt) {
  double f = wt / p->ref_kg;
  double fcl = pow(f, p->e_cl), fq = pow(f, p->e_q), fv = pow(f, p->e_v), fvp = pow(f, p->e_vp);
  for (int c = 0; c < m->n_compounds; c++) {
    pk_compound_params *q = &m->compound[c];
    q->CL_L_per_h *= fcl;
    q->V_L *= fv;
    for (int k = 0; k < q->n_peripheral; k++) {
      q->Q_L_per_h[k] *= fq;
      q->Vp_L[k] *= fvp;
    }
  }
}

/* Applies the draws (eta, wt) to subject (a copy of typical); dose
 * multipliers (product content) go to *extra. */
static pk_status apply(const pk_population *p, pk_model *subject, const double *eta,
                       double wt, double *values, pk_subject_extra *extra, pk_error *err) {
  size_t v = 0;
  char msg[PK_ERROR_MESSAGE_MAX];
  if (p->weight != PK_WEIGHT_NONE) {
    allometry(p, subject, wt);
    for (int c = 0; c < subject->n_compounds; c++) {
      pk_compound_params q = subject->compound[c];
      if (pk_model_set_compound(subject, c, &q, err) != PK_OK) {
        snprintf(msg, sizeof msg, "%s", err->message);
        return pk_err_set(err, PK_ERR_INVALID, NULL, NULL, "at WT = %g kg: %s", wt, msg);
      }
    }
    if (values) values[v++] = wt;
  }
  for (size_t k = 0; k < p->n; k++) {
    const pk_target *t = &p->target[k];
    double x = pk_target_typical(subject, NULL, t) * exp(eta[k]);
    if (values) values[v++] = x;
    if (pk_target_apply(subject, extra, t, x, msg, sizeof msg) != 0)
      return pk_err_set(err, PK_ERR_INVALID, NULL, NULL, "%s", msg);
  }
  return PK_OK;
}

pk_status pk_population_subject(const pk_population *p, const pk_model *typical, uint64_t seed,
                                uint64_t index, pk_model *subject, double *values,
                                pk_error *err) {
  pk_error_clear(err);
  if (!p || !p->prepared || !typical || !subject)
    return pk_err_set(err, PK_ERR_INVALID, NULL, NULL,
                      "no population (prepared), typical model or subject model");
  if (typical->n_compounds != p->model.n_compounds)
    return pk_err_set(err, PK_ERR_INVALID, NULL, NULL,
                      "the model has %d compounds, the population was made for %d",
                      typical->n_compounds, p->model.n_compounds);
  gsl_rng *r = pk_rng_new();
  if (!r) return pk_err_nomem(err);
  double eta[PK_POP_MAX], wt = NAN;
  draw(p, r, seed, index, eta, &wt);
  gsl_rng_free(r);
  *subject = *typical;
  for (size_t k = 0; values && k < pk_population_value_count(p); k++) values[k] = NAN;
  pk_subject_extra extra = pk_subject_extra_default(0.0);
  return apply(p, subject, eta, wt, values, &extra, err);
}

/* For batch.c: the same with the caller's generator (one per thread). */
pk_status pk_population_subject_rng(const pk_population *p, const pk_model *typical,
                                    gsl_rng *r, uint64_t seed, uint64_t index,
                                    pk_model *subject, double *values, pk_subject_extra *extra,
                                    pk_error *err) {
  double eta[PK_POP_MAX], wt = NAN;
  draw(p, r, seed, index, eta, &wt);
  pk_model_copy_into(subject, typical);
  for (size_t k = 0; values && k < pk_population_value_count(p); k++) values[k] = NAN;
  return apply(p, subject, eta, wt, values, extra, err);
}
