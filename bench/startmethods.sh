#!/usr/bin/env bash
# --start-method=fork|spawn|forkserver: creation side by side, at
# --parent-memory=0 and 1GiB, against raw posix_spawn floors measured in
# the same run, interleaved round by round (A B A B), so the machine's
# drift hits all alike.
#
# Per round:
#   raw-exe   cb_rawspawn --mode spawn --exe CONCBENCH: posix_spawn of the
#             very concbench binary, which refuses "--worker=x" at the
#             start of main; its spawn is until the child is reaped
#             (exec + dynamic linking + main's start + exit): the floor of
#             concbench's spawn_s, and its create call the floor of
#             create_call_s
#   raw-self  cb_rawspawn --mode spawn: a small binary stamping its first
#             instruction (how much of the above is the bigger binary)
#   then concbench -m processes -t cpu -n 1 (one unit, as the raw loops:
#   no unit waits for a CPU behind its siblings) under each method and parent
#   memory, spawn_s and create_call_s medians over every unit.
# Printed: the median over rounds of each figure (creation = spawn_s
# less the unit's run-queue wait, concbench's creation_s), and spawn's
# ratios to the raw-exe floor.
#
# usage: bench/startmethods.sh [BUILD_DIR] [ROUNDS]   (default: build 5)
set -euo pipefail

prog=${0##*/}
build=${1:-build}
rounds=${2:-5}
concbench=$(readlink -f "$build/concbench")
rawspawn=$build/bench/cb_rawspawn

if [[ $# -gt 2 || ${1:-} == -h || ${1:-} == --help ]]; then
    echo "usage: $prog [BUILD_DIR] [ROUNDS]   (default: build 5)" >&2
    exit 2
fi
[[ $rounds =~ ^[1-9][0-9]*$ ]] || { echo "$prog: ROUNDS must be a positive count" >&2; exit 2; }
for bin in "$concbench" "$rawspawn"; do
    [[ -x $bin ]] || { echo "$prog: $bin not found; build it first" >&2; exit 2; }
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/cb-startmethods.XXXXXX")
trap 'rm -rf -- "$tmp"' EXIT

for r in $(seq "$rounds"); do
    "$rawspawn" --mode spawn --exe "$concbench" --count 40 --warmup 5 >"$tmp/raw-exe-$r.json"
    "$rawspawn" --mode spawn --count 40 --warmup 5 >"$tmp/raw-self-$r.json"
    for method in fork spawn forkserver; do
        for mem in 0 1GiB; do
            "$concbench" -q -m processes -t cpu -n 1 --iterations=1000 -r 20 -w 1 \
                --start-method=$method --parent-memory=$mem -o "$tmp/cb-$method-$mem-$r.json"
        done
    done
done

python3 - "$tmp" "$rounds" <<'EOF'
import json, statistics as st, sys
tmp, rounds = sys.argv[1], int(sys.argv[2])
def raw(kind, key):
    return st.median(json.load(open(f"{tmp}/raw-{kind}-{r}.json"))["spawn"][key]
                     for r in range(1, rounds + 1))
def cb(method, mem, key):
    per_round = []
    for r in range(1, rounds + 1):
        d = json.load(open(f"{tmp}/cb-{method}-{mem}-{r}.json"))
        units = [u for s in d["benchmarks"][0]["samples"] for u in s["units"]]
        if key == "creation":
            per_round.append(st.median(u["spawn_s"] - u.get("queue_wait_s", 0) for u in units))
        else:
            per_round.append(st.median(u[key] for u in units))
    return st.median(per_round)
us = lambda s: f"{s * 1e6:.0f} us"
floor_spawn, floor_call = raw("exe", "spawn_median_s"), raw("exe", "create_call_median_s")
print(f"raw posix_spawn of concbench (to reaped): {us(floor_spawn)}, call {us(floor_call)}")
print(f"raw posix_spawn of cb_rawspawn (to first instruction): "
      f"{us(raw('self', 'spawn_median_s'))}, less queue wait "
      f"{us(raw('self', 'creation_median_s'))}, call {us(raw('self', 'create_call_median_s'))}")
print("method      parent    spawn_s  creation  create_call_s")
for method in ("fork", "spawn", "forkserver"):
    for mem in ("0", "1GiB"):
        print(f"{method:<11} {mem:<7} {us(cb(method, mem, 'spawn_s')):>9} "
              f"{us(cb(method, mem, 'creation')):>9} {us(cb(method, mem, 'create_call_s')):>12}")
for mem in ("0", "1GiB"):
    print(f"spawn at {mem}: spawn_s / raw = {cb('spawn', mem, 'spawn_s') / floor_spawn:.2f}, "
          f"creation / raw = {cb('spawn', mem, 'creation') / floor_spawn:.2f}, "
          f"create_call_s / raw call = {cb('spawn', mem, 'create_call_s') / floor_call:.2f}")
EOF
