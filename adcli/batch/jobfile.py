"""Job files: one `EXPR @ POINT` per line, read from a file or a pipe in chunks.

Within a chunk, lines that share an expression (and the same variables) are parsed
once and evaluated together by the command's job function on arrays of points; small
groups run through the one-point path, which is faster for them. Results are handed to
the writer in input order, one chunk at a time. A bad line becomes a Failure in its
place and the batch goes on (or stops, with --strict); the exit code is 1 if any line
failed.
"""
import re

from ..errors import AdcliError, UsageError
from ..language.point import read_number
from .records import Failure, judge, nonfinite, split
from .stream import long_line_error

VECTOR_MIN = 8        # groups smaller than this take the one-point path
YOUNG_OBJECTS = 10_000  # the cycle collector's first threshold during a run (see run_jobs)
LONG_HINT = "a longer expression can be given alone, as EXPR @FILE"
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


def read_point(text):
    """POINT text to {name: float}: a quick path for plain numbers (adcli's number
    syntax, not all that float() reads), parse_point for the rest (constant expressions,
    and the error messages)."""
    point = {}
    try:
        for piece in text.split(","):
            name, eq, value = piece.partition("=")
            name = name.strip()
            if not eq or name in point or not _NAME.match(name):
                raise ValueError
            point[name] = read_number(value)
        return point
    except ValueError:
        from ..language.point import parse_point
        return parse_point([text])


def _shape(point):
    """The names of a point and the length of each vector in it: lines whose points
    have one shape run together as arrays (a vector's lines as a 2-D array)."""
    return tuple((k, len(v)) if isinstance(v, tuple) else k for k, v in point.items())


def compute(run, entries, groups):
    """Run each group of jobs: entries[i] = [line, text, point] becomes
    [line, text, Result or Failure]. groups maps (expr, variables) to (the compiled
    expression, indexes into entries)."""
    kind, options = run.kind, run.options
    for f, members in groups.values():
        # A group runs on arrays when it is large enough, and when the expression has
        # a variable to carry them: a constant expression gives the same result on
        # every line, and has no array to take the number of points from.
        if kind.many and len(members) >= VECTOR_MIN and f.variables:
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


def chunk_jobs(run, first, lines, too_long=None):
    """The job lines of one chunk, computed: a list of [line, text, Result or Failure].
    too_long(line) gives the length of a line that was over the limit (its text is
    then only its start), or None."""
    entries, groups = [], {}
    defaults = run.defaults
    for k, text in enumerate(lines):
        s = text.strip()
        if not s or s.startswith("#"):
            continue
        line = first + k
        nbytes = too_long(line) if too_long else None
        if nbytes is not None:
            shown = text + "..."
            entries.append([line, shown, Failure(line, shown, long_line_error(nbytes, hint=LONG_HINT))])
            continue
        expr, at_sign, point_text = s.partition("@")
        lead = len(text) - len(text.lstrip())
        offset = lead + len(expr) - len(expr.lstrip())   # where the expression starts
        try:
            if not expr.strip():
                raise UsageError("no expression before '@'" if at_sign else "empty job line", pos=0)
            f = run.function(expr.strip())
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
        # The group keeps its compiled expression: the chunk never parses a line twice,
        # whatever the run's cache of expressions drops meanwhile.
        groups.setdefault((expr.strip(), _shape(point)), (f, []))[1].append(len(entries))
        entries.append([line, text, point])
    compute(run, entries, groups)
    return entries


def run_jobs(run, source, writer, progress):
    """Compute the job lines of source chunk by chunk and hand each chunk to
    writer.write_jobs(entries, verdicts); stops early under --strict."""
    # Parsing and lowering make many small objects and no reference cycles. At the
    # default threshold (700 new objects) the cycle collector runs every line or two,
    # and its full collections walk every compiled expression the run keeps: 13 % of
    # a run of distinct expressions. Collecting young objects less often halves that.
    import gc
    threshold = gc.get_threshold()
    gc.set_threshold(max(threshold[0], YOUNG_OBJECTS), *threshold[1:])
    try:
        for first, lines in source.chunks():
            if not _jobs_chunk(run, first, lines, writer, progress, source.too_long):
                break
    finally:
        gc.set_threshold(*threshold)


def _jobs_chunk(run, first, lines, writer, progress, too_long=None):
    """Compute and write one chunk of job lines; False when --strict stops the run."""
    entries = chunk_jobs(run, first, lines, too_long)
    verdicts = judge(run, [(e[0], e[0], e[1], e[2]) for e in entries if not isinstance(e[2], Failure)])
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
