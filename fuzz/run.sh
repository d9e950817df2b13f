#!/usr/bin/env bash
# Builds the libFuzzer target fuzz_ops on the stable toolchain and runs it for a bounded time.
#
#   fuzz/run.sh [SECONDS] [-- LIBFUZZER_ARGS...]    fuzz for SECONDS (default 60)
#   fuzz/run.sh --runs N [-- LIBFUZZER_ARGS...]     fuzz for N executions instead
#   fuzz/run.sh --replay FILE...                    run the given inputs once each (reproducers)
#   fuzz/run.sh --build                             only build
#
# The fuzzer works on a scratch copy of corpus/fuzz_ops (the checked-in seeds never grow);
# crashes are written to fuzz/artifacts-run/. Exits nonzero on any crash, timeout or build
# failure, and ends with the line `fuzz executions: N`.
#
# Environment: FUZZ_FEATURES (cargo features, e.g. "known-bugs"), FUZZ_KEEP_CORPUS=DIR (use and
# keep DIR as the working corpus), FUZZ_OPS_TRACE=1 (print each operation; use with --replay).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"

mode=time
budget=60
if [[ $# -gt 0 ]]; then
    case "$1" in
        --runs) mode=runs; budget="${2:?--runs needs a count}"; shift 2 ;;
        --replay) mode=replay; shift ;;
        --build) mode=build; shift ;;
        --) ;;
        *) budget="$1"; shift ;;
    esac
fi
if [[ "$mode" != replay && $# -gt 0 && "$1" == -- ]]; then
    shift
fi

# Coverage instrumentation without nightly: LLVM's SanitizerCoverage pass with the options
# libFuzzer reads (inline 8-bit counters, the PC table, comparison tracing), as cargo-fuzz
# passes them, minus the -Z sanitizer flags that need nightly. The explicit --target keeps
# them away from build scripts (which are not linked with libFuzzer).
target_triple="$(rustc -vV | sed -n 's/^host: //p')"
export RUSTFLAGS="-Cpasses=sancov-module \
-Cllvm-args=-sanitizer-coverage-level=4 \
-Cllvm-args=-sanitizer-coverage-inline-8bit-counters \
-Cllvm-args=-sanitizer-coverage-pc-table \
-Cllvm-args=-sanitizer-coverage-trace-compares \
--cfg fuzzing -Cdebug-assertions -Coverflow-checks"
export CARGO_TARGET_DIR="$here/target"
features=()
if [[ -n "${FUZZ_FEATURES:-}" ]]; then
    features=(--features "$FUZZ_FEATURES")
fi

echo "building fuzz_ops (release, debug assertions, sancov) for $target_triple ..."
build_start=$SECONDS
cargo build --release --target "$target_triple" --bin fuzz_ops "${features[@]}"
echo "build took $((SECONDS - build_start)) s"
bin="$CARGO_TARGET_DIR/$target_triple/release/fuzz_ops"

if [[ "$mode" == build ]]; then
    exit 0
fi

# Memory returned to malloc is overwritten (glibc's tcache, which skips that, is off), so a
# use-after-free of it shows up as a corrupted refcount or type. pycoro built with --cfg fuzzing
# skips its own object block caches, so its freed objects are covered too (fuzz/README.md).
export GLIBC_TUNABLES="glibc.malloc.perturb=204:glibc.malloc.tcache_count=0"

if [[ "$mode" == replay ]]; then
    [[ $# -gt 0 ]] || { echo "--replay needs input files" >&2; exit 2; }
    status=0
    mkdir -p "$here/artifacts-run"
    "$bin" -runs=1 -artifact_prefix="$here/artifacts-run/" "$@" || status=$?
    echo "fuzz executions: $#"
    exit "$status"
fi

mkdir -p "$here/artifacts-run"
if [[ -n "${FUZZ_KEEP_CORPUS:-}" ]]; then
    work="$FUZZ_KEEP_CORPUS"
    mkdir -p "$work"
    cleanup() { :; }
else
    work="$(mktemp -d "${TMPDIR:-/tmp}/pycoro-fuzz-corpus.XXXXXX")"
    cleanup() { rm -rf "$work"; }
fi
trap cleanup EXIT
cp -n "$here"/corpus/fuzz_ops/* "$work"/ 2>/dev/null || true

limit=(-max_total_time="$budget")
if [[ "$mode" == runs ]]; then
    limit=(-runs="$budget")
fi

log="$(mktemp "${TMPDIR:-/tmp}/pycoro-fuzz-log.XXXXXX")"
# -timeout: an input running for 10 s is a hang (every input is bounded to 200 small ops).
set +e
"$bin" "${limit[@]}" -timeout=10 -rss_limit_mb=4096 -print_final_stats=1 \
    -artifact_prefix="$here/artifacts-run/" "$@" "$work" 2>&1 | tee "$log" |
    grep --line-buffered -v -E '^#[0-9]+[[:space:]]+(NEW|REDUCE) |^"|^###### '
status=${PIPESTATUS[0]}
set -e

execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)"
if [[ -z "$execs" ]]; then
    execs="$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$log" | tail -n 1)"
fi
if [[ -z "$execs" ]]; then
    # A crash ends the run before the final stats: the last status line's count.
    execs="$(grep -o '^#[0-9]*' "$log" | tail -n 1 | tr -d '#')"
fi
if grep -q -E '^==[0-9]+== ERROR: libFuzzer|^INVARIANT VIOLATED|panicked at|deadly signal' "$log"; then
    [[ "$status" -ne 0 ]] || status=1
fi
rm -f "$log"
if [[ "$status" -ne 0 ]]; then
    echo "fuzz_ops FAILED (exit status $status); reproducer in $here/artifacts-run/" >&2
fi
echo "fuzz executions: ${execs:-0}"
exit "$status"
