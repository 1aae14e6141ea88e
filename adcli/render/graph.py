"""Drawing a Graph (adcli.graph): a layered left-to-right picture in the terminal, a
numbered listing when the picture would not fit, and Graphviz dot, Mermaid and JSON.

The picture: one column per layer, inputs on the left. Between two columns each node of
the right column gets a vertical track; every argument's line runs right along its own
row to the track of each node that uses it (so a shared input fans out), and the track
runs to the node's row. A line that passes a track without joining it is drawn across
it with the track interrupted. An edge that skips layers is carried through the layers
between as a horizontal line. Nothing here recurses.
"""
from ..numtext import constant, json_number
from ..numtext import value as value_text
from ..ops.table import PRIMS
from .notation import Notation, text_width

U, D, L, R = 1, 2, 4, 8
_BOX = {L | R: "─", L: "─", R: "─", U | D: "│", U: "│", D: "│", D | R: "┌", D | L: "┐", U | R: "└",
        U | L: "┘", U | D | R: "├", U | D | L: "┤", L | R | D: "┬", L | R | U: "┴", U | D | L | R: "┼"}
_ASCII = {k: ("-" if v == "─" else "|" if v == "│" else "+") for k, v in _BOX.items()}


# ---------------------------------------------------------------- labels

def op_text(g, n):
    """The op of a node with its constants inline: +, sin, ^2, (· + 1), (2 × ·)."""
    if not any(a[0] == "c" for a in g.args):
        return n.symbol(g.op, g.param)
    hole = "_" if n.ascii else "·"
    args = [hole if a[0] == "v" else _const(a[1]) for a in g.args]
    prim = PRIMS[g.op]
    if prim.kind == "function":
        return f"{g.op}({', '.join(args)})"
    text = prim.template.format(*args, p=constant(g.param) if g.param is not None else "")
    if not n.ascii:
        text = text.replace(" * ", " × ").replace(" - ", " − ")
    return f"({text})"


def _const(v):
    text = constant(v)
    return f"({text})" if text.startswith("-") else text


def node_label(graph, g, n, precision=6, outputs=None):
    """'x v₋₁', '+ v₁ (a) = 5, v̄₁ = 6 → y'."""
    head = g.param if g.op == "input" else op_text(g, n)
    text = f"{head} {n.v(g.k)}"
    if g.names:
        text += f" ({', '.join(g.names)})"
    if not g.taken:
        text += " not taken"
    if g.value is not None:
        text += f" = {value_text(g.value, precision)}"
        if graph.has_adjoints:
            text += f", {n.vbar(g.k)} = {value_text(g.adjoint, precision)}"
    if g.outputs:
        arrow = "->" if n.ascii else "→"
        text += f" {arrow} " + ", ".join(outputs[j] for j in g.outputs)
    return text


def output_names(graph, n):
    from .trace import output_name
    y = output_name(graph.inputs)
    count = len(graph.labels)
    return [y] if count == 1 else [f"{y}{n.sub(j + 1)}" for j in range(count)]


# ---------------------------------------------------------------- layout

class Layout:
    """Where each label goes and which line segments each cell holds."""

    def __init__(self, width, height, labels, cells, crossings):
        self.width, self.height = width, height
        self.labels = labels        # (row, col, text, op)
        self.cells = cells          # {(row, col): flags}
        self.crossings = crossings  # cells where a line passes a track without joining


def layout(graph, labels, width_limit):
    """Place nodes and route edges: a Layout, or "wide" / "ambiguous" (see _layout).
    Rows further apart sometimes untangle lines that would share cells."""
    result = None
    for gap in (2, 3, 4):
        result = _layout(graph, labels, width_limit, gap)
        if result != "ambiguous":
            break
    return result


def _layout(graph, labels, width_limit, gap):
    """Place nodes and route edges; "wide" if wider than width_limit columns, "ambiguous"
    if two different lines would have to share cells."""
    from rich.cells import cell_len
    nodes = graph.nodes
    if not nodes:
        return Layout(0, 0, [], {}, set())
    n_layers = 1 + max(g.layer for g in nodes)
    if 4 * n_layers > width_limit:
        return "wide"
    # items: real nodes, then dummies carrying an edge through the layers it skips
    layer, preds, label = [], [], []
    item_of = {}
    for g in nodes:
        item_of[g.k] = len(layer)
        layer.append(g.layer)
        preds.append([])
        label.append(labels[g.k])
    consumers = {}
    for src, dst, _ in graph.edges:
        lst = consumers.setdefault(src, [])
        if dst not in lst:
            lst.append(dst)
    for src, dsts in consumers.items():
        lu = graph.node(src).layer
        chain = {lu: item_of[src]}
        far = max(graph.node(d).layer for d in dsts)
        for lv in range(lu + 1, far):
            chain[lv] = len(layer)
            layer.append(lv)
            preds.append([chain[lv - 1]])
            label.append(None)
        for d in dsts:
            p = chain[graph.node(d).layer - 1]
            if p not in preds[item_of[d]]:
                preds[item_of[d]].append(p)
    count = len(layer)
    succs = [[] for _ in range(count)]
    for i in range(count):
        for p in preds[i]:
            succs[p].append(i)
    layers = [[] for _ in range(n_layers)]
    for i in range(count):
        layers[layer[i]].append(i)
    pos = [0] * count

    def renumber(lv):
        for j, i in enumerate(layers[lv]):
            pos[i] = j

    for lv in range(n_layers):
        renumber(lv)

    def bary(i, nbrs):
        return sum(pos[p] for p in nbrs) / len(nbrs) if nbrs else pos[i]

    # Barycenter sweeps (the inputs keep their order of first appearance).
    for sweep in range(3):
        if sweep % 2 == 0:
            for lv in range(1, n_layers):
                layers[lv].sort(key=lambda i: (bary(i, preds[i]), pos[i]))
                renumber(lv)
        else:
            for lv in range(n_layers - 2, 0, -1):
                layers[lv].sort(key=lambda i: (bary(i, succs[i]), pos[i]))
                renumber(lv)

    row = [0] * count
    for lv in range(n_layers):
        prev = None
        # Rows where a line from the previous layer runs into the channel: a node there
        # that is not fed by that line alone would share its row with it.
        busy = {row[s]: s for s in layers[lv - 1] if succs[s]} if lv else {}
        for i in layers[lv]:
            want = round(sum(row[p] for p in preds[i]) / len(preds[i])) if preds[i] else 0
            r = want if prev is None else max(want, prev + gap)
            # A node fed by several lines leaves its track on a row of its own, so the
            # exit (├, ┌ or └) is never mistaken for a line passing through.
            while r in busy and (busy[r] not in preds[i] or len(preds[i]) > 1):
                r += 1
            row[i] = prev = r
    height = 1 + max(row)

    widths = [max([1] + [cell_len(label[i]) for i in layers[lv] if label[i] is not None])
              for lv in range(n_layers)]
    x0 = [0] * n_layers
    cells, crossings = {}, set()
    placed = []
    for i in range(count):
        if label[i] is not None:
            placed.append(i)
    for lv in range(n_layers - 1):
        targets = [i for i in layers[lv + 1] if preds[i]]
        c0 = x0[lv] + widths[lv] + 1
        x0[lv + 1] = c0 + 2 * len(targets) + 2
        if x0[lv + 1] > width_limit:
            return "wide"
        order, shared = _track_order(targets, preds, row, label, lv, layers, x0, c0, cell_len)
        if shared:
            return "ambiguous"  # two lines would share cells: list instead of misleading
        _route(order, preds, row, label, layers[lv], x0, lv, c0, cell_len, cells, crossings)
        # dummies are lines straight through their column
        for i in layers[lv + 1]:
            if label[i] is None:
                _hline(cells, row[i], x0[lv + 1], x0[lv + 1] + widths[lv + 1] - 1)
    width = x0[-1] + widths[-1]
    if width > width_limit:
        return "wide"
    labs = [(row[i], x0[layer[i]], label[i], nodes[i].op) for i in placed]
    return Layout(width, height, labs, cells, crossings)


def _segments(order, preds, row, label, sources, x0, lv, c0, cell_len):
    """Horizontal segments (row, x1, x2, joins, net) of one channel for a track order."""
    col = {t: c0 + 1 + 2 * j for j, t in enumerate(order)}
    segs = []
    uses = {}
    for t in order:
        for p in preds[t]:
            uses.setdefault(p, []).append(col[t])
    for s in sources:
        if s not in uses:
            continue
        start = x0[lv] + cell_len(label[s]) + 1 if label[s] is not None else x0[lv]
        segs.append((row[s], start, max(uses[s]), set(uses[s]), ("s", s)))
    end = x0[lv + 1] - 1
    for t in order:
        stop = end - 1 if label[t] is not None else end
        only = preds[t][0] if len(preds[t]) == 1 else None
        segs.append((row[t], col[t], stop, {col[t]}, ("t", t, only, tuple(preds[t]))))
    spans = {col[t]: (min([row[t]] + [row[p] for p in preds[t]]), max([row[t]] + [row[p] for p in preds[t]]))
             for t in order}
    return col, segs, spans


def _cost(segs, spans, order, preds):
    """Crossings count 1; a track that merges several arguments and passes the row of
    one whose line goes on to the right counts 10 (a reader could follow the merged
    line the wrong way)."""
    cost = 0
    ends = {seg[4][1]: seg[2] for seg in segs if seg[4][0] == "s"}
    cols = sorted(spans)
    for j, t in enumerate(order):
        if len(preds[t]) >= 2:
            cost += 10 * sum(1 for p in preds[t] if ends.get(p, -1) > cols[j])
    for r, x1, x2, joins, _ in segs:
        for c, (lo, hi) in spans.items():
            if x1 < c <= x2 and c not in joins and lo <= r <= hi:
                cost += 1
    return cost


def _overlaps(segs):
    """How many pairs of different lines would share cells of one row."""
    cost = 0
    by_row = {}
    for seg in segs:
        by_row.setdefault(seg[0], []).append(seg)
    for segs_r in by_row.values():
        for a in range(len(segs_r)):
            for b in range(a + 1, len(segs_r)):
                s1, s2 = segs_r[a], segs_r[b]
                if s1[1] <= s2[2] and s2[1] <= s1[2] and not _same_net(s1, s2):
                    cost += 1
    return cost


def _same_net(a, b):
    """Two segments on one row that may share cells: a line and the line of the node it
    alone feeds, or a line that ends at the track of a node it feeds, on that node's row."""
    if a[4][0] == "t" and b[4][0] == "s":
        a, b = b, a
    if a[4][0] != "s" or b[4][0] != "t":
        return False
    src, tgt = a[4][1], b[4]
    return tgt[2] == src or (src in tgt[3] and a[2] == b[1])


def _track_order(targets, preds, row, label, lv, layers, x0, c0, cell_len):
    import itertools
    if len(targets) <= 1:
        _, segs, _ = _segments(targets, preds, row, label, layers[lv], x0, lv, c0, cell_len)
        return targets, _overlaps(segs)
    by_row = sorted(targets, key=lambda t: row[t])
    cands = [by_row[::-1], by_row,
             sorted(targets, key=lambda t: min(row[p] for p in preds[t])),
             sorted(targets, key=lambda t: -max(row[p] for p in preds[t]))]
    if len(targets) <= 4:
        cands += [list(p) for p in itertools.permutations(by_row)]
    best, best_cost, best_shared = None, None, None
    for order in cands:
        _, segs, spans = _segments(order, preds, row, label, layers[lv], x0, lv, c0, cell_len)
        shared = _overlaps(segs)
        cost = _cost(segs, spans, order, preds) + 1000 * shared
        if best_cost is None or cost < best_cost:
            best, best_cost, best_shared = order, cost, shared
    return best, best_shared


def _route(order, preds, row, label, sources, x0, lv, c0, cell_len, cells, crossings):
    col, segs, spans = _segments(order, preds, row, label, sources, x0, lv, c0, cell_len)
    for c, (lo, hi) in spans.items():
        for r in range(lo, hi + 1):
            f = (U if r > lo else 0) | (D if r < hi else 0)
            if f:
                cells[(r, c)] = cells.get((r, c), 0) | f
    for r, x1, x2, joins, _ in segs:
        _hline(cells, r, x1, x2)
        for c, (lo, hi) in spans.items():
            if x1 < c < x2 and c not in joins and lo < r < hi:
                crossings.add((r, c))


def _hline(cells, r, x1, x2):
    for x in range(x1, x2 + 1):
        f = (L if x > x1 else 0) | (R if x < x2 else 0)
        cells[(r, x)] = cells.get((r, x), 0) | (f or R)


# ---------------------------------------------------------------- output

_STYLE = {"input": "bold green"}


def draw(lay, ascii=False):
    """Rich Text lines of a layout."""
    from rich.cells import cell_len
    from rich.text import Text
    chars = _ASCII if ascii else _BOX
    across = "-" if ascii else "─"
    starts = {}
    for r, c, text, op in lay.labels:
        starts[(r, c)] = (text, op)
    lines = []
    for r in range(lay.height):
        line = Text(no_wrap=True, end="")
        c = 0
        buf = []
        while c < lay.width:
            if (r, c) in starts:
                if buf:
                    line.append("".join(buf))
                    buf = []
                text, op = starts[(r, c)]
                line.append(text, style=_STYLE.get(op, "bold cyan"))
                c += cell_len(text)
                continue
            f = lay.cells.get((r, c))
            if f is None:
                buf.append(" ")
            elif (r, c) in lay.crossings:
                buf.append(across)
            else:
                buf.append(chars[f])
            c += 1
        if buf:
            line.append("".join(buf).rstrip())
        line.rstrip()
        lines.append(line)
    return lines


def listing_lines(graph, n, precision=6, limit=None):
    """A numbered listing with references to earlier nodes, in columns:
    'v₁ = v₋₁ + v₀  (a)  5  v̄₁ = 1'."""
    from .trace import definition
    cell_len = text_width
    outs = output_names(graph, n)
    shown = graph.nodes if limit is None else graph.nodes[:limit]
    arrow = "-> " if n.ascii else "→ "
    cols = []
    for g in shown:
        row = [n.v(g.k), "=", definition(g, n), f"({', '.join(g.names)})" if g.names else ""]
        if not g.taken:
            row.append("not taken")
        if g.value is not None:
            row.append(value_text(g.value, precision))
            if graph.has_adjoints:
                row.append(f"{n.vbar(g.k)} = {value_text(g.adjoint, precision)}")
        row.append(arrow + ", ".join(outs[j] for j in g.outputs) if g.outputs else "")
        cols.append(row)
    ncol = max((len(r) for r in cols), default=0)
    widths = [max((cell_len(r[c]) for r in cols if c < len(r)), default=0) for c in range(ncol)]
    right = {0, 4}  # names and values line up on the right
    lines = []
    for r in cols:
        parts = []
        for c, text in enumerate(r):
            pad = " " * (widths[c] - cell_len(text))
            parts.append(pad + text if c in right else text + pad)
        lines.append("  ".join(p for p in parts[:1]) + " " + " ".join(parts[1:3]) +
                     ("  " + "  ".join(parts[3:]) if len(parts) > 3 else ""))
    return [line.rstrip() for line in lines]


def print_graph(graph, console, ascii=False, width=None, max_nodes=None, precision=6, listing=False):
    """The drawing, or the listing when it does not fit or has too many nodes."""
    from rich.text import Text

    from ..errors import printable
    from .tables import one_line
    n = Notation(ascii)
    width = width or console.width
    outs = output_names(graph, n)
    total = len(graph.nodes)
    capped = max_nodes is not None and total > max_nodes
    from .layout import heading, print_line
    # the point whole (never cut with an ellipsis), wrapped between its entries
    print_line(console, heading(printable(one_line(graph.expr)), graph.at, console.width, cut=True))
    lay = None
    if not capped and not listing:
        labels = {g.k: safe(node_label(graph, g, n, precision, outs)) for g in graph.nodes}
        lay = layout(graph, labels, width)
    if isinstance(lay, Layout):
        for line in draw(lay, ascii):
            console.print(line)
    else:
        if not listing:
            why = (f"{total} nodes, more than --max-nodes {max_nodes}" if capped
                   else f"the drawing is wider than {width} columns" if lay == "wide"
                   else "this graph has no clear drawing in columns")
            hint = "" if capped else " (--format dot draws any graph with Graphviz)"
            print_line(console, Text(f"{why}: listed instead{hint}", style="dim"))
        lines = listing_lines(graph, n, precision, max_nodes if capped else None)
        # Plain text, written directly: Rich would measure and wrap every one of
        # possibly 10,000 lines for nothing.
        console.file.write("".join(safe(line) + "\n" for line in lines))
        if capped:
            console.print(Text(f"... {total - max_nodes} more node{'s' if total - max_nodes != 1 else ''} "
                               f"not shown ({_span(n, graph.nodes[max_nodes].k, graph.nodes[-1].k)}); "
                               "raise --max-nodes to see them", style="dim"))
    for j, v in graph.const_outputs:
        console.print(Text(f"{outs[j]} = {constant(v)} (a constant)", style="dim"))
    if graph.has_adjoints:
        note = (f"vbar = d{outs[0]}/dv" if ascii else f"v̄ = ∂{outs[0]}/∂v") + ", from one reverse sweep"
        console.print(Text(note, style="dim"))


def _span(n, a, b):
    return n.v(a) if a == b else f"{n.v(a)} to {n.v(b)}"


def safe(text):
    from ..errors import printable
    return text if text.isprintable() else printable(text)


def _node_id(g):
    return f"v{g.k}" if g.k >= 0 else f"vm{-g.k}"


def dot(graph, ascii=False, precision=6):
    """Graphviz source; every label is a quoted, escaped string."""
    n = Notation(ascii)
    outs = output_names(graph, n)
    lines = ["digraph adcli {", "  rankdir=LR;", '  node [shape=box, fontname="monospace"];',
             f"  label={_dq(graph.expr)};", "  labelloc=t;"]
    for g in graph.nodes:
        label = node_label(graph, g, n, precision, outs)
        shape = ", shape=ellipse" if g.op == "input" else ", peripheries=2" if g.outputs else ""
        lines.append(f"  {_node_id(g)} [label={_dq(label)}{shape}];")
    seen = set()
    for src, dst, _ in graph.edges:
        key = (src, dst)
        if key in seen:
            continue
        seen.add(key)
        lines.append(f"  {_node_id(graph.node(src))} -> {_node_id(graph.node(dst))};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _dq(text):
    from ..errors import printable
    return '"' + printable(text).replace("\\", "\\\\").replace('"', '\\"') + '"'


def mermaid(graph, ascii=False, precision=6):
    """A Mermaid flowchart, `graph LR`."""
    n = Notation(ascii)
    outs = output_names(graph, n)
    lines = ["graph LR"]
    for g in graph.nodes:
        label = node_label(graph, g, n, precision, outs)
        opening, closing = ("([", "])") if g.op == "input" else ("[", "]")
        lines.append(f'  {_node_id(g)}{opening}"{_mq(label)}"{closing}')
    seen = set()
    for src, dst, _ in graph.edges:
        if (src, dst) not in seen:
            seen.add((src, dst))
            lines.append(f"  {_node_id(graph.node(src))} --> {_node_id(graph.node(dst))}")
    return "\n".join(lines) + "\n"


def _mq(text):
    from ..errors import printable
    return printable(text).replace("&", "#amp;").replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")


def record(graph):
    """Nodes and edges as JSON-ready data (strict JSON)."""
    nodes = []
    for g in graph.nodes:
        rec = {"id": f"v_{g.k}", "index": g.k, "op": g.op, "layer": g.layer,
               "args": [f"v_{a[1]}" if a[0] == "v" else json_number(a[1]) for a in g.args],
               "let": list(g.names), "label": op_text(g, Notation(False)) if g.op != "input" else g.param}
        if g.op == "input":
            rec["variable"] = g.param
        if g.op == "powc":
            rec["exponent"] = json_number(g.param)
        if not g.taken:
            rec["taken"] = False
        if g.value is not None:
            rec["value"] = json_number(g.value)
        if graph.has_adjoints:
            rec["adjoint"] = json_number(0.0 if g.adjoint is None else g.adjoint)
        if g.outputs:
            rec["outputs"] = list(g.outputs)
        nodes.append(rec)
    edges = [{"from": f"v_{s}", "to": f"v_{d}", "arg": p} for s, d, p in graph.edges]
    rec = {"expr": graph.expr}
    if graph.at is not None:
        rec["at"] = {k: json_number(v) for k, v in graph.at.items()}
    rec["nodes"] = nodes
    rec["edges"] = edges
    rec["outputs"] = [{"label": lab} for lab in graph.labels]
    for j, o in enumerate(rec["outputs"]):
        const = dict(graph.const_outputs).get(j)
        if const is not None:
            o["value"] = json_number(const)
        else:
            o["node"] = next(f"v_{g.k}" for g in graph.nodes if j in g.outputs)
    return rec
