"""Does `adcli check` cry wolf? Its verdicts on ~2,000 random expressions where AD is right.

The cases (tests/wolfcases.py) are random smooth expressions at points that are hard for
finite differences: large and tiny arguments, a large offset that swamps the change in f,
variables scaled by 1e-6 .. 1e6, a pole or a domain edge just beside the point. A case is
kept only where adcli's AD matches a 50-digit mpmath derivative (to 1e-9); on those, a
"disagree" is a false alarm. Prints the counts of agree / disagree / cannot verify, per
family and in all, and every disagree case.

    python benchmarks/check_wolf.py [COUNT] [SEED]
"""
import collections
import os
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
sys.path.insert(0, os.path.join(ROOT, "tests"))

import adcli  # noqa: E402
from wolfcases import FAMILIES, cases, run  # noqa: E402

VERDICTS = ("agree", "disagree", "unverifiable")


def overall(verdicts):
    vs = set(verdicts.values())
    return "disagree" if "disagree" in vs else "unverifiable" if "unverifiable" in vs else "agree"


def main(argv):
    count = int(argv[1]) if len(argv) > 1 else 2000
    seed = int(argv[2]) if len(argv) > 2 else 1
    t0 = time.perf_counter()
    done, skipped = run(cases(seed, count), adcli.compile)
    seconds = time.perf_counter() - t0
    table = collections.defaultdict(collections.Counter)
    for family, _, _, verdicts, _ in done:
        table[family][overall(verdicts)] += 1
        table["all"][overall(verdicts)] += 1
    print(f"{count} random expressions (seed {seed}); {len(done)} where AD is right, {skipped} left out; "
          f"{seconds:.1f} s")
    print(f"{'family':<10}" + "".join(f"{v:>14}" for v in VERDICTS))
    for family in (*FAMILIES, "all"):
        print(f"{family:<10}" + "".join(f"{table[family][v]:>14}" for v in VERDICTS))
    bad = [c for c in done if overall(c[3]) == "disagree"]
    if bad:
        print(f"\n{len(bad)} disagree on a correct derivative:")
    for family, text, point, _, rows in bad:
        at = ",".join(f"{k}={v!r}" for k, v in point.items())
        print(f"  [{family}] adcli check {text!r} --at {at}")
        for row in rows:
            print(f"      {row.var}: AD {row.forward!r} FD {row.finite_difference!r} "
                  f"err {row.fd_error!r} ({row.reason})")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
