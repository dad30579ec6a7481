#!/usr/bin/env bash
# Installs the build tree into a temporary prefix with cmake --install and
# checks what a user of the installed package relies on: the headers, the
# shared and static libraries, the pkg-config file (a program that calls
# what the README tells programs to call, pk_gsl_error_handler_off among
# them, compiled and linked with nothing but `pkg-config --cflags --libs
# libpk`, runs; so does one with the library's run path and no
# LD_LIBRARY_PATH, and one linked statically), the CMake package (a project
# using find_package(libpk) and pk::pk builds and runs), the pk tool,
# linked to the installed shared library, running with an empty
# environment (no LD_LIBRARY_PATH), through a symbolic link and from a
# moved prefix, finding its default scenario under the prefix, and the
# manual page (man -M PREFIX/share/man pk) and bash completion.
# usage: test_install.sh BUILD_DIR [EXTRA_CFLAGS]
# (EXTRA_CFLAGS: the sanitizer flags when the library was built with them)
set -euo pipefail
build=$1
extra=${2:-}
# the compiler the library was built with: libpk.pc carries its OpenMP flags
# (-fopenmp for gcc, -fopenmp=libomp for clang)
cc=${CC:-cc}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
prefix=$tmp/prefix
cmake --install "$build" --prefix "$prefix" >/dev/null

fail() { echo "install test: $*" >&2; exit 1; }
for f in include/pk/pk.h include/pk/sim.h include/pk/scenario.h lib/libpk.a \
         lib/pkgconfig/libpk.pc bin/pk share/libpk/models/scenarios/kratom-taper.json; do
  libdir_f=$f
  [ -e "$prefix/$libdir_f" ] || [ -e "$prefix/${libdir_f/lib\//lib/x86_64-linux-gnu/}" ] ||
    fail "missing $f under the prefix"
done
pc=$(dirname "$(find "$prefix" -name libpk.pc | head -n 1)")
[ -n "$pc" ] || fail "no libpk.pc installed"
ls "$(dirname "$pc")"/libpk.so* >/dev/null 2>&1 || fail "no shared library installed"

cat >"$tmp/use.c" <<'C'
#include <pk/pk.h>
#include <stdio.h>
#include <string.h>
int main(void) {
  /* one antagonist-free agonist at x = 1 with tau = 1: E = 1/3 */
  double u = 10, K = 10, tau = 1, occ, E;
  pk_error err;
  pk_gsl_error_handler_off();
  if (pk_receptor_response(1, &u, &K, &tau, NULL, &occ, &E, &err) != PK_OK) return 1;
  printf("%s %.6f %.6f\n", pk_version(), occ, E);
  return strcmp(pk_version(), PK_VERSION_STRING) != 0;
}
C
export PKG_CONFIG_PATH=$pc
$cc $extra "$tmp/use.c" $(pkg-config --cflags libpk) -o "$tmp/use_shared" $(pkg-config --libs libpk) ||
  fail "a program built with pkg-config --cflags --libs libpk does not build"
out=$(LD_LIBRARY_PATH=$(dirname "$pc") "$tmp/use_shared") || fail "the dynamically linked program failed"
[ "$out" = "$(pkg-config --modversion libpk) 0.500000 0.333333" ] || fail "unexpected output '$out'"
# with the run path the README gives for a prefix outside the loader's path
libdir=$(pkg-config --variable=libdir libpk)
$cc $extra "$tmp/use.c" $(pkg-config --cflags libpk) -o "$tmp/use_rpath" $(pkg-config --libs libpk) \
  -Wl,-rpath,"$libdir"
out=$(env -u LD_LIBRARY_PATH "$tmp/use_rpath") || fail "the program with -Wl,-rpath failed"
[ "$out" = "$(pkg-config --modversion libpk) 0.500000 0.333333" ] || fail "-Wl,-rpath: '$out'"
$cc $extra "$tmp/use.c" $(pkg-config --cflags libpk) -o "$tmp/use_static" \
  "$(dirname "$pc")/libpk.a" $(pkg-config --libs-only-other --static libpk) \
  $(pkg-config --libs --static gsl libcjson)
"$tmp/use_static" >/dev/null || fail "the statically linked program failed"

# the CMake package
mkdir -p "$tmp/consumer"
cp "$tmp/use.c" "$tmp/consumer/use.c"
cat >"$tmp/consumer/CMakeLists.txt" <<'CMAKE'
cmake_minimum_required(VERSION 3.18)
project(use_libpk LANGUAGES C)
find_package(libpk 0.1 CONFIG REQUIRED)
add_executable(use use.c)
target_link_libraries(use PRIVATE pk::pk)
add_executable(use_static use.c)
target_link_libraries(use_static PRIVATE pk::pk_static)
CMAKE
CC=$cc CFLAGS=$extra LDFLAGS=$extra cmake -S "$tmp/consumer" -B "$tmp/consumer/build" \
  -DCMAKE_PREFIX_PATH="$prefix" >"$tmp/consumer.log" 2>&1 ||
  { cat "$tmp/consumer.log" >&2; fail "find_package(libpk) failed"; }
cmake --build "$tmp/consumer/build" >>"$tmp/consumer.log" 2>&1 ||
  { cat "$tmp/consumer.log" >&2; fail "a project linking pk::pk does not build"; }
out=$(LD_LIBRARY_PATH=$(dirname "$pc") "$tmp/consumer/build/use") || fail "pk::pk program failed"
[ "$out" = "$(pkg-config --modversion libpk) 0.500000 0.333333" ] || fail "pk::pk: '$out'"
"$tmp/consumer/build/use_static" >/dev/null || fail "pk::pk_static program failed"

cd "$tmp"
# the installed pk with an empty environment: its run path finds libpk
env -i "$prefix/bin/pk" simulate -o "$tmp/default.csv" || fail "installed pk simulate failed"
rows=$(($(wc -l <"$tmp/default.csv") - 1))
[ "$rows" -eq 841 ] || fail "installed pk wrote $rows rows, expected 841 (35 days hourly)"
readelf -d "$prefix/bin/pk" | grep -q 'R.*PATH.*\$ORIGIN/\.\./lib' || fail "pk has no run path \$ORIGIN/../lib..."
mkdir -p "$tmp/bin"
ln -s "$prefix/bin/pk" "$tmp/bin/pk"
env -i "$tmp/bin/pk" version >/dev/null || fail "pk through a symbolic link does not run"
cp -a "$prefix" "$tmp/moved"
env -i "$tmp/moved/bin/pk" simulate -o "$tmp/moved.csv" || fail "pk from a moved prefix does not run"
cmp -s "$tmp/default.csv" "$tmp/moved.csv" || fail "pk from a moved prefix gives another result"
env -i "$tmp/moved/bin/pk" compounds --sources mitragynine >"$tmp/sources.txt" ||
  fail "installed pk compounds --sources failed"
grep -q "^Sources cited as reference/" "$tmp/sources.txt" ||
  fail "pk compounds --sources does not say where the cited reference files are"
for ref in $(grep -ho 'reference/[a-z0-9.-]*\.md' "$tmp/moved/share/libpk/models"/*/*.json | sort -u); do
  [ -s "$tmp/moved/share/libpk/models/$ref" ] || fail "the installed models cite $ref, which is not installed"
done

# the manual page and the completion
man_page=$prefix/share/man/man1/pk.1
[ -s "$man_page" ] || fail "no manual page share/man/man1/pk.1"
if command -v man >/dev/null; then
  MANWIDTH=80 man -M "$prefix/share/man" pk 2>/dev/null | col -b >"$tmp/man.txt"
  grep -q "pk simulate" "$tmp/man.txt" || fail "man -M PREFIX/share/man pk does not show the page"
fi
completion=$prefix/share/bash-completion/completions/pk
[ -s "$completion" ] || fail "no bash completion share/bash-completion/completions/pk"
words=$(PATH="$prefix/bin:$PATH" bash -c '. "$1"; COMP_WORDS=(pk sim); COMP_CWORD=1; _pk; echo "${COMPREPLY[*]}"' \
  _ "$completion")
[ "$words" = "simulate" ] || fail "the installed completion gives '$words' for 'pk sim'"
echo "install test: passed (pkg-config, find_package(libpk), installed pk, man page, completion)"
