/* receptor.c - competitive occupancy and the operational model (Black & Leff,
 * slope 1) for any number of ligands at one receptor. */
#include <math.h>
#include "internal.h"
#include "response.h"

pk_status pk_receptor_response(size_t n, const double *u_nM, const double *K_nM,
                               const double *tau, double *occ_out, double *occ_total,
                               double *E_out, pk_error *err) {
  double sum_x = 0.0, sum_tx = 0.0;
  for (size_t i = 0; i < n; i++) {
    if (!(isfinite(u_nM[i]) && u_nM[i] >= 0.0))
      return pk_err_set(err, PK_ERR_INVALID, NULL, NULL,
                        "ligand %zu: unbound concentration must be finite and >= 0 nM, got %g",
                        i, u_nM[i]);
    if (!(isfinite(K_nM[i]) && K_nM[i] > 0.0))
      return pk_err_set(err, PK_ERR_INVALID, NULL, NULL,
                        "ligand %zu: K must be finite and > 0 nM, got %g", i, K_nM[i]);
    if (!(isfinite(tau[i]) && tau[i] >= 0.0))
      return pk_err_set(err, PK_ERR_INVALID, NULL, NULL,
                        "ligand %zu: tau must be finite and >= 0, got %g", i, tau[i]);
    double x = u_nM[i] / K_nM[i];
    sum_x += x;
    sum_tx += tau[i] * x;
  }
  double free_share = PK_RESPONSE_FREE(sum_x);
  if (occ_out)
    for (size_t i = 0; i < n; i++) occ_out[i] = (u_nM[i] / K_nM[i]) * free_share;
  if (occ_total) *occ_total = sum_x * free_share;
  if (E_out) *E_out = PK_RESPONSE_E(sum_x, sum_tx);
  return PK_OK;
}
