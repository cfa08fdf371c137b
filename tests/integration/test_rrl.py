"""Response rate limiting (config `rrl`): a flood from 127.0.0.2 is cut to the
rate, every second limited response slips out truncated (TC=1, no records)
and its client gets the full answer over TCP, which is never limited, while
127.0.0.3 gets every answer; a whole /24 shares one bucket; the amplification
cap; and without `rrl` nothing is limited. Each flood is bounded in count and
time and prints its figures (sent, answered, slipped, dropped)."""

import select
import socket
import sys
import time

import admin_common as ac
import driad_harness as h

RELAY_NAME = "12.100.51.198.in-addr.arpa."  # all-types: 4 relays
RATE = 20


def rrl_config(**rrl):
    settings = {"responses_per_second": RATE, "slip": 2}
    settings.update(rrl)
    return dict(h.base_config(), rrl=settings, threads=1)


def udp_from(source):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
    sock.bind((source, 0))
    sock.setblocking(False)
    return sock


def read_replies(sock, replies, wait):
    """Reads every reply that arrives within `wait` seconds into {id: Message}."""
    deadline = time.monotonic() + wait
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return
        readable, _, _ = select.select([sock], [], [], left)
        if not readable:
            return
        while True:
            try:
                data = sock.recv(65535)
            except BlockingIOError:
                break
            message = h.Message(data)
            replies[message.id] = message


class Flood:
    """`count` queries from `source` to the daemon over about `seconds`, in
    bursts; the replies by query id, and the figures."""

    def __init__(self, driad, source, count=1000, seconds=1.0, qname=RELAY_NAME, between=None):
        self.sent = 0
        self.replies = {}
        bursts = 20
        per_burst = count // bursts
        with udp_from(source) as sock:
            started = time.monotonic()
            for burst in range(bursts):
                for i in range(per_burst):
                    qid = burst * per_burst + i
                    sock.sendto(h.build_query(qname, qid=qid), (driad.host, driad.port))
                    self.sent += 1
                if between is not None:
                    between(burst)
                read_replies(sock, self.replies, seconds / bursts)
            self.seconds = time.monotonic() - started
            read_replies(sock, self.replies, 0.3)
        self.full = [m for m in self.replies.values() if not m.tc]
        self.slipped = [m for m in self.replies.values() if m.tc]
        self.dropped = self.sent - len(self.replies)

    def __str__(self):
        return (f"{self.sent} queries in {self.seconds:.2f} s: {len(self.full)} answered, "
                f"{len(self.slipped)} slipped (TC), {self.dropped} dropped")


class RrlFloodTest(h.DriadTestCase):
    # Per address here, so that 127.0.0.3 has a bucket of its own; the admin
    # API for the counters.
    ADMIN = ac.free_tcp_port()
    CONFIG = ac.with_admin(rrl_config(ipv4_prefix=32), ADMIN)

    def rrl_counters(self):
        reply = ac.http(self.ADMIN, "/metrics")
        self.assertEqual(reply.status, 200, reply)
        metrics = ac.Metrics(reply.body)
        return metrics.value("driad_rrl_dropped_total"), metrics.value("driad_rrl_slipped_total")

    def test_flood_is_limited_while_another_client_gets_every_answer(self):
        dropped_before, slipped_before = self.rrl_counters()
        replies = {}
        with udp_from("127.0.0.3") as other:
            # One query from 127.0.0.3 between the flood's bursts: 20 in a second.
            def ask(burst):
                other.sendto(h.build_query(RELAY_NAME, qid=burst), (self.driad.host, self.driad.port))

            flood = Flood(self.driad, "127.0.0.2", count=1000, seconds=1.0, between=ask)
            read_replies(other, replies, 0.5)
        good = list(replies.values())
        # The burst (20) plus the rate (20/s) over the flood, with some slack for timing.
        self.assertGreaterEqual(len(flood.full), RATE, flood)
        self.assertLessEqual(len(flood.full), RATE + RATE * flood.seconds + 10, flood)
        limited = flood.sent - len(flood.full)
        # slip 2: every second limited response is truncated, the others dropped.
        self.assertGreater(len(flood.slipped), limited * 0.4, flood)
        self.assertLess(len(flood.slipped), limited * 0.6, flood)
        for message in flood.slipped:
            self.assertTrue(message.qr and message.aa)
            self.assertEqual((message.counts[0], message.answer, message.authority), (1, [], []))
            self.assertEqual(message.question[0][0], RELAY_NAME)
        for message in flood.full:
            self.assertEqual(len(message.answer), 4)
        self.assertEqual(len(good), 20)
        self.assertTrue(all(not m.tc and len(m.answer) == 4 for m in good), good)
        # The server counted what the client saw: every truncated reply, and the
        # unanswered queries (less any the kernel dropped before driadd read them).
        dropped, slipped = self.rrl_counters()
        print(f"\nRRL flood from 127.0.0.2: {flood}; driadd counted {dropped - dropped_before:.0f} "
              f"dropped, {slipped - slipped_before:.0f} slipped", file=sys.stderr)
        self.assertEqual(slipped - slipped_before, len(flood.slipped))
        self.assertLessEqual(dropped - dropped_before, flood.dropped)
        self.assertGreaterEqual(dropped - dropped_before, flood.dropped * 0.9)

    def test_a_truncated_client_gets_the_answer_over_tcp_which_is_never_limited(self):
        # Its own address: the flood test above wants 127.0.0.2's bucket full.
        client = "127.0.0.6"
        flood = Flood(self.driad, client, count=200, seconds=0.2)
        self.assertTrue(flood.slipped, flood)
        # The truncated client retries over TCP, from the same address: the full
        # answer, as often as it asks.
        with socket.create_connection((self.driad.host, self.driad.port), timeout=5,
                                      source_address=(client, 0)) as sock:
            payload = b"".join(h.frame(h.build_query(RELAY_NAME, qid=i)) for i in range(200))
            sock.sendall(payload)
            answers = [h.Message(h.recv_framed(sock)) for _ in range(200)]
        self.assertEqual(sorted(m.id for m in answers), list(range(200)))
        self.assertTrue(all(not m.tc and len(m.answer) == 4 for m in answers))
        # UDP from there is still limited meanwhile.
        again = Flood(self.driad, client, count=100, seconds=0.1)
        self.assertLess(len(again.full), 50, again)


class RrlPrefixTest(h.DriadTestCase):
    CONFIG = rrl_config()  # the default /24

    def test_a_whole_prefix_shares_one_bucket(self):
        flood = Flood(self.driad, "127.0.0.2", count=400, seconds=0.2)
        self.assertLess(len(flood.full), 2 * RATE, flood)
        # Another address of 127.0.0.0/24 finds the bucket empty; 127.0.1.3 does not.
        same = Flood(self.driad, "127.0.0.4", count=60, seconds=0.1)
        other = Flood(self.driad, "127.0.1.3", count=60, seconds=0.1)
        self.assertLess(len(same.full), 15, same)
        self.assertGreaterEqual(len(other.full), RATE, other)  # a whole burst


def big_group_config(**rrl):
    """rrl_config() plus 198.51.100.64/26 -> ten IPv6 relays (a 340-octet answer)."""
    config = rrl_config(**rrl)
    config["sources"].append({"prefix": "198.51.100.64/26", "relay_group": "big"})
    config["relay_groups"].append({"name": "big", "relays": [f"10 0 2 2001:db8::{i}" for i in range(1, 11)]})
    return config


BIG_NAME = "70.100.51.198.in-addr.arpa."


class AmplificationCapTest(h.DriadTestCase):
    CONFIG = big_group_config(max_amplification=4, responses_per_second=100000)

    def test_answers_over_four_times_the_query_go_out_truncated(self):
        query = h.build_query(BIG_NAME, qid=7)
        message = h.Message(self.driad.udp(query))
        self.assertTrue(message.tc)
        self.assertEqual((message.answer, message.authority), ([], []))
        self.assertEqual(len(message.raw), len(query))
        # Over TCP the same question gets everything.
        self.assertEqual(len(h.Message(self.driad.tcp(query)).answer), 10)
        # The four-relay answer (about 3 times its query) is untouched.
        self.assertEqual(len(self.driad.query(RELAY_NAME).answer), 4)


class DefaultAmplificationCapTest(h.DriadTestCase):
    CONFIG = big_group_config(responses_per_second=100000)

    def test_the_default_cap_of_ten_passes_every_answer_here(self):
        message = self.driad.query(BIG_NAME)
        self.assertEqual((message.tc, len(message.answer)), (False, 10))


class NoRrlTest(h.DriadTestCase):
    CONFIG = dict(h.base_config(), threads=1)

    def test_without_rrl_nothing_is_limited(self):
        flood = Flood(self.driad, "127.0.0.2", count=1000, seconds=1.0)
        print(f"\nno rrl, flood from 127.0.0.2: {flood}", file=sys.stderr)
        self.assertEqual((len(flood.full), len(flood.slipped)), (flood.sent, 0), flood)
        self.assertTrue(all(len(m.answer) == 4 for m in flood.full))


if __name__ == "__main__":
    h.main()
