#!/usr/bin/env bash
# --start-method=fork|spawn|forkserver through the binary ($1; $2 is the
# test build concbench-faulty): every job of every mode made of processes
# runs once with a verified checksum under each method; a crashed unit is
# reported by name; --timeout and SIGINT leave nothing running; the
# method is recorded (absent: fork) and does not apply to threads; the
# hidden --worker entry point refuses a user; forkserver's and spawn's
# creation does not grow with --parent-memory while fork's does.
. "$(dirname "$0")/lib.sh" "$1"
faulty=$2
elapsed() { python3 -c "import time; print(time.monotonic())"; }

# Every process concbench makes carries this path in its command line
# (fork inherits it, spawn passes it on as argv[0]): none may be left.
ln -s "$(readlink -f "$bin")" "$dir/cb-under-test"
cb="$dir/cb-under-test"
left() { pgrep -f "$dir/cb-under-test" | wc -l; }

spawn=spawn
methods_of() { echo "fork forkserver spawn"; }

for mode in processes process-pool hybrid; do
    for method in $(methods_of $mode); do
        out="$dir/$mode-$method.json"
        "$cb" -q -m $mode -t cpu,io,fib -n 5 -r 2 -w 0 --iterations=200k --sleep=10ms \
            --fib=15 --start-method=$method -o "$out"
        code=$?
        check "$mode/$method: exit 0, every cell ok" \
            '[ $code -eq 0 ] && [ "$(json "$out" "set(b[\"status\"] for b in d[\"benchmarks\"])")" = "{'"'ok'"'}" ]'
        check "$mode/$method: every job ran once, its checksum verified (status ok)" \
            '[ "$(json "$out" "all(sorted(w[\"id\"] for w in s[\"workers\"]) == list(range(5)) and all(w[\"status\"] == \"ok\" and \"checksum\" in w for w in s[\"workers\"]) for b in d[\"benchmarks\"] for s in b[\"samples\"])")" = True ]'
        want=$method
        [ $method = fork ] && want=None
        check "$mode/$method: start_method recorded as $want" \
            '[ "$(json "$out" "set(b.get(\"start_method\") for b in d[\"benchmarks\"])")" = "{'"$( [ $want = None ] && echo None || echo "'$want'")"'}" ]'
    done
done
check "no process left after the runs" '[ "$(left)" -eq 0 ]'

# Threads create no processes: the method does not apply, is not written.
"$cb" -q -m threads -t cpu -n 2 -r 1 -w 0 --iterations=1000 --start-method=spawn \
    -o "$dir/t.json"
check "threads --start-method=spawn: runs, start_method not written" \
    '[ $? -eq 0 ] && [ "$(json "$dir/t.json" "\"start_method\" in d[\"benchmarks\"][0]")" = False ]'
"$cb" -q -m processes -t cpu --start-method=vfork 2>"$dir/e" >/dev/null
check "--start-method=vfork: exit 2, one line naming the flag and the choices" \
    '[ $? -eq 2 ] && [ "$(wc -l < "$dir/e")" -eq 1 ] && grep -q -- "--start-method.*fork, spawn, forkserver" "$dir/e"'

# A crash in a unit is its job's outcome, whatever made the process.
for method in forkserver $spawn; do
    CONCBENCH_FAULT=segv "$faulty" -q -m processes -t cpu -n 3 -r 1 -w 0 --iterations=1000 \
        --start-method=$method -o "$dir/c.json" 2>/dev/null
    code=$?
    check "$method: a crashed unit is crashed: SIGSEGV, the others ok, exit 1" \
        '[ $code -eq 1 ] && [ "$(json "$dir/c.json" "[w[\"status\"] for w in d[\"benchmarks\"][0][\"samples\"][0][\"workers\"]]")" = "['"'crashed: SIGSEGV', 'ok', 'ok'"']" ]'
done

# A crashed pool process: its job is crashed, the survivors take the rest;
# a hybrid's process takes the jobs of its threads with it.
for method in forkserver spawn; do
    CONCBENCH_FAULT=segv "$faulty" -q -m process-pool,hybrid -t cpu -n 4 -r 1 -w 0 \
        --iterations=1000 --pool-size=2 --shape=2x2 --start-method=$method \
        -o "$dir/c.json" 2>/dev/null
    check "$method: a crashed pool process is its job's crashed: SIGSEGV, the other jobs ok" \
        '[ "$(json "$dir/c.json" "[w[\"status\"] for w in d[\"benchmarks\"][0][\"samples\"][0][\"workers\"]]")" = "['"'crashed: SIGSEGV', 'ok', 'ok', 'ok'"']" ]'
    check "$method: a crashed hybrid process takes its 2 threads' jobs" \
        '[ "$(json "$dir/c.json" "[w[\"status\"] for w in d[\"benchmarks\"][1][\"samples\"][0][\"workers\"]]")" = "['"'crashed: SIGSEGV', 'crashed: SIGSEGV', 'ok', 'ok'"']" ]'
done

# --timeout kills runaway units and reports them; nothing is left.
for method in forkserver $spawn; do
    t0=$(elapsed)
    "$cb" -q -m processes -t io --sleep=30s --timeout=300ms -n 3 -r 2 -w 0 \
        --start-method=$method -o "$dir/to.json"
    code=$?
    t1=$(elapsed)
    check "$method --timeout: exit 1, status timeout, no hang (< 10 s)" \
        '[ $code -eq 1 ] && [ "$(json "$dir/to.json" "d[\"benchmarks\"][0][\"status\"]")" = timeout ] && [ "$(python3 -c "print(int($t1 - $t0 < 10))")" = 1 ]'
    check "$method --timeout: no process left" '[ "$(left)" -eq 0 ]'
done

# SIGINT to concbench alone (not its process group): it stops, and takes
# every process it made with it.
for method in forkserver $spawn; do
    "$cb" -q -m processes -t io --sleep=30s -n 3 -r 1 -w 0 --start-method=$method \
        -o "$dir/i.json" 2>/dev/null &
    main=$!
    for _ in $(seq 200); do [ "$(left)" -ge 4 ] && break; sleep 0.05; done
    check "$method: its processes exist before the interrupt" '[ "$(left)" -ge 4 ]'
    # A spawned unit enters at main's first act, before concbench's own
    # start-up (SIGPIPE ignored, for its output): SIGPIPE is at its
    # default, as in a forked unit (bit 13 of SigIgn; others may be
    # ignored by whoever started the test, which survives exec).
    if [ $method = spawn ]; then
        ign=$(for p in $(pgrep -f "$dir/cb-under-test --worker="); do
                  awk '/^SigIgn:/ { print $2 }' /proc/$p/status; done | sort -u)
        check "spawn: its units do not ignore SIGPIPE (SigIgn ${ign//$'\n'/ })" \
            '[ -n "$ign" ] && python3 -c "import sys; sys.exit(any(int(m, 16) >> 12 & 1 for m in sys.argv[1:]))" $ign'
    fi
    kill -INT $main
    wait $main
    code=$?
    for _ in $(seq 100); do [ "$(left)" -eq 0 ] && break; sleep 0.05; done
    check "$method SIGINT: exit 130, no process left" '[ $code -eq 130 ] && [ "$(left)" -eq 0 ]'
done

# The hidden worker entry point is for concbench's own children only.
for arg in --worker=3:0 --worker=0:0 --worker=x "--worker=999:1"; do
    "$cb" $arg </dev/null 2>"$dir/e" >/dev/null
    check "a user's $arg: exit 2, one line" '[ $? -eq 2 ] && [ "$(wc -l < "$dir/e")" -eq 1 ]'
done
"$cb" --worker=0:0 0<"$dir/t.json" 2>"$dir/e" >/dev/null
check "--worker on a file that is no spawn block: exit 2, one line" \
    '[ $? -eq 2 ] && [ "$(wc -l < "$dir/e")" -eq 1 ]'
# A memfd with the wrong bytes in it (python's os.memfd_create): refused.
python3 -c "
import os, subprocess, sys
fd = os.memfd_create('x', 0)
os.write(fd, b'not a spawn block' * 100)
sys.exit(subprocess.run([sys.argv[1], '--worker=%d:0' % fd], pass_fds=[fd],
                        stderr=open(sys.argv[2], 'w')).returncode)" "$cb" "$dir/e"
check "--worker on a memfd without the magic: exit 2, one line" \
    '[ $? -eq 2 ] && [ "$(wc -l < "$dir/e")" -eq 1 ]'

# What spawn cannot start yet is refused, one line naming why.
for args in "-m processes -t switch" "-m processes -t msg" \
    "-m processes -t cpu --payload=1KiB"; do
    "$cb" $args --start-method=spawn 2>"$dir/e" >/dev/null
    check "spawn with $args: exit 2, one line naming --start-method=spawn" \
        '[ $? -eq 2 ] && [ "$(wc -l < "$dir/e")" -eq 1 ] && grep -q -- "--start-method=spawn" "$dir/e"'
done
# --cow-touch writes pages inherited from --parent-memory: only a fork of
# concbench has them (it did nothing, silently, under the other two).
for method in forkserver spawn; do
    "$cb" -m processes -t io --sleep=1ms -n 1 -r 1 -w 0 --parent-memory=4MiB \
        --cow-touch=1 --start-method=$method 2>"$dir/e" >/dev/null
    check "$method with --cow-touch: exit 2, one line naming --cow-touch" \
        '[ $? -eq 2 ] && [ "$(wc -l < "$dir/e")" -eq 1 ] && grep -q -- "--cow-touch" "$dir/e"'
done
"$cb" --help >"$dir/help"
check "--worker is not in --help" '! grep -q -- "--worker=" "$dir/help"'

# Creation against the parent's memory. fork copies the page tables of
# 1 GiB (about 2 MiB of them); forkserver forks a small server, spawn
# execs a fresh image: neither copies them. Judged as ratios of medians
# per unit in one run each, not as times: fork's create call (the copy
# is in it) against forkserver's; for forkserver and spawn, creation
# less the unit's run-queue wait (a spawn's create call waits for the
# child to exec, so on a busy machine it holds the child's queue wait,
# which grows after the harness reads the big parent's PSS, 30 ms of
# kernel time, just before the sample: what other tasks were owed).
if [ -n "${CB_SKIP_MEMORY_TESTS:-}" ]; then
    echo "skip: parent-memory ratios (CB_SKIP_MEMORY_TESTS: $CB_SKIP_MEMORY_TESTS)"
else
    med() { json "$1" "(lambda v: sorted(v)[len(v) // 2])([u[\"$2\"] - (u.get(\"queue_wait_s\", 0) if \"$3\" else 0) for s in d[\"benchmarks\"][0][\"samples\"] for u in s[\"units\"]])"; }
    for method in fork forkserver spawn; do
        for mem in 0 1GiB; do
            "$cb" -q -m processes -t cpu -n 1 -r 15 -w 1 --iterations=1000 \
                --start-method=$method --parent-memory=$mem -o "$dir/m-$method-$mem.json"
            eval "c_${method}_${mem}=$(med "$dir/m-$method-$mem.json" create_call_s "")"
            eval "q_${method}_${mem}=$(med "$dir/m-$method-$mem.json" spawn_s less-queue)"
        done
    done
    echo "create_call_s medians at 0 / 1GiB: fork $c_fork_0 / $c_fork_1GiB, forkserver $c_forkserver_0 / $c_forkserver_1GiB"
    echo "spawn_s less queue wait at 0 / 1GiB: forkserver $q_forkserver_0 / $q_forkserver_1GiB, spawn $q_spawn_0 / $q_spawn_1GiB"
    check "fork's create call grows with 1 GiB of parent memory (> 3x forkserver's there)" \
        '[ "$(python3 -c "print(int($c_fork_1GiB > 3 * $c_forkserver_1GiB))")" = 1 ]'
    check "forkserver's creation does not (1 GiB / 0 < 3)" \
        '[ "$(python3 -c "print(int($q_forkserver_1GiB < 3 * max($q_forkserver_0, 1e-5)))")" = 1 ]'
    check "spawn's creation does not (1 GiB / 0 < 3)" \
        '[ "$(python3 -c "print(int($q_spawn_1GiB < 3 * max($q_spawn_0, 1e-5)))")" = 1 ]'
fi
# spawn starts the running image, not whatever the path names now: a
# binary deleted (or rebuilt) during the run still spawns its units.
cp "$cb" "$dir/cb-copy"
"$dir/cb-copy" -q -m processes -t io -n 2 -r 40 -w 1 --sleep=20ms \
    --start-method=spawn -o "$dir/deleted.json" &
copy_pid=$!
sleep 0.3
rm -f "$dir/cb-copy"
wait "$copy_pid"
check "spawn with its binary deleted mid-run: exit 0, every sample ok" \
    '[ $? -eq 0 ] && [ "$(json "$dir/deleted.json" "d[\"benchmarks\"][0][\"status\"]")" = ok ]'

check "no process left at the end" '[ "$(left)" -eq 0 ]'
finish
