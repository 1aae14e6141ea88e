"""fit, minimize and solve as data: JSON records, CSV rows, plain lines, and the cells
and columns of their batch lines. Imports neither Rich, numpy nor scipy (nor the
drawing modules: adcli.render.text reaches this module for the batch writers).

JSON objects:
    fit       {"model", "params": {name: num}, "stderr": {name: num}, "rss", "rsd", "dof", "n",
               "iterations", "converged", "message"} (+ "correlation": [[num]] with --explain)
    minimize  {"expr", "at", "x": {name: num}, "value", "gradient_norm", "method", "iterations",
               "converged", "message"}
    solve     {"expr", "at", "x": {name: num}, "residual", "values": [num], "iterations",
               "converged", "message"}
("at" is the starting point, as every command's record names the point it was given.)
"""
import sys

from ..api.optimize.results import Fit, Minimum
from ..errors import printable
from ..numtext import json_number, number
from .vectors import grouped, lengths_in


def _named(d):
    return {k: json_number(v) for k, v in d.items()}


def fit_record(r, correlation=False):
    rec = {"model": r.model, "params": _named(r.params), "stderr": _named(r.stderr), "rss": json_number(r.rss),
           "rsd": json_number(r.rsd), "dof": r.dof, "n": r.n, "iterations": r.iterations,
           "converged": r.converged, "message": r.message}
    if correlation:
        rec["correlation"] = [[json_number(v) for v in row] for row in r.correlation]
    return rec


def minimum_fields(r):
    return {"x": _named(r.x), "value": json_number(r.value), "gradient_norm": json_number(r.gradient_norm),
            "method": r.method, "iterations": r.iterations, "converged": r.converged, "message": r.message}


def root_fields(r):
    return {"x": _named(r.x), "residual": json_number(r.residual), "values": [json_number(v) for v in r.values],
            "iterations": r.iterations, "converged": r.converged, "message": r.message}


MINIMUM_FIELDS = ("x", "value", "gradient_norm", "method", "iterations", "converged", "message")
ROOT_FIELDS = ("x", "residual", "values", "iterations", "converged", "message")


def record(r):
    """A vector's elements x[1] .. x[n] are one list under x, in "at" and in "x", as the
    other commands' records gather them (adcli.render.vectors)."""
    if type(r) is Fit:
        return fit_record(r, r.explain)
    fields = minimum_fields(r) if type(r) is Minimum else root_fields(r)
    rec = {"expr": r.expr, "at": _named(r.start), **fields}
    lengths = lengths_in(r.start)
    if lengths:
        rec["at"], rec["x"] = grouped(rec["at"], lengths), grouped(rec["x"], lengths)
    return rec


def cells(rec):
    """A batch line's cells: converged as true/false, as check's ok is written."""
    return {**rec, "converged": "true" if rec["converged"] else "false"}


def columns(r):
    """--points columns after the input's: the point found, then the scalars."""
    what = "argmin" if type(r) is Minimum else "root"
    cols = [(f"{what}[{k}]", v) for k, v in r.x.items()]
    cols.append(("value", r.value) if type(r) is Minimum else ("residual", r.residual))
    cols.append(("iterations", r.iterations))
    return cols


# ---- plain and CSV -------------------------------------------------------------------------

def plain_lines(r, precision=None):
    def n(v):
        return number(v, precision)
    if type(r) is Fit:
        for p in r.params:
            yield f"{p} {n(r.params[p])} {n(r.stderr[p])}"
        yield f"rss {n(r.rss)}"
        yield f"rsd {n(r.rsd)}"
        yield f"dof {r.dof}"
        yield f"n {r.n}"
    else:
        for k, v in r.x.items():
            yield f"{k} {n(v)}"
        if type(r) is Minimum:
            yield f"value {n(r.value)}"
            yield f"gradient_norm {n(r.gradient_norm)}"
        else:
            yield f"residual {n(r.residual)}"
    yield f"iterations {r.iterations}"
    yield f"converged {'true' if r.converged else 'false'}"
    yield f"message {printable(r.message)}"


def csv_rows(r):
    if type(r) is Fit:
        head = ["parameter", "estimate", "stderr"]
        rows = [[p, number(r.params[p]), number(r.stderr[p])] for p in r.params]
        return head, rows
    head = ["variable", "value"]
    rows = [[k, number(v)] for k, v in r.x.items()]
    return head, rows


def write_csv(r, out=None):
    """One row per parameter or variable; the scalars follow as rows of their own
    (rss, rsd, ...; value or residual, iterations, converged), named in the first column."""
    import csv
    w = csv.writer(out or sys.stdout, lineterminator="\n")
    head, rows = csv_rows(r)
    w.writerow(head)
    w.writerows(rows)
    pad = [""] * (len(head) - 2)
    if type(r) is Fit:
        tail = [("rss", number(r.rss)), ("rsd", number(r.rsd)), ("dof", str(r.dof)), ("n", str(r.n))]
    elif type(r) is Minimum:
        tail = [("value", number(r.value)), ("gradient_norm", number(r.gradient_norm))]
    else:
        tail = [("residual", number(r.residual))]
    tail += [("iterations", str(r.iterations)), ("converged", "true" if r.converged else "false"),
             ("message", printable(r.message))]
    for k, v in tail:
        w.writerow([k, v, *pad])
