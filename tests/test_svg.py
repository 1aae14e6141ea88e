"""graph --format svg and plot --output FILE.svg: valid SVG (read back with an XML
parser), drawn from the layout the terminal draws: every label in the cell where the
terminal writes it, every line segment where the terminal draws a box character, and the
plot's curves through the function's own values."""
import math
import re
import xml.etree.ElementTree as ET

import pytest

NS = {"s": "http://www.w3.org/2000/svg"}
CELL_W, CELL_H = 8.4, 18      # adcli.render.svg's cell, asserted below


def svg(text):
    root = ET.fromstring(text.encode())
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    return root


# ---------------------------------------------------------------- graph

BOX = {"─": "LR", "│": "UD", "┌": "DR", "┐": "DL", "└": "UR", "┘": "UL", "├": "UDR", "┤": "UDL", "┬": "LRD",
       "┴": "LRU", "┼": "UDLR"}


def _cells(line):
    """A line as its terminal cells: a combining mark (the bar of v̄) shares its letter's."""
    import unicodedata
    out = []
    for ch in line:
        if out and unicodedata.combining(ch):
            out[-1] += ch
        else:
            out.append(ch)
    return out


def _label_cells(labels, lines):
    """Cells the terminal fills with a label's characters (a label may hold ─ or │ no
    more than any text, but '−' and the like are not lines)."""
    cells = set()
    for (row, col), text in labels.items():
        n = len(_cells(text))
        if 1 <= row < len(lines) and "".join(lines[row][col:col + n]) == text:
            cells.update((row, c) for c in range(col, col + n))
    return cells


def _sign(text):
    v = float(text)
    return 0 if v == 0 else int(math.copysign(1, v))


def svg_drawing(root):
    labels = {}
    for t in root.iterfind("s:text", NS):
        col, row = float(t.get("x")) / CELL_W, (float(t.get("y")) - CELL_H * 0.75) / CELL_H
        labels[(round(row), round(col))] = t.text
    segments = set()
    for path in root.iterfind("s:path", NS):
        for x, y, dx, dy in re.findall(r"M([\d.]+) ([\d.]+)l(-?[\d.]+) (-?[\d.]+)", path.get("d")):
            col, row = float(x) / CELL_W - 0.5, float(y) / CELL_H - 0.5
            d = {(0, -1): "U", (0, 1): "D", (-1, 0): "L", (1, 0): "R"}[(_sign(dx), _sign(dy))]
            segments.add((round(row), round(col), d))
    return labels, segments


@pytest.mark.parametrize("expr,at", [
    ("(x + y) * (x - y)", None),
    ("a = x + y; b = x - y; a * b", "x=3,y=2"),
    ("log(x1) + x1*x2 - sin(x2)", "x1=2,x2=5"),
    ("exp(sin(x*y)/(1 + z^2)) + log(1 + x^2 + y*z)*cos(x - z)", None),
])
def test_graph_svg_is_the_terminals_drawing(adcli, expr, at):
    more = ["--at", at] if at else []
    r = adcli("graph", expr, *more, "--format", "svg")
    assert r.code == 0
    root = svg(r.out)
    labels, segments = svg_drawing(root)
    lines = [_cells(line) for line in
             adcli("graph", expr, *more, "--width", "1000", env={"NO_COLOR": "1"}).out.splitlines()]
    assert not any("listed instead" in "".join(line) for line in lines)
    # The picture's segments per cell, written as the terminal writes such a cell.
    flags = {}
    for row, col, d in segments:
        flags.setdefault((row, col), set()).add(d)
    char = {frozenset(v): k for k, v in BOX.items()}
    char.update({frozenset("L"): "─", frozenset("R"): "─", frozenset("U"): "│", frozenset("D"): "│"})
    drawn = {cell: char[frozenset(f)] for cell, f in flags.items()}
    want = {(row, col): ch for row, line in enumerate(lines[1:], start=1) for col, ch in enumerate(line)
            if ch in BOX and (row, col) not in _label_cells(labels, lines)}
    assert drawn == want
    for (row, col), text in labels.items():
        if row >= 1 and not text.startswith("v̄ ="):
            assert "".join(lines[row][col:col + len(_cells(text))]) == text   # where the terminal has it


def test_the_cell_is_the_renderers():
    from adcli.render import svg as module
    assert (module.CELL_W, module.CELL_H) == (CELL_W, CELL_H)


def test_graph_svg_lists_what_the_terminal_lists(adcli):
    r = adcli("graph", "x*y + sin(x) + cos(y) + x^2", "--max-nodes", "3", "--format", "svg")
    root = svg(r.out)
    texts = [t.text for t in root.iterfind("s:text", NS)]
    assert any("more than --max-nodes 3: listed instead" in t for t in texts)
    assert sum(1 for t in texts if re.match(r"\s*v[₋₀-₉]+ =", t)) == 3
    texts = [t.text for t in svg(adcli("graph", "x*y", "--listing", "--format", "svg").out).iterfind("s:text", NS)]
    assert texts[1:] == adcli("graph", "x*y", "--listing").out.splitlines()[1:]   # the terminal's listing


def test_user_text_in_svg_is_escaped(adcli, tmp_path):
    expr = 'x*y # </text><script>alert("&")</script> \x1b[2J'
    for argv in (["graph", expr, "--format", "svg"], ["plot", expr, "--at", "y=2", "--format", "svg"]):
        r = adcli(*argv)
        root = svg(r.out)               # the XML parser reads it: nothing the user typed closed a tag
        assert root.find("s:script", NS) is None and "<script>" not in r.out and "\x1b" not in r.out
        assert root.find("s:title", NS).text == expr.replace("\x1b", "\\x1b")


# ---------------------------------------------------------------- plot

def _polylines(root):
    return [[tuple(map(float, p.split(","))) for p in line.get("points").split()]
            for line in root.iterfind("s:polyline", NS)]


def _axis_maps(root):
    """Pixel -> value along each axis, from two tick labels and their tick marks."""
    ys, xs = [], []
    for t in root.iterfind("s:text", NS):
        if t.get("text-anchor") == "end":
            ys.append((float(t.get("y")) - CELL_H * 0.75 + CELL_H / 2, float(t.text)))
        elif t.get("text-anchor") == "middle":
            xs.append((float(t.get("x")), float(t.text)))

    def linear(pairs):
        (p0, v0), (p1, v1) = pairs[0], pairs[-1]
        return lambda p: v0 + (p - p0) * (v1 - v0) / (p1 - p0)
    return linear(xs), linear(ys)


def test_plot_svg_curves_run_through_the_functions_values(adcli, tmp_path):
    out = tmp_path / "plot.svg"
    r = adcli("plot", "x^3 - 3*x", "--range", "-2.5:2.5", "--order", "2", "--output", str(out))
    assert r.code == 0 and r.out == "" and r.err == ""
    root = svg(out.read_text(encoding="utf-8"))
    fx, fy = _axis_maps(root)
    curves = _polylines(root)
    assert len(curves) == 3                    # f'' and f' first, f on top
    second, first, f = curves
    span = 30.0 * 1.1                           # the y-range: about [-16.5, 16.5]
    for curve, g in ((f, lambda x: x ** 3 - 3 * x), (first, lambda x: 3 * x * x - 3), (second, lambda x: 6 * x)):
        for px, py in curve:
            assert abs(fy(py) - g(fx(px))) < 0.01 * span
    legend = [t.text for t in root.iterfind("s:text", NS)][-3:]
    assert legend == ["f(x)", "f′(x)", "f″(x)"]


def test_plot_svg_leaves_gaps_where_the_terminal_does(adcli):
    r = adcli("plot", "log(x)", "--range", "-1:3", "--format", "svg", "--order", "0")
    root = svg(r.out)
    fx, _ = _axis_maps(root)
    [curve] = _polylines(root)
    assert min(fx(px) for px, _ in curve) > 0          # nothing drawn where log is nan


def test_plot_output_takes_its_format_from_the_name(adcli, tmp_path):
    for name, head in (("p.csv", "x,f,f'"), ("p.json", '{"expr"'), ("p.txt", "sin(x)")):
        r = adcli("plot", "sin(x)", "--output", str(tmp_path / name), "--width", "40", "--height", "10")
        assert r.code == 0 and r.out == ""
        assert (tmp_path / name).read_text(encoding="utf-8").startswith(head)
    r = adcli("plot", "sin(x)", "--output", str(tmp_path / "p.png"))
    assert r.code == 2 and "cannot tell the format" in r.err and "PNG is not made" in r.err
    r = adcli("plot", "sin(x)", "--output", str(tmp_path / "p.png"), "--format", "svg")
    assert r.code == 0 and svg((tmp_path / "p.png").read_text(encoding="utf-8")) is not None
    r = adcli("plot", "sin(x)", "--output", str(tmp_path / "no" / "such" / "dir.svg"))
    assert r.code == 74 and "cannot write" in r.err
