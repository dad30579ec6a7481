/* events.h - a regimen turned into the inputs that the integrator sees:
 * boluses (jumps in a state), zero-order inputs switched on and off, resets
 * and steady-state starts. */
#ifndef PK_EVENTS_H
#define PK_EVENTS_H

#include "system.h"

typedef enum {
  PK_EV_BOLUS = 0,    /* value umol into state */
  PK_EV_RATE_ON = 1,  /* value umol/h into state from now */
  PK_EV_RATE_OFF = 2, /* the matching end */
  PK_EV_RESET = 3,    /* every state to its start, inputs stopped, earlier doses dropped */
  PK_EV_SS = 4        /* steady state of dose `dose` (ss 1 replaces, ss 2 adds) */
} pk_event_kind;

typedef struct pk_event {
  double t_h;      /* when it happens */
  int state;       /* receiving state (bolus, rate) */
  int kind;        /* pk_event_kind */
  double value;    /* umol for a bolus, umol/h for a rate */
  double origin_h; /* time of the record it comes from: a reset drops what came before */
  size_t order;    /* 4 * record + {0 reset, 1 steady state, 2 its tails, 3 dose} */
  size_t dose;     /* index of the record in its regimen */
} pk_event;

typedef struct pk_event_list {
  size_t n, cap;
  pk_event *ev;
} pk_event_list;

/* Appends the events of regimen r (times shifted by shift_h). */
pk_status pk_events_from_regimen(pk_event_list *l, const pk_system *s, const pk_model *m,
                                 const pk_regimen *r, double shift_h, pk_error *err);
pk_status pk_events_push(pk_event_list *l, const pk_event *e, pk_error *err);
/* Sorts by time, keeping the records' order at equal times. */
void pk_events_sort(pk_event_list *l);
void pk_events_release(pk_event_list *l);

/* How dose d enters: its bioavailability F (the dose's own, else the
 * compound's F for a depot route, F_iv into the central compartment), its
 * lag in h (likewise lag or lag_iv) and the duration of its zero-order input
 * in h (0: a bolus): F * amount / rate when given by its rate, else its
 * duration_h. d->compound must be a compound of m. */
void pk_dose_input(const pk_model *m, const pk_dose *d, double *F, double *lag_h,
                   double *duration_h);

/* The input events of one dose (no reset or steady-state marker), at its
 * own time plus shift_h, with order 4 * k + 3. */
pk_status pk_events_from_dose(pk_event_list *l, const pk_system *s, const pk_model *m,
                              const pk_dose *d, size_t k, double shift_h, pk_error *err);

#endif
