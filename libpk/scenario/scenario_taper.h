/* scenario_taper.h - tapers in scenario files: a dosing entry's taper
 * generator ({"kind": "linear" | "percentage" | "hyperbolic" |
 * "responsive", ...}, or any taper with a grid key), and the first dosing
 * entry as the start of `pk taper`. The plain step taper without a grid
 * stays in scenario.c. Keys in docs/scenario-format.md and docs/taper.md. */
#ifndef PK_SCENARIO_TAPER_H
#define PK_SCENARIO_TAPER_H

#include "json.h"
#include "pk/taper.h"

/* What a dosing entry doses, as scenario.c reads it. */
typedef struct pk_scenario_dose {
  int product, compound; /* one is -1 */
  pk_route route;
  const char *suffix, *unit; /* key suffix ("g", "units", "mg") and unit for messages */
  double amount;             /* per administration */
} pk_scenario_dose;

typedef struct pk_scenario_deferred pk_scenario_deferred;

/* The scenario's taper state. Zero-initialised; release it. */
typedef struct pk_scenario_tapers {
  size_t entry;              /* index of the main dosing entry being read */
  pk_scenario_deferred *deferred; /* responsive tapers, generated once all is loaded */
  size_t n_deferred;
  int first_clock;           /* 1 if the first entry uses times_of_day_h */
  pk_taper_item first_item;  /* that entry as a taper item */
  int first_start_day;       /* its taper's start day (its first day without a taper) */
  size_t first_lo, first_hi; /* its doses in the regimen */
} pk_scenario_tapers;

void pk_scenario_tapers_release(pk_scenario_tapers *t);

/* 1 if the taper object names a generator: a "kind" other than "linear",
 * or a grid key (grid_g, grid_units, grid_mg). */
int pk_scenario_taper_is_generator(const cJSON *taper);

/* Notes a main clock-time entry (entry t->entry): the first becomes
 * first_item. taper may be NULL. */
pk_status pk_scenario_taper_note(pk_jctx *c, pk_scenario_tapers *t, const cJSON *tod,
                                 const cJSON *taper, const pk_scenario_dose *d, int first);

/* The entry's taper generator at c's current path (the entry): read, then
 * generated into r now (linear, percentage, hyperbolic: opt gives the
 * solver settings) or kept for pk_scenario_taper_deferred (responsive). */
pk_status pk_scenario_taper_entry(pk_jctx *c, pk_scenario_tapers *t, const pk_model *m,
                                  const pk_sim_options *opt, const cJSON *tod,
                                  const cJSON *taper, const pk_scenario_dose *d, int first,
                                  int last, pk_regimen *r);

/* Generates the responsive tapers in file order, each simulating everything
 * in r (other entries, history and run-in under opt; an entry starting on
 * day 1 also gets the run-in of its own start dose), and adds their doses
 * to r. */
pk_status pk_scenario_taper_deferred(pk_jctx *c, pk_scenario_tapers *t, const pk_model *m,
                                     const pk_sim_options *opt, pk_regimen *r);

/* pk_scenario_taper_start on the scenario's regimen r. */
pk_status pk_scenario_taper_split(const pk_scenario_tapers *t, const pk_regimen *r,
                                  pk_taper_item *item, int *start_day, pk_regimen **others,
                                  pk_error *err);

#endif
