#!/usr/bin/env bash
# driad side by side with NSD 4.6 and Knot 3.2 (issue 5): one generated DRIAD
# workload, the three servers run one after another in alternating order on
# 127.0.0.1 (a free high port each start), dnsperf over UDP and TCP at the
# maximum rate and at a fixed rate, with and without pinning server and load
# generator to separate cores. Prints one table (medians over the repetitions,
# driad's ratio to each peer) and `RESULT name driad=.. nsd=.. knot=..` lines.
# Beside them in the UDP runs, `floor` (bench/udp_floor.cpp): a reflector with
# driad's socket loop and no DNS work, whose CPU per query is what the kernel
# alone costs here; and dnsperf's own CPU, which shows when it is the limit.
#
#   bench/compare.sh --quick          # development run, under 5 minutes
#   bench/compare.sh                  # full run, about 20 minutes (see README.md)
#   bench/compare.sh --driadd PATH    # default: build-bench/bin/driadd, else build/bin/driadd
#
# Every knob is an environment variable (defaults: full / --quick):
#   N=10000 (main matrix)   BIG_N=1000000 (load, RSS, 1M rate, rebuilds; 0 skips)
#   REPS=3/3  DURATION=20/2 (s, max-rate runs)  LAT_DURATION=10/3 (s, fixed rate)
#   BIG_DURATION=10/3  REBUILD_DURATION=20/6  LAT_QPS=20000 (the fixed offered rate)
#   PIN_MODES="none pin"/"pin"  PRIMARY_PIN=pin (which mode the RESULT lines report)
#   MX_SIM=<driadd's dir>/mx-sim (for the health-change rebuild run; skipped without it)
#   THREADS=1 (query threads of each server)  RELAY_GROUPS=16
#   SERVERS="driad nsd knot"  SERVER_CPU=1 CLIENT_CPU=0 (taskset, "pin" mode)
#   FLOOR=<driadd's dir>/udp_floor (the zero-work reflector, UDP runs of the main
#   matrix only; FLOOR= skips it)
#   DP_NONE="-c 8 -T 2 -q 200 -t 2"  DP_PIN="-c 8 -T 1 -q 200 -t 2"  DP_FIXED="-c 4 -T 1 -t 2"
#   CACHE=/tmp/driad-compare-cache (generated workloads, reused; keyed by N,
#   RELAY_GROUPS, THREADS and the generator's checksum)  KEEP=0 (1 keeps the work dir)
#   READY_TIMEOUT=180 (s per start)  TOTAL_TIMEOUT=2700/290 (s, whole run)
#   DRIAD_SOURCES=file (driad reads its sources from the compact `sources_file`)
#   or json (the `sources` array of the config, as before)
#
# Bounded: every dnsperf, dig and generator call runs under `timeout`, every
# wait loop has a deadline, a watchdog ends the whole run after TOTAL_TIMEOUT,
# and a trap on EXIT/INT/TERM stops every process this script started (by PID);
# on INT/TERM the table of what was measured so far is still printed.
set -uo pipefail
export LC_ALL=C
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)

QUICK=0
DRIADD=""
while (($#)); do
  case $1 in
    --quick) QUICK=1 ;;
    --driadd) DRIADD=${2:-}; shift ;;
    -h | --help) sed -n '2,/^set -uo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "compare.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done
q() { if ((QUICK)); then echo "$2"; else echo "$1"; fi; }  # full value, quick value

N=${N:-10000}
BIG_N=${BIG_N:-1000000}
REPS=${REPS:-3}
DURATION=${DURATION:-$(q 20 2)}
LAT_DURATION=${LAT_DURATION:-$(q 10 3)}
BIG_DURATION=${BIG_DURATION:-$(q 10 3)}
REBUILD_DURATION=${REBUILD_DURATION:-$(q 20 6)}
LAT_QPS=${LAT_QPS:-20000}
PIN_MODES=${PIN_MODES:-$(q "none pin" pin)}
PRIMARY_PIN=${PRIMARY_PIN:-pin}
THREADS=${THREADS:-1}
RELAY_GROUPS=${RELAY_GROUPS:-16}
SERVERS=${SERVERS:-"driad nsd knot"}
SERVER_CPU=${SERVER_CPU:-1}
CLIENT_CPU=${CLIENT_CPU:-0}
DP_NONE=${DP_NONE:-"-c 8 -T 2 -q 200 -t 2"}
DP_PIN=${DP_PIN:-"-c 8 -T 1 -q 200 -t 2"}
DP_FIXED=${DP_FIXED:-"-c 4 -T 1 -t 2"}
CACHE=${CACHE:-/tmp/driad-compare-cache}
KEEP=${KEEP:-0}
READY_TIMEOUT=${READY_TIMEOUT:-180}
TOTAL_TIMEOUT=${TOTAL_TIMEOUT:-$(q 2700 290)}
DRIAD_SOURCES=${DRIAD_SOURCES:-file}
case $DRIAD_SOURCES in
  file) CONFIG_STEM=driad-file ;;
  json) CONFIG_STEM=driad ;;
  *) echo "compare.sh: DRIAD_SOURCES must be file or json" >&2; exit 2 ;;
esac
V4ZONE=10.in-addr.arpa.
V6ZONE=8.b.d.0.1.0.0.2.ip6.arpa.

if [[ -z "$DRIADD" ]]; then
  for candidate in "$ROOT/build-bench/bin/driadd" "$ROOT/build/bin/driadd"; do
    [[ -x "$candidate" ]] && { DRIADD=$candidate; break; }
  done
fi
for tool in dnsperf nsd knotd dig python3 taskset timeout; do
  command -v "$tool" >/dev/null || { echo "compare.sh: $tool missing: scripts/install-deps.sh bench test" >&2; exit 1; }
done
[[ -x "$DRIADD" ]] || { echo "compare.sh: no driadd (build it, or give --driadd PATH)" >&2; exit 1; }
MX_SIM=${MX_SIM:-$(dirname "$DRIADD")/mx-sim}
FLOOR=${FLOOR-$(dirname "$DRIADD")/udp_floor}
if [[ -n "$FLOOR" && ! -x "$FLOOR" ]]; then
  echo "compare.sh: no udp_floor at $FLOOR: the floor is left out (FLOOR= to silence)" >&2
  FLOOR=""
fi

WORK=$(mktemp -d /tmp/driad-compare.XXXXXX)
RUNS="$WORK/runs.csv"        # one line per dnsperf run
STARTS="$WORK/starts.csv"    # one line per server start
EXTRA="$WORK/extra.csv"      # driad-only figures
echo "phase,rep,pin,server,n,kind,seconds,qps,completed,lost,cpu_ticks,hz,resp_bytes,p50_us,p99_us,p999_us,rcodes,client_ticks" > "$RUNS"
echo "phase,rep,pin,server,n,startup_s,rss_kb,pss_kb" > "$STARTS"
echo "name,value" > "$EXTRA"
HZ=$(getconf CLK_TCK)
SPID=""       # the server under test
SNAME=""
DPPID=""      # the dnsperf (under timeout) running now
LOOPPID=""    # the SIGHUP or oper-status loop of a rebuild run
MXPID=""      # mx-sim
WATCHDOG=""
REPORTED=0

log() { echo "[$(date +%H:%M:%S)] $*" >&2; }

# ------------------------------------------------------------ process control
tree_pids() {  # the PID and all its descendants
  ps -e -o pid=,ppid= | awk -v root="$1" '
    { parent[$1] = $2 }
    END { keep[root] = 1
          for (round = 0; round < 8; round++) for (p in parent) if (parent[p] in keep) keep[p] = 1
          for (p in keep) print p }'
}

stop_pid() {  # TERM, wait up to 10 s, KILL; then any descendant left
  local pid=$1 pids
  [[ -n "$pid" ]] || return 0
  pids=$(tree_pids "$pid")
  kill -TERM "$pid" 2>/dev/null
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  for p in $pids; do kill -KILL "$p" 2>/dev/null; done
  return 0
}

stop_server() { stop_pid "$SPID"; SPID=""; SNAME=""; }

stop_all() {
  [[ -n "$LOOPPID" ]] && stop_pid "$LOOPPID"
  [[ -n "$DPPID" ]] && stop_pid "$DPPID"
  stop_server
  [[ -n "$MXPID" ]] && stop_pid "$MXPID"
  LOOPPID="" DPPID="" MXPID=""
}

report() {  # the table and RESULT lines, from whatever was measured
  ((REPORTED)) && return 0
  REPORTED=1
  timeout 60 python3 "$HERE/compare_report.py" --runs "$RUNS" --starts "$STARTS" --extra "$EXTRA" \
    --sighup-log "$WORK/sighup-driad.log" --health-log "$WORK/health-driad.log" \
    --primary-pin "$PRIMARY_PIN" --n "$N" --big-n "$BIG_N" --lat-qps "$LAT_QPS" \
    --servers "$SERVERS${FLOOR:+ floor}"
}

cleanup() {
  trap - EXIT INT TERM
  stop_all
  [[ -n "$WATCHDOG" ]] && stop_pid "$WATCHDOG"
  if [[ "$KEEP" == 1 ]]; then log "work dir kept: $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'log "interrupted: the figures so far"; stop_all; report; exit 130' INT TERM
(sleep "$TOTAL_TIMEOUT" && echo "compare.sh: TOTAL_TIMEOUT ${TOTAL_TIMEOUT}s reached" >&2 && kill -TERM $$) &
WATCHDOG=$!

# ------------------------------------------------------------ measurements
free_port() {  # a port free for both UDP and TCP on 127.0.0.1
  timeout 10 python3 -c '
import socket
for _ in range(50):
    t = socket.socket(); t.bind(("127.0.0.1", 0)); port = t.getsockname()[1]
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        u.bind(("127.0.0.1", port))
    except OSError:
        continue
    finally:
        t.close(); u.close()
    print(port); break'
}

cpu_ticks() {  # utime + stime of the server tree (all threads of each process)
  local total=0 pid value
  for pid in $(tree_pids "$1"); do
    # "pid (comm) state ...": comm may hold spaces; utime, stime are fields 14, 15
    value=$(sed 's/^.*) //' "/proc/$pid/stat" 2>/dev/null | awk '{print $12 + $13}')
    total=$((total + ${value:-0}))
  done
  echo "$total"
}

mem_kb() {  # "rss pss" summed over the server tree
  local rss=0 pss=0 pid value
  for pid in $(tree_pids "$1"); do
    value=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null); rss=$((rss + ${value:-0}))
    value=$(awk '/^Pss:/ {print $2}' "/proc/$pid/smaps_rollup" 2>/dev/null); pss=$((pss + ${value:-0}))
  done
  echo "$rss $pss"
}

answers_soa() {  # port zone -> an SOA in the answer section
  timeout 5 dig @127.0.0.1 -p "$1" +norec +tries=1 +time=1 +noall +answer "$2" SOA 2>/dev/null | grep -q SOA
}

answering() {  # name port -> the server is up: the zones' SOA, or any reply from the floor
  if [[ "$1" == floor ]]; then
    timeout 5 dig @127.0.0.1 -p "$2" +norec +tries=1 +time=1 "$V4ZONE" SOA 2>/dev/null | grep -q 'status: NOERROR'
  else
    answers_soa "$2" "$V4ZONE" && answers_soa "$2" "$V6ZONE"
  fi
}

# ------------------------------------------------------------ workload
GEN_SUM=$(md5sum "$HERE/gen_workload.py" | cut -c1-8)
workload() {  # n -> prints the workload dir, generating it once
  local n=$1 dir="$CACHE/n$1-g$RELAY_GROUPS-t$THREADS-$GEN_SUM"
  if [[ ! -f "$dir/done" ]]; then
    log "generating the workload: $n sources, $RELAY_GROUPS relay groups -> $dir"
    rm -rf "$dir"; mkdir -p "$dir"
    timeout 600 python3 "$HERE/gen_workload.py" --n "$n" --groups "$RELAY_GROUPS" --threads "$THREADS" \
      --queries 200000 --config "$dir/driad.json" --alt-config "$dir/driad-alt.json" \
      --health-config "$dir/driad-health.json" --sources-file "$dir/sources.txt" \
      --file-config "$dir/driad-file.json" --file-alt-config "$dir/driad-file-alt.json" \
      --file-health-config "$dir/driad-file-health.json" --zone-dir "$dir/zones" --query-file "$dir/queries.txt" \
      >&2 || { log "generator failed"; return 1; }
    touch "$dir/done"
  fi
  echo "$dir"
}

# ------------------------------------------------------------ servers
write_nsd_conf() {  # dir port zonedir
  cat > "$1/nsd.conf" <<EOF
server:
  ip-address: 127.0.0.1@$2
  port: $2
  do-ip6: no
  server-count: $THREADS
  reuseport: yes
  username: ""
  chroot: ""
  database: ""
  zonelistfile: "$1/zone.list"
  xfrdfile: "$1/xfrd.state"
  xfrdir: "$1"
  pidfile: "$1/nsd.pid"
  logfile: "$1/nsd.log"
  verbosity: 1
  hide-version: yes
  tcp-count: 200
  # Debian's NSD limits responses to 200/s per /24 by default.
  rrl-ratelimit: 0
  rrl-whitelist-ratelimit: 0
  # Without it NSD adds the NS RRset to every answer (156 octets, not 113).
  minimal-responses: yes
remote-control:
  control-enable: no
zone:
  name: $V4ZONE
  zonefile: "$3/${V4ZONE}zone"
zone:
  name: $V6ZONE
  zonefile: "$3/${V6ZONE}zone"
EOF
}

write_knot_conf() {  # dir port zonedir
  mkdir -p "$1/db"
  cat > "$1/knot.conf" <<EOF
server:
    rundir: "$1"
    pidfile: "$1/knot.pid"
    listen: 127.0.0.1@$2
    udp-workers: $THREADS
    tcp-workers: $THREADS
    background-workers: 1
database:
    storage: "$1/db"
control:
    listen: "$1/knot.sock"
log:
  - target: "$1/knot.log"
    any: info
template:
  - id: default
    storage: "$3"
    zonefile-sync: -1
    zonefile-load: whole
    journal-content: none
    semantic-checks: off
zone:
  - domain: $V4ZONE
    file: "${V4ZONE}zone"
  - domain: $V6ZONE
    file: "${V6ZONE}zone"
EOF
}

# start_server name workload-dir pin [driad-config] -> SPID, PORT, STARTUP_S, SDIR
# (not in a subshell)
start_server() {
  local name=$1 wl=$2 pin=$3 config=${4:-$2/$CONFIG_STEM.json} cpu=() t0 deadline
  [[ "$pin" == pin ]] && cpu=(taskset -c "$SERVER_CPU")
  PORT=$(free_port)
  [[ -n "$PORT" ]] || { log "no free port"; return 1; }
  SDIR=$(mktemp -d "$WORK/$name.XXXX")
  t0=$(date +%s.%N)
  case $name in
    nsd)
      write_nsd_conf "$SDIR" "$PORT" "$wl/zones"
      "${cpu[@]}" nsd -d -c "$SDIR/nsd.conf" > "$SDIR/stdout.log" 2>&1 &
      ;;
    knot)
      write_knot_conf "$SDIR" "$PORT" "$wl/zones"
      "${cpu[@]}" knotd -c "$SDIR/knot.conf" > "$SDIR/stdout.log" 2>&1 &
      ;;
    driad)
      # A symlink, so that the rebuild run can swap the file SIGHUP re-reads.
      ln -s "$config" "$SDIR/driad.json"
      "${cpu[@]}" "$DRIADD" --config "$SDIR/driad.json" --listen "127.0.0.1:$PORT" \
        --log-level info > "$SDIR/stdout.log" 2>&1 &
      ;;
    floor) "${cpu[@]}" "$FLOOR" "$PORT" > "$SDIR/stdout.log" 2>&1 & ;;
    *) log "unknown server $name"; return 1 ;;
  esac
  SPID=$!
  SNAME=$name
  deadline=$(($(date +%s) + READY_TIMEOUT))
  until answering "$name" "$PORT"; do
    if ! kill -0 "$SPID" 2>/dev/null; then
      log "$name died at start-up:"; tail -5 "$SDIR"/*.log >&2; SPID=""; return 1
    fi
    if (($(date +%s) >= deadline)); then log "$name not answering after ${READY_TIMEOUT}s"; stop_server; return 1; fi
    sleep 0.02
  done
  STARTUP_S=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
}

record_start() {  # phase rep pin n
  local mem
  mem=$(mem_kb "$SPID")
  echo "$1,$2,$3,$SNAME,$4,$STARTUP_S,${mem% *},${mem#* }" >> "$STARTS"
}

# run_dnsperf phase rep pin n kind queries seconds args... -> one line in runs.csv
# A fixed-rate run (kind *fixed*) adds -v and turns the per-query latencies into
# a 1 us histogram, from which p50/p99/p99.9 of the answered queries are read.
# dnsperf runs in a subshell that, once it has waited for it, reads its
# children's CPU time (cutime + cstime): the load generator's own CPU.
run_dnsperf() {
  local phase=$1 rep=$2 pin=$3 n=$4 kind=$5 queries=$6 seconds=$7
  shift 7
  local cpu=() out="$WORK/dnsperf-$phase-$rep-$pin-$SNAME-$kind.txt" before after
  local verbose=() mode=udp
  [[ "$pin" == pin ]] && cpu=(taskset -c "$CLIENT_CPU")
  [[ "$kind" == tcp* ]] && mode=tcp
  [[ "$kind" == *fixed* ]] && verbose=(-v)
  before=$(cpu_ticks "$SPID")
  (
    me=$BASHPID  # the subshell itself: in the pipeline below, $BASHPID is sed's
    timeout $((seconds + 30)) "${cpu[@]}" dnsperf -s 127.0.0.1 -p "$PORT" -m "$mode" -d "$queries" \
      -l "$seconds" "${verbose[@]}" "$@" > "$out" 2>&1
    sed 's/^.*) //' "/proc/$me/stat" | awk '{print $14 + $15}' > "$out.client"
  ) &
  DPPID=$!
  wait "$DPPID"
  DPPID=""
  after=$(cpu_ticks "$SPID")
  awk -v prefix="$phase,$rep,$pin,$SNAME,$n,$kind,$seconds" -v ticks=$((after - before)) -v hz="$HZ" \
    -v client="$(cat "$out.client" 2>/dev/null)" '
    $1 == ">" && $2 != "T" && $2 != "I" { bucket[int($NF * 1e6)]++; answered++ }  # -v lines
    /Queries completed:/ { completed = $3 }
    /Queries lost:/ { lost = $3 }
    /Queries per second:/ { qps = $4 }
    /Average packet size:/ { resp = $NF }
    /Response codes:/ { rc = $0; sub(/.*codes: */, "", rc); gsub(/,/, ";", rc) }
    END {
      max = 0
      for (us in bucket) if (us + 0 > max) max = us + 0
      seen = 0; p50 = ""; p99 = ""; p999 = ""
      for (us = 0; answered && us <= max; us++) {
        seen += bucket[us]
        if (p50 == "" && seen >= answered * 0.50) p50 = us
        if (p99 == "" && seen >= answered * 0.99) p99 = us
        if (p999 == "" && seen >= answered * 0.999) { p999 = us; break }
      }
      printf "%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s\n", prefix, qps, completed, lost, ticks, hz, resp,
             p50, p99, p999, rc, client
    }' "$out" >> "$RUNS"
  log "  $(tail -1 "$RUNS")"
}

# The same data in all three: rcode and answer section of a few probe queries
# (the SOA serial is driad's own, so the SOA probe compares the rcode only).
fingerprint() {  # queries-file -> prints one line per probe
  local name type
  { grep 'in-addr\.arpa\. TYPE260' "$1" | grep -m1 -v '\.255\.10\.'
    grep '\.ip6\.arpa\. TYPE260' "$1" | grep -m1 -v 'f\.f\.f\.f\.f\.f\.f\.f\.8\.b\.d'
    grep -m1 '\.255\.10\.in-addr\.arpa\. TYPE260' "$1"
    grep -m1 'f\.f\.f\.f\.f\.f\.f\.f\.8\.b\.d.*TYPE260' "$1"
    grep -m1 ' A$' "$1"
    grep -m1 ' SOA$' "$1"; } | while read -r name type; do
    timeout 5 dig @127.0.0.1 -p "$PORT" +norec +tries=1 +time=1 "$name" "$type" 2>/dev/null |
      awk -v q="$name $type" '
        /status:/ { sub(/.*status: /, ""); sub(/,.*/, ""); status = $0 }
        /^;; ANSWER SECTION/ { answer = 1; next }
        /^$/ { answer = 0 }
        answer && $4 != "SOA" { records = records " | " $0 }
        END { print q ": " status records }'
  done
}

check_same_answers() {  # compares the fingerprints taken so far
  local first="" file
  for file in "$WORK"/fingerprint-*; do
    [[ -f "$file" ]] || continue
    if [[ -z "$first" ]]; then first=$file; continue; fi
    if ! diff -q "$first" "$file" >/dev/null; then
      log "WARNING: the servers answer differently:"; diff "$first" "$file" >&2; return 1
    fi
  done
  log "same answers from: $(cd "$WORK" && echo fingerprint-* | sed 's/fingerprint-//g')"
}

# ------------------------------------------------------------ the run
log "driad $("$DRIADD" --version 2>&1) | $(nsd -v 2>&1 | head -1) | $(knotd --version) | $(dnsperf -h 2>&1 | grep '^Version')"
log "$(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg) | N=$N BIG_N=$BIG_N REPS=$REPS DURATION=${DURATION}s LAT=${LAT_QPS}qps/${LAT_DURATION}s THREADS=$THREADS pin modes: $PIN_MODES | driad sources: $DRIAD_SOURCES ($CONFIG_STEM.json)"
started=$(date +%s)
WL=$(workload "$N") || exit 1
read -ra servers <<< "$SERVERS"
main_servers=("${servers[@]}")
[[ -n "$FLOOR" ]] && main_servers+=(floor)
read -ra dp_none <<< "$DP_NONE"
read -ra dp_pin <<< "$DP_PIN"
read -ra dp_fixed <<< "$DP_FIXED"

# 1. N sources: every repetition and pin mode starts each server once (order
#    rotated per repetition), then max-rate UDP, max-rate TCP, fixed-rate UDP.
for rep in $(seq 1 "$REPS"); do
  for pin in $PIN_MODES; do
    dp=("${dp_none[@]}")
    [[ "$pin" == pin ]] && dp=("${dp_pin[@]}")
    for i in "${!main_servers[@]}"; do
      s=${main_servers[$(((i + rep - 1) % ${#main_servers[@]}))]}
      log "rep $rep/$REPS pin=$pin $s"
      start_server "$s" "$WL" "$pin" || continue
      record_start main "$rep" "$pin" "$N"
      if [[ "$s" != floor && ! -f "$WORK/fingerprint-$s" ]]; then
        fingerprint "$WL/queries.txt" | tr -s '\t' ' ' > "$WORK/fingerprint-$s"
      fi
      run_dnsperf main "$rep" "$pin" "$N" udp_max "$WL/queries.txt" "$DURATION" "${dp[@]}"
      [[ "$s" != floor ]] && run_dnsperf main "$rep" "$pin" "$N" tcp_max "$WL/queries.txt" "$DURATION" "${dp[@]}"
      run_dnsperf main "$rep" "$pin" "$N" udp_fixed "$WL/queries.txt" "$LAT_DURATION" "${dp_fixed[@]}" -Q "$LAT_QPS"
      stop_server
    done
  done
done

check_same_answers

# 1b. Whether the load generator is the limit (issue 5's test): driad, and the
#     floor, at NSD's median maximum UDP rate of the primary pin mode, held
#     fixed; their CPU % there is the figure (no -v: at this rate dnsperf's
#     per-query lines would cost it the rate).
if [[ " $SERVERS " == *" driad "* && " $SERVERS " == *" nsd "* ]]; then
  nsd_max=$(awk -F, -v pin="$PRIMARY_PIN" '$1 == "main" && $3 == pin && $4 == "nsd" && $6 == "udp_max" { print int($8) }' "$RUNS" |
    sort -n | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR + 1) / 2)] }')
  dp=("${dp_none[@]}")
  [[ "$PRIMARY_PIN" == pin ]] && dp=("${dp_pin[@]}")
  if [[ -n "$nsd_max" ]] && ((nsd_max > 0)); then
    for s in driad ${FLOOR:+floor}; do
      log "$s at NSD's maximum UDP rate, $nsd_max qps ($PRIMARY_PIN)"
      start_server "$s" "$WL" "$PRIMARY_PIN" || continue
      run_dnsperf at_nsd_max 1 "$PRIMARY_PIN" "$N" udp_at_nsd_max "$WL/queries.txt" "$DURATION" "${dp[@]}" -Q "$nsd_max"
      stop_server
    done
  fi
fi

# Waits (at most 60 s) until driad has finished every reload it started: a
# reload of a large config can outlast the run that sent the SIGHUPs.
wait_reloads() {  # log
  local settled=0
  for _ in $(seq 1 120); do
    if (($(grep -c "SIGHUP: reloading" "$1") == $(grep -c "reload: config .* applied\|reload rejected" "$1"))); then
      ((++settled >= 2)) && return 0
    else
      settled=0
    fi
    sleep 0.5
  done
  log "driad still reloading after 60 s"
}

# Starts mx-sim (gNMI and control on free loopback ports) -> MXPID, GNMI_PORT, CONTROL_PORT.
start_mx_sim() {
  "$MX_SIM" --listen 127.0.0.1:0 --control 127.0.0.1:0 --anycast 192.0.2.1 --tunnels 10 --quiet \
    > "$WORK/mx-sim.out" 2> "$WORK/mx-sim.log" &
  MXPID=$!
  for _ in $(seq 1 100); do
    grep -qs "^mx-sim: ready" "$WORK/mx-sim.out" && break
    sleep 0.1
  done
  GNMI_PORT=$(sed -n 's/^mx-sim: gnmi listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$WORK/mx-sim.out")
  CONTROL_PORT=$(sed -n 's/^mx-sim: control listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$WORK/mx-sim.out")
  [[ -n "$GNMI_PORT" && -n "$CONTROL_PORT" ]] || { log "mx-sim did not start: $(cat "$WORK/mx-sim.log")"; return 1; }
}

# sighup_run phase log pin: a fixed-rate run while, every second (or as
# soon as the previous reload is done, when it took longer), the config file is
# swapped and driad gets SIGHUP; then waits for the reloads to settle and keeps
# the log lines of the run in `log`. Never a SIGHUP while a reload is running: a
# reload of 1M sources takes longer than a second, and queued signals would
# only pile up reloads after the run.
sighup_run() {
  local phase=$1 keep=$2 pin=$3 log_lines
  log_lines=$(wc -l < "$SDIR/stdout.log")
  (
    # Pinned, this loop (a few forks every 50 ms) is the load generator's: on
    # its core, not on driad's.
    [[ "$pin" == pin ]] && taskset -p -c "$CLIENT_CPU" "$BASHPID" > /dev/null
    sent=0 last=0 deadline=$(($(date +%s) + REBUILD_DURATION + 5))
    while (($(date +%s) < deadline)); do
      now=$(date +%s%N)
      finished=$(tail -n +$((log_lines + 1)) "$SDIR/stdout.log" | grep -c "reload: config .* applied\|reload rejected")
      if ((finished >= sent && now - last >= 1000000000)); then
        if ((sent % 2 == 0)); then target=$CONFIG_STEM-alt.json; else target=$CONFIG_STEM.json; fi
        ln -sfn "$BIG/$target" "$SDIR/next.json" && mv -T "$SDIR/next.json" "$SDIR/driad.json"
        kill -HUP "$SPID" 2>/dev/null || exit 0
        sent=$((sent + 1)) last=$now
      fi
      sleep 0.05
    done
  ) &
  LOOPPID=$!
  run_dnsperf "$phase" 1 "$pin" "$BIG_N" udp_fixed "$BIG/queries.txt" "$REBUILD_DURATION" "${dp_fixed[@]}" -Q "$LAT_QPS"
  echo "${phase}_end,$(date +%s.%N)" >> "$EXTRA"
  stop_pid "$LOOPPID"
  LOOPPID=""
  wait_reloads "$SDIR/stdout.log"
  tail -n +$((log_lines + 1)) "$SDIR/stdout.log" > "$keep"
}

# 2. BIG_N sources, unpinned (a rebuild needs a core besides the query
#    thread's): start-up time and memory, fixed-rate latency, max-rate UDP. For
#    driad also the --check-config time, and two fixed-rate runs during rebuilds:
#    - sighup: every second (or as soon as the previous reload is done, when
#      it took longer) the config file is swapped (a symlink, policy.ttl
#      60 <-> 61) and SIGHUP sent: driad re-reads the JSON and rebuilds;
#    - sighup_shared (pin mode only): the same, and a steady run before it
#      (big_shared), with every driad thread on SERVER_CPU and dnsperf on
#      CLIENT_CPU: reloads and answers share one core, as on a server whose
#      cores are all busy answering, with the generator out of the way;
#    - health: the config has one live group fed by mx-sim, whose MX
#      oper-status flips every second (hold_up_s 0): every flip rebuilds the
#      whole snapshot, with no JSON read. Needs mx-sim; the headline figure.
if ((BIG_N > 0)); then
  BIG=$(workload "$BIG_N") || exit 1
  if [[ " $SERVERS " == *" driad "* ]]; then
    t0=$(date +%s.%N)
    if timeout 120 "$DRIADD" --check-config "$BIG/$CONFIG_STEM.json" > "$WORK/check.txt" 2>&1; then
      echo "check_config_s,$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')" >> "$EXTRA"
    else
      log "driadd --check-config failed: $(tail -2 "$WORK/check.txt")"
    fi
  fi
  for s in "${servers[@]}"; do
    log "$BIG_N sources: $s"
    start_server "$s" "$BIG" none || continue
    sleep 1  # let start-up allocations settle before reading RSS
    record_start big 1 none "$BIG_N"
    run_dnsperf big 1 none "$BIG_N" udp_fixed "$BIG/queries.txt" "$BIG_DURATION" "${dp_fixed[@]}" -Q "$LAT_QPS"
    run_dnsperf big 1 none "$BIG_N" udp_max "$BIG/queries.txt" "$BIG_DURATION" "${dp_none[@]}"
    if [[ "$s" == driad ]]; then
      log "$BIG_N sources: driad, config swapped and SIGHUP every second"
      sighup_run sighup "$WORK/sighup-driad.log" none
      stop_server
      # The same with driad's every thread on one core and dnsperf on the
      # other: reloads and answers share a core, as on a server whose cores
      # are all busy answering, and the generator is out of the way.
      if [[ " $PIN_MODES " == *" pin "* ]] && start_server driad "$BIG" pin; then
        log "$BIG_N sources: driad on one core, steady, then SIGHUP every second"
        run_dnsperf big_shared 1 pin "$BIG_N" udp_fixed "$BIG/queries.txt" "$BIG_DURATION" "${dp_fixed[@]}" -Q "$LAT_QPS"
        sighup_run sighup_shared "$WORK/sighup-shared-driad.log" pin
      fi
      stop_server
      if [[ -x "$MX_SIM" ]] && start_mx_sim; then
        log "$BIG_N sources: driad with a live group, MX oper-status flipped every second"
        sed "s/@GNMI_PORT@/$GNMI_PORT/" "$BIG/$CONFIG_STEM-health.json" > "$WORK/driad-health.json"
        if start_server driad "$BIG" none "$WORK/driad-health.json"; then
          sleep 2  # the first gNMI sync and its rebuild
          log_lines=$(wc -l < "$SDIR/stdout.log")
          (
            exec 3<> "/dev/tcp/127.0.0.1/$CONTROL_PORT" || exit 1
            for i in $(seq 1 $((REBUILD_DURATION + 5))); do
              sleep 1
              if ((i % 2)); then echo "oper-status DOWN" >&3; else echo "oper-status UP" >&3; fi
              read -r -t 2 _ <&3 || exit 1
            done
          ) &
          LOOPPID=$!
          run_dnsperf health 1 none "$BIG_N" udp_fixed "$BIG/queries.txt" "$REBUILD_DURATION" "${dp_fixed[@]}" -Q "$LAT_QPS"
          echo "health_end,$(date +%s.%N)" >> "$EXTRA"
          stop_pid "$LOOPPID"
          LOOPPID=""
          tail -n +$((log_lines + 1)) "$SDIR/stdout.log" > "$WORK/health-driad.log"
        fi
        stop_server
        stop_pid "$MXPID"
        MXPID=""
      elif [[ ! -x "$MX_SIM" ]]; then
        log "no mx-sim at $MX_SIM: health-change rebuild run skipped"
      fi
    fi
    stop_server
  done
fi

log "done in $(($(date +%s) - started)) s; load $(cut -d' ' -f1-3 /proc/loadavg)"
[[ "$KEEP" == 1 ]] && log "raw figures: $RUNS $STARTS $EXTRA"
report
