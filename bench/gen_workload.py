#!/usr/bin/env python3
"""Generates a DRIAD workload for driad: a JSON config and a dnsperf query file.

N source prefixes, half IPv4 /32 under 10.in-addr.arpa., half IPv6 /128 under
8.b.d.0.1.0.0.2.ip6.arpa., each with its own relay group of two AMTRELAY
relays (precedence 10 and 20, relay types alternating IPv4/IPv6), the same
shape as ../shared/bench/run-baseline.sh gives NSD and Knot. The query mix:
90% existing names (AMTRELAY), 5% NXDOMAIN, 5% other qtypes (A at an existing
name: NODATA; SOA at the apex). Seeded, so runs are repeatable.
"""
import argparse
import ipaddress
import json
import random

V4ZONE = "10.in-addr.arpa."
V6ZONE = "8.b.d.0.1.0.0.2.ip6.arpa."


def v4_source(i):
    return ipaddress.IPv4Address(0x0A000000 + 1 + i * 7)


def v6_source(i):
    return ipaddress.IPv6Address((0x20010DB8 << 96) + (i + 1) * 0x10001)


def relays(i):
    a = f"203.0.{(i >> 8) & 255}.{i & 255}"
    b = f"2001:db8:ffff::{i & 0xffff:x}"
    first, second = (f"10 0 1 {a}", f"20 0 2 {b}") if i % 2 == 0 else (f"10 0 2 {b}", f"20 0 1 {a}")
    return [first, second]


def zone(origin):
    return {
        "origin": origin,
        "soa": {"mname": "ns1.bench.example.", "rname": "hostmaster.bench.example.", "serial": 1,
                "refresh": 3600, "retry": 600, "expire": 86400, "minimum": 30},
        "ns": ["ns1.bench.example."],
        "ttl": 3600,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=10000, help="source prefixes in all")
    parser.add_argument("--port", type=int, default=25303)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--queries", type=int, default=100000)
    parser.add_argument("--config", required=True)
    parser.add_argument("--query-file", required=True)
    args = parser.parse_args()

    half = args.n // 2
    sources, groups, names = [], [], []
    for i in range(args.n):
        if i < half:
            address = v4_source(i)
            sources.append({"prefix": f"{address}/32", "relay_group": f"g{i}"})
        else:
            address = v6_source(i - half)
            sources.append({"prefix": f"{address}/128", "relay_group": f"g{i}"})
        groups.append({"name": f"g{i}", "relays": relays(i)})
        names.append(address.reverse_pointer + ".")
    config = {
        "listen": [f"127.0.0.1:{args.port}"],
        "threads": args.threads,
        "zones": [zone(V4ZONE), zone(V6ZONE)],
        "sources": sources,
        "relay_groups": groups,
        "policy": {"ttl": 60},
    }
    with open(args.config, "w") as out:
        json.dump(config, out)

    rng = random.Random(8777)
    with open(args.query_file, "w") as out:
        for q in range(args.queries):
            roll = rng.random()
            if roll < 0.90:
                out.write(f"{rng.choice(names)} TYPE260\n")
            elif roll < 0.95:
                out.write(f"{rng.randrange(1, 255)}.{rng.randrange(0, 255)}.255.10.in-addr.arpa. TYPE260\n")
            elif roll < 0.975:
                out.write(f"{rng.choice(names)} A\n")
            else:
                out.write(f"{rng.choice([V4ZONE, V6ZONE])} SOA\n")


if __name__ == "__main__":
    main()
