/* sim_ode.c - the general simulation path: every state integrated with GSL's
 * gsl_odeiv2 driver, exactly up to each event, restarting after each jump;
 * and the periodic steady state used to start a subject "on a regimen for a
 * long time". */
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_odeiv2.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "fast.h"
#include "steady.h"
#include "exact.h"

/* Mutable state of one simulation, seen by the right-hand side. */
typedef struct sim_ctx {
  const pk_system *s;
  double *rate; /* zero-order inputs running, umol/h per linear state */
  int *active;  /* number of inputs running per linear state */
  double *ytmp, *f1, *f2; /* Jacobian scratch, n_states each */
} sim_ctx;

/* A steady state precomputed for an ss record: the state it sets (ss 1) or
 * adds (ss 2) and the inputs running then. */
typedef struct ss_entry {
  double *y;
  double *rate0;
  int *active0;
} ss_entry;

typedef struct stepper_type stepper_type;

typedef struct runner {
  const stepper_type *type; /* the solver path (stepper_for) */
  sim_ctx c;
  gsl_odeiv2_system sys;   /* the driver keeps a pointer to it */
  gsl_odeiv2_driver *drv;
  const pk_sim_options *o;
  const pk_regimen *main;  /* the regimen whose ss records ss_tab holds */
  ss_entry *ss_tab;        /* one per record of main (NULL where not ss) */
  double cancel_before_h;  /* inputs from records before this time are dropped */
  pk_exact *exact;         /* the exact path's workspace (NULL on the ODE path) */
  const pk_model *m;       /* for naming a state in a message */
  double *ymax;            /* largest |y_k| so far, per state (negative-state check) */
} runner;

static const double H0_H = 1e-3; /* first step after a restart, h */

pk_sim_options pk_sim_options_default(void) {
  return (pk_sim_options){.t_start_h = 0.0, .output_start_h = 0.0, .t_end_h = 24.0,
                          .output_step_h = 1.0, .tol0 = 0.0, .solver = PK_SOLVER_AUTO,
                          .method = PK_ODE_RK8PD,
                          .rtol = 1e-10, .atol = 1e-12, .include_amounts = 0,
                          .quad_tol = 1e-11,
                          .steady_state = NULL, .steady_state_period_h = 0.0};
}

const char *pk_solver_name(pk_solver solver) {
  switch (solver) {
  case PK_SOLVER_AUTO: return "auto";
  case PK_SOLVER_EXACT: return "exact";
  case PK_SOLVER_ODE: return "ode";
  }
  return "unknown";
}

void pk_gsl_error_handler_off(void) { gsl_set_error_handler_off(); }

int pk_sim_resolve_solver(const pk_model *m, const pk_sim_options *opt, pk_error *err) {
  int kinetic = 0;
  for (int i = 0; m && i < m->n_compounds; i++)
    kinetic |= m->compound[i].binds_receptor && m->compound[i].kinetic_binding;
  switch (opt->solver) {
  case PK_SOLVER_ODE: return PK_SOLVER_ODE;
  case PK_SOLVER_AUTO: return kinetic ? PK_SOLVER_ODE : PK_SOLVER_EXACT;
  case PK_SOLVER_EXACT:
    if (!kinetic) return PK_SOLVER_EXACT;
    pk_err_set(err, PK_ERR_INVALID, NULL, NULL,
               "the exact solver does not handle kinetic receptor binding; use the ode or "
               "auto solver");
    return -1;
  }
  pk_err_set(err, PK_ERR_INVALID, NULL, NULL, "unknown solver %d", (int)opt->solver);
  return -1;
}

const char *pk_ode_method_name(pk_ode_method method) {
  switch (method) {
  case PK_ODE_RK8PD: return "rk8pd";
  case PK_ODE_MSBDF: return "msbdf";
  case PK_ODE_RKF45: return "rkf45";
  }
  return "unknown";
}

static int rhs(double t, const double y[], double dydt[], void *params) {
  (void)t;
  const sim_ctx *c = params;
  const pk_system *s = c->s;
  int n = s->n_lin;
  for (int r = 0; r < n; r++) {
    const double *a = s->A + (size_t)r * (size_t)n;
    double acc = c->rate[r];
    for (int k = 0; k < n; k++) acc += a[k] * y[k];
    dydt[r] = acc;
  }
  pk_system_nonlinear_rhs(s, y, dydt);
  pk_system_enzyme_flows(s, y, dydt);
  for (int r = 0; r < s->n_states; r++)
    if (!isfinite(dydt[r])) return GSL_EBADFUNC;
  return GSL_SUCCESS;
}

/* Jacobian: A for the linear block (inputs do not depend on the state); the
 * nonlinear rows (tol, the filters wx and wf, bound fractions) by central
 * differences with respect to the states they depend on (effect sites, tol,
 * the filters, bound fractions). */
static int jac(double t, const double y[], double *dfdy, double dfdt[], void *params) {
  (void)t;
  sim_ctx *c = params;
  const pk_system *s = c->s;
  int n = s->n_lin, ns = s->n_states;
  memset(dfdy, 0, (size_t)ns * (size_t)ns * sizeof *dfdy);
  for (int r = 0; r < n; r++)
    memcpy(dfdy + (size_t)r * (size_t)ns, s->A + (size_t)r * (size_t)n, (size_t)n * sizeof *dfdy);
  memcpy(c->ytmp, y, (size_t)ns * sizeof *y);
  for (int k = -s->n_ligands; k < ns - n; k++) {
    int col = k < 0 ? s->lig_state[-k - 1] : n + k;
    double h = 1e-7 * fmax(fabs(y[col]), 1e-3);
    c->ytmp[col] = y[col] + h;
    pk_system_nonlinear_rhs(s, c->ytmp, c->f1);
    c->ytmp[col] = y[col] - h;
    pk_system_nonlinear_rhs(s, c->ytmp, c->f2);
    c->ytmp[col] = y[col];
    for (int r = n; r < ns; r++) dfdy[(size_t)r * (size_t)ns + (size_t)col] = (c->f1[r] - c->f2[r]) / (2 * h);
  }
  pk_system_enzyme_jacobian(s, y, dfdy);
  memset(dfdt, 0, (size_t)ns * sizeof *dfdt);
  return GSL_SUCCESS;
}

/* Every state to its start, nothing running, earlier records dropped. */
static void apply_reset(runner *r, const pk_event *e, double *y) {
  const pk_system *s = r->c.s;
  pk_system_initial_state(s, r->o->tol0, y);
  memset(r->c.rate, 0, (size_t)s->n_lin * sizeof *r->c.rate);
  memset(r->c.active, 0, (size_t)s->n_lin * sizeof *r->c.active);
  r->cancel_before_h = e->t_h;
}

static void apply_ss(runner *r, const pk_event *e, double *y) {
  const pk_system *s = r->c.s;
  const ss_entry *ss = &r->ss_tab[e->dose];
  int replace = r->main->dose[e->dose].ss == 1;
  int n = replace ? s->n_states : s->n_lin;
  for (int k = 0; k < n; k++) y[k] = replace ? ss->y[k] : y[k] + ss->y[k];
  for (int k = 0; k < s->n_lin; k++) {
    r->c.rate[k] += ss->rate0[k];
    r->c.active[k] += ss->active0[k];
  }
}

static void apply_event(runner *r, const pk_event *e, double *y) {
  sim_ctx *c = &r->c;
  int input = e->kind == PK_EV_BOLUS || e->kind == PK_EV_RATE_ON || e->kind == PK_EV_RATE_OFF;
  if (input && e->origin_h < r->cancel_before_h) return; /* dropped by a later reset */
  switch (e->kind) {
  case PK_EV_RESET: apply_reset(r, e, y); break;
  case PK_EV_SS: apply_ss(r, e, y); break;
  case PK_EV_BOLUS: y[e->state] += e->value; break;
  case PK_EV_RATE_ON:
    c->rate[e->state] += e->value;
    c->active[e->state]++;
    break;
  case PK_EV_RATE_OFF:
    c->rate[e->state] -= e->value;
    /* exactly zero once nothing runs, whatever the rounding of the sums */
    if (--c->active[e->state] <= 0) c->active[e->state] = 0, c->rate[e->state] = 0.0;
    break;
  }
}

/* Every state is >= 0 in exact arithmetic (amounts, concentrations, tol,
 * bound fractions). A state below its bound is a solver failure: on the
 * ODE path the bound is PK_NEGATIVE_STATE_FACTOR times the error the
 * stepper was asked to keep, atol + rtol * (largest |y_k| so far); on the
 * exact path, whose only error is rounding, EXACT_NEGATIVE_REL times the
 * largest magnitude of any state so far. The maxima are updated here. */
static const double EXACT_NEGATIVE_REL = 1e-9;

/* A solver path behind one interface, in the style of GSL's
 * gsl_odeiv2_step_type: its workspace opened and closed with the runner,
 * advance over an interval without events, restart after a jump (a dose),
 * and the negative-state bound and message of the path. */
struct stepper_type {
  const char *name;
  pk_status (*open)(runner *r, const pk_system *s, pk_error *err);
  void (*close)(runner *r);
  pk_status (*advance)(runner *r, double *t, double t_to, double *y, pk_error *err);
  void (*restart)(runner *r);
  int (*negative)(const runner *r, const double *y, double *bound);
  void (*negative_error)(const runner *r, const char *what, double value, double bound,
                         pk_error *err);
};

static pk_status check_state(runner *r, double t, const double *y, pk_error *err) {
  const pk_system *s = r->c.s;
  double bound = 0.0;
  int bad = r->type->negative(r, y, &bound);
  for (int k = 0; k < s->n_states; k++) r->ymax[k] = fmax(r->ymax[k], fabs(y[k]));
  if (bad < 0) return PK_OK;
  char what[160];
  pk_system_state_name(s, r->m, bad, what, sizeof what);
  r->type->negative_error(r, what, y[bad], bound, err);
  if (err) err->t_h = t;
  return PK_ERR_SOLVER;
}

/* ---- the exact path --------------------------------------------------------- */

static const stepper_type ODE_STEPPER;
static pk_status ode_open(runner *r, const pk_system *s, pk_error *err);

static pk_status exact_open(runner *r, const pk_system *s, pk_error *err) {
  if (!(r->exact = pk_exact_new(s))) return pk_err_nomem(err);
  if (pk_exact_takes(r->exact)) return PK_OK;
  pk_exact_free(r->exact);
  r->exact = NULL;
  /* an enzyme model without a modal decomposition: the ODE path when the
   * choice was automatic */
  if (r->o->solver == PK_SOLVER_AUTO) {
    r->type = &ODE_STEPPER;
    return ode_open(r, s, err);
  }
  return pk_err_set(err, PK_ERR_INVALID, NULL, NULL,
                    "the exact solver takes an enzyme model only when its linear part has a "
                    "modal decomposition with real eigenvalues (this one has not); use the ode "
                    "or auto solver");
}

static void exact_close(runner *r) {
  pk_exact_free(r->exact);
  r->exact = NULL;
}

static pk_status exact_advance(runner *r, double *t, double t_to, double *y, pk_error *err) {
  pk_status st = pk_exact_step(r->exact, t_to - *t, r->c.rate, y, err);
  if (st != PK_OK && err) {
    err->t_h = *t;
    char what[160];
    size_t used = strlen(err->message);
    pk_system_state_name(r->c.s, r->m, pk_exact_fastest_state(r->exact), what, sizeof what);
    if (st == PK_ERR_SOLVER && used + 32 < sizeof err->message)
      snprintf(err->message + used, sizeof err->message - used,
               " (the fastest rate is the outflow of %s)", what);
  }
  if (st != PK_OK) return st;
  *t = t_to;
  return check_state(r, *t, y, err);
}

static void exact_restart(runner *r) { (void)r; }

static int exact_negative(const runner *r, const double *y, double *bound) {
  return pk_system_negative_state(r->c.s, y, r->ymax, 0.0, 0.0, EXACT_NEGATIVE_REL, bound);
}

static void exact_negative_error(const runner *r, const char *what, double value, double bound,
                                 pk_error *err) {
  (void)r;
  pk_err_set(err, PK_ERR_SOLVER, NULL, NULL,
             "exact solver: %s went negative, %.6g, below -%.3g (1e-9 times the largest "
             "state so far): rounding has swamped the solution",
             what, value, bound);
}

/* ---- the ODE path ------------------------------------------------------------ */

static pk_status ode_open(runner *r, const pk_system *s, pk_error *err) {
  const pk_sim_options *opt = r->o;
  const gsl_odeiv2_step_type *type = opt->method == PK_ODE_MSBDF ? gsl_odeiv2_step_msbdf
                                     : opt->method == PK_ODE_RKF45 ? gsl_odeiv2_step_rkf45
                                                                   : gsl_odeiv2_step_rk8pd;
  r->sys = (gsl_odeiv2_system){rhs, jac, (size_t)s->n_states, &r->c};
  r->drv = gsl_odeiv2_driver_alloc_y_new(&r->sys, type, H0_H, opt->atol, opt->rtol);
  if (!r->drv) return pk_err_nomem(err);
  /* at most 1e6 steps between two outputs or events: the shipped scenarios
   * take a few hundred even at rtol 1e-13; an absurd rate (ka 1e8 /h) with
   * an explicit stepper would otherwise crawl for hours instead of failing */
  gsl_odeiv2_driver_set_nmax(r->drv, 1000000UL);
  return PK_OK;
}

static void ode_close(runner *r) {
  if (r->drv) gsl_odeiv2_driver_free(r->drv);
  r->drv = NULL;
}

static void ode_restart(runner *r) { gsl_odeiv2_driver_reset_hstart(r->drv, H0_H); }

static int ode_negative(const runner *r, const double *y, double *bound) {
  return pk_system_negative_state(r->c.s, y, r->ymax, r->o->atol, r->o->rtol, 0.0, bound);
}

static void ode_negative_error(const runner *r, const char *what, double value, double bound,
                               pk_error *err) {
  pk_err_set(err, PK_ERR_SOLVER, NULL, NULL,
             "ODE solver (%s, rtol %g, atol %g): %s went negative, %.6g, below -%.3g (%g "
             "times atol + rtol times its largest value so far): the solution is not "
             "accurate; use tighter rtol/atol, or msbdf for a stiff model",
             pk_ode_method_name(r->o->method), r->o->rtol, r->o->atol, what, value, bound,
             PK_NEGATIVE_STATE_FACTOR);
}

/* Integrates from *t to t_to with no event in between. The loop is
 * gsl_odeiv2_driver_apply's (same steps, same step-count limit), with the
 * state checked after every accepted step. */
static pk_status ode_advance(runner *r, double *t, double t_to, double *y, pk_error *err) {
  gsl_odeiv2_driver *d = r->drv;
  int gs = GSL_SUCCESS;
  d->n = 0;
  while (t_to - *t > 0.0 && gs == GSL_SUCCESS) {
    gs = gsl_odeiv2_evolve_apply(d->e, d->c, d->s, d->sys, t, t_to, &d->h, y);
    if (gs != GSL_SUCCESS) break;
    pk_status st = check_state(r, *t, y, err);
    if (st != PK_OK) return st;
    if (d->nmax > 0 && d->n > d->nmax) gs = GSL_EMAXITER;
    else if (fabs(d->h) > d->hmax) d->h = d->hmax;
    if (gs == GSL_SUCCESS && fabs(d->h) < d->hmin) gs = GSL_ENOPROG;
    d->n++;
  }
  if (gs == GSL_SUCCESS) return PK_OK;
  pk_status st = pk_err_set(err, PK_ERR_SOLVER, NULL, NULL,
                            "ODE solver (%s, rtol %g, atol %g) failed: %s",
                            pk_ode_method_name(r->o->method), r->o->rtol, r->o->atol,
                            gsl_strerror(gs));
  if (err) err->t_h = *t;
  return st;
}

static const stepper_type EXACT_STEPPER = {"exact", exact_open, exact_close, exact_advance,
                                           exact_restart, exact_negative,
                                           exact_negative_error};
static const stepper_type ODE_STEPPER = {"ode", ode_open, ode_close, ode_advance, ode_restart,
                                         ode_negative, ode_negative_error};

/* The stepper of a resolved path (pk_sim_resolve_solver). */
static const stepper_type *stepper_for(int path) {
  return path == PK_SOLVER_EXACT ? &EXACT_STEPPER : &ODE_STEPPER;
}

static pk_status advance(runner *r, double *t, double t_to, double *y, pk_error *err) {
  if (!(t_to > *t)) return PK_OK;
  return r->type->advance(r, t, t_to, y, err);
}

typedef pk_status (*sample_fn)(void *ctx, size_t k, double t_h, const double *y);

/* Runs from t0 with state y through the sorted events, calling fn at the n
 * sample times t_first + k * step. Events due at a sample time are applied
 * before the sample when events_first is set (post-dose rows), after it
 * otherwise. Events are merged when closer than a relative 1e-12. */
static pk_status run_segment(runner *r, const pk_event_list *ev, double t0, double *y,
                             double t_first, double step, size_t n, int events_first,
                             sample_fn fn, void *fn_ctx, pk_error *err) {
  double t = t0;
  size_t di = 0, k = 0;
  r->cancel_before_h = -INFINITY;
  r->type->restart(r);
  for (int j = 0; j < r->c.s->n_states; j++) r->ymax[j] = fabs(y[j]);
  while (di < ev->n && ev->ev[di].t_h < t0 - 1e-12 * fmax(1.0, fabs(t0))) di++;
  while (k < n) {
    double t_out = t_first + (double)k * step;
    double t_next = (di < ev->n && ev->ev[di].t_h < t_out) ? ev->ev[di].t_h : t_out;
    pk_status st = advance(r, &t, t_next, y, err);
    if (st != PK_OK) return st;
    t = t_next;
    double eps = 1e-12 * fmax(1.0, fabs(t));
    int due_output = t_out <= t + eps;
    if (due_output && !events_first) {
      if ((st = fn(fn_ctx, k++, t_out, y)) != PK_OK) return st;
      due_output = 0;
    }
    int jumped = 0;
    while (di < ev->n && ev->ev[di].t_h <= t + eps) apply_event(r, &ev->ev[di++], y), jumped = 1;
    if (jumped) {
      r->type->restart(r);
      for (int j = 0; j < r->c.s->n_states; j++) r->ymax[j] = fmax(r->ymax[j], fabs(y[j]));
    }
    if (due_output && (st = fn(fn_ctx, k++, t_out, y)) != PK_OK) return st;
  }
  return PK_OK;
}

/* ---- periodic steady state ---------------------------------------------- */

typedef struct ss_samples {
  int n_lin;
  double *Y; /* linear states at the end of each period, M rows */
} ss_samples;

static pk_status keep_linear(void *ctx, size_t k, double t_h, const double *y) {
  (void)t_h;
  ss_samples *s = ctx;
  memcpy(s->Y + k * (size_t)s->n_lin, y, (size_t)s->n_lin * sizeof *y);
  return PK_OK;
}

static pk_status keep_last(void *ctx, size_t k, double t_h, const double *y) {
  (void)k, (void)t_h;
  ss_samples *s = ctx;
  memcpy(s->Y, y, (size_t)s->n_lin * sizeof *y);
  return PK_OK;
}

/* Linear states that reach a steady state: those the history's inputs
 * reach through A (others stay 0), but not the cumulative eliminated
 * amounts, which nothing depends on. */
static int reduced_index(const pk_system *s, const pk_event_list *ev, int *idx) {
  int n_lin = s->n_lin, reach[512] = {0}, grew = 1, n = 0;
  for (size_t k = 0; k < ev->n; k++)
    if (ev->ev[k].state >= 0 && ev->ev[k].state < n_lin) reach[ev->ev[k].state] = 1;
  while (grew) {
    grew = 0;
    for (int i = 0; i < n_lin; i++)
      for (int j = 0; j < n_lin && !reach[i]; j++)
        if (reach[j] && s->A[(size_t)i * (size_t)n_lin + (size_t)j] != 0.0) reach[i] = grew = 1;
  }
  for (int k = 0; k < n_lin; k++) {
    int is_elim = 0;
    for (int i = 0; i < s->n_compounds; i++) is_elim |= s->elim[i] == k;
    if (reach[k] && !is_elim) idx[n++] = k;
  }
  return n;
}

/* x = sum_{j<M} Y_j + (I - exp(A T))^{-1} Y_M over the reduced states: the
 * state at the start of a period after infinitely many periods, by
 * superposition of the linear responses to each past period. */
static pk_status solve_linear_ss(const pk_system *s, const pk_event_list *ev, double T,
                                 const double *Y, size_t M, double *x, pk_error *err) {
  int idx[512], nr = reduced_index(s, ev, idx);
  gsl_matrix *A = gsl_matrix_alloc((size_t)nr, (size_t)nr);
  gsl_matrix *Phi = gsl_matrix_alloc((size_t)nr, (size_t)nr);
  gsl_permutation *p = gsl_permutation_alloc((size_t)nr);
  gsl_vector *b = gsl_vector_alloc((size_t)nr), *sol = gsl_vector_alloc((size_t)nr);
  pk_status st = PK_OK;
  if (!A || !Phi || !p || !b || !sol) {
    st = pk_err_nomem(err);
    goto done;
  }
  for (int i = 0; i < nr; i++)
    for (int j = 0; j < nr; j++)
      gsl_matrix_set(A, (size_t)i, (size_t)j, T * s->A[(size_t)idx[i] * (size_t)s->n_lin + (size_t)idx[j]]);
  if (gsl_linalg_exponential_ss(A, Phi, GSL_PREC_DOUBLE) != GSL_SUCCESS) {
    st = pk_err_set(err, PK_ERR_SOLVER, NULL, NULL, "matrix exponential of one period failed");
    goto done;
  }
  gsl_matrix_scale(Phi, -1.0);
  for (int i = 0; i < nr; i++) gsl_matrix_set(Phi, (size_t)i, (size_t)i, 1.0 + gsl_matrix_get(Phi, (size_t)i, (size_t)i));
  int sign;
  gsl_linalg_LU_decomp(Phi, p, &sign);
  for (int i = 0; i < nr; i++)
    if (fabs(gsl_matrix_get(Phi, (size_t)i, (size_t)i)) < 1e-13) {
      st = pk_err_set(err, PK_ERR_INVALID, NULL, NULL,
                      "the steady-state regimen has no periodic steady state: a compound "
                      "that it doses is not eliminated (CL = 0)");
      goto done;
    }
  const double *last = Y + (M - 1) * (size_t)s->n_lin;
  for (int i = 0; i < nr; i++) gsl_vector_set(b, (size_t)i, last[idx[i]]);
  gsl_linalg_LU_solve(Phi, p, b, sol);
  memset(x, 0, (size_t)s->n_lin * sizeof *x);
  for (int i = 0; i < nr; i++) {
    double acc = gsl_vector_get(sol, (size_t)i);
    for (size_t j = 0; j + 1 < M; j++) acc += Y[j * (size_t)s->n_lin + (size_t)idx[i]];
    x[idx[i]] = acc;
  }
done:
  gsl_vector_free(sol);
  gsl_vector_free(b);
  gsl_permutation_free(p);
  gsl_matrix_free(Phi);
  gsl_matrix_free(A);
  return st;
}

static void reset_inputs(sim_ctx *c, const double *rate0, const int *active0) {
  memcpy(c->rate, rate0, (size_t)c->s->n_lin * sizeof *rate0);
  memcpy(c->active, active0, (size_t)c->s->n_lin * sizeof *active0);
}

/* solve_linear_ss for a model with enzymes: the linear system with every
 * activity at its baseline (the flows folded into A), a first guess of the
 * periodic state that periodic_newton then makes exact. */
static pk_status solve_baseline_ss(const pk_system *s, const pk_event_list *ev, double T,
                                   const double *Y, size_t M, double *x, pk_error *err) {
  pk_system lin = *s;
  size_t n = (size_t)s->n_lin;
  lin.A = malloc(n * n * sizeof *lin.A);
  if (!lin.A) return pk_err_nomem(err);
  memcpy(lin.A, s->A, n * n * sizeof *lin.A);
  for (int k = 0; k < s->n_eflow; k++) {
    const struct pk_eflow *f = &s->eflow[k];
    lin.A[(size_t)f->from * n + (size_t)f->from] -= f->k_per_h;
    lin.A[(size_t)f->to * n + (size_t)f->from] += f->k_per_h;
  }
  lin.n_eflow = 0;
  pk_status st = solve_linear_ss(&lin, ev, T, Y, M, x, err);
  free(lin.A);
  for (int e = 0; e < s->n_enz; e++) x[s->enz[e]] = 1.0;
  return st;
}

/* The periodic state of a nonlinear model (enzymes: the linear states
 * depend on the activities) by Newton's method on the one-period map Phi:
 * x = Phi(x) over every state but the eliminated amounts, tol and the
 * filters (which follow in closed form), the Jacobian of Phi by forward
 * differences (one period per state). Converged when no state moves by
 * more than the ODE solver resolves, 10 (atol + rtol |x|), or 1e-13 if
 * larger; smp->Y holds the state at the end of the last period run (from
 * x, tol and the filters at 0). */
static pk_status periodic_newton(runner *r, const pk_event_list *per, double T,
                                 const double *rate0, const int *active0, double *x,
                                 ss_samples *smp, pk_error *err) {
  const pk_system *s = r->c.s;
  const pk_sim_options *o = r->o;
  int ns = s->n_states, idx[512], n = 0;
  for (int k = 0; k < ns && n < 512; k++) {
    int skip = k >= s->tol && k <= s->tol + s->n_filt;
    for (int i = 0; i < s->n_compounds; i++) skip |= s->elim[i] == k;
    if (!skip) idx[n++] = k;
  }
  double *y = malloc((size_t)ns * sizeof *y), *xh = malloc((size_t)ns * sizeof *xh);
  double *f0 = malloc((size_t)n * sizeof *f0);
  gsl_matrix *J = gsl_matrix_alloc((size_t)n, (size_t)n);
  gsl_vector *b = gsl_vector_alloc((size_t)n), *dx = gsl_vector_alloc((size_t)n);
  gsl_permutation *p = gsl_permutation_alloc((size_t)n);
  pk_status st = y && xh && f0 && J && b && dx && p ? PK_OK : pk_err_nomem(err);
  /* Phi(x) - x at y's reduced states, from the state x */
#define PERIOD(xin)                                                                             do {                                                                                            memcpy(y, (xin), (size_t)ns * sizeof *y);                                                     for (int k = s->tol; k <= s->tol + s->n_filt; k++) y[k] = 0.0;                               for (int i = 0; i < s->n_compounds; i++) y[s->elim[i]] = 0.0;                                 reset_inputs(&r->c, rate0, active0);                                                          st = run_segment(r, per, 0.0, y, T, T, 1, 0, keep_last, smp, err);                          } while (0)
  int converged = 0;
  for (int it = 0; it < 50 && st == PK_OK && !converged; it++) {
    PERIOD(x);
    if (st != PK_OK) break;
    double excess = 0.0;
    for (int i = 0; i < n; i++) {
      int k = idx[i];
      f0[i] = smp->Y[k] - x[k];
      double allowed = fmax(1e-13, 10.0 * (o->atol + o->rtol * fabs(smp->Y[k])));
      excess = fmax(excess, fabs(f0[i]) / allowed);
    }
    if ((converged = excess <= 1.0)) break;
    for (int j = 0; j < n && st == PK_OK; j++) {
      memcpy(xh, x, (size_t)ns * sizeof *xh);
      double h = 1e-6 * fmax(fabs(x[idx[j]]), 1e-3);
      xh[idx[j]] += h;
      PERIOD(xh);
      for (int i = 0; i < n && st == PK_OK; i++)
        gsl_matrix_set(J, (size_t)i, (size_t)j,
                       (smp->Y[idx[i]] - xh[idx[i]] - f0[i]) / h);
    }
    if (st != PK_OK) break;
    int sign;
    for (int i = 0; i < n; i++) gsl_vector_set(b, (size_t)i, -f0[i]);
    if (gsl_linalg_LU_decomp(J, p, &sign) != GSL_SUCCESS ||
        gsl_linalg_LU_solve(J, p, b, dx) != GSL_SUCCESS) {
      st = pk_err_set(err, PK_ERR_SOLVER, NULL, NULL,
                      "the periodic steady state: a singular Newton step");
      break;
    }
    for (int i = 0; i < n; i++) x[idx[i]] += gsl_vector_get(dx, (size_t)i);
  }
#undef PERIOD
  if (st == PK_OK && !converged)
    st = pk_err_set(err, PK_ERR_SOLVER, NULL, NULL,
                    "the periodic steady state was not reached in 50 Newton steps");
  gsl_permutation_free(p);
  gsl_vector_free(dx);
  gsl_vector_free(b);
  gsl_matrix_free(J);
  free(f0);
  free(xh);
  free(y);
  return st;
}

/* The periodic steady state of regimen hist repeated every T hours, at
 * phase 0 placed at time t0_h: state y, inputs running then (rate0,
 * active0), and the history's events still to come after t0_h, appended to
 * `pending` with origin t0_h and order `order`. */
static pk_status steady_state(runner *r, const pk_model *m, const pk_regimen *hist, double T,
                              double t0_h, size_t order, double *y, double *rate0,
                              int *active0, pk_event_list *pending, pk_error *err) {
  const pk_system *s = r->c.s;
  const pk_sim_options *o = r->o;
  pk_event_list ev = {0}, per = {0};
  ss_samples smp = {.n_lin = s->n_lin};
  pk_status st = pk_events_from_regimen(&ev, s, m, hist, 0.0, err);
  if (st != PK_OK) goto done;
  pk_events_sort(&ev);
  double t_fin = ev.n ? ev.ev[ev.n - 1].t_h : 0.0;
  size_t M = (size_t)floor(t_fin / T) + 1; /* every input of a period ends before M T */
  if (M > 100000) {
    st = pk_err_set(err, PK_ERR_INVALID, NULL, NULL,
                    "steady-state inputs last %g h, more than 100000 periods", t_fin);
    goto done;
  }
  smp.Y = malloc(M * (size_t)s->n_lin * sizeof *smp.Y);
  if (!smp.Y) {
    st = pk_err_nomem(err);
    goto done;
  }
  /* one period's doses from rest, sampled at the end of each period before
   * the events due then */
  pk_system_initial_state(s, 0.0, y);
  memset(rate0, 0, (size_t)s->n_lin * sizeof *rate0);
  memset(active0, 0, (size_t)s->n_lin * sizeof *active0);
  reset_inputs(&r->c, rate0, active0);
  if ((st = run_segment(r, &ev, 0.0, y, T, T, M, 0, keep_linear, &smp, err)) != PK_OK) goto done;
  double *x = calloc((size_t)s->n_states, sizeof *x); /* bound fractions start at 0 */
  if (!x) {
    st = pk_err_nomem(err);
    goto done;
  }
  if ((st = (s->n_enz ? solve_baseline_ss : solve_linear_ss)(s, &ev, T, smp.Y, M, x, err)) !=
      PK_OK) {
    free(x);
    goto done;
  }
  /* events of all past periods folded into one period; inputs running at
   * phase 0; and the past's events after phase 0 for the main run */
  for (size_t j = 0; j <= M && st == PK_OK; j++)
    for (size_t k = 0; k < ev.n && st == PK_OK; k++) {
      pk_event e = ev.ev[k];
      e.t_h -= (double)j * T;
      if (e.t_h >= 0 && e.t_h < T) st = pk_events_push(&per, &e, err);
      if (j >= 1 && e.t_h < 0 && e.kind != PK_EV_BOLUS) {
        double sign = e.kind == PK_EV_RATE_ON ? 1.0 : -1.0;
        rate0[e.state] += sign * e.value;
        active0[e.state] += (int)sign;
      }
      if (j >= 1 && e.t_h >= 0) {
        e.t_h += t0_h;
        e.origin_h = t0_h;
        e.order = order;
        st = pk_events_push(pending, &e, err);
      }
    }
  for (int k = 0; k < s->n_lin; k++)
    if (active0[k] == 0) rate0[k] = 0.0;
  pk_events_sort(&per);
  /* nonlinear states: bound fractions by iterating periods (the linear part
   * is already periodic), then tol from its linear fixed point */
  double *yT = malloc((size_t)s->n_states * sizeof *yT);
  smp.Y = realloc(smp.Y, (size_t)s->n_states * sizeof *smp.Y);
  if (!yT || !smp.Y) {
    free(x);
    free(yT);
    st = pk_err_nomem(err);
    goto done;
  }
  smp.n_lin = s->n_states;
  int converged = 0;
  if (s->n_enz) {
    st = periodic_newton(r, &per, T, rate0, active0, x, &smp, err);
    converged = st == PK_OK;
  }
  for (int it = 0; it < 2000 && st == PK_OK && !converged; it++) {
    memcpy(yT, x, (size_t)s->n_states * sizeof *x);
    for (int k = s->tol; k <= s->tol + s->n_filt; k++) yT[k] = 0.0;
    reset_inputs(&r->c, rate0, active0);
    st = run_segment(r, &per, 0.0, yT, T, T, 1, 0, keep_last, &smp, err);
    if (st != PK_OK) break;
    /* converged when no bound fraction moves by more than the ODE solver
     * resolves (10 (atol + rtol |x|)), or by 1e-13 if that is larger: a
     * tighter bound than the integration's own error is never met */
    double excess = 0.0;
    for (int k = s->tol + 1 + s->n_filt; k < s->n_states; k++) {
      double allowed = fmax(1e-13, 10.0 * (o->atol + o->rtol * fabs(smp.Y[k])));
      excess = fmax(excess, fabs(smp.Y[k] - x[k]) / allowed);
      x[k] = smp.Y[k];
    }
    converged = excess <= 1.0;
  }
  if (st == PK_OK && !converged)
    st = pk_err_set(err, PK_ERR_SOLVER, NULL, NULL,
                    "receptor binding did not reach a periodic steady state in 2000 periods");
  if (st == PK_OK) {
    pk_system_pd_periodic(s, T, smp.Y[s->tol], smp.Y + s->tol + 1, o->tol0, x);
    memcpy(y, x, (size_t)s->n_states * sizeof *x);
  }
  free(x);
  free(yT);
done:
  free(smp.Y);
  pk_events_release(&per);
  pk_events_release(&ev);
  return st;
}

/* The one-dose history whose periodic steady state an ss record starts
 * from: the record's dose every ii_h, its lag and duration whatever they
 * are (inputs lasting longer than the interval, or lagged past it, overlap
 * the later periods: the history's tails carry the earlier inputs still
 * running or still to come at the record); or for a constant input (ii_h
 * 0) a zero-order input covering a whole period at the record's rate. */
static void ss_history(const pk_dose *d, pk_dose *h, double *T) {
  *h = *d;
  h->t_h = 0.0;
  h->ss = 0;
  h->reset = 0;
  *T = d->ii_h;
  if (*T == 0.0) {
    *T = 24.0;
    h->amount_mg = d->rate_mg_per_h * *T;
    h->rate_mg_per_h = 0.0;
    h->duration_h = *T;
    h->F = 1.0;
    h->lag_h = 0.0;
  }
}

static void free_ss_table(runner *run) {
  for (size_t k = 0; run->ss_tab && run->main && k < run->main->n; k++) {
    free(run->ss_tab[k].y);
    free(run->ss_tab[k].rate0);
    free(run->ss_tab[k].active0);
  }
  free(run->ss_tab);
  run->ss_tab = NULL;
}

/* The steady state of every ss record of r, computed before the run; the
 * tails of each one's history go into ev. */
static pk_status precompute_ss_records(runner *run, const pk_model *m, const pk_regimen *r,
                                       pk_event_list *ev, pk_error *err) {
  const pk_system *s = run->c.s;
  int any = 0;
  for (size_t k = 0; r && k < r->n; k++) any |= r->dose[k].ss != 0;
  if (!any) return PK_OK;
  run->ss_tab = calloc(r->n, sizeof *run->ss_tab);
  pk_regimen *hist = pk_regimen_new();
  pk_status st = run->ss_tab && hist ? PK_OK : pk_err_nomem(err);
  for (size_t k = 0; k < r->n && st == PK_OK; k++) {
    const pk_dose *d = &r->dose[k];
    if (!d->ss) continue;
    ss_entry *e = &run->ss_tab[k];
    e->y = calloc((size_t)s->n_states, sizeof *e->y);
    e->rate0 = calloc((size_t)s->n_lin, sizeof *e->rate0);
    e->active0 = calloc((size_t)s->n_lin, sizeof *e->active0);
    if (!e->y || !e->rate0 || !e->active0) {
      st = pk_err_nomem(err);
      break;
    }
    pk_dose h;
    double T;
    hist->n = 0;
    ss_history(d, &h, &T);
    if ((st = pk_regimen_add(hist, &h, err)) == PK_OK)
      st = steady_state(run, m, hist, T, d->t_h, 4 * k + 2, e->y, e->rate0, e->active0, ev, err);
  }
  pk_regimen_free(hist);
  return st;
}

/* ---- the simulation -------------------------------------------------------- */

static pk_status check_options(const pk_sim_options *o, pk_error *err) {
#define BAD(...) return pk_err_set(err, PK_ERR_INVALID, NULL, NULL, __VA_ARGS__)
  if (!isfinite(o->t_start_h) || !isfinite(o->output_start_h) || !isfinite(o->t_end_h))
    BAD("simulation start, output start and end must be finite");
  if (o->output_start_h < o->t_start_h)
    BAD("output start %g h is before the simulation start %g h", o->output_start_h,
        o->t_start_h);
  if (!(o->t_end_h > o->output_start_h))
    BAD("end time %g h must be after the output start %g h", o->t_end_h, o->output_start_h);
  if (!(isfinite(o->output_step_h) && o->output_step_h > 0))
    BAD("output step must be finite and > 0 h, got %g", o->output_step_h);
  if ((o->t_end_h - o->output_start_h) / o->output_step_h > 1e8)
    BAD("more than 1e8 output rows requested (duration / step)");
  if (!(isfinite(o->tol0) && o->tol0 >= 0))
    BAD("initial adaptation level must be finite and >= 0, got %g", o->tol0);
  if (!(o->rtol >= PK_RTOL_MIN && o->rtol <= PK_RTOL_MAX))
    BAD("relative tolerance rtol must be in [%g, %g], got %g (tighter is below double "
        "precision, looser bounds no error)", PK_RTOL_MIN, PK_RTOL_MAX, o->rtol);
  if (!(o->atol > 0 && o->atol <= PK_ATOL_MAX))
    BAD("absolute tolerance atol must be in (0, %g] in state units (umol, nM, fractions), "
        "got %g", PK_ATOL_MAX, o->atol);
  if (o->method != PK_ODE_RK8PD && o->method != PK_ODE_MSBDF && o->method != PK_ODE_RKF45)
    BAD("unknown ODE method %d", (int)o->method);
  if (o->steady_state) {
    if (!(isfinite(o->steady_state_period_h) && o->steady_state_period_h > 0))
      BAD("steady-state period must be finite and > 0 h, got %g", o->steady_state_period_h);
    if (o->steady_state->n == 0) BAD("the steady-state regimen has no dose");
    for (size_t k = 0; k < o->steady_state->n; k++) {
      double t = o->steady_state->dose[k].t_h;
      if (!(t >= 0 && t < o->steady_state_period_h))
        BAD("steady-state dose %zu at %g h is outside its period [0, %g) h", k, t,
            o->steady_state_period_h);
    }
  }
#undef BAD
  return PK_OK;
}

static pk_status check_regimen(const pk_regimen *r, const pk_sim_options *o, pk_error *err) {
  if ((!r || r->n == 0) && !o->steady_state)
    return pk_err_set(err, PK_ERR_INVALID, NULL, NULL, "the regimen has no dose");
  for (size_t k = 0; r && k < r->n; k++) {
    const pk_dose *d = &r->dose[k];
    if (d->t_h < o->t_start_h || d->t_h > o->t_end_h)
      return pk_err_set(err, PK_ERR_INVALID, NULL, NULL,
                        "dose %zu at t = %g h is outside the simulated time [%g, %g] h", k,
                        d->t_h, o->t_start_h, o->t_end_h);
  }
  return PK_OK;
}

typedef struct out_ctx {
  const pk_system *s;
  pk_trajectory *traj;
  double *row;
} out_ctx;

static pk_status write_row(void *ctx, size_t k, double t_h, const double *y) {
  (void)k;
  out_ctx *c = ctx;
  pk_system_output_row(c->s, t_h, y, c->row);
  return pk_trajectory_append(c->traj, c->row);
}

/* The runner's buffers, ODE driver and (exact path) propagator cache for
 * system s under opt; runner_close releases them (also after a failure). */
static pk_status runner_open(runner *run, const pk_model *m, const pk_system *s,
                             const pk_sim_options *opt, int path, pk_error *err) {
  size_t ns = (size_t)s->n_states, nl = (size_t)s->n_lin;
  *run = (runner){.type = stepper_for(path), .c = {.s = s}, .o = opt, .m = m};
  run->ymax = calloc(ns, sizeof *run->ymax);
  run->c.rate = calloc(nl, sizeof *run->c.rate);
  run->c.active = calloc(nl, sizeof *run->c.active);
  run->c.ytmp = malloc(ns * sizeof(double));
  run->c.f1 = calloc(ns, sizeof(double));
  run->c.f2 = calloc(ns, sizeof(double));
  if (!run->c.rate || !run->c.active || !run->c.ytmp || !run->c.f1 || !run->c.f2 || !run->ymax)
    return pk_err_nomem(err);
  return run->type->open(run, s, err);
}

static void runner_close(runner *run) {
  free_ss_table(run);
  if (run->type) run->type->close(run);
  free(run->c.f2);
  free(run->c.f1);
  free(run->c.ytmp);
  free(run->c.active);
  free(run->c.rate);
  free(run->ymax);
}

/* ---- the exact path through the batch kernel ---- */

typedef struct kernel_rows {
  pk_trajectory *t;
  int nomem;
} kernel_rows;

static int kernel_row(void *ctx, int lane, size_t k, const double *row) {
  (void)lane, (void)k;
  kernel_rows *kr = ctx;
  if (pk_trajectory_append(kr->t, row) != PK_OK) return kr->nomem = 1;
  return 0;
}

/* The exact path for what the batch kernel takes: the subject alone in a
 * pack of the width pk_batch_run uses, so that a subject gets the same
 * numbers here as in a population, a sweep or the taper optimiser (fast.h:
 * a lane's values do not depend on the other lanes). Returns 1 with *st
 * the outcome (PK_OK and *out, or out of memory), 0 if the kernel does not
 * take the subject or fails on it (the general exact path then runs). */
static int simulate_kernel(const pk_model *m, const pk_regimen *r, const pk_sim_options *opt,
                           double pre_step_h, pk_trajectory **out, pk_status *st, pk_error *err) {
  /* pk_sim_extremum's runs (pre_step_h > 0) take one lane: a window of one
   * subject gains nothing from the width of a pack, whose tables cost as
   * many lanes as it has */
  pk_fast *f = pre_step_h > 0 ? pk_fast_new_lanes(1) : pk_fast_new();
  if (!f) return 0;
  pk_fast_set_pre_step(f, pre_step_h);
  pk_error e;
  pk_error_clear(&e);
  int taken = 0;
  int lane = pk_fast_lane(f, 0, m, r, opt, &e);
  if (lane == PK_FAST_READY) {
    const pk_system *s = pk_fast_system(f, 0);
    size_t n_out = pk_sim_output_rows(opt);
    kernel_rows kr = {.t = pk_trajectory_alloc((size_t)s->n_cols, n_out)};
    if (!kr.t || pk_system_name_columns(s, m, kr.t) != PK_OK) {
      *st = pk_err_nomem(err);
      taken = 1;
    } else {
      pk_status ls;
      pk_fast_run(f, 1, opt, kernel_row, &kr, NULL, NULL, NULL, &ls, &e);
      if (kr.nomem) {
        *st = pk_err_nomem(err);
        taken = 1;
      } else if (ls == PK_OK && pk_trajectory_rows(kr.t) == n_out) {
        *out = kr.t;
        kr.t = NULL;
        *st = PK_OK;
        taken = 1;
      }
    }
    pk_trajectory_free(kr.t);
  } else if (lane < 0) {
    *st = pk_err_nomem(err);
    taken = 1;
  }
  pk_fast_free(f);
  return taken;
}

/* The checks pk_simulate and pk_sim_layout make before anything else;
 * *path the solver path. */
static pk_status sim_checks(const pk_model *m, const pk_regimen *r, const pk_sim_options *opt,
                            pk_trajectory **out, int *path, pk_error *err) {
  pk_error_clear(err);
  if (!m || !opt || !out)
    return pk_err_set(err, PK_ERR_INVALID, NULL, NULL, "no model, options or output");
  *out = NULL;
  pk_status st = check_options(opt, err);
  if (st == PK_OK) st = check_regimen(r, opt, err);
  if (st != PK_OK) return st;
  *path = pk_sim_resolve_solver(m, opt, err);
  return *path < 0 ? (err ? err->code : PK_ERR_INVALID) : PK_OK;
}

pk_status pk_sim_layout(const pk_model *m, const pk_regimen *r, const pk_sim_options *opt,
                        pk_trajectory **out, pk_error *err) {
  int path;
  pk_status st = sim_checks(m, r, opt, out, &path, err);
  if (st != PK_OK) return st;
  pk_system s;
  const pk_regimen *regs[2] = {r, opt->steady_state};
  if ((st = pk_system_init(&s, m, regs, 2, opt->include_amounts, err)) == PK_OK) {
    pk_trajectory *t = pk_trajectory_alloc((size_t)s.n_cols, 1);
    if (!t || pk_system_name_columns(&s, m, t) != PK_OK) {
      pk_trajectory_free(t);
      st = pk_err_nomem(err);
    } else {
      *out = t;
    }
  }
  pk_system_release(&s);
  return st;
}

pk_status pk_simulate(const pk_model *m, const pk_regimen *r, const pk_sim_options *opt,
                      pk_trajectory **out, pk_error *err) {
  return pk_sim_run_pre(m, r, opt, 0.0, out, err);
}

pk_status pk_sim_run_pre(const pk_model *m, const pk_regimen *r, const pk_sim_options *opt,
                         double pre_step_h, pk_trajectory **out, pk_error *err) {
  int path;
  pk_status st = sim_checks(m, r, opt, out, &path, err);
  if (st != PK_OK) return st;
  if (path == PK_SOLVER_EXACT && simulate_kernel(m, r, opt, pre_step_h, out, &st, err)) return st;
  pk_system s;
  const pk_regimen *regs[2] = {r, opt->steady_state};
  if ((st = pk_system_init(&s, m, regs, 2, opt->include_amounts, err)) != PK_OK) {
    pk_system_release(&s);
    return st;
  }
  size_t ns = (size_t)s.n_states, nl = (size_t)s.n_lin;
  size_t n_out = pk_sim_output_rows(opt);
  runner run;
  pk_event_list ev = {0};
  out_ctx oc = {.s = &s};
  double *y = calloc(ns, sizeof *y), *rate0 = calloc(nl, sizeof *rate0);
  int *active0 = calloc(nl, sizeof *active0);
  oc.row = malloc((size_t)s.n_cols * sizeof *oc.row);
  oc.traj = pk_trajectory_alloc((size_t)s.n_cols, n_out);
  if ((st = runner_open(&run, m, &s, opt, path, err)) != PK_OK) goto done;
  if (!y || !rate0 || !active0 || !oc.row || !oc.traj) {
    st = pk_err_nomem(err);
    goto done;
  }
  if ((st = pk_system_name_columns(&s, m, oc.traj)) != PK_OK) {
    pk_err_nomem(err);
    goto done;
  }
  pk_system_initial_state(&s, opt->tol0, y);
  if (opt->steady_state &&
      (st = steady_state(&run, m, opt->steady_state, opt->steady_state_period_h, opt->t_start_h,
                         0, y, rate0, active0, &ev, err)) != PK_OK)
    goto done;
  run.main = r;
  if ((st = precompute_ss_records(&run, m, r, &ev, err)) != PK_OK) goto done;
  if ((st = pk_events_from_regimen(&ev, &s, m, r, 0.0, err)) != PK_OK) goto done;
  pk_events_sort(&ev);
  reset_inputs(&run.c, rate0, active0);
  st = run_segment(&run, &ev, opt->t_start_h, y, opt->output_start_h, opt->output_step_h, n_out,
                   1, write_row, &oc, err);
  if (st == PK_OK) {
    *out = oc.traj;
    oc.traj = NULL;
  } else if (st == PK_ERR_NOMEM) {
    pk_err_nomem(err);
  }
done:
  runner_close(&run);
  pk_trajectory_free(oc.traj);
  pk_events_release(&ev);
  free(oc.row);
  free(active0);
  free(rate0);
  free(y);
  pk_system_release(&s);
  return st;
}

pk_status pk_sim_history_start(const pk_model *m, const pk_sim_options *opt, const pk_system *s,
                               double *y, double *rate0, int *active0, pk_event_list *pending,
                               pk_error *err) {
  if (!opt->steady_state) return pk_err_set(err, PK_ERR_INVALID, NULL, NULL, "no history");
  int path = pk_sim_resolve_solver(m, opt, err);
  if (path < 0) return err ? err->code : PK_ERR_INVALID;
  runner run;
  pk_status st = runner_open(&run, m, s, opt, path, err);
  if (st == PK_OK) {
    pk_system_initial_state(s, opt->tol0, y);
    st = steady_state(&run, m, opt->steady_state, opt->steady_state_period_h, opt->t_start_h, 0,
                      y, rate0, active0, pending, err);
  }
  runner_close(&run);
  return st;
}
