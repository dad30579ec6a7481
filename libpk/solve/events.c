/* events.c - regimen to integrator inputs. F multiplies the amount; a
 * zero-order input given by its duration keeps it (F * amount / duration per
 * hour), one given by its rate keeps the rate (F * amount / rate hours); lag
 * delays the input. Depot routes use the compound's F and lag, doses into
 * the central compartment its F_iv and lag_iv, unless the dose gives its own. */
#include <math.h>
#include <stdlib.h>
#include "events.h"

pk_status pk_events_push(pk_event_list *l, const pk_event *e, pk_error *err) {
  if (l->n == l->cap) {
    size_t cap = l->cap ? 2 * l->cap : 64;
    pk_event *ev = realloc(l->ev, cap * sizeof *ev);
    if (!ev) return pk_err_nomem(err);
    l->ev = ev;
    l->cap = cap;
  }
  l->ev[l->n++] = *e;
  return PK_OK;
}

void pk_dose_input(const pk_model *m, const pk_dose *d, double *F, double *lag_h,
                   double *duration_h) {
  const pk_compound_params *c = &m->compound[d->compound];
  int iv = d->route == PK_ROUTE_IV;
  *F = !isnan(d->F) ? d->F : iv ? c->F_iv : c->F;
  *lag_h = !isnan(d->lag_h) ? d->lag_h : iv ? c->lag_iv_h : c->lag_h;
  *duration_h = d->rate_mg_per_h > 0 ? *F * d->amount_mg / d->rate_mg_per_h : d->duration_h;
}

pk_status pk_events_from_dose(pk_event_list *l, const pk_system *s, const pk_model *m,
                              const pk_dose *d, size_t k, double shift_h, pk_error *err) {
  if (d->compound < 0 || d->compound >= m->n_compounds)
    return pk_err_set(err, PK_ERR_RANGE, NULL, NULL, "dose %zu: no compound %d in the model",
                      k, d->compound);
  if (d->amount_mg == 0.0) return PK_OK;
  const pk_compound_params *c = &m->compound[d->compound];
  double F, lag, duration;
  pk_dose_input(m, d, &F, &lag, &duration);
  int state = d->route == PK_ROUTE_IV ? s->central[d->compound] : pk_system_depot_for(s, m, d);
  if (state < 0)
    return pk_err_set(err, PK_ERR_INVALID, NULL, NULL, "dose %zu: no depot for its route", k);
  if (!(F * d->amount_mg <= PK_MAX_DOSE_MG))
    return pk_err_set(err, PK_ERR_INVALID, NULL, NULL,
                      "dose %zu: F %g times %g mg is %g mg of compound '%s', more than %g mg",
                      k, F, d->amount_mg, F * d->amount_mg, c->id, PK_MAX_DOSE_MG);
  double umol = 1000.0 * d->amount_mg / c->mw_g_per_mol * F;
  double origin = d->t_h + shift_h, t0 = origin + lag;
  pk_event e = {.t_h = t0, .state = state, .kind = PK_EV_BOLUS, .value = umol,
                .origin_h = origin, .order = 4 * k + 3, .dose = k};
  if (duration == 0.0) return pk_events_push(l, &e, err);
  e.kind = PK_EV_RATE_ON;
  e.value = umol / duration;
  pk_status st = pk_events_push(l, &e, err);
  e.kind = PK_EV_RATE_OFF;
  e.t_h = t0 + duration;
  return st == PK_OK ? pk_events_push(l, &e, err) : st;
}

pk_status pk_events_from_regimen(pk_event_list *l, const pk_system *s, const pk_model *m,
                                 const pk_regimen *r, double shift_h, pk_error *err) {
  pk_status st = PK_OK;
  for (size_t k = 0; r && k < r->n && st == PK_OK; k++) {
    const pk_dose *d = &r->dose[k];
    double t = d->t_h + shift_h;
    pk_event mark = {.t_h = t, .state = -1, .origin_h = t, .dose = k};
    if (d->reset || d->ss == 1) {
      mark.kind = PK_EV_RESET;
      mark.order = 4 * k;
      st = pk_events_push(l, &mark, err);
    }
    if (st == PK_OK && d->ss) {
      mark.kind = PK_EV_SS;
      mark.order = 4 * k + 1;
      st = pk_events_push(l, &mark, err);
    }
    if (st == PK_OK) st = pk_events_from_dose(l, s, m, d, k, shift_h, err);
  }
  return st;
}

static int cmp_event(const void *a, const void *b) {
  const pk_event *x = a, *y = b;
  if (x->t_h != y->t_h) return x->t_h < y->t_h ? -1 : 1;
  return (x->order > y->order) - (x->order < y->order);
}

void pk_events_sort(pk_event_list *l) {
  if (l->n) qsort(l->ev, l->n, sizeof *l->ev, cmp_event);
}

void pk_events_release(pk_event_list *l) {
  free(l->ev);
  l->ev = NULL;
  l->n = l->cap = 0;
}
