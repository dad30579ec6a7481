/* scenario_set.h - settings beside a scenario file ("KEY=VALUE"): a
 * scenario key path (dosing[0].dose_g=3, output.duration_days=7), set in
 * the JSON document before it is read, or a subject setting named as a
 * sweep axis (mitragynine.CL=150, k_tol=0.01, tol0=0.2, dose=1.5,
 * kratom-leaf-powder.content.mitragynine=0.02), applied to the model before
 * the dosing is expanded and to the doses after. */
#ifndef PK_SCENARIO_SET_H
#define PK_SCENARIO_SET_H

#include "json.h"

/* 1 if the setting's key starts with a top-level scenario key. */
int pk_setting_is_path(const char *text);
/* Sets the key-path settings in root (VALUE parsed as JSON where it is
 * JSON, else taken as a string; a missing last key or object on the way
 * is added; array indices must exist). */
pk_status pk_settings_apply_json(cJSON *root, const char *const *settings, size_t n,
                                 pk_error *err);
/* Appends to err's message the key-path setting whose value it concerns. */
void pk_settings_explain(const char *const *settings, size_t n, pk_error *err);
/* Applies the other settings to m (compound, receptor and product values),
 * *tol0, and the dose multipliers per compound (dose_mult, PK_MAX_COMPOUNDS
 * values, multiplied in; *dose_set becomes 1 if any was given). */
pk_status pk_settings_apply_model(pk_model *m, const char *const *settings, size_t n,
                                  double *tol0, double *dose_mult, int *dose_set, pk_error *err);
/* Multiplies the amounts (and rates) of r's doses by dose_mult[compound];
 * PK_ERR_INVALID when one exceeds PK_MAX_DOSE_MG. */
pk_status pk_settings_scale_doses(pk_regimen *r, const double *dose_mult, pk_error *err);

#endif
