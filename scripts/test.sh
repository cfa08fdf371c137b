#!/usr/bin/env bash
# Installs what is missing, builds into build/ and runs the whole test suite
# (unit and integration, through ctest), then the ASan+UBSan subset
# (scripts/sanitize.sh asan --ci, into build-asan/; DRIAD_SKIP_SANITIZE=1
# skips it). Exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh build test
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDRIAD_WERROR=ON
cmake --build build -j"$(nproc)"
ctest --test-dir build --output-on-failure -j"$(nproc)" --timeout 300
if [[ "${DRIAD_SKIP_SANITIZE:-0}" != 1 ]]; then
  scripts/sanitize.sh asan --ci
fi
