#!/bin/sh
# The CI recipe of `concbench compare`: run the suite, compare it with the
# kept baseline, and exit with compare's status.
#
# Usage: scripts/ci-regression.sh [BASELINE [RESULT]]
#   BASELINE  the kept result file (default: .concbench/baseline.json)
#   RESULT    where this run's result goes (default: concbench-result.json)
#
# Environment:
#   CONCBENCH        the binary (default: concbench on PATH, else build/concbench)
#   SUITE            what to run (default: a small suite of every task)
#   COMPARE_OPTS     extra compare options (default: none; the defaults,
#                    --fail-on=slower --threshold=5 with the work check on
#                    CPU time, are the ones bench/aa.sh measured on shared
#                    2-CPU VMs: see README "How often does it cry wolf";
#                    the report warns when a run's noise floor varied more
#                    than the threshold; run `concbench check` on a new
#                    runner first: it times the CPU's speed)
#   REPORT           a markdown report is written here (default: concbench-compare.md)
#   UPDATE_BASELINE  1: copy RESULT over BASELINE after a passing compare
#                    (do this on the main branch only)
#
# When the suite changed (benchmarks or their params differ from the
# baseline's: a new concbench version with new defaults, or a new SUITE),
# the benchmarks that can still be compared are gated as usual and the
# rest start a new baseline; this is said loudly on stderr and at the top
# of the report. With UPDATE_BASELINE=1 the old baseline is kept beside
# the new one as BASELINE.prev. A comparison that compares nothing for
# any other reason fails and never replaces the baseline.
#
# Exit status: 0 no regression (or no baseline yet: this run becomes it),
# 1 a regression, a failed benchmark, or nothing compared; 2 usage or
# input error.
set -eu

BASELINE=${1:-.concbench/baseline.json}
RESULT=${2:-concbench-result.json}
REPORT=${REPORT:-concbench-compare.md}
SUITE=${SUITE:--t cpu,io,fib -m threads,processes,serial -n 1,2 -r 15 -w 2}
COMPARE_OPTS=${COMPARE_OPTS:-}
if [ -n "${CONCBENCH:-}" ]; then
    BIN=$CONCBENCH
elif command -v concbench >/dev/null 2>&1; then
    BIN=concbench
else
    BIN=$(dirname "$0")/../build/concbench
fi
SUMMARY=$(mktemp)
trap 'rm -f "$SUMMARY" "$SUMMARY.md"' EXIT

# A benchmark that fails (crash, wrong checksum) is already a failure.
# shellcheck disable=SC2086
"$BIN" $SUITE -q -o "$RESULT" --context "commit=${GITHUB_SHA:-unknown}"

if [ ! -f "$BASELINE" ]; then
    mkdir -p "$(dirname "$BASELINE")"
    cp "$RESULT" "$BASELINE"
    echo "ci-regression: no baseline yet; $RESULT is now $BASELINE"
    exit 0
fi

compare() { # $@: more compare options; sets code
    set +e
    # shellcheck disable=SC2086
    "$BIN" compare "$BASELINE" "$RESULT" -f markdown -o "$REPORT" $COMPARE_OPTS "$@"
    code=$?
    # shellcheck disable=SC2086
    "$BIN" compare "$BASELINE" "$RESULT" $COMPARE_OPTS "$@" -f json -o "$SUMMARY"
    set -e
    [ "$code" -eq 2 ] && exit 2
    return 0
}

# A number or flag of compare's JSON summary ("key": value on one line).
summary() { sed -n "s/^[[:space:]]*\"$1\":[[:space:]]*\([^,]*\),*$/\1/p" "$SUMMARY" | tail -n 1; }

compare
if [ "$(summary suite_changed)" = true ]; then
    compared=$(summary compared)
    {
        echo "ci-regression: THE SUITE CHANGED: its benchmarks or their parameters differ"
        echo "from the baseline's (a new concbench version with new defaults, or a new"
        echo "SUITE); $compared of $(summary base_benchmarks) baseline benchmarks can still be compared."
        echo "These differ and START A NEW BASELINE:"
        grep -E '^- [^ ]+: (not comparable: |only in (BASE|NEW)$)' "$REPORT" |
            sed 's/^- /    /' || true
        if [ "$compared" -gt 0 ]; then
            echo "What can still be compared is gated as usual (compare --allow-missing)."
        else
            echo "Nothing is left to gate: this run passes and starts over."
        fi
    } >"$SUMMARY.md"
    cat "$SUMMARY.md" >&2
    if [ "$compared" -gt 0 ]; then compare --allow-missing; else code=0; fi
    { sed 's/^/> /' "$SUMMARY.md"; echo; cat "$REPORT"; } >"$REPORT.tmp"
    mv "$REPORT.tmp" "$REPORT"
fi
cat "$REPORT"
if [ "$code" -eq 0 ] && [ "${UPDATE_BASELINE:-0}" = 1 ]; then
    if [ -s "$SUMMARY.md" ]; then
        cp "$BASELINE" "$BASELINE.prev"
        echo "ci-regression: NEW BASELINE: the suite changed; $RESULT is now $BASELINE" \
             "(the old one is kept as $BASELINE.prev)" >&2
    else
        echo "ci-regression: baseline updated"
    fi
    cp "$RESULT" "$BASELINE"
elif [ "$code" -eq 0 ] && [ -s "$SUMMARY.md" ]; then
    echo "ci-regression: the baseline is kept; it is replaced when this runs with" \
         "UPDATE_BASELINE=1 (on main)" >&2
fi
exit "$code"
