"""SVG pictures of a graph and a plot, drawn from the layouts the terminal draws
(adcli.render.graph.layout, adcli.render.plot.layout), so that picture and terminal
always match: a character cell of the terminal is a CELL_W x CELL_H box here, lines run
through the middles of the cells the layout gives them, and text stays in the cells it
takes in the terminal (textLength holds it to their width). No plotting library, no
Graphviz. All text is XML-escaped, and control characters are shown as escapes.
"""
from xml.sax.saxutils import escape as _xml

from ..errors import printable

CELL_W = 8.4       # px: a 14 px monospace character
CELL_H = 18
FONT = 14
STYLE = ("text{font-family:ui-monospace,'DejaVu Sans Mono',Menlo,Consolas,monospace;font-size:14px;"
         "white-space:pre}.dim{fill:#777}.input{fill:#1a7f37;font-weight:bold}.node{fill:#0a5a8c;"
         "font-weight:bold}.title{font-weight:bold}")
# The terminal's colour names, as colours on white.
COLOURS = {"cyan": "#0097a7", "magenta": "#b0009f", "yellow": "#c08c00", "green": "#2e8b32", "red": "#c62828"}


def xml_text(text):
    return _xml(printable(text))


def _num(v):
    return f"{v:.2f}".rstrip("0").rstrip(".")


def _text(col, row, text, cls=None, cells=None, anchor=None):
    """Text starting at cell (col, row); `cells` its width in cells, held to it."""
    x, y = col * CELL_W, row * CELL_H + CELL_H * 0.75
    attrs = f'x="{_num(x)}" y="{_num(y)}"'
    if cls:
        attrs += f' class="{cls}"'
    if anchor:
        attrs += f' text-anchor="{anchor}"'
    if cells:
        attrs += f' textLength="{_num(cells * CELL_W)}" lengthAdjust="spacingAndGlyphs"'
    return f"<text {attrs}>{xml_text(text)}</text>"


def _document(cols, rows, body, title):
    w, h = _num(cols * CELL_W), _num(rows * CELL_H)
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}">\n'
            f"<title>{xml_text(title)}</title>\n<style>{STYLE}</style>\n"
            f'<rect width="100%" height="100%" fill="white"/>\n' + "\n".join(body) + "\n</svg>\n")


def _heading(expr, at):
    from ..numtext import number
    from .tables import one_line
    head = one_line(expr)
    point = ", ".join(f"{k} = {number(v)}" for k, v in at.items()) if at else ""
    return head, (f"  at {point}" if point else "")


# ---------------------------------------------------------------- the graph

def graph(g, precision=6, max_nodes=None, listing=False):
    """The graph as drawn in the terminal (any width: a picture has room), or its
    numbered listing where the terminal would list it."""
    from rich.cells import cell_len

    from .graph import Layout, layout, listing_lines, node_label, output_names, safe
    from .notation import Notation
    n = Notation(False)
    outs = output_names(g, n)
    head, point = _heading(g.expr, g.at)
    body = [_text(0, 0, head, "title", cell_len(printable(head)))]
    if point:
        body.append(_text(cell_len(printable(head)), 0, point, "dim", len(point)))
    capped = max_nodes is not None and len(g.nodes) > max_nodes
    lay = None
    if not capped and not listing:
        labels = {node.k: safe(node_label(g, node, n, precision, outs)) for node in g.nodes}
        lay = layout(g, labels, 10 ** 9)
    width = cell_len(printable(head)) + len(point)
    row = 1
    if isinstance(lay, Layout):
        body.append(_lines(lay))
        for r, c, text, op in lay.labels:
            body.append(_text(c, 1 + r, text, "input" if op == "input" else "node", cell_len(text)))
        width = max(width, lay.width)
        row = 1 + lay.height
    else:
        if not listing:
            why = (f"{len(g.nodes)} nodes, more than --max-nodes {max_nodes}: listed instead" if capped
                   else "this graph has no clear drawing in columns: listed instead")
            body.append(_text(0, row, why, "dim", len(why)))
            row += 1
        for line in listing_lines(g, n, precision, max_nodes if capped else None):
            body.append(_text(0, row, safe(line), None, cell_len(safe(line))))
            width = max(width, cell_len(safe(line)))
            row += 1
    from ..numtext import constant
    notes = [f"{outs[j]} = {constant(v)} (a constant)" for j, v in g.const_outputs]
    if g.has_adjoints:
        notes.append(f"v̄ = ∂{outs[0]}/∂v, from one reverse sweep")
    for note in notes:
        body.append(_text(0, row, note, "dim", cell_len(note)))
        width = max(width, cell_len(note))
        row += 1
    return _document(width + 1, row + 0.5, body, g.expr)


def _lines(lay):
    """The layout's line cells as one path: from each cell's middle to the edges its
    flags name; a crossing keeps its horizontal line only, as the terminal draws it."""
    from .graph import D, L, R, U
    hw, hh = CELL_W / 2, CELL_H / 2
    parts = []
    for (r, c), f in sorted(lay.cells.items()):
        if (r, c) in lay.crossings:
            f = L | R
        cx, cy = (c + 0.5) * CELL_W, (r + 1.5) * CELL_H
        for flag, (dx, dy) in ((U, (0, -hh)), (D, (0, hh)), (L, (-hw, 0)), (R, (hw, 0))):
            if f & flag:
                parts.append(f"M{_num(cx)} {_num(cy)}l{_num(dx)} {_num(dy)}")
    return f'<path d="{"".join(parts)}" stroke="#555" stroke-width="1.3" fill="none" stroke-linecap="square"/>'


# ---------------------------------------------------------------- the plot

def plot(data, width=80, height=24):
    """The plot as the terminal draws it in colour, its curves as lines through the
    same dots."""
    from ..numtext import number
    from .plot import COLOURS as SERIES
    from .plot import layout
    lay = layout(data, width, height, ascii=False, colour=True)
    var = printable(data.var)
    x0 = lay.margin + 2                  # the first column of the plot area
    axis_row = 1 + lay.plot_h
    body = []
    title = printable(_heading(data.expr, None)[0])
    body.append(_text(0, 0, title, "title"))
    if data.fixed:
        fixed = "  at " + ", ".join(f"{k} = {number(v)}" for k, v in data.fixed.items())
        body.append(_text(len(title), 0, fixed, "dim"))
    left, right = x0 * CELL_W, (x0 + lay.plot_w) * CELL_W
    top, bottom = CELL_H, (axis_row + 0.5) * CELL_H
    if lay.zero is not None:
        _, zy = lay.dot_xy(0, lay.zero_dot)
        body.append(f'<line x1="{_num(left)}" y1="{_num(zy * CELL_H)}" x2="{_num(right)}" y2="{_num(zy * CELL_H)}" '
                    'stroke="#aaa" stroke-dasharray="3 3"/>')
    ax = (x0 - 0.5) * CELL_W
    body.append(f'<path d="M{_num(ax)} {_num(top)}V{_num(bottom)}H{_num(right)}" stroke="#777" fill="none"/>')
    # Ticks where their values fall exactly (the terminal rounds them to its cells).
    for dot, label in lay.ytick_dots:
        y = lay.dot_xy(0, dot)[1] * CELL_H
        body.append(f'<line x1="{_num(ax - 4)}" y1="{_num(y)}" x2="{_num(ax)}" y2="{_num(y)}" stroke="#777"/>')
        body.append(_text(lay.margin, y / CELL_H - 0.5, label, "dim", anchor="end"))
    for _, label, start, dot in lay.xticks:
        x = lay.dot_xy(dot, 0)[0] * CELL_W
        body.append(f'<line x1="{_num(x)}" y1="{_num(bottom)}" x2="{_num(x)}" y2="{_num(bottom + 4)}" stroke="#777"/>')
        if start is not None:
            body.append(_text(x / CELL_W, axis_row + 1, label, "dim", anchor="middle"))
    body.append(_text(x0 + lay.plot_w + 1, axis_row, var, "title"))
    for s, run in lay.runs:
        colour = COLOURS[SERIES[s % len(SERIES)]]
        points = " ".join(f"{_num(x * CELL_W)},{_num(y * CELL_H)}" for x, y in (lay.dot_xy(ce, r) for _, r, ce in run))
        if len(run) == 1:
            x, y = lay.dot_xy(run[0][2], run[0][1])
            body.append(f'<circle cx="{_num(x * CELL_W)}" cy="{_num(y * CELL_H)}" r="1.5" fill="{colour}"/>')
        else:
            body.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="1.6" '
                        'stroke-linejoin="round"/>')
    col = 0
    legend_row = axis_row + 2
    for s, name in enumerate(lay.names):
        colour = COLOURS[SERIES[s % len(SERIES)]]
        y = (legend_row + 0.5) * CELL_H
        body.append(f'<line x1="{_num(col * CELL_W)}" y1="{_num(y)}" x2="{_num((col + 2) * CELL_W)}" y2="{_num(y)}" '
                    f'stroke="{colour}" stroke-width="2"/>')
        label = f"{name}({var})"
        body.append(_text(col + 3, legend_row, label))
        col += 3 + len(label) + 3
    cols = max(x0 + lay.plot_w + 2 + len(var), col, len(title))
    return _document(cols, legend_row + 1.5, body, data.expr)
