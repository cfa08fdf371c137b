#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz/ with clang (ASan + UBSan) into
# build-fuzz/ and runs each for a bounded time on one core, from a scratch copy
# of its committed corpus so that new inputs stay out of the repo.
#
#   scripts/fuzz.sh [--merge] [SECONDS_PER_TARGET] [TARGET...]
#
# SECONDS_PER_TARGET defaults to 60; TARGET defaults to every fuzz_*.cpp in
# tests/fuzz/ (query, edns, config, gnmi, ...). --merge minimises the inputs
# that found new coverage back into tests/fuzz/corpus/TARGET/ (review, then
# commit). Prints, per target: executions, exec/s, coverage before and after,
# new corpus inputs and crashes; exits 1 when any target crashed. A crash's
# input is kept under build-fuzz/fuzz-work/TARGET/artifacts/.
# Environment: FUZZ_BUILD_JOBS (default 2) for the build, FUZZ_RSS_MB (2048).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
build=$root/build-fuzz
work=$build/fuzz-work

usage() { sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; }

merge=false
seconds=60
targets=()
for arg in "$@"; do
  case "$arg" in
    --merge) merge=true ;;
    -h | --help) usage; exit 0 ;;
    *[!0-9]*) targets+=("$arg") ;;
    *) seconds=$arg ;;
  esac
done
if ((${#targets[@]} == 0)); then
  for source in tests/fuzz/fuzz_*.cpp; do
    name=$(basename "$source" .cpp)
    targets+=("${name#fuzz_}")
  done
fi
# libFuzzer reads -max_total_time=0 as "no limit".
((seconds > 0)) || { echo "fuzz.sh: SECONDS_PER_TARGET must be at least 1" >&2; exit 2; }
for target in "${targets[@]}"; do
  if [[ ! -f tests/fuzz/fuzz_$target.cpp || ! -d tests/fuzz/corpus/$target ]]; then
    echo "fuzz.sh: no target '$target' (tests/fuzz/fuzz_$target.cpp and corpus/$target/)" >&2
    exit 2
  fi
done

# Debian's clang and its libFuzzer runtime.
missing=()
for package in clang libclang-rt-14-dev; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$package" 2>/dev/null || true)
  [[ "$status" == installed ]] || missing+=("$package")
done
if ((${#missing[@]} > 0)); then
  echo "fuzz.sh: needs ${missing[*]} (apt-get install ${missing[*]})" >&2
  exit 1
fi

mkdir -p "$work"
flags="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined"
flags+=" -fno-omit-frame-pointer"
cmake -S . -B "$build" -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DDRIAD_FUZZ=ON -DDRIAD_WERROR=OFF -DCMAKE_CXX_FLAGS="$flags" > "$work.configure.log" 2>&1 ||
  { cat "$work.configure.log" >&2; exit 1; }
binaries=()
for target in "${targets[@]}"; do binaries+=("fuzz_$target"); done
nice cmake --build "$build" -j"${FUZZ_BUILD_JOBS:-2}" --target "${binaries[@]}"

# The value of "NAME: VALUE" in libFuzzer's final stats, or of a field of a
# status line ("cov: 123").
stat() { grep -o "stat::$2: *[0-9]*" "$1" | tail -1 | grep -o '[0-9]*$' || echo 0; }
field() { grep "$2" "$1" | tail -1 | grep -o "$3: *[0-9]*" | grep -o '[0-9]*$' || echo 0; }

summary=()
crashed=0
for target in "${targets[@]}"; do
  dir=$work/$target
  rm -rf "$dir"
  mkdir -p "$dir/corpus" "$dir/artifacts"
  cp -r tests/fuzz/corpus/"$target"/. "$dir/corpus/"
  dict=()
  case "$target" in
    config | coverage_zones | traffic_ops | topology_cache) dict=(-dict="$root/tests/fuzz/json.dict") ;;
  esac
  echo "== fuzz_$target: ${seconds}s"
  # -jobs=1 -workers=1: one fuzzing process on one core; libFuzzer writes its
  # log to fuzz-0.log in the current directory. timeout(1) bounds it even if
  # libFuzzer's own clock does not.
  (
    cd "$dir"
    timeout --kill-after=30 $((seconds + 120)) nice "$build/bin/fuzz_$target" \
      -max_total_time="$seconds" -jobs=1 -workers=1 -timeout=10 \
      -rss_limit_mb="${FUZZ_RSS_MB:-2048}" -print_final_stats=1 "${dict[@]}" \
      -artifact_prefix="$dir/artifacts/" corpus > "$dir/driver.log" 2>&1 || true
  )
  log=$dir/fuzz-0.log
  [[ -f "$log" ]] || log=$dir/driver.log
  runs=$(stat "$log" number_of_executed_units)
  rate=$(stat "$log" average_exec_per_sec)
  added=$(stat "$log" new_units_added)
  cov_start=$(field "$log" INITED cov)
  cov_end=$(grep -E '^#[0-9]+' "$log" | tail -1 | grep -o 'cov: *[0-9]*' | grep -o '[0-9]*$' || echo 0)
  crashes=$(find "$dir/artifacts" -type f | wc -l)
  ((crashes == 0)) || crashed=1
  summary+=("$(printf '%-16s %12s %8s %6s -> %-6s %6s %8s' "$target" "$runs" "$rate" \
    "$cov_start" "$cov_end" "$added" "$crashes")")
  if ((crashes > 0)); then
    echo "fuzz_$target found $crashes crashing input(s):"
    find "$dir/artifacts" -type f -printf '  %p\n'
    grep -A 30 -m 1 -E 'ERROR: (AddressSanitizer|libFuzzer|LeakSanitizer)|runtime error|fuzz check failed' \
      "$log" | head -40 || true
    echo "  reproduce: $build/bin/fuzz_$target <file>; keep it: cp <file> tests/fuzz/corpus/$target/"
  fi
  if $merge && ((crashes == 0)); then
    before=$(find tests/fuzz/corpus/"$target" -type f | wc -l)
    (
      cd "$dir"
      timeout --kill-after=30 600 nice "$build/bin/fuzz_$target" -merge=1 \
        "$root/tests/fuzz/corpus/$target" corpus > merge.log 2>&1
    ) || echo "fuzz_$target: merge failed, see $dir/merge.log"
    after=$(find tests/fuzz/corpus/"$target" -type f | wc -l)
    echo "fuzz_$target: merged $((after - before)) new input(s) into tests/fuzz/corpus/$target/"
  fi
done

echo
printf '%-16s %12s %8s %16s %6s %8s\n' target executions exec/s "coverage" new crashes
printf '%s\n' "${summary[@]}"
exit "$crashed"
