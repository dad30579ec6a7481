/* error.c - status names and error formatting. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"

const char *pk_version(void) { return PK_VERSION_STRING; }

void pk_error_clear(pk_error *err) {
  if (!err) return;
  memset(err, 0, sizeof *err);
  err->t_h = NAN;
}

const char *pk_status_str(pk_status status) {
  switch (status) {
  case PK_WARN_DOSE: return "PK_WARN_DOSE";
  case PK_WARN_RECEPTOR: return "PK_WARN_RECEPTOR";
  case PK_WARN_NOT_DOSED: return "PK_WARN_NOT_DOSED";
  case PK_WARN_RESET_DROPS: return "PK_WARN_RESET_DROPS";
  case PK_WARN_UNUSED_COLUMNS: return "PK_WARN_UNUSED_COLUMNS";
  case PK_WARN_PRODUCT_SS: return "PK_WARN_PRODUCT_SS";
  case PK_OK: return "PK_OK";
  case PK_ERR_IO: return "PK_ERR_IO";
  case PK_ERR_PARSE: return "PK_ERR_PARSE";
  case PK_ERR_INVALID: return "PK_ERR_INVALID";
  case PK_ERR_NOMEM: return "PK_ERR_NOMEM";
  case PK_ERR_SOLVER: return "PK_ERR_SOLVER";
  case PK_ERR_RANGE: return "PK_ERR_RANGE";
  }
  return "PK_ERR_UNKNOWN";
}

pk_status pk_err_set(pk_error *err, pk_status code, const char *file, const char *path,
                     const char *fmt, ...) {
  if (!err) return code;
  pk_error_clear(err);
  err->code = code;
  if (file) snprintf(err->file, sizeof err->file, "%s", file);
  if (path) snprintf(err->path, sizeof err->path, "%s", path);
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err->message, sizeof err->message, fmt, ap);
  va_end(ap);
  return code;
}

pk_status pk_err_nomem(pk_error *err) {
  return pk_err_set(err, PK_ERR_NOMEM, NULL, NULL, "out of memory");
}

pk_status pk_warning_vadd(pk_error **list, size_t *n, pk_status kind, const char *file,
                          const char *path, pk_error **added, const char *fmt, va_list ap) {
  if (added) *added = NULL;
  if (*n == PK_WARNINGS_MAX) return PK_OK;
  if (!*list && !(*list = malloc(PK_WARNINGS_MAX * sizeof **list))) return PK_ERR_NOMEM;
  pk_error *w = &(*list)[(*n)++];
  char msg[PK_ERROR_MESSAGE_MAX];
  vsnprintf(msg, sizeof msg, fmt, ap);
  if (*n == PK_WARNINGS_MAX)
    snprintf(msg, sizeof msg, "more than %d warnings; the rest are left out",
             PK_WARNINGS_MAX - 1);
  pk_err_set(w, kind, file, path, "%s", msg);
  if (added) *added = w;
  return PK_OK;
}

int pk_error_format(const pk_error *err, char *buf, size_t n) {
  if (!err) return snprintf(buf, n, "unknown error");
  char where[PK_ERROR_FILE_MAX + 64] = "";
  if (err->file[0] && err->line > 0 && err->column > 0)
    snprintf(where, sizeof where, "%s:%d:%d: ", err->file, err->line, err->column);
  else if (err->file[0] && err->line > 0)
    snprintf(where, sizeof where, "%s:%d: ", err->file, err->line);
  else if (err->file[0])
    snprintf(where, sizeof where, "%s: ", err->file);
  char when[64] = "";
  if (isfinite(err->t_h)) snprintf(when, sizeof when, "at t = %.9g h: ", err->t_h);
  return snprintf(buf, n, "%s%s%s%s%s", where, err->path, err->path[0] ? ": " : "", when,
                  err->message[0] ? err->message : pk_status_str(err->code));
}
