/* test_dataset_stream.c - an event dataset read subject by subject
 * (pk_dataset_reader) and run through the batch engine (pk_batch_spec.source).
 *
 * 1. The reader gives, subject by subject, what pk_dataset_load_ex gives for
 *    the whole file: IDs, doses (bit for bit), parameters, observation
 *    times, first times, warnings; and its errors are the loader's errors
 *    (file, line, column, message) for a bad field in a later subject and
 *    for an ID that comes back after other subjects.
 * 2. The batch engine on those subjects (threads 1 and 2) gives every
 *    subject the trajectory pk_dataset_simulate gives it, bit for bit (the
 *    kernel's results do not depend on the pack; subjects it refuses, such
 *    as one with a reset record, run through pk_simulate either way), and
 *    summaries computed here from that trajectory independently of the
 *    batch code: Cmax/Tmax, Cmin after the subject's own first dose, AUC by
 *    linear-up/log-down trapezoids, occupancy, E and W extremes, to 1e-12
 *    relative (the kernel accumulates summary-only runs in its own order).
 * 3. A source that fails stops the run: the subjects given before it are
 *    handed over and pk_batch_run returns the reader's error.
 *
 * The dataset (written here): 41 subjects of the shipped linear kratom
 * model (tests/data/events/scenario-compounds.json): mitragynine by mouth at
 * 8, 20, 32 and 44 h with per-subject CL_mg, V_mg and ka_mg; every seventh
 * subject doses at 9 h instead (a different timing breaks the kernel's
 * packs), one has only observations, one a reset (EVID 3) at 30 h, one
 * starts at -4 h, one takes 7-hydroxymitragynine by infusion. */
#include <math.h>
#include "check.h"
#include "pk/pk.h"
#include "temp_file.h"

enum { N_SUBJ = 41 };

static void id_of(int s, char *buf, size_t n) { snprintf(buf, n, "S%03d", s + 1); }

/* The dataset text (malloc'd). */
static char *dataset_text(void) {
  size_t cap = 1 << 20, len = 0;
  char *t = malloc(cap);
  if (!t) return NULL;
  len += (size_t)snprintf(t + len, cap - len,
                          "# streamed dataset\nID,TIME,EVID,AMT,CMT,RATE,CL_mg,V_mg,ka_mg,WT\n");
  for (int s = 0; s < N_SUBJ; s++) {
    char id[16];
    id_of(s, id, sizeof id);
    double cl = 40.0 * (0.6 + 0.03 * s), v = 400.0 * (0.8 + 0.011 * s), ka = 0.8 + 0.05 * (s % 9);
    const char *p = "%s,%g,%d,%s,%s,%s,%.6g,%.6g,%.6g,%g\n";
    double wt = 60 + s;
    if (s == 3) { /* observations only */
      len += (size_t)snprintf(t + len, cap - len, p, id, 0.0, 0, ".", ".", ".", cl, v, ka, wt);
      len += (size_t)snprintf(t + len, cap - len, p, id, 12.0, 0, ".", ".", ".", cl, v, ka, wt);
      continue;
    }
    if (s == 5) /* starts before 0 h */
      len += (size_t)snprintf(t + len, cap - len, p, id, -4.0, 1, "10", "1", "0", cl, v, ka, wt);
    double first = s % 7 == 6 ? 9.0 : 8.0;
    for (int k = 0; k < 4; k++) {
      double tk = first + 12.0 * k;
      if (s == 10 && k == 2) /* a reset before the third dose */
        len += (size_t)snprintf(t + len, cap - len, p, id, 30.0, 3, ".", ".", ".", cl, v, ka, wt);
      if (s == 12 && k == 2) /* 7-hydroxymitragynine as a 2 h infusion (CMT 4: its central) */
        len += (size_t)snprintf(t + len, cap - len, p, id, 30.0, 1, "1.5", "4", "0.75", cl, v,
                                ka, wt);
      len += (size_t)snprintf(t + len, cap - len, p, id, tk, 1, "30", "1", "0", cl, v, ka, wt);
      len += (size_t)snprintf(t + len, cap - len, p, id, tk + 2, 0, ".", ".", ".", cl, v, ka, wt);
    }
  }
  return t;
}

static pk_scenario *load_scenario(void) {
  char path[1024];
  snprintf(path, sizeof path, "%s/events/scenario-compounds.json", PK_TEST_DATA_DIR);
  pk_scenario *sc = NULL;
  pk_error err;
  CHECK(pk_scenario_load(path, &sc, &err) == PK_OK, "scenario: %s", err.message);
  return sc;
}

/* x and y equal, or both NaN. */
static int same_num(double x, double y) { return x == y || (isnan(x) && isnan(y)); }

static int same_dose(const pk_dose *a, const pk_dose *b) {
  return same_num(a->t_h, b->t_h) && a->compound == b->compound && a->route == b->route &&
         same_num(a->amount_mg, b->amount_mg) && same_num(a->duration_h, b->duration_h) &&
         same_num(a->ka_per_h, b->ka_per_h) && same_num(a->F, b->F) &&
         same_num(a->lag_h, b->lag_h) && same_num(a->rate_mg_per_h, b->rate_mg_per_h) &&
         a->ss == b->ss && same_num(a->ii_h, b->ii_h) && a->reset == b->reset &&
         a->product == b->product;
}

/* 1. The reader against the whole-file loader. */
static void reader_equals_loader(const char *path, const pk_model *m) {
  pk_error err;
  pk_dataset *whole = NULL, *one = NULL;
  pk_dataset_reader *r = NULL;
  CHECK(pk_dataset_load_ex(path, m, NULL, &whole, &err) == PK_OK, "load: %s", err.message);
  CHECK(pk_dataset_reader_open(path, m, NULL, &r, &err) == PK_OK, "open: %s", err.message);
  if (!whole || !r) goto out;
  CHECK(pk_dataset_subject_count(whole) == N_SUBJ, "whole file: %zu subjects",
        pk_dataset_subject_count(whole));
  size_t s = 0;
  for (;; s++) {
    CHECK(pk_dataset_reader_next(r, &one, &err) == PK_OK, "next %zu: %s", s, err.message);
    if (!one) break;
    CHECK(pk_dataset_subject_count(one) == 1, "subject %zu: a dataset of %zu subjects", s,
          pk_dataset_subject_count(one));
    if (s >= N_SUBJ) break;
    CHECK(strcmp(pk_dataset_subject_id(one, 0), pk_dataset_subject_id(whole, s)) == 0,
          "subject %zu: ID %s, expected %s", s, pk_dataset_subject_id(one, 0),
          pk_dataset_subject_id(whole, s));
    const pk_regimen *a = pk_dataset_subject_regimen(one, 0), *b = pk_dataset_subject_regimen(whole, s);
    int same = pk_regimen_size(a) == pk_regimen_size(b);
    for (size_t k = 0; same && k < pk_regimen_size(a); k++) {
      pk_dose x = pk_regimen_dose(a, k), y = pk_regimen_dose(b, k);
      same = same_dose(&x, &y);
    }
    CHECK(same, "subject %zu: the doses differ from the whole file's", s);
    pk_compound_params p, q;
    pk_model_get_compound(pk_dataset_subject_model(one, 0), 0, &p, NULL);
    pk_model_get_compound(pk_dataset_subject_model(whole, s), 0, &q, NULL);
    CHECK(p.CL_L_per_h == q.CL_L_per_h && p.V_L == q.V_L && p.ka_per_h == q.ka_per_h,
          "subject %zu: parameters differ", s);
    size_t no = pk_dataset_observation_count(one, 0);
    same = no == pk_dataset_observation_count(whole, s) &&
           pk_dataset_subject_first_time(one, 0) == pk_dataset_subject_first_time(whole, s);
    for (size_t k = 0; same && k < no; k++)
      same = pk_dataset_observation_times(one, 0)[k] == pk_dataset_observation_times(whole, s)[k] &&
             pk_dataset_observation_line(one, 0, k) == pk_dataset_observation_line(whole, s, k) &&
             strcmp(pk_dataset_observation_field(one, 0, k, "WT"),
                    pk_dataset_observation_field(whole, s, k, "WT")) == 0;
    CHECK(same, "subject %zu: observation records or first time differ", s);
    /* the header's warning (WT changes nothing) comes with the first subject */
    CHECK(pk_dataset_warning_count(one) == (s == 0 ? 1u : 0u),
          "subject %zu: %zu warnings", s, pk_dataset_warning_count(one));
    pk_dataset_free(one);
    one = NULL;
  }
  CHECK(s == N_SUBJ && pk_dataset_reader_count(r) == N_SUBJ, "reader: %zu subjects, count %zu",
        s, pk_dataset_reader_count(r));
  CHECK(pk_dataset_reader_next(r, &one, &err) == PK_OK && !one, "after the end: no subject");
  CHECK(pk_dataset_warning_count(whole) == 1, "whole file: %zu warnings",
        pk_dataset_warning_count(whole));
out:
  pk_dataset_free(one);
  pk_dataset_free(whole);
  pk_dataset_reader_free(r);
}

/* The reader's error for text equals the loader's; `before` subjects come
 * first. */
static void same_error(const char *text, const char *name, size_t before, const pk_model *m) {
  char path[1024];
  if (temp_file_write(text, strlen(text), name, path, sizeof path) != 0) {
    CHECK(0, "%s: cannot write", name);
    return;
  }
  pk_error e1, e2;
  pk_dataset *d = NULL;
  pk_dataset_reader *r = NULL;
  CHECK(pk_dataset_load_ex(path, m, NULL, &d, &e1) != PK_OK, "%s: the loader must fail", name);
  CHECK(pk_dataset_reader_open(path, m, NULL, &r, &e2) == PK_OK, "%s: open: %s", name,
        e2.message);
  size_t got = 0;
  pk_status st = PK_OK;
  while (r && (st = pk_dataset_reader_next(r, &d, &e2)) == PK_OK && d) {
    got++;
    pk_dataset_free(d);
    d = NULL;
  }
  CHECK(st != PK_OK && got == before, "%s: %zu subjects before the error, expected %zu", name,
        got, before);
  CHECK(e1.code == e2.code && e1.line == e2.line && e1.column == e2.column &&
            strcmp(e1.message, e2.message) == 0 && strcmp(e1.file, e2.file) == 0,
        "%s: the reader's error\n  %s:%d:%d: %s\nis not the loader's\n  %s:%d:%d: %s", name,
        e2.file, e2.line, e2.column, e2.message, e1.file, e1.line, e1.column, e1.message);
  pk_error e3;
  CHECK(r && pk_dataset_reader_next(r, &d, &e3) == st && !d && e3.line == e2.line,
        "%s: a further call repeats the error", name);
  pk_dataset_reader_free(r);
  temp_file_remove(path);
}

static void errors_equal_loader(const pk_model *m) {
  same_error("ID,TIME,AMT,CMT\n1,0,10,1\n2,0,10,1\n2,1,x,1\n3,0,10,1\n", "bad-amt.csv", 1, m);
  same_error("ID,TIME,AMT,CMT\n1,0,10,1\n2,0,10,1\n1,5,10,1\n", "id-back.csv", 2, m);
  /* a malformed line is found as it is read, which is while the subject
   * before it is still being read (its end is the next ID) */
  same_error("ID,TIME,AMT,CMT\n1,0,10,1\n2,0,10,1\n3,0,10\n", "short-line.csv", 1, m);
  same_error("ID,TIME,AMT,CMT\n1,0,10,1\n1,-1,10,1\n", "unsorted.csv", 0, m);
  same_error("ID,TIME,AMT,CMT\n# only a comment\n\n", "no-records.csv", 0, m);
}

/* ---- 2. the batch engine on the streamed subjects ---- */

typedef struct src_ctx {
  pk_dataset_reader *r;
  pk_dataset *cur;
  pk_regimen *reg;
  pk_sim_options base;
  size_t fail_at; /* give an error instead of subject fail_at (SIZE_MAX: never) */
} src_ctx;

static pk_status source(void *ctx, size_t index, pk_batch_subject *out, int *end,
                        pk_error *err) {
  src_ctx *c = ctx;
  pk_dataset_free(c->cur);
  c->cur = NULL;
  if (index == c->fail_at) {
    err->code = PK_ERR_INVALID;
    snprintf(err->message, sizeof err->message, "a made-up error at subject %zu", index);
    return PK_ERR_INVALID;
  }
  pk_status st = pk_dataset_reader_next(c->r, &c->cur, err);
  if (st != PK_OK) return st;
  if (!c->cur) return *end = 1, PK_OK;
  st = pk_dataset_subject_run(c->cur, 0, &c->base, c->reg, &out->options, err);
  out->model = pk_dataset_subject_model(c->cur, 0);
  out->regimen = c->reg;
  out->id = pk_dataset_subject_id(c->cur, 0);
  return st;
}

typedef struct got {
  size_t n;
  char id[N_SUBJ][16];
  double *values[N_SUBJ];
  double *traj[N_SUBJ]; /* want_trajectories: the trajectory's values */
  size_t rows[N_SUBJ], cols[N_SUBJ];
  pk_status status[N_SUBJ];
  size_t ncol;
} got;

static int on_subject(void *ctx, const pk_subject_result *r) {
  got *g = ctx;
  if (g->n >= N_SUBJ) return 1;
  size_t k = g->n++;
  snprintf(g->id[k], sizeof g->id[k], "%s", r->id ? r->id : "(null)");
  g->status[k] = r->status;
  g->values[k] = malloc(g->ncol * sizeof(double));
  if (g->values[k]) memcpy(g->values[k], r->values, g->ncol * sizeof(double));
  if (r->trajectory) {
    size_t n = pk_trajectory_rows(r->trajectory) * pk_trajectory_cols(r->trajectory);
    g->rows[k] = pk_trajectory_rows(r->trajectory);
    g->cols[k] = pk_trajectory_cols(r->trajectory);
    if ((g->traj[k] = malloc((n ? n : 1) * sizeof(double))))
      memcpy(g->traj[k], pk_trajectory_data(r->trajectory), n * sizeof(double));
  }
  return 0;
}

static void got_free(got *g) {
  for (size_t k = 0; k < N_SUBJ; k++) free(g->values[k]), free(g->traj[k]);
}

static double col(const pk_trajectory *t, size_t i, const char *name) {
  int j = pk_trajectory_column_index(t, name);
  return j < 0 ? NAN : pk_trajectory_data(t)[i * pk_trajectory_cols(t) + (size_t)j];
}

/* The summaries of trajectory t, independently: per compound Cmax, Tmax,
 * Cmin (after t_first), AUC (linear up, log down); occ_min, occ_max, E_max,
 * W_max. */
static void summarise_here(const pk_trajectory *t, double t_first, double *out) {
  const char *cc[2] = {"C_mg", "C_7oh"};
  size_t n = pk_trajectory_rows(t), j = 0;
  for (int c = 0; c < 2; c++) {
    double cmax = -INFINITY, tmax = NAN, cmin = INFINITY, auc = 0;
    for (size_t i = 0; i < n; i++) {
      double ti = col(t, i, "time_h"), ci = col(t, i, cc[c]);
      if (ci > cmax) cmax = ci, tmax = ti;
      if (ti > t_first && ci < cmin) cmin = ci;
      if (i > 0) {
        double t0 = col(t, i - 1, "time_h"), c0 = col(t, i - 1, cc[c]), dt = ti - t0;
        auc += ci < c0 && ci > 0 ? dt * (c0 - ci) / log(c0 / ci) : dt * (c0 + ci) / 2;
      }
    }
    out[j++] = cmax, out[j++] = tmax, out[j++] = isinf(cmin) ? NAN : cmin, out[j++] = auc;
  }
  double omin = INFINITY, omax = -INFINITY, emax = -INFINITY, wmax = -INFINITY;
  for (size_t i = 0; i < n; i++) {
    omin = fmin(omin, col(t, i, "occ"));
    omax = fmax(omax, col(t, i, "occ"));
    emax = fmax(emax, col(t, i, "E"));
    wmax = fmax(wmax, col(t, i, "W"));
  }
  out[j++] = omin, out[j++] = omax, out[j++] = emax, out[j++] = wmax;
}

/* A batch of the scenario whose subjects come from the dataset at path,
 * read through c (its reader and regimen made here). */
static pk_batch *streamed_batch(const char *path, const pk_scenario *sc, src_ctx *c) {
  pk_error err;
  c->reg = pk_regimen_new();
  c->base = pk_scenario_options(sc);
  CHECK(pk_dataset_reader_open(path, pk_scenario_model(sc), NULL, &c->r, &err) == PK_OK,
        "open: %s", err.message);
  pk_batch_spec spec = pk_batch_spec_default();
  spec.model = pk_scenario_model(sc);
  spec.regimen = pk_scenario_regimen(sc);
  spec.options = c->base;
  spec.source = source;
  spec.source_ctx = c;
  pk_batch *b = NULL;
  CHECK(pk_batch_new(&spec, &b, &err) == PK_OK, "batch: %s", err.message);
  return b;
}

static void batch_equals_single_runs(const char *path, const pk_scenario *sc) {
  const pk_model *m = pk_scenario_model(sc);
  pk_sim_options base = pk_scenario_options(sc);
  pk_error err;
  pk_dataset *whole = NULL;
  pk_trajectory **single = NULL;
  CHECK(pk_dataset_load_ex(path, m, NULL, &whole, &err) == PK_OK, "load: %s", err.message);
  CHECK(whole && pk_dataset_simulate(whole, &base, &single, &err) == PK_OK, "simulate: %s",
        err.message);
  if (!single) {
    pk_dataset_free(whole);
    return;
  }
  static const char *names[] = {"Cmax_mg", "Tmax_mg", "Cmin_mg", "AUC_mg", "Cmax_7oh",
                                "Tmax_7oh", "Cmin_7oh", "AUC_7oh", "occ_min", "occ_max",
                                "E_max", "W_max"};
  for (int threads = 1; threads <= 2; threads++)
    for (int want = 0; want <= 1; want++) {
      src_ctx sctx = {.fail_at = SIZE_MAX};
      pk_batch *b = streamed_batch(path, sc, &sctx);
      got g = {.ncol = pk_batch_column_count(b)};
      pk_batch_run_options ro = pk_batch_run_options_default();
      ro.threads = threads;
      ro.want_trajectories = want;
      ro.on_subject = on_subject;
      ro.ctx = &g;
      pk_batch_report rep;
      CHECK(b && pk_batch_run(b, &ro, &rep, &err) == PK_OK, "run: %s", err.message);
      CHECK(rep.total == N_SUBJ && rep.done == N_SUBJ && rep.failed == 0 && g.n == N_SUBJ,
            "run (%d threads): total %zu done %zu failed %zu", threads, rep.total, rep.done,
            rep.failed);
      /* the reset subject goes to pk_simulate; the rest are packed */
      CHECK(rep.kernel >= N_SUBJ - 2 && rep.kernel < N_SUBJ, "run: %zu by the kernel",
            rep.kernel);
      double worst = 0;
      for (size_t s = 0; s < g.n && s < N_SUBJ; s++) {
        const pk_trajectory *t = single[s];
        CHECK(strcmp(g.id[s], pk_dataset_subject_id(whole, s)) == 0, "subject %zu: id %s", s,
              g.id[s]);
        if (want) {
          int same = g.traj[s] && g.rows[s] == pk_trajectory_rows(t) &&
                     g.cols[s] == pk_trajectory_cols(t) &&
                     memcmp(g.traj[s], pk_trajectory_data(t),
                            pk_trajectory_rows(t) * pk_trajectory_cols(t) * sizeof(double)) == 0;
          CHECK(same, "subject %s (%d threads): the batch's trajectory is not pk_dataset_"
                "simulate's, bit for bit", g.id[s], threads);
        }
        const pk_regimen *reg = pk_dataset_subject_regimen(whole, s);
        double t_first = INFINITY;
        for (size_t k = 0; k < pk_regimen_size(reg); k++)
          t_first = fmin(t_first, pk_regimen_dose(reg, k).t_h);
        if (pk_regimen_size(reg) == 0) t_first = pk_dataset_sim_options(whole, s, &base).t_start_h;
        double want_v[12];
        summarise_here(t, t_first, want_v);
        for (int k = 0; k < 12; k++) {
          int j = pk_batch_column_index(b, names[k]);
          double x = j >= 0 && g.values[s] ? g.values[s][j] : NAN, y = want_v[k];
          if (isnan(y) && isnan(x)) continue;
          double rel = fabs(x - y) / fmax(fabs(y), 1e-300);
          if (y == 0) rel = fabs(x);
          if (rel > worst) worst = rel;
          CHECK(rel <= 1e-12 || fabs(x - y) <= 1e-15,
                "subject %s (%d threads): %s is %.17g, from its trajectory %.17g", g.id[s],
                threads, names[k], x, y);
        }
      }
      printf("batch on streamed subjects, %d thread(s)%s: largest relative difference of the "
             "summaries %.3g\n", threads, want ? ", trajectories" : "", worst);
      got_free(&g);
      pk_batch_free(b);
      pk_dataset_free(sctx.cur);
      pk_dataset_reader_free(sctx.r);
      pk_regimen_free(sctx.reg);
    }
  pk_dataset_trajectories_free(single, N_SUBJ);
  pk_dataset_free(whole);
}

/* 3. A failing source. */
static void failing_source_stops(const char *path, const pk_scenario *sc) {
  pk_error err;
  src_ctx sctx = {.fail_at = 5};
  pk_batch *b = streamed_batch(path, sc, &sctx);
  got g = {.ncol = pk_batch_column_count(b)};
  pk_batch_run_options ro = pk_batch_run_options_default();
  ro.on_subject = on_subject;
  ro.ctx = &g;
  pk_batch_report rep;
  pk_status st = b ? pk_batch_run(b, &ro, &rep, &err) : PK_ERR_INVALID;
  CHECK(st == PK_ERR_INVALID && strstr(err.message, "made-up error at subject 5"),
        "failing source: status %d, %s", (int)st, err.message);
  CHECK(g.n == 5 && rep.done == 5, "failing source: %zu subjects handed over, expected 5", g.n);
  /* a source and shards do not go together */
  ro.shard_count = 2;
  CHECK(b && pk_batch_run(b, &ro, &rep, &err) == PK_ERR_INVALID, "a source with shards");
  got_free(&g);
  pk_batch_free(b);
  pk_dataset_free(sctx.cur);
  pk_dataset_reader_free(sctx.r);
  pk_regimen_free(sctx.reg);
}

int main(void) {
  test_init();
  pk_scenario *sc = load_scenario();
  char *text = dataset_text();
  char path[1024];
  if (!sc || !text || temp_file_write(text, strlen(text), "stream.csv", path, sizeof path) != 0) {
    CHECK(0, "setup failed");
    return test_finish("dataset_stream");
  }
  reader_equals_loader(path, pk_scenario_model(sc));
  errors_equal_loader(pk_scenario_model(sc));
  batch_equals_single_runs(path, sc);
  failing_source_stops(path, sc);
  temp_file_remove(path);
  free(text);
  pk_scenario_free(sc);
  return test_finish("dataset_stream");
}
