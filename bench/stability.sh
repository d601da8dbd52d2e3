#!/usr/bin/env bash
# How steady are concbench's cells next to the machine's own noise?
# Runs the default suite REPS times (plus any ARGS given after --) and,
# for every run, divides each cpu and fib cell's wall-time CV by that
# run's noise-floor CV (the bare loop timed in the same rounds, see
# README "The noise floor"). Prints per cell the median CV, floor CV and
# ratio over the runs, then the figure issue 12 targets: the median over
# every run's cpu and fib cells of (cell CV / floor CV), target <= 1.25.
# `concbench check` and the load average are printed before and after:
# on a busy machine both CVs grow, and the ratio says how much of the
# cells' spread is their own.
#
# usage: bench/stability.sh [BUILD_DIR] [REPS] [-- CONCBENCH_ARGS...]
#        (default: build 20, the default suite)
# Env: CB_STABILITY_KEEP=DIR keeps the JSON files in DIR;
#      CB_STABILITY_FROM=DIR re-reads files kept that way and runs nothing.
set -euo pipefail

prog=${0##*/}
build=build
reps=20
[[ $# -gt 0 && $1 != -- ]] && { build=$1; shift; }
[[ $# -gt 0 && $1 != -- ]] && { reps=$1; shift; }
[[ $# -gt 0 && $1 == -- ]] && shift
[[ $# -eq 0 || $1 == -* ]] || {
    echo "usage: $prog [BUILD_DIR] [REPS] [-- CONCBENCH_ARGS...]" >&2; exit 2; }
concbench=$build/concbench
[[ $reps =~ ^[1-9][0-9]*$ ]] || { echo "$prog: REPS must be a positive count" >&2; exit 2; }
command -v python3 >/dev/null || { echo "$prog: python3 is needed" >&2; exit 2; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/cb-stability.XXXXXX")
trap 'rm -rf -- "$tmp"' EXIT

state() {
    echo "== $1: load average $(cut -d' ' -f1-3 /proc/loadavg)"
    "$concbench" check || true
}

if [[ -n ${CB_STABILITY_FROM:-} ]]; then
    cp -- "$CB_STABILITY_FROM"/rep.*.json "$tmp/"
else
    [[ -x $concbench ]] || { echo "$prog: $concbench not found; build it first" >&2; exit 2; }
    state before
    for ((i = 0; i < reps; i++)); do
        "$concbench" -q "$@" -o "$tmp/rep.$i.json" || true
    done
    state after
fi
if [[ -n ${CB_STABILITY_KEEP:-} ]]; then
    mkdir -p -- "$CB_STABILITY_KEEP"
    cp -- "$tmp"/rep.*.json "$CB_STABILITY_KEEP/"
fi

python3 - "$tmp" <<'PY'
import glob
import json
import statistics
import sys

TASKS = ("cpu", "fib")
files = sorted(glob.glob(sys.argv[1] + "/rep.*.json"))
cells, ratios, floors = {}, [], []
for path in files:
    try:
        with open(path, encoding="utf-8") as f:
            d = json.load(f)
    except (OSError, ValueError) as e:
        print("stability.sh: cannot read %s: %s" % (path, e), file=sys.stderr)
        continue
    fcv = (d.get("noise_floor") or {}).get("cv")
    if not fcv:
        continue
    floors.append(fcv)
    for b in d.get("benchmarks", []):
        cv = (b.get("wall_s") or {}).get("cv")
        if b.get("task") not in TASKS or b.get("status") != "ok" or cv is None:
            continue
        cells.setdefault(b["name"], []).append((cv, fcv))
        ratios.append(cv / fcv)
if not ratios:
    print("stability.sh: no cpu or fib cell with a noise floor in %d files" % len(files),
          file=sys.stderr)
    sys.exit(1)
med = statistics.median
print("%-20s %5s %9s %9s %11s" % ("cell", "runs", "cell CV", "floor CV", "CV / floor"))
for name, v in sorted(cells.items()):
    print("%-20s %5d %8.1f%% %8.1f%% %11.2f" % (name, len(v), 100 * med(c for c, _ in v),
                                                100 * med(f for _, f in v),
                                                med(c / f for c, f in v)))
print("noise floor CV over %d runs: median %.1f%%, %.1f%%-%.1f%%"
      % (len(floors), 100 * med(floors), 100 * min(floors), 100 * max(floors)))
print("median over %d cpu and fib cells of (cell CV / floor CV): %.2f  (target <= 1.25)"
      % (len(ratios), med(ratios)))
PY
