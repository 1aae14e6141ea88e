"""adcli trace: the textbook evaluation traces (Baydin et al. 2018, Tables 2 and 3)."""
import csv
import io
import json
import math
import random

import pytest

import adcli
from adcli.api import trace
from adcli.engine import forward, reverse
from adcli.ops import scalar
from adcli.ops.call import call_partials
from adcli.ops.table import PRIMS
from adcli.render import notation
from adcli.render.trace import print_table
from conftest import probe, subprocess_adcli
from visual_helpers import fixed_console, nfc, stripped, text_of

BAYDIN = "log(x1) + x1*x2 - sin(x2)"
AT = {"x1": 2.0, "x2": 5.0}


def test_baydin_forward_full_precision():
    t = trace.build(adcli.parse(BAYDIN), AT, "forward")
    assert [r.k for r in t.rows] == [-1, 0, 1, 2, 3, 4, 5]
    assert [r.op for r in t.rows] == ["input", "input", "log", "mul", "sin", "add", "sub"]
    assert [r.args for r in t.rows[2:]] == [(("v", -1),), (("v", -1), ("v", 0)), (("v", 0),),
                                           (("v", 1), ("v", 2)), (("v", 4), ("v", 3))]
    # Table 2 of Baydin et al., from independent math-library values
    primal = [math.log(2), 10.0, math.sin(5), math.log(2) + 10, math.log(2) + 10 - math.sin(5)]
    assert [r.value for r in t.rows[2:]] == pytest.approx(primal, rel=1e-15)
    assert [r.tangent or 0.0 for r in t.rows] == pytest.approx([1, 0, 0.5, 5, 0, 5.5, 5.5], rel=1e-15)
    assert t.output_values() == [11.652071455223084]
    assert t.output_tangents == [5.5]


def test_baydin_reverse_full_precision():
    t = trace.build(adcli.parse(BAYDIN), AT, "reverse")
    got = [(s.kind, s.target, s.source, s.value) for s in t.steps]
    assert got == [("seed", 5, None, 1.0), ("assign", 4, 5, 1.0), ("assign", 3, 5, -1.0),
                   ("assign", 1, 4, 1.0), ("assign", 2, 4, 1.0),
                   ("assign", 0, 3, -math.cos(5)), ("assign", -1, 2, 5.0),
                   ("add", 0, 2, 2.0 - math.cos(5)), ("add", -1, 1, 5.5)]
    assert t.gradient == {"x1": 5.5, "x2": 2.0 - math.cos(5)}
    assert t.gradient["x2"] == pytest.approx(1.7163378145367738, rel=1e-15)


BAYDIN_FORWARD_3 = """\
log(x1) + x1*x2 - sin(x2)  at x1 = 2, x2 = 5
          primal trace   value            tangent trace (ẋ1 = 1, ẋ2 = 0)  value
━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━
  v₋₁  =  x1                 2    v̇₋₁  =  ẋ1                                  1
   v₀  =  x2                 5     v̇₀  =  ẋ2                                  0
   v₁  =  log v₋₁        0.693     v̇₁  =  v̇₋₁/v₋₁                           0.5
   v₂  =  v₋₁ × v₀          10     v̇₂  =  v₀ · v̇₋₁ + v₋₁ · v̇₀                 5
   v₃  =  sin v₀        -0.959     v̇₃  =  cos(v₀) · v̇₀                        0
   v₄  =  v₁ + v₂       10.693     v̇₄  =  v̇₁ + v̇₂                           5.5
   v₅  =  v₄ − v₃       11.652     v̇₅  =  v̇₄ − v̇₃                           5.5

    y  =  v₅            11.652      ẏ  =  v̇₅                                5.5
"""

BAYDIN_REVERSE_FULL = """\
log(x1) + x1*x2 - sin(x2)  at x1 = 2, x2 = 5
          primal trace                value
━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━
  v₋₁  =  x1                              2
   v₀  =  x2                              5
   v₁  =  log v₋₁        0.6931471805599453
   v₂  =  v₋₁ × v₀                       10
   v₃  =  sin v₀        -0.9589242746631385
   v₄  =  v₁ + v₂        10.693147180559945
   v₅  =  v₄ − v₃        11.652071455223084

    y  =  v₅             11.652071455223084

step          adjoint trace (sweep order)                 value
━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━
   1   v̄₅  =  ȳ                                               1
   2   v̄₄  =  v̄₅                                              1
   3   v̄₃  =  -v̄₅                                            -1
   4   v̄₁  =  v̄₄                                              1
   5   v̄₂  =  v̄₄                                              1
   6   v̄₀  =  v̄₃ · cos(v₀)                 -0.28366218546322625
   7  v̄₋₁  =  v̄₂ · v₀                                         5
   8   v̄₀  =  v̄₀ + v̄₂ · v₋₁                  1.7163378145367738
   9  v̄₋₁  =  v̄₋₁ + v̄₁/v₋₁                                  5.5

       x̄1  =  v̄₋₁                                           5.5
       x̄2  =  v̄₀                             1.7163378145367738
"""

BAYDIN_REVERSE_ASCII_3 = """\
log(x1) + x1*x2 - sin(x2)  at x1 = 2, x2 = 5
           primal trace   value
-------------------------------
  v_-1  =  x1                 2
   v_0  =  x2                 5
   v_1  =  log v_-1       0.693
   v_2  =  v_-1 * v_0        10
   v_3  =  sin v_0       -0.959
   v_4  =  v_1 + v_2     10.693
   v_5  =  v_4 - v_3     11.652

     y  =  v_5           11.652

step              adjoint trace (sweep order)   value
-----------------------------------------------------
   1   vbar_5  =  ybar                              1
   2   vbar_4  =  vbar_5                            1
   3   vbar_3  =  -vbar_5                          -1
   4   vbar_1  =  vbar_4                            1
   5   vbar_2  =  vbar_4                            1
   6   vbar_0  =  vbar_3 * cos(v_0)            -0.284
   7  vbar_-1  =  vbar_2 * v_0                      5
   8   vbar_0  =  vbar_0 + vbar_2 * v_-1        1.716
   9  vbar_-1  =  vbar_-1 + vbar_1/v_-1           5.5

        x1bar  =  vbar_-1                         5.5
        x2bar  =  vbar_0                        1.716
"""


def test_golden_forward_three_decimals_as_printed(adcli):
    code, out, err = adcli("trace", BAYDIN, "--at", "x1=2,x2=5", "--decimals", "3")
    assert (code, err) == (0, "")
    assert stripped(out) == nfc(BAYDIN_FORWARD_3)


def test_golden_reverse_full_precision(adcli):
    code, out, err = adcli("trace", BAYDIN, "--at", "x1=2,x2=5", "--mode", "reverse")
    assert (code, err) == (0, "")
    assert stripped(out) == nfc(BAYDIN_REVERSE_FULL)


def test_golden_reverse_ascii_three_decimals_fixed_console():
    t = trace.build(adcli.parse(BAYDIN), AT, "reverse")
    con = fixed_console(60)
    print_table(t, con, ascii=True, decimals=3)
    assert text_of(con) == BAYDIN_REVERSE_ASCII_3


def test_ascii_when_the_encoding_is_not_utf8():
    from adcli.render.console import wants_ascii

    class Latin1(io.StringIO):
        encoding = "latin-1"

    assert wants_ascii(False, file=Latin1())
    assert not wants_ascii(False, file=type("U", (io.StringIO,), {"encoding": "UTF-8"})())
    assert wants_ascii(True, file=type("U", (io.StringIO,), {"encoding": "utf-8"})())


def test_let_names_beside_their_node(adcli):
    code, out, _ = adcli("trace", "a = x + y; b = x - y; a * b", "--at", "x=3,y=2")
    assert code == 0
    lines = stripped(out).splitlines()
    assert lines[5].startswith("a   v₁  =  v₋₁ + v₀")
    assert lines[6].startswith("b   v₂  =  v₋₁ − v₀")


def test_wrt_and_dir_choose_the_seed(adcli):
    from adcli import parse  # the name adcli is the fixture here
    p = parse(BAYDIN)
    t = trace.build(p, AT, "forward", {"x2": 1.0})
    assert t.output_tangents[0] == pytest.approx(1.7163378145367738, rel=1e-15)
    t = trace.build(p, AT, "forward", {"x1": 2.0, "x2": -1.0})
    assert t.output_tangents[0] == pytest.approx(2 * 5.5 - 1.7163378145367738, rel=1e-14)
    code, out, _ = adcli("trace", BAYDIN, "--at", "x1=2,x2=5", "--dir", "x1=2,x2=-1", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["direction"] == {"x1": 2.0, "x2": -1.0}
    assert data["outputs"][0]["tangent"] == pytest.approx(9.283662185463226, rel=1e-14)


def test_json_trace_is_data(adcli):
    code, out, err = adcli("trace", BAYDIN, "--at", "x1=2,x2=5", "--format", "json", "--decimals", "3")
    assert (code, err) == (0, "")
    data = json.loads(out)
    assert [r["name"] for r in data["rows"]] == ["v_-1", "v_0", "v_1", "v_2", "v_3", "v_4", "v_5"]
    assert [r["op"] for r in data["rows"]] == ["input", "input", "log", "mul", "sin", "add", "sub"]
    assert data["rows"][3]["args"] == ["v_-1", "v_0"]
    assert data["rows"][2]["value"] == math.log(2)  # --decimals never touches JSON
    assert [r["tangent"] for r in data["rows"]] == pytest.approx([1, 0, 0.5, 5, 0, 5.5, 5.5])

    code, out, _ = adcli("trace", BAYDIN, "--at", "x1=2,x2=5", "--format", "json", "--mode", "reverse")
    data = json.loads(out)
    steps = data["adjoint_steps"]
    assert [s["kind"] for s in steps] == ["seed"] + ["assign"] * 6 + ["add"] * 2
    assert steps[-1] == {"step": 9, "kind": "add", "target": "v_-1", "source": "v_1", "partial": 0.5,
                         "value": 5.5}
    assert data["gradient"] == {"x1": 5.5, "x2": 1.7163378145367738}
    assert [r["adjoint"] for r in data["rows"]][:2] == [5.5, 1.7163378145367738]


def test_csv_trace_is_data(adcli):
    code, out, _ = adcli("trace", "a = x*x; a + sin(x)", "--at", "x=0.5", "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["name"] for r in rows] == ["v_0", "v_1", "v_2", "v_3"]
    assert rows[1]["let"] == "a" and rows[1]["args"] == "v_0 v_0"
    assert float(rows[3]["value"]) == 0.25 + math.sin(0.5)
    assert float(rows[3]["tangent"]) == pytest.approx(1 + math.cos(0.5), rel=1e-15)
    code, out, _ = adcli("trace", "x*y", "--at", "x=3,y=2", "--format", "csv", "--mode", "reverse")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [float(r["adjoint"]) for r in rows] == [2.0, 3.0, 1.0]


def test_non_finite_values_are_strings_in_json_and_warned(adcli):
    code, out, err = adcli("trace", "log(x)", "--at", "x=-1", "--format", "json")
    assert code == 0
    assert json.loads(out)["rows"][1]["value"] == "nan"
    assert "log(-1) = nan" in err and "Traceback" not in err


EXPRS = ["(x+y)*(x-y)", "a = x*y; b = sin(a); a*b + exp(b)/y", "x^3 - 2*x*y + y^-2 + sqrt(x*x + y)",
         "atan2(y, x) + hypot(x, y)*tanh(x) - log1p(x*y)", "max(x, y)*min(x, 2) + abs(y - 3)*sigmoid(x)",
         "x^y + pow(y, 0.5) + cbrt(x) * erf(y) - softplus(x - y)", "s = x + y; s*s*s + s/x"]


@pytest.mark.parametrize("expr", EXPRS)
def test_tangents_and_adjoints_agree_with_the_evaluators(expr):
    p = adcli.parse(expr)
    rng = random.Random(expr)
    for _ in range(3):
        point = {v: rng.uniform(0.3, 2.5) for v in p.inputs}
        xs = [point[v] for v in p.inputs]
        for j in range(len(xs)):
            t = trace.build(p, point, "forward", {p.inputs[j]: 1.0})
            seeds = [[1.0] if i == j else None for i in range(len(xs))]
            vals, tans = forward.jvp(p, xs, seeds, scalar)
            for r in t.rows:
                assert r.value == vals[r.node]
                want = tans[r.node][0] if tans[r.node] is not None else None
                # None is a structural zero in both
                assert (r.tangent or 0.0) == pytest.approx(want or 0.0, rel=1e-12)
        t = trace.build(p, point, "reverse")
        _, adj, _ = reverse.vjp(p, xs, [[1.0]], scalar)
        for i, v in enumerate(p.inputs):
            assert t.gradient[v] == pytest.approx(adj[i][0] if adj[i] else 0.0, rel=1e-12)
        # and the final adjoint of each input is the value of its last step
        last = {}
        for s in t.steps:
            last[s.target] = s.value
        for i, v in enumerate(p.inputs):
            assert last.get(i - len(p.inputs) + 1, 0.0) == t.gradient[v]


def test_multiply_used_variables_accumulate_as_their_own_steps():
    t = trace.build(adcli.parse("x*x*x"), {"x": 2.0}, "reverse")
    # v1 = x*x uses x twice, v2 = v1*x once more: three contributions to x̄
    to_x = [s for s in t.steps if s.target == 0]
    assert [s.kind for s in to_x] == ["assign", "add", "add"]
    assert to_x[-1].value == 12.0


@pytest.mark.parametrize("op", sorted(PRIMS))
def test_partial_texts_match_the_rules(op):
    """Each displayed partial, read back as an adcli expression, equals the rule's value."""
    prim = PRIMS[op]
    rng = random.Random(op)
    for _ in range(5):
        args = [rng.uniform(*rng.choice(iv)) for iv in prim.sample]
        param = rng.choice([2.0, 3.0, 0.5, -1.0, -2.5]) if op == "powc" else None
        y = prim.value(scalar, param, *args)
        rule = call_partials(prim, scalar, param, y, args)
        for k in range(prim.arity):
            # What a trace shows, and the table's text (for powc the general c*x^(c-1)).
            for text in (notation.partial_text(op, k, param), prim.partial_texts[k]):
                subst = text.format(*[f"({a!r})" for a in args], y=f"({y!r})", p=f"({param!r})")
                if "[" in subst:  # an Iverson bracket: [a < b] is 1 or 0
                    import re
                    subst = re.sub(r"\[([^\]]*)\]", lambda m: "1" if eval(m.group(1)) else "0", subst)  # noqa: S307
                shown = adcli.evaluate(subst).value[0]
                assert shown == pytest.approx(float(rule[k]), rel=1e-12, abs=1e-12), (op, k, text)


def test_usage_errors(adcli):
    code, _, err = adcli("trace", "x, y", "--at", "x=1,y=2", "--mode", "reverse")
    assert code == 2 and "one output" in err
    code, _, err = adcli("trace", "x*y", "--at", "x=1,y=2", "--wrt", "z")
    assert code == 2 and "'z' is not a variable" in err
    code, _, err = adcli("trace", "x*y", "--at", "x=1")
    assert code == 1 and "no value for variable y" in err
    code, _, err = adcli("trace", "x*y", "--at", "x=1,y=2", "--wrt", "x", "--dir", "x=1")
    assert code == 2
    code, _, err = adcli("trace", "2x", "--at", "x=1")
    assert code == 2 and "^" in err and "Traceback" not in err


def test_hostile_source_text_is_shown_literally(adcli):
    expr = "x + 1 # [bold red]hi[/] \x1b[31m"
    code, out, err = adcli("trace", expr, "--at", "x=1")
    assert code == 0
    assert "[bold red]hi[/]" in out
    assert "\x1b" not in out and "\\x1b[31m" in out


def test_piped_output_has_no_escape_codes(adcli):
    code, out, _ = adcli("trace", BAYDIN, "--at", "x1=2,x2=5", "--mode", "reverse")
    assert "\x1b" not in out


@pytest.mark.slow  # a 10,000-deep input
def test_deep_chain_traces_without_recursion(adcli):
    depth = 10_000
    expr = "sin(" * depth + "x" + ")" * depth
    from adcli import grad, parse  # the name adcli is the fixture here
    p = parse(expr)
    t = trace.build(p, {"x": 0.5}, "reverse")
    assert len(t.rows) == depth + 1 and len(t.steps) == depth + 1
    assert t.gradient["x"] == pytest.approx(grad(expr, x=0.5).gradient["x"], rel=1e-12)
    code, out, _ = adcli("trace", expr, "--at", "x=0.5", "--format", "csv")
    assert code == 0 and out.count("\n") == depth + 2


def test_json_and_csv_do_not_import_rich():
    p = probe(["trace", "x*y", "--at", "x=1,y=2", "--format", "json"],
              ["trace", "x*y", "--at", "x=1,y=2", "--format", "csv", "--mode", "reverse"], ["parse", "-x^2"])
    assert (p.codes, p.imported("rich"), p.imported("numpy")) == ([0, 0, 0], False, False)


def test_a_non_utf8_terminal_gets_ascii():
    # A real process: the interpreter picks the stream's encoding at start-up.
    for args in (["trace", BAYDIN, "--at", "x1=2,x2=5", "--mode", "reverse"], ["graph", "(x+y)*(x-y)"]):
        r = subprocess_adcli(*args, env={"PYTHONIOENCODING": "latin-1"})
        assert r.code == 0, r.err
        assert r.out.isascii(), r.out
        assert "vbar_-1" in r.out or "v_-1" in r.out


@pytest.mark.parametrize("mode", ["forward", "reverse"])
@pytest.mark.parametrize("ascii_", [False, True])
def test_long_traces_use_plain_columns_laid_out_like_the_table(monkeypatch, mode, ascii_):
    from adcli.render import trace as render_trace
    t = trace.build(adcli.parse("a = x1*x2; log(x1) + a - sin(x2)/a"), AT, mode)
    rich = fixed_console(200)
    print_table(t, rich, ascii=ascii_, decimals=4)
    monkeypatch.setattr(render_trace, "RICH_ROWS", 0)
    plain = fixed_console(200)
    print_table(t, plain, ascii=ascii_, decimals=4)
    assert text_of(plain) == text_of(rich)


@pytest.mark.slow  # 10,000 rows
def test_ten_thousand_row_trace_table(adcli):
    expr = "+".join(f"sin(x*{i})" for i in range(1, 3400))  # 10,197 nodes
    code, out, err = adcli("trace", expr, "--at", "x=1", "--mode", "reverse")
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert len(lines) > 2 * 10_197
    from adcli import grad  # the name adcli is the fixture here
    assert float(lines[-1].split()[-1]) == pytest.approx(grad(expr, x=1).gradient["x"], rel=1e-12)
