#!/usr/bin/env bash
# The CI recipe (scripts/ci-regression.sh) end to end: the first run keeps
# a baseline, a run like it passes (and, with UPDATE_BASELINE=1, replaces
# it), a regression exits 1 with a report naming it. And the terminal
# (through script(1)): compare's default format, progress, the summary
# table on stderr, warnings said once, and none of it without a terminal
# or with -q.
. "$(dirname "$0")/lib.sh" "$1"
src=$2
cd "$dir" || exit 1
export CONCBENCH=$bin SUITE="-t io -m threads -n 1 -r 6 -w 0 --sleep=5ms"
# 5 ms sleeps are steady on a quiet machine, but with a busy loop on every
# CPU a sample takes 5 to 200 ms: the like run is judged at the widest
# threshold (1000%), and the regression is made 100 times and more.
export COMPARE_OPTS="--threshold=50"
recipe() { sh "$src/scripts/ci-regression.sh" keep/base.json run.json >out.txt 2>&1; }

recipe
check "no baseline: exit 0, the run becomes it" \
    '[ $? -eq 0 ] && cmp -s run.json keep/base.json && grep -q "no baseline yet" out.txt'
COMPARE_OPTS="--threshold=1000" UPDATE_BASELINE=1 recipe
check "a run like the baseline passes and, on main, replaces it" \
    '[ $? -eq 0 ] && grep -q "pass (--fail-on=slower)" out.txt && cmp -s run.json keep/base.json'
# Every baseline sample at most 50 us, a hundredth of the 5 ms sleep any
# sample now takes: every benchmark regressed, on any machine.
python3 - keep/base.json <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for b in d["benchmarks"]:
    for s in b["samples"]:
        s["wall_s"] = min(s["wall_s"], 0.005) / 100
json.dump(d, open(sys.argv[1], "w"))
PY
recipe
check "a regression exits 1 and the report says slower" '[ $? -eq 1 ] && grep -q "slower" out.txt'
check "the report file is kept" '[ -s concbench-compare.md ]'

# A new suite (another --sleep, as new defaults would be): nothing can be
# compared, said loudly, and not a failure forever.
cp keep/base.json old.json
export SUITE="-t io -m threads -n 1 -r 6 -w 0 --sleep=6ms"
recipe
check "a changed suite: exit 0, loudly, in the report too, the baseline kept" \
    '[ $? -eq 0 ] && grep -q "THE SUITE CHANGED" out.txt && grep -q "sleep_s: 0.005 vs 0.006" out.txt &&
     grep -q "^> ci-regression: THE SUITE CHANGED" concbench-compare.md && cmp -s old.json keep/base.json'
UPDATE_BASELINE=1 recipe
check "a changed suite on main: a new baseline, the old one kept as .prev" \
    '[ $? -eq 0 ] && grep -q "NEW BASELINE" out.txt && cmp -s run.json keep/base.json &&
     cmp -s old.json keep/base.json.prev'
# Part of the suite changed (one more worker count) while what is still
# comparable regressed: exit 1, and the baseline stays.
python3 - keep/base.json <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for b in d["benchmarks"]:
    for s in b["samples"]:
        s["wall_s"] /= 10
json.dump(d, open(sys.argv[1], "w"))
PY
cp keep/base.json old.json
SUITE="-t io -m threads -n 1,2 -r 6 -w 0 --sleep=6ms" UPDATE_BASELINE=1 recipe
check "a partly changed suite still gates what it can compare" \
    '[ $? -eq 1 ] && grep -q "1 of 1 baseline benchmarks can still be compared" out.txt &&
     grep -q "io/threads/2: only in NEW" out.txt && cmp -s old.json keep/base.json'

"$bin" compare keep/base.json run.json >piped.txt
check "compare into a pipe: JSON" '[ "$(head -c1 piped.txt)" = "{" ]'
script -qec "'$bin' compare keep/base.json run.json" /dev/null >tty.txt
check "compare on a terminal: a table" 'grep -q "^benchmark" tty.txt && ! grep -q "^{" tty.txt'

# A run writing JSON to a file, watched on a terminal: progress (cleared
# with a carriage return), then the summary table with its warnings, and
# each warning once. 4 CPU-bound workers outnumber the CPUs of any
# machine this runs on only when it has fewer than 4: use more than it has.
n=$(( $(nproc) + 1 ))
watch="'$bin' -m threads -t cpu --iterations=1000 -n $n -r 3 -w 0 -o watched.json"
script -qec "$watch" /dev/null >tty.txt
check "progress on a terminal: round and ETA" 'grep -q "round 1/3" tty.txt && grep -q "ETA" tty.txt'
check "summary table on a terminal's stderr" 'grep -q "benchmark  *status  *median wall" tty.txt'
check "the oversubscription warning, once" '[ "$(grep -c "time-share" tty.txt)" -eq 1 ]'
script -qec "$watch -q" /dev/null >quiet.txt
check "-q: nothing on the terminal" '[ ! -s quiet.txt ]'
# JSON on the terminal itself: the answer still comes last, on stderr.
script -qec "'$bin' -m threads,serial -t io --sleep=1ms -n 1 -r 3 -w 0" /dev/null >screen.txt
check "JSON on a terminal: the summary is the last thing printed" \
    'grep -q "\"schema_version\"" screen.txt &&
     tail -n 2 screen.txt | head -n 1 | grep -q "^summary:" &&
     tail -n 1 screen.txt | grep -q "io, 1 worker: .* ran .* ± .* times faster than "'
eval "$watch" >plain.txt 2>&1
check "no terminal: no progress, no table, the warning on stderr" \
    '! grep -q "ETA\|^benchmark" plain.txt && grep -q "time-share" plain.txt'
finish
