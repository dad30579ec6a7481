/* test_pet_naloxone.c - mu-opioid receptor occupancy by intranasal
 * naloxone against human PET (../shared/reference/human-data-v2.md, A).
 *
 * Design (Johansson J et al. Neuropsychopharmacology 2019;44:1667-1673,
 * abstract): 14 healthy volunteers, 2 and 4 mg intranasal naloxone,
 * [11C]carfentanil PET at 0-60 and 300-360 min. Reported: plasma peak at
 * about 20 min; half of peak occupancy at about 10 min; estimated peak
 * occupancy 67 % (2 mg) and 85 % (4 mg); occupancy disappears with a
 * half-life of about 100 min. No spread is published: stated tolerances
 * are 7 percentage points on the peaks, 5-20 min for half of peak, plasma
 * peak 10-30 min, and an occupancy half-life (time from the peak to half of
 * it) within a factor 2.25 of 100 min (45-225 min: the decline was not
 * sampled between the 0-60 and 300-360 min scans), with the occupancy
 * averaged over 300-360 min below a third of the peak.
 * Modelled: naloxone alone (no agonist), one spray of naloxone-nasal-4mg
 * (3.6 mg base) or half of it (the 2 mg spray), occupancy from the
 * effect-site concentration.
 * FITTED: naloxone K (naloxone.json) and the spray's ka and lag
 * (naloxone-nasal-4mg.json) were chosen for the peaks, the 10 min and the
 * 100 min together, as a compromise with the plasma peak (below) and with
 * 0.4 mg IM precipitating withdrawal (test_withdrawal_course.c). PREDICTION:
 * the late occupancy and the plasma peak time.
 * DEVIATION (printed, not checked): the plasma Cmax, about 11 ng/mL for
 * 4 mg against 4.83 (NARCAN label) to 6.02 ng/mL (McDonald 2018): the
 * Dowling 2008 disposition's 2.87 L central volume cannot give both this
 * peak and a fast fall of occupancy (docs/pd-model.md). */
#include "validation.h"

static const double NG_PER_NMOL = 0.32737; /* naloxone MW 327.37 g/mol */

static void check_dose(double sprays, double mg, double published_peak) {
  pk_trajectory *t = v_run("{\"name\": \"naloxone %g mg\", \"model\": [\"compounds/naloxone.json\", "
      "\"receptors/mu-opioid.json\", \"products/naloxone-nasal-4mg.json\"],"
      "\"dosing\": [{\"product\": \"naloxone-nasal-4mg\", \"dose_units\": %g, \"times_h\": [0]}],"
      "\"output\": {\"duration_days\": 0.5, \"step_h\": 0.0083333333333333333}}",
      mg, sprays);
  if (!t) return;
  double t_peak, t_cmax;
  double peak = v_max(t, "occ", 0, 12, &t_peak);
  double cmax = v_max(t, "C_naloxone", 0, 12, &t_cmax) * NG_PER_NMOL;
  double t_half_up = v_first_above(t, "occ", 0.5 * peak, 0);
  /* last time above half of the peak: the occupancy falls monotonically
   * after it */
  double t_half_down = v_last_above(t, "occ", 0.5 * peak, t_peak);
  double late = 0;
  int n_late = 0;
  for (size_t i = 0; i < pk_trajectory_rows(t); i++) {
    double th = v_get(t, i, "time_h");
    if (th >= 5.0 && th <= 6.0) late += v_get(t, i, "occ"), n_late++;
  }
  late /= n_late;
  printf("%g mg intranasal naloxone:\n", mg);
  v_report("fitted", fabs(100 * peak - published_peak) <= 7,
           "peak occupancy %.1f %% vs %g %% (+/- 7 points)", 100 * peak, published_peak);
  if (mg > 3) {
    v_report("fitted", t_half_up * 60 >= 5 && t_half_up * 60 <= 20,
             "half of peak occupancy at %.1f min vs about 10 min (5-20)", 60 * t_half_up);
    v_report("fitted", (t_half_down - t_peak) * 60 >= 45 && (t_half_down - t_peak) * 60 <= 225,
             "occupancy falls to half of its peak in %.0f min vs a half-life of about 100 min "
             "(45-225)", 60 * (t_half_down - t_peak));
    v_report("prediction", late < peak / 3,
             "occupancy over 300-360 min %.1f %% vs below a third of the peak (%.1f %%)",
             100 * late, 100 * peak / 3);
    v_report("prediction", t_cmax * 60 >= 10 && t_cmax * 60 <= 30,
             "plasma peak at %.0f min vs about 20 min (10-30)", 60 * t_cmax);
    v_deviation("plasma Cmax %.1f ng/mL vs 4.83-6.02 ng/mL (NARCAN label; McDonald 2018): the "
                "2.87 L central volume of the Dowling 2008 disposition; occupancy half-life "
                "%.0f min vs about 100", cmax, 60 * (t_half_down - t_peak));
  }
  pk_trajectory_free(t);
}

int main(void) {
  test_init();
  check_dose(1.0, 4, 85);
  check_dose(0.5, 2, 67);
  return test_finish("validation_pet_naloxone");
}
