"""Taylor mode at many points (adcli.engine.taylor_arrays) against a loop of one-point Taylor
mode (adcli.engine.taylor.series): the same recurrences, so with the same elementary functions
the results are identical bit for bit; with numpy's own functions they differ only by
what a last-bit difference in a value becomes."""
import math
import types

import numpy as np
import pytest

import adcli
import randexpr
from adcli.engine import taylor, taylor_arrays
from adcli.errors import EvalError
from adcli.ops import arrays as vector
from adcli.ops import scalar
from conftest import same

GRID = np.linspace(-2.0, 2.0, 41)   # holds 0, +-0.5, +-1 exactly: kinks, ties, ends of domains


def exact_namespace():
    """adcli.ops.arrays with every elementary function computed by adcli.ops.scalar's (math's)."""
    ns = types.SimpleNamespace(**{k: getattr(vector, k) for k in dir(vector) if not k.startswith("_")})
    ns.__name__ = "vector-with-math-functions"
    for name in ("sin cos tan asin acos atan sinh cosh tanh asinh acosh atanh exp expm1 log log1p log2 log10 "
                 "sqrt cbrt erf hypot atan2 pow sigmoid softplus").split():
        setattr(ns, name, _elementwise(getattr(scalar, name), 2 if name in ("hypot", "atan2", "pow") else 1))
    return ns


def _elementwise(fn, arity):
    u = np.frompyfunc(fn, arity, 1)
    return lambda *a: np.asarray(u(*a), dtype=np.float64)


def loop(program, points, direction, order):
    """One-point Taylor mode at each point; None where it refuses."""
    out = []
    for j in range(len(points[0])):
        try:
            out.append(taylor.series(program, [float(p[j]) for p in points], direction, order)[1][0])
        except EvalError:
            out.append(None)
    return out


@pytest.mark.parametrize("order", [8, 20])
@pytest.mark.parametrize("seed", [3, 11, 29])
def test_identical_to_a_loop_given_the_same_elementary_functions(seed, order):
    rng = np.random.default_rng(seed)
    ns = exact_namespace()
    for src, _, _ in randexpr.cases(seed=seed, count=6, depth=3):
        p = adcli.parse(src)
        points = [np.concatenate([rng.uniform(-2, 2, 30), GRID]) for _ in p.inputs]
        direction = [0.7, -0.4][:len(p.inputs)]
        _, outs, _ = taylor_arrays.series(p, points, direction, order, ns)
        for j, want in enumerate(loop(p, points, direction, order)):
            got = outs[0][:, j].tolist()
            if want is None:
                assert all(math.isnan(c) for c in got[1:]), (src, j)
            else:
                assert all(same(a, b) for a, b in zip(got, want)), (src, j, got, want)


# Every primitive, in compositions whose coefficients are not dominated by cancellation
# (log(cosh(big)) is: there one ulp of cosh decides the 10th digit, at one point or many).
EXPRS = [
    "exp(sin(x)) * cos(x/2) - tan(x/3)", "atan(x)*sinh(x/2) + cosh(x)/(2 + tanh(x))",
    "asinh(x) + acosh(3 + x^2) + atanh(x/3) + asin(x/3) - acos(x/4)",
    "expm1(x/2) + log(3 + x) + log1p(x^2) + log2(4 + x) - log10(5 - x)",
    "sqrt(5 + x) * cbrt(x + 7) + (x + 2.5)^2.5 + (x + 3)^1.5 + (x + 4)^-2",
    "sigmoid(x) + softplus(x) - erf(x/2) + pow(x + 3, x/4)",
    "atan2(x, 3 - x) + hypot(x, 2) + abs(x - 5) + relu(x + 5) + sign(x + 6)*x",
    "min(x, 9) + max(x^2, -1) + sin(x)^2 * x^3 - (x - 1)^7",
    "sin(x*y) / (2 + cos(y)) + exp(-x^2*y)",
]


@pytest.mark.parametrize("order", [8, 20])
@pytest.mark.parametrize("src", EXPRS)
def test_close_to_a_loop_with_numpys_functions(src, order):
    p = adcli.parse(src)
    rng = np.random.default_rng(7)
    points = [np.concatenate([rng.uniform(-2, 2, 200), GRID]) if v == "x" else np.full(241, 0.8)
              for v in p.inputs]
    direction = [1.0 if v == "x" else 0.5 for v in p.inputs]
    _, outs, warnings = taylor_arrays.series(p, points, direction, order)
    assert warnings == []
    for j, want in enumerate(loop(p, points, direction, order)):
        got = outs[0][:, j]
        # 1e-14 relative to each coefficient, with a floor of 1e-14 of the largest one
        # at that point (a small coefficient is a difference of larger terms).
        floor = 1e-14 * max(abs(c) for c in want)
        for k in range(order + 1):
            assert abs(got[k] - want[k]) <= 1e-14 * abs(want[k]) + floor, (src, j, k, got[k], want[k])


def test_refused_points_are_nan_with_one_warning_per_operation():
    p = adcli.parse("abs(x) + sqrt(x^2 + 1) + min(x, 1 - x)")
    xs = GRID
    _, outs, warnings = taylor_arrays.series(p, [xs], [1.0], 4)
    want = loop(p, [xs], [1.0], 4)
    refused = [j for j, w in enumerate(want) if w is None]
    assert [float(xs[j]) for j in refused] == [0.0, 0.5]     # abs at 0, the tie of min at 1/2
    c = outs[0]
    assert np.isnan(c[1:, refused]).all() and np.isfinite(c[0]).all()
    ok = [j for j in range(len(xs)) if j not in refused]
    assert np.allclose(c[:, ok], np.array([want[j] for j in ok]).T, rtol=1e-14, atol=1e-14)
    assert warnings == [
        "taylor: abs at 0 has no Taylor series (it has a corner there): derivatives given as nan at 1 point",
        "taylor: min at a tie (min(0.5, 0.5)) has no Taylor series: derivatives given as nan at 1 point"]


def test_a_point_is_counted_once_for_its_first_refusal():
    # sqrt(abs(x)) at 0: abs refuses first, as a one-point call would report
    _, outs, warnings = taylor_arrays.series(adcli.parse("sqrt(abs(x)) + relu(x)"), [np.array([0.0, 0.0, 1.0])],
                                             [1.0], 3)
    assert len(warnings) == 1 and warnings[0].startswith("taylor: abs at 0") and warnings[0].endswith("at 2 points")
    assert np.isnan(outs[0][1:, :2]).all() and np.isfinite(outs[0][:, 2]).all()


def test_zero_bases_and_ties_that_have_a_series_are_computed():
    p = adcli.parse("x^3 + (x^2)^2 + sqrt(y) + min(x, x) + abs(x*0) + pow(x, y)")
    xs = np.array([0.0, 1.0, -1.0])
    _, outs, warnings = taylor_arrays.series(p, [xs, np.array([0.0, 0.0, 2.0])], [1.0, 0.0], 5)
    assert warnings == []
    for j, want in enumerate(loop(p, [xs, np.array([0.0, 0.0, 2.0])], [1.0, 0.0], 5)):
        assert outs[0][:, j].tolist() == pytest.approx(want, rel=1e-15, abs=1e-15)


def test_an_exponent_per_point():
    """x^y along x with y different at each point: integer exponents (and zero bases)
    point by point, the others by the recurrence."""
    p = adcli.parse("pow(x, y)")
    xs, ys = np.array([0.0, 2.0, 2.0, -1.5, 0.5]), np.array([3.0, 2.5, 2.0, 4.0, -1.5])
    _, outs, warnings = taylor_arrays.series(p, [xs, ys], [1.0, 0.0], 6)
    for j, want in enumerate(loop(p, [xs, ys], [1.0, 0.0], 6)):
        assert outs[0][:, j].tolist() == pytest.approx(want, rel=1e-14, abs=1e-14)


def test_values_outside_the_domain_are_nan_without_a_refusal():
    _, outs, warnings = taylor_arrays.series(adcli.parse("log(x)"), [np.array([-1.0, 0.0, 2.0])], [1.0], 3)
    c = outs[0]
    assert np.isnan(c[:, 0]).all() and c[0, 1] == -math.inf and np.isnan(c[1:, 1]).all()
    assert c[:, 2].tolist() == pytest.approx([math.log(2), 0.5, -0.125, 1 / 24])
    assert warnings == []


def test_shapes_broadcast_and_order_zero():
    p = adcli.parse("x*y")
    _, outs, _ = taylor_arrays.series(p, [np.ones((2, 3)), 2.0], [1.0, 0.0], 2)
    assert outs[0].shape == (3, 2, 3) and (outs[0][1] == 2.0).all() and (outs[0][2] == 0).all()
    _, outs, _ = taylor_arrays.series(adcli.parse("log(x)"), [np.array([2.0])], [1.0], 0)
    assert outs[0].tolist() == [[math.log(2)]]


def test_api_taylor_accepts_arrays():
    f = adcli.compile("exp(sin(x)) * y")
    xs = np.linspace(-1, 1, 7)
    r = f.taylor(x=xs, y=2.0, wrt="x", order=8)
    assert len(r.coefficients) == 9 and r.coefficients[3].shape == (7,)
    for j, x in enumerate(xs.tolist()):
        one = f.taylor(x=x, y=2.0, wrt="x", order=8)
        assert [c[j] for c in r.coefficients] == pytest.approx(one.coefficients, rel=1e-14, abs=1e-15)
        assert [d[j] for d in r.derivatives] == pytest.approx(one.derivatives, rel=1e-14, abs=1e-14)
    r = f.taylor(x=[[0.1], [0.2]], y=[1.0, 2.0, 3.0], dir={"x": 1, "y": 1}, order=2)
    assert r.wrt == "t" and r.coefficients[2].shape == (2, 3)


def test_api_taylor_at_many_points_gives_nan_where_one_point_refuses():
    f = adcli.compile("abs(x) + log(x + 1)")
    with pytest.raises(EvalError, match="abs at 0"):
        f.taylor(x=0.0, order=3)
    r = f.taylor(x=np.array([-2.0, 0.0, 1.0]), order=3)
    assert np.isnan(r.derivatives[1][:2]).all() and np.isfinite(r.derivatives[0][1:]).all()
    assert r.derivatives[1][2] == pytest.approx(1.5)
    assert any(w.startswith("log(-1) = nan") for w in r.warnings)          # x = -2: outside log's domain
    assert any(w.startswith("taylor: abs at 0") and w.endswith(" at 1 point") for w in r.warnings)


@pytest.mark.slow  # a 20,000-deep input
def test_deep_expression_no_recursion():
    src = "(" * 20000 + "x" + "+1)" * 20000
    _, outs, _ = taylor_arrays.series(adcli.parse(f"sin({src})"), [np.array([0.0, 1.0])], [1.0], 3)
    assert outs[0][1].tolist() == pytest.approx([math.cos(20000.0), math.cos(20001.0)], rel=1e-12)
