/* pk/taper.h - taper schedules: generators, a withdrawal-limited optimiser,
 * and the files they are written to.
 *
 * A taper starts from a regimen of one item (a product, or a compound by a
 * route) taken at fixed clock times every day at a start dose per
 * administration, counted in the item's dose unit: g or units (tablets,
 * capsules...) for products, mg for compounds. A schedule gives the dose per
 * administration for every day from the item's first day to the first day
 * without a dose; every dose is a multiple of a grid (for example 0.25 g of
 * powder, 1 capsule, 5 mg), the doses never rise, and the last level is 0.
 *
 * Rounding rule (linear, percentage, hyperbolic and responsive steps): a
 * computed level u is rounded to the nearest grid multiple (halves upwards);
 * if that is not below the previous level, the level is one grid step below
 * the previous one, so that every step cuts; a level is never below 0, and a
 * level that reaches 0 ends the taper.
 *
 * Days are 1-based: day d runs from 24 (d - 1) h to 24 d h; a dose at clock
 * time c on day d is at 24 (d - 1) + c h. The methods, with the optimiser's
 * optimality argument, are in docs/taper.md.
 */
#ifndef PK_TAPER_H
#define PK_TAPER_H

#include <stddef.h>
#include "pk/error.h"
#include "pk/model.h"
#include "pk/regimen.h"
#include "pk/scenario.h"
#include "pk/sim.h"
#include "pk/trajectory.h"

#ifdef __cplusplus
extern "C" {
#endif

enum { PK_TAPER_MAX_TIMES = 24 };

/* The start regimen: what is taken, when in the day, how much, from when. */
typedef struct pk_taper_item {
  int product;     /* product index, or -1 for a compound */
  int compound;    /* compound index when product is -1 */
  pk_route route;  /* route of a compound's doses (a product has its own) */
  size_t n_times;  /* administrations per day, 1 to PK_TAPER_MAX_TIMES */
  double times_of_day_h[PK_TAPER_MAX_TIMES]; /* clock times, each in [0, 24) h */
  double start_dose; /* dose per administration before the taper, item's unit, > 0 */
  int first_day;   /* first day with doses (may be <= 0: days before day 1) */
} pk_taper_item;

/* The id of the item's product or compound; NULL if it names nothing in m. */
PK_API const char *pk_taper_item_name(const pk_model *m, const pk_taper_item *item);

/* No item (product and compound -1), oral, no times, first day 1. */
PK_API pk_taper_item pk_taper_item_default(void);

/* The unit an item is counted in: the product's dose unit ("g", "tablet",
 * "capsule"...) or "mg" for a compound; NULL if the item names nothing in m. */
PK_API const char *pk_taper_item_unit(const pk_model *m, const pk_taper_item *item);

typedef enum pk_taper_kind {
  PK_TAPER_LINEAR = 0,     /* cut `step` every `every_days` days */
  PK_TAPER_PERCENTAGE = 1, /* cut `percent` % of the current dose every `every_days` days */
  PK_TAPER_HYPERBOLIC = 2, /* equal steps of steady-state occupancy (or E), `steps` of them */
  PK_TAPER_RESPONSIVE = 3  /* cut `step` at each planned step only if W stayed <= the limit */
} pk_taper_kind;

typedef enum pk_taper_measure {
  PK_TAPER_OCCUPANCY = 0, /* total receptor occupancy, mean over a day */
  PK_TAPER_RESPONSE = 1   /* the response E, mean over a day */
} pk_taper_measure;

/* How the levels go down. The first level is the item's start dose, held
 * from the item's first day through the first period (start_day to
 * start_day + every_days - 1); step k (k = 1, 2...) takes effect on day
 * start_day + k every_days (for the responsive kind, on the planned days
 * where the cut is made). */
typedef struct pk_taper_spec {
  pk_taper_kind kind;
  double grid;        /* every level is a multiple of grid, item's unit, > 0; the start
                         dose is a multiple, at most 100000 grid steps */
  int start_day;      /* first day of the first period, >= the item's first day */
  int every_days;     /* days between (planned) steps, >= 1 */
  double step;        /* linear: level k is start - k step before rounding;
                         responsive: a cut lowers the current level by step; > 0 */
  double percent;     /* percentage: level k is level k-1 times (1 - percent/100)
                         before rounding; in (0, 100] */
  int steps;          /* hyperbolic: K >= 1; target k is (1 - k/K) times the start
                         level's measure */
  pk_taper_measure measure; /* hyperbolic */
  double max_withdrawal; /* responsive: the W limit (fraction of system maximum), >= 0 */
  int max_days;       /* responsive: fail if the level is not 0 within this many days
                         of start_day (0: 365) */
} pk_taper_spec;

/* Defaults: linear, grid NaN, start day 1, every 7 days, everything else
 * NaN or 0 so that a forgotten field is caught. */
PK_API pk_taper_spec pk_taper_spec_default(void);

/* A day-by-day schedule. level[k] is the dose per administration on day
 * item.first_day + k, in the item's unit; level[n_days - 1] is 0 (that day
 * is the first without a dose). Owned by the caller: release it. */
typedef struct pk_taper_schedule {
  pk_taper_item item;
  size_t n_days;
  double *level;
  size_t n_holds;   /* responsive: planned steps that were held */
} pk_taper_schedule;

PK_API void pk_taper_schedule_release(pk_taper_schedule *s); /* NULL and empty are safe */
/* The first day without a dose (item.first_day + n_days - 1). */
PK_API int pk_taper_schedule_zero_day(const pk_taper_schedule *s);
/* The dose per administration on day d: 0 before the first day and from the
 * zero day on. */
PK_API double pk_taper_schedule_level(const pk_taper_schedule *s, int day);
/* Appends the schedule's doses (products expanded into their compounds, as
 * in a scenario) to r. */
PK_API pk_status pk_taper_schedule_add_doses(const pk_model *m, const pk_taper_schedule *s,
                                             pk_regimen *r, pk_error *err);

/* Generates the schedule of `item` under `spec`. The linear and percentage
 * kinds use neither base nor opt (both may be NULL). The hyperbolic kind
 * uses opt's solver settings only (opt may be NULL: defaults). The
 * responsive kind simulates base (the other doses, may be NULL) plus the
 * item's doses under opt (subject history, output grid, solver) and decides
 * each planned step from W at the output times since the previous planned
 * step; see docs/taper.md. On failure *out is left empty. */
PK_API pk_status pk_taper_generate(const pk_model *m, const pk_taper_item *item,
                                   const pk_taper_spec *spec, const pk_regimen *base,
                                   const pk_sim_options *opt, pk_taper_schedule *out,
                                   pk_error *err);

/* The mean over one day of total occupancy (or E) at the periodic steady
 * state of the item's daily regimen at `dose` per administration, alone:
 * what the hyperbolic kind inverts. opt gives the solver settings (NULL:
 * defaults). */
PK_API pk_status pk_taper_steady_measure(const pk_model *m, const pk_taper_item *item,
                                         double dose, pk_taper_measure measure,
                                         const pk_sim_options *opt, double *out,
                                         pk_error *err);

/* Cross-taper: items[1] (the substitute) comes in on its first day at its
 * start dose while items[0] is tapered under specs[0]; the substitute is
 * then tapered under specs[1], from specs[1].start_day or, if that is 0,
 * from the first day without items[0]. Each generator sees base plus the
 * other item's doses (a responsive first item sees the substitute held at
 * its start dose, so its steps must end before the substitute's taper
 * starts). out[0] and out[1] receive the schedules. */
PK_API pk_status pk_taper_cross(const pk_model *m, const pk_taper_item items[2],
                                const pk_taper_spec specs[2], const pk_regimen *base,
                                const pk_sim_options *opt, pk_taper_schedule out[2],
                                pk_error *err);

/* ---- withdrawal-limited schedules ------------------------------------------ */

/* W over a simulation of schedules plus base. */
typedef struct pk_taper_eval {
  double max_W;       /* highest W at the output times from opt's output start on */
  double t_max_W_h;   /* first output time at which it occurs, h */
  double t_end_h;     /* end of the simulation, h */
  double tol_end;     /* tol at t_end_h */
  double W_bound_end; /* at t_end_h, a bound on W at any later time without doses
                         (docs/taper.md) */
  double last_dose_h; /* time of the last dose of the schedules (NaN if none) */
} pk_taper_eval;

/* Simulates base plus the n schedules under opt, to at least opt->t_end_h
 * and at least tail_h past the last dose of the schedules (tail_h <= 0:
 * 5 / k_tol, or 168 h if k_tol is 0); then, while W stayed <= `limit` but
 * the bound on later W at the end (pk_taper_eval.W_bound_end) is still
 * above it (NaN: never), one more tail at a time, up to 8 times. traj
 * (may be NULL) receives the trajectory. */
PK_API pk_status pk_taper_simulate(const pk_model *m, const pk_taper_schedule *s, size_t n,
                                   const pk_regimen *base, const pk_sim_options *opt,
                                   double tail_h, double limit, pk_trajectory **traj,
                                   pk_taper_eval *ev, pk_error *err);

/* What the optimiser may do. */
typedef struct pk_taper_limits {
  double max_withdrawal; /* W limit, fraction of system maximum, > 0 */
  double grid;           /* dose grid, item's unit, > 0; the start dose is a multiple
                            (at most 100000 grid steps) */
  double max_step;       /* largest cut, item's unit, a grid multiple; 0: any */
  int min_days_between_changes; /* >= 1 */
  int max_days;          /* longest taper considered: start_day to the zero day, >= 1 */
  int start_day;         /* first day of the first period, >= the item's first day */
  double tail_h;         /* as in pk_taper_simulate (<= 0: 5 / k_tol) */
  int greedy;            /* 1: also run the variable-step refinement */
  /* optional: called as the uniform search moves to each longer duration
   * (days of the schedules about to be tried, max_days, simulations so
   * far); the library itself never prints */
  void (*progress)(void *ctx, int days, int max_days, size_t n_simulations);
  void *progress_ctx;
} pk_taper_limits;

/* Defaults: limit NaN (must be set), grid NaN (must be set), any step, 1
 * day between changes, 365 days, start day 1, default tail, greedy on. */
PK_API pk_taper_limits pk_taper_limits_default(void);

typedef enum pk_taper_method {
  PK_TAPER_UNIFORM = 0, /* cut s grid units every n days */
  PK_TAPER_GREEDY = 1   /* largest cut that holding keeps W under the limit, at each change */
} pk_taper_method;

typedef struct pk_taper_result {
  pk_taper_schedule schedule; /* the shortest feasible schedule found */
  pk_taper_method method;     /* where it comes from */
  int days;                   /* its duration: start_day to the zero day */
  pk_taper_eval eval;         /* W of the returned schedule */
  int uniform_cut_units;      /* the shortest uniform schedule: s (grid units) */
  int uniform_every_days;     /* n (days) */
  int uniform_days;           /* n ceil(L / s); -1 if no uniform schedule is feasible */
  double uniform_max_W;
  int greedy_days;            /* -1 if not run or not feasible within max_days */
  double greedy_max_W;
  size_t n_simulations;       /* simulations run */
} pk_taper_result;

/* Finds the shortest schedule from the item's start dose to 0 keeping W <=
 * the limit at every output time (including after the last dose, see
 * pk_taper_simulate), with the item's dose times, doses on the grid, cuts
 * of at most max_step and changes at least min_days_between_changes apart.
 * Shortest is over the uniform family (cut s grid units every n days, the
 * last cut what is left), found by simulating every member in order of
 * duration; the greedy schedule is returned instead when it is strictly
 * shorter (or as short with a lower max W). base holds the other doses
 * (may be NULL); opt gives the subject (history), output grid and solver.
 * PK_ERR_INVALID, with the lowest max W seen, if nothing is feasible within
 * max_days. Release the result. */
PK_API pk_status pk_taper_optimise(const pk_model *m, const pk_taper_item *item,
                                   const pk_regimen *base, const pk_sim_options *opt,
                                   const pk_taper_limits *lim, pk_taper_result *out,
                                   pk_error *err);
PK_API void pk_taper_result_release(pk_taper_result *r); /* NULL is safe */

/* The uniform schedule: start dose held from the item's first day, then cut
 * by cut_units grid units every every_days days from start_day (the last
 * cut to 0). */
PK_API pk_status pk_taper_uniform(const pk_taper_item *item, double grid, int start_day,
                                  int cut_units, int every_days, pk_taper_schedule *out,
                                  pk_error *err);

/* ---- files ------------------------------------------------------------------ */

/* Writes the n schedules as scenario dosing entries, {"dosing": [...]}, one
 * entry per run of days at one level (days before day 1 are left out:
 * they belong to a run-in or history), atomically. note (may be NULL) goes
 * into a top-level "note". */
PK_API pk_status pk_taper_write_json(const pk_model *m, const pk_taper_schedule *s, size_t n,
                                     const char *note, const char *path, pk_error *err);

/* Writes "day,dose_<unit key>" rows (dose_g, dose_units or dose_mg) from
 * the first day to the zero day, atomically. */
PK_API pk_status pk_taper_write_csv(const pk_model *m, const pk_taper_schedule *s,
                                    const char *path, pk_error *err);

/* ---- scenarios -------------------------------------------------------------- */

/* The first dosing entry of a loaded scenario as a taper item (it must use
 * times_of_day_h), its taper start day (the taper's start_day, or its first
 * day), and a new regimen *others with every other dose of the scenario
 * (other entries, and the run-in copies of the first entry's doses). */
PK_API pk_status pk_scenario_taper_start(const pk_scenario *s, pk_taper_item *item,
                                         int *start_day, pk_regimen **others, pk_error *err);

#ifdef __cplusplus
}
#endif
#endif
