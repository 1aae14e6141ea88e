"""Hardening: what fuzzing, a demanding user and a hostile environment broke. Batches keep
their shape whatever a line holds; environment problems are never exit 70; faults give one
line and a documented exit code; the batch paths have no hidden quadratic cost."""
import json
import os
import subprocess
import sys

import pytest
from conftest import ROOT

PY = [sys.executable, "-m", "adcli"]
ENV = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))


@pytest.fixture
def adcli(adcli):
    """conftest's adcli(*argv, stdin=None), and never a traceback nor an exit 70."""
    def run(*argv, stdin=None):
        r = adcli(*argv, stdin=stdin)
        assert "Traceback" not in r.err and r.code != 70, r.err
        return r
    return run


def proc(*argv, stdin=b"", shell=None, env=None, timeout=120):
    """A real `python -m adcli` process: (exit code, stdout bytes, stderr bytes). `shell`
    is a redirection applied by sh before exec ('<&-' closes stdin)."""
    cmd = PY + list(argv)
    if shell is not None:
        cmd = ["sh", "-c", f'exec "$@" {shell}', "sh", *cmd]
    p = subprocess.run(cmd, input=stdin if shell is None or "<" not in shell else None,
                       capture_output=True, cwd=ROOT, env=dict(ENV, **(env or {})), timeout=timeout)
    assert b"Traceback" not in p.stderr and p.returncode != 70, p.stderr[-2000:]
    return p.returncode, p.stdout, p.stderr


# -- input: byte order mark, line ends, closed stdin, binary files ---------------------------------


@pytest.mark.parametrize("argv,what", [(["grad", "-f", "-"], "job lines"), (["grad", "x", "--points", "-"], "points")])
def test_closed_stdin_is_a_usage_error(argv, what):
    code, out, err = proc(*argv, shell="<&-")
    assert code == 2 and err.decode() == f"adcli: error: cannot read the {what} from standard input: it is closed\n"


# -- the environment: never exit 70 ----------------------------------------------------------------

@pytest.mark.parametrize("argv", [["grad", "x*y", "--at", "x=1,y=2"],
                                  ["grad", "x*y", "--at", "x=1,y=2", "--format", "json"],
                                  ["eval", "-f", "-", "--format", "csv"],
                                  ["functions"]])
def test_a_full_disk_is_a_clear_error_74(argv):
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full")
    code, out, err = proc(*argv, stdin=b"x @ x=1\n" * 50_000, shell=">/dev/full")
    assert code == 74 and err.decode() == "adcli: error: cannot write the output: No space left on device\n"


def test_closed_stdout_is_a_clear_error_74():
    code, out, err = proc("grad", "x*y", "--at", "x=1,y=2", "--format", "json", shell=">&-")
    assert code == 74 and err == b"adcli: error: cannot write the output: standard output is closed\n"


def test_closed_stderr_keeps_the_exit_code():
    assert proc("grad", "2x", "--at", "x=1", shell="2>&-")[0] == 2
    assert proc("eval", "x", "--at", "y=1", shell="2>&-")[0] == 1
    code, out, _ = proc("grad", "x*y", "--at", "x=1,y=2", "--format", "json", shell="2>&-")
    assert code == 0 and json.loads(out)["value"] == 2
    assert proc("grad", "x", "--at", "x=1", shell=">&- 2>&-")[0] == 74


@pytest.mark.parametrize("unbuffered", ["1", ""])
def test_a_non_blocking_stdout_pipe_gets_every_byte(tmp_path, unbuffered):
    """PYTHONUNBUFFERED=1 and a non-blocking pipe: 9.9 MB of output arrived as 64 KB and
    exit 0. Every byte must arrive (or the run fail loudly)."""
    import time
    path = tmp_path / "jobs.txt"
    path.write_bytes(b"".join(b"x^2 + %d @ x=%d\n" % (i % 7, i) for i in range(60_000)))
    want = proc("grad", "-f", str(path), "--format", "json")[1]
    r, w = os.pipe()
    os.set_blocking(w, False)
    p = subprocess.Popen(PY + ["grad", "-f", str(path), "--format", "json"], cwd=ROOT, stdin=subprocess.DEVNULL,
                         stdout=w, stderr=subprocess.PIPE, env=dict(ENV, PYTHONUNBUFFERED=unbuffered))
    os.close(w)
    try:
        time.sleep(0.5)          # let the pipe fill up before reading it
        got = []
        while True:
            data = os.read(r, 1 << 16)
            if not data:
                break
            got.append(data)
        assert p.wait(timeout=120) == 0 and p.stderr.read() == b""
        assert b"".join(got) == want and len(want) > 1 << 20
    finally:
        os.close(r)
        if p.poll() is None:
            p.kill()
            p.wait()


READER_GONE = [
    ["grad", "-f", "-"], ["grad", "-f", "-", "--format", "json"], ["grad", "-f", "-", "--format", "csv"],
    ["grad", "-f", "-", "--format", "plain"],
    ["grad", "x*y", "--points", "-"], ["grad", "x*y", "--points", "-", "--format", "json"],
    ["grad", "x*y", "--points", "-", "--format", "csv"], ["grad", "x*y", "--points", "-", "--format", "plain"],
    ["grad", "x*y", "--at", "x=1,y=2"], ["grad", "x*y", "--at", "x=1,y=2", "--format", "json"],
    ["hessian", "x*y", "--at", "x=1,y=2"], ["trace", "x*y", "--at", "x=1,y=2"],
    ["functions"], ["--help"], ["grad", "--help"],
]


@pytest.mark.parametrize("argv", READER_GONE, ids=" ".join)
def test_a_reader_gone_before_the_output_is_exit_141_in_every_format(argv):
    """stdout is a pipe whose reader is gone before adcli writes (`| head` finishing
    early): 141, quietly, whatever writes it (Rich's own handler said 1)."""
    rows = b"x,y\n" + b"1.5,2\n" * 2000 if "--points" in argv else b"x*y @ x=1, y=2\n" * 2000
    r, w = os.pipe()
    os.close(r)
    try:
        p = subprocess.run(PY + argv, cwd=ROOT, env=ENV, input=rows, stdout=w, stderr=subprocess.PIPE,
                           timeout=120)
    finally:
        os.close(w)
    assert (p.returncode, p.stderr) == (141, b"")


@pytest.mark.parametrize("fmt", ["table", "json", "csv", "plain"])
def test_head_minus_one_on_a_big_batch_is_141(tmp_path, fmt):
    path = tmp_path / "jobs.txt"
    path.write_bytes(b"".join(b"x^2 + %d @ x=%d\n" % (i % 5, i) for i in range(100_000)))
    cmd = " ".join(PY) + f" grad -f {path} --format {fmt} | head -1 >/dev/null; echo ${{PIPESTATUS[0]}}"
    out = subprocess.run(["bash", "-c", cmd], cwd=ROOT, env=ENV, capture_output=True, timeout=120)
    assert out.stdout.strip() == b"141" and out.stderr == b"", out
