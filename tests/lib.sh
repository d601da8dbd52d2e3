# Shared by the shell tests, sourced as: . "$(dirname "$0")/lib.sh" BINARY
#   bin           the concbench binary under test
#   dir           a temporary directory, removed at exit
#   check N EXPR  counts EXPR (a shell test, eval'd) as passed or failed
#   json F EXPR   prints the Python EXPR with d = the JSON of file F
#   finish        prints the counts; last command: fails when any check did
#   first_child P waits (up to 4 s) until process P has two children and
#                 prints the first (nothing when none came)
#   end_or_kill P waits up to 10 s for process P to end; else kills it and
#                 prints "hung"
set -uo pipefail
bin=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fails=0 passed=0
check() { if eval "$2"; then echo "ok: $1"; passed=$((passed + 1)); else echo "FAIL: $1"; fails=$((fails + 1)); fi; }
json() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))" "$@"; }
finish() { echo "$passed passed, $fails failed"; [ "$fails" -eq 0 ]; }
first_child() {
    local kid=""
    for _ in $(seq 200); do
        kid=$(pgrep -P "$1" | head -1)
        [ -n "$kid" ] && [ "$(pgrep -P "$1" | wc -l)" -ge 2 ] && break
        sleep 0.02
    done
    echo "$kid"
}
end_or_kill() {
    for _ in $(seq 200); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.05; done
    kill -KILL "$1"
    echo hung
}
