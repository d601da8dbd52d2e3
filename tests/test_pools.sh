#!/usr/bin/env bash
# The worker pools through the binary: thread-pool and process-pool run
# the -n jobs on --pool-size workers taking --chunk jobs at a time, every
# job exactly once with its checksum verified; the pool's figures are
# recorded; what pools refuse says so (exit 2, one line); a pool process
# killed mid-run costs its own job only: the survivors take the rest,
# with either --queue (shm, pipe); an interrupt leaves no pool process.
. "$(dirname "$0")/lib.sh" "$1"

"$bin" -q -m thread-pool,process-pool -t cpu,io -n 7 --pool-size=2 --chunk=2 -r 2 -w 0 \
    --iterations=200k --sleep=2ms -o "$dir/p.json"
check "pools: exit 0, every benchmark ok" \
    '[ $? -eq 0 ] && [ "$(json "$dir/p.json" "set(b[\"status\"] for b in d[\"benchmarks\"])")" = "{'"'ok'"'}" ]'
check "pools: 7 jobs on 2 units, size and chunk recorded" \
    '[ "$(json "$dir/p.json" "set((b[\"workers\"], b[\"units\"], b[\"pool\"][\"size\"], b[\"pool\"][\"chunk\"], b[\"chunk\"], b[\"pool_size\"]) for b in d[\"benchmarks\"])")" = "{(7, 2, 2, 2, 2, 2)}" ]'
check "pools: every job ran once, on unit 0 or 1; sleeps keep both busy" \
    '[ "$(json "$dir/p.json" "all(len(s[\"workers\"]) == 7 and {w[\"unit\"] for w in s[\"workers\"]} <= {0, 1} and (b[\"task\"] != \"io\" or {w[\"unit\"] for w in s[\"workers\"]} == {0, 1}) for b in d[\"benchmarks\"] for s in b[\"samples\"])")" = True ]'
check "pools: dispatch, queue wait and completion per job, never negative" \
    '[ "$(json "$dir/p.json" "all(w[\"dispatch_s\"] >= 0 and w[\"pool_queue_wait_s\"] >= 0 and w.get(\"completion_s\", 0) >= 0 for b in d[\"benchmarks\"] for s in b[\"samples\"] for w in s[\"workers\"])")" = True ]'
check "pools: percentiles ordered, jobs per second and creation measured" \
    '[ "$(json "$dir/p.json" "all(q[\"median\"] <= q[\"p90\"] <= q[\"p99\"] <= q[\"max\"] and b[\"pool\"][\"jobs_per_s\"] > 0 and b[\"pool\"][\"create_s\"] > 0 for b in d[\"benchmarks\"] for q in (b[\"pool\"][\"dispatch_s\"], b[\"pool\"][\"queue_wait_s\"], b[\"pool\"][\"completion_s\"]))")" = True ]'
check "pools: each sample names the CPU its jobs were released from (a usable one)" \
    '[ "$(json "$dir/p.json" "all(s[\"release_cpu\"] in __import__(\"os\").sched_getaffinity(0) for b in d[\"benchmarks\"] for s in b[\"samples\"])")" = True ]'
"$bin" -q -m threads,processes -t io --sleep=1ms -n 2 -r 2 -w 0 --start=barrier -o "$dir/b.json"
check "--start=barrier: each sample names the CPU its gate was opened from" \
    '[ "$(json "$dir/b.json" "all(s[\"release_cpu\"] in __import__(\"os\").sched_getaffinity(0) for b in d[\"benchmarks\"] for s in b[\"samples\"])")" = True ]'
check "threads start at once: no gate, no release_cpu" \
    '[ "$("$bin" -q -m threads -t cpu -n 2 -r 1 -w 0 --iterations=1000 -f json | python3 -c "import json, sys; print(any(\"release_cpu\" in s for b in json.load(sys.stdin)[\"benchmarks\"] for s in b[\"samples\"]))")" = False ]'
check "io pools: 7 sleeps on 2 workers queue (a job waits for a free worker)" \
    '[ "$(json "$dir/p.json" "all(b[\"pool\"][\"queue_wait_s\"][\"max\"] > 0.002 for b in d[\"benchmarks\"] if b[\"task\"] == \"io\")")" = True ]'

# Default sizes, as Python's: min(32, CPUs + 4) threads, CPUs processes.
cpus=$(python3 -c "import os; print(len(os.sched_getaffinity(0)))")
"$bin" -q -m thread-pool,process-pool -t cpu -n 40 -r 1 -w 0 --iterations=1000 -o "$dir/d.json"
check "default pool sizes: min(32, $cpus + 4) threads, $cpus processes" \
    '[ "$(json "$dir/d.json" "[b[\"units\"] for b in d[\"benchmarks\"]]")" = "[$(( cpus + 4 < 32 ? cpus + 4 : 32 )), $cpus]" ]'

# Refused: one line on stderr, exit 2, nothing run.
"$bin" -q -m process-pool -t cpu --payload=1KiB 2>"$dir/e1" >/dev/null
check "--payload with a pool: exit 2, one line naming --payload" \
    '[ $? -eq 2 ] && [ "$(wc -l < "$dir/e1")" -eq 1 ] && grep -q -- "--payload" "$dir/e1"'
"$bin" -q -m thread-pool -t cpu --chunk=0 2>"$dir/e2" >/dev/null
check "--chunk=0: exit 2, one line naming --chunk" \
    '[ $? -eq 2 ] && [ "$(wc -l < "$dir/e2")" -eq 1 ] && grep -q -- "--chunk" "$dir/e2"'

# --queue=pipe: job descriptors through a pipe (ProcessPoolExecutor's
# way), the same jobs, checksums and figures; recorded, shm by default.
"$bin" -q -m thread-pool,process-pool -t cpu,io -n 7 --pool-size=2 --chunk=2 -r 2 -w 0 \
    --iterations=200k --sleep=2ms --queue=pipe -o "$dir/q.json"
check "--queue=pipe: exit 0, every benchmark ok (checksums verified)" \
    '[ $? -eq 0 ] && [ "$(json "$dir/q.json" "set(b[\"status\"] for b in d[\"benchmarks\"])")" = "{'"'ok'"'}" ]'
check "--queue=pipe: every job ran once, on unit 0 or 1, with its dispatch and completion" \
    '[ "$(json "$dir/q.json" "all(sorted(w[\"id\"] for w in s[\"workers\"]) == list(range(7)) and {w[\"unit\"] for w in s[\"workers\"]} <= {0, 1} and all(w[\"dispatch_s\"] >= 0 and w[\"completion_s\"] >= 0 for w in s[\"workers\"]) for b in d[\"benchmarks\"] for s in b[\"samples\"])")" = True ]'
check "--queue recorded for process-pool only: pipe here, shm by default" \
    '[ "$(json "$dir/q.json" "sorted((b[\"mode\"], b.get(\"queue\")) for b in d[\"benchmarks\"] if b[\"task\"] == \"cpu\")")" = "[('"'process-pool', 'pipe'), ('thread-pool', None)"']" ] &&
     [ "$(json "$dir/d.json" "[b.get(\"queue\") for b in d[\"benchmarks\"]]")" = "[None, '"'shm'"']" ]'
"$bin" -q -m process-pool -t cpu -n 7 --pool-size=2 --chunk=2 -r 2 -w 0 --iterations=200k \
    -o "$dir/s.json"
"$bin" compare "$dir/s.json" "$dir/q.json" >"$dir/cmp" 2>&1
check "compare: shm and pipe queues are not comparable, named" \
    'grep -q "queue: shm vs pipe" "$dir/cmp"'
"$bin" -q -m process-pool -t cpu --queue=fifo 2>"$dir/e3" >/dev/null
check "--queue=fifo: exit 2, one line naming --queue" \
    '[ $? -eq 2 ] && [ "$(wc -l < "$dir/e3")" -eq 1 ] && grep -q -- "--queue" "$dir/e3"'

# A pool process killed mid-run, with each queue: its job is crashed,
# the survivor takes every job left, the sample ends (no hang), exit 1.
for queue in shm pipe; do
    "$bin" -q -m process-pool -t io -n 6 --pool-size=2 --sleep=300ms -r 1 -w 0 \
        --queue=$queue -o "$dir/k.json" &
    main=$!
    kid=$(first_child $main)
    sleep 0.1
    [ -n "$kid" ] && kill -KILL "$kid"
    end_or_kill $main
    wait $main
    code=$?
    check "killed pool process ($queue): exit 1, no hang" '[ $code -eq 1 ]'
    check "killed pool process ($queue): one job crashed: SIGKILL, the other five ok" \
        '[ "$(json "$dir/k.json" "sorted(w[\"status\"] for w in d[\"benchmarks\"][0][\"samples\"][0][\"workers\"])")" = "['"'crashed: SIGKILL', 'ok', 'ok', 'ok', 'ok', 'ok'"']" ]'
done

# --timeout while the parent feeds and polls the pipe: the sample ends.
start=$(date +%s)
"$bin" -q -m process-pool -t io -n 6 --pool-size=2 --sleep=5s --timeout=300ms -r 1 -w 0 \
    --queue=pipe -o "$dir/t.json" 2>/dev/null
code=$?
check "--queue=pipe --timeout=300ms: exit 1 well before the 5 s sleeps, two jobs timeout" \
    '[ $code -eq 1 ] && [ $(( $(date +%s) - start )) -lt 4 ] &&
     [ "$(json "$dir/t.json" "sorted(w[\"status\"] for w in d[\"benchmarks\"][0][\"samples\"][0][\"workers\"])[-2:]")" = "['"'timeout', 'timeout'"']" ]'

# Ctrl-C while a pool waits on its queue: exit 130, no pool process left.
for queue in shm pipe; do
    "$bin" -q -m process-pool -t io -n 8 --pool-size=2 --sleep=2s -r 1 -w 0 \
        --queue=$queue -o "$dir/i.json" 2>/dev/null &
    main=$!
    kids=""
    for _ in $(seq 200); do
        kids=$(pgrep -P $main | tr '\n' ' ')
        [ "$(echo $kids | wc -w)" -ge 2 ] && break
        sleep 0.02
    done
    sleep 0.1
    kill -INT $main
    wait $main
    code=$?
    left=0
    for k in $kids; do kill -0 "$k" 2>/dev/null && left=$((left + 1)); done
    check "SIGINT during a pool ($queue): exit 130, its 2 processes gone" \
        '[ $code -eq 130 ] && [ -n "$kids" ] && [ $left -eq 0 ]'
done
finish
