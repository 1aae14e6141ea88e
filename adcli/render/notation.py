"""How traces and graphs write things: textbook names (v₋₁, v̇₁, v̄₁) with an ASCII
fallback (v_-1, vdot_1, vbar_1), op symbols, and the local partial derivative of each
primitive as display text.

The partial texts and symbols are facts of each op, kept in the op table beside its rule
(adcli.ops.table); every number a trace shows comes from the rules, never from the texts.
"""
from ..numtext import constant
from ..ops.table import PRIMS

_SUB = str.maketrans("0123456789-", "₀₁₂₃₄₅₆₇₈₉₋")


def text_width(text):
    """Columns of text made of names, numbers, subscripts, operator symbols and combining
    marks (v̄): every character is one column except the marks. Much cheaper than a
    general width function over 10,000 lines."""
    return len(text) - sum(1 for c in text if "\u0300" <= c <= "\u036f")


def partial_text(op, k, param=None):
    """The partial of `op` with respect to argument k, as an adcli-expression template."""
    if op == "powc":
        p = param
        if p == 0:
            return "0"
        if p == 1:
            return "1"
        if p == 2:
            return "2*{0}"
        if p == -1:
            return "-1/{0}^2"
        q = constant(p - 1)
        return f"{constant(p)}*{{0}}^{q if p - 1 >= 0 else '(' + q + ')'}"
    return PRIMS[op].partial_texts[k]


def _nfc(text):
    # ẋ and ȳ have precomposed forms; v̇ and v̄ keep the combining mark.
    import unicodedata
    return unicodedata.normalize("NFC", text)


class Notation:
    """Names and symbols in Unicode (textbook) or ASCII."""

    def __init__(self, ascii=False):
        self.ascii = ascii

    def sub(self, k):
        return f"_{k}" if self.ascii else str(k).translate(_SUB)

    def v(self, k):
        return f"v{self.sub(k)}"

    def vdot(self, k):
        return f"vdot{self.sub(k)}" if self.ascii else f"v\u0307{self.sub(k)}"

    def vbar(self, k):
        return f"vbar{self.sub(k)}" if self.ascii else f"v\u0304{self.sub(k)}"

    def dot(self, name):
        """ẋ1 for the tangent of input x1 (xdot1 in ASCII)."""
        return f"{name}dot" if self.ascii else _nfc(name[0] + "\u0307" + name[1:])

    def bar(self, name):
        return f"{name}bar" if self.ascii else _nfc(name[0] + "\u0304" + name[1:])

    @property
    def times(self):
        return "*" if self.ascii else "·"

    def symbol(self, op, param=None):
        prim = PRIMS[op]
        text = prim.ascii_symbol if self.ascii else prim.symbol
        return text if param is None else text.format(p=constant(param))

    def expr(self, text):
        """A partial text or definition with multiplication shown as in this notation."""
        if self.ascii:
            return text
        return text.replace("*", "·").replace(" - ", " − ")
