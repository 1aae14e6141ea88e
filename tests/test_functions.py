"""User functions (`name(p1, p2) = expr`), comparisons and logic in the grammar: how they
are read, lowered (inlined, iteratively), labelled, and the errors with their carets."""
import sys

import pytest

import adcli
from adcli.errors import ExprError
from adcli.language.syntax import parenthesize, parse


@pytest.fixture
def run(request):
    """conftest's adcli fixture (main(argv): code, out, err), under a name that leaves the module alone."""
    return request.getfixturevalue("adcli")


def paren(src):
    return parenthesize(parse(src))


def listing(src):
    p = adcli.parse(src)
    assert p.verify()
    return p.listing()


@pytest.mark.parametrize("src,want", [
    ("x < y + 1", "x < (y + 1)"),
    ("x + 1 >= -y^2", "(x + 1) >= (-(y^2))"),
    ("not x < y", "not (x < y)"),
    ("not not x", "not (not x)"),
    ("a and b or c and d", "(a and b) or (c and d)"),
    ("a or b or c", "(a or b) or c"),
    ("a and not b", "a and (not b)"),
    ("x == y and y != z", "(x == y) and (y != z)"),
    ("-x < 0", "(-x) < 0"),
    ("if(x > 0, x, -x)", "if(x > 0, x, -x)"),
    ("(x < y) < z", "(x < y) < z"),
    ("sq(t) = t*t; sq(x)", "sq(t) = t * t; sq(x)"),
    ("f(a, b) = a - b\nf(x, y)", "f(a, b) = a - b; f(x, y)"),
    ("andrew + order + nothing", "(andrew + order) + nothing"),
])
def test_precedence_of_the_new_syntax(src, want):
    assert paren(src) == want


def test_conditionals_and_functions_lower_to_a_flat_ir_labelled_with_the_function():
    assert listing("sq(t) = t*t; sq(x) + sq(y) + sq(x)") == """v0 = x
v1 = y
v2 = v0 * v0    # sq()
v3 = v1 * v1    # sq()
v4 = v2 + v3
v5 = v4 + v2
return v5"""
    assert listing("if(x > 0 and not y, sqrt(x), 0)") == """v0 = x
v1 = y
v2 = v0 > 0
v3 = not v1
v4 = v2 and v3
v5 = sqrt v0
v6 = if(v4, v5, 0)
return v6"""


def test_a_constant_condition_picks_its_branch_while_lowering():
    assert listing("if(1 < 2, x, log(y))") == "v0 = x\nreturn v0"
    assert adcli.parse("if(0, x, y)").inputs == ("y",)


@pytest.mark.parametrize("src,at,want", [
    ("sq(t) = t*t; sq(x) + sq(y)", {"x": 3, "y": 2}, 13.0),
    ("f(a, b) = a - b; f(y, x)", {"x": 3, "y": 2}, -1.0),
    ("f(t) = t + 1; g(t) = f(t)*f(t); g(x)", {"x": 2}, 9.0),
    ("k = x + 1; f(t) = t*k; f(2)", {"x": 2}, 6.0),          # a body reads an earlier let
    ("x2(x) = x*x; x2(y + 1)", {"y": 2}, 9.0),                 # a parameter named like a variable is local
    ("k = 10; f(k) = k + 1; f(x) + k", {"x": 1}, 12.0),        # a parameter shadows a let
    ("f(t) = t*z; f(x)", {"x": 2, "z": 5}, 10.0),              # free names are variables
    ("one() = 1; one() + x", {"x": 1}, 2.0),
    ("sinc(t) = if(t == 0, 1, sin(t)/t); sinc(x)", {"x": 0}, 1.0),
])
def test_functions_evaluate(src, at, want):
    assert adcli.evaluate(src, at).value == [want]


def test_functions_differentiate_as_if_written_out():
    f = adcli.grad("sq(t) = t*t; h(a, b) = sq(a) * sin(b); h(x, y) + sq(y)", x=1.5, y=0.5)
    g = adcli.grad("x*x*sin(y) + y*y", x=1.5, y=0.5)
    assert f.value == g.value and f.gradient == g.gradient


def test_a_chain_of_10000_functions_each_calling_the_one_before_needs_no_recursion():
    n = 10_000
    lines = ["f0(t) = t + 1"] + [f"f{k}(t) = f{k - 1}(t) * 1 + 1" for k in range(1, n)] + [f"f{n - 1}(x)"]
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(400)   # far below the depth: any recursion over it would fail
    try:
        r = adcli.grad("\n".join(lines), x=0.5)
    finally:
        sys.setrecursionlimit(old)
    assert r.value == [0.5 + n] and r.gradient == {"x": 1.0}


def test_a_function_called_twice_in_its_successor_is_emitted_once_per_distinct_call():
    # f_k(t) = f_{k-1}(t) + f_{k-1}(t) written out has 2^40 calls of f0; inlined, 41 additions.
    lines = ["f0(t) = t*t"] + [f"f{k}(t) = f{k - 1}(t) + f{k - 1}(t)" for k in range(1, 41)] + ["f40(x)"]
    p = adcli.parse("\n".join(lines))
    assert len(p.nodes) < 50
    r = adcli.grad("\n".join(lines), x=3.0)
    assert r.value == [9.0 * 2 ** 40] and r.gradient == {"x": 6.0 * 2 ** 40}


def _error(src):
    with pytest.raises(ExprError) as e:
        adcli.parse(src)
    return e.value


@pytest.mark.parametrize("src,col,message,hint", [
    ("x < y < z", 6, "comparisons do not chain", "a < b and b < c"),
    ("x == y != z", 7, "comparisons do not chain", "and"),
    ("if(x = 0, 1, 2)", 5, "'=' can only follow a name", "=="),
    ("x && y", 2, "unexpected character '&'", "and"),
    ("x || y", 2, "unexpected character '|'", "or"),
    ("!x", 0, "unexpected character '!'", "not"),
    ("x ≤ y", 2, "unexpected character", "<="),
    ("f(t) = f(t - 1); f(x)", 7, "f() calls itself", "never itself"),
    ("f(t) = t + f; f(x)", 11, "'f' is a function", None),
    ("f(t) = g(t); g(t) = t; f(x)", 7, "unknown function 'g'", None),
    ("sq(t) = t*t; sq(x, y)", 13, "sq() takes 1 argument, got 2", "sq(t)"),
    ("f(a, b) = a*b; f(x)", 15, "f() takes 2 arguments, got 1", "f(a, b)"),
    ("sin(t) = t; sin(x)", 0, "cannot define 'sin': it is a built-in function", "my_sin"),
    ("pi(t) = t; x", 0, "cannot define 'pi': it is a built-in constant", None),
    ("if(t) = t; x", 0, "cannot define 'if': it is a built-in function", None),
    ("f(t, t) = t; f(x, x)", 5, "parameter 't' appears twice", None),
    ("f(pi) = pi; f(x)", 2, "cannot use 'pi' as a parameter", None),
    ("f(x + 1) = x; f(y)", 2, "a parameter of 'f' must be a name", None),
    ("a = x; a(t) = t; a(x)", 7, "'a' is already defined", None),
    ("f(t) = t; f(t) = 2*t; f(x)", 10, "'f' is already defined", None),
    ("y = x; x(t) = t; x(y)", 7, "'x' is already used above as an input variable", None),
    ("f(t) = t; f = 2; f", 10, "'f' is already defined", None),
    ("sq(t) = t*t; sq + 1", 13, "'sq' is a function", "sq(x)"),
    ("sq(t) = t*t", 0, "the last statement only defines function 'sq'", None),
    ("sq(t) = t*t; sqq(x)", 13, "unknown function 'sqq'", "sq()"),
    ("if(x > 0, 1)", 0, "if() takes 3 arguments, got 2", "if(x > 0, x, 0)"),
    ("x + 1; y", 0, "only the last statement may be an expression", "sq(t) = t*t"),
])
def test_errors_with_a_caret_and_a_hint(src, col, message, hint):
    e = _error(src)
    assert message in e.message, e.message
    assert e.pos == col, (e.pos, e.message)
    if hint is not None:
        assert hint in (e.hint or ""), e.hint


def test_errors_through_the_cli_show_the_caret(run):
    r = run("eval", "x < y < z", "--at", "x=1,y=2,z=3")
    assert r.code == 2 and r.out == ""
    assert "comparisons do not chain" in r.err
    lines = r.err.splitlines()
    i = next(k for k, line in enumerate(lines) if line.strip() == "x < y < z")
    assert lines[i + 1].index("^") == lines[i].index("x < y < z") + 6


def test_keywords_are_words_only_where_they_stand_alone():
    # 'order', 'andrew', 'nothing' and 'iff' are names; 'if' is the function
    assert adcli.evaluate("order + andrew*nothing", order=1, andrew=2, nothing=3).value == [7.0]
    e = _error("if + 1")
    assert "'if' is a function" in e.message


def test_parse_shows_conditionals_and_functions_as_read_and_as_lowered(run):
    r = run("parse", "sq(t) = t*t; if(x > 0 and y != 1, sq(x), -y)")
    assert r.code == 0, r.err
    assert "read as: sq(t) = t * t; if((x > 0) and (y != 1), sq(x), -y)" in r.out
    assert "if(v4, v5, v6)" in r.out and "v5 = v0 * v0    # sq()" in r.out


@pytest.mark.parametrize("command,extra", [
    ("eval", []), ("grad", []), ("jacobian", []), ("hessian", []), ("jvp", ["--dir", "x=1,y=1"]),
    ("vjp", ["--cotangent", "1"]), ("taylor", ["--wrt", "x"]), ("check", []), ("trace", []),
    ("trace", ["--mode", "reverse"]), ("graph", []), ("parse", []),
    ("plot", ["--range", "-2:2", "--width", "40", "--height", "10", "--wrt", "x"]),
])
def test_every_command_takes_conditionals_and_functions_without_a_warning(run, command, extra):
    expr = "sq(t) = t*t; if(x > 0, sqrt(x) + sq(y), log(-x) + y)"
    at = [] if command == "parse" else ["--at", "x=-1,y=2"]
    if command == "plot":
        at = ["--at", "y=2"]
    r = run(command, expr, *at, *extra)
    assert r.code == 0 and r.err == "", (command, r.err)
    assert "nan" not in r.out, (command, r.out)


def test_job_files_and_points_take_conditionals_and_functions(run, tmp_path):
    jobs = "sq(t) = t*t; if(x > 0, sqrt(x), sq(x)) @ x=-2\nif(x == 0, 1, sin(x)/x) @ x=0\n"
    r = run("grad", "-f", "-", "--format", "json", stdin=jobs)
    assert r.code == 0 and r.err == "", r.err
    import json
    recs = [json.loads(line) for line in r.out.splitlines()]
    assert recs[0]["value"] == 4.0 and recs[0]["gradient"] == {"x": -4.0}
    assert recs[1]["value"] == 1.0 and recs[1]["gradient"] == {"x": 0.0}
    pts = tmp_path / "p.csv"
    pts.write_text("x\n-1\n0\n4\n")
    r = run("grad", "if(x > 0, sqrt(x), 0)", "--points", str(pts), "--format", "csv")
    assert r.code == 0 and r.err == ""
    assert r.out.splitlines()[1:] == ["-1,0,0,", "0,0,0,", "4,2,0.25,"]
