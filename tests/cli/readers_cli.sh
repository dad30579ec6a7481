#!/usr/bin/env bash
# readers_cli.sh - pk's input files that are not regular files, empty names
# and malformed dataset lines, through the command line.
#
# usage: readers_cli.sh PK SOURCE_DIR CASE
#
#   not_regular   /dev/zero as the scenario, as a model file named by a
#                 scenario, as the --events dataset and as the population
#                 --spec: each refused within seconds (it used to be read
#                 until memory ran out), the file named, "not a regular file
#                 (character device)", exit status 1, nothing on standard
#                 output; a directory and an empty name likewise
#   quote_lines   --events with lines whose quotes once made the field count
#                 and the fields disagree (1",", then 5 or 5000 commas):
#                 refused with the line and column, exit status 1 (no crash)
#
# Exit status: 0 pass, 1 fail.
set -u
if [ $# -ne 3 ]; then
  echo "usage: readers_cli.sh PK SOURCE_DIR CASE" >&2
  exit 1
fi
PK=$1
SRC=$2
CASE=$3
DATA=$SRC/tests/data
GOOD=$DATA/good/two-days.json
WORK=$(mktemp -d "${TMPDIR:-/tmp}/pk-readers-test.XXXXXX") || exit 1
trap 'rm -rf "$WORK"' EXIT
unset PK_MODELS_DIR PK_GNUPLOT PK_MAX_INPUT_BYTES

. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

# refused WHAT EXPECT... -- ARGS...: pk ARGS must exit 1 within 20 s with
# nothing on standard output and every EXPECT on standard error.
refused() {
  local what=$1
  shift
  local expects=()
  while [ "$1" != "--" ]; do
    expects+=("$1")
    shift
  done
  shift
  timeout 20 "$PK" "$@" >"$WORK/out" 2>"$WORK/err"
  local rc=$?
  if [ "$rc" -eq 124 ]; then
    fail "$what: pk did not finish within 20 s"
  elif [ "$rc" -ne 1 ]; then
    fail "$what: exit status $rc, expected 1"
  fi
  [ -s "$WORK/out" ] && fail "$what: something was written to standard output"
  local e
  for e in "${expects[@]}"; do
    grep -qF -- "$e" "$WORK/err" || fail "$what: '$e' not in standard error"
  done
  if [ "$failures" -ne 0 ]; then
    echo "--- standard error of pk ($what):" >&2
    cat "$WORK/err" >&2
  fi
}

case_not_regular() {
  local dev="is not a regular file (character device); expected a file"
  refused "scenario /dev/zero" "pk: error: /dev/zero: $dev" -- simulate /dev/zero
  sed "s#\"../../../models/compounds/linear/mitragynine.json\"#\"/dev/zero\"#" "$GOOD" |
    sed "s#\"\\.\\./\\.\\./\\.\\./models/#\"$SRC/models/#" >"$WORK/zero-model.json"
  refused "model file /dev/zero" "pk: error: /dev/zero: $dev" \
    "(model file named in $WORK/zero-model.json at model[0])" -- simulate "$WORK/zero-model.json"
  refused "--events /dev/zero" "pk: error: /dev/zero: $dev" -- \
    simulate "$DATA/events/scenario-compounds.json" --events /dev/zero
  refused "--spec /dev/zero" "pk: error: /dev/zero: $dev" -- \
    population "$DATA/population/kratom-pop.json" -n 2 --spec /dev/zero
  refused "scenario directory" "pk: error: $DATA: is a directory; expected a file" -- \
    simulate "$DATA"
  refused "--events directory" "pk: error: $DATA: is a directory; expected a file" -- \
    simulate "$DATA/events/scenario-compounds.json" --events "$DATA"
  refused "empty scenario name" "pk: error: empty file name; expected the path of a file" -- \
    simulate ""
  refused "empty --events name" "pk: error: " "empty file name" -- \
    simulate "$DATA/events/scenario-compounds.json" --events ""
}

case_quote_lines() {
  local n
  for n in 5 5000; do
    {
      echo "ID,TIME,EVID,AMT,CMT"
      printf '1",",'
      head -c "$n" /dev/zero | tr '\0' ','
      echo
    } >"$WORK/quotes-$n.csv"
    refused "1\",\" and $n commas" "quotes-$n.csv:2:2: column TIME: malformed quoted field" -- \
      simulate "$DATA/events/scenario-compounds.json" --events "$WORK/quotes-$n.csv"
  done
}

case $CASE in
  not_regular) case_not_regular ;;
  quote_lines) case_quote_lines ;;
  *) echo "unknown case $CASE" >&2; exit 1 ;;
esac
finish
