"""Batch mode of jacobian, hessian, jvp, vjp, taylor and check (-f FILE, -f -, piped
stdin, --points CSV): every format, input order, error lines, exit codes, --strict,
and each batch result against the same line run on its own. Also: trace, graph and
plot refuse batches clearly, and a reader that closes stdout early ends adcli quietly."""
import csv
import io
import json
import subprocess
import sys

import pytest

from conftest import ROOT, close, jsonl, probe, subprocess_adcli, subprocess_env

# -- a closed standard output ---------------------------------------------------------------

@pytest.mark.slow  # 200,000 job lines through a real pipe
def test_head_closing_the_pipe_ends_quietly_with_141(tmp_path):
    jobs = tmp_path / "bigjobs.txt"
    jobs.write_text("".join(f"x^2 @ x={i}\n" for i in range(200000)))
    cmd = (f"'{sys.executable}' -m adcli grad -f '{jobs}' --format csv | head -1; "
           "echo \"status=${PIPESTATUS[0]}\"")
    p = subprocess.run(["bash", "-c", cmd], cwd=ROOT, env=subprocess_env(), capture_output=True, text=True,
                       timeout=60)
    assert p.stdout == "line,expr,at,value,gradient,error\nstatus=141\n"
    assert p.stderr == ""


# -- helpers ----------------------------------------------------------------------------------


def numbered(out):
    """The line numbers that start rows of a table or plain output (a table's
    continuation lines start further right)."""
    import re
    return [int(m.group(1)) for m in map(re.compile(r"\s{0,4}(\d+)(\t|  )").match, out.splitlines()) if m]


def close_records(a, b):
    """Equal records, numbers to 1e-13 relative (numpy's and libm's sin may differ in
    the last bit); strings, keys and list lengths exactly."""
    if isinstance(a, dict):
        return isinstance(b, dict) and list(a) == list(b) and all(close_records(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(close_records(x, y) for x, y in zip(a, b))
    if isinstance(a, float) and isinstance(b, float):
        return close(a, b, rel=1e-13, abs_=1e-300)
    return a == b


# Twelve lines of one expression (a group for the vectorized path) interleaved with others,
# comments, a blank line, a domain problem (nan: not a failure) and bad lines.
GOOD = [f"x^2*y + sin(x*y) @ x={0.25 * i}, y={1 + 0.5 * i}" for i in range(12)]
JOB_LINES = [
    "# jobs for the higher commands",
    GOOD[0], GOOD[1],
    "exp(x)*cos(y) @ x=0.5, y=pi/3",
    GOOD[2], GOOD[3], GOOD[4],
    "",
    "sinn(x) @ x=1",
    GOOD[5], GOOD[6],
    "x*y, x+y @ x=3, y=2",
    GOOD[7],
    "x*y @ x=1",
    GOOD[8], GOOD[9],
    "2x @ x=1",
    GOOD[10],
    "log(x)*y @ x=-1, y=2",
    GOOD[11],
    "relu(x-1) + y @ x=1, y=2",
    "exp(x)*cos(y) @ x=1, y=0",
]
JOBS = "\n".join(JOB_LINES) + "\n"

COMMANDS = {
    "jacobian": ["--mode", "reverse"],
    "hessian": [],
    "jvp": ["--dir", "x=1,y=0.5"],
    "vjp": [],
    "taylor": ["--wrt", "x", "--order", "4"],
    "check": [],
}


def job_numbers():
    return [n for n, text in enumerate(JOB_LINES, 1) if text.strip() and not text.startswith("#")]


_SINGLES = {}


def singles(adcli, command):
    """Each job line run on its own: {line: (exit code, record or None, stderr)}."""
    if command not in _SINGLES:
        got = {}
        for n in job_numbers():
            expr, _, point = JOB_LINES[n - 1].partition("@")
            code, out, err = adcli(command, expr.strip(), "--at", point.strip(), *COMMANDS[command],
                                 "--format", "json")
            got[n] = (code, json.loads(out) if out else None, err)
        _SINGLES[command] = got
    return _SINGLES[command]


@pytest.fixture
def jobs_file(tmp_path):
    p = tmp_path / "jobs.txt"
    p.write_text(JOBS)
    return str(p)


# -- job files: every command against the same lines run one by one --------------------------

@pytest.mark.parametrize("command", COMMANDS)
def test_job_file_json_lines_equal_single_runs(adcli, jobs_file, command):
    code, out, err = adcli(command, "-f", jobs_file, *COMMANDS[command], "--format", "json")
    recs = jsonl(out)
    assert [r["line"] for r in recs] == job_numbers()   # every job, in input order
    failed = 0
    for rec in recs:
        n = rec.pop("line")
        s_code, s_rec, s_err = singles(adcli, command)[n]
        if "error" in rec:
            # a line that fails alone fails in the batch, with the same message
            assert s_rec is None and s_code in (1, 2), (n, s_err)
            assert rec["input"] == JOB_LINES[n - 1]
            assert rec["error"]["message"].split(" (")[0] in s_err
            failed += 1
        else:
            assert s_rec is not None and close_records(rec, s_rec), (n, rec, s_rec)
            if s_code:   # check: a mismatch prints its record and exits 1, alone or in a batch
                assert command == "check" and rec["ok"] is False
                failed += 1
            else:
                assert s_code == 0
    assert code == (1 if failed else 0)
    assert f"{failed} of {len(recs)} lines failed" in err


def test_error_records_name_the_line_and_kind(adcli, jobs_file):
    code, out, err = adcli("hessian", "-f", jobs_file, "--format", "json")
    errors = {r["line"]: r["error"] for r in jsonl(out) if "error" in r}
    assert code == 1
    assert errors == {
        9: {"type": "name", "message": "unknown function 'sinn' (did you mean sin()?)", "column": 1},
        12: {"type": "usage", "message": "hessian needs one output, got 2 (give one expression, or use "
                                         "'adcli jacobian' for several outputs)"},
        14: {"type": "value", "message": "no value for variable y (give every variable a value, as in "
                                         "--at x=1,y=1)"},
        17: {"type": "parse", "message": "missing operator before 'x' (adcli has no implicit multiplication: "
                                         "write 2*x)", "column": 2},
    }
    # log of a negative number is nan with a warning naming the line, not a failure
    assert "adcli: warning: line 19: log(-1) = nan" in err
    assert "4 of 20 lines failed; the first: line 9, column 1" in err


@pytest.mark.parametrize("command", COMMANDS)
def test_file_dash_and_pipe_give_the_same_output(adcli, jobs_file, command):
    outs = set()
    for argv, stdin in ((["-f", jobs_file], None), (["-f", "-"], JOBS), ([], JOBS)):
        code, out, _ = adcli(command, *argv, *COMMANDS[command], "--format", "json", stdin=stdin)
        assert code == 1 and out
        outs.add(out)
    assert len(outs) == 1


def test_check_mismatch_is_a_failed_line_that_keeps_its_record(adcli):
    code, out, err = adcli("check", "--format", "json", stdin="x^2 @ x=3\nrelu(x) @ x=0\nx^3 @ x=2\n")
    recs = jsonl(out)
    assert code == 1
    assert [r["ok"] for r in recs] == [True, False, True]
    assert recs[1]["rows"][0]["forward"] == 0.0 and recs[1]["rows"][0]["finite_difference"] > 0.4
    assert "1 of 3 lines failed; the first: line 2: check error: AD and finite differences disagree for x" in err
    code, out, _ = adcli("check", "--format", "csv", stdin="x^2 @ x=3\nrelu(x) @ x=0\n")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [(r["line"], r["ok"], r["error"]) for r in rows] == [
        ("1", "true", ""), ("2", "false", "check: AD and finite differences disagree for x")]
    assert code == 1
    assert adcli("check", "--format", "json", stdin="x^2 @ x=3\nx^3 @ x=2\n")[0] == 0


# -- CSV, plain and table of job files -----------------------------------------------------------

CSV_HEADERS = {
    "jacobian": "line,expr,at,value,jacobian,error",
    "hessian": "line,expr,at,value,gradient,hessian,error",
    "jvp": "line,expr,at,dir,value,jvp,error",
    "vjp": "line,expr,at,cotangent,value,vjp,error",
    "taylor": "line,expr,at,wrt,dir,derivatives,coefficients,error",
    "check": "line,expr,at,ok,forward,reverse,finite_difference,abs_error,rel_error,error",
}


@pytest.mark.parametrize("command", COMMANDS)
def test_job_file_csv_one_header_one_row_per_job(adcli, jobs_file, command):
    code, out, _ = adcli(command, "-f", jobs_file, *COMMANDS[command], "--format", "csv")
    assert out.splitlines()[0] == CSV_HEADERS[command]
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [int(r["line"]) for r in rows] == job_numbers()
    _, jl, _ = adcli(command, "-f", jobs_file, *COMMANDS[command], "--format", "json")
    for row, rec in zip(rows, jsonl(jl)):
        assert bool(row["error"]) == ("error" in rec or rec.get("ok") is False)
        if "error" in rec:
            assert row["error"] == f"{rec['error']['type']}: {rec['error']['message']}"
            assert row["expr"] == rec["input"]


def test_job_csv_cells_name_matrix_entries(adcli):
    _, out, _ = adcli("jacobian", "--format", "csv", stdin="x*y, x+y @ x=3, y=2\n")
    assert out == 'line,expr,at,value,jacobian,error\n1,"x*y, x+y",x=3;y=2,6;5,"J[1,x]=2;J[1,y]=3;J[2,x]=1;J[2,y]=1",\n'
    _, out, _ = adcli("hessian", "--format", "csv", stdin="x^2*y @ x=3, y=2\n")
    assert out.splitlines()[1] == '1,x^2*y,x=3;y=2,18,x=12;y=9,"H[x,x]=4;H[x,y]=6;H[y,x]=6;H[y,y]=0",'
    _, out, _ = adcli("vjp", "--cotangent", "1,-1", "--format", "csv", stdin="x*y, x+y @ x=3, y=2\n")
    assert out.splitlines()[1] == '1,"x*y, x+y",x=3;y=2,1;-1,6;5,x=1;y=2,'
    _, out, _ = adcli("taylor", "--order", "3", "--format", "csv", stdin="exp(2*x) @ x=0\n")
    assert out.splitlines()[1] == "1,exp(2*x),x=0,x,,1;2;4;8,1;2;2;1.3333333333333333,"


@pytest.mark.parametrize("command", COMMANDS)
def test_plain_and_table_show_every_line_number(adcli, jobs_file, command):
    for fmt in ("plain", "table"):
        code, out, _ = adcli(command, "-f", jobs_file, *COMMANDS[command], "--format", fmt)
        assert code == 1
        starts = numbered(out)
        assert starts == job_numbers(), fmt
    code, out, _ = adcli(command, "-f", jobs_file, *COMMANDS[command], "--format", "table")
    assert "unknown function 'sinn'" in out and "missing operator before 'x'" in out


# -- --strict -----------------------------------------------------------------------------------

@pytest.mark.parametrize("command", COMMANDS)
def test_strict_stops_at_the_first_failed_line(adcli, jobs_file, command):
    code, out, err = adcli(command, "-f", jobs_file, *COMMANDS[command], "--strict", "--format", "json")
    recs = jsonl(out)
    assert code == 1 and recs[-1]["line"] == 9 and "error" in recs[-1]
    assert [r["line"] for r in recs] == [n for n in job_numbers() if n <= 9]
    assert "stopped at the first failure (--strict): line 9" in err


def test_strict_stops_at_a_check_mismatch(adcli):
    code, out, err = adcli("check", "--strict", "--format", "json", stdin="x^2 @ x=3\nrelu(x) @ x=0\nx^3 @ x=2\n")
    assert code == 1 and [r["line"] for r in jsonl(out)] == [1, 2]
    assert "(--strict): line 2: check error" in err


# -- --points ---------------------------------------------------------------------------------

POINTS = "id,x,y\np1,3,2\np2,1,0.5\np3,oops,1\np4,-1,2\np5,0.25,4\n" + "".join(
    f"q{i},{0.1 * i},{1 + 0.2 * i}\n" for i in range(1, 11))

POINTS_HEADERS = {
    ("jacobian", "x*y, x+y"): "id,x,y,value1,value2,\"J[1,x]\",\"J[1,y]\",\"J[2,x]\",\"J[2,y]\",error",
    ("hessian", "x^2*y + log(x)"): "id,x,y,value,d/dx,d/dy,\"H[x,x]\",\"H[x,y]\",\"H[y,x]\",\"H[y,y]\",error",
    ("jvp", "x*y, x+y"): "id,x,y,value1,value2,jvp1,jvp2,error",
    ("vjp", "x*y, x+y"): "id,x,y,value1,value2,vjp[x],vjp[y],error",
    ("taylor", "exp(x)*y"): "id,x,y,d0,d1,d2,d3,d4,c0,c1,c2,c3,c4,error",
    ("check", "x^2*y + sin(x*y)"): ("id,x,y,forward[x],reverse[x],fd[x],abs_error[x],rel_error[x],"
                                    "forward[y],reverse[y],fd[y],abs_error[y],rel_error[y],error"),
}
POINTS_OPTIONS = dict(COMMANDS, vjp=["--cotangent", "1,-1"])


@pytest.fixture
def points_file(tmp_path):
    p = tmp_path / "points.csv"
    p.write_text(POINTS)
    return str(p)


@pytest.mark.parametrize("command,expr", list(POINTS_HEADERS))
def test_points_rows_equal_single_runs(adcli, points_file, command, expr):
    opts = POINTS_OPTIONS[command]
    code, out, err = adcli(command, expr, "--points", points_file, *opts, "--format", "csv")
    assert code == 1   # the row p3,oops,1
    lines = out.splitlines()
    assert lines[0] == POINTS_HEADERS[(command, expr)]
    rows = list(csv.reader(io.StringIO(out)))[1:]
    assert [r[0] for r in rows] == [line.split(",")[0] for line in POINTS.splitlines()[1:]]
    assert rows[2][-1] == "row: column x: 'oops' is not a number" and set(rows[2][3:-1]) == {""}
    _, jl, _ = adcli(command, expr, "--points", points_file, *opts, "--format", "json")
    recs = jsonl(jl)
    assert [r["line"] for r in recs] == list(range(2, 17))
    for rec, row, text in zip(recs, rows, POINTS.splitlines()[1:]):
        if "error" in rec:
            continue
        assert rec.pop("columns") == {"id": row[0]}
        n = rec.pop("line")
        x, y = text.split(",")[1:]
        s_code, s_out, _ = adcli(command, expr, "--at", f"x={x},y={y}", *opts, "--format", "json")
        assert close_records(rec, json.loads(s_out)), (n, rec)
        assert s_code == 0
    # plain and table carry the same line numbers
    for fmt in ("plain", "table"):
        _, out, _ = adcli(command, expr, "--points", points_file, *opts, "--format", fmt)
        assert numbered(out) == list(range(2, 17)), fmt


def test_points_csv_numbers_equal_the_json(adcli, points_file):
    _, out, _ = adcli("hessian", "x^2*y + log(x)", "--points", points_file, "--format", "csv")
    _, jl, _ = adcli("hessian", "x^2*y + log(x)", "--points", points_file, "--format", "json")
    for row, rec in zip(csv.DictReader(io.StringIO(out)), jsonl(jl)):
        if "error" in rec:
            continue
        h = rec["hessian"]
        got = [row["H[x,x]"], row["H[x,y]"], row["H[y,x]"], row["H[y,y]"], row["d/dx"], row["value"]]
        want = [h[0][0], h[0][1], h[1][0], h[1][1], rec["gradient"]["x"], rec["value"]]
        assert [repr(float(g)) for g in got] == [repr(float(w)) for w in want]


def test_points_check_mismatch_fills_the_error_column(adcli, tmp_path):
    p = tmp_path / "p.csv"
    p.write_text("x,y\n3,2\n1,0.5\n0.25,4\n")
    code, out, err = adcli("check", "relu(x-1)*y", "--points", str(p), "--format", "csv")
    assert code == 1
    errors = [r["error"] for r in csv.DictReader(io.StringIO(out))]
    assert errors == ["", "check: AD and finite differences disagree for x", ""]
    assert "1 of 3 rows failed; the first: line 3: check error" in err
    code, out, _ = adcli("check", "relu(x-1)*y", "--points", str(p), "--format", "json")
    assert [r["ok"] for r in jsonl(out)] == [True, False, True]
    code, out, _ = adcli("check", "relu(x-1)*y", "--points", str(p), "--strict", "--format", "csv")
    assert code == 1 and len(out.splitlines()) == 3


def test_points_from_stdin(adcli):
    code, out, _ = adcli("jvp", "x*y", "--points", "-", "--dir", "y=1", "--format", "csv", stdin="x,y\n3,2\n5,1\n")
    assert (code, out) == (0, "x,y,value,jvp,error\n3,2,6,3,\n5,1,5,5,\n")


# -- one usage error for the whole batch ----------------------------------------------------------

@pytest.mark.parametrize("argv", [
    ["grad", "x*y", "--wrt", "z"],
    ["hessian", "x*y", "--wrt", "x,z"],
    ["check", "x*y", "--wrt", "id"],       # an extra column is carried through, not a value
    ["jacobian", "x*y, x", "--wrt", "z"],
    ["jvp", "x*y", "--dir", "z=1"],
    ["taylor", "x*y", "--wrt", "z"],
    ["vjp", "x*y, x+y"],                   # several outputs need --cotangent
    ["vjp", "x*y", "--cotangent", "1,0"],
    ["taylor", "x, y", "--wrt", "x"],
])
def test_points_usage_errors_come_once_before_any_row(adcli, points_file, argv):
    code, out, err = adcli(*argv, "--points", points_file, "--format", "csv")
    assert (code, out) == (2, "")
    assert err.startswith("adcli: error: ") and err.count("adcli: error") == 1 and "line" not in err


def test_wrt_with_a_default_value_is_fine(adcli, points_file):
    code, out, _ = adcli("hessian", "x*y*z", "--points", points_file, "--wrt", "x,z", "--at", "z=2",
                       "--format", "csv")
    assert code == 1 and out.splitlines()[1] == "p1,3,2,12,4,6,0,2,2,0,"


def test_job_files_report_a_line_dependent_wrt_per_line(adcli):
    # In a job file each line has its own expression: z may be a variable of some lines.
    code, out, _ = adcli("hessian", "--wrt", "z", "--format", "json", stdin="x*z @ x=1, z=2\nx*y @ x=1, y=2\n")
    recs = jsonl(out)
    assert code == 1 and "hessian" in recs[0] and recs[1]["error"]["type"] == "usage"


# -- trace, graph and plot refuse batches --------------------------------------------------------

@pytest.mark.parametrize("command", ["trace", "graph", "plot"])
def test_visual_commands_refuse_batches(adcli, jobs_file, points_file, command):
    for argv in (["-f", jobs_file], ["x*y", "--points", points_file]):
        code, out, err = adcli(command, *argv)
        assert (code, out) == (2, "")
        assert f"{command} does not read job files, --points" in err
    code, out, err = adcli(command, stdin=JOBS)
    assert (code, out) == (2, "") and "does not read job lines from standard input" in err


# -- the help examples, start-up and a real pipe --------------------------------------------------

@pytest.mark.parametrize("command", COMMANDS)
def test_single_point_still_imports_neither_numpy_nor_rich(command):
    opts = {"jvp": ["--dir", "x=1"], "taylor": ["--wrt", "x"]}.get(command, [])
    p = probe([command, "x^2*y", "--at", "x=3,y=2", *opts, "--format", "json"])
    assert (p.codes, p.imported("numpy"), p.imported("rich")) == ([0], False, False)
    assert json.loads(p.out)["expr"] == "x^2*y"


def test_piped_jobs_through_a_real_process():
    r = subprocess_adcli("hessian", "--format", "json", stdin="x^2*y @ x=3, y=2\nx^3 @ x=0\n")
    assert r.code == 0 and r.err == ""
    assert [rec["hessian"] for rec in jsonl(r.out)] == [[[4.0, 6.0], [6.0, 0.0]], [[0.0]]]


@pytest.mark.parametrize("command", COMMANDS)
def test_lines_sharing_an_expression_run_vectorized_where_the_command_can(adcli, jobs_file, monkeypatch,
                                                                           command):
    from adcli.batch import kinds as jobs
    kind = jobs.KINDS[command]
    sizes = []

    def spy(f, point, options):
        sizes.append(max((len(v) for v in point.values() if not isinstance(v, float)), default=1))
        return inner(f, point, options)
    inner = kind.run
    monkeypatch.setattr(kind, "run", spy)
    adcli(command, "-f", jobs_file, *COMMANDS[command], "--format", "json")
    # the twelve lines of x^2*y + sin(x*y) go as one call of 12 points, unless the
    # command takes one point at a time (taylor, check)
    assert (12 in sizes) == kind.many == (command not in ("taylor", "check"))


def test_columns_of_errors_found_while_running_count_from_the_line(adcli):
    # sqrt at 0 refuses Taylor mode; the column names sqrt in the job line, after its indent
    code, out, _ = adcli("taylor", "--format", "json", stdin="x^2 @ x=1\n   2*sqrt(x) @ x=0\n")
    assert code == 1 and jsonl(out)[1]["error"]["column"] == 6
    # a points row holds no expression: its error has no column
    code, out, err = adcli("taylor", "2*sqrt(x)", "--points", "-", "--format", "json", stdin="x\n1\n0\n")
    assert code == 1 and "column" not in jsonl(out)[1]["error"] and "line 3: value error" in err
