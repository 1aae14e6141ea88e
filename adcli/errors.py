"""Errors users see: each knows its exit code, its kind and, for errors in the
expression, where in the source it happened, so one line plus a caret explains it.
Also the one place that writes a message to stderr (error, warn), for every layer."""

import sys
import unicodedata


class ExitCode:
    """adcli's documented exit codes (README, 'Errors and exit codes'): plain ints, not
    an IntEnum, whose class creation would cost every start 0.13 ms."""
    OK = 0
    EVAL = 1          # the expression is fine but could not be evaluated; a batch line failed
    USAGE = 2         # bad command line, bad expression or bad point
    UNVERIFIED = 3    # check: finite differences can neither confirm nor refute AD at the point
    INTERNAL = 70     # a bug in adcli
    IO = 74           # the input could not be read or the output written (a full disk, a closed stdout), EX_IOERR
    INTERRUPTED = 130  # Ctrl-C
    READER_GONE = 141  # stdout closed by its reader (adcli ... | head), as SIGPIPE would (128 + 13)


EXIT_OK, EXIT_EVAL, EXIT_USAGE = ExitCode.OK, ExitCode.EVAL, ExitCode.USAGE


class AdcliError(Exception):
    exit_code = EXIT_EVAL
    kind = "value"

    def __init__(self, message, source=None, pos=None, hint=None):
        super().__init__(message)
        self.message = message
        self.source = source
        self.pos = pos
        self.hint = hint

    def __str__(self):
        return self.message

    def render(self, width=72):
        """The message, then the offending line with a caret under the column."""
        lines = [self.message]
        if self.source is not None and self.pos is not None:
            lines.extend(caret_lines(self.source, self.pos, width))
        if self.hint:
            lines.append(self.hint)
        return "\n".join(lines)


class ExprError(AdcliError):
    """The expression cannot be read: a syntax error, an unknown name, a wrong arity."""
    exit_code = EXIT_USAGE

    def __init__(self, message, source=None, pos=None, hint=None, kind="parse"):
        super().__init__(message, source, pos, hint)
        self.kind = kind


class UsageError(AdcliError):
    exit_code = EXIT_USAGE
    kind = "usage"


class EvalError(AdcliError):
    exit_code = EXIT_EVAL
    kind = "value"


class StreamError(AdcliError):
    """The environment, not adcli: the output cannot be written (a full disk, standard
    output closed) or the input cannot be read past its start (an I/O error)."""
    exit_code = ExitCode.IO
    kind = "io"


def error(message):
    """One message on stderr, written as text: user input in it is never interpreted,
    control characters in it are shown escaped, and a long run of it is clipped."""
    safe = "\n".join(printable(clip(line)) for line in message.split("\n"))
    _to_stderr(f"adcli: error: {safe}\n")


def warn(message):
    _to_stderr(f"adcli: warning: {printable(clip(message))}\n")


def _to_stderr(text):
    """A message for stderr; when stderr itself cannot take it (closed, a full disk) there
    is nowhere to say so, and the exit code still tells."""
    try:
        sys.stderr.write(text)
    except (AttributeError, OSError, ValueError):
        pass


CLIP = 80   # a run of more non-blank characters than this is cut in the middle in messages


def clip(message, limit=CLIP):
    """The message with every run of more than `limit` non-blank characters (a name, a
    number, a line of input quoted in it) cut in the middle, saying how long it was:
    a message about a 50 MB name is one readable line, not 50 MB."""
    if len(message) <= limit:
        return message
    import re
    keep = max(8, limit // 2)
    return re.sub(r"\S{%d,}" % (limit + 1),
                  lambda m: f"{m[0][:keep]}...[{len(m[0]):,} characters]...{m[0][-keep // 4:]}", message)


def printable(text):
    """User text made safe for a terminal or a line-based file: every character that
    str.isprintable() refuses becomes an escape (\\x1b, \\x85, \\u202e, \\u2028): C0 and
    C1 controls, DEL, CR, NUL, bidi overrides and isolates, line and paragraph
    separators. So it is neither interpreted nor emitted raw, and a line of it stays
    one line. The one rule of what to escape, for every format: JSON writes the same
    characters as \\u escapes (printable_json)."""
    if text.isprintable():
        return text
    return "".join(_show(c) for c in text)


def printable_json(text):
    """JSON text with the characters printable() escapes written as JSON \\u escapes:
    still valid JSON, which decodes to the same strings, and one line whatever the
    strings hold (json.dumps leaves DEL, C1 controls, bidi controls and U+2028 raw)."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else _json_escape(c) for c in text)


def _json_escape(c):
    code = ord(c)
    if code < 0x10000:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xd800 + (code >> 10):04x}\\u{0xdc00 + (code & 0x3ff):04x}"


def _show(c):
    if c == "\t":
        return " "
    if c.isprintable():
        return c
    code = ord(c)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def _width(s):
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 0 if unicodedata.combining(c) else 1 for c in s)


def caret_lines(source, pos, width=72):
    """Two lines: the source line holding `pos` (escaped, clipped to `width` around the
    column) and a caret under the character at `pos`."""
    pos = max(0, min(pos, len(source)))
    start = source.rfind("\n", 0, pos) + 1
    end = source.find("\n", pos)
    if end < 0:
        end = len(source)
    line, col = source[start:end], pos - start
    lineno = source.count("\n", 0, start) + 1
    before, rest = printable(line[:col]), printable(line[col:])
    at = printable(line[col]) if col < len(line) else ""
    # Clip very long lines (1 MB of input) to a window around the column.
    room = max(20, width - 4)
    if _width(before) > room // 2:
        before = "..." + before[-(room // 2):]
    if _width(before) + _width(rest) > room:
        rest = rest[:max(1, room - _width(before))] + "..."
    shown = before + rest
    where = f"line {lineno}: " if "\n" in source else ""
    lead = "  " + where
    return [lead + shown, " " * (len(lead) + _width(before)) + "^" * max(1, _width(at) if at else 1)]
