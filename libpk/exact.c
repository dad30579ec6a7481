/* exact.c - exact propagation of the linear part with cached propagators,
 * and the adaptation state by adaptive quadrature of its exact solution
 * (exact.h). */
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "exact.h"

enum { N_NODES = 15, CACHE_SIZE = 64, MAX_DEPTH = 16 };

/* 15-point Gauss-Kronrod rule on [-1, 1] (QUADPACK qk15) with its embedded
 * 7-point Gauss rule: abscissae of the positive half, Kronrod and Gauss
 * weights. */
static const double XGK[8] = {
    0.991455371120812639206854697526329, 0.949107912342758524526189684047851,
    0.864864423359769072789712788640926, 0.741531185599394439863864773280788,
    0.586087235467691130294144845693013, 0.405845151377397166906606412076961,
    0.207784955007898467600689403773245, 0.000000000000000000000000000000000};
static const double WGK[8] = {
    0.022935322010529224963732008058970, 0.063092092629978553290700663189204,
    0.104790010322250183839876322541518, 0.140653259715525918745189590510238,
    0.169004726639267902826583426598550, 0.190350578064785409913256402421014,
    0.204432940075298892414161999234649, 0.209482141084727828012999174891714};
static const double WG[4] = {
    0.129484966168869693270611432679082, 0.279705391489276667901467771423780,
    0.381830050505118944950369775488975, 0.417959183673469387755102040816327};

/* Propagators for one step length: at each quadrature node only the rows
 * of the ligands' effect sites (all that E depends on), and the whole
 * matrices at the end of the step. */
typedef struct prop {
  double h;         /* the step length it was built for (0: unused slot) */
  double *phi_node; /* N_NODES blocks of n_ligands x n */
  double *gam_node;
  double *phi;      /* n x n at the end of the step */
  double *gam;
} prop;

struct pk_exact {
  const pk_system *s;
  int n;
  double rho;  /* the fastest rate of A (largest diagonal magnitude), 1/h */
  double node[N_NODES], wk[N_NODES], wg[N_NODES]; /* on [0, 1]; wg 0 off the Gauss points */
  prop cache[CACHE_SIZE];
  int next;    /* slot to replace next */
  double *xn, *full_phi, *full_gam;
  double *mid; /* MAX_DEPTH states for the bisection of a step */
  gsl_matrix *aug, *eaug;
};

int pk_exact_supports(const pk_system *s) { return s->n_kinetic == 0; }

static void fill_rule(pk_exact *x) {
  for (int j = 0; j < 7; j++) {
    x->node[2 * j] = 0.5 * (1.0 - XGK[j]);
    x->node[2 * j + 1] = 0.5 * (1.0 + XGK[j]);
    x->wk[2 * j] = x->wk[2 * j + 1] = 0.5 * WGK[j];
    x->wg[2 * j] = x->wg[2 * j + 1] = (j % 2 == 1) ? 0.5 * WG[j / 2] : 0.0;
  }
  x->node[14] = 0.5;
  x->wk[14] = 0.5 * WGK[7];
  x->wg[14] = 0.5 * WG[3];
}

pk_exact *pk_exact_new(const pk_system *s) {
  pk_exact *x = calloc(1, sizeof *x);
  if (!x) return NULL;
  x->s = s;
  x->n = s->n_lin;
  size_t n = (size_t)x->n;
  /* the diagonal holds every compartment's total outflow rate: the fastest
   * rate of the system up to a small factor */
  for (size_t i = 0; i < n; i++) x->rho = fmax(x->rho, fabs(s->A[i * n + i]));
  fill_rule(x);
  x->xn = malloc(n * sizeof *x->xn);
  x->full_phi = malloc(n * n * sizeof *x->full_phi);
  x->full_gam = malloc(n * n * sizeof *x->full_gam);
  x->mid = malloc(MAX_DEPTH * n * sizeof *x->mid);
  x->aug = gsl_matrix_alloc(2 * n, 2 * n);
  x->eaug = gsl_matrix_alloc(2 * n, 2 * n);
  if (!x->xn || !x->full_phi || !x->full_gam || !x->mid || !x->aug || !x->eaug) {
    pk_exact_free(x);
    return NULL;
  }
  return x;
}

void pk_exact_free(pk_exact *x) {
  if (!x) return;
  for (int k = 0; k < CACHE_SIZE; k++) {
    free(x->cache[k].phi_node);
    free(x->cache[k].gam_node);
    free(x->cache[k].phi);
    free(x->cache[k].gam);
  }
  free(x->xn);
  free(x->full_phi);
  free(x->full_gam);
  free(x->mid);
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

static pk_status build_prop(pk_exact *x, prop *p, double h, pk_error *err) {
  size_t n = (size_t)x->n, nl = (size_t)x->s->n_ligands;
  if (!p->phi) {
    p->phi_node = malloc(N_NODES * nl * n * sizeof *p->phi_node + 1);
    p->gam_node = malloc(N_NODES * nl * n * sizeof *p->gam_node + 1);
    p->phi = malloc(n * n * sizeof *p->phi);
    p->gam = malloc(n * n * sizeof *p->gam);
    if (!p->phi_node || !p->gam_node || !p->phi || !p->gam) return pk_err_nomem(err);
  }
  p->h = 0;
  for (int i = 0; i < N_NODES; i++) {
    pk_status st = propagate_pair(x, x->node[i] * h, x->full_phi, x->full_gam, err);
    if (st != PK_OK) return st;
    for (size_t l = 0; l < nl; l++) {
      size_t row = (size_t)x->s->lig_state[l], off = ((size_t)i * nl + l) * n;
      memcpy(p->phi_node + off, x->full_phi + row * n, n * sizeof *p->phi);
      memcpy(p->gam_node + off, x->full_gam + row * n, n * sizeof *p->gam);
    }
  }
  pk_status st = propagate_pair(x, h, p->phi, p->gam, err);
  if (st == PK_OK) p->h = h;
  return st;
}

/* The cached propagators for step h (matched to a relative 1e-11, which
 * changes the result by far less than the tolerance of any output). The
 * pointer stays valid until the next call. */
static pk_status get_prop(pk_exact *x, double h, const prop **out, pk_error *err) {
  for (int k = 0; k < CACHE_SIZE; k++)
    if (x->cache[k].h > 0 && fabs(x->cache[k].h - h) <= 1e-11 * h) {
      *out = &x->cache[k];
      return PK_OK;
    }
  prop *p = &x->cache[x->next];
  x->next = (x->next + 1) % CACHE_SIZE;
  pk_status st = build_prop(x, p, h, err);
  if (st == PK_OK) *out = p;
  return st;
}

/* out = M x + G b (G b left out when no input runs). */
static void affine(int n, const double *M, const double *G, const double *x, const double *b,
                   int has_rate, double *out) {
  for (int i = 0; i < n; i++) {
    const double *m = M + (size_t)i * (size_t)n, *g = G + (size_t)i * (size_t)n;
    double acc = 0.0;
    for (int j = 0; j < n; j++) acc += m[j] * x[j];
    for (int j = 0; has_rate && j < n; j++) acc += g[j] * b[j];
    out[i] = acc;
  }
}

/* E from the effect-site values at a node (equilibrium binding only). */
static double node_response(const pk_system *s, const double *phi, const double *gam,
                            const double *y, const double *rate, int has_rate) {
  int n = s->n_lin;
  double sum_x = 0.0, sum_tx = 0.0;
  for (int l = 0; l < s->n_ligands; l++) {
    const double *a = phi + (size_t)l * (size_t)n, *g = gam + (size_t)l * (size_t)n;
    double ce = 0.0;
    for (int j = 0; j < n; j++) ce += a[j] * y[j];
    for (int j = 0; has_rate && j < n; j++) ce += g[j] * rate[j];
    double xl = s->lig_fu[l] * ce / s->lig_K_nM[l];
    sum_x += xl;
    sum_tx += s->lig_tau[l] * xl;
  }
  return sum_tx / (1.0 + sum_x + sum_tx);
}

/* integral_0^h e^{-k (h - s)} E(s) ds from linear state y, by 15-point
 * Kronrod with the embedded 7-point Gauss rule as the error estimate,
 * bisecting until they agree to 1e-13 h (E is a fraction of 1): E can bend
 * sharply where the receptor saturates, not only where A is fast. */
static pk_status tol_integral(pk_exact *x, double h, const double *y, const double *rate,
                              int has_rate, int depth, double *out, pk_error *err) {
  const pk_system *s = x->s;
  const prop *p = NULL;
  pk_status st = get_prop(x, h, &p, err);
  if (st != PK_OK) return st;
  size_t block = (size_t)s->n_ligands * (size_t)x->n;
  double k = s->k_tol_per_h, K = 0.0, G = 0.0;
  for (int i = 0; i < N_NODES; i++) {
    double f = exp(-k * h * (1.0 - x->node[i])) *
               node_response(s, p->phi_node + (size_t)i * block, p->gam_node + (size_t)i * block,
                             y, rate, has_rate);
    K += x->wk[i] * f;
    G += x->wg[i] * f;
  }
  if (fabs(K - G) <= 1e-13 || depth + 1 >= MAX_DEPTH) {
    *out = K * h;
    return PK_OK;
  }
  double left, right, half = 0.5 * h;
  double *ymid = x->mid + (size_t)depth * (size_t)x->n;
  if ((st = tol_integral(x, half, y, rate, has_rate, depth + 1, &left, err)) != PK_OK) return st;
  if ((st = get_prop(x, half, &p, err)) != PK_OK) return st;
  affine(x->n, p->phi, p->gam, y, rate, has_rate, ymid);
  if ((st = tol_integral(x, half, ymid, rate, has_rate, depth + 1, &right, err)) != PK_OK)
    return st;
  *out = exp(-k * half) * left + right;
  return PK_OK;
}

pk_status pk_exact_step(pk_exact *x, double h, const double *rate, double *y, pk_error *err) {
  const pk_system *s = x->s;
  int n = x->n, has_rate = 0;
  for (int i = 0; i < n; i++) has_rate |= rate[i] != 0.0;
  /* sub-steps of at most 20 time constants of the fastest rate keep the
   * propagators' scaling and squaring well conditioned */
  int n_sub = (int)fmax(1.0, ceil(h * x->rho / 20.0));
  double hs = h / n_sub, k = s->k_tol_per_h;
  for (int sub = 0; sub < n_sub; sub++) {
    /* tol(hs) = e^{-k hs} tol + k integral_0^hs e^{-k (hs - s)} E(s) ds */
    double integral = 0.0;
    pk_status st = k > 0 ? tol_integral(x, hs, y, rate, has_rate, 0, &integral, err) : PK_OK;
    const prop *p = NULL;
    if (st == PK_OK) st = get_prop(x, hs, &p, err);
    if (st != PK_OK) return st;
    affine(n, p->phi, p->gam, y, rate, has_rate, x->xn);
    memcpy(y, x->xn, (size_t)n * sizeof *y);
    y[s->tol] = exp(-k * hs) * y[s->tol] + k * integral;
  }
  for (int i = 0; i <= n; i++)
    if (!isfinite(y[i]))
      return pk_err_set(err, PK_ERR_SOLVER, NULL, NULL,
                        "exact propagation gave a non-finite state");
  return PK_OK;
}
