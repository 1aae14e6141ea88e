"""Checking AD against an independent estimate: central differences, extrapolated.

A central difference D(h) = (f(x+h) - f(x-h)) / 2h has error c2 h^2 + c4 h^4 + ...;
Ridders' method evaluates it for a shrinking sequence of steps h, 1.4 times smaller each
time, and eliminates the h^2, h^4, ... terms by Richardson extrapolation in a Neville
tableau. The estimate kept is the tableau entry whose neighbours agree best, and that
disagreement is its error estimate; the steps stop shrinking once roundoff makes the
tableau worse. So the step is chosen by the function, not fixed in advance, and on a
smooth function the estimate is good to about 1e-10 relative or better.
"""
import math
from dataclasses import dataclass, field

# Why these numbers: see RTOL in the help of `adcli check`.
RTOL = 1e-6        # AD vs the extrapolated difference, relative to max(1, |derivative|)
AGREE = 1e-12      # forward vs reverse AD, relative
_SHRINK = 1.4
_TABLEAU = 10


def ridders(f, x, h0):
    """(estimate, error estimate) of f'(x) by extrapolated central differences.
    f is a function of one float that returns a float (nan outside its domain).
    When the tableau's own error estimate stays large (the first step was too long for
    the curvature, e.g. near a singularity), it starts again from a 10 times shorter
    step, and keeps the estimate with the smallest error."""
    best = (math.nan, math.inf)
    for _ in range(8):
        est, err = _tableau(f, x, h0)
        if err < best[1]:
            best = (est, err)
        if best[1] <= 1e-10 * max(1.0, abs(best[0])) or not math.isfinite(est):
            break
        h0 /= 10.0
    return best


def _tableau(f, x, h0):
    h = h0
    # Start inside the domain: shrink the first step until both sides evaluate.
    for _ in range(60):
        if math.isfinite(f(x + h)) and math.isfinite(f(x - h)):
            break
        h /= 4.0
    else:
        return math.nan, math.inf
    con2 = _SHRINK * _SHRINK
    prev = [(f(x + h) - f(x - h)) / (2.0 * h)]
    best, err = prev[0], math.inf
    for i in range(1, _TABLEAU):
        h /= _SHRINK
        row = [(f(x + h) - f(x - h)) / (2.0 * h)]
        fac = con2
        for j in range(1, i + 1):
            row.append((row[j - 1] * fac - prev[j - 1]) / (fac - 1.0))
            fac *= con2
            e = max(abs(row[j] - row[j - 1]), abs(row[j] - prev[j - 1]))
            if e <= err:
                err, best = e, row[j]
        if abs(row[i] - prev[i - 1]) >= 2.0 * err:
            break  # roundoff now dominates: smaller steps only make it worse
        prev = row
    return best, err


@dataclass(eq=False)
class CheckRow:
    """AD against the extrapolated central difference for one variable, and the verdict."""
    var: str
    forward: float
    reverse: float
    finite_difference: float
    fd_error: float
    abs_error: float = field(init=False)
    rel_error: float = field(init=False)
    ok: bool = field(init=False)
    reason: str = field(init=False)

    def __post_init__(self):
        ad, fd = self.forward, self.finite_difference
        if math.isfinite(ad) and math.isfinite(fd):
            self.abs_error = abs(ad - fd)
            big = max(abs(ad), abs(fd))
            self.rel_error = self.abs_error / big if big else 0.0
        else:
            same = ad == fd or (ad != ad and fd != fd)
            self.abs_error = 0.0 if same else math.inf
            self.rel_error = 0.0 if same else math.inf
        self.ok, self.reason = self._verdict()

    def _verdict(self):
        f, r, fd = self.forward, self.reverse, self.finite_difference
        if not _close(f, r, AGREE, 1e-300):
            return False, "forward and reverse AD disagree"
        if fd != fd:
            return False, "no finite-difference estimate (the function is not finite near the point)"
        if self.abs_error <= RTOL * max(1.0, abs(f) if math.isfinite(f) else 0.0):
            return True, "agree"
        return False, "AD and finite differences disagree"


def _close(a, b, rtol, atol):
    if a == b or (a != a and b != b):
        return True
    if not (math.isfinite(a) and math.isfinite(b)):
        return False
    return abs(a - b) <= atol + rtol * max(abs(a), abs(b))


def check(program, xs, wrt):
    """One CheckRow per input index in wrt, for output 0 at the point xs."""
    from . import forward, reverse
    from ..ops import scalar
    from .sweep import values
    out = program.outputs[0]
    _, fwd = forward.jacobian(program, xs, wrt, scalar)
    _, rev = reverse.jacobian(program, xs, wrt, scalar)
    rows = []
    for c, i in enumerate(wrt):
        def f(t, i=i):
            pt = list(xs)
            pt[i] = t
            return values(program, pt, scalar)[out]
        fd, err = ridders(f, xs[i], 0.1 * max(1.0, abs(xs[i])))
        fw = fwd[0][c] if fwd[0][c] is not None else 0.0
        rv = rev[0][c] if rev[0][c] is not None else 0.0
        rows.append((program.inputs[i], float(fw), float(rv), fd, err))
    return rows
