"""Hostile and malformed input against the running daemon, table-driven: each
message is sent over UDP and over TCP and must get exactly the listed rcode, or
no answer at all; after every message a good query must still be answered.
Then the TCP-only abuses: a huge length prefix, a zero-length message, half a
message and a stall, and a byte-a-second sender, while UDP and fresh TCP
clients keep getting answers. ECS is on, so malformed ECS options count."""

import socket
import struct
import threading
import time

import driad_harness as h

RELAY_NAME = "12.100.51.198.in-addr.arpa."
RELAY_WIRE = h.name_to_wire(RELAY_NAME)
QUESTION = RELAY_WIRE + struct.pack("!HH", 260, 1)
DROP = "drop"
IDLE_MS = 1500


def header(qid=0xbeef, flags=0x0100, qd=1, an=0, ns=0, ar=0, opcode=0):
    flags = (flags & ~0x7800) | (opcode << 11)
    return struct.pack("!HHHHHH", qid, flags, qd, an, ns, ar)


def opt(rdata=b"", payload=1232, version=0, owner=b"\x00", rdlength=None):
    length = len(rdata) if rdlength is None else rdlength
    return owner + struct.pack("!HHIH", 41, payload, version << 16, length) + rdata


def option(code, data, length=None):
    return struct.pack("!HH", code, len(data) if length is None else length) + data


def ecs(family, source, scope, address):
    return option(8, struct.pack("!HBB", family, source, scope) + address)


def query_with(*additional, qname=RELAY_WIRE, qtype=260, qclass=1, **head):
    return header(ar=len(additional), **head) + qname + struct.pack("!HH", qtype, qclass) + b"".join(additional)


def long_name():
    return b"".join(b"\x3f" + b"a" * 63 for _ in range(4)) + b"\x00"  # 257 octets


# (name, message, expected rcode or DROP). Over TCP the same message is framed.
CASES = [
    # Not a query at all: dropped.
    ("empty", b"", DROP),
    ("one octet", b"\x12", DROP),
    ("truncated header", header()[:11], DROP),
    ("QR=1 response", header(flags=0x8100) + QUESTION, DROP),
    ("QR=1 NOTIFY response", header(flags=0x8000, opcode=4) + QUESTION, DROP),
    # Header readable, body not: FORMERR.
    ("QDCOUNT 0", header(qd=0), "FORMERR"),
    ("QDCOUNT 2", header(qd=2) + QUESTION + QUESTION, "FORMERR"),
    ("QDCOUNT 1, no question", header(), "FORMERR"),
    ("name runs past the end", header() + RELAY_WIRE[:9], "FORMERR"),
    ("no QTYPE/QCLASS", header() + RELAY_WIRE, "FORMERR"),
    ("half a QCLASS", header() + RELAY_WIRE + b"\x01\x04\x00", "FORMERR"),
    ("label longer than 63", header() + b"\x40" + b"a" * 64 + b"\x00\x01\x04\x00\x01", "FORMERR"),
    ("name longer than 255", header() + long_name() + b"\x01\x04\x00\x01", "FORMERR"),
    ("compression pointer loop", header() + b"\xc0\x0c\x01\x04\x00\x01", "FORMERR"),
    ("forward compression pointer", header() + b"\xc0\x20\x01\x04\x00\x01" + b"\x00" * 20, "FORMERR"),
    ("pointer after a label", header() + b"\x02ab\xc0\x0c\x01\x04\x00\x01", "FORMERR"),
    ("extended label type 0x40", header() + b"\x41\x00\x01\x04\x00\x01", "FORMERR"),
    ("label type 0x80", header() + b"\x81a\x00\x01\x04\x00\x01", "FORMERR"),
    ("an answer record in a query", header(an=1) + QUESTION + b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 0, 4) +
     b"\0" * 4, "FORMERR"),
    ("an authority record in a query", header(ns=1) + QUESTION + b"\xc0\x0c" + struct.pack("!HHIH", 1, 1, 0, 4) +
     b"\0" * 4, "FORMERR"),
    ("ARCOUNT 1, no record", header(ar=1) + QUESTION, "FORMERR"),
    ("two OPTs", query_with(opt(), opt()), "FORMERR"),
    ("OPT in the answer section", header(an=1) + QUESTION + opt(), "FORMERR"),
    ("OPT owner not the root", query_with(opt(owner=b"\x01a\x00")), "FORMERR"),
    ("OPT RDLENGTH past the end", query_with(opt(rdlength=40)), "FORMERR"),
    ("option length past the RDATA", query_with(opt(option(10, b"12345678", length=20))), "FORMERR"),
    ("option header cut short", query_with(opt(b"\x00\x0a\x00")), "FORMERR"),
    ("ECS family 3", query_with(opt(ecs(3, 24, 0, b"\x64\x41\x07"))), "FORMERR"),
    ("ECS IPv4 source prefix 33", query_with(opt(ecs(1, 33, 0, b"\x64\x41\x07\x00\x00"))), "FORMERR"),
    ("ECS IPv6 source prefix 129", query_with(opt(ecs(2, 129, 0, b"\x20" + b"\x00" * 16))), "FORMERR"),
    ("ECS address longer than its prefix", query_with(opt(ecs(1, 8, 0, b"\x64\x41"))), "FORMERR"),
    ("ECS address shorter than its prefix", query_with(opt(ecs(1, 24, 0, b"\x64\x41"))), "FORMERR"),
    ("ECS bits set past the prefix", query_with(opt(ecs(1, 20, 0, b"\x64\x41\x0f"))), "FORMERR"),
    ("ECS scope not 0 in a query", query_with(opt(ecs(1, 24, 24, b"\x64\x41\x07"))), "FORMERR"),
    ("ECS option of 3 octets", query_with(opt(option(8, b"\x00\x01\x18"))), "FORMERR"),
    ("QTYPE OPT", header() + RELAY_WIRE + struct.pack("!HH", 41, 1), "FORMERR"),
    ("QTYPE TSIG", header() + RELAY_WIRE + struct.pack("!HH", 250, 1), "FORMERR"),
    # Well formed, but not served.
    ("opcode IQUERY", header(opcode=1) + QUESTION, "NOTIMP"),
    ("opcode STATUS", header(opcode=2) + QUESTION, "NOTIMP"),
    ("opcode NOTIFY", header(opcode=4, flags=0x0400) + h.name_to_wire("100.51.198.in-addr.arpa.") +
     struct.pack("!HH", 6, 1), "NOTIMP"),
    ("opcode UPDATE", header(opcode=5, flags=0) + h.name_to_wire("100.51.198.in-addr.arpa.") +
     struct.pack("!HH", 6, 1), "NOTIMP"),
    ("QTYPE MAILA", header() + RELAY_WIRE + struct.pack("!HH", 254, 1), "NOTIMP"),
    ("QTYPE TKEY", header() + RELAY_WIRE + struct.pack("!HH", 249, 1), "NOTIMP"),
    ("AXFR", header() + h.name_to_wire("51.198.in-addr.arpa.") + struct.pack("!HH", 252, 1), "REFUSED"),
    ("IXFR", header() + h.name_to_wire("51.198.in-addr.arpa.") + struct.pack("!HH", 251, 1), "REFUSED"),
    ("a name outside every zone", header() + h.name_to_wire("example.com.") + struct.pack("!HH", 260, 1),
     "REFUSED"),
    ("class HS", header() + RELAY_WIRE + struct.pack("!HH", 260, 4), "REFUSED"),
    ("class NONE", header() + RELAY_WIRE + struct.pack("!HH", 260, 254), "REFUSED"),
    ("CHAOS name that is not ours", header() + h.name_to_wire("secret.bind.") + struct.pack("!HH", 16, 3),
     "REFUSED"),
    ("EDNS version 1", query_with(opt(version=1)), "BADVERS"),
    ("octet 256 in a reverse name", header() + h.name_to_wire("256.100.51.198.in-addr.arpa.") +
     struct.pack("!HH", 260, 1), "NXDOMAIN"),
    ("leading zero in a reverse name", header() + h.name_to_wire("012.100.51.198.in-addr.arpa.") +
     struct.pack("!HH", 260, 1), "NXDOMAIN"),
    ("nibble label of two digits", header() + h.name_to_wire("10.0.f.f.8.b.d.0.1.0.0.2.ip6.arpa.") +
     struct.pack("!HH", 260, 1), "NXDOMAIN"),
    ("too many labels under a zone", header() + h.name_to_wire("1.12.100.51.198.in-addr.arpa.") +
     struct.pack("!HH", 260, 1), "NXDOMAIN"),
]

RCODES = dict(h.RCODE, BADVERS=16)


def rcode_of(message):
    """The full rcode: header bits plus the OPT's extended bits."""
    extended = message.opt["ext_rcode"] if message.opt else 0
    return (extended << 4) | message.rcode


class HostileInputTest(h.DriadTestCase):
    CONFIG = dict(h.base_config(), ecs=True, tcp={"idle_timeout_ms": IDLE_MS, "max_connections": 64})

    def assertStillAnswers(self, host="127.0.0.1"):
        self.assertAlive()
        for tcp in (False, True):
            message = self.driad.query(RELAY_NAME, host=host, tcp=tcp, qid=0x600d)
            self.assertEqual((message.id, message.rcode, len(message.answer)), (0x600d, 0, 4))

    def send_udp(self, payload, host):
        """The reply to `payload`, or None; a good query sent right behind it
        on the same socket shows the daemon read past it."""
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        with socket.socket(family, socket.SOCK_DGRAM) as sock:
            sock.settimeout(2.0)
            sock.sendto(payload, (host, self.driad.port))
            sock.sendto(h.build_query(RELAY_NAME, qid=0x5e47), (host, self.driad.port))
            replies = []
            while True:
                reply = sock.recvfrom(65535)[0]
                if reply[:2] == b"\x5e\x47" and (len(payload) < 2 or payload[:2] != b"\x5e\x47"):
                    return replies[0] if replies else None
                replies.append(reply)

    def send_tcp(self, payload, host):
        """The reply to the framed `payload` and a good query behind it on the
        same connection, or None for no reply to it."""
        with h.tcp_connect(host, self.driad.port) as sock:
            sock.sendall(h.frame(payload) + h.frame(h.build_query(RELAY_NAME, qid=0x5e47)))
            first = h.recv_framed(sock)
            if first[:2] == b"\x5e\x47":
                return None
            good = h.recv_framed(sock)
            self.assertEqual(good[:2], b"\x5e\x47")
            return first

    def test_the_table(self):
        self.assertGreaterEqual(len(CASES), 40)
        for name, payload, expected in CASES:
            for host in ("127.0.0.1", "::1"):
                for transport in ("udp", "tcp"):
                    if transport == "tcp" and len(payload) < 2:
                        continue  # an empty or 1-octet TCP message: see the TCP tests below
                    with self.subTest(case=name, host=host, transport=transport):
                        reply = (self.send_udp if transport == "udp" else self.send_tcp)(payload, host)
                        if expected == DROP:
                            self.assertIsNone(reply, f"{name}: answered {reply!r}")
                            continue
                        self.assertIsNotNone(reply, f"{name}: no answer")
                        message = h.Message(reply)
                        self.assertEqual(message.id, 0xbeef)
                        self.assertTrue(message.qr)
                        self.assertEqual(rcode_of(message), RCODES[expected], f"{name}: {message}")
                        if expected in ("FORMERR", "NOTIMP", "REFUSED", "BADVERS"):
                            self.assertEqual(len(message.answer), 0)
        self.assertStillAnswers()
        self.assertStillAnswers("::1")

    def test_tcp_huge_length_prefix_then_close(self):
        with h.tcp_connect("127.0.0.1", self.driad.port) as sock:
            sock.sendall(struct.pack("!H", 65535) + b"\x12\x34" + b"\x00" * 100)
        self.assertStillAnswers()

    def test_tcp_zero_length_message_closes_the_connection(self):
        with h.tcp_connect("127.0.0.1", self.driad.port) as sock:
            sock.sendall(b"\x00\x00" + h.frame(h.build_query(RELAY_NAME, qid=7)))
            sock.settimeout(2.0)
            data = b""
            try:
                while True:
                    chunk = sock.recv(4096)
                    if not chunk:
                        break
                    data += chunk
            except (socket.timeout, ConnectionResetError):
                self.fail("a zero-length message must end the connection, not hang it")
            self.assertEqual(data, b"", "nothing is answered after a zero-length message")
        self.assertStillAnswers()

    def test_half_a_message_then_a_stall_is_cut_off_by_the_idle_timeout(self):
        started = time.monotonic()
        with h.tcp_connect("127.0.0.1", self.driad.port, timeout=IDLE_MS / 1000 * 4) as sock:
            query = h.frame(h.build_query(RELAY_NAME, qid=9))
            sock.sendall(query[: len(query) // 2])
            # Meanwhile UDP and a fresh TCP client are served.
            self.assertStillAnswers()
            self.assertEqual(sock.recv(4096), b"")  # closed by driad
        self.assertLess(time.monotonic() - started, IDLE_MS / 1000 * 3)

    def test_a_byte_a_second_sender_is_cut_off(self):
        stop = threading.Event()
        closed_after = []

        def slowloris():
            with h.tcp_connect("127.0.0.1", self.driad.port, timeout=10) as sock:
                query = h.frame(h.build_query(RELAY_NAME, qid=11))
                started = time.monotonic()
                try:
                    for octet in query:
                        if stop.is_set():
                            return
                        sock.sendall(bytes([octet]))
                        time.sleep(0.5)
                    sock.recv(4096)
                except (BrokenPipeError, ConnectionResetError):
                    pass
                closed_after.append(time.monotonic() - started)

        thread = threading.Thread(target=slowloris)
        thread.start()
        try:
            deadline = time.monotonic() + IDLE_MS / 1000 * 4
            while thread.is_alive() and time.monotonic() < deadline:
                self.assertStillAnswers()
                time.sleep(0.2)
        finally:
            stop.set()
            thread.join(15)
        self.assertEqual(len(closed_after), 1, "the slow sender was not cut off")
        # Cut off at the idle timeout, long before its ~20 s message would end.
        self.assertLess(closed_after[0], IDLE_MS / 1000 * 3)


if __name__ == "__main__":
    h.main()
