"""A model to fit, `response = expression`, read as a program of two outputs.

The last statement's `=` is the model's; earlier statements are let-bindings as in any
program (`a = b2*x; y = b1*(1 - exp(-a))`). Replacing that one character by a comma gives
a program whose outputs are the response and the model, with every other character where
the user typed it, so a parse error's caret points at the right column of MODEL.
"""
from ..errors import AdcliError, UsageError
from . import parse


def statements(text):
    """(start, end) of each top-level statement: separated by ';' or a line end outside
    parentheses; a '#' comment runs to the end of its line."""
    spans, depth, start, i = [], 0, 0, 0
    while i < len(text):
        c = text[i]
        if c == "#":
            while i < len(text) and text[i] != "\n":
                i += 1
            continue
        if c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c in ";\n" and depth <= 0:
            spans.append((start, i))
            start = i + 1
        i += 1
    spans.append((start, len(text)))
    return [(a, b) for a, b in spans if _code(text[a:b]).strip()]


def _code(piece):
    return piece.split("#", 1)[0]


def model_program(text):
    """(program, response text, model text): the program's outputs are [response, model]."""
    spans = statements(text)
    if not spans:
        raise UsageError("the model is empty: give it as response = expression, as in y = b1*(1 - exp(-b2*x))")
    a, b = spans[-1]
    last = _code(text[a:b])
    eq = last.find("=")
    if eq < 0:
        raise UsageError("the model needs '=' between the response and the expression", text, a,
                         "write it as response = expression, as in y = b1*(1 - exp(-b2*x))")
    depth = 0
    for i, c in enumerate(last):
        depth += (c == "(") - (c == ")")
        if c == "," and depth == 0:
            raise UsageError("a model has one response and one expression, not several", text, a + i,
                             "fit one response at a time")
    if "=" in last[eq + 1:]:
        raise UsageError("the model has a second '=' in its last statement", text, a + last.find("=", eq + 1))
    if not last[:eq].strip():
        raise UsageError("the model has no response before '='", text, a + eq,
                         "name the data column it predicts, as in y = b1*x")
    if not last[eq + 1:].strip():
        raise UsageError("the model has no expression after '='", text, a + eq)
    try:
        program = parse(text[:a + eq] + "," + text[a + eq + 1:])
    except AdcliError as e:
        if e.source is not None:   # the caret under the model as typed, '=' and all
            e.source = text
        raise
    return program, last[:eq].strip(), last[eq + 1:].strip()
