"""--output FILE in Parquet or Arrow IPC: the rows of a --points run as typed columns,
nothing formatted as text. The columns are those of the CSV output: the input's columns
in order (variables as float64; other columns keep their Arrow type, or are strings when
the input was CSV), the result columns named as in CSV (`value`, `d/dx`, ...), all
float64, then `error` (a string, null on rows that succeeded). A failed row keeps its
place with null results.

The file is written under a temporary name beside its destination and renamed into
place when complete, so a reader never sees half a file (and a Dask task run twice
writes its part whole, once).
"""
import os

from ..errors import StreamError, UsageError, printable
from .text import columns, result_names

# --output by extension; anything else is named with --format (json, csv, plain).
OUTPUT_FORMATS = {".parquet": "parquet", ".pq": "parquet", ".parq": "parquet",
                  ".arrow": "arrow", ".feather": "arrow", ".ipc": "arrow",
                  ".csv": "csv", ".jsonl": "json", ".ndjson": "json", ".json": "json", ".txt": "plain"}
COLUMNAR = ("parquet", "arrow")
ROW_GROUP = 1 << 20   # rows of a Parquet row group: chunks are gathered up to this before a write


class ColumnWriter:
    """Writes the chunks of a --points run to one Parquet or Arrow IPC file."""

    def __init__(self, header, fmt, path, probe):
        from ..batch.columnar import pyarrow
        self.pa = pyarrow(f"writing {'Parquet' if fmt == 'parquet' else 'Arrow IPC'} ({printable(path)})")
        self.header = header
        self.fmt = fmt
        self.path = path
        self.probe = probe   # () -> a one-point result (or None): names the columns before any row has run
        self.result_names = None
        self.schema = None
        self.writer = None
        self.pending = []      # tables not yet written (Parquet: a row group is written whole)
        self.pending_rows = 0
        self.rows = 0
        self.tmp = os.path.join(os.path.dirname(os.path.abspath(path)),
                                f".{os.path.basename(path)}.{os.getpid()}.{os.urandom(4).hex()}.tmp")

    def _names(self):
        if self.result_names is None:
            self.result_names = result_names(self.probe())
        return self.result_names

    def write(self, chunk, result, verdicts, stop_at):
        import numpy as np
        pa = self.pa
        n = chunk.size if stop_at is None else stop_at + 1
        out = [k for k in range(n) if k not in chunk.blank] if chunk.blank else range(n)
        m = len(out)
        at = {k: i for i, k in enumerate(out)} if chunk.blank else None
        good = [k for k in chunk.rows if k < n]
        pos = np.array(good if at is None else [at[k] for k in good], dtype=np.int64)
        whole = len(good) == m
        arrays, names = self._input_columns(chunk, out, pos, whole), list(self.header.names)
        if result is not None:
            res = [(name, np.broadcast_to(np.asarray(a, dtype=np.float64), (len(chunk.rows),))[:len(good)])
                   for name, a in columns(result)]
            self.result_names = [name for name, _ in res]
        else:
            res = [(name, np.empty(0)) for name in self._names()]
        for name, a in res:
            names.append(name)
            arrays.append(_scatter(pa, np, a, pos, m, whole))
        errors = [None] * m
        for k, fail in chunk.failures.items():
            if k < n:
                errors[k if at is None else at[k]] = f"{fail.type}: {fail.message}"
        for k, bad in verdicts.items():
            if k < n:
                errors[k if at is None else at[k]] = f"{bad.type}: {bad.message}"
        names.append("error")
        arrays.append(pa.array(errors, type=pa.string()))
        self._emit(pa.Table.from_arrays(arrays, names=names))

    def _input_columns(self, chunk, out, pos, whole):
        """The input's columns for the output rows: variables as float64, the others as
        they were (Arrow input) or as strings (CSV input)."""
        import numpy as np
        pa, header = self.pa, self.header
        batch = getattr(chunk, "batch", None)
        arrays = []
        for i, name in enumerate(header.names):
            if batch is not None:
                col = batch.column(i)
                col = col.slice(0, len(out)) if isinstance(out, range) else col.take(pa.array(out))
                if name in header.index and not pa.types.is_float64(col.type):
                    col = col.cast(pa.float64(), safe=False)
                arrays.append(col)
            elif name in header.index:
                arrays.append(_scatter(pa, np, chunk.points[name], pos, len(out), whole))
            else:
                from ..batch.pointsfile import split_cells
                cells = [split_cells(chunk.lines[k], header.delimiter) for k in out]
                arrays.append(pa.array([c[i] if i < len(c) else None for c in cells], type=pa.string()))
        return arrays

    def _emit(self, table):
        if self.schema is None:
            self.schema = table.schema
        elif table.schema != self.schema:
            table = table.cast(self.schema)
        self.rows += table.num_rows
        self.pending.append(table)
        self.pending_rows += table.num_rows
        if self.fmt != "parquet" or self.pending_rows >= ROW_GROUP:
            self._flush()

    def _flush(self):
        pa = self.pa
        if self.writer is None:
            try:
                open(self.tmp, "wb").close()
            except OSError as e:   # as an input that cannot be opened: a usage error
                raise UsageError(f"cannot write {printable(self.path)}: {e.strerror or e}") from None
        try:
            if self.writer is None:
                if self.fmt == "parquet":
                    # Dictionary encoding only where values repeat (carried text, integers):
                    # on float columns of distinct values it costs most of the write and saves nothing.
                    repeat = [f.name for f in self.schema if not pa.types.is_floating(f.type)]
                    self.writer = pa.parquet.ParquetWriter(self.tmp, self.schema, use_dictionary=repeat)
                else:
                    self.writer = pa.ipc.new_file(self.tmp, self.schema)
            if self.pending:
                table = self.pending[0] if len(self.pending) == 1 else pa.concat_tables(self.pending)
                self.pending, self.pending_rows = [], 0
                self.writer.write_table(table)
        except OSError as e:
            self.abort()
            raise StreamError(f"cannot write {printable(self.path)}: {e.strerror or e}") from None

    def close(self):
        if self.schema is None:   # no rows: a file with the columns and no rows
            pa = self.pa
            names = [*self.header.names, *self._names(), "error"]
            types = [pa.float64() if n in self.header.index else pa.string() for n in self.header.names]
            types += [pa.float64()] * len(self._names()) + [pa.string()]
            self._emit(pa.Table.from_arrays([pa.array([], type=t) for t in types], names=names))
        self._flush()
        try:
            self.writer.close()
            os.replace(self.tmp, self.path)
        except OSError as e:
            self.abort()
            raise StreamError(f"cannot write {printable(self.path)}: {e.strerror or e}") from None

    def abort(self):
        """Drop the unfinished file (a failed or interrupted run)."""
        try:
            if self.writer is not None:
                self.writer.close()
        except Exception:  # noqa: BLE001 - already failing; the file is removed below
            pass
        self.writer = None
        try:
            os.unlink(self.tmp)
        except OSError:
            pass


def _scatter(pa, np, a, pos, m, whole):
    """A float64 column of m rows: a's values at the positions pos, null elsewhere."""
    if whole:
        return pa.array(np.ascontiguousarray(a, dtype=np.float64))
    full = np.full(m, np.nan)
    full[pos] = a
    mask = np.ones(m, dtype=bool)
    mask[pos] = False
    return pa.array(full, mask=mask)
