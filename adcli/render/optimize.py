"""fit, minimize and solve as text: JSON records, CSV rows, plain lines, tables, the
plot of a fit, and the live table of iterations on a terminal. Only the table and the
plot import Rich; nothing here imports numpy or scipy.

JSON objects:
    fit       {"model", "params": {name: num}, "stderr": {name: num}, "rss", "rsd", "dof", "n",
               "iterations", "converged", "message"} (+ "correlation": [[num]] with --explain)
    minimize  {"expr", "at", "x": {name: num}, "value", "gradient_norm", "method", "iterations",
               "converged", "message"}
    solve     {"expr", "at", "x": {name: num}, "residual", "values": [num], "iterations",
               "converged", "message"}
("at" is the starting point, as every command's record names the point it was given.)
"""
import math
import sys
import time

from ..api.optimize.results import Fit, Minimum
from ..errors import printable
from ..numtext import json_number, number


def _named(d):
    return {k: json_number(v) for k, v in d.items()}


def fit_record(r, correlation=False):
    rec = {"model": r.model, "params": _named(r.params), "stderr": _named(r.stderr), "rss": json_number(r.rss),
           "rsd": json_number(r.rsd), "dof": r.dof, "n": r.n, "iterations": r.iterations,
           "converged": r.converged, "message": r.message}
    if correlation:
        rec["correlation"] = [[json_number(v) for v in row] for row in r.correlation]
    return rec


def minimum_fields(r):
    return {"x": _named(r.x), "value": json_number(r.value), "gradient_norm": json_number(r.gradient_norm),
            "method": r.method, "iterations": r.iterations, "converged": r.converged, "message": r.message}


def root_fields(r):
    return {"x": _named(r.x), "residual": json_number(r.residual), "values": [json_number(v) for v in r.values],
            "iterations": r.iterations, "converged": r.converged, "message": r.message}


MINIMUM_FIELDS = ("x", "value", "gradient_norm", "method", "iterations", "converged", "message")
ROOT_FIELDS = ("x", "residual", "values", "iterations", "converged", "message")


def record(r):
    if type(r) is Fit:
        return fit_record(r, getattr(r, "explain", False))
    fields = minimum_fields(r) if type(r) is Minimum else root_fields(r)
    return {"expr": r.expr, "at": _named(r.start), **fields}


def cells(rec):
    """A batch line's cells: converged as true/false, as check's ok is written."""
    return {**rec, "converged": "true" if rec["converged"] else "false"}


def columns(r):
    """--points columns after the input's: the point found, then the scalars."""
    what = "argmin" if type(r) is Minimum else "root"
    cols = [(f"{what}[{k}]", v) for k, v in r.x.items()]
    cols.append(("value", r.value) if type(r) is Minimum else ("residual", r.residual))
    cols.append(("iterations", r.iterations))
    return cols


# ---- plain and CSV -------------------------------------------------------------------------

def plain_lines(r, precision=None):
    def n(v):
        return number(v, precision)
    if type(r) is Fit:
        for p in r.params:
            yield f"{p} {n(r.params[p])} {n(r.stderr[p])}"
        yield f"rss {n(r.rss)}"
        yield f"rsd {n(r.rsd)}"
        yield f"dof {r.dof}"
        yield f"n {r.n}"
    else:
        for k, v in r.x.items():
            yield f"{k} {n(v)}"
        if type(r) is Minimum:
            yield f"value {n(r.value)}"
            yield f"gradient_norm {n(r.gradient_norm)}"
        else:
            yield f"residual {n(r.residual)}"
    yield f"iterations {r.iterations}"
    yield f"converged {'true' if r.converged else 'false'}"
    yield f"message {printable(r.message)}"


def csv_rows(r):
    if type(r) is Fit:
        head = ["parameter", "estimate", "stderr"]
        rows = [[p, number(r.params[p]), number(r.stderr[p])] for p in r.params]
        return head, rows
    head = ["variable", "value"]
    rows = [[k, number(v)] for k, v in r.x.items()]
    return head, rows


def write_csv(r, out=None):
    """One row per parameter or variable; the scalars follow as rows of their own
    (rss, rsd, ...; value or residual, iterations, converged), named in the first column."""
    import csv
    w = csv.writer(out or sys.stdout, lineterminator="\n")
    head, rows = csv_rows(r)
    w.writerow(head)
    w.writerows(rows)
    pad = [""] * (len(head) - 2)
    if type(r) is Fit:
        tail = [("rss", number(r.rss)), ("rsd", number(r.rsd)), ("dof", str(r.dof)), ("n", str(r.n))]
    elif type(r) is Minimum:
        tail = [("value", number(r.value)), ("gradient_norm", number(r.gradient_norm))]
    else:
        tail = [("residual", number(r.residual))]
    tail += [("iterations", str(r.iterations)), ("converged", "true" if r.converged else "false"),
             ("message", printable(r.message))]
    for k, v in tail:
        w.writerow([k, v, *pad])


# ---- tables ------------------------------------------------------------------------------

def print_table(r, precision=None, plot=False, data_name=None, file=None):
    from rich.text import Text

    from .console import console as make_console
    from .console import wants_ascii
    from .layout import NUM, TEXT, Column, Grid, print_grid, print_line
    from .tables import one_line
    c = make_console(file, soft_wrap=True, wide_when_piped=False)
    ascii = wants_ascii(con=c)

    def n(v):
        return number(v, precision)
    if type(r) is Fit:
        head = Text(printable(one_line(r.model)), style="bold")
        where = f"  fitted to {r.n:,} observation{'s' if r.n != 1 else ''}"
        head.append(where + (f" of {printable(data_name)}" if data_name else ""), style="dim")
        print_line(c, head)
        t = Grid([Column("", NUM, key=True), Column("estimate", NUM), Column("std. error", NUM),
                  Column("rel. error", NUM)])
        for p, v in r.params.items():
            se = r.stderr[p]
            rel = abs(se / v) if v and math.isfinite(se) else math.nan
            t.row(Text(p), n(v), n(se), f"{rel:.2%}" if math.isfinite(rel) else "nan")
        print_grid(c, t, ascii)
        foot = [f"residual sum of squares {n(r.rss)}",
                f"residual standard deviation {n(r.rsd)} ({r.dof} degrees of freedom)",
                _stopped(r)]
        for line in foot:
            c.print(Text(printable(line), style="dim"), soft_wrap=True)
        if getattr(r, "explain", False):
            names = list(r.params)
            t = Grid([Column("correlation", TEXT, key=True)] + [Column(p, NUM) for p in names])
            for p, row in zip(names, r.correlation):
                t.row(Text(p), *[f"{v:.4f}" if math.isfinite(v) else number(v) for v in row])
            print_grid(c, t, ascii)
        if plot:
            print_fit_plot(c, r, ascii)
        return
    head = Text(printable(one_line(r.expr)), style="bold")
    what = "minimum" if type(r) is Minimum else "root"
    head.append(f"  {what} from " + ", ".join(f"{k} = {number(v)}" for k, v in r.start.items()), style="dim")
    print_line(c, head)
    t = Grid([Column("", NUM, key=True), Column(what, NUM)])
    for k, v in r.x.items():
        t.row(Text(k), n(v))
    print_grid(c, t, ascii)
    if type(r) is Minimum:
        foot = [f"f = {n(r.value)}; gradient max-norm {n(r.gradient_norm)}; {r.method}"]
    else:
        foot = [f"max |F_i| = {n(r.residual)}"]
    foot.append(_stopped(r))
    for line in foot:
        c.print(Text(printable(line), style="dim"), soft_wrap=True)


def _stopped(r):
    return f"{r.message}; {r.iterations} iteration{'s' if r.iterations != 1 else ''}"


def print_fit_plot(c, r, ascii, width=None, height=16):
    """The data (markers) and the fitted curve over the one predictor."""
    from rich.text import Text

    from ..numtext import tick
    from .plot import nice_ticks
    if r.data is None:
        c.print(Text("--plot draws a model of one predictor; this one has "
                     + ("none" if r.predictor is None else "several"), style="dim"))
        return
    xs, ys = [float(v) for v in r.data[0]], [float(v) for v in r.data[1]]
    pts = [(x, y) for x, y in zip(xs, ys) if math.isfinite(x) and math.isfinite(y)]
    if not pts:
        return
    width = min(width or c.width, 100)
    lo, hi = min(x for x, _ in pts), max(x for x, _ in pts)
    if hi == lo:
        lo, hi = lo - 1, hi + 1
    margin = 10
    w = max(20, width - margin - 2)
    import numpy as np
    grid_x = np.linspace(lo, hi, w)
    curve = [float(v) for v in np.broadcast_to(r.curve(grid_x), grid_x.shape)]
    allv = [y for _, y in pts] + [v for v in curve if math.isfinite(v)]
    ylo, yhi = min(allv), max(allv)
    if yhi == ylo:
        ylo, yhi = ylo - 1, yhi + 1
    cells = [[" "] * w for _ in range(height)]

    def row(y):
        return int(round((yhi - y) / (yhi - ylo) * (height - 1)))
    line, dot = ("-", "o") if ascii else ("·", "•")
    for col, v in enumerate(curve):
        if math.isfinite(v) and ylo <= v <= yhi:
            cells[row(v)][col] = line
    for x, y in pts:
        cells[row(y)][int(round((x - lo) / (hi - lo) * (w - 1)))] = dot
    yticks, ystep = nice_ticks(ylo, yhi, 4)
    labels = {row(t): tick(t, ystep) for t in yticks}
    bar = "|" if ascii else "│"
    for i, cl in enumerate(cells):
        label = labels.get(i, "")
        c.print(Text(f"{label:>{margin}} {bar}" + "".join(cl).rstrip(), no_wrap=True))
    xticks, xstep = nice_ticks(lo, hi, max(2, w // 12))
    under = [" "] * (w + 12)
    for t in xticks:
        col = int(round((t - lo) / (hi - lo) * (w - 1)))
        text = tick(t, xstep)
        start = max(0, col - len(text) // 2)
        if all(ch == " " for ch in under[max(0, start - 1):start + len(text) + 1]):
            under[start:start + len(text)] = list(text)
    c.print(Text(" " * margin + " " + ("+" if ascii else "└") + ("-" if ascii else "─") * w + " "
                 + printable(r.predictor), no_wrap=True))
    c.print(Text(" " * (margin + 2) + "".join(under).rstrip(), no_wrap=True))
    c.print(Text(f"{dot} data   {line}{line} fitted model", style="dim"))


# ---- the live table of iterations -----------------------------------------------------------

class Iterations:
    """Rows of (k, measure, second measure) written to stderr as the solver goes: every
    row for the first FIRST iterations, then at most RATE rows a second, and the last row
    at the end, so a 20,000-iteration run still reads as a table."""
    FIRST = 20
    RATE = 5

    def __init__(self, heads, out=None):
        self.out = out or sys.stderr
        self.heads = heads
        self.last_time = 0.0
        self.pending = None
        self.started = False

    def __call__(self, k, a, b):
        now = time.monotonic()
        if k <= self.FIRST or now - self.last_time >= 1 / self.RATE:
            self._write(k, a, b)
            self.last_time = now
            self.pending = None
        else:
            self.pending = (k, a, b)

    def _write(self, k, a, b):
        if not self.started:
            self.out.write(f"{self.heads[0]:>7}  {self.heads[1]:>24}  {self.heads[2]:>24}\n")
            self.started = True
        self.out.write(f"{k:>7}  {number(a, 17):>24}  {number(b, 6):>24}\n")
        self.out.flush()

    def close(self):
        if self.pending is not None:
            self._write(*self.pending)
            self.pending = None
