"""Job files: one `EXPR @ POINT` per line, read from a file or a pipe in chunks.

Within a chunk, lines that share an expression (and the same variables) are parsed
once and evaluated together by the command's job function on arrays of points; small
groups run through the one-point path, which is faster for them. Results are written
in input order, one chunk at a time. A bad line becomes an error record in its place
and the batch goes on (or stops, with --strict); the exit code is 1 if any line failed.
"""
import re

from . import kinds as jobs
from ..errors import AdcliError, ExitCode, UsageError, error, printable, warn
from ..render.text import dumps, number

VECTOR_MIN = 8        # groups smaller than this take the one-point path
MAX_WARNINGS = 10     # warning lines shown on stderr before they are only counted
CACHE_SIZE = 4096     # compiled expressions kept between chunks
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


class Failure:
    """A line that could not run: its number, its text and why."""
    __slots__ = ("line", "input", "type", "message", "column")

    def __init__(self, line, text, error, offset=0):
        self.line = line
        self.input = text
        self.type = getattr(error, "kind", "value")
        msg = error.message if isinstance(error, AdcliError) else str(error)
        hint = getattr(error, "hint", None)
        self.message = f"{msg} ({hint})" if hint else msg
        pos = getattr(error, "pos", None)
        self.column = None if pos is None else offset + pos + 1

    def record(self):
        err = {"type": self.type, "message": self.message}
        if self.column is not None:
            err["column"] = self.column
        return {"line": self.line, "input": self.input, "error": err}

    def text(self):
        where = f", column {self.column}" if self.column is not None else ""
        return f"line {self.line}{where}: {self.type} error: {self.message}"


class Run:
    """State of one batch run shared by job files and --points: the command, its
    options, counts of failures and the warnings shown so far."""

    def __init__(self, command, options, defaults=None, strict=False):
        self.command = command
        self.kind = jobs.kind(command)
        self.options = options
        self.defaults = dict(defaults or {})
        self.strict = strict
        self.jobs = 0
        self.failed = 0
        self.first_failure = None
        self.warned = 0
        self.unshown = 0
        self._functions = {}

    def function(self, expr):
        """The compiled expression (or the error it raises), parsed once per run."""
        f = self._functions.get(expr)
        if f is None:
            from ..api import Function
            try:
                f = Function(expr)
                if self.kind.check:
                    self.kind.check(f, self.options)
            except AdcliError as e:
                f = e
            if len(self._functions) >= CACHE_SIZE:
                self._functions.clear()
            self._functions[expr] = f
        if isinstance(f, AdcliError):
            raise f.with_traceback(None)   # raised once per line: keep no growing traceback
        return f

    def fail(self, failure):
        self.failed += 1
        if self.first_failure is None:
            self.first_failure = failure

    def warn(self, line, messages):
        if not messages:
            return
        if self.warned >= MAX_WARNINGS:
            self.unshown += 1
            return
        self.warned += 1
        for m in messages:
            warn(f"line {line}: {m}")

    def finish(self, what="lines"):
        """The exit code, after a last word on stderr about failures and warnings."""
        if self.unshown:
            warn(f"{self.unshown} more {what} gave nan or inf (warnings not shown)")
        if self.failed:
            if self.strict:
                error(f"stopped at the first failure (--strict): {printable(self.first_failure.text())}")
            else:
                error(f"{self.failed} of {self.jobs} {what} failed; the first: "
                      f"{printable(self.first_failure.text())}")
            return ExitCode.EVAL
        return 0


def split(result, lo, hi):
    """One-point Results for indexes lo:hi of a many-point Result: every array field
    (at any depth in lists, tuples and dicts) becomes the float at that index."""
    leaves = []
    build = {k: _template(v, leaves) for k, v in vars(result).items()}
    columns = [a[lo:hi].tolist() for a in leaves]
    cls = type(result)
    out = []
    for row in zip(*columns) if columns else [()] * (hi - lo):
        r = object.__new__(cls)
        r.__dict__.update({k: b(row) for k, b in build.items()})
        out.append(r)
    return out


def _template(v, leaves):
    """A function that rebuilds v from one row of leaf values; arrays of v are
    appended to leaves in the order the row holds them."""
    if isinstance(v, (list, tuple)):
        parts, typ = [_template(x, leaves) for x in v], type(v)
        return lambda row: typ([p(row) for p in parts])
    if isinstance(v, dict):
        keys, parts = list(v), [_template(x, leaves) for x in v.values()]
        return lambda row: dict(zip(keys, [p(row) for p in parts]))
    slots = slot_names(v)
    if slots:
        cls, parts = type(v), [(k, _template(getattr(v, k), leaves)) for k in slots]

        def build(row):
            r = object.__new__(cls)
            for k, p in parts:
                setattr(r, k, p(row))
            return r
        return build
    if hasattr(v, "ndim") and v.ndim:
        k = len(leaves)
        leaves.append(v)
        return lambda row: row[k]
    return lambda row: v


def slot_names(v):
    """The attributes of an object that keeps them in __slots__ (adcli.check.CheckRow)."""
    if hasattr(v, "__dict__"):
        return ()
    return getattr(type(v), "__slots__", ())


def nonfinite(result, n):
    """Boolean array: the points where some number of the result (apart from the
    point itself) is nan or inf."""
    import numpy as np
    leaves = []
    for k, v in vars(result).items():
        if k not in ("at", "expr", "warnings"):
            _template(v, leaves)
    bad = np.zeros(n, dtype=bool)
    for a in leaves:
        if a.dtype.kind == "f":
            bad |= ~np.isfinite(a)
    return bad


def read_point(text):
    """POINT text to {name: float}: a quick path for plain numbers, adcli.points for
    the rest (constant expressions, and the error messages)."""
    point = {}
    try:
        for piece in text.split(","):
            name, eq, value = piece.partition("=")
            name = name.strip()
            if not eq or name in point or not _NAME.match(name):
                raise ValueError
            point[name] = float(value)
        return point
    except ValueError:
        from ..language.point import parse_point
        return parse_point([text])


def compute(run, entries, groups):
    """Run each group of jobs: entries[i] = [line, text, point] becomes
    [line, text, Result or Failure]."""
    kind, options = run.kind, run.options
    for (expr, _), members in groups.items():
        f = run.function(expr)
        if kind.many and len(members) >= VECTOR_MIN:
            import numpy as np
            names = list(entries[members[0]][2])
            point = {v: np.array([entries[i][2][v] for i in members]) for v in names}
            try:
                many = kind.run(f, point, options)
            except AdcliError:
                many = None   # the same error on every line: reported line by line below
            if many is not None:
                bad = nonfinite(many, len(members))
                for j, (i, res) in enumerate(zip(members, split(many, 0, len(members)))):
                    if bad[j]:
                        res.warnings = _one(kind, f, entries[i][2], options).warnings
                    entries[i][2] = res
                continue
        for i in members:
            try:
                entries[i][2] = _one(kind, f, entries[i][2], options)
            except AdcliError as e:
                text = entries[i][1]
                entries[i][2] = Failure(entries[i][0], text, e, len(text) - len(text.lstrip()))


def _one(kind, f, point, options):
    return kind.run(f, point, options)


def chunk_jobs(run, first, lines):
    """The job lines of one chunk, computed: a list of [line, text, Result or Failure]."""
    entries, groups = [], {}
    defaults = run.defaults
    for k, text in enumerate(lines):
        s = text.strip()
        if not s or s.startswith("#"):
            continue
        line = first + k
        expr, at_sign, point_text = s.partition("@")
        lead = len(text) - len(text.lstrip())
        offset = lead + len(expr) - len(expr.lstrip())   # where the expression starts
        try:
            if not expr.strip():
                raise UsageError("no expression before '@'" if at_sign else "empty job line", pos=0)
            run.function(expr.strip())
            point = dict(defaults)
            if at_sign:
                offset = lead + len(expr) + 1              # where the point starts
                try:
                    point.update(read_point(point_text))
                except AdcliError as e:
                    e.kind = "point"
                    raise
        except AdcliError as e:
            entries.append([line, text, Failure(line, text, e, offset)])
            continue
        groups.setdefault((expr.strip(), tuple(point)), []).append(len(entries))
        entries.append([line, text, point])
    compute(run, entries, groups)
    return entries


# ---- output of job files ----------------------------------------------------------

def _num(v, precision=None):
    return number(v, precision) if isinstance(v, (int, float)) else str(v)


def flat(v, precision=None, sep=";"):
    """A record field as one cell: numbers as the shortest round-trip text, a list of
    numbers joined with `sep`, {name: number} as name=number; anything nested deeper
    (a matrix) as compact JSON."""
    if isinstance(v, dict):
        if any(isinstance(x, (dict, list, tuple)) for x in v.values()):
            return dumps(v)
        eq = " = " if sep == "\n" else "="
        return sep.join(f"{k}{eq}{flat(x, precision, sep)}" for k, x in v.items())
    if isinstance(v, (list, tuple)):
        if any(isinstance(x, (dict, list, tuple)) for x in v):
            return dumps(v)
        return sep.join(flat(x, precision, sep) for x in v)
    if v is None:
        return ""
    return _num(v, precision)


class JobWriter:
    """Writes computed job lines in one of the formats, a chunk at a time."""

    def __init__(self, run, fmt, precision, out):
        self.run = run
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
                yield line, text, res, {"line": line, **self.run.kind.record(res, self.run.command)}

    def _cells(self, rec):
        """{field: value} shown in the CSV, plain and table rows."""
        cells = self.run.kind.cells
        return cells(rec) if cells else rec

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
            for line, text, res, rec in self._records(entries):
                if rec is None:
                    rows.append(f"{line}\terror\t{printable(res.type)}: {printable(res.message)}")
                else:
                    view = self._cells(rec)
                    cells = [str(line), printable(rec["expr"]), flat(rec["at"], self.precision, ", ")]
                    cells += [flat(view.get(k), self.precision, ", ") for k in self.run.kind.fields]
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
        fields = self.run.kind.fields
        if not self.started:
            w.writerow(["line", "expr", "at", *fields, "error"])
        for line, text, res, rec in self._records(entries):
            if rec is None:
                w.writerow([line, text.strip(), "", *[""] * len(fields), f"{res.type}: {res.message}"])
            else:
                view, bad = self._cells(rec), self.verdicts.get(line)
                w.writerow([line, rec["expr"], flat(rec["at"]), *[flat(view.get(k)) for k in fields],
                            f"{bad.type}: {bad.message}" if bad else ""])
        self.out.write(buf.getvalue())

    def _table(self, entries):
        """A table per chunk (header on the first), laid out by adcli.layout: numbers
        never wrap (entries of the point and of vector fields go one per line); an
        error goes on its own lines under its job's row, outside the columns."""
        from rich.text import Text

        from ..render.layout import NUM, TEXT, Column, Flow, Grid, render_to_text

        fields = self.run.kind.fields
        grid = Grid([Column("line", NUM, "right", name="line", key=True), Column("expression", TEXT, key=True),
                     Column("at", NUM), *[Column(k, NUM, "right" if k == "value" else "left") for k in fields]],
                    show_header=not self.started)
        p = self.precision
        for line, text, res, rec in self._records(entries):
            if rec is None:
                grid.row(Text(str(line)), Text(printable(text.strip())), Text(""), *[Text("")] * len(fields),
                         notes=[Text(printable(f"{res.type} error: {res.message}"), style="red")])
            else:
                view, bad = self._cells(rec), self.verdicts.get(line)
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


def open_input(path):
    """A binary stream for FILE, or standard input for '-' or None."""
    import sys
    if path is None or path == "-":
        return getattr(sys.stdin, "buffer", sys.stdin)
    try:
        return open(path, "rb")
    except OSError as e:
        raise UsageError(f"cannot read {printable(path)}: {e.strerror or e}") from None


def main(command, expr, job_file, points, strict, fmt, precision, at, options):
    """Batch mode of a command (-f FILE, --points CSV, or job lines on stdin); returns
    the exit code."""
    from ..language.point import parse_point
    from .stream import LineSource, Output, Progress
    if job_file is not None and points is not None:
        raise UsageError("give either -f FILE or --points CSV, not both")
    if points is not None and expr is None:
        raise UsageError("--points needs EXPR: adcli grad \"x*y\" --points points.csv")
    if job_file is not None and expr is not None:
        raise UsageError("give EXPR or -f FILE, not both: each line of a job file holds its own expression",
                         hint="for one expression at many points, use --points CSV")
    implicit = job_file is None and points is None
    run = Run(command, options, parse_point(at) if at else {}, strict)
    stream = open_input(points if points is not None else job_file)
    try:
        if points is not None:
            from .pointsfile import READ_SIZE, run_points
            source = LineSource(stream, READ_SIZE)
        else:
            source = LineSource(stream, 1 << 18)
        progress = Progress(source, "rows" if points is not None else "lines")
        with Output() as out:
            try:
                if points is not None:
                    return run_points(run, expr, source, fmt, precision, out, progress)
                writer = JobWriter(run, fmt, precision, out)
                for first, lines in source.chunks():
                    if not _jobs_chunk(run, first, lines, writer, progress):
                        break
                if implicit and source.lineno == 0:
                    raise UsageError("missing EXPR: give an expression, as in adcli grad \"x^2\" --at x=3, "
                                     "or job lines on standard input")
                writer.close()
                return run.finish()
            finally:
                progress.close()
    finally:
        if (points if points is not None else job_file) not in (None, "-"):
            stream.close()


def _jobs_chunk(run, first, lines, writer, progress):
    """Compute and write one chunk of job lines; False when --strict stops the run."""
    entries = chunk_jobs(run, first, lines)
    verdicts = judge(run, entries)
    if run.strict:
        for n, e in enumerate(entries):
            if isinstance(e[2], Failure) or e[0] in verdicts:
                entries = entries[:n + 1]
                break
    for line, _, res in entries:
        run.jobs += 1
        if isinstance(res, Failure):
            run.fail(res)
            continue
        if res.warnings:
            run.warn(line, res.warnings)
        if line in verdicts:
            run.fail(verdicts[line])
    writer.write_jobs(entries, verdicts)
    progress.update(run.jobs)
    return not (run.strict and run.failed)


class Verdict(AdcliError):
    """A job that ran but failed the command's own test (check: a mismatch)."""
    kind = "check"


def judge(run, entries):
    """{line number: Failure} for the results the command's verdict rejects."""
    verdict = run.kind.verdict
    if verdict is None:
        return {}
    out = {}
    for line, text, res in entries:
        if not isinstance(res, Failure):
            msg = verdict(res)
            if msg:
                out[line] = Failure(line, text, Verdict(msg))
    return out
