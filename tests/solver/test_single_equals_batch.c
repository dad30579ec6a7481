/* test_single_equals_batch.c - one engine: a subject simulated on its own
 * (pk_simulate, as pk simulate and the taper optimiser run it) gets the
 * same numbers, bit for bit, as the same subject in a population run
 * (pk_batch_run on two threads, packs of the machine's width), on every
 * shipped scenario: the batch kernel's subjects because pk_simulate's exact
 * path runs them in the same kernel, alone in a pack (a lane's values do
 * not depend on the other lanes); the others because the batch runs them
 * through pk_simulate. The test also reports how many subjects the kernel
 * took, so that it is known to cover both kinds. */
#include <stdlib.h>
#include <string.h>
#include "scenarios.h"

enum { NSUB = 12 };

typedef struct kept {
  double *v[NSUB];
  size_t n[NSUB];
  int ok[NSUB];
} kept;

static int on_subject(void *ctx, const pk_subject_result *r) {
  kept *k = ctx;
  if (r->index >= NSUB) return 1;
  k->ok[r->index] = r->status == PK_OK && r->trajectory;
  if (!k->ok[r->index]) return 0;
  size_t n = pk_trajectory_rows(r->trajectory) * pk_trajectory_cols(r->trajectory);
  k->v[r->index] = malloc(n * sizeof(double));
  if (!k->v[r->index]) return 1;
  memcpy(k->v[r->index], pk_trajectory_data(r->trajectory), n * sizeof(double));
  k->n[r->index] = n;
  return 0;
}

static void check_scenario(const pk_scenario *s, const char *name) {
  pk_error err;
  const pk_model *typ = pk_scenario_model(s);
  pk_population *pop = pk_population_new(typ);
  for (int c = 0; c < pk_model_compound_count(typ); c++) {
    pk_compound_params cp;
    pk_model_get_compound(typ, c, &cp, &err);
    char key[160];
    snprintf(key, sizeof key, "%s.CL", cp.id);
    CHECK(pk_population_add(pop, key, log1p(0.09), &err) == PK_OK, "%s: %s", key, err.message);
    snprintf(key, sizeof key, "%s.V", cp.id);
    CHECK(pk_population_add(pop, key, log1p(0.04), &err) == PK_OK, "%s: %s", key, err.message);
  }
  CHECK(pk_population_prepare(pop, &err) == PK_OK, "%s: population: %s", name, err.message);
  pk_batch_spec spec = pk_batch_spec_default();
  spec.model = typ;
  spec.regimen = pk_scenario_regimen(s);
  spec.options = pk_scenario_options(s);
  spec.population = pop;
  spec.n_subjects = NSUB;
  pk_batch *b = NULL;
  kept k = {0};
  pk_batch_report rep = {0};
  CHECK(pk_batch_new(&spec, &b, &err) == PK_OK, "%s: batch: %s", name, err.message);
  if (b) {
    pk_batch_run_options o = pk_batch_run_options_default();
    o.threads = 2;
    o.want_trajectories = 1;
    o.on_subject = on_subject;
    o.ctx = &k;
    CHECK(pk_batch_run(b, &o, &rep, &err) == PK_OK && rep.done == NSUB, "%s: run: %s", name,
          err.message);
  }
  pk_model *m = pk_model_new();
  int same = 0;
  for (size_t i = 0; i < NSUB; i++) {
    pk_trajectory *t = NULL;
    CHECK(k.ok[i], "%s: subject %zu failed in the batch", name, i);
    CHECK(pk_population_subject(pop, typ, spec.seed, i, m, NULL, &err) == PK_OK &&
              pk_simulate(m, spec.regimen, &spec.options, &t, &err) == PK_OK,
          "%s: subject %zu alone: %s", name, i, err.message);
    if (t && k.ok[i]) {
      size_t n = pk_trajectory_rows(t) * pk_trajectory_cols(t);
      int eq = n == k.n[i] && memcmp(pk_trajectory_data(t), k.v[i], n * sizeof(double)) == 0;
      CHECK(eq, "%s: subject %zu: pk_simulate and pk_batch_run give different numbers", name,
            i);
      same += eq;
    }
    pk_trajectory_free(t);
    free(k.v[i]);
  }
  printf("%-38s %2d of %d subjects identical (%zu of them in the batch kernel)\n", name, same,
         NSUB, rep.kernel);
  pk_model_free(m);
  pk_batch_free(b);
  pk_population_free(pop);
}

int main(void) {
  test_init();
  int lanes = 0;
  const char *isa = pk_batch_simd(&lanes);
  printf("batch kernel: %s, packs of %d\n", isa, lanes);
  int n = for_each_scenario(check_scenario);
  CHECK(n >= 5, "only %d scenarios", n);
  return test_finish("solver_single_subject_equals_batch_subject");
}
