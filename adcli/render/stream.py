"""Output plumbing for batch runs: stdout written whole chunks at a time (Ctrl-C never
cuts an output line in half), and a progress bar on stderr only for long runs on a
terminal."""
import os
import signal
import sys
import time


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


class FileOutput(Output):
    """Output to --output FILE, opened by the caller: a write error (a full disk) names
    the file."""

    def __init__(self, stream, path):
        super().__init__(stream)
        self.path = path

    def write(self, text):
        try:
            super().write(text)
        except OSError as e:
            from ..errors import StreamError, printable
            raise StreamError(f"cannot write {printable(self.path)}: {e.strerror or e}") from None


class Progress:
    """A Rich progress bar on stderr, shown only when stderr is a terminal and the run
    has taken more than `delay` seconds (Rich is imported only then)."""

    def __init__(self, source, what="lines", delay=1.0, stderr=None, typed=False):
        self.source = source
        self.what = what
        self.delay = delay
        self.start = time.monotonic()
        self.bar = None
        self.task = None
        stderr = stderr or sys.stderr
        try:
            # typed: the lines come from a person at the terminal (-f - there), and a bar
            # would be drawn in the middle of what they type
            self.enabled = not typed and stderr.isatty() and os.environ.get("ADCLI_NO_PROGRESS") != "1"
        except (AttributeError, ValueError):
            self.enabled = False

    def update(self, done_lines):
        if not self.enabled:
            return
        if self.bar is None:
            if time.monotonic() - self.start < self.delay:
                return
            from rich.progress import BarColumn, TaskProgressColumn, TextColumn, TimeElapsedColumn, TimeRemainingColumn
            from rich.progress import Progress as Bar
            total = self.source.total
            columns = [TextColumn("adcli"), BarColumn(), TaskProgressColumn(), TimeElapsedColumn()]
            if total:
                columns.append(TimeRemainingColumn())
            columns.append(TextColumn("{task.fields[lines]:,} " + self.what))
            from .console import console, isatty
            redirect = isatty(sys.stdout)
            self.bar = Bar(*columns, console=console(sys.stderr), transient=True,
                           redirect_stdout=redirect, redirect_stderr=False)
            self.bar.start()
            self.task = self.bar.add_task("", total=total, lines=0)
        self.bar.update(self.task, completed=self.source.consumed, lines=done_lines)

    def close(self):
        if self.bar is not None:
            self.bar.stop()
            self.bar = None
