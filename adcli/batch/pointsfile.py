"""--points: one expression at every row of a CSV whose header names the variables.

Rows are parsed a chunk at a time with numpy (a chunk of plain numeric cells is
read in one call); a chunk with anything unusual (quotes, blank lines, a cell that is
not a number, a row with the wrong number of cells) is read again row by row with the
csv module, so that each bad row gets an error row with its line number. No row is
ever dropped. Output rows repeat the input row's cells as they were written (so an id
column survives), then the result columns, then an `error` column.
"""
import csv
import io
import warnings

from .jobfile import Failure, Verdict, slot_names, split
from ..errors import AdcliError, UsageError, printable
from ..render.text import dumps, number
from .stream import decode

READ_SIZE = 4 << 20   # bytes per chunk: ~70,000 rows of three numbers


class Header:
    def __init__(self, line, lineno, f, defaults):
        line = line.lstrip("\ufeff")   # a byte order mark, as some spreadsheets write
        cells = next(csv.reader([line]), [])
        self.text = line
        self.names = [c.strip() for c in cells]
        self.lineno = lineno
        if not line.strip():
            raise UsageError("the points file has no header line: its first line must name the "
                             "variables, as in x,y,z")
        seen = set()
        for n in self.names:
            if n in seen:
                raise UsageError(f"the points file names column '{printable(n)}' twice")
            seen.add(n)
        missing = [v for v in f.program.inputs if v not in seen and v not in defaults]
        if missing:
            raise UsageError(
                f"the points file has no column for {', '.join(missing)} "
                f"(its columns: {printable(', '.join(self.names))})",
                hint=f"add the column, or give a fixed value with --at {missing[0]}=...")
        self.variables = [v for v in f.program.inputs if v in seen]
        self.index = {v: self.names.index(v) for v in self.variables}
        self.extra = [i for i, n in enumerate(self.names) if n not in self.index]


class Chunk:
    """One chunk of rows: the lines, which rows are good, their points, and failures."""

    def __init__(self, first, lines):
        self.first = first           # line number of lines[0]
        self.lines = lines
        self.rows = []               # indexes into lines of the good rows
        self.points = None           # {variable: array over good rows}
        self.failures = {}           # index into lines -> Failure
        self.blank = set()           # indexes of blank lines (no output)


def parse_chunk(header, first, block):
    """Rows of one chunk of the points file."""
    import numpy as np
    text = decode(block)
    lines = text.split("\n")
    chunk = Chunk(first, lines)
    ncols = len(header.names)
    # numpy reads a few spellings that Python's float() refuses (nan(123)); those
    # chunks, like quoted or blank lines, go row by row so every row reads the same.
    if ('"' not in text and "(" not in text and "\n\n" not in text and lines[0] and lines[-1]
            and not header.extra):
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
        if not line.strip():
            chunk.blank.add(k)
            continue
        cells = next(csv.reader([line])) if '"' in line else line.split(",")
        try:
            if len(cells) != ncols:
                raise UsageError(f"expected {ncols} cells ({printable(','.join(header.names))}), "
                                 f"got {len(cells)}")
            got = []
            for v in header.variables:
                cell = cells[header.index[v]]
                try:
                    got.append(float(cell))
                except ValueError:
                    what = "empty" if not cell.strip() else f"'{printable(cell.strip())}' is not a number"
                    raise UsageError(f"column {v}: {what}") from None
        except UsageError as e:
            e.kind = "row"
            chunk.failures[k] = Failure(first + k, line, e)
            continue
        chunk.rows.append(k)
        for v, x in zip(header.variables, got):
            cols[v].append(x)
    chunk.points = {v: np.array(c, dtype=np.float64) for v, c in cols.items()}
    return chunk


def _cells_per_line_ok(block, text, ncols):
    """Every line has ncols - 1 commas (the total alone could hide a short row next to
    a long one)."""
    import numpy as np
    raw = block if len(block) == len(text) else text.encode()
    b = np.frombuffer(raw, dtype=np.uint8)
    ends = np.append(np.flatnonzero(b == 10), b.size)
    per_line = np.diff(np.searchsorted(np.flatnonzero(b == 44), ends), prepend=0)
    return bool((per_line == ncols - 1).all())


def number_column(a):
    """Shortest round-trip text of every float in a (as adcli.output.number writes them:
    integral values without '.0')."""
    import numpy as np
    out = list(map(repr, a.tolist()))
    with np.errstate(invalid="ignore"):
        whole = np.flatnonzero((a == np.trunc(a)) & (np.abs(a) < 1e16))
    for i in whole.tolist():
        out[i] = number(a[i])
    return out


def run_points(run, expr, source, fmt, precision, out, progress):
    """--points: returns the exit code."""
    from ..api import Function
    f = Function(expr)
    if run.kind.check:
        run.kind.check(f, run.options)
    chunks = source.raw_chunks()
    header = None
    writer = None
    for first, block in chunks:
        if header is None:
            cut = block.find(b"\n")
            head, block = (block, b"") if cut < 0 else (block[:cut], block[cut + 1:])
            header = Header(decode(head), first, f, run.defaults)
            check_names(run, f, header)
            writer = PointsWriter(run, header, f, fmt, precision, out)
            first += 1
            if cut < 0:
                continue
        chunk = parse_chunk(header, first, block)
        results = compute_chunk(run, f, header, chunk)
        stop = writer.write(chunk, results)
        progress.update(run.jobs)
        if stop:
            break
    if header is None:
        raise UsageError("the points file is empty: its first line must name the variables, as in x,y,z")
    writer.close()
    return run.finish("rows")


def check_names(run, f, header):
    """--wrt or --dir naming a variable that is neither in the expression nor given by
    --at is the same mistake on every row (extra columns are carried through, not
    values): a usage error, once, before any row."""
    import re

    from ..api.inputs import direction_of, wrt_names
    from ..language.point import refuse_constant
    for name in header.names:
        # A column named pi or e is refused only when the expression uses that constant
        # (its values would be ignored); otherwise it is an extra column, carried through.
        if re.search(rf"\b{re.escape(name.strip())}\b", f.expr):
            refuse_constant(name.strip())
    point = {v: 1.0 for v in [*f.program.inputs, *run.defaults]}
    wrt, direction = run.options.get("wrt"), run.options.get("dir")
    if wrt is not None:
        wrt_names(f.program, [wrt] if isinstance(wrt, str) else wrt, point)
    if direction is not None:
        direction_of(f.program, point, direction)


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
            fail = Failure(chunk.first + k, chunk.lines[k], e)
            fail.column = None   # a column of the expression, which is not on this line
            chunk.failures[k] = fail
    if len(rows) < len(chunk.rows):
        chunk.rows = [chunk.rows[j] for j in rows]
        chunk.points = {v: a[rows] for v, a in chunk.points.items()}
    return stack(ones) if ones else None


def stack(results):
    """The many-point Result made of one-point Results of the same shape (the inverse
    of adcli.batch.split)."""
    first = results[0]
    r = object.__new__(type(first))
    for k in vars(first):
        setattr(r, k, _stack([vars(x)[k] for x in results]))
    return r


def _stack(values):
    import numpy as np
    v = values[0]
    if isinstance(v, float):
        return np.array(values, dtype=np.float64)
    if isinstance(v, (list, tuple)):
        return type(v)([_stack(list(col)) for col in zip(*values)])
    if isinstance(v, dict):
        return {k: _stack([x[k] for x in values]) for k in v}
    slots = slot_names(v)
    if slots:
        r = object.__new__(type(v))
        for k in slots:
            setattr(r, k, _stack([getattr(x, k) for x in values]))
        return r
    if any(x != v for x in values[1:]):
        # differs from point to point (check's verdict, a bool): kept per point
        a = np.empty(len(values), dtype=object)
        a[:] = values
        return a
    return v


class PointsWriter:
    def __init__(self, run, header, f, fmt, precision, out):
        self.run = run
        self.header = header
        self.f = f
        self.fmt = fmt
        self.precision = precision
        self.out = out
        self.result_names = None
        self.started = False
        self.verdicts = {}
        self.flow = None  # the layout of the chunks written so far (adcli.layout.Flow)

    def _columns(self, result, n):
        """[(header, array)] of the result columns."""
        import numpy as np
        kind = self.run.kind
        if kind.columns:
            cols = kind.columns(result)
        else:
            rows = [record_cells(kind.record(r, kind.command), kind.fields) for r in split(result, 0, n)]
            cols = [(name, np.array([float(row[c][1]) for row in rows])) for c, (name, _) in enumerate(rows[0])]
        return [(name, np.broadcast_to(np.asarray(a, dtype=np.float64), (n,))) for name, a in cols]

    def _names(self):
        if self.result_names is None:
            # The result columns of a one-point job, for the header of a file with no
            # good row yet.
            point = {v: 1.0 for v in self.f.program.inputs}
            point.update(self.run.defaults)
            try:
                probe = self.run.kind.run(self.f, point, self.run.options)
                self.result_names = [name for name, _ in self._columns(_as_many(probe), 1)]
            except AdcliError:
                self.result_names = ["value"]
        return self.result_names

    def write(self, chunk, result):
        """Write one chunk; returns True when --strict stops the run."""
        run = self.run
        cols = None
        if result is not None:
            cols = self._columns(result, len(chunk.rows))
            self.result_names = [name for name, _ in cols]
            self._warnings(chunk, result, cols)
        self.verdicts = self._judge(chunk, result)
        stop_at = None
        if chunk.failures or self.verdicts:
            for k in sorted({**chunk.failures, **self.verdicts}):
                run.fail(chunk.failures.get(k) or self.verdicts[k])
                if run.strict:
                    stop_at = k
                    break
        n_rows = len(chunk.lines) - len(chunk.blank)
        if stop_at is not None:
            n_rows = sum(1 for k in range(stop_at + 1) if k not in chunk.blank)
        run.jobs += n_rows
        getattr(self, "_" + ("table" if self.fmt == "plain" else self.fmt))(chunk, result, cols, stop_at)
        self.started = True
        return stop_at is not None

    def _judge(self, chunk, result):
        """{index into chunk.lines: Failure} of the rows that ran but failed the
        command's own test (check: a mismatch)."""
        verdict = self.run.kind.verdict
        if verdict is None or result is None:
            return {}
        out = {}
        for k, r in zip(chunk.rows, split(result, 0, len(chunk.rows))):
            msg = verdict(r)
            if msg:
                out[k] = Failure(chunk.first + k, chunk.lines[k], Verdict(msg))
        return out

    def _warnings(self, chunk, result, cols):
        import numpy as np
        bad = np.zeros(len(chunk.rows), dtype=bool)
        for _, a in cols:
            bad |= ~np.isfinite(a)
        for j in np.flatnonzero(bad).tolist():
            k = chunk.rows[j]
            if self.run.warned >= 10:
                self.run.unshown += 1
                continue
            point = dict(self.run.defaults)
            point.update({v: float(a[j]) for v, a in chunk.points.items()})
            self.run.warn(chunk.first + k, self.run.kind.run(self.f, point, self.run.options).warnings)

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
        parts = []
        if not self.started:
            names = [n for n, _ in cols] if cols else self._names()
            parts.append(self.header.text + "," + _csv_line([*names, "error"]))
        texts = [number_column(a) for _, a in cols] if cols else []
        lines = chunk.lines
        if not chunk.failures and not chunk.blank and not self.verdicts and stop_at is None:
            parts.append("".join(map(_joined, zip(lines, *texts))))
        else:
            ncols = len(self.header.names)
            nres = len(texts) if texts else len(self._names())
            for k, j in self._order(chunk, stop_at):
                if j is None:
                    fail = chunk.failures[k]
                    cells = _cells(lines[k])
                    cells = (cells + [""] * ncols)[:ncols]
                    parts.append(_csv_line([*cells, *[""] * nres, f"{fail.type}: {fail.message}"]))
                elif k in self.verdicts:
                    bad = self.verdicts[k]
                    parts.append(lines[k] + "," + _csv_line([*[t[j] for t in texts], f"{bad.type}: {bad.message}"]))
                else:
                    parts.append(_joined((lines[k], *[t[j] for t in texts])))
        self.out.write("".join(parts))

    def _json(self, chunk, result, cols, stop_at):
        lines, names, extra = chunk.lines, self.header.names, self.header.extra
        outs = []
        ones = split(result, 0, len(chunk.rows)) if result is not None else []
        for k, j in self._order(chunk, stop_at):
            if j is None:
                outs.append(dumps(chunk.failures[k].record()))
                continue
            rec = {"line": chunk.first + k, **self.run.kind.record(ones[j], self.run.command)}
            if extra:
                cells = _cells(lines[k])
                rec["columns"] = {names[i]: cells[i] for i in extra}
            outs.append(dumps(rec))
        self.out.write("".join(o + "\n" for o in outs))

    def _table(self, chunk, result, cols, stop_at):
        p = self.precision
        names = self.header.names
        rnames = [n for n, _ in cols] if cols else self._names()
        rows = []
        for k, j in self._order(chunk, stop_at):
            cells = (_cells(chunk.lines[k]) + [""] * len(names))[:len(names)]
            if j is None:
                fail = chunk.failures[k]
                rows.append([str(chunk.first + k), *cells, *[""] * len(rnames), f"{fail.type}: {fail.message}"])
            else:
                bad = self.verdicts.get(k)
                rows.append([str(chunk.first + k), *cells, *[number(a[j], p) for _, a in cols],
                             f"{bad.type}: {bad.message}" if bad else ""])
        head = ["line", *names, *rnames, "error"]
        if self.fmt == "plain":
            text = "".join("\t".join(printable(c) for c in r) + "\n" for r in rows)
            if not self.started:
                text = "\t".join(printable(h) for h in head) + "\n" + text
            self.out.write(text)
            return
        from rich.text import Text

        from ..render.layout import NUM, Column, Flow, Grid, render_to_text
        show_error = any(r[-1] for r in rows)
        # Every cell is a number (or a CSV cell, taken as one): none wraps. An error
        # goes on its own line under its row, outside the columns.
        grid = Grid([Column(Text(printable(h)), NUM, "right", name="line" if i == 0 else None, key=i == 0)
                     for i, h in enumerate(head[:-1])],
                    show_header=not self.started)
        for r in rows:
            grid.row(*[Text(printable(c)) for c in r[:-1]],
                     notes=[Text(printable(r[-1]), style="red")] if show_error and r[-1] else ())
        self.flow = self.flow or Flow()
        self.out.write(render_to_text(grid, self.flow))

    def close(self):
        if not self.started and self.fmt == "csv":
            self.out.write(self.header.text + "," + _csv_line([*self._names(), "error"]))


def record_cells(rec, fields):
    """[(column name, number)] of the numbers under `fields` of a JSON record, for a
    command that registered no columns: a number is one column (value); a list gives
    value1, value2, ...; a matrix jacobian1_1, ...; a dict gradient.x, ... ."""
    cells = []
    for field in fields:
        stack = [(field, rec.get(field), True)]
        while stack:
            name, v, top = stack.pop()
            if isinstance(v, dict):
                stack.extend(reversed([(f"{name}.{k}", x, False) for k, x in v.items()]))
            elif isinstance(v, (list, tuple)):
                sep = "" if top else "_"
                stack.extend(reversed([(f"{name}{sep}{i + 1}", x, False) for i, x in enumerate(v)]))
            elif isinstance(v, (int, float)) and not isinstance(v, bool) or v in ("nan", "inf", "-inf"):
                cells.append((name, v))
    return cells


def _as_many(result):
    import numpy as np
    r = object.__new__(type(result))
    for k, v in vars(result).items():
        setattr(r, k, _wrap(v, np))
    return r


def _wrap(v, np):
    if isinstance(v, float):
        return np.array([v])
    if isinstance(v, (list, tuple)):
        return type(v)(_wrap(x, np) for x in v)
    if isinstance(v, dict):
        return {k: _wrap(x, np) for k, x in v.items()}
    return v


def _joined(cells):
    return ",".join(cells) + ",\n"


def _cells(line):
    return next(csv.reader([line]), []) if '"' in line else line.split(",")


def _csv_line(cells):
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerow(cells)
    return buf.getvalue()
