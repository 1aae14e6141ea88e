"""The derivative as a program (adcli diff): the checks of a call, the derivative program
of adcli.engine.derivative_program, and its source in each target (adcli.engine.codegen)."""
from ..engine import codegen
from ..engine.derivative_program import build
from ..errors import UsageError
from .inputs import choose_mode

TARGETS = ("adcli", "python", "numpy", "c", "latex")
INLINE_MAX = 12          # IR nodes (inputs and operations) up to which --inline writes formulas
BOUND = (4, 16)          # statements <= 4 * IR size + 16, the size the program is kept within


def specialise(f, lengths=None, point=None):
    """The Function of f for its vectors' lengths, from lengths ({name: n}, --length) and
    the vectors of a point (--at x=[1,2,3]: only its vectors' lengths are used; scalar
    values are ignored). A scalar expression is f itself; every vector of f needs a length."""
    from ..language.point import Vector
    got = {}
    for name, n in (lengths or {}).items():
        if name not in f.vectors:
            raise UsageError(f"--length gives a length to '{name}', which {_not_a_vector(f, name)}",
                             hint="give lengths to the names the expression indexes (x[i]) or takes the len of")
        got[name] = n
    for name, v in (point or {}).items():
        if isinstance(v, Vector):
            if name not in f.vectors:
                raise UsageError(f"--at gives a vector to '{name}', which {_not_a_vector(f, name)}",
                                 hint="a vector is for a name the expression indexes (x[i]) or takes the len of")
            if got.get(name, len(v)) != len(v):
                raise UsageError(f"--length gives {name} {got[name]} elements and --at gives it {len(v)}",
                                 hint="give the length once")
            got[name] = len(v)
        elif name in f.vectors:
            raise UsageError(f"--at gives one number to '{name}', which the expression indexes",
                             hint=f"give its length, as in --length {name}=3 or --at {name}=[1,2,3]")
    missing = [v for v in f.vectors if v not in got]
    if missing:
        names = ", ".join(missing)
        example = ",".join(f"{v}=3" for v in missing)
        raise UsageError(f"the derivative program depends on the length of {names}, which the expression "
                         "indexes", hint=f"give it with --length {example} (or a vector point, as in "
                                         f"--at {missing[0]}=[1,2,3])")
    return f.specialise(got)


def _not_a_vector(f, name):
    names = set(f.variables) if not f.vectors else set(f._appearance())
    return "the expression reads as a number" if name in names else "is not in the expression"


def arguments(program, wrt):
    """The program's arguments: the --wrt variables in their order, then the other variables
    in order of first appearance (a vector x stands for its elements x[1] .. x[n])."""
    if wrt is None:
        return tuple(program.inputs), tuple(program.inputs)
    if program.vectors:
        from .inputs import elements_of
        wrt = elements_of(program, wrt)
    wrt = tuple(wrt)
    if len(set(wrt)) != len(wrt):
        raise UsageError("--wrt names a variable twice")
    return wrt + tuple(v for v in program.inputs if v not in wrt), wrt


def program_of(f, wrt=None, mode="auto", variables=None):
    """The DerivativeProgram of a Function's outputs with respect to wrt (default all). Its
    arguments are `variables` when given, else the wrt variables then the others."""
    if variables is None:
        args, wrt = arguments(f.program, wrt)
    else:
        missing = [v for v in f.program.inputs if v not in variables]
        if missing:
            raise UsageError(f"variables= leaves out {', '.join(missing)}, which the expression uses",
                             hint="list every variable of the expression")
        args = tuple(variables)
        if wrt is not None and f.program.vectors:
            from .inputs import elements_of
            wrt = elements_of(f.program, wrt)
        wrt = args if wrt is None else tuple(wrt)
        unknown = [w for w in wrt if w not in args]
        if unknown:
            raise UsageError(f"cannot differentiate with respect to '{unknown[0]}': it is not a variable",
                             hint="name variables of the expression (or of variables=)")
    mode = choose_mode(mode, len(f.program.outputs), len(wrt))
    return build(f.program, wrt, mode, args)


def source(dp, to):
    """The program as text in a target: adcli, python, numpy, c or latex."""
    if to not in TARGETS:
        raise UsageError(f"unknown target {to!r}: choose {', '.join(TARGETS)}")
    if to == "adcli":
        return codegen.adcli(dp)
    if to in ("python", "numpy"):
        return codegen.python(dp, arrays=to == "numpy")
    if to == "c":
        if dp.n_values != 1:
            raise UsageError(f"--to c writes the value and gradient of one output; this expression has "
                             f"{dp.n_values}", hint="differentiate one output at a time, or use --to python")
        return codegen.c(dp)
    return codegen.latex(dp)


def inline(f, dp):
    """[(label, formula)] for a small expression: each output and derivative as one formula."""
    size = len(f.program.nodes)
    if size > INLINE_MAX:
        raise UsageError(f"--inline writes formulas for expressions of at most {INLINE_MAX} IR nodes; "
                         f"this one has {size}",
                         hint="leave out --inline for the derivative program, which stays short")
    values, derivs = codegen.output_names(dp)
    labels = ["f" if len(values) == 1 else v for v in values]
    fs = labels
    labels += [f"d{fs[r]}/d{w}" for r in range(len(fs)) for w in dp.wrt]
    return list(zip(labels, codegen.inline(dp)))


def counts(f, dp):
    """What --explain prints: sizes of the IR and of the program, and the bound."""
    helper_lines = sum(_helper_size(k) for k in dp.helpers())
    a, b = BOUND
    return {"ir": len(f.program.nodes), "statements": dp.size, "helpers": len(dp.helpers()),
            "helper_statements": helper_lines, "bound": a * len(f.program.nodes) + b}


def _helper_size(key):
    from ..engine.derivative_program import helper
    from ..ops.table import PRIMS
    sub, r, _, _ = helper(PRIMS[key[0]], key[1], key[2])
    live = {r}
    for i in range(len(sub.ops) - 1, -1, -1):
        if i in live:
            live.update(sub.ops[i][1])
    return sum(1 for i in live if sub.ops[i][0] not in ("input", "const", "bool"))
