"""Functions that Dask workers import by name in the tests (a function is sent to a worker
by reference, never by value): a sum over rows as a least-squares fit would compute it."""
import numpy as np

import adcli


def normal_equations(cols, expr, params):
    """JᵀJ, Jᵀr and the row count of the model EXPR (variable t, parameters `params`)
    against the column y, over one chunk of rows; J by adcli's AD, r = y - model."""
    f = adcli.compile(expr)
    names = sorted(params)
    res = f.grad({**params, "t": cols["t"]}, wrt=names)
    J = np.column_stack([np.broadcast_to(res.gradient[n], cols["t"].shape) for n in names])
    r = cols["y"] - res.value[0]
    return J.T @ J, J.T @ r, len(r)
