#!/usr/bin/env bash
# Installs the system packages the test suite needs, only those missing (Debian/apt, as root).
# Idempotent and quiet: `apt-get update` runs only when something has to be installed.
set -euo pipefail

missing=()
command -v cc >/dev/null && command -v make >/dev/null || missing+=(build-essential)
command -v g++ >/dev/null || missing+=(g++)
command -v nm >/dev/null && command -v readelf >/dev/null || missing+=(binutils)
command -v valgrind >/dev/null || missing+=(valgrind)
command -v python3 >/dev/null || missing+=(python3)
# capi-tests/tests/install.rs: pkg-config, and meson and CMake finding pycoro as python3-embed.
command -v pkg-config >/dev/null || missing+=(pkg-config)
command -v meson >/dev/null || missing+=(meson)
command -v ninja >/dev/null || missing+=(ninja-build)
command -v cmake >/dev/null || missing+=(cmake)
# bindgen (capi-tests/build.rs) loads libclang at run time.
if ! compgen -G '/usr/lib/llvm-*/lib/libclang.so*' >/dev/null &&
    ! compgen -G '/usr/lib/x86_64-linux-gnu/libclang-[0-9]*.so*' >/dev/null; then
    missing+=(libclang-dev)
fi

# tests/threads_tsan.rs also runs the threads program against a libpycoro that rustc builds
# with ThreadSanitizer, which needs the nightly toolchain with rust-src. Best effort: without
# it those two tests print SKIPPED.
if command -v rustup >/dev/null &&
    ! { rustup run nightly rustc --version >/dev/null 2>&1 &&
        [[ -d "$(rustup run nightly rustc --print sysroot 2>/dev/null)/lib/rustlib/src/rust/library" ]]; }; then
    echo "deps: installing the nightly toolchain with rust-src (instrumented TSan run)"
    timeout 900 rustup toolchain install nightly --profile minimal --component rust-src \
        >/dev/null 2>&1 ||
        echo "deps: no nightly toolchain; the instrumented TSan tests will be skipped" >&2
fi

if ((${#missing[@]} == 0)); then
    exit 0
fi
if [[ $(id -u) -ne 0 ]]; then
    echo "deps: missing ${missing[*]}; install them (apt-get install ${missing[*]})" >&2
    exit 1
fi
echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
