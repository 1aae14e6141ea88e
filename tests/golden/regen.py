"""Regenerate tests/golden/expected.json. Regenerate only when a change of output is intended.

expected.json is a holdout: it records what adcli printed before a change, so that the
change can be shown to keep every output byte. Rewriting it from the code under test makes
tests/test_golden.py pass whatever that code prints, so do it only for a change whose
new output you have read and want, and say so in the commit message. A case that differs
because of a bug is listed in KNOWN_DIFFERENCES in tests/test_golden.py instead.

    python tests/golden/regen.py                       # from this checkout's adcli
    python tests/golden/regen.py --source /work/golden-src   # from another checkout's adcli

The record in the repository was made from commit 927cc41 (before the layer split):

    git worktree add --detach /work/golden-src 927cc41
    python tests/golden/regen.py --source /work/golden-src

Each case runs through tests/test_golden.py itself (pytest, conftest's in-process runner,
the same fixed environment), with the adcli package imported from --source; the cases,
their input files and the runner are always this checkout's. Needs pytest and adcli's
dependencies (pip install -e ".[test]").
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def git_commit(path):
    try:
        rev = subprocess.run(["git", "-C", path, "rev-parse", "--short", "HEAD"], capture_output=True,
                             text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", path, "status", "--porcelain", "--", "adcli", "grammar"],
                               capture_output=True, text=True, check=True).stdout.strip()
        return rev + (" (with uncommitted changes)" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--source", default=ROOT,
                    help="checkout whose adcli package produces the output (default: this one)")
    args = ap.parse_args()
    source = os.path.abspath(args.source)
    if not os.path.isfile(os.path.join(source, "adcli", "__init__.py")):
        sys.exit(f"regen: {source} holds no adcli package")
    sys.path.insert(0, os.path.join(ROOT, "tests"))
    from test_golden import read_cases

    with tempfile.TemporaryDirectory() as tmp:
        record = os.path.join(tmp, "record.jsonl")
        env = dict(os.environ, ADCLI_GOLDEN_RECORD=record,
                   PYTHONPATH=source + os.pathsep + os.environ.get("PYTHONPATH", ""))
        # cwd=source puts its adcli first on sys.path, ahead of an editable install of this one.
        test = os.path.join(ROOT, "tests", "test_golden.py") + "::test_golden"
        p = subprocess.run([sys.executable, "-m", "pytest", test, "-q", "-p", "no:cacheprovider"], cwd=source, env=env)
        if p.returncode != 0:
            sys.exit(f"regen: pytest failed (exit {p.returncode}); expected.json is unchanged")
        with open(record, encoding="utf-8") as f:
            rows = [json.loads(line) for line in f]

    packages = {os.path.dirname(os.path.abspath(r.pop("package"))) for r in rows}
    if packages != {os.path.join(source, "adcli")}:
        sys.exit(f"regen: the cases imported adcli from {sorted(packages)}, not from {source}")
    got = {r.pop("case"): r for r in rows}
    cases = read_cases()
    missing = [c for c in cases if c not in got]
    if missing:
        sys.exit(f"regen: {len(missing)} cases were not recorded, the first: {missing[0]}")
    out = {"generated_from": git_commit(source),
           "cases": {c: got[c] for c in cases}}
    path = os.path.join(HERE, "expected.json")
    with open(path, "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=False, indent=1)
        f.write("\n")
    print(f"regen: {len(cases)} cases from {out['generated_from']} written to {os.path.relpath(path)}")


if __name__ == "__main__":
    main()
