#!/usr/bin/env bash
# --start-method=fork|spawn|forkserver: creation side by side, at
# --parent-memory=0 and 1GiB, against raw posix_spawn floors measured in
# the same run, interleaved round by round (A B A B), so the machine's
# drift hits all alike.
#
# Per round:
#   floor     cb_rawspawn --mode spawn --exe CONCBENCH --preload cb_stamp.so:
#             posix_spawn of the very concbench binary, whose preloaded
#             library stamps its first instruction once the dynamic
#             linker has loaded and relocated it, before concbench's main;
#             timed as spawn_s is (call -> stamp; run-queue wait from
#             /proc/thread-self/schedstat), from a parent as big as
#             concbench's cell (--parent-memory). Run right before each of
#             concbench's spawn cells (A B A B): the floor of spawn_s,
#             creation and create_call_s
#   raw-exe   cb_rawspawn --mode spawn --exe CONCBENCH without the stamp:
#             until the child, refusing "--worker=x", is reaped (exit and
#             reaping included: more than the floor)
#   raw-self  cb_rawspawn --mode spawn: a smaller binary stamping its own
#             first instruction (how much of the floor is concbench's
#             larger image)
#   then concbench -m processes -t cpu -n 1 (one unit, as the raw loops:
#   no unit waits for a CPU behind its siblings) under each method and parent
#   memory, spawn_s and create_call_s medians over every unit.
# Printed: per round, spawn's spawn_s, creation and call over the floor run
# just before it; then the median over rounds of each figure (creation =
# spawn_s less the unit's run-queue wait, concbench's creation_s) and of
# the per-round ratios.
#
# usage: bench/startmethods.sh [BUILD_DIR] [ROUNDS]   (default: build 5)
set -euo pipefail

prog=${0##*/}
build=${1:-build}
rounds=${2:-5}
concbench=$(readlink -f "$build/concbench")
rawspawn=$build/bench/cb_rawspawn
stamp=$(readlink -f "$build/bench/cb_stamp.so" || true)

if [[ $# -gt 2 || ${1:-} == -h || ${1:-} == --help ]]; then
    echo "usage: $prog [BUILD_DIR] [ROUNDS]   (default: build 5)" >&2
    exit 2
fi
[[ $rounds =~ ^[1-9][0-9]*$ ]] || { echo "$prog: ROUNDS must be a positive count" >&2; exit 2; }
for bin in "$concbench" "$rawspawn" "$stamp"; do
    [[ -n $bin && -f $bin ]] || { echo "$prog: $bin not found; build it first" >&2; exit 2; }
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/cb-startmethods.XXXXXX")
trap 'rm -rf -- "$tmp"' EXIT

for r in $(seq "$rounds"); do
    "$rawspawn" --mode spawn --exe "$concbench" --count 20 --warmup 2 >"$tmp/raw-exe-$r.json"
    "$rawspawn" --mode spawn --count 20 --warmup 2 >"$tmp/raw-self-$r.json"
    for method in fork spawn forkserver; do
        for mem in 0 1GiB; do
            if [[ $method == spawn ]]; then
                kib=0
                [[ $mem == 1GiB ]] && kib=1048576
                "$rawspawn" --mode spawn --exe "$concbench" --preload "$stamp" --count 20 \
                    --warmup 2 --parent-memory $kib >"$tmp/floor-$mem-$r.json"
            fi
            "$concbench" -q -m processes -t cpu -n 1 --iterations=1000 -r 20 -w 1 \
                --start-method=$method --parent-memory=$mem -o "$tmp/cb-$method-$mem-$r.json"
        done
    done
done

python3 - "$tmp" "$rounds" <<'EOF'
import json, statistics as st, sys
tmp, rounds = sys.argv[1], int(sys.argv[2])
R = range(1, rounds + 1)
def rawfile(kind, r):
    return json.load(open(f"{tmp}/{kind}-{r}.json"))["spawn"]
def raw(kind, key):
    return st.median(rawfile(kind, r)[key] for r in R)
def cb_round(method, mem, key, r):
    d = json.load(open(f"{tmp}/cb-{method}-{mem}-{r}.json"))
    units = [u for s in d["benchmarks"][0]["samples"] for u in s["units"]]
    if key == "creation":
        return st.median(u["spawn_s"] - u.get("queue_wait_s", 0) for u in units)
    return st.median(u[key] for u in units)
def cb(method, mem, key):
    return st.median(cb_round(method, mem, key, r) for r in R)
us = lambda s: f"{s * 1e6:.0f} us"
pairs = (("spawn_s", "spawn_median_s"), ("creation", "creation_median_s"),
         ("create_call_s", "create_call_median_s"))
ratios = {}
print("round  parent  floor spawn  spawn_s/floor  creation/floor  call/floor")
for r in R:
    for mem in ("0", "1GiB"):
        f = rawfile(f"floor-{mem}", r)
        q = [cb_round("spawn", mem, k, r) / f[fk] for k, fk in pairs]
        for (k, _), v in zip(pairs, q):
            ratios.setdefault((mem, k), []).append(v)
        print(f"{r:>5}  {mem:<6} {us(f['spawn_median_s']):>12} {q[0]:>14.2f} "
              f"{q[1]:>15.2f} {q[2]:>11.2f}")
for mem in ("0", "1GiB"):
    print(f"floor before {mem} (posix_spawn of concbench to its first instruction): "
          f"{us(raw('floor-' + mem, 'spawn_median_s'))}, less queue wait "
          f"{us(raw('floor-' + mem, 'creation_median_s'))}, "
          f"call {us(raw('floor-' + mem, 'create_call_median_s'))}")
print(f"raw posix_spawn of concbench (to reaped): {us(raw('raw-exe', 'spawn_median_s'))}, "
      f"call {us(raw('raw-exe', 'create_call_median_s'))}")
print(f"raw posix_spawn of cb_rawspawn (to first instruction): "
      f"{us(raw('raw-self', 'spawn_median_s'))}, less queue wait "
      f"{us(raw('raw-self', 'creation_median_s'))}, "
      f"call {us(raw('raw-self', 'create_call_median_s'))}")
print("method      parent    spawn_s  creation  create_call_s")
for method in ("fork", "spawn", "forkserver"):
    for mem in ("0", "1GiB"):
        print(f"{method:<11} {mem:<7} {us(cb(method, mem, 'spawn_s')):>9} "
              f"{us(cb(method, mem, 'creation')):>9} {us(cb(method, mem, 'create_call_s')):>12}")
for mem in ("0", "1GiB"):
    m = {k: ratios[(mem, k)] for k, _ in pairs}
    print(f"spawn at {mem} over the floor, median of per-round ratios: "
          f"spawn_s {st.median(m['spawn_s']):.2f} "
          f"({min(m['spawn_s']):.2f}-{max(m['spawn_s']):.2f}), "
          f"creation {st.median(m['creation']):.2f}, "
          f"create_call_s {st.median(m['create_call_s']):.2f}")
EOF
