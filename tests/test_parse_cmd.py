"""adcli parse, and the parenthesized form under eval/grad --explain."""
import json


def test_parse_shows_the_parenthesized_form_and_the_ir(adcli):
    code, out, err = adcli("parse", "-x^2")
    assert (code, err) == (0, "")
    assert out == ("read as: -(x^2)\n"
                   "IR (common subexpressions merged, constants inline):\n"
                   "  v0 = x\n  v1 = v0^2\n  v2 = -v1\n  return v2\n")


def test_precedence_snapshots(adcli):
    cases = {"2^3^2": "2^(3^2)", "2*-x": "2 * (-x)", "x^-1": "x^(-1)", "-x^2 + y*z": "(-(x^2)) + (y * z)",
             "a = x + y; a * a": "a = x + y; a * a", "x - y - z": "(x - y) - z"}
    for expr, want in cases.items():
        code, out, _ = adcli("parse", expr, "--format", "json")
        assert code == 0
        assert json.loads(out)["parenthesized"] == want, expr


def test_parse_json_lists_the_ir(adcli):
    code, out, _ = adcli("parse", "sin(x)^2 + sin(x)", "--format", "json")
    data = json.loads(out)
    assert data["ir"] == ["v0 = x", "v1 = sin v0", "v2 = v1^2", "v3 = v2 + v1", "return v3"]
    assert data["inputs"] == ["x"]


def test_parse_errors(adcli):
    code, out, err = adcli("parse", "2x")
    assert code == 2 and out == "" and "write 2*x" in err and "   ^" in err
    code, _, err = adcli("parse")
    assert code == 2 and "missing EXPR" in err and "adcli parse" in err


def test_explain_puts_the_parenthesized_form_under_the_table(adcli):
    code, out, err = adcli("grad", "-x^2 + 2^3^2*y", "--at", "x=3,y=1", "--explain")
    assert code == 0
    lines = out.splitlines()
    table_end = max(i for i, line in enumerate(lines) if line.startswith("∂f/∂y"))
    assert "read as: (-(x^2)) + ((2^(3^2)) * y)" in lines[table_end + 1:]
    assert any(line.startswith("reverse mode: ") for line in lines[table_end + 1:])
    code, out, err = adcli("eval", "-x^2", "--at", "x=3", "--explain", "--format", "json")
    assert json.loads(out)["value"] == -9.0 and "read as: -(x^2)" in err
