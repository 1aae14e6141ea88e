"""adcli graph: the drawing, its fallbacks, and dot/mermaid/json."""
import json
import random
import shutil
import subprocess

import pytest

import adcli
from adcli.api import graph
from adcli.render import graph as render_graph
from adcli.render.notation import Notation
from conftest import probe
from visual_helpers import fixed_console, nfc, stripped, text_of

SEED = "(x + y) * (x - y)"

SEED_UNICODE = """\
(x + y) * (x - y)
x v₋₁ ─┬─┐
       │ ├─ + v₁ ─┐
y v₀ ──┼─┘        ├─ × v₃ → f
       └─── − v₂ ─┘
"""

SEED_ASCII = """\
(x + y) * (x - y)
x v_-1 -+-+
        | +- + v_1 -+
y v_0 --+-+         +- * v_3 -> f
        +--- - v_2 -+
"""

SEED_AT = """\
a = x + y; b = x - y; a * b  at x = 3, y = 2
x v₋₁ = 3, v̄₋₁ = 6 ─┬─┐
                    │ ├─ + v₁ (a) = 5, v̄₁ = 1 ─┐
y v₀ = 2, v̄₀ = -4 ──┼─┘                        ├─ × v₃ = 5, v̄₃ = 1 → f
                    └─── − v₂ (b) = 1, v̄₂ = 5 ─┘
v̄ = ∂f/∂v, from one reverse sweep
"""


def test_seed_graph_golden(adcli):
    code, out, err = adcli("graph", SEED, "--width", "80")
    assert (code, err) == (0, "")
    assert stripped(out) == nfc(SEED_UNICODE)


def test_seed_graph_ascii_golden(adcli):
    code, out, _ = adcli("graph", SEED, "--width", "80", "--ascii")
    assert code == 0
    assert stripped(out) == SEED_ASCII
    assert all(ord(c) < 128 for c in out)


def test_seed_graph_with_values_and_adjoints_fixed_console():
    g = graph.build(adcli.parse("a = x + y; b = x - y; a * b"), {"x": 3.0, "y": 2.0},
                    "a = x + y; b = x - y; a * b")
    con = fixed_console(100)
    render_graph.print_graph(g, con, width=100)
    assert text_of(con) == nfc(SEED_AT)


def test_adjoints_are_the_reverse_sweep():
    g = graph.build(adcli.parse("log(x1) + x1*x2 - sin(x2)"), {"x1": 2.0, "x2": 5.0})
    assert g.node(-1).adjoint == 5.5
    assert g.node(0).adjoint == pytest.approx(adcli.grad("log(x1) + x1*x2 - sin(x2)", x1=2, x2=5)
                                              .gradient["x2"], rel=1e-15)
    assert g.node(5).value == pytest.approx(11.652071455223084, rel=1e-15)


# -- the drawing is checked by following its lines ------------------------------------

_CONN = {"─": "LR", "│": "UD", "┌": "DR", "┐": "DL", "└": "UR", "┘": "UL", "├": "UDR", "┤": "UDL",
         "┬": "LRD", "┴": "LRU", "┼": "UDLR"}
_STEP = {"U": (-1, 0), "D": (1, 0), "L": (0, -1), "R": (0, 1)}
_BACK = {"U": "D", "D": "U", "L": "R", "R": "L"}


def drawn_edges(g, width=400):
    """Edges a reader finds by following each node's line through the picture: along its
    row to the right, up and down every track it joins, out of a track to the right
    where nothing joins from the left (├ ┌ └), across a plain ─ on a vertical."""
    n = Notation(False)
    outs = render_graph.output_names(g, n)
    labels = {x.k: render_graph.node_label(g, x, n, 6, outs) for x in g.nodes}
    lay = render_graph.layout(g, labels, width)
    assert isinstance(lay, render_graph.Layout), lay
    grid = [line.plain.ljust(lay.width) for line in render_graph.draw(lay)]
    at = {(r, c): text for r, c, text, _ in lay.labels}
    k_of = {text: k for k, text in labels.items()}
    # every node is drawn exactly once
    assert sorted(k_of[t] for t in at.values()) == sorted(labels)
    for r, c, text, _ in lay.labels:
        assert grid[r][c:c + len(text)] == text
    found = set()
    for (r0, c0), text in at.items():
        src = k_of[text]
        stack = [(r0, c0 + len(text) + 1, "R")]
        seen = set()
        while stack:
            r, c, d = stack.pop()
            if (r, c, d) in seen or not (0 <= r < len(grid) and 0 <= c < lay.width):
                continue
            seen.add((r, c, d))
            ch = grid[r][c]
            if ch == "─" and d in "UD":  # a crossing: keep going
                dr, dc = _STEP[d]
                stack.append((r + dr, c + dc, d))
                continue
            conn = _CONN.get(ch, "")
            if _BACK[d] not in conn:
                continue
            for out in conn:
                if out in (_BACK[d], "L"):
                    continue
                if d in "UD" and out == "R" and "L" in conn:
                    continue  # a track never flows into a line that comes from the left
                if out == "R" and c + 2 < lay.width and grid[r][c + 1] == " " and (r, c + 2) in at:
                    found.add((src, k_of[at[(r, c + 2)]]))
                    continue
                dr, dc = _STEP[out]
                stack.append((r + dr, c + dc, out))
    return found


def true_edges(g):
    return {(s, d) for s, d, _ in g.edges}


DRAWABLE = [SEED, "a = x + y; b = x - y; a * b", "log(x1) + x1*x2 - sin(x2)", "exp(sin(x)*y) + x^2 + 2*y",
            "x^4 - 3*x^2*y + y^3", "tanh(w1*x + b1)*w2 + b2", "a = x*y; b = sin(a); a*b + exp(b)/y",
            "a=x*y; b=a+x; c=b*y; c+a+b/x", "x1*x2*x3*x4 + x1*x3 + x2*x4", "x*x + x", "sin(x), cos(x)*y"]


@pytest.mark.parametrize("expr", DRAWABLE)
def test_every_edge_is_drawn_and_no_other(expr):
    g = graph.build(adcli.parse(expr))
    assert drawn_edges(g) == true_edges(g)


def test_random_graphs_draw_every_edge_or_list():
    rng = random.Random(7)
    drawn = 0
    for _ in range(60):
        names = ["x", "y", "z"]
        pool = list(names)
        for _ in range(rng.randint(2, 7)):
            a, b = rng.choice(pool), rng.choice(pool)
            pool.append(f"({a} {rng.choice('+-*/')} {b})" if rng.random() < 0.7 else f"sin({a})")
        g = graph.build(adcli.parse(pool[-1] + " + x*y*z"))
        n = Notation(False)
        labels = {x.k: render_graph.node_label(g, x, n, 6, ["f"]) for x in g.nodes}
        if isinstance(render_graph.layout(g, labels, 400), render_graph.Layout):
            drawn += 1
            assert drawn_edges(g) == true_edges(g), pool[-1]
    assert drawn >= 20


# -- fallbacks --------------------------------------------------------------------------

def test_too_wide_becomes_a_numbered_listing(adcli):
    code, out, _ = adcli("graph", "log(x1) + x1*x2 - sin(x2)", "--at", "x1=2,x2=5", "--width", "40")
    assert code == 0
    assert stripped(out) == nfc("""\
log(x1) + x1*x2 - sin(x2)  at x1 = 2, x2 = 5
the drawing is wider than 40 columns: listed instead (--format dot draws any graph with Graphviz)
v₋₁ = x1                  2  v̄₋₁ = 5.5
 v₀ = x2                  5  v̄₀ = 1.71634
 v₁ = log v₋₁      0.693147  v̄₁ = 1
 v₂ = v₋₁ × v₀           10  v̄₂ = 1
 v₃ = sin v₀      -0.958924  v̄₃ = -1
 v₄ = v₁ + v₂       10.6931  v̄₄ = 1
 v₅ = v₄ − v₃       11.6521  v̄₅ = 1        → y
v̄ = ∂y/∂v, from one reverse sweep
""")


def test_max_nodes_says_what_was_left_out(adcli):
    code, out, _ = adcli("graph", "x*y + sin(x)", "--max-nodes", "3", "--width", "200")
    assert code == 0
    lines = stripped(out).splitlines()
    assert lines[1] == "5 nodes, more than --max-nodes 3: listed instead"
    assert len(lines) == 2 + 3 + 1
    assert lines[-1] == nfc("... 2 more nodes not shown (v₂ to v₃); raise --max-nodes to see them")


@pytest.mark.slow  # 10,000 nodes
def test_ten_thousand_nodes_render_as_a_listing(adcli):
    expr = "+".join(f"sin(x*{i})" for i in range(1, 3400))  # 10,197 nodes
    code, out, err = adcli("graph", expr, "--at", "x=1", "--max-nodes", "100000", "--width", "120")
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0].endswith("…")  # the expression is cut at the width, the point is not
    assert lines[1] == "  at x = 1"
    assert lines[2] == "the drawing is wider than 120 columns: listed instead (--format dot draws any graph " \
                       "with Graphviz)"
    assert len(lines) == 3 + 10197 + 1
    code, out, _ = adcli("graph", expr, "--width", "120")
    assert code == 0 and "10137 more nodes not shown" in out
    depth = 10_000
    code, out, _ = adcli("graph", "exp(" * depth + "x" + ")" * depth, "--format", "json")
    assert code == 0 and len(json.loads(out)["nodes"]) == depth + 1


# -- other formats ----------------------------------------------------------------------

def test_json_is_nodes_and_edges_with_values(adcli):
    code, out, _ = adcli("graph", "a = x + y; b = x - y; a * b", "--at", "x=3,y=2", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert [(nd["id"], nd["op"], nd["value"], nd["adjoint"]) for nd in data["nodes"]] == [
        ("v_-1", "input", 3.0, 6.0), ("v_0", "input", 2.0, -4.0), ("v_1", "add", 5.0, 1.0),
        ("v_2", "sub", 1.0, 5.0), ("v_3", "mul", 5.0, 1.0)]
    assert data["nodes"][2]["let"] == ["a"]
    assert {(e["from"], e["to"]) for e in data["edges"]} == {("v_-1", "v_1"), ("v_0", "v_1"), ("v_-1", "v_2"),
                                                             ("v_0", "v_2"), ("v_1", "v_3"), ("v_2", "v_3")}
    assert data["outputs"] == [{"label": "a * b", "node": "v_3"}]


def test_mermaid_is_graph_lr(adcli):
    code, out, _ = adcli("graph", SEED, "--format", "mermaid")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "graph LR"
    assert sum("-->" in line for line in lines) == 6
    assert all('"' not in line.split('"', 1)[1].rsplit('"', 1)[0] for line in lines[1:6])


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz dot is not installed")
@pytest.mark.parametrize("expr,at", [(SEED, "x=3,y=2"), ("log(x1) + x1*x2 - sin(x2)", "x1=2,x2=5"),
                                     ('x + 1 # "quoted" \\ [bold]', "x=1"), ("sin(x), x*2", None)])
def test_dot_output_is_read_by_graphviz(adcli, expr, at):
    from adcli import parse  # the name adcli is the fixture here
    code, out, _ = adcli("graph", expr, "--format", "dot", *(["--at", at] if at else []))
    assert code == 0
    res = subprocess.run(["dot", "-Tplain"], input=out, capture_output=True, text=True, timeout=30)
    assert res.returncode == 0, res.stderr
    nodes = [line for line in res.stdout.splitlines() if line.startswith("node ")]
    edges = [line for line in res.stdout.splitlines() if line.startswith("edge ")]
    g = graph.build(parse(expr))
    assert len(nodes) == len(g.nodes) and len(edges) == len(true_edges(g))


def test_dot_escapes_labels(adcli):
    code, out, _ = adcli("graph", 'x + 1 # "quoted" \\ [bold]', "--format", "dot")
    assert code == 0
    assert 'label="x + 1 # \\"quoted\\" \\\\ [bold]";' in out


def test_markup_and_control_characters_in_the_source_are_shown_literally(adcli):
    code, out, _ = adcli("graph", "x*2 # [red]x[/red] \x1b]0;title\x07", "--width", "80")
    assert code == 0
    assert "[red]x[/red]" in out and "\x1b" not in out and "\x07" not in out


def test_outputs_that_are_constants_or_inputs(adcli):
    code, out, _ = adcli("graph", "2*3")
    assert code == 0 and "y = 6 (a constant)" in out
    code, out, _ = adcli("graph", "x")
    assert code == 0 and stripped(out).splitlines()[1] == nfc("x v₀ → y")


def test_dot_and_json_do_not_import_rich():
    p = probe(["graph", "x*y", "--format", "dot"], ["graph", "x*y", "--format", "mermaid"],
              ["graph", "x*y", "--at", "x=1,y=2", "--format", "json"])
    assert (p.codes, p.imported("rich"), p.imported("numpy")) == ([0, 0, 0], False, False)
