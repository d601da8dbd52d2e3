#!/usr/bin/env bash
# Quick start, step 1 of 2: installs what concbench needs on Debian (build and
# test dependencies, one apt-get update), builds a Release binary in build/
# and runs the main job.
set -euo pipefail
cd "$(dirname "$0")/.."

sudo=""
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "quickstart: run as root or install sudo" >&2; exit 2; }
    sudo=sudo
fi
if command -v apt-get >/dev/null; then
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq --no-install-recommends \
        cmake gcc make pkg-config libc6-dev libcjson-dev libcmocka-dev \
        python3 python3-matplotlib >/dev/null
else
    echo "quickstart: no apt-get; install cmake, gcc, pkg-config, cJSON and cmocka yourself" >&2
fi

cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)" >/dev/null
./build/concbench --mode=threads --task=cpu -n 10
