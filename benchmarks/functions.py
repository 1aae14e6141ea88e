"""The benchmark functions of issue 3 (for comparison with published peer figures),
and f_c's gradient written by hand in plain numpy, as a typical user would."""
import numpy as np

F_A = "(x + y)*(x - y)"
F_B = "log(x1) + x1*x2 - sin(x2)"
F_C = ("exp(sin(x*y)/(1 + z^2)) + log(1 + x^2 + y*z)*cos(x - z) - sqrt(x*x + y*y + z)*tanh(y/z)"
       " + (x + y*z)^1.5/(2 + cos(y))")


def points(n, names=("x", "y", "z"), seed=0):
    rng = np.random.default_rng(seed)
    return {v: rng.uniform(0.5, 2.0, n) for v in names}


def f_a_by_hand(x, y):
    s, d = x + y, x - y
    return s * d, 2 * x, -2 * y


def f_b_by_hand(x1, x2):
    return np.log(x1) + x1 * x2 - np.sin(x2), 1 / x1 + x2, x1 - np.cos(x2)


def f_c_by_hand(x, y, z):
    """Value and gradient of F_C, analytic, common subexpressions shared by hand."""
    xy = x * y
    yz = y * z
    s, c = np.sin(xy), np.cos(xy)
    q = 1 + z * z
    a = np.exp(s / q)
    inner = 1 + x * x + yz
    log_inner = np.log(inner)
    u = x - z
    cu, su = np.cos(u), np.sin(u)
    r = np.sqrt(x * x + y * y + z)
    t = np.tanh(y / z)
    dt = r * (1 - t * t) / z
    w = x + yz
    sw = np.sqrt(w)
    cy = np.cos(y)
    den = 2 + cy
    value = a + log_inner * cu - r * t + w * sw / den
    dx = a * c * y / q + 2 * x / inner * cu - log_inner * su - x / r * t + 1.5 * sw / den
    dy = (a * c * x / q + z / inner * cu - (y / r * t + dt)
          + 1.5 * sw * z / den + w * sw * np.sin(y) / (den * den))
    dz = (-a * s * 2 * z / (q * q) + y / inner * cu + log_inner * su - (0.5 / r * t - dt * y / z)
          + 1.5 * sw * y / den)
    return value, dx, dy, dz
