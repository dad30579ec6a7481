/* test_dataset_errors.c - impossible records in event datasets: each fixture
 * under tests/data/events/bad/ must be refused with PK_ERR_INVALID, no
 * dataset, the file named, the line and column (1-based field number; 0
 * where none applies) and a message naming the column header and what is
 * wrong. A missing file is PK_ERR_IO. The model is dataset_helpers.h's
 * (compounds d and p, CMT 1 to 4). */
#include "dataset_helpers.h"

static const ds_bad_case cases[] = {
    {"addl-without-ii.csv", 3, 8, {"column ADDL: ", "additional doses need an interval II > 0"}},
    {"ss-without-ii.csv", 2, 9,
     {"column SS: ", "SS 1 needs an interval II > 0", "constant infusion"}},
    {"negative-addl.csv", 2, 8, {"column ADDL: ", "negative number of additional doses -1"}},
    {"negative-ss.csv", 2, 9, {"column SS: ", "SS must be 0, 1, 2 or 3, got -1 (negative)"}},
    {"ss-4.csv", 2, 7, {"column SS: ", "SS must be 0, 1, 2 or 3, got 4"}},
    {"negative-amt.csv", 2, 4, {"column AMT: ", "negative amount -10 mg"}},
    {"amt0-rate.csv", 2, 4, {"column AMT: ", "AMT 0 with RATE 5 on a non-steady-state record"}},
    {"repeated-infusion-amt0.csv", 2, 4, {"column AMT: ", "AMT 0 with RATE 3 and II > 0"}},
    {"unknown-cmt-number.csv", 2, 5, {"column CMT: ", "unknown compartment 5", "expected 1 to 4"}},
    {"unknown-cmt-name.csv", 2, 5, {"column CMT: ", "unknown compartment 'periph_d'", "(d, p)"}},
    {"ss2-constant.csv", 2, 9, {"column SS: ", "SS 2 needs an interval II > 0"}},
    {"evid-5.csv", 3, 3,
     {"column EVID: ",
      "EVID must be 0 (observation), 1 (dose), 2 (other), 3 (reset) or 4 (reset and dose), got 5"}},
    {"non-numeric.csv", 2, 4, {"column AMT: ", "'ten' is not a number"}},
    {"nan-time.csv", 2, 2, {"column TIME: ", "'nan' is not a number"}},
    {"fractional-addl.csv", 2, 8, {"column ADDL: ", "expected a whole number, got 1.5"}},
    {"bad-rate.csv", 2, 6, {"column RATE: ", "RATE must be > 0 (mg/h), 0 (bolus), -1", "got -3"}},
    {"rate-model-missing.csv", 2, 6,
     {"column RATE: ", "RATE -1 asks for the model's rate, but compound 'd' has no R ",
      "column R_d or R1"}},
    {"rate-model-missing-central.csv", 3, 6,
     {"column RATE: ", "compound 'd' has no R_iv (zero-order rate into its central",
      "column R_iv_d or R2"}},
    {"rate-too-large.csv", 2, 6,
     {"column RATE: ", "rate 2e+09 mg/h (R_iv): expected at most 1e+09 mg/h"}},
    {"f-amt-too-large.csv", 2, 4,
     {"column AMT: ", "AMT 6e+08 mg with bioavailability 2 (F_iv of compound 'd') is 1.2e+09 mg",
      "at most 1e+09 mg"}},
    {"duplicate-header.csv", 1, 4, {"column amt: ", "duplicate column name (column 3 is AMT)"}},
    {"no-time-column.csv", 1, 0, {"the header has no TIME column"}},
    {"id-returns.csv", 5, 1,
     {"column ID: ", "subject 1 appears again after other subjects (its records start at line 2)"}},
    {"missing-id.csv", 3, 1, {"column ID: ", "every record needs a subject ID"}},
    {"unsorted-time.csv", 4, 2,
     {"column TIME: ", "time 4 h is before the previous record's 5 h (line 3)", "sorted by time"}},
    {"missing-time.csv", 3, 2, {"column TIME: ", "every record needs a time"}},
    {"time-varying-override.csv", 4, 5,
     {"column CL_d: ", "CL_d changes within subject 1 (8 at line 2, 9 here)",
      "time-varying parameters are not supported"}},
    {"override-out-of-range.csv", 2, 5,
     {"column F_d: ", "F of compound 'd' must be >= 0, got -0.5"}},
    {"nonmem-lag-negative.csv", 2, 6,
     {"column ALAG2: ", "lag_iv of compound 'd' must be >= 0 h, got -1"}},
    {"nonmem-param-no-compartment.csv", 2, 6,
     {"column ALAG5: ", "ALAG5 is NONMEM's lag time of compartment 5",
      "dosable compartments are 1 to 4"}},
    {"param-twice.csv", 1, 7,
     {"column F1: ", "column 6 (F_d) already gives F of compound 'd'"}},
    {"override-absent-parameter.csv", 1, 5,
     {"column Vp1_d: ", "compound 'd' has no parameter Vp1"}},
    {"ragged-row.csv", 3, 4,
     {"column AMT: ", "the field is missing: the line has 3 fields, the header 4"}},
    {"observation-with-amt.csv", 2, 4,
     {"column AMT: ",
      "an observation record (EVID 0) carries no dose: AMT must be 0 or empty, got 5"}},
    {"reset-with-amount.csv", 3, 4, {"column AMT: ", "a reset record (EVID 3) carries no dose"}},
    {"ii-without-addl.csv", 2, 7, {"column II: ", "II 12 h on a dose without ADDL or SS"}},
    {"covariate-text.csv", 3, 5, {"column WT: ", "'heavy' is not a number"}},
    {"quote-unclosed.csv", 2, 4, {"column AMT: ", "malformed quoted field"}},
    {"empty.csv", 0, 0, {"the file is empty"}},
    {"product-no-products.csv", 3, 4,
     {"column PRODUCT: ", "unknown product 'leaf': the model has no product"}},
};

int main(void) {
  test_init();
  pk_model *m = ds_model();
  for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) ds_refused(m, &cases[k]);
  pk_error err;
  pk_dataset *d = NULL;
  pk_status st = pk_dataset_load(ds_path("bad/no-such-file.csv"), m, &d, &err);
  CHECK(st == PK_ERR_IO && !d && strstr(err.message, "cannot open") &&
            strstr(err.file, "no-such-file.csv"),
        "a missing file: %s %s", pk_status_str(st), err.message);
  st = pk_dataset_load(NULL, m, &d, &err);
  CHECK(st == PK_ERR_INVALID && !d, "no path: %s", pk_status_str(st));
  pk_model_free(m);
  return test_finish("unit_dataset_errors");
}
