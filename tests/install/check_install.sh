#!/usr/bin/env bash
# Installs the built library into a temporary prefix, then builds and runs a consumer program
# twice: once through the CMake package (find_package(quire)), once through pkg-config (quire.pc).
# Usage: check_install.sh <build-dir> <source-dir>
set -euo pipefail
build=$1
source=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
prefix="$work/prefix"

cmake --install "$build" --prefix "$prefix" >/dev/null
export LD_LIBRARY_PATH="$prefix/lib:${LD_LIBRARY_PATH:-}"

cmake -S "$source" -B "$work/cmake" -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
cmake --build "$work/cmake" >/dev/null
"$work/cmake/consumer"

libdir=$(find "$prefix" -name quire.pc -printf '%h\n' | head -n 1)
export PKG_CONFIG_PATH="$libdir"
export LD_LIBRARY_PATH="$(pkg-config --variable=libdir quire):$LD_LIBRARY_PATH"
# shellcheck disable=SC2046
c++ -std=c++20 "$source/consumer.cpp" -o "$work/pc-consumer" $(pkg-config --cflags --libs quire)
"$work/pc-consumer"

# The SONAME carries the ABI version.
soname=$(objdump -p "$(pkg-config --variable=libdir quire)/libquire.so" | awk '/SONAME/ {print $2}')
[[ $soname == libquire.so.[0-9]* ]] || { echo "unexpected SONAME: $soname" >&2; exit 1; }
echo "install check: ok (SONAME $soname)"
