/* sim_ode.c - the general simulation path: every state integrated with GSL's
 * gsl_odeiv2 driver, exactly up to each dose, restarting after each jump. */
#include <gsl/gsl_errno.h>
#include <gsl/gsl_odeiv2.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "system.h"

typedef struct dose_event {
  double t_h;         /* when the amount arrives in its compartment */
  int state;          /* index of the receiving state */
  double amount_umol; /* amount that arrives */
  size_t order;       /* position in the regimen, for a stable sort */
} dose_event;

pk_sim_options pk_sim_options_default(void) {
  return (pk_sim_options){.t_start_h = 0.0, .output_start_h = 0.0, .t_end_h = 24.0,
                          .output_step_h = 1.0, .tol0 = 0.0, .method = PK_ODE_RK8PD,
                          .rtol = 1e-10, .atol = 1e-12, .include_amounts = 0};
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
  const pk_system *s = params;
  int n = s->n_lin;
  for (int r = 0; r < n; r++) {
    const double *a = s->A + (size_t)r * (size_t)n;
    double acc = 0.0;
    for (int c = 0; c < n; c++) acc += a[c] * y[c];
    dydt[r] = acc;
  }
  double occ, E;
  pk_system_response(s, y, NULL, &occ, &E);
  dydt[s->tol] = s->k_tol_per_h * (E - y[s->tol]);
  for (int r = 0; r <= n; r++)
    if (!isfinite(dydt[r])) return GSL_EBADFUNC;
  return GSL_SUCCESS;
}

/* Jacobian: A for the linear block; the adaptation row holds k_tol dE/dce. */
static int jac(double t, const double y[], double *dfdy, double dfdt[], void *params) {
  (void)t;
  const pk_system *s = params;
  int n = s->n_lin, ns = s->n_states;
  memset(dfdy, 0, (size_t)ns * (size_t)ns * sizeof *dfdy);
  for (int r = 0; r < n; r++)
    memcpy(dfdy + (size_t)r * (size_t)ns, s->A + (size_t)r * (size_t)n, (size_t)n * sizeof *dfdy);
  double sum_x = 0.0, sum_tx = 0.0;
  for (int l = 0; l < s->n_ligands; l++) {
    double x = s->lig_fu[l] * y[s->lig_state[l]] / s->lig_K_nM[l];
    sum_x += x;
    sum_tx += s->lig_tau[l] * x;
  }
  double D = 1.0 + sum_x + sum_tx;
  double *row = dfdy + (size_t)s->tol * (size_t)ns;
  for (int l = 0; l < s->n_ligands; l++) {
    double dE_dx = (s->lig_tau[l] * D - sum_tx * (1.0 + s->lig_tau[l])) / (D * D);
    row[s->lig_state[l]] = s->k_tol_per_h * dE_dx * s->lig_fu[l] / s->lig_K_nM[l];
  }
  row[s->tol] = -s->k_tol_per_h;
  memset(dfdt, 0, (size_t)ns * sizeof *dfdt);
  return GSL_SUCCESS;
}

static int cmp_event(const void *a, const void *b) {
  const dose_event *x = a, *y = b;
  if (x->t_h != y->t_h) return x->t_h < y->t_h ? -1 : 1;
  return (x->order > y->order) - (x->order < y->order);
}

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
  if (!(isfinite(o->rtol) && o->rtol > 0 && o->rtol < 1))
    BAD("relative tolerance must be in (0, 1), got %g", o->rtol);
  if (!(isfinite(o->atol) && o->atol > 0))
    BAD("absolute tolerance must be finite and > 0, got %g", o->atol);
  if (o->method != PK_ODE_RK8PD && o->method != PK_ODE_MSBDF && o->method != PK_ODE_RKF45)
    BAD("unknown ODE method %d", (int)o->method);
#undef BAD
  return PK_OK;
}

/* Turns the regimen into arrival events sorted by time. */
static pk_status build_events(const pk_system *s, const pk_model *m, const pk_regimen *r,
                              const pk_sim_options *o, dose_event **out, size_t *n_out,
                              pk_error *err) {
  if (!r || r->n == 0)
    return pk_err_set(err, PK_ERR_INVALID, NULL, NULL, "the regimen has no dose");
  dose_event *ev = malloc(r->n * sizeof *ev);
  if (!ev) return pk_err_nomem(err);
  size_t n = 0;
  for (size_t k = 0; k < r->n; k++) {
    const pk_dose *d = &r->dose[k];
    if (d->compound < 0 || d->compound >= m->n_compounds) {
      free(ev);
      return pk_err_set(err, PK_ERR_RANGE, NULL, NULL, "dose %zu: no compound %d in the model",
                        k, d->compound);
    }
    if (d->t_h < o->t_start_h || d->t_h > o->t_end_h) {
      free(ev);
      return pk_err_set(err, PK_ERR_INVALID, NULL, NULL,
                        "dose %zu at t = %g h is outside the simulated time [%g, %g] h", k,
                        d->t_h, o->t_start_h, o->t_end_h);
    }
    const pk_compound_params *c = &m->compound[d->compound];
    double umol = 1000.0 * d->amount_mg / c->mw_g_per_mol;
    if (d->route == PK_ROUTE_ORAL)
      ev[n] = (dose_event){d->t_h + c->lag_h, s->depot[d->compound], umol * c->F, k};
    else
      ev[n] = (dose_event){d->t_h, s->central[d->compound], umol, k};
    if (ev[n].t_h <= o->t_end_h) n++; /* a lagged dose arriving after the end has no effect */
  }
  qsort(ev, n, sizeof *ev, cmp_event);
  *out = ev;
  *n_out = n;
  return PK_OK;
}

pk_status pk_simulate(const pk_model *m, const pk_regimen *r, const pk_sim_options *opt,
                      pk_trajectory **out, pk_error *err) {
  pk_error_clear(err);
  if (!m || !opt || !out)
    return pk_err_set(err, PK_ERR_INVALID, NULL, NULL, "no model, options or output");
  *out = NULL;
  pk_status st = check_options(opt, err);
  if (st != PK_OK) return st;
  pk_system s;
  if ((st = pk_system_init(&s, m, opt->include_amounts, err)) != PK_OK) {
    pk_system_release(&s);
    return st;
  }
  dose_event *ev = NULL;
  size_t n_ev = 0;
  double *y = NULL, *row = NULL;
  pk_trajectory *traj = NULL;
  gsl_odeiv2_driver *drv = NULL;
  if ((st = build_events(&s, m, r, opt, &ev, &n_ev, err)) != PK_OK) goto done;

  size_t n_out = (size_t)floor((opt->t_end_h - opt->output_start_h) / opt->output_step_h *
                                   (1.0 + 1e-12) + 1e-9) + 1;
  y = calloc((size_t)s.n_states, sizeof *y);
  row = malloc((size_t)s.n_cols * sizeof *row);
  traj = pk_trajectory_alloc((size_t)s.n_cols, n_out);
  if (!y || !row || !traj) {
    st = pk_err_nomem(err);
    goto done;
  }
  if ((st = pk_system_name_columns(&s, m, traj)) != PK_OK) {
    pk_err_nomem(err);
    goto done;
  }
  const gsl_odeiv2_step_type *type = opt->method == PK_ODE_MSBDF ? gsl_odeiv2_step_msbdf
                                     : opt->method == PK_ODE_RKF45 ? gsl_odeiv2_step_rkf45
                                                                   : gsl_odeiv2_step_rk8pd;
  gsl_odeiv2_system sys = {rhs, jac, (size_t)s.n_states, &s};
  const double h0 = 1e-3;
  drv = gsl_odeiv2_driver_alloc_y_new(&sys, type, h0, opt->atol, opt->rtol);
  if (!drv) {
    st = pk_err_nomem(err);
    goto done;
  }
  gsl_odeiv2_driver_set_nmax(drv, 100000000UL);
  y[s.tol] = opt->tol0;

  double t = opt->t_start_h;
  size_t di = 0, k = 0;
  while (k < n_out) {
    double t_out = opt->output_start_h + (double)k * opt->output_step_h;
    double t_next = (di < n_ev && ev[di].t_h < t_out) ? ev[di].t_h : t_out;
    if (t_next > t) {
      int gs = gsl_odeiv2_driver_apply(drv, &t, t_next, y);
      if (gs != GSL_SUCCESS) {
        st = pk_err_set(err, PK_ERR_SOLVER, NULL, NULL,
                        "ODE solver (%s, rtol %g, atol %g) failed: %s",
                        pk_ode_method_name(opt->method), opt->rtol, opt->atol,
                        gsl_strerror(gs));
        err->t_h = t;
        goto done;
      }
    }
    t = t_next;
    /* Doses arriving now (within rounding) jump the state; the row at a dose
     * time shows the state just after it. */
    double eps = 1e-12 * fmax(1.0, fabs(t));
    int jumped = 0;
    while (di < n_ev && ev[di].t_h <= t + eps) {
      y[ev[di].state] += ev[di].amount_umol;
      di++;
      jumped = 1;
    }
    if (jumped) gsl_odeiv2_driver_reset_hstart(drv, h0);
    if (t_out <= t + eps) {
      pk_system_output_row(&s, t_out, y, row);
      if (pk_trajectory_append(traj, row) != PK_OK) {
        st = pk_err_nomem(err);
        goto done;
      }
      k++;
    }
  }
  *out = traj;
  traj = NULL;
done:
  if (drv) gsl_odeiv2_driver_free(drv);
  pk_trajectory_free(traj);
  free(row);
  free(y);
  free(ev);
  pk_system_release(&s);
  return st;
}
