"""Rich tables for the terminal. Imported only when a table is printed. User text goes
in as rich.text.Text (never as markup) after control characters are escaped. How a table
meets the console's width, for every table in adcli, is adcli.layout's policy."""
import sys

from ..errors import printable
from .text import number


def console(file=None):
    from rich.console import Console
    # soft_wrap: a footer line never breaks mid-sentence; no markup or emoji codes: user text stays literal.
    return Console(file=file or sys.stdout, highlight=False, soft_wrap=True, emoji=False, markup=False)


def ascii_output(con):
    """True when the console's encoding cannot show the Unicode labels (∂, ·, ━)."""
    from .console import wants_ascii
    return wants_ascii(False, con)


def result_grid(result, command, precision=None, ascii=False):
    from rich.text import Text

    from .layout import NUM, TEXT, Column, Grid
    from .console import glyphs
    g = glyphs(ascii)
    several = len(result.value) > 1
    grid = Grid([Column("", TEXT if several else NUM, key=True), Column("value", justify="right")])
    for label, v in zip(result.outputs, result.value):
        grid.row(Text(printable(label)) if several else Text("f"), number(v, precision))
    if command == "grad":
        for w, d in zip(result.wrt, result.jacobian[0]):
            grid.row(Text(f"{g.partial}f/{g.partial}{w}"), number(d, precision))
    return grid


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


def print_result(result, command, precision=None, explain=None, file=None):
    from rich.text import Text

    from .layout import print_grid, print_line
    c = console(file)
    print_line(c, header(result, precision, c.width))  # folds a long expression only
    print_grid(c, result_grid(result, command, precision, ascii_output(c)), ascii_output(c))
    if result.mode and not explain:  # --explain says the same, with more
        c.print(Text(result.reason or f"{result.mode} mode", style="dim"), soft_wrap=True)
    for line in explain or ():
        c.print(Text(printable(line), style="dim"), soft_wrap=True)


def print_functions(rows, file=None):
    """The functions table: rows of (name, arity, kind, meaning, domain, convention)."""
    from rich.text import Text

    from .layout import NUM, TEXT, Column, Grid, print_grid
    from .console import glyphs
    c = console(file)
    ascii = ascii_output(c)
    grid = Grid([Column("name", NUM, key=True), Column("args", NUM), Column("meaning", TEXT),
                 Column("domain", TEXT), Column("convention at special points", TEXT, name="convention")])
    for name, arity, kind, meaning, domain, note in rows:
        grid.row(name, str(arity), meaning, domain, note)
    c.print(Text("adcli functions and operators", style="italic"))
    print_grid(c, grid, ascii)
    c.print(Text(f"constants: pi, e {glyphs(ascii).sep} operators: + - * / ^ (or **), unary -", style="dim"))
