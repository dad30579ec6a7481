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
/* Applies {"content": {"<compound>": {"value": .., "unit": "..", "source": ..}}}
 * to product i: the unit that of the product file's content (w/w, mg/<dose
 * unit>, mg/h), the compounds among those the file lists. */
pk_status pk_model_apply_product_overrides(pk_model *m, int i, pk_jctx *c, const cJSON *obj);

/* The compound parameters by their file keys ("CL", "V", "ka"...), for
 * overrides from other sources (event datasets): index of key (matched
 * without regard to case), -1 if none; its key. */
int pk_param_find(const char *key);
const char *pk_param_key(int k);
/* Sets parameter k of p to x if p has it (its peripheral compartment or
 * receptor binding) and x is in range, returning 0; else writes why into
 * msg and returns -1 (p has no such parameter) or -2 (x out of range). */
int pk_param_set(pk_compound_params *p, int k, double x, char *msg, size_t n);
/* The value of parameter k in p (NaN if k is not a parameter index). */
double pk_param_get(const pk_compound_params *p, int k);

#endif
