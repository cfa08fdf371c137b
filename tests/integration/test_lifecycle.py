"""driadd as a service: SIGTERM drains (listeners closed, a TCP query in flight
still answered, /readyz says draining, exit 0 within the bound); --user drops
root for good once bound (as root); control work runs 10 nice levels below
the query threads; CAP_NET_BIND_SERVICE alone binds a low
port and is dropped afterwards (as root, with setpriv); `cmake --install`
lays out the binaries, the systemd unit, the example config and the man
pages; --help documents what an operator needs.

    python3 test_lifecycle.py --driadd D --driadctl C --build-dir BUILD"""

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import unittest

import admin_common as ac
import driad_harness as h

DRAIN_MS = 3000


def proc_status(pid):
    """/proc/PID/status as a dict of its fields."""
    fields = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            fields[key] = value.strip()
    return fields


def wait_exit(proc, limit):
    """Seconds until `proc` exits, or None after `limit` (then it is still running)."""
    started = time.monotonic()
    try:
        proc.wait(limit)
    except subprocess.TimeoutExpired:
        return None
    return time.monotonic() - started


class DrainTest(unittest.TestCase):

    def test_sigterm_answers_in_flight_then_exits_zero(self):
        admin = ac.free_tcp_port()
        driad = h.Driad(ac.with_admin(h.base_config(), admin), hosts=("127.0.0.1",),
                        extra_args=["--drain-timeout-ms", str(DRAIN_MS)])
        self.addCleanup(driad.cleanup)
        driad.start()
        query = h.build_query(h.reverse_name("198.51.100.12"), qid=0x0101)
        held = h.tcp_connect(driad.host, driad.port, timeout=5)
        self.addCleanup(held.close)
        held.sendall(h.frame(query))
        self.assertEqual(h.Message(h.recv_framed(held)).id, 0x0101)

        # A pipelined pair sent just before SIGTERM: both are answered.
        second = h.build_query(h.reverse_name("198.51.100.12"), qid=0x0202)
        third = h.build_query(h.reverse_name("198.51.100.140"), qid=0x0303)
        held.sendall(h.frame(second) + h.frame(third))
        driad.proc.send_signal(signal.SIGTERM)
        answers = [h.Message(h.recv_framed(held)) for _ in range(2)]
        self.assertEqual([a.id for a in answers], [0x0202, 0x0303])
        self.assertTrue(all(a.rcode == 0 and a.answer for a in answers), answers)

        # Draining: no new connections, no UDP answers, not ready; the open
        # connection still gets answers.
        self.assertIsNotNone(driad.wait_log(r"signal 15: stopping: draining", timeout=2), driad.log())
        time.sleep(0.1)
        with self.assertRaises(OSError):
            h.tcp_exchange(driad.host, driad.port, query, timeout=1)
        self.assertIsNone(driad.udp(query, timeout=0.5))
        ready = ac.http(admin, "/readyz")
        self.assertEqual((ready.status, ready.body), (503, "not ready: draining: the listeners are closed\n"))
        self.assertIsNone(driad.proc.poll())
        held.sendall(h.frame(second))
        self.assertEqual(h.Message(h.recv_framed(held)).id, 0x0202)

        # The last connection closes: driadd exits 0 without waiting out the bound.
        held.close()
        took = wait_exit(driad.proc, DRAIN_MS / 1000 + 5)
        self.assertIsNotNone(took, driad.log())
        self.assertEqual(driad.proc.returncode, 0, driad.log())
        self.assertLess(took, DRAIN_MS / 1000, driad.log())
        self.assertIn("stopped", driad.log())

    def test_an_idle_connection_does_not_hold_it_past_the_bound(self):
        driad = h.Driad(h.base_config(), hosts=("127.0.0.1",), extra_args=["--drain-timeout-ms", "500"])
        self.addCleanup(driad.cleanup)
        driad.start()
        idle = h.tcp_connect(driad.host, driad.port, timeout=5)
        self.addCleanup(idle.close)
        time.sleep(0.1)
        driad.proc.send_signal(signal.SIGTERM)
        self.assertIsNotNone(wait_exit(driad.proc, 0.5 + 5), driad.log())
        self.assertEqual(driad.proc.returncode, 0, driad.log())
        self.assertIn("drain: closing 1 TCP connections still open", driad.log())


@unittest.skipUnless(os.geteuid() == 0, "the privilege drop needs root")
class PrivilegeTest(unittest.TestCase):

    def test_user_drops_root_for_good_and_still_answers(self):
        admin = ac.free_tcp_port()
        driad = h.Driad(ac.with_admin(h.base_config(), admin), extra_args=["--user", "nobody"])
        self.addCleanup(driad.cleanup)
        driad.start()
        status = proc_status(driad.proc.pid)
        nobody = "65534"
        self.assertEqual(status["Uid"].split(), [nobody] * 4, status)
        self.assertEqual(status["Gid"].split(), [nobody] * 4, status)
        self.assertEqual(status["Groups"].split(), [nobody], status)
        for caps in ("CapEff", "CapPrm", "CapInh", "CapAmb"):
            self.assertEqual(int(status[caps], 16), 0, (caps, status))
        # Every thread, the workers included.
        for task in os.listdir(f"/proc/{driad.proc.pid}/task"):
            with open(f"/proc/{driad.proc.pid}/task/{task}/status") as f:
                uid_line = next(line for line in f if line.startswith("Uid:"))
            self.assertEqual(uid_line.split()[1:], [nobody] * 4, task)
        self.assertEqual(driad.query(h.reverse_name("198.51.100.12")).rcode, 0)
        self.assertEqual(driad.query(h.reverse_name("198.51.100.12"), tcp=True).rcode, 0)
        self.assertEqual(ac.http(admin, "/readyz").status, 200)
        self.assertIn("running as nobody (uid 65534, gid 65534)", driad.log())

    def test_root_without_user_keeps_no_capability(self):
        driad = h.Driad(h.base_config())
        self.addCleanup(driad.cleanup)
        driad.start()
        # Capabilities are per thread: every thread, the workers included.
        tasks = os.listdir(f"/proc/{driad.proc.pid}/task")
        self.assertGreater(len(tasks), 1)
        for task in tasks:
            status = proc_status(f"{driad.proc.pid}/task/{task}")
            self.assertEqual(status["Uid"].split(), ["0"] * 4, task)
            for caps in ("CapEff", "CapPrm", "CapInh", "CapAmb"):
                self.assertEqual(int(status[caps], 16), 0, (task, caps, status))
        self.assertIn("running as uid 0 with no capabilities; --user NAME runs as another user", driad.log())
        self.assertEqual(driad.query(h.reverse_name("198.51.100.12")).rcode, 0)

    def test_control_work_runs_below_the_query_threads(self):
        driad = h.Driad(h.base_config())
        self.addCleanup(driad.cleanup)
        driad.start()
        pid = driad.proc.pid
        start_nice = os.getpriority(os.PRIO_PROCESS, os.getpid())  # inherited by driadd
        seen = {}
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/comm") as f:
                name = f.read().strip()
            # Nice is field 19 of /proc/PID/stat; the name in field 2 is in parentheses.
            with open(f"/proc/{pid}/task/{task}/stat") as f:
                nice = int(f.read().rsplit(")", 1)[1].split()[16])
            seen[name if task != str(pid) else "control"] = nice
        self.assertEqual(seen.get("driad-udp"), start_nice, seen)
        self.assertEqual(seen.get("driad-tcp"), start_nice, seen)
        control_nice = min(start_nice + 10, 19)
        self.assertEqual(seen.get("control"), control_nice, seen)
        self.assertIn(f"control work at nice {control_nice}, query threads at nice {start_nice}",
                      driad.log())
        self.assertEqual(driad.query(h.reverse_name("198.51.100.12")).rcode, 0)

    def test_unknown_user_is_an_error_before_serving(self):
        driad = h.Driad(h.base_config(), extra_args=["--user", "no-such-user-here"])
        self.addCleanup(driad.cleanup)
        with self.assertRaises(RuntimeError):
            driad.start(timeout=5)
        self.assertIn("cannot drop privileges: --user: no user named 'no-such-user-here'", driad.log())
        self.assertEqual(driad.proc.returncode, 1)


def low_free_port():
    """A port below 1024 free for UDP and TCP on 127.0.0.1 (probed at run time)."""
    for port in range(980, 600, -7):
        try:
            for kind in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
                with socket.socket(socket.AF_INET, kind) as s:
                    s.bind(("127.0.0.1", port))
            return port
        except OSError:
            continue
    raise unittest.SkipTest("no free port below 1024")


@unittest.skipUnless(os.geteuid() == 0 and shutil.which("setpriv"), "needs root and setpriv")
class CapabilityTest(unittest.TestCase):
    """Run as nobody: CAP_NET_BIND_SERVICE (ambient, as the systemd unit gives
    it) binds port < 1024 and is gone once bound; without it, a clear error."""

    def run_as_nobody(self, with_capability):
        directory = tempfile.mkdtemp(prefix="driad-caps-")
        self.addCleanup(shutil.rmtree, directory, True)
        os.chmod(directory, 0o755)
        port = low_free_port()
        config = h.base_config()
        config["listen"] = [f"127.0.0.1:{port}"]
        path = os.path.join(directory, "driad.json")
        with open(path, "w") as out:
            json.dump(config, out)
        os.chmod(path, 0o644)
        caps = ["--inh-caps=+net_bind_service", "--ambient-caps=+net_bind_service"] if with_capability else []
        argv = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *caps, h.DRIADD, "--config", path]
        log = open(os.path.join(directory, "driadd.log"), "w+b")
        self.addCleanup(log.close)
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log, stderr=log)

        def stop():
            if proc.poll() is None:
                proc.terminate()
                if wait_exit(proc, 5) is None:
                    proc.kill()
                    proc.wait(5)
        self.addCleanup(stop)
        return proc, port, log

    @staticmethod
    def text(log):
        log.flush()
        log.seek(0)
        return log.read().decode(errors="replace")

    def test_capability_binds_then_is_dropped(self):
        proc, port, log = self.run_as_nobody(True)
        query = h.build_query(h.reverse_name("198.51.100.12"))
        reply = None
        deadline = time.monotonic() + 10
        while reply is None and time.monotonic() < deadline and proc.poll() is None:
            reply = h.udp_exchange("127.0.0.1", port, query, timeout=0.2)
        self.assertIsNotNone(reply, self.text(log))
        self.assertEqual(h.Message(reply).rcode, 0)
        status = proc_status(proc.pid)
        self.assertEqual(status["Uid"].split(), ["65534"] * 4)
        for caps in ("CapEff", "CapPrm", "CapInh", "CapAmb"):
            self.assertEqual(int(status[caps], 16), 0, (caps, status))
        self.assertIn("running as uid 65534 with no capabilities", self.text(log))

    def test_without_it_a_low_port_is_a_clear_error(self):
        proc, port, log = self.run_as_nobody(False)
        self.assertIsNotNone(wait_exit(proc, 10))
        self.assertEqual(proc.returncode, 1)
        text = self.text(log)
        self.assertIn("Permission denied", text)
        self.assertIn("CAP_NET_BIND_SERVICE", text)


class PackagingTest(unittest.TestCase):

    def test_cmake_install_lays_out_the_service(self):
        if not ac.BUILD_DIR:
            self.skipTest("no --build-dir given")
        prefix = tempfile.mkdtemp(prefix="driad-install-")
        self.addCleanup(shutil.rmtree, prefix, True)
        done = subprocess.run(["cmake", "--install", ac.BUILD_DIR, "--prefix", prefix], capture_output=True,
                              text=True, timeout=60)
        self.assertEqual(done.returncode, 0, done.stdout + done.stderr)
        for relative in ("sbin/driadd", "bin/driadctl"):
            self.assertTrue(os.access(os.path.join(prefix, relative), os.X_OK), relative)
        with open(os.path.join(prefix, "lib/systemd/system/driadd.service")) as f:
            unit = f.read()
        self.assertIn(f"ExecStart={prefix}/sbin/driadd --config /etc/driad/driad.json", unit)
        self.assertIn("ExecReload=/bin/kill -HUP $MAINPID", unit)
        self.assertIn("AmbientCapabilities=CAP_NET_BIND_SERVICE", unit)
        self.assertIn("User=driad", unit)
        self.assertIn("Type=exec", unit)
        example = os.path.join(prefix, "share/doc/driad/driad.example.json")
        checked = subprocess.run([os.path.join(prefix, "sbin/driadd"), "--check-config", example],
                                 capture_output=True, text=True, timeout=10)
        # Valid as written, except that its TLS files (under /etc/driad) are not here yet...
        tls_files = ("/etc/driad/mx-ca.pem", "/etc/driad/gw.pem", "/etc/driad/gw.key")
        problems = [line for line in checked.stderr.splitlines()
                    if line.strip() and not re.fullmatch(r"\d+ errors? in the config", line)]
        if not all(os.path.exists(path) for path in tls_files):
            self.assertEqual(checked.returncode, 1, checked.stdout + checked.stderr)
            self.assertTrue(problems)
            for line in problems:
                self.assertRegex(line, r"/mx/tls/(ca|cert|key): cannot read /etc/driad/", line)
        # ...and with them in place it is valid.
        with open(example) as f:
            text = f.read()
        for path in tls_files:
            local = os.path.join(prefix, os.path.basename(path))
            with open(local, "w") as out:
                out.write("placeholder\n")
            text = text.replace(path, local)
        local_example = os.path.join(prefix, "driad.example.json")
        with open(local_example, "w") as out:
            out.write(text)
        checked = subprocess.run([os.path.join(prefix, "sbin/driadd"), "--check-config", local_example],
                                 capture_output=True, text=True, timeout=10)
        self.assertEqual(checked.returncode, 0, checked.stdout + checked.stderr)
        for page in ("share/man/man8/driadd.8", "share/man/man1/driadctl.1"):
            with open(os.path.join(prefix, page)) as f:
                self.assertTrue(f.read().startswith(".TH "), page)
        if shutil.which("systemd-analyze"):
            verify = subprocess.run(["systemd-analyze", "verify", "--man=no",
                                     os.path.join(prefix, "lib/systemd/system/driadd.service")],
                                    capture_output=True, text=True, timeout=30)
            self.assertNotIn("Unknown key", verify.stderr)

    def test_help_is_enough_to_run_it(self):
        done = subprocess.run([h.DRIADD, "--help"], capture_output=True, text=True, timeout=10)
        self.assertEqual(done.returncode, 0)
        for needed in ("--config", "--check-config", "--user", "--admin", "--log-format", "--log-level",
                       "--query-log-sample", "--drain-timeout-ms", "SIGHUP", "SIGTERM",
                       "DRIAD_ADMIN_TOKEN", "GNMI_PASSWORD", "TO_PASSWORD", "CAP_NET_BIND_SERVICE",
                       "/api/v1/explain", "driadctl"):
            self.assertIn(needed, done.stdout, needed)
        ctl = subprocess.run([ac.DRIADCTL, "--help"], capture_output=True, text=True, timeout=10)
        self.assertEqual(ctl.returncode, 0)
        for needed in ("status", "decisions", "explain", "reload", "verify", "--admin", "--json",
                       "DRIAD_ADMIN_TOKEN"):
            self.assertIn(needed, ctl.stdout, needed)
        bad = subprocess.run([h.DRIADD, "--demo", "--user", "a b"], capture_output=True, text=True, timeout=10)
        self.assertEqual(bad.returncode, 2)
        self.assertIn("is not USER or USER:GROUP", bad.stderr)


if __name__ == "__main__":
    ac.main()
