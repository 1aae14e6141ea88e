"""Numbers as text, the one place that decides how adcli writes a float: the shortest
text that reads back as the same float, integral values without '.0', -0 kept, and the
non-finite values as nan, inf and -inf. Standard library only at import (numpy is
imported by the one function that takes an array): every layer may use it."""
import math


def number(v, precision=None):
    """Shortest text that reads back as the same float (or `precision` significant digits)."""
    v = float(v)
    if not math.isfinite(v):
        return "nan" if v != v else ("inf" if v > 0 else "-inf")
    if precision is not None:
        return f"{v:.{precision}g}"  # keeps -0 as -0, like the full-precision text
    if v.is_integer() and abs(v) < 1e16:
        return str(int(v)) if v or math.copysign(1, v) > 0 else "-0"
    return repr(v)


def json_number(v):
    v = float(v)
    return v if math.isfinite(v) else ("nan" if v != v else "inf" if v > 0 else "-inf")


def constant(v):
    """A constant as written in an expression, a trace or a warning: 2, 0.5, -0, pi, e,
    nan, inf."""
    v = float(v)
    if v.is_integer() and abs(v) < 1e16:
        # int() drops the sign of -0.0, and "1 / 0 = -inf" would then read as a mistake.
        return "-0" if v == 0 and math.copysign(1.0, v) < 0 else str(int(v))
    if v == math.pi:
        return "pi"
    if v == math.e:
        return "e"
    return repr(v)


def value(v, precision=None, decimals=None):
    """A value in a trace or a graph: None (a structural zero) is 0; with `decimals`,
    that many places with trailing zeros dropped (10.000 -> 10, as textbooks print);
    otherwise number(v, precision)."""
    if v is None:
        return "0"
    if decimals is None or not math.isfinite(v):
        return number(v, precision)
    text = f"{float(v):.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def tick(v, step):
    """An axis label: as many places as the tick step needs, 3 significant digits for
    very large or small values."""
    if v == 0:
        return "0"
    if abs(v) >= 1e6 or abs(v) < 1e-4:
        return f"{v:.3g}"
    places = max(0, -math.floor(math.log10(step) + 1e-9))
    if round(step / 10 ** math.floor(math.log10(step) + 1e-9), 6) == 2.5:
        places += 1
    text = f"{v:.{places}f}"
    return "0" if text.strip("-0.") == "" else text


def number_column(a):
    """Shortest round-trip text of every float in a (as number() writes them:
    integral values without '.0')."""
    import numpy as np
    out = list(map(repr, a.tolist()))
    with np.errstate(invalid="ignore"):
        whole = np.flatnonzero((a == np.trunc(a)) & (np.abs(a) < 1e16))
    for i in whole.tolist():
        out[i] = number(a[i])
    return out
