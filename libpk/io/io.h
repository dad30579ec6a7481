/* io.h - the one reader of input files (see pk/input.h): regular files only,
 * at most pk_max_input_bytes() bytes. */
#ifndef PK_IO_H
#define PK_IO_H

#include "internal.h"

/* Reads the regular file path whole into a new buffer: *text (free with
 * free()) holds *len bytes and a NUL after them. On failure (PK_ERR_IO) err
 * names the file and says why: an empty name, the file cannot be opened, it
 * is a directory or not a regular file (and what it is), it is larger than
 * the input limit, or reading it failed. */
pk_status pk_read_file(const char *path, char **text, size_t *len, pk_error *err);

/* Opens the regular file path for reading, with the checks of pk_read_file
 * but no size limit (for a reader that holds only part of the file at a
 * time): *fd, to close with close(); -1 on failure (PK_ERR_IO, err says
 * why). */
pk_status pk_open_file(const char *path, int *fd, pk_error *err);

#endif
