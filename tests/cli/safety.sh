#!/usr/bin/env bash
# safety.sh - pk never runs text from its inputs, never replaces what is not
# a regular file, never writes over one of its own inputs, and leaves no
# temporary file behind when a signal ends it.
#
# usage: safety.sh PK SOURCE_DIR CASE
#
#   plot_text_is_never_a_gnuplot_command
#       scenario names, --title, CSV and image file names holding newlines,
#       quotes, backslashes and system("..."), and a CSV named '<command':
#       plots are drawn, no command runs.
#   outputs_never_replace_devices_fifos_or_links
#       -o /dev/null stays the device, /dev/full is a write error (ENOSPC),
#       a FIFO stays a FIFO and receives the CSV, a symbolic link stays a link
#       and its target is replaced, /dev/stdout redirected to a file gets the
#       CSV, a directory or an empty name is refused.
#   outputs_never_overwrite_inputs
#       -o naming the scenario, one of its model files, the --events dataset
#       or the --spec file, --plot and -o naming one file, pk taper -o F
#       --csv F, pk plot -o CSV: refused, inputs byte-identical.
#   signals_remove_temporary_files
#       SIGHUP, SIGTERM and SIGINT while pk simulate --plot waits for gnuplot,
#       and SIGHUP during pk population: no *.tmp.* file is left and a
#       previous output is kept.
#   errors_never_echo_control_characters
#       a key holding a terminal escape sequence, and a file name with a
#       newline, are shown with '?' in the error message.
#   models_dir_and_names_must_exist
#       PK_MODELS_DIR naming no folder, or a folder without the default
#       scenario, is an error; PK_MAX_INPUT_BYTES sets the input size limit; pk compounds NOSUCH is an error; a population
#       that varies nothing says so.
#
# Exit status: 0 pass, 1 fail, 77 skipped (ctest SKIP_RETURN_CODE).
set -u
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
PK=$1
SRC=$2
CASE=$3
WORK=$(mktemp -d "${TMPDIR:-/tmp}/pk-safety.XXXXXX") || exit 1
trap 'rm -rf "$WORK"' EXIT
unset PK_MODELS_DIR PK_GNUPLOT
# pk's own temporary files (gnuplot scripts, plot CSVs) go to $TMPDIR
export TMPDIR=$WORK
cd "$WORK" || exit 1

no_temporaries() { # no_temporaries WHAT
  local left
  left=$(find "$WORK" -maxdepth 1 \( -name '*.tmp.*' -o -name 'pk-gnuplot-*' -o -name 'pk-plot-*' \) 2>/dev/null)
  [ -z "$left" ] || fail "$1: temporary files left: $left"
}

# scenario NAME FILE: the two-day fixture with the given "name" (JSON text)
# and absolute model paths.
scenario() {
  NAME=$1 MODELS=$SRC/models awk '{
      gsub(/\.\.\/\.\.\/\.\.\/models/, ENVIRON["MODELS"])
      if (index($0, "\"name\": \"two-days\"")) { print "  \"name\": " ENVIRON["NAME"] ","; next }
      print }' "$SRC/tests/data/good/two-days.json" >"$2"
}
touch "$WORK/.start"

case_plot_text() {
  command -v gnuplot >/dev/null || { echo "gnuplot not found: skipped"; exit 77; }
  # a name that ends the string and the line, then runs a shell command
  scenario '"x\n system(\"touch RAN-name\") '"'"' \\ \"\n'"'"'\nsystem(\"touch RAN-name2\")"' s.json
  grep -q 'RAN-name2' s.json || fail "test setup: the scenario has no hostile name"
  local csv=$'a\nsystem("touch RAN-csv")\n\'.csv' img=$'p\nsystem("touch RAN-img")\n\'.png'
  run sim simulate s.json -o "$csv" --plot "$img"
  expect 0 sim "" "simulate with hostile scenario name and file names"
  [ -s "$csv" ] || fail "the CSV was not written"
  head -c 8 "$img" | od -An -c | grep -q 'P   N   G' || fail "the image is not a PNG"
  run plot plot "$csv" -o t.svg --title $'t\'\nsystem("touch RAN-title")\n\\'
  expect 0 plot "" "pk plot with a hostile title"
  grep -q '<svg' t.svg || fail "the SVG was not written"
  # gnuplot reads a file name starting with '<' as a command
  cp "$csv" '<touch RAN-pipe; cat a.csv'
  run pipe plot '<touch RAN-pipe; cat a.csv' -o u.png --title 'sy"s'"'"'tem("touch RAN-q")'
  expect 0 pipe "" "pk plot of a CSV named '<command'"
  run dash plot - -o v.png
  [ "$rc" -ne 0 ] || fail "pk plot - read standard input as a CSV"
  for ran in name name2 csv img title pipe q; do
    [ ! -e "RAN-$ran" ] || fail "a command from the $ran ran"
  done
  no_temporaries "plots"
  finish
}

case_outputs_devices() {
  scenario '"dev"' s.json
  run null simulate s.json -o /dev/null
  expect 0 null "" "-o /dev/null"
  [ -c /dev/null ] || fail "/dev/null is no longer a character device"
  if [ -e /dev/full ]; then
    run full simulate s.json -o /dev/full
    expect 1 full "/dev/full: write failed: No space left on device" "-o /dev/full"
    [ -c /dev/full ] || fail "/dev/full is no longer a character device"
  fi
  mkfifo fifo
  (cat fifo >fifo.got) &
  local reader=$!
  run fifo simulate s.json -o fifo
  wait $reader
  expect 0 fifo "" "-o FIFO"
  [ -p fifo ] || fail "the FIFO was replaced"
  [ "$(head -c 6 fifo.got)" = "time_h" ] || fail "the FIFO did not receive the CSV"
  echo old >target.csv
  ln -s target.csv link.csv
  run link simulate s.json -o link.csv
  expect 0 link "" "-o symbolic link"
  [ -L link.csv ] || fail "the symbolic link was replaced by a file"
  [ "$(head -c 6 target.csv)" = "time_h" ] || fail "the link's target was not written"
  "$PK" simulate s.json -o /dev/stdout >redirected.csv 2>stdout.err
  rc=$?
  expect 0 stdout "" "-o /dev/stdout redirected to a file"
  [ "$(head -c 6 redirected.csv)" = "time_h" ] || fail "-o /dev/stdout wrote nothing to the redirect"
  mkdir dir
  run dir simulate s.json -o dir
  expect 1 dir "dir: is a directory; expected a file name" "-o a directory"
  [ -d dir ] || fail "the directory was replaced"
  run empty simulate s.json -o ""
  expect 1 empty "empty file name" "-o ''"
  run pdev population "$SRC/tests/data/population/kratom-pop.json" -n 4 -o /dev/null \
    --percentiles /dev/null --quiet
  expect 0 pdev "" "pk population -o /dev/null --percentiles /dev/null"
  [ -c /dev/null ] || fail "/dev/null is no longer a character device"
  no_temporaries "device outputs"
  finish
}

same_kept() { # same_kept FILE COPY WHAT
  cmp -s "$1" "$2" || fail "$3: $1 was changed"
}

case_outputs_inputs() {
  scenario '"inputs"' s.json
  cp s.json s.copy
  run a simulate s.json -o s.json
  expect 1 a "-o s.json is also the scenario (s.json)" "-o the scenario"
  same_kept s.json s.copy "-o the scenario"
  run a2 simulate s.json -o ./s.json --plot x.png
  expect 1 a2 "is also the scenario" "-o ./the scenario"
  same_kept s.json s.copy "-o ./the scenario"
  cp "$SRC/models/compounds/linear/mitragynine.json" mg.copy
  run b simulate s.json -o "$SRC/models/compounds/../compounds/linear/mitragynine.json"
  expect 1 b "is also the model file" "-o a model file"
  same_kept "$SRC/models/compounds/linear/mitragynine.json" mg.copy "-o a model file"
  cp "$SRC/tests/data/events/two-subjects.csv" ev.csv
  cp ev.csv ev.copy
  run c simulate s.json --events ev.csv -o ev.csv
  expect 1 c "-o ev.csv is also the --events dataset (ev.csv)" "-o the event dataset"
  same_kept ev.csv ev.copy "-o the event dataset"
  echo previous >x.png
  run d simulate s.json -o x.png --plot x.png
  expect 1 d "-o x.png and --plot x.png name the same file" "--plot and -o one file"
  [ "$(cat x.png)" = previous ] || fail "--plot and -o one file: x.png was changed"
  run d2 simulate s.json -o new.png --plot ./new.png
  expect 1 d2 "name the same file" "--plot and -o one new file"
  [ ! -e new.png ] || fail "--plot and -o one new file: new.png was written"
  echo previous >F
  run e taper s.json --max-withdrawal 0.2 -o F --csv F
  expect 1 e "-o F and --csv F name the same file" "pk taper -o F --csv F"
  [ "$(cat F)" = previous ] || fail "pk taper -o F --csv F: F was changed"
  cp "$SRC/tests/data/population/kratom-pop.json" pop.json
  sed -i "s|\\.\\./\\.\\./\\.\\./models|$SRC/models|" pop.json
  cp pop.json pop.copy
  run f population pop.json -n 2 -o pop.json --quiet
  expect 1 f "-o pop.json is also the scenario (pop.json)" "pk population -o the scenario"
  run g population s.json --spec pop.json -n 2 --percentiles pop.json --quiet
  expect 1 g "--percentiles pop.json is also the --spec (pop.json)" "--percentiles the spec"
  same_kept pop.json pop.copy "pk population"
  "$PK" simulate s.json -o plot.csv 2>/dev/null
  cp plot.csv plot.png
  cp plot.png plot.copy
  run h plot plot.png -o plot.png
  expect 1 h "-o plot.png is also the CSV (plot.png)" "pk plot -o the CSV"
  same_kept plot.png plot.copy "pk plot -o the CSV"
  no_temporaries "refused outputs"
  finish
}

case_signals() {
  scenario '"signals"' s.json
  printf '#!/bin/sh\nsleep 20\n' >slow-gnuplot
  chmod +x slow-gnuplot
  # job control: without it a background job starts with SIGINT ignored,
  # and pk keeps a signal ignored by whoever started it (as under nohup)
  set -m
  for sig in HUP TERM INT; do
    echo previous >"$sig.csv"
    PK_GNUPLOT=$WORK/slow-gnuplot "$PK" simulate s.json -o "$sig.csv" --plot "$sig.png" \
      2>"$sig.err" &
    local pid=$!
    local k=0
    while [ $k -lt 400 ] && ! ls | grep -q "^$sig.png.tmp."; do sleep 0.05; k=$((k + 1)); done
    ls | grep -q "^$sig.csv.tmp." || fail "SIG$sig: no temporary CSV while gnuplot runs (test setup)"
    kill -"$sig" $pid
    wait $pid
    local st=$?
    [ "$st" -gt 128 ] || fail "SIG$sig: pk exited with $st, expected death by the signal"
    [ "$(cat "$sig.csv")" = previous ] || fail "SIG$sig: the previous output was replaced"
    local left
    left=$(ls | grep "^$sig\.\(csv\|png\)\.tmp\.\|^pk-gnuplot-")
    [ -z "$left" ] || fail "SIG$sig: temporary files left: $left"
  done
  pkill -f "$WORK/slow-gnuplot" 2>/dev/null
  # a signal ignored at the start stays ignored (nohup)
  echo previous >nohup.csv
  PK_GNUPLOT=$WORK/slow-gnuplot nohup "$PK" simulate s.json -o nohup.csv --plot nohup.png \
    >/dev/null 2>nohup.err &
  local pid=$!
  local k=0
  while [ $k -lt 400 ] && ! ls | grep -q "^nohup.png.tmp."; do sleep 0.05; k=$((k + 1)); done
  kill -HUP $pid
  sleep 0.3
  kill -0 $pid 2>/dev/null || fail "pk under nohup died of SIGHUP"
  kill -TERM $pid
  wait $pid
  pkill -f "$WORK/slow-gnuplot" 2>/dev/null
  echo previous >sum.csv
  "$PK" population "$SRC/tests/data/population/kratom-pop.json" -n 1000000 -o sum.csv \
    --quiet 2>pop.err &
  local pid=$!
  local k=0
  while [ $k -lt 400 ] && ! ls | grep -q '^sum.csv.tmp.'; do sleep 0.05; k=$((k + 1)); done
  sleep 0.5
  kill -HUP $pid
  wait $pid
  rc=$?
  [ "$rc" -eq 130 ] || fail "population after SIGHUP: exit status $rc, expected 130"
  grep -q "interrupted after" pop.err || fail "population after SIGHUP: no message"
  [ "$(cat sum.csv)" = previous ] || fail "population after SIGHUP: the previous output was replaced"
  ls | grep -q '\.tmp\.' && fail "population after SIGHUP: temporary files left: $(ls)"
  no_temporaries "signals"
  finish
}

case_names() {
  PK_MODELS_DIR=$WORK/nowhere "$PK" simulate -o x.csv >a.out 2>a.err
  rc=$?
  expect 1 a "PK_MODELS_DIR is '$WORK/nowhere', which is not a folder" "PK_MODELS_DIR missing"
  [ ! -e x.csv ] || fail "PK_MODELS_DIR missing: an output was written"
  mkdir empty-models
  PK_MODELS_DIR=$WORK/empty-models "$PK" compounds >b.out 2>b.err
  rc=$?
  expect 1 b "which has no scenarios/kratom-taper.json" "PK_MODELS_DIR without models"
  scenario '"limit"' s.json
  PK_MAX_INPUT_BYTES=100 "$PK" simulate s.json -o x.csv >l.out 2>l.err
  rc=$?
  expect 1 l "more than the input limit of 100 bytes" "PK_MAX_INPUT_BYTES=100"
  PK_MAX_INPUT_BYTES=100000 "$PK" simulate s.json -o x.csv >l2.out 2>l2.err
  rc=$?
  expect 0 l2 "" "PK_MAX_INPUT_BYTES=100000"
  PK_MAX_INPUT_BYTES=lots "$PK" simulate s.json -o y.csv >l3.out 2>l3.err
  rc=$?
  expect 2 l3 "PK_MAX_INPUT_BYTES: expected a whole number of bytes > 0, got 'lots'" \
    "PK_MAX_INPUT_BYTES=lots"
  run c compounds NOSUCH
  expect 1 c "no compound, receptor or product in" "pk compounds NOSUCH"
  grep -qF "'NOSUCH'" c.err || fail "pk compounds NOSUCH: the name is not quoted in the error"
  run d compounds mitragynine NOSUCH
  expect 1 d "'NOSUCH'" "pk compounds mitragynine NOSUCH"
  grep -q "^Compounds" d.out || fail "pk compounds mitragynine NOSUCH: the match was not listed"
  run e compounds mitragynine
  expect 0 e "" "pk compounds mitragynine"
  cat >flat.json <<EOF
{
  "name": "flat",
  "model": ["$SRC/models/compounds/linear/mitragynine.json",
            "$SRC/models/compounds/linear/7-hydroxymitragynine.json",
            "$SRC/models/receptors/mu-opioid.json",
            "$SRC/models/products/kratom-leaf-powder.json"],
  "dosing": [{"product": "kratom-leaf-powder", "dose_g": 2.0, "times_h": [8]}],
  "output": {"duration_days": 1, "step_h": 1},
  "population": {"parameters": {}}
}
EOF
  run f population flat.json -n 3 -o flat.csv
  expect 0 f "the population varies no parameter" "population without variability"
  finish
}

case_errors_escape() {
  scenario '"esc", "\u001b]0;title\u0007\u001b[2J": 1' s.json
  run a simulate s.json -o x.csv
  expect 1 a "unknown key '?]0;title??[2J'" "a key with a terminal escape sequence"
  grep -q "$(printf '\033')" a.err && fail "the error message holds an escape character"
  run b simulate $'no\nsuch.json'
  expect 1 b "no?such.json: cannot open" "a file name with a newline"
  finish
}

case "$CASE" in
  errors_never_echo_control_characters) case_errors_escape ;;
  plot_text_is_never_a_gnuplot_command) case_plot_text ;;
  outputs_never_replace_devices_fifos_or_links) case_outputs_devices ;;
  outputs_never_overwrite_inputs) case_outputs_inputs ;;
  signals_remove_temporary_files) case_signals ;;
  models_dir_and_names_must_exist) case_names ;;
  *) echo "safety.sh: unknown case '$CASE'" >&2; exit 1 ;;
esac
