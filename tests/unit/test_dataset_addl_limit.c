/* test_dataset_addl_limit.c - a dataset of a few short lines with a large
 * ADDL each is refused before any dose is made once ADDL would add more than
 * 5 * 10^6 doses to the whole dataset, whatever the number of subjects: 11
 * records of ADDL 10^6 in two subjects used to be expanded into 1.1 * 10^7
 * doses, gigabytes of memory (the limit was 5 * 10^7 per subject; 45 such
 * lines took 8.8 GB and 49 s). The ctest timeout makes a slow refusal a
 * failure. The model is dataset_helpers.h's. */
#include "dataset_helpers.h"

int main(void) {
  test_init();
  pk_model *m = ds_model();
  char text[2048];
  size_t o = (size_t)snprintf(text, sizeof text, "ID,TIME,AMT,CMT,II,ADDL\n");
  for (int k = 0; k < 11; k++)
    o += (size_t)snprintf(text + o, sizeof text - o, "%d,%d,1,1,0.001,1000000\n", k < 5 ? 1 : 2,
                          k);
  pk_dataset *d = NULL;
  pk_error err;
  pk_status st = pk_dataset_load_text(text, o, "addl.csv", m, NULL, &d, &err);
  CHECK(st == PK_ERR_INVALID && !d, "got %s, expected PK_ERR_INVALID", pk_status_str(st));
  CHECK(err.line == 7 && err.column == 6, "at %d:%d, expected 7:6 (the 6th record, ADDL): %s",
        err.line, err.column, err.message);
  CHECK(strstr(err.message, "column ADDL: more than 5000000 additional doses (ADDL) in the dataset") != NULL,
        "message '%s'", err.message);
  pk_dataset_free(d);
  /* a modest ADDL still loads: 3 subjects, 1 + 1000 doses each */
  o = (size_t)snprintf(text, sizeof text,
                       "ID,TIME,AMT,CMT,II,ADDL\n1,0,1,1,24,1000\n2,0,1,1,24,1000\n3,0,1,1,24,1000\n");
  d = NULL;
  st = pk_dataset_load_text(text, o, "addl.csv", m, NULL, &d, &err);
  CHECK(st == PK_OK && pk_dataset_subject_count(d) == 3 &&
            pk_regimen_size(pk_dataset_subject_regimen(d, 2)) == 1001,
        "a modest ADDL: %s", err.message);
  pk_dataset_free(d);
  pk_model_free(m);
  return test_finish("unit_dataset_addl_expansion_limited_before_expanding");
}
