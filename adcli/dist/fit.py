"""adcli fit on a data set read a chunk at a time: each iteration of the solver
(adcli.api.optimize.normal) is one map-reduce over the partitions of a Parquet or Arrow
data set, here or on Dask, giving JᵀJ, Jᵀr, the residual sum of squares and the row
count at the current parameters. Only plain data goes to a worker: the model as its
source text (compiled there, once per worker process), the parameters as floats, the
column names. The sums are added in partition order, so both engines give the same fit
bit for bit."""
import functools

from ..errors import AdcliError, StreamError, UsageError, printable


def fit_dataset(model, path, start, weights=None, engine="local", scheduler=None, input_format=None,
                observer=None, workers=None):
    """The Fit of MODEL to the data set at PATH (a file, a directory or a glob)."""
    from ..api.optimize.fit import split_names
    from ..api.optimize.normal import check_start, fit_normal
    from ..language.model import model_program
    from .mapreduce import Executor
    program = model_program(model)[0]
    if engine == "dask":
        from .cluster import dask_modules
        dask_modules()
    with Executor(engine, scheduler=scheduler, workers=workers) as ex:
        data = ex.open(path, input_format)
        names = set(data.names)
        columns, params = split_names(program, names)
        if weights is not None and weights not in names:
            raise UsageError(f"--weights names '{printable(weights)}', which is not a column of the data set")
        clash = [v for v in start if v in names]
        if clash:
            raise UsageError(f"{', '.join(clash)} is a column of the data, not a parameter: it has no "
                             "starting value", hint="rename the parameter or the column")
        check_start(params, start)
        wanted = columns + ([weights] if weights is not None and weights not in columns else [])
        checked = []

        def sums(b):
            out = _reduce(ex, data, (model, tuple(params), tuple(float(v) for v in b), tuple(columns), weights),
                          wanted)
            if not checked:   # the data's own faults, found on the first pass
                _check(out, columns, weights)
                checked.append(True)
            return out

        return fit_normal(model, params, sums, start, observer)


def _reduce(ex, data, args, columns):
    try:
        return ex.map_reduce(data, normal_equations, args, columns=columns)
    except AdcliError:
        raise
    except Exception as e:  # noqa: BLE001 - Dask's errors: KilledWorker, a lost scheduler
        raise StreamError(f"the Dask cluster could not finish the fit: {type(e).__name__}: "
                          f"{printable(str(e).splitlines()[0] if str(e) else '')}") from None


def _check(out, columns, weights):
    if out is None:
        raise UsageError("the data set has no rows")
    for c in columns:
        bad = out["bad"].get(c, 0)
        if bad:
            raise UsageError(f"the data set has {bad:,} row{'s' if bad != 1 else ''} with no number in column "
                             f"{printable(c)} (null, nan or infinite)",
                             hint="every row needs a number in every column the model uses")
    if weights is not None and out["bad"].get(weights, 0):
        raise UsageError("the weights must be finite and not negative",
                         hint=f"column {printable(weights)} has {out['bad'][weights]:,} that are not")


@functools.lru_cache(maxsize=16)
def _compiled(model):
    from ..api.optimize.fit import Compiled
    from ..language.model import model_program
    return Compiled(model, model_program(model)[0])


def normal_equations(cols, model, params, b, columns, weights):
    """JᵀJ, Jᵀr, RSS and n over one chunk of rows (runs on a worker), with the count of
    cells that are not finite numbers in each column (nulls arrive as nan)."""
    import numpy as np

    from ..api.optimize.normal import chunk_sums
    f = _compiled(model)
    bad = {c: int(np.count_nonzero(~np.isfinite(cols[c]))) for c in columns}
    w = None
    if weights is not None:
        w = cols[weights]
        bad[weights] = int(np.count_nonzero(~(np.isfinite(w) & (w >= 0))))
    out = chunk_sums(f, list(params), b, {c: cols[c] for c in columns}, w)
    if out is not None:
        out["bad"] = bad
    return out
