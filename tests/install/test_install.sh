#!/usr/bin/env bash
# Installs the build tree into a temporary prefix with cmake --install and
# checks what a user of the installed package relies on: the headers, the
# shared and static libraries, the pkg-config file (a program compiled and
# linked against it, dynamically and statically, runs), the CMake package
# (a project using find_package(libpk) and pk::pk builds and runs) and the
# pk tool, linked to the installed shared library, running without
# LD_LIBRARY_PATH and finding its default scenario under the prefix.
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
  if (pk_receptor_response(1, &u, &K, &tau, NULL, &occ, &E, &err) != PK_OK) return 1;
  printf("%s %.6f %.6f\n", pk_version(), occ, E);
  return strcmp(pk_version(), PK_VERSION_STRING) != 0;
}
C
export PKG_CONFIG_PATH=$pc
$cc $extra "$tmp/use.c" $(pkg-config --cflags libpk) -o "$tmp/use_shared" $(pkg-config --libs libpk)
out=$(LD_LIBRARY_PATH=$(dirname "$pc") "$tmp/use_shared") || fail "the dynamically linked program failed"
[ "$out" = "$(pkg-config --modversion libpk) 0.500000 0.333333" ] || fail "unexpected output '$out'"
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
env -u PK_MODELS_DIR -u LD_LIBRARY_PATH "$prefix/bin/pk" simulate -o "$tmp/default.csv" || fail "installed pk simulate failed"
rows=$(($(wc -l <"$tmp/default.csv") - 1))
[ "$rows" -eq 841 ] || fail "installed pk wrote $rows rows, expected 841 (35 days hourly)"
echo "install test: passed (pkg-config, find_package(libpk), installed pk)"
