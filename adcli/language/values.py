"""The pieces of POINT text that every reader shares: adcli's number syntax for values,
splitting at top-level commas, and the type of a vector value."""
import re

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")

# A number given as a value (--at, job files): the expression's number syntax with a sign,
# or inf, -inf and nan as adcli writes them. Only this: float() alone would also take
# 1_000, infinity, NaN and digits of other scripts (٣).
_NUMBER = re.compile(r"[ \t]*(?:[+-]?(?:(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|inf)|nan)[ \t]*\Z")


def read_number(text):
    """The float of a number written in adcli's syntax; ValueError for anything else."""
    if _NUMBER.match(text):
        return float(text)
    raise ValueError(f"not a number in adcli's syntax: {text!r}")


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
