"""--points from Parquet and Arrow IPC files written by pyarrow (one file, a directory, a
glob), --output in CSV, JSON Lines, Parquet and Arrow, --delimiter, and the text
encodings a points file may come in. The oracle of every columnar run is the CSV run
of the same rows (the path that existed before), and the one-point API."""
import json
import os
import subprocess
import sys

import numpy as np
import pytest

from conftest import ROOT, jsonl, subprocess_env

pa = pytest.importorskip("pyarrow")
import pyarrow.parquet as pq  # noqa: E402

F = "x^2*y + sin(x)"


def table(n=50, seed=0, nulls=()):
    """A table with an id (string), an integer column carried through, x as int64, y as
    float64 with random digits, and nulls in x at the given rows."""
    rng = np.random.default_rng(seed)
    x = rng.integers(-5, 6, n)
    mask = np.zeros(n, dtype=bool)
    mask[list(nulls)] = True
    return pa.table({
        "id": pa.array([f"p{i}" for i in range(n)]),
        "x": pa.array(x, type=pa.int64(), mask=mask),
        "k": pa.array(np.arange(n, dtype=np.int32)),
        "y": pa.array(rng.uniform(-3, 3, n)),
    })


def as_csv(t):
    """The table as CSV text, numbers written by repr (exact)."""
    d = t.to_pydict()
    lines = [",".join(t.schema.names)]
    for row in zip(*d.values()):
        lines.append(",".join("" if v is None else repr(v) if isinstance(v, float) else str(v) for v in row))
    return "\n".join(lines) + "\n"


def write_arrow(t, path, stream=False):
    with (pa.ipc.new_stream if stream else pa.ipc.new_file)(str(path), t.schema) as w:
        w.write_table(t)


def bits(col):
    """A float64 column's values as integers (nan == nan, -0 != 0), nulls as None."""
    a = col.to_numpy(zero_copy_only=False) if col.null_count == 0 else None
    if a is None:
        return [None if v is None else np.float64(v).view(np.int64).item() for v in col.to_pylist()]
    return a.astype(np.float64).view(np.int64).tolist()


@pytest.mark.parametrize("kind", ["parquet", "arrow", "arrow-stream"])
def test_columnar_input_gives_the_csv_runs_output(adcli, tmp_path, kind):
    t = table(nulls=[3, 17])
    src = tmp_path / ("p.parquet" if kind == "parquet" else "p.arrow")
    if kind == "parquet":
        pq.write_table(t, src, row_group_size=16)
    else:
        write_arrow(t, src, stream=kind == "arrow-stream")
    (tmp_path / "p.csv").write_text(as_csv(t))
    for fmt in ("csv", "json", "plain"):
        want = adcli("grad", F, "--points", str(tmp_path / "p.csv"), "--format", fmt)
        got = adcli("grad", F, "--points", str(src), "--format", fmt)
        assert want.code == got.code == 1
        if fmt == "json":   # rows are numbered from 1 in a data set, from the header's next line in CSV
            a, b = jsonl(want.out), jsonl(got.out)
            for r in a:
                r["line"] -= 1
            assert a == b
        elif fmt == "csv":
            assert got.out == want.out
        else:
            assert got.out.splitlines()[1:] == [
                "\t".join([str(int(line.split("\t")[0]) - 1), *line.split("\t")[1:]])
                for line in want.out.splitlines()[1:]]
    assert "column x: empty" in got.err and "2 of 50 rows failed" in got.err


def test_parquet_to_parquet_is_float64_and_keeps_carried_types(adcli, tmp_path):
    import adcli as api
    t = table(n=40, nulls=[5])
    pq.write_table(t, tmp_path / "in.parquet")
    r = adcli("grad", F, "--points", str(tmp_path / "in.parquet"), "--output", str(tmp_path / "out.parquet"))
    assert r.code == 1 and r.out == "" and "1 of 40 rows failed" in r.err
    out = pq.read_table(tmp_path / "out.parquet")
    assert out.schema.names == ["id", "x", "k", "y", "value", "d/dx", "d/dy", "error"]
    types = dict(zip(out.schema.names, out.schema.types))
    assert types["id"] == pa.string() and types["k"] == pa.int32() and types["error"] == pa.string()
    assert all(types[c] == pa.float64() for c in ("x", "y", "value", "d/dx", "d/dy"))
    assert out.column("id").to_pylist() == t.column("id").to_pylist()
    assert out.column("k").to_pylist() == t.column("k").to_pylist()
    d = out.to_pydict()
    for i in range(40):
        if i == 5:
            assert d["x"][i] is None and d["value"][i] is None and d["error"][i] == "row: column x: empty"
            continue
        one = api.grad(F, x=float(t.column("x")[i].as_py()), y=t.column("y")[i].as_py())
        assert d["error"][i] is None
        assert d["value"][i] == one.value[0]           # the same float64, not a text round trip
        assert [d["d/dx"][i], d["d/dy"][i]] == [one.gradient["x"], one.gradient["y"]]


@pytest.mark.parametrize("ext", [".arrow", ".csv", ".jsonl"])
def test_output_formats_by_extension_agree(adcli, tmp_path, ext):
    t = table(n=30)
    pq.write_table(t, tmp_path / "in.parquet")
    ref = tmp_path / "ref.parquet"
    assert adcli("grad", F, "--points", str(tmp_path / "in.parquet"), "-o", str(ref)).code == 0
    out = tmp_path / ("out" + ext)
    r = adcli("grad", F, "--points", str(tmp_path / "in.parquet"), "--output", str(out))
    assert r.code == 0 and r.out == ""
    want = pq.read_table(ref)
    if ext == ".arrow":
        with pa.ipc.open_file(str(out)) as f:
            assert f.read_all().equals(want)
    elif ext == ".csv":
        import csv
        rows = list(csv.DictReader(open(out)))
        for c in ("value", "d/dx", "d/dy"):
            assert [float(r[c]) for r in rows] == want.column(c).to_pylist()    # exact round trip
    else:
        recs = [json.loads(line) for line in open(out)]
        assert [r["value"] for r in recs] == want.column("value").to_pylist()
        assert recs[0]["columns"] == {"id": "p0", "k": "0"}


def test_a_directory_and_a_glob_are_one_data_set_in_natural_order(adcli, tmp_path):
    full = table(n=120, seed=3, nulls=[70])
    d = tmp_path / "ds"
    d.mkdir()
    bounds = [0, 10, 25, 60, 61, 120]   # part.2 before part.10: natural order, not text order
    for k, (lo, hi) in enumerate(zip(bounds, bounds[1:])):
        pq.write_table(full.slice(lo, hi - lo), d / f"part.{[0, 1, 2, 10, 11][k]}.parquet")
    (d / "_SUCCESS").write_text("")
    (d / ".part.3.parquet.crc").write_bytes(b"\0\1")
    pq.write_table(full, tmp_path / "one.parquet")
    want = adcli("grad", F, "--points", str(tmp_path / "one.parquet"), "--format", "csv")
    for src in (str(d), str(d / "part.*.parquet")):
        got = adcli("grad", F, "--points", src, "--format", "csv")
        assert (got.code, got.out) == (want.code, want.out) == (1, got.out)
        assert "line 71: row error" in got.err


def test_rows_stream_in_bounded_batches(adcli, tmp_path):
    from adcli.batch import columnar
    n = columnar.ROWS * 2 + 5
    t = pa.table({"x": np.linspace(0, 1, n), "y": np.ones(n)})
    pq.write_table(t, tmp_path / "big.parquet", row_group_size=n)   # one row group, read in slices
    ds = columnar.DataSet(str(tmp_path / "big.parquet"), "parquet")
    sizes = [b.num_rows for _, b in ds.batches()]
    assert max(sizes) <= columnar.ROWS and sum(sizes) == n
    r = adcli("eval", "x*y", "--points", str(tmp_path / "big.parquet"), "-o", str(tmp_path / "o.parquet"))
    assert r.code == 0
    assert pq.read_table(tmp_path / "o.parquet").column("value").to_pylist() == t.column("x").to_pylist()


def test_csv_in_parquet_out_carries_text_columns_as_strings(adcli, tmp_path):
    (tmp_path / "p.csv").write_text("id,x,y\na,1,2\nb,oops,3\nc,2,0.5\n")
    r = adcli("grad", "x*y", "--points", str(tmp_path / "p.csv"), "-o", str(tmp_path / "o.parquet"))
    assert r.code == 1
    d = pq.read_table(tmp_path / "o.parquet").to_pydict()
    assert d["id"] == ["a", "b", "c"] and d["x"] == [1.0, None, 2.0] and d["value"] == [2.0, None, 1.0]
    assert d["error"][0] is None and d["error"][1] == "row: column x: 'oops' is not a number"


def test_strict_stops_a_parquet_run_at_the_first_bad_row(adcli, tmp_path):
    pq.write_table(table(n=20, nulls=[6]), tmp_path / "p.parquet")
    r = adcli("grad", F, "--points", str(tmp_path / "p.parquet"), "--strict", "-o", str(tmp_path / "o.parquet"))
    assert r.code == 1 and "stopped at the first failure" in r.err
    assert pq.read_table(tmp_path / "o.parquet").num_rows == 7


@pytest.mark.parametrize("case,says", [
    ("corrupt", "cannot read"),
    ("string-variable", "holds string values"),
    ("missing-column", "has no column for y"),
    ("different-columns", "do not have the same columns"),
    ("empty-dir", "holds no data files"),
    ("no-match", "no file matches"),
])
def test_bad_data_sets_are_one_clear_usage_error(adcli, tmp_path, case, says):
    path = tmp_path / "p.parquet"
    if case == "corrupt":
        pq.write_table(table(), path)
        path.write_bytes(path.read_bytes()[:200] + b"\0" * 50 + path.read_bytes()[-100:])
    elif case == "string-variable":
        pq.write_table(pa.table({"x": ["1", "2"], "y": [1.0, 2.0]}), path)
    elif case == "missing-column":
        pq.write_table(pa.table({"x": [1.0]}), path)
    elif case == "different-columns":
        path.mkdir()
        pq.write_table(pa.table({"x": [1.0], "y": [1.0]}), path / "a.parquet")
        pq.write_table(pa.table({"x": [1.0], "z": [1.0]}), path / "b.parquet")
    elif case == "empty-dir":
        path.mkdir()
    else:
        path = tmp_path / "nothing*.parquet"
    r = adcli("grad", "x*y", "--points", str(path))
    assert r.code == 2 and r.out == "" and says in r.err, r.err
    assert len(r.err.splitlines()) <= 3


def test_parquet_on_standard_input_is_refused_with_a_hint(adcli, tmp_path):
    pq.write_table(table(), tmp_path / "p.parquet")
    r = adcli("grad", F, "--points", "-", stdin=(tmp_path / "p.parquet").read_bytes())
    assert r.code == 2 and "a Parquet file" in r.err and "--points FILE.parquet" in r.err


def test_the_format_is_sniffed_or_given(adcli, tmp_path):
    pq.write_table(table(n=5), tmp_path / "data.bin")
    assert adcli("grad", F, "--points", str(tmp_path / "data.bin"), "--format", "csv").code == 0
    (tmp_path / "p.parquet").write_text("x,y\n1,2\n")   # CSV with a misleading name
    r = adcli("grad", "x*y", "--points", str(tmp_path / "p.parquet"), "--input-format", "csv", "--format", "csv")
    assert (r.code, r.out) == (0, "x,y,value,d/dx,d/dy,error\n1,2,2,2,1,\n")


def test_output_and_data_options_need_a_batch(adcli, tmp_path):
    r = adcli("grad", "x", "--at", "x=1", "--output", str(tmp_path / "o.csv"))
    assert r.code == 2 and "--output applies to a batch" in r.err
    r = adcli("grad", "x", "--at", "x=1", "--engine", "dask")
    assert r.code == 2 and "applies to a batch" in r.err
    r = adcli("grad", "x", "--points", "examples/points.csv", "-o", str(tmp_path / "o.xyz"))
    assert r.code == 2 and "cannot tell the format" in r.err
    (tmp_path / "j.txt").write_text("x^2 @ x=3\n")
    r = adcli("grad", "-f", str(tmp_path / "j.txt"), "-o", str(tmp_path / "o.parquet"))
    assert r.code == 2 and "parquet output is for --points" in r.err
    r = adcli("grad", "-f", str(tmp_path / "j.txt"), "-o", str(tmp_path / "o.jsonl"))
    assert r.code == 0 and json.loads((tmp_path / "o.jsonl").read_text())["value"] == 9.0


# -- CSV: delimiters and encodings -------------------------------------------------------------

ROWS = [("a", "3", "2"), ("b", "0.25", "-1e3"), ("c", "x", "1")]


@pytest.mark.parametrize("delim,name", [("\t", "tab"), (";", ";"), ("|", "|")])
def test_delimiter_reads_like_commas_and_writes_the_same_delimiter(adcli, tmp_path, delim, name):
    comma = "id,x,y\n" + "".join(",".join(r) + "\n" for r in ROWS)
    other = comma.replace(",", delim)
    (tmp_path / "c.csv").write_text(comma)
    (tmp_path / "o.csv").write_text(other)
    want = adcli("grad", "x^2*y", "--points", str(tmp_path / "c.csv"), "--format", "csv")
    got = adcli("grad", "x^2*y", "--points", str(tmp_path / "o.csv"), "--delimiter", name, "--format", "csv")
    assert got.code == want.code == 1
    assert got.out == want.out.replace(",", delim)
    for fmt in ("json", "plain"):
        a = adcli("grad", "x^2*y", "--points", str(tmp_path / "c.csv"), "--format", fmt)
        b = adcli("grad", "x^2*y", "--points", str(tmp_path / "o.csv"), "--delimiter", name, "--format", fmt)
        if fmt == "plain":
            assert (a.code, a.out) == (b.code, b.out)
        else:   # a failed row is quoted as written, in its own delimiter
            theirs = jsonl(b.out)
            for rec in theirs:
                if "input" in rec:
                    rec["input"] = rec["input"].replace(delim, ",")
            assert jsonl(a.out) == theirs


def test_numbers_only_file_with_semicolons_takes_the_fast_path_exactly(adcli, tmp_path):
    rng = np.random.default_rng(5)
    x, y = rng.uniform(-1, 1, 2000), rng.uniform(-1, 1, 2000)
    (tmp_path / "s.csv").write_text("x;y\n" + "".join(f"{a!r};{b!r}\n" for a, b in zip(x.tolist(), y.tolist())))
    r = adcli("eval", "x*y", "--points", str(tmp_path / "s.csv"), "--delimiter", ";", "--format", "csv")
    vals = [float(line.split(";")[2]) for line in r.out.splitlines()[1:]]
    assert r.code == 0 and vals == (x * y).tolist()


def test_a_decimal_comma_is_a_bad_row_not_a_silent_misread(adcli, tmp_path):
    (tmp_path / "s.csv").write_text("x;y\n1,5;2\n2;3\n")
    r = adcli("eval", "x*y", "--points", str(tmp_path / "s.csv"), "--delimiter", ";", "--format", "csv")
    assert r.code == 1 and r.out.splitlines()[1:] == ['1,5;2;;row: column x: \'1,5\' is not a number', "2;3;6;"]


def test_bad_delimiters_are_usage_errors(adcli):
    for bad in ("ab", '"', "7", "."):
        r = adcli("eval", "x", "--points", "examples/points.csv", "--delimiter", bad)
        assert r.code == 2 and "cannot separate cells" in r.err


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-16-le-bom", "utf-16-be-bom"])
@pytest.mark.parametrize("ends", ["\n", "\r\n", "\r"])
def test_points_in_every_encoding_and_line_end_read_the_same(adcli, tmp_path, encoding, ends):
    text = ends.join(["id,x,y", "p1,3,2", "p2,1,0.5", "p3,0.25,4"]) + ends
    if encoding.endswith("-bom"):
        codec = encoding[:-4]
        data = ("\ufeff" + text).encode(codec)
    else:
        data = text.encode(encoding)
    (tmp_path / "p.csv").write_bytes(data)
    r = adcli("grad", "x^2*y", "--points", str(tmp_path / "p.csv"), "--format", "csv")
    want = adcli("grad", "x^2*y", "--points", "examples/points.csv", "--format", "csv")
    assert (r.code, r.out, r.err) == (0, want.out, "")
    piped = adcli("grad", "x^2*y", "--points", "-", "--format", "csv", stdin=data)
    assert piped.out == want.out


def test_utf16_job_file_is_read_too(adcli, tmp_path):
    (tmp_path / "j.txt").write_bytes("x^2 @ x=3\r\nlog(x) @ x=1\r\n".encode("utf-16"))
    r = adcli("eval", "-f", str(tmp_path / "j.txt"), "--format", "json")
    assert r.code == 0 and [rec["value"] for rec in jsonl(r.out)] == [9.0, 0.0]


# -- pyarrow missing: one message naming the extra --------------------------------------------

def without(module, *argv):
    """adcli ARGV in a fresh interpreter where `module` cannot be imported."""
    code = (f"import sys; sys.modules[{module!r}] = None\n"
            "from adcli.cli import main\n"
            f"sys.exit(main({list(argv)!r}))")
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=subprocess_env(), capture_output=True,
                          text=True, timeout=60)


def test_without_pyarrow_parquet_is_exit_2_naming_the_extra(tmp_path):
    pq.write_table(table(n=3), tmp_path / "p.parquet")
    p = without("pyarrow", "grad", F, "--points", str(tmp_path / "p.parquet"))
    assert p.returncode == 2 and p.stdout == ""
    assert "needs pyarrow" in p.stderr and 'pip install "adcli[arrow]"' in p.stderr and "Traceback" not in p.stderr
    p = without("pyarrow", "grad", "x*y", "--points", "examples/points.csv", "-o", str(tmp_path / "o.arrow"))
    assert p.returncode == 2 and 'adcli[arrow]' in p.stderr
    p = without("pyarrow", "grad", "x*y", "--points", "examples/points.csv", "--format", "csv")   # CSV needs none
    assert p.returncode == 0 and p.stdout.startswith("id,x,y,value")


def test_without_dask_the_engine_is_exit_2_naming_the_extra(tmp_path):
    pq.write_table(table(n=3), tmp_path / "p.parquet")
    p = without("distributed", "grad", F, "--points", str(tmp_path / "p.parquet"), "--engine", "dask",
                "-o", str(tmp_path / "out.parquet"))
    assert p.returncode == 2 and "needs dask and distributed" in p.stderr and 'adcli[dask]' in p.stderr
    assert not os.path.exists(tmp_path / "out.parquet")


def test_dask_engine_usage_errors_come_before_any_cluster(adcli, tmp_path):
    pq.write_table(table(n=3), tmp_path / "p.parquet")
    src = str(tmp_path / "p.parquet")
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "old.parquet").write_bytes(b"")
    (tmp_path / "cr.csv").write_bytes(b"x,y\r1,2\r")
    (tmp_path / "u16.csv").write_bytes("x,y\n1,2\n".encode("utf-16"))
    for argv, says in [
        (["--points", src, "--engine", "dask"], "give its directory with --output DIR"),
        (["--points", src, "--engine", "dask", "-o", str(tmp_path / "o.csv")], "names another format"),
        (["--points", src, "--engine", "dask", "-o", str(tmp_path / "o"), "--strict"], "--strict"),
        (["--points", str(tmp_path / "cr.csv"), "--engine", "dask", "-o", str(tmp_path / "o")], "LF or CRLF"),
        (["--points", str(tmp_path / "u16.csv"), "--engine", "dask", "-o", str(tmp_path / "o")], "UTF-16"),
        (["--points", "-", "--engine", "dask", "-o", str(tmp_path / "o")], "not from standard input"),
        (["--points", src, "--engine", "dask", "-o", str(tmp_path / "full")], "exists and is not empty"),
        (["--points", src, "--scheduler", "tcp://127.0.0.1:1"], "--scheduler applies to --engine dask"),
        (["-f", "examples/jobs.txt", "--engine", "dask"], "--engine applies to --points FILE"),
    ]:
        r = adcli("grad", *([] if argv[0] == "-f" else [F]), *argv)
        assert r.code == 2 and says in r.err, (argv, r.err)
    assert os.listdir(tmp_path / "full") == ["old.parquet"] and not os.path.exists(tmp_path / "o")


def test_an_output_file_that_cannot_be_written_is_exit_74_or_2(adcli, tmp_path):
    """A full disk is exit 74; a file that cannot be created is exit 2, as an input that
    cannot be opened is."""
    if os.path.exists("/dev/full"):
        r = adcli("grad", "x*y", "--points", "examples/points.csv", "-o", "/dev/full", "--format", "csv")
        assert r.code == 74 and "cannot write /dev/full: No space left on device" in r.err
    r = adcli("grad", "x*y", "--points", "examples/points.csv", "-o", str(tmp_path / "no" / "such" / "o.csv"))
    assert r.code == 2 and "cannot write" in r.err
    r = adcli("grad", "x*y", "--points", "examples/points.csv", "-o", str(tmp_path / "no" / "o.parquet"))
    assert r.code == 2 and "cannot write" in r.err and not os.path.exists(tmp_path / "no")
