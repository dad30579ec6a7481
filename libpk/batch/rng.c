/* rng.c - libpk's random numbers (rng.h): xoshiro256** as a GSL generator
 * type, seeded through splitmix64 from (seed, stream, index), so that a
 * subject's numbers depend on nothing else. */
#include <gsl/gsl_rng.h>
#include "rng.h"

uint64_t pk_splitmix64(uint64_t *state) {
  uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

typedef struct xoshiro_state {
  uint64_t s[4];
} xoshiro_state;

static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static uint64_t xoshiro_next(xoshiro_state *x) {
  uint64_t *s = x->s;
  uint64_t result = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl(s[3], 45);
  return result;
}

static void xoshiro_fill(xoshiro_state *x, uint64_t seed) {
  uint64_t sm = seed;
  for (int k = 0; k < 4; k++) x->s[k] = pk_splitmix64(&sm);
}

static void xo_set(void *vstate, unsigned long seed) { xoshiro_fill(vstate, (uint64_t)seed); }
static unsigned long xo_get(void *vstate) { return (unsigned long)(xoshiro_next(vstate) >> 32); }
static double xo_get_double(void *vstate) {
  return (double)(xoshiro_next(vstate) >> 11) * 0x1.0p-53;
}

static const gsl_rng_type XOSHIRO = {"pk-xoshiro256**", 0xffffffffUL, 0, sizeof(xoshiro_state),
                                     xo_set, xo_get, xo_get_double};

gsl_rng *pk_rng_new(void) { return gsl_rng_alloc(&XOSHIRO); }

void pk_rng_seed(gsl_rng *r, uint64_t seed, uint64_t stream, uint64_t index) {
  /* mix the three through splitmix64 so that neighbouring seeds and
   * indices give unrelated streams */
  uint64_t a = seed, b = stream * 0xD1B54A32D192ED03ULL, c = index;
  uint64_t k = pk_splitmix64(&a) ^ pk_splitmix64(&b);
  uint64_t m = k ^ pk_splitmix64(&c);
  uint64_t mm = m;
  xoshiro_fill(gsl_rng_state(r), pk_splitmix64(&mm));
}
