"""jacobian, hessian, jvp, vjp, taylor and check from the command line: every command in
every format, asserting stdout, stderr and the exit code separately."""
import csv
import io
import json

import pytest

from conftest import probe


def ok_json(adcli, *args):
    code, out, err = adcli(*args, "--format", "json")
    assert code == 0 and err == "", err
    return json.loads(out)


def test_jacobian_json_and_mode_choice(adcli):
    rec = ok_json(adcli, "jacobian", "x*y, x+y, sin(x)", "--at", "x=1,y=2")
    assert rec == {"expr": "x*y, x+y, sin(x)", "at": {"x": 1.0, "y": 2.0},
                   "outputs": ["x*y", "x+y", "sin(x)"], "variables": ["x", "y"],
                   "value": [2.0, 3.0, 0.8414709848078965],
                   "jacobian": [[2.0, 1.0], [1.0, 1.0], [0.5403023058681398, 0.0]]}
    rev = ok_json(adcli, "jacobian", "x*y, x+y, sin(x)", "--at", "x=1,y=2", "--mode", "reverse")
    assert rev["jacobian"] == rec["jacobian"]


def test_jacobian_table_footer_says_which_mode_and_why(adcli):
    code, out, err = adcli("jacobian", "x*y*z, x+y", "--at", "x=1,y=2,z=3")
    assert code == 0 and err == ""
    assert "reverse mode: 2 sweeps, one per output (forward mode would need 3 sweeps, one per variable)" \
        in " ".join(out.split())
    assert "∂/∂z" in out


def test_jacobian_explain_goes_to_stderr_outside_tables(adcli):
    code, out, err = adcli("jacobian", "x*y, x", "--at", "x=1,y=2", "--format", "json", "--explain")
    assert code == 0 and json.loads(out)["jacobian"] == [[2.0, 1.0], [1.0, 0.0]]
    assert "read as: x * y, x" in err and "forward mode" in err


def test_hessian_formats(adcli):
    rec = ok_json(adcli, "hessian", "x^2*y", "--at", "x=1,y=2")
    assert rec == {"expr": "x^2*y", "at": {"x": 1.0, "y": 2.0}, "variables": ["x", "y"], "value": 2.0,
                   "gradient": {"x": 4.0, "y": 1.0}, "hessian": [[4.0, 2.0], [2.0, 0.0]]}
    code, out, err = adcli("hessian", "x^2*y", "--at", "x=1,y=2", "--format", "csv")
    assert code == 0 and err == ""
    assert list(csv.reader(io.StringIO(out))) == [["variable", "value", "gradient", "d2/dx", "d2/dy"],
                                                  ["x", "2", "4", "4", "2"], ["y", "2", "1", "2", "0"]]
    code, out, err = adcli("hessian", "x^2*y", "--at", "x=1,y=2", "--format", "plain")
    assert out.splitlines() == ["value 2", "d/dx 4", "d/dy 1", "d2/dxdx 4", "d2/dxdy 2", "d2/dydx 2",
                                "d2/dydy 0"]
    code, out, err = adcli("hessian", "x^3", "--at", "x=0")
    assert code == 0 and err == "" and "∂²f/∂·∂x" in out and "forward-over-reverse" in out


def test_hessian_of_several_outputs_is_a_usage_error(adcli):
    code, out, err = adcli("hessian", "x, y", "--at", "x=1,y=2")
    assert code == 2 and out == ""
    assert err.startswith("adcli: error: hessian needs one output, got 2")


def test_jvp_and_vjp(adcli):
    rec = ok_json(adcli, "jvp", "x*y, x+y", "--at", "x=3,y=2", "--dir", "x=1,y=0")
    assert rec == {"expr": "x*y, x+y", "at": {"x": 3.0, "y": 2.0}, "dir": {"x": 1.0, "y": 0.0},
                   "value": [6.0, 5.0], "jvp": [2.0, 1.0]}
    rec = ok_json(adcli, "jvp", "x^2 + y^2", "--at", "x=3,y=4", "--dir", "x=0.6,y=0.8")
    assert rec["value"] == 25.0 and abs(rec["jvp"] - 10.0) < 1e-12
    rec = ok_json(adcli, "vjp", "x*y, x+y", "--at", "x=3,y=2", "--cotangent", "1,-1")
    assert rec == {"expr": "x*y, x+y", "at": {"x": 3.0, "y": 2.0}, "cotangent": [1.0, -1.0],
                   "value": [6.0, 5.0], "vjp": {"x": 1.0, "y": 2.0}}
    code, out, err = adcli("vjp", "x*y, x+y", "--at", "x=3,y=2", "--cotangent", "1")
    assert code == 2 and out == "" and "the cotangent has 1 entry but the expression has 2 outputs" in err
    code, out, err = adcli("vjp", "x*y", "--at", "x=3,y=2", "--format", "csv")
    assert code == 0 and out == "variable,vjp\nx,2\ny,3\n"
    code, out, err = adcli("jvp", "x*y", "--at", "x=3,y=2", "--dir", "z=1")
    assert code == 2 and "not a variable of the expression" in err


@pytest.mark.parametrize("fmt", ["table", "csv", "plain"])
def test_jvp_vjp_other_formats(adcli, fmt):
    code, out, err = adcli("jvp", "x*y, x+y", "--at", "x=3,y=2", "--dir", "x=1", "--format", fmt)
    assert code == 0 and err == "" and "2" in out
    code, out, err = adcli("vjp", "x*y, x+y", "--at", "x=3,y=2", "--cotangent", "0,1", "--format", fmt)
    assert code == 0 and err == ""


def test_taylor_json_csv_plain_table(adcli):
    rec = ok_json(adcli, "taylor", "x^2", "--at", "x=0", "--order", "4")
    assert rec == {"expr": "x^2", "at": {"x": 0.0}, "wrt": "x", "derivatives": [0.0, 0.0, 2.0, 0.0, 0.0],
                   "coefficients": [0.0, 0.0, 1.0, 0.0, 0.0]}
    rec = ok_json(adcli, "taylor", "x*y^2", "--at", "x=1,y=2", "--dir", "x=1,y=1", "--order", "3")
    assert rec["wrt"] == "t" and rec["dir"] == {"x": 1.0, "y": 1.0}
    assert rec["derivatives"] == [4.0, 8.0, 10.0, 6.0]  # (1+t)(2+t)^2 = 4 + 8t + 5t^2 + t^3
    code, out, err = adcli("taylor", "exp(sin(x))", "--at", "x=0", "--order", "8", "--format", "plain")
    assert code == 0 and err == ""
    assert out.split("\n")[:9] == ["d0 1", "d1 1", "d2 1", "d3 0", "d4 -3", "d5 -8", "d6 -3", "d7 56", "d8 217"]
    code, out, err = adcli("taylor", "cos(x)", "--at", "x=0", "--order", "2", "--format", "csv")
    assert out == "order,derivative,coefficient\n0,1,1\n1,-0,-0\n2,-1,-0.5\n"  # -sin(0) is -0.0
    code, out, err = adcli("taylor", "cos(x)", "--at", "x=0", "--order", "2")
    assert code == 0 and "Taylor mode, order 2" in out


def test_taylor_refusal_is_exit_1_with_a_caret(adcli):
    code, out, err = adcli("taylor", "1 + abs(x)", "--at", "x=0")
    assert code == 1 and out == ""
    lines = err.splitlines()
    assert lines[0] == "adcli: error: taylor: abs at 0 has no Taylor series (it has a corner there)"
    assert lines[1] == "  1 + abs(x)" and lines[2] == "      ^"
    assert "Traceback" not in err


def test_taylor_usage_errors(adcli):
    code, out, err = adcli("taylor", "x*y", "--at", "x=1,y=2")
    assert code == 2 and "one variable or a direction" in err
    code, out, err = adcli("taylor", "x", "--at", "x=1", "--order", "171")
    assert code == 2 and "171" in err


def test_check_verdicts_and_exit_codes(adcli):
    code, out, err = adcli("check", "log(x1) + x1*x2 - sin(x2)", "--at", "x1=2,x2=5", "--format", "json")
    rec = json.loads(out)
    assert code == 0 and err == "" and rec["ok"] is True
    assert [r["var"] for r in rec["rows"]] == ["x1", "x2"]
    assert set(rec["rows"][0]) == {"var", "forward", "reverse", "finite_difference", "abs_error", "rel_error",
                                   "verdict", "reason"}
    code, out, err = adcli("check", "relu(x) + x", "--at", "x=0", "--format", "json")
    assert code == 1 and json.loads(out)["ok"] is False
    assert err == "adcli: warning: AD and finite differences disagree for x\n"
    code, out, err = adcli("check", "relu(x) + x", "--at", "x=0")
    assert code == 1 and "MISMATCH" in out
    code, out, err = adcli("check", "x^y", "--at", "x=2,y=3", "--format", "csv")
    assert code == 0 and out.startswith("var,forward,reverse,finite_difference,abs_error,rel_error,ok,verdict,"
                                        "reason\nx,12,12,")
    code, out, err = adcli("check", "x^y", "--at", "x=2,y=3", "--format", "plain")
    assert code == 0 and out.splitlines()[-1] == "ok"


@pytest.mark.parametrize("cmd", ["jacobian", "hessian", "jvp", "vjp", "taylor", "check"])
def test_every_command_has_help_with_examples(adcli, cmd):
    code, out, err = adcli(cmd, "--help")
    assert code == 0 and "Examples:" in out and f"adcli {cmd}" in out and err == ""


@pytest.mark.parametrize("args", [
    ["jacobian", "x +* y", "--at", "x=1"], ["hessian", "", "--at", "x=1"], ["jvp", "x", "--at", "x=1"],
    ["vjp", "x", "--at", "x=1", "--cotangent", "1,,2"], ["taylor", "sin(", "--at", "x=1"],
    ["check", "x", "--at", "y"], ["hessian", "x*y", "--at", "x=1"],
])
def test_bad_input_gives_one_message_and_no_traceback(adcli, args):
    code, out, err = adcli(*args)
    assert code in (1, 2) and out == ""
    assert err.startswith("adcli: ") or err.startswith("Usage:")
    assert "Traceback" not in err


def test_markup_in_user_text_is_not_interpreted(adcli):
    code, out, err = adcli("jacobian", "x*y, [bold]x", "--at", "x=1,y=2")
    assert code == 2  # '[' is not in the language
    code, out, err = adcli("jacobian", "a_b = x; a_b*y, x", "--at", "x=1,y=2")
    assert code == 0 and "a_b*y" in out


def test_nan_results_warn_and_exit_0(adcli):
    code, out, err = adcli("hessian", "log(x)*y", "--at", "x=-1,y=1", "--format", "json")
    rec = json.loads(out)
    assert code == 0 and rec["value"] == "nan"
    assert "log(-1) = nan" in err


def test_expression_starting_with_minus(adcli):
    code, out, err = adcli("hessian", "--at", "x=3", "--format", "json", "--", "-x^2")
    assert code == 0 and json.loads(out)["hessian"] == [[-2.0]]


@pytest.mark.parametrize("argv", [
    ["hessian", "x^2*y", "--at", "x=1,y=2", "--format", "json"],
    ["taylor", "exp(sin(x))", "--at", "x=0", "--order", "6", "--format", "plain"],
    ["jacobian", "x*y, x", "--at", "x=1,y=2", "--format", "csv"],
    ["check", "x^y", "--at", "x=2,y=3", "--format", "json"],
])
def test_single_point_answers_import_neither_numpy_nor_rich(argv):
    p = probe(argv)
    assert (p.codes, p.imported("numpy"), p.imported("rich")) == ([0], False, False)


COMMAND_ARGS = {
    "jacobian": ["x*y, x+y, sin(x)", "--at", "x=1,y=2"],
    "hessian": ["x^2*y", "--at", "x=1,y=2"],
    "jvp": ["x*y, x+y", "--at", "x=3,y=2", "--dir", "x=1"],
    "vjp": ["x*y, x+y", "--at", "x=3,y=2", "--cotangent", "1,0"],
    "taylor": ["cos(x)", "--at", "x=0", "--order", "3"],
    "check": ["x*exp(y)", "--at", "x=1,y=0"],
}


@pytest.mark.parametrize("fmt", ["table", "json", "csv", "plain"])
@pytest.mark.parametrize("cmd", sorted(COMMAND_ARGS))
def test_every_command_in_every_format(adcli, cmd, fmt):
    code, out, err = adcli(cmd, *COMMAND_ARGS[cmd], "--format", fmt)
    assert code == 0 and err == "" and out.endswith("\n")
    if fmt == "json":
        rec = json.loads(out)
        assert rec["expr"] == COMMAND_ARGS[cmd][0]
    elif fmt == "csv":
        rows = list(csv.reader(io.StringIO(out)))
        assert len(rows) >= 2 and all(len(r) == len(rows[0]) for r in rows)
    elif fmt == "plain":
        assert all(len(line.split()) >= 2 or line == "ok" for line in out.splitlines())
    else:
        assert COMMAND_ARGS[cmd][0].split(",")[0] in out


def test_jacobian_csv_and_plain(adcli):
    code, out, err = adcli("jacobian", "x*y, x+y", "--at", "x=3,y=2", "--format", "csv")
    assert out == "output,value,d/dx,d/dy\nx*y,6,2,3\nx+y,5,1,1\n"
    code, out, err = adcli("jacobian", "x*y, x+y", "--at", "x=3,y=2", "--format", "plain")
    assert out.splitlines() == ["f1 6", "df1/dx 2", "df1/dy 3", "f2 5", "df2/dx 1", "df2/dy 1"]
    code, out, err = adcli("jacobian", "x*y", "--at", "x=3,y=2", "--format", "plain", "--precision", "2")
    assert out.splitlines() == ["f 6", "df/dx 2", "df/dy 3"]
