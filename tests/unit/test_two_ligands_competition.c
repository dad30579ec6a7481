/* test_two_ligands_competition.c - two ligands competing at the receptor,
 * simulated, against the competitive operational model in closed form.
 *
 * Each ligand i has CL = 0 and is given as one IV bolus at t = 0, so its
 * plasma concentration is the constant C_i = 1000 * umol_i / V_i (nM) and its
 * effect site follows ce_i(t) = C_i (1 - e^{-ke0_i t}) exactly. With
 * x_i = fu_i ce_i / K_i:
 *   occ_i = x_i / (1 + x_a + x_b),   occ = (x_a + x_b) / (1 + x_a + x_b),
 *   E     = (tau_a x_a + tau_b x_b) / (1 + x_a + x_b + tau_a x_a + tau_b x_b).
 * Every output row is checked against these with ce_i(t) in closed form, and
 * after equilibration (ke0 t > 60, e^{-60} ~ 1e-26) against the limits with
 * ce_i = C_i, computed from the doses alone. Pairs: agonist + antagonist,
 * full + partial agonist, two agonists with different ke0; each on the exact
 * and on the ODE path.
 *
 * Tolerances: solver rtol 1e-12, atol 1e-15; occupancies and E to 1e-9
 * relative plus 1e-12 absolute (fractions of scale 1), ce to 1e-9 relative
 * plus 1e-12 nM. */
#include "unit_helpers.h"

static const double rel_tol = 1e-9, abs_tol = 1e-12;

typedef struct ligand {
  const char *id;
  double mw, V, dose_mg, ke0, fu, K, tau;
} ligand;

static double plasma_nM(const ligand *l) { return 1000.0 * unit_umol(l->dose_mg, l->mw) / l->V; }
static double ce_at(const ligand *l, double t) { return plasma_nM(l) * -expm1(-l->ke0 * t); }

/* occ_a, occ_b, occ, E of the pair at effect-site concentrations cea, ceb. */
static void closed_form(const ligand *a, const ligand *b, double cea, double ceb,
                        double out[4]) {
  double xa = a->fu * cea / a->K, xb = b->fu * ceb / b->K, d = 1.0 + xa + xb;
  double txa = a->tau * xa, txb = b->tau * xb;
  out[0] = xa / d;
  out[1] = xb / d;
  out[2] = (xa + xb) / d;
  out[3] = (txa + txb) / (d + txa + txb);
}

static void check_pair(const ligand *a, const ligand *b, pk_solver solver, const char *pair) {
  const char *sname = pk_solver_name(solver);
  pk_model *m = pk_model_new();
  pk_regimen *r = pk_regimen_new();
  const ligand *lig[2] = {a, b};
  for (int k = 0; k < 2; k++) {
    pk_compound_params p = unit_compound(lig[k]->id, lig[k]->mw, 1.0, lig[k]->V, 0.0);
    unit_ligand(&p, lig[k]->ke0, lig[k]->fu, lig[k]->K, lig[k]->tau);
    int i = unit_add(m, &p);
    unit_dose(r, i, PK_ROUTE_IV, 0.0, lig[k]->dose_mg);
  }
  const double t_end = 12.0, t_eq = 60.0 / fmin(a->ke0, b->ke0);
  CHECK(t_eq <= t_end, "%s: equilibration time %g h beyond the run", pair, t_eq);
  pk_sim_options o = unit_options(t_end, 0.125);
  o.solver = solver;
  pk_trajectory *t = unit_simulate(m, r, &o);
  char col[4][32], what[256];
  snprintf(col[0], sizeof col[0], "occ_%s", a->id);
  snprintf(col[1], sizeof col[1], "occ_%s", b->id);
  snprintf(col[2], sizeof col[2], "occ");
  snprintf(col[3], sizeof col[3], "E");
  double limit[4];
  closed_form(a, b, plasma_nM(a), plasma_nM(b), limit);
  size_t n_eq = 0;
  for (size_t i = 0; t && i < pk_trajectory_rows(t); i++) {
    double time = unit_get(t, i, "time_h"), want[4];
    closed_form(a, b, ce_at(a, time), ce_at(b, time), want);
    for (int k = 0; k < 2; k++) {
      char ce[32];
      snprintf(ce, sizeof ce, "ce_%s", lig[k]->id);
      snprintf(what, sizeof what, "%s (%s): %s at t = %g h", pair, sname, ce, time);
      CHECK_CLOSE(unit_get(t, i, ce), ce_at(lig[k], time), rel_tol, abs_tol, what);
    }
    for (int k = 0; k < 4; k++) {
      snprintf(what, sizeof what, "%s (%s): %s at t = %g h", pair, sname, col[k], time);
      CHECK_CLOSE(unit_get(t, i, col[k]), want[k], rel_tol, abs_tol, what);
      if (time >= t_eq) {
        snprintf(what, sizeof what, "%s (%s): equilibrated %s at t = %g h", pair, sname,
                 col[k], time);
        CHECK_CLOSE(unit_get(t, i, col[k]), limit[k], rel_tol, abs_tol, what);
      }
    }
    n_eq += time >= t_eq;
    /* no adaptation in this model: tol stays 0, so W = 0 and net = E */
    CHECK(unit_get(t, i, "tol") == 0.0 && unit_get(t, i, "W") == 0.0,
          "%s (%s): tol %g, W %g at t = %g h, expected 0", pair, sname, unit_get(t, i, "tol"),
          unit_get(t, i, "W"), time);
  }
  CHECK(t && n_eq >= 10, "%s (%s): only %zu rows after equilibration", pair, sname, n_eq);
  pk_trajectory_free(t);
  pk_regimen_free(r);
  pk_model_free(m);
}

int main(void) {
  test_init();
  /* x = fu C / K: agonist 0.8 * 400 / 40 = 8, antagonist 0.5 * 200 / 5 = 20 */
  const ligand agonist = {"ag", 300.0, 100.0, 12.0, 20.0, 0.8, 40.0, 8.0};
  const ligand antagonist = {"ant", 500.0, 50.0, 5.0, 10.0, 0.5, 5.0, 0.0};
  /* full agonist x = 1000 / 10 = 100, tau 50; partial x = 0.6 * 500 / 2 = 150, tau 0.5 */
  const ligand full = {"full", 300.0, 100.0, 30.0, 15.0, 1.0, 10.0, 50.0};
  const ligand partial = {"part", 467.6, 200.0, 46.76, 8.0, 0.6, 2.0, 0.5};
  /* two agonists with slow and fast effect sites: both terms change over time */
  const ligand slow = {"slow", 398.5, 60.0, 23.91, 6.5, 0.9, 700.0, 1.5};
  const ligand fast = {"fast", 414.5, 80.0, 3.316, 30.0, 0.7, 8.0, 20.0};
  const pk_solver solvers[2] = {PK_SOLVER_EXACT, PK_SOLVER_ODE};
  for (int s = 0; s < 2; s++) {
    check_pair(&agonist, &antagonist, solvers[s], "unit_two_ligands: agonist + antagonist");
    check_pair(&full, &partial, solvers[s], "unit_two_ligands: full + partial agonist");
    check_pair(&slow, &fast, solvers[s], "unit_two_ligands: two agonists");
  }
  return test_finish("unit_two_ligands_competition_simulated");
}
