/* io.c - the one reader of input files (io.h, pk/input.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "io.h"
#include "pk/input.h"

static _Atomic size_t max_input_bytes = PK_MAX_INPUT_BYTES_DEFAULT;

size_t pk_set_max_input_bytes(size_t max_bytes) {
  if (max_bytes == 0) max_bytes = PK_MAX_INPUT_BYTES_DEFAULT;
  if (max_bytes > SIZE_MAX / 2) max_bytes = SIZE_MAX / 2; /* room for the buffer's growth */
  return atomic_exchange(&max_input_bytes, max_bytes);
}

size_t pk_max_input_bytes(void) { return atomic_load(&max_input_bytes); }

/* What a file that is not a regular file is, for messages. */
static const char *file_kind(mode_t mode) {
  if (S_ISCHR(mode)) return "character device";
  if (S_ISBLK(mode)) return "block device";
  if (S_ISFIFO(mode)) return "named pipe";
  if (S_ISSOCK(mode)) return "socket";
  return "neither a file nor a directory";
}

static pk_status not_regular(const char *path, mode_t mode, pk_error *err) {
  if (S_ISDIR(mode))
    return pk_err_set(err, PK_ERR_IO, path, NULL, "is a directory; expected a file");
  return pk_err_set(err, PK_ERR_IO, path, NULL, "is not a regular file (%s); expected a file",
                    file_kind(mode));
}

static pk_status too_large(const char *path, const char *size, size_t max, pk_error *err) {
  char limit[48];
  if (max % ((size_t)1 << 20) == 0)
    snprintf(limit, sizeof limit, "%zu bytes (%zu MiB)", max, max >> 20);
  else
    snprintf(limit, sizeof limit, "%zu bytes", max);
  return pk_err_set(err, PK_ERR_IO, path, NULL,
                    "%s, more than the input limit of %s; expected a smaller file (the "
                    "limit is raised with pk_set_max_input_bytes, or PK_MAX_INPUT_BYTES for "
                    "the pk tool)", size, limit);
}

/* Opens the regular file path for reading: *fd, and its status in *sb; no
 * size limit (the caller's). */
static pk_status open_regular(const char *path, int *fd_out, struct stat *sb, pk_error *err) {
  if (!path || !path[0])
    return pk_err_set(err, PK_ERR_IO, NULL, NULL, "empty file name; expected the path of a file");
  /* Look before opening: opening a device or a named pipe can block or have
   * effects of its own. */
  if (stat(path, sb) != 0)
    return pk_err_set(err, PK_ERR_IO, path, NULL, "cannot open: %s", strerror(errno));
  if (!S_ISREG(sb->st_mode)) return not_regular(path, sb->st_mode, err);
  int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return pk_err_set(err, PK_ERR_IO, path, NULL, "cannot open: %s", strerror(errno));
  /* the file opened is the one to check (it may have been replaced) */
  if (fstat(fd, sb) != 0) {
    int e = errno;
    close(fd);
    return pk_err_set(err, PK_ERR_IO, path, NULL, "cannot open: %s", strerror(e));
  }
  if (!S_ISREG(sb->st_mode)) {
    close(fd);
    return not_regular(path, sb->st_mode, err);
  }
  *fd_out = fd;
  return PK_OK;
}

pk_status pk_open_file(const char *path, int *fd, pk_error *err) {
  struct stat sb;
  *fd = -1;
  return open_regular(path, fd, &sb, err);
}

pk_status pk_read_file(const char *path, char **text, size_t *len, pk_error *err) {
  *text = NULL;
  *len = 0;
  struct stat sb;
  int fd = -1;
  pk_status st0 = open_regular(path, &fd, &sb, err);
  if (st0 != PK_OK) return st0;
  size_t max = pk_max_input_bytes();
  char size[64];
  if ((uintmax_t)sb.st_size > (uintmax_t)max) {
    close(fd);
    snprintf(size, sizeof size, "the file is %jd bytes", (intmax_t)sb.st_size);
    return too_large(path, size, max, err);
  }
  /* The size is a hint (a file may grow, /proc files say 0): read to the
   * end, refusing the file once it has more than max bytes. */
  size_t hint = (uintmax_t)sb.st_size < (uintmax_t)max ? (size_t)sb.st_size : max;
  size_t cap = hint + 1 > 4096 ? hint + 1 : 4096, n = 0;
  if (cap > max + 1) cap = max + 1;
  char *buf = malloc(cap + 1);
  pk_status st = buf ? PK_OK : pk_err_nomem(err);
  while (st == PK_OK) {
    if (n == cap) {
      if (cap > max) break; /* more than max bytes */
      size_t nc = cap > max / 2 ? max + 1 : 2 * cap;
      char *nb = realloc(buf, nc + 1);
      if (!nb) {
        st = pk_err_nomem(err);
        break;
      }
      buf = nb;
      cap = nc;
    }
    ssize_t got = read(fd, buf + n, cap - n);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) {
      st = pk_err_set(err, PK_ERR_IO, path, NULL, "read error: %s", strerror(errno));
      break;
    }
    if (got == 0) break;
    n += (size_t)got;
  }
  close(fd);
  if (st == PK_OK && n > max) {
    snprintf(size, sizeof size, "the file has more than %zu bytes", max);
    st = too_large(path, size, max, err);
  }
  if (st != PK_OK) {
    free(buf);
    return st;
  }
  buf[n] = '\0';
  *text = buf;
  *len = n;
  return PK_OK;
}
