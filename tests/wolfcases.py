"""Random smooth expressions at hard points, with a 50-digit reference derivative: the
corpus on which `adcli check` must never say "disagree" when AD is right ("check cries
wolf"). Used by tests/test_check_wolf.py (a few hundred cases) and by
benchmarks/check_wolf.py (about 2,000).

Each case is adcli source text, a point and an mpmath evaluator of the same function,
built side by side (the reference never goes through adcli's parser). The points are
chosen to be hard for a finite-difference check, in the ways the issue found:

    moderate   a random smooth expression at |x| <= 3 (the easy baseline)
    large      |x| up to 1e10: sin(x) spans many periods within 0.1*|x|
    tiny       |x| down to 1e-12
    offset     C + a*(expr) with C up to 1e12: f's roundoff swamps a small change
    scaled     the variables enter as (k*x), k from 1e-6 to 1e6: a local scale far from |x|
    edge       a pole or a domain edge (1/(x-p), log(x-p), sqrt(x-p), (x-p)^-2) just beside the point

Expressions are built bottom-up with an explicit stack, not by recursion.
"""
import math
import random

import mpmath as mp

from adcli.errors import AdcliError

DPS = 50
FAMILIES = ("moderate", "large", "tiny", "offset", "scaled", "edge")


def _bounded(g):
    """g refusing arguments beyond 1000: float64 has long overflowed there, and mpmath
    would go on (e^(e^1e9) never ends)."""
    def h(u):
        if abs(u) > 1000:
            raise ValueError("out of float64's range")
        return g(u)
    return h


_exp, _cosh, _expm1 = _bounded(mp.exp), _bounded(mp.cosh), _bounded(mp.expm1)


def _sigmoid(u):
    return 1 / (1 + _exp(-u))


# (adcli text template, mpmath function): smooth on the whole real line.
UNARY = [
    ("sin({})", mp.sin), ("cos({})", mp.cos), ("atan({})", mp.atan), ("tanh({})", mp.tanh),
    ("asinh({})", mp.asinh), ("erf({})", mp.erf), ("exp(({})/4)", lambda u: _exp(u / 4)),
    ("sigmoid({})", _sigmoid), ("softplus({})", lambda u: mp.log1p(_exp(u))),
    ("log(1 + ({})^2)", lambda u: mp.log(1 + u ** 2)), ("sqrt(2 + ({})^2)", lambda u: mp.sqrt(2 + u ** 2)),
    ("({})^2", lambda u: u ** 2), ("({})^3", lambda u: u ** 3), ("-({})", lambda u: -u),
    ("cosh(({})/3)", lambda u: _cosh(u / 3)), ("expm1(({})/3)", lambda u: _expm1(u / 3)),
    ("log1p(({})^2)", lambda u: mp.log1p(u ** 2)), ("cbrt(3 + sigmoid({}))", lambda u: mp.cbrt(3 + _sigmoid(u))),
]
BINARY = [
    ("({}) + ({})", lambda a, b: a + b), ("({}) - ({})", lambda a, b: a - b),
    ("({}) * ({})", lambda a, b: a * b), ("({}) / (2 + ({})^2)", lambda a, b: a / (2 + b ** 2)),
    ("hypot(1, ({}) + ({}))", lambda a, b: mp.hypot(1, a + b)),
    ("atan2(({}), 2 + ({})^2)", lambda a, b: mp.atan2(a, 2 + b ** 2)),
]
# f(d) with d = x - p: a pole or a domain edge at d = 0; the point has d > 0.
EDGES = [
    ("1/({})", lambda d: 1 / d), ("log({})", mp.log), ("sqrt({})", mp.sqrt), ("({})^-2", lambda d: d ** -2),
    ("({})^1.5", lambda d: d ** mp.mpf(1.5)), ("tan(1.5707963267948966 - ({}))", lambda d: mp.tan(mp.mpf(
        1.5707963267948966) - d)),
]


def _num(c):
    """c as adcli text that reads back as the same float."""
    return repr(float(c))


def expression(rng, depth, leaf):
    """(text, evaluator(env)) of a random smooth expression; leaf() gives the leaves."""
    stack = [leaf() for _ in range(2 ** depth)]
    for _ in range(depth):
        nxt = []
        for i in range(0, len(stack), 2):
            (ta, fa), (tb, fb) = stack[i], stack[i + 1]
            if rng.random() < 0.5:
                tpl, g = rng.choice(BINARY)
                nxt.append((tpl.format(ta, tb), lambda env, g=g, fa=fa, fb=fb: g(fa(env), fb(env))))
            else:
                tpl, g = rng.choice(UNARY)
                tpl2, g2 = rng.choice(BINARY[:3])
                nxt.append((tpl.format(tpl2.format(ta, tb)),
                            lambda env, g=g, g2=g2, fa=fa, fb=fb: g(g2(fa(env), fb(env)))))
        stack = nxt
    return stack[0]


def _leaves(rng, scale=None):
    def leaf():
        if rng.random() < 0.25:
            c = rng.choice([0.5, 1.5, 2.0, 3.0])
            return _num(c), (lambda env, c=c: mp.mpf(c))
        v = rng.choice(("x", "y"))
        if scale is None:
            return v, (lambda env, v=v: env[v])
        return f"({_num(scale)}*{v})", (lambda env, v=v: mp.mpf(scale) * env[v])
    return leaf


def _log_uniform(rng, lo, hi):
    return 10.0 ** rng.uniform(lo, hi)


def case(rng, family):
    """(family, text, point, evaluator(env)) of one case of the family."""
    depth = rng.choice([1, 2, 2, 3])
    sign = rng.choice([-1.0, 1.0])
    if family == "moderate":
        text, f = expression(rng, depth, _leaves(rng))
        point = {"x": rng.uniform(-3, 3), "y": rng.uniform(-3, 3)}
    elif family == "large":
        text, f = expression(rng, rng.choice([1, 1, 2]), _leaves(rng))
        if rng.random() < 0.3:
            text, f = rng.choice([("sin(x)", lambda env: mp.sin(env["x"])),
                                  ("cos(x)*y", lambda env: mp.cos(env["x"]) * env["y"]),
                                  ("sin(x) + x", lambda env: mp.sin(env["x"]) + env["x"])])
        point = {"x": sign * _log_uniform(rng, 2, 10), "y": rng.choice([-1, 1]) * _log_uniform(rng, 0, 10)}
    elif family == "tiny":
        text, f = expression(rng, depth, _leaves(rng))
        point = {"x": sign * _log_uniform(rng, -12, -2), "y": rng.choice([-1, 1]) * _log_uniform(rng, -12, 0)}
    elif family == "offset":
        core, g = expression(rng, depth, _leaves(rng))
        c, a = sign * _log_uniform(rng, 2, 12), _log_uniform(rng, -4, 0)
        text = f"{_num(c)} + {_num(a)}*({core})"

        def f(env, g=g, c=c, a=a):
            return mp.mpf(c) + mp.mpf(a) * g(env)
        point = {"x": rng.uniform(-3, 3), "y": rng.uniform(-3, 3)}
    elif family == "scaled":
        k = _log_uniform(rng, -6, 6)
        text, f = expression(rng, depth, _leaves(rng, k))
        point = {"x": rng.uniform(-3, 3) / k, "y": rng.uniform(-3, 3) / k}
    elif family == "edge":
        p = rng.choice([0.0, 0.0, 1.0, -2.5, 1000.0])
        d = "x" if p == 0 else f"(x - {_num(p)})"
        tpl, e = rng.choice(EDGES)
        core, g = expression(rng, rng.choice([1, 2]), _leaves(rng))
        how = rng.choice(["+", "*", "alone"])
        edge = tpl.format(d)
        text = edge if how == "alone" else f"{edge} {how} ({core})"

        def f(env, e=e, g=g, p=p, how=how):
            u = e(env["x"] - mp.mpf(p))
            return u if how == "alone" else u + g(env) if how == "+" else u * g(env)
        point = {"x": p + _log_uniform(rng, -10, -1) * max(1.0, abs(p)), "y": rng.uniform(-3, 3)}
    else:
        raise ValueError(family)
    return family, text, point, f


def cases(seed, count):
    """count cases, the families in turn."""
    rng = random.Random(seed)
    return [case(rng, FAMILIES[i % len(FAMILIES)]) for i in range(count)]


def reference(f, point, names):
    """{name: d f / d name} at the point, by a central difference at DPS digits with a
    step 1e-20 times the variable's size: good to far more digits than float64 holds.
    None for a name where the function is not real and finite."""
    out = {}
    with mp.workdps(DPS):
        env = {k: mp.mpf(v) for k, v in point.items()}
        for name in names:
            x0 = env[name]
            h = mp.mpf(10) ** -20 * max(abs(x0), mp.mpf(10) ** -12)
            try:
                up = f({**env, name: x0 + h})
                dn = f({**env, name: x0 - h})
            except (ZeroDivisionError, ValueError):
                out[name] = None
                continue
            if isinstance(up, mp.mpc) or isinstance(dn, mp.mpc):
                out[name] = None
                continue
            d = (up - dn) / (2 * h)
            out[name] = float(d) if mp.isfinite(d) else None
    return out


def ad_is_right(ad, ref):
    """AD within 1e-9 of the reference, relative above 1 and absolute below (the
    scale of check's own tolerance, 1000 times tighter)."""
    return ref is not None and math.isfinite(ad) and abs(ad - ref) <= 1e-9 * max(1.0, abs(ref))


def verdict(row):
    """A row's verdict, also from a checker that only had ok (before the three verdicts)."""
    v = getattr(row, "verdict", None)
    return v if v is not None else ("agree" if row.ok else "disagree")


def run(cases_, compile_):
    """Check every case where AD is right: [(family, text, point, {var: verdict}, rows)],
    and the number of cases left out (AD off the reference, or nothing finite)."""
    done, skipped = [], 0
    for family, text, point, f in cases_:
        fn = compile_(text)
        pt = {v: point[v] for v in fn.program.inputs}
        try:
            r = fn.check(pt)
        except AdcliError:   # a point the API refuses is not a case
            skipped += 1
            continue
        if not math.isfinite(r.value):
            skipped += 1
            continue
        ref = reference(f, pt, list(pt))
        if not all(ad_is_right(row.forward, ref[row.var]) for row in r.rows):
            skipped += 1
            continue
        done.append((family, text, pt, {row.var: verdict(row) for row in r.rows}, r.rows))
    return done, skipped
