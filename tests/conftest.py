"""Shared helpers: run the command line in-process with the documented exit codes."""
import math
import os
import subprocess
import sys
from dataclasses import dataclass

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@dataclass
class Run:
    code: int
    out: str
    err: str

    def __iter__(self):  # code, out, err = run(...)
        return iter((self.code, self.out, self.err))


@pytest.fixture
def adcli(capsys, monkeypatch):
    """adcli(*argv, stdin=None) -> Run(code, out, err), through adcli.cli.main: the exit
    codes are the ones main() maps exceptions to, exactly as the console script returns
    them. stdin (text, encoded as UTF-8, or bytes as they are) is fed as a pipe would be."""
    from adcli.cli import main

    def run(*argv, stdin=None):
        if stdin is not None:
            import io
            data = stdin if isinstance(stdin, bytes) else stdin.encode()
            monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))
        capsys.readouterr()
        code = main(list(argv))
        out, err = capsys.readouterr()
        return Run(code, out, err)
    return run


def subprocess_adcli(*argv, cwd=None, exe=None, env=None):
    """A real process: `python -m adcli` from the checkout (or a given command)."""
    cmd = list(exe) if exe else [sys.executable, "-m", "adcli"]
    full_env = dict(os.environ, **(env or {}))
    if not exe:
        full_env["PYTHONPATH"] = ROOT + os.pathsep + full_env.get("PYTHONPATH", "")
    p = subprocess.run(cmd + list(argv), cwd=cwd or ROOT, capture_output=True, text=True,
                       env=full_env, timeout=120)
    return Run(p.returncode, p.stdout, p.stderr)


def same(a, b):
    """Exact equality that treats nan as equal to nan."""
    a, b = float(a), float(b)
    return (a != a and b != b) or a == b


def close(a, b, rel=1e-12, abs_=0.0):
    a, b = float(a), float(b)
    if a != a or b != b:
        return a != a and b != b
    if math.isinf(a) or math.isinf(b):
        return a == b
    return abs(a - b) <= max(rel * max(abs(a), abs(b)), abs_)
