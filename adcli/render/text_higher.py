"""JSON, CSV and plain output of the jacobian, hessian, jvp, vjp, taylor and check
results (adcli.derivatives). Formatting only; none of it imports Rich or numpy.

JSON objects, as documented in each command's help:
    jacobian  {"expr", "at", "outputs", "variables", "value": [num], "jacobian": [[num]]}
    hessian   {"expr", "at", "variables", "value", "gradient": {var: num}, "hessian": [[num]]}
    jvp       {"expr", "at", "dir": {var: num}, "value": num or [num], "jvp": num or [num]}
    vjp       {"expr", "at", "cotangent": [num], "value": [num], "vjp": {var: num}}
    taylor    {"expr", "at", "wrt", "derivatives": [num], "coefficients": [num]} (+ "dir")
    check     {"expr", "at", "rows": [{"var", "forward", "reverse", "finite_difference",
               "abs_error", "rel_error"}], "ok"}
"""
import sys

from ..errors import printable
from .text import dumps, json_number, number


def _nums(vs):
    return [json_number(v) for v in vs]


def _one_or_list(vs):
    vs = _nums(vs)
    return vs[0] if len(vs) == 1 else vs


def record(r, command):
    rec = {"expr": r.expr, "at": {k: json_number(v) for k, v in r.at.items()}}
    if command == "jacobian":
        rec.update(outputs=list(r.outputs), variables=list(r.variables), value=_nums(r.value),
                   jacobian=[_nums(row) for row in r.jacobian])
    elif command == "hessian":
        rec.update(variables=list(r.variables), value=json_number(r.value),
                   gradient={k: json_number(v) for k, v in r.gradient.items()},
                   hessian=[_nums(row) for row in r.hessian])
    elif command == "jvp":
        rec.update(dir={k: json_number(v) for k, v in r.dir.items()}, value=_one_or_list(r.value),
                   jvp=_one_or_list(r.jvp))
    elif command == "vjp":
        rec.update(cotangent=_nums(r.cotangent), value=_nums(r.value),
                   vjp={k: json_number(v) for k, v in r.vjp.items()})
    elif command == "taylor":
        rec["wrt"] = r.wrt
        if r.dir is not None:
            rec["dir"] = {k: json_number(v) for k, v in r.dir.items()}
        rec.update(derivatives=_nums(r.derivatives), coefficients=_nums(r.coefficients))
    elif command == "check":
        rec["rows"] = [{"var": row.var, "forward": json_number(row.forward), "reverse": json_number(row.reverse),
                        "finite_difference": json_number(row.finite_difference),
                        "abs_error": json_number(row.abs_error), "rel_error": json_number(row.rel_error)}
                       for row in r.rows]
        rec["ok"] = r.ok
    else:  # pragma: no cover - the commands pass their own names
        raise ValueError(command)
    return rec


def write_json(r, command, out=None):
    (out or sys.stdout).write(dumps(record(r, command)) + "\n")


def table_rows(r, command):
    """Header and rows of the CSV form: one row per output, variable or order."""
    n = number
    if command == "jacobian":
        head = ["output", "value"] + [f"d/d{v}" for v in r.variables]
        rows = [[printable(lab), n(v)] + [n(d) for d in row] for lab, v, row in zip(r.outputs, r.value, r.jacobian)]
    elif command == "hessian":
        head = ["variable", "value", "gradient"] + [f"d2/d{v}" for v in r.variables]
        rows = [[v, n(r.value), n(r.gradient[v])] + [n(h) for h in row] for v, row in zip(r.variables, r.hessian)]
    elif command == "jvp":
        head = ["output", "value", "jvp"]
        rows = [[printable(lab), n(v), n(t)] for lab, v, t in zip(r.outputs, r.value, r.jvp)]
    elif command == "vjp":
        head = ["variable", "vjp"]
        rows = [[v, n(d)] for v, d in r.vjp.items()]
    elif command == "taylor":
        head = ["order", "derivative", "coefficient"]
        rows = [[str(k), n(d), n(c)] for k, (d, c) in enumerate(zip(r.derivatives, r.coefficients))]
    elif command == "check":
        head = ["var", "forward", "reverse", "finite_difference", "abs_error", "rel_error", "ok"]
        rows = [[row.var, n(row.forward), n(row.reverse), n(row.finite_difference), n(row.abs_error),
                 n(row.rel_error), "true" if row.ok else "false"] for row in r.rows]
    else:  # pragma: no cover
        raise ValueError(command)
    return head, rows


def write_csv(r, command, out=None):
    import csv
    w = csv.writer(out or sys.stdout, lineterminator="\n")
    head, rows = table_rows(r, command)
    w.writerow(head)
    w.writerows(rows)


def plain_lines(r, command, precision=None):
    """'name number' lines, one number each, like `adcli grad --format plain`."""
    def n(v):
        return number(v, precision)
    if command == "jacobian":
        several = len(r.value) > 1
        for i, (v, row) in enumerate(zip(r.value, r.jacobian), 1):
            f = f"f{i}" if several else "f"
            yield f"{f} {n(v)}"
            for var, d in zip(r.variables, row):
                yield f"d{f}/d{var} {n(d)}"
    elif command == "hessian":
        yield f"value {n(r.value)}"
        for var, d in r.gradient.items():
            yield f"d/d{var} {n(d)}"
        for a, row in zip(r.variables, r.hessian):
            for b, h in zip(r.variables, row):
                yield f"d2/d{a}d{b} {n(h)}"
    elif command in ("jvp", "vjp"):
        several = len(r.value) > 1
        for i, v in enumerate(r.value, 1):
            yield f"value{i if several else ''} {n(v)}"
        if command == "jvp":
            for i, t in enumerate(r.jvp, 1):
                yield f"jvp{i if len(r.jvp) > 1 else ''} {n(t)}"
        else:
            for var, d in r.vjp.items():
                yield f"vjp/d{var} {n(d)}"
    elif command == "taylor":
        for k, d in enumerate(r.derivatives):
            yield f"d{k} {n(d)}"
    elif command == "check":
        for row in r.rows:
            yield (f"{row.var} forward {n(row.forward)} reverse {n(row.reverse)} "
                   f"fd {n(row.finite_difference)} abs_error {n(row.abs_error)} "
                   f"rel_error {n(row.rel_error)} {'ok' if row.ok else 'MISMATCH'}")
        yield "ok" if r.ok else "MISMATCH"


def write_plain(r, command, precision=None, out=None):
    out = out or sys.stdout
    for line in plain_lines(r, command, precision):
        out.write(line + "\n")
