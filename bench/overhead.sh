#!/usr/bin/env bash
# Harness overhead: concbench's per-worker creation latency (spawn_s) next
# to the raw cost of pthread_create / fork measured by cb_rawspawn, which
# has no harness at all. A ratio near 1 means concbench adds little.
#
# usage: bench/overhead.sh [BUILD_DIR]     (default: build)
#
# Builds nothing: run `cmake --build BUILD_DIR` first.
# Env: CB_OVERHEAD_KEEP=DIR keeps both JSON files in DIR.
set -euo pipefail

prog=${0##*/}
build=${1:-build}
concbench=$build/concbench
rawspawn=$build/bench/cb_rawspawn

if [[ $# -gt 1 || ${1:-} == -h || ${1:-} == --help ]]; then
    echo "usage: $prog [BUILD_DIR]   (default: build)" >&2
    exit 2
fi
for bin in "$concbench" "$rawspawn"; do
    if [[ ! -x $bin ]]; then
        echo "$prog: $bin not found; build it first:" \
             "cmake -S . -B $build && cmake --build $build" >&2
        exit 2
    fi
done
command -v python3 >/dev/null || { echo "$prog: python3 is needed" >&2; exit 2; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/cb-overhead.XXXXXX")
trap 'rm -rf -- "$tmp"' EXIT

if [[ -n ${CB_OVERHEAD_FROM:-} ]]; then
    # Re-read files kept by an earlier CB_OVERHEAD_KEEP run; run nothing.
    cp -- "$CB_OVERHEAD_FROM/concbench.json" "$CB_OVERHEAD_FROM/rawspawn.json" "$tmp/"
else
    echo "$prog: running concbench -m threads,processes,serial -r 10..." >&2
    rc=0
    "$concbench" -m threads,processes,serial -r 10 -o "$tmp/concbench.json" || rc=$?
    # Exit 1 means a benchmark failed; the table shows its status.
    if [[ $rc -ne 0 && $rc -ne 1 ]] || [[ ! -s $tmp/concbench.json ]]; then
        echo "$prog: concbench failed (exit $rc) or wrote no JSON" >&2
        exit 1
    fi
    echo "$prog: running cb_rawspawn --count 200..." >&2
    "$rawspawn" --count 200 >"$tmp/rawspawn.json"
fi
if [[ -n ${CB_OVERHEAD_KEEP:-} ]]; then
    mkdir -p -- "$CB_OVERHEAD_KEEP"
    cp -- "$tmp/concbench.json" "$tmp/rawspawn.json" "$CB_OVERHEAD_KEEP/"
fi

python3 - "$tmp/concbench.json" "$tmp/rawspawn.json" <<'PY'
import json
import statistics
import sys

RAW_MODEL = {"threads": "threads", "processes": "processes"}


def die(msg):
    print("overhead.sh: " + msg, file=sys.stderr)
    sys.exit(1)


def load(path, what):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        die("cannot read %s output %s: %s" % (what, path, e))


def spawn_median(b):
    """The benchmark's spawn_s.median, or None if it has none."""
    v = (b.get("spawn_s") or {}).get("median")
    return v if isinstance(v, (int, float)) else None


def us(v):
    return "-" if v is None else "%.1f" % (v * 1e6)


def ratio(a, b):
    return "-" if a is None or not b else "%.2fx" % (a / b)


def raw_for(raw, mode):
    model = raw.get(RAW_MODEL.get(mode, ""), {})
    return model.get("spawn_median_s"), model.get("create_join_median_s")


FMT = "  %-12s %7s %-18s %13s %10s %8s %11s"


def row(*cols):
    print((FMT % cols).rstrip())


def print_mode(mode, rows, raw):
    raw_spawn, raw_cj = raw_for(raw, mode)
    if raw_spawn:
        print("%s  (raw spawn median %s us, raw create+join %s us)"
              % (mode, us(raw_spawn), us(raw_cj)))
    else:
        print("%s  (no raw counterpart)" % mode)
    row("task", "workers", "status", "spawn_med_us", "raw_us", "ratio",
        "wall_med_s")
    for b in rows:
        s = spawn_median(b)
        wall = (b.get("wall_s") or {}).get("median")
        row(b.get("task", "?"), b.get("workers", "?"),
            str(b.get("status", "?"))[:18], us(s), us(raw_spawn),
            ratio(s, raw_spawn), "-" if wall is None else "%.4f" % wall)
    meds = [v for v in map(spawn_median, rows) if v is not None]
    all_med = statistics.median(meds) if meds else None
    row("(all tasks)", "", "", us(all_med), us(raw_spawn),
        ratio(all_med, raw_spawn), "")
    print()


def main():
    cb = load(sys.argv[1], "concbench")
    raw = load(sys.argv[2], "cb_rawspawn")
    benches = cb.get("benchmarks") if isinstance(cb, dict) else None
    if not isinstance(benches, list) or not benches:
        die("%s has no benchmarks[]" % sys.argv[1])
    if not isinstance(raw, dict):
        die("%s is not a JSON object" % sys.argv[2])
    order = ["threads", "processes", "serial"]
    order += [m for m in dict.fromkeys(b.get("mode") for b in benches)
              if m not in order]
    for mode in order:
        rows = [b for b in benches if b.get("mode") == mode]
        if rows:
            print_mode(mode, rows, raw)
    print("spawn = parent's create call -> worker's first instruction; "
          "ratio = concbench / raw (1.00x = no harness overhead)")


main()
PY
