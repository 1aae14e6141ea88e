"""Options shared by commands, and the code that prints a result in any format."""
import sys

import click

from .. import __version__
from ..cli import ExprCommand, warn
from ..errors import UsageError
from ..output import FORMATS

EPILOG_EXIT = "Exit codes: 0 success, 1 evaluation failure, 2 usage or parse error."


def command(name, **kw):
    """A command that accepts an expression starting with '-' and has --version/--help."""
    def deco(f):
        f = click.version_option(__version__, "-V", "--version", prog_name="adcli",
                                 message="%(prog)s %(version)s")(f)
        return click.command(name, cls=ExprCommand, epilog=EPILOG_EXIT,
                             context_settings={"help_option_names": ["-h", "--help"]}, **kw)(f)
    return deco


def at_option(f):
    return click.option("--at", "at", multiple=True, metavar="POINT",
                        help="The point: x=3,y=2 (repeatable; values may be constant "
                             "expressions such as pi/4). In a batch: values for the variables "
                             "a line or row does not give.")(f)


def format_options(f):
    f = click.option("--precision", type=click.IntRange(1, 17), default=None, metavar="N",
                     help="Significant digits in table and plain output (default: all that "
                          "round-trip). Never applied to JSON or CSV.")(f)
    f = click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True,
                     help="Output format. json and csv are for programs; plain is one value a line.")(f)
    return f


def mode_option(f):
    return click.option("--mode", type=click.Choice(["auto", "forward", "reverse"]), default="auto",
                        show_default=True,
                        help="AD mode. auto takes the one needing fewer sweeps: reverse when there are "
                             "fewer outputs than variables.")(f)


def wrt_option(f):
    return click.option("--wrt", metavar="VARS",
                        help="Variables to differentiate with respect to, as x,y (default: all, "
                             "in order of first appearance).")(f)


def explain_option(f):
    return click.option("--explain", is_flag=True,
                        help="Also show how the expression was read (fully parenthesized) and "
                             "which AD mode ran and why.")(f)


def batch_options(f):
    """-f FILE, --points CSV and --strict: run the command on many jobs (adcli.batch)."""
    f = click.option("--strict", is_flag=True,
                     help="With -f or --points: stop at the first line that fails (exit 1).")(f)
    f = click.option("--points", metavar="CSV",
                     help="Run EXPR at every row of a CSV file whose header names the variables "
                          "('-' reads standard input). Extra columns are carried through.")(f)
    f = click.option("-f", "--file", "job_file", metavar="FILE",
                     help="Run the jobs in FILE, one 'EXPR @ POINT' per line ('-' reads standard "
                          "input, as does a missing EXPR when standard input is not a terminal).")(f)
    return f


def batch(command, expr, job_file, points, strict, fmt, precision, at, explain=False, **options):
    """The exit code of a batch run, or None when the command runs on one point.
    options are the command's own (wrt=, mode=, ...), passed to its job function."""
    if job_file is None and points is None:
        if expr is not None or not _stdin_has_jobs():
            if strict:
                raise UsageError("--strict applies to -f FILE and --points CSV")
            return None
    if explain:
        raise UsageError("--explain works on one point, not on a batch")
    from ..batch import main
    return main(command, expr, job_file, points, strict, fmt, precision, at, options)


def _stdin_has_jobs():
    """Standard input can hold job lines: it is open, readable and not a terminal."""
    try:
        return sys.stdin is not None and sys.stdin.readable() and not sys.stdin.isatty()
    except (AttributeError, ValueError, OSError):
        return False


def warn_unused(program, point, wrt=()):
    for name in point:
        if name not in program.inputs and name not in (wrt or ()):
            warn(f"'{name}' has a value but does not appear in the expression")


def emit(result, command, fmt, precision, explain_lines=None):
    for w in result.warnings:
        warn(w)
    if fmt == "json":
        from ..output import write_json
        write_json(result, command)
    elif fmt == "csv":
        from ..output import write_csv
        write_csv(result, command)
    elif fmt == "plain":
        from ..output import write_plain
        write_plain(result, command, precision)
    else:
        from ..tables import print_result
        print_result(result, command, precision, explain_lines)
    if explain_lines and fmt != "table":
        for line in explain_lines:
            sys.stderr.write(line + "\n")
