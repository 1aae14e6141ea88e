"""Output to a stream that cannot encode Unicode (PYTHONIOENCODING=ascii or latin-1):
tables choose ASCII glyphs, and nothing ever ends as an internal error (exit 70)."""
import io
import sys

import pytest

import adcli.render.text
from conftest import subprocess_adcli


def test_unencodable_text_is_escaped_not_an_internal_error(monkeypatch):
    """The last-resort net in cli.main: a character the stream cannot encode is written
    backslash-escaped instead of raising UnicodeEncodeError (exit 70)."""
    from adcli.cli import main
    raw = io.BytesIO()
    out = io.TextIOWrapper(raw, encoding="ascii", write_through=True)
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setattr(adcli.render.text, "write_plain",
                        lambda result, precision=None, out=None: sys.stdout.write("\u2202f/\u2202x\n"))
    assert main(["grad", "x^2", "--at", "x=3", "--format", "plain"]) == 0
    assert raw.getvalue() == b"\\u2202f/\\u2202x\n"


EVERY_COMMAND = [
    ["eval", "x^2, 2^x", "--at", "x=3"],
    ["grad", "x^2*y", "--at", "x=3,y=2"],
    ["jacobian", "x*y, x+y", "--at", "x=3,y=2"],
    ["hessian", "x^2*y", "--at", "x=3,y=2"],
    ["jvp", "x*y, x+y", "--at", "x=3,y=2", "--dir", "x=1,y=0"],
    ["vjp", "x*y, x+y", "--at", "x=3,y=2", "--cotangent", "1,0"],
    ["taylor", "exp(x)", "--at", "x=0", "--order", "3"],
    ["taylor", "x*y^2", "--at", "x=1,y=2", "--dir", "x=1,y=1", "--order", "2"],
    ["check", "x^y", "--at", "x=2,y=3"],
    ["check", "relu(x)", "--at", "x=0"],
    ["trace", "log(x1) + x1*x2 - sin(x2)", "--at", "x1=2,x2=5"],
    ["trace", "log(x1) + x1*x2 - sin(x2)", "--at", "x1=2,x2=5", "--mode", "reverse"],
    ["graph", "x*y + sin(x)", "--at", "x=1,y=2"],
    ["parse", "x*y + sin(x)"],
    ["plot", "sin(x)", "--range", "0:3"],
    ["functions"],
    ["grad", "-f", "examples/jobs-with-errors.txt"],
    ["hessian", "x^2*y", "--points", "examples/points.csv"],
]


@pytest.mark.parametrize("encoding", ["ascii", "latin-1"])
@pytest.mark.parametrize("argv", EVERY_COMMAND, ids=[" ".join(a[:2]) for a in EVERY_COMMAND])
def test_every_command_prints_in_a_legacy_encoding(argv, encoding):
    p = subprocess_adcli(*argv, env={"PYTHONIOENCODING": encoding, "COLUMNS": "80"})
    assert p.code in (0, 1), p.err  # check relu(x) at 0 and the error jobs exit 1
    assert "Traceback" not in p.err and "internal error" not in p.err
    assert p.out
    # ASCII chosen by the tables, not escapes from the last-resort net
    assert "\\u" not in p.out and "\\x" not in p.out, p.out
    assert p.out.isascii()


def test_ascii_labels(tmp_path):
    env = {"PYTHONIOENCODING": "ascii", "COLUMNS": "80"}
    grad = subprocess_adcli("grad", "x^2*y", "--at", "x=3,y=2", env=env).out
    assert "df/dx" in grad and "df/dy" in grad and "-----" in grad
    hess = subprocess_adcli("hessian", "x^2*y", "--at", "x=3,y=2", env=env).out
    assert "d2f/d*dx" in hess and "df/d*" in hess
    taylor = subprocess_adcli("taylor", "exp(x)", "--at", "x=0", env=env).out
    assert "d^kf/dx^k" in taylor
    vjp = subprocess_adcli("vjp", "x*y, x+y", "--at", "x=3,y=2", "--cotangent", "1,0", env=env).out
    assert "u^T*J" in vjp
