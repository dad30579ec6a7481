/* response.h - the operational model of receptor response (Black & Leff,
 * slope 1; competitive binding at one receptor), the one home of its
 * formula. The public pk_receptor_response (model/receptor.c), the ODE
 * path's right-hand side and output rows (system.c), the general exact
 * path's quadrature nodes (exact.c) and the batch kernel's nodes and rows
 * at every vector width (fast_kernel.inc) all compute it here.
 *
 * Ligands at equilibrium: x_l = fu C_l / K_l (unbound concentration over
 * the dissociation constant), X = sum x_l, T = sum tau_l x_l. Occupancy is
 * x_l / (1 + X) per ligand and X / (1 + X) in all; the response is
 * E = T / (1 + X + T) (the same as E = S / (1 + S) with the tau-weighted
 * occupancy S = T / (1 + X), in one division instead of two in a row).
 *
 * Ligands with binding kinetics add their bound fractions b_k (B = sum
 * b_k, S_k = sum tau_k b_k); the ligands at equilibrium share the
 * receptors those leave free, occupancy (1 - B) x_l / (1 + X), and
 * E = S / (1 + S) with S = S_k + (1 - B) T / (1 + X).
 *
 * The macros take any arithmetic type: double, or the kernel's vectors of
 * lanes (GCC vector extensions: a scalar operand applies to every lane).
 * With B = S_k = 0 pk_response_E_kinetic is PK_RESPONSE_E to the bit. */
#ifndef PK_RESPONSE_H
#define PK_RESPONSE_H

/* E for ligands at equilibrium, from X = sum x_l and T = sum tau_l x_l */
#define PK_RESPONSE_E(X, T) ((T) / (1.0 + (X) + (T)))

/* the share of receptors free of ligands at equilibrium, 1 / (1 + X):
 * occupancy is x_l times it */
#define PK_RESPONSE_FREE(X) (1.0 / (1.0 + (X)))

/* E with kinetic ligands: B and S_k as above */
static inline double pk_response_E_kinetic(double X, double T, double B, double S_k) {
  double f = 1.0 - B;
  return (S_k * (1.0 + X) + f * T) / ((1.0 + S_k) * (1.0 + X) + f * T);
}

#endif
