"""A command's batch mode (-f FILE, --points CSV, or job lines on standard input): the
batch layer reads and computes, the render layer writes; this wires the two together
and returns the exit code."""
from ..errors import UsageError


def main(command, expr, job_file, points, strict, fmt, precision, at, options):
    from ..batch.records import Run
    from ..batch.stream import LineSource, open_input
    from ..language.point import parse_point
    from ..render.stream import Output, Progress
    if job_file is not None and points is not None:
        raise UsageError("give either -f FILE or --points CSV, not both")
    if points is not None and expr is None:
        raise UsageError("--points needs EXPR: adcli grad \"x*y\" --points points.csv")
    if job_file is not None and expr is not None:
        raise UsageError("give EXPR or -f FILE, not both: each line of a job file holds its own expression",
                         hint="for one expression at many points, use --points CSV")
    implicit = job_file is None and points is None
    run = Run(command, options, parse_point(at) if at else {}, strict)
    stream = open_input(points if points is not None else job_file,
                        "the points" if points is not None else "the job lines")
    try:
        if points is not None:
            from ..batch.pointsfile import READ_SIZE
            source = LineSource(stream, READ_SIZE)
        else:
            source = LineSource(stream, 1 << 18)
        typed = (points if points is not None else job_file) in (None, "-") and _typing()
        progress = Progress(source, "rows" if points is not None else "lines", typed=typed)
        with Output() as out:
            try:
                if points is not None:
                    return _points(run, expr, source, fmt, precision, out, progress)
                from ..batch.jobfile import run_jobs
                from ..render.batch import JobWriter
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
        if (points if points is not None else job_file) not in (None, "-"):
            stream.close()


def _points(run, expr, source, fmt, precision, out, progress):
    from ..api import Function
    from ..batch.pointsfile import probe, run_points
    from ..render.batch import PointsWriter
    f = Function(expr)
    writer = run_points(run, f, source,
                        lambda header: PointsWriter(header, fmt, precision, out, lambda: probe(run, f)), progress)
    writer.close()
    return run.finish("rows")


def _typing():
    """Standard input is a terminal: its lines are being typed."""
    import sys

    from ..render.console import isatty
    return isatty(sys.stdin)
