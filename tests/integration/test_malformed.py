"""Malformed DNS messages: what cannot be a query is dropped, what has a
readable header gets FORMERR (or NOTIMP), and the daemon keeps answering good
queries afterwards, over UDP and TCP."""

import random
import socket
import struct

import driad_harness as h

RELAY_NAME = "12.100.51.198.in-addr.arpa."
SILENCE = 0.5  # how long "no answer" is waited for


def header(qid=0xbeef, flags=0x0100, qd=1, an=0, ns=0, ar=0):
    return struct.pack("!HHHHHH", qid, flags, qd, an, ns, ar)


QUESTION = h.name_to_wire(RELAY_NAME) + struct.pack("!HH", 260, 1)
OPT = b"\x00" + struct.pack("!HHIH", 41, 1232, 0, 0)

# Messages with a readable header but no acceptable body: FORMERR.
FORMERR_CASES = {
    "qdcount 2": header(qd=2) + QUESTION + QUESTION,
    "qdcount 0": header(qd=0),
    "question name runs past the end": header() + h.name_to_wire(RELAY_NAME)[:10],
    "no qtype/qclass": header() + h.name_to_wire(RELAY_NAME),
    "compression pointer in the question": header() + b"\xc0\x0c" + struct.pack("!HH", 260, 1),
    "label length 64": header() + b"\x40" + b"a" * 64 + b"\x00" + struct.pack("!HH", 260, 1),
    "an answer record in a query": header(an=1) + QUESTION + b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 0, 4) + b"\0" * 4,
    "arcount 1, no record": header(ar=1) + QUESTION,
    "two OPT records": header(ar=2) + QUESTION + OPT + OPT,
    "OPT owner not the root": header(ar=1) + QUESTION + b"\x01a\x00" + OPT[1:],
    "OPT option longer than its rdata": header(ar=1) + QUESTION + b"\x00" + struct.pack("!HHIH", 41, 1232, 0, 4) +
    struct.pack("!HH", 10, 8),
    "qtype OPT": header() + h.name_to_wire(RELAY_NAME) + struct.pack("!HH", 41, 1),
}


class MalformedTest(h.DriadTestCase):

    def assertAnswersGoodQueries(self):
        self.assertAlive()
        for host in h.LOOPBACKS:
            for tcp in (False, True):
                message = self.driad.query(RELAY_NAME, host=host, tcp=tcp, qid=0x600d)
                self.assertEqual((message.id, message.rcode, len(message.answer)), (0x600d, 0, 4))

    def assertDropped(self, payloads, host):
        """Sends each payload, then a good query, from one socket: the only reply
        must be the good one's (one worker reads one socket's datagrams in
        order), and nothing may follow within SILENCE seconds."""
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        with socket.socket(family, socket.SOCK_DGRAM) as sock:
            for payload in payloads:
                sock.sendto(payload, (host, self.driad.port))
            sock.sendto(h.build_query(RELAY_NAME, qid=0x5e47), (host, self.driad.port))
            sock.settimeout(2.0)
            first = h.Message(sock.recvfrom(65535)[0])
            self.assertEqual(first.id, 0x5e47, "an answer to a message that should be dropped")
            sock.settimeout(SILENCE)
            with self.assertRaises(socket.timeout, msg="an answer to a message that should be dropped"):
                sock.recvfrom(65535)

    def test_short_datagrams_are_dropped(self):
        for host in h.LOOPBACKS:
            with self.subTest(host=host):
                self.assertDropped([b"\x12\x34\x01\x00\x00"], host)
                self.assertDropped([b"", b"\x00", header()[:11]], host)
        self.assertAnswersGoodQueries()

    def test_responses_are_dropped(self):
        # QR=1: never answer an answer (that is how reflection loops start).
        for host in h.LOOPBACKS:
            with self.subTest(host=host):
                self.assertDropped([h.build_query(RELAY_NAME, flags=0x8100)], host)
                self.assertDropped([h.build_query(RELAY_NAME, flags=0x8400, qid=1),
                                    h.build_query("51.198.in-addr.arpa.", "SOA", flags=0x8000, qid=2)], host)
        self.assertAnswersGoodQueries()

    def test_readable_headers_get_formerr(self):
        for name, payload in FORMERR_CASES.items():
            for host in h.LOOPBACKS:
                for tcp in (False, True):
                    with self.subTest(case=name, host=host, tcp=tcp):
                        reply = self.driad.tcp(payload, host=host) if tcp else self.driad.udp(payload, host=host)
                        self.assertIsNotNone(reply)
                        message = h.Message(reply)
                        self.assertEqual(message.id, 0xbeef)
                        self.assertTrue(message.qr)
                        self.assertFalse(message.aa)
                        self.assertEqual(message.rcode, h.RCODE["FORMERR"])
                        self.assertEqual(message.counts[1:3], (0, 0))
        self.assertAnswersGoodQueries()

    def test_tcp_connection_survives_a_dropped_message(self):
        for host in h.LOOPBACKS:
            with self.subTest(host=host), h.tcp_connect(host, self.driad.port) as sock:
                # A 5-octet message and a response: no answer to either, then
                # the good query behind them is answered on the same connection.
                sock.sendall(h.frame(b"\x12\x34\x01\x00\x00") +
                             h.frame(h.build_query(RELAY_NAME, flags=0x8100, qid=2)) +
                             h.frame(header(qd=2, qid=3) + QUESTION + QUESTION) +
                             h.frame(h.build_query(RELAY_NAME, qid=4)))
                formerr = h.Message(h.recv_framed(sock))
                self.assertEqual((formerr.id, formerr.rcode), (3, h.RCODE["FORMERR"]))
                good = h.Message(h.recv_framed(sock))
                self.assertEqual((good.id, good.rcode, len(good.answer)), (4, 0, 4))

    def test_oversized_datagram_is_dropped(self):
        # A valid query padded past driad's 4096-octet receive buffer.
        padding = struct.pack("!HHIH", 65001, 1, 0, 5000) + b"\0" * 5000
        payload = header(ar=1) + QUESTION + b"\x00" + padding
        self.assertDropped([payload], "127.0.0.1")
        self.assertAnswersGoodQueries()

    def test_random_garbage_does_not_hurt(self):
        rng = random.Random(8777)
        good = h.build_query(RELAY_NAME)
        for host in h.LOOPBACKS:
            payloads = []
            for i in range(300):
                if i % 2:
                    payload = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 120)))
                else:  # a good query with a few octets changed
                    payload = bytearray(good)
                    for _ in range(rng.randrange(1, 4)):
                        payload[rng.randrange(len(payload))] = rng.randrange(256)
                    payload = bytes(payload)
                payloads.append(payload)
            family = socket.AF_INET6 if ":" in host else socket.AF_INET
            with socket.socket(family, socket.SOCK_DGRAM) as sock:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
                for payload in payloads:
                    sock.sendto(payload, (host, self.driad.port))
                sock.settimeout(0.5)
                ids = {p[:2] for p in payloads}
                try:
                    while True:
                        reply = sock.recvfrom(65535)[0]
                        message = h.Message(reply)  # whatever comes back parses
                        self.assertTrue(message.qr)
                        self.assertIn(reply[:2], ids)
                except socket.timeout:
                    pass
        self.assertAnswersGoodQueries()


if __name__ == "__main__":
    h.main()
