"""Shared parts of the admin API and driadctl integration tests: a free admin
port, HTTP requests with or without the bearer token, a Prometheus text parser
that checks the format while it reads, and running driadctl.

Everything dialled is 127.0.0.1."""

import json
import os
import re
import socket
import subprocess
import sys
import urllib.error
import urllib.request

import driad_harness as h

DRIADCTL = os.environ.get("DRIADCTL", "")
BUILD_DIR = os.environ.get("DRIAD_BUILD_DIR", "")

TOKEN = "adm1n-T0ken-never-logged"


def take_options():
    """Takes --driadctl PATH and --build-dir PATH off sys.argv (before h.main())."""
    global DRIADCTL, BUILD_DIR
    for flag in ("--driadctl", "--build-dir"):
        if flag in sys.argv:
            at = sys.argv.index(flag)
            value = os.path.abspath(sys.argv[at + 1])
            del sys.argv[at:at + 2]
            if flag == "--driadctl":
                DRIADCTL = value
            else:
                BUILD_DIR = value


def free_tcp_port(host="127.0.0.1"):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def with_admin(config, port):
    out = dict(config)
    out["admin"] = {"listen": f"127.0.0.1:{port}"}
    return out


class Reply:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    def json(self):
        return json.loads(self.body)

    def __repr__(self):
        return f"HTTP {self.status}\n{self.headers}\n{self.body[:2000]}"


def http(port, path, method="GET", token=None, timeout=5.0):
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method=method,
                                     data=b"" if method == "POST" else None)
    if token is not None:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return Reply(response.status, response.headers, response.read().decode())
    except urllib.error.HTTPError as error:
        return Reply(error.code, error.headers, error.read().decode())


# ---------------------------------------------------------------------------
# Prometheus text format 0.0.4

_NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*$")
_SAMPLE = re.compile(r'([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$')
_LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(,|$)')


class Metrics:
    """Families by name: {"type", "help", "samples": [(name, labels, value)]}."""

    def __init__(self, text):
        self.families = {}
        current = None
        closed = set()
        seen = set()
        for number, line in enumerate(text.split("\n")[:-1], 1):
            where = f"line {number}: {line!r}"
            if line.startswith("# HELP "):
                name, _, help_text = line[7:].partition(" ")
                assert _NAME.match(name) and help_text, where
                assert name not in self.families, f"family twice: {where}"
                if current:
                    closed.add(current)
                current = name
                self.families[name] = {"type": None, "help": help_text, "samples": []}
                continue
            if line.startswith("# TYPE "):
                name, _, kind = line[7:].partition(" ")
                assert name == current and kind in ("counter", "gauge", "histogram"), where
                self.families[name]["type"] = kind
                continue
            match = _SAMPLE.match(line)
            assert match, where
            name, _, label_text, value = match.groups()
            labels = {}
            rest = label_text or ""
            while rest:
                label = _LABEL.match(rest)
                assert label, where
                key = label.group(1)
                assert key not in labels, where
                labels[key] = re.sub(r"\\(.)", lambda m: "\n" if m.group(1) == "n" else m.group(1),
                                     label.group(2))
                rest = rest[label.end():]
            family = name
            if family not in self.families:
                family = re.sub(r"_(bucket|sum|count)$", "", name)
            assert family == current, f"sample outside its family: {where}"
            assert family not in closed, where
            key = (name, tuple(sorted(labels.items())))
            assert key not in seen, f"series twice: {where}"
            seen.add(key)
            self.families[family]["samples"].append((name, labels, float(value)))
        assert text.endswith("\n")
        for name, family in self.families.items():
            assert name.startswith("driad_"), name
            assert family["type"], name
            assert (family["type"] == "counter") == name.endswith("_total"), name
            if family["type"] == "histogram":
                self._check_histogram(name, family)

    @staticmethod
    def _check_histogram(name, family):
        series = {}
        for sample, labels, value in family["samples"]:
            key = tuple(sorted((k, v) for k, v in labels.items() if k != "le"))
            entry = series.setdefault(key, {"buckets": [], "count": None, "sum": None})
            if sample.endswith("_bucket"):
                entry["buckets"].append((labels["le"], value))
            elif sample.endswith("_count"):
                entry["count"] = value
            else:
                entry["sum"] = value
        for key, entry in series.items():
            values = [v for _, v in entry["buckets"]]
            assert values == sorted(values), f"{name}{key}: buckets not cumulative"
            assert entry["buckets"][-1][0] == "+Inf", f"{name}{key}: no +Inf bucket"
            assert entry["buckets"][-1][1] == entry["count"], f"{name}{key}: +Inf != count"
            assert entry["sum"] is not None and entry["sum"] >= 0

    def value(self, name, **labels):
        """The value of the series of family `name` (or histogram part) with
        exactly these labels; None if absent."""
        family = name if name in self.families else re.sub(r"_(bucket|sum|count)$", "", name)
        for sample, sample_labels, value in self.families.get(family, {"samples": []})["samples"]:
            if sample == name and sample_labels == labels:
                return value
        return None


# ---------------------------------------------------------------------------
# driadctl


def driadctl(*args, admin_port=None, env=None, timeout=30):
    """Runs driadctl ARGS; a CompletedProcess with text output."""
    if not DRIADCTL:
        raise RuntimeError("no --driadctl given")
    environment = {k: v for k, v in os.environ.items()
                   if k not in ("DRIAD_ADMIN", "DRIAD_ADMIN_TOKEN", "GNMI_USERNAME", "GNMI_PASSWORD",
                                "TO_USER", "TO_PASSWORD")}
    if admin_port is not None:
        environment["DRIAD_ADMIN"] = f"127.0.0.1:{admin_port}"
    environment.update(env or {})
    return subprocess.run([DRIADCTL, *args], capture_output=True, text=True, timeout=timeout,
                          env=environment)


def describe(done):
    return f"$ driadctl {' '.join(done.args[1:])}\nexit {done.returncode}\n{done.stdout}{done.stderr}"


def main():
    take_options()
    h.main()
