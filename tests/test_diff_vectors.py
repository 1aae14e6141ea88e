"""adcli diff on the whole language: vectors (their lengths from --length or --at), sums,
user functions and if, in every target. The adcli program read back by `adcli eval` prints
`adcli grad`'s numbers to the bit; Python, numpy and C take the elements in order and agree
with the engines, on random expressions whose if has a branch poisoned where it is not taken."""
import json
import math
import random
import re
import shutil
import subprocess

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import adcli
from adcli.api import Function, diff
from conftest import probe
from fuzzkit import programs, run_adcli
from randexpr import expression as random_expression


def bits(v):
    if isinstance(v, str):      # JSON's "nan", "inf"
        v = float(v)
    v = float(v)
    return "nan" if v != v else v.hex()


def grad_numbers(out):
    """[value, every derivative] of `adcli grad --format json`, a vector's in order."""
    doc = json.loads(out)
    got = [doc["value"]]
    for d in doc["gradient"].values():
        got += d if isinstance(d, list) else [d]
    return [bits(v) for v in got]


def vec(values):
    return "[" + ",".join(repr(v) for v in values) + "]"


# vectors, sums and products, user functions, if with a poisoned side, len as a number
LANGUAGE = [
    ("sum(i = 1:len(x), x[i]^2) * y", {"x": 3}),
    ("g(t) = t*exp(-t); sum(i = 1:len(x), g(x[i])) + g(y)", {"x": 4}),
    ("if(x[1] > 0, sqrt(x[1]), log(-x[1])) + prod(i = 1:len(x), x[i])", {"x": 3}),
    ("sum(i = 1:len(x), if(x[i] > y, (x[i] - y)*log(x[i] - y), sqrt(y - x[i])))", {"x": 3}),
    ("h(a, b) = if(a > b, a - b, b^2); sum(i = 1:len(x), h(x[i], w[i]))", {"x": 2, "w": 2}),
    ("len(x)*y + x[len(x)] - x[1]/len(x)", {"x": 3}),
    ("s = sum(i = 1:len(x), x[i]); q = sum(i = 1:len(x), (x[i] - s/len(x))^2); sqrt(q)", {"x": 5}),
    ("x[2]*y", {"x": 3}),
]


def points(lengths, rng, count=4):
    out = []
    for _ in range(count):
        p = {v: [rng.choice([-1.5, -0.5, 0.25, 0.75, 2.0, 3.0]) for _ in range(n)] for v, n in lengths.items()}
        p["y"] = rng.choice([-1.0, 0.5, 2.0])
        out.append(p)
    return out


def at_of(point, expr):
    used = adcli.compile(expr).variables
    return ",".join(f"{v}={vec(x) if isinstance(x, list) else repr(x)}" for v, x in point.items() if v in used)


@pytest.mark.parametrize("expr,lengths", LANGUAGE)
def test_adcli_target_reads_back_to_the_bit(adcli, tmp_path, expr, lengths):
    r = adcli("diff", expr, "--length", ",".join(f"{v}={n}" for v, n in lengths.items()))
    assert r.code == 0, r.err
    assert not re.search(r"^d\w*\[", r.out, re.M)       # no df_dx[1] = ...: a let name is a name
    path = tmp_path / "d.adc"
    path.write_text(r.out)
    rng = random.Random(expr)
    for point in points(lengths, rng):
        at = at_of(point, expr)
        g = adcli("grad", expr, "--at", at, "--format", "json")
        e = adcli("eval", f"@{path}", "--at", at, "--format", "json")
        assert g.code == e.code == 0, (g.err, e.err)
        assert [bits(v) for v in json.loads(e.out)["value"]] == grad_numbers(g.out), (expr, at)


def test_at_gives_the_lengths_as_grad_takes_them(adcli, tmp_path):
    expr = "sum(i = 1:len(x), x[i]^2) * y"
    by_length = adcli("diff", expr, "--length", "x=3")
    by_point = adcli("diff", expr, "--at", "x=[7,8,9],y=1")
    (tmp_path / "x.txt").write_text("1 2\n3\n")
    by_file = adcli("diff", expr, "--at", f"x=@{tmp_path / 'x.txt'}")
    assert by_length.code == by_point.code == by_file.code == 0
    assert by_length.out == by_point.out == by_file.out
    assert "x[3]" in by_length.out and "x[4]" not in by_length.out
    assert adcli("diff", expr, "--length", "x=4").out.count("df_dx_") == 4 * 2   # assigned, then listed


def test_a_missing_length_says_how_to_give_it(adcli):
    r = adcli("diff", "sum(i = 1:len(x), x[i]) * y")
    assert r.code == 2
    assert "length of x" in r.err and "--length x=3" in r.err and "--at x=[1,2,3]" in r.err
    r = adcli("diff", "a[1]*b[2]", "--length", "a=2")
    assert r.code == 2 and "length of b" in r.err and "--length b=3" in r.err


@pytest.mark.parametrize("argv,words", [
    (["--length", "x=0"], "at least 1"),
    (["--length", "x=2.5"], "whole number"),
    (["--length", "x"], "name=length"),
    (["--length", "x=2", "--length", "x=3"], "twice"),
    (["--length", "y=2"], "reads as a number"),
    (["--length", "z=2"], "not in the expression"),
    (["--length", "x=2", "--at", "x=[1,2,3]"], "--length gives x 2 elements and --at gives it 3"),
    (["--at", "x=3"], "one number"),
    (["--at", "x=[1,2],y=[1,2]"], "reads as a number"),
])
def test_bad_lengths_are_usage_errors(adcli, argv, words):
    r = adcli("diff", "x[1]*y", *argv)
    assert r.code == 2, r.err
    assert words in r.err


def test_a_scalar_expression_needs_no_length_and_ignores_numbers(adcli):
    plain = adcli("diff", "x*y")
    assert adcli("diff", "x*y", "--at", "x=3,y=2").out == plain.out
    assert "written for" not in plain.out


def test_explain_lists_lengths_and_elements(adcli):
    r = adcli("diff", "sum(i = 1:len(x), x[i]) * y", "--length", "x=2", "--to", "python", "--explain")
    assert r.code == 0
    assert "arguments: x0 = x[1], x1 = x[2], x2 = y" in r.err
    assert "lengths: x = 2" in r.err
    r = adcli("diff", "x[1]*y", "--length", "x=2", "--to", "c", "--explain")
    assert "in[0] = x[1], in[1] = x[2], in[2] = y" in r.err


def test_wrt_a_vector_means_its_elements(adcli):
    expr = "x[1]*x[2]*y"
    all_of_x = adcli("diff", expr, "--length", "x=2", "--wrt", "x", "--to", "python", "--explain")
    assert "arguments: x0 = x[1], x1 = x[2], x2 = y" in all_of_x.err
    assert all_of_x.out.rstrip().endswith("return v4, [v5, v6]")    # d/dx[1], d/dx[2]; not y
    one = adcli("diff", expr, "--length", "x=2", "--wrt", "y,x[2]", "--explain", "--to", "python")
    assert "arguments: x0 = y, x1 = x[2], x2 = x[1]" in one.err
    out = adcli("diff", expr, "--length", "x=2", "--wrt", "x[2]").out
    assert "df_dx_2 =" in out and "df_dx_1" not in out and "df_dy" not in out


def test_latex_writes_elements_as_subscripts(adcli):
    r = adcli("diff", "sum(i = 1:len(x), x[i]^2)", "--length", "x=2", "--to", "latex")
    assert r.code == 0
    assert r"\mathit{x}_{1}^{2}" in r.out and r"\partial \mathit{x}_{2}}" in r.out
    assert "[" not in r.out.replace(r"\begin{align*}", "")


def test_inline_names_elements(adcli):
    r = adcli("diff", "x[1]*x[2]", "--length", "x=2", "--inline")
    assert "df/dx[1] = x[2]" in r.out and "df/dx[2] = x[1]" in r.out


def test_output_names_step_around_the_variables(adcli, tmp_path):
    # A vector named f or v3, and a scalar named like an element's derivative.
    expr = "f[1]*v3[2] + sum(i = 1:len(v3), v3[i]) + df_dv3_1"
    r = adcli("diff", expr, "--length", "f=2,v3=2")
    assert r.code == 0
    path = tmp_path / "d.adc"
    path.write_text(r.out)
    at = "f=[1.5,-2],v3=[2,5],df_dv3_1=0.25"
    e = adcli("eval", f"@{path}", "--at", at, "--format", "json")
    g = adcli("grad", expr, "--at", at, "--format", "json")
    assert e.code == 0, e.err
    assert [bits(v) for v in json.loads(e.out)["value"]] == grad_numbers(g.out)


# ---------------------------------------------------------------- Python, numpy, C

def engine(f, point, mode):
    """[values, then each output's derivatives] by the engines, at a point with vectors."""
    r = f.derivatives(point, mode=mode)
    return list(r.value) + [d for row in r.jacobian for d in row]


def run_python(source, args):
    ns = {}
    exec(compile(source, "<generated>", "exec"), ns)  # the test runs what a user would save and run
    value, derivs = ns["grad"](*args)
    return (list(value) if isinstance(value, list) else [value]) + list(derivs)


def flat_args(g, point):
    """The generated code's arguments: the specialised Function's variables, elements in order."""
    flat = {}
    for v, x in point.items():
        if isinstance(x, list):
            flat.update({f"{v}[{k}]": e for k, e in enumerate(x, 1)})
        else:
            flat[v] = x
    return [flat[v] for v in g.variables]


@pytest.mark.parametrize("expr,lengths", LANGUAGE)
@pytest.mark.parametrize("mode", ["forward", "reverse"])
def test_python_and_numpy_take_the_elements_in_order(expr, lengths, mode):
    import numpy as np
    f = adcli.compile(expr)
    g = diff.specialise(f, lengths)
    dp = diff.program_of(g, None, mode)
    py, npy = diff.source(dp, "python"), diff.source(dp, "numpy")
    rng = random.Random(expr + mode)
    pts = points(lengths, rng, 6)
    for point in pts:
        point = {v: x for v, x in point.items() if v in f.variables}
        want = engine(f, point, mode)
        assert [bits(v) for v in run_python(py, flat_args(g, point))] == [bits(v) for v in want], (expr, point)
    pts = [{v: x for v, x in p.items() if v in f.variables} for p in pts]
    cols = [np.array(c) for c in zip(*[flat_args(g, p) for p in pts])]
    got = run_python(npy, cols)
    for k, p in enumerate(pts):
        want = engine(f, p, mode)
        assert [bits(v[k]) for v in got] == [bits(v) for v in want], (expr, p)


CC = shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")


@pytest.mark.skipif(CC is None, reason="no C compiler on this machine (cc, gcc or clang)")
def test_c_takes_the_elements_in_order(tmp_path):
    cases = [(e, n) for e, n in LANGUAGE] + [(e, {"x": 2}) for e in POISONED[:10]]
    units, calls = [], []
    rng = random.Random(11)
    for k, (expr, lengths) in enumerate(cases):
        f = adcli.compile(expr)
        g = diff.specialise(f, lengths)
        src = diff.source(diff.program_of(g, None, "reverse"), "c").replace("adcli_", f"u{k}_")
        units.append(src.replace("#include <math.h>", ""))
        for point in points(lengths, rng, 3):
            point = {v: x for v, x in point.items() if v in f.variables}
            calls.append((k, f, point, flat_args(g, point)))
    body = ["#include <math.h>", "#include <stdio.h>", *units, "int main(void) {", "    double in[8], g[8], v;"]
    for k, _, _, args in calls:
        body += [f"    in[{j}] = {x!r};" for j, x in enumerate(args)]
        body.append(f"    v = u{k}_grad(in, g);")
        body.append('    printf("%a' + ' %a' * len(args) + '\\n", v' + "".join(f", g[{j}]" for j in range(len(args)))
                    + ");")
    body += ["    return 0;", "}"]
    (tmp_path / "p.c").write_text("\n".join(body))
    subprocess.run([CC, "-std=c99", "-O1", "-o", str(tmp_path / "p"), str(tmp_path / "p.c"), "-lm"], check=True,
                   capture_output=True, timeout=120)
    out = subprocess.run([str(tmp_path / "p")], check=True, capture_output=True, text=True, timeout=60)
    lines = out.stdout.splitlines()
    assert len(lines) == len(calls)
    for line, (_, f, point, _) in zip(lines, calls):
        got = [float.fromhex(t) if "nan" not in t else math.nan for t in line.split()]
        want = engine(f, point, "reverse")
        for a, b in zip(got, want):
            # libm's functions may differ from Python's by an ulp; nan and inf must match exactly
            assert (a != a and b != b) or a == b or math.isclose(a, b, rel_tol=1e-13, abs_tol=1e-300), (f.expr, point)


# ---------------------------------------------------------------- random: if with poisoned branches

POISON = ["log({u})", "sqrt({u})", "1/({u})", "acosh({u} + 1)", "log({u})^2", "({u})^-1.5"]


def _poisoned(seed, count):
    """sum(...) + if(c, A + p(a), B + q(b)) over x[1], x[2] and y: p's argument is <= 0
    exactly where c is false, q's where c is true, so each branch is nan or infinite on the
    side where it is not taken."""
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        a_src, _ = random_expression(rng, 2)
        b_src, _ = random_expression(rng, 2)
        a_src = re.sub(r"\bx\b", "x[1]", a_src)
        b_src = re.sub(r"\bx\b", "x[2]", b_src)
        u = rng.choice(["x[1]", "x[1] - y", "x[1]*x[2]"])
        p = rng.choice(POISON).format(u=u)
        q = rng.choice(POISON).format(u=f"-({u})")
        out.append(f"sum(i = 1:len(x), x[i]*y) + if({u} > 0, {a_src} + {p}, {b_src} + {q})")
    return out


POISONED = _poisoned(1207, 16)


def _away_from_the_boundary(expr, rng):
    u = expr[expr.index("if(") + 3:expr.index(" > 0")]
    while True:
        p = {"x": [rng.uniform(-2, 2), rng.uniform(-2, 2)], "y": rng.uniform(-2, 2)}
        value = adcli.evaluate(u, {k: v for k, v in p.items() if k in adcli.compile(u).variables}).value[0]
        if abs(value) > 0.05:
            return p


@pytest.mark.parametrize("expr", POISONED)
def test_poisoned_if_python_and_read_back(adcli, tmp_path, expr):
    f = Function(expr)
    g = diff.specialise(f, {"x": 2})
    rng = random.Random(expr)
    pts = [_away_from_the_boundary(expr, rng) for _ in range(4)]
    r = adcli("diff", expr, "--at", "x=[0,0]")
    assert r.code == 0, r.err
    (tmp_path / "d.adc").write_text(r.out)
    for mode in ("forward", "reverse"):
        py = diff.source(diff.program_of(g, None, mode), "python")
        for p in pts:
            want = engine(f, p, mode)
            assert all(math.isfinite(v) for v in want), (expr, p)     # nothing leaked from the untaken side
            assert [bits(v) for v in run_python(py, flat_args(g, p))] == [bits(v) for v in want], (expr, p, mode)
    for p in pts[:2]:
        at = f"x={vec(p['x'])},y={p['y']!r}"
        e = adcli("eval", f"@{tmp_path / 'd.adc'}", "--at", at, "--format", "json")
        gr = adcli("grad", expr, "--at", at, "--format", "json")
        assert e.code == gr.code == 0, (e.err, gr.err)
        assert [bits(v) for v in json.loads(e.out)["value"]] == grad_numbers(gr.out), (expr, at)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(st.data())
def test_grammar_programs_with_functions_and_if(data):
    # Programs with let, user functions, comparisons, and/or/not and if, drawn from the
    # grammar: the Python target is the engine to the bit, and the adcli target reads back.
    text = data.draw(programs(max_leaves=8, conditionals=True))
    f = adcli.compile(text)
    names = f.variables
    point = {v: data.draw(st.sampled_from((-2.0, -0.5, 0.0, 0.5, 1.0, 3.0))) for v in names}
    mode = data.draw(st.sampled_from(("forward", "reverse")))
    dp = diff.program_of(f, None, mode)
    r = f.derivatives(point, mode=mode)
    want = list(r.value) + [d for row in r.jacobian for d in row]
    got = run_python(diff.source(dp, "python"), [point[v] for v in names])
    assert [bits(v) for v in got] == [bits(v) for v in want], (text, point, mode)
    if len(f.outputs) == 1 and names:
        d = run_adcli(["diff", text, "--mode", mode])
        assert d.code == 0, d.err
        at = ",".join(f"{v}={x!r}" for v, x in point.items())
        e = run_adcli(["eval", d.out, "--at", at, "--format", "json"])
        assert e.code == 0, e.err
        assert [bits(v) for v in json.loads(e.out)["value"]] == [bits(v) for v in want], (text, point, mode)


def test_diff_with_vectors_imports_neither_numpy_nor_rich():
    p = probe(["diff", "sum(i = 1:len(x), x[i]^2)", "--length", "x=3"],
              ["diff", "x[1]*y", "--at", "x=[1,2]", "--to", "c"])
    assert p.codes == [0, 0]
    assert not p.imported("numpy") and not p.imported("rich")


# ---------------------------------------------------------------- the API's positional calls

@pytest.mark.parametrize("expr,lengths", LANGUAGE)
def test_positional_calls_with_vectors_are_the_keyword_calls(expr, lengths):
    import numpy as np
    f = adcli.compile(expr)
    rng = random.Random("api" + expr)
    pts = [{v: x for v, x in p.items() if v in f.variables} for p in points(lengths, rng, 5)]
    for p in pts:
        args = [p[v] for v in f.variables]
        r = f.grad(p) if len(f.outputs) == 1 else None
        value, gradient = f.grad(*args)
        assert bits(value) == bits(r.value[0])
        assert [bits(v) for v in gradient] == [bits(v) for v in r.jacobian[0]], (expr, p)
        assert list(r.wrt) == list(f.specialise({v: len(x) for v, x in p.items() if isinstance(x, list)}).variables)
        assert bits(f(*args)) == bits(r.value[0])
        # a 1-D array is one vector, as a list is
        arrays = [np.array(a) if isinstance(a, list) else a for a in args]
        assert [bits(v) for v in f.grad(*arrays)[1]] == [bits(v) for v in gradient]
    # a 2-D array is many points of a vector, a row each; a scalar's array is its points
    many = [np.array([p[v] for p in pts]) for v in f.variables]
    values, grads = f.grad(*many)
    for k, p in enumerate(pts):
        v1, g1 = f.grad(*[p[v] for v in f.variables])
        assert bits(values[k]) == bits(v1)
        assert [bits(v) for v in grads[k]] == [bits(v) for v in g1]


def test_positional_calls_with_vectors_in_every_form():
    import numpy as np
    f = adcli.compile("sum(i = 1:len(x), x[i]^2) * y", variables=["y", "x"])
    value, g = f.grad(3.0, [1.0, 2.0])
    assert value == 15.0 and g.tolist() == [5.0, 6.0, 12.0]     # y, then x[1], x[2]
    assert f.grad(3.0, [1.0, 2.0], wrt=["x"])[1].tolist() == [6.0, 12.0]
    values, jac = f.jacobian(3.0, [1.0, 2.0, 4.0])
    assert values.tolist() == [63.0] and jac.tolist() == [[21.0, 6.0, 12.0, 24.0]]
    value, g, h = f.hessian(3.0, [1.0, 2.0])
    assert h.tolist() == [[0.0, 2.0, 4.0], [2.0, 6.0, 0.0], [4.0, 0.0, 6.0]]
    assert f(3.0, np.array([1.0, 2.0])) == 15.0
    with pytest.raises(TypeError, match="takes 2 values"):
        f.grad([1.0, 2.0])
    with pytest.raises(adcli.AdcliError, match="indexed as a vector"):
        f.grad(3.0, 1.0)
