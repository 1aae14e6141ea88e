"""Batch mode of jacobian, hessian, jvp, vjp, taylor and check (-f FILE, -f -, piped
stdin, --points CSV): every format, input order, error lines, exit codes, --strict,
and each batch result against the same line run on its own. Also: trace, graph and
plot refuse batches clearly, and a reader that closes stdout early ends adcli quietly."""
import os
import subprocess
import sys

from conftest import ROOT


def _subprocess(argv, stdin=None, shell=None):
    env = dict(os.environ, PYTHONPATH=ROOT, ADCLI_NO_PROGRESS="1")
    return subprocess.run(shell or [sys.executable, "-m", "adcli", *argv], input=stdin, cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)


# -- a closed standard output ---------------------------------------------------------------

def test_head_closing_the_pipe_ends_quietly_with_141(tmp_path):
    jobs = tmp_path / "bigjobs.txt"
    jobs.write_text("".join(f"x^2 @ x={i}\n" for i in range(200000)))
    cmd = (f"'{sys.executable}' -m adcli grad -f '{jobs}' --format csv | head -1; "
           "echo \"status=${PIPESTATUS[0]}\"")
    p = _subprocess(None, shell=["bash", "-c", cmd])
    assert p.stdout == "line,expr,at,value,gradient,error\nstatus=141\n"
    assert p.stderr == ""
