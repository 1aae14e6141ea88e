"""Math namespace for many points at once: numpy float64 arrays.

The same primitive rules run against this module and against `adcli.scalar`, so the
names here mirror those. Callers wrap evaluation in `np.errstate(all="ignore")`:
IEEE results are wanted, and warnings are produced by adcli itself, naming the op.
"""
import math

import numpy as np

inf = math.inf
nan = math.nan
pi = math.pi

sin, cos, tan = np.sin, np.cos, np.tan
asin, acos, atan = np.arcsin, np.arccos, np.arctan
sinh, cosh, tanh = np.sinh, np.cosh, np.tanh
asinh, acosh, atanh = np.arcsinh, np.arccosh, np.arctanh
exp, expm1, log, log1p, log2, log10 = np.exp, np.expm1, np.log, np.log1p, np.log2, np.log10
sqrt, cbrt, fabs, sign = np.sqrt, np.cbrt, np.fabs, np.sign
hypot, atan2, pow = np.hypot, np.arctan2, np.power
minimum, maximum = np.minimum, np.maximum
copysign = np.copysign
div = np.divide
where = np.where
isfinite = np.isfinite
isnan = np.isnan

# numpy has no erf; mapping math.erf keeps results identical to the one-point path.
_erf = np.frompyfunc(math.erf, 1, 1)


def erf(x):
    return np.asarray(_erf(x), dtype=np.float64)


def sigmoid(x):
    # exp(-|x|) never overflows, so neither branch does (as adcli.ops.scalar.sigmoid).
    z = np.exp(-np.fabs(x))
    return np.where(x >= 0, 1.0, z) / (1.0 + z)


def softplus(x):
    # log(1 + exp(x)) = log1p(exp(-|x|)) + max(x, 0), with no overflow.
    return np.log1p(np.exp(-np.fabs(x))) + np.maximum(x, 0.0)
