/* pk/error.h - status codes and error details for every fallible libpk call.
 *
 * Every fallible function returns a pk_status and, on failure, fills a
 * caller-owned pk_error (never a global), so that the caller can say which
 * file, which JSON key path or CSV line, and what was expected. libpk never
 * prints and never exits.
 */
#ifndef PK_ERROR_H
#define PK_ERROR_H

#include <stddef.h>
#include "pk/version.h"

#ifdef __cplusplus
extern "C" {
#endif

/* 0 is success, negative values are failures. Positive values name the
 * kind of a warning (pk_scenario_warning, pk_dataset_warning): a call never
 * returns them. */
typedef enum pk_status {
  PK_WARN_DOSE = 1,      /* a dose far above any published use (the compound file's
                            max_plausible_dose) */
  PK_WARN_RECEPTOR = 2,  /* no receptor file (tol and W stay 0), or no compound binds it
                            (occupancy and E stay 0 too) */
  PK_WARN_NOT_DOSED = 3, /* a compound that no dose reaches: its concentrations stay 0 */
  PK_WARN_RESET_DROPS = 4, /* an event dataset's reset (EVID 3/4, SS 1) drops what records
                              at its time gave before it (pk_dataset_warning) */
  PK_WARN_UNUSED_COLUMNS = 5, /* dataset covariate columns that change nothing: the model
                                 has no covariate relations */
  PK_WARN_PRODUCT_SS = 6, /* SS 1 on a dataset's product record: the compounds start at
                             their steady state, tol and the withdrawal filters do not */
  PK_OK = 0,
  PK_ERR_IO = -1,      /* a file could not be read or written */
  PK_ERR_PARSE = -2,   /* malformed JSON (line and column set) */
  PK_ERR_INVALID = -3, /* a value, key, unit or schedule is not acceptable */
  PK_ERR_NOMEM = -4,   /* out of memory */
  PK_ERR_SOLVER = -5,  /* the ODE solver failed (time in t_h) */
  PK_ERR_RANGE = -6    /* an index or count is out of range */
} pk_status;

enum { PK_ERROR_MESSAGE_MAX = 512, PK_ERROR_FILE_MAX = 512, PK_ERROR_PATH_MAX = 256 };

/* Details of a failure. Fields that do not apply are empty strings, 0 for
 * line/column, and NaN for t_h. */
typedef struct pk_error {
  pk_status code;
  char message[PK_ERROR_MESSAGE_MAX]; /* what is wrong and what was expected */
  char file[PK_ERROR_FILE_MAX];       /* the file concerned, if any */
  char path[PK_ERROR_PATH_MAX];       /* JSON key path such as dosing[0].dose_g */
  int line;                           /* 1-based line, 0 if unknown */
  int column;                         /* 1-based column, 0 if unknown */
  double t_h;                         /* simulation time of a solver failure, h */
} pk_error;

/* Resets err to "no error". err may be NULL. */
PK_API void pk_error_clear(pk_error *err);

/* The name of a status code, such as "PK_ERR_INVALID". Never NULL. */
PK_API const char *pk_status_str(pk_status status);

/* Formats err as "file:line:column: path: message" (absent parts left out)
 * into buf of size n. Returns the number of characters that the full text
 * needs, like snprintf. */
PK_API int pk_error_format(const pk_error *err, char *buf, size_t n);

/* "Did you mean": of the n candidates, the one closest to word, a name that
 * was not found (a key, product, compound, parameter or command), or NULL
 * when none is close enough to be a slip. Closeness is the edit distance
 * ignoring case, a swap of neighbouring letters counting as one edit: at
 * most a third of the longer name's length (at least 1) and less than the
 * shorter's length. Ties go to the first candidate. The result points into
 * candidates. */
PK_API const char *pk_suggest(const char *word, const char *const *candidates, size_t n);

#ifdef __cplusplus
}
#endif
#endif
