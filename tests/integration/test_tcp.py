"""DNS over TCP (RFC 7766): pipelined queries on one connection, messages split
across writes, kdig and drill over TCP, the idle timeout (tcp.idle_timeout_ms),
the connection cap (tcp.max_connections) and the per-address cap
(tcp.max_connections_per_client), with UDP answering throughout."""

import select
import socket
import struct
import time

import driad_harness as h

RELAY_NAME = "12.100.51.198.in-addr.arpa."
WEST = ["10 1 1 192.0.2.1", "20 0 2 2001:db8::11"]

# (qname, qtype, rcode, answer count) for a pipeline of different questions.
PIPELINE = [
    (RELAY_NAME, "AMTRELAY", "NOERROR", 4),
    ("200.100.51.198.in-addr.arpa.", "AMTRELAY", "NOERROR", 2),
    ("1.101.51.198.in-addr.arpa.", "AMTRELAY", "NXDOMAIN", 0),
    ("51.198.in-addr.arpa.", "SOA", "NOERROR", 1),
    ("51.198.in-addr.arpa.", "NS", "NOERROR", 2),
    (h.reverse_name("2001:db8:ff00:1::1"), "AMTRELAY", "NOERROR", 2),
    (h.reverse_name("2001:db8:dead::1"), "AMTRELAY", "NOERROR", 1),
    ("100.51.198.in-addr.arpa.", "AMTRELAY", "NOERROR", 0),
    ("example.com.", "A", "REFUSED", 0),
    ("5.2.0.192.in-addr.arpa.", "TXT", "NOERROR", 0),
]


def udp_answers(driad):
    message = driad.query(RELAY_NAME, qid=0x7777)
    return message.id == 0x7777 and message.rcode == 0 and len(message.answer) == 4


def send_pipeline(sock, first_id, copies=1):
    """Writes the PIPELINE `copies` times in one write; {id: (query, expectation)}."""
    sent = {}
    payload = b""
    for n in range(copies):
        for i, (name, qtype, rcode, count) in enumerate(PIPELINE):
            qid = first_id + n * len(PIPELINE) + i
            query = h.build_query(name, qtype, qid=qid)
            sent[qid] = (query, rcode, count)
            payload += h.frame(query)
    sock.sendall(payload)
    return sent


class TcpTest(h.DriadTestCase):

    def check_replies(self, sock, sent):
        seen = set()
        for _ in range(len(sent)):
            message = h.Message(h.recv_framed(sock))
            self.assertIn(message.id, sent)
            self.assertNotIn(message.id, seen)
            seen.add(message.id)
            query, rcode, count = sent[message.id]
            self.assertTrue(message.qr)
            self.assertEqual(message.raw[12:message.question_end], query[12:])
            self.assertEqual(message.rcode, h.RCODE[rcode], message.question)
            self.assertEqual(len(message.answer), count, message.question)
        self.assertEqual(seen, set(sent))

    def test_ten_pipelined_queries_in_one_write(self):
        for host in h.LOOPBACKS:
            with self.subTest(host=host), h.tcp_connect(host, self.driad.port) as sock:
                sent = send_pipeline(sock, 100)
                self.assertEqual(len(sent), 10)
                self.check_replies(sock, sent)
                # The connection stays usable afterwards.
                sock.sendall(h.frame(h.build_query(RELAY_NAME, qid=999)))
                self.assertEqual(h.Message(h.recv_framed(sock)).id, 999)

    def test_hundreds_of_pipelined_queries_beyond_one_read_buffer(self):
        with h.tcp_connect("127.0.0.1", self.driad.port, timeout=5) as sock:
            sent = send_pipeline(sock, 1000, copies=50)  # 500 queries, ~20 KB in one write
            self.assertEqual(len(sent), 500)
            self.check_replies(sock, sent)

    def test_messages_split_across_writes(self):
        with h.tcp_connect("::1", self.driad.port) as sock:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            first = h.frame(h.build_query(RELAY_NAME, qid=1))
            second = h.frame(h.build_query("51.198.in-addr.arpa.", "SOA", qid=2))
            stream = first + second
            # One octet of the length, then the rest of the first message and
            # half of the second, then the rest.
            for chunk in (stream[:1], stream[1:len(first) + 5], stream[len(first) + 5:]):
                sock.sendall(chunk)
                time.sleep(0.05)
            replies = [h.Message(h.recv_framed(sock)) for _ in range(2)]
            self.assertEqual([m.id for m in replies], [1, 2])
            self.assertEqual([len(m.answer) for m in replies], [4, 1])

    def test_a_query_larger_than_the_initial_buffer(self):
        # A 20 KB query (an unknown record padding the additional section) is
        # read whole and answered; the next one on the connection too.
        query = bytearray(h.build_query(RELAY_NAME, qid=77))
        query[11] = 1  # ARCOUNT
        query += h.name_to_wire("pad.example.") + struct.pack("!HHIH", 65280, 1, 0, 20000) + b"\xab" * 20000
        with h.tcp_connect("127.0.0.1", self.driad.port) as sock:
            sock.sendall(h.frame(bytes(query)) + h.frame(h.build_query(RELAY_NAME, qid=78)))
            replies = [h.Message(h.recv_framed(sock)) for _ in range(2)]
        self.assertEqual([(m.id, m.rcode, len(m.answer)) for m in replies], [(77, 0, 4), (78, 0, 4)])

    def test_a_zero_length_message_closes_the_connection(self):
        with h.tcp_connect("127.0.0.1", self.driad.port) as sock:
            sock.sendall(b"\x00\x00")
            self.assertIsNotNone(h.wait_closed(sock, 2.0))
        self.assertTrue(udp_answers(self.driad))

    def test_kdig_over_tcp(self):
        for host in h.LOOPBACKS:
            with self.subTest(host=host):
                result = self.driad.kdig("-x", "198.51.100.200", "-t", "TYPE260", "+tcp", host=host)
                self.assertTool(result, "NOERROR", flags="qr aa rd", answer=2, authority=0)
                self.assertTrue(result.tcp, result)
                self.assertEqual([h.amtrelay_text(h.unknown_rdata(r.rdata)) for r in result.answer], WEST)
                result = self.driad.kdig("-q", "1.101.51.198.in-addr.arpa.", "-t", "TYPE260", "+tcp", host=host)
                self.assertTool(result, "NXDOMAIN", flags="qr aa rd", answer=0, authority=1)
                self.assertEqual(result.authority[0].type, "SOA")

    def test_drill_over_tcp(self):
        for host in h.LOOPBACKS:
            with self.subTest(host=host):
                result = self.driad.drill("-t", RELAY_NAME, "TYPE260", host=host)
                self.assertTool(result, "NOERROR", flags="qr aa rd", answer=4, authority=0)
                self.assertEqual([h.amtrelay_text(h.unknown_rdata(r.rdata)) for r in result.answer], h.ALL_TYPES)
                result = self.driad.drill("-t", "51.198.in-addr.arpa.", "SOA", host=host)
                self.assertTool(result, "NOERROR", flags="qr aa rd", answer=1)
                self.assertEqual(result.answer[0].type, "SOA")


class TcpIdleTimeoutTest(h.DriadTestCase):
    CONFIG = dict(h.base_config(), tcp={"idle_timeout_ms": 500}, threads=2)

    def test_silent_and_half_message_connections_are_closed(self):
        port = self.driad.port
        silent = h.tcp_connect("127.0.0.1", port)
        half = h.tcp_connect("::1", port)
        trickle = h.tcp_connect("127.0.0.1", port)
        trickle.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sockets = {"silent": silent, "half": half, "trickle": trickle}
        started = time.monotonic()
        half.sendall(h.frame(h.build_query(RELAY_NAME))[:9])  # length, then 7 of the message's octets
        trickle_bytes = h.frame(h.build_query(RELAY_NAME))
        closed = {}
        udp_ok = 0
        while len(closed) < len(sockets) and time.monotonic() - started < 3.0:
            # One octet every 100 ms: never a whole message, so never a reset deadline.
            if "trickle" not in closed and trickle_bytes:
                try:
                    trickle.send(trickle_bytes[:1])
                    trickle_bytes = trickle_bytes[1:]
                except OSError:
                    pass
            udp_ok += udp_answers(self.driad)
            readable, _, _ = select.select([s for k, s in sockets.items() if k not in closed], [], [], 0.1)
            for name, sock in sockets.items():
                if sock in readable:
                    try:
                        data = sock.recv(4096)
                    except (ConnectionResetError, BrokenPipeError):
                        data = b""
                    self.assertEqual(data, b"", f"{name}: unexpected data")
                    closed[name] = time.monotonic() - started
        for sock in sockets.values():
            sock.close()
        self.assertEqual(set(closed), set(sockets), f"still open after 3 s: {set(sockets) - set(closed)}")
        for name, after in closed.items():
            self.assertGreaterEqual(after, 0.35, name)
            self.assertLessEqual(after, 2.0, name)
        self.assertGreaterEqual(udp_ok, 5)
        self.assertTrue(udp_answers(self.driad))

    def test_a_busy_connection_outlives_the_timeout(self):
        with h.tcp_connect("::1", self.driad.port) as sock:
            started = time.monotonic()
            qid = 0
            while time.monotonic() - started < 1.5:  # three idle timeouts
                qid += 1
                sock.sendall(h.frame(h.build_query(RELAY_NAME, qid=qid)))
                self.assertEqual(h.Message(h.recv_framed(sock)).id, qid)
                time.sleep(0.1)
            self.assertGreaterEqual(qid, 5)
            # Once it goes quiet, the timeout applies again.
            self.assertIsNotNone(h.wait_closed(sock, 2.0))


class TcpConnectionCapTest(h.DriadTestCase):
    CONFIG = dict(h.base_config(), tcp={"max_connections": 3, "idle_timeout_ms": 1500}, threads=1)

    def open_served(self, host="127.0.0.1", qid=1):
        """A connection that got an answer: the server accepted and counted it."""
        sock = h.tcp_connect(host, self.driad.port)
        sock.sendall(h.frame(h.build_query(RELAY_NAME, qid=qid)))
        message = h.Message(h.recv_framed(sock))
        self.assertEqual((message.id, len(message.answer)), (qid, 4))
        return sock

    def assertRefused(self, host="127.0.0.1"):
        with h.tcp_connect(host, self.driad.port) as sock:
            after = h.wait_closed(sock, 1.0)
            self.assertIsNotNone(after, "a connection over the cap stayed open")
            self.assertLess(after, 0.5)

    def open_served_eventually(self, host, qid, limit=2.0):
        """The server frees a slot when it sees the close: retry briefly."""
        deadline = time.monotonic() + limit
        while True:
            try:
                return self.open_served(host, qid)
            except (ConnectionError, OSError):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def test_fourth_connection_is_closed_and_slots_come_back(self):
        # Slots of connections closed by an earlier test come back once the server
        # has read their EOF: the first three may need a retry.
        held = [self.open_served_eventually("127.0.0.1", 1), self.open_served_eventually("::1", 2),
                self.open_served_eventually("127.0.0.1", 3)]
        try:
            self.assertRefused("127.0.0.1")
            self.assertRefused("::1")
            self.assertTrue(udp_answers(self.driad))
            # The three held connections are still served.
            for i, sock in enumerate(held):
                sock.sendall(h.frame(h.build_query(RELAY_NAME, qid=10 + i)))
                self.assertEqual(h.Message(h.recv_framed(sock)).id, 10 + i)
            # Close two: two new connections are served, then the cap holds again.
            held.pop().close()
            held.pop().close()
            held.append(self.open_served_eventually("::1", 20))
            held.append(self.open_served_eventually("127.0.0.1", 21))
            self.assertRefused("::1")
        finally:
            for sock in held:
                sock.close()

    def test_connections_closed_by_the_idle_timeout_free_their_slots(self):
        # Three connections, each accepted (it got an answer), then silent.
        idle = []
        started = time.monotonic()
        try:
            for i in range(3):
                idle.append(self.open_served_eventually("127.0.0.1", 40 + i))
            for sock in idle:
                self.assertIsNotNone(h.wait_closed(sock, 4.0))
                # Closed by the 1.5 s timeout, not at once.
                self.assertGreater(time.monotonic() - started, 1.0)
        finally:
            for sock in idle:
                sock.close()
        held = [self.open_served_eventually("127.0.0.1", 30 + i) for i in range(3)]
        try:
            self.assertRefused()
        finally:
            for sock in held:
                sock.close()


class TcpPerClientCapTest(h.DriadTestCase):
    # The default tcp.max_connections_per_client (16), counted over both workers.
    CONFIG = dict(h.base_config(), tcp={"idle_timeout_ms": 5000}, threads=2)

    def connect_served(self, source, qid):
        sock = socket.create_connection((self.driad.host, self.driad.port), timeout=2,
                                        source_address=(source, 0))
        try:
            sock.sendall(h.frame(h.build_query(RELAY_NAME, qid=qid)))
            self.assertEqual(h.Message(h.recv_framed(sock)).id, qid)
        except BaseException:
            sock.close()
            raise
        return sock

    def test_the_seventeenth_connection_from_one_address_is_closed_at_once(self):
        held = []
        try:
            for i in range(16):
                held.append(self.connect_served("127.0.0.2", i))
            with socket.create_connection((self.driad.host, self.driad.port), timeout=2,
                                          source_address=("127.0.0.2", 0)) as extra:
                after = h.wait_closed(extra, 1.0)
                self.assertIsNotNone(after, "a 17th connection from 127.0.0.2 stayed open")
                self.assertLess(after, 0.5)
            # Another address still connects, and so does 127.0.0.1 (the harness's).
            held.append(self.connect_served("127.0.0.3", 100))
            held.append(self.connect_served("127.0.0.1", 101))
            # The sixteen are still served; closing one frees a slot for 127.0.0.2.
            held[0].sendall(h.frame(h.build_query(RELAY_NAME, qid=200)))
            self.assertEqual(h.Message(h.recv_framed(held[0])).id, 200)
            held.pop(0).close()
            deadline = time.monotonic() + 2.0
            while True:
                try:
                    held.append(self.connect_served("127.0.0.2", 300))
                    break
                except (ConnectionError, OSError):
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.05)
        finally:
            for sock in held:
                sock.close()
        self.assertTrue(udp_answers(self.driad))


if __name__ == "__main__":
    h.main()
