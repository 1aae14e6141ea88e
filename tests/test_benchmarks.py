"""The benchmark scripts run by hand, so nothing else notices when a module they import
moves (the layer split left benchmarks/kernel.py importing adcli.vectorized): every
import of adcli in benchmarks/ must resolve."""
import ast
import importlib
import pathlib

import pytest

from conftest import ROOT

SCRIPTS = sorted(pathlib.Path(ROOT, "benchmarks").glob("*.py"))


def adcli_imports(path):
    """(line, module, name or None) of each `import adcli...` and `from adcli... import name`."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from ((node.lineno, a.name, None) for a in node.names if a.name.split(".")[0] == "adcli")
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and (node.module or "").split(".")[0] == "adcli":
            yield from ((node.lineno, node.module, a.name) for a in node.names)


def test_the_benchmarks_import_adcli():
    assert SCRIPTS and sum(1 for p in SCRIPTS for _ in adcli_imports(p)) >= 10


@pytest.mark.parametrize("path", SCRIPTS, ids=lambda p: p.name)
def test_every_adcli_import_in_a_benchmark_resolves(path):
    for line, module, name in adcli_imports(path):
        where = f"{path.name}:{line}"
        mod = importlib.import_module(module)
        if name is not None and not hasattr(mod, name):
            try:
                importlib.import_module(f"{module}.{name}")  # a submodule not imported yet
            except ModuleNotFoundError:
                pytest.fail(f"{where}: from {module} import {name}: no such name")
