"""fit, minimize and solve through the command line: every format, the exit codes, the
errors, job files and --points, the live table on a real terminal, Ctrl-C, and scipy
kept off every other command's start-up."""
import json
import math
import os
import pathlib
import signal
import subprocess
import sys
import time

import pytest

from conftest import ROOT, jsonl, strict_json, subprocess_env

pytest.importorskip("scipy")

MISRA = str(pathlib.Path(ROOT) / "tests" / "data" / "nist" / "misra1a.csv")
MODEL = "y = b1*(1 - exp(-b2*x))"
ROSEN = "100*(y - x^2)^2 + (1 - x)^2"


def test_fit_json_has_the_issues_shape(adcli):
    r = adcli("fit", MODEL, "--data", MISRA, "--at", "b1=500,b2=1e-4", "--format", "json")
    assert r.code == 0 and r.err == ""
    got = strict_json(r.out)
    assert list(got) == ["model", "params", "stderr", "rss", "rsd", "dof", "n", "iterations", "converged", "message"]
    assert got["model"] == MODEL and got["n"] == 14 and got["dof"] == 12 and got["converged"] is True
    assert got["rsd"] == pytest.approx(math.sqrt(got["rss"] / 12), rel=1e-15)


def test_fit_explain_adds_the_correlation_matrix(adcli):
    r = adcli("fit", MODEL, "--data", MISRA, "--at", "b1=500,b2=1e-4", "--format", "json", "--explain")
    corr = strict_json(r.out)["correlation"]
    assert corr[0][0] == corr[1][1] == 1.0 and corr[0][1] == corr[1][0]
    assert -1 < corr[0][1] < -0.99       # b1 and b2 of Misra1a trade off strongly
    r = adcli("fit", MODEL, "--data", MISRA, "--at", "b1=500,b2=1e-4", "--explain")
    assert "correlation" in r.out and "-0.9988" in r.out


def test_fit_table_plain_csv(adcli):
    r = adcli("fit", MODEL, "--data", MISRA, "--at", "b1=500,b2=1e-4")
    assert r.code == 0
    assert "fitted to 14 observations" in r.out and "std. error" in r.out and "12 degrees of freedom" in r.out
    plain = adcli("fit", MODEL, "--data", MISRA, "--at", "b1=500,b2=1e-4", "--format", "plain").out.splitlines()
    b1 = plain[0].split()
    assert b1[0] == "b1" and float(b1[1]) == pytest.approx(238.94212918, rel=1e-9)
    assert "converged true" in plain
    rows = adcli("fit", MODEL, "--data", MISRA, "--at", "b1=500,b2=1e-4", "--format", "csv").out.splitlines()
    assert rows[0] == "parameter,estimate,stderr" and rows[1].startswith("b1,238.942129")
    assert "dof,12," in rows


def test_fit_plot_draws_data_and_curve(adcli):
    r = adcli("fit", MODEL, "--data", MISRA, "--at", "b1=500,b2=1e-4", "--plot", env={"COLUMNS": "80"})
    assert r.code == 0
    drawing = r.out.split(" iterations\n", 1)[1]
    assert drawing.count("•") >= 12 and "·" in drawing and "fitted model" in drawing


def test_weights_scale_the_residuals_not_the_estimates(adcli, tmp_path):
    """Equal weights w multiply the RSS by w and leave the estimates and their standard
    errors unchanged (s^2 and (J^T J)^-1 scale by w and 1/w)."""
    lines = pathlib.Path(MISRA).read_text().splitlines()
    data = tmp_path / "w.csv"
    data.write_text("y,x,w\n" + "".join(f"{line},4\n" for line in lines[1:]))
    plain = strict_json(adcli("fit", MODEL, "--data", MISRA, "--at", "b1=500,b2=1e-4", "--format", "json").out)
    weighted = strict_json(adcli("fit", MODEL, "--data", str(data), "--at", "b1=500,b2=1e-4", "--weights", "w",
                                 "--format", "json").out)
    assert weighted["rss"] == pytest.approx(4 * plain["rss"], rel=1e-9)
    for b in ("b1", "b2"):
        assert weighted["params"][b] == pytest.approx(plain["params"][b], rel=1e-9)
        assert weighted["stderr"][b] == pytest.approx(plain["stderr"][b], rel=1e-7)


def test_a_response_that_is_an_expression_of_columns(adcli, tmp_path):
    # log(y) = a - k*t on exact data: the fit recovers a and k to rounding
    data = tmp_path / "decay.csv"
    data.write_text("t,y\n" + "".join(f"{t},{math.exp(1.5 - 0.25 * t)!r}\n" for t in range(10)))
    got = strict_json(adcli("fit", "log(y) = a - k*t", "--data", str(data), "--at", "a=1,k=1", "--format",
                            "json").out)
    assert got["params"]["a"] == pytest.approx(1.5, rel=1e-12) and got["params"]["k"] == pytest.approx(0.25, rel=1e-12)


@pytest.mark.parametrize("argv,code,words", [
    (["fit", MODEL, "--data", MISRA, "--at", "b1=500"], 2, "no starting value for the parameter b2"),
    (["fit", MODEL, "--at", "b1=500,b2=1"], 2, "--data FILE"),
    (["fit", "b1*(1 - exp(-b2*x))", "--data", MISRA, "--at", "b1=1,b2=1"], 2, "needs '='"),
    (["fit", MODEL, "--data", MISRA, "--at", "b1=1,b2=1", "--weights", "nope"], 2, "not a column"),
    (["fit", MODEL, "--data", "/nonexistent.csv", "--at", "b1=1,b2=1"], 2, "cannot read"),
    (["fit", "y = x*x", "--data", MISRA], 2, "no parameters"),
])
def test_fit_errors(adcli, argv, code, words):
    r = adcli(*argv)
    assert r.code == code and words in r.err and r.out == ""


def test_fit_parse_error_points_into_the_model_as_typed(adcli):
    r = adcli("fit", "y = 2b1*x", "--data", MISRA, "--at", "b1=1")
    assert r.code == 2
    lines = r.err.splitlines()
    assert lines[1] == "  y = 2b1*x" and lines[2].index("^") == lines[1].index("b1")


def test_fit_bad_cell_names_line_and_column(adcli, tmp_path):
    data = tmp_path / "bad.csv"
    data.write_text("y,x\n1,2\n3,oops\n")
    r = adcli("fit", "y = a*x", "--data", str(data), "--at", "a=1")
    assert r.code == 2 and "line 3, column x: 'oops' is not a number" in r.err


def test_minimize_json_and_formats(adcli):
    r = adcli("minimize", ROSEN, "--at", "x=-1.2,y=1", "--format", "json")
    assert r.code == 0
    got = strict_json(r.out)
    assert list(got)[:3] == ["expr", "at", "x"]
    assert {"value", "iterations", "converged", "message"} <= set(got)
    assert got["x"] == {"y": 1.0, "x": 1.0} and got["value"] == 0.0 and got["converged"] is True
    assert got["at"] == {"y": 1.0, "x": -1.2}
    plain = adcli("minimize", ROSEN, "--at", "x=-1.2,y=1", "--format", "plain").out.splitlines()
    assert plain[:3] == ["y 1", "x 1", "value 0"]
    csv_rows = adcli("minimize", ROSEN, "--at", "x=-1.2,y=1", "--format", "csv").out.splitlines()
    assert csv_rows[:3] == ["variable,value", "y,1", "x,1"]
    table = adcli("minimize", ROSEN, "--at", "x=-1.2,y=1").out
    assert "minimum from y = 1, x = -1.2" in table and "converged" in table


def test_minimize_bounds_and_methods(adcli):
    r = adcli("minimize", "(x - 3)^2 + y^2", "--at", "x=0,y=1", "--bounds", "x=0:2", "--format", "json")
    got = strict_json(r.out)
    assert r.code == 0 and got["x"]["x"] == 2.0 and abs(got["x"]["y"]) < 1e-8
    for method in ("newton", "bfgs"):
        got = strict_json(adcli("minimize", ROSEN, "--at", "x=-1.2,y=1", "--method", method, "--format", "json").out)
        assert got["method"].startswith(method) and abs(got["x"]["x"] - 1) < 1e-6
    r = adcli("minimize", "x^2", "--at", "x=1", "--bounds", "x=2:1")
    assert r.code == 2 and "lower bound" in r.err
    r = adcli("minimize", "x^2", "--at", "x=1", "--bounds", "z=0:1")
    assert r.code == 2 and "'z'" in r.err


def test_no_minimum_is_exit_1_with_the_best_point(adcli):
    r = adcli("minimize", "x*y", "--at", "x=1,y=2", "--format", "json")
    assert r.code == 1
    got = strict_json(r.out)
    assert got["converged"] is False and "without bound" in got["message"] and got["value"] < -1e150
    assert "did not converge" in r.err


def test_solve(adcli):
    got = strict_json(adcli("solve", "x^2 - 2", "--at", "x=1", "--format", "json").out)
    assert got["x"]["x"] == pytest.approx(math.sqrt(2), rel=1e-15) and got["residual"] <= 1e-15
    assert got["converged"] is True and list(got)[:3] == ["expr", "at", "x"]
    got = strict_json(adcli("solve", "x^2 + y^2 - 4, x*y - 1", "--at", "x=2,y=0.5", "--format", "json").out)
    x, y = got["x"]["x"], got["x"]["y"]
    assert abs(x * x + y * y - 4) < 1e-12 and abs(x * y - 1) < 1e-12


def test_solve_without_a_root_is_exit_1_with_the_best_point(adcli):
    r = adcli("solve", "x^2 + 1", "--at", "x=1", "--format", "plain")
    assert r.code == 1
    assert r.out.startswith("x ") and abs(float(r.out.split()[1])) < 1e-6
    assert "converged false" in r.out and "not a root" in r.err


def test_solve_needs_a_square_system(adcli):
    r = adcli("solve", "x + y", "--at", "x=1,y=1")
    assert r.code == 2 and "1 equation, 2 unknowns" in r.err


def test_job_files_and_points(adcli, tmp_path):
    jobs = "x^2 - 2 @ x=1\nx^2 + 1 @ x=1\nx - y @ x=1\n"
    r = adcli("solve", "-f", "-", "--format", "json", stdin=jobs)
    recs = jsonl(r.out)
    assert r.code == 1
    assert recs[0]["converged"] is True and recs[0]["x"]["x"] == pytest.approx(math.sqrt(2))
    assert recs[1]["converged"] is False and recs[1]["line"] == 2
    assert recs[2]["error"]["type"] == "usage"
    assert "convergence error" in r.err
    starts = tmp_path / "starts.csv"
    starts.write_text("id,x,y\na,-1.2,1\nb,2,2\n")
    r = adcli("minimize", ROSEN, "--points", str(starts), "--format", "csv")
    rows = r.out.splitlines()
    assert r.code == 0 and rows[0] == "id,x,y,argmin[y],argmin[x],value,iterations,error"
    assert rows[1].startswith("a,-1.2,1,1,1,0,") and rows[2].startswith("b,2,2,")


def test_help_lists_the_commands(adcli):
    out = adcli("--help").out
    assert "fit" in out and "minimize" in out and "solve" in out
    assert "Exit codes: 0 converged" in adcli("fit", "--help").out


# ---- real processes: scipy missing, start-up, the live table, Ctrl-C ----------------------------

_NO_SCIPY = """
import sys
sys.modules["scipy"] = None        # import scipy now raises ImportError, as when it is missing
from adcli.cli import main
sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.parametrize("argv", [["solve", "x^2 - 2", "--at", "x=1"], ["minimize", "x^2", "--at", "x=1"],
                                  ["fit", MODEL, "--data", MISRA, "--at", "b1=1,b2=1"]])
def test_without_scipy_one_clear_error_naming_the_extra(argv):
    p = subprocess.run([sys.executable, "-c", _NO_SCIPY, *argv], cwd=ROOT, env=subprocess_env(),
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 2 and p.stdout == ""
    assert "needs scipy" in p.stderr and 'pip install "adcli[solve]"' in p.stderr
    assert "Traceback" not in p.stderr


def _on_a_terminal(argv, interrupt_after=None):
    """Run adcli with stderr on a real pseudo-terminal (stdout a pipe): (code, out, what the
    terminal showed). With interrupt_after, SIGINT once that text has appeared."""
    import pty
    master, slave = pty.openpty()
    p = subprocess.Popen([sys.executable, "-m", "adcli", *argv], cwd=ROOT, env=subprocess_env(),
                         stdout=subprocess.PIPE, stderr=slave, stdin=subprocess.DEVNULL)
    os.close(slave)
    seen, sent = b"", False
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        try:
            chunk = os.read(master, 4096)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
        if interrupt_after and not sent and interrupt_after.encode() in seen:
            p.send_signal(signal.SIGINT)
            sent = True
    out = p.stdout.read().decode()
    code = p.wait(timeout=60)
    os.close(master)
    return code, out, seen.decode(errors="replace").replace("\r\n", "\n")


def test_live_iterations_on_a_terminal_only():
    code, out, term = _on_a_terminal(["minimize", ROSEN, "--at", "x=-1.2,y=1", "--format", "json"])
    assert code == 0 and json.loads(out)["converged"] is True
    lines = term.splitlines()
    assert lines[0].split() == ["k", "f", "max", "|gradient|"]
    assert [int(line.split()[0]) for line in lines[1:4]] == [1, 2, 3]
    code, out, term = _on_a_terminal(["minimize", ROSEN, "--at", "x=-1.2,y=1", "--format", "json", "--quiet"])
    assert code == 0 and term == ""
    # piped stderr: no table
    p = subprocess.run([sys.executable, "-m", "adcli", "minimize", ROSEN, "--at", "x=-1.2,y=1"], cwd=ROOT,
                       env=subprocess_env(), capture_output=True, text=True, timeout=120)
    assert p.returncode == 0 and p.stderr == ""


@pytest.mark.slow
def test_ctrl_c_prints_the_best_point_so_far(tmp_path):
    n = 400   # long enough to be interrupted
    expr = tmp_path / "rosen.adc"
    expr.write_text(" + ".join(f"100*(x{i + 1} - x{i}^2)^2 + (1 - x{i})^2" for i in range(1, n)))
    at = ",".join(f"x{i}={-1.2 if i % 2 else 1}" for i in range(1, n + 1))
    code, out, term = _on_a_terminal(["minimize", f"@{expr}", "--at", at, "--format", "json"],
                                     interrupt_after="\n      5 ")
    assert code == 130
    got = json.loads(out)
    assert got["converged"] is False and got["message"].startswith("interrupted")
    assert len(got["x"]) == n and got["iterations"] >= 5
    xs = [-1.2 if i % 2 else 1.0 for i in range(1, n + 1)]
    start = sum(100 * (xs[i + 1] - xs[i] ** 2) ** 2 + (1 - xs[i]) ** 2 for i in range(n - 1))
    assert got["value"] < start
    assert "adcli: interrupted" in term


VROSEN = "sum(i = 1:len(x)-1, 100*(x[i+1] - x[i]^2)^2 + (1 - x[i])^2)"


def _start(n):
    return [-1.2 if i % 2 == 0 else 1.0 for i in range(n)]


def test_minimize_a_vector_expression_in_every_format(adcli, tmp_path):
    # from 0 (from -1.2, 1, ... six variables go to the local minimum near x[1] = -1)
    at = "x=[0,0,0,0,0,0]"
    r = adcli("minimize", VROSEN, "--at", at, "--format", "json")
    assert r.code == 0, r.err
    rec = strict_json(r.out)
    assert rec["at"] == {"x": [0.0] * 6}
    assert list(rec["x"]) == ["x"] and rec["x"]["x"] == pytest.approx([1.0] * 6, abs=1e-7)
    assert rec["method"] == "newton" and rec["converged"] is True
    csv = adcli("minimize", VROSEN, "--at", at, "--format", "csv").out.splitlines()
    assert [row.split(",")[0] for row in csv[1:7]] == [f"x[{k}]" for k in range(1, 7)]
    plain = adcli("minimize", VROSEN, "--at", at, "--format", "plain").out.splitlines()
    assert plain[0].startswith("x[1] ") and plain[5].startswith("x[6] ")
    table = adcli("minimize", VROSEN, "--at", at, "--format", "table")
    assert table.code == 0 and "x[6]" in table.out and "[0, 0, 0, 0, … (6 elements)]" in table.out


def test_minimize_a_vector_read_from_a_file_takes_the_gradient_by_levels(adcli, tmp_path):
    # 150 elements: 1,343 nodes, above LEVELS_MIN
    path = tmp_path / "start.txt"
    path.write_text("\n".join(str(v) for v in _start(150)) + "\n")
    r = adcli("minimize", VROSEN, "--at", f"x=@{path}", "--method", "bfgs", "--format", "json")
    assert r.code == 0, r.err
    rec = strict_json(r.out)
    assert rec["x"]["x"] == pytest.approx([1.0] * 150, abs=1e-6)


def test_newton_beyond_200_variables_uses_hessian_vector_products(adcli, tmp_path):
    path = tmp_path / "start.txt"
    path.write_text("\n".join(str(v) for v in [0.5] * 250) + "\n")
    expr = "sum(i = 1:len(x), (x[i] - i/100)^2 + x[i]^4) + sum(i = 1:len(x)-1, (x[i+1] - x[i])^2)"
    r = adcli("minimize", expr, "--at", f"x=@{path}", "--method", "newton", "--format", "json")
    assert r.code == 0, r.err
    rec = strict_json(r.out)
    # trust-ncg ends where f's rounding hides its model's decrease; L-BFGS-B finishes
    assert rec["method"].startswith("newton") and rec["converged"] is True
    # the same problem by L-BFGS-B lands at the same minimum (it is strictly convex)
    other = strict_json(adcli("minimize", expr, "--at", f"x=@{path}", "--method", "bfgs", "--format", "json").out)
    assert rec["x"]["x"] == pytest.approx(other["x"]["x"], abs=1e-6)


def test_bounds_on_a_vector_and_on_one_element(adcli):
    at = "x=[-1.2,1,-1.2,1]"
    rec = strict_json(adcli("minimize", VROSEN, "--at", at, "--bounds", "x=-2:0.5,x[4]=0:2", "--format", "json").out)
    x = rec["x"]["x"]
    assert all(-2 <= v <= 0.5 for v in x[:3]) and 0 <= x[3] <= 2
    assert max(x[:3]) == pytest.approx(0.5, abs=1e-9)   # the bound is active: 1 is out of reach
    assert x[3] > 0.5 or x[3] == pytest.approx(x[2] ** 2, abs=1e-4)
    bad = adcli("minimize", VROSEN, "--at", at, "--bounds", "z=0:1")
    assert bad.code == 2 and "'z'" in bad.err


def test_a_vector_without_a_start_is_a_usage_error(adcli):
    r = adcli("minimize", VROSEN)
    assert r.code == 2 and "no starting value for the vector x" in r.err and "Traceback" not in r.err


def test_solve_with_a_vector_unknown(adcli):
    expr = "x[1]^2 - 2, x[1]*x[2] - 1, x[3] - x[1]"
    r = adcli("solve", expr, "--at", "x=[1,1,1]", "--format", "json")
    assert r.code == 0, r.err
    rec = strict_json(r.out)
    assert rec["x"]["x"] == pytest.approx([2 ** 0.5, 2 ** -0.5, 2 ** 0.5], abs=1e-10)


@pytest.mark.slow
def test_rosenbrock_in_1000_variables_is_one_command(adcli, tmp_path):
    path = tmp_path / "start.txt"
    path.write_text("\n".join(str(v) for v in _start(1000)) + "\n")
    r = adcli("minimize", VROSEN, "--at", f"x=@{path}", "--format", "json")
    assert r.code == 0, r.err
    rec = strict_json(r.out)
    assert rec["method"] == "l-bfgs-b" and rec["x"]["x"] == pytest.approx([1.0] * 1000, abs=1e-6)


def test_job_files_with_vector_starts(adcli):
    jobs = f"{VROSEN} @ x=[0,0,0]\n(y-1)^2 @ y=3\n"
    r = adcli("minimize", "-f", "-", "--format", "json", stdin=jobs)
    assert r.code == 0, r.err
    first, second = jsonl(r.out)
    assert first["x"]["x"] == pytest.approx([1.0] * 3, abs=1e-8) and second["x"]["y"] == pytest.approx(1.0)
    s = adcli("solve", "-f", "-", "--format", "json", stdin="x[1]^2 - 2, x[2] - x[1] @ x=[1,1]\n")
    assert s.code == 0, s.err
    assert jsonl(s.out)[0]["x"]["x"] == pytest.approx([2 ** 0.5] * 2, abs=1e-12)
