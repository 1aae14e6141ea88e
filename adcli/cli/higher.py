"""jacobian, hessian, jvp, vjp, taylor and check: beyond the gradient."""
import click

from ..api import Function
from ..errors import ExitCode, UsageError
from ..language.point import parse_point
from .options import (
    EPILOG_EXPR,
    at_option,
    batch,
    batch_options,
    command,
    cotangent_option,
    dir_option,
    emit,
    explain_option,
    export_format_options,
    expr_argument,
    mode_option,
    one_var_option,
    read_as,
    warn_unused,
    wrt_option,
)


def _setup(expr, at, name):
    if expr is None:
        raise UsageError(f"missing EXPR: give an expression, as in adcli {name} \"x^2\" --at x=3")
    return Function(expr).bind(parse_point(at))


@command("jacobian")
@expr_argument
@at_option
@wrt_option
@mode_option
@batch_options
@export_format_options
@explain_option
def jacobian_cmd(expr, at, wrt, mode, job_file, points, strict, fmt, precision, explain):
    """Values and Jacobian matrix of one or more outputs ("F1, F2, ...") at a point.

    Row i holds the derivatives of output i. Forward mode needs one sweep per variable,
    reverse mode one per output; auto takes the one needing fewer sweeps, and the
    table's last line (or --explain) says which and why.

    In a batch (-f FILE, --points CSV, job lines on standard input) lines sharing an
    expression run together, vectorized. --points CSV columns: value (value1, value2,
    ... for several outputs), then J[i,x] = d(output i)/dx, row by row; in a job file's
    CSV the jacobian cell reads J[1,x]=...;J[1,y]=....

    \b
    Examples:
      adcli jacobian "x*y, x+y, sin(x)" --at x=1,y=2
      adcli jacobian "r*cos(t), r*sin(t)" --at r=2,t=pi/6 --format json
      adcli jacobian "x^2*y*z" --at x=1,y=2,z=3 --mode forward --explain
      adcli jacobian "x*y, x+y" --points examples/points.csv --format csv   # columns J[1,x], ...
      adcli jacobian -f examples/jobs-higher.txt --format json              # lines: EXPR @ POINT
    """
    code = batch("jacobian", expr, job_file, points, strict, fmt, precision, at, explain, wrt=wrt, mode=mode)
    if code is not None:
        return code
    f, point = _setup(expr, at, "jacobian")
    warn_unused(f.program, point, wrt)
    r = f.jacobian(point, wrt=wrt, mode=mode)
    # A table's last line already gives the reason; other formats get it on stderr.
    n = r.sweeps[r.mode]
    carried = (f"the {n} sweeps run together as one vector sweep carrying "
               f"{n} {'tangents' if r.mode == 'forward' else 'cotangents'}" if n > 1 else None)
    lines = ([read_as(f)] + ([r.reason] if fmt != "table" else []) + ([carried] if carried else [])
             if explain else None)   # read_as parses the expression again: only for --explain
    emit(r, fmt, precision, lines)


@command("hessian")
@expr_argument
@at_option
@wrt_option
@batch_options
@export_format_options
@explain_option
def hessian_cmd(expr, at, wrt, job_file, points, strict, fmt, precision, explain):
    """Value, gradient and Hessian (all second derivatives) of EXPR at a point.

    Exact, by forward-over-reverse AD: the reverse sweep runs on dual numbers whose
    tangents carry one direction per variable. No finite differences: x^2 at x=0 gives
    2 and x^3 at x=0 gives 0.

    In a batch (-f FILE, --points CSV, job lines on standard input) lines sharing an
    expression run together, vectorized. --points CSV columns: value, d/dx per
    variable, then H[x,y] = d²f/dxdy for every pair, row by row; in a job file's CSV
    the hessian cell reads H[x,x]=...;H[x,y]=....

    \b
    Examples:
      adcli hessian "x^2*y + sin(x*y)" --at x=1,y=2
      adcli hessian "100*(y-x^2)^2 + (1-x)^2" --at x=1,y=1 --format json
      adcli hessian "x^3" --at x=0
      adcli hessian "x^2*y" --points examples/points.csv --format csv   # columns H[x,y], ...
      adcli hessian -f examples/jobs-higher.txt
    """
    code = batch("hessian", expr, job_file, points, strict, fmt, precision, at, explain, wrt=wrt)
    if code is not None:
        return code
    f, point = _setup(expr, at, "hessian")
    warn_unused(f.program, point, wrt)
    r = f.hessian(point, wrt=wrt)
    lines = None
    if explain:   # read_as parses the expression again: only for --explain
        lines = [read_as(f), f"forward-over-reverse: one reverse sweep on dual numbers carrying "
                             f"{len(r.variables)} tangent direction{'s' if len(r.variables) != 1 else ''}"]
    emit(r, fmt, precision, lines)


@command("jvp")
@expr_argument
@at_option
@dir_option("The direction v, as x=1,y=0 (variables left out move by 0).", required=True)
@batch_options
@export_format_options
def jvp_cmd(expr, at, direction, job_file, points, strict, fmt, precision):
    """Jacobian-vector product J·v: the derivative of every output along a direction,
    by one forward sweep.

    In a batch (-f FILE, --points CSV, job lines on standard input) --dir applies to
    every line, and lines sharing an expression run together, vectorized. --points
    CSV columns: value (value1, ...), then jvp (jvp1, ...), one per output.

    \b
    Examples:
      adcli jvp "x*y, x+y" --at x=3,y=2 --dir x=1,y=0
      adcli jvp "x^2 + y^2" --at x=3,y=4 --dir x=0.6,y=0.8 --format json
      adcli jvp "x*y, x+y" --points examples/points.csv --dir x=1 --format csv
    """
    code = batch("jvp", expr, job_file, points, strict, fmt, precision, at, dir=direction)
    if code is not None:
        return code
    f, point = _setup(expr, at, "jvp")
    warn_unused(f.program, point, list(direction))
    for name in direction:
        if name not in f.program.inputs and name in point:
            from ..errors import warn
            warn(f"'{name}' has a direction but does not appear in the expression")
    emit(f.jvp(point, dir=direction), fmt, precision)


@command("vjp")
@expr_argument
@at_option
@cotangent_option
@batch_options
@export_format_options
def vjp_cmd(expr, at, cotangent, job_file, points, strict, fmt, precision):
    """Vector-Jacobian product uᵀJ: the gradient of u · (outputs), by one reverse sweep.

    In a batch (-f FILE, --points CSV, job lines on standard input) --cotangent applies
    to every line, and lines sharing an expression run together, vectorized. --points
    CSV columns: value (value1, ...), then vjp[x] per variable.

    \b
    Examples:
      adcli vjp "x*y, x+y" --at x=3,y=2 --cotangent 1,0
      adcli vjp "x*y, x+y" --at x=3,y=2 --cotangent 1,-1 --format json
      adcli vjp "x*y, x+y" --points examples/points.csv --cotangent 1,-1 --format csv
    """
    u = cotangent
    code = batch("vjp", expr, job_file, points, strict, fmt, precision, at, cotangent=u)
    if code is not None:
        return code
    f, point = _setup(expr, at, "vjp")
    warn_unused(f.program, point)
    if cotangent is None:
        if len(f.program.outputs) != 1:
            raise UsageError(f"vjp needs --cotangent with one number per output ({len(f.program.outputs)})")
        u = [1.0]
    emit(f.vjp(point, cotangent=u), fmt, precision)


@command("taylor")
@expr_argument
@at_option
@one_var_option("The variable to expand in (default: the only one).")
@dir_option("Expand along x + t*dir instead, dir as x=1,y=2; derivatives are d^k/dt^k.")
@click.option("--order", type=click.IntRange(0, 170), default=5, show_default=True, metavar="N",
              help="The highest derivative, 0 to 170 (171! overflows float64).")
@batch_options
@export_format_options
def taylor_cmd(expr, at, wrt, direction, order, job_file, points, strict, fmt, precision):
    """Derivatives of EXPR of order 0..N in one variable (or along a direction), by
    Taylor-mode AD: truncated Taylor series pushed through every operation, O(N²) work
    per operation, exact up to rounding. derivatives[k] = dᵏf/dxᵏ, coefficients[k] =
    derivatives[k] / k!.

    Where a function has no Taylor series at the point (abs, relu or sign at 0, min or
    max at a tie, sqrt or a fractional power at 0, asin at ±1, ...) the command
    refuses with exit code 1 and names the operation, rather than print a wrong number.

    In a batch (-f FILE, --points CSV, job lines on standard input) each line runs on
    its own (Taylor mode works at one point) and a refused line is a failed line.
    --points CSV columns: d0 .. dN (derivatives), then c0 .. cN (coefficients).

    \b
    Examples:
      adcli taylor "exp(sin(x))" --at x=0 --order 8
      adcli taylor "x^2" --at x=0 --order 4 --format json
      adcli taylor "x*y^2" --at x=1,y=2 --dir x=1,y=1 --order 3
      adcli taylor "exp(x)*y" --points examples/points.csv --wrt x --order 3 --format csv
    """
    if wrt and direction is not None:
        raise UsageError("give either --wrt or --dir, not both")
    code = batch("taylor", expr, job_file, points, strict, fmt, precision, at,
                 wrt=wrt, dir=direction, order=order)
    if code is not None:
        return code
    f, point = _setup(expr, at, "taylor")
    warn_unused(f.program, point, [wrt] if wrt else list(direction or ()))
    emit(f.taylor(point, wrt=wrt, dir=direction, order=order), fmt, precision)


@command("check")
@expr_argument
@at_option
@wrt_option
@batch_options
@export_format_options
def check_cmd(expr, at, wrt, job_file, points, strict, fmt, precision):
    """Check AD against finite differences: forward and reverse AD, and central
    differences FD extrapolated by Ridders' method, per variable, with one of three
    verdicts: agree, disagree or cannot verify. The tolerance (absolute below 1):

    \b
      |AD - FD| <= 1e-6 * max(1, |AD|)

    Why 1e-6: on a smooth function the extrapolated difference is good to about
    1e-10 relative, so 1e-6 leaves four digits of margin for rounding in f, while a
    wrong derivative rule is off by far more.

    \b
    agree          |AD - FD| and the error estimate of FD are both within
                   the tolerance. Exit 0.
    disagree       AD is contradicted. Exit 1. Forward and reverse AD differ
                   by more than 1e-12 (relative to the terms they add up);
                   or FD misses AD by more than the tolerance plus 10
                   times its own error estimate; or f jumps at the
                   point (f(x+h) - f(x-h) does not shrink with h: sign at 0,
                   atan2 across its cut) where AD gives a finite slope; or
                   f has a corner (relu or abs at 0, max at a tie: the two
                   one-sided slopes differ) and AD gives its convention.
    cannot verify  No float64 central difference can confirm or refute AD,
                   and AD is not blamed. Exit 3. The error estimate of FD
                   exceeds the tolerance (roundoff in f swamps the change,
                   as in 1e12 + 0.001*sin(x), or hides it at every step,
                   as in 1e17 + cos(y)); or f is not finite at the point
                   or on both sides of it (sqrt at 0); or AD is infinite;
                   or f is too steep for the shortest step.

    How FD is found: within a tableau the step shrinks by 1.4, and a tableau
    starts from every decade of steps between max(1, |x|) and the shortest step at
    which f still shows a change. An estimate that shorter steps contradict (a step
    too long for f: sin(x) at x = 1e8, a pole nearby) is dropped; of the rest the
    one with the smallest error estimate wins. The error estimate includes the
    roundoff in f: each operation's rounding, carried to f through the partials.
    JSON rows carry "verdict" ("agree", "disagree", "unverifiable") and "reason";
    "ok" is true when the verdict is agree.

    In a batch (-f FILE, --points CSV, job lines on standard input) each line runs on
    its own, and a line that does not agree is a failed line: it keeps its full
    record ("ok": false), its error column says which variables disagree or cannot
    be verified (the latter with "AD is not contradicted"), the exit code is 1 and
    --strict stops there. --points CSV columns per variable x: forward[x],
    reverse[x], fd[x], abs_error[x], rel_error[x].

    \b
    Examples:
      adcli check "log(x1) + x1*x2 - sin(x2)" --at x1=2,x2=5
      adcli check "x^y" --at x=2,y=3 --format json
      adcli check "sin(x)" --at x=1e8
      adcli check -f examples/jobs-higher.txt --format csv
    """
    code = batch("check", expr, job_file, points, strict, fmt, precision, at, wrt=wrt)
    if code is not None:
        return code
    f, point = _setup(expr, at, "check")
    warn_unused(f.program, point, wrt)
    r = f.check(point, wrt=wrt)
    emit(r, fmt, precision)
    if r.verdict != "agree":
        from ..errors import warn
        bad = ", ".join(row.var for row in r.rows if row.verdict == "disagree")
        if bad:
            warn(f"AD and finite differences disagree for {bad}")
            return ExitCode.EVAL
        unsure = ", ".join(row.var for row in r.rows if row.verdict == "unverifiable")
        warn(f"finite differences cannot verify the derivative for {unsure} (AD is not contradicted)")
        return ExitCode.UNVERIFIED
    return 0


check_cmd.epilog = f"{EPILOG_EXPR}\n\nExit codes: 0 agree, 1 disagree (or an evaluation failure, or a failed batch " \
                   "line), 2 usage or parse error, 3 cannot verify."
