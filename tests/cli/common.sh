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
