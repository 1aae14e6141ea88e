"""eval, grad and functions."""
import click

from ..api import Function, choose_mode
from ..errors import UsageError
from ..language.point import parse_point
from .options import (
    at_option,
    batch,
    batch_options,
    command,
    emit,
    explain_option,
    export_format_options,
    expr_argument,
    format_option,
    mode_option,
    read_as,
    warn_unused,
    wrt_option,
)


def _setup(expr, at):
    if expr is None:
        raise UsageError("missing EXPR: give an expression, as in adcli grad \"x^2\" --at x=3")
    # The point's vectors choose the lowered program (its lengths) and become elements
    return Function(expr).bind(parse_point(at))


def _explain(f, result):
    return [read_as(f)] + ([result.reason] if result.reason else [])


@command("eval")
@expr_argument
@at_option
@batch_options
@export_format_options
@explain_option
def eval_cmd(expr, at, job_file, points, strict, fmt, precision, explain):
    """Evaluate EXPR at a point, or at every point of a batch.

    \b
    Examples:
      adcli eval "sin(x)^2 + cos(x)^2" --at x=0.7
      adcli eval "a = x + y; b = x - y; a * b" --at x=3,y=2
      adcli eval "x^2, 2^x" --at x=3 --format json
      adcli eval "x*y" --points examples/points.csv --format csv
      adcli eval -f examples/jobs.txt --format json   # lines like: x^2 @ x=3
    """
    code = batch("eval", expr, job_file, points, strict, fmt, precision, at, explain)
    if code is not None:
        return code
    f, point = _setup(expr, at)
    warn_unused(f.program, point)
    result = f.eval(point)
    emit(result, fmt, precision, _explain(f, result) if explain else None)


@command("grad")
@expr_argument
@at_option
@wrt_option
@mode_option
@batch_options
@export_format_options
@explain_option
def grad_cmd(expr, at, wrt, mode, job_file, points, strict, fmt, precision, explain):
    """Value and gradient of EXPR at a point, or at every point of a batch, by
    automatic differentiation.

    \b
    Examples:
      adcli grad "(x+y)*(x-y)" --at x=3,y=2
      adcli grad "log(x1) + x1*x2 - sin(x2)" --at x1=2,x2=5 --format json
      adcli grad "x^y" --at x=2,y=3 --wrt y --mode forward
      adcli grad --at x=3 -- "-x^2"
      adcli grad "x*sin(y)" --points examples/points.csv --format csv > out.csv
      cat examples/jobs.txt | adcli grad --format json   # lines: EXPR @ POINT
    """
    code = batch("grad", expr, job_file, points, strict, fmt, precision, at, explain, wrt=wrt, mode=mode)
    if code is not None:
        return code
    f, point = _setup(expr, at)
    if len(f.program.outputs) != 1:
        raise UsageError(f"grad needs one output, got {len(f.program.outputs)}",
                         hint="differentiate several outputs with 'adcli jacobian'")
    if not point and f.program.inputs:
        _no_point(f)
    warn_unused(f.program, point, wrt)
    choose_mode(mode, 1, 1)
    result = f.grad(point, wrt=wrt, mode=mode)
    emit(result, fmt, precision, _explain(f, result) if explain else None)


def _no_point(f):
    """grad without --at: the derivative as a formula or program is what was likely wanted."""
    from ..errors import EvalError
    missing = f.program.inputs
    expr = f.expr
    quoted = (f'"{expr}"' if len(expr) <= 60 and expr.isprintable() and not any(c in expr for c in '"\\$`!')
              else "EXPR")
    raise EvalError(f"no value for variable{'s' if len(missing) > 1 else ''} {', '.join(missing)}",
                    hint="give every variable a value, as in --at " + ",".join(f"{v}=1" for v in missing)
                         + f"; for the derivative as a formula or a program, without a point: adcli diff {quoted}")


@command("functions")
@format_option(["text", "json", "plain"], "Output format.")
def functions_cmd(fmt):
    """List the functions and operators, their domains and the conventions at points
    where a derivative does not exist.

    \b
    Examples:
      adcli functions
      adcli functions --format json
    """
    from ..ops.table import CONSTANTS, PRIMS
    prims = [p for p in PRIMS.values() if p.kind != "internal"]
    rows = [(p.display, p.arity, p.kind, p.doc or p.template.format(*"xy", p="c"), p.domain,
             p.note) for p in prims]
    if fmt == "json":
        from ..render.text import dumps
        click.echo(dumps({"functions": [{"name": p.name, "symbol": r[0],
                                         **dict(zip(("arity", "kind", "meaning", "domain", "convention"), r[1:]))}
                                        for p, r in zip(prims, rows)],
                          "constants": CONSTANTS}))
        return
    if fmt == "plain":
        for r in rows:
            click.echo("\t".join(str(c) for c in r))
        return
    from ..render.tables import print_functions
    print_functions(rows)
