/* batch_mpi.c - the MPI side of pk population/sweep (see batch_mpi.h). */
#include <mpi.h>
#include <stdlib.h>
#include <string.h>
#include "batch_mpi.h"

enum { TAG_ROWS = 17, TAG_VALUES = 18, CHUNK = 64 * 1024 };

/* Message layout: one type byte, then rows (each ending in '\n'). */
enum { MSG_DATA = 'D', MSG_END = 'E', MSG_STOP = 'S' };

static int g_size = 1;

int cli_mpi_start(int *argc, char ***argv, int *rank, int *size) {
  int provided = 0;
  if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) return -1;
  MPI_Comm_rank(MPI_COMM_WORLD, rank);
  MPI_Comm_size(MPI_COMM_WORLD, size);
  g_size = *size;
  return 0;
}

void cli_mpi_finish(void) { MPI_Finalize(); }
void cli_mpi_abort(int code) { MPI_Abort(MPI_COMM_WORLD, code); }

/* ---- senders (ranks > 0) ---- */

static char *s_buf[2];
static size_t s_len[2], s_cap[2];
static int s_cur;
static MPI_Request s_req[2] = {MPI_REQUEST_NULL, MPI_REQUEST_NULL};

static int ensure(int k, size_t need) {
  if (s_cap[k] >= need) return 0;
  size_t cap = s_cap[k] ? s_cap[k] : CHUNK + 1024;
  while (cap < need) cap *= 2;
  char *p = realloc(s_buf[k], cap);
  if (!p) return -1;
  s_buf[k] = p;
  s_cap[k] = cap;
  return 0;
}

static int post(char type) {
  int k = s_cur;
  if (ensure(k, 1) != 0) return -1;
  if (s_len[k] == 0) s_len[k] = 1;
  s_buf[k][0] = type;
  if (MPI_Issend(s_buf[k], (int)s_len[k], MPI_CHAR, 0, TAG_ROWS, MPI_COMM_WORLD, &s_req[k]) !=
      MPI_SUCCESS)
    return -1;
  s_cur = 1 - k;
  /* the other buffer must have been received before it is refilled */
  if (MPI_Wait(&s_req[s_cur], MPI_STATUS_IGNORE) != MPI_SUCCESS) return -1;
  s_len[s_cur] = 0;
  return 0;
}

int cli_mpi_send_row(const char *line, size_t len) {
  int k = s_cur;
  size_t base = s_len[k] ? s_len[k] : 1;
  if (ensure(k, base + len) != 0) return -1;
  memcpy(s_buf[k] + base, line, len);
  s_len[k] = base + len;
  return s_len[k] >= CHUNK ? post(MSG_DATA) : 0;
}

int cli_mpi_flush(void) { return s_len[s_cur] > 1 ? post(MSG_DATA) : 0; }

int cli_mpi_send_end(int stopped) {
  int rc = post(stopped ? MSG_STOP : MSG_END);
  if (MPI_Waitall(2, s_req, MPI_STATUSES_IGNORE) != MPI_SUCCESS) rc = -1;
  free(s_buf[0]);
  free(s_buf[1]);
  s_buf[0] = s_buf[1] = NULL;
  s_cap[0] = s_cap[1] = 0;
  return rc;
}

/* ---- the receiver (rank 0) ---- */

typedef struct inbox {
  char *buf;
  size_t len, pos, cap;
  int ended, stopped;
} inbox;

static inbox *g_in;

static int receive(int r) {
  if (!g_in && !(g_in = calloc((size_t)g_size, sizeof *g_in))) return -1;
  inbox *b = &g_in[r];
  MPI_Status st;
  int count = 0;
  if (MPI_Probe(r, TAG_ROWS, MPI_COMM_WORLD, &st) != MPI_SUCCESS) return -1;
  MPI_Get_count(&st, MPI_CHAR, &count);
  if (count < 1) return -1;
  if (b->cap < (size_t)count) {
    char *p = realloc(b->buf, (size_t)count);
    if (!p) return -1;
    b->buf = p;
    b->cap = (size_t)count;
  }
  if (MPI_Recv(b->buf, count, MPI_CHAR, r, TAG_ROWS, MPI_COMM_WORLD, MPI_STATUS_IGNORE) !=
      MPI_SUCCESS)
    return -1;
  b->len = (size_t)count;
  b->pos = 1;
  if (b->buf[0] == MSG_END) b->ended = 1;
  if (b->buf[0] == MSG_STOP) b->ended = b->stopped = 1;
  return 0;
}

int cli_mpi_recv_row(int r, const char **line, size_t *len) {
  if (!g_in && !(g_in = calloc((size_t)g_size, sizeof *g_in))) return -1;
  inbox *b = &g_in[r];
  while (b->pos >= b->len) {
    if (b->stopped) return 1;
    if (b->ended) return -1; /* rank r has no more rows */
    if (receive(r) != 0) return -1;
  }
  if (b->stopped) return 1;
  char *nl = memchr(b->buf + b->pos, '\n', b->len - b->pos);
  if (!nl) return -1;
  *line = b->buf + b->pos;
  *len = (size_t)(nl - (b->buf + b->pos)) + 1;
  b->pos += *len;
  return 0;
}

int cli_mpi_recv_ends(void) {
  int rc = 0;
  if (!g_in && !(g_in = calloc((size_t)g_size, sizeof *g_in))) return -1;
  for (int r = 1; r < g_size; r++) {
    inbox *b = &g_in[r];
    while (!b->ended)
      if (receive(r) != 0) return -1;
    if (b->stopped) rc = 1;
    else if (b->pos < b->len && rc == 0) rc = -1;
  }
  for (int r = 0; r < g_size; r++) free(g_in[r].buf);
  free(g_in);
  g_in = NULL;
  return rc;
}

/* ---- percentiles ---- */

int cli_mpi_gather(const double *local, size_t n_local, size_t cols, double **all, size_t *cap,
                   size_t *n_all) {
  int rank;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  long long mine = (long long)n_local;
  long long *counts = rank == 0 ? malloc((size_t)g_size * sizeof *counts) : NULL;
  int *rc = rank == 0 ? malloc((size_t)g_size * sizeof *rc) : NULL;
  int *displs = rank == 0 ? malloc((size_t)g_size * sizeof *displs) : NULL;
  int ok = rank != 0 || (counts && rc && displs);
  if (MPI_Gather(&mine, 1, MPI_LONG_LONG, counts, 1, MPI_LONG_LONG, 0, MPI_COMM_WORLD) !=
      MPI_SUCCESS)
    ok = 0;
  size_t total = 0;
  if (rank == 0 && ok) {
    for (int r = 0; r < g_size; r++) {
      if ((double)counts[r] * (double)cols > 2e9) ok = 0;
      rc[r] = (int)((size_t)counts[r] * cols);
      displs[r] = (int)(total * cols);
      total += (size_t)counts[r];
    }
    if ((double)total * (double)cols > 2e9) ok = 0;
    if (ok && *cap < total * cols) {
      double *p = realloc(*all, ((total * cols) > 0 ? total * cols : 1) * sizeof *p);
      if (!p) ok = 0;
      else *all = p, *cap = total * cols;
    }
  }
  if (rank == 0 && !ok) MPI_Abort(MPI_COMM_WORLD, 1); /* cannot hold the values */
  if (MPI_Gatherv(local, (int)(n_local * cols), MPI_DOUBLE, rank == 0 ? *all : NULL, rc, displs,
                  MPI_DOUBLE, 0, MPI_COMM_WORLD) != MPI_SUCCESS)
    ok = 0;
  if (n_all) *n_all = total;
  free(counts);
  free(rc);
  free(displs);
  return ok ? 0 : -1;
}

int cli_mpi_max(int code) {
  int out = code;
  MPI_Allreduce(&code, &out, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  return out;
}
