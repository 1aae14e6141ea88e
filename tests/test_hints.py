"""Hints for the slips people make: each through the command line (conftest's `adcli`
runner), with the exact message and exit code."""
import io
import os
import pickle
import subprocess
import sys

import pytest

from conftest import ROOT


def _stdin(monkeypatch, text):
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(text.encode("utf-8")), encoding="utf-8"))


# -- Unicode spaces and adcli's own symbols --------------------------------------------------

@pytest.mark.parametrize("space", ["\u00a0", "\u202f", "\u2009", "\u200b", "\ufeff", "\u3000", "\u2060"])
def test_unicode_spaces_are_spaces(adcli, space):
    r = adcli("eval", f"x{space}+{space}1", "--at", "x=2", "--format", "plain")
    assert (r.code, r.err, r.out) == (0, "", "3\n")


def test_unicode_spaces_in_a_point_are_spaces(adcli):
    r = adcli("eval", "x*y", "--at", "x=2,\u00a0y=\u20093\u200b", "--format", "plain")
    assert (r.code, r.err, r.out) == (0, "", "6\n")


def test_a_printed_graph_or_trace_formula_reads_back(adcli):
    # graph and trace print × for *, − for - and · for the product of a partial and a tangent.
    r = adcli("eval", "(x + y) × (x − y) + 2 · x", "--at", "x=3,y=2", "--format", "plain")
    assert (r.code, r.err, r.out) == (0, "", "11\n")


def test_two_printed_times_signs_are_not_a_power(adcli):
    r = adcli("eval", "x ×× 2", "--at", "x=3")
    assert (r.code, r.out) == (2, "")
    assert r.err == ("adcli: error: unexpected '×'\n"
                     "  x ×× 2\n"
                     "     ^\n"
                     "expected a number, a name or '('\n")


def test_caret_points_into_the_original_text_after_a_no_break_space(adcli):
    # The caret sits under the user's character; the no-break space before it is shown escaped.
    r = adcli("eval", "x ×\u00a0× y", "--at", "x=1,y=1")
    assert (r.code, r.out) == (2, "")
    assert r.err == ("adcli: error: unexpected '×'\n"
                     "  x ×\\xa0× y\n"
                     "         ^\n"
                     "expected a number, a name or '('\n")


def test_caret_after_a_zero_width_space(adcli):
    r = adcli("eval", "x +\u200b 2y", "--at", "x=1,y=1")
    assert (r.code, r.out) == (2, "")
    assert r.err == ("adcli: error: missing operator before 'y'\n"
                     "  x +\\u200b 2y\n"
                     "             ^\n"
                     "adcli has no implicit multiplication: write 2*y\n")


def test_an_invisible_character_inside_a_name_is_named(adcli):
    r = adcli("eval", "si\u200bn(x)", "--at", "x=1")
    assert (r.code, r.out) == (2, "")
    assert r.err == ("adcli: error: missing operator before 'n'\n"
                     "  si\\u200bn(x)\n"
                     "          ^\n"
                     "an invisible character (\\u200b) stands before it: delete it\n")


@pytest.mark.parametrize("expr,char,col,hint", [
    ("x ÷ 2", "÷", 2, "write '/' instead of '÷'"),
    ("x²", "²", 1, "write '^2' instead of '²'"),
    ("√x", "√", 0, "write 'sqrt' instead of '√'"),
    ("2π", "π", 1, "write 'pi' instead of 'π'"),
    ("x – 1", "–", 2, "write '-' instead of '–'"),
])
def test_other_symbols_keep_their_hints(adcli, expr, char, col, hint):
    r = adcli("eval", expr, "--at", "x=1")
    assert (r.code, r.out) == (2, "")
    assert r.err == f"adcli: error: unexpected character '{char}'\n  {expr}\n  {' ' * col}^\n{hint}\n"


# -- the number syntax -------------------------------------------------------------------------

def test_digits_of_other_scripts_are_refused_in_an_expression(adcli):
    r = adcli("eval", "٣*x", "--at", "x=1")
    assert (r.code, r.out) == (2, "")
    assert r.err == ("adcli: error: unexpected character '٣'\n"
                     "  ٣*x\n"
                     "  ^\n"
                     "numbers are written with the digits 0-9: write 3 instead of '٣'\n")


def test_fullwidth_digits_are_refused_with_a_wide_caret(adcli):
    r = adcli("eval", "x + ３", "--at", "x=1")
    assert (r.code, r.out) == (2, "")
    assert r.err == ("adcli: error: unexpected character '３'\n"
                     "  x + ３\n"
                     "      ^^\n"
                     "numbers are written with the digits 0-9: write 3 instead of '３'\n")


def test_digit_separators_are_refused_in_an_expression(adcli):
    r = adcli("eval", "1_000_000*x", "--at", "x=1")
    assert (r.code, r.out) == (2, "")
    assert r.err == ("adcli: error: '_' cannot separate digits\n"
                     "  1_000_000*x\n"
                     "   ^\n"
                     "write the number as 1000000\n")


def test_a_name_after_a_number_still_asks_for_an_operator(adcli):
    r = adcli("eval", "2_x", "--at", "_x=1")
    assert r.code == 2
    assert r.err.endswith("adcli has no implicit multiplication: write 2*_x\n")


@pytest.mark.parametrize("value,message,col,hint", [
    ("1_000", "bad value: '_' cannot separate digits", 3, "write the number as 1000"),
    ("٣", "bad value: unexpected character '٣'", 2,
     "numbers are written with the digits 0-9: write 3 instead of '٣'"),
    ("infinity", "bad value: 'infinity' is not a number in adcli's syntax", 2,
     "infinity and not-a-number are written inf, -inf and nan"),
    ("NaN", "bad value: 'NaN' is not a number in adcli's syntax", 2,
     "infinity and not-a-number are written inf, -inf and nan"),
    ("-Infinity", "bad value: '-Infinity' is not a number in adcli's syntax", 2,
     "infinity and not-a-number are written inf, -inf and nan"),
])
def test_python_number_spellings_are_refused_in_a_point(adcli, value, message, col, hint):
    r = adcli("eval", "x", "--at", f"x={value}")
    assert (r.code, r.out) == (2, "")
    assert r.err == f"adcli: error: {message}\n  x={value}\n  {' ' * col}^\n{hint}\n"


@pytest.mark.parametrize("value,want", [
    ("3", "3"), ("-2.5e1", "-25"), ("+.5", "0.5"), ("1E2", "100"), (" 4 ", "4"), ("inf", "inf"),
    ("-inf", "-inf"), ("nan", "nan"), ("1e400", "inf"), ("pi/4", "0.7853981633974483"), ("−1", "-1"),
])
def test_the_documented_number_syntax_is_read_in_a_point(adcli, value, want):
    r = adcli("eval", "x", "--at", f"x={value}", "--format", "plain")
    assert (r.code, r.err, r.out) == (0, "", want + "\n")


def test_the_number_syntax_check_matches_its_regular_expression():
    """adcli reads a point's numbers without a regular expression (start-up cost); the
    documented one is the oracle, over random strings of the characters that matter."""
    import random
    import re

    from adcli.language.point import _number, is_name
    number = re.compile(r"[ \t]*(?:[+-]?(?:(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|inf)|nan)"
                        r"[ \t]*\Z")
    name = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
    pieces = list("0123456789.eE+-_ \tinfaxI\n\u0663\u00e9\u212a") + ["inf", "nan", "infinity", "NaN", "1_0"]
    rng = random.Random(9)
    for _ in range(50_000):
        t = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 7)))
        want = float(t) if number.match(t) else None
        got = _number(t)
        assert got == want or (got != got and want != want), (t, got, want)
        assert is_name(t) == bool(name.match(t)), t


def test_job_file_points_take_only_the_number_syntax(adcli, monkeypatch):
    _stdin(monkeypatch, "x @ x=1_000\nx @ x=٣\nx @ x=Infinity\nx @ x=inf\nx @ x=2\n")
    r = adcli("eval", "--format", "csv")
    assert r.code == 1
    assert r.out == ("line,expr,at,value,error\n"
                     "1,x @ x=1_000,,,point: bad value: '_' cannot separate digits (write the number as 1000)\n"
                     "2,x @ x=٣,,,point: bad value: unexpected character '٣' (numbers are written with the "
                     "digits 0-9: write 3 instead of '٣')\n"
                     "3,x @ x=Infinity,,,\"point: bad value: 'Infinity' is not a number in adcli's syntax "
                     "(infinity and not-a-number are written inf, -inf and nan)\"\n"
                     "4,x,x=inf,inf,\n"
                     "5,x,x=2,2,\n")
    assert r.err == ("adcli: error: 3 of 5 lines failed; the first: line 1, column 8: point error: bad value: "
                     "'_' cannot separate digits (write the number as 1000)\n")


def test_points_cells_refuse_separators_and_other_scripts(adcli, monkeypatch):
    # The quoted cell sends the chunk row by row, where float() alone would take both.
    _stdin(monkeypatch, 'x,y\n1_000,1\n٣,2\n"3",4\n')
    r = adcli("eval", "x*y", "--points", "-", "--format", "csv")
    assert r.code == 1
    assert r.out == ("x,y,value,error\n"
                     "1_000,1,,row: column x: '1_000' is not a number\n"
                     "٣,2,,row: column x: '٣' is not a number\n"
                     "\"3\",4,12,\n")


# -- adcli is real-valued ---------------------------------------------------------------------

@pytest.mark.parametrize("value,col", [("1+2i", 5), ("2i", 3), ("3 + 4j", 7), ("i", 2)])
def test_a_complex_value_is_told_adcli_is_real_valued(adcli, value, col):
    r = adcli("eval", "x", "--at", f"x={value}")
    assert (r.code, r.out) == (2, "")
    assert r.err == (f"adcli: error: bad value: '{value}' is a complex number\n"
                     f"  x={value}\n"
                     f"  {' ' * col}^\n"
                     "adcli is real-valued: every variable, value and derivative is a real number\n")


def test_pi_is_not_mistaken_for_a_complex_number(adcli):
    r = adcli("eval", "x", "--at", "x=2pi")
    assert r.code == 2
    assert r.err.startswith("adcli: error: bad value: missing operator before 'pi'\n")


# -- functions by their names in other languages ---------------------------------------------

@pytest.mark.parametrize("typed,want", [
    ("ln", "did you mean log()? (log is the natural logarithm)"),
    ("LN", "did you mean log()? (log is the natural logarithm)"),
    ("arcsin", "did you mean asin()?"),
    ("asn", "did you mean asin()?"),
    ("arctan", "did you mean atan()?"),
    ("power", "did you mean pow()?"),
    ("exponential", "did you mean exp()?"),
    ("sqr", "did you mean sqrt()?"),
])
def test_unknown_function_names_its_adcli_spelling(adcli, typed, want):
    r = adcli("eval", f"{typed}(x)", "--at", "x=0.5")
    assert (r.code, r.out) == (2, "")
    assert r.err == f"adcli: error: unknown function '{typed}'\n  {typed}(x)\n  ^\n{want}\n"


def test_every_alias_names_a_function():
    from adcli.language.lower import ALIASES
    from adcli.ops.table import FUNCTIONS
    assert all(want in FUNCTIONS and name not in FUNCTIONS for name, (want, _) in ALIASES.items())


# -- a variable given in another case ---------------------------------------------------------

@pytest.mark.parametrize("command", ["eval", "grad", "hessian", "trace", "graph"])
def test_a_variable_given_in_another_case_is_named(adcli, command):
    r = adcli(command, "x*y", "--at", "X=1.5,y=2")
    assert (r.code, r.out) == (1, "")
    assert r.err == ("adcli: error: no value for variable x: the point gives X, and names are case-sensitive\n"
                     "write x=1.5 instead of X=1.5\n")


def test_plot_names_a_fixed_variable_given_in_another_case(adcli):
    r = adcli("plot", "exp(-x^2/s)", "--at", "S=2", "--format", "csv")
    assert (r.code, r.out) == (1, "")
    assert r.err == ("adcli: error: no value for variable s: the point gives S, and names are case-sensitive\n"
                     "write s=2 instead of S=2\n")


def test_wrt_in_another_case_is_named(adcli):
    r = adcli("grad", "x*y", "--at", "x=1,y=2", "--wrt", "X")
    assert (r.code, r.out) == (2, "")
    assert r.err == ("adcli: error: cannot differentiate with respect to 'X': the expression has x, and names "
                     "are case-sensitive\nwrite --wrt x\n")


def test_a_direction_in_another_case_is_named(adcli):
    r = adcli("jvp", "x*y", "--at", "x=1,y=2", "--dir", "X=1")
    assert (r.code, r.out) == (2, "")
    assert r.err == ("adcli: error: the direction names 'X': the expression has x, and names are "
                     "case-sensitive\nwrite --dir x=...\n")


def test_taylor_wrt_in_another_case_is_named(adcli):
    r = adcli("taylor", "exp(x)", "--at", "x=0", "--wrt", "X")
    assert (r.code, r.out) == (2, "")
    assert r.err == ("adcli: error: cannot differentiate with respect to 'X': the expression has x, and names "
                     "are case-sensitive\nwrite --wrt x\n")


def test_a_missing_value_without_a_case_slip_is_unchanged(adcli):
    r = adcli("grad", "x*y", "--at", "x=1")
    assert (r.code, r.out) == (1, "")
    assert r.err == "adcli: error: no value for variable y\ngive every variable a value, as in --at x=1,y=1\n"


# -- the command line: a forgotten --at, '-' for standard input --------------------------------

def test_a_point_without_at_is_told_to_use_at(adcli):
    r = adcli("grad", "x^2", "x=1")
    assert (r.code, r.out) == (2, "")
    assert r.err == ("adcli: error: Got unexpected extra argument (x=1)\n"
                     "give the point with --at: adcli grad \"x^2\" --at x=1\n")


def test_several_pairs_without_at(adcli):
    r = adcli("eval", "x*y", "x=1", "y=2")
    assert (r.code, r.out) == (2, "")
    assert r.err == ("adcli: error: Got unexpected extra arguments (x=1 y=2)\n"
                     "give the point with --at: adcli eval \"x*y\" --at x=1,y=2\n")


def test_a_pair_after_at_without_its_comma(adcli):
    r = adcli("grad", "x*y", "--at", "x=1", "y=2")
    assert (r.code, r.out) == (2, "")
    assert r.err == ("adcli: error: Got unexpected extra argument (y=2)\n"
                     "give every value in one --at, pairs separated by commas: --at x=1,y=2\n")


def test_an_unquoted_expression_is_still_told_to_quote_it(adcli):
    r = adcli("grad", "x", "+", "y", "--at", "x=1,y=2")
    assert (r.code, r.out) == (2, "")
    assert r.err == ("adcli: error: Got unexpected extra arguments (+ y)\n"
                     "quote the expression so that the shell passes it as one argument, "
                     "as in adcli grad \"x + y\" --at x=1,y=2\n")


def test_functions_takes_no_arguments(adcli):
    r = adcli("functions", "sin")
    assert (r.code, r.out) == (2, "")
    assert r.err == ("adcli: error: Got unexpected extra argument (sin)\n"
                     "adcli functions takes no arguments; try 'adcli functions --help'\n")


def test_minus_as_expr_reads_standard_input(adcli, monkeypatch):
    _stdin(monkeypatch, "a = x * y\nsin(a) + a\n")
    r = adcli("grad", "-", "--at", "x=0,y=2", "--format", "plain")
    assert (r.code, r.err, r.out) == (0, "", "value 0\nd/dx 4\nd/dy 0\n")


def test_minus_as_expr_cannot_share_standard_input_with_points(adcli, monkeypatch):
    _stdin(monkeypatch, "x^2")
    r = adcli("grad", "-", "--points", "-")
    assert (r.code, r.out) == (2, "")
    assert r.err == ("adcli: error: standard input holds the expression (@-), so it cannot also hold the points\n"
                     "give the expression as @FILE, or the points or jobs in a file\n")


# -- one name for one thing: --format, --precision ---------------------------------------------

@pytest.mark.parametrize("command,argv", [
    ("eval", ["x", "--at", "x=1"]), ("grad", ["x", "--at", "x=1"]), ("trace", ["x", "--at", "x=1"]),
    ("graph", ["x*y"]), ("parse", ["x"]), ("plot", ["x", "--width", "30", "--height", "8"]),
    ("functions", []),
])
def test_text_is_the_default_format_of_every_command_and_table_an_alias(adcli, command, argv):
    default = adcli(command, *argv)
    assert default.code == 0
    for name in ("text", "table"):
        assert adcli(command, *argv, "--format", name) == default
    assert "[default: text]" in adcli(command, "--help").out


def test_graph_keeps_ascii_as_an_alias_of_text(adcli):
    assert adcli("graph", "x*y", "--format", "ascii") == adcli("graph", "x*y", "--format", "text")


def test_aliases_are_not_listed(adcli):
    r = adcli("graph", "x*y", "--format", "png")
    assert (r.code, r.out) == (2, "")
    assert r.err == ("adcli: error: Invalid value for '--format': 'png' is not one of 'text', 'dot', 'mermaid', "
                     "'json', 'svg'.\ntry 'adcli graph --help'\n")


def test_trace_takes_precision_or_decimals_not_both(adcli):
    r = adcli("trace", "x", "--at", "x=1", "--precision", "3", "--decimals", "2")
    assert (r.code, r.out) == (2, "")
    assert r.err == ("adcli: error: give either --precision (significant digits) or --decimals "
                     "(places after the point), not both\n")


# -- shell completion (click's), as the README documents it -----------------------------------

def _complete(env):
    p = subprocess.run([sys.executable, "-m", "adcli"], cwd=ROOT, capture_output=True, text=True, timeout=60,
                       env={**os.environ, "PYTHONPATH": ROOT, **env})
    return p.returncode, p.stdout, p.stderr


def test_bash_completion_script_is_produced():
    code, out, err = _complete({"_ADCLI_COMPLETE": "bash_source"})
    assert (code, err) == (0, "")
    assert "_adcli_completion()" in out and "complete -o nosort -F _adcli_completion adcli" in out


def test_completing_a_command_name_offers_it():
    code, out, err = _complete({"_ADCLI_COMPLETE": "bash_complete", "COMP_WORDS": "adcli gr", "COMP_CWORD": "1"})
    assert (code, err) == (0, "")
    assert out.split() == ["plain,grad", "plain,graph"]


def test_completing_format_offers_the_one_name_for_each_format():
    code, out, _ = _complete({"_ADCLI_COMPLETE": "bash_complete", "COMP_WORDS": "adcli grad --format ",
                              "COMP_CWORD": "3"})
    assert code == 0
    assert out.split() == ["plain,text", "plain,json", "plain,csv", "plain,plain", "plain,latex", "plain,markdown"]


@pytest.mark.parametrize("expr", ["-", "@-"])
def test_completing_after_a_stdin_expr_does_not_read_standard_input(expr):
    # Completion runs with the terminal as standard input: reading it would hang the shell.
    r, w = os.pipe()
    try:
        p = subprocess.run([sys.executable, "-m", "adcli"], cwd=ROOT, stdin=r, capture_output=True, text=True,
                           timeout=60, env={**os.environ, "PYTHONPATH": ROOT, "_ADCLI_COMPLETE": "bash_complete",
                                            "COMP_WORDS": f"adcli grad {expr} --fo", "COMP_CWORD": "3"})
    finally:
        os.close(r)
        os.close(w)
    assert (p.returncode, p.stdout.split()) == (0, ["plain,--format"])


# -- the parser cache: a pickle, so only a private one is loaded ------------------------------

@pytest.fixture
def fresh_cache(tmp_path, monkeypatch):
    """A cache home of its own, and a parser built again from the grammar."""
    from adcli.language import syntax
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(syntax, "_parser", None)
    return tmp_path / "adcli"


def _cache_path(folder):
    import lark

    from adcli.language import syntax
    with open(syntax.grammar_path(), encoding="utf-8") as f:
        return syntax._cache_file(lark.__version__, f.read()), folder


needs_owners = pytest.mark.skipif(not hasattr(os, "getuid"), reason="file owners and modes as on POSIX")


@needs_owners
def test_cache_folder_is_created_private(adcli, fresh_cache):
    r = adcli("eval", "x", "--at", "x=1", "--format", "plain")
    assert (r.code, r.out) == (0, "1\n")
    assert oct(fresh_cache.stat().st_mode & 0o777) == "0o700"
    assert [p.name.startswith("parser-") for p in fresh_cache.iterdir()] == [True]


class _Marker:
    """A pickle that creates a file when it is loaded: a stand-in for a hostile cache."""

    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (os.mkdir, (str(self.path),))


@needs_owners
@pytest.mark.parametrize("where", ["file", "folder"])
def test_a_cache_others_can_write_is_not_loaded(adcli, fresh_cache, tmp_path, where):
    fresh_cache.mkdir(mode=0o700)
    path, _ = _cache_path(fresh_cache)
    marker = tmp_path / "loaded"
    with open(path, "wb") as f:
        f.write(b"0\n" + pickle.dumps(_Marker(marker)))
    target = path if where == "file" else fresh_cache
    os.chmod(target, 0o666 if where == "file" else 0o777)
    r = adcli("eval", "2*x", "--at", "x=3", "--format", "plain")
    assert (r.code, r.err, r.out) == (0, "", "6\n")
    assert not marker.exists()


@needs_owners
def test_a_private_cache_is_used(adcli, fresh_cache, tmp_path):
    # The same hostile file, but private: it is loaded (which is why the checks above matter).
    fresh_cache.mkdir(mode=0o700)
    path, _ = _cache_path(fresh_cache)
    marker = tmp_path / "loaded"
    with open(path, "wb") as f:
        f.write(b"0\n" + pickle.dumps(_Marker(marker)))
    os.chmod(path, 0o600)
    adcli("eval", "2*x", "--at", "x=3", "--format", "plain")
    assert marker.exists()


@needs_owners
def test_a_cache_file_that_is_a_symlink_is_not_used(fresh_cache, tmp_path):
    fresh_cache.mkdir(mode=0o700)
    path, _ = _cache_path(fresh_cache)
    other = tmp_path / "elsewhere"
    other.write_bytes(b"")
    os.symlink(other, path)
    assert _cache_path(fresh_cache)[0] is False


def test_an_expression_starting_with_two_dashes_gets_a_hint(adcli):
    """--y is -(-y), but click reads a word starting with -- as an option: the error says
    how to write it, and both ways it suggests work."""
    r = adcli("grad", "--y", "--at", "y=2")
    assert (r.code, r.out) == (2, "")
    assert r.err == ("adcli: error: No such option '--y'.\n"
                     "if --y is the expression, write it in parentheses, as in adcli grad \"(--y)\" --at ..., "
                     "or last, after --: adcli grad --at ... -- --y\n")
    want = adcli("grad", "y", "--at", "y=2", "--format", "json").out
    assert adcli("grad", "(--y)", "--at", "y=2", "--format", "json").out == want.replace('"y"', '"(--y)"', 1)
    assert adcli("grad", "--at", "y=2", "--format", "json", "--", "--y").out == want.replace('"y"', '"--y"', 1)
    r = adcli("parse", "--y")
    assert r.code == 2 and r.err.endswith("write it in parentheses, as in adcli parse \"(--y)\", "
                                          "or last, after --: adcli parse -- --y\n")


def test_options_after_the_double_dash_are_explained(adcli):
    r = adcli("grad", "--", "--y", "--at", "y=2")
    assert (r.code, r.out) == (2, "")
    assert r.err == ("adcli: error: Got unexpected extra arguments (--at y=2)\n"
                     "everything after -- is the expression, so options go before it: "
                     "adcli grad --at y=2 -- --y\n")


def test_a_mistyped_option_keeps_clicks_suggestion_beside_the_hint(adcli):
    r = adcli("grad", "--formt", "json", "x")
    assert r.code == 2
    assert r.err.startswith("adcli: error: No such option '--formt'. (Did you mean ")
    assert "'--format'" in r.err and "if --formt is the expression" in r.err
    r = adcli("grad", "x", "--at", "x=1", "--formt", "json")   # the expression came first: a typo
    assert r.code == 2 and "'--format'" in r.err and r.err.endswith("?)\ntry 'adcli grad --help'\n")
    r = adcli("parse", "--pi")   # found by fuzzing: a valid expression, and click suggests --help
    assert r.code == 2 and "Did you mean '--help'?" in r.err
    assert r.err.endswith('write it in parentheses, as in adcli parse "(--pi)", or last, after --: '
                          'adcli parse -- --pi\n')
    r = adcli("functions", "--y")
    assert r.err == "adcli: error: No such option '--y'.\ntry 'adcli functions --help'\n"
