"""Batch input: a file or a pipe read in chunks of whole lines as it arrives."""
import os

from ..errors import UsageError, printable

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


def open_input(path, what="the job lines"):
    """A binary stream for FILE, or standard input for '-' or None."""
    import sys
    if path is None or path == "-":
        stream = sys.stdin
        if stream is None:
            raise UsageError(f"cannot read {what} from standard input: it is closed")
        return getattr(stream, "buffer", stream)
    try:
        return open(path, "rb")
    except OSError as e:
        raise UsageError(f"cannot read {printable(path)}: {e.strerror or e}") from None
