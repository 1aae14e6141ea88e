"""--points from Parquet and Arrow IPC: one file, or a directory or glob of files read as
one data set, handed out as chunks of rows (record batches) that go through the same
computation as the chunks of a CSV file (adcli.batch.pointsfile).

pyarrow is an optional extra (`adcli[arrow]`), imported only here and only when such a
file is read. Columns are matched by name, so a data set's variables are the columns
named as the expression's inputs and every other column is carried through with its
type. A variable's column must hold numbers (integers and decimals are read as
float64); a null in it makes that row a failed row, in its place, as a bad cell does
in a CSV file. Rows are numbered from 1 across the whole data set.
"""
import glob
import os
import re

from ..errors import UsageError, printable
from .pointsfile import Header
from .records import Failure

ROWS = 1 << 17          # rows per chunk: record batches are sliced (zero-copy) to at most this
EXTENSIONS = {".parquet": "parquet", ".pq": "parquet", ".parq": "parquet",
              ".arrow": "arrow", ".feather": "arrow", ".ipc": "arrow", ".arrows": "arrow"}
FORMATS = ("csv", "parquet", "arrow")
EXTRA_HINT = 'install it with: pip install "adcli[arrow]"'


def pyarrow(what="reading Parquet or Arrow"):
    """The pyarrow module, or a usage error naming the extra that brings it."""
    try:
        import pyarrow as pa
        import pyarrow.ipc  # noqa: F401
        import pyarrow.parquet  # noqa: F401
    except ImportError:
        raise UsageError(f"{what} needs pyarrow, which is not installed", hint=EXTRA_HINT) from None
    return pa


def has_glob(path):
    return any(c in path for c in "*?[")


def detect(path, given=None):
    """The input format of --points PATH: `given` (--input-format), else a directory or
    a glob is a Parquet data set (Arrow when its files say so), else the extension,
    else the file's first bytes; CSV otherwise (and for standard input)."""
    if given:
        return given
    if path in (None, "-"):
        return "csv"
    if os.path.isdir(path) or (has_glob(path) and not os.path.exists(path)):
        files = data_files(path)
        return _format_of(files[0]) if files else "parquet"
    return _format_of(path)


def _format_of(path):
    ext = os.path.splitext(path)[1].lower()
    if ext in EXTENSIONS:
        return EXTENSIONS[ext]
    try:
        with open(path, "rb") as fh:
            head = fh.read(8)
    except OSError:
        return "csv"    # open_input says what is wrong with it
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.startswith(b"ARROW1") or head.startswith(b"\xff\xff\xff\xff"):
        return "arrow"
    return "csv"


def natural_key(path):
    """part.2 before part.10, as the writers of data sets number their files."""
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", path)]


def data_files(path):
    """The files of a data set: PATH itself, the files under a directory (recursively,
    skipping the _SUCCESS, _metadata and hidden files that writers leave beside the
    data), or a glob's matches; in natural order of their paths."""
    if os.path.isdir(path):
        found = []
        for dirpath, dirnames, files in os.walk(path):
            dirnames[:] = [d for d in dirnames if not d.startswith((".", "_"))]
            found += [os.path.join(dirpath, f) for f in files
                      if not f.startswith((".", "_")) and not f.endswith(".crc")]
        if not found:
            raise UsageError(f"the directory {printable(path)} holds no data files")
    elif has_glob(path) and not os.path.exists(path):
        found = [p for p in glob.glob(path, recursive=True) if os.path.isfile(p)]
        if not found:
            raise UsageError(f"no file matches {printable(path)}")
    else:
        found = [path]
    return sorted(found, key=natural_key)


class Part:
    """A partition of a data set: one file, or some row groups of one Parquet file;
    plain data, sent to Dask workers as it is."""
    __slots__ = ("path", "fmt", "row_groups", "first", "rows")

    def __init__(self, path, fmt, row_groups, first, rows):
        self.path = path
        self.fmt = fmt
        self.row_groups = row_groups   # None: the whole file
        self.first = first             # number of its first row in the data set (from 1)
        self.rows = rows

    def __getstate__(self):
        return {k: getattr(self, k) for k in self.__slots__}

    def __setstate__(self, state):
        for k, v in state.items():
            setattr(self, k, v)


class DataSet:
    """A Parquet or Arrow IPC data set of one or more files with the same columns."""

    def __init__(self, path, fmt):
        self.pa = pyarrow(f"reading {'Parquet' if fmt == 'parquet' else 'Arrow IPC'} ({printable(path)})")
        self.path = path
        self.fmt = fmt
        self.files = data_files(path)
        self.schema = None
        for p in self.files:
            schema = self._schema(p)
            if self.schema is None:
                self.schema = schema
            elif schema.names != self.schema.names:
                raise UsageError(f"the files of the data set do not have the same columns: {printable(p)} has "
                                 f"{printable(', '.join(schema.names[:12]))}, {printable(self.files[0])} has "
                                 f"{printable(', '.join(self.schema.names[:12]))}")
        self.total = sum(os.path.getsize(p) for p in self.files)
        self.consumed = 0   # bytes of the files done, for the progress bar

    # ---- reading, with pyarrow's errors turned into adcli's ----

    def _guard(self, path, action):
        pa = self.pa
        try:
            return action()
        except FileNotFoundError as e:
            raise UsageError(f"cannot read {printable(path)}: {e.strerror or 'no such file'}") from None
        except IsADirectoryError:
            raise UsageError(f"cannot read {printable(path)}: it is a directory") from None
        except PermissionError as e:
            raise UsageError(f"cannot read {printable(path)}: {e.strerror or e}") from None
        except (pa.ArrowException, ValueError, OSError) as e:
            what = "Parquet" if self.fmt == "parquet" else "Arrow IPC"
            msg = str(e).splitlines()[0] if str(e) else type(e).__name__
            raise UsageError(f"cannot read {printable(path)} as {what}: {printable(msg)}",
                             hint="--input-format says which format to read (csv, parquet, arrow)") from None

    def _schema(self, path):
        if self.fmt == "parquet":
            return self._guard(path, lambda: self.pa.parquet.read_schema(path))
        return self._guard(path, lambda: self._ipc(path).schema)

    def _ipc(self, path):
        """An Arrow IPC reader: the file format (random access), or the stream format."""
        pa = self.pa
        source = pa.memory_map(path)
        try:
            return pa.ipc.open_file(source)
        except pa.ArrowInvalid:
            return pa.ipc.open_stream(pa.memory_map(path))

    def parts(self, rows_per_part=1 << 20):
        """Partitions in data-set order: each file, big Parquet files split by row
        groups into parts of about rows_per_part rows."""
        out, first = [], 1
        for path in self.files:
            if self.fmt == "parquet":
                meta = self._guard(path, lambda p=path: self.pa.parquet.ParquetFile(p).metadata)
                group, rows = [], 0
                for g in range(meta.num_row_groups):
                    group.append(g)
                    rows += meta.row_group(g).num_rows
                    if rows >= rows_per_part:
                        out.append(Part(path, "parquet", group, first, rows))
                        first += rows
                        group, rows = [], 0
                if group or not out or out[-1].path != path:
                    out.append(Part(path, "parquet", group or None, first, rows))
                    first += rows
            else:
                rows = self._guard(path, lambda p=path: _ipc_rows(self._ipc(p)))
                out.append(Part(path, "arrow", None, first, rows))
                first += rows
        return out

    def batches(self, part=None):
        """(first row number, record batch of at most ROWS rows) of the whole data set,
        or of one part."""
        parts = [part] if part is not None else [Part(p, self.fmt, None, None, None) for p in self.files]
        first = part.first if part is not None else 1
        for p in parts:
            for batch in _guarded_iter(self, p.path, self._file_batches(p)):
                for lo in range(0, batch.num_rows, ROWS):
                    piece = batch.slice(lo, ROWS)
                    yield first, piece
                    first += piece.num_rows
            self.consumed += os.path.getsize(p.path)

    def _file_batches(self, part):
        if part.fmt == "parquet":
            fh = self.pa.parquet.ParquetFile(part.path)
            if part.row_groups == []:
                return
            yield from fh.iter_batches(batch_size=ROWS, row_groups=part.row_groups)
        else:
            reader = self._ipc(part.path)
            if hasattr(reader, "num_record_batches"):
                for i in range(reader.num_record_batches):
                    yield reader.get_batch(i)
            else:
                yield from reader

    # ---- the --points protocol (adcli.batch.pointsfile.run_points) ----

    def header_for(self, f, defaults, delimiter=","):
        header = Header.of_names(self.schema.names, f, defaults, delimiter)
        pa = self.pa
        for v in header.variables:
            t = self.schema.field(header.index[v]).type
            if not (pa.types.is_integer(t) or pa.types.is_floating(t) or pa.types.is_decimal(t)
                    or pa.types.is_null(t)):
                raise UsageError(f"the column {printable(v)} holds {printable(str(t))} values: a variable's column "
                                 f"must hold numbers (integers or floats)",
                                 hint="cast the column to float64 where the data set is written")
        return header

    def chunks(self, header, part=None):
        for first, batch in self.batches(part):
            yield ColumnChunk(header, first, batch)


def _ipc_rows(reader):
    if hasattr(reader, "num_record_batches"):
        return sum(reader.get_batch(i).num_rows for i in range(reader.num_record_batches))
    return sum(b.num_rows for b in reader)


def _guarded_iter(ds, path, it):
    """Batches of `it`, with a read error on the way (a truncated file) made adcli's."""
    while True:
        batch = ds._guard(path, lambda: next(it, None))
        if batch is None:
            return
        yield batch


class ColumnChunk:
    """The rows of one record batch, as adcli.batch.pointsfile.Chunk has them: the good
    rows and their points (float64, zero-copy where the column is float64 without
    nulls), failures for rows with a null in a variable's column. Rows as CSV text
    (`lines`) are made only when a text format asks for them."""

    def __init__(self, header, first, batch):
        import numpy as np
        pa = _pa()
        self.first = first
        self.batch = batch
        self.header = header
        self.blank = set()
        self.failures = {}
        self.stop_at = None
        self._lines = None
        n = batch.num_rows
        values, bad, why = {}, None, {}
        for v in header.variables:
            col = batch.column(header.index[v])
            if not pa.types.is_float64(col.type):
                col = col.cast(pa.float64(), safe=False)
            if col.null_count:
                nulls = col.is_null().to_numpy(zero_copy_only=False)
                for k in np.flatnonzero(nulls if bad is None else nulls & ~bad).tolist():
                    why[k] = v
                bad = nulls if bad is None else bad | nulls
                values[v] = col.fill_null(float("nan")).to_numpy(zero_copy_only=False)
            else:
                values[v] = col.to_numpy(zero_copy_only=False)
        if bad is None:
            self.rows = range(n)
            self.points = values
        else:
            good = np.flatnonzero(~bad)
            self.rows = good.tolist()
            self.points = {v: a[good] for v, a in values.items()}
            for k in sorted(why):
                e = UsageError(f"column {why[k]}: empty")
                e.kind = "row"
                self.failures[k] = Failure(first + k, self.text(k), e)

    @property
    def size(self):
        return self.batch.num_rows

    def text(self, k):
        return self._row_lines(self.batch.slice(k, 1))[0]

    @property
    def lines(self):
        if self._lines is None:
            self._lines = self._row_lines(self.batch)
        return self._lines

    def _row_lines(self, batch):
        """Each row as a CSV line in the header's delimiter: floats as adcli writes
        numbers, other types as Arrow writes them as text, nulls empty."""
        cols = [text_cells(batch.column(i)) for i in range(batch.num_columns)]
        d = self.header.delimiter
        if any(_needs_quotes(c, d) for c in cols):
            from .pointsfile import csv_line
            return [csv_line(list(row), d)[:-1] for row in zip(*cols)]
        return [d.join(row) for row in zip(*cols)] if cols else [""] * batch.num_rows


def _needs_quotes(cells, d):
    return any(d in c or '"' in c or "\n" in c or "\r" in c for c in cells)


def text_cells(col):
    """A column's cells as text (nulls empty)."""
    from ..numtext import number_column
    pa = _pa()
    if pa.types.is_floating(col.type):
        a = col.cast(pa.float64()).fill_null(float("nan")).to_numpy(zero_copy_only=False)
        cells = number_column(a)
        if col.null_count:
            for k, null in enumerate(col.is_null().to_pylist()):
                if null:
                    cells[k] = ""
        return cells
    try:
        texts = col.cast(pa.string()).to_pylist()
    except (pa.ArrowException, ValueError):   # nested or binary: as Python shows it
        texts = [None if v is None else str(v) for v in col.to_pylist()]
    return ["" if t is None else t for t in texts]


def _pa():
    import pyarrow
    return pyarrow


def open_points(path, fmt):
    """The source of --points PATH in a columnar format."""
    if path in (None, "-"):
        raise UsageError(f"--points - reads CSV text; {fmt} is read from a file",
                         hint="give the path of the file, or pipe CSV")
    return DataSet(path, fmt)
