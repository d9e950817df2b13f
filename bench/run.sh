#!/usr/bin/env bash
# `make bench`: builds pycoro (release) and both benchmark programs, runs them, and prints one
# table: the plain-C floor, pycoro, CPython 3.10 (when pyenv has 3.10.13), ratios, targets.
set -euo pipefail
cd "$(dirname "$0")/.."
CC=${CC:-cc}
TARGET_DIR=${CARGO_TARGET_DIR:-target}
REL="$PWD/$TARGET_DIR/release"
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

cargo build --release -p pycoro >&2
ln -sf libpycoro.so "$REL/libpycoro.so.0"
$CC -O2 -std=c11 -Wall -Wextra -Werror -Iinclude bench/bench_pycoro.c -o "$OUT/bench_pycoro" \
    -L"$REL" -lpycoro -Wl,-rpath,"$REL"
echo "running pycoro's benchmark ..." >&2
"$OUT/bench_pycoro" >"$OUT/pycoro.txt"
"$OUT/bench_pycoro" --memory >>"$OUT/pycoro.txt" 2>/dev/null

PREFIX=$(pyenv prefix 3.10.13 2>/dev/null || true)
if [[ -n "$PREFIX" && -f "$PREFIX/include/python3.10/Python.h" && -f "$PREFIX/lib/libpython3.10.so" ]]; then
    $CC -O2 -std=c11 -Wall -Wextra -I"$PREFIX/include/python3.10" bench/bench_cpython.c \
        -o "$OUT/bench_cpython" -L"$PREFIX/lib" -lpython3.10 -Wl,-rpath,"$PREFIX/lib" -lm
    echo "running CPython 3.10's benchmark ..." >&2
    "$OUT/bench_cpython" >"$OUT/cpython.txt" 2>"$OUT/cpython.err"
    PYTHONMALLOC=malloc "$OUT/bench_cpython" --memory >>"$OUT/cpython.txt" 2>>"$OUT/cpython.err"
    version=$(grep -m1 -o '3\.10\.[0-9]*' "$OUT/cpython.err" || echo 3.10)
else
    echo "*** CPython 3.10 NOT FOUND (pyenv prefix 3.10.13): the CPython column is empty ***" >&2
    : >"$OUT/cpython.txt"
    version=absent
fi
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')
echo "machine: $cpu, $(nproc) cores; CPython: $version; $(date -u +%Y-%m-%d)"
awk -f bench/table.awk "$OUT/pycoro.txt" "$OUT/cpython.txt"
