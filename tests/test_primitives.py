"""Tests generated from the primitive table (adcli.ops.table.PRIMS).

Each op's value and partials are checked against an independent reference: mpmath at
50 digits (values, and central differences with a tiny step for the derivatives), and
float64 central differences of the op's own value rule. The vector namespace must give
the scalar namespace's results elementwise. New ops are picked up automatically; an op
without an mpmath reference, a sampler or a convention note fails here.
"""
import math
import random

import mpmath as mp
import numpy as np
import pytest

import adcli
from adcli.engine.dual import DualMath
from adcli.engine.taylor import TAYLOR
from adcli.ops import arrays as vector
from adcli.ops import scalar
from adcli.ops.call import call_partials, call_value
from adcli.ops.table import FUNCTIONS, OPERATORS, PRIMS
from conftest import close

DPS = 60  # set per reference computation (mp.workdps), never globally: other modules use mpmath too

# Exponents for powc (a parameter, not an argument): integers, fractions, 0 and 1.
POWC_PARAMS = (2.0, 3.0, -1.0, -2.0, 0.5, 1.0 / 3.0, 2.5, -0.5, 0.0, 1.0)


def _mp_cbrt(x):
    return mp.sign(x) * mp.cbrt(abs(x))


# The reference implementations, written independently of adcli's rules.
MP = {
    "add": lambda p, a, b: a + b,
    "sub": lambda p, a, b: a - b,
    "mul": lambda p, a, b: a * b,
    "div": lambda p, a, b: a / b,
    "neg": lambda p, a: -a,
    "powc": lambda p, a: mp.power(a, p),
    "pow": lambda p, a, b: mp.power(a, b),
    "sin": lambda p, x: mp.sin(x),
    "cos": lambda p, x: mp.cos(x),
    "tan": lambda p, x: mp.tan(x),
    "asin": lambda p, x: mp.asin(x),
    "acos": lambda p, x: mp.acos(x),
    "atan": lambda p, x: mp.atan(x),
    "sinh": lambda p, x: mp.sinh(x),
    "cosh": lambda p, x: mp.cosh(x),
    "tanh": lambda p, x: mp.tanh(x),
    "asinh": lambda p, x: mp.asinh(x),
    "acosh": lambda p, x: mp.acosh(x),
    "atanh": lambda p, x: mp.atanh(x),
    "exp": lambda p, x: mp.exp(x),
    "expm1": lambda p, x: mp.expm1(x),
    "log": lambda p, x: mp.log(x),
    "log1p": lambda p, x: mp.log1p(x),
    "log2": lambda p, x: mp.log(x, 2),
    "log10": lambda p, x: mp.log10(x),
    "sqrt": lambda p, x: mp.sqrt(x),
    "cbrt": lambda p, x: _mp_cbrt(x),
    "abs": lambda p, x: abs(x),
    "sign": lambda p, x: mp.sign(x),
    "sigmoid": lambda p, x: 1 / (1 + mp.exp(-x)),
    "relu": lambda p, x: max(x, 0),
    "softplus": lambda p, x: mp.log1p(mp.exp(x)),
    "erf": lambda p, x: mp.erf(x),
    "atan2": lambda p, a, b: mp.atan2(a, b),
    "hypot": lambda p, a, b: mp.sqrt(a * a + b * b),
    "min": lambda p, a, b: min(a, b),
    "max": lambda p, a, b: max(a, b),
    # comparisons and logic: 1 or 0, piecewise constant
    "lt": lambda p, a, b: mp.mpf(a < b),
    "le": lambda p, a, b: mp.mpf(a <= b),
    "gt": lambda p, a, b: mp.mpf(a > b),
    "ge": lambda p, a, b: mp.mpf(a >= b),
    "eq": lambda p, a, b: mp.mpf(a == b),
    "ne": lambda p, a, b: mp.mpf(a != b),
    "and": lambda p, a, b: mp.mpf(a != 0 and b != 0),
    "or": lambda p, a, b: mp.mpf(a != 0 or b != 0),
    "not": lambda p, a: mp.mpf(a == 0),
    "if": lambda p, c, a, b: a if c != 0 else b,
}

NAMES = sorted(PRIMS)


def params_for(name):
    return POWC_PARAMS if name == "powc" else (None,)


def sample_points(prim, n, seed):
    """n points, each argument drawn from one of its own sampling intervals."""
    rng = random.Random(f"{prim.name}-{seed}")
    points = []
    for _ in range(n):
        pt = []
        for intervals in prim.sample:
            lo, hi = rng.choice(intervals)
            pt.append(rng.uniform(lo, hi))
        points.append(tuple(pt))
    return points


def _cases():
    for name in NAMES:
        for p in params_for(name):
            yield pytest.param(name, p, id=name if p is None else f"{name}[{p:.4g}]")


CASES = list(_cases())


def mp_partials(name, p, args, dps=DPS, step=20):
    """Central differences at `dps` digits with a relative step of 10^-step: the error is
    far below float64 as long as dps - step digits survive the cancellation."""
    with mp.workdps(max(dps, mp.mp.dps)):
        return _mp_partials(name, p, args, step)


def _mp_partials(name, p, args, step):
    f = MP[name]
    x = [mp.mpf(a) for a in args]
    out = []
    for i in range(len(x)):
        h = mp.mpf(10) ** -step * (abs(x[i]) if abs(x[i]) > 1 or x[i] != 0 and abs(x[i]) < 1e-10 else 1)
        up, dn = list(x), list(x)
        up[i] += h
        dn[i] -= h
        out.append((f(p, *up) - f(p, *dn)) / (2 * h))
    return out


def float_partials(prim, p, args):
    """Central differences of adcli's own value rule, in float64."""
    out = []
    for i, a in enumerate(args):
        h = 1e-6 * max(1.0, abs(a))
        up, dn = list(args), list(args)
        up[i] += h
        dn[i] -= h
        out.append((call_value(prim, scalar, p, up) - call_value(prim, scalar, p, dn)) / (2 * h))
    return out


# -- the table itself ---------------------------------------------------------------------

def test_every_op_has_a_reference_here():
    # A new op must get an independent reference implementation in this file.
    assert set(PRIMS) == set(MP)


@pytest.mark.parametrize("name", NAMES)
def test_every_op_has_every_fact(name):
    # Adding an op touches the table alone: every consumer (traces, graphs, the parser, the Dual
    # namespace, 'adcli functions', Taylor mode) reads its facts from there and finds them all.
    prim = PRIMS[name]
    assert len(prim.partial_texts) == prim.arity, f"{name}: one partial text per argument"
    for text in prim.partial_texts:
        assert isinstance(text, str) and text.strip(), f"{name} has an empty partial text"
        text.format(*[f"<{i}>" for i in range(prim.arity)], y="<y>", p="<p>")  # names only known fields
    assert isinstance(prim.symbol, str) and prim.symbol.strip(), f"{name} has no graph symbol"
    assert prim.ascii_symbol.strip() and prim.ascii_symbol.isascii(), f"{name} has no ASCII symbol"
    assert isinstance(prim.display, str) and prim.display.strip(), f"{name} has no display name"
    assert name in TAYLOR, f"{name} has no Taylor rule"
    assert isinstance(prim.by_name, bool) and (name in FUNCTIONS) == prim.by_name
    assert prim.spelling in (None, "+", "-", "*", "/", "^", "<", "<=", ">", ">=", "==", "!=", "and", "or",
                             "not"), (name, prim.spelling)
    # Where derivatives pass and where arguments are used (adcli.engine.liveness reads both).
    assert all(0 <= k < prim.arity for k in prim.edges) and len(set(prim.edges)) == len(prim.edges), name
    assert isinstance(prim.guards, dict) and all(0 <= k < prim.arity for k in prim.guards), name
    for args in sample_points(prim, 4, "facts"):
        y = call_value(prim, scalar, None if name != "powc" else 2.0, list(args))
        ps = call_partials(prim, scalar, None if name != "powc" else 2.0, y, list(args))
        for k, d in enumerate(ps):
            if k not in prim.edges:   # no derivative passes: the structural 0, never 0.0 or nan
                assert type(d) is int and d == 0, (name, k, d)
        for k, rule in prim.guards.items():
            used = rule(scalar, *args)
            assert isinstance(used, bool), (name, k, used)
            if not used and k in prim.edges:   # an unused argument gets no derivative
                assert type(ps[k]) is int and ps[k] == 0, (name, k, ps[k])
    if prim.mathname is not None:
        # The namespace function computes this op (the Dual namespace routes it here).
        args = sample_points(prim, 1, "mathname")[0]
        for m in (scalar, vector):
            assert float(getattr(m, prim.mathname)(*args)) == float(call_value(prim, m, None, list(args))), name
        assert hasattr(DualMath(scalar), prim.mathname), name
    assert isinstance(prim.domain, str) and prim.domain.strip(), f"{name} has no domain"
    assert prim.kind in ("operator", "function", "internal")
    assert len(prim.sample) == prim.arity, f"{name}: one list of sampling intervals per argument"
    for intervals in prim.sample:
        assert intervals, f"{name} has an argument with no sampling interval"
        for lo, hi in intervals:
            assert math.isfinite(lo) and math.isfinite(hi) and lo < hi, (name, lo, hi)
    # The trace template names every argument.
    text = prim.template.format(*[f"<{i}>" for i in range(prim.arity)], p="<p>")
    assert all(f"<{i}>" in text for i in range(prim.arity)), (name, prim.template)
    if prim.kind == "function":
        assert FUNCTIONS.get(name) is prim or name in ("powc",)


def test_facts_that_span_the_table():
    # Two ops with one fact would be silently merged by the tables derived from it.
    displays = [p.display for p in PRIMS.values()]
    assert len(set(displays)) == len(displays), "two ops are listed under one name"
    spelled = [p for p in PRIMS.values() if p.spelling]
    assert len(OPERATORS) == len(spelled), "two ops share an operator spelling and arity"
    # Every operator the parser produces lowers to an op ('**' arrives as '^', unary '+' vanishes).
    assert {s for s, n in OPERATORS if n == 2} == {"+", "-", "*", "/", "^", "<", "<=", ">", ">=", "==", "!=",
                                                   "and", "or"}
    assert {s for s, n in OPERATORS if n == 1} == {"-", "not"}
    mathnames = [p.mathname for p in PRIMS.values() if p.mathname]
    assert len(set(mathnames)) == len(mathnames)


@pytest.mark.parametrize("name", NAMES)
def test_sample_lies_inside_the_domain(name):
    # Values and partials are finite at every sampled point: the sampler is honest.
    prim = PRIMS[name]
    for p in params_for(name):
        for args in sample_points(prim, 40, "domain"):
            y = call_value(prim, scalar, p, list(args))
            assert math.isfinite(y), (name, p, args, y)
            for d in call_partials(prim, scalar, p, y, list(args)):
                assert math.isfinite(d), (name, p, args, d)


def _grid(arity):
    import itertools
    xs = [k / 4 for k in range(-12, 13)] if arity < 3 else [k / 2 for k in range(-6, 7)]
    return list(itertools.product(xs, repeat=arity))


@pytest.mark.parametrize("name", NAMES)
def test_an_op_that_is_not_finite_somewhere_says_where_it_is_defined(name):
    # On a grid over [-3, 3] an op that gives nan or inf must not claim "all real x".
    prim = PRIMS[name]
    for p in params_for(name):
        bad = [a for a in _grid(prim.arity) if not math.isfinite(call_value(prim, scalar, p, list(a)))]
        if bad:
            assert prim.domain != "all real x", f"{name} is not finite at {bad[0]} but has no domain"


SMOOTH_WITHOUT_NOTE_IS_A_BUG = {"abs", "sign", "relu", "min", "max", "sqrt", "cbrt", "hypot", "atan2",
                                "powc", "pow", "asin", "acos", "acosh"}


def _kink(prim, p, args):
    """True if the op is not differentiable at args: a non-finite partial, or one-sided
    difference quotients that disagree in some coordinate."""
    y = call_value(prim, scalar, p, list(args))
    if not math.isfinite(y):
        return False  # outside the domain: nothing to differentiate
    ds = call_partials(prim, scalar, p, y, list(args))
    if not all(math.isfinite(d) for d in ds):
        return True
    h = 1e-7
    for i in range(prim.arity):
        up, dn = list(args), list(args)
        up[i] += h
        dn[i] -= h
        yu, yd = call_value(prim, scalar, p, up), call_value(prim, scalar, p, dn)
        if not (math.isfinite(yu) and math.isfinite(yd)):
            return True
        right, left = (yu - y) / h, (y - yd) / h
        if abs(right - left) > 1e-3 * max(1.0, abs(right), abs(left)):
            return True
    return False


@pytest.mark.parametrize("name", NAMES)
def test_an_op_with_a_non_differentiable_point_has_a_convention_note(name):
    prim = PRIMS[name]
    if name in SMOOTH_WITHOUT_NOTE_IS_A_BUG:
        assert prim.note.strip(), f"{name} needs a convention note"
    special = [(0.0,), (1.0,), (-1.0,)] if prim.arity == 1 else \
        [(0.0, 0.0), (1.0, 1.0), (-1.0, -1.0), (0.0, 1.0), (1.0, 0.0), (0.0, -1.0), (-1.0, 0.0)]
    if prim.arity == 3:
        special = [(c, a, b) for c in (0.0, 1.0) for a, b in special[3:]]
    for p in params_for(name):
        kinks = [a for a in special if _kink(prim, p, a)]
        if kinks:
            assert prim.note.strip(), f"{name} is not differentiable at {kinks[0]} but has no note"
    # Every gap in a sampler is a point the tests skip on purpose: it needs a note.
    if any(len(intervals) > 1 for intervals in prim.sample):
        assert prim.note.strip(), f"{name} skips points in its sampler but explains nothing"


# -- values and partials against references ---------------------------------------------

@pytest.mark.parametrize("name,p", CASES)
def test_value_matches_mpmath(name, p):
    prim = PRIMS[name]
    for args in sample_points(prim, 8, "value"):
        got = call_value(prim, scalar, p, list(args))
        with mp.workdps(DPS):
            want = MP[name](None if p is None else mp.mpf(p), *[mp.mpf(a) for a in args])
        assert close(got, float(want), rel=4e-16, abs_=1e-300), (name, p, args, got, want)


@pytest.mark.parametrize("name,p", CASES)
def test_partials_match_mpmath_central_differences(name, p):
    prim = PRIMS[name]
    for args in sample_points(prim, 8, "partials"):
        y = call_value(prim, scalar, p, list(args))
        got = call_partials(prim, scalar, p, y, list(args))
        assert len(got) == prim.arity
        want = mp_partials(name, None if p is None else mp.mpf(p), args)
        for i, (g, w) in enumerate(zip(got, want)):
            assert close(g, float(w), rel=1e-13, abs_=1e-15), (name, p, args, i, g, w)


@pytest.mark.parametrize("name,p", CASES)
def test_partials_match_float_central_differences_of_the_value_rule(name, p):
    # Ties the partials to adcli's own value rule (not just to mpmath's function).
    prim = PRIMS[name]
    for args in sample_points(prim, 6, "float-fd"):
        y = call_value(prim, scalar, p, list(args))
        got = call_partials(prim, scalar, p, y, list(args))
        for i, (g, fd) in enumerate(zip(got, float_partials(prim, p, list(args)))):
            assert close(g, fd, rel=1e-6, abs_=1e-8), (name, p, args, i, g, fd)


@pytest.mark.parametrize("name,p", CASES)
def test_structural_partials_are_only_the_integers_0_1_minus_1(name, p):
    prim = PRIMS[name]
    for args in sample_points(prim, 4, "structural"):
        y = call_value(prim, scalar, p, list(args))
        for d in call_partials(prim, scalar, p, y, list(args)):
            if type(d) is int:
                assert d in (0, 1, -1), (name, d)
            else:
                assert isinstance(d, float), (name, type(d))


# -- the vector namespace ----------------------------------------------------------------

def _as_list(v, n):
    a = np.broadcast_to(np.asarray(v, dtype=np.float64), (n,))
    return [float(x) for x in a]


@pytest.mark.parametrize("name,p", CASES)
def test_vector_namespace_equals_scalar_namespace_elementwise(name, p):
    prim = PRIMS[name]
    pts = sample_points(prim, 12, "vector")
    # Add the special points (0, +-1, ties), where conventions must agree as well.
    grid = [a for a in _grid(prim.arity) if a[0] in (0.0, 1.0, -1.0)]
    pts += grid
    cols = [np.array([pt[i] for pt in pts]) for i in range(prim.arity)]
    with np.errstate(all="ignore"):
        vy = call_value(prim, vector, p, cols)
        vps = call_partials(prim, vector, p, vy, cols)
    assert isinstance(vy, np.ndarray) and vy.dtype == np.float64 and vy.shape == (len(pts),)
    vy = _as_list(vy, len(pts))
    vps = [_as_list(d, len(pts)) for d in vps]
    for k, pt in enumerate(pts):
        sy = call_value(prim, scalar, p, list(pt))
        assert close(vy[k], sy, rel=1e-15), (name, p, pt, vy[k], sy)
        sps = call_partials(prim, scalar, p, sy, list(pt))
        for i, sd in enumerate(sps):
            assert close(vps[i][k], sd, rel=1e-15), (name, p, pt, i, vps[i][k], sd)


TAILS = (-40.0, -20.0, -10.0, -1e-8, 1e-8, 10.0, 20.0, 40.0)


# Comparisons and logic have no derivative to be accurate about (their partials are 0 by definition).
@pytest.mark.parametrize("name", [n for n in NAMES if PRIMS[n].arity == 1 and PRIMS[n].edges])
def test_partials_stay_accurate_far_from_the_sampled_interval(name):
    # Rules that reuse the output (1 - y^2, y*(1-y), y+1) can cancel to 0 in the tails,
    # where the true derivative is tiny but representable.
    prim = PRIMS[name]
    for p in params_for(name):
        for x in TAILS:
            y = call_value(prim, scalar, p, [x])
            # erf(-10) = -1 + 2e-45: the difference quotient cancels ~85 digits.
            want = mp_partials(name, None if p is None else mp.mpf(p), [x], dps=250, step=60)[0]
            if not math.isfinite(y) or not (1e-300 < abs(want) < 1e300):
                continue
            (got,) = call_partials(prim, scalar, p, y, [x])
            assert close(got, float(want), rel=1e-12), (name, p, x, got, float(want))


BINARY_TAILS = ((1e-200, 1e-200), (3e-170, -2e-170), (1e200, 1e200), (-1e150, 2e150), (1e-5, 1e5))


@pytest.mark.parametrize("name", [n for n in NAMES if PRIMS[n].arity == 2 and PRIMS[n].edges])
def test_binary_partials_stay_accurate_at_tiny_and_huge_arguments(name):
    # a*a + b*b underflows to 0 or overflows to inf long before a and b do.
    prim = PRIMS[name]
    for args in BINARY_TAILS:
        y = call_value(prim, scalar, None, list(args))
        if not math.isfinite(y):
            continue
        got = call_partials(prim, scalar, None, y, list(args))
        with mp.workdps(600):  # x^1e-200 differs from 1 only in the 198th digit
            want = mp_partials(name, None, args)
        for i, (g, w) in enumerate(zip(got, want)):
            if 1e-300 < abs(w) < 1e300 or w == 0:
                assert close(g, float(w), rel=1e-12), (name, args, i, g, float(w))


SPECIAL = (-math.inf, -1e308, -2.0, -1.0, -0.5, -0.0, 0.0, 5e-324, 0.5, 1.0, 2.0, 1e308, math.inf, math.nan)


@pytest.mark.parametrize("name,p", CASES)
def test_namespaces_agree_at_special_values(name, p):
    # Zeros, infinities, nan, the largest and the smallest floats: no rule raises, and
    # both namespaces give the same IEEE result (nan-aware, to an ulp or two).
    import itertools
    prim = PRIMS[name]
    pts = list(itertools.product(SPECIAL, repeat=prim.arity))
    cols = [np.array([pt[i] for pt in pts]) for i in range(prim.arity)]
    with np.errstate(all="ignore"):
        vy = call_value(prim, vector, p, cols)
        vps = call_partials(prim, vector, p, vy, cols)
    vy = _as_list(vy, len(pts))
    vps = [_as_list(d, len(pts)) for d in vps]
    for k, pt in enumerate(pts):
        if name == "powc" and pt[0] == -math.inf:
            continue  # C's pow(-inf, 0.5) is inf; numpy takes sqrt(-inf) = nan
        sy = call_value(prim, scalar, p, list(pt))
        assert isinstance(sy, float)
        assert close(vy[k], sy, rel=1e-15), (name, p, pt, vy[k], sy)
        for i, sd in enumerate(call_partials(prim, scalar, p, sy, list(pt))):
            assert close(vps[i][k], sd, rel=1e-15), (name, p, pt, i, vps[i][k], sd)


# -- outside the domain ------------------------------------------------------------------

# Rules whose formula stays finite where the function does not exist (1/x at x = -1): they
# guard it with _inside, so the derivative is nan there like the value. Each point lies
# outside the op's domain, each partner point inside it.
OUTSIDE = [("log", -1.0, 2.0), ("log", -0.5, 0.5), ("log1p", -2.0, 0.5), ("log2", -1.0, 2.0),
           ("log10", -3.0, 2.0), ("atanh", 2.0, 0.5), ("atanh", -1.5, -0.5)]


@pytest.mark.parametrize("name,x,inside", OUTSIDE)
def test_derivative_outside_the_domain_is_nan(name, x, inside):
    prim = PRIMS[name]
    y = call_value(prim, scalar, None, [x])
    assert math.isnan(y) and math.isnan(call_partials(prim, scalar, None, y, [x])[0]), (name, x)
    xs = np.array([x, inside])
    with np.errstate(all="ignore"):
        vy = call_value(prim, vector, None, [xs])
        (vd,) = call_partials(prim, vector, None, vy, [xs])
    assert np.isnan(vd[0]) and np.isfinite(vd[1]), (name, x, vd)
    # Through both AD modes, at one point and at many: a 1/x regression would give 2/x + 1 here.
    expr = f"2*{name}(x) + x"
    for mode in ("forward", "reverse"):
        assert math.isnan(adcli.grad(expr, x=x, mode=mode).gradient["x"]), (name, x, mode)
        many = adcli.grad(expr, x=xs, mode=mode).gradient["x"]
        assert np.isnan(many[0]) and np.isfinite(many[1]), (name, x, mode, many)
