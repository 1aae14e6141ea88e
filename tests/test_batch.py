"""Batch mode: job files (-f FILE, -f -, piped stdin) and --points CSV, every format,
error records with exact line numbers, exit codes, --strict, streaming, and the
vectorized results against a loop of one-point results."""
import csv
import io
import json
import math
import subprocess
import sys

import pytest

from conftest import ROOT, jsonl, probe, subprocess_env

JOBS = """\
(x+y)*(x-y) @ x=3, y=2
# a comment, then a blank line

log(x1) + x1*x2 - sin(x2) @ x1=2, x2=5
sinn(x) @ x=1
x*y @ x=2
atan2(x) @ x=1
2x @ x=1
x^2 @ x=pi/4
log(x) @ x=-1
x^2 @ x=
"""


def one(expr, **point):
    import adcli
    return adcli.grad(expr, **point)


# -- job files: routes ---------------------------------------------------------------------

@pytest.mark.parametrize("route", ["file", "dash", "pipe"])
def test_job_routes_give_the_same_json_lines(adcli, tmp_path, route):
    path = tmp_path / "jobs.txt"
    path.write_text(JOBS)
    if route == "file":
        r = adcli("grad", "-f", str(path), "--format", "json")
    elif route == "dash":
        r = adcli("grad", "-f", "-", "--format", "json", stdin=JOBS)
    else:
        r = adcli("grad", "--format", "json", stdin=JOBS)
    recs = jsonl(r.out)
    assert r.code == 1
    assert [rec["line"] for rec in recs] == [1, 4, 5, 6, 7, 8, 9, 10, 11]
    assert recs[0] == {"line": 1, "expr": "(x+y)*(x-y)", "at": {"x": 3.0, "y": 2.0}, "value": 5.0,
                       "gradient": {"x": 6.0, "y": -4.0}}
    assert recs[1]["value"] == pytest.approx(11.652071455223084, rel=1e-12)
    assert recs[1]["gradient"]["x2"] == pytest.approx(1.7163378145367738, rel=1e-12)
    errors = {rec["line"]: rec["error"] for rec in recs if "error" in rec}
    assert {k: e["type"] for k, e in errors.items()} == {5: "name", 6: "value", 7: "arity", 8: "parse",
                                                         11: "point"}
    assert recs[2]["input"] == "sinn(x) @ x=1"
    assert "unknown function 'sinn'" in errors[5]["message"] and errors[5]["column"] == 1
    assert errors[6]["message"].startswith("no value for variable y")
    assert errors[8]["column"] == 2          # the 'x' of "2x"
    assert errors[11]["column"] == 9         # just after 'x=' in "x^2 @ x="
    assert recs[6]["at"] == {"x": math.pi / 4}
    # A domain problem is not a failure: nan (here from log) with a warning naming it.
    assert recs[7]["value"] == "nan" and "error" not in recs[7]
    assert "adcli: warning: line 10: log(-1) = nan" in r.err
    assert "adcli: error: 5 of 9 lines failed; the first: line 5" in r.err


def test_eval_job_file_and_exit_0(adcli):
    r = adcli("eval", "--format", "json", stdin="x^2, 2^x @ x=3\n1 + 2\n")
    assert r.code == 0 and r.err == ""
    assert jsonl(r.out) == [{"line": 1, "expr": "x^2, 2^x", "at": {"x": 3.0}, "value": [9.0, 8.0]},
                            {"line": 2, "expr": "1 + 2", "at": {}, "value": 3.0}]


def test_empty_stdin_without_expr_is_a_usage_error(adcli):
    r = adcli("grad", "--at", "x=1", stdin="")
    assert r.code == 2 and r.out == "" and "missing EXPR" in r.err


def test_expr_and_job_file_together_is_a_usage_error(adcli, tmp_path):
    r = adcli("grad", "x", "-f", str(tmp_path / "nope.txt"))
    assert r.code == 2 and "not both" in r.err
    r = adcli("grad", "-f", str(tmp_path / "nope.txt"))
    assert r.code == 2 and "cannot read" in r.err


def test_at_gives_defaults_for_every_line(adcli):
    r = adcli("eval", "--at", "y=10", "--format", "json", stdin="x*y @ x=2\nx*y @ x=3, y=1\n")
    assert [rec["value"] for rec in jsonl(r.out)] == [20.0, 3.0]


# -- job files: formats --------------------------------------------------------------------

def test_job_csv(adcli):
    r = adcli("grad", "--format", "csv", stdin="(x+y)*(x-y) @ x=3,y=2\nsinn(x) @ x=1\nx/3 @ x=1\n")
    assert r.code == 1
    rows = list(csv.reader(io.StringIO(r.out)))
    assert rows == [["line", "expr", "at", "value", "gradient", "error"],
                    ["1", "(x+y)*(x-y)", "x=3;y=2", "5", "x=6;y=-4", ""],
                    ["2", "sinn(x) @ x=1", "", "", "", "name: unknown function 'sinn' (did you mean sin()?)"],
                    ["3", "x/3", "x=1", "0.3333333333333333", "x=0.3333333333333333", ""]]


def test_job_table_and_plain(adcli):
    r = adcli("grad", stdin="(x+y)*(x-y) @ x=3,y=2\nsinn(x) @ x=1\n")
    assert r.code == 1
    lines = r.out.splitlines()
    assert lines[0].split() == ["line", "expression", "at", "value", "gradient"]
    assert lines[2].split() == ["1", "(x+y)*(x-y)", "x", "=", "3", "5", "x", "=", "6"]
    assert lines[3].split() == ["y", "=", "2", "y", "=", "-4"]
    assert lines[4].split() == ["2", "sinn(x)", "@", "x=1"]
    assert "name error: unknown function 'sinn'" in " ".join(r.out.split())
    r = adcli("grad", "--format", "plain", stdin="(x+y)*(x-y) @ x=3,y=2\nsinn(x) @ x=1\n")
    assert r.out.splitlines() == ["1\t(x+y)*(x-y)\tx=3, y=2\t5\tx=6, y=-4",
                                  "2\terror\tname: unknown function 'sinn' (did you mean sin()?)"]


def test_markup_and_control_characters_in_job_lines_are_shown_literally(adcli):
    r = adcli("grad", stdin="[bold]x\x1b[2J @ x=1\n")
    assert r.code == 1 and "\x1b" not in r.out and "\x1b" not in r.err
    assert "[bold]x\\x1b[2J" in r.out


# -- grouping and order --------------------------------------------------------------------

def test_order_is_kept_when_lines_are_grouped(adcli):
    exprs = ["x*sin(y)", "exp(x) - y^3", "x*sin(y)"]
    lines, want = [], []
    for i in range(60):  # well above the group size that takes the vectorized path
        e = exprs[i % 3] if i % 7 else "hypot(x, y)"
        x, y = 0.1 * i - 2.5, 0.05 * i + 0.3
        lines.append(f"{e} @ x={x!r}, y={y!r}")
        want.append(one(e, x=x, y=y))
    r = adcli("grad", "--format", "json", stdin="\n".join(lines) + "\n")
    assert r.code == 0
    recs = jsonl(r.out)
    assert [rec["line"] for rec in recs] == list(range(1, 61))
    for rec, w, text in zip(recs, want, lines):
        assert rec["expr"] == text.split(" @ ")[0]
        assert rec["value"] == pytest.approx(w.value[0], rel=1e-15, abs=1e-300)
        for v in ("x", "y"):
            assert rec["gradient"][v] == pytest.approx(w.gradient[v], rel=1e-15, abs=1e-300)


def test_group_with_a_missing_variable_on_some_lines(adcli):
    text = "".join(f"x*y @ x={i}, y=2\n" for i in range(10)) + "x*y @ x=1\n"
    r = adcli("eval", "--format", "json", stdin=text)
    recs = jsonl(r.out)
    assert r.code == 1 and [rec.get("value") for rec in recs[:10]] == [2.0 * i for i in range(10)]
    assert recs[10]["line"] == 11 and recs[10]["error"]["type"] == "value"


def test_grad_of_several_outputs_fails_per_line(adcli):
    r = adcli("grad", "--format", "json", stdin="x, y @ x=1, y=2\nx @ x=1\n")
    recs = jsonl(r.out)
    assert r.code == 1 and recs[0]["error"]["type"] == "usage" and recs[1]["gradient"] == {"x": 1.0}


def test_wrt_and_mode_apply_to_every_line(adcli):
    text = "".join(f"x^y @ x={1 + i}, y=3\n" for i in range(12))
    for mode in ("forward", "reverse"):
        r = adcli("grad", "--wrt", "y", "--mode", mode, "--format", "json", stdin=text)
        recs = jsonl(r.out)
        assert r.code == 0 and all(list(rec["gradient"]) == ["y"] for rec in recs)
        for i, rec in enumerate(recs):
            x = 1.0 + i
            assert rec["gradient"]["y"] == pytest.approx(x ** 3 * math.log(x), rel=1e-14, abs=1e-300)


def test_strict_stops_at_the_first_failure(adcli):
    r = adcli("grad", "--strict", "--format", "json", stdin="x @ x=1\nsinn(x) @ x=1\nx @ x=2\n")
    recs = jsonl(r.out)
    assert r.code == 1 and [rec["line"] for rec in recs] == [1, 2]
    assert "stopped at the first failure" in r.err


def test_strict_needs_a_batch(adcli):
    r = adcli("grad", "x", "--at", "x=1", "--strict")
    assert r.code == 2 and "--strict" in r.err


def test_many_nan_lines_warn_a_few_times_then_count(adcli):
    text = "".join(f"log(x) @ x={-1 - i}\n" for i in range(30))
    r = adcli("eval", "--format", "json", stdin=text)
    assert r.code == 0 and all(rec["value"] == "nan" for rec in jsonl(r.out))
    assert r.err.count("adcli: warning: line") == 10
    assert "20 more lines gave nan or inf" in r.err


# -- --points ------------------------------------------------------------------------------

POINTS = "id,x,y\na,1,2\nb,3,4\nc,abc,1\nd,1\n\ne,0,-1\nf,2,\n"


def test_points_csv_carries_columns_and_reports_bad_rows(adcli, tmp_path):
    path = tmp_path / "p.csv"
    path.write_text(POINTS)
    r = adcli("grad", "log(x)*y", "--points", str(path), "--format", "csv")
    assert r.code == 1
    rows = list(csv.reader(io.StringIO(r.out)))
    assert rows[0] == ["id", "x", "y", "value", "d/dx", "d/dy", "error"]
    assert rows[1] == ["a", "1", "2", "0", "2", "0", ""]
    assert rows[2][:3] == ["b", "3", "4"] and float(rows[2][3]) == math.log(3) * 4
    assert rows[3] == ["c", "abc", "1", "", "", "", "row: column x: 'abc' is not a number"]
    assert rows[4] == ["d", "1", "", "", "", "", "row: expected 3 cells (id,x,y), got 2"]
    assert rows[5] == ["e", "0", "-1", "inf", "-inf", "-inf", ""]     # log(0): a warning, not a failure
    assert rows[6] == ["f", "2", "", "", "", "", "row: column y: empty"]
    assert len(rows) == 7                                             # the blank line gives no row
    assert "line 7: log(0) = -inf" in r.err
    assert "3 of 6 rows failed; the first: line 4" in r.err


def test_points_from_stdin_as_json(adcli):
    r = adcli("grad", "log(x)*y", "--points", "-", "--format", "json", stdin=POINTS)
    recs = jsonl(r.out)
    assert [rec["line"] for rec in recs] == [2, 3, 4, 5, 7, 8]
    assert recs[0] == {"line": 2, "expr": "log(x)*y", "at": {"x": 1.0, "y": 2.0}, "value": 0.0,
                       "gradient": {"x": 2.0, "y": 0.0}, "columns": {"id": "a"}}
    assert recs[2] == {"line": 4, "input": "c,abc,1",
                       "error": {"type": "row", "message": "column x: 'abc' is not a number"}}
    assert recs[4]["value"] == "inf"


def test_points_table_and_plain(adcli):
    r = adcli("eval", "x*y", "--points", "-", stdin="x,y\n1,2\n3,4\n")
    assert r.code == 0
    assert [line.split() for line in r.out.splitlines() if line.strip()] == [
        ["line", "x", "y", "value"], ["━" * len(r.out.splitlines()[1].strip())], ["2", "1", "2", "2"],
        ["3", "3", "4", "12"]]
    r = adcli("eval", "x*y", "--points", "-", "--format", "plain", stdin="x,y\n1,2\n3,4\n")
    assert r.out == "line\tx\ty\tvalue\terror\n2\t1\t2\t2\t\n3\t3\t4\t12\t\n"


def test_points_header_without_a_variable_is_a_usage_error(adcli):
    r = adcli("grad", "x*y*z", "--points", "-", stdin="x,y\n1,2\n")
    assert r.code == 2 and r.out == "" and "no column for z" in r.err
    r = adcli("grad", "x*y*z", "--points", "-", "--at", "z=10", "--format", "csv", stdin="x,y\n1,2\n")
    assert r.code == 0 and r.out == "x,y,value,d/dx,d/dy,d/dz,error\n1,2,20,20,10,2,\n"
    r = adcli("grad", "x", "--points", "-", stdin="")
    assert r.code == 2 and "empty" in r.err


def test_points_strict(adcli):
    r = adcli("eval", "x", "--points", "-", "--strict", "--format", "csv", stdin="x\n1\nzz\n3\n")
    assert r.code == 1 and r.out == "x,value,error\n1,1,\nzz,,row: column x: 'zz' is not a number\n"


def test_points_quoted_cells(adcli):
    r = adcli("eval", "x+1", "--points", "-", "--format", "csv", stdin='name,x\n"a, b",1\nc,2\n')
    assert list(csv.reader(io.StringIO(r.out))) == [["name", "x", "value", "error"], ["a, b", "1", "2", ""],
                                                    ["c", "2", "3", ""]]


def test_points_output_round_trips_float64(adcli):
    import numpy as np
    rng = np.random.default_rng(7)
    x = np.concatenate([rng.uniform(-1e3, 1e3, 300), rng.standard_normal(100) * 1e-300,
                        [5e-324, 1.7976931348623157e308, 0.1, 1 / 3, -0.0, 2.0 ** 60]])
    text = "x\n" + "".join(f"{v!r}\n" for v in x.tolist())
    r = adcli("grad", "x^3/7 - exp(-x*x) + sin(x)", "--points", "-", "--format", "csv", stdin=text)
    rows = list(csv.reader(io.StringIO(r.out)))[1:]
    import adcli as api
    value, grads = (lambda res: (res.value[0], res.jacobian[0][0]))(
        api.compile("x^3/7 - exp(-x*x) + sin(x)").grad(x=x))
    got_v = np.array([float(row[1]) for row in rows])
    got_d = np.array([float(row[2]) for row in rows])
    assert [row[0] for row in rows] == [f"{v!r}" for v in x.tolist()]   # input text carried unchanged
    np.testing.assert_array_equal(got_v, value)
    np.testing.assert_array_equal(got_d, grads)


def test_number_column_matches_output_number():
    import numpy as np

    from adcli.numtext import number, number_column
    a = np.array([0.0, -0.0, 5.0, -3.0, 1e16, 1e300, 0.1, math.nan, math.inf, -math.inf, 2.5, 1e-320])
    assert number_column(a) == [number(v) for v in a.tolist()]


def test_points_many_rows_in_several_chunks(adcli, monkeypatch):
    import numpy as np

    import adcli.batch.pointsfile as pf
    monkeypatch.setattr(pf, "READ_SIZE", 256)       # force many chunks, some with errors
    rng = np.random.default_rng(3)
    xs = rng.uniform(0.5, 2, 400)
    rows = [f"{v!r}" for v in xs.tolist()]
    rows[123] = "oops"
    r = adcli("grad", "sqrt(x)*x", "--points", "-", "--format", "csv", stdin="x\n" + "\n".join(rows) + "\n")
    out = list(csv.reader(io.StringIO(r.out)))[1:]
    assert r.code == 1 and len(out) == 400
    assert out[123] == ["oops", "", "", "row: column x: 'oops' is not a number"]
    assert "line 125" in r.err
    for k, row in enumerate(out):
        if k != 123:
            assert row[0] == rows[k] and float(row[1]) == pytest.approx(xs[k] ** 1.5, rel=1e-15)


# -- streaming, progress, interrupts -------------------------------------------------------

def test_output_streams_before_input_ends():
    """Write one job line, read its result while adcli's stdin is still open."""
    env = subprocess_env()
    p = subprocess.Popen([sys.executable, "-m", "adcli", "grad", "--format", "json"], cwd=ROOT, env=env,
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        import selectors
        sel = selectors.DefaultSelector()
        sel.register(p.stdout, selectors.EVENT_READ)
        for i, line in enumerate([b"x*y @ x=3, y=2\n", b"x^2 @ x=5\n"]):
            p.stdin.write(line)
            p.stdin.flush()
            assert sel.select(timeout=30), "no output within 30 s while stdin is open"
            rec = json.loads(p.stdout.readline())
            assert rec["line"] == i + 1 and rec["value"] == [6.0, 25.0][i]
        p.stdin.close()
        assert p.wait(timeout=30) == 0
        assert p.stdout.read() == b""
    finally:
        p.kill()
        p.wait()


def test_points_stream_too():
    env = subprocess_env()
    p = subprocess.Popen([sys.executable, "-m", "adcli", "eval", "x+y", "--points", "-", "--format", "csv"],
                         cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    try:
        p.stdin.write(b"x,y\n1,2\n")
        p.stdin.flush()
        assert p.stdout.readline() == b"x,y,value,error\n"
        assert p.stdout.readline() == b"1,2,3,\n"
        p.stdin.close()
        assert p.wait(timeout=30) == 0
    finally:
        p.kill()
        p.wait()


def test_no_progress_bar_unless_stderr_is_a_terminal():
    from adcli.batch.stream import LineSource
    from adcli.render.stream import Progress

    class Tty(io.StringIO):
        def isatty(self):
            return True

    src = LineSource(io.BytesIO(b"x\n"))
    assert not Progress(src, delay=0, stderr=io.StringIO()).enabled
    assert Progress(src, delay=0, stderr=Tty()).enabled


def test_batch_run_to_a_pipe_imports_no_rich():
    p = probe(["grad", "--format", "json"], stdin="x^2 @ x=3\n" * 20)
    assert p.codes == [0] and not p.imported("rich"), p.codes


def test_single_point_path_imports_no_numpy():
    p = probe(["grad", "x*y", "--at", "x=1,y=2", "--format", "json"])
    assert p.codes == [0]
    assert not [m for m in ("numpy", "rich", "adcli.batch", "adcli.engine.chunked") if p.imported(m)]


def test_ctrl_c_leaves_whole_lines():
    """SIGINT in the middle of a batch: exit 130, and every line written is complete."""
    import signal
    import time
    env = subprocess_env()
    p = subprocess.Popen([sys.executable, "-m", "adcli", "grad", "--format", "json"], cwd=ROOT, env=env,
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        p.stdin.write(b"x*y @ x=1, y=2\n")
        p.stdin.flush()
        first = p.stdout.readline()
        time.sleep(0.2)
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=30)
        assert p.returncode == 130
        assert json.loads(first)["line"] == 1 and out == b""
        assert b"interrupted" in err and b"Traceback" not in err
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()


# -- the hook other commands use ------------------------------------------------------------

def test_a_registered_one_point_command_runs_in_batches(capsys, monkeypatch):
    """Adding a command: a result type, its renderers (keyed by the type) and a job kind
    taking one point only (many=False) give it job files and --points."""
    from dataclasses import dataclass

    from adcli.batch import kinds as jobs
    from adcli.cli.batchrun import main
    from adcli.render import text

    @dataclass(eq=False)
    class Twice:
        expr: str
        at: dict
        twice: list
        warnings: list
    calls = []

    def run(f, point, options):
        assert all(isinstance(v, float) for v in point.values())
        calls.append(point)
        r = f.eval(point)
        return Twice(r.expr, r.at, [2 * v for v in r.value], [])

    monkeypatch.setitem(jobs.KINDS, "twice", None)
    jobs.register("twice", run, fields=("twice",), many=False)
    monkeypatch.setitem(text._RECORD, Twice, lambda r: {"twice": [text.json_number(v) for v in r.twice]})
    monkeypatch.setitem(text._COLUMNS, Twice, lambda r: [(f"twice{i + 1}", v) for i, v in enumerate(r.twice)])
    lines = "".join(f"x*y @ x={i}, y=3\n" for i in range(10))
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(lines.encode())))
    assert main("twice", None, "-", None, False, "json", None, (), {}) == 0
    recs = jsonl(capsys.readouterr().out)
    assert [r["twice"] for r in recs] == [[6.0 * i] for i in range(10)] and len(calls) == 10
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"x,y\n1,2\n3,oops\n5,6\n")))
    assert main("twice", "x*y", None, "-", False, "csv", None, (), {}) == 1
    assert capsys.readouterr().out == ("x,y,twice1,error\n1,2,4,\n3,oops,,row: column y: 'oops' is not a number\n"
                                       "5,6,60,\n")


def test_explain_is_for_one_point(adcli):
    r = adcli("grad", "--explain", stdin="x @ x=1\n")
    assert r.code == 2 and r.out == "" and "--explain works on one point" in r.err
