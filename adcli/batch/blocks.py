"""A CSV points file cut into blocks of whole lines, so that Dask workers can each read
one (adcli.dist): the header line is read here once, each block starts at a line start
and ends at one, and knows the number of its first line, so that every row keeps the
line number it has in a local run. Blocks are plain data, sent to workers as they are.

Only files whose line ends are LF or CRLF and whose text is UTF-8 can be cut: a file of
CR line ends or in UTF-16 is read whole by the local engine."""
import os

from ..errors import UsageError, printable
from .stream import BOM, MAX_LINE, decode


class Block:
    __slots__ = ("path", "start", "end", "first", "header", "delimiter")

    def __init__(self, path, start, end, first, header, delimiter):
        self.path = path
        self.start = start          # byte offset of its first line
        self.end = end              # byte offset after its last line
        self.first = first          # line number of its first line
        self.header = header        # the header line's text
        self.delimiter = delimiter

    def __getstate__(self):
        return {k: getattr(self, k) for k in self.__slots__}

    def __setstate__(self, state):
        for k, v in state.items():
            setattr(self, k, v)


def header_line(path):
    """(header text, byte offset of the line after it) of a CSV points file that can be
    cut into blocks."""
    from .pointsfile import refuse_binary
    try:
        with open(path, "rb") as fh:
            head = fh.read(MAX_LINE + len(BOM) + 2)
    except OSError as e:
        raise UsageError(f"cannot read {printable(path)}: {e.strerror or e}") from None
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise UsageError("--engine dask cuts CSV files that are UTF-8; this one is UTF-16",
                         hint="convert it to UTF-8 (iconv -f UTF-16 -t UTF-8), or run it with --engine local")
    skip = len(BOM) if head.startswith(BOM) else 0
    cut = head.find(b"\n", skip)
    line = head[skip:] if cut < 0 else head[skip:cut]
    refuse_binary(head, line)
    cr = line.find(b"\r")
    if cr >= 0 and cr != len(line) - 1 or (cut < 0 and len(head) > MAX_LINE):
        raise UsageError("--engine dask cuts CSV files whose lines end with LF or CRLF; this one's first line "
                         "does not end so (CR line ends, or a header over 1 MiB)",
                         hint="convert the line ends (tr '\\r' '\\n'), or run it with --engine local")
    text = decode(line[:-1] if line.endswith(b"\r") else line)
    return text, (len(head) if cut < 0 else cut + 1)


def cut(path, start, block_size):
    """[(start, end)] of blocks of about block_size bytes from `start` to the end of the
    file, each beginning at a line start."""
    size = os.path.getsize(path)
    bounds = [start]
    with open(path, "rb") as fh:
        at = start + block_size
        while at < size:
            fh.seek(at - 1)
            while True:   # the next line start at or after `at`
                piece = fh.read(1 << 16)
                nl = piece.find(b"\n")
                if nl >= 0 or not piece:
                    break
            if not piece:
                break
            line_start = fh.tell() - len(piece) + nl + 1
            if line_start >= size:
                break
            bounds.append(line_start)
            at = max(line_start, at) + block_size
    bounds.append(size)
    return list(zip(bounds, bounds[1:])) or [(start, start)]


def count_lines(path, start, end):
    """The number of lines in [start, end) (the last may lack its newline at the end of
    the file)."""
    n, last = 0, b"\n"
    with open(path, "rb") as fh:
        fh.seek(start)
        left = end - start
        while left > 0:
            data = fh.read(min(left, 1 << 22))
            if not data:
                break
            n += data.count(b"\n")
            last = data[-1:]
            left -= len(data)
    return n + (last != b"\n")


class RangeStream:
    """The bytes [start, end) of a file, as a binary stream for adcli.batch.stream.LineSource."""

    def __init__(self, path, start, end):
        self.fh = open(path, "rb")
        self.fh.seek(start)
        self.left = end - start

    def read(self, n=-1):
        n = self.left if n is None or n < 0 else min(n, self.left)
        data = self.fh.read(n) if n > 0 else b""
        self.left -= len(data)
        return data

    def close(self):
        self.fh.close()
