"""Golden holdout: every command line in tests/golden/cases.txt gives exactly the stdout,
stderr and exit code recorded in tests/golden/expected.json.

The recording was made from commit 927cc41, the last commit before the package was split
into one package per layer: the split promised that no output byte changes, and this holds
it to that. The cases run in-process through conftest's `adcli` runner, in a fixed
environment (below). Regenerate expected.json only when a change of output is intended:
`python tests/golden/regen.py` (see its docstring).
"""
import io
import json
import os
import shlex
import sys

import pytest

from conftest import ROOT

GOLDEN = os.path.join(ROOT, "tests", "golden")
CASES = os.path.join(GOLDEN, "cases.txt")
EXPECTED = os.path.join(GOLDEN, "expected.json")

# Set by regen.py: record each case's output to this file (one JSON object a line)
# instead of comparing it.
RECORD = os.environ.get("ADCLI_GOLDEN_RECORD")

# The environment of every case; a case may add COLUMNS or LINES of its own.
ENV = {"NO_COLOR": "1", "TERM": "dumb", "ADCLI_NO_PROGRESS": "1", "ADCLI_THREADS": "1", "LINES": "24"}
# Variables that would change the output, removed unless a case sets them.
UNSET = ("COLUMNS", "FORCE_COLOR", "CLICOLOR_FORCE", "COLORTERM", "TTY_COMPATIBLE", "TTY_INTERACTIVE",
         "JUPYTER_COLUMNS", "JUPYTER_LINES", "ADCLI_TRACEBACK")

# Cases whose output differs from the recording, each a bug reported to the lead:
# {case line: reason}. They run as strict xfails, so fixing the bug turns them into a
# failure that says to remove the entry. Never regenerate expected.json to hide one.
KNOWN_DIFFERENCES = {}


def read_cases(path=CASES):
    """The case lines of cases.txt, in order (comments and blank lines skipped)."""
    with open(path, encoding="utf-8") as f:
        return [line.rstrip("\n") for line in f if line.strip() and not line.lstrip().startswith("#")]


def parse_case(line):
    """(env, argv, stdin) of a case line: `[NAME=VALUE ...] adcli ARGS... [< FILE | <<< TEXT]`.
    stdin is bytes, or None for a terminal."""
    words = shlex.split(line)
    env = {}
    while words and words[0] != "adcli":
        name, sep, value = words.pop(0).partition("=")
        if not sep or not name.isidentifier():
            raise ValueError(f"golden case must start with NAME=VALUE ... adcli: {line}")
        env[name] = value
    if not words:
        raise ValueError(f"golden case has no 'adcli': {line}")
    argv, stdin = words[1:], None
    if len(argv) >= 2 and argv[-2] in ("<", "<<<"):
        op, operand = argv[-2], argv[-1]
        argv = argv[:-2]
        if op == "<":
            with open(os.path.join(ROOT, operand), "rb") as f:
                stdin = f.read()
        else:
            stdin = operand.encode("latin-1", "backslashreplace").decode("unicode_escape").encode("utf-8")
    return env, argv, stdin


class Terminal(io.TextIOWrapper):
    """Standard input that is a terminal: no job lines are waiting on it."""

    def isatty(self):
        return True


def _no_terminal_size(fd=None):
    raise OSError("golden cases run without a terminal size")


def run_case(line, adcli, monkeypatch):
    """Run one case in its fixed environment; returns conftest's Run."""
    env, argv, stdin = parse_case(line)
    # Neither Rich nor shutil may ask the real terminal (pytest's own standard input may
    # be one): without COLUMNS the width is what a pipe gets, as in CI.
    monkeypatch.setattr(os, "get_terminal_size", _no_terminal_size)
    monkeypatch.chdir(ROOT)
    if stdin is None:
        monkeypatch.setattr(sys, "stdin", Terminal(io.BytesIO(b""), encoding="utf-8"))
    return adcli(*argv, stdin=stdin, env={**dict.fromkeys(UNSET), **ENV, **env})


def _expected():
    if not os.path.exists(EXPECTED):
        return {}
    with open(EXPECTED, encoding="utf-8") as f:
        return json.load(f)["cases"]


def _params():
    out = []
    for line in read_cases():
        marks = ()
        if line in KNOWN_DIFFERENCES and not RECORD:
            marks = pytest.mark.xfail(strict=True, reason=KNOWN_DIFFERENCES[line])
        out.append(pytest.param(line, marks=marks, id=line))
    return out


EXPECTED_CASES = {} if RECORD else _expected()


@pytest.mark.parametrize("line", _params())
def test_golden(line, adcli, monkeypatch):
    got = run_case(line, adcli, monkeypatch)
    if RECORD:
        import adcli as package
        with open(RECORD, "a", encoding="utf-8") as f:
            f.write(json.dumps({"case": line, "exit": got.code, "stdout": got.out, "stderr": got.err,
                                "package": package.__file__}) + "\n")
        return
    want = EXPECTED_CASES.get(line)
    assert want is not None, f"no recorded output for this case: run tests/golden/regen.py ({line})"
    # One assertion per stream, so that a failure shows which one differs.
    assert got.err == want["stderr"], "stderr differs"
    assert got.out == want["stdout"], "stdout differs"
    assert got.code == want["exit"], "exit code differs"


def test_every_recorded_case_is_still_a_case():
    """A case removed from cases.txt leaves no stale output behind in expected.json."""
    if RECORD:
        pytest.skip("recording")
    assert set(EXPECTED_CASES) == set(read_cases())


def test_the_cases_cover_every_command():
    commands = {parse_case(line)[1][0] for line in read_cases() if parse_case(line)[1]}
    from adcli.cli import COMMANDS
    assert set(COMMANDS) <= commands
