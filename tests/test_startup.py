"""Start-up hygiene: a single-point answer imports neither numpy nor Rich, and a table
imports Rich but not numpy. Checked in fresh processes through sys.modules."""
import json

import pytest

from conftest import probe

SEED = ("grad", "(x+y)*(x-y)", "--at", "x=3,y=2")


def imports(*argv):
    """(numpy imported, Rich imported, exit code) of `adcli ARGV` in a fresh process, and its stdout."""
    p = probe(argv)
    return (p.imported("numpy"), p.imported("rich"), p.codes[0]), p.out


@pytest.mark.parametrize("fmt", ["json", "csv", "plain"])
def test_machine_formats_import_neither_numpy_nor_rich(fmt):
    got, out = imports(*SEED, "--format", fmt)
    assert got == (False, False, 0), got
    if fmt == "json":
        assert json.loads(out)["gradient"] == {"x": 6.0, "y": -4.0}


def test_table_imports_rich_but_not_numpy():
    got, out = imports(*SEED)
    assert got == (False, True, 0), got
    assert "∂f/∂x" in out


def test_eval_and_errors_import_neither():
    assert imports("eval", "sin(x)^2 + cos(x)^2", "--at", "x=0.7", "--format", "plain")[0] == (False, False, 0)
    assert imports("eval", "2x", "--at", "x=1")[0] == (False, False, 2)
    # A warning (log of a negative number) is still found without numpy.
    assert imports("grad", "log(x)", "--at", "x=-1", "--format", "json")[0] == (False, False, 0)


@pytest.mark.parametrize("argv", [
    ("grad", "sq(t) = t*t; if(x > 0 and not y, sqrt(x), sq(log(-x)))", "--at", "x=-1,y=0"),
    ("taylor", "if(x == 0, 1, sin(x)/x)", "--at", "x=0"),
    ("hessian", "if(x > 0, sqrt(x), x^2)", "--at", "x=-1"),
    ("grad", "if(x < 0, log(x), 0)", "--at", "x=-1"),   # a warning from the branch taken
])
def test_conditionals_and_functions_at_one_point_import_neither(argv):
    assert imports(*argv, "--format", "json")[0] == (False, False, 0)


def test_the_probe_would_notice_numpy():
    # Guard the guard: a batch does import numpy, and the probe sees it.
    got, out = imports("grad", "x*y", "--points", "examples/points.csv", "--format", "csv")
    assert got == (True, False, 0), got
    assert out.startswith("id,x,y,value")


def test_scipy_is_loaded_by_fit_minimize_and_solve_alone():
    """scipy (the solve extra) is imported when a solver runs, by no other command and
    not by the solvers' --help."""
    got = probe(["grad", "x*y", "--at", "x=1,y=2", "--format", "json"], ["hessian", "x*y", "--at", "x=1,y=2"],
                ["eval", "x", "--points", "examples/points.csv", "--format", "csv"],
                ["jacobian", "-f", "examples/jobs-higher.txt", "--format", "json"],
                ["solve", "--help"], ["minimize", "--help"], ["fit", "--help"])
    assert not got.imported("scipy"), got.codes
    pytest.importorskip("scipy")
    assert probe(["solve", "x - 1", "--at", "x=0", "--format", "json"]).imported("scipy")

def test_a_json_session_line_imports_neither_numpy_nor_rich():
    p = probe(["repl", "--format", "json"], stdin="a = x*y\na @ x=3,y=2\n")
    assert (p.imported("numpy"), p.imported("rich"), p.codes[0]) == (False, False, 0)
    assert json.loads(p.out.splitlines()[1])["gradient"] == {"x": 2.0, "y": 3.0}
    assert not p.imported("readline")       # no line editor off a terminal

OPTIONAL = ("pyarrow", "dask", "distributed")


def test_optional_dependencies_are_imported_only_by_what_uses_them(tmp_path):
    """pyarrow only when a Parquet or Arrow file is read or written, dask and distributed
    only for --engine dask: not by one point, a table, a CSV batch or a job file."""
    p = probe(SEED, [*SEED, "--format", "json"], ["functions"],
              ["grad", "x*y", "--points", "examples/points.csv", "--format", "csv"],
              ["grad", "x*y", "--points", "examples/points.csv", "-o", str(tmp_path / "o.jsonl")],
              ["eval", "-f", "examples/jobs.txt", "--format", "json"],
              ["fit", "y = b1*(1 - exp(-b2*x))", "--data", "tests/data/nist/misra1a.csv", "--at", "b1=250,b2=5e-4",
               "--format", "json"])
    assert p.codes == [0, 0, 0, 0, 0, 0, 0]
    assert [m for m in OPTIONAL if p.imported(m)] == []


def test_a_parquet_run_imports_pyarrow_but_not_dask(tmp_path):
    pytest.importorskip("pyarrow")
    out = tmp_path / "o.parquet"
    p = probe(["grad", "x*y", "--points", "examples/points.csv", "-o", str(out)],
              ["grad", "x*y", "--points", str(out), "--format", "csv"])
    assert p.codes == [0, 0] and p.out.startswith("id,x,y,value,d/dx,d/dy,error,value,")
    assert p.imported("pyarrow") and not p.imported("dask") and not p.imported("distributed")

def test_single_point_skips_what_it_can_do_without():
    """signal (its import builds enums; adcli uses _signal) stays off the single-point path."""
    p = probe(list(SEED) + ["--format", "json"])
    assert p.codes == [0]
    assert not p.imported("signal")
