#!/usr/bin/env bash
# taper_cli.sh - end-to-end test of `pk taper` on the shipped kratom taper.
#
# usage: taper_cli.sh PK SOURCE_DIR
#
# Checks: --help; a missing --max-withdrawal is a usage error (2); at
# W <= 0.0135 (between the symptom threshold 0.011 and the abrupt-stop peak
# 0.0149) the schedule is 2 g on day 1, 1.25 g on day 2, 0.5 g on day 3,
# none from day 4 (docs/taper.md), written as CSV and as scenario dosing
# entries; those entries pasted into a scenario (same model and 28-day
# run-in) and run with `pk simulate` keep every W at or below the limit; a
# limit that no schedule of at most 2 days meets, a limit below the start
# regimen's own W (answered from one simulation) and a grid that does not
# divide the dose are errors (1) that write nothing.
set -u
PK=$1
SRC=$2
MODELS=$(cd "$SRC/models" && pwd) || exit 1
WORK=$(mktemp -d "${TMPDIR:-/tmp}/pk-taper-cli.XXXXXX") || exit 1
trap 'rm -rf "$WORK"' EXIT
unset PK_MODELS_DIR PK_GNUPLOT
failures=0
fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}

"$PK" taper --help > "$WORK/help" 2>&1 || fail "--help exits non-zero"
grep -q -- "--max-withdrawal" "$WORK/help" || fail "--help does not mention --max-withdrawal"

"$PK" taper > /dev/null 2> "$WORK/err"
[ $? -eq 2 ] || fail "a missing --max-withdrawal must exit 2"
grep -q "needs --max-withdrawal" "$WORK/err" || fail "no message for a missing --max-withdrawal"

LIMIT=0.0135
"$PK" taper "$MODELS/scenarios/kratom-taper.json" --max-withdrawal $LIMIT \
  -o "$WORK/s.json" --csv "$WORK/s.csv" > "$WORK/out" 2> "$WORK/err" ||
  fail "pk taper failed: $(cat "$WORK/err")"
grep -q "chosen: uniform, 3 days from day 1; no dose from day 4" "$WORK/out" ||
  fail "expected the 3-day schedule: $(grep chosen "$WORK/out")"
printf 'day,dose_g\n1,2\n2,1.25\n3,0.5\n4,0\n' | cmp -s - "$WORK/s.csv" ||
  fail "schedule CSV: $(cat "$WORK/s.csv")"

# The written dosing entries in a scenario, simulated by pk simulate.
{
  printf '{"name": "optimised", "model": ["%s/compounds/linear/mitragynine.json",' "$MODELS"
  printf ' "%s/compounds/linear/7-hydroxymitragynine.json", "%s/receptors/mu-opioid.json",' \
    "$MODELS" "$MODELS"
  printf ' "%s/products/kratom-leaf-powder.json"], "run_in_days": 28,' "$MODELS"
  sed -n '/"dosing"/,$p' "$WORK/s.json" | sed '$d' | sed '$d'
  printf '], "output": {"duration_days": 35, "step_h": 1}}\n'
} > "$WORK/scenario.json"
"$PK" simulate "$WORK/scenario.json" -o "$WORK/t.csv" 2> "$WORK/err" ||
  fail "the written schedule does not simulate: $(cat "$WORK/err")"
awk -F, -v lim=$LIMIT 'NR == 1 { for (j = 1; j <= NF; j++) if ($j == "W") w = j; next }
  $w > max { max = $w } END { if (!w || max > lim) { print "max W " max; exit 1 } }' \
  "$WORK/t.csv" || fail "re-simulated schedule exceeds W <= $LIMIT"

"$PK" taper "$MODELS/scenarios/kratom-taper.json" --max-withdrawal $LIMIT --max-days 2 \
  -o "$WORK/none.json" --csv "$WORK/none.csv" > /dev/null 2> "$WORK/err"
[ $? -eq 1 ] || fail "an impossible limit must exit 1"
grep -q "no taper reaches 0 within 2 days" "$WORK/err" || fail "impossible: $(cat "$WORK/err")"
[ ! -e "$WORK/none.json" ] && [ ! -e "$WORK/none.csv" ] || fail "files written on failure"

"$PK" taper "$MODELS/scenarios/kratom-taper.json" --max-withdrawal 0.004 \
  -o "$WORK/none.json" --csv "$WORK/none.csv" > "$WORK/out" 2> "$WORK/err"
[ $? -eq 1 ] || fail "a limit below the start regimen's W must exit 1"
grep -q "the start regimen itself reaches W" "$WORK/err" || fail "below start: $(cat "$WORK/err")"
[ ! -e "$WORK/none.json" ] && [ ! -e "$WORK/none.csv" ] || fail "files written on failure"

"$PK" taper "$MODELS/scenarios/kratom-taper.json" --max-withdrawal 0.05 --grid 0.3 \
  > /dev/null 2> "$WORK/err"
[ $? -eq 1 ] || fail "a grid that does not divide the dose must exit 1"
grep -q "not a multiple of the dose grid 0.3" "$WORK/err" || fail "grid: $(cat "$WORK/err")"

[ $failures -eq 0 ] && echo "taper_cli: all checks passed"
exit $((failures > 0))
