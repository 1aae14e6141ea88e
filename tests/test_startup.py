"""Start-up hygiene: a single-point answer imports neither numpy nor Rich, and a table
imports Rich but not numpy. Checked in fresh processes through sys.modules."""
import json
import os
import subprocess
import sys

import pytest

from conftest import ROOT

PROBE = """
import sys
from adcli.cli import main
code = main({argv!r})
sys.stdout.flush()
mods = {{"numpy": "numpy" in sys.modules,
        "rich": any(m == "rich" or m.startswith("rich.") for m in sys.modules),
        "code": code}}
sys.stderr.write("PROBE " + repr(mods) + "\\n")
"""


def probe(*argv):
    env = dict(os.environ, PYTHONPATH=ROOT)
    p = subprocess.run([sys.executable, "-c", PROBE.format(argv=list(argv))], cwd=ROOT, env=env,
                       capture_output=True, text=True, timeout=60)
    line = [x for x in p.stderr.splitlines() if x.startswith("PROBE ")][-1]
    import ast
    return ast.literal_eval(line[len("PROBE "):]), p.stdout


SEED = ("grad", "(x+y)*(x-y)", "--at", "x=3,y=2")


@pytest.mark.parametrize("fmt", ["json", "csv", "plain"])
def test_machine_formats_import_neither_numpy_nor_rich(fmt):
    mods, out = probe(*SEED, "--format", fmt)
    assert mods == {"numpy": False, "rich": False, "code": 0}, mods
    if fmt == "json":
        assert json.loads(out)["gradient"] == {"x": 6.0, "y": -4.0}


def test_table_imports_rich_but_not_numpy():
    mods, out = probe(*SEED)
    assert mods == {"numpy": False, "rich": True, "code": 0}, mods
    assert "∂f/∂x" in out


def test_eval_and_errors_import_neither():
    assert probe("eval", "sin(x)^2 + cos(x)^2", "--at", "x=0.7", "--format", "plain")[0] == \
        {"numpy": False, "rich": False, "code": 0}
    assert probe("eval", "2x", "--at", "x=1")[0] == {"numpy": False, "rich": False, "code": 2}
    # A warning (log of a negative number) is still found without numpy.
    assert probe("grad", "log(x)", "--at", "x=-1", "--format", "json")[0] == \
        {"numpy": False, "rich": False, "code": 0}


def test_the_probe_would_notice_numpy():
    # Guard the guard: a vectorized call does import numpy, and the probe sees it.
    code = "import sys, adcli; adcli.compile('x').eval(x=[1.0, 2.0]); print('numpy' in sys.modules)"
    p = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=dict(os.environ, PYTHONPATH=ROOT),
                       capture_output=True, text=True, timeout=60)
    assert p.stdout.strip() == "True"
