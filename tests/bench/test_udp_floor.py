#!/usr/bin/env python3
"""bench/udp_floor, the zero-work reflector compare.sh measures as the kernel's
floor: it must answer what dnsperf sends as a server would (same ID, QR, the
question echoed, no records), so that its qps and CPU figures count real
round trips, and must not answer responses or runts (no reflection loops)."""
import argparse
import os
import socket
import struct
import subprocess
import sys
import time
import unittest

FLOOR = None


def free_udp_port():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def query(ident, name="1.2.0.10.in-addr.arpa", qtype=260, flags=0x0100):
    question = b"".join(bytes([len(label)]) + label.encode() for label in name.split(".")) + b"\0"
    return struct.pack("!HHHHHH", ident, flags, 1, 0, 0, 0) + question + struct.pack("!HH", qtype, 1)


class UdpFloor(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.port = free_udp_port()
        cls.process = subprocess.Popen([FLOOR, str(cls.port)], stderr=subprocess.PIPE)
        cls.client = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        cls.client.settimeout(0.3)
        deadline = time.monotonic() + 10
        while True:  # until it answers
            cls.client.sendto(query(1), ("127.0.0.1", cls.port))
            try:
                cls.client.recvfrom(4096)
                break
            except socket.timeout:
                if time.monotonic() > deadline or cls.process.poll() is not None:
                    raise RuntimeError("udp_floor does not answer")

    @classmethod
    def tearDownClass(cls):
        cls.client.close()
        cls.process.terminate()
        cls.process.wait(timeout=10)

    def exchange(self, message):
        self.client.sendto(message, ("127.0.0.1", self.port))
        try:
            return self.client.recvfrom(4096)[0]
        except socket.timeout:
            return None

    def test_a_query_gets_an_empty_noerror_reply_with_its_question(self):
        sent = query(0xBEEF)
        reply = self.exchange(sent)
        self.assertIsNotNone(reply)
        ident, flags, qd, an, ns, ar = struct.unpack("!HHHHHH", reply[:12])
        self.assertEqual(ident, 0xBEEF)
        self.assertEqual(flags & 0x8000, 0x8000, "QR")
        self.assertEqual(flags & 0x0400, 0x0400, "AA")
        self.assertEqual(flags & 0x0100, 0x0100, "RD copied")
        self.assertEqual(flags & 0x000F, 0, "NOERROR")
        self.assertEqual((qd, an, ns, ar), (1, 0, 0, 0))
        self.assertEqual(reply[12:], sent[12:])

    def test_dig_accepts_the_reply(self):
        done = subprocess.run(["dig", "@127.0.0.1", "-p", str(self.port), "+tries=1", "+time=2",
                               "+norec", "10.in-addr.arpa", "SOA"],
                              capture_output=True, text=True, timeout=15)
        self.assertIn("status: NOERROR", done.stdout)
        self.assertIn("ANSWER: 0", done.stdout)

    def test_responses_and_runts_are_not_answered(self):
        self.assertIsNone(self.exchange(query(7, flags=0x8400)))
        self.assertIsNone(self.exchange(b"\x00\x01\x00"))
        self.assertIsNone(self.exchange(b""))
        self.assertIsNotNone(self.exchange(query(8)), "still answering")

    def test_every_query_of_a_burst_is_answered(self):
        sent = {0x1000 + i for i in range(200)}
        for ident in sorted(sent):
            self.client.sendto(query(ident), ("127.0.0.1", self.port))
        received = set()
        try:
            while len(received) < len(sent):
                received.add(struct.unpack("!H", self.client.recvfrom(4096)[0][:2])[0])
        except socket.timeout:
            pass
        self.assertEqual(received, sent)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--udp-floor", required=True)
    args, rest = parser.parse_known_args()
    FLOOR = os.path.abspath(args.udp_floor)
    unittest.main(argv=[sys.argv[0]] + rest, verbosity=2)
