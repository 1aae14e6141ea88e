"""What a batch run keeps: its state (Run), a failed line (Failure), and the slicing of a
many-point result into one-point results and back (split, stack), field by field of the
declared result types. Output formatting lives in adcli.render.batch."""
import collections
import dataclasses

from ..api.results import rebuild
from ..errors import AdcliError, ExitCode, clip, error, printable, warn
from .kinds import kind

MAX_WARNINGS = 10     # lines whose warnings are shown on stderr before they are only counted
CACHE_SIZE = 4096     # compiled expressions kept between chunks


class Failure:
    """A line that could not run: its number, its text and why."""
    __slots__ = ("line", "input", "type", "message", "column")

    def __init__(self, line, text, error, offset=0):
        self.line = line
        self.input = text
        self.type = getattr(error, "kind", "value")
        msg = error.message if isinstance(error, AdcliError) else str(error)
        hint = getattr(error, "hint", None)
        self.message = clip(f"{msg} ({hint})" if hint else msg)   # a 1 MB name is quoted clipped
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


class Verdict(AdcliError):
    """A job that ran but failed the command's own test (check: a mismatch)."""
    kind = "check"


class Run:
    """State of one batch run shared by job files and --points: the command, its
    options, counts of failures and the warnings shown so far."""

    def __init__(self, command, options, defaults=None, strict=False):
        self.command = command
        self.kind = kind(command)
        self.options = options
        self.defaults = dict(defaults or {})
        self.strict = strict
        self.jobs = 0
        self.failed = 0
        self.first_failure = None
        self.warned = 0
        self.unshown = 0
        self._functions = collections.OrderedDict()   # expr -> Function or AdcliError, LRU order
        self.parses = 0       # expressions compiled (each line's is parsed at most once per chunk)

    def function(self, expr):
        """The compiled expression (or the error it raises), parsed once while it is
        among the CACHE_SIZE expressions used last (a chunk keeps its own with its
        lines, so a full cache never makes a chunk parse a line twice)."""
        functions = self._functions
        f = functions.get(expr)
        if f is None:
            from ..api import Function
            self.parses += 1
            try:
                f = Function(expr)
                if self.kind.check:
                    self.kind.check(f, self.options)
            except AdcliError as e:
                f = e
            if len(functions) >= CACHE_SIZE:
                del functions[next(iter(functions))]   # the least recently used
            functions[expr] = f
        else:
            functions.move_to_end(expr)
        if isinstance(f, AdcliError):
            raise f.with_traceback(None)   # raised once per line: keep no growing traceback
        return f

    def fail(self, failure):
        self.failed += 1
        if self.first_failure is None:
            self.first_failure = failure

    def may_warn(self):
        """True while warnings are still shown; afterwards the line is only counted."""
        if self.warned >= MAX_WARNINGS:
            self.unshown += 1
            return False
        return True

    def warn(self, line, messages):
        if not messages or not self.may_warn():
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
        return ExitCode.OK


def judge(run, items):
    """{key: Failure} for the results the command's verdict rejects; items are
    (key, line number, text, result)."""
    verdict = run.kind.verdict
    if verdict is None:
        return {}
    out = {}
    for key, line, text, res in items:
        msg = verdict(res)
        if msg:
            failed = Verdict(msg)
            failed.kind = run.kind.verdict_kind
            out[key] = Failure(line, text, failed)
    return out


# ---- many points <-> one point, by the declared fields --------------------------------------

def split(result, lo, hi):
    """One-point results for indexes lo:hi of a many-point result: every array field
    (at any depth in lists, tuples, dicts and nested results) becomes the float at that
    index."""
    leaves = []
    build = _template(result, leaves)
    columns = [a[lo:hi].tolist() for a in leaves]
    return [build(row) for row in (zip(*columns) if columns else [()] * (hi - lo))]


def _template(v, leaves):
    """A function that rebuilds v from one row of leaf values; arrays of v are
    appended to leaves in the order the row holds them."""
    if dataclasses.is_dataclass(v) and not isinstance(v, type):
        cls, parts = type(v), [(f.name, _template(getattr(v, f.name), leaves)) for f in dataclasses.fields(v)]
        return lambda row: rebuild(cls, {k: p(row) for k, p in parts})
    if isinstance(v, (list, tuple)):
        parts, typ = [_template(x, leaves) for x in v], type(v)
        return lambda row: typ([p(row) for p in parts])
    if isinstance(v, dict):
        keys, parts = list(v), [_template(x, leaves) for x in v.values()]
        return lambda row: dict(zip(keys, [p(row) for p in parts]))
    if hasattr(v, "ndim") and v.ndim:
        k = len(leaves)
        leaves.append(v)
        return lambda row: row[k]
    return lambda row: v


def nonfinite(result, n):
    """Boolean array: the points where some number of the result (apart from the
    point itself) is nan or inf."""
    import numpy as np
    leaves = []
    for f in dataclasses.fields(result):
        if f.name not in ("at", "expr", "warnings"):
            _template(getattr(result, f.name), leaves)
    bad = np.zeros(n, dtype=bool)
    for a in leaves:
        if a.dtype.kind == "f":
            bad |= ~np.isfinite(a)
    return bad


def stack(results):
    """The many-point result made of one-point results of the same shape (the inverse
    of split)."""
    return _stack(results)


def _stack(values):
    import numpy as np
    v = values[0]
    if dataclasses.is_dataclass(v) and not isinstance(v, type):
        return rebuild(type(v), {f.name: _stack([getattr(x, f.name) for x in values])
                                 for f in dataclasses.fields(v)})
    if isinstance(v, float):
        return np.array(values, dtype=np.float64)
    if isinstance(v, (list, tuple)):
        return type(v)([_stack(list(col)) for col in zip(*values)])
    if isinstance(v, dict):
        return {k: _stack([x[k] for x in values]) for k in v}
    if any(x != v for x in values[1:]):
        # differs from point to point (check's verdict, a bool): kept per point
        a = np.empty(len(values), dtype=object)
        a[:] = values
        return a
    return v


def as_many(result):
    """A one-point result as a many-point result of one point."""
    import numpy as np
    return _wrap(result, np)


def _wrap(v, np):
    if dataclasses.is_dataclass(v) and not isinstance(v, type):
        return rebuild(type(v), {f.name: _wrap(getattr(v, f.name), np) for f in dataclasses.fields(v)})
    if isinstance(v, float):
        return np.array([v])
    if isinstance(v, (list, tuple)):
        return type(v)(_wrap(x, np) for x in v)
    if isinstance(v, dict):
        return {k: _wrap(x, np) for k, x in v.items()}
    return v
