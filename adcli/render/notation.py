"""How traces and graphs write things: textbook names (v₋₁, v̇₁, v̄₁) with an ASCII
fallback (v_-1, vdot_1, vbar_1), op symbols, and the local partial derivative of each
primitive as display text.

The partial texts are for reading only: every number a trace shows comes from the rules
in adcli.primitives. They are written as adcli expressions ({0}, {1} the arguments, {y}
the node's own value, {p} the constant exponent) so a test can parse each one and check
it against the rule it describes. Piecewise partials use an Iverson bracket [cond] and
are checked separately.
"""
from ..numtext import constant

_SUB = str.maketrans("0123456789-", "₀₁₂₃₄₅₆₇₈₉₋")

# op -> one partial text per argument
PARTIALS = {
    "add": ("1", "1"),
    "sub": ("1", "-1"),
    "mul": ("{1}", "{0}"),
    "div": ("1/{1}", "-{0}/{1}^2"),
    "neg": ("-1",),
    "pow": ("{1}*{0}^({1} - 1)", "{y}*log({0})"),
    "sin": ("cos({0})",),
    "cos": ("-sin({0})",),
    "tan": ("1 + {y}^2",),
    "asin": ("1/sqrt(1 - {0}^2)",),
    "acos": ("-1/sqrt(1 - {0}^2)",),
    "atan": ("1/(1 + {0}^2)",),
    "sinh": ("cosh({0})",),
    "cosh": ("sinh({0})",),
    "tanh": ("1 - {y}^2",),
    "asinh": ("1/sqrt({0}^2 + 1)",),
    "acosh": ("1/sqrt({0}^2 - 1)",),
    "atanh": ("1/(1 - {0}^2)",),
    "exp": ("{y}",),
    "expm1": ("{y} + 1",),
    "log": ("1/{0}",),
    "log1p": ("1/(1 + {0})",),
    "log2": ("1/({0}*log(2))",),
    "log10": ("1/({0}*log(10))",),
    "sqrt": ("1/(2*{y})",),
    "cbrt": ("1/(3*{y}^2)",),
    "abs": ("sign({0})",),
    "sign": ("0",),
    "sigmoid": ("{y}*(1 - {y})",),
    "relu": ("[{0} > 0]",),
    "softplus": ("sigmoid({0})",),
    "erf": ("2/sqrt(pi)*exp(-{0}^2)",),
    "atan2": ("{1}/({0}^2 + {1}^2)", "-{0}/({0}^2 + {1}^2)"),
    "hypot": ("{0}/{y}", "{1}/{y}"),
    "min": ("[{0} < {1}]", "[{1} < {0}]"),
    "max": ("[{0} > {1}]", "[{1} > {0}]"),
}

# Short op symbols for graph nodes.
SYMBOLS = {"add": "+", "sub": "−", "mul": "×", "div": "/", "neg": "−", "pow": "^"}
ASCII_SYMBOLS = {"add": "+", "sub": "-", "mul": "*", "div": "/", "neg": "-", "pow": "^"}


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
    return PARTIALS[op][k]


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
        if op == "powc":
            return f"^{constant(param)}"
        table = ASCII_SYMBOLS if self.ascii else SYMBOLS
        return table.get(op, op)

    def expr(self, text):
        """A partial text or definition with multiplication shown as in this notation."""
        if self.ascii:
            return text
        return text.replace("*", "·").replace(" - ", " − ")
