"""The README shows real output: every `$ adcli ...` example in it is run and its
output compared, and its Python examples run as doctests."""
import doctest
import pathlib
import re
import shlex

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
PROMPT = "adcli> "


def shell_examples():
    """(command, expected output) for each indented block line '    $ adcli ...'."""
    lines = README.read_text(encoding="utf-8").splitlines()
    examples, i = [], 0
    while i < len(lines):
        m = re.match(r"^    \$ (adcli .*)$", lines[i])
        if not m:
            i += 1
            continue
        cmd, out = m.group(1), []
        i += 1
        if i < len(lines) and lines[i].startswith("    " + PROMPT):
            continue    # a session transcript: test_readme_session_transcripts
        while i < len(lines) and not lines[i].startswith("    $ ") and (
                lines[i].startswith("    ") or (not lines[i].strip() and _indented_follows(lines, i))):
            out.append(lines[i][4:])
            i += 1
        examples.append((cmd, "\n".join(out).rstrip()))
    return examples


def _indented_follows(lines, i):
    """A blank line inside an example's output: the block goes on after it."""
    while i < len(lines) and not lines[i].strip():
        i += 1
    return i < len(lines) and lines[i].startswith("    ") and not lines[i].startswith("    $ ")


EXAMPLES = shell_examples()


def test_readme_has_examples():
    assert len(EXAMPLES) >= 4


@pytest.mark.parametrize("cmd,expected", EXAMPLES, ids=[c for c, _ in EXAMPLES])
def test_readme_shell_example(adcli, monkeypatch, cmd, expected):
    args = shlex.split(cmd)
    if "|" in args or ">" in args:
        pytest.skip("pipelines are shown, not run")
    monkeypatch.chdir(ROOT)  # the examples name files in examples/
    r = adcli(*args[1:], env={"COLUMNS": "80", "NO_COLOR": "1", "TERM": "dumb"})
    got = (r.err + r.out).rstrip()
    got = "\n".join(line.rstrip() for line in got.splitlines())
    assert got == "\n".join(line.rstrip() for line in expected.splitlines())


def test_readme_python_examples():
    text = README.read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert blocks
    parser = doctest.DocTestParser()
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    # One doctest for all blocks: later blocks use names defined in earlier ones.
    test = parser.get_doctest("\n".join(blocks), {}, "README", str(README), 0)
    runner.run(test)
    assert runner.failures == 0 and runner.tries > 0


def session_transcripts():
    """[(typed lines, [what each printed])] for each block '    $ adcli' followed by
    prompt lines."""
    lines = README.read_text(encoding="utf-8").splitlines()
    found, i = [], 0
    while i < len(lines):
        if lines[i] == "    $ adcli" and i + 1 < len(lines) and lines[i + 1].startswith("    " + PROMPT):
            typed, printed = [], []
            i += 1
            while i < len(lines) and lines[i].startswith("    "):
                line = lines[i][4:]
                if line.startswith(PROMPT):
                    typed.append(line[len(PROMPT):])
                    printed.append([])
                else:
                    printed[-1].append(line)
                i += 1
            found.append((typed, printed))
        i += 1
    return found


def test_readme_session_transcripts(tmp_path):
    """Each transcript typed into a real terminal, line by line: what each line prints
    is what the README shows under it."""
    from ptykit import Terminal
    transcripts = session_transcripts()
    assert transcripts
    for typed, printed in transcripts:
        t = Terminal([], env={"XDG_STATE_HOME": str(tmp_path), "NO_COLOR": "1", "COLUMNS": "80"})
        try:
            t.expect(PROMPT)
            for line, want in zip(typed, printed):
                t.send(line + "\r")
                if line == ":quit":
                    assert t.wait() == 0
                    break
                got = t.expect(PROMPT)[:-len(PROMPT)].split("\n")
                assert got[0] == line        # the terminal echoes what was typed
                assert [g.rstrip() for g in got[1:-1]] == want, line
        finally:
            t.close()
