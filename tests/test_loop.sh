#!/usr/bin/env bash
# The event loop through the binary: -n waits are libuv timers on one
# thread, and none ends before its own nanosecond deadline (timers count
# whole milliseconds: rounded up, re-armed for the rest); a CPU burst in
# the loop delays every pending timer; computing tasks run in the loop;
# tasks that need every job running at once are refused.
. "$(dirname "$0")/lib.sh" "$1"

"$bin" -q -m loop -t io -n 300 --sleep=20500us -r 2 -w 0 -o "$dir/l.json"
check "loop: exit 0, ok, 300 jobs on 1 unit" \
    '[ $? -eq 0 ] && [ "$(json "$dir/l.json" "(d[\"benchmarks\"][0][\"status\"], d[\"benchmarks\"][0][\"units\"])")" = "('"'ok'"', 1)" ]'
check "loop: no wait ended before its deadline (20.5 ms, not 20 or 21 whole ms)" \
    '[ "$(json "$dir/l.json" "all(w[\"lateness_s\"] >= 0 and w[\"end_s\"] - w[\"start_s\"] >= 0.0205 for s in d[\"benchmarks\"][0][\"samples\"] for w in s[\"workers\"])")" = True ]'
check "loop: lateness percentiles and memory per pending job recorded" \
    '[ "$(json "$dir/l.json" "(lambda l: l[\"lateness_s\"][\"median\"] <= l[\"lateness_s\"][\"p99\"] <= l[\"lateness_s\"][\"max\"] and l[\"pending_job_bytes\"] >= 0)(d[\"benchmarks\"][0][\"loop\"])")" = True ]'

# One CPU-bound burst of 80 ms in the loop: every 30 ms timer waits for it.
"$bin" -q -m loop -t io -n 50 --sleep=30ms --loop-block=80ms -r 1 -w 0 -o "$dir/b.json"
check "--loop-block=80ms: every 30 ms wait ends at least 45 ms late, recorded" \
    '[ $? -eq 0 ] && [ "$(json "$dir/b.json" "d[\"benchmarks\"][0][\"loop\"][\"lateness_s\"][\"median\"] >= 0.045 and d[\"benchmarks\"][0][\"loop_block_s\"] == 0.08")" = True ]'

"$bin" -q -m loop -t cpu,fib,lock -n 3 --iterations=100k --fib=15 -r 1 -w 0 -o "$dir/c.json"
check "loop: computing tasks run in the loop, checksums right" \
    '[ $? -eq 0 ] && [ "$(json "$dir/c.json" "set(b[\"status\"] for b in d[\"benchmarks\"])")" = "{'"'ok'"'}" ]'

"$bin" -q -m loop -t switch -n 2 2>"$dir/e" >/dev/null
check "loop with switch (needs both ends at once): exit 2, one line" \
    '[ $? -eq 2 ] && [ "$(wc -l < "$dir/e")" -eq 1 ]'
"$bin" -q -m loop -t io --loop-block=1parsec 2>"$dir/e2" >/dev/null
check "--loop-block=1parsec: exit 2 naming --loop-block" \
    '[ $? -eq 2 ] && grep -q -- "--loop-block" "$dir/e2"'
finish
