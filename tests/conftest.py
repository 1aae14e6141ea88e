"""Shared helpers, the only copies in the suite:

- `adcli` (fixture): the command line in-process, with the documented exit codes; what
  almost every CLI test uses.
- `subprocess_adcli`, `subprocess_env`, `probe`: a real process, for the few tests where a
  real process is what is tested (start-up imports, the stream encoding the interpreter
  chooses, pipes closed by their reader, signals, streaming while stdin is open).
- `same`, `close`: number comparisons; `strict_json`, `jsonl`: JSON as RFC 8259 has it.
"""
import json
import math
import os
import subprocess
import sys
from typing import NamedTuple

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# What a developer's terminal may export that changes what adcli prints. Every test starts
# without them, as in CI and as when piped, and sets what it needs (adcli's env=, or
# monkeypatch.setenv).
TERMINAL_ENV = ("COLUMNS", "LINES", "NO_COLOR", "FORCE_COLOR", "ADCLI_TRACEBACK")


@pytest.fixture(autouse=True)
def _piped_environment(monkeypatch):
    for name in TERMINAL_ENV:
        monkeypatch.delenv(name, raising=False)


class Run(NamedTuple):
    """code, out, err = adcli(...), or r.code, r.out, r.err."""
    code: int
    out: str
    err: str


@pytest.fixture
def adcli(capsys, monkeypatch):
    """adcli(*argv, stdin=None, env=None) -> Run(code, out, err), through adcli.cli.main: the
    exit codes are the ones main() maps exceptions to, exactly as the console script
    returns them. stdin (text, encoded as UTF-8, or bytes as they are) is fed as a pipe
    would be. env sets variables for this call only ({name: None} unsets one). A Python
    traceback in the output fails the test: users never see one."""
    from adcli.cli import main

    def run(*argv, stdin=None, env=None):
        if stdin is not None:
            import io
            data = stdin if isinstance(stdin, bytes) else stdin.encode()
            monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"))
        saved = {name: os.environ.get(name) for name in env or {}}
        try:
            _set_env(os.environ, env or {})
            capsys.readouterr()
            code = main(list(argv))
            out, err = capsys.readouterr()
        finally:
            _set_env(os.environ, saved)
        assert "Traceback (most recent call last)" not in out + err, err
        return Run(code, out, err)
    return run


def _set_env(environ, changes):
    for name, value in changes.items():
        if value is None:
            environ.pop(name, None)
        else:
            environ[name] = value


def subprocess_env(env=None):
    """os.environ for a child that imports adcli from this checkout, with env's changes
    ({name: None} unsets one)."""
    full = dict(os.environ)
    full["PYTHONPATH"] = ROOT + os.pathsep + full.get("PYTHONPATH", "")
    _set_env(full, env or {})
    return full


def subprocess_adcli(*argv, cwd=None, exe=None, env=None, stdin=None):
    """A real process: `python -m adcli` from the checkout (or a given command), stdin
    text through a pipe (or none: an empty pipe)."""
    cmd = list(exe) if exe else [sys.executable, "-m", "adcli"]
    full_env = subprocess_env(env) if not exe else _changed(os.environ, env or {})
    p = subprocess.run(cmd + list(argv), cwd=cwd or ROOT, capture_output=True, text=True,
                       input=stdin if stdin is not None else "", env=full_env, timeout=120)
    return Run(p.returncode, p.stdout, p.stderr)


def _changed(environ, changes):
    full = dict(environ)
    _set_env(full, changes)
    return full


class Probe(NamedTuple):
    """What a fresh interpreter did: exit codes of each main(argv), stdout, and the
    modules it had imported at the end."""
    codes: list
    out: str
    modules: frozenset

    def imported(self, package):
        return any(m == package or m.startswith(package + ".") for m in self.modules)


_PROBE = """
import sys
from adcli.cli import main
codes = []
for argv in {argvs!r}:
    codes.append(main(argv))
sys.stdout.flush()
sys.stderr.write("PROBE " + repr((codes, sorted(sys.modules))) + "\\n")
"""


def probe(*argvs, stdin=None):
    """Run main(argv) for each argv (a list) in one fresh interpreter, standard input a
    pipe holding stdin: start-up imports can only be seen in a process of their own."""
    p = subprocess.run([sys.executable, "-c", _PROBE.format(argvs=[list(a) for a in argvs])], cwd=ROOT,
                       env=subprocess_env(), capture_output=True, text=True, timeout=60,
                       input=stdin if stdin is not None else "")
    lines = [x for x in p.stderr.splitlines() if x.startswith("PROBE ")]
    assert lines, p.stderr
    import ast
    codes, modules = ast.literal_eval(lines[-1][len("PROBE "):])
    return Probe(codes, p.stdout, frozenset(modules))


def same(a, b):
    """Exact equality that treats nan as equal to nan (None equals only None)."""
    if a is None or b is None:
        return a is b
    a, b = float(a), float(b)
    return (a != a and b != b) or a == b


def close(a, b, rel=1e-12, abs_=0.0):
    """|a - b| <= max(rel * max(|a|, |b|), abs_); nan only equals nan, inf only itself."""
    a, b = float(a), float(b)
    if a != a or b != b:
        return a != a and b != b
    if math.isinf(a) or math.isinf(b):
        return a == b
    return abs(a - b) <= max(rel * max(abs(a), abs(b)), abs_)


def strict_json(text):
    """json.loads that rejects NaN/Infinity literals (RFC 8259)."""
    def bad(name):
        raise ValueError(f"non-standard JSON constant {name}")
    return json.loads(text, parse_constant=bad)


def jsonl(text):
    """One strict JSON value a line."""
    return [strict_json(line) for line in text.splitlines()]
