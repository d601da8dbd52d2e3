#!/usr/bin/env bash
# Quick start, step 2 of 2: runs the whole test suite (ctest: cmocka unit
# tests, CLI tests, plot tests). Needs the packages scripts/quickstart.sh
# installs. Builds twice: warnings as errors, and with AddressSanitizer +
# UndefinedBehaviorSanitizer.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)

run_suite() { # build-dir, cmake options...
    local dir=$1
    shift
    echo "== $dir: $*"
    cmake -S . -B "$dir" "$@" >/dev/null
    cmake --build "$dir" -j"$jobs" >/dev/null
    ctest --test-dir "$dir" --output-on-failure -j"$jobs"
}

run_suite build-test -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCB_WERROR=ON
run_suite build-asan -DCMAKE_BUILD_TYPE=Debug -DCB_WERROR=ON \
    -DCB_SANITIZE=address,undefined
