"""What every solver run keeps while it works: the iterations so far, the best point
seen (so that Ctrl-C or a failure still has one to print), and the progress rows it
hands to an observer (the live table on a terminal)."""
import math


class Tracker:
    def __init__(self, names, observer=None):
        self.names = tuple(names)
        self.observer = observer
        self.iterations = 0
        self.evaluations = 0
        self.best_x = None
        self.best = math.inf      # the measure being made small: RSS, f or ||F||
        self.interrupted = False

    def seen(self, x, measure):
        """A point where the solver evaluated the function; the best one is kept."""
        self.evaluations += 1
        if math.isfinite(measure) and (self.best_x is None or measure < self.best):
            self.best, self.best_x = measure, _floats(x)
        elif self.best_x is None:
            self.best_x = _floats(x)

    def iteration(self, *row):
        """One iteration done: row = (value, second measure), shown by the observer."""
        self.iterations += 1
        if self.observer is not None:
            self.observer(self.iterations, *row)

    def point(self, x=None):
        """{name: float} of x, or of the best point seen."""
        x = self.best_x if x is None else x
        return dict(zip(self.names, (float(v) for v in x)))


def run_interruptibly(tracker, solve):
    """solve() until it returns or Ctrl-C stops it; (scipy's result or None)."""
    try:
        return solve()
    except KeyboardInterrupt:
        tracker.interrupted = True
        return None


def _floats(x):
    # tolist: a 10,000-element point is copied at every step that improves on the best
    return x.tolist() if hasattr(x, "tolist") else [float(v) for v in x]
