"""The intermediate representation: one flat, topologically ordered list of nodes.

Every argument id is smaller than its node's id, by construction, so a forward sweep is
a loop over the list and a reverse sweep is the same loop reversed: no graph search and
no recursion. Inputs come first (node i is input i, in order of first appearance), so
a trace can number them v_{1-n} .. v_0 as textbooks do.
"""
import math

from ..numtext import constant
from ..ops import scalar
from ..ops.call import call_value
from ..ops.table import PRIMS


class Node:
    __slots__ = ("op", "args", "param", "pos")

    def __init__(self, op, args, param, pos):
        self.op = op          # "input", "const" or a primitive name
        self.args = args      # ids of earlier nodes
        self.param = param    # the variable name, the constant value or the powc exponent
        self.pos = pos        # offset in the source, for error messages

    def __repr__(self):
        return f"Node({self.op!r}, {self.args!r}, {self.param!r})"


class Program:
    """A lowered expression: nodes, the input names, the output node ids and, for
    display, the source text of each output and the let-names bound to each node.
    vectors holds (name, length) for each vector variable, in input order: its elements
    are the inputs name[1] .. name[length], next to each other."""
    __slots__ = ("nodes", "inputs", "outputs", "labels", "names", "source", "vectors", "_compiled",
                 "_input_index", "_cache")

    def __init__(self, nodes, inputs, outputs, labels, names, source, vectors=()):
        self.nodes = nodes
        self.inputs = inputs
        self.outputs = outputs
        self.labels = labels
        self.names = names
        self.source = source
        self.vectors = vectors
        self._compiled = None
        self._input_index = None
        self._cache = {}   # facts the engine works out once per program (adcli.engine.liveness)

    @property
    def input_index(self):
        """{variable: input index}: `name in program.input_index` takes constant time,
        where `name in program.inputs` scans the tuple (quadratic over many names)."""
        index = self._input_index
        if index is None:
            index = self._input_index = {v: i for i, v in enumerate(self.inputs)}
        return index

    def __len__(self):
        return len(self.nodes)

    def display_ids(self):
        """Display number of each node: inputs and operations are v0, v1, ...; constants
        are shown inline and get no number."""
        ids, k = {}, 0
        for i, node in enumerate(self.nodes):
            if node.op != "const":
                ids[i] = k
                k += 1
        return ids

    def arg_text(self, i, ids):
        node = self.nodes[i]
        return constant(node.param) if node.op == "const" else f"v{ids[i]}"

    def listing(self):
        """The IR as text: one line per input and operation, then the outputs."""
        ids = self.display_ids()
        lines = []
        for i, node in enumerate(self.nodes):
            if node.op == "const":
                continue
            if node.op == "input":
                rhs = node.param
            else:
                args = [self.arg_text(a, ids) for a in node.args]
                rhs = PRIMS[node.op].template.format(*args, p=constant(node.param) if node.param is not None else "")
            names = self.names.get(i)
            note = f"    # {', '.join(names)}" if names else ""
            lines.append(f"v{ids[i]} = {rhs}{note}")
        lines.append("return " + ", ".join(self.arg_text(o, ids) for o in self.outputs))
        return "\n".join(lines)

    def __str__(self):
        return self.listing()

    def verify(self):
        """Check the invariants every evaluator relies on; raise AssertionError if broken."""
        n_in = len(self.inputs)
        seen = set()
        for i, node in enumerate(self.nodes):
            if i < n_in:
                assert node.op == "input" and node.param == self.inputs[i], (i, node)
                continue
            assert node.op != "input", f"input after the input block at {i}"
            if node.op == "const":
                assert node.args == () and isinstance(node.param, float), (i, node)
            else:
                prim = PRIMS[node.op]
                assert len(node.args) == prim.arity, (i, node)
                assert all(0 <= a < i for a in node.args), f"node {i} uses a later node"
                assert (node.param is not None) == (node.op == "powc"), (i, node)
                assert all(pos < prim.arity for pos in (*prim.edges, *prim.guards)), (i, node)
            key = _key(node.op, node.args, node.param)
            assert key not in seen, f"duplicate node {i}"
            seen.add(key)
        assert all(0 <= o < len(self.nodes) for o in self.outputs)
        assert len(self.labels) == len(self.outputs)
        return True


# Folded directly: the IEEE result of Python's float operators is the scalar rule's.
_ARITHMETIC = {"add": float.__add__, "sub": float.__sub__, "mul": float.__mul__}


def _key(op, args, param):
    # Constants are keyed by their bits so that 0.0 and -0.0 stay apart and nan merges.
    return (op, args, param.hex() if op == "const" else param)


class Builder:
    """Makes nodes, merging repeats of the same (op, args, param) and folding operations
    on constants when the result is finite (a non-finite one is kept, so that evaluating
    it warns as usual)."""

    def __init__(self):
        self.nodes = []
        self._index = {}

    def _add(self, op, args, param, pos):
        key = _key(op, args, param)
        i = self._index.get(key)
        if i is None:
            i = len(self.nodes)
            self.nodes.append(Node(op, args, param, pos))
            self._index[key] = i
        return i

    def input(self, name, pos=None):
        return self._add("input", (), name, pos)

    def const(self, value, pos=None):
        return self._add("const", (), float(value), pos)

    def is_const(self, i):
        return self.nodes[i].op == "const"

    def op(self, name, args, param=None, pos=None):
        args = tuple(args)
        nodes = self.nodes
        for a in args:
            if nodes[a].op != "const":
                break
        else:  # every argument is a constant: fold
            fast = _ARITHMETIC.get(name)
            if fast is not None:   # index arithmetic (i + 1) in a sum's every term: no rule call
                v = fast(nodes[args[0]].param, nodes[args[1]].param)
            else:
                v = call_value(PRIMS[name], scalar, param, [nodes[a].param for a in args])
            if math.isfinite(v):
                return self.const(v, pos)
        # _add, written out: the key of an operation is never a constant's
        key = (name, args, param)
        i = self._index.get(key)
        if i is None:
            i = len(nodes)
            nodes.append(Node(name, args, param, pos))
            self._index[key] = i
        return i

    def finish(self, outputs, labels, names, source, keep=(), vectors=()):
        """Keep only what the outputs need, and the nodes in keep (a vector's elements,
        used or not); put the inputs first; renumber. The nodes are renumbered in place,
        so a finished builder is used up."""
        old = self.nodes
        live = [False] * len(old)
        for o in outputs:
            live[o] = True
        for k in keep:
            live[k] = True
        for i in range(len(old) - 1, -1, -1):
            if live[i]:
                for a in old[i].args:
                    live[a] = True
        order = [i for i, nd in enumerate(old) if live[i] and nd.op == "input"]
        n_in = len(order)
        order += [i for i, nd in enumerate(old) if live[i] and nd.op != "input"]
        new = [0] * len(old)
        for k, i in enumerate(order):
            new[i] = k
        nodes = tuple([old[i] for i in order])
        for nd in nodes:
            if nd.args:
                nd.args = tuple([new[a] for a in nd.args])
        self.nodes = self._index = None
        inputs = tuple([nodes[k].param for k in range(n_in)])
        bound = {}
        for name, i in names:
            if live[i]:
                bound.setdefault(new[i], []).append(name)
        return Program(nodes, inputs, tuple([new[o] for o in outputs]), tuple(labels),
                       {k: tuple(v) for k, v in bound.items()}, source, tuple(vectors))
