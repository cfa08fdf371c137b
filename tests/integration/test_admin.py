"""The admin API of a running driadd, end to end: /healthz, /readyz, /metrics
(parsed, and counters that move with the queries sent), /api/v1/state,
/api/v1/decisions, /api/v1/explain and POST /api/v1/reload; the bearer token
(401 with WWW-Authenticate; probes and metrics open); secrets never in the
log; JSON logs and the sampled query log.

    python3 test_admin.py --driadd D --driadctl C"""

import json
import time
import unittest

import admin_common as ac
import driad_harness as h

SECRETS = {"DRIAD_ADMIN_TOKEN": ac.TOKEN, "TO_PASSWORD": "to-Secret-in-env-only",
           "GNMI_PASSWORD": "gnmi-Secret-in-env-only", "GNMI_USERNAME": "driad"}


class AdminApiTest(unittest.TestCase):
    """One driadd (the harness's static config) with a token, at debug level."""

    maxDiff = None

    @classmethod
    def setUpClass(cls):
        cls.port = ac.free_tcp_port()
        cls.driad = h.Driad(ac.with_admin(h.base_config(), cls.port), env=SECRETS,
                            extra_args=["--log-level", "debug"])
        cls.addClassCleanup(cls.driad.cleanup)
        cls.driad.start()

    def get(self, path, token=ac.TOKEN):
        return ac.http(self.port, path, token=token)

    def metrics(self):
        reply = self.get("/metrics", token=None)
        self.assertEqual(reply.status, 200, reply)
        self.assertEqual(reply.headers["Content-Type"], "text/plain; version=0.0.4; charset=utf-8")
        return ac.Metrics(reply.body)

    def test_probes_answer_without_a_token(self):
        health = ac.http(self.port, "/healthz")
        self.assertEqual((health.status, health.body), (200, "ok\n"))
        ready = ac.http(self.port, "/readyz")
        self.assertEqual((ready.status, ready.body), (200, "ready\n"))
        self.assertEqual(ac.http(self.port, "/metrics").status, 200)

    def test_the_api_wants_the_token(self):
        for path in ("/api/v1/state", "/api/v1/decisions", "/api/v1/explain?source=198.51.100.12"):
            for token in (None, "wrong", ac.TOKEN + "x"):
                reply = ac.http(self.port, path, token=token)
                self.assertEqual(reply.status, 401, (path, token, reply))
                self.assertEqual(reply.headers["WWW-Authenticate"], 'Bearer realm="driad"')
            self.assertEqual(self.get(path).status, 200, path)
        before = self.get("/api/v1/state").json()["snapshot"]["generation"]
        self.assertEqual(ac.http(self.port, "/api/v1/reload", method="POST").status, 401)
        self.assertEqual(self.get("/api/v1/state").json()["snapshot"]["generation"], before)

    def test_unknown_paths_and_methods(self):
        self.assertEqual(self.get("/api/v1/nothing").status, 404)
        reply = ac.http(self.port, "/api/v1/state", method="POST", token=ac.TOKEN)
        self.assertEqual(reply.status, 405)
        self.assertEqual(reply.headers["Allow"], "GET")

    def test_metrics_parse_and_counters_move_with_queries(self):
        before = self.metrics()
        udp = before.value("driad_queries_total", transport="udp", qtype="AMTRELAY", rcode="NOERROR") or 0
        tcp = before.value("driad_queries_total", transport="tcp", qtype="AMTRELAY", rcode="NOERROR") or 0
        nx = before.value("driad_queries_total", transport="udp", qtype="AMTRELAY", rcode="NXDOMAIN") or 0
        relay_sets = before.value("driad_answers_total", transport="udp", kind="relay_set")
        count = before.value("driad_query_duration_seconds_count", transport="udp")
        group_answers = before.value("driad_relay_group_answers_total", group="all-types", decision="static") or 0
        for _ in range(7):
            self.assertEqual(self.driad.query(h.reverse_name("198.51.100.12")).rcode, 0)
        for _ in range(3):
            self.assertEqual(self.driad.query(h.reverse_name("198.51.100.12"), tcp=True).rcode, 0)
        for _ in range(2):
            self.assertEqual(self.driad.query("1.2.3.4.5.100.51.198.in-addr.arpa.").rcode, 3)
        after = self.metrics()
        self.assertEqual(
            after.value("driad_queries_total", transport="udp", qtype="AMTRELAY", rcode="NOERROR"), udp + 7)
        self.assertEqual(
            after.value("driad_queries_total", transport="tcp", qtype="AMTRELAY", rcode="NOERROR"), tcp + 3)
        self.assertEqual(
            after.value("driad_queries_total", transport="udp", qtype="AMTRELAY", rcode="NXDOMAIN"), nx + 2)
        self.assertEqual(after.value("driad_answers_total", transport="udp", kind="relay_set"), relay_sets + 7)
        self.assertEqual(after.value("driad_query_duration_seconds_count", transport="udp"), count + 9)
        # Answers per relay group and decision: 198.51.100.12 is all-types' (static relays).
        self.assertEqual(after.value("driad_relay_group_answers_total", group="all-types", decision="static"),
                         group_answers + 10)
        for family in ("driad_snapshot_generation", "driad_snapshot_bytes", "driad_snapshot_build_seconds",
                       "driad_snapshot_built_time_seconds", "driad_rrl_dropped_total", "driad_ready",
                       "driad_relay_group_available", "driad_zone_serial"):
            self.assertIn(family, after.families)
        self.assertGreater(after.value("driad_snapshot_bytes"), 0)
        self.assertEqual(after.value("driad_ready"), 1)

    def test_state_matches_what_dns_says(self):
        state = self.get("/api/v1/state").json()
        self.assertTrue(state["ready"])
        self.assertEqual(state["listen"], self.driad.config["listen"])
        soa = self.driad.query("51.198.in-addr.arpa.", "SOA")
        serial = int.from_bytes(soa.answer[0].rdata[-20:-16], "big")
        zones = {z["origin"]: z["serial"] for z in state["zones"]}
        self.assertEqual(zones["51.198.in-addr.arpa."], serial)
        groups = {g["name"]: g for g in state["relay_groups"]}
        self.assertEqual(groups["west"]["type"], "static")
        self.assertEqual(groups["west"]["answer"], ["10 1 1 192.0.2.1", "20 0 2 2001:db8::11"])
        self.assertIsNone(groups["west"]["decision"])
        self.assertEqual(groups["all-types"]["sources"], 2)
        self.assertGreaterEqual(state["snapshot"]["generation"], 1)
        self.assertGreater(state["queries"]["total"], 0)

    def test_explain_gives_the_rrset_dig_gets(self):
        reply = self.get("/api/v1/explain?source=198.51.100.140&client=127.0.0.1")
        self.assertEqual(reply.status, 200, reply)
        explained = reply.json()
        self.assertEqual(explained["source_prefix"], "198.51.100.128/25")
        self.assertEqual(explained["source_group"], "west")
        self.assertEqual(explained["zone"], "51.198.in-addr.arpa.")
        self.assertEqual(explained["rcode"], "NOERROR")
        self.assertEqual(explained["decision"], "static")
        dug = self.driad.dig("-x", "198.51.100.140", "-t", "AMTRELAY")
        self.assertEqual([" ".join(r.split()[4:]) for r in explained["rrset"]], dug.rdatas("AMTRELAY"))
        self.assertEqual([int(r.split()[1]) for r in explained["rrset"]], [r.ttl for r in dug.answer])
        missing = self.get("/api/v1/explain?source=203.0.113.9").json()
        self.assertEqual(missing["rcode"], "REFUSED")
        bad = self.get("/api/v1/explain?source=not-an-ip")
        self.assertEqual(bad.status, 400)
        self.assertIn("not an IP address", bad.json()["error"])

    def test_decisions_of_a_static_config_are_none(self):
        self.assertEqual(self.get("/api/v1/decisions").json(), {"decisions": []})
        self.assertEqual(self.get("/api/v1/decisions?limit=zero").status, 400)

    def test_reload_applies_and_a_bad_config_is_rejected(self):
        original = json.loads(json.dumps(self.driad.config))
        changed = json.loads(json.dumps(original))
        changed["relay_groups"][1]["relays"] = ["5 0 1 192.0.2.99"]
        try:
            generation = self.get("/api/v1/state").json()["snapshot"]["generation"]
            self.driad.write_config(changed)
            reply = ac.http(self.port, "/api/v1/reload", method="POST", token=ac.TOKEN)
            self.assertEqual(reply.status, 200, reply)
            self.assertTrue(reply.json()["ok"])
            self.assertEqual(reply.json()["generation"], generation + 1)
            self.assertEqual(self.driad.query(h.reverse_name("198.51.100.140")).answer[0].rdata,
                             h.amtrelay_wire("5 0 1 192.0.2.99"))

            broken = json.loads(json.dumps(changed))
            broken["relay_groups"][1]["relays"] = ["300 0 1 192.0.2.1"]
            self.driad.write_config(broken)
            reply = ac.http(self.port, "/api/v1/reload", method="POST", token=ac.TOKEN)
            self.assertEqual(reply.status, 422, reply)
            body = reply.json()
            self.assertFalse(body["ok"])
            self.assertTrue(any("/relay_groups/1/relays/0" in e for e in body["errors"]), body)
            self.assertEqual(self.driad.query(h.reverse_name("198.51.100.140")).answer[0].rdata,
                             h.amtrelay_wire("5 0 1 192.0.2.99"))
            metrics = self.metrics()
            self.assertGreaterEqual(metrics.value("driad_reloads_total", result="rejected"), 1)
        finally:
            self.driad.write_config(original)
            self.assertEqual(ac.http(self.port, "/api/v1/reload", method="POST", token=ac.TOKEN).status, 200)

    def test_zz_secrets_never_reach_the_log(self):
        # Every request above carried the token; the log is at debug level.
        ac.http(self.port, "/api/v1/state", token=ac.TOKEN)
        ac.http(self.port, "/api/v1/state", token="wrong-" + ac.TOKEN)
        log = self.driad.log()
        self.assertIn("admin: GET /api/v1/state -> 200", log)
        for name, secret in SECRETS.items():
            if name != "GNMI_USERNAME":
                self.assertNotIn(secret, log, name)


class LogFormatTest(unittest.TestCase):
    """--log-format json and the sampled query log."""

    def test_json_lines_and_the_query_log(self):
        driad = h.Driad(h.base_config(), extra_args=["--log-format", "json", "--query-log-sample", "1"])
        self.addCleanup(driad.cleanup)
        driad.start()
        self.assertEqual(driad.query(h.reverse_name("198.51.100.12")).rcode, 0)
        self.assertEqual(driad.query(h.reverse_name("198.51.100.12"), tcp=True).rcode, 0)
        self.assertIsNotNone(driad.wait_log(r'"transport":"tcp","qname":"12\.100\.51\.198\.in-addr\.arpa\."',
                                            timeout=3), driad.log())
        lines = [line for line in driad.log().splitlines() if line]
        self.assertTrue(lines)
        queries = []
        for line in lines:
            event = json.loads(line)
            self.assertEqual(list(event)[:3], ["time", "level", "msg"], line)
            self.assertRegex(event["time"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
            if event["msg"] == "query":
                queries.append(event)
        udp = [q for q in queries if q["transport"] == "udp" and q["qtype"] == "AMTRELAY"]
        self.assertTrue(udp, queries)
        self.assertEqual(udp[0]["rcode"], "NOERROR")
        self.assertEqual(udp[0]["kind"], "relay_set")
        self.assertEqual(udp[0]["client"], "127.0.0.1")

    def test_no_query_log_by_default(self):
        driad = h.Driad(h.base_config())
        self.addCleanup(driad.cleanup)
        driad.start()
        for _ in range(5):
            driad.query(h.reverse_name("198.51.100.12"))
        time.sleep(0.3)  # two control ticks
        self.assertNotIn(" info query ", driad.log())


if __name__ == "__main__":
    ac.main()
