"""Hardening: what fuzzing, a demanding user and a hostile environment broke. Batches keep
their shape whatever a line holds; environment problems are never exit 70; faults give one
line and a documented exit code; the batch paths have no hidden quadratic cost."""
import csv
import io
import json
import os
import subprocess
import sys

import pytest

from conftest import ROOT

PY = [sys.executable, "-m", "adcli"]
ENV = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))


@pytest.fixture
def adcli(adcli):
    """conftest's adcli(*argv, stdin=None), and never a traceback nor an exit 70."""
    def run(*argv, stdin=None):
        r = adcli(*argv, stdin=stdin)
        assert "Traceback" not in r.err and r.code != 70, r.err
        return r
    return run


def proc(*argv, stdin=b"", shell=None, env=None, timeout=120):
    """A real `python -m adcli` process: (exit code, stdout bytes, stderr bytes). `shell`
    is a redirection applied by sh before exec ('<&-' closes stdin)."""
    cmd = PY + list(argv)
    if shell is not None:
        cmd = ["sh", "-c", f'exec "$@" {shell}', "sh", *cmd]
    p = subprocess.run(cmd, input=stdin if shell is None or "<" not in shell else None,
                       capture_output=True, cwd=ROOT, env=dict(ENV, **(env or {})), timeout=timeout)
    assert b"Traceback" not in p.stderr and p.returncode != 70, p.stderr[-2000:]
    return p.returncode, p.stdout, p.stderr


# -- user text is escaped the same way in every format ------------------------------------------

# ESC sequences (clear screen, cursor report), BEL, C1 CSI and NEL, DEL, bidi override and
# isolate, line and paragraph separators, NUL, CR, a C1 control from the tag block.
HOSTILE = ["\x1b[2J", "\x1b[6n", "\x07", "\x9b", "\x85", "\x7f", "\u202e", "\u2066", "\u2028", "\u2029",
           "\x00", "\r", "\U000e0001"]
RAW = set("\x1b\x07\x9b\x85\x7f\u202e\u2066\u2028\u2029\x00\r\U000e0001")


def _no_raw(text):
    return not (RAW & set(text))


@pytest.mark.parametrize("bad", HOSTILE)
@pytest.mark.parametrize("fmt", ["json", "csv", "plain", "table"])
def test_job_file_echoes_hostile_text_escaped(adcli, fmt, bad):
    jobs = (f"x^2 @ x=3\n"
            f"x^2 # note {bad} @ x=2\n"       # a good line whose expression holds it (a comment)
            f"sinn(x){bad} @ x=1\n"           # a failed line that holds it
            f"y {bad}+ 1 @ y=1\n")
    r = adcli("grad", "--format", fmt, stdin=jobs)
    assert r.code == 1
    assert _no_raw(r.out) and _no_raw(r.err)
    if fmt == "json":
        recs = [json.loads(line) for line in r.out.split("\n")[:-1]]
        assert [rec["line"] for rec in recs] == [1, 2, 3, 4]
        assert recs[1]["expr"] == f"x^2 # note {bad}".strip()  # JSON decodes to the text exactly
        assert recs[2]["input"] == f"sinn(x){bad} @ x=1"
    elif fmt == "csv":
        assert len(r.out.split("\n")) == 6                      # header, 4 records, the last newline
        rows = list(csv.reader(io.StringIO(r.out)))
        assert [row[0] for row in rows] == ["line", "1", "2", "3", "4"]
        assert {len(row) for row in rows} == {len(rows[0])}
        assert "\\x" in r.out or "\\u" in r.out or "\\U" in r.out
    elif fmt == "plain":
        assert [line.split("\t")[0] for line in r.out.split("\n")[:-1]] == ["1", "2", "3", "4"]


@pytest.mark.parametrize("bad", HOSTILE)
@pytest.mark.parametrize("fmt", ["json", "csv", "plain", "table"])
def test_points_file_carries_hostile_cells_escaped(adcli, fmt, bad):
    points = f"id,x\np1{bad},2\np2,{bad}q\np3{bad}q,4\n"
    r = adcli("eval", "x^2", "--points", "-", "--format", fmt, stdin=points)
    assert r.code == 1            # the row whose x cell holds it fails
    assert _no_raw(r.out) and _no_raw(r.err)
    if fmt == "json":
        recs = [json.loads(line) for line in r.out.split("\n")[:-1]]
        assert [rec["line"] for rec in recs] == [2, 3, 4]
        assert recs[0]["columns"] == {"id": f"p1{bad}"} and recs[1]["input"] == f"p2,{bad}q"
    elif fmt == "csv":
        lines = r.out.split("\n")[:-1]
        assert len(lines) == 4
        rows = list(csv.reader(io.StringIO(r.out)))
        assert rows[0] == ["id", "x", "value", "error"] and all(len(row) == 4 for row in rows)
        assert [row[2] for row in rows[1:]] == ["4", "", "16"]
    elif fmt == "plain":
        assert [line.split("\t")[0] for line in r.out.split("\n")[1:-1]] == ["2", "3", "4"]


def test_csv_header_of_a_points_file_is_escaped(adcli):
    r = adcli("eval", "x", "--points", "-", "--format", "csv", stdin="x,n\u202eote\x1b[2J\n1,a\n")
    assert r.code == 0 and r.out.split("\n")[0] == "x,n\\u202eote\\x1b[2J,value,error"


def test_single_point_json_escapes_what_json_dumps_leaves_raw(adcli):
    r = adcli("eval", "x # \x9b\u202e\u2028\x7f", "--at", "x=1", "--format", "json")
    assert r.code == 0 and _no_raw(r.out) and r.out.count("\n") == 1
    assert json.loads(r.out)["expr"] == "x # \x9b\u202e\u2028\x7f"


def test_one_rule_for_what_is_escaped():
    from adcli.errors import printable, printable_json
    for c in HOSTILE:
        text = f"a{c}b"
        shown, decoded = printable(text), json.loads(printable_json(json.dumps(text, ensure_ascii=False)))
        assert _no_raw(shown) and shown != text and decoded == text
        assert _no_raw(printable_json(json.dumps(text, ensure_ascii=False)))
    assert printable("plain x^2 é ∂") == "plain x^2 é ∂"


# -- input: byte order mark, line ends, closed stdin, binary files ---------------------------------

def test_brief_repro_constant_expression_in_a_vectorized_group(adcli):
    """8 lines of a constant expression made a group of arrays with no variable to carry
    them: exit 70, every record of the chunk lost."""
    r = adcli("grad", "--format", "json", stdin="x^2 @ x=3\n" + "pi @ y=1\n" * 8)
    assert r.code == 0, r.err
    recs = [json.loads(line) for line in r.out.splitlines()]
    assert [rec["line"] for rec in recs] == list(range(1, 10))
    assert all(rec["value"] == 3.141592653589793 and rec["gradient"] == {} for rec in recs[1:])


@pytest.mark.parametrize("cmd", ["eval", "grad", "jacobian", "hessian"])
def test_constant_groups_of_every_size(adcli, cmd):
    for n in (1, 7, 8, 50):
        r = adcli(cmd, "--format", "json", stdin="2 @ y=1\n" * n + "e @ y=2, z=3\n" * n)
        assert r.code == 0 and len(r.out.splitlines()) == 2 * n, (cmd, n, r.err)


def test_crlf_points_file_reads_its_header_and_last_cells(adcli):
    r = adcli("eval", "x^2", "--points", "-", "--format", "csv", stdin=b"id,x\r\np1,2\r\n")
    assert (r.code, r.out) == (0, "id,x,value,error\np1,2,4,\n")


@pytest.mark.parametrize("ends", ["\r", "\r\n", "\n"])
def test_points_and_jobs_read_every_line_ending(adcli, ends):
    r = adcli("eval", "x^2", "--points", "-", "--format", "csv", stdin=ends.join(["id,x", "p1,2", "p2,3", ""]))
    assert (r.code, r.out) == (0, "id,x,value,error\np1,2,4,\np2,3,9,\n")
    r = adcli("eval", "--format", "csv", stdin=ends.join(["x @ x=1", "# c", "", "x^2 @ x=3", ""]))
    assert r.code == 0 and [row[0] for row in csv.reader(io.StringIO(r.out))] == ["line", "1", "4"]


def test_a_lone_cr_inside_a_line_of_an_lf_file_is_text_not_a_line_end(adcli):
    r = adcli("eval", "--format", "json", stdin="x @ x=1\nx\r+1 @ x=2\n")
    recs = [json.loads(line) for line in r.out.splitlines()]
    assert [rec["line"] for rec in recs] == [1, 2] and recs[1]["input"] == "x\r+1 @ x=2"


def test_byte_order_mark_is_dropped(adcli):
    r = adcli("grad", "--format", "json", stdin=b"\xef\xbb\xbf# c\nx^2 @ x=3\n")
    assert r.code == 0 and [json.loads(line)["line"] for line in r.out.splitlines()] == [2]
    r = adcli("eval", "x", "--points", "-", "--format", "csv", stdin=b"\xef\xbb\xbfx\r\n1\r\n")
    assert (r.code, r.out) == (0, "x,value,error\n1,1,\n")


def test_chunks_split_crlf_and_bom_anywhere(monkeypatch):
    """A CR at the end of one read and its LF at the start of the next, a BOM cut in two:
    the lines are the same whatever the read size."""
    from adcli.batch.stream import LineSource
    data = b"\xef\xbb\xbfa\r\nbb\r\n\r\nccc\rd\r\n"
    want = ["a", "bb", "", "ccc\rd"]
    for size in range(1, len(data) + 2):
        got = [line for _, lines in LineSource(io.BytesIO(data), read_size=size).chunks() for line in lines]
        assert got == want, size
    mac = b"a\rbb\r\rccc\r\nd"
    for size in range(1, len(mac) + 2):
        got = [line for _, lines in LineSource(io.BytesIO(mac), read_size=size).chunks() for line in lines]
        assert got == ["a", "bb", "", "ccc", "d"], size


@pytest.mark.parametrize("argv,what", [(["grad", "-f", "-"], "job lines"), (["grad", "x", "--points", "-"], "points")])
def test_closed_stdin_is_a_usage_error(argv, what):
    code, out, err = proc(*argv, shell="<&-")
    assert code == 2 and err.decode() == f"adcli: error: cannot read the {what} from standard input: it is closed\n"


@pytest.mark.parametrize("head,says", [
    (b"PAR1\x15\x04\x15\x10\n\x00\x00", "Parquet"),
    (b"ARROW1\x00\x00\xff\xff\n", "Arrow"),
    (b"\x1f\x8b\x08\x00\n", "gzip"),
    (b"PK\x03\x04\x14\x00\n", "ZIP"),
    (b"x\x00,\x00y\x00\n\x00", "UTF-16"),   # without a byte order mark (with one, it is read)
    (b"x\x00y\n1,2\n", "NUL"),
    (b"\x89\xc3\x28,y\n1,2\n", "not UTF-8"),
])
def test_binary_points_files_get_a_clear_message(adcli, tmp_path, head, says):
    path = tmp_path / "data.bin"
    path.write_bytes(head + bytes(range(256)) * 50)
    r = adcli("grad", "x", "--points", str(path))
    assert r.code == 2 and r.out == "" and says in r.err and len(r.err) < 400


def test_random_binary_points_file_is_a_usage_error(adcli, tmp_path):
    import random
    rng = random.Random(7)
    for k in range(20):
        path = tmp_path / f"r{k}.bin"
        path.write_bytes(bytes(rng.randrange(256) for _ in range(rng.randrange(1, 5000))))
        r = adcli("grad", "x", "--points", str(path))
        assert r.code in (1, 2) and len(r.err) < 2000, r.err


# -- limits: a line, an expression, a message -----------------------------------------------------

def test_an_over_long_job_line_is_one_failed_record_and_the_batch_goes_on(adcli, monkeypatch):
    from adcli.api import Function
    from adcli.batch.stream import MAX_LINE
    parsed = []

    class Counting(Function):
        def __init__(self, expr, *a, **k):
            parsed.append(len(expr))
            super().__init__(expr, *a, **k)
    monkeypatch.setattr("adcli.api.Function", Counting)
    big = "x+" * (MAX_LINE // 2 + 10) + ") @ x=1"
    jobs = "x @ x=1\n" + big + "\n#" + "c" * (2 * MAX_LINE) + "\nx^2 @ x=2\n"
    r = adcli("eval", "--format", "json", stdin=jobs)
    recs = [json.loads(line) for line in r.out.splitlines()]
    assert r.code == 1 and [rec["line"] for rec in recs] == [1, 2, 4]
    assert recs[1]["error"]["type"] == "line" and f"{len(big):,} bytes" in recs[1]["error"]["message"]
    assert len(recs[1]["input"]) < 300 and max(parsed) < 100     # never given to the parser
    assert len(r.err) < 500


def test_an_over_long_line_is_never_held_in_memory():
    """A 64 MB line arriving in pieces: the source keeps its start, not the line."""
    import tracemalloc

    from adcli.batch.stream import MAX_LINE, LineSource

    class Pieces(io.RawIOBase):
        def __init__(self):
            self.left = 64 << 20

        def readable(self):
            return True

        def readinto(self, b):
            if self.left <= 0:
                tail = b"\nx\n"[:len(b)]
                b[:len(tail)] = tail
                self.left -= len(tail)
                return len(tail) if self.left > -4 else 0
            n = min(len(b), self.left)
            b[:n] = b"a" * n
            self.left -= n
            return n

    src = LineSource(io.BufferedReader(Pieces()), read_size=1 << 20)
    tracemalloc.start()
    try:
        chunks = list(src.chunks())
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    lines = [line for _, ls in chunks for line in ls]
    assert lines[1:] == ["x"] and lines[0].startswith("aaa") and len(lines[0]) < 300
    assert peak < 4 * MAX_LINE + (8 << 20), peak


@pytest.mark.slow
def test_a_50_mb_points_header_is_a_usage_error(tmp_path):
    path = tmp_path / "wide.csv"
    with open(path, "wb") as f:
        f.write(b",".join(b"c%d" % i for i in range(5_000_000)) + b"\n1\n")
    code, out, err = proc("grad", "x", "--points", str(path))
    assert code == 2 and b"header line of the points file is" in err and len(err) < 300


def test_a_long_quoted_cell_reads(adcli):
    cell = "a" * 300_000
    r = adcli("eval", "x", "--points", "-", "--format", "json", stdin=f'x,note\n2,"{cell}"\n')
    assert r.code == 0 and json.loads(r.out)["columns"] == {"note": cell}


def test_expression_from_dev_zero_is_refused_with_the_limit():
    code, out, err = proc("grad", "@/dev/zero", "--at", "x=1")
    assert code == 2 and b"the limit for an expression" in err and len(err) < 300


def test_expression_file_over_the_limit(adcli, tmp_path):
    from adcli.cli.options import MAX_EXPR
    path = tmp_path / "big.adc"
    path.write_text("x" + " " * MAX_EXPR)
    r = adcli("eval", f"@{path}", "--at", "x=1")
    assert r.code == 2 and f"longer than {MAX_EXPR:,} bytes" in r.err
    r = adcli("eval", "@-", "--at", "x=1", stdin="x" + " " * MAX_EXPR)
    assert r.code == 2 and "standard input" in r.err


def test_a_huge_name_is_quoted_clipped(adcli):
    name = "a" * 500_000
    r = adcli("eval", "--format", "json", stdin=f"{name} @ x=1\nx @ x=1\n")
    assert r.code == 1 and len(r.err) < 500 and "500,000 characters" in r.err
    rec = json.loads(r.out.splitlines()[0])
    assert len(rec["error"]["message"]) < 400 and rec["input"] == f"{name} @ x=1"
    r = adcli("eval", name, "--at", "x=1")
    assert r.code == 1 and len(r.err) < 500 and "no value for variable aaaa" in r.err
    r = adcli("eval", name + "(x)", "--at", "x=1")
    assert r.code == 2 and len(r.err) < 500 and "unknown function 'aaaa" in r.err


def test_clip_keeps_short_messages_whole():
    from adcli.errors import clip
    msg = "unknown function 'sinn' (did you mean sin()?)"
    assert clip(msg) == msg
    long = clip("name '" + "b" * 10_000 + "' here")
    assert long.startswith("name 'bbbb") and long.endswith("' here") and "[10,002 characters]" in long


# -- performance cliffs, asserted by structure ----------------------------------------------------

def test_a_chunk_parses_each_expression_once_even_past_the_cache(adcli, monkeypatch):
    """The compiled-expression cache was cleared when full, between the pass that
    compiles a chunk's lines and the pass that runs them: 1.88 parses a line."""
    from adcli.api import Function
    from adcli.batch import records
    parsed = []

    class Counting(Function):
        def __init__(self, expr, *a, **k):
            parsed.append(expr)
            super().__init__(expr, *a, **k)
    monkeypatch.setattr("adcli.api.Function", Counting)
    monkeypatch.setattr(records, "CACHE_SIZE", 16)
    jobs = "".join(f"x^2 + {i} @ x={i}\n" for i in range(300)) + "".join(f"x*{i % 3} @ x=1\n" for i in range(30))
    r = adcli("grad", "--format", "json", stdin=jobs)
    assert r.code == 0 and len(r.out.splitlines()) == 330
    assert sorted(parsed) == sorted(set(parsed)) and len(parsed) == 303


def test_the_cache_keeps_the_expressions_used_last(monkeypatch):
    from adcli.batch import records
    monkeypatch.setattr(records, "CACHE_SIZE", 3)
    run = records.Run("eval", {})
    for expr in ["x", "y", "x", "z", "x", "w", "x"]:   # x stays: it is always among the last used
        run.function(expr)
    assert run.parses == 4


def test_points_header_check_reads_the_expression_once(adcli, monkeypatch):
    """A one-row points file of 20,000 columns took 110 s: a regular expression over the
    whole expression for every column. Now no pattern is built from a column name."""
    import re
    n = 3000
    names = [f"x{i}" for i in range(n)]
    seen = []
    for fn in ("search", "match", "fullmatch", "findall", "finditer", "compile"):
        orig = getattr(re, fn)

        def counting(pattern, *a, _orig=orig, **k):
            if isinstance(pattern, str) and "x2999" in pattern:
                seen.append(pattern)
            return _orig(pattern, *a, **k)
        monkeypatch.setattr(re, fn, counting)
    r = adcli("eval", "+".join(names), "--points", "-", "--format", "csv",
              stdin=",".join(names) + "\n" + ",".join("1" for _ in names) + "\n")
    assert r.code == 0 and r.out.splitlines()[1].endswith(f",{n},")
    assert seen == []


def test_points_columns_named_like_constants(adcli):
    r = adcli("eval", "x*pi", "--points", "-", stdin="x,pi\n1,2\n")
    assert r.code == 2 and "'pi' is the constant" in r.err
    r = adcli("eval", "x", "--points", "-", "--format", "csv", stdin="x,pi,e\n1,2,3\n")
    assert (r.code, r.out) == (0, "x,pi,e,value,error\n1,2,3,1,\n")


def test_first_chunk_of_a_big_file_is_small(tmp_path):
    """Results of a big file start at once: the first chunk is FIRST_CHUNK bytes, and
    each next one twice as big up to the read size."""
    from adcli.batch.stream import FIRST_CHUNK, LineSource
    path = tmp_path / "rows.csv"
    path.write_bytes(b"1.25,2.5,3.75\n" * 300_000)
    with open(path, "rb") as f:
        sizes = [len(block) for _, block in LineSource(f, read_size=1 << 20).raw_chunks()]
    assert sizes[0] <= FIRST_CHUNK and sizes[1] <= 2 * FIRST_CHUNK and max(sizes) <= 1 << 20
    assert sum(sizes) + len(sizes) == 14 * 300_000


def test_table_of_a_big_batch_streams_from_a_pipe():
    """The first table rows are out while the input is still open."""
    import select
    p = subprocess.Popen(PY + ["grad", "x^2*y", "--points", "-"], cwd=ROOT, env=ENV,
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        p.stdin.write(b"x,y\n" + b"1.5,2\n" * 500)
        p.stdin.flush()
        ready = select.select([p.stdout], [], [], 60)[0]
        assert ready, "no table rows before the input ended"
        assert p.stdout.readline().split() == [b"line", b"x", b"y", b"value", b"d/dx", b"d/dy"]
        p.stdin.write(b"2,3\n")
        p.stdin.close()
        rest = p.stdout.read()
        assert p.wait(timeout=60) == 0 and rest.splitlines()[-1].split()[0] == b"502"
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()


def _render(grid, fast, width=80, widen=True, ascii=False):
    from adcli.render import layout
    from adcli.render.console import console
    buf = io.StringIO()
    old = layout.FAST_ROWS
    layout.FAST_ROWS = -1 if fast else 10 ** 9
    try:
        layout.print_grid(console(buf, width=width, color_system=None), grid, ascii, widen=widen)
    finally:
        layout.FAST_ROWS = old
    return buf.getvalue()


def test_the_fast_table_looks_like_the_rich_one():
    """Random grids (numbers, text that folds, several lines a cell, wide characters,
    notes under rows, ASCII rules): the writer without Rich prints the same bytes."""
    import random

    from rich.text import Text

    from adcli.render.layout import NUM, TEXT, Column, Grid
    rng = random.Random(3)
    words = ["1", "-0.5", "x = 3", "名前", "1e-300", "", "nan", "a b", "sin(x)^2 + cos(x)^2 @ x=0.5",
             "parse error: unexpected character", "a" * 50, "x  y", " lead", "trail ", "\\x1b[2J", "∂f/∂x"]
    for trial in range(400):
        ncol = rng.randint(1, 6)
        cols = [Column(rng.choice(["line", "x", "value", "d/dx", "é", "∂f/∂x", "", "expression"]),
                       rng.choice([NUM, TEXT]), rng.choice(["left", "right"]), key=i == 0) for i in range(ncol)]
        grid = Grid(cols, show_header=rng.random() < 0.8)
        for _ in range(rng.randint(1, 12)):
            cells = ["\n".join(rng.choice(words) for _ in range(rng.randint(0, 3))) for _ in range(ncol)]
            notes = [Text("row error: " * rng.randint(1, 9), style="red")] if rng.random() < 0.15 else ()
            grid.row(*[Text(c) if rng.random() < 0.5 else c for c in cells], notes=notes)
        args = (rng.choice([20, 40, 60, 80, 200]), rng.random() < 0.5, rng.random() < 0.3)
        assert _render(grid, True, *args) == _render(grid, False, *args), (trial, args)


def test_a_10000_row_table_is_not_laid_out_by_rich(adcli, monkeypatch):
    """A 10,000-variable gradient as a table took 14x as long as JSON: Rich measured
    every row. Past FAST_ROWS rows only the header goes through Rich."""
    from rich.table import Table
    added = []
    orig = Table.add_row
    monkeypatch.setattr(Table, "add_row", lambda self, *a, **k: (added.append(1), orig(self, *a, **k))[1])
    names = [f"v{i}" for i in range(1000)]
    r = adcli("grad", "+".join(f"{v}*{v}" for v in names), "--at", ",".join(f"{v}=1" for v in names))
    assert r.code == 0 and r.out.count("\n") > 1000 and added == []
    r = adcli("eval", "x*y", "--points", "-", stdin="x,y\n" + "1.5,2\n" * 1000)
    assert r.code == 0 and r.out.count("\n") == 1002 and added == []


# -- the environment: never exit 70 ----------------------------------------------------------------

@pytest.mark.parametrize("argv", [["grad", "x*y", "--at", "x=1,y=2"],
                                  ["grad", "x*y", "--at", "x=1,y=2", "--format", "json"],
                                  ["eval", "-f", "-", "--format", "csv"],
                                  ["functions"]])
def test_a_full_disk_is_a_clear_error_74(argv):
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full")
    code, out, err = proc(*argv, stdin=b"x @ x=1\n" * 50_000, shell=">/dev/full")
    assert code == 74 and err.decode() == "adcli: error: cannot write the output: No space left on device\n"


def test_closed_stdout_is_a_clear_error_74():
    code, out, err = proc("grad", "x*y", "--at", "x=1,y=2", "--format", "json", shell=">&-")
    assert code == 74 and err == b"adcli: error: cannot write the output: standard output is closed\n"


def test_closed_stderr_keeps_the_exit_code():
    assert proc("grad", "2x", "--at", "x=1", shell="2>&-")[0] == 2
    assert proc("eval", "x", "--at", "y=1", shell="2>&-")[0] == 1
    code, out, _ = proc("grad", "x*y", "--at", "x=1,y=2", "--format", "json", shell="2>&-")
    assert code == 0 and json.loads(out)["value"] == 2
    assert proc("grad", "x", "--at", "x=1", shell=">&- 2>&-")[0] == 74


@pytest.mark.parametrize("unbuffered", ["1", ""])
def test_a_non_blocking_stdout_pipe_gets_every_byte(tmp_path, unbuffered):
    """PYTHONUNBUFFERED=1 and a non-blocking pipe: 9.9 MB of output arrived as 64 KB and
    exit 0. Every byte must arrive (or the run fail loudly)."""
    import time
    path = tmp_path / "jobs.txt"
    path.write_bytes(b"".join(b"x^2 + %d @ x=%d\n" % (i % 7, i) for i in range(60_000)))
    want = proc("grad", "-f", str(path), "--format", "json")[1]
    r, w = os.pipe()
    os.set_blocking(w, False)
    p = subprocess.Popen(PY + ["grad", "-f", str(path), "--format", "json"], cwd=ROOT, stdin=subprocess.DEVNULL,
                         stdout=w, stderr=subprocess.PIPE, env=dict(ENV, PYTHONUNBUFFERED=unbuffered))
    os.close(w)
    try:
        time.sleep(0.5)          # let the pipe fill up before reading it
        got = []
        while True:
            data = os.read(r, 1 << 16)
            if not data:
                break
            got.append(data)
        assert p.wait(timeout=120) == 0 and p.stderr.read() == b""
        assert b"".join(got) == want and len(want) > 1 << 20
    finally:
        os.close(r)
        if p.poll() is None:
            p.kill()
            p.wait()


READER_GONE = [
    ["grad", "-f", "-"], ["grad", "-f", "-", "--format", "json"], ["grad", "-f", "-", "--format", "csv"],
    ["grad", "-f", "-", "--format", "plain"],
    ["grad", "x*y", "--points", "-"], ["grad", "x*y", "--points", "-", "--format", "json"],
    ["grad", "x*y", "--points", "-", "--format", "csv"], ["grad", "x*y", "--points", "-", "--format", "plain"],
    ["grad", "x*y", "--at", "x=1,y=2"], ["grad", "x*y", "--at", "x=1,y=2", "--format", "json"],
    ["hessian", "x*y", "--at", "x=1,y=2"], ["trace", "x*y", "--at", "x=1,y=2"],
    ["functions"], ["--help"], ["grad", "--help"],
]


@pytest.mark.parametrize("argv", READER_GONE, ids=" ".join)
def test_a_reader_gone_before_the_output_is_exit_141_in_every_format(argv):
    """stdout is a pipe whose reader is gone before adcli writes (`| head` finishing
    early): 141, quietly, whatever writes it (Rich's own handler said 1)."""
    rows = b"x,y\n" + b"1.5,2\n" * 2000 if "--points" in argv else b"x*y @ x=1, y=2\n" * 2000
    r, w = os.pipe()
    os.close(r)
    try:
        p = subprocess.run(PY + argv, cwd=ROOT, env=ENV, input=rows, stdout=w, stderr=subprocess.PIPE,
                           timeout=120)
    finally:
        os.close(w)
    assert (p.returncode, p.stderr) == (141, b"")


@pytest.mark.parametrize("fmt", ["table", "json", "csv", "plain"])
def test_head_minus_one_on_a_big_batch_is_141(tmp_path, fmt):
    path = tmp_path / "jobs.txt"
    path.write_bytes(b"".join(b"x^2 + %d @ x=%d\n" % (i % 5, i) for i in range(100_000)))
    cmd = " ".join(PY) + f" grad -f {path} --format {fmt} | head -1 >/dev/null; echo ${{PIPESTATUS[0]}}"
    out = subprocess.run(["bash", "-c", cmd], cwd=ROOT, env=ENV, capture_output=True, timeout=120)
    assert out.stdout.strip() == b"141" and out.stderr == b"", out


# -- Ctrl-C: one line, exit 130, from the first moment adcli runs ---------------------------------

@pytest.mark.slow
def test_ctrl_c_during_start_up_is_one_line_and_130():
    """SIGINT at several moments while click, typing, numpy and the parser load: one line
    and exit 130 (KeyboardInterrupt tracebacks from inside imports before). The child
    announces itself once the interpreter and adcli's entry module are in place, the
    point from which adcli can answer for it."""
    import signal
    import time
    code = ("import sys, adcli.__main__ as m; m.quiet_interrupts(); sys.stderr.write('go\\n'); "
            "sys.stderr.flush(); sys.argv = ['adcli', 'grad', 'x*y', '--at', 'x=1,y=2']; m.run()")
    for delay in (0, 0.001, 0.003, 0.01, 0.02, 0.03, 0.05, 0.08):
        p = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, env=ENV, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE)
        assert p.stderr.readline() == b"go\n"
        time.sleep(delay)
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=60)
        if p.returncode == 0:            # finished before the signal came
            assert b"value" in out
            continue
        assert (p.returncode, err) == (130, b"adcli: interrupted\n"), (delay, err[-300:])


def test_the_entry_module_installs_its_handler_before_heavy_imports():
    code = ("import sys, signal\n"
            "import adcli.__main__ as m\n"
            "heavy = [x for x in ('click', 'typing', 'numpy', 'rich', 'lark', 'adcli.cli') if x in sys.modules]\n"
            "m.quiet_interrupts()\n"
            "print(heavy, getattr(signal.getsignal(signal.SIGINT), 'adcli_quiet', False))\n")
    p = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=60)
    assert p.stdout.strip() == "[] True", p.stderr


def test_the_script_entry_is_the_early_one():
    import tomllib
    with open(os.path.join(ROOT, "pyproject.toml"), "rb") as f:
        assert tomllib.load(f)["project"]["scripts"]["adcli"] == "adcli.__main__:run"
    from adcli.cli import run  # the old entry still works
    assert callable(run)


def test_ctrl_c_in_a_batch_is_one_line():
    import signal
    p = subprocess.Popen(PY + ["grad", "--format", "json"], cwd=ROOT, env=ENV, stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        p.stdin.write(b"x*y @ x=1, y=2\n")
        p.stdin.flush()
        assert json.loads(p.stdout.readline())["line"] == 1
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=60)
        assert (p.returncode, out, err) == (130, b"", b"adcli: interrupted\n")
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()


def test_memory_error_is_one_line_and_exit_1_not_an_internal_error(adcli, monkeypatch):
    """Running out of memory is the machine's limit, not a bug in adcli: exit 1, no 70."""
    import adcli.api.derivatives as derivatives

    def exhausted(*args, **kwargs):
        raise MemoryError()

    monkeypatch.setattr(derivatives, "derivatives", exhausted)
    r = adcli("grad", "x*y", "--at", "x=1,y=2")
    assert r.code == 1 and r.out == ""
    assert r.err.startswith("adcli: error: out of memory") and "internal error" not in r.err
