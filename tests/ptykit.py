"""A real terminal for tests: adcli run on a pseudo-terminal (the standard library's pty),
keys sent as bytes, output read until an expected text appears. The child has the pty as
its controlling terminal, so Ctrl-C (\\x03) is a real SIGINT from the line discipline."""
import os
import pty
import re
import select
import signal
import sys
import time

from conftest import subprocess_env

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Z0-9]|\x1b[=>]")
TIMEOUT = 60   # a guard against a hung child, not a measure of speed


class Terminal:
    def __init__(self, argv, env=None):
        full = subprocess_env({"TERM": "xterm", "LINES": "40", **(env or {})})
        self.pid, self.fd = pty.fork()
        if self.pid == 0:   # the child: adcli on the terminal
            try:
                os.execvpe(sys.executable, [sys.executable, "-m", "adcli", *argv], full)
            finally:
                os._exit(127)
        self.seen = ""      # output not yet returned by expect()
        self.code = None

    def send(self, text):
        os.write(self.fd, text.encode())

    def _read(self, deadline):
        r, _, _ = select.select([self.fd], [], [], max(0.0, min(0.5, deadline - time.monotonic())))
        if not r:
            return True
        try:
            data = os.read(self.fd, 65536)
        except OSError:     # the child has gone and the terminal is closed
            return False
        if not data:
            return False
        self.seen += data.decode("utf-8", errors="replace")
        return True

    def expect(self, text):
        """Everything written up to and including `text` (escape sequences removed,
        line ends as \\n); fails if it does not come."""
        deadline = time.monotonic() + TIMEOUT
        while True:
            clean = ANSI.sub("", self.seen).replace("\r\n", "\n").replace("\r", "")
            at = clean.find(text)
            if at >= 0:
                self.seen = ""
                self._rest = clean[at + len(text):]
                if self._rest:
                    self.seen = self._rest
                return clean[:at + len(text)]
            if time.monotonic() > deadline or not self._read(deadline):
                raise AssertionError(f"expected {text!r}; the terminal shows:\n{clean}")

    def wait(self):
        """The exit code, once the child has ended (output read meanwhile, so that a full
        terminal buffer cannot block it)."""
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.code = os.waitstatus_to_exitcode(status)
                return self.code
            self._read(time.monotonic() + 0.2)
        raise AssertionError("adcli did not end")

    def close(self):
        if self.code is None:
            try:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass
        os.close(self.fd)
