/* The log-parameters of a large population have the mean (0) and the
 * covariance (Omega, correlations included) asked for, within sampling
 * error; log-normal body weight has its median and CV. */
#include "batch_fixture.h"
#include "check.h"

enum { N = 40000, P = 3 };

int main(void) {
  test_init();
  pk_error err;
  pk_model *m = fixture_model();
  pk_model *subj = pk_model_new();
  pk_population *pop = pk_population_new(m);
  CHECK(m && subj && pop, "setup");
  const char *names[P] = {"drug-x.CL", "x.V", "drug-y.ka"};
  const double omega[P] = {0.16, 0.09, log1p(0.5 * 0.5)}; /* the last: CV 50 % */
  for (int k = 0; k < P; k++)
    CHECK(pk_population_add(pop, names[k], omega[k], &err) == PK_OK, "add %s: %s", names[k],
          err.message);
  CHECK(pk_population_set_correlation(pop, "x.CL", "drug-x.V", 0.6, &err) == PK_OK, "%s",
        err.message);
  CHECK(pk_population_set_covariance(pop, "x.V", "y.ka", -0.03, &err) == PK_OK, "%s",
        err.message);
  CHECK(pk_population_set_weight(pop, PK_WEIGHT_LOGNORMAL, 70, 0.2, &err) == PK_OK, "%s",
        err.message);
  CHECK(pk_population_set_allometry(pop, 70, 0, 0, 0, 0, &err) == PK_OK, "%s", err.message);
  CHECK(pk_population_prepare(pop, &err) == PK_OK, "prepare: %s", err.message);
  CHECK(pk_population_value_count(pop) == 1 + P, "values: WT and %d parameters", P);
  CHECK(!strcmp(pk_population_value_name(pop, 0), "WT") &&
            !strcmp(pk_population_value_name(pop, 1), "x.CL") &&
            !strcmp(pk_population_value_name(pop, 3), "y.ka"),
        "value names");

  double typ[P] = {compound_param(m, 0, "CL"), compound_param(m, 0, "V"),
                   compound_param(m, 1, "ka")};
  static double eta[N][P], lw[N];
  for (int i = 0; i < N; i++) {
    double v[1 + P];
    if (pk_population_subject(pop, m, 12345, (uint64_t)i, subj, v, &err) != PK_OK) {
      CHECK(0, "subject %d: %s", i, err.message);
      break;
    }
    /* with zero exponents the weight scales nothing: log(P/P_typ) is eta */
    eta[i][0] = log(compound_param(subj, 0, "CL") / typ[0]);
    eta[i][1] = log(compound_param(subj, 0, "V") / typ[1]);
    eta[i][2] = log(compound_param(subj, 1, "ka") / typ[2]);
    for (int k = 0; k < P; k++) CHECK_CLOSE(v[1 + k] / (typ[k] * exp(eta[i][k])), 1, 1e-12, 0, "reported value");
    lw[i] = log(v[0]);
  }
  double mean[P] = {0}, cov[P][P] = {{0}};
  for (int i = 0; i < N; i++)
    for (int a = 0; a < P; a++) mean[a] += eta[i][a] / N;
  for (int i = 0; i < N; i++)
    for (int a = 0; a < P; a++)
      for (int b = 0; b < P; b++) cov[a][b] += (eta[i][a] - mean[a]) * (eta[i][b] - mean[b]) / (N - 1);
  for (int a = 0; a < P; a++) {
    /* 4.5 standard errors: a false alarm about once in 150 000 checks */
    double se_mean = sqrt(omega[a] / N);
    CHECK(fabs(mean[a]) < 4.5 * se_mean, "mean of eta %d = %g, expected 0 +- %g", a, mean[a],
          4.5 * se_mean);
    for (int b = 0; b < P; b++) {
      double want = pk_population_omega(pop, (size_t)a, (size_t)b);
      double se = sqrt((omega[a] * omega[b] + want * want) / N);
      CHECK(fabs(cov[a][b] - want) < 4.5 * se, "cov(eta %d, eta %d) = %g, expected %g +- %g",
            a, b, cov[a][b], want, 4.5 * se);
    }
  }
  CHECK_CLOSE(pk_population_omega(pop, 0, 1), 0.6 * sqrt(0.16 * 0.09), 1e-12, 0,
              "correlation 0.6 as a covariance");
  double mw = 0, vw = 0, s2 = log1p(0.04);
  for (int i = 0; i < N; i++) mw += lw[i] / N;
  for (int i = 0; i < N; i++) vw += (lw[i] - mw) * (lw[i] - mw) / (N - 1);
  CHECK(fabs(mw - log(70)) < 4.5 * sqrt(s2 / N), "mean log weight %g, expected ln 70 = %g",
        mw, log(70));
  CHECK(fabs(vw - s2) < 4.5 * s2 * sqrt(2.0 / N), "variance of log weight %g, expected %g", vw,
        s2);

  pk_population_free(pop);
  pk_model_free(subj);
  pk_model_free(m);
  return test_finish("unit_population_log_parameters_match_omega");
}
