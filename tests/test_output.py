"""Number formatting: shortest round-trip text, signed zero kept, non-finite spelled out."""
import math

import pytest

import adcli
from adcli.numtext import constant, json_number, number


@pytest.mark.parametrize("v,text", [
    (5.0, "5"), (-4.0, "-4"), (0.0, "0"), (-0.0, "-0"), (0.1, "0.1"), (1 / 3, "0.3333333333333333"),
    (1e16, "1e+16"), (123456789012345.0, "123456789012345"), (1e-300, "1e-300"),
    (math.inf, "inf"), (-math.inf, "-inf"), (math.nan, "nan"), (2.5, "2.5"),
    (-1.7163378145367738, "-1.7163378145367738"),
])
def test_number_round_trips(v, text):
    assert number(v) == text
    if math.isfinite(v):
        back = float(text)
        assert back == v and math.copysign(1, back) == math.copysign(1, v)


@pytest.mark.parametrize("v,p,text", [
    (1 / 3, 3, "0.333"), (2 / 3, 1, "0.7"), (123456.0, 3, "1.23e+05"), (5.0, 3, "5"),
    (-0.0, 3, "-0"), (math.nan, 3, "nan"), (math.inf, 2, "inf"), (-1e-20, 2, "-1e-20"),
])
def test_number_with_precision(v, p, text):
    assert number(v, p) == text


def test_signed_zero_is_shown_the_same_with_or_without_precision():
    assert number(-0.0) == number(-0.0, 5) == "-0"
    assert number(0.0) == number(0.0, 5) == "0"


def test_json_number():
    assert json_number(-0.0) == 0.0 and math.copysign(1, json_number(-0.0)) == -1
    assert [json_number(v) for v in (math.nan, math.inf, -math.inf)] == ["nan", "inf", "-inf"]
    assert type(json_number(3)) is float


def test_constants_in_listings_and_warnings_keep_their_sign():
    assert constant(-0.0) == "-0" and constant(0.0) == "0"
    assert constant(math.pi) == "pi" and constant(-2.0) == "-2" and constant(0.5) == "0.5"
    assert adcli.parse("x * -0").listing() == "v0 = x\nv1 = v0 * -0\nreturn v1"
    # 1/x at x = -0 is -inf: the warning must not read "1 / 0 = -inf".
    r = adcli.evaluate("1/x", x=-0.0)
    assert r.value == [-math.inf]
    assert r.warnings == ["1 / (-0) = -inf (division by zero)"]
