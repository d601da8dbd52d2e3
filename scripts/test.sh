#!/usr/bin/env bash
# Quick start, step 2 of 2: the whole test suite. Needs what
# scripts/quickstart.sh installs; installs the analysis tools it lacks.
#   1. warnings as errors, ctest (unit, CLI, plot, install tests)
#   2. AddressSanitizer + UndefinedBehaviorSanitizer, ctest
#   3. ThreadSanitizer, ctest
#   4. valgrind memcheck on the unit tests
#   5. cppcheck and clang-tidy (.clang-tidy) on the sources
#   6. libFuzzer on the result-file loader and the argument parser
#      (CB_FUZZ_SECONDS each, default 30)
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)

need=()
for tool in valgrind:valgrind cppcheck:cppcheck clang-tidy:clang-tidy clang:clang; do
    command -v "${tool%%:*}" >/dev/null || need+=("${tool#*:}")
done
if [ ${#need[@]} -gt 0 ]; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo=sudo
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
        "${need[@]}" >/dev/null
fi

stage() { echo; echo "== $*"; }

run_suite() { # build-dir, cmake options... (ctest options in $ctest_extra)
    local dir=$1
    shift
    stage "$dir: $*"
    cmake -S . -B "$dir" "$@" >/dev/null
    cmake --build "$dir" -j"$jobs" >/dev/null
    # shellcheck disable=SC2086
    ctest --test-dir "$dir" --output-on-failure --no-tests=error -j"$jobs" ${ctest_extra:-}
}

run_suite build-test -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCB_WERROR=ON \
    -DCMAKE_EXPORT_COMPILE_COMMANDS=ON
run_suite build-asan -DCMAKE_BUILD_TYPE=Debug -DCB_WERROR=ON \
    -DCB_SANITIZE=address,undefined
# ThreadSanitizer delivers asynchronous signals only when the thread reaches
# one of its interceptors, so a SIGTERM to a parent blocked in waitpid waits
# for the run to end: the signal tests run in the two suites above instead.
# Nor the large runs: TSan tracks at most about 8k live threads.
ctest_extra="-LE signals|large" run_suite build-tsan -DCMAKE_BUILD_TYPE=Debug -DCB_WERROR=ON \
    -DCB_SANITIZE=thread

stage "valgrind memcheck: unit tests (timing assertions skipped: valgrind runs one thread at a time)"
export CB_TEST_NO_TIMING=1
ctest --test-dir build-test -L unit -N | sed -n 's/^ *Test *#[0-9]*: //p' |
    xargs -P "$jobs" -I{} sh -c 'valgrind -q --error-exitcode=99 --leak-check=full \
        --errors-for-leak-kinds=definite --track-fds=no build-test/tests/{} >/dev/null 2>build-test/{}.vg \
        && echo "valgrind ok: {}" || { cat build-test/{}.vg; echo "valgrind FAILED: {}"; exit 255; }'

unset CB_TEST_NO_TIMING

stage "cppcheck"
cppcheck --quiet --enable=warning,performance,portability --std=c11 --inline-suppr \
    -D_GNU_SOURCE -Iinclude -Ibuild-test/generated --error-exitcode=1 src tests bench
echo "cppcheck clean"

stage "clang-tidy"
# clang-tidy exits non-zero on any finding (.clang-tidy makes every
# warning an error), and xargs passes that on; the findings are printed.
if ! find src -name '*.c' | sort | xargs -P "$jobs" -n 4 clang-tidy -p build-test --quiet 2>/dev/null; then
    echo "clang-tidy found problems"
    exit 1
fi
echo "clang-tidy clean"

stage "libFuzzer: result-file loader and argument parser"
CC=clang cmake -S . -B build-fuzz -DCB_FUZZ=ON -DCMAKE_BUILD_TYPE=Debug \
    -DCB_FUZZ_SECONDS="${CB_FUZZ_SECONDS:-30}" >/dev/null
cmake --build build-fuzz -j"$jobs" --target fuzz_load fuzz_cli >/dev/null
ctest --test-dir build-fuzz -L fuzz --output-on-failure --no-tests=error -j"$jobs"
