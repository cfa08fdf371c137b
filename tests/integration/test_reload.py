"""SIGHUP reloads the config file: a good config is swapped in (new answers,
higher SOA serials); a broken one is rejected in the log and the old answers
keep being served; an unchanged one keeps the serials."""

import copy
import os
import signal
import threading
import time

import driad_harness as h

RELAY_NAME = "12.100.51.198.in-addr.arpa."
NEW_SOURCE_NAME = h.reverse_name("2001:db8:beef::1")
V4 = "51.198.in-addr.arpa."
V6 = "8.b.d.0.1.0.0.2.ip6.arpa."
NEW_RELAYS = ["5 1 1 192.0.2.99", "15 0 3 new-relay.example.net."]


def first_config():
    c = h.base_config()
    c["zones"][0]["soa"]["serial"] = 100  # V4 configured; V6 starts at the clock
    return c


def second_config():
    c = first_config()
    c["relay_groups"][0]["relays"] = list(NEW_RELAYS)
    c["sources"].append({"prefix": "2001:db8:beef::/48", "relay_group": "west"})
    return c


class ReloadTest(h.DriadTestCase):
    CONFIG = first_config()

    def serial(self, origin, host="127.0.0.1"):
        message = self.driad.query(origin, "SOA", host=host)
        self.assertEqual(len(message.answer), 1)
        rdata = message.answer[0].rdata
        # MNAME and RNAME are uncompressed in driad's SOA: skip them.
        at = 0
        for _ in range(2):
            while rdata[at]:
                at += rdata[at] + 1
            at += 1
        return int.from_bytes(rdata[at:at + 4], "big")

    def relays(self, name, host="127.0.0.1", tcp=False):
        message = self.driad.query(name, host=host, tcp=tcp)
        return h.RCODE_NAMES[message.rcode], [h.amtrelay_text(r.rdata) for r in message.answer]

    def sighup(self, config=None, text=None, expect="reload: config .* applied"):
        offset = len(self.driad.log())
        self.driad.reload(config, text)
        log = self.driad.wait_log(expect, after=offset)
        self.assertIsNotNone(log, f"no /{expect}/ in the log:\n{self.driad.log()[offset:]}")
        self.assertAlive()
        return log

    def test_reload_sequence(self):
        # Start: the first config.
        self.assertEqual(self.relays(RELAY_NAME), ("NOERROR", h.ALL_TYPES))
        self.assertEqual(self.relays(NEW_SOURCE_NAME)[0], "NXDOMAIN")
        v4, v6 = self.serial(V4), self.serial(V6)
        self.assertEqual(v4, 100)

        # New relays and a new source: swapped in, serials up by one.
        self.sighup(second_config())
        for host in h.LOOPBACKS:
            for tcp in (False, True):
                self.assertEqual(self.relays(RELAY_NAME, host, tcp), ("NOERROR", NEW_RELAYS))
                self.assertEqual(self.relays(NEW_SOURCE_NAME, host, tcp),
                                 ("NOERROR", ["10 1 1 192.0.2.1", "20 0 2 2001:db8::11"]))
        result = self.driad.dig("-x", "198.51.100.12", "-t", "AMTRELAY")
        self.assertTool(result, "NOERROR", flags="qr aa rd", answer=2)
        self.assertEqual(result.rdatas(), NEW_RELAYS)
        self.assertEqual(self.serial(V4), v4 + 1)
        self.assertEqual(self.serial(V6, host="::1"), v6 + 1)
        v4, v6 = v4 + 1, v6 + 1

        # The same file again: nothing changed, so neither do the serials.
        self.sighup(second_config())
        self.assertEqual((self.serial(V4), self.serial(V6)), (v4, v6))

        # Not JSON: rejected, the previous answers stay.
        log = self.sighup(text='{"listen": [', expect="reload rejected: still serving the previous config")
        self.assertRegex(log, r"reload rejected: .*driad\.json:\d+:\d+: not valid JSON")
        self.assertEqual(self.relays(RELAY_NAME), ("NOERROR", NEW_RELAYS))
        self.assertEqual(self.relays(NEW_SOURCE_NAME, "::1", True)[0], "NOERROR")
        self.assertEqual((self.serial(V4), self.serial(V6)), (v4, v6))

        # Valid JSON, invalid config: rejected with the pointer and the problem.
        broken = second_config()
        broken["relay_groups"][0]["relays"] = ["300 0 1 192.0.2.1"]
        broken["sources"].append({"prefix": "203.0.113.0/24", "relay_group": "west"})
        log = self.sighup(broken, expect="reload rejected: still serving the previous config")
        self.assertRegex(log, r"reload rejected: .*driad\.json: /relay_groups/0/relays/0: precedence '300' is not "
                              r"0-255")
        self.assertRegex(log, r"reload rejected: .*driad\.json: /sources/7/prefix: 203\.0\.113\.0/24 lies outside "
                              r"every zone")
        for host in h.LOOPBACKS:
            self.assertEqual(self.relays(RELAY_NAME, host), ("NOERROR", NEW_RELAYS))
        self.assertEqual((self.serial(V4), self.serial(V6)), (v4, v6))

        # The file gone: rejected too.
        os.unlink(self.driad.config_path)
        offset = len(self.driad.log())
        self.driad.proc.send_signal(signal.SIGHUP)
        log = self.driad.wait_log("reload rejected: still serving the previous config", after=offset)
        self.assertIsNotNone(log, self.driad.log()[offset:])
        self.assertIn(f"{self.driad.config_path}: cannot be read: No such file or directory", log)
        self.assertEqual(self.relays(RELAY_NAME, "::1", True), ("NOERROR", NEW_RELAYS))

        # Back to the first config: accepted, and the serials still go up.
        self.sighup(first_config())
        self.assertEqual(self.relays(RELAY_NAME), ("NOERROR", h.ALL_TYPES))
        self.assertEqual(self.relays(NEW_SOURCE_NAME)[0], "NXDOMAIN")
        self.assertEqual((self.serial(V4), self.serial(V6)), (v4 + 1, v6 + 1))
        v4, v6 = v4 + 1, v6 + 1

        # An operator who raises the configured serial past driad's wins.
        raised = first_config()
        raised["zones"][0]["soa"]["serial"] = 5000
        self.sighup(raised)
        self.assertEqual((self.serial(V4), self.serial(V6)), (5000, v6))



class ReloadTtlTest(ReloadTest):
    """Its own daemon: the sequence above counts serials from the start."""

    test_reload_sequence = None

    def test_policy_ttl_change_is_served(self):
        changed = copy.deepcopy(self.driad.config)
        changed["policy"] = {"ttl": 17}
        self.sighup(changed)
        result = self.driad.dig("-q", "5.2.0.192.in-addr.arpa.", "-t", "AMTRELAY", "+tcp", host="::1")
        self.assertTool(result, "NOERROR", answer=2)
        self.assertEqual({r.ttl for r in result.answer}, {17})
        changed["policy"] = {}
        changed["threads"] = 2
        log = self.sighup(changed)
        self.assertIn("reload: 'listen' and 'threads' take effect only at restart", log)
        result = self.driad.dig("-q", "5.2.0.192.in-addr.arpa.", "-t", "AMTRELAY")
        self.assertEqual({r.ttl for r in result.answer}, {60}, result)


class ReloadUnderLoadTest(h.DriadTestCase):
    """Snapshots swapped while two workers answer: every answer is the old set or
    the new one, whole, and none goes missing."""

    CONFIG = dict(h.base_config(), threads=2)

    def test_answers_stay_whole_across_reloads(self):
        sets = {tuple(h.ALL_TYPES), tuple(NEW_RELAYS)}
        stop = threading.Event()
        results = {"answers": 0, "bad": [], "seen": set()}

        def hammer(host, tcp):
            qid = 0
            while not stop.is_set():
                qid = (qid + 1) & 0xFFFF
                try:
                    payload = h.build_query(RELAY_NAME, qid=qid)
                    reply = self.driad.tcp(payload, host=host) if tcp else self.driad.udp(payload, host=host)
                    message = h.Message(reply)
                    answer = tuple(h.amtrelay_text(r.rdata) for r in message.answer)
                    if message.id != qid or message.rcode != 0 or answer not in sets:
                        results["bad"].append((host, tcp, message.rcode, answer))
                    results["seen"].add(answer)
                    results["answers"] += 1
                except Exception as e:  # noqa: BLE001 - recorded and asserted below
                    results["bad"].append((host, tcp, repr(e)))

        threads = [threading.Thread(target=hammer, args=(host, tcp))
                   for host in h.LOOPBACKS for tcp in (False, True)]
        for thread in threads:
            thread.start()
        try:
            configs = [second_config(), first_config()]
            for i in range(12):
                offset = len(self.driad.log())
                self.driad.reload(configs[i % 2])
                self.assertIsNotNone(self.driad.wait_log("reload: config .* applied", after=offset))
                time.sleep(0.05)
        finally:
            stop.set()
            for thread in threads:
                thread.join(10)
        self.assertAlive()
        self.assertEqual(results["bad"], [])
        self.assertEqual(results["seen"], sets)
        self.assertGreater(results["answers"], 100)


if __name__ == "__main__":
    h.main()
