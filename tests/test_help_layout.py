"""Help text fits 80 columns: prose is rewrapped by click, and a block that must keep
its lines (a formula, examples) is a \\b paragraph. Example command lines are exempt:
a command cannot be broken."""
import pytest

from adcli.cli import COMMANDS


@pytest.fixture(autouse=True)
def columns_80(monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")


@pytest.mark.parametrize("command", list(COMMANDS))
def test_help_prose_fits_80_columns(adcli, command):
    p = adcli(command, "--help")
    assert p.code == 0
    long = [line for line in p.out.splitlines()
            if len(line) > 80 and not line.strip().startswith(("adcli ", "cat "))]
    assert long == []


def test_check_help_keeps_the_formula_on_its_own_line(adcli):
    out = adcli("check", "--help").out
    assert "\n    |AD - FD| <= 1e-6 * max(1, |AD|)\n" in out
    assert "Why 1e-6: on a smooth function" in out
