"""Shared helpers for driad's integration tests (Python 3 standard library only).

Each test file starts the real driadd on free loopback ports and talks to it
with dig, kdig, drill and raw sockets. Everything dialled here is 127.0.0.1 or
::1; relay addresses inside answers are documentation addresses (data only).

    python3 test_answers.py --driadd /path/to/driadd [unittest options]
"""

import copy
import ipaddress
import json
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import unittest

LOOPBACKS = ("127.0.0.1", "::1")

DRIADD = os.environ.get("DRIADD", "")

# ---------------------------------------------------------------------------
# Ports


def _bindable(family, kind, host, port):
    sock = socket.socket(family, kind)
    try:
        if family == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        sock.bind((host, port))
        return True
    except OSError:
        return False
    finally:
        sock.close()


def free_port():
    """A port that is free for UDP and TCP on both 127.0.0.1 and ::1.

    The kernel picks it (bind to port 0), and every other combination is then
    checked by binding without SO_REUSEPORT, which also fails when some other
    driadd holds the port with SO_REUSEPORT."""
    for _ in range(100):
        probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
        probe.close()
        if all(
            _bindable(family, kind, host, port)
            for family, host in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1"))
            for kind in (socket.SOCK_STREAM, socket.SOCK_DGRAM)
        ):
            return port
    raise RuntimeError("no free loopback port found")


def listen_text(host, port):
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


# ---------------------------------------------------------------------------
# DNS wire format

TYPE = {"A": 1, "NS": 2, "SOA": 6, "PTR": 12, "TXT": 16, "AAAA": 28, "OPT": 41,
        "AXFR": 252, "ANY": 255, "AMTRELAY": 260}
CLASS = {"IN": 1, "CH": 3}
RCODE = {"NOERROR": 0, "FORMERR": 1, "SERVFAIL": 2, "NXDOMAIN": 3, "NOTIMP": 4,
         "REFUSED": 5, "BADVERS": 16}
RCODE_NAMES = {v: k for k, v in RCODE.items()}
OPCODE = {"QUERY": 0, "NOTIFY": 4, "UPDATE": 5}


def name_to_wire(name):
    """Presentation name (no escapes) to uncompressed wire form."""
    if name in (".", ""):
        return b"\x00"
    out = b""
    for label in name.rstrip(".").split("."):
        raw = label.encode("ascii")
        if not 0 < len(raw) <= 63:
            raise ValueError(f"bad label in {name!r}")
        out += bytes([len(raw)]) + raw
    return out + b"\x00"


def reverse_name(address):
    return ipaddress.ip_address(address).reverse_pointer + "."


def build_query(qname, qtype="AMTRELAY", qclass="IN", qid=0x1234, flags=0x0100,
                opcode=0, qdcount=1, edns=None, qname_wire=None):
    """A query message. `edns` is None (no OPT) or a dict with optional keys
    payload (default 1232), version (0), do (False)."""
    qt = TYPE[qtype] if isinstance(qtype, str) else qtype
    qc = CLASS[qclass] if isinstance(qclass, str) else qclass
    flags = (flags & ~0x7800) | (opcode << 11)
    arcount = 1 if edns is not None else 0
    header = struct.pack("!HHHHHH", qid, flags, qdcount, 0, 0, arcount)
    wire = qname_wire if qname_wire is not None else name_to_wire(qname)
    message = header + wire + struct.pack("!HH", qt, qc)
    if edns is not None:
        ttl = (edns.get("version", 0) << 16) | (0x8000 if edns.get("do") else 0)
        message += b"\x00" + struct.pack("!HHIH", TYPE["OPT"], edns.get("payload", 1232), ttl, 0)
    return message


def _read_name(message, at):
    """(presentation name, offset after the name in place), following pointers."""
    labels = []
    end = None
    hops = 0
    while True:
        length = message[at]
        if length == 0:
            at += 1
            break
        if length & 0xC0 == 0xC0:
            if end is None:
                end = at + 2
            at = ((length & 0x3F) << 8) | message[at + 1]
            hops += 1
            if hops > 64:
                raise ValueError("compression loop")
            continue
        labels.append(message[at + 1:at + 1 + length].decode("latin-1"))
        at += 1 + length
    return (".".join(labels) + ".") if labels else ".", (end if end is not None else at)


class Record:
    def __init__(self, name, rtype, rclass, ttl, rdata, rdata_offset):
        self.name, self.type, self.rclass, self.ttl = name, rtype, rclass, ttl
        self.rdata, self.rdata_offset = rdata, rdata_offset

    def __repr__(self):
        return f"Record({self.name} {self.ttl} {self.rclass} {self.type} {self.rdata.hex()})"


class Message:
    """A parsed DNS message (enough for responses from driad)."""

    def __init__(self, data):
        if len(data) < 12:
            raise ValueError("short message")
        self.raw = data
        (self.id, self.flags, qd, an, ns, ar) = struct.unpack("!HHHHHH", data[:12])
        self.counts = (qd, an, ns, ar)
        self.qr = bool(self.flags & 0x8000)
        self.opcode = (self.flags >> 11) & 0xF
        self.aa = bool(self.flags & 0x0400)
        self.tc = bool(self.flags & 0x0200)
        self.rd = bool(self.flags & 0x0100)
        self.ra = bool(self.flags & 0x0080)
        self.rcode = self.flags & 0xF
        at = 12
        self.question = []
        for _ in range(qd):
            name, at = _read_name(data, at)
            qtype, qclass = struct.unpack("!HH", data[at:at + 4])
            at += 4
            self.question.append((name, qtype, qclass))
        self.question_end = at
        sections = []
        for count in (an, ns, ar):
            records = []
            for _ in range(count):
                name, at = _read_name(data, at)
                rtype, rclass, ttl, rdlength = struct.unpack("!HHIH", data[at:at + 10])
                at += 10
                records.append(Record(name, rtype, rclass, ttl, data[at:at + rdlength], at))
                at += rdlength
            sections.append(records)
        if at != len(data):
            raise ValueError(f"{len(data) - at} octets after the last record")
        self.answer, self.authority, self.additional = sections
        self.opt = None
        for record in self.additional:
            if record.type == TYPE["OPT"]:
                self.opt = {"payload": record.rclass, "ext_rcode": record.ttl >> 24,
                            "version": (record.ttl >> 16) & 0xFF, "do": bool(record.ttl & 0x8000)}
                self.rcode |= (record.ttl >> 24) << 4

    def read_name(self, offset):
        return _read_name(self.raw, offset)[0]


def udp_exchange(host, port, payload, timeout=2.0):
    """Sends one datagram; the reply bytes, or None after `timeout`."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_DGRAM) as sock:
        sock.settimeout(timeout)
        sock.sendto(payload, (host, port))
        try:
            return sock.recvfrom(65535)[0]
        except socket.timeout:
            return None


def frame(message):
    return struct.pack("!H", len(message)) + message


def recv_exact(sock, count):
    data = b""
    while len(data) < count:
        chunk = sock.recv(count - len(data))
        if not chunk:
            raise ConnectionError(f"closed after {len(data)} of {count} octets")
        data += chunk
    return data


def recv_framed(sock):
    (length,) = struct.unpack("!H", recv_exact(sock, 2))
    return recv_exact(sock, length)


def tcp_connect(host, port, timeout=2.0):
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.settimeout(timeout)
    sock.connect((host, port))
    return sock


def tcp_exchange(host, port, payload, timeout=2.0):
    with tcp_connect(host, port, timeout) as sock:
        sock.sendall(frame(payload))
        return recv_framed(sock)


def wait_closed(sock, limit):
    """Seconds until the peer closes `sock` (EOF or reset), or None if it is
    still open after `limit` seconds. Data that arrives is discarded."""
    started = time.monotonic()
    while True:
        left = limit - (time.monotonic() - started)
        if left <= 0:
            return None
        sock.settimeout(left)
        try:
            if not sock.recv(4096):
                return time.monotonic() - started
        except socket.timeout:
            return None
        except (ConnectionResetError, BrokenPipeError):
            return time.monotonic() - started


# ---------------------------------------------------------------------------
# AMTRELAY presentation <-> wire


def amtrelay_wire(text):
    """RDATA of an AMTRELAY record from `precedence D type relay`."""
    precedence, d, rtype, relay = text.split()
    out = bytes([int(precedence), (0x80 if d == "1" else 0) | int(rtype)])
    rtype = int(rtype)
    if rtype == 0:
        assert relay == "."
    elif rtype == 1:
        out += ipaddress.IPv4Address(relay).packed
    elif rtype == 2:
        out += ipaddress.IPv6Address(relay).packed
    else:
        out += name_to_wire(relay)
    return out


def amtrelay_text(rdata):
    """`precedence D type relay` from RDATA, as dig prints it."""
    precedence, second = rdata[0], rdata[1]
    rtype = second & 0x7F
    d = "1" if second & 0x80 else "0"
    relay = rdata[2:]
    if rtype == 0:
        value = "."
    elif rtype == 1:
        value = str(ipaddress.IPv4Address(relay))
    elif rtype == 2:
        value = str(ipaddress.IPv6Address(relay))
    else:
        value, end = _read_name(relay, 0)
        if end != len(relay):
            raise ValueError("junk after the relay name")
    return f"{precedence} {d} {rtype} {value}"


def unknown_rdata(text):
    r"""Bytes of an RFC 3597 `\# LEN HEX [HEX...]` rdata (hex in any case,
    possibly split by spaces); checks LEN."""
    fields = text.split()
    if fields[0] != "\\#":
        raise ValueError(f"not RFC 3597 generic rdata: {text!r}")
    data = bytes.fromhex("".join(fields[2:]))
    if len(data) != int(fields[1]):
        raise ValueError(f"length {fields[1]} but {len(data)} octets in {text!r}")
    return data


# ---------------------------------------------------------------------------
# dig, kdig and drill


class ToolRecord:
    def __init__(self, name, ttl, rclass, rtype, rdata):
        self.name, self.ttl, self.rclass, self.type, self.rdata = name, ttl, rclass, rtype, rdata

    def __repr__(self):
        return f"{self.name} {self.ttl} {self.rclass} {self.type} {self.rdata}"


class ToolResult:
    """What dig, kdig or drill printed, parsed: status, flags, counts, sections
    and (dig) the OPT pseudosection."""

    def __init__(self, argv, returncode, text, stderr):
        self.argv, self.returncode, self.text, self.stderr = argv, returncode, text, stderr
        self.status = None
        self.opcode = None
        self.flags = set()
        self.counts = {}
        self.opt = None
        self.sections = {"QUESTION": [], "ANSWER": [], "AUTHORITY": [], "ADDITIONAL": []}
        self.tcp = None
        section = None
        for line in text.splitlines():
            stripped = line.strip()
            header = re.search(r"->>HEADER<<- opcode: (\w+)[,;] (?:status|rcode): (\w+)", line)
            if header:
                if self.status is not None:
                    # Several answers (e.g. dig retried): keep the last one.
                    self.sections = {k: [] for k in self.sections}
                    self.opt = None
                self.opcode, self.status = header.group(1), header.group(2)
                continue
            flags = re.match(r";; [Ff]lags: ([a-z ]*?)\s*;\s*QUERY", line)
            if flags:
                self.flags = set(flags.group(1).split())
                self.counts = {k: int(v) for k, v in re.findall(r"(QUERY|ANSWER|AUTHORITY|ADDITIONAL): (\d+)", line)}
                continue
            edns = (re.match(r"; EDNS: version: (\d+), flags:([a-z ]*); udp: (\d+)", line) or  # dig
                    re.match(r";; Version: (\d+); flags:([a-z ]*); UDP size: (\d+) B", line))  # kdig
            if edns:
                self.opt = {"version": int(edns.group(1)), "flags": set(edns.group(2).split()),
                            "udp": int(edns.group(3))}
                continue
            if re.search(r"\((TCP|UDP)\)", line) and (";; SERVER:" in line or ";; From " in line):
                self.tcp = "(TCP)" in line
            named = re.match(r";; (QUESTION|ANSWER|AUTHORITY|ADDITIONAL) SECTION:", line)
            if named:
                section = named.group(1)
                continue
            if not stripped:
                section = None
                continue
            if stripped.startswith(";"):
                if section == "QUESTION":
                    fields = stripped.lstrip(";").split()
                    if len(fields) >= 3:
                        self.sections["QUESTION"].append(fields)
                continue
            if section in ("ANSWER", "AUTHORITY", "ADDITIONAL"):
                fields = stripped.split(None, 4)
                if len(fields) == 5:
                    self.sections[section].append(ToolRecord(fields[0], int(fields[1]), fields[2], fields[3],
                                                             " ".join(fields[4].split())))

    @property
    def answer(self):
        return self.sections["ANSWER"]

    @property
    def authority(self):
        return self.sections["AUTHORITY"]

    @property
    def additional(self):
        return self.sections["ADDITIONAL"]

    def rdatas(self, rtype=None):
        return [r.rdata for r in self.answer if rtype is None or r.type == rtype]

    def __repr__(self):
        return f"$ {' '.join(self.argv)}\n{self.text}{self.stderr}"


def _run_tool(argv, timeout=10):
    completed = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
    return ToolResult(argv, completed.returncode, completed.stdout, completed.stderr)


def dig(server, port, *args):
    """dig @server -p port ARGS, one try, two seconds."""
    return _run_tool(["dig", f"@{server}", "-p", str(port), "+tries=1", "+time=2", *args])


def kdig(server, port, *args):
    return _run_tool(["kdig", f"@{server}", "-p", str(port), "+retry=0", "+time=2", *args])


def drill(server, port, *args):
    """drill ARGS @server -p port (drill's -t means TCP; the type is positional)."""
    return _run_tool(["drill", "-p", str(port), *args, f"@{server}"])


# ---------------------------------------------------------------------------
# Configs

SOA = {"mname": "ns1.driad.example.", "rname": "hostmaster.driad.example.",
       "refresh": 3600, "retry": 600, "expire": 86400, "minimum": 30}

ALL_TYPES = ["0 0 0 .", "10 0 1 203.0.113.15", "20 1 2 2001:db8::15", "30 0 3 amtrelays.example.com."]


def zone(origin, ns=("ns1.driad.example.",), ttl=3600, **soa_overrides):
    soa = dict(SOA)
    soa.update(soa_overrides)
    return {"origin": origin, "soa": soa, "ns": list(ns), "ttl": ttl}


def base_config():
    """Two IPv4 zones and one IPv6 zone; every group static.

    51.198.in-addr.arpa. (/16): 198.51.100.0/24 -> all-types,
        198.51.100.128/25 -> west (longest prefix wins).
    2.0.192.in-addr.arpa. (/24): 192.0.2.0/25 -> west; 192.0.2.128/25 has no source.
    8.b.d.0.1.0.0.2.ip6.arpa. (/32): 2001:db8:ff00::/40 -> all-types,
        2001:db8:ff00:1::/64 -> west, 2001:db8:dead::/48 -> no-relay.
    """
    return {
        "listen": [],
        "threads": 1,
        "zones": [
            zone("51.198.in-addr.arpa.", ns=["ns1.driad.example.", "ns2.driad.example."]),
            zone("2.0.192.in-addr.arpa."),
            zone("8.b.d.0.1.0.0.2.ip6.arpa."),
        ],
        "sources": [
            {"prefix": "198.51.100.0/24", "relay_group": "all-types"},
            {"prefix": "198.51.100.128/25", "relay_group": "west"},
            {"prefix": "192.0.2.0/25", "relay_group": "west"},
            {"prefix": "2001:db8:ff00::/40", "relay_group": "all-types"},
            {"prefix": "2001:db8:ff00:1::/64", "relay_group": "west"},
            {"prefix": "2001:db8:dead::/48", "relay_group": "no-relay"},
        ],
        "relay_groups": [
            {"name": "all-types", "relays": list(ALL_TYPES)},
            {"name": "west", "relays": ["10 1 1 192.0.2.1", "20 0 2 2001:db8::11"]},
            {"name": "no-relay", "relays": ["0 0 0 ."]},
        ],
    }


# ---------------------------------------------------------------------------
# The daemon


def sanitizer_of(pid):
    """"asan" or "tsan" when process `pid` runs with that sanitizer's runtime
    (a -fsanitize build), else None."""
    try:
        with open(f"/proc/{pid}/maps") as f:
            maps = f.read()
    except OSError:
        return None
    for name in ("asan", "tsan"):
        if f"/lib{name}.so" in maps:
            return name
    return None


class Driad:
    """One driadd process on a free port of 127.0.0.1 and ::1 (UDP and TCP).

    `config` is a dict; its "listen" is filled in. stderr (the log) goes to a
    file, read with log(). `env` (a dict) is added to the environment (e.g.
    GNMI_USERNAME). With `demo`, it runs `driadd --demo --listen ...` instead of
    --config (`config` is then the demo config as printed, for wait_ready)."""

    def __init__(self, config, hosts=LOOPBACKS, extra_args=(), env=None, demo=False):
        self.config = copy.deepcopy(config)
        self.hosts = tuple(hosts)
        self.extra_args = list(extra_args)
        self.env = dict(os.environ, **env) if env else None
        self.demo = demo
        self.dir = tempfile.mkdtemp(prefix="driad-integ-")
        self.config_path = os.path.join(self.dir, "driad.json")
        self.log_path = os.path.join(self.dir, "driadd.log")
        self.proc = None
        self.port = None

    @property
    def host(self):
        return self.hosts[0]

    def write_config(self, config=None, text=None):
        if config is not None:
            config = copy.deepcopy(config)
            config["listen"] = [listen_text(h, self.port) for h in self.hosts]
            self.config = config
        with open(self.config_path + ".tmp", "w") as out:
            out.write(text if text is not None else json.dumps(self.config, indent=2))
        os.replace(self.config_path + ".tmp", self.config_path)

    def start(self, timeout=10.0):
        for _attempt in range(5):
            self.port = free_port()
            self.write_config(self.config)
            self._log = open(self.log_path, "ab")
            if self.demo:
                where = [arg for h in self.hosts for arg in ("--listen", listen_text(h, self.port))]
                argv = [DRIADD, "--demo", *where, *self.extra_args]
            else:
                argv = [DRIADD, "--config", self.config_path, *self.extra_args]
            self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=self._log, stderr=self._log,
                                         env=self.env)
            if self.wait_ready(timeout):
                self._started = True
                return self
            rc = self.proc.poll()
            self.stop()
            if rc is None or "cannot listen" not in self.log():
                raise RuntimeError(f"driadd did not start (exit {rc}):\n{self.log()}")
            # Lost a race for the port: pick another.
        raise RuntimeError(f"driadd could not bind:\n{self.log()}")

    def wait_ready(self, timeout):
        """True once every listen address answers the first zone's SOA over
        UDP and accepts TCP; False if the process exits first."""
        origin = self.config["zones"][0]["origin"]
        query = build_query(origin, "SOA", qid=0x5ead)
        deadline = time.monotonic() + timeout
        pending = list(self.hosts)
        while pending and time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            host = pending[0]
            reply = udp_exchange(host, self.port, query, timeout=0.1)
            if reply is not None:
                message = Message(reply)
                if message.id == 0x5ead and message.rcode == 0 and message.answer:
                    try:
                        tcp_exchange(host, self.port, query, timeout=1.0)
                        pending.pop(0)
                        continue
                    except OSError:
                        pass
            time.sleep(0.02)
        return not pending

    def reload(self, config=None, text=None):
        """Rewrites the config file and sends SIGHUP."""
        self.write_config(config, text)
        self.proc.send_signal(signal.SIGHUP)

    def log(self):
        try:
            with open(self.log_path, "r", errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def wait_log(self, pattern, timeout=5.0, after=0):
        """Waits for the regex `pattern` in the log past offset `after`."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = self.log()[after:]
            if re.search(pattern, text):
                return text
            time.sleep(0.05)
        return None

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        if getattr(self, "_log", None) is not None:
            self._log.close()
            self._log = None
        return self.proc.returncode if self.proc is not None else None

    def cleanup(self):
        """Stops the daemon and removes its files. A daemon that was serving must
        exit 0 on SIGTERM with no sanitizer report in its log (for builds with
        -fsanitize); otherwise this raises, with the log's tail."""
        started = getattr(self, "_started", False)
        rc = self.stop()
        log = self.log()
        if not os.environ.get("DRIAD_KEEP_LOGS"):
            shutil.rmtree(self.dir, ignore_errors=True)
        problems = []
        if started and rc != 0:
            problems.append(f"exit status {rc}")
        if re.search(r"(ERROR|WARNING): (Address|Leak|Thread)Sanitizer|runtime error: ", log):
            problems.append("a sanitizer report")
        if problems:
            raise AssertionError(f"driadd: {', '.join(problems)}; log tail:\n{log[-6000:]}")

    # Clients pointed at this daemon.
    def dig(self, *args, host=None):
        return dig(host or self.host, self.port, *args)

    def kdig(self, *args, host=None):
        return kdig(host or self.host, self.port, *args)

    def drill(self, *args, host=None):
        return drill(host or self.host, self.port, *args)

    def udp(self, payload, host=None, timeout=2.0):
        return udp_exchange(host or self.host, self.port, payload, timeout)

    def tcp(self, payload, host=None, timeout=2.0):
        return tcp_exchange(host or self.host, self.port, payload, timeout)

    def query(self, qname, qtype="AMTRELAY", host=None, tcp=False, **kwargs):
        """A raw query; the parsed reply (fails the test if none comes)."""
        payload = build_query(qname, qtype, **kwargs)
        reply = (self.tcp if tcp else self.udp)(payload, host=host)
        if reply is None:
            raise AssertionError(f"no reply to {qname} {qtype}")
        return Message(reply)


class DriadTestCase(unittest.TestCase):
    """Starts one driadd (CONFIG) for the class; always stops it."""

    CONFIG = None  # a dict; base_config() when None
    maxDiff = None

    @classmethod
    def setUpClass(cls):
        cls.driad = Driad(cls.CONFIG if cls.CONFIG is not None else base_config())
        cls.addClassCleanup(cls.driad.cleanup)
        cls.driad.start()

    def assertAlive(self):
        self.assertIsNone(self.driad.proc.poll(), f"driadd exited:\n{self.driad.log()}")

    def assertTool(self, result, status, flags=None, answer=None, authority=None):
        """Exit status 0, the rcode, and when given the exact flags and counts."""
        self.assertEqual(result.returncode, 0, result)
        self.assertEqual(result.status, status, result)
        if flags is not None:
            self.assertEqual(result.flags, set(flags.split()), result)
        if answer is not None:
            self.assertEqual(len(result.answer), answer, result)
            self.assertEqual(result.counts.get("ANSWER"), answer, result)
        if authority is not None:
            self.assertEqual(len(result.authority), authority, result)
            self.assertEqual(result.counts.get("AUTHORITY"), authority, result)


# ---------------------------------------------------------------------------
# Helper processes: mx-sim and amt-responder

MX_SIM = os.environ.get("MX_SIM", "")
AMT_RESPONDER = os.environ.get("AMT_RESPONDER", "")
TO_SIM = os.environ.get("TO_SIM", "")


class Helper:
    """One helper process (mx-sim, amt-responder) on loopback.

    It prints `NAME: KIND listening on HOST:PORT ...` per listener, then
    `NAME: ready`; ports[KIND] holds each port. stderr goes to a file (log()).
    control(command) sends one line to the control port over a kept TCP
    connection and returns the reply lines before `ok` (raises on `error:`)."""

    def __init__(self, binary, args, name, env=None):
        self.binary, self.args, self.name = binary, list(args), name
        self.env = env
        self.dir = tempfile.mkdtemp(prefix=f"driad-{name}-")
        self.log_path = os.path.join(self.dir, f"{name}.log")
        self.proc = None
        self.ports = {}
        self.lines = []
        self._control = None
        self._buffer = b""

    def start(self, timeout=10.0):
        self._log = open(self.log_path, "ab")
        self.proc = subprocess.Popen([self.binary, *self.args], stdin=subprocess.DEVNULL,
                                     stdout=subprocess.PIPE, stderr=self._log, env=self.env)
        deadline = time.monotonic() + timeout
        pending = b""
        import select
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self.proc.stdout], [], [], 0.1)
            if not ready:
                if self.proc.poll() is not None:
                    break
                continue
            chunk = os.read(self.proc.stdout.fileno(), 4096)
            if not chunk:
                break
            pending += chunk
            while b"\n" in pending:
                line, pending = pending.split(b"\n", 1)
                text = line.decode(errors="replace")
                self.lines.append(text)
                found = re.match(rf"{re.escape(self.name)}: (\w+) listening on (\S+):(\d+)", text)
                if found:
                    self.ports[found.group(1)] = int(found.group(3))
                if text == f"{self.name}: ready":
                    return self
        self.stop()
        raise RuntimeError(f"{self.name} did not start: {self.lines}\n{self.log()}")

    def log(self):
        try:
            with open(self.log_path, "r", errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def control(self, command, timeout=2.0):
        if self._control is None:
            self._control = socket.create_connection(("127.0.0.1", self.ports["control"]), timeout=timeout)
            self._control.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            self._buffer = b""
        self._control.settimeout(timeout)
        self._control.sendall(command.encode() + b"\n")
        lines = []
        while True:
            while b"\n" not in self._buffer:
                chunk = self._control.recv(4096)
                if not chunk:
                    self._control.close()
                    self._control = None
                    raise ConnectionError(f"{self.name} control closed after {command!r}")
                self._buffer += chunk
            line, self._buffer = self._buffer.split(b"\n", 1)
            text = line.decode(errors="replace").rstrip("\r")
            if text == "ok":
                return lines
            if text.startswith("error"):
                raise RuntimeError(f"{self.name} {command!r}: {text}")
            lines.append(text)

    def stop(self):
        if self._control is not None:
            self._control.close()
            self._control = None
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        if self.proc is not None and self.proc.stdout is not None:
            self.proc.stdout.close()
        if getattr(self, "_log", None) is not None:
            self._log.close()
            self._log = None

    def cleanup(self):
        self.stop()
        if not os.environ.get("DRIAD_KEEP_LOGS"):
            shutil.rmtree(self.dir, ignore_errors=True)


def mx_sim(*args, env=None):
    """A started mx-sim on 127.0.0.1 (gNMI and control on free ports) with ARGS."""
    if not MX_SIM:
        raise unittest.SkipTest("no --mx-sim given")
    return Helper(MX_SIM, ["--listen", "127.0.0.1:0", "--control", "127.0.0.1:0", *args], "mx-sim",
                  env=env).start()


def amt_responder(*args):
    """A started amt-responder on 127.0.0.1 (UDP and control on free ports)."""
    if not AMT_RESPONDER:
        raise unittest.SkipTest("no --amt-responder given")
    return Helper(AMT_RESPONDER, ["--listen", "127.0.0.1:0", "--control", "127.0.0.1:0", *args],
                  "amt-responder").start()


def _take_option(argv, flag):
    if flag in argv:
        at = argv.index(flag)
        value = argv[at + 1]
        del argv[at:at + 2]
        return os.path.abspath(value)
    return None


def main():
    """unittest.main() after taking --driadd PATH (and --mx-sim PATH,
    --amt-responder PATH, --to-sim PATH) off the command line."""
    global DRIADD, MX_SIM, AMT_RESPONDER, TO_SIM
    argv = list(sys.argv)
    DRIADD = _take_option(argv, "--driadd") or DRIADD
    MX_SIM = _take_option(argv, "--mx-sim") or MX_SIM
    AMT_RESPONDER = _take_option(argv, "--amt-responder") or AMT_RESPONDER
    TO_SIM = _take_option(argv, "--to-sim") or TO_SIM
    bin_dir = os.path.join(os.path.dirname(__file__), "..", "..", "build", "bin")
    if not MX_SIM:
        MX_SIM = os.path.abspath(os.path.join(bin_dir, "mx-sim"))
    if not AMT_RESPONDER:
        AMT_RESPONDER = os.path.abspath(os.path.join(bin_dir, "amt-responder"))
    if not DRIADD:
        DRIADD = os.path.join(os.path.dirname(__file__), "..", "..", "build", "bin", "driadd")
    DRIADD = os.path.abspath(DRIADD)
    if not os.access(DRIADD, os.X_OK):
        sys.exit(f"driadd not found at {DRIADD} (give --driadd PATH)")
    for tool in ("dig", "kdig", "drill"):
        if shutil.which(tool) is None:
            sys.exit(f"{tool} is not installed")
    unittest.main(argv=argv, verbosity=2)
