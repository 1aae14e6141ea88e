"""What fit, minimize and solve return: plain data, formatted by adcli.render.optimize.
`x`/`params` are {name: float} in the order of the program's inputs."""
from dataclasses import dataclass

from ..results import _Data


@dataclass(eq=False, repr=False)
class Fit(_Data):
    model: str                  # the model as given
    params: dict                # {parameter: estimate}
    stderr: dict                # {parameter: standard error}, from s^2 (J^T J)^-1
    rss: float                  # residual sum of squares (weighted with --weights)
    rsd: float                  # residual standard deviation, sqrt(rss / dof)
    dof: int                    # n - p
    n: int                      # observations
    iterations: int
    converged: bool
    message: str                # why it stopped
    correlation: list           # p x p, rows and columns in the order of params
    start: dict                 # the starting point
    predictor: str = None       # the one data column the model depends on, if one
    data: tuple = None          # (predictor values, response values) for --plot
    curve: object = None        # a function: predictor values -> model values, for --plot
    interrupted: bool = False
    warnings: list = ()
    explain: bool = False       # the output shows the correlation matrix (--explain)


@dataclass(eq=False, repr=False)
class Minimum(_Data):
    expr: str
    x: dict                     # {variable: value} at the minimum found
    value: float                # f there
    gradient_norm: float        # max-norm of the gradient there
    iterations: int
    evaluations: int
    converged: bool
    message: str
    method: str                 # "newton" or "bfgs" (l-bfgs-b), as run
    start: dict
    bounds: dict = None         # {variable: (low, high)} when given
    interrupted: bool = False
    warnings: list = ()


@dataclass(eq=False, repr=False)
class Root(_Data):
    expr: str
    x: dict                     # {variable: value} at the root found
    residual: float             # max |F_i| there
    values: list                # F there, one number per equation
    iterations: int
    evaluations: int
    converged: bool
    message: str
    start: dict
    interrupted: bool = False
    warnings: list = ()
