"""The AD-vs-finite-differences checker: the step search, the roundoff bound, the scan for
jumps and corners, the three verdicts, and how each is written and exits."""
import csv
import io
import json
import math
import os

import pytest

import adcli
from adcli.engine import fdcheck
from adcli.engine.fdcheck import AGREE, CONFIDENT, RTOL, CheckRow, estimate, scan
from adcli.errors import ExitCode
from conftest import ROOT

U = 2.0 ** -53


def _at(text):
    return {k: float(v) for k, v in (kv.split("=") for kv in text.split(","))}


def check(expr, at):
    return adcli.compile(expr).check(_at(at))


# ---- the estimate --------------------------------------------------------------------

@pytest.mark.parametrize("f,x,d,sigma", [
    (math.sin, 1.0, math.cos(1.0), U),
    (math.exp, 10.0, math.exp(10.0), U * math.exp(10.0)),
    (lambda t: math.log(t) if t > 0 else math.nan, 0.01, 100.0, U * 5),  # long steps leave the domain
    (lambda t: t ** 3, 1e3, 3e6, U * 1e9),
    (math.atan, -3.0, 0.1, U),
    # the three: a first step of 0.1*max(1, |x|) fails each of them
    (math.sin, 1e8, math.cos(1e8), U),                                    # 1.6 million periods
    (lambda t: 1e8 + 0.001 * math.sin(t), 0.5, 0.001 * math.cos(0.5), U * 1e8),   # roundoff of 1e8
    (lambda t: 1.0 / t, 1e-8, -1e16, U * 1e8),                           # a pole at 0
])
def test_the_estimate_is_accurate_on_smooth_functions(f, x, d, sigma):
    est, err, noise, note = estimate(f, x, sigma)
    tol = RTOL * max(1.0, abs(d))
    assert abs(est - d) <= tol and err <= tol and note == ""
    assert abs(est - d) <= err + 1e-12 * abs(d)   # the error estimate is honest
    assert 0.0 <= noise <= err


def test_the_estimate_gives_up_where_nothing_is_finite():
    est, err, _, note = estimate(lambda t: math.nan, 1.0)
    assert math.isnan(est) and err == math.inf and "not finite on both sides" in note


def test_a_difference_flattened_by_roundoff_is_not_an_exact_zero():
    # Steps below ~1e-8 leave 1e8 + sin(x) unchanged: their difference is exactly 0, and
    # only the roundoff bound says it means nothing.
    est, err, noise, _ = estimate(lambda t: 1e8 + 1e-3 * math.sin(t), 0.5, U * 1e8)
    assert est != 0.0 and noise > 0.0
    est, err, noise, _ = estimate(lambda t: 1e12 + 1e-3 * math.sin(t), 0.5, U * 1e12)
    assert err > 1e-4   # nothing shorter or longer resolves 1e-3*cos(0.5) to 1e-6


def test_rounding_bound_sees_cancellation_inside_f():
    # (x + 1e8) - 1e8 is about 0.5, but carries the rounding of 1e8.
    p = adcli.parse("(x + 1e8) - 1e8")
    sigma, sizes = fdcheck.magnitudes(p, [0.5], p.outputs[0], [0])
    assert 1e8 * U <= sigma <= 4e8 * U
    assert sizes == [1.0]
    p = adcli.parse("sin(x)")
    sigma, _ = fdcheck.magnitudes(p, [1e8], p.outputs[0], [0])
    assert sigma <= 2 * U      # sin of an exact input: only its own rounding


# ---- jumps and corners ---------------------------------------------------------------------

def _sign(t):
    return (t > 0) - (t < 0)


@pytest.mark.parametrize("f,x,jump", [
    (_sign, 0.0, 2.0), (lambda t: (_sign(t) + 1) / 2, 0.0, 1.0), (lambda t: 3 * _sign(t - 1) + t, 1.0, 6.0),
    (lambda t: math.atan2(t, -1.0), 0.0, 2 * math.pi),
])
def test_scan_finds_jumps(f, x, jump):
    j, step, left, right, _, _ = scan(f, x, f(x), 0.0)
    assert abs(j - jump) < 1e-9 * jump and step > 0 and math.isnan(left)


@pytest.mark.parametrize("f,x,left,right", [
    (abs, 0.0, -1.0, 1.0), (lambda t: max(t, 0.0), 0.0, 0.0, 1.0), (lambda t: 1 + abs(t), 0.0, -1.0, 1.0),
    (lambda t: max(t, 2.0), 2.0, 0.0, 1.0), (lambda t: t - abs(t - 3), 3.0, 2.0, 0.0),
])
def test_scan_finds_corners(f, x, left, right):
    j, _, lft, rgt, _, _ = scan(f, x, f(x), U * abs(f(x)))
    assert j == 0.0 and abs(lft - left) < 1e-4 and abs(rgt - right) < 1e-4


@pytest.mark.parametrize("f,x", [
    (math.sin, 1.0), (math.cos, 0.0), (lambda t: t ** 3, 0.0), (lambda t: math.sqrt(t * t + 1e-30), 0.0),
    (lambda t: math.tanh(1e30 * t), 0.0),       # steep, but smooth at the steps x = 0 allows
    (lambda t: 1.0 / t if t else math.inf, 1e-8), (lambda t: t * t, 1e-300),
])
def test_scan_finds_nothing_on_smooth_functions(f, x):
    j, _, left, _, _, _ = scan(f, x, f(x), U * abs(f(x)))
    assert j == 0.0 and math.isnan(left)


# ---- the verdict's rules ----------------------------------------------------------------------

def test_verdict_rules():
    # agree: within RTOL*max(1, |AD|), and FD's own error within it too
    assert CheckRow("x", 2.000000002, 2.000000002, 2.0, 1e-12).verdict == "agree"
    assert CheckRow("x", 1e-9, 1e-9, 0.0, 1e-7).verdict == "agree"          # absolute below 1
    # disagree: off by more than the tolerance plus CONFIDENT errors
    row = CheckRow("x", 2.0002, 2.0002, 2.0, 1e-12)
    assert row.verdict == "disagree" and not row.ok and row.reason == "AD and finite differences disagree"
    assert CheckRow("x", 2.0002, 2.0002, 2.0, 1.7e-5).verdict == "disagree"
    # the same gap with an error estimate too large to be sure: cannot verify
    row = CheckRow("x", 2.0002, 2.0002, 2.0, 2.0e-5, fd_noise=1.5e-5)
    assert row.verdict == "unverifiable" and "roundoff in f" in row.reason
    row = CheckRow("x", 2.0, 2.0, 2.0, 1e-5)       # FD matches, but only to 1e-5: not a confirmation
    assert row.verdict == "unverifiable" and "do not settle" in row.reason
    # forward and reverse: 1e-12 relative to the larger of them and of the terms summed
    row = CheckRow("x", 1.0, 1.0 + 1e-9, 1.0, 0.0)
    assert row.verdict == "disagree" and "forward and reverse" in row.reason
    assert CheckRow("x", 4.887064427e-8, 4.887064425e-8, 4.887064427e-8, 1e-18, size=0.5).verdict == "agree"
    assert CheckRow("x", 4.887064427e-8, 4.887064425e-8, 4.887064427e-8, 1e-18).verdict == "disagree"
    # no estimate
    row = CheckRow("x", 1.0, 1.0, math.nan, math.inf, note="no finite difference: f is not finite")
    assert row.verdict == "unverifiable" and row.reason.startswith("no finite difference")
    # a jump AD cannot account for; a jump as steep as AD says
    row = CheckRow("x", 0.0, 0.0, math.nan, math.inf, jump=2.0, step=1e-60)
    assert row.verdict == "disagree" and "jumps by 2" in row.reason
    row = CheckRow("x", 1e30, 1e30, math.nan, math.inf, jump=2.0, step=1e-15)
    assert row.verdict == "unverifiable" and "too steep" in row.reason
    # a corner: AD's convention is neither slope
    row = CheckRow("x", 0.0, 0.0, 0.0, 1e-16, left=-1.0, right=1.0)
    assert row.verdict == "disagree" and "corner" in row.reason and "convention" in row.reason
    assert CheckRow("x", 0.0, 0.0, 0.0, 1e-16, left=-1e-9, right=1e-9).verdict == "agree"   # within tolerance
    # AD infinite: nothing to confirm it with, unless FD finds a finite slope for sure
    assert CheckRow("x", math.inf, math.inf, 7.0, 5.0).verdict == "unverifiable"
    assert CheckRow("x", math.nan, math.nan, 1.0, 1e-15).verdict == "disagree"


def test_overall_verdict():
    assert fdcheck.overall(["agree", "unverifiable", "disagree"]) == "disagree"
    assert fdcheck.overall(["agree", "unverifiable"]) == "unverifiable"
    assert fdcheck.overall(["agree", "agree"]) == "agree"
    assert fdcheck.overall([]) == "agree"


# ---- through the API ------------------------------------------------------------------------

def test_check_agrees_on_smooth_expressions():
    r = check("log(x1) + x1*x2 - sin(x2)", "x1=2,x2=5")
    assert r.ok and r.verdict == "agree"
    assert [row.var for row in r.rows] == ["x1", "x2"]
    assert r.rows[0].forward == 5.5 and r.rows[0].reverse == 5.5
    assert abs(r.rows[0].finite_difference - 5.5) < 1e-9
    for row in r.rows:
        assert row.rel_error < 1e-9 and row.abs_error < 1e-9 and row.verdict == "agree"


@pytest.mark.parametrize("expr,at", [
    ("sin(x)", "x=1e8"),                 # the first step 0.1*|x| spanned 1.6 million periods
    ("1e8 + 0.001*sin(x)", "x=0.5"),     # the steps shrank until 1e8 absorbed the change
    ("1/x", "x=1e-8"),                   # the first step crossed the pole
    ("(x + 1e8) - 1e8", "x=0.5"),        # cancellation inside f
    ("x^3", "x=0"), ("cos(x)", "x=0"), ("tanh(1e30*x)", "x=0"), ("exp(x)", "x=700"),
    ("sqrt(x)*y", "x=1e-4,y=3"), ("x + 0*y", "x=1,y=2"), ("relu(x)^2", "x=0"), ("abs(x)^1.5", "x=0"),
    ("sqrt(x^2 + 1e-30)", "x=0"), ("x^y", "x=2,y=3"),
])
def test_check_agrees_where_a_fixed_first_step_cried_wolf(expr, at):
    r = check(expr, at)
    assert r.verdict == "agree", [(row.var, row.reason) for row in r.rows]


# Deliberate discontinuities: (expression, point, variable, verdict, words of the reason).
DISCONTINUITIES = [
    ("sign(x)", "x=0", "x", "disagree", "jumps by 2"),
    ("(sign(x) + 1)/2", "x=0", "x", "disagree", "jumps by 1"),
    ("3*sign(x - 1) + x", "x=1", "x", "disagree", "jumps by 6"),
    ("atan2(y, x)", "x=-1,y=0", "y", "disagree", "jumps by 6.28"),      # across the branch cut
    ("atan2(y, x)", "x=-3,y=-0", "y", "disagree", "jumps by 6.28"),
    ("atan2(y, x)", "x=0,y=0", "y", "disagree", "jumps"),
    ("relu(x)", "x=0", "x", "disagree", "corner"),
    ("relu(x) + x", "x=0", "x", "disagree", "corner"),
    ("abs(x)", "x=0", "x", "disagree", "corner"),
    ("1 + abs(x)", "x=0", "x", "disagree", "corner"),
    ("x - abs(x - 3)", "x=3", "x", "disagree", "corner"),
    ("max(x, y)", "x=1,y=1", "x", "disagree", "corner"),
    ("min(x, 2)", "x=2", "x", "disagree", "corner"),
    ("hypot(x, y)", "x=0,y=0", "x", "disagree", "corner"),
    ("sqrt(x)", "x=0", "x", "unverifiable", "not finite on both sides"),
    ("log(x)", "x=0", "x", "unverifiable", "not finite at the point"),
    ("1/x", "x=0", "x", "unverifiable", "not finite at the point"),
    ("cbrt(x)", "x=0", "x", "unverifiable", "do not converge"),          # AD gives inf
    ("tanh(1e30*(x - 1))", "x=1", "x", "unverifiable", "too steep"),    # smooth below float64's resolution
    ("sqrt(x*(x - 2))", "x=2", "x", "disagree", "forward and reverse"),
    ("cbrt(x)^3", "x=0", "x", "disagree", "AD gives nan"),               # 3*cbrt(0)^2*inf = nan; f = x
]


@pytest.mark.parametrize("expr,at,var,verdict,words", DISCONTINUITIES)
def test_discontinuities_are_still_flagged(expr, at, var, verdict, words):
    r = check(expr, at)
    row = next(row for row in r.rows if row.var == var)
    assert (row.verdict, words in row.reason) == (verdict, True), row.reason
    assert not row.ok and not r.ok


def test_a_change_that_rounding_hides_cannot_be_verified():
    # x*x = 1.3e17 absorbs cos(2*y) entirely: in float64 f does not depend on y at all,
    # so the differences are 0, and still they do not refute AD's -1.65.
    r = check("hypot(1, x*x + cos(2*y))", "x=3.6e8,y=1.1e7")
    row = r.rows[1]
    assert (row.var, row.verdict, row.finite_difference, r.verdict) == ("y", "unverifiable", 0.0, "unverifiable")
    assert row.reason.startswith("f shows no change above its rounding at any step")


@pytest.mark.parametrize("expr", ["1e10 + 0.001*sin(x)", "1e12 + 0.001*sin(x)"])
def test_roundoff_that_swamps_the_change_cannot_be_verified(expr):
    # 1e10 rounds to 1e-6 and 1e12 to 1e-4; the change is 1e-3 at most
    r = check(expr, "x=0.5")
    assert r.verdict == "unverifiable" and not r.ok
    assert r.rows[0].reason.startswith("roundoff in f swamps the change")


def test_check_with_wrt_and_domain_edge():
    r = adcli.compile("sqrt(x)*y").check(x=1e-4, y=3, wrt="x")
    assert r.ok and len(r.rows) == 1
    assert abs(r.rows[0].forward - 150.0) < 1e-9


# ---- every format, and the exit codes ---------------------------------------------------------

def test_exit_codes_and_warnings(adcli):
    code, out, err = adcli("check", "sin(x)", "--at", "x=1e8")
    assert (code, err) == (0, "") and "ok: AD vs Ridders" in out
    code, out, err = adcli("check", "relu(x) + y", "--at", "x=0,y=1")
    assert code == ExitCode.EVAL == 1
    assert err == "adcli: warning: AD and finite differences disagree for x\n"
    code, out, err = adcli("check", "1e12 + 0.001*sin(x)", "--at", "x=0.5")
    assert code == ExitCode.UNVERIFIED == 3
    assert err == "adcli: warning: finite differences cannot verify the derivative for x (AD is not contradicted)\n"
    # a disagreement outweighs a row that cannot be verified
    code, _, err = adcli("check", "relu(x) + sqrt(y)", "--at", "x=0,y=0")
    assert code == 1 and "disagree for x" in err and "cannot verify" not in err


def test_json_carries_the_verdict_per_row_and_overall(adcli):
    code, out, _ = adcli("check", "relu(x) + sqrt(y)", "--at", "x=0,y=0", "--format", "json")
    rec = json.loads(out)
    assert (rec["ok"], rec["verdict"]) == (False, "disagree")
    assert [(r["var"], r["verdict"]) for r in rec["rows"]] == [("x", "disagree"), ("y", "unverifiable")]
    assert list(rec["rows"][0]) == ["var", "forward", "reverse", "finite_difference", "abs_error", "rel_error",
                                    "verdict", "reason"]
    assert "corner" in rec["rows"][0]["reason"] and "not finite on both sides" in rec["rows"][1]["reason"]
    code, out, _ = adcli("check", "sqrt(x)", "--at", "x=0", "--format", "json")
    rec = json.loads(out)
    assert code == 3 and (rec["ok"], rec["verdict"]) == (False, "unverifiable")
    assert rec["rows"][0]["finite_difference"] == "nan" and rec["rows"][0]["abs_error"] == "inf"
    code, out, _ = adcli("check", "x^y", "--at", "x=2,y=3", "--format", "json")
    rec = json.loads(out)
    assert code == 0 and rec["verdict"] == "agree" and {r["verdict"] for r in rec["rows"]} == {"agree"}


def test_csv_plain_and_table_say_cannot_verify_with_the_reason(adcli):
    argv = ("check", "x^2 + sqrt(y)", "--at", "x=3,y=0")
    code, out, _ = adcli(*argv, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 3 and out.startswith("var,forward,reverse,finite_difference,abs_error,rel_error,ok,verdict,"
                                        "reason\n")
    assert [(r["var"], r["ok"], r["verdict"]) for r in rows] == [("x", "true", "agree"), ("y", "false", "unverifiable")]
    assert rows[1]["reason"].startswith("no finite difference: f is not finite on both sides")
    code, out, _ = adcli(*argv, "--format", "plain")
    lines = out.splitlines()
    assert code == 3 and lines[0].endswith(" ok") and lines[-1] == "cannot verify"
    assert " cannot verify: no finite difference" in lines[1]
    code, out, _ = adcli(*argv)
    assert code == 3 and "cannot verify" in out
    assert "y: no finite difference" in out
    assert "cannot verify: AD vs Ridders-extrapolated central differences" in out
    code, out, _ = adcli("check", "abs(x)", "--at", "x=0", "--format", "plain")
    assert code == 1 and out.splitlines()[-1] == "MISMATCH" and " MISMATCH: f has a corner here" in out


# ---- batches ------------------------------------------------------------------------------------

def test_a_batch_line_that_cannot_be_verified_fails_without_blaming_ad(adcli):
    jobs = "x^2 @ x=3\n1e12 + 0.001*sin(x) @ x=0.5\nrelu(x) @ x=0\n"
    code, out, err = adcli("check", "--format", "json", stdin=jobs)
    recs = [json.loads(line) for line in out.splitlines()]
    assert code == 1
    assert [(r["ok"], r["verdict"]) for r in recs] == [(True, "agree"), (False, "unverifiable"), (False, "disagree")]
    assert "2 of 3 lines failed; the first: line 2: check error: cannot verify x (AD is not contradicted)" in err
    code, out, _ = adcli("check", "--format", "csv", stdin=jobs)
    errors = [r["error"] for r in csv.DictReader(io.StringIO(out))]
    assert errors[0] == "" and errors[2] == "check: AD and finite differences disagree for x"
    assert errors[1].startswith("check: cannot verify x (AD is not contradicted): roundoff in f")
    assert "disagree" not in errors[1]
    code, _, err = adcli("check", "--strict", "--format", "json", stdin=jobs)
    assert code == 1 and "(--strict): line 2: check error: cannot verify" in err


def test_points_rows_that_cannot_be_verified(adcli, tmp_path):
    p = tmp_path / "p.csv"
    p.write_text("x\n0.5\n0\n-1\n")
    code, out, err = adcli("check", "sqrt(x) + x^2", "--points", str(p), "--format", "csv")
    errors = [r["error"] for r in csv.DictReader(io.StringIO(out))]
    assert code == 1 and errors[0] == ""
    assert errors[1].startswith("check: cannot verify x (AD is not contradicted): no finite difference")
    assert errors[2].startswith("check: cannot verify x (AD is not contradicted): f is not finite at the point")
    code, out, _ = adcli("check", "sqrt(x) + x^2", "--points", str(p), "--format", "json")
    assert [json.loads(line)["verdict"] for line in out.splitlines()] == ["agree", "unverifiable", "unverifiable"]


# ---- the documentation says what the code does ------------------------------------------------------

def test_help_states_the_numbers_the_verdict_uses(adcli):
    out = " ".join(adcli("check", "--help").out.split())

    def sci(v):   # 1e-6, as the help writes it
        mantissa, exponent = f"{v:e}".split("e")
        return f"{float(mantissa):g}e{int(exponent)}"
    assert f"|AD - FD| <= {sci(RTOL)} * max(1, |AD|)" in out and f"Why {sci(RTOL)}:" in out
    assert f"differ by more than {sci(AGREE)} (relative to the terms they add up)" in out
    assert f"by more than the tolerance plus {CONFIDENT:g} times its own error estimate" in out
    assert "Exit 0." in out and "Exit 1." in out and "Exit 3." in out
    assert "3 cannot verify" in out
    assert "3 check cannot verify" in " ".join(adcli("--help").out.split())


def test_readme_documents_exit_code_3():
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as fh:
        text = fh.read()
    assert f"| {int(ExitCode.UNVERIFIED)} | `check` cannot verify" in text
