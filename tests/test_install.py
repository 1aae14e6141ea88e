"""The installed package works from outside the checkout: the grammar ships inside it.

After `pip install .` (as .ci/run does) the console script is on PATH and adcli imports
from site-packages; these tests then run it from an empty directory. In a bare checkout
they skip, saying why. The wheel test builds a wheel when hatchling is importable and
runs it unpacked, which proves the same without installing anything.
"""
import json
import os
import shutil
import subprocess
import sys
import zipfile

import pytest

from conftest import ROOT

pytestmark = pytest.mark.slow  # installs, wheel builds and interpreters started from outside the checkout

SEED = ["grad", "(x+y)*(x-y)", "--at", "x=3,y=2", "--format", "json"]
EXPECTED = {"expr": "(x+y)*(x-y)", "at": {"x": 3.0, "y": 2.0}, "value": 5.0, "gradient": {"x": 6.0, "y": -4.0}}


def _clean_env():
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    return env


def _from_checkout(module_file):
    # The checkout's own package, not a venv that happens to live inside the checkout (.venv-ci).
    return os.path.realpath(os.path.dirname(module_file)) == os.path.realpath(os.path.join(ROOT, "adcli"))


def _installed_adcli(python):
    """(adcli.__file__, grammar path) as seen by `python` run from an empty directory, or None."""
    code = "import adcli, adcli.language.syntax as s; print(adcli.__file__); print(s.grammar_path())"
    p = subprocess.run([python, "-c", code], cwd="/", env=_clean_env(), capture_output=True, text=True,
                       timeout=60)
    if p.returncode != 0:
        return None
    return p.stdout.splitlines()


def test_console_script_runs_from_outside_the_checkout(tmp_path):
    exe = shutil.which("adcli")
    if exe is None:
        pytest.skip("the adcli console script is not installed: run `pip install .` (as .ci/run does)")
    p = subprocess.run([exe, *SEED], cwd=tmp_path, env=_clean_env(), capture_output=True, text=True,
                       timeout=60)
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout) == EXPECTED and p.stderr == ""
    p = subprocess.run([exe, "eval", "2x"], cwd=tmp_path, env=_clean_env(), capture_output=True, text=True,
                       timeout=60)
    assert p.returncode == 2 and "write 2*x" in p.stderr and "Traceback" not in p.stderr


def test_python_m_adcli_from_site_packages(tmp_path):
    found = _installed_adcli(sys.executable)
    if found is None:
        pytest.skip("adcli is not installed in this interpreter's site-packages: run `pip install .`")
    module_file, grammar = found
    if _from_checkout(module_file):
        pytest.skip(f"adcli imports from the checkout ({module_file}), an editable install")
    # The grammar is read from inside the installed package, not from a checkout.
    assert os.path.dirname(grammar) == os.path.join(os.path.dirname(module_file), "grammar")
    p = subprocess.run([sys.executable, "-m", "adcli", *SEED], cwd=tmp_path, env=_clean_env(),
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout) == EXPECTED


def test_wheel_carries_the_grammar_and_runs_unpacked(tmp_path):
    pytest.importorskip("hatchling", reason="hatchling is needed to build the wheel offline")
    out = tmp_path / "dist"
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                            "--quiet", "-w", str(out), ROOT], capture_output=True, text=True, timeout=300)
    assert build.returncode == 0, build.stderr
    (wheel,) = out.glob("adcli-*.whl")
    with zipfile.ZipFile(wheel) as z:
        names = z.namelist()
        assert "adcli/grammar/adcli.lark" in names
        with open(os.path.join(ROOT, "grammar", "adcli.lark"), encoding="utf-8") as f:
            assert z.read("adcli/grammar/adcli.lark").decode("utf-8") == f.read()
        assert not any(n.startswith("tests/") for n in names)
        z.extractall(tmp_path / "site")
    work = tmp_path / "elsewhere"
    work.mkdir()
    env = dict(_clean_env(), PYTHONPATH=str(tmp_path / "site"))
    p = subprocess.run([sys.executable, "-m", "adcli", *SEED], cwd=work, env=env, capture_output=True,
                       text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    assert json.loads(p.stdout) == EXPECTED
