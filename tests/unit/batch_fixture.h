/* batch_fixture.h - small models for the population, sweep and batch tests. */
#ifndef PK_TEST_BATCH_FIXTURE_H
#define PK_TEST_BATCH_FIXTURE_H

#include <math.h>
#include <stdio.h>
#include <string.h>
#include "pk/pk.h"

/* A one-compartment compound (MW 1000 g/mol: 1 mg = 1 umol) with V 10 L and
 * CL 2 L/h (k = 0.2/h), optionally a peripheral compartment, added to m. */
static inline int fixture_add_compound(pk_model *m, const char *id, const char *name,
                                       int periph) {
  pk_compound_params p = pk_compound_params_default();
  snprintf(p.id, sizeof p.id, "%s", id);
  snprintf(p.name, sizeof p.name, "%s", name);
  p.mw_g_per_mol = 1000;
  p.ka_per_h = 1.5;
  p.V_L = 10;
  p.CL_L_per_h = 2;
  if (periph) {
    p.n_peripheral = 1;
    p.Vp_L[0] = 40;
    p.Q_L_per_h[0] = 4;
  }
  pk_error err;
  int idx = -1;
  if (pk_model_add_compound(m, &p, &idx, &err) != PK_OK) {
    fprintf(stderr, "fixture: %s\n", err.message);
    return -1;
  }
  return idx;
}

/* Model "drug-x" (x, one compartment) and "drug-y" (y, two compartments). */
static inline pk_model *fixture_model(void) {
  pk_model *m = pk_model_new();
  if (!m || fixture_add_compound(m, "x", "drug-x", 0) != 0 ||
      fixture_add_compound(m, "y", "drug-y", 1) != 1) {
    pk_model_free(m);
    return NULL;
  }
  return m;
}

static inline double compound_param(const pk_model *m, int i, const char *key) {
  pk_compound_params p;
  pk_error err;
  if (pk_model_get_compound(m, i, &p, &err) != PK_OK) return NAN;
  if (!strcmp(key, "CL")) return p.CL_L_per_h;
  if (!strcmp(key, "V")) return p.V_L;
  if (!strcmp(key, "ka")) return p.ka_per_h;
  if (!strcmp(key, "Q1")) return p.Q_L_per_h[0];
  if (!strcmp(key, "Vp1")) return p.Vp_L[0];
  return NAN;
}

#endif
