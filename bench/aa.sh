#!/bin/sh
# How often does `concbench compare` cry wolf, and does it still catch a
# real slowdown? Runs a small suite twice (BASE, then NEW), compares the
# pair at the defaults (--fail-on=slower), N times, and counts the pairs
# that exit 1.
#
#   A/A       (default)      NEW is the same binary: every exit 1 is a
#                            false alarm.
#   --busy                   the same, with a busy loop on one CPU during
#                            both runs of every pair.
#   --slowdown=PCT           NEW is run by the test build concbench-faulty
#                            with CONCBENCH_SLOWDOWN=PCT (every job does PCT%
#                            more work, the recorded parameters stay, so
#                            the pair is comparable): every exit 1 is a
#                            caught slowdown.
#
# Usage: bench/aa.sh [-n PAIRS] [--busy] [--slowdown=PCT] [--keep=DIR]
#                    [--from=DIR] [--judge=OPTS]...
#   -n PAIRS      pairs to run (default 100: 11-14 minutes on a shared 2-CPU VM)
#   --keep=DIR    keep every pair's files in DIR (pair-K-base.json, -new.json)
#   --from=DIR    run nothing: judge the pairs kept in DIR (by --keep)
#   --judge=OPTS  also judge every pair with these compare options (e.g.
#                 "--threshold=10"); may be given several times. The
#                 defaults are always judged first.
# Environment: CONCBENCH (default build/concbench), CONCBENCH_FAULTY
# (default tests/concbench-faulty beside it), SUITE (the suite's options).
# Prints each pair, then per judgement "K of N pairs exit 1", the
# machine's state (concbench check) before and after, and how long it took.
set -eu

usage() { sed -n '2,/^set -eu/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2; }

N=100 BUSY=0 SLOW=0 KEEP="" FROM="" JUDGES=""
for a in "$@"; do
    case $a in
    -n) N=next ;;
    -n*) N=${a#-n} ;;
    --busy) BUSY=1 ;;
    --slowdown=*) SLOW=${a#--slowdown=} ;;
    --keep=*) KEEP=${a#--keep=} ;;
    --from=*) FROM=${a#--from=} ;;
    --judge=*) JUDGES="$JUDGES${a#--judge=}
" ;;
    -h | --help) usage ;;
    *) if [ "$N" = next ]; then N=$a; else echo "aa.sh: unknown option $a" >&2; usage; fi ;;
    esac
done
case $N in '' | *[!0-9]*) echo "aa.sh: -n takes a number of pairs, not '$N'" >&2; exit 2 ;; esac
case $SLOW in '' | *[!0-9]*) echo "aa.sh: --slowdown takes a percentage, not '$SLOW'" >&2; exit 2 ;; esac

BIN=${CONCBENCH:-$(dirname "$0")/../build/concbench}
FAULTY=${CONCBENCH_FAULTY:-$(dirname "$BIN")/tests/concbench-faulty}
SUITE=${SUITE:--t cpu -n 1,2 -m threads,processes -r 10 -w 1 --iterations=100M}
WORK=$(mktemp -d)
HOG=""
trap '[ -z "$HOG" ] || kill "$HOG" 2>/dev/null || true; rm -rf "$WORK"' EXIT INT TERM

[ -x "$BIN" ] || { echo "aa.sh: no concbench at $BIN (set CONCBENCH)" >&2; exit 2; }
if [ "$SLOW" -gt 0 ] && [ ! -x "$FAULTY" ]; then
    echo "aa.sh: --slowdown needs the test build concbench-faulty at $FAULTY (set CONCBENCH_FAULTY)" >&2
    exit 2
fi
DIR=${FROM:-${KEEP:-$WORK}}
mkdir -p "$DIR"

state() { # one line: what concbench check finds
    j=$("$BIN" check -f json 2>/dev/null | tr -d '\n\t ')
    cv=$(printf '%s\n' "$j" | sed -n 's/.*"robust_cv":\([^,}]*\).*/\1/p')
    printf '%s%s\n' "$(printf '%s\n' "$j" | sed 's/.*"state":{"others_cpu":\([^,]*\),.*"steal_fraction":\([^,]*\),.*"procs_running_others":\([^,]*\),"load_avg":\[\([^]]*\)\].*/others_cpu=\1 steal=\2 runnable_others=\3 load_avg=\4/')" \
        "${cv:+ cpu_speed_robust_cv=$cv}"
}

run_pair() { # $1: pair number
    [ "$BUSY" = 1 ] && { sh -c 'while :; do :; done' & HOG=$!; }
    # shellcheck disable=SC2086
    "$BIN" $SUITE -q -o "$DIR/pair-$1-base.json"
    if [ "$SLOW" -gt 0 ]; then
        # shellcheck disable=SC2086
        CONCBENCH_SLOWDOWN=$SLOW "$FAULTY" $SUITE -q -o "$DIR/pair-$1-new.json"
    else
        # shellcheck disable=SC2086
        "$BIN" $SUITE -q -o "$DIR/pair-$1-new.json"
    fi
    if [ -n "$HOG" ]; then kill "$HOG"; wait "$HOG" 2>/dev/null || true; HOG=""; fi
}

# Judges pair $1 with options $2: prints "EXIT SLOWER" (exit code, cells).
judge() {
    set +e
    # shellcheck disable=SC2086
    "$BIN" compare "$DIR/pair-$1-base.json" "$DIR/pair-$1-new.json" $2 -f json \
        -o "$WORK/cmp.json" 2>/dev/null
    code=$?
    set -e
    [ "$code" -le 1 ] || { echo "aa.sh: compare of pair $1 failed ($code)" >&2; exit 2; }
    echo "$code $(grep -c '"verdict":[[:space:]]*"slower"' "$WORK/cmp.json" || true)"
}

echo "command: $0 $*"
echo "suite: $SUITE"
[ "$SLOW" -gt 0 ] && echo "NEW: CONCBENCH_SLOWDOWN=$SLOW $FAULTY"
[ "$BUSY" = 1 ] && echo "a busy loop on one CPU during both runs"
[ -n "$FROM" ] || echo "machine before: $(state)"
JUDGES="
$JUDGES"
T0=$(date +%s)
if [ -n "$FROM" ]; then # judge what was kept, at most N pairs
    k=0
    while [ "$k" -lt "$N" ] && [ -f "$DIR/pair-$((k + 1))-new.json" ]; do k=$((k + 1)); done
    N=$k
fi
i=0
while [ "$i" -lt "$N" ]; do
    i=$((i + 1))
    [ -n "$FROM" ] || run_pair "$i"
    line="pair $i/$N:" k=0
    while IFS= read -r opts; do
        [ -z "$opts" ] && [ "$k" -gt 0 ] && continue
        k=$((k + 1))
        # shellcheck disable=SC2046
        set -- $(judge "$i" "$opts")
        line="$line [${opts:-defaults}] exit $1 slower $2"
        eval "fails_$k=\$((\${fails_$k:-0} + $1))"
    done <<EOF
$JUDGES
EOF
    echo "$line"
done
[ -n "$FROM" ] || echo "machine after: $(state)"
T=$(($(date +%s) - T0))
[ -n "$FROM" ] || echo "elapsed: $T s for $N pairs ($(awk "BEGIN { printf \"%.1f\", $T / ($N ? $N : 1) }") s a pair)"
k=0
while IFS= read -r opts; do
    [ -z "$opts" ] && [ "$k" -gt 0 ] && continue
    k=$((k + 1))
    f=0
    eval "f=\${fails_$k:-0}"
    echo "RESULT [${opts:-defaults}]: $f of $N pairs exit 1"
done <<EOF
$JUDGES
EOF
