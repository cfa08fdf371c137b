#!/usr/bin/env bash
# From a clean clone to a running `driadd --demo` on 127.0.0.1:5353: installs
# what is missing, builds (Release) into build/, runs in the foreground.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh build
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DDRIAD_BUILD_TESTS=OFF
cmake --build build -j"$(nproc)" --target driadd
cat <<'TRY'

driadd --demo is starting on 127.0.0.1:5353 and [::1]:5353. Try, in another shell:
  dig @127.0.0.1 -p 5353 -x 198.51.100.12 -t AMTRELAY        # MX relay first, gateway second
  dig @127.0.0.1 -p 5353 -x 198.51.100.200 -t AMTRELAY       # a /25 with all relay types
  dig @::1 -p 5353 -x 2001:db8:dead::1 -t AMTRELAY            # type 0: no relay
  dig @127.0.0.1 -p 5353 -x 198.51.100.12 -t AMTRELAY +tcp   # the same over TCP
  dig @127.0.0.1 -p 5353 100.51.198.in-addr.arpa SOA
  kdig @127.0.0.1 -p 5353 -x 198.51.100.12 -t TYPE260
Ctrl-C stops it; build/bin/driadd --demo --print-config prints its config.

TRY
exec build/bin/driadd --demo
