"""Streaming plumbing for batch runs: input read in chunks of lines as it arrives,
output written whole chunks at a time, a progress bar only for long runs on a
terminal, and Ctrl-C that never cuts an output line in half."""
import os
import signal
import sys
import time

READ_SIZE = 1 << 20


class LineSource:
    """Complete lines of a binary stream, handed out a chunk (about `read_size` bytes)
    at a time.

    A chunk is handed out as soon as it is full, or when the input has nothing more to
    give right now (a pipe fed line by line, as in `tail -f jobs | adcli grad`), so
    results never wait for input that has not arrived. Lines are numbered from 1."""

    def __init__(self, stream, read_size=READ_SIZE):
        self.stream = stream
        self.read_size = read_size
        self.lineno = 0
        self.consumed = 0   # bytes read, for the progress bar
        self.total = None   # size of a regular file
        self.fd = None
        self._pipe = False
        try:
            import stat
            fd = stream.fileno()
            st = os.fstat(fd)
            self.fd = fd
            if stat.S_ISREG(st.st_mode):
                self.total = max(0, st.st_size - os.lseek(fd, 0, os.SEEK_CUR))
            else:
                self._pipe = True
        except (AttributeError, OSError, ValueError):
            self.fd = None

    def _read(self):
        if self.fd is not None:
            data = os.read(self.fd, self.read_size)
        else:
            read = getattr(self.stream, "read1", None) or self.stream.read
            data = read(self.read_size)
        self.consumed += len(data)
        return data

    def _ready(self):
        """More input can be read without waiting."""
        if not self._pipe:
            return True
        import select
        try:
            return bool(select.select([self.fd], [], [], 0)[0])
        except (OSError, ValueError):
            return True

    def raw_chunks(self):
        """(first line number, bytes holding whole lines, without the last newline)."""
        buf = b""
        eof = False
        while not eof:
            data = self._read()
            if data:
                buf = buf + data if buf else data
            else:
                eof = True
                if buf and not buf.endswith(b"\n"):
                    buf += b"\n"
            if buf and (eof or len(buf) >= self.read_size or not self._ready()):
                cut = buf.rfind(b"\n")
                if cut >= 0:
                    yield self._take(buf[:cut])
                    buf = buf[cut + 1:]

    def _take(self, block):
        first = self.lineno + 1
        self.lineno += block.count(b"\n") + 1
        return first, block

    def chunks(self):
        """(first line number, list of str lines) per chunk."""
        for first, block in self.raw_chunks():
            yield first, decode(block).split("\n")


def decode(block):
    text = block.decode("utf-8", errors="replace")
    return text.replace("\r\n", "\n") if "\r" in text else text


class Output:
    """Writes text to stdout a chunk at a time and flushes it, so a reader downstream
    sees each chunk as soon as it is done. A Ctrl-C during a write is held back until
    the write is complete, so what was written is whole lines."""

    def __init__(self, stream=None):
        self.stream = stream   # None: sys.stdout at the time of writing (the progress
        self._writing = False  # bar may have redirected it to print above itself)
        self._interrupted = False
        self._old = None

    def __enter__(self):
        try:
            self._old = signal.signal(signal.SIGINT, self._on_sigint)
        except (ValueError, OSError):  # not the main thread
            self._old = None
        return self

    def __exit__(self, *exc):
        if self._old is not None:
            signal.signal(signal.SIGINT, self._old)
        return False

    def _on_sigint(self, signum, frame):
        if self._writing:
            self._interrupted = True
        else:
            raise KeyboardInterrupt

    def write(self, text):
        if not text:
            return
        self._writing = True
        try:
            out = self.stream or sys.stdout
            out.write(text)
            out.flush()
        finally:
            self._writing = False
        if self._interrupted:
            raise KeyboardInterrupt


class Progress:
    """A Rich progress bar on stderr, shown only when stderr is a terminal and the run
    has taken more than `delay` seconds (Rich is imported only then)."""

    def __init__(self, source, what="lines", delay=1.0, stderr=None):
        self.source = source
        self.what = what
        self.delay = delay
        self.start = time.monotonic()
        self.bar = None
        self.task = None
        stderr = stderr or sys.stderr
        try:
            self.enabled = stderr.isatty() and os.environ.get("ADCLI_NO_PROGRESS") != "1"
        except (AttributeError, ValueError):
            self.enabled = False

    def update(self, done_lines):
        if not self.enabled:
            return
        if self.bar is None:
            if time.monotonic() - self.start < self.delay:
                return
            from rich.console import Console
            from rich.progress import (BarColumn, Progress as Bar, TaskProgressColumn, TextColumn,
                                       TimeElapsedColumn, TimeRemainingColumn)
            total = self.source.total
            columns = [TextColumn("adcli"), BarColumn(), TaskProgressColumn(), TimeElapsedColumn()]
            if total:
                columns.append(TimeRemainingColumn())
            columns.append(TextColumn("{task.fields[lines]:,} " + self.what))
            redirect = _isatty(sys.stdout)
            self.bar = Bar(*columns, console=Console(file=sys.stderr), transient=True,
                           redirect_stdout=redirect, redirect_stderr=False)
            self.bar.start()
            self.task = self.bar.add_task("", total=total, lines=0)
        self.bar.update(self.task, completed=self.source.consumed, lines=done_lines)

    def close(self):
        if self.bar is not None:
            self.bar.stop()
            self.bar = None


def _isatty(stream):
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
