"""Answers of a running driadd, checked with dig over UDP and TCP, from 127.0.0.1
and ::1, for IPv4 and IPv6 zones: AMTRELAY sets, longest-prefix match, NODATA,
empty non-terminals, NXDOMAIN, apex SOA/NS, ANY, REFUSED, CHAOS, NOTIMP
opcodes, and case-insensitive matching with the question echoed as sent."""

import itertools
import time

import driad_harness as h

V4 = "51.198.in-addr.arpa."
V4B = "2.0.192.in-addr.arpa."
V6 = "8.b.d.0.1.0.0.2.ip6.arpa."
WEST = ["10 1 1 192.0.2.1", "20 0 2 2001:db8::11"]
SERIAL_V4 = 2024010101


def config():
    c = h.base_config()
    c["zones"][0]["soa"]["serial"] = SERIAL_V4
    return c


def nibbles(address):
    return h.reverse_name(address)


class AnswersTest(h.DriadTestCase):
    CONFIG = config()
    TRANSPORTS = ("+notcp", "+tcp")

    def each_path(self):
        """Every (listen address, transport) pair."""
        return itertools.product(h.LOOPBACKS, self.TRANSPORTS)

    def assertRelaySet(self, name, expected, qtype="AMTRELAY", ttl=60):
        for host, transport in self.each_path():
            with self.subTest(name=name, host=host, transport=transport):
                result = self.driad.dig("-q", name, "-t", qtype, transport, host=host)
                self.assertTool(result, "NOERROR", flags="qr aa rd", answer=len(expected), authority=0)
                self.assertEqual(result.tcp, transport == "+tcp", result)
                self.assertEqual(result.rdatas(), expected, result)
                for record in result.answer:
                    self.assertEqual((record.name, record.ttl, record.rclass, record.type),
                                     (name, ttl, "IN", "AMTRELAY"), result)

    def assertNegative(self, name, status, origin, qtype="AMTRELAY"):
        """NXDOMAIN or NODATA: aa, no answer, exactly the zone's SOA in authority."""
        for host, transport in self.each_path():
            with self.subTest(name=name, qtype=qtype, host=host, transport=transport):
                result = self.driad.dig("-q", name, "-t", qtype, transport, host=host)
                self.assertTool(result, status, flags="qr aa rd", answer=0, authority=1)
                soa = result.authority[0]
                self.assertEqual((soa.name, soa.type, soa.rclass), (origin, "SOA", "IN"), result)
                # RFC 2308: the negative TTL is min(SOA TTL, MINIMUM) = min(3600, 30).
                self.assertEqual(soa.ttl, 30, result)
                self.assertRegex(soa.rdata, r"^ns1\.driad\.example\. hostmaster\.driad\.example\. \d+ 3600 600 "
                                 r"86400 30$", result)
                if origin == V4:
                    self.assertEqual(int(soa.rdata.split()[2]), SERIAL_V4, result)

    # --- AMTRELAY sets -------------------------------------------------------

    def test_ipv4_source_gets_all_four_relay_types(self):
        self.assertRelaySet("12.100.51.198.in-addr.arpa.", h.ALL_TYPES)

    def test_ipv6_source_gets_all_four_relay_types(self):
        self.assertRelaySet(nibbles("2001:db8:ff00:2::5"), h.ALL_TYPES)

    def test_dig_x_asks_the_reverse_name(self):
        result = self.driad.dig("-x", "198.51.100.77", "-t", "AMTRELAY")
        self.assertTool(result, "NOERROR", flags="qr aa rd", answer=4)
        self.assertEqual(result.answer[0].name, "77.100.51.198.in-addr.arpa.")
        self.assertEqual(result.rdatas("AMTRELAY"), h.ALL_TYPES)
        result = self.driad.dig("-x", "2001:db8:dead::1", "-t", "AMTRELAY", host="::1")
        self.assertTool(result, "NOERROR", flags="qr aa rd", answer=1)
        self.assertEqual(result.rdatas("AMTRELAY"), ["0 0 0 ."])

    def test_longest_source_prefix_wins_ipv4(self):
        # 198.51.100.0/24 -> all-types, 198.51.100.128/25 -> west.
        for address, expected in (("198.51.100.0", h.ALL_TYPES), ("198.51.100.127", h.ALL_TYPES),
                                  ("198.51.100.128", WEST), ("198.51.100.255", WEST)):
            with self.subTest(address=address):
                self.assertRelaySet(h.reverse_name(address), expected)

    def test_longest_source_prefix_wins_ipv6(self):
        # 2001:db8:ff00::/40 -> all-types, 2001:db8:ff00:1::/64 -> west, 2001:db8:dead::/48 -> no relay.
        for address, expected in (("2001:db8:ff00:1::", WEST), ("2001:db8:ff00:1:ffff:ffff:ffff:ffff", WEST),
                                  ("2001:db8:ff00:0:ffff::1", h.ALL_TYPES), ("2001:db8:ff00:2::", h.ALL_TYPES),
                                  ("2001:db8:ffff:ffff::1", h.ALL_TYPES), ("2001:db8:dead:beef::1", ["0 0 0 ."])):
            with self.subTest(address=address):
                self.assertRelaySet(nibbles(address), expected)

    def test_second_ipv4_zone(self):
        self.assertRelaySet("5.2.0.192.in-addr.arpa.", WEST)
        self.assertRelaySet("127.2.0.192.in-addr.arpa.", WEST)
        # 192.0.2.128/25 is in the zone, under no source.
        self.assertNegative("128.2.0.192.in-addr.arpa.", "NXDOMAIN", V4B)

    def test_any_at_a_relay_name_is_the_relay_set(self):
        self.assertRelaySet("12.100.51.198.in-addr.arpa.", h.ALL_TYPES, qtype="ANY")

    # --- NODATA, empty non-terminals, NXDOMAIN --------------------------------

    def test_other_types_at_a_relay_name_are_nodata(self):
        for qtype in ("A", "AAAA", "TXT", "PTR", "NS", "SOA"):
            self.assertNegative("12.100.51.198.in-addr.arpa.", "NOERROR", V4, qtype=qtype)
        self.assertNegative(nibbles("2001:db8:ff00:2::5"), "NOERROR", V6, qtype="PTR")

    def test_empty_non_terminals_are_nodata(self):
        # A /16 zone with a /24 source: the /24 name has nothing but children.
        self.assertNegative("100.51.198.in-addr.arpa.", "NOERROR", V4)
        self.assertNegative("100.51.198.in-addr.arpa.", "NOERROR", V4, qtype="TXT")
        # IPv6: the /40 source's own name, a name between the zone and it, and
        # one inside the source prefix.
        self.assertNegative("f.f.8.b.d.0.1.0.0.2.ip6.arpa.", "NOERROR", V6)
        self.assertNegative("f.8.b.d.0.1.0.0.2.ip6.arpa.", "NOERROR", V6)
        self.assertNegative("0.0.f.f.8.b.d.0.1.0.0.2.ip6.arpa.", "NOERROR", V6)
        self.assertNegative("d.a.e.d.8.b.d.0.1.0.0.2.ip6.arpa.", "NOERROR", V6)

    def test_other_names_in_a_zone_are_nxdomain(self):
        for name in ("101.51.198.in-addr.arpa.",          # no source below it
                     "1.101.51.198.in-addr.arpa.",        # an address under no source
                     "abc.100.51.198.in-addr.arpa.",      # not a number
                     "07.100.51.198.in-addr.arpa.",       # leading zero
                     "256.100.51.198.in-addr.arpa.",      # not an octet
                     "-1.100.51.198.in-addr.arpa.",
                     "1.12.100.51.198.in-addr.arpa.",     # five labels
                     "www.51.198.in-addr.arpa."):
            self.assertNegative(name, "NXDOMAIN", V4)
        full = nibbles("2001:db8:ff00:2::5")
        for name in (nibbles("2001:db8:1::1"),             # an address under no source
                     "1.8.b.d.0.1.0.0.2.ip6.arpa.",         # no source below it
                     "g.f.f.8.b.d.0.1.0.0.2.ip6.arpa.",     # not a hex digit
                     "ff.8.b.d.0.1.0.0.2.ip6.arpa.",        # two digits in one label
                     "0." + full):                          # 33 nibbles
            self.assertNegative(name, "NXDOMAIN", V6)

    # --- apex ---------------------------------------------------------------

    def test_apex_soa_and_ns(self):
        for host, transport in self.each_path():
            with self.subTest(host=host, transport=transport):
                soa = self.driad.dig(V4, "SOA", transport, host=host)
                self.assertTool(soa, "NOERROR", flags="qr aa rd", answer=1, authority=0)
                record = soa.answer[0]
                self.assertEqual((record.name, record.ttl, record.rclass, record.type), (V4, 3600, "IN", "SOA"))
                self.assertEqual(record.rdata, f"ns1.driad.example. hostmaster.driad.example. {SERIAL_V4} 3600 600 "
                                               "86400 30")
                ns = self.driad.dig(V4, "NS", transport, host=host)
                self.assertTool(ns, "NOERROR", flags="qr aa rd", answer=2, authority=0)
                self.assertEqual([(r.name, r.ttl, r.type, r.rdata) for r in ns.answer],
                                 [(V4, 3600, "NS", "ns1.driad.example."), (V4, 3600, "NS", "ns2.driad.example.")])

    def test_unconfigured_serial_starts_at_the_clock(self):
        result = self.driad.dig(V6, "SOA", host="::1")
        self.assertTool(result, "NOERROR", flags="qr aa rd", answer=1)
        serial = int(result.answer[0].rdata.split()[2])
        self.assertLess(abs(serial - time.time()), 86400, result)

    def test_any_at_the_apex_is_only_the_soa(self):
        for host, transport in self.each_path():
            with self.subTest(host=host, transport=transport):
                result = self.driad.dig(V6, "ANY", transport, host=host)
                self.assertTool(result, "NOERROR", flags="qr aa rd", answer=1, authority=0)
                self.assertEqual((result.answer[0].name, result.answer[0].type), (V6, "SOA"))

    def test_other_types_at_the_apex_are_nodata(self):
        self.assertNegative(V4, "NOERROR", V4, qtype="AMTRELAY")
        self.assertNegative(V4B, "NOERROR", V4B, qtype="A")
        self.assertNegative(V6, "NOERROR", V6, qtype="TXT")

    # --- outside the zones ----------------------------------------------------

    def test_names_outside_every_zone_are_refused(self):
        for name in ("example.com.", "in-addr.arpa.", "198.in-addr.arpa.", "52.198.in-addr.arpa.",
                     "12.100.52.198.in-addr.arpa.", "3.2.0.192.in-addr.arpa.example.", ".",
                     "9.b.d.0.1.0.0.2.ip6.arpa.", nibbles("2001:db9::1")):
            for host, transport in self.each_path():
                with self.subTest(name=name, host=host, transport=transport):
                    result = self.driad.dig("-q", name, "-t", "AMTRELAY", transport, host=host)
                    self.assertTool(result, "REFUSED", flags="qr rd", answer=0, authority=0)

    def test_zone_transfers_are_refused(self):
        message = self.driad.query(V4, "AXFR", tcp=True)
        self.assertEqual(message.rcode, h.RCODE["REFUSED"])
        self.assertEqual(message.counts[1:3], (0, 0))

    def test_chaos_identity(self):
        for name in ("version.bind.", "id.server.", "version.server.", "hostname.bind."):
            for host in h.LOOPBACKS:
                with self.subTest(name=name, host=host):
                    result = self.driad.dig(name, "-c", "CH", "-t", "TXT", host=host)
                    self.assertTool(result, "NOERROR", answer=1, authority=0)
                    record = result.answer[0]
                    self.assertEqual((record.name, record.rclass, record.type, record.rdata),
                                     (name, "CH", "TXT", '"driad"'), result)
        result = self.driad.dig("secret.bind.", "-c", "CH", "-t", "TXT")
        self.assertTool(result, "REFUSED", answer=0)

    # --- opcodes and the question ---------------------------------------------

    def test_notify_and_update_are_notimp(self):
        for opcode in ("NOTIFY", "UPDATE"):
            for host, tcp in itertools.product(h.LOOPBACKS, (False, True)):
                with self.subTest(opcode=opcode, host=host, tcp=tcp):
                    query = h.build_query(V4, "SOA", qid=0x4242, flags=0, opcode=h.OPCODE[opcode])
                    reply = self.driad.tcp(query, host=host) if tcp else self.driad.udp(query, host=host)
                    self.assertIsNotNone(reply)
                    message = h.Message(reply)
                    self.assertEqual(message.id, 0x4242)
                    self.assertTrue(message.qr)
                    self.assertEqual(message.opcode, h.OPCODE[opcode])
                    self.assertEqual(message.rcode, h.RCODE["NOTIMP"])
                    self.assertEqual(message.counts[1:], (0, 0, 0))
        self.assertAlive()

    def test_qname_is_case_insensitive_and_echoed_as_sent(self):
        name = "12.100.51.198.In-AdDr.ARPA."
        for host, tcp in itertools.product(h.LOOPBACKS, (False, True)):
            with self.subTest(host=host, tcp=tcp):
                query = h.build_query(name, "AMTRELAY", qid=0xcafe)
                reply = self.driad.tcp(query, host=host) if tcp else self.driad.udp(query, host=host)
                message = h.Message(reply)
                self.assertEqual(message.rcode, 0)
                self.assertTrue(message.aa)
                # The question section, byte for byte as sent.
                self.assertEqual(reply[12:message.question_end], query[12:])
                self.assertEqual([h.amtrelay_text(r.rdata) for r in message.answer], h.ALL_TYPES)
                self.assertEqual({r.name for r in message.answer}, {name})
                # The negative SOA's owner points into the question too.
                negative = h.Message(self.driad.udp(h.build_query("1.101.51.198.IN-ADDR.arpa.", "AMTRELAY"),
                                                    host=host))
                self.assertEqual(negative.rcode, h.RCODE["NXDOMAIN"])
                self.assertEqual(negative.authority[0].name, "51.198.IN-ADDR.arpa.")
        upper_v6 = nibbles("2001:db8:ff00:1::ab").upper().replace("IP6.ARPA", "Ip6.ArPa")
        result = self.driad.dig(upper_v6, "-t", "AMTRELAY", host="::1")
        self.assertTool(result, "NOERROR", flags="qr aa rd", answer=2)
        self.assertEqual(result.rdatas(), WEST)
        self.assertEqual(result.answer[0].name, upper_v6)
        self.assertEqual(result.sections["QUESTION"][0][0], upper_v6)

    def test_rd_is_echoed_and_ra_never_set(self):
        result = self.driad.dig("-x", "198.51.100.12", "-t", "AMTRELAY", "+norecurse")
        self.assertTool(result, "NOERROR", flags="qr aa", answer=4)


class SingleAddressZoneTest(h.DriadTestCase):
    """Zones delegated for one source address (a /32 or a /128): the apex is a
    source too, with its AMTRELAY set beside the SOA and NS."""

    V4_ZONE = "12.100.51.198.in-addr.arpa."
    V6_ZONE = h.reverse_name("2001:db8::2")
    CONFIG = {
        "listen": [],
        "threads": 1,
        "zones": [h.zone(V4_ZONE), h.zone(V6_ZONE)],
        "sources": [{"prefix": "198.51.100.12/32", "relay_group": "all-types"},
                    {"prefix": "2001:db8::2/128", "relay_group": "west"}],
        "relay_groups": [{"name": "all-types", "relays": h.ALL_TYPES}, {"name": "west", "relays": WEST}],
    }

    def test_apex_has_the_relay_set_soa_and_ns(self):
        for origin, expected in ((self.V4_ZONE, h.ALL_TYPES), (self.V6_ZONE, WEST)):
            for host, transport in itertools.product(h.LOOPBACKS, ("+notcp", "+tcp")):
                with self.subTest(origin=origin, host=host, transport=transport):
                    relays = self.driad.dig("-q", origin, "-t", "AMTRELAY", transport, host=host)
                    self.assertTool(relays, "NOERROR", flags="qr aa rd", answer=len(expected), authority=0)
                    self.assertEqual(relays.rdatas("AMTRELAY"), expected, relays)
                    self.assertEqual({r.ttl for r in relays.answer}, {60})
                    soa = self.driad.dig("-q", origin, "-t", "SOA", transport, host=host)
                    self.assertTool(soa, "NOERROR", flags="qr aa rd", answer=1, authority=0)
                    self.assertEqual(soa.answer[0].type, "SOA")
                    ns = self.driad.dig("-q", origin, "-t", "NS", transport, host=host)
                    self.assertTool(ns, "NOERROR", flags="qr aa rd", answer=1, authority=0)
                    self.assertEqual(ns.rdatas("NS"), ["ns1.driad.example."])
                    nodata = self.driad.dig("-q", origin, "-t", "TXT", transport, host=host)
                    self.assertTool(nodata, "NOERROR", flags="qr aa rd", answer=0, authority=1)
                    self.assertEqual(nodata.authority[0].type, "SOA")
        below = self.driad.dig("-q", "1." + self.V4_ZONE, "-t", "AMTRELAY")
        self.assertTool(below, "NXDOMAIN", flags="qr aa rd", answer=0, authority=1)


class ListenTest(h.DriadTestCase):
    """Listening on ::1 only (IPV6_V6ONLY): nothing answers on 127.0.0.1."""

    @classmethod
    def setUpClass(cls):
        cls.driad = h.Driad(h.base_config(), hosts=("::1",))
        cls.addClassCleanup(cls.driad.cleanup)
        cls.driad.start()

    def test_only_the_listed_address_answers(self):
        for transport in ("+notcp", "+tcp"):
            result = self.driad.dig("-x", "198.51.100.12", "-t", "AMTRELAY", transport, host="::1")
            self.assertTool(result, "NOERROR", flags="qr aa rd", answer=4)
        self.assertIsNone(self.driad.udp(h.build_query("12.100.51.198.in-addr.arpa."), host="127.0.0.1",
                                         timeout=0.3))
        with self.assertRaises(ConnectionRefusedError):
            self.driad.tcp(h.build_query("12.100.51.198.in-addr.arpa."), host="127.0.0.1")


if __name__ == "__main__":
    h.main()
