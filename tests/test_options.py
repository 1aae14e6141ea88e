"""Command-line options shared by commands: repeats, @FILE expressions, help texts,
mistyped command names."""
import json

import pytest


def test_mistyped_command_suggests_the_closest(adcli):
    r = adcli("gard", "x^2", "--at", "x=3")
    assert (r.code, r.out) == (2, "")
    assert r.err == "adcli: error: no such command 'gard'; did you mean 'grad'?\n"


def test_unknown_command_lists_the_commands(adcli):
    r = adcli("zzz", "x")
    assert (r.code, r.out) == (2, "")
    assert r.err.startswith("adcli: error: no such command 'zzz'\ncommands: eval, grad, jacobian,")
    assert "did you mean" not in r.err and "Traceback" not in r.err


def test_unknown_command_name_is_escaped(adcli):
    r = adcli("gr\x1bd")
    assert r.code == 2 and "\x1b" not in r.err
    assert r.err == "adcli: error: no such command 'gr\\x1bd'; did you mean 'grad'?\n"
