#!/bin/sh
# Compares the C symbols a built libquire exports with the checked-in list, capi/quire.symbols.
# The C++ API's symbols (_ZN5quire...) are exported too, by design, and are not part of the list;
# any other exported C symbol is a leak of an internal name and fails the check as well.
# Usage: check_symbols.sh <libquire.so> <quire.symbols>
set -eu
lib=$1
list=$2
export LC_ALL=C

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

grep -v -e '^#' -e '^$' "$list" >"$work/expected"
if ! sort -u -c "$work/expected" 2>/dev/null; then
  echo "capi/quire.symbols must be sorted (LC_ALL=C) and without duplicates" >&2
  exit 1
fi

nm -D --defined-only "$lib" >"$work/nm"
awk '$2 == "T" && $3 ~ /^quire_/ { print $3 }' "$work/nm" | sort -u >"$work/actual"
if ! diff -u "$work/expected" "$work/actual" >"$work/diff"; then
  echo "exported quire_* symbols differ from capi/quire.symbols (- listed only, + exported only):" >&2
  cat "$work/diff" >&2
  exit 1
fi

# Functions exported with C linkage must all be quire_*.
awk '$2 == "T" && $3 !~ /^quire_/ && $3 !~ /^_Z/ { print $3 }' "$work/nm" >"$work/stray"
if [ -s "$work/stray" ]; then
  echo "exported C symbols outside the quire_ prefix:" >&2
  cat "$work/stray" >&2
  exit 1
fi

echo "exported symbols: $(wc -l <"$work/actual") quire_* functions, as listed"
