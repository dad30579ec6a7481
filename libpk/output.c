/* output.c - atomic file writes: a temporary file in the same directory,
 * flushed and renamed over the target, so that readers see either the old
 * file or the complete new one, never a partial one. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "internal.h"

pk_status pk_write_atomic(const char *path, int (*write_fn)(void *ctx, FILE *f), void *ctx,
                          pk_error *err) {
  size_t len = strlen(path);
  char *tmp = malloc(len + 16);
  if (!tmp) return pk_err_nomem(err);
  snprintf(tmp, len + 16, "%s.tmp.XXXXXX", path);
  int fd = mkstemp(tmp);
  if (fd < 0) {
    pk_status st = pk_err_set(err, PK_ERR_IO, path, NULL, "cannot create a file here: %s",
                              strerror(errno));
    free(tmp);
    return st;
  }
  /* mkstemp creates 0600; an output file is an ordinary document. */
  (void)fchmod(fd, 0644);
  FILE *f = fdopen(fd, "w");
  if (!f) {
    int e = errno;
    close(fd);
    unlink(tmp);
    free(tmp);
    return pk_err_set(err, PK_ERR_IO, path, NULL, "cannot open for writing: %s", strerror(e));
  }
  int bad = write_fn(ctx, f);
  int e = errno;
  if (fflush(f) != 0 || ferror(f)) bad = 1, e = errno;
  if (fsync(fileno(f)) != 0 && !bad) bad = 1, e = errno;
  if (fclose(f) != 0 && !bad) bad = 1, e = errno;
  if (bad) {
    unlink(tmp);
    free(tmp);
    return pk_err_set(err, PK_ERR_IO, path, NULL, "write failed: %s",
                      e ? strerror(e) : "unknown error");
  }
  if (rename(tmp, path) != 0) {
    e = errno;
    unlink(tmp);
    free(tmp);
    return pk_err_set(err, PK_ERR_IO, path, NULL, "cannot replace the file: %s",
                      strerror(e));
  }
  free(tmp);
  return PK_OK;
}
