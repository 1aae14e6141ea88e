"""diff: the derivative as a program or a formula."""
import sys

import click

from ..api import Function
from ..errors import UsageError
from .options import command, expr_argument, mode_option, read_as, wrt_option


@command("diff")
@expr_argument
@wrt_option
@mode_option
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
def diff_cmd(expr, wrt, mode, to, inline, explain):
    """The derivative of EXPR as a program: its statements (the primal), then the tangent
    (forward mode) or adjoint (reverse mode) statements, from the same rules and
    conventions as 'adcli grad'. No point is needed.

    The default target, adcli, is a program in adcli's own language whose outputs are
    f, df_dx, df_dy, ...: 'adcli eval @d.adc --at P' prints what 'adcli grad EXPR --at P'
    prints, to the bit. python and numpy define grad(x0, x1, ...) returning (value,
    [derivatives]); c defines double adcli_grad(const double *in, double *grad). The
    arguments are the --wrt variables in order, then the others in order of first
    appearance.

    \b
    Examples:
      adcli diff "(x+y)*(x-y)"
      adcli diff "x^2*sin(y)" --inline
      adcli diff "log(x1) + x1*x2 - sin(x2)" --to python > grad.py
      adcli diff "x*exp(-y)" --to c --wrt y,x
      adcli diff "(x+y)*(x-y)" --to latex --mode reverse
    """
    from ..api import diff
    if expr is None:
        raise UsageError("missing EXPR: give an expression, as in adcli diff \"x^2\"")
    f = Function(expr)
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
        sys.stderr.write(f"{read_as(f)}\n{dp.mode} mode: IR of {c['ir']} nodes; derivative program of "
                         f"{c['statements']} statements{helpers} (bound: 4 x {c['ir']} + 16 = {c['bound']})\n")
