"""The command line: every command and format, every error path, hostile input.

stdout, stderr and the exit code are asserted separately. `adcli` (a fixture from
conftest) calls adcli.cli.main(argv), which maps errors to the documented exit codes
exactly as the console script does; a few cases also run in a real process. No stderr
may ever contain a Python traceback.
"""
import math
import pathlib

import pytest
from click.testing import CliRunner

from adcli import __version__
from adcli.cli import COMMANDS, cli
from conftest import ROOT, strict_json, subprocess_adcli

BAYDIN = "log(x1) + x1*x2 - sin(x2)"


# -- eval ------------------------------------------------------------------------------------

def test_eval_table(adcli):
    r = adcli("eval", "(x+y)*(x-y)", "--at", "x=3,y=2")
    assert r.code == 0 and r.err == ""
    assert r.out == ("(x+y)*(x-y)  at x = 3, y = 2\n"
                     "    value\n"
                     "━━━━━━━━━\n"
                     "f       5\n")


def test_eval_json(adcli):
    r = adcli("eval", "(x+y)*(x-y)", "--at", "x=3,y=2", "--format", "json")
    assert r.code == 0 and r.err == ""
    assert strict_json(r.out) == {"expr": "(x+y)*(x-y)", "at": {"x": 3.0, "y": 2.0}, "value": 5.0}
    assert r.out.count("\n") == 1


def test_eval_csv_and_plain(adcli):
    r = adcli("eval", "x/3", "--at", "x=1", "--format", "csv")
    assert (r.code, r.err, r.out) == (0, "", "x,value\n1,0.3333333333333333\n")
    r = adcli("eval", "x/3", "--at", "x=1", "--format", "plain")
    assert (r.code, r.err, r.out) == (0, "", "0.3333333333333333\n")


def test_eval_several_outputs_every_format(adcli):
    args = ("eval", "x^2, 2^x", "--at", "x=3")
    r = adcli(*args, "--format", "json")
    assert r.code == 0 and strict_json(r.out)["value"] == [9.0, 8.0]
    assert adcli(*args, "--format", "csv").out == "x,value1,value2\n3,9,8\n"
    assert adcli(*args, "--format", "plain").out == "9\n8\n"
    r = adcli(*args)
    assert r.code == 0 and r.out.splitlines()[3:] == ["x^2       9", "2^x       8"]


def test_eval_constant_expression_needs_no_point(adcli):
    r = adcli("eval", "2^3^2", "--format", "plain")
    assert (r.code, r.out, r.err) == (0, "512\n", "")


def test_eval_let_bindings(adcli):
    r = adcli("eval", "a = x + y; b = x - y; a * b", "--at", "x=3,y=2", "--format", "json")
    assert r.code == 0 and strict_json(r.out)["value"] == 5.0
    r = adcli("eval", "a = x + y\nb = x - y\na * b  # newline separated", "--at", "x=3,y=2", "--format", "plain")
    assert (r.code, r.out) == (0, "5\n")


# -- grad ------------------------------------------------------------------------------------

def test_grad_seed_example_table(adcli):
    r = adcli("grad", "(x+y)*(x-y)", "--at", "x=3,y=2")
    assert r.code == 0 and r.err == ""
    assert r.out == ("(x+y)*(x-y)  at x = 3, y = 2\n"
                     "        value\n"
                     "━━━━━━━━━━━━━\n"
                     "f           5\n"
                     "∂f/∂x       6\n"
                     "∂f/∂y      -4\n"
                     "reverse mode: 1 sweep, one per output (forward mode would need 2 sweeps, one per variable)\n")


@pytest.mark.parametrize("mode", ["forward", "reverse", "auto"])
def test_grad_baydin_json_both_modes(adcli, mode):
    r = adcli("grad", BAYDIN, "--at", "x1=2,x2=5", "--format", "json", "--mode", mode)
    assert r.code == 0 and r.err == ""
    rec = strict_json(r.out)
    assert rec["expr"] == BAYDIN and rec["at"] == {"x1": 2.0, "x2": 5.0}
    assert math.isclose(rec["value"], 11.652071455223084, rel_tol=1e-12)
    assert math.isclose(rec["gradient"]["x1"], 5.5, rel_tol=1e-12)
    assert math.isclose(rec["gradient"]["x2"], 1.7163378145367738, rel_tol=1e-12)
    assert list(rec["gradient"]) == ["x1", "x2"]


def test_grad_csv_and_plain(adcli):
    r = adcli("grad", "x^2*y", "--at", "x=3, y=pi/4", "--format", "csv")
    assert r.code == 0 and r.err == ""
    assert r.out == f"x,y,value,d/dx,d/dy\n3,{math.pi / 4!r},{9 * math.pi / 4!r},{6 * math.pi / 4!r},9\n"
    r = adcli("grad", "x^2*y", "--at", "x=3", "--at", "y=-2", "--format", "plain")
    assert (r.code, r.err, r.out) == (0, "", "value -18\nd/dx -12\nd/dy 9\n")


def test_grad_wrt_and_mode(adcli):
    r = adcli("grad", "x^y", "--at", "x=2,y=3", "--wrt", "y", "--mode", "forward", "--format", "json")
    assert r.code == 0
    rec = strict_json(r.out)
    assert rec["gradient"] == {"y": 8 * math.log(2)} and rec["value"] == 8.0
    r = adcli("grad", "x^y", "--at", "x=2,y=3", "--wrt", "y, x", "--format", "plain")
    assert r.out == f"value 8\nd/dy {8 * math.log(2)!r}\nd/dx 12\n"


def test_grad_explain_goes_to_stderr_for_machine_formats(adcli):
    r = adcli("grad", "-x^2", "--at", "x=3", "--explain", "--format", "json")
    assert r.code == 0 and strict_json(r.out)["gradient"] == {"x": -6.0}
    assert "read as: -(x^2)" in r.err and "forward mode: 1 sweep" in r.err


def test_grad_several_outputs_is_a_usage_error(adcli):
    r = adcli("grad", "x, y", "--at", "x=1,y=2")
    assert r.code == 2 and r.out == "" and r.err.startswith("adcli: error: grad needs one output")


# -- JSON and precision -------------------------------------------------------------------

@pytest.mark.parametrize("expr,point,value,grad", [
    ("log(x)", "x=-1", "nan", {"x": "nan"}),
    ("1/x", "x=0", "inf", {"x": "-inf"}),
    ("-1/x", "x=0", "-inf", {"x": "inf"}),
    ("sqrt(x)", "x=0", 0.0, {"x": "inf"}),
])
def test_json_is_strict_with_non_finite_numbers_as_strings(adcli, expr, point, value, grad):
    r = adcli("grad", expr, "--at", point, "--format", "json")
    assert r.code == 0
    assert "NaN" not in r.out and "Infinity" not in r.out
    rec = strict_json(r.out)
    assert rec["value"] == value and rec["gradient"] == grad
    assert r.err.startswith("adcli: warning: ") and r.err.count("\n") == len(r.err.splitlines())


def test_json_non_finite_point_values(adcli):
    # The point may itself be non-finite (a constant expression such as 1/0).
    r = adcli("eval", "x", "--at", "x=1/0", "--format", "json")
    assert r.code == 0
    assert strict_json(r.out)["at"] == {"x": "inf"}


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_precision_never_truncates_json_or_csv(adcli, fmt):
    full = adcli("grad", "x/3", "--at", "x=1", "--format", fmt).out
    short = adcli("grad", "x/3", "--at", "x=1", "--format", fmt, "--precision", "3").out
    assert short == full and "0.3333333333333333" in full


@pytest.mark.parametrize("fmt", ["table", "plain"])
def test_precision_applies_to_table_and_plain(adcli, fmt):
    r = adcli("grad", "x/3", "--at", "x=1", "--format", fmt, "--precision", "3")
    assert r.code == 0 and "0.333" in r.out and "0.3333" not in r.out


def test_precision_out_of_range_is_a_usage_error(adcli):
    for p in ("0", "18", "x"):
        r = adcli("eval", "x", "--at", "x=1", "--precision", p)
        assert r.code == 2 and r.out == "" and "--precision" in r.err


# -- functions -------------------------------------------------------------------------------

def test_functions_every_format(adcli):
    from adcli.ops.table import FUNCTIONS, PRIMS
    r = adcli("functions", "--format", "json")
    assert r.code == 0 and r.err == ""
    data = strict_json(r.out)
    rows = {f["name"]: f for f in data["functions"]}
    assert set(FUNCTIONS) <= set(rows)
    assert data["constants"] == {"pi": math.pi, "e": math.e}
    for name, row in rows.items():
        assert row["domain"] == PRIMS[name].domain and row["convention"] == PRIMS[name].note
    assert rows["abs"]["convention"] == "abs'(0) = 0"
    # Operators are listed as users write them; pow shows both of its spellings.
    assert [rows[n]["symbol"] for n in ("add", "neg", "powc", "pow")] == ["+", "- (unary)", "^ (constant c)",
                                                                         "pow (x^y)"]
    plain = adcli("functions", "--format", "plain")
    assert plain.code == 0 and len(plain.out.splitlines()) == len(rows)
    assert "sqrt\t1\tfunction\t" in plain.out and "sqrt'(0) = +inf" in plain.out
    table = adcli("functions")
    assert table.code == 0 and table.err == ""
    starts = {line.split(" ", 1)[0] for line in table.out.splitlines()}
    for name in FUNCTIONS:
        assert name in starts, name  # a row per function, its name first
    assert any(line.startswith("pow (x^y) ") for line in table.out.splitlines())
    for note in ("relu'(0) = 0", "sign' = 0", "half the derivative"):
        assert note in " ".join(table.out.split()), note


def test_functions_rejects_csv(adcli):
    r = adcli("functions", "--format", "csv")
    assert r.code == 2 and r.out == ""


# -- help and version ---------------------------------------------------------------------

@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_help_and_version_on_every_command(adcli, command):
    pre = [command] if command else []
    for flag in ("--help", "-h"):
        r = adcli(*pre, flag)
        assert r.code == 0 and r.err == ""
        assert r.out.startswith("Usage: adcli")
        assert "Examples:" in r.out and "adcli " in r.out.split("Examples:")[1]
    for flag in ("--version", "-V"):
        r = adcli(*pre, flag)
        assert (r.code, r.out, r.err) == (0, f"adcli {__version__}\n", "")


def test_top_level_help_lists_every_command(adcli):
    out = adcli("--help").out
    for name, (_, _, line) in COMMANDS.items():
        assert name in out and line in out


def test_clirunner_sees_the_same_commands():
    runner = CliRunner()
    r = runner.invoke(cli, ["grad", "(x+y)*(x-y)", "--at", "x=3,y=2", "--format", "plain"])
    assert r.exit_code == 0 and r.stdout == "value 5\nd/dx 6\nd/dy -4\n" and r.stderr == ""
    r = runner.invoke(cli, ["eval", "--help"])
    assert r.exit_code == 0 and "Examples:" in r.stdout
    r = runner.invoke(cli, ["nosuchcommand"])
    assert r.exit_code == 2 and "no such command 'nosuchcommand'" in r.stderr


# -- expressions that start with '-' -------------------------------------------------------

@pytest.mark.parametrize("argv", [
    ["grad", "-x^2", "--at", "x=3"],
    ["grad", "--at", "x=3", "-x^2"],
    ["grad", "--at", "x=3", "--format", "json", "--", "-x^2"],
    ["grad", "--at=x=3", "-x^2"],
    ["grad", "-x^2", "--at", "x=3", "--format", "plain", "--mode", "reverse"],
])
def test_expression_starting_with_minus(adcli, argv):
    r = adcli(*argv, "--format", "json") if "--format" not in argv else adcli(*argv)
    assert r.code == 0 and r.err == ""
    if r.out.startswith("{"):
        assert strict_json(r.out) == {"expr": "-x^2", "at": {"x": 3.0}, "value": -9.0, "gradient": {"x": -6.0}}
    else:
        assert r.out == "value -9\nd/dx -6\n"


def test_negative_point_values_and_constant_expressions(adcli):
    r = adcli("eval", "x*y", "--at", "x=-2, y=pi/4", "--format", "plain")
    assert (r.code, r.out) == (0, f"{-2 * math.pi / 4!r}\n")
    r = adcli("eval", "-1", "--format", "plain")
    assert (r.code, r.out) == (0, "-1\n")


def test_unknown_long_option_is_still_an_error(adcli):
    r = adcli("eval", "x", "--at", "x=1", "--bogus")
    assert r.code == 2 and r.out == "" and "No such option '--bogus'" in r.err


# -- errors ----------------------------------------------------------------------------------

def test_parse_error_caret_in_the_right_column(adcli):
    r = adcli("eval", "x + 2y", "--at", "x=1,y=2")
    assert r.code == 2 and r.out == ""
    assert r.err == ("adcli: error: missing operator before 'y'\n"
                     "  x + 2y\n"
                     "       ^\n"
                     "adcli has no implicit multiplication: write 2*y\n")


def test_2x_suggests_2_times_x(adcli):
    r = adcli("grad", "2x", "--at", "x=1")
    assert r.code == 2 and r.out == "" and "write 2*x" in r.err
    lines = r.err.splitlines()
    assert lines[1] == "  2x" and lines[2] == "   ^"


def test_unknown_function_suggests_the_nearest_name(adcli):
    r = adcli("eval", "x + sinh(x) + cosine(x)", "--at", "x=1")
    assert r.code == 2 and r.out == ""
    assert r.err.splitlines()[0] == "adcli: error: unknown function 'cosine'"
    assert r.err.splitlines()[2] == "                ^"
    assert "did you mean cos()?" in r.err


def test_missing_variable_is_exit_1(adcli):
    r = adcli("eval", "x + y", "--at", "x=1")
    assert r.code == 1 and r.out == ""
    assert r.err.startswith("adcli: error: no value for variable y\n")
    r = adcli("grad", "x * y")
    assert r.code == 1 and "no value for variables x, y" in r.err


@pytest.mark.parametrize("expr", ["", "   ", "\n", "# only a comment"])
def test_empty_expression_is_exit_2(adcli, expr):
    r = adcli("eval", expr, "--at", "x=1")
    assert r.code == 2 and r.out == "" and r.err.startswith("adcli: error: ")


def test_missing_expression_is_exit_2(adcli):
    r = adcli("grad", "--at", "x=1")
    assert r.code == 2 and r.out == "" and "missing EXPR" in r.err


@pytest.mark.parametrize("point,message", [
    ("x", "expected name=value, got 'x'"),
    ("3", "expected name=value"),
    ("", "empty point"),
    ("x=", "bad value: empty expression"),
    ("x=1,x=2", "'x' is given twice"),
    ("1x=2", "'1x' is not a variable name"),
    ("x=y", "not one with variable 'y'"),
    ("x=2y", "bad value: missing operator"),
    ("x=1, y=(2", "bad value: unexpected end of input"),
    ("x=1,2", "expected name=value"),
])
def test_point_errors_are_exit_2(adcli, point, message):
    r = adcli("eval", "x", "--at", point)
    assert r.code == 2 and r.out == ""
    assert r.err.startswith("adcli: error: ") and message in r.err, r.err


def test_point_error_caret_points_into_the_point(adcli):
    r = adcli("eval", "x", "--at", "x=1, y=2z")
    assert r.code == 2
    lines = r.err.splitlines()
    assert lines[1] == "  x=1, y=2z"
    assert lines[2] == "          ^"


@pytest.mark.parametrize("argv,message", [
    (["grad", "x", "--at", "x=1", "--wrt", "z"], "cannot differentiate with respect to 'z'"),
    (["grad", "x", "--at", "x=1", "--wrt", "x,x"], "--wrt names 'x' twice"),
    (["grad", "x", "--at", "x=1", "--mode", "sideways"], "Invalid value for '--mode'"),
    (["eval", "x", "--at", "x=1", "--format", "xml"], "Invalid value for '--format'"),
    (["eval", "x", "y", "--at", "x=1"], "unexpected extra argument"),
    (["nosuchcommand"], "no such command 'nosuchcommand'"),
])
def test_usage_errors_are_exit_2(adcli, argv, message):
    r = adcli(*argv)
    assert r.code == 2 and r.out == "" and message in r.err, r.err


def test_unused_value_is_a_warning_not_an_error(adcli):
    r = adcli("eval", "x", "--at", "x=1,y=2", "--format", "plain")
    assert r.code == 0 and r.out == "1\n"
    assert r.err == "adcli: warning: 'y' has a value but does not appear in the expression\n"


def test_warnings_go_to_stderr_and_results_to_stdout(adcli):
    r = adcli("eval", "log(x)", "--at", "x=-1", "--format", "plain")
    assert r.code == 0 and r.out == "nan\n"
    assert r.err == "adcli: warning: log(-1) = nan (log is defined for x > 0)\n"
    r = adcli("eval", "exp(x)", "--at", "x=1000", "--format", "plain")
    assert r.code == 0 and r.out == "inf\n" and r.err.count("adcli: warning: exp(1000) = inf") == 1


# -- hostile input ---------------------------------------------------------------------------

@pytest.mark.parametrize("expr", ["[bold]x[/]", "[/]", "x + [red]y", "[link=http://e.x]x[/link]"])
@pytest.mark.parametrize("fmt", ["table", "json"])
def test_rich_markup_is_shown_literally(adcli, expr, fmt):
    r = adcli("eval", expr, "--at", "x=1,y=2", "--format", fmt)
    assert r.code == 2 and r.out == ""
    assert expr in r.err  # literally, brackets and all
    assert "MarkupError" not in r.err


def test_rich_markup_in_a_comment_reaches_the_table_harmlessly(adcli):
    r = adcli("eval", "x # [bold]a[/] [/]", "--at", "x=1")
    assert r.code == 0 and r.err == ""
    assert "\x1b" not in r.out and r.out.splitlines()[-1] == "f       1"


CONTROL = ["\x1b[31m", "\x07", "\r", "\x1b]0;title\x07", "\x00", "\x7f", "\x9b"]


def _no_raw_control(text):
    return not any(c in text for c in "\x1b\x07\r\x00\x7f\x9b")


@pytest.mark.parametrize("ctrl", CONTROL)
def test_control_characters_in_the_expression_are_escaped(adcli, ctrl):
    r = adcli("eval", f"x +{ctrl} y", "--at", "x=1,y=2")
    assert r.code == 2 and r.out == ""
    assert _no_raw_control(r.err), repr(r.err)
    assert "\\x" in r.err


@pytest.mark.parametrize("argv", [
    ["eval", "x", "--at", "\x1b[31m=3"],
    ["eval", "x", "--at", "x\x07"],
    ["eval", "x", "--at", "x=\r1+"],
    ["grad", "x", "--at", "x=1", "--wrt", "\x1b"],
    ["eval", "x", "--at", "x=1", "extra\x1b[2J"],
    ["eval", "x", "--at", "x=1", "--format", "\x1b[31m"],
    ["eval", "x", "--at", "x=1", "--bogus\x07"],
    ["\x1bcommand"],
])
def test_control_characters_anywhere_on_the_command_line_are_escaped(adcli, argv):
    r = adcli(*argv)
    assert r.code == 2 and r.out == ""
    assert _no_raw_control(r.err), repr(r.err)


def test_control_characters_are_shown_escaped_not_dropped(adcli):
    # The user sees what they typed, made visible.
    r = adcli("eval", "x", "--at", "x=1", "extra\x1b[2J")
    assert "extra\\x1b[2J" in r.err, repr(r.err)
    r = adcli("grad", "x", "--at", "x=1", "--wrt", "a\x07b")
    assert "a\\x07b" in r.err, repr(r.err)


@pytest.mark.slow  # a megabyte of input
def test_a_megabyte_of_open_parentheses_is_a_clean_parse_error(adcli):
    r = adcli("eval", "(" * 1_000_000, "--at", "x=1")
    assert r.code == 2 and r.out == ""
    assert r.err.startswith("adcli: error: ")
    assert len(r.err) < 400 and r.err.count("\n") <= 4


def test_a_long_line_error_is_clipped(adcli):
    r = adcli("eval", "x" + ")" * 100_000, "--at", "x=1")
    assert r.code == 2 and r.out == "" and "unmatched ')'" in r.err and len(r.err) < 400


# -- real processes ------------------------------------------------------------------------

def test_subprocess_success_and_exit_codes():
    r = subprocess_adcli("grad", "(x+y)*(x-y)", "--at", "x=3,y=2", "--format", "json")
    assert r.code == 0 and r.err == ""
    assert strict_json(r.out) == {"expr": "(x+y)*(x-y)", "at": {"x": 3.0, "y": 2.0}, "value": 5.0,
                                  "gradient": {"x": 6.0, "y": -4.0}}
    r = subprocess_adcli("eval", "x + y", "--at", "x=1")
    assert r.code == 1 and r.out == "" and "no value for variable y" in r.err and "Traceback" not in r.err
    r = subprocess_adcli("eval", "2x", "--at", "x=1")
    assert r.code == 2 and r.out == "" and "write 2*x" in r.err and "Traceback" not in r.err
    r = subprocess_adcli("grad", "-x^2", "--at", "x=3", "--format", "plain")
    assert (r.code, r.out, r.err) == (0, "value -9\nd/dx -6\n", "")
    r = subprocess_adcli("--version")
    assert (r.code, r.out) == (0, f"adcli {__version__}\n")
    r = subprocess_adcli("eval", "x", "--at", "x=1", "--nope")
    assert r.code == 2 and "Traceback" not in r.err


def test_subprocess_closed_stdout_pipe_is_quiet():
    import subprocess
    import sys
    p = subprocess.run(f"'{sys.executable}' -m adcli functions --format plain | head -n 1", shell=True,
                       cwd=ROOT, capture_output=True, text=True)
    assert p.stdout.count("\n") == 1 and "Traceback" not in p.stderr


# -- exit codes for bugs and interrupts -----------------------------------------------------

def test_internal_error_is_exit_70_without_traceback(adcli, monkeypatch):
    from adcli.api import Function  # the name adcli is the fixture here

    def broken(*a, **k):
        raise ZeroDivisionError("a bug")
    monkeypatch.setattr(Function, "grad", broken)
    r = adcli("grad", "x", "--at", "x=1")
    assert r.code == 70 and r.out == ""
    assert r.err.startswith("adcli: error: internal error: ZeroDivisionError: a bug\n")
    assert "--traceback" in r.err
    from adcli.cli import main
    with pytest.raises(ZeroDivisionError):
        main(["--traceback", "grad", "x", "--at", "x=1"])


def test_interrupt_is_exit_130(adcli, monkeypatch):
    from adcli.api import Function  # the name adcli is the fixture here

    def interrupted(*a, **k):
        raise KeyboardInterrupt
    monkeypatch.setattr(Function, "eval", interrupted)
    r = adcli("eval", "x", "--at", "x=1")
    # click ends the ^C line first, then main() says what happened.
    assert (r.code, r.out, r.err.lstrip("\n")) == (130, "", "adcli: interrupted\n")


def _help_examples(adcli, command):
    out = adcli(*([command] if command else []), "--help").out
    block = out.split("Examples:")[1]
    lines = []
    for line in block.splitlines()[1:]:
        if not line.strip().startswith("adcli "):
            break
        lines.append(line.strip())
    return lines


@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_every_example_in_the_help_runs(adcli, command, monkeypatch):
    monkeypatch.chdir(pathlib.Path(__file__).resolve().parent.parent)  # examples/ are relative to the repo
    import shlex
    examples = _help_examples(adcli, command)
    assert examples
    for line in examples:
        argv = shlex.split(line, comments=True)[1:]
        for stop in ("|", ">"):  # a pipeline's adcli part is what must run
            if stop in argv:
                argv = argv[:argv.index(stop)]
        r = adcli(*argv)
        assert r.code == 0 and r.out and "error" not in r.err, (line, r.err)


def test_a_constant_named_in_at_or_points_is_a_usage_error(adcli, tmp_path):
    r = adcli("grad", "a*e", "--at", "a=1,e=5")
    assert r.code == 2 and r.out == "" and "'e' is the constant e" in r.err and "^" in r.err
    csv = tmp_path / "p.csv"
    csv.write_text("a,pi\n1,5\n")
    r = adcli("grad", "a*pi", "--points", str(csv))
    assert r.code == 2 and r.out == "" and "'pi' is the constant pi" in r.err


def test_a_points_column_named_like_a_constant_is_carried_through_when_unused(adcli, tmp_path):
    csv = tmp_path / "p.csv"
    csv.write_text("x,pi\n1,2\n")
    r = adcli("grad", "x^2", "--points", str(csv), "--format", "csv")
    assert r.code == 0 and r.out.splitlines()[1].startswith("1,2,1,2")
