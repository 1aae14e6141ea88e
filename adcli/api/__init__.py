"""The library API: parse once, evaluate and differentiate; results as plain data."""
from .derivatives import BACKENDS, MAX_ORDER
from .function import Function, compile, evaluate, grad, parse
from .inputs import MODES, choose_mode, sweep_reason
from .results import Check, Hessian, Jacobian, Jvp, Result, Taylor, Vjp

__all__ = ["BACKENDS", "MAX_ORDER", "MODES", "Check", "Function", "Hessian", "Jacobian", "Jvp", "Result", "Taylor",
           "Vjp", "choose_mode", "compile", "evaluate", "grad", "parse", "sweep_reason"]
