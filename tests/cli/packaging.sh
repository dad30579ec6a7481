#!/usr/bin/env bash
# packaging.sh - the manual page and the bash completion of pk.
#
# usage: packaging.sh PK SOURCE_DIR MAN_PAGE CASE
#
#   man_page    MAN_PAGE is what scripts/pk-man.sh makes from this pk's help
#               texts now (not stale), groff reads it without a warning,
#               'man -l' renders it, and the rendered page has every
#               command's usage line and every option of its help
#   completion  scripts/pk-completion.bash completes commands, each
#               command's options, the words of a choice (--solver), and
#               scenario files (*.json and folders) where a scenario goes
#
# Exit status: 0 pass, 1 fail, 77 skipped (no man or groff).
set -u
if [ $# -ne 4 ]; then
  echo "usage: packaging.sh PK SOURCE_DIR MAN_PAGE CASE" >&2
  exit 1
fi
PK=$1
SRC=$2
MAN_PAGE=$3
CASE=$4
WORK=$(mktemp -d "${TMPDIR:-/tmp}/pk-packaging-test.XXXXXX") || exit 1
trap 'rm -rf "$WORK"' EXIT
unset PK_MODELS_DIR PK_SIMD
. "$(dirname "${BASH_SOURCE[0]}")/common.sh"

case_man_page() {
  if ! command -v man >/dev/null || ! command -v groff >/dev/null; then
    echo "man or groff is not installed: the manual page is not checked" >&2
    exit 77
  fi
  [ -s "$MAN_PAGE" ] || { fail "$MAN_PAGE is missing or empty"; finish; }
  bash "$SRC/scripts/pk-man.sh" "$PK" "$WORK/pk.1" || fail "pk-man.sh failed"
  cmp -s "$MAN_PAGE" "$WORK/pk.1" || fail "$MAN_PAGE differs from the help texts of $PK"
  groff -man -ww -z -Tutf8 "$MAN_PAGE" 2>"$WORK/groff.err" || fail "groff failed"
  [ -s "$WORK/groff.err" ] && fail "groff warns: $(head -n 5 "$WORK/groff.err")"
  MANWIDTH=100 man -l "$MAN_PAGE" 2>"$WORK/man.err" | col -b >"$WORK/page.txt"
  [ -s "$WORK/page.txt" ] || fail "man -l rendered nothing: $(cat "$WORK/man.err")"
  local section cmd opt line
  for section in NAME SYNOPSIS DESCRIPTION COMMANDS ENVIRONMENT FILES "EXIT STATUS"; do
    grep -q "^$section" "$WORK/page.txt" || fail "no $section section"
  done
  # the rendered text joins words by single spaces: compare so
  tr -s ' \t' '  ' <"$WORK/page.txt" >"$WORK/flat.txt"
  while read -r cmd; do
    grep -q "^ *pk $cmd$" "$WORK/page.txt" || fail "no subsection for pk $cmd"
    line=$("$PK" help "$cmd" | head -n 1 | tr -s ' ')
    grep -qF -- "$line" "$WORK/flat.txt" || fail "pk $cmd: usage line '$line' not in the page"
    for opt in $("$PK" help "$cmd" | grep -oE -- '--[a-z][-a-z]*' | sort -u); do
      grep -qF -- "$opt" "$WORK/page.txt" || fail "pk $cmd: option $opt not in the page"
    done
  done < <("$PK" help --commands)
  grep -q "PK_MODELS_DIR" "$WORK/page.txt" || fail "the environment is not described"
  # no roff escape shows through
  grep -qE '\\[-e&fB]' "$WORK/page.txt" && fail "unrendered roff escapes: $(grep -m 3 -E '\\[-e&fB]' "$WORK/page.txt")"
  finish
}

# complete WORDS...: runs the completion for the command line WORDS (the
# last word being completed) in $WORK/files; the result in $reply.
complete_line() {
  COMP_WORDS=("$@")
  COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
  COMPREPLY=()
  _pk
  reply=" ${COMPREPLY[*]} "
}
expect_reply() { # expect_reply WHAT WORD...: each WORD is among the completions
  local what=$1 w
  shift
  for w in "$@"; do [[ $reply == *" $w "* ]] || fail "$what: '$w' not offered (got:$reply)"; done
}
expect_not() { # expect_not WHAT WORD...: no WORD is among the completions
  local what=$1 w
  shift
  for w in "$@"; do [[ $reply == *" $w "* ]] && fail "$what: '$w' offered (got:$reply)"; done
}

case_completion() {
  # shellcheck source=../../scripts/pk-completion.bash
  . "$SRC/scripts/pk-completion.bash"
  complete -p pk >/dev/null 2>&1 || fail "the script does not register a completion for pk"
  mkdir -p "$WORK/files/sub" && cd "$WORK/files" || exit 1
  touch taper.json dose.csv out.png
  complete_line "$PK" si
  [ "$reply" = " simulate " ] || fail "pk si: got '$reply'"
  complete_line "$PK" ""
  expect_reply "pk <TAB>" simulate plot compounds taper population sweep help version
  complete_line "$PK" help t
  [ "$reply" = " taper " ] || fail "pk help t: got '$reply'"
  complete_line "$PK" simulate --
  expect_reply "pk simulate --" --events --output --plot --solver --verbose --help
  expect_not "pk simulate --" --sources --param
  complete_line "$PK" compounds --
  expect_reply "pk compounds --" --models --sources
  expect_not "pk compounds --" --plot
  complete_line "$PK" sweep --
  expect_reply "pk sweep --" --param --lhs --seed --percentiles --threads
  complete_line "$PK" simulate --solver ""
  [ "$reply" = " auto exact ode " ] || fail "pk simulate --solver: got '$reply'"
  complete_line "$PK" simulate -s ""
  [ "$reply" = " auto exact ode " ] || fail "pk simulate -s: got '$reply'"
  complete_line "$PK" simulate ""
  expect_reply "pk simulate <scenario>" taper.json sub/
  expect_not "pk simulate <scenario>" dose.csv out.png
  complete_line "$PK" simulate -v ""
  expect_reply "pk simulate -v <scenario>" taper.json
  complete_line "$PK" simulate -o ""
  expect_reply "pk simulate -o <file>" dose.csv taper.json out.png sub/
  complete_line "$PK" plot ""
  expect_reply "pk plot <csv>" dose.csv
  expect_not "pk plot <csv>" taper.json
  complete_line "$PK" compounds --models ""
  [ "$reply" = " sub/ " ] || fail "pk compounds --models: got '$reply'"
  complete_line "$PK" taper --max-withdrawal ""
  [ "$reply" = "  " ] || fail "pk taper --max-withdrawal (a number): got '$reply'"
  finish
}

case "$CASE" in
  man_page) case_man_page ;;
  completion) case_completion ;;
  *) echo "packaging.sh: unknown case '$CASE'" >&2; exit 1 ;;
esac
