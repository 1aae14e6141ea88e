"""Helpers for the trace/graph/plot tests: run the command line in-process with captured
streams, and a fixed-width colourless Rich console."""
import contextlib
import io
import unicodedata

from adcli.cli import main


def run(*args, env=None):
    """(exit code, stdout, stderr) of `adcli ARGS`, with COLUMNS/LINES unset (as when
    piped) unless `env` sets them."""
    import os
    saved = {k: os.environ.pop(k, None) for k in ("COLUMNS", "LINES", "NO_COLOR", "FORCE_COLOR")}
    os.environ.update(env or {})
    out, err = io.StringIO(), io.StringIO()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(list(args))
    finally:
        for k in ("COLUMNS", "LINES", "NO_COLOR", "FORCE_COLOR"):
            os.environ.pop(k, None)
            if saved[k] is not None:
                os.environ[k] = saved[k]
    return code, out.getvalue(), err.getvalue()


def fixed_console(width=100):
    from rich.console import Console
    return Console(file=io.StringIO(), width=width, color_system=None, force_terminal=False,
                   highlight=False, markup=False, emoji=False, soft_wrap=False)


def text_of(console):
    """What a fixed console printed, with trailing spaces dropped from each line."""
    return stripped(console.file.getvalue())


def stripped(text):
    """Lines without trailing spaces, in NFC (so expected strings typed with ẋ match)."""
    return unicodedata.normalize("NFC", "\n".join(line.rstrip() for line in text.splitlines()) + "\n")


def nfc(text):
    return unicodedata.normalize("NFC", text)
