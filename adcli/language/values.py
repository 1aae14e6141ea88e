"""The pieces of POINT text that every reader shares: adcli's number syntax for values,
splitting at top-level commas, and the type of a vector value."""
# A number given as a value (--at, job files): the expression's number syntax with a sign,
# or inf, -inf and nan as adcli writes them, between spaces or tabs; as a regular expression
#   [ \t]*(?:[+-]?(?:(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|inf)|nan)[ \t]*\Z
# Only this: float() alone would also take 1_000, infinity, NaN and digits of other scripts
# (٣). Checked without a regular expression, whose compilation would cost every start 0.25
# ms: over these characters float() accepts exactly that syntax.
_NUMBER_CHARS = frozenset("0123456789.eE+-")
_SPECIAL = frozenset(("inf", "+inf", "-inf", "nan"))


def _number(text):
    """The float of text if it is a number in adcli's syntax, else None."""
    s = text.strip(" \t")
    if s in _SPECIAL:
        return float(s)
    if not s or not _NUMBER_CHARS.issuperset(s):
        return None
    try:
        return float(s)
    except ValueError:
        return None


def read_number(text):
    """The float of a number written in adcli's syntax; ValueError for anything else."""
    value = _number(text)
    if value is None:
        raise ValueError(f"not a number in adcli's syntax: {text!r}")
    return value


def is_name(text):
    """A variable name: [A-Za-z_][A-Za-z0-9_]* (no regular expression: see _NUMBER_CHARS)."""
    return text.isascii() and text.isidentifier()


class Vector(tuple):
    """A vector value written in a point (x=[1,2,3], x=@FILE): one point of a vector
    variable. (In the API a plain list for a variable that is not a vector keeps its
    meaning of many points.)"""
    __slots__ = ()


def split_top(text, sep=","):
    """(offset, piece) for each piece of text between separators outside parentheses
    and brackets."""
    pieces, depth, start = [], 0, 0
    for i, c in enumerate(text):
        if c in "([":
            depth += 1
        elif c in ")]":
            depth -= 1
        elif c == sep and depth == 0:
            pieces.append((start, text[start:i]))
            start = i + 1
    pieces.append((start, text[start:]))
    return pieces
