"""A command's batch mode (-f FILE, --points FILE, or job lines on standard input): the
batch layer reads and computes, the render layer writes; this wires the two together
and returns the exit code. `data` holds the options of large data sets (--input-format,
--output, --delimiter, --engine, --scheduler)."""
import os

from ..errors import StreamError, UsageError, printable


def main(command, expr, job_file, points, strict, fmt, precision, at, options, data=None):
    from ..batch.records import Run
    from ..language.point import parse_point
    data = data or {}
    if job_file is not None and points is not None:
        raise UsageError("give either -f FILE or --points FILE, not both")
    if points is not None and expr is None:
        raise UsageError("--points needs EXPR: adcli grad \"x*y\" --points points.csv")
    if job_file is not None and expr is not None:
        raise UsageError("give EXPR or -f FILE, not both: each line of a job file holds its own expression",
                         hint="for one expression at many points, use --points FILE")
    if points is None:
        for name in ("input_format", "delimiter", "engine", "scheduler"):
            if name in data:
                raise UsageError(f"--{name.replace('_', '-')} applies to --points FILE")
    if "scheduler" in data and data.get("engine") != "dask":
        raise UsageError("--scheduler applies to --engine dask")
    output = data.get("output")
    dask = data.get("engine") == "dask"   # writes a Parquet data set: adcli.dist.engine checks --output
    out_fmt = output_format(output, fmt) if output is not None and not dask else fmt
    run = Run(command, options, parse_point(at) if at else {}, strict)
    if points is not None:
        return _points(run, expr, points, data, out_fmt, precision)
    if out_fmt in ("parquet", "arrow"):
        raise UsageError(f"{out_fmt} output is for --points: job files mix expressions, so their results are "
                         f"written as text (.csv, .jsonl)")
    return _jobs(run, job_file, out_fmt, precision, output)


def output_format(path, fmt):
    """The format of --output PATH: its extension, or --format for any other name."""
    from ..render.columnar import OUTPUT_FORMATS
    ext = os.path.splitext(path)[1].lower()
    if ext in OUTPUT_FORMATS:
        return OUTPUT_FORMATS[ext]
    if fmt in ("json", "csv", "plain"):
        return fmt
    raise UsageError(f"cannot tell the format of --output {printable(path)} from its extension",
                     hint="name it .csv, .jsonl, .parquet or .arrow, or give --format json|csv|plain")


def _jobs(run, job_file, fmt, precision, output):
    from ..batch.jobfile import run_jobs
    from ..batch.stream import LineSource, open_input
    from ..render.batch import JobWriter
    from ..render.stream import Progress
    implicit = job_file is None
    stream = open_input(job_file, "the job lines")
    try:
        source = LineSource(stream, 1 << 18)
        progress = Progress(source, "lines", typed=job_file in (None, "-") and _typing())
        with _text_output(output) as out:
            try:
                writer = JobWriter(run.kind.fields, fmt, precision, out)
                run_jobs(run, source, writer, progress)
                if implicit and source.lineno == 0:
                    raise UsageError("missing EXPR: give an expression, as in adcli grad \"x^2\" --at x=3, "
                                     "or job lines on standard input")
                writer.close()
                return run.finish()
            finally:
                progress.close()
    finally:
        if job_file not in (None, "-"):
            stream.close()


def _points(run, expr, points, data, fmt, precision):
    from ..api import Function
    from ..batch.columnar import detect
    in_fmt = detect(points, data.get("input_format"))
    if data.get("engine") == "dask":
        from ..dist.engine import run_dask
        return run_dask(run, expr, points, in_fmt, data, fmt)
    f = Function(expr)
    output, delimiter = data.get("output"), data.get("delimiter", ",")
    stream = None
    if in_fmt == "csv":
        from ..batch.pointsfile import READ_SIZE
        from ..batch.stream import LineSource, open_input
        stream = open_input(points, "the points")
        source = LineSource(stream, READ_SIZE)
    else:
        from ..batch.columnar import open_points
        source = open_points(points, in_fmt)
    try:
        from ..render.stream import Progress
        progress = Progress(source, "rows", typed=points == "-" and _typing())
        try:
            if fmt in ("parquet", "arrow"):
                return _points_columnar(run, f, source, fmt, output, progress, delimiter)
            with _text_output(output) as out:
                return _points_text(run, f, source, fmt, precision, out, progress, delimiter)
        finally:
            progress.close()
    finally:
        if stream is not None and points != "-":
            stream.close()


def _points_text(run, f, source, fmt, precision, out, progress, delimiter):
    from ..batch.pointsfile import probe, run_points
    from ..render.batch import PointsWriter
    writer = run_points(run, f, source,
                        lambda header: PointsWriter(header, fmt, precision, out, lambda: probe(run, f)), progress,
                        delimiter)
    writer.close()
    return run.finish("rows")


def _typing():
    """Standard input is a terminal: its lines are being typed."""
    import sys

    from ..render.console import isatty
    return isatty(sys.stdin)


def _points_columnar(run, f, source, fmt, output, progress, delimiter):
    from ..batch.pointsfile import probe, run_points
    from ..render.columnar import ColumnWriter
    made = []

    def writer_for(header):
        made.append(ColumnWriter(header, fmt, output, lambda: probe(run, f)))
        return made[0]
    try:
        writer = run_points(run, f, source, writer_for, progress, delimiter)
        writer.close()
    except BaseException:
        for w in made:
            w.abort()
        raise
    return run.finish("rows")


class _text_output:
    """Standard output, or --output FILE (text, UTF-8), as adcli.render.stream.Output."""

    def __init__(self, path):
        self.path = path
        self.file = None

    def __enter__(self):
        from ..render.stream import FileOutput, Output
        if self.path is not None:
            try:
                self.file = open(self.path, "w", encoding="utf-8", newline="\n")
            except OSError as e:
                raise UsageError(f"cannot write {printable(self.path)}: {e.strerror or e}") from None
        self.out = FileOutput(self.file, self.path) if self.file else Output()
        return self.out.__enter__()

    def __exit__(self, *exc):
        self.out.__exit__(*exc)
        if self.file is not None:
            try:
                self.file.close()
            except OSError as e:
                if exc[0] is None:
                    raise StreamError(f"cannot write {printable(self.path)}: {e.strerror or e}") from None
        return False
