#!/usr/bin/env bash
# plot_cli.sh - pk plot, pk population --plot and pk sweep --plot: what pk
# gives gnuplot (the script and the data file, kept by a stub gnuplot named
# by PK_GNUPLOT) and real images drawn by gnuplot.
#
# usage: plot_cli.sh PK SOURCE_DIR CASE
#
#   overlay    two trajectories with --label: two curves per quantity with the
#              labels, one colour per file in every panel, occupancy and
#              E/tol/W on separate axes with their units, the x axis ending at
#              the last time, the threshold and the dose markers of --doses
#              at the scenarios' dose times; --log-y, --xrange, --yrange,
#              --columns; a real PNG and SVG
#   bands      a percentile table: the band between the _p5 and _p95 columns
#              and the median from _p50, number for number; pk population
#              --plot draws it (PNG and SVG, gnuplot)
#   daily      a 35-day run: each day's minimum and maximum, two rows a day,
#              equal to the trajectory's; --no-daily every row; --daily on a
#              short run
#   sweep      a sweep over one setting: W_max against dose number for
#              number, the threshold from the summary's header; over two: one
#              curve per level; --heatmap cells; pk sweep --plot (gnuplot)
#   bad_input  unknown column, bad ranges, a percentile table with a
#              trajectory, a missing file, a bad number, a directory, a
#              population summary: exit status, the file, place and what is
#              expected in the message, no image, a previous image kept, no
#              temporary file
#   hostile    titles, labels, column names and file names holding quotes,
#              backticks, system(...) and newlines: nothing runs (stub and
#              gnuplot), every such text is inside a quoted string of the
#              script, the data file holds only numbers; a label starting
#              with quotes draws (gnuplot reads '''x' as '' then 'x')
#   help       pk plot, pk population, pk sweep --help and pk help name the
#              options
#
# Exit status: 0 pass, 1 fail, 77 skipped (ctest SKIP_RETURN_CODE).
set -u
PK=$1
SRC=$2
CASE=$3
GOOD=$SRC/tests/data/good
MODELS=$SRC/models/scenarios
WORK=$(mktemp -d "${TMPDIR:-/tmp}/pk-plot-test.XXXXXX") || exit 1
trap 'rm -rf "$WORK"' EXIT
unset PK_MODELS_DIR PK_GNUPLOT OMP_NUM_THREADS
# pk's own temporary files (gnuplot scripts, data files) go to $TMPDIR
export TMPDIR=$WORK/tmp
mkdir -p "$TMPDIR"
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$WORK" || exit 1

have_gnuplot() { command -v gnuplot >/dev/null 2>&1; }
no_temporaries() { # no_temporaries WHAT
  local left
  left=$(find "$WORK" -mindepth 1 \( -name '*.tmp.*' -o -name 'pk-gnuplot-*' -o -name 'pk-plot-*' \) |
    head -n 5)
  [ -z "$left" ] || fail "$1: temporary files left: $left"
}
is_png() { [ "$(head -c 8 "$1" | od -An -tx1 | tr -d ' \n')" = "89504e470d0a1a0a" ]; }
is_svg() { # a complete SVG document (well-formed XML when xmllint is there)
  grep -q '<svg' "$1" && grep -q '</svg>' "$1" || return 1
  if command -v xmllint >/dev/null 2>&1; then xmllint --noout "$1" 2>/dev/null; fi
}

# The stub gnuplot (common.sh): rec/script.N, data.N, title.N, args.N
stub_gnuplot "$WORK"
# panel K SCRIPT: the lines of panel K (1 at the top)
panel() { awk -v k="$1" '/^# panel /{p = ($3 == k)} p' "$2"; }
# block N DATA: the rows of data block N (blocks end with two empty lines)
block() {
  awk -v want="$1" '/^$/ { if (++blank == 2) { b++; blank = 0 } next } { blank = 0; if (b == want) print }' "$2"
}
# index_of TITLE SCRIPT: the data block of the series titled TITLE
index_of() { grep -F "title '$1'" "$2" | head -n 1 | sed 's/.*ARG1 index \([0-9]*\) .*/\1/'; }
# colour_of TITLE SCRIPT
colour_of() { grep -F "title '$1'" "$2" | head -n 1 | sed "s/.*lc rgb '\\(#[0-9A-Fa-f]*\\)'.*/\\1/"; }
# same_numbers A B WHAT: two files of numbers equal to 1e-9 relative
same_numbers() {
  local bad
  bad=$(paste -d' ' "$1" "$2" | awk '{
      n = NF / 2
      if (NF % 2) { print "line " NR ": " NF " fields"; exit }
      for (j = 1; j <= n; j++) {
        a = $j; b = $(j + n); d = a - b; if (d < 0) d = -d
        s = b < 0 ? -b : b
        if (d > 1e-9 * s + 1e-12) { print "line " NR ": " $0; exit }
      }
    } END { if (NR == 0) print "no rows" }')
  [ -z "$bad" ] || fail "$3: $bad"
  [ "$(wc -l <"$1")" -eq "$(wc -l <"$2")" ] ||
    fail "$3: $(wc -l <"$1") rows drawn, $(wc -l <"$2") expected"
}
# column CSV NAME: the values of column NAME (after the header)
column() {
  awk -F, -v name="$2" 'NR == 1 { for (j = 1; j <= NF; j++) if ($j == name) c = j; next } { print $c }' "$1"
}

# ---------------------------------------------------------------------------
case_overlay() {
  run two simulate "$GOOD/two-days.json" -o two.csv
  run three simulate "$GOOD/three-days.json" -o three.csv
  stub ov plot two.csv three.csv -o ov.png --label "taper A" --label "stop B" \
    --doses "$GOOD/two-days.json" --doses "$GOOD/three-days.json"
  local s=$S d=$D
  # two curves per quantity, with the labels
  for q in C_mg C_7oh occ E tol W; do
    grep -qF "title 'taper A: $q'" "$s" || fail "overlay: no curve 'taper A: $q'"
    grep -qF "title 'stop B: $q'" "$s" || fail "overlay: no curve 'stop B: $q'"
  done
  [ "$(grep -c "ARG1 index [0-9]* using 1:2 with lines" "$s")" -eq 12 ] ||
    fail "overlay: expected 12 curves (6 quantities x 2 files), got $(grep -c 'with lines' "$s")"
  # a colour per file, the same in every panel
  local ca cb
  ca=$(colour_of "taper A: C_mg" "$s")
  cb=$(colour_of "stop B: C_mg" "$s")
  [ -n "$ca" ] && [ "$ca" != "$cb" ] || fail "overlay: the two files share the colour '$ca'"
  for q in C_7oh occ E tol W; do
    [ "$(colour_of "taper A: $q" "$s")" = "$ca" ] || fail "overlay: 'taper A: $q' is not $ca"
    [ "$(colour_of "stop B: $q" "$s")" = "$cb" ] || fail "overlay: 'stop B: $q' is not $cb"
  done
  # panels: concentrations, occupancy, E/tol, W, each axis with its unit
  panel 1 "$s" | grep -q "set ylabel 'plasma concentration (nM)'" || fail "overlay: panel 1 is not nM"
  panel 2 "$s" | grep -q "fraction of receptors" || fail "overlay: panel 2 is not occupancy"
  panel 2 "$s" | grep -q "title 'taper A: occ'" || fail "overlay: occ is not in panel 2"
  panel 3 "$s" | grep -q "fraction of system maximum" || fail "overlay: panel 3 has no unit"
  panel 3 "$s" | grep -q "title 'taper A: E'" || fail "overlay: E is not in panel 3"
  panel 3 "$s" | grep -q "fraction of receptors" && fail "overlay: panel 3 mixes units"
  panel 4 "$s" | grep -q "title 'taper A: W'" || fail "overlay: W is not in panel 4"
  panel 4 "$s" | grep -q "set xlabel 'time (days)'" || fail "overlay: no time axis in days"
  # the x axis ends at the last time: 72 h = 3 days
  [ "$(tail -n 1 three.csv | cut -d, -f1)" = 72 ] || fail "overlay: test setup, three.csv ends at $(tail -n 1 three.csv | cut -d, -f1)"
  grep -qx 'set xrange \[0:3\]' "$s" || fail "overlay: xrange is '$(grep 'set xrange' "$s")', expected [0:3]"
  # W's threshold from the scenario (mu-opioid.json: 0.011)
  panel 4 "$s" | grep -qF "0.011 with lines dt 2" || fail "overlay: no threshold line"
  # dose markers at the scenarios' dose times (days): two-days 08:00, three-days 8 h and 20 h on days 1-3
  local ka kb
  ka=$(index_of "taper A: doses" "$s")
  kb=$(index_of "stop B: doses" "$s")
  [ -n "$ka" ] && [ -n "$kb" ] || fail "overlay: no dose markers"
  printf '%s\n' 0.3333333333 >want-a
  printf '%s\n' 0.3333333333 0.8333333333 1.333333333 1.833333333 2.333333333 2.833333333 >want-b
  block "$ka" "$d" >got-a
  block "$kb" "$d" >got-b
  same_numbers got-a want-a "overlay: doses of two-days.json"
  same_numbers got-b want-b "overlay: doses of three-days.json"
  # the curves are the files' numbers (time in days)
  awk -F, 'NR > 1 { printf "%.10g %s\n", $1 / 24, $2 }' two.csv >want-c
  block "$(index_of "taper A: C_mg" "$s")" "$d" >got-c
  same_numbers got-c want-c "overlay: C_mg of two.csv"
  # --log-y, --xrange in hours, --yrange per panel, --columns
  stub lg plot two.csv three.csv -o lg.svg --log-y --xrange 6h:30h --yrange 0.01:1000 \
    --yrange 0:0.5 --columns C_mg,occ,W
  panel 1 "$S" | grep -qx 'set logscale y' || fail "--log-y: panel 1 is not logarithmic"
  panel 2 "$S" | grep -qx 'unset logscale y' || fail "--log-y: occupancy is logarithmic"
  grep -qx 'set xrange \[6:30\]' "$S" || fail "--xrange 6h:30h: got '$(grep 'set xrange' "$S")'"
  grep -q "set xlabel 'time (h)'" "$S" || fail "--xrange 6h:30h: the axis is not in hours"
  panel 1 "$S" | grep -qx 'set yrange \[0.01:1000\]' || fail "--yrange: panel 1"
  panel 2 "$S" | grep -qx 'set yrange \[0:0.5\]' || fail "--yrange: panel 2"
  grep -q "C_7oh\|title '[^']*: E'" "$S" && fail "--columns C_mg,occ,W: other columns drawn"
  [ "$(grep -c '^# panel' "$S")" -eq 3 ] || fail "--columns C_mg,occ,W: expected 3 panels"
  grep -q "set terminal svg" "$S" || fail "lg.svg: not an SVG terminal"
  # one --doses for both files: one set of markers
  stub one plot two.csv three.csv -o one.png --doses "$GOOD/three-days.json"
  [ "$(grep -c 'axes x1y2' "$S")" -eq 1 ] || fail "one --doses: expected one set of markers"
  if have_gnuplot; then
    run png plot two.csv three.csv -o ov.png --label "taper A" --label "stop B" \
      --doses "$GOOD/two-days.json" --doses "$GOOD/three-days.json"
    expect 0 png "" "pk plot of two trajectories (gnuplot)"
    is_png ov.png || fail "ov.png is not a PNG"
    run svg plot two.csv three.csv -o ov.svg --log-y
    expect 0 svg "" "pk plot of two trajectories to SVG (gnuplot)"
    is_svg ov.svg || fail "ov.svg is not a complete SVG"
    run sim simulate "$GOOD/two-days.json" -o sim.csv --plot sim.svg
    expect 0 sim "" "pk simulate --plot sim.svg"
    is_svg sim.svg || fail "sim.svg is not a complete SVG"
  fi
  no_temporaries "overlay"
  finish
}

case_bands() {
  run pop population "$SRC/tests/data/population/kratom-pop.json" -n 40 --percentiles p.csv \
    -o s.csv --quiet
  expect 0 pop "" "pk population --percentiles"
  stub b plot p.csv -o b.png --w-threshold 0.011
  local k
  for q in W C_mg occ; do
    k=$(index_of "$q 5-95 %" "$S")
    [ -n "$k" ] || { fail "bands: no band for $q"; continue; }
    grep -F "title '$q 5-95 %'" "$S" | grep -q "using 1:2:3 with filledcurves" ||
      fail "bands: $q is not a filled band"
    [ "$(index_of "$q median" "$S")" = "$k" ] || fail "bands: the median of $q is not in its block"
    grep -F "title '$q median'" "$S" | grep -q "using 1:4 with lines" || fail "bands: $q median"
    paste -d' ' <(awk -F, 'NR > 1 { printf "%.10g\n", $1 / 24 }' p.csv) \
      <(column p.csv "${q}_p5") <(column p.csv "${q}_p95") <(column p.csv "${q}_p50") >want
    block "$k" "$D" >got
    same_numbers got want "bands: $q from ${q}_p5, ${q}_p95, ${q}_p50"
  done
  panel 4 "$S" | grep -qF "0.011 with lines" || fail "bands: no threshold"
  grep -qx 'set xrange \[0:3\]' "$S" || fail "bands: xrange $(grep 'set xrange' "$S"), expected [0:3]"
  # pk population --plot: the same figure, the doses marked, the title
  stub pp population "$SRC/tests/data/population/kratom-pop.json" -n 40 --plot pp.png -o s2.csv --quiet
  cmp -s s.csv s2.csv || fail "pk population --plot changed the summary"
  grep -q "using 1:2:3 with filledcurves" "$S" || fail "pk population --plot: no bands"
  grep -q "axes x1y2" "$S" || fail "pk population --plot: no dose markers"
  grep -qx "kratom-pop, 40 subjects" "rec/title.$last" ||
    fail "pk population --plot: title '$(cat "rec/title.$last")'"
  paste -d' ' <(awk -F, 'NR > 1 { printf "%.10g\n", $1 / 24 }' p.csv) \
    <(column p.csv W_p5) <(column p.csv W_p95) <(column p.csv W_p50) >want
  block "$(index_of "W 5-95 %" "$S")" "$D" >got
  same_numbers got want "pk population --plot: W"
  if have_gnuplot; then
    run real population "$SRC/tests/data/population/kratom-pop.json" -n 40 --plot pop.png \
      --percentiles p2.csv --quiet -o /dev/null
    expect 0 real "" "pk population --plot pop.png (gnuplot)"
    is_png pop.png || fail "pop.png is not a PNG"
    cmp -s p.csv p2.csv || fail "--percentiles with --plot differs"
    run realsvg plot p.csv -o pop.svg
    expect 0 realsvg "" "pk plot p.csv -o pop.svg (gnuplot)"
    is_svg pop.svg || fail "pop.svg is not a complete SVG"
  fi
  no_temporaries "bands"
  finish
}

case_daily() {
  run long simulate "$MODELS/kratom-taper.json" -o long.csv
  expect 0 long "" "pk simulate of the 35-day taper"
  stub d plot long.csv -o d.png
  local k
  k=$(index_of "W (daily max and min)" "$S")
  [ -n "$k" ] || fail "daily: a 35-day run is not drawn day by day"
  grep -F "index $k using 1:2:3 with filledcurves" "$S" >/dev/null || fail "daily: no band"
  # two rows a day: the day's start and end, its minimum and maximum
  awk -F, -v c="$(head -n 1 long.csv | tr , '\n' | grep -nx W | cut -d: -f1)" 'NR > 1 {
      t = $1; w = $c
      for (d = 0; d < 35; d++)
        if (t >= 24 * d && t <= 24 * d + 24) {
          if (!(d in mn) || w < mn[d]) mn[d] = w
          if (!(d in mx) || w > mx[d]) mx[d] = w
        }
    } END { for (d = 0; d < 35; d++) { printf "%d %s %s\n%d %s %s\n", d, mn[d], mx[d], d + 1, mn[d], mx[d] } }' \
    long.csv >want
  block "$k" "$D" >got
  same_numbers got want "daily: W's daily minimum and maximum"
  grep -qx 'set xrange \[0:35\]' "$S" || fail "daily: xrange $(grep 'set xrange' "$S"), expected [0:35]"
  stub n plot long.csv -o n.png --no-daily
  k=$(index_of "W" "$S")
  [ "$(block "$k" "$D" | wc -l)" -eq "$(($(wc -l <long.csv) - 1))" ] || fail "--no-daily: not every row"
  grep -q "daily" "$S" && fail "--no-daily: still a daily view"
  run short simulate "$GOOD/three-days.json" -o short.csv
  stub s plot short.csv -o s.png
  grep -q "daily" "$S" && fail "a 3-day run drawn day by day without --daily"
  stub s2 plot short.csv -o s2.png --daily
  [ "$(block "$(index_of "W (daily max and min)" "$S")" "$D" | wc -l)" -eq 6 ] ||
    fail "--daily on 3 days: expected 6 rows"
  # pk taper --plot marks the schedule's days with doses (days 1-4 of the
  # default taper at W <= 0.011: day 0.5 to 3.5 in the daily view)
  stub tp taper "$MODELS/kratom-taper.json" --max-withdrawal 0.011 --plot tp.png
  k=$(index_of "days with doses" "$S")
  [ -n "$k" ] || fail "pk taper --plot: no dose markers"
  [ "$(block "$k" "$D" | awk '{ printf "%s ", $1 }')" = "0.5 1.5 2.5 3.5 " ] ||
    fail "pk taper --plot: marked days $(block "$k" "$D" | awk '{ printf "%s ", $1 }')"
  # pk simulate --plot marks the doses also when the output is in ng/mL
  stub su simulate "$GOOD/three-days.json" --units ng/mL -o su.csv --plot su.png
  grep -q "title 'doses'" "$S" || fail "pk simulate --units ng/mL --plot: no dose markers"
  if have_gnuplot; then
    run real plot long.csv -o long.png --doses "$MODELS/kratom-taper.json"
    expect 0 real "" "pk plot of a 35-day run (gnuplot)"
    is_png long.png || fail "long.png is not a PNG"
  fi
  no_temporaries "daily"
  finish
}

case_sweep() {
  run s1 sweep --param dose=0.5:2:4 -o s1.csv --quiet
  expect 0 s1 "" "pk sweep over dose"
  stub a plot s1.csv -o a.png
  local k
  k=$(index_of "W_max" "$S")
  [ -n "$k" ] || fail "sweep: no W_max curve"
  paste -d' ' <(column s1.csv dose) <(column s1.csv W_max) >want
  block "$k" "$D" >got
  same_numbers got want "sweep: W_max against dose"
  grep -qx 'set xrange \[0.5:2\]' "$S" || fail "sweep: xrange $(grep 'set xrange' "$S")"
  grep -q "set xlabel 'dose (multiple of every dose)'" "$S" || fail "sweep: the x label"
  grep -qF "0.011 with lines dt 2" "$S" || fail "sweep: no threshold (h_W_above_0.011)"
  grep -q "title 'Cmax_mg'" "$S" && grep -q "title 'occ_max'" "$S" ||
    fail "sweep: the default measures"
  # two settings: one curve per level of the second, in every panel
  run s2 sweep --param dose=0.5:2:4 --param mg.CL=150:600:3:log -o s2.csv --quiet
  stub b plot s2.csv -o b.png
  for v in 150 300 600; do
    [ "$(grep -c "title 'mg.CL = $v'" "$S")" -eq 3 ] || fail "sweep: no curve 'mg.CL = $v' in each panel"
  done
  k=$(grep -n "title 'mg.CL = 300'" "$S" | tail -n 1 | sed 's/.*ARG1 index \([0-9]*\) .*/\1/')
  awk -F, 'NR == 1 { for (j = 1; j <= NF; j++) { if ($j == "dose") a = j; if ($j == "mg.CL") c = j; if ($j == "W_max") w = j }; next }
    $c == 300 { print $a, $w }' s2.csv >want
  block "$k" "$D" >got
  same_numbers got want "sweep: W_max at mg.CL = 300"
  stub h plot s2.csv -o h.png --heatmap
  grep -q "with boxxyerror" "$S" || fail "--heatmap: no cells"
  grep -q "set cblabel 'W_max (fraction of system maximum)'" "$S" || fail "--heatmap: colour label"
  grep -q "set logscale y" "$S" || fail "--heatmap: mg.CL spaced on a log scale, linear axis"
  grep -qx "set ytics (150, 300, 600)" "$S" || fail "--heatmap: tics at the values of mg.CL"
  [ "$(block "$(grep 'boxxyerror' "$S" | sed 's/.*ARG1 index \([0-9]*\) .*/\1/')" "$D" | wc -l)" -eq 12 ] ||
    fail "--heatmap: expected 12 cells"
  if have_gnuplot; then
    run real sweep --param dose=0.5:2:4 -o r.csv --plot sweep.png --quiet
    expect 0 real "" "pk sweep --plot sweep.png (gnuplot)"
    is_png sweep.png || fail "sweep.png is not a PNG"
    cmp -s r.csv s1.csv || fail "pk sweep --plot changed the summary"
    run realh sweep --param dose=0.5:2:4 --param mg.CL=150:600:3:log --plot heat.svg --heatmap \
      --quiet -o /dev/null
    expect 0 realh "" "pk sweep --plot heat.svg --heatmap (gnuplot)"
    is_svg heat.svg || fail "heat.svg is not a complete SVG"
  fi
  no_temporaries "sweep"
  finish
}

# bad CASE-PREFIX WANT-RC TEXT... -- ARGS: pk ARGS fails with WANT-RC and each
# TEXT in its message; the image is not written, the previous one is kept.
bad() {
  local prefix=$1 want=$2 texts=()
  shift 2
  while [ "$1" != "--" ]; do texts+=("$1"); shift; done
  shift
  echo previous >out.png
  PK_GNUPLOT=$STUB "$PK" "$@" >"$prefix.out" 2>"$prefix.err"
  rc=$?
  [ "$rc" -eq "$want" ] || { fail "$prefix: exit status $rc, expected $want"; cat "$prefix.err" >&2; }
  for t in "${texts[@]}"; do
    grep -qF -- "$t" "$prefix.err" || { fail "$prefix: '$t' not in the error"; cat "$prefix.err" >&2; }
  done
  grep -q '^pk: error: ' "$prefix.err" || fail "$prefix: no 'pk: error: ' message"
  [ "$(cat out.png)" = previous ] || fail "$prefix: the previous image was changed"
  [ ! -s "$prefix.out" ] || fail "$prefix: something on standard output"
}

case_bad_input() {
  run t simulate "$GOOD/two-days.json" -o t.csv
  run p population "$SRC/tests/data/population/kratom-pop.json" -n 5 --percentiles p.csv -o pop.csv --quiet
  run s sweep --param dose=0.5:2:4 -o s.csv --quiet
  bad col 1 "t.csv: --columns: no column 'C_foo'" "expected one of: C_mg, C_7oh" -- \
    plot t.csv -o out.png --columns C_mg,C_foo
  bad pcol 1 "p.csv: --columns: no percentiles of a column 'W_p50'" "expected one of: C_mg" -- \
    plot p.csv -o out.png --columns W_p50
  bad scol 1 "s.csv: --columns: no measure 'Wmax'" "expected one of: Cmax_mg" -- \
    plot s.csv -o out.png --columns Wmax
  bad range 2 "--xrange 5:2: expected A < B" -- plot t.csv -o out.png --xrange 5:2
  bad yrange 2 "--yrange 1:1: expected A < B" -- plot t.csv -o out.png --yrange 1:1
  bad rangesyntax 2 "--xrange: expected A:B" "got '1-2'" -- plot t.csv -o out.png --xrange 1-2
  bad outside 1 "t.csv: nothing to draw in --xrange" "from 0 to 48 h" -- \
    plot t.csv -o out.png --xrange 3:4
  bad panels 1 "--yrange is given 5 times; the figure has 4 panels" -- \
    plot t.csv -o out.png --yrange 0:1 --yrange 0:1 --yrange 0:1 --yrange 0:1 --yrange 0:1
  bad mixed 1 "t.csv is a trajectory (pk simulate) and p.csv is a percentile table" \
    "pk plot overlays files of one kind" -- plot t.csv p.csv -o out.png
  bad missing 1 "no-such.csv: cannot open: No such file or directory" -- \
    plot t.csv no-such.csv -o out.png
  mkdir dir.csv
  bad dir 1 "dir.csv: is a directory; expected a CSV file written by pk" -- plot dir.csv -o out.png
  printf 'time_h,C_mg,E\n0,1,2\n1,1e,3\n' >num.csv
  bad number 1 "num.csv:3:3: column C_mg: expected a number, got '1e'" -- plot num.csv -o out.png
  printf 'time_h,C_mg,E\n0,1,2\n1,2\n' >short.csv
  bad fields 1 "short.csv:3: 2 fields; expected 3 as in the header" -- plot short.csv -o out.png
  printf 'time_h,C_mg,E\n5,1,2\n4,2,3\n' >back.csv
  bad times 1 "back.csv:3: time_h 4 after 5; expected increasing times" -- plot back.csv -o out.png
  printf 'a,b\n1,2\n' >other.csv
  bad header 1 "other.csv: line 1: the header starts with 'a'; expected a CSV written by pk" -- \
    plot other.csv -o out.png
  : >empty.csv
  bad empty 1 "empty.csv: the file is empty" -- plot empty.csv -o out.png
  bad population 1 "pop.csv: 5 settings vary" "plot its --percentiles table" -- \
    plot pop.csv -o out.png
  bad heat1 1 "--heatmap: s.csv varies one setting (dose)" -- plot s.csv -o out.png --heatmap
  bad heattime 1 "--heatmap: t.csv is a trajectory" -- plot t.csv -o out.png --heatmap
  bad sweepdoses 1 "--doses: s.csv is a sweep summary, which has no time axis" -- \
    plot s.csv -o out.png --doses "$GOOD/two-days.json"
  bad dosecount 1 "--doses is given 2 times for 3 CSV files" -- \
    plot t.csv t.csv t.csv -o out.png --doses "$GOOD/two-days.json" --doses "$GOOD/two-days.json"
  bad labels 1 "--label is given 2 times for 1 CSV file" -- plot t.csv -o out.png -l a -l b
  bad image 1 "out.jpg: the plot file must end in .png or .svg" -- plot t.csv -o out.jpg
  bad input 1 "-o t.csv is also the CSV (t.csv)" -- plot t.csv -o t.csv
  bad popshard 2 "--plot needs every subject in one process" -- \
    population "$SRC/tests/data/population/kratom-pop.json" -n 5 --shard 0/2 --plot out.png
  bad heatpop 2 "--heatmap goes with pk sweep --plot" -- \
    population "$SRC/tests/data/population/kratom-pop.json" -n 5 --heatmap
  bad sweepheat 1 "--heatmap: " "varies one setting (dose)" -- \
    sweep --param dose=0.5:2:4 --plot out.png --heatmap -o s-new.csv --quiet
  [ ! -e s-new.csv ] || fail "a failed pk sweep --plot wrote its summary"
  [ "$(head -c 6 t.csv)" = time_h ] || fail "t.csv was changed"
  no_temporaries "bad input"
  finish
}

case_hostile() {
  command -v gnuplot >/dev/null || { echo "gnuplot not found: skipped"; exit 77; }
  run t simulate "$GOOD/two-days.json" -o t.csv
  # column names ending a quoted string and running commands, a backslash
  # at the end of a name, and a CSV-quoted name
  local evil_q="C_x'); system('touch RAN-col1'); ('" evil_b='occ_`touch RAN-col2`'
  awk -F, -v q="$evil_q" -v b="$evil_b" 'NR == 1 {
      printf "time_h,C_mg,%s,E,%s,W,\"C_\"\"; system(\"\"touch RAN-col3\"\") #\",C_a\\\n", q, b; next }
    { print $1 "," $2 "," $3 "," $9 "," $6 "," $14 "," $2 "," $3 }' t.csv >h.csv
  grep -q "RAN-col3" h.csv || fail "test setup: h.csv has no hostile column name"
  local name=$'h\'ost\nile`touch RAN-file`;system("touch RAN-file2").csv'
  cp h.csv "$name"
  local label=$'lab\'el\nsystem("touch RAN-label")\n\\'
  local title=$'T\' . system("touch RAN-title") . \'\n`touch RAN-title2`'
  stub st plot h.csv "$name" -o st.png --columns "C_mg,$evil_q,$evil_b,W" -l "$label" \
    --title "$title"
  # every line of the script is pk's: a command it writes, or a series
  local odd
  odd=$(grep -v -E "^(set |unset |plot |     ARG1 index |# panel |$)" "$S")
  [ -z "$odd" ] || fail "hostile: lines of the script that pk does not write: $odd"
  # outside single-quoted strings (quotes doubled inside), no system(, no
  # backtick, no double quote but pk's own "\n"
  local bare
  bare=$(outside_quotes "$S" | grep -E 'system|`|"')
  [ -z "$bare" ] || fail "hostile: text outside quoted strings: $bare"
  grep -qF "title 'lab''el?system(\"touch RAN-...: C_mg'" "$S" ||
    fail "hostile: the label is not quoted as expected: $(grep -F 'lab' "$S" | head -n 1)"
  grep -qF "title 'h''ost?ile\`touch RAN-file\`...: C_x''); system(''...'" "$S" ||
    fail "hostile: the file name or the column name is not quoted as expected"
  # the file names never reach gnuplot: only pk's data file and the title
  grep -q "ost" "rec/args.$last" && fail "hostile: a file name reached gnuplot"
  grep -qF "T' . system" "rec/title.$last" || fail "hostile: the title is not passed as ARG2"
  # a backslash ending a label or a column name ends no string and no line
  local d1=$D
  stub st2 plot h.csv -o st2.png -l 'back\'
  grep -qF "title 'back\: C_a\'" "$S" || fail "hostile: a name ending in a backslash: $(grep -F 'C_a' "$S")"
  # the data file holds numbers only
  numbers_only "$d1" "$D" >bad-data
  [ -s bad-data ] && fail "hostile: the data file holds other text: $(cat bad-data)"
  # real gnuplot, PNG and SVG
  run real plot h.csv "$name" -o "$name.png" --columns "C_mg,$evil_q,$evil_b,W" -l "$label" \
    --title "$title"
  expect 0 real "" "hostile texts, real gnuplot"
  is_png "$name.png" || fail "hostile: the PNG was not written"
  run real2 plot h.csv -o real2.png -l 'back\'
  expect 0 real2 "" "hostile column names, real gnuplot"
  is_png real2.png || fail "hostile: real2.png was not written"
  # a text starting with quotes: gnuplot reads '''x' as '' and 'x'
  stub st3 plot h.csv -o st3.png -l "''lead"
  grep -qF "title \"'\".\"'\".'lead: C_mg'" "$S" ||
    fail "hostile: a label starting with quotes: $(grep -F 'lead' "$S" | head -n 1)"
  run real3 plot h.csv -o real3.png -l "''lead"
  expect 0 real3 "" "a label starting with quotes, real gnuplot"
  is_png real3.png || fail "hostile: real3.png was not written"
  run realsvg plot h.csv -o 'x`touch RAN-svg`.svg' --title "$title" -l $'\xff\xfe bad utf-8'
  expect 0 realsvg "" "hostile texts to SVG, real gnuplot"
  is_svg 'x`touch RAN-svg`.svg' || fail "hostile: the SVG is not valid"
  # a scenario name with quotes and a newline as the title of pk population/sweep --plot
  sed -e 's|"name": "kratom-pop"|"name": "p\\u0027op\\n`touch RAN-scen` system(\\"touch RAN-scen2\\")"|' \
    -e "s|\\.\\./\\.\\./\\.\\./models|$SRC/models|" "$SRC/tests/data/population/kratom-pop.json" >pop.json
  grep -q RAN-scen pop.json || fail "test setup: pop.json has no hostile name"
  run pop population pop.json -n 5 --plot pop.png --quiet -o /dev/null
  expect 0 pop "" "pk population --plot with a hostile scenario name"
  run sw sweep pop.json --param dose=0.5,1 --plot sw.svg --quiet -o /dev/null
  expect 0 sw "" "pk sweep --plot with a hostile scenario name"
  is_svg sw.svg || fail "hostile: the sweep SVG is not valid"
  for r in col1 col2 col3 file file2 label title title2 svg scen scen2; do
    [ ! -e "RAN-$r" ] || fail "hostile: a command from the $r ran"
  done
  no_temporaries "hostile"
  finish
}

case_help() {
  run p plot --help
  expect 0 p "" "pk plot --help"
  for t in "usage: pk plot CSV... -o FILE.png|FILE.svg" --label --columns --log-y --xrange \
      --yrange --doses --daily --no-daily --heatmap --w-threshold "14 days" PK_GNUPLOT; do
    grep -qF -- "$t" p.out || fail "pk plot --help does not name $t"
  done
  run pop population --help
  grep -qF -- "--plot IMAGE" pop.out || fail "pk population --help does not name --plot"
  run sw sweep --help
  grep -qF -- "--plot IMAGE" sw.out && grep -qF -- "--heatmap" sw.out ||
    fail "pk sweep --help does not name --plot and --heatmap"
  run h help
  grep -qF "plot CSV... -o FILE.png|FILE.svg" h.out || fail "pk help: plot's usage"
  grep -qF -- "--plot IMAGE" h.out || fail "pk help: --plot of population and sweep"
  finish
}

case "$CASE" in
  overlay) case_overlay ;;
  bands) case_bands ;;
  daily) case_daily ;;
  sweep) case_sweep ;;
  bad_input) case_bad_input ;;
  hostile) case_hostile ;;
  help) case_help ;;
  *) echo "plot_cli.sh: unknown case '$CASE'" >&2; exit 1 ;;
esac
