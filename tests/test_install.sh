#!/usr/bin/env bash
# cmake --install puts the binary, the man page and the bash completion in
# the usual places, and the completion completes.
set -euo pipefail
build=$1 src=$2
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT

cmake --install "$build" --prefix "$prefix" >/dev/null
for f in bin/concbench share/man/man1/concbench.1 \
         share/bash-completion/completions/concbench; do
    [ -s "$prefix/$f" ] || { echo "FAIL: $f not installed"; exit 1; }
done
"$prefix/bin/concbench" --version | grep -q '^concbench ' || { echo "FAIL: --version"; exit 1; }
if command -v man >/dev/null; then
    man -l "$prefix/share/man/man1/concbench.1" 2>/dev/null | grep -q 'EXIT STATUS' ||
        { echo "FAIL: man page does not render"; exit 1; }
fi

complete_words() { # words... -> completions of the last word
    bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1));
             _concbench; echo "${COMPREPLY[*]}"' _ "$src/scripts/concbench.bash" "$@"
}
# The registries' names, as `concbench list --names` prints them.
# (A build with the example plug-ins has modes the shipped completion
# does not list: the check is for the shipped registries.)
modes=$("$prefix/bin/concbench" list --names | sed -n 's/^modes //p')
if [ "${CB_EXAMPLE_PLUGINS:-0}" = 1 ]; then
    echo "skip: --mode completion (example plug-ins build)"
else
    [ -n "$modes" ] && [ "$(complete_words concbench --mode '')" = "$modes" ] ||
        { echo "FAIL: --mode completion"; exit 1; }
fi
[ "$(complete_words concbench --format=c)" = "csv" ] && [ "$(complete_words concbench --pin=s)" = "spread" ] || { echo "FAIL: --format= completion"; exit 1; }
[ "$(complete_words concbench l)" = "list" ] || { echo "FAIL: subcommand completion"; exit 1; }
# Each subcommand offers its own options and values, not run's.
[ "$(complete_words concbench report a.json -f '')" = "table markdown" ] &&
    [ "$(complete_words concbench report a.json --)" = "--format --output --help" ] ||
    { echo "FAIL: report completion"; exit 1; }
[ "$(complete_words concbench compare a.json b.json --metric=m)" = "memory" ] &&
    [ "$(complete_words concbench compare a.json b.json --fail-on '')" = "slower inconclusive never" ] &&
    [ "$(complete_words concbench compare a.json b.json --th)" = "--threshold" ] ||
    { echo "FAIL: compare completion"; exit 1; }
[ "$(complete_words concbench ch)" = "check" ] &&
    [ "$(complete_words concbench check -f '')" = "table json" ] &&
    [ "$(complete_words concbench check --f)" = "--format" ] ||
    { echo "FAIL: check completion"; exit 1; }
echo "1 passed, 0 failed"
