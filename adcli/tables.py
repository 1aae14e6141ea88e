"""Rich tables for the terminal. Imported only when a table is printed. User text goes
in as rich.text.Text (never as markup) after control characters are escaped."""
import sys

from .errors import printable
from .output import number


def console(file=None):
    from rich.console import Console
    return Console(file=file or sys.stdout, highlight=False, soft_wrap=True)  # a footer line never breaks mid-sentence


def _point_text(at, precision):
    return ", ".join(f"{k} = {number(v, precision)}" for k, v in at.items())


def result_table(result, command, precision=None):
    from rich import box
    from rich.table import Table
    from rich.text import Text
    table = Table(box=box.SIMPLE_HEAVY, show_edge=False, pad_edge=False)
    table.add_column("")
    table.add_column("value", justify="right")
    several = len(result.value) > 1
    for label, v in zip(result.outputs, result.value):
        table.add_row(Text(printable(label)) if several else Text("f"), number(v, precision))
    if command == "grad":
        for w, d in zip(result.wrt, result.jacobian[0]):
            table.add_row(Text(f"∂f/∂{w}"), number(d, precision))
    return table


def one_line(source):
    """A program file shown on one line: comments dropped, statements joined by '; '."""
    lines = [line.split("#", 1)[0].strip() for line in source.splitlines()]
    return "; ".join(line for line in lines if line)


def header(result, precision=None):
    from rich.text import Text
    head = Text()
    head.append(printable(one_line(result.expr)), style="bold")
    if result.at:
        head.append(f"  at {_point_text(result.at, precision)}", style="dim")
    return head


def print_result(result, command, precision=None, explain=None, file=None):
    from rich.text import Text
    c = console(file)
    c.print(header(result, precision))
    c.print(result_table(result, command, precision))
    if result.mode and not explain:  # --explain says the same, with more
        c.print(Text(result.reason or f"{result.mode} mode", style="dim"), soft_wrap=True)
    for line in explain or ():
        c.print(Text(printable(line), style="dim"), soft_wrap=True)
