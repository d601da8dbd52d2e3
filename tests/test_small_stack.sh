#!/usr/bin/env bash
# Small stacks (issue 13, item 9): under a small `ulimit -s` (which also
# sizes glibc's default thread stacks), --version, list, a small run of
# every kind of unit, report and compare work. The build keeps every
# frame under 4 KiB (-Wframe-larger-than=4096, CMakeLists.txt).
. "$(dirname "$0")/lib.sh" "$1"
kib=${CB_TEST_STACK_KIB:-32}
small() { (ulimit -s "$kib" && "$@"); }

for args in --version --help list "list --names"; do
    # shellcheck disable=SC2086 # the words are the arguments
    small "$bin" $args >/dev/null 2>"$dir/err"
    code=$?
    check "$args under ulimit -s $kib exits 0" '[ $code -eq 0 ]'
done
small "$bin" -q -m threads,processes,serial -t cpu,io,msg -n 1,2 -r 2 -w 0 \
    --iterations=10000 --sleep=1ms -o "$dir/r.json" 2>"$dir/err"
code=$?
check "a small run under ulimit -s $kib exits 0" '[ $code -eq 0 ] && [ -s "$dir/r.json" ]'
[ $code -eq 0 ] || cat "$dir/err"
small "$bin" report "$dir/r.json" >"$dir/report" 2>"$dir/err"
code=$?
check "report under ulimit -s $kib exits 0" '[ $code -eq 0 ] && [ -s "$dir/report" ]'
small "$bin" report "$dir/r.json" "$dir/r.json" -f markdown >/dev/null 2>&1
code=$?
check "report of two files under ulimit -s $kib exits 0" '[ $code -eq 0 ]'
small "$bin" compare "$dir/r.json" "$dir/r.json" --fail-on=never >/dev/null 2>&1
code=$?
check "compare under ulimit -s $kib exits 0" '[ $code -eq 0 ]'
small "$bin" check -f json >/dev/null 2>&1
code=$?
check "check under ulimit -s $kib exits 0" '[ $code -eq 0 ]'
finish
