"""Nothing recurses over expression depth: 100,000-deep inputs parse, lower, evaluate and
differentiate in both modes, and their syntax trees hash, compare, print and
parenthesize, all with the default recursion limit. Each input is parsed once per
module (Lark reads about 100,000 tokens a second)."""
import math
import sys

import pytest

import adcli
from adcli.api import BACKENDS
from adcli.language.lower import lower
from adcli.language.syntax import parenthesize, parse
from adcli.ops import scalar

N = 100_000
pytestmark = pytest.mark.slow  # every test here reads a 100,000-deep or 100,000-long input


@pytest.fixture(autouse=True)
def recursion_limit_untouched():
    limit = sys.getrecursionlimit()
    yield
    assert sys.getrecursionlimit() == limit


def _both_modes(f, **point):
    out = []
    for mode in ("forward", "reverse"):
        r = f.grad(mode=mode, **point)
        assert r.mode == mode and r.warnings == []
        out.append((r.value[0], r.gradient))
    return out


def _both_backends(program, point):
    """Both evaluators on a program lowered from an already parsed tree (one parse per test)."""
    xs = [point[v] for v in program.inputs]
    out = []
    for backend in BACKENDS.values():
        value, rows = backend.jacobian(program, xs, list(range(len(xs))), scalar)
        out.append((value[0], dict(zip(program.inputs, rows[0]))))
    return out


@pytest.fixture(scope="module")
def nested_sin():
    src = "sin(" * N + "x" + ")" * N
    stmts = parse(src)
    return src, stmts, lower(stmts, src)


def test_deep_parentheses():
    f = adcli.compile("(" * N + "x*y" + ")" * N + " + " + "(" * 1000 + "x" + ")" * 1000)
    assert f.program.listing() == "v0 = x\nv1 = y\nv2 = v0 * v1\nv3 = v2 + v0\nreturn v3"
    for value, grad in _both_modes(f, x=3.0, y=2.0):
        assert value == 9.0 and grad == {"x": 3.0, "y": 3.0}


def test_deep_nested_sin(nested_sin):
    src, stmts, program = nested_sin
    assert len(program) == N + 1
    # The chain rule by hand, as an independent oracle: y_k = sin(y_{k-1}), d *= cos(y_{k-1}).
    y, d = 0.5, 1.0
    for _ in range(N):
        d *= math.cos(y)
        y = math.sin(y)
    (vf, gf), (vr, gr) = _both_backends(program, {"x": 0.5})
    assert vf == vr == y
    assert gf["x"] == d                                   # same products, same order
    assert math.isclose(gr["x"], d, rel_tol=1e-12)        # reverse multiplies the other way round


def test_deep_nested_sin_tree_hashes_prints_and_parenthesizes(nested_sin):
    src, stmts, program = nested_sin
    root = stmts[-1]
    assert hash(root) == hash(root) and root == root and root != stmts[-1].args[0]
    assert repr(root).startswith("<outputs")
    text = parenthesize(stmts)
    assert text == src
    node = program.nodes[-1]
    assert repr(node) == f"Node('sin', ({N - 1},), None)"
    assert hash(node) == hash(node)
    assert program.verify()
    listing = program.listing()
    assert listing.count("\n") == N + 1 and listing.endswith(f"v{N} = sin v{N - 1}\nreturn v{N}")


def test_unary_minus_chain():
    # "factor: '-' factor" nests on the parser's stack: 10,000 levels (a tenth of N: each
    # level is one token, so this stays fast while far beyond any recursion limit).
    n = N // 10
    f = adcli.compile("-" * (n + 1) + "x^2")
    assert parenthesize(parse("-" * 3 + "x^2")) == "-(-(-(x^2)))"
    for value, grad in _both_modes(f, x=3.0):
        assert value == -9.0 and grad == {"x": -6.0}


def test_long_sum():
    # x1 + x2 + x3 + x1*x2 + x1 + ...: a left-deep chain of N additions.
    terms = [("x1", "x2", "x3", "x1*x2")[i % 4] for i in range(N)]
    src = " + ".join(terms)
    stmts = parse(src)
    program = lower(stmts, src)
    assert len(program) == 3 + 1 + (N - 1)
    point = {"x1": 1.25, "x2": -0.5, "x3": 3.0}
    # Oracle: the same sum and its gradient accumulated term by term.
    value, grad = 0.0, {v: 0.0 for v in point}
    for t in terms:
        if t == "x1*x2":
            value += point["x1"] * point["x2"]
            grad["x1"] += point["x2"]
            grad["x2"] += point["x1"]
        else:
            value += point[t]
            grad[t] += 1.0
    for v, g in _both_backends(program, point):
        assert math.isclose(v, value, rel_tol=1e-12)
        for k in point:
            assert math.isclose(g[k], grad[k], rel_tol=1e-12), (k, g[k], grad[k])
    text = parenthesize(stmts)
    assert text.startswith("(" * (N - 2) + "x1 + x2) + x3) + (x1 * x2)) + x1) +")
    assert text.endswith(") + (x1 * x2)")


def test_many_outputs_and_bindings():
    n = 5_000
    src = "; ".join(f"a{i} = {'x' if i == 0 else f'a{i - 1}'} + 1" for i in range(n)) + f"; a{n - 1}, x"
    f = adcli.compile(src)
    r = f.eval(x=1.0)
    assert r.value == [float(n + 1), 1.0]
    assert adcli.grad(src.rsplit(",", 1)[0], x=1.0, mode="reverse").gradient == {"x": 1.0}
