#!/usr/bin/env bash
# pk-man.sh - writes the manual page pk(1) from the help texts of a built pk,
# so that the page says what the program says: 'pk help' becomes NAME,
# SYNOPSIS, DESCRIPTION and ENVIRONMENT, and 'pk help COMMAND' for each
# command that 'pk help --commands' lists becomes its part of COMMANDS.
#
# usage: pk-man.sh PK OUT.1
#
# The conversion: a 'usage:' block and indented lines (option lists, tables)
# stay as written (no filling); lines starting in column 0 are filled text;
# a blank line starts a paragraph; a line such as 'environment:' is a
# heading. Backslashes, hyphens and leading dots are escaped for roff.
# OUT.1 is written to a temporary file and renamed when complete.
set -euo pipefail
if [ $# -ne 2 ]; then
  echo "usage: pk-man.sh PK OUT.1" >&2
  exit 2
fi
pk=$1
out=$2
tmp=$(mktemp "$out.tmp.XXXXXX")
trap 'rm -f "$tmp"' EXIT

version=$("$pk" version | sed -n '1s/^pk \([^ ]*\).*/\1/p')
[ -n "$version" ] || { echo "pk-man.sh: '$pk version' gave no version" >&2; exit 1; }

# to_roff LEVEL: the help text on standard input as roff. LEVEL "top":
# 'environment:' is the section ENVIRONMENT, other headings subsections;
# "command": headings are bold lines.
to_roff() {
  awk -v level="$1" '
    function esc(s) {
      gsub(/\\/, "\\e", s)
      gsub(/-/, "\\-", s)
      if (s ~ /^[.\047]/) s = "\\&" s
      return s
    }
    function mode(m) {
      if (m == cur) return
      if (cur == "nf") print ".fi"
      if (m == "nf") print ".nf"
      cur = m
    }
    BEGIN { cur = "fill"; para = 1 }
    /^usage: / { in_usage = 1 }
    in_usage && /^$/ { in_usage = 0 }
    in_usage {
      if (level == "top") next
      mode("nf"); print esc($0); para = 0; next
    }
    /^$/ { mode("fill"); if (!para) print ".PP"; para = 1; next }
    /^[a-z][a-z ]*:$/ {
      mode("fill")
      h = substr($0, 1, length($0) - 1)
      if (level == "top" && h == "environment") print ".SH ENVIRONMENT"
      else if (level == "top") print ".SS " toupper(substr(h, 1, 1)) substr(h, 2)
      else print ".PP\n\\fB" esc(h) ":\\fR"
      para = 0
      next
    }
    /^ / { mode("nf"); print esc($0); para = 0; next }
    { mode("fill"); print esc($0); para = 0 }
    END { mode("fill") }'
}

{
  echo ".TH PK 1 \"\" \"pk $version\" \"User Commands\""
  echo ".nh"
  echo ".ad l"
  echo ".SH NAME"
  echo "pk \\- simulate kratom alkaloids and opioids: concentrations, mu\\-opioid receptor occupancy, tolerance and withdrawal"
  echo ".SH SYNOPSIS"
  echo ".B pk"
  echo ".I COMMAND"
  echo ".RI [ OPTIONS ]"
  echo ".br"
  echo ".B pk help"
  echo ".RI [ COMMAND ]"
  echo ".SH DESCRIPTION"
  "$pk" help | sed '/^environment:$/,$d' | to_roff top
  echo ".SH COMMANDS"
  while read -r cmd; do
    echo ".SS pk $cmd"
    "$pk" help "$cmd" | to_roff command
  done < <("$pk" help --commands)
  "$pk" help | sed -n '/^environment:$/,$p' | to_roff top
  cat <<'ROFF'
.SH FILES
.TP
.I <prefix>/share/libpk/models
the shipped compounds, products, receptor, enzymes and scenarios (the
default scenario is
.IR scenarios/kratom\-taper.json );
.I reference/
beside them holds the literature that their sources cite.
.SH EXIT STATUS
0 on success, 1 when the input is refused or a run fails (the message
names the file, the key path and what was expected), 2 for a usage error.
.SH SEE ALSO
.BR gnuplot (1);
the README and docs/ of the libpk source tree (scenario, model, event
dataset and population formats).
ROFF
} >"$tmp"
chmod 644 "$tmp"
mv "$tmp" "$out"
trap - EXIT
