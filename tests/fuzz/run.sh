#!/usr/bin/env bash
# run.sh - runs every libFuzzer target of a -DPK_FUZZ=ON build for a fixed
# time each, starting from the seed corpora, and fails on the first target
# that finds a crash, a leak, undefined behaviour, a timeout or an
# out-of-memory.
#
# usage: tests/fuzz/run.sh BUILD_DIR [SECONDS] [TARGET...]
#   SECONDS  per target (default 60)
#   TARGET   scenario, model, dataset, population, sweep, trajectory, settings
#            (default: all)
#
# New inputs go to BUILD_DIR/fuzz-corpus/<target>/ (the seed directories are
# only read); a failing input is saved as BUILD_DIR/fuzz-artifacts/<target>-*
# and can be replayed with BUILD_DIR/tests/fuzz/fuzz_replay_<target> FILE
# (or the fuzz_<target> binary given the file).
# Each input must finish within 10 s and 2 GB.
set -euo pipefail
build=${1:?usage: run.sh BUILD_DIR [SECONDS] [TARGET...]}
secs=${2:-60}
shift $(($# < 2 ? $# : 2))
list=$build/tests/fuzz/fuzz_targets.txt
[ -f "$list" ] || { echo "run.sh: no $list (configure with -DPK_FUZZ=ON)" >&2; exit 1; }
mkdir -p "$build/fuzz-corpus" "$build/fuzz-artifacts"
status=0
while read -r name seeds; do
  if [ $# -gt 0 ] && ! printf '%s\n' "$@" | grep -qx "$name"; then continue; fi
  bin=$build/tests/fuzz/fuzz_$name
  [ -x "$bin" ] || { echo "run.sh: $bin is not built" >&2; exit 1; }
  corpus=$build/fuzz-corpus/$name
  mkdir -p "$corpus"
  echo "== fuzz_$name for $secs s"
  start=$(date +%s)
  # shellcheck disable=SC2086 # $seeds is a list of directories
  if ! ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
      "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
      -artifact_prefix="$build/fuzz-artifacts/$name-" "$corpus" $seeds \
      >"$build/fuzz-artifacts/$name.log" 2>&1; then
    echo "fuzz_$name FAILED after $(($(date +%s) - start)) s; the end of its log:" >&2
    tail -n 60 "$build/fuzz-artifacts/$name.log" >&2
    status=1
    break
  fi
  grep -E '^stat::number_of_executed_units|^stat::new_units_added|Done [0-9]+ runs' \
    "$build/fuzz-artifacts/$name.log" | tr '\n' ' '
  echo "($(($(date +%s) - start)) s)"
done <"$list"
exit $status
