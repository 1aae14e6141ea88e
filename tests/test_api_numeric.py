"""The API for numeric code: positional calls in a declared order, (value, gradient array)
results equal to the engines' to the bit, arrays of points, Jacobian and Hessian forms,
TypeError for values that are not numbers, the parse cache, scipy.optimize glue."""
import subprocess
import sys

import numpy as np
import pytest

import adcli
from adcli.api import function as api_function
from conftest import subprocess_env

ROSEN2 = "10*(y-3)^2 + (x-1)^2"


def test_default_order_is_first_appearance_and_can_be_declared():
    assert adcli.compile(ROSEN2).variables == ("y", "x")
    f = adcli.compile(ROSEN2, variables=["x", "y"])
    assert f.variables == ("x", "y")
    assert repr(f) == "adcli.compile('10*(y-3)^2 + (x-1)^2', variables=['x', 'y'])"
    value, g = f.grad(0.0, 0.0)
    assert value == 91.0 and type(value) is float
    assert isinstance(g, np.ndarray) and g.dtype == np.float64 and list(g) == [-2.0, -60.0]
    # the keyword forms follow the declared order too
    assert list(f.grad(x=0.0, y=0.0).gradient) == ["x", "y"]


def test_declared_variables_are_checked():
    with pytest.raises(adcli.AdcliError, match="leaves out y"):
        adcli.compile(ROSEN2, variables=["x"])
    with pytest.raises(adcli.AdcliError, match="twice"):
        adcli.compile(ROSEN2, variables=["x", "y", "x"])
    with pytest.raises(TypeError):
        adcli.compile(ROSEN2, variables="xy")
    # an extra variable is an argument whose derivative is 0
    f = adcli.compile("x*y", variables=["x", "y", "z"])
    assert list(f.grad(2.0, 3.0, 4.0)[1]) == [3.0, 2.0, 0.0]


def test_scipy_minimize_finds_the_declared_minimum():
    optimize = pytest.importorskip("scipy.optimize")
    f = adcli.compile(ROSEN2, variables=["x", "y"])
    res = optimize.minimize(lambda p: f.grad(*p), x0=[0.0, 0.0], jac=True, method="BFGS")
    assert res.success
    np.testing.assert_allclose(res.x, [1.0, 3.0], atol=1e-5)


@pytest.mark.parametrize("expr", ["exp(sin(x*y)/(1 + z^2)) + log(1 + x^2 + y*z)*cos(x - z)",
                                  "hypot(x, y) + relu(z) * atan2(y, x)", "x^0.3 * y^-1.5 + z"])
def test_positional_calls_equal_the_engines(expr):
    f = adcli.compile(expr)
    for pt in ([0.5, 1.5, -0.25], [2.0, 0.0, 0.0], [0.0, 0.0, 0.0]):
        point = dict(zip(f.variables, pt))
        want = adcli.grad(expr, point)
        value, g = f.grad(*pt)
        same = [a == b or (a != a and b != b) for a, b in zip([value, *g], [want.value[0], *want.jacobian[0]])]
        assert all(same), (pt, value, g, want)
        v = f(*pt)
        assert v == value or (v != v and value != value)
        # ints and numpy scalars are numbers too
        assert np.array_equal(f.grad(*[np.float64(p) for p in pt])[1], g, equal_nan=True)


def test_the_generated_gradient_is_installed_and_old_forms_still_work():
    f = adcli.compile("x*y + sin(x)")
    f.grad(1.0, 2.0)
    assert "grad" in f.__dict__  # the next positional call is the generated function itself
    r = f.grad(x=1.0, y=2.0)
    assert r.gradient == {"x": 2.0 + np.cos(1.0), "y": 1.0}
    assert f.grad({"x": 1.0, "y": 2.0}).value == [2.0 + np.sin(1.0)]
    assert list(f.grad(1, 2)[1]) == list(f.grad(1.0, 2.0)[1])
    v, g = f.grad(1.0, 2.0, wrt=["y"])
    assert list(g) == [1.0]
    v, g = f.grad(1.0, 2.0, mode="forward")
    assert list(g) == [2.0 + np.cos(1.0), 1.0]


def test_arrays_of_points_positionally():
    f = adcli.compile("x^2*y", variables=["x", "y"])
    xs, ys = np.linspace(-1, 1, 7), np.linspace(0.5, 2, 7)
    value, g = f.grad(xs, ys)
    assert value.shape == (7,) and g.shape == (7, 2)
    for k in range(7):
        v1, g1 = f.grad(float(xs[k]), float(ys[k]))
        assert value[k] == v1 and list(g[k]) == list(g1)
    np.testing.assert_array_equal(f(xs, ys), value)


def test_jacobian_and_hessian_positionally():
    f = adcli.compile("x*y, x + y^2", variables=["x", "y"])
    values, jac = f.jacobian(2.0, 3.0)
    assert values.tolist() == [6.0, 11.0] and jac.tolist() == [[3.0, 2.0], [1.0, 6.0]]
    assert f(2.0, 3.0) == [6.0, 11.0]
    h = adcli.compile("x^2*y + y^3", variables=["x", "y"])
    value, grad, hess = h.hessian(2.0, 3.0)
    assert value == 39.0 and grad.tolist() == [12.0, 31.0] and hess.tolist() == [[6.0, 4.0], [4.0, 18.0]]
    with pytest.raises(adcli.AdcliError, match="one output"):
        f.grad(2.0, 3.0)


@pytest.mark.parametrize("bad", ["3", None, b"3", 1j, True, np.array(["1"]), object()])
def test_values_that_are_not_numbers_raise_type_error(bad):
    f = adcli.compile("x*y")
    with pytest.raises(TypeError, match="the value of x must be a number"):
        f.grad(bad, 2.0)
    with pytest.raises(TypeError, match="the value of x must be a number"):
        adcli.grad("x*y", x=bad, y=2.0)
    with pytest.raises(TypeError, match="the value of x must be a number"):
        f(bad, 2.0)


def test_wrong_number_of_values():
    f = adcli.compile("x*y")
    with pytest.raises(TypeError, match="takes 2 values"):
        f.grad(1.0)
    with pytest.raises(TypeError, match="takes 2 values"):
        f.grad(1.0, 2.0, 3.0)


def test_repeated_calls_parse_once(monkeypatch):
    import adcli.language.syntax as syntax
    calls = []
    real = syntax.parse
    monkeypatch.setattr(syntax, "parse", lambda e: calls.append(e) or real(e))
    api_function._cached.cache_clear()
    expr = "sin(x)*y + 1"
    for k in range(5):
        adcli.grad(expr, x=float(k), y=2.0)
        adcli.evaluate(expr, x=float(k), y=2.0)
    assert calls == [expr]
    with pytest.raises(TypeError):
        adcli.grad(42, x=1.0)


def test_using_the_api_never_imports_scipy():
    code = ("import sys, adcli; f = adcli.compile('x*y', variables=['y', 'x']); f.grad(1.0, 2.0); "
            "f.hessian(1.0, 2.0); print('scipy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=subprocess_env(),
                         timeout=60)
    assert out.stdout.strip() == "False", out.stderr
