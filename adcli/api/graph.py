"""The computational graph of a program as plain data: one node per input and operation
(constants are shown inside the operation that uses them), edges from arguments to
uses, the layer of each node (inputs 0, an operation one more than its deepest
argument) and, at a point, each node's value and adjoint ∂f/∂node from a reverse sweep.

Node numbers follow the trace (adcli.trace): inputs v₋ₙ₊₁ … v₀, operations v₁, v₂, …
in layer order. adcli.render_graph draws it.
"""
from .trace import layer_order, numbering


class GNode:
    __slots__ = ("k", "node", "op", "param", "args", "names", "layer", "value", "adjoint", "outputs", "taken")

    def __init__(self, k, node, op, param, args, names, layer):
        self.k, self.node, self.op, self.param = k, node, op, param
        self.args = args          # references: ("v", k) or ("c", constant)
        self.names = names        # let-names bound to this node
        self.layer = layer
        self.value = None         # with a point
        self.adjoint = None       # with a point and one output (None: not computed, or structural 0)
        self.outputs = []         # indices of the outputs this node is
        self.taken = True         # False: only in a branch of an `if` not taken at the point (no value shown)

    def __repr__(self):
        return f"GNode(v{self.k} {self.op} layer {self.layer})"


class Graph:
    def __init__(self, expr, inputs, nodes, edges, labels):
        self.expr = expr
        self.inputs = inputs
        self.nodes = nodes        # GNode list: inputs first, then operations in trace order
        self.edges = edges        # (from k, to k, argument position), one per use
        self.labels = labels      # source text per output
        self.at = None            # the point, when values were computed
        self.has_adjoints = False
        self.const_outputs = []   # (output index, value) for outputs that are constants
        self.warnings = []

    def node(self, k):
        return self.nodes[k + len(self.inputs) - 1]


def build(program, point=None, expr=None):
    """The graph of `program`; with `point`, values and (for one output) adjoints."""
    index, order = numbering(program)
    layer, _ = layer_order(program)
    pn = program.nodes

    def ref(i):
        return ("v", index[i]) if pn[i].op != "const" else ("c", pn[i].param)

    nodes = [GNode(index[i], i, "input", name, (), program.names.get(i, ()), 0)
             for i, name in enumerate(program.inputs)]
    edges = []
    for i in order:
        nd = pn[i]
        g = GNode(index[i], i, nd.op, nd.param, tuple(ref(a) for a in nd.args), program.names.get(i, ()),
                  layer[i])
        nodes.append(g)
        for pos, a in enumerate(nd.args):
            if pn[a].op != "const":
                edges.append((index[a], index[i], pos))
    graph = Graph(expr if expr is not None else program.source, program.inputs, nodes, edges, program.labels)
    for j, o in enumerate(program.outputs):
        if pn[o].op == "const":
            graph.const_outputs.append((j, pn[o].param))
        else:
            graph.node(index[o]).outputs.append(j)
    if point is not None:
        from . import trace
        one = len(program.outputs) == 1
        t = trace.build(program, point, "reverse" if one else "forward", {} if not one else None, expr)
        graph.at = dict(point)
        graph.has_adjoints = one
        graph.warnings = t.warnings
        for r in t.rows:
            g = graph.node(r.k)
            g.taken = r.taken
            if not r.taken:
                continue
            g.value = r.value
            if one:
                g.adjoint = r.adjoint
    return graph
