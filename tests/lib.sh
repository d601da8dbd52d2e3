# Shared by the shell tests, sourced as: . "$(dirname "$0")/lib.sh" BINARY
#   bin           the concbench binary under test
#   dir           a temporary directory, removed at exit
#   check N EXPR  counts EXPR (a shell test, eval'd) as passed or failed
#   json F EXPR   prints the Python EXPR with d = the JSON of file F
#   finish        prints the counts; last command: fails when any check did
set -uo pipefail
bin=$1
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fails=0 passed=0
check() { if eval "$2"; then echo "ok: $1"; passed=$((passed + 1)); else echo "FAIL: $1"; fails=$((fails + 1)); fi; }
json() { python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))" "$@"; }
finish() { echo "$passed passed, $fails failed"; [ "$fails" -eq 0 ]; }
