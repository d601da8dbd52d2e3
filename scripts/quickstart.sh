#!/usr/bin/env bash
# Quick start, step 1 of 2: installs what concbench needs on Debian (build and
# test dependencies, one apt-get update), builds a Release binary in build/,
# installs it (with its man page, bash completion and plot scripts) under
# PREFIX, default /usr/local (through sudo when that is not writable), and
# runs the main job with the installed concbench.
#   PREFIX=~/.local ./scripts/quickstart.sh    # no sudo for the install
set -euo pipefail
cd "$(dirname "$0")/.."
prefix=${PREFIX:-/usr/local}

sudo=""
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "quickstart: run as root or install sudo" >&2; exit 2; }
    sudo=sudo
fi
if command -v apt-get >/dev/null; then
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq --no-install-recommends \
        cmake gcc make pkg-config libc6-dev libcjson-dev libcmocka-dev libuv1-dev \
        python3 python3-matplotlib >/dev/null
else
    echo "quickstart: no apt-get; install cmake, gcc, pkg-config, cJSON and cmocka yourself" >&2
fi

cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)" >/dev/null

# The nearest existing directory of the prefix decides whether sudo is needed.
dir=$prefix
while [ ! -d "$dir" ]; do dir=$(dirname "$dir"); done
as=""
[ -w "$dir" ] || as=$sudo
$as cmake --install build --prefix "$prefix" >/dev/null
echo "quickstart: installed concbench and concbench-plot-* in $prefix/bin" >&2
case ":$PATH:" in
*":$prefix/bin:"*) ;;
*) echo "quickstart: $prefix/bin is not on your PATH; add it: export PATH=\"$prefix/bin:\$PATH\"" >&2 ;;
esac

"$prefix/bin/concbench" --mode=threads --task=cpu -n 10
