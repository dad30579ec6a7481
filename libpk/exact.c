/* exact.c - exact propagation of the linear part with cached propagators,
 * and the adaptation state by quadrature of its exact solution (exact.h). */
#include <gsl/gsl_errno.h>
#include <gsl/gsl_integration.h>
#include <gsl/gsl_linalg.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "exact.h"

enum { N_NODES = 8, CACHE_SIZE = 32 };

/* Propagators for one sub-step length: at each quadrature node and at the
 * end of the sub-step. */
typedef struct prop {
  double h;    /* the step length it was built for (0: unused slot) */
  int n_sub;   /* sub-steps per step */
  double *phi; /* (N_NODES + 1) matrices n x n: nodes, then the sub-step end */
  double *gam; /* the same for Gamma */
} prop;

struct pk_exact {
  const pk_system *s;
  int n;
  double rho;  /* bound on the fastest rate of A, 1/h */
  double node[N_NODES], weight[N_NODES]; /* Gauss-Legendre on [0, 1] */
  prop cache[CACHE_SIZE];
  int next;    /* slot to replace next */
  double *xn;
  gsl_matrix *aug, *eaug;
};

int pk_exact_supports(const pk_system *s) { return s->n_kinetic == 0; }

pk_exact *pk_exact_new(const pk_system *s) {
  pk_exact *x = calloc(1, sizeof *x);
  if (!x) return NULL;
  x->s = s;
  x->n = s->n_lin;
  size_t n = (size_t)x->n;
  for (size_t i = 0; i < n; i++) {
    double row = 0;
    for (size_t j = 0; j < n; j++) row += fabs(s->A[i * n + j]);
    x->rho = fmax(x->rho, row);
  }
  gsl_integration_glfixed_table *t = gsl_integration_glfixed_table_alloc(N_NODES);
  x->xn = malloc(n * sizeof *x->xn);
  x->aug = gsl_matrix_alloc(2 * n, 2 * n);
  x->eaug = gsl_matrix_alloc(2 * n, 2 * n);
  if (!t || !x->xn || !x->aug || !x->eaug) {
    gsl_integration_glfixed_table_free(t);
    pk_exact_free(x);
    return NULL;
  }
  for (size_t i = 0; i < N_NODES; i++)
    gsl_integration_glfixed_point(0.0, 1.0, i, &x->node[i], &x->weight[i], t);
  gsl_integration_glfixed_table_free(t);
  return x;
}

void pk_exact_free(pk_exact *x) {
  if (!x) return;
  for (int k = 0; k < CACHE_SIZE; k++) {
    free(x->cache[k].phi);
    free(x->cache[k].gam);
  }
  free(x->xn);
  gsl_matrix_free(x->aug);
  gsl_matrix_free(x->eaug);
  free(x);
}

/* Phi(tau) and Gamma(tau) from exp([[A, I], [0, 0]] tau). */
static pk_status propagate_pair(pk_exact *x, double tau, double *phi, double *gam,
                                pk_error *err) {
  size_t n = (size_t)x->n;
  gsl_matrix_set_zero(x->aug);
  for (size_t i = 0; i < n; i++) {
    for (size_t j = 0; j < n; j++) gsl_matrix_set(x->aug, i, j, x->s->A[i * n + j] * tau);
    gsl_matrix_set(x->aug, i, n + i, tau);
  }
  if (gsl_linalg_exponential_ss(x->aug, x->eaug, GSL_PREC_DOUBLE) != GSL_SUCCESS)
    return pk_err_set(err, PK_ERR_SOLVER, NULL, NULL,
                      "matrix exponential failed for a step of %g h", tau);
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < n; j++) {
      phi[i * n + j] = gsl_matrix_get(x->eaug, i, j);
      gam[i * n + j] = gsl_matrix_get(x->eaug, i, n + j);
    }
  return PK_OK;
}

/* The cached propagators for step h (matched to a relative 1e-11, which
 * changes the result by far less than the tolerance of any output). */
static pk_status get_prop(pk_exact *x, double h, const prop **out, pk_error *err) {
  for (int k = 0; k < CACHE_SIZE; k++)
    if (x->cache[k].h > 0 && fabs(x->cache[k].h - h) <= 1e-11 * h) {
      *out = &x->cache[k];
      return PK_OK;
    }
  prop *p = &x->cache[x->next];
  x->next = (x->next + 1) % CACHE_SIZE;
  size_t nn = (size_t)x->n * (size_t)x->n;
  if (!p->phi) {
    p->phi = malloc((N_NODES + 1) * nn * sizeof *p->phi);
    p->gam = malloc((N_NODES + 1) * nn * sizeof *p->gam);
    if (!p->phi || !p->gam) return pk_err_nomem(err);
  }
  /* sub-steps short against the fastest rate keep the quadrature exact to
   * far below the solver tolerances */
  p->n_sub = (int)fmax(1.0, ceil(h * x->rho / 2.0));
  double hs = h / p->n_sub;
  p->h = 0;
  for (int i = 0; i <= N_NODES; i++) {
    double tau = i < N_NODES ? x->node[i] * hs : hs;
    pk_status st = propagate_pair(x, tau, p->phi + (size_t)i * nn, p->gam + (size_t)i * nn, err);
    if (st != PK_OK) return st;
  }
  p->h = h;
  *out = p;
  return PK_OK;
}

/* out = M x + G b for n x n matrices M, G. */
static void affine(int n, const double *M, const double *G, const double *x, const double *b,
                   double *out) {
  for (int i = 0; i < n; i++) {
    const double *m = M + (size_t)i * (size_t)n, *g = G + (size_t)i * (size_t)n;
    double acc = 0.0;
    for (int j = 0; j < n; j++) acc += m[j] * x[j] + g[j] * b[j];
    out[i] = acc;
  }
}

pk_status pk_exact_step(pk_exact *x, double h, const double *rate, double *y, pk_error *err) {
  const prop *p = NULL;
  pk_status st = get_prop(x, h, &p, err);
  if (st != PK_OK) return st;
  const pk_system *s = x->s;
  int n = x->n;
  size_t nn = (size_t)n * (size_t)n;
  double hs = h / p->n_sub, k = s->k_tol_per_h;
  for (int sub = 0; sub < p->n_sub; sub++) {
    /* tol(hs) = e^{-k hs} tol + k hs sum_i w_i e^{-k hs (1 - s_i)} E(s_i hs) */
    double acc = 0.0;
    for (int i = 0; i < N_NODES && k > 0; i++) {
      /* the linear state at the node: effect sites are linear states, and
       * without kinetic ligands E needs nothing else */
      affine(n, p->phi + (size_t)i * nn, p->gam + (size_t)i * nn, y, rate, x->xn);
      double occ, E;
      pk_system_response(s, x->xn, NULL, &occ, &E);
      acc += x->weight[i] * exp(-k * hs * (1.0 - x->node[i])) * E;
    }
    affine(n, p->phi + (size_t)N_NODES * nn, p->gam + (size_t)N_NODES * nn, y, rate, x->xn);
    memcpy(y, x->xn, (size_t)n * sizeof *y);
    y[s->tol] = exp(-k * hs) * y[s->tol] + k * hs * acc;
    for (int i = 0; i < n; i++)
      if (!isfinite(y[i]))
        return pk_err_set(err, PK_ERR_SOLVER, NULL, NULL, "exact propagation gave a non-finite state");
  }
  return PK_OK;
}
