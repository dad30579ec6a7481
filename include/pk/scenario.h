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
/* The same from memory: text[0..len) is the scenario's JSON (it need not end
 * in a NUL; a NUL byte in it is an error) and name (may be NULL) the file
 * name messages give. The model files the scenario names are read from disk:
 * relative paths are taken relative to base_dir (with or without a trailing
 * slash), or with base_dir NULL to name's directory (the working directory
 * if name has none). text is not kept. */
PK_API pk_status pk_scenario_load_text(const char *text, size_t len, const char *name,
                                       const char *base_dir, pk_scenario **out,
                                       pk_error *err);
/* pk_scenario_load with n settings, each "KEY=VALUE" (docs/scenario-format.md,
 * "Settings"), applied in order, a later one winning:
 *   - a scenario key path, its first key a top-level key other than
 *     population (output.duration_days=7, dosing[0].dose_g=3,
 *     subject.initial_tol=0.1): the value (JSON where it parses as JSON,
 *     else a string) replaces or adds that key in the file's document
 *     before it is read, and is checked as the file's own would be;
 *   - a subject setting named as a sweep axis (pk/batch.h: <compound>.<KEY>,
 *     <metabolite>.fm, k_tol, k_wx, k_wf, immediate, tol0, dose,
 *     dose.<compound>, <product>.content.<compound>), a number in the unit of
 *     the model files, applied after the subject's overrides and before the
 *     dosing is expanded (content), dose multipliers to the expanded doses.
 * An error names the setting. */
PK_API pk_status pk_scenario_load_set(const char *path, const char *const *settings, size_t n,
                                      pk_scenario **out, pk_error *err);
PK_API void pk_scenario_free(pk_scenario *s); /* NULL is safe */

PK_API const char *pk_scenario_name(const pk_scenario *s);
PK_API const char *pk_scenario_description(const pk_scenario *s);
PK_API const pk_model *pk_scenario_model(const pk_scenario *s);
PK_API const pk_regimen *pk_scenario_regimen(const pk_scenario *s);
PK_API pk_sim_options pk_scenario_options(const pk_scenario *s);
/* The model files the scenario read (paths as opened, relative to the
 * working directory or absolute), so that a caller can tell its inputs. */
PK_API size_t pk_scenario_file_count(const pk_scenario *s);
PK_API const char *pk_scenario_file(const pk_scenario *s, size_t k); /* NULL if k >= count */

/* Warnings: what loads and runs but looks like a mistake, in file order.
 * Each is a pk_error (format it with pk_error_format) naming the scenario
 * file and the key path, whose code says the kind: PK_WARN_DOSE (a dose
 * above a compound file's max_plausible_dose, far above any published use),
 * PK_WARN_RECEPTOR (no receptor file: tol and W stay 0; or no compound
 * binding it: occupancy and E stay 0 too), PK_WARN_NOT_DOSED (a compound that neither a dose
 * nor a conversion from a dosed compound reaches). libpk prints none of
 * them; a caller should show them. At most 64 (the last then says that
 * more were left out). pk_scenario_warning returns NULL if k >= count; the
 * pointer lives as long as s. */
PK_API size_t pk_scenario_warning_count(const pk_scenario *s);
PK_API const pk_error *pk_scenario_warning(const pk_scenario *s, size_t k);

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
