#!/usr/bin/env bash
# The Traffic Ops demo (`scripts/demo.sh --traffic-ops`): driadd learns its
# relay groups from to-sim (the Traffic Ops simulator serving the repo's
# fixtures), follows one mx-sim per cachegroup over gNMI, probes one
# amt-responder per cachegroup, and maps clients by a coverage zone file.
# Everything listens on 127.0.0.0/8; the fixtures' management and gateway
# addresses are rewritten to loopback ones first. Expects a built build/.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${DRIAD_BIN:-build/bin}  # DRIAD_BIN: another build's bin/ (tests of this script)
work=$(mktemp -d /tmp/driad-to-demo.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

# Loopback copies of the fixtures, and a coverage zone file in which the
# demo's two client addresses (127.0.0.2, 127.0.0.3) belong to the two cachegroups.
python3 - "$work" <<'PY'
import json, os, shutil, sys
work = sys.argv[1]
shutil.copytree("tests/fixtures/trafficops", os.path.join(work, "fixtures"))
swap = {"198.51.100.10/24": "127.0.0.21/8", "198.51.100.20/24": "127.0.0.22/8",
        "192.0.2.11/24": "127.0.0.31/8", "203.0.113.11/24": "127.0.0.32/8"}
for name in ("servers.json", "servers-v5.json"):
    path = os.path.join(work, "fixtures", name)
    body = json.load(open(path))
    for server in body["response"]:
        for interface in server["interfaces"]:
            for address in interface["ipAddresses"]:
                address["address"] = swap.get(address["address"], address["address"])
                address["gateway"] = None
    json.dump(body, open(path, "w"), indent=1)
czf = json.load(open("tests/fixtures/trafficops/czf.json"))
czf["coverageZones"]["amt-us-east"]["network"].append("127.0.0.2/32")
czf["coverageZones"]["amt-us-west"]["network"].append("127.0.0.3/32")
json.dump(czf, open(os.path.join(work, "czf.json"), "w"), indent=1)
config = {
    "listen": ["127.0.0.1:5353"],
    "zones": [{"origin": "100.51.198.in-addr.arpa.",
               "soa": {"mname": "ns1.driad.example.", "rname": "hostmaster.driad.example."},
               "ns": ["ns1.driad.example."]}],
    "sources": [{"prefix": "198.51.100.0/25", "relay_group": "amt-us-east"},
                {"prefix": "198.51.100.128/25", "relay_group": "amt-us-west"}],
    "relay_groups": [],
    "policy": {"hold_up_s": 5, "degraded_ttl": 5},
    "traffic_ops": {"url": "http://127.0.0.1:38080", "api_version": "4.0", "cdn": "mcast-cdn",
                    "poll_interval_s": 5, "cache_file": os.path.join(work, "topology-cache.json"),
                    "gateway": {"probe_port": 2268}},
    "coverage_zone_file": os.path.join(work, "czf.json"),
    "ecs": True,
    "admin": {"listen": "127.0.0.1:8053"},
}
json.dump(config, open(os.path.join(work, "driad.json"), "w"), indent=1)
PY

start() {  # start NAME ARGS...: in the background, its log in $work/NAME.log
  local name=$1
  shift
  "$@" >"$work/$name.log" 2>&1 &
  pids+=($!)
}
start to-sim "$bin/to-sim" --listen 127.0.0.1:38080 --fixtures "$work/fixtures" --user demo --password demo
start mx-east "$bin/mx-sim" --listen 127.0.0.21:32767 --control 127.0.0.1:32781 --anycast 192.0.2.1 --tunnels 10
start mx-west "$bin/mx-sim" --listen 127.0.0.22:32767 --control 127.0.0.1:32782 --anycast 203.0.113.1 --tunnels 10
start gw-east "$bin/amt-responder" --listen 127.0.0.31:2268 --control 127.0.0.1:32791
start gw-west "$bin/amt-responder" --listen 127.0.0.32:2268 --control 127.0.0.1:32792
sleep 1

cat <<TRY

driadd is starting on 127.0.0.1:5353 with Traffic Ops at http://127.0.0.1:38080
(to-sim), MXes (mx-sim) on 127.0.0.21/22:32767 and gateways (amt-responder) on
127.0.0.31/32:2268. Logs and files: $work. Try, in another shell:
  dig @127.0.0.1 -p 5353 -x 198.51.100.12 -t AMTRELAY                        # amt-us-east's relays
  dig @127.0.0.1 -p 5353 -x 198.51.100.200 -t AMTRELAY                       # amt-us-west's relays
  dig @127.0.0.1 -p 5353 -b 127.0.0.3 -x 198.51.100.12 -t AMTRELAY           # a west client: west's relays
  dig @127.0.0.1 -p 5353 -x 198.51.100.12 -t AMTRELAY +subnet=100.65.0.0/24  # ECS in west's zone
  echo 'oper-status DOWN' > /dev/tcp/127.0.0.1/32781; echo 'mode silent' > /dev/tcp/127.0.0.1/32791
  dig @127.0.0.1 -p 5353 -b 127.0.0.2 -x 198.51.100.12 -t AMTRELAY           # east is down: its fallback, west
  curl -s -X POST -d error500 http://127.0.0.1:38080/_sim/mode               # Traffic Ops fails: answers hold
  $bin/driadctl status                                               # what driad answers and why
  TO_USER=demo TO_PASSWORD=demo $bin/driadctl verify                 # the node check: DNS, gNMI, AMT, Traffic Ops
Ctrl-C stops everything.

TRY
TO_USER=demo TO_PASSWORD=demo "$bin/driadd" --config "$work/driad.json" &
pids+=($!)
wait "${pids[-1]}"
