/* taper_opt.c - the shortest schedule to zero that keeps the predicted
 * withdrawal pressure W under a limit: every uniform schedule (cut s grid
 * steps every n days) in order of duration, then a greedy variable-step
 * refinement. The method and why the uniform result is the shortest of its
 * family are in docs/taper.md. */
#ifdef _OPENMP
#include <omp.h>
#endif
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "fast.h"
#include "taper_internal.h"

typedef struct search {
  const pk_model *m;
  const pk_taper_item *item;
  const pk_regimen *base;
  const pk_sim_options *opt;
  const pk_taper_limits *lim;
  double tail;
  long L; /* start dose in grid steps */
  long S; /* largest cut in grid steps */
  size_t n_sims;
  double lowest_W; /* lowest max W of any candidate simulated */
  int lowest_s, lowest_n;
} search;

pk_taper_limits pk_taper_limits_default(void) {
  return (pk_taper_limits){.max_withdrawal = NAN, .grid = NAN, .max_step = 0,
                           .min_days_between_changes = 1, .max_days = 365, .start_day = 1,
                           .tail_h = 0, .greedy = 1};
}

void pk_taper_result_release(pk_taper_result *r) {
  if (r) pk_taper_schedule_release(&r->schedule);
}

/* Simulates a complete schedule (ending at 0) with the tail rule. */
static pk_status eval_complete(search *x, const pk_taper_schedule *s, pk_taper_eval *ev,
                               pk_error *err) {
  x->n_sims++;
  return pk_taper_simulate(x->m, s, 1, x->base, x->opt, x->tail, x->lim->max_withdrawal, NULL,
                           ev, err);
}

/* ---- the uniform family ----------------------------------------------------- */

/* One member of the uniform family: cut s grid steps every n days, days in
 * all; evaluated (possibly on another thread) into ev and st. */
typedef struct candidate {
  long s;
  int n, days;
  pk_taper_schedule sched;
  pk_taper_eval ev;
  pk_status st;
} candidate;

/* The members of durations [d0, d1], by duration, then by s, into c (NULL:
 * only counted); returns the count. */
static size_t collect(const search *x, int d0, int d1, candidate *c) {
  size_t k = 0;
  for (int days = d0; days <= d1; days++)
    for (long s = 1; s <= x->S; s++) {
      long per = (x->L + s - 1) / s;
      if (days % per != 0 || days / per < x->lim->min_days_between_changes) continue;
      if (c) c[k] = (candidate){.s = s, .n = (int)(days / per), .days = days};
      k++;
    }
  return k;
}

static pk_status evaluate(const search *x, candidate *c, pk_error *err) {
  pk_status st = pk_taper_uniform(x->item, x->lim->grid, x->lim->start_day, (int)c->s, c->n,
                                  &c->sched, err);
  if (st == PK_OK)
    st = pk_taper_simulate(x->m, &c->sched, 1, x->base, x->opt, x->tail,
                           x->lim->max_withdrawal, NULL, &c->ev, err);
  return st;
}

/* ---- members through the batch kernel ----------------------------------- */

/* Members of equal duration have the same dose times (each dose day until
 * the last one, only the amounts differ), so they run side by side in the
 * batch kernel's packs, one per lane. The kernel gives each member the
 * numbers it would give it alone (fast.h); what it refuses, fails on, or
 * whose W bound at the end needs a longer tail goes through evaluate(). */

/* Member c simulated on its own (what the kernel does not take); its
 * schedule is released if that fails. */
static void simulate_alone(const search *x, candidate *c) {
  pk_error e;
  c->st = pk_taper_simulate(x->m, &c->sched, 1, x->base, x->opt, x->tail,
                            x->lim->max_withdrawal, NULL, &c->ev, &e);
  if (c->st != PK_OK) pk_taper_schedule_release(&c->sched);
}

/* The row scan of a pack: each lane's highest W (first row where it is
 * reached, as pk_taper_run) and its last row's tol, E, wx and wf. */
typedef struct pack_scan {
  pk_pd_columns col;
  double max_W[PK_FAST_MAX_LANES], t_max_h[PK_FAST_MAX_LANES];
  double tol[PK_FAST_MAX_LANES], E[PK_FAST_MAX_LANES], wx[PK_FAST_MAX_LANES],
      wf[PK_FAST_MAX_LANES];
  size_t rows[PK_FAST_MAX_LANES];
} pack_scan;

static int scan_row(void *ctx, int l, size_t k, const double *row) {
  pack_scan *p = ctx;
  double w = row[p->col.W];
  if (!(w <= p->max_W[l])) p->max_W[l] = w, p->t_max_h[l] = row[0];
  p->tol[l] = row[p->col.tol];
  p->E[l] = row[p->col.E];
  p->wx[l] = p->col.wx >= 0 ? row[p->col.wx] : 0.0;
  p->wf[l] = p->col.wf >= 0 ? row[p->col.wf] : 0.0;
  p->rows[l] = k + 1;
  return 0;
}

typedef struct pack {
  pk_fast *f;
  int n;
  candidate *c[PK_FAST_MAX_LANES];
  pk_regimen *r[PK_FAST_MAX_LANES];
  pk_sim_options o; /* lane 0's: every lane of a pack has the same */
} pack;

static void pack_flush(const search *x, pack *p) {
  if (p->n == 0) return;
  pack_scan sc;
  sc.col = pk_system_pd_columns(pk_fast_system(p->f, 0));
  for (int l = 0; l < p->n; l++) sc.max_W[l] = sc.t_max_h[l] = NAN, sc.rows[l] = 0;
  pk_status status[PK_FAST_MAX_LANES];
  pk_error errs[PK_FAST_MAX_LANES];
  pk_fast_run(p->f, p->n, &p->o, scan_row, &sc, NULL, NULL, NULL, status, errs);
  size_t n_out = pk_sim_output_rows(&p->o);
  double limit = x->lim->max_withdrawal;
  for (int l = 0; l < p->n; l++) {
    candidate *c = p->c[l];
    pk_taper_eval *ev = &c->ev;
    int ok = status[l] == PK_OK && sc.rows[l] == n_out;
    if (ok) {
      ev->max_W = sc.max_W[l];
      ev->t_max_W_h = sc.t_max_h[l];
      pk_taper_W_bound(x->m, sc.tol[l], sc.E[l], sc.col.wx >= 0 && sc.col.wf >= 0, sc.wx[l],
                       sc.wf[l], ev);
      ev->t_end_h = p->o.t_end_h;
      ev->last_dose_h = pk_taper_last_dose_h(&c->sched, 1);
      /* pk_taper_simulate would extend the tail: it does so */
      ok = !(ev->W_bound_end > limit && ev->max_W <= limit);
    }
    if (ok) c->st = PK_OK;
    else simulate_alone(x, c);
    pk_regimen_free(p->r[l]);
    p->r[l] = NULL;
  }
  p->n = 0;
}

/* Members c[0..k) of the same duration (one thread's share). */
static void evaluate_members(const search *x, pk_fast *f, candidate *c, size_t k) {
  pack p = {.f = f};
  for (size_t i = 0; i < k; i++) {
    pk_error e;
    candidate *ci = &c[i];
    ci->st = pk_taper_uniform(x->item, x->lim->grid, x->lim->start_day, (int)ci->s, ci->n,
                              &ci->sched, &e);
    if (ci->st != PK_OK) continue;
    /* pk_taper_simulate's horizon: the last dose plus a tail */
    pk_sim_options o = *x->opt;
    double last = pk_taper_last_dose_h(&ci->sched, 1);
    o.t_end_h = isnan(last) ? x->opt->t_end_h : fmax(x->opt->t_end_h, last + x->tail);
    pk_regimen *r = NULL;
    int lane = -1;
    if (f && pk_taper_build_regimen(x->m, &ci->sched, 1, x->base, o.t_end_h, &r, &e) == PK_OK) {
      if (p.n > 0 && o.t_end_h != p.o.t_end_h) pack_flush(x, &p);
      lane = pk_fast_lane(f, p.n, x->m, r, &o, &e);
      if (lane == PK_FAST_MISFIT) {
        pack_flush(x, &p);
        lane = pk_fast_lane(f, 0, x->m, r, &o, &e);
      }
    }
    if (lane != PK_FAST_READY) {
      /* not for the kernel (or out of memory there): on its own */
      pk_regimen_free(r);
      simulate_alone(x, ci);
      continue;
    }
    if (p.n == 0) p.o = o;
    p.c[p.n] = ci;
    p.r[p.n] = r;
    if (++p.n == pk_fast_lanes(f)) pack_flush(x, &p);
  }
  pack_flush(x, &p);
}

enum { MAX_BLOCK_DAYS = 32, BLOCK_CANDIDATES = 512 };
/* the greedy search stops waiting when the one-step cut's W falls by less
 * than this fraction of its excess over the limit in a day (search_greedy) */
#define GREEDY_STALL 0.01

/* Every (s, n) in order of duration; within a duration the feasible one
 * with the lowest max W (ties: the smallest s), the search ending with the
 * first duration that has one. Durations are simulated in blocks (1, 2, 4,
 * ... up to 32 days, and fewer where they hold many members) whose members
 * run on all threads; the results are taken in the order above, so the
 * answer, the lowest W reported and any error do not depend on the
 * threads. Members of the block past the answer are simulated and counted
 * but not used. */
static pk_status search_uniform(search *x, pk_taper_result *out, pk_error *err) {
  int found = 0, block = 1;
  pk_status st = PK_OK;
  /* a kernel workspace per thread (none: every member on its own) */
  int nt = 1;
#ifdef _OPENMP
  nt = omp_get_max_threads();
#endif
  pk_fast **fw = calloc((size_t)nt, sizeof *fw);
  if (!fw) return pk_err_nomem(err);
  for (int t = 0; t < nt; t++) fw[t] = pk_fast_new();
  int lanes = fw[0] ? pk_fast_lanes(fw[0]) : 1;
  for (int d0 = 1; d0 <= x->lim->max_days && !found && st == PK_OK;) {
    int d1 = d0 + block - 1 < x->lim->max_days ? d0 + block - 1 : x->lim->max_days;
    /* whole durations, as many as fit BLOCK_CANDIDATES (at least one) */
    size_t k = collect(x, d0, d0, NULL);
    for (int d = d0 + 1; d <= d1; d++) {
      size_t kd = collect(x, d, d, NULL);
      if (k + kd > BLOCK_CANDIDATES) {
        d1 = d - 1;
        break;
      }
      k += kd;
    }
    candidate *c = k ? calloc(k, sizeof *c) : NULL;
    if (k && !c) {
      st = pk_err_nomem(err);
      break;
    }
    collect(x, d0, d1, c);
    if (x->lim->progress) x->lim->progress(x->lim->progress_ctx, d1, x->lim->max_days, x->n_sims);
    /* chunks of members of one duration, at most a pack each, on all
     * threads (each with its kernel workspace) */
    size_t *start = malloc((k + 1) * sizeof *start), n_chunks = 0;
    if (!start) {
      free(c);
      st = pk_err_nomem(err);
      break;
    }
    for (size_t i = 0, first = 0; i < k; i++) {
      if (i > 0 && c[i].days != c[i - 1].days) first = i;
      if ((i - first) % (size_t)lanes == 0) start[n_chunks++] = i;
    }
    start[n_chunks] = k;
#ifdef _OPENMP
#pragma omp parallel for schedule(dynamic, 1) num_threads(nt) if (n_chunks > 1)
#endif
    for (size_t j = 0; j < n_chunks; j++) {
#ifdef _OPENMP
      pk_fast *f = fw[omp_get_thread_num()];
#else
      pk_fast *f = fw[0];
#endif
      evaluate_members(x, f, c + start[j], start[j + 1] - start[j]);
    }
    free(start);
    x->n_sims += k;
    for (size_t i = 0; i < k; i++) {
      if (st == PK_OK && c[i].st != PK_OK) {
        /* the first failure in order, again on this thread for its message */
        pk_taper_schedule_release(&c[i].sched);
        st = evaluate(x, &c[i], err);
        if (st == PK_OK) st = pk_err_set(err, PK_ERR_SOLVER, NULL, NULL,
                                         "a schedule failed on one thread only");
      }
      /* the first duration with a feasible member ends the search */
      if (st == PK_OK && !(found && c[i].days > out->uniform_days)) {
        if (c[i].ev.max_W < x->lowest_W)
          x->lowest_W = c[i].ev.max_W, x->lowest_s = (int)c[i].s, x->lowest_n = c[i].n;
        if (c[i].ev.max_W <= x->lim->max_withdrawal &&
            (!found || c[i].ev.max_W < out->uniform_max_W)) {
          pk_taper_schedule_release(&out->schedule);
          out->schedule = c[i].sched;
          c[i].sched.level = NULL;
          out->eval = c[i].ev;
          out->uniform_cut_units = (int)c[i].s;
          out->uniform_every_days = c[i].n;
          out->uniform_days = c[i].days;
          out->uniform_max_W = c[i].ev.max_W;
          found = 1;
        }
      }
      pk_taper_schedule_release(&c[i].sched);
    }
    free(c);
    d0 = d1 + 1;
    if (block < MAX_BLOCK_DAYS) block *= 2;
  }
  for (int t = 0; t < nt; t++) pk_fast_free(fw[t]);
  free(fw);
  if (st == PK_OK && found) {
    out->method = PK_TAPER_UNIFORM;
    out->days = out->uniform_days;
  }
  return st;
}

/* ---- the greedy refinement ------------------------------------------------ */

typedef struct plan {
  size_t n;
  long *level;
  int *day;
} plan;

/* W with the plan's steps plus (level, day): a complete schedule if level
 * is 0 (with the tail rule), else that level held for a tail. */
static pk_status try_step(search *x, plan *p, long level, int day, pk_taper_eval *ev,
                          pk_error *err) {
  pk_taper_schedule sched = {0};
  p->level[p->n] = level;
  p->day[p->n] = day;
  double t_end = 24.0 * (day - 1) + x->tail;
  int hold_to = (int)floor(t_end / 24.0) + 1;
  pk_status st = pk_taper_from_changes(x->item, x->lim->grid, p->level, p->day, p->n + 1,
                                       level > 0, hold_to, &sched, err);
  if (st == PK_OK && level == 0) st = eval_complete(x, &sched, ev, err);
  else if (st == PK_OK) {
    x->n_sims++;
    st = pk_taper_run(x->m, &sched, 1, x->base, x->opt, fmax(t_end, x->opt->output_start_h + 1),
                      -INFINITY, INFINITY, NULL, ev, err);
  }
  pk_taper_schedule_release(&sched);
  return st;
}

/* At each day a change is allowed, the largest cut whose level, held,
 * keeps W under the limit; no feasible cut: wait a day. Gives up after
 * max_days (or at `bound` days, where it could not beat the uniform one). */
static pk_status search_greedy(search *x, int bound, plan *p, pk_taper_eval *final,
                               int *days, pk_error *err) {
  int start = x->lim->start_day, d = start + x->lim->min_days_between_changes;
  p->level[0] = x->L;
  p->day[0] = start;
  p->n = 1;
  *days = -1;
  pk_status st = PK_OK;
  double prev_W1 = NAN; /* the one-step cut's W on the previous day, when it failed */
  int held_from = start;  /* the day the current level started */
  while (st == PK_OK && p->level[p->n - 1] > 0 && d - start <= bound) {
    long cur = p->level[p->n - 1], c = cur < x->S ? cur : x->S;
    pk_taper_eval ev;
    for (; c >= 1 && st == PK_OK; c--) {
      st = try_step(x, p, cur - c, d, &ev, err);
      if (st == PK_OK && ev.max_W <= x->lim->max_withdrawal) break;
    }
    if (st == PK_OK && c >= 1) {
      p->n++;
      if (cur - c == 0) *final = ev, *days = d - start;
      held_from = d;
      d += x->lim->min_days_between_changes;
      prev_W1 = NAN;
    } else if (st == PK_OK) {
      /* no cut today, not even one grid step (ev is that one). Holding the
       * level brings the subject towards its periodic steady state, where
       * the one-step cut's W no longer changes from day to day. Once the
       * level has been held for two tails (ten adaptation time constants;
       * the previous cut's withdrawal is over) and that W changes by less
       * than GREEDY_STALL of its excess over the limit in a day, the wait
       * is over: even a geometric approach as slow as a factor 0.99 a day
       * would never reach the limit. */
      double w1 = ev.max_W, lim = x->lim->max_withdrawal;
      int settled = 24.0 * (d - held_from) >= 2.0 * x->tail;
      if (settled && !isnan(prev_W1) && fabs(prev_W1 - w1) < GREEDY_STALL * (w1 - lim)) break;
      prev_W1 = w1;
      d++;
    }
  }
  return st;
}

static pk_status run_greedy(search *x, pk_taper_result *out, pk_error *err) {
  int bound = out->uniform_days >= 0 ? out->uniform_days : x->lim->max_days, days = -1;
  plan p = {0};
  p.level = malloc(((size_t)x->L + 2) * sizeof *p.level);
  p.day = malloc(((size_t)x->L + 2) * sizeof *p.day);
  pk_taper_eval ev = {0};
  pk_status st = (p.level && p.day) ? search_greedy(x, bound, &p, &ev, &days, err)
                                    : pk_err_nomem(err);
  out->greedy_days = days;
  out->greedy_max_W = days >= 0 ? ev.max_W : NAN;
  int better = days >= 0 && (out->uniform_days < 0 || days < out->uniform_days ||
                             (days == out->uniform_days && ev.max_W < out->uniform_max_W));
  if (st == PK_OK && better) {
    pk_taper_schedule sched = {0};
    st = pk_taper_from_changes(x->item, x->lim->grid, p.level, p.day, p.n, 0, 0, &sched, err);
    if (st == PK_OK) {
      pk_taper_schedule_release(&out->schedule);
      out->schedule = sched;
      out->method = PK_TAPER_GREEDY;
      out->days = days;
      out->eval = ev;
    }
  }
  free(p.level);
  free(p.day);
  return st;
}

/* ---- entry point ------------------------------------------------------------ */

static pk_status check_limits(search *x, pk_error *err) {
#define BAD(...) return pk_err_set(err, PK_ERR_INVALID, NULL, NULL, __VA_ARGS__)
  const pk_taper_limits *l = x->lim;
  const char *unit = pk_taper_item_unit(x->m, x->item);
  if (!(isfinite(l->max_withdrawal) && l->max_withdrawal > 0))
    BAD("the W limit must be > 0, got %g", l->max_withdrawal);
  pk_status st = pk_taper_grid_units(x->item->start_dose, l->grid, "the start dose", unit, &x->L,
                                      err);
  if (st != PK_OK) return st;
  x->S = x->L;
  if (l->max_step != 0) {
    st = pk_taper_grid_units(l->max_step, l->grid, "the largest step", unit, &x->S, err);
    if (st != PK_OK) return st;
    if (x->S < 1) BAD("the largest step must be at least one grid step (%g %s)", l->grid, unit);
    if (x->S > x->L) x->S = x->L;
  }
  if (!(l->min_days_between_changes >= 1 && l->min_days_between_changes <= 3650))
    BAD("the days between changes must be in [1, 3650], got %d", l->min_days_between_changes);
  if (!(l->max_days >= 1 && l->max_days <= 3650))
    BAD("the longest taper must be in [1, 3650] days, got %d", l->max_days);
  if (!(l->start_day >= x->item->first_day && l->start_day <= 36500))
    BAD("the taper's start day %d must be on or after the item's first day %d", l->start_day,
        x->item->first_day);
  if (!(l->tail_h <= 0 || isfinite(l->tail_h))) BAD("the tail must be finite, got %g h", l->tail_h);
#undef BAD
  return PK_OK;
}

static pk_status nothing_feasible(const search *x, pk_error *err) {
  if (isinf(x->lowest_W))
    return pk_err_set(err, PK_ERR_INVALID, NULL, NULL,
                      "no uniform taper fits in %d days with cuts every %d days or more",
                      x->lim->max_days, x->lim->min_days_between_changes);
  return pk_err_set(err, PK_ERR_INVALID, NULL, NULL,
                    "no taper reaches 0 within %d days keeping W <= %g; the lowest max W "
                    "found was %.6g (cut %d grid steps every %d days); raise the limit or "
                    "--max-days", x->lim->max_days, x->lim->max_withdrawal, x->lowest_W,
                    x->lowest_s, x->lowest_n);
}

/* Every schedule holds the start dose until its first cut, on day
 * start_day + min_days_between_changes at the earliest: W over that time is
 * the same for all of them, so a limit below it cannot be met by any (one
 * simulation, instead of the whole family). */
static pk_status start_bound(search *x, pk_error *err) {
  int first_cut = x->lim->start_day + x->lim->min_days_between_changes;
  double t_end = 24.0 * (first_cut - 1);
  if (!(t_end > x->opt->output_start_h)) return PK_OK;
  long level = x->L;
  int day = x->lim->start_day;
  pk_taper_schedule sched = {0};
  pk_taper_eval ev;
  pk_status st = pk_taper_from_changes(x->item, x->lim->grid, &level, &day, 1, 1, first_cut,
                                       &sched, err);
  if (st == PK_OK) {
    x->n_sims++;
    st = pk_taper_run(x->m, &sched, 1, x->base, x->opt, t_end, -INFINITY, INFINITY, NULL, &ev,
                      err);
  }
  pk_taper_schedule_release(&sched);
  if (st == PK_OK && ev.max_W > x->lim->max_withdrawal)
    st = pk_err_set(err, PK_ERR_INVALID, NULL, NULL,
                    "no taper can keep W <= %g: the start regimen itself reaches W %.6g at "
                    "%g h, before the first cut is allowed (day %d); the limit must be above "
                    "that", x->lim->max_withdrawal, ev.max_W, ev.t_max_W_h, first_cut);
  return st;
}

pk_status pk_taper_optimise(const pk_model *m, const pk_taper_item *item,
                            const pk_regimen *base, const pk_sim_options *opt,
                            const pk_taper_limits *lim, pk_taper_result *out, pk_error *err) {
  pk_error_clear(err);
  if (!m || !item || !opt || !lim || !out)
    return pk_err_set(err, PK_ERR_INVALID, NULL, NULL, "no model, item, options, limits or result");
  *out = (pk_taper_result){.uniform_days = -1, .greedy_days = -1, .uniform_max_W = NAN,
                           .greedy_max_W = NAN, .days = -1};
  search x = {.m = m, .item = item, .base = base, .opt = opt, .lim = lim,
              .tail = pk_taper_tail(m, lim->tail_h), .lowest_W = INFINITY};
  pk_status st = pk_taper_check_item(m, item, err);
  if (st == PK_OK) st = check_limits(&x, err);
  if (st == PK_OK) st = start_bound(&x, err);
  if (st == PK_OK) st = search_uniform(&x, out, err);
  if (st == PK_OK && lim->greedy) st = run_greedy(&x, out, err);
  if (st == PK_OK && out->days < 0) st = nothing_feasible(&x, err);
  out->n_simulations = x.n_sims;
  if (st != PK_OK) pk_taper_result_release(out);
  return st;
}
