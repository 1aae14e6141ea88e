"""Batch input: a file or a pipe read in chunks of whole lines as it arrives.

What a line is, for job files and points files alike: lines end with LF or CRLF (the CR
of a CRLF is not part of the line; a CR anywhere else is); a file whose first line ends
with a lone CR (classic Mac) has CR, LF and CRLF line ends. A UTF-8 byte order mark at
the start is dropped; a stream that starts with a UTF-16 byte order mark is UTF-16 text,
read as it arrives and handed on as UTF-8. Bytes that are not UTF-8 read as U+FFFD. A line longer than
MAX_LINE bytes is not held in memory: the source keeps its first CLIP_BYTES bytes and
its length (LineSource.long_lines), and the batch reports it as a failed line.
"""
import os

from ..errors import StreamError, UsageError, printable

READ_SIZE = 1 << 20
FIRST_CHUNK = 1 << 16   # bytes in the first chunk; each next one is twice as big, up to read_size
MAX_LINE = 1 << 20      # bytes in one line of a job file or points file (README, "Batches")
CLIP_BYTES = 200        # bytes of an over-long line kept, to show which line it was
BOM = b"\xef\xbb\xbf"


class LineSource:
    """Complete lines of a binary stream, handed out a chunk (about `read_size` bytes,
    less for the first few) at a time.

    A chunk is handed out as soon as it is full, or when the input has nothing more to
    give right now (a pipe fed line by line, as in `tail -f jobs | adcli grad`), so
    results never wait for input that has not arrived. Lines are numbered from 1.
    Memory holds at most a chunk and one line of up to max_line bytes."""

    def __init__(self, stream, read_size=READ_SIZE, max_line=MAX_LINE, first_line=1, continued=False):
        """continued: the stream is a piece of a file from a line start on (a block of a
        points file on a Dask worker): its line ends are LF or CRLF and it has no byte
        order mark, as the start of the file said. first_line: the number of its first line."""
        self.stream = stream
        self.read_size = read_size
        self.max_line = max_line
        self.lineno = first_line - 1
        self.consumed = 0   # bytes read, for the progress bar
        self.total = None   # size of a regular file
        self.fd = None
        self.head = b""     # the first bytes of the stream (a points file checks for Parquet)
        self.long_lines = {}  # line number -> length in bytes, for lines over max_line
        self._pipe = False
        self._utf16 = False if continued else None  # the decoder of a UTF-16 stream, False for UTF-8
        self._mode = "lf" if continued else None   # "lf" or "cr", from the first line end
        self._undecided = b""
        self._held_cr = False
        # The first chunk is small and each one after twice as big, up to read_size: the
        # first results of a big file are out in a moment, whatever the format.
        self._want = min(read_size, FIRST_CHUNK)
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
        data = self._raw_read()
        if self._utf16 is None:
            if len(data) < 2 and data:   # too little to tell (a pipe giving one byte): read on
                data += self._raw_read()
            if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
                import codecs
                self._utf16 = codecs.getincrementaldecoder("utf-16")(errors="replace")
            else:
                self._utf16 = False
        if self._utf16:
            text = self._utf16.decode(data, final=not data)
            while not text and data:   # half a character so far: empty would read as the end
                data = self._raw_read()
                text = self._utf16.decode(data, final=not data)
            data = text.encode("utf-8", errors="replace")
        if len(self.head) < 16:
            self.head += data[:16 - len(self.head)]
        return data

    def _raw_read(self):
        try:
            if self.fd is not None:
                data = os.read(self.fd, self.read_size)
            else:
                read = getattr(self.stream, "read1", None) or self.stream.read
                data = read(self.read_size)
        except IsADirectoryError:
            raise UsageError("cannot read the input: it is a directory") from None
        except OSError as e:
            raise StreamError(f"cannot read the input: {e.strerror or e}") from None
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

    def _normalize(self, data, eof):
        """The bytes read, with the byte order mark dropped and, in a file of CR line
        ends, every line end made LF. Holds back what it cannot decide yet (a CR at the
        end of a read, which may be half of a CRLF)."""
        if self._mode is None:
            data = self._undecided + data
            if len(data) < len(BOM) and BOM.startswith(data) and not eof:
                self._undecided = data
                return b""
            if data.startswith(BOM):
                data = data[len(BOM):]
            cr, lf = data.find(b"\r"), data.find(b"\n")
            if cr >= 0 and (lf < 0 or cr < lf):
                if cr + 1 < len(data):
                    self._mode = "lf" if data[cr + 1] == 10 else "cr"
                elif eof:
                    self._mode = "cr"
            elif lf >= 0 or eof:
                self._mode = "lf"
            if self._mode is None:
                if len(data) <= self.max_line + 1:
                    self._undecided = data
                    return b""
                self._mode = "lf"    # an over-long first line: LF until it ends
            self._undecided = b""
        if self._mode == "cr":
            if self._held_cr:
                data = b"\r" + data
                self._held_cr = False
            if data.endswith(b"\r") and not eof:
                data = data[:-1]
                self._held_cr = True
            data = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        return data

    def raw_chunks(self):
        """(first line number, bytes holding whole lines, without the last newline).
        Lines are separated by LF alone (see the module's docstring); an over-long line
        is replaced by its first CLIP_BYTES bytes and listed in long_lines."""
        buf = b""
        eof = False
        skipping = None     # [line number, bytes so far] while discarding an over-long line
        while not eof:
            data = self._read()
            if not data:
                eof = True
            data = self._normalize(data, eof)
            if skipping is not None:
                cut = data.find(b"\n")
                if cut < 0 and not eof:
                    skipping[1] += len(data)
                    continue
                skipping[1] += len(data) if cut < 0 else cut
                self.long_lines[skipping[0]] = skipping[1]
                data = data[cut:] if cut >= 0 else b""
                skipping = None
            if data:
                buf = buf + data if buf else data
            if eof and buf and not buf.endswith(b"\n"):
                buf += b"\n"
            start = buf.rfind(b"\n") + 1        # where the unfinished last line starts
            if len(buf) - start > self.max_line:
                # An over-long line: the lines before it go out, its start is kept and
                # the rest dropped as it arrives.
                if start:
                    yield self._take(buf[:start - 1])
                skipping = [self.lineno + 1, len(buf) - start]
                buf = _clipped(buf[start:start + CLIP_BYTES])
                continue
            while buf:
                if len(buf) >= self._want:
                    # A full chunk: the whole lines in its first _want bytes (or the one
                    # line, longer than that, that starts it).
                    cut = buf.rfind(b"\n", 0, self._want)
                    if cut < 0:
                        cut = buf.find(b"\n")
                elif eof or not self._ready():
                    cut = buf.rfind(b"\n")
                else:
                    break
                if cut < 0:
                    break
                yield self._take(buf[:cut])
                buf = buf[cut + 1:]
                self._want = min(self.read_size, 2 * self._want)

    def _take(self, block):
        first = self.lineno + 1
        self.lineno += block.count(b"\n") + 1
        for line in [n for n in self.long_lines if n < first]:
            del self.long_lines[line]
        if b"\r" in block and self._mode != "cr":
            block = block.replace(b"\r\n", b"\n")
            if block.endswith(b"\r"):
                block = block[:-1]
        if len(block) > self.max_line:
            block = self._clip_long(first, block)
        return first, block

    def _clip_long(self, first, block):
        """The block with each line over max_line (one that arrived whole in a big read)
        cut to its start, and listed in long_lines."""
        import re
        long = re.compile(rb"^[^\n]{%d}" % (self.max_line + 1), re.M)
        m = long.search(block)
        if m is None:
            return block
        parts, pos = [], 0
        while m is not None:
            start = m.start()
            end = block.find(b"\n", start)
            end = len(block) if end < 0 else end
            self.long_lines[first + block.count(b"\n", 0, start)] = end - start
            parts += [block[pos:start], _clipped(block[start:start + CLIP_BYTES])]
            pos = end
            m = long.search(block, end)
        parts.append(block[pos:])
        return b"".join(parts)

    def chunks(self):
        """(first line number, list of str lines) per chunk."""
        for first, block in self.raw_chunks():
            yield first, decode(block).split("\n")

    def too_long(self, line):
        """The length in bytes of line number `line` if it was over max_line, else None."""
        return self.long_lines.get(line)


def _clipped(start):
    """The kept start of an over-long line: whole UTF-8 characters, no line end."""
    return start.decode("utf-8", errors="ignore").encode("utf-8").replace(b"\n", b" ")


def decode(block):
    return block.decode("utf-8", errors="replace")


def long_line_error(nbytes, max_line=MAX_LINE, hint=None):
    """The failure of a line over the limit."""
    e = UsageError(f"the line is {nbytes:,} bytes long, more than the limit of {max_line:,} bytes for a line",
                   hint=hint)
    e.kind = "line"
    return e


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
