/* test_kinetic_binding.c - receptor binding as a state (kinetic ligands):
 *   dB/dt = kon u (1 - occ_total) - koff B
 * against closed forms, and its limit of fast rates, equilibrium binding.
 *
 * 1. K of a kinetic ligand is derived as koff / kon when it is added.
 * 2. Constant ligand concentration: a ligand with CL = 0 given IV has a
 *    constant plasma concentration C and, once e^{-ke0 t} is negligible
 *    (ke0 t1 >= 90), a constant unbound effect-site concentration u = fu C.
 *    Alone, dB/dt = kon u (1 - B) - koff B is linear with the solution
 *      B(t) = Beq + (B(t1) - Beq) e^{-(kon u + koff)(t - t1)},
 *      Beq  = kon u / (kon u + koff) = x / (1 + x),  x = u / K,
 *    and E = tau B / (1 + tau B). A second bolus at 10 h doubles C, and the
 *    same form holds again from 11.5 h with the new u.
 *    With an equilibrium ligand e (x_e = u_e / K_e) sharing the receptors
 *    that B leaves free, occ_e = x_e (1 - B) / (1 + x_e) and
 *      dB/dt = kon u (1 - B) / (1 + x_e) - koff B,
 *    linear again with rate kon u / (1 + x_e) + koff and
 *    Beq = x / (1 + x + x_e): the competitive equilibrium.
 *    Two kinetic ligands at constant u relax (eigenvalues of a 2x2 linear
 *    system, both >= 0.5/h here) to B_i = x_i / (1 + x_a + x_b).
 * 3. Fast binding: one oral ligand with CL > 0 (two doses), as a kinetic
 *    ligand with (kon, koff) = s (kon0, koff0), s = 1, 10, 100, 1000, and at
 *    equilibrium. Its effect site is the closed form of the one-compartment
 *    oral model with an effect compartment,
 *      ce(t) = sum_d 1000 F n_d ka ke0 / (V (ka - k)) *
 *              [(e^{-k T} - e^{-ke0 T}) / (ke0 - k) - (e^{-ka T} - e^{-ke0 T}) / (ke0 - ka)],
 *    T = t - t_d, so the equilibrium occupancy x / (1 + x) and E are known
 *    without the solver. Since B - Beq ~ -Beq' / (kon u + koff), the largest
 *    difference over the time course must fall about tenfold per tenfold in
 *    s (ratio in [9, 11]), monotonically, to below 1e-5 at s = 1000; the
 *    library's equilibrium path must match the closed form throughout.
 *
 * Tolerances: solver rtol 1e-12, atol 1e-15; K to 1e-15 relative; closed
 * forms of B, occ and E to 1e-9 relative plus 1e-12 absolute; ce to 1e-9
 * relative plus 1e-12 nM. */
#include "unit_helpers.h"

static const double rel_tol = 1e-9, abs_tol = 1e-12;

static pk_compound_params kinetic(const char *id, double mw, double V, double CL, double ke0,
                                  double fu, double kon, double koff, double tau) {
  pk_compound_params p = unit_compound(id, mw, 0.7, V, CL);
  unit_ligand(&p, ke0, fu, NAN, tau);
  p.kinetic_binding = 1;
  p.kon_per_nM_h = kon;
  p.koff_per_h = koff;
  return p;
}

static void derived_K(void) {
  pk_model *m = pk_model_new();
  pk_compound_params p = kinetic("kin", 400.0, 50.0, 5.0, 1.0, 1.0, 0.0125, 0.35, 2.0);
  int i = unit_add(m, &p);
  pk_compound_params q = p;
  snprintf(q.id, sizeof q.id, "kin2");
  snprintf(q.name, sizeof q.name, "kin2");
  q.K_nM = 1234.0; /* a given K is replaced by koff / kon */
  int j = unit_add(m, &q);
  pk_compound_params got;
  pk_error err;
  CHECK(pk_model_get_compound(m, i, &got, &err) == PK_OK, "get: %s", err.message);
  CHECK_CLOSE(got.K_nM, 0.35 / 0.0125, 1e-15, 0, "unit_kinetic: K_nM = koff / kon (K NaN)");
  CHECK(pk_model_get_compound(m, j, &got, &err) == PK_OK, "get: %s", err.message);
  CHECK_CLOSE(got.K_nM, 0.35 / 0.0125, 1e-15, 0, "unit_kinetic: K_nM = koff / kon (K given)");
  CHECK(got.kinetic_binding == 1 && got.kon_per_nM_h == 0.0125 && got.koff_per_h == 0.35,
        "unit_kinetic: kon, koff kept (%g, %g)", got.kon_per_nM_h, got.koff_per_h);
  pk_model_free(m);
}

/* B(t) from B(t1) at constant u: relaxation at `rate` towards beq. */
static double relax(double b1, double beq, double rate, double dt) {
  return beq + (b1 - beq) * exp(-rate * dt);
}

/* A kinetic ligand at constant u, alone and with an equilibrium ligand. */
static void constant_concentration(int with_equilibrium_ligand) {
  const char *label = with_equilibrium_ligand
                          ? "unit_kinetic: constant u, with an equilibrium ligand"
                          : "unit_kinetic: constant u, alone";
  const double mw = 400.0, V = 50.0, mg = 0.8; /* 2 umol: C = 40 nM */
  const double fu = 0.9, kon = 0.0075, koff = 0.15, tau = 4.0, K = koff / kon;
  const double mw_e = 300.0, V_e = 30.0, mg_e = 0.3, K_e = 12.0, tau_e = 0.4; /* C 33.3 nM */
  pk_model *m = pk_model_new();
  pk_regimen *r = pk_regimen_new();
  pk_compound_params p = kinetic("kin", mw, V, 0.0, 60.0, fu, kon, koff, tau);
  int i = unit_add(m, &p);
  unit_dose(r, i, PK_ROUTE_IV, 0.0, mg);
  unit_dose(r, i, PK_ROUTE_IV, 10.0, mg);
  double x_e = 0.0;
  if (with_equilibrium_ligand) {
    pk_compound_params e = unit_compound("eq", mw_e, 1.0, V_e, 0.0);
    unit_ligand(&e, 60.0, 1.0, K_e, tau_e);
    int j = unit_add(m, &e);
    unit_dose(r, j, PK_ROUTE_IV, 0.0, mg_e);
    x_e = 1000.0 * unit_umol(mg_e, mw_e) / V_e / K_e;
  }
  pk_sim_options o = unit_options(30.0, 0.125);
  pk_trajectory *t = unit_simulate(m, r, &o);
  const double t_from[2] = {1.5, 11.5}, t_to[2] = {10.0, 30.0 + 1e-9};
  size_t n_checked = 0;
  for (int phase = 0; t && phase < 2; phase++) {
    double C = 1000.0 * unit_umol(mg, mw) * (phase + 1) / V, u = fu * C, x = u / K;
    double rate = kon * u / (1.0 + x_e) + koff, beq = x / (1.0 + x + x_e);
    /* the closed form starts from the simulated B at t_from */
    size_t i1 = (size_t)(t_from[phase] / 0.125 + 0.5);
    double b1 = unit_get(t, i1, "occ_kin");
    CHECK(fabs(b1 - beq) > 0.05, "%s: B(%g h) = %g already at equilibrium %g", label,
          t_from[phase], b1, beq);
    for (size_t k = i1; k < pk_trajectory_rows(t); k++) {
      double time = unit_get(t, k, "time_h");
      if (time >= t_to[phase]) break;
      double b = relax(b1, beq, rate, time - t_from[phase]);
      double occ_e = x_e * (1.0 - b) / (1.0 + x_e);
      double tx = tau * b + tau_e * occ_e;
      char what[200];
      snprintf(what, sizeof what, "%s: ce_kin at t = %g h", label, time);
      CHECK_CLOSE(unit_get(t, k, "ce_kin"), C, rel_tol, abs_tol, what);
      snprintf(what, sizeof what, "%s: B = occ_kin at t = %g h", label, time);
      CHECK_CLOSE(unit_get(t, k, "occ_kin"), b, rel_tol, abs_tol, what);
      snprintf(what, sizeof what, "%s: occ at t = %g h", label, time);
      CHECK_CLOSE(unit_get(t, k, "occ"), b + occ_e, rel_tol, abs_tol, what);
      if (with_equilibrium_ligand) {
        snprintf(what, sizeof what, "%s: occ_eq at t = %g h", label, time);
        CHECK_CLOSE(unit_get(t, k, "occ_eq"), occ_e, rel_tol, abs_tol, what);
      }
      snprintf(what, sizeof what, "%s: E at t = %g h", label, time);
      CHECK_CLOSE(unit_get(t, k, "E"), tx / (1.0 + tx), rel_tol, abs_tol, what);
      n_checked++;
    }
  }
  CHECK(n_checked > 200, "%s: only %zu rows checked", label, n_checked);
  pk_trajectory_free(t);
  pk_regimen_free(r);
  pk_model_free(m);
}

/* Two kinetic ligands at constant u relax to the competitive equilibrium. */
static void two_kinetic_ligands(void) {
  const char *label = "unit_kinetic: two kinetic ligands reach x_i / (1 + x_a + x_b)";
  const double kon[2] = {0.02, 0.5}, koff[2] = {1.0, 0.6}, tau[2] = {10.0, 0.0};
  const double fu[2] = {1.0, 0.5}, V[2] = {50.0, 20.0}, mw[2] = {400.0, 300.0};
  const double mg[2] = {4.0, 0.6}; /* 10 umol -> 200 nM, 2 umol -> 100 nM */
  const char *id[2] = {"ka", "kb"};
  pk_model *m = pk_model_new();
  pk_regimen *r = pk_regimen_new();
  double x[2];
  for (int k = 0; k < 2; k++) {
    pk_compound_params p = kinetic(id[k], mw[k], V[k], 0.0, 60.0, fu[k], kon[k], koff[k], tau[k]);
    int i = unit_add(m, &p);
    unit_dose(r, i, PK_ROUTE_IV, 0.0, mg[k]);
    x[k] = fu[k] * 1000.0 * unit_umol(mg[k], mw[k]) / V[k] / (koff[k] / kon[k]);
  }
  pk_sim_options o = unit_options(80.0, 1.0);
  o.output_start_h = 70.0;
  pk_trajectory *t = unit_simulate(m, r, &o);
  double d = 1.0 + x[0] + x[1];
  for (size_t i = 0; t && i < pk_trajectory_rows(t); i++) {
    char what[200];
    double time = unit_get(t, i, "time_h");
    snprintf(what, sizeof what, "%s: occ_ka at %g h", label, time);
    CHECK_CLOSE(unit_get(t, i, "occ_ka"), x[0] / d, rel_tol, abs_tol, what);
    snprintf(what, sizeof what, "%s: occ_kb at %g h", label, time);
    CHECK_CLOSE(unit_get(t, i, "occ_kb"), x[1] / d, rel_tol, abs_tol, what);
    snprintf(what, sizeof what, "%s: E at %g h", label, time);
    CHECK_CLOSE(unit_get(t, i, "E"), tau[0] * x[0] / (d + tau[0] * x[0]), rel_tol, abs_tol,
                what);
  }
  pk_trajectory_free(t);
  pk_regimen_free(r);
  pk_model_free(m);
}

/* ---- fast binding tends to equilibrium binding ---------------------------- */

static const double f_mw = 400.0, f_ka = 0.6, f_V = 50.0, f_CL = 5.0, f_ke0 = 0.25;
static const double f_fu = 0.8, f_K = 50.0, f_tau = 3.0, f_kon0 = 2.0, f_koff0 = 100.0;
static const double f_td[2] = {0.0, 24.0}, f_mg[2] = {4.0, 6.0};
static const double f_end = 48.0, f_step = 0.125;

static double oral_ce(double t) {
  double k = f_CL / f_V, acc = 0.0;
  for (int d = 0; d < 2; d++) {
    double T = t - f_td[d];
    if (T < 0) continue;
    double a = 1000.0 * unit_umol(f_mg[d], f_mw) * f_ka * f_ke0 / (f_V * (f_ka - k));
    double ee = exp(-f_ke0 * T);
    acc += a * ((exp(-k * T) - ee) / (f_ke0 - k) - (exp(-f_ka * T) - ee) / (f_ke0 - f_ka));
  }
  return acc;
}

/* scale 0: equilibrium binding; else kinetic with rates times scale */
static pk_trajectory *fast_binding_run(double scale) {
  pk_model *m = pk_model_new();
  pk_regimen *r = pk_regimen_new();
  pk_compound_params p =
      scale > 0 ? kinetic("lig", f_mw, f_V, f_CL, f_ke0, f_fu, f_kon0 * scale, f_koff0 * scale,
                          f_tau)
                : unit_compound("lig", f_mw, f_ka, f_V, f_CL);
  p.ka_per_h = f_ka;
  if (scale == 0) unit_ligand(&p, f_ke0, f_fu, f_K, f_tau);
  int i = unit_add(m, &p);
  for (int d = 0; d < 2; d++) unit_dose(r, i, PK_ROUTE_ORAL, f_td[d], f_mg[d]);
  pk_sim_options o = unit_options(f_end, f_step);
  pk_trajectory *t = unit_simulate(m, r, &o);
  pk_regimen_free(r);
  pk_model_free(m);
  return t;
}

static void fast_binding(void) {
  const char *label = "unit_kinetic: fast binding -> equilibrium";
  CHECK_CLOSE(f_koff0 / f_kon0, f_K, 1e-15, 0, "fast-binding setup: K = koff / kon");
  pk_trajectory *eq = fast_binding_run(0.0);
  for (size_t i = 0; eq && i < pk_trajectory_rows(eq); i++) {
    double time = unit_get(eq, i, "time_h"), ce = oral_ce(time), x = f_fu * ce / f_K;
    char what[200];
    snprintf(what, sizeof what, "%s: equilibrium ce at %g h", label, time);
    CHECK_CLOSE(unit_get(eq, i, "ce_lig"), ce, rel_tol, abs_tol, what);
    snprintf(what, sizeof what, "%s: equilibrium occ at %g h", label, time);
    CHECK_CLOSE(unit_get(eq, i, "occ"), x / (1.0 + x), rel_tol, abs_tol, what);
    snprintf(what, sizeof what, "%s: equilibrium E at %g h", label, time);
    CHECK_CLOSE(unit_get(eq, i, "E"), f_tau * x / (1.0 + (1.0 + f_tau) * x), rel_tol, abs_tol,
                what);
  }
  pk_trajectory_free(eq);
  const double scales[4] = {1.0, 10.0, 100.0, 1000.0};
  double diff[4];
  for (int s = 0; s < 4; s++) {
    pk_trajectory *t = fast_binding_run(scales[s]);
    double dmax = t ? 0.0 : NAN;
    for (size_t i = 0; t && i < pk_trajectory_rows(t); i++) {
      double time = unit_get(t, i, "time_h"), ce = oral_ce(time), x = f_fu * ce / f_K;
      char what[200];
      snprintf(what, sizeof what, "%s: kinetic ce at %g h (scale %g)", label, time, scales[s]);
      CHECK_CLOSE(unit_get(t, i, "ce_lig"), ce, rel_tol, abs_tol, what);
      double d_occ = fabs(unit_get(t, i, "occ") - x / (1.0 + x));
      double d_E = fabs(unit_get(t, i, "E") - f_tau * x / (1.0 + (1.0 + f_tau) * x));
      dmax = fmax(dmax, fmax(d_occ, d_E));
    }
    diff[s] = dmax;
    printf("%s: scale %g: max |occ, E difference| %.3e\n", label, scales[s], dmax);
    pk_trajectory_free(t);
  }
  for (int s = 1; s < 4; s++) {
    double ratio = diff[s - 1] / diff[s];
    CHECK(diff[s] < diff[s - 1] && ratio >= 9.0 && ratio <= 11.0,
          "%s: difference %g at scale %g vs %g at scale %g: ratio %g, expected ~10", label,
          diff[s], scales[s], diff[s - 1], scales[s - 1], ratio);
  }
  CHECK(diff[3] < 1e-5, "%s: difference %g at scale 1000, expected < 1e-5", label, diff[3]);
  CHECK(diff[0] > 1e-3, "%s: difference %g at scale 1 too small to test convergence", label,
        diff[0]);
}

int main(void) {
  test_init();
  derived_K();
  constant_concentration(0);
  constant_concentration(1);
  two_kinetic_ligands();
  fast_binding();
  return test_finish("unit_kinetic_binding_converges_to_equilibrium");
}
