"""driadd's command line: --check-config on good and bad files (every error as
`FILE: /json/pointer: problem`), --demo --print-config (accepted by
--check-config, and served), --version, --help, usage errors, start-up
failures and clean shutdown on SIGTERM/SIGINT."""

import json
import os
import re
import signal
import socket
import subprocess
import tempfile
import time
import unittest

import driad_harness as h


def good_config():
    c = h.base_config()
    c["listen"] = ["127.0.0.1:53", "[::1]:53"]  # validated, never bound by --check-config
    return c


def mutate(change):
    c = good_config()
    change(c)
    return c


def set_relay(group, index, text):
    def change(c):
        c["relay_groups"][group]["relays"][index] = text
    return change


LONG_LABEL = "a" * 64

# name: (config dict or JSON text, [(pointer, problem regex)]); the problem is
# searched for in what follows "FILE: POINTER: ". A pointer of None
# means a JSON syntax error, reported as FILE:LINE:COLUMN.
BAD = {
    "source outside every zone": (
        mutate(lambda c: c["sources"].append({"prefix": "203.0.113.0/24", "relay_group": "west"})),
        [("/sources/6/prefix", r"203\.0\.113\.0/24 lies outside every zone")]),
    "overlapping zones": (
        mutate(lambda c: c["zones"].append(h.zone("100.51.198.in-addr.arpa."))),
        [("/zones/3/origin", r"'100\.51\.198\.in-addr\.arpa\.' overlaps /zones/0 \('51\.198\.in-addr\.arpa\.'\)")]),
    "unknown relay group": (
        mutate(lambda c: c["sources"][1].update(relay_group="nope")),
        [("/sources/1/relay_group", r"'nope' is not a relay group")]),
    "relay with 3 fields": (
        mutate(set_relay(0, 0, "10 0 1")),
        [("/relay_groups/0/relays/0", r"'10 0 1' is not 'precedence D type relay' \(3 fields, want 4\)")]),
    "relay with 5 fields": (
        mutate(set_relay(1, 1, "10 0 1 192.0.2.1 extra")),
        [("/relay_groups/1/relays/1", r"5 fields, want 4")]),
    "type 3 label over 63 octets": (
        mutate(set_relay(0, 3, f"30 0 3 {LONG_LABEL}.example.com.")),
        [("/relay_groups/0/relays/3", r"type 3 relay: .*label of 64 octets \(at most 63\)")]),
    "type 3 empty label": (
        mutate(set_relay(0, 3, "30 0 3 relay..example.com.")),
        [("/relay_groups/0/relays/3", r"type 3 relay: .*empty label")]),
    "precedence 256": (
        mutate(set_relay(0, 1, "256 0 1 203.0.113.15")),
        [("/relay_groups/0/relays/1", r"precedence '256' is not 0-255")]),
    "D is 2": (
        mutate(set_relay(0, 1, "10 2 1 203.0.113.15")),
        [("/relay_groups/0/relays/1", r"D '2' is not 0 or 1")]),
    "type 4": (
        mutate(set_relay(0, 1, "10 0 4 203.0.113.15")),
        [("/relay_groups/0/relays/1", r"type 4 is unassigned")]),
    "type 1 with an IPv6 address": (
        mutate(set_relay(0, 1, "10 0 1 2001:db8::1")),
        [("/relay_groups/0/relays/1", r"type 1 relay '2001:db8::1' is not an IPv4 address")]),
    "type 2 with an IPv4 address": (
        mutate(set_relay(0, 2, "20 1 2 192.0.2.1")),
        [("/relay_groups/0/relays/2", r"type 2 relay '192\.0\.2\.1' is not an IPv6 address")]),
    "type 0 with a relay": (
        mutate(set_relay(2, 0, "0 0 0 192.0.2.1")),
        [("/relay_groups/2/relays/0", r"type 0 \(no relay\) takes '\.'")]),
    "origin not under in-addr.arpa. or ip6.arpa.": (
        mutate(lambda c: c["zones"][1].update(origin="2.0.192.example.com.")),
        [("/zones/1/origin", r"'2\.0\.192\.example\.com\.' is not under in-addr\.arpa\. or ip6\.arpa\."),
         ("/sources/2/prefix", r"192\.0\.2\.0/25 lies outside every zone")]),
    "origin with a non-octet label": (
        mutate(lambda c: c["zones"][1].update(origin="2.0.300.in-addr.arpa.")),
        [("/zones/1/origin", r"label '300' is not a decimal octet"),
         ("/sources/2/prefix", r"lies outside every zone")]),
    "duplicate zone origins": (
        mutate(lambda c: c["zones"].append(h.zone("51.198.IN-ADDR.arpa."))),
        [("/zones/3/origin", r"'51\.198\.in-addr\.arpa\.' is also /zones/0")]),
    "duplicate group names": (
        mutate(lambda c: c["relay_groups"].append({"name": "west", "relays": ["1 0 1 192.0.2.7"]})),
        [("/relay_groups/3/name", r"'west' is also /relay_groups/1")]),
    "duplicate source prefixes": (
        mutate(lambda c: c["sources"].append({"prefix": "198.51.100.0/24", "relay_group": "west"})),
        [("/sources/6/prefix", r"198\.51\.100\.0/24 is also /sources/0")]),
    "source prefix with host bits": (
        mutate(lambda c: c["sources"][0].update(prefix="198.51.100.1/24")),
        [("/sources/0/prefix", r"host bits set")]),
    "unknown key in a section": (
        mutate(lambda c: c.update(policy={"tll": 60})),
        [("/policy/tll", r"unknown key \(known here: ttl, ")]),
    "unknown top-level key (a typo)": (
        mutate(lambda c: c.update(source=c.pop("sources"))),
        [("/source", r"unknown key"), ("/sources", r"is required")]),
    "edns_udp_size out of range": (
        mutate(lambda c: c.update(edns_udp_size=100, tcp={"max_connections": 0})),
        [("/edns_udp_size", r"100 is outside 512-4096"), ("/tcp/max_connections", r"0 is outside 1-1000000")]),
    "listen address twice": (
        mutate(lambda c: c.update(listen=["127.0.0.1:53", "127.0.0.1:53"])),
        [("/listen/1", r"is listed twice")]),
    "listen not an address": (
        mutate(lambda c: c.update(listen=["localhost:53"])),
        [("/listen/0", r"'localhost' in 'localhost:53' is not an IP address")]),
    "empty relay list": (
        mutate(lambda c: c["relay_groups"][1].update(relays=[])),
        [("/relay_groups/1/relays", r"must hold at least one relay")]),
    "missing soa": (
        mutate(lambda c: c["zones"][0].pop("soa")),
        [("/zones/0/soa", r"is required")]),
    "invalid JSON": (
        '{\n  "listen": ["127.0.0.1:53",],\n  "zones": []\n}\n',
        [(None, r"not valid JSON")]),
    "not an object": ('[]', [("/", r"must be an object, not array")]),
}


class CheckConfigTest(unittest.TestCase):
    maxDiff = None

    @classmethod
    def setUpClass(cls):
        cls.dir = tempfile.mkdtemp(prefix="driad-check-")

    @classmethod
    def tearDownClass(cls):
        subprocess.run(["rm", "-rf", cls.dir], check=False)

    def write(self, name, config):
        path = os.path.join(self.dir, re.sub(r"[^a-z0-9]+", "-", name.lower()) + ".json")
        with open(path, "w") as out:
            out.write(config if isinstance(config, str) else json.dumps(config, indent=2))
        return path

    def check(self, path):
        return subprocess.run([h.DRIADD, "--check-config", path], capture_output=True, text=True, timeout=10)

    def test_good_config_is_valid(self):
        path = self.write("good", good_config())
        result = self.check(path)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout, f"{path}: valid (3 zones, 6 sources, 3 relay groups)\n")
        self.assertEqual(result.stderr, "")

    def test_each_bad_config_names_file_pointer_and_problem(self):
        for name, (config, expected) in BAD.items():
            with self.subTest(case=name):
                path = self.write(name, config)
                result = self.check(path)
                self.assertEqual(result.returncode, 1, result.stdout + result.stderr)
                self.assertEqual(result.stdout, "")
                lines = result.stderr.splitlines()
                errors = [line for line in lines if line.startswith(path)]
                self.assertEqual(len(errors), len(expected), result.stderr)
                for pointer, problem in expected:
                    if pointer is None:
                        pattern = re.escape(path) + r":\d+:\d+: " + problem
                    else:
                        pattern = re.escape(f"{path}: {pointer}: ") + ".*" + problem
                    self.assertTrue(any(re.match(pattern, line) for line in errors),
                                    f"no line matches {pattern!r} in:\n{result.stderr}")
                count = len(expected)
                self.assertEqual(lines[-1], f"{count} error{'s' if count > 1 else ''} in the config")

    def test_invalid_json_names_the_line_and_column(self):
        path = self.write("syntax", BAD["invalid JSON"][0])
        result = self.check(path)
        self.assertEqual(result.returncode, 1)
        self.assertRegex(result.stderr, re.escape(path) + r":2:\d+: not valid JSON")

    def test_every_error_is_printed(self):
        def change(c):
            c["relay_groups"][0]["relays"] = ["256 0 1 192.0.2.1", "10 2 1 192.0.2.1", "10 0 4 192.0.2.1",
                                              "10 0 1", f"30 0 3 {LONG_LABEL}.example."]
            c["sources"][0]["relay_group"] = "nope"
            c["sources"].append({"prefix": "203.0.113.0/24", "relay_group": "west"})
            c["zones"].append(h.zone("example.com."))
            c["threds"] = 2
        path = self.write("several", mutate(change))
        result = self.check(path)
        self.assertEqual(result.returncode, 1)
        expected = [
            "/threds: unknown key",
            "/zones/3/origin: 'example.com.' is not under in-addr.arpa. or ip6.arpa.",
            "/relay_groups/0/relays/0: precedence '256' is not 0-255",
            "/relay_groups/0/relays/1: D '2' is not 0 or 1",
            "/relay_groups/0/relays/2: type 4 is unassigned",
            "/relay_groups/0/relays/3: '10 0 1' is not 'precedence D type relay' (3 fields, want 4)",
            "/relay_groups/0/relays/4: type 3 relay: ",
            "/sources/0/relay_group: 'nope' is not a relay group",
            "/sources/6/prefix: 203.0.113.0/24 lies outside every zone",
        ]
        errors = [line for line in result.stderr.splitlines() if line.startswith(path)]
        self.assertEqual(len(errors), len(expected), result.stderr)
        for text in expected:
            self.assertTrue(any(line.startswith(f"{path}: {text}") for line in errors),
                            f"{text!r} missing from:\n{result.stderr}")
        self.assertEqual(result.stderr.splitlines()[-1], f"{len(expected)} errors in the config")

    def test_unreadable_file(self):
        path = os.path.join(self.dir, "missing.json")
        result = self.check(path)
        self.assertEqual(result.returncode, 1)
        self.assertIn(f"{path}: cannot be read: No such file or directory", result.stderr)

    def test_config_with_errors_does_not_start(self):
        path = self.write("start-bad", BAD["precedence 256"][0])
        result = subprocess.run([h.DRIADD, "--config", path], capture_output=True, text=True, timeout=10)
        self.assertEqual(result.returncode, 1)
        self.assertIn(f"{path}: /relay_groups/0/relays/1: precedence '256' is not 0-255", result.stderr)


class CommandLineTest(unittest.TestCase):

    def run_driadd(self, *args):
        return subprocess.run([h.DRIADD, *args], capture_output=True, text=True, timeout=10)

    def test_version(self):
        result = self.run_driadd("--version")
        self.assertEqual(result.returncode, 0)
        self.assertRegex(result.stdout, r"^driadd \d+\.\d+\.\d+\n$")

    def test_help(self):
        result = self.run_driadd("--help")
        self.assertEqual(result.returncode, 0)
        for option in ("--config", "--check-config", "--demo", "--print-config", "--version", "--log-level"):
            self.assertIn(option, result.stdout)

    def test_usage_errors_exit_2(self):
        # Neither or both of --config and --demo.
        for args in ((), ("--demo", "--config", "x.json")):
            with self.subTest(args=args):
                result = self.run_driadd(*args)
                self.assertEqual(result.returncode, 2)
                self.assertIn("give exactly one of --config FILE, --demo or --check-config FILE", result.stderr)
        # Flags the parser rejects.
        for args in (("--no-such-flag",), ("--log-level", "loud"), ("--config",)):
            with self.subTest(args=args):
                result = self.run_driadd(*args)
                self.assertNotEqual(result.returncode, 0)
                self.assertEqual(result.stdout, "")
                self.assertTrue(result.stderr)

    def test_port_in_use_fails_to_start(self):
        taken = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        try:
            config = good_config()
            port = taken.getsockname()[1]
            config["listen"] = [f"127.0.0.1:{port}"]
            with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as out:
                json.dump(config, out)
            result = subprocess.run([h.DRIADD, "--config", out.name], capture_output=True, text=True, timeout=10)
            os.unlink(out.name)
        finally:
            taken.close()
        self.assertEqual(result.returncode, 1)
        # TCP is taken here; UDP may be too (a client's ephemeral port), and it is bound first.
        self.assertRegex(result.stderr, rf"cannot listen: (TCP|UDP) 127\.0\.0\.1 port {port}: Address already in use")


def demo_driad():
    """`driadd --demo --listen 127.0.0.1:P --listen [::1]:P` with its simulated
    MX and its admin API on free loopback ports (gNMI, control, admin); not
    started."""
    printed = subprocess.run([h.DRIADD, "--demo", "--print-config"], capture_output=True, text=True, timeout=10)
    demo = json.loads(printed.stdout)
    gnmi, control, admin = h.free_port(), h.free_port(), h.free_port()
    driad = h.Driad(demo, demo=True, extra_args=["--demo-mx-gnmi", f"127.0.0.1:{gnmi}",
                                                 "--demo-mx-control", f"127.0.0.1:{control}",
                                                 "--admin", f"127.0.0.1:{admin}"])
    driad.control_port = control
    return driad


def demo_control(driad, command):
    """One command to the demo MX's control port; its reply lines."""
    with socket.create_connection(("127.0.0.1", driad.control_port), timeout=2) as sock:
        sock.sendall(command.encode() + b"\n")
        reply = b""
        while not reply.endswith(b"ok\n") and b"error" not in reply:
            chunk = sock.recv(4096)
            if not chunk:
                break
            reply += chunk
    return reply.decode()


class DemoTest(unittest.TestCase):
    """The demo config, as printed and validated, and `driadd --demo` itself
    (its live group fed by the built-in simulated MX) on free ports."""

    maxDiff = None

    @classmethod
    def setUpClass(cls):
        printed = subprocess.run([h.DRIADD, "--demo", "--print-config"], capture_output=True, text=True, timeout=10)
        cls.print_result = printed
        cls.demo = json.loads(printed.stdout)
        cls.dir = tempfile.mkdtemp(prefix="driad-demo-")
        cls.addClassCleanup(subprocess.run, ["rm", "-rf", cls.dir], check=False)

    def test_print_config_is_json_that_check_config_accepts(self):
        self.assertEqual(self.print_result.returncode, 0)
        self.assertEqual(self.demo["listen"], ["127.0.0.1:5353", "[::1]:5353"])
        path = os.path.join(self.dir, "printed.json")
        with open(path, "w") as out:
            out.write(self.print_result.stdout)
        result = subprocess.run([h.DRIADD, "--check-config", path], capture_output=True, text=True, timeout=10)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(result.stdout, f"{path}: valid (2 zones, 5 sources, 3 relay groups)\n")

    def test_demo_static_groups(self):
        driad = demo_driad()
        self.addCleanup(driad.cleanup)
        driad.start()
        result = driad.dig("-x", "198.51.100.200", "-t", "AMTRELAY", "+tcp")
        self.assertEqual(result.rdatas(), ["10 0 1 203.0.113.15", "20 1 2 2001:db8::15",
                                           "30 0 3 amtrelays.example.com."], result)
        result = driad.dig("-x", "2001:db8:dead::1", "-t", "AMTRELAY", host="::1")
        self.assertEqual(result.rdatas(), ["0 0 0 ."], result)

    def wait_demo_answer(self, driad, expected, deadline, ttl=None):
        """Polls dig (both loopbacks in turn) every 50 ms until the README query
        answers `expected`; fails at monotonic `deadline`."""
        seen = []
        turn = 0
        while True:
            host = h.LOOPBACKS[turn % 2]
            turn += 1
            result = driad.dig("-x", "198.51.100.12", "-t", "AMTRELAY", host=host)
            self.assertEqual(result.status, "NOERROR", result)
            self.assertEqual(result.flags, {"qr", "aa", "rd"}, result)
            answer = [(r.name, r.ttl, r.type, r.rdata) for r in result.answer]
            if [r.rdata for r in result.answer] == expected and (ttl is None or {r.ttl for r in result.answer} == {ttl}):
                self.assertTrue(all(r[0] == "12.100.51.198.in-addr.arpa." and r[2] == "AMTRELAY" for r in answer))
                return time.monotonic()
            if not seen or seen[-1] != answer:
                seen.append(answer)
            if time.monotonic() >= deadline:
                self.fail(f"no {expected} (ttl {ttl}) in time; seen {seen}\n{driad.log()[-3000:]}")
            time.sleep(0.05)

    def test_demo_live_group_follows_the_simulated_mx(self):
        driad = demo_driad()
        self.addCleanup(driad.cleanup)
        started = time.monotonic()
        driad.start()
        # At first the MX is not proven: the gateway only, with the degraded TTL.
        result = driad.dig("-x", "198.51.100.12", "-t", "AMTRELAY")
        self.assertEqual([(r.name, r.ttl, r.type, r.rdata) for r in result.answer],
                         [("12.100.51.198.in-addr.arpa.", 5, "AMTRELAY", "20 0 1 192.0.2.11")], result)
        # After hold_up (5 s): MX first, on both addresses and for the IPv6 source too.
        mx_first = ["10 0 1 192.0.2.1", "20 0 1 192.0.2.11"]
        proven = self.wait_demo_answer(driad, mx_first, started + 5 + 3)
        self.assertGreaterEqual(proven - started, 5 - 0.2)
        for host in h.LOOPBACKS:
            result = driad.dig("-x", "198.51.100.12", "-t", "AMTRELAY", host=host)
            self.assertEqual(result.rdatas(), mx_first, result)
        result = driad.dig("-x", "2001:db8:1::1", "-t", "AMTRELAY", host="::1")
        self.assertEqual(result.rdatas(), mx_first, result)
        # The MX's relay interface goes down: gateway only within a second.
        sent = time.monotonic()
        self.assertTrue(demo_control(driad, "oper-status DOWN").endswith("ok\n"))
        self.wait_demo_answer(driad, ["20 0 1 192.0.2.11"], sent + 1.0, ttl=5)
        self.assertRegex(driad.log(), r"decision amt-us-east: mx_first -> gateway_only")


class ShutdownTest(unittest.TestCase):

    def test_sigterm_and_sigint_stop_cleanly(self):
        for sig in (signal.SIGTERM, signal.SIGINT):
            with self.subTest(signal=sig.name):
                driad = h.Driad(h.base_config())
                self.addCleanup(driad.cleanup)
                driad.start()
                driad.proc.send_signal(sig)
                self.assertEqual(driad.proc.wait(5), 0)
                self.assertRegex(driad.log(), rf"signal {int(sig)}: stopping")
                self.assertIn("stopped", driad.log())
                # The ports are free again.
                self.assertIsNone(driad.udp(h.build_query("51.198.in-addr.arpa.", "SOA"), timeout=0.2))

    def test_signals_at_the_first_answer_are_handled(self):
        # SIGHUP or SIGTERM sent the moment driadd first answers must be handled
        # (reload, clean stop), not kill it with the default action.
        for attempt in range(16):
            sig = signal.SIGHUP if attempt % 2 == 0 else signal.SIGTERM
            with self.subTest(attempt=attempt, signal=sig.name):
                port = h.free_port()
                config = dict(h.base_config(), listen=[f"127.0.0.1:{port}"])
                with tempfile.TemporaryDirectory(prefix="driad-signal-") as tmp:
                    path = os.path.join(tmp, "driad.json")
                    with open(path, "w") as out:
                        json.dump(config, out)
                    proc = subprocess.Popen([h.DRIADD, "--config", path], stdout=subprocess.DEVNULL,
                                            stderr=subprocess.PIPE, text=True)
                    try:
                        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
                            sock.connect(("127.0.0.1", port))
                            sock.settimeout(0.005)
                            query = h.build_query("51.198.in-addr.arpa.", "SOA")
                            # Bounded in time, not in tries: a refused send
                            # returns at once, and a sanitizer build starts slowly.
                            answered = False
                            deadline = time.monotonic() + 30
                            while not answered and time.monotonic() < deadline:
                                try:
                                    sock.send(query)
                                    sock.recv(512)
                                    answered = True
                                except (ConnectionRefusedError, socket.timeout):
                                    self.assertIsNone(proc.poll())
                            self.assertTrue(answered, "driadd never answered")
                            proc.send_signal(sig)
                        if sig == signal.SIGHUP:
                            reply = h.udp_exchange("127.0.0.1", port, h.build_query("12.100.51.198.in-addr.arpa."))
                            self.assertIsNotNone(reply)
                            self.assertEqual(len(h.Message(reply).answer), 4)
                            self.assertIsNone(proc.poll())
                            proc.send_signal(signal.SIGTERM)
                        self.assertEqual(proc.wait(5), 0)
                        self.assertIn("stopped", proc.stderr.read())
                    finally:
                        if proc.poll() is None:
                            proc.kill()
                            proc.wait()
                        proc.stderr.close()

    def test_sigterm_with_open_tcp_connections(self):
        driad = h.Driad(dict(h.base_config(), threads=2))
        self.addCleanup(driad.cleanup)
        driad.start()
        sockets = [h.tcp_connect(host, driad.port) for host in h.LOOPBACKS for _ in range(3)]
        self.addCleanup(lambda: [s.close() for s in sockets])
        sockets[0].sendall(h.frame(h.build_query("12.100.51.198.in-addr.arpa."))[:7])  # half a query
        sockets[1].sendall(h.frame(h.build_query("12.100.51.198.in-addr.arpa.", qid=5)))
        self.assertEqual(h.Message(h.recv_framed(sockets[1])).id, 5)
        driad.proc.send_signal(signal.SIGTERM)
        self.assertEqual(driad.proc.wait(5), 0, driad.log())
        self.assertIn("stopped", driad.log())
        for sock in sockets:
            self.assertIsNotNone(h.wait_closed(sock, 2.0))


if __name__ == "__main__":
    h.main()
