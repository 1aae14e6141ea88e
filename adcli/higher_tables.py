"""Rich tables for jacobian, hessian, jvp, vjp, taylor and check. Imported only when a
table is printed; user text goes in as rich.text.Text after printable()."""
from .errors import printable
from .output import number
from .tables import console, header


def _table(*columns):
    from rich import box
    from rich.table import Table
    t = Table(box=box.SIMPLE_HEAVY, show_edge=False, pad_edge=False)
    for i, c in enumerate(columns):
        # fold, never truncate: a number cut short with an ellipsis would be a wrong number
        t.add_column(c, justify="left" if i == 0 else "right", overflow="fold")
    return t


def _label(text):
    from rich.text import Text
    return Text(printable(text))


def build(r, command, precision=None):
    """(table, footer lines) for one result."""
    def n(v):
        return number(v, precision)
    foot = []
    if command == "jacobian":
        t = _table("", "value", *[f"∂/∂{v}" for v in r.variables])
        for lab, v, row in zip(r.outputs, r.value, r.jacobian):
            t.add_row(_label(lab), n(v), *[n(d) for d in row])
        foot.append(r.reason)
    elif command == "hessian":
        t = _table("", "∂f/∂·", *[f"∂²f/∂·∂{v}" for v in r.variables])
        for v, row in zip(r.variables, r.hessian):
            t.add_row(_label(v), n(r.gradient[v]), *[n(h) for h in row])
        foot.append(f"f = {n(r.value)}; second derivatives exact, by forward-over-reverse AD")
    elif command == "jvp":
        t = _table("", "value", "J·dir")
        for lab, v, d in zip(r.outputs, r.value, r.jvp):
            t.add_row(_label(lab), n(v), n(d))
        foot.append("dir: " + ", ".join(f"{k} = {n(v)}" for k, v in r.dir.items()))
    elif command == "vjp":
        t = _table("", "uᵀ·J")
        for v, d in r.vjp.items():
            t.add_row(_label(v), n(d))
        foot.append("u: " + ", ".join(n(c) for c in r.cotangent) + "; values: " +
                    ", ".join(n(v) for v in r.value))
    elif command == "taylor":
        var = r.wrt
        t = _table("k", f"dᵏf/d{var}ᵏ", "coefficient (/k!)")
        for k, (d, c) in enumerate(zip(r.derivatives, r.coefficients)):
            t.add_row(str(k), n(d), n(c))
        if r.dir is not None:
            foot.append("along x + t·dir, dir: " + ", ".join(f"{k} = {n(v)}" for k, v in r.dir.items()))
        foot.append(f"Taylor mode, order {r.order}")
    elif command == "check":
        # abs error is left to json/csv/plain: the table must fit 80 columns unfolded
        t = _table("", "forward AD", "reverse AD", "finite diff.", "rel err", "")
        for row in r.rows:
            t.add_row(_label(row.var), n(row.forward), n(row.reverse), n(row.finite_difference),
                      number(row.rel_error, 2), "ok" if row.ok else "MISMATCH")
        for row in r.rows:
            if not row.ok:
                foot.append(f"{row.var}: {row.reason}")
        from .check import RTOL
        foot.append(("ok" if r.ok else "MISMATCH") + ": AD vs Ridders-extrapolated central differences, "
                    f"tolerance {RTOL:g} × max(1, |derivative|)")
    else:  # pragma: no cover
        raise ValueError(command)
    return t, foot


def print_result(r, command, precision=None, explain=None, file=None):
    from rich.text import Text
    c = console(file)
    c.print(header(r, precision))
    t, foot = build(r, command, precision)
    c.print(t)
    for line in foot:
        c.print(Text(printable(line), style="dim"))
    for line in explain or ():
        c.print(Text(printable(line), style="dim"))
