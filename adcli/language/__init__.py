"""The language: text to IR. The grammar (grammar/adcli.lark) read by a Lark parser into
syntax nodes (syntax.py), lowered to the flat IR (lower.py), and the POINT syntax of
--at (point.py)."""


def parse(expr, lengths=None):
    """The IR Program of an expression (raises ExprError with a column on bad input);
    lengths gives the length of each vector the expression indexes ({"x": 3})."""
    from .lower import lower
    from .syntax import parse as parse_syntax
    return lower(parse_syntax(expr), expr, lengths)
