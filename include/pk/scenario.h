/* pk/scenario.h - a scenario file: model files, dosing, subject, output grid.
 *
 * The JSON format, with every key and its unit, is in docs/scenario-format.md.
 * Loading resolves the model files it names (paths relative to the scenario
 * file), applies the subject's parameter overrides, expands the dosing
 * (times of day over day ranges, step tapers, product doses into compound
 * doses) into a regimen, and fills the simulation options.
 */
#ifndef PK_SCENARIO_H
#define PK_SCENARIO_H

#include "pk/error.h"
#include "pk/model.h"
#include "pk/regimen.h"
#include "pk/sim.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct pk_scenario pk_scenario;

/* Loads and checks a scenario file. On failure err names the file, the
 * JSON key path (and line:column for syntax errors) and what was expected. */
PK_API pk_status pk_scenario_load(const char *path, pk_scenario **out, pk_error *err);
PK_API void pk_scenario_free(pk_scenario *s); /* NULL is safe */

PK_API const char *pk_scenario_name(const pk_scenario *s);
PK_API const char *pk_scenario_description(const pk_scenario *s);
PK_API const pk_model *pk_scenario_model(const pk_scenario *s);
PK_API const pk_regimen *pk_scenario_regimen(const pk_scenario *s);
PK_API pk_sim_options pk_scenario_options(const pk_scenario *s);

/* Chooses the solver path (auto, exact, ode) for later simulations,
 * overriding the file's solver.path. */
PK_API pk_status pk_scenario_set_solver(pk_scenario *s, pk_solver solver, pk_error *err);

/* Simulates the scenario with its own options. */
PK_API pk_status pk_scenario_simulate(const pk_scenario *s, pk_trajectory **out,
                                      pk_error *err);

#ifdef __cplusplus
}
#endif
#endif
