"""Plain, JSON and CSV output of every result, chosen by the result's type. None of it
imports Rich or numpy: a pipe pays only for what it prints. JSON is strict RFC 8259 at
full precision, with the non-finite numbers as the strings "nan", "inf" and "-inf".

JSON objects, as documented in each command's help:
    eval      {"expr", "at", "value": num or [num]}
    grad      {"expr", "at", "value", "gradient": {var: num}}
    jacobian  {"expr", "at", "outputs", "variables", "value": [num], "jacobian": [[num]]}
    hessian   {"expr", "at", "variables", "value", "gradient": {var: num}, "hessian": [[num]]}
    jvp       {"expr", "at", "dir": {var: num}, "value": num or [num], "jvp": num or [num]}
    vjp       {"expr", "at", "cotangent": [num], "value": [num], "vjp": {var: num}}
    taylor    {"expr", "at", "wrt", "derivatives": [num], "coefficients": [num]} (+ "dir")
    check     {"expr", "at", "rows": [{"var", "forward", "reverse", "finite_difference",
               "abs_error", "rel_error", "verdict", "reason"}], "ok", "verdict"}
              (verdict: "agree", "disagree" or "unverifiable"; ok: the verdict is agree)

Columns of a --points CSV (one expression, so the names are fixed):
    eval      value (value1, value2, ... for several outputs)
    grad      value, then d/dx per variable
    jacobian  value (value1, ...), then J[i,x] for output i (1-based) and variable x, row by row
    hessian   value, d/dx per variable, then H[x,y] = d²f/dxdy for every pair, row by row
    jvp       value (value1, ...), then jvp (jvp1, ...): J·dir per output
    vjp       value (value1, ...), then vjp[x] = (uᵀJ)[x] per variable
    taylor    d0 .. dN (the derivatives), then c0 .. cN (the coefficients dk/k!)
    check     per variable x: forward[x], reverse[x], fd[x], abs_error[x], rel_error[x]
A job file mixes expressions, so its CSV has one column per field instead, each cell a
list: `x=6;y=-4` for named entries, `1;2` for a list, `J[1,x]=2;...` for a matrix.
"""
import sys

from ..api.results import Check, Hessian, Jacobian, Jvp, Result, Taylor, Vjp
from ..errors import printable, printable_json
from ..numtext import json_number, number
from .vectors import grouped, lengths_in, ungrouped

FORMATS = ("table", "json", "csv", "plain")
EXPORTS = ("latex", "markdown")   # for lecture notes: one point, written by adcli.render.export


def dumps(obj):
    """One line of strict JSON; user text in it escaped as printable() escapes it, with
    JSON's own \\u escapes (so it decodes to the text exactly)."""
    import json
    return printable_json(json.dumps(obj, allow_nan=False, ensure_ascii=False))


def _nums(vs):
    return [json_number(v) for v in vs]


def _one_or_list(vs):
    vs = _nums(vs)
    return vs[0] if len(vs) == 1 else vs


def _named(d):
    return {k: json_number(v) for k, v in d.items()}


# ---- JSON records ------------------------------------------------------------------

OPTIMIZE = ("Fit", "Minimum", "Root")   # fit, minimize, solve: written by adcli.render.optimize_data


def _optimize(r):
    if type(r).__name__ in OPTIMIZE and type(r).__module__ == "adcli.api.optimize.results":
        from . import optimize_data
        return optimize_data
    return None


def record(r):
    """The JSON object of one result. A vector's elements x[1] .. x[n] are gathered into
    one list under x in the point and in every {variable: number} field (gradient, vjp,
    dir); matrices keep one column per element, named in "variables"."""
    if (own := _optimize(r)) is not None:
        return own.record(r)
    rec = {"expr": r.expr, "at": _named(r.at)}
    rec.update(_RECORD[type(r)](r))
    lengths = lengths_in(r.at)
    if lengths:
        for key in _NAMED_FIELDS:
            if isinstance(rec.get(key), dict):
                rec[key] = grouped(rec[key], lengths)
    return rec


_NAMED_FIELDS = ("at", "gradient", "vjp", "dir")


def _result_record(r):
    rec = {"value": _one_or_list(r.value)}
    if r.jacobian is not None:
        rec["gradient"] = {w: json_number(d) for w, d in zip(r.wrt, r.jacobian[0])}
    return rec


def _taylor_record(r):
    rec = {"wrt": r.wrt}
    if r.dir is not None:
        rec["dir"] = _named(r.dir)
    rec.update(derivatives=_nums(r.derivatives), coefficients=_nums(r.coefficients))
    return rec


def _check_record(r):
    return {"rows": [{"var": row.var, "forward": json_number(row.forward), "reverse": json_number(row.reverse),
                      "finite_difference": json_number(row.finite_difference),
                      "abs_error": json_number(row.abs_error), "rel_error": json_number(row.rel_error),
                      "verdict": row.verdict, "reason": row.reason}
                     for row in r.rows],
            "ok": r.ok, "verdict": r.verdict}


_RECORD = {
    Result: _result_record,
    Jacobian: lambda r: {"outputs": list(r.outputs), "variables": list(r.variables), "value": _nums(r.value),
                         "jacobian": [_nums(row) for row in r.jacobian]},
    Hessian: lambda r: {"variables": list(r.variables), "value": json_number(r.value),
                        "gradient": _named(r.gradient), "hessian": [_nums(row) for row in r.hessian]},
    Jvp: lambda r: {"dir": _named(r.dir), "value": _one_or_list(r.value), "jvp": _one_or_list(r.jvp)},
    Vjp: lambda r: {"cotangent": _nums(r.cotangent), "value": _nums(r.value), "vjp": _named(r.vjp)},
    Taylor: _taylor_record,
    Check: _check_record,
}


def write_json(r, out=None):
    out = out or sys.stdout
    if type(r) is Hessian and r.hessian:
        # n x n numbers: written a row at a time, never held as one string. "hessian" is
        # the record's last key, so the head ends in its empty list.
        from dataclasses import replace
        head = dumps(record(replace(r, hessian=[])))
        out.write(head[:-len("[]}")] + "[")
        for i, row in enumerate(r.hessian):
            out.write((", " if i else "") + dumps(_nums(row)))
        out.write("]}\n")
        return
    out.write(dumps(record(r)) + "\n")


# ---- CSV: a header and rows per result -------------------------------------------------

def csv_rows(r):
    """(header, rows) of the CSV form of one result."""
    return _CSV[type(r)](r, number)


def _result_csv(r, n):
    head = list(r.at)
    head += ["value"] if len(r.value) == 1 else [f"value{i + 1}" for i in range(len(r.value))]
    row = [n(v) for v in r.at.values()] + [n(v) for v in r.value]
    if r.jacobian is not None:
        head += [f"d/d{w}" for w in r.wrt]
        row += [n(d) for d in r.jacobian[0]]
    return head, [row]


_CSV = {
    Result: _result_csv,
    Jacobian: lambda r, n: (["output", "value"] + [f"d/d{v}" for v in r.variables],
                            [[printable(lab), n(v)] + [n(d) for d in row]
                             for lab, v, row in zip(r.outputs, r.value, r.jacobian)]),
    # n x n numbers: the rows are made one at a time, as the writer takes them
    Hessian: lambda r, n: (["variable", "value", "gradient"] + [f"d2/d{v}" for v in r.variables],
                           ([v, n(r.value), n(r.gradient[v])] + [n(h) for h in row]
                            for v, row in zip(r.variables, r.hessian))),
    Jvp: lambda r, n: (["output", "value", "jvp"],
                       [[printable(lab), n(v), n(t)] for lab, v, t in zip(r.outputs, r.value, r.jvp)]),
    Vjp: lambda r, n: (["variable", "vjp"], [[v, n(d)] for v, d in r.vjp.items()]),
    Taylor: lambda r, n: (["order", "derivative", "coefficient"],
                          [[str(k), n(d), n(c)] for k, (d, c) in enumerate(zip(r.derivatives, r.coefficients))]),
    Check: lambda r, n: (["var", "forward", "reverse", "finite_difference", "abs_error", "rel_error", "ok",
                          "verdict", "reason"],
                         [[row.var, n(row.forward), n(row.reverse), n(row.finite_difference), n(row.abs_error),
                           n(row.rel_error), "true" if row.ok else "false", row.verdict, row.reason]
                          for row in r.rows]),
}


def write_csv(r, out=None):
    import csv
    w = csv.writer(out or sys.stdout, lineterminator="\n")
    head, rows = csv_rows(r)
    w.writerow(head)
    w.writerows(rows)


# ---- plain: 'name number' lines ----------------------------------------------------------

def plain_lines(r, precision=None):
    """'name number' lines, one number each: `adcli grad --format plain` and the rest."""
    def n(v):
        return number(v, precision)
    return _PLAIN[type(r)](r, n)


def _result_plain(r, n):
    if r.jacobian is None:   # eval: the value(s), one per line
        yield from (n(v) for v in r.value)
        return
    yield f"value {n(r.value[0])}"
    for w, d in zip(r.wrt, r.jacobian[0]):
        yield f"d/d{w} {n(d)}"


def _jacobian_plain(r, n):
    several = len(r.value) > 1
    for i, (v, row) in enumerate(zip(r.value, r.jacobian), 1):
        f = f"f{i}" if several else "f"
        yield f"{f} {n(v)}"
        for var, d in zip(r.variables, row):
            yield f"d{f}/d{var} {n(d)}"


def _hessian_plain(r, n):
    yield f"value {n(r.value)}"
    for var, d in r.gradient.items():
        yield f"d/d{var} {n(d)}"
    for a, row in zip(r.variables, r.hessian):
        for b, h in zip(r.variables, row):
            yield f"d2/d{a}d{b} {n(h)}"


def _values_plain(r, n):
    several = len(r.value) > 1
    for i, v in enumerate(r.value, 1):
        yield f"value{i if several else ''} {n(v)}"


def _jvp_plain(r, n):
    yield from _values_plain(r, n)
    for i, t in enumerate(r.jvp, 1):
        yield f"jvp{i if len(r.jvp) > 1 else ''} {n(t)}"


def _vjp_plain(r, n):
    yield from _values_plain(r, n)
    for var, d in r.vjp.items():
        yield f"vjp/d{var} {n(d)}"


# The word for each verdict in plain text and tables.
VERDICT_WORDS = {"agree": "ok", "disagree": "MISMATCH", "unverifiable": "cannot verify"}


def _check_plain(r, n):
    for row in r.rows:
        word = VERDICT_WORDS[row.verdict]
        yield (f"{row.var} forward {n(row.forward)} reverse {n(row.reverse)} "
               f"fd {n(row.finite_difference)} abs_error {n(row.abs_error)} "
               f"rel_error {n(row.rel_error)} {word if row.ok else f'{word}: {row.reason}'}")
    yield VERDICT_WORDS[r.verdict]


_PLAIN = {
    Result: _result_plain,
    Jacobian: _jacobian_plain,
    Hessian: _hessian_plain,
    Jvp: _jvp_plain,
    Vjp: _vjp_plain,
    Taylor: lambda r, n: (f"d{k} {n(d)}" for k, d in enumerate(r.derivatives)),
    Check: _check_plain,
}


def write_plain(r, precision=None, out=None):
    out = out or sys.stdout
    for line in plain_lines(r, precision):
        out.write(line + "\n")


# ---- batches: --points columns and job-file cells ------------------------------------------

def _suffixed(prefix, items):
    return [f"{prefix}{i + 1}" for i in range(len(items))] if len(items) > 1 else [prefix]


def _matrix(letter, rows, cols, entries):
    return {f"{letter}[{r},{c}]": v for r, row in zip(rows, entries) for c, v in zip(cols, row)}


CHECKED = (("forward", "forward"), ("reverse", "reverse"), ("finite_difference", "fd"),
           ("abs_error", "abs_error"), ("rel_error", "rel_error"))


def result_names(probe):
    """The result columns' names of a batch, from a one-point result (None: the batch
    has no good row to name them by, and its one column is the value)."""
    return [name for name, _ in columns(probe)] if probe is not None else ["value"]


def columns(r):
    """[(header, numbers)] of a result's --points CSV columns; at many points each
    `numbers` is an array over the points."""
    if (own := _optimize(r)) is not None:
        return own.columns(r)
    return _COLUMNS[type(r)](r)


def _result_columns(r):
    cols = list(zip(_suffixed("value", r.value), r.value))
    if r.jacobian is not None:
        cols += [(f"d/d{w}", d) for w, d in zip(r.wrt, r.jacobian[0])]
    return cols


_COLUMNS = {
    Result: _result_columns,
    Jacobian: lambda r: (list(zip(_suffixed("value", r.value), r.value)) +
                         list(_matrix("J", range(1, len(r.value) + 1), r.variables, r.jacobian).items())),
    Hessian: lambda r: ([("value", r.value)] + [(f"d/d{v}", d) for v, d in r.gradient.items()] +
                        list(_matrix("H", r.variables, r.variables, r.hessian).items())),
    Jvp: lambda r: list(zip(_suffixed("value", r.value), r.value)) + list(zip(_suffixed("jvp", r.jvp), r.jvp)),
    Vjp: lambda r: list(zip(_suffixed("value", r.value), r.value)) + [(f"vjp[{v}]", d) for v, d in r.vjp.items()],
    Taylor: lambda r: ([(f"d{k}", d) for k, d in enumerate(r.derivatives)] +
                       [(f"c{k}", c) for k, c in enumerate(r.coefficients)]),
    Check: lambda r: [(f"{short}[{row.var}]", getattr(row, key)) for row in r.rows for key, short in CHECKED],
}


def cells(r, rec):
    """{field: value} that a job-file CSV, plain or table row shows under each field of
    the command: the JSON record's own keys, except matrices (J[1,x]=...) and check's
    per-variable lists, which are shown flat."""
    if (own := _optimize(r)) is not None:
        return own.cells(rec)
    view = _CELLS.get(type(r))
    return view(rec) if view else rec


def _check_cells(rec):
    out = {"ok": "true" if rec["ok"] else "false", "verdict": rec["verdict"]}
    for key, _ in CHECKED:
        out[key] = {row["var"]: row[key] for row in rec["rows"]}
    return out


_CELLS = {
    Jacobian: lambda rec: {"value": rec["value"],
                           "jacobian": _matrix("J", range(1, len(rec["value"]) + 1), rec["variables"],
                                               rec["jacobian"])},
    Hessian: lambda rec: {"value": rec["value"], "gradient": rec["gradient"],
                          "hessian": _matrix("H", rec["variables"], rec["variables"], rec["hessian"])},
    Check: _check_cells,
}


def flat(v, precision=None, sep=";"):
    """A record field as one cell: numbers as the shortest round-trip text, a list of
    numbers joined with `sep`, {name: number} as name=number; anything nested deeper
    (a matrix) as compact JSON."""
    if isinstance(v, dict):
        if any(isinstance(x, list) for x in v.values()):
            v = ungrouped(v)   # a vector's elements, named x[1], x[2], ...
        if any(isinstance(x, (dict, list, tuple)) for x in v.values()):
            return dumps(v)
        eq = " = " if sep == "\n" else "="
        return sep.join(f"{k}{eq}{flat(x, precision, sep)}" for k, x in v.items())
    if isinstance(v, (list, tuple)):
        if any(isinstance(x, (dict, list, tuple)) for x in v):
            return dumps(v)
        return sep.join(flat(x, precision, sep) for x in v)
    if v is None:
        return ""
    return number(v, precision) if isinstance(v, (int, float)) else str(v)
