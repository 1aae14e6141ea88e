"""POINT syntax: `x=3, y=-2, z=pi/4`. A value is a number or a constant expression, or
a vector: `x=[1, 2, 3]`, `x=@FILE` (numbers separated by commas, spaces or new lines),
and `@FILE.json` gives a whole point (an object of names to numbers or lists)."""

from ..engine.sweep import values
from ..errors import AdcliError, UsageError
from ..ops import scalar
from ..ops.table import CONSTANTS
from . import parse
from .values import Vector, _number, is_name, read_number, split_top  # noqa: F401 - adcli's number syntax, here for its users


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
            if not eq and piece.strip().startswith("@"):
                from .vectorpoint import read_json_point
                for k, v in read_json_point(piece.strip()[1:], text, at + 1).items():
                    refuse_constant(k, text, at)
                    if k in point:
                        raise UsageError(f"'{k}' is given twice", text, at)
                    point[k] = v
                continue
            if not eq:
                raise UsageError(f"expected name=value, got '{piece.strip()}'", text, at,
                                 "write the point as x=3,y=2")
            name = name.strip()
            if not is_name(name):
                raise UsageError(f"'{name}' is not a variable name", text, at)
            refuse_constant(name, text, at)
            if name in point:
                raise UsageError(f"'{name}' is given twice", text, at)
            where = offset + len(piece) - len(value)
            if value.lstrip()[:1] in ("[", "@"):
                from .vectorpoint import vector_value
                point[name] = Vector(vector_value(name, value, text, where, constant_value))
            else:
                point[name] = constant_value(value, text, where)
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
