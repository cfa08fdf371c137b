#!/usr/bin/env python3
"""Generates one DRIAD workload for all three servers: a driad JSON config,
RFC 3597 zone files for NSD and Knot, and a dnsperf query file.

N source addresses, half IPv4 under 10.in-addr.arpa. (driad: /32 sources),
half IPv6 under 8.b.d.0.1.0.0.2.ip6.arpa. (driad: /128 sources). Source i is
served by relay group i % G; every group has two AMTRELAY relays, precedence 10
and 20, D-bit 0, relay types alternating IPv4/IPv6 between groups. The zone
files spell exactly those relay sets at the same names, with the same TTL
(policy.ttl), SOA and NS, so the three servers hold the same data. Zone files
use `TYPE260 \\# len hex` (RFC 3597): neither NSD 4.6 nor Knot 3.2 knows the
AMTRELAY mnemonic.

Query mix (seeded, so repeatable): 90% AMTRELAY at existing names, 5% AMTRELAY
at names that do not exist (NXDOMAIN, both zones), 5% other qtypes (A at an
existing name: NODATA; SOA at the apex).

--sources-file writes the sources in driad's compact form (one `prefix
relay_group` per line); --file-config, --file-alt-config and
--file-health-config write the three configs below naming that file in
`sources_file` instead of holding the `sources` array (the health one keeps
its live source in a one-entry array: both may be given).

--alt-config writes a second driad config that differs only in policy.ttl
(+1): compare.sh swaps between the two and sends SIGHUP to make driad reload
an edited config. --health-config adds one live relay group ("live": an MX at
127.0.0.1:@GNMI_PORT@, to be filled in, and a gateway; hold_up_s 0) serving
10.254.0.0/16: compare.sh flips the MX's oper-status in mx-sim every second, and
every flip makes driad rebuild its whole snapshot.
"""
import argparse
import ipaddress
import json
import os
import random

V4ZONE = "10.in-addr.arpa."
V6ZONE = "8.b.d.0.1.0.0.2.ip6.arpa."
MNAME, RNAME, NS = "ns1.bench.example.", "hostmaster.bench.example.", "ns1.bench.example."
ZONE_TTL, SOA_REFRESH, SOA_RETRY, SOA_EXPIRE, SOA_MINIMUM = 3600, 3600, 600, 86400, 30


def v4_source(i):
    return 0x0A000001 + i * 7


def v6_source(i):
    return (0x20010DB8 << 96) + (i + 1) * 0x10001


# Text by hand: the ipaddress module is too slow for a million names.
def v4_text(address):
    return f"{address >> 24}.{address >> 16 & 255}.{address >> 8 & 255}.{address & 255}"


def v6_text(address):
    return ":".join(f"{address >> shift & 0xFFFF:x}" for shift in range(112, -16, -16))


def v4_reverse(address):
    return f"{address & 255}.{address >> 8 & 255}.{address >> 16 & 255}.{address >> 24}.in-addr.arpa."


def v6_reverse(address):
    return ".".join(f"{address:032x}"[::-1]) + ".ip6.arpa."


def group_relays(g):
    """The two relays of group g as (precedence, type, address) triples."""
    a = ipaddress.IPv4Address(f"198.51.100.{g % 250 + 1}")
    b = ipaddress.IPv6Address(f"2001:db8:ffff::{g + 1:x}")
    return [(10, 1, a), (20, 2, b)] if g % 2 == 0 else [(10, 2, b), (20, 1, a)]


def presentation(relay):
    precedence, rtype, address = relay
    return f"{precedence} 0 {rtype} {address}"


def rfc3597(relay):
    precedence, rtype, address = relay
    wire = bytes([precedence, rtype]) + address.packed
    return f"TYPE260 \\# {len(wire)} {wire.hex()}"


def relative_owner(reverse, origin):
    return reverse[: -len(origin) - 1]


def zone_config(origin):
    return {
        "origin": origin,
        "soa": {"mname": MNAME, "rname": RNAME, "serial": 1, "refresh": SOA_REFRESH,
                "retry": SOA_RETRY, "expire": SOA_EXPIRE, "minimum": SOA_MINIMUM},
        "ns": [NS],
        "ttl": ZONE_TTL,
    }


def source_pairs(args):
    """(prefix text, relay group name) of every source, in order."""
    half = args.n // 2
    pairs = [(f"{v4_text(v4_source(i))}/32", f"g{i % args.groups}") for i in range(half)]
    pairs += [(f"{v6_text(v6_source(i))}/128", f"g{(half + i) % args.groups}")
              for i in range(args.n - half)]
    return pairs


def sources_json(pairs):
    """The `sources` array as JSON text, written by hand for speed."""
    return "[" + ",".join(f'{{"prefix":"{p}","relay_group":"{g}"}}' for p, g in pairs) + "]"


def write_sources_file(path, pairs):
    """driad's compact sources file: one `prefix relay_group` per line."""
    with open(path, "w") as out:
        out.write(f"# {len(pairs)} sources, written by gen_workload.py\n")
        out.write("".join(f"{p} {g}\n" for p, g in pairs))


LIVE_SOURCE = {"prefix": "10.254.0.0/16", "relay_group": "live"}
LIVE_GROUP = {
    "name": "live",
    "mx": {"relay": "192.0.2.1", "gnmi_target": "127.0.0.1:@GNMI_PORT@", "max_tunnels": 100},
    "gateways": [{"relay": "192.0.2.11", "probe": False}],
}


def write_config(path, args, ttl, sources, live=False, sources_file=None):
    """`sources`: the JSON array text; or with `sources_file` (an absolute
    path) the config names that file instead, and `sources` is "[]"."""
    groups = [{"name": f"g{g}", "relays": [presentation(r) for r in group_relays(g)]}
              for g in range(args.groups)]
    policy = {"ttl": ttl}
    if live:
        groups.append(LIVE_GROUP)
        policy["hold_up_s"] = 0
        live_text = json.dumps(LIVE_SOURCE, separators=(",", ":"))
        sources = "[" + live_text + ("]" if sources == "[]" else "," + sources[1:])
    config = {
        "listen": [f"127.0.0.1:{args.port}"],
        "threads": args.threads,
        "zones": [zone_config(V4ZONE), zone_config(V6ZONE)],
        "sources": "@SOURCES@",
        "relay_groups": groups,
        "policy": policy,
    }
    if sources_file:
        config["sources_file"] = sources_file
        if sources == "[]":
            del config["sources"]
    text = json.dumps(config, separators=(",", ":"))
    with open(path, "w") as out:
        out.write(text.replace('"@SOURCES@"', sources))


def write_zone(path, origin, owners, args):
    rdata = [[rfc3597(r) for r in group_relays(g)] for g in range(args.groups)]
    with open(path, "w") as out:
        out.write(f"$ORIGIN {origin}\n$TTL {ZONE_TTL}\n")
        out.write(f"@ {ZONE_TTL} IN SOA {MNAME} {RNAME} 1 {SOA_REFRESH} {SOA_RETRY} "
                  f"{SOA_EXPIRE} {SOA_MINIMUM}\n@ {ZONE_TTL} IN NS {NS}\n")
        chunk = []
        for owner, g in owners:
            first, second = rdata[g]
            chunk.append(f"{owner} {args.ttl} IN {first}\n{owner} {args.ttl} IN {second}\n")
            if len(chunk) >= 10000:
                out.write("".join(chunk))
                chunk = []
        out.write("".join(chunk))


def write_queries(path, args):
    half = args.n // 2
    rng = random.Random(8777)

    def existing():
        i = rng.randrange(args.n)
        return v4_reverse(v4_source(i)) if i < half else v6_reverse(v6_source(i - half))

    with open(path, "w") as out:
        for _ in range(args.queries):
            roll = rng.random()
            if roll < 0.90:
                out.write(f"{existing()} TYPE260\n")
            elif roll < 0.925:  # 10.255.0.0/16 and 2001:db8:ffff:ffff::/64 hold no source
                out.write(f"{rng.randrange(256)}.{rng.randrange(256)}.255.10.in-addr.arpa. TYPE260\n")
            elif roll < 0.95:
                address = (0x20010DB8FFFFFFFF << 64) + rng.getrandbits(64)
                out.write(f"{v6_reverse(address)} TYPE260\n")
            elif roll < 0.975:
                out.write(f"{existing()} A\n")
            else:
                out.write(f"{rng.choice([V4ZONE, V6ZONE])} SOA\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=10000, help="source addresses in all")
    parser.add_argument("--groups", type=int, default=16, help="static relay groups")
    parser.add_argument("--ttl", type=int, default=60, help="AMTRELAY TTL (driad: policy.ttl)")
    parser.add_argument("--port", type=int, default=25303, help="driad's listen port")
    parser.add_argument("--threads", type=int, default=1, help="driad's query threads")
    parser.add_argument("--queries", type=int, default=200000)
    parser.add_argument("--config", help="driad JSON config to write")
    parser.add_argument("--alt-config", help="the same config with policy.ttl + 1")
    parser.add_argument("--health-config", help="the same config with a live group added")
    parser.add_argument("--sources-file", help="driad's compact sources file to write")
    parser.add_argument("--file-config", help="--config, naming --sources-file (no JSON array)")
    parser.add_argument("--file-alt-config", help="--alt-config, naming --sources-file")
    parser.add_argument("--file-health-config", help="--health-config, naming --sources-file")
    parser.add_argument("--zone-dir", help="where to write <origin>zone for NSD and Knot")
    parser.add_argument("--query-file", help="dnsperf query file to write")
    args = parser.parse_args()
    if args.n < 2 or args.groups < 1:
        parser.error("--n must be at least 2 and --groups at least 1")

    file_configs = (args.file_config, args.file_alt_config, args.file_health_config)
    if any(file_configs) and not args.sources_file:
        parser.error("--file-config, --file-alt-config and --file-health-config need --sources-file")
    pairs = source_pairs(args)
    if args.config or args.alt_config or args.health_config:
        sources = sources_json(pairs)
        if args.config:
            write_config(args.config, args, args.ttl, sources)
        if args.alt_config:
            write_config(args.alt_config, args, args.ttl + 1, sources)
        if args.health_config:
            write_config(args.health_config, args, args.ttl, sources, live=True)
    if args.sources_file:
        write_sources_file(args.sources_file, pairs)
        # Absolute: compare.sh serves the configs through symlinks and copies
        # elsewhere, and a relative sources_file is read from the config's dir.
        named = os.path.abspath(args.sources_file)
        if args.file_config:
            write_config(args.file_config, args, args.ttl, "[]", sources_file=named)
        if args.file_alt_config:
            write_config(args.file_alt_config, args, args.ttl + 1, "[]", sources_file=named)
        if args.file_health_config:
            write_config(args.file_health_config, args, args.ttl, "[]", live=True,
                         sources_file=named)
    if args.zone_dir:
        os.makedirs(args.zone_dir, exist_ok=True)
        half = args.n // 2
        v4 = ((relative_owner(v4_reverse(v4_source(i)), V4ZONE), i % args.groups)
              for i in range(half))
        v6 = ((relative_owner(v6_reverse(v6_source(i)), V6ZONE), (half + i) % args.groups)
              for i in range(args.n - half))
        write_zone(os.path.join(args.zone_dir, V4ZONE + "zone"), V4ZONE, v4, args)
        write_zone(os.path.join(args.zone_dir, V6ZONE + "zone"), V6ZONE, v6, args)
    if args.query_file:
        write_queries(args.query_file, args)


if __name__ == "__main__":
    main()
