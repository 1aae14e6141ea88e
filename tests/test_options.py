"""Command-line options shared by commands: repeats, @FILE expressions, help texts,
mistyped command names."""
import json

import pytest


def test_mistyped_command_suggests_the_closest(adcli):
    r = adcli("gard", "x^2", "--at", "x=3")
    assert (r.code, r.out) == (2, "")
    assert r.err == "adcli: error: no such command 'gard'; did you mean 'grad'?\n"


def test_unknown_command_lists_the_commands(adcli):
    r = adcli("zzz", "x")
    assert (r.code, r.out) == (2, "")
    assert r.err.startswith("adcli: error: no such command 'zzz'\ncommands: eval, grad, jacobian,")
    assert "did you mean" not in r.err and "Traceback" not in r.err


def test_unknown_command_name_is_escaped(adcli):
    r = adcli("gr\x1bd")
    assert r.code == 2 and "\x1b" not in r.err
    assert r.err == "adcli: error: no such command 'gr\\x1bd'; did you mean 'grad'?\n"


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
