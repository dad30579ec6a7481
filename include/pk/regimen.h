/* pk/regimen.h - dose events.
 *
 * A regimen is a list of doses of compounds. An oral dose enters the
 * compound's depot after its lag time, multiplied by its F; an IV bolus
 * enters the central compartment at once. Amounts are mg of compound and
 * are converted to umol with the molecular weight.
 */
#ifndef PK_REGIMEN_H
#define PK_REGIMEN_H

#include <stddef.h>
#include "pk/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum pk_route {
  PK_ROUTE_ORAL = 0, /* into the depot, with F and lag time */
  PK_ROUTE_IV = 1    /* bolus into the central compartment */
} pk_route;

typedef struct pk_dose {
  double t_h;       /* time the dose is taken, h */
  int compound;     /* compound index in the model */
  pk_route route;
  double amount_mg; /* mg of compound, >= 0 */
} pk_dose;

typedef struct pk_regimen pk_regimen;

PK_API pk_regimen *pk_regimen_new(void); /* NULL if out of memory */
PK_API void pk_regimen_free(pk_regimen *r); /* NULL is safe */

/* Adds a dose; t_h and amount_mg must be finite, amount_mg >= 0. */
PK_API pk_status pk_regimen_add_dose(pk_regimen *r, int compound, pk_route route, double t_h,
                                     double amount_mg, pk_error *err);
PK_API size_t pk_regimen_size(const pk_regimen *r);
/* Dose k in the order added. */
PK_API pk_dose pk_regimen_dose(const pk_regimen *r, size_t k);

#ifdef __cplusplus
}
#endif
#endif
