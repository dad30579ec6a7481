/* plot.h - the pieces of pk's plots, internal to the CLI: CSV tables read
 * for plotting (plot_table.c), a figure of panels and series whose numbers
 * go to one data file pk writes (plot.c), and the figures of each kind of
 * CSV (plot_time.c: trajectories and percentile bands; plot_sweep.c: sweep
 * summaries). Every text of a figure (titles, labels, column names) is
 * written into the gnuplot script as a single-quoted string by put_quoted;
 * no file name appears in the script. */
#ifndef PK_CLI_PLOT_H
#define PK_CLI_PLOT_H

#include <stddef.h>
#include <stdio.h>
#include "cli.h"

/* ---- CSV tables ---- */

/* What a CSV holds, told by its header. */
typedef enum plot_kind {
  PLOT_TRAJECTORY,  /* pk simulate: time_h, C_<id>, ... */
  PLOT_PERCENTILES, /* pk population/sweep --percentiles: time_h, n, <col>_p<level> ... */
  PLOT_SUMMARY      /* pk population/sweep -o: id, status, settings, measures ... */
} plot_kind;

typedef struct plot_table {
  const char *path; /* as given */
  plot_kind kind;
  char **names;     /* header, nc names */
  size_t nc, nr;
  double *v;        /* nr x nc, row-major; NaN: an empty field or a text column */
} plot_table;

/* Reads path whole (a regular file, at most the input limit) and checks it:
 * a header of a known kind, as many fields on every line as in the header,
 * numbers where numbers belong, times in increasing order. Prints the
 * error (file, line, column, what was expected) and returns 1 if not. */
int plot_table_read(const char *path, plot_table *t);
void plot_table_free(plot_table *t);
/* A trajectory in memory as a table; name stands for its path (messages,
 * default labels). 1 after an error message. */
int plot_table_from_trajectory(const pk_trajectory *tr, const char *name, plot_table *t);
/* Index of the column named name, or -1. */
int plot_table_column(const plot_table *t, const char *name);
static inline double plot_at(const plot_table *t, size_t i, size_t j) {
  return t->v[i * t->nc + j];
}
/* What the kind is called in messages ("a trajectory (pk simulate)"). */
const char *plot_kind_name(plot_kind k);

/* ---- figures ---- */

enum { PLOT_MAX_SERIES = 256 };

typedef enum plot_style {
  PLOT_LINE,        /* using 1:ycol */
  PLOT_LINEPOINTS,  /* using 1:ycol, with points at the data */
  PLOT_BAND,        /* filled between columns ycol and ycol + 1 */
  PLOT_DOSES,       /* a marker at the top of the panel at each x of column 1 */
  PLOT_CELLS,       /* heat map: x, y, xlo, xhi, ylo, yhi, value */
  PLOT_CELL_LABELS  /* x, y, value: the value written in the cell */
} plot_style;

typedef struct plot_series {
  plot_style style;
  int block, ycol, ycol2; /* ycol2: the upper edge of a band (default ycol + 1) */
  int block_end;      /* > block: blocks block..block_end, each its own curve */
  char colour[8];     /* "#rrggbb" */
  int dash;           /* gnuplot dash type, 1 solid */
  double width;
  char *title;        /* NULL: no key entry */
} plot_series;

typedef struct plot_panel {
  char *ylabel;
  int log_y;
  double y_lo, y_hi;  /* NaN: automatic */
  double y_floor;     /* linear axes: the lower end when automatic (NaN: none) */
  double threshold;   /* NaN: none; else a dashed line with its value in the key */
  int heatmap;        /* cells coloured by value; ylabel names the y axis */
  char *cblabel;      /* heat map: what the colour means */
  double height;      /* relative height */
  double *ytics;      /* tics at these values (NULL: automatic) */
  size_t n_ytics;
  plot_series s[PLOT_MAX_SERIES];
  size_t ns;
} plot_panel;

typedef struct plot_figure {
  plot_panel p[CLI_PLOT_MAX_PANELS];
  size_t np;
  char *title;        /* NULL: none */
  char *xlabel;
  int log_x;
  double x_lo, x_hi;  /* the x axis ends here */
  double *xtics;      /* tics at these values (NULL: automatic) */
  size_t n_xtics;
  FILE *data;         /* the numbers, block after block */
  char data_path[4200];
  int blocks;
  size_t *valid;      /* per block: rows with every number finite */
  int data_error;     /* out of memory */
} plot_figure;

/* Creates the figure's data file in $TMPDIR (listed for removal on a
 * signal); 0, or 1 after an error message. */
int plot_figure_open(plot_figure *f);
/* Removes the data file and frees the texts. */
void plot_figure_close(plot_figure *f);
/* A new panel (NULL and an error message when there are too many). */
plot_panel *plot_panel_add(plot_figure *f, const char *ylabel_fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Starts a data block and returns its index. */
int plot_block(plot_figure *f);
/* Writes one row of n numbers to the current block (NaN: no point). */
void plot_row(plot_figure *f, size_t n, const double *v);
/* Adds a series drawing block `block` to panel p (title NULL: no key
 * entry); NULL, and nothing added, when the block has no complete row. */
plot_series *plot_series_add(plot_figure *f, plot_panel *p, plot_style style, int block,
                             int ycol, const char *colour, int dash, double width,
                             const char *title);
/* Applies --yrange to the panels, top to bottom; 1 after an error message. */
int plot_apply_yranges(plot_figure *f, const cli_plot_options *o);
/* Draws f into image (.png or .svg) with gnuplot, atomically. */
int plot_figure_render(plot_figure *f, const char *image);
/* s as a figure shows it, in a new string: control characters and bytes
 * that are not UTF-8 as '?', cut to max characters with "...". */
char *plot_clean(const char *s, size_t max);
/* printf into a new string (aborts the plot with NULL when out of memory). */
char *plot_strf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* ---- colours ---- */

/* The i-th colour for files or levels overlaid (cycling). */
const char *plot_file_colour(size_t i);
/* The i-th of n colours of an ordered sequence (levels of a sweep axis). */
void plot_sequence_colour(size_t i, size_t n, char out[8]);
/* The colour of a quantity in a figure of one file: a compound's colour (its
 * index among the compounds) for C_, ce_, occ_, A_ and summary measures of
 * one compound, a fixed colour for occ, E, tol, net, wx, wf and W. */
const char *plot_quantity_colour(const char *name, char *const *compounds, size_t nc);

/* ---- the figures of each kind ---- */

/* Trajectories overlaid, or percentile bands, against time. */
int plot_time_figure(plot_table *t, size_t n, const cli_plot_options *o, plot_figure *f);
/* A sweep summary: measures against one axis, one curve per level of a
 * second, or heat maps over two. */
int plot_sweep_figure(const plot_table *t, const cli_plot_options *o, plot_figure *f);

#endif
