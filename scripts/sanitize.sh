#!/usr/bin/env bash
# Builds and tests driad under a sanitizer, with the presets of
# CMakePresets.json: asan (AddressSanitizer + UndefinedBehaviorSanitizer, into
# build-asan/) or tsan (ThreadSanitizer, into build-tsan/).
#
#   scripts/sanitize.sh asan|tsan [--ci] [CTEST_ARGS...]
#
# With no CTEST_ARGS the whole suite runs. --ci runs the subset .ci/run uses
# (see SANITIZE_CI_TESTS below) and builds only what it needs. Exits non-zero
# on any failure; integration tests fail on a sanitizer report in driadd's log.
set -euo pipefail
cd "$(dirname "$0")/.."
preset=${1:-}
case "$preset" in
  asan | tsan) shift ;;
  *) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
ci=false
if [[ "${1:-}" == --ci ]]; then ci=true; shift; fi

# The CI subset: everything that parses bytes from outside (the query path,
# EDNS, config, Traffic Ops, gNMI, the corpus replays) and the daemon under
# hostile, malformed and reloaded input, against real clients.
SANITIZE_CI_TESTS='^(dns_|zones_|policy_|config_|health_test\.|traffic_ops_test\.|fuzz_replay\.|integration\.(answers|edns_tc|tcp|malformed|hostile|reload|rrl)$)'

scripts/install-deps.sh build test
cmake --preset "$preset" > /dev/null
if $ci; then
  # The unit-test and replay binaries the subset runs.
  mapfile -t extra < <(cmake --build --preset "$preset" --target help |
    grep -oE '(dns_[a-z_]*test|zones_test|policy_test|config_test|health_test|traffic_ops_test|fuzz_replay_[a-z_]*)' |
    sort -u)
  cmake --build --preset "$preset" -j"$(nproc)" --target driadd "${extra[@]}"
  ctest --preset "$preset" -j"$(nproc)" -R "$SANITIZE_CI_TESTS" "$@"
else
  cmake --build --preset "$preset" -j"$(nproc)"
  ctest --preset "$preset" -j"$(nproc)" "$@"
fi
