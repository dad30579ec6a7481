/* pk/receptor.h - competitive binding and the operational model at one receptor.
 *
 * For ligands i with unbound concentrations u_i (nM), equilibrium
 * dissociation constants K_i (nM) and operational efficacies tau_i
 * (0 antagonist, small partial agonist, large full agonist):
 *   x_i   = u_i / K_i
 *   occ_i = x_i / (1 + sum_j x_j)
 *   E     = sum_i tau_i x_i / (1 + sum_j x_j + sum_j tau_j x_j)
 * (Black & Leff operational model, slope 1, extended to competing ligands.)
 */
#ifndef PK_RECEPTOR_H
#define PK_RECEPTOR_H

#include <stddef.h>
#include "pk/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Computes occupancy per ligand (occ_out[i], may be NULL), total occupancy
 * (*occ_total, may be NULL) and response E as a fraction of the system
 * maximum (*E_out, may be NULL) for n ligands. Requires u_nM[i] >= 0,
 * K_nM[i] > 0, tau[i] >= 0, all finite; returns PK_ERR_INVALID otherwise. */
PK_API pk_status pk_receptor_response(size_t n, const double *u_nM, const double *K_nM,
                                      const double *tau, double *occ_out, double *occ_total,
                                      double *E_out, pk_error *err);

#ifdef __cplusplus
}
#endif
#endif
