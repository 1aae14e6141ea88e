"""Many points at once, fast: the primitive table's rules (the arrays namespace) run over
cache-sized chunks of points, on a pool of threads.

Why it is faster than the plain arrays path (adcli.engine.forward / reverse with
numpy arrays): a chunk of CHUNK points keeps the intermediate arrays of a sweep in the CPU
caches instead of streaming million-element temporaries through memory; arrays are
dropped right after their last use; structural partials (0, 1, -1) cost no multiply;
adjoints are accumulated in place when no other reference to the array exists; and
numpy releases the GIL inside its loops, so the chunks run on all cores.

The reverse sweep is adcli.engine.reverse.sweep itself, with an accumulator that works
in place (InPlace) but keeps the arithmetic and its order (nodes in reverse, arguments
in order, `adj = adj + term`), so results are bit for bit those of
adcli.engine.reverse on the whole arrays, and equal a loop of one-point evaluations up
to the last-bit differences between libm and numpy's exp, log, tanh, ...
(tests/test_vectorized.py).
"""
import os
import threading

import numpy as np

from ..ops import arrays
from . import reverse
from .sweep import compiled

# Points per chunk. Each numpy call must run long enough that handing the GIL between
# threads (several microseconds on a VM) is cheap next to it, while one sweep's
# intermediate arrays (256 KB each here) stay in L2/L3. Measured with
# benchmarks/kernel.py on 2 cores: with 4k-point chunks a second thread gained nothing,
# with 32k-point chunks it gained 1.4-1.7x (when the second core was not busy).
CHUNK = 32768
_pool = None
_pool_lock = threading.Lock()


def workers():
    """Threads used for chunks (ADCLI_THREADS overrides the CPU count)."""
    try:
        n = int(os.environ.get("ADCLI_THREADS", "0"))
    except ValueError:
        n = 0
    return n if n > 0 else (len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
                            else os.cpu_count() or 1)


def _executor():
    global _pool
    with _pool_lock:
        if _pool is None:
            from concurrent.futures import ThreadPoolExecutor
            _pool = ThreadPoolExecutor(max_workers=workers(), thread_name_prefix="adcli")
        return _pool


def map_chunks(work, n, chunk=CHUNK):
    """Run work(lo, hi) for consecutive slices of range(n), in parallel when there
    are several chunks and several cores. work writes its own results."""
    bounds = [(lo, min(lo + chunk, n)) for lo in range(0, n, chunk)]
    if len(bounds) <= 1 or workers() == 1:
        for lo, hi in bounds:
            work(lo, hi)
        return
    # Each thread takes the next chunk as it finishes one, so a slow chunk (or a core
    # busy with something else) does not hold the others up.
    it = iter(bounds)
    lock = threading.Lock()
    stop = []

    def run():
        # errstate is per thread: IEEE results are wanted here, and adcli names the
        # operation that made a nan or inf itself.
        with np.errstate(all="ignore"):
            while True:
                with lock:
                    b = None if stop else next(it, None)
                if b is None:
                    return
                work(*b)

    futures = [_executor().submit(run) for _ in range(min(workers(), len(bounds)))]
    try:
        for f in futures:
            f.result()
    except BaseException:
        # Ctrl-C (or a failure): the other threads finish their current chunk and stop.
        stop.append(True)
        raise


_plans = {}
_plans_lock = threading.Lock()


def plan_of(program, wrt=None):
    """The Plan of program for the inputs wrt, reused across calls: working it out costs
    as much as a sweep over a few points, and a Function called again and again, or the
    chunks of a batch sharing an expression, ask for the same one."""
    key = (program, None if wrt is None else tuple(wrt))
    with _plans_lock:
        found = _plans.get(key)
        if found is None:
            if len(_plans) >= 16:
                del _plans[next(iter(_plans))]  # the oldest
            found = _plans[key] = Plan(program, key[1])
        return found


class Plan:
    """What a sweep needs to know about a program, worked out once: which nodes are
    active (depend on a differentiated input) and when each value can be dropped.
    A Plan is never changed by the sweeps that use it."""

    def __init__(self, program, wrt=None):
        self.program = program
        self.code = compiled(program)
        n, n_in = len(self.code), len(program.inputs)
        self.n_in = n_in
        self.wrt = tuple(wrt) if wrt is not None else None
        self.active = active = reverse.activity(program, self.wrt or ())
        self.into = {i: k for k, i in enumerate(self.wrt or ())}   # input -> gradient column
        self.order = range(n - 1, n_in - 1, -1)
        # Forward sweep: a value nobody reads in the reverse sweep is dropped after its
        # last reader in the forward sweep. Reverse sweep: a value is dropped once the
        # lowest-numbered node that needs it for its partials is done (the node itself
        # when it is active, since its readers all come later).
        keep = set(program.outputs)
        last_fwd = {}
        rev_use = {}
        for i in range(n_in, n):
            prim, args, _ = self.code[i]
            if prim is None:
                continue
            for a in args:
                last_fwd[a] = i
            if active[i]:
                for a in (*args, i):
                    rev_use[a] = min(rev_use.get(a, i), i)
        self.drop_fwd = [[] for _ in range(n)]
        for a, i in last_fwd.items():
            if a not in rev_use and a not in keep:
                self.drop_fwd[i].append(a)
        self.drop_rev = [[] for _ in range(n)]
        for a, i in rev_use.items():
            self.drop_rev[i].append(a)

    def forward(self, xs, lo, hi):
        """Values of all nodes still needed after the forward sweep, for points lo:hi."""
        code = self.code
        vals = [None] * len(code)
        for i in range(self.n_in):
            vals[i] = xs[i][lo:hi]
        drop = self.drop_fwd
        for i in range(self.n_in, len(code)):
            prim, args, param = code[i]
            if prim is None:
                vals[i] = param
                continue
            if len(args) == 1:
                vals[i] = prim.value(arrays, param, vals[args[0]])
            else:
                vals[i] = prim.value(arrays, param, *[vals[a] for a in args])
            for a in drop[i]:
                vals[a] = None
        return vals

    def reverse(self, vals, grads, lo, hi, out=None):
        """Adjoints of the inputs for output `out` (default the first; cotangent 1),
        written into grads[k][lo:hi] for the k-th differentiated input: the sweep of
        adcli.engine.reverse with an accumulator that works in place. Values are
        dropped from vals as the sweep passes their last use."""
        out = self.program.outputs[0] if out is None else out
        adj = [None] * len(self.code)
        if self.active[out]:
            adj[out] = 1.0
        acc = InPlace(self, vals, grads, lo, hi)
        reverse.sweep(self.code, vals, adj, self.active, arrays, self.order, acc.add, drop=self.drop_rev,
                      live=reverse.start_live(self.program))
        for k, i in enumerate(self.wrt):
            if i not in acc.written:
                grads[k][lo:hi] = 0.0 if adj[i] is None else adj[i]


class InPlace:
    """The reverse sweep's adj[a] += p * g for a chunk of points, with the arithmetic of
    adcli.engine.reverse.accumulate (so results are the same bit for bit) and fewer
    temporaries: structural partials (1, -1) and a unit adjoint (a seed passed on
    through sums and differences: p * -1 + t is t - p, bit for bit) cost no multiply;
    an adjoint array no one else refers to is added into; a partial the rule made
    fresh is multiplied in place; and the first contribution to a differentiated input
    is written straight into the caller's output array (no copy later)."""

    def __init__(self, plan, vals, grads, lo, hi):
        self.code, self.vals, self.into = plan.code, vals, plan.into
        self.grads, self.lo, self.hi = grads, lo, hi
        self.shape = (hi - lo,)
        self.owned = [False] * len(plan.code)   # adj[a] is an array no one else refers to
        self.written = set()                    # inputs whose adjoint is the caller's output slice

    def add(self, adj, a, p, g, i, ps):
        shape, owned = self.shape, self.owned
        minus = type(p) is int and p == -1
        unit = type(g) is float and (g == 1.0 or g == -1.0)
        if unit and type(p) is not int and g == -1.0:
            minus = True
        t = adj[a]
        if t is None and a in self.into:
            d = self.grads[self.into[a]][self.lo:self.hi]
            self.written.add(a)
            if type(p) is int:
                (np.negative if minus else np.positive)(g, out=d)
            elif unit:
                (np.negative if minus else np.positive)(p, out=d)
            else:
                np.multiply(p, g, out=d)
            adj[a], owned[a] = d, True
            return
        if type(p) is int and (p == 1 or minus):
            term, fresh = g, False
        elif unit:
            term, fresh = p, self._fresh(p, i, ps)
        elif self._fresh(p, i, ps) and _full(g, shape):
            term, fresh = np.multiply(p, g, out=p), True
        else:
            term = p * g
            fresh = _full(term, shape)
        if t is None:
            if minus:
                term = -term
                adj[a], owned[a] = term, _full(term, shape)
            else:
                adj[a], owned[a] = term, fresh
        elif owned[a]:
            (np.subtract if minus else np.add)(t, term, out=t)
        else:
            t = t - term if minus else t + term
            adj[a], owned[a] = t, _full(t, shape)

    def _fresh(self, p, i, ps):
        """p is a new full-size array made by the rule (not a value, an argument or
        another partial of node i), so it can be overwritten."""
        if type(p) is not np.ndarray or p.shape != self.shape or not p.flags.owndata:
            return False
        vals = self.vals
        if p is vals[i] or any(p is vals[a] for a in self.code[i][1]):
            return False
        return sum(1 for q in ps if q is p) == 1


def _full(a, shape):
    return type(a) is np.ndarray and a.shape == shape


def _columns(xs):
    n = None
    arrays = []
    for x in xs:
        a = np.ascontiguousarray(x, dtype=np.float64)
        if a.ndim != 1:
            raise ValueError("vectorized evaluation takes one-dimensional arrays of points")
        if n is not None and a.shape[0] != n:
            raise ValueError("all arrays of points must have the same length")
        n = a.shape[0]
        arrays.append(a)
    return arrays, (n or 0)


def values(program, xs, n=None, chunk=CHUNK):
    """The outputs of program at many points: xs[i] is the array of input i. Returns
    one float64 array per output."""
    xs, m = _columns(xs)
    n = m if xs else (n or 0)
    plan = plan_of(program)
    outs = [np.empty(n) for _ in program.outputs]

    def work(lo, hi):
        vals = plan.forward(xs, lo, hi)
        for k, o in enumerate(program.outputs):
            outs[k][lo:hi] = vals[o]

    with np.errstate(all="ignore"):
        map_chunks(work, n, chunk)
    return outs


def value_and_grad(program, xs, wrt=None, chunk=CHUNK):
    """Value and gradient of a one-output program at many points, by reverse mode.
    wrt lists input indices (default: all). Returns (value, [gradient arrays])."""
    if len(program.outputs) != 1:
        raise ValueError("value_and_grad needs a program with one output")
    wrt = tuple(range(len(xs))) if wrt is None else wrt
    (value,), (grads,) = reverse_jacobian(program, xs, wrt, chunk)
    return value, grads


def reverse_jacobian(program, xs, wrt, chunk=CHUNK):
    """Value and Jacobian of a program at many points by reverse mode: one forward
    sweep and one reverse sweep per output on each chunk. Returns ([value array per
    output], rows[output][wrt column] arrays), as forward_jacobian does."""
    xs, n = _columns(xs)
    plan = plan_of(program, wrt)
    outputs = program.outputs
    values_ = [np.empty(n) for _ in outputs]
    rows = [[np.empty(n) for _ in plan.wrt] for _ in outputs]

    def work(lo, hi):
        vals = plan.forward(xs, lo, hi)
        for r, o in enumerate(outputs):
            values_[r][lo:hi] = vals[o]
        for r, o in enumerate(outputs):
            # Each sweep drops the values it is done with; all but the last get a copy
            # of the list (the arrays themselves are never written).
            plan.reverse(vals if r == len(outputs) - 1 else list(vals), rows[r], lo, hi, o)

    with np.errstate(all="ignore"):
        map_chunks(work, n, chunk)
    return values_, rows


def forward_jacobian(program, xs, wrt, chunk=CHUNK):
    """Value and Jacobian of a program at many points by forward mode (adcli.forward on
    each chunk, so results equal a loop of one-point forward sweeps). Returns
    ([value array per output], rows[output][wrt column] arrays)."""
    from . import forward
    xs, n = _columns(xs)
    q, k = len(program.outputs), len(wrt)
    values_ = [np.empty(n) for _ in range(q)]
    rows = [[np.empty(n) for _ in range(k)] for _ in range(q)]

    def work(lo, hi):
        value, jac = forward.jacobian(program, [x[lo:hi] for x in xs], list(wrt), arrays)
        for r in range(q):
            values_[r][lo:hi] = value[r]
            for c in range(k):
                rows[r][c][lo:hi] = 0.0 if jac[r][c] is None else jac[r][c]

    with np.errstate(all="ignore"):
        map_chunks(work, n, chunk)
    return values_, rows
