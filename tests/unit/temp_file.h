/* temp_file.h - writing test inputs to temporary files, for the tests of the
 * file readers (the path API reads them back). */
#ifndef PK_TEMP_FILE_H
#define PK_TEMP_FILE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Writes text[0..len) to the file `name` in a new temporary directory; the
 * file's path goes to path (size n). 0 on success. */
static inline int temp_file_write(const char *text, size_t len, const char *name, char *path,
                                  size_t n) {
  const char *tmp = getenv("TMPDIR");
  char dir[512];
  snprintf(dir, sizeof dir, "%s/pk-test-XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
  if (!mkdtemp(dir)) return -1;
  int k = snprintf(path, n, "%s/%s", dir, name);
  FILE *f = k > 0 && (size_t)k < n ? fopen(path, "wb") : NULL;
  if (!f) {
    rmdir(dir);
    return -1;
  }
  size_t done = fwrite(text, 1, len, f);
  if (fclose(f) != 0 || done != len) {
    unlink(path);
    rmdir(dir);
    return -1;
  }
  return 0;
}

/* Removes a file written by temp_file_write and its directory. */
static inline void temp_file_remove(const char *path) {
  unlink(path);
  size_t n = strlen(path);
  char *dir = malloc(n + 1);
  if (!dir) return;
  memcpy(dir, path, n + 1);
  char *slash = strrchr(dir, '/');
  if (slash) {
    *slash = '\0';
    rmdir(dir);
  }
  free(dir);
}

#endif
