/* fast.c - the batch kernel (fast.h): packs of subjects with the same event
 * timing, one per SIMD lane, in modal coordinates with per-lane adaptive
 * Gauss-Legendre quadrature for tol. */
#include <gsl/gsl_eigen.h>
#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "steady.h"
#include "fast.h"

#define L PK_FAST_LANES
/* NMAX: the largest Gauss-Legendre rule; MAXR: the most modal states;
 * MAX_DEPTH: bisections of one step (2^-48 of an hour is below any
 * meaningful time scale: a step that needs more is reported as a failure) */
enum { NMAX = 12, MAXR = 32, HCACHE = 16, MAX_DEPTH = 48, POLL_EVERY = 2048 };

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && !defined(PK_NO_CLONES)
/* the lane loops vectorise: one copy of the hot functions per instruction
 * set, chosen at load time */
#define PK_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define PK_CLONES
#endif
#if defined(__GNUC__) && !defined(__clang__)
/* sums of products as fused multiply-adds where the instruction set has
 * them (ISO C mode leaves them separate): in the quadrature and the error
 * bounds only, whose results then differ between machines with and
 * without FMA by rounding, never between lanes, threads or runs */
#define PK_FMA __attribute__((optimize("fp-contract=fast")))
#else
#define PK_FMA
#endif

/* Tables for one step length h, for every lane of the pack. */
typedef struct htab {
  double h; /* 0: unused */
  double *e_end, *g_end; /* R x L: e^{lambda h}, (e^{lambda h} - 1) / lambda */
  double *rfac;          /* R x L: amplitude of a modal input per unit rate */
  double *T, *T2;        /* (NMAX + 1) x R x L: error bound of rule n for each mode;
                            (NMAX + 1) x R(R+1)/2 x L: for each product of two modes */
  double decay[L];       /* e^{-k h} */
  /* the filters (PD version 2): e^{-k_j h}, g_j(h), k_tol g_j(h) (pk_system_pd_join) */
  double decf[PK_PD_FILTERS][L], ghf[PK_PD_FILTERS][L], gkf[PK_PD_FILTERS][L];
  double *en[NMAX + 1], *gn[NMAX + 1], *wn[NMAX + 1]; /* node tables, built on demand */
  double *wnf[PK_PD_FILTERS][NMAX + 1]; /* the filters' weights at the nodes */
  int have_e[NMAX + 1], have_g[NMAX + 1]; /* node tables valid for this h */
} htab;

typedef struct lane_t {
  pk_system sys;
  int have_sys;
  pk_event_list ev;
  int nr, ridx[MAXR];
  double tol0, m0[PK_PD_FILTERS];
  /* what the events were made from (lane 0: reused by lanes alike) */
  const pk_regimen *reg;
  double F[PK_MAX_COMPOUNDS], lag[PK_MAX_COMPOUNDS], mw[PK_MAX_COMPOUNDS];
  /* a steady-state history: its events over one period when the kernel
   * computes the periodic state itself (modal_ss), else the state and inputs
   * at the start as pk_simulate computes them */
  pk_event_list hev;
  int modal_ss;
  double *y0, *rate0;
  int *active0;
  size_t cap0;
} lane_t;

struct pk_fast {
  lane_t ln[L];
  int R;                    /* modal states of the pack */
  int red[MAXR + PK_MAX_COMPOUNDS]; /* full linear index -> modal index (-1: eliminated) */
  /* per lane, index * L + lane */
  double *lam, *p, *q, *pq, *pq2, *W; /* R; R; R; |p| + |q|/4; |p| + |q|/2; R x R (W = V^-1) */
  double *z0, *r0;   /* R: modal state and inputs (modal states' order) at the start */
  int active0[MAXR]; /* inputs running at the start, per modal state's compartment */
  double *Vc, *Vg;          /* rows of V for the centrals and the ligands' effect sites */
  double cfac[PK_MAX_COMPOUNDS * L]; /* 1000 / V_L: umol to nM */
  double fuK[PK_MAX_COMPOUNDS * L], gtau[PK_MAX_COMPOUNDS * L]; /* fu / K, tau per ligand */
  double ktol[L];
  /* PD version 2 (nf filters): the filters' rates, W's coefficients
   * (pk_system_withdrawal) and the filters' states */
  int nf;
  double kf[PK_PD_FILTERS][L], wd[L], wf[PK_PD_FILTERS][L];
  double mf[PK_PD_FILTERS][L];
  /* state */
  double *z, *zb, *rate, *zm, *amp, *amp2;
  int active[MAXR];
  int has_rate;
  int prev_n[L]; /* each lane's rule on its previous step */
  int prev_ok[L]; /* ... and whether it met the bound there */
  double valid_h; /* the previous step's length; 0 after an event */
  double quad_tol; /* the run's bound on the quadrature error of E per hour */
  htab tab[HCACHE];
  htab *last; /* the table found last */
  int tnext;
  /* Gauss-Legendre rules on [0, 1] */
  double gx[NMAX + 1][NMAX], gw[NMAX + 1][NMAX], cbound[NMAX + 1];
  double *row; /* one output row */
  int nrow;
  /* summaries, lane-wise (index * L + lane) */
  const pk_fast_summary *summ;
  size_t s_rows;
  double s_tprev;
  double s_cmax[PK_MAX_COMPOUNDS * L], s_tmax[PK_MAX_COMPOUNDS * L], s_cmin[PK_MAX_COMPOUNDS * L],
      s_auc[PK_MAX_COMPOUNDS * L], s_cprev[PK_MAX_COMPOUNDS * L];
  double s_omin[L], s_omax[L], s_emax[L], s_wmax[L], s_hw[L], s_ho[L], s_wprev[L], s_oprev[L];
  unsigned live;
  pk_status *status;
  pk_error *errs;
  size_t steps;
  int (*stop_fn)(void *);
  void *stop_ctx;
  int stopped;
};

/* ---- Gauss-Legendre rules ---- */

static void legendre_rules(pk_fast *f) {
  for (int n = 1; n <= NMAX; n++) {
    for (int i = 0; i < n; i++) {
      double x = cos(3.14159265358979323846 * (i + 0.75) / (n + 0.5)), dp = 1.0;
      for (int it = 0; it < 100; it++) {
        double p0 = 1.0, p1 = x;
        for (int k = 2; k <= n; k++) {
          double p2 = ((2.0 * k - 1.0) * x * p1 - (k - 1.0) * p0) / k;
          p0 = p1, p1 = p2;
        }
        if (n == 1) p1 = x, p0 = 1.0;
        dp = n * (x * p1 - p0) / (x * x - 1.0);
        double dx = p1 / dp;
        x -= dx;
        if (fabs(dx) < 1e-16) break;
      }
      /* on [0, 1]: node (1 - x) / 2 (ascending), weight 1 / ((1 - x^2) P'^2) */
      f->gx[n][i] = 0.5 * (1.0 - x);
      f->gw[n][i] = 1.0 / ((1.0 - x * x) * dp * dp);
    }
    /* |error| <= c_n max |g^(2n)| on [0, 1], c_n = (n!)^4 / ((2n+1) ((2n)!)^3) */
    double lc = 4.0 * lgamma(n + 1.0) - log(2.0 * n + 1.0) - 3.0 * lgamma(2.0 * n + 1.0);
    f->cbound[n] = exp(lc);
  }
}

pk_fast *pk_fast_new(void) {
  pk_fast *f = calloc(1, sizeof *f);
  if (!f) return NULL;
  legendre_rules(f);
  return f;
}

static void free_tab(htab *t) {
  free(t->e_end);
  free(t->g_end);
  free(t->rfac);
  free(t->T);
  free(t->T2);
  for (int n = 0; n <= NMAX; n++) {
    free(t->en[n]);
    free(t->gn[n]);
    free(t->wn[n]);
    for (int j = 0; j < PK_PD_FILTERS; j++) free(t->wnf[j][n]);
  }
  memset(t, 0, sizeof *t);
}

static void free_pack(pk_fast *f) {
  free(f->lam), free(f->p), free(f->q), free(f->pq), free(f->pq2), free(f->W), free(f->Vc),
      free(f->Vg);
  free(f->z0), free(f->r0);
  f->z0 = f->r0 = NULL;
  free(f->z), free(f->zb), free(f->rate), free(f->zm), free(f->amp), free(f->amp2);
  f->lam = f->p = f->q = f->pq = f->pq2 = f->W = f->Vc = f->Vg = NULL;
  f->z = f->zb = f->rate = f->zm = f->amp = f->amp2 = NULL;
  for (int k = 0; k < HCACHE; k++) free_tab(&f->tab[k]);
  f->R = 0;
}

void pk_fast_free(pk_fast *f) {
  if (!f) return;
  free_pack(f);
  for (int l = 0; l < L; l++) {
    if (f->ln[l].have_sys) pk_system_release(&f->ln[l].sys);
    pk_events_release(&f->ln[l].ev);
    free(f->ln[l].y0), free(f->ln[l].rate0), free(f->ln[l].active0);
    pk_events_release(&f->ln[l].hev);
  }
  free(f->row);
  free(f);
}

const pk_system *pk_fast_system(const pk_fast *f, int lane) { return &f->ln[lane].sys; }

/* ---- structured eigen-decomposition ---- */

typedef struct scc {
  const double *B;
  int n, idx, top, ncomp;
  int index[MAXR], low[MAXR], on[MAXR], stack[MAXR], comp[MAXR];
} scc;

/* Tarjan: components numbered sinks first (reverse topological order). */
static void strong(scc *t, int v) {
  t->index[v] = t->low[v] = t->idx++;
  t->stack[t->top++] = v;
  t->on[v] = 1;
  for (int w = 0; w < t->n; w++) {
    if (w == v || t->B[w * t->n + v] == 0.0) continue; /* flow from v into w */
    if (t->index[w] < 0) {
      strong(t, w);
      if (t->low[w] < t->low[v]) t->low[v] = t->low[w];
    } else if (t->on[w] && t->index[w] < t->low[v]) {
      t->low[v] = t->index[w];
    }
  }
  if (t->low[v] == t->index[v]) {
    int w;
    do {
      w = t->stack[--t->top];
      t->on[w] = 0;
      t->comp[w] = t->ncomp;
    } while (w != v);
    t->ncomp++;
  }
}

/* Solves M y = r (m x m, row-major, overwritten) by elimination with
 * partial pivoting; 0 if M is singular relative to its scale. */
static int small_solve(double *M, double *r, int m, double scale) {
  for (int c = 0; c < m; c++) {
    int piv = c;
    for (int i = c + 1; i < m; i++)
      if (fabs(M[i * m + c]) > fabs(M[piv * m + c])) piv = i;
    if (!(fabs(M[piv * m + c]) > 1e-10 * scale)) return 0;
    if (piv != c) {
      for (int j = 0; j < m; j++) {
        double tmp = M[c * m + j];
        M[c * m + j] = M[piv * m + j], M[piv * m + j] = tmp;
      }
      double tmp = r[c];
      r[c] = r[piv], r[piv] = tmp;
    }
    for (int i = c + 1; i < m; i++) {
      double fct = M[i * m + c] / M[c * m + c];
      for (int j = c; j < m; j++) M[i * m + j] -= fct * M[c * m + j];
      r[i] -= fct * r[c];
    }
  }
  for (int i = m - 1; i >= 0; i--) {
    double s = r[i];
    for (int j = i + 1; j < m; j++) s -= M[i * m + j] * r[j];
    r[i] = s / M[i * m + i];
  }
  return 1;
}

/* Eigenvalues and right eigenvectors of one diagonal block (members mem,
 * size m) of B: closed form for 1 and 2 compartments, GSL beyond. Vectors
 * in U (m x m, column k for lam[k]). 0 if not real. */
static int block_eigen(const double *B, int n, const int *mem, int m, double *lam, double *U) {
  if (m == 1) {
    lam[0] = B[mem[0] * n + mem[0]];
    U[0] = 1.0;
    return 1;
  }
  if (m == 2) {
    double a = B[mem[0] * n + mem[0]], b = B[mem[0] * n + mem[1]];
    double c = B[mem[1] * n + mem[0]], d = B[mem[1] * n + mem[1]];
    double disc = (a - d) * (a - d) + 4.0 * b * c;
    if (disc < 0) return 0;
    /* the root of larger magnitude without cancellation, the other from
     * the determinant */
    double tr = a + d, s = sqrt(disc);
    double l1 = tr < 0 ? 0.5 * (tr - s) : 0.5 * (tr + s);
    double l2 = l1 != 0.0 ? (a * d - b * c) / l1 : tr - l1;
    lam[0] = l1, lam[1] = l2;
    for (int k = 0; k < 2; k++) {
      /* (B - l I) u = 0: u = (b, l - a) or (l - d, c), the larger one */
      double u0 = b, u1 = lam[k] - a, w0 = lam[k] - d, w1 = c;
      if (fabs(u0) + fabs(u1) < fabs(w0) + fabs(w1)) u0 = w0, u1 = w1;
      if (u0 == 0.0 && u1 == 0.0) return 0;
      U[0 * 2 + k] = u0, U[1 * 2 + k] = u1;
    }
    return 1;
  }
  gsl_matrix *a = gsl_matrix_alloc((size_t)m, (size_t)m);
  gsl_vector_complex *ev = gsl_vector_complex_alloc((size_t)m);
  gsl_matrix_complex *evec = gsl_matrix_complex_alloc((size_t)m, (size_t)m);
  gsl_eigen_nonsymmv_workspace *ws = gsl_eigen_nonsymmv_alloc((size_t)m);
  int ok = a && ev && evec && ws;
  for (int i = 0; ok && i < m; i++)
    for (int j = 0; j < m; j++) gsl_matrix_set(a, (size_t)i, (size_t)j, B[mem[i] * n + mem[j]]);
  ok = ok && gsl_eigen_nonsymmv(a, ev, evec, ws) == GSL_SUCCESS;
  for (int k = 0; ok && k < m; k++) {
    gsl_complex lk = gsl_vector_complex_get(ev, (size_t)k);
    ok = GSL_IMAG(lk) == 0.0;
    lam[k] = GSL_REAL(lk);
    for (int i = 0; ok && i < m; i++) {
      gsl_complex e = gsl_matrix_complex_get(evec, (size_t)i, (size_t)k);
      ok = GSL_IMAG(e) == 0.0;
      U[i * m + k] = GSL_REAL(e);
    }
  }
  if (ws) gsl_eigen_nonsymmv_free(ws);
  if (evec) gsl_matrix_complex_free(evec);
  if (ev) gsl_vector_complex_free(ev);
  if (a) gsl_matrix_free(a);
  return ok;
}

/* B = V diag(lam) V^-1 (n x n, V column k for lam[k], W = V^-1): the
 * eigenvalues block by block, each eigenvector by substitution down the
 * blocks it feeds. 0 if not real, defective or ill-conditioned. */
static int structured_eigen(const double *B, int n, double *lam, double *V, double *W) {
  scc t = {.B = B, .n = n};
  for (int i = 0; i < n; i++) t.index[i] = -1;
  for (int i = 0; i < n; i++)
    if (t.index[i] < 0) strong(&t, i);
  int mem[MAXR][MAXR], msz[MAXR] = {0};
  for (int i = 0; i < n; i++) mem[t.comp[i]][msz[t.comp[i]]++] = i;
  double scale = 0.0;
  for (int i = 0; i < n * n; i++) scale = fmax(scale, fabs(B[i]));
  if (!(scale > 0)) return 0;
  memset(V, 0, (size_t)(n * n) * sizeof *V);
  int k = 0;
  for (int c = t.ncomp - 1; c >= 0; c--) { /* upstream first */
    int m = msz[c];
    double bl[MAXR], U[MAXR * MAXR];
    if (!block_eigen(B, n, mem[c], m, bl, U)) return 0;
    for (int e = 0; e < m; e++, k++) {
      double v[MAXR] = {0}, l = bl[e];
      lam[k] = l;
      if (l > 0) return 0;
      for (int i = 0; i < m; i++) v[mem[c][i]] = U[i * m + e];
      for (int d = c - 1; d >= 0; d--) { /* the blocks downstream */
        int md = msz[d], any = 0;
        double r[MAXR], M[MAXR * MAXR];
        for (int i = 0; i < md; i++) {
          int row = mem[d][i];
          double s = 0.0;
          for (int j = 0; j < n; j++)
            if (t.comp[j] != d) s += B[row * n + j] * v[j];
          r[i] = s;
          any |= s != 0.0;
          for (int j = 0; j < md; j++)
            M[i * md + j] = (i == j ? l : 0.0) - B[row * n + mem[d][j]];
        }
        if (!any) continue; /* not reached from this mode */
        if (!small_solve(M, r, md, scale)) return 0;
        for (int i = 0; i < md; i++) v[mem[d][i]] = r[i];
      }
      double vmax = 0.0;
      for (int i = 0; i < n; i++) vmax = fmax(vmax, fabs(v[i]));
      if (!(vmax > 0) || !isfinite(vmax)) return 0;
      for (int i = 0; i < n; i++) V[i * n + k] = v[i] / vmax;
    }
  }
  /* W = V^-1 by Gauss-Jordan with partial pivoting */
  double M[MAXR * MAXR];
  memcpy(M, V, (size_t)(n * n) * sizeof *M);
  for (int i = 0; i < n; i++)
    for (int j = 0; j < n; j++) W[i * n + j] = i == j;
  for (int c = 0; c < n; c++) {
    int piv = c;
    for (int i = c + 1; i < n; i++)
      if (fabs(M[i * n + c]) > fabs(M[piv * n + c])) piv = i;
    if (!(fabs(M[piv * n + c]) > 1e-12)) return 0;
    for (int j = 0; piv != c && j < n; j++) {
      double a = M[c * n + j], b = W[c * n + j];
      M[c * n + j] = M[piv * n + j], W[c * n + j] = W[piv * n + j];
      M[piv * n + j] = a, W[piv * n + j] = b;
    }
    double inv = 1.0 / M[c * n + c];
    for (int j = 0; j < n; j++) M[c * n + j] *= inv, W[c * n + j] *= inv;
    for (int i = 0; i < n; i++) {
      if (i == c || M[i * n + c] == 0.0) continue;
      double fct = M[i * n + c];
      for (int j = 0; j < n; j++) M[i * n + j] -= fct * M[c * n + j], W[i * n + j] -= fct * W[c * n + j];
    }
  }
  /* modal values lose about cond(V) eps: keep cond(V) below about 1e5,
   * and check B V = V Lambda */
  double nw = 0.0, resid = 0.0;
  for (int i = 0; i < n; i++)
    for (int j = 0; j < n; j++) {
      nw = fmax(nw, fabs(W[i * n + j]));
      double bv = 0.0;
      for (int s = 0; s < n; s++) bv += B[i * n + s] * V[s * n + j];
      resid = fmax(resid, fabs(bv - V[i * n + j] * lam[j]));
    }
  return (double)(n * n) * nw < 1e5 && resid <= 1e-12 * scale * n && isfinite(nw);
}

/* ---- lanes ---- */

static int same_layout(const pk_system *a, const pk_system *b) {
  if (a->n_lin != b->n_lin || a->n_states != b->n_states || a->n_cols != b->n_cols ||
      a->n_compounds != b->n_compounds || a->n_ligands != b->n_ligands || a->tol != b->tol ||
      a->n_filt != b->n_filt)
    return 0;
  for (int i = 0; i < a->n_compounds; i++)
    if (a->central[i] != b->central[i] || a->elim[i] != b->elim[i]) return 0;
  for (int l = 0; l < a->n_ligands; l++)
    if (a->lig_state[l] != b->lig_state[l]) return 0;
  return 1;
}

static int same_timing(const pk_event_list *a, const pk_event_list *b) {
  if (a->n != b->n) return 0;
  for (size_t k = 0; k < a->n; k++)
    if (a->ev[k].t_h != b->ev[k].t_h || a->ev[k].kind != b->ev[k].kind ||
        a->ev[k].state != b->ev[k].state)
      return 0;
  return 1;
}

static double *grow(double *p, size_t n) {
  double *q = realloc(p, (n ? n : 1) * sizeof *q);
  if (!q) free(p);
  return q;
}

/* (Re)allocates the pack arrays for R modal states. */
static int pack_alloc(pk_fast *f, int R) {
  if (f->R == R && f->lam) return 0;
  free_pack(f);
  size_t r = (size_t)R;
  f->lam = calloc(r * L, sizeof(double));
  f->p = calloc(r * L, sizeof(double));
  f->q = calloc(r * L, sizeof(double));
  f->pq = calloc(r * L, sizeof(double));
  f->pq2 = calloc(r * L, sizeof(double));
  f->z0 = calloc(r * L, sizeof(double));
  f->r0 = calloc(r * L, sizeof(double));
  f->W = calloc(r * r * L, sizeof(double));
  f->Vc = calloc(r * L * PK_MAX_COMPOUNDS, sizeof(double));
  f->Vg = calloc(r * L * PK_MAX_COMPOUNDS, sizeof(double));
  f->z = calloc(r * L, sizeof(double));
  f->zb = calloc(r * L, sizeof(double));
  f->rate = calloc(r * L, sizeof(double));
  f->zm = calloc((MAX_DEPTH + 1) * r * L, sizeof(double));
  f->amp = calloc(r * L, sizeof(double));
  f->amp2 = calloc(r * L, sizeof(double));
  if (!f->lam || !f->p || !f->q || !f->pq || !f->pq2 || !f->z0 || !f->r0 || !f->W || !f->Vc || !f->Vg || !f->z || !f->zb || !f->rate ||
      !f->zm || !f->amp || !f->amp2) {
    free_pack(f);
    return -1;
  }
  f->R = R;
  return 0;
}

int pk_fast_lane(pk_fast *f, int lane, const pk_model *m, const pk_regimen *r,
                 const pk_sim_options *o, pk_error *err) {
  lane_t *ln = &f->ln[lane];
  if (o->include_amounts) return 0;
  for (size_t k = 0; r && k < r->n; k++)
    if (r->dose[k].reset || r->dose[k].ss) return 0;
  if (ln->have_sys) {
    pk_system_release(&ln->sys);
    ln->have_sys = 0;
  }
  const pk_regimen *regs[2] = {r, o->steady_state};
  pk_error e2;
  if (pk_system_init(&ln->sys, m, regs, 2, 0, &e2) != PK_OK) {
    pk_system_release(&ln->sys);
    if (e2.code == PK_ERR_NOMEM) return pk_err_nomem(err), -1;
    return 0;
  }
  ln->have_sys = 1;
  const pk_system *s = &ln->sys;
  if (s->n_kinetic > 0 || s->n_lin > MAXR + PK_MAX_COMPOUNDS) return 0;
  if (lane > 0 && !same_layout(s, &f->ln[0].sys)) return PK_FAST_MISFIT;
  ln->nr = 0;
  for (int k = 0; k < s->n_lin; k++) {
    int is_elim = 0;
    for (int i = 0; i < s->n_compounds; i++) is_elim |= s->elim[i] == k;
    if (is_elim) continue;
    if (ln->nr == MAXR) return 0;
    ln->ridx[ln->nr++] = k;
  }
  int R = ln->nr;
  if (lane > 0 && R != f->R) return PK_FAST_MISFIT;
  double B[MAXR * MAXR], lam[MAXR], V[MAXR * MAXR], W[MAXR * MAXR];
  for (int i = 0; i < R; i++)
    for (int j = 0; j < R; j++)
      B[i * R + j] = s->A[(size_t)ln->ridx[i] * (size_t)s->n_lin + (size_t)ln->ridx[j]];
  if (!structured_eigen(B, R, lam, V, W)) return 0;
  ln->ev.n = 0;
  ln->reg = r;
  for (int c = 0; c < m->n_compounds; c++)
    ln->F[c] = m->compound[c].F, ln->lag[c] = m->compound[c].lag_h,
    ln->mw[c] = m->compound[c].mw_g_per_mol;
  /* the same regimen with the same F, lag and molar mass as lane 0 (and the
   * same depots) gives the same events: copied, not made again */
  int alike = lane > 0 && !o->steady_state && r == f->ln[0].reg &&
              s->n_depots == f->ln[0].sys.n_depots;
  for (int c = 0; alike && c < m->n_compounds; c++)
    alike = ln->F[c] == f->ln[0].F[c] && ln->lag[c] == f->ln[0].lag[c] &&
            ln->mw[c] == f->ln[0].mw[c];
  for (int k = 0; alike && k < s->n_depots; k++)
    alike = s->depot_state[k] == f->ln[0].sys.depot_state[k];
  if (alike) {
    const pk_event_list *e0 = &f->ln[0].ev;
    if (ln->ev.cap < e0->n) {
      pk_event *ev = realloc(ln->ev.ev, e0->n * sizeof *ev);
      if (!ev) return pk_err_nomem(err), -1;
      ln->ev.ev = ev;
      ln->ev.cap = e0->n;
    }
    memcpy(ln->ev.ev, e0->ev, e0->n * sizeof *e0->ev);
    ln->ev.n = e0->n;
  } else if (pk_events_from_regimen(&ln->ev, s, m, r, 0.0, &e2) != PK_OK) {
    if (e2.code == PK_ERR_NOMEM) return pk_err_nomem(err), -1;
    return 0;
  }
  ln->modal_ss = 0;
  if (o->steady_state) {
    /* a history of boluses all within one period, every mode decaying: the
     * periodic state in closed form, e^{lambda (T - t)} summed over the
     * past periods (and tol over one period in pk_fast_run) */
    double T = o->steady_state_period_h;
    ln->hev.n = 0;
    int simple = pk_events_from_regimen(&ln->hev, s, m, o->steady_state, 0.0, &e2) == PK_OK;
    if (!simple && e2.code == PK_ERR_NOMEM) return pk_err_nomem(err), -1;
    if (simple) pk_events_sort(&ln->hev);
    for (size_t k = 0; simple && k < ln->hev.n; k++)
      simple = ln->hev.ev[k].kind == PK_EV_BOLUS && ln->hev.ev[k].t_h >= 0 &&
               ln->hev.ev[k].t_h < T;
    for (int i = 0; simple && i < R; i++) simple = lam[i] < 0 && expm1(lam[i] * T) < 0;
    ln->modal_ss = simple;
  }
  if (lane > 0 && ln->modal_ss != f->ln[0].modal_ss) return PK_FAST_MISFIT;
  if (lane > 0 && ln->modal_ss && !same_timing(&ln->hev, &f->ln[0].hev)) return PK_FAST_MISFIT;
  if (o->steady_state && !ln->modal_ss) {
    /* the periodic steady state at the start, as pk_simulate computes it;
     * the history's pending inputs join the events */
    size_t need = (size_t)s->n_states;
    if (need > ln->cap0) {
      free(ln->y0), free(ln->rate0), free(ln->active0);
      ln->y0 = malloc(need * sizeof *ln->y0);
      ln->rate0 = malloc(need * sizeof *ln->rate0);
      ln->active0 = malloc(need * sizeof *ln->active0);
      ln->cap0 = ln->y0 && ln->rate0 && ln->active0 ? need : 0;
      if (!ln->cap0) return pk_err_nomem(err), -1;
    }
    memset(ln->y0, 0, need * sizeof *ln->y0);
    if (pk_sim_history_start(m, o, s, ln->y0, ln->rate0, ln->active0, &ln->ev, &e2) != PK_OK) {
      if (e2.code == PK_ERR_NOMEM) return pk_err_nomem(err), -1;
      return 0;
    }
    if (lane > 0)
      for (int k = 0; k < s->n_lin; k++)
        if (ln->active0[k] != f->ln[0].active0[k]) return PK_FAST_MISFIT;
  }
  int sorted = 1;
  for (size_t k = 1; k < ln->ev.n && sorted; k++) {
    const pk_event *a = &ln->ev.ev[k - 1], *b = &ln->ev.ev[k];
    sorted = a->t_h < b->t_h || (a->t_h == b->t_h && a->order <= b->order);
  }
  if (!sorted) pk_events_sort(&ln->ev);
  for (size_t k = 0; k < ln->ev.n; k++)
    if (ln->ev.ev[k].kind != PK_EV_BOLUS && ln->ev.ev[k].kind != PK_EV_RATE_ON &&
        ln->ev.ev[k].kind != PK_EV_RATE_OFF)
      return 0;
  if (lane > 0 && !same_timing(&ln->ev, &f->ln[0].ev)) return PK_FAST_MISFIT;
  if (lane == 0) {
    if (pack_alloc(f, R) != 0) return pk_err_nomem(err), -1;
    for (size_t k = 0; k < sizeof f->red / sizeof f->red[0]; k++) f->red[k] = -1;
    for (int i = 0; i < R; i++) f->red[ln->ridx[i]] = i;
    size_t nrow = (size_t)s->n_cols;
    if ((int)nrow > f->nrow && !(f->row = grow(f->row, nrow)))
      return f->nrow = 0, pk_err_nomem(err), -1;
    if ((int)nrow > f->nrow) f->nrow = (int)nrow;
  }
  for (int i = 0; i < R; i++) {
    f->lam[i * L + lane] = lam[i];
    double p = 0.0, q = 0.0;
    for (int g = 0; g < s->n_ligands; g++) {
      int row = f->red[s->lig_state[g]];
      double x = s->lig_fu[g] * V[row * R + i] / s->lig_K_nM[g];
      q += x;
      p += s->lig_tau[g] * x;
      f->Vg[((size_t)g * (size_t)R + (size_t)i) * L + (size_t)lane] = V[row * R + i];
    }
    f->p[i * L + lane] = p, f->q[i * L + lane] = q;
    /* weights of a mode's amplitude in the error of E = P / (1 + P + Q), P, Q
     * >= 0: |dE/dP| <= 1, |dE/dQ| <= 1/4; to second order
     * (|dP| + |dQ| / 2)^2 bounds the quadratic term */
    f->pq[i * L + lane] = fabs(p) + 0.25 * fabs(q);
    f->pq2[i * L + lane] = fabs(p) + 0.5 * fabs(q);
    for (int c = 0; c < s->n_compounds; c++)
      f->Vc[((size_t)c * (size_t)R + (size_t)i) * L + (size_t)lane] =
          V[f->red[s->central[c]] * R + i];
    for (int j = 0; j < R; j++) f->W[((size_t)i * (size_t)R + (size_t)j) * L + (size_t)lane] = W[i * R + j];
  }
  int hist = o->steady_state && !ln->modal_ss;
  for (int i = 0; i < R; i++) {
    double zi = 0.0;
    for (int j = 0; hist && j < R; j++) zi += W[i * R + j] * ln->y0[ln->ridx[j]];
    for (size_t k = 0; ln->modal_ss && k < ln->hev.n; k++) {
      const pk_event *e = &ln->hev.ev[k];
      double T = o->steady_state_period_h;
      zi += W[i * R + f->red[e->state]] * e->value * exp(lam[i] * (T - e->t_h)) /
            -expm1(lam[i] * T);
    }
    f->z0[i * L + lane] = zi;
    f->r0[i * L + lane] = hist ? ln->rate0[ln->ridx[i]] : 0.0;
    if (lane == 0) f->active0[i] = hist ? ln->active0[ln->ridx[i]] : 0;
  }
  f->ktol[lane] = s->k_tol_per_h;
  if (lane == 0) f->nf = s->n_filt;
  f->wd[lane] = s->w_delta;
  for (int j = 0; j < PK_PD_FILTERS; j++) {
    f->kf[j][lane] = j < s->n_filt ? s->k_filt[j] : 0.0;
    f->wf[j][lane] = j < s->n_filt ? s->w_filt[j] : 0.0;
  }
  for (int c = 0; c < s->n_compounds; c++) f->cfac[c * L + lane] = 1000.0 / s->V_L[c];
  for (int g = 0; g < s->n_ligands; g++) {
    f->fuK[g * L + lane] = s->lig_fu[g] / s->lig_K_nM[g];
    f->gtau[g * L + lane] = s->lig_tau[g];
  }
  ln->tol0 = hist ? ln->y0[s->tol] : o->tol0;
  for (int j = 0; j < PK_PD_FILTERS; j++)
    ln->m0[j] = hist && j < s->n_filt ? ln->y0[s->filt[j]] : 0.0;
  return 1;
}

/* ---- step tables ---- */

static double phi1(double l, double t) { return l == 0.0 ? t : expm1(l * t) / l; }

/* The tables of step length h (exactly h: results must not depend on which
 * lengths came before). */
static htab *get_tab(pk_fast *f, double h) {
  if (f->last && f->last->h == h) return f->last;
  for (int k = 0; k < HCACHE; k++)
    if (f->tab[k].h == h) return f->last = &f->tab[k];
  htab *t = &f->tab[f->tnext];
  f->tnext = (f->tnext + 1) % HCACHE;
  size_t R = (size_t)f->R;
  if (!t->e_end) {
    t->e_end = malloc(R * L * sizeof(double));
    t->g_end = malloc(R * L * sizeof(double));
    t->rfac = malloc(R * L * sizeof(double));
    t->T = malloc((NMAX + 1) * R * L * sizeof(double));
    t->T2 = malloc((NMAX + 1) * (R * (R + 1) / 2) * L * sizeof(double));
    if (!t->e_end || !t->g_end || !t->rfac || !t->T || !t->T2) {
      free_tab(t);
      return NULL;
    }
  }
  t->h = 0.0;
  for (int n = 0; n <= NMAX; n++) {
    t->have_e[n] = t->have_g[n] = 0; /* the arrays stay for the next length */
  }
  /* the PD block's weights vary at rates up to kpd (pk_system_pd_weights) */
  double kpd[L];
  for (int l = 0; l < L; l++) {
    t->decay[l] = exp(-f->ktol[l] * h);
    kpd[l] = f->ktol[l];
    for (int j = 0; j < f->nf; j++) {
      t->decf[j][l] = exp(-f->kf[j][l] * h);
      t->ghf[j][l] = pk_pd_g(f->ktol[l], f->kf[j][l], h);
      t->gkf[j][l] = f->ktol[l] * t->ghf[j][l];
      kpd[l] = fmax(kpd[l], f->kf[j][l]);
    }
  }
  for (size_t i = 0; i < R; i++)
    for (int l = 0; l < L; l++) {
      size_t k = i * L + (size_t)l;
      double lam = f->lam[k], x = (fabs(lam) + kpd[l]) * h;
      t->e_end[k] = exp(lam * h);
      t->g_end[k] = phi1(lam, h);
      /* a modal input b contributes b (e^{lam s} - 1) / lam: derivatives of
       * order j are b lam^(j-1) e^{lam s}, so its amplitude per unit b is
       * at most h / min(x, 1) against the bound tabled for e^{lam s} */
      t->rfac[k] = x > 0 ? h / fmin(x, 1.0) : 0.0;
      double x2 = x * x, p = 1.0;
      for (int n = 0; n <= NMAX; n++) {
        /* GL-n error on integral_0^1 e^{-x s} ds is at most c_n x^(2n)
         * (and at most 1: weights and integrand are in [0, 1]) */
        double b = f->cbound[n] * p; /* NaN or above 1: 1 */
        t->T[((size_t)n * R + i) * L + (size_t)l] = n > 0 && b < 1.0 ? b : 1.0;
        p *= x2;
      }
    }
  /* products of two modes vary at the sum of their rates */
  size_t np = R * (R + 1) / 2, pr = 0;
  for (size_t i = 0; i < R; i++)
    for (size_t j = i; j < R; j++, pr++)
      for (int l = 0; l < L; l++) {
        double x = (fabs(f->lam[i * L + (size_t)l]) + fabs(f->lam[j * L + (size_t)l]) +
                    kpd[l]) * h;
        double x2 = x * x, p = 1.0;
        for (int n = 0; n <= NMAX; n++) {
          double b = f->cbound[n] * p;
          t->T2[((size_t)n * np + pr) * L + (size_t)l] = n > 0 && b < 1.0 ? b : 1.0;
          p *= x2;
        }
      }
  t->h = h;
  return f->last = t;
}

/* Node tables of rule n for step table t (inputs' columns if with_g). */
static int node_tabs(pk_fast *f, htab *t, int n, int with_g) {
  size_t R = (size_t)f->R, cnt = (size_t)n * R * L;
  if (!t->have_e[n]) {
    if (!t->en[n]) t->en[n] = malloc(cnt * sizeof(double));
    if (!t->wn[n]) t->wn[n] = malloc((size_t)n * L * sizeof(double));
    if (!t->en[n] || !t->wn[n]) return -1;
    for (int j = 0; j < f->nf; j++)
      if (!t->wnf[j][n] && !(t->wnf[j][n] = malloc((size_t)n * L * sizeof(double)))) return -1;
    for (int m = 0; m < n; m++) {
      double s = f->gx[n][m] * t->h;
      for (size_t i = 0; i < R; i++)
        for (int l = 0; l < L; l++) t->en[n][((size_t)m * R + i) * L + (size_t)l] = exp(f->lam[i * L + (size_t)l] * s);
      for (int l = 0; l < L; l++)
        t->wn[n][(size_t)m * L + (size_t)l] =
            f->gw[n][m] * t->h * exp(-f->ktol[l] * (t->h - s));
      for (int j = 0; j < f->nf; j++)
        for (int l = 0; l < L; l++) {
          double k1 = f->ktol[l], kj = f->kf[j][l], tau = t->h - s;
          t->wnf[j][n][(size_t)m * L + (size_t)l] =
              f->gw[n][m] * t->h * (k1 * pk_pd_g(k1, kj, tau) - exp(-kj * tau));
        }
    }
    t->have_e[n] = 1;
  }
  if (with_g && !t->have_g[n]) {
    if (!t->gn[n] && !(t->gn[n] = malloc(cnt * sizeof(double)))) return -1;
    for (int m = 0; m < n; m++) {
      double s = f->gx[n][m] * t->h;
      for (size_t i = 0; i < R; i++)
        for (int l = 0; l < L; l++)
          t->gn[n][((size_t)m * R + i) * L + (size_t)l] = phi1(f->lam[i * L + (size_t)l], s);
    }
    t->have_g[n] = 1;
  }
  return 0;
}

/* ---- the hot loops ---- */

/* One value per lane (GCC vector extension: one AVX-512 register, two AVX2
 * or four SSE2 ones); aligned(8) allows loads from any double array. */
typedef double v8 __attribute__((vector_size(L * sizeof(double)), aligned(8)));
typedef long long v8i __attribute__((vector_size(L * sizeof(long long)), aligned(8)));
#define V8(p) (*(const v8 *)(const void *)(p))

/* |x| of a lane vector: the sign bits cleared */
#define ABS_MASK ((long long)(~0ULL >> 1))
#define V8_ABS(x)                                                                            \
  ((v8)((v8i)(x) & ((v8i){0} + ABS_MASK)))

/* The rules in use: lanes of a pack that choose different rules cost one
 * evaluation each, so the counts are spaced out where they are large. */
static const int RULE_USED[NMAX + 1] = {0, 1, 1, 1, 1, 0, 1, 0, 1, 0, 1, 0, 1};

/* m ? a : b lane by lane (m from a comparison: all bits set or none) */
#define BLEND(m, a, b) ((v8)(((v8i)(a) & (m)) | ((v8i)(b) & ~(m))))

/* Lanes of a comparison result as bits (lane l: bit l). */
_Static_assert(L == 8, "maskbits reduces eight lanes");
typedef long long v4i __attribute__((vector_size(4 * sizeof(long long))));
typedef long long v2i __attribute__((vector_size(2 * sizeof(long long))));
static inline unsigned maskbits(const v8i *m) {
  const v8i bit = {1, 2, 4, 8, 16, 32, 64, 128};
  v8i x = *m & bit;
  v4i y = __builtin_shufflevector(x, x, 0, 1, 2, 3) | __builtin_shufflevector(x, x, 4, 5, 6, 7);
  v2i w = __builtin_shufflevector(y, y, 0, 1) | __builtin_shufflevector(y, y, 2, 3);
  return (unsigned)(w[0] | w[1]);
}

#define store8(p, v)                                                                          \
  do {                                                                                        \
    v8 store8_v = (v);                                                                        \
    memcpy((p), &store8_v, sizeof store8_v);                                                  \
  } while (0)

/* pk_log (fast.h) lane by lane with the same operations; lanes in `use`
 * whose value is not a normal number go to pk_log itself. */
static inline __attribute__((always_inline)) void v8_log(const v8 *xp, unsigned use,
                                                        v8 *result) {
  static const double c[] = {PK_LOG_SERIES};
  v8 x = *xp;
  const v8 zero = {0};
  v8i bits = (v8i)x;
  v8i e = ((bits >> 52) & 0x7ff) - 1023;
  v8 m = (v8)((bits & 0xfffffffffffffLL) | 0x3ff0000000000000LL);
  v8i big = m > zero + 1.41421356237309504880;
  m = BLEND(big, m * 0.5, m);
  e -= big; /* big is -1 where set */
  v8 s = (m - 1.0) / (m + 1.0), s2 = s * s, p = zero + c[0];
  for (size_t k = 1; k < sizeof c / sizeof c[0]; k++) p = p * s2 + c[k];
  v8 r = 2.0 * s + s * (s2 * p);
  v8 ed = __builtin_convertvector(e, v8);
  v8 out = ed * PK_LN2_HI + (ed * PK_LN2_LO + r);
  v8i normal = (x >= zero + DBL_MIN) & (x <= zero + DBL_MAX);
  for (unsigned odd = use & ~maskbits(&normal); odd; odd &= odd - 1) {
    int l = __builtin_ctz(odd);
    out[l] = pk_log(x[l]);
  }
  *result = out;
}

/* The summaries with the row at t_h: maxima and minima lane-wise, the
 * logarithms of the log-down trapezoid and of threshold crossings lane by
 * lane with pk_seg_auc and pk_seg_above's arithmetic. */
static inline __attribute__((always_inline)) void summarise_row(pk_fast *f, double t_h, int nc,
                                                                const v8 *C, const v8 *occp,
                                                                const v8 *Ep, const v8 *Wp) {
  v8 occ = *occp, E = *Ep, W = *Wp;
  const pk_fast_summary *sm = f->summ;
  int first = f->s_rows == 0;
  double dt = t_h - f->s_tprev;
  const v8 zero = {0}, tv = zero + t_h;
  for (int c = 0; c < nc; c++) {
    double *cmax = f->s_cmax + c * L, *tmax = f->s_tmax + c * L, *cmin = f->s_cmin + c * L;
    double *auc = f->s_auc + c * L, *cprev = f->s_cprev + c * L;
    v8 c1 = C[c], cm = V8(cmax);
    v8i m = c1 > cm;
    store8(cmax, BLEND(m, c1, cm));
    store8(tmax, BLEND(m, tv, V8(tmax)));
    if (t_h > sm->t_first_h) {
      v8 mn = V8(cmin);
      store8(cmin, BLEND(c1 < mn, c1, mn));
    }
    if (!first) {
      v8 c0 = V8(cprev);
      v8 add = (0.5 * dt) * (c0 + c1);
      v8i lg = (c1 < c0) & (c1 > zero) & (c0 > zero);
      unsigned mk = maskbits(&lg);
      if (mk) {
        v8 ratio = c0 / c1, ln;
        v8_log(&ratio, mk, &ln);
        v8 down = (dt * (c0 - c1)) / ln;
        add = BLEND(lg, down, add);
      }
      store8(auc, V8(auc) + add);
    }
    store8(cprev, c1);
  }
  v8 omin = V8(f->s_omin), omax = V8(f->s_omax), emax = V8(f->s_emax), wmax = V8(f->s_wmax);
  store8(f->s_omin, BLEND(occ < omin, occ, omin));
  store8(f->s_omax, BLEND(occ > omax, occ, omax));
  store8(f->s_emax, BLEND(E > emax, E, emax));
  store8(f->s_wmax, BLEND(W > wmax, W, wmax));
  if (!first) {
    const v8 *now[2] = {&W, &occ};
    double *prev[2] = {f->s_wprev, f->s_oprev}, *acc[2] = {f->s_hw, f->s_ho};
    double thr[2] = {sm->w_threshold, sm->occ_threshold};
    for (int q = 0; q < 2; q++) {
      v8 y0 = V8(prev[q]), y1 = *now[q], th = zero + thr[q];
      v8i a0 = y0 > th, a1 = y1 > th;
      v8 add = BLEND(a0 & a1, zero + dt, zero);
      v8i cross = a0 ^ a1;
      for (unsigned mk = maskbits(&cross); mk; mk &= mk - 1) {
        int l = __builtin_ctz(mk);
        add[l] = pk_seg_above(f->s_tprev, t_h, y0[l], y1[l], thr[q]);
      }
      store8(acc[q], V8(acc[q]) + add);
    }
  }
  store8(f->s_wprev, W);
  store8(f->s_oprev, occ);
  f->s_tprev = t_h;
  f->s_rows++;
}

static void summary_start(pk_fast *f, const pk_fast_summary *sm) {
  f->summ = sm;
  f->s_rows = 0;
  for (int k = 0; k < PK_MAX_COMPOUNDS * L; k++) {
    f->s_cmax[k] = -INFINITY, f->s_tmax[k] = NAN, f->s_cmin[k] = INFINITY;
    f->s_auc[k] = 0.0, f->s_cprev[k] = 0.0;
  }
  for (int l = 0; l < L; l++) {
    f->s_omin[l] = INFINITY, f->s_omax[l] = f->s_emax[l] = f->s_wmax[l] = -INFINITY;
    f->s_hw[l] = f->s_ho[l] = f->s_wprev[l] = f->s_oprev[l] = 0.0;
  }
}

static void summary_write(const pk_fast *f, int n_lanes, int nc) {
  for (int l = 0; l < n_lanes; l++) {
    double *out = f->summ->out[l];
    if (!out) continue;
    size_t j = 0;
    for (int c = 0; c < nc; c++) {
      out[j++] = f->s_cmax[c * L + l];
      out[j++] = f->s_tmax[c * L + l];
      out[j++] = isinf(f->s_cmin[c * L + l]) ? NAN : f->s_cmin[c * L + l];
      out[j++] = f->s_auc[c * L + l];
    }
    out[j++] = f->s_omin[l];
    out[j++] = f->s_omax[l];
    out[j++] = f->s_emax[l];
    out[j++] = f->s_wmax[l];
    out[j++] = f->s_hw[l];
    out[j++] = f->s_ho[l];
  }
}

/* Modal amplitudes seen by E; then for each n the error bound per lane,
 * sel[l] = the smallest n >= start[l] whose bound meets the tolerance (0:
 * none), or known[l] (if not 0) when no smaller n does. The bound: E =
 * P / (1 + P + Q) with P, Q >= 0 sums of the modes; to first order its
 * quadrature error is that of the modes weighted by |dE/dP| <= 1 and
 * |dE/dQ| <= 1/4 (pq), to second order that of products of two modes
 * weighted by (|dP| + |dQ| / 2)^2 (pq2), which vary at the sum of their
 * rates. The tables T, T2 (get_tab) add the fastest rate of the PD block's
 * weights (k_tol and, in version 2, the withdrawal filters' rates) to each
 * mode's. */
PK_CLONES PK_FMA
static void choose_rules(int R, const double *z, const double *zb, int has_rate,
                         const double *pq, const double *pq2, const htab *t, double *amp,
                         double *amp2, const int *start, const int *known, double quad_tol,
                         int *sel) {
  int have_amp = 0; /* the amplitudes, once a bound is needed */
  unsigned pending = (1u << L) - 1;
  int n0 = NMAX;
  for (int l = 0; l < L; l++) {
    sel[l] = 0;
    if (start[l] < n0) n0 = start[l];
  }
  size_t np = (size_t)R * (size_t)(R + 1) / 2;
  const v8 tol = (v8){0} + quad_tol;
  /* lanes that may take rule n (n >= start) and that take it unchecked (n
   * >= known), as bits accumulated over n */
  unsigned start_at[NMAX + 2] = {0}, known_at[NMAX + 2] = {0}, elig_n = 0, known_n = 0;
  for (int l = 0; l < L; l++) {
    start_at[start[l] < NMAX + 1 ? start[l] : NMAX + 1] |= 1u << l;
    if (known[l] > 0) known_at[known[l] < NMAX + 1 ? known[l] : NMAX + 1] |= 1u << l;
  }
  for (int n = 0; n < n0; n++) elig_n |= start_at[n], known_n |= known_at[n];
  for (int n = n0; n <= NMAX && pending; n++) {
    elig_n |= start_at[n];
    known_n |= known_at[n];
    if (!RULE_USED[n]) continue;
    unsigned elig = elig_n, take = known_n & pending;
    for (unsigned t2 = take; t2; t2 &= t2 - 1) sel[__builtin_ctz(t2)] = known[__builtin_ctz(t2)];
    pending &= ~take;
    elig &= pending;
    if (!elig) continue;
    if (!have_amp) {
      for (int i = 0; i < R; i++) {
        size_t k = (size_t)i * L;
        v8 m = V8_ABS(V8(z + k));
        if (has_rate) m += V8_ABS(V8(zb + k)) * V8(t->rfac + k);
        v8 a = m * V8(pq + k), a2 = m * V8(pq2 + k);
        memcpy(amp + k, &a, sizeof a);
        memcpy(amp2 + k, &a2, sizeof a2);
      }
      have_amp = 1;
    }
    const double *T = t->T + (size_t)n * (size_t)R * L, *T2 = t->T2 + (size_t)n * np * L;
    v8 B = {0};
    for (int i = 0; i < R; i++) B += V8(amp + (size_t)i * L) * V8(T + (size_t)i * L);
    /* the second-order part only where the first order already passes */
    v8i ok = B <= tol;
    if (!(maskbits(&ok) & elig)) continue;
    size_t pr = 0;
    for (int i = 0; i < R; i++) {
      v8 ai = V8(amp2 + (size_t)i * L);
      B += ai * ai * V8(T2 + pr * L);
      pr++;
      v8 cross = {0};
      for (int j = i + 1; j < R; j++, pr++) cross += V8(amp2 + (size_t)j * L) * V8(T2 + pr * L);
      B += 2.0 * ai * cross;
    }
    ok = B <= tol;
    unsigned pass = maskbits(&ok) & elig;
    for (unsigned t2 = pass; t2; t2 &= t2 - 1) sel[__builtin_ctz(t2)] = n;
    pending &= ~pass;
  }
}

/* acc[l] = sum over the nodes of rule n of w e^{-k (h - s)} E(s) h, with
 * P and Q at a node sum_i (p_i z_i) e^{lambda_i s} (+ input terms); acc0
 * and acc1 the same with the two filters' weights wf0, wf1 (NULL: none).
 * Nodes in blocks of four, modes in the inner loop: each p_i z_i is loaded
 * once per block and the block's sums stay in registers. */
_Static_assert(PK_PD_FILTERS == 2, "eval_rule sums exactly two filters");
PK_CLONES PK_FMA
static void eval_rule(int R, int n, const double *z, const double *zb, int has_rate,
                      const double *p, const double *q, const double *en, const double *gn,
                      const double *wn, const double *wf0, const double *wf1, double *acc,
                      double *acc0, double *acc1) {
  v8 pz[MAXR], qz[MAXR], pb[MAXR], qb[MAXR];
  for (int i = 0; i < R; i++) {
    size_t k = (size_t)i * L;
    pz[i] = V8(p + k) * V8(z + k);
    qz[i] = V8(q + k) * V8(z + k);
    if (has_rate) pb[i] = V8(p + k) * V8(zb + k), qb[i] = V8(q + k) * V8(zb + k);
  }
  v8 sum = {0}, sum0 = {0}, sum1 = {0};
  const v8 one = (v8){0} + 1.0;
  const size_t RL = (size_t)R * L;
  int m = 0;
  for (; m + 4 <= n; m += 4) {
    v8 P0 = {0}, P1 = {0}, P2 = {0}, P3 = {0}, Q0 = {0}, Q1 = {0}, Q2 = {0}, Q3 = {0};
    /* the modal states' part, then the inputs' part */
    for (int part = 0; part < 1 + has_rate; part++) {
      const double *e = (part ? gn : en) + (size_t)m * RL;
      const v8 *ca = part ? pb : pz, *cb = part ? qb : qz;
      for (int i = 0; i < R; i++) {
        size_t k = (size_t)i * L;
        v8 a = ca[i], b = cb[i];
        v8 e0 = V8(e + k), e1 = V8(e + RL + k), e2 = V8(e + 2 * RL + k), e3 = V8(e + 3 * RL + k);
        P0 += a * e0, Q0 += b * e0;
        P1 += a * e1, Q1 += b * e1;
        P2 += a * e2, Q2 += b * e2;
        P3 += a * e3, Q3 += b * e3;
      }
    }
    const double *w = wn + (size_t)m * L;
    v8 E0 = P0 / (one + P0 + Q0), E1 = P1 / (one + P1 + Q1), E2 = P2 / (one + P2 + Q2),
       E3 = P3 / (one + P3 + Q3);
    sum += V8(w) * E0 + V8(w + L) * E1 + V8(w + 2 * L) * E2 + V8(w + 3 * L) * E3;
    if (wf0) {
      const double *w0 = wf0 + (size_t)m * L, *w1 = wf1 + (size_t)m * L;
      sum0 += V8(w0) * E0 + V8(w0 + L) * E1 + V8(w0 + 2 * L) * E2 + V8(w0 + 3 * L) * E3;
      sum1 += V8(w1) * E0 + V8(w1 + L) * E1 + V8(w1 + 2 * L) * E2 + V8(w1 + 3 * L) * E3;
    }
  }
  for (; m < n; m++) {
    v8 P = {0}, Q = {0};
    for (int part = 0; part < 1 + has_rate; part++) {
      const double *e = (part ? gn : en) + (size_t)m * RL;
      const v8 *ca = part ? pb : pz, *cb = part ? qb : qz;
      for (int i = 0; i < R; i++) {
        v8 ei = V8(e + (size_t)i * L);
        P += ca[i] * ei;
        Q += cb[i] * ei;
      }
    }
    v8 Em = P / (one + P + Q);
    sum += V8(wn + (size_t)m * L) * Em;
    if (wf0) {
      sum0 += V8(wf0 + (size_t)m * L) * Em;
      sum1 += V8(wf1 + (size_t)m * L) * Em;
    }
  }
  memcpy(acc, &sum, sizeof sum);
  memcpy(acc0, &sum0, sizeof sum0);
  memcpy(acc1, &sum1, sizeof sum1);
}

/* out = e z + g zb (g zb left out without inputs). */
PK_CLONES PK_FMA
static void propagate(int R, const double *e, const double *g, const double *z, const double *zb,
                      int has_rate, double *out) {
  for (int i = 0; i < R; i++) {
    size_t k = (size_t)i * L;
    v8 v = V8(e + k) * V8(z + k);
    if (has_rate) v += V8(g + k) * V8(zb + k);
    memcpy(out + k, &v, sizeof v);
  }
}

static void fail_lane(pk_fast *f, int l, double t_h, const char *fmt, double a, double b) {
  if (!(f->live & (1u << l))) return;
  f->live &= ~(1u << l);
  pk_err_set(&f->errs[l], PK_ERR_SOLVER, NULL, NULL, fmt, a, b);
  f->errs[l].t_h = t_h;
  f->status[l] = PK_ERR_SOLVER;
}

/* I[l] = integral_0^h e^{-k (h - s)} E(s) ds from modal state z, for the
 * lanes in mask, and J[j][l] the same with filter j's weight
 * (pk_system_pd_weights; PD version 2). Returns -1 when out of memory. */
static int quad(pk_fast *f, double h, const double *z, int depth, unsigned mask, double t_h,
                double *I, double (*J)[L]) {
  htab *t = get_tab(f, h);
  if (!t) return -1;
  int R = f->R, sel[L], start[L], known[L];
  /* the rules are tried from one below the lane's previous choice at the
   * top level (E changes smoothly from step to step; a dose raises the
   * count again), from NMAX / 2 on the sub-steps of a step that even NMAX
   * could not do. Between events, with no input running, every modal
   * amplitude only decays (|e^{lambda h}| <= 1), so a rule that met the
   * bound on the previous step of the same length meets it again: it is
   * taken without evaluating the bound if one fewer node does not do. */
  int reuse = depth == 0 && !f->has_rate && f->valid_h == h;
  int all_known = reuse; /* every lane keeps its rule, none to try below it */
  for (int l = 0; l < L; l++) {
    start[l] = depth > 0 ? NMAX / 2 : f->prev_n[l] > 1 ? f->prev_n[l] - 1 : 1;
    known[l] = reuse && f->prev_ok[l] ? f->prev_n[l] : 0;
    all_known &= known[l] > 0 && (start[l] == known[l] || !RULE_USED[start[l]]);
  }
  if (all_known)
    memcpy(sel, known, sizeof sel);
  else
    choose_rules(R, z, f->zb, f->has_rate, f->pq, f->pq2, t, f->amp, f->amp2, start, known,
                 f->quad_tol, sel);
  if (depth == 0) {
    for (int l = 0; l < L; l++) {
      f->prev_n[l] = sel[l] ? sel[l] : NMAX;
      f->prev_ok[l] = sel[l] > 0;
    }
    f->valid_h = h;
  }
  unsigned chosen = 0;
  for (int l = 0; l < L; l++) chosen |= (unsigned)(sel[l] != 0) << l;
  unsigned todo = mask & chosen, split = mask & ~chosen;
  while (todo) {
    int n = sel[__builtin_ctz(todo)];
    if (node_tabs(f, t, n, f->has_rate) != 0) return -1;
    double acc[L], acc0[L], acc1[L];
    eval_rule(R, n, z, f->zb, f->has_rate, f->p, f->q, t->en[n], t->gn[n], t->wn[n],
              f->nf ? t->wnf[0][n] : NULL, f->nf ? t->wnf[1][n] : NULL, acc, acc0, acc1);
    unsigned same = 0;
    for (int l = 0; l < L; l++) same |= (unsigned)(sel[l] == n) << l;
    same &= todo;
    for (unsigned b = same; b; b &= b - 1) {
      int l = __builtin_ctz(b);
      I[l] = acc[l];
      J[0][l] = acc0[l];
      J[1][l] = acc1[l];
    }
    todo &= ~same;
  }
  if (!split) return 0;
  if (depth >= MAX_DEPTH) {
    for (int l = 0; l < L; l++)
      if (split & (1u << l))
        fail_lane(f, l, t_h,
                  "the quadrature of E for tol did not reach its error bound %g even on "
                  "steps of %g h (parameters far outside any physiological range?)",
                  f->quad_tol, h);
    return 0;
  }
  double half = 0.5 * h, Il[L], Ir[L], Jl[PK_PD_FILTERS][L] = {{0}}, Jr[PK_PD_FILTERS][L] = {{0}};
  htab *th = get_tab(f, half);
  if (!th) return -1;
  double *zm = f->zm + (size_t)depth * (size_t)R * L;
  propagate(R, th->e_end, th->g_end, z, f->zb, f->has_rate, zm);
  /* th may be replaced by the recursion: its factors are copied first */
  double dec[L], decf[PK_PD_FILTERS][L], gkf[PK_PD_FILTERS][L];
  memcpy(dec, th->decay, sizeof dec);
  memcpy(decf, th->decf, sizeof decf);
  memcpy(gkf, th->gkf, sizeof gkf);
  if (quad(f, half, z, depth + 1, split, t_h, Il, Jl) != 0 ||
      quad(f, half, zm, depth + 1, split, t_h + half, Ir, Jr) != 0)
    return -1;
  /* pk_system_pd_join */
  for (int l = 0; l < L; l++)
    if (split & (1u << l)) {
      I[l] = dec[l] * Il[l] + Ir[l];
      for (int j = 0; j < f->nf; j++)
        J[j][l] = gkf[j][l] * Il[l] + decf[j][l] * Jl[j][l] + Jr[j][l];
    }
  return 0;
}

static int advance(pk_fast *f, double h, double t_h) {
  double I[L] = {0}, J[PK_PD_FILTERS][L] = {{0}};
  if (quad(f, h, f->z, 0, f->live, t_h, I, J) != 0) return -1;
  htab *t = get_tab(f, h);
  if (!t) return -1;
  propagate(f->R, t->e_end, t->g_end, f->z, f->zb, f->has_rate, f->z);
  double *tol = f->zm + (size_t)MAX_DEPTH * (size_t)f->R * L; /* the last block holds tol */
  /* pk_system_pd_advance: the filters with tol at the start of the step */
  for (int j = 0; j < f->nf; j++)
    for (int l = 0; l < L; l++)
      f->mf[j][l] = t->decf[j][l] * f->mf[j][l] + f->kf[j][l] * (t->ghf[j][l] * tol[l] + J[j][l]);
  for (int l = 0; l < L; l++) tol[l] = t->decay[l] * tol[l] + f->ktol[l] * I[l];
  return 0;
}

/* The modal inputs zb = W rate after the running inputs changed. */
static void inputs_changed(pk_fast *f) {
  int R = f->R;
  f->has_rate = 0;
  for (int i = 0; i < R; i++) f->has_rate |= f->active[i] > 0;
  for (int i = 0; i < R; i++)
    for (int l = 0; l < L; l++) {
      double s = 0.0;
      for (int k = 0; k < R; k++)
        s += f->W[((size_t)i * (size_t)R + (size_t)k) * L + (size_t)l] * f->rate[(size_t)k * L + (size_t)l];
      f->zb[(size_t)i * L + (size_t)l] = s;
    }
}

static void apply(pk_fast *f, size_t di) {
  const pk_event *e0 = &f->ln[0].ev.ev[di];
  int R = f->R, j = f->red[e0->state];
  double val[L];
  f->valid_h = 0.0; /* amplitudes may grow: the next rule is chosen afresh */
  for (int l = 0; l < L; l++) val[l] = (f->live & (1u << l)) ? f->ln[l].ev.ev[di].value : 0.0;
  if (e0->kind == PK_EV_BOLUS) {
    for (int i = 0; i < R; i++)
      for (int l = 0; l < L; l++)
        f->z[(size_t)i * L + (size_t)l] += f->W[((size_t)i * (size_t)R + (size_t)j) * L + (size_t)l] * val[l];
    return;
  }
  int on = e0->kind == PK_EV_RATE_ON;
  f->active[j] += on ? 1 : -1;
  for (int l = 0; l < L; l++) {
    double *r = &f->rate[(size_t)j * L + (size_t)l];
    *r = f->active[j] <= 0 ? 0.0 : *r + (on ? val[l] : -val[l]);
  }
  if (f->active[j] < 0) f->active[j] = 0;
  inputs_changed(f);
}

/* Row k at t_h from the modal state before the events [d0, d1) due at
 * t_h, plus their boluses into central compartments added as they are:
 * the row after a dose is exact in the states that the dose has not yet
 * reached (no modal round-off where the true value is 0). */
PK_CLONES
static void emit(pk_fast *f, double t_h, size_t k, size_t d0, size_t d1, pk_fast_row_fn fn,
                 void *ctx) {
  int R = f->R;
  const pk_system *s0 = &f->ln[0].sys;
  int nc = s0->n_compounds, ng = s0->n_ligands;
  v8 C[PK_MAX_COMPOUNDS], ce[PK_MAX_COMPOUNDS], occ_g[PK_MAX_COMPOUNDS];
  for (int c = 0; c < nc; c++) {
    v8 v = {0};
    for (int i = 0; i < R; i++)
      v += V8(f->Vc + ((size_t)c * (size_t)R + (size_t)i) * L) * V8(f->z + (size_t)i * L);
    for (size_t d = d0; d < d1; d++) {
      const pk_event *e = &f->ln[0].ev.ev[d];
      if (e->kind == PK_EV_BOLUS && e->state == s0->central[c])
        for (int l = 0; l < L; l++)
          if (f->live & (1u << l)) v[l] += f->ln[l].ev.ev[d].value;
    }
    C[c] = v * V8(f->cfac + (size_t)c * L);
  }
  v8 sum_x = {0};
  const v8 one = (v8){0} + 1.0;
  for (int g = 0; g < ng; g++) {
    v8 v = {0};
    for (int i = 0; i < R; i++)
      v += V8(f->Vg + ((size_t)g * (size_t)R + (size_t)i) * L) * V8(f->z + (size_t)i * L);
    ce[g] = v;
    occ_g[g] = v * V8(f->fuK + (size_t)g * L);
    sum_x += occ_g[g];
  }
  /* pk_system_response for ligands at equilibrium */
  v8 scale = one / (one + sum_x), sum_t = {0};
  for (int g = 0; g < ng; g++) {
    occ_g[g] *= scale;
    sum_t += V8(f->gtau + (size_t)g * L) * occ_g[g];
  }
  v8 occ = sum_x * scale, E = sum_t / (one + sum_t);
  const double *tol = f->zm + (size_t)MAX_DEPTH * (size_t)R * L;
  double *row = f->row;
  /* x * 0 is 0 for finite x, NaN for infinite or NaN x: one probe per lane
   * for every value of its row */
  v8 probe = (occ + E + V8(tol)) * 0.0;
  for (int c = 0; c < nc; c++) probe += C[c] * 0.0;
  for (int g = 0; g < ng; g++) probe += (ce[g] + occ_g[g]) * 0.0;
  v8 tolv = V8(tol), zero = {0};
  /* pk_system_withdrawal */
  v8 D = V8(f->wd) * (tolv - E);
  for (int j = 0; j < f->nf; j++) {
    D += V8(f->wf[j]) * V8(f->mf[j]);
    probe += V8(f->mf[j]) * 0.0;
  }
  v8 W = BLEND(D > zero, D, zero);
  if (f->summ) summarise_row(f, t_h, nc, C, &occ, &E, &W);
  v8i bad_m = probe != zero;
  for (unsigned bad = maskbits(&bad_m) & f->live; bad; bad &= bad - 1)
    fail_lane(f, __builtin_ctz(bad), t_h, "exact propagation gave a non-finite state (%g, %g)",
              t_h, NAN);
  for (int l = 0; fn && l < L; l++) {
    if (!(f->live & (1u << l))) continue;
    size_t j = 0;
    row[j++] = t_h;
    for (int c = 0; c < nc; c++) row[j++] = C[c][l];
    for (int g = 0; g < ng; g++) row[j++] = ce[g][l];
    row[j++] = occ[l];
    for (int g = 0; g < ng; g++) row[j++] = occ_g[g][l];
    row[j++] = E[l];
    row[j++] = E[l] - tol[l];
    row[j++] = tol[l];
    for (int q = 0; q < f->nf; q++) row[j++] = f->mf[q][l];
    row[j++] = W[l];
    if (fn(ctx, l, k, row) != 0) f->live &= ~(1u << l);
  }
}

/* The end of the step from t when steps double after each event (at
 * t_event): t_event + step, + 2 step, + 4 step, ... whichever comes next. */
static double doubling_end(double t, double t_event, double step) {
  double len = step;
  while (len <= t - t_event + 1e-12 * fmax(1.0, fabs(t))) len *= 2.0;
  return t_event + len;
}

/* tol at the periodic steady state of a history of boluses (modal_ss): one
 * period from the periodic modal state z0 with tol 0 gives the integral
 * over a period, and tol(0) = that / (1 - e^{-k T}) (tol0 when k = 0). The
 * history's events stand in for the main ones meanwhile. Returns -1 when
 * out of memory. */
static int period_tol(pk_fast *f, const pk_sim_options *o) {
  double T = o->steady_state_period_h;
  size_t RL = (size_t)f->R * L;
  double *tol = f->zm + (size_t)MAX_DEPTH * RL, tol0[L];
  memcpy(tol0, tol, sizeof tol0);
  for (int l = 0; l < L; l++) {
    pk_event_list x = f->ln[l].ev;
    f->ln[l].ev = f->ln[l].hev, f->ln[l].hev = x;
    tol[l] = 0.0;
    for (int j = 0; j < PK_PD_FILTERS; j++) f->mf[j][l] = 0.0;
  }
  const pk_event_list *ev = &f->ln[0].ev;
  double t = 0.0, t_event = 0.0;
  size_t di = 0;
  int rc = 0;
  while (rc == 0) {
    while (di < ev->n && ev->ev[di].t_h <= t) apply(f, di++), t_event = t;
    if (t >= T) break;
    /* steps doubling after each dose, as before the first output */
    double t_next = fmin(di < ev->n ? ev->ev[di].t_h : T, doubling_end(t, t_event, 1.0));
    if (t_next > T) t_next = T;
    rc = advance(f, t_next - t, o->t_start_h + t - T);
    t = t_next;
  }
  for (int l = 0; l < L; l++) {
    pk_event_list x = f->ln[l].ev;
    f->ln[l].ev = f->ln[l].hev, f->ln[l].hev = x;
    /* pk_system_pd_periodic */
    double k = f->ktol[l];
    tol[l] = k > 0 ? tol[l] / -expm1(-k * T) : tol0[l];
    for (int j = 0; j < f->nf; j++) {
      double kj = f->kf[j][l];
      f->mf[j][l] = (f->mf[j][l] + kj * pk_pd_g(k, kj, T) * tol[l]) / -expm1(-kj * T);
    }
  }
  /* the main run starts from the periodic state itself */
  memcpy(f->z, f->z0, RL * sizeof *f->z);
  f->valid_h = 0.0;
  f->steps = 0;
  for (int l = 0; l < L; l++) f->prev_n[l] = 1, f->prev_ok[l] = 0;
  return rc;
}

int pk_fast_run(pk_fast *f, int n_lanes, const pk_sim_options *o, pk_fast_row_fn fn, void *ctx,
                pk_fast_summary *summary, int (*stop_fn)(void *), void *stop_ctx,
                pk_status *status, pk_error *errs) {
  int R = f->R;
  size_t RL = (size_t)R * L;
  f->status = status, f->errs = errs;
  f->stop_fn = stop_fn, f->stop_ctx = stop_ctx;
  f->live = 0;
  for (int l = 0; l < n_lanes; l++) {
    f->live |= 1u << l;
    status[l] = PK_OK;
    pk_error_clear(&errs[l]);
  }
  /* idle lanes copy lane 0's parameters, so that they compute harmless
   * finite numbers */
  for (int l = n_lanes; l < L; l++) {
    for (size_t i = 0; i < (size_t)R; i++) {
      f->lam[i * L + (size_t)l] = f->lam[i * L];
      f->p[i * L + (size_t)l] = f->p[i * L];
      f->q[i * L + (size_t)l] = f->q[i * L];
      f->pq[i * L + (size_t)l] = f->pq[i * L];
      f->pq2[i * L + (size_t)l] = f->pq2[i * L];
    }
    for (size_t i = 0; i < (size_t)R * (size_t)R; i++) f->W[i * L + (size_t)l] = f->W[i * L];
    for (size_t i = 0; i < (size_t)R * PK_MAX_COMPOUNDS; i++) {
      f->Vc[i * L + (size_t)l] = f->Vc[i * L];
      f->Vg[i * L + (size_t)l] = f->Vg[i * L];
    }
    f->ktol[l] = f->ktol[0];
    f->wd[l] = f->wd[0];
    for (int j = 0; j < PK_PD_FILTERS; j++) f->kf[j][l] = f->kf[j][0], f->wf[j][l] = f->wf[j][0];
    for (int c = 0; c < PK_MAX_COMPOUNDS; c++) {
      f->cfac[c * L + l] = f->cfac[c * L];
      f->fuK[c * L + l] = f->fuK[c * L];
      f->gtau[c * L + l] = f->gtau[c * L];
    }
  }
  for (int k = 0; k < HCACHE; k++) f->tab[k].h = 0.0; /* tables belong to a pack */
  for (int l = n_lanes; l < L; l++)
    for (size_t i = 0; i < (size_t)R; i++) {
      f->z0[i * L + (size_t)l] = f->z0[i * L];
      f->r0[i * L + (size_t)l] = f->r0[i * L];
    }
  memcpy(f->z, f->z0, RL * sizeof *f->z);
  memcpy(f->rate, f->r0, RL * sizeof *f->rate);
  memcpy(f->active, f->active0, sizeof f->active);
  inputs_changed(f);
  f->steps = 0;
  f->quad_tol = o->quad_tol > 0 ? o->quad_tol : PK_FAST_QUAD_TOL;
  f->summ = NULL;
  if (summary) summary_start(f, summary);
  f->valid_h = 0.0;
  for (int l = 0; l < L; l++) f->prev_n[l] = 1, f->prev_ok[l] = 0;
  double *tol = f->zm + (size_t)MAX_DEPTH * RL;
  for (int l = 0; l < L; l++) tol[l] = l < n_lanes ? f->ln[l].tol0 : 0.0;
  for (int j = 0; j < PK_PD_FILTERS; j++)
    for (int l = 0; l < L; l++) f->mf[j][l] = l < n_lanes ? f->ln[l].m0[j] : 0.0;
  if (f->ln[0].modal_ss && period_tol(f, o) != 0) {
    for (int l = 0; l < n_lanes; l++)
      if (f->live & (1u << l)) status[l] = pk_err_nomem(&errs[l]);
    return 0;
  }
  const pk_event_list *ev = &f->ln[0].ev;
  size_t n_out = (size_t)floor((o->t_end_h - o->output_start_h) / o->output_step_h *
                                   (1.0 + 1e-12) + 1e-9) + 1;
  double t = o->t_start_h;
  size_t di = 0, k = 0;
  while (di < ev->n && ev->ev[di].t_h < t - 1e-12 * fmax(1.0, fabs(t))) di++;
  /* before the first output, steps that double from one output step after
   * each event (1, 1, 2, 4, ... output steps): short where a dose makes E
   * change fast, long where it is smooth, and few distinct lengths (their
   * tables are shared) */
  double t_event = t;
  while (k < n_out && f->live) {
    double t_out = o->output_start_h + (double)k * o->output_step_h;
    double t_next = (di < ev->n && ev->ev[di].t_h < t_out) ? ev->ev[di].t_h : t_out;
    if (t < o->output_start_h) t_next = fmin(t_next, doubling_end(t, t_event, o->output_step_h));
    if (t_next > t) {
      if (advance(f, t_next - t, t) != 0) {
        for (int l = 0; l < n_lanes; l++)
          if (f->live & (1u << l)) status[l] = pk_err_nomem(&errs[l]);
        return 0;
      }
      if (++f->steps % POLL_EVERY == 0 && stop_fn && stop_fn(stop_ctx)) return 1;
    }
    t = t_next;
    double eps = 1e-12 * fmax(1.0, fabs(t));
    int due = t_out <= t + eps;
    size_t d0 = di;
    while (di < ev->n && ev->ev[di].t_h <= t + eps) di++;
    if (due) emit(f, t_out, k++, d0, di, fn, ctx);
    for (size_t d = d0; d < di; d++) apply(f, d);
    if (di > d0) t_event = t;
  }
  if (summary) {
    summary_write(f, n_lanes, f->ln[0].sys.n_compounds);
    summary->rows = f->s_rows;
  }
  return 0;
}
