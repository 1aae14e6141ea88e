"""The starting point and the bounds of minimize and solve, checked against the
program's inputs: an ordered mapping {input name: float} in the inputs' order."""
import math

from ...errors import UsageError


def start_point(program, start, command):
    """{input: float} in the program's input order; every input needs a value."""
    names = program.inputs
    if not names:
        raise UsageError(f"the expression has no variables: there is nothing to {command}")
    missing = [v for v in names if v not in start]
    if missing:
        raise UsageError(f"no starting value for {', '.join(missing)}",
                         hint="give every variable one with --at, as in --at " +
                              ",".join(f"{v}={_num(start[v])}" if v in start else f"{v}=1" for v in names))
    return {v: float(start[v]) for v in names}


def _num(v):
    from ...numtext import number
    return number(v)


def bounds_of(program, bounds):
    """{input: (low, high)} for the inputs that have bounds; a name that is not an input,
    or low > high, is an error. A vector's name bounds each of its elements x[1] .. x[n];
    an element named on its own (x[3]) takes its own bounds, whatever the order given."""
    from ...language.vectors import element
    lengths = dict(program.vectors)
    out = {}
    whole = {}
    for name, (lo, hi) in (bounds or {}).items():
        if name not in program.input_index and name not in lengths:
            raise UsageError(f"--bounds names '{name}', which is not a variable of the expression")
        if math.isnan(lo) or math.isnan(hi) or lo > hi:
            raise UsageError(f"--bounds for {name}: the lower bound must not exceed the upper one")
        if name in lengths:
            whole.update({element(name, k): (lo, hi) for k in range(1, lengths[name] + 1)})
        else:
            out[name] = (lo, hi)
    whole.update(out)
    return {v: whole[v] for v in program.inputs if v in whole}
