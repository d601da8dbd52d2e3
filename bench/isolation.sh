#!/usr/bin/env bash
# Does the sample server move the figures? Runs the in-process modes with
# --isolation=process (the default: samples in a sample server) and
# --isolation=none (in concbench itself), interleaved A B A B so drift
# hits both alike, and prints per benchmark the median over rounds of
# each file's median spawn, creation (spawn less queue wait), queue
# wait, wall and mem/worker, and their ratio.
#
# usage: bench/isolation.sh [BUILD_DIR] [ROUNDS]   (default: build 6)
set -euo pipefail

prog=${0##*/}
build=${1:-build}
rounds=${2:-6}
concbench=$build/concbench
[[ -x $concbench ]] || { echo "$prog: $concbench not found; build it first" >&2; exit 2; }
[[ $rounds =~ ^[1-9][0-9]*$ ]] || { echo "$prog: ROUNDS must be a positive count" >&2; exit 2; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/cb-isolation.XXXXXX")
trap 'rm -rf -- "$tmp"' EXIT
args=(-q -m threads,serial -t cpu,io -n 4 -r 10 --iterations=2M --sleep=5ms
      --worker-memory=1MiB)
for ((i = 0; i < rounds; i++)); do
    for way in process none; do
        "$concbench" "${args[@]}" --isolation="$way" -o "$tmp/$way.$i.json"
    done
done

python3 - "$tmp" "$rounds" <<'PY'
import json, statistics, sys
tmp, rounds = sys.argv[1], int(sys.argv[2])
fig = {}
for way in ("process", "none"):
    for i in range(rounds):
        d = json.load(open(f"{tmp}/{way}.{i}.json"))
        for b in d["benchmarks"]:
            mem = [s["memory"]["per_worker_kib"] for s in b["samples"] if "memory" in s]
            row = fig.setdefault(b["name"], {}).setdefault(
                way, {"spawn": [], "creation": [], "queue": [], "wall": [], "mem": []})
            row["spawn"].append(b["spawn_s"]["median"])
            for f, key in (("creation", "creation_s"), ("queue", "queue_wait_s")):
                if (b.get(key) or {}).get("median") is not None:
                    row[f].append(b[key]["median"])
            row["wall"].append(b["wall_s"]["median"])
            if mem:
                row["mem"].append(statistics.median(mem))
def med(v):
    return statistics.median(v) if v else float("nan")
print(f"{'benchmark':16} {'figure':11} {'process':>12} {'none':>12} {'process/none':>13}")
for name, ways in fig.items():
    for f, unit, scale in (("spawn", "us", 1e6), ("creation", "us", 1e6), ("queue", "us", 1e6),
                           ("wall", "ms", 1e3), ("mem", "KiB", 1)):
        a, b = med(ways["process"][f]), med(ways["none"][f])
        if a != a or b != b:
            continue
        ratio = a / b if b else float("nan")
        print(f"{name:16} {f + ' ' + unit:11} {a * scale:12.3f} {b * scale:12.3f} {ratio:13.2f}")
PY
