/* fuzz_model.c - fuzz target of the model-file reader (pk_model_load_text):
 * each input is loaded into an empty model (compound and receptor files
 * load fully) and into a model holding every shipped compound and the
 * receptor (product files and conversions find their compounds), and into
 * a model holding only the shipped enzyme (a compound's enzyme links find
 * it). */
#include "fuzz_common.h"

static const char BASE[] =
    "{\"name\": \"all compounds\", \"model\": ["
    "\"../compounds/6-beta-naltrexol.json\", \"../compounds/6-monoacetylmorphine.json\","
    "\"../compounds/linear/7-hydroxymitragynine.json\", \"../compounds/buprenorphine.json\","
    "\"../compounds/fentanyl.json\", \"../compounds/heroin.json\","
    "\"../compounds/hydrocodone.json\", \"../compounds/methadone.json\","
    "\"../compounds/linear/mitragynine.json\", \"../compounds/morphine.json\","
    "\"../compounds/naloxone.json\", \"../compounds/naltrexone.json\","
    "\"../compounds/oxycodone.json\", \"../receptors/mu-opioid.json\"],"
    "\"dosing\": [{\"compound\": \"mitragynine\", \"dose_mg\": 1, \"times_h\": [0]}],"
    "\"output\": {\"duration_days\": 1}}";

static const char ENZYME[] =
    "{\"name\": \"enzyme\", \"model\": [\"../enzymes/cyp3a4-liver.json\", "
    "\"../compounds/naloxone.json\"],"
    "\"dosing\": [{\"compound\": \"naloxone\", \"dose_mg\": 1, \"times_h\": [0]}],"
    "\"output\": {\"duration_days\": 1}}";

/* The model of a scenario text, loaded once into *s. */
static const pk_model *model_of(pk_scenario **s, const char *text, size_t len, const char *name) {
  if (!*s) {
    pk_error err;
    fuzz_setup_ok(pk_scenario_load_text(text, len, name, PK_MODELS_DIR "/scenarios", s, &err),
                  &err, name);
  }
  return pk_scenario_model(*s);
}

static void load_into(const pk_model *base, const char *text, size_t size) {
  pk_model *m = pk_model_new();
  if (!m) return;
  if (base) *m = *base;
  pk_error err;
  pk_status st = pk_model_load_text(m, text, size, "fuzz.json", &err);
  fuzz_check_error(st, &err, "pk_model_load_text");
  if (st == PK_OK) {
    for (int i = 0; i < pk_model_compound_count(m); i++) {
      pk_compound_params p;
      if (pk_model_get_compound(m, i, &p, &err) != PK_OK) abort();
    }
    for (int p = 0; p < pk_model_product_count(m); p++)
      if (!pk_model_product_dose_unit(m, p) || !pk_model_product_route(m, p)) abort();
  }
  pk_model_free(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *text = (const char *)data;
  load_into(NULL, text, size);
  static pk_scenario *all, *enzyme;
  load_into(model_of(&all, BASE, sizeof BASE - 1, "all-compounds.json"), text, size);
  load_into(model_of(&enzyme, ENZYME, sizeof ENZYME - 1, "enzyme-only.json"), text, size);
  return 0;
}
