/* Sweeps: grid values and order (last axis fastest, log spacing, lists),
 * Latin hypercubes with every stratum of every axis used once and the same
 * points for the same seed, and bad axes refused with what was expected. */
#include <stdlib.h>
#include "batch_fixture.h"
#include "check.h"

int main(void) {
  test_init();
  pk_error err;
  pk_model *m = fixture_model();
  pk_sweep *s = pk_sweep_new();
  CHECK(pk_sweep_add(s, m, "drug-x.CL=1:4:4", &err) == PK_OK, "%s", err.message);
  CHECK(pk_sweep_add(s, m, "y.V=1:100:3:log", &err) == PK_OK, "%s", err.message);
  CHECK(pk_sweep_add(s, m, "dose.y=0.5,2", &err) == PK_OK, "%s", err.message);
  CHECK(pk_sweep_point_count(s) == 24, "4 x 3 x 2 points, got %zu", pk_sweep_point_count(s));
  CHECK(!strcmp(pk_sweep_axis_name(s, 0), "x.CL") && !strcmp(pk_sweep_axis_name(s, 1), "y.V") &&
            !strcmp(pk_sweep_axis_name(s, 2), "dose.y"),
        "axis names");
  double v[3];
  CHECK(pk_sweep_point(s, 0, v, &err) == PK_OK && v[0] == 1 && v[1] == 1 && v[2] == 0.5, "point 0");
  pk_sweep_point(s, 1, v, &err);
  CHECK(v[0] == 1 && v[1] == 1 && v[2] == 2, "point 1: last axis fastest");
  pk_sweep_point(s, 3, v, &err);
  CHECK_CLOSE(v[1], 10, 1e-14, 0, "log spacing: 1, 10, 100");
  pk_sweep_point(s, 23, v, &err);
  CHECK(v[0] == 4 && v[1] == 100 && v[2] == 2, "last point is the upper corner");
  pk_sweep_point(s, 6, v, &err);
  CHECK(v[0] == 2, "point 6: CL 2");
  CHECK(pk_sweep_point(s, 24, v, &err) == PK_ERR_RANGE, "point 24 out of range");
  pk_sweep_free(s);

  /* Latin hypercube */
  enum { N = 97 };
  pk_sweep *a = pk_sweep_new(), *b = pk_sweep_new();
  for (int k = 0; k < 2; k++) {
    pk_sweep *t = k ? b : a;
    CHECK(pk_sweep_add(t, m, "x.CL=1:5:7", &err) == PK_OK, "%s", err.message);
    CHECK(pk_sweep_add(t, m, "k_tol=0.001:0.1:log", &err) == PK_OK, "%s", err.message);
    CHECK(pk_sweep_add(t, m, "dose=0:2", &err) == PK_OK, "%s", err.message);
    CHECK(pk_sweep_set_lhs(t, N, 2024, &err) == PK_OK, "%s", err.message);
  }
  CHECK(pk_sweep_point_count(a) == N, "lhs points");
  int used[3][N] = {{0}};
  for (size_t i = 0; i < N; i++) {
    double p[3], q[3];
    pk_sweep_point(a, i, p, &err);
    pk_sweep_point(b, i, q, &err);
    CHECK(memcmp(p, q, sizeof p) == 0, "same seed, same point %zu", i);
    double u[3] = {(p[0] - 1) / 4, log(p[1] / 0.001) / log(100), p[2] / 2};
    for (int d = 0; d < 3; d++) {
      int st = (int)floor(u[d] * N);
      CHECK(st >= 0 && st < N, "in range");
      if (st >= 0 && st < N) used[d][st]++;
    }
  }
  for (int d = 0; d < 3; d++)
    for (int k = 0; k < N; k++) CHECK(used[d][k] == 1, "axis %d stratum %d used %d times", d, k, used[d][k]);
  pk_sweep *c = pk_sweep_new();
  pk_sweep_add(c, m, "x.CL=1:5", &err);
  pk_sweep_set_lhs(c, N, 2025, &err);
  double p0[1], q0[3];
  pk_sweep_point(c, 0, p0, &err);
  pk_sweep_point(a, 0, q0, &err);
  CHECK(p0[0] != q0[0], "another seed, other points");
  pk_sweep_free(a);
  pk_sweep_free(b);
  pk_sweep_free(c);

  /* bad axes */
  struct { const char *text, *expect; } bad[] = {
      {"x.CL", "expected NAME=VALUES"},
      {"z.CL=1:2:3", "no compound 'z' in the model files"},
      {"x.Vp1=1:2:3", "compound 'drug-x' has no parameter Vp1"},
      {"x.CLx=1:2:3", "unknown parameter 'CLx'"},
      {"x.CL=1:2:0", "N must be a whole number of points"},
      {"x.CL=2:1:3", "expected LO <= HI"},
      {"x.CL=0:1:3:log", "a log scale needs LO > 0"},
      {"x.CL=1,a,3", "value 2 is not a finite number"},
      {"dose.q=1,2", "no compound 'q'"},
      {"cheese=1,2", "expected <compound>.<KEY>"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    pk_sweep *t = pk_sweep_new();
    CHECK(pk_sweep_add(t, m, bad[i].text, &err) != PK_OK && strstr(err.message, bad[i].expect),
          "'%s' refused with '%s', got '%s'", bad[i].text, bad[i].expect, err.message);
    pk_sweep_free(t);
  }
  pk_sweep *t = pk_sweep_new();
  pk_sweep_add(t, m, "x.CL=1,2", &err);
  CHECK(pk_sweep_set_lhs(t, 10, 1, &err) != PK_OK && strstr(err.message, "not a list"),
        "lhs over a list refused: %s", err.message);
  pk_sweep_free(t);
  pk_model_free(m);
  return test_finish("unit_sweep_grid_order_and_latin_hypercube_strata");
}
