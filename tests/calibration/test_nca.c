/* test_nca.c - pk_nca_compute against closed forms: a sampled mono-exponential
 * (where the log-down rule is exact), a Bateman curve (where the error follows
 * from the sampling step), a simulated IV bolus, and every rejected input. */
#include <math.h>
#include <string.h>
#include "check.h"
#include "pk/pk.h"

enum { MAX_SAMPLES = 4096 };

/* c = c0 exp(-k t) sampled every h from 0 to t_end: the log rule is exact on
 * every falling interval, so only rounding separates the result from the
 * closed forms AUC(0,T) = c0 (1 - exp(-k T)) / k, AUCinf = c0 / k. */
static void test_mono_exponential(void) {
  const double c0 = 120.0, k = log(2.0) / 7.0, h = 0.5, t_end = 48.0;
  double t[MAX_SAMPLES], c[MAX_SAMPLES];
  size_t n = 0;
  for (double ti = 0.0; ti <= t_end + 1e-9; ti += h, n++) {
    t[n] = ti;
    c[n] = c0 * exp(-k * ti);
  }
  pk_nca_result r;
  pk_error err;
  CHECK(pk_nca_compute(t, c, n, 12.0, 48.0, &r, &err) == PK_OK, "%s", err.message);
  CHECK_CLOSE(r.cmax, c0, 0, 0, "mono-exponential Cmax");
  CHECK_CLOSE(r.tmax_h, 0.0, 0, 0, "mono-exponential Tmax");
  CHECK_CLOSE(r.tlast_h, t_end, 0, 1e-9, "mono-exponential tlast");
  CHECK_CLOSE(r.auc_last, c0 * (1 - exp(-k * t_end)) / k, 1e-12, 0, "mono-exponential AUClast");
  CHECK_CLOSE(r.lambda_z_per_h, k, 1e-12, 0, "mono-exponential lambda_z");
  CHECK_CLOSE(r.t_half_h, 7.0, 1e-12, 0, "mono-exponential t1/2");
  CHECK_CLOSE(r.auc_inf, c0 / k, 1e-12, 0, "mono-exponential AUCinf");
  CHECK_CLOSE(r.lambda_r2, 1.0, 1e-12, 0, "mono-exponential r2");
  CHECK(r.lambda_n == 73, "window [12, 48] h every 0.5 h holds 73 samples, got %zu",
        r.lambda_n);

  /* A trailing sample below the limit of quantification (0) ends the area at
   * the last positive sample, as in a study. */
  t[n] = t_end + h;
  c[n] = 0.0;
  CHECK(pk_nca_compute(t, c, n + 1, 12.0, 60.0, &r, &err) == PK_OK, "%s", err.message);
  CHECK_CLOSE(r.tlast_h, t_end, 0, 1e-9, "tlast before a trailing zero");
  CHECK_CLOSE(r.auc_inf, c0 / k, 1e-12, 0, "AUCinf with a trailing zero");
}

/* Bateman curve c = A (exp(-ke t) - exp(-ka t)) sampled every h:
 *   Tmax  the sampled maximum brackets the true peak t*, so |Tmax - t*| < h;
 *   Cmax  c(t*) - c(t* +- h) <= |c''(t*)| h^2 / 2, and c''(t*) = A ke e^(-ke t*) (ke - ka);
 *   AUC   the trapezoid error is at most h^2/12 int |c''| dt <= h^2 A (ka + ke) / 12 on the
 *         rising part; the log rule's error on the falling part is at most
 *         h^2/12 int |c'' - c'^2/c| dt <= h^2/12 A (ke + ke / (1 - exp(-(ka - ke) t*)));
 *   lambda_z  over [24, 72] h the exp(-ka t) term is below 1e-14 of the other, so the
 *         fitted slope is ke to rounding. */
static void test_bateman(void) {
  const double A = 100.0, ka = 1.5, ke = 0.1, h = 0.05, t_end = 72.0;
  double t[MAX_SAMPLES], c[MAX_SAMPLES];
  size_t n = 0;
  for (size_t i = 0; (double)i * h <= t_end + 1e-9; i++, n++) {
    t[n] = (double)i * h;
    c[n] = A * (exp(-ke * t[n]) - exp(-ka * t[n]));
  }
  const double t_peak = log(ka / ke) / (ka - ke);
  const double c_peak = A * (exp(-ke * t_peak) - exp(-ka * t_peak));
  const double curv = A * ke * exp(-ke * t_peak) * (ka - ke);
  const double auc_tol =
      h * h / 12.0 * A * (ka + ke + ke / (1.0 - exp(-(ka - ke) * t_peak)));
  pk_nca_result r;
  pk_error err;
  CHECK(pk_nca_compute(t, c, n, 24.0, 72.0, &r, &err) == PK_OK, "%s", err.message);
  CHECK_CLOSE(r.tmax_h, t_peak, 0, h, "Bateman Tmax");
  CHECK(r.cmax <= c_peak, "sampled Cmax %g above the true peak %g", r.cmax, c_peak);
  CHECK_CLOSE(r.cmax, c_peak, 0, curv * h * h / 2.0, "Bateman Cmax");
  CHECK_CLOSE(r.lambda_z_per_h, ke, 1e-10, 0, "Bateman lambda_z");
  CHECK_CLOSE(r.t_half_h, log(2.0) / ke, 1e-10, 0, "Bateman t1/2");
  const double auc_last = A * ((1 - exp(-ke * t_end)) / ke - (1 - exp(-ka * t_end)) / ka);
  CHECK_CLOSE(r.auc_last, auc_last, 0, auc_tol, "Bateman AUClast");
  CHECK_CLOSE(r.auc_inf, A * (1 / ke - 1 / ka), 0, auc_tol, "Bateman AUCinf");
}

/* An IV bolus into a one-compartment model, simulated and analysed through
 * the trajectory: C = 1000 D / (MW V) exp(-CL/V t) nM. */
static void test_simulated_column(void) {
  pk_compound_params p = pk_compound_params_default();
  strcpy(p.id, "x");
  strcpy(p.name, "test-compound");
  p.mw_g_per_mol = 300.0;
  p.ka_per_h = 1.0;
  p.V_L = 50.0;
  p.CL_L_per_h = 5.0;
  pk_error err;
  pk_model *m = pk_model_new();
  pk_regimen *rg = pk_regimen_new();
  pk_trajectory *tr = NULL;
  CHECK(pk_model_add_compound(m, &p, NULL, &err) == PK_OK, "%s", err.message);
  CHECK(pk_regimen_add_dose(rg, 0, PK_ROUTE_IV, 0.0, 30.0, &err) == PK_OK, "%s", err.message);
  pk_sim_options o = pk_sim_options_default();
  o.t_end_h = 48.0;
  o.output_step_h = 0.25;
  CHECK(pk_simulate(m, rg, &o, &tr, &err) == PK_OK, "%s", err.message);
  pk_nca_result r;
  CHECK(pk_nca_compute_column(tr, "C_x", 8.0, 48.0, &r, &err) == PK_OK, "%s", err.message);
  const double dose_umol = 1000.0 * 30.0 / 300.0, k = 5.0 / 50.0;
  CHECK_CLOSE(r.cmax, 1000.0 * dose_umol / 50.0, 1e-9, 0, "IV bolus Cmax");
  CHECK_CLOSE(r.t_half_h, log(2.0) / k, 1e-8, 0, "IV bolus t1/2");
  CHECK_CLOSE(r.auc_inf, 1000.0 * dose_umol / 5.0, 1e-8, 0, "IV bolus AUCinf = D / CL");
  CHECK(pk_nca_compute_column(tr, "C_nothing", 8.0, 48.0, &r, &err) == PK_ERR_INVALID &&
            strstr(err.message, "C_nothing"),
        "a missing column is named in the error, got '%s'", err.message);
  pk_trajectory_free(tr);
  pk_regimen_free(rg);
  pk_model_free(m);
}

/* Each bad input fails with PK_ERR_INVALID and a message containing `needle`. */
static void expect_invalid(const double *t, const double *c, size_t n, double from, double to,
                           const char *needle, const char *what) {
  pk_nca_result r;
  pk_error err;
  pk_status st = pk_nca_compute(t, c, n, from, to, &r, &err);
  CHECK(st == PK_ERR_INVALID && err.code == PK_ERR_INVALID && strstr(err.message, needle),
        "%s: got %s '%s', expected a message with '%s'", what, pk_status_str(st), err.message,
        needle);
}

static void test_rejected_inputs(void) {
  const double t[] = {0, 1, 2, 4, 8};
  const double c[] = {0, 10, 8, 4, 1};
  const double unsorted[] = {0, 2, 1, 4, 8}, repeated[] = {0, 1, 1, 4, 8};
  const double t_nan[] = {0, 1, NAN, 4, 8}, c_neg[] = {0, 10, -1, 4, 1};
  const double c_inf[] = {0, 10, INFINITY, 4, 1}, zeros[] = {0, 0, 0, 0, 0};
  const double rising[] = {0, 1, 2, 3, 4};
  expect_invalid(NULL, c, 5, 1, 8, "no time", "NULL times");
  expect_invalid(t, NULL, 5, 1, 8, "no time", "NULL concentrations");
  expect_invalid(t, c, 1, 1, 8, "at least 2", "one sample");
  expect_invalid(unsorted, c, 5, 1, 8, "increase strictly", "unsorted times");
  expect_invalid(repeated, c, 5, 1, 8, "increase strictly", "repeated time");
  expect_invalid(t_nan, c, 5, 1, 8, "not finite", "NaN time");
  expect_invalid(t, c_neg, 5, 1, 8, ">= 0", "negative concentration");
  expect_invalid(t, c_inf, 5, 1, 8, "finite", "infinite concentration");
  expect_invalid(t, zeros, 5, 1, 8, "above 0", "all zero");
  expect_invalid(t, c, 5, 4, 8, "at least 3", "two samples in the window");
  expect_invalid(t, c, 5, 8, 4, "start < end", "reversed window");
  expect_invalid(t, c, 5, NAN, 8, "finite", "NaN window");
  expect_invalid(t, rising, 5, 1, 8, "do not decline", "rising terminal phase");
  pk_error err;
  CHECK(pk_nca_compute(t, c, 5, 1, 8, NULL, &err) == PK_ERR_INVALID, "NULL result");
  /* err may be NULL, as everywhere in the library. */
  pk_nca_result r;
  CHECK(pk_nca_compute(t, c, 1, 1, 8, &r, NULL) == PK_ERR_INVALID, "NULL error object");
}

int main(void) {
  test_init();
  test_mono_exponential();
  test_bateman();
  test_simulated_column();
  test_rejected_inputs();
  return test_finish("calibration_nca");
}
