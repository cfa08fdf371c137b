"""EDNS(0) and truncation: the OPT record echoed with driad's UDP size (default
1232, or the configured edns_udp_size), no OPT without one in the query,
BADVERS for EDNS version 1, the DO bit echoed; TC over UDP when the answer
does not fit (512 without EDNS, else min(requester, ours)), the full answer
over TCP or with a large enough buffer."""

import itertools

import driad_harness as h

MEDIUM = [f"{10 + i} 0 3 relay-{i:02d}.amt.example.com." for i in range(20)]  # ~850 octets
BIG = [f"{10 + i} 0 3 relay-{i:02d}.amt.example.com." for i in range(40)]     # ~1650 octets
MEDIUM_NAME = "70.100.51.198.in-addr.arpa."        # 198.51.100.64/26
BIG_NAME = "200.100.51.198.in-addr.arpa."          # 198.51.100.192/26
BIG_V6_NAME = h.reverse_name("2001:db8:ff00:2::1")  # 2001:db8:ff00:2::/64


def config(**extra):
    c = h.base_config()
    c["relay_groups"] += [{"name": "medium", "relays": MEDIUM}, {"name": "big", "relays": BIG}]
    c["sources"] += [{"prefix": "198.51.100.64/26", "relay_group": "medium"},
                     {"prefix": "198.51.100.192/26", "relay_group": "big"},
                     {"prefix": "2001:db8:ff00:2::/64", "relay_group": "big"}]
    c.update(extra)
    return c


class EdnsTest(h.DriadTestCase):
    """The default edns_udp_size (1232) and the default TTL (60)."""

    CONFIG = config()
    PATHS = list(itertools.product(h.LOOPBACKS, ("+notcp", "+tcp")))

    def test_opt_is_echoed_with_our_udp_size(self):
        for host, transport in self.PATHS:
            for name, status in (("12.100.51.198.in-addr.arpa.", "NOERROR"), ("1.101.51.198.in-addr.arpa.", "NXDOMAIN"),
                                 ("example.com.", "REFUSED")):
                with self.subTest(host=host, transport=transport, name=name):
                    result = self.driad.dig("-q", name, "-t", "AMTRELAY", transport, host=host)
                    self.assertTool(result, status)
                    self.assertEqual(result.opt, {"version": 0, "flags": set(), "udp": 1232}, result)
                    self.assertEqual(result.counts["ADDITIONAL"], 1, result)
        message = self.driad.query("12.100.51.198.in-addr.arpa.", edns={"payload": 4096})
        self.assertEqual(message.opt, {"payload": 1232, "ext_rcode": 0, "version": 0, "do": False})
        self.assertEqual(len(message.answer), 4)

    def test_no_opt_when_the_query_had_none(self):
        for host, transport in self.PATHS:
            for name, status in (("12.100.51.198.in-addr.arpa.", "NOERROR"), ("1.101.51.198.in-addr.arpa.", "NXDOMAIN"),
                                 ("example.com.", "REFUSED")):
                with self.subTest(host=host, transport=transport, name=name):
                    result = self.driad.dig("-q", name, "-t", "AMTRELAY", "+noedns", transport, host=host)
                    self.assertTool(result, status)
                    self.assertIsNone(result.opt, result)
                    self.assertEqual(result.counts["ADDITIONAL"], 0, result)
        message = self.driad.query("12.100.51.198.in-addr.arpa.")
        self.assertEqual(message.counts, (1, 4, 0, 0))
        self.assertIsNone(message.opt)

    def test_edns_version_1_is_badvers(self):
        for host, transport in self.PATHS:
            with self.subTest(host=host, transport=transport):
                result = self.driad.dig("-x", "198.51.100.12", "-t", "AMTRELAY", "+edns=1", "+noednsnegotiation",
                                        transport, host=host)
                self.assertTool(result, "BADVERS", answer=0, authority=0)
                self.assertEqual(result.opt, {"version": 0, "flags": set(), "udp": 1232}, result)
        for tcp in (False, True):
            message = self.driad.query("12.100.51.198.in-addr.arpa.", tcp=tcp, edns={"version": 1})
            self.assertEqual(message.rcode, h.RCODE["BADVERS"])
            self.assertEqual(message.flags & 0xF, 0)  # the low bits of 16
            self.assertEqual((message.opt["ext_rcode"], message.opt["version"]), (1, 0))
            self.assertEqual(message.counts, (1, 0, 0, 1))

    def test_do_bit_is_echoed(self):
        for host, transport in self.PATHS:
            with self.subTest(host=host, transport=transport):
                result = self.driad.dig("-x", "198.51.100.12", "-t", "AMTRELAY", "+dnssec", transport, host=host)
                self.assertTool(result, "NOERROR", flags="qr aa rd", answer=4)
                self.assertEqual(result.opt, {"version": 0, "flags": {"do"}, "udp": 1232}, result)
        self.assertTrue(self.driad.query("12.100.51.198.in-addr.arpa.", edns={"do": True}).opt["do"])
        self.assertFalse(self.driad.query("12.100.51.198.in-addr.arpa.", edns={"do": False}).opt["do"])

    def test_default_ttl_is_60(self):
        result = self.driad.dig("-q", BIG_NAME, "-t", "AMTRELAY", "+tcp")
        self.assertEqual({r.ttl for r in result.answer}, {60}, result)

    # --- truncation -------------------------------------------------------------

    def assertTruncated(self, result, opt_udp=None):
        self.assertTool(result, "NOERROR", flags="qr aa tc rd", answer=0, authority=0)
        self.assertFalse(result.tcp, result)
        if opt_udp is None:
            self.assertIsNone(result.opt, result)
        else:
            self.assertEqual(result.opt["udp"], opt_udp, result)

    def assertFull(self, result, expected, tcp):
        self.assertTool(result, "NOERROR", flags="qr aa rd", answer=len(expected), authority=0)
        self.assertEqual(result.tcp, tcp, result)
        self.assertEqual(result.rdatas("AMTRELAY"), expected, result)

    def test_udp_without_edns_truncates_past_512(self):
        for host in h.LOOPBACKS:
            for name in (MEDIUM_NAME, BIG_NAME, BIG_V6_NAME):
                with self.subTest(host=host, name=name):
                    self.assertTruncated(self.driad.dig("-q", name, "-t", "AMTRELAY", "+noedns", "+ignore", host=host))
            reply = self.driad.udp(h.build_query(BIG_NAME), host=host)
            self.assertLessEqual(len(reply), 512)
            message = h.Message(reply)
            self.assertTrue(message.tc)
            self.assertEqual(reply[12:message.question_end], h.build_query(BIG_NAME)[12:])

    def test_tcp_gives_the_full_answer(self):
        for host in h.LOOPBACKS:
            for name, expected in ((MEDIUM_NAME, MEDIUM), (BIG_NAME, BIG), (BIG_V6_NAME, BIG)):
                for edns in ("+noedns", "+edns=0"):
                    with self.subTest(host=host, name=name, edns=edns):
                        result = self.driad.dig("-q", name, "-t", "AMTRELAY", edns, "+tcp", host=host)
                        self.assertFull(result, expected, tcp=True)

    def test_dig_retries_over_tcp_after_tc(self):
        result = self.driad.dig("-q", BIG_NAME, "-t", "AMTRELAY", "+noedns")
        self.assertIn("Truncated, retrying in TCP mode", result.text)
        self.assertFull(result, BIG, tcp=True)

    def test_edns_buffer_that_fits_gives_the_full_answer_over_udp(self):
        for host in h.LOOPBACKS:
            for bufsize in ("+bufsize=4096", "+bufsize=1232", "+bufsize=1000"):
                with self.subTest(host=host, bufsize=bufsize):
                    result = self.driad.dig("-q", MEDIUM_NAME, "-t", "AMTRELAY", bufsize, "+ignore", host=host)
                    self.assertFull(result, MEDIUM, tcp=False)
                    self.assertEqual(result.opt["udp"], 1232, result)

    def test_edns_buffer_too_small_truncates(self):
        for host in h.LOOPBACKS:
            with self.subTest(host=host):
                self.assertTruncated(self.driad.dig("-q", MEDIUM_NAME, "-t", "AMTRELAY", "+bufsize=600", "+ignore",
                                                    host=host), opt_udp=1232)
        # A requester size under 512 counts as 512 (RFC 6891 section 6.2.5).
        reply = self.driad.udp(h.build_query(MEDIUM_NAME, edns={"payload": 100}))
        message = h.Message(reply)
        self.assertTrue(message.tc)
        self.assertGreater(len(reply), 0)
        self.assertLessEqual(len(reply), 512)
        reply = self.driad.udp(h.build_query("12.100.51.198.in-addr.arpa.", edns={"payload": 100}))
        self.assertFalse(h.Message(reply).tc)
        self.assertEqual(len(h.Message(reply).answer), 4)

    def test_our_udp_size_caps_a_larger_requester_buffer(self):
        # BIG is ~1650 octets: more than our 1232, whatever the requester offers.
        for host in h.LOOPBACKS:
            for name in (BIG_NAME, BIG_V6_NAME):
                with self.subTest(host=host, name=name):
                    self.assertTruncated(self.driad.dig("-q", name, "-t", "AMTRELAY", "+bufsize=4096", "+ignore",
                                                        host=host), opt_udp=1232)
        reply = self.driad.udp(h.build_query(BIG_NAME, edns={"payload": 4096}))
        self.assertLessEqual(len(reply), 1232)
        self.assertTrue(h.Message(reply).tc)


class ConfiguredEdnsTest(h.DriadTestCase):
    """edns_udp_size 4096 and policy.ttl 300."""

    CONFIG = config(edns_udp_size=4096, policy={"ttl": 300})

    def test_opt_carries_the_configured_size(self):
        for host in h.LOOPBACKS:
            with self.subTest(host=host):
                result = self.driad.dig("-x", "198.51.100.12", "-t", "AMTRELAY", host=host)
                self.assertTool(result, "NOERROR", flags="qr aa rd", answer=4)
                self.assertEqual(result.opt, {"version": 0, "flags": set(), "udp": 4096}, result)
                self.assertEqual({r.ttl for r in result.answer}, {300}, result)

    def test_large_answer_over_udp_with_a_large_buffer(self):
        for host in h.LOOPBACKS:
            for name in (BIG_NAME, BIG_V6_NAME):
                with self.subTest(host=host, name=name):
                    result = self.driad.dig("-q", name, "-t", "AMTRELAY", "+bufsize=4096", "+ignore", host=host)
                    self.assertTool(result, "NOERROR", flags="qr aa rd", answer=40, authority=0)
                    self.assertFalse(result.tcp, result)
                    self.assertEqual(result.rdatas("AMTRELAY"), BIG, result)
                    self.assertEqual({r.ttl for r in result.answer}, {300}, result)
        reply = self.driad.udp(h.build_query(BIG_NAME, edns={"payload": 4096}))
        self.assertGreater(len(reply), 1232)
        self.assertEqual(len(h.Message(reply).answer), 40)

    def test_requester_buffer_still_limits(self):
        result = self.driad.dig("-q", BIG_NAME, "-t", "AMTRELAY", "+bufsize=1232", "+ignore")
        self.assertTool(result, "NOERROR", flags="qr aa tc rd", answer=0)
        self.assertEqual(result.opt["udp"], 4096, result)
        result = self.driad.dig("-q", BIG_NAME, "-t", "AMTRELAY", "+noedns", "+ignore", host="::1")
        self.assertTool(result, "NOERROR", flags="qr aa tc rd", answer=0)
        self.assertIsNone(result.opt)


if __name__ == "__main__":
    h.main()
