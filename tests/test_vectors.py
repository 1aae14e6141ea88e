"""Vectors and sums: x[i], len(x), sum(i = a:b, ...) and prod(i = a:b, ...), vector
points (x=[..], x=@FILE, @FILE.json), vector output (JSON lists, x[1] columns), every
command, job files and --points. Oracles: SymPy (Sum over an IndexedBase, and the sum
written out term by term), central differences, forward == reverse, one point == many."""
import json
import math
import random

import numpy as np
import pytest
import sympy as sp

import adcli
from conftest import probe

ROSEN = "sum(i = 1:len(x)-1, 100*(x[i+1] - x[i]^2)^2 + (1 - x[i])^2)"


def rosen_sympy(n):
    """SymPy's Rosenbrock over an IndexedBase (1-based, as adcli's), summed by SymPy."""
    xb = sp.IndexedBase("x")
    i = sp.Idx("i")
    f = sp.Sum(100 * (xb[i + 1] - xb[i] ** 2) ** 2 + (1 - xb[i]) ** 2, (i, 1, n - 1)).doit()
    syms = [xb[k] for k in range(1, n + 1)]
    return f, syms


def numeric(f, syms, xs):
    return float(f.subs(dict(zip(syms, xs))))


# ---------------------------------------------------------------- values and derivatives


@pytest.mark.parametrize("n", [2, 3, 7])
def test_rosenbrock_value_gradient_hessian_match_sympy_sum(n):
    rng = random.Random(n)
    xs = [rng.uniform(-2, 2) for _ in range(n)]
    f, syms = rosen_sympy(n)
    r = adcli.compile(ROSEN).hessian(x=xs)
    assert r.value == pytest.approx(numeric(f, syms, xs), rel=1e-13)
    assert r.variables == tuple(f"x[{k}]" for k in range(1, n + 1))
    for k, s in enumerate(syms):
        assert r.gradient[f"x[{k + 1}]"] == pytest.approx(numeric(sp.diff(f, s), syms, xs), rel=1e-12, abs=1e-12)
        for j, t in enumerate(syms):
            assert r.hessian[k][j] == pytest.approx(numeric(sp.diff(f, s, t), syms, xs), rel=1e-12, abs=1e-12)


def test_sums_nested_and_products_match_sympy_written_out():
    src = "prod(k = 1:len(x), 1 + x[k]/k) + sum(i = 1:len(x), sum(j = i:len(x), x[i]*x[j]*y))"
    n = 4
    xs = [0.3, -1.1, 2.0, 0.7]
    X = sp.symbols("x1:5")
    y = sp.Symbol("y")
    f = sp.prod([1 + X[k] / (k + 1) for k in range(n)]) + sum(X[i] * X[j] * y for i in range(n) for j in range(i, n))
    at = {**dict(zip(X, xs)), y: 1.5}
    r = adcli.grad(src, x=xs, y=1.5)
    assert r.value[0] == pytest.approx(float(f.subs(at)), rel=1e-14)
    for k in range(n):
        assert r.gradient[f"x[{k + 1}]"] == pytest.approx(float(sp.diff(f, X[k]).subs(at)), rel=1e-13)
    assert r.gradient["y"] == pytest.approx(float(sp.diff(f, y).subs(at)), rel=1e-13)


def central(fn, xs, k, h=1e-6):
    up, down = list(xs), list(xs)
    up[k] += h
    down[k] -= h
    return (fn(up) - fn(down)) / (2 * h)


@pytest.mark.parametrize("src", [
    ROSEN,
    "sum(i = 1:len(x), sin(x[i]) * x[len(x) - i + 1])",
    "n = len(x); m = n - 1; sum(i = 1:m, exp(-x[i]) * x[i+1]^2) / n",
    "sum(i = 2:len(x), prod(j = 1:i-1, cos(x[j])) * x[i])",
])
def test_gradients_match_central_differences_and_both_modes(src):
    f = adcli.compile(src)
    xs = [0.4, -0.3, 1.2, 0.9, -0.7]
    rev = f.grad(x=xs, mode="reverse").gradient
    fwd = f.grad(x=xs, mode="forward").gradient
    for k in range(len(xs)):
        key = f"x[{k + 1}]"
        assert rev[key] == pytest.approx(fwd[key], rel=1e-13, abs=1e-15)
        fd = central(lambda v: f.eval(x=v).value[0], xs, k)
        assert rev[key] == pytest.approx(fd, rel=1e-6, abs=1e-7)


def test_one_point_equals_many_points_with_a_2d_array():
    f = adcli.compile(ROSEN + " * y")
    rng = np.random.default_rng(3)
    X = rng.uniform(-2, 2, size=(6, 5))
    Y = rng.uniform(-1, 1, size=6)
    many = f.grad(x=X, y=Y)
    for p in range(6):
        one = f.grad(x=X[p].tolist(), y=float(Y[p]))
        assert many.value[0][p] == pytest.approx(one.value[0], rel=1e-15)
        for key, g in one.gradient.items():
            assert many.gradient[key][p] == pytest.approx(g, rel=1e-14, abs=1e-300)


def test_a_list_a_tuple_and_a_1d_array_are_one_vector():
    f = adcli.compile("sum(i = 1:len(x), x[i]^2)")
    for value in ([1.0, 2.0, 3.0], (1, 2, 3), np.array([1.0, 2.0, 3.0])):
        r = f.grad(x=value)
        assert r.value[0] == 14.0
        assert r.gradient == {"x[1]": 2.0, "x[2]": 4.0, "x[3]": 6.0}


def test_lowering_is_specialised_per_length_and_cached():
    f = adcli.compile("sum(i = 1:len(x), x[i])")
    assert f.variables == ("x",)
    a = f.specialise({"x": 3})
    assert a is f.specialise({"x": 3})
    assert a.program.inputs == ("x[1]", "x[2]", "x[3]")
    assert a.program.vectors == (("x", 3),)
    assert f.specialise({"x": 5}).program.inputs[-1] == "x[5]"
    assert f.eval(x=[1, 2]).value == [3.0]
    assert adcli.parse("sum(i = 1:len(x), x[i])", {"x": 2}).listing() == "v0 = x[1]\nv1 = x[2]\nv2 = v0 + v1\nreturn v2"
    with pytest.raises(adcli.AdcliError, match="depends on the length of x"):
        _ = f.program


def test_empty_ranges_give_zero_and_one_and_keep_the_vector_whole():
    r = adcli.grad("sum(i = 1:0, x[i]) + prod(i = 3:2, x[i]) + x[1]", x=[5.0, 6.0])
    assert r.value == [6.0]
    assert r.gradient == {"x[1]": 1.0, "x[2]": 0.0}   # an unused element still has its 0


def test_wrt_a_vector_or_one_element():
    f = adcli.compile("x[1]*x[2]*y")
    assert list(f.grad(x=[2, 3], y=4, wrt="x").gradient) == ["x[1]", "x[2]"]
    assert f.grad(x=[2, 3], y=4, wrt="x[2]").gradient == {"x[2]": 8.0}
    with pytest.raises(adcli.AdcliError, match="x has 2 elements"):
        f.grad(x=[2, 3], y=4, wrt="x[3]")


# ---------------------------------------------------------------- deep and long, no recursion


@pytest.mark.slow
def test_rosenbrock_at_100000_terms():
    n = 100_000
    xs = [1.0 + 0.001 * (k % 7) for k in range(n)]
    r = adcli.grad(ROSEN, x=xs)
    x = np.array(xs)
    d = x[1:] - x[:-1] ** 2
    g = np.zeros(n)
    g[:-1] = -400 * x[:-1] * d - 2 * (1 - x[:-1])
    g[1:] += 200 * d
    grad = r.gradient   # a dict made at each access: taken once
    got = np.array([grad[f"x[{k}]"] for k in range(1, n + 1)])
    assert np.allclose(got, g, rtol=1e-12, atol=1e-12)
    assert r.value[0] == pytest.approx(float(np.sum(100 * d ** 2 + (1 - x[:-1]) ** 2)), rel=1e-10)


def test_sums_nested_10000_deep():
    depth = 10_000
    src = "".join(f"sum(i{k} = 1:1, " for k in range(depth)) + "x[1]*i0" + ")" * depth
    r = adcli.grad(src, x=[3.0])
    assert r.value == [3.0] and r.gradient == {"x[1]": 1.0}


# ---------------------------------------------------------------- errors, with a caret


@pytest.mark.parametrize("src,at,pos,message", [
    ("x[3]", "x=[1,2]", 2, "index 3 is out of range for x (length 2)"),
    ("x[0]", "x=[1,2]", 2, "index 0 is out of range"),
    ("x[1.5]", "x=[1,2]", 2, "not an integer"),
    ("x[y]", "x=[1,2],y=1", 2, "must be an integer known before evaluation"),
    ("sum(i = 1:2.5, x[i])", "x=[1,2]", 10, "the upper bound is 2.5, not an integer"),
    ("sum(i = y:2, x[i])", "x=[1,2],y=1", 8, "the lower bound must be an integer"),
    ("x[1] + x", "x=[1,2]", 7, "'x' is a vector (2 elements), used here as a number"),
    ("x + 1", "x=[1,2]", 0, "'x' is given a vector (2 elements) but used as a number"),
    ("x[1]", "x=3", 0, "'x' is indexed as a vector in the expression but given a number"),
    ("a = 2; a[1]", "x=[1]", 7, "'a' is a let-binding, not a vector"),
    ("sum(i = 1:2, i[1])", "x=[1]", 13, "'i' is a sum index"),
    ("sum(i = 1:2, sum(i = 1:2, x[i]))", "x=[1,2]", 17, "already the index of an enclosing sum"),
    ("sum(x)", "x=[1,2]", 0, "sum() takes an index and a range"),
    ("foo(i = 1:2, x[i])", "x=[1,2]", 0, "is not a function"),
    ("(x)[1]", "x=[1,2]", 3, "only a vector variable can be indexed"),
    ("len(x + 1)", "x=[1,2]", 0, "len() takes the name of a vector variable"),
    ("sum(i = 1:1e9, 1)", "x=[1]", 8, "more than adcli unrolls"),
    ("sum = 3; sum", "x=[1]", 0, "cannot bind 'sum'"),
])
def test_errors_have_a_caret_and_a_hint(adcli, src, at, pos, message):
    code, out, err = adcli("eval", src, "--at", at)
    assert code == 2, err
    assert out == ""
    assert message in err
    lines = err.splitlines()
    k = next(j for j, line in enumerate(lines) if line.strip() == src)
    assert lines[k + 1].index("^") - lines[k].index(src[0]) == pos, err
    assert len(lines) > k + 2   # a hint follows


def test_a_vector_without_a_value(adcli):
    code, out, err = adcli("grad", ROSEN)
    assert code == 1 and "no value for vector variable x" in err and "--at x=[1,2,3]" in err


# ---------------------------------------------------------------- vector points


@pytest.mark.parametrize("at,message,col", [
    ("x=[", "never closed", 2),
    ("x=[1,,2]", "an empty element", 5),
    ("x=[[1],2]", "a vector inside the vector", 3),
    ("x=[]", "the vector x is empty", 2),
    ("x=[1,2]]", "unexpected text after the vector of x", 7),
    ("x=[1,2]3", "unexpected text after the vector of x", 7),
    ("x=[1,a]", "not one with variable 'a'", 5),
    ("x=[1,2)", "never closed", 2),
])
def test_bad_vector_literals(adcli, at, message, col):
    code, out, err = adcli("grad", ROSEN, "--at", at)
    assert code == 2 and out == ""
    assert message in err
    lines = err.splitlines()
    k = lines.index("  " + at)
    assert lines[k + 1].index("^") - 2 == col, err


def test_vector_literal_takes_constant_expressions_and_nan(adcli):
    code, out, err = adcli("eval", "x[1] + x[2] + x[3]", "--at", "x=[pi/2, -1e-3, nan]", "--format", "json")
    rec = json.loads(out)
    assert code == 0 and rec["at"]["x"][:2] == [math.pi / 2, -1e-3] and rec["at"]["x"][2] == "nan"
    assert rec["value"] == "nan"


def test_vector_from_a_file(adcli, tmp_path):
    p = tmp_path / "x.txt"
    p.write_text("1, 2\n3\t4\n\n  5e0 -inf\n")
    code, out, err = adcli("grad", "sum(i = 1:len(x), x[i]*i)", "--at", f"x=@{p}", "--format", "json")
    rec = json.loads(out)
    assert code == 0, err
    assert rec["at"]["x"] == [1.0, 2.0, 3.0, 4.0, 5.0, "-inf"]
    assert rec["gradient"] == {"x": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]}
    p.write_text("[1, 2, 3]")
    assert json.loads(adcli("eval", "len(x)", "--at", f"x=@{p}", "--format", "json").out)["value"] == 3.0


@pytest.mark.parametrize("content,message", [
    (b"1 2 abc\n", "number 3 (line 1) is not a number: 'abc'"),
    (b"", "holds no numbers"),
    (b"1 2\x00 3", "NUL bytes"),
    (b"1 \xff 2", "not UTF-8"),
    (b"1 NaN", "is not a number: 'NaN'"),
    (b"1 1_000", "is not a number"),
])
def test_bad_vector_files(adcli, tmp_path, content, message):
    p = tmp_path / "x.txt"
    p.write_bytes(content)
    code, out, err = adcli("eval", "x[1]", "--at", f"x=@{p}")
    assert code == 2 and out == "" and message in err, err


def test_huge_and_missing_vector_files_are_refused_before_reading(adcli, tmp_path):
    big = tmp_path / "big.txt"
    with open(big, "wb") as fh:
        fh.truncate(65 << 20)    # sparse: nothing is written, nothing may be read
    code, out, err = adcli("eval", "x[1]", "--at", f"x=@{big}")
    assert code == 2 and "more than adcli reads for a point" in err
    code, out, err = adcli("eval", "x[1]", "--at", "x=@/dev/zero")
    assert code == 2 and "longer than adcli reads" in err
    code, out, err = adcli("eval", "x[1]", "--at", f"x=@{tmp_path / 'none'}")
    assert code == 2 and "cannot read the vector file" in err
    code, out, err = adcli("eval", "x[1]", "--at", "x=@")
    assert code == 2 and "no file name after '@'" in err


def test_json_point_file(adcli, tmp_path):
    p = tmp_path / "pt.json"
    p.write_text('{"x": [1, 2, "inf"], "y": 2.5}')
    code, out, err = adcli("grad", "x[1]*x[2]*y", "--at", f"@{p}", "--format", "json")
    rec = json.loads(out)
    assert code == 0 and rec["at"] == {"x": [1.0, 2.0, "inf"], "y": 2.5}
    assert rec["gradient"] == {"x": [5.0, 2.5, 0.0], "y": 2.0}
    # adcli's own JSON output is a point file
    q = tmp_path / "again.json"
    q.write_text(json.dumps(rec["at"]))
    assert json.loads(adcli("grad", "x[1]*x[2]*y", "--at", f"@{q}", "--format", "json").out) == rec


@pytest.mark.parametrize("content,message", [
    ('{"x": [1, [2]]}', "nested lists are not supported"),
    ('{"x": [1, 2', "not valid JSON"),
    ('{"x": NaN}', "holds NaN, which JSON does not have"),
    ('[1, 2]', "holds a JSON list, not an object"),
    ('{"x y": 1}', "is not a variable name"),
    ('{"x": []}', "the vector x is empty"),
    ('{"x": true}', "not a number"),
    ('{"x": {"a": 1}}', "not a number"),
    ('{"pi": 1}', "is the constant pi"),
    ('[' * 100000, "nests too deep"),
])
def test_bad_json_point_files(adcli, tmp_path, content, message):
    p = tmp_path / "pt.json"
    p.write_text(content)
    code, out, err = adcli("eval", "x[1]", "--at", f"@{p}")
    assert code == 2 and out == "" and message in err, err


def test_json_point_and_at_together_refuse_a_name_twice(adcli, tmp_path):
    p = tmp_path / "pt.json"
    p.write_text('{"x": [1, 2]}')
    code, _, err = adcli("eval", "x[1]", "--at", f"@{p}", "--at", "x=[3]")
    assert code == 2 and "'x' is given twice" in err


# ---------------------------------------------------------------- output in every command and format


def test_grad_json_groups_the_vector_and_tables_name_elements(adcli):
    rec = json.loads(adcli("grad", ROSEN + " + y", "--at", "x=[1,2,3],y=2", "--format", "json").out)
    assert rec["at"] == {"x": [1.0, 2.0, 3.0], "y": 2.0}
    assert rec["gradient"] == {"x": [-400.0, 1002.0, -200.0], "y": 1.0}
    csv = adcli("grad", ROSEN, "--at", "x=[1,2,3]", "--format", "csv").out.splitlines()
    assert csv[0] == "x[1],x[2],x[3],value,d/dx[1],d/dx[2],d/dx[3]"
    plain = adcli("grad", ROSEN, "--at", "x=[1,2,3]", "--format", "plain").out.splitlines()
    assert plain[1] == "d/dx[1] -400"
    table = adcli("grad", ROSEN, "--at", "x=[1,2,3,4,5,6]").out
    assert "x = [1, 2, 3, 4, … (6 elements)]" in table and "∂f/∂x[6]" in table
    one = json.loads(adcli("grad", ROSEN, "--at", "x=[1,2,3]", "--wrt", "x[2]", "--format", "json").out)
    assert one["gradient"] == {"x[2]": 1002.0}   # one element is not the vector


def test_every_command_takes_a_vector(adcli, tmp_path):
    at = ("--at", "x=[1,2,3]")
    assert json.loads(adcli("eval", ROSEN, *at, "--format", "json").out)["value"] == 201.0
    jac = json.loads(adcli("jacobian", "x[1]*x[2], sum(i=1:len(x), x[i])", *at, "--format", "json").out)
    assert jac["variables"] == ["x[1]", "x[2]", "x[3]"] and jac["jacobian"] == [[2.0, 1.0, 0.0], [1.0, 1.0, 1.0]]
    hes = json.loads(adcli("hessian", ROSEN, *at, "--format", "json").out)
    assert hes["gradient"] == {"x": [-400.0, 1002.0, -200.0]} and hes["hessian"][1] == [-400.0, 3802.0, -800.0]
    jvp = json.loads(adcli("jvp", ROSEN, *at, "--dir", "x=[1,0,0]", "--format", "json").out)
    assert jvp["dir"] == {"x": [1.0, 0.0, 0.0]} and jvp["jvp"] == -400.0
    vjp = json.loads(adcli("vjp", ROSEN, *at, "--format", "json").out)
    assert vjp["vjp"] == {"x": [-400.0, 1002.0, -200.0]}
    tay = json.loads(adcli("taylor", ROSEN, *at, "--wrt", "x[2]", "--order", "2", "--format", "json").out)
    assert tay["derivatives"] == [201.0, 1002.0, 3802.0]
    chk = adcli("check", ROSEN, *at, "--format", "json")
    assert chk.code == 0 and [r["var"] for r in json.loads(chk.out)["rows"]] == ["x[1]", "x[2]", "x[3]"]
    tr = adcli("trace", "x[1]*x[2]", "--at", "x=[2,3]")
    assert tr.code == 0 and "x[1]" in tr.out
    gr = adcli("graph", "x[1]*x[2]", "--at", "x=[2,3]", "--format", "dot")
    assert gr.code == 0 and "digraph" in gr.out
    pl = adcli("plot", "sum(i=1:len(x), x[i]^2)", "--wrt", "x[1]", "--at", "x=[1,2]", "--format", "csv",
               "--samples", "3")
    assert pl.code == 0 and pl.out.splitlines() == ["x[1],f,f'", "-5,29,-10", "0,4,0", "5,29,10"]


def test_parse_shows_sums_as_read_and_as_lowered(adcli):
    src = "sum(i = 1:len(x)-1, x[i]*x[i+1])"
    code, out, err = adcli("parse", src, "--at", "x=[1,2,3]")
    assert code == 0, err
    assert out == ("read as: sum(i = 1:len(x) - 1, x[i] * x[i + 1])\n"
                   "IR (common subexpressions merged, constants inline):\n"
                   "  v0 = x[1]\n  v1 = x[2]\n  v2 = x[3]\n  v3 = v0 * v1\n  v4 = v1 * v2\n  v5 = v3 + v4\n"
                   "  return v5\n")
    code, out, err = adcli("parse", src)
    assert code == 0 and "give them with --at x=[...]" in out
    rec = json.loads(adcli("parse", src, "--format", "json").out)
    assert rec["ir"] is None and rec["inputs"] == ["x"]


def test_parenthesized_text_reads_back_to_the_same_ir():
    src = "prod(k = 2:len(x), x[k-1]^-1 + k) - sum(i = 1:2, -x[i]^2)"
    from adcli.language.syntax import parenthesize, parse
    again = parenthesize(parse(src))
    a = adcli.compile(src).specialise({"x": 4}).program
    b = adcli.compile(again).specialise({"x": 4}).program
    assert a.listing() == b.listing()


# ---------------------------------------------------------------- batches


def test_job_file_lines_with_vectors(adcli, tmp_path):
    jobs = tmp_path / "jobs.txt"
    lines = [f"sum(i=1:len(x), x[i]^2) @ x=[{k},2]" for k in range(10)]
    lines += ["sum(i=1:len(x), x[i]^2) @ x=[1,2,3]", "x[1] @ x=3"]
    jobs.write_text("\n".join(lines) + "\n")
    code, out, err = adcli("grad", "-f", str(jobs), "--format", "json")
    assert code == 1 and "indexed as a vector" in err
    recs = [json.loads(line) for line in out.splitlines()]
    for k in range(10):   # ten lines of one shape ran together on arrays: the same as one by one
        assert recs[k]["gradient"] == {"x": [2.0 * k, 4.0]} and recs[k]["value"] == k * k + 4.0
    assert recs[10]["gradient"] == {"x": [2.0, 4.0, 6.0]}
    assert recs[11]["error"]["column"] == 1
    code, out, err = adcli("grad", "-f", str(jobs), "--format", "csv")
    assert out.splitlines()[1] == '1,"sum(i=1:len(x), x[i]^2)",x[1]=0;x[2]=2,4,x[1]=0;x[2]=4,'


def test_points_csv_columns_give_a_vector(adcli, tmp_path):
    pts = tmp_path / "p.csv"
    pts.write_text("id,x[1],x[2],y\na,1,2,3\nb,3,4,5\n")
    code, out, err = adcli("grad", "sum(i=1:len(x), x[i]^2)*y", "--points", str(pts), "--format", "csv")
    assert code == 0, err
    assert out.splitlines() == ["id,x[1],x[2],y,value,d/dx[1],d/dx[2],d/dy,error",
                                "a,1,2,3,15,6,12,5,", "b,3,4,5,125,30,40,25,"]
    recs = [json.loads(line) for line in adcli("grad", "sum(i=1:len(x), x[i]^2)*y", "--points", str(pts),
                                               "--format", "json").out.splitlines()]
    assert recs[1]["gradient"] == {"x": [30.0, 40.0], "y": 25.0}
    only_y = tmp_path / "y.csv"
    only_y.write_text("y\n3\n")
    out = adcli("grad", "sum(i=1:len(x), x[i]^2)*y", "--points", str(only_y), "--at", "x=[1,2,3]",
                "--format", "csv").out
    assert out.splitlines()[1] == "3,42,6,12,18,14,"
    code, _, err = adcli("grad", "sum(i=1:len(x), x[i]^2)*y", "--points", str(pts), "--at", "x=[1,2,3]")
    assert code == 2 and "given twice" in err
    gap = tmp_path / "gap.csv"
    gap.write_text("x[1],x[3]\n1,2\n")
    code, _, err = adcli("eval", "sum(i=1:len(x), x[i])", "--points", str(gap))
    assert code == 2 and "none for x[2]" in err


# ---------------------------------------------------------------- start-up


def test_a_vector_at_one_point_imports_neither_numpy_nor_rich(tmp_path):
    p = tmp_path / "x.txt"
    p.write_text("1 2 3")
    got = probe(["grad", ROSEN, "--at", "x=[1,2,3]", "--format", "json"],
                ["grad", ROSEN, "--at", f"x=@{p}", "--format", "json"])
    assert got.codes == [0, 0]
    assert not got.imported("numpy") and not got.imported("rich")
    assert got.out.count('"gradient": {"x": [-400.0, 1002.0, -200.0]}') == 2


# ---- sums and user functions together (the two halves of the language met in one lowering)

@pytest.mark.parametrize("src, written_out", [
    # a function called in a sum's body, its argument an element
    ("sq(t) = t*t; sum(i = 1:len(x), sq(x[i]) * y)", "x1*x1*y + x2*x2*y + x3*x3*y"),
    # a function whose parameter is used as an index
    ("f(k) = x[k]^2; sum(i = 1:len(x), f(i)) + y", "x1**2 + x2**2 + x3**2 + y"),
    # a sum in a function's body, the body reading a global vector
    ("g(t) = sum(i = 1:len(x), x[i]*t); g(y) + g(2*y)", "3*y*(x1 + x2 + x3)"),
    # an empty inner sum must not end its enclosing sum early
    ("sum(i = 1:len(x), sum(j = 1:0, x[j]) + x[i]*y)", "(x1 + x2 + x3)*y"),
    # a function of a function, inside a product
    ("sq(t) = t*t; h(a, b) = sq(a) + b; prod(i = 1:len(x), h(x[i], y))",
     "(x1**2 + y)*(x2**2 + y)*(x3**2 + y)"),
])
def test_functions_and_sums_against_the_expression_written_out(src, written_out):
    x1, x2, x3, y = sp.symbols("x1 x2 x3 y")
    ref = sp.sympify(written_out)
    at = {x1: 0.7, x2: -1.3, x3: 2.1, y: 0.4}
    for mode in ("forward", "reverse"):
        r = adcli.grad(src, x=[0.7, -1.3, 2.1], y=0.4, mode=mode)
        assert math.isclose(r.value[0] if isinstance(r.value, list) else r.value, float(ref.subs(at)), rel_tol=1e-13)
        for name, sym in (("x[1]", x1), ("x[2]", x2), ("x[3]", x3), ("y", y)):
            want = float(sp.diff(ref, sym).subs(at))
            got = r.gradient[name]
            assert math.isclose(got, want, rel_tol=1e-12, abs_tol=1e-14), (mode, name, got, want)


def test_a_let_bound_after_a_function_that_reads_its_name_is_refused():
    with pytest.raises(adcli.AdcliError, match="already used above as an input variable"):
        adcli.compile("f(t) = t + a; a = 2; f(x)").grad(x=1.0)
