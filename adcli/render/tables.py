"""Rich tables for the terminal, one per result type. Imported only when a table is
printed. User text goes in as rich.text.Text (never as markup) after control characters
are escaped. How a table meets the console's width, for every table in adcli, is
adcli.render.layout's policy."""

from ..api.results import Check, Hessian, Jacobian, Jvp, Result, Taylor, Vjp
from ..errors import printable
from ..numtext import number
from .console import console as make_console
from .console import wants_ascii


def one_line(source):
    """A program file shown on one line: comments dropped, statements joined by '; '.
    A source that is already one line is shown as typed."""
    if "\n" not in source.strip():
        return source
    lines = [line.split("#", 1)[0].strip() for line in source.splitlines()]
    return "; ".join(line for line in lines if line)


def header(result, precision=None, width=None):
    """The expression and the point as given (`precision` is accepted and not applied:
    --precision rounds results, not inputs); see adcli.layout.heading."""
    from .layout import heading
    return heading(printable(one_line(result.expr)), result.at, width)


def print_functions(rows, file=None):
    """The functions table: rows of (name, arity, kind, meaning, domain, convention)."""
    from rich.text import Text

    from .console import glyphs
    from .layout import NUM, TEXT, Column, Grid, print_grid
    c = make_console(file, soft_wrap=True, wide_when_piped=False)
    ascii = wants_ascii(con=c)
    grid = Grid([Column("name", NUM, key=True), Column("args", NUM), Column("meaning", TEXT),
                 Column("domain", TEXT), Column("convention at special points", TEXT, name="convention")])
    for name, arity, _kind, meaning, domain, note in rows:
        grid.row(name, str(arity), meaning, domain, note)
    c.print(Text("adcli functions and operators", style="italic"))
    print_grid(c, grid, ascii)
    sep = glyphs(ascii).sep
    c.print(Text(f"constants: pi, e {sep} operators: + - * / ^ (or **), unary -, < <= > >= == !=, and or not "
                 f"{sep} your own: sq(t) = t*t; sq(x)", style="dim"))


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


def build(r, precision=None, ascii=False, g=None):
    """(grid, footer lines) for one result; `g` the glyphs to write (default: Unicode,
    or ASCII), as an export asks for its own."""
    from .console import glyphs
    g = g or glyphs(ascii)

    def n(v):
        return number(v, precision)
    return _BUILD[type(r)](r, n, g)


def _result_table(r, n, g):
    from rich.text import Text

    from .layout import NUM, TEXT, Column, Grid
    several = len(r.value) > 1
    t = Grid([Column("", TEXT if several else NUM, key=True), Column("value", justify="right")])
    for label, v in zip(r.outputs, r.value):
        t.row(Text(printable(label)) if several else Text("f"), n(v))
    if r.jacobian is not None:
        for w, d in zip(r.wrt, r.jacobian[0]):
            t.row(Text(f"{g.partial}f/{g.partial}{w}"), n(d))
    return t, []


def _jacobian_table(r, n, g):
    d = g.partial
    t = _grid("", "value", *[f"{d}/{d}{v}" for v in r.variables])
    for lab, v, row in zip(r.outputs, r.value, r.jacobian):
        t.row(_label(lab), n(v), *[n(x) for x in row])
    return t, [r.reason]


def _hessian_table(r, n, g):
    from .layout import NUM
    d = g.partial
    t = _grid(("", NUM, None), f"{d}f/{d}{g.dot}", *[f"{d}{g.squared}f/{d}{g.dot}{d}{v}" for v in r.variables])
    for v, row in zip(r.variables, r.hessian):
        t.row(_label(v), n(r.gradient[v]), *[n(h) for h in row])
    return t, [f"f = {n(r.value)}; second derivatives exact, by forward-over-reverse AD"]


def _jvp_table(r, n, g):
    t = _grid("", "value", f"J{g.dot}dir")
    for lab, v, x in zip(r.outputs, r.value, r.jvp):
        t.row(_label(lab), n(v), n(x))
    return t, ["dir: " + ", ".join(f"{k} = {number(v)}" for k, v in r.dir.items())]


def _vjp_table(r, n, g):
    from .layout import NUM
    t = _grid(("", NUM, None), f"u{g.transpose}{g.dot}J")
    for v, x in r.vjp.items():
        t.row(_label(v), n(x))
    return t, ["u: " + ", ".join(number(c) for c in r.cotangent) + "; values: " + ", ".join(n(v) for v in r.value)]


def _taylor_table(r, n, g):
    from .layout import NUM
    k = g.power_k
    t = _grid(("k", NUM, "k ="), f"d{k}f/d{r.wrt}{k}", "coefficient (/k!)")
    for i, (x, c) in enumerate(zip(r.derivatives, r.coefficients)):
        t.row(str(i), n(x), n(c))
    foot = []
    if r.dir is not None:
        foot.append(f"along x + t{g.dot}dir, dir: " + ", ".join(f"{k} = {number(v)}" for k, v in r.dir.items()))
    foot.append(f"Taylor mode, order {r.order}")
    return t, foot


def _check_table(r, n, g):
    from ..engine.fdcheck import RTOL
    from .layout import NUM
    from .text import VERDICT_WORDS
    t = _grid(("", NUM, None), "forward AD", "reverse AD", "finite diff.", "rel err", ("", NUM, "verdict"))
    for row in r.rows:
        t.row(_label(row.var), n(row.forward), n(row.reverse), n(row.finite_difference),
              number(row.rel_error, 2), VERDICT_WORDS[row.verdict])
    foot = [f"{row.var}: {row.reason}" for row in r.rows if not row.ok]
    foot.append(VERDICT_WORDS[r.verdict] + ": AD vs Ridders-extrapolated central differences, "
                f"tolerance {RTOL:g} {g.times} max(1, |derivative|)")
    return t, foot


_BUILD = {Result: _result_table, Jacobian: _jacobian_table, Hessian: _hessian_table, Jvp: _jvp_table,
          Vjp: _vjp_table, Taylor: _taylor_table, Check: _check_table}


def print_result(r, precision=None, explain=None, file=None):
    """The heading (expression and point), the result's table and its footer lines."""
    from rich.text import Text

    from .layout import print_grid, print_line
    c = make_console(file, soft_wrap=True, wide_when_piped=False)
    ascii = wants_ascii(con=c)
    print_line(c, header(r, precision, c.width))  # folds a long expression only
    t, foot = build(r, precision, ascii)
    print_grid(c, t, ascii)
    if isinstance(r, Result) and r.mode and not explain:  # --explain says the same, with more
        foot.append(r.reason or f"{r.mode} mode")
    for line in foot:
        c.print(Text(printable(line), style="dim"), soft_wrap=True)
    for line in explain or ():
        c.print(Text(printable(line), style="dim"), soft_wrap=True)
