/* A subject depends only on (seed, index): drawing in any order gives the
 * same subject, other seeds and indices give other subjects, and the batch
 * engine's rows are the same for 1, 2 or 3 threads and for any sharding. */
#include <stdlib.h>
#include "batch_fixture.h"
#include "check.h"

enum { N = 50 };

typedef struct rows {
  char *text[N];
  size_t count;
} rows;

static const pk_batch *g_batch;

static int keep_row(void *ctx, const pk_subject_result *r) {
  rows *rs = ctx;
  char buf[4096];
  pk_batch_format_row(g_batch, r, buf, sizeof buf);
  if (r->index >= N || rs->text[r->index]) return 1;
  rs->text[r->index] = strdup(buf);
  rs->count++;
  return 0;
}

static void release(rows *r) {
  for (int i = 0; i < N; i++) free(r->text[i]);
  memset(r, 0, sizeof *r);
}

int main(void) {
  test_init();
  pk_error err;
  pk_model *m = fixture_model(), *s = pk_model_new();
  pk_population *pop = pk_population_new(m);
  pk_regimen *reg = pk_regimen_new();
  CHECK(m && s && pop && reg, "setup");
  CHECK(pk_population_add(pop, "x.CL", 0.1, &err) == PK_OK, "%s", err.message);
  CHECK(pk_population_add(pop, "y.V", 0.2, &err) == PK_OK, "%s", err.message);
  CHECK(pk_population_set_correlation(pop, "x.CL", "y.V", -0.3, &err) == PK_OK, "%s", err.message);
  CHECK(pk_population_set_weight(pop, PK_WEIGHT_LOGNORMAL, 80, 0.25, &err) == PK_OK, "%s", err.message);
  CHECK(pk_population_prepare(pop, &err) == PK_OK, "%s", err.message);

  double fwd[N][3], v[3];
  for (int i = 0; i < N; i++)
    CHECK(pk_population_subject(pop, m, 42, (uint64_t)i, s, fwd[i], &err) == PK_OK, "%s", err.message);
  for (int i = N - 1; i >= 0; i--) {
    pk_population_subject(pop, m, 42, (uint64_t)i, s, v, &err);
    CHECK(memcmp(v, fwd[i], sizeof v) == 0, "subject %d drawn backwards differs", i);
  }
  for (int k = 0; k < N; k++) {
    int i = (k * 17) % N; /* a permutation */
    pk_population_subject(pop, m, 42, (uint64_t)i, s, v, &err);
    CHECK(memcmp(v, fwd[i], sizeof v) == 0, "subject %d drawn out of order differs", i);
  }
  pk_population_subject(pop, m, 43, 0, s, v, &err);
  CHECK(v[0] != fwd[0][0] && v[1] != fwd[0][1], "seed 43 gives another subject 0");
  CHECK(fwd[1][1] != fwd[0][1] && fwd[2][1] != fwd[1][1], "indices give different subjects");
  /* a far index is as good as a near one: no 32-bit truncation */
  double a[3], b[3];
  pk_population_subject(pop, m, 42, 5, s, a, &err);
  pk_population_subject(pop, m, 42, 5 + (1ULL << 32), s, b, &err);
  CHECK(a[1] != b[1], "index 5 and 5 + 2^32 differ");
  pk_population_subject(pop, m, 42 + (1ULL << 32), 5, s, b, &err);
  CHECK(a[1] != b[1], "seed 42 and 42 + 2^32 differ");

  /* the engine */
  CHECK(pk_regimen_add_dose(reg, 0, PK_ROUTE_IV, 0, 100, &err) == PK_OK, "%s", err.message);
  CHECK(pk_regimen_add_dose(reg, 1, PK_ROUTE_ORAL, 12, 50, &err) == PK_OK, "%s", err.message);
  pk_batch_spec spec = pk_batch_spec_default();
  spec.model = m;
  spec.regimen = reg;
  spec.options.t_end_h = 48;
  spec.options.output_step_h = 0.5;
  spec.population = pop;
  spec.n_subjects = N;
  spec.seed = 42;
  pk_batch *batch = NULL;
  CHECK(pk_batch_new(&spec, &batch, &err) == PK_OK, "batch: %s", err.message);
  g_batch = batch;
  rows ref = {0};
  pk_batch_run_options o = pk_batch_run_options_default();
  o.threads = 1;
  o.on_subject = keep_row;
  o.ctx = &ref;
  pk_batch_report rep;
  CHECK(pk_batch_run(batch, &o, &rep, &err) == PK_OK && ref.count == N && rep.done == N &&
            !rep.stopped && rep.failed == 0,
        "one thread: %zu rows", ref.count);
  /* the population columns are the drawn values */
  CHECK(strstr(ref.text[3], "ok,") != NULL, "row 3 ok");
  char want[64];
  snprintf(want, sizeof want, "3,ok,%.12g,", fwd[3][0]);
  CHECK(strncmp(ref.text[3], want, strlen(want)) == 0, "row 3 starts with its weight: %s", ref.text[3]);

  struct { int threads; size_t shards; int interleaved; } cases[] = {
      {2, 1, 0}, {3, 1, 0}, {2, 3, 0}, {1, 4, 1}, {3, 7, 1}, {2, 60, 0}};
  for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
    rows got = {0};
    o.threads = cases[c].threads;
    o.ctx = &got;
    o.shard_count = cases[c].shards;
    o.shard_interleaved = cases[c].interleaved;
    size_t prev = 0;
    for (size_t k = 0; k < cases[c].shards; k++) {
      o.shard_index = k;
      CHECK(pk_batch_run(batch, &o, &rep, &err) == PK_OK, "%s", err.message);
      CHECK(got.count - prev == rep.total, "shard %zu: %zu rows for %zu subjects", k,
            got.count - prev, rep.total);
      prev = got.count;
    }
    CHECK(got.count == N, "case %zu: %zu rows", c, got.count);
    for (int i = 0; i < N; i++)
      CHECK(got.text[i] && strcmp(got.text[i], ref.text[i]) == 0,
            "case %zu (%d threads, %zu shards%s): row %d differs", c, cases[c].threads,
            cases[c].shards, cases[c].interleaved ? ", interleaved" : "", i);
    release(&got);
  }
  release(&ref);
  pk_batch_free(batch);
  pk_regimen_free(reg);
  pk_population_free(pop);
  pk_model_free(s);
  pk_model_free(m);
  return test_finish("unit_population_subject_depends_only_on_seed_and_index");
}
