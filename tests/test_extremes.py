"""Every op's derivatives of first, second and higher order against 50-digit references,
over the whole float64 range: at the middle of its domain, at 0 and at the points where a
rule switches formula, and at +-1e-300, +-1e-200, +-1e-17, +-19, +-20, +-40, +-356, +-1e155,
+-1e200 and +-1e300 wherever the op is smooth there (tests/extremes_cases.py lists them).

The references (tests/mpref.py) are SymPy's symbolic derivatives evaluated by mpmath at the
exact float point, at a precision raised until they settle, so they do not share a formula
with adcli's rules. Each op is checked through the public API: gradients in forward and
reverse mode, `adcli.compile(...).hessian` (forward-over-reverse dual numbers) and
`.taylor(..., order=6)` (the Taylor recurrences), at one point and at all of its points at
once as numpy arrays.

Tolerances, in units in the last place of the reference:
  FIRST   first derivatives: the first-order rules, a few roundings each;
  SECOND  second derivatives: a rule's partial differentiated once more by dual numbers;
  SERIES  Taylor coefficient c_k (k = 0..6): 4 (k + 1) ulps, since each order of a recurrence
          adds the roundings of a sum of k terms; in ulps of the coefficient's size, the
          larger of |c_k| and the geometric mean of its neighbours |c_(k-1) c_(k+1)|. A
          coefficient near a zero of f^(k) (the third derivative of asinh vanishes at
          1/sqrt(2)) is a difference of terms as large as its neighbours, and a recurrence
          cannot do better than ulps of those.
Below the smallest normal number (2.2e-308) agreement is absolute, to 2.2e-308: a subnormal
result has fewer digits, and 1/(1 + x^2) at x = 1e155 is 0 where the derivative is 1e-310.
A reference beyond the largest float (log's 2nd coefficient at 1e-300 is -5e599) must come
out as that infinity, and so must every one after it: not nan.

The full grid of points is @pytest.mark.slow; the default run takes every op at 0, the
middle of its domain and a spread of the extremes (FAST).
"""
import math

import mpmath as mp
import numpy as np
import pytest

import adcli
import mpref
from adcli.ops.table import PRIMS
from extremes_cases import POWC_PARAMS, binary_points, expression, unary_points

FIRST = 4
SECOND = 8
ORDER = 6
SMALLEST_NORMAL = 2.0 ** -1022

# The points of the default run (the slow run takes all of them), and the ops whose references
# take seconds at +-1e200 and +-1e300 (exp(1e300) to 800 digits), which the default run leaves out there.
FAST = {0.0, 1e-300, -1e-17, 20.0, -20.0, -356.0, 1e200, -1e300, 0.7, -1.3, 0.3, -0.999999, 1.5, 0.5, -0.5, -19.7,
        710.5, -745.5, 1421.0, 5.0}
SLOW_REFERENCE = {"erf", "sigmoid", "softplus"}


def SERIES(k):
    return 4 * (k + 1)


def _size(c, k):
    """The size of c_k for judging its error: |c_k|, or the geometric mean of its neighbours
    where c_k is much smaller than they are (near a zero of the k-th derivative); for the
    last coefficient the right neighbour is extrapolated, c_(k-1)^2 / c_(k-2)."""
    size = abs(c[k])
    if 0 < k < len(c) - 1:
        size = max(size, mp.sqrt(abs(c[k - 1] * c[k + 1])))
    elif k >= 2 and c[k - 2] != 0:
        size = max(size, mp.sqrt(abs(c[k - 1]) ** 3 / abs(c[k - 2])))
    return size


def _error(got, want, size, tol):
    """None if got agrees with want (an mpf) to tol ulps of size, else a description."""
    w = float(want)
    if math.isnan(got) and math.isnan(w):
        return None
    if math.isinf(w) or math.isinf(got) or math.isnan(got):
        return None if got == w else f"{got!r} for {w!r}"
    s = abs(float(size))
    err = abs(mp.mpf(got) - want)
    if s < SMALLEST_NORMAL:
        return None if err <= SMALLEST_NORMAL else f"{got!r} for {w!r} (absolute error {float(err):.3g})"
    ulps = float(err / math.ulp(s))
    return None if ulps <= tol else f"{got!r} for {w!r} ({ulps:.3g} ulps)"


def _series_errors(coefficients, ref):
    """Failures of one Taylor result against its reference coefficients."""
    out = []
    for k, (got, want) in enumerate(zip(coefficients, ref)):
        e = _error(float(got), want, _size(ref, k), SERIES(k))
        if e:
            out.append(f"c_{k}: {e}")
    return out


def _normal(v):
    return SMALLEST_NORMAL <= abs(float(v)) < math.inf


# ---- one-argument ops -------------------------------------------------------------------

def _unary_cases():
    for name in sorted(PRIMS):
        # Comparisons and logic are piecewise constant (value, then zeros: test_conditionals.py)
        if PRIMS[name].arity != 1 or not PRIMS[name].edges:
            continue
        for p in (POWC_PARAMS if name == "powc" else (None,)):
            label = name if p is None else f"powc[{p:.4g}]"
            yield name, p, label


UNARY = list(_unary_cases())


def _points(name, p, slow):
    pts = []
    for x in unary_points(name, p):
        if not slow and (x not in FAST or name in SLOW_REFERENCE and abs(x) >= 1e200):
            continue
        ref = mpref.unary(name, x, 1.0, ORDER, p)
        if _normal(ref[0]) or ref[0] == 0:
            pts.append((x, ref))
    return pts


def _check_unary(name, p, slow):
    f = adcli.compile(expression(name, p))
    pts = _points(name, p, slow)
    assert pts, name
    fails = []
    for x, ref in pts:
        grads = [f.grad(x=x, mode=mode).gradient["x"] for mode in ("forward", "reverse")]
        assert grads[0] == grads[1] or all(math.isnan(g) for g in grads), (name, x, grads)
        e = _error(grads[0], ref[1], ref[1], FIRST)
        if e:
            fails.append(f"{name}'({x!r}): {e}")
        h = f.hessian(x=x)
        for got, want, tol, what in ((h.gradient["x"], ref[1], FIRST, "'"),
                                     (h.hessian[0][0], 2 * ref[2], SECOND, "''")):
            e = _error(got, want, want, tol)
            if e:
                fails.append(f"{name}{what}({x!r}) by hessian: {e}")
        t = f.taylor(x=x, order=ORDER)
        fails += [f"taylor {name} at {x!r}: {e}" for e in _series_errors(t.coefficients, ref)]
    # all points at once, as numpy arrays: the same agreement, point by point
    xs = np.array([x for x, _ in pts])
    for mode in ("forward", "reverse"):
        g = np.broadcast_to(f.grad(x=xs, mode=mode).gradient["x"], xs.shape)
        fails += [f"{name}'({x!r}) at many points ({mode}): {e}" for (x, ref), got in zip(pts, g)
                  if (e := _error(float(got), ref[1], ref[1], FIRST))]
    h = f.hessian(x=xs)
    hh = np.broadcast_to(h.hessian[0][0], xs.shape)
    fails += [f"{name}''({x!r}) at many points: {e}" for (x, ref), got in zip(pts, hh)
              if (e := _error(float(got), 2 * ref[2], 2 * ref[2], SECOND))]
    t = f.taylor(x=xs, order=ORDER)
    cs = [np.broadcast_to(c, xs.shape) for c in t.coefficients]
    for j, (x, ref) in enumerate(pts):
        fails += [f"taylor {name} at {x!r}, many points: {e}"
                  for e in _series_errors([c[j] for c in cs], ref)]
    assert not fails, "\n".join(fails)


@pytest.mark.parametrize("name,p", [(n, p) for n, p, _ in UNARY], ids=[lab for _, _, lab in UNARY])
def test_unary_op_at_its_extremes(name, p):
    _check_unary(name, p, slow=False)


@pytest.mark.slow
@pytest.mark.parametrize("name,p", [(n, p) for n, p, _ in UNARY], ids=[lab for _, _, lab in UNARY])
def test_unary_op_over_the_whole_grid(name, p):
    _check_unary(name, p, slow=True)


# ---- two-argument ops -------------------------------------------------------------------

BINARY = sorted(n for n in PRIMS if PRIMS[n].arity == 2 and PRIMS[n].edges)
FAST_SCALES = (1e-300, 1.0, 1e200)


def _directions(name, a, b):
    """Along each argument, and along both at once at a rate proportional to their size."""
    if name in ("atan2", "hypot"):
        s = max(abs(a), abs(b))
        return ((1.0, 0.0), (0.0, 1.0), (0.31 * s, -0.53 * s))
    return ((1.0, 0.0), (0.0, 1.0), (0.31 * a, -0.53 * b))


def _check_binary(name, slow):
    f = adcli.compile(expression(name))
    pts = binary_points(name)
    if not slow:
        pts = pts[::3] if name not in ("atan2", "hypot") else \
            [(a, b) for a, b in pts if any(math.isclose(max(abs(a), abs(b)) / s, m, rel_tol=1e-9)
                                           for s in FAST_SCALES for m in (0.77, 1.1, 0.9))]
    fails = []
    for a, b in pts:
        da, db, haa, hab, hbb = mpref.hessian_binary(name, a, b)
        where = f"{name}({a!r}, {b!r})"
        for mode in ("forward", "reverse"):
            g = f.grad(x=a, y=b, mode=mode).gradient
            for got, want, v in ((g["x"], da, "x"), (g["y"], db, "y")):
                e = _error(got, want, want, FIRST)
                if e:
                    fails.append(f"d/d{v} {where} ({mode}): {e}")
        h = f.hessian(x=a, y=b)
        H = h.hessian
        for got, want, what in ((h.gradient["x"], da, "d/dx"), (h.gradient["y"], db, "d/dy")):
            e = _error(got, want, want, FIRST)
            if e:
                fails.append(f"{what} {where} by hessian: {e}")
        for got, want, what in ((H[0][0], haa, "xx"), (H[0][1], hab, "xy"), (H[1][0], hab, "yx"), (H[1][1], hbb, "yy")):
            e = _error(got, want, want, SECOND)
            if e:
                fails.append(f"H_{what} {where}: {e}")
        for d in _directions(name, a, b):
            ref = mpref.binary(name, a, b, d[0], d[1], ORDER)
            t = f.taylor(x=a, y=b, dir={"x": d[0], "y": d[1]}, order=ORDER)
            fails += [f"taylor {where} along {d}: {e}" for e in _series_errors(t.coefficients, ref)]
    # many points at once
    xs, ys = np.array([a for a, _ in pts]), np.array([b for _, b in pts])
    h = f.hessian(x=xs, y=ys)
    for j, (a, b) in enumerate(pts):
        da, db, haa, hab, hbb = mpref.hessian_binary(name, a, b)
        for got, want, what in ((h.gradient["x"], da, FIRST), (h.gradient["y"], db, FIRST),
                                (h.hessian[0][0], haa, SECOND), (h.hessian[0][1], hab, SECOND),
                                (h.hessian[1][1], hbb, SECOND)):
            e = _error(float(np.broadcast_to(got, xs.shape)[j]), want, want, what)
            if e:
                fails.append(f"{name}({a!r}, {b!r}) hessian at many points: {e}")
    t = f.taylor(x=xs, y=ys, dir={"x": 1.0, "y": 0.0}, order=ORDER)
    for j, (a, b) in enumerate(pts):
        ref = mpref.binary(name, a, b, 1.0, 0.0, ORDER)
        cs = [float(np.broadcast_to(c, xs.shape)[j]) for c in t.coefficients]
        fails += [f"taylor {name}({a!r}, {b!r}) many points: {e}" for e in _series_errors(cs, ref)]
    assert not fails, "\n".join(fails)


@pytest.mark.parametrize("name", BINARY)
def test_binary_op_at_its_extremes(name):
    _check_binary(name, slow=False)


@pytest.mark.slow
@pytest.mark.parametrize("name", BINARY)
def test_binary_op_over_the_whole_grid(name):
    _check_binary(name, slow=True)


# ---- the cases reported in "Hardening", and the conventions at second order ----------------

def test_a_smooth_op_whose_value_branches_on_its_sign_has_exact_second_derivatives_at_zero():
    # sigmoid and softplus compute exp(-|x|): nested AD through abs'(0) = 0 gave H[x,y] = 0.125
    # (the mean of 0.25 and 0) and H[x,x] = 0
    assert adcli.compile("sigmoid(x)*y").hessian(x=0.0, y=0.75).hessian == [[0.0, 0.25], [0.25, 0.0]]
    assert adcli.compile("softplus(x)*y").hessian(x=0.0, y=0.75).hessian == [[0.1875, 0.5], [0.5, 0.0]]


@pytest.mark.parametrize("x", [19.0, -19.0, 20.0, 40.0, -40.0])
def test_tanh_taylor_keeps_its_digits_where_tanh_rounds_to_one(x):
    c = adcli.compile("tanh(x)").taylor(x=x, order=3).coefficients
    ref = mpref.unary("tanh", x)
    assert c[1] > 0 and all(_error(got, want, want, SERIES(k)) is None for k, (got, want) in enumerate(zip(c, ref)))


def test_second_derivatives_that_cancelled():
    ref = 2 * mpref.unary("sigmoid", 1e-17)[2]
    assert _error(adcli.compile("sigmoid(x)").hessian(x=1e-17).hessian[0][0], ref, ref, SECOND) is None  # -1.25e-18
    ref = 2 * mpref.unary("asin", 1e-9)[2]
    assert _error(adcli.compile("asin(x)").hessian(x=1e-9).hessian[0][0], ref, ref, SECOND) is None
    for name, x in (("asin", 1e-200), ("acos", -1e-200), ("atanh", 1e-200)):
        ref = 2 * mpref.unary(name, x)[2]
        assert _error(adcli.compile(f"{name}(x)").hessian(x=x).hessian[0][0], ref, ref, SECOND) is None, name


def test_a_second_derivative_that_underflows_in_between_is_neither_nan_nor_a_warning():
    # cosh(356)^2 overflows: 1/cosh^2 was 0 and its derivative 0 * inf
    r = adcli.compile("1e300*tanh(x)").hessian(x=356.0)
    want = 1e300 * 2 * mpref.unary("tanh", 356.0)[2]
    assert r.warnings == [] and abs(r.hessian[0][0] - float(want)) <= 1e-13 * abs(float(want))  # a subnormal in between


def test_nan_outside_a_domain_reaches_the_derivative_through_sign():
    # sign' = 0 is a number: 0 * nan is nan (it was a structural 0, skipped, and the gradient was 0)
    f = adcli.compile("sign(log(x))")
    for mode in ("forward", "reverse"):
        assert math.isnan(f.grad(x=-1.0, mode=mode).gradient["x"])
        assert f.grad(x=2.0, mode=mode).gradient["x"] == 0.0
        many = f.grad(x=np.array([-1.0, 2.0]), mode=mode).gradient["x"]
        assert math.isnan(many[0]) and many[1] == 0.0
    assert math.isnan(f.hessian(x=-1.0).hessian[0][0]) and f.hessian(x=2.0).hessian[0][0] == 0.0
    many = f.hessian(x=np.array([-1.0, 2.0])).hessian[0][0]
    assert math.isnan(many[0]) and many[1] == 0.0
    with pytest.raises(adcli.AdcliError, match="log"):
        f.taylor(x=-1.0, order=2)
    t = f.taylor(x=np.array([-1.0, 2.0]), order=2).coefficients
    assert math.isnan(t[1][0]) and t[1][1] == 0.0
    for expr in ("relu(log(x))", "min(log(x), 5)", "max(log(x), -5)", "abs(log(x))"):
        for mode in ("forward", "reverse"):
            assert math.isnan(adcli.grad(expr, x=-1.0, mode=mode).gradient["x"]), (expr, mode)


NAN, INF = math.nan, math.inf

# Second derivatives at the points where an op is not smooth: the conventions of the first
# derivative (abs'(0) = 0, relu'(0) = 0, a tie splits, sqrt'(0) = inf) carried one order up.
SECOND_ORDER_CONVENTIONS = [
    ("abs(x)", 0.0, 0.0, 0.0), ("relu(x)", 0.0, 0.0, 0.0), ("sign(x)", 0.0, 0.0, 0.0),
    ("x^3", 0.0, 0.0, 0.0), ("x^2.5", 0.0, 0.0, 0.0), ("x^1.5", 0.0, 0.0, INF), ("x^0.5", 0.0, INF, -INF),
    ("asin(x)", 1.0, INF, INF), ("acos(x)", -1.0, -INF, INF), ("acosh(x)", 1.0, INF, -INF),
    ("log(x)", 0.0, INF, -INF), ("log(x)", -1.0, NAN, NAN),
    ("sigmoid(x)", 800.0, 0.0, 0.0), ("tanh(x)", 800.0, 0.0, 0.0), ("tanh(x)", -1e308, 0.0, 0.0),
    ("softplus(x)", 800.0, 1.0, 0.0), ("softplus(x)", -800.0, 0.0, 0.0), ("erf(x)", 1e300, 0.0, 0.0),
    ("atan(x)", 1e308, 0.0, 0.0),
]


@pytest.mark.parametrize("expr,x,d1,d2", SECOND_ORDER_CONVENTIONS)
def test_second_order_conventions_one_point_and_many(expr, x, d1, d2):
    from conftest import same
    f = adcli.compile(expr)
    one = f.hessian(x=x)
    many = f.hessian(x=np.array([x, 0.5]))
    for r, pick in ((one, lambda v: v), (many, lambda v: np.broadcast_to(v, (2,))[0])):
        assert same(pick(r.gradient["x"]), d1) and same(pick(r.hessian[0][0]), d2), (expr, x, r.gradient, r.hessian)


@pytest.mark.parametrize("expr,at", [("min(x, y)", (1.5, 1.5)), ("max(x, y)", (1.5, 1.5)),
                                     ("hypot(x, y)", (0.0, 0.0)), ("atan2(x, y)", (0.0, 0.0))])
def test_second_order_conventions_of_two_argument_ops(expr, at):
    r = adcli.compile(expr).hessian(x=at[0], y=at[1])
    assert r.hessian == [[0.0, 0.0], [0.0, 0.0]] and r.warnings == []


@pytest.mark.parametrize("name,p", [(n, p) for n, p, _ in UNARY] + [(n, None) for n in BINARY],
                         ids=[lab for _, _, lab in UNARY] + BINARY)
def test_many_points_are_a_loop_of_one_point_bit_for_bit(name, p):
    # Given the same elementary functions (math's), the arrays kit gives what the one-point kit
    # gives, to the last bit, at the extremes too: the scaling by powers of two, the overflow
    # rescue and the special branches are the same arithmetic in both.
    from adcli.engine import taylor_arrays
    from test_taylor_arrays import exact_namespace, loop
    program = adcli.parse(expression(name, p))
    if PRIMS[name].arity == 1:
        points = [np.array(unary_points(name, p))]
        directions = [[1.0]]
    else:
        pts = binary_points(name)
        points = [np.array([a for a, _ in pts]), np.array([b for _, b in pts])]
        directions = [[1.0, 0.0], [0.0, 1.0], [0.31, -0.53]]
    for direction in directions:
        with np.errstate(all="ignore"):
            _, outs, _ = taylor_arrays.series(program, points, direction, ORDER, exact_namespace())
        for j, want in enumerate(loop(program, points, direction, ORDER)):
            got = outs[0][:, j].tolist()
            if want is None:  # one point refuses (the value overflowed: exp(1e155)); many points give nan
                assert all(math.isnan(c) for c in got[1:]), (name, p, direction, got)
                continue
            assert all(a == b or (a != a and b != b) for a, b in zip(got, want)), \
                (name, p, direction, [float(x[j]) for x in points], got, want)
