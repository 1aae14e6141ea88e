"""The library API: parse once, evaluate and differentiate, results as plain data."""
from .function import BACKENDS, MODES, Function, Result, choose_mode, compile, evaluate, grad, parse, sweep_reason

__all__ = ["BACKENDS", "MODES", "Function", "Result", "choose_mode", "compile", "evaluate", "grad", "parse",
           "sweep_reason"]
