/* population_internal.h - what the batch engine (batch.c) needs from
 * populations and sweeps beyond their public API (pk/population.h,
 * pk/batch.h). */
#ifndef PK_BATCH_POPULATION_INTERNAL_H
#define PK_BATCH_POPULATION_INTERNAL_H

#include <gsl/gsl_rng.h>
#include <stdint.h>
#include "internal.h"
#include "pk/batch.h"
#include "target.h"

int pk_population_is_prepared(const pk_population *p);
int pk_population_compound_count(const pk_population *p);
/* pk_population_subject with the caller's generator (one per thread,
 * pk_rng_new); the subject's dose multipliers (product content) are
 * applied to *extra. */
pk_status pk_population_subject_rng(const pk_population *p, const pk_model *typical,
                                    gsl_rng *r, uint64_t seed, uint64_t index,
                                    pk_model *subject, double *values, pk_subject_extra *extra,
                                    pk_error *err);

/* A sweep is complete (every grid axis has N); the target of axis a. */
pk_status pk_sweep_check(const pk_sweep *s, pk_error *err);
const pk_target *pk_sweep_target(const pk_sweep *s, size_t a);

#endif
