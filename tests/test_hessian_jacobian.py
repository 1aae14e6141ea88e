"""Jacobians, JVPs/VJPs and Hessians against independent oracles: forward vs reverse,
the inner-product identity, SymPy, central differences of the gradient."""
import math
import random

import numpy as np
import pytest
import sympy as sp

import adcli
import randexpr
from adcli.engine.dual import Dual, DualMath
from adcli.engine.hessian import hessian
from adcli.ops import scalar
from adcli.ops.table import PRIMS
from conftest import close

# ---- Jacobian, jvp, vjp ---------------------------------------------------------------

SEVERAL = [
    ("x*y, x+y, sin(x)*exp(y)", {"x": 0.7, "y": -1.3}),
    ("r*cos(t), r*sin(t)", {"r": 2.0, "t": math.pi / 6}),
    ("a = x*y*z; a^2, log(1+a^2), hypot(x, z)", {"x": 0.3, "y": 2.0, "z": -1.5}),
    ("x^y, atan2(y, x), min(x, y)*max(x, z), tanh(z)", {"x": 1.7, "y": 0.4, "z": 0.9}),
]


@pytest.mark.parametrize("src,pt", SEVERAL)
def test_jacobian_forward_equals_reverse(src, pt):
    f = adcli.compile(src)
    jf = f.jacobian(pt, mode="forward")
    jr = f.jacobian(pt, mode="reverse")
    assert jf.mode == "forward" and jr.mode == "reverse"
    for rf, rr in zip(jf.jacobian, jr.jacobian):
        for a, b in zip(rf, rr):
            assert close(a, b, abs_=1e-12)


@pytest.mark.parametrize("src,pt", SEVERAL)
def test_inner_product_identity(src, pt):
    """<u, J v> = <J^T u, v> with J v from one forward sweep and J^T u from one reverse."""
    f = adcli.compile(src)
    rng = random.Random(7)
    for _ in range(5):
        v = {name: rng.uniform(-1, 1) for name in f.variables}
        u = [rng.uniform(-1, 1) for _ in f.program.outputs]
        jv = f.jvp(pt, dir=v).jvp
        jtu = f.vjp(pt, cotangent=u).vjp
        lhs = sum(a * b for a, b in zip(u, jv))
        rhs = sum(jtu[name] * v[name] for name in f.variables)
        assert close(lhs, rhs, 1e-12, 1e-14)


def test_auto_mode_counts_sweeps():
    f = adcli.compile("x*y*z, x+y")  # 2 outputs, 3 variables: reverse is cheaper
    r = f.jacobian(x=1, y=2, z=3)
    assert r.mode == "reverse" and r.sweeps == {"forward": 3, "reverse": 2}
    assert r.reason == "reverse mode: 2 sweeps, one per output (forward mode would need 3 sweeps, one per variable)"
    r = adcli.compile("x*y, x+y, x-y").jacobian(x=1, y=2)
    assert r.mode == "forward" and r.reason.startswith("forward mode: 2 sweeps, one per variable")
    r = adcli.compile("x*y, x+y").jacobian(x=1, y=2)
    assert r.mode == "forward" and "on a tie forward wins" in r.reason
    r = adcli.compile("x*y, x+y, x-y").jacobian(x=1, y=2, mode="reverse")
    assert r.mode == "reverse" and "as asked" in r.reason


def test_jvp_equals_jacobian_times_direction():
    f = adcli.compile("x*y, sin(x)*z")
    pt = {"x": 0.4, "y": 1.1, "z": -2.0}
    J = f.jacobian(pt).jacobian
    d = {"x": 0.3, "y": -1.0}
    r = f.jvp(pt, dir=d)
    assert r.dir == {"x": 0.3, "y": -1.0, "z": 0.0}
    for row, t in zip(J, r.jvp):
        assert close(t, row[0] * 0.3 - row[1], abs_=1e-12)


def test_vjp_cotangent_length_is_checked():
    with pytest.raises(adcli.AdcliError, match="2 outputs"):
        adcli.compile("x, y").vjp(x=1, y=2, cotangent=[1.0])


def test_jvp_and_vjp_vectorized_equal_loop():
    f = adcli.compile("x*y, exp(x) - y^2")
    xs, ys = np.array([0.1, 0.5, -1.0]), np.array([2.0, -0.3, 0.7])
    rj = f.jvp(x=xs, y=ys, dir={"x": 1.0, "y": 2.0})
    rv = f.vjp(x=xs, y=ys, cotangent=[1.0, -1.0])
    for k in range(3):
        one = f.jvp(x=float(xs[k]), y=float(ys[k]), dir={"x": 1.0, "y": 2.0})
        assert all(close(a[k], b, abs_=1e-12) for a, b in zip(rj.jvp, one.jvp))
        one = f.vjp(x=float(xs[k]), y=float(ys[k]), cotangent=[1.0, -1.0])
        assert all(close(rv.vjp[v][k], one.vjp[v], abs_=1e-12) for v in "xy")


# ---- Hessian --------------------------------------------------------------------------

@pytest.mark.slow  # random expressions against SymPy: the longest fuzz
@pytest.mark.parametrize("src,expr,pt", randexpr.cases(seed=2024, count=12))
def test_hessian_matches_sympy(src, expr, pt):
    f = adcli.compile(src)
    r = f.hessian(pt, wrt=["x", "y"])
    sub = {randexpr.X: sp.Rational(pt["x"]), randexpr.Y: sp.Rational(pt["y"])}
    for i, a in enumerate("xy"):
        g = float(sp.diff(expr, randexpr.VARS[a]).subs(sub).evalf(30))
        assert close(r.gradient[a], g, 1e-11, 1e-13), (a, src)
        for j, b in enumerate("xy"):
            h = float(sp.diff(expr, randexpr.VARS[a], randexpr.VARS[b]).subs(sub).evalf(30))
            assert close(r.hessian[i][j], h, 1e-10, 1e-12), (a, b, src)
    assert close(r.hessian[0][1], r.hessian[1][0], 1e-12, 1e-15)


def test_hessian_symmetric_on_many_variables():
    n = 12
    src = " + ".join(f"100*(x{i+1} - x{i}^2)^2 + (1 - x{i})^2" for i in range(n - 1))
    src += " + sin(x0*x5*x11) + exp(x3)/(1 + x7^2)"
    f = adcli.compile(src)
    rng = random.Random(3)
    pt = {v: rng.uniform(-1.5, 1.5) for v in f.variables}
    H = f.hessian(pt).hessian
    for i in range(n):
        for j in range(n):
            assert close(H[i][j], H[j][i], 1e-12, 1e-12)


def test_hessian_where_naive_rules_give_nan():
    assert adcli.compile("x^2").hessian(x=0).hessian == [[2.0]]
    assert adcli.compile("x^3").hessian(x=0).hessian == [[0.0]]
    r = adcli.compile("x^3*y^2").hessian(x=0, y=0)
    assert r.hessian == [[0.0, 0.0], [0.0, 0.0]] and r.gradient == {"x": 0.0, "y": 0.0}
    r = adcli.compile("pow(x, 2)").hessian(x=0)  # pow with a constant becomes powc
    assert r.hessian == [[2.0]]
    r = adcli.compile("x^4").hessian(x=-2)
    assert r.hessian == [[48.0]]


def test_hessian_against_differences_of_the_gradient():
    """An oracle that shares no code with the dual numbers: central differences of the
    reverse-mode gradient."""
    f = adcli.compile("x*log(y) + atan2(y, x)*exp(-x*y) + sqrt(x^2 + y^4)")
    pt = {"x": 0.8, "y": 1.3}
    H = f.hessian(pt).hessian
    h = 1e-5
    for j, v in enumerate("xy"):
        hi = dict(pt, **{v: pt[v] + h})
        lo = dict(pt, **{v: pt[v] - h})
        gh, gl = f.grad(hi).gradient, f.grad(lo).gradient
        for i, w in enumerate("xy"):
            assert close(H[i][j], (gh[w] - gl[w]) / (2 * h), 1e-7, 1e-7)


def _interior(prim, rng):
    pts = []
    for intervals in prim.sample:
        lo, hi = rng.choice(intervals)
        pts.append(rng.uniform(lo, hi))
    return pts


@pytest.mark.parametrize("name", sorted(PRIMS))
def test_each_primitive_second_derivative(name):
    """Every primitive's dual-number second derivatives against central differences of
    its first-derivative rule, inside its own domain."""
    prim = PRIMS[name]
    rng = random.Random(name)
    param = 2.5 if name == "powc" else None
    args = ["a", "b"][:prim.arity]
    from adcli.ir import Builder
    b = Builder()
    ins = [b.input(a) for a in args]
    out = b.op(name, ins, param=param)
    program = b.finish([out], ["f"], [], "f")
    for _ in range(3):
        xs = _interior(prim, rng)
        _, _, H = hessian(program, xs, list(range(prim.arity)), scalar)
        for j in range(prim.arity):
            h = 1e-5 * max(1.0, abs(xs[j]))
            up, dn = list(xs), list(xs)
            up[j] += h
            dn[j] -= h
            pu = prim.partials(scalar, param, prim.value(scalar, param, *up), *up)
            pd = prim.partials(scalar, param, prim.value(scalar, param, *dn), *dn)
            for i in range(prim.arity):
                fd = (float(pu[i]) - float(pd[i])) / (2 * h)
                got = H[i][j] if H[i][j] is not None else 0.0
                assert close(got, fd, 1e-6, 1e-7), (name, i, j, xs)


def test_vectorized_hessian_equals_loop():
    f = adcli.compile("x^2*y + sin(x*y) + relu(x - y)")
    xs, ys = np.array([0.0, 0.5, -1.0, 2.0]), np.array([1.0, -0.3, 0.7, 2.0])
    r = f.hessian(x=xs, y=ys)
    for k in range(4):
        one = f.hessian(x=float(xs[k]), y=float(ys[k]))
        for i in range(2):
            for j in range(2):
                assert close(r.hessian[i][j][k], one.hessian[i][j], abs_=1e-12)


def test_dual_structural_integers_and_mixed_numbers():
    m = DualMath(scalar)
    x = Dual(3.0, {0: 1.0}, m)
    assert (2 * x).t == {0: 2.0} and (x - 1).v == 2.0 and (1 - x).t == {0: -1.0}
    assert (-x).t == {0: -1.0} and (1 / x).t[0] == pytest.approx(-1 / 9)
    assert m.pow(x, 2.0).t == {0: 6.0}
    y = m.where(x > 0, x, 0.0)
    assert y is x
    assert m.sin(2.0) == math.sin(2.0)  # no tangent: a plain number


@pytest.mark.slow  # 20,000-deep and 20,000-term inputs
def test_hessian_deep_chain_no_recursion():
    src = "(" * 20000 + "x" + "+1)" * 20000
    r = adcli.compile(f"({src})^2").hessian(x=1)
    assert r.hessian == [[2.0]]
    big = " + ".join(["x*y"] * 1) + "".join(f" + x*{k}" for k in range(1, 20000))
    r = adcli.compile(big).hessian(x=1, y=2)
    assert r.hessian == [[0.0, 1.0], [1.0, 0.0]]


def test_hessian_nan_warns_not_crashes():
    r = adcli.compile("sqrt(x)*y").hessian(x=0, y=1)
    assert r.warnings and any("sqrt" in w for w in r.warnings)
    assert math.isinf(r.gradient["x"])


def test_singular_second_derivative_is_named():
    r = adcli.compile("x^1.5 + x").hessian(x=0)
    assert r.gradient == {"x": 1.0} and r.hessian == [[math.inf]]
    assert r.warnings == ["the second derivative of 0^1.5 is not finite"]
    r = adcli.compile("x^2.5").hessian(x=0)
    assert r.hessian == [[0.0]] and r.warnings == []


def test_wrt_subset_and_extra_variable():
    f = adcli.compile("x^2*y^3")
    r = f.hessian(x=1, y=2, z=5, wrt="y,z")
    assert r.variables == ("y", "z")
    assert r.hessian == [[12.0, 0.0], [0.0, 0.0]] and r.gradient == {"y": 12.0, "z": 0.0}


def test_mixed_partial_of_x_to_the_y_at_y_zero_one_point_and_many():
    # d2/dxdy x^y = x^(y-1) (1 + y log x) = 1/x at y = 0: a guard on the partial for
    # y = 0 once killed its tangent in y, and the batch (numpy) path gave 1 instead of 2.
    f = adcli.compile("x^y")
    one = f.hessian(x=0.5, y=0.0).hessian
    many = f.hessian(x=np.array([0.5, 2.0]), y=np.array([0.0, 0.0])).hessian
    assert one[0][1] == one[1][0] == 2.0
    np.testing.assert_allclose(many[0][1], [2.0, 0.5], rtol=1e-15)
    np.testing.assert_allclose(many[1][0], [2.0, 0.5], rtol=1e-15)


def test_relu_second_derivatives_keep_its_convention():
    # relu'(0) = 0, so d/dy (d/dx relu(x)*y) = 0 at x = 0 in either order of differentiation.
    assert adcli.compile("relu(x)*y").hessian(x=0.0, y=1.0).hessian == [[0.0, 0.0], [0.0, 0.0]]
