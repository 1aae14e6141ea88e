"""adcli plot and the derivatives behind it (forward mode for f′, Taylor mode above)."""
import csv
import io
import json
import math
import re

import numpy as np
import pytest
import sympy as sp

import adcli
from adcli.api import plot as plotdata
from adcli.engine import forward
from adcli.numtext import tick as tick_text
from adcli.ops import scalar
from adcli.render.plot import nice_ticks, render
from visual_helpers import stripped

X, Y = sp.symbols("x y")
CASES = [
    ("sin(x)*exp(x/2) + x^3*y", sp.sin(X) * sp.exp(X / 2) + X**3 * Y),
    ("x^y + log(x)/x - sqrt(x)", X**Y + sp.log(X) / X - sp.sqrt(X)),
    ("atan2(y, x)*cbrt(x) + tanh(x*y) + x^2.5", sp.atan2(Y, X) * X ** sp.Rational(1, 3) + sp.tanh(X * Y) + X**2.5),
    ("sigmoid(x) + erf(x) - softplus(x*y) + hypot(x, y)",
     1 / (1 + sp.exp(-X)) + sp.erf(X) - sp.log(1 + sp.exp(X * Y)) + sp.sqrt(X**2 + Y**2)),
    ("a = x*y; b = sin(a); a*b + exp(b)/y - asinh(x) + acos(x/3)",
     X * Y * sp.sin(X * Y) + sp.exp(sp.sin(X * Y)) / Y - sp.asinh(X) + sp.acos(X / 3)),
]


@pytest.mark.parametrize("expr,f", CASES)
def test_plot_derivatives_against_sympy(expr, f):
    p = adcli.parse(expr)
    xs = np.array([0.3, 1.1, 2.0])
    point = [xs if v == "x" else np.full(3, 1.5) for v in p.inputs]
    got, warnings = plotdata.derivatives(p, point, p.inputs.index("x"), 4)
    assert warnings == []
    for k in range(5):
        want = [float(sp.diff(f, X, k).subs({X: xv, Y: 1.5})) for xv in xs]
        assert got[k] == pytest.approx(want, rel=1e-11, abs=1e-11), (expr, k)


def test_first_derivative_is_the_forward_evaluator_pointwise():
    """The vectorized f′ of the plot equals single-point forward mode at every sample."""
    p = adcli.parse("x^3 - 3*x*y + log1p(x^2)")
    d = plotdata.build(p, "x", -2.0, 2.0, 41, 2, {"y": 0.5})
    for i, x in enumerate(d.x.tolist()):
        vals, tans = forward.jvp(p, [x, 0.5], [[1.0], None], scalar)
        assert d.series[0][1][i] == pytest.approx(vals[p.outputs[0]], rel=1e-15)  # numpy vs math: 1 ulp
        assert d.series[1][1][i] == pytest.approx(tans[p.outputs[0]][0], rel=1e-14, abs=1e-14)
        assert d.series[2][1][i] == pytest.approx(6 * x + (2 - 2 * x * x) / (1 + x * x) ** 2,
                                                  rel=1e-12, abs=1e-12)


def test_structural_zeros_and_constants():
    p = adcli.parse("x*0 + 3 + y")
    got, _ = plotdata.derivatives(p, [np.array([1.0, 2.0]), np.array([4.0, 4.0])], 0, 3)
    assert [g.tolist() for g in got] == [[7.0, 7.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0]]
    p = adcli.parse("abs(x)^3 + relu(x)^2")
    got, _ = plotdata.derivatives(p, [np.array([-1.0, 2.0])], 0, 3)
    assert [g.tolist() for g in got] == [[1.0, 12.0], [-3.0, 16.0], [6.0, 14.0], [-6.0, 6.0]]


def test_kinks_keep_the_first_derivative_convention_and_hide_higher_ones(adcli):
    """f′ is forward mode's (abs′(0) = 0, as 'adcli grad' says); f″ at the kink has no
    value: it is left out, with a warning naming abs and the number of such points."""
    code, out, err = adcli("plot", "abs(x)", "--range", "-1:1", "--samples", "5", "--order", "2",
                         "--format", "csv")
    assert code == 0
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[1:] == [["-1", "1", "-1", "0"], ["-0.5", "0.5", "-1", "0"], ["0", "0", "0", "nan"],
                        ["0.5", "0.5", "1", "0"], ["1", "1", "1", "0"]]
    assert "abs at 0 has no Taylor series (it has a corner there): derivatives given as nan at 1 point" in err


def test_high_orders_are_taylor_mode_not_nested():
    """Order 12 along x at 2,001 points, against the exact derivatives of exp(sin(x))'s
    neighbour sin(x)*exp(x): (d/dx)^k = 2^(k/2) exp(x) sin(x + k*pi/4)."""
    p = adcli.parse("sin(x)*exp(x)")
    xs = np.linspace(-3, 3, 2001)
    got, _ = plotdata.derivatives(p, [xs], 0, 12)
    for k, g in enumerate(got):
        want = 2 ** (k / 2) * np.exp(xs) * np.sin(xs + k * np.pi / 4)
        assert np.allclose(g, want, rtol=1e-12, atol=1e-12 * 2 ** (k / 2) * np.exp(3)), k


def test_nice_ticks():
    assert nice_ticks(-17.4, 17.4, 5) == ([-10.0, 0.0, 10.0], 10.0)
    ticks, step = nice_ticks(-math.pi, math.pi, 5)
    assert step == 2 and ticks == [-2.0, 0.0, 2.0]
    assert [tick_text(t, 0.25) for t in (0.25, -0.5, 0.0)] == ["0.25", "-0.50", "0"]


CUBIC = """\
x^3 - 3*x
    |o                                         o
    |ooo                                  +++ooo
 10 +   ooo                          +++++ooo  *
    |     oooo                  ++++++ oooo  ***
    |       ************** ++++++  ooooo ****
  0 +...*****....oooooooo*****************......
    | ***       ++++++
-10 +*     ++++++
    | ++++++
    |+
    +----+--------+-------+-------+--------+---- x
        -2       -1       0       1        2
* f(x)   o f'(x)   + f''(x)
"""


def test_golden_plot_ascii_markers(adcli):
    code, out, err = adcli("plot", "x^3 - 3*x", "--range", "-2.5:2.5", "--order", "2", "--width", "50",
                         "--height", "14", "--ascii")
    assert (code, err) == (0, "")
    assert stripped(out) == CUBIC


def test_size_is_respected(adcli):
    for w, h in ((40, 10), (73, 21), (120, 30)):
        code, out, _ = adcli("plot", "sin(x)", "--width", str(w), "--height", str(h), "--order", "3")
        assert code == 0
        lines = out.splitlines()
        assert len(lines) == h
        assert max(len(line) for line in lines) <= w


def test_default_size_is_the_terminal_size(adcli):
    code, out, _ = adcli("plot", "sin(x)", env={"COLUMNS": "66", "LINES": "20"})
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == 18 and max(len(line) for line in lines) <= 66


def test_nan_and_inf_are_gaps_not_crashes(adcli):
    code, out, err = adcli("plot", "log(x)", "--range", "-1:3", "--width", "44", "--height", "12", "--ascii")
    assert code == 0
    # f' is left out where f itself is nan (the rule 1/x alone would give a value there)
    assert "log(-1) = nan" in err
    lines = out.splitlines()
    axis = lines[-3]
    zero_col = axis.index("+", 5)  # the first tick after the corner is x = 0 ... x = -1 at the corner
    corner = axis.index("+")
    labels = lines[-2]
    assert labels[zero_col] == "0" or labels[zero_col - 1:zero_col + 1].strip() == "0"
    # nothing is drawn left of x = 0 (log is nan there)
    for line in lines[1:-3]:
        assert not re.search(r"[*o]", line[corner + 1:zero_col - 1]), line
    code, out, err = adcli("plot", "1/x + tan(x)", "--range", "-3:3", "--order", "2", "--width", "60",
                         "--height", "15")
    assert code == 0 and "Traceback" not in err


def test_csv_and_json_samples(adcli):
    code, out, _ = adcli("plot", "sqrt(x)", "--range", "-1:1", "--format", "csv", "--samples", "5")
    assert code == 0
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == ["x", "f", "f'"]
    assert rows[1] == ["-1", "nan", "nan"]
    assert rows[3] == ["0", "0", "inf"]
    assert float(rows[5][2]) == 0.5
    code, out, _ = adcli("plot", "x^2*y", "--at", "y=3", "--format", "json", "--samples", "3", "--order", "2",
                       "--range", "-1:1")
    data = json.loads(out)
    assert data["x"] == [-1.0, 0.0, 1.0] and data["at"] == {"y": 3.0}
    assert [s["y"] for s in data["series"]] == [[3.0, 0.0, 3.0], [-6.0, 0.0, 6.0], [6.0, 6.0, 6.0]]


def test_colour_only_on_a_terminal_and_never_with_no_color(adcli):
    code, out, _ = adcli("plot", "sin(x)", "--width", "40", "--height", "10")
    assert "\x1b" not in out
    code, out, _ = adcli("plot", "sin(x)", "--width", "40", "--height", "10", env={"FORCE_COLOR": "1"})
    assert "\x1b[36m" in out and "⠀" <= max(out) and re.search("[\u2801-\u28ff]", out)
    code, out, _ = adcli("plot", "sin(x)", "--order", "2", "--width", "40", "--height", "10",
                       env={"FORCE_COLOR": "1", "NO_COLOR": "1"})
    assert not re.search(r"\x1b\[3\dm", out)  # no foreground colours
    assert "∘" in out  # the series are told apart by their markers instead


def test_usage_errors(adcli):
    assert adcli("plot", "x*y", "--range", "3:-3")[0] == 2
    assert adcli("plot", "x*y", "--range", "1")[0] == 2
    code, _, err = adcli("plot", "x*y")
    assert code == 1 and "--at" in err
    code, _, err = adcli("plot", "x*y", "--wrt", "z", "--at", "y=1")
    assert code == 2 and "'z' does not appear" in err
    code, _, err = adcli("plot", "x*y", "--at", "x=1,y=1")
    assert code == 2 and "plotted variable" in err
    assert adcli("plot", "x, y", "--at", "y=1")[0] == 2


def test_range_ends_may_be_constant_expressions(adcli):
    assert plotdata.parse_range("-pi:pi/2") == (-math.pi, math.pi / 2)
    code, out, _ = adcli("plot", "sin(x)", "--range", "-pi:pi", "--width", "40", "--height", "10")
    assert code == 0


def test_renderer_reads_a_plain_plotdata():
    x = np.linspace(0, 1, 5)
    d = plotdata.PlotData("made up", "t", 0.0, 1.0, {}, x, [(0, x.copy())], (0.0, 1.0), [])
    lines = [t.plain for t in render(d, 30, 8, ascii=True, colour=False)]
    assert lines[0] == "made up" and lines[-1] == "* f(t)"
    assert lines[-3].endswith(" t")


@pytest.mark.parametrize("expr,rng", [("x", "-1e308:1e308"), ("x", "-8e307:8e307"), ("exp(x)*1e300", "0:20"),
                                      ("-exp(x)*1e300", "0:20"), ("x", "1:1.0000000000000002"),
                                      ("1e-320*x", "0:1"), ("0*x", "-1:1"), ("log(x)", "-2:-1"),
                                      ("1/(x-x)", "-1:1"), ("sign(x)", "-1:1"), ("tan(x)", "-10:10")])
def test_extreme_values_never_crash(adcli, expr, rng):
    code, out, err = adcli("plot", expr, "--range", rng, "--width", "40", "--height", "9", "--order", "3")
    assert code in (0, 2) and "Traceback" not in err and "internal error" not in err
    if code == 0:
        assert len(out.splitlines()) == 9


def test_orders_above_four_as_data_not_drawn(adcli):
    code, out, err = adcli("plot", "sin(x)*exp(x)", "--range", "0:1", "--order", "8", "--format", "csv",
                         "--samples", "3")
    assert code == 0 and err == ""
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == ["x", "f", "f'", "f''", "f'''", "f(4)", "f(5)", "f(6)", "f(7)", "f(8)"]
    for row in rows[1:]:
        x = float(row[0])
        want = [2 ** (k / 2) * math.exp(x) * math.sin(x + k * math.pi / 4) for k in range(9)]
        assert [float(v) for v in row[1:]] == pytest.approx(want, rel=1e-13, abs=1e-13)
    code, out, err = adcli("plot", "sin(x)", "--order", "12", "--format", "json", "--samples", "2")
    assert code == 0 and [s["name"] for s in json.loads(out)["series"]][-1] == "f(12)"
    code, out, err = adcli("plot", "sin(x)", "--order", "5")
    assert code == 2 and out == ""
    assert "derivatives up to order 4" in err and "csv or json" in err
    assert adcli("plot", "sin(x)", "--order", "171", "--format", "csv")[0] == 2
