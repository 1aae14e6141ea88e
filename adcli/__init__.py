"""adcli: exact derivatives of formulas by automatic differentiation.

The public API (see adcli.api): evaluate, grad, compile, parse. It is loaded on first
use so that `import adcli` and the command line start fast.
"""
__version__ = "0.1.0"
__all__ = ["evaluate", "grad", "compile", "parse", "Function", "Result", "AdcliError", "__version__"]


def __getattr__(name):
    if name in ("evaluate", "grad", "compile", "parse", "Function", "Result"):
        from .api import function as api
        return getattr(api, name)
    if name == "AdcliError":
        from .errors import AdcliError
        return AdcliError
    raise AttributeError(f"module 'adcli' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
