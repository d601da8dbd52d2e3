#!/usr/bin/env bash
# A worker dies holding (or about to take) the lock task's shared lock:
# nothing waits for ever. For each --lock kind, a processes worker is
# SIGKILLed in the middle of a run far too long to finish: the run ends
# at once with exit 1, the dead worker "crashed: SIGKILL", the other three
# abandoned, the next benchmark ok and the file written. In threads mode
# the same death is a crash of the sample server (the whole process):
# reported as such, and the run goes on. The only timing assumption is a
# generous bound that tells a hang from an ending.
. "$(dirname "$0")/lib.sh" "$1"
bound=30 # seconds: a run that ends takes about 1 s, 3 s on a loaded machine

# Prints the pids of $1's children, once there are at least $2 (waits at
# most $bound seconds; prints nothing if they never come).
children() {
    local i kids
    for ((i = 0; i < bound * 20; i++)); do
        kids=$(pgrep -P "$1")
        [ "$(echo "$kids" | grep -c .)" -ge "$2" ] && { echo "$kids"; return; }
        sleep 0.05
    done
}

# Prints how many threads process $1 has.
threads_of() { ls "/proc/$1/task" 2>/dev/null | wc -l; }

# Waits for pid $1 (a child of this shell) at most $bound seconds; sets
# code to its exit status, or to "hang" after killing it.
ended() {
    local i
    for ((i = 0; i < bound * 20; i++)); do
        kill -0 "$1" 2>/dev/null || { wait "$1"; code=$?; return; }
        sleep 0.05
    done
    kill -9 "$1"
    wait "$1" 2>/dev/null
    code=hang
}

statuses() { # file: the lock cell's worker statuses, sorted, counted
    json "$1" "sorted(set((w['status'], sum(x['status'] == w['status'] for x in d['benchmarks'][0]['samples'][0]['workers'])) for w in d['benchmarks'][0]['samples'][0]['workers']))"
}

# 10G increments each: minutes at the least, so the kill always lands
# before the end (and a run that went on to the end would fail the bound).
for kind in mutex spin semaphore; do
    out="$dir/$kind.json"
    "$bin" -q -m processes -t lock,io -n 4 --iterations=10G --sleep=1ms --lock="$kind" \
        -r 1 -w 0 -o "$out" 2>"$dir/$kind.err" &
    pid=$!
    kids=$(children "$pid" 4)
    check "$kind: the 4 workers started" '[ -n "$kids" ]'
    sleep 0.2 # into their counting loops, likely; any instant must do
    victim=$(echo "$kids" | sed -n 2p)
    [ -n "$victim" ] && kill -KILL "$victim"
    ended "$pid"
    check "$kind: no hang, exit 1 (got $code)" '[ "$code" = 1 ]'
    check "$kind: the file is written" '[ -s "$out" ]'
    check "$kind: one crashed: SIGKILL, three abandoned" \
        '[ "$(statuses "$out")" = "[('"'"'abandoned: a worker sharing its state died'"'"', 3), ('"'"'crashed: SIGKILL'"'"', 1)]" ]'
    check "$kind: the benchmark names the crash" \
        '[ "$(json "$out" "d[\"benchmarks\"][0][\"status\"]")" = "crashed: SIGKILL" ]'
    check "$kind: stderr names it" 'grep -q "lock/processes/4: crashed: SIGKILL" "$dir/$kind.err"'
    check "$kind: the next benchmark ran, ok" \
        '[ "$(json "$out" "(d[\"benchmarks\"][1][\"name\"], d[\"benchmarks\"][1][\"status\"])")" = "('"'"'io/processes/4'"'"', '"'"'ok'"'"')" ]'
done

# Threads: a thread cannot die alone; a crash in one (here a SIGSEGV sent
# to the process while its threads take the lock) ends the sample server.
# A sanitizer build would catch the SIGSEGV itself: let the kernel have it.
out="$dir/threads.json"
ASAN_OPTIONS=handle_segv=0 UBSAN_OPTIONS=handle_segv=0 "$bin" -q -m threads -t lock,io -n 4 \
    --iterations=10G --sleep=1ms -r 1 -w 0 -o "$out" 2>/dev/null &
pid=$!
server=$(children "$pid" 1)
for ((i = 0; i < bound * 20; i++)); do
    [ -n "$server" ] && [ "$(threads_of "$server")" -ge 5 ] && break
    sleep 0.05
done
check "threads: the server runs the 4 threads" '[ -n "$server" ] && [ "$(threads_of "$server")" -ge 5 ]'
sleep 0.2
[ -n "$server" ] && kill -SEGV "$server"
ended "$pid"
check "threads: no hang, exit 1 (got $code)" '[ "$code" = 1 ]'
check "threads: the cell is the whole process's crash" \
    '[ "$(json "$out" "d[\"benchmarks\"][0][\"status\"]")" = "crashed: SIGSEGV, whole process" ]'
check "threads: the next benchmark ran in a new server, ok" \
    '[ "$(json "$out" "(d[\"benchmarks\"][1][\"name\"], d[\"benchmarks\"][1][\"status\"])")" = "('"'"'io/threads/4'"'"', '"'"'ok'"'"')" ]'
finish
