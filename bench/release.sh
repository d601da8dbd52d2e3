#!/usr/bin/env bash
# Barrier start against its raw floor: N io workers sleeping SLEEP, all
# released at once. Run phase = release -> last worker's end (each sleeps
# its full SLEEP from its own start). Interleaved A B A B in the same
# state: cb_rawrelease (a pipe close, no harness) and concbench
# --start=barrier, for threads and for processes. Prints the medians and
# concbench / raw (target: <= 1.05).
#
# usage: bench/release.sh [BUILD_DIR] [N] [ROUNDS]   (default: build 1000 5)
set -euo pipefail

prog=${0##*/}
build=${1:-build}
n=${2:-1000}
rounds=${3:-5}
concbench=$build/concbench
raw=$build/bench/cb_rawrelease
for bin in "$concbench" "$raw"; do
    [[ -x $bin ]] || { echo "$prog: $bin not found; build it first" >&2; exit 2; }
done
[[ $n =~ ^[1-9][0-9]*$ && $rounds =~ ^[1-9][0-9]*$ ]] ||
    { echo "$prog: N and ROUNDS must be positive counts" >&2; exit 2; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/cb-release.XXXXXX")
trap 'rm -rf -- "$tmp"' EXIT
for ((i = 0; i < rounds; i++)); do
    for mode in threads processes; do
        "$raw" "$mode" "$n" 100000000 1 >>"$tmp/raw.$mode"
        "$concbench" -q -m "$mode" -t io -n "$n" --sleep=100ms --start=barrier -r 1 -w 0 \
            --stack-size=256KiB -o "$tmp/cb.$mode.$i.json"
    done
done

python3 - "$tmp" "$rounds" <<'PY'
import json, statistics, sys
tmp, rounds = sys.argv[1], int(sys.argv[2])
print(f"{'mode':10} {'figure':14} {'raw ms':>9} {'concbench ms':>13} {'ratio':>6}")
for mode in ("threads", "processes"):
    raw = [tuple(int(x) for x in line.split()) for line in open(f"{tmp}/raw.{mode}")]
    phase, spread = [], []
    for i in range(rounds):
        b = json.load(open(f"{tmp}/cb.{mode}.{i}.json"))["benchmarks"][0]
        for s in b["samples"]:
            phase.append(max(w["end_s"] for w in s["workers"]) - s["release_s"])
            spread.append(s["release_spread_s"])
    rows = (("run phase", statistics.median(r[0] for r in raw) / 1e6, statistics.median(phase) * 1e3),
            ("release spread", statistics.median(r[1] for r in raw) / 1e6, statistics.median(spread) * 1e3))
    for name, r, c in rows:
        print(f"{mode:10} {name:14} {r:9.1f} {c:13.1f} {c / r:6.2f}")
PY
