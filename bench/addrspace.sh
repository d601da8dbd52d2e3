#!/usr/bin/env bash
# Each address-space task's per-operation cost in concbench against a raw
# loop of the same system calls (cb_rawaddr, cb_rawswitch, cb_rawmsg),
# interleaved raw, concbench, raw, concbench... in the same run, for
# threads and for processes. One job (-n 1); switch needs a pair (-n 2,
# one pair, both ends on one CPU). msg: processes through a pipe on both
# sides; concbench's threads hand messages through an in-process queue,
# set beside the raw loop's mutex-and-condition ring. Prints the medians
# (us per operation) and concbench / raw (target: <= 1.10).
#
# usage: bench/addrspace.sh [BUILD_DIR] [ROUNDS]   (default: build 5)
set -euo pipefail

prog=${0##*/}
build=${1:-build}
rounds=${2:-5}
concbench=$build/concbench
for bin in "$concbench" "$build/bench/cb_rawaddr" "$build/bench/cb_rawswitch" \
    "$build/bench/cb_rawmsg"; do
    [[ -x $bin ]] || { echo "$prog: $bin not found; build it first" >&2; exit 2; }
done
[[ $rounds =~ ^[1-9][0-9]*$ ]] || { echo "$prog: ROUNDS must be a positive count" >&2; exit 2; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/cb-addrspace.XXXXXX")
trap 'rm -rf -- "$tmp"' EXIT

# The raw loop's figure, us per operation, on stdout.
raw() {
    local task=$1 mode=$2 b=$build/bench
    case $task in
    fault) "$b/cb_rawaddr" fault --mode "$mode" -n 1 --iterations 8 --size 16777216 --rounds 1 ;;
    malloc) "$b/cb_rawaddr" malloc --mode "$mode" -n 1 --iterations 200000 --size 131072 \
        --threshold 65536 --rounds 1 ;;
    tlb) "$b/cb_rawaddr" tlb --mode "$mode" -n 1 --iterations 100000 --pages 1 --rounds 1 ;;
    switch) "$b/cb_rawswitch" "$mode" pipe same 20000 ;;
    msg) if [[ $mode == threads ]]; then "$b/cb_rawmsg" threads ring 1 100000 64
         else "$b/cb_rawmsg" processes pipe 1 100000 64; fi ;;
    esac | python3 -c '
import json, re, sys
t = sys.stdin.read()
if t.startswith("{"):
    print(json.loads(t.splitlines()[0])["per_op_us"][0])
else:
    print(re.search(r"([0-9.]+) us per (round trip|message)", t).group(1))'
}

# concbench's median per_op_s of one sample, in us, on stdout.
cb() {
    local task=$1 mode=$2 out=$tmp/cb.json args
    case $task in
    fault) args=(-n 1 --region=16MiB --iterations=8) ;;
    malloc) args=(-n 1 --block=128KiB --mmap-threshold=64KiB --iterations=200000) ;;
    tlb) args=(-n 1 --tlb-pages=1 --iterations=100000) ;;
    switch) args=(-n 2 --iterations=20000 --switch-channel=pipe --switch-placement=same) ;;
    msg) args=(-n 1 --iterations=100000 --message=64B --msg-channel=pipe) ;;
    esac
    "$concbench" -q -m "$mode" -t "$task" "${args[@]}" -r 1 -w 0 -o "$out" 2>/dev/null ||
        { echo "$prog: concbench -t $task -m $mode failed" >&2; exit 1; }
    python3 -c '
import json, sys
b = json.load(open(sys.argv[1]))["benchmarks"][0]
assert b["status"] == "ok", b["status"]
print(b["per_op_s"]["median"] * 1e6)' "$out"
}

tasks=(fault malloc tlb switch msg)
for ((i = 0; i < rounds; i++)); do
    for task in "${tasks[@]}"; do
        for mode in threads processes; do
            raw "$task" "$mode" >>"$tmp/raw.$task.$mode"
            cb "$task" "$mode" >>"$tmp/cb.$task.$mode"
        done
    done
done

printf '%-7s %-10s %12s %12s %7s\n' task mode 'raw us/op' 'cb us/op' ratio
for task in "${tasks[@]}"; do
    for mode in threads processes; do
        python3 - "$tmp/raw.$task.$mode" "$tmp/cb.$task.$mode" "$task" "$mode" <<'EOF'
import statistics, sys
raw = statistics.median(float(x) for x in open(sys.argv[1]))
cb = statistics.median(float(x) for x in open(sys.argv[2]))
print(f"{sys.argv[3]:<7} {sys.argv[4]:<10} {raw:12.3f} {cb:12.3f} {cb / raw:7.2f}")
EOF
    done
done
