"""The data of `adcli fit`: a CSV file with a header, read whole (a fit needs every
observation at every iteration), its cells read as --points reads them. A column is
turned into numbers only when the model or --weights uses it, and a cell that is not a
number is an error naming its line and column (exit 2): a fit with a row left out
silently would be a different fit."""

from ..errors import UsageError, printable
from .pointsfile import refuse_binary, split_cells
from .stream import decode, open_input

MAX_BYTES = 1 << 30   # a data file larger than this is refused rather than read into memory


class Data:
    def __init__(self, names, rows, first_line):
        self.names = names               # header cells, stripped
        self.rows = rows                 # [(line number, cells)]
        self.first_line = first_line

    def __len__(self):
        return len(self.rows)

    def column(self, name):
        import numpy as np
        k = self.names.index(name)
        out = np.empty(len(self.rows))
        for i, (line, cells) in enumerate(self.rows):
            cell = cells[k] if k < len(cells) else ""
            try:
                # as numpy reads a CSV (and --points): no 1_000, no digits of other scripts
                out[i] = float(cell if cell.isascii() and "_" not in cell else "-")
            except ValueError:
                what = "is empty" if not cell.strip() else f"'{printable(cell.strip())}' is not a number"
                raise UsageError(f"the data file, line {line}, column {printable(name)}: {what}",
                                 hint="every row needs a number in every column the model uses") from None
        return out


def read_data(path):
    """The data file (or standard input for '-'): header and rows."""
    stream = open_input(path, "the data")
    try:
        raw = stream.read(MAX_BYTES + 1)
    except OSError as e:
        raise UsageError(f"cannot read the data: {e.strerror or e}") from None
    finally:
        if path not in (None, "-"):
            stream.close()
    if isinstance(raw, str):
        raw = raw.encode("utf-8", errors="surrogateescape")
    if len(raw) > MAX_BYTES:
        raise UsageError(f"the data file is larger than {MAX_BYTES:,} bytes, the limit for a fit")
    head = raw.split(b"\n", 1)[0]
    refuse_binary(raw[:8], head)
    lines = decode(raw).replace("\r\n", "\n").split("\n")
    if not lines or not lines[0].lstrip("\ufeff").strip():
        raise UsageError("the data file has no header line: its first line must name the columns, as in x,y")
    names = [c.strip() for c in split_cells(lines[0].lstrip("\ufeff"))]
    seen = set()
    for n in names:
        if n in seen:
            raise UsageError(f"the data file names column '{printable(n)}' twice")
        seen.add(n)
    rows = []
    for k, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        cells = split_cells(line)
        if len(cells) != len(names):
            raise UsageError(f"the data file, line {k}: expected {len(names)} cells "
                             f"({printable(','.join(names))}), got {len(cells)}")
        rows.append((k, cells))
    if not rows:
        raise UsageError("the data file has a header but no rows")
    return Data(names, rows, 2)
