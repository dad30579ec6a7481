/* test_kratom_v2.c - the shipped kratom PK model version 2 (models/enzymes/
 * cyp3a4-liver.json, models/compounds/mitragynine.json and
 * 7-hydroxymitragynine.json) against the two human studies it was
 * calibrated on, Tanna 2022 (one 39 mg MG tea) and Huestis 2024 (6.65-53.2
 * mg MG as leaf capsules, one dose and 15 daily doses); the designs, the
 * published numbers and the summaries are in kratom_v2_design.h.
 *
 * FITTED (tests/calibration/calibrate_kratom_v2.c minimised the misfit to
 * these; the checks hold the fit to what it reached, with the tolerance
 * stated at each):
 *  - Tanna 2022: every median within its published range; Cmax, t1/2 and
 *    AUCinf within 20 % of the median.
 *  - Huestis 2024: MG Tmax in the reported ranges (to 0.1 h: the model is
 *    sampled every 0.05 h, the study's schedule is not reported); 7OH Tmax
 *    after one dose in 1.2-1.8 h; the 7OH/MG ratio after one dose in
 *    0.20-0.31 (to 0.01); the highest group's MG half-life within 15 % of
 *    43.4 h (single) and 67.9 h (15 doses).
 * PREDICTED (not in the fit):
 *  - Cmax in proportion to dose (Huestis: "Cmax rises in proportion to
 *    dose"): Cmax / dose within 10 % across the groups after one dose.
 *  - AUC "slightly more than dose proportional" after repeated doses: AUC
 *    over the dosing interval per mg rises with the dose, by less than 2x.
 *  - After 15 daily doses the ratio is lower than after one dose in every
 *    group (reported 0.20-0.31 -> 0.15-0.21), and CYP3A4 activity is lower
 *    in higher groups.
 *  - 7OH taken by mouth (no human data): a 17 mg tablet peaks within a
 *    factor of 3 of 14 ng/mL, the dog's Cmax after 1 mg/kg (56 ng/mL,
 *    Maxwell 2021) scaled by dose per kg to 70 kg, and earlier than 7OH
 *    formed from leaf (between 0.25 and 1.2 h).
 * KNOWN DEVIATIONS (printed, checked only to the bound stated): the ratio
 * after 15 doses spreads more over the groups than reported (checked in
 * 0.10-0.30 against 0.15-0.21); the 7OH Tmax after 15 doses at 53 mg (at
 * least 1.0 h against 1.3-2.0 h); 7OH half-lives (single within 1.5x of
 * 4.7 h, repeated doses at least twice the single-dose value against
 * 4.7 -> 24.7 h). docs/kratom-pk-v2.md discusses each. */
#include "check.h"
#include "kratom_v2_design.h"

static int within(double v, double lo, double hi, double slack) {
  return v >= lo - slack && v <= hi + slack;
}

int main(void) {
  test_init();
  v2_model v;
  if (v2_load(PK_MODELS_DIR, &v) != 0) return 1;
  v2_outcome o;
  CHECK(v2_simulate_all(&v, &o) == 0, "simulating both studies");
  v2_print(&o, stdout);

  /* FITTED: Tanna 2022 */
  for (int k = 0; k < V2_TANNA_N; k++) {
    const v2_target *t = &V2_TANNA[k];
    CHECK(within(o.tanna[k], t->lo, t->hi, 0.0), "Tanna 2022 %s: %g outside %g-%g", t->name,
          o.tanna[k], t->lo, t->hi);
    if (k != 1 && k != 5) /* not the Tmax */
      CHECK_CLOSE(o.tanna[k], t->median, 0.20, 0.0, t->name);
  }
  /* FITTED: Huestis 2024 */
  for (int g = 0; g < V2_HUESTIS_GROUPS; g++) {
    double mg = V2_HUESTIS_CAPSULES[g] * V2_CAPSULE_MG_MG;
    for (int d = 0; d < 2; d++) {
      const v2_phase *p = &o.huestis[g][d];
      CHECK(within(p->tmax_mg_h, V2_HUESTIS_TMAX_MG[d][0], V2_HUESTIS_TMAX_MG[d][1], 0.1),
            "%g mg, %s: MG Tmax %g h", mg, d ? "15 doses" : "one dose", p->tmax_mg_h);
    }
    const v2_phase *s = &o.huestis[g][0], *m = &o.huestis[g][1];
    CHECK(within(s->tmax_7oh_h, V2_HUESTIS_TMAX_7OH[0][0], V2_HUESTIS_TMAX_7OH[0][1], 0.0),
          "%g mg, one dose: 7OH Tmax %g h", mg, s->tmax_7oh_h);
    CHECK(within(s->ratio, V2_HUESTIS_RATIO[0][0], V2_HUESTIS_RATIO[0][1], 0.01),
          "%g mg, one dose: 7OH/MG %g", mg, s->ratio);
    /* PREDICTED: the ratio falls with repeated doses */
    CHECK(m->ratio < s->ratio, "%g mg: ratio after 15 doses %g, after one %g", mg, m->ratio,
          s->ratio);
    /* KNOWN DEVIATIONS, bounded */
    CHECK(within(m->ratio, 0.10, 0.30, 0.0), "%g mg, 15 doses: 7OH/MG %g", mg, m->ratio);
    CHECK(m->tmax_7oh_h >= 1.0 && m->tmax_7oh_h <= V2_HUESTIS_TMAX_7OH[1][1],
          "%g mg, 15 doses: 7OH Tmax %g h", mg, m->tmax_7oh_h);
    if (!within(m->ratio, V2_HUESTIS_RATIO[1][0], V2_HUESTIS_RATIO[1][1], 0.0))
      printf("known deviation: %g mg after 15 doses, 7OH/MG %.3f (reported range %.2f-%.2f)\n",
             mg, m->ratio, V2_HUESTIS_RATIO[1][0], V2_HUESTIS_RATIO[1][1]);
    if (!within(m->tmax_7oh_h, V2_HUESTIS_TMAX_7OH[1][0], V2_HUESTIS_TMAX_7OH[1][1], 0.0))
      printf("known deviation: %g mg after 15 doses, 7OH Tmax %.2f h (reported %.1f-%.1f h)\n",
             mg, m->tmax_7oh_h, V2_HUESTIS_TMAX_7OH[1][0], V2_HUESTIS_TMAX_7OH[1][1]);
  }
  const v2_phase *top = o.huestis[V2_HUESTIS_GROUPS - 1];
  CHECK_CLOSE(top[0].thalf_mg_h, V2_HUESTIS_THALF_MG[0], 0.15, 0.0, "MG t1/2, 53 mg, one dose");
  CHECK_CLOSE(top[1].thalf_mg_h, V2_HUESTIS_THALF_MG[1], 0.15, 0.0,
              "MG t1/2, 53 mg, 15 doses");
  CHECK(top[0].thalf_7oh_h <= 1.5 * V2_HUESTIS_THALF_7OH[0],
        "7OH t1/2 after one dose %g h (reported 4.7 h)", top[0].thalf_7oh_h);
  CHECK(top[1].thalf_7oh_h >= 2.0 * top[0].thalf_7oh_h,
        "7OH t1/2 lengthens with repeated doses: %g -> %g h (reported 4.7 -> 24.7 h)",
        top[0].thalf_7oh_h, top[1].thalf_7oh_h);
  printf("known deviation: 7OH t1/2 at 53 mg %.1f h after one dose, %.1f h after 15 (reported "
         "%.1f and %.1f h)\n", top[0].thalf_7oh_h, top[1].thalf_7oh_h, V2_HUESTIS_THALF_7OH[0],
         V2_HUESTIS_THALF_7OH[1]);

  /* PREDICTED: dose proportionality */
  double c_lo = o.huestis[0][0].cmax_mg / V2_HUESTIS_CAPSULES[0];
  for (int g = 1; g < V2_HUESTIS_GROUPS; g++) {
    double c = o.huestis[g][0].cmax_mg / V2_HUESTIS_CAPSULES[g];
    CHECK_CLOSE(c, c_lo, 0.10, 0.0, "MG Cmax per capsule after one dose, vs the lowest group");
  }
  for (int g = 1; g < V2_HUESTIS_GROUPS; g++) {
    double a0 = o.huestis[g - 1][1].auc24_mg / V2_HUESTIS_CAPSULES[g - 1];
    double a1 = o.huestis[g][1].auc24_mg / V2_HUESTIS_CAPSULES[g];
    CHECK(a1 > a0, "MG AUC per capsule after 15 doses rises with the dose: %g -> %g", a0, a1);
  }
  double r = (o.huestis[V2_HUESTIS_GROUPS - 1][1].auc24_mg / V2_HUESTIS_CAPSULES[3]) /
             (o.huestis[0][1].auc24_mg / V2_HUESTIS_CAPSULES[0]);
  CHECK(r < 2.0, "AUC per capsule, highest over lowest group, after 15 doses: %g (\"slightly "
        "more than proportional\")", r);
  CHECK(o.act_min > 0.1 && o.act_min < 0.9, "CYP3A4 activity at 53 mg daily: lowest %g",
        o.act_min);

  /* PREDICTED: a 17 mg 7-OH tablet, with the shipped 7OH file's F and ka */
  pk_error err;
  pk_model *m = v2_build(&v, &err);
  pk_regimen *reg = pk_regimen_new();
  pk_trajectory *t = NULL;
  pk_sim_options so = pk_sim_options_default();
  so.t_end_h = 24, so.output_step_h = 0.05;
  CHECK(m && reg && pk_regimen_add_dose(reg, 1, PK_ROUTE_ORAL, 0.0, 17.0, &err) == PK_OK &&
            pk_simulate(m, reg, &so, &t, &err) == PK_OK,
        "a 7-OH tablet: %s", err.message);
  pk_nca_result n7;
  if (t && pk_nca_compute_column(t, "C_7oh", 4.0, 24.0, &n7, &err) == PK_OK) {
    double ng_ml = n7.cmax * v.oh.mw_g_per_mol / 1000.0, dog = 56.0 * 17.0 / 70.0;
    printf("7-OH tablet, 17 mg: Cmax %.1f ng/mL at %.2f h (dog scaled by mg/kg: %.1f ng/mL)\n",
           ng_ml, n7.tmax_h, dog);
    CHECK(ng_ml > dog / 3.0 && ng_ml < dog * 3.0, "7-OH tablet Cmax %g ng/mL", ng_ml);
    CHECK(n7.tmax_h >= 0.25 && n7.tmax_h <= 1.2, "7-OH tablet Tmax %g h", n7.tmax_h);
  }
  pk_trajectory_free(t);
  pk_regimen_free(reg);
  pk_model_free(m);
  return test_finish("calibration_kratom_v2_tanna2022_huestis2024");
}
