"""The gradient and Hessian-vector products by levels (adcli.engine.levels) against the
engine's reverse sweep and its exact Hessian (forward-over-reverse), on unrolled sums
and on programs whose additions form chains of every shape."""
import numpy as np
import pytest

from adcli.api import Function
from adcli.engine import hessian, levels, reverse
from adcli.ops import scalar

EXPRS = [
    "sum(i = 1:len(x)-1, 100*(x[i+1] - x[i]^2)^2 + (1 - x[i])^2)",
    "sum(i = 1:len(x)-1, exp(x[i]/3)*sin(x[i+1]) - x[i]^3/(1 + x[i+1]^2)) - sum(i = 1:len(x), log(1 + x[i]^2))",
    "y*sum(i = 1:len(x), x[i]*x[i]) - sum(i = 1:len(x), x[i] - y) + (sum(i = 1:len(x), 2*x[i]) - y)^2",
    "sum(i = 1:len(x), sum(j = 1:len(x), tanh(x[i] - x[j]) * x[j]))",
    "sqrt(1 + sum(i = 1:len(x), x[i]^2)) + x[1] - x[len(x)]",
]


def _engine(program, x):
    vals, rows = reverse.jacobian(program, list(x), list(range(len(x))), scalar)
    return vals[0], np.array([0.0 if v is None else v for v in rows[0]])


@pytest.mark.parametrize("expr", EXPRS)
@pytest.mark.parametrize("n", [1, 3, 17, 40])
def test_gradient_and_hvp_match_the_engine(expr, n):
    rng = np.random.default_rng(n)
    x, v = rng.normal(size=n), rng.normal(size=n)
    point = {"x": list(x)}
    if "y" in expr:
        point["y"] = 0.7
    g, flat = Function(expr).bind(point)
    xs = np.array([flat[name] for name in g.program.inputs])
    v = rng.normal(size=len(xs))
    lv = levels.prepare(g.program)
    value, grad = lv(xs)
    ev, eg = _engine(g.program, xs)
    assert value == pytest.approx(ev, rel=1e-13, abs=1e-13)
    np.testing.assert_allclose(grad, eg, rtol=1e-12, atol=1e-12 * max(1.0, np.abs(eg).max()))
    g2, hv = lv.hvp(xs, v)
    np.testing.assert_allclose(g2, grad, rtol=1e-13, atol=1e-13)
    _, _, rows = hessian.hessian(g.program, list(xs), list(range(len(xs))), scalar)
    h = np.array([[0.0 if e is None else e for e in row] for row in rows])
    np.testing.assert_allclose(hv, h @ v, rtol=1e-10, atol=1e-10 * max(1.0, np.abs(h @ v).max()))


def test_long_sums_become_few_steps():
    # an unrolled sum of 2,000 terms is a handful of numpy steps, not 2,000 levels
    g, _ = Function(EXPRS[0]).bind({"x": [1.0] * 2000})
    lv = levels.prepare(g.program)
    assert len(lv.steps) < 20 < len(g.program.nodes)


def test_a_program_with_guards_is_left_to_the_engine():
    g, _ = Function("sum(i = 1:len(x), if(x[i] > 0, x[i], -x[i]))").bind({"x": [1.0, -2.0]})
    assert levels.prepare(g.program) is None
