/* rng.h - libpk's random numbers: each subject's stream a function of
 * (seed, stream, index) only, so that results do not depend on threads,
 * shards or the order of subjects. */
#ifndef PK_BATCH_RNG_H
#define PK_BATCH_RNG_H

#include <gsl/gsl_rng.h>
#include <stdint.h>

/* splitmix64 step. */
uint64_t pk_splitmix64(uint64_t *state);
/* A GSL generator of libpk's own type (xoshiro256**, 64-bit seeding), NULL
 * if out of memory; reseed it with pk_rng_seed. */
gsl_rng *pk_rng_new(void);
void pk_rng_seed(gsl_rng *r, uint64_t seed, uint64_t stream, uint64_t index);

/* The streams: population draws, Latin hypercube sweeps. */
enum { PK_STREAM_POPULATION = 1, PK_STREAM_LHS = 2 };

#endif
