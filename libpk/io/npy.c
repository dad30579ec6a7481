/* npy.c - NumPy .npy files written as a stream (pk/npy.h): the header
 * with room for any row count, records packed little-endian, the count
 * written over the header's at the end. The header is a Python literal
 * that numpy parses with ast.literal_eval, so names from input files are
 * escaped here and refused where no literal can hold them. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include "internal.h"
#include "pk/npy.h"

enum {
  ALIGN = 64,        /* numpy's ARRAY_ALIGN: the data start at a multiple of it */
  COUNT_DIGITS = 20, /* UINT64_MAX has 20 digits */
  MAGIC_LEN = 6
};
static const char MAGIC[MAGIC_LEN + 1] = "\x93NUMPY";
static const char HEAD[] = "{'descr': [", MID[] = "], 'fortran_order': False, 'shape': (",
                  TAIL[] = ",), }";
static const char *const DESCR[] = {"<i8", "<f8"};

/* Length of the UTF-8 sequence at s, 0 if it is not valid UTF-8 as Python
 * decodes it (RFC 3629: no overlong forms, no surrogates, nothing above
 * U+10FFFF). s ends in a NUL, which no continuation byte matches. */
static size_t utf8_seq(const unsigned char *s) {
  unsigned char lo = 0x80, hi = 0xbf;
  size_t n;
  if (s[0] >= 0xc2 && s[0] <= 0xdf) {
    n = 2;
  } else if (s[0] >= 0xe0 && s[0] <= 0xef) {
    n = 3;
    if (s[0] == 0xe0) lo = 0xa0;      /* overlong */
    else if (s[0] == 0xed) hi = 0x9f; /* surrogates */
  } else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
    n = 4;
    if (s[0] == 0xf0) lo = 0x90;      /* overlong */
    else if (s[0] == 0xf4) hi = 0x8f; /* above U+10FFFF */
  } else {
    return 0;
  }
  if (s[1] < lo || s[1] > hi) return 0;
  for (size_t k = 2; k < n; k++)
    if ((s[k] & 0xc0) != 0x80) return 0;
  return n;
}

/* name as the body of a single-quoted Python string literal into out (NULL:
 * only measured): backslash and quote escaped, control characters and, with
 * ascii set (for messages), every byte above 0x7e as \xNN; UTF-8 (already
 * checked) as it is. Returns the length, at most 4 * strlen(name). */
static size_t escape(const char *name, int ascii, char *out) {
  static const char hex[] = "0123456789abcdef";
  size_t n = 0;
  for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
    char e[4] = {(char)*p};
    size_t k = 1;
    if (*p == '\\' || *p == '\'') {
      e[0] = '\\', e[1] = (char)*p, k = 2;
    } else if (*p < 0x20 || *p == 0x7f || (ascii && *p > 0x7f)) {
      e[0] = '\\', e[1] = 'x', e[2] = hex[*p >> 4], e[3] = hex[*p & 15], k = 4;
    }
    if (out) memcpy(out + n, e, k);
    n += k;
  }
  return n;
}

/* A name for a message: quoted, escaped, ASCII only, its first 32 bytes. */
static const char *shown(const char *name, char buf[160]) {
  enum { SHOWN = 32 };
  char cut[SHOWN + 1], esc[4 * SHOWN + 1];
  size_t len = strlen(name), k = len < SHOWN ? len : SHOWN;
  memcpy(cut, name, k);
  cut[k] = '\0';
  esc[escape(cut, 1, esc)] = '\0';
  snprintf(buf, 160, "'%s'%s", esc, len > SHOWN ? "..." : "");
  return buf;
}

/* Checks the fields; *body: the header's text without the padding and the
 * newline, with COUNT_DIGITS for the count; *utf8: a name is not ASCII. */
static pk_status check_fields(const pk_npy_field *fields, size_t n, size_t *body, int *utf8,
                              pk_error *err) {
  char a[160];
  if (!fields || n == 0)
    return pk_err_set(err, PK_ERR_INVALID, NULL, NULL, "a .npy record needs at least one field");
  *utf8 = 0;
  *body = strlen(HEAD) + strlen(MID) + COUNT_DIGITS + strlen(TAIL);
  for (size_t j = 0; j < n; j++) {
    const char *name = fields[j].name;
    if (!name || !name[0])
      return pk_err_set(err, PK_ERR_INVALID, NULL, NULL,
                        "field %zu of the .npy record has no name; numpy needs one", j + 1);
    if ((unsigned)fields[j].type > PK_NPY_DOUBLE)
      return pk_err_set(err, PK_ERR_INVALID, NULL, NULL, "field %s: unknown type %d",
                        shown(name, a), (int)fields[j].type);
    for (const unsigned char *p = (const unsigned char *)name; *p;) {
      size_t k = *p < 0x80 ? 1 : utf8_seq(p);
      if (k == 0)
        return pk_err_set(err, PK_ERR_INVALID, NULL, NULL,
                          "field name %s is neither ASCII nor valid UTF-8 (byte %zu); numpy "
                          "reads field names as text", shown(name, a),
                          (size_t)(p - (const unsigned char *)name) + 1);
      if (k > 1) *utf8 = 1;
      p += k;
    }
    for (size_t i = 0; i < j; i++)
      if (strcmp(fields[i].name, name) == 0)
        return pk_err_set(err, PK_ERR_INVALID, NULL, NULL,
                          "field name %s appears twice (fields %zu and %zu); numpy needs "
                          "distinct names", shown(name, a), i + 1, j + 1);
    /* ('name', '<f8') and a ", " before every one but the first */
    *body += (j ? 2 : 0) + 2 + escape(name, 0, NULL) + 4 + strlen(DESCR[fields[j].type]) + 2;
  }
  return PK_OK;
}

/* The count, the tail and the padding: room bytes from p, the last a
 * newline. room holds COUNT_DIGITS, the tail and the newline at least. */
static void put_count(char *p, uint64_t rows, size_t room) {
  char digits[COUNT_DIGITS + 1];
  int nd = snprintf(digits, sizeof digits, "%" PRIu64, rows);
  size_t k = (size_t)nd;
  memcpy(p, digits, k);
  memcpy(p + k, TAIL, strlen(TAIL));
  k += strlen(TAIL);
  memset(p + k, ' ', room - 1 - k);
  p[room - 1] = '\n';
}

/* pk_npy_header, and *count_at: where the count's digits begin. */
static pk_status build(const pk_npy_field *fields, size_t n, uint64_t rows, char *buf,
                       size_t cap, size_t *len, int *version, size_t *count_at,
                       pk_error *err) {
  size_t body;
  int utf8;
  pk_status st = check_fields(fields, n, &body, &utf8, err);
  if (st != PK_OK) return st;
  body += 1; /* the newline */
  /* version 1.0: a 2-byte length; 2.0 and 3.0 (UTF-8) a 4-byte one */
  size_t prefix = MAGIC_LEN + 2 + 2, total = (prefix + body + ALIGN - 1) / ALIGN * ALIGN;
  int v = 1;
  if (utf8 || total - prefix > 65535) {
    v = utf8 ? 3 : 2;
    prefix += 2;
    total = (prefix + body + ALIGN - 1) / ALIGN * ALIGN;
  }
  if (total - prefix > UINT32_MAX)
    return pk_err_set(err, PK_ERR_RANGE, NULL, NULL, "the .npy header of %zu fields would "
                      "exceed the format's 4 GiB", n);
  if (len) *len = total;
  if (version) *version = v;
  if (!buf) return PK_OK;
  if (cap < total)
    return pk_err_set(err, PK_ERR_RANGE, NULL, NULL, "the .npy header needs %zu bytes, the "
                      "buffer holds %zu", total, cap);
  uint32_t hlen = (uint32_t)(total - prefix);
  char *p = buf;
  memcpy(p, MAGIC, MAGIC_LEN);
  p += MAGIC_LEN;
  *p++ = (char)v;
  *p++ = 0;
  for (size_t k = 0; k < prefix - MAGIC_LEN - 2; k++) *p++ = (char)(hlen >> (8 * k));
  p += sprintf(p, "%s", HEAD);
  for (size_t j = 0; j < n; j++) {
    p += sprintf(p, "%s('", j ? ", " : "");
    p += escape(fields[j].name, 0, p);
    p += sprintf(p, "', '%s')", DESCR[fields[j].type]);
  }
  p += sprintf(p, "%s", MID);
  size_t at = (size_t)(p - buf);
  put_count(p, rows, total - at);
  if (count_at) *count_at = at;
  return PK_OK;
}

pk_status pk_npy_header(const pk_npy_field *fields, size_t n, uint64_t rows, char *buf,
                        size_t cap, size_t *len, int *version, pk_error *err) {
  pk_error_clear(err);
  return build(fields, n, rows, buf, cap, len, version, NULL, err);
}

/* x's bytes from the least significant: right on any host, and one 8-byte
 * store on a little-endian one (gcc and clang merge the eight stores at
 * -O2; a loop over k they do not). */
static inline void put_le64(unsigned char *p, uint64_t x) {
  p[0] = (unsigned char)x, p[1] = (unsigned char)(x >> 8), p[2] = (unsigned char)(x >> 16);
  p[3] = (unsigned char)(x >> 24), p[4] = (unsigned char)(x >> 32);
  p[5] = (unsigned char)(x >> 40), p[6] = (unsigned char)(x >> 48);
  p[7] = (unsigned char)(x >> 56);
}

size_t pk_npy_pack_rows(int64_t key, const double *values, size_t n_rows, size_t n_values,
                        void *out) {
  unsigned char *p = out;
  uint64_t k = (uint64_t)key; /* two's complement bits */
  for (size_t r = 0; r < n_rows; r++) {
    put_le64(p, k);
    p += 8;
    const double *v = values + r * n_values;
    for (size_t j = 0; j < n_values; j++, p += 8) {
      uint64_t bits;
      memcpy(&bits, &v[j], sizeof bits);
      put_le64(p, bits);
    }
  }
  return (size_t)(p - (unsigned char *)out);
}

/* ---- writing a stream ---- */

struct pk_npy_writer {
  FILE *f;
  off_t start;   /* where the header begins */
  char *header;  /* as written; the count is written into it at the end */
  size_t header_len, count_at, record;
  int version;
  uint64_t rows;
};

pk_status pk_npy_begin(FILE *f, const pk_npy_field *fields, size_t n, pk_npy_writer **out,
                       pk_error *err) {
  pk_error_clear(err);
  *out = NULL;
  if (!f) return pk_err_set(err, PK_ERR_INVALID, NULL, NULL, "no stream to write");
  /* the count is written last, over the header: refuse before any work
   * a stream that cannot take it */
  off_t start = ftello(f);
  if (start < 0)
    return pk_err_set(err, PK_ERR_IO, NULL, NULL, "cannot seek in the output (%s): a .npy file "
                      "gets its row count when complete, so it must be a file, not a pipe or "
                      "a terminal", strerror(errno));
  int flags = fcntl(fileno(f), F_GETFL);
  if (flags >= 0 && (flags & O_APPEND))
    return pk_err_set(err, PK_ERR_IO, NULL, NULL, "the output is open for appending: a .npy "
                      "file gets its row count when complete, written over its header");
  size_t len = 0;
  int v = 1;
  pk_status st = build(fields, n, 0, NULL, 0, &len, &v, NULL, err);
  if (st != PK_OK) return st;
  pk_npy_writer *w = calloc(1, sizeof *w);
  if (!w || !(w->header = malloc(len))) {
    free(w);
    return pk_err_nomem(err);
  }
  w->f = f;
  w->start = start;
  w->header_len = len;
  w->version = v;
  w->record = 8 * n;
  build(fields, n, 0, w->header, len, NULL, NULL, &w->count_at, err);
  if (fwrite(w->header, 1, len, f) != len) {
    st = pk_err_set(err, PK_ERR_IO, NULL, NULL, "write failed: %s", strerror(errno));
    pk_npy_free(w);
    return st;
  }
  *out = w;
  return PK_OK;
}

size_t pk_npy_record_bytes(const pk_npy_writer *w) { return w ? w->record : 0; }
size_t pk_npy_header_bytes(const pk_npy_writer *w) { return w ? w->header_len : 0; }
int pk_npy_version(const pk_npy_writer *w) { return w ? w->version : 0; }

pk_status pk_npy_write(pk_npy_writer *w, const void *records, size_t n, pk_error *err) {
  if (n && fwrite(records, w->record, n, w->f) != n)
    return pk_err_set(err, PK_ERR_IO, NULL, NULL, "write failed: %s", strerror(errno));
  w->rows += n;
  return PK_OK;
}

pk_status pk_npy_finish(pk_npy_writer *w, pk_error *err) {
  pk_error_clear(err);
  /* the end as written (ftello would say 0 on /dev/null) */
  off_t end = w->start + (off_t)w->header_len + (off_t)(w->rows * w->record);
  put_count(w->header + w->count_at, w->rows, w->header_len - w->count_at);
  pk_status st = PK_OK;
  errno = 0;
  if (fseeko(w->f, w->start, SEEK_SET) != 0 ||
      fwrite(w->header, 1, w->header_len, w->f) != w->header_len ||
      fseeko(w->f, end, SEEK_SET) != 0 || ferror(w->f))
    st = pk_err_set(err, PK_ERR_IO, NULL, NULL, "cannot write the row count into the header: %s",
                    errno ? strerror(errno) : "write error");
  pk_npy_free(w);
  return st;
}

void pk_npy_free(pk_npy_writer *w) {
  if (!w) return;
  free(w->header);
  free(w);
}
