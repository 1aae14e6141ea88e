"""The shape of a batch, whatever its lines hold: random job files and points files of
thousands of lines mixing good lines, syntax errors, unknown names, missing variables,
domain errors, blank lines, comments, CRLF, a byte order mark, invalid UTF-8, NUL, control
and bidi characters and lines over the length limit. In every output format: one record per
non-blank, non-comment line, in input order, with its line number (a points CSV has no line
column: its rows follow the input's), an error exactly where the line failed, and a non-zero
exit exactly when some line failed. Seeded generators, so a failure reproduces."""
import csv
import io
import json
import random
import re

import pytest

from adcli.batch.stream import MAX_LINE

FORMATS = ["json", "csv", "plain", "table"]
HOSTILE = ["\x1b[2J", "\x1b[6n", "\x07", "\x9b", "\x85", "\x7f", "\u202e", "\u2066", "\u2028", "\u2029", "\x00"]
RAW = set("\x1b\x07\x9b\x85\x7f\u202e\u2066\u2028\u2029\x00\r")


@pytest.fixture
def adcli(adcli, monkeypatch):
    monkeypatch.delenv("COLUMNS", raising=False)   # a table, not a listing for a narrow terminal

    def run(*argv, stdin=None):
        r = adcli(*argv, stdin=stdin)
        assert "Traceback" not in r.err and r.code in (0, 1), (r.code, r.err[-3000:])
        return r
    return run


# -- job files ----------------------------------------------------------------------------------

GOOD = [  # (expression, variables): shared expressions make groups that run on arrays
    ("x^2*y", "xy"), ("(x+y)*(x-y)", "xy"), ("sin(x) + cos(y)", "xy"), ("x", "x"), ("pi", "y"),
    ("2", ""), ("exp(x)/(1 + x^2)", "x"), ("atan2(y, x)", "xy"), ("hypot(x, y) + z", "xyz"),
]
DOMAIN = [("log(x)", "x", -1.0), ("sqrt(x)", "x", -4.0), ("1/x", "x", 0.0), ("atanh(x)", "x", 2.0)]
BAD = ["2x @ x=1", "x + @ x=1", "(x @ x=1", "sinn(x) @ x=1", "foo(x) @ x=1", "x*y @ x=1", "x @ x=",
       "x @ y", "@ x=1", "x ^^ 2 @ x=1", "atan2(x) @ x=1", "pi @ pi=1", "x @ x=1, x=2"]


def job_file(rng, n):
    """(bytes of a job file, [(line number, fails)] of the records it must give)."""
    lines, want = [], []
    bom = rng.random() < 0.5
    for k in range(1, n + 1):
        r = rng.random()
        fails = None
        if k == 1 or r < 0.45:
            expr, names = rng.choice(GOOD)
            extra = rng.choice(["", "", "w"])          # a variable the expression does not use
            point = ", ".join(f"{v}={rng.uniform(-2, 2)!r}" for v in names + extra)
            text = f"{expr} @ {point}" if point else expr
            if rng.random() < 0.1:
                text = f"{expr} # note {rng.choice(HOSTILE)}" + (f" @ {point}" if point else "")
            line, fails = text.encode(), False
        elif r < 0.55:
            expr, var, at = rng.choice(DOMAIN)
            line, fails = f"{expr} @ {var}={at}".encode(), False
        elif r < 0.70:
            line, fails = rng.choice(BAD).encode(), True
        elif r < 0.75:   # a control, bidi or NUL character, or bytes that are not UTF-8, in the expression
            bad = rng.choice([c.encode() for c in HOSTILE] + [b"\xff", b"\xc3\x28", b"\xe2\x82"])
            line, fails = b"x" + bad + b"+1 @ x=1", True
        elif r < 0.82:
            line = rng.choice([b"", b"   ", b"\t"])
        elif r < 0.88:
            line = b"  # comment " + rng.choice(HOSTILE).encode() + rng.choice([b"", b"\xff"])
        elif r < 0.9:
            line = b"#" + b"c" * rng.choice([10, MAX_LINE + 10])   # a comment, even an over-long one
        elif r < 0.905:
            line, fails = b"x+" * (MAX_LINE // 2 + 1) + b"1 @ x=1", True   # over the line limit
        elif r < 0.91:
            line, fails = b"x" + b" + x" * rng.randint(100, 3000) + b" @ x=0.5", False   # long, not too long
        else:
            vs = rng.sample("abcdfgh", rng.randint(1, 4))
            line = ("*".join(vs) + " @ " + ", ".join(f"{v}={rng.randint(-3, 3)}" for v in vs)).encode()
            fails = False
        if rng.random() < 0.2:
            line += b"\r"        # CRLF
        lines.append(line)
        if fails is not None:
            want.append((k, fails))
    data = b"\n".join(lines) + rng.choice([b"\n", b"\r\n", b""])
    return (b"\xef\xbb\xbf" if bom else b"") + data, want


def records(fmt, out, points_csv=False):
    """[(line number or None, failed)] of the records in an output, read the way a program
    (or a person counting lines) would."""
    assert not (RAW & set(out)), "raw control or bidi characters in the output"
    if fmt == "json":
        got = []
        for line in out.split("\n")[:-1]:
            rec = json.loads(line)
            got.append((rec["line"], "error" in rec))
        return got
    if fmt == "csv":
        assert "\r" not in out
        rows = list(csv.reader(io.StringIO(out)))
        assert len(rows) == out.count("\n"), "a record spans lines"
        head, body = rows[0], rows[1:]
        assert all(len(row) == len(head) for row in body), "a row with the wrong number of fields"
        assert head[-1] == "error"
        if points_csv:
            return [(None, bool(row[-1])) for row in body]
        assert head[0] == "line"
        return [(int(row[0]), bool(row[-1])) for row in body]
    if fmt == "plain":
        body = out.split("\n")[:-1]
        if points_csv:
            assert body[0].startswith("line\t")
            body = body[1:]
            return [(int(line.split("\t")[0]), bool(line.split("\t")[-1])) for line in body]
        return [(int(line.split("\t")[0]), line.split("\t")[1] == "error") for line in body]
    # table: a record's first line has its line number in the line column; continuation
    # lines (more entries of a point, a folded expression, an error under its row) do not.
    lines = out.split("\n")[:-1]
    assert lines[0].lstrip().startswith("line") and set(lines[1]) == {"━"}
    got = []
    for line in lines[2:]:
        m = re.match(r" *(\d+)(   |$)", line)
        if m and m.end(1) <= 7:
            got.append([int(m[1]), False])
        else:
            assert got and not line[:4].strip(), f"a stray line: {line!r}"
            if re.match(r" +(\w+ error|row|line): ", line):
                got[-1][1] = True
    return [tuple(g) for g in got]


def check(fmt, r, want, points_csv=False):
    got = records(fmt, r.out, points_csv)
    if fmt == "csv" and points_csv:
        want = [(None, fails) for _, fails in want]
    if fmt == "table":   # a failed line's error is under its row; a job file also says which line
        assert [g[0] for g in got] == [w[0] for w in want]
        failed = {g[0] for g in got if g[1]}
        assert failed <= {w[0] for w in want if w[1]}
    else:
        assert got == want
    assert (r.code != 0) == any(fails for _, fails in want), (r.code, r.err[-500:])


@pytest.mark.parametrize("seed", range(2))
@pytest.mark.parametrize("fmt", FORMATS)
def test_random_job_files_keep_their_shape(adcli, fmt, seed):
    rng = random.Random(seed)
    data, want = job_file(rng, 1500)
    r = adcli("grad", "--format", fmt, stdin=data)
    check(fmt, r, want)


@pytest.mark.slow
@pytest.mark.parametrize("fmt", FORMATS)
def test_a_10000_line_job_file_keeps_its_shape(adcli, fmt):
    data, want = job_file(random.Random(100), 10_000)
    r = adcli("eval", "--format", fmt, stdin=data)
    check(fmt, r, want)


def test_job_file_records_in_small_chunks(adcli, monkeypatch):
    """The same file read a few hundred bytes at a time (chunk edges everywhere, CRLF cut
    in two): the same records."""
    from adcli.batch import stream
    data, want = job_file(random.Random(11), 600)
    whole = adcli("grad", "--format", "json", stdin=data).out
    small = stream.LineSource

    class Small(small):
        def __init__(self, s, read_size=None, **k):
            super().__init__(s, 389, **k)
    monkeypatch.setattr(stream, "FIRST_CHUNK", 97)
    monkeypatch.setattr(stream, "LineSource", Small)
    r = adcli("grad", "--format", "json", stdin=data)
    check("json", r, want)
    assert r.out == whole


# -- points files -------------------------------------------------------------------------------

def points_file(rng, n):
    """(bytes of a points file with columns id,x,y, [(line number, fails)] of its records)."""
    lines = [b"id,x,y"]
    want = []
    for k in range(2, n + 2):
        r = rng.random()
        x, y = rng.uniform(-2, 2), rng.uniform(-2, 2)
        fails = None
        if r < 0.6:
            ident = rng.choice(["p", "q", '"a,b"', "p" + rng.choice(HOSTILE), "\xe9", ""])
            line, fails = f"{ident},{x!r},{y!r}".encode(), False
        elif r < 0.65:
            line, fails = f"p,{-abs(x)!r},{y!r}".encode(), False            # log of a negative: nan, not a failure
        elif r < 0.75:
            line = rng.choice([b"p,abc,1", b"p,1", b"p,1,2,3", b"p,,1", b"p,1,\x00", b"p,\xff,1", b"p,1,2" + b"\x9b"])
            fails = True
        elif r < 0.82:
            line = rng.choice([b"", b"  ", b"\t"])
        elif r < 0.83:
            line, fails = b"p," + b"1" * (MAX_LINE + 5) + b",2", True
        else:
            line, fails = f"r{k},{rng.randint(-5, 5)},{rng.randint(1, 9)}".encode(), False
        if rng.random() < 0.2:
            line += b"\r"
        lines.append(line)
        if fails is not None:
            want.append((k, fails))
    data = b"\n".join(lines) + rng.choice([b"\n", b"\r\n", b""])
    return (b"\xef\xbb\xbf" if rng.random() < 0.5 else b"") + data, want


@pytest.mark.parametrize("seed", range(2))
@pytest.mark.parametrize("fmt", FORMATS)
def test_random_points_files_keep_their_shape(adcli, fmt, seed):
    data, want = points_file(random.Random(seed), 3000)
    r = adcli("grad", "x*y + log(x)", "--points", "-", "--format", fmt, stdin=data)
    check(fmt, r, want, points_csv=True)


@pytest.mark.slow
@pytest.mark.parametrize("fmt", FORMATS)
def test_a_10000_row_points_file_keeps_its_shape(adcli, fmt):
    data, want = points_file(random.Random(200), 10_000)
    r = adcli("eval", "x*y + log(x)", "--points", "-", "--format", fmt, stdin=data)
    check(fmt, r, want, points_csv=True)
