"""A derivative program (adcli.engine.derivative_program) written out as source: adcli's own
language, Python (math only), numpy, C99 and LaTeX, one formula per derivative (--inline),
and the Python that the API compiles for its fast calls.

Nothing the user typed reaches generated source: arguments and statements get names made
here (x0, v3, in[0]), constants are written with repr(float), and op names come from the
op table. Only the adcli target names the variables, since `adcli eval --at x=..` reads
them back; they are names the grammar accepted.

Every op has one entry in GEN, per target (tests/test_codegen.py checks that every op of
adcli.ops.table has one): a template over its arguments {0} {1} {2} and its parameter
{p}. A select (`where`) is written so that only the branch taken is chosen: a Python
conditional expression, a C ternary, numpy.where; nothing of the other branch is combined
arithmetically with the result (no 0 * nan), so the rules' guards hold in every target.
"""
import math
import re

from ..ops import scalar
from ..ops.table import PRIMS
from .derivative_program import COMPARISONS, Emitter, _compact, flatten, helper

_LATEX_FUNCS = {"sin", "cos", "tan", "sinh", "cosh", "tanh", "exp", "log"}
_LATEX_ARC = {"asin": r"\arcsin", "acos": r"\arccos", "atan": r"\arctan"}
_C_NAMES = {"abs": "fabs", "min": "adcli_min", "max": "adcli_max", "sign": "adcli_sign", "sigmoid": "adcli_sigmoid",
            "softplus": "adcli_softplus", "relu": "adcli_relu"}
# The functions of `math` that raise where IEEE gives nan or inf: the fast Python calls them
# directly and, if one raises, runs the whole call again with adcli.ops.scalar's versions.
_RAISING = ("sin", "cos", "tan", "asin", "acos", "atanh", "acosh", "log", "log1p", "log2", "log10", "sqrt",
            "exp", "expm1", "sinh", "cosh", "pow")


class Gen:
    """How one op is written in each target."""
    __slots__ = ("adcli", "py", "np", "c", "tex", "fast")

    def __init__(self, adcli, py, c, tex, np=None, fast=None):
        self.adcli, self.py, self.c, self.tex = adcli, py, c, tex
        self.np = np or py
        self.fast = fast or py


def _function_gen(prim):
    args = ", ".join(f"{{{k}}}" for k in range(prim.arity))
    py = f"{prim.mathname}({args})" if prim.mathname else None
    c = f"{_C_NAMES.get(prim.name, prim.name)}({args})"
    tex = _tex_function(prim.name) + r"\left(" + args + r"\right)"
    return Gen(f"{prim.name}({args})", py, c, tex)


def _tex_function(name):
    """The LaTeX of a function name, braces doubled for str.format."""
    if name in _LATEX_FUNCS:
        return "\\" + name
    return _LATEX_ARC.get(name) or r"\operatorname{{" + name + "}}"


GEN = {p.name: _function_gen(p) for p in PRIMS.values() if p.kind == "function"}
GEN.update({
    "add": Gen("{0} + {1}", "{0} + {1}", "{0} + {1}", "{0} + {1}"),
    "sub": Gen("{0} - {1}", "{0} - {1}", "{0} - {1}", "{0} - {1}"),
    "mul": Gen("{0} * {1}", "{0} * {1}", "{0} * {1}", r"{0} \cdot {1}"),
    "div": Gen("{0} / {1}", "div({0}, {1})", "{0} / {1}", r"\frac{{{0}}}{{{1}}}", fast="{0} / {1}"),
    "neg": Gen("-{0}", "-{0}", "-{0}", "-{0}"),
    "powc": Gen("{0}^{p}", "pow({0}, {p})", "pow({0}, {p})", "{0}^{{{p}}}"),
    "pow": Gen("pow({0}, {1})", "pow({0}, {1})", "pow({0}, {1})", "{0}^{{{1}}}"),
    "sqrt": Gen("sqrt({0})", "sqrt({0})", "sqrt({0})", r"\sqrt{{{0}}}"),
    "abs": Gen("abs({0})", "fabs({0})", "fabs({0})", r"\left|{0}\right|"),
    # relu's value rule, where(x > 0, x, where(x == x, 0, x)), in each target.
    "relu": Gen("relu({0})", "({0} if {0} > 0 else 0.0 if {0} == {0} else {0})", "adcli_relu({0})",
                r"\operatorname{relu}\left({0}\right)", np="where({0} > 0, {0}, where({0} == {0}, 0.0, {0}))"),
    # what the rules branch with, and the select of the language's if(c, a, b)
    "if": Gen("if({0}, {1}, {2})", "({1} if {0} else {2})", "({0} ? {1} : {2})",
              r"\begin{{cases}} {1} & \text{{if }} {0} \\ {2} & \text{{otherwise}} \end{{cases}}",
              np="where({0}, {1}, {2})"),
    "where": Gen("if({0}, {1}, {2})", "({1} if {0} else {2})", "({0} ? {1} : {2})",
                 r"\begin{{cases}} {1} & \text{{if }} {0} \\ {2} & \text{{otherwise}} \end{{cases}}",
                 np="where({0}, {1}, {2})"),
    "and": Gen("{0} and {1}", "({0} and {1})", "({0} && {1})", r"{0} \wedge {1}", np="({0} & {1})"),
    "or": Gen("{0} or {1}", "({0} or {1})", "({0} || {1})", r"{0} \vee {1}", np="({0} | {1})"),
    "not": Gen("not {0}", "(not {0})", "(!{0})", r"\neg {0}", np="(~{0})"),
    "isnan": Gen("{0} != {0}", "({0} != {0})", "({0} != {0})", r"{0} = \mathrm{{nan}}", np="isnan({0})"),
})
_TEX_CMP = {"lt": "<", "le": r"\le", "gt": ">", "ge": r"\ge", "eq": "=", "ne": r"\ne"}
for _op, _sym in COMPARISONS.items():
    GEN[_op] = Gen(f"{{0}} {_sym} {{1}}", f"({{0}} {_sym} {{1}})", f"({{0}} {_sym} {{1}})",
                   f"{{0}} {_TEX_CMP[_op]} {{1}}")


def _number(v, target):
    """A constant as source text: repr(float), or the target's spelling of inf and nan."""
    if isinstance(v, bool):
        return {"c": "1" if v else "0", "adcli": "1 == 1" if v else "1 == 0"}.get(target, repr(v))
    if math.isnan(v):
        return {"c": "NAN", "adcli": "(1e999 - 1e999)", "tex": r"\mathrm{nan}"}.get(target, "nan")
    if math.isinf(v):
        text = {"c": "INFINITY", "adcli": "1e999", "tex": r"\infty"}.get(target, "inf")
        return text if v > 0 else f"(-{text})"
    if target == "adcli" or target == "tex":
        from ..numtext import constant
        text = constant(v)
        if target == "tex" and text == "pi":
            text = r"\pi"
    else:
        text = repr(v)
    return f"({text})" if text.startswith("-") else text


def _render(op, args, param, atoms, target):
    if op == "call":
        raise AssertionError("calls are rendered by the targets")
    gen = GEN[op]
    template = getattr(gen, target)
    p = _number(param, target) if param is not None else ""
    return template.format(*[atoms[a] for a in args], p=p)


# ---------------------------------------------------------------- Python, numpy, C: programs

def _helper_body(key, target, atom_of_param):
    """Statements of one partial helper: [(name, rhs)], result atom."""
    name, param, pos = key
    sub, r, _, _ = helper(PRIMS[name], param, pos)
    live = set([r])
    for i in range(len(sub.ops) - 1, -1, -1):
        if i in live:
            live.update(sub.ops[i][1])
    atoms, lines = {}, []
    for i in sorted(live):
        op, args, p = sub.ops[i]
        if op == "input":
            atoms[i] = atom_of_param[p]
        elif op in ("const", "bool"):
            atoms[i] = _number(p, target)
        else:
            atoms[i] = f"t{len(lines)}"
            lines.append((atoms[i], _render(op, args, p, atoms, target)))
    return lines, atoms[r]


def _statements(dp, target, arg_atoms, helper_names):
    atoms, lines = {}, []
    for i, (op, args, param) in enumerate(dp.ops):
        if op == "input":
            atoms[i] = arg_atoms[param]
        elif op in ("const", "bool"):
            atoms[i] = _number(param, target)
        else:
            atoms[i] = f"v{i}"
            if op == "call":
                rhs = f"{helper_names[param]}({', '.join(atoms[a] for a in args)})"
            else:
                rhs = _render(op, args, param, atoms, target)
            lines.append((atoms[i], rhs))
    return lines, atoms


def _py_helpers(dp, target, indent="    "):
    names, out = {}, []
    for k, key in enumerate(dp.helpers()):
        name, param, pos = key
        names[key] = f"_d{k}"
        n_args = PRIMS[name].arity
        params = ["y"] + [f"a{j}" for j in range(n_args)]
        lines, result = _helper_body(key, target, params)
        which = f"{_ordinal(pos)} argument of " if n_args > 1 else ""
        out.append(f"def _d{k}({', '.join(params)}):  # the partial derivative of {name}"
                   f"{'' if param is None else ' ' + repr(param)} with respect to its {which or 'argument'}"
                   .replace("its argument of", "its"))
        out += [f"{indent}{a} = {rhs}" for a, rhs in lines]
        out.append(f"{indent}return {result}")
        out.append("")
        out.append("")
    return names, out


def _ordinal(k):
    return ("first", "second", "third")[k]


def _module_source(module):
    """A math namespace's source without its docstring: the generated modules carry the
    very functions adcli evaluates with, so they agree with adcli to the bit."""
    import inspect
    src = inspect.getsource(module)
    body = src.split('"""', 2)[2] if src.startswith('"""') else src
    return body.strip("\n")


def python(dp, arrays=False):
    """A self-contained module defining grad(x0, x1, ...) -> (value, [derivatives])."""
    target = "np" if arrays else "py"
    n = len(dp.variables)
    args = [f"x{k}" for k in range(n)]
    names, helpers = _py_helpers(dp, target)
    lines, atoms = _statements(dp, target, args, names)
    kind = "numpy arrays of points (elementwise)" if arrays else "floats"
    head = [f'"""Value and derivatives generated by adcli diff ({dp.mode} mode): grad({", ".join(args)}) '
            f"takes {kind}",
            "in the order of the variables and returns (value, [derivative per variable]).",
            "Generated code: the arithmetic of adcli's rules, with its conventions; edit with care."]
    head += ['"""']
    if arrays:
        from ..ops import arrays as namespace  # numpy, for this target only
    else:
        namespace = scalar
    prelude = _module_source(namespace)
    out = head + [prelude, "", ""] + helpers
    out.append(f"def grad({', '.join(args)}):")
    if arrays:
        out.append("    with np.errstate(all='ignore'):")
        out.append("        return _grad(" + ", ".join(f"np.asarray({a}, dtype=np.float64)" for a in args) + ")")
        out += ["", "", f"def _grad({', '.join(args)}):"]
    out += [f"    {a} = {rhs}" for a, rhs in lines]
    values = [atoms[o] for o in dp.outputs[:dp.n_values]]
    derivs = [atoms[o] for o in dp.outputs[dp.n_values:]]
    value = values[0] if len(values) == 1 else "[" + ", ".join(values) + "]"
    if arrays:
        shape = "np.broadcast(" + ", ".join(args) + ").shape" if args else "()"
        full = f"np.broadcast_to({{}}, {shape}).copy()"
        value = full.format(value) if len(values) == 1 else "[" + ", ".join(full.format(v) for v in values) + "]"
        derivs = [full.format(d) for d in derivs]
    out.append(f"    return {value}, [{', '.join(derivs)}]")
    return "\n".join(out) + "\n"


# adcli's conventions where C's math.h differs: min and max give nan if either argument is
# nan (fmin and fmax would drop it), sign keeps 0, -0 and nan. Only those used are written.
_C_FUNCTIONS = {
    "adcli_sign": "static double adcli_sign(double x) { return x > 0 ? 1.0 : x < 0 ? -1.0 : x; }",
    "adcli_min": "static double adcli_min(double a, double b) { return (a != a || b != b) ? NAN : (a <= b ? a : b); }",
    "adcli_max": "static double adcli_max(double a, double b) { return (a != a || b != b) ? NAN : (a >= b ? a : b); }",
    "adcli_relu": "static double adcli_relu(double x) { return x > 0 ? x : (x == x ? 0.0 : x); }",
    "adcli_sigmoid": "static double adcli_sigmoid(double x) {\n    double z = exp(-fabs(x));\n"
                     "    return x >= 0 ? 1.0 / (1.0 + z) : z / (1.0 + z);\n}",
    "adcli_softplus": "static double adcli_softplus(double x) { return log1p(exp(-fabs(x))) + adcli_max(x, 0.0); }",
}


def c(dp):
    """A C99 translation unit defining double adcli_grad(const double *in, double *grad)."""
    n = len(dp.variables)
    out = ["/* Value and derivatives generated by adcli diff (" + dp.mode + " mode).",
           f"   adcli_grad reads {n} input{'s' if n != 1 else ''} in[0..{max(n - 1, 0)}] in the order of the "
           "variables,",
           f"   writes the {len(dp.outputs) - dp.n_values} derivative(s) to grad[] in the same order "
           "and returns the value. */",
           "#include <math.h>", ""]
    prelude_at = len(out)
    names = {}
    for k, key in enumerate(dp.helpers()):
        name, param, pos = key
        names[key] = f"adcli_d{k}"
        n_args = PRIMS[name].arity
        params = ["y"] + [f"a{j}" for j in range(n_args)]
        lines, result = _helper_body(key, "c", params)
        out.append(f"/* the partial derivative of {name} with respect to argument {pos + 1} */")
        out.append(f"static double adcli_d{k}({', '.join('double ' + p for p in params)}) {{")
        out += [f"    double {a} = {rhs};" for a, rhs in lines]
        out += [f"    return {result};", "}", ""]
    lines, atoms = _statements(dp, "c", [f"in[{k}]" for k in range(n)], names)
    out.append("double adcli_grad(const double *in, double *grad) {")
    out += [f"    double {a} = {rhs};" for a, rhs in lines]
    for j, o in enumerate(dp.outputs[dp.n_values:]):
        out.append(f"    grad[{j}] = {atoms[o]};")
    out.append(f"    return {atoms[dp.outputs[0]]};")
    out.append("}")
    body = "\n".join(out[prelude_at:])
    used = [name for name in _C_FUNCTIONS if name + "(" in body or (name == "adcli_max" and "adcli_softplus(" in body)]
    out[prelude_at:prelude_at] = [_C_FUNCTIONS[name] for name in used] + ([""] if used else [])
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------- adcli's own language

def _guards_spelled_out(dp):
    """where(isnan(y), y, P), the rules' nan guard, written without a select for adcli's
    language: P + 0*sign(y) is P where y is a number (sign(y) is finite) and nan where y is
    nan, the same float64 either way (P is never -0 where y is a number)."""
    e = Emitter()
    m = []
    for (op, args, param), role in zip(dp.ops, dp.roles):
        if op == "where" and dp.ops[args[0]][0] == "isnan" and dp.ops[args[0]][1][0] == args[1]:
            y, p = m[args[1]], m[args[2]]
            m.append(e.add("add", (p, e.add("mul", (e.const(0.0), e.add("sign", (y,)))))))
        elif op in ("const", "bool"):
            m.append(e.const(param))
        else:
            m.append(e.add(op, [m[a] for a in args], param, role))
        if role is not None and e.roles[m[-1]] is None:
            e.roles[m[-1]] = role
    return dp.replace(*_compact(e, [m[o] for o in dp.outputs], len(dp.variables)))


_ELEMENT = re.compile(r"(.+)\[([1-9][0-9]*)\]")


def _element(name):
    """(vector, k) for the IR's name x[k] of a vector's element, else None."""
    m = _ELEMENT.fullmatch(name)
    return (m.group(1), int(m.group(2))) if m else None


def _lengths(names):
    """{vector: length} of the elements among names, in order."""
    out = {}
    for name in names:
        got = _element(name)
        if got:
            out[got[0]] = max(out.get(got[0], 0), got[1])
    return out


def output_names(dp):
    """f (f1, f2, ... for several outputs), then df_dx per variable (df1_dx, ...), df_dx_2
    for the element x[2] of a vector: names no variable has, so that the program reads back."""
    taken = set(dp.variables) | set(_lengths(dp.variables))   # x[1] and x: a let named x would hide x[1]

    def fresh(name):
        while name in taken:
            name += "_"
        taken.add(name)
        return name
    n = dp.n_values
    fs = ["f"] if n == 1 else [f"f{r + 1}" for r in range(n)]
    values = [fresh(f) for f in fs]
    derivs = [fresh(f"d{f}_d{'{}_{}'.format(*_element(w)) if _element(w) else w}") for f in fs for w in dp.wrt]
    return values, derivs


def adcli(dp):
    """A program in adcli's language: let-bindings, then the outputs f, df_dx, ..."""
    dp = _guards_spelled_out(flatten(dp))
    prefix = "v"
    names = list(dp.variables) + list(_lengths(dp.variables))
    while any(re.fullmatch(re.escape(prefix) + r"\d+", v) for v in names):
        prefix += "_"
    values, derivs = output_names(dp)
    atoms, lines = {}, []
    for i, (op, args, param) in enumerate(dp.ops):
        if op == "input":
            atoms[i] = dp.variables[param]
        elif op in ("const", "bool"):
            atoms[i] = _number(param, "adcli")
        else:
            atoms[i] = f"{prefix}{i}"
            lines.append(f"{atoms[i]} = {_render(op, args, param, atoms, 'adcli')}")
    outs = values + derivs
    for name, o in zip(outs, dp.outputs):
        lines.append(f"{name} = {atoms[o]}")
    lines.append(", ".join(outs))
    head = [f"# the value and its derivatives by {dp.mode}-mode AD, generated by adcli diff;"]
    sizes = _lengths(dp.variables)
    if sizes:
        # The elements past these lengths would be ignored, and len(x) is written as a number.
        shown = ", ".join(f"{v} of length {n}" for v, n in sizes.items())
        example = ",".join(f"{v}=[{','.join(str(k) for k in range(1, n + 1))}]" if n <= 4 else f"{v}=@FILE"
                           for v, n in sizes.items())
        head += [f"# written for {shown}; read it back with: adcli eval @FILE --at {example},..."]
    else:
        head.append("# read it back with: adcli eval @FILE --at ...")
    return "\n".join(head + lines) + "\n"


# ---------------------------------------------------------------- LaTeX

def _tex_name(name):
    got = _element(name)
    if got:
        return _tex_name(got[0]) + f"_{{{got[1]}}}"
    parts = name.split("_")
    return r"\mathit{" + r"\_".join(parts) + "}"


def latex(dp):
    r"""An align* block: the primal statements a_k = ..., then the tangents or adjoints; a
    partial that takes several steps is written as a derivative, sin'(a_1) or
    \partial_2 hypot(x, y)."""
    atoms, lines, number = {}, [], {}
    mark = r"\bar" if dp.mode == "reverse" else r"\dot"
    temps = 0
    for i, ((op, args, param), role) in enumerate(zip(dp.ops, dp.roles)):
        if op == "input":
            atoms[i] = _tex_name(dp.variables[param])
            continue
        if op in ("const", "bool"):
            atoms[i] = _number(param, "tex")
            continue
        kind = role[0] if role else None
        if kind == "value":
            number[role[1]] = len(number) + 1
            name = f"a_{{{number[role[1]]}}}"
        elif kind in ("adjoint", "tangent"):
            node = role[1]
            if node < len(dp.ir_inputs):
                base = _tex_name(dp.ir_inputs[node])
            else:
                base = f"a_{{{number.get(node, node)}}}"
            name = rf"{mark}{{a}}_{{{number[node]}}}" if node >= len(dp.ir_inputs) else rf"{mark}{{{base}}}"
        else:
            temps += 1
            name = f"t_{{{temps}}}"
        atoms[i] = name
        if op == "call":
            fn, _, pos = param
            fname = _tex_function(fn).format()
            inner = ", ".join(atoms[a] for a in args[1:])
            rhs = (rf"{fname}'\left({inner}\right)" if PRIMS[fn].arity == 1
                   else rf"\partial_{{{pos + 1}}} {fname}\left({inner}\right)")
        else:
            rhs = _render(op, args, param, atoms, "tex")
        lines.append(f"{name} &= {rhs}")
    values, derivs = output_names(dp)
    for label, o in zip(values, dp.outputs[:dp.n_values]):
        lines.append(f"{_tex_name(label)} &= {atoms[o]}")
    for w, o in zip(dp.wrt * dp.n_values, dp.outputs[dp.n_values:]):
        lines.append(rf"\frac{{\partial f}}{{\partial {_tex_name(w)}}} &= {atoms[o]}")
    return "\\begin{align*}\n" + " \\\\\n".join(lines) + "\n\\end{align*}\n"


# ---------------------------------------------------------------- one formula per derivative

_PREC = {"add": 1, "sub": 1, "mul": 2, "div": 2, "neg": 3, "powc": 4, "pow": 4}


def inline(dp):
    """[(label, formula)]: each output with every statement substituted, in adcli syntax;
    a partial that takes several steps is shown by its reading text from the op table."""
    text = {}  # statement -> (text, precedence)
    for i, (op, args, param) in enumerate(dp.ops):
        if op == "input":
            text[i] = (dp.variables[param], 9)
        elif op in ("const", "bool"):
            t = _number(param, "adcli")
            text[i] = (t, 9 if not t.startswith("(") else 9)
        elif op == "call":
            name, p, pos = param
            prim = PRIMS[name]
            fill = {f"{k}": _wrap(text[a], 9) for k, a in enumerate(args[1:])}
            fill["y"] = _wrap(text[args[0]], 9)
            fill["p"] = _number(p, "adcli") if p is not None else ""
            text[i] = (prim.partial_texts[pos].format(*[fill[str(k)] for k in range(len(args) - 1)],
                                                      y=fill["y"], p=fill["p"]), 0)
        else:
            text[i] = _inline_op(op, [text[a] for a in args], param)
    return [text[o][0] for o in dp.outputs]


def _wrap(t, level):
    s, prec = t
    return s if prec >= level else f"({s})"


def _inline_op(op, args, param):
    prec = _PREC.get(op)
    if op in ("add", "sub", "mul", "div"):
        sym = {"add": " + ", "sub": " - ", "mul": "*", "div": "/"}[op]
        left = _wrap(args[0], prec)
        right = _wrap(args[1], prec + 1)
        return left + sym + right, prec
    if op == "neg":
        return "-" + _wrap(args[0], 4), prec
    if op == "powc":
        return _wrap(args[0], 5) + "^" + _number(param, "adcli"), prec
    if op == "pow":
        return _wrap(args[0], 5) + "^" + _wrap(args[1], 4), prec
    if op in PRIMS:
        return f"{op}({', '.join(a[0] for a in args)})", 9
    return _render_text(op, args), 0


def _render_text(op, args):
    atoms = {k: _wrap(a, 2) for k, a in enumerate(args)}
    return GEN[op].adcli.format(*[atoms[k] for k in range(len(args))], p="")


# ---------------------------------------------------------------- the API's fast calls

def compile_python(dp, general):
    """(value function, gradient function, source) for the API: plain Python over floats
    with the raw `math` functions, run again with adcli's IEEE versions if one raises (as
    the engines retry with numpy). Each takes the arguments in order; a call that is not
    all floats goes to general(kind, args, more, kwargs), which checks it."""
    import numpy as np
    n = len(dp.variables)
    args = [f"x{k}" for k in range(n)]
    params = ", ".join(args)
    tup = f"({params}{',' if n == 1 else ''})"
    sig = ", ".join([f"{a}=_missing" for a in args] + (["/"] if args else []) + ["*_more", "**_kw"])
    check = " or ".join([f"type({a}) is not float" for a in args] + ["_more", "_kw"])
    values_needed = _needed(dp, dp.outputs[:dp.n_values])
    src = []
    bodies = {}
    for kind, which in (("safe", "py"), ("fast", "fast")):
        names, helpers = _py_helpers(dp, which)
        src += [h.replace("def _d", f"def _{kind}_d") for h in helpers]
        names = {k: f"_{kind}{v}" for k, v in names.items()}
        lines, atoms = _statements(dp, which, args, names)
        vals = [atoms[o] for o in dp.outputs[:dp.n_values]]
        value = vals[0] if len(vals) == 1 else "[" + ", ".join(vals) + "]"
        ders = [atoms[o] for o in dp.outputs[dp.n_values:]]
        grad_return = f"{value}, _array(({', '.join(ders)}{',' if len(ders) == 1 else ''}))"
        bodies[kind] = {"grad": ([f"{a} = {rhs}" for a, rhs in lines], grad_return),
                        "value": ([f"{a} = {rhs}" for a, rhs in lines if a in values_needed], value)}
        for entry in ("grad", "value"):
            body, ret = bodies[kind][entry]
            src.append(f"def _{kind}_{entry}({params}):")
            src += [f"    {line}" for line in body] + [f"    return {ret}", ""]
    # The entries run the fast statements inline (one call less), the safe ones on an exception.
    for entry in ("grad", "value"):
        body, ret = bodies["fast"][entry]
        src += [
            f"def {entry}({sig}):",
            f"    if {check}:",
            f"        return _general('{entry}', {tup}, _more, _kw)",
            "    try:",
            *[f"        {line}" for line in body],
            "    except (ArithmeticError, ValueError):",
            f"        return _safe_{entry}({params})",
            f"    return {ret}",
            "",
        ]
    source = "\n".join(src) + "\n"
    # The same source runs as two modules: one whose names are adcli's IEEE functions, for
    # the _safe functions, and one whose raising functions are math's, for the _fast ones
    # and the entries.
    safe = {k: v for k, v in vars(scalar).items() if not k.startswith("__")}
    safe.update({"_array": np.array, "_general": general, "_missing": MISSING})
    fast = dict(safe)
    for name in _RAISING:
        fast[name] = getattr(math, name)
    code = compile(source, "<adcli generated>", "exec")
    exec(code, safe)  # noqa: S102 - generated from the op table and repr(float); no user text
    exec(code, fast)  # noqa: S102
    fast["_safe_grad"], fast["_safe_value"] = safe["_safe_grad"], safe["_safe_value"]
    return fast["value"], fast["grad"], source


def _needed(dp, roots):
    """The names (v3, ...) of the statements the roots depend on."""
    live = set(roots)
    for i in range(len(dp.ops) - 1, -1, -1):
        if i in live:
            live.update(dp.ops[i][1])
    return {f"v{i}" for i in live}


class _Missing:
    def __repr__(self):
        return "<missing>"


MISSING = _Missing()  # an argument not given: the generated entries' default
