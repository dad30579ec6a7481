/* exact.c - exact propagation of the linear part with cached propagators,
 * and the adaptation state by adaptive quadrature of its exact solution
 * (exact.h). */
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <math.h>
#include <stdlib.h>
#include <stdatomic.h>
#include <string.h>
#include "exact.h"
#include "gauss.h"

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
  struct coupled *cp; /* enzymes: the coupled step (NULL without enzymes) */
};

static struct coupled *coupled_new(pk_exact *x);
static void coupled_free(struct coupled *c);


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
  /* with enzymes: the coupled step, or none if the model is beyond its
   * sizes (pk_exact_takes) */
  if (s->n_enz > 0) x->cp = coupled_new(x);
  return x;
}

int pk_exact_takes(const pk_exact *x) { return x->s->n_enz == 0 || x->cp != NULL; }

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
  coupled_free(x->cp);
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

#define MAXD(a, b) ((a) > (b) ? (a) : (b)) /* NaN: b */

/* ---- enzymes: the coupled step ---------------------------------------------
 *
 * With enzymes the linear states obey x' = A x + b + sum_c U_c phi_c(t), one
 * channel c per (enzyme, state) pair of enzyme-scaled flows (pk_eflow): its
 * flux phi_c = a_e(t) x_from(t) leaves `from` and reaches the flows'
 * targets, U_c = sum k (e_to - e_from) (1/h). The activities obey
 * a_e' = kdeg (1 - a_e) - sum kinact c / (KI + c) a_e with c a linear
 * function of the amounts (pk_einact). A is the system at activity 0; by
 * the variation of constants
 *   x(s) = e^{A s} x(0) + Gamma(s) b + sum_c integral_0^s e^{A (s - r)} U_c phi_c(r) dr,
 * exact for the linear part. Over a step, each flux and each activity is
 * the polynomial of degree CP_M - 1 through its values at the CP_M
 * Gauss-Legendre nodes (Gauss collocation: order 2 CP_M at the end of the
 * step, CP_M inside), and the node values solve the collocation equations
 * (the fluxes: linear given the activities; the activities: linear given
 * the concentrations), alternated until the activities move by less than
 * CP_CONVERGED (and the fluxes by less than that relative to the largest),
 * or until what the changes would still leave, estimated from the rounds'
 * contraction, is below it (each round shrinks the change by about four
 * decades; with the estimate, summaries are within 9e-12 of a plain test
 * at 1e-13, with a fifth fewer rounds than a plain test at 1e-11). Inside
 * the step, e^{A s} and the integrals against each node's Lagrange
 * polynomial come from the Taylor series of e^{A s}: the sub-steps keep
 * ||A||_1 h <= CP_NORM_STEP, where CP_K terms leave a truncation below
 * 1e-20 and the terms' rounding stays within e^3 of the result's; the
 * scalar integrals of (s - r)^k / k! l_j(r) (degree at most CP_K - 1 +
 * CP_M - 1 = 56) are exact by CP_GQ = 32-point Gauss-Legendre (degree
 * <= 63). The states at the end: the linear part by the cached dense Phi, Gamma of the step (accurate
 * relative to each component, as without enzymes), plus the fluxes' part.
 * The PD block (tol and the filters) takes E at the same nodes (Gauss
 * quadrature of order 2 CP_M). Check per step: the interpolants' two
 * highest Legendre coefficients (fluxes relative to their largest node
 * value, activities and E absolute) below CP_TAIL, else the step is halved
 * (at most CP_DEPTH times; beyond, PK_ERR_SOLVER). That tail measures the
 * values inside the step (order CP_M); the step's end and the PD integrals
 * are of order 2 CP_M, far more accurate. CP_TAIL 1e-6: on every shipped
 * scenario the agreement with rk8pd at rtol 1e-12 is the same as with a
 * tail of 1e-8 or with no halving at all (2.6e-11 at worst), with a sixth
 * of the halvings of 1e-8 (tests/solver/, bench/README.md). */

enum { CP_M = 10, CP_GQ = 32, CP_K = 48, CP_CACHE = 8, CP_MAXCH = 8, CP_MAXPROBE = 24,
       CP_DEPTH = 24, CP_ITER = 60 };
static const double CP_TAIL = 1e-6;
static const double CP_CONVERGED = 1e-11;
static const double CP_NORM_STEP = 6.0; /* 2 rho h of a sub-step at most */

typedef struct cprop {
  double h; /* 0: unused */
  double *Pn, *Gn; /* probes x CP_M x n: the probes' rows of e^{A s_p} and Gamma(s_p) */
  double *Cp; /* probes x CP_M x nch x CP_M: probe at node p per unit flux c at node j */
  double *D;  /* nch x CP_M x n: the state at the end per unit flux c at node j */
  double wpd[1 + PK_PD_FILTERS][CP_M]; /* the PD block's weights at the nodes, times h */
} cprop;

/* The rules on [0, 1]: collocation nodes u (u[CP_M] = 1) and weights w;
 * the collocation matrix; the rows giving the interpolant's two highest
 * Legendre coefficients; T[p][k][j] = integral_0^{u_p} (u_p - r)^k / k!
 * l_j(r) dr. Built once per process (cp_rules_get). */
struct cp_rules {
  double u[CP_M + 1], w[CP_M];
  double Acol[CP_M * CP_M], tail[2][CP_M];
  double T[(CP_M + 1) * CP_K * CP_M];
};

struct coupled {
  int n, nch, ch_enz[CP_MAXCH], ch_from[CP_MAXCH]; /* from: a probe */
  int np, probe[CP_MAXPROBE]; /* states whose values at the nodes are needed */
  int np_in; /* probes 0 .. np_in - 1: the fluxes' sources and the inactivations' */
  int lig_probe[PK_MAX_COMPOUNDS];
  int src_probe[PK_MAX_COMPOUNDS * PK_MAX_ENZYMES][PK_EINACT_SOURCES];
  double theta; /* the rounds' contraction measured in the last step (1: none yet) */
  double norm; /* ||A||_1, 1/h */
  double *P;   /* np x CP_K x n: the probes' rows of A^k */
  double *Q;   /* nch x CP_K x n: A^k U_c */
  const struct cp_rules *r; /* the rules, the same for every model */
  cprop cache[CP_CACHE];
  int next;
};

/* The Lagrange polynomial of collocation node j at v. */
static double lagrange(const double *u, int j, double v) {
  double p = 1.0;
  for (int k = 0; k < CP_M; k++)
    if (k != j) p *= (v - u[k]) / (u[j] - u[k]);
  return p;
}

static double legendre_p(int k, double t) {
  double p0 = 1.0, p1 = t;
  if (k == 0) return 1.0;
  for (int n = 2; n <= k; n++) {
    double p2 = ((2.0 * n - 1.0) * t * p1 - (n - 1.0) * p0) / n;
    p0 = p1, p1 = p2;
  }
  return p1;
}

static struct cp_rules cp_rules_tab;
static _Atomic int cp_rules_state; /* 0 not built, 1 being built, 2 ready */

static void cp_rules_build(void) {
  struct cp_rules *R = &cp_rules_tab;
  double v[CP_GQ], om[CP_GQ];
  pk_gauss_legendre01(CP_M, R->u, R->w);
  R->u[CP_M] = 1.0;
  pk_gauss_legendre01(CP_GQ, v, om);
  for (int p = 0; p <= CP_M; p++)
    for (int j = 0; j < CP_M; j++) {
      double acc[CP_K] = {0};
      for (int q = 0; q < CP_GQ; q++) {
        double r = R->u[p] * v[q], d = R->u[p] - r, lj = om[q] * lagrange(R->u, j, r), pw = 1.0;
        for (int k = 0; k < CP_K; k++) {
          acc[k] += lj * pw;
          pw *= d / (k + 1);
        }
      }
      for (int k = 0; k < CP_K; k++) R->T[((size_t)p * CP_K + (size_t)k) * CP_M + (size_t)j] = R->u[p] * acc[k];
      if (p < CP_M) R->Acol[p * CP_M + j] = R->u[p] * acc[0];
    }
  /* c_k = (2k + 1) integral_0^1 P_k(2u - 1) f(u) du, exact for the
   * interpolant by the rule itself */
  for (int t = 0; t < 2; t++) {
    int k = CP_M - 1 - t;
    for (int j = 0; j < CP_M; j++)
      R->tail[t][j] = (2.0 * k + 1.0) * R->w[j] * legendre_p(k, 2.0 * R->u[j] - 1.0);
  }
}

/* The rules, built by the first caller (C11 atomics only: no thread
 * library); a caller that finds them being built waits the fraction of a
 * millisecond that takes. */
static const struct cp_rules *cp_rules_get(void) {
  if (atomic_load_explicit(&cp_rules_state, memory_order_acquire) == 2) return &cp_rules_tab;
  int expected = 0;
  if (atomic_compare_exchange_strong_explicit(&cp_rules_state, &expected, 1, memory_order_acq_rel,
                                              memory_order_acquire)) {
    cp_rules_build();
    atomic_store_explicit(&cp_rules_state, 2, memory_order_release);
  } else {
    while (atomic_load_explicit(&cp_rules_state, memory_order_acquire) != 2) {
    }
  }
  return &cp_rules_tab;
}

static int find_probe(struct coupled *c, int state) {
  for (int k = 0; k < c->np; k++)
    if (c->probe[k] == state) return k;
  if (c->np == CP_MAXPROBE) return -1;
  c->probe[c->np] = state;
  return c->np++;
}

static void coupled_free(struct coupled *c) {
  if (!c) return;
  for (int k = 0; k < CP_CACHE; k++)
    free(c->cache[k].Cp), free(c->cache[k].D), free(c->cache[k].Pn), free(c->cache[k].Gn);
  free(c->P), free(c->Q);
  free(c);
}

/* NULL if out of memory or if the model needs more channels or probes than
 * this step has (pk_exact_takes). */
static struct coupled *coupled_new(pk_exact *x) {
  const pk_system *s = x->s;
  struct coupled *c = calloc(1, sizeof *c);
  if (!c) return NULL;
  size_t n = (size_t)s->n_lin;
  c->n = s->n_lin;
  double *U = n <= 512 ? calloc(CP_MAXCH * n, sizeof *U) : NULL;
  if (!U) goto fail;
  for (int k = 0; k < s->n_eflow; k++) {
    const struct pk_eflow *f = &s->eflow[k];
    int p = find_probe(c, f->from), ch = -1;
    if (p < 0) goto fail;
    for (int q = 0; q < c->nch; q++)
      if (c->ch_enz[q] == f->enz && c->ch_from[q] == p) ch = q;
    if (ch < 0) {
      if (c->nch == CP_MAXCH) goto fail;
      ch = c->nch++;
      c->ch_enz[ch] = f->enz, c->ch_from[ch] = p;
    }
    U[(size_t)ch * n + (size_t)f->to] += f->k_per_h;
    U[(size_t)ch * n + (size_t)f->from] -= f->k_per_h;
  }
  for (int q = 0; q < s->n_einact; q++)
    for (int k = 0; k < s->einact[q].n_src; k++)
      if ((c->src_probe[q][k] = find_probe(c, s->einact[q].src[k])) < 0) goto fail;
  c->np_in = c->np; /* the probes the iteration needs; then the ligands' */
  for (int l = 0; l < s->n_ligands; l++)
    if ((c->lig_probe[l] = find_probe(c, s->lig_state[l])) < 0) goto fail;
  size_t np = (size_t)c->np, nch = (size_t)c->nch;
  c->P = malloc(np * CP_K * n * sizeof *c->P + 1);
  c->Q = malloc(nch * CP_K * n * sizeof *c->Q + 1);
  if (!c->P || !c->Q) goto fail;
  const double *A = s->A;
  /* twice the fastest outflow rate bounds the growth of the terms of the
   * Taylor series of a flow system; the unit factors between amounts and
   * concentrations (1000 / V) add constant factors, which the truncation
   * bound of 1e-24 in coupled_tables leaves room for */
  for (size_t i = 0; i < n; i++) c->norm = MAXD(c->norm, 2.0 * fabs(A[i * n + i]));
  /* Krylov rows and columns: P_k = e_probe^T A^k, Q_k = A^k U_c */
  for (size_t pr = 0; pr < np; pr++) {
    double *r = c->P + pr * CP_K * n;
    memset(r, 0, n * sizeof *r);
    r[c->probe[pr]] = 1.0;
    for (int k = 1; k < CP_K; k++)
      for (size_t j = 0; j < n; j++) {
        double acc = 0.0;
        for (size_t i = 0; i < n; i++) acc += r[(size_t)(k - 1) * n + i] * A[i * n + j];
        r[(size_t)k * n + j] = acc;
      }
  }
  for (size_t ch = 0; ch < nch; ch++) {
    double *q = c->Q + ch * CP_K * n;
    memcpy(q, U + ch * n, n * sizeof *q);
    for (int k = 1; k < CP_K; k++)
      for (size_t i = 0; i < n; i++) {
        double acc = 0.0;
        for (size_t j = 0; j < n; j++) acc += A[i * n + j] * q[(size_t)(k - 1) * n + j];
        q[(size_t)k * n + i] = acc;
      }
  }
  free(U);
  U = NULL;
  c->r = cp_rules_get();
  c->theta = 1.0;
  return c;
fail:
  free(U);
  coupled_free(c);
  return NULL;
}

static const cprop *coupled_tables(pk_exact *x, double h, pk_error *err) {
  struct coupled *c = x->cp;
  for (int k = 0; k < CP_CACHE; k++)
    if (c->cache[k].h == h) return &c->cache[k];
  cprop *t = &c->cache[c->next];
  c->next = (c->next + 1) % CP_CACHE;
  size_t n = (size_t)c->n, nch = (size_t)c->nch, np = (size_t)c->np, N = nch * CP_M;
  if (!t->Cp) {
    t->Cp = malloc(np * CP_M * N * sizeof *t->Cp + 1);
    t->D = malloc(N * n * sizeof *t->D + 1);
    t->Pn = malloc(np * CP_M * n * sizeof *t->Pn + 1);
    t->Gn = malloc(np * CP_M * n * sizeof *t->Gn + 1);
    if (!t->Cp || !t->D || !t->Pn || !t->Gn) {
      pk_err_nomem(err);
      return NULL;
    }
  }
  t->h = 0.0;
  double hk[CP_K + 1];
  hk[0] = 1.0;
  for (int k = 1; k <= CP_K; k++) hk[k] = hk[k - 1] * h;
  /* the Taylor series' terms needed: (2 rho h)^K / K! below 1e-24 */
  int K = 1;
  for (double term = 1.0; K < CP_K && term > 1e-24; K++) term *= c->norm * h / K;
  for (size_t pr = 0; pr < np; pr++)
    for (int p = 0; p < CP_M; p++) {
      double sp = c->r->u[p] * h, ek[CP_K], gk[CP_K], e = 1.0;
      for (int k = 0; k < K; k++) {
        ek[k] = e;
        e *= sp / (k + 1);
        gk[k] = e;
      }
      double *pn = t->Pn + (pr * CP_M + (size_t)p) * n, *gn = t->Gn + (pr * CP_M + (size_t)p) * n;
      const double *P = c->P + pr * CP_K * n;
      for (size_t i = 0; i < n; i++) {
        double a1 = 0.0, a2 = 0.0;
        for (int k = K - 1; k >= 0; k--) a1 += ek[k] * P[(size_t)k * n + i], a2 += gk[k] * P[(size_t)k * n + i];
        pn[i] = a1, gn[i] = a2;
      }
    }
  /* integral_0^{s_p} e^{A (s_p - r)} U_c l_j(r / h) dr = sum_k A^k U_c h^{k+1} T[p][k][j] */
  for (size_t pr = 0; pr < np; pr++)
    for (size_t p = 0; p < CP_M; p++)
      for (size_t ch = 0; ch < nch; ch++)
        for (size_t j = 0; j < CP_M; j++) {
          const double *q = c->Q + ch * CP_K * n + (size_t)c->probe[pr];
          double acc = 0.0;
          for (int k = K - 1; k >= 0; k--)
            acc += q[(size_t)k * n] * hk[k + 1] * c->r->T[(p * CP_K + (size_t)k) * CP_M + j];
          t->Cp[(pr * CP_M + p) * N + ch * CP_M + j] = acc;
        }
  for (size_t ch = 0; ch < nch; ch++)
    for (size_t j = 0; j < CP_M; j++) {
      double *d = t->D + (ch * CP_M + j) * n;
      memset(d, 0, n * sizeof *d);
      for (int k = K - 1; k >= 0; k--) {
        double f = hk[k + 1] * c->r->T[((size_t)CP_M * CP_K + (size_t)k) * CP_M + j];
        const double *q = c->Q + (ch * CP_K + (size_t)k) * n;
        for (size_t i = 0; i < n; i++) d[i] += f * q[i];
      }
    }
  for (int p = 0; p < CP_M; p++) {
    double w1, wf[PK_PD_FILTERS] = {0};
    pk_system_pd_weights(x->s, h * (1.0 - c->r->u[p]), &w1, wf);
    t->wpd[0][p] = h * c->r->w[p] * w1;
    for (int j = 0; j < PK_PD_FILTERS; j++) t->wpd[1 + j][p] = h * c->r->w[p] * wf[j];
  }
  t->h = h;
  return t;
}

/* LU factors of M (n x n, row-major, in place) with partial pivoting, the
 * diagonal holding the pivots' reciprocals; 0 if singular. */
static int lu_factor(int n, double *M, int *piv) {
  for (int k = 0; k < n; k++) {
    int pk = k;
    for (int i = k + 1; i < n; i++)
      if (fabs(M[i * n + k]) > fabs(M[pk * n + k])) pk = i;
    piv[k] = pk;
    if (!(fabs(M[pk * n + k]) > 0.0)) return 0;
    if (pk != k)
      for (int j = 0; j < n; j++) {
        double t = M[k * n + j];
        M[k * n + j] = M[pk * n + j], M[pk * n + j] = t;
      }
    double inv = 1.0 / M[k * n + k];
    for (int i = k + 1; i < n; i++) {
      double f = M[i * n + k] *= inv;
      for (int j = k + 1; j < n; j++) M[i * n + j] -= f * M[k * n + j];
    }
    M[k * n + k] = inv; /* the pivot's reciprocal, for lu_solve */
  }
  return 1;
}

/* Solves M u = b with lu_factor's factors (u in b). */
static inline void lu_solve_n(int n, const double *M, const int *piv, double *b) {
  for (int k = 0; k < n; k++) {
    double t = b[piv[k]];
    b[piv[k]] = b[k], b[k] = t;
    for (int i = k + 1; i < n; i++) b[i] -= M[i * n + k] * t;
  }
  for (int k = n - 1; k >= 0; k--) {
    double acc = b[k];
    for (int j = k + 1; j < n; j++) acc -= M[k * n + j] * b[j];
    b[k] = acc * M[k * n + k];
  }
}

/* The same; the systems of one channel and of an activity have CP_M
 * unknowns, a size the compiler unrolls */
static void lu_solve(int n, const double *M, const int *piv, double *b) {
  if (n == CP_M) lu_solve_n(CP_M, M, piv, b);
  else lu_solve_n(n, M, piv, b);
}

/* pv = base + Cp phi at the nodes for probes [from, to). */
static void probe_values(const cprop *t, int N, int from, int to, double (*base)[CP_M],
                         const double *phi, double (*pv)[CP_M]) {
  for (int pr = from; pr < to; pr++)
    for (int p = 0; p < CP_M; p++) {
      const double *row = t->Cp + ((size_t)pr * CP_M + (size_t)p) * (size_t)N;
      double acc = base[pr][p];
      for (int k = 0; k < N; k++) acc += row[k] * phi[k];
      pv[pr][p] = acc;
    }
}

static double tail_of(const struct coupled *c, const double *f) {
  double t0 = 0.0, t1 = 0.0;
  for (int j = 0; j < CP_M; j++) t0 += c->r->tail[0][j] * f[j], t1 += c->r->tail[1][j] * f[j];
  return fabs(t0) + fabs(t1);
}

/* One collocation step of length h from y (the full state) with the inputs
 * rate; halves itself where the check fails. */
static pk_status coupled_step(pk_exact *x, double h, const double *rate, int has_rate,
                              double *y, int depth, pk_error *err) {
  const pk_system *s = x->s;
  struct coupled *c = x->cp;
  const cprop *t = coupled_tables(x, h, err);
  if (!t) return PK_ERR_NOMEM;
  size_t n = (size_t)c->n;
  int nch = c->nch, np = c->np, N = nch * CP_M;
  /* the probes at the nodes without the fluxes */
  double base[CP_MAXPROBE][CP_M], pv[CP_MAXPROBE][CP_M];
  for (int pr = 0; pr < np; pr++)
    for (int p = 0; p < CP_M; p++) {
      const double *pn = t->Pn + ((size_t)pr * CP_M + (size_t)p) * n;
      const double *gn = t->Gn + ((size_t)pr * CP_M + (size_t)p) * n;
      double acc = 0.0;
      for (size_t i = 0; i < n; i++) acc += pn[i] * y[i];
      for (size_t i = 0; has_rate && i < n; i++) acc += gn[i] * rate[i];
      base[pr][p] = acc;
    }
  double a[PK_MAX_ENZYMES][CP_M], anew[PK_MAX_ENZYMES][CP_M], kap[PK_MAX_ENZYMES][CP_M];
  double phi[CP_MAXCH * CP_M], Mx[CP_MAXCH * CP_M * CP_MAXCH * CP_M];
  /* first guess: the activities' slope at the start held */
  double slope[PK_MAX_ENZYMES];
  for (int e = 0; e < s->n_enz; e++) slope[e] = s->enz_kdeg[e] * (1.0 - y[s->enz[e]]);
  for (int q = 0; q < s->n_einact; q++) {
    const struct pk_einact *in = &s->einact[q];
    double conc = 0.0;
    for (int k = 0; k < in->n_src; k++) conc += in->w[k] * y[in->src[k]];
    slope[in->enz] -= in->kinact_per_h * conc / (in->KI_nM + conc) * y[s->enz[in->enz]];
  }
  for (int e = 0; e < s->n_enz; e++)
    for (int p = 0; p < CP_M; p++) a[e][p] = y[s->enz[e]] + slope[e] * c->r->u[p] * h;
  /* the chord method: both systems factored at the first iteration, later
   * iterations correct by their residuals (the activities move by about
   * 1e-5 within a step, so the first factors stay good) */
  int converged = 0, pivx[CP_MAXCH * CP_M], piv2[PK_MAX_ENZYMES][CP_M];
  double last_da = 0.0, last_dphi = 0.0; /* the previous round's changes */
  double A2[PK_MAX_ENZYMES][CP_M * CP_M], b2[PK_MAX_ENZYMES][CP_M], r[CP_MAXCH * CP_M];
  for (int it = 0; it < CP_ITER && !converged; it++) {
    /* the fluxes given the activities: phi_c = a (base + Cp phi) at the nodes */
    double dphi = 0.0, big = 0.0;
    if (it == 0) {
      for (int ch = 0; ch < nch; ch++)
        for (int p = 0; p < CP_M; p++) {
          int q = ch * CP_M + p, pr = c->ch_from[ch];
          double ap = a[c->ch_enz[ch]][p];
          const double *row = t->Cp + ((size_t)pr * CP_M + (size_t)p) * (size_t)N;
          for (int k = 0; k < N; k++) Mx[q * N + k] = (k == q) - ap * row[k];
          phi[q] = ap * base[pr][p];
        }
      if (!lu_factor(N, Mx, pivx)) break;
      lu_solve(N, Mx, pivx, phi);
    } else {
      for (int ch = 0; ch < nch; ch++)
        for (int p = 0; p < CP_M; p++) {
          int q = ch * CP_M + p;
          r[q] = a[c->ch_enz[ch]][p] * pv[c->ch_from[ch]][p] - phi[q];
        }
      lu_solve(N, Mx, pivx, r);
      for (int q = 0; q < N; q++) {
        phi[q] += r[q];
        dphi = MAXD(dphi, fabs(r[q]));
        big = MAXD(big, fabs(phi[q]));
      }
    }
    probe_values(t, N, 0, c->np_in, base, phi, pv);
    /* the activities given the concentrations: a = a0 + h Acol (kdeg (1 - a) - kappa a) */
    for (int e = 0; e < s->n_enz; e++)
      for (int p = 0; p < CP_M; p++) kap[e][p] = 0.0;
    for (int q = 0; q < s->n_einact; q++) {
      const struct pk_einact *in = &s->einact[q];
      for (int p = 0; p < CP_M; p++) {
        double conc = 0.0;
        for (int k = 0; k < in->n_src; k++) conc += in->w[k] * pv[c->src_probe[q][k]][p];
        kap[in->enz][p] += in->kinact_per_h * conc / (in->KI_nM + conc);
      }
    }
    double diff = 0.0;
    int singular = 0;
    for (int e = 0; e < s->n_enz && !singular; e++) {
      double kd = s->enz_kdeg[e], a0 = y[s->enz[e]], x2[CP_M];
      if (it == 0) {
        for (int p = 0; p < CP_M; p++) {
          double rowsum = 0.0;
          for (int j = 0; j < CP_M; j++) {
            double aw = h * c->r->Acol[p * CP_M + j];
            A2[e][p * CP_M + j] = (p == j) + aw * (kd + kap[e][j]);
            rowsum += aw;
          }
          x2[p] = b2[e][p] = a0 + kd * rowsum;
        }
        if (!(singular = !lu_factor(CP_M, A2[e], piv2[e]))) lu_solve(CP_M, A2[e], piv2[e], x2);
      } else {
        /* residual of (I + h Acol diag(kdeg + kappa)) a = b2 at the current a */
        double g[CP_M];
        for (int j = 0; j < CP_M; j++) g[j] = (kd + kap[e][j]) * a[e][j];
        for (int p = 0; p < CP_M; p++) {
          double acc = 0.0;
          for (int j = 0; j < CP_M; j++) acc += c->r->Acol[p * CP_M + j] * g[j];
          x2[p] = b2[e][p] - a[e][p] - h * acc;
        }
        lu_solve(CP_M, A2[e], piv2[e], x2);
        for (int p = 0; p < CP_M; p++) x2[p] += a[e][p];
      }
      for (int p = 0; p < CP_M; p++) {
        diff = MAXD(diff, fabs(x2[p] - a[e][p]));
        anew[e][p] = x2[p];
      }
    }
    if (singular) break;
    /* converged when the changes are below CP_CONVERGED, or from the second
     * correction on when what they would still leave is: at most
     * theta / (1 - theta) of the change for a contraction theta (the
     * estimate of implicit Runge-Kutta codes, Hairer & Wanner, Solving
     * ODEs II, IV.8), theta taken as the larger of this step's last ratio
     * and the previous step's, so that one ratio alone never decides */
    double rphi = big > 0 ? dphi / big : 0.0;
    if (it > 0 && diff <= CP_CONVERGED && rphi <= CP_CONVERGED) converged = 1;
    if (it >= 2 && last_da > 0 && last_dphi > 0) {
      double th = MAXD(diff / last_da, rphi / last_dphi);
      double th_used = MAXD(th, c->theta);
      c->theta = th;
      if (!converged && th_used < 0.5 && diff * th_used / (1 - th_used) <= CP_CONVERGED &&
          rphi * th_used / (1 - th_used) <= CP_CONVERGED)
        converged = 1;
    }
    last_da = diff, last_dphi = rphi;
    memcpy(a, anew, sizeof a);
  }
  probe_values(t, N, c->np_in, np, base, phi, pv);
  double E[CP_M];
  for (int p = 0; p < CP_M && converged; p++) {
    double sum_x = 0.0, sum_tx = 0.0;
    for (int l = 0; l < s->n_ligands; l++) {
      double xl = s->lig_fu[l] * pv[c->lig_probe[l]][p] / s->lig_K_nM[l];
      sum_x += xl;
      sum_tx += s->lig_tau[l] * xl;
    }
    E[p] = s->n_ligands ? PK_RESPONSE_E(sum_x, sum_tx) : 0.0;
  }
  /* the check */
  double worst = converged ? 0.0 : INFINITY;
  for (int ch = 0; ch < nch && converged; ch++) {
    double big = 0.0;
    for (int p = 0; p < CP_M; p++) big = MAXD(big, fabs(phi[ch * CP_M + p]));
    if (big > 0) worst = MAXD(worst, tail_of(c, phi + ch * CP_M) / big);
  }
  for (int e = 0; e < s->n_enz && converged; e++) worst = MAXD(worst, tail_of(c, anew[e]));
  if (converged && s->n_ligands) worst = MAXD(worst, tail_of(c, E));
  if (!(worst <= CP_TAIL)) {
    if (depth >= CP_DEPTH)
      return pk_err_set(err, PK_ERR_SOLVER, NULL, NULL,
                        "exact solver (enzymes): a step of %g h still fails its check after "
                        "%d halvings (%s %.3g, allowed %g); use the ode solver",
                        x->step_h, CP_DEPTH,
                        converged ? "interpolation tail" : "the collocation did not converge:",
                        worst, CP_TAIL);
    pk_status st = coupled_step(x, 0.5 * h, rate, has_rate, y, depth + 1, err);
    if (st == PK_OK) st = coupled_step(x, 0.5 * h, rate, has_rate, y, depth + 1, err);
    return st;
  }
  double I[1 + PK_PD_FILTERS] = {0};
  for (int k = 0; k <= s->n_filt; k++)
    for (int p = 0; p < CP_M; p++) I[k] += t->wpd[k][p] * E[p];
  const prop *pp = NULL;
  pk_status st = get_prop(x, h, &pp, err);
  if (st != PK_OK) return st;
  affine(c->n, pp->phi, pp->gam, y, rate, has_rate, x->xn);
  for (int k = 0; k < N; k++) {
    const double *d = t->D + (size_t)k * n;
    for (size_t i = 0; i < n; i++) x->xn[i] += d[i] * phi[k];
  }
  pk_system_pd_advance(s, h, I[0], I + 1, y);
  memcpy(y, x->xn, n * sizeof *y);
  for (int e = 0; e < s->n_enz; e++) {
    double g = 0.0, kd = s->enz_kdeg[e];
    for (int p = 0; p < CP_M; p++)
      g += c->r->w[p] * (kd * (1.0 - anew[e][p]) - kap[e][p] * anew[e][p]);
    y[s->enz[e]] += h * g;
  }
  return PK_OK;
}

/* A step of h of a model with enzymes: sub-steps with 2 rho h <= CP_NORM_STEP
 * (rho the fastest outflow rate). */
static pk_status coupled_run(pk_exact *x, double h, const double *rate, int has_rate, double *y,
                             pk_error *err) {
  double n_sub_d =
      fmin(MAX_SUBSTEPS_PER_STEP, fmax(1.0, ceil(h * x->cp->norm / CP_NORM_STEP)));
  int n_sub = (int)n_sub_d;
  double hs = h / n_sub;
  for (int k = 0; k < n_sub; k++) {
    pk_status st = coupled_step(x, hs, rate, has_rate, y, 0, err);
    if (st != PK_OK) return st;
  }
  for (int i = 0; i < x->s->n_states; i++)
    if (!isfinite(y[i]))
      return pk_err_set(err, PK_ERR_SOLVER, NULL, NULL,
                        "exact propagation (enzymes) gave a non-finite state");
  return PK_OK;
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
  x->step_h = h;
  x->node_evals = 0.0;
  if (s->n_enz > 0) {
    if (!x->cp)
      return pk_err_set(err, PK_ERR_SOLVER, NULL, NULL,
                        "exact solver: the model's enzymes need more channels or probes than "
                        "the coupled step has; use the ode solver");
    return coupled_run(x, h, rate, has_rate, y, err);
  }
  double n_sub_d = fmin(MAX_SUBSTEPS_PER_STEP, fmax(1.0, ceil(h * x->rho / 20.0)));
  int n_sub = (int)n_sub_d;
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
