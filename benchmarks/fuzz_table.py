"""A Markdown table of a fuzz run from the logs of benchmarks/fuzz.py --progress N, one
log per property (a run in progress or stopped early counts its last progress line):

    python benchmarks/fuzz_table.py /tmp/harden-fuzz/*.log > benchmarks/results/fuzz-1e5.md
"""
import os
import re
import sys


def summarize(path):
    """(property, inputs, failures, seconds, state, [(after, first line, example)])."""
    text = open(path, encoding="utf-8", errors="replace").read()
    final = re.search(r"^(\w+): (\d+) inputs, (\d+) failures, \d+ inputs/s \((\d+) s\)", text, re.M)
    progress = re.findall(r"^  (\w+): (\d+) inputs, (\d+) failures, (\d+) s$", text, re.M)
    kinds = re.findall(r"^  \w+: new failure after (\d+) inputs: (.*)\n      (.*)$", text, re.M)
    if final:
        name, n, f, s = final.groups()
        state = "done"
    elif progress:
        name, n, f, s = progress[-1]
        state = "stopped" if re.search(r"^exit ", text, re.M) else "running"
    else:
        return None
    return name, int(n), int(f), int(s), state, kinds


def main(paths):
    rows, logs = [], {}
    for path in paths:
        r = summarize(path)
        if r:
            rows.append(r)
            logs[id(r)] = os.path.basename(path)
    print("| property | inputs | failures | wall time (s) | inputs/s | state | log |")
    print("|---|---:|---:|---:|---:|---|---|")
    for r in rows:
        name, n, f, s, state, _ = r
        print(f"| {name} | {n:,} | {f:,} | {s:,} | {n / s if s else 0:.0f} | {state} | {logs[id(r)]} |")
    found = [(name, k) for name, *_, kinds in rows for k in kinds]
    if found:
        print("\nFirst input of each kind of failure:\n")
    for name, (after, first, example) in found:
        print(f"- {name}, after {int(after):,} inputs: {first}\n  `{example[:300]}`")


if __name__ == "__main__":
    main(sys.argv[1:])
