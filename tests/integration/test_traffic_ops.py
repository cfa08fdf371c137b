"""Traffic Ops topology and client-aware answers, end to end.

driadd polls to-sim (a Traffic Ops simulator serving the fixtures) for its relay
groups, follows one mx-sim per cachegroup over gNMI, probes one amt-responder
per cachegroup, and maps clients to cachegroups with a coverage zone file, by
resolver address (dig -b) or EDNS Client Subnet (dig +subnet).

The fixtures' documentation addresses are replaced before driadd sees them:
every gNMI target and every probed relay is on 127.0.0.0/8 (the MX relay
addresses stay documentation addresses: they are only data in answers)."""

import copy
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import unittest
import urllib.request

import driad_harness as h
from to_sim_launcher import ToSimProcess

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "trafficops")
TO_USER = "driad-reader"
TO_PASSWORD = "to-Pa55word-never-logged"

EAST_MX_MGMT, WEST_MX_MGMT, CENTRAL_MX_MGMT = "127.0.0.21", "127.0.0.22", "127.0.0.23"
EAST_GW, WEST_GW = "127.0.0.31", "127.0.0.32"
EAST_MX, WEST_MX, CENTRAL_MX = "192.0.2.1", "203.0.113.1", "192.0.2.50"
EAST_CLIENT, WEST_CLIENT = "127.0.0.2", "127.0.0.3"  # in the coverage zone file
NOWHERE_CLIENT = "127.0.0.1"                           # in no coverage zone

EAST_SOURCE, WEST_SOURCE, CENTRAL_SOURCE = "198.51.100.12", "198.51.100.140", "198.51.100.200"

EAST = [f"10 0 1 {EAST_MX}", f"20 0 1 {EAST_GW}"]
WEST = [f"10 0 1 {WEST_MX}", f"20 0 1 {WEST_GW}"]
CENTRAL = [f"10 0 1 {CENTRAL_MX}"]

HOLD_UP_S = 1


def free_port_on(*hosts):
    """A TCP and UDP port free on every one of `hosts` (bounded attempts)."""
    for _ in range(50):
        probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        probe.bind((hosts[0], 0))
        port = probe.getsockname()[1]
        probe.close()
        try:
            for host in hosts:
                for kind in (socket.SOCK_STREAM, socket.SOCK_DGRAM):
                    with socket.socket(socket.AF_INET, kind) as s:
                        s.bind((host, port))
            return port
        except OSError:
            continue
    raise RuntimeError(f"no common free port on {hosts}")


def loopback_servers(path):
    """The fixture's servers with loopback management and gateway addresses."""
    with open(path) as f:
        body = json.load(f)
    replace = {"198.51.100.10/24": f"{EAST_MX_MGMT}/8", "198.51.100.20/24": f"{WEST_MX_MGMT}/8",
               "192.0.2.11/24": f"{EAST_GW}/8", "203.0.113.11/24": f"{WEST_GW}/8"}
    for server in body["response"]:
        for interface in server["interfaces"]:
            for address in interface["ipAddresses"]:
                address["address"] = replace.get(address["address"], address["address"])
                if address["gateway"] is not None:
                    address["gateway"] = None
    return body


def central_mx_server(servers):
    """A third cachegroup's MX, made from the east MX."""
    server = copy.deepcopy(next(s for s in servers["response"] if s["hostName"] == "mx-amt-use-01"))
    server.update({"hostName": "mx-amt-usc-01", "id": 105, "xmppId": "mx-amt-usc-01",
                   "fqdn": "mx-amt-usc-01.relay.example.net"})
    for key in ("cachegroup", "cacheGroup"):
        if key in server:
            server[key] = "amt-us-central"
    server["interfaces"][0]["ipAddresses"] = [
        {"address": f"{CENTRAL_MX}/32", "gateway": None, "serviceAddress": True}]
    server["interfaces"][1]["ipAddresses"] = [
        {"address": f"{CENTRAL_MX_MGMT}/8", "gateway": None, "serviceAddress": False}]
    return server


class ToSim(ToSimProcess):
    """to-sim on 127.0.0.1, a free port, with a fixtures directory of its own
    (its log in it), and its /_sim/ control calls."""

    def __init__(self, fixtures_dir):
        super().__init__(h.TO_SIM, fixtures_dir, "--user", TO_USER, "--password", TO_PASSWORD,
                         log_path=os.path.join(fixtures_dir, "to-sim.log"))
        self.url = f"http://127.0.0.1:{self.port}"

    def request(self, method, path, body=None):
        data = body.encode() if isinstance(body, str) else body
        req = urllib.request.Request(self.url + path, data=data, method=method)
        with urllib.request.urlopen(req, timeout=5) as response:
            return response.read().decode()

    def mode(self, mode):
        self.request("POST", "/_sim/mode", mode)

    def put(self, what, body):
        self.request("PUT", f"/_sim/{what}", json.dumps(body))

    def stats(self):
        return json.loads(self.request("GET", "/_sim/stats"))


def mx_sim_at(host, port, anycast):
    return h.Helper(h.MX_SIM, ["--listen", f"{host}:{port}", "--control", "127.0.0.1:0", "--anycast", anycast,
                               "--tunnels", "10", "--quiet"], "mx-sim").start()


def responder_at(host, port):
    return h.Helper(h.AMT_RESPONDER, ["--listen", f"{host}:{port}", "--control", "127.0.0.1:0",
                                      "--relay", host], "amt-responder").start()


class TrafficOpsTest(unittest.TestCase):
    """One world for the whole class; the tests run in name order and each
    leaves it as it found it (all healthy, to-sim in mode ok)."""

    maxDiff = None

    @classmethod
    def setUpClass(cls):
        if not h.TO_SIM or not h.MX_SIM or not h.AMT_RESPONDER:
            raise unittest.SkipTest("needs --to-sim, --mx-sim and --amt-responder")
        cls.dir = tempfile.mkdtemp(prefix="driad-to-")
        cls.addClassCleanup(lambda: os.environ.get("DRIAD_KEEP_LOGS") or shutil.rmtree(cls.dir, True))
        fixtures = os.path.join(cls.dir, "fixtures")
        shutil.copytree(FIXTURES, fixtures)
        for name in ("servers.json", "servers-v5.json"):
            with open(os.path.join(fixtures, name), "w") as out:
                json.dump(loopback_servers(os.path.join(FIXTURES, name)), out)
        cls.servers = loopback_servers(os.path.join(FIXTURES, "servers.json"))
        with open(os.path.join(FIXTURES, "cachegroups.json")) as f:
            cls.cachegroups = json.load(f)

        with open(os.path.join(FIXTURES, "czf.json")) as f:
            czf = json.load(f)
        czf["coverageZones"]["amt-us-east"]["network"].append(f"{EAST_CLIENT}/32")
        czf["coverageZones"]["amt-us-west"]["network"].append(f"{WEST_CLIENT}/32")
        cls.czf_path = os.path.join(cls.dir, "czf.json")
        with open(cls.czf_path, "w") as out:
            json.dump(czf, out)

        cls.to = ToSim(fixtures)
        cls.addClassCleanup(cls.to.stop)
        cls.gnmi_port = free_port_on(EAST_MX_MGMT, WEST_MX_MGMT, CENTRAL_MX_MGMT)
        cls.probe_port = free_port_on(EAST_GW, WEST_GW)
        cls.mx = {}
        for name, host, anycast in (("east", EAST_MX_MGMT, EAST_MX), ("west", WEST_MX_MGMT, WEST_MX)):
            cls.mx[name] = mx_sim_at(host, cls.gnmi_port, anycast)
            cls.addClassCleanup(cls.mx[name].cleanup)
        cls.responder = {}
        for name, host in (("east", EAST_GW), ("west", WEST_GW)):
            cls.responder[name] = responder_at(host, cls.probe_port)
            cls.addClassCleanup(cls.responder[name].cleanup)
        cls.cache_file = os.path.join(cls.dir, "topology-cache.json")
        cls.driad = cls.start_driad()

    @classmethod
    def config(cls, api_version="4.0"):
        return {
            "listen": [],
            "threads": 1,
            "zones": [h.zone("100.51.198.in-addr.arpa.")],
            "sources": [{"prefix": "198.51.100.0/25", "relay_group": "amt-us-east"},
                        {"prefix": "198.51.100.128/26", "relay_group": "amt-us-west"},
                        {"prefix": "198.51.100.192/26", "relay_group": "amt-us-central"}],
            "relay_groups": [],
            "policy": {"ttl": 30, "degraded_ttl": 1, "hold_up_s": HOLD_UP_S, "stale_after_ms": 1000},
            "traffic_ops": {"url": cls.to.url, "api_version": api_version, "cdn": "mcast-cdn",
                            "poll_interval_s": 1, "timeout_ms": 500, "cache_file": cls.cache_file,
                            "gnmi_port": cls.gnmi_port,
                            "gateway": {"probe_port": cls.probe_port, "probe_interval_ms": 200,
                                        "probe_timeout_ms": 100}},
            "coverage_zone_file": cls.czf_path,
            "ecs": True,
        }

    @classmethod
    def start_driad(cls, api_version="4.0"):
        driad = h.Driad(cls.config(api_version), hosts=("127.0.0.1",),
                        env={"TO_USER": TO_USER, "TO_PASSWORD": TO_PASSWORD})
        driad.start()
        cls.addClassCleanup(driad.cleanup)
        return driad

    # -- queries ----------------------------------------------------------

    def dig(self, source, client=NOWHERE_CLIENT, *extra, driad=None):
        driad = driad or self.driad
        return h.dig(driad.host, driad.port, "-b", client, "-x", source, "-t", "AMTRELAY", *extra)

    def relays(self, source, client=NOWHERE_CLIENT, *extra, driad=None):
        result = self.dig(source, client, *extra, driad=driad)
        self.assertEqual(result.returncode, 0, result)
        if result.status != "NOERROR":
            return result.status
        return result.rdatas("AMTRELAY")

    def context(self, driad=None):
        return (f"driadd log:\n{(driad or self.driad).log()[-5000:]}\n"
                f"to-sim log:\n{self.to.log()[-1500:]}")

    def wait_relays(self, expected, source, client=NOWHERE_CLIENT, *extra, within=15.0, driad=None):
        deadline = time.monotonic() + within
        seen = []
        while True:
            got = self.relays(source, client, *extra, driad=driad)
            if got == expected:
                return
            if not seen or seen[-1] != got:
                seen.append(got)
            if time.monotonic() >= deadline:
                self.fail(f"{source} from {client} {extra}: no {expected} within {within} s; seen {seen}\n"
                          f"{self.context(driad)}")
            time.sleep(0.1)

    def hold_relays(self, expected, source, client, seconds):
        until = time.monotonic() + seconds
        while time.monotonic() < until:
            self.assertEqual(self.relays(source, client), expected, self.context())
            time.sleep(0.1)

    def all_healthy(self, driad=None):
        self.wait_relays(EAST, EAST_SOURCE, driad=driad)
        self.wait_relays(WEST, WEST_SOURCE, driad=driad)

    # -- tests --------------------------------------------------------------

    def test_01_groups_from_traffic_ops_and_clients_by_coverage_zone(self):
        self.all_healthy()
        # (Fail static serves the same relays until then: wait for the line.)
        self.assertIsNotNone(self.driad.wait_log("Traffic Ops topology applied", 10), self.driad.log())
        self.assertNotIn(TO_PASSWORD, self.driad.log())
        # A client in a coverage zone gets its own cachegroup's relays,
        # whichever group the source belongs to.
        # (Waited for, bounded: a slow build may still see an MX in hold-up.)
        self.wait_relays(WEST, EAST_SOURCE, WEST_CLIENT, within=5)
        self.wait_relays(EAST, WEST_SOURCE, EAST_CLIENT, within=5)
        self.wait_relays(EAST, EAST_SOURCE, EAST_CLIENT, within=5)
        # A cachegroup Traffic Ops does not know (yet): SERVFAIL, and the log says why.
        self.assertEqual(self.relays(CENTRAL_SOURCE), "SERVFAIL")
        self.assertIn("relay group 'amt-us-central' is not known yet", self.driad.log())
        stats = self.to.stats()
        self.assertGreaterEqual(stats["logins"], 1, stats)
        self.assertGreaterEqual(stats["servers"], 2, stats)
        # The topology is on disk for the next start.
        with open(self.cache_file) as f:
            self.assertIn("amt-us-east", f.read())

    def test_02_ecs_selects_the_view_and_is_echoed_with_scope(self):
        self.all_healthy()
        result = self.dig(EAST_SOURCE, NOWHERE_CLIENT, "+subnet=100.65.7.0/24")
        self.assertEqual(result.rdatas("AMTRELAY"), WEST, result)
        self.assertIn("CLIENT-SUBNET: 100.65.7.0/24/24", result.text, result)
        # ECS wins over the resolver's own address.
        result = self.dig(WEST_SOURCE, WEST_CLIENT, "+subnet=2001:db8:1000::/48")
        self.assertEqual(result.rdatas("AMTRELAY"), EAST, result)
        self.assertIn("CLIENT-SUBNET: 2001:db8:1000::/48/48", result.text, result)
        # Source prefix 0: the resolver's address decides; scope 0.
        result = self.dig(EAST_SOURCE, WEST_CLIENT, "+subnet=0.0.0.0/0")
        self.assertEqual(result.rdatas("AMTRELAY"), WEST, result)
        self.assertIn("CLIENT-SUBNET: 0.0.0.0/0/0", result.text, result)
        # An answer that does not depend on the client has scope 0.
        result = h.dig(self.driad.host, self.driad.port, "not-an-octet.100.51.198.in-addr.arpa.", "AMTRELAY",
                       "+subnet=100.65.7.0/24")
        self.assertEqual(result.status, "NXDOMAIN", result)
        self.assertIn("CLIENT-SUBNET: 100.65.7.0/24/0", result.text, result)

    def test_03_fallback_when_the_cachegroup_has_no_healthy_relay(self):
        self.all_healthy()
        self.mx["east"].control("oper-status DOWN")
        self.responder["east"].control("mode silent")
        try:
            # East's own clients, and clients in no zone asking for east's
            # sources, go to east's fallback: west.
            self.wait_relays(WEST, EAST_SOURCE, EAST_CLIENT, within=5)
            self.wait_relays(WEST, EAST_SOURCE, NOWHERE_CLIENT, within=5)
            self.assertEqual(self.relays(WEST_SOURCE, WEST_CLIENT), WEST)
        finally:
            self.mx["east"].control("oper-status UP")
            self.responder["east"].control("mode ok")
        self.wait_relays(EAST, EAST_SOURCE, EAST_CLIENT, within=10)

    def test_04_traffic_ops_faults_leave_answers_unchanged(self):
        self.all_healthy()
        for mode in ("error500", "hang", "garbage", "truncated"):
            with self.subTest(mode=mode):
                before = self.to.stats()
                offset = len(self.driad.log())
                self.to.mode(mode)
                try:
                    # Two poll intervals (1 s) of failures, answers held throughout.
                    self.hold_relays(EAST, EAST_SOURCE, EAST_CLIENT, 2.5)
                    self.assertEqual(self.relays(WEST_SOURCE), WEST)
                    after = self.to.stats()
                    self.assertGreaterEqual(after["requests"], before["requests"] + 2, after)
                    self.assertRegex(self.driad.log()[offset:], r"(?i)traffic ops.*keeping the last topology",
                                     self.context())
                finally:
                    self.to.mode("ok")
        # An empty server list after a non-empty one is refused too.
        self.to.put("servers", {"response": []})
        try:
            self.hold_relays(EAST, EAST_SOURCE, EAST_CLIENT, 2.5)
        finally:
            self.to.put("servers", self.servers)
        self.all_healthy()

    def test_05_an_mx_added_in_traffic_ops_is_subscribed_without_restart(self):
        self.all_healthy()
        central = mx_sim_at(CENTRAL_MX_MGMT, self.gnmi_port, CENTRAL_MX)
        self.addCleanup(central.cleanup)
        servers = copy.deepcopy(self.servers)
        servers["response"].append(central_mx_server(servers))
        cachegroups = copy.deepcopy(self.cachegroups)
        cachegroups["response"].append(dict(cachegroups["response"][0], id=13, name="amt-us-central",
                                             shortName="amtusc", latitude=41.88, longitude=-87.63,
                                             fallbacks=[]))
        offset = len(self.driad.log())
        self.to.put("cachegroups", cachegroups)
        self.to.put("servers", servers)
        try:
            self.wait_relays(CENTRAL, CENTRAL_SOURCE, within=10)
            log = self.driad.log()[offset:]
            # Only the new group's feeds started; east and west kept theirs.
            self.assertRegex(log, r"health feeds: 1 groups started, 0 stopped, 2 kept", self.context())
            self.assertIn("relay group 'amt-us-central' is known now", log)
            self.assertEqual(self.relays(EAST_SOURCE, EAST_CLIENT), EAST)
        finally:
            self.to.put("servers", self.servers)
            self.to.put("cachegroups", self.cachegroups)
        self.wait_relays("SERVFAIL", CENTRAL_SOURCE, within=10)
        self.all_healthy()

    def test_06_restart_while_traffic_ops_is_down_serves_the_cache(self):
        self.all_healthy()
        self.to.mode("error500")
        try:
            self.driad.stop()
            before = self.to.stats()
            second = self.start_driad()
            type(self).driad = second  # the later tests use it
            # At once: the cached groups (MX still in hold-up: gateway only), no SERVFAIL.
            first = self.relays(EAST_SOURCE, driad=second)
            self.assertIn(first, ([f"20 0 1 {EAST_GW}"], EAST, "NOERROR"), self.context(second))
            self.assertNotEqual(first, "SERVFAIL")
            self.all_healthy(driad=second)
            self.assertIn("Traffic Ops cache", second.log())
            # It did ask (its first poll may come after the cached answers).
            deadline = time.monotonic() + 10
            after = self.to.stats()
            while after["requests"] <= before["requests"] and time.monotonic() < deadline:
                time.sleep(0.1)
                after = self.to.stats()
            self.assertGreater(after["requests"], before["requests"], after)
        finally:
            self.to.mode("ok")

    def test_07_coverage_zone_file_is_reread_and_a_bad_one_is_refused(self):
        self.all_healthy()
        with open(self.czf_path) as f:
            original = f.read()
        moved = json.loads(original)
        moved["coverageZones"]["amt-us-east"]["network"].remove(f"{EAST_CLIENT}/32")
        moved["coverageZones"]["amt-us-west"]["network"].append(f"{EAST_CLIENT}/32")
        try:
            self.replace_file(self.czf_path, json.dumps(moved))
            self.wait_relays(WEST, EAST_SOURCE, EAST_CLIENT, within=5)
            # A duplicate network rejects the whole file: the moved one stays.
            duplicate = copy.deepcopy(moved)
            duplicate["coverageZones"]["amt-us-east"]["network"].append(f"{EAST_CLIENT}/32")
            offset = len(self.driad.log())
            self.replace_file(self.czf_path, json.dumps(duplicate))
            self.assertIsNotNone(
                self.driad.wait_log(r"coverage zone file rejected: .*127\.0\.0\.2/32 is also", after=offset),
                self.context())
            self.hold_relays(WEST, EAST_SOURCE, EAST_CLIENT, 1.5)
            # --check-config says the same, with the file and the JSON path.
            checked = subprocess.run([h.DRIADD, "--check-config", self.driad.config_path],
                                     capture_output=True, text=True, timeout=10)
            self.assertEqual(checked.returncode, 1, checked)
            self.assertIn(f"{self.czf_path}: /coverageZones/amt-us-west/network/", checked.stderr)
        finally:
            self.replace_file(self.czf_path, original)
        self.wait_relays(EAST, EAST_SOURCE, EAST_CLIENT, within=5)

    @staticmethod
    def replace_file(path, text):
        with open(path + ".tmp", "w") as out:
            out.write(text)
        os.replace(path + ".tmp", path)


class TrafficOpsV5Test(unittest.TestCase):
    """API 5.x shapes (cacheGroup, profiles...): the same groups come out."""

    def test_relay_groups_from_api_5(self):
        if not h.TO_SIM or not h.MX_SIM or not h.AMT_RESPONDER:
            self.skipTest("needs --to-sim, --mx-sim and --amt-responder")
        work = tempfile.mkdtemp(prefix="driad-to5-")
        self.addCleanup(shutil.rmtree, work, True)
        fixtures = os.path.join(work, "fixtures")
        shutil.copytree(FIXTURES, fixtures)
        with open(os.path.join(fixtures, "servers-v5.json"), "w") as out:
            json.dump(loopback_servers(os.path.join(FIXTURES, "servers-v5.json")), out)
        to = ToSim(fixtures)
        self.addCleanup(to.stop)
        probe_port = free_port_on(EAST_GW)
        responder = responder_at(EAST_GW, probe_port)
        self.addCleanup(responder.cleanup)
        config = {
            "listen": [], "threads": 1,
            "zones": [h.zone("100.51.198.in-addr.arpa.")],
            "sources": [{"prefix": "198.51.100.0/24", "relay_group": "amt-us-east"}],
            "relay_groups": [],
            "policy": {"hold_up_s": 60},
            "traffic_ops": {"url": to.url, "api_version": "5.0", "cdn": "mcast-cdn", "poll_interval_s": 1,
                            "gnmi_port": free_port_on(EAST_MX_MGMT),  # nothing listens: MX unknown
                            "gateway": {"probe_port": probe_port, "probe_interval_ms": 200,
                                        "probe_timeout_ms": 100}},
        }
        driad = h.Driad(config, hosts=("127.0.0.1",), env={"TO_USER": TO_USER, "TO_PASSWORD": TO_PASSWORD})
        driad.start()
        self.addCleanup(driad.cleanup)
        deadline = time.monotonic() + 10
        while True:
            result = h.dig(driad.host, driad.port, "-x", EAST_SOURCE, "-t", "AMTRELAY")
            if result.status == "NOERROR" and result.rdatas("AMTRELAY") == [f"20 0 1 {EAST_GW}"]:
                break
            self.assertLess(time.monotonic(), deadline, f"{result}\n{driad.log()[-3000:]}")
            time.sleep(0.1)
        self.assertIn("Traffic Ops topology applied: 4 servers, 2 cachegroups, 2 relay groups", driad.log())


if __name__ == "__main__":
    h.main()
