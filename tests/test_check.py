"""The AD-vs-finite-differences checker: Ridders' extrapolation and the verdict."""
import math

import pytest

import adcli
from adcli.engine.fdcheck import CheckRow, ridders


@pytest.mark.parametrize("f,x,d", [
    (math.sin, 1.0, math.cos(1.0)),
    (math.exp, 10.0, math.exp(10.0)),
    (lambda t: math.log(t) if t > 0 else math.nan, 0.01, 100.0),  # the first step leaves the domain
    (lambda t: t ** 3, 1e3, 3e6),
    (lambda t: math.atan(t), -3.0, 0.1),
])
def test_ridders_is_accurate_on_smooth_functions(f, x, d):
    est, err = ridders(f, x, 0.1 * max(1.0, abs(x)))
    assert abs(est - d) <= 1e-9 * abs(d)
    assert err < 1e-8 * max(1.0, abs(d))


def test_ridders_gives_up_where_nothing_is_finite():
    est, err = ridders(lambda t: math.nan, 1.0, 0.1)
    assert math.isnan(est) and err == math.inf


def test_check_passes_on_smooth_expressions():
    r = adcli.compile("log(x1) + x1*x2 - sin(x2)").check(x1=2, x2=5)
    assert r.ok
    assert [row.var for row in r.rows] == ["x1", "x2"]
    assert r.rows[0].forward == 5.5 and r.rows[0].reverse == 5.5
    assert abs(r.rows[0].finite_difference - 5.5) < 1e-9
    for row in r.rows:
        assert row.rel_error < 1e-9 and row.abs_error < 1e-9


def test_check_flags_a_convention_at_a_kink():
    # relu'(0) = 0 by convention; the symmetric difference sees 1/2
    r = adcli.compile("relu(x) + x").check(x=0)
    assert not r.ok
    assert r.rows[0].forward == 1.0 and abs(r.rows[0].finite_difference - 1.5) < 1e-9
    assert r.rows[0].reason == "AD and finite differences disagree"


def test_verdict_catches_a_wrong_derivative():
    # The checker's own arithmetic: a derivative off by 1e-4 relative is a mismatch,
    # one off by 1e-9 is not.
    assert not CheckRow("x", 2.0002, 2.0002, 2.0, 1e-12).ok
    assert CheckRow("x", 2.000000002, 2.000000002, 2.0, 1e-12).ok
    row = CheckRow("x", 1.0, 1.0 + 1e-9, 1.0, 0.0)
    assert not row.ok and "forward and reverse" in row.reason
    row = CheckRow("x", 1.0, 1.0, math.nan, math.inf)
    assert not row.ok and "no finite-difference estimate" in row.reason


def test_check_with_wrt_and_domain_edge():
    r = adcli.compile("sqrt(x)*y").check(x=1e-4, y=3, wrt="x")
    assert r.ok and len(r.rows) == 1
    assert abs(r.rows[0].forward - 150.0) < 1e-9
