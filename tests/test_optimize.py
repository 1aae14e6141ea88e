"""minimize and solve on the Moré–Garbow–Hillstrom test problems (ACM TOMS 7, 1981),
from their standard starts, against their known minima and roots; the values at the
answers are recomputed here with Python's math module, independently of adcli."""
import math

import pytest

pytest.importorskip("scipy")

from adcli.api.optimize.minimize import minimize  # noqa: E402
from adcli.api.optimize.solve import solve  # noqa: E402


def sumsq(*terms):
    return " + ".join(f"({t})^2" for t in terms)


# name: (residuals f_i in adcli's language, the same in Python, start, minimizers, f*)
HELIX = "t = (atan(x2/x1) + pi*(1 - sign(x1))/2)/(2*pi)"


def helix_py(x1, x2, x3):
    t = (math.atan(x2 / x1) + math.pi * (1 - math.copysign(1, x1)) / 2) / (2 * math.pi)
    return [10 * (x3 - 10 * t), 10 * (math.hypot(x1, x2) - 1), x3]


MGH = {
    "rosenbrock": (["10*(x2 - x1^2)", "1 - x1"], lambda x1, x2: [10 * (x2 - x1 * x1), 1 - x1],
                   {"x1": -1.2, "x2": 1}, [(1, 1)], [0.0]),
    "freudenstein_roth": (["-13 + x1 + ((5 - x2)*x2 - 2)*x2", "-29 + x1 + ((x2 + 1)*x2 - 14)*x2"],
                          lambda x1, x2: [-13 + x1 + ((5 - x2) * x2 - 2) * x2, -29 + x1 + ((x2 + 1) * x2 - 14) * x2],
                          {"x1": 0.5, "x2": -2}, [(5, 4), (11.41277900, -0.8968052)], [0.0, 48.98425367924]),
    "powell_badly_scaled": (["1e4*x1*x2 - 1", "exp(-x1) + exp(-x2) - 1.0001"],
                            lambda x1, x2: [1e4 * x1 * x2 - 1, math.exp(-x1) + math.exp(-x2) - 1.0001],
                            {"x1": 0, "x2": 1}, [(1.098159329699759e-05, 9.106146739866961)], [0.0]),
    "brown_badly_scaled": (["x1 - 1e6", "x2 - 2e-6", "x1*x2 - 2"], lambda x1, x2: [x1 - 1e6, x2 - 2e-6, x1 * x2 - 2],
                           {"x1": 1, "x2": 1}, [(1e6, 2e-6)], [0.0]),
    "beale": (["1.5 - x1*(1 - x2)", "2.25 - x1*(1 - x2^2)", "2.625 - x1*(1 - x2^3)"],
              lambda x1, x2: [1.5 - x1 * (1 - x2), 2.25 - x1 * (1 - x2 ** 2), 2.625 - x1 * (1 - x2 ** 3)],
              {"x1": 1, "x2": 1}, [(3, 0.5)], [0.0]),
    "helical_valley": (["10*(x3 - 10*t)", "10*(sqrt(x1^2 + x2^2) - 1)", "x3"], helix_py,
                       {"x1": -1, "x2": 0, "x3": 0}, [(1, 0, 0)], [0.0]),
    "powell_singular": (["x1 + 10*x2", "sqrt(5)*(x3 - x4)", "(x2 - 2*x3)^2", "sqrt(10)*(x1 - x4)^2"],
                        lambda x1, x2, x3, x4: [x1 + 10 * x2, math.sqrt(5) * (x3 - x4), (x2 - 2 * x3) ** 2,
                                                math.sqrt(10) * (x1 - x4) ** 2],
                        {"x1": 3, "x2": -1, "x3": 0, "x4": 1}, [(0, 0, 0, 0)], [0.0]),
    "wood": (["10*(x2 - x1^2)", "1 - x1", "sqrt(90)*(x4 - x3^2)", "1 - x3", "sqrt(10)*(x2 + x4 - 2)",
              "(x2 - x4)/sqrt(10)"],
             lambda x1, x2, x3, x4: [10 * (x2 - x1 * x1), 1 - x1, math.sqrt(90) * (x4 - x3 * x3), 1 - x3,
                                     math.sqrt(10) * (x2 + x4 - 2), (x2 - x4) / math.sqrt(10)],
             {"x1": -3, "x2": -1, "x3": -3, "x4": -1}, [(1, 1, 1, 1)], [0.0]),
}
BOX_T = [0.1 * i for i in range(1, 11)]
MGH["box_3d"] = ([f"exp(-{t!r}*x1) - exp(-{t!r}*x2) - x3*(exp(-{t!r}) - exp(-10*{t!r}))" for t in BOX_T],
                 lambda x1, x2, x3: [math.exp(-t * x1) - math.exp(-t * x2) - x3 * (math.exp(-t) - math.exp(-10 * t))
                                     for t in BOX_T],
                 {"x1": 0, "x2": 10, "x3": 20}, [(1, 10, 1), (10, 1, -1)], [0.0])


def objective(name):
    terms, _, _, _, _ = MGH[name]
    text = sumsq(*terms)
    return f"{HELIX}; {text}" if name == "helical_valley" else text


def f_py(name, x):
    return math.fsum(r * r for r in MGH[name][1](**x))


@pytest.mark.parametrize("method", ["auto", "newton", "bfgs"])
@pytest.mark.parametrize("name", list(MGH))
def test_minimize_reaches_a_known_minimum(name, method):
    terms, _, start, minimizers, fstars = MGH[name]
    r = minimize(objective(name), start, method=method)
    if method == "bfgs" and name == "helical_valley" and not r.converged:
        # BFGS's line search stops at the model's jump (atan's branch at x1 = 0): it must say
        # so, with the best point it found, not claim a minimum. auto and newton cross it.
        assert r.message and f_py(name, r.x) <= f_py(name, start) and r.value == pytest.approx(f_py(name, r.x))
        return
    assert r.converged, r.message
    f = f_py(name, r.x)
    assert r.value == pytest.approx(f, rel=1e-9, abs=1e-20)
    assert any(abs(f - fs) <= 1e-9 * max(1, fs) for fs in fstars), f
    x = [r.x[v] for v in start]     # r.x is in the program's order of inputs
    if name == "powell_singular":        # a singular Hessian at 0: the approach is slow, f tiny
        assert max(abs(v) for v in x) < 2e-3 and f < 1e-12
    elif name == "box_3d" and abs(x[2]) < 1e-6:   # f = 0 on the whole line x1 = x2, x3 = 0 too
        assert abs(x[0] - x[1]) <= 1e-6 * max(1, abs(x[0]))
    else:
        assert any(all(abs(a - b) <= 1e-5 * max(1, abs(b)) for a, b in zip(x, m)) for m in minimizers), x
    assert r.gradient_norm <= 1e-5 * max(1.0, abs(r.value))


SQUARE = ["rosenbrock", "powell_badly_scaled", "helical_valley", "powell_singular"]


@pytest.mark.parametrize("name", SQUARE)
def test_solve_finds_the_root(name):
    terms, residuals, start, minimizers, _ = MGH[name]
    expr = ", ".join(terms)
    r = solve(f"{HELIX}; {expr}" if name == "helical_valley" else expr, start)
    assert r.converged, r.message
    assert max(abs(v) for v in residuals(**r.x)) <= 1e-10
    x, root = [r.x[v] for v in start], minimizers[0]
    tol = 1e-3 if name == "powell_singular" else 1e-6   # a singular root: |x| ~ sqrt(tol)
    assert all(abs(a - b) <= tol * max(1, abs(b)) for a, b in zip(x, root)), x


def test_solve_says_so_when_it_stalls_at_a_local_minimum_that_is_no_root():
    # Freudenstein-Roth from its standard start: the sum of squares has a local minimum
    # at (11.41, -0.897), where F = (-4.95, 4.95) is not zero.
    terms, _, start, minimizers, _ = MGH["freudenstein_roth"]
    r = solve(", ".join(terms), start)
    assert not r.converged and "not a root" in r.message
    assert r.x == pytest.approx(dict(zip(start, minimizers[1])), rel=1e-6)
    # ...and from a start near the root it finds (5, 4)
    r = solve(", ".join(terms), {"x1": 6, "x2": 3})
    assert r.converged and r.x == pytest.approx({"x1": 5, "x2": 4}, rel=1e-9)


def test_broyden_tridiagonal_of_ten_equations():
    n = 10
    x = [f"x{i}" for i in range(1, n + 1)]
    eqs = [f"(3 - 2*{x[i]})*{x[i]}" + (f" - {x[i - 1]}" if i else "") + (f" - 2*{x[i + 1]}" if i < n - 1 else "")
           + " + 1" for i in range(n)]
    r = solve(", ".join(eqs), {v: -1 for v in x})
    assert r.converged
    v = list(r.x.values())
    for i in range(n):
        fi = (3 - 2 * v[i]) * v[i] - (v[i - 1] if i else 0) - 2 * (v[i + 1] if i < n - 1 else 0) + 1
        assert abs(fi) <= 1e-10


def test_one_equation_in_one_unknown():
    r = solve("x^2 - 2", {"x": 1})
    assert r.converged and r.x["x"] == pytest.approx(math.sqrt(2), rel=1e-15)
    r = solve("cos(x) - x", {"x": 0})
    assert r.converged and abs(math.cos(r.x["x"]) - r.x["x"]) <= 1e-15


def test_the_other_method_finishes_where_trust_exact_alone_stalls():
    """Measured, not assumed: scipy's trust-exact alone, given the exact gradient and
    Hessian (written out by hand here), stops short on Powell's badly scaled function;
    minimize then goes on with BFGS from its best point and converges."""
    import numpy as np
    import scipy.optimize as so

    def f(x):
        a, b = 1e4 * x[0] * x[1] - 1, math.exp(-x[0]) + math.exp(-x[1]) - 1.0001
        return a * a + b * b

    def g(x):
        a, b = 1e4 * x[0] * x[1] - 1, math.exp(-x[0]) + math.exp(-x[1]) - 1.0001
        return np.array([2 * a * 1e4 * x[1] - 2 * b * math.exp(-x[0]), 2 * a * 1e4 * x[0] - 2 * b * math.exp(-x[1])])

    def h(x):
        a, b = 1e4 * x[0] * x[1] - 1, math.exp(-x[0]) + math.exp(-x[1]) - 1.0001
        e0, e1 = math.exp(-x[0]), math.exp(-x[1])
        return np.array([[2e8 * x[1] ** 2 + 2 * e0 * e0 + 2 * b * e0, 2e8 * x[0] * x[1] + 2e4 * a + 2 * e0 * e1],
                         [2e8 * x[0] * x[1] + 2e4 * a + 2 * e0 * e1, 2e8 * x[0] ** 2 + 2 * e1 * e1 + 2 * b * e1]])
    alone = so.minimize(f, [0.0, 1.0], jac=g, hess=h, method="trust-exact", options={"gtol": 1e-10})
    assert not alone.success
    r = minimize(objective("powell_badly_scaled"), {"x1": 0, "x2": 1}, method="newton")
    assert r.converged and r.method == "newton, then bfgs"
    assert r.gradient_norm < np.max(np.abs(g(alone.x)))


def test_bounds_hold_and_the_projected_gradient_vanishes():
    r = minimize("(x - 3)^2 + (y + 1)^2", {"x": 0, "y": 0}, bounds={"x": (0, 2), "y": (-0.5, math.inf)})
    assert r.converged and r.x == pytest.approx({"x": 2, "y": -0.5}, abs=1e-8)
    assert r.x["x"] <= 2 and r.x["y"] >= -0.5 and r.gradient_norm <= 1e-8
    r = minimize("(x - 3)^2 + (y + 1)^2", {"x": 0, "y": 0}, bounds={"x": (0, 2)}, method="bfgs")
    assert r.converged and r.x == pytest.approx({"x": 2, "y": -1}, abs=1e-7)


@pytest.mark.slow
def test_rosenbrock_in_300_variables():
    # beyond 200 variables auto takes L-BFGS-B (1,000 works the same, in minutes)
    n = 300
    expr = " + ".join(f"100*(x{i + 1} - x{i}^2)^2 + (1 - x{i})^2" for i in range(1, n))
    r = minimize(expr, {f"x{i}": (-1.2 if i % 2 else 1.0) for i in range(1, n + 1)})
    assert r.converged and r.method == "l-bfgs-b"
    assert max(abs(v - 1) for v in r.x.values()) < 1e-6
