#!/bin/sh
# Installs what libpk needs on Debian 12 (bookworm): compiler, CMake, GSL,
# cJSON, pkg-config and gnuplot. Runs apt-get directly as root, through sudo
# otherwise. Extra package names given as arguments are installed too (.ci/run
# adds libopenmpi-dev and openmpi-bin for the optional -DPK_WITH_MPI=ON build).
set -eu
if [ "$(id -u)" -eq 0 ]; then SUDO=; else SUDO=sudo; fi
PKGS="build-essential cmake pkg-config libgsl-dev libcjson-dev gnuplot-nox"
missing=
for p in $PKGS "$@"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q $missing
fi
