/* test_dataset_warnings.c - what an event dataset loads but looks like a
 * mistake (pk_dataset_warning): a reset (EVID 3, EVID 4, SS 1) that drops
 * a dose written before it at its time, named with both lines, and the
 * covariate columns that change nothing, named with the header's line.
 *
 * warnings.csv: the expected warnings (kind, line, column, texts) are
 * written out below; the trajectory confirms what the warnings say against
 * closed forms (1e-8 relative plus 1e-12 nM): the first SS 1 (compound d)
 * is gone, so C_d is exactly 0 up to 12 h except for the 10 mg IV of line
 * 15; C_p is the periodic steady state of 5 mg of p by mouth every 12 h,
 *   A(t) = u ka/(ka-k) (e^{-kt}/(1-e^{-k 12}) - e^{-ka t}/(1-e^{-ka 12})),
 * until EVID 3 at 6 h, then 4 mg of p IV at 8 h (EVID 4). A dataset with
 * 100 such resets keeps 64 warnings, the last saying that more were left
 * out. */
#include "dataset_helpers.h"

typedef struct want {
  pk_status kind;
  int line, column;
  const char *text[2];
} want;

static const want expected[] = {
    {PK_WARN_UNUSED_COLUMNS, 6, 9,
     {"covariate column WT changes nothing in the simulation", "no covariate relations"}},
    {PK_WARN_RESET_DROPS, 8, 8,
     {"the steady-state dose (SS 1, which resets first) of line 8 at TIME 0 drops the dose of "
      "line 7 (10 mg of d, SS 1) at the same time",
      "give the later steady state SS 2"}},
    {PK_WARN_RESET_DROPS, 13, 3,
     {"the reset and dose (EVID 4) of line 13 at TIME 8 drops the dose of line 12 (10 mg of d)",
      "write the reset first"}},
    {PK_WARN_RESET_DROPS, 17, 3,
     {"the reset (EVID 3) of line 17 at TIME 16 drops the dose of line 16 (a steady-state "
      "infusion of d at 2 mg/h)", NULL}},
};

static double p_ss(double mg, double t) { /* compound p: ka 0.7, V 60, CL 6, MW 300 */
  double u = 1000.0 * mg / 300.0, ka = 0.7, k = 0.1, tau = 12;
  return 1000.0 / 60 * u * ka / (ka - k) *
         (exp(-k * t) / (1 - exp(-k * tau)) - exp(-ka * t) / (1 - exp(-ka * tau)));
}

static void reset_warnings(void) {
  pk_model *m = ds_model();
  pk_dataset *d = ds_load("warnings.csv", m, NULL);
  size_t n = pk_dataset_warning_count(d), nw = sizeof expected / sizeof expected[0];
  CHECK(n == nw, "warnings: %zu warnings, expected %zu", n, nw);
  for (size_t k = 0; k < n && k < nw; k++) {
    const pk_error *w = pk_dataset_warning(d, k);
    const want *e = &expected[k];
    CHECK(w->code == e->kind && w->line == e->line && w->column == e->column,
          "warning %zu: %s at %d:%d, expected %s at %d:%d (%s)", k, pk_status_str(w->code),
          w->line, w->column, pk_status_str(e->kind), e->line, e->column, w->message);
    CHECK(strstr(w->file, "warnings.csv") != NULL, "warning %zu names file '%s'", k, w->file);
    for (int j = 0; j < 2 && e->text[j]; j++)
      CHECK(strstr(w->message, e->text[j]) != NULL, "warning %zu: '%s' lacks '%s'", k,
            w->message, e->text[j]);
  }
  CHECK(pk_dataset_warning(d, n) == NULL && pk_dataset_warning(NULL, 0) == NULL &&
            pk_dataset_warning_count(NULL) == 0,
        "warnings: out of range gives NULL and 0");
  /* what the warnings say happened */
  for (size_t s = 0; d && s < 2; s++) {
    pk_sim_options o = ds_options(20.0, 0.25, ds_solvers[s]);
    pk_trajectory **t = ds_simulate(d, &o);
    for (size_t i = 0; t && i < pk_trajectory_rows(t[0]); i++) {
      double time = unit_get(t[0], i, "time_h"), cd = 0, cp = 0;
      if (time < 6) cp = p_ss(5, time);
      else if (time >= 8 && time < 12) cp = 1000.0 / 60 * 4000.0 / 300 * exp(-0.1 * (time - 8));
      else if (time >= 12 && time < 16) cd = ds_conc(ds_iv(ds_umol(10), time - 12));
      char what[128];
      snprintf(what, sizeof what, "warnings (%s): C_d at %g h", pk_solver_name(ds_solvers[s]),
               time);
      CHECK_CLOSE(unit_get(t[0], i, "C_d"), cd, ds_rel, ds_abs, what);
      snprintf(what, sizeof what, "warnings (%s): C_p at %g h", pk_solver_name(ds_solvers[s]),
               time);
      CHECK_CLOSE(unit_get(t[0], i, "C_p"), cp, ds_rel, ds_abs, what);
    }
    pk_dataset_trajectories_free(t, 1);
  }
  pk_dataset_free(d);
  pk_model_free(m);
}

/* Datasets without a dropped dose or an unused column give no warning:
 * the resets of resets.csv drop a dose (one warning), subjects.csv has
 * covariates (one), addl.csv neither. */
static void quiet_datasets(void) {
  pk_model *m = ds_model();
  const struct {
    const char *file;
    size_t n;
    pk_status kind;
    int line;
  } cases[] = {{"addl.csv", 0, PK_OK, 0},
               {"resets.csv", 1, PK_WARN_RESET_DROPS, 10},
               {"subjects.csv", 1, PK_WARN_UNUSED_COLUMNS, 5}};
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
    pk_dataset *d = ds_load(cases[k].file, m, NULL);
    size_t n = pk_dataset_warning_count(d);
    CHECK(d && n == cases[k].n, "%s: %zu warnings, expected %zu", cases[k].file, n,
          cases[k].n);
    if (n == 1 && cases[k].n == 1)
      CHECK(pk_dataset_warning(d, 0)->code == cases[k].kind &&
                pk_dataset_warning(d, 0)->line == cases[k].line,
            "%s: warning %s at line %d (%s)", cases[k].file,
            pk_status_str(pk_dataset_warning(d, 0)->code), pk_dataset_warning(d, 0)->line,
            pk_dataset_warning(d, 0)->message);
    pk_dataset_free(d);
  }
  pk_dataset *d = ds_load("subjects.csv", m, NULL);
  const pk_error *w = pk_dataset_warning(d, 0);
  CHECK(w && strstr(w->message, "covariate columns WT, AGE, CL_CR change nothing") &&
            w->column == 9,
        "subjects.csv: the warning names WT, AGE, CL_CR at column 9: %s",
        w ? w->message : "(none)");
  pk_dataset_free(d);
  pk_model_free(m);
}

/* 100 dropped doses: 63 warnings and a last one saying that more were left out. */
static void at_most_64(void) {
  pk_model *m = ds_model();
  char *text = malloc(100 * 64 + 64);
  size_t len = (size_t)sprintf(text, "ID,TIME,EVID,AMT,CMT\n");
  for (int k = 0; k < 100; k++)
    len += (size_t)sprintf(text + len, "1,%d,1,5,1\n1,%d,3,.,.\n", k, k);
  pk_dataset *d = NULL;
  pk_error err;
  pk_status st = pk_dataset_load_text(text, len, "many.csv", m, NULL, &d, &err);
  CHECK(st == PK_OK && pk_dataset_warning_count(d) == 64, "at most 64 warnings: %s, %zu",
        pk_status_str(st), pk_dataset_warning_count(d));
  const pk_error *last = pk_dataset_warning(d, 63), *w62 = pk_dataset_warning(d, 62);
  CHECK(last && strstr(last->message, "more than 63 warnings; the rest are left out") &&
            w62 && w62->line == 2 * 62 + 3 && strstr(w62->message, "of line 126"),
        "the 63rd warning names lines 127 and 126, the 64th says more were left out");
  pk_dataset_free(d);
  free(text);
  pk_model_free(m);
}

int main(void) {
  test_init();
  reset_warnings();
  quiet_datasets();
  at_most_64();
  return test_finish("unit_dataset_warnings");
}
