#!/usr/bin/env bash
# events_cli.sh - pk simulate --events: output at the observation records
# (--obs-only, --carry), PRODUCT records, the dataset's warnings, plots of
# several subjects and IDs that try to run commands in gnuplot.
#
# usage: events_cli.sh PK SOURCE_DIR CASE
#
#   obs_only   obs-x.csv on xy.json (compound x: MW 300, ka 1 1/h, V 50 L,
#              CL 5 L/h): every observation record (EVID 0 and 2) in file
#              order, at its own time, against the closed forms
#                IV:   C = 1000/V u e^{-k t}
#                oral: C = 1000/V u ka/(ka-k) (e^{-k s} - e^{-ka s})
#              (u = 1000 mg / MW umol, k = CL/V; 1e-9 relative, the CSV
#              having 12 digits), the row at 6 h after the dose written
#              after it; the file's own TIME, CMT, DV and covariates, or
#              the --carry columns; standard output equal to -o. On the
#              kratom model (scenario-compounds.json) observation times on
#              the output grid give every column of the grid output (1e-11
#              relative). Bad uses: exit status, message, no file, a
#              previous file kept.
#   products   prod-xy.csv (PRODUCT by id and by number, AMT in g) equals
#              the same doses per compound byte for byte, and the closed
#              form of content x AMT (x 2 %, y 0.5 %); SS 1 on a product
#              record warns with file, line and column.
#   warnings   two SS 1 records at one time and an EVID 3 after a dose at
#              its time: warnings naming the file, the reset's line and
#              column and the dropped dose's line; the covariate columns
#              named as unused at the header's line.
#   plot       several subjects: with the stub gnuplot, one curve per
#              subject and quantity with the ID in the key (3 subjects);
#              thin curves in one colour per quantity over a range of data
#              blocks, a key entry per quantity (12 subjects); the data
#              file holds only numbers, drawn number for number from the
#              CSV; -o is the same with and without --plot; real PNGs.
#   population pk population --events: the dataset's subjects through the
#              batch engine; ids in order, --trajectories byte-identical to
#              pk simulate --events, Cmax, Tmax, AUC (linear up, log down),
#              Cmin after each subject's own first dose and W_max computed
#              here from those rows; one thread = two; the dataset and its
#              SHA-256 in the metadata; a bad record in a later subject and
#              an ID that comes back: file, line, column, nothing written;
#              options that conflict; the dataset as -o refused.
#   hostile    IDs that end gnuplot strings and call system() or backticks:
#              every one quoted in the script, nothing runs (stub and real
#              gnuplot); an ID holding a double quote is refused with its
#              line and column, nothing written.
#
# Exit status: 0 pass, 1 fail, 77 skipped (ctest SKIP_RETURN_CODE).
set -u
PK=$1
SRC=$2
CASE=$3
EV=$SRC/tests/data/events
XY=$EV/xy.json
WORK=$(mktemp -d "${TMPDIR:-/tmp}/pk-events-test.XXXXXX") || exit 1
trap 'rm -rf "$WORK"' EXIT
unset PK_MODELS_DIR PK_GNUPLOT
export TMPDIR=$WORK/tmp
mkdir -p "$TMPDIR"
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
cd "$WORK" || exit 1
stub_gnuplot "$WORK"

# column CSV NAME: the values of column NAME (after the header)
column() {
  awk -F, -v name="$2" 'NR == 1 { for (j = 1; j <= NF; j++) if ($j == name) c = j; next } { print $c }' "$1"
}
# close_to WHAT < PAIRS: reads "got want" pairs; fails on the first beyond REL
# relative (give the pairs by redirection, not a pipe: a pipe would run it
# in a subshell, where a failure is not counted)
close_to() {
  local bad
  bad=$(awk -v rel="${REL:-1e-9}" '{ d = $1 - $2; if (d < 0) d = -d; s = $2 < 0 ? -$2 : $2
      if (!(d <= rel * s + 1e-12)) { print "row " NR ": got " $1 ", expected " $2; exit } }
      END { if (NR == 0) print "no rows" }')
  [ -z "$bad" ] || fail "$1: $bad"
}

case_obs_only() {
  run o simulate "$XY" --events "$EV/obs-x.csv" --obs-only -o o.csv
  expect 0 o "" "--obs-only"
  [ "$(head -n 1 o.csv)" = "ID,TIME,CMT,EVID,DV,WT,AGE,C_x,C_y,occ,E,net,tol,W" ] ||
    fail "--obs-only: header '$(head -n 1 o.csv)'"
  # the records, in file order, as written: ID, TIME, CMT, EVID, DV, WT, AGE
  local want='1,0,2,0,.,70,40
1,1.5,2,0,1.2,70,40
1,2.3,.,2,.,70,40
1,6,2,0,0.9,71,40
1,9.25,2,0,0.7,71,40
2,3.7,2,0,2.5,80,50
2,60,2,0,0.01,80,50'
  [ "$(cut -d, -f1-7 o.csv | tail -n +2)" = "$want" ] ||
    fail "--obs-only: the records are not the file's: $(cut -d, -f1-7 o.csv)"
  # closed forms: subject 1, 40 mg IV at 0 h and 10 mg at 6 h; subject 2,
  # 20 mg by mouth at 1 h
  close_to "--obs-only: C_x against the closed form" < <(awk -F, 'NR > 1 {
      t = $2; k = 0.1; u = 1000 / 300
      if ($1 == 1) c = 1000 / 50 * u * (40 * exp(-k * t) + (t >= 6 ? 10 * exp(-k * (t - 6)) : 0))
      else { s = t - 1; c = 1000 / 50 * 20 * u / (1 - k) * (exp(-k * s) - exp(-s)) }
      printf "%s %.17g\n", $8, c }' o.csv)
  awk -F, 'NR > 1 && ($9 != 0 || $13 != 0) { print "y or tol not 0: " $0 }' o.csv | grep -q . &&
    fail "--obs-only: C_y and tol must be 0"
  run s simulate "$XY" --events "$EV/obs-x.csv" --obs-only
  cmp -s o.csv s.out || fail "--obs-only: standard output differs from -o"
  run c simulate "$XY" --events "$EV/obs-x.csv" --obs-only --carry 'age, dv,AGE' -o c.csv
  expect 0 c "" "--carry"
  [ "$(head -n 1 c.csv)" = "ID,TIME,CMT,EVID,DV,AGE,C_x,C_y,occ,E,net,tol,W" ] ||
    fail "--carry age,dv,AGE: header '$(head -n 1 c.csv)'"
  [ "$(cut -d, -f6- c.csv)" = "$(cut -d, -f7- o.csv)" ] || fail "--carry: other values"
  grep -qF "obs-x.csv:6:7: covariate columns WT, AGE change nothing" o.err ||
    fail "--obs-only: the unused covariates are not named: $(cat o.err)"

  # on the grid: the values of the grid output (kratom model, receptor)
  { echo "ID,TIME,EVID,AMT,CMT,II,ADDL"
    for t in 0 5 8 9.5 20 33.5 44 60 71.5; do
      echo "1,$t,0,.,.,.,."
      [ "$t" = 5 ] && echo "1,8,1,30,depot_mg,12,3"
    done; } >g.csv
  run gg simulate "$EV/scenario-compounds.json" --events g.csv -o grid.csv
  run go simulate "$EV/scenario-compounds.json" --events g.csv --obs-only -o obs.csv
  expect 0 go "" "--obs-only on the kratom model"
  [ "$(wc -l <obs.csv)" -eq 10 ] || fail "grid: $(wc -l <obs.csv) lines, expected 10"
  REL=1e-11 close_to "--obs-only on the grid" < <(awk -F, 'NR == FNR { if (FNR > 1) g[$1] = $0; next }
    FNR > 1 { n = split(g[$2], a, ","); for (j = 5; j <= NF; j++) print $j, a[j - 3] }' \
    grid.csv obs.csv)

  # bad uses
  run u simulate "$XY" --obs-only -o u.csv
  expect 2 u "--obs-only is for an event dataset: give --events FILE.csv" "--obs-only alone"
  run u2 simulate "$XY" --events "$EV/obs-x.csv" --carry WT -o u.csv
  expect 2 u2 "--carry chooses the columns of the --obs-only output" "--carry alone"
  run u3 simulate "$XY" --events "$EV/obs-x.csv" --obs-only --carry 'WT,,AGE' -o u.csv
  expect 2 u3 "--carry 'WT,,AGE': an empty name" "--carry with an empty name"
  cp o.csv prev.csv
  run b simulate "$XY" --events "$EV/obs-x.csv" --obs-only --carry WT,BMI -o o.csv
  expect 1 b "obs-x.csv: --carry: no column 'BMI' in the dataset to carry; expected one of its columns (ID, TIME, EVID, AMT, CMT, DV, WT, AGE)" "--carry BMI"
  cmp -s o.csv prev.csv || fail "--carry BMI: the previous output was changed"
  [ -e u.csv ] && fail "a refused run wrote its output"
  expect_no_tmp
  finish
}

expect_no_tmp() {
  local left
  left=$(find "$WORK" -name '*.tmp.*' -o -name 'pk-plot*' -o -name 'pk-gnuplot*' | head -n 3)
  [ -z "$left" ] || fail "temporary files left: $left"
}

case_products() {
  run p simulate "$XY" --events "$EV/prod-xy.csv" -o p.csv
  expect 0 p "" "PRODUCT records"
  run c simulate "$XY" --events "$EV/prod-xy-compounds.csv" -o c.csv
  cmp -s p.csv c.csv || fail "PRODUCT records and the same doses per compound differ"
  # 3 g at 0 h and 1.5 g at 10 h: x 2 % (60 and 30 mg), y 0.5 % (15 and 7.5 mg)
  close_to "PRODUCT records: content x AMT against the closed form" < <(awk -F, '
    function b(mg, mw, ka, k, V, s) {
      return s < 0 ? 0 : 1000 / V * 1000 * mg / mw * ka / (ka - k) * (exp(-k * s) - exp(-ka * s)) }
    NR > 1 { t = $1
      printf "%s %.17g\n", $2, b(60, 300, 1, 0.1, 50, t) + b(30, 300, 1, 0.1, 50, t - 10)
      printf "%s %.17g\n", $3, b(15, 200, 0.5, 0.2, 100, t) + b(7.5, 200, 0.5, 0.2, 100, t - 10) }' p.csv)
  printf 'ID,TIME,AMT,II,SS,PRODUCT\n1,0,2,12,1,xy-powder\n' >ss.csv
  run ss simulate "$XY" --events ss.csv -o ss-out.csv
  expect 0 ss "pk: warning: ss.csv:2:5: SS 1 on a dose of product xy-powder" "SS 1 on a product"
  printf 'ID,TIME,AMT,PRODUCT\n1,0,2,leaf\n' >bad.csv
  run bad simulate "$XY" --events bad.csv -o bad-out.csv
  expect 1 bad "bad.csv:2:4: column PRODUCT: unknown product 'leaf': expected a number 1 to 1 or a product id of the model (1 xy-powder)" "an unknown product"
  [ -e bad-out.csv ] && fail "an unknown product: the output was written"
  finish
}

case_warnings() {
  printf '# two steady states at 0 h, a reset after a dose at 10 h\nID,TIME,EVID,AMT,CMT,II,SS,WT,DV\n1,0,1,10,depot_x,12,1,70,.\n1,0,1,5,depot_y,12,1,70,.\n1,10,1,5,central_x,0,0,70,.\n1,10,3,.,.,.,.,70,.\n1,11,0,.,.,.,.,70,3\n' >w.csv
  run w simulate "$XY" --events w.csv -o w-out.csv
  expect 0 w "" "a dataset with warnings"
  local lines
  lines=$(grep -c "^pk: warning: w.csv:" w.err)
  [ "$lines" -eq 3 ] || fail "warnings: $lines dataset warnings, expected 3: $(cat w.err)"
  expect 0 w "pk: warning: w.csv:2:8: covariate column WT changes nothing in the simulation" "unused WT"
  expect 0 w "pk: warning: w.csv:4:7: the steady-state dose (SS 1, which resets first) of line 4 at TIME 0 drops the dose of line 3 (10 mg of test-x, SS 1) at the same time" "two SS 1"
  expect 0 w "give the later steady state SS 2" "two SS 1: what to do"
  expect 0 w "pk: warning: w.csv:6:3: the reset (EVID 3) of line 6 at TIME 10 drops the dose of line 5 (5 mg of test-x) at the same time" "EVID 3 after a dose"
  # what the warnings say: x is gone until 10 h, and after 10 h
  awk -F, 'NR > 1 && ($2 != 0) { print "C_x " $2 " at " $1 }' w-out.csv | grep -q . &&
    fail "warnings: the dropped doses of x were given"
  finish
}

case_plot() {
  run o simulate "$EV/scenario-compounds.json" --events "$EV/two-subjects.csv" -o plain.csv
  { echo "ID,TIME,EVID,AMT,CMT,CL_mg"
    for i in 1 2 3; do echo "S$i,8,1,$((10 * i)),depot_mg,$((60 + 20 * i))"; done; } >three.csv
  stub t3 simulate "$EV/scenario-compounds.json" --events three.csv -o t3.csv --plot t3.png
  local s3=$S d3=$D
  grep -qx "compounds, 3 subjects" "$REC/title.$last" || fail "plot: title '$(cat "$REC/title.$last")'"
  for id in S1 S2 S3; do
    for q in C_mg C_7oh occ E tol W; do
      grep -qF "title '$id: $q'" "$s3" || fail "plot (3 subjects): no key entry '$id: $q'"
    done
  done
  [ "$(grep -c "ARG1 index [0-9]* using" "$s3")" -eq 18 ] || fail "plot (3 subjects): 18 curves expected"
  # the curve of S2's C_mg is the CSV's, number for number (days on the axis)
  local b
  b=$(grep -F "title 'S2: C_mg'" "$s3" | sed 's/.*ARG1 index \([0-9]*\) .*/\1/')
  awk -v want="$b" '/^$/ { if (++blank == 2) { n++; blank = 0 } next } { blank = 0; if (n == want) print $2 }' "$d3" >drawn
  awk -F, '$1 == "S2" { print $3 }' t3.csv >csv-values
  REL=1e-9 close_to "plot (3 subjects): S2's C_mg" < <(paste -d' ' drawn csv-values)
  [ "$(wc -l <drawn)" -eq 145 ] || fail "plot: $(wc -l <drawn) points of S2's C_mg drawn, expected 145"
  run n3 simulate "$EV/scenario-compounds.json" --events three.csv -o n3.csv
  cmp -s t3.csv n3.csv || fail "plot: -o differs with --plot"
  # 12 subjects: thin curves, one key entry per quantity
  { echo "ID,TIME,EVID,AMT,CMT,CL_mg"
    for i in $(seq 1 12); do echo "$i,8,1,$((5 * i)),depot_mg,$((60 + 10 * i))"; done; } >twelve.csv
  stub t12 simulate "$EV/scenario-compounds.json" --events twelve.csv --plot t12.png -o t12.csv
  grep -qF "ARG1 index 0:11 using 1:2 with lines lw 1 dt 1 lc rgb '#0072B2' title 'C_mg (12 subjects)'" "$S" ||
    fail "plot (12 subjects): C_mg is not one series of thin curves: $(grep -F C_mg "$S")"
  for q in C_7oh occ E tol W; do
    grep -qF "title '$q (12 subjects)'" "$S" || fail "plot (12 subjects): no key entry for $q"
  done
  grep -q "title '[0-9]*: " "$S" && fail "plot (12 subjects): subjects named in the key"
  [ -z "$(numbers_only "$d3" "$D")" ] || fail "plot: the data files hold other text"
  if command -v gnuplot >/dev/null 2>&1; then
    run r3 simulate "$EV/scenario-compounds.json" --events three.csv -o r3.csv --plot r3.png
    expect 0 r3 "" "plot (3 subjects), real gnuplot"
    [ "$(head -c 4 r3.png | od -An -c | tr -d ' ')" = "211PNG" ] || fail "plot: r3.png is no PNG"
    run r12 simulate "$EV/scenario-compounds.json" --events twelve.csv --plot r12.svg
    expect 0 r12 "" "plot (12 subjects), real gnuplot"
    grep -q '</svg>' r12.svg || fail "plot: r12.svg is no SVG"
    run ro simulate "$XY" --events "$EV/obs-x.csv" --obs-only -o ro.csv --plot ro.png
    expect 0 ro "" "--obs-only with --plot"
    [ -s ro.png ] && [ "$(wc -l <ro.csv)" -eq 8 ] || fail "--obs-only --plot: image or rows missing"
  fi
  expect_no_tmp
  finish
}

case_hostile() {
  local q="'; system('touch RAN-q'); '" b='`touch RAN-b`' m='@x'
  { echo "ID,TIME,AMT,CMT"
    printf '"%s",0,10,1\n%s,0,20,1\n%s,0,30,1\n' "$q" "$b" "$m"; } >h.csv
  stub h simulate "$EV/scenario-compounds.json" --events h.csv -o h-out.csv --plot h.png
  grep -qF "title '''; system(''touch RAN-q''); '': C_mg'" "$S" &&
    fail "hostile: an ID starting with a quote is written as gnuplot reads it wrongly"
  grep -qF "title \"'\".'; system(''touch RAN-q''); '': C_mg'" "$S" ||
    fail "hostile: the quote ID is not quoted as expected: $(grep -F RAN-q "$S" | head -n 1)"
  grep -qF "title '\`touch RAN-b\`: C_mg'" "$S" || fail "hostile: the backtick ID is not quoted"
  grep -qF "title '@x: C_mg'" "$S" || fail "hostile: the macro ID is not quoted"
  local bare
  bare=$(outside_quotes "$S" | grep -E 'system|`|"|@')
  [ -z "$bare" ] || fail "hostile: text outside quoted strings: $bare"
  grep -q "RAN" "$REC/args.$last" && fail "hostile: an ID reached gnuplot's arguments"
  [ "$(cut -d, -f1 h-out.csv | sort -u | wc -l)" -eq 4 ] || fail "hostile: the IDs are not in the CSV"
  if command -v gnuplot >/dev/null 2>&1; then
    run hr simulate "$EV/scenario-compounds.json" --events h.csv --plot hr.png
    expect 0 hr "" "hostile IDs, real gnuplot"
    gnuplot -c "$S" "$D" "title" >replay.png 2>replay.err || fail "hostile: gnuplot refused the script: $(cat replay.err)"
  fi
  # a double quote in an ID is refused
  printf 'ID,TIME,AMT,CMT\n1,0,10,1\n"x""); system(""touch RAN-d""); (""",1,10,1\n' >d.csv
  run d simulate "$EV/scenario-compounds.json" --events d.csv -o d-out.csv --plot d.png
  expect 1 d "d.csv:3:1: column ID: an ID may not contain commas, quotes or control characters" "an ID with a double quote"
  [ -e d-out.csv ] || [ -e d.png ] && fail "hostile: a refused dataset wrote its output"
  for r in q b d; do [ ! -e "RAN-$r" ] || fail "hostile: a command from an ID ran ($r)"; done
  expect_no_tmp
  finish
}

case_population() {
  local SC=$EV/scenario-compounds.json
  # four subjects: CL_mg per subject, S3 doses at 9 h (another timing), S4
  # also takes 7-hydroxymitragynine by a 2 h infusion
  { echo "ID,TIME,EVID,AMT,CMT,RATE,CL_mg"
    for i in 1 2 3 4; do
      t0=8; [ "$i" -eq 3 ] && t0=9
      for k in 0 1 2 3; do echo "S$i,$((t0 + 12 * k)),1,30,depot_mg,0,$((100 + 40 * i))"; done
      [ "$i" -eq 4 ] && echo "S$i,50,1,1.5,central_7oh,0.75,$((100 + 40 * i))"
    done; } >ds.csv
  run p population "$SC" --events ds.csv -o sum.csv --trajectories traj.csv --nca --threads 2
  expect 0 p "" "population --events"
  run g simulate "$SC" --events ds.csv -o grid.csv
  expect 0 g "" "simulate --events"
  [ "$(column sum.csv id | tr '\n' ' ')" = "S1 S2 S3 S4 " ] || fail "population --events: ids $(column sum.csv id | tr '\n' ' ')"
  [ "$(column sum.csv status | sort -u)" = ok ] || fail "population --events: a subject failed"
  # the trajectories are pk simulate --events' rows, byte for byte
  cmp -s <(tail -n +2 traj.csv) <(tail -n +2 grid.csv) || fail "population --events: --trajectories differs from pk simulate --events"
  # summaries from the grid rows, computed here: Cmax, Tmax, AUC (linear up,
  # log down), Cmin after the subject's first dose (8 h, S3 9 h), W_max
  awk -F, 'NR == 1 { for (j = 1; j <= NF; j++) c[$j] = j; next }
    { id = $1; t = $c["time_h"]; y = $c["C_mg"]; w = $c["W"]
      if (!(id in cmax) || y > cmax[id]) { cmax[id] = y; tmax[id] = t }
      first = id == "S3" ? 9 : 8
      if (t > first && (!(id in cmin) || y < cmin[id])) cmin[id] = y
      if (id in tp) { dt = t - tp[id]; yp = cp[id]
        auc[id] += (y < yp && y > 0) ? dt * (yp - y) / log(yp / y) : dt * (yp + y) / 2 }
      tp[id] = t; cp[id] = y
      if (!(id in wmax) || w > wmax[id]) wmax[id] = w }
    END { for (i = 1; i <= 4; i++) { id = "S" i
      printf "%s %.17g %.17g %.17g %.17g %.17g\n", id, cmax[id], tmax[id], auc[id], cmin[id], wmax[id] } }' \
    grid.csv >mine
  for k in Cmax_mg Tmax_mg AUC_mg Cmin_mg W_max; do column sum.csv "$k" >"got-$k"; done
  REL=1e-11 close_to "population --events: Cmax_mg" < <(paste -d' ' got-Cmax_mg <(awk '{ print $2 }' mine))
  REL=0 close_to "population --events: Tmax_mg" < <(paste -d' ' got-Tmax_mg <(awk '{ print $3 }' mine))
  REL=1e-9 close_to "population --events: AUC_mg" < <(paste -d' ' got-AUC_mg <(awk '{ print $4 }' mine))
  REL=1e-11 close_to "population --events: Cmin_mg after each subject's first dose" < <(paste -d' ' got-Cmin_mg <(awk '{ print $5 }' mine))
  REL=1e-11 close_to "population --events: W_max" < <(paste -d' ' got-W_max <(awk '{ print $6 }' mine))
  # percentiles across the dataset's subjects (values kept as subjects come):
  # the median of C_mg at 20 h, from the four subjects' grid rows
  run pc population "$SC" --events ds.csv -o /dev/null --percentiles pct.csv --levels 50
  expect 0 pc "" "population --events --percentiles"
  awk -F, 'NR > 1 && $2 == 20 { print $3 }' grid.csv | sort -g |
    awk '{ v[NR] = $1 } END { printf "%.17g\n", (v[2] + v[3]) / 2 }' >median-here
  awk -F, 'NR > 1 && $1 == 20 { print $3 " " $2 }' pct.csv >median-pk
  [ "$(awk '{ print $2 }' median-pk)" = 4 ] || fail "population --events --percentiles: n is not 4"
  REL=1e-11 close_to "population --events: median of C_mg at 20 h" < <(paste -d' ' <(awk '{ print $1 }' median-pk) median-here)
  # one thread gives the same file
  run p1 population "$SC" --events ds.csv -o sum1.csv --nca --threads 1
  cmp -s sum.csv sum1.csv || fail "population --events: one and two threads differ"
  grep -q '"events"' sum.meta.json && grep -q "$(sha256sum ds.csv | cut -c1-64)" sum.meta.json ||
    fail "population --events: the metadata lacks the dataset and its SHA-256"
  # a bad record in the third subject: the error names file, line and
  # column; nothing is written and a previous output is kept
  sed '10s/,30,/,x,/' ds.csv >bad.csv
  echo previous >keep.csv
  run b population "$SC" --events bad.csv -o keep.csv
  expect 1 b "bad.csv:10:4: column AMT: 'x' is not a number" "population --events, bad record"
  [ "$(cat keep.csv)" = previous ] || fail "population --events: a failed run replaced the output"
  [ -e keep.meta.json ] && fail "population --events: a failed run wrote metadata"
  # an ID that comes back after other subjects
  { cat ds.csv; echo "S1,60,1,30,depot_mg,0,140"; } >back.csv
  run bk population "$SC" --events back.csv -o back-out.csv
  expect 1 bk "back.csv:19:1: column ID: subject S1 appears again after other subjects (its records start at line 2)" "an ID that comes back"
  [ -e back-out.csv ] && fail "population --events: output written for a bad dataset"
  # options that do not go with a dataset, and the dataset as an output
  run n population "$SC" --events ds.csv -n 10
  expect 2 n "the subjects are the dataset's; -n, --seed and --spec are for drawn subjects" "-n with --events"
  run sh population "$SC" --events ds.csv --shard 0/2
  expect 2 sh "not with --shard or --mpi" "--shard with --events"
  cp ds.csv ds-copy.csv
  run o population "$SC" --events ds-copy.csv -o ds-copy.csv
  expect 1 o "" "population --events -o the dataset"
  cmp -s ds.csv ds-copy.csv || fail "population --events: the dataset was overwritten"
  expect_no_tmp
  finish
}

case "$CASE" in
  population) case_population ;;
  obs_only) case_obs_only ;;
  products) case_products ;;
  warnings) case_warnings ;;
  plot) case_plot ;;
  hostile) case_hostile ;;
  *) echo "events_cli.sh: unknown case '$CASE'" >&2; exit 1 ;;
esac
