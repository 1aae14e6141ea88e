"""Taylor mode against SymPy series, against the first- and second-order evaluators, and
its refusals where a primitive has no Taylor series."""
import math
import random

import pytest
import sympy as sp

import adcli
import randexpr
from adcli.engine.taylor import TAYLOR
from adcli.errors import EvalError
from adcli.ops.table import PRIMS
from conftest import close


def exact_coefficients(expr, var, at, order):
    """Taylor coefficients by mpmath's high-precision numerical differentiation of the
    SymPy expression (sympy.series is far too slow at these orders)."""
    import mpmath
    with mpmath.workdps(50):
        f = sp.lambdify(var, expr, "mpmath")
        return [float(c) for c in mpmath.taylor(f, mpmath.mpf(sp.Rational(at).p) / sp.Rational(at).q, order)]


def test_every_primitive_has_a_taylor_rule():
    assert set(TAYLOR) == set(PRIMS)


def test_exp_sin_order_20_matches_exact_series():
    from sympy import QQ
    from sympy.polys.ring_series import rs_exp, rs_sin
    from sympy.polys.rings import ring
    R, x = ring("x", QQ)
    s = rs_exp(rs_sin(x, x, 21), x, 21)  # exact rational series, by composition
    want = [float(s.coeff(x ** k) if k else s.coeff(1)) for k in range(21)]
    r = adcli.compile("exp(sin(x))").taylor(x=0, order=20)
    assert len(r.coefficients) == 21
    for k, (got, w) in enumerate(zip(r.coefficients, want)):
        assert close(got, w, 1e-13, 1e-17), k
    # derivatives[k] = coefficients[k] * k!, and they are integers here
    assert r.derivatives[:9] == [1, 1, 1, 0, -3, -8, -3, 56, 217]


def test_square_at_zero_is_finite_at_every_order():
    r = adcli.compile("x^2").taylor(x=0, order=12)
    assert r.derivatives == [0.0, 0.0, 2.0] + [0.0] * 10
    r = adcli.compile("x^3").taylor(x=0, order=6)
    assert r.derivatives == [0.0, 0.0, 0.0, 6.0, 0.0, 0.0, 0.0]


def test_integer_powers_at_a_zero_base():
    """x^c with integer c at a zero base: factored as t^m * b, never divided by 0."""
    r = adcli.compile("sin(x)^3").taylor(x=0, order=7)
    x = sp.Symbol("x")
    want = exact_coefficients(sp.sin(x) ** 3, x, 0, 7)
    assert all(close(a, b, abs_=1e-12) for a, b in zip(r.coefficients, want))
    r = adcli.compile("(x^2)^5").taylor(x=0, order=12)
    assert r.coefficients == [0.0] * 10 + [1.0, 0.0, 0.0]
    r = adcli.compile("(x - 1)^1000").taylor(x=1, order=5)
    assert r.coefficients == [0.0] * 6


@pytest.mark.parametrize("src,sym", [
    ("sin(x)^2", lambda x: sp.sin(x) ** 2), ("expm1(x)^3", lambda x: (sp.exp(x) - 1) ** 3),
    ("pow(tan(x), y)", lambda x: sp.tan(x) ** 4),
])
@pytest.mark.parametrize("at", [1e-3, 1e-6, 1e-9, -1e-12])
def test_integer_powers_near_a_zero_base_keep_their_digits(src, sym, at):
    """a^c with a_0 small next to a's other coefficients: the recurrence from a*y' = c*y*a'
    divides by a_0 at every step and gave sin(x)^2 at 1e-6 with its 6th derivative wrong
    in the 4th digit (at 1e-9, wrong by 1e21). Integer powers are products instead."""
    x = sp.Symbol("x")
    want = exact_coefficients(sym(x), x, sp.Rational(at), 8)
    got = adcli.compile(src).taylor(x=at, y=4, wrt="x", order=8).coefficients
    for k, (g, w) in enumerate(zip(got, want)):
        assert close(g, w, 1e-13, 1e-300), (k, g, w)


@pytest.mark.parametrize("src,var,at", [
    ("tan(x)", "x", sp.Rational(3, 10)), ("atan(x)", "x", sp.Rational(1, 2)),
    ("asin(x) + acos(x/2)", "x", sp.Rational(1, 5)), ("sigmoid(x)", "x", sp.Rational(2, 5)),
    ("softplus(x)", "x", sp.Rational(-2, 5)), ("erf(x)", "x", sp.Rational(3, 10)),
    ("x^2.5", "x", sp.Rational(13, 10)), ("x^-3", "x", sp.Rational(-6, 5)),
    ("log2(x) + log10(x) + log1p(x)", "x", sp.Rational(7, 10)),
    ("asinh(x) + acosh(x + 2) + atanh(x/2)", "x", sp.Rational(7, 10)),
    ("cbrt(x)", "x", -2), ("atan2(x, 2 - x) + hypot(x, 3)", "x", sp.Rational(1, 2)),
    ("pow(x, x)", "x", sp.Rational(3, 2)), ("expm1(x)*sinh(x)/cosh(x) + tanh(x)", "x", sp.Rational(1, 5)),
    ("sqrt(x)", "x", 2), ("abs(x) + relu(x) + sign(x)*x", "x", sp.Rational(-1, 2)),
    ("min(x, 1 - x) + max(x, x^2)", "x", sp.Rational(1, 5)), ("relu(x)*exp(x)", "x", 1),
])
def test_each_function_against_sympy(src, var, at):
    x = sp.Symbol("x")
    sym = sp.sympify(src.replace("^", "**"), locals={
        "x": x, "log2": lambda u: sp.log(u, 2), "log10": lambda u: sp.log(u, 10),
        "log1p": lambda u: sp.log(1 + u), "sigmoid": lambda u: 1 / (1 + sp.exp(-u)),
        "softplus": lambda u: sp.log(1 + sp.exp(u)), "cbrt": lambda u: -sp.cbrt(-u),
        "hypot": lambda a, b: sp.sqrt(a ** 2 + b ** 2), "pow": lambda a, b: a ** b,
        "expm1": lambda u: sp.exp(u) - 1, "relu": lambda u: sp.Max(u, 0),
        "min": sp.Min, "max": sp.Max, "sign": sp.sign})
    want = exact_coefficients(sym, x, at, 9)
    r = adcli.compile(src).taylor(x=float(at), order=9)
    for k, (got, w) in enumerate(zip(r.coefficients, want)):
        assert close(got, w, 1e-11, 1e-13), (k, got, w)


@pytest.mark.parametrize("src,expr,pt", randexpr.cases(seed=99, count=8, depth=2))
def test_random_expressions_along_a_direction_match_sympy(src, expr, pt):
    t = sp.Symbol("t")
    d = {"x": 0.5, "y": -1.0}
    line = expr.subs({randexpr.X: sp.Rational(pt["x"]) + sp.Rational(d["x"]) * t,
                      randexpr.Y: sp.Rational(pt["y"]) + sp.Rational(d["y"]) * t})
    order = 6
    r = adcli.compile(src).taylor(pt, dir=d, order=order)
    assert r.wrt == "t"
    want = exact_coefficients(line, t, 0, order)
    for k in range(order + 1):
        assert close(r.coefficients[k], want[k], 1e-9, 1e-11), (k, src)


@pytest.mark.parametrize("src,expr,pt", randexpr.cases(seed=5, count=10))
def test_orders_one_and_two_agree_with_grad_and_hessian(src, expr, pt):
    """Three independent evaluators: Taylor mode, reverse mode, forward-over-reverse."""
    f = adcli.compile(src)
    d = {"x": 0.8, "y": 0.6}
    r = f.taylor(pt, dir=d, order=2)
    g = f.grad(pt, wrt=["x", "y"]).gradient
    H = f.hessian(pt, wrt=["x", "y"]).hessian
    v = [d["x"], d["y"]]
    assert close(r.derivatives[1], g["x"] * v[0] + g["y"] * v[1], 1e-12, 1e-13)
    quad = sum(v[i] * H[i][j] * v[j] for i in range(2) for j in range(2))
    assert close(r.derivatives[2], quad, 1e-10, 1e-12)


@pytest.mark.parametrize("src,at,what", [
    ("abs(x)", 0.0, "abs at 0"), ("relu(x) + 1", 0.0, "relu at 0"), ("sign(x)", 0.0, "sign at 0"),
    ("min(x, 0)", 0.0, "min at a tie"), ("max(x, -x)", 0.0, "max at a tie"),
    ("sqrt(x)", 0.0, "sqrt at 0"), ("x^2.5", 0.0, "x^2.5"), ("cbrt(x)", 0.0, "cbrt at 0"),
    ("asin(x)", 1.0, "asin at 1"), ("acos(x)", -1.0, "acos at -1"), ("acosh(x)", 1.0, "acosh at 1"),
    ("hypot(x, x)", 0.0, "hypot at the origin"), ("atan2(x, x)", 0.0, "atan2 at the origin"),
    ("pow(-x, x) + 1", 1.0, "needs x > 0"),
])
def test_refuses_where_there_is_no_series(src, at, what):
    with pytest.raises(EvalError) as e:
        adcli.compile(src).taylor(x=at, order=4)
    assert what in e.value.message
    assert e.value.exit_code == 1 and e.value.pos is not None


def test_smooth_uses_of_nonsmooth_functions_are_fine():
    # away from the special point, or where the argument does not move
    assert adcli.compile("abs(x)").taylor(x=-2.0, order=3).derivatives == [2.0, -1.0, 0.0, 0.0]
    assert adcli.compile("relu(x)*y").taylor(x=0, y=3, wrt="y", order=2).derivatives == [0.0, 0.0, 0.0]
    assert adcli.compile("min(x, y)").taylor(x=1, y=1, dir={"x": 1, "y": 1}, order=2).derivatives == [1, 1, 0]
    assert adcli.compile("sqrt(y) + x").taylor(x=1, y=0, wrt="x", order=2).derivatives == [1.0, 1.0, 0.0]


@pytest.mark.parametrize("expr,shown", [("1/x", "1 / 0 = inf"), ("x^-1", "0^-1 = inf"), ("log(x)", "log(0) = -inf"),
                                        ("sin(x)/x", "0 / 0 = nan")])
def test_poles_are_refused_like_other_points_without_a_series(expr, shown):
    # A single point refuses (exit 1) rather than print nan coefficients with exit 0.
    with pytest.raises(adcli.AdcliError, match="Taylor series") as err:
        adcli.compile(expr).taylor(x=0, order=3)
    assert shown in err.value.message and err.value.exit_code == 1


def test_poles_at_many_points_give_nan_there_with_a_warning():
    import numpy as np
    r = adcli.compile("1/x").taylor(x=np.array([0.0, 2.0]), order=2)
    assert math.isinf(r.derivatives[0][0]) and math.isnan(r.derivatives[1][0])
    assert r.derivatives[1][1] == -0.25 and r.warnings


def test_order_zero_and_the_largest_order():
    assert adcli.compile("cos(x)").taylor(x=0, order=0).derivatives == [1.0]
    r = adcli.compile("exp(x)").taylor(x=0, order=170)
    assert all(close(c, 1 / math.factorial(k), 1e-12, 0) for k, c in enumerate(r.coefficients))
    assert all(close(d, 1.0, 1e-12, 1e-12) for d in r.derivatives)
    # beyond 170, k! overflows float64 and 1/k! underflows: refused, not wrong
    with pytest.raises(adcli.AdcliError, match="170"):
        adcli.compile("exp(x)").taylor(x=0, order=171)


def test_taylor_needs_one_variable_or_a_direction():
    with pytest.raises(adcli.AdcliError, match="one variable or a direction"):
        adcli.compile("x*y").taylor(x=1, y=2)
    with pytest.raises(adcli.AdcliError, match="not both"):
        adcli.compile("x*y").taylor(x=1, y=2, wrt="x", dir={"x": 1})


@pytest.mark.slow  # 20,000-deep and 20,000-term inputs
def test_deep_expression_no_recursion():
    src = "(" * 20000 + "x" + "+1)" * 20000
    r = adcli.compile(f"sin({src})").taylor(x=0, order=3)
    assert close(r.derivatives[1], math.cos(20000.0), abs_=1e-12)
    rng = random.Random(0)
    terms = " + ".join(f"{rng.random():.3f}*x" for _ in range(20000))
    r = adcli.compile(terms).taylor(x=0, order=2)
    assert r.derivatives[2] == 0.0
