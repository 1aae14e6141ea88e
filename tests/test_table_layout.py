"""Every table meets a narrow console without breaking a number (adcli.render.layout): each
number the JSON output holds appears whole, as one token, on one line of the table;
table lines keep to COLUMNS; no line ends in a space; batch errors do not widen the
columns; the header echoes the point as given whatever --precision says."""
import json
import math
import re

import pytest
from rich.cells import cell_len

from adcli.render.text import number

AT5 = "a=0.1234567,b=0.2,c=0.3,d=0.4,g=0.5"
DIR = "a=0.3333333333333333,b=1.1"
# (table argv, the keys of the JSON record whose numbers the table shows at full precision)
CASES = {
    "grad": ["grad", "sin(a*b*c*d*g)*exp(a)/3", "--at", AT5],
    "eval": ["eval", "x^2, 2^x, sin(x)/3 + cos(x)/7 + exp(x)*x^2 + sqrt(x)", "--at", "x=3.3"],
    "jacobian": ["jacobian", "sin(a*b*c)/3, exp(a)*b^0.3, a*b*c*d*g", "--at", AT5],
    "hessian": ["hessian", "sin(a*b*c*d*g)", "--at", AT5],
    "jvp": ["jvp", "sin(a*b)/3, exp(a)*b^0.3", "--at", "a=0.1234567,b=0.3", "--dir", DIR],
    "vjp": ["vjp", "sin(a*b)/3, exp(a)*b^0.3", "--at", "a=0.1234567,b=0.3",
            "--cotangent", "0.3333333333333333,1.1"],
    "taylor": ["taylor", "sin(x*y)/3", "--at", "x=0.1234567,y=0.3", "--wrt", "x", "--order", "6"],
    "check": ["check", "sin(a*b*c*d*g)", "--at", AT5],
}
SKIP = {"abs_error", "rel_error", "ok"}          # not shown, or shown with 2 digits
FOOTERS = ("forward mode", "reverse mode", "f = ", "dir:", "u:", "ok:", "MISMATCH", "Taylor mode", "along")


def numbers(obj, key=None):
    """Every number in a JSON record, as adcli prints it."""
    if key in SKIP:
        return
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from numbers(v, k)
    elif isinstance(obj, list):
        for v in obj:
            yield from numbers(v, key)
    elif isinstance(obj, (int, float)) and not isinstance(obj, bool):
        yield number(obj)


def tokens(text):
    return {t for line in text.splitlines() for t in re.split(r"[\s,;=()]+", line) if t}


def assert_whole(out, nums):
    toks = tokens(out)
    missing = [n for n in nums if n not in toks]
    assert missing == [], f"numbers broken or missing: {missing}\n{out}"


@pytest.mark.parametrize("columns", ["40", "80"])
@pytest.mark.parametrize("name", list(CASES))
def test_every_number_is_whole_on_one_line(adcli, monkeypatch, name, columns):
    monkeypatch.setenv("COLUMNS", columns)
    argv = CASES[name]
    table = adcli(*argv)
    assert table.code == 0, table.err
    rec = json.loads(adcli(*argv, "--format", "json").out)
    nums = list(numbers(rec))
    assert len(nums) >= 3
    assert_whole(table.out, nums)
    wide = [line for line in table.out.splitlines()
            if cell_len(line) > int(columns) and not line.startswith(FOOTERS)]
    assert wide == [], "\n".join(wide)
    assert [line for line in table.out.splitlines() if line != line.rstrip()] == []


def test_hessian_piped_is_wider_than_80_not_broken(adcli, monkeypatch):
    """The reviewer's case: `adcli hessian ... | cat` split -2.776604928333668e-05."""
    monkeypatch.delenv("COLUMNS", raising=False)
    argv = ["hessian", "sin(a*b*c*d*g)", "--at", "a=0.1,b=0.2,c=0.3,d=0.4,g=0.5"]
    out = adcli(*argv).out
    rec = json.loads(adcli(*argv, "--format", "json").out)
    assert_whole(out, list(numbers(rec)))
    # a table, one row a variable, wider than 80 (no terminal to fit)
    rows = [line for line in out.splitlines() if line[:1] in "abcdg" and line[1:2] == " "]
    assert len(rows) == 5 and all(len(line.split()) == 7 for line in rows)
    assert max(len(line) for line in rows) > 80


def test_narrow_terminal_gets_a_listing_one_number_a_line(adcli, monkeypatch):
    monkeypatch.setenv("COLUMNS", "40")
    a, b = 0.123456789, 0.987654321
    out = adcli("hessian", "sin(a*b)", "--at", f"a={a},b={b}").out
    assert out.splitlines()[:5] == [
        "sin(a*b)  at a = 0.123456789,",
        "     b = 0.987654321",
        "a",
        f"  ∂f/∂·     {number(b * math.cos(a * b))}",
        f"  ∂²f/∂·∂a  {number(-b * b * math.sin(a * b))}",
    ]


def test_grad_golden_at_80(adcli, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    out = adcli("grad", "x*y", "--at", "x=3,y=2").out
    assert out == ("x*y  at x = 3, y = 2\n"
                   "        value\n"
                   "━━━━━━━━━━━━━\n"
                   "f           6\n"
                   "∂f/∂x       2\n"
                   "∂f/∂y       3\n"
                   "reverse mode: 1 sweep, one per output (forward mode would need 2 sweeps, one per "
                   "variable)\n")


def test_precision_rounds_results_not_the_echoed_point(adcli, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    for argv in (["grad", "x^2"], ["hessian", "x^2"], ["taylor", "x^2", "--order", "2"],
                 ["trace", "x^2"]):
        out = adcli(*argv, "--at", "x=123456789.123", "--precision", "3").out
        assert out.splitlines()[0].endswith("at x = 123456789.123"), argv
        assert "1.52e+16" in out or "1.52e+16" in out.replace("\n", " "), argv


def test_batch_error_does_not_widen_the_expression_column(adcli, monkeypatch):
    monkeypatch.delenv("COLUMNS", raising=False)
    r = adcli("grad", "-f", "examples/jobs-with-errors.txt")
    lines = r.out.splitlines()
    assert max(cell_len(line) for line in lines) <= 80
    head = lines[0]
    # the expression column is as wide as the widest expression, not the widest error
    assert head.index(" at ") - head.index("expression") <= len("sinn(x) @ x=1") + 3
    flat = " ".join(r.out.split())
    assert "name error: unknown function 'sinn' (did you mean sin()?)" in flat
    assert "give every variable a value, as in --at x=1,y=1" in flat
    assert [line for line in lines if line != line.rstrip()] == []


@pytest.mark.parametrize("columns", ["40", "80"])
def test_batch_tables_keep_numbers_whole(adcli, monkeypatch, columns):
    monkeypatch.setenv("COLUMNS", columns)
    for argv in (["hessian", "-f", "examples/jobs.txt"],
                 ["check", "-f", "examples/jobs-check.txt"],
                 ["hessian", "x*y^2*exp(x)/z", "--points", "examples/points.csv", "--at", "z=3.3333333333333335"]):
        table = adcli(*argv)
        recs = [json.loads(line) for line in adcli(*argv, "--format", "json").out.splitlines()]
        # a --points table shows the CSV's columns, not the --at values
        hidden = {"line", "at"} if "--points" in argv else {"line"}
        nums = [n for rec in recs for n in numbers({k: v for k, v in rec.items() if k not in hidden})]
        assert_whole(table.out, nums)
        wide = [line for line in table.out.splitlines() if cell_len(line) > int(columns)]
        assert wide == [], "\n".join(wide)


def test_trace_narrow_is_one_equation_a_line(adcli, monkeypatch):
    monkeypatch.setenv("COLUMNS", "40")
    out = adcli("trace", "log(x1) + x1*x2 - sin(x2)", "--at", "x1=2,x2=5", "--mode", "reverse").out
    assert "v₃ = sin v₀ = -0.9589242746631385" in out.splitlines()
    lines = out.splitlines()
    at = lines.index("8. v̄₀ = v̄₀ + v̄₂ · v₋₁")  # 43 cells with its value: the value goes below
    assert lines[at + 1] == "      = 1.7163378145367738"
    assert max(cell_len(line) for line in out.splitlines()) <= 40


TABLES = [
    *CASES.values(),
    ["trace", "log(x1) + x1*x2 - sin(x2)", "--at", "x1=2,x2=5"],
    ["trace", "log(x1) + x1*x2 - sin(x2)", "--at", "x1=2,x2=5", "--mode", "reverse"],
    ["functions"],
    ["graph", "x*y + sin(x)", "--at", "x=1,y=2"],
    ["parse", "x*y + sin(x)"],
    ["plot", "sin(x)", "--range", "0:3"],
    ["grad", "-f", "examples/jobs-with-errors.txt"],
    ["check", "-f", "examples/jobs-check.txt"],
    ["jacobian", "x*y, x+y", "--points", "examples/points.csv"],
]


@pytest.mark.parametrize("columns", [None, "40", "80"])
@pytest.mark.parametrize("argv", TABLES, ids=[" ".join(a[:2]) for a in TABLES])
def test_no_line_ends_in_a_space(adcli, monkeypatch, argv, columns):
    if columns:
        monkeypatch.setenv("COLUMNS", columns)
    else:
        monkeypatch.delenv("COLUMNS", raising=False)
    out = adcli(*argv).out
    assert out
    assert [line for line in out.splitlines() if line != line.rstrip()] == []


def test_points_error_goes_under_its_row(adcli, monkeypatch, tmp_path):
    monkeypatch.delenv("COLUMNS", raising=False)
    csv = tmp_path / "p.csv"
    csv.write_text("x,y\n1,2\nfoo,3\n-1,2\n")
    lines = adcli("grad", "sqrt(x)*y", "--points", str(csv)).out.splitlines()
    assert lines[0].split() == ["line", "x", "y", "value", "d/dx", "d/dy"]  # no error column
    at = lines.index("   3   foo   3")
    assert lines[at + 1] == "       row: column x: 'foo' is not a number"
    assert lines[at + 2].split() == ["4", "-1", "2", "nan", "nan", "nan"]


def test_precision_leaves_a_batch_point_alone(adcli, monkeypatch, tmp_path):
    monkeypatch.delenv("COLUMNS", raising=False)
    jobs = tmp_path / "jobs.txt"
    jobs.write_text("x^2 @ x=123456789.123\n")
    out = adcli("grad", "-f", str(jobs), "--precision", "3").out
    assert "x = 123456789.123" in out and "1.52e+16" in out and "2.47e+08" in out


def test_later_batch_chunks_keep_the_column_widths(monkeypatch):
    """A batch prints a table per chunk (a slow pipe gives small chunks): a later,
    narrower chunk keeps the earlier widths, so its rows line up."""
    from adcli.render.layout import NUM, TEXT, Column, Flow, Grid, render_to_text
    monkeypatch.setenv("COLUMNS", "80")
    flow = Flow()

    def chunk(rows, first):
        g = Grid([Column("line", NUM, "right"), Column("expression", TEXT), Column("value", NUM, "right")],
                 show_header=first)
        for r in rows:
            g.row(*r)
        return render_to_text(g, flow)

    one = chunk([("1", "sin(x)*cos(y) + x", "0.12345678901234566")], True).splitlines()
    two = chunk([("2", "x", "5")], False).splitlines()
    assert len(one[2]) == len(two[0])                      # the value column ends where it did
    assert two[0].index("x") == one[2].index("sin")        # the expression starts where it did
