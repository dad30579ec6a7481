/* batch_mpi.h - pk population/sweep across MPI ranks (built with
 * PK_WITH_MPI): rank r runs the subjects with index % size == r; the other
 * ranks stream their summary rows to rank 0 in chunks (at most two in
 * flight per rank, sent synchronously so that rank 0 holds at most one per
 * rank), and rank 0 writes them in subject order between its own. For
 * percentiles, rank 0 gathers one time row of every subject's values at a
 * time. */
#ifndef PK_CLI_BATCH_MPI_H
#define PK_CLI_BATCH_MPI_H

#include <stddef.h>

/* Starts MPI (threads funnelled through the main thread); rank and size. 0 on success. */
int cli_mpi_start(int *argc, char ***argv, int *rank, int *size);
void cli_mpi_finish(void);
/* Ends every rank at once with this exit status (after rank 0 cleaned up). */
void cli_mpi_abort(int code);

/* Ranks other than 0: queue a summary row; send the queued rows now. */
int cli_mpi_send_row(const char *line, size_t len);
int cli_mpi_flush(void);
/* Ranks other than 0: the end of the rows (stopped: 1 if the run stopped). */
int cli_mpi_send_end(int stopped);

/* Rank 0: the next row of rank r into *line (valid until the next call for
 * r), its length into *len. Returns 0, 1 if rank r stopped, -1 on a
 * protocol error. */
int cli_mpi_recv_row(int r, const char **line, size_t *len);
/* Rank 0: waits for every other rank's end; returns 0, 1 if one stopped,
 * -1 if a rank sent rows that were not expected. */
int cli_mpi_recv_ends(void);

/* Every rank: gathers n_local x cols values to rank 0, which gets the
 * concatenation in *all (grown as needed, *cap elements) and the total
 * count of subjects in *n_all. 0 on success. */
int cli_mpi_gather(const double *local, size_t n_local, size_t cols, double **all, size_t *cap,
                   size_t *n_all);
/* Every rank: the largest of the ranks' codes (to agree on failure). */
int cli_mpi_max(int code);

#endif
