#!/usr/bin/env bash
# Quick start, step 2 of 2: the whole test suite. Needs what
# scripts/quickstart.sh installs; installs the analysis tools it lacks.
#   ctest       warnings as errors, ctest (unit, CLI, plot, install tests)
#   asan        AddressSanitizer + UndefinedBehaviorSanitizer, ctest
#   tsan        ThreadSanitizer, ctest
#   plugins     a build with the example task and executor (tests/plugins,
#               -DCB_EXAMPLE_PLUGINS=ON): the whole ctest suite, including
#               test_plugins, runs against it
#   valgrind    valgrind memcheck on the unit tests
#   cppcheck    cppcheck on the sources and tests
#   clang-tidy  clang-tidy (.clang-tidy) on the sources
#   fuzz        libFuzzer on the result-file loader and the argument parser
#               (CB_FUZZ_SECONDS each, default 30)
# Every stage runs even when an earlier one fails; the last lines say how
# each went (pass/FAIL, seconds) and the verdict. Exit status 1 if any
# stage failed, 2 on an unknown stage name.
#
# usage: scripts/test.sh [STAGE...]    (default: all stages, in that order)
set -uo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)
all_stages=(ctest asan tsan plugins valgrind cppcheck clang-tidy fuzz)

install_tools() {
    local need=() tool sudo=""
    for tool in valgrind:valgrind cppcheck:cppcheck clang-tidy:clang-tidy clang:clang; do
        command -v "${tool%%:*}" >/dev/null || need+=("${tool#*:}")
    done
    [ ${#need[@]} -gt 0 ] || return 0
    [ "$(id -u)" -eq 0 ] || sudo=sudo
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
        "${need[@]}" >/dev/null ||
        echo "test.sh: warning: could not install ${need[*]}; the stages needing them will fail" >&2
}

suite() { # build-dir, cmake options... (ctest options in $ctest_extra)
    local dir=$1
    shift
    echo "$dir: $*"
    cmake -S . -B "$dir" "$@" >/dev/null
    cmake --build "$dir" -j"$jobs" >/dev/null
    # shellcheck disable=SC2086
    ctest --test-dir "$dir" --output-on-failure --no-tests=error -j"$jobs" ${ctest_extra:-}
}

stage_ctest() {
    suite build-test -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCB_WERROR=ON \
        -DCMAKE_EXPORT_COMPILE_COMMANDS=ON
}

stage_asan() {
    suite build-asan -DCMAKE_BUILD_TYPE=Debug -DCB_WERROR=ON -DCB_SANITIZE=address,undefined
}

# ThreadSanitizer delivers asynchronous signals only when the thread reaches
# one of its interceptors, so a SIGTERM to a parent blocked in waitpid waits
# for the run to end: the signal tests run in the two suites above instead.
# Nor the large runs: TSan tracks at most about 8k live threads.
# A hybrid's processes start threads, and a process may be forked while a
# task's helper thread runs (msg's consumer): TSan refuses threads after
# such a fork unless told not to (glibc itself supports it).
stage_tsan() {
    TSAN_OPTIONS="die_after_fork=0 ${TSAN_OPTIONS:-}" ctest_extra="-LE signals|large" \
        suite build-tsan -DCMAKE_BUILD_TYPE=Debug -DCB_WERROR=ON -DCB_SANITIZE=thread
}

# Adding a task or an executor is its file plus one CMake list entry: the
# example plug-ins prove it through every command. The signal and large
# tests are the ctest stage's business.
stage_plugins() {
    ctest_extra="-LE signals|large|plots" suite build-plugins -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DCB_WERROR=ON -DCB_EXAMPLE_PLUGINS=ON
}

# Timing assertions are skipped (each skip says so): valgrind runs one
# thread at a time. Every unit test runs, even after a failure.
stage_valgrind() {
    [ -x build-test/tests/test_units ] || stage_build_test_quietly
    ctest --test-dir build-test -L unit -N | sed -n 's/^ *Test *#[0-9]*: //p' |
        CB_TEST_NO_TIMING=1 xargs -P "$jobs" -I{} sh -c 'valgrind -q --error-exitcode=99 \
            --leak-check=full --errors-for-leak-kinds=definite --track-fds=no \
            build-test/tests/{} >build-test/{}.vg.out 2>build-test/{}.vg \
            && { grep "^skip: " build-test/{}.vg.out; echo "valgrind ok: {}"; } \
            || { cat build-test/{}.vg; echo "valgrind FAILED: {}"; exit 1; }'
}

stage_build_test_quietly() {
    cmake -S . -B build-test -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCB_WERROR=ON \
        -DCMAKE_EXPORT_COMPILE_COMMANDS=ON >/dev/null &&
        cmake --build build-test -j"$jobs" >/dev/null
}

stage_cppcheck() {
    [ -f build-test/generated/concbench/version.h ] || stage_build_test_quietly
    cppcheck --quiet --enable=warning,performance,portability --std=c11 --inline-suppr \
        -D_GNU_SOURCE -Iinclude -Ibuild-test/generated --error-exitcode=1 src tests bench &&
        echo "cppcheck clean"
}

# clang-tidy exits non-zero on any finding (.clang-tidy makes every warning
# an error), and xargs passes that on; the findings are printed.
stage_clang-tidy() {
    [ -f build-test/compile_commands.json ] || stage_build_test_quietly
    find src -name '*.c' | sort | xargs -P "$jobs" -n 4 clang-tidy -p build-test --quiet 2>/dev/null &&
        echo "clang-tidy clean"
}

stage_fuzz() {
    CC=clang cmake -S . -B build-fuzz -DCB_FUZZ=ON -DCMAKE_BUILD_TYPE=Debug \
        -DCB_FUZZ_SECONDS="${CB_FUZZ_SECONDS:-30}" >/dev/null &&
        cmake --build build-fuzz -j"$jobs" --target fuzz_load fuzz_cli >/dev/null &&
        ctest --test-dir build-fuzz -L fuzz --output-on-failure --no-tests=error -j"$jobs"
}

now_ms() { echo $(( ${EPOCHREALTIME/./} / 1000 )); }

stages=("$@")
[ ${#stages[@]} -gt 0 ] || stages=("${all_stages[@]}")
for s in "${stages[@]}"; do
    [[ " ${all_stages[*]} " == *" $s "* ]] ||
        { echo "test.sh: unknown stage '$s'; stages: ${all_stages[*]}" >&2; exit 2; }
done

install_tools
summary=() failed=0 t_all=$(now_ms)
for s in "${stages[@]}"; do
    echo
    echo "== $s"
    t0=$(now_ms)
    # A subshell per stage: set -e stops the stage at its first failing
    # command, and the next stage still runs.
    ( set -e; "stage_$s" )
    rc=$?
    ms=$(( $(now_ms) - t0 ))
    verdict=pass
    [ $rc -eq 0 ] || { verdict=FAIL; failed=$((failed + 1)); }
    summary+=("$(printf '%-4s %7d.%d s  %s' "$verdict" $((ms / 1000)) $((ms % 1000 / 100)) "$s")")
done
ms=$(( $(now_ms) - t_all ))

echo
echo "== summary"
printf '%s\n' "${summary[@]}"
if [ $failed -eq 0 ]; then
    printf 'test.sh: PASS: all %d stages passed in %d s\n' ${#stages[@]} $((ms / 1000))
else
    printf 'test.sh: FAIL: %d of %d stages failed in %d s\n' $failed ${#stages[@]} $((ms / 1000))
fi
[ $failed -eq 0 ]
