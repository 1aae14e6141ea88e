"""Derivative conventions at special points and IEEE results, asserted exactly (nan-aware),
in both AD modes, for one point (floats) and for many points (numpy arrays)."""
import math

import numpy as np
import pytest

import adcli
from conftest import same

MODES = ("forward", "reverse")
INF, NAN = math.inf, math.nan

# (expression, point, value, gradient in order of first appearance)
CONVENTIONS = [
    ("abs(x)", {"x": 0.0}, 0.0, [0.0]),
    ("abs(x)", {"x": -2.0}, 2.0, [-1.0]),
    ("sign(x)", {"x": 0.0}, 0.0, [0.0]),
    ("sign(x)", {"x": -3.0}, -1.0, [0.0]),
    ("sign(x)", {"x": 5.0}, 1.0, [0.0]),
    ("relu(x)", {"x": 0.0}, 0.0, [0.0]),
    ("relu(x)", {"x": 2.0}, 2.0, [1.0]),
    ("relu(x)", {"x": -2.0}, 0.0, [0.0]),
    ("min(x, y)", {"x": 1.5, "y": 1.5}, 1.5, [0.5, 0.5]),
    ("max(x, y)", {"x": 1.5, "y": 1.5}, 1.5, [0.5, 0.5]),
    ("min(x, y)", {"x": 1.0, "y": 2.0}, 1.0, [1.0, 0.0]),
    ("max(x, y)", {"x": 1.0, "y": 2.0}, 2.0, [0.0, 1.0]),
    ("max(x, x)", {"x": 3.0}, 3.0, [1.0]),  # the two halves add up again
    ("sqrt(x)", {"x": 0.0}, 0.0, [INF]),
    ("x^2", {"x": -3.0}, 9.0, [-6.0]),
    ("x**2", {"x": -3.0}, 9.0, [-6.0]),
    ("pow(x, 2)", {"x": -3.0}, 9.0, [-6.0]),
    ("x^3", {"x": 0.0}, 0.0, [0.0]),
    ("x^3", {"x": -2.0}, -8.0, [12.0]),
    ("x^-1", {"x": -2.0}, -0.5, [-0.25]),
    ("x^0", {"x": 0.0}, 1.0, [0.0]),
    ("x^1", {"x": -4.0}, -4.0, [1.0]),
    ("x^0.5", {"x": 0.0}, 0.0, [INF]),
    ("x^y", {"x": 0.0, "y": 2.0}, 0.0, [0.0, 0.0]),      # d/dy x^y at x = 0 is 0
    ("x^y", {"x": 0.0, "y": 0.5}, 0.0, [INF, 0.0]),
    ("x^y", {"x": 0.0, "y": 0.0}, 1.0, [0.0, -INF]),     # the limit of x^0 * log(x): no convention for y <= 0
    ("x^y", {"x": 0.0, "y": -1.0}, INF, [-INF, -INF]),
    ("x^y", {"x": 2.0, "y": 3.0}, 8.0, [12.0, 8.0 * math.log(2.0)]),
    ("x^y", {"x": -2.0, "y": 2.0}, 4.0, [-4.0, NAN]),    # not real nearby in y
    ("x^y", {"x": 3.0, "y": 0.0}, 1.0, [0.0, math.log(3.0)]),
    ("hypot(x, y)", {"x": 0.0, "y": 0.0}, 0.0, [0.0, 0.0]),
    ("atan2(y, x)", {"y": 0.0, "x": 0.0}, 0.0, [0.0, 0.0]),
    ("cbrt(x)", {"x": 0.0}, 0.0, [INF]),
    ("cbrt(x)", {"x": -8.0}, -2.0, [1.0 / 12.0]),
    ("asin(x)", {"x": 1.0}, math.pi / 2, [INF]),
    ("acos(x)", {"x": 1.0}, 0.0, [-INF]),
    ("acosh(x)", {"x": 1.0}, 0.0, [INF]),
    ("log(x)", {"x": 0.0}, -INF, [INF]),
    ("sigmoid(x)", {"x": 0.0}, 0.5, [0.25]),
    ("softplus(x)", {"x": 0.0}, math.log(2.0), [0.5]),
    ("sigmoid(x)", {"x": 800.0}, 1.0, [0.0]),           # no overflow in exp(-x)
    ("sigmoid(x)", {"x": -800.0}, 0.0, [0.0]),
    ("softplus(x)", {"x": 800.0}, 800.0, [1.0]),
    ("tanh(x)", {"x": 800.0}, 1.0, [0.0]),
]


def _ids(cases):
    return [f"{e}@{','.join(f'{k}={v}' for k, v in p.items())}" for e, p, *_ in cases]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("expr,point,value,grad", CONVENTIONS, ids=_ids(CONVENTIONS))
def test_convention_one_point(expr, point, value, grad, mode):
    r = adcli.grad(expr, mode=mode, **point)
    assert r.mode == mode
    assert same(r.value[0], value), (r.value, value)
    got = [r.gradient[v] for v in r.wrt]
    assert len(got) == len(grad)
    for g, w in zip(got, grad):
        assert same(g, w), (expr, mode, got, grad)


@pytest.mark.parametrize("mode", MODES)
def test_conventions_vectorized_equal_the_one_point_results(mode):
    # All cases with the same expression, stacked into arrays, give the same results.
    by_expr = {}
    for expr, point, value, grad in CONVENTIONS:
        by_expr.setdefault(expr, []).append((point, value, grad))
    for expr, rows in by_expr.items():
        names = list(rows[0][0])
        arrays = {n: np.array([p[n] for p, _, _ in rows]) for n in names}
        r = adcli.compile(expr).grad(mode=mode, **arrays)
        for k, (_, value, grad) in enumerate(rows):
            assert same(r.value[0][k], value), (expr, k, r.value[0][k], value)
            for v, w in zip(r.wrt, grad):
                assert same(r.gradient[v][k], w), (expr, mode, v, k, r.gradient[v][k], w)


def test_constant_exponent_is_a_parameter_and_never_evaluates_log():
    # log(-3) would be nan: d/dx x^2 at x=-3 is -6 only because the exponent is powc's parameter.
    for src in ("x^2", "x**2", "pow(x, 2)", "x^(1+1)", "x^(4/2)"):
        p = adcli.parse(src)
        assert [n.op for n in p.nodes] == ["input", "powc"], src
        assert p.nodes[1].param == 2.0
    for mode in MODES:
        r = adcli.grad("x^2", x=-3, mode=mode)
        assert r.gradient == {"x": -6.0} and r.warnings == []


@pytest.mark.parametrize("mode", MODES)
def test_log_of_negative_is_nan_with_one_warning_naming_log(mode):
    r = adcli.grad("log(x)", x=-1, mode=mode)
    assert math.isnan(r.value[0])
    assert len(r.warnings) == 1 and "log" in r.warnings[0], r.warnings
    e = adcli.evaluate("log(x)", x=-1)
    assert math.isnan(e.value[0])
    assert len(e.warnings) == 1 and e.warnings[0].startswith("log(-1) = nan"), e.warnings


@pytest.mark.parametrize("mode", MODES)
def test_division_by_zero_is_inf_with_a_warning(mode):
    r = adcli.grad("1/x", x=0, mode=mode)
    assert r.value == [INF] and r.gradient["x"] == -INF
    assert any("division by zero" in w and w.startswith("1 / 0 = inf") for w in r.warnings), r.warnings
    assert adcli.evaluate("-1/x", x=0).value == [-INF]
    e = adcli.evaluate("x/y", x=0, y=0)
    assert math.isnan(e.value[0]) and len(e.warnings) == 1


@pytest.mark.parametrize("mode", MODES)
def test_exp_overflow_is_inf_with_a_warning(mode):
    r = adcli.grad("exp(x)", x=1000, mode=mode)
    assert r.value == [INF] and r.gradient == {"x": INF}
    assert r.warnings and r.warnings[0].startswith("exp(1000) = inf"), r.warnings
    e = adcli.evaluate("exp(1000)")
    assert e.value == [INF] and len(e.warnings) == 1 and "exp" in e.warnings[0]


def test_vectorized_warnings_count_the_points():
    f = adcli.compile("log(x)")
    r = f.eval(x=np.array([-1.0, 1.0, -2.0]))
    assert [same(a, b) for a, b in zip(r.value[0], [NAN, 0.0, NAN])] == [True] * 3
    assert len(r.warnings) == 1 and "log" in r.warnings[0] and "2 points" in r.warnings[0]


def test_finite_results_carry_no_warning():
    assert adcli.grad("sqrt(x) + log(x)", x=2).warnings == []
    assert adcli.compile("sqrt(x)").grad(x=np.array([1.0, 4.0])).warnings == []


@pytest.mark.parametrize("mode", MODES)
def test_a_variable_held_fixed_is_never_differentiated(mode):
    # d/dx only: sqrt(y) at y = 0 has an infinite derivative, but y is not a variable here,
    # so no inf*0 = nan leaks into d/dx and no warning mentions sqrt's derivative.
    r = adcli.grad("x * sqrt(y)", x=2, y=0, wrt=["x"], mode=mode)
    assert r.gradient == {"x": 0.0} and r.warnings == []
    r = adcli.grad("x + 0*log(y)", x=2, y=0, wrt=["x"], mode=mode)
    assert math.isnan(r.value[0]) and r.gradient == {"x": 1.0}


@pytest.mark.parametrize("mode", MODES)
def test_warnings_only_name_derivatives_that_were_taken(mode):
    # d/dx is -inf (1/x at 0); sqrt(y) has an infinite derivative too, but y is held fixed.
    r = adcli.grad("sqrt(y) + 1/x", x=0, y=0, wrt=["x"], mode=mode)
    assert r.value == [INF] and r.gradient == {"x": -INF}
    assert not any("sqrt" in w for w in r.warnings), r.warnings
    assert any("1 / 0" in w for w in r.warnings), r.warnings
    # With y differentiated as well, the sqrt derivative is reported.
    r = adcli.grad("sqrt(y) + 1/x", x=0, y=0, mode=mode)
    assert any("derivative of sqrt(0) is inf" in w for w in r.warnings), r.warnings


def test_a_nan_from_infinities_is_not_called_an_overflow():
    r = adcli.evaluate("exp(x) - exp(x)", x=1000)
    assert math.isnan(r.value[0])
    assert r.warnings == ["exp(1000) = inf (overflow)", "inf - inf = nan (undefined)"]
    r = adcli.evaluate("0 * exp(x)", x=1000)
    assert r.warnings == ["exp(1000) = inf (overflow)", "0 * inf = nan (undefined)"]
