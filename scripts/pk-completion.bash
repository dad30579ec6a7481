# pk-completion.bash - bash completion for pk, installed as
# <prefix>/share/bash-completion/completions/pk (or: source this file).
#
# Completes command names (from 'pk help --commands'), each command's
# options and their arguments (read from 'pk COMMAND --help', so they are
# never out of date), and files: a scenario (SCENARIO) among *.json files
# and folders, a CSV among *.csv, a file argument (FILE, IMAGE, a name with
# an extension) among all files, a folder (DIR) among folders, and a
# choice written as a|b|c among its words. The pk being completed (as
# typed: pk, build/cli/pk...) is the one asked.

# _pk_arg HELP OPTION: the argument name of OPTION in the help text HELP
# (the word after it in the usage or the option list), or nothing.
_pk_arg() {
  awk -v o="$2" '
    function clean(t) { gsub(/^\[+|[],]+$/, "", t); return t }
    { for (i = 1; i < NF; i++) if (clean($i) == o) {
        a = clean($(i + 1))
        if (a ~ /^--/ && i + 2 <= NF) a = clean($(i + 2))  # "-o, --output FILE"
        if (a ~ /[A-Z|]/) print a  # a name such as FILE.csv or a|b, not a description
        exit
    } }' <<<"$1"
}

# _pk_files GLOB CUR: folders and the files matching GLOB completing CUR.
_pk_files() {
  local IFS=$'\n' f
  COMPREPLY=($(compgen -d -S / -- "$2"))
  for f in $(compgen -f -X "!$1" -- "$2"); do
    [ -d "$f" ] || COMPREPLY+=("$f")
  done
  compopt -o nospace -o filenames 2>/dev/null
}

_pk() {
  local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
  local pk=${COMP_WORDS[0]}
  COMPREPLY=()
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=($(compgen -W "$("$pk" help --commands 2>/dev/null) help version --help --version" -- "$cur"))
    return 0
  fi
  local cmd=${COMP_WORDS[1]}
  if [ "$cmd" = help ]; then
    [ "$COMP_CWORD" -eq 2 ] &&
      COMPREPLY=($(compgen -W "$("$pk" help --commands 2>/dev/null) --commands" -- "$cur"))
    return 0
  fi
  local help
  help=$("$pk" help "$cmd" 2>/dev/null) || return 0
  if [[ $prev == -* ]]; then
    local arg opt=$prev
    # a short option by its long name, which the usage line gives
    [[ $opt == -[a-zA-Z] ]] &&
      opt=$(grep -oE -- "(^|[[:space:]])$opt, --[a-zA-Z][-a-zA-Z0-9]*" <<<"$help" | sed 's/.*, //;q')
    arg=$(_pk_arg "$help" "${opt:-$prev}")
    if [ -n "$arg" ]; then
      case $arg in
        *DIR*) COMPREPLY=($(compgen -d -S / -- "$cur")); compopt -o nospace 2>/dev/null ;;
        SCENARIO*|*.json) _pk_files '*.json' "$cur" ;;
        *FILE*|*IMAGE*|*.[a-z]*) _pk_files '*' "$cur" ;;
        *'|'*) [[ $arg == *[A-Z]* ]] || COMPREPLY=($(compgen -W "${arg//|/ }" -- "$cur")) ;;
      esac
      return 0
    fi
  fi
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$(grep -oE -- '(^|[[ ,])--?[a-zA-Z][-a-zA-Z0-9]*' <<<"$help" |
      sed 's/^[[ ,]*//' | sort -u)" -- "$cur"))
    return 0
  fi
  # an operand: what the usage line names (SCENARIO, CSV, NAME...)
  case $(sed -n '1s/^usage: pk [a-z]* \[*\([A-Z]*\).*/\1/p' <<<"$help") in
    SCENARIO) _pk_files '*.json' "$cur" ;;
    CSV) _pk_files '*.csv' "$cur" ;;
  esac
  return 0
}
complete -F _pk pk
