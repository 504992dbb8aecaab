#!/usr/bin/env bash
# Installs what dessa needs to build and test on Debian 12 (run as root). Used by the README's
# quick start and by CI, so both install the same packages.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends \
    build-essential cmake pkg-config liblua5.4-dev lua5.4 libcmocka-dev libgsl-dev gnuplot-nox python3 \
    clang libclang-rt-14-dev jq
