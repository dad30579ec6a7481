/* modal.h - the modal decomposition of a linear compartment system, the
 * one both exact engines use: the batch kernel (fast_kernel.inc) and the
 * general exact path (exact.c).
 *
 * A compartment system's flow graph is nearly a chain: depots feed a
 * central compartment, which exchanges with its peripherals and feeds a
 * metabolite's. Its strongly connected components (one compartment, or a
 * central one with its peripherals) are small blocks with real eigenvalues
 * in closed form (one or two compartments, GSL's eigensolver beyond); an
 * eigenvector then follows by substitution down the blocks its mode feeds.
 * This is exact where a general eigensolver loses accuracy on the widely
 * spread rates of such systems. */
#ifndef PK_MODAL_H
#define PK_MODAL_H

/* the largest system decomposed (modal states: the linear states other
 * than the eliminated amounts) */
enum { PK_MODAL_MAX = 32 };

/* B = V diag(lam) V^-1 for the n x n matrix B (row-major, rates in 1/h),
 * V column k the eigenvector of lam[k] with largest entry 1, W = V^-1
 * (all n x n, row-major). Returns 1 if usable, 0 if n is out of range or
 * an eigenvalue is positive or not real, V is singular, cond(V) n^2
 * exceeds about 1e5 (modal values would lose more than about 1e5 eps) or
 * B V = V diag(lam) fails by more than 1e-12 n max|B|. */
int pk_modal_decompose(const double *B, int n, double *lam, double *V, double *W);

#endif
