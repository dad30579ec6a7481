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

pk_dose pk_dose_default(void) {
  return (pk_dose){.t_h = 0.0, .compound = 0, .route = PK_ROUTE_ORAL, .amount_mg = 0.0,
                   .duration_h = 0.0, .ka_per_h = NAN, .F = NAN, .lag_h = NAN,
                   .rate_mg_per_h = 0.0, .ss = 0, .ii_h = 0.0, .reset = 0,
                   .product = -1};
}

static pk_status check_dose(const pk_dose *d, pk_error *err) {
#define BAD(...) return pk_err_set(err, PK_ERR_INVALID, NULL, NULL, __VA_ARGS__)
  if (!isfinite(d->t_h)) BAD("dose time must be finite, got %g h", d->t_h);
  if (!(isfinite(d->amount_mg) && d->amount_mg >= 0.0 && d->amount_mg <= PK_MAX_DOSE_MG))
    BAD("dose amount must be finite, >= 0 and at most %g mg (a tonne), got %g mg",
        PK_MAX_DOSE_MG, d->amount_mg);
  if (d->compound < 0)
    return pk_err_set(err, PK_ERR_RANGE, NULL, NULL, "compound index %d is negative",
                      d->compound);
  if (d->route != PK_ROUTE_ORAL && d->route != PK_ROUTE_IV && d->route != PK_ROUTE_DEPOT)
    BAD("unknown route %d", (int)d->route);
  if (!(isfinite(d->duration_h) && d->duration_h >= 0.0))
    BAD("input duration must be finite and >= 0 h, got %g", d->duration_h);
  if (!isnan(d->ka_per_h) && !(isfinite(d->ka_per_h) && d->ka_per_h > 0))
    BAD("absorption rate ka must be finite and > 0 1/h, got %g", d->ka_per_h);
  if (!isnan(d->F) && !(isfinite(d->F) && d->F >= 0))
    BAD("bioavailability F must be finite and >= 0, got %g", d->F);
  if (!isnan(d->lag_h) && !(isfinite(d->lag_h) && d->lag_h >= 0))
    BAD("lag time must be finite and >= 0 h, got %g", d->lag_h);
  if (!(isfinite(d->rate_mg_per_h) && d->rate_mg_per_h >= 0 && d->rate_mg_per_h <= PK_MAX_DOSE_MG))
    BAD("input rate must be finite, >= 0 and at most %g mg/h, got %g mg/h", PK_MAX_DOSE_MG,
        d->rate_mg_per_h);
  if (d->rate_mg_per_h > 0 && d->duration_h > 0)
    BAD("give an input's duration or its rate, not both");
  if (d->ss < 0 || d->ss > 2) BAD("ss must be 0, 1 or 2, got %d", d->ss);
  if (d->product < -1) BAD("product index %d is below -1 (no product)", d->product);
  if (d->reset != 0 && d->reset != 1) BAD("reset must be 0 or 1, got %d", d->reset);
  if (!(isfinite(d->ii_h) && d->ii_h >= 0)) BAD("interval must be finite and >= 0 h, got %g", d->ii_h);
  int constant_input = d->ss == 1 && d->ii_h == 0 && d->amount_mg == 0 && d->rate_mg_per_h > 0;
  if (d->ss != 0 && d->ii_h == 0 && !constant_input)
    BAD("a steady-state dose needs an interval > 0 h (or, for ss 1, amount 0 with a rate: a "
        "constant input)");
#undef BAD
  return PK_OK;
}

pk_status pk_regimen_add(pk_regimen *r, const pk_dose *d, pk_error *err) {
  if (!r || !d) return pk_err_set(err, PK_ERR_INVALID, NULL, NULL, "no regimen or dose");
  pk_status st = check_dose(d, err);
  if (st != PK_OK) return st;
  if (r->n == r->cap) {
    size_t cap = r->cap ? 2 * r->cap : 64;
    pk_dose *nd = realloc(r->dose, cap * sizeof *nd);
    if (!nd) return pk_err_nomem(err);
    r->dose = nd;
    r->cap = cap;
  }
  r->dose[r->n++] = *d;
  return PK_OK;
}

pk_status pk_regimen_add_dose(pk_regimen *r, int compound, pk_route route, double t_h,
                              double amount_mg, pk_error *err) {
  pk_dose d = pk_dose_default();
  d.compound = compound;
  d.route = route;
  d.t_h = t_h;
  d.amount_mg = amount_mg;
  return pk_regimen_add(r, &d, err);
}

size_t pk_regimen_size(const pk_regimen *r) { return r ? r->n : 0; }

pk_dose pk_regimen_dose(const pk_regimen *r, size_t k) {
  if (!r || k >= r->n) {
    pk_dose d = pk_dose_default();
    d.t_h = d.amount_mg = NAN;
    d.compound = -1;
    return d;
  }
  return r->dose[k];
}
