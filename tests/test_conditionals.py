"""Comparisons, and/or/not and if(c, a, b): values and derivatives against SymPy's
Piecewise and finite differences inside each branch, forward == reverse, one point ==
many points (the chunked engine too), Hessians and Taylor coefficients, and the rule
that nothing of a branch not taken reaches a result: no nan, no inf, no warning."""
import math
import random

import numpy as np
import pytest
import sympy as sp

import adcli
from adcli.engine import chunked
from randexpr import VARS, X, Y
from randexpr import expression as random_expression

# ---- the examples of the issue ----------------------------------------------------------


@pytest.mark.parametrize("mode", ["forward", "reverse"])
def test_sqrt_behind_a_condition_has_gradient_0_and_no_warning(mode):
    r = adcli.grad("if(x > 0, sqrt(x), 0)", x=-1.0, mode=mode)
    assert r.value == [0.0] and r.gradient == {"x": 0.0} and r.warnings == []
    r = adcli.grad("if(x > 0, sqrt(x), 0)", x=4.0, mode=mode)
    assert r.value == [2.0] and r.gradient == {"x": 0.25}


@pytest.mark.parametrize("mode", ["forward", "reverse"])
def test_sinc_at_0_takes_the_branch_the_condition_selects(mode):
    r = adcli.grad("if(x == 0, 1, sin(x)/x)", x=0.0, mode=mode)
    assert r.value == [1.0] and r.gradient == {"x": 0.0} and r.warnings == []


@pytest.mark.parametrize("mode", ["forward", "reverse"])
def test_many_points_mixing_both_sides_each_get_their_own_branch(mode):
    xs = np.array([-4.0, -1.0, 0.0, 1e-300, 0.25, 4.0, 9.0])
    r = adcli.grad("if(x > 0, sqrt(x), -x^2)", x=xs, mode=mode)
    want_v = np.where(xs > 0, np.sqrt(np.abs(xs)), -xs ** 2)
    with np.errstate(all="ignore"):
        want_g = np.where(xs > 0, 0.5 / np.sqrt(np.abs(xs)), -2 * xs)
    assert np.array_equal(r.value[0], want_v) and np.array_equal(r.gradient["x"], want_g)
    assert r.warnings == []


def test_the_chunked_engine_masks_the_branch_not_taken_chunk_by_chunk():
    # Small chunks, so that a chunk can be all one side, all the other, or mixed.
    program = adcli.parse("if(x > 0, log(x) + sqrt(x), sqrt(-x) + 1/x)*y")
    rng = np.random.default_rng(3)
    x = np.concatenate([-np.abs(rng.normal(size=9)), np.abs(rng.normal(size=9)), rng.normal(size=20)])
    y = rng.normal(size=x.size)
    (val,), rows = chunked.reverse_jacobian(program, [x, y], (0, 1), chunk=7)
    (val_f,), rows_f = chunked.forward_jacobian(program, [x, y], (0, 1), chunk=5)
    pos = x > 0
    a = np.log(np.abs(x)) + np.sqrt(np.abs(x))
    b = np.sqrt(np.abs(x)) + 1 / x
    da = 1 / x + 0.5 / np.sqrt(np.abs(x))
    db = -0.5 / np.sqrt(np.abs(x)) - 1 / x ** 2
    for v, (gx, gy) in ((val, rows[0]), (val_f, rows_f[0])):
        assert np.all(np.isfinite(v)) and np.all(np.isfinite(gx)) and np.all(np.isfinite(gy))
        assert np.allclose(v, np.where(pos, a, b) * y, rtol=1e-14)
        assert np.allclose(gx, np.where(pos, da, db) * y, rtol=1e-13)
        assert np.allclose(gy, np.where(pos, a, b), rtol=1e-14)


# ---- SymPy's Piecewise as the oracle ----------------------------------------------------

CONDITIONS = [("x > y", X > Y), ("x <= 0.5", X <= sp.Rational(1, 2)), ("x*y >= 0", X * Y >= 0),
              ("not x < y", sp.Not(X < Y)), ("x > 0 and y > 0", sp.And(X > 0, Y > 0)),
              ("x < -0.3 or y > 0.4", sp.Or(X < -sp.Rational(3, 10), Y > sp.Rational(2, 5))),
              ("x != y", sp.Ne(X, Y))]


def _cases(seed, count):
    rng = random.Random(seed)
    out = []
    for k in range(count):
        a_src, a = random_expression(rng, 2)
        b_src, b = random_expression(rng, 2)
        c_src, c = CONDITIONS[k % len(CONDITIONS)]
        src = f"if({c_src}, {a_src}, {b_src})"
        out.append((src, sp.Piecewise((a, c), (b, True))))
    return out


CASES = _cases(10, 21)
POINTS = [{"x": x, "y": y} for x in (-1.25, -0.5, 0.25, 0.75, 1.5) for y in (-1.0, 0.5, 1.25)]


def _close(a, b, rel=1e-10, abs_=1e-12):
    return abs(a - b) <= abs_ + rel * abs(b)


@pytest.mark.parametrize("src,pw", CASES, ids=[f"c{k}" for k in range(len(CASES))])
def test_if_against_sympy_piecewise_at_one_point_and_many(src, pw):
    f = adcli.compile(src)
    grads = {v: sp.lambdify((X, Y), sp.diff(pw, VARS[v]), "mpmath") for v in f.variables}
    value = sp.lambdify((X, Y), pw, "mpmath")
    for mode in ("forward", "reverse"):
        many = f.grad({v: np.array([p[v] for p in POINTS]) for v in f.variables}, mode=mode)
        for k, p in enumerate(POINTS):
            at = {v: p[v] for v in f.variables}
            one = f.grad(at, mode=mode)
            want = float(value(p["x"], p["y"]))
            assert _close(one.value[0], want), (src, p, one.value, want)
            assert abs(one.value[0] - many.value[0][k]) <= 4 * math.ulp(max(1.0, abs(want)))
            for v in f.variables:
                w = float(grads[v](p["x"], p["y"]))
                assert _close(one.gradient[v], w), (src, p, v, mode, one.gradient[v], w)
                assert abs(one.gradient[v] - many.gradient[v][k]) <= 4 * math.ulp(max(1.0, abs(w)))


@pytest.mark.parametrize("src,pw", CASES[:7], ids=[f"c{k}" for k in range(7)])
def test_if_hessian_and_taylor_against_sympy(src, pw):
    f = adcli.compile(src)
    for p in POINTS[::2]:
        at = {v: p[v] for v in f.variables}
        h = f.hessian(at)
        for i, a in enumerate(f.variables):
            for j, b in enumerate(f.variables):
                w = float(sp.diff(pw, VARS[a], VARS[b]).subs({X: p["x"], Y: p["y"]}))
                assert _close(h.hessian[i][j], w, 1e-9, 1e-10), (src, p, a, b, h.hessian[i][j], w)
        if "x" in f.variables:
            t = f.taylor(at, wrt="x", order=4)
            expr = pw.subs(Y, p["y"]) if "y" in f.variables else pw
            for k in range(5):
                w = float(sp.diff(expr, X, k).subs(X, p["x"]))
                assert _close(t.derivatives[k], w, 1e-9, 1e-9), (src, p, k, t.derivatives[k], w)


def _fd(f, at, v, h=1e-6):
    up, dn = dict(at), dict(at)
    up[v] += h
    dn[v] -= h
    return (f.eval(up).value[0] - f.eval(dn).value[0]) / (2 * h)


@pytest.mark.parametrize("src,pw", CASES, ids=[f"c{k}" for k in range(len(CASES))])
def test_if_against_finite_differences_inside_each_branch(src, pw):
    f = adcli.compile(src)
    for p in POINTS:
        at = {v: p[v] for v in f.variables}
        cond = f"if({src[3:src.index(',')]}, 1, 0)"
        # the step stays inside the branch: the condition is the same a step either side
        sides = set()
        for v in f.variables:
            for s in (-1e-5, 1e-5):
                moved = dict(at)
                moved[v] += s
                sides.add(adcli.evaluate(cond, moved).value[0])
        if len(sides) != 1:
            continue
        g = f.grad(at)
        for v in f.variables:
            assert _close(g.gradient[v], _fd(f, at, v), 1e-6, 1e-6), (src, p, v)


# ---- poisoned branches: random expressions whose untaken side is outside its domain ---

POISON = ["log({u})", "sqrt({u})", "1/({u})", "acosh({u} + 1)", "atanh(1 - 2/(1 + {u}))", "log({u})^2", "({u})^-1.5"]


def _poisoned(seed, count):
    """if(c, A + p(a), B + q(b)) where p's argument a is negative or zero exactly where c
    is false, and q's argument b exactly where c is true: each branch is outside its
    domain on the side where it is not taken."""
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        a_src, _ = random_expression(rng, 2)
        b_src, _ = random_expression(rng, 2)
        u = rng.choice(["x", "x - y", "x*y"])
        p = rng.choice(POISON).format(u=u)
        q = rng.choice(POISON).format(u=f"-({u})")
        out.append(f"if({u} > 0, {a_src} + {p}, {b_src} + {q})")
    return out


POISONED = _poisoned(20, 25)


@pytest.mark.parametrize("src", POISONED)
def test_a_poisoned_branch_not_taken_leaks_nothing_anywhere(src):
    f = adcli.compile(src)
    u = src[3:src.index(" > 0")]
    rng = random.Random(src)
    pts = []
    while len(pts) < 12:
        p = {"x": rng.uniform(-2, 2), "y": rng.uniform(-2, 2)}
        uv = adcli.evaluate(u, {v: p[v] for v in adcli.compile(u).variables}).value[0]
        if abs(uv) > 0.05:   # away from the boundary, where the branch taken is itself finite
            pts.append(p)
    names = f.variables
    for mode in ("forward", "reverse"):
        many = f.grad({v: np.array([p[v] for p in pts]) for v in names}, mode=mode)
        assert many.warnings == [], (src, many.warnings)
        assert np.all(np.isfinite(many.value[0])), src
        for v in names:
            assert np.all(np.isfinite(many.gradient[v])), (src, v, mode)
        for k, p in enumerate(pts):
            at = {v: p[v] for v in names}
            one = f.grad(at, mode=mode)
            assert one.warnings == [] and math.isfinite(one.value[0]), (src, p, one)
            for v in names:
                assert math.isfinite(one.gradient[v]), (src, p, v, one)
                assert abs(one.gradient[v] - many.gradient[v][k]) <= 1e-12 * max(1, abs(one.gradient[v]))
    p = {v: pts[0][v] for v in names}
    h = f.hessian(p)
    assert h.warnings == [] and all(math.isfinite(x) for row in h.hessian for x in row), (src, h)
    if "x" in names:
        t = f.taylor(p, wrt="x", order=3)
        assert t.warnings == [] and all(math.isfinite(c) for c in t.derivatives), (src, t)
        ta = f.taylor({v: np.array([q[v] for q in pts]) for v in names}, wrt="x", order=3)
        assert ta.warnings == [] and all(np.all(np.isfinite(c)) for c in ta.derivatives), (src, ta)
    j = f.jvp(p, dir={v: 1.0 for v in names})
    vj = f.vjp(p, cotangent=[1.0])
    assert j.warnings == vj.warnings == [] and math.isfinite(j.jvp[0])
    assert all(math.isfinite(x) for x in vj.vjp.values())
    assert abs(j.jvp[0] - sum(vj.vjp.values())) <= 1e-12 * max(1.0, abs(j.jvp[0]))


def test_the_hessian_at_many_points_masks_the_branch_not_taken():
    xs = np.array([-2.0, -0.5, 0.5, 2.0])
    h = adcli.compile("if(x > 0, x*log(x), x^2*sqrt(-x))").hessian(x=xs)
    with np.errstate(all="ignore"):
        want = np.where(xs > 0, 1 / xs, 2 * np.sqrt(-xs) - 2 * xs / np.sqrt(-xs) - xs ** 2 / (4 * (-xs) ** 1.5))
    assert np.allclose(h.hessian[0][0], want, rtol=1e-13) and h.warnings == []


def test_a_nan_in_the_branch_taken_still_reaches_the_result_with_its_warning():
    r = adcli.grad("if(x < 0, log(x), 0)", x=-1.0)
    assert math.isnan(r.value[0]) and math.isnan(r.gradient["x"])
    assert any("log(-1)" in w for w in r.warnings)


def test_an_operation_only_a_condition_reads_is_not_on_a_derivative_path():
    # log(x) is evaluated (for the condition) and is nan there; its partial is nan too, but the
    # branch taken is the constant 5: the gradient is 0, not 0 * nan.
    for mode in ("forward", "reverse"):
        r = adcli.grad("if(log(x) > 0, log(x), 5)", x=-1.0, mode=mode)
        assert r.value == [5.0] and r.gradient == {"x": 0.0}
        many = adcli.grad("if(log(x) > 0, log(x), 5)", x=np.array([-1.0, 3.0]), mode=mode)
        assert np.array_equal(many.gradient["x"], [0.0, 1 / 3])


def test_and_or_look_at_their_second_argument_only_where_it_decides():
    # A warning would name sqrt(-1) if `and` looked at it where x > 0 is false.
    r = adcli.evaluate("if(x > 0 and sqrt(x) > 1, 1, 0) + log(x)", x=-1.0)
    assert math.isnan(r.value[0]) and r.warnings == ["log(-1) = nan (log is defined for x > 0)"]
    r = adcli.evaluate("if(x <= 0 or sqrt(x) > 1, 1, 0) + log(x)", x=-1.0)
    assert r.warnings == ["log(-1) = nan (log is defined for x > 0)"]


@pytest.mark.parametrize("src,at,want", [
    ("x < y", {"x": 1, "y": 2}, 1.0), ("x < y", {"x": 2, "y": 2}, 0.0), ("x <= y", {"x": 2, "y": 2}, 1.0),
    ("x > y", {"x": 3, "y": 2}, 1.0), ("x >= y", {"x": 1, "y": 2}, 0.0), ("x == y", {"x": 2, "y": 2}, 1.0),
    ("x != y", {"x": 2, "y": 2}, 0.0), ("not x", {"x": 0}, 1.0), ("not x", {"x": -3}, 0.0),
    ("x and y", {"x": 2, "y": 0}, 0.0), ("x or y", {"x": 0, "y": -1}, 1.0), ("x and y", {"x": -1, "y": 3}, 1.0),
    ("x < nan_", {"x": 1, "nan_": math.nan}, 0.0), ("x != nan_", {"x": 1, "nan_": math.nan}, 1.0),
    ("if(nan_, 1, 2)", {"nan_": math.nan}, 1.0),
])
def test_comparison_and_logic_values_and_zero_partials(src, at, want):
    r = adcli.grad(src, at)
    assert r.value == [want]
    assert all(g == 0.0 for g in r.gradient.values())
    many = adcli.grad(src, {k: np.array([v, v]) for k, v in at.items()})
    assert list(many.value[0]) == [want, want]


def test_taylor_of_a_comparison_is_its_value_then_zeros():
    t = adcli.compile("x > 1").taylor(x=2.0, order=3)
    assert t.coefficients == [1.0, 0.0, 0.0, 0.0]
    t = adcli.compile("(x > 1)*x^2").taylor(x=np.array([0.5, 2.0]), order=3)
    assert [list(c) for c in t.derivatives] == [[0.0, 4.0], [0.0, 4.0], [0.0, 2.0], [0.0, 0.0]]


def test_taylor_does_not_refuse_a_pole_in_the_branch_not_taken():
    f = adcli.compile("if(x == 0, 1, sin(x)/x)")
    assert f.taylor(x=0.0, order=3).coefficients == [1.0, 0.0, 0.0, 0.0]
    many = f.taylor(x=np.array([0.0, 0.5]), order=3)
    assert many.warnings == [] and all(np.all(np.isfinite(c)) for c in many.coefficients)
    one = f.taylor(x=0.5, order=3)
    assert [c[1] for c in many.coefficients] == pytest.approx(one.coefficients, rel=1e-14)
    # and a pole in the branch taken is still refused
    with pytest.raises(adcli.AdcliError, match="taylor"):
        adcli.compile("if(x >= 0, 1/x, 0)").taylor(x=0.0, order=2)


@pytest.mark.parametrize("src,want", [("if(x > 0, x, 0)", 0.0), ("if(x >= 0, x, 0)", 1.0),
                                      ("if(x < 0, -x, x)", 1.0), ("if(x <= 0, -x, x)", -1.0)])
def test_at_the_boundary_the_branch_the_condition_selects_gives_the_derivative(src, want):
    for mode in ("forward", "reverse"):
        assert adcli.grad(src, x=0.0, mode=mode).gradient == {"x": want}
        assert list(adcli.grad(src, x=np.array([0.0, 0.0]), mode=mode).gradient["x"]) == [want, want]
    assert adcli.compile(src).hessian(x=0.0).gradient == {"x": want}
    assert adcli.compile(src).taylor(x=0.0, order=2).derivatives == [0.0, want, 0.0]


def test_functions_and_conditionals_list_their_conventions():
    from adcli.ops.table import FUNCTIONS, PRIMS
    assert "boundary" in FUNCTIONS["if"].note and "branch the condition selects" in FUNCTIONS["if"].note
    for name in ("lt", "le", "gt", "ge", "eq", "ne", "and", "or", "not"):
        assert "0" in PRIMS[name].note and PRIMS[name].edges == ()
