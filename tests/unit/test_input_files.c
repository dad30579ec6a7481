/* test_input_files.c - every file reader (scenario, model file, event
 * dataset, population spec, catalog) goes through one reader that accepts
 * regular files only, up to a size limit:
 *   - /dev/zero is refused at once as "not a regular file (character
 *     device)" (it used to be read until memory ran out: the ctest timeout
 *     turns a regression into a failure);
 *   - a directory is refused as "a directory", a named pipe as a named pipe
 *     without waiting for a writer, an empty name as "empty file name";
 *   - a file larger than pk_set_max_input_bytes() is refused with its size
 *     and the limit, a file of exactly the limit is read, and 0 restores the
 *     default of 64 MiB. */
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include "unit_helpers.h"

typedef enum { SCENARIO, MODEL, DATASET, POPULATION, CATALOG, N_READERS } reader;
static const char *const reader_name[N_READERS] = {"scenario", "model file", "event dataset",
                                                   "population spec", "catalog"};

static const pk_model *typical; /* the shipped kratom model, for datasets and populations */

static pk_status read_with(reader r, const char *path, pk_error *err) {
  pk_status st = PK_ERR_INVALID;
  switch (r) {
  case SCENARIO: {
    pk_scenario *s = NULL;
    st = pk_scenario_load(path, &s, err);
    pk_scenario_free(s);
    break;
  }
  case MODEL: {
    pk_model *m = pk_model_new();
    st = pk_model_load_file(m, path, err);
    pk_model_free(m);
    break;
  }
  case DATASET: {
    pk_dataset *d = NULL;
    st = pk_dataset_load(path, typical, &d, err);
    pk_dataset_free(d);
    break;
  }
  case POPULATION: {
    pk_population *p = NULL;
    st = pk_population_load(path, typical, &p, err);
    pk_population_free(p);
    break;
  }
  case CATALOG: {
    pk_file_info *i = NULL;
    st = pk_file_info_load(path, &i, err);
    pk_file_info_free(i);
    break;
  }
  case N_READERS: break;
  }
  return st;
}

/* Every reader refuses path with PK_ERR_IO, names file and says expect. */
static void refused_by_all(const char *path, const char *file, const char *expect) {
  for (int r = 0; r < N_READERS; r++) {
    pk_error err;
    pk_status st = read_with((reader)r, path, &err);
    CHECK(st == PK_ERR_IO && err.code == PK_ERR_IO, "%s '%s': got %s (%s), expected PK_ERR_IO",
          reader_name[r], path, pk_status_str(st), err.message);
    CHECK(strcmp(err.file, file) == 0, "%s '%s': the error names file '%s', expected '%s'",
          reader_name[r], path, err.file, file);
    CHECK(strstr(err.message, expect) != NULL, "%s '%s': message '%s' does not say '%s'",
          reader_name[r], path, err.message, expect);
  }
}

int main(void) {
  test_init();
  pk_error err;
  pk_scenario *base = NULL;
  pk_status st = pk_scenario_load(PK_MODELS_DIR "/scenarios/kratom-taper.json", &base, &err);
  CHECK(st == PK_OK, "the shipped scenario: %s", err.message);
  if (st != PK_OK) return test_finish("unit_input_files_regular_only_and_size_limit");
  typical = pk_scenario_model(base);

  refused_by_all("/dev/zero", "/dev/zero", "is not a regular file (character device)");
  refused_by_all("/dev/null", "/dev/null", "is not a regular file (character device)");
  refused_by_all(PK_TEST_DATA_DIR, PK_TEST_DATA_DIR, "is a directory");
  refused_by_all("", "", "empty file name");

  /* a named pipe with no writer: refused, not waited on */
  const char *tmp = getenv("TMPDIR");
  char dir[512];
  snprintf(dir, sizeof dir, "%s/pk-input-XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
  if (mkdtemp(dir)) {
    char fifo[600];
    snprintf(fifo, sizeof fifo, "%s/pipe.json", dir);
    if (mkfifo(fifo, 0600) == 0) {
      refused_by_all(fifo, fifo, "is not a regular file (named pipe)");
      unlink(fifo);
    }
    rmdir(dir);
  }

  /* the size limit: mitragynine.json is a few kB */
  const char *mg = PK_MODELS_DIR "/compounds/linear/mitragynine.json";
  struct stat sb;
  CHECK(stat(mg, &sb) == 0 && sb.st_size > 100, "%s: no size", mg);
  size_t size = (size_t)sb.st_size;
  CHECK(pk_max_input_bytes() == PK_MAX_INPUT_BYTES_DEFAULT &&
        PK_MAX_INPUT_BYTES_DEFAULT == (size_t)64 * 1024 * 1024,
        "default limit %zu, expected 64 MiB", pk_max_input_bytes());
  CHECK(pk_set_max_input_bytes(size - 1) == PK_MAX_INPUT_BYTES_DEFAULT, "the previous limit");
  char expect[128];
  snprintf(expect, sizeof expect, "the file is %zu bytes, more than the input limit of %zu bytes",
           size, size - 1);
  for (int r = SCENARIO; r <= MODEL; r++) {
    st = read_with((reader)r, mg, &err);
    CHECK(st == PK_ERR_IO && strstr(err.message, expect) && strcmp(err.file, mg) == 0,
          "%s of %zu bytes over a limit of %zu: %s: %s", reader_name[r], size, size - 1,
          pk_status_str(st), err.message);
    CHECK(strstr(err.message, "pk_set_max_input_bytes") && strstr(err.message, "PK_MAX_INPUT_BYTES"),
          "the message says how to raise the limit: %s", err.message);
  }
  pk_set_max_input_bytes(size);
  pk_model *m = pk_model_new();
  st = pk_model_load_file(m, mg, &err);
  CHECK(st == PK_OK, "a file of exactly the limit (%zu bytes) is read: %s", size, err.message);
  pk_model_free(m);
  /* a scenario over the limit names the scenario; a model file it names,
   * the model file (the scenario itself is small) */
  pk_set_max_input_bytes(1000);
  pk_scenario *s = NULL;
  st = pk_scenario_load(PK_TEST_DATA_DIR "/good/two-days.json", &s, &err);
  CHECK(st == PK_ERR_IO && strstr(err.file, "mitragynine.json") &&
        strstr(err.message, "more than the input limit of 1000 bytes"),
        "a model file over the limit: %s: %s: %s", pk_status_str(st), err.file, err.message);
  pk_scenario_free(s);
  CHECK(pk_set_max_input_bytes(0) == 1000 && pk_max_input_bytes() == PK_MAX_INPUT_BYTES_DEFAULT,
        "0 restores the default");
  s = NULL;
  st = pk_scenario_load(PK_TEST_DATA_DIR "/good/two-days.json", &s, &err);
  CHECK(st == PK_OK, "after the default is restored: %s", err.message);
  pk_scenario_free(s);

  pk_scenario_free(base);
  return test_finish("unit_input_files_regular_only_and_size_limit");
}
