#!/usr/bin/env bash
# From a clean clone to a running `driadd --demo` on 127.0.0.1:5353: installs
# what is missing, builds (Release) into build/, runs in the foreground.
# `demo.sh --traffic-ops`: the Traffic Ops demo instead (scripts/demo-traffic-ops.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh build demo
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DDRIAD_BUILD_TESTS=OFF -DDRIAD_WERROR=OFF
if [[ "${1:-}" == --traffic-ops ]]; then
  cmake --build build -j"$(nproc)" --target driadd to-sim mx-sim amt-responder
  exec scripts/demo-traffic-ops.sh
fi
cmake --build build -j"$(nproc)" --target driadd
cat <<'TRY'

driadd --demo is starting on 127.0.0.1:5353 and [::1]:5353, with a simulated MX
(gNMI 127.0.0.1:32767, control 127.0.0.1:32768). Try, in another shell:
  dig @127.0.0.1 -p 5353 -x 198.51.100.12 -t AMTRELAY        # the live group: MX first once it has been up 5 s
  echo 'oper-status DOWN' > /dev/tcp/127.0.0.1/32768         # fail the MX: the gateway alone at once
  echo 'oper-status UP' > /dev/tcp/127.0.0.1/32768           # recover: MX first again after 5 s
  echo 'tunnels 3600' > /dev/tcp/127.0.0.1/32768             # load over the watermark: spill
  dig @127.0.0.1 -p 5353 -x 198.51.100.200 -t AMTRELAY       # a static /25 with all relay types
  dig @::1 -p 5353 -x 2001:db8:dead::1 -t AMTRELAY            # type 0: no relay
  dig @127.0.0.1 -p 5353 -x 198.51.100.12 -t AMTRELAY +tcp   # the same over TCP
  kdig @127.0.0.1 -p 5353 -x 198.51.100.12 -t TYPE260
driadd logs each decision and why. Ctrl-C stops it; build/bin/driadd --demo --print-config prints its config.

TRY
exec build/bin/driadd --demo
