"""Batch mode of jacobian, hessian, jvp, vjp, taylor and check: what each computes for
one job, and its columns (see adcli.jobs for the contract).

Columns of a --points CSV (one expression, so the names are fixed):
    jacobian  value (value1, value2, ... for several outputs), then J[i,x] for output i
              (1-based) and variable x, row by row
    hessian   value, d/dx per variable, then H[x,y] = d²f/dxdy for every pair, row by row
    jvp       value (value1, ...), then jvp (jvp1, ...): J·dir per output
    vjp       value (value1, ...), then vjp[x] = (uᵀJ)[x] per variable
    taylor    d0 .. dN (the derivatives), then c0 .. cN (the coefficients dk/k!)
    check     per variable x: forward[x], reverse[x], fd[x], abs_error[x], rel_error[x]
A job file mixes expressions, so its CSV has one column per field instead, each cell
a list: `x=6;y=-4` for named entries, `1;2` for a list, `J[1,x]=2;...` for a matrix.
"""
from ..errors import UsageError
from .kinds import is_many, register


def _quiet(r, point):
    # Warnings of a many-point run speak of all points at once; the batch recomputes
    # them for the lines that gave nan or inf.
    if is_many(point):
        r.warnings = []
    return r


def _named(prefix, names):
    return [f"{prefix}{i + 1}" for i in range(len(names))] if len(names) > 1 else [prefix]


def _matrix(letter, rows, cols, entries):
    return {f"{letter}[{r},{c}]": v for r, row in zip(rows, entries) for c, v in zip(cols, row)}


# -- jacobian -------------------------------------------------------------------------------

def jacobian_job(f, point, options):
    return _quiet(f.jacobian(point, wrt=options.get("wrt"), mode=options.get("mode", "auto")), point)


def jacobian_columns(r):
    outs = range(1, len(r.value) + 1)
    return (list(zip(_named("value", r.value), r.value)) +
            list(_matrix("J", outs, r.variables, r.jacobian).items()))


def jacobian_cells(rec):
    return {"value": rec["value"],
            "jacobian": _matrix("J", range(1, len(rec["value"]) + 1), rec["variables"], rec["jacobian"])}


# -- hessian --------------------------------------------------------------------------------

def hessian_job(f, point, options):
    return _quiet(f.hessian(point, wrt=options.get("wrt")), point)


def hessian_columns(r):
    return ([("value", r.value)] + [(f"d/d{v}", d) for v, d in r.gradient.items()] +
            list(_matrix("H", r.variables, r.variables, r.hessian).items()))


def hessian_cells(rec):
    return {"value": rec["value"], "gradient": rec["gradient"],
            "hessian": _matrix("H", rec["variables"], rec["variables"], rec["hessian"])}


# -- jvp, vjp -------------------------------------------------------------------------------

def jvp_job(f, point, options):
    return _quiet(f.jvp(point, dir=options["dir"]), point)


def jvp_columns(r):
    return list(zip(_named("value", r.value), r.value)) + list(zip(_named("jvp", r.jvp), r.jvp))


def vjp_check(f, options):
    n = len(f.program.outputs)
    if options.get("cotangent") is None:
        if n != 1:
            raise UsageError(f"vjp needs --cotangent with one number per output ({n})")
    else:
        from ..api.inputs import check_cotangent
        check_cotangent(f.program, options["cotangent"])


def vjp_job(f, point, options):
    vjp_check(f, options)
    return _quiet(f.vjp(point, cotangent=options.get("cotangent") or [1.0]), point)


def vjp_columns(r):
    return list(zip(_named("value", r.value), r.value)) + [(f"vjp[{v}]", d) for v, d in r.vjp.items()]


# -- taylor, check: one point at a time ------------------------------------------------------

def taylor_job(f, point, options):
    return f.taylor(point, wrt=options.get("wrt"), dir=options.get("dir"), order=options.get("order", 5))


def taylor_columns(r):
    return ([(f"d{k}", d) for k, d in enumerate(r.derivatives)] +
            [(f"c{k}", c) for k, c in enumerate(r.coefficients)])


def check_job(f, point, options):
    return f.check(point, wrt=options.get("wrt"))


CHECKED = (("forward", "forward"), ("reverse", "reverse"), ("finite_difference", "fd"),
           ("abs_error", "abs_error"), ("rel_error", "rel_error"))


def check_columns(r):
    return [(f"{short}[{row.var}]", getattr(row, key)) for row in r.rows for key, short in CHECKED]


def check_cells(rec):
    cells = {"ok": "true" if rec["ok"] else "false"}
    for key, _ in CHECKED:
        cells[key] = {row["var"]: row[key] for row in rec["rows"]}
    return cells


def check_verdict(r):
    """A check whose AD and finite differences disagree is a failed line, as a single
    `adcli check` exits 1 on a mismatch."""
    if r.ok:
        return None
    return "AD and finite differences disagree for " + ", ".join(row.var for row in r.rows if not row.ok)


def one_output(command):
    def check(f, options):
        from ..api.inputs import one_output as check_one
        check_one(f.program, command)
    return check


def _record(result, command):
    from ..render.text_higher import record
    return record(result, command)


register("jacobian", jacobian_job, fields=("value", "jacobian"), columns=jacobian_columns,
         record=_record, cells=jacobian_cells)
register("hessian", hessian_job, fields=("value", "gradient", "hessian"), columns=hessian_columns,
         record=_record, cells=hessian_cells, check=one_output("hessian"))
register("jvp", jvp_job, fields=("dir", "value", "jvp"), columns=jvp_columns, record=_record)
register("vjp", vjp_job, fields=("cotangent", "value", "vjp"), columns=vjp_columns, record=_record,
         check=vjp_check)
register("taylor", taylor_job, fields=("wrt", "dir", "derivatives", "coefficients"), columns=taylor_columns,
         record=_record, many=False, check=one_output("taylor"))
register("check", check_job, fields=("ok", "forward", "reverse", "finite_difference", "abs_error", "rel_error"),
         columns=check_columns, record=_record, cells=check_cells, verdict=check_verdict, many=False,
         check=one_output("check"))
