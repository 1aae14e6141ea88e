"""What each command computes for one job, for batch runs (job files and --points).

A command joins batch mode with one call to `register`:

    register("grad", run=grad_job, fields=("value", "gradient"), columns=grad_columns,
             check=one_output)

    run(f, point, options) -> Result
        f is the compiled adcli.api.Function of the job's expression; point maps every
        variable to a float (one job) or to a float64 array (many jobs sharing the
        expression, one entry per job); options holds the command's own options
        (wrt, mode, ...). It returns the Result the single-job command would print,
        with arrays in place of numbers when it was given arrays. Raise AdcliError for
        a job that cannot run: the batch reports it for that line and goes on.
    fields    the keys of the command's JSON record after "expr" and "at", in order:
              the columns of the job-file CSV.
    columns(result) -> [(header, array)]
              optional: the numeric output columns of a many-point Result, for --points
              CSV and tables (by default: the numbers under `fields` in each point's
              record, named value, value1, jacobian1_2, gradient.x, ...).
    check(f, options)
              optional: raise AdcliError when the expression cannot be used at all
              (grad of several outputs), before any point is looked at.
    record(result, command) -> dict
              optional: the command's single-job JSON object (default
              adcli.output.record); the batch adds "line".
    many      False if run only takes one point (floats): the batch then calls it once
              per line, even for lines that share an expression.
    cells(record) -> {field: value}
              optional: what a job-file CSV, plain or table row shows under each of
              `fields` (default: the record's own keys), for fields that are not keys of
              the record or are better shown flat (a matrix as J[1,x]=...).
    verdict(result) -> str or None
              optional: a message when a job ran but failed its own test (check: AD and
              finite differences disagree). The line keeps its record, counts as failed
              (exit 1) and stops the batch under --strict.

The batch layer (adcli.batch) does the rest: reading, grouping lines that share an
expression, slicing many-point Results back into one Result per line, warnings,
output in every format and the exit code.
"""
from ..api import Result, choose_mode
from ..api.inputs import complete_point, wrt_names
from ..errors import UsageError


class JobKind:
    __slots__ = ("command", "run", "fields", "columns", "check", "record", "many", "cells", "verdict")

    def __init__(self, command, run, fields, columns=None, check=None, record=None, many=True, cells=None,
                 verdict=None):
        self.command = command
        self.run = run
        self.fields = tuple(fields)
        self.columns = columns
        self.check = check
        if record is None:
            from ..render.text import record
        self.record = record
        self.many = many
        self.cells = cells
        self.verdict = verdict


KINDS = {}


def register(command, run, fields=("value",), columns=None, check=None, record=None, many=True, cells=None,
             verdict=None):
    KINDS[command] = JobKind(command, run, fields, columns, check, record, many, cells, verdict)


def kind(command):
    if command not in KINDS:
        raise UsageError(f"'{command}' does not take job files or --points")
    return KINDS[command]


def is_many(point):
    return any(not isinstance(v, (int, float)) for v in point.values())


def _arrays(f, point):
    import numpy as np
    n = max(len(v) for v in point.values() if not isinstance(v, (int, float)))
    xs = [np.broadcast_to(np.asarray(point[v], dtype=np.float64), (n,)) for v in f.program.inputs]
    return xs, n


def eval_job(f, point, options):
    r = f.eval(point)
    if is_many(point):
        r.warnings = []  # they speak of all points at once: the batch asks again for the lines with nan or inf
    return r


def eval_columns(result):
    n = len(result.value)
    names = ["value"] if n == 1 else [f"value{i + 1}" for i in range(n)]
    return list(zip(names, result.value))


def one_output(f, options):
    if len(f.program.outputs) != 1:
        raise UsageError(f"grad needs one output, got {len(f.program.outputs)}")


def grad_job(f, point, options):
    r = f.grad(point, wrt=options.get("wrt"), mode=options.get("mode", "auto"))
    if is_many(point):
        r.warnings = []  # they speak of all points at once: the batch asks again for the lines with nan or inf
    return r


def grad_columns(result):
    return [("value", result.value[0])] + [(f"d/d{w}", d) for w, d in zip(result.wrt, result.jacobian[0])]


register("eval", eval_job, fields=("value",), columns=eval_columns)
register("grad", grad_job, fields=("value", "gradient"), columns=grad_columns, check=one_output)

# jacobian, hessian, jvp, vjp, taylor and check register themselves there.
from . import higher_kinds as higher_jobs
