#!/usr/bin/env bash
# Each address-space task's per-operation cost in concbench against a raw
# loop of the same system calls on the same sizes (cb_rawaddr,
# cb_rawswitch, cb_rawmsg), in the same run: every round runs each cell
# raw then concbench, the next round concbench then raw (A B B A), so
# neither side always follows the other. One job (-n 1) in threads,
# processes and serial (fault, malloc, tlb); switch is one pair (-n 2,
# both ends on one CPU, pipes); msg is one producer, processes through a
# pipe and threads through concbench's in-process queue, set beside the
# raw loop's copy of that queue (cb_rawmsg ... queue).
#
# Each run's output goes to a file and is read after the run: nothing
# else of this script runs while a loop is timed. For each cell it prints
# the medians over the rounds (us per operation, wall and the worker's
# own CPU time) and the median of the per-round ratios concbench / raw,
# wall and CPU, with their range; target: both within 0.90-1.10 (exit
# status 1 when a median ratio is outside).
# The load average before and after, and the CPU others used during
# concbench's samples (its own reading), say what state the figures were
# measured in.
#
# usage: bench/addrspace.sh [BUILD_DIR] [ROUNDS] [TASK...]
#        (default: build 7, every task: fault malloc tlb switch msg)
# CB_ADDRSPACE_KEEP=DIR keeps every output in DIR.
set -euo pipefail

prog=${0##*/}
build=${1:-build}
rounds=${2:-7}
concbench=$build/concbench
b=$build/bench
for bin in "$concbench" "$b/cb_rawaddr" "$b/cb_rawswitch" "$b/cb_rawmsg"; do
    [[ -x $bin ]] || { echo "$prog: $bin not found; build it first" >&2; exit 2; }
done
[[ $rounds =~ ^[1-9][0-9]*$ ]] || { echo "$prog: ROUNDS must be a positive count" >&2; exit 2; }
shift $(($# < 2 ? $# : 2))
only=("$@")
for task in "${only[@]}"; do
    [[ $task =~ ^(fault|malloc|tlb|switch|msg)$ ]] ||
        { echo "$prog: TASK '$task': accepted: fault, malloc, tlb, switch, msg" >&2; exit 2; }
done

if [[ -n ${CB_ADDRSPACE_KEEP:-} ]]; then
    tmp=$CB_ADDRSPACE_KEEP
    mkdir -p -- "$tmp"
else
    tmp=$(mktemp -d "${TMPDIR:-/tmp}/cb-addrspace.XXXXXX")
    trap 'rm -rf -- "$tmp"' EXIT
fi

# The cells: task, mode, operations per job (for CPU time per operation).
cells=(
    "fault threads 32768" "fault processes 32768" "fault serial 32768"
    "malloc threads 200000" "malloc processes 200000" "malloc serial 200000"
    "tlb threads 100000" "tlb processes 100000" "tlb serial 100000"
    "switch threads 20000" "switch processes 20000"
    "msg threads 100000" "msg processes 100000"
)
if ((${#only[@]})); then
    kept=()
    for cell in "${cells[@]}"; do
        for task in "${only[@]}"; do
            [[ ${cell%% *} == "$task" ]] && kept+=("$cell")
        done
    done
    cells=("${kept[@]}")
fi

# The raw loop, its output into $3.
raw() {
    local task=$1 mode=$2 out=$3
    case $task in
    fault) "$b/cb_rawaddr" fault --mode "$mode" -n 1 --iterations 8 --size 16777216 --rounds 1 ;;
    malloc) "$b/cb_rawaddr" malloc --mode "$mode" -n 1 --iterations 200000 --size 131072 \
        --threshold 65536 --rounds 1 ;;
    tlb) "$b/cb_rawaddr" tlb --mode "$mode" -n 1 --iterations 100000 --pages 1 --rounds 1 ;;
    switch) "$b/cb_rawswitch" "$mode" pipe same 20000 ;;
    msg) if [[ $mode == threads ]]; then "$b/cb_rawmsg" threads queue 1 100000 64
         else "$b/cb_rawmsg" processes pipe 1 100000 64; fi ;;
    esac >"$out" || { echo "$prog: raw $task $mode failed" >&2; exit 1; }
}

# concbench, the same parameters, one sample; its JSON into $3.
cb() {
    local task=$1 mode=$2 out=$3 args
    case $task in
    fault) args=(-n 1 --region=16MiB --iterations=8) ;;
    malloc) args=(-n 1 --block=128KiB --mmap-threshold=64KiB --iterations=200000) ;;
    tlb) args=(-n 1 --tlb-pages=1 --iterations=100000) ;;
    switch) args=(-n 2 --iterations=20000 --switch-channel=pipe --switch-placement=same) ;;
    msg) args=(-n 1 --iterations=100000 --message=64B --msg-channel=pipe) ;;
    esac
    "$concbench" -q -m "$mode" -t "$task" "${args[@]}" -r 1 -w 0 -o "$out" 2>/dev/null ||
        { echo "$prog: concbench -t $task -m $mode failed" >&2; exit 1; }
}

read -r load0 _ </proc/loadavg
for ((i = 0; i < rounds; i++)); do
    for cell in "${cells[@]}"; do
        read -r task mode _ <<<"$cell"
        if ((i % 2 == 0)); then
            raw "$task" "$mode" "$tmp/raw.$task.$mode.$i"
            cb "$task" "$mode" "$tmp/cb.$task.$mode.$i"
        else
            cb "$task" "$mode" "$tmp/cb.$task.$mode.$i"
            raw "$task" "$mode" "$tmp/raw.$task.$mode.$i"
        fi
    done
done
read -r load1 _ </proc/loadavg

python3 - "$tmp" "$rounds" "$load0" "$load1" "${cells[@]}" <<'EOF'
import json, re, statistics as st, sys

tmp, rounds, load0, load1 = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]

def raw_figures(path):
    """(wall, cpu) us per operation of the raw loop."""
    t = open(path).read()
    if t.startswith("{"):
        d = json.loads(t.splitlines()[0])
        return d["per_op_us"][0], d["cpu_per_op_us"][0]
    m = re.search(r"([0-9.]+) us per round trip .*cpu ([0-9.]+) us", t) or \
        re.search(r"([0-9.]+) us per message per producer \(cpu ([0-9.]+) us\)", t)
    return float(m.group(1)), float(m.group(2))

def cb_figures(path, ops):
    """(wall, cpu) us per operation of concbench's sample, others' CPU."""
    d = json.load(open(path))
    bm = d["benchmarks"][0]
    assert bm["status"] == "ok", bm["status"]
    ws = [w for s in bm["samples"] for w in s["workers"]]
    cpu = st.mean(w["cpu_s"] for w in ws) / ops * 1e6
    others = d.get("context", {}).get("state", {}).get("others_cpu")
    return bm["per_op_s"]["median"] * 1e6, cpu, others

print(f"{'task':<7} {'mode':<10} {'raw us/op':>9} {'cb us/op':>9} {'ratio':>6} "
      f"{'range':>11}  {'raw cpu':>8} {'cb cpu':>8} {'ratio':>6} {'range':>11}")
others_all, outside = [], []
for cell in sys.argv[5:]:
    task, mode, ops = cell.split()
    rw, rc, cw, cc, wr, cr = [], [], [], [], [], []
    for i in range(rounds):
        a, b = raw_figures(f"{tmp}/raw.{task}.{mode}.{i}")
        c, d, o = cb_figures(f"{tmp}/cb.{task}.{mode}.{i}", int(ops))
        rw.append(a); rc.append(b); cw.append(c); cc.append(d)
        wr.append(c / a); cr.append(d / b)
        if o is not None:
            others_all.append(o)
    for what, r in (("wall", st.median(wr)), ("cpu", st.median(cr))):
        if not 0.90 <= r <= 1.10:
            outside.append(f"{task} {mode} ({what})")
    ratio = st.median(wr)
    print(f"{task:<7} {mode:<10} {st.median(rw):9.3f} {st.median(cw):9.3f} {ratio:6.2f} "
          f"{min(wr):5.2f}-{max(wr):<5.2f}  {st.median(rc):8.3f} {st.median(cc):8.3f} "
          f"{st.median(cr):6.2f} {min(cr):5.2f}-{max(cr):<5.2f}")
print(f"rounds {rounds}; load average {load0} before, {load1} after; CPUs others used "
      f"during concbench's samples: median {st.median(others_all):.2f}" if others_all else "")
print("median ratio outside 0.90-1.10: " + (", ".join(outside) if outside else "none"))
sys.exit(1 if outside else 0)
EOF
