"""Random smooth expressions, as adcli source text and as the same SymPy expression,
for tests that compare against SymPy as an independent oracle."""
import random

import sympy as sp

X, Y = sp.symbols("x y")
VARS = {"x": X, "y": Y}

# (adcli text template, sympy builder); all defined and smooth on the whole real line
# for arguments of moderate size.
UNARY = [
    ("sin({})", sp.sin), ("cos({})", sp.cos), ("atan({})", sp.atan), ("tanh({})", sp.tanh),
    ("asinh({})", sp.asinh), ("erf({})", sp.erf), ("exp(({})/4)", lambda u: sp.exp(u / 4)),
    ("sigmoid({})", lambda u: 1 / (1 + sp.exp(-u))), ("softplus({})", lambda u: sp.log(1 + sp.exp(u))),
    ("log(1 + ({})^2)", lambda u: sp.log(1 + u ** 2)), ("sqrt(2 + ({})^2)", lambda u: sp.sqrt(2 + u ** 2)),
    ("({})^2", lambda u: u ** 2), ("({})^3", lambda u: u ** 3), ("-({})", lambda u: -u),
    ("cosh(({})/3)", lambda u: sp.cosh(u / 3)), ("expm1(({})/3)", lambda u: sp.exp(u / 3) - 1),
    ("log1p(({})^2)", lambda u: sp.log(1 + u ** 2)),
    ("cbrt(3 + sigmoid({}))", lambda u: sp.cbrt(3 + 1 / (1 + sp.exp(-u)))),
]
BINARY = [
    ("({}) + ({})", lambda a, b: a + b), ("({}) - ({})", lambda a, b: a - b),
    ("({}) * ({})", lambda a, b: a * b), ("({}) / (2 + ({})^2)", lambda a, b: a / (2 + b ** 2)),
    ("hypot(1, ({}) + ({}))", lambda a, b: sp.sqrt(1 + (a + b) ** 2)),
    ("atan2(({}), 2 + ({})^2)", lambda a, b: sp.atan2(a, 2 + b ** 2)),
]


def expression(rng, depth=3, names=("x", "y")):
    """(adcli source, sympy expression); built with an explicit stack, not recursion."""
    # Choose a shape first: a list of operations applied bottom-up.
    def leaf():
        if rng.random() < 0.25:
            c = rng.choice([0.5, 1.5, 2.0, 3.0])
            return str(c), sp.nsimplify(c)
        n = rng.choice(names)
        return n, VARS[n]
    stack = [leaf() for _ in range(2 ** depth)]
    for _ in range(depth):
        nxt = []
        for i in range(0, len(stack), 2):
            a, b = stack[i], stack[i + 1]
            if rng.random() < 0.5:
                tpl, fn = rng.choice(BINARY)
                nxt.append((tpl.format(a[0], b[0]), fn(a[1], b[1])))
            else:
                tpl, fn = rng.choice(UNARY)
                tpl2, fn2 = rng.choice(BINARY[:3])
                inner = (tpl2.format(a[0], b[0]), fn2(a[1], b[1]))
                nxt.append((tpl.format(inner[0]), fn(inner[1])))
        stack = nxt
    return stack[0]


def cases(seed, count, depth=3):
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        src, expr = expression(rng, depth)
        point = {"x": rng.choice([-1.25, -0.5, 0.25, 0.75, 1.5]), "y": rng.choice([-1.0, -0.25, 0.5, 1.25])}
        out.append((src, expr, point))
    return out
