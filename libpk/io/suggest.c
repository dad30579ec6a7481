/* suggest.c - "did you mean": the known name closest to a mistyped one, by
 * edit distance, for messages about unknown keys, products, compounds,
 * parameters and commands. */
#include <ctype.h>
#include <string.h>
#include "internal.h"

enum { SUGGEST_MAX_LEN = 128 };

/* Edit distance of a and b ignoring case, a transposition of neighbours
 * counting one (optimal string alignment); lengths at most SUGGEST_MAX_LEN. */
static size_t distance(const char *a, size_t la, const char *b, size_t lb) {
  size_t rows[3][SUGGEST_MAX_LEN + 1];
  size_t *prev2 = rows[0], *prev = rows[1], *cur = rows[2];
  for (size_t j = 0; j <= lb; j++) prev[j] = j;
  for (size_t i = 1; i <= la; i++) {
    cur[0] = i;
    for (size_t j = 1; j <= lb; j++) {
      int ai = tolower((unsigned char)a[i - 1]), bj = tolower((unsigned char)b[j - 1]);
      size_t d = prev[j - 1] + (ai != bj);
      if (prev[j] + 1 < d) d = prev[j] + 1;
      if (cur[j - 1] + 1 < d) d = cur[j - 1] + 1;
      if (i > 1 && j > 1 && ai == tolower((unsigned char)b[j - 2]) &&
          tolower((unsigned char)a[i - 2]) == bj && prev2[j - 2] + 1 < d)
        d = prev2[j - 2] + 1;
      cur[j] = d;
    }
    size_t *t = prev2;
    prev2 = prev;
    prev = cur;
    cur = t;
  }
  return prev[lb];
}

const char *pk_suggest(const char *word, const char *const *candidates, size_t n) {
  if (!word || !candidates) return NULL;
  size_t lw = strlen(word), best_d = (size_t)-1;
  const char *best = NULL;
  if (lw == 0 || lw > SUGGEST_MAX_LEN) return NULL;
  for (size_t k = 0; k < n; k++) {
    const char *c = candidates[k];
    size_t lc = c ? strlen(c) : 0;
    if (lc == 0 || lc > SUGGEST_MAX_LEN || strcmp(c, word) == 0) continue;
    size_t longer = lw > lc ? lw : lc, shorter = lw < lc ? lw : lc;
    size_t limit = longer / 3 > 1 ? longer / 3 : 1;
    size_t d = distance(word, lw, c, lc);
    /* close enough to be a slip, and not a rewrite of a short name */
    if (d <= limit && d < shorter && d < best_d) best = c, best_d = d;
  }
  return best;
}

void pk_suggest_suffix(const char *word, const char *const *candidates, size_t n, char *buf,
                       size_t cap) {
  const char *s = pk_suggest(word, candidates, n);
  if (cap) buf[0] = '\0';
  if (s) snprintf(buf, cap, "; did you mean '%s'?", s);
}
