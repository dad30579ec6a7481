/* events.c - regimen to integrator inputs. F multiplies the amount; a
 * zero-order input keeps its duration (F * amount / duration per hour); lag
 * delays depot routes only. */
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

pk_status pk_events_from_regimen(pk_event_list *l, const pk_system *s, const pk_model *m,
                                 const pk_regimen *r, double shift_h, pk_error *err) {
  pk_status st = PK_OK;
  for (size_t k = 0; r && k < r->n && st == PK_OK; k++) {
    const pk_dose *d = &r->dose[k];
    if (d->compound < 0 || d->compound >= m->n_compounds)
      return pk_err_set(err, PK_ERR_RANGE, NULL, NULL, "dose %zu: no compound %d in the model",
                        k, d->compound);
    const pk_compound_params *c = &m->compound[d->compound];
    int iv = d->route == PK_ROUTE_IV;
    double F = iv ? 1.0 : isnan(d->F) ? c->F : d->F;
    double lag = iv ? 0.0 : isnan(d->lag_h) ? c->lag_h : d->lag_h;
    int state = iv ? s->central[d->compound] : pk_system_depot_for(s, m, d);
    if (state < 0)
      return pk_err_set(err, PK_ERR_INVALID, NULL, NULL, "dose %zu: no depot for its route", k);
    double umol = 1000.0 * d->amount_mg / c->mw_g_per_mol * F;
    double t0 = d->t_h + lag + shift_h;
    if (d->duration_h == 0.0) {
      st = pk_events_push(l, &(pk_event){t0, state, PK_EV_BOLUS, umol, l->n}, err);
    } else {
      double rate = umol / d->duration_h;
      st = pk_events_push(l, &(pk_event){t0, state, PK_EV_RATE_ON, rate, l->n}, err);
      if (st == PK_OK)
        st = pk_events_push(l, &(pk_event){t0 + d->duration_h, state, PK_EV_RATE_OFF, rate, l->n},
                            err);
    }
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
