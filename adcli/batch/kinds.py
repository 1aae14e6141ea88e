"""What each command computes for one job, for batch runs (job files and --points).

A command joins batch mode with one call to `register`:

    register("grad", run=grad_job, fields=("value", "gradient"), check=grad_one_output)

    run(f, point, options) -> result
        f is the compiled adcli.api.Function of the job's expression; point maps every
        variable to a float (one job) or to a float64 array (many jobs sharing the
        expression, one entry per job); options holds the command's own options
        (wrt, mode, ...). It returns the result (adcli.api.results) the single-job
        command would print, with arrays in place of numbers when it was given arrays.
        Raise AdcliError for a job that cannot run: the batch reports it for that line
        and goes on.
    fields    the keys of the command's JSON record after "expr" and "at", in order:
              the columns of the job-file CSV, known before any line has run.
    check(f, options)
              optional: raise AdcliError when the expression cannot be used at all
              (grad of several outputs), before any point is looked at.
    many      False if run only takes one point (floats): the batch then calls it once
              per line, even for lines that share an expression.
    verdict(result) -> str or None   (verdict_kind: the error type it is reported as)
              optional: a message when a job ran but failed its own test (check: AD and
              finite differences disagree, or they cannot verify AD). The line keeps its
              record, counts as failed (exit 1) and stops the batch under --strict.

The batch layer does the rest: reading, grouping lines that share an expression,
slicing many-point results back into one result per line (adcli.batch.records),
warnings and the exit code; adcli.render writes each result type in every format.
"""
from ..api.inputs import check_cotangent
from ..api.inputs import one_output as check_one
from ..errors import UsageError


class JobKind:
    __slots__ = ("command", "run", "fields", "check", "many", "verdict", "verdict_kind")

    def __init__(self, command, run, fields, check=None, many=True, verdict=None, verdict_kind="check"):
        self.command = command
        self.run = run
        self.fields = tuple(fields)
        self.check = check
        self.many = many
        self.verdict = verdict
        self.verdict_kind = verdict_kind   # the error type a failed verdict is reported as


KINDS = {}


def register(command, run, fields=("value",), check=None, many=True, verdict=None, verdict_kind="check"):
    KINDS[command] = JobKind(command, run, fields, check, many, verdict, verdict_kind)


def kind(command):
    if command not in KINDS:
        raise UsageError(f"'{command}' does not take job files or --points")
    return KINDS[command]


def is_many(point):
    return any(not isinstance(v, (int, float)) for v in point.values())


def one_output(command):
    def check(f, options):
        check_one(f, command)   # f.outputs: known before a point gives the vectors' lengths
    return check


def grad_one_output(f, options):
    if len(f.outputs) != 1:
        raise UsageError(f"grad needs one output, got {len(f.outputs)}")


def _quiet(r, point):
    # Warnings of a many-point run speak of all points at once; the batch recomputes
    # them for the lines that gave nan or inf.
    if is_many(point):
        r.warnings = []
    return r


def eval_job(f, point, options):
    return _quiet(f.eval(point), point)


def grad_job(f, point, options):
    return _quiet(f.grad(point, wrt=options.get("wrt"), mode=options.get("mode", "auto")), point)


def jacobian_job(f, point, options):
    return _quiet(f.jacobian(point, wrt=options.get("wrt"), mode=options.get("mode", "auto")), point)


def hessian_job(f, point, options):
    return _quiet(f.hessian(point, wrt=options.get("wrt")), point)


def jvp_job(f, point, options):
    return _quiet(f.jvp(point, dir=options["dir"]), point)


def vjp_check(f, options):
    n = len(f.outputs)
    if options.get("cotangent") is None:
        if n != 1:
            raise UsageError(f"vjp needs --cotangent with one number per output ({n})")
    else:
        check_cotangent(f, options["cotangent"])


def vjp_job(f, point, options):
    vjp_check(f, options)
    return _quiet(f.vjp(point, cotangent=options.get("cotangent") or [1.0]), point)


def taylor_job(f, point, options):
    return f.taylor(point, wrt=options.get("wrt"), dir=options.get("dir"), order=options.get("order", 5))


def check_job(f, point, options):
    return f.check(point, wrt=options.get("wrt"))


def check_verdict(r):
    """A check that is not "agree" is a failed line: one whose AD and finite differences
    disagree (a single `adcli check` exits 1), and one that finite differences cannot
    verify (a single check exits 3). The message of the second says so and does not
    blame AD; a batch has one exit code for failed lines, 1."""
    if r.verdict == "agree":
        return None
    bad = [row.var for row in r.rows if row.verdict == "disagree"]
    unsure = [row for row in r.rows if row.verdict == "unverifiable"]
    parts = ["AD and finite differences disagree for " + ", ".join(bad)] if bad else []
    if unsure:
        parts.append(f"cannot verify {', '.join(row.var for row in unsure)} (AD is not contradicted): "
                     + unsure[0].reason)
    return "; ".join(parts)


register("eval", eval_job, fields=("value",))
register("grad", grad_job, fields=("value", "gradient"), check=grad_one_output)
register("jacobian", jacobian_job, fields=("value", "jacobian"))
register("hessian", hessian_job, fields=("value", "gradient", "hessian"), check=one_output("hessian"))
register("jvp", jvp_job, fields=("dir", "value", "jvp"))
register("vjp", vjp_job, fields=("cotangent", "value", "vjp"), check=vjp_check)
register("taylor", taylor_job, fields=("wrt", "dir", "derivatives", "coefficients"), many=False,
         check=one_output("taylor"))
register("check", check_job, fields=("ok", "forward", "reverse", "finite_difference", "abs_error", "rel_error"),
         verdict=check_verdict, many=False, check=one_output("check"))


# fit reads its data from a file already; minimize and solve take job files and
# --points (one start per line or row), each line solved on its own.

def minimize_job(f, point, options):
    from ..api.optimize.minimize import minimize
    f, point = f.bind(point)   # a vector's start gives its length: x[1] .. x[n]
    return minimize(f.expr, point, bounds=options.get("bounds"), method=options.get("method", "auto"),
                    program=f.program)


def solve_job(f, point, options):
    from ..api.optimize.solve import TOL, solve
    f, point = f.bind(point)
    return solve(f.expr, point, tol=options.get("tol") or TOL, program=f.program)


def converged_verdict(r):
    """A line whose search did not converge is a failed line (a single run exits 1),
    with its record: the best point found and why it stopped."""
    return None if r.converged else r.message


register("minimize", minimize_job, many=False, check=one_output("minimize"), verdict=converged_verdict,
         verdict_kind="convergence",
         fields=("x", "value", "gradient_norm", "method", "iterations", "converged", "message"))
register("solve", solve_job, many=False, verdict=converged_verdict, verdict_kind="convergence",
         fields=("x", "residual", "values", "iterations", "converged", "message"))
