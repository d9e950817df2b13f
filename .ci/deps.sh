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
