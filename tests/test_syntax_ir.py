"""Precedence and IR snapshots as inline strings, and the errors of the language with the
caret under the right column."""
import math

import pytest

import adcli
from adcli.errors import AdcliError, ExprError, UsageError
from adcli.language.syntax import parenthesize, parse


def paren(src):
    return parenthesize(parse(src))


def listing(src):
    p = adcli.parse(src)
    assert p.verify()
    return p.listing()


@pytest.mark.parametrize("src,want", [
    ("-x^2", "-(x^2)"),
    ("2^3^2", "2^(3^2)"),
    ("x^-1", "x^(-1)"),
    ("2*-x", "2 * (-x)"),
    ("x**2", "x^2"),
    ("x**y**z", "x^(y^z)"),
    ("-x**2", "-(x^2)"),
    ("x^-y^2", "x^(-(y^2))"),
    ("x - y - z", "(x - y) - z"),
    ("x / y / z", "(x / y) / z"),
    ("x - y * z", "x - (y * z)"),
    ("x * y + z", "(x * y) + z"),
    ("-x * y", "(-x) * y"),
    ("--x", "-(-x)"),
    ("+x", "x"),
    ("x - -y", "x - (-y)"),
    ("sin(x)^2", "sin(x)^2"),
    ("(x + y)^2", "(x + y)^2"),
    ("((x))", "x"),
    ("x, y + 1", "x, y + 1"),
    ("a = x + y; a * a", "a = x + y; a * a"),
    ("a = x\nb = -a^2\n\nb", "a = x; b = -(a^2); b"),
    ("2.5E+4 + .5 + 1e-3 + 3.", "((25000 + 0.5) + 0.001) + 3"),
    ("x # a comment", "x"),
])
def test_precedence(src, want):
    assert paren(src) == want


@pytest.mark.parametrize("src,value", [
    ("2^3^2", 512.0), ("-2^2", -4.0), ("2^-1", 0.5), ("(-2)^2", 4.0), ("2*-3", -6.0),
    ("2**3**2", 512.0), ("10 - 4 - 3", 3.0), ("64 / 4 / 2", 8.0), ("-3^2 + 10", 1.0),
    ("1e-3 * 2.5E+4", 25.0), (".5 + 3.", 3.5), ("pi", math.pi), ("e", math.e),
])
def test_precedence_values(src, value):
    assert adcli.evaluate(src).value == [value]


SNAPSHOTS = {
    "-x^2": """\
v0 = x
v1 = v0^2
v2 = -v1
return v2""",
    "2^3^2": "return 512",
    "x^-1": """\
v0 = x
v1 = v0^-1
return v1""",
    "2*-x": """\
v0 = x
v1 = -v0
v2 = 2 * v1
return v2""",
    "x**2": """\
v0 = x
v1 = v0^2
return v1""",
    # CSE: a is computed once (one add), and the listing names it.
    "a = x+y; a*a": """\
v0 = x
v1 = y
v2 = v0 + v1    # a
v3 = v2 * v2
return v3""",
    "(x+y)*(x+y)": """\
v0 = x
v1 = y
v2 = v0 + v1
v3 = v2 * v2
return v3""",
    "a = x + y; b = x - y; a * b": """\
v0 = x
v1 = y
v2 = v0 + v1    # a
v3 = v0 - v1    # b
v4 = v2 * v3
return v4""",
    # Constants inline, pi and e by name; inputs numbered in order of first appearance.
    "y*sin(x)*pi + e": """\
v0 = y
v1 = x
v2 = sin v1
v3 = v0 * v2
v4 = v3 * pi
v5 = v4 + e
return v5""",
    # A constant exponent is powc's parameter; 1/2 folds to 0.5 first.
    "x^(1/2)": """\
v0 = x
v1 = v0^0.5
return v1""",
    "pow(x, 3)": """\
v0 = x
v1 = v0^3
return v1""",
    "x^y": """\
v0 = x
v1 = y
v2 = v0^v1
return v2""",
    "2^x": """\
v0 = x
v1 = 2^v0
return v1""",
    "x, x^2, x": """\
v0 = x
v1 = v0^2
return v0, v1, v0""",
    # An unused binding is dropped together with its input.
    "a = z; b = x*2; b + 1": """\
v0 = x
v1 = v0 * 2    # b
v2 = v1 + 1
return v2""",
    # Two names bound to one node are both shown.
    "a = x + 1; b = x + 1; a * b": """\
v0 = x
v1 = v0 + 1    # a, b
v2 = v1 * v1
return v2""",
    "atan2(y, x) + hypot(x, y)": """\
v0 = y
v1 = x
v2 = atan2(v0, v1)
v3 = hypot(v1, v0)
v4 = v2 + v3
return v4""",
}


@pytest.mark.parametrize("src", list(SNAPSHOTS))
def test_ir_snapshot(src):
    assert listing(src) == SNAPSHOTS[src]


def test_program_parts():
    p = adcli.parse("a = x + y; b = x - y; a * b, a")
    assert p.inputs == ("x", "y")
    assert p.labels == ("a * b", "a")
    assert p.names == {2: ("a",), 3: ("b",)}
    assert [n.op for n in p.nodes] == ["input", "input", "add", "sub", "mul"]
    assert p.outputs == (4, 2)
    # Every argument is an earlier node: the list is topologically ordered by construction.
    assert all(a < i for i, n in enumerate(p.nodes) for a in n.args)


def test_constant_folding_keeps_non_finite_results_as_operations():
    # 1/0 is not folded: evaluating it warns as usual.
    p = adcli.parse("1/0 + x")
    assert [n.op for n in p.nodes] == ["input", "const", "const", "div", "add"]
    assert listing("1/0 + x") == "v0 = x\nv1 = 1 / 0\nv2 = v1 + v0\nreturn v2"
    assert listing("log(-1)") == "v0 = log -1\nreturn v0"
    assert listing("sin(pi/2) * x") == "v0 = x\nv1 = 1 * v0\nreturn v1"


def test_verify_catches_a_broken_program():
    from adcli.ir import Node, Program
    p = adcli.parse("x * y + 1")
    assert [n.op for n in p.nodes] == ["input", "input", "mul", "const", "add"]

    def with_node(k, node):
        nodes = list(p.nodes)
        nodes[k] = node
        return Program(tuple(nodes), p.inputs, p.outputs, p.labels, p.names, p.source)
    for k, bad in [(2, Node("mul", (0, 4), None, 0)),      # uses a later node
                   (2, Node("mul", (0,), None, 0)),        # wrong arity
                   (3, Node("input", (), "z", 0)),         # an input after the input block
                   (2, Node("powc", (0,), None, 0)),       # powc without its exponent
                   (3, Node("mul", (0, 1), None, 0))]:     # a duplicate: CSE missed it
        with pytest.raises(AssertionError):
            with_node(k, bad).verify()


# -- errors --------------------------------------------------------------------------------

def error_of(src):
    with pytest.raises(ExprError) as info:
        adcli.parse(src)
    return info.value


@pytest.mark.parametrize("src,pos,message,hint", [
    ("2x", 1, "missing operator before 'x'", "write 2*x"),
    ("  2.5 y", 6, "missing operator before 'y'", "write 2.5*y"),
    ("sinn(x)", 0, "unknown function 'sinn'", "did you mean sin()?"),
    ("x + logg(x)", 4, "unknown function 'logg'", "did you mean log()?"),
    ("x + ", 4, "unexpected end of input", None),
    ("sin((x)", 3, "a '(' is never closed", "add the missing ')'"),
    ("x)", 1, "unmatched ')'", None),
    ("x y", 2, "missing operator before 'y'", None),
    ("sin(x, y)", 0, "sin() takes 1 argument, got 2", "sin(x)"),
    ("pow(x)", 0, "pow() takes 2 arguments, got 1", None),
    ("x * sin", 4, "'sin' is a function", None),
    ("a = 1", 0, "the last statement only defines 'a'", None),
    ("a = x; a = 2; a", 7, "'a' is already defined", None),
    ("pi = 3; pi", 0, "cannot bind 'pi'", None),
    ("x; y", 0, "only the last statement may be an expression", None),
    ("a = x; a(2)", 7, "'a' is a variable, not a function", None),
    ("x ÷ y", 2, "unexpected character '÷'", "write '/' instead of '÷'"),
    ("x @ y", 2, "unexpected character '@'", "--at"),
    ("x + [y]", 4, "unexpected character '['", "use ( ) for grouping"),
    ("3 = x", 2, "'=' can only follow a name", None),
    ("a = x\nb = 2y\na + b", 11, "missing operator before 'y'", "write 2*y"),
    ("\tx + $", 5, "unexpected character '$'", None),
])
def test_parse_errors_name_the_column(src, pos, message, hint):
    e = error_of(src)
    assert e.exit_code == 2
    assert e.pos == pos, (e.pos, e.render())
    assert message in e.message
    if hint:
        assert hint in e.hint
    assert e.source == src


def test_empty_expression_is_a_parse_error():
    for src in ("", "   ", "\n"):
        e = error_of(src)
        assert e.message == "empty expression" and e.exit_code == 2 and e.kind == "parse"


def test_error_kinds():
    assert error_of("2x").kind == "parse"
    assert error_of("foo(x)").kind == "name"
    assert error_of("sin(x, y)").kind == "arity"
    assert isinstance(error_of("x +"), AdcliError)


def test_caret_sits_under_the_column():
    e = error_of("x + 2y")
    assert e.render().split("\n") == [
        "missing operator before 'y'",
        "  x + 2y",
        "       ^",
        "adcli has no implicit multiplication: write 2*y",
    ]


def test_caret_on_the_right_line_of_a_multi_line_program():
    e = error_of("a = x + 1\nb = a * 2\nfoo(b)")
    lines = e.render().split("\n")
    assert lines[1] == "  line 3: foo(b)"
    assert lines[2] == "          ^"


def test_caret_with_tabs_and_wide_characters():
    # A tab is shown as one space, so the caret stays under the character.
    lines = error_of("\tx +\t2y").render().split("\n")
    assert lines[1:3] == ["   x + 2y", "        ^"]
    # A wide character takes two columns and gets two carets.
    lines = error_of("x + 日").render().split("\n")
    assert lines[1:3] == ["  x + 日", "      ^^"]


def test_caret_under_an_escaped_control_character():
    lines = error_of("x +\x1b[31m y").render().split("\n")
    assert lines[0] == "unexpected character '\\x1b'"
    assert lines[1] == "  x +\\x1b[31m y"
    assert lines[2] == "     ^^^^"


def test_long_lines_are_clipped_around_the_column():
    src = "x + " * 5000 + "2y" + " + x" * 5000
    lines = error_of(src).render().split("\n")
    assert len(lines[1]) < 100
    assert lines[1][lines[2].index("^")] == "y"


@pytest.mark.parametrize("src", ["1 +", "(((", "sin(", "x^", "a = ", ", x", "x,"])
def test_incomplete_input_points_at_or_before_the_end(src):
    e = error_of(src)
    assert 0 <= e.pos <= len(src)


def test_empty_parentheses_are_not_called_unmatched():
    for src, pos in (("()", 1), ("x * ()", 5), ("sin(())", 5)):
        e = error_of(src)
        assert "unmatched" not in e.message, e.render()
        assert e.pos == pos
        assert "a number, a name or '('" in e.hint


def test_a_line_break_inside_an_expression_is_named_not_escaped():
    for src in ("x +\n1", "(x\n+ 1)", "x +\r\n1"):
        e = error_of(src)
        assert "\\x0a" not in e.message and "\\x0d" not in e.message, e.message
        assert "line break" in e.message
        assert e.pos == src.index("\n") - src.count("\r")


@pytest.mark.parametrize("typo,want", [("cosine", "cos"), ("sinn", "sin"), ("logg", "log"), ("sqr", "sqrt"),
                                       ("arctan", "atan"), ("reLU", "relu"), ("Sqrt", "sqrt"),
                                       ("maximum", "max")])
def test_unknown_function_suggests_the_nearest_name(typo, want):
    assert error_of(f"{typo}(x)").hint == f"did you mean {want}()?"
    assert error_of("foo(x)").hint == "run 'adcli functions' for the list"


@pytest.mark.parametrize("src,message,hint", [
    ("sin x", "missing parentheses after 'sin'", "write sin(x)"),
    ("π*x", "unexpected character 'π'", "write 'pi' instead of 'π'"),
])
def test_friendly_hints(src, message, hint):
    with pytest.raises(ExprError) as err:
        parse(src)
    assert err.value.message == message and hint in err.value.hint


def test_a_point_missing_its_comma_says_so():
    from adcli.language.point import parse_point
    with pytest.raises(UsageError) as err:
        parse_point(["x=1 y=2"])
    assert "separate name=value pairs with commas" in err.value.hint
