"""Checking AD against an independent estimate: central differences, extrapolated, and
a verdict with three outcomes: agree, disagree, cannot verify.

The estimate. A central difference D(h) = (f(x+h) - f(x-h)) / 2h has error c2 h^2 +
c4 h^4 + ...; Ridders' method evaluates it for a shrinking sequence of steps, 1.4 times
smaller each time, and eliminates the h^2, h^4, ... terms by Richardson extrapolation in
a Neville tableau. The entry kept is the one whose neighbours agree best, and that
disagreement is its error estimate. No first step suits every function: sin(x) at
x = 1e8 needs steps below its period, not 0.1*|x|; 1/x at 1e-8 needs steps shorter than
the distance to the pole; 1e8 + 0.001*sin(x) needs steps near 1, or the change never
shows above the rounding of 1e8. So a tableau starts from every decade of steps, from
max(1, |x|) down to the shortest step at which f still shows a change, and of the
estimates the one with the smallest error wins, except those that shorter steps
contradict: an estimate from steps too long for f (sin averaged over many periods, a
pole or a saturated sigmoid seen from afar) can look converged, with a small error,
and is still not the limit h -> 0. A tableau whose differences grow from one step to
the next instead of shrinking (its steps cross a pole) is dropped outright.

Roundoff. f is computed in float64, and a difference of two of its values is no better
than their rounding: sigma / h, with sigma a first-order bound of f's rounding error
(each operation rounds its result by up to eps relative, and that error reaches the
output through the absolute values of the partials: (x + 1e8) - 1e8 is as noisy as 1e8
is). The error estimate of every tableau entry includes the roundoff its differences
carry, amplified by the extrapolation, so a difference that rounding has flattened to
0 is never taken for an exact 0. sigma only says how far a difference can be trusted,
never what it is.

Jumps and corners. At a jump the central differences grow like 1/h; at a corner they
see the mean of the two slopes (0 for abs at 0, like AD's convention). A scan over
decades of steps, down to the shortest step x + h can take, looks for a change
f(x+h) - f(x-h) that does not shrink with h (a jump) and for one-sided slopes that stay
apart (a corner). It also finds where f stops showing any change above its rounding,
which bounds the steps the estimate starts from, and whether f shows one at all.

The verdict is CheckRow's; its rules are in the help of `adcli check` and in
CheckRow._verdict.
"""
import math
from dataclasses import dataclass, field

from ..numtext import number
from ..ops import scalar
from ..ops.call import call_partials
from . import forward, reverse
from .sweep import compiled, values

# Why these numbers: see RTOL in the help of `adcli check`.
RTOL = 1e-6        # AD vs the extrapolated difference, relative to max(1, |derivative|)
AGREE = 1e-12      # forward vs reverse AD, relative to the larger of them and of the terms they add up
CONFIDENT = 10.0   # a disagreement needs a gap beyond the tolerance of this many times the difference's error
EPS = 2.0 ** -53   # a rounding of one operation, relative (the unit roundoff)
_SHRINK = 1.4      # step ratio within a tableau
_TABLEAU = 10      # rows of a tableau
_DECADE = 7        # rows between tableau starts: 1.4^7 ~ 10.5, one start per decade of steps
_STARTS = 40       # at most this many decades of first steps
_RESOLVED = 1e3    # a change counts as seen, for jumps and corners, at this many times f's rounding
_VISIBLE = 10.0    # ... and as worth a difference at all at this many times
_SCAN = 60         # at most this many decades of steps when looking for jumps and corners

# ---- the estimate ---------------------------------------------------------------------

class _Steps:
    """Central differences of f at x for the steps top/1.4^k, computed once each.
    A row is (h, D, noise): the step as represented (x+h and x-h rounded, so the
    difference is taken over what was really evaluated), the difference, and the
    roundoff it can carry (sigma over the half-width)."""

    def __init__(self, f, x, top, sigma):
        self.f, self.x, self.top, self.sigma = f, x, top, sigma
        self.rows = []

    def row(self, k):
        while len(self.rows) <= k:
            h = self.top / _SHRINK ** len(self.rows)
            xp, xm = self.x + h, self.x - h
            fp, fm = self.f(xp), self.f(xm)
            half = (xp - xm) / 2.0
            if not (math.isfinite(fp) and math.isfinite(fm)) or half <= 0.0:
                self.rows.append((h, math.nan, math.inf))
                continue
            s = max(self.sigma, EPS * max(abs(fp), abs(fm)))
            self.rows.append((half, (fp - fm) / (2.0 * half), s / half))
        return self.rows[k]


def tableau(steps, k0):
    """(estimate, error, roundoff part of the error, last row) of the Ridders tableau
    whose first row is steps.row(k0): the entry whose error estimate is smallest, that
    estimate, and the index of the shortest step it used. An entry's error estimate is
    its disagreement with its neighbours in the tableau (the entries left of it and
    above it, and the one below it, which must exist: an entry that only two rows
    happen to agree on is not trusted) plus the roundoff its differences carry,
    amplified by the extrapolation. The estimate is nan when the first differences are not finite or not
    converging (they grow from one step to the next instead of shrinking, as when the
    steps cross a pole)."""
    none = (math.nan, math.inf, 0.0, k0)
    h0, d0, n0 = steps.row(k0)
    if d0 != d0:
        return none
    hs, rows, noises = [h0], [[d0]], [[n0]]
    deltas = []
    best_err = math.inf
    for i in range(1, _TABLEAU):
        h, d, n = steps.row(k0 + i)
        if d != d or h >= hs[-1]:
            break   # not finite, or the step no longer shrinks (x + h rounds as x + 1.4h did)
        prev, prev_noise = rows[-1], noises[-1]
        deltas.append(abs(d - prev[0]))
        if i >= 2 and deltas[-1] > deltas[-2] + 2.0 * (n + prev_noise[0]):
            if i == 2:
                return none
            break
        hs.append(h)
        row, noise = [d], [n]
        for j in range(1, i + 1):
            r = (hs[i - j] / h) ** 2
            row.append(row[j - 1] + (row[j - 1] - prev[j - 1]) / (r - 1.0))
            noise.append(noise[j - 1] * r / (r - 1.0) + prev_noise[j - 1] / (r - 1.0))
            best_err = min(best_err, max(abs(row[j] - row[j - 1]), abs(row[j] - prev[j - 1])) + noise[j])
        rows.append(row)
        noises.append(noise)
        if abs(row[i] - prev[i - 1]) > 2.0 * best_err:
            break  # roundoff now dominates: smaller steps only make it worse
    best = none
    for i in range(1, len(rows) - 1):
        below = rows[i + 1]
        for j in range(1, i + 1):
            t = rows[i][j]
            spread = max(abs(t - rows[i][j - 1]), abs(t - rows[i - 1][j - 1]), abs(below[j] - t))
            err = spread + noises[i][j]
            if err <= best[1]:
                best = (t, err, noises[i][j], k0 + i)
    return best


def estimate(f, x, sigma=0.0, shortest=0.0):
    """(estimate, error estimate, roundoff part of the error, note) of f'(x) by extrapolated
    central differences. f is a function of one float that returns a float (nan outside
    its domain); sigma bounds f's rounding error near x; shortest is the shortest first
    step worth trying (below it f shows no change above its rounding: see scan).

    A tableau starts from every decade of steps from max(1, |x|) down to `shortest`
    (and one decade further).
    An estimate E from steps down to h is the limit h -> 0 only if shorter steps bear it
    out: the differences at shorter steps stay as close to E as the difference at h was,
    give or take twice their errors (Richardson's error terms c2 h^2 + c4 h^4 + ... only
    shrink as h does), and no estimate from shorter steps differs from E by more than
    the two error estimates together. One that shorter steps contradict is an artefact
    of steps too long for f (sin(x) averaged over many periods, a pole or a saturated
    sigmoid seen from afar, an extrapolation that two rows agreed on by chance), however
    small its error estimate. Of the others, the one with the smallest error wins.
    (nan, inf, 0, why) when no finite, converging difference exists."""
    top = max(1.0, abs(x))
    bottom = _bottom(x)
    steps = _Steps(f, x, top, sigma)
    found = []
    for s in range(_STARTS):
        k0 = s * _DECADE
        h = top / _SHRINK ** k0
        if h < bottom or (s >= 2 and h < 0.1 * shortest):
            break
        got = tableau(steps, k0)
        if got[0] == got[0]:
            found.append(got)
    best = (math.nan, math.inf, 0.0, "")
    for i, (est, err, noise, last) in enumerate(found):
        if err < best[1] and not _contradicted(est, err, last, steps.rows) and \
                not any(abs(est - e) > err + r for e, r, _, _ in found[i + 1:]):
            best = (est, err, noise, "")
    if best[0] != best[0]:
        reached = number(steps.rows[-1][0], 3)
        if all(d != d for _, d, _ in steps.rows):
            best = best[:3] + (f"no finite difference: f is not finite on both sides of the point "
                               f"(steps down to {reached})",)
        else:
            best = best[:3] + (f"no difference settles: the differences do not converge as the step shrinks "
                               f"(steps down to {reached})",)
    return best


def _bottom(x):
    """The shortest step worth taking at x: a few units in the last place of x (x + h
    must differ from x), and 1e-300 at x = 0."""
    return 4.0 * math.ulp(x) if x else 1e-300


def _contradicted(est, err, last, rows):
    """True when a difference at a step shorter than rows[last] is further from est than
    the difference at rows[last] was, by more than twice the errors allow."""
    reach = abs(rows[last][1] - est) + err
    for _, d, noise in rows[last + 1:]:
        if d == d and abs(d - est) > 2.0 * (reach + noise):
            return True
    return False


# ---- roundoff in f, and the size of what AD adds up -----------------------------------------

def magnitudes(program, xs, out, wrt):
    """(sigma, sizes) at xs, from one forward sweep over absolute values.

    sigma: a first-order bound of the rounding error of node `out`: each operation's
    result is off by up to EPS relative, and that error reaches `out` through the
    absolute values of the partials downstream. Inputs and constants count as exact (a
    check moves one input by a step that is represented exactly).
    sizes[c]: d out / d xs[wrt[c]] with every partial replaced by its absolute value:
    the size of the terms AD adds up. Where they cancel, forward and reverse mode add
    them in different orders and lose different digits."""
    code = compiled(program)
    vals = values(program, xs, scalar)
    k = len(wrt)
    e = [0.0] * len(code)
    a = [None] * len(code)
    for c, i in enumerate(wrt):
        a[i] = [0.0] * k
        a[i][c] = 1.0
    for i in range(len(xs), out + 1):
        prim, args, param = code[i]
        if prim is None:
            continue
        acc = EPS * abs(vals[i])
        if any(e[j] or a[j] is not None for j in args):
            av = [vals[j] for j in args]
            ps = call_partials(prim, scalar, param, vals[i], av)
            for pos, (j, p) in enumerate(zip(args, ps)):
                # Rounding passes only where a derivative does (not through a comparison), and
                # only from the branch an `if` takes: the other may be nan, and is not f.
                if pos not in prim.edges or (pos in prim.guards and not prim.guards[pos](scalar, *av)):
                    continue
                p = abs(p)
                if e[j]:
                    acc += p * e[j]
                if a[j] is not None:
                    a[i] = a[i] or [0.0] * k
                    for c in range(k):
                        if a[j][c]:
                            a[i][c] += p * a[j][c]
        e[i] = acc if acc == acc else math.inf
    return e[out], (a[out] or [0.0] * k)


# ---- jumps and corners --------------------------------------------------------------------

def scan(f, x, f0, sigma):
    """(jump, step, left, right, shortest, flat) from central and one-sided differences over
    decades of steps, from max(1, |x|) down to the shortest step x + h can take (or 60
    decades). A change counts where it is well above f's rounding (sigma); a change too
    small to see at one step may still show at shorter ones (a saturated function seen
    from afar), so the scan goes on.

    jump: f(x+h) - f(x-h) at the shortest step, when over the last three decades it kept
    its sign and size instead of shrinking with h, down to the shortest step x + h can
    take (0.0 otherwise); step: that h.
    left, right: the one-sided slopes (f(x) - f(x-h))/h and (f(x+h) - f(x))/h, when over
    the last three decades their gap kept its sign and size instead of shrinking with h
    (a corner), taken at the middle one of those steps; nan otherwise.
    shortest: the shortest step at which f still shows a change above its rounding
    (10 times sigma), where a difference still has a digit to give; if none does, the
    longest step at which f is finite on both sides. flat: no step shows such a change
    (f does not change with x at all, or only by less than its rounding: 1e17 + cos(y)
    in float64)."""
    top = max(1.0, abs(x))
    bottom = _bottom(x)
    seen = []   # (decade, h, jump, left, right, corner resolved) where f resolved a change
    final = -1  # the last decade scanned with f finite on both sides
    shortest, flat = top, True
    for k in range(_SCAN):
        h = top / 10.0 ** k
        if h < bottom:
            break
        xp, xm = x + h, x - h
        fp, fm = f(xp), f(xm)
        if not (math.isfinite(fp) and math.isfinite(fm)):
            continue   # across a pole or out of the domain: shorter steps may not be
        if final < 0 and flat:
            shortest = xp - x   # until a change shows: the longest step with f finite
        final = k
        noise = max(sigma, EPS * max(abs(fp), abs(fm), abs(f0)))
        change = max(abs(fp - f0), abs(f0 - fm))
        if change > _VISIBLE * noise:
            shortest, flat = xp - x, False
        s = _RESOLVED * noise
        if change <= s:
            continue   # too small a change to see; f may still change more at shorter steps
        hp, hm = xp - x, x - xm
        left, right = (f0 - fm) / hm, (fp - f0) / hp
        seen.append((k, hp, fp - fm, left, right, abs(right - left) * min(hp, hm) > s))
    jump, step, left, right = 0.0, 0.0, math.nan, math.nan
    last = seen[-3:]
    # A jump lasts down to the shortest step; a change that fades at shorter steps was a
    # steep but continuous stretch of f seen from afar.
    if _consecutive(last) and last[-1][0] == final and _steady([c[2] for c in last]):
        jump, step = last[-1][2], last[-1][1]
    corner = [c for c in seen if c[5]][-3:]
    if not jump and corner and corner[-1] is seen[-1] and _consecutive(corner) and \
            _steady([c[4] - c[3] for c in corner]):
        left, right = corner[1][3], corner[1][4]   # the middle step: less roundoff than the shortest
    return jump, step, left, right, shortest, flat


def _consecutive(cs):
    """Three scan entries from three consecutive decades."""
    return len(cs) == 3 and cs[2][0] - cs[0][0] == 2


def _steady(vs):
    """True when the numbers have one sign and stay within a factor 1.5 of each other:
    what a jump (or a corner's slope gap) does as h shrinks, and a smooth function's
    change (shrinking 10 times per decade) does not."""
    if not all(v > 0 for v in vs) and not all(v < 0 for v in vs):
        return False
    a = [abs(v) for v in vs]
    return max(a) <= 1.5 * min(a)


# ---- the verdict ----------------------------------------------------------------------------

@dataclass(eq=False)
class CheckRow:
    """AD against the extrapolated central difference for one variable, and the verdict.

    finite_difference, fd_error: the estimate and its error estimate (fd_noise of it is
    roundoff in f). jump/step, left/right: what the scan for discontinuities found (see
    scan). size: the derivative with every partial taken in absolute value (see
    magnitudes), 0 if unknown. flat: f showed no change above its rounding at any step.
    note: why there is no estimate, when there is none."""
    var: str
    forward: float
    reverse: float
    finite_difference: float
    fd_error: float
    fd_noise: float = 0.0
    jump: float = 0.0
    step: float = 0.0
    left: float = math.nan
    right: float = math.nan
    size: float = 0.0
    flat: bool = False
    note: str = ""
    abs_error: float = field(init=False)
    rel_error: float = field(init=False)
    verdict: str = field(init=False)
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
        self.verdict, self.reason = self._verdict()
        self.ok = self.verdict == "agree"

    def _verdict(self):
        """(verdict, reason). disagree only on evidence against AD: forward and reverse
        differ; f jumps where AD gives a finite slope that cannot account for the jump;
        f has a corner (two one-sided slopes, AD gives a convention); or a difference
        further from AD than the tolerance plus CONFIDENT times its error estimate (AD
        lies outside the difference's error bars, widened by the tolerance). agree when the difference is
        within RTOL*max(1, |AD|) of AD and its own error is within that too. Everything
        else is unverifiable: no float64 difference can confirm or refute AD there."""
        f, r, fd, err = self.forward, self.reverse, self.finite_difference, self.fd_error
        if not _close(f, r, AGREE, self.size):
            return "disagree", "forward and reverse AD disagree"
        ad_finite = math.isfinite(f)
        tol = RTOL * max(1.0, abs(f) if ad_finite else 0.0)
        if self.jump:
            if ad_finite and abs(f) * 2.0 * self.step * CONFIDENT <= abs(self.jump):
                return "disagree", (f"f jumps by {_g(self.jump)} across the point (steps down to "
                                    f"{_g(self.step)}): it has no derivative there, AD gives {_g(f)}")
            return "unverifiable", (f"f changes by {_g(self.jump)} within a step of {_g(self.step)}: too steep "
                                    "for a difference to follow")
        if self.left == self.left:
            if not ad_finite:
                return "unverifiable", (f"f has a corner here (slope {_g(self.left)} on the left, "
                                        f"{_g(self.right)} on the right) and AD gives {_g(f)}")
            if max(abs(f - self.left), abs(f - self.right)) > tol:
                return "disagree", (f"f has a corner here: slope {_g(self.left)} on the left, {_g(self.right)} "
                                    f"on the right, so no derivative; AD gives {_g(f)} (its convention)")
        if fd != fd:
            return "unverifiable", self.note or "no finite difference"
        if not ad_finite:
            if err <= RTOL * max(1.0, abs(fd)) and not self.flat:
                return "disagree", f"AD gives {_g(f)} where the difference finds a finite slope"
            return "unverifiable", f"AD gives {_g(f)}, which no difference quotient can confirm"
        gap = self.abs_error
        if gap <= tol and err <= tol:
            return "agree", "AD and finite differences agree"
        if gap > tol + CONFIDENT * err:
            if self.flat:
                return "unverifiable", (f"f shows no change above its rounding at any step, so a slope of {_g(f)} "
                                        "(AD) would not show either: differences cannot test it")
            return "disagree", "AD and finite differences disagree"
        why = "roundoff in f swamps the change" if self.fd_noise * 2.0 >= err else "the differences do not settle"
        return "unverifiable", (f"{why}: the difference {_g(fd)} has an error estimate of {_g(err)}, "
                                f"too large to confirm or refute AD = {_g(f)}")


def overall(verdicts):
    """One verdict for several rows: disagree if any disagrees, else unverifiable if
    any is, else agree."""
    vs = set(verdicts)
    return "disagree" if "disagree" in vs else "unverifiable" if "unverifiable" in vs else "agree"


def _g(v):
    return number(v, 3)


def _close(a, b, rtol, size=0.0):
    """a and b equal to rtol relative to the larger of them and of size (the terms they
    were summed from), or both nan, or the same inf."""
    if a == b or (a != a and b != b):
        return True
    if not (math.isfinite(a) and math.isfinite(b)):
        return False
    scale = max(abs(a), abs(b), size if math.isfinite(size) else 0.0)
    return abs(a - b) <= max(rtol * scale, 1e-300)


def check(program, xs, wrt):
    """One CheckRow per input index in wrt, for output 0 at the point xs."""
    out = program.outputs[0]
    _, fwd = forward.jacobian(program, xs, wrt, scalar)
    _, rev = reverse.jacobian(program, xs, wrt, scalar)
    f0 = values(program, xs, scalar)[out]
    sigma, sizes = magnitudes(program, xs, out, wrt)
    rows = []
    for c, i in enumerate(wrt):
        def f(t, i=i):
            pt = list(xs)
            pt[i] = t
            return values(program, pt, scalar)[out]
        fw = fwd[0][c] if fwd[0][c] is not None else 0.0
        rv = rev[0][c] if rev[0][c] is not None else 0.0
        name = program.inputs[i]
        if not math.isfinite(f0):
            rows.append(CheckRow(name, float(fw), float(rv), math.nan, math.inf,
                                 note="f is not finite at the point"))
            continue
        jump, step, left, right, shortest, flat = scan(f, xs[i], f0, sigma)
        fd, err, noise, note = estimate(f, xs[i], sigma, shortest)
        rows.append(CheckRow(name, float(fw), float(rv), fd, err, noise, jump, step, left, right,
                             size=float(sizes[c]), flat=flat, note=note))
    return rows
