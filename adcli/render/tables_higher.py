"""Rich tables for jacobian, hessian, jvp, vjp, taylor and check. Imported only when a
table is printed; user text goes in as rich.text.Text after printable()."""
from ..errors import printable
from .text import number
from .tables import ascii_output, console, header


def _grid(*columns):
    """Columns as headers (the first a text label, the others numbers), or as
    (header, kind, name in a listing) tuples."""
    from .layout import NUM, TEXT, Column, Grid
    cols = []
    for i, c in enumerate(columns):
        head, kind, name = c if isinstance(c, tuple) else (c, NUM if i else TEXT, None)
        cols.append(Column(head, kind, "left" if i == 0 else "right", name=name, key=i == 0))
    return Grid(cols)


def _label(text):
    from rich.text import Text
    return Text(printable(text))


def build(r, command, precision=None, ascii=False):
    """(grid, footer lines) for one result."""
    from .layout import NUM
    from .console import glyphs
    g = glyphs(ascii)
    d = g.partial

    def n(v):
        return number(v, precision)
    foot = []
    if command == "jacobian":
        t = _grid("", "value", *[f"{d}/{d}{v}" for v in r.variables])
        for lab, v, row in zip(r.outputs, r.value, r.jacobian):
            t.row(_label(lab), n(v), *[n(x) for x in row])
        foot.append(r.reason)
    elif command == "hessian":
        t = _grid(("", NUM, None), f"{d}f/{d}{g.dot}", *[f"{d}{g.squared}f/{d}{g.dot}{d}{v}" for v in r.variables])
        for v, row in zip(r.variables, r.hessian):
            t.row(_label(v), n(r.gradient[v]), *[n(h) for h in row])
        foot.append(f"f = {n(r.value)}; second derivatives exact, by forward-over-reverse AD")
    elif command == "jvp":
        t = _grid("", "value", f"J{g.dot}dir")
        for lab, v, x in zip(r.outputs, r.value, r.jvp):
            t.row(_label(lab), n(v), n(x))
        foot.append("dir: " + ", ".join(f"{k} = {number(v)}" for k, v in r.dir.items()))
    elif command == "vjp":
        t = _grid(("", NUM, None), f"u{g.transpose}{g.dot}J")
        for v, x in r.vjp.items():
            t.row(_label(v), n(x))
        foot.append("u: " + ", ".join(number(c) for c in r.cotangent) + "; values: " +
                    ", ".join(n(v) for v in r.value))
    elif command == "taylor":
        var = r.wrt
        k = g.power_k
        t = _grid(("k", NUM, "k ="), f"d{k}f/d{var}{k}", "coefficient (/k!)")
        for i, (x, c) in enumerate(zip(r.derivatives, r.coefficients)):
            t.row(str(i), n(x), n(c))
        if r.dir is not None:
            foot.append(f"along x + t{g.dot}dir, dir: " + ", ".join(f"{k} = {number(v)}" for k, v in r.dir.items()))
        foot.append(f"Taylor mode, order {r.order}")
    elif command == "check":
        t = _grid(("", NUM, None), "forward AD", "reverse AD", "finite diff.", "rel err", ("", NUM, "verdict"))
        for row in r.rows:
            t.row(_label(row.var), n(row.forward), n(row.reverse), n(row.finite_difference),
                  number(row.rel_error, 2), "ok" if row.ok else "MISMATCH")
        for row in r.rows:
            if not row.ok:
                foot.append(f"{row.var}: {row.reason}")
        from ..engine.fdcheck import RTOL
        foot.append(("ok" if r.ok else "MISMATCH") + ": AD vs Ridders-extrapolated central differences, "
                    f"tolerance {RTOL:g} {g.times} max(1, |derivative|)")
    else:  # pragma: no cover
        raise ValueError(command)
    return t, foot


def print_result(r, command, precision=None, explain=None, file=None):
    from rich.text import Text

    from .layout import print_grid, print_line
    c = console(file)
    ascii = ascii_output(c)
    print_line(c, header(r, precision, c.width))  # folds a long expression only
    t, foot = build(r, command, precision, ascii)
    print_grid(c, t, ascii)
    for line in foot:
        c.print(Text(printable(line), style="dim"))
    for line in explain or ():
        c.print(Text(printable(line), style="dim"))
