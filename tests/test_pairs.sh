#!/usr/bin/env bash
# The switch and msg tasks through the binary: every channel and placement
# in threads and processes with tiny sizes (checksums verified, figures
# and choices recorded), the refused combinations and values (exit 2, one
# line), and a worker killed mid-run: the sample ends with that worker
# crashed and the rest abandoned, never a hang.
. "$(dirname "$0")/lib.sh" "$1"
q() { json "$@"; }
lines() { wc -l < "$1"; }

"$bin" -q -m threads,processes -t switch -n 2,4 -r 1 -w 0 --iterations=300 \
    --switch-channel=pipe -o "$dir/sp.json"
check "switch pipe: exit 0" '[ $? -eq 0 ]'
"$bin" -q -m threads,processes -t switch -n 2 -r 1 -w 0 --iterations=300 \
    --switch-channel=futex --switch-placement=split -o "$dir/sf.json"
check "switch futex split: exit 0" '[ $? -eq 0 ]'
for f in sp sf; do
    check "switch $f: every benchmark ok, µs per round trip" \
        '[ "$(q "$dir/$f.json" "set((b[\"status\"], b[\"op\"], b[\"ops_per_job\"], b[\"per_op_s\"][\"median\"] > 0) for b in d[\"benchmarks\"])")" = "{('"'ok', 'round trip', 300, True"')}" ]'
done
check "switch: channel and placement recorded" \
    '[ "$(q "$dir/sf.json" "set((b[\"switch_channel\"], b[\"switch_placement\"]) for b in d[\"benchmarks\"])")" = "{('"'futex', 'split'"')}" ]'
check "switch same: both ends of a pair ran on one CPU" \
    '[ "$(q "$dir/sp.json" "all(s[\"workers\"][0][\"cpu\"] == s[\"workers\"][1][\"cpu\"] for b in d[\"benchmarks\"] for s in b[\"samples\"])")" = True ]'
check "switch split: the two ends ran on two CPUs" \
    '[ "$(q "$dir/sf.json" "all(s[\"workers\"][0][\"cpu\"] != s[\"workers\"][1][\"cpu\"] for b in d[\"benchmarks\"] for s in b[\"samples\"])")" = True ]'

for ch in pipe socket shm; do
    "$bin" -q -m threads,processes -t msg -n 2 -r 1 -w 0 --iterations=500 \
        --msg-channel=$ch --message=100 -o "$dir/m-$ch.json"
    check "msg $ch: exit 0, every message verified" '[ $? -eq 0 ] && [ "$(q "$dir/m-$ch.json" "set(b[\"status\"] for b in d[\"benchmarks\"])")" = "{'"'ok'"'}" ]'
    check "msg $ch: bytes per second = message size x messages per second" \
        '[ "$(q "$dir/m-$ch.json" "all(abs(b[\"bytes_per_s\"] - 100 * b[\"ops_per_s\"]) < 1e-6 * b[\"bytes_per_s\"] and b[\"op\"] == \"message\" for b in d[\"benchmarks\"])")" = True ]'
    check "msg $ch: the channel is recorded for processes only" \
        '[ "$(q "$dir/m-$ch.json" "[b.get(\"msg_channel\") for b in d[\"benchmarks\"]]")" = "[None, '"'$ch'"']" ]'
done
"$bin" -q -m serial -t msg -n 2 -r 1 -w 0 --iterations=200 -o "$dir/ms.json"
check "msg serial: runs (the consumer is beside the jobs)" '[ $? -eq 0 ]'

# Refused: one line on stderr naming what, exit 2.
refused() { # NAME PATTERN ARGS...
    local name=$1 pat=$2
    shift 2
    "$bin" -q "$@" > /dev/null 2> "$dir/err"
    code=$?
    check "$name: exit 2, one line naming it" \
        '[ $code -eq 2 ] && [ "$(lines "$dir/err")" -eq 1 ] && grep -q -- "$pat" "$dir/err"'
}
refused "switch -n 3" "^concbench: -n 3: .*even" -t switch -n 3
refused "switch -n 2,5" "^concbench: -n 5:" -t switch -n 2,5
refused "switch with serial" "--mode=serial .*--task=switch" -m threads,serial -t switch -n 2
refused "--switch-channel=tcp" "--switch-channel" -t switch -n 2 --switch-channel=tcp
refused "--switch-placement=far" "--switch-placement" -t switch -n 2 --switch-placement=far
refused "--msg-channel=mq" "--msg-channel" -t msg --msg-channel=mq
refused "--message=4" "--message" -t msg --message=4
refused "--message=8KiB" "--message" -t msg --message=8KiB
refused "switch --iterations=2G" "--iterations" -t switch -n 2 --iterations=2G

# A worker killed mid-run (SIGKILL to one child): its peer would wait for
# the token forever; the driver kills it and the sample ends at once.
kill_one() { # TASK ARGS...: starts a long run, kills its first child
    local task=$1 main kid t0
    shift
    "$bin" -q -m processes -t "$task" -r 1 -w 0 "$@" -o "$dir/k.json" &
    main=$!
    kid=$(first_child $main)
    sleep 0.1
    kill -KILL "$kid"
    t0=$SECONDS
    end_or_kill $main
    wait $main
    echo "exit $? after $((SECONDS - t0)) s"
}
out=$(kill_one switch -n 2 --iterations=1000M)
check "switch, one end killed: ends, exit 1 ($out)" '[[ $out == "exit 1 after "* ]]'
check "switch, one end killed: crashed: SIGKILL and abandoned" \
    '[ "$(q "$dir/k.json" "sorted(w[\"status\"].split(\":\")[0] + (\": \" + w[\"status\"].split(\": \")[1] if w[\"status\"].startswith(\"crashed\") else \"\") for w in d[\"benchmarks\"][0][\"samples\"][0][\"workers\"])")" = "['"'abandoned', 'crashed: SIGKILL'"']" ]'
out=$(kill_one msg -n 2 --iterations=4000M --msg-channel=shm)
check "msg, one producer killed: ends, exit 1 ($out)" '[[ $out == "exit 1 after "* ]]'
check "msg, one producer killed: crashed: SIGKILL" \
    '[ "$(q "$dir/k.json" "sum(w[\"status\"] == \"crashed: SIGKILL\" for w in d[\"benchmarks\"][0][\"samples\"][0][\"workers\"])")" = 1 ]'
finish
