#!/usr/bin/env bash
# Installs what is missing, builds into build/ and runs the whole test suite
# (unit and integration, through ctest). Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh build test
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDRIAD_WERROR=ON
cmake --build build -j"$(nproc)"
ctest --test-dir build --output-on-failure -j"$(nproc)" --timeout 300
