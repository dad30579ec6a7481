#!/usr/bin/env bash
# dataset-scale.sh - an event dataset of N subjects (bench/make-dataset.awk)
# through pk population --events (read subject by subject, batch engine,
# summaries) on 1 and 2 threads, and through pk simulate --events (the whole
# file and every trajectory held), whole process: wall time and peak
# resident memory (GNU time). Prints the CPU first.
#
# usage: bench/dataset-scale.sh PK N [SKIP_SIMULATE]
#   PK             the pk binary (a Release build: build-rel/cli/pk)
#   N              subjects
#   SKIP_SIMULATE  1: leave out pk simulate --events (it holds about 215 KB
#                  per subject; beyond 64 MiB of CSV it needs a raised input
#                  limit, PK_MAX_INPUT_BYTES, which the script sets)
set -euo pipefail
pk=${1:?usage: dataset-scale.sh PK N [SKIP_SIMULATE]}
n=${2:?usage: dataset-scale.sh PK N [SKIP_SIMULATE]}
skip=${3:-0}
here=$(cd "$(dirname "$0")" && pwd)
scenario=$here/../models/scenarios/kratom-taper.json
work=$(mktemp -d "${TMPDIR:-/tmp}/pk-dataset-scale.XXXXXX")
trap 'rm -rf "$work"' EXIT
grep -m1 'model name' /proc/cpuinfo | sed 's/.*: /CPU: /'
"$pk" --version | grep 'batch kernel' # the vector width in use (PK_SIMD chooses)
awk -v n="$n" -f "$here/make-dataset.awk" >"$work/data.csv"
echo "dataset: $n subjects, $(wc -c <"$work/data.csv") bytes"
t() { # t LABEL CMD...: wall time and peak memory of CMD
  local label=$1
  shift
  /usr/bin/time -f "$label: %e s, peak %M KB" "$@" >/dev/null 2>"$work/time.err" ||
    { cat "$work/time.err" >&2; return 1; }
  tail -n 1 "$work/time.err"
}
for threads in 1 2; do
  t "pk population --events, $threads thread(s)" \
    "$pk" population "$scenario" --events "$work/data.csv" -o "$work/sum.csv" -q --threads "$threads"
done
# the whole file is read at once: past 64 MiB only with a raised input limit
[ "$skip" = 1 ] || PK_MAX_INPUT_BYTES=$(($(wc -c <"$work/data.csv") + 1)) \
  t "pk simulate --events (whole file, input limit raised to its size)" \
  "$pk" simulate "$scenario" --events "$work/data.csv" -o "$work/sim.csv"
