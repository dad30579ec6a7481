/* replay_main.c - runs a fuzz target's LLVMFuzzerTestOneInput on files
 * without libFuzzer: each argument is a file or a directory of files (not
 * recursive). Used by ctest to replay the seed corpora in every build, and
 * to reproduce a saved crash input with any compiler.
 * usage: fuzz_replay_<target> FILE|DIR...
 * Exit status 0 when every input ran (a crash aborts), 1 if no input was
 * found or one could not be read. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    fprintf(stderr, "%s: cannot open\n", path);
    return -1;
  }
  size_t cap = 4096, n = 0;
  uint8_t *buf = malloc(cap);
  while (buf) {
    n += fread(buf + n, 1, cap - n, f);
    if (n < cap) break;
    uint8_t *b = realloc(buf, 2 * cap);
    if (!b) {
      free(buf);
      buf = NULL;
    }
    buf = b;
    cap *= 2;
  }
  int bad = ferror(f) || !buf;
  fclose(f);
  if (bad) {
    fprintf(stderr, "%s: cannot read\n", path);
    free(buf);
    return -1;
  }
  /* an exactly sized copy, so that a read past the input is seen by ASan */
  uint8_t *exact = malloc(n ? n : 1);
  if (exact) memcpy(exact, buf, n);
  free(buf);
  if (!exact) return -1;
  LLVMFuzzerTestOneInput(exact, n);
  free(exact);
  return 1;
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv) {
  size_t runs = 0;
  int failed = 0;
  for (int a = 1; a < argc; a++) {
    struct stat sb;
    if (stat(argv[a], &sb) != 0) {
      fprintf(stderr, "%s: not found\n", argv[a]);
      failed = 1;
      continue;
    }
    if (!S_ISDIR(sb.st_mode)) {
      int r = run_file(argv[a]);
      if (r < 0) failed = 1;
      else runs++;
      continue;
    }
    DIR *d = opendir(argv[a]);
    if (!d) {
      fprintf(stderr, "%s: cannot open the directory\n", argv[a]);
      failed = 1;
      continue;
    }
    char **names = NULL;
    size_t n = 0;
    for (struct dirent *e; (e = readdir(d));) {
      if (e->d_name[0] == '.') continue;
      size_t len = strlen(argv[a]) + strlen(e->d_name) + 2;
      char *path = malloc(len);
      char **nn = realloc(names, (n + 1) * sizeof *names);
      if (!path || !nn) {
        free(path);
        free(nn ? nn : names);
        closedir(d);
        return 1;
      }
      names = nn;
      snprintf(path, len, "%s/%s", argv[a], e->d_name);
      names[n++] = path;
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp_str); /* the same order everywhere */
    for (size_t k = 0; k < n; k++) {
      if (stat(names[k], &sb) == 0 && S_ISREG(sb.st_mode)) {
        if (run_file(names[k]) < 0) failed = 1;
        else runs++;
      }
      free(names[k]);
    }
    free(names);
  }
  printf("%zu inputs replayed\n", runs);
  return failed || runs == 0 ? 1 : 0;
}
