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


def test_the_probe_would_notice_numpy():
    # Guard the guard: a batch does import numpy, and the probe sees it.
    got, out = imports("grad", "x*y", "--points", "examples/points.csv", "--format", "csv")
    assert got == (True, False, 0), got
    assert out.startswith("id,x,y,value")


def test_single_point_skips_what_it_can_do_without():
    """signal (its import builds enums; adcli uses _signal) stays off the single-point path."""
    p = probe(list(SEED) + ["--format", "json"])
    assert p.codes == [0]
    assert not p.imported("signal")
