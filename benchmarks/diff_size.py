"""Size of the derivative program (adcli diff) against the size of the function's IR, for
random expressions (tests/randexpr.py) and for the n-variable Rosenbrock function written
out term by term (n = 10 .. 10,000), next to the size of SymPy's symbolic gradient
(count_ops of sympy.diff, summed over the variables) of the same functions.

Statements are the program's operations (inputs and constants are not counted); partial
derivatives that take several steps are helper calls, whose bodies are counted once per
kind of op in "helpers". SymPy's count is skipped where it takes longer than a budget.

    python benchmarks/diff_size.py [MAX_N] [SYMPY_SECONDS]
"""
import os
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.join(ROOT, "tests"))

import adcli  # noqa: E402
from adcli.api import diff  # noqa: E402


def rosenbrock(n):
    return " + ".join(f"(1 - x{i})^2 + 100*(x{i + 1} - x{i}^2)^2" for i in range(1, n))


def sizes(expr, mode="reverse"):
    f = adcli.compile(expr)
    t0 = time.perf_counter()
    dp = diff.program_of(f, None, mode)
    build = time.perf_counter() - t0
    c = diff.counts(f, dp)
    return f, c["ir"], c["statements"], c["helper_statements"], build


def sympy_ops(expr, variables, budget):
    import sympy as sp
    t0 = time.perf_counter()
    syms = {v: sp.Symbol(v) for v in variables}
    e = sp.sympify(expr.replace("^", "**"), locals=syms)
    total = 0
    for v in variables:
        total += sp.count_ops(sp.diff(e, syms[v]))
        if time.perf_counter() - t0 > budget:
            return None, time.perf_counter() - t0
    return total, time.perf_counter() - t0


def main():
    max_n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    budget = float(sys.argv[2]) if len(sys.argv) > 2 else 60.0
    from randexpr import cases
    print("random expressions (tests/randexpr.py, depth 3 and 4), reverse mode:")
    for depth in (3, 4):
        ratios, worst, sym = [], 0.0, []
        for src, expr, _ in cases(11 + depth, 50, depth=depth):
            f, ir, st, _, _ = sizes(src)
            ratios.append(st / ir)
            worst = max(worst, st / ir)
            import sympy as sp
            n = sum(sp.count_ops(sp.diff(expr, s)) for s in sorted(expr.free_symbols, key=str))
            sym.append(n / ir)
        ratios.sort()
        sym.sort()
        print(f"  depth {depth}: statements / IR nodes median {ratios[len(ratios) // 2]:.2f}, max {worst:.2f};"
              f" sympy count_ops(diff) / IR nodes median {sym[len(sym) // 2]:.2f}, max {max(sym):.2f}")
    print("Rosenbrock written out, reverse mode:")
    print(f"  {'n':>6} {'IR':>8} {'stmts':>8} {'stmts/IR':>9} {'helpers':>8} {'build s':>8}"
          f" {'sympy ops':>10} {'sympy s':>8}")
    n = 10
    while n <= max_n:
        expr = rosenbrock(n)
        f, ir, st, hs, build = sizes(expr)
        ops, t = sympy_ops(expr, f.variables, budget) if n <= 1000 else (None, 0.0)
        print(f"  {n:>6} {ir:>8} {st:>8} {st / ir:>9.2f} {hs:>8} {build:>8.2f}"
              f" {ops if ops is not None else '-':>10} {t:>8.2f}")
        n *= 10


if __name__ == "__main__":
    main()
