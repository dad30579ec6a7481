/* plot.c - figures drawn by gnuplot, found on PATH at run time. pk writes
 * every number of a figure into one data file it creates in $TMPDIR, and a
 * script that draws it; gnuplot runs as `gnuplot -c SCRIPT DATA TITLE`, so
 * the data file and the figure's title arrive as the string variables ARG1
 * and ARG2 and are never parsed as commands. Every other text (key entries,
 * axis labels: column names and labels given by the user) is written as a
 * single-quoted gnuplot string by put_quoted. The image goes to gnuplot's
 * standard output, into a temporary file renamed when gnuplot succeeds. */
#include <errno.h>
#include <math.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "plot.h"

extern char **environ;

static const char *gnuplot_name(void) {
  const char *g = getenv("PK_GNUPLOT");
  return g && g[0] ? g : "gnuplot";
}

int cli_gnuplot_available(void) {
  const char *g = gnuplot_name();
  if (strchr(g, '/')) return access(g, X_OK) == 0;
  const char *path = getenv("PATH");
  if (!path) return 0;
  char buf[4096];
  for (const char *p = path; *p;) {
    const char *colon = strchr(p, ':');
    size_t n = colon ? (size_t)(colon - p) : strlen(p);
    snprintf(buf, sizeof buf, "%.*s/%s", (int)n, n ? p : ".", g);
    if (access(buf, X_OK) == 0) return 1;
    if (!colon) break;
    p = colon + 1;
  }
  return 0;
}

int cli_gnuplot_missing(const char *what) {
  const char *g = getenv("PK_GNUPLOT");
  if (g && g[0])
    return cli_fail("%s needs gnuplot, but PK_GNUPLOT is '%s', which is not an executable "
                    "program%s; nothing was written", what, g,
                    strchr(g, '/') ? "" : " on PATH");
  return cli_fail("%s needs gnuplot, which is not on PATH (Debian: apt-get install "
                  "gnuplot-nox; or set PK_GNUPLOT to its path); nothing was written", what);
}

static const char *ext_of(const char *image) {
  const char *slash = strrchr(image, '/'), *dot = strrchr(image, '.');
  return dot && (!slash || dot > slash) ? dot + 1 : "";
}

int cli_check_image_name(const char *image) {
  const char *e = ext_of(image);
  if (strcmp(e, "png") == 0 || strcmp(e, "svg") == 0) return 0;
  return cli_fail("%s: the plot file must end in .png or .svg", image);
}

/* ---- texts ---- */

enum { TEXT_MAX = 48, TITLE_MAX = 100 }; /* characters of a text, a title shown */

/* Length of the UTF-8 sequence at s, or 0 if it is not valid UTF-8. */
static size_t utf8_len(const unsigned char *s) {
  size_t n = s[0] < 0x80 ? 1 : (s[0] & 0xe0) == 0xc0 ? 2 : (s[0] & 0xf0) == 0xe0 ? 3
             : (s[0] & 0xf8) == 0xf0 ? 4 : 0;
  if (n == 2 && s[0] < 0xc2) return 0;
  for (size_t k = 1; k < n; k++)
    if ((s[k] & 0xc0) != 0x80) return 0;
  return n;
}

/* s as shown: a control character (a newline would end a gnuplot command)
 * or a byte that is not UTF-8 becomes '?', and a text longer than max
 * characters is cut with "...". Returns the count of characters. */
static size_t clean_text(const char *s, size_t max, char *out, size_t cap) {
  size_t chars = 0, o = 0, total = 0;
  for (const unsigned char *p = (const unsigned char *)s; *p;) {
    size_t n = utf8_len(p);
    p += n ? n : 1;
    total++;
  }
  for (const unsigned char *p = (const unsigned char *)s; *p && o + 8 < cap;) {
    if (total > max && chars == max - 3) {
      memcpy(out + o, "...", 3);
      o += 3;
      chars += 3;
      break;
    }
    size_t n = utf8_len(p);
    if (n == 0 || *p < 0x20 || *p == 0x7f) {
      out[o++] = '?';
      p += n ? n : 1;
    } else {
      memcpy(out + o, p, n);
      o += n;
      p += n;
    }
    chars++;
  }
  out[o] = '\0';
  return chars;
}

/* Writes s as a single-quoted gnuplot string: a quote is doubled, and s is
 * cleaned by clean_text, so that no character of s can end the string or
 * the line. (A backslash has no meaning in single quotes.) gnuplot reads a
 * doubled quote at the start of a string as an empty string ('''x' is ''
 * and then 'x'): a leading quote is written "'" and joined with '.'. */
static void put_quoted(FILE *f, const char *s) {
  char buf[4 * TEXT_MAX + 16];
  clean_text(s, TEXT_MAX, buf, sizeof buf);
  const char *p = buf;
  for (; *p == '\''; p++) fputs("\"'\".", f);
  fputc('\'', f);
  for (; *p; p++) {
    if (*p == '\'') fputc('\'', f);
    fputc(*p, f);
  }
  fputc('\'', f);
}

/* A label of pk's: a newline in it breaks the line (the parts are quoted
 * one by one). */
static void put_label(FILE *f, const char *s) {
  const char *nl;
  while ((nl = strchr(s, '\n')) != NULL) {
    char part[512];
    snprintf(part, sizeof part, "%.*s", (int)(nl - s), s);
    put_quoted(f, part);
    fputs(".\"\\n\".", f);
    s = nl + 1;
  }
  put_quoted(f, s);
}

char *plot_clean(const char *s, size_t max) {
  char *out = malloc(4 * max + 16);
  if (out) clean_text(s, max, out, 4 * max + 16);
  return out;
}

static size_t text_chars(const char *s) {
  char buf[4 * TEXT_MAX + 16];
  return clean_text(s, TEXT_MAX, buf, sizeof buf);
}

char *plot_strf(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  char *s = n >= 0 ? malloc((size_t)n + 1) : NULL;
  if (!s) return NULL;
  va_start(ap, fmt);
  vsnprintf(s, (size_t)n + 1, fmt, ap);
  va_end(ap);
  return s;
}

/* ---- colours ---- */

const char *plot_file_colour(size_t i) {
  static const char *const c[] = {"#0072B2", "#D55E00", "#009E73", "#CC79A7",
                                  "#E69F00", "#56B4E9", "#000000", "#8C564B"};
  return c[i % (sizeof c / sizeof c[0])];
}

void plot_sequence_colour(size_t i, size_t n, char out[8]) {
  /* viridis, from dark violet to green-yellow (the last yellow is too pale) */
  static const int anchor[][3] = {{68, 1, 84}, {59, 82, 139}, {33, 144, 140},
                                  {93, 200, 99}, {181, 222, 43}};
  double x = n > 1 ? 4.0 * (double)i / (double)(n - 1) : 0.0;
  int k = x >= 4 ? 3 : (int)x;
  double u = x - k;
  int rgb[3];
  for (int c = 0; c < 3; c++)
    rgb[c] = (int)lround(anchor[k][c] + u * (anchor[k + 1][c] - anchor[k][c]));
  snprintf(out, 8, "#%02X%02X%02X", rgb[0] & 255, rgb[1] & 255, rgb[2] & 255);
}

const char *plot_quantity_colour(const char *name, char *const *compounds, size_t nc) {
  static const char *const compound[] = {"#0072B2", "#E69F00", "#CC79A7", "#8C564B",
                                         "#56B4E9", "#BCBD22", "#17BECF", "#1F3A93"};
  static const struct { const char *name, *colour; } fixed[] = {
      {"occ", "#000000"}, {"occ_min", "#000000"}, {"occ_max", "#000000"},
      {"E", "#009E73"}, {"E_max", "#009E73"}, {"tol", "#7B3294"}, {"net", "#B8860B"},
      {"wx", "#1B7F8C"}, {"wf", "#666666"}, {"W", "#C0392B"}, {"W_max", "#C0392B"}};
  for (size_t k = 0; k < sizeof fixed / sizeof fixed[0]; k++)
    if (strcmp(name, fixed[k].name) == 0) return fixed[k].colour;
  if (strncmp(name, "h_W_above", 9) == 0) return "#C0392B";
  if (strncmp(name, "h_occ_above", 11) == 0) return "#000000";
  /* C_mg, ce_mg, occ_mg, A_depot_mg, Cmax_mg, AUC_mg ...: the compound's colour
   * (the longest id that ends the name after a '_') */
  const char *colour = "#555555";
  size_t n = strlen(name), best = 0;
  for (size_t k = 0; k < nc; k++) {
    size_t m = strlen(compounds[k]);
    if (m > best && m < n && name[n - m - 1] == '_' && strcmp(name + n - m, compounds[k]) == 0) {
      best = m;
      colour = compound[k % 8];
    }
  }
  return colour;
}

/* ---- the figure ---- */

int plot_figure_open(plot_figure *f) {
  memset(f, 0, sizeof *f);
  f->x_lo = f->x_hi = NAN;
  cli_temp_template(f->data_path, sizeof f->data_path, "pk-plot-data");
  int fd = mkstemp(f->data_path);
  if (fd < 0) {
    f->data_path[0] = '\0';
    return cli_fail("cannot create a temporary data file for gnuplot in %s: %s",
                    getenv("TMPDIR") && getenv("TMPDIR")[0] == '/' ? "$TMPDIR" : "/tmp",
                    strerror(errno));
  }
  pk_temporary_add(f->data_path);
  if (!(f->data = fdopen(fd, "w"))) {
    close(fd);
    return cli_fail("cannot write a temporary data file for gnuplot: %s", strerror(errno));
  }
  f->blocks = 0;
  return 0;
}

void plot_figure_close(plot_figure *f) {
  if (f->data) fclose(f->data);
  f->data = NULL;
  if (f->data_path[0]) cli_temp_remove(f->data_path);
  f->data_path[0] = '\0';
  for (size_t k = 0; k < f->np; k++) {
    plot_panel *p = &f->p[k];
    free(p->ylabel);
    free(p->cblabel);
    free(p->ytics);
    for (size_t i = 0; i < p->ns; i++) free(p->s[i].title);
  }
  f->np = 0;
  free(f->xtics);
  f->xtics = NULL;
  free(f->title);
  free(f->xlabel);
  free(f->valid);
  f->title = f->xlabel = NULL;
  f->valid = NULL;
}

plot_panel *plot_panel_add(plot_figure *f, const char *fmt, ...) {
  if (f->np >= CLI_PLOT_MAX_PANELS) {
    cli_fail("more than %d panels: choose fewer --columns", CLI_PLOT_MAX_PANELS);
    return NULL;
  }
  plot_panel *p = &f->p[f->np++];
  memset(p, 0, sizeof *p);
  p->y_lo = p->y_hi = p->y_floor = p->threshold = NAN;
  p->height = 1.0;
  char buf[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  p->ylabel = strdup(buf);
  return p;
}

int plot_block(plot_figure *f) {
  if (f->blocks > 0) fputs("\n\n", f->data);
  if (f->blocks % 64 == 0) {
    size_t *v = realloc(f->valid, ((size_t)f->blocks + 64) * sizeof *v);
    if (v) f->valid = v;
    else f->data_error = 1;
  }
  if (!f->data_error) f->valid[f->blocks] = 0;
  return f->blocks++;
}

void plot_row(plot_figure *f, size_t n, const double *v) {
  int all = 1;
  for (size_t k = 0; k < n; k++) {
    if (isfinite(v[k])) fprintf(f->data, "%s%.10g", k ? " " : "", v[k]);
    else fprintf(f->data, "%sNaN", k ? " " : ""), all = 0;
  }
  fputc('\n', f->data);
  if (all && !f->data_error && f->blocks > 0) f->valid[f->blocks - 1]++;
}

plot_series *plot_series_add(plot_figure *f, plot_panel *p, plot_style style, int block,
                             int ycol, const char *colour, int dash, double width,
                             const char *title) {
  /* a block without a complete row would only make gnuplot complain */
  if (p->ns >= PLOT_MAX_SERIES || f->data_error || block < 0 || block >= f->blocks ||
      f->valid[block] == 0)
    return NULL;
  plot_series *s = &p->s[p->ns++];
  *s = (plot_series){.style = style, .block = block, .ycol = ycol, .ycol2 = ycol + 1,
                     .dash = dash, .width = width, .title = title ? strdup(title) : NULL};
  snprintf(s->colour, sizeof s->colour, "%s", colour);
  return s;
}

int plot_apply_yranges(plot_figure *f, const cli_plot_options *o) {
  if (o->n_yranges > f->np)
    return cli_fail("--yrange is given %zu times; the figure has %zu panel%s (one --yrange "
                    "per panel, top to bottom)", o->n_yranges, f->np, f->np == 1 ? "" : "s");
  for (size_t k = 0; k < o->n_yranges; k++) {
    plot_panel *pn = &f->p[k];
    const cli_range *r = &o->yrange[k];
    if (pn->log_y && isfinite(r->lo) && !(r->lo > 0))
      return cli_fail("--yrange %g:...: panel %zu has a logarithmic axis; expected a lower "
                      "end > 0", r->lo, k + 1);
    if (isfinite(r->lo)) pn->y_lo = r->lo;
    if (isfinite(r->hi)) pn->y_hi = r->hi;
  }
  return 0;
}

/* ---- the script ---- */

enum { WIDTH = 1200, LEFT_PX = 110, PANEL_PX = 250, GAP_PX = 16, KEY_ROW_PX = 19 };
static const double CHAR_PX = 8.2; /* a character of the 11-point key font */

static size_t key_entries(const plot_panel *p) {
  size_t n = isfinite(p->threshold) && !p->heatmap ? 1 : 0;
  for (size_t i = 0; i < p->ns; i++) n += p->s[i].title != NULL;
  return n;
}

static void put_series(FILE *f, const plot_series *s) {
  if (s->block_end > s->block) fprintf(f, "ARG1 index %d:%d ", s->block, s->block_end);
  else fprintf(f, "ARG1 index %d ", s->block);
  switch (s->style) {
  case PLOT_LINE:
  case PLOT_LINEPOINTS:
    fprintf(f, "using 1:%d with %s lw %g dt %d lc rgb '%s'", s->ycol,
            s->style == PLOT_LINE ? "lines" : "linespoints pt 7 ps 0.8", s->width, s->dash,
            s->colour);
    break;
  case PLOT_BAND:
    fprintf(f, "using 1:%d:%d with filledcurves fs transparent solid 0.2 noborder lc rgb '%s'",
            s->ycol, s->ycol2, s->colour);
    break;
  case PLOT_DOSES:
    /* each set of markers in a row of its own */
    fprintf(f, "using 1:(%.3f) axes x1y2 with points pt 11 ps 0.8 lc rgb '%s'",
            0.965 - 0.045 * s->ycol, s->colour);
    break;
  case PLOT_CELLS:
    fputs("using 1:2:3:4:5:6:7 with boxxyerror fs solid 1.0 noborder fc palette", f);
    break;
  case PLOT_CELL_LABELS:
    fprintf(f, "using 1:2:(sprintf('%%.3g', $3)) with labels font ',10' tc rgb '%s'",
            s->colour);
    break;
  }
  if (s->title) {
    fputs(" title ", f);
    put_quoted(f, s->title);
  } else {
    fputs(" notitle", f);
  }
}

/* "set xtics (a, b, ...)" at the values given, or automatic tics. */
static void put_tics(FILE *f, const char *axis, const double *v, size_t n) {
  if (!v) {
    fprintf(f, "set %stics autofreq\nset m%stics default\n", axis, axis);
    return;
  }
  fprintf(f, "unset m%stics\nset %stics (", axis, axis);
  for (size_t i = 0; i < n; i++) fprintf(f, "%s%.10g", i ? ", " : "", v[i]);
  fputs(")\n", f);
}

/* Writes the script: panels stacked top to bottom on one time (or sweep)
 * axis, each with its key to the right of it. */
static void write_script(FILE *f, const plot_figure *fig, const char *ext) {
  size_t key_chars = 0, np = fig->np;
  int heat = 0;
  double px[CLI_PLOT_MAX_PANELS], total = 0;
  for (size_t k = 0; k < np; k++) {
    const plot_panel *p = &fig->p[k];
    heat |= p->heatmap;
    for (size_t i = 0; i < p->ns; i++)
      if (p->s[i].title && text_chars(p->s[i].title) > key_chars)
        key_chars = text_chars(p->s[i].title);
    if (isfinite(p->threshold) && !p->heatmap && key_chars < 24) key_chars = 24;
    px[k] = fmax(PANEL_PX * p->height, (double)key_entries(p) * KEY_ROW_PX + 24);
    total += px[k];
  }
  double top = fig->title ? 56 : 24, bottom = 62;
  double height = top + bottom + total + GAP_PX * (double)(np - 1);
  double right_px = fmax(key_chars > 0 ? (double)key_chars * CHAR_PX + 90 : 40,
                         heat ? 200 : 0);
  double L = (double)LEFT_PX / WIDTH, R = 1.0 - right_px / WIDTH;
  if (strcmp(ext, "svg") == 0)
    fprintf(f, "set terminal svg size %d,%.0f dynamic noenhanced font 'Sans,11' "
               "background '#ffffff'\n", WIDTH, height);
  else
    fprintf(f, "set terminal pngcairo size %d,%.0f noenhanced font 'Sans,11'\n", WIDTH,
            height);
  fputs("set encoding utf8\nset grid\nset tics out nomirror\nset border 3\n", f);
  fputs("set palette defined (0 '#440154', 1 '#3B528B', 2 '#21908C', 3 '#5DC863', "
        "4 '#FDE725')\n", f);
  fprintf(f, "set multiplot%s\n", fig->title ? " title ARG2 font ',13'" : "");
  fprintf(f, "set xrange [%.10g:%.10g]\n", fig->x_lo, fig->x_hi);
  if (fig->log_x) fputs("set logscale x\n", f);
  put_tics(f, "x", fig->xtics, fig->n_xtics);
  double y = 1.0 - top / height;
  for (size_t k = 0; k < np; k++) {
    const plot_panel *p = &fig->p[k];
    double T = y, B = y - px[k] / height;
    y = B - GAP_PX / height;
    fprintf(f, "\n# panel %zu\nset lmargin at screen %.5f\nset rmargin at screen %.5f\n"
               "set tmargin at screen %.5f\nset bmargin at screen %.5f\n", k + 1, L, R, T, B);
    fputs("set ylabel ", f);
    put_label(f, p->ylabel);
    fputc('\n', f);
    if (k + 1 == np) {
      fputs("set format x '% h'\nset xlabel ", f);
      put_label(f, fig->xlabel);
      fputc('\n', f);
    } else {
      fputs("set format x ''\nunset xlabel\n", f);
    }
    fprintf(f, "%s logscale y\n", p->log_y ? "set" : "unset");
    put_tics(f, "y", p->ytics, p->n_ytics);
    fputs("set yrange [", f);
    if (isfinite(p->y_lo)) fprintf(f, "%.10g", p->y_lo);
    else if (isfinite(p->y_floor) && !p->log_y) fprintf(f, "%.10g", p->y_floor);
    else fputc('*', f);
    fputc(':', f);
    if (isfinite(p->y_hi)) fprintf(f, "%.10g", p->y_hi);
    else fputc('*', f);
    fputs("]\n", f);
    fprintf(f, "set key at screen %.5f, screen %.5f left top Left reverse samplen 3 "
               "spacing 1.15\n", R + 12.0 / WIDTH, T);
    if (p->heatmap) {
      fprintf(f, "set colorbox user origin screen %.5f, screen %.5f size screen %.5f, "
                 "screen %.5f\nset cbrange [*:*]\nset cblabel ",
              R + 14.0 / WIDTH, B, 18.0 / WIDTH, T - B);
      put_label(f, p->cblabel ? p->cblabel : "");
      fputs("\nset cbtics autofreq\nunset grid\n", f);
      /* the symptom threshold as a tic of the colour box */
      if (isfinite(p->threshold))
        fprintf(f, "set cbtics add ('threshold' %.10g)\n", p->threshold);
    } else {
      fputs("unset colorbox\nset grid\n", f);
    }
    int rows = 0;
    for (size_t i = 0; i < p->ns; i++)
      if (p->s[i].style == PLOT_DOSES && p->s[i].ycol + 1 > rows) rows = p->s[i].ycol + 1;
    /* dose markers go in room left above the data */
    if (rows)
      fprintf(f, "set y2range [0:1]\nunset y2tics\nset offsets 0, 0, graph %.3f, 0\n",
              0.06 + 0.055 * rows);
    else
      fputs("set offsets 0, 0, 0, 0\n", f);
    fputs("plot ", f);
    for (size_t i = 0; i < p->ns; i++) {
      if (i) fputs(", \\\n     ", f);
      put_series(f, &p->s[i]);
    }
    if (isfinite(p->threshold) && !p->heatmap) {
      char t[64];
      snprintf(t, sizeof t, "symptom threshold %g", p->threshold);
      fprintf(f, "%s%.10g with lines dt 2 lw 1.5 lc rgb '#444444' title ",
              p->ns ? ", \\\n     " : "", p->threshold);
      put_quoted(f, t);
    }
    fputc('\n', f);
  }
  fputs("unset multiplot\n", f);
}

/* Runs gnuplot on script with the data file and title as arguments and its
 * standard output on out_fd. */
static int run_gnuplot(const char *script, const char *data, const char *title, int out_fd) {
  char *const args[] = {(char *)gnuplot_name(), "-c", (char *)script, (char *)data,
                        (char *)title, NULL};
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, out_fd, STDOUT_FILENO);
  pid_t pid;
  int err = posix_spawnp(&pid, args[0], &fa, NULL, args, environ), status = 0, rc = 0;
  posix_spawn_file_actions_destroy(&fa);
  if (err != 0)
    rc = cli_fail("cannot run gnuplot: %s", strerror(err));
  else if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
    rc = cli_fail("gnuplot failed (see its message above); no plot was written");
  return rc;
}

int plot_figure_render(plot_figure *f, const char *image) {
  /* panels left without a series are dropped */
  size_t np = 0;
  for (size_t k = 0; k < f->np; k++) {
    if (f->p[k].ns == 0) {
      free(f->p[k].ylabel);
      free(f->p[k].cblabel);
      free(f->p[k].ytics);
      continue;
    }
    if (np != k) f->p[np] = f->p[k];
    np++;
  }
  f->np = np;
  if (f->data_error) return cli_fail("out of memory drawing the plot");
  if (np == 0) return cli_fail("nothing to draw: no column has a value in the range shown");
  if (fflush(f->data) != 0 || ferror(f->data))
    return cli_fail("cannot write a temporary data file for gnuplot: %s", strerror(errno));
  char script[4200];
  cli_temp_template(script, sizeof script, "pk-gnuplot");
  int sfd = mkstemp(script), rc = 0;
  pk_output *img = NULL;
  pk_error err;
  if (sfd < 0)
    return cli_fail("cannot create a temporary gnuplot script: %s", strerror(errno));
  pk_temporary_add(script);
  FILE *s = fdopen(sfd, "w");
  if (!s) {
    close(sfd);
    rc = cli_fail("cannot write a temporary gnuplot script: %s", strerror(errno));
    goto done;
  }
  write_script(s, f, ext_of(image));
  if (fclose(s) != 0) {
    rc = cli_fail("cannot write a temporary gnuplot script: %s", strerror(errno));
    goto done;
  }
  if (pk_output_open(image, &img, &err) != PK_OK) {
    cli_report(&err);
    rc = 1;
    goto done;
  }
  FILE *out = pk_output_stream(img);
  fflush(out);
  /* the title is an argument, never parsed; cleaned all the same, so that
   * an SVG stays valid UTF-8 */
  char title[4 * TITLE_MAX + 16] = "";
  if (f->title) clean_text(f->title, TITLE_MAX, title, sizeof title);
  rc = run_gnuplot(script, f->data_path, title, fileno(out));
  if (rc == 0) {
    /* the stream is at its start: gnuplot wrote through the descriptor */
    rc = pk_output_commit(img, &err) == PK_OK ? 0 : (cli_report(&err), 1);
    img = NULL;
  }
done:
  pk_output_discard(img);
  cli_temp_remove(script);
  return rc;
}

/* ---- pk's entry points ---- */

void cli_plot_options_init(cli_plot_options *o) {
  memset(o, 0, sizeof *o);
  o->threshold = NAN;
  o->xrange.lo = o->xrange.hi = NAN;
  for (size_t k = 0; k < CLI_PLOT_MAX_PANELS; k++) o->yrange[k].lo = o->yrange[k].hi = NAN;
}

/* One end of a range: empty (NaN), or a number, on a time axis with d or h
 * after it. */
static int parse_end(const char *s, size_t n, int time, double *v, int *hours, int *unit) {
  char buf[64];
  *v = NAN;
  *hours = 0;
  if (n == 0) return 0;
  if (n >= sizeof buf) return 1;
  memcpy(buf, s, n);
  buf[n] = '\0';
  if (time && (buf[n - 1] == 'h' || buf[n - 1] == 'd')) {
    *hours = buf[n - 1] == 'h';
    *unit = 1;
    buf[--n] = '\0';
  }
  char *end;
  double x = strtod(buf, &end);
  if (n == 0 || end == buf || *end || !isfinite(x)) return 1;
  *v = x;
  return 0;
}

int cli_parse_range(const char *opt, const char *text, int time, cli_range *r) {
  const char *colon = strchr(text, ':');
  *r = (cli_range){NAN, NAN, 0, 0, 0};
  if (!colon || strchr(colon + 1, ':') ||
      parse_end(text, (size_t)(colon - text), time, &r->lo, &r->lo_h, &r->time_unit) ||
      parse_end(colon + 1, strlen(colon + 1), time, &r->hi, &r->hi_h, &r->time_unit))
    return cli_fail("%s: expected A:B, two numbers (either may be left out: from the data)%s, "
                    "got '%s'", opt,
                    time ? "; days, or hours with h (36h:72h)" : "", text);
  double lo = r->lo * (r->lo_h ? 1 : 24), hi = r->hi * (r->hi_h ? 1 : 24);
  if (isfinite(lo) && isfinite(hi) && !(lo < hi))
    return cli_fail("%s %s: expected A < B", opt, text);
  return 0;
}

static int cmp_time(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

long cli_dose_times(const pk_regimen *r, double **times) {
  size_t n = pk_regimen_size(r), k = 0;
  *times = malloc((n ? n : 1) * sizeof **times);
  if (!*times) return -1;
  for (size_t i = 0; i < n; i++) {
    pk_dose d = pk_regimen_dose(r, i);
    if (d.amount_mg > 0 || d.rate_mg_per_h > 0) (*times)[k++] = d.t_h;
  }
  qsort(*times, k, sizeof **times, cmp_time);
  size_t m = 0;
  for (size_t i = 0; i < k; i++)
    if (m == 0 || (*times)[i] - (*times)[m - 1] > 1e-9) (*times)[m++] = (*times)[i];
  return (long)m;
}

/* Draws the tables (read from files or made in memory) into image. */
static int draw_tables(plot_table *t, size_t n, const char *image, const cli_plot_options *o) {
  plot_figure fig;
  int rc = 1, open = 0;
  for (size_t i = 1; i < n; i++)
    if (t[i].kind != t[0].kind) {
      cli_fail("%s is %s and %s is %s; pk plot overlays files of one kind (trajectories, or "
               "percentile tables)", t[0].path, plot_kind_name(t[0].kind), t[i].path,
               plot_kind_name(t[i].kind));
      goto done;
    }
  if (t[0].kind == PLOT_SUMMARY && n > 1) {
    cli_fail("pk plot draws one summary at a time; got %zu files", n);
    goto done;
  }
  if (t[0].kind != PLOT_SUMMARY && (o->heatmap || o->log_x > 0)) {
    cli_fail("%s: %s is %s, drawn against time; it is for a sweep summary",
             o->heatmap ? "--heatmap" : "--log-x", t[0].path, plot_kind_name(t[0].kind));
    goto done;
  }
  if (plot_figure_open(&fig) != 0) goto done;
  open = 1;
  if ((t[0].kind == PLOT_SUMMARY ? plot_sweep_figure(&t[0], o, &fig)
                                 : plot_time_figure(t, n, o, &fig)) != 0)
    goto done;
  rc = plot_figure_render(&fig, image);
done:
  if (open) plot_figure_close(&fig);
  return rc;
}

/* Checks what every figure needs before anything is read. */
static int check_plot(size_t n, const char *image, const cli_plot_options *o) {
  if (cli_check_image_name(image) != 0) return 1;
  if (!cli_gnuplot_available()) return cli_gnuplot_missing("plotting");
  if (o->n_labels > n)
    return cli_fail("--label is given %zu times for %zu CSV file%s; expected at most one per "
                    "file", o->n_labels, n, n == 1 ? "" : "s");
  return 0;
}

int cli_plot_files(const char *const *csv, size_t n, const char *image,
                   const cli_plot_options *o) {
  if (check_plot(n, image, o) != 0) return 1;
  plot_table *t = calloc(n ? n : 1, sizeof *t);
  if (!t) return cli_fail("out of memory");
  size_t nread = 0;
  while (nread < n && plot_table_read(csv[nread], &t[nread]) == 0) nread++;
  int rc = nread == n ? draw_tables(t, n, image, o) : 1;
  for (size_t i = 0; i < nread; i++) plot_table_free(&t[i]);
  free(t);
  return rc;
}

int cli_plot_trajectories(const pk_trajectory *const *tr, const char *const *names, size_t n,
                          const char *image, const cli_plot_options *o) {
  if (check_plot(n, image, o) != 0) return 1;
  plot_table *t = calloc(n ? n : 1, sizeof *t);
  if (!t) return cli_fail("out of memory");
  size_t made = 0;
  while (made < n && plot_table_from_trajectory(tr[made], names[made], &t[made]) == 0) made++;
  int rc = made == n ? draw_tables(t, n, image, o) : 1;
  for (size_t i = 0; i < made; i++) plot_table_free(&t[i]);
  free(t);
  return rc;
}

int cli_plot_csv(const char *csv, const char *image, const char *title, double threshold,
                 const pk_regimen *doses) {
  cli_plot_options o;
  cli_plot_options_init(&o);
  o.title = title;
  o.threshold = threshold;
  double *times = NULL;
  long nt = doses ? cli_dose_times(doses, &times) : 0;
  if (nt < 0) return cli_fail("out of memory");
  size_t count = (size_t)nt;
  const double *const sets[1] = {times};
  if (nt > 0) {
    o.doses = sets;
    o.n_doses = &count;
    o.n_dose_sets = 1;
  }
  int rc = cli_plot_files(&csv, 1, image, &o);
  free(times);
  return rc;
}
