"""Forward == reverse == finite differences on random expressions.

A seeded generator builds random expression strings from the function table together
with an independent mpmath evaluator of the same expression (it never goes through
adcli's parser or IR). At points inside every op's domain (points too close to a
singularity or a kink are rejected), adcli's value and both AD modes are compared with
mpmath, and the modes with each other; a compiled expression evaluated on numpy arrays
of points must give what a loop over the single points gives.
"""
import math
import random

import mpmath as mp
import numpy as np
import pytest

import adcli
from adcli.ops.table import FUNCTIONS
from conftest import close

DPS = 40  # per computation (mp.workdps), never globally
VARS = ("x", "y", "z")
N_EXPRESSIONS = 300


class Reject(Exception):
    """The point is too close to a singularity or a kink for a fair comparison."""


def _need(cond):
    if not cond:
        raise Reject


def _mp_cbrt(v):
    return mp.sign(v) * mp.cbrt(abs(v))


# name -> (text maker, mpmath function with margin checks). Arguments that would leave
# the domain are wrapped so that most random points are valid.
def _unary(name):
    f = {
        "sin": mp.sin, "cos": mp.cos, "atan": mp.atan, "sinh": mp.sinh, "cosh": mp.cosh, "tanh": mp.tanh,
        "asinh": mp.asinh, "exp": mp.exp, "expm1": mp.expm1, "erf": mp.erf,
        "sigmoid": lambda v: 1 / (1 + mp.exp(-v)), "softplus": lambda v: mp.log1p(mp.exp(v)),
    }.get(name)
    if f is not None:
        return (lambda a: f"{name}({a})"), f
    if name in ("log", "log2", "log10", "sqrt"):
        g = {"log": mp.log, "log2": lambda v: mp.log(v, 2), "log10": mp.log10, "sqrt": mp.sqrt}[name]
        return (lambda a: f"{name}(1.5 + sin({a}))"), (lambda v: g(mp.mpf(1.5) + mp.sin(v)))
    if name == "log1p":
        return (lambda a: f"log1p(0.5*cos({a}))"), (lambda v: mp.log1p(mp.cos(v) / 2))
    if name in ("asin", "acos", "atanh"):
        g = {"asin": mp.asin, "acos": mp.acos, "atanh": mp.atanh}[name]
        return (lambda a: f"{name}(0.9*tanh({a}))"), (lambda v: g(mp.mpf(0.9) * mp.tanh(v)))
    if name == "acosh":
        return (lambda a: f"acosh(2 + ({a})^2)"), (lambda v: mp.acosh(2 + v * v))
    if name == "tan":
        return (lambda a: f"tan(1.2*sin({a}))"), (lambda v: mp.tan(mp.mpf(1.2) * mp.sin(v)))

    def kinked(g):
        def h(v):
            _need(abs(v) > 1e-3)
            return g(v)
        return h
    g = {"abs": abs, "sign": mp.sign, "relu": lambda v: max(v, 0), "cbrt": _mp_cbrt}[name]
    return (lambda a: f"{name}({a})"), kinked(g)


def _binary(name):
    if name == "pow":
        return (lambda a, b: f"pow(1.5 + sin({a}), {b})"), (lambda u, v: mp.power(mp.mpf(1.5) + mp.sin(u), v))
    if name == "atan2":
        def f(u, v):
            _need(mp.hypot(u, v) > 1e-2)
            return mp.atan2(u, v)
        return (lambda a, b: f"atan2({a}, {b})"), f
    if name == "hypot":
        def f(u, v):
            _need(mp.hypot(u, v) > 1e-2)
            return mp.hypot(u, v)
        return (lambda a, b: f"hypot({a}, {b})"), f

    def tie(g):
        def h(u, v):
            _need(abs(u - v) > 1e-3)
            return g(u, v)
        return h
    g = {"min": min, "max": max}[name]
    return (lambda a, b: f"{name}({a}, {b})"), tie(g)


UNARY = {n: _unary(n) for n, p in FUNCTIONS.items() if p.arity == 1}
BINARY = {n: _binary(n) for n, p in FUNCTIONS.items() if p.arity == 2}


def test_the_generator_covers_every_function():
    assert set(UNARY) | set(BINARY) | {"if"} == set(FUNCTIONS)   # if: random_program's _conditional


def _div(u, v):
    _need(abs(v) > 0.1)
    return u / v


def _powc(u, c):
    if c != int(c):
        _need(u > 0.05)
    elif c < 0:
        _need(abs(u) > 0.1)
    return mp.power(u, c)


OPERATORS = {
    "+": lambda u, v: u + v, "-": lambda u, v: u - v, "*": lambda u, v: u * v, "/": _div,
}
CONSTANTS = [("2", 2), ("0.5", mp.mpf(0.5)), ("3", 3), ("1.25", mp.mpf(1.25)), ("pi", mp.pi), ("e", mp.e),
             (".75", mp.mpf(0.75)), ("1e-1", mp.mpf("0.1"))]
EXPONENTS = [("2", 2), ("3", 3), ("-1", -1), ("0.5", mp.mpf(0.5)), ("(1/3)", mp.mpf(1) / 3), ("-2", -2),
             ("1.5", mp.mpf(1.5))]


def build(rng, depth, names):
    """(text, evaluator(env)) of a random expression over `names`."""
    r = rng.random()
    if depth <= 0 or r < 0.15:
        if rng.random() < 0.85:
            v = rng.choice(names)
            return v, (lambda env: env[v])
        text, c = rng.choice(CONSTANTS)
        return text, (lambda env: mp.mpf(c))
    r = rng.random()
    if r < 0.35:
        name = rng.choice(sorted(UNARY))
        t, f = build(rng, depth - 1, names)
        mk, g = UNARY[name]
        return mk(t), (lambda env: g(f(env)))
    if r < 0.5:
        name = rng.choice(sorted(BINARY))
        (t1, f1), (t2, f2) = build(rng, depth - 1, names), build(rng, depth - 1, names)
        mk, g = BINARY[name]
        return mk(t1, t2), (lambda env: g(f1(env), f2(env)))
    if r < 0.6:
        t, f = build(rng, depth - 1, names)
        text, c = rng.choice(EXPONENTS)
        op = rng.choice(["^", "**"])
        return f"({t}){op}{text}", (lambda env: _powc(f(env), c))
    if r < 0.67:
        t, f = build(rng, depth - 1, names)
        return f"-({t})", (lambda env: -f(env))
    op = rng.choice(sorted(OPERATORS))
    (t1, f1), (t2, f2) = build(rng, depth - 1, names), build(rng, depth - 1, names)
    g = OPERATORS[op]
    return f"({t1}) {op} ({t2})", (lambda env: g(f1(env), f2(env)))


# Valid for u > 0 and outside the domain (nan, or a pole) for u <= 0: the poison an `if`
# puts in the branch it does not take.
POISON = [("sqrt({})", mp.sqrt), ("log({})", mp.log), ("1/({})", lambda u: 1 / u), ("({})^-0.5", lambda u: u ** -0.5),
          ("acosh(1 + {})", lambda u: mp.acosh(1 + u)), ("log2({})", lambda u: mp.log(u, 2))]


def _conditional(seed, t, f, names):
    """About one program in three: if(u > 0, t + p(u), t2 + q(-u)), each branch outside its
    domain where it is not taken. Its own generator, so the programs without it stay the same."""
    rng = random.Random(f"if-{seed}")
    if rng.random() > 0.35:
        return t, f
    tu, fu = build(rng, 2, names)
    t2, f2 = build(rng, 2, names)
    (pa, ga), (pb, gb) = rng.choice(POISON), rng.choice(POISON)
    text = f"if({tu} > 0, ({t}) + {pa.format(tu)}, ({t2}) + {pb.format(f'-({tu})')})"

    def g(env):
        u = fu(env)
        _need(abs(u) > 1e-2)   # away from the boundary, where a branch is itself near its pole
        return f(env) + ga(u) if u > 0 else f2(env) + gb(-u)
    return text, g


def random_program(seed):
    """Sometimes with let-bindings, which the mpmath side resolves itself; sometimes an if
    whose branch not taken is outside its domain."""
    rng = random.Random(seed)
    names = list(VARS[:rng.choice([1, 2, 3, 3])])
    statements, env_fns = [], []
    for k in range(rng.choice([0, 0, 1, 2])):
        t, f = build(rng, rng.randint(1, 3), names)
        statements.append(f"a{k} = {t}")
        env_fns.append((f"a{k}", f))
        names = names + [f"a{k}"]
    t, f = build(rng, rng.randint(2, 5), names)
    t, f = _conditional(seed, t, f, names)
    statements.append(t)

    def evaluate(point):
        with mp.workdps(DPS):
            return _evaluate(point)

    def _evaluate(point):
        env = {k: mp.mpf(point.get(k, 0.7)) for k in VARS}  # an unused binding may name any variable
        for name, g in env_fns:
            env[name] = g(env)
        y = f(env)
        _need(mp.im(y) == 0 if isinstance(y, mp.mpc) else True)
        _need(abs(y) < 1e8)
        return y
    sep = rng.choice(["; ", "\n", " ;"])
    return sep.join(statements), evaluate


def mp_gradient(evaluate, point, wrt):
    with mp.workdps(DPS):
        return _mp_gradient(evaluate, point, wrt)


def _mp_gradient(evaluate, point, wrt):
    h = mp.mpf(10) ** -15
    grad = []
    for v in wrt:
        up, dn = dict(point), dict(point)
        up[v] = mp.mpf(point[v]) + h
        dn[v] = mp.mpf(point[v]) - h
        grad.append((evaluate(up) - evaluate(dn)) / (2 * h))
    return grad


def _cases():
    out, seed = [], 0
    while len(out) < N_EXPRESSIONS:
        seed += 1
        text, evaluate = random_program(seed)
        rng = random.Random(f"point-{seed}")
        program = adcli.parse(text)
        if not program.inputs:
            continue
        points = []
        for _ in range(12):
            point = {v: rng.uniform(-2.0, 2.0) for v in program.inputs}
            try:
                y = evaluate(point)
                g = mp_gradient(evaluate, point, program.inputs)
            except (Reject, ZeroDivisionError, ValueError):
                continue
            if all(abs(d) < 1e8 for d in g):
                points.append((point, y, g))
            if len(points) == 3:
                break
        if points:
            out.append((seed, text, points))
    return out


CASES = _cases()


def _scale(ws):
    return max([1.0] + [abs(float(w)) for w in ws])


@pytest.mark.parametrize("seed,text,points", CASES, ids=[f"seed{c[0]}" for c in CASES])
def test_forward_equals_reverse_equals_mpmath(seed, text, points):
    f = adcli.compile(text)
    f.program.verify()
    for point, y, g in points:
        fw = f.grad(point, mode="forward")
        rv = f.grad(point, mode="reverse")
        assert fw.warnings == [] and rv.warnings == [], (text, point, fw.warnings)
        assert fw.value == rv.value
        scale = _scale([y, *g])
        assert close(fw.value[0], float(y), rel=1e-9, abs_=1e-12 * scale), (text, point, fw.value, y)
        for v, want in zip(f.program.inputs, g):
            a, b = fw.gradient[v], rv.gradient[v]
            # The two modes sum the same products in different orders: 1e-12 relative.
            assert close(a, b, rel=1e-12, abs_=1e-14 * scale), (text, point, v, a, b)
            assert close(a, float(want), rel=1e-7, abs_=1e-9 * scale), (text, point, v, a, want)


def test_the_random_expressions_are_not_trivial():
    # Guard the generator itself: enough cases, several variables, let-bindings, every function.
    assert len(CASES) == N_EXPRESSIONS
    texts = [t for _, t, _ in CASES]
    assert sum("a0 =" in t for t in texts) > 30
    assert sum(len(adcli.parse(t).inputs) == 3 for t in texts) > 30
    for name in FUNCTIONS:
        assert any(f"{name}(" in t for t in texts), name
    assert sum(len(adcli.parse(t).nodes) > 12 for t in texts) > 50


@pytest.mark.parametrize("mode", ["forward", "reverse"])
def test_vectorized_equals_a_loop_of_single_points(mode):
    checked = 0
    for _seed, text, points in CASES[::3]:
        f = adcli.compile(text)
        names = f.program.inputs
        if not names:
            continue
        arrays = {v: np.array([p[v] for p, _, _ in points]) for v in names}
        vec = f.grad(arrays, mode=mode)
        assert vec.value[0].shape == (len(points),)
        for k, (point, _, _) in enumerate(points):
            one = f.grad(point, mode=mode)
            scale = _scale([one.value[0], *one.gradient.values()])
            assert close(vec.value[0][k], one.value[0], rel=1e-13, abs_=1e-15 * scale), (text, point)
            for v in names:
                assert close(vec.gradient[v][k], one.gradient[v], rel=1e-12, abs_=1e-14 * scale), \
                    (text, point, v, vec.gradient[v][k], one.gradient[v])
            checked += 1
        ev = f.eval(arrays)
        assert np.array_equal(ev.value[0], vec.value[0])
    assert checked > 100


def test_reverse_mode_satisfies_the_inner_product_identity():
    # <u, J v> == <J^T u, v> for a function with several outputs (forward: J v; reverse: J^T u).
    from adcli.engine import forward, reverse
    from adcli.ops import scalar
    rng = random.Random(7)
    for _seed, text, points in CASES[:60]:
        program = adcli.parse(text.replace("\n", "; ") + ", " + build(rng, 2, ["x"])[0]) \
            if "x" in adcli.parse(text).inputs else adcli.parse(text)
        xs = [points[0][0].get(v, 0.7) for v in program.inputs]
        v = [rng.uniform(-1, 1) for _ in xs]
        u = [rng.uniform(-1, 1) for _ in program.outputs]
        vals, tans = forward.jvp(program, xs, [[t] for t in v], scalar)
        jv = [tans[o][0] if tans[o] is not None and tans[o][0] is not None else 0.0 for o in program.outputs]
        _, adj, _ = reverse.vjp(program, xs, [[c] for c in u], scalar)
        jtu = [a[0] if a is not None and a[0] is not None else 0.0 for a in adj]
        lhs = sum(a * b for a, b in zip(u, jv))
        rhs = sum(a * b for a, b in zip(jtu, v))
        if all(math.isfinite(t) for t in (lhs, rhs)):
            assert close(lhs, rhs, rel=1e-10, abs_=1e-12 * (1 + abs(lhs))), (program.source, lhs, rhs)


def test_parenthesized_text_reads_back_as_the_same_program():
    # What --explain prints ("read as: ...") must mean exactly what the user typed.
    from adcli.language.syntax import parenthesize, parse
    for _seed, text, _ in CASES:
        shown = parenthesize(parse(text))
        assert adcli.parse(shown).listing() == adcli.parse(text).listing(), (text, shown)
        assert parenthesize(parse(shown)) == shown
