"""Output to a stream that cannot encode Unicode (PYTHONIOENCODING=ascii or latin-1):
tables choose ASCII glyphs, and nothing ever ends as an internal error (exit 70)."""
import io
import sys

import adcli.output


def test_unencodable_text_is_escaped_not_an_internal_error(monkeypatch):
    """The last-resort net in cli.main: a character the stream cannot encode is written
    backslash-escaped instead of raising UnicodeEncodeError (exit 70)."""
    from adcli.cli import main
    raw = io.BytesIO()
    out = io.TextIOWrapper(raw, encoding="ascii", write_through=True)
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setattr(adcli.output, "write_plain",
                        lambda result, command, precision=None, out=None: sys.stdout.write("\u2202f/\u2202x\n"))
    assert main(["grad", "x^2", "--at", "x=3", "--format", "plain"]) == 0
    assert raw.getvalue() == b"\\u2202f/\\u2202x\n"
