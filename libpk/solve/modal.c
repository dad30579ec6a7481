/* modal.c - the modal decomposition of a linear compartment system (see
 * modal.h): one home for the batch kernel and the general exact path. */
#include <gsl/gsl_eigen.h>
#include <gsl/gsl_errno.h>
#include <math.h>
#include <string.h>
#include "modal.h"


typedef struct scc {
  const double *B;
  int n, idx, top, ncomp;
  int index[PK_MODAL_MAX], low[PK_MODAL_MAX], on[PK_MODAL_MAX], stack[PK_MODAL_MAX], comp[PK_MODAL_MAX];
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

/* The eigenvalues block by block (the strongly connected components of
 * the flow graph, upstream first), each eigenvector by substitution down
 * the blocks it feeds; then W by Gauss-Jordan and the checks. */
int pk_modal_decompose(const double *B, int n, double *lam, double *V, double *W) {
  if (n < 1 || n > PK_MODAL_MAX) return 0;
  scc t = {.B = B, .n = n};
  for (int i = 0; i < n; i++) t.index[i] = -1;
  for (int i = 0; i < n; i++)
    if (t.index[i] < 0) strong(&t, i);
  int mem[PK_MODAL_MAX][PK_MODAL_MAX], msz[PK_MODAL_MAX] = {0};
  for (int i = 0; i < n; i++) mem[t.comp[i]][msz[t.comp[i]]++] = i;
  double scale = 0.0;
  for (int i = 0; i < n * n; i++) scale = fmax(scale, fabs(B[i]));
  if (!(scale > 0)) return 0;
  memset(V, 0, (size_t)(n * n) * sizeof *V);
  int k = 0;
  for (int c = t.ncomp - 1; c >= 0; c--) { /* upstream first */
    int m = msz[c];
    double bl[PK_MODAL_MAX], U[PK_MODAL_MAX * PK_MODAL_MAX];
    if (!block_eigen(B, n, mem[c], m, bl, U)) return 0;
    for (int e = 0; e < m; e++, k++) {
      double v[PK_MODAL_MAX] = {0}, l = bl[e];
      lam[k] = l;
      if (l > 0) return 0;
      for (int i = 0; i < m; i++) v[mem[c][i]] = U[i * m + e];
      for (int d = c - 1; d >= 0; d--) { /* the blocks downstream */
        int md = msz[d], any = 0;
        double r[PK_MODAL_MAX], M[PK_MODAL_MAX * PK_MODAL_MAX];
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
  double M[PK_MODAL_MAX * PK_MODAL_MAX];
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

