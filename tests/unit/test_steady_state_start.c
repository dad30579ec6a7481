/* test_steady_state_start.c - starting at the periodic steady state of a
 * regimen (options.steady_state) must equal taking that regimen for a long
 * time.
 *
 * For each case, one period of doses R (times in [0, T)) is
 *  (a) the steady-state history, and R again as the regimen from t = 0,
 *      simulated over [0, T];
 *  (b) R repeated explicitly at j T + t_k for j = 0..N, simulated from rest
 *      and sampled over the last period [N T, (N + 1) T].
 * N is chosen from the slowest rate of the system (slowest eigenvalue of
 * each compound's central-peripheral block, ka, ke0, k_tol, and for a
 * kinetic ligand koff, which bounds its relaxation rate from below) so that
 * e^{-slowest N T} < 1e-14: what is left of the start from rest is below the
 * tolerance. Every output column of (a) must match (b) at the same phase,
 * except the cumulative eliminated amounts A_elim_*, which are not periodic:
 * their increase since the start of the period is compared instead.
 * With no regimen after t = 0, (a) must equal R repeated for j = 0..N - 1
 * only, sampled over [N T, (N + 1) T]: what runs on is the history's tails
 * (lagged doses and inputs crossing t = 0).
 * Cases: oral doses at 8, 14, 20 h every 24 h; a parent with a peripheral
 * compartment and a metabolite (systemic and first-pass conversion), a lag
 * that pushes a dose past the period boundary, a zero-order oral input
 * crossing it, a DEPOT dose with its own ka and F, IV boluses and an IV
 * infusion, three ligands and adaptation (exact and ODE paths); a kinetic
 * ligand with an equilibrium ligand, a lagged dose and a zero-order DEPOT
 * input across the boundary (ODE path).
 * Refused with PK_ERR_INVALID and a message: a steady-state regimen dosing
 * a compound with CL = 0 (directly, or a metabolite with CL = 0 formed from
 * what it doses), doses at t < 0 or t >= T, a period <= 0, an empty
 * steady-state regimen. A compound with CL = 0 that the history does not
 * reach is allowed and starts at 0.
 *
 * Tolerances: solver rtol 1e-12, atol 1e-15; every column to 1e-7 relative
 * plus 1e-12 absolute; net and W, differences of E and tol, to 1e-7 of
 * max(E, tol) plus 1e-12. */
#include "unit_helpers.h"

static const double rel_tol = 1e-7, abs_tol = 1e-12;

/* Slowest rate of a compound's own linear block: min of ka, ke0 and the
 * slowest eigenvalue of central + peripherals (one peripheral: closed
 * form; none: k10). */
static double slowest_rate(const pk_compound_params *p) {
  double k10 = p->CL_L_per_h / p->V_L, slow = fmin(k10, p->ka_per_h);
  if (p->n_peripheral == 1) {
    double k12 = p->Q_L_per_h[0] / p->V_L, k21 = p->Q_L_per_h[0] / p->Vp_L[0];
    double a = k10 + k12 + k21;
    slow = fmin(slow, 0.5 * (a - sqrt(a * a - 4.0 * k10 * k21)));
  }
  if (p->binds_receptor) slow = fmin(slow, p->ke0_per_h);
  if (p->binds_receptor && p->kinetic_binding) slow = fmin(slow, p->koff_per_h);
  return slow;
}

typedef struct ss_case {
  const char *name;
  pk_model *m;
  pk_regimen *period; /* one period of doses, times in [0, T) */
  double T;
  double slowest; /* including depot ka overrides of the regimen and k_tol */
} ss_case;

/* The regimen repeated for periods j = 0..n-1. */
static pk_regimen *repeated(const pk_regimen *one, double T, size_t n) {
  pk_regimen *r = pk_regimen_new();
  pk_error err;
  for (size_t j = 0; j < n; j++)
    for (size_t k = 0; k < pk_regimen_size(one); k++) {
      pk_dose d = pk_regimen_dose(one, k);
      d.t_h += (double)j * T;
      CHECK(pk_regimen_add(r, &d, &err) == PK_OK, "repeating dose %zu: %s", k, err.message);
    }
  return r;
}

static int is_elim(const char *name) { return strncmp(name, "A_elim_", 7) == 0; }

/* Compares trajectory a (rows at phase i) with b (rows at N T + phase i). */
static void compare(const pk_trajectory *a, const pk_trajectory *b, double t_shift,
                    const char *label) {
  size_t rows = pk_trajectory_rows(a), cols = pk_trajectory_cols(a);
  CHECK(rows == pk_trajectory_rows(b) && cols == pk_trajectory_cols(b),
        "%s: shapes %zu x %zu and %zu x %zu", label, rows, cols, pk_trajectory_rows(b),
        pk_trajectory_cols(b));
  if (rows != pk_trajectory_rows(b) || cols != pk_trajectory_cols(b)) return;
  int jE = unit_col(a, "E"), jtol = unit_col(a, "tol");
  size_t n_checked = 0;
  for (size_t j = 0; j < cols; j++) {
    const char *name = pk_trajectory_column_name(a, j);
    CHECK(strcmp(name, pk_trajectory_column_name(b, j)) == 0, "%s: column %zu is %s and %s",
          label, j, name, pk_trajectory_column_name(b, j));
    int elim = is_elim(name), diff = !strcmp(name, "net") || !strcmp(name, "W");
    for (size_t i = 0; i < rows; i++) {
      double va = pk_trajectory_get(a, i, j), vb = pk_trajectory_get(b, i, j);
      char what[240];
      snprintf(what, sizeof what, "%s: %s at phase %g h", label, name,
               pk_trajectory_get(a, i, 0));
      if (j == 0) {
        CHECK_CLOSE(va + t_shift, vb, 1e-14, 1e-9, what);
      } else if (elim) {
        CHECK_CLOSE(va - pk_trajectory_get(a, 0, j), vb - pk_trajectory_get(b, 0, j), rel_tol,
                    abs_tol, what);
      } else if (diff) {
        double scale = fmax(fabs(pk_trajectory_get(b, i, (size_t)jE)),
                            fabs(pk_trajectory_get(b, i, (size_t)jtol)));
        CHECK_CLOSE(va, vb, 0, rel_tol * scale + abs_tol, what);
      } else {
        CHECK_CLOSE(va, vb, rel_tol, abs_tol, what);
      }
      n_checked++;
    }
  }
  CHECK(n_checked > 100, "%s: only %zu values compared", label, n_checked);
}

static void check_case(const ss_case *c, pk_solver solver) {
  char label[200];
  snprintf(label, sizeof label, "unit_steady_state: %s (%s)", c->name, pk_solver_name(solver));
  const double step = c->T / 96.0;
  size_t N = (size_t)ceil(-log(1e-14) / (c->slowest * c->T)) + 1;
  printf("%s: slowest rate %.4g/h, N = %zu periods (%g h)\n", label, c->slowest, N,
         (double)N * c->T);
  /* (a) steady-state start, the period's doses again from 0 */
  pk_sim_options o = unit_options(c->T, step);
  o.solver = solver;
  o.steady_state = c->period;
  o.steady_state_period_h = c->T;
  pk_trajectory *a = unit_simulate(c->m, c->period, &o);
  /* (b) explicit repetition, last period */
  pk_regimen *rep = repeated(c->period, c->T, N + 1);
  pk_sim_options ob = unit_options((double)(N + 1) * c->T, step);
  ob.solver = solver;
  ob.output_start_h = (double)N * c->T;
  pk_trajectory *b = unit_simulate(c->m, rep, &ob);
  if (a && b) compare(a, b, (double)N * c->T, label);
  pk_trajectory_free(a);
  pk_trajectory_free(b);
  pk_regimen_free(rep);
  /* history only: its tails run on after t = 0 */
  char label2[240];
  snprintf(label2, sizeof label2, "%s, history only", label);
  pk_regimen *none = pk_regimen_new();
  a = unit_simulate(c->m, none, &o);
  rep = repeated(c->period, c->T, N);
  b = unit_simulate(c->m, rep, &ob);
  if (a && b) compare(a, b, (double)N * c->T, label2);
  pk_trajectory_free(a);
  pk_trajectory_free(b);
  pk_regimen_free(rep);
  pk_regimen_free(none);
}

static void add(pk_regimen *r, pk_dose d) {
  pk_error err;
  CHECK(pk_regimen_add(r, &d, &err) == PK_OK, "dose at %g h: %s", d.t_h, err.message);
}

static pk_dose dose_at(int compound, pk_route route, double t, double mg) {
  pk_dose d = pk_dose_default();
  d.compound = compound;
  d.route = route;
  d.t_h = t;
  d.amount_mg = mg;
  return d;
}

/* Oral doses at 8, 14, 20 h every 24 h; a ligand with adaptation. */
static ss_case oral_three_a_day(void) {
  ss_case c = {.name = "oral at 8, 14, 20 h every 24 h", .T = 24.0};
  c.m = pk_model_new();
  c.period = pk_regimen_new();
  pk_compound_params p = unit_compound("drug", 300.0, 1.0, 60.0, 9.0);
  unit_ligand(&p, 0.7, 0.6, 50.0, 4.0);
  int i = unit_add(c.m, &p);
  pk_error err;
  CHECK(pk_model_set_adaptation(c.m, 0.05, &err) == PK_OK, "k_tol: %s", err.message);
  const double t[3] = {8.0, 14.0, 20.0}, mg[3] = {10.0, 5.0, 15.0};
  for (int k = 0; k < 3; k++) add(c.period, dose_at(i, PK_ROUTE_ORAL, t[k], mg[k]));
  c.slowest = fmin(slowest_rate(&p), 0.05);
  return c;
}

/* Parent (peripheral, first pass and systemic conversion to a metabolite),
 * lag past the boundary, zero-order input across it, DEPOT with own ka and
 * F, IV bolus and infusion of a third ligand; adaptation. */
static ss_case everything(void) {
  ss_case c = {.name = "parent-metabolite, lag, infusion, depot, IV", .T = 24.0};
  c.m = pk_model_new();
  c.period = pk_regimen_new();
  pk_compound_params par = unit_compound("par", 398.5, 1.5, 100.0, 30.0);
  par.n_peripheral = 1;
  par.Vp_L[0] = 150.0;
  par.Q_L_per_h[0] = 20.0;
  unit_ligand(&par, 1.0, 0.5, 700.0, 0.5);
  pk_compound_params met = unit_compound("met", 414.5, 2.0, 80.0, 20.0);
  unit_ligand(&met, 2.0, 0.8, 10.0, 15.0);
  pk_compound_params ivd = unit_compound("ivd", 300.0, 1.0, 50.0, 25.0);
  unit_ligand(&ivd, 3.0, 1.0, 5.0, 30.0);
  int ip = unit_add(c.m, &par), im = unit_add(c.m, &met), iv = unit_add(c.m, &ivd);
  pk_error err;
  CHECK(pk_model_add_conversion(c.m, ip, im, 0.3, 0.2, &err) == PK_OK, "conversion: %s",
        err.message);
  CHECK(pk_model_set_adaptation(c.m, 0.1, &err) == PK_OK, "k_tol: %s", err.message);
  add(c.period, dose_at(ip, PK_ROUTE_ORAL, 8.0, 100.0));
  pk_dose late = dose_at(ip, PK_ROUTE_ORAL, 20.0, 60.0); /* absorbed from 26 h = 2 h next */
  late.lag_h = 6.0;
  add(c.period, late);
  pk_dose slow = dose_at(ip, PK_ROUTE_ORAL, 22.0, 50.0); /* input over 22-26 h */
  slow.duration_h = 4.0;
  add(c.period, slow);
  pk_dose depot = dose_at(im, PK_ROUTE_DEPOT, 14.0, 5.0);
  depot.ka_per_h = 0.8;
  depot.F = 0.7;
  add(c.period, depot);
  add(c.period, dose_at(iv, PK_ROUTE_IV, 3.0, 2.0));
  pk_dose inf = dose_at(iv, PK_ROUTE_IV, 12.0, 1.0);
  inf.duration_h = 2.0;
  add(c.period, inf);
  c.slowest = fmin(fmin(slowest_rate(&par), slowest_rate(&met)),
                   fmin(slowest_rate(&ivd), fmin(0.8, 0.1)));
  return c;
}

/* A kinetic ligand (ODE path) with an equilibrium ligand; compound lag; a
 * zero-order DEPOT input from 10 to 13 h every 12 h. */
static ss_case kinetic_ligand(void) {
  ss_case c = {.name = "kinetic ligand, lag, depot input across the boundary", .T = 12.0};
  c.m = pk_model_new();
  c.period = pk_regimen_new();
  pk_compound_params kin = unit_compound("kin", 350.0, 1.2, 70.0, 14.0);
  unit_ligand(&kin, 0.8, 0.9, NAN, 5.0);
  kin.kinetic_binding = 1;
  kin.kon_per_nM_h = 0.05;
  kin.koff_per_h = 0.5;
  kin.lag_h = 1.0;
  pk_compound_params eq = unit_compound("eq", 300.0, 1.0, 50.0, 25.0);
  unit_ligand(&eq, 1.5, 1.0, 20.0, 0.3);
  int ik = unit_add(c.m, &kin), ie = unit_add(c.m, &eq);
  pk_error err;
  CHECK(pk_model_set_adaptation(c.m, 0.08, &err) == PK_OK, "k_tol: %s", err.message);
  add(c.period, dose_at(ik, PK_ROUTE_ORAL, 0.0, 7.0));
  add(c.period, dose_at(ik, PK_ROUTE_ORAL, 6.0, 3.5));
  pk_dose in = dose_at(ik, PK_ROUTE_DEPOT, 10.0, 4.0);
  in.duration_h = 3.0;
  in.ka_per_h = 0.6;
  in.lag_h = 0.0;
  add(c.period, in);
  add(c.period, dose_at(ie, PK_ROUTE_IV, 4.0, 1.5));
  c.slowest = fmin(fmin(slowest_rate(&kin), slowest_rate(&eq)), fmin(0.6, 0.08));
  return c;
}

static void free_case(ss_case *c) {
  pk_regimen_free(c->period);
  pk_model_free(c->m);
}

/* simulate must fail with PK_ERR_INVALID and a message */
static void expect_invalid(const pk_model *m, const pk_regimen *hist, double T,
                           const char *label) {
  pk_regimen *r = pk_regimen_new();
  pk_sim_options o = unit_options(24.0, 1.0);
  o.steady_state = hist;
  o.steady_state_period_h = T;
  pk_trajectory *t = NULL;
  pk_error err;
  pk_error_clear(&err);
  pk_status st = pk_simulate(m, r, &o, &t, &err);
  CHECK(st == PK_ERR_INVALID && err.code == PK_ERR_INVALID && err.message[0] && !t,
        "unit_steady_state: %s: got %s (%s), expected PK_ERR_INVALID with a message", label,
        pk_status_str(st), err.message);
  printf("unit_steady_state: %s: refused: %s\n", label, err.message);
  pk_trajectory_free(t);
  pk_regimen_free(r);
}

static void refusals(void) {
  pk_model *m = pk_model_new();
  pk_compound_params a = unit_compound("elim", 300.0, 1.0, 50.0, 10.0);
  pk_compound_params z = unit_compound("noclear", 300.0, 1.0, 50.0, 0.0);
  pk_compound_params mz = unit_compound("metnoclear", 300.0, 1.0, 50.0, 0.0);
  int ia = unit_add(m, &a), iz = unit_add(m, &z), imz = unit_add(m, &mz);
  pk_error err;
  CHECK(pk_model_add_conversion(m, ia, imz, 0.5, 0.0, &err) == PK_OK, "conversion: %s",
        err.message);
  pk_regimen *h = pk_regimen_new();
  unit_dose(h, iz, PK_ROUTE_ORAL, 2.0, 10.0);
  expect_invalid(m, h, 24.0, "history dosing a compound with CL = 0");
  pk_regimen_free(h);
  h = pk_regimen_new();
  unit_dose(h, iz, PK_ROUTE_IV, 2.0, 10.0);
  expect_invalid(m, h, 24.0, "history with an IV dose of a compound with CL = 0");
  pk_regimen_free(h);
  h = pk_regimen_new();
  unit_dose(h, ia, PK_ROUTE_ORAL, 2.0, 10.0);
  expect_invalid(m, h, 24.0, "history forming a metabolite with CL = 0");
  pk_regimen_free(h);
  const double bad_t[3] = {-1.0, 24.0, 30.0};
  pk_model *m2 = pk_model_new();
  unit_add(m2, &a);
  unit_add(m2, &z); /* not dosed: allowed, stays 0 */
  for (int k = 0; k < 3; k++) {
    h = pk_regimen_new();
    unit_dose(h, ia, PK_ROUTE_ORAL, 2.0, 10.0);
    unit_dose(h, ia, PK_ROUTE_ORAL, bad_t[k], 10.0);
    char label[96];
    snprintf(label, sizeof label, "history dose at %g h, period 24 h", bad_t[k]);
    expect_invalid(m2, h, 24.0, label);
    pk_regimen_free(h);
  }
  h = pk_regimen_new();
  unit_dose(h, ia, PK_ROUTE_ORAL, 0.0, 10.0);
  expect_invalid(m2, h, 0.0, "period 0 h");
  expect_invalid(m2, h, -24.0, "period -24 h");
  pk_regimen *empty = pk_regimen_new();
  expect_invalid(m2, empty, 24.0, "empty steady-state regimen");
  pk_regimen_free(empty);
  /* accepted: the CL = 0 compound is not reached by the history, so it
   * starts at 0, and a dose at phase 0 is inside [0, T) */
  pk_regimen *r = pk_regimen_new();
  pk_sim_options o = unit_options(24.0, 1.0);
  o.steady_state = h;
  o.steady_state_period_h = 24.0;
  pk_trajectory *t = unit_simulate(m2, r, &o);
  for (size_t i = 0; t && i < pk_trajectory_rows(t); i++)
    CHECK(unit_get(t, i, "C_noclear") == 0.0 && unit_get(t, i, "A_depot_noclear") == 0.0 &&
              unit_get(t, i, "C_elim") > 0.0,
          "unit_steady_state: undosed CL = 0 compound: C_noclear %g, C_elim %g at row %zu",
          unit_get(t, i, "C_noclear"), unit_get(t, i, "C_elim"), i);
  CHECK(t != NULL, "unit_steady_state: a CL = 0 compound outside the history must be allowed");
  pk_trajectory_free(t);
  pk_regimen_free(r);
  pk_regimen_free(h);
  pk_model_free(m2);
  pk_model_free(m);
}

int main(void) {
  test_init();
  ss_case c = oral_three_a_day();
  check_case(&c, PK_SOLVER_EXACT);
  check_case(&c, PK_SOLVER_ODE);
  free_case(&c);
  c = everything();
  check_case(&c, PK_SOLVER_EXACT);
  check_case(&c, PK_SOLVER_ODE);
  free_case(&c);
  c = kinetic_ligand();
  check_case(&c, PK_SOLVER_ODE);
  free_case(&c);
  refusals();
  return test_finish("unit_steady_state_start_equals_long_simulation");
}
