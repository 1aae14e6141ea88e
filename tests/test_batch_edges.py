"""Edges of batch I/O that a reviewer changed on purpose and the rest of the suite let
through: a byte order mark before a --points header, the cap of ten rows' warnings, and
the bound below which an integral float is written without '.0'. Each test fails when
its edge moves."""
import pytest

from conftest import jsonl

BOM = b"\xef\xbb\xbf"


# -- a byte order mark before the --points header ------------------------------------------------

@pytest.mark.parametrize("route", ["file", "stdin"])
def test_a_bom_before_the_header_is_not_part_of_the_first_column_name(adcli, tmp_path, route):
    data = BOM + b"x,y\n1,2\n3,4\n"
    if route == "file":
        path = tmp_path / "bom.csv"
        path.write_bytes(data)
        r = adcli("grad", "x*y", "--points", str(path), "--format", "csv")
    else:
        r = adcli("grad", "x*y", "--points", "-", "--format", "csv", stdin=data)
    # The columns are x and y: found, and echoed without the mark.
    assert (r.code, r.err) == (0, "")
    assert r.out == "x,y,value,d/dx,d/dy,error\n1,2,2,2,1,\n3,4,12,4,3,\n"


def test_a_bom_before_a_carried_first_column(adcli):
    r = adcli("eval", "x*y", "--points", "-", "--format", "json", stdin=BOM + b"id,x,y\np1,3,2\n")
    assert (r.code, r.err) == (0, "")
    assert jsonl(r.out) == [{"line": 2, "expr": "x*y", "at": {"x": 3.0, "y": 2.0}, "value": 6.0,
                             "columns": {"id": "p1"}}]
    r = adcli("eval", "x*y", "--points", "-", stdin=BOM + b"id,x,y\np1,3,2\n")
    assert r.code == 0 and r.out.splitlines()[0].split() == ["line", "id", "x", "y", "value"]


# -- at most ten rows' warnings, then one line counting the rest ----------------------------------

def warning_lines(err):
    lines = err.splitlines()
    assert all(line.startswith("adcli: warning: ") for line in lines), err
    return lines


@pytest.mark.parametrize("rows,shown,more", [(9, 9, 0), (10, 10, 0), (11, 10, 1), (25, 10, 15)])
def test_points_warn_for_ten_rows_then_count_the_rest(adcli, rows, shown, more):
    points = "x\n" + "".join(f"{-k}\n" for k in range(1, rows + 1)) + "2\n"
    r = adcli("eval", "log(x)", "--points", "-", "--format", "csv", stdin=points)
    assert r.code == 0
    assert r.out.count(",nan,") == rows
    lines = warning_lines(r.err)
    assert lines[:shown] == [f"adcli: warning: line {k + 1}: log({-k}) = nan (log is defined for x > 0)"
                             for k in range(1, shown + 1)]
    assert lines[shown:] == ([f"adcli: warning: {more} more rows gave nan or inf (warnings not shown)"]
                             if more else [])


@pytest.mark.parametrize("rows,shown,more", [(10, 10, 0), (11, 10, 1), (13, 10, 3)])
def test_job_lines_warn_for_ten_lines_then_count_the_rest(adcli, rows, shown, more):
    jobs = "".join(f"log(x) @ x={-k}\n" for k in range(1, rows + 1)) + "x^2 @ x=3\n"
    r = adcli("eval", "--format", "json", stdin=jobs)
    assert r.code == 0
    assert [rec["value"] for rec in jsonl(r.out)] == ["nan"] * rows + [9.0]
    lines = warning_lines(r.err)
    assert lines[:shown] == [f"adcli: warning: line {k}: log({-k}) = nan (log is defined for x > 0)"
                             for k in range(1, shown + 1)]
    assert lines[shown:] == ([f"adcli: warning: {more} more lines gave nan or inf (warnings not shown)"]
                             if more else [])


def test_points_rows_past_the_cap_are_not_run_again_for_their_warnings(adcli, monkeypatch):
    # A --points chunk runs vectorized; the warnings of a row with nan or inf come from
    # running that row again on its own. Past the cap only a count is printed, so a
    # million bad rows must not mean a million one-point runs.
    from adcli.batch import kinds
    kind = kinds.KINDS["eval"]
    inner, one_point = kind.run, []

    def spy(f, point, options):
        if all(isinstance(v, float) for v in point.values()):
            one_point.append(point)
        return inner(f, point, options)
    monkeypatch.setattr(kind, "run", spy)
    r = adcli("eval", "log(x)", "--points", "-", "--format", "csv",
              stdin="x\n" + "".join(f"{-k}\n" for k in range(1, 26)))
    assert r.code == 0 and r.err.endswith("15 more rows gave nan or inf (warnings not shown)\n")
    assert [p["x"] for p in one_point] == [-float(k) for k in range(1, 11)]


@pytest.mark.parametrize("source", ["points", "jobs"])
def test_the_cap_counts_rows_not_warning_lines(adcli, source):
    # Two warnings a row: ten rows give twenty lines, and the other two rows are counted.
    if source == "points":
        r = adcli("eval", "log(x) + sqrt(x)", "--points", "-", "--format", "csv",
                  stdin="x\n" + "".join(f"{-k}\n" for k in range(1, 13)))
        what = "rows"
    else:
        r = adcli("eval", "--format", "csv", stdin="".join(f"log(x) + sqrt(x) @ x={-k}\n" for k in range(1, 13)))
        what = "lines"
    lines = warning_lines(r.err)
    assert len(lines) == 21
    assert sum("log(" in line for line in lines) == sum("sqrt(" in line for line in lines) == 10
    assert lines[-1] == f"adcli: warning: 2 more {what} gave nan or inf (warnings not shown)"


# -- integral floats below 1e16 are written as integers, from 1e16 on as Python's repr ------------

BELOW = 9999999999999998.0   # the largest float below 1e16 (floats are 2 apart there)
BOUND_ROWS = [("9999999999999998", "9999999999999998"), ("-9999999999999998", "-9999999999999998"),
              ("1e16", "1e+16"), ("-1e16", "-1e+16"), ("10000000000000002", "1.0000000000000002e+16"),
              ("123", "123"), ("-0", "-0"), ("0.5", "0.5")]


def test_points_csv_writes_integral_values_below_1e16_without_point_zero(adcli):
    assert float("9999999999999998") == BELOW and BELOW < 1e16 and BELOW + 2 == 1e16
    stdin = "x\n" + "".join(cell + "\n" for cell, _ in BOUND_ROWS)
    r = adcli("eval", "x", "--points", "-", "--format", "csv", stdin=stdin)
    assert (r.code, r.err) == (0, "")
    assert r.out.splitlines() == ["x,value,error", *[f"{cell},{want}," for cell, want in BOUND_ROWS]]


def test_points_csv_bound_on_computed_values_and_derivatives(adcli):
    # value 2x and derivative 2: the computed column crosses the bound, the input cell does not
    r = adcli("grad", "2*x", "--points", "-", "--format", "csv", stdin="x\n4999999999999999\n5e15\n")
    assert (r.code, r.err) == (0, "")
    assert r.out == "x,value,d/dx,error\n4999999999999999,9999999999999998,2,\n5e15,1e+16,2,\n"


@pytest.mark.parametrize("at,want", [("9999999999999998", "9999999999999998"), ("1e16", "1e+16"),
                                     ("-9999999999999998", "-9999999999999998"), ("-1e16", "-1e+16")])
def test_single_point_csv_has_the_same_bound(adcli, at, want):
    r = adcli("eval", "x", "--at", f"x={at}", "--format", "csv")
    assert (r.code, r.err) == (0, "")
    assert r.out == f"x,value\n{want},{want}\n"
    r = adcli("grad", "x^2/x", "--at", f"x={at}", "--format", "csv")
    assert r.out == f"x,value,d/dx\n{want},{want},1\n"


# -- CRLF line ends ---------------------------------------------------------------------------------


def test_points_with_crlf_line_ends_echo_no_carriage_returns(adcli):
    r = adcli("grad", "x*y", "--points", "-", "--format", "csv", stdin=b"x,y\r\n1,2\r\n3,4\r\n")
    assert (r.code, r.err) == (0, "")
    assert r.out == "x,y,value,d/dx,d/dy,error\n1,2,2,2,1,\n3,4,12,4,3,\n"


def test_points_with_crlf_line_ends_carry_the_last_column_without_its_carriage_return(adcli):
    r = adcli("eval", "x*y", "--points", "-", "--format", "json",
              stdin=b"id,x,y,note\r\np1,3,2,first\r\np2,1,0.5,second\r\n")
    assert r.code == 0
    assert [rec["columns"] for rec in jsonl(r.out)] == [{"id": "p1", "note": "first"},
                                                        {"id": "p2", "note": "second"}]


def test_job_lines_with_crlf_line_ends_keep_no_carriage_return_in_error_records(adcli):
    r = adcli("grad", "--format", "json", stdin=b"x^2 @ x=1\r\nsinn(x) @ x=2\r\n")
    assert r.code == 1
    assert jsonl(r.out)[1]["input"] == "sinn(x) @ x=2"
