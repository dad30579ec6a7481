#!/usr/bin/env bash
# run_batch.sh - end-to-end tests of pk population and pk sweep.
#
# usage: run_batch.sh PK SOURCE_DIR CASE [MPIEXEC]
#
#   threads    1 and 2 threads give byte-identical summary, percentile and
#              trajectory files; the final line names the path
#   shards     three --shard runs, concatenated (header kept once), equal the
#              single run; so do shards of a sweep
#   interrupt  SIGINT stops a long run: exit status 130, no output file (a
#              previous one kept), no temporary file, a message saying how
#              far it got; percentiles needing more than the machine's memory
#              are refused before the run
#   failing    a sweep point whose solve fails is reported (status, time,
#              reason) and the other points go on
#   bad_spec   a bad population spec is refused with file and key path,
#              and a previous output is kept
#   sweep      grid size, order and columns; Latin hypercube repeatable
#   mpi        mpirun -np 2 pk ... --mpi equals the single-process run
# Exit status: 0 pass, 1 fail, 77 skipped.
set -u
PK=$1
SRC=$2
CASE=$3
MPIEXEC=${4:-}
POP=$SRC/tests/data/population/kratom-pop.json
WORK=$(mktemp -d "${TMPDIR:-/tmp}/pk-batch-test.XXXXXX") || exit 1
trap 'rm -rf "$WORK"' EXIT
unset PK_MODELS_DIR OMP_NUM_THREADS
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
run() { # run NAME ARGS...: exit status in $rc, stderr in $WORK/NAME.err
  local name=$1
  shift
  "$PK" "$@" >"$WORK/$name.out" 2>"$WORK/$name.err"
  rc=$?
}
same() { # same A B WHAT
  cmp -s "$1" "$2" || fail "$3: $(basename "$1") and $(basename "$2") differ"
}

case $CASE in
threads)
  for t in 1 2; do
    run t$t population "$POP" -n 300 --seed 7 --threads $t -o "$WORK/sum$t.csv" \
      --percentiles "$WORK/pct$t.csv" --trajectories "$WORK/traj$t.csv"
    [ "$rc" -eq 0 ] || { fail "$t threads: exit status $rc"; cat "$WORK/t$t.err" >&2; }
  done
  same "$WORK/sum1.csv" "$WORK/sum2.csv" "summaries, 1 vs 2 threads"
  same "$WORK/pct1.csv" "$WORK/pct2.csv" "percentiles, 1 vs 2 threads"
  same "$WORK/traj1.csv" "$WORK/traj2.csv" "trajectories, 1 vs 2 threads"
  # the path is visible: every subject of this population by the batch kernel
  grep -q '^pk: 300 by the batch kernel (exact path), 0 by pk_simulate' "$WORK/t1.err" ||
    fail "expected the path line: $(cat "$WORK/t1.err")"
  [ "$(wc -l <"$WORK/sum1.csv")" -eq 301 ] || fail "expected 300 rows and a header"
  [ "$(wc -l <"$WORK/pct1.csv")" -eq 74 ] || fail "expected 73 time rows and a header in the percentiles"
  head -n 1 "$WORK/pct1.csv" | grep -q '^time_h,n,C_mg_p5,C_mg_p50,C_mg_p95,' ||
    fail "percentile header: $(head -n 1 "$WORK/pct1.csv")"
  sed -n 2p "$WORK/sum1.csv" | grep -q '^0,ok,' || fail "first row: $(sed -n 2p "$WORK/sum1.csv")"
  # another seed gives another population; the same seed the same one on stdout
  run s8 population "$POP" -n 300 --seed 8 -q
  cmp -s "$WORK/s8.out" "$WORK/sum1.csv" && fail "seed 8 gave the population of seed 7"
  run s7 population "$POP" -n 300 --seed 7 -q
  same "$WORK/s7.out" "$WORK/sum1.csv" "standard output against -o"
  ;;
shards)
  run all population "$POP" -n 101 --seed 3 -o "$WORK/all.csv" -q
  for k in 0 1 2; do
    run sh$k population "$POP" -n 101 --seed 3 --shard $k/3 --threads 2 -o "$WORK/s$k.csv" -q
    [ "$rc" -eq 0 ] || fail "shard $k/3: exit status $rc"
  done
  { cat "$WORK/s0.csv"; tail -n +2 "$WORK/s1.csv"; tail -n +2 "$WORK/s2.csv"; } >"$WORK/cat.csv"
  same "$WORK/cat.csv" "$WORK/all.csv" "shards 0..2 of 3 concatenated"
  [ "$(wc -l <"$WORK/s1.csv")" -eq 35 ] || fail "shard 1/3 of 101: expected 34 rows (33..66)"
  sed -n 2p "$WORK/s1.csv" | grep -q '^33,' || fail "shard 1/3 starts at subject 33"
  run sw sweep "$POP" --param mitragynine.CL=150:300:5 --param dose=0.5,1 -o "$WORK/sw.csv" -q
  run sw0 sweep "$POP" --param mitragynine.CL=150:300:5 --param dose=0.5,1 --shard 0/2 -o "$WORK/sw0.csv" -q
  run sw1 sweep "$POP" --param mitragynine.CL=150:300:5 --param dose=0.5,1 --shard 1/2 -o "$WORK/sw1.csv" -q
  { cat "$WORK/sw0.csv"; tail -n +2 "$WORK/sw1.csv"; } >"$WORK/swcat.csv"
  same "$WORK/swcat.csv" "$WORK/sw.csv" "sweep shards concatenated"
  run pct population "$POP" -n 10 --shard 0/2 --percentiles "$WORK/p.csv"
  [ "$rc" -eq 2 ] && grep -q "not with --shard" "$WORK/pct.err" || fail "--percentiles with --shard refused"
  ;;
interrupt)
  # job control: without it a background job starts with SIGINT ignored,
  # and pk keeps a signal ignored by whoever started it (as under nohup)
  set -m
  echo previous >"$WORK/sum.csv"
  "$PK" population --spec "$POP" -n 1000000 --threads 2 -o "$WORK/sum.csv" \
    >"$WORK/int.out" 2>"$WORK/int.err" &
  pid=$!
  sleep 2
  kill -INT $pid
  wait $pid
  rc=$?
  [ "$rc" -eq 130 ] || { fail "exit status $rc after SIGINT, expected 130"; cat "$WORK/int.err" >&2; }
  grep -Eq "interrupted after [0-9]+ of 1000000 subjects; no output was written" "$WORK/int.err" ||
    { fail "no message saying how far it got"; cat "$WORK/int.err" >&2; }
  [ "$(cat "$WORK/sum.csv")" = previous ] || fail "the previous output was replaced"
  ls "$WORK" | grep -q '\.tmp\.' && fail "temporary files left: $(ls "$WORK")"
  run big population --spec "$POP" -n 100000000 --percentiles "$WORK/pct.csv"
  [ "$rc" -eq 1 ] && grep -q "are needed, more than the .* GB of memory available now" "$WORK/big.err" ||
    { fail "percentiles beyond memory: exit status $rc"; cat "$WORK/big.err" >&2; }
  ;;
failing)
  # K 1e-307 nM: fu ce / K overflows once ce passes about 18 nM, E is not
  # finite and the ODE solver fails (a volume of 1e-300 L is refused up front)
  run f sweep "$SRC/tests/data/population/kratom-pop-ode.json" \
    --param mitragynine.K=709,1e-307,700 -o "$WORK/f.csv"
  [ "$rc" -eq 0 ] || fail "exit status $rc"
  grep -q "1 subject failed" "$WORK/f.err" || fail "no warning about the failed subject"
  [ "$(wc -l <"$WORK/f.csv")" -eq 4 ] || fail "expected 3 rows and a header"
  sed -n 2p "$WORK/f.csv" | grep -q '^0,ok,709,' || fail "row 0: $(sed -n 2p "$WORK/f.csv")"
  sed -n 3p "$WORK/f.csv" | grep -q '^1,failed,1e-307,,.*,8\.[0-9]*,"at t = 8\.[0-9]* h: ODE solver' ||
    fail "row 1: $(sed -n 3p "$WORK/f.csv")"
  sed -n 4p "$WORK/f.csv" | grep -q '^2,ok,700,' || fail "row 2 went on: $(sed -n 4p "$WORK/f.csv")"
  ;;
bad_spec)
  echo previous >"$WORK/sum.csv"
  run b population "$POP" -n 10 --spec "$SRC/tests/data/population/bad/not-positive-definite.json" -o "$WORK/sum.csv"
  [ "$rc" -eq 1 ] || fail "exit status $rc, expected 1"
  grep -q "not-positive-definite.json: correlations: the covariance matrix" "$WORK/b.err" ||
    { fail "message lacks file and key path"; cat "$WORK/b.err" >&2; }
  [ "$(cat "$WORK/sum.csv")" = previous ] || fail "the previous output was replaced"
  run b2 population "$SRC/tests/data/good/two-days.json" -n 10
  [ "$rc" -eq 1 ] && grep -q "two-days.json: this scenario has no 'population' block" "$WORK/b2.err" ||
    fail "a scenario without a population block: $(cat "$WORK/b2.err")"
  run b3 sweep "$POP" --param mitragynine.CLx=1:2:3
  [ "$rc" -eq 1 ] && grep -q "unknown parameter 'CLx'" "$WORK/b3.err" || fail "bad --param: $(cat "$WORK/b3.err")"
  run b4 population "$POP"
  [ "$rc" -eq 2 ] && grep -q "give the number of subjects with -n N" "$WORK/b4.err" || fail "missing -n"
  ls "$WORK" | grep -q '\.tmp\.' && fail "temporary files left"
  ;;
sweep)
  run g sweep "$POP" --param mitragynine.CL=100:400:7 --param dose=0.5:2:4 -o "$WORK/g.csv" -q
  [ "$rc" -eq 0 ] || fail "exit status $rc"
  [ "$(wc -l <"$WORK/g.csv")" -eq 29 ] || fail "7 x 4 = 28 rows expected"
  head -n 1 "$WORK/g.csv" | grep -q '^id,status,mg.CL,dose,Cmax_mg,Tmax_mg,Cmin_mg,AUC_mg,Cmax_7oh,' ||
    fail "header: $(head -n 1 "$WORK/g.csv")"
  head -n 1 "$WORK/g.csv" | grep -q ',occ_min,occ_max,E_max,W_max,h_W_above_0.011,h_occ_above_0.1,fail_t_h,reason$' ||
    fail "header end: $(head -n 1 "$WORK/g.csv")"
  sed -n 3p "$WORK/g.csv" | grep -q '^1,ok,100,1,' || fail "row 1 is CL 100, dose 1: $(sed -n 3p "$WORK/g.csv")"
  sed -n 29p "$WORK/g.csv" | grep -q '^27,ok,400,2,' || fail "last row: $(sed -n 29p "$WORK/g.csv")"
  run l1 sweep "$POP" --param mitragynine.CL=100:400 --param k_tol=0.01:0.1:log --lhs 20 --seed 5 -q
  run l2 sweep "$POP" --param mitragynine.CL=100:400 --param k_tol=0.01:0.1:log --lhs 20 --seed 5 -q --threads 1
  same "$WORK/l1.out" "$WORK/l2.out" "Latin hypercube, same seed"
  [ "$(wc -l <"$WORK/l1.out")" -eq 21 ] || fail "20 LHS points expected"
  ;;
mpi)
  [ -n "$MPIEXEC" ] || exit 77
  MPIRUN=("$MPIEXEC" -np 2)
  if [ "$(id -u)" -eq 0 ]; then MPIRUN+=(--allow-run-as-root); fi
  MPIRUN+=(--oversubscribe)
  export OMPI_MCA_rmaps_base_oversubscribe=1
  run one population "$POP" -n 203 --seed 11 -o "$WORK/one.csv" --percentiles "$WORK/one-pct.csv" -q
  "${MPIRUN[@]}" "$PK" population "$POP" -n 203 --seed 11 --mpi --threads 1 -o "$WORK/mpi.csv" \
    --percentiles "$WORK/mpi-pct.csv" -q >"$WORK/mpi.out" 2>"$WORK/mpi.err"
  rc=$?
  [ "$rc" -eq 0 ] || { fail "mpirun exit status $rc"; cat "$WORK/mpi.err" >&2; }
  same "$WORK/mpi.csv" "$WORK/one.csv" "MPI (2 ranks) against one process: summaries"
  same "$WORK/mpi-pct.csv" "$WORK/one-pct.csv" "MPI (2 ranks) against one process: percentiles"
  run sw1 sweep "$POP" --param mitragynine.CL=150:300:5 --param dose=0.5,1,2 -o "$WORK/sw1.csv" -q
  "${MPIRUN[@]}" "$PK" sweep "$POP" --param mitragynine.CL=150:300:5 --param dose=0.5,1,2 --mpi \
    -o "$WORK/sw2.csv" -q >"$WORK/mpi2.out" 2>"$WORK/mpi2.err" || fail "mpirun sweep failed"
  same "$WORK/sw2.csv" "$WORK/sw1.csv" "MPI sweep against one process"
  ;;
*)
  echo "unknown case $CASE" >&2
  exit 1
  ;;
esac
finish
