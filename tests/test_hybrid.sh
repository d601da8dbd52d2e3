#!/usr/bin/env bash
# The hybrid mode through the binary: --shape=PxT runs the jobs on P
# processes of T threads each; sleeps overlap across all of them; under
# --gil each process has its own lock shared by its threads; a bad shape
# is refused with one line.
. "$(dirname "$0")/lib.sh" "$1"

"$bin" -q -m hybrid -t io,cpu -n 6 --shape=2x3 --sleep=200ms --iterations=100k -r 3 -w 0 \
    -o "$dir/h.json"
check "hybrid: exit 0, ok, 6 jobs on 2 processes, shape recorded" \
    '[ $? -eq 0 ] && [ "$(json "$dir/h.json" "set((b[\"status\"], b[\"workers\"], b[\"units\"], b[\"shape\"]) for b in d[\"benchmarks\"])")" = "{('"'ok', 6, 2, '2x3'"')}" ]'
check "hybrid: each process ran 3 jobs" \
    '[ "$(json "$dir/h.json" "set(u[\"jobs\"] for b in d[\"benchmarks\"] for s in b[\"samples\"] for u in s[\"units\"])")" = "{3}" ]'
# The fastest of 3 samples: a busy machine can delay one fork by 100 ms.
check "hybrid io: 6 sleeps of 200 ms on 2x3 overlap (under 0.45 s; 2 processes alone: 0.6 s)" \
    '[ "$(json "$dir/h.json" "d[\"benchmarks\"][0][\"wall_s\"][\"min\"] < 0.45")" = True ]'

# Under --gil a process's threads share its lock: they wait for it; each
# process has its own, so two processes still run at once. A job lasts
# about 25 ms: with both CPUs taken by the processes' first threads, a
# second thread runs only once the scheduler preempts the first (after a
# few ms), and a 3 ms job (20M) often ended before that, never contended.
"$bin" -q -m hybrid -t cpu -n 4 --shape=2x2 --iterations=200M --gil -r 2 -w 0 -o "$dir/g.json"
check "hybrid --gil: exit 0, the threads of a process waited for its lock" \
    '[ $? -eq 0 ] && [ "$(json "$dir/g.json" "sum(w[\"gil_wait_s\"] for s in d[\"benchmarks\"][0][\"samples\"] for w in s[\"workers\"]) > 0")" = True ]'

# The default shape: P = min(CPUs, n), T = ceil(n / P).
cpus=$(python3 -c "import os; print(len(os.sched_getaffinity(0)))")
"$bin" -q -m hybrid -t cpu -n 5 --iterations=1000 -r 1 -w 0 -o "$dir/d.json"
check "hybrid default: min($cpus, 5) processes" \
    '[ "$(json "$dir/d.json" "d[\"benchmarks\"][0][\"units\"]")" = "$(( cpus < 5 ? cpus : 5 ))" ]'

for bad in 0x2 2 2x x3 2x3x4 -1x2; do
    "$bin" -q -m hybrid -t cpu --shape=$bad 2>"$dir/e" >/dev/null
    check "--shape=$bad: exit 2, one line naming --shape" \
        '[ $? -eq 2 ] && [ "$(wc -l < "$dir/e")" -eq 1 ] && grep -q -- "--shape" "$dir/e"'
done
finish
