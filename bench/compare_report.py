#!/usr/bin/env python3
"""Turns compare.sh's raw figures into one table and RESULT lines.

Every figure is the median over the repetitions. CPU per query is the server's
utime + stime (its whole process tree, all threads, from /proc/PID/stat) over
a dnsperf run, divided by the queries answered in that run. The ratio columns
are driad's figure divided by the peer's, for every figure: above 1 is better
for qps, below 1 is better for CPU, latency, memory and time.

`floor` (when run) is bench/udp_floor: driad's socket loop with no DNS work,
so its CPU per query is the kernel's share alone, and each server's figure
"above the floor" is what its own code costs. The client CPU is dnsperf's
(cutime + cstime of the subshell that waited for it): near 100% of its core
while the server has time to spare, the load generator is the limit.

    compare_report.py --runs runs.csv --starts starts.csv --extra extra.csv \\
        [--sighup-log driad.log] [--health-log driad.log] [--primary-pin pin] \\
        [--n 10000] [--big-n 1000000] [--lat-qps 20000] [--servers "driad nsd knot"]
"""
import argparse
import csv
import re
import statistics
from datetime import datetime

PIN_NAMES = {"none": "unpinned", "pin": "pinned"}


def number(text):
    try:
        return float(text)
    except (TypeError, ValueError):
        return None


def size_suffix(n):
    if n % 1_000_000 == 0:
        return f"{n // 1_000_000}m"
    if n % 1000 == 0:
        return f"{n // 1000}k"
    return str(n)


class Figures:
    """Rows of (label, result name, {server: [samples]}) in the order added."""

    def __init__(self, servers):
        self.servers = servers
        self.rows = []

    def add(self, label, name, samples):
        if any(samples.get(s) for s in self.servers):
            self.rows.append((label, name, samples))


def cpu_us_per_query(run):
    completed = number(run["completed"])
    ticks, hz = number(run["cpu_ticks"]), number(run["hz"])
    if not completed or ticks is None or not hz:
        return None
    return ticks / hz * 1e6 / completed


def cpu_percent(run):
    ticks, hz, seconds = number(run["cpu_ticks"]), number(run["hz"]), number(run["seconds"])
    if ticks is None or not hz or not seconds:
        return None
    return ticks / hz / seconds * 100


def client_cpu_percent(run):
    ticks, hz, seconds = number(run.get("client_ticks")), number(run["hz"]), number(run["seconds"])
    if ticks is None or not hz or not seconds:
        return None
    return ticks / hz / seconds * 100


def above_floor(per_server):
    """Each server's samples less the floor's median (the floor's own row left out)."""
    floor = median(per_server.get("floor", []))
    if floor is None:
        return {}
    return {s: [v - floor for v in values] for s, values in per_server.items() if s != "floor"}


def lost_percent(run):
    completed, lost = number(run["completed"]), number(run["lost"])
    if completed is None or lost is None or completed + lost == 0:
        return None
    return lost / (completed + lost) * 100


def samples(rows, servers, value, **match):
    out = {s: [] for s in servers}
    for row in rows:
        if all(row.get(k) == v for k, v in match.items()) and row["server"] in out:
            v = value(row)
            if v is not None:
                out[row["server"]].append(v)
    return out


def field(name):
    return lambda row: number(row[name])


def rebuild_figures(path, run_end):
    """From driad's log of a rebuild run: snapshots published and reloads
    rejected before `run_end` (the end of the dnsperf run, epoch seconds), and the
    medians of reload time (SIGHUP to applied) and snapshot build time."""
    try:
        with open(path) as log:
            lines = log.read().splitlines()
    except OSError:
        return {}

    def stamp(line):
        try:
            return datetime.strptime(line.split()[0], "%Y-%m-%dT%H:%M:%S.%f%z").timestamp()
        except (IndexError, ValueError):
            return None

    published, rejected, reload_ms, build_ms, start = 0, 0, [], [], None
    for line in lines:
        when = stamp(line)
        in_run = run_end is None or (when is not None and when <= run_end)
        if "SIGHUP: reloading" in line:
            start = when
        elif re.search(r"reload: config .* applied", line) and start is not None:
            if when is not None:
                reload_ms.append((when - start) * 1000)
            start = None
        elif "reload rejected" in line and in_run:
            rejected += 1
        match = re.search(r"published: .* built in ([0-9.]+) ms", line)
        if match:
            published += 1 if in_run else 0
            build_ms.append(float(match.group(1)))
    return {"published": [published], "rejected": [rejected],
            "reload_ms": [statistics.median(reload_ms)] if reload_ms else [],
            "build_ms": [statistics.median(build_ms)] if build_ms else []}


def format_value(v):
    if v is None:
        return "n/a"
    if v == int(v) and abs(v) < 1e15:
        return f"{int(v)}"
    if v >= 1000:
        return f"{v:.0f}"
    if v >= 10:
        return f"{v:.1f}"
    return f"{v:.2f}"


def median(values):
    return statistics.median(values) if values else None


def print_report(figures, servers):
    peers = [s for s in servers if s != "driad"]
    head = ["figure"] + servers + [f"driad/{p}" for p in peers if "driad" in servers] + ["spread %"]
    table = []
    for label, _, per_server in figures.rows:
        medians = {s: median(per_server.get(s, [])) for s in servers}
        row = [label] + [format_value(medians[s]) for s in servers]
        if "driad" in servers:
            for p in peers:
                d, v = medians["driad"], medians[p]
                row.append(f"{d / v:.2f}" if d is not None and v else "n/a")
        spreads = [(max(v) - min(v)) / statistics.median(v) * 100
                   for v in per_server.values() if len(v) > 1 and statistics.median(v)]
        row.append(f"{max(spreads):.0f}" if spreads else "")
        table.append(row)
    widths = [max(len(r[i]) for r in [head] + table) for i in range(len(head))]
    print("| " + " | ".join(h.ljust(w) for h, w in zip(head, widths)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for row in table:
        print("| " + " | ".join(c.ljust(w) for c, w in zip(row, widths)) + " |")
    print()
    for label, name, per_server in figures.rows:
        values = " ".join(f"{s}={format_value(median(per_server.get(s, [])))}" for s in servers)
        print(f"RESULT {name} {values}")


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", required=True)
    parser.add_argument("--starts", required=True)
    parser.add_argument("--extra", required=True)
    parser.add_argument("--sighup-log")
    parser.add_argument("--health-log")
    parser.add_argument("--primary-pin", default="pin")
    parser.add_argument("--n", type=int, default=10000)
    parser.add_argument("--big-n", type=int, default=1000000)
    parser.add_argument("--lat-qps", default="20000")
    parser.add_argument("--servers", default="driad nsd knot")
    args = parser.parse_args()

    servers = args.servers.split()
    runs = list(csv.DictReader(open(args.runs)))
    starts = list(csv.DictReader(open(args.starts)))
    extra = {}
    for row in csv.DictReader(open(args.extra)):
        extra.setdefault(row["name"], []).append(float(row["value"]))
    def end(name):
        return extra[name][-1] if extra.get(name) else None

    sighup = rebuild_figures(args.sighup_log, end("sighup_end")) if args.sighup_log else {}
    health = rebuild_figures(args.health_log, end("health_end")) if args.health_log else {}
    small, big = size_suffix(args.n), size_suffix(args.big_n)
    pins = sorted({r["pin"] for r in runs if r["phase"] == "main"},
                  key=lambda p: p != args.primary_pin)
    f = Figures(servers)

    def driad_only(label, name, values):
        f.add(label, name, {"driad": values})

    for pin in pins:
        tag = "" if pin == args.primary_pin else "_" + PIN_NAMES.get(pin, pin)
        where = f"{small}, {PIN_NAMES.get(pin, pin)}"
        main = dict(phase="main", pin=pin)
        f.add(f"UDP max qps ({where})", f"udp_max_qps{tag}",
              samples(runs, servers, field("qps"), kind="udp_max", **main))
        f.add(f"TCP max qps ({where})", f"tcp_max_qps{tag}",
              samples(runs, servers, field("qps"), kind="tcp_max", **main))
        udp_cpu = samples(runs, servers, cpu_us_per_query, kind="udp_max", **main)
        f.add(f"UDP CPU us/query, max rate ({where})", f"udp_cpu_us_per_query{tag}", udp_cpu)
        f.add(f"  of which above the floor ({where})", f"udp_cpu_us_above_floor{tag}",
              above_floor(udp_cpu))
        f.add(f"TCP CPU us/query, max rate ({where})", f"tcp_cpu_us_per_query{tag}",
              samples(runs, servers, cpu_us_per_query, kind="tcp_max", **main))
        f.add(f"UDP server CPU %, max rate ({where})", f"udp_server_cpu_percent{tag}",
              samples(runs, servers, cpu_percent, kind="udp_max", **main))
        f.add(f"UDP client (dnsperf) CPU %, max rate ({where})", f"udp_client_cpu_percent{tag}",
              samples(runs, servers, client_cpu_percent, kind="udp_max", **main))
        f.add(f"TCP server CPU %, max rate ({where})", f"tcp_server_cpu_percent{tag}",
              samples(runs, servers, cpu_percent, kind="tcp_max", **main))
        f.add(f"UDP lost %, max rate ({where})", f"udp_lost_percent{tag}",
              samples(runs, servers, lost_percent, kind="udp_max", **main))
        fixed = dict(kind="udp_fixed", **main)
        fixed_cpu = samples(runs, servers, cpu_us_per_query, **fixed)
        f.add(f"UDP CPU us/query at {args.lat_qps} qps ({where})", f"udp_cpu_us_per_query_fixed_rate{tag}",
              fixed_cpu)
        f.add(f"  of which above the floor ({where})", f"udp_cpu_us_above_floor_fixed_rate{tag}",
              above_floor(fixed_cpu))
        for p in ("p50", "p99", "p999"):
            f.add(f"{p} us at {args.lat_qps} qps ({where})", f"{p}_us_fixed_rate{tag}",
                  samples(runs, servers, field(f"{p}_us"), **fixed))
    at_nsd = dict(phase="at_nsd_max", kind="udp_at_nsd_max")
    nsd_max = median(samples(runs, ["nsd"], field("qps"), kind="udp_max", phase="main",
                             pin=args.primary_pin)["nsd"])
    if nsd_max:
        where = f"{small}, {PIN_NAMES.get(args.primary_pin, args.primary_pin)}"
        f.add(f"UDP qps offered at NSD's max, {nsd_max:.0f} ({where})", "udp_qps_at_nsd_max_qps",
              samples(runs, servers, field("qps"), **at_nsd))
        f.add(f"UDP server CPU % at NSD's max rate ({where})", "udp_server_cpu_percent_at_nsd_max_qps",
              samples(runs, servers, cpu_percent, **at_nsd))
        f.add(f"UDP client (dnsperf) CPU % at NSD's max rate ({where})",
              "udp_client_cpu_percent_at_nsd_max_qps", samples(runs, servers, client_cpu_percent, **at_nsd))
    f.add(f"response octets, mean ({small})", "response_bytes",
          samples(runs, servers, field("resp_bytes"), phase="main", kind="udp_fixed"))
    f.add(f"start-up to first answer s ({small})", f"startup_s_{small}",
          samples(starts, servers, field("startup_s"), phase="main"))
    f.add(f"RSS MB ({small})", f"rss_mb_{small}",
          samples(starts, servers, lambda r: number(r["rss_kb"]) / 1024, phase="main"))

    big_where = f"{big}, unpinned"
    f.add(f"start-up to first answer s ({big})", f"startup_s_{big}",
          samples(starts, servers, field("startup_s"), phase="big"))
    f.add(f"RSS MB ({big})", f"rss_mb_{big}",
          samples(starts, servers, lambda r: number(r["rss_kb"]) / 1024, phase="big"))
    f.add(f"PSS MB ({big})", f"pss_mb_{big}",
          samples(starts, servers, lambda r: number(r["pss_kb"]) / 1024, phase="big"))
    f.add(f"UDP max qps ({big_where})", f"udp_max_qps_{big}",
          samples(runs, servers, field("qps"), phase="big", kind="udp_max"))
    f.add(f"UDP CPU us/query, max rate ({big_where})", f"udp_cpu_us_per_query_{big}",
          samples(runs, servers, cpu_us_per_query, phase="big", kind="udp_max"))
    f.add(f"UDP server CPU %, max rate ({big_where})", f"udp_server_cpu_percent_{big}",
          samples(runs, servers, cpu_percent, phase="big", kind="udp_max"))
    for p in ("p50", "p99", "p999"):
        f.add(f"{p} us at {args.lat_qps} qps ({big_where})", f"{p}_us_fixed_rate_{big}",
              samples(runs, servers, field(f"{p}_us"), phase="big", kind="udp_fixed"))
    # The headline rebuild figure: health-change rebuilds when that run was
    # made, else SIGHUP reloads.
    headline = "health" if any(r["phase"] == "health" for r in runs) else "sighup"
    shared_where = f"{big}, driad on one core"
    for p in ("p50", "p99", "p999"):
        f.add(f"{p} us at {args.lat_qps} qps, steady ({shared_where})", f"{p}_us_fixed_rate_{big}_shared",
              samples(runs, servers, field(f"{p}_us"), phase="big_shared", kind="udp_fixed"))
    for phase, what, where in (("health", "MX oper-status flip every s", big_where),
                               ("sighup", "config swap + SIGHUP every s", big_where),
                               ("sighup_shared", "config swap + SIGHUP every s", shared_where)):
        suffix = "" if phase == headline else "_" + phase
        run = dict(phase=phase, kind="udp_fixed")
        for p in ("p50", "p99", "p999"):
            f.add(f"{p} us at {args.lat_qps} qps, {what} ({where})",
                  f"{p}_us_during_rebuilds{suffix}", samples(runs, servers, field(f"{p}_us"), **run))
        f.add(f"lost queries, {what} ({where})", f"lost_during_rebuilds{suffix}",
              samples(runs, servers, field("lost"), **run))
    driad_only(f"snapshots published during the oper-status run ({big})", "rebuilds_health",
               health.get("published", []))
    driad_only(f"snapshot build ms, median, oper-status run ({big})", f"build_ms_{big}",
               health.get("build_ms", []))
    driad_only(f"snapshots published during the SIGHUP run ({big})", "rebuilds_sighup",
               sighup.get("published", []))
    driad_only(f"reloads rejected during the SIGHUP run ({big})", "reloads_rejected",
               sighup.get("rejected", []))
    driad_only(f"reload ms, SIGHUP to applied, median ({big})", f"reload_ms_{big}",
               sighup.get("reload_ms", []))
    driad_only(f"snapshot build ms, median, SIGHUP run ({big})", f"build_ms_sighup_{big}",
               sighup.get("build_ms", []))
    driad_only(f"--check-config s ({big})", f"check_config_s_{big}", extra.get("check_config_s", []))
    print_report(f, servers)


if __name__ == "__main__":
    main()
