"""POINT syntax: `x=3, y=-2, z=pi/4`. A value is a number or a constant expression."""
from ..engine.sweep import values
from ..errors import AdcliError, UsageError
from ..ops import scalar
from ..ops.table import CONSTANTS
from . import parse

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


def split_top(text, sep=","):
    """(offset, piece) for each piece of text between separators outside parentheses."""
    pieces, depth, start = [], 0, 0
    for i, c in enumerate(text):
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == sep and depth == 0:
            pieces.append((start, text[start:i]))
            start = i + 1
    pieces.append((start, text[start:]))
    return pieces


def refuse_constant(name, source=None, pos=None):
    """pi and e are constants in expressions; a value given for one would be ignored."""
    if name in CONSTANTS:
        raise UsageError(f"'{name}' is the constant {name} = {CONSTANTS[name]!r} in expressions, not a variable",
                         source, pos, f"rename the variable, for example to {name}_")


def parse_point(texts, point=None):
    """{name: float} from one or more POINT strings (the repeated --at options)."""
    point = {} if point is None else point
    for text in texts:
        read = text
        if not text.isascii():   # Unicode spaces are spaces; positions stay the user's
            from .syntax import normalize
            read = normalize(text)
        for offset, piece in split_top(read):
            if not piece.strip():
                if piece or len(read.strip()) == 0:
                    raise UsageError("empty point: give values as name=value, as in x=3,y=2",
                                     text, offset)
                continue
            name, eq, value = piece.partition("=")
            at = offset + len(piece) - len(piece.lstrip())
            if not eq:
                raise UsageError(f"expected name=value, got '{piece.strip()}'", text, at,
                                 "write the point as x=3,y=2")
            name = name.strip()
            if not is_name(name):
                raise UsageError(f"'{name}' is not a variable name", text, at)
            refuse_constant(name, text, at)
            if name in point:
                raise UsageError(f"'{name}' is given twice", text, at)
            point[name] = constant_value(value, text, offset + len(piece) - len(value))
    return point


def constant_value(text, where=None, offset=0):
    """A number, or an expression without variables such as pi/4 or -2^0.5."""
    value = _number(text)
    if value is not None:
        return value
    src = text.strip()
    shift = offset + len(text) - len(text.lstrip())
    where = where if where is not None else text
    try:
        program = parse(src)
    except AdcliError as e:
        _not_complex(src, where, shift)
        hint = "separate name=value pairs with commas, as in x=1,y=2" if "=" in src else e.hint
        raise UsageError(f"bad value: {e.message}", where, shift + (e.pos or 0), hint) from None
    if program.inputs or len(program.outputs) != 1:
        _not_complex(src, where, shift)
        if program.inputs and program.inputs[0].lower() in ("inf", "infinity", "nan"):
            raise UsageError(f"bad value: '{src}' is not a number in adcli's syntax", where, shift,
                             "infinity and not-a-number are written inf, -inf and nan")
        what = f"variable '{program.inputs[0]}'" if program.inputs else "several values"
        raise UsageError(f"a value must be a number or a constant expression, not one with {what}",
                         where, shift)
    return values(program, [], scalar)[program.outputs[0]]


def _not_complex(src, where, shift):
    """A complex number (1+2i, 3j) gets its own message: adcli's values are real."""
    s = src.replace(" ", "")
    if "i" not in s and "j" not in s:
        return
    try:
        complex(s.replace("i", "j"))
    except ValueError:
        return
    at = min(k for k in (src.find("i"), src.find("j")) if k >= 0)
    raise UsageError(f"bad value: '{src}' is a complex number", where, shift + at,
                     "adcli is real-valued: every variable, value and derivative is a real number")
