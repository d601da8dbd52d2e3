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
#   COMPARE_OPTS     extra compare options, e.g. "--threshold=10 --fail-on=inconclusive"
#   REPORT           a markdown report is written here (default: concbench-compare.md)
#   UPDATE_BASELINE  1: copy RESULT over BASELINE after a passing compare
#                    (do this on the main branch only)
#
# Exit status: 0 no regression (or no baseline yet: this run becomes it),
# 1 a regression, 2 usage or input error.
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

# A benchmark that fails (crash, wrong checksum) is already a failure.
# shellcheck disable=SC2086
"$BIN" $SUITE -q -o "$RESULT" --context "commit=${GITHUB_SHA:-unknown}"

if [ ! -f "$BASELINE" ]; then
    mkdir -p "$(dirname "$BASELINE")"
    cp "$RESULT" "$BASELINE"
    echo "ci-regression: no baseline yet; $RESULT is now $BASELINE"
    exit 0
fi

set +e
# shellcheck disable=SC2086
"$BIN" compare "$BASELINE" "$RESULT" -f markdown -o "$REPORT" $COMPARE_OPTS
code=$?
set -e
[ "$code" -eq 2 ] && exit 2
cat "$REPORT"
if [ "$code" -eq 0 ] && [ "${UPDATE_BASELINE:-0}" = 1 ]; then
    cp "$RESULT" "$BASELINE"
    echo "ci-regression: baseline updated"
fi
exit "$code"
