"""driadctl against a running driadd: status, decisions, explain, reload and
verify, each as a table and with --json; verify passing on a healthy node and
failing (exit 1, the reason in the table) when a gateway stops answering, the
gNMI password is wrong, or Traffic Ops refuses the login; the token check.

A live group follows an mTLS mx-sim with a password and probes an
amt-responder (live_common.py); Traffic Ops is a to-sim whose CDN filter leaves
no relay to dial; the demo runs with its admin API moved to a free port.
Everything is on 127.0.0.1.

    python3 test_driadctl.py --driadd D --driadctl C --mx-sim M --amt-responder A --to-sim T"""

import json
import os
import re
import shutil
import subprocess
import tempfile
import time
import unittest

import admin_common as ac
import driad_harness as h
import live_common as lc

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures", "trafficops")
TO_USER = "driad-reader"
TO_PASSWORD = "to-Pa55word-for-verify"


class LiveNodeTest(lc.LiveTestCase):
    """One driadd following mx-sim and probing amt-responder, with a token."""

    @classmethod
    def setUpClass(cls):
        cls.start_peers()
        cls.admin_port = ac.free_tcp_port()
        config = ac.with_admin(lc.live_config(cls.mx, cls.responder, cls.pki.tls()), cls.admin_port)
        cls.driad = h.Driad(config, hosts=("127.0.0.1",),
                            env={"GNMI_USERNAME": lc.USERNAME, "GNMI_PASSWORD": lc.PASSWORD,
                                 "DRIAD_ADMIN_TOKEN": ac.TOKEN})
        cls.addClassCleanup(cls.driad.cleanup)
        cls.driad.start()

    def setUp(self):
        for command in ("resume", "oper-status UP", "tunnels 10"):
            self.mx.control(command)
        self.responder.control("mode ok")
        self.wait_answer(lc.MX_FIRST, within=lc.HOLD_UP_S + 4)

    def ctl(self, *args, env=None):
        environment = {"DRIAD_ADMIN_TOKEN": ac.TOKEN, "GNMI_USERNAME": lc.USERNAME,
                       "GNMI_PASSWORD": lc.PASSWORD}
        environment.update(env or {})
        return ac.driadctl(*args, admin_port=self.admin_port, env=environment)

    def test_status_table_and_json(self):
        done = self.ctl("status")
        self.assertEqual(done.returncode, 0, ac.describe(done))
        text = done.stdout
        self.assertRegex(text, r"driad \S+  up \S+  ready  config ")
        self.assertRegex(text, r"\neast +live +config +mx_first +\d+ +10 0 1 192\.0\.2\.1, 20 0 1 127\.0\.0\.1 +MX healthy")
        self.assertRegex(text, r"\neast +mx +192\.0\.2\.1 +healthy +0\.10 +\S+ ago")
        self.assertRegex(text, r"\neast +gateway +127\.0\.0\.1 +healthy")
        self.assertIn("100.51.198.in-addr.arpa.", text)
        as_json = self.ctl("status", "--json")
        self.assertEqual(as_json.returncode, 0, ac.describe(as_json))
        state = json.loads(as_json.stdout)
        group = state["relay_groups"][0]
        self.assertEqual(group["decision"]["kind"], "mx_first")
        mx, gateway = group["relays"]
        self.assertTrue(mx["connected"])
        self.assertEqual(mx["tunnels"], 10)
        self.assertAlmostEqual(mx["load"], 0.1)
        self.assertIsNotNone(gateway["rtt_ms"])
        self.assertEqual(gateway["probe_port"], self.responder.ports["udp"])

    def test_decisions_show_every_change_with_its_reason(self):
        sent = self.mx_control("oper-status DOWN")
        self.wait_answer(lc.GATEWAY_ONLY, within=1.0, since=sent)
        done = self.ctl("decisions")
        self.assertEqual(done.returncode, 0, ac.describe(done))
        # The probed gateway is not proven at first: fail static, then gateway only.
        self.assertRegex(done.stdout, r"east +\(none\) -> \w+ ")
        self.assertRegex(done.stdout, r"east +\w+ -> gateway_only +MX not yet proven healthy")
        self.assertRegex(done.stdout, r"east +gateway_only -> mx_first +MX healthy")
        self.assertRegex(done.stdout, r"east +mx_first -> gateway_only +MX unhealthy")
        records = json.loads(self.ctl("decisions", "--json", "--limit", "2").stdout)["decisions"]
        self.assertEqual(len(records), 2)
        self.assertEqual((records[-1]["from"], records[-1]["to"], records[-1]["reason"]),
                         ("mx_first", "gateway_only", "mx_unhealthy"))
        metrics = ac.Metrics(ac.http(self.admin_port, "/metrics").body)
        self.assertGreaterEqual(
            metrics.value("driad_decision_changes_total", group="east", to="gateway_only", reason="mx_unhealthy"), 1)
        self.assertEqual(metrics.value("driad_relay_group_decision", group="east", decision="gateway_only"), 1)
        self.assertEqual(metrics.value("driad_mx_connected", group="east", relay="192.0.2.1"), 1)
        self.assertEqual(metrics.value("driad_mx_state", group="east", relay="192.0.2.1", state="unhealthy"), 1)

    def test_explain_names_group_decision_and_records(self):
        done = self.ctl("explain", lc.SOURCE, "--client", "127.0.0.1")
        self.assertEqual(done.returncode, 0, ac.describe(done))
        self.assertIn("198.51.100.12 is under 198.51.100.0/24 (relay group east)", done.stdout)
        self.assertRegex(done.stdout, r"decision +mx_first \(MX healthy")
        dug = self.answer()
        for rdata in dug.rdatas:
            self.assertRegex(done.stdout, rf"12\.100\.51\.198\.in-addr\.arpa\. \d+ IN AMTRELAY {re.escape(rdata)}\n")
        explained = json.loads(self.ctl("explain", lc.SOURCE, "--json").stdout)
        self.assertEqual([" ".join(r.split()[4:]) for r in explained["rrset"]], lc.MX_FIRST)
        self.assertEqual(explained["answer_group"], "east")
        bad = self.ctl("explain", "not-an-address")
        self.assertEqual(bad.returncode, 1, ac.describe(bad))
        self.assertIn("not an IP address", bad.stderr)

    def test_reload_applied_then_rejected(self):
        done = self.ctl("reload")
        self.assertEqual(done.returncode, 0, ac.describe(done))
        self.assertRegex(done.stdout, r"^reload applied: applied .*driad\.json \(snapshot \d+\)")
        original = json.loads(json.dumps(self.driad.config))
        broken = json.loads(json.dumps(original))
        broken["zones"][0]["origin"] = "not-a-reverse-zone."
        try:
            self.driad.write_config(broken)
            rejected = self.ctl("reload", "--json")
            self.assertEqual(rejected.returncode, 1, ac.describe(rejected))
            body = json.loads(rejected.stdout)
            self.assertFalse(body["ok"])
            self.assertTrue(any("/zones/0/origin" in error for error in body["errors"]), body)
            table = self.ctl("reload")
            self.assertEqual(table.returncode, 1)
            self.assertIn("reload REJECTED", table.stdout)
        finally:
            self.driad.write_config(original)
        self.assertEqual(self.ctl("reload").returncode, 0)
        self.wait_answer(lc.MX_FIRST, within=lc.HOLD_UP_S + 4)

    def test_verify_passes_on_a_healthy_node(self):
        done = self.ctl("verify")
        self.assertEqual(done.returncode, 0, ac.describe(done) + self.context())
        rows = done.stdout
        port = self.driad.port
        self.assertRegex(rows, rf"ready +127\.0\.0\.1:{self.admin_port} +pass")
        for transport in ("udp", "tcp"):
            self.assertRegex(rows, rf"dns {transport} +127\.0\.0\.1:{port} +pass +198\.51\.100\.0 AMTRELAY: "
                                   rf"10 0 1 192\.0\.2\.1, 20 0 1 127\.0\.0\.1 \(as explain says\)")
        self.assertRegex(rows, rf"gnmi +127\.0\.0\.1:{self.mx.ports['gnmi']} \(east\) +pass +mTLS \+ Capabilities: gNMI")
        self.assertRegex(rows, rf"amt discovery +127\.0\.0\.1:{self.responder.ports['udp']} \(east\) +pass "
                               r"+advertisement names 127\.0\.0\.1 in")
        self.assertIn("all checks passed", rows)
        as_json = json.loads(self.ctl("verify", "--json").stdout)
        self.assertTrue(as_json["ok"])
        self.assertEqual({c["result"] for c in as_json["checks"]}, {"pass"})

    def test_verify_fails_with_the_reason(self):
        self.responder.control("mode silent")
        try:
            done = self.ctl("verify", env={"GNMI_PASSWORD": "wrong-password"})
        finally:
            self.responder.control("mode ok")
        self.assertEqual(done.returncode, 1, ac.describe(done))
        self.assertRegex(done.stdout, r"amt discovery +127\.0\.0\.1:\d+ \(east\) +FAIL +no answer within \d+ ms")
        self.assertRegex(done.stdout, r"gnmi +127\.0\.0\.1:\d+ \(east\) +FAIL +Capabilities: UNAUTHENTICATED")
        self.assertRegex(done.stdout, r"dns udp +127\.0\.0\.1:\d+ +pass")
        self.assertRegex(done.stdout, r"2 of \d+ checks failed")
        self.assertNotIn("wrong-password", done.stdout + done.stderr)

    def test_the_token_is_needed(self):
        done = ac.driadctl("status", admin_port=self.admin_port)
        self.assertEqual(done.returncode, 1, ac.describe(done))
        self.assertIn("HTTP 401", done.stderr)
        self.assertIn("DRIAD_ADMIN_TOKEN", done.stderr)
        nobody = ac.driadctl("status", "--admin", f"127.0.0.1:{ac.free_tcp_port()}")
        self.assertEqual(nobody.returncode, 1, ac.describe(nobody))
        self.assertIn("Connection refused", nobody.stderr)
        self.assertNotIn(ac.TOKEN, self.driad.log())
        self.assertNotIn(lc.PASSWORD, self.driad.log())


class TrafficOpsVerifyTest(unittest.TestCase):
    """verify's Traffic Ops login check against to-sim."""

    @classmethod
    def setUpClass(cls):
        if not h.TO_SIM:
            raise unittest.SkipTest("no --to-sim given")
        cls.dir = tempfile.mkdtemp(prefix="driad-ctl-to-")
        cls.addClassCleanup(lambda: shutil.rmtree(cls.dir, True))
        fixtures = os.path.join(cls.dir, "fixtures")
        shutil.copytree(FIXTURES, fixtures)
        cls.to = subprocess.Popen([h.TO_SIM, "--listen", "127.0.0.1:0", "--fixtures", fixtures, "--user",
                                   TO_USER, "--password", TO_PASSWORD, "--quiet"],
                                  stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        cls.addClassCleanup(cls.stop_to_sim)
        line = cls.to.stdout.readline().decode()
        found = re.match(r"to-sim listening on 127\.0\.0\.1:(\d+)", line)
        if not found:
            raise RuntimeError(f"to-sim did not start: {line!r}")
        config = h.base_config()
        # No relay of the fixtures is in this CDN: nothing from Traffic Ops is dialled.
        config["traffic_ops"] = {"url": f"http://127.0.0.1:{found.group(1)}", "cdn": "no-relays-here",
                                 "poll_interval_s": 1, "timeout_ms": 2000}
        cls.admin_port = ac.free_tcp_port()
        cls.driad = h.Driad(ac.with_admin(config, cls.admin_port),
                            env={"TO_USER": TO_USER, "TO_PASSWORD": TO_PASSWORD})
        cls.addClassCleanup(cls.driad.cleanup)
        cls.driad.start()

    @classmethod
    def stop_to_sim(cls):
        cls.to.terminate()
        try:
            cls.to.wait(5)
        except subprocess.TimeoutExpired:
            cls.to.kill()
            cls.to.wait(5)
        cls.to.stdout.close()

    def test_login_checked_with_the_operators_credentials(self):
        env = {"TO_USER": TO_USER, "TO_PASSWORD": TO_PASSWORD}
        done = ac.driadctl("verify", admin_port=self.admin_port, env=env)
        self.assertEqual(done.returncode, 0, ac.describe(done))
        self.assertRegex(done.stdout, r"traffic ops +http://127\.0\.0\.1:\d+ +pass +login and fetch OK \(API 4\.0\)")
        wrong = ac.driadctl("verify", admin_port=self.admin_port,
                            env={"TO_USER": TO_USER, "TO_PASSWORD": "not-it"})
        self.assertEqual(wrong.returncode, 1, ac.describe(wrong))
        self.assertRegex(wrong.stdout, r"traffic ops +http://127\.0\.0\.1:\d+ +FAIL +login: ")
        self.assertNotIn("not-it", wrong.stdout)

    def test_status_and_metrics_show_the_feed(self):
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            state = json.loads(ac.driadctl("status", "--json", admin_port=self.admin_port).stdout)
            if state["traffic_ops"]["last_success_unix_ms"] is not None:
                break
            time.sleep(0.1)
        self.assertTrue(state["traffic_ops"]["polling"], state["traffic_ops"])
        self.assertIsNotNone(state["traffic_ops"]["last_success_unix_ms"], self.driad.log())
        done = ac.driadctl("status", admin_port=self.admin_port)
        self.assertRegex(done.stdout, r"traffic ops http://127\.0\.0\.1:\d+  polling  last success \S+ ago  0 failures")
        metrics = ac.Metrics(ac.http(self.admin_port, "/metrics").body)
        self.assertGreaterEqual(metrics.value("driad_traffic_ops_fetches_total"), 1)
        self.assertEqual(metrics.value("driad_traffic_ops_failures_total"), 0)
        self.assertIsNotNone(metrics.value("driad_traffic_ops_last_success_age_seconds"))
        self.assertNotIn(TO_PASSWORD, self.driad.log())


class DemoTest(unittest.TestCase):
    """driadd --demo serves the admin API (moved to a free port here)."""

    def test_demo_status_and_verify(self):
        gnmi, control, admin = ac.free_tcp_port(), ac.free_tcp_port(), ac.free_tcp_port()
        printed = subprocess.run([h.DRIADD, "--demo", "--print-config"], capture_output=True, text=True,
                                 timeout=10)
        demo = json.loads(printed.stdout)
        self.assertEqual(demo["admin"], {"listen": "127.0.0.1:8053"})
        driad = h.Driad(demo, hosts=("127.0.0.1",), demo=True,
                        extra_args=["--admin", f"127.0.0.1:{admin}", "--demo-mx-gnmi", f"127.0.0.1:{gnmi}",
                                    "--demo-mx-control", f"127.0.0.1:{control}"])
        self.addCleanup(driad.cleanup)
        driad.start()
        status = ac.driadctl("status", admin_port=admin)
        self.assertEqual(status.returncode, 0, ac.describe(status))
        self.assertRegex(status.stdout, r"\namt-us-east +live +config ")
        self.assertRegex(status.stdout, r"\nstatic-west +static +config +- +60 +10 0 1 203\.0\.113\.15")
        verify = ac.driadctl("verify", admin_port=admin)
        self.assertEqual(verify.returncode, 0, ac.describe(verify))
        self.assertRegex(verify.stdout, r"amt discovery +192\.0\.2\.11:2268 \(amt-us-east\) +skip +not probed")
        self.assertRegex(verify.stdout, rf"gnmi +127\.0\.0\.1:{gnmi} \(amt-us-east\) +pass +plaintext")


if __name__ == "__main__":
    ac.main()
