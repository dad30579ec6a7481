/* events.h - a regimen turned into the inputs that the integrator sees:
 * boluses (jumps in a state) and zero-order inputs switched on and off. */
#ifndef PK_EVENTS_H
#define PK_EVENTS_H

#include "system.h"

typedef enum { PK_EV_BOLUS = 0, PK_EV_RATE_ON = 1, PK_EV_RATE_OFF = 2 } pk_event_kind;

typedef struct pk_event {
  double t_h;     /* when it happens */
  int state;      /* receiving state */
  int kind;       /* pk_event_kind */
  double value;   /* umol for a bolus, umol/h for a rate */
  size_t order;   /* position in the regimen, for a stable sort */
} pk_event;

typedef struct pk_event_list {
  size_t n, cap;
  pk_event *ev;
} pk_event_list;

/* Appends the events of regimen r (times shifted by shift_h). */
pk_status pk_events_from_regimen(pk_event_list *l, const pk_system *s, const pk_model *m,
                                 const pk_regimen *r, double shift_h, pk_error *err);
pk_status pk_events_push(pk_event_list *l, const pk_event *e, pk_error *err);
/* Sorts by time, keeping the regimen's order at equal times. */
void pk_events_sort(pk_event_list *l);
void pk_events_release(pk_event_list *l);

#endif
