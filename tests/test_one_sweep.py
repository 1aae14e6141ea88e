"""One reverse sweep (adcli.engine.reverse.sweep) and one activity analysis
(adcli.engine.reverse.activity), used by every reverse computation: one point, q
cotangents, the Hessian's Dual numbers, the chunked many-point engine and the
textbook trace."""
import math
import random
from collections import Counter

import pytest

import adcli
from adcli.api import trace
from adcli.engine import reverse
from adcli.ops import scalar
from randexpr import cases


@pytest.fixture
def sweeps(monkeypatch):
    """Counts the calls of the one sweep (by the number type of the values it ran on)."""
    calls = Counter()
    inner = reverse.sweep

    def spy(code, vals, *args, **kwargs):
        calls[type(vals[0]).__name__] += 1
        return inner(code, vals, *args, **kwargs)
    monkeypatch.setattr(reverse, "sweep", spy)
    return calls


def _replay(t):
    """The adjoints the steps of a reverse trace give, recomputed step by step from
    their own description: v̄_t = v̄_s · p (assign) or v̄_t + v̄_s · p (add)."""
    adj = {}
    for s in t.steps:
        if s.kind == "seed":
            assert s.target not in adj
            got = 1.0
        else:
            assert s.source in adj, "a node passed its adjoint on before it had one"
            term = adj[s.source] * s.partial if type(s.partial) is not int else (
                adj[s.source] if s.partial == 1 else -adj[s.source])
            assert (s.kind == "add") == (s.target in adj)
            got = adj[s.target] + term if s.kind == "add" else term
        assert got == s.value, s
        adj[s.target] = got
    return adj


def _gradient(program, point):
    xs = [point[v] for v in program.inputs]
    _, adj, _ = reverse.vjp(program, xs, [[1.0]], scalar)
    return {v: adj[i][0] if adj[i] is not None else 0.0 for i, v in enumerate(program.inputs)}


def test_every_reverse_computation_runs_the_one_sweep(sweeps):
    f = adcli.compile("a = x*y; sin(a) + a/y")
    f.grad(x=1.5, y=2.0, mode="reverse")
    assert sweeps == {"float": 1}
    f.hessian(x=1.5, y=2.0)
    assert sweeps["Dual"] == 1
    adcli.compile("x*y, x - y").vjp(x=1.5, y=2.0, cotangent=[1.0, 2.0])
    adcli.compile("x*y, x - y").jacobian(x=1.5, y=2.0, mode="reverse")
    assert sweeps["float"] == 3
    trace.build(f.program, {"x": 1.5, "y": 2.0}, "reverse")
    assert sweeps["float"] == 4
    import numpy as np
    f.grad(x=np.linspace(1, 2, 10), y=2.0, mode="reverse")      # one chunk
    assert sweeps["ndarray"] == 1
    from adcli.batch import kinds
    kinds.grad_job(f, {"x": np.linspace(1, 2, 10), "y": np.full(10, 2.0)}, {"mode": "reverse"})
    assert sweeps["ndarray"] == 2


def test_activity_on_a_program_with_inactive_branches():
    p = adcli.parse("a = x*y; b = sin(z) + 2; c = log(-1); a + b*c + x, z")
    assert p.listing() == ("v0 = x\nv1 = y\nv2 = z\nv3 = v0 * v1    # a\nv4 = sin v2\nv5 = v4 + 2    # b\n"
                           "v6 = log -1    # c\nv7 = v5 * v6\nv8 = v3 + v7\nv9 = v8 + v0\nreturn v9, v2")
    def active_ops(wrt):  # by display name: the constants 2 and -1 have node ids too
        act = reverse.activity(p, [p.inputs.index(v) for v in wrt])
        return [p.arg_text(i, p.display_ids()) for i, on in enumerate(act) if on]
    assert active_ops(["x"]) == ["v0", "v3", "v8", "v9"]
    assert active_ops(["y"]) == ["v1", "v3", "v8", "v9"]
    assert active_ops(["z"]) == ["v2", "v4", "v5", "v7", "v8", "v9"]
    assert active_ops([]) == []
    # log(-1) depends on no input, so it is never active, and nor is any constant
    assert active_ops(["x", "y", "z"]) == ["v0", "v1", "v2", "v3", "v4", "v5", "v7", "v8", "v9"]


def test_everyone_gets_the_same_activity():
    from adcli.engine import chunked
    p = adcli.parse("a = x*y; b = sin(z) + 2; a + b*log(-1) + x")
    for wrt in ([0], [1, 2], [2], []):
        want = reverse.activity(p, wrt)
        assert reverse.vjp(p, [1.0, 2.0, 3.0], [[1.0]], scalar, active_inputs=set(wrt))[2] == want
        assert chunked.Plan(p, wrt).active == want
    assert chunked.Plan(p).active == [False] * len(p.nodes)   # values only
    assert reverse.vjp(p, [1.0, 2.0, 3.0], [[1.0]], scalar)[2] == reverse.activity(p, [0, 1, 2])


def test_an_inactive_branch_has_no_derivative_warnings():
    # log(y) is inf at y = 0 and so is sqrt'(0): the diagnosis names sqrt's derivative
    # only when y is differentiated, as the sweep only takes derivatives of active nodes.
    f = adcli.compile("x*log(y) + sqrt(y)")
    held = f.grad(x=1.0, y=0.0, wrt="x").warnings
    moved = f.grad(x=1.0, y=0.0).warnings
    assert not any("derivative of sqrt" in w for w in held), held
    assert any("derivative of sqrt" in w for w in moved), moved
    import numpy as np
    held = f.grad(x=np.ones(3), y=np.zeros(3), wrt="x").warnings
    assert not any("derivative of sqrt" in w for w in held), held


def test_q_cotangents_in_one_sweep_equal_one_sweep_per_cotangent_bit_for_bit():
    rng = random.Random(3)
    for src, _, point in cases(21, 40):
        other = cases(rng.randrange(10 ** 6), 1)[0][0]
        p = adcli.parse(f"{src}, {other}, x")
        xs = [point[v] for v in p.inputs]
        u = [rng.choice([1.0, -0.5, 0.0, 2.25]) for _ in p.outputs]
        cts = [[c if c else None, 1.0 if r == 1 else None] for r, c in enumerate(u)]
        _, rows, _ = reverse.vjp(p, xs, cts, scalar)
        for j in range(2):
            _, one, _ = reverse.vjp(p, xs, [[ct[j]] for ct in cts], scalar)
            for i in range(len(xs)):
                got = rows[i][j] if rows[i] is not None else None
                want = one[i][0] if one[i] is not None else None
                assert got == want or (got != got and want != want), (src, other, j, i)


def test_the_trace_is_the_sweep_step_by_step():
    for src, _, point in cases(13, 60):
        p = adcli.parse(src)
        at = {v: point[v] for v in p.inputs}
        t = trace.build(p, at, "reverse")
        adj = _replay(t)
        n_in = len(p.inputs)
        for r in t.rows:
            assert r.adjoint == adj.get(r.k), (src, r)
        assert t.gradient == {v: adj.get(i - n_in + 1, 0.0) for i, v in enumerate(p.inputs)}
        # every step's partial is the rule's partial for that argument of its source
        rows = {r.k: r for r in t.rows}
        for s in t.steps[1:]:
            assert rows[s.source].partials[s.arg] == s.partial or math.isnan(s.partial)
        want = _gradient(p, at)
        for v in p.inputs:
            assert t.gradient[v] == pytest.approx(want[v], rel=1e-12, abs=1e-300)


def test_the_trace_gradient_is_reverse_mode_bit_for_bit_when_order_cannot_matter():
    # The trace sweeps in the textbook's layer order, reverse mode in IR order; where
    # no node receives more than two contributions (a + b == b + a exactly) the two
    # orders give the same bits.
    seen = 0
    for depth in (1, 2, 3):
        for src, _, point in cases(17 + depth, 150, depth):
            p = adcli.parse(src)
            uses = Counter(a for nd in p.nodes for a in nd.args if p.nodes[a].op != "const")
            if max(uses.values(), default=0) > 2:
                continue
            at = {v: point[v] for v in p.inputs}
            assert trace.build(p, at, "reverse").gradient == _gradient(p, at), src
            seen += 1
    assert seen > 50


def test_the_trace_keeps_an_adjoint_for_a_node_no_input_reaches():
    # A textbook trace shows v̄ for log(-1) too (its adjoint, 1, is a true partial of y)
    t = trace.build(adcli.parse("x + log(-1)"), {"x": 1.0}, "reverse")
    assert [(s.kind, s.target, s.source, s.value) for s in t.steps] == [
        ("seed", 2, None, 1.0), ("assign", 0, 2, 1.0), ("assign", 1, 2, 1.0)]
    assert t.gradient == {"x": 1.0}
