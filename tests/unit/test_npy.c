/* test_npy.c - the .npy writer (pk/npy.h) against headers and bytes written
 * out by hand from numpy's format description: the header text, its length
 * field and padding to 64 bytes for versions 1.0, 2.0 (a header over
 * 65 535 bytes) and 3.0 (a UTF-8 name); names as Python literals (quote,
 * backslash, control characters) and the names refused (empty, repeated,
 * bytes that are not UTF-8: stray, overlong, surrogate, above U+10FFFF,
 * cut short); little-endian packing of keys and doubles; a stream written
 * in blocks and finished, and the streams that cannot be finished (a pipe,
 * a file opened for appending) refused at the start. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "check.h"
#include "pk/npy.h"

/* The length of a header of this dict text by numpy's rule: the prefix,
 * the text and a newline, padded with spaces to a multiple of 64. */
static size_t length_for(const char *dict, int version) {
  return ((version == 1 ? 10 : 12) + strlen(dict) + 1 + 63) / 64 * 64;
}

/* The header of dict padded with spaces to total bytes, the last a
 * newline: magic, version, length little-endian, text. */
static void expected_header(const char *dict, int version, size_t total, char *out) {
  size_t prefix = version == 1 ? 10 : 12, n = strlen(dict), hlen = total - prefix;
  memcpy(out, "\x93NUMPY", 6);
  out[6] = (char)version;
  out[7] = 0;
  for (size_t k = 0; k < prefix - 8; k++) out[8 + k] = (char)(hlen >> (8 * k));
  memcpy(out + prefix, dict, n);
  memset(out + prefix + n, ' ', total - prefix - n - 1);
  out[total - 1] = '\n';
}

/* pk_npy_header for rows is dict's header, as long as dict20's (the same
 * text with a 20-digit count). */
static void check_header(const pk_npy_field *f, size_t n, uint64_t rows, const char *dict,
                         const char *dict20, int version, const char *what) {
  char got[1024], want[1024];
  size_t len = 0, len20 = length_for(dict20, version);
  int v = 0;
  pk_error err;
  pk_status st = pk_npy_header(f, n, rows, got, sizeof got, &len, &v, &err);
  CHECK(st == PK_OK, "%s: %s", what, err.message);
  if (st != PK_OK) return;
  CHECK(v == version, "%s: version %d, expected %d", what, v, version);
  CHECK(len == len20 && len % 64 == 0, "%s: length %zu, expected %zu", what, len, len20);
  if (len != len20) return;
  expected_header(dict, version, len, want);
  CHECK(memcmp(got, want, len) == 0, "%s: got\n%.*s\nexpected\n%.*s", what, (int)len, got,
        (int)len, want);
}

static void check_refused(const pk_npy_field *f, size_t n, const char *expect, const char *what) {
  char buf[1024];
  pk_error err;
  pk_status st = pk_npy_header(f, n, 0, buf, sizeof buf, NULL, NULL, &err);
  CHECK(st == PK_ERR_INVALID, "%s: status %d", what, (int)st);
  CHECK(strstr(err.message, expect) != NULL, "%s: '%s' not in '%s'", what, expect, err.message);
}

int main(void) {
  test_init();
  static const char COUNT20_TAIL[] = "18446744073709551615,), }";
  char d20[512];

  /* the population's record: subject, time_h, outputs */
  const pk_npy_field pop[] = {{"subject", PK_NPY_INT64}, {"time_h", PK_NPY_DOUBLE},
                              {"C_mg", PK_NPY_DOUBLE}};
  const char *dict = "{'descr': [('subject', '<i8'), ('time_h', '<f8'), ('C_mg', '<f8')], "
                     "'fortran_order': False, 'shape': (3,), }";
  snprintf(d20, sizeof d20, "%.*s%s", (int)(strlen(dict) - 6), dict, COUNT20_TAIL);
  check_header(pop, 3, 3, dict, d20, 1, "three fields, 3 rows");
  check_header(pop, 3, UINT64_MAX, d20, d20, 1, "three fields, UINT64_MAX rows");
  {
    char buf[256] = "";
    size_t len = 0;
    pk_npy_header(pop, 3, 0, buf, sizeof buf - 1, &len, NULL, NULL);
    CHECK(len == 192 && memcmp(buf, "\x93NUMPY\x01\x00\xb6\x00{'descr': [('subject'", 31) == 0,
          "magic, version 1.0 and the length 182 (0xb6) little-endian");
    CHECK(strstr(buf + 10, "'shape': (0,), }") != NULL, "0 rows");
    pk_error err;
    CHECK(pk_npy_header(pop, 3, 0, buf, 191, &len, NULL, &err) == PK_ERR_RANGE && len == 192,
          "a buffer too small: PK_ERR_RANGE and the length needed");
    CHECK(pk_npy_header(pop, 3, 0, NULL, 0, &len, NULL, &err) == PK_OK && len == 192,
          "the length alone");
  }

  /* hostile names: a quote, a backslash, a newline, a tab, DEL */
  const pk_npy_field hostile[] = {{"C_it's", PK_NPY_DOUBLE}, {"a\\b", PK_NPY_DOUBLE},
                                  {"x\ny\tz\x7f", PK_NPY_DOUBLE}, {"'", PK_NPY_INT64}};
  dict = "{'descr': [('C_it\\'s', '<f8'), ('a\\\\b', '<f8'), ('x\\x0ay\\x09z\\x7f', '<f8'), "
         "('\\'', '<i8')], 'fortran_order': False, 'shape': (7,), }";
  snprintf(d20, sizeof d20, "%.*s%s", (int)(strlen(dict) - 6), dict, COUNT20_TAIL);
  check_header(hostile, 4, 7, dict, d20, 1, "quote, backslash, control characters");

  /* UTF-8: version 3.0, the bytes as they are */
  const pk_npy_field utf[] = {{"subject", PK_NPY_INT64}, {"C_caf\xc3\xa9", PK_NPY_DOUBLE},
                              {"W_\xe2\x82\xac\xf0\x9f\x98\x80", PK_NPY_DOUBLE}};
  dict = "{'descr': [('subject', '<i8'), ('C_caf\xc3\xa9', '<f8'), "
         "('W_\xe2\x82\xac\xf0\x9f\x98\x80', '<f8')], 'fortran_order': False, 'shape': (2,), }";
  snprintf(d20, sizeof d20, "%.*s%s", (int)(strlen(dict) - 6), dict, COUNT20_TAIL);
  check_header(utf, 3, 2, dict, d20, 3, "UTF-8 names: version 3.0");

  /* refused names */
  static const struct {
    const char *name, *shown;
  } bad[] = {{"C_\xff", "'C_\\xff'"},               /* a byte UTF-8 never has */
             {"C_\xc0\x80", "'C_\\xc0\\x80'"},       /* overlong NUL */
             {"C_\xe0\x80\xaf", "'C_\\xe0\\x80\\xaf'"}, /* overlong '/' */
             {"C_\xed\xa0\x80", "'C_\\xed\\xa0\\x80'"}, /* a surrogate */
             {"C_\xf4\x90\x80\x80", "'C_\\xf4\\x90\\x80\\x80'"}, /* above U+10FFFF */
             {"C_\xe2\x82", "'C_\\xe2\\x82'"},       /* cut short */
             {"C_\xa9", "'C_\\xa9'"}};              /* a continuation alone (Latin-1) */
  for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
    const pk_npy_field f[] = {{"subject", PK_NPY_INT64}, {bad[k].name, PK_NPY_DOUBLE}};
    char expect[128];
    snprintf(expect, sizeof expect, "field name %s is neither ASCII nor valid UTF-8 (byte 3)",
             bad[k].shown);
    check_refused(f, 2, expect, bad[k].shown);
  }
  const pk_npy_field dup[] = {{"subject", PK_NPY_INT64}, {"C_mg", PK_NPY_DOUBLE},
                              {"C_mg", PK_NPY_DOUBLE}};
  check_refused(dup, 3, "field name 'C_mg' appears twice (fields 2 and 3)", "duplicate");
  const pk_npy_field dup_hostile[] = {{"a'\n", PK_NPY_DOUBLE}, {"a'\n", PK_NPY_DOUBLE}};
  check_refused(dup_hostile, 2, "field name 'a\\'\\x0a' appears twice", "duplicate, escaped");
  const pk_npy_field empty[] = {{"subject", PK_NPY_INT64}, {"", PK_NPY_DOUBLE}};
  check_refused(empty, 2, "field 2 of the .npy record has no name", "empty name");
  check_refused(pop, 0, "at least one field", "no fields");
  const pk_npy_field badtype[] = {{"x", (pk_npy_type)7}};
  check_refused(badtype, 1, "field 'x': unknown type 7", "type");

  /* over 65 535 bytes: version 2.0, a 4-byte length */
  {
    enum { N = 4000 };
    static pk_npy_field many[N];
    static char names[N][8];
    for (int j = 0; j < N; j++) {
      snprintf(names[j], sizeof names[j], "f%05d", j);
      many[j] = (pk_npy_field){names[j], PK_NPY_DOUBLE};
    }
    size_t len = 0;
    int v = 0;
    pk_error err;
    CHECK(pk_npy_header(many, N, 0, NULL, 0, &len, &v, &err) == PK_OK, "%s", err.message);
    /* 4000 x "('f00000', '<f8'), " less the last ", ", head and tail */
    size_t text = strlen("{'descr': [") + 4000 * 19 - 2 +
                  strlen("], 'fortran_order': False, 'shape': (") + 20 + strlen(",), }") + 1;
    CHECK(v == 2 && len == (12 + text + 63) / 64 * 64, "version %d, length %zu", v, len);
    char *buf = malloc(len);
    if (buf && pk_npy_header(many, N, 5, buf, len, &len, &v, &err) == PK_OK) {
      uint32_t hlen = (uint32_t)(unsigned char)buf[8] | (uint32_t)(unsigned char)buf[9] << 8 |
                      (uint32_t)(unsigned char)buf[10] << 16 |
                      (uint32_t)(unsigned char)buf[11] << 24;
      CHECK(memcmp(buf, "\x93NUMPY\x02\x00", 8) == 0 && hlen == len - 12,
            "version 2.0 prefix, length %u", (unsigned)hlen);
      CHECK(memcmp(buf + 12, "{'descr': [('f00000', '<f8'), ('f00001', '<f8'), ", 49) == 0,
            "version 2.0 text");
      CHECK(buf[len - 1] == '\n' && buf[len - 2] == ' ', "padding");
    }
    free(buf);
  }

  /* packing: key -2 then 1.5, -0.0, 2^-1074 (the least subnormal),
   * little-endian byte by byte */
  {
    const double v[] = {1.5, -0.0, 4.9406564584124654e-324, 1.0, 2.0, 3.0};
    unsigned char out[64];
    size_t n = pk_npy_pack_rows(-2, v, 2, 3, out);
    static const unsigned char want[64] = {
        0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0xf8, 0x3f,
        0, 0, 0, 0, 0, 0, 0, 0x80, 1, 0, 0, 0, 0, 0, 0, 0,
        0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f,
        0, 0, 0, 0, 0, 0, 0, 0x40, 0, 0, 0, 0, 0, 0, 0x08, 0x40};
    CHECK(n == 64 && memcmp(out, want, 64) == 0, "packed bytes (%zu)", n);
  }

  /* a stream: header, 2 + 3 records, the count written at the end */
  {
    FILE *f = tmpfile();
    pk_npy_writer *w = NULL;
    pk_error err;
    CHECK(f && pk_npy_begin(f, pop, 3, &w, &err) == PK_OK, "begin: %s", err.message);
    if (w) {
      CHECK(pk_npy_record_bytes(w) == 24 && pk_npy_header_bytes(w) == 192 &&
                pk_npy_version(w) == 1, "record, header, version");
      const double rows[] = {0, 1, 0.5, 2, 1.0 / 3, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
      unsigned char block[5 * 24];
      pk_npy_pack_rows(41, rows, 2, 2, block);
      CHECK(pk_npy_write(w, block, 2, &err) == PK_OK, "write");
      pk_npy_pack_rows(42, rows + 4, 3, 2, block + 48);
      CHECK(pk_npy_write(w, block + 48, 3, &err) == PK_OK, "write");
      CHECK(pk_npy_finish(w, &err) == PK_OK, "finish: %s", err.message);
      long size = ftell(f);
      CHECK(size == 192 + 5 * 24, "the stream left at its end: %ld", size);
      unsigned char file[512] = {0}, head[192];
      rewind(f);
      size_t got = fread(file, 1, sizeof file, f);
      pk_npy_header(pop, 3, 5, (char *)head, sizeof head, NULL, NULL, NULL);
      CHECK(got == 312 && memcmp(file, head, 192) == 0 && memcmp(file + 192, block, 120) == 0,
            "the file is the header for 5 rows and the records (%zu bytes)", got);
      CHECK(strstr((char *)file + 10, "'shape': (5,), }") != NULL, "count 5");
    }
    if (f) fclose(f);
  }

  /* streams that cannot seek back: refused before anything is written */
  {
    int fd[2];
    pk_npy_writer *w = NULL;
    pk_error err;
    FILE *f = pipe(fd) == 0 ? fdopen(fd[1], "w") : NULL;
    CHECK(f && pk_npy_begin(f, pop, 3, &w, &err) == PK_ERR_IO && !w &&
              strstr(err.message, "cannot seek in the output") != NULL,
          "a pipe: %s", err.message);
    if (f) fclose(f);
    close(fd[0]);
    char path[] = "/tmp/pk-npy-append-XXXXXX";
    int t = mkstemp(path);
    if (t >= 0) close(t);
    FILE *a = t >= 0 ? fopen(path, "a") : NULL;
    CHECK(a && pk_npy_begin(a, pop, 3, &w, &err) == PK_ERR_IO && !w &&
              strstr(err.message, "open for appending") != NULL,
          "append mode: %s", err.message);
    if (a) fclose(a);
    if (t >= 0) unlink(path);
  }
  return test_finish("unit_npy_header_escaping_and_stream");
}
