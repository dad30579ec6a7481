/* regimen.c - a growable list of dose events. */
#include <math.h>
#include <stdlib.h>
#include "internal.h"

pk_regimen *pk_regimen_new(void) { return calloc(1, sizeof(pk_regimen)); }

void pk_regimen_free(pk_regimen *r) {
  if (!r) return;
  free(r->dose);
  free(r);
}

pk_status pk_regimen_add_dose(pk_regimen *r, int compound, pk_route route, double t_h,
                              double amount_mg, pk_error *err) {
  if (!isfinite(t_h))
    return pk_err_set(err, PK_ERR_INVALID, NULL, NULL, "dose time must be finite, got %g h",
                      t_h);
  if (!(isfinite(amount_mg) && amount_mg >= 0.0))
    return pk_err_set(err, PK_ERR_INVALID, NULL, NULL,
                      "dose amount must be finite and >= 0 mg, got %g", amount_mg);
  if (compound < 0)
    return pk_err_set(err, PK_ERR_RANGE, NULL, NULL, "compound index %d is negative",
                      compound);
  if (route != PK_ROUTE_ORAL && route != PK_ROUTE_IV)
    return pk_err_set(err, PK_ERR_INVALID, NULL, NULL, "unknown route %d", (int)route);
  if (r->n == r->cap) {
    size_t cap = r->cap ? 2 * r->cap : 64;
    pk_dose *d = realloc(r->dose, cap * sizeof *d);
    if (!d) return pk_err_nomem(err);
    r->dose = d;
    r->cap = cap;
  }
  r->dose[r->n++] = (pk_dose){.t_h = t_h, .compound = compound, .route = route,
                              .amount_mg = amount_mg};
  return PK_OK;
}

size_t pk_regimen_size(const pk_regimen *r) { return r ? r->n : 0; }

pk_dose pk_regimen_dose(const pk_regimen *r, size_t k) {
  if (!r || k >= r->n) return (pk_dose){.t_h = NAN, .compound = -1, .amount_mg = NAN};
  return r->dose[k];
}
