#!/usr/bin/env bash
# npy_cli.sh - pk population --trajectories FILE.npy against the CSV of the
# same run, decoded with od (no numpy here): the bytes of the format are
# checked against what numpy's format description says, written out below.
#
# usage: npy_cli.sh PK SOURCE_DIR CASE
#
#   values   4 subjects as CSV and as .npy (same seed): the magic string,
#            version 1.0, the header length and its text exactly, the data
#            at a multiple of 64 bytes, the file size, every subject index
#            equal and every value within 1e-11 of the CSV's 12 digits; the
#            metadata names the format; --threads 1 and 2 give the same bytes
#   hostile  a compound id with a quote and a backslash (model files allow
#            them) written as a Python literal; a UTF-8 id makes version 3.0;
#            an id that is not UTF-8 is refused naming the column, nothing
#            written and the previous file kept
#   errors   a directory, a missing directory, a pipe, a file opened for
#            appending (/dev/stdout), a full device, an input as the output,
#            --mpi: refused with a message and no file
#   shards   --shard 0/2 and 1/2: each shard's file holds its subjects with
#            their global indices; their records concatenate to the single
#            run's
#   events   population --events: record k's subject is k, the summary's row
#            k, whose id is the dataset's ID; values equal the CSV's
# Exit status: 0 pass, 1 fail.
set -u
PK=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
SRC=$(cd "$2" && pwd)
CASE=$3
POP=$SRC/tests/data/population/kratom-pop.json
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/pk-npy-test.XXXXXX") || exit 1
trap 'rm -rf "$WORK"' EXIT
cd "$WORK" || exit 1 # the cases write into it by relative names
unset PK_MODELS_DIR OMP_NUM_THREADS

# u16 FILE OFFSET, u32 FILE OFFSET: little-endian unsigned integers
u16() { od -A n -j "$2" -N 2 -t u2 --endian=little "$1" | tr -d ' '; }
u32() { od -A n -j "$2" -N 4 -t u4 --endian=little "$1" | tr -d ' '; }
# hexbytes FILE OFFSET COUNT
hexbytes() { od -A n -j "$2" -N "$3" -t x1 "$1" | tr -d ' \n'; }
# check_header FILE VERSION TEXT_FILE: magic, version, length field and the
# header text (TEXT_FILE: the dict; spaces and a newline are added here up
# to the length the file gives, which must end the header at a multiple of
# 64); sets DATA, the offset of the data
check_header() {
  local f=$1 v=$2 text=$3 prefix hlen
  [ "$(hexbytes "$f" 0 6)" = 934e554d5059 ] || fail "$f: magic $(hexbytes "$f" 0 6)"
  [ "$(hexbytes "$f" 6 2)" = "0${v}00" ] || fail "$f: version $(hexbytes "$f" 6 2), expected $v.0"
  if [ "$v" = 1 ]; then prefix=10; hlen=$(u16 "$f" 8); else prefix=12; hlen=$(u32 "$f" 8); fi
  DATA=$((prefix + hlen))
  [ $((DATA % 64)) -eq 0 ] || fail "$f: the data start at $DATA, not a multiple of 64"
  local n
  n=$(wc -c <"$text")
  # numpy's rule with room for a 20-digit count: the shortest multiple of 64
  # that holds prefix, text with 20 digits and the newline
  local digits
  digits=$(grep -o "'shape': ([0-9]*,)" "$text" | tr -cd 0-9 | wc -c)
  [ "$DATA" -eq $(((prefix + n - digits + 20 + 1 + 63) / 64 * 64)) ] ||
    fail "$f: header of $hlen bytes; the text of $n bytes and a 20-digit count need $(((prefix + n - digits + 20 + 1 + 63) / 64 * 64 - prefix))"
  { cat "$text"; printf "%$((hlen - n - 1))s\n" ""; } >"$text.padded"
  cmp -s <(tail -c +$((prefix + 1)) "$f" | head -c "$hlen") "$text.padded" ||
    fail "$f: header text: $(tail -c +$((prefix + 1)) "$f" | head -c "$hlen" | tr -d '\n' | cat -v) expected $(cat -v "$text")"
}
# records FILE OFFSET FIELDS: the records from OFFSET, one field a line: the
# first of each record (subject, <i8) as an integer, the others (<f8) as
# doubles
records() {
  od -A n -v -w8 -j "$2" -t d8 -t f8 "$1" |
    awk -v n="$3" '{ $1 = $1 } NR % 2 == 1 { i = $0; next } { print ((NR / 2 - 1) % n == 0 ? i : $0) }'
}
# csv_fields CSV: the rows of a trajectory CSV, one field a line
csv_fields() { tail -n +2 "$1" | tr ',' '\n'; }
# same_values WHAT FIELDS EXPECTED GOT: field k of each record equal as text
# when k is 0 (EXPECTED's column 1 mapped through IDS when given), else
# within 1e-11 relative
same_values() {
  local what=$1 n=$2
  [ "$(wc -l <"$3")" -eq "$(wc -l <"$4")" ] ||
    fail "$what: $(wc -l <"$4") fields in the .npy file, $(wc -l <"$3") in the CSV"
  local bad
  bad=$(paste -d' ' "$3" "$4" | awk -v n="$n" '
    { k = (NR - 1) % n }
    k == 0 && $1 != $2 { print "record " int((NR - 1) / n) ": subject " $2 ", expected " $1; exit }
    k > 0 { d = $1 - $2; if (d < 0) d = -d; m = $1 < 0 ? -$1 : $1
            if (d > 1e-11 * m) { print "record " int((NR - 1) / n) " field " k ": " $2 ", expected " $1; exit } }')
  [ -z "$bad" ] || fail "$what: $bad"
}

FIELDS_POP="('subject', '<i8'), ('time_h', '<f8'), ('C_mg', '<f8'), ('C_7oh', '<f8'), ('ce_mg', '<f8'), ('ce_7oh', '<f8'), ('occ', '<f8'), ('occ_mg', '<f8'), ('occ_7oh', '<f8'), ('E', '<f8'), ('net', '<f8'), ('tol', '<f8'), ('wx', '<f8'), ('wf', '<f8'), ('W', '<f8')"

case $CASE in
values)
  run c population "$POP" -n 4 --seed 11 -o sum.csv --trajectories t.csv -q
  expect 0 c "" "CSV trajectories"
  run n population "$POP" -n 4 --seed 11 -o sum2.csv --trajectories t.npy -q
  expect 0 n "" ".npy trajectories"
  cmp -s sum.csv sum2.csv || fail "the summary depends on the trajectories' format"
  # 4 subjects x 73 hourly rows; 15 fields of 8 bytes
  printf "%s" "{'descr': [$FIELDS_POP], 'fortran_order': False, 'shape': (292,), }" >want
  check_header t.npy 1 want
  [ "$DATA" -eq 384 ] || fail "t.npy: data at $DATA, expected 384 (a 374-byte header)"
  [ "$(wc -c <t.npy)" -eq $((DATA + 292 * 15 * 8)) ] ||
    fail "t.npy: $(wc -c <t.npy) bytes, expected $DATA + 292 x 120"
  [ "$(head -n 1 t.csv)" = "id,time_h,C_mg,C_7oh,ce_mg,ce_7oh,occ,occ_mg,occ_7oh,E,net,tol,wx,wf,W" ] ||
    fail "CSV header: $(head -n 1 t.csv)"
  records t.npy "$DATA" 15 >got
  csv_fields t.csv >expected
  same_values "t.npy against t.csv" 15 expected got
  # subjects 0..3 in order, 73 records each
  [ "$(awk 'NR % 15 == 1' got | uniq -c | awk '{ printf "%s:%s ", $2, $1 }')" = "0:73 1:73 2:73 3:73 " ] ||
    fail "subjects: $(awk 'NR % 15 == 1' got | uniq -c | tr -s ' \n' ' ')"
  # the values are the exact doubles: a value the CSV rounds differs from it
  awk 'NR % 15 == 5 && $1 != 0' got | head -n 1 | grep -q '[0-9]\{13\}' ||
    fail "C_7oh is not written with more than 12 digits: $(awk 'NR % 15 == 5 && $1 != 0' got | head -n 1)"
  # the metadata says which format the trajectories are in
  grep -A 3 '"trajectories"' sum2.meta.json | tr -d ' \t\n' | grep -qF '{"path":"t.npy","format":"npy"}' ||
    fail "sum2.meta.json: $(grep -A 2 '"trajectories"' sum2.meta.json)"
  grep -A 3 '"trajectories"' sum.meta.json | tr -d ' \t\n' | grep -qF '{"path":"t.csv","format":"csv"}' ||
    fail "sum.meta.json: $(grep -A 2 '"trajectories"' sum.meta.json)"
  # one thread writes the same bytes as two
  run n1 population "$POP" -n 4 --seed 11 -o /dev/null --trajectories t1.npy --threads 1 -q
  expect 0 n1 "" ".npy trajectories, 1 thread"
  run n2 population "$POP" -n 4 --seed 11 -o /dev/null --trajectories t2.npy --threads 2 -q
  expect 0 n2 "" ".npy trajectories, 2 threads"
  cmp -s t1.npy t.npy && cmp -s t2.npy t.npy || fail "1 and 2 threads give other bytes"
  # pk sweep writes them the same way (a sweep point's index as subject)
  run sw sweep "$POP" --param mitragynine.CL=150:300:3 -o /dev/null --trajectories sw.npy -q
  expect 0 sw "" "pk sweep --trajectories .npy"
  printf "%s" "{'descr': [$FIELDS_POP], 'fortran_order': False, 'shape': (219,), }" >want-sw
  check_header sw.npy 1 want-sw
  ;;
hostile)
  # mitragynine with the id q'b\s (a quote and a backslash; model files
  # refuse spaces, commas, double quotes and control characters)
  sed 's/"id": "mg"/"id": "q'"'"'b\\\\s"/' "$SRC/models/compounds/linear/mitragynine.json" >mg.json
  grep -qF '"id": "q'"'"'b\\s"' mg.json || fail "the test's model file: $(grep '"id"' mg.json)"
  cat >hostile.json <<EOF
{
  "name": "hostile",
  "model": ["mg.json", "$SRC/models/receptors/mu-opioid.json"],
  "dosing": [{"compound": "mitragynine", "dose_mg": 20, "times_h": [0, 12]}],
  "output": {"duration_days": 1, "step_h": 6},
  "population": {"parameters": {"mitragynine.CL": {"cv_percent": 30}}}
}
EOF
  run c population hostile.json -n 3 -o /dev/null --trajectories h.csv -q
  expect 0 c "" "hostile id, CSV"
  run n population hostile.json -n 3 -o /dev/null --trajectories h.npy -q
  expect 0 n "" "hostile id, .npy"
  cat >want <<'EOF'
{'descr': [('subject', '<i8'), ('time_h', '<f8'), ('C_q\'b\\s', '<f8'), ('ce_q\'b\\s', '<f8'), ('occ', '<f8'), ('occ_q\'b\\s', '<f8'), ('E', '<f8'), ('net', '<f8'), ('tol', '<f8'), ('wx', '<f8'), ('wf', '<f8'), ('W', '<f8')], 'fortran_order': False, 'shape': (15,), }
EOF
  printf "%s" "$(cat want)" >want1 # without the newline
  check_header h.npy 1 want1
  records h.npy "$DATA" 12 >got
  csv_fields h.csv >expected
  same_values "h.npy against h.csv" 12 expected got
  # a UTF-8 id: version 3.0, the name's bytes as they are
  sed 's/"id": "mg"/"id": "m\\u00e9"/' "$SRC/models/compounds/linear/mitragynine.json" >mg.json
  run u population hostile.json -n 3 -o /dev/null --trajectories u.npy -q
  expect 0 u "" "UTF-8 id"
  printf "%s" "{'descr': [('subject', '<i8'), ('time_h', '<f8'), ('C_m$(printf '\303\251')', '<f8'), ('ce_m$(printf '\303\251')', '<f8'), ('occ', '<f8'), ('occ_m$(printf '\303\251')', '<f8'), ('E', '<f8'), ('net', '<f8'), ('tol', '<f8'), ('wx', '<f8'), ('wf', '<f8'), ('W', '<f8')], 'fortran_order': False, 'shape': (15,), }" >want3
  check_header u.npy 3 want3
  records u.npy "$DATA" 12 >got3
  same_values "u.npy against h.csv" 12 expected got3
  # an id that is not UTF-8 (a Latin-1 e-acute): refused, naming the column;
  # no output, the previous file kept
  sed 's/"id": "mg"/"id": "m\xe9"/' "$SRC/models/compounds/linear/mitragynine.json" >mg.json
  cp h.npy keep.npy
  run b population hostile.json -n 3 -o sum.csv --trajectories h.npy -q
  expect 1 b "h.npy: field name 'C_m\\xe9' is neither ASCII nor valid UTF-8 (byte 4)" "Latin-1 id"
  cmp -s h.npy keep.npy || fail "Latin-1 id: the previous h.npy was not kept"
  [ ! -e sum.csv ] || fail "Latin-1 id: the summary was written"
  ls | grep -q '\.tmp\.' && fail "Latin-1 id: a temporary file is left: $(ls)"
  ;;
errors)
  mkdir d.npy
  run d population "$POP" -n 3 -o sum.csv --trajectories d.npy -q
  expect 1 d "d.npy: is a directory" "a directory"
  run m population "$POP" -n 3 -o sum.csv --trajectories nodir/t.npy -q
  expect 1 m "nodir/t.npy: cannot create a file here" "a missing directory"
  [ ! -e nodir ] || fail "a missing directory was made"
  ln -s /dev/stdout out.npy
  "$PK" population "$POP" -n 3 -o sum.csv --trajectories out.npy -q 2>p.err | cat >/dev/null
  rc=${PIPESTATUS[0]}
  expect 1 p "out.npy: cannot seek in the output" "a pipe"
  run a population "$POP" -n 3 -o sum.csv --trajectories out.npy -q
  expect 1 a "out.npy: the output is open for appending" "standard output to a file"
  [ ! -s a.out ] || fail "standard output to a file: $(wc -c <a.out) bytes written to it"
  ln -s /dev/full full.npy
  run f population "$POP" -n 3 -o sum.csv --trajectories full.npy -q
  expect 1 f "full.npy: write failed: No space left on device" "a full device"
  [ ! -e sum.csv ] || fail "a failed run left the summary"
  cp "$POP" spec.npy
  run s population "$POP" --spec spec.npy -n 3 -o sum.csv --trajectories spec.npy -q
  expect 1 s "--trajectories spec.npy is also the --spec" "an input as the output"
  cmp -s spec.npy "$POP" || fail "the input was changed"
  run mpi population "$POP" -n 3 -o sum.csv --trajectories t.npy --mpi -q
  expect 2 mpi "--trajectories is not available with --mpi" "--mpi"
  [ -z "$(ls | grep -v -e '\.err$' -e '\.out$' -e '^d\.npy$' -e '^out\.npy$' -e '^full\.npy$' -e '^spec\.npy$')" ] ||
    fail "files left: $(ls)"
  ;;
shards)
  run all population "$POP" -n 5 --seed 3 -o /dev/null --trajectories all.npy -q
  expect 0 all "" "one run"
  for k in 0 1; do
    run s$k population "$POP" -n 5 --seed 3 --shard $k/2 -o /dev/null --trajectories s$k.npy -q
    expect 0 s$k "" "shard $k/2"
  done
  # shard 0 of 2 runs subjects 0 and 1, shard 1 subjects 2 to 4 (73 rows each)
  printf "%s" "{'descr': [$FIELDS_POP], 'fortran_order': False, 'shape': (146,), }" >want0
  printf "%s" "{'descr': [$FIELDS_POP], 'fortran_order': False, 'shape': (219,), }" >want1
  check_header s0.npy 1 want0
  check_header s1.npy 1 want1
  [ "$(records s1.npy "$DATA" 15 | awk 'NR % 15 == 1' | uniq | tr '\n' ' ')" = "2 3 4 " ] ||
    fail "shard 1/2: subjects $(records s1.npy "$DATA" 15 | awk 'NR % 15 == 1' | uniq | tr '\n' ' ')"
  cmp -s <(tail -c +$((DATA + 1)) s0.npy; tail -c +$((DATA + 1)) s1.npy) <(tail -c +$((DATA + 1)) all.npy) ||
    fail "the shards' records do not concatenate to the single run's"
  ;;
events)
  EV=$SRC/tests/data/events
  { echo "ID,TIME,EVID,AMT,CMT,RATE,CL_mg"
    for i in 7 3 9; do
      for k in 0 1 2; do echo "S$i,$((8 + 12 * k)),1,30,depot_mg,0,$((100 + 20 * i))"; done
    done; } >ds.csv
  run c population "$EV/scenario-compounds.json" --events ds.csv -o sum.csv --trajectories t.csv -q
  expect 0 c "" "population --events, CSV"
  run n population "$EV/scenario-compounds.json" --events ds.csv -o /dev/null --trajectories t.npy -q
  expect 0 n "" "population --events, .npy"
  nf=$(($(head -n 1 t.csv | tr ',' '\n' | wc -l) + 0))
  # the CSV's id column holds the dataset's ID; record k's subject is the
  # summary's row k (S7 -> 0, S3 -> 1, S9 -> 2)
  [ "$(tail -n +2 sum.csv | cut -d, -f1 | tr '\n' ' ')" = "S7 S3 S9 " ] ||
    fail "summary ids: $(tail -n +2 sum.csv | cut -d, -f1 | tr '\n' ' ')"
  csv_fields t.csv | awk -v n="$nf" 'NR % n == 1 { sub(/^S7$/, 0); sub(/^S3$/, 1); sub(/^S9$/, 2) } 1' >expected
  fields=$(head -n 1 t.csv | awk -F, '{ for (j = 2; j <= NF; j++) printf ", (\047%s\047, \047<f8\047)", $j }')
  printf "%s" "{'descr': [('subject', '<i8')$fields], 'fortran_order': False, 'shape': ($(($(wc -l <t.csv) - 1)),), }" >want
  check_header t.npy 1 want
  records t.npy "$DATA" "$nf" >got
  same_values "population --events: t.npy against t.csv" "$nf" expected got
  ;;
*) echo "npy_cli.sh: unknown case '$CASE'" >&2; exit 1 ;;
esac
finish
