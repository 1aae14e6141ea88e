"""Drawing PlotData (adcli.api.plot) in the terminal, by hand, with Rich for colour.

With colour, curves are braille dots (2 x 4 per character cell), one colour per
series. Without colour (piped, NO_COLOR) several braille curves would look alike, so
each series gets its own marker character at one point per cell (one series alone
still uses braille). --ascii uses * o + x # and ASCII axes. Samples that are nan or
inf, or outside the y-range, are not drawn and never joined: gaps, not spikes.
"""
import math

from ..api.plot import series_name
from ..numtext import json_number, number
from ..numtext import tick as tick_text

COLOURS = ["cyan", "magenta", "yellow", "green", "red"]
MARKERS = ["•", "∘", "+", "×", "▪"]
ASCII_MARKERS = ["*", "o", "+", "x", "#"]
_BRAILLE = ((0x01, 0x02, 0x04, 0x40), (0x08, 0x10, 0x20, 0x80))


def nice_ticks(lo, hi, count):
    """Round tick values (1, 2, 2.5 or 5 times a power of ten) inside [lo, hi]."""
    raw = (hi - lo) / max(count, 1)
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    k0, k1 = math.ceil(lo / step - 1e-9), math.floor(hi / step + 1e-9)
    return [k * step for k in range(k0, k1 + 1)], step


class PlotLayout:
    """Where everything of a plot goes, in character cells (rows and columns of the
    drawing) and, for the curves, in dots within them (sx x sy per cell): what the
    terminal draws (render) and the SVG picture (adcli.render.svg) both read."""

    def __init__(self, **fields):
        self.__dict__.update(fields)

    def dot_xy(self, c, r):
        """A dot's place in cells, from the drawing's top left: (column, row) as floats
        (c and r may be fractions of a dot: where a sample falls exactly)."""
        return self.margin + 2 + (c + 0.5) / self.sx, 1 + (r + 0.5) / self.sy


def layout(data, width, height, ascii=False, colour=True):
    """The PlotLayout of `data` in `width` x `height` characters."""
    nseries = len(data.series)
    braille = not ascii and (colour or nseries == 1)
    sx, sy = (2, 4) if braille else (1, 1)
    ylo, yhi = data.ylim
    plot_h = max(3, height - 4)
    yticks, ystep = nice_ticks(ylo, yhi, max(2, plot_h // 2))
    ylabels = [tick_text(t, ystep) for t in yticks]
    margin = max(len(s) for s in ylabels) if ylabels else 1
    plot_w = max(10, width - margin - 3 - len(data.var))
    pw, ph = plot_w * sx, plot_h * sy

    def prow(y):
        return (yhi - y) / (yhi - ylo) * (ph - 1)

    span = data.hi - data.lo
    exact = [(x - data.lo) / span * (pw - 1) for x in data.x.tolist()]
    px = [round(c) for c in exact]
    # Runs of samples to join: a sample that is nan, inf or off the y-range ends a run.
    # Derivatives first, f last: where curves meet, f is drawn on top.
    runs = []
    for s in range(nseries - 1, -1, -1):
        run = []
        for c, ce, y in zip(px, exact, data.series[s][1].tolist()):
            r = prow(y) if math.isfinite(y) else None
            if r is None or not -0.5 <= r <= ph - 0.5:
                if run:
                    runs.append((s, run))
                run = []
                continue
            run.append((c, r, ce))   # the dot column, and where the sample falls exactly
        if run:
            runs.append((s, run))

    zero = int(round(prow(0.0))) // sy if ylo < 0 < yhi else None
    tick_rows, ytick_dots = {}, []
    for t, label in zip(yticks, ylabels):
        row = int(round(prow(t))) // sy
        if row not in tick_rows:
            tick_rows[row] = label
            ytick_dots.append((prow(t), label))
    xticks_at, xstep = nice_ticks(data.lo, data.hi, max(2, plot_w // 8))
    xticks = []   # (column, label, column where the label starts, or None when it would overlap)
    last_end = -1
    room = plot_w + margin + 2 + len(data.var) + 8
    for t in xticks_at:
        dot = (t - data.lo) / span * (pw - 1)
        col = int(round(dot)) // sx
        text = tick_text(t, xstep)
        start = max(0, margin + 2 + col - len(text) // 2)
        shown = start > last_end + 1 and start + len(text) <= room
        if shown:
            last_end = start + len(text)
        xticks.append((col, text, start if shown else None, dot))
    return PlotLayout(braille=braille, sx=sx, sy=sy, plot_w=plot_w, plot_h=plot_h, margin=margin, runs=runs,
                      zero=zero, zero_dot=prow(0.0) if zero is not None else None, tick_rows=tick_rows,
                      ytick_dots=ytick_dots,
                      xticks=xticks, room=room, nseries=nseries,
                      names=[series_name(order, ascii) for order, _ in data.series])


def render(data, width, height, ascii=False, colour=True):
    """Rich Text lines of the plot, `width` x `height` characters at most."""
    from rich.text import Text

    from ..errors import printable
    from .tables import one_line
    lay = layout(data, width, height, ascii, colour)
    braille, sx, sy, plot_w, plot_h, margin = lay.braille, lay.sx, lay.sy, lay.plot_w, lay.plot_h, lay.margin
    var = printable(data.var)
    cells = {}     # (row, col) -> braille bits or marker index
    owner = {}     # (row, col) -> series position
    markers = ASCII_MARKERS if ascii else MARKERS

    def dot(c, r, s):
        key = (r // sy, c // sx)
        if braille:
            cells[key] = cells.get(key, 0) | _BRAILLE[c % 2][r % 4]
        else:
            cells[key] = s
        owner[key] = s

    for s, run in lay.runs:
        c0, r0, _ = run[0]
        dot(c0, round(r0), s)
        for c, r, _ in run[1:]:
            steps = max(abs(c - c0), abs(round(r) - round(r0)), 1)
            for k in range(1, steps + 1):
                dot(round(c0 + (c - c0) * k / steps), round(r0 + (r - r0) * k / steps), s)
            c0, r0 = c, r

    zero, tick_rows = lay.zero, lay.tick_rows
    vbar, tick, corner, hbar, xtick = ("|", "+", "+", "-", "+") if ascii else ("│", "┤", "└", "─", "┬")
    lines = []
    title = Text(no_wrap=True, end="")
    title.append(printable(one_line(data.expr)), style="bold")
    if data.fixed:
        title.append("  at " + ", ".join(f"{k} = {number(v)}" for k, v in data.fixed.items()), style="dim")
    title.truncate(width, overflow="ellipsis")
    lines.append(title)
    for row in range(plot_h):
        line = Text(no_wrap=True, end="")
        label = tick_rows.get(row, "")
        line.append(label.rjust(margin) + " ", style="dim")
        line.append(tick if label else vbar, style="dim")
        run, run_style = [], None
        for col in range(plot_w):
            key = (row, col)
            if key in cells:
                ch = chr(0x2800 + cells[key]) if braille else markers[cells[key] % len(markers)]
                style = COLOURS[owner[key] % len(COLOURS)] if colour else None
            elif row == zero:
                ch, style = ("." if ascii else "┈"), "dim"
            else:
                ch, style = " ", None
            if style != run_style and run:
                line.append("".join(run), style=run_style)
                run = []
            run_style = style
            run.append(ch)
        if run:
            line.append("".join(run), style=run_style)
        line.rstrip()
        lines.append(line)

    axis = [hbar] * plot_w
    under = [" "] * lay.room
    for col, text, start, _ in lay.xticks:
        axis[col] = xtick
        if start is not None:
            under[start:start + len(text)] = list(text)
    xline = Text(no_wrap=True, end="")
    xline.append(" " * margin + " " + corner + "".join(axis) + " ", style="dim")
    xline.append(var, style="bold")
    lines.append(xline)
    lines.append(Text("".join(under).rstrip(), style="dim", no_wrap=True, end=""))

    legend = Text(no_wrap=True, end="")
    for s, name in enumerate(lay.names):
        if s:
            legend.append("   ")
        sample = ("──" if not ascii else "--") if braille else markers[s % len(markers)]
        legend.append(sample, style=COLOURS[s % len(COLOURS)] if colour else None)
        legend.append(f" {name}({var})")
    lines.append(legend)
    return lines


def write_csv(data, out, ascii=False):
    """x and one column per series, full precision."""
    import csv

    w = csv.writer(out, lineterminator="\n")
    w.writerow([data.var] + [series_name(order, True) for order, _ in data.series])
    cols = [y.tolist() for _, y in data.series]
    for i, x in enumerate(data.x.tolist()):
        w.writerow([number(x)] + [number(c[i]) for c in cols])


def record(data):
    return {"expr": data.expr, "wrt": data.var, "range": [data.lo, data.hi],
            "at": {k: json_number(v) for k, v in data.fixed.items()},
            "x": [json_number(x) for x in data.x.tolist()],
            "series": [{"name": series_name(order, True), "order": order,
                        "y": [json_number(v) for v in y.tolist()]} for order, y in data.series]}
