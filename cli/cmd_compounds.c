/* cmd_compounds.c - pk compounds: list the shipped model files with their
 * parameters, units and (optionally) sources. */
#include <dirent.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"

static const char HELP[] =
    "usage: pk compounds [--models DIR] [--sources] [NAME...]\n"
    "\n"
    "Lists the compounds, the receptor and the products of the models folder\n"
    "(default: the one pk simulate uses; $PK_MODELS_DIR overrides it) with every\n"
    "parameter and its unit. A '*' marks a value that is an assumption (chosen\n"
    "where the literature has none). NAME limits the list to files whose id or\n"
    "name contains it, and products and metabolites that mention it.\n"
    "\n"
    "  -m, --models DIR   the models folder\n"
    "  -s, --sources      print each parameter's source on its own line (sources\n"
    "                     citing reference/NAME.md: the models folder's reference/)\n"
    "  -h, --help         this text\n";

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sorted JSON file names of dir; count in *n. NULL if the folder is missing. */
static char **list_json(const char *dir, size_t *n) {
  DIR *d = opendir(dir);
  *n = 0;
  if (!d) return NULL;
  size_t cap = 16;
  char **names = malloc(cap * sizeof *names);
  for (struct dirent *e; names && (e = readdir(d));) {
    size_t len = strlen(e->d_name);
    if (len < 6 || strcmp(e->d_name + len - 5, ".json") != 0) continue;
    if (*n == cap) {
      char **more = realloc(names, (cap *= 2) * sizeof *names);
      if (!more) break;
      names = more;
    }
    names[(*n)++] = strdup(e->d_name);
  }
  closedir(d);
  if (names) qsort(names, *n, sizeof *names, cmp_str);
  return names;
}

/* Whether info matches any filter; hits[k] is set for each filter k it matches. */
static int matches(const pk_file_info *info, char **filters, int n_filters, int *hits) {
  if (n_filters == 0) return 1;
  int any = 0;
  for (int k = 0; k < n_filters; k++) {
    int hit = strstr(pk_file_info_id(info), filters[k]) || strstr(pk_file_info_name(info), filters[k]);
    /* a product containing it, a metabolite formed from it */
    for (size_t j = 0; !hit && j < pk_file_info_param_count(info); j++)
      hit = strstr(pk_file_info_param(info, j).key, filters[k]) != NULL;
    if (hit) hits[k] = any = 1;
  }
  return any;
}

static void print_info(const pk_file_info *info, int sources) {
  const char *kind = pk_file_info_kind(info);
  printf("  %-24s %s", pk_file_info_id(info), pk_file_info_name(info));
  if (strcmp(kind, "product") == 0)
    printf("  (%s, dosed in %s)", pk_file_info_route(info), pk_file_info_dose_unit(info));
  printf("\n");
  size_t n = pk_file_info_param_count(info);
  for (size_t k = 0; k < n; k++) {
    pk_param_info p = pk_file_info_param(info, k);
    if (sources) {
      printf("      %-28s %-12.6g %-10s%s %s\n", p.key, p.value, p.unit,
             p.assumption ? "*" : " ", p.source);
    } else {
      printf("%s%s %.6g%s%s%s", k ? " | " : "      ", p.key, p.value,
             strcmp(p.unit, "1") ? " " : "", strcmp(p.unit, "1") ? p.unit : "",
             p.assumption ? "*" : "");
    }
  }
  if (!sources && n) printf("\n");
}

/* The ids and names of every file listed, for "did you mean". */
typedef struct names {
  char **v;
  size_t n, cap;
} names;

static void add_name(names *nm, const char *name) {
  if (nm->n == nm->cap) {
    size_t cap = nm->cap ? 2 * nm->cap : 64;
    char **v = realloc(nm->v, cap * sizeof *v);
    if (!v) return; /* suggestions are a courtesy: none when out of memory */
    nm->v = v;
    nm->cap = cap;
  }
  if ((nm->v[nm->n] = strdup(name))) nm->n++;
}

static int list_folder(const char *models, const char *sub, const char *title, int sources,
                       char **filters, int n_filters, int *hits, names *nm) {
  char dir[4200], path[4600];
  snprintf(dir, sizeof dir, "%s/%s", models, sub);
  size_t n;
  char **names = list_json(dir, &n);
  if (!names) return cli_fail("%s: cannot read the folder", dir);
  int rc = 0, header = 0;
  for (size_t k = 0; k < n; k++) {
    snprintf(path, sizeof path, "%s/%s", dir, names[k]);
    pk_error err;
    pk_file_info *info = NULL;
    if (pk_file_info_load(path, &info, &err) != PK_OK) {
      cli_report(&err);
      rc = 1;
    } else {
      add_name(nm, pk_file_info_id(info));
      add_name(nm, pk_file_info_name(info));
    }
    if (info && matches(info, filters, n_filters, hits)) {
      if (!header) printf("%s (%s)\n", title, dir);
      header = 1;
      print_info(info, sources);
    }
    pk_file_info_free(info);
    free(names[k]);
  }
  free(names);
  return rc;
}

int cmd_compounds(int argc, char **argv) {
  static const struct option opts[] = {{"models", required_argument, 0, 'm'},
                                       {"sources", no_argument, 0, 's'},
                                       {"help", no_argument, 0, 'h'},
                                       {0, 0, 0, 0}};
  const char *models = NULL;
  int sources = 0, c;
  optind = 1;
  while ((c = cli_getopt(argc, argv, "m:sh", opts)) != -1) {
    switch (c) {
    case 'm': models = optarg; break;
    case 's': sources = 1; break;
    case 'h': fputs(HELP, stdout); return 0;
    default: cli_usage_error(HELP); return 2;
    }
  }
  char dir[4096];
  if (!models) {
    if (cli_models_dir(dir, sizeof dir) != 0)
      return cli_fail("no models folder found; give --models DIR or set PK_MODELS_DIR");
    models = dir;
  }
  char **filters = argv + optind;
  int nf = argc - optind;
  int *hits = calloc((size_t)nf + 1, sizeof *hits);
  if (!hits) return cli_fail("out of memory");
  names nm = {0};
  int rc = list_folder(models, "compounds", "Compounds", sources, filters, nf, hits, &nm);
  rc |= list_folder(models, "receptors", "Receptor", sources, filters, nf, hits, &nm);
  rc |= list_folder(models, "products", "Products", sources, filters, nf, hits, &nm);
  int found = 0;
  for (int k = 0; k < nf; k++) found |= hits[k];
  if (nf == 0 || found)
    printf("* assumption: chosen where the literature has no value (see --sources)\n");
  if (sources && (nf == 0 || found))
    printf("Sources cited as reference/NAME.md are in %s/reference/ (the literature, with "
           "full citations); %s/SOURCES.md says where each kind of source is\n", models,
           models);
  for (int k = 0; k < nf; k++)
    if (!hits[k]) {
      const char *dym = pk_suggest(filters[k], (const char *const *)nm.v, nm.n);
      rc = cli_fail("%s: no compound, receptor or product in %s has an id, name or parameter "
                    "containing '%s'; 'pk compounds' lists them all%s%s%s", filters[k], models,
                    filters[k], dym ? "; did you mean '" : "", dym ? dym : "", dym ? "'?" : "");
    }
  for (size_t k = 0; k < nm.n; k++) free(nm.v[k]);
  free(nm.v);
  free(hits);
  return rc;
}
