/* taper_opt.c - the shortest schedule to zero that keeps the predicted
 * withdrawal pressure W under a limit: every uniform schedule (cut s grid
 * steps every n days) in order of duration, then a greedy variable-step
 * refinement. The method and why the uniform result is the shortest of its
 * family are in docs/taper.md. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
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

enum { MAX_BLOCK_DAYS = 32, BLOCK_CANDIDATES = 512 };

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
    if (k && !c) return pk_err_nomem(err);
    collect(x, d0, d1, c);
    if (x->lim->progress) x->lim->progress(x->lim->progress_ctx, d1, x->lim->max_days, x->n_sims);
#ifdef _OPENMP
#pragma omp parallel for schedule(dynamic, 1) if (k > 1)
#endif
    for (size_t i = 0; i < k; i++) {
      pk_error e;
      c[i].st = evaluate(x, &c[i], &e);
    }
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
      d += x->lim->min_days_between_changes;
    } else {
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
  pk_status st = pk_taper_grid_units(x->item->start_dose, l->grid, "the start dose", &x->L, err);
  if (st != PK_OK) return st;
  x->S = x->L;
  if (l->max_step != 0) {
    st = pk_taper_grid_units(l->max_step, l->grid, "the largest step", &x->S, err);
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
