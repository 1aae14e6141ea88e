"""--engine dask: a --points job run on a Dask cluster, one task per partition of the data
set (a file, row groups of a big file, or a block of lines of a CSV file), each writing one file of the output Parquet
data set: DIR/part.00000.parquet, ... in input order, as Spark and Dask write data sets.

A task is idempotent: it writes its part under a temporary name and renames it into
place, so a task that Dask runs again (its worker died) leaves nothing half-written and
no second copy. The client adds up the tasks' counts and shows their warnings and first
failure in input order, as a local run would."""
import os

from ..errors import AdcliError, StreamError, UsageError, printable, warn

ROWS_PER_PART = 1 << 20     # rows of a partition when one big Parquet file is split by row groups
BLOCK_MAX = 64 << 20        # bytes of a block of a CSV file (about a million rows of three numbers)
PARQUET_EXTENSIONS = ("", ".parquet", ".pq", ".parq")


class TaskError(AdcliError):
    """An error a task reported, with the exit code it had on the worker."""

    def __init__(self, message, hint, exit_code):
        super().__init__(message, hint=hint)
        self.exit_code = exit_code


def run_dask(run, expr, points, in_fmt, data, fmt):
    """The exit code of a --points job on Dask."""
    from ..api import Function
    from ..batch.columnar import DataSet
    from ..batch.pointsfile import check_names
    from .cluster import client, dask_modules
    output = data.get("output")
    if output is None:
        raise UsageError("--engine dask writes a Parquet data set: give its directory with --output DIR",
                         hint="for example: --output results.parquet")
    if os.path.splitext(output)[1].lower() not in PARQUET_EXTENSIONS:
        raise UsageError(f"--engine dask writes a Parquet data set, one file per partition: "
                         f"--output {printable(output)} names another format",
                         hint="name the directory like results.parquet")
    if run.strict:
        raise UsageError("--strict stops at the first failure in row order, which partitions run in "
                         "parallel do not have: leave it out with --engine dask")
    if points == "-":
        raise UsageError("--engine dask reads the points from a file that every worker can open, "
                         "not from standard input")
    dask_modules()
    # Everything that is wrong on every row is found here, once, before a cluster starts.
    f = Function(expr)
    if run.kind.check:
        run.kind.check(f, run.options)
    delimiter = data.get("delimiter", ",")
    if in_fmt == "csv":
        from ..batch.blocks import header_line
        from ..batch.pointsfile import Header
        text, body = header_line(points)
        header = Header(text, 1, f, run.defaults, delimiter)
    else:
        dataset = DataSet(points, in_fmt)
        header = dataset.header_for(f, run.defaults)
    check_names(run, f, header)
    _check_output(output)
    with client(data.get("scheduler")) as c:
        _create(output)
        parts = dataset.parts(ROWS_PER_PART) if in_fmt != "csv" else csv_blocks(c, points, text, body, delimiter)
        tasks = [{"command": run.command, "expr": expr, "options": dict(run.options),
                  "defaults": dict(run.defaults), "part": part,
                  "output": os.path.join(output, f"part.{i:05d}.parquet")}
                 for i, part in enumerate(parts)]
        summaries = gather(c, tasks)
    _tidy(output)
    return settle(run, summaries)


def csv_blocks(c, path, header, body, delimiter):
    """The blocks of a CSV file (about four per worker, 1 MiB to BLOCK_MAX each), with
    the number of each one's first line, counted on the workers."""
    from ..batch.blocks import Block, count_lines, cut
    workers = max(1, len(c.scheduler_info().get("workers", {})))
    size = os.path.getsize(path) - body
    spans = cut(path, body, max(1 << 20, min(BLOCK_MAX, size // (4 * workers) + 1)))
    counts = _gathered(c, c.map(count_lines, [path] * len(spans), [s for s, _ in spans], [e for _, e in spans],
                                pure=False))
    blocks, first = [], 2
    for (start, end), n in zip(spans, counts):
        blocks.append(Block(path, start, end, first, header, delimiter))
        first += n
    return blocks


def gather(c, tasks):
    """The tasks' summaries in task order; a task that failed on every try becomes one
    error (a worker that kept dying: Dask's KilledWorker)."""
    from .partition import run_part
    return _gathered(c, c.map(run_part, tasks, pure=False))


def _gathered(c, futures):
    try:
        return c.gather(futures)
    except AdcliError:
        raise
    except Exception as e:  # noqa: BLE001 - Dask's errors: KilledWorker, a lost scheduler
        raise StreamError(f"the Dask cluster could not finish the job: {type(e).__name__}: "
                          f"{printable(str(e).splitlines()[0] if str(e) else '')}") from None


def settle(run, summaries):
    """Counts, warnings and the first failure of all partitions, in input order."""
    from ..batch.records import MAX_WARNINGS
    for s in summaries:
        if "error" in s:
            e = s["error"]
            raise TaskError(e["message"], e["hint"], e["exit_code"])
    shown = 0
    for s in summaries:
        run.jobs += s["rows"]
        run.failed += s["failed"]
        if s["first_failure"] and run.first_failure is None:
            run.first_failure = _Said(s["first_failure"])
        for line in s["messages"]:   # the first MAX_WARNINGS lines that warned, as a local run shows them
            if shown < MAX_WARNINGS:
                for m in line:
                    warn(m)
                shown += 1
            else:
                run.unshown += 1
        run.unshown += s["unshown"]
    return run.finish("rows")


class _Said:
    """A failure described by a worker."""

    def __init__(self, text):
        self._text = text

    def text(self):
        return self._text


def _check_output(output):
    if os.path.exists(output):
        if not os.path.isdir(output):
            raise UsageError(f"--output {printable(output)} is a file; --engine dask writes a directory")
        if os.listdir(output):
            raise UsageError(f"--output {printable(output)} exists and is not empty",
                             hint="remove it or name another directory: a data set is never mixed with an older one")


def _create(output):
    try:
        os.makedirs(output, exist_ok=True)
    except OSError as e:
        raise UsageError(f"cannot create {printable(output)}: {e.strerror or e}") from None


def _tidy(output):
    """Remove what a task on a worker that died left: its unfinished temporary file."""
    for name in os.listdir(output):
        if name.startswith(".") and name.endswith(".tmp"):
            try:
                os.unlink(os.path.join(output, name))
            except OSError:
                pass
