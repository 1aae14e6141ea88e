"""Writing a batch: the results of job files (JobWriter) and of --points (PointsWriter),
a chunk at a time, in every format. Every record of a batch is one JSON line, one CSV
row or one table row, in input order; a failed line is written in its place.

Nothing here computes: the batch layer (adcli.batch) hands each chunk's results, failures
and verdicts over; adcli.render.text names the fields and columns of each result type.
"""
import csv
import io

from ..batch.pointsfile import split_cells
from ..batch.records import Failure, split
from ..errors import printable
from ..numtext import number, number_column
from .text import cells as field_cells
from .text import columns, dumps, flat, record, result_names


class JobWriter:
    """Writes computed job lines in one of the formats, a chunk at a time."""

    def __init__(self, fields, fmt, precision, out):
        self.fields = fields   # the command's record fields: the columns after expr and at
        self.fmt = fmt
        self.precision = precision
        self.out = out
        self.started = False
        self.verdicts = {}   # line number -> Failure of a job that ran but failed its test
        self.flow = None  # the layout of the chunks written so far (adcli.layout.Flow)

    def _records(self, entries):
        for line, text, res in entries:
            if isinstance(res, Failure):
                yield line, text, res, None
            else:
                yield line, text, res, {"line": line, **record(res)}

    def write_jobs(self, entries, verdicts=None):
        self.verdicts = verdicts or {}
        fmt = self.fmt
        if fmt == "json":
            self.out.write("".join(dumps(res.record() if rec is None else rec) + "\n"
                                   for _, _, res, rec in self._records(entries)))
        elif fmt == "csv":
            self._csv(entries)
        elif fmt == "plain":
            rows = []
            for line, _, res, rec in self._records(entries):
                if rec is None:
                    rows.append(f"{line}\terror\t{printable(res.type)}: {printable(res.message)}")
                else:
                    view = field_cells(res, rec)
                    cells = [str(line), printable(rec["expr"]), flat(rec["at"], self.precision, ", ")]
                    cells += [flat(view.get(k), self.precision, ", ") for k in self.fields]
                    if line in self.verdicts:
                        cells.append(f"{self.verdicts[line].type}: {printable(self.verdicts[line].message)}")
                    rows.append("\t".join(cells))
            self.out.write("".join(r + "\n" for r in rows))
        else:
            self._table(entries)
        self.started = True

    def _csv(self, entries):
        import csv
        import io
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        fields = self.fields
        if not self.started:
            w.writerow(["line", "expr", "at", *fields, "error"])
        for line, text, res, rec in self._records(entries):
            if rec is None:
                w.writerow([line, printable(text.strip()), "", *[""] * len(fields),
                            printable(f"{res.type}: {res.message}")])
            else:
                view, bad = field_cells(res, rec), self.verdicts.get(line)
                w.writerow([line, printable(rec["expr"]), flat(rec["at"]), *[flat(view.get(k)) for k in fields],
                            printable(f"{bad.type}: {bad.message}") if bad else ""])
        self.out.write(buf.getvalue())

    def _table(self, entries):
        """A table per chunk (header on the first), laid out by adcli.layout: numbers
        never wrap (entries of the point and of vector fields go one per line); an
        error goes on its own lines under its job's row, outside the columns."""
        from rich.text import Text

        from .layout import NUM, TEXT, Column, Flow, Grid, render_to_text

        fields = self.fields
        grid = Grid([Column("line", NUM, "right", name="line", key=True), Column("expression", TEXT, key=True),
                     Column("at", NUM), *[Column(k, NUM, "right" if k == "value" else "left") for k in fields]],
                    show_header=not self.started)
        p = self.precision
        for line, text, res, rec in self._records(entries):
            if rec is None:
                grid.row(Text(str(line)), Text(printable(text.strip())), Text(""), *[Text("")] * len(fields),
                         notes=[Text(printable(f"{res.type} error: {res.message}"), style="red")])
            else:
                view, bad = field_cells(res, rec), self.verdicts.get(line)
                # the point as given: --precision rounds results, not inputs
                cells = [Text(str(line)), Text(printable(rec["expr"])), Text(flat(rec["at"], None, "\n"))]
                # Field keys are variable names and the values numbers: nothing to escape.
                cells += [Text(flat(view.get(k), p, "\n")) for k in fields]
                grid.row(*cells, notes=[Text(printable(f"{bad.type}: {bad.message}"), style="red")] if bad else ())
        if entries or not self.started:
            self.flow = self.flow or Flow()
            self.out.write(render_to_text(grid, self.flow))

    def close(self):
        if self.fmt == "csv" and not self.started:
            self._csv([])


class PointsWriter:
    """Writes the rows of a --points run: each input row's cells as written, then the
    result columns, then an error column (CSV, plain and table); JSON records carry
    the extra columns under "columns"."""

    def __init__(self, header, fmt, precision, out, probe):
        self.header = header
        self.fmt = fmt
        self.precision = precision
        self.out = out
        self.probe = probe   # () -> a one-point result (or None): names the columns before any row has run
        self.result_names = None
        self.started = False
        self.verdicts = {}
        self.flow = None  # the layout of the chunks written so far (adcli.render.layout.Flow)

    def _columns(self, result, n):
        """[(header, array)] of the result columns."""
        import numpy as np
        return [(name, np.broadcast_to(np.asarray(a, dtype=np.float64), (n,))) for name, a in columns(result)]

    def _names(self):
        if self.result_names is None:
            self.result_names = result_names(self.probe())
        return self.result_names

    def write(self, chunk, result, verdicts, stop_at):
        """Write one chunk: its good rows' result (a many-point result, or None), the
        rows that failed the command's own test, and the row --strict stopped at."""
        cols = None
        if result is not None:
            cols = self._columns(result, len(chunk.rows))
            self.result_names = [name for name, _ in cols]
        self.verdicts = verdicts
        getattr(self, "_" + ("table" if self.fmt == "plain" else self.fmt))(chunk, result, cols, stop_at)
        self.started = True

    def _order(self, chunk, stop_at):
        """(k, j) for each output line in order: j indexes the good rows, None = failure."""
        good = {k: j for j, k in enumerate(chunk.rows)} if chunk.failures or chunk.blank else None
        last = len(chunk.lines) if stop_at is None else stop_at + 1
        for k in range(last):
            if good is None:
                yield k, k
            elif k in good:
                yield k, good[k]
            elif k in chunk.failures:
                yield k, None

    def _csv(self, chunk, result, cols, stop_at):
        # Each input row is repeated as written, so the output keeps the input's delimiter.
        d = self.header.delimiter
        parts = []
        if not self.started:
            names = [n for n, _ in cols] if cols else self._names()
            parts.append(_inert(self.header.text, d) + d + _csv_line([*names, "error"], d))
        texts = [number_column(a) for _, a in cols] if cols else []
        lines = [_inert(line, d) for line in chunk.lines]   # a carried cell is one line, and inert
        if not chunk.failures and not chunk.blank and not self.verdicts and stop_at is None:
            parts.append("".join(d.join(cells) + d + "\n" for cells in zip(lines, *texts)))
        else:
            ncols = len(self.header.names)
            nres = len(texts) if texts else len(self._names())
            for k, j in self._order(chunk, stop_at):
                if j is None:
                    fail = chunk.failures[k]
                    cells = [printable(c) for c in _cells(chunk.lines[k], d)]
                    cells = (cells + [""] * ncols)[:ncols]
                    parts.append(_csv_line([*cells, *[""] * nres, printable(f"{fail.type}: {fail.message}")], d))
                elif k in self.verdicts:
                    bad = self.verdicts[k]
                    parts.append(lines[k] + d + _csv_line([*[t[j] for t in texts],
                                                           printable(f"{bad.type}: {bad.message}")], d))
                else:
                    parts.append(d.join((lines[k], *[t[j] for t in texts])) + d + "\n")
        self.out.write("".join(parts))

    def _json(self, chunk, result, cols, stop_at):
        lines, names, extra = chunk.lines, self.header.names, self.header.extra
        outs = []
        ones = split(result, 0, len(chunk.rows)) if result is not None else []
        for k, j in self._order(chunk, stop_at):
            if j is None:
                outs.append(dumps(chunk.failures[k].record()))
                continue
            rec = {"line": chunk.first + k, **record(ones[j])}
            if extra:
                cells = _cells(lines[k], self.header.delimiter)
                rec["columns"] = {names[i]: cells[i] for i in extra}
            outs.append(dumps(rec))
        self.out.write("".join(o + "\n" for o in outs))

    def _table(self, chunk, result, cols, stop_at):
        p = self.precision
        names = self.header.names
        rnames = [n for n, _ in cols] if cols else self._names()
        texts = [number_column(a) if p is None else [number(x, p) for x in a.tolist()] for _, a in cols or ()]
        rows = []
        for k, j in self._order(chunk, stop_at):
            cells = (_cells(chunk.lines[k], self.header.delimiter) + [""] * len(names))[:len(names)]
            if j is None:
                fail = chunk.failures[k]
                rows.append([str(chunk.first + k), *cells, *[""] * len(rnames), f"{fail.type}: {fail.message}"])
            else:
                bad = self.verdicts.get(k)
                rows.append([str(chunk.first + k), *cells, *[t[j] for t in texts],
                             f"{bad.type}: {bad.message}" if bad else ""])
        head = ["line", *names, *rnames, "error"]
        if self.fmt == "plain":
            text = "".join("\t".join(printable(c) for c in r) + "\n" for r in rows)
            if not self.started:
                text = "\t".join(printable(h) for h in head) + "\n" + text
            self.out.write(text)
            return
        from rich.text import Text

        from .layout import NUM, Column, Flow, Grid, render_to_text
        show_error = any(r[-1] for r in rows)
        # Every cell is a number (or a CSV cell, taken as one): none wraps. An error
        # goes on its own line under its row, outside the columns.
        grid = Grid([Column(Text(printable(h)), NUM, "right", name="line" if i == 0 else None, key=i == 0)
                     for i, h in enumerate(head[:-1])],
                    show_header=not self.started)
        for r in rows:   # cells as str: plain text to the layout (Text(str) for Rich), faster
            grid.row(*[printable(c) for c in r[:-1]],
                     notes=[Text(printable(r[-1]), style="red")] if show_error and r[-1] else ())
        self.flow = self.flow or Flow()
        self.out.write(render_to_text(grid, self.flow))

    def close(self):
        if not self.started and self.fmt == "csv":
            d = self.header.delimiter
            self.out.write(_inert(self.header.text, d) + d + _csv_line([*self._names(), "error"], d))


def _inert(line, delimiter):
    """A row as written, made safe (printable); a tab that separates cells stays a tab."""
    if delimiter == "\t":
        return "\t".join(map(printable, line.split("\t")))
    return printable(line)


def _cells(line, delimiter=","):
    return split_cells(line, delimiter)


def _csv_line(cells, delimiter=","):
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator="\n").writerow(cells)
    return buf.getvalue()
