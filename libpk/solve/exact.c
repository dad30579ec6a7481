/* exact.c - exact propagation of the linear part with cached propagators,
 * and the adaptation state by adaptive quadrature of its exact solution
 * (exact.h). */
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "exact.h"
#include "modal.h"
#include "response.h"

enum { N_NODES = 15, CACHE_SIZE = 64, MAX_DEPTH = 16 };

/* Bounds on the work of one pk_exact_step. A step is cut into sub-steps of
 * at most 20 time constants of the fastest rate, but into no more than
 * MAX_SUBSTEPS_PER_STEP: a stiff model (CL 8e8 L/h, a fastest rate of 9e5
 * 1/h) would otherwise take 45000 sub-steps per one-hour step (13-19 s for
 * the default scenario's dosing without its run-in), and an absurd one
 * hours. Longer sub-steps cost no
 * accuracy: Phi and Gamma come from scaling and squaring of the whole
 * sub-step, exact for the fast modes (they decay to 0) and the slow ones
 * alike, and the quadrature of tol bisects wherever E needs it. (With CL
 * 8e8 L/h, 1024 sub-steps per hour agree with msbdf at rtol 1e-13 to
 * 4e-9 relative, 45000 to 9e-9: fewer sub-steps round less.) The tests and
 * shipped scenarios use at most 750 sub-steps in a step (fastest rate
 * 47 /h, steps up to 1500 h), so their results do not change; 1024
 * sub-steps take about 0.5 ms. The node evaluations of the quadrature are
 * limited to 1e7 per step (about 0.2 s; the shipped scenarios use at most
 * 11520); beyond, the step fails with PK_ERR_SOLVER.
 *
 * Accuracy: scaling and squaring is normwise accurate, so a slow mode's
 * rate is perturbed by about eps ||A h|| / h = 2.2e-16 times the fastest
 * rate: a slow component decaying for s hours is off by about 2 eps rho s
 * relative (measured: 8e-9 per hour at rho 2e7 1/h, 4e-9 at 9e5 1/h over
 * the default scenario, where doses renew the amounts every 6-12 h).
 * MAX_RATE_PER_H keeps that below about 4e-6 per hour; a model with a
 * faster rate fails with PK_ERR_SOLVER naming it (the ODE path with msbdf
 * is the alternative). */
static const double MAX_SUBSTEPS_PER_STEP = 1024;
static const double MAX_RATE_PER_H = 1e10;
static const double MAX_NODE_EVALS_PER_STEP = 1e7;

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
  double wk[N_NODES], wg[N_NODES]; /* rule weights times e^{-k_tol h (1 - s_i)} */
  /* ... times the weight of each filter (pk_system_pd_weights) */
  double wkf[PK_PD_FILTERS][N_NODES], wgf[PK_PD_FILTERS][N_NODES];
} prop;

/* Modal factors for one step length: e^{lambda_i tau} and
 * (e^{lambda_i tau} - 1) / lambda_i at each node and at the end. */
typedef struct mprop {
  double h;
  double *e_node, *g_node; /* N_NODES x n */
  double *e_end, *g_end;   /* n */
  double wk[N_NODES], wg[N_NODES]; /* rule weights times e^{-k_tol h (1 - s_i)} */
  double wkf[PK_PD_FILTERS][N_NODES], wgf[PK_PD_FILTERS][N_NODES]; /* as in prop */
} mprop;

struct pk_exact {
  const pk_system *s;
  int n;
  int modal;     /* A = V diag(lambda) V^-1 with real lambda, V well conditioned,
                    over the nr states other than the eliminated amounts (ridx) */
  int nr, ridx[512];
  double *lam, *V, *W, *Vlig; /* eigenvalues; V; W = V^-1; V's ligand rows */
  mprop mcache[CACHE_SIZE];
  int mnext;
  double *z, *zb;             /* modal state and modal inputs */
  double rho;  /* the fastest rate of A (largest diagonal magnitude), 1/h */
  int rho_state; /* the state whose outflow that is */
  double step_h;     /* the step pk_exact_step is running, h (for messages) */
  double node_evals; /* evaluations of E at quadrature nodes in that step */
  double node[N_NODES], wk[N_NODES], wg[N_NODES]; /* on [0, 1]; wg 0 off the Gauss points */
  prop cache[CACHE_SIZE];
  int next;    /* slot to replace next */
  double *xn, *full_phi, *full_gam;
  double *mid; /* MAX_DEPTH states for the bisection of a step */
  gsl_matrix *aug, *eaug;
};


int pk_exact_fastest_state(const pk_exact *x) { return x->rho_state; }

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

/* Tries A = V diag(lambda) V^-1 with real eigenvalues and a well
 * conditioned V (modal.h, the decomposition the batch kernel uses):
 * then any propagation is elementwise in modal coordinates. Returns 1 if
 * usable, 0 otherwise (the dense propagators then serve). */
static int modal_setup(pk_exact *x) {
  /* the cumulative eliminated amounts feed nothing: leave them out (their
   * zero eigenvalues would be repeated) */
  const pk_system *sys = x->s;
  size_t nf = (size_t)x->n, n = 0;
  for (size_t k = 0; k < nf; k++) {
    int is_elim = 0;
    for (int i = 0; i < sys->n_compounds; i++) is_elim |= sys->elim[i] == (int)k;
    if (!is_elim) x->ridx[n++] = (int)k;
  }
  x->nr = (int)n;
  if (n > PK_MODAL_MAX) return 0;
  x->lam = malloc(n * sizeof *x->lam);
  x->V = malloc(n * n * sizeof *x->V);
  x->W = malloc(n * n * sizeof *x->W);
  x->Vlig = malloc(((size_t)sys->n_ligands * n + 1) * sizeof *x->Vlig);
  x->z = malloc(n * sizeof *x->z);
  x->zb = malloc(n * sizeof *x->zb);
  if (!(x->lam && x->V && x->W && x->Vlig && x->z && x->zb)) return 0;
  double B[PK_MODAL_MAX * PK_MODAL_MAX];
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < n; j++) B[i * n + j] = sys->A[(size_t)x->ridx[i] * nf + (size_t)x->ridx[j]];
  if (!pk_modal_decompose(B, (int)n, x->lam, x->V, x->W)) return 0;
  for (int l = 0; l < sys->n_ligands; l++) {
    size_t row = 0;
    for (size_t i = 0; i < n; i++)
      if (x->ridx[i] == sys->lig_state[l]) row = i;
    memcpy(x->Vlig + (size_t)l * n, x->V + row * n, n * sizeof *x->V);
  }
  return 1;
}

pk_exact *pk_exact_new(const pk_system *s) {
  pk_exact *x = calloc(1, sizeof *x);
  if (!x) return NULL;
  x->s = s;
  x->n = s->n_lin;
  size_t n = (size_t)x->n;
  /* the diagonal holds every compartment's total outflow rate: the fastest
   * rate of the system up to a small factor */
  for (size_t i = 0; i < n; i++)
    if (!(fabs(s->A[i * n + i]) <= x->rho) && !isnan(x->rho)) /* NaN sticks */
      x->rho = fabs(s->A[i * n + i]), x->rho_state = (int)i;
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
  x->modal = modal_setup(x);
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
  for (int k = 0; k < CACHE_SIZE; k++) {
    free(x->mcache[k].e_node);
    free(x->mcache[k].g_node);
    free(x->mcache[k].e_end);
    free(x->mcache[k].g_end);
  }
  free(x->lam);
  free(x->V);
  free(x->W);
  free(x->Vlig);
  free(x->z);
  free(x->zb);
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

/* The rule's weights times the weights of the PD block at lag h (1 - s_i)
 * over a step of length h: e^{-k_tol h (1 - s_i)} for tol (wk, wg), the
 * filters' weights for the filters (wkf, wgf). */
static void decay_weights(const pk_exact *x, double h, double *wk, double *wg,
                          double (*wkf)[N_NODES], double (*wgf)[N_NODES]) {
  for (int i = 0; i < N_NODES; i++) {
    double w1, wf[PK_PD_FILTERS];
    pk_system_pd_weights(x->s, h * (1.0 - x->node[i]), &w1, wf);
    wk[i] = x->wk[i] * w1;
    wg[i] = x->wg[i] * w1;
    for (int j = 0; j < x->s->n_filt; j++) {
      wkf[j][i] = x->wk[i] * wf[j];
      wgf[j][i] = x->wg[i] * wf[j];
    }
  }
}

/* Builds the end-of-step pair, and the node rows unless the modal path
 * evaluates the nodes. */
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
  for (int i = 0; i < N_NODES && !x->modal; i++) {
    pk_status st = propagate_pair(x, x->node[i] * h, x->full_phi, x->full_gam, err);
    if (st != PK_OK) return st;
    for (size_t l = 0; l < nl; l++) {
      size_t row = (size_t)x->s->lig_state[l], off = ((size_t)i * nl + l) * n;
      memcpy(p->phi_node + off, x->full_phi + row * n, n * sizeof *p->phi);
      memcpy(p->gam_node + off, x->full_gam + row * n, n * sizeof *p->gam);
    }
  }
  decay_weights(x, h, p->wk, p->wg, p->wkf, p->wgf);
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
  return PK_RESPONSE_E(sum_x, sum_tx);
}

/* (e^{l t} - 1) / l, t when l is 0, accurate for small l t. */
static double phi1(double l, double t) { return l == 0.0 ? t : expm1(l * t) / l; }

static pk_status get_mprop(pk_exact *x, double h, const mprop **out, pk_error *err) {
  for (int k = 0; k < CACHE_SIZE; k++)
    if (x->mcache[k].h > 0 && fabs(x->mcache[k].h - h) <= 1e-11 * h) {
      *out = &x->mcache[k];
      return PK_OK;
    }
  mprop *p = &x->mcache[x->mnext];
  x->mnext = (x->mnext + 1) % CACHE_SIZE;
  size_t n = (size_t)x->nr;
  if (!p->e_node) {
    p->e_node = malloc(N_NODES * n * sizeof *p->e_node);
    p->g_node = malloc(N_NODES * n * sizeof *p->g_node);
    p->e_end = malloc(n * sizeof *p->e_end);
    p->g_end = malloc(n * sizeof *p->g_end);
    if (!p->e_node || !p->g_node || !p->e_end || !p->g_end) return pk_err_nomem(err);
  }
  for (size_t i = 0; i < n; i++) {
    double l = x->lam[i];
    for (int j = 0; j < N_NODES; j++) {
      double t = x->node[j] * h;
      p->e_node[(size_t)j * n + i] = exp(l * t);
      p->g_node[(size_t)j * n + i] = phi1(l, t);
    }
    p->e_end[i] = exp(l * h);
    p->g_end[i] = phi1(l, h);
  }
  decay_weights(x, h, p->wk, p->wg, p->wkf, p->wgf);
  p->h = h;
  *out = p;
  return PK_OK;
}

/* E at a node from modal state z (and modal inputs zb). */
static double modal_response(const pk_exact *x, const double *e, const double *g,
                             const double *z, const double *zb, int has_rate) {
  const pk_system *s = x->s;
  int n = x->nr;
  double sum_x = 0.0, sum_tx = 0.0;
  for (int l = 0; l < s->n_ligands; l++) {
    const double *v = x->Vlig + (size_t)l * (size_t)n;
    double ce = 0.0;
    if (has_rate)
      for (int i = 0; i < n; i++) ce += v[i] * (e[i] * z[i] + g[i] * zb[i]);
    else
      for (int i = 0; i < n; i++) ce += v[i] * e[i] * z[i];
    double xl = s->lig_fu[l] * ce / s->lig_K_nM[l];
    sum_x += xl;
    sum_tx += s->lig_tau[l] * xl;
  }
  return PK_RESPONSE_E(sum_x, sum_tx);
}

/* w[0], w[1]: the tol weights; w[2 + 2 j], w[3 + 2 j]: filter j's. */
static void set_weights(const double **w, const double *wk, const double *wg,
                        const double (*wkf)[N_NODES], const double (*wgf)[N_NODES]) {
  w[0] = wk, w[1] = wg;
  for (int j = 0; j < PK_PD_FILTERS; j++) w[2 + 2 * j] = wkf[j], w[3 + 2 * j] = wgf[j];
}

/* E at the quadrature nodes of a step of length h from `state` (modal z
 * when x->modal, else the full linear state) with inputs `in` (likewise),
 * with the decayed weights of that step. */
static pk_status node_values(pk_exact *x, double h, const double *state, const double *in,
                             int has_rate, double *f, const double **w, pk_error *err) {
  pk_status st;
  if (x->modal) {
    const mprop *p = NULL;
    if ((st = get_mprop(x, h, &p, err)) != PK_OK) return st;
    size_t n = (size_t)x->nr;
    for (int i = 0; i < N_NODES; i++)
      f[i] = modal_response(x, p->e_node + (size_t)i * n, p->g_node + (size_t)i * n, state, in,
                            has_rate);
    set_weights(w, p->wk, p->wg, p->wkf, p->wgf);
    return PK_OK;
  }
  const prop *p = NULL;
  if ((st = get_prop(x, h, &p, err)) != PK_OK) return st;
  size_t block = (size_t)x->s->n_ligands * (size_t)x->n;
  for (int i = 0; i < N_NODES; i++)
    f[i] = node_response(x->s, p->phi_node + (size_t)i * block, p->gam_node + (size_t)i * block,
                         state, in, has_rate);
  set_weights(w, p->wk, p->wg, p->wkf, p->wgf);
  return PK_OK;
}

/* `state` advanced by h (in the same coordinates). */
static pk_status advance_state(pk_exact *x, double h, const double *state, const double *in,
                               int has_rate, double *out, pk_error *err) {
  pk_status st;
  if (x->modal) {
    const mprop *p = NULL;
    if ((st = get_mprop(x, h, &p, err)) != PK_OK) return st;
    for (int i = 0; i < x->nr; i++)
      out[i] = p->e_end[i] * state[i] + (has_rate ? p->g_end[i] * in[i] : 0.0);
    return PK_OK;
  }
  const prop *p = NULL;
  if ((st = get_prop(x, h, &p, err)) != PK_OK) return st;
  affine(x->n, p->phi, p->gam, state, in, has_rate, out);
  return PK_OK;
}

/* The PD block's integrals over a step of length h (pk_system_pd_weights):
 * out[0] = I = integral_0^h e^{-k (h - s)} E(s) ds and out[1 + j] = J_j (the
 * weight of filter j; none in version 1), by 15-point Kronrod with the
 * embedded 7-point Gauss rule for the error estimate, bisecting until
 * QUADPACK's estimate (200 |K - G|)^1.5 for an integrand of order 1 (E <= 1)
 * is below 1e-13 for all of them: E can bend sharply where the receptor
 * saturates, not only where A is fast. */
static pk_status tol_integral(pk_exact *x, double h, const double *state, const double *in,
                              int has_rate, int depth, double *out, pk_error *err) {
  enum { NW = 2 + 2 * PK_PD_FILTERS };
  double f[N_NODES], acc[NW] = {0};
  const double *w[NW];
  int nw = 2 + 2 * x->s->n_filt;
  if (x->node_evals + N_NODES > MAX_NODE_EVALS_PER_STEP)
    return pk_err_set(err, PK_ERR_SOLVER, NULL, NULL,
                      "exact solver: the adaptation quadrature of a step of %g h needs more "
                      "than %.0f evaluations of the response E (the limit per step); the "
                      "fastest rate of the model is %.3g 1/h",
                      x->step_h, MAX_NODE_EVALS_PER_STEP, x->rho);
  x->node_evals += N_NODES;
  pk_status st = node_values(x, h, state, in, has_rate, f, w, err);
  if (st != PK_OK) return st;
  for (int k = 0; k < nw; k++)
    for (int i = 0; i < N_NODES; i++) acc[k] += w[k][i] * f[i];
  /* acc[2 q] is a Kronrod sum, acc[2 q + 1] its Gauss sum */
  double diff = 0.0;
  for (int q = 0; q < nw / 2; q++) {
    /* an effect-site term fu ce / K that overflows gives E = inf / inf: no
     * bisection helps */
    if (!isfinite(acc[2 * q]) || !isfinite(acc[2 * q + 1]))
      return pk_err_set(err, PK_ERR_SOLVER, NULL, NULL,
                        "exact solver: the response E is not finite inside a step of %g h (an "
                        "effect-site concentration, or fu ce / K, overflows)", x->step_h);
    diff = fmax(diff, fabs(acc[2 * q] - acc[2 * q + 1]));
  }
  double est = pow(200.0 * diff, 1.5);
  if (est <= 1e-13) {
    for (int q = 0; q < nw / 2; q++) out[q] = acc[2 * q] * h;
    return PK_OK;
  }
  /* accepting the last panel's estimate would let an error of any size
   * into tol unnoticed */
  if (depth + 1 >= MAX_DEPTH)
    return pk_err_set(err, PK_ERR_SOLVER, NULL, NULL,
                      "exact solver: tolerance not reached: the adaptation quadrature "
                      "bisected a step of %g h %d times, down to %.3g h, and still estimates "
                      "an error of %.3g in E (allowed 1e-13); the fastest rate of the model "
                      "is %.3g 1/h",
                      x->step_h, MAX_DEPTH - 1, h, est, x->rho);
  double left[1 + PK_PD_FILTERS], right[1 + PK_PD_FILTERS], half = 0.5 * h;
  double *mid = x->mid + (size_t)depth * (size_t)x->n;
  if ((st = tol_integral(x, half, state, in, has_rate, depth + 1, left, err)) != PK_OK ||
      (st = advance_state(x, half, state, in, has_rate, mid, err)) != PK_OK ||
      (st = tol_integral(x, half, mid, in, has_rate, depth + 1, right, err)) != PK_OK)
    return st;
  pk_system_pd_join(x->s, half, left[0], left + 1, right[0], right + 1, &out[0], out + 1);
  return PK_OK;
}

static void mat_vec(int n, const double *M, const double *v, double *out) {
  for (int i = 0; i < n; i++) {
    const double *m = M + (size_t)i * (size_t)n;
    double acc = 0.0;
    for (int j = 0; j < n; j++) acc += m[j] * v[j];
    out[i] = acc;
  }
}

/* W x over the states other than the eliminated amounts. */
static void to_modal(pk_exact *x, const double *v, double *out) {
  for (int i = 0; i < x->nr; i++) x->xn[i] = v[x->ridx[i]];
  mat_vec(x->nr, x->W, x->xn, out);
}

/* One step: tol from the quadrature (nodes in modal coordinates where
 * possible: cheap at any time inside the step), the state by the cached
 * Phi, Gamma of the step, which keep every component accurate relative to
 * itself, not only to the norm of the state. */
pk_status pk_exact_step(pk_exact *x, double h, const double *rate, double *y, pk_error *err) {
  const pk_system *s = x->s;
  int n = x->n, has_rate = 0;
  for (int i = 0; i < n; i++) has_rate |= rate[i] != 0.0;
  /* sub-steps of at most 20 time constants of the fastest rate, at most
   * MAX_SUBSTEPS_PER_STEP of them (see there); counted in double, since a
   * fast rate over a long step overflows an int. A rate that is not finite
   * (no model that pk_compound_check accepts has one) has no propagator. */
  if (!(x->rho <= MAX_RATE_PER_H))
    return pk_err_set(err, PK_ERR_SOLVER, NULL, NULL,
                      "exact solver: the fastest rate of the model, %.3g 1/h (a rate constant, "
                      "or a clearance or flow over a volume), is above %g 1/h, where rounding "
                      "in the propagators (about 2.2e-16 times that rate, relative, per hour) "
                      "would show in the outputs; use the ode path with msbdf",
                      x->rho, MAX_RATE_PER_H);
  double n_sub_d = fmin(MAX_SUBSTEPS_PER_STEP, fmax(1.0, ceil(h * x->rho / 20.0)));
  int n_sub = (int)n_sub_d;
  x->step_h = h;
  x->node_evals = 0.0;
  double hs = h / n_sub;
  int need_quad = s->k_tol_per_h > 0 || s->n_filt > 0;
  const double *in = rate;
  if (x->modal && has_rate) to_modal(x, rate, x->zb);
  if (x->modal) in = x->zb;
  for (int sub = 0; sub < n_sub; sub++) {
    /* tol(hs) = e^{-k hs} tol + k integral_0^hs e^{-k (hs - s)} E(s) ds, and
     * the filters likewise (pk_system_pd_advance) */
    double integral[1 + PK_PD_FILTERS] = {0.0};
    pk_status st = PK_OK;
    if (need_quad) {
      const double *state = y;
      if (x->modal) to_modal(x, y, x->z), state = x->z;
      st = tol_integral(x, hs, state, in, has_rate, 0, integral, err);
    }
    const prop *p = NULL;
    if (st == PK_OK) st = get_prop(x, hs, &p, err);
    if (st != PK_OK) return st;
    affine(n, p->phi, p->gam, y, rate, has_rate, x->xn);
    memcpy(y, x->xn, (size_t)n * sizeof *y);
    pk_system_pd_advance(s, hs, integral[0], integral + 1, y);
  }
  for (int i = 0; i <= s->tol + s->n_filt; i++)
    if (!isfinite(y[i]))
      return pk_err_set(err, PK_ERR_SOLVER, NULL, NULL,
                        "exact propagation gave a non-finite state");
  return PK_OK;
}
