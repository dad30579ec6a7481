/* Batch summaries from the continuous solution (pk_batch_spec.exact_extrema)
 * and the terminal phase (pk_batch_spec.nca), against closed forms.
 *
 * One compartment with first-order absorption (fixture: V 10 L, CL 2 L/h,
 * k = 0.2/h, MW 1000 so 1 mg = 1 umol), one oral dose D at t0 = 0.3 h (off
 * the 1 h output grid), ka swept over 0.7, 1.5 and 3 /h:
 *   C(t) = 1000 D/V ka/(ka - k) (e^{-k s} - e^{-ka s}), s = t - t0   (nM)
 *   Tmax = t0 + ln(ka/k)/(ka - k),  Cmax = C(Tmax),
 *   AUCinf = 1000 D/CL,  lambda_z = k,  t1/2 = ln 2/k.
 * Checked: exact Cmax to 1e-9 relative and Tmax to 1e-4 h; the grid values
 * (the default) fall short of Cmax by more than 1e-3 for every ka (so the
 * test tells the two apart); lambda_z and t1/2 to 5e-3 relative (the
 * best-adjusted-r2 window reaches back to where the absorption term is a
 * few 1e-3 of C for ka 0.7: lambda_z 0.1995 there); AUCinf to 5e-3 (the
 * trapezoids of the 1 h grid: the straight line under the concave rise
 * after a dose at 0.3 h takes 0.25 % off for ka 3).
 *
 * With the compound as a receptor ligand (ke0 2/h, fu 1, K 50 nM, tau 5; no
 * adaptation), occupancy and E are functions of the effect-site
 * concentration alone: occ = x/(1 + x), E = tau x/(1 + (1 + tau) x) with
 * x = ce/K, both increasing in x; so occ_max and E_max, refined separately,
 * must satisfy E_max = tau x/(1 + (1 + tau) x) with x = occ_max/(1 - occ_max)
 * (to 1e-9), and occ_max must equal the largest occupancy of an independent
 * dense run (step 1e-4 h over the two hours around the grid's peak) to 1e-8.
 */
#include <stdlib.h>
#include "batch_fixture.h"
#include "check.h"
#include "unit_helpers.h"

enum { NP = 3 };
static const double KA[NP] = {0.7, 1.5, 3.0};
static const double D = 100, V = 10, CL = 2, K_EL = 0.2, T0 = 0.3;

typedef struct got {
  double v[NP][64];
  int ok[NP];
  size_t ncol;
} got;

static int keep(void *ctx, const pk_subject_result *r) {
  got *g = ctx;
  if (r->index >= NP) return 1;
  memcpy(g->v[r->index], r->values, g->ncol * sizeof(double));
  g->ok[r->index] = r->status == PK_OK;
  if (r->status != PK_OK) fprintf(stderr, "subject %zu: %s\n", r->index, r->reason);
  return 0;
}

static double conc(double ka, double t) {
  double s = t - T0;
  return 1000.0 * D / V * ka / (ka - K_EL) * (exp(-K_EL * s) - exp(-ka * s));
}

/* Runs the sweep over ka on model m; g receives the summaries. */
static pk_batch *run(const pk_model *m, const pk_regimen *reg, const pk_sweep *sw, int exact,
                     int nca, got *g) {
  pk_error err;
  pk_batch_spec spec = pk_batch_spec_default();
  spec.model = m;
  spec.regimen = reg;
  spec.options.t_end_h = 72;
  spec.options.output_step_h = 1;
  spec.sweep = sw;
  spec.exact_extrema = exact;
  spec.nca = nca;
  pk_batch *b = NULL;
  CHECK(pk_batch_new(&spec, &b, &err) == PK_OK, "batch: %s", err.message);
  memset(g, 0, sizeof *g);
  g->ncol = b ? pk_batch_column_count(b) : 0;
  pk_batch_run_options o = pk_batch_run_options_default();
  o.on_subject = keep;
  o.ctx = g;
  pk_batch_report rep;
  CHECK(b && pk_batch_run(b, &o, &rep, &err) == PK_OK && rep.done == NP && rep.failed == 0,
        "run: %s", err.message);
  return b;
}

static double col(const pk_batch *b, const got *g, int p, const char *name) {
  int j = pk_batch_column_index(b, name);
  CHECK(j >= 0, "column %s", name);
  return j >= 0 ? g->v[p][j] : NAN;
}

int main(void) {
  test_init();
  pk_error err;
  pk_model *m = pk_model_new();
  CHECK(m && fixture_add_compound(m, "x", "drug-x", 0) == 0, "model");
  pk_regimen *reg = pk_regimen_new();
  CHECK(pk_regimen_add_dose(reg, 0, PK_ROUTE_ORAL, T0, D, &err) == PK_OK, "%s", err.message);

  pk_sweep *sw = pk_sweep_new();
  CHECK(sw && pk_sweep_add(sw, m, "x.ka=0.7,1.5,3", &err) == PK_OK, "sweep: %s", err.message);
  got grid, exact, nca;
  pk_batch *bg = run(m, reg, sw, 0, 0, &grid);
  pk_batch *be = run(m, reg, sw, 1, 0, &exact);
  pk_batch *bn = run(m, reg, sw, 0, 1, &nca);
  CHECK(pk_batch_column_index(bg, "lambda_z_x") < 0 && pk_batch_column_index(bn, "lambda_z_x") >= 0,
        "the terminal-phase columns come with nca only");
  for (int p = 0; p < NP; p++) {
    double ka = KA[p], tmax = T0 + log(ka / K_EL) / (ka - K_EL), cmax = conc(ka, tmax);
    double ce = col(be, &exact, p, "Cmax_x"), te = col(be, &exact, p, "Tmax_x");
    double cg = col(bg, &grid, p, "Cmax_x");
    CHECK(fabs(ce - cmax) <= 1e-9 * cmax, "ka %g: exact Cmax %.12g, closed form %.12g", ka, ce,
          cmax);
    CHECK(fabs(te - tmax) <= 1e-4, "ka %g: exact Tmax %.9g h, closed form %.9g h", ka, te, tmax);
    CHECK(cg < cmax * (1 - 1e-3), "ka %g: the grid's Cmax %.9g falls short of %.9g", ka, cg, cmax);
    /* the other columns do not change */
    CHECK(col(be, &exact, p, "AUC_x") == col(bg, &grid, p, "AUC_x") &&
              col(be, &exact, p, "Cmin_x") == col(bg, &grid, p, "Cmin_x"),
          "ka %g: AUC and Cmin stay the grid's", ka);
    double lz = col(bn, &nca, p, "lambda_z_x"), th = col(bn, &nca, p, "t_half_x");
    double ai = col(bn, &nca, p, "AUCinf_x"), r2 = col(bn, &nca, p, "r2_x");
    CHECK(fabs(lz - K_EL) <= 5e-3 * K_EL, "ka %g: lambda_z %.9g, k %.9g", ka, lz, K_EL);
    CHECK(fabs(th - log(2.0) / K_EL) <= 5e-3 * log(2.0) / K_EL, "ka %g: t1/2 %.9g h", ka, th);
    CHECK(fabs(ai - 1000 * D / CL) <= 5e-3 * 1000 * D / CL, "ka %g: AUCinf %.9g, D/CL %.9g", ka,
          ai, 1000 * D / CL);
    CHECK(r2 > 0.9999 && r2 <= 1, "ka %g: r2 %.9g", ka, r2);
    CHECK(isnan(col(bn, &nca, p, "Cmax_first_x")) && isnan(col(bn, &nca, p, "AUC_last_x")),
          "ka %g: one dose, no dosing interval", ka);
  }
  pk_batch_free(bg);
  pk_batch_free(be);
  pk_batch_free(bn);

  /* the receptor columns */
  pk_model *mr = pk_model_new();
  pk_compound_params x = unit_compound("x", 1000, 1.5, V, CL);
  const double tau = 5, K = 50;
  unit_ligand(&x, 2.0, 1.0, K, tau);
  CHECK(mr && unit_add(mr, &x) == 0, "receptor model");
  pk_batch *bg2 = run(mr, reg, sw, 0, 0, &grid);
  pk_batch *be2 = run(mr, reg, sw, 1, 0, &exact);
  for (int p = 0; p < NP; p++) {
    double om = col(be2, &exact, p, "occ_max"), em = col(be2, &exact, p, "E_max");
    double og = col(bg2, &grid, p, "occ_max");
    double xx = om / (1 - om), e_of_occ = tau * xx / (1 + (1 + tau) * xx);
    CHECK(fabs(em - e_of_occ) <= 1e-9 * e_of_occ, "ka %g: E_max %.12g, from occ_max %.12g",
          KA[p], em, e_of_occ);
    CHECK(om >= og, "ka %g: exact occ_max %.12g >= grid %.12g", KA[p], om, og);
    /* dense reference around the grid's peak time */
    pk_model *mk = pk_model_new();
    pk_compound_params xk = x;
    xk.ka_per_h = KA[p];
    CHECK(mk && unit_add(mk, &xk) == 0, "dense model");
    double tg = NAN;
    {
      pk_sim_options o = unit_options(72, 1);
      pk_trajectory *t = unit_simulate(mk, reg, &o);
      double best = -1;
      for (size_t i = 0; t && i < pk_trajectory_rows(t); i++)
        if (unit_get(t, i, "occ") > best) best = unit_get(t, i, "occ"), tg = unit_get(t, i, "time_h");
      pk_trajectory_free(t);
    }
    pk_sim_options o = unit_options(tg + 1, 1e-4);
    o.output_start_h = tg - 1 > 0 ? tg - 1 : 0;
    pk_trajectory *t = unit_simulate(mk, reg, &o);
    double dense = -1;
    for (size_t i = 0; t && i < pk_trajectory_rows(t); i++) dense = fmax(dense, unit_get(t, i, "occ"));
    CHECK(fabs(om - dense) <= 1e-8, "ka %g: occ_max %.12g, dense run %.12g", KA[p], om, dense);
    pk_trajectory_free(t);
    pk_model_free(mk);
  }
  pk_batch_free(bg2);
  pk_batch_free(be2);
  pk_model_free(mr);
  pk_sweep_free(sw);
  pk_regimen_free(reg);
  pk_model_free(m);
  return test_finish("unit_batch_exact_extrema_and_terminal_phase");
}
