#!/usr/bin/env bash
# The example plug-ins (build with -DCB_EXAMPLE_PLUGINS=ON): a task and an
# executor named "example" from tests/plugins/, registered by one CMake
# list entry each, work through the whole tool with no edit anywhere else:
# list, every output format, compare, report, the contrast of modes.
. "$(dirname "$0")/lib.sh" "$1"

"$bin" list >"$dir/list"
check "list names the example task and executor" \
    '[ "$(grep -c "^  example " "$dir/list")" -eq 2 ]'

run() { "$bin" -q -t example -m example,threads,serial -n 3 -r 3 -w 0 --iterations=200k "$@"; }
run -o "$dir/a.json"
check "run: exit 0" '[ $? -eq 0 ]'
check "example/example/3: ok, 3 jobs on 2 units" \
    '[ "$(json "$dir/a.json" "[(b[\"status\"], b[\"workers\"], b[\"units\"]) for b in d[\"benchmarks\"] if b[\"mode\"] == \"example\"][0]")" = "('"'"'ok'"'"', 3, 2)" ]'
check "every job has its record, every unit its own" \
    '[ "$(json "$dir/a.json" "[(len(s[\"workers\"]), len(s[\"units\"])) for b in d[\"benchmarks\"] if b[\"mode\"] == \"example\" for s in b[\"samples\"]][0]")" = "(3, 2)" ]'
check "the example executor has a speed-up over the baseline" \
    'json "$dir/a.json" "[b[\"speedup\"] for b in d[\"benchmarks\"] if b[\"mode\"] == \"example\"][0]" | grep -q "^[0-9.]*$"'
check "per-operation figures: op, ops_per_job, per_op_s, ops_per_s" \
    '[ "$(json "$dir/a.json" "[(b[\"op\"], b[\"ops_per_job\"], b[\"per_op_s\"][\"median\"] > 0, b[\"ops_per_s\"] > 0) for b in d[\"benchmarks\"]][0]")" = "('"'"'odd number'"'"', 200000, True, True)" ]'
for f in table markdown csv bmf github-action-benchmark; do
    run -f "$f" >"$dir/out.$f"
    check "format $f: exit 0, names example/example/3" \
        '[ $? -eq 0 ] && grep -q "example/example/3" "$dir/out.$f"'
done
run -o "$dir/b.json"
"$bin" compare "$dir/a.json" "$dir/b.json" --fail-on=never >"$dir/cmp" 2>&1
check "compare: exit 0, judges example/example/3" \
    '[ $? -eq 0 ] && grep -q "example/example/3" "$dir/cmp"'
"$bin" compare "$dir/a.json" "$dir/b.json" -f json --fail-on=never >"$dir/cmp.json"
check "compare -f json: example/example/3 is a compared row" \
    'json "$dir/cmp.json" "[r[\"name\"] for r in d[\"benchmarks\"]]" | grep -q "example/example/3"'
"$bin" report "$dir/a.json" "$dir/b.json" >"$dir/rep"
check "report: exit 0, a row for the example mode" '[ $? -eq 0 ] && grep -q "example" "$dir/rep"'
finish
