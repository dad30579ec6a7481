/* test_parameter_ranges.c - a compound parameter outside its documented
 * range (docs/model-format.md, "Ranges") is refused by
 * pk_model_add_compound and pk_model_set_compound with PK_ERR_INVALID, a
 * message naming the parameter's file key, the compound, the range and the
 * value, and err.path set to the key; values at the bounds are accepted.
 *
 * Refused: V 4.9e-324 L (subnormal: CL / V and 1000 / V overflow to inf,
 * once reported as "the model is too stiff" without naming V), V 1e-7 and
 * 2e8 L, Vp1 5e-324 L, CL 2e9 L/h, Q1 1.5e9 L/h, ka 2e6 and 1e-310 /h
 * (subnormal), ke0 2e6 /h, MW 0.5 g/mol, K 1e-320 nM (subnormal), fu
 * 1e-310. Accepted: V 1e-6 and 1e8 L, CL 1e9 and 0 L/h, ka 1e6 /h. With V
 * 1e-6 L and CL 1e9 L/h (the fastest rate the ranges allow, 1e15 /h) every
 * entry of the compiled rate matrix is finite. */
#include <string.h>
#include "system.h"
#include "unit_helpers.h"

/* A two-compartment ligand: MW 400, ka 1 /h, V 50 L, CL 10 L/h, Vp1 100 L,
 * Q1 5 L/h, ke0 2 /h, fu 0.5, K 10 nM, tau 3. */
static pk_compound_params base(void) {
  pk_compound_params p = unit_compound("lig", 400.0, 1.0, 50.0, 10.0);
  p.n_peripheral = 1;
  p.Vp_L[0] = 100.0;
  p.Q_L_per_h[0] = 5.0;
  unit_ligand(&p, 2.0, 0.5, 10.0, 3.0);
  return p;
}

#define FIELD(f) offsetof(pk_compound_params, f)

typedef struct bad_case {
  const char *key;
  size_t off;
  double value;
  const char *text; /* expected in the message */
} bad_case;

static void set(pk_compound_params *p, size_t off, double x) {
  memcpy((char *)p + off, &x, sizeof x);
}

int main(void) {
  test_init();
  static const bad_case bad[] = {
      {"V", FIELD(V_L), 4.9e-324, "V of compound 'lig' must be a finite number in [1e-06, 1e+08] L, got 4.94066e-324"},
      {"V", FIELD(V_L), 1e-7, "V of compound 'lig' must be a finite number in [1e-06, 1e+08] L, got 1e-07"},
      {"V", FIELD(V_L), 2e8, "in [1e-06, 1e+08] L, got 2e+08"},
      {"Vp1", FIELD(Vp_L), 5e-324, "Vp1 of compound 'lig' must be a finite number in [1e-06, 1e+08] L"},
      {"CL", FIELD(CL_L_per_h), 2e9, "CL of compound 'lig' must be a finite number in [0, 1e+09] L/h, got 2e+09"},
      {"Q1", FIELD(Q_L_per_h), 1.5e9, "Q1 of compound 'lig' must be a finite number in [0, 1e+09] L/h"},
      {"ka", FIELD(ka_per_h), 2e6, "ka of compound 'lig' must be a finite, normal number in (0, 1e+06] 1/h, got 2e+06"},
      {"ka", FIELD(ka_per_h), 1e-310, "ka of compound 'lig' must be a finite, normal number in (0, 1e+06] 1/h, got 1e-310"},
      {"ke0", FIELD(ke0_per_h), 2e6, "ke0 of compound 'lig' must be a finite, normal number in (0, 1e+06] 1/h"},
      {"MW", FIELD(mw_g_per_mol), 0.5, "MW of compound 'lig' must be a finite number in [1, 1e+07] g/mol, got 0.5"},
      {"K", FIELD(K_nM), 1e-320, "K of compound 'lig' must be a finite, normal number > 0 nM"},
      {"fu", FIELD(fu), 1e-310, "fu of compound 'lig' must be a finite, normal number in (0, 1]"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    pk_compound_params p = base();
    set(&p, bad[i].off, bad[i].value);
    pk_model *m = pk_model_new();
    pk_error err;
    pk_status st = pk_model_add_compound(m, &p, NULL, &err);
    printf("%s = %g: %s: %s: %s\n", bad[i].key, bad[i].value, pk_status_str(st), err.path,
           err.message);
    CHECK(st == PK_ERR_INVALID, "%s = %g: add returned %s, expected PK_ERR_INVALID",
          bad[i].key, bad[i].value, pk_status_str(st));
    CHECK(strstr(err.message, bad[i].text) != NULL, "%s = %g: message '%s' lacks '%s'",
          bad[i].key, bad[i].value, err.message, bad[i].text);
    CHECK(strcmp(err.path, bad[i].key) == 0, "%s = %g: path '%s', expected the key",
          bad[i].key, bad[i].value, err.path);
    /* the same through pk_model_set_compound (datasets, populations, sweeps) */
    pk_compound_params ok = base();
    CHECK(pk_model_add_compound(m, &ok, NULL, &err) == PK_OK, "base: %s", err.message);
    st = pk_model_set_compound(m, 0, &p, &err);
    CHECK(st == PK_ERR_INVALID && strstr(err.message, bad[i].text) != NULL,
          "%s = %g: set returned %s (%s)", bad[i].key, bad[i].value, pk_status_str(st),
          err.message);
    pk_model_free(m);
  }

  /* the bounds themselves, and the stiffest model they allow */
  static const struct {
    size_t off;
    double value;
  } good[] = {{FIELD(V_L), 1e-6}, {FIELD(V_L), 1e8}, {FIELD(CL_L_per_h), 1e9},
              {FIELD(CL_L_per_h), 0.0}, {FIELD(ka_per_h), 1e6}};
  for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
    pk_compound_params p = base();
    set(&p, good[i].off, good[i].value);
    pk_model *m = pk_model_new();
    pk_error err;
    CHECK(pk_model_add_compound(m, &p, NULL, &err) == PK_OK, "bound %g accepted: %s",
          good[i].value, err.message);
    pk_model_free(m);
  }
  pk_compound_params p = base();
  p.V_L = 1e-6;
  p.CL_L_per_h = 1e9;
  p.Q_L_per_h[0] = 1e9;
  p.Vp_L[0] = 1e-6;
  pk_model *m = pk_model_new();
  pk_error err;
  CHECK(pk_model_add_compound(m, &p, NULL, &err) == PK_OK, "stiffest: %s", err.message);
  pk_system s;
  const pk_regimen *none[1] = {NULL};
  CHECK(pk_system_init(&s, m, none, 1, 0, &err) == PK_OK, "system: %s", err.message);
  int finite = 1;
  double fastest = 0.0;
  for (int i = 0; i < s.n_lin * s.n_lin; i++) {
    finite &= isfinite(s.A[i]);
    fastest = fmax(fastest, fabs(s.A[i]));
  }
  CHECK(finite, "the stiffest allowed model has a non-finite rate");
  CHECK(fastest <= 3.1e15, "fastest rate %g 1/h, expected at most (CL + Q) / V = 2e15", fastest);
  pk_system_release(&s);
  pk_model_free(m);
  return test_finish("unit_compound_parameter_outside_range_named");
}
