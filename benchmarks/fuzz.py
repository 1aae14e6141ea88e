"""The properties of tests/test_fuzz.py at 10^5 inputs each, run by hand.

    python benchmarks/fuzz.py                          # 100,000 inputs per property
    python benchmarks/fuzz.py --examples 10000 --seconds 120 --only program_every_command

One property per process, in parallel and in the background, a progress line a minute
(a run stopped early still says how far it got; benchmarks/results/fuzz-1e5.md):

    for p in program_every_command raw_at ...; do
      nice -n 15 python benchmarks/fuzz.py --only $p --progress 60 > /tmp/fuzz-$p.log 2>&1 &
    done

Where the time goes (profiled): the first version spent ~80% of it in hypothesis
building and validating a new recursive strategy on every draw; tests/fuzzkit.py now
builds each strategy once (same strategies, same distribution), 5x faster. What is left
is about half hypothesis' own drawing and half adcli itself, in process (no
subprocesses); long_token's inputs are 1,000-40,000 tokens each, lexed by Lark.

Same strategies and checks as the tests (tests/fuzzkit.py), random (not derandomized)
unless --seed is given. A failing input is recorded and the run goes on, so one bug does
not stop the search for others; no shrinking (it would cost the budget), so the examples
shown are the shortest failing inputs found. Known failures in areas being fixed in
parallel (fuzzkit.KNOWN_ISSUES) are counted apart. Prints per property: inputs tried,
failures, inputs/s, and the first few shortest failing examples.
"""
import argparse
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "tests"))

from hypothesis import HealthCheck, Phase, given, seed, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import fuzzkit as fk  # noqa: E402


def _one_vs_many(data, mode):
    text = data.draw(fk.programs())
    points = data.draw(fk.point_lists(fk.variables_of(text)))
    fk.check_one_vs_many(text, points, mode)
    return text, points, mode


PROPERTIES = {
    # name: (strategies, check)
    "program_every_command": ((fk.cases(), fk.command_and_format()), lambda c, cf: fk.check_cli_on_program(*c, *cf)),
    "program_forward_equals_reverse": ((fk.cases(),), lambda c: fk.check_forward_reverse(*c)),
    "program_one_point_equals_many": ((st.data(), st.sampled_from(("forward", "reverse"))), _one_vs_many),
    "parse_reparses": ((fk.programs(),), fk.check_parse_roundtrip),
    "raw_expr": ((fk.command_and_format(), fk.argv_text), lambda cf, t: fk.check_raw_expr(*cf, t)),
    "raw_expr_stdin": ((fk.command_and_format(), fk.raw_text), lambda cf, t: fk.check_raw_expr_stdin(*cf, t)),
    "hostile_comment": ((fk.command_and_format(), fk.commented_programs),
                        lambda cf, t: fk.check_commented_program(t, *cf)),
    "long_token": ((fk.command_and_format(), fk.long_token), lambda cf, t: fk.check_raw_expr(*cf, t)),
    "raw_at": ((fk.command_and_format([c for c in fk.COMMANDS if c != "parse"]), fk.argv_text, st.booleans()),
               lambda cf, t, b: fk.check_raw_at(*cf, t, b)),
    "raw_jobs": ((fk.command_and_format(fk.BATCH_COMMANDS), fk.job_files()), lambda cf, d: fk.check_raw_jobs(*cf, d)),
    "raw_points": ((fk.command_and_format(fk.BATCH_COMMANDS), fk.points_files()),
                   lambda cf, d: fk.check_raw_points(*cf, d)),
}


class OutOfTime(Exception):
    pass


def run_property(name, examples, seconds, the_seed, progress=float("inf")):
    strategies, check = PROPERTIES[name]
    stats = {"tried": 0, "failures": [], "start": time.perf_counter()}
    known_before = {k: v[0] for k, v in fk.KNOWN_SEEN.items()}

    next_report = [stats["start"] + progress]
    kinds = set()

    def body(args):
        now = time.perf_counter()
        if now - stats["start"] > seconds:
            raise OutOfTime()
        if now >= next_report[0]:
            # a long run can be stopped at any time and still says how far it got
            next_report[0] = now + progress
            print(f"  {name}: {stats['tried']} inputs, {len(stats['failures'])} failures, "
                  f"{now - stats['start']:.0f} s", flush=True)
        stats["tried"] += 1
        try:
            check(*args)
        except AssertionError as e:
            shown = repr(args) if name != "program_one_point_equals_many" else str(e).splitlines()[-1]
            first_line = str(e).splitlines()[0]
            stats["failures"].append((len(shown), shown, first_line))
            if first_line not in kinds and len(kinds) < 10:
                kinds.add(first_line)
                print(f"  {name}: new failure after {stats['tried']} inputs: {first_line}\n"
                      f"      {shown[:400]}", flush=True)

    test = settings(max_examples=examples, deadline=None, database=None, phases=[Phase.generate],
                    suppress_health_check=list(HealthCheck))(given(st.tuples(*strategies))(body))
    if the_seed is not None:
        test = seed(the_seed)(test)
    try:
        test()
    except OutOfTime:
        pass
    except Exception as e:  # noqa: BLE001 - hypothesis may wrap OutOfTime; report anything else
        if "OutOfTime" not in repr(e) and time.perf_counter() - stats["start"] <= seconds:
            print(f"  runner stopped: {type(e).__name__}: {str(e)[:300]}")
    elapsed = time.perf_counter() - stats["start"]
    known = {k: v[0] - known_before.get(k, 0) for k, v in fk.KNOWN_SEEN.items()}
    known = {k: n for k, n in known.items() if n}
    return stats["tried"], sorted(stats["failures"]), elapsed, known


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--examples", type=int, default=100_000, help="inputs per property (default 100000)")
    ap.add_argument("--seconds", type=float, default=float("inf"), help="time budget per property")
    ap.add_argument("--only", action="append", choices=sorted(PROPERTIES), help="run these properties only")
    ap.add_argument("--seed", type=int, default=None, help="a fixed seed (default: random)")
    ap.add_argument("--show", type=int, default=3, help="failing examples shown per property")
    ap.add_argument("--progress", type=float, default=float("inf"),
                    help="print a progress line (and each new kind of failure) every this many seconds")
    args = ap.parse_args(argv)
    total_failures = 0
    for name in args.only or PROPERTIES:
        tried, failures, elapsed, known = run_property(name, args.examples, args.seconds, args.seed, args.progress)
        total_failures += len(failures)
        rate = tried / elapsed if elapsed else 0.0
        print(f"{name}: {tried} inputs, {len(failures)} failures, {rate:.0f} inputs/s ({elapsed:.0f} s)"
              + (f"; known issues: {known}" if known else ""), flush=True)
        seen_kinds = set()
        for _, shown, first_line in failures:
            if len(seen_kinds) >= args.show:
                break
            if first_line in seen_kinds:
                continue
            seen_kinds.add(first_line)
            print(f"    {first_line}\n      {shown[:400]}", flush=True)
    for issue, (count, evidence) in fk.KNOWN_SEEN.items():
        print(f"known issue {issue}: {count} inputs; first:\n    " + evidence.replace("\n", "\n    ")[:600])
    return 1 if total_failures else 0


if __name__ == "__main__":
    sys.exit(main())
