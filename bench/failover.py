#!/usr/bin/env python3
"""Failover latency: from writing a command to mx-sim's control port to the
first DNS answer from driadd that reflects it.

Starts mx-sim (plaintext gNMI, 127.0.0.1, free ports) and driadd with one live
group (MX 192.0.2.1, an unprobed gateway 192.0.2.11, hold_up_s 0 so that every
change, up or down, takes effect at once). One client queries driadd over UDP
in a tight loop (raw DNS packets from a Python socket). For each change it
writes the command, keeps querying, and stops the clock at the first reply
whose AMTRELAY set is the new one. Changes alternate:
  --change oper-status   `oper-status DOWN` (gateway only) / `oper-status UP` (MX first)
  --change tunnels       `tunnels 90` of 100 (spill) / `tunnels 10` (MX first)
Prints every figure and `RESULT failover_ms p50=.. p99=.. max=.. n=..`.
Bounded: --changes (default 100), --timeout per change (2 s), --budget for the
whole run (90 s); only 127.0.0.1.

    python3 bench/failover.py [--driadd build/bin/driadd] [--mx-sim build/bin/mx-sim] \\
        [--change oper-status|tunnels] [--changes 100]
"""

import argparse
import math
import os
import random
import socket
import struct
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "integration"))
import driad_harness as h  # noqa: E402  (free ports, Driad, Helper, DNS wire helpers)

MX, GW = "192.0.2.1", "192.0.2.11"
MX_FIRST = (f"10 0 1 {MX}", f"20 0 1 {GW}")
GATEWAY_ONLY = (f"20 0 1 {GW}",)
SPILL = (f"10 0 1 {MX}", f"10 0 1 {GW}")
QNAME = "12.100.51.198.in-addr.arpa."

CHANGES = {
    # (command, expected answer) pairs, alternated; the first one is a fault.
    "oper-status": [("oper-status DOWN", GATEWAY_ONLY), ("oper-status UP", MX_FIRST)],
    "tunnels": [("tunnels 90", SPILL), ("tunnels 10", MX_FIRST)],
}


def config(gnmi_port):
    return {
        "listen": [], "threads": 1,
        "zones": [h.zone("100.51.198.in-addr.arpa.")],
        "sources": [{"prefix": "198.51.100.0/24", "relay_group": "east"}],
        "relay_groups": [{
            "name": "east",
            "mx": {"relay": MX, "gnmi_target": f"127.0.0.1:{gnmi_port}", "max_tunnels": 100},
            "gateways": [{"relay": GW, "probe": False}],
        }],
        "policy": {"ttl": 30, "degraded_ttl": 1, "hold_up_s": 0, "stale_after_ms": 3000,
                   "high_watermark": 0.85, "low_watermark": 0.70, "overload_mode": "spill"},
    }


class Client:
    """A connected UDP socket that asks QNAME AMTRELAY with a fresh id each time."""

    def __init__(self, port):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.connect(("127.0.0.1", port))
        self.sock.settimeout(0.2)
        self.qid = 0
        self.queries = 0
        self.lost = 0

    def ask(self):
        """The answer's AMTRELAY rdatas (a tuple) and the monotonic time of the
        reply, or (None, now) after 200 ms without one."""
        self.qid = (self.qid + 1) & 0xFFFF
        self.queries += 1
        self.sock.send(h.build_query(QNAME, qid=self.qid))
        while True:
            try:
                data = self.sock.recv(2048)
            except socket.timeout:
                self.lost += 1
                return None, time.monotonic()
            now = time.monotonic()
            if struct.unpack("!H", data[:2])[0] != self.qid:
                continue  # a late reply to an earlier query
            message = h.Message(data)
            return tuple(h.amtrelay_text(r.rdata) for r in message.answer if r.type == 260), now


def percentile(sorted_values, p):
    """Nearest rank."""
    rank = max(1, math.ceil(p / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


def wait_for(client, expected, deadline):
    while time.monotonic() < deadline:
        answer, at = client.ask()
        if answer == expected:
            return at
    return None


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    root = os.path.join(HERE, "..")
    parser.add_argument("--driadd", default=os.path.join(root, "build", "bin", "driadd"))
    parser.add_argument("--mx-sim", default=os.path.join(root, "build", "bin", "mx-sim"))
    parser.add_argument("--change", choices=sorted(CHANGES), default="oper-status")
    parser.add_argument("--changes", type=int, default=100, help="number of changes (at least 50 advised)")
    parser.add_argument("--timeout", type=float, default=2.0, help="seconds per change before it counts as missed")
    parser.add_argument("--budget", type=float, default=90.0, help="seconds for the whole run")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if not 1 <= args.changes <= 10000:
        parser.error("--changes must be 1..10000")
    h.DRIADD = os.path.abspath(args.driadd)
    random.seed(args.seed)

    mx = h.Helper(os.path.abspath(args.mx_sim), ["--listen", "127.0.0.1:0", "--control", "127.0.0.1:0",
                                                 "--anycast", MX, "--tunnels", "10", "--quiet"], "mx-sim").start()
    driad = None
    try:
        driad = h.Driad(config(mx.ports["gnmi"]), hosts=("127.0.0.1",), extra_args=["--log-level", "warn"])
        driad.start()
        client = Client(driad.port)
        run_deadline = time.monotonic() + args.budget
        if wait_for(client, MX_FIRST, time.monotonic() + 10) is None:
            sys.exit(f"driadd never answered MX first:\n{driad.log()[-3000:]}")

        control = socket.create_connection(("127.0.0.1", mx.ports["control"]), timeout=2)
        control.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        reader = control.makefile("rb")
        steps = CHANGES[args.change]
        latencies, missed = [], 0
        for i in range(args.changes):
            if time.monotonic() > run_deadline:
                print(f"budget of {args.budget} s used up after {i} changes", file=sys.stderr)
                break
            command, expected = steps[i % 2]
            # Settle: query for 20-60 ms in the current state first.
            settle_until = time.monotonic() + random.uniform(0.02, 0.06)
            while time.monotonic() < settle_until:
                client.ask()
            sent = time.monotonic()
            control.sendall(command.encode() + b"\n")
            seen = wait_for(client, expected, sent + args.timeout)
            reply = reader.readline().strip()
            if reply != b"ok":
                sys.exit(f"mx-sim {command!r}: {reply!r}")
            if seen is None:
                missed += 1
                print(f"change {i}: {command!r} not reflected within {args.timeout} s", file=sys.stderr)
                # Make sure the state is the expected one before going on.
                if wait_for(client, expected, time.monotonic() + 5) is None:
                    sys.exit("driadd stopped following mx-sim")
                continue
            latencies.append((seen - sent) * 1000)
        control.close()

        if not latencies:
            sys.exit("no change was reflected")
        ordered = sorted(latencies)
        p50, p99, worst = percentile(ordered, 50), percentile(ordered, 99), ordered[-1]
        down = sorted(latencies[0::2])
        up = sorted(latencies[1::2])
        print(f"failover latency, command written to mx-sim -> first DNS answer reflecting it "
              f"({args.change}, hold_up_s 0)")
        print(f"  changes {len(latencies)} reflected, {missed} missed; {client.queries} queries, "
              f"{client.lost} lost")
        print(f"  all   p50 {p50:7.2f} ms  p99 {p99:7.2f} ms  max {worst:7.2f} ms  "
              f"min {ordered[0]:.2f} ms  mean {sum(ordered) / len(ordered):.2f} ms")
        for label, part in ((steps[0][0], down), (steps[1][0], up)):
            if part:
                print(f"  {label:<18} p50 {percentile(part, 50):7.2f} ms  p99 {percentile(part, 99):7.2f} ms  "
                      f"max {part[-1]:7.2f} ms  n {len(part)}")
        print(f"RESULT failover_ms p50={p50:.2f} p99={p99:.2f} max={worst:.2f} n={len(latencies)}")
        return 0 if missed == 0 else 1
    finally:
        if driad is not None:
            driad.cleanup()
        mx.cleanup()


if __name__ == "__main__":
    sys.exit(main())
