#!/usr/bin/env bash
# cmake --install puts the binary, the man page, the bash completion and
# the plot scripts in the usual places; the completion completes, and the
# installed plot commands find their helper module and draw.
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

# The plot scripts with cbplot.py in share/concbench, on PATH as
# concbench-plot-* through relative links.
[ -s "$prefix/share/concbench/cbplot.py" ] || { echo "FAIL: cbplot.py not installed"; exit 1; }
for p in scaling timeline distribution machines latency; do
    [ -x "$prefix/share/concbench/plot_$p.py" ] &&
        [ "$(readlink "$prefix/bin/concbench-plot-$p")" = "../share/concbench/plot_$p.py" ] ||
        { echo "FAIL: plot_$p.py not installed or not linked as bin/concbench-plot-$p"; exit 1; }
done
grep -qxF "$prefix/bin/concbench-plot-scaling" "$build/install_manifest.txt" ||
    { echo "FAIL: the links are not in install_manifest.txt"; exit 1; }
# Moved elsewhere (relative links), run through PATH: --help needs only
# cbplot.py; a plot needs some Python here with matplotlib.
mv "$prefix" "$prefix.moved"
trap 'rm -rf "$prefix" "$prefix.moved"' EXIT
help=$(PATH="$prefix.moved/bin:$PATH" concbench-plot-scaling --help) &&
    grep -q '^example:' <<<"$help" ||
    { echo "FAIL: an installed plot command does not find cbplot.py"; exit 1; }
"$prefix.moved/bin/concbench" -q -m threads,serial -t cpu -n 1 -r 2 -w 0 --iterations=1000 \
    -o "$prefix.moved/r.json"
if "$prefix.moved/bin/concbench-plot-scaling" "$prefix.moved/r.json" -o "$prefix.moved/s.png" \
    2>"$prefix.moved/err"; then
    [ "$(head -c 4 "$prefix.moved/s.png" | od -An -c | tr -d ' ')" = '211PNG' ] ||
        { echo "FAIL: the installed concbench-plot-scaling wrote no PNG"; exit 1; }
else
    grep -q "no Python here has matplotlib" "$prefix.moved/err" ||
        { echo "FAIL: concbench-plot-scaling: $(cat "$prefix.moved/err")"; exit 1; }
    echo "note: no Python here has matplotlib: the installed plot was not drawn"
fi
[ ! -e "$prefix.moved/share/concbench/__pycache__" ] ||
    { echo "FAIL: running a plot wrote __pycache__ into the install"; exit 1; }

complete_words() { # words... -> completions of the last word
    bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1));
             _concbench; echo "${COMPREPLY[*]}"' _ "$src/scripts/concbench.bash" "$@"
}
# The registries' names, as `concbench list --names` prints them.
# (A build with the example plug-ins has modes the shipped completion
# does not list: the check is for the shipped registries.)
modes=$("$prefix.moved/bin/concbench" list --names | sed -n 's/^modes //p')
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
