"""Three independent decoders agree on driad's AMTRELAY RDATA: dig (by name, and
as RFC 3597 hex with +unknownformat), kdig and drill (TYPE260 as hex), and the
RFC 8777 test vectors of rfc8777-facts.md; the RFC's example answer is
reproduced byte for byte."""

import itertools

import driad_harness as h

# rfc8777-facts.md, "Test vectors": presentation -> RDATA hex.
VECTORS = {
    "10 0 1 203.0.113.15": "0a01cb00710f",
    "10 0 2 2001:db8::15": "0a0220010db8000000000000000000000015",
    "128 1 3 amtrelays.example.com.": "808309616d7472656c617973076578616d706c6503636f6d00",
    "0 0 0 .": "0000",
    "20 1 1 192.0.2.10": "1481c000020a",
    "10 0 2 2001:db8:c::f": "0a0220010db8000c0000000000000000000f",
}
RFC_EXAMPLE = ["10 0 1 203.0.113.15", "10 0 2 2001:db8::15", "128 1 3 amtrelays.example.com."]

# rfc8777-facts.md: the query (id 0x1234, no EDNS, RD clear) and Knot's answer.
RFC_QUERY = bytes.fromhex("123400000001000000000000023132033130300235310331393807696e2d6164647204617270610001040001")
RFC_ANSWER = bytes.fromhex(
    "123484000001000300000000023132033130300235310331393807696e2d6164647204617270610001040001"
    "c00c010400010000003c00060a01cb00710f"
    "c00c010400010000003c00120a0220010db8000000000000000000000015"
    "c00c010400010000003c0019808309616d7472656c617973076578616d706c6503636f6d00")

V4_NAME = "12.100.51.198.in-addr.arpa."        # 198.51.100.0/25 -> the RFC example
VECTOR_V4_NAME = "130.100.51.198.in-addr.arpa."  # 198.51.100.128/26 -> every vector
VECTOR_V6_NAME = h.reverse_name("2001:db8:ff00::1")


def config():
    return {
        "listen": [],
        "threads": 1,
        "zones": [h.zone("100.51.198.in-addr.arpa."), h.zone("8.b.d.0.1.0.0.2.ip6.arpa.")],
        "sources": [
            {"prefix": "198.51.100.0/25", "relay_group": "rfc-example"},
            {"prefix": "198.51.100.128/26", "relay_group": "vectors"},
            {"prefix": "198.51.100.192/26", "relay_group": "all-types"},
            {"prefix": "2001:db8:ff00::/40", "relay_group": "vectors"},
        ],
        "relay_groups": [
            {"name": "rfc-example", "relays": RFC_EXAMPLE},
            {"name": "vectors", "relays": list(VECTORS)},
            {"name": "all-types", "relays": h.ALL_TYPES},
        ],
    }


class ClientsTest(h.DriadTestCase):
    CONFIG = config()
    PATHS = list(itertools.product(h.LOOPBACKS, (False, True)))

    def test_harness_encoder_matches_the_vectors(self):
        # The encoder the other checks rely on, against the published bytes.
        for text, hexdata in VECTORS.items():
            self.assertEqual(h.amtrelay_wire(text).hex(), hexdata, text)
            self.assertEqual(h.amtrelay_text(bytes.fromhex(hexdata)), text)

    def test_rfc8777_example_answer_byte_for_byte(self):
        for host, tcp in self.PATHS:
            with self.subTest(host=host, tcp=tcp):
                reply = self.driad.tcp(RFC_QUERY, host=host) if tcp else self.driad.udp(RFC_QUERY, host=host)
                self.assertEqual(reply.hex(), RFC_ANSWER.hex())

    def test_raw_rdata_is_the_vectors(self):
        for name in (VECTOR_V4_NAME, VECTOR_V6_NAME):
            for host, tcp in self.PATHS:
                with self.subTest(name=name, host=host, tcp=tcp):
                    message = self.driad.query(name, host=host, tcp=tcp)
                    self.assertEqual([r.rdata.hex() for r in message.answer], list(VECTORS.values()))
                    self.assertEqual({(r.type, r.rclass, r.ttl) for r in message.answer}, {(260, 1, 60)})

    def test_dig_decodes_the_vectors(self):
        for name in (VECTOR_V4_NAME, VECTOR_V6_NAME):
            for host, tcp in self.PATHS:
                with self.subTest(name=name, host=host, tcp=tcp):
                    transport = "+tcp" if tcp else "+notcp"
                    result = self.driad.dig("-q", name, "-t", "AMTRELAY", transport, host=host)
                    self.assertTool(result, "NOERROR", flags="qr aa rd", answer=len(VECTORS))
                    self.assertEqual(result.rdatas("AMTRELAY"), list(VECTORS))
                    generic = self.driad.dig("-q", name, "-t", "TYPE260", "+unknownformat", transport, host=host)
                    self.assertTool(generic, "NOERROR", flags="qr aa rd", answer=len(VECTORS))
                    self.assertEqual([h.unknown_rdata(r.rdata).hex() for r in generic.answer], list(VECTORS.values()))

    def test_kdig_gets_the_same_rdata(self):
        for name in (VECTOR_V4_NAME, VECTOR_V6_NAME):
            for host, tcp in self.PATHS:
                with self.subTest(name=name, host=host, tcp=tcp):
                    result = self.driad.kdig("-q", name, "-t", "TYPE260", "+tcp" if tcp else "+notcp", host=host)
                    self.assertTool(result, "NOERROR", flags="qr aa rd", answer=len(VECTORS), authority=0)
                    self.assertEqual(result.tcp, tcp, result)
                    self.assertEqual({(r.name, r.ttl, r.rclass, r.type) for r in result.answer},
                                     {(name, 60, "IN", "TYPE260")})
                    self.assertEqual([h.unknown_rdata(r.rdata).hex() for r in result.answer], list(VECTORS.values()))
        result = self.driad.kdig("-x", "198.51.100.12", "-t", "TYPE260", "+edns")
        self.assertEqual(result.opt, {"version": 0, "flags": set(), "udp": 1232}, result)
        self.assertEqual([h.amtrelay_text(h.unknown_rdata(r.rdata)) for r in result.answer], RFC_EXAMPLE)

    def test_drill_gets_the_same_rdata(self):
        for name in (VECTOR_V4_NAME, VECTOR_V6_NAME):
            for host, tcp in self.PATHS:
                with self.subTest(name=name, host=host, tcp=tcp):
                    result = self.driad.drill("-t" if tcp else "-u", name, "TYPE260", host=host)
                    self.assertTool(result, "NOERROR", flags="qr aa rd", answer=len(VECTORS), authority=0)
                    self.assertEqual({(r.name, r.ttl, r.rclass, r.type) for r in result.answer},
                                     {(name, 60, "IN", "TYPE260")})
                    self.assertEqual([h.unknown_rdata(r.rdata).hex() for r in result.answer], list(VECTORS.values()))

    def test_all_four_relay_types_through_every_client(self):
        name = "200.100.51.198.in-addr.arpa."
        expected = [h.amtrelay_wire(text).hex() for text in h.ALL_TYPES]
        dig = self.driad.dig("-q", name, "-t", "AMTRELAY")
        kdig = self.driad.kdig("-q", name, "-t", "TYPE260", host="::1")
        drill = self.driad.drill(name, "TYPE260")
        self.assertEqual([h.amtrelay_wire(r).hex() for r in dig.rdatas()], expected, dig)
        self.assertEqual([h.unknown_rdata(r.rdata).hex() for r in kdig.answer], expected, kdig)
        self.assertEqual([h.unknown_rdata(r.rdata).hex() for r in drill.answer], expected, drill)

    def test_negative_answers_agree(self):
        for tool in ("dig", "kdig", "drill"):
            with self.subTest(tool=tool):
                nx_name, refused_name = "abc.100.51.198.in-addr.arpa.", "1.101.51.198.in-addr.arpa."
                if tool == "drill":
                    nx, refused = self.driad.drill(nx_name, "TYPE260"), self.driad.drill(refused_name, "TYPE260")
                else:
                    run = getattr(self.driad, tool)
                    nx, refused = run("-q", nx_name, "-t", "TYPE260"), run("-q", refused_name, "-t", "TYPE260")
                self.assertTool(nx, "NXDOMAIN", flags="qr aa rd", answer=0, authority=1)
                soa = nx.authority[0]
                self.assertEqual((soa.name, soa.ttl, soa.type), ("100.51.198.in-addr.arpa.", 30, "SOA"), nx)
                self.assertTool(refused, "REFUSED", flags="qr rd", answer=0, authority=0)


if __name__ == "__main__":
    h.main()
