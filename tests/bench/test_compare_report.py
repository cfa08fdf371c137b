#!/usr/bin/env python3
"""compare_report.py on raw figures made up for the test, whose medians,
ratios and derived rows (CPU per query, above the floor, client CPU, CPU at
NSD's maximum rate) are worked out here by hand."""
import argparse
import csv
import os
import subprocess
import sys
import tempfile
import unittest

REPORT = None
RUN_FIELDS = ("phase,rep,pin,server,n,kind,seconds,qps,completed,lost,cpu_ticks,hz,resp_bytes,"
              "p50_us,p99_us,p999_us,rcodes,client_ticks").split(",")


def run(phase, rep, server, kind, qps, completed, ticks, client_ticks, p99="", seconds=10):
    return {"phase": phase, "rep": rep, "pin": "pin", "server": server, "n": 10000, "kind": kind,
            "seconds": seconds, "qps": qps, "completed": completed, "lost": 0, "cpu_ticks": ticks,
            "hz": 100, "resp_bytes": 116, "p50_us": "", "p99_us": p99, "p999_us": "",
            "rcodes": "NOERROR 1", "client_ticks": client_ticks}


def report(runs, servers="driad nsd floor"):
    with tempfile.TemporaryDirectory() as work:
        paths = {name: os.path.join(work, name + ".csv") for name in ("runs", "starts", "extra")}
        with open(paths["runs"], "w", newline="") as out:
            writer = csv.DictWriter(out, RUN_FIELDS)
            writer.writeheader()
            writer.writerows(runs)
        with open(paths["starts"], "w") as out:
            out.write("phase,rep,pin,server,n,startup_s,rss_kb,pss_kb\n")
            out.write("main,1,pin,driad,10000,0.10,20480,10240\n")
            out.write("main,1,pin,nsd,10000,0.30,71680,30720\n")
        with open(paths["extra"], "w") as out:
            out.write("name,value\n")
        done = subprocess.run(
            [sys.executable, REPORT, "--runs", paths["runs"], "--starts", paths["starts"],
             "--extra", paths["extra"], "--primary-pin", "pin", "--big-n", "0", "--servers", servers],
            capture_output=True, text=True, timeout=30, check=True)
    results = {}
    for line in done.stdout.splitlines():
        if line.startswith("RESULT "):
            _, name, *values = line.split()
            results[name] = {k: None if v == "n/a" else float(v)
                             for k, v in (value.split("=", 1) for value in values)}
    return done.stdout, results


# Three repetitions each: driad 5, 6, 7 us/query (median 6), NSD 10, 12, 8
# (median 10), the floor 4, 5, 4.5 (median 4.5).
MAIN = [
    run("main", 1, "driad", "udp_max", 100000, 1000000, 500, 990),
    run("main", 2, "driad", "udp_max", 110000, 1000000, 600, 995),
    run("main", 3, "driad", "udp_max", 120000, 1000000, 700, 1000),
    run("main", 1, "nsd", "udp_max", 90000, 500000, 500, 980),
    run("main", 2, "nsd", "udp_max", 80000, 500000, 600, 970),
    run("main", 3, "nsd", "udp_max", 100000, 500000, 400, 960),
    run("main", 1, "floor", "udp_max", 130000, 1000000, 400, 999),
    run("main", 2, "floor", "udp_max", 140000, 1000000, 500, 999),
    run("main", 3, "floor", "udp_max", 150000, 1000000, 450, 999),
    run("main", 1, "driad", "udp_fixed", 20000, 200000, 180, 300, p99=50),
    run("main", 1, "nsd", "udp_fixed", 20000, 200000, 300, 300, p99=90),
    run("main", 1, "floor", "udp_fixed", 20000, 200000, 160, 300, p99=40),
    run("at_nsd_max", 1, "driad", "udp_at_nsd_max", 90000, 900000, 620, 870),
    run("at_nsd_max", 1, "floor", "udp_at_nsd_max", 90000, 900000, 580, 870),
]


class CompareReport(unittest.TestCase):
    def test_cpu_per_query_is_ticks_over_completed_queries(self):
        _, results = report(MAIN)
        self.assertEqual(results["udp_cpu_us_per_query"], {"driad": 6.00, "nsd": 10.0, "floor": 4.50})
        self.assertEqual(results["udp_cpu_us_per_query_fixed_rate"],
                         {"driad": 9.00, "nsd": 15.0, "floor": 8.00})

    def test_above_the_floor_subtracts_the_floors_median(self):
        _, results = report(MAIN)
        self.assertEqual(results["udp_cpu_us_above_floor"], {"driad": 1.50, "nsd": 5.50, "floor": None})
        self.assertEqual(results["udp_cpu_us_above_floor_fixed_rate"],
                         {"driad": 1.00, "nsd": 7.00, "floor": None})

    def test_qps_and_cpu_percent_are_medians(self):
        _, results = report(MAIN)
        self.assertEqual(results["udp_max_qps"], {"driad": 110000, "nsd": 90000, "floor": 140000})
        self.assertEqual(results["udp_server_cpu_percent"], {"driad": 60, "nsd": 50, "floor": 45})
        self.assertEqual(results["udp_client_cpu_percent"], {"driad": 99.5, "nsd": 97, "floor": 99.9})

    def test_cpu_at_nsds_maximum_rate(self):
        table, results = report(MAIN)
        self.assertEqual(results["udp_server_cpu_percent_at_nsd_max_qps"],
                         {"driad": 62, "nsd": None, "floor": 58})
        self.assertEqual(results["udp_client_cpu_percent_at_nsd_max_qps"],
                         {"driad": 87, "nsd": None, "floor": 87})
        self.assertIn("NSD's max, 90000", table)

    def test_the_table_gives_driads_ratio_to_each_peer(self):
        table, _ = report(MAIN)
        row = next(line for line in table.splitlines() if line.startswith("| UDP CPU us/query, max rate"))
        cells = [c.strip() for c in row.strip("|").split("|")]
        # figure, driad, nsd, floor, driad/nsd, driad/floor, spread %
        self.assertEqual(cells[4:6], ["0.60", "1.33"])
        self.assertEqual(cells[6], "40")  # NSD: (12 - 8) / 10

    def test_without_the_floor_there_is_no_floor_row(self):
        runs = [r for r in MAIN if r["server"] != "floor"]
        _, results = report(runs, servers="driad nsd")
        self.assertNotIn("udp_cpu_us_above_floor", results)
        self.assertEqual(results["udp_cpu_us_per_query"], {"driad": 6.00, "nsd": 10.0})


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--report", required=True)
    args, rest = parser.parse_known_args()
    REPORT = args.report
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)
