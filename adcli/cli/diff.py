"""diff: the derivative as a program or a formula."""
import sys

import click

from ..api import Function
from ..errors import UsageError
from ..language.point import parse_point
from .options import command, expr_argument, mode_option, point_option, read_as, wrt_option


@command("diff")
@expr_argument
@wrt_option
@mode_option
@click.option("--length", "length", metavar="LENGTHS", multiple=True,
              help="The length of each vector the expression indexes, as x=3,y=2 (repeats merge): the "
                   "program is written for vectors of these lengths, its inputs x[1] .. x[3].")
@point_option("A point whose vectors give the lengths instead, in grad's syntax: x=[1,2,3], x=@FILE "
              "or @FILE.json (only the vectors' lengths are used; numbers are ignored).")
@click.option("--to", "to", type=click.Choice(["adcli", "python", "numpy", "c", "latex"]), default="adcli",
              show_default=True,
              help="The language of the program: adcli (reads back with 'adcli eval @FILE'), python "
                   "(math only), numpy (over arrays), c (C99, math.h) or latex (an align* block).")
@click.option("--inline", is_flag=True,
              help="One formula per derivative instead of a program (small expressions only): the AD "
                   "program with its statements substituted, not a computer algebra result.")
@click.option("--explain", is_flag=True,
              help="Also show how the expression was read and the sizes: IR nodes, program statements "
                   "and the bound they stay within (on standard error).")
def diff_cmd(expr, wrt, mode, length, at, to, inline, explain):
    """The derivative of EXPR as a program: its statements (the primal), then the tangent
    (forward mode) or adjoint (reverse mode) statements, from the same rules and
    conventions as 'adcli grad'. No point is needed.

    The default target, adcli, is a program in adcli's own language whose outputs are
    f, df_dx, df_dy, ...: 'adcli eval @d.adc --at P' prints what 'adcli grad EXPR --at P'
    prints, to the bit. python and numpy define grad(x0, x1, ...) returning (value,
    [derivatives]); c defines double adcli_grad(const double *in, double *grad). The
    arguments are the --wrt variables in order, then the others in order of first
    appearance.

    An expression that indexes a vector (x[i], len(x), sum(i = 1:len(x), ...)) is written
    for vectors of given lengths: --length x=3, or --at x=[1,2,3] as for grad. Its
    elements are the variables x[1], x[2], x[3], in order and in place of x: the adcli
    program reads them as x[1] .. and names their derivatives df_dx_1, ...; python, numpy
    and c take them as separate arguments, in that order (for x of length 3 and y:
    grad(x0, x1, x2, x3) with x0 = x[1], ..., x3 = y; in[0..3] in C); latex writes
    x_{1}. --explain lists the arguments.

    \b
    Examples:
      adcli diff "(x+y)*(x-y)"
      adcli diff "x^2*sin(y)" --inline
      adcli diff "log(x1) + x1*x2 - sin(x2)" --to python > grad.py
      adcli diff "x*exp(-y)" --to c --wrt y,x
      adcli diff "(x+y)*(x-y)" --to latex --mode reverse
      adcli diff "sum(i = 1:len(x), x[i]^2) * y" --length x=3 --to python
    """
    from ..api import diff
    if expr is None:
        raise UsageError("missing EXPR: give an expression, as in adcli diff \"x^2\"")
    f = diff.specialise(Function(expr), _lengths(length), parse_point(at))
    dp = diff.program_of(f, wrt, mode)
    if inline:
        for label, formula in diff.inline(f, dp):
            click.echo(f"{label} = {formula}")
        click.echo(f"# the {dp.mode}-mode AD program with its statements substituted, not simplified by "
                   "computer algebra")
    else:
        click.echo(diff.source(dp, to), nl=False)
    if explain:
        c = diff.counts(f, dp)
        helpers = (f", plus {c['helper_statements']} in {c['helpers']} partial-derivative helper"
                   f"{'s' if c['helpers'] != 1 else ''}" if c["helpers"] else "")
        if to != "adcli" and not inline:
            what = "in[{}]" if to == "c" else "x{}"
            sys.stderr.write("arguments: " + ", ".join(f"{what.format(k)} = {v}" for k, v in enumerate(dp.variables))
                             + "\n")
        sizes = f.program.vectors
        if sizes:
            sys.stderr.write("lengths: " + ", ".join(f"{v} = {n}" for v, n in sizes) + "\n")
        sys.stderr.write(f"{read_as(f)}\n{dp.mode} mode: IR of {c['ir']} nodes; derivative program of "
                         f"{c['statements']} statements{helpers} (bound: 4 x {c['ir']} + 16 = {c['bound']})\n")


def _lengths(texts):
    """{name: n} from --length x=3,y=2 (repeats merge)."""
    from ..language.point import split_top
    from ..language.values import is_name
    got = {}
    for text in texts:
        for offset, piece in split_top(text):
            if not piece.strip():
                continue
            at = offset + len(piece) - len(piece.lstrip())
            name, eq, value = piece.partition("=")
            name, value = name.strip(), value.strip()
            if not eq or not is_name(name):
                raise UsageError(f"expected name=length, got '{piece.strip()}'", text, at,
                                 "write the lengths as x=3,y=2")
            if name in got:
                raise UsageError(f"--length gives '{name}' twice", text, at)
            if not (value.isascii() and value.isdigit()) or int(value) < 1:
                raise UsageError(f"the length of {name} must be a whole number of at least 1, got '{value}'",
                                 text, offset + len(piece) - len(piece.partition("=")[2].lstrip()),
                                 "a vector has 1 or more elements, as in x=3")
            got[name] = int(value)
    return got
