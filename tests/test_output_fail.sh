#!/usr/bin/env bash
# Output that cannot be written (issue 13, item 5): an -o path that would
# fail only at the end is refused with exit 2 before the first sample; a
# write that fails gets exit 3 in every subcommand, and list, --help and
# --version on a full device exit 3 with one line.
. "$(dirname "$0")/lib.sh" "$1"
one_line() { [ "$(printf '%s\n' "$1" | wc -l)" -eq 1 ] && [ -n "$1" ]; }

for args in --version --help list "list --names" "compare --help" "report --help" "check --help"; do
    # shellcheck disable=SC2086 # the words are the arguments
    err=$("$bin" $args 2>&1 >/dev/full)
    code=$?
    check "$args on a full device exits 3 with one line" \
        '[ $code -eq 3 ] && one_line "$err" && [[ $err == *"No space left"* ]]'
done

# A name the target allows but its temporary file ".NAME.XXXXXX" does not
# (over 255 bytes): refused before running, however long the run.
long=$dir/$(printf 'a%.0s' $(seq 250))
start=$(date +%s)
err=$("$bin" -q -t io --sleep=2s -n 1 -r 3 -w 0 -o "$long" 2>&1 >/dev/null)
code=$?
check "an -o whose temporary file cannot be made exits 2" '[ $code -eq 2 ]'
check "before the first sample" '[ $(( $(date +%s) - start )) -lt 2 ]'
check "one line naming --output and the cause" \
    'one_line "$err" && [[ $err == *--output*"File name too long"* ]]'
check "and nothing left in the directory" '[ -z "$(ls -A "$dir")" ]'
err=$("$bin" -q -t io --sleep=1ms -n 1 -r 1 -w 0 -o "$dir/missing/r.json" 2>&1 >/dev/null)
code=$?
check "an -o in a missing directory exits 2" '[ $code -eq 2 ] && one_line "$err"'

# A write that fails at the end: 3 in run, compare, report and check.
"$bin" -q -t io --sleep=1ms -n 1 -r 2 -w 0 -o "$dir/r.json" 2>/dev/null
err=$("$bin" -q -t io --sleep=1ms -n 1 -r 1 -w 0 -o /dev/full 2>&1 >/dev/null)
code=$?
check "run -o /dev/full exits 3 with one line" '[ $code -eq 3 ] && one_line "$err"'
err=$("$bin" -q -t io --sleep=1ms -n 1 -r 1 -w 0 2>&1 >/dev/full)
code=$?
check "run to a full stdout exits 3 with one line" '[ $code -eq 3 ] && one_line "$err"'
err=$("$bin" compare "$dir/r.json" "$dir/r.json" --fail-on=never -o /dev/full 2>&1 >/dev/null)
code=$?
check "compare -o /dev/full exits 3 with one line" '[ $code -eq 3 ] && one_line "$err"'
err=$("$bin" report "$dir/r.json" -o /dev/full 2>&1 >/dev/null)
code=$?
check "report -o /dev/full exits 3 with one line" '[ $code -eq 3 ] && one_line "$err"'
err=$("$bin" report "$dir/r.json" 2>&1 >/dev/full)
code=$?
check "report to a full stdout exits 3" '[ $code -eq 3 ] && one_line "$err"'
err=$("$bin" check -o /dev/full 2>&1 >/dev/null)
code=$?
check "check -o /dev/full exits 3 with one line" '[ $code -eq 3 ] && one_line "$err"'
finish
