/* pk/output.h - output files that never leave a partial file behind and
 * never destroy what is not a regular file.
 *
 * pk_output_open(path) decides how path is written:
 *   - path does not exist, or is a regular file (also through symbolic
 *     links): the data go to a temporary file "<file>.tmp.XXXXXX" in the
 *     same directory, which pk_output_commit flushes, syncs and renames over
 *     the file (a symbolic link is followed and kept; an existing file keeps
 *     its permission bits, a new one gets 0644). A failure or
 *     pk_output_discard removes the temporary file and leaves any previous
 *     file as it was.
 *   - path is a character device (/dev/null, a terminal), a FIFO, or a
 *     descriptor under /proc or /dev/fd (/dev/stdout): written directly,
 *     never replaced; a write error (ENOSPC from /dev/full) is an error.
 *   - a directory, a block device, a socket, a dangling symbolic link or an
 *     empty name: refused with PK_ERR_IO naming the path and what it is.
 *
 * The temporary files currently open are listed in a process-wide table, so
 * that a signal handler can remove them (pk_temporaries_remove). Helpers
 * that make temporary files of their own may list them there too.
 */
#ifndef PK_OUTPUT_H
#define PK_OUTPUT_H
#include <stdio.h>
#include "pk/error.h"
#ifdef __cplusplus
extern "C" {
#endif

typedef struct pk_output pk_output;

/* Opens path for writing as described above. */
PK_API pk_status pk_output_open(const char *path, pk_output **out, pk_error *err);
/* The stream to write to. */
PK_API FILE *pk_output_stream(pk_output *o);
/* The temporary file being written, or NULL when path is written directly. */
PK_API const char *pk_output_temp_path(const pk_output *o);
/* Whether path is written directly (a device, a FIFO, a descriptor). */
PK_API int pk_output_is_direct(const pk_output *o);
/* Flushes and, for a temporary file, renames it over the target. Frees o in
 * every case; on failure the temporary file is removed and err says why. */
PK_API pk_status pk_output_commit(pk_output *o, pk_error *err);
/* Closes o and removes its temporary file (NULL is safe). */
PK_API void pk_output_discard(pk_output *o);

/* Lists path (a temporary file the caller made) for pk_temporaries_remove;
 * returns 0, or -1 if the table (64 entries) is full. The string is
 * copied. */
PK_API int pk_temporary_add(const char *path);
/* Takes path off the list (before the caller renames or removes it). */
PK_API void pk_temporary_forget(const char *path);
/* Removes every listed temporary file. Async-signal-safe: meant for a
 * SIGINT/SIGTERM/SIGHUP handler that then ends the process. */
PK_API void pk_temporaries_remove(void);

#ifdef __cplusplus
}
#endif
#endif
