"""--format latex and --format markdown: the terminal's tables for lecture notes. No TeX
is installed where these tests run, so the LaTeX is read by a small checker
(tests/texcheck.py: braces, environments, math shifts, known commands, escapes, cells per
row) and its numbers are read back and compared with the JSON of the same command."""
import json
import re

import pytest

from texcheck import TexError, check, markdown_tables

SEED = "a = x + y; b = x - y; a * b"


def tex_number(cell):
    """The float of a cell written as $-4$, $1.5 \\times 10^{-8}$, $\\infty$."""
    m = re.fullmatch(r"\$(.*)\$", cell.strip())
    assert m, cell
    body = m.group(1).strip()
    if body in (r"\infty", r"-\infty"):
        return float(body.replace(r"\infty", "inf"))
    if body == r"\mathrm{nan}":
        return float("nan")
    e = re.fullmatch(r"(-?[0-9.]+) \\times 10\^\{(-?[0-9]+)\}", body)
    if e:
        return float(f"{e.group(1)}e{e.group(2)}")
    return float(body)


def md_number(cell):
    return float(cell.strip("*"))


def run(adcli, *argv):
    r = adcli(*argv)
    assert r.code in (0, 3), r.err
    return r.out


# ---------------------------------------------------------------- the checker itself

@pytest.mark.parametrize("bad", [
    r"\begin{tabular}{lr} a & b \\ c \\ \end{tabular}",      # a row short of a cell
    r"\begin{tabular}{lr} a & b \\",                          # not ended
    r"x_1 in text",                                           # _ outside math
    r"50% off",                                               # a comment eats the rest
    r"{unbalanced",
    r"$x",
    r"\input{/etc/passwd}",                                   # an unknown command
    r"a & b",
])
def test_the_checker_rejects_broken_latex(bad):
    with pytest.raises(TexError):
        check(bad)


def test_the_markdown_checker_rejects_a_ragged_table():
    with pytest.raises(TexError):
        markdown_tables("| a | b |\n|:--|--:|\n| 1 | 2 | 3 |")
    with pytest.raises(TexError):
        markdown_tables("| a | b |\n| 1 | 2 |")
    assert markdown_tables("| a | b |\n|:--|--:|\n| x\\|y | 2 |") == [[["a", "b"], ["x|y", "2"]]]


# ---------------------------------------------------------------- results

RESULTS = [
    ("grad", "log(x1) + x1*x2 - sin(x2)", "x1=2,x2=5"),
    ("jacobian", "x*y*z, x+y", "x=1,y=2,z=3"),
    ("hessian", "100*(y-x^2)^2 + (1-x)^2", "x=1,y=1"),
    ("taylor", "exp(sin(x))", "x=0"),
    ("check", "log(x1) + x1*x2 - sin(x2)", "x1=2,x2=5"),
    ("eval", "x^2, 2^x", "x=3"),
]


def _json_numbers(cmd, rec):
    """The numbers of a JSON record in the order the table shows them, row by row."""
    if cmd == "grad":
        return [[rec["value"]]] + [[d] for d in rec["gradient"].values()]
    if cmd == "jacobian":
        return [[v] + row for v, row in zip(rec["value"], rec["jacobian"])]
    if cmd == "hessian":
        return [[rec["gradient"][v]] + row for v, row in zip(rec["variables"], rec["hessian"])]
    if cmd == "taylor":
        return [[k, d, c] for k, (d, c) in enumerate(zip(rec["derivatives"], rec["coefficients"]))]
    if cmd == "check":
        return [[r["forward"], r["reverse"], r["finite_difference"]] for r in rec["rows"]]
    return [[v] for v in rec["value"]]


def _table_numbers(cmd, rows, parse):
    if cmd == "taylor":
        return [[parse(c) for c in row] for row in rows]
    if cmd == "check":
        return [[parse(c) for c in row[1:4]] for row in rows]
    return [[parse(c) for c in row[1:]] for row in rows]


@pytest.mark.parametrize("cmd,expr,at", RESULTS, ids=[r[0] for r in RESULTS])
def test_latex_of_a_result_is_well_formed_and_holds_the_json_numbers(adcli, cmd, expr, at):
    tex = run(adcli, cmd, expr, "--at", at, "--format", "latex")
    [table] = check(tex)
    assert tex.count(r"\toprule") == tex.count(r"\bottomrule") == 1
    rec = json.loads(run(adcli, cmd, expr, "--at", at, "--format", "json"))
    assert _table_numbers(cmd, table[1:], tex_number) == _json_numbers(cmd, rec)


@pytest.mark.parametrize("cmd,expr,at", RESULTS, ids=[r[0] for r in RESULTS])
def test_markdown_of_a_result_is_a_github_table_holding_the_json_numbers(adcli, cmd, expr, at):
    md = run(adcli, cmd, expr, "--at", at, "--format", "markdown")
    [table] = markdown_tables(md)
    rec = json.loads(run(adcli, cmd, expr, "--at", at, "--format", "json"))
    assert _table_numbers(cmd, table[1:], md_number) == _json_numbers(cmd, rec)


def test_latex_names_derivatives_in_math(adcli):
    tex = run(adcli, "grad", "x1*rate_2", "--at", "x1=2,rate_2=3", "--format", "latex")
    check(tex)
    assert r"$\partial f/\partial x_{1}$ & $3$" in tex
    assert r"$\partial f/\partial \mathit{rate\_2}$ & $2$" in tex
    tex = run(adcli, "grad", "x*1.5e-20 + y*2e300", "--at", "x=1,y=1", "--format", "latex")
    [table] = check(tex)
    assert [row[1] for row in table[2:]] == [r"$1.5 \times 10^{-20}$", r"$2 \times 10^{300}$"]
    assert [tex_number(row[1]) for row in table[2:]] == [1.5e-20, 2e300]


HOSTILE = r"x*y # \ { } $ % & ~ ^ _ | < > * ` [a](b) <b>x</b> \x1b"


def test_user_text_is_escaped_in_latex(adcli):
    expr = HOSTILE.replace(r"\x1b", "\x1b")
    for cmd in ("grad", "jacobian", "trace"):
        tex = run(adcli, cmd, expr, "--at", "x=1,y=2", "--format", "latex")
        check(tex)                       # nothing the user typed opens or closes anything
        assert "\x1b" not in tex and r"\textbackslash{}x1b" in tex
        assert r"\# \textbackslash{} \{ \} \$ \% \& \textasciitilde{} \^{} \_ \textbar{}" in tex


def test_user_text_is_escaped_in_markdown(adcli):
    expr = HOSTILE.replace(r"\x1b", "\x1b")
    for cmd in ("grad", "jacobian", "trace"):
        md = run(adcli, cmd, expr, "--at", "x=1,y=2", "--format", "markdown")
        markdown_tables(md)
        head = md.split("\n", 1)[0]
        assert "\x1b" not in md and "<b>" not in md and "[a](b)" not in md
        # every markup character is escaped: removing the escapes gives back the text
        assert re.sub(r"\\(.)", r"\1", head.split("**")[1]) == HOSTILE


def test_exports_are_for_one_point_not_a_batch(adcli):
    r = adcli("grad", "-f", "examples/jobs.txt", "--format", "latex")
    assert r.code == 2 and "one result for lecture notes, not a batch" in r.err and r.out == ""


# ---------------------------------------------------------------- traces

def test_forward_trace_in_latex_is_baydins_table_2(adcli):
    tex = run(adcli, "trace", "log(x1) + x1*x2 - sin(x2)", "--at", "x1=2,x2=5", "--format", "latex")
    [table] = check(tex)
    rec = json.loads(run(adcli, "trace", "log(x1) + x1*x2 - sin(x2)", "--at", "x1=2,x2=5", "--format", "json"))
    head, body = table[0], table[1:]
    assert "primal trace" in head[3] and r"tangent trace ($\dot{x_{1}}$ = 1, $\dot{x_{2}}$ = 0)" in head[8]
    rows = body[:len(rec["rows"])]
    assert [r[1] for r in rows] == [f"$v_{{{k}}}$" for k in range(-1, 6)]
    assert [r[6] for r in rows] == [f"$\\dot v_{{{k}}}$" for k in range(-1, 6)]
    assert [tex_number(r[4]) for r in rows] == [r["value"] for r in rec["rows"]]
    assert [tex_number(r[9]) for r in rows] == [r["tangent"] for r in rec["rows"]]
    assert rows[2][3] == r"$\log v_{-1}$" and rows[2][8] == r"$\dot v_{-1}/v_{-1}$"
    assert rows[3][8] == r"$v_{0} \cdot \dot v_{-1} + v_{-1} \cdot \dot v_{0}$"
    assert body[-1][1] == "$y$" and body[-1][6] == r"$\dot{y}$"


def test_reverse_trace_in_latex_is_baydins_table_3(adcli):
    tex = run(adcli, "trace", SEED, "--at", "x=3,y=2", "--mode", "reverse", "--format", "latex")
    primal, adjoint = check(tex)
    rec = json.loads(run(adcli, "trace", SEED, "--at", "x=3,y=2", "--mode", "reverse", "--format", "json"))
    assert [r[0] for r in primal[1:6]] == ["", "", "a", "b", ""]          # the let-names
    assert primal[3][3] == "$v_{-1} + v_{0}$" and primal[5][3] == r"$v_{1} \times v_{2}$"
    steps = adjoint[1:1 + len(rec["adjoint_steps"])]
    assert [tex_number(r[4]) for r in steps] == [s["value"] for s in rec["adjoint_steps"]]
    assert steps[0][1:4] == [r"$\bar v_{3}$", "$=$", r"$\bar{f}$"]
    assert steps[1][3] == r"$\bar v_{3} \cdot v_{2}$"
    assert steps[5][3] == r"$\bar v_{-1} + \bar v_{1}$"                 # the second use of x, accumulated
    grads = adjoint[-2:]
    assert [(g[1], tex_number(g[4])) for g in grads] == [(r"$\bar{x}$", 6.0), (r"$\bar{y}$", -4.0)]


OPS = "x^2.5/sqrt(y) + atan2(x, y) + abs(x)^y + relu(x) + 2^x + hypot(x, y)*erf(y) - asin(x/3) + log10(y)"


@pytest.mark.parametrize("mode", ["forward", "reverse"])
def test_every_kind_of_formula_makes_well_formed_latex(adcli, mode):
    tex = run(adcli, "trace", OPS, "--at", "x=1,y=2", "--mode", mode, "--format", "latex")
    tables = check(tex)
    assert r"\sqrt{v_{0}}" in tex and r"\operatorname{atan2}(v_{-1}, v_{0})" in tex and r"\arcsin" in tex
    md = run(adcli, "trace", OPS, "--at", "x=1,y=2", "--mode", mode, "--format", "markdown")
    assert [len(t) for t in markdown_tables(md)] == [len(t) for t in tables]


def test_markdown_trace_keeps_the_unicode_names(adcli):
    md = run(adcli, "trace", SEED, "--at", "x=3,y=2", "--mode", "reverse", "--format", "markdown")
    primal, adjoint = markdown_tables(md)
    assert primal[3][:4] == ["a", "v₁", "=", "v₋₁ + v₀"] and primal[5][3] == "v₁ × v₂"
    assert adjoint[6][1:4] == ["v̄₋₁", "=", "v̄₋₁ + v̄₁"]
    assert adjoint[-1][1:] == ["**ȳ**", "**=**", "**v̄₀**", "**-4**"]       # the results in bold


def test_trace_decimals_apply_to_exports(adcli):
    tex = run(adcli, "trace", "log(x1) + x1*x2 - sin(x2)", "--at", "x1=2,x2=5", "--decimals", "3",
              "--format", "latex")
    assert "$0.693$" in tex and "$-0.959$" in tex


def test_the_readme_latex_passes_the_checker():
    from test_readme import EXAMPLES
    blocks = [out for cmd, out in EXAMPLES if "--format latex" in cmd]
    assert blocks
    for out in blocks:
        primal, adjoint = check(out)
        assert len(primal[0]) == 5 and len(adjoint[0]) == 5


def test_jvp_and_vjp_exports(adcli):
    tex = run(adcli, "jvp", "x*y, x+y", "--at", "x=3,y=2", "--dir", "x=1,y=-1", "--format", "latex")
    [table] = check(tex)
    assert [tex_number(row[2]) for row in table[1:]] == [-1.0, 0.0]
    assert table[0][2] == r"$J\cdot \mathit{dir}$"
    md = run(adcli, "vjp", "x*y, x+y", "--at", "x=3,y=2", "--cotangent", "1,-1", "--format", "markdown")
    [table] = markdown_tables(md)
    assert table == [["", "uᵀ·J"], ["x", "1"], ["y", "2"]]
