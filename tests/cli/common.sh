# common.sh - sourced by the CLI test scripts: counting failed checks, and
# running pk (PK) with its exit status and messages kept (run, expect; a
# script may define its own run after sourcing this).
# The script sets CASE before calling finish.
failures=0
# fail TEXT: reports a failed check and counts it.
fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}
# finish: exit 1 if any check failed, else 0.
finish() {
  if [ "$failures" -ne 0 ]; then
    echo "$CASE: $failures check(s) failed" >&2
    exit 1
  fi
  echo "$CASE: ok"
  exit 0
}

run() { # run PREFIX ARGS...: pk ARGS, output in PREFIX.out/.err, status in $rc
  local prefix=$1
  shift
  "$PK" "$@" >"$prefix.out" 2>"$prefix.err"
  rc=$?
}
expect() { # expect RC PREFIX TEXT WHAT
  if [ "$rc" -ne "$1" ]; then
    fail "$4: exit status $rc, expected $1"
    cat "$2.err" >&2
  elif [ -n "$3" ] && ! grep -qF -- "$3" "$2.err"; then
    fail "$4: '$3' not in the error"
    cat "$2.err" >&2
  fi
}

# The stub gnuplot, for tests of what pk gives gnuplot. stub_gnuplot DIR
# writes DIR/stub-gnuplot ($STUB), which keeps the script, the data file,
# the title and the arguments it is given (gnuplot -c SCRIPT DATA TITLE) as
# DIR/rec/script.N, data.N, title.N and args.N, and writes a PNG signature
# as the image.
stub_gnuplot() {
  REC=$1/rec
  mkdir -p "$REC"
  cat >"$1/stub-gnuplot" <<EOF
#!/bin/sh
n=\$(ls "$REC" | grep -c '^script')
cp "\$2" "$REC/script.\$n" && cp "\$3" "$REC/data.\$n" &&
  printf '%s\n' "\$4" >"$REC/title.\$n" && printf '%s\n' "\$@" >"$REC/args.\$n"
printf '\211PNG\r\n\032\n'
EOF
  chmod +x "$1/stub-gnuplot"
  STUB=$1/stub-gnuplot
  last=-1
}
# stub PREFIX ARGS...: pk ARGS with the stub gnuplot; $S, $D: its script and
# data, $last their number
stub() {
  rc=0
  PK_GNUPLOT=$STUB "$PK" "${@:2}" >"$1.out" 2>"$1.err" || rc=$?
  last=$(($(ls "$REC" | grep -c '^script') - 1))
  S=$REC/script.$last
  D=$REC/data.$last
  [ "$rc" -eq 0 ] && [ -f "$S" ] || { fail "$1: pk with the stub gnuplot: exit $rc"; cat "$1.err" >&2; }
}
# outside_quotes SCRIPT: the text of a gnuplot script that pk wrote outside
# its quoted strings: single-quoted strings (quotes doubled inside), a
# leading quote written "'". and the line breaks ."\n". of its labels
outside_quotes() {
  sed -e "s/\"'\"\\.//g" -e "s/'\\([^']\\|''\\)*'//g" -e 's/\."\\n"\.//g' "$1"
}
# numbers_only DATA...: the first lines of gnuplot data files that are not
# numbers
numbers_only() {
  grep -v -E '^$|^(-?[0-9.e+-]+|NaN)( (-?[0-9.e+-]+|NaN))*$' "$@" | head -n 3
}
