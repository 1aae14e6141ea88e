"""Helpers for the trace/graph/plot tests: a fixed-width colourless Rich console and text
normalization. (They run the command line through conftest's adcli fixture.)"""
import io
import unicodedata


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
