"""fit, minimize and solve for reading: their tables, the plot of a fit, and the live
table of iterations on a terminal (stderr). Only the table and the plot import Rich;
the data formats are in adcli.render.optimize_data."""
import math
import sys
import time

from ..api.optimize.results import Fit, Minimum
from ..errors import printable
from ..numtext import number

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
        if r.explain:
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
    from .vectors import shown_point
    head.append(f"  {what} from " + ", ".join(f"{k} = {v}" for k, v in shown_point(r.start, number)), style="dim")
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
