"""Taylor mode at many points at once: adcli.taylor's rules over numpy arrays.

A series is an (N+1, P) float64 array: row k holds the coefficient y_k at each of the P
points, so every step of a recurrence is one numpy call over all points (a Cauchy sum
is one einsum, which adds in the same order as the one-point sum). The work per node
stays O(N^2) per point; the Python overhead is O(N) calls per node, not O(N^2 P).

Points that need a special branch (abs at 0, a tie of min, a zero base, ...) are few:
K.split computes the regular branch for all points and redoes those points one at a
time with the one-point kit. Where that refuses, the point's coefficients above 0 are
nan in every output (as a loop of one-point calls would stop there) and one warning
per operation gives the reason and the number of points.
"""
import numpy as np

from ..ops import arrays as vector
from .taylor import Floats, Refused, sweep


def _column(x, j):
    """The one-point view of a kit argument at point j."""
    if isinstance(x, np.ndarray):
        return x[:, j].tolist() if x.ndim == 2 else float(x[j])
    return x


class Arrays:
    """Series as (N+1, P) arrays over adcli.vector."""

    def __init__(self, n, size, m=vector):
        self.m = m
        self.n = n
        self.size = size
        self.one = Floats(n)            # for the special points, one at a time
        self.finite = None              # points where the current node's inputs are finite
        self.refused = np.zeros(size, dtype=bool)   # points where some rule refused
        self.refusals = {}              # op -> [points, first reason]
        self.overflows = {}             # op -> points
        self._node = []                 # (point, reason) refused by the current node

    def new(self, n):
        return np.empty((n, self.size))

    def new_zeros(self, n):
        return np.zeros((n, self.size))

    def const(self, v):
        s = np.zeros((self.n, self.size))
        s[0] = v
        return s

    def seed(self, x, d):
        s = self.const(x)
        s[1] = d
        return s

    def add(self, a, b):
        return a + b

    def sub(self, a, b):
        return a - b

    def scale(self, c, a):
        return c * a

    def over(self, a, d):
        return a / d

    def dot(self, xs, ys):
        return np.einsum("ij,ij->j", xs, ys)

    def wdot(self, ws, xs, ys):
        w = np.asarray(ws, dtype=np.float64)
        if w.size == 0:
            return np.zeros(self.size)
        return np.einsum("i,ij,ij->j" if w.ndim == 1 else "ij,ij,ij->j", w, xs, ys)

    def deriv(self, a):
        return a[1:] * np.arange(1, len(a), dtype=np.float64)[:, None]

    def integrate(self, q, y0):
        out = self.new(len(q) + 1)
        out[0] = y0
        out[1:] = q / np.arange(1, len(q) + 1, dtype=np.float64)[:, None]
        return out

    def pick(self, cond, a, b):
        return np.where(cond, a, b)

    def is_zero(self, a):
        return ~a.any(axis=0)

    def is_const(self, a):
        return ~a[1:].any(axis=0)

    def same(self, a, b):
        return (a == b).all(axis=0)

    def any(self, cond):
        return bool(np.any(cond))

    def uniform(self, c):
        """c as one float when every point has the same, else the array."""
        if isinstance(c, np.ndarray) and c.ndim:
            return float(c[0]) if (c == c[0]).all() else c
        return float(c)

    def all(self, cond):
        return bool(np.all(cond))

    def bound(self, *series):
        """Per point, the largest |coefficient| of the series."""
        return np.max([np.abs(a).max(axis=0) for a in series], axis=0)

    def exponent(self, v):
        """Per point, as Floats.exponent."""
        v = np.asarray(v, dtype=np.float64)
        return np.where(np.isfinite(v), np.frexp(v)[1], 0).astype(np.int32)

    def step_exponent(self, e, *series):
        """Per point, as Floats.step_exponent."""
        big = np.abs(series[0][1:])
        for a in series[1:]:
            big = np.maximum(big, np.abs(a[1:]))
        big[~np.isfinite(big)] = 0.0
        with np.errstate(divide="ignore"):
            q = ((e - np.log2(big)) / np.arange(1, len(big) + 1)[:, None]).min(axis=0)   # inf where all are 0
        return np.where(np.isfinite(q), np.floor(q), 0).astype(np.int32)

    def rescale(self, a, e, r):
        """Row k times 2^(e + r k), per point, as Floats.rescale."""
        if type(e) is int and type(r) is int and e == r == 0:
            return a
        e, r = np.broadcast_to(np.asarray(e, dtype=np.int32), (self.size,)), np.asarray(r, dtype=np.int32)
        out = np.empty_like(a)
        for k in range(len(a)):
            np.ldexp(a[k], e + k * r, out=out[k])
        return out

    def split(self, cond, special, regular, *args):
        # Points whose value is already nan or inf get nan anyway: no special branch there.
        points = np.flatnonzero(np.asarray(cond) & self.finite)
        if points.size == 0:
            return regular(self, *args)
        out = regular(self, *args) if points.size < self.size else self.new(self.n)
        if any(out is a for a in args):
            out = out.copy()
        for j in points.tolist():
            try:
                out[:, j] = special(self.one, *[_column(a, j) for a in args])
            except Refused as e:
                out[:, j] = np.nan
                self._node.append((j, str(e)))
            except (ArithmeticError, ValueError):
                out[:, j] = np.nan
        return out

    def apply(self, rule, name, param, y0, av, sa, live=True):
        finite = np.isfinite(y0)
        for v in av:
            finite = finite & np.isfinite(v)
        # Points where the node is dead count as not finite: no special branch, no refusal,
        # no overflow runs or is counted there (nothing computed there is ever read).
        finite = np.broadcast_to(finite & live, (self.size,))
        self._node = []
        if finite.any():
            self.finite = finite
            out = rule(self, param, y0, *sa)
            if any(out is s for s in sa):
                out = out.copy()
        else:
            out = self.new(self.n)
        out[0] = y0
        out[1:, ~finite] = np.nan   # the value warning names the op
        refused_here = np.zeros(self.size, dtype=bool)
        for j, reason in self._node:
            refused_here[j] = True
            if not self.refused[j]:  # as at one point: the first refusal on the way stops it
                entry = self.refusals.setdefault(name, [0, reason])
                entry[0] += 1
        self.refused |= refused_here
        ok_in = finite & ~refused_here
        for s in sa:
            ok_in &= np.isfinite(s).all(axis=0)
        bad = ok_in & ~np.isfinite(out[1:]).all(axis=0)
        if bad.any():
            self.overflows[name] = self.overflows.get(name, 0) + int(bad.sum())
            for j in np.flatnonzero(bad).tolist():  # +-inf rather than nan, as at one point
                out[:, j] = self.one.rescue(rule, param, _column(y0, j), [_column(a, j) for a in sa],
                                            out[:, j].tolist())
        return out

    @property
    def warnings(self):
        out = []
        for _name, (count, reason) in self.refusals.items():
            out.append(f"taylor: {reason}: derivatives given as nan at {_points(count)}")
        for name, count in self.overflows.items():
            out.append(f"the Taylor coefficients of {name} overflowed (at {_points(count)})")
        return out


def _points(count):
    return f"{count} point{'s' if count != 1 else ''}"


def series(program, xs, direction, order, m=vector):
    """Taylor coefficients 0..order of every output along x + t*direction, at many
    points: xs are arrays (or numbers) broadcast together, direction one number per
    input. Returns (values of all nodes, one (order+1,) + shape array per output,
    warnings). Never raises for a point: refused points are nan, with a warning.
    `m` is the math namespace (tests pass one built on adcli.scalar's functions)."""
    arrays = np.broadcast_arrays(*[np.asarray(x, dtype=np.float64) for x in xs])
    shape = arrays[0].shape if arrays else ()
    flat = [a.reshape(-1) for a in arrays]
    K = Arrays(order + 1, int(np.prod(shape, dtype=np.int64)), m)
    with np.errstate(all="ignore"):
        vals, outs = sweep(program, flat, direction, order, K)
        for o in outs:
            o[1:, K.refused] = np.nan
    return vals, [o.reshape((order + 1,) + shape) for o in outs], K.warnings
