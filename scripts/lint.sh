#!/usr/bin/env bash
# Checks the sources against .clang-format and .clang-tidy.
#   scripts/lint.sh            both (clang-tidy needs build/compile_commands.json)
#   scripts/lint.sh --format   clang-format only (what the test suite runs)
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t sources < <(git ls-files '*.cpp' '*.hpp' | grep -v '^tests/fuzz/corpus/')
clang-format --dry-run --Werror "${sources[@]}"
echo "clang-format: ${#sources[@]} files clean"
[[ "${1:-}" == --format ]] && exit 0
build=${BUILD_DIR:-build}
[[ -f "$build/compile_commands.json" ]] || { echo "lint: no $build/compile_commands.json; build first" >&2; exit 1; }
mapfile -t units < <(printf '%s\n' "${sources[@]}" | grep '\.cpp$' | grep -v '^tests/')
printf '%s\n' "${units[@]}" | xargs -P "$(nproc)" -n 4 clang-tidy -p "$build" --quiet
echo "clang-tidy: ${#units[@]} files clean"
