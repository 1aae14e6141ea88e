"""What the API returns, declared as dataclasses: plain data that renderers and batch
writers format, dispatching on the type, and compute nothing from.

A field holds a number at one point and a float64 array at many points (--points, a job
file's lines that share an expression, the API's array call); adcli.batch.records
splits a many-point result into one-point results and stacks them back, field by field.
"""
from dataclasses import MISSING, dataclass, field, fields

__all__ = ["Check", "Hessian", "Jacobian", "Jvp", "Result", "Taylor", "Vjp", "rebuild"]


class _Data:
    """What every result shares, written once here rather than generated per class by
    @dataclass at import, which `adcli grad` would pay for at every start: the repr, and
    __init__ (dataclasses compiles one per class with exec: 1 ms of start-up for the
    seven). Each class has a docstring for the same reason: dataclasses writes a missing
    one from inspect.signature(cls)."""

    def __init__(self, *args, **kwargs):
        cls = type(self)
        names = cls._init_names
        if len(args) > len(names):
            raise TypeError(f"{cls.__name__}() takes {len(names)} arguments, {len(args)} given")
        d = self.__dict__
        d.update(zip(names, args))
        if kwargs or len(args) < len(names):
            for name in names[:len(args)]:
                if name in kwargs:
                    raise TypeError(f"{cls.__name__}() got '{name}' twice")
            for name in names[len(args):]:
                if name in kwargs:
                    d[name] = kwargs.pop(name)
                elif name in cls._init_defaults:
                    d[name] = cls._init_defaults[name]
                else:
                    raise TypeError(f"{cls.__name__}() missing argument '{name}'")
            if kwargs:
                raise TypeError(f"{cls.__name__}() got unexpected arguments {', '.join(kwargs)}")
        self.__post_init__()

    def __post_init__(self):
        pass

    def __repr__(self):
        return f"{type(self).__name__}({', '.join(f'{f.name}={getattr(self, f.name)!r}' for f in fields(self))})"


def _declared(cls):
    """@dataclass without the generated methods: fields(), replace() and is_dataclass()
    work as for any dataclass, _Data.__init__ takes the init fields in order."""
    cls = dataclass(init=False, repr=False, eq=False)(cls)
    cls._init_names = tuple(f.name for f in fields(cls) if f.init)
    cls._init_defaults = {f.name: f.default for f in fields(cls) if f.init and f.default is not MISSING}
    return cls


@_declared
class Result(_Data):
    """eval (no derivatives) and grad (the Jacobian rows of its one output)."""
    expr: str                   # the source text
    at: dict                    # {variable: value}
    outputs: tuple              # source text of each output
    value: list                 # one number per output
    mode: str = None            # "forward" / "reverse" when derivatives were taken
    wrt: tuple = ()             # the variables differentiated
    jacobian: list = None       # rows = outputs, columns = wrt
    warnings: list = ()
    reason: str = None          # why this AD mode, in sweeps

    def __post_init__(self):
        self.wrt = tuple(self.wrt)
        self.warnings = list(self.warnings)

    @property
    def gradient(self):
        """{variable: derivative} of the first (usually only) output."""
        return dict(zip(self.wrt, self.jacobian[0])) if self.jacobian is not None else None

    def __iter__(self):  # value, gradient = adcli.grad(...)
        yield self.value[0] if len(self.value) == 1 else self.value
        if self.jacobian is not None:
            yield self.gradient

    def __repr__(self):
        value = self.value[0] if len(self.value) == 1 else self.value
        grad = f", gradient={self.gradient!r}" if self.jacobian is not None else ""
        return f"Result(value={value!r}{grad})"


@_declared
class Jacobian(_Data):
    """jacobian: every output's derivatives, in the cheaper AD mode."""
    expr: str
    at: dict
    outputs: tuple
    variables: tuple
    value: list                 # one number per output
    jacobian: list              # rows = outputs, columns = variables
    mode: str                   # "forward" or "reverse"
    sweeps: dict                # {"forward": n, "reverse": m}: sweeps each mode needs
    reason: str                 # one sentence: which mode and why
    warnings: list

    def __post_init__(self):
        self.warnings = list(self.warnings)


@_declared
class Hessian(_Data):
    """hessian: value, gradient and the matrix of second derivatives."""
    expr: str
    at: dict
    variables: tuple
    value: float
    gradient: dict              # {variable: number}
    hessian: list               # rows x columns, both in the order of `variables`
    warnings: list

    def __post_init__(self):
        self.warnings = list(self.warnings)


@_declared
class Jvp(_Data):
    """jvp: J @ dir, the derivative along a direction."""
    expr: str
    at: dict
    dir: dict                   # {variable: number}
    outputs: tuple
    value: list                 # one number per output
    jvp: list                   # J @ dir, one number per output
    warnings: list

    def __post_init__(self):
        self.warnings = list(self.warnings)


@_declared
class Vjp(_Data):
    """vjp: cotangent @ J."""
    expr: str
    at: dict
    cotangent: list
    outputs: tuple
    value: list                 # one number per output
    vjp: dict                   # {variable: (cotangent @ J)[variable]}
    warnings: list

    def __post_init__(self):
        self.warnings = list(self.warnings)


@_declared
class Taylor(_Data):
    """taylor: the Taylor coefficients (and derivatives) along a variable or a direction."""
    expr: str
    at: dict
    wrt: str                    # the variable, or "t" along a direction
    dir: dict                   # the direction, or None along a variable
    coefficients: list          # [c_0 .. c_N], c_k = f^(k) / k!
    warnings: list
    derivatives: list = field(init=False)   # [f^(k)] = c_k * k!

    def __post_init__(self):
        from ..engine.taylor import factorial_times
        self.derivatives = [factorial_times(c, k) for k, c in enumerate(self.coefficients)]
        self.warnings = list(self.warnings)

    @property
    def order(self):
        return len(self.coefficients) - 1


@_declared
class Check(_Data):
    """check: AD against finite differences, a row and a verdict per variable."""
    expr: str
    at: dict
    value: float
    rows: list                  # CheckRow per variable
    warnings: list
    ok: bool = field(init=False)        # every row agrees
    verdict: str = field(init=False)    # "disagree" if a row does, else "unverifiable" if a row is, else "agree"

    def __post_init__(self):
        self.ok = all(r.ok for r in self.rows)
        from ..engine.fdcheck import overall  # check's machinery, loaded by check alone
        self.verdict = overall(r.verdict for r in self.rows)
        self.warnings = list(self.warnings)


def rebuild(cls, values):
    """An instance of the dataclass cls with every field (derived ones included) set
    from values, without recomputing anything: how a result is split into points or
    stacked from them, when its fields hold arrays that __post_init__ cannot take."""
    r = object.__new__(cls)
    for f in fields(cls):
        object.__setattr__(r, f.name, values[f.name])
    return r
