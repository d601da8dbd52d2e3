#!/bin/sh
# A/A and injected-slowdown experiments for `concbench compare`.
#
#   A/A:      run the same small suite twice, compare at the defaults, N
#             times. Every "slower" is a false alarm; the share of pairs
#             that exit 1 is the false-alarm rate a CI gate would see.
#   slowdown: the same, but NEW runs while busy loops hold every CPU;
#             the share of pairs that exit 1 is the detection rate.
#
# Usage: bench/aa.sh [N [M]]   (N A/A pairs, default 20; M slowdown pairs,
#                               default 5). CONCBENCH=path/to/concbench,
#                               SUITE="..." override the binary and suite.
set -eu

N=${1:-20}
M=${2:-5}
BIN=${CONCBENCH:-$(dirname "$0")/../build/concbench}
SUITE=${SUITE:--t cpu,io -m threads,processes -n 1,2 -r 10 -w 1 --iterations=30M --sleep=20ms}
WORK=$(mktemp -d)
HOGS=""
trap 'for p in $HOGS; do kill "$p" 2>/dev/null || true; done; rm -rf "$WORK"' EXIT INT TERM

[ -x "$BIN" ] || { echo "aa.sh: no concbench at $BIN (set CONCBENCH)" >&2; exit 2; }

run_suite() { # $1: output file
    # shellcheck disable=SC2086
    "$BIN" $SUITE -q -o "$1"
}

hogs_start() {
    for _ in $(seq "$(nproc)"); do
        sh -c 'while :; do :; done' &
        HOGS="$HOGS $!"
    done
}

hogs_stop() {
    for p in $HOGS; do kill "$p" 2>/dev/null || true; done
    for p in $HOGS; do wait "$p" 2>/dev/null || true; done
    HOGS=""
}

# One pair: prints "exit slower faster unchanged inconclusive compared".
pair() { # $1: "hog" to load the machine during NEW
    run_suite "$WORK/base.json"
    [ "$1" = hog ] && hogs_start
    run_suite "$WORK/new.json"
    [ "$1" = hog ] && hogs_stop
    set +e
    "$BIN" compare "$WORK/base.json" "$WORK/new.json" -f json -o "$WORK/cmp.json"
    code=$?
    set -e
    [ "$code" -le 1 ] || { echo "aa.sh: compare failed ($code)" >&2; exit 2; }
    count() { grep -c "\"verdict\":[[:space:]]*\"$1\"" "$WORK/cmp.json" || true; }
    # The same pair at wider thresholds: what a noisier gate would cost.
    t10=0 t20=0
    "$BIN" compare "$WORK/base.json" "$WORK/new.json" --threshold=10 -f json >/dev/null || t10=1
    "$BIN" compare "$WORK/base.json" "$WORK/new.json" --threshold=20 -f json >/dev/null || t20=1
    echo "$code $(count slower) $(count faster) $(count unchanged) $(count inconclusive) $t10 $t20"
}

experiment() { # $1: name, $2: pairs, $3: "hog" or "none"
    alarms=0 slower=0 faster=0 unchanged=0 inconclusive=0 a10=0 a20=0 i=0
    while [ "$i" -lt "$2" ]; do
        i=$((i + 1))
        # Word splitting wanted: pair prints the numbers, one per word.
        # shellcheck disable=SC2046
        set -- "$1" "$2" "$3" $(pair "$3")
        printf '%s %2d/%d: exit %s  slower %s faster %s unchanged %s inconclusive %s  (exit 1 at 10%%: %s, 20%%: %s)\n' \
            "$1" "$i" "$2" "$4" "$5" "$6" "$7" "$8" "$9" "${10}"
        alarms=$((alarms + $4)) slower=$((slower + $5)) faster=$((faster + $6))
        unchanged=$((unchanged + $7)) inconclusive=$((inconclusive + $8))
        a10=$((a10 + $9)) a20=$((a20 + ${10}))
        set -- "$1" "$2" "$3"
    done
    cells=$((slower + faster + unchanged + inconclusive))
    printf '%s: %d of %d pairs exit 1 (%d%%); cells: %d slower, %d faster, %d unchanged, %d inconclusive of %d\n' \
        "$1" "$alarms" "$2" $((100 * alarms / $2)) "$slower" "$faster" "$unchanged" \
        "$inconclusive" "$cells"
    printf '%s: exit 1 at --threshold=10: %d of %d pairs; at --threshold=20: %d of %d\n' \
        "$1" "$a10" "$2" "$a20" "$2"
}

echo "suite: $SUITE"
echo "defaults: --threshold=5 --alpha=0.05 --metric=wall --fail-on=slower"
experiment "A/A" "$N" none
[ "$M" -gt 0 ] && experiment "slowdown" "$M" hog
exit 0
