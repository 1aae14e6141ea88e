"""scipy.optimize, loaded by fit, minimize and solve alone (never at start-up, never by
another command), or one clear error naming the extra that installs it."""
from ...errors import UsageError

EXTRA = 'pip install "adcli[solve]"'


def scipy_optimize(command):
    try:
        import scipy.optimize
    except ImportError:
        raise UsageError(f"adcli {command} needs scipy, which is not installed",
                         hint=f"install it with adcli's solve extra: {EXTRA} (or pip install scipy)") from None
    return scipy.optimize
