#!/bin/sh
# Draws every image of README.md (docs/img/) from the shipped scenarios with
# pk and gnuplot, so that the figures always show what the shipped models
# give. Run from anywhere after building:
#
#   scripts/make-readme-images.sh [PK]
#
# PK is the pk program (default: build/cli/pk under the source tree).
set -eu
SRC=$(cd "$(dirname "$0")/.." && pwd)
PK=${1:-$SRC/build/cli/pk}
SCEN=$SRC/models/scenarios
IMG=$SRC/docs/img
[ -x "$PK" ] || { echo "make-readme-images.sh: no pk at $PK; build first" >&2; exit 1; }
command -v gnuplot >/dev/null || [ -n "${PK_GNUPLOT:-}" ] ||
  { echo "make-readme-images.sh: gnuplot is not on PATH" >&2; exit 1; }
WORK=$(mktemp -d "${TMPDIR:-/tmp}/pk-readme-images.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$IMG"

# The default scenario (Quick start) and the example scenarios: pk simulate --plot
for s in kratom-taper oxycodone-to-kratom-cross-taper methadone-taper buprenorphine-induction \
    naloxone-after-fentanyl; do
  "$PK" simulate "$SCEN/$s.json" -o "$WORK/$s.csv" --plot "$IMG/$s.png"
done

# Using pk: two schedules overlaid, the first two weeks
"$PK" simulate "$SCEN/kratom-abrupt-stop.json" -o "$WORK/kratom-abrupt-stop.csv"
"$PK" plot "$WORK/kratom-taper.csv" "$WORK/kratom-abrupt-stop.csv" -o "$IMG/plot-overlay.png" \
  --label "four-week taper" --label "abrupt stop" \
  --doses "$SCEN/kratom-taper.json" --doses "$SCEN/kratom-abrupt-stop.json" \
  --xrange :14 --columns C_mg,occ,E,tol,W --title "kratom: taper and abrupt stop, days 1-14"

# Using pk: population bands (percentiles of 200 subjects, daily view)
"$PK" population "$SCEN/kratom-taper.json" -n 200 --seed 1 --quiet -o "$WORK/pop.csv" \
  --percentiles "$WORK/pop-pct.csv" --plot "$IMG/population-bands.png"

# Using pk: a sweep over the dose, and over dose and clearance as a heat map
"$PK" sweep "$SCEN/kratom-abrupt-stop.json" --param dose=0.25:2:8 --quiet \
  -o "$WORK/sweep-dose.csv" --plot "$IMG/sweep-dose.png"
"$PK" sweep "$SCEN/kratom-abrupt-stop.json" --param dose=0.25:2:8 \
  --param mitragynine.CL=100:800:4:log --quiet -o "$WORK/sweep-grid.csv" \
  --plot "$IMG/sweep-heatmap.png" --heatmap

echo "make-readme-images.sh: $(ls "$IMG" | wc -l) images in $IMG"
