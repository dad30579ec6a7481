/* model_load.h - model-file reading shared with the scenario loader. */
#ifndef PK_MODEL_LOAD_H
#define PK_MODEL_LOAD_H

#include "json.h"

/* Files are read in three passes over all of a scenario's model files, so
 * that their order does not matter: compounds and the receptor first, then
 * conversions between loaded compounds, then products. */
enum { PK_LOAD_COMPOUNDS = 0, PK_LOAD_CONVERSIONS = 1, PK_LOAD_PRODUCTS = 2 };

pk_status pk_model_load_json(pk_model *m, const cJSON *root, const char *file, int pass,
                             pk_error *err);

/* Applies {"CL": {"value": .., "unit": ".."}, ...} to compound i. */
pk_status pk_model_apply_overrides(pk_model *m, int i, pk_jctx *c, const cJSON *obj);

#endif
