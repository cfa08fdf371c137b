"""Fault injection with real processes: driadd keeps answering, and keeps to its
rules, while its MX is killed, stalled, fed garbage or churned; while Traffic
Ops stops accepting its login or loses every relay; across reloads of every
class of bad config; and with a topology cache file that is corrupt, missing or
unwritable at start.

    python3 test_faults.py --driadd D --mx-sim M --amt-responder A --to-sim T

Timings: hold_up_s 1; from live_common stale_after_ms 1000 (heartbeats every
333 ms) and degraded_ttl 1; Traffic Ops polled every second. The churn runs at
10,000 flips a second for CHURN_SECONDS (30, as the hardening issue asks; the
environment variable DRIAD_FAULTS_CHURN_S shortens it). Every wait is bounded,
dig is polled every 50 ms, and everything listens on 127.0.0.0/8."""

import copy
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

import driad_harness as h
import live_common as lc
from live_common import GATEWAY_ONLY, MX_FIRST, STALE_AFTER_MS
import test_traffic_ops as tot

# Sanitizer builds run several times slower: their test presets set
# DRIAD_TIME_SCALE (CMakePresets.json), which stretches the deadlines below and
# slows the churn to what such a build can read.
TIME_SCALE = float(os.environ.get("DRIAD_TIME_SCALE", "1"))
FAST = 1.0 * TIME_SCALE  # a fault must reach the answer within this many seconds
HOLD_UP_S = 1  # shorter than live_common's: this file waits out many hold-ups
STALE_S = STALE_AFTER_MS / 1000
HEARTBEAT_S = STALE_S / 3
# From an MX restart to MX first: driadd's backoff after half a second of
# failures (under a second), the hold-up, a margin.
RECONNECT_S = (1 + HOLD_UP_S + 2) * TIME_SCALE

CHURN_RATE = int(10_000 / TIME_SCALE**2)
CHURN_SECONDS = int(os.environ.get("DRIAD_FAULTS_CHURN_S", "30"))
RSS_GROWTH_LIMIT_KIB = 20 * 1024

# A change of the live group's decision kind, or of the MX feed's state (the
# end of a degraded-TTL window is logged too, without an arrow after the kind).
DECISION_CHANGE = r"decision east: \w+ -> "
FEED_CHANGE = r"mx feed east: \w+ -> \w+"


def note(text):
    """A timing worth reporting, on stderr next to unittest's own lines."""
    print(f"    [faults] {text}", file=sys.stderr, flush=True)


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for pid {pid}")


def cpu_seconds(pid):
    """User plus system CPU time of `pid` so far."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def start_driad(config, backup_poll_ms=None):
    """live_common.start_driad, optionally with gRPC's backup poller interval;
    not started yet."""
    env = {"GNMI_USERNAME": lc.USERNAME, "GNMI_PASSWORD": lc.PASSWORD}
    if backup_poll_ms is not None:
        env["GRPC_CLIENT_CHANNEL_BACKUP_POLL_INTERVAL_MS"] = backup_poll_ms
    return h.Driad(config, hosts=("127.0.0.1",), env=env)


def mx_sim_args(pki, listen):
    """live_common.start_mx_sim's mx-sim (mTLS, password), on `listen`."""
    return ["--listen", listen, "--control", "127.0.0.1:0",
            "--tls-cert", pki.path("server.crt"), "--tls-key", pki.path("server.key"),
            "--client-ca", pki.path("ca.crt"), "--username", lc.USERNAME, "--password", lc.PASSWORD,
            "--anycast", lc.MX_RELAY, "--tunnels", "10"]


class MxTestCase(lc.LiveTestCase):
    """A live group following an mTLS mx-sim; each test starts from a
    healthy, proven MX (MX first)."""

    # gRPC's backup poller runs every 5 s by default; see MxRestartGapTest.
    BACKUP_POLL_MS = "100"

    @classmethod
    def setUpClass(cls):
        cls.start_peers()
        cls.good = cls.make_config()
        cls.driad = start_driad(cls.good, cls.BACKUP_POLL_MS)
        cls.addClassCleanup(cls.driad.cleanup)
        cls.driad.start()

    @classmethod
    def make_config(cls):
        config = lc.live_config(cls.mx, cls.responder, cls.pki.tls())
        config["policy"]["hold_up_s"] = HOLD_UP_S
        return config

    def setUp(self):
        for command in ("churn stop", "resume", "refuse off", "oper-status UP", "ud-status UP",
                        "anycast present", "tunnels 10"):
            self.mx.control(command)
        self.responder.control("mode ok")
        self.wait_answer(MX_FIRST, within=RECONNECT_S + 2)

    def tearDown(self):
        self.assertIsNone(self.driad.proc.poll(), f"driadd exited\n{self.context()}")

    def restart_mx_sim(self, port):
        """A new mx-sim on the gNMI port of the killed one (bounded retries
        while the port is still held); cleaned up with the class."""
        for attempt in range(25):
            try:
                mx = h.Helper(h.MX_SIM, mx_sim_args(self.pki, f"127.0.0.1:{port}"), "mx-sim").start()
                break
            except RuntimeError:
                if attempt == 24:
                    raise
                time.sleep(0.2)
        type(self).addClassCleanup(mx.cleanup)
        type(self).mx = mx
        return mx

    def subscriptions(self):
        """How often driadd has subscribed to the MX so far."""
        return len(re.findall(r"mx feed east: .* subscribing", self.driad.log()))


class MxFaultTest(MxTestCase):
    """mx-sim killed, stalled, fed garbage and churned."""

    def test_kill_9_then_restart_on_the_same_port(self):
        port = self.mx.ports["gnmi"]
        killed = time.monotonic()
        self.mx.proc.kill()
        self.mx.proc.wait(5)
        took, answer = self.wait_answer(GATEWAY_ONLY, within=STALE_S + FAST, since=killed)
        self.assertEqual(answer.ttls, [lc.DEGRADED_TTL])
        note(f"kill -9: gateway only after {took:.2f} s")
        # Dead for a while: driadd retries (backoff) and answers every query.
        answered = self.hold_answer(GATEWAY_ONLY, until=killed + 0.5)
        self.assertRegex(self.driad.log(), r"mx feed east: .*retrying in \d+ ms")
        self.mx.cleanup()

        self.restart_mx_sim(port)
        restarted = time.monotonic()
        # Not before the new MX has been proven for hold_up_s; then MX first
        # (with gRPC's backup poller at 100 ms: see MxRestartGapTest).
        self.hold_answer(GATEWAY_ONLY, until=restarted + HOLD_UP_S - 0.15)
        took, _ = self.wait_answer(MX_FIRST, within=RECONNECT_S, since=restarted)
        self.assertGreaterEqual(took, HOLD_UP_S - 0.15)
        self.assertIn("streams=1", self.mx.control("state")[0])
        note(f"kill -9: {answered} digs answered while mx-sim was dead; MX first {took:.2f} s "
             f"after the restart")

    def test_stall_past_stale_after_then_resume(self):
        subscribed = self.subscriptions()
        stalled = self.mx_control("stall")
        # Heartbeats stop: stale between stale_after - one heartbeat and
        # stale_after (plus a tick) after the stall.
        took, answer = self.wait_answer(GATEWAY_ONLY, within=STALE_S + FAST, since=stalled)
        self.assertGreaterEqual(took, STALE_S - HEARTBEAT_S - 0.1)
        self.assertEqual(answer.ttls, [lc.DEGRADED_TTL])
        self.assertIsNotNone(self.driad.wait_log(r"decision east: mx_first -> gateway_only \(MX stale", 1.0),
                             self.context())
        # Well past stale_after: gateway only throughout, every query answered.
        answered = self.hold_answer(GATEWAY_ONLY, until=stalled + 2.5 * STALE_S)
        # The MX goes down while stalled: resume delivers that (the same
        # stream carries on), so no recovery.
        self.mx_control("oper-status DOWN")
        offset = len(self.driad.log())
        resumed = self.mx_control("resume")
        self.assertIsNotNone(self.driad.wait_log(r"mx feed east: healthy -> unhealthy \(relay interface "
                                                 r"oper-status DOWN", FAST, offset), self.context())
        self.hold_answer(GATEWAY_ONLY, until=resumed + HOLD_UP_S + 0.3)
        up = self.mx_control("oper-status UP")
        self.hold_answer(GATEWAY_ONLY, until=up + HOLD_UP_S - 0.15)
        recovered, _ = self.wait_answer(MX_FIRST, within=HOLD_UP_S + FAST, since=up)
        # The stalled stream itself came back: driadd did not resubscribe.
        self.assertEqual(self.subscriptions(), subscribed, self.context())
        note(f"stall: gateway only after {took:.2f} s; {answered} digs answered in "
             f"{2.5 * STALE_S:.1f} s of stall; MX first {recovered:.2f} s after oper-status UP")

    # -- garbage on the stream ------------------------------------------------

    def send_garbage(self, kind):
        """Sends `garbage KIND`; (log offset, subscriptions, monotonic time sent)."""
        offset = len(self.driad.log())
        subscribed = self.subscriptions()
        sent = time.monotonic()
        lines = self.mx.control(f"garbage {kind}")
        self.assertRegex(lines[0], rf"^garbage {kind}: \d+ responses to each of 1 streams$")
        return offset, subscribed, sent

    def assert_stream_kept(self, subscribed):
        self.assertEqual(self.subscriptions(), subscribed, self.context())
        self.assertIn("streams=1", self.mx.control("state")[0])

    def assert_garbage_ignored(self, kind):
        """The MX stays healthy and proven (MX first) on the same stream, and
        the garbage changes nothing: a real change sent after it on that
        stream is the first feed state change driadd logs, which also shows
        that driadd read past the garbage."""
        offset, subscribed, sent = self.send_garbage(kind)
        self.hold_answer(MX_FIRST, until=sent + 0.5)
        self.assert_stream_kept(subscribed)
        # Not oper-status: the bad paths carry "DOWN" for it.
        self.mx_control("anycast absent")
        log = self.driad.wait_log(FEED_CHANGE, FAST, offset)
        self.assertIsNotNone(log, self.context())
        first = re.search(FEED_CHANGE + r".*", log)
        self.assertRegex(first.group(0), r"healthy -> unhealthy \(anycast address absent ")
        self.assertNotRegex(log[:first.start()], DECISION_CHANGE, self.context())

    def test_garbage_unknown_paths_are_ignored(self):
        self.assert_garbage_ignored("unknown-path")

    def test_garbage_bad_paths_are_ignored(self):
        # Each bad path carries "DOWN" for lo0's oper-status: a misread one
        # would take the MX down.
        self.assert_garbage_ignored("bad-path")

    def test_garbage_without_values_is_ignored(self):
        # Values that cannot be decoded are rejects: the leaf keeps its value.
        self.assert_garbage_ignored("no-value")

    def test_garbage_huge_values_are_ignored(self):
        self.assert_garbage_ignored("huge")

    def test_garbage_wrong_types_read_as_not_up(self):
        # The client turns any scalar into text: oper-status int 1 is "1",
        # not "UP", so the MX is unhealthy until a heartbeat says "UP" again;
        # then the hold-up runs. The undecodable counters are rejects.
        offset, subscribed, sent = self.send_garbage("wrong-type")
        took, answer = self.wait_answer(GATEWAY_ONLY, within=FAST, since=sent)
        self.assertEqual(answer.ttls, [lc.DEGRADED_TTL])
        log = self.driad.wait_log(r"mx feed east: healthy -> unhealthy", 1.0, after=offset)
        self.assertIsNotNone(log, self.context())
        self.assertRegex(log, r"mx feed east: healthy -> unhealthy \(relay interface oper-status 1 "
                              r"\(/interfaces/interface\[name=lo0\]/state/oper-status\)\)")
        self.assertRegex(log, r"decision east: mx_first -> gateway_only")
        recovered, _ = self.wait_answer(MX_FIRST, within=HEARTBEAT_S + HOLD_UP_S + FAST, since=sent)
        self.assertGreaterEqual(recovered, HOLD_UP_S - 0.15)
        self.assert_stream_kept(subscribed)
        note(f"garbage wrong-type: gateway only after {took:.2f} s, MX first again after {recovered:.2f} s")

    def test_garbage_all_kinds_at_once(self):
        offset, subscribed, sent = self.send_garbage("all")
        self.wait_answer(GATEWAY_ONLY, within=FAST, since=sent)
        self.wait_answer(MX_FIRST, within=HEARTBEAT_S + HOLD_UP_S + FAST, since=sent)
        self.assert_stream_kept(subscribed)
        # One state change each way, no flapping in between.
        log = self.driad.log()[offset:]
        self.assertEqual(len(re.findall(DECISION_CHANGE, log)), 2, log)

    def test_garbage_rejects_are_logged(self):
        """Values MxFeed cannot decode are counted (driad_mx_rejects_total) and
        logged, at most once a second (with the next message at the latest)."""
        offset, subscribed, _ = self.send_garbage("no-value")
        self.assertIsNotNone(
            self.driad.wait_log(r"mx feed east: rejected \d+ value\(s\) it could not decode", HEARTBEAT_S + 2, after=offset),
            self.context())

    # -- churn ----------------------------------------------------------------

    def test_churn_10000_updates_a_second(self):
        # The tunnel count flips 10 <-> 11 of max_tunnels 100: far under the
        # watermarks, so the answer must stay MX first throughout.
        pid = self.driad.proc.pid
        subscribed = self.subscriptions()
        offset = len(self.driad.log())
        churned_before = self.churned()
        start_rss = peak_rss = rss_kib(pid)
        start_cpu = cpu_seconds(pid)
        started = self.mx_control(f"churn {CHURN_RATE} {CHURN_SECONDS}")
        digs = 0
        behind = 0  # the most responses mx-sim held for driadd at once
        while time.monotonic() < started + CHURN_SECONDS:
            answer = self.answer()
            self.assertEqual(answer.rdatas, MX_FIRST, f"after {digs} digs\n{self.context()}")
            digs += 1
            peak_rss = max(peak_rss, rss_kib(pid))
            behind = max(behind, self.mx_state("queued"))
            time.sleep(self.POLL)
        end_rss = rss_kib(pid)
        # The run ends by itself at CHURN_SECONDS; then driadd reads what is
        # still queued for it (bounded).
        ended = time.monotonic()
        while True:
            state = self.mx.control("state")[0]
            if "churn=off" in state and " queued=0 " in state:
                break
            self.assertLess(time.monotonic() - ended, 15, state)
            time.sleep(0.1)
        drained = time.monotonic() - ended
        flips = self.churned() - churned_before
        self.assertGreater(flips, 0)
        self.assertGreater(digs, 0)
        # ASan keeps freed memory in quarantine (and TSan keeps shadow state),
        # so the bound holds only for a plain build.
        if h.sanitizer_of(pid) is None:
            self.assertLess(peak_rss - start_rss, RSS_GROWTH_LIMIT_KIB,
                            f"RSS {start_rss} KiB -> peak {peak_rss} KiB, end {end_rss} KiB")
        # Every flip was read: the stream never filled mx-sim's queue (it
        # would have been ended as "client too slow").
        self.assertNotIn("client not reading", self.mx.log())
        self.assert_stream_kept(subscribed)
        self.assertNotRegex(self.driad.log()[offset:], DECISION_CHANGE)
        self.assertNotRegex(self.driad.log()[offset:], FEED_CHANGE)
        cpu = cpu_seconds(pid) - start_cpu
        # Nothing is left queued: a fault right after the churn takes effect at once.
        down = self.mx_control("oper-status DOWN")
        # (A sanitizer build reads the backlog several times slower.)
        within = FAST if h.sanitizer_of(pid) is None else 4 * FAST
        lag, _ = self.wait_answer(GATEWAY_ONLY, within=within, since=down)
        note(f"churn: {flips} flips in {CHURN_SECONDS} s ({flips / CHURN_SECONDS:.0f}/s); {digs} digs, "
             f"all MX first; RSS {start_rss} KiB -> peak {peak_rss} KiB, end {end_rss} KiB; driadd used "
             f"{cpu:.1f} s of CPU; at most {behind} responses queued for it, drained {drained:.2f} s after "
             f"the end; oper-status DOWN then: gateway only in {lag:.2f} s")

    def mx_state(self, key):
        """A number from mx-sim's `state` line."""
        found = re.search(rf" {key}=(\d+)", self.mx.control("state")[0])
        self.assertIsNotNone(found, key)
        return int(found.group(1))

    def churned(self):
        return self.mx_state("churned")


class MxRestartGapTest(MxTestCase):
    """With gRPC's default backup poller (every 5 s): a failed channel's own
    reconnect attempt completes only when something polls it, and a call made
    meanwhile fails at once with the old error. MxFeed resets the channel's
    backoff and polls it before each retry, so an MX restarted after half a
    second is back in the answer within driadd's backoff plus hold_up_s."""

    BACKUP_POLL_MS = None

    def test_mx_restart_is_noticed_at_the_next_retry(self):
        port = self.mx.ports["gnmi"]
        killed = time.monotonic()
        self.mx.proc.kill()
        self.mx.proc.wait(5)
        self.wait_answer(GATEWAY_ONLY, within=STALE_S + FAST, since=killed)
        time.sleep(max(0.0, killed + 0.5 - time.monotonic()))
        self.mx.cleanup()
        self.restart_mx_sim(port)
        self.wait_answer(MX_FIRST, within=RECONNECT_S)


# ---------------------------------------------------------------------------
# Config reloads


STATIC_SOURCE = "198.51.100.140"
STATIC_RELAYS = ["10 0 1 203.0.113.15", "20 0 3 amtrelays.example.com."]
ORIGIN = "100.51.198.in-addr.arpa."
BAD_GNMI_PATH = "/interfaces/interface[name=lo0/state/oper-status"  # unbalanced "["


class ReloadTestCase(MxTestCase):
    """The live group plus a static one; SIGHUP with broken configs."""

    @classmethod
    def make_config(cls):
        config = super().make_config()
        config["sources"] = [{"prefix": "198.51.100.0/25", "relay_group": "east"},
                             {"prefix": "198.51.100.128/25", "relay_group": "static"}]
        config["relay_groups"].append({"name": "static", "relays": list(STATIC_RELAYS)})
        return config

    def setUp(self):
        super().setUp()
        # Settled: the degraded TTL after the last change is over, so the
        # serial moves only if a reload changes something.
        deadline = time.monotonic() + HOLD_UP_S + 3
        while self.answer().ttls != [lc.TTL]:
            self.assertLess(time.monotonic(), deadline, self.context())
            time.sleep(self.POLL)

    def served(self):
        """What a client sees: the live answer, the static one and the serial."""
        static = self.driad.dig("-x", STATIC_SOURCE, "-t", "AMTRELAY")
        self.assertEqual(static.status, "NOERROR", static)
        soa = self.driad.dig(ORIGIN, "SOA", "+short")
        self.assertEqual(soa.returncode, 0, soa)
        return self.answer().rdatas, static.rdatas("AMTRELAY"), soa.text.split()[2]

    def reload_rejected(self, config=None, text=None):
        """SIGHUP with a broken config: rejected, answers and serial unchanged,
        no feed restarted. The log since the reload."""
        before = self.served()
        self.assertEqual(before[:2], (MX_FIRST, STATIC_RELAYS))
        offset = len(self.driad.log())
        self.driad.reload(config, text)
        log = self.driad.wait_log(r"reload rejected: still serving the previous config|reload: config .* applied",
                                  after=offset)
        self.assertIsNotNone(log, self.context())
        self.assertIn("reload rejected: still serving the previous config", log, self.context())
        self.assertNotIn("health feeds:", log)
        self.assertEqual(self.served(), before)
        return log

    def bad(self, change):
        config = copy.deepcopy(self.good)
        change(config)
        return config


class ReloadFaultTest(ReloadTestCase):
    """Every class of bad config that test_reload.py does not cover (it
    covers truncated JSON, a bad relay text, a source outside every zone and
    a missing file) is rejected, and the old config keeps serving: the same
    answers, the same serial, the same feeds."""

    def test_bad_configs_are_rejected(self):
        def group(config, name):
            return next(g for g in config["relay_groups"] if g["name"] == name)

        cases = [
            ("empty file", None, "", r"not valid JSON"),
            ("not an object", None, "[]", r"driad\.json: /: must be an object, not array"),
            ("JSON with a trailing comma", None, '{"listen": [],}', r"not valid JSON"),
            ("unknown top-level key", lambda c: c.update(listen_addresses=[]),
             None, r"driad\.json: /listen_addresses: unknown key"),
            ("unknown nested key", lambda c: c["policy"].update(stale_afer_ms=500),
             None, r"driad\.json: /policy/stale_afer_ms: unknown key"),
            ("zone origin outside the reverse trees",
             lambda c: c["zones"][0].update(origin="100.51.198.example."),
             None, r"driad\.json: /zones/0/origin: '100\.51\.198\.example\.' is not under in-addr\.arpa\. or "
                   r"ip6\.arpa\."),
            ("duplicate group name", lambda c: c["relay_groups"].append({"name": "static", "relays": ["0 0 0 ."]}),
             None, r"driad\.json: /relay_groups/2/name: 'static' is also /relay_groups/1"),
            ("source naming no group", lambda c: c["sources"][1].update(relay_group="nowhere"),
             None, r"driad\.json: /sources/1/relay_group: 'nowhere' is not a relay group"),
            ("watermarks crossed", lambda c: c["policy"].update(low_watermark=0.9),
             None, r"driad\.json: /policy/low_watermark: must not be above high_watermark"),
            ("traffic_ops url not http",
             lambda c: c.update(traffic_ops={"url": "ftp://to.example.net", "cdn": "mcast-cdn"}),
             None, r"driad\.json: /traffic_ops/url: 'ftp://to\.example\.net' is not an http:// or https:// URL"),
            ("gnmi_target without a port", lambda c: group(c, "east")["mx"].update(gnmi_target="127.0.0.1"),
             None, r"driad\.json: /relay_groups/0/mx/gnmi_target: '127\.0\.0\.1' is not host:port"),
            ("gateway relay not an address", lambda c: group(c, "east")["gateways"][0].update(relay="gw.example."),
             None, r"driad\.json: /relay_groups/0/gateways/0/relay: 'gw\.example\.' is not an IPv4 or IPv6 "
                   r"address"),
            ("tls without a key", lambda c: group(c, "east")["mx"]["tls"].pop("key"),
             None, r"driad\.json: /relay_groups/0/mx/tls/key: is required"),
        ]
        for name, change, text, pattern in cases:
            with self.subTest(name):
                config = self.bad(change) if change is not None else None
                log = self.reload_rejected(config, text)
                self.assertRegex(log, r"reload rejected: .*" + pattern)

    def test_malformed_gnmi_path_is_rejected_as_check_config_does(self):
        config = self.bad(lambda c: c["relay_groups"][0]["mx"].update(paths={"relay_status": BAD_GNMI_PATH}))
        log = self.reload_rejected(config)
        self.assertRegex(log, r"reload rejected: .*driad\.json: /relay_groups/0/mx/paths: relay_status '")
        path = os.path.join(self.driad.dir, "check.json")
        with open(path, "w") as out:
            json.dump(dict(config, listen=[h.listen_text(self.driad.host, self.driad.port)]), out)
        checked = subprocess.run([h.DRIADD, "--check-config", path], capture_output=True, text=True, timeout=10)
        self.assertEqual(checked.returncode, 1, checked)
        self.assertIn("/relay_groups/0/mx/paths: relay_status '", checked.stderr)

    def test_unreadable_tls_files_keep_the_old_feed(self):
        """TLS files that cannot be read reject the reload (the running feed
        keeps its connection), and --check-config names them."""
        missing = "/nonexistent/driad-faults/ca.crt"
        config = self.bad(lambda c: c["relay_groups"][0]["mx"]["tls"].update(ca=missing))
        try:
            log = self.reload_rejected(config)
            self.assertIn(f"/relay_groups/0/mx/tls/ca: cannot read {missing}: No such file or directory", log)
            path = os.path.join(self.driad.dir, "unreadable-tls.json")
            with open(path, "w") as out:
                json.dump(dict(config, listen=[h.listen_text(self.driad.host, self.driad.port)]), out)
            checked = subprocess.run([h.DRIADD, "--check-config", path], capture_output=True, text=True,
                                     timeout=10)
            self.assertEqual(checked.returncode, 1, checked)
            self.assertIn(f"/relay_groups/0/mx/tls/ca: cannot read {missing}", checked.stderr)
        finally:
            offset = len(self.driad.log())
            self.driad.reload(self.good)
            self.driad.wait_log(r"reload: config .* applied", after=offset)

    def test_good_reload_after_rejected_ones_applies(self):
        # The rejected reloads left nothing behind: the good file is applied
        # with no feed restart (nothing changed) and the same answers.
        self.reload_rejected(text="{")
        offset = len(self.driad.log())
        self.driad.reload(self.good)
        self.assertIsNotNone(self.driad.wait_log(r"reload: config .* applied", after=offset), self.context())
        self.assertNotIn("health feeds:", self.driad.log()[offset:])
        self.hold_answer(MX_FIRST, until=time.monotonic() + 0.5)


# ---------------------------------------------------------------------------
# Traffic Ops and the topology cache


EAST_ANSWER = [f"20 0 1 {tot.EAST_GW}"]  # no MX answers gNMI: the gateway alone
WEST_ANSWER = [f"20 0 1 {tot.WEST_GW}"]


class ToTestCase(unittest.TestCase):
    """to-sim serving the fixtures (loopback addresses), an amt-responder for
    each cachegroup's gateway, and no MX listening (so each group answers with
    its gateway). Each test starts its own driadd and leaves to-sim in mode ok
    with the fixture servers."""

    maxDiff = None

    @classmethod
    def setUpClass(cls):
        if not h.TO_SIM or not h.MX_SIM or not h.AMT_RESPONDER:
            raise unittest.SkipTest("needs --to-sim, --mx-sim and --amt-responder")
        cls.dir = tempfile.mkdtemp(prefix="driad-faults-to-")
        cls.addClassCleanup(lambda: os.environ.get("DRIAD_KEEP_LOGS") or shutil.rmtree(cls.dir, True))
        fixtures = os.path.join(cls.dir, "fixtures")
        shutil.copytree(tot.FIXTURES, fixtures)
        cls.servers = tot.loopback_servers(os.path.join(tot.FIXTURES, "servers.json"))
        with open(os.path.join(fixtures, "servers.json"), "w") as out:
            json.dump(cls.servers, out)
        cls.to = tot.ToSim(fixtures)
        cls.addClassCleanup(cls.to.stop)
        cls.probe_port = tot.free_port_on(tot.EAST_GW, tot.WEST_GW)
        for host in (tot.EAST_GW, tot.WEST_GW):
            responder = tot.responder_at(host, cls.probe_port)
            cls.addClassCleanup(responder.cleanup)
        # Nothing listens here: every MX stays unhealthy.
        cls.gnmi_port = tot.free_port_on(tot.EAST_MX_MGMT, tot.WEST_MX_MGMT)

    def tearDown(self):
        self.to.mode("ok")
        self.to.put("servers", self.servers)

    def config(self, cache_file):
        return {
            "listen": [],
            "threads": 1,
            "zones": [h.zone(ORIGIN)],
            "sources": [{"prefix": "198.51.100.0/25", "relay_group": "amt-us-east"},
                        {"prefix": "198.51.100.128/26", "relay_group": "amt-us-west"}],
            "relay_groups": [],
            "policy": {"ttl": 30, "degraded_ttl": 1, "hold_up_s": 1, "stale_after_ms": 1000},
            "traffic_ops": {"url": self.to.url, "api_version": "4.0", "cdn": "mcast-cdn",
                            "poll_interval_s": 1, "timeout_ms": 500, "cache_file": cache_file,
                            "gnmi_port": self.gnmi_port,
                            "gateway": {"probe_port": self.probe_port, "probe_interval_ms": 200,
                                        "probe_timeout_ms": 100}},
        }

    def start_driad(self, cache_file):
        driad = h.Driad(self.config(cache_file), hosts=("127.0.0.1",),
                        env={"TO_USER": tot.TO_USER, "TO_PASSWORD": tot.TO_PASSWORD})
        driad.start()
        self.addCleanup(driad.cleanup)
        return driad

    def relays(self, driad, source):
        result = h.dig(driad.host, driad.port, "-x", source, "-t", "AMTRELAY")
        self.assertEqual(result.returncode, 0, result)
        return result.rdatas("AMTRELAY") if result.status == "NOERROR" else result.status

    def context(self, driad):
        return f"driadd log:\n{driad.log()[-4000:]}\nto-sim log:\n{self.to.log()[-1500:]}"

    def wait_relays(self, driad, expected, source=tot.EAST_SOURCE, within=10.0):
        started = time.monotonic()
        seen = []
        while True:
            got = self.relays(driad, source)
            if got == expected:
                return time.monotonic() - started
            if not seen or seen[-1] != got:
                seen.append(got)
            if time.monotonic() - started >= within:
                self.fail(f"{source}: no {expected} within {within} s; seen {seen}\n{self.context(driad)}")
            time.sleep(0.1)

    def hold_relays(self, driad, expected, seconds, source=tot.EAST_SOURCE):
        until = time.monotonic() + seconds
        count = 0
        while time.monotonic() < until:
            self.assertEqual(self.relays(driad, source), expected, self.context(driad))
            count += 1
            time.sleep(0.1)
        return count

    def serving(self, driad):
        """Both groups answer with their gateway."""
        self.wait_relays(driad, EAST_ANSWER)
        self.wait_relays(driad, WEST_ANSWER, source=tot.WEST_SOURCE)

    def cache_path(self, name):
        return os.path.join(self.dir, name)

    @staticmethod
    def read_text(path):
        with open(path) as f:
            return f.read()


class TrafficOpsFaultTest(ToTestCase):
    """Traffic Ops faults test_traffic_ops.py does not cover (it covers 500s,
    hangs, garbage, truncated bodies and an empty server list while running),
    and the topology cache file corrupt, missing or unwritable at start."""

    def test_a_login_that_starts_failing_keeps_the_last_topology(self):
        driad = self.start_driad(self.cache_path("login.json"))
        self.serving(driad)
        before = self.to.stats()
        offset = len(driad.log())
        self.to.mode("login-fail")
        self.to.request("POST", "/_sim/expire-sessions")  # the next poll must log in again
        answered = self.hold_relays(driad, EAST_ANSWER, 2.5)
        self.assertEqual(self.relays(driad, tot.WEST_SOURCE), WEST_ANSWER)
        after = self.to.stats()
        self.assertGreaterEqual(after["login_failures"], before["login_failures"] + 2, after)
        self.assertGreaterEqual(after["unauthorized"], before["unauthorized"] + 1, after)
        log = driad.log()[offset:]
        self.assertRegex(log, r"traffic ops .*keeping the last topology", self.context(driad))
        self.assertNotIn(tot.TO_PASSWORD, driad.log())
        # Traffic Ops takes the login again: polling resumes, nothing changed.
        self.to.mode("ok")
        self.assertIsNotNone(driad.wait_log(r"traffic ops .*: fetching again after \d+ failures", 5.0, offset),
                             self.context(driad))
        self.hold_relays(driad, EAST_ANSWER, 1.0)
        note(f"login-fail: {after['login_failures'] - before['login_failures']} failed logins, "
             f"{answered} digs answered unchanged")

    def test_every_relay_removed_is_refused_and_not_cached(self):
        cache = self.cache_path("removed.json")
        driad = self.start_driad(cache)
        self.serving(driad)
        cached = self.read_text(cache)
        offset = len(driad.log())
        self.to.put("servers", {"response": []})
        self.assertIsNotNone(driad.wait_log(r"refusing a topology without advertised relays \(0 servers, none ONLINE or REPORTED; the last one had 4\)",
                                            5.0, offset), self.context(driad))
        self.hold_relays(driad, EAST_ANSWER, 1.5)
        self.assertEqual(self.relays(driad, tot.WEST_SOURCE), WEST_ANSWER)
        # The refused topology never reached the cache.
        self.assertEqual(self.read_text(cache), cached)

    def test_restart_on_the_cache_while_traffic_ops_lists_no_relays(self):
        cache = self.cache_path("restart.json")
        first = self.start_driad(cache)
        self.serving(first)
        first.stop()
        self.to.put("servers", {"response": []})
        second = self.start_driad(cache)
        # The cached groups serve, and the empty list does not replace them.
        self.assertRegex(second.log(), r"Traffic Ops cache .* loaded")
        self.serving(second)
        self.assertIsNotNone(second.wait_log(r"refusing a topology without advertised relays \(0 servers, none ONLINE or REPORTED; the last one had 4\)", 5.0),
                             self.context(second))
        self.hold_relays(second, EAST_ANSWER, 1.5)

    def test_every_relay_offline_is_refused_too(self):
        """A list whose relays are all OFFLINE (none advertised) is refused like
        an empty one: taking it would leave every group without a relay."""
        driad = self.start_driad(self.cache_path("offline.json"))
        self.serving(driad)
        offline = copy.deepcopy(self.servers)
        for server in offline["response"]:
            server["status"] = "OFFLINE"
        offset = len(driad.log())
        self.to.put("servers", offline)
        self.assertIsNotNone(driad.wait_log(r"Traffic Ops topology applied|refusing a topology", 5.0, offset),
                             self.context(driad))
        self.hold_relays(driad, EAST_ANSWER, 1.5)

    # -- the topology cache file ------------------------------------------------

    def start_while_traffic_ops_fails(self, cache):
        """driadd started with Traffic Ops answering 500: it starts, serves
        SERVFAIL for the Traffic Ops groups, and they appear once Traffic Ops
        answers; the cache is then written whole."""
        self.to.mode("error500")
        driad = self.start_driad(cache)
        self.assertIsNotNone(driad.wait_log(r"relay group 'amt-us-east' is not known yet", 2.0),
                             self.context(driad))
        self.hold_relays(driad, "SERVFAIL", 1.2)
        self.to.mode("ok")
        took = self.wait_relays(driad, EAST_ANSWER)
        self.wait_relays(driad, WEST_ANSWER, source=tot.WEST_SOURCE)
        with open(cache) as f:
            written = json.load(f)
        self.assertEqual(sorted({s["cachegroup"] for s in written["servers"]}), ["amt-us-east", "amt-us-west"])
        self.assertIn("version", written)
        return driad, took

    def test_corrupt_cache_at_start(self):
        cache = self.cache_path("corrupt.json")
        with open(cache, "wb") as out:
            out.write(b'{"version": 1, "servers": [\x00\xff garbage')
        driad, took = self.start_while_traffic_ops_fails(cache)
        self.assertRegex(driad.log(), rf"Traffic Ops cache: topology cache {re.escape(cache)}: .*; "
                                      r"waiting for Traffic Ops")
        note(f"corrupt cache: answers {took:.2f} s after Traffic Ops came back")

    def test_cache_of_the_wrong_version_at_start(self):
        cache = self.cache_path("version.json")
        with open(cache, "w") as out:
            json.dump({"version": 999, "servers": [], "cachegroups": []}, out)
        driad, _ = self.start_while_traffic_ops_fails(cache)
        self.assertRegex(driad.log(), r"Traffic Ops cache: .*/version: 999, this driad reads version \d+")

    def test_missing_cache_at_start(self):
        cache = self.cache_path("missing.json")
        self.assertFalse(os.path.exists(cache))
        driad, _ = self.start_while_traffic_ops_fails(cache)
        self.assertRegex(driad.log(), rf"Traffic Ops cache: topology cache {re.escape(cache)}: cannot open: "
                                      r"No such file or directory")

    def test_unwritable_cache_serves_from_memory(self):
        # Tests run as root, for whom modes do not matter: a path through a
        # regular file fails with ENOTDIR for anyone.
        blocker = self.cache_path("regular-file")
        with open(blocker, "w") as out:
            out.write("not a directory\n")
        cache = os.path.join(blocker, "cache.json")
        driad = self.start_driad(cache)
        self.serving(driad)
        log = driad.log()
        self.assertIn(f"topology cache {cache}: cannot open: Not a directory", log)
        self.assertRegex(log, rf"Traffic Ops cache: topology cache {re.escape(cache)}\.tmp: cannot create: "
                              r"Not a directory")
        # Traffic Ops fails too: the topology in memory keeps serving.
        self.to.mode("error500")
        self.hold_relays(driad, EAST_ANSWER, 1.5)
        self.assertEqual(self.relays(driad, tot.WEST_SOURCE), WEST_ANSWER)


if __name__ == "__main__":
    h.main()
