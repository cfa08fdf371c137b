"""to-sim (the Traffic Ops stand-in in tools/to-sim) as a child process of a
test: started on loopback, its one ready line `to-sim listening on HOST:PORT`
read with a deadline, always stopped with SIGTERM (then SIGKILL).

Standard library only; used by test_traffic_ops.py and
tests/tools/to_sim_process_test.py."""

import os
import re
import select
import shutil
import signal
import subprocess
import tempfile
import time

READY = re.compile(r"^to-sim listening on (127\.0\.0\.1|\[::1\]):(\d+)$")


class ToSimProcess:
    """`binary --listen LISTEN --fixtures FIXTURES *args`, its stderr in a log
    file (`log_path`, or one in a temporary folder removed by stop()).

    ready_line, host and port come from the ready line; when none comes within
    `timeout` the process is stopped and RuntimeError names what it said."""

    def __init__(self, binary, fixtures, *args, listen="127.0.0.1:0", log_path=None, timeout=10.0):
        self._temp = None if log_path else tempfile.mkdtemp(prefix="to-sim-")
        self.log_path = log_path or os.path.join(self._temp, "stderr.log")
        self._stderr = open(self.log_path, "ab")
        self._stopped = None
        self.proc = subprocess.Popen([binary, "--listen", listen, "--fixtures", fixtures, *args],
                                     stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=self._stderr)
        self.ready_line = self._read_line(timeout)
        found = READY.match(self.ready_line or "")
        if not found:
            _, _, log = self.stop()
            raise RuntimeError(f"to-sim: no ready line, got {self.ready_line!r}; log:\n{log}")
        self.host = found.group(1).strip("[]")
        self.port = int(found.group(2))

    def _read_line(self, timeout):
        """One whole stdout line before the deadline, or None (timeout, exit)."""
        deadline = time.monotonic() + timeout
        line = b""
        while time.monotonic() < deadline and not line.endswith(b"\n"):
            ready, _, _ = select.select([self.proc.stdout], [], [], 0.1)
            if not ready:
                if self.proc.poll() is not None:
                    break
                continue
            byte = os.read(self.proc.stdout.fileno(), 1)
            if not byte:
                break
            line += byte
        return line.decode(errors="replace").rstrip("\n") if line.endswith(b"\n") else None

    def _read_rest(self, timeout):
        """Whatever stdout still holds, up to EOF or the deadline (a grandchild
        may keep the pipe open)."""
        deadline = time.monotonic() + timeout
        rest = b""
        while time.monotonic() < deadline:
            ready, _, _ = select.select([self.proc.stdout], [], [], 0.1)
            if ready:
                chunk = os.read(self.proc.stdout.fileno(), 4096)
                if not chunk:
                    break
                rest += chunk
        return rest

    def log(self):
        try:
            with open(self.log_path, "r", errors="replace") as f:
                return f.read()
        except FileNotFoundError:
            return ""

    def stop(self):
        """(exit status, the rest of stdout, the log); later calls return the same."""
        if self._stopped is None:
            if self.proc.poll() is None:
                self.proc.send_signal(signal.SIGTERM)
                try:
                    self.proc.wait(5)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait(5)
            rest = self._read_rest(5.0)
            self.proc.stdout.close()
            self._stderr.close()
            self._stopped = (self.proc.returncode, rest, self.log())
            if self._temp:
                shutil.rmtree(self._temp, ignore_errors=True)
        return self._stopped
