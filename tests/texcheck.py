"""A small checker for the LaTeX adcli writes, for machines without TeX: braces and
environments balanced, math shifts paired, only known commands, special characters
escaped outside math, and every row of a tabular with as many cells as its column spec.
It returns the tabulars' cells, so that tests can read the numbers back."""
import re

KNOWN = {
    # structure
    "begin", "end", "toprule", "midrule", "bottomrule", "noindent", "texttt", "par", "smallskip", "medskip",
    # escapes
    "textbackslash", "textasciitilde", "textless", "textgreater", "textbar", "ensuremath", "backslash", "sim",
    "hat",
    # math
    "partial", "cdot", "times", "dot", "bar", "mathit", "mathrm", "operatorname", "sqrt", "lvert", "rvert",
    "infty", "pi", "log", "sin", "cos", "tan", "sinh", "cosh", "tanh", "exp", "min", "max", "arcsin", "arccos",
    "arctan",
}
ESCAPES = set("{}$&%#_^ ,;")     # \{ \} \$ ... and \, \; spacing
ENVIRONMENTS = {"tabular"}


class TexError(AssertionError):
    pass


def check(text):
    """Raise TexError on a fault; return [tabular] where each tabular is its rows of cells
    (header row included)."""
    stack = []          # "{" or an environment name
    math = False
    tabulars = []
    i = 0
    n = len(text)
    while i < n:
        c = text[i]
        if c == "%":    # adcli writes comments at the start of a line only: a % elsewhere is user text let through
            if i and text[i - 1] != "\n":
                raise TexError(f"unescaped % at {i}")
            i = text.find("\n", i)
            i = n if i < 0 else i
            continue
        if c == "\\":
            m = re.match(r"\\([A-Za-z]+)", text[i:])
            if m:
                name = m.group(1)
                if name not in KNOWN:
                    raise TexError(f"unknown command \\{name} at {i}")
                if name in ("begin", "end"):
                    env = re.match(r"\{([A-Za-z*]+)\}", text[m.end() + i:])
                    if not env or env.group(1) not in ENVIRONMENTS:
                        raise TexError(f"bad environment at {i}")
                    if name == "begin":
                        stack.append(env.group(1))
                        spec = re.match(r"\{([lrc]+)\}", text[i + m.end() + env.end():])
                        if not spec:
                            raise TexError(f"tabular without a column spec at {i}")
                        body_start = i + m.end() + env.end() + spec.end()
                        end = text.find("\\end{tabular}", body_start)
                        if end < 0:
                            raise TexError("tabular not ended")
                        tabulars.append(_rows(text[body_start:end], len(spec.group(1))))
                        i = body_start
                        continue
                    if not stack or stack.pop() != env.group(1):
                        raise TexError(f"\\end{{{env.group(1)}}} closes nothing at {i}")
                    i += m.end() + env.end()
                    continue
                i += m.end()
                continue
            if i + 1 < n and text[i + 1] in ESCAPES:
                i += 2
                continue
            if text[i:i + 2] == "\\\\":
                i += 2
                continue
            raise TexError(f"stray backslash at {i}: {text[i:i + 10]!r}")
        if c == "{":
            stack.append("{")
        elif c == "}":
            if not stack or stack.pop() != "{":
                raise TexError(f"unbalanced }} at {i}")
        elif c == "$":
            math = not math
        elif c in "#%":
            raise TexError(f"unescaped {c} at {i}")
        elif c in "_^" and not math:
            raise TexError(f"{c} outside math at {i}: {text[max(0, i - 20):i + 5]!r}")
        elif c == "&" and not (stack and "tabular" in stack):
            raise TexError(f"& outside a tabular at {i}")
        elif c == "\n" and math:
            raise TexError(f"math runs past the end of a line at {i}")
        i += 1
    if stack:
        raise TexError(f"not closed: {stack}")
    if math:
        raise TexError("a $ is not closed")
    return tabulars


def _rows(body, columns):
    """The cells of each row; every row must have `columns` cells."""
    rows = []
    body = re.sub(r"\\(toprule|midrule|bottomrule)", "", body)
    for raw in re.split(r"\\\\", body)[:-1]:
        cells = _split_cells(raw)
        if len(cells) != columns:
            raise TexError(f"a row of {len(cells)} cells in a tabular of {columns} columns: {raw!r}")
        rows.append([c.strip() for c in cells])
    tail = re.split(r"\\\\", body)[-1]
    if tail.strip():
        raise TexError(f"text after the last row: {tail!r}")
    return rows


def _split_cells(row):
    cells, depth, start, i = [], 0, 0, 0
    while i < len(row):
        c = row[i]
        if c == "\\":
            i += 2
            continue
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
        elif c == "&" and depth == 0:
            cells.append(row[start:i])
            start = i + 1
        i += 1
    cells.append(row[start:])
    return cells


def markdown_tables(text):
    """The GitHub-flavoured tables of a Markdown text, as rows of cells (escapes
    removed); each row must have as many cells as the header, the second line must be
    the alignment row, and a pipe inside a cell must be escaped."""
    tables, lines, i = [], text.split("\n"), 0
    while i < len(lines):
        if not lines[i].startswith("|"):
            i += 1
            continue
        block = []
        while i < len(lines) and lines[i].startswith("|"):
            block.append(lines[i])
            i += 1
        rows = [_md_cells(line) for line in block]
        width = len(rows[0])
        if not all(re.fullmatch(r":?-+:?", c) for c in rows[1]):
            raise TexError(f"no alignment row: {block[1]!r}")
        for row, line in zip(rows, block):
            if len(row) != width:
                raise TexError(f"a row of {len(row)} cells in a table of {width}: {line!r}")
        tables.append([rows[0]] + rows[2:])
    return tables


def _md_cells(line):
    if not (line.startswith("| ") or line.startswith("|:") or line.startswith("|-")) or not line.endswith("|"):
        raise TexError(f"a table row must start and end with a pipe: {line!r}")
    cells, cur, i = [], "", 1
    while i < len(line):
        c = line[i]
        if c == "\\" and i + 1 < len(line):
            cur += line[i + 1]
            i += 2
            continue
        if c == "|":
            cells.append(cur.strip())
            cur = ""
        else:
            cur += c
        i += 1
    return cells
