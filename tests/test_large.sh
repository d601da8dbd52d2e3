#!/usr/bin/env bash
# Large runs: 10,000 io threads and 2,000 io processes finish, every
# worker's record is in the JSON and ok, and peak memory stays proportional
# (far below the 256 KiB stack each thread reserves).
. "$(dirname "$0")/lib.sh" "$1"

"$bin" -q -m threads -t io --sleep=200ms \
    -n 10000 -r 1 -w 0 --stack-size=256KiB -o "$dir/t.json"
check "10000 threads: exit 0" '[ $? -eq 0 ]'
check "10000 threads: 10000 records, all ok" \
    '[ "$(python3 -c "import json; s=json.load(open(\"$dir/t.json\"))[\"benchmarks\"][0][\"samples\"][0][\"workers\"]; print(len(s), all(w[\"status\"]==\"ok\" and w[\"checksum\"]==200000000 for w in s))")" = "10000 True" ]'
# A thread's ru_maxrss is its whole process's peak.
rss=$(python3 -c "import json; print(json.load(open('$dir/t.json'))['benchmarks'][0]['samples'][0]['max_rss_kib'])")
# Proportional: each thread costs far less than the 256 KiB stack it
# reserves (about 9 KiB here; about 130 KiB under AddressSanitizer).
check "10000 threads: under 200 KiB each ($rss KiB in all)" '[ "$rss" -lt $((10000 * 200)) ]'

"$bin" -q -m processes -t io --sleep=200ms -n 2000 -r 1 -w 0 -o "$dir/p.json"
check "2000 processes: exit 0" '[ $? -eq 0 ]'
check "2000 processes: 2000 records, all ok, distinct ids" \
    '[ "$(python3 -c "import json; s=json.load(open(\"$dir/p.json\"))[\"benchmarks\"][0][\"samples\"][0][\"workers\"]; print(len(s), len({w[\"id\"] for w in s}), all(w[\"status\"]==\"ok\" for w in s))")" = "2000 2000 True" ]'
finish
