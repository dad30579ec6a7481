/* plot.c - the figure (plasma concentrations; occupancy, E and tol; the
 * withdrawal measure W with the symptom threshold, against time in days)
 * drawn by gnuplot, found on PATH at run time. The image is drawn into a
 * temporary file and renamed when gnuplot succeeds. */
#include <errno.h>
#include <math.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "cli.h"

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
  const char *dot = strrchr(image, '.');
  return dot ? dot + 1 : "";
}

int cli_check_image_name(const char *image) {
  const char *e = ext_of(image);
  if (strcmp(e, "png") == 0 || strcmp(e, "svg") == 0) return 0;
  return cli_fail("%s: the plot file must end in .png or .svg", image);
}

/* Writes s as a single-quoted gnuplot string: a quote is doubled, and a
 * control character (a newline would end the command) becomes '?', so that
 * no character of s can end the string or the line. */
static void put_quoted(FILE *f, const char *s) {
  fputc('\'', f);
  for (; *s; s++) {
    unsigned char ch = (unsigned char)*s;
    if (ch == '\'') fputc('\'', f);
    fputc(ch < 0x20 || ch == 0x7f ? '?' : ch, f);
  }
  fputc('\'', f);
}

/* Reads the header row of csv into a list of names. */
static int read_header(const char *csv, char ***names, int *n) {
  FILE *f = fopen(csv, "r");
  if (!f) return cli_fail("%s: cannot open: %s", csv, strerror(errno));
  struct stat st;
  if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
    fclose(f);
    return cli_fail("%s: not a regular file; expected a trajectory CSV written by pk simulate",
                    csv);
  }
  char line[8192];
  if (!fgets(line, sizeof line, f)) {
    fclose(f);
    return cli_fail("%s: empty file; expected a trajectory CSV with a header row", csv);
  }
  fclose(f);
  line[strcspn(line, "\r\n")] = '\0';
  int cap = 64;
  *names = calloc((size_t)cap, sizeof **names);
  *n = 0;
  for (char *tok = strtok(line, ","); tok && *n < cap; tok = strtok(NULL, ","))
    (*names)[(*n)++] = strdup(tok);
  return 0;
}

/* The largest and smallest positive column maxima of the C_* columns: a
 * log axis when they span more than two decades, so that every compound
 * stays visible. */
static int wants_log_axis(const char *csv, char **names, int n, double *peak) {
  FILE *f = fopen(csv, "r");
  if (!f) return 0;
  double mx[64] = {0};
  char line[16384];
  if (!fgets(line, sizeof line, f)) line[0] = '\0';
  while (fgets(line, sizeof line, f)) {
    int j = 0;
    for (char *tok = strtok(line, ","); tok && j < n && j < 64; tok = strtok(NULL, ","), j++) {
      double v = strtod(tok, NULL);
      if (strncmp(names[j], "C_", 2) == 0 && v > mx[j]) mx[j] = v;
    }
  }
  fclose(f);
  double hi = 0, lo = 0;
  for (int j = 0; j < n && j < 64; j++)
    if (strncmp(names[j], "C_", 2) == 0 && mx[j] > 0) {
      hi = fmax(hi, mx[j]);
      lo = lo == 0 ? mx[j] : fmin(lo, mx[j]);
    }
  *peak = hi;
  return lo > 0 && hi / lo > 100.0;
}

/* The script names no file and holds no text of the user's: gnuplot is run
 * as `gnuplot -c SCRIPT DATA TITLE`, so the data file and the title arrive
 * as the string variables ARG1 and ARG2 and are never parsed as commands,
 * and the image goes to gnuplot's standard output. Column names (from the
 * CSV header) are quoted by put_quoted. */
static void write_script(FILE *f, const char *csv, const char *ext, char **names, int n,
                         double threshold) {
  double peak = 0;
  int log_axis = wants_log_axis(csv, names, n, &peak), jw = -1;
  for (int j = 0; j < n; j++)
    if (strcmp(names[j], "W") == 0) jw = j;
  if (strcmp(ext, "svg") == 0)
    fprintf(f, "set terminal svg size 1200,%d dynamic noenhanced font 'Sans,12'\n",
            jw >= 0 ? 1200 : 900);
  else
    fprintf(f, "set terminal pngcairo size 1200,%d noenhanced font 'Sans,11'\n",
            jw >= 0 ? 1200 : 900);
  fprintf(f, "set datafile separator ','\nset key outside right top\nset grid\n"
             "set lmargin 12\nset rmargin 18\n"
             "set multiplot layout %d,1 title ARG2\n"
             "set xlabel 'time (days)'\nset ylabel 'plasma concentration (nM)'\n",
          jw >= 0 ? 3 : 2);
  /* on a log axis, show four decades below the highest peak */
  if (log_axis)
    fprintf(f, "set logscale y\nset yrange [%g:%g]\n", peak * 1e-4, peak * 2);
  else
    fputs("set yrange [0:*]\n", f);
  fputs("plot ", f);
  int first = 1;
  for (int j = 0; j < n; j++)
    if (strncmp(names[j], "C_", 2) == 0) {
      fprintf(f, "%sARG1 skip 1 using ($1/24):%d with lines lw 2 title ", first ? "" : ", ",
              j + 1);
      put_quoted(f, names[j]);
      first = 0;
    }
  fputs("\nunset logscale y\nset ylabel 'fraction of receptors / of system maximum'\n"
        "set yrange [0:*]\nplot ", f);
  static const char *const pd[] = {"occ", "E", "tol"};
  first = 1;
  for (size_t k = 0; k < sizeof pd / sizeof pd[0]; k++)
    for (int j = 0; j < n; j++)
      if (strcmp(names[j], pd[k]) == 0) {
        fprintf(f, "%sARG1 skip 1 using ($1/24):%d with lines lw 2 title ", first ? "" : ", ",
                j + 1);
        put_quoted(f, names[j]);
        first = 0;
      }
  if (jw >= 0) {
    /* W on its own scale (it is a small fraction of E), with the symptom
     * threshold of the model as a dashed line */
    fputs("\nset ylabel 'withdrawal W (fraction of system maximum)'\nset yrange [0:*]\n", f);
    fprintf(f, "plot ARG1 skip 1 using ($1/24):%d with lines lw 2 lc rgb '#c0392b' title 'W'",
            jw + 1);
    if (isfinite(threshold))
      fprintf(f, ", %.17g with lines dt 2 lw 2 lc rgb '#555555' title 'threshold'",
              threshold);
  }
  fputs("\nunset multiplot\n", f);
}

static int has_columns(char **names, int n) {
  int c = 0, pd = 0;
  for (int j = 0; j < n; j++) {
    if (strncmp(names[j], "C_", 2) == 0) c = 1;
    if (strcmp(names[j], "E") == 0) pd = 1;
  }
  return n > 0 && strcmp(names[0], "time_h") == 0 && c && pd;
}

/* Runs gnuplot on script with the data file and title as arguments and its
 * standard output on out_fd. */
static int run_gnuplot(const char *script, const char *csv, const char *title, int out_fd) {
  /* gnuplot reads a file name starting with '<' as a shell command and '-'
   * as standard input: a relative name is passed as ./NAME */
  char *data = malloc(strlen(csv) + 3);
  if (!data) return cli_fail("out of memory");
  sprintf(data, "%s%s", csv[0] == '/' ? "" : "./", csv);
  char *const args[] = {(char *)gnuplot_name(), "-c", (char *)script, data, (char *)title,
                        NULL};
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
  free(data);
  return rc;
}

int cli_plot_csv(const char *csv, const char *image, const char *title, double threshold) {
  if (cli_check_image_name(image) != 0) return 1;
  if (!cli_gnuplot_available()) return cli_gnuplot_missing("plotting");
  char **names = NULL;
  int n = 0, rc = 0;
  if (read_header(csv, &names, &n) != 0) return 1;
  char script[4200];
  cli_temp_template(script, sizeof script, "pk-gnuplot");
  int sfd = -1;
  pk_output *img = NULL;
  pk_error err;
  if (!has_columns(names, n)) {
    rc = cli_fail("%s: not a pk trajectory (expected time_h, C_* and E columns)", csv);
    goto done;
  }
  if (pk_output_open(image, &img, &err) != PK_OK) {
    cli_report(&err);
    rc = 1;
    goto done;
  }
  sfd = mkstemp(script);
  if (sfd >= 0) pk_temporary_add(script);
  FILE *f = sfd >= 0 ? fdopen(sfd, "w") : NULL;
  if (!f) {
    rc = cli_fail("cannot create a temporary gnuplot script in /tmp: %s", strerror(errno));
    goto done;
  }
  write_script(f, csv, ext_of(image), names, n, threshold);
  if (fclose(f) != 0) {
    rc = cli_fail("cannot write a temporary gnuplot script in /tmp: %s", strerror(errno));
    goto done;
  }
  FILE *out = pk_output_stream(img);
  fflush(out);
  rc = run_gnuplot(script, csv, title ? title : csv, fileno(out));
  if (rc == 0) {
    /* the stream is at its start: gnuplot wrote through the descriptor */
    rc = pk_output_commit(img, &err) == PK_OK ? 0 : (cli_report(&err), 1);
    img = NULL;
  }
done:
  pk_output_discard(img);
  if (sfd >= 0) {
    pk_temporary_forget(script);
    unlink(script);
  }
  for (int j = 0; j < n; j++) free(names[j]);
  free(names);
  return rc;
}
