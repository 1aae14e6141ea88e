"""Formatting of a Trace (adcli.trace): textbook tables with Rich, JSON and CSV without.

Everything here reads the trace; nothing is computed except text.
"""

from ..numtext import constant, json_number, number
from ..numtext import value as value_text
from ..ops.table import PRIMS
from .notation import Notation, partial_text, text_width


def arg_text(ref, n):
    kind, x = ref
    if kind == "v":
        return n.v(x)
    text = constant(x)
    return f"({text})" if text.startswith("-") else text


def definition(row, n):
    """The right-hand side of a primal row: 'x1', 'log v₋₁', 'v₋₁ × v₀'."""
    if row.op == "input":
        return row.param
    args = [arg_text(a, n) for a in row.args]
    text = PRIMS[row.op].template.format(*args, p=constant(row.param) if row.param is not None else "")
    if not n.ascii:
        text = text.replace(" * ", " × ").replace(" - ", " − ")
    return text


def _partial(row, pos, n):
    tmpl = partial_text(row.op, pos, row.param)
    names = [arg_text(a, n) for a in row.args]
    return n.expr(tmpl.format(*names, y=n.v(row.k)))


def _wrap(text, first=False):
    """Parentheses around a partial that is more than one factor, so that
    'v̄₃ · (v₃·log(v₋₁))' and '(2·v₀) · v̇₀' read unambiguously."""
    depth = 0
    for i, c in enumerate(text):
        if c in "([":
            depth += 1
        elif c in ")]":
            depth -= 1
        elif depth == 0 and (c in "+−*·/" or (c == "-" and text[i - 1:i] != "_" and (i > 0 or not first))):
            return f"({text})"
    return text


def _product(partial, factor, n, partial_first=False):
    """factor times partial, written as simply as the partial allows: v̇₁, -v̄₅,
    v̇₋₁/v₋₁, cos(v₀) · v̇₀ (tangents, partial first) or v̄₂ · v₋₁ (adjoints)."""
    if partial == "1":
        return factor
    if partial == "-1":
        return f"-{factor}"
    if partial.startswith("1/") and _simple(partial[2:]):
        return f"{factor}/{partial[2:]}"
    if partial_first:
        return f"{_wrap(partial, first=True)} {n.times} {factor}"
    return f"{factor} {n.times} {_wrap(partial)}"


def _simple(text):
    text = text.replace("_-", "_")  # v_-1 is a name, not a subtraction
    return all(c not in text for c in " +-−*·/^") or (text.startswith("(") and text.endswith(")"))


def tangent_text(row, n):
    """The tangent rule of a row: 'v̇₋₁ · v₀ + v̇₀ · v₋₁' (ẋ1 for an input)."""
    if row.op == "input":
        return n.dot(row.param)
    terms = []
    for pos, (ref, p) in enumerate(zip(row.args, row.partials)):
        if ref[0] != "v" or (type(p) is int and p == 0):
            continue
        terms.append(_product(_partial(row, pos, n), n.vdot(ref[1]), n, partial_first=True))
    if not terms:
        return "0"
    minus = " - " if n.ascii else " − "
    text = terms[0]
    for t in terms[1:]:
        text += f"{minus}{t[1:]}" if t.startswith("-") else f" + {t}"
    return text


def step_text(trace, step, n):
    """One assignment of the reverse sweep: 'v̄₀ = v̄₀ + v̄₂ · v₋₁'."""
    target = n.vbar(step.target)
    if step.kind == "seed":
        return target, n.bar(output_name(trace.inputs))
    src = trace.row(step.source)
    term = _product(_partial(src, step.arg, n), n.vbar(step.source), n)
    if step.kind == "add":
        minus = " - " if n.ascii else " − "
        rhs = f"{target}{minus}{term[1:]}" if term.startswith("-") else f"{target} + {term}"
    else:
        rhs = term
    return target, rhs


def output_name(inputs):
    """y, as in the textbooks, unless an input is called y (then f, or out)."""
    return next(name for name in ("y", "f", "out", "output") if name not in inputs)


def output_names(trace, n):
    y = output_name(trace.inputs)
    if len(trace.outputs) == 1:
        return [y]
    return [f"{y}{n.sub(j + 1)}" for j in range(len(trace.outputs))]


def _ref_value(trace, ref):
    return trace.row(ref[1]).value if ref[0] == "v" else ref[1]


# ---------------------------------------------------------------- data formats

def _ascii_name(k):
    return f"v_{k}"


def _json_arg(ref):
    return _ascii_name(ref[1]) if ref[0] == "v" else json_number(ref[1])


def _deriv(v):
    return 0.0 if v is None else v


def record(trace):
    """The trace as one JSON-ready dict (strict JSON: non-finite numbers as strings)."""
    rows = []
    for r in trace.rows:
        rec = {"index": r.k, "name": _ascii_name(r.k), "op": r.op,
               "args": [_json_arg(a) for a in r.args], "let": list(r.names),
               "value": json_number(r.value) if r.taken else None}
        if not r.taken:
            rec["taken"] = False   # in a branch of an `if` not taken: its value reaches nothing
        if r.op == "input":
            rec["variable"] = r.param
        if r.op == "powc":
            rec["exponent"] = json_number(r.param)
        if r.partials is not None and r.taken:
            rec["partials"] = [json_number(p) for p in r.partials]
        if trace.mode == "forward":
            rec["tangent"] = json_number(_deriv(r.tangent))
        else:
            rec["adjoint"] = json_number(_deriv(r.adjoint))
        rows.append(rec)
    outputs = []
    for j, (ref, label) in enumerate(zip(trace.outputs, trace.labels)):
        out = {"label": label, "ref": _json_arg(ref), "value": json_number(_ref_value(trace, ref))}
        if trace.mode == "forward":
            out["tangent"] = json_number(_deriv(trace.output_tangents[j]))
        outputs.append(out)
    rec = {"expr": trace.expr, "at": {k: json_number(v) for k, v in trace.at.items()}, "mode": trace.mode}
    if trace.mode == "forward":
        rec["direction"] = {k: json_number(v) for k, v in trace.direction.items()}
    rec["rows"] = rows
    rec["outputs"] = outputs
    if trace.mode == "reverse":
        rec["adjoint_steps"] = [
            {"step": s + 1, "kind": st.kind, "target": _ascii_name(st.target),
             "source": None if st.source is None else _ascii_name(st.source),
             "partial": json_number(st.partial), "value": json_number(st.value)}
            for s, st in enumerate(trace.steps)]
        rec["gradient"] = {k: json_number(v) for k, v in trace.gradient.items()}
    return rec


def write_json(trace, out):
    from .text import dumps
    out.write(dumps(record(trace)) + "\n")


def write_csv(trace, out):
    """One line per variable: index,name,op,args,let,value,tangent (forward) or adjoint
    (reverse: the adjoint after the whole sweep; the steps are in the JSON and table)."""
    import csv
    w = csv.writer(out, lineterminator="\n")
    deriv = "tangent" if trace.mode == "forward" else "adjoint"
    w.writerow(["index", "name", "op", "args", "let", "value", deriv])
    for r in trace.rows:
        args = " ".join(_ascii_name(a[1]) if a[0] == "v" else number(a[1]) for a in r.args)
        if r.op == "input":
            args = r.param
        d = r.tangent if trace.mode == "forward" else r.adjoint
        if not r.taken:   # in a branch of an `if` not taken: nothing to show
            w.writerow([r.k, _ascii_name(r.k), r.op, args, " ".join(r.names), "", ""])
            continue
        w.writerow([r.k, _ascii_name(r.k), r.op, args, " ".join(r.names), number(r.value), number(_deriv(d))])


# ---------------------------------------------------------------- tables

def table_box(ascii):
    from .layout import table_box
    return table_box(ascii)


# A trace longer than this is written as plain aligned columns: Rich would take
# seconds to measure a 10,000-row table.
RICH_ROWS = 300


class _Table:
    """Columns (header, justify, style, kind) and rows (cells, style, end_section), for
    Rich or plain. The formula columns are text (they fold); every other is a number
    or a name, which never wraps."""

    def __init__(self):
        self.columns = []
        self.roles = []
        self.rows = []

    def column(self, header="", justify="left", style=None, text=False, role=None):
        self.columns.append((header, justify, style, text))
        self.roles.append(role)   # what an export writes it as: let, name, eq, formula, number, gap

    def row(self, *cells, style=None, end_section=False):
        self.rows.append((cells, style, end_section))


def _equations(console, grid):
    """A trace too wide for the table, one equation a line: 'v₁ = v₋₁ × v₀ = 10',
    under the titles of the trace's columns."""
    from rich.cells import cell_len
    from rich.text import Text
    titles = [c.header for c in grid.columns if c.kind == "text"]
    console.print(Text("; ".join(titles), style="bold"), soft_wrap=True)
    first = grid.columns[0].header  # "step" in an adjoint trace, else the let-names
    for cells, style, end, _ in grid.rows:
        plain = [c.plain if isinstance(c, Text) else str(c) for c in cells]
        for e in (i for i in range(2, len(plain) - 1) if plain[i] == "="):
            lhs, rhs, value = plain[e - 1], plain[e + 1], plain[e + 2]
            if plain[0] and e == 2 and first == "step":
                lhs = f"{plain[0]}. {lhs}"
            line = f"{lhs} = {rhs} = {value}"
            if plain[0] and e == 2 and first != "step":
                line += f"   ({plain[0]})"
            if cell_len(line) > console.width:
                # the value on a line of its own, whole
                console.print(Text(f"{lhs} = {rhs}", style=style or ""), soft_wrap=True)
                line = " " * (cell_len(lhs) + 1) + f"= {value}"
            console.print(Text(line, style=style or ""), soft_wrap=True)
        if end:
            console.print()


def _emit(console, t, ascii):
    from rich.text import Text
    if len(t.rows) <= RICH_ROWS:
        from .layout import NUM, TEXT, Column, Grid, print_grid
        grid = Grid([Column(h, TEXT if text else NUM, justify, style) for h, justify, style, text in t.columns],
                    collapse_padding=True)
        for cells, style, end in t.rows:
            grid.row(*[Text(c, style="dim") if c == "=" else Text(c) for c in cells], style=style,
                     end_section=end)
        print_grid(console, grid, ascii, lister=_equations)
        return
    widths = [max([text_width(h)] + [text_width(r[0][i]) for r in t.rows]) for i, (h, _, _, _) in
              enumerate(t.columns)]

    def line(cells):
        out = []
        for c, w, (_, justify, _, _) in zip(cells, widths, t.columns):
            pad = " " * (w - text_width(c))
            out.append(pad + c if justify == "right" else c + pad if justify == "left" else
                       pad[:len(pad) // 2] + c + pad[len(pad) // 2:])
        return "  ".join(out).rstrip()

    rule = "-" if ascii else "━"
    parts = [line([h for h, _, _, _ in t.columns]), rule * (sum(widths) + 2 * (len(widths) - 1))]
    for cells, _, end in t.rows:
        parts.append(line(cells))
        if end:
            parts.append("")
    console.file.write("\n".join(parts) + "\n")


# The widest tangent-trace title that carries its seed, as in "tangent trace (ẋ1 = 1, ẋ2 = 0)".
SEED_TITLE = 60


def _seed_lines(items, width):
    """'tangent seed: ẋ1 = 1, ẋ2 = 0, ...' broken between entries at `width`, never
    inside one: linear in the entries."""
    head = "tangent seed:"
    parts, col = [head], len(head)
    for i, item in enumerate(items):
        w = text_width(item)
        if i and col + 2 + w > width:
            parts.append(",\n" + " " * (len(head) + 1) + item)
            col = len(head) + 1 + w
        else:
            parts.append((", " if i else " ") + item)
            col += (2 if i else 1) + w
    return "".join(parts) + "\n"


def tables(trace, n, fmt, escape):
    """The trace's tables, as the terminal shows them: ([seed entries] when the tangent
    seed is too long for a column title, else None; [tables]). Forward: the primal and
    tangent traces side by side; reverse: the primal trace, then the adjoint trace in
    execution order. `n` writes the names (Unicode, ASCII, or an export's), `fmt` the
    values, `escape` user text."""
    def names(r):
        return escape(", ".join(r.names)) if r.names else ""

    def trace_columns(t, title):
        t.column("", "right", role="name")
        t.column("", "center", role="eq")
        t.column(title, text=True, role="formula")
        t.column("value", "right", role="number")

    outs = output_names(trace, n)
    last = len(trace.rows) - 1
    if trace.mode == "forward":
        seed = [escape(f"{n.dot(k)} = {fmt(v)}") for k, v in trace.direction.items()]
        title = f"tangent trace ({', '.join(seed)})" if seed else "tangent trace"
        long_seed = None
        if text_width(title) > SEED_TITLE:
            # Many variables: the seed on lines of its own, since a title as wide as the
            # seed would pad every row to its width (quadratic in the variables).
            long_seed, title = seed, "tangent trace"
        t = _Table()
        t.column("", style="cyan", role="let")
        trace_columns(t, "primal trace")
        t.column("", role="gap")
        trace_columns(t, title)
        for i, r in enumerate(trace.rows):
            if not r.taken:
                t.row(names(r), n.v(r.k), "=", escape(definition(r, n)), "not taken", "",
                      n.vdot(r.k), "", "", "", end_section=i == last)
                continue
            t.row(names(r), n.v(r.k), "=", escape(definition(r, n)), fmt(r.value), "",
                  n.vdot(r.k), "=", escape(tangent_text(r, n)), fmt(r.tangent), end_section=i == last)
        for j, (ref, y) in enumerate(zip(trace.outputs, outs)):
            rt = n.vdot(ref[1]) if ref[0] == "v" else "0"
            t.row("", y, "=", arg_text(ref, n), fmt(_ref_value(trace, ref)), "",
                  n.dot(y), "=", rt, fmt(trace.output_tangents[j]), style="bold")
        return long_seed, [t]

    t = _Table()
    t.column("", style="cyan", role="let")
    trace_columns(t, "primal trace")
    for i, r in enumerate(trace.rows):
        t.row(names(r), n.v(r.k), "=", escape(definition(r, n)), fmt(r.value) if r.taken else "not taken",
              end_section=i == last)
    for ref, y in zip(trace.outputs, outs):
        t.row("", y, "=", arg_text(ref, n), fmt(_ref_value(trace, ref)), style="bold")

    a = _Table()
    a.column("step", "right", style="dim", role="number")
    trace_columns(a, "adjoint trace (sweep order)")
    steps = trace.steps
    for s, st in enumerate(steps, start=1):
        target, rhs = step_text(trace, st, n)
        a.row(str(s), target, "=", rhs, fmt(st.value), end_section=s == len(steps))
    for j, name in enumerate(trace.inputs):
        a.row("", escape(n.bar(name)), "=", n.vbar(j - len(trace.inputs) + 1),
              fmt(trace.gradient[name]), style="bold")
    return None, [t, a]


def print_table(trace, console, ascii=False, precision=None, decimals=None):
    """The trace as textbook tables (see tables()), in the terminal."""
    from ..errors import printable
    from .layout import heading, print_line
    from .tables import one_line
    n = Notation(ascii)
    fmt = lambda v: value_text(v, precision, decimals)  # noqa: E731

    print_line(console, heading(printable(one_line(trace.expr)), trace.at, console.width, cut=True))
    long_seed, made = tables(trace, n, fmt, printable)
    if long_seed:
        console.file.write(_seed_lines(long_seed, console.width))
    for i, t in enumerate(made):
        if i:
            console.print()
        _emit(console, t, ascii)
