"""--points: one expression at every row of a CSV whose header names the variables.

Rows are parsed a chunk at a time with numpy (a chunk of plain numeric cells is
read in one call); a chunk with anything unusual (quotes, blank lines, a cell that is
not a number, a row with the wrong number of cells) is read again row by row with the
csv module, so that each bad row gets an error row with its line number. No row is
ever dropped. The writer (adcli.render.batch.PointsWriter) repeats each input row's cells
as they were written (so an id column survives), then the result columns, then an
`error` column.
"""
import csv
import warnings

from ..errors import AdcliError, UsageError, printable
from .records import Failure, as_many, judge, nonfinite, split, stack
from .stream import MAX_LINE, decode, long_line_error

READ_SIZE = 4 << 20   # bytes per chunk: ~70,000 rows of three numbers


class Header:
    """The columns of a points file: their names, which hold the expression's variables
    (by name, so `x[1]`, `x[2]` columns extend it) and which are carried through."""

    def __init__(self, line, lineno, f, defaults, delimiter=","):
        line = line.lstrip("\ufeff")   # a byte order mark, as some spreadsheets write
        if not line.strip():
            raise UsageError("the points file has no header line: its first line must name the "
                             "variables, as in x,y,z")
        self.text = line
        self.lineno = lineno
        self.delimiter = delimiter
        self._name_columns([c.strip() for c in split_cells(line, delimiter)], f, defaults)

    @classmethod
    def of_names(cls, names, f, defaults, delimiter=","):
        """The header of a columnar data set (Parquet, Arrow): its text is the names as a
        CSV line, for the text formats."""
        self = cls.__new__(cls)
        self.text = csv_line(names, delimiter).rstrip("\n")
        self.lineno = 0
        self.delimiter = delimiter
        self._name_columns(list(names), f, defaults)
        return self

    def _name_columns(self, names, f, defaults):
        self.names = names
        position = {}
        for i, n in enumerate(self.names):
            if n in position:
                raise UsageError(f"the points file names column '{printable(n)}' twice")
            position[n] = i
        missing = [v for v in f.program.inputs if v not in position and v not in defaults]
        if missing:
            shown = ", ".join(self.names[:12])
            if len(self.names) > 12:
                shown += f", ... ({len(self.names):,} columns)"
            raise UsageError(
                f"the points file has no column for {', '.join(missing[:12])}{', ...' if len(missing) > 12 else ''} "
                f"(its columns: {printable(shown)})",
                hint=f"add the column, or give a fixed value with --at {missing[0]}=...")
        self.variables = [v for v in f.program.inputs if v in position]
        self.index = {v: position[v] for v in self.variables}
        self.extra = [i for i, n in enumerate(self.names) if n not in self.index]


def csv_line(cells, delimiter=","):
    """One CSV line (with its newline) of the cells, quoted where they need it."""
    import io
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator="\n").writerow(cells)
    return buf.getvalue()


def split_cells(line, delimiter=","):
    """The cells of one CSV line: split at the delimiter, or read by the csv module when
    the line quotes a cell (a cell may be as long as a line)."""
    if '"' not in line:
        return line.split(delimiter)
    if csv.field_size_limit() < MAX_LINE:
        csv.field_size_limit(MAX_LINE)
    try:
        return next(csv.reader([line], delimiter=delimiter), [])
    except csv.Error:   # a NUL or a stray quote that the csv module refuses: plain delimiters
        return line.split(delimiter)


# The first bytes of files that are not CSV text, and what to say about each.
NOT_CSV = (
    (b"PAR1", "a Parquet file, read here as CSV text (standard input, or --input-format csv)",
     "give the path of the Parquet file: --points FILE.parquet (Parquet is read from a file, not a pipe)"),
    (b"ARROW1", "an Arrow IPC (Feather) file, read here as CSV text (standard input, or --input-format csv)",
     "give the path of the Arrow file: --points FILE.arrow (Arrow is read from a file, not a pipe)"),
    (b"\x1f\x8b", "gzip-compressed", "decompress it on the way in: zcat FILE | adcli ... --points -"),
    (b"PK\x03\x04", "a ZIP archive (a spreadsheet workbook?)", "export the sheet as CSV (UTF-8)"),
)


def refuse_binary(head, header_line):
    """A usage error when the points file is not CSV text: Parquet, Arrow, a compressed
    or binary file (its first line holds NUL bytes)."""
    for magic, what, hint in NOT_CSV:
        if head.startswith(magic):
            raise UsageError(f"the points file is {what}", hint=hint)
    if len(header_line) >= 4 and (not header_line[1::2].strip(b"\0") or not header_line[0::2].strip(b"\0")):
        raise UsageError("the points file looks like UTF-16 text without a byte order mark",
                         hint="save it as UTF-8 CSV, or as UTF-16 with a byte order mark, which adcli reads")
    if b"\0" in header_line:
        raise UsageError("the points file is not CSV text: its header line holds NUL bytes (a binary file?)",
                         hint="--points reads CSV text whose header names the variables, as in x,y,z")
    try:
        header_line.decode("utf-8")
    except UnicodeDecodeError as e:
        raise UsageError(f"the points file's header line is not UTF-8 text (byte 0x{header_line[e.start]:02x} "
                         f"at offset {e.start}): a binary file, or text in another encoding?",
                         hint="--points reads CSV text in UTF-8 whose header names the variables, as in x,y,z") \
            from None


class Chunk:
    """One chunk of rows: the lines, which rows are good, their points, and failures."""

    def __init__(self, first, lines):
        self.first = first           # line number of lines[0]
        self.lines = lines
        self.rows = []               # indexes into lines of the good rows
        self.points = None           # {variable: array over good rows}
        self.failures = {}           # index into lines -> Failure
        self.blank = set()           # indexes of blank lines (no output)
        self.stop_at = None          # the row --strict stopped at

    @property
    def size(self):
        return len(self.lines)

    def text(self, k):
        """Row k as written (a failed row's record quotes it)."""
        return self.lines[k]


def parse_chunk(header, first, block, too_long=None):
    """Rows of one chunk of the points file. too_long(line) gives the length of a line
    that was over the limit (its text is then only its start), or None."""
    import numpy as np
    text = decode(block)
    lines = text.split("\n")
    delimiter = header.delimiter
    chunk = Chunk(first, lines)
    ncols = len(header.names)
    long = {}
    if too_long is not None:
        long = {k: n for k in range(len(lines)) if (n := too_long(first + k)) is not None}
    # numpy reads a few spellings that Python's float() refuses (nan(123)); those
    # chunks, like quoted or blank lines, go row by row so every row reads the same.
    # numpy also stops at a NUL (a C string), so a chunk holding one goes row by row.
    if ('"' not in text and "(" not in text and "\n\n" not in text and lines[0] and lines[-1]
            and not header.extra and not long and "\0" not in text
            and (delimiter == "," or "," not in text)):
        if delimiter != ",":   # no comma in the text (a decimal comma goes row by row, and fails there)
            text = text.replace(delimiter, ",")
            block = text.encode()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                flat = np.fromstring(text.replace("\n", ","), sep=",")
            except ValueError:   # a cell that is not a number: read row by row below
                flat = np.empty(0)
        if flat.size == len(lines) * ncols and _cells_per_line_ok(block, text, ncols):
            table = flat.reshape(len(lines), ncols)
            chunk.rows = range(len(lines))
            chunk.points = {v: table[:, header.index[v]] for v in header.variables}
            return chunk
    cols = {v: [] for v in header.variables}
    for k, line in enumerate(lines):
        if k in long:
            chunk.lines[k] = line + "..."
            chunk.failures[k] = Failure(first + k, chunk.lines[k], _row_error(long_line_error(long[k])))
            continue
        if not line.strip():
            chunk.blank.add(k)
            continue
        cells = split_cells(line, delimiter)
        try:
            if len(cells) != ncols:
                raise UsageError(f"expected {ncols} cells ({printable(delimiter.join(header.names))}), "
                                 f"got {len(cells)}")
            got = []
            for v in header.variables:
                cell = cells[header.index[v]]
                try:
                    got.append(float(cell if cell.isascii() and "_" not in cell else "-"))  # as numpy: no 1_000, ٣
                except ValueError:
                    what = "empty" if not cell.strip() else f"'{printable(cell.strip())}' is not a number"
                    raise UsageError(f"column {v}: {what}") from None
        except UsageError as e:
            chunk.failures[k] = Failure(first + k, line, _row_error(e))
            continue
        chunk.rows.append(k)
        for v, x in zip(header.variables, got):
            cols[v].append(x)
    chunk.points = {v: np.array(c, dtype=np.float64) for v, c in cols.items()}
    return chunk


def _row_error(e):
    e.kind = "row"
    return e


def _cells_per_line_ok(block, text, ncols):
    """Every line has ncols - 1 commas (the total alone could hide a short row next to
    a long one)."""
    import numpy as np
    raw = block if len(block) == len(text) else text.encode()
    b = np.frombuffer(raw, dtype=np.uint8)
    ends = np.append(np.flatnonzero(b == 10), b.size)
    per_line = np.diff(np.searchsorted(np.flatnonzero(b == 44), ends), prepend=0)
    return bool((per_line == ncols - 1).all())


def run_points(run, f, source, writer_for, progress, delimiter=","):
    """--points: compute the rows of source chunk by chunk and hand each chunk to the
    writer that writer_for(header) makes; stops early under --strict. Returns the
    writer (None for an empty file, which raises first). A columnar source (Parquet,
    Arrow: adcli.batch.columnar) hands out its header and chunks itself."""
    if run.kind.check:
        run.kind.check(f, run.options)
    if hasattr(source, "header_for"):
        header = source.header_for(f, run.defaults, delimiter)
        check_names(run, f, header)
        writer = writer_for(header)
        for chunk in source.chunks(header):
            compute_and_write(run, f, header, chunk, writer, progress)
            if chunk.stop_at is not None:
                break
        return writer
    header = None
    writer = None
    too_long = getattr(source, "too_long", None)
    for first, block in source.raw_chunks():
        if header is None:
            cut = block.find(b"\n")
            head, block = (block, b"") if cut < 0 else (block[:cut], block[cut + 1:])
            refuse_binary(getattr(source, "head", head), head)
            if too_long is not None and too_long(first) is not None:
                raise UsageError(f"the header line of the points file is {too_long(first):,} bytes long, "
                                 f"more than the limit of {MAX_LINE:,} bytes")
            text = decode(head)
            if f.vectors:   # a vector x is the columns x[1], x[2], ...: they give its length
                f, run.defaults = f.for_columns(split_cells(text.lstrip("\ufeff"), delimiter), run.defaults)
            header = Header(text, first, f, run.defaults, delimiter)
            check_names(run, f, header)
            writer = writer_for(header)
            first += 1
            if cut < 0:
                continue
        chunk = parse_chunk(header, first, block, too_long)
        compute_and_write(run, f, header, chunk, writer, progress)
        if chunk.stop_at is not None:
            break
    if header is None:
        raise UsageError("the points file is empty: its first line must name the variables, as in x,y,z")
    return writer


def compute_and_write(run, f, header, chunk, writer, progress):
    """One chunk computed, settled and written; chunk.stop_at is where --strict stopped."""
    result = compute_chunk(run, f, header, chunk)
    verdicts, chunk.stop_at = settle_chunk(run, f, chunk, result)
    writer.write(chunk, result, verdicts, chunk.stop_at)
    progress.update(run.jobs)


def settle_chunk(run, f, chunk, result):
    """After a chunk ran: warnings for its rows that gave nan or inf, verdicts (rows
    that ran but failed the command's own test), failures counted, and the row where
    --strict stops (None to go on). Returns (verdicts, stop_at)."""
    if result is not None:
        n = len(chunk.rows)
        for j in nonfinite(result, n).nonzero()[0].tolist():
            if not run.may_warn():
                continue
            point = dict(run.defaults)
            point.update({v: float(a[j]) for v, a in chunk.points.items()})
            run.warn(chunk.first + chunk.rows[j], run.kind.run(f, point, run.options).warnings)
    verdicts = {} if result is None or run.kind.verdict is None else judge(
        run, [(k, chunk.first + k, chunk.text(k), r) for k, r in zip(chunk.rows, split(result, 0, len(chunk.rows)))])
    stop_at = None
    if chunk.failures or verdicts:
        for k in sorted({**chunk.failures, **verdicts}):
            run.fail(chunk.failures.get(k) or verdicts[k])
            if run.strict:
                stop_at = k
                break
    n_rows = chunk.size - len(chunk.blank)
    if stop_at is not None:
        n_rows = sum(1 for k in range(stop_at + 1) if k not in chunk.blank)
    run.jobs += n_rows
    return verdicts, stop_at


def probe(run, f):
    """The result of the job at a made-up point (every variable 1), as a many-point
    result of one point, or None: what names the result columns of a points file
    whose rows have not given one yet."""
    point = {v: 1.0 for v in f.program.inputs}
    point.update(run.defaults)
    try:
        return as_many(run.kind.run(f, point, run.options))
    except AdcliError:
        return None


def check_names(run, f, header):
    """--wrt or --dir naming a variable that is neither in the expression nor given by
    --at is the same mistake on every row (extra columns are carried through, not
    values): a usage error, once, before any row."""
    from ..api.inputs import direction_of, wrt_names
    from ..language.point import refuse_constant

    # A column named pi or e is refused only when the expression uses that constant
    # (its values would be ignored); otherwise it is an extra column, carried through.
    # The expression is read once, not once per column (20,000 columns).
    used = expression_words(f.expr)
    for name in header.names:
        if name.strip() in used:
            refuse_constant(name.strip())
    point = {v: 1.0 for v in [*f.program.inputs, *run.defaults]}
    wrt, direction = run.options.get("wrt"), run.options.get("dir")
    if wrt is not None:
        wrt_names(f.program, [wrt] if isinstance(wrt, str) else wrt, point)
    if direction is not None:
        direction_of(f.program, point, direction)


def expression_words(expr):
    """The set of words (runs of letters, digits and _) in the expression's text."""
    import re
    return set(re.findall(r"\w+", expr))


def compute_chunk(run, f, header, chunk):
    """The many-point Result for the good rows of a chunk (None if there are none).
    Rows where the command cannot run become Failures."""
    if not chunk.rows:
        return None
    point = dict(run.defaults)
    point.update(chunk.points)
    if run.kind.many:
        try:
            return run.kind.run(f, point, run.options)
        except AdcliError:
            pass  # the same error on every row, or only on some: find out row by row
    ones, rows = [], []
    for j, k in enumerate(chunk.rows):
        one = {v: (a if isinstance(a, float) else float(a[j])) for v, a in point.items()}
        try:
            ones.append(run.kind.run(f, one, run.options))
            rows.append(j)
        except AdcliError as e:
            fail = Failure(chunk.first + k, chunk.text(k), e)
            fail.column = None   # a column of the expression, which is not on this line
            chunk.failures[k] = fail
    if len(rows) < len(chunk.rows):
        chunk.rows = [chunk.rows[j] for j in rows]
        chunk.points = {v: a[rows] for v, a in chunk.points.items()}
    return stack(ones) if ones else None
