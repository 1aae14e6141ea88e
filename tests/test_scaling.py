"""Many variables: every step from `--at` to the output is linear in their number.

No timings here: each test counts the work itself (name comparisons, output size),
or shows that a large case runs at all. benchmarks/scaling.py has the timings."""
import json

import pytest

import adcli
from adcli.api import inputs
from adcli.api.function import Function
from adcli.cli.options import warn_unused
from adcli.errors import EvalError


class Name(str):
    """A variable name that counts how often it is compared for equality: a scan of a
    tuple compares with every entry, a dict or set lookup with one."""
    compared = 0

    def __eq__(self, other):
        Name.compared += 1
        return str.__eq__(self, other)

    __hash__ = str.__hash__


def chain(n):
    """x1*x2 + x2*x3 + ... + sin(xn): n variables, each used a few times."""
    return " + ".join(f"x{i}*x{i + 1}" for i in range(1, n)) + f" + sin(x{n})"


@pytest.fixture(scope="module")
def big():
    n = 3000
    return n, adcli.compile(chain(n))


def comparisons(fn):
    Name.compared = 0
    fn()
    return Name.compared


def test_argument_checks_compare_each_name_a_bounded_number_of_times(big, capsys):
    n, f = big
    point = {Name(v): 1.0 for v in f.variables}
    names = list(point)
    assert comparisons(lambda: warn_unused(f.program, point, names)) <= 4 * n
    assert comparisons(lambda: warn_unused(f.program, point)) <= 4 * n
    assert comparisons(lambda: inputs.wrt_names(f.program, names, point)) <= 4 * n
    assert comparisons(lambda: inputs.direction_of(f.program, point, dict.fromkeys(names, 1.0))) <= 4 * n
    assert comparisons(lambda: inputs.complete_point(f.program, point, {})) <= 4 * n
    assert capsys.readouterr().err == ""


def test_input_index_matches_the_inputs(big):
    _, f = big
    index = f.program.input_index
    assert list(index) == list(f.variables) and all(f.variables[i] == v for v, i in index.items())
    assert f.program.input_index is index  # computed once


def test_unused_values_are_still_reported(adcli):
    code, out, err = adcli("grad", "x*y", "--at", "x=1,y=2,z=3", "--format", "json")
    assert code == 0 and err == "adcli: warning: 'z' has a value but does not appear in the expression\n"
    code, out, err = adcli("grad", "x*y", "--at", "x=1,y=2,z=3", "--wrt", "x,z", "--format", "json")
    assert code == 0 and err == "" and json.loads(out)["gradient"] == {"x": 2.0, "z": 0.0}


def test_forward_trace_of_many_variables_is_linear_in_size(adcli):
    # The tangent trace's title once listed the whole seed, and every row was padded to
    # its width: n rows of n entries. Now the seed has lines of its own.
    for n in (500, 1000):
        at = ",".join(f"x{i}=1" for i in range(1, n + 1))
        code, out, err = adcli("trace", chain(n), "--at", at)
        assert code == 0, err
        lines = out.splitlines()
        body = lines[lines.index(next(ln for ln in lines if "primal trace" in ln)):]
        assert max(len(ln) for ln in body) < 120
        assert "tangent seed: ẋ1 = 1, ẋ2 = 0," in out
        assert len(out) < 400 * n


def test_short_seed_stays_in_the_title(adcli):
    code, out, err = adcli("trace", "x*y", "--at", "x=3,y=2")
    assert code == 0 and "tangent trace (ẋ = 1, ẏ = 0)" in out and "tangent seed" not in out


# ---- the Hessian: refused up front when too large, and no more memory than its rows

def squares(n):
    return " + ".join(f"x{i}^2" for i in range(1, n + 1))


def test_too_large_a_hessian_is_refused_before_any_work(monkeypatch, adcli):
    from adcli.engine import hessian as engine
    monkeypatch.setattr(inputs, "available_memory", lambda: 10 ** 6)  # 1 MB: 100 variables fit

    def never(*args):
        raise AssertionError("the Hessian was computed")
    monkeypatch.setattr(engine, "hessian", never)
    n = 300
    at = ",".join(f"x{i}=1" for i in range(1, n + 1))
    code, out, err = adcli("hessian", squares(n), "--at", at, "--format", "json")
    assert code == 1 and out == ""
    assert err == ("adcli: error: the Hessian of 300 variables does not fit in memory: 300 x 300 entries are "
                   "0.00067 GB as float64, and computing and writing them takes about 0.0084 GB, where "
                   "0.00093 GB is available\n"
                   "differentiate with respect to fewer variables with --wrt: about 100 fit\n")
    with pytest.raises(EvalError, match="does not fit in memory"):
        Function(squares(n)).hessian(dict.fromkeys((f"x{i}" for i in range(1, n + 1)), 1.0))


def test_hessian_size_in_gb_and_the_limit_at_many_points(monkeypatch):
    monkeypatch.setattr(inputs, "available_memory", lambda: 16 * 1024 ** 3)
    inputs.hessian_fits(12_000, None)  # 14.4e9 bytes: fits in 16 GB
    with pytest.raises(EvalError) as e:
        inputs.hessian_fits(100_000, None)
    assert ("100,000 x 100,000 entries are 74.5 GB as float64, and computing and writing them takes about "
            "931.3 GB, where 16.0 GB is available") in e.value.message
    with pytest.raises(EvalError, match=r"entries at 1,000 points are 7.5 GB") as e:
        inputs.hessian_fits(1000, (1000,))
    assert e.value.hint.endswith("about 844 fit, or give fewer points at once")


def test_a_refused_hessian_fails_its_batch_line_only(monkeypatch, adcli):
    monkeypatch.setattr(inputs, "available_memory", lambda: 1000)  # 3 variables fit, 4 do not
    code, out, err = adcli("hessian", "-f", "-", "--format", "json",
                           stdin="x^2*y @ x=1, y=2\na*b*c*d @ a=1, b=1, c=1, d=1\n")
    assert code == 1
    first, second = (json.loads(line) for line in out.splitlines())
    assert first["hessian"] == [[4.0, 2.0], [2.0, 0.0]]
    assert "does not fit in memory" in second["error"]["message"]


def test_available_memory_is_a_number_of_bytes():
    avail = inputs.available_memory()
    assert avail is None or (isinstance(avail, int) and avail >= 0)


def test_partial_sums_carry_no_tangents():
    # d/dx (a + b) reads neither a nor b: a sum's partial sums need no tangents, which
    # for n terms would hold n^2/2 entries. Only the squares and their arguments do.
    from adcli.engine.hessian import _tangents_needed
    from adcli.engine.sweep import compiled
    n = 50
    program = adcli.parse(squares(n))
    need = _tangents_needed(compiled(program), n)
    ops = [nd.op for nd, k in zip(program.nodes, need) if k]
    assert ops.count("add") == 0 and ops.count("powc") == n and sum(need) == 2 * n


def test_hessian_json_and_csv_are_written_row_by_row_as_before(capsys):
    import csv
    import io

    from adcli.render import text
    r = adcli.compile("x^2*y + sin(x*y) + z").hessian(x=1, y=2, z=3)
    text.write_json(r)
    assert capsys.readouterr().out == text.dumps(text.record(r)) + "\n"
    head, rows = text.csv_rows(r)
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows([head, *rows])
    text.write_csv(r)
    assert capsys.readouterr().out == buf.getvalue()
    assert buf.getvalue().splitlines()[0] == "variable,value,gradient,d2/dx,d2/dy,d2/dz"


def test_hessian_of_many_variables_as_json(adcli):
    n = 1000
    at = ",".join(f"x{i}={1 + i % 3}" for i in range(1, n + 1))
    code, out, err = adcli("hessian", squares(n) + " + x1*x2", "--at", at, "--format", "json")
    assert code == 0 and err == ""
    h = json.loads(out)["hessian"]
    assert len(h) == n and all(len(row) == n for row in h)
    assert h[0][:3] == [2.0, 1.0, 0.0] and h[1][:3] == [1.0, 2.0, 0.0] and h[-1][-1] == 2.0
    assert sum(map(sum, h)) == 2 * n + 2


# ---- many variables end to end: --at to the JSON gradient

def at_options(n):
    """--at options of at most 5,000 entries each, as a shell passes a long point."""
    out = []
    for start in range(1, n + 1, 5000):
        out += ["--at", ",".join(f"x{i}={1 + i % 5}" for i in range(start, min(start + 5000, n + 1)))]
    return out


def chain_gradient(n, i):
    """d/dx_i of chain(n) for i < n, at x_k = 1 + k % 5."""
    return (1 + (i - 1) % 5 if i > 1 else 0) + 1 + (i + 1) % 5


@pytest.mark.parametrize("n", [20_000, pytest.param(100_000, marks=pytest.mark.slow)])
def test_many_variables_from_at_to_the_json_gradient(adcli, tmp_path, n):
    import math
    path = tmp_path / "f.adc"
    path.write_text(chain(n))
    code, out, err = adcli("grad", f"@{path}", *at_options(n), "--format", "json")
    assert code == 0 and err == ""
    r = json.loads(out)
    assert len(r["gradient"]) == n and list(r["gradient"])[:3] == ["x1", "x2", "x3"]
    for i in (1, 2, n // 2, n - 1):
        assert r["gradient"][f"x{i}"] == chain_gradient(n, i)
    assert r["gradient"][f"x{n}"] == (n - 1) % 5 + 1 + math.cos(1 + n % 5)
