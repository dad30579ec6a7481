/* test_pet_buprenorphine.c - mu-opioid receptor occupancy by buprenorphine
 * against human PET (../shared/reference/human-data-v2.md, part A).
 *
 * Design (Greenwald MK et al. Neuropsychopharmacology 2003;28:2000-2009,
 * abstract): heroin-dependent volunteers maintained in turn on 32, 16 and
 * 2 mg/day sublingual buprenorphine tablets; [11C]carfentanil PET, whole-
 * brain availability decreased by 41 +/- 8, 80 +/- 2 and 84 +/- 2 % (mean
 * +/- SEM, n = 5); peak plasma buprenorphine 0.5-1, 5-6 and 13-14 ng/mL.
 * Modelled: once-daily sublingual films (bup-sl-film-*.json; tablet taken
 * equal to film) at steady state, occupancy 4 h after the dose (the scan
 * time of the pilot study, Zubieta 2000: 36-50 % at 2 mg and 79-95 % at
 * 16 mg). Pass band: mean +/- one between-subject SD (SEM x sqrt 5).
 * FITTED: buprenorphine K = koff/kon (buprenorphine.json kon) was chosen
 * for these three occupancies. PREDICTION: the peak plasma concentrations
 * (the disposition and sublingual F were calibrated to other data; stated
 * tolerance 25 % around the reported range, since sublingual F varies
 * 14-51 % and falls with dose) and the trough thresholds of the review
 * Greenwald MK, Comer SD, Fiellin DA. Drug Alcohol Depend 2014;144:1-11:
 * withdrawal suppression needs about 50 % occupancy, reached with trough
 * plasma buprenorphine >= 1 ng/mL (single daily doses of about 4 mg);
 * blockade needs > 80 %, trough >= 3 ng/mL (daily doses > 16 mg). Stated
 * tolerance: the model's 50 % trough concentration within 1 ng/mL within a factor 1.5,
 * its 80 % one within 3 ng/mL within a factor 1.5, read off the daily doses simulated.
 * DEVIATION (printed, not checked): the daily dose that gives those troughs
 * (the model needs about 12-16 mg for a 1 ng/mL trough, not 4 mg).
 * The model has one receptor population with slope-1 binding and an
 * effect-site delay (ke0), no regional heterogeneity and no
 * norbuprenorphine (docs/pd-model.md). */
#include "validation.h"

static const double NG_PER_NMOL = 0.46764; /* buprenorphine MW 467.64 g/mol */

typedef struct point {
  double mg, occ4h, occ_trough, c_trough, c_peak; /* ng/mL */
} point;

static point simulate(double mg) {
  /* 2 mg films below 8 mg, 8 mg films from 8 mg */
  const char *product = mg < 8 ? "bup-sl-film-2mg" : "bup-sl-film-8mg";
  double units = mg < 8 ? mg / 2 : mg / 8;
  pk_trajectory *t = v_run("{\"name\": \"bup %g mg\", \"model\": [\"compounds/buprenorphine.json\", "
      "\"receptors/mu-opioid.json\", \"products/%s.json\"],"
      "\"steady_state\": {\"dosing\": [{\"product\": \"%s\", \"dose_units\": %g, "
      "\"times_of_day_h\": [9]}]},"
      "\"dosing\": [{\"product\": \"%s\", \"dose_units\": %g, \"times_of_day_h\": [9], "
      "\"days\": [1, 1]}], \"output\": {\"duration_days\": 1, \"step_h\": 0.05}}",
      mg, product, product, units, product, units);
  point p = {mg, NAN, NAN, NAN, NAN};
  if (!t) return p;
  /* 9 h: the dose has just entered its depot (trough); 13 h: 4 h after */
  for (size_t i = 0; i < pk_trajectory_rows(t); i++) {
    double th = v_get(t, i, "time_h");
    if (fabs(th - 9.0) < 1e-9)
      p.occ_trough = v_get(t, i, "occ"), p.c_trough = v_get(t, i, "C_bup") * NG_PER_NMOL;
    if (fabs(th - 13.0) < 1e-9) p.occ4h = v_get(t, i, "occ");
  }
  p.c_peak = v_max(t, "C_bup", 9.0, 24.0, NULL) * NG_PER_NMOL;
  pk_trajectory_free(t);
  return p;
}

/* Trough concentration at which the trough occupancy crosses level, by
 * linear interpolation between the doses simulated (NaN if not bracketed). */
static double crossing(const point *p, int n, double level) {
  for (int i = 0; i + 1 < n; i++)
    if (p[i].occ_trough < level && p[i + 1].occ_trough >= level) {
      double f = (level - p[i].occ_trough) / (p[i + 1].occ_trough - p[i].occ_trough);
      return p[i].c_trough + f * (p[i + 1].c_trough - p[i].c_trough);
    }
  return NAN;
}

int main(void) {
  test_init();
  printf("Buprenorphine MOR occupancy (Greenwald 2003, whole brain, 4 h after the dose):\n");
  static const struct {
    double mg, mean, sem, c_lo, c_hi;
  } pet[] = {{2, 41, 8, 0.5, 1}, {16, 80, 2, 5, 6}, {32, 84, 2, 13, 14}};
  for (int k = 0; k < 3; k++) {
    point p = simulate(pet[k].mg);
    double sd = pet[k].sem * sqrt(5.0), occ = 100 * p.occ4h;
    v_report("fitted", fabs(occ - pet[k].mean) <= sd,
             "%2g mg/day: occupancy %.1f %% vs %g +/- %.1f %% (mean +/- SD)", pet[k].mg, occ,
             pet[k].mean, sd);
    v_report("prediction", p.c_peak >= 0.75 * pet[k].c_lo && p.c_peak <= 1.25 * pet[k].c_hi,
             "%2g mg/day: peak plasma %.2f ng/mL vs %g-%g ng/mL (+/- 25 %%)", pet[k].mg,
             p.c_peak, pet[k].c_lo, pet[k].c_hi);
  }
  printf("Trough thresholds (Greenwald, Comer, Fiellin 2014):\n");
  static const double doses[] = {1, 2, 4, 6, 8, 12, 16, 24, 32, 48, 64};
  enum { N = sizeof doses / sizeof doses[0] };
  point p[N];
  for (int i = 0; i < N; i++) {
    p[i] = simulate(doses[i]);
    printf("    %2g mg/day: trough %.2f ng/mL, trough occupancy %.1f %%, 4 h %.1f %%\n",
           doses[i], p[i].c_trough, 100 * p[i].occ_trough, 100 * p[i].occ4h);
  }
  double c50 = crossing(p, N, 0.5), c80 = crossing(p, N, 0.8);
  v_report("prediction", c50 >= 1 / 1.5 && c50 <= 1.5,
           "trough concentration for 50 %% occupancy %.2f ng/mL vs about 1 ng/mL (within a factor 1.5)", c50);
  v_report("prediction", c80 >= 3 / 1.5 && c80 <= 3 * 1.5,
           "trough concentration for 80 %% occupancy %.2f ng/mL vs about 3 ng/mL (within a factor 1.5)", c80);
  double d50 = NAN;
  for (int i = 0; i < N && isnan(d50); i++)
    if (p[i].occ_trough >= 0.5) d50 = doses[i];
  v_deviation("smallest daily dose with >= 50 %% trough occupancy %g mg vs about 4 mg: the "
              "model's trough at 4 mg/day is %.2f ng/mL, not about 1 ng/mL (its sublingual "
              "PK is peakier than the review's troughs imply; the occupancy-concentration "
              "relation above holds)", d50, p[2].c_trough);
  return test_finish("validation_pet_buprenorphine");
}
