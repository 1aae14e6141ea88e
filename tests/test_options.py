"""Command-line options shared by commands: repeats, @FILE expressions, help texts,
mistyped command names."""
import json

import pytest


def test_mistyped_command_suggests_the_closest(adcli):
    r = adcli("gard", "x^2", "--at", "x=3")
    assert (r.code, r.out) == (2, "")
    assert r.err == "adcli: error: no such command 'gard'; did you mean 'grad'?\ntry 'adcli --help'\n"


def test_unknown_command_lists_the_commands(adcli):
    r = adcli("zzz", "x")
    assert (r.code, r.out) == (2, "")
    assert r.err.startswith("adcli: error: no such command 'zzz'\ncommands: eval, grad, diff, jacobian,")
    assert "did you mean" not in r.err and "Traceback" not in r.err


def test_unknown_command_name_is_escaped(adcli):
    r = adcli("gr\x1bd")
    assert r.code == 2 and "\x1b" not in r.err
    assert r.err.startswith("adcli: error: no such command 'gr\\x1bd'; did you mean 'grad'?\n")


# -- repeated --wrt, --dir, --cotangent merge like --at ------------------------------------

def test_repeated_dir_merges(adcli):
    r = adcli("jvp", "x*y", "--at", "x=1,y=2", "--dir", "x=1", "--dir", "y=2", "--format", "json")
    assert (r.code, r.err) == (0, "")
    rec = json.loads(r.out)
    assert rec["dir"] == {"x": 1.0, "y": 2.0}
    assert rec["jvp"] == 4.0  # y*dx + x*dy = 2*1 + 1*2


def test_repeated_wrt_merges(adcli):
    r = adcli("grad", "x*y", "--at", "x=1,y=2", "--wrt", "y", "--wrt", "x", "--format", "json")
    assert (r.code, r.err) == (0, "")
    assert list(json.loads(r.out)["gradient"].items()) == [("y", 1.0), ("x", 2.0)]


# (command, argv with the option repeated, argv with the same values in one option)
SAME = [
    ("grad", ["x*y*z", "--at", "x=1,y=2,z=3", "--wrt", "x", "--wrt", "z,y"], ["--wrt", "x,z,y"]),
    ("jacobian", ["x*y, x+z", "--at", "x=1,y=2,z=3", "--wrt", "z", "--wrt", "x"], ["--wrt", "z,x"]),
    ("hessian", ["x^2*y*z", "--at", "x=1,y=2,z=3", "--wrt", "x", "--wrt", "y"], ["--wrt", "x,y"]),
    ("check", ["x*sin(y)", "--at", "x=1,y=2", "--wrt", "y", "--wrt", "x"], ["--wrt", "y,x"]),
    ("jvp", ["x*y, y^2", "--at", "x=1,y=2", "--dir", "x=1", "--dir", "y=-3"], ["--dir", "x=1,y=-3"]),
    ("taylor", ["x*y^2", "--at", "x=1,y=2", "--dir", "x=1", "--dir", "y=pi", "--order", "3"],
     ["--dir", "x=1,y=pi", "--order", "3"]),
    ("trace", ["x*y + sin(y)", "--at", "x=3,y=2", "--dir", "x=1", "--dir", "y=0.5"], ["--dir", "x=1,y=0.5"]),
    ("vjp", ["x*y, x+y, x-y", "--at", "x=3,y=2", "--cotangent", "1", "--cotangent", "-1,2"],
     ["--cotangent", "1,-1,2"]),
]


@pytest.mark.parametrize("command,argv,single", SAME, ids=[s[0] for s in SAME])
def test_repeats_equal_one_option_with_all_values(adcli, command, argv, single):
    head = argv[:argv.index(single[0])]
    merged = adcli(command, *argv, "--format", "json")
    one = adcli(command, *head, *single, "--format", "json")
    assert (merged.code, merged.err) == (0, ""), merged.err
    assert (one.code, one.err) == (0, "")
    assert json.loads(merged.out) == json.loads(one.out)
    # and not what the last repeat alone gives
    last = len(argv) - 1 - argv[::-1].index(single[0])
    alone = adcli(command, *head, *argv[last:last + 2], *single[2:], "--format", "json")
    assert alone.code != 0 or json.loads(alone.out) != json.loads(merged.out)


@pytest.mark.parametrize("argv,message", [
    (["grad", "x*y", "--at", "x=1,y=2", "--wrt", "x", "--wrt", "y,x"],
     "adcli: error: --wrt names 'x' twice\n  y,x\n    ^\n"),
    (["jvp", "x*y", "--at", "x=1,y=2", "--dir", "x=1", "--dir", "y=1,x=2"],
     "adcli: error: --dir: 'x' is given twice\n  y=1,x=2\n      ^\n"),
    (["taylor", "x*y", "--at", "x=1,y=2", "--dir", "x=1", "--dir", "x=1"],
     "adcli: error: --dir: 'x' is given twice\n  x=1\n  ^\n"),
    (["trace", "x*y", "--at", "x=1,y=2", "--dir", "y=1", "--dir", "y=1"],
     "adcli: error: --dir: 'y' is given twice\n  y=1\n  ^\n"),
    (["plot", "x*y", "--at", "y=1", "--wrt", "x", "--wrt", "y"],
     "adcli: error: plot takes one variable with --wrt, got x, y\n"),
    (["plot", "x*y", "--at", "y=1", "--wrt", "x", "--wrt", "x"],
     "adcli: error: plot takes one variable with --wrt, got x, x\n"),
    (["taylor", "x*y", "--at", "x=1,y=2", "--wrt", "x", "--wrt", "y"],
     "adcli: error: taylor takes one variable with --wrt, got x, y\n"
     "to move along several variables at once, give a direction with --dir x=1,y=1\n"),
    (["trace", "x*y", "--at", "x=1,y=2", "--wrt", "x,y"],
     "adcli: error: trace takes one variable with --wrt, got x,y\n"
     "to move along several variables at once, give a direction with --dir x=1,y=1\n"),
    (["vjp", "x*y, x+y", "--at", "x=1,y=2", "--cotangent", "1", "--cotangent", "0,1"],
     None),
])
def test_repeat_errors(adcli, argv, message):
    r = adcli(*argv)
    assert (r.code, r.out) == (2, "")
    if message is None:  # three numbers for two outputs
        assert r.err.startswith("adcli: error: ") and "cotangent" in r.err and "Traceback" not in r.err
    else:
        assert r.err == message


def test_batches_take_the_merged_options(adcli, tmp_path):
    jobs = tmp_path / "jobs.txt"
    jobs.write_text("x*y @ x=1,y=2\nx*y*z @ x=1,y=2,z=3\n")
    r = adcli("jvp", "-f", str(jobs), "--dir", "x=1", "--dir", "y=2", "--format", "json")
    assert (r.code, r.err) == (0, "")
    assert [json.loads(line)["jvp"] for line in r.out.splitlines()] == [4.0, 12.0]
    r = adcli("grad", "-f", str(jobs), "--wrt", "y", "--wrt", "x", "--format", "json")
    assert (r.code, r.err) == (0, "")
    assert [json.loads(line)["gradient"] for line in r.out.splitlines()] == [
        {"y": 1.0, "x": 2.0}, {"y": 3.0, "x": 6.0}]
    pts = tmp_path / "p.csv"
    pts.write_text("x,y\n3,2\n1,0.5\n")
    r = adcli("jvp", "x*y", "--points", str(pts), "--dir", "x=1", "--dir", "y=2", "--format", "csv")
    assert (r.code, r.err) == (0, "")
    assert r.out.splitlines() == ["x,y,value,jvp,error", "3,2,6,8,", "1,0.5,0.5,2.5,"]
    r = adcli("vjp", "x*y, x+y", "--points", str(pts), "--cotangent", "1", "--cotangent", "-1",
              "--format", "csv")
    assert (r.code, r.err) == (0, "")
    assert r.out.splitlines()[1:] == ["3,2,6,5,1,2,", "1,0.5,0.5,1.5,-0.5,0,"]


# -- EXPR as @FILE or @- ---------------------------------------------------------------------

import io  # noqa: E402
import os  # noqa: E402

from conftest import ROOT  # noqa: E402

LET = os.path.join(ROOT, "examples", "let_bindings.adc")


def test_let_bindings_file(adcli):
    r = adcli("grad", "@" + LET, "--at", "x=3,y=2", "--format", "json")
    assert (r.code, r.err) == (0, "")
    rec = json.loads(r.out)
    assert (rec["value"], rec["gradient"]) == (5.0, {"x": 6.0, "y": -4.0})
    # the same program typed with ';' gives the same record, but for its text
    typed = json.loads(adcli("grad", "a = x + y; b = x - y; a * b", "--at", "x=3,y=2", "--format", "json").out)
    assert {**rec, "expr": None} == {**typed, "expr": None}
    assert rec["expr"] == open(LET, encoding="utf-8").read().rstrip()


def _stdin(monkeypatch, text):
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(text.encode("utf-8"))))


def test_expression_from_standard_input(adcli, monkeypatch):
    _stdin(monkeypatch, "a = x * y\n\nsin(a) + a\n")
    r = adcli("grad", "@-", "--at", "x=0,y=2", "--format", "plain")
    assert (r.code, r.err) == (0, "")
    assert r.out == "value 0\nd/dx 4\nd/dy 0\n"  # d/dx (sin(xy) + xy) = y cos(xy) + y


@pytest.mark.parametrize("source", ["-", "jobs"])
def test_stdin_expression_cannot_share_stdin_with_a_batch(adcli, monkeypatch, source):
    _stdin(monkeypatch, "x^2")
    argv = ["--points", "-"] if source == "-" else ["-f", "-"]
    r = adcli("grad", "@-", *argv)
    what = "points" if source == "-" else "job lines"
    assert (r.code, r.out) == (2, "")
    assert r.err == (f"adcli: error: standard input holds the expression (@-), so it cannot also hold "
                     f"the {what}\ngive the expression as @FILE, or the points or jobs in a file\n")


# (command, expression, further argv): every command that takes EXPR
EVERY = [
    ("eval", "x^2, 2^x", ["--at", "x=3"]),
    ("grad", "x*sin(y)", ["--at", "x=3,y=2"]),
    ("jacobian", "x*y, x+y", ["--at", "x=3,y=2"]),
    ("hessian", "x^2*y", ["--at", "x=3,y=2"]),
    ("jvp", "x*y", ["--at", "x=3,y=2", "--dir", "x=1"]),
    ("vjp", "x*y, x+y", ["--at", "x=3,y=2", "--cotangent", "1,0"]),
    ("taylor", "exp(x)", ["--at", "x=0", "--order", "3"]),
    ("check", "x*y", ["--at", "x=3,y=2"]),
    ("trace", "x*y", ["--at", "x=3,y=2"]),
    ("graph", "x*y", ["--at", "x=3,y=2"]),
    ("parse", "-x^2", []),
    ("plot", "x^2", ["--samples", "3"]),
]


@pytest.mark.parametrize("command,expr,argv", EVERY, ids=[e[0] for e in EVERY])
def test_every_command_reads_expr_from_a_file(adcli, tmp_path, command, expr, argv):
    path = tmp_path / "f.adc"
    path.write_text(expr + "\n", encoding="utf-8")
    typed = adcli(command, expr, *argv, "--format", "json")
    from_file = adcli(command, f"@{path}", *argv, "--format", "json")
    assert (typed.code, typed.err) == (0, "")
    assert (from_file.code, from_file.err, from_file.out) == (0, "", typed.out)
    assert "@FILE" in adcli(command, "--help").out


def test_functions_takes_no_expr_so_its_help_has_no_at_file(adcli):
    assert "@FILE" not in adcli("functions", "--help").out


def test_help_of_every_expr_command_documents_at_file_once(adcli):
    from adcli.cli import COMMANDS
    for name in COMMANDS:
        out = adcli(name, "--help").out
        epilog = "EXPR as @FILE is read from FILE (UTF-8); as - or @-, from standard input.\n"
        assert out.count(epilog) == (name not in ("functions", "repl")), name


@pytest.mark.parametrize("arg,message", [
    ("@no/such/file.adc", "cannot read the expression file 'no/such/file.adc': No such file or directory"),
    ("@" + ROOT, f"cannot read the expression file '{ROOT}': Is a directory"),
    ("@", "'@' needs a file name: give EXPR as @FILE, or @- for standard input"),
])
def test_unreadable_expression_file_is_a_usage_error(adcli, arg, message):
    r = adcli("grad", arg, "--at", "x=1")
    assert (r.code, r.out, r.err) == (2, "", f"adcli: error: {message}\n")


def test_expression_file_must_be_utf8(adcli, tmp_path):
    path = tmp_path / "latin1.adc"
    path.write_bytes("x + \xb5".encode("latin-1"))
    r = adcli("eval", f"@{path}", "--at", "x=1")
    assert (r.code, r.out) == (2, "")
    assert r.err == f"adcli: error: the expression in '{path}' is not UTF-8 text (byte 0xb5 at offset 4)\n"


def test_error_caret_points_into_the_right_line_of_a_file(adcli, tmp_path):
    path = tmp_path / "prog.adc"
    path.write_text("a = x + y\nb = x - y\nc = a * sin(b\nc\n", encoding="utf-8")
    r = adcli("grad", f"@{path}", "--at", "x=3,y=2")
    assert (r.code, r.out) == (2, "")
    lines = r.err.splitlines()
    assert lines[0] == "adcli: error: unexpected line break: the expression is incomplete"
    assert lines[1] == "  line 3: c = a * sin(b"
    assert lines[2].index("^") == lines[1].index("(b") + 2


@pytest.mark.slow  # a 100,000-term program
def test_a_100000_term_sum_from_a_file(adcli, tmp_path):
    # Too long for argv (about 600 KB); the oracle sums the same terms in Python.
    n = 100_000
    path = tmp_path / "sum.adc"
    path.write_text(" + ".join(f"x^{k % 5}" for k in range(n)) + "\n", encoding="utf-8")
    r = adcli("grad", f"@{path}", "--at", "x=2", "--format", "json")
    assert (r.code, r.err) == (0, "")
    rec = json.loads(r.out)
    assert rec["value"] == sum(2.0 ** (k % 5) for k in range(n))
    assert rec["gradient"] == {"x": sum((k % 5) * 2.0 ** (k % 5 - 1) for k in range(n))}


# -- help texts say what each command does -----------------------------------------------------

def _option_help(out, option):
    """The help text of one option in click's two-column --help layout."""
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.lstrip().startswith(option + " ")
                 or line.strip() == option)
    text = [lines[start].strip()]
    for line in lines[start + 1:]:
        if line.startswith("  -") or not line.strip():
            break
        text.append(line.strip())
    return " ".join(text)


@pytest.mark.parametrize("command", ["eval", "grad", "jacobian", "hessian", "jvp", "vjp", "taylor", "check"])
def test_at_help_of_batch_commands_mentions_batches(adcli, command):
    assert "In a batch" in _option_help(adcli(command, "--help").out, "--at")


@pytest.mark.parametrize("command", ["trace", "graph", "plot"])
def test_at_help_of_single_point_commands_does_not_mention_batches(adcli, command):
    text = _option_help(adcli(command, "--help").out, "--at")
    assert "batch" not in text.lower() and "repeatable" in text


def test_ascii_help_names_what_each_command_draws(adcli):
    trace = _option_help(adcli("trace", "--help").out, "--ascii")
    graph = _option_help(adcli("graph", "--help").out, "--ascii")
    plot = _option_help(adcli("plot", "--help").out, "--ascii")
    assert "vbar" in trace and "vbar" in graph
    assert "vbar" not in plot and "v_-1" not in plot and "* o + x #" in plot


def test_top_level_help_documents_traceback_once(adcli):
    r = adcli("--help")
    assert r.code == 0 and r.err == ""
    assert r.out.count("--traceback") == 1
    assert r.out.rstrip().endswith("Developers: adcli --traceback CMD ... shows Python tracebacks.")
    for name in ("grad", "trace"):
        assert "--traceback" not in adcli(name, "--help").out


@pytest.mark.parametrize("stdin", [None, "closed"])
def test_at_minus_without_standard_input_is_a_usage_error(adcli, monkeypatch, stdin):
    if stdin is None:
        monkeypatch.setattr("sys.stdin", None)
    else:
        stream = io.TextIOWrapper(io.BytesIO(b"x"))
        stream.close()
        monkeypatch.setattr("sys.stdin", stream)
    r = adcli("grad", "@-", "--at", "x=1")
    assert (r.code, r.out) == (2, "")
    assert r.err == "adcli: error: cannot read the expression from standard input: it is closed\n"
