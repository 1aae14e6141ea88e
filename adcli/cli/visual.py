"""trace, graph, parse and plot: commands that show what AD does."""
import sys

import click

from ..api import MAX_ORDER
from ..errors import UsageError
from ..language.point import parse_point
from .options import (
    case_slips,
    command,
    dir_option,
    expr_argument,
    format_option,
    one_var_option,
    point_option,
    warn_unused,
)

# Why trace, graph and plot take no batches (-f FILE, --points CSV, job lines on stdin).
NO_BATCH = {
    "trace": "a trace is a table of steps per point, not one record per line",
    "graph": "a graph is one drawing of the expression, not one record per point",
    "plot": "a plot already runs over a range of points",
}

DRAWN_ORDERS = 4  # render_plot has 5 markers and colours: f and 4 derivatives


def _bound(expr, point, example, command=None):
    """(the program for the point's vector lengths, the point with vectors as elements)."""
    _program(expr, example, command, lower=False)
    from ..api import Function
    f, flat = Function(expr).bind(point)
    return f.program, flat


def _program(expr, example='trace "x*y" --at x=3,y=2', command=None, lower=True):
    if expr is None:
        from .options import _stdin_has_jobs
        hint = None
        if command in NO_BATCH and _stdin_has_jobs():
            hint = f"{command} does not read job lines from standard input: {NO_BATCH[command]}"
        raise UsageError(f"missing EXPR: give an expression, as in adcli {example}", hint=hint)
    if not lower:
        return None
    from ..api import parse
    return parse(expr)


def _refuse(command):
    raise UsageError(f"{command} does not read job files, --points or job lines on standard input: "
                     f"{NO_BATCH[command]}",
                     hint="run it once per point, e.g. in a shell loop; eval, grad, jacobian, hessian, "
                          "jvp, vjp, taylor and check take batches")


def no_batch(command):
    """-f/--file and --points, hidden, as a usage error that says why (not click's
    'no such option', nor -f taken as the expression)."""
    def refuse(ctx, param, value):
        if value is not None:
            _refuse(command)
        return value

    def deco(f):
        f = click.option("--points", hidden=True, expose_value=False, callback=refuse)(f)
        return click.option("-f", "--file", hidden=True, expose_value=False, callback=refuse)(f)
    return deco


def _warn_all(warnings):
    from ..errors import warn
    for w in warnings:
        warn(w)


def ascii_option(what):
    return click.option("--ascii", "ascii_", is_flag=True,
                        help=f"Pure ASCII output ({what}). Also used when the terminal encoding is "
                             "not UTF-8.")


AT_ONE = "repeatable; values may be constant expressions such as pi/4"


def precision_options(f):
    f = click.option("--decimals", type=click.IntRange(0, 17), default=None, metavar="N",
                     help="Instead of --precision: round printed values to N places after the point, "
                          "as textbooks do (--decimals 3 gives 0.693). Never applied to JSON or CSV.")(f)
    f = click.option("--precision", type=click.IntRange(1, 17), default=None, metavar="N",
                     help="Significant digits in the table (default: all that round-trip).")(f)
    return f


@command("trace")
@expr_argument
@point_option(f"The point: x=3,y=2 ({AT_ONE}).")
@click.option("--mode", type=click.Choice(["forward", "reverse"]), default="forward", show_default=True,
              help="forward: primal and tangent traces side by side. reverse: the primal trace, "
                   "then the adjoint trace in the order the reverse sweep runs it.")
@one_var_option("Forward mode: seed the tangent of VAR with 1 (default: the first variable).")
@dir_option("Forward mode: the seed direction, as x=1,y=0.5 (variables left out are 0).")
@format_option(["text", "json", "csv", "latex", "markdown"],
               "text, a table, for reading; json (the whole trace, with the adjoint steps) and csv (one line "
               "per variable) for programs; latex (booktabs) and markdown for lecture notes.")
@precision_options
@ascii_option("v_-1, vdot, vbar")
@no_batch("trace")
def trace_cmd(expr, at, mode, wrt, direction, fmt, precision, decimals, ascii_):
    """The evaluation trace of EXPR at a point, as in the textbooks (Griewank & Walther;
    Baydin et al. 2018): inputs v_-n+1 .. v_0, operations v_1, v_2, ... in evaluation
    order, each with its value and, in forward mode, its tangent; in reverse mode the
    adjoint trace follows, step by step in the order the sweep runs, with every
    accumulation into a variable used more than once shown as its own step.

    \b
    Examples:
      adcli trace "log(x1) + x1*x2 - sin(x2)" --at x1=2,x2=5 --decimals 3
      adcli trace "log(x1) + x1*x2 - sin(x2)" --at x1=2,x2=5 --mode reverse
      adcli trace "a = x + y; b = x - y; a * b" --at x=3,y=2 --wrt y
      adcli trace "x*y" --at x=3,y=2 --dir x=1,y=1 --format json
      adcli trace "a = x + y; b = x - y; a * b" --at x=3,y=2 --mode reverse --format latex

    No batches: -f and --points are refused (a trace is a table of steps per point,
    not one record per line); run it once per point.
    """
    from ..api import trace
    if precision is not None and decimals is not None:
        raise UsageError("give either --precision (significant digits) or --decimals (places after the point), "
                         "not both")
    program, point = _bound(expr, parse_point(at), 'trace "x*y" --at x=3,y=2', "trace")
    warn_unused(program, point)
    if wrt and direction:
        raise UsageError("give either --wrt or --dir, not both")
    if mode == "reverse" and (wrt or direction):
        raise UsageError("--wrt and --dir choose the tangent seed of a forward trace",
                         hint="a reverse trace seeds the output with ȳ = 1 and gives every x̄")
    seed = None
    if wrt:
        seed = {wrt: 1.0}
    elif direction:
        seed = direction
    t = trace.build(program, point, mode, seed, expr)
    _warn_all(t.warnings)
    from ..render import trace as render_trace
    if fmt == "json":
        render_trace.write_json(t, sys.stdout)
    elif fmt == "csv":
        render_trace.write_csv(t, sys.stdout)
    elif fmt in ("latex", "markdown"):
        from ..render.export import write_trace
        write_trace(t, fmt, precision, decimals)
    else:
        from ..render.console import console, wants_ascii
        con = console()
        render_trace.print_table(t, con, wants_ascii(ascii_, con), precision, decimals)


@command("parse")
@expr_argument
@point_option("Vector lengths for an expression that indexes vectors: x=[1,2,3] (or "
              "x=@FILE, @FILE.json); sums are unrolled for them.")
@format_option(["text", "json"], "Output format.")
def parse_cmd(expr, at, fmt):
    """Show how adcli reads EXPR: fully parenthesized, then the IR (a flat list of
    operations, common subexpressions merged, constants inline). An expression with
    vectors (x[i], len(x), sum over them) is lowered for the lengths given with --at.

    \b
    Examples:
      adcli parse "-x^2 + 2^3^2"
      adcli parse "a = x + y; b = x - y; a * b"
      adcli parse "sin(x)^2 + sin(x)" --format json
      adcli parse "sum(i = 1:len(x), x[i]^2)" --at x=[1,2,3]
    """
    from ..api import Function
    from ..errors import printable
    from ..language.syntax import parenthesize, parse
    _program(expr, 'parse "-x^2"', lower=False)
    f = Function(expr)
    text = parenthesize(parse(expr))
    listing = None
    if not f.vectors or at:
        g, _ = f.bind(parse_point(at))
        listing = g.program.listing()
        inputs = list(g.program.inputs)
    needs = ", ".join(f"{v}=[...]" for v in f.vectors)
    if fmt == "json":
        from ..render.text import dumps
        click.echo(dumps({"expr": expr, "parenthesized": text,
                          "inputs": inputs if listing is not None else list(f.variables),
                          "ir": listing.splitlines() if listing is not None else None}))
        return
    out = sys.stdout
    out.write(f"read as: {printable(text)}\n")
    if listing is None:
        out.write(f"IR: depends on the vectors' lengths; give them with --at {needs}\n")
        return
    out.write("IR (common subexpressions merged, constants inline):\n")
    for line in listing.splitlines():
        out.write(f"  {printable(line)}\n")


@command("graph")
@expr_argument
@point_option(f"The point, as x=3,y=2 ({AT_ONE}): label every node with its value and "
              "adjoint.")
@format_option(["text", "dot", "mermaid", "json", "svg"],
               "text: drawn in the terminal (box-drawing lines, or pure ASCII with --ascii); dot for "
               "Graphviz; mermaid; json (nodes and edges); svg, the terminal's drawing as a picture.",
               aliases={"ascii": "text"})
@click.option("--max-nodes", type=click.IntRange(1), default=60, show_default=True, metavar="N",
              help="Draw at most this many nodes; a larger graph is listed, up to this many.")
@click.option("--listing", is_flag=True, help="A numbered listing instead of a drawing.")
@click.option("--width", type=click.IntRange(20), default=None, metavar="N",
              help="Columns available for the drawing (default: the terminal's).")
@click.option("--precision", type=click.IntRange(1, 17), default=6, show_default=True, metavar="N",
              help="Significant digits of values and adjoints in labels.")
@ascii_option("lines of - | +, arrows ->, labels v_-1 and vbar")
@no_batch("graph")
def graph_cmd(expr, at, fmt, max_nodes, listing, width, precision, ascii_):
    """The computational graph of EXPR, laid out from the inputs on the left to the
    output on the right, every node drawn once. With --at, each node also shows its
    value and its adjoint v̄ = ∂f/∂v from one reverse sweep.

    \b
    Examples:
      adcli graph "(x + y) * (x - y)"
      adcli graph "a = x + y; b = x - y; a * b" --at x=3,y=2
      adcli graph "log(x1) + x1*x2 - sin(x2)" --at x1=2,x2=5 --format dot | dot -Tsvg > f.svg
      adcli graph "x*y + sin(x)" --format mermaid
      adcli graph "a = x + y; b = x - y; a * b" --at x=3,y=2 --format svg > graph.svg

    No batches: -f and --points are refused (a graph is one drawing of the expression).
    """
    from ..api import graph
    from ..render import graph as render_graph
    program, point = _bound(expr, parse_point(at) if at else {}, 'graph "(x + y) * (x - y)"', "graph")
    point = point if at else None
    if point is not None:
        warn_unused(program, point)
    g = graph.build(program, point, expr)
    _warn_all(g.warnings)
    if fmt == "json":
        from ..render.text import dumps
        click.echo(dumps(render_graph.record(g)))
        return
    if fmt == "svg":
        from ..render import svg
        sys.stdout.write(svg.graph(g, precision, max_nodes, listing))
        return
    if fmt in ("dot", "mermaid"):
        text = (render_graph.dot if fmt == "dot" else render_graph.mermaid)(g, ascii_, precision)
        sys.stdout.write(text)
        return
    from ..render.console import console, terminal_size, wants_ascii
    con = console()
    if width is None:
        width = con.width if con.is_terminal else terminal_size()[0]
    render_graph.print_graph(g, con, wants_ascii(ascii_, con), width, max_nodes, precision, listing)


@command("plot")
@expr_argument
@one_var_option("The variable along the x axis (default: the first).")
@click.option("--range", "range_", default="-5:5", show_default=True, metavar="LOW:HIGH",
              help="The x range; ends may be constant expressions (-pi:pi).")
@point_option(f"Values of the other variables, as s=2 ({AT_ONE}); the plotted one takes "
              "its values from --range.")
@click.option("--order", type=click.IntRange(0, MAX_ORDER), default=1, show_default=True, metavar="N",
              help="Plot f and its derivatives up to this order (0: f alone). A drawing tells "
                   f"5 curves apart, so up to 4; csv and json give up to {MAX_ORDER}.")
@click.option("--width", type=click.IntRange(20), default=None, metavar="N",
              help="Columns (default: the terminal's).")
@click.option("--height", type=click.IntRange(8), default=None, metavar="N", help="Lines (default: the terminal's).")
@click.option("--ylim", metavar="LOW:HIGH", help="The y range (default: fitted to the curves).")
@format_option(["text", "csv", "json", "svg"], "text draws the plot; csv and json the samples; svg a picture.")
@click.option("--output", "-o", metavar="FILE",
              help="Write to FILE instead of standard output, in the format its name ends in (.svg, .csv, "
                   ".json, .txt) unless --format says otherwise.")
@click.option("--samples", type=click.IntRange(2, 100_000), default=None, metavar="N",
              help="Sample points (default: two per column, or 201 for csv/json).")
@ascii_option("curves drawn with * o + x #, axes with - | +")
@no_batch("plot")
def plot_cmd(expr, wrt, range_, at, order, width, height, ylim, fmt, output, samples, ascii_):
    """Plot EXPR and its derivatives along one variable, in the terminal. Evaluated
    with the vectorized evaluators: f and f' by one forward sweep, higher orders by
    Taylor-mode AD. nan and inf show as gaps.

    \b
    Examples:
      adcli plot "sin(x)" --range -pi:pi
      adcli plot "x^3 - 3*x" --range -2.5:2.5 --order 2
      adcli plot "exp(-x^2/s)" --wrt x --range -3:3 --at s=2
      adcli plot "log(x)" --range -1:3 --format csv --samples 9
      adcli plot "sin(x)*exp(x)" --range 0:1 --order 8 --format csv --samples 5
      adcli plot "x^3 - 3*x" --range -2.5:2.5 --order 2 --format svg > plot.svg

    No batches: -f and --points are refused (a plot already runs over a range of
    points; for values at given points use adcli eval or grad --points).
    """
    from ..api import plot as plotdata
    program, point = _bound(expr, parse_point(at), 'plot "sin(x)" --range -pi:pi', "plot")
    var = wrt if wrt else (program.inputs[0] if program.inputs else None)
    if var is None:
        raise UsageError("the expression has no variable to plot against")
    if var in point and "[" in var:
        del point[var]   # one element of a vector given whole by --at: it runs over --range
    case_slips(program, point, skip=var)
    for name in point:
        if name == var:
            raise UsageError(f"'{var}' is the plotted variable: give its range with --range, not --at")
        if name not in program.inputs:
            from ..errors import warn
            warn(f"'{name}' has a value but does not appear in the expression")
    if output is not None:
        fmt = _output_format(output, fmt)
    if fmt in ("text", "svg") and order > DRAWN_ORDERS:
        raise UsageError(f"a drawing shows derivatives up to order {DRAWN_ORDERS} (5 curves told apart)",
                         hint=f"--format csv or json give the samples up to order {MAX_ORDER}")
    lo, hi = plotdata.parse_range(range_)
    limits = None
    if ylim:
        limits = plotdata.parse_range(ylim)
    from ..render.console import console, terminal_size, wants_ascii
    out = _open_output(output) if output is not None else None
    con = console(out) if fmt == "text" else None
    if fmt == "svg":   # a picture: the size of a terminal, not of this one
        width, height = width or 80, height or 24
    cols, lines = terminal_size()
    width = width or (con.width if con is not None and con.is_terminal else cols)
    height = height or max(8, min(lines - 2, 40))
    if samples is None:
        samples = 2 * width if fmt in ("text", "svg") else 201
    data = plotdata.build(program, var, lo, hi, samples, order, point, limits, expr)
    _warn_all(data.warnings)
    from ..render import plot as render_plot
    try:
        stream = out or sys.stdout
        if fmt == "csv":
            render_plot.write_csv(data, stream)
            return
        if fmt == "json":
            from ..render.text import dumps
            stream.write(dumps(render_plot.record(data)) + "\n")
            return
        if fmt == "svg":
            from ..render import svg
            stream.write(svg.plot(data, width, height))
            return
        _draw_plot(con, render_plot, data, width, height, wants_ascii(ascii_, con))
    finally:
        if out is not None:
            _close_output(out, output)


SUFFIXES = {".svg": "svg", ".csv": "csv", ".json": "json", ".txt": "text"}


def _output_format(path, fmt):
    """--format if given, else the one FILE's name ends in."""
    ctx = click.get_current_context()
    if ctx.get_parameter_source("fmt") == click.core.ParameterSource.COMMANDLINE:
        return fmt
    import os
    suffix = os.path.splitext(path)[1].lower()
    if suffix not in SUFFIXES:
        from ..errors import printable
        raise UsageError(f"cannot tell the format of '{printable(path)}' from its name",
                         hint="end it in .svg (a picture), .csv, .json or .txt, or give --format; "
                              "PNG is not made (convert the SVG)")
    return SUFFIXES[suffix]


def _open_output(path):
    from ..errors import StreamError, printable
    try:
        return open(path, "w", encoding="utf-8", newline="\n")
    except OSError as e:
        raise StreamError(f"cannot write '{printable(path)}': {e.strerror or e}") from None


def _close_output(out, path):
    from ..errors import StreamError, printable
    try:
        out.close()
    except OSError as e:
        raise StreamError(f"cannot write '{printable(path)}': {e.strerror or e}") from None


def _draw_plot(con, render_plot, data, width, height, ascii):
    colour = con.color_system is not None and not con.no_color
    for line in render_plot.render(data, width, height, ascii, colour):
        con.print(line)
