"""fit, minimize and solve: derivatives at work. The solvers (adcli.api.optimize) load
scipy when they run; a live table of iterations goes to stderr on a terminal."""
import math
import sys

import click

from ..errors import ExitCode, UsageError, warn
from .options import (
    EPILOG_EXPR,
    ExprText,
    at_option,
    batch,
    batch_options,
    command,
    expr_argument,
    format_options,
    warn_unused,
)

EXIT = ("Exit codes: 0 converged, 1 did not converge (the best point found is printed), 2 usage or "
        "parse error (scipy missing: pip install \"adcli[solve]\"), 130 interrupted (the best point so far "
        "is printed).")


def quiet_option(f):
    return click.option("--quiet", "-q", is_flag=True,
                        help="No table of iterations (it appears on stderr only on a terminal anyway).")(f)


def _observer(quiet, heads):
    """The live table of iterations: on a terminal only, and not with --quiet."""
    if quiet:
        return None
    try:
        if not sys.stderr.isatty():
            return None
    except (AttributeError, ValueError):
        return None
    from ..render.optimize import Iterations
    return Iterations(heads)


def _show(r, fmt, precision, **table):
    from ..render import optimize_data as out
    for w in r.warnings:
        warn(w)
    if fmt == "table":
        from ..render.optimize import print_table
        print_table(r, precision, **table)
    elif fmt == "json":
        from ..render.text import dumps
        sys.stdout.write(dumps(out.record(r)) + "\n")
    elif fmt == "csv":
        out.write_csv(r)
    else:
        sys.stdout.write("".join(line + "\n" for line in out.plain_lines(r, precision)))
    if r.interrupted:
        sys.stderr.write("adcli: interrupted\n")
        return ExitCode.INTERRUPTED
    if not r.converged:
        warn(r.message)
        return ExitCode.EVAL
    return 0


def _run(observer, work):
    try:
        return work()
    finally:
        if observer is not None:
            observer.close()


@command("fit")
@click.argument("model", required=False, type=ExprText())
@click.option("--data", "data_file", metavar="FILE", help="CSV file with a header naming its columns ('-' reads "
              "standard input), or a Parquet or Arrow file, directory or glob (read a chunk at a time).")
@at_option
@click.option("--weights", metavar="COLUMN", help="A column of weights w: minimize sum w*(response - model)^2 "
              "(w = 1/variance of each observation).")
@click.option("--explain", is_flag=True, help="Also show the correlation matrix of the estimates.")
@click.option("--plot", is_flag=True, help="Draw the data and the fitted curve (a model of one predictor).")
@click.option("--engine", type=click.Choice(["local", "dask"]), default=None,
              help="Where the passes over a Parquet or Arrow data set run: here (local, the default) or on "
                   "Dask, each partition on a worker (pip install \"adcli[dask]\").")
@click.option("--scheduler", metavar="ADDRESS", help="With --engine dask: the address of a running Dask "
              "scheduler (tcp://host:8786); without it a local cluster is started.")
@quiet_option
@format_options
def fit_cmd(model, data_file, at, weights, explain, plot, engine, scheduler, quiet, fmt, precision):
    """Fit MODEL's parameters to data by least squares, with the exact Jacobian.

    MODEL is `response = expression`, as in y = b1*(1 - exp(-b2*x)): names that are
    columns of the data file are data, every other name is a parameter and needs a
    starting value in --at. The left side may be an expression of columns
    (log(y) = b1 - b2*x). The Jacobian of the residuals comes from AD at every
    observation at once; the solver is MINPACK's Levenberg-Marquardt (scipy).

    A Parquet or Arrow data set (a file, a directory or a glob) is never held in
    memory: each iteration is one pass over it, a map-reduce of JᵀJ, Jᵀr and the
    residual sum of squares over its partitions (here, or on Dask with --engine dask),
    and the step is Levenberg-Marquardt's on those normal equations.

    Prints the estimates, their standard errors (s²·(JᵀJ)⁻¹ with s² = RSS/(n − p), as
    NIST certifies them), the residual sum of squares and standard deviation, the
    degrees of freedom, the iterations, and whether and why it converged.

    \b
    JSON: {"model", "params", "stderr", "rss", "rsd", "dof", "n", "iterations",
           "converged", "message"} (+ "correlation" with --explain)

    \b
    Examples:
      adcli fit "y = b1*(1 - exp(-b2*x))" --data tests/data/nist/misra1a.csv --at b1=500,b2=1e-4
      adcli fit "y = b1*(1 - exp(-b2*x))" --data tests/data/nist/misra1a.csv --at b1=500,b2=1e-4 --plot
      adcli fit "y = b1*(1 - exp(-b2*x))" --data tests/data/nist/boxbod.csv --at b1=100,b2=0.75 --format json
    """
    from ..api.optimize.fit import fit, split_names
    from ..batch.datafile import read_data
    from ..language.model import model_program
    from ..language.point import parse_point
    if model is None:
        raise UsageError('missing MODEL: give it as response = expression, as in '
                         'adcli fit "y = b1*(1 - exp(-b2*x))" --data FILE --at b1=1,b2=1')
    if data_file is None:
        raise UsageError("fit needs the data: --data FILE, a CSV file whose header names the columns")
    if scheduler is not None and engine != "dask":
        raise UsageError("--scheduler applies to --engine dask")
    program, _, _ = model_program(model)
    start = parse_point(at) if at else {}
    if engine == "dask" or _columnar(data_file):
        return _fit_dataset(model, program, data_file, start, weights, engine, scheduler, explain, plot, quiet,
                            fmt, precision)
    data = read_data(data_file)
    names = set(data.names)
    columns, params = split_names(program, names)
    if weights is not None and weights not in names:
        raise UsageError(f"--weights names '{weights}', which is not a column of the data file")
    unused = [v for v in start if v not in program.input_index]
    for v in unused:
        warn(f"'{v}' has a value but does not appear in the model")
    values = {c: data.column(c) for c in columns}
    w = data.column(weights) if weights is not None else None
    observer = _observer(quiet, ("k", "rss", "max |J'r|"))
    r = _run(observer, lambda: fit(model, values, start, w, observer, program=program))
    r.explain = explain
    return _show(r, fmt, precision, plot=plot, data_name=None if data_file == "-" else data_file)


def _columnar(path):
    if path in (None, "-"):
        return False
    from ..batch.columnar import detect
    return detect(path) != "csv"


def _fit_dataset(model, program, path, start, weights, engine, scheduler, explain, plot, quiet, fmt, precision):
    """fit with one map-reduce over the data set per iteration (adcli.dist.fit)."""
    from ..dist.fit import fit_dataset
    if plot:
        raise UsageError("--plot draws every observation, which needs the data in memory: it works with a "
                         "CSV data file, not with a Parquet or Arrow data set or --engine dask")
    if path == "-":
        raise UsageError("--engine dask reads the data from a file that every worker can open, "
                         "not from standard input")
    if not _columnar(path):
        raise UsageError("fit --engine dask reads a Parquet or Arrow data set (a file, a directory or a glob); "
                         "a CSV data file is fitted in memory, without --engine",
                         hint="convert the CSV once with pyarrow (pyarrow.csv.read_csv, pyarrow.parquet.write_table)")
    for v in start:
        if v not in program.input_index:
            warn(f"'{v}' has a value but does not appear in the model")
    observer = _observer(quiet, ("k", "rss", "max |J'r|"))
    r = _run(observer, lambda: fit_dataset(model, path, start, weights, engine or "local", scheduler,
                                           observer=observer))
    r.explain = explain
    return _show(r, fmt, precision, data_name=path)


fit_cmd.epilog = f"{EPILOG_EXPR}\n\nMODEL is the EXPR of the other commands: @FILE and @- work the same.\n\n{EXIT}"


def _bounds(ctx, param, values):
    """--bounds x=0:1,y=-inf:5 as {name: (low, high)}; an empty side is unbounded."""
    if not values:
        return None
    from ..language.point import constant_value, split_top
    out = {}
    for text in values:
        for offset, piece in split_top(text):
            if not piece.strip():
                continue
            name, eq, rng = piece.partition("=")
            name = name.strip()
            if not eq or ":" not in rng:
                raise UsageError("--bounds takes name=low:high pairs, as in x=0:1,y=-inf:5", text, offset)
            lo, _, hi = rng.partition(":")
            at = offset + len(name) + 1
            low = constant_value(lo, text, at) if lo.strip() else -math.inf
            high = constant_value(hi, text, at + len(lo) + 1) if hi.strip() else math.inf
            if name in out:
                raise UsageError(f"--bounds names '{name}' twice", text, offset)
            out[name] = (low, high)
    return out


@command("minimize")
@expr_argument
@at_option
@click.option("--bounds", multiple=True, metavar="BOUNDS", callback=_bounds,
              help="Box constraints, as x=0:1,y=-inf:5 (an empty side is unbounded).")
@click.option("--method", type=click.Choice(["auto", "newton", "bfgs"]), default="auto", show_default=True,
              help="newton: trust region with the exact Hessian; bfgs: quasi-Newton with the exact gradient "
                   "(L-BFGS-B within bounds or beyond 200 variables); auto: newton up to 200 variables.")
@quiet_option
@batch_options
@format_options
def minimize_cmd(expr, at, bounds, method, quiet, job_file, points, strict, fmt, precision):
    """A local minimum of EXPR from the starting point --at, with exact derivatives.

    Newton's method in a trust region with the exact Hessian (forward-over-reverse AD),
    or BFGS with the exact gradient (one reverse sweep); when one stalls, the other
    goes on from its best point. On a terminal the iterations appear on stderr as
    they go (k, f, the gradient's max-norm); --quiet hides them.

    In a batch (-f FILE: one 'EXPR @ START' a line; --points CSV: one start a row)
    each line is minimized on its own, and one that does not converge is a failed line.

    \b
    JSON: {"expr", "at" (the start), "x", "value", "gradient_norm", "method",
           "iterations", "converged", "message"}

    \b
    Examples:
      adcli minimize "100*(y - x^2)^2 + (1 - x)^2" --at x=-1.2,y=1
      adcli minimize "(x - 3)^2 + y^2" --at x=0,y=1 --bounds x=0:2 --format json
      adcli minimize -f examples/jobs-minimize.txt --format csv
    """
    code = batch("minimize", expr, job_file, points, strict, fmt, precision, at, bounds=bounds, method=method)
    if code is not None:
        return code
    from ..api import Function
    from ..api.optimize.minimize import minimize
    from ..language.point import parse_point
    if expr is None:
        raise UsageError('missing EXPR: give an expression, as in adcli minimize "(x-1)^2 + y^2" --at x=0,y=0')
    f, start = _bound(Function(expr), parse_point(at) if at else {})
    warn_unused(f.program, start)
    observer = _observer(quiet, ("k", "f", "max |gradient|"))
    r = _run(observer, lambda: minimize(expr, start, bounds, method, observer, program=f.program))
    return _show(r, fmt, precision)


@command("solve")
@expr_argument
@at_option
@click.option("--tol", type=float, default=None, metavar="TOL",
              help="A root is a point where every |F_i| <= TOL (default 1e-10).")
@quiet_option
@batch_options
@format_options
def solve_cmd(expr, at, tol, quiet, job_file, points, strict, fmt, precision):
    """A root of the square system "F1, F2, ..." = 0 (as many equations as unknowns;
    one equation in one unknown works the same), from the starting point --at.

    Newton's method in a trust region with the exact Jacobian at every step (MINPACK's
    Levenberg-Marquardt, scipy). A point counts as a root when every |F_i| <= TOL; a
    search that stalls at a local minimum of the sum of squares that is not a root has
    not converged (exit 1), and says so. On a terminal the iterations appear on stderr
    as they go (k, max |F_i|, max |JᵀF|); --quiet hides them.

    In a batch (-f FILE: one 'EXPR @ START' a line; --points CSV: one start a row)
    each line is solved on its own, and one that does not converge is a failed line.

    \b
    JSON: {"expr", "at" (the start), "x", "residual" (max |F_i|), "values" (F),
           "iterations", "converged", "message"}

    \b
    Examples:
      adcli solve "x^2 - 2" --at x=1
      adcli solve "x^2 + y^2 - 4, x*y - 1" --at x=2,y=0.5 --format json
      adcli solve -f examples/jobs-solve.txt
    """
    code = batch("solve", expr, job_file, points, strict, fmt, precision, at, tol=tol)
    if code is not None:
        return code
    from ..api import Function
    from ..api.optimize.solve import TOL, solve
    from ..language.point import parse_point
    if expr is None:
        raise UsageError('missing EXPR: give the equations, as in adcli solve "x^2 - 2" --at x=1')
    f, start = _bound(Function(expr), parse_point(at) if at else {})
    warn_unused(f.program, start)
    observer = _observer(quiet, ("k", "max |F_i|", "max |J'F|"))
    r = _run(observer, lambda: solve(expr, start, tol if tol is not None else TOL, observer, program=f.program))
    return _show(r, fmt, precision)


def _bound(f, start):
    """(the Function for the start's vector lengths, the start with each vector as its
    elements x[1] .. x[n]): a vector variable's length comes from its starting value."""
    if f.vectors:
        missing = [v for v in f.vectors if v not in start]
        if missing:
            v = missing[0]
            raise UsageError(f"no starting value for the vector {v}: its length comes from it",
                             hint=f"give it with --at, as in --at {v}=[1,2,3] or --at {v}=@start.txt")
    return f.bind(start)


minimize_cmd.epilog = solve_cmd.epilog = f"{EPILOG_EXPR}\n\n{EXIT}"
