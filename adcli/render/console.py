"""The Rich console the visual commands print to, and what the terminal can show.

Colour follows Rich's detection (none when piped, none with NO_COLOR). Output that is
not a terminal is not wrapped at 80 columns: it goes to a file or a program, which can
take long lines (COLUMNS still wins when it is set).
"""
import os
import sys


def console(file=None, width=None, soft_wrap=False, wide_when_piped=True, **options):
    """The one way adcli makes a Rich console: no markup, emoji codes or highlighting,
    so user text stays literal. Output that is not a terminal is not wrapped at 80
    columns unless COLUMNS says so (wide_when_piped); soft_wrap keeps a footer line
    from breaking mid-sentence. Other options (color_system, ...) go to Rich."""
    from rich.console import Console
    file = file or sys.stdout
    if width is None and wide_when_piped and not isatty(file) and not os.environ.get("COLUMNS"):
        width = 1000
    con = Console(file=file, highlight=False, soft_wrap=soft_wrap, width=width, emoji=False, markup=False,
                  **options)
    con.on_broken_pipe = _reader_gone(con)
    return con


def _reader_gone(con):
    """Rich's own answer to a closed pipe is exit 1; adcli's is 141, in every format
    (adcli.cli.main): let the BrokenPipeError through."""
    def gone():
        con.quiet = True
        raise BrokenPipeError(32, "Broken pipe")
    return gone


def isatty(f):
    try:
        return f.isatty()
    except (AttributeError, ValueError):
        return False


def wants_ascii(flag=False, con=None, file=None):
    """--ascii, or an output encoding (of the console, the file or stdout) that is not
    UTF-8: the one test of whether to draw in ASCII."""
    if flag:
        return True
    enc = con.encoding if con is not None else getattr(file or sys.stdout, "encoding", None) or "utf-8"
    return not enc.lower().replace("-", "").startswith("utf")


# name -> (Unicode, ASCII): the one table of glyphs the tables choose from.
GLYPHS = {
    "partial": ("∂", "d"),
    "dot": ("·", "*"),
    "times": ("×", "x"),
    "transpose": ("ᵀ", "^T"),
    "squared": ("²", "2"),
    "power_k": ("ᵏ", "^k"),
    "sep": ("·", ";"),
}


class Glyphs:
    def __init__(self, ascii):
        self.ascii = ascii
        for name, pair in GLYPHS.items():
            setattr(self, name, pair[1] if ascii else pair[0])


def glyphs(ascii):
    """The glyphs to print: Unicode, or ASCII when the output cannot encode it."""
    return Glyphs(bool(ascii))


def terminal_size():
    """(columns, lines) of the terminal, or the COLUMNS/LINES fallback (80 x 24)."""
    import shutil
    size = shutil.get_terminal_size((80, 24))
    return size.columns, size.lines
