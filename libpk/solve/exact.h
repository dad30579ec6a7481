/* exact.h - the exact fast path for the linear part of a compiled system.
 *
 * Between events x' = A x + b with b constant (the running zero-order
 * inputs), so x(t + h) = Phi(h) x + Gamma(h) b with Phi(h) = exp(A h) and
 * Gamma(h) = integral_0^h exp(A s) ds, both read off one matrix exponential
 * of the augmented matrix [[A, I], [0, 0]] h, built once per step length and
 * cached. The adaptation state obeys tol' = k (E(t) - tol), a scalar linear
 * ODE whose forcing E(t) is known exactly inside the step; it is advanced by
 * its variation-of-constants formula, the integral by adaptive 15-point
 * Gauss-Kronrod quadrature. E at the quadrature nodes needs the effect sites
 * at arbitrary times inside the step: in modal coordinates (A = V diag(l)
 * V^-1, real eigenvalues, checked conditioning) that is elementwise
 * e^{l t}; where no such decomposition exists, node propagators are built
 * by matrix exponentials. Kinetic receptor binding is not handled here (the
 * ODE path is). With enzymes, the activity-scaled flows enter the linear
 * part by the variation of constants and the activities are solved with
 * them by Gauss collocation (exact.c, "the coupled step").
 */
#ifndef PK_EXACT_H
#define PK_EXACT_H

#include "system.h"

typedef struct pk_exact pk_exact;

/* A propagator cache and workspace for system s (which must outlive it).
 * NULL if out of memory. */
pk_exact *pk_exact_new(const pk_system *s);
void pk_exact_free(pk_exact *x);

/* Whether this path takes the system: always without enzymes; with
 * enzymes, when its linear part has a modal decomposition and its sizes are
 * within the coupled step's (exact.c). */
int pk_exact_takes(const pk_exact *x);

/* The linear state whose outflow is the system's fastest rate. */
int pk_exact_fastest_state(const pk_exact *x);

/* Advances the full state y by h > 0 hours with the inputs rate (umol/h per
 * linear state) held constant. PK_ERR_SOLVER (err->t_h left to the caller)
 * when the step would need more work than exact.c's per-step limits (a
 * model too stiff for this path), when the adaptation quadrature does not
 * reach its tolerance, or when the state or the response is not finite. */
pk_status pk_exact_step(pk_exact *x, double h, const double *rate, double *y, pk_error *err);

#endif
