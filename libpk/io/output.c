/* output.c - output files (pk/output.h): regular files through a temporary
 * file in the same directory, flushed, synced and renamed over the target,
 * so that readers see either the old file or the complete new one; devices,
 * FIFOs and descriptors written directly, never replaced. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "internal.h"
#include "pk/output.h"

/* ---- the table of temporary files, for signal handlers ---- */

enum { TEMP_SLOTS = 64, TEMP_PATH_MAX = 4096 };
/* 0 free, 1 being written, 2 listed */
static _Atomic int g_state[TEMP_SLOTS];
static char g_path[TEMP_SLOTS][TEMP_PATH_MAX];

int pk_temporary_add(const char *path) {
  size_t n = strlen(path);
  if (n >= TEMP_PATH_MAX) return -1;
  for (int i = 0; i < TEMP_SLOTS; i++) {
    int expect = 0;
    if (atomic_compare_exchange_strong(&g_state[i], &expect, 1)) {
      memcpy(g_path[i], path, n + 1);
      atomic_store(&g_state[i], 2);
      return 0;
    }
  }
  return -1;
}

void pk_temporary_forget(const char *path) {
  for (int i = 0; i < TEMP_SLOTS; i++) {
    int expect = 2;
    if (atomic_load(&g_state[i]) == 2 && strcmp(g_path[i], path) == 0 &&
        atomic_compare_exchange_strong(&g_state[i], &expect, 1)) {
      g_path[i][0] = '\0';
      atomic_store(&g_state[i], 0);
      return;
    }
  }
}

void pk_temporaries_remove(void) {
  for (int i = 0; i < TEMP_SLOTS; i++)
    if (atomic_load(&g_state[i]) == 2) unlink(g_path[i]);
}

/* ---- output files ---- */

struct pk_output {
  char *target; /* the file renamed over (symbolic links resolved), or the path */
  char *tmp;    /* NULL: written directly */
  FILE *f;
};

static int starts_with(const char *s, const char *prefix) {
  return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* A link's target, relative to the link's directory when not absolute. */
static char *link_target(const char *link, pk_error *err) {
  char buf[PATH_MAX];
  ssize_t n = readlink(link, buf, sizeof buf - 1);
  if (n < 0) {
    pk_err_set(err, PK_ERR_IO, link, NULL, "cannot read the symbolic link: %s", strerror(errno));
    return NULL;
  }
  buf[n] = '\0';
  const char *slash = strrchr(link, '/');
  size_t dir = buf[0] == '/' || !slash ? 0 : (size_t)(slash - link) + 1;
  char *out = malloc(dir + (size_t)n + 1);
  if (!out) {
    pk_err_nomem(err);
    return NULL;
  }
  memcpy(out, link, dir);
  memcpy(out + dir, buf, (size_t)n + 1);
  return out;
}

typedef enum { OUT_NEW_OR_REGULAR, OUT_DIRECT } out_kind;

/* Follows symbolic links from path: *final is the file to replace (kind
 * OUT_NEW_OR_REGULAR; *mode its permission bits, or 0 for a new file), or
 * the path to write directly (OUT_DIRECT; *append for a regular file reached
 * through a descriptor). */
static pk_status resolve(const char *path, char **final, out_kind *kind, int *append,
                         mode_t *mode, pk_error *err) {
  char *cur = malloc(strlen(path) + 1);
  if (!cur) return pk_err_nomem(err);
  strcpy(cur, path);
  *append = 0;
  *mode = 0;
  for (int hops = 0; hops < 40; hops++) {
    int descriptor = starts_with(cur, "/proc/") || starts_with(cur, "/dev/fd/");
    struct stat st;
    if (descriptor) {
      /* /dev/stdout, /proc/self/fd/N: whatever the descriptor is, write it */
      if (stat(cur, &st) != 0) {
        pk_status s = pk_err_set(err, PK_ERR_IO, path, NULL, "cannot write: %s", strerror(errno));
        free(cur);
        return s;
      }
      if (S_ISDIR(st.st_mode)) break;
      free(cur);
      *final = NULL;
      *kind = OUT_DIRECT;
      *append = S_ISREG(st.st_mode);
      return PK_OK;
    }
    if (lstat(cur, &st) != 0) {
      if (errno == ENOENT) {
        *final = cur;
        *kind = OUT_NEW_OR_REGULAR;
        return PK_OK;
      }
      pk_status s = pk_err_set(err, PK_ERR_IO, path, NULL, "cannot write: %s", strerror(errno));
      free(cur);
      return s;
    }
    if (S_ISLNK(st.st_mode)) {
      char *next = link_target(cur, err);
      free(cur);
      if (!next) return err ? err->code : PK_ERR_IO;
      cur = next;
      continue;
    }
    const char *what = NULL;
    if (S_ISREG(st.st_mode)) {
      *final = cur;
      *kind = OUT_NEW_OR_REGULAR;
      *mode = st.st_mode & 07777;
      return PK_OK;
    }
    if (S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode)) {
      free(cur);
      *final = NULL;
      *kind = OUT_DIRECT;
      return PK_OK;
    }
    what = S_ISDIR(st.st_mode)    ? "is a directory; expected a file name"
           : S_ISBLK(st.st_mode)  ? "is a block device; pk writes regular files, character "
                                    "devices (such as /dev/null) and pipes"
           : S_ISSOCK(st.st_mode) ? "is a socket; pk writes regular files, character devices "
                                    "and pipes"
                                  : "is not a regular file";
    free(cur);
    return pk_err_set(err, PK_ERR_IO, path, NULL, "%s", what);
  }
  free(cur);
  return pk_err_set(err, PK_ERR_IO, path, NULL,
                    "is a directory, or too many levels of symbolic links; expected a file name");
}

pk_status pk_output_open(const char *path, pk_output **out, pk_error *err) {
  *out = NULL;
  if (!path || !path[0])
    return pk_err_set(err, PK_ERR_IO, "", NULL, "empty file name; expected the path of a file "
                      "to write");
  pk_output *o = calloc(1, sizeof *o);
  if (!o) return pk_err_nomem(err);
  out_kind kind;
  int append;
  mode_t mode;
  pk_status st = resolve(path, &o->target, &kind, &append, &mode, err);
  if (st != PK_OK) {
    free(o);
    return st;
  }
  int fd;
  if (kind == OUT_DIRECT) {
    o->target = malloc(strlen(path) + 1);
    if (!o->target) {
      free(o);
      return pk_err_nomem(err);
    }
    strcpy(o->target, path);
    fd = open(path, O_WRONLY | O_NOCTTY | (append ? O_APPEND : 0));
    if (fd < 0) {
      st = pk_err_set(err, PK_ERR_IO, path, NULL, "cannot open for writing: %s",
                      strerror(errno));
      free(o->target);
      free(o);
      return st;
    }
  } else {
    size_t len = strlen(o->target) + 16;
    if (!(o->tmp = malloc(len))) {
      free(o->target);
      free(o);
      return pk_err_nomem(err);
    }
    snprintf(o->tmp, len, "%s.tmp.XXXXXX", o->target);
    fd = mkstemp(o->tmp);
    if (fd < 0) {
      st = pk_err_set(err, PK_ERR_IO, path, NULL, "cannot create a file here: %s",
                      strerror(errno));
      free(o->tmp);
      free(o->target);
      free(o);
      return st;
    }
    (void)pk_temporary_add(o->tmp);
    /* mkstemp creates 0600: a new output is an ordinary document, a replaced
     * one keeps its permissions */
    (void)fchmod(fd, mode ? mode : 0644);
  }
  if (!(o->f = fdopen(fd, "w"))) {
    st = pk_err_set(err, PK_ERR_IO, path, NULL, "cannot open for writing: %s", strerror(errno));
    close(fd);
    pk_output_discard(o);
    return st;
  }
  *out = o;
  return PK_OK;
}

FILE *pk_output_stream(pk_output *o) { return o ? o->f : NULL; }
const char *pk_output_temp_path(const pk_output *o) { return o ? o->tmp : NULL; }
int pk_output_is_direct(const pk_output *o) { return o && !o->tmp; }

static void output_free(pk_output *o) {
  if (o->tmp) {
    pk_temporary_forget(o->tmp);
    unlink(o->tmp);
  }
  free(o->tmp);
  free(o->target);
  free(o);
}

void pk_output_discard(pk_output *o) {
  if (!o) return;
  if (o->f) fclose(o->f);
  output_free(o);
}

pk_status pk_output_commit(pk_output *o, pk_error *err) {
  int bad = 0, e = 0;
  errno = 0;
  if (fflush(o->f) != 0 || ferror(o->f)) bad = 1, e = errno;
  if (!bad && o->tmp && fsync(fileno(o->f)) != 0) bad = 1, e = errno;
  if (fclose(o->f) != 0 && !bad) bad = 1, e = errno;
  o->f = NULL;
  pk_status st = PK_OK;
  if (bad) {
    st = pk_err_set(err, PK_ERR_IO, o->target, NULL, "write failed: %s",
                    e ? strerror(e) : "unknown error");
  } else if (o->tmp) {
    pk_temporary_forget(o->tmp);
    if (rename(o->tmp, o->target) != 0) {
      st = pk_err_set(err, PK_ERR_IO, o->target, NULL, "cannot replace the file: %s",
                      strerror(errno));
    } else {
      free(o->tmp);
      o->tmp = NULL;
    }
  }
  output_free(o);
  return st;
}

pk_status pk_write_atomic(const char *path, int (*write_fn)(void *ctx, FILE *f), void *ctx,
                          pk_error *err) {
  pk_output *o;
  pk_status st = pk_output_open(path, &o, err);
  if (st != PK_OK) return st;
  errno = 0;
  if (write_fn(ctx, o->f) != 0) {
    int e = errno;
    pk_output_discard(o);
    return pk_err_set(err, PK_ERR_IO, path, NULL, "write failed: %s",
                      e ? strerror(e) : "unknown error");
  }
  return pk_output_commit(o, err);
}
