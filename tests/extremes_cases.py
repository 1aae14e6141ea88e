"""The points at which tests/test_extremes.py checks every op: the middle of its domain,
0 and the points where a rule branches, and the extreme magnitudes of float64."""
import math

from adcli.ops.table import PRIMS

EXTREMES = (1e-300, 1e-200, 1e-17, 19.0, 20.0, 40.0, 356.0, 1e155, 1e200, 1e300)
SIGNED = tuple(sorted({s * x for x in EXTREMES for s in (1, -1)} | {0.0}))

# Middle points, and the points where a rule switches formula (|x| = 0.5 for 1 - x^2 against
# (1 - x)(1 + x); |x| = 710 where cosh overflows ...), per op.
MIDDLE = {
    "default": (0.7, -1.3, 2.9),
    "asin": (0.3, -0.62, 0.5, -0.5, 0.97, -0.999999), "acos": (0.3, -0.62, 0.5, -0.5, 0.97, -0.999999),
    "atanh": (0.3, -0.62, 0.5, -0.5, 0.97, -0.999999),
    "acosh": (1.5, 3.7, 1.0000001),
    "log": (0.5, 3.3), "log2": (0.5, 3.3), "log10": (0.5, 3.3), "sqrt": (0.5, 3.3),
    "log1p": (-0.5, -0.999, 2.5),
    "tan": (1.2, -0.4, 1.5707963),
    "tanh": (0.5, -3.2, 354.0, 355.5, 710.0, -710.7, 750.0),
    "sigmoid": (0.5, -3.2, 710.5, -711.0, 745.0, -745.5, 1419.0, 1421.0, -1500.0),
    "softplus": (0.5, -3.2, 710.5, -711.0, 745.0, -745.5, 1421.0, -1500.0),
    "erf": (0.5, -2.2, 5.3, -19.7, 26.1, -27.3),  # squares that round (20^2 does not)
    "exp": (0.7, -1.3, 700.0, -700.0), "expm1": (0.7, -1.3, 700.0, -700.0, 1e-5),
    "sinh": (0.7, -1.3, 700.0, -700.0), "cosh": (0.7, -1.3, 700.0, -700.0),
}

POWC_PARAMS = (2.0, 3.0, -1.0, -2.0, 0.5, 1.0 / 3.0, 2.5, -0.5)


def smooth_at(name, x, p=None):
    """Whether op `name` is smooth (has a Taylor series) at x: inside the open domain,
    away from corners, jumps and the points where a derivative is infinite."""
    if name in ("asin", "acos", "atanh"):
        return abs(x) < 1
    if name == "acosh":
        return x > 1
    if name in ("log", "log2", "log10", "sqrt"):
        return x > 0
    if name in ("cbrt", "abs", "sign", "relu"):
        return x != 0
    if name == "log1p":
        return x > -1
    if name == "powc":
        if p == int(p):
            return p >= 0 or x != 0
        return x > 0
    return True


def unary_points(name, p=None):
    pts = set(SIGNED) | set(MIDDLE.get(name, MIDDLE["default"]))
    return sorted(x for x in pts if smooth_at(name, x, p))


def expression(name, p=None):
    prim = PRIMS[name]
    if name == "neg":
        return "-x"
    if name == "powc":
        return f"x^({p!r})"
    if prim.arity == 1:
        return f"{name}(x)"
    return {"add": "x + y", "sub": "x - y", "mul": "x * y", "div": "x / y", "pow": "x^y"}.get(name, f"{name}(x, y)")


SCALES = (1e-300, 1e-200, 1e-17, 1.0, 20.0, 1e155, 1e200, 1e300)
SHAPES = ((0.3, 0.77), (-1.1, 0.45), (0.2, -0.9))


def binary_points(name):
    if name in ("atan2", "hypot"):
        return [(s * a, s * b) for s in SCALES for a, b in SHAPES]
    if name == "pow":
        return [(a, b) for a in (0.5, 2.5, 1e-17, 1e-200, 1e300, 19.0) for b in (1.5, -0.7, 3.0, 0.3)
                if -690 < b * math.log(a) < 690]
    if name == "div":
        return [(a, b) for a in (1.3, -2.1, 1e-300, 1e300) for b in (0.7, -1e-200, 1e200, -1e300, 3e-17)
                if math.isfinite(a / b) and a / b != 0]
    if name in ("mul", "add", "sub"):
        return [(1.3, -2.1), (1e300, 1e-300), (-1e-200, 1e100), (1e-17, 3.0)]
    if name in ("min", "max"):
        return [(0.3, 1.7), (2.5, -1.1), (-1e300, 1e-300)]
    raise ValueError(name)
