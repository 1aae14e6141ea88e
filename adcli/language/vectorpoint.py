"""Vector values in a POINT: `x=[1, 2, 3]`, `x=@FILE` and `@FILE.json`. Errors point
at the column of the --at text, or name the file, line and column of a file's content."""
import os
import re

from ..errors import UsageError, printable
from .values import Vector, is_name, read_number, split_top

# A vector file or a JSON point larger than this is refused before it is read: 64 MiB
# holds about three million numbers.
MAX_FILE = 64 << 20

_SEP = re.compile(r"[,\s]+")


def vector_value(name, value, text, offset, constant_value):
    """The floats of a vector written as [a, b, ...] or @FILE; offset is where value
    starts in text (the --at option or the job line); constant_value reads an element
    that is not a plain number (pi/4)."""
    lead = len(value) - len(value.lstrip())
    v = value.strip()
    start = offset + lead
    if v.startswith("@"):
        return _file_numbers(name, v[1:], text, start + 1)
    close = _closing(v)
    if close is None:
        raise UsageError(f"the vector of {name} is never closed: a '[' without its ']'", text, start,
                         "write the vector as [1, 2, 3]")
    if close != len(v) - 1:
        raise UsageError(f"unexpected text after the vector of {name}", text, start + close + 1,
                         "separate name=value pairs with commas, as in x=[1,2],y=3")
    inner = v[1:-1]
    if not inner.strip():
        raise UsageError(f"the vector {name} is empty", text, start, "give it one element or more, as in [1, 2, 3]")
    out = []
    for off, piece in split_top(inner):
        at = start + 1 + off
        p = piece.strip()
        if not p:
            raise UsageError(f"an empty element in the vector of {name}", text, at,
                             "separate numbers by single commas, as in [1, 2, 3]")
        if p[0] == "[" or "[" in p:
            raise UsageError(f"a vector inside the vector of {name}", text, at + piece.index("["),
                             "a vector's elements are numbers: nested lists are not supported")
        try:
            out.append(read_number(piece))
        except ValueError:
            out.append(constant_value(piece, text, at))
    return out


def _closing(v):
    """The index of the bracket that closes v's first '[', or None."""
    depth = 0
    for i, c in enumerate(v):
        if c in "([":
            depth += 1
        elif c in ")]":
            depth -= 1
            if depth == 0:
                return i if c == "]" else None
    return None


def _read_limited(path, what, text, at):
    """The bytes of a file, refusing one above MAX_FILE without reading it all."""
    try:
        with open(path, "rb") as fh:
            try:
                size = os.fstat(fh.fileno()).st_size
            except OSError:
                size = 0
            if size > MAX_FILE:
                raise UsageError(f"{what} {printable(path)} is {size:,} bytes, more than adcli reads for a "
                                 f"point ({MAX_FILE:,})", text, at,
                                 "give fewer numbers, or evaluate many points with --points")
            data = fh.read(MAX_FILE + 1)
    except UsageError:
        raise
    except (OSError, ValueError) as e:
        reason = getattr(e, "strerror", None) or str(e)
        raise UsageError(f"cannot read {what} {printable(path)}: {reason}", text, at) from None
    if len(data) > MAX_FILE:
        raise UsageError(f"{what} {printable(path)} is longer than adcli reads for a point ({MAX_FILE:,} bytes)",
                         text, at, "give fewer numbers, or evaluate many points with --points")
    if b"\0" in data:
        raise UsageError(f"{what} {printable(path)} is not text: it holds NUL bytes", text, at)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise UsageError(f"{what} {printable(path)} is not UTF-8 text (byte 0x{data[e.start]:02x} at offset "
                         f"{e.start})", text, at) from None


def _file_numbers(name, path, text, at):
    if not path.strip():
        raise UsageError(f"no file name after '@' for {name}", text, at, f"write {name}=@values.txt")
    body = _read_limited(path.strip(), "the vector file", text, at)
    content = body.strip()
    if content.startswith("[") and content.endswith("]"):   # a JSON array is fine too
        content = content[1:-1].strip()
    if not content:
        raise UsageError(f"the vector file {printable(path)} for {name} holds no numbers", text, at)
    words = _SEP.split(content)
    try:
        return [float(w) if _PLAIN.match(w) else read_number(w) for w in words]
    except ValueError:
        pass
    for k, w in enumerate(words, 1):   # find the culprit, for the message
        try:
            read_number(w)
        except ValueError:
            line = 1 + body[:body.find(w)].count("\n") if w else 1
            raise UsageError(f"the vector file {printable(path)}: number {k:,} (line {line:,}) is not a number: "
                             f"'{printable(w[:40])}'", text, at,
                             "numbers are separated by commas, spaces or new lines; nan and inf are written "
                             "nan, inf, -inf") from None
    raise AssertionError("unreachable")  # pragma: no cover


_PLAIN = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?\Z")


def read_json_point(path, text, at):
    """{name: float or Vector} from a JSON object in a file."""
    import json

    body = _read_limited(path, "the point file", text, at)
    try:
        obj = json.loads(body, parse_constant=_no_constant)
    except json.JSONDecodeError as e:
        raise UsageError(f"the point file {printable(path)} is not valid JSON: {e.msg} (line {e.lineno}, "
                         f"column {e.colno})", text, at,
                         'write a JSON object of names to numbers or lists, as in {"x": [1, 2], "y": 3}') from None
    except _Constant as e:
        raise UsageError(f"the point file {printable(path)} holds {e.args[0]}, which JSON does not have", text,
                         at, 'write non-finite numbers as the strings "nan", "inf" and "-inf"') from None
    except RecursionError:
        raise UsageError(f"the point file {printable(path)} nests too deep", text, at) from None
    if not isinstance(obj, dict):
        raise UsageError(f"the point file {printable(path)} holds a JSON {type(obj).__name__}, not an object",
                         text, at, 'write a JSON object of names to numbers or lists, as in {"x": [1, 2], "y": 3}')
    out = {}
    for name, v in obj.items():
        if not is_name(name):
            raise UsageError(f"the point file {printable(path)}: '{printable(name)}' is not a variable name",
                             text, at)
        if isinstance(v, list):
            if not v:
                raise UsageError(f"the point file {printable(path)}: the vector {name} is empty", text, at)
            out[name] = Vector(_json_number(path, f"{name}[{k}]", x, text, at) for k, x in enumerate(v, 1))
        else:
            out[name] = _json_number(path, name, v, text, at)
    return out


class _Constant(Exception):
    pass


def _no_constant(word):
    raise _Constant(word)


def _json_number(path, where, v, text, at):
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        try:
            return float(v)
        except OverflowError:   # an integer beyond float64, as 1e400 is
            return float("inf") if v > 0 else float("-inf")
    if isinstance(v, str) and v in ("nan", "inf", "-inf"):
        return float(v)
    what = "a list inside a list (nested lists are not supported)" if isinstance(v, list) else \
        f"{type(v).__name__} {printable(repr(v)[:40])}"
    raise UsageError(f"the point file {printable(path)}: {where} is {what}, not a number", text, at,
                     'values are numbers, lists of numbers, or the strings "nan", "inf", "-inf"')
