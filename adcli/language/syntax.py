"""Source text to a small syntax tree, with friendly errors.

Lark's LALR parser calls the builder below at every reduction, so no parse tree is
built and nothing recurses over the depth of the input. The builder keeps no state
between parses. Syntax nodes compare and hash by identity, so deep trees never
recurse in __eq__ or __hash__ either.
"""
import os
import re
import sys

from ..errors import ExprError
from ..numtext import number
from ..ops.table import FUNCTIONS

_HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # the adcli package
# Installed wheels carry the grammar inside the package; a checkout keeps it in grammar/.
_GRAMMAR_CANDIDATES = (os.path.join(_HERE, "grammar", "adcli.lark"),
                       os.path.join(os.path.dirname(_HERE), "grammar", "adcli.lark"))


class Syntax:
    """A node of the syntax tree. kind is one of num, name, call, bin, neg, not, index,
    sum, let, define, outputs; value is the number, the name, the function name or the
    operator (for index the vector's name, for sum the tuple (sum or prod, index name, its
    column)). A define's args are its parameters (name nodes, as written) and then its body."""
    __slots__ = ("kind", "args", "value", "start", "end")

    def __init__(self, kind, args, value, start, end):
        self.kind, self.args, self.value, self.start, self.end = kind, args, value, start, end

    def __repr__(self):
        return f"<{self.kind} {self.value!r} at {self.start}:{self.end}>"


def grammar_path():
    for path in _GRAMMAR_CANDIDATES:
        if os.path.exists(path):
            return path
    raise RuntimeError("adcli's grammar file is missing from the installation")


def _cache_file(lark_version, text):
    """The path of the parser cache, or False for no cache. Lark's cache is a pickle, and
    loading a pickle runs code: the folder is created private (0700), never the shared
    temp dir, and a folder or file that someone else owns or could write is not used."""
    import hashlib
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    folder = os.path.join(base, "adcli")
    py = f"{sys.version_info[0]}{sys.version_info[1]}"
    path = os.path.join(folder, f"parser-{digest}-lark{lark_version}-py{py}.cache")
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
        if not _private(os.stat(folder)):
            return False
        try:
            info = os.lstat(path)
        except FileNotFoundError:
            return path    # Lark writes it, inside the private folder
    except OSError:
        return False
    import stat
    return path if stat.S_ISREG(info.st_mode) and _private(info) else False


def _private(info):
    """Owned by this user and writable by no one else (where there are owners)."""
    if not hasattr(os, "getuid"):
        return True
    return info.st_uid == os.getuid() and not info.st_mode & 0o022


_parser = None


def _get_parser():
    global _parser
    if _parser is None:
        import lark

        # Called at every reduction: a token's text is read as t.value, a plain str
        # (comparing or converting the Token itself goes through Python-level methods).
        class Build(lark.Transformer):
            def number(self, c):
                t = c[0]
                return Syntax("num", (), float(t.value), t.start_pos, t.end_pos)

            def name(self, c):
                t = c[0]
                return Syntax("name", (), t.value, t.start_pos, t.end_pos)

            def binop(self, c):
                left, op, right = c
                sym = op.value
                return Syntax("bin", (left, right), "^" if sym == "**" else sym, left.start, right.end)

            def unop(self, c):
                op, x = c
                if op.value == "not":
                    return Syntax("not", (x,), "not", op.start_pos, x.end)
                if op.value == "+":
                    x.start = op.start_pos
                    return x
                return Syntax("neg", (x,), "-", op.start_pos, x.end)

            def paren(self, c):
                lpar, x, rpar = c
                x.start, x.end = lpar.start_pos, rpar.end_pos
                return x

            def arglist(self, c):
                return tuple(c)

            def call(self, c):
                name, rpar = c[0], c[-1]
                args = c[2] if len(c) == 4 else ()
                return Syntax("call", args, name.value, name.start_pos, rpar.end_pos)

            def index(self, c):
                name, _, i, rsqb = c
                return Syntax("index", (i,), name.value, name.start_pos, rsqb.end_pos)

            def reduction(self, c):
                # sum(i = a:b, body): value is (sum or prod, the index's name, its column)
                name, _, index, lo, hi, body, rpar = c
                return Syntax("sum", (lo, hi, body), (name.value, index.value, index.start_pos),
                              name.start_pos, rpar.end_pos)

            def let(self, c):
                name, expr = c
                return Syntax("let", (expr,), name.value, name.start_pos, expr.end)

            def define(self, c):
                name, body = c[0], c[-1]
                params = c[2] if len(c) == 5 else ()
                return Syntax("define", (*params, body), name.value, name.start_pos, body.end)

            def outputs(self, c):
                return Syntax("outputs", tuple(c), None, c[0].start, c[-1].end)

            def start(self, c):
                return list(c)

        with open(grammar_path(), encoding="utf-8") as f:
            text = f.read()
        _parser = lark.Lark(text, parser="lalr", lexer="basic", transformer=Build(),
                            maybe_placeholders=False, cache=_cache_file(lark.__version__, text))
    return _parser


# Read as a space: Unicode spaces (no-break, narrow no-break, thin, ideographic, ...) and
# the invisible ones a web page or a word processor leaves behind (zero-width space, word
# joiner, a byte-order mark inside the text). Read as an operator: the symbols adcli
# prints in traces and graphs, so that a printed line can be pasted back. One character
# for one character, so every position (a caret under an error) is the same in the text
# the parser reads and in the user's.
_SPACES = "\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a" \
          "\u202f\u205f\u3000\u200b\u2060\ufeff"
_READ_AS = {**{ord(c): " " for c in _SPACES}, ord("×"): "*", ord("·"): "*", ord("−"): "-"}
_INVISIBLE = "\u200b\u2060\ufeff"


def normalize(text):
    """text with Unicode spaces read as spaces and adcli's printed symbols (× · −) as
    operators, position for position."""
    return text if text.isascii() else text.translate(_READ_AS)


def _no_power_of_symbols(source, text):
    """'**' is a power only as typed: x ×× 2 or x *· 2 is a slip, refused as x * * 2 is."""
    i = text.find("**")
    while i >= 0:
        if source[i:i + 2] != "**":
            from ..errors import printable
            raise ExprError(f"unexpected '{printable(source[i + 1])}'", source, i + 1,
                            "expected a number, a name or '('")
        i = text.find("**", i + 2)


def parse(source):
    """Parse `source` into a list of statements (let nodes, then one outputs node)."""
    text = normalize(source)
    if not text.strip():
        raise ExprError("empty expression", source, 0, "give an expression such as 'x^2 + y'")
    import lark.exceptions as lx
    try:
        stmts = _get_parser().parse(text)
    except lx.UnexpectedCharacters as e:
        raise _bad_character(source, e.pos_in_stream) from None
    except lx.UnexpectedToken as e:
        raise _unexpected(source, e, text) from None
    except lx.UnexpectedEOF:  # pragma: no cover - LALR reports $END as a token
        raise ExprError("unexpected end of input", source, len(source)) from None
    if text is not source:
        _no_power_of_symbols(source, text)
    _check_statements(source, stmts)
    return stmts


# Symbols that look like an operator or a name adcli knows (× · − are read as * * -).
_LOOKALIKES = {"÷": "/", "∕": "/", "⋅": "*", "∗": "*", "–": "-", "—": "-", "²": "^2", "³": "^3",
               "√": "sqrt", "π": "pi", "≤": "<=", "≥": ">=", "≠": "!=", "∧": "and", "∨": "or", "¬": "not"}
# Operators of other languages: the word adcli spells them with.
_WORDS = {"&": "and", "|": "or", "!": "not"}


def _bad_character(source, pos):
    ch = source[pos]
    from ..errors import printable
    hint = None
    if ch in _LOOKALIKES:
        hint = f"write {_LOOKALIKES[ch]!r} instead of {ch!r}"
    elif ch.isdecimal():   # a digit of another script: ٣, ３, ...
        import unicodedata
        hint = f"numbers are written with the digits 0-9: write {unicodedata.decimal(ch)} instead of {ch!r}"
    elif ch in _WORDS:
        hint = f"adcli spells it '{_WORDS[ch]}': write a {_WORDS[ch]} b" if ch != "!" else \
            "adcli spells it 'not': write not a (and != for 'not equal')"
    elif ch in "{":
        hint = "use ( ) for grouping"
    elif ch == "@":
        hint = "give the point with --at, as in --at x=1,y=2"
    return ExprError(f"unexpected character '{printable(ch)}'", source, pos, hint)


_FRIENDLY = {"NUMBER": "a number", "NAME": "a name", "LPAR": "'('", "RPAR": "')'", "LSQB": "'['",
             "RSQB": "']'", "COLON": "':'", "ADD_OP": "'+' or '-'",
             "MUL_OP": "'*' or '/'", "POW_OP": "'^'", "COMMA": "','", "SEMICOLON": "';'",
             "EQUAL": "'='", "_NL": "a new line", "$END": "the end of the input",
             "CMP_OP": "a comparison", "OR": "'or'", "AND": "'and'", "NOT": "'not'"}


def _unexpected(source, e, text):
    """The error for an unexpected token: the message shows the user's source, the
    analysis reads the text the parser read (the same positions, see normalize)."""
    tok = e.token
    at_end = tok.type == "$END"
    pos = len(source) if at_end else tok.start_pos
    from ..errors import printable
    expected = set(e.expected or ())
    operand = {"NUMBER", "NAME", "LPAR"}
    if at_end:
        opened = _unclosed_paren(source)
        if opened is not None and "RPAR" in expected:
            return ExprError("unexpected end of input: a '(' is never closed", source, opened,
                             "add the missing ')'")
        return ExprError("unexpected end of input: an expression is incomplete", source, pos,
                         "expected " + _describe(expected))
    if tok.type == "_NL":
        return ExprError("unexpected line break: the expression is incomplete", source, pos,
                         "a line break ends a statement; expected " + _describe(expected))
    shown = printable(source[tok.start_pos:tok.end_pos])
    prev = text[:pos].rstrip()
    before = prev[-1:]
    if tok.type == "NAME" and before.isdigit() and len(prev) == pos and re.match(_SEPARATED, str(tok)):
        digits = _last_number(prev) + str(tok).replace("_", "")
        return ExprError("'_' cannot separate digits", source, pos, f"write the number as {digits}")
    if tok.type in operand and (before.isalnum() or before in "._)"):
        gap = source[len(prev):pos]
        if gap and all(c in _INVISIBLE for c in gap):   # si\u200bn(x): nothing to see between them
            return ExprError(f"missing operator before '{shown}'", source, pos,
                             f"an invisible character ({printable(gap)}) stands before it: delete it")
        word = _last_number(prev)
        if word in FUNCTIONS and tok.type != "LPAR":
            return ExprError(f"missing parentheses after '{word}'", source, pos,
                             f"call a function with parentheses: write {word}({shown})")
        if (before.isdigit() or before == ".") and tok.type == "NAME":
            left = _last_number(prev)
            return ExprError(f"missing operator before '{shown}'", source, pos,
                             f"adcli has no implicit multiplication: write {left}*{shown}")
        return ExprError(f"missing operator before '{shown}'", source, pos,
                         "put an operator such as * or + between the two")
    if tok.type == "RPAR" and "RPAR" not in expected:
        if text.count("(", 0, pos) <= text.count(")", 0, pos):
            return ExprError("unmatched ')'", source, pos, "remove it or add the '(' it closes")
        if before == "(":
            return ExprError("empty parentheses", source, pos,
                             "put an expression inside: expected " + _describe(expected))
    if tok.type == "LSQB" and not (before.isalnum() or (before and before in "_)]")):
        return ExprError("unexpected character '['", source, pos, "use ( ) for grouping")
    if tok.type == "LSQB":
        return ExprError("only a vector variable can be indexed", source, pos,
                         "index a variable given a vector value, as in x[1] with --at x=[1,2,3]")
    if "COLON" in expected and tok.type != "COLON":
        # NAME(NAME = ... read as the start of sum(i = a:b, ...): unless the call is a sum,
        # the '=' was meant as a comparison or a let, and that is the error to show.
        found = list(re.finditer(r"([A-Za-z_][A-Za-z0-9_]*)\s*\(\s*[A-Za-z_][A-Za-z0-9_]*\s*(=)(?!=)", text[:pos]))
        opened = found[-1] if found else None
        if opened is not None and opened.group(1) not in ("sum", "prod"):
            return ExprError("'=' can only follow a name at the start of a statement", source, opened.start(2),
                             "a let-binding looks like 'a = x + y; a * a', a function 'sq(t) = t*t'; "
                             "to compare two values write ==")
        if opened is not None:
            return ExprError(f"unexpected '{shown}'", source, pos,
                             f"a range is written a:b, as in {opened.group(1)}(i = 1:len(x), x[i])")
    if tok.type == "EQUAL":
        return ExprError("'=' can only follow a name at the start of a statement", source, pos,
                         "a let-binding looks like 'a = x + y; a * a', a function 'sq(t) = t*t'; "
                         "to compare two values write ==")
    if tok.type == "CMP_OP" and "CMP_OP" not in expected and "ADD_OP" in expected:
        return ExprError(f"comparisons do not chain: unexpected '{shown}'", source, pos,
                         "compare two at a time and join them: write a < b and b < c")
    return ExprError(f"unexpected '{shown}'", source, pos, "expected " + _describe(expected))


_SEPARATED = r"(_[0-9]+)+\Z"   # the '_000' of 1_000; compiled on first use (an error), not at start-up


def _describe(expected):
    if expected & {"NUMBER", "NAME", "LPAR"}:
        return "a number, a name or '('"
    names = sorted({_FRIENDLY.get(t, t) for t in expected if t not in ("_NL", "SEMICOLON")})
    return ", ".join(names) if names else "something else"


def _last_number(text):
    i = len(text)
    while i > 0 and (text[i - 1].isalnum() or text[i - 1] == "."):
        i -= 1
    return text[i:]


def _unclosed_paren(source):
    stack = []
    for i, c in enumerate(source):
        if c == "(":
            stack.append(i)
        elif c == ")" and stack:
            stack.pop()
    return stack[-1] if stack else None


def _check_statements(source, stmts):
    *lets, last = stmts
    for s in lets:
        if s.kind not in ("let", "define"):
            raise ExprError("only the last statement may be an expression", source, s.start,
                            "earlier statements must be let-bindings such as 'a = x + y' "
                            "or functions such as 'sq(t) = t*t'")
    for s in stmts:
        if s.kind == "define":
            for p in s.args[:-1]:
                if p.kind != "name":
                    raise ExprError(f"a parameter of '{s.value}' must be a name", source, p.start,
                                    f"define a function with names as its parameters: {s.value}(t) = t*t")
    if last.kind in ("let", "define"):
        what = f"function '{last.value}'" if last.kind == "define" else f"'{last.value}'"
        raise ExprError(f"the last statement only defines {what}", source, last.start,
                        "end with the expression to evaluate, as in 'a = x + y; a * a'")


def parenthesize(stmts, source=None):
    """The statements as text with every operation in parentheses: '-x^2' -> '-(x^2)'.
    Iterative: a 100,000-deep expression prints without recursion."""
    return "; ".join(_paren_one(s) for s in stmts)


def _paren_one(root):
    # Pre-order over an explicit stack of nodes and literal pieces, writing pieces once:
    # linear in the output, where joining each child's text into its parent's would copy
    # a 100,000-deep expression's text 100,000 times.
    out = []
    stack = [root]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            out.append(item)
            continue
        k = item.kind
        if k == "num":
            v = item.value
            out.append(number(v))
            continue
        if k == "name":
            out.append(item.value)
            continue
        # The pieces of this node, in order; pushed reversed so they pop in order.
        if k == "call":
            pieces = [f"{item.value}("]
            for i, a in enumerate(item.args):
                pieces += [", ", a] if i else [a]
            pieces.append(")")
        elif k == "neg":
            pieces = ["-", *_wrapped(item.args[0])]
        elif k == "not":
            pieces = ["not ", *_wrapped(item.args[0])]
        elif k == "define":
            pieces = [f"{item.value}("]
            for i, a in enumerate(item.args[:-1]):
                pieces += [", ", a] if i else [a]
            pieces += [") = ", item.args[-1]]
        elif k == "bin":
            op = "^" if item.value == "^" else f" {item.value} "
            pieces = [*_wrapped(item.args[0]), op, *_wrapped(item.args[1])]
        elif k == "index":
            pieces = [f"{item.value}[", item.args[0], "]"]
        elif k == "sum":
            lo, hi, body = item.args
            pieces = [f"{item.value[0]}({item.value[1]} = ", lo, ":", hi, ", ", body, ")"]
        elif k == "let":
            pieces = [f"{item.value} = ", item.args[0]]
        else:  # outputs
            pieces = []
            for i, a in enumerate(item.args):
                pieces += [", ", a] if i else [a]
        stack.extend(reversed(pieces))
    return "".join(out)


def _wrapped(node):
    return ("(", node, ")") if node.kind in ("bin", "neg", "not") else (node,)
