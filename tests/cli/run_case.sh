#!/usr/bin/env bash
# run_case.sh - end-to-end and bad-input tests of the pk command-line tool.
#
# usage: run_case.sh PK SOURCE_DIR CASE [ARGS...]
#
#   PK          the pk executable under test
#   SOURCE_DIR  the source tree (models/ and tests/data/ are read from it)
#   CASE        one of the cases below; "bad" takes arguments:
#
#   bad SCENARIO --file TEXT [--path KEYPATH] --expect TEXT [--expect TEXT...]
#       SCENARIO (relative to tests/data/) must be rejected: exit status 1,
#       nothing on standard output, standard error naming the file (TEXT, a
#       file name, with :line:column for syntax errors), the JSON key path
#       ("TEXT: KEYPATH: " must appear) and every expected TEXT; the -o file
#       (and --plot image, when gnuplot is available) must not be created; a
#       previous good output must stay byte-identical and no *.tmp.* file may
#       be left beside it.
#
# Exit status: 0 pass, 1 fail, 77 skipped (ctest SKIP_RETURN_CODE).
set -u

if [ $# -lt 3 ]; then
  echo "usage: run_case.sh PK SOURCE_DIR CASE [ARGS...]" >&2
  exit 1
fi
PK=$1
SRC=$2
CASE=$3
shift 3
DATA=$SRC/tests/data
GOOD=$DATA/good/two-days.json

WORK=$(mktemp -d "${TMPDIR:-/tmp}/pk-cli-test.XXXXXX") || exit 1
trap 'rm -rf "$WORK"' EXIT
# the tests choose their gnuplot and models explicitly
unset PK_MODELS_DIR PK_GNUPLOT

. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

# run OUTPREFIX ARGS...: runs pk with ARGS, standard output to OUTPREFIX.out,
# standard error to OUTPREFIX.err, exit status in $rc.
run() {
  local prefix=$1
  shift
  "$PK" "$@" >"$prefix.out" 2>"$prefix.err"
  rc=$?
}

show_stderr() {
  echo "--- standard error of pk:" >&2
  cat "$1.err" >&2
  echo "---" >&2
}

expect_rc() { # expect_rc WANT PREFIX WHAT
  if [ "$rc" -ne "$1" ]; then
    fail "$3: exit status $rc, expected $1"
    show_stderr "$2"
  fi
}

expect_in() { # expect_in FILE TEXT WHAT
  if ! grep -qF -- "$2" "$1"; then
    fail "$3: '$2' not found in $(basename "$1")"
    echo "--- $(basename "$1"):" >&2
    cat "$1" >&2
    echo "---" >&2
  fi
}

expect_absent() { # expect_absent PATH WHAT
  if [ -e "$1" ]; then fail "$2: $1 was created"; fi
}

expect_no_tmp() { # expect_no_tmp DIR WHAT
  local left
  left=$(find "$1" -name '*.tmp.*' | head -n 5)
  if [ -n "$left" ]; then fail "$2: temporary files left behind: $left"; fi
}

have_gnuplot() { command -v gnuplot >/dev/null 2>&1; }

png_magic() { # png_magic FILE: true if FILE starts with the PNG signature
  [ "$(head -c 8 "$1" | od -An -tx1 | tr -d ' \n')" = "89504e470d0a1a0a" ]
}

# ---------------------------------------------------------------------------
case_bad() {
  local scenario=$DATA/$1
  shift
  local file="" path="" expects=()
  while [ $# -gt 0 ]; do
    case $1 in
      --file) file=$2; shift 2 ;;
      --path) path=$2; shift 2 ;;
      --expect) expects+=("$2"); shift 2 ;;
      *) echo "bad: unknown argument $1" >&2; exit 1 ;;
    esac
  done
  if [ -z "$file" ] || [ ${#expects[@]} -eq 0 ]; then
    echo "bad: --file and at least one --expect are required" >&2
    exit 1
  fi
  local plot_args=()
  if have_gnuplot; then plot_args=(--plot "$WORK/fresh/out.png"); fi

  # 1. no previous output: nothing is created
  mkdir -p "$WORK/fresh"
  run "$WORK/fresh" simulate "$scenario" -o "$WORK/fresh/out.csv" "${plot_args[@]}"
  expect_rc 1 "$WORK/fresh" "rejecting $(basename "$scenario")"
  expect_in "$WORK/fresh.err" "pk: error: " "error prefix"
  expect_in "$WORK/fresh.err" "$file" "the file is named"
  if [ -n "$path" ]; then expect_in "$WORK/fresh.err" "$file: $path: " "the key path is named"; fi
  for e in "${expects[@]}"; do expect_in "$WORK/fresh.err" "$e" "the expectation is stated"; done
  if [ -s "$WORK/fresh.out" ]; then fail "something was written to standard output"; fi
  expect_absent "$WORK/fresh/out.csv" "-o file"
  expect_absent "$WORK/fresh/out.png" "--plot image"
  expect_no_tmp "$WORK/fresh" "fresh output directory"

  # 2. standard output: nothing is written to it
  run "$WORK/stdout" simulate "$scenario"
  expect_rc 1 "$WORK/stdout" "rejecting $(basename "$scenario") (standard output)"
  if [ -s "$WORK/stdout.out" ]; then fail "a partial CSV was written to standard output"; fi

  # 3. a previous good output is kept byte for byte
  mkdir -p "$WORK/prev"
  local prev_plot=()
  if have_gnuplot; then prev_plot=(--plot "$WORK/prev/out.png"); fi
  run "$WORK/good" simulate "$GOOD" -o "$WORK/prev/out.csv" "${prev_plot[@]}"
  expect_rc 0 "$WORK/good" "the good fixture $GOOD"
  cp "$WORK/prev/out.csv" "$WORK/ref.csv"
  if have_gnuplot; then cp "$WORK/prev/out.png" "$WORK/ref.png"; fi
  run "$WORK/again" simulate "$scenario" -o "$WORK/prev/out.csv" "${prev_plot[@]}"
  expect_rc 1 "$WORK/again" "rejecting $(basename "$scenario") over a previous output"
  cmp -s "$WORK/prev/out.csv" "$WORK/ref.csv" || fail "the previous CSV was changed"
  if have_gnuplot; then
    cmp -s "$WORK/prev/out.png" "$WORK/ref.png" || fail "the previous image was changed"
  fi
  expect_no_tmp "$WORK/prev" "previous output directory"
  finish
}

# ---------------------------------------------------------------------------
# Numeric checks of a trajectory of the default scenario (kratom-taper: run-in
# of 28 days, taper over days 1-28 at 08:00, 14:00 and 20:00, 35 days hourly).
check_default_csv() {
  local csv=$1
  local header
  header=$(head -n 1 "$csv")
  [ "$header" = "time_h,C_mg,C_7oh,ce_mg,ce_7oh,occ,occ_mg,occ_7oh,E,net,tol,wx,wf,W" ] ||
    fail "header is '$header'"
  local rows
  rows=$(($(wc -l <"$csv") - 1))
  [ "$rows" -eq 841 ] || fail "$rows data rows, expected 841 (0 to 840 h)"

  # the largest intrinsic activity tau/(1+tau) of the ligands, from the model files
  local emax
  emax=$(sed -n -E 's/.*"tau": *\{ *"value": *([-0-9.eE+]+).*/\1/p' \
    "$SRC"/models/compounds/*.json | awk '{ a = $1 / (1 + $1); if (a > m) m = a } END { printf "%.17g", m }')
  # the immediate share of W (PD version 2), from the receptor file
  local beta
  beta=$(sed -n -E 's/.*"immediate": *\{ *"value": *([-0-9.eE+]+).*/\1/p' "$SRC"/models/receptors/mu-opioid.json)
  [ -n "$beta" ] || fail "no withdrawal.immediate in the receptor file"
  awk -v emax="$emax" -v beta="$beta" -F, '
    function bad(msg) { printf "row %d (t = %s h): %s\n", NR - 1, $1, msg; nbad++ }
    function abs(x) { return x < 0 ? -x : x }
    NR == 1 { next }
    {
      if (NF != 14) bad("expected 14 fields, got " NF)
      if ($1 != NR - 2) bad("time_h is " $1 ", expected " NR - 2)
      for (j = 1; j <= NF; j++) {
        if ($j !~ /^-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$/) bad("column " j " is not a finite number: " $j)
        else if (j != 10 && j != 12 && j != 13 && $j + 0 < 0) bad("column " j " is negative: " $j)
      }
      C = $2; occ = $6; E = $9; net = $10; tol = $11; wx = $12; wf = $13; W = $14
      if (abs($7 + $8 - occ) > 1e-9) bad("occ_mg + occ_7oh = " $7 + $8 " but occ = " occ)
      w = beta * (tol - E - wf) + (1 - beta) * wx; if (w < 0) w = 0
      if (abs(W - w) > 1e-9) bad("W = " W " but max(0, beta (tol - E - wf) + (1 - beta) wx) = " w)
      if (abs(net - (E - tol)) > 1e-9) bad("net = " net " but E - tol = " E - tol)
      if (occ >= 1) bad("occ = " occ " >= 1")
      if (E > emax + 1e-12) bad("E = " E " above the largest tau/(1+tau) = " emax)
      t = $1 + 0
      if (NR > 2 && C > prevC) last_rise = t
      if (t > 672 && C > prevC) bad("C_mg rises after the last dose (day 28 20:00 = 668 h): " prevC " -> " C)
      if (t == 0) { C0 = C; tol0 = tol }
      prevC = C
    }
    END {
      if (!(C0 > 0)) { print "C_mg at t = 0 is " C0 ": the 28-day run-in did not dose"; nbad++ }
      if (!(tol0 > 0)) { print "tol at t = 0 is " tol0 ": the run-in built no tolerance"; nbad++ }
      if (!(last_rise > 668 && last_rise <= 672)) {
        print "C_mg last rises at t = " last_rise " h, expected just after the last dose at 668 h"; nbad++
      }
      exit nbad > 0
    }' "$csv" >"$WORK/numeric.txt" ||
    { fail "numeric checks of $(basename "$csv"):"; head -n 20 "$WORK/numeric.txt" >&2; }
}

case_end_to_end() {
  cd "$WORK" || exit 1
  # standard output first: needs no gnuplot
  run "$WORK/stdout" simulate
  expect_rc 0 "$WORK/stdout" "pk simulate (default scenario, standard output)"
  check_default_csv "$WORK/stdout.out"
  if ! have_gnuplot; then
    echo "gnuplot is not installed: the plots are not checked" >&2
    [ "$failures" -eq 0 ] && exit 77
    finish
  fi
  run "$WORK/png" simulate -o out.csv --plot out.png
  expect_rc 0 "$WORK/png" "pk simulate -o out.csv --plot out.png"
  check_default_csv out.csv
  cmp -s out.csv "$WORK/stdout.out" || fail "out.csv differs from the CSV on standard output"
  [ -s out.png ] || fail "out.png is missing or empty"
  [ -s out.png ] && { png_magic out.png || fail "out.png does not start with the PNG signature"; }
  run "$WORK/svg" simulate -o out2.csv --plot out.svg
  expect_rc 0 "$WORK/svg" "pk simulate -o out2.csv --plot out.svg"
  [ -s out.svg ] || fail "out.svg is missing or empty"
  grep -q "<svg" out.svg || fail "out.svg has no <svg element"
  cmp -s out.csv out2.csv || fail "two runs of the default scenario differ"
  expect_no_tmp "$WORK" "output directory"
  finish
}

case_help() {
  run "$WORK/h" --help
  expect_rc 0 "$WORK/h" "pk --help"
  expect_in "$WORK/h.out" "usage: pk COMMAND" "pk --help"
  expect_in "$WORK/h.out" "simulate [SCENARIO]" "pk --help lists simulate"
  expect_in "$WORK/h.out" "plot CSV" "pk --help lists plot"
  run "$WORK/help" help
  expect_rc 0 "$WORK/help" "pk help"
  cmp -s "$WORK/h.out" "$WORK/help.out" || fail "pk help and pk --help differ"
  run "$WORK/s" simulate --help
  expect_rc 0 "$WORK/s" "pk simulate --help"
  expect_in "$WORK/s.out" "usage: pk simulate [SCENARIO]" "pk simulate --help"
  expect_in "$WORK/s.out" "docs/scenario-format.md" "pk simulate --help names the format"
  expect_in "$WORK/s.out" "PK_GNUPLOT" "pk simulate --help names PK_GNUPLOT"
  run "$WORK/p" plot --help
  expect_rc 0 "$WORK/p" "pk plot --help"
  expect_in "$WORK/p.out" "usage: pk plot CSV" "pk plot --help"
  run "$WORK/v" version
  expect_rc 0 "$WORK/v" "pk version"
  expect_in "$WORK/v.out" "pk " "pk version"
  expect_in "$WORK/v.out" "batch kernel: " "pk version names the batch kernel's variant"
  # the scalar variant exists in every build; PK_SIMD chooses it
  PK_SIMD=scalar "$PK" version >"$WORK/v1.out" 2>"$WORK/v1.err"
  expect_in "$WORK/v1.out" "batch kernel: scalar, packs of 1 subject;" "PK_SIMD=scalar pk version"
  # a name no machine runs is said, and the widest variant used
  PK_SIMD=bogus "$PK" version >"$WORK/v2.out" 2>"$WORK/v2.err"
  expect_in "$WORK/v2.err" 'PK_SIMD="bogus" is not a batch kernel variant' "PK_SIMD=bogus warns"
  expect_in "$WORK/v2.out" "batch kernel: " "PK_SIMD=bogus still runs"
  finish
}

# pk help COMMAND prints exactly what pk COMMAND --help prints, for every
# command that pk help --commands lists, and the usage lists each of them.
case_help_command() {
  run "$WORK/list" help --commands
  expect_rc 0 "$WORK/list" "pk help --commands"
  local n
  n=$(wc -l <"$WORK/list.out")
  [ "$n" -ge 6 ] || fail "pk help --commands lists $n commands, expected at least 6"
  run "$WORK/usage" help
  local cmd
  while read -r cmd; do
    grep -q "^  $cmd " "$WORK/usage.out" || fail "pk help does not list '$cmd'"
    run "$WORK/a" help "$cmd"
    expect_rc 0 "$WORK/a" "pk help $cmd"
    run "$WORK/b" "$cmd" --help
    expect_rc 0 "$WORK/b" "pk $cmd --help"
    [ -s "$WORK/a.out" ] || fail "pk help $cmd printed nothing"
    expect_in "$WORK/a.out" "usage: pk $cmd" "pk help $cmd is the command's help"
    cmp -s "$WORK/a.out" "$WORK/b.out" || fail "pk help $cmd differs from pk $cmd --help"
  done <"$WORK/list.out"
  for cmd in simulate plot compounds taper population sweep; do
    grep -qx "$cmd" "$WORK/list.out" || fail "pk help --commands does not list $cmd"
  done
  run "$WORK/x" help simulat
  expect_rc 2 "$WORK/x" "pk help simulat"
  expect_in "$WORK/x.err" "unknown command 'simulat'; did you mean 'simulate'?" "pk help simulat"
  finish
}

# Scenarios that load but look like mistakes run, with a warning naming the
# file, the key path and what is wrong (tests/data/warn/); a scenario
# without them prints nothing on standard error.
case_warnings() {
  cd "$WORK" || exit 1
  local w=$DATA/warn
  run "$WORK/dose" simulate "$w/dose-3000-g.json" -o dose.csv
  expect_rc 0 "$WORK/dose" "a dose of 3000 g runs"
  expect_in "$WORK/dose.err" "pk: warning: $w/dose-3000-g.json: dosing[0].dose_g: 3000 g of kratom-leaf-powder carries 39000 mg of mitragynine per dose, far above any published use: more than 1100 mg" "the implausible dose is named"
  expect_in "$WORK/dose.err" "check the unit: 'dose_g' is in g" "the unit is named"
  [ "$(grep -c . "$WORK/dose.err")" -eq 1 ] || fail "one warning per dosing entry expected"
  [ "$(($(wc -l <dose.csv) - 1))" -eq 49 ] || fail "the 3000 g run did not write 49 rows"

  # the limit is the model file's max_plausible_dose: 1100 mg of mitragynine
  local mgfile=$SRC/models/compounds/linear/mitragynine.json
  grep -q '"max_plausible_dose": {"value": 1100, "unit": "mg"' "$mgfile" ||
    fail "linear/mitragynine.json no longer states 1100 mg"
  local dose
  for dose in 1100 1101; do
    cat >"mg-$dose.json" <<JSON
{"name": "mg-$dose", "model": ["$mgfile", "$SRC/models/receptors/mu-opioid.json"],
 "dosing": [{"compound": "mitragynine", "dose_mg": $dose, "times_h": [1]}],
 "output": {"duration_days": 1, "step_h": 6}}
JSON
    run "$WORK/mg$dose" simulate "mg-$dose.json" -o "mg-$dose.csv"
    expect_rc 0 "$WORK/mg$dose" "$dose mg of mitragynine"
  done
  [ -s "$WORK/mg1100.err" ] && fail "1100 mg (the limit) warned: $(cat "$WORK/mg1100.err")"
  expect_in "$WORK/mg1101.err" "mg-1101.json: dosing[0].dose_mg: 1101 mg of mitragynine per dose, far above any published use" "1101 mg warns"

  # no receptor: tol and W are 0 in every row while E is not, as the warning says
  run "$WORK/rec" simulate "$w/no-receptor.json" -o rec.csv
  expect_rc 0 "$WORK/rec" "a scenario without a receptor runs"
  expect_in "$WORK/rec.err" "pk: warning: $w/no-receptor.json: model: no receptor file among the model files: no adaptation or withdrawal, tol and W stay 0 throughout" "no receptor is said"
  awk -F, 'NR == 1 { for (j = 1; j <= NF; j++) col[$j] = j; next }
    { s += $col["tol"] + $col["W"]; e += $col["E"] }
    END { exit !(s == 0 && e > 0) }' rec.csv || fail "without a receptor tol and W should be 0 and E > 0"

  # a compound no dose reaches: named with its file, its column 0 throughout
  run "$WORK/nd" simulate "$w/compound-not-dosed.json" -o nd.csv
  expect_rc 0 "$WORK/nd" "a scenario with an undosed compound runs"
  expect_in "$WORK/nd.err" "pk: warning: $w/compound-not-dosed.json: model[2]: compound 'naloxone' (" "the undosed compound is named at its model entry"
  expect_in "$WORK/nd.err" "naloxone.json) is never dosed and not formed from a dosed compound" "the reason is given"
  awk -F, 'NR == 1 { for (j = 1; j <= NF; j++) col[$j] = j; next }
    { s += $col["C_naloxone"] } END { exit !(s == 0) }' nd.csv || fail "C_naloxone should stay 0"

  # the other commands that load a scenario say it too
  run "$WORK/sw" sweep "$w/no-receptor.json" --param dose=1,2 -o sweep.csv --quiet
  expect_rc 0 "$WORK/sw" "pk sweep on a scenario without a receptor"
  expect_in "$WORK/sw.err" "pk: warning: $w/no-receptor.json: model: no receptor file" "pk sweep warns"

  # a scenario without mistakes: nothing on standard error
  run "$WORK/good" simulate "$GOOD" -o good.csv
  expect_rc 0 "$WORK/good" "the good fixture"
  [ -s "$WORK/good.err" ] && fail "the good fixture printed: $(cat "$WORK/good.err")"
  finish
}

# Unknown names get the closest known one: commands, compounds, products
# and parameters (files: the pk_cli_bad cases in CMakeLists.txt).
case_did_you_mean() {
  run "$WORK/c" simulat
  expect_rc 2 "$WORK/c" "pk simulat"
  expect_in "$WORK/c.err" "pk: error: unknown command 'simulat'; did you mean 'simulate'?" "a mistyped command"
  run "$WORK/far" frobnicate
  grep -q "; did you mean" "$WORK/far.err" && fail "a name close to nothing got a suggestion"
  run "$WORK/p1" sweep "$GOOD" --param mitragynine.CLL=100:200:2 -o /dev/null
  expect_rc 1 "$WORK/p1" "an unknown parameter"
  expect_in "$WORK/p1.err" "unknown parameter 'CLL'" "the parameter is named"
  expect_in "$WORK/p1.err" "did you mean 'CL'?" "the closest parameter"
  run "$WORK/p2" sweep "$GOOD" --param k_tl=0.01,0.02 -o /dev/null
  expect_rc 1 "$WORK/p2" "an unknown setting"
  expect_in "$WORK/p2.err" "did you mean 'k_tol'?" "the closest setting"
  run "$WORK/p3" sweep "$GOOD" --param dose.mitragynin=1,2 -o /dev/null
  expect_rc 1 "$WORK/p3" "an unknown compound in a dose multiplier"
  expect_in "$WORK/p3.err" "no compound 'mitragynin' in the model files; did you mean 'mitragynine'?" "the closest compound"
  run "$WORK/k" compounds --models "$SRC/models" kratom-leaf-powdr
  expect_rc 1 "$WORK/k" "pk compounds with a mistyped name"
  expect_in "$WORK/k.err" "did you mean 'kratom-leaf-powder'?" "the closest product"
  finish
}

case_usage_errors() {
  run "$WORK/u" frobnicate
  expect_rc 2 "$WORK/u" "pk frobnicate"
  expect_in "$WORK/u.err" "unknown command 'frobnicate'" "pk frobnicate"
  expect_in "$WORK/u.err" "usage: pk COMMAND" "pk frobnicate shows the usage"
  run "$WORK/n"
  expect_rc 2 "$WORK/n" "pk without a command"
  expect_in "$WORK/n.err" "usage: pk COMMAND" "pk without a command"
  run "$WORK/o" simulate --frobnicate
  expect_rc 2 "$WORK/o" "pk simulate --frobnicate"
  expect_in "$WORK/o.err" "usage: pk simulate" "pk simulate --frobnicate"
  run "$WORK/a" simulate "$GOOD" "$GOOD"
  expect_rc 2 "$WORK/a" "pk simulate with two scenarios"
  expect_in "$WORK/a.err" "simulate takes one scenario file, got 2" "pk simulate A B"
  run "$WORK/m" simulate -o
  expect_rc 2 "$WORK/m" "pk simulate -o without a file"
  run "$WORK/p" plot "$WORK/x.csv"
  expect_rc 2 "$WORK/p" "pk plot without -o"
  expect_in "$WORK/p.err" "plot needs -o FILE.png or -o FILE.svg" "pk plot without -o"
  finish
}

case_no_gnuplot() {
  cd "$WORK" || exit 1
  PK_GNUPLOT=/nonexistent/gnuplot "$PK" simulate --plot x.png -o y.csv >"$WORK/g.out" 2>"$WORK/g.err"
  rc=$?
  expect_rc 1 "$WORK/g" "pk simulate --plot with PK_GNUPLOT=/nonexistent/gnuplot"
  expect_in "$WORK/g.err" "--plot needs gnuplot" "the message says what is missing"
  expect_in "$WORK/g.err" "/nonexistent/gnuplot" "the message names the program looked for"
  expect_in "$WORK/g.err" "nothing was written" "the message says nothing was written"
  expect_absent x.png "--plot image"
  expect_absent y.csv "-o file"
  # pk plot too
  run "$WORK/good" simulate "$GOOD" -o good.csv
  expect_rc 0 "$WORK/good" "the good fixture"
  PK_GNUPLOT=/nonexistent/gnuplot "$PK" plot good.csv -o z.svg >"$WORK/p.out" 2>"$WORK/p.err"
  rc=$?
  expect_rc 1 "$WORK/p" "pk plot with PK_GNUPLOT=/nonexistent/gnuplot"
  expect_in "$WORK/p.err" "needs gnuplot" "pk plot: the message says what is missing"
  expect_absent z.svg "pk plot image"
  expect_no_tmp "$WORK" "output directory"
  finish
}

case_bad_plot_name() {
  cd "$WORK" || exit 1
  run "$WORK/j" simulate "$GOOD" -o y.csv --plot x.jpg
  expect_rc 1 "$WORK/j" "pk simulate --plot x.jpg"
  expect_in "$WORK/j.err" "x.jpg: the plot file must end in .png or .svg" "the message"
  expect_absent y.csv "-o file"
  expect_absent x.jpg "--plot image"
  finish
}

# A failed run, whatever fails, keeps every previous output byte for byte and
# leaves no temporary file.
case_keeps_previous_output() {
  cd "$WORK" || exit 1
  local plot=()
  if have_gnuplot; then plot=(--plot out.png); fi
  run "$WORK/good" simulate "$GOOD" -o out.csv "${plot[@]}"
  expect_rc 0 "$WORK/good" "the good fixture"
  cp out.csv ref.csv
  if have_gnuplot; then cp out.png ref.png; fi

  # a bad scenario
  run "$WORK/bad" simulate "$DATA/bad/wrong-type.json" -o out.csv "${plot[@]}"
  expect_rc 1 "$WORK/bad" "a bad scenario"
  cmp -s out.csv ref.csv || fail "a bad scenario changed the previous CSV"
  if have_gnuplot; then cmp -s out.png ref.png || fail "a bad scenario changed the previous image"; fi
  expect_no_tmp "$WORK" "after a bad scenario"

  # a good scenario whose plot fails (gnuplot exits with an error): the CSV
  # is not replaced either
  PK_GNUPLOT=false "$PK" simulate "$DATA/good/three-days.json" -o out.csv --plot out.png \
    >"$WORK/gp.out" 2>"$WORK/gp.err"
  rc=$?
  expect_rc 1 "$WORK/gp" "a failing gnuplot"
  expect_in "$WORK/gp.err" "gnuplot failed" "a failing gnuplot is reported"
  cmp -s out.csv ref.csv || fail "a failed plot replaced the previous CSV"
  if have_gnuplot; then
    cmp -s out.png ref.png || fail "a failed plot changed the previous image"
  else
    expect_absent out.png "a failed plot"
  fi
  expect_no_tmp "$WORK" "after a failed plot"

  # an output directory that does not exist
  run "$WORK/nodir" simulate "$GOOD" -o no/such/dir/out.csv
  expect_rc 1 "$WORK/nodir" "an -o path in a missing directory"
  expect_in "$WORK/nodir.err" "no/such/dir/out.csv" "the unwritable file is named"

  # a good run replaces the previous output
  run "$WORK/new" simulate "$DATA/good/three-days.json" -o out.csv
  expect_rc 0 "$WORK/new" "a second good scenario"
  cmp -s out.csv ref.csv && fail "a successful run did not replace the previous CSV"
  expect_in out.csv "time_h,C_mg,C_7oh" "the new CSV"
  expect_no_tmp "$WORK" "after a good run"
  finish
}

# pk compounds lists every shipped model file with the numbers written in
# it: each compound's, product's and the receptor's id, and values read from
# the files themselves with jq-free grep (CL/F of mitragynine 233 L/h,
# Tanna 2022; the receptor's k_tol).
case_compounds() {
  run "$WORK/list" compounds --models "$SRC/models"
  [ "$rc" -eq 0 ] || fail "pk compounds exited $rc: $(cat "$WORK/list.err")"
  local f id
  for f in "$SRC"/models/compounds/*.json "$SRC"/models/products/*.json "$SRC"/models/receptors/*.json; do
    id=$(grep -o '"id": *"[^"]*"' "$f" | head -n 1 | sed 's/.*: *"\(.*\)"/\1/')
    grep -q "^  $id " "$WORK/list.out" || fail "$(basename "$f"): id '$id' not listed"
  done
  grep -q "CL 233 L/h" "$WORK/list.out" || fail "mitragynine CL 233 L/h not listed"
  grep -q "k_tol 0.04332 1/h\*" "$WORK/list.out" || fail "k_tol not listed as an assumption"
  grep -q "withdrawal: threshold 0.011\*" "$WORK/list.out" || fail "the withdrawal threshold not listed"
  run "$WORK/src" compounds --models "$SRC/models" --sources mitragynine
  [ "$rc" -eq 0 ] || fail "pk compounds --sources exited $rc"
  grep -q "Tanna 2022" "$WORK/src.out" || fail "--sources does not show the Tanna 2022 source"
  grep -q "kratom-leaf-powder" "$WORK/src.out" || fail "the filter dropped products containing mitragynine"
  # every reference file a model file cites is in the repository, where
  # --sources says it is
  grep -q "^Sources cited as reference/NAME.md are in $SRC/models/reference/" "$WORK/src.out" ||
    fail "--sources does not say where reference/ files are"
  local ref n_refs=0
  for ref in $(grep -rhoE 'reference/[A-Za-z0-9._-]+\.md' "$SRC"/models --include='*.json' | sort -u); do
    n_refs=$((n_refs + 1))
    [ -s "$SRC/models/$ref" ] || fail "a model file cites $ref, which is not in models/"
  done
  [ "$n_refs" -ge 2 ] || fail "expected the model files to cite reference/ files, found $n_refs"
  # and the sections they cite (reference/pkpd-literature.md 1e) are headings in it
  local sec
  for sec in $(grep -rhoE 'reference/pkpd-literature\.md,? [0-9][a-z]?\b' "$SRC"/models --include='*.json' |
      awk '{ print $NF }' | sort -u); do
    grep -qE "^##+ $sec\." "$SRC/models/reference/pkpd-literature.md" ||
      fail "reference/pkpd-literature.md has no section $sec, which a model file cites"
  done
  run "$WORK/missing" compounds --models "$WORK/nowhere"
  [ "$rc" -ne 0 ] || fail "a missing models folder must fail"
  grep -q "nowhere" "$WORK/missing.err" || fail "the error must name the folder"
  finish
}

# ---------------------------------------------------------------------------
# pk simulate --events: the scenario gives the model, solver and grid, the
# event dataset the dosing. Two subjects: one CSV with an ID column and the
# subjects one after the other; one subject: the plain trajectory CSV, which
# for the doses of the scenario itself is byte-identical to simulating it.
EVENTS=$DATA/events
case_events() {
  cd "$WORK" || exit 1
  local scen=$EVENTS/scenario-compounds.json
  run "$WORK/two" simulate "$scen" --events "$EVENTS/two-subjects.csv" -o two.csv
  expect_rc 0 "$WORK/two" "pk simulate --events two-subjects.csv"
  local header
  header=$(head -n 1 two.csv)
  [ "$header" = "ID,time_h,C_mg,C_7oh,ce_mg,ce_7oh,occ,occ_mg,occ_7oh,E,net,tol,wx,wf,W" ] ||
    fail "two subjects: header is '$header'"
  awk -F, '
    function bad(msg) { printf "line %d: %s\n", NR, msg; nbad++ }
    NR == 1 { next }
    {
      n[$1]++
      if (NF != 15) bad("expected 15 fields, got " NF)
      want = ($1 == 1) ? NR - 2 : NR - 147
      if ($2 != want * 0.5) bad("subject " $1 ": time_h " $2 ", expected " want * 0.5)
      c[$1, $2] = $3
    }
    END {
      if (n[1] != 145 || n[2] != 145) { print "rows per subject: " n[1] ", " n[2] ", expected 145 each"; nbad++ }
      if (!(c[1, 9] > 0)) { print "subject 1 has no mitragynine at 9 h"; nbad++ }
      if (!(c[2, 9] > 0 && c[2, 9] != c[1, 9])) { print "subject 2 (CL_mg 150) must differ from subject 1 at 9 h"; nbad++ }
      exit nbad > 0
    }' two.csv >"$WORK/two.txt" || { fail "two subjects:"; head -n 20 "$WORK/two.txt" >&2; }
  run "$WORK/twostd" simulate "$scen" --events "$EVENTS/two-subjects.csv"
  expect_rc 0 "$WORK/twostd" "pk simulate --events two-subjects.csv (standard output)"
  cmp -s two.csv "$WORK/twostd.out" || fail "two subjects: standard output differs from -o"

  run "$WORK/ds" simulate "$scen" --events "$EVENTS/scenario-compounds.csv" -o ds.csv
  expect_rc 0 "$WORK/ds" "pk simulate --events scenario-compounds.csv"
  run "$WORK/js" simulate "$scen" -o js.csv
  expect_rc 0 "$WORK/js" "pk simulate scenario-compounds.json"
  cmp -s ds.csv js.csv || fail "the dataset and the JSON regimen give different CSV files"
  head -n 1 ds.csv | grep -q '^time_h,' || fail "one subject: the CSV must have no ID column"

  if have_gnuplot; then
    # several subjects are drawn overlaid (events_cli.sh checks the figure)
    run "$WORK/plot" simulate "$scen" --events "$EVENTS/two-subjects.csv" -o p.csv --plot p.png
    expect_rc 0 "$WORK/plot" "--plot with two subjects"
    cmp -s p.csv two.csv || fail "--plot with two subjects: the CSV differs from the run without"
    [ -s p.png ] || fail "--plot with two subjects: no image"
  fi
  expect_no_tmp "$WORK" "output directory"
  finish
}

# A bad dataset: the error names the file, line and column; nothing is
# written and a previous output is kept byte for byte.
case_events_bad() {
  cd "$WORK" || exit 1
  local scen=$EVENTS/scenario-compounds.json bad=$EVENTS/bad/addl-without-ii.csv
  run "$WORK/bad" simulate "$scen" --events "$bad" -o out.csv
  expect_rc 1 "$WORK/bad" "a dataset with ADDL and no II"
  expect_in "$WORK/bad.err" "pk: error: " "error prefix"
  expect_in "$WORK/bad.err" "addl-without-ii.csv:3:8: column ADDL: " "file, line, column and header"
  expect_in "$WORK/bad.err" "additional doses need an interval II > 0" "what is wrong"
  if [ -s "$WORK/bad.out" ]; then fail "something was written to standard output"; fi
  expect_absent out.csv "-o file"
  run "$WORK/std" simulate "$scen" --events "$bad"
  expect_rc 1 "$WORK/std" "a bad dataset (standard output)"
  if [ -s "$WORK/std.out" ]; then fail "a partial CSV was written to standard output"; fi
  run "$WORK/good" simulate "$scen" --events "$EVENTS/two-subjects.csv" -o prev.csv
  expect_rc 0 "$WORK/good" "the good dataset"
  cp prev.csv ref.csv
  run "$WORK/again" simulate "$scen" --events "$bad" -o prev.csv
  expect_rc 1 "$WORK/again" "a bad dataset over a previous output"
  cmp -s prev.csv ref.csv || fail "the previous CSV was changed"
  run "$WORK/none" simulate "$scen" --events "$WORK/no-such.csv" -o prev.csv
  expect_rc 1 "$WORK/none" "a missing dataset"
  expect_in "$WORK/none.err" "no-such.csv: cannot open" "a missing dataset is named"
  cmp -s prev.csv ref.csv || fail "a missing dataset changed the previous CSV"
  expect_no_tmp "$WORK" "output directory"
  finish
}

# --solver picks the path and -v says which runs; both paths give the same
# numbers on the default scenario (1e-7 relative, 1e-9 absolute: the CSV
# keeps 12 digits); the exact path refuses kinetic receptor binding.
case_solver() {
  run "$WORK/exact" simulate --solver exact -v -o "$WORK/exact.csv"
  [ "$rc" -eq 0 ] || fail "--solver exact failed: $(cat "$WORK/exact.err")"
  grep -q "solver exact" "$WORK/exact.err" || fail "-v does not name the exact path"
  run "$WORK/ode" simulate --solver ode -v -o "$WORK/ode.csv"
  [ "$rc" -eq 0 ] || fail "--solver ode failed: $(cat "$WORK/ode.err")"
  grep -q "solver ode (GSL" "$WORK/ode.err" || fail "-v does not name the ode path"
  local worst
  worst=$(paste -d, "$WORK/exact.csv" "$WORK/ode.csv" | awk -F, 'NR > 1 {
      n = NF / 2
      for (j = 2; j <= n; j++) {
        a = $j; b = $(j + n); d = a - b; if (d < 0) d = -d
        s = b < 0 ? -b : b
        if (d > 1e-7 * s + 1e-9 && d > w) w = d
      }
    } END { print w + 0 }')
  [ "$worst" = "0" ] || fail "exact and ode paths differ by $worst"
  run "$WORK/kin" simulate --solver exact "$SRC/models/scenarios/buprenorphine-induction.json" -o "$WORK/kin.csv"
  [ "$rc" -eq 1 ] || fail "--solver exact on kinetic binding must fail (got $rc)"
  grep -q "kinetic receptor binding" "$WORK/kin.err" || fail "no reason given for refusing the exact path"
  [ ! -e "$WORK/kin.csv" ] || fail "a refused run wrote its output"
  run "$WORK/badsolver" simulate --solver fast -o "$WORK/bad.csv"
  [ "$rc" -eq 2 ] || fail "--solver fast must be a usage error (got $rc)"
  finish
}

case "$CASE" in
  bad) case_bad "$@" ;;
  solver) case_solver ;;
  events) case_events ;;
  events_bad) case_events_bad ;;
  compounds) case_compounds ;;
  end_to_end) case_end_to_end ;;
  help) case_help ;;
  help_command) case_help_command ;;
  warnings) case_warnings ;;
  did_you_mean) case_did_you_mean ;;
  usage_errors) case_usage_errors ;;
  no_gnuplot) case_no_gnuplot ;;
  bad_plot_name) case_bad_plot_name ;;
  keeps_previous_output) case_keeps_previous_output ;;
  *) echo "run_case.sh: unknown case '$CASE'" >&2; exit 1 ;;
esac
