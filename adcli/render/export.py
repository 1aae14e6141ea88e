"""LaTeX and Markdown of results and traces, for lecture notes and slides.

Nothing here decides what a table holds: result tables come from adcli.render.tables
(build) and trace tables from adcli.render.trace (tables), the ones the terminal prints.
This module only writes them: LaTeX as booktabs tabulars (\\toprule, \\midrule,
\\bottomrule; the document needs \\usepackage{booktabs}) with the textbook names v_{-1},
\\dot v_1, \\bar v_1; Markdown as GitHub-flavoured tables. Every piece of user text is
escaped for its format.

The names and glyphs are asked for as markers ({v|-1}, {g|partial}), which the tables
carry through unchanged (they are printable and no formula or name holds a brace) and the
writers below turn into each format's notation.
"""
import re

from ..errors import printable
from ..numtext import number

# {v_-1}: the index after '_' as ASCII names have it (v_-1), which the trace's rules for
# when to parenthesize already read as one name; {dot|x1}: a name's tangent.
MARK = re.compile(r"\{(v|vdot|vbar|sub)_(-?[0-9]+)\}|\{(dot|bar|g)\|([^{}|]*)\}")


def _groups(m):
    return (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))

# ---------------------------------------------------------------- LaTeX escaping

_TEX = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&", "%": r"\%", "#": r"\#",
        "_": r"\_", "^": r"\^{}", "~": r"\textasciitilde{}", "<": r"\textless{}", ">": r"\textgreater{}",
        "|": r"\textbar{}", "×": r"\ensuremath{\times}", "·": r"\ensuremath{\cdot}", "−": "-"}
_TEX_MATH = {"\\": r"\backslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&", "%": r"\%", "#": r"\#",
             "_": r"\_", "~": r"\sim{}", "^": r"\hat{}", "×": r"\times{}", "·": r"\cdot{}", "−": "-"}


def tex_text(text):
    """User or fixed text for LaTeX's text mode: every special character escaped."""
    text = printable(text)
    return "".join(_TEX.get(c, " " if c.isspace() else c) for c in text)


def tex_name(name):
    """A variable's name in math mode: x, x_{1} for x1 (as textbooks write inputs),
    \\mathit{rate\\_2} for a longer one."""
    name = printable(name)
    m = re.fullmatch(r"([A-Za-z])([0-9]+)", name)
    if m:
        return f"{m.group(1)}_{{{m.group(2)}}}"
    if len(name) == 1 and name.isalpha() and name.isascii():
        return name
    return r"\mathit{" + "".join(_TEX_MATH.get(c, c) for c in name) + "}"


def tex_number(text):
    """A number as adcli writes it (1.5e-08, -inf, nan), in math mode."""
    if text in ("inf", "-inf"):
        return text.replace("inf", r"\infty")
    if text == "nan":
        return r"\mathrm{nan}"
    m = re.fullmatch(r"(-?[0-9.]+)e([+-]?)0*([0-9]+)", text)
    if m:
        sign = "-" if m.group(2) == "-" else ""
        return rf"{m.group(1)} \times 10^{{{sign}{m.group(3)}}}"
    return text


NUMBER = re.compile(r"-?(?:[0-9]+\.?[0-9]*(?:e[+-]?[0-9]+)?|inf)|nan")

_GLYPHS_TEX = {"partial": r"\partial ", "dot": r"\cdot ", "times": r"\times ", "transpose": "^{T}",
               "squared": "^{2}", "power_k": "^{k}", "sep": ";"}


def _tex_mark(kind, arg):
    if kind == "g":
        return _GLYPHS_TEX[arg]
    if kind == "v":
        return f"v_{{{arg}}}"
    if kind == "vdot":
        return rf"\dot v_{{{arg}}}"
    if kind == "vbar":
        return rf"\bar v_{{{arg}}}"
    if kind == "sub":
        return f"_{{{arg}}}"
    accent = r"\dot" if kind == "dot" else r"\bar"
    return rf"{accent}{{{tex_name(arg)}}}"


# Functions LaTeX has an operator for; the others are written \operatorname{name}.
_TEX_FUNCTIONS = {"sin", "cos", "tan", "sinh", "cosh", "tanh", "exp", "log", "min", "max", "arcsin", "arccos",
                  "arctan"}
_TEX_RENAMED = {"asin": r"\arcsin", "acos": r"\arccos", "atan": r"\arctan"}
_TOKEN = re.compile(r"\s+|\{(?:v|vdot|vbar|sub)_-?[0-9]+\}|\{(?:dot|bar|g)\|[^{}|]*\}"
                    r"|[0-9]+\.?[0-9]*(?:e[+-]?[0-9]+)?|\.[0-9]+|[A-Za-z_][A-Za-z0-9_]*|.", re.S)


def tex_formula(text):
    """A trace formula ('log {v|-1}', '{v|0} * {vdot|-1} + ...', '1/sqrt(1 - {v|1}^2)')
    as LaTeX math. Formulas are made from the op table's templates and the markers; a
    name that is neither a function nor a constant is user text and is escaped."""
    from ..ops.table import CONSTANTS
    toks = [t for t in _TOKEN.findall(text)]
    out = []
    i = 0
    closers = []   # for each open '(' : what closes it
    while i < len(toks):
        t = toks[i]
        nxt = next((u for u in toks[i + 1:] if not u.isspace()), "")
        m = MARK.fullmatch(t)
        if m:
            out.append(_tex_mark(*_groups(m)))
        elif t.isspace():
            out.append(" ")
        elif t[0].isdigit() or t[0] == ".":
            out.append(tex_number(t))
        elif t[0].isalpha() or t[0] == "_":
            if t in CONSTANTS:
                out.append(r"\pi " if t == "pi" else t)
            elif nxt == "(" or MARK.fullmatch(nxt or ""):
                if t == "sqrt" or t == "abs":
                    left, right = (r"\sqrt{", "}") if t == "sqrt" else (r"\lvert ", r"\rvert ")
                    if nxt == "(":
                        i = toks.index("(", i + 1)
                        closers.append(right)
                        out.append(left)
                    else:   # 'sqrt {v|0}': the one marker is the argument
                        j = toks.index(nxt, i + 1)
                        out.append(left + _tex_mark(*_groups(MARK.fullmatch(nxt))) + right)
                        i = j
                else:
                    out.append(_TEX_RENAMED.get(t) or (f"\\{t}" if t in _TEX_FUNCTIONS else
                                                       rf"\operatorname{{{tex_text(t)}}}"))
            else:
                out.append(tex_name(t))
        elif t == "(":
            closers.append(")")
            out.append("(")
        elif t == ")":
            out.append(closers.pop() if closers else ")")
        elif t == "^":
            if nxt == "(":
                i = toks.index("(", i + 1)
                closers.append("}")
                out.append("^{")
            else:
                out.append("^")
                j = toks.index(nxt, i + 1)
                out.append("{" + tex_formula(nxt) + "}")
                i = j
        elif t in "*·":
            out.append(r"\cdot ")
        elif t == "×":
            out.append(r"\times ")
        elif t == "−":
            out.append("-")
        else:
            out.append(_TEX_MATH.get(t, t))
        i += 1
    out.extend(closers[::-1])   # an unbalanced template cannot unbalance the document
    return re.sub(r"  +", " ", "".join(out)).strip()


def tex_mixed(text):
    """Text that may hold markers ('tangent trace ({dot|x1} = 1)'): text escaped, each
    marker as inline math."""
    out, pos = [], 0
    for m in MARK.finditer(text):
        out.append(tex_text(text[pos:m.start()]))
        out.append(f"${_tex_mark(*_groups(m)).strip()}$")
        pos = m.end()
    out.append(tex_text(text[pos:]))
    return "".join(out)


def tex_header(text):
    """A column title: math when it is made of glyphs and names (∂f/∂x), else text."""
    if not MARK.search(text):
        return tex_text(text)
    out, pos = [], 0
    for m in MARK.finditer(text):
        out.append(_math_run(text[pos:m.start()]))
        out.append(_tex_mark(*_groups(m)))
        pos = m.end()
    out.append(_math_run(text[pos:]))
    return "$" + "".join(out).strip() + "$"


_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _math_run(text):
    """Glyph-free text of a title in math mode: names as variables, the rest escaped."""
    out, pos = [], 0
    text = printable(text)
    for m in _IDENT.finditer(text):
        out.append("".join(_TEX_MATH.get(c, c) for c in text[pos:m.start()]))
        out.append(tex_name(m.group()))
        pos = m.end()
    out.append("".join(_TEX_MATH.get(c, c) for c in text[pos:]))
    return "".join(out)


# ---------------------------------------------------------------- Markdown escaping

_MD_SPECIAL = set("\\`*_[]<>|~$&")


def md_text(text, line_start=False):
    """Text for a GitHub-flavoured Markdown table cell (or, `line_start`, a line of a
    paragraph): control characters shown escaped, and every character that Markdown (or
    GitHub's math) would read as markup backslash-escaped; a pipe never ends a cell."""
    text = printable(text)
    out = "".join("\\" + c if c in _MD_SPECIAL else c for c in text)
    if line_start and (out[:1] in ("#", "-", "+", "=", ">") or re.match(r"[0-9]+[.)]", out)):
        out = "\\" + out   # not a heading, a list or a quote at the start of a line
    return out


# ---------------------------------------------------------------- the two writers

class Table:
    """What both writers take: column titles and alignments, rows (each a list of cell
    texts already in the target format), the rows after which a rule goes, rows in bold."""

    def __init__(self, headers, aligns):
        self.headers = headers
        self.aligns = aligns
        self.rows = []
        self.rules = set()
        self.bold = set()


def latex_tabular(t):
    lines = [r"\begin{tabular}{" + "".join(t.aligns) + "}", r"\toprule"]
    if any(h.strip() for h in t.headers):
        lines += [" & ".join(t.headers) + r" \\", r"\midrule"]
    for i, row in enumerate(t.rows):
        lines.append(" & ".join(row) + r" \\")
        if i in t.rules and i != len(t.rows) - 1:
            lines.append(r"\midrule")
    lines += [r"\bottomrule", r"\end{tabular}"]
    return "\n".join(lines)


def markdown_table(t):
    align = {"l": ":--", "r": "--:", "c": ":-:"}
    head = [h if h.strip() else " " for h in t.headers]
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join(align[a] for a in t.aligns) + "|"]
    for i, row in enumerate(t.rows):
        cells = [f"**{c}**" if i in t.bold and c.strip() else c for c in row]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _heading(fmt, expr, at):
    from .tables import one_line
    shown = one_line(expr)
    point = ", ".join(f"{k} = {number(v)}" for k, v in at.items()) if at else ""
    if fmt == "latex":
        head = r"\noindent\texttt{" + tex_text(shown) + "}"
        if point:
            head += " at $" + ", ".join(f"{tex_name(k)} = {tex_number(number(v))}" for k, v in at.items()) + "$"
        return head + r"\par\smallskip"
    return f"**{md_text(shown, True)}**" + (f" at {md_text(point)}" if point else "")


def _notes(fmt, lines):
    if fmt == "latex":
        return [r"\par\smallskip"] + [tex_mixed(line) + r"\par" for line in lines] if lines else []
    return [md_text(line, True) + ("  " if i < len(lines) - 1 else "") for i, line in enumerate(lines)]


def _document(fmt, head, tables, notes):
    if fmt == "latex":
        parts = [r"% adcli: a booktabs table; the document needs \usepackage{booktabs}", head]
        for i, t in enumerate(tables):
            if i:
                parts.append(r"\par\medskip")
            parts.append(latex_tabular(t))
        parts += _notes(fmt, notes)
        return "\n".join(parts) + "\n"
    parts = [head, ""]
    for t in tables:
        parts += [markdown_table(t), ""]
    parts += _notes(fmt, notes)
    return "\n".join(parts).rstrip("\n") + "\n"


# ---------------------------------------------------------------- results

class _Marked:
    """The glyphs tables.build asks for, as markers: each format writes its own."""

    def __init__(self):
        from .console import GLYPHS
        for name in GLYPHS:
            setattr(self, name, f"{{g|{name}}}")


def write_result(r, fmt, precision=None, out=None):
    """A result (grad, jacobian, hessian, taylor, check, ...) in `fmt`: latex or markdown."""
    import sys

    from .tables import _BUILD, build
    if type(r) not in _BUILD:   # a command that offers an export must have its table
        from ..errors import UsageError
        raise UsageError(f"--format {fmt} is not available for this result")
    grid, foot = build(r, precision, False, _Marked() if fmt == "latex" else None)
    from ..api.results import Result
    if isinstance(r, Result) and r.mode:
        foot = foot + [r.reason or f"{r.mode} mode"]
    t = Table([_cell(fmt, c.header, header=True) for c in grid.columns],
              [{"left": "l", "right": "r", "center": "c"}.get(c.justify, "l") for c in grid.columns])
    for cells, *_ in grid.rows:
        t.rows.append([_cell(fmt, c, key=i == 0) for i, c in enumerate(cells)])
    (out or sys.stdout).write(_document(fmt, _heading(fmt, r.expr, r.at), [t], foot))


def _cell(fmt, cell, header=False, key=False):
    text = cell.plain if hasattr(cell, "plain") else str(cell)
    if fmt == "markdown":
        return md_text(text)
    if header:
        return tex_header(text)
    if key and _IDENT.fullmatch(text):    # a row's variable (or f): as in the titles
        return f"${tex_name(text)}$"
    if NUMBER.fullmatch(text):
        return f"${tex_number(text)}$"
    if MARK.search(text):
        return tex_header(text)
    return tex_text(text)


# ---------------------------------------------------------------- traces

class TexNotation:
    """adcli.render.notation.Notation's interface, writing markers (see the module's
    docstring) and the Unicode operators the terminal shows: × in a definition, · in a
    rule, − for minus, which the formula writer writes as times, cdot and a hyphen."""
    ascii = False
    times = "·"

    def sub(self, k):
        return f"{{sub_{k}}}"

    def v(self, k):
        return f"{{v_{k}}}"

    def vdot(self, k):
        return f"{{vdot_{k}}}"

    def vbar(self, k):
        return f"{{vbar_{k}}}"

    def dot(self, name):
        return f"{{dot|{name}}}"

    def bar(self, name):
        return f"{{bar|{name}}}"

    def expr(self, text):
        return text.replace("*", "·").replace(" - ", " − ")


def write_trace(trace, fmt, precision=None, decimals=None, out=None):
    """The trace tables (primal and tangent side by side, or primal then adjoint, as in
    Baydin et al. 2018, Tables 2 and 3) in `fmt`: latex or markdown."""
    import sys

    from ..numtext import value as value_text
    from .notation import Notation
    from .trace import tables
    fmtv = lambda v: value_text(v, precision, decimals)  # noqa: E731
    n = TexNotation() if fmt == "latex" else Notation(False)
    long_seed, made = tables(trace, n, fmtv, lambda s: s)
    out_tables = []
    for t in made:
        aligns = [{"left": "l", "right": "r", "center": "c"}[j] for _, j, _, _ in t.columns]
        roles = t.roles
        keep = [i for i, role in enumerate(roles) if role != "gap"] if fmt == "markdown" else list(range(len(roles)))
        table = Table([_trace_cell(fmt, t.columns[i][0], "header") for i in keep], [aligns[i] for i in keep])
        for k, (cells, style, end) in enumerate(t.rows):
            table.rows.append([_trace_cell(fmt, cells[i], roles[i]) for i in keep])
            if end:
                table.rules.add(k)
            if style == "bold":
                table.bold.add(k)
        out_tables.append(table)
    notes = []
    if long_seed:
        notes.append("tangent seed: " + ", ".join(long_seed))
    (out or sys.stdout).write(_document(fmt, _heading(fmt, trace.expr, trace.at), out_tables, notes))


def _trace_cell(fmt, text, role):
    if fmt == "markdown":
        return md_text(text)
    if role == "header" or role == "let":
        return tex_mixed(text)
    if role == "number":
        return f"${tex_number(text)}$" if NUMBER.fullmatch(text) else tex_text(text)
    if role == "gap" or not text:
        return ""
    return f"${tex_formula(text)}$"
