/* pk/input.h - how libpk reads its input files (scenarios, model files,
 * event datasets, population specs).
 *
 * Every file is read whole by one reader that accepts only regular files: a
 * directory, a device such as /dev/zero, a named pipe or a socket is refused
 * with an error naming the file and what it is instead, and an empty file
 * name is refused as such. A file larger than the input limit is refused
 * before it is read, and a file that grows past the limit while it is read
 * (or reports no size, as /proc files do) is refused once the limit is
 * reached, so that no input can make libpk use memory without bound.
 *
 * The limit is a library-wide setting, PK_MAX_INPUT_BYTES_DEFAULT (64 MiB)
 * unless changed. The pk tool sets it from the environment variable
 * PK_MAX_INPUT_BYTES; the library itself reads no environment variable.
 * Each reader also has a text version (pk_scenario_load_text and the like)
 * that reads from memory and is not subject to the limit.
 */
#ifndef PK_INPUT_H
#define PK_INPUT_H

#include <stddef.h>
#include "pk/version.h"

#ifdef __cplusplus
extern "C" {
#endif

/* 64 MiB: far above any model or scenario file, room for event datasets of
 * about a million records. */
#define PK_MAX_INPUT_BYTES_DEFAULT ((size_t)64 << 20)

/* Sets the largest input file libpk reads, in bytes (0: back to
 * PK_MAX_INPUT_BYTES_DEFAULT) and returns the previous limit. Safe to call
 * from any thread; a read already under way keeps the limit it started with. */
PK_API size_t pk_set_max_input_bytes(size_t max_bytes);
/* The current limit, bytes. */
PK_API size_t pk_max_input_bytes(void);

#ifdef __cplusplus
}
#endif
#endif
