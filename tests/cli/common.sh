# common.sh - sourced by the CLI test scripts: counting failed checks.
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
