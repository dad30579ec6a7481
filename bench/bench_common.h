/* bench_common.h - pieces the benchmark programs share: their population
 * and the typical subject's values as the batch engine computes them. */
#ifndef PK_BENCH_COMMON_H
#define PK_BENCH_COMMON_H

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "pk/pk.h"

/* The population of the benchmarks: CL and V of mitragynine (CV 40 % and
 * 30 %, r 0.5), CL of 7-hydroxymitragynine (CV 30 %), ka of mitragynine
 * (CV 50 %); log-normal body weight, median 75 kg, CV 20 %. NULL with err
 * set on failure. */
static inline pk_population *bench_population(const pk_model *m, pk_error *err) {
  pk_population *p = pk_population_new(m);
  if (!p) return NULL;
  if (pk_population_add(p, "mitragynine.CL", log1p(0.16), err) ||
      pk_population_add(p, "mitragynine.V", log1p(0.09), err) ||
      pk_population_add(p, "7-hydroxymitragynine.CL", log1p(0.09), err) ||
      pk_population_add(p, "mitragynine.ka", log1p(0.25), err) ||
      pk_population_set_correlation(p, "mitragynine.CL", "mitragynine.V", 0.5, err) ||
      pk_population_set_weight(p, PK_WEIGHT_LOGNORMAL, 75, 0.2, err) ||
      pk_population_prepare(p, err)) {
    pk_population_free(p);
    return NULL;
  }
  return p;
}

/* The processor's name (from /proc/cpuinfo where there is one), its
 * widest vector registers, and the batch kernel's variant in use, for the
 * head of every report. */
static inline void bench_print_machine(void) {
  char name[256] = "unknown";
  FILE *f = fopen("/proc/cpuinfo", "r");
  if (f) {
    char line[1024];
    while (fgets(line, sizeof line, f))
      if (strncmp(line, "model name", 10) == 0) {
        const char *c = strchr(line, ':');
        if (c) {
          snprintf(name, sizeof name, "%s", c + 1 + (c[1] == ' '));
          name[strcspn(name, "\n")] = '\0';
        }
        break;
      }
    fclose(f);
  }
  const char *regs = "no AVX";
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f")) regs = "AVX-512 (512-bit registers, 8 doubles)";
  else if (__builtin_cpu_supports("avx2")) regs = "AVX2 (256-bit registers, 4 doubles)";
  else regs = "SSE2 (128-bit registers, 2 doubles)";
#else
  regs = "not an x86 processor";
#endif
  int lanes = 0;
  const char *isa = pk_batch_simd(&lanes);
  printf("CPU: %s; widest vector registers: %s; batch kernel in use: %s, packs of %d%s\n",
         name, regs, isa, lanes, getenv("PK_SIMD") ? " (set by PK_SIMD)" : "");
}

typedef struct bench_rows {
  double *v; /* rows x columns, malloc'd */
  size_t n;
} bench_rows;

static inline int bench_keep_first(void *ctx, const pk_subject_result *r) {
  bench_rows *k = ctx;
  if (!r->trajectory || k->v) return 0;
  k->n = pk_trajectory_rows(r->trajectory) * pk_trajectory_cols(r->trajectory);
  if (!(k->v = malloc(k->n * sizeof *k->v))) return 1;
  memcpy(k->v, pk_trajectory_data(r->trajectory), k->n * sizeof *k->v);
  return 0;
}

/* The typical subject of scenario s under options o through pk_batch_run
 * (the batch kernel on the exact path): its values into *out (free
 * out->v). */
static inline pk_status bench_batch_rows(const pk_scenario *s, pk_sim_options o,
                                         bench_rows *out, pk_error *err) {
  pk_batch_spec spec = pk_batch_spec_default();
  spec.model = pk_scenario_model(s);
  spec.regimen = pk_scenario_regimen(s);
  spec.options = o;
  pk_batch *b = NULL;
  *out = (bench_rows){0};
  pk_status st = pk_batch_new(&spec, &b, err);
  if (st != PK_OK) return st;
  pk_batch_run_options ro = pk_batch_run_options_default();
  ro.threads = 1;
  ro.want_trajectories = 1;
  ro.on_subject = bench_keep_first;
  ro.ctx = out;
  st = pk_batch_run(b, &ro, NULL, err);
  if (st == PK_OK && !out->v) {
    snprintf(err->message, sizeof err->message, "no trajectory (out of memory?)");
    st = err->code = PK_ERR_NOMEM;
  }
  pk_batch_free(b);
  return st;
}

#endif
