/* test_text_loaders.c - the text versions of the readers give what the path
 * versions give: a scenario (model paths relative to base_dir or to the
 * name's directory), a model file, an event dataset, a population spec and
 * a sweep axis, each from an exactly sized buffer with no NUL after it (ASan
 * sees any read past it); errors name the given name; a NUL byte inside the
 * text is refused; the input size limit applies to files only. */
#include <stdlib.h>
#include "dataset_helpers.h"
#include "internal.h" /* struct pk_regimen */

/* The file at path in an exactly sized heap buffer (no terminating NUL). */
static char *slurp(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  CHECK(f != NULL, "cannot open %s", path);
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *buf = malloc(n > 0 ? (size_t)n : 1);
  *len = fread(buf, 1, (size_t)n, f);
  fclose(f);
  return buf;
}

static void same_scenario(const pk_scenario *a, const pk_scenario *b, const char *what) {
  const pk_regimen *ra = pk_scenario_regimen(a), *rb = pk_scenario_regimen(b);
  CHECK(ra->n == rb->n, "%s: %zu doses, the path version %zu", what, rb->n, ra->n);
  for (size_t k = 0; k < ra->n && k < rb->n; k++)
    CHECK(ra->dose[k].t_h == rb->dose[k].t_h && ra->dose[k].amount_mg == rb->dose[k].amount_mg,
          "%s: dose %zu differs", what, k);
  CHECK(pk_model_compound_count(pk_scenario_model(a)) ==
            pk_model_compound_count(pk_scenario_model(b)),
        "%s: compounds differ", what);
  CHECK(strcmp(pk_scenario_name(a), pk_scenario_name(b)) == 0, "%s: names differ", what);
}

static void scenarios(void) {
  const char *path = PK_MODELS_DIR "/scenarios/kratom-taper.json";
  pk_error err;
  pk_scenario *ref = NULL, *s = NULL;
  CHECK(pk_scenario_load(path, &ref, &err) == PK_OK, "%s: %s", path, err.message);
  size_t len = 0;
  char *text = slurp(path, &len);
  if (!ref || !text) return;
  /* the name's directory */
  CHECK(pk_scenario_load_text(text, len, path, NULL, &s, &err) == PK_OK, "text: %s", err.message);
  if (s) same_scenario(ref, s, "relative to the name's directory");
  pk_scenario_free(s);
  /* base_dir, with and without a trailing slash; the name has no directory */
  const char *dirs[] = {PK_MODELS_DIR "/scenarios", PK_MODELS_DIR "/scenarios/"};
  for (int k = 0; k < 2; k++) {
    s = NULL;
    CHECK(pk_scenario_load_text(text, len, "kratom-taper.json", dirs[k], &s, &err) == PK_OK,
          "base_dir %s: %s", dirs[k], err.message);
    if (s) same_scenario(ref, s, dirs[k]);
    pk_scenario_free(s);
  }
  /* without base_dir a bare name resolves in the working directory, where
   * ../compounds/ is not: the model file is named in the error */
  s = NULL;
  pk_status st = pk_scenario_load_text(text, len, "kratom-taper.json", "/nonexistent", &s, &err);
  CHECK(st == PK_ERR_IO && strstr(err.file, "/nonexistent/../compounds/") &&
            strstr(err.message, "named in kratom-taper.json at model[0]"),
        "a missing base_dir: %s: %s: %s", pk_status_str(st), err.file, err.message);
  /* the size limit is for files */
  size_t old = pk_set_max_input_bytes(16);
  s = NULL;
  CHECK(pk_scenario_load_text(text, len, path, NULL, &s, &err) == PK_ERR_IO &&
            strstr(err.message, "more than the input limit of 16 bytes"),
        "model files are files: %s", err.message);
  pk_scenario_free(s);
  pk_set_max_input_bytes(old);
  /* errors name the name */
  s = NULL;
  st = pk_scenario_load_text("{\"name\": 3}", 11, "inline.json", NULL, &s, &err);
  CHECK(st == PK_ERR_INVALID && strcmp(err.file, "inline.json") == 0 &&
            strcmp(err.path, "name") == 0,
        "error in text: %s %s %s", err.file, err.path, err.message);
  st = pk_scenario_load_text("{\"name\": \"x\0\"}", 14, NULL, NULL, &s, &err);
  CHECK(st == PK_ERR_PARSE && err.file[0] == '\0' && err.line == 1 && err.column == 12,
        "a NUL in text without a name: %s '%s' %d:%d %s", pk_status_str(st), err.file, err.line,
        err.column, err.message);
  st = pk_scenario_load_text("", 0, "empty.json", NULL, &s, &err);
  CHECK(st == PK_ERR_PARSE && strstr(err.message, "the file is empty"), "empty text: %s",
        err.message);
  free(text);
  pk_scenario_free(ref);
}

static void models(void) {
  const char *path = PK_MODELS_DIR "/compounds/linear/mitragynine.json";
  size_t len = 0;
  char *text = slurp(path, &len);
  if (!text) return;
  pk_error err;
  pk_model *a = pk_model_new(), *b = pk_model_new();
  CHECK(pk_model_load_file(a, path, &err) == PK_OK, "%s", err.message);
  CHECK(pk_model_load_text(b, text, len, "mg.json", &err) == PK_OK, "%s", err.message);
  pk_compound_params pa, pb;
  CHECK(pk_model_get_compound(a, 0, &pa, &err) == PK_OK &&
            pk_model_get_compound(b, 0, &pb, &err) == PK_OK && pa.CL_L_per_h == pb.CL_L_per_h &&
            pa.V_L == pb.V_L && strcmp(pa.id, pb.id) == 0,
        "the compound from text differs");
  /* again: the id is taken, and the error names the name */
  CHECK(pk_model_load_text(b, text, len, "mg.json", &err) == PK_ERR_INVALID &&
            strcmp(err.file, "mg.json") == 0,
        "loading twice: %s %s", err.file, err.message);
  CHECK(pk_model_load_text(b, text, len, "mg.json", NULL) == PK_ERR_INVALID, "err may be NULL");
  pk_model_free(a);
  pk_model_free(b);
  free(text);
}

static void datasets(void) {
  pk_model *m = ds_model();
  const char *path = ds_path("addl.csv");
  size_t len = 0;
  char *text = slurp(path, &len);
  pk_error err;
  pk_dataset *a = NULL, *b = NULL;
  CHECK(pk_dataset_load(path, m, &a, &err) == PK_OK, "%s", err.message);
  CHECK(text && pk_dataset_load_text(text, len, "addl.csv", m, NULL, &b, &err) == PK_OK, "%s",
        err.message);
  if (a && b) {
    CHECK(pk_dataset_subject_count(a) == pk_dataset_subject_count(b), "subjects differ");
    for (size_t s = 0; s < pk_dataset_subject_count(a); s++)
      CHECK(pk_dataset_subject_regimen(a, s)->n == pk_dataset_subject_regimen(b, s)->n,
            "subject %zu: doses differ", s);
  }
  pk_dataset_free(a);
  pk_dataset_free(b);
  /* errors name the name, with line and column */
  static const char bad[] = "ID,TIME,AMT\n1,0,ten\n";
  b = NULL;
  CHECK(pk_dataset_load_text(bad, sizeof bad - 1, "inline.csv", m, NULL, &b, &err) ==
                PK_ERR_INVALID &&
            strcmp(err.file, "inline.csv") == 0 && err.line == 2 && err.column == 3 && !b,
        "error in text: %s:%d:%d %s", err.file, err.line, err.column, err.message);
  static const char nul[] = "ID,TIME\n1,\0\n";
  CHECK(pk_dataset_load_text(nul, sizeof nul - 1, "nul.csv", m, NULL, &b, &err) == PK_ERR_INVALID &&
            strstr(err.message, "NUL byte") && err.line == 2,
        "a NUL byte: %s", err.message);
  free(text);
  pk_model_free(m);
}

static void populations(void) {
  const char *path = PK_TEST_DATA_DIR "/population/kratom-pop.json";
  pk_error err;
  pk_scenario *s = NULL;
  CHECK(pk_scenario_load(path, &s, &err) == PK_OK, "%s", err.message);
  size_t len = 0;
  char *text = slurp(path, &len);
  if (!s || !text) return;
  const pk_model *m = pk_scenario_model(s);
  pk_population *a = NULL, *b = NULL;
  CHECK(pk_population_load(path, m, &a, &err) == PK_OK, "%s", err.message);
  CHECK(pk_population_load_text(text, len, "pop.json", m, &b, &err) == PK_OK, "%s", err.message);
  if (a && b) {
    CHECK(pk_population_size(a) == pk_population_size(b), "sizes differ");
    for (size_t i = 0; i < pk_population_size(a); i++)
      for (size_t j = 0; j < pk_population_size(a); j++)
        CHECK(pk_population_omega(a, i, j) == pk_population_omega(b, i, j), "omega differs");
  }
  pk_population_free(a);
  pk_population_free(b);
  static const char bad[] = "{\"parameters\": {\"mitragynine.CL\": {\"cv_percent\": -1}}}";
  b = NULL;
  CHECK(pk_population_load_text(bad, sizeof bad - 1, "p.json", m, &b, &err) == PK_ERR_INVALID &&
            strcmp(err.file, "p.json") == 0 &&
            strcmp(err.path, "parameters.mitragynine.CL.cv_percent") == 0,
        "error in text: %s %s %s", err.file, err.path, err.message);
  free(text);
  pk_scenario_free(s);
}

static void sweeps(void) {
  pk_error err;
  pk_scenario *s = NULL;
  CHECK(pk_scenario_load(PK_TEST_DATA_DIR "/good/two-days.json", &s, &err) == PK_OK, "%s",
        err.message);
  if (!s) return;
  const pk_model *m = pk_scenario_model(s);
  pk_sweep *sw = pk_sweep_new();
  static const char axis[] = "dose=0.5,1,2GARBAGE"; /* only the first 12 bytes */
  char *exact = malloc(12);
  memcpy(exact, axis, 12);
  CHECK(pk_sweep_add_text(sw, m, exact, 12, &err) == PK_OK, "%s", err.message);
  free(exact);
  CHECK(pk_sweep_point_count(sw) == 3, "%zu points, expected 3", pk_sweep_point_count(sw));
  static const char nul[] = "mitragynine.CL=1:2:3\0x";
  CHECK(pk_sweep_add_text(sw, m, nul, sizeof nul - 1, &err) == PK_ERR_INVALID &&
            strstr(err.message, "NUL byte at offset 20"),
        "a NUL byte: %s", err.message);
  pk_sweep_free(sw);
  pk_scenario_free(s);
}

int main(void) {
  test_init();
  scenarios();
  models();
  datasets();
  populations();
  sweeps();
  return test_finish("unit_text_loaders_match_path_loaders");
}
