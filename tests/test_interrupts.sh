#!/usr/bin/env bash
# A signal at each instant of writing the output, in every subcommand that
# writes one: the message says what became of the output, the target is
# either as it was or the new file, and no temporary file survives. The
# hidden CONCBENCH_SIGNAL_AT=PHASE switch (src/output.c) raises SIGTERM at
# that instant, so each is hit for sure:
#   create  between creating the temporary file and registering it
#   write   the temporary file registered, not yet renamed
#   rename  just after the rename, before the handler is told
#   done    after the output was written
. "$(dirname "$0")/lib.sh" "$1"
run_args=(-q -m threads -t cpu -n 1 --iterations=1000 -r 2 -w 0)
"$bin" "${run_args[@]}" -o "$dir/base.json" || { echo "FAIL: cannot make base.json"; exit 1; }

# No file but the ones we expect: no .NAME.XXXXXX left beside the target.
temps() { find "$dir" -maxdepth 1 -name '.*.??????' | wc -l; }

# cmd NAME ARGS...: runs subcommand NAME writing to "$dir/$out" at $phase.
cmd() {
    local name=$1
    shift
    case $name in
    run) "$bin" "${run_args[@]}" "$@" ;;
    compare) "$bin" compare "$dir/base.json" "$dir/base.json" -f json "$@" ;;
    report) "$bin" report "$dir/base.json" "$@" ;;
    esac
}

for sub in run compare report; do
    for phase in create write rename done; do
        out="out-$sub-$phase"
        echo old > "$dir/$out"
        CONCBENCH_SIGNAL_AT=$phase cmd $sub -o "$dir/$out" 2>"$dir/err"
        code=$?
        case $phase in
        create | write)
            want="no output written"
            [ $sub = run ] && want="workers stopped, no output written"
            content=old ;;
        *)
            want="output written to $dir/$out"
            content=new ;;
        esac
        check "$sub, signal at $phase: exit 143" '[ $code -eq 143 ]'
        check "$sub, signal at $phase: says \"$want\"" \
            '[ "$(cat "$dir/err")" = "concbench: interrupted by SIGTERM; $want" ]'
        if [ $content = old ]; then
            check "$sub, signal at $phase: the old file is intact" \
                '[ "$(cat "$dir/$out")" = old ]'
        else
            check "$sub, signal at $phase: the file is the new output" \
                '[ "$(cat "$dir/$out")" != old ] && [ -s "$dir/$out" ]'
        fi
        check "$sub, signal at $phase: no temporary file left" '[ "$(temps)" -eq 0 ]'
    done
done

# Written in place (stdout, a device): cut short, or written.
CONCBENCH_SIGNAL_AT=write "$bin" report "$dir/base.json" >/dev/null 2>"$dir/err"
check "stdout, signal while writing: may be incomplete" \
    '[ "$(cat "$dir/err")" = "concbench: interrupted by SIGTERM; output to stdout may be incomplete" ]'
CONCBENCH_SIGNAL_AT=done "$bin" report "$dir/base.json" >/dev/null 2>"$dir/err"
check "stdout, signal after writing: written" \
    '[ "$(cat "$dir/err")" = "concbench: interrupted by SIGTERM; output written to stdout" ]'
CONCBENCH_SIGNAL_AT=write "$bin" "${run_args[@]}" -o /dev/null 2>"$dir/err"
check "a device, signal while writing: may be incomplete" \
    '[ "$(cat "$dir/err")" = "concbench: interrupted by SIGTERM; output to /dev/null may be incomplete" ]'

# The name in the message is text, escaped as in the files.
CONCBENCH_SIGNAL_AT=done "$bin" report "$dir/base.json" -o "$dir/caf"$'\xe9\n' 2>"$dir/err"
check "a file name that is not UTF-8 is escaped in the message" \
    '[ "$(cat "$dir/err")" = "concbench: interrupted by SIGTERM; output written to $dir/caf\\xe9\\x0a" ]'
rm -f "$dir/caf"$'\xe9\n'

# A file past ulimit -f: a write error (EFBIG), not SIGXFSZ; nothing left.
echo old > "$dir/big.json"
(ulimit -f 1 && exec "$bin" "${run_args[@]}" -o "$dir/big.json") \
    2>"$dir/err"
code=$?
check "past ulimit -f: not killed by SIGXFSZ" '[ $code -ne 153 ] && [ $code -ne 0 ]'
check "past ulimit -f: says so" 'grep -q "File too large" "$dir/err"'
check "past ulimit -f: the old file is intact, no temporary file" \
    '[ "$(cat "$dir/big.json")" = old ] && [ "$(temps)" -eq 0 ]'
finish
