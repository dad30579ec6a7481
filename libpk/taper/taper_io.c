/* taper_io.c - writing taper schedules: as scenario dosing entries (JSON)
 * and as a day,dose table (CSV), both atomically. */
#include <math.h>
#include <string.h>
#include "taper_internal.h"

/* The scenario key a dose of the item is given with. */
static const char *amount_key(const pk_model *m, const pk_taper_item *item) {
  if (item->product < 0) return "dose_mg";
  return strcmp(pk_model_product_dose_unit(m, item->product), "g") == 0 ? "dose_g"
                                                                         : "dose_units";
}

static void put_string(FILE *f, const char *s) {
  fputc('"', f);
  for (; *s; s++) {
    unsigned char ch = (unsigned char)*s;
    if (ch == '"' || ch == '\\') fprintf(f, "\\%c", ch);
    else if (ch < 0x20) fprintf(f, "\\u%04x", ch);
    else fputc(ch, f);
  }
  fputc('"', f);
}

typedef struct json_ctx {
  const pk_model *m;
  const pk_taper_schedule *s;
  size_t n;
  const char *note;
} json_ctx;

static void put_entry(FILE *f, const json_ctx *c, const pk_taper_schedule *s, double level,
                      int from, int to, int *first) {
  const pk_taper_item *it = &s->item;
  fputs(*first ? "\n    {" : ",\n    {", f);
  *first = 0;
  if (it->product >= 0) {
    fputs("\"product\": ", f);
    put_string(f, c->m->product[it->product].id);
  } else {
    fputs("\"compound\": ", f);
    put_string(f, c->m->compound[it->compound].id);
  }
  fprintf(f, ", \"%s\": %.12g", amount_key(c->m, it), level);
  if (it->product < 0 && it->route == PK_ROUTE_IV) fputs(", \"route\": \"iv\"", f);
  fputs(", \"times_of_day_h\": [", f);
  for (size_t j = 0; j < it->n_times; j++)
    fprintf(f, "%s%.12g", j ? ", " : "", it->times_of_day_h[j]);
  fprintf(f, "], \"days\": [%d, %d]}", from, to);
}

static int write_json(void *ctx, FILE *f) {
  const json_ctx *c = ctx;
  int first = 1;
  fputs("{\n", f);
  if (c->note) {
    fputs("  \"note\": ", f);
    put_string(f, c->note);
    fputs(",\n", f);
  }
  fputs("  \"dosing\": [", f);
  for (size_t i = 0; i < c->n; i++) {
    const pk_taper_schedule *s = &c->s[i];
    int zero = pk_taper_schedule_zero_day(s);
    for (int d = s->item.first_day > 1 ? s->item.first_day : 1; d < zero;) {
      double level = pk_taper_schedule_level(s, d);
      int e = d;
      while (e + 1 < zero && pk_taper_schedule_level(s, e + 1) == level) e++;
      if (level > 0) put_entry(f, c, s, level, d, e, &first);
      d = e + 1;
    }
  }
  fputs("\n  ]\n}\n", f);
  return ferror(f) ? -1 : 0;
}

static pk_status check_schedules(const pk_model *m, const pk_taper_schedule *s, size_t n,
                                 const char *path, pk_error *err) {
  if (!m || !s || !path || n == 0)
    return pk_err_set(err, PK_ERR_INVALID, NULL, NULL, "no model, schedule or path");
  for (size_t i = 0; i < n; i++) {
    pk_status st = pk_taper_check_item(m, &s[i].item, err);
    if (st != PK_OK) return st;
    if (!s[i].level || s[i].n_days == 0)
      return pk_err_set(err, PK_ERR_INVALID, NULL, NULL, "schedule %zu is empty", i);
    if (s[i].item.product < 0 && s[i].item.route == PK_ROUTE_DEPOT)
      return pk_err_set(err, PK_ERR_INVALID, path, NULL,
                        "a compound given by the depot route cannot be written as a scenario "
                        "entry (scenarios take oral or iv compound doses)");
  }
  return PK_OK;
}

pk_status pk_taper_write_json(const pk_model *m, const pk_taper_schedule *s, size_t n,
                              const char *note, const char *path, pk_error *err) {
  pk_error_clear(err);
  pk_status st = check_schedules(m, s, n, path, err);
  if (st != PK_OK) return st;
  json_ctx c = {.m = m, .s = s, .n = n, .note = note};
  return pk_write_atomic(path, write_json, &c, err);
}

typedef struct csv_ctx {
  const pk_model *m;
  const pk_taper_schedule *s;
} csv_ctx;

static int write_csv(void *ctx, FILE *f) {
  const csv_ctx *c = ctx;
  const pk_taper_schedule *s = c->s;
  fprintf(f, "day,%s\n", amount_key(c->m, &s->item));
  for (size_t k = 0; k < s->n_days; k++)
    fprintf(f, "%d,%.12g\n", s->item.first_day + (int)k, s->level[k]);
  return ferror(f) ? -1 : 0;
}

pk_status pk_taper_write_csv(const pk_model *m, const pk_taper_schedule *s, const char *path,
                             pk_error *err) {
  pk_error_clear(err);
  pk_status st = check_schedules(m, s, 1, path, err);
  if (st != PK_OK) return st;
  csv_ctx c = {.m = m, .s = s};
  return pk_write_atomic(path, write_csv, &c, err);
}
