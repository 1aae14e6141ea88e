"""adcli.engine.chunked (chunked, threaded sweeps) against a loop of one-point evaluations
through the scalar namespace: every primitive of the table inside its domain, at
special points, and composite expressions with shared subexpressions (fan-out, where
adjoints are accumulated in place).

Two comparisons. Against the unchunked numpy sweep (adcli.engine.reverse / adcli.engine.forward with
the vector namespace) results must be bit for bit identical: chunks, threads, in-place
accumulation and skipped structural partials change no rounding. Against the loop of
one-point (Python float) results they agree to a few units in the last place of
max(|result|, 1): numpy's exp, log, tanh, ... may differ from libm's by one ulp, and a
partial such as tanh' = 1 - y^2 or a gradient that sums terms of opposite sign can turn
that into a larger relative difference of a small result."""
import math
import random

import numpy as np
import pytest

from adcli.api import function as api
from adcli.engine import chunked as vectorized
from adcli.engine import forward, reverse
from adcli.ops import arrays as vector
from adcli.ops.table import FUNCTIONS, PRIMS

F_C = ("exp(sin(x*y)/(1 + z^2)) + log(1 + x^2 + y*z)*cos(x - z) - sqrt(x*x + y*y + z)*tanh(y/z)"
       " + (x + y*z)^1.5/(2 + cos(y))")


def loop(expr, cols, wrt=None, mode="reverse"):
    """Value and gradient at each point through the one-point (scalar) path."""
    f = api.compile(expr)
    names = f.variables
    wrt = list(names) if wrt is None else wrt
    vals, grads = [], [[] for _ in wrt]
    for k in range(len(cols[0])):
        r = f.grad({v: float(c[k]) for v, c in zip(names, cols)}, wrt=wrt, mode=mode)
        vals.append(r.value[0])
        for g, d in zip(grads, r.jacobian[0]):
            g.append(d)
    return np.array(vals), [np.array(g) for g in grads]


def agree(a, b, rel=4e-15):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    same_nan = np.isnan(a) & np.isnan(b)
    both_inf = np.isinf(a) & (a == b)
    with np.errstate(invalid="ignore"):
        near = np.abs(a - b) <= rel * np.maximum(np.maximum(np.abs(a), np.abs(b)), 1.0)
    bad = ~(same_nan | both_inf | near)
    assert not bad.any(), (a[bad][:5], b[bad][:5])


def sample(prim, n, rng):
    cols = []
    for intervals in prim.sample:
        lo, hi = intervals[rng.integers(len(intervals))]
        cols.append(rng.uniform(lo, hi, n))
    return cols


def expr_of(prim):
    if prim.name == "powc":
        return "x^2.5"
    if prim.name == "if":
        return "if(x > 1, y*y, sqrt(-z))"   # x mixes both sides; sqrt(-z) is nan where z > 0
    if prim.kind == "operator":
        return prim.template.format("x", "y", p="")
    return f"{prim.name}(x)" if prim.arity == 1 else f"{prim.name}(x, y)"


@pytest.mark.parametrize("name", sorted(PRIMS))
def test_each_primitive_vectorized_equals_loop(name):
    prim = PRIMS[name]
    rng = np.random.default_rng(abs(hash(name)) % 2**32)
    cols = sample(prim, 200, rng)
    expr = expr_of(prim)
    program = api.parse(expr)
    cols = cols[:len(program.inputs)]
    want_v, want_g = loop(expr, cols)
    got_v, got_g = vectorized.value_and_grad(program, cols, chunk=64)
    agree(got_v, want_v)
    for g, w in zip(got_g, want_g):
        agree(g, w)
    (only,) = vectorized.values(program, cols, chunk=64)
    agree(only, want_v)
    identical_to_unchunked(program, cols, got_v, got_g)


def identical_to_unchunked(program, cols, got_v, got_g):
    with np.errstate(all="ignore"):
        value, rows = reverse.jacobian(program, cols, list(range(len(cols))), vector)
    np.testing.assert_array_equal(got_v, np.broadcast_to(value[0], got_v.shape))
    for g, r in zip(got_g, rows[0]):
        np.testing.assert_array_equal(g, np.broadcast_to(0.0 if r is None else r, g.shape))


def test_special_points_and_non_finite_results():
    # Conventions (abs'(0), min ties, d/dy x^y at 0, sqrt'(0)) and IEEE nan/inf.
    x = np.array([0.0, -0.0, 1.0, -1.0, 2.0, -3.0, math.inf, -math.inf, math.nan, 0.0, 1e308])
    y = np.array([0.0, 1.0, 1.0, -1.0, 0.5, 2.0, 1.0, 0.0, 1.0, -1.0, 10.0])
    for expr in ["abs(x) + sign(y)", "min(x, y) * max(x, y)", "x^y", "sqrt(x) + log(y)", "relu(x) - y/x",
                 "hypot(x, y) + atan2(x, y)", "x^2 * exp(y)", "softplus(x) + sigmoid(y)"]:
        program = api.parse(expr)
        want_v, want_g = loop(expr, [x, y][:len(program.inputs)])
        got_v, got_g = vectorized.value_and_grad(program, [x, y][:len(program.inputs)], chunk=4)
        agree(got_v, want_v)
        for g, w in zip(got_g, want_g):
            agree(g, w)


def test_f_c_and_fan_out_across_chunks_and_threads():
    rng = np.random.default_rng(1)
    cols = [rng.uniform(0.5, 2.0, 1000) for _ in range(3)]
    want_v, want_g = loop(F_C, cols)
    program = api.parse(F_C)
    for chunk in (1, 7, 256, 5000):
        got_v, got_g = vectorized.value_and_grad(program, cols, chunk=chunk)
        identical_to_unchunked(program, cols, got_v, got_g)
        agree(got_v, want_v)
        for g, w in zip(got_g, want_g):
            agree(g, w)
    # Heavy fan-out: one node feeding many others, and sums whose adjoint is shared.
    expr = "a = x*y; b = a + a; c = b - a; c*a + a/b + (a + b)*(a - b) - (-a) + x + x"
    cols = [rng.uniform(-2, 2, 300), rng.uniform(0.5, 2, 300)]
    want_v, want_g = loop(expr, cols)
    got_v, got_g = vectorized.value_and_grad(api.parse(expr), cols, chunk=32)
    identical_to_unchunked(api.parse(expr), cols, got_v, got_g)
    agree(got_v, want_v)
    for g, w in zip(got_g, want_g):
        agree(g, w)


def test_random_expressions_vectorized_equals_loop():
    rnd = random.Random(5)
    unary = [n for n, p in FUNCTIONS.items() if p.arity == 1 and n not in ("acosh", "atanh", "asin", "acos")]
    binary = ["+", "-", "*", "/"]
    rng = np.random.default_rng(2)
    for _ in range(25):
        terms = ["x", "y", "z", "1.5"]
        for _ in range(8):
            if rnd.random() < 0.4:
                terms.append(f"{rnd.choice(unary)}({rnd.choice(terms)})")
            else:
                terms.append(f"({rnd.choice(terms)} {rnd.choice(binary)} {rnd.choice(terms)})")
        expr = terms[-1]
        f = api.compile(expr)
        if not f.variables:
            continue
        cols = [rng.uniform(-2, 2, 50) for _ in f.variables]
        want_v, want_g = loop(expr, cols)
        got_v, got_g = vectorized.value_and_grad(f.program, cols, chunk=16)
        identical_to_unchunked(f.program, cols, got_v, got_g)
        scale = max(1.0, *[float(np.nanmax(np.abs(w[np.isfinite(w)]), initial=0)) for w in [want_v, *want_g]])
        agree(got_v / scale, want_v / scale)
        for g, w in zip(got_g, want_g):
            agree(g / scale, w / scale, rel=1e-13)


def test_wrt_subset_and_forward_mode():
    rng = np.random.default_rng(4)
    cols = [rng.uniform(0.5, 2.0, 100) for _ in range(3)]
    program = api.parse(F_C)
    want_v, want_g = loop(F_C, cols, wrt=["z", "x"])
    got_v, got_g = vectorized.value_and_grad(program, cols, wrt=[2, 0], chunk=16)
    agree(got_v, want_v)
    agree(got_g[0], want_g[0])
    agree(got_g[1], want_g[1])
    want_v, want_g = loop(F_C, cols, mode="forward")
    values, rows = vectorized.forward_jacobian(program, cols, [0, 1, 2], chunk=16)
    agree(values[0], want_v)
    for g, w in zip(rows[0], want_g):
        agree(g, w)


def test_inputs_are_never_written_and_no_warnings_escape(recwarn):
    x = np.linspace(-1, 1, 100)
    keep = x.copy()
    program = api.parse("x*x + log(x) + x/x")
    vectorized.value_and_grad(program, [x], chunk=10)
    np.testing.assert_array_equal(x, keep)
    assert not [w for w in recwarn if issubclass(w.category, RuntimeWarning)]


def test_constant_and_identity_programs():
    program = api.parse("x")
    v, (g,) = vectorized.value_and_grad(program, [np.arange(5.0)])
    np.testing.assert_array_equal(v, np.arange(5.0))
    np.testing.assert_array_equal(g, np.ones(5))
    (c,) = vectorized.values(api.parse("2 + 3"), [], n=4)
    np.testing.assert_array_equal(c, np.full(4, 5.0))


def test_several_outputs_by_reverse_mode_equal_the_unchunked_sweep():
    # One reverse sweep per output on each chunk (the values list copied for all but the
    # last, which drops values as it goes) against one unchunked sweep carrying a
    # cotangent per output: bit for bit, outputs that are an input, a constant or an
    # intermediate node included.
    rng = np.random.default_rng(6)
    program = api.parse("a = x*y; a + sin(x), exp(a)/x - a*a, x, 2.5, a")
    cols = [rng.uniform(-2, 2, 300), rng.uniform(0.5, 2, 300)]
    with np.errstate(all="ignore"):
        want_v, want_rows = reverse.jacobian(program, cols, [1, 0], vector)
    for chunk in (1, 7, 64, 1000):
        got_v, got_rows = vectorized.reverse_jacobian(program, cols, [1, 0], chunk=chunk)
        for got, want in zip(got_v, want_v):
            np.testing.assert_array_equal(got, np.broadcast_to(want, got.shape))
        for got_row, want_row in zip(got_rows, want_rows):
            for got, want in zip(got_row, want_row):
                np.testing.assert_array_equal(got, np.broadcast_to(0.0 if want is None else want, got.shape))
    np.testing.assert_array_equal(got_rows[2][1], np.ones(300))    # d x / d x
    np.testing.assert_array_equal(got_rows[3][0], np.zeros(300))   # d 2.5 / d y


@pytest.mark.parametrize("mode", ["forward", "reverse"])
def test_api_array_call_is_the_chunked_engine_at_any_shape(mode):
    # The API at arrays of points flattens the broadcast shape, runs the chunked engine
    # and shapes the results back: the same bits as the whole-array numpy sweep, for
    # several outputs, a variable held fixed and one the expression does not have.
    rng = np.random.default_rng(7)
    f = api.compile("a = x*y; a + sin(x)*z, exp(a)/x - a*a, 2.5, sqrt(z - 1)")
    x, y, z = rng.uniform(0.5, 2, (3, 1)), rng.uniform(-2, 2, (1, 4)), rng.uniform(0, 2, (3, 4))
    r = f.jacobian(x=x, y=y, z=z, w=1.0, wrt=["z", "w", "x"], mode=mode)
    cols = [np.broadcast_to(v, (3, 4)) for v in (x, y, z)]
    with np.errstate(all="ignore"):
        backend = reverse if mode == "reverse" else forward
        want_v, want_rows = backend.jacobian(f.program, cols, [2, 0], vector)
    for got, want in zip(r.value, want_v):
        assert got.shape == (3, 4)
        np.testing.assert_array_equal(got, np.broadcast_to(want, (3, 4)))
    for got_row, want_row in zip(r.jacobian, want_rows):
        z_, w_, x_ = got_row
        for got, want in ((z_, want_row[0]), (x_, want_row[1])):
            assert got.shape == (3, 4)
            np.testing.assert_array_equal(got, np.broadcast_to(0.0 if want is None else want, (3, 4)))
        np.testing.assert_array_equal(w_, np.zeros((3, 4)))
    assert any("sqrt" in w for w in r.warnings)    # z - 1 < 0 somewhere
    np.testing.assert_array_equal(f.eval(x=x, y=y, z=z).value[0], r.value[0])


@pytest.mark.parametrize("mode", ["auto", "forward", "reverse"])
def test_api_array_call_equals_the_batch_path_bit_for_bit(mode):
    from adcli.batch import kinds
    rng = np.random.default_rng(8)
    f = api.compile(F_C)
    point = {v: rng.uniform(0.5, 2.0, 5000) for v in f.variables}
    point["y"][::7] = -1.0   # nan where the logarithm's argument goes negative
    r = f.grad(point, wrt=["z", "x"], mode=mode)
    b = kinds.grad_job(f, dict(point), {"wrt": ["z", "x"], "mode": mode})
    assert (b.mode, b.wrt) == (r.mode, r.wrt) == ("reverse" if mode != "forward" else "forward", ("z", "x"))
    for got, want in zip([*b.value, *b.jacobian[0]], [*r.value, *r.jacobian[0]]):
        np.testing.assert_array_equal(got, want)
    assert r.warnings and not b.warnings   # a batch asks again for each line that gave nan
    e = kinds.eval_job(f, dict(point), {})
    np.testing.assert_array_equal(e.value[0], f.eval(point).value[0])
    np.testing.assert_array_equal(e.value[0], r.value[0])
