"""Derivatives at work: fitting a model to data (fit.py), minimizing a function
(minimize.py) and solving a square system (solve.py), each with exact Jacobians or
Hessians from adcli's AD and scipy.optimize as the solver (backend.py loads it, and only
these commands do). A point is an ordered mapping {input name: float} in the order of the
compiled program's inputs; results are the plain data of results.py."""
