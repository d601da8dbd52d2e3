#!/usr/bin/env bash
# Harness overhead: concbench's creation figures next to a raw create loop
# (cb_rawspawn, no harness) run in the same state, interleaved A B A B.
#
# Like with like: concbench runs one mode at a time with one io worker
# (-t io -n 1 --sleep=SLEEP), so no sibling competes for a CPU and every
# measured sample follows the noise-floor loop: a busy stretch as long as
# the job, run by a forked child of concbench's while concbench waits on
# a pipe; the sample server (threads by default) is a child of its own
# that concbench wakes over a pipe once the floor is over. cb_rawspawn
# reproduces each with no harness around it: --gap SLEEP spent as
# --gap-kind busy-process (a forked child spins, the creator waits on a
# pipe) for processes and --isolation=none, --gap-kind server (the
# creator is a child woken by its parent, which spent the gap waiting
# for such a spinning child) for the sample server; --child-life SLEEP
# (the new thread or process stays as long as the io job does: here a
# fork whose previous child lived 10 ms costs more than one whose
# previous child exited at once);
# its resident set grown to concbench's (--parent-memory), which a fork's
# page-table copy depends on. Compared per mode:
#   spawn    = create call -> first instruction (concbench's spawn_s)
#   creation = spawn less run-queue wait (concbench's creation_s)
#   call     = the create call's own time in the parent
# threads run twice: in the sample server (the default) and with
# --isolation=none, each paired with its own raw run.
#
# usage: bench/overhead.sh [BUILD_DIR] [ROUNDS]   (default: build 5)
# Env: CB_OVERHEAD_SLEEP (default 10ms), CB_OVERHEAD_SAMPLES (default 20),
#      CB_OVERHEAD_KEEP=DIR keeps every JSON file in DIR,
#      CB_OVERHEAD_FROM=DIR re-reads files kept that way and runs nothing.
set -euo pipefail

prog=${0##*/}
build=${1:-build}
rounds=${2:-5}
sleep_for=${CB_OVERHEAD_SLEEP:-10ms}
samples=${CB_OVERHEAD_SAMPLES:-20}
concbench=$build/concbench
rawspawn=$build/bench/cb_rawspawn

if [[ $# -gt 2 || ${1:-} == -h || ${1:-} == --help ]]; then
    echo "usage: $prog [BUILD_DIR] [ROUNDS]   (default: build 5)" >&2
    exit 2
fi
[[ $rounds =~ ^[1-9][0-9]*$ && $samples =~ ^[1-9][0-9]*$ ]] ||
    { echo "$prog: ROUNDS and CB_OVERHEAD_SAMPLES must be positive counts" >&2; exit 2; }
command -v python3 >/dev/null || { echo "$prog: python3 is needed" >&2; exit 2; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/cb-overhead.XXXXXX")
trap 'rm -rf -- "$tmp"' EXIT

# config name, concbench mode, concbench isolation, raw mode, raw gap kind
configs=("threads threads process threads server"
         "threads-none threads none threads busy-process"
         "processes processes process processes busy-process")

run_all() {
    local rss i c name mode iso raw kind
    for bin in "$concbench" "$rawspawn"; do
        if [[ ! -x $bin ]]; then
            echo "$prog: $bin not found; build it first:" \
                 "cmake -S . -B $build && cmake --build $build" >&2
            exit 2
        fi
    done
    # concbench's resident set: a thread's ru_maxrss is its whole process.
    "$concbench" -q -m threads -t io -n 1 --sleep=1ms -r 1 -w 0 --isolation=none \
        -o "$tmp/rss.json"
    rss=$(python3 -c 'import json,sys
print(json.load(open(sys.argv[1]))["benchmarks"][0]["samples"][0]["workers"][0]["max_rss_kib"])' \
        "$tmp/rss.json")
    echo "$prog: $rounds rounds; concbench -t io -n 1 --sleep=$sleep_for -r $samples," \
         "cb_rawspawn --gap $sleep_for --gap-kind server|busy-process --child-life $sleep_for" \
         "--parent-memory $rss" >&2
    for ((i = 0; i < rounds; i++)); do
        for c in "${configs[@]}"; do
            read -r name mode iso raw kind <<<"$c"
            "$concbench" -q -m "$mode" -t io -n 1 --sleep="$sleep_for" -r "$samples" -w 1 \
                --isolation="$iso" -o "$tmp/cb.$name.$i.json" || true
            "$rawspawn" --mode "$raw" --count "$samples" --warmup 1 --gap "$sleep_for" \
                --gap-kind "$kind" --child-life "$sleep_for" --parent-memory "$rss" \
                >"$tmp/raw.$name.$i.json"
        done
    done
}

if [[ -n ${CB_OVERHEAD_FROM:-} ]]; then
    cp -- "$CB_OVERHEAD_FROM"/*.json "$tmp/"
    rounds=$(find "$tmp" -name 'cb.threads.*.json' | wc -l)
else
    run_all
fi
if [[ -n ${CB_OVERHEAD_KEEP:-} ]]; then
    mkdir -p -- "$CB_OVERHEAD_KEEP"
    cp -- "$tmp"/*.json "$CB_OVERHEAD_KEEP/"
fi

python3 - "$tmp" "$rounds" <<'PY'
import json
import statistics
import sys

tmp, rounds = sys.argv[1], int(sys.argv[2])
CONFIGS = [("threads", "threads"), ("threads-none", "threads"),
           ("processes", "processes")]
FIGURES = [("spawn", "spawn_s", "spawn_median_s"),
           ("creation", "creation_s", "creation_median_s"),
           ("queue wait", "queue_wait_s", "queue_wait_median_s"),
           ("call", "create_call_s", "create_call_median_s")]


def die(msg):
    print("overhead.sh: " + msg, file=sys.stderr)
    sys.exit(1)


def load(path):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        die("cannot read %s: %s" % (path, e))


def cb_figure(d, key):
    b = (d.get("benchmarks") or [{}])[0]
    if b.get("status") != "ok":
        return None
    v = (b.get(key) or {}).get("median")
    if key == "create_call_s":  # per unit only: the median over every unit
        v = med([u.get(key) for s in b.get("samples", []) for u in s.get("units", [])])
    return v if isinstance(v, (int, float)) else None


def med(v):
    v = [x for x in v if x is not None]
    return statistics.median(v) if v else None


def us(v):
    return "-" if v is None else "%.1f" % (v * 1e6)


print("%-13s %-10s %12s %12s %7s %17s" % ("config", "figure", "concbench_us",
                                          "raw_us", "ratio", "per-round ratios"))
for name, raw_mode in CONFIGS:
    cbs = [load("%s/cb.%s.%d.json" % (tmp, name, i)) for i in range(rounds)]
    raws = [load("%s/raw.%s.%d.json" % (tmp, name, i)).get(raw_mode, {})
            for i in range(rounds)]
    for label, cb_key, raw_key in FIGURES:
        a = [cb_figure(d, cb_key) for d in cbs]
        b = [r.get(raw_key) for r in raws]
        ratios = [x / y for x, y in zip(a, b) if x is not None and y]
        ma, mb = med(a), med(b)
        ratio = "%.2fx" % (ma / mb) if ma is not None and mb else "-"
        spread = ("%.2f-%.2f" % (min(ratios), max(ratios))) if ratios else "-"
        print("%-13s %-10s %12s %12s %7s %17s" % (name, label, us(ma), us(mb), ratio,
                                                   spread))
print("call = the create call's own time in the parent (pthread_create/fork returning)")
print("medians over %d rounds of each run's median; ratio = concbench / raw "
      "(target <= 1.10x for creation)" % rounds)
PY
