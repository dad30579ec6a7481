/* sweep.c - parameter sweeps: axes over named settings, as a full grid or
 * a Latin hypercube drawn from a seed. */
#include <errno.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "population_internal.h"
#include "rng.h"

enum { PK_SWEEP_MAX_AXES = 32, PK_SWEEP_MAX_LIST = 4096 };

typedef struct sweep_axis {
  pk_target target;
  int is_list;
  double lo, hi;
  size_t n;   /* grid points (0: not given) */
  int log;
  double *list; /* is_list: n values */
} sweep_axis;

struct pk_sweep {
  size_t n_axes;
  sweep_axis axis[PK_SWEEP_MAX_AXES];
  size_t lhs_n;  /* 0: grid */
  double *lhs_u; /* lhs_n x n_axes positions in [0, 1) */
};

static const unsigned SWEEP_TARGETS = (1u << PK_TARGET_PARAM) | (1u << PK_TARGET_K_TOL) |
                                      (1u << PK_TARGET_PD) | (1u << PK_TARGET_TOL0) |
                                      (1u << PK_TARGET_DOSE) | (1u << PK_TARGET_FM) |
                                      (1u << PK_TARGET_CONTENT);

pk_sweep *pk_sweep_new(void) { return calloc(1, sizeof(pk_sweep)); }

void pk_sweep_free(pk_sweep *s) {
  if (!s) return;
  for (size_t a = 0; a < s->n_axes; a++) free(s->axis[a].list);
  free(s->lhs_u);
  free(s);
}

/* A finite number making up all of text[0..len). */
static int parse_number(const char *text, size_t len, double *out) {
  char buf[64];
  if (len == 0 || len >= sizeof buf) return -1;
  memcpy(buf, text, len);
  buf[len] = '\0';
  char *end;
  errno = 0;
  double x = strtod(buf, &end);
  if (end == buf || *end || errno == ERANGE || !isfinite(x)) return -1;
  *out = x;
  return 0;
}

static pk_status parse_values(const char *text, const char *vals, sweep_axis *ax,
                              pk_error *err) {
#define BAD(...) pk_err_set(err, PK_ERR_INVALID, NULL, text, __VA_ARGS__)
  if (!vals[0])
    return BAD("no values after '='; expected LO:HI:N, LO:HI:N:log or V1,V2,...");
  if (strchr(vals, ':')) {
    const char *part[5];
    size_t plen[5], np = 0;
    const char *q = vals;
    while (np < 5) {
      const char *e = strchr(q, ':');
      part[np] = q;
      plen[np++] = e ? (size_t)(e - q) : strlen(q);
      if (!e) break;
      q = e + 1;
    }
    if (np < 2 || np > 4 || strchr(q, ':'))
      return BAD("'%s': expected LO:HI:N, LO:HI:N:log, or LO:HI[:log] for a Latin hypercube",
                 vals);
    if (np >= 3 && plen[np - 1] == 3 && strncmp(part[np - 1], "log", 3) == 0) ax->log = 1, np--;
    if (parse_number(part[0], plen[0], &ax->lo) || parse_number(part[1], plen[1], &ax->hi))
      return BAD("'%s': LO and HI must be finite numbers", vals);
    if (np == 3) {
      double n;
      if (parse_number(part[2], plen[2], &n) || !(n >= 1 && n <= 1e6 && n == floor(n)))
        return BAD("'%s': N must be a whole number of points in [1, 1000000]", vals);
      ax->n = (size_t)n;
    } else if (np == 4) {
      return BAD("'%s': the fourth field may only be 'log'", vals);
    }
    if (!(ax->hi >= ax->lo))
      return BAD("'%s': expected LO <= HI", vals);
    if (ax->log && !(ax->lo > 0))
      return BAD("'%s': a log scale needs LO > 0", vals);
    return PK_OK;
  }
  size_t n = 1;
  for (const char *q = vals; *q; q++) n += *q == ',';
  if (n > PK_SWEEP_MAX_LIST) return BAD("more than %d values listed", PK_SWEEP_MAX_LIST);
  ax->list = malloc(n * sizeof *ax->list);
  if (!ax->list) return pk_err_nomem(err);
  ax->is_list = 1;
  ax->n = n;
  const char *q = vals;
  for (size_t k = 0; k < n; k++) {
    const char *e = strchr(q, ',');
    size_t len = e ? (size_t)(e - q) : strlen(q);
    if (parse_number(q, len, &ax->list[k]))
      return BAD("'%s': value %zu is not a finite number", vals, k + 1);
    q = e ? e + 1 : q + len;
  }
  return PK_OK;
#undef BAD
}

pk_status pk_sweep_add(pk_sweep *s, const pk_model *m, const char *text, pk_error *err) {
  pk_error_clear(err);
  if (!s || !m || !text) return pk_err_set(err, PK_ERR_INVALID, NULL, NULL, "no sweep, model or text");
  if (s->lhs_n)
    return pk_err_set(err, PK_ERR_INVALID, NULL, text,
                      "add every axis before setting the Latin hypercube");
  if (s->n_axes >= PK_SWEEP_MAX_AXES)
    return pk_err_set(err, PK_ERR_RANGE, NULL, text, "more than %d axes", PK_SWEEP_MAX_AXES);
  const char *eq = strchr(text, '=');
  if (!eq)
    return pk_err_set(err, PK_ERR_INVALID, NULL, text,
                      "expected NAME=VALUES, such as mitragynine.CL=100:400:7 or dose=0.5,1,2");
  char name[PK_TARGET_NAME_MAX + PK_NAME_MAX];
  size_t len = (size_t)(eq - text);
  if (len >= sizeof name) len = sizeof name - 1;
  memcpy(name, text, len);
  name[len] = '\0';
  sweep_axis ax = {0};
  char msg[PK_ERROR_MESSAGE_MAX];
  if (pk_target_parse(m, name, SWEEP_TARGETS, &ax.target, msg, sizeof msg) != 0)
    return pk_err_set(err, PK_ERR_INVALID, NULL, text, "%s", msg);
  for (size_t a = 0; a < s->n_axes; a++)
    if (strcmp(s->axis[a].target.name, ax.target.name) == 0)
      return pk_err_set(err, PK_ERR_INVALID, NULL, text, "'%s' is swept twice", ax.target.name);
  pk_status st = parse_values(text, eq + 1, &ax, err);
  if (st != PK_OK) {
    free(ax.list);
    return st;
  }
  s->axis[s->n_axes++] = ax;
  return PK_OK;
}

pk_status pk_sweep_add_text(pk_sweep *s, const pk_model *m, const char *text, size_t len,
                            pk_error *err) {
  pk_error_clear(err);
  if (!text && len) return pk_err_set(err, PK_ERR_INVALID, NULL, NULL, "no text");
  if (len && memchr(text, '\0', len))
    return pk_err_set(err, PK_ERR_INVALID, NULL, NULL,
                      "the text has a NUL byte at offset %zu; expected NAME=VALUES",
                      (size_t)((const char *)memchr(text, '\0', len) - text));
  char *copy = malloc(len + 1);
  if (!copy) return pk_err_nomem(err);
  if (len) memcpy(copy, text, len);
  copy[len] = '\0';
  pk_status st = pk_sweep_add(s, m, copy, err);
  free(copy);
  return st;
}

pk_status pk_sweep_set_lhs(pk_sweep *s, size_t n, uint64_t seed, pk_error *err) {
  pk_error_clear(err);
  if (!s) return pk_err_set(err, PK_ERR_INVALID, NULL, NULL, "no sweep");
  if (s->n_axes == 0)
    return pk_err_set(err, PK_ERR_INVALID, NULL, NULL, "a Latin hypercube needs an axis first");
  if (n < 1 || n > 100000000)
    return pk_err_set(err, PK_ERR_INVALID, NULL, NULL,
                      "expected a number of points in [1, 100000000], got %zu", n);
  for (size_t a = 0; a < s->n_axes; a++)
    if (s->axis[a].is_list)
      return pk_err_set(err, PK_ERR_INVALID, NULL, s->axis[a].target.name,
                        "a Latin hypercube needs a range LO:HI for every axis, not a list");
  double *u = malloc(n * s->n_axes * sizeof *u);
  size_t *perm = malloc(n * sizeof *perm);
  gsl_rng *r = pk_rng_new();
  if (!u || !perm || !r) {
    free(u);
    free(perm);
    if (r) gsl_rng_free(r);
    return pk_err_nomem(err);
  }
  for (size_t a = 0; a < s->n_axes; a++) {
    pk_rng_seed(r, seed, PK_STREAM_LHS, a);
    for (size_t k = 0; k < n; k++) perm[k] = k;
    gsl_ran_shuffle(r, perm, n, sizeof *perm);
    for (size_t k = 0; k < n; k++)
      u[k * s->n_axes + a] = ((double)perm[k] + gsl_rng_uniform(r)) / (double)n;
  }
  gsl_rng_free(r);
  free(perm);
  free(s->lhs_u);
  s->lhs_u = u;
  s->lhs_n = n;
  return PK_OK;
}

size_t pk_sweep_axis_count(const pk_sweep *s) { return s ? s->n_axes : 0; }

const char *pk_sweep_axis_name(const pk_sweep *s, size_t a) {
  return s && a < s->n_axes ? s->axis[a].target.name : NULL;
}

pk_status pk_sweep_check(const pk_sweep *s, pk_error *err) {
  if (!s || s->n_axes == 0)
    return pk_err_set(err, PK_ERR_INVALID, NULL, NULL, "a sweep needs at least one axis");
  if (s->lhs_n) return PK_OK;
  double total = 1;
  for (size_t a = 0; a < s->n_axes; a++) {
    if (s->axis[a].n == 0)
      return pk_err_set(err, PK_ERR_INVALID, NULL, s->axis[a].target.name,
                        "a grid axis needs a number of points: LO:HI:N (LO:HI alone is for "
                        "a Latin hypercube)");
    total *= (double)s->axis[a].n;
  }
  if (total > 1e9)
    return pk_err_set(err, PK_ERR_RANGE, NULL, NULL,
                      "the grid has %.3g points, more than 1e9; use a Latin hypercube", total);
  return PK_OK;
}

size_t pk_sweep_point_count(const pk_sweep *s) {
  if (!s || s->n_axes == 0) return 0;
  if (s->lhs_n) return s->lhs_n;
  size_t total = 1;
  for (size_t a = 0; a < s->n_axes; a++) {
    if (s->axis[a].n == 0 || total > (size_t)1e9) return 0;
    total *= s->axis[a].n;
  }
  return total;
}

/* Position u in [0, 1] of a range axis to its value. */
static double range_value(const sweep_axis *ax, double u) {
  if (u <= 0) return ax->lo;
  if (u >= 1) return ax->hi;
  return ax->log ? exp(log(ax->lo) + u * (log(ax->hi) - log(ax->lo)))
                 : ax->lo + u * (ax->hi - ax->lo);
}

pk_status pk_sweep_point(const pk_sweep *s, size_t k, double *values, pk_error *err) {
  size_t n = pk_sweep_point_count(s);
  if (k >= n)
    return pk_err_set(err, PK_ERR_RANGE, NULL, NULL, "point %zu of a sweep of %zu", k, n);
  if (s->lhs_n) {
    for (size_t a = 0; a < s->n_axes; a++)
      values[a] = range_value(&s->axis[a], s->lhs_u[k * s->n_axes + a]);
    return PK_OK;
  }
  for (size_t a = s->n_axes; a-- > 0;) {
    const sweep_axis *ax = &s->axis[a];
    size_t j = k % ax->n;
    k /= ax->n;
    values[a] = ax->is_list ? ax->list[j]
                : ax->n == 1 ? ax->lo
                             : range_value(ax, (double)j / (double)(ax->n - 1));
  }
  return PK_OK;
}

const pk_target *pk_sweep_target(const pk_sweep *s, size_t a) {
  return s && a < s->n_axes ? &s->axis[a].target : NULL;
}
