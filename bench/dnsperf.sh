#!/usr/bin/env bash
# Runs dnsperf against driad on loopback with a generated workload and prints
# queries per second and latency, over UDP and TCP. Bounded: every run is
# capped by `timeout`; traffic goes only to 127.0.0.1.
#   N=10000 DURATION=10 THREADS=1 [PORT=...] bench/dnsperf.sh [path/to/driadd]
# PORT defaults to a free one. (The side-by-side comparison with NSD and Knot,
# with CPU per query and latency percentiles, is bench/compare.sh.)
set -euo pipefail
cd "$(dirname "$0")/.."
DRIADD=${1:-build/bin/driadd}
N=${N:-10000}
DURATION=${DURATION:-10}
THREADS=${THREADS:-1}
PORT=${PORT:-$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
CLIENTS=${CLIENTS:-"-c 8 -T 2 -q 200 -t 2"}
LAT_QPS=${LAT_QPS:-20000}
work=$(mktemp -d /tmp/driad-bench.XXXXXX)
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT

command -v dnsperf >/dev/null || { echo "dnsperf missing: scripts/install-deps.sh bench" >&2; exit 1; }
python3 bench/gen_workload.py --n "$N" --port "$PORT" --threads "$THREADS" --queries 200000 \
  --config "$work/driad.json" --query-file "$work/queries.txt"
start=$(date +%s.%N)
"$DRIADD" --config "$work/driad.json" --log-level warn &
pid=$!
for _ in $(seq 1 200); do
  dig +time=1 +tries=1 @127.0.0.1 -p "$PORT" 10.in-addr.arpa SOA >/dev/null 2>&1 && break
  sleep 0.05
done
ready=$(date +%s.%N)
rss_kb=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
cpu_ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
hz=$(getconf CLK_TCK)

run() {  # label, extra dnsperf args
  local label=$1; shift
  local before after out
  before=$(cpu_ticks)
  # shellcheck disable=SC2086
  out=$(timeout $((DURATION + 30)) dnsperf -s 127.0.0.1 -p "$PORT" -d "$work/queries.txt" -l "$DURATION" $CLIENTS "$@" 2>&1)
  after=$(cpu_ticks)
  local qps lat sent lost
  qps=$(awk '/Queries per second/ {print $4}' <<<"$out")
  lat=$(awk '/Average Latency/ {print $4 * 1000000; exit}' <<<"$out")
  sent=$(awk '/Queries completed/ {print $3}' <<<"$out")
  lost=$(awk '/Queries lost/ {print $3}' <<<"$out")
  local cpu_us
  cpu_us=$(awk -v t=$((after - before)) -v hz="$hz" -v n="$sent" 'BEGIN { printf "%.2f", (n > 0 ? t / hz * 1e6 / n : 0) }')
  printf '%-22s %12s qps  avg latency %8.0f us  server CPU %6s us/query  completed %s lost %s\n' \
    "$label" "$qps" "$lat" "$cpu_us" "$sent" "$lost"
  echo "RESULT ${label// /_}_qps driad=$qps"
}

echo "driad $("$DRIADD" --version) | N=$N sources, $THREADS thread(s), ${DURATION}s per run, $(nproc) cores"
awk -v s="$start" -v r="$ready" -v kb="$rss_kb" 'BEGIN { printf "start-up to first answer %.2f s, RSS %.1f MB\n", r - s, kb / 1024 }'
run "udp max"
run "tcp max" -m tcp
run "udp fixed ${LAT_QPS}" -Q "$LAT_QPS"
