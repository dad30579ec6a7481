/* pk/regimen.h - dose events.
 *
 * A regimen is a list of doses of compounds. A dose is a bolus or a
 * zero-order input over a duration (infusion, patch), by one of three routes:
 * oral (into an absorption depot, with first-pass conversions), another
 * absorption depot without first pass (sublingual, intranasal,
 * intramuscular, transdermal) or intravenous (into the central compartment).
 * Depot doses use the compound's ka, F and lag, intravenous doses its F_iv
 * and lag_iv, unless the dose gives its own (a product's route-specific
 * absorption). Amounts are mg of compound, converted to umol with the
 * molecular weight; F multiplies the amount, so a zero-order input given by
 * its duration keeps it and delivers F * amount_mg over it (one given by its
 * rate keeps the rate and lasts F * amount_mg / rate).
 */
#ifndef PK_REGIMEN_H
#define PK_REGIMEN_H

#include <stddef.h>
#include "pk/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum pk_route {
  PK_ROUTE_ORAL = 0, /* into a depot, with ka, F, lag and first-pass conversions */
  PK_ROUTE_IV = 1,   /* into the central compartment, with the compound's F_iv and lag_iv */
  PK_ROUTE_DEPOT = 2 /* into a depot with ka, F and lag, without first-pass conversion */
} pk_route;

typedef struct pk_dose {
  double t_h;        /* time the dose is taken (or the input starts), h */
  int compound;      /* compound index in the model */
  pk_route route;
  double amount_mg;  /* mg of compound, >= 0 */
  double duration_h; /* 0: bolus; > 0: zero-order input over this many hours */
  double ka_per_h;   /* depot absorption rate, 1/h; NaN: the compound's ka */
  double F;          /* bioavailability, >= 0; NaN: the compound's F (depot routes) or F_iv
                        (intravenous) */
  double lag_h;      /* lag time, h; NaN: the compound's lag (depot routes) or lag_iv
                        (intravenous) */
  double rate_mg_per_h; /* > 0 with duration_h 0: zero-order input at this rate; F then
                           scales the duration (F * amount / rate), not the rate */
  int ss;            /* 0; 1: first reset, then start at the periodic steady state of this
                        dose repeated every ii_h; 2: add that steady state's amounts to the
                        current state. With ii_h 0, amount 0 and a rate: the steady state of
                        a constant input at that rate, which does not continue after t_h. */
  double ii_h;       /* interval of the repeated dose for ss, h */
  int reset;         /* 1: reset before this dose: every state to its start (tol to the
                        initial level), running inputs stopped, doses not yet absorbed
                        dropped. With amount 0, a reset only. */
  int product;       /* the product (its index in the model) this dose is part of, or -1
                        (pk_dose_default): a compound dosed as such. Only read by sweeps
                        whose axis is a product's content (<product>.content.<compound>) */
} pk_dose;

/* The largest dose (mg) and input rate (mg/h) a regimen takes: a tonne of
 * compound, far beyond anything physical, and below the amounts (1e60 g of
 * leaf and more) at which the exact path's quadrature of a saturated
 * receptor took minutes per simulated day. */
#define PK_MAX_DOSE_MG 1e9

typedef struct pk_regimen pk_regimen;

PK_API pk_regimen *pk_regimen_new(void); /* NULL if out of memory */
PK_API void pk_regimen_free(pk_regimen *r); /* NULL is safe */

/* A bolus of 0 mg of compound 0 at t = 0 by mouth, with the compound's own
 * absorption (NaN overrides), part of no product: fill in what differs. */
PK_API pk_dose pk_dose_default(void);

/* Adds a dose after checking it: finite time, amount in [0,
 * PK_MAX_DOSE_MG] mg, duration >= 0, rate in [0, PK_MAX_DOSE_MG] mg/h (not
 * both duration and rate), overrides NaN or in range (ka > 0,
 * F >= 0, lag >= 0), ss 0/1/2 with ii_h > 0 (or the constant-input
 * form), reset 0/1. */
PK_API pk_status pk_regimen_add(pk_regimen *r, const pk_dose *d, pk_error *err);

/* Adds a bolus with the compound's own absorption; t_h and amount_mg must be
 * finite, amount_mg >= 0. */
PK_API pk_status pk_regimen_add_dose(pk_regimen *r, int compound, pk_route route, double t_h,
                                     double amount_mg, pk_error *err);
PK_API size_t pk_regimen_size(const pk_regimen *r);
/* Dose k in the order added. */
PK_API pk_dose pk_regimen_dose(const pk_regimen *r, size_t k);

#ifdef __cplusplus
}
#endif
#endif
