#!/usr/bin/python3
"""The real to-sim binary on 127.0.0.1 (port 0), driven over HTTP and HTTPS
with urllib: ready line, login and sessions, If-Modified-Since, data
replacement, every failure mode (hang while control still answers), TLS with a
certificate made at test time, clean exit on SIGTERM.

Run: to_sim_process_test.py --to-sim PATH --fixtures DIR [unittest args]"""

import email.utils
import json
import os
import select
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import unittest
import urllib.error
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from to_sim_launcher import ToSimProcess  # noqa: E402  (shared with test_traffic_ops.py)

TO_SIM = ""
FIXTURES = ""
LOGIN = json.dumps({"u": "admin", "p": "twelve12"}).encode()


class Answer:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    def json(self):
        return json.loads(self.body)


def call(base, method, path, body=None, headers=None, timeout=5.0, context=None):
    """One request; any status comes back as an Answer (urllib raises for non-2xx)."""
    request = urllib.request.Request(base + path, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout, context=context) as response:
            return Answer(response.status, response.headers, response.read())
    except urllib.error.HTTPError as error:
        with error:
            return Answer(error.code, error.headers, error.read())


def cookies(answer):
    """name → value of every Set-Cookie."""
    found = {}
    for header in answer.headers.get_all("Set-Cookie") or []:
        name, _, rest = header.partition("=")
        found[name] = rest.split(";", 1)[0]
    return found


class Base(unittest.TestCase):
    def start(self, *args, **kwargs):
        sim = ToSimProcess(TO_SIM, FIXTURES, *args, **kwargs)
        self.addCleanup(self.stopped, sim)
        return sim

    def stopped(self, sim):
        status, rest, log = sim.stop()
        self.assertEqual(status, 0, f"to-sim exit status after SIGTERM; log:\n{log}")
        self.assertEqual(rest, b"", "to-sim printed more than its one ready line")

    def login(self, base, context=None):
        answer = call(base, "POST", "/api/4.0/user/login", LOGIN,
                      {"Content-Type": "application/json"}, context=context)
        self.assertEqual(answer.status, 200, answer.body)
        jar = cookies(answer)
        self.assertIn("mojolicious", jar)
        self.assertIn("access_token", jar)
        return f"mojolicious={jar['mojolicious']}", jar["access_token"]

    def stats(self, base, context=None):
        answer = call(base, "GET", "/_sim/stats", context=context)
        self.assertEqual(answer.status, 200)
        return answer.json()

    def set_mode(self, base, mode):
        answer = call(base, "POST", "/_sim/mode", mode.encode())
        self.assertEqual((answer.status, answer.body), (200, f"mode {mode}".encode()))


class PlainHttp(Base):
    def setUp(self):
        self.sim = self.start()
        self.base = f"http://127.0.0.1:{self.sim.port}"

    def test_ready_line_names_the_bound_port(self):
        self.assertRegex(self.sim.ready_line, r"^to-sim listening on 127\.0\.0\.1:\d+$")
        self.assertNotEqual(self.sim.port, 0)
        self.assertEqual(call(self.base, "GET", "/api/4.0/ping").json(), {"ping": "pong"})

    def test_login_then_servers_and_401_without_a_session(self):
        anonymous = call(self.base, "GET", "/api/4.0/servers?type=AMT_RELAY")
        self.assertEqual(anonymous.status, 401)
        self.assertEqual(anonymous.json()["alerts"][0]["text"], "unauthorized, please log in.")
        self.assertEqual(call(self.base, "GET", "/api/4.0/servers",
                              headers={"Cookie": "mojolicious=forged"}).status, 401)

        cookie, token = self.login(self.base)
        v4 = call(self.base, "GET", "/api/4.0/servers?type=AMT_RELAY", headers={"Cookie": cookie})
        self.assertEqual(v4.status, 200)
        self.assertEqual(v4.headers["Content-Type"], "application/json")
        self.assertEqual([s["cachegroup"] for s in v4.json()["response"]],
                         ["amt-us-east", "amt-us-east", "amt-us-west", "amt-us-west"])
        v5 = call(self.base, "GET", "/api/5.0/servers?type=AMT_RELAY",
                  headers={"Authorization": f"Bearer {token}"})
        self.assertEqual(v5.status, 200)
        self.assertEqual(v5.json()["response"][0]["cacheGroup"], "amt-us-east")
        groups = call(self.base, "GET", "/api/4.0/cachegroups",
                      headers={"Cookie": f"access_token={token}"})
        self.assertEqual([g["name"] for g in groups.json()["response"]], ["amt-us-east", "amt-us-west"])
        parameters = call(self.base, "GET", "/api/4.0/profiles/name/AMT_RELAY_MX_PROFILE/parameters",
                          headers={"Cookie": cookie})
        self.assertEqual(parameters.json()["response"][0]["name"], "gnmi.port")
        missing = call(self.base, "GET", "/api/4.0/no/such/path", headers={"Cookie": cookie})
        self.assertEqual(missing.status, 404)
        self.assertIn("alerts", missing.json())

        stats = self.stats(self.base)
        self.assertEqual((stats["logins"], stats["unauthorized"], stats["servers"],
                          stats["cachegroups"], stats["parameters"]), (1, 2, 2, 1, 1))

    def test_bad_logins(self):
        wrong = call(self.base, "POST", "/api/4.0/user/login",
                     json.dumps({"u": "admin", "p": "wrong"}).encode())
        self.assertEqual(wrong.status, 401)
        self.assertEqual(cookies(wrong), {})
        self.assertEqual(call(self.base, "POST", "/api/5.0/user/login",
                              json.dumps({"u": "", "p": "x"}).encode()).status, 400)
        self.assertEqual(call(self.base, "POST", "/api/4.0/user/login", b"{not json").status, 400)
        self.assertEqual(self.stats(self.base)["login_failures"], 3)

    def test_expired_sessions_force_a_new_login(self):
        cookie, _ = self.login(self.base)
        self.assertEqual(call(self.base, "POST", "/_sim/expire-sessions").status, 200)
        self.assertEqual(call(self.base, "GET", "/api/4.0/servers", headers={"Cookie": cookie}).status,
                         401)
        cookie, _ = self.login(self.base)
        self.assertEqual(call(self.base, "GET", "/api/4.0/servers", headers={"Cookie": cookie}).status,
                         200)
        self.assertEqual(self.stats(self.base)["logins"], 2)

    def test_if_modified_since_then_put_then_200(self):
        cookie, _ = self.login(self.base)
        first = call(self.base, "GET", "/api/4.0/servers", headers={"Cookie": cookie})
        last_modified = first.headers["Last-Modified"]
        self.assertIsNotNone(last_modified)
        cached = call(self.base, "GET", "/api/4.0/servers",
                      headers={"Cookie": cookie, "If-Modified-Since": last_modified})
        self.assertEqual((cached.status, cached.body), (304, b""))

        replacement = first.json()
        replacement["response"] = replacement["response"][:1]
        put = call(self.base, "PUT", "/_sim/servers", json.dumps(replacement).encode())
        self.assertEqual(put.status, 200, put.body)
        changed = call(self.base, "GET", "/api/4.0/servers",
                       headers={"Cookie": cookie, "If-Modified-Since": last_modified})
        self.assertEqual(changed.status, 200)
        self.assertEqual(len(changed.json()["response"]), 1)
        newer = changed.headers["Last-Modified"]
        self.assertGreater(email.utils.parsedate_to_datetime(newer),
                           email.utils.parsedate_to_datetime(last_modified))
        self.assertEqual(call(self.base, "GET", "/api/5.0/servers",
                              headers={"Cookie": cookie, "If-Modified-Since": newer}).status, 304)
        self.assertEqual(call(self.base, "PUT", "/_sim/servers", b"{\"response\": 1}").status, 400)
        self.assertEqual(call(self.base, "PUT", "/_sim/cachegroups", b"not json").status, 400)
        self.assertEqual(self.stats(self.base)["not_modified"], 2)

    def test_hang_holds_the_client_while_control_still_answers(self):
        cookie, _ = self.login(self.base)
        self.set_mode(self.base, "hang")
        held = socket.create_connection(("127.0.0.1", self.sim.port), timeout=5)
        self.addCleanup(held.close)
        held.sendall(f"GET /api/4.0/servers HTTP/1.1\r\nHost: x\r\nCookie: {cookie}\r\n\r\n".encode())
        # While that request is held, control and ping still answer.
        self.assertEqual(self.stats(self.base)["mode"], "hang")
        self.assertEqual(call(self.base, "GET", "/api/4.0/ping").status, 200)
        ready, _, _ = select.select([held], [], [], 1.0)
        self.assertEqual(ready, [], "a hung request was answered")
        with self.assertRaises((TimeoutError, socket.timeout, urllib.error.URLError)):
            call(self.base, "GET", "/api/4.0/servers", headers={"Cookie": cookie}, timeout=1.0)
        self.set_mode(self.base, "ok")
        self.assertEqual(call(self.base, "GET", "/api/4.0/servers", headers={"Cookie": cookie}).status,
                         200)

    def test_garbage_truncated_and_error500(self):
        cookie, _ = self.login(self.base)
        whole = call(self.base, "GET", "/api/4.0/cachegroups", headers={"Cookie": cookie}).body
        self.set_mode(self.base, "garbage")
        garbage = call(self.base, "GET", "/api/4.0/cachegroups", headers={"Cookie": cookie})
        self.assertEqual(garbage.status, 200)
        with self.assertRaises(ValueError):
            json.loads(garbage.body)

        self.set_mode(self.base, "truncated")
        cut = call(self.base, "GET", "/api/4.0/cachegroups", headers={"Cookie": cookie})
        self.assertEqual(cut.status, 200)
        self.assertEqual(int(cut.headers["Content-Length"]), len(cut.body))
        self.assertEqual(cut.body, whole[:len(whole) // 2])
        with self.assertRaises(ValueError):
            json.loads(cut.body)

        self.set_mode(self.base, "error500")
        failed = call(self.base, "GET", "/api/4.0/cachegroups", headers={"Cookie": cookie})
        self.assertEqual(failed.status, 500)
        with open(os.path.join(FIXTURES, "error-500.json")) as f:
            self.assertEqual(failed.json(), json.load(f))

        self.set_mode(self.base, "login-fail")
        self.assertEqual(call(self.base, "POST", "/api/4.0/user/login", LOGIN).status, 401)
        self.assertEqual(call(self.base, "POST", "/_sim/mode", b"sideways").status, 400)
        self.assertEqual(self.stats(self.base)["mode"], "login-fail")


class HangLimit(Base):
    def test_a_held_connection_is_closed_at_the_limit(self):
        sim = self.start("--hang-limit", "1")
        base = f"http://127.0.0.1:{sim.port}"
        self.set_mode(base, "hang")
        held = socket.create_connection(("127.0.0.1", sim.port), timeout=10)
        self.addCleanup(held.close)
        held.sendall(b"GET /api/4.0/servers HTTP/1.1\r\nHost: x\r\n\r\n")
        self.assertEqual(held.recv(4096), b"", "expected the connection closed, unanswered")


class Https(Base):
    @classmethod
    def setUpClass(cls):
        if shutil.which("openssl") is None:
            raise unittest.SkipTest("no openssl command")
        cls.dir = tempfile.mkdtemp(prefix="to-sim-tls-")
        cls.cert = os.path.join(cls.dir, "cert.pem")
        cls.key = os.path.join(cls.dir, "key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                        "-keyout", cls.key, "-out", cls.cert, "-subj", "/CN=127.0.0.1",
                        "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
                       check=True, capture_output=True, timeout=60)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.dir, ignore_errors=True)

    def test_https_with_the_test_ca(self):
        sim = self.start("--tls-cert", self.cert, "--tls-key", self.key)
        base = f"https://127.0.0.1:{sim.port}"
        context = ssl.create_default_context(cafile=self.cert)
        self.assertEqual(call(base, "GET", "/api/4.0/ping", context=context).json(), {"ping": "pong"})
        cookie, _ = self.login(base, context)
        servers = call(base, "GET", "/api/5.0/servers?type=AMT_RELAY", headers={"Cookie": cookie},
                       context=context)
        self.assertEqual(len(servers.json()["response"]), 4)
        self.assertEqual(self.stats(base, context)["logins"], 1)
        # Without the test CA the certificate does not verify.
        with self.assertRaises(urllib.error.URLError) as raised:
            call(base, "GET", "/api/4.0/ping", context=ssl.create_default_context())
        self.assertIsInstance(raised.exception.reason, ssl.SSLCertVerificationError)
        # Plain HTTP to the HTTPS port gets no HTTP answer.
        with self.assertRaises((urllib.error.URLError, ConnectionError, OSError)):
            call(f"http://127.0.0.1:{sim.port}", "GET", "/api/4.0/ping", timeout=3.0)
        self.assertEqual(call(base, "GET", "/api/4.0/ping", context=context).status, 200)


class CommandLine(Base):
    def test_ipv6_loopback(self):
        try:
            probe = socket.socket(socket.AF_INET6)
            probe.bind(("::1", 0))
            probe.close()
        except OSError:
            self.skipTest("no ::1 here")
        sim = self.start(listen="[::1]:0")
        self.assertRegex(sim.ready_line, r"^to-sim listening on \[::1\]:\d+$")
        self.assertEqual(call(f"http://[::1]:{sim.port}", "GET", "/api/4.0/ping").status, 200)

    def test_bad_arguments_exit_2(self):
        for args in (["--listen", "127.0.0.1:0", "--fixtures", "/nonexistent"],
                     ["--listen", "nowhere", "--fixtures", FIXTURES],
                     ["--listen", "127.0.0.1:0", "--fixtures", FIXTURES, "--tls-cert", "x.pem"]):
            result = subprocess.run([TO_SIM, *args], capture_output=True, timeout=10)
            self.assertEqual(result.returncode, 2, args)
            self.assertEqual(result.stdout, b"", args)
            self.assertIn(b"to-sim:", result.stderr)
        help_text = subprocess.run([TO_SIM, "--help"], capture_output=True, timeout=10).stdout
        self.assertIn(b"twelve12", help_text)


def main():
    global TO_SIM, FIXTURES
    argv = list(sys.argv)
    for flag in ("--to-sim", "--fixtures"):
        if flag not in argv:
            sys.exit(f"usage: {argv[0]} --to-sim PATH --fixtures DIR [unittest args]")
        at = argv.index(flag)
        value = os.path.abspath(argv[at + 1])
        del argv[at:at + 2]
        if flag == "--to-sim":
            TO_SIM = value
        else:
            FIXTURES = value
    unittest.main(argv=argv)


if __name__ == "__main__":
    main()
