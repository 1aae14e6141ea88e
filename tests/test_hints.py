"""Hints for the slips people make: each through the command line (conftest's `adcli`
runner), with the exact message and exit code."""

import pytest

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
