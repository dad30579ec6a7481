/* pk/catalog.h - what a model file says, for listing: its kind, id, name and
 * every number with its unit, source and whether it is an assumption. Used
 * by `pk compounds`; it reads the file without building a model. */
#ifndef PK_CATALOG_H
#define PK_CATALOG_H

#include <stddef.h>
#include "pk/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct pk_file_info pk_file_info;

typedef struct pk_param_info {
  const char *key;    /* e.g. "CL", "fm from mitragynine", "content mitragynine", "ka mitragynine" */
  double value;
  const char *unit;   /* exactly as in the file */
  const char *source; /* "" if none */
  int assumption;     /* 1 if marked "assumption": true */
} pk_param_info;

/* Reads a compound, product or receptor file. The strings returned by the
 * accessors live as long as the info. */
PK_API pk_status pk_file_info_load(const char *path, pk_file_info **out, pk_error *err);
PK_API void pk_file_info_free(pk_file_info *info); /* NULL is safe */
PK_API const char *pk_file_info_kind(const pk_file_info *info); /* compound, product, receptor */
PK_API const char *pk_file_info_id(const pk_file_info *info);
PK_API const char *pk_file_info_name(const pk_file_info *info);
/* For products: route and dose unit ("" for other kinds). */
PK_API const char *pk_file_info_route(const pk_file_info *info);
PK_API const char *pk_file_info_dose_unit(const pk_file_info *info);
PK_API size_t pk_file_info_param_count(const pk_file_info *info);
/* Parameter k < count, in file order. */
PK_API pk_param_info pk_file_info_param(const pk_file_info *info, size_t k);

#ifdef __cplusplus
}
#endif
#endif
