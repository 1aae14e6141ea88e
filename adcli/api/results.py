"""What the API returns: plain data that renderers and batch writers only format."""


class Result:
    """What a command computed, as plain data: renderers format it and compute nothing."""

    def __init__(self, expr, at, outputs, value, mode=None, wrt=(), jacobian=None, warnings=(), reason=None):
        self.expr = expr            # the source text
        self.at = at                # {variable: value}
        self.outputs = outputs      # source text of each output
        self.value = value          # one number per output
        self.mode = mode            # "forward" / "reverse" when derivatives were taken
        self.wrt = tuple(wrt)       # the variables differentiated
        self.jacobian = jacobian    # rows = outputs, columns = wrt
        self.warnings = list(warnings)
        self.reason = reason        # why this AD mode, in sweeps

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


class Jacobian:
    def __init__(self, expr, at, outputs, variables, value, jacobian, mode, sweeps, reason, warnings):
        self.expr, self.at, self.outputs, self.variables = expr, at, outputs, variables
        self.value = value          # one number per output
        self.jacobian = jacobian    # rows = outputs, columns = variables
        self.mode = mode            # "forward" or "reverse"
        self.sweeps = sweeps        # {"forward": n, "reverse": m}: sweeps each mode needs
        self.reason = reason        # one sentence: which mode and why
        self.warnings = list(warnings)


class Hessian:
    def __init__(self, expr, at, variables, value, gradient, hessian, warnings):
        self.expr, self.at, self.variables = expr, at, variables
        self.value = value          # a number
        self.gradient = gradient    # {variable: number}
        self.hessian = hessian      # rows x columns, both in the order of `variables`
        self.warnings = list(warnings)


class Jvp:
    def __init__(self, expr, at, direction, outputs, value, jvp, warnings):
        self.expr, self.at, self.dir, self.outputs = expr, at, direction, outputs
        self.value = value          # one number per output
        self.jvp = jvp              # J @ dir, one number per output
        self.warnings = list(warnings)


class Vjp:
    def __init__(self, expr, at, cotangent, outputs, value, vjp, warnings):
        self.expr, self.at, self.cotangent, self.outputs = expr, at, cotangent, outputs
        self.value = value          # one number per output
        self.vjp = vjp              # {variable: (cotangent @ J)[variable]}
        self.warnings = list(warnings)


class Taylor:
    def __init__(self, expr, at, wrt, direction, coefficients, warnings):
        self.expr, self.at, self.wrt, self.dir = expr, at, wrt, direction
        self.coefficients = coefficients   # [c_0 .. c_N], c_k = f^(k) / k!
        from ..engine.taylor import factorial_times
        self.derivatives = [factorial_times(c, k) for k, c in enumerate(coefficients)]
        self.warnings = list(warnings)

    @property
    def order(self):
        return len(self.coefficients) - 1


class Check:
    def __init__(self, expr, at, value, rows, warnings):
        self.expr, self.at, self.value = expr, at, value
        self.rows = rows            # adcli.check.CheckRow per variable
        self.ok = all(r.ok for r in rows)
        self.warnings = list(warnings)
