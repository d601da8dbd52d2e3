#!/usr/bin/env bash
# Faults during a run, through the binary: a crashing worker (the
# CONCBENCH_FAULT switch of the test build concbench-faulty, $1; $2 is the
# production binary, which has no such switch) is contained in process mode and kills the whole
# process in thread mode; --timeout kills runaway processes and abandons
# runaway threads without hanging; --stack-size is applied and checked.
. "$(dirname "$0")/lib.sh" "$1"
production=${2:-}
elapsed() { python3 -c "import time; print(time.monotonic())"; }

# A crash in a process is contained: reported by name, the rest goes on.
CONCBENCH_FAULT=segv "$bin" -q -m processes -t cpu,io -n 3 -r 2 --iterations=100k \
    --sleep=1ms -o "$dir/p.json" 2>"$dir/p.err"
code=$?
check "crashed process: exit 1" '[ $code -eq 1 ]'
check "crashed process: named SIGSEGV" \
    '[ "$(json "$dir/p.json" "d[\"benchmarks\"][0][\"samples\"][0][\"workers\"][0][\"status\"]")" = "crashed: SIGSEGV" ]'
check "crashed process: the other workers ok" \
    '[ "$(json "$dir/p.json" "\",\".join(w[\"status\"] for w in d[\"benchmarks\"][0][\"samples\"][0][\"workers\"][1:])")" = "ok,ok" ]'
check "crashed process: stderr names it" 'grep -q "crashed: SIGSEGV" "$dir/p.err"'
check "crashed process: the next benchmark ran all its samples" \
    '[ "$(json "$dir/p.json" "len(d[\"benchmarks\"][1][\"samples\"])")" = 2 ]'
CONCBENCH_FAULT=abort "$bin" -q -m processes -t io --sleep=1ms -n 2 -r 1 -o "$dir/a.json"
check "abort in a process: SIGABRT" \
    '[ "$(json "$dir/a.json" "d[\"benchmarks\"][0][\"status\"]")" = "crashed: SIGABRT" ]'

# The same crash in a thread (or serial, in the calling thread) takes its
# whole process down: that process is the sample server, so the crash is
# the benchmark's outcome, the server is started again for the next
# benchmark, the processes cell goes on and the file is written.
echo '{"old": true}' > "$dir/t.json"
# A sanitizer build would catch the SIGSEGV itself and exit 1: let the
# kernel deliver it, which is what this test is about.
ASAN_OPTIONS=handle_segv=0 UBSAN_OPTIONS=handle_segv=0 CONCBENCH_FAULT=segv "$bin" -q \
    -m threads,serial,processes -t cpu,io -n 3 -r 2 --iterations=100k --sleep=1ms \
    -o "$dir/t.json" 2>/dev/null
code=$?
check "crashed thread: exit 1, not the process dying" '[ $code -eq 1 ]'
check "crashed thread: every thread and serial cell says crashed: SIGSEGV, whole process" \
    '[ "$(json "$dir/t.json" "sorted(set(b[\"status\"] for b in d[\"benchmarks\"] if b[\"mode\"] != \"processes\"))")" = "['"'"'crashed: SIGSEGV, whole process'"'"']" ]'
check "crashed thread: the server came back for each of the 4 in-process cells" \
    '[ "$(json "$dir/t.json" "sum(1 for b in d[\"benchmarks\"] if b[\"status\"].endswith(\"whole process\"))")" = 4 ]'
check "crashed thread: the processes cells ran, their crash contained" \
    '[ "$(json "$dir/t.json" "[b[\"status\"] for b in d[\"benchmarks\"] if b[\"mode\"] == \"processes\"]")" = "['"'"'crashed: SIGSEGV'"'"', '"'"'crashed: SIGSEGV'"'"']" ]'

# A payload damaged on the way is caught by the parent in every mode and
# transport: worker 0 bad-payload, worker 1 ok, exit 1.
for way in "threads pipe" "serial pipe" "processes pipe" "processes shm"; do
    set -- $way
    CONCBENCH_FAULT=payload "$bin" -q -m "$1" -t cpu --iterations=1000 -n 2 -r 1 -w 0 \
        --payload=64KiB --transport="$2" -o "$dir/p.json"
    code=$?
    check "damaged payload ($way): exit 1" '[ $code -eq 1 ]'
    check "damaged payload ($way): worker 0 bad-payload, worker 1 ok" \
        '[ "$(json "$dir/p.json" "[w[\"status\"] for w in d[\"benchmarks\"][0][\"samples\"][0][\"workers\"]]")" = "['"'"'bad-payload'"'"', '"'"'ok'"'"']" ]'
done

# --timeout: runaway processes are killed and reported, in well under the
# sleep. The sleeps are long so that the bound on a loaded machine (10 s)
# is generous and a hang still cannot pass.
t0=$(elapsed)
"$bin" -q -m processes -t io --sleep=30s --timeout=200ms -n 3 -r 3 -w 0 -o "$dir/to.json"
code=$?
t1=$(elapsed)
check "process timeout: exit 1" '[ $code -eq 1 ]'
check "process timeout: status timeout" \
    '[ "$(json "$dir/to.json" "d[\"benchmarks\"][0][\"samples\"][0][\"workers\"][2][\"status\"]")" = "timeout" ]'
check "process timeout: no hang (< 10 s for 3 x 30 s sleeps)" \
    '[ "$(python3 -c "print(int($t1 - $t0 < 10))")" = 1 ]'

# Threads cannot be killed one by one: their process (the sample server) is
# killed with them, the cell says so, and the other cells still run.
t0=$(elapsed)
"$bin" -q -m threads,processes -t io --sleep=30s --timeout=200ms -n 2 -r 2 -w 0 \
    -o "$dir/tt.json" 2>"$dir/tt.err"
code=$?
t1=$(elapsed)
check "thread timeout: exit 1" '[ $code -eq 1 ]'
check "thread timeout: the cell says threads cannot be killed, the server was" \
    'json "$dir/tt.json" "d[\"benchmarks\"][0][\"status\"]" | grep -q "threads cannot be killed one by one, so their process (the sample server) was killed"'
check "thread timeout: the other cells still run (processes: timeout)" \
    '[ "$(json "$dir/tt.json" "d[\"benchmarks\"][1][\"status\"]")" = timeout ]'
check "thread timeout: no hang (< 10 s for 30 s sleeps)" '[ "$(python3 -c "print(int($t1 - $t0 < 10))")" = 1 ]'

# The same when the server is started after a timed sample of concbench's
# own (processes first; here -n 1,2 puts processes/1 before threads/2):
# the server keeps concbench's deadline handler, so its own deadline ends
# in a timeout, never a crash by SIGALRM.
"$bin" -q -m processes,threads -t io --sleep=3s --timeout=200ms -n 1,2 -r 1 -w 0 \
    -o "$dir/pt.json" 2>/dev/null
check "thread timeout after a processes cell: timed out, not killed by SIGALRM" \
    'json "$dir/pt.json" "[b[\"status\"] for b in d[\"benchmarks\"] if b[\"mode\"] == \"threads\"]" | grep -q "sample server) was killed" && ! grep -q SIGALRM "$dir/pt.json"'

# serial cannot be cut short inside its sample: the server is killed a
# second past the deadline, and the run goes on.
t0=$(elapsed)
"$bin" -q -m serial,processes -t io --sleep=30s --timeout=200ms -n 2 -r 2 -w 0 \
    -o "$dir/st.json" 2>/dev/null
code=$?
t1=$(elapsed)
check "serial timeout: exit 1, the cell says its process was killed, no hang (< 10 s)" \
    '[ $code -eq 1 ] && json "$dir/st.json" "d[\"benchmarks\"][0][\"status\"]" | grep -q "sample server) was killed" && [ "$(python3 -c "print(int($t1 - $t0 < 10))")" = 1 ]'

# --stack-size: small stacks for many threads; absurd values refused.
"$bin" -q -m threads -t io --sleep=10ms -n 500 -r 1 -w 0 --stack-size=64KiB -o "$dir/s.json"
check "500 threads with 64 KiB stacks: ok" \
    '[ $? -eq 0 ] && [ "$(json "$dir/s.json" "d[\"benchmarks\"][0][\"status\"]")" = ok ]'
"$bin" -q -t io --stack-size=1KiB 2>"$dir/s.err" >/dev/null
check "--stack-size=1KiB: exit 2, one line" '[ $? -eq 2 ] && [ "$(wc -l < "$dir/s.err")" -eq 1 ]'
"$bin" -q -t io --timeout=5parsecs 2>"$dir/to.err" >/dev/null
check "--timeout=5parsecs: exit 2 naming --timeout" '[ $? -eq 2 ] && grep -q -- --timeout "$dir/to.err"'

# The production binary carries no fault switch: the same run is clean.
if [ -n "$production" ]; then
    CONCBENCH_FAULT=segv "$production" -q -m processes -t cpu -n 2 -r 1 -w 0 --iterations=1000 \
        -o "$dir/prod.json" 2>/dev/null
    check "production binary ignores CONCBENCH_FAULT" \
        '[ $? -eq 0 ] && [ "$(json "$dir/prod.json" "d[\"benchmarks\"][0][\"status\"]")" = ok ]'
fi

finish
