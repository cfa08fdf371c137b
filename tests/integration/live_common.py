"""Shared parts of the live-group integration tests (test_live.py,
test_live_auth.py): a throwaway mTLS PKI made with the openssl command, an
mx-sim that demands it and a username/password, an amt-responder as the probed
gateway, the driadd config of one live group, and bounded polling of dig.

Everything listens on 127.0.0.1; the relay addresses in answers are data."""

import os
import shutil
import subprocess
import tempfile
import time
import unittest

import driad_harness as h

USERNAME = "driad-test"
PASSWORD = "s3cret-Pa55-for-mx-sim"  # must never appear in driadd's log

MX_RELAY = "192.0.2.1"
GW_RELAY = "127.0.0.1"  # the probed gateway: amt-responder on loopback
SOURCE = "198.51.100.12"

HOLD_UP_S = 2
STALE_AFTER_MS = 1000
DEGRADED_TTL = 1
TTL = 30
MAX_TUNNELS = 100

MX_FIRST = [f"10 0 1 {MX_RELAY}", f"20 0 1 {GW_RELAY}"]
GATEWAY_ONLY = [f"20 0 1 {GW_RELAY}"]
SPILL = [f"10 0 1 {MX_RELAY}", f"10 0 1 {GW_RELAY}"]
GATEWAY_FIRST = [f"10 0 1 {GW_RELAY}", f"20 0 1 {MX_RELAY}"]
MX_ONLY = [f"10 0 1 {MX_RELAY}"]

EXTENSIONS = """[ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[server]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1
authorityKeyIdentifier = keyid
[client]
basicConstraints = critical,CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = clientAuth
authorityKeyIdentifier = keyid
"""


class Pki:
    """ca, other-ca; server (SAN IP:127.0.0.1) and client from ca; stranger
    (a client certificate) from other-ca. ECDSA P-256, two days."""

    def __init__(self):
        if shutil.which("openssl") is None:
            raise unittest.SkipTest("the openssl command is not installed")
        self.dir = tempfile.mkdtemp(prefix="driad-live-pki-")
        with open(self.path("ext.cnf"), "w") as out:
            out.write(EXTENSIONS)
        self.serial = 1000
        self.ca("ca")
        self.ca("other-ca")
        self.leaf("server", "ca", "server")
        self.leaf("client", "ca", "client")
        self.leaf("stranger", "other-ca", "client")

    def path(self, name):
        return os.path.join(self.dir, name)

    def run(self, *argv):
        done = subprocess.run(["openssl", *argv], cwd=self.dir, capture_output=True, text=True, timeout=30)
        if done.returncode != 0:
            raise RuntimeError(f"openssl {' '.join(argv)}:\n{done.stderr}")

    def key(self, name):
        self.run("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", f"{name}.key")

    def ca(self, name):
        self.key(name)
        self.run("req", "-new", "-key", f"{name}.key", "-subj", f"/CN=driad test {name}", "-out", f"{name}.csr")
        self.run("x509", "-req", "-in", f"{name}.csr", "-signkey", f"{name}.key", "-days", "2", "-sha256",
                 "-extfile", "ext.cnf", "-extensions", "ca", "-out", f"{name}.crt")

    def leaf(self, name, ca, section):
        self.key(name)
        self.serial += 1
        self.run("req", "-new", "-key", f"{name}.key", "-subj", f"/CN={name}", "-out", f"{name}.csr")
        self.run("x509", "-req", "-in", f"{name}.csr", "-CA", f"{ca}.crt", "-CAkey", f"{ca}.key",
                 "-set_serial", str(self.serial), "-days", "2", "-sha256", "-extfile", "ext.cnf",
                 "-extensions", section, "-out", f"{name}.crt")

    def tls(self, client="client", ca="ca"):
        """driadd's mx.tls block."""
        return {"ca": self.path(f"{ca}.crt"), "cert": self.path(f"{client}.crt"),
                "key": self.path(f"{client}.key"), "server_name": "127.0.0.1"}

    def cleanup(self):
        if not os.environ.get("DRIAD_KEEP_LOGS"):
            shutil.rmtree(self.dir, ignore_errors=True)


def start_mx_sim(pki):
    """mx-sim over mTLS (client certificates from `ca` only) with a password."""
    return h.mx_sim("--tls-cert", pki.path("server.crt"), "--tls-key", pki.path("server.key"),
                    "--client-ca", pki.path("ca.crt"), "--username", USERNAME, "--password", PASSWORD,
                    "--anycast", MX_RELAY, "--tunnels", "10")


def live_config(mx, responder, tls, overload_mode="spill"):
    return {
        "listen": [],
        "threads": 1,
        "zones": [h.zone("100.51.198.in-addr.arpa.")],
        "sources": [{"prefix": "198.51.100.0/24", "relay_group": "east"}],
        "relay_groups": [{
            "name": "east",
            "mx": {"relay": MX_RELAY, "gnmi_target": f"127.0.0.1:{mx.ports['gnmi']}",
                   "max_tunnels": MAX_TUNNELS, "tls": tls},
            "gateways": [{"relay": GW_RELAY, "probe": True, "probe_port": responder.ports["udp"],
                          "probe_interval_ms": 200, "probe_timeout_ms": 100}],
        }],
        "policy": {"ttl": TTL, "degraded_ttl": DEGRADED_TTL, "hold_up_s": HOLD_UP_S,
                   "stale_after_ms": STALE_AFTER_MS, "high_watermark": 0.85, "low_watermark": 0.70,
                   "overload_mode": overload_mode, "mx_precedence": 10, "gateway_precedence": 20},
    }


def start_driad(config, username=USERNAME, password=PASSWORD):
    driad = h.Driad(config, hosts=("127.0.0.1",), env={"GNMI_USERNAME": username, "GNMI_PASSWORD": password})
    driad.start()
    return driad


class Answer:
    def __init__(self, result):
        self.result = result
        self.rdatas = result.rdatas("AMTRELAY")
        self.ttls = sorted({r.ttl for r in result.answer})

    def __repr__(self):
        return f"{self.rdatas} ttl {self.ttls}"


class LiveTestCase(unittest.TestCase):
    """Polling helpers; subclasses set cls.driad (and cls.mx)."""

    maxDiff = None
    POLL = 0.05

    @classmethod
    def start_peers(cls):
        """The PKI, an mTLS mx-sim and an amt-responder answering for
        GW_RELAY, each cleaned up with the class."""
        cls.pki = Pki()
        cls.addClassCleanup(cls.pki.cleanup)
        cls.mx = start_mx_sim(cls.pki)
        cls.addClassCleanup(cls.mx.cleanup)
        cls.responder = h.amt_responder("--relay", GW_RELAY, "--mode", "ok")
        cls.addClassCleanup(cls.responder.cleanup)

    def answer(self, driad=None):
        result = (driad or self.driad).dig("-x", SOURCE, "-t", "AMTRELAY")
        self.assertEqual(result.returncode, 0, result)
        self.assertEqual(result.status, "NOERROR", result)
        return Answer(result)

    def context(self, driad=None):
        parts = [f"driadd log:\n{(driad or self.driad).log()[-4000:]}"]
        if getattr(self, "mx", None) is not None:
            parts.append(f"mx-sim log:\n{self.mx.log()[-1500:]}")
        return "\n".join(parts)

    def wait_answer(self, expected, within, since=None, driad=None):
        """Polls dig every 50 ms until the answer is `expected` (exact list, in
        order); fails after `within` seconds from `since` (monotonic; default
        now). Returns (seconds from since, Answer)."""
        since = time.monotonic() if since is None else since
        deadline = since + within
        seen = []
        while True:
            answer = self.answer(driad)
            now = time.monotonic()
            if answer.rdatas == expected:
                return now - since, answer
            if not seen or seen[-1] != answer.rdatas:
                seen.append(answer.rdatas)
            if now >= deadline:
                self.fail(f"no {expected} within {within} s; answers seen: {seen}\n{self.context(driad)}")
            time.sleep(self.POLL)

    def hold_answer(self, expected, until, driad=None):
        """Every 50 ms until monotonic `until`, the answer is `expected`."""
        count = 0
        while time.monotonic() < until or count == 0:
            answer = self.answer(driad)
            self.assertEqual(answer.rdatas, expected,
                             f"changed {until - time.monotonic():.2f} s early\n{self.context(driad)}")
            count += 1
            time.sleep(self.POLL)
        return count

    def mx_control(self, command):
        """Sends a control command to mx-sim; the monotonic time it was sent."""
        sent = time.monotonic()
        self.mx.control(command)
        return sent
