"""The Python API: the Baydin et al. example, results as plain data, compiled functions
over numpy arrays, mode selection."""
import math

import numpy as np
import pytest

import adcli
from adcli.api import choose_mode
from adcli.errors import EvalError, ExprError, UsageError

BAYDIN = "log(x1) + x1*x2 - sin(x2)"


@pytest.mark.parametrize("mode", ["forward", "reverse", "auto"])
def test_baydin_example(mode):
    # Baydin, Pearlmutter, Radul, Siskind (2018), Table 2 and 3.
    r = adcli.grad(BAYDIN, x1=2, x2=5, mode=mode)
    assert math.isclose(r.value[0], 11.652071455223084, rel_tol=1e-12)
    assert math.isclose(r.gradient["x1"], 5.5, rel_tol=1e-12)
    assert math.isclose(r.gradient["x2"], 1.7163378145367738, rel_tol=1e-12)
    assert r.wrt == ("x1", "x2")
    assert r.mode == ("reverse" if mode == "auto" else mode)  # 1 output < 2 inputs
    # Independently: the derivative by hand, 1/x1 + x2 and x1 - cos(x2).
    assert r.gradient["x1"] == 1 / 2 + 5
    assert math.isclose(r.gradient["x2"], 2 - math.cos(5), rel_tol=1e-15)


def test_seed_example_and_unpacking():
    r = adcli.grad("(x+y)*(x-y)", x=3, y=2)
    assert r.value == [5.0] and r.gradient == {"x": 6.0, "y": -4.0}
    value, gradient = r
    assert (value, gradient) == (5.0, {"x": 6.0, "y": -4.0})
    assert repr(r) == "Result(value=5.0, gradient={'x': 6.0, 'y': -4.0})"
    assert adcli.grad("(x+y)*(x-y)", {"x": 3, "y": 2}).gradient == {"x": 6.0, "y": -4.0}


def test_evaluate_several_outputs():
    r = adcli.evaluate("x^2, 2^x, x", x=3)
    assert r.value == [9.0, 8.0, 3.0] and r.outputs == ("x^2", "2^x", "x") and r.gradient is None


def test_jacobian_of_several_outputs_in_both_modes():
    f = adcli.compile("x*y, x + y, 3")
    fw = f.derivatives(x=2.0, y=5.0, mode="forward")
    rv = f.derivatives(x=2.0, y=5.0, mode="reverse")
    assert fw.jacobian == rv.jacobian == [[5.0, 2.0], [1.0, 1.0], [0.0, 0.0]]
    assert fw.value == rv.value == [10.0, 7.0, 3.0]


def test_choose_mode():
    assert choose_mode("auto", 1, 2) == "reverse"
    assert choose_mode("auto", 1, 1) == "forward"
    assert choose_mode("auto", 3, 2) == "forward"
    assert choose_mode("forward", 1, 5) == "forward"
    with pytest.raises(UsageError):
        choose_mode("sideways", 1, 1)


def test_wrt_subset_order_and_unused_variables():
    f = adcli.compile("x^2 * y")
    r = f.grad(x=3.0, y=2.0, z=1.0, wrt=["y", "x", "z"])
    assert r.gradient == {"y": 9.0, "x": 12.0, "z": 0.0}
    assert f.grad(x=3.0, y=2.0, wrt="y").gradient == {"y": 9.0}
    with pytest.raises(UsageError):
        f.grad(x=3.0, y=2.0, wrt=["w"])
    with pytest.raises(UsageError):
        f.grad(x=3.0, y=2.0, wrt=["x", "x"])


def test_errors_are_typed():
    with pytest.raises(EvalError) as e:
        adcli.grad("x + y", x=1)
    assert e.value.exit_code == 1
    with pytest.raises(ExprError) as e:
        adcli.compile("2x")
    assert e.value.exit_code == 2 and e.value.pos == 1


def test_compiled_function_over_arrays():
    f = adcli.compile("(x+y)*(x-y)")
    assert f.variables == ("x", "y")
    r = f.grad(x=np.array([1.0, 2.0, 3.0]), y=0.5)  # a scalar broadcasts against the arrays
    np.testing.assert_array_equal(r.value[0], [0.75, 3.75, 8.75])
    np.testing.assert_array_equal(r.gradient["x"], [2.0, 4.0, 6.0])
    np.testing.assert_array_equal(r.gradient["y"], [-1.0, -1.0, -1.0])
    grid = f.grad(x=np.arange(6.0).reshape(2, 3), y=np.ones((2, 3)), mode="forward")
    assert grid.value[0].shape == (2, 3) and grid.gradient["y"].shape == (2, 3)
    np.testing.assert_array_equal(grid.gradient["x"], 2 * np.arange(6.0).reshape(2, 3))


def test_arrays_fill_structural_zeros_and_constants():
    f = adcli.compile("x, 2, y*0")
    r = f.derivatives(x=np.array([1.0, 2.0]), y=np.array([3.0, 4.0]), mode="reverse")
    assert [v.shape for v in r.value] == [(2,), (2,), (2,)]
    np.testing.assert_array_equal(r.value[1], [2.0, 2.0])
    np.testing.assert_array_equal(r.jacobian[1][0], [0.0, 0.0])
    np.testing.assert_array_equal(r.jacobian[0][0], [1.0, 1.0])


def test_one_point_results_are_python_floats():
    r = adcli.grad("sin(x)*y", x=1, y=2)
    assert all(type(v) is float for v in r.value)
    assert all(type(v) is float for v in r.gradient.values())


def test_two_calls_start_clean():
    # Adjoints live in one call, never on the nodes: a second call gives the same answer.
    f = adcli.compile("a = x*y; a + a*x")
    first = f.grad(x=2.0, y=3.0, mode="reverse")
    second = f.grad(x=2.0, y=3.0, mode="reverse")
    assert first.gradient == second.gradient == {"x": 3.0 + 2 * 2 * 3, "y": 2.0 + 4.0}


@pytest.mark.parametrize("name", ["e", "pi"])
def test_a_value_for_a_constant_is_refused_not_ignored(name):
    # 'a*e' uses the constant e; a value given for e would otherwise be silently ignored.
    with pytest.raises(adcli.AdcliError) as err:
        adcli.grad(f"a*{name}", a=1, **{name: 5})
    assert err.value.exit_code == 2 and f"'{name}' is the constant" in err.value.message


def test_grad_refuses_several_outputs():
    with pytest.raises(adcli.AdcliError) as err:
        adcli.grad("x*y, x+y", x=3, y=2)
    assert "one output" in err.value.message
    # the Jacobian is the tool for several outputs
    assert adcli.compile("x*y, x+y").jacobian(x=3, y=2).jacobian == [[2.0, 3.0], [1.0, 1.0]]


def test_result_classes_construct_like_dataclasses():
    """The result classes share one __init__ (no per-class generated code at start-up):
    it takes the declared fields in order, positionally or by name, with their defaults,
    and refuses what a dataclass would refuse."""
    import dataclasses

    from adcli.api.results import Check, Hessian, Jacobian, Jvp, Result, Taylor, Vjp
    r = Result("x", {"x": 1.0}, ("x",), [1.0], warnings=("w",))
    assert (r.mode, r.wrt, r.jacobian, r.warnings, r.reason) == (None, (), None, ["w"], None)
    assert dataclasses.is_dataclass(r) and [f.name for f in dataclasses.fields(r)][:4] == ["expr", "at", "outputs",
                                                                                          "value"]
    assert dataclasses.replace(r, value=[2.0]).value == [2.0]
    t = Taylor("x", {"x": 0.0}, "x", None, [1.0, 2.0, 3.0], [])
    assert t.derivatives == [1.0, 2.0, 6.0] and t.order == 2
    for cls in (Check, Hessian, Jacobian, Jvp, Result, Taylor, Vjp):
        with pytest.raises(TypeError, match="missing argument 'at'"):
            cls("x")
    with pytest.raises(TypeError, match="'expr' twice"):
        Result("x", {}, (), [], expr="y")
    with pytest.raises(TypeError, match="unexpected arguments colour"):
        Result("x", {}, (), [], colour=1)
    with pytest.raises(TypeError, match="takes 9 arguments, 10 given"):
        Result(*range(10))
