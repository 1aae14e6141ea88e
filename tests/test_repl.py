"""adcli repl: lines from a pipe (the adcli fixture) and a person at a real terminal (a
pseudo-terminal from the standard library's pty): definitions, the current point, every
command, errors that do not end the session, history across sessions, Tab completion,
Ctrl-C and Ctrl-D. A session prints what the command prints: compared with the command
run on its own."""
import json
import os
import stat

import pytest

from conftest import jsonl
from ptykit import Terminal


def session(adcli, *lines, fmt=None):
    args = ["repl"] + (["--format", fmt] if fmt else [])
    return adcli(*args, stdin="\n".join(lines) + "\n")


# ---------------------------------------------------------------- lines from a pipe

def test_an_expression_with_a_point_prints_what_grad_prints(adcli):
    r = session(adcli, "(x+y)*(x-y) @ x=3,y=2")
    direct = adcli("grad", "(x+y)*(x-y)", "--at", "x=3,y=2")
    assert (r.code, r.out, r.err) == (0, direct.out, "")


def test_definitions_are_put_in_front_of_the_expressions_that_use_them(adcli):
    r = session(adcli, "a = x + y", "b = x - y", "unused = sin(z)", "at x=3, y=2", "a * b")
    direct = adcli("grad", "a = x + y; b = x - y; a * b", "--at", "x=3,y=2")
    assert r.code == 0 and r.err == ""
    assert r.out == "at x = 3, y = 2\n" + direct.out


def test_definitions_through_each_other_come_in_dependency_order(adcli):
    # c was replaced after d was defined in terms of it: c must still come first.
    r = session(adcli, "c = x", "d = c * 2", "c = x + 1", "d @ x=1", fmt="json")
    recs = jsonl(r.out)
    assert recs[-1]["expr"] == "c = x + 1; d = c * 2; d"
    assert (recs[-1]["value"], recs[-1]["gradient"]) == (4.0, {"x": 2.0})


def test_a_definition_through_itself_is_refused_and_the_session_goes_on(adcli):
    r = session(adcli, "c = x", "d = c + 1", "c = d", "c @ x=5", fmt="json")
    recs = jsonl(r.out)
    assert recs[2]["error"]["type"] == "usage" and "in terms of itself" in recs[2]["error"]["message"]
    assert recs[3]["value"] == 5.0
    assert r.code == 1   # a line failed, and the lines came from a pipe


def test_a_slip_in_a_definition_has_its_caret_on_the_line_typed(adcli):
    r = session(adcli, "a = x + y", "c = sinn(a)")
    assert r.err == ("adcli: error: unknown function 'sinn'\n"
                     "  c = sinn(a)\n"
                     "      ^\n"
                     "did you mean sin()?\n")


def test_an_error_in_an_expression_points_into_what_was_typed_not_the_definitions(adcli):
    r = session(adcli, "a = x + y", "grad a * 2x @ x=1,y=1")
    direct = adcli("grad", "a * 2x", "--at", "x=1,y=1")
    assert r.err == direct.err and "  a * 2x\n       ^\n" in r.err
    assert r.code == 1 and r.out == ""


def test_commands_reuse_the_last_expression_and_the_current_point(adcli):
    r = session(adcli, "x^2*y @ x=3,y=2", "hessian", "taylor order 3 wrt x", "trace --mode reverse")
    parts = [adcli("grad", "x^2*y", "--at", "x=3,y=2").out,
             adcli("hessian", "x^2*y", "--at", "x=3,y=2").out,
             adcli("taylor", "x^2*y", "--at", "x=3,y=2", "--order", "3", "--wrt", "x").out,
             adcli("trace", "x^2*y", "--at", "x=3,y=2", "--mode", "reverse").out]
    assert r.code == 0 and r.out == "".join(parts)


def test_a_command_with_its_own_expression_and_options(adcli):
    r = session(adcli, "at x=3, y=2", "grad (x+y)*(x-y) --wrt x", "taylor exp(sin(x)) order 8")
    parts = [adcli("grad", "(x+y)*(x-y)", "--at", "x=3,y=2", "--wrt", "x").out,
             adcli("taylor", "exp(sin(x))", "--at", "x=3", "--order", "8").out]
    assert r.out == "at x = 3, y = 2\n" + "".join(parts)


def test_the_point_gives_only_the_expressions_variables_and_plot_leaves_its_axis_free(adcli):
    r = session(adcli, "at x=1, y=2, s=3", "plot exp(-x^2/s) --range -1:1 --width 40 --height 10")
    direct = adcli("plot", "exp(-x^2/s)", "--at", "s=3", "--range", "-1:1", "--width", "40", "--height", "10")
    assert r.err == "" and r.out.split("\n", 1)[1] == direct.out


def test_commands_come_from_the_command_table(adcli, monkeypatch):
    # A command another branch adds appears in the session without a change here.
    from adcli import cli
    monkeypatch.setitem(cli.COMMANDS, "twice", ("adcli.cli.basic", "eval_cmd", "A command added later."))
    r = session(adcli, "twice x*2 @ x=4", ":help")
    assert r.out.startswith(adcli("eval", "x*2", "--at", "x=4").out)
    assert "twice" in r.out and "A command added later." in r.out


def test_help_vars_clear_and_quit(adcli):
    r = session(adcli, ":help", "a = x*x", "at x=2", "a", ":vars", ":clear", ":vars", ":quit", "1/0")
    assert "at x=3, y=2" in r.out and ":quit" in r.out
    assert "a = x*x\nat x = 2\nlast expression: a\n" in r.out
    assert r.out.endswith("definitions, point and last expression cleared\n"
                          "no current point (set one: at x=3, y=2)\n")
    assert r.code == 0 and r.err == ""   # :quit stopped before 1/0


def test_an_unknown_session_command_gets_a_guess(adcli):
    r = session(adcli, ":vras")
    assert r.err == "adcli: error: no session command ':vras'\ndid you mean :vars?\n"


def test_errors_never_end_the_session(adcli):
    r = session(adcli, "2x @ x=1", "sinn(x) @ x=1", "x @", "grad --nope", "(x @ x=1", "x+1 @ x=1")
    assert r.out.endswith(adcli("grad", "x+1", "--at", "x=1").out)
    assert r.err.count("adcli: error:") == 5 and r.code == 1


def test_json_session_answers_every_line_with_one_json_line(adcli):
    r = session(adcli, "a = x + y", "at x=3, y=2", "a*a", "2x", "hessian", "trace", "graph", ":vars",
                "", "# a comment", fmt="json")
    recs = jsonl(r.out)
    assert len(recs) == 8
    assert recs[0] == {"defined": "a", "text": "a = x + y"}
    assert recs[1] == {"at": {"x": 3.0, "y": 2.0}}
    assert recs[2] == json.loads(adcli("grad", "a = x + y; a*a", "--at", "x=3,y=2", "--format", "json").out)
    assert recs[3] == {"line": 4, "input": "2x",
                       "error": {"type": "parse", "message": "missing operator before 'x' (adcli has no implicit "
                                 "multiplication: write 2*x)", "column": 2}}
    assert recs[4]["hessian"] == [[2.0, 2.0], [2.0, 2.0]]        # the last expression that read: a*a
    assert recs[5]["mode"] == "forward" and recs[6]["nodes"]
    assert recs[7]["definitions"] == {"a": "a = x + y"} and recs[7]["last"] == "a*a"


def test_user_text_is_escaped_in_session_answers(adcli):
    r = session(adcli, ":vars\x1b[2J", "b = x # \x1b[2J", ":vars")
    assert "\x1b" not in r.out + r.err
    assert "no session command ':vars\\x1b[2J'" in r.err
    assert r.out.startswith("b = x\n")              # the comment is not kept
    r = session(adcli, "x\x1b[2J @ x=1", fmt="json")
    assert "\x1b" not in r.out + r.err and jsonl(r.out)[0]["input"] == "x\x1b[2J @ x=1"


def test_a_session_from_a_file(adcli, tmp_path):
    script = tmp_path / "s.txt"
    script.write_text("f = x^3\nat x=2\nf\n", encoding="utf-8")
    r = adcli("repl", "-f", str(script))
    assert r.out == "at x = 2\n" + adcli("grad", "f = x^3; f", "--at", "x=2").out
    assert adcli("repl", "-f", str(tmp_path / "missing")).code == 2


def test_adcli_alone_off_a_terminal_still_prints_its_usage(adcli):
    r = adcli(stdin="")
    assert r.code == 2 and "Usage: adcli" in r.err and "Commands:" in r.err


# ---------------------------------------------------------------- a person at a terminal

@pytest.fixture
def terminal(tmp_path):
    opened = []

    def start(*argv):
        t = Terminal(argv, env={"XDG_STATE_HOME": str(tmp_path / "state"), "NO_COLOR": "1", "COLUMNS": "100"})
        opened.append(t)
        return t
    yield start
    for t in opened:
        t.close()


def test_adcli_alone_on_a_terminal_is_a_session_with_a_prompt(terminal):
    t = terminal()
    t.expect("adcli> ")
    t.send("(x+y)*(x-y) @ x=3,y=2\r")
    out = t.expect("adcli> ")
    assert "∂f/∂x       6" in out and "∂f/∂y      -4" in out
    t.send("\x04")                                   # Ctrl-D at an empty prompt
    assert t.wait() == 0


def test_history_is_kept_between_sessions_in_a_private_file(terminal, tmp_path):
    t = terminal("repl")
    t.expect("adcli> ")
    t.send("x^3 @ x=2\r")
    t.expect("adcli> ")
    t.send(":quit\r")
    assert t.wait() == 0
    path = tmp_path / "state" / "adcli" / "history"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700
    t = terminal("repl")
    t.expect("adcli> ")
    t.send("\x1b[A\x1b[A\r")                           # up twice: the line before :quit
    out = t.expect("adcli> ")
    assert "∂f/∂x      12" in out
    t.send("\x04")
    assert t.wait() == 0


def test_tab_completes_commands_functions_and_defined_names(terminal):
    t = terminal("repl")
    t.expect("adcli> ")
    t.send("hess\t")
    t.expect("hessian ")
    t.send("x*y @ x=1,y=2\r")
    assert "∂²f/∂·∂x" in t.expect("adcli> ")
    t.send("velocity = x + 1\r")
    t.expect("adcli> ")
    t.send("velo\t")
    t.expect("velocity")
    t.send("*sinh\t")
    t.expect("sinh(")
    t.send("x) @ x=0\r")
    out = t.expect("adcli> ")
    assert "∂f/∂x       1" in out      # d/dx (x+1)*sinh(x) at 0 = sinh(0) + cosh(0)
    t.send("taylor --ord\t")
    t.expect("--order ")
    t.send("2\r")
    assert "Taylor mode, order 2" in t.expect("adcli> ")
    t.send("\x04")
    assert t.wait() == 0


def test_a_bad_line_ctrl_c_and_ctrl_d(terminal):
    t = terminal("repl")
    t.expect("adcli> ")
    t.send("2x + 1 @ x=1\r")
    out = t.expect("adcli> ")
    assert "adcli: error: missing operator before 'x'" in out and "   ^" in out
    t.send("y^2 +")                                  # half a line, then Ctrl-C: dropped
    t.send("\x03")
    t.expect("adcli> ")
    t.send("y^2 @ y=3\r")
    out = t.expect("adcli> ")
    assert "∂f/∂y       6" in out and "error" not in out
    t.send("\x04")
    assert t.wait() == 0


def test_ctrl_c_during_a_command_cancels_it_and_the_session_goes_on(terminal):
    t = terminal("repl")
    t.expect("adcli> ")
    # a long plot: 100,000 samples to order 4 by Taylor mode
    t.send("plot sin(x)*exp(cos(x)) --range -100:100 --samples 100000 --order 4 --format csv\r")
    t.expect("x,f,")
    t.send("\x03")
    t.expect("adcli: interrupted")
    t.expect("adcli> ")
    t.send("x^2 @ x=1\r")
    assert "∂f/∂x       2" in t.expect("adcli> ")
    t.send(":quit\r")
    assert t.wait() == 0


def test_typed_job_lines_get_no_progress_bar(terminal):
    import time
    t = terminal("grad", "-f", "-", "--format", "json")
    t.send("x^2 @ x=3\r")
    t.expect('"gradient": {"x": 6.0}')
    time.sleep(1.5)      # longer than the progress bar's delay
    t.send("x^3 @ x=1\r")
    out = t.expect('"gradient": {"x": 3.0}')
    t.send("\x04")
    assert t.wait() == 0
    assert "lines" not in out and "━" not in out


def test_a_name_in_another_case_gets_the_commands_hint(adcli):
    r = session(adcli, "at x=1, Y=2", "x*y")
    assert r.err == ("adcli: error: no value for variable y: the point gives Y, and names are case-sensitive\n"
                     "write y=2 instead of Y=2\n")


def test_a_job_file_in_a_session_keeps_its_own_expressions(adcli, monkeypatch):
    monkeypatch.chdir(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    r = session(adcli, "x^2 @ x=1", "grad -f examples/jobs.txt --format csv")
    assert r.out.endswith(adcli("grad", "-f", "examples/jobs.txt", "--format", "csv").out)
    assert r.err == ""


def test_history_needs_a_home(monkeypatch):
    from adcli.cli.repl import history_path
    monkeypatch.setenv("XDG_STATE_HOME", "relative/dir")     # ignored, as the XDG spec says
    monkeypatch.setenv("HOME", "/home/someone")
    assert history_path() == "/home/someone/.local/state/adcli/history"
    monkeypatch.setenv("XDG_STATE_HOME", "/tmp/state")
    assert history_path() == "/tmp/state/adcli/history"


def test_function_definitions_are_program_text_too(adcli):
    """sq(t) = t*t is kept and put in front like a let-binding: it works as soon as the
    language reads function definitions, and until then is refused where it was typed."""
    from adcli.api import parse
    from adcli.errors import AdcliError
    r = session(adcli, "t = 5", "sq(t) = t*t", "sq(x) + 1 @ x=3", fmt="json")
    recs = jsonl(r.out)
    assert recs[0] == {"defined": "t", "text": "t = 5"}
    try:
        parse("sq(t) = t*t; sq(2)")
    except AdcliError:
        assert recs[1]["line"] == 2 and recs[1]["input"] == "sq(t) = t*t" and recs[1]["error"]["column"] >= 1
        assert recs[2]["line"] == 3 and "sq" in recs[2]["error"]["message"]
        return
    assert recs[1] == {"defined": "sq", "text": "sq(t) = t*t"}
    # t is sq's parameter, not the definition t = 5, which stays out of the program
    assert recs[2]["expr"] == "sq(t) = t*t; sq(x) + 1"
    assert (recs[2]["value"], recs[2]["gradient"]) == (10.0, {"x": 6.0})


def test_json_error_columns_count_in_the_line_typed(adcli):
    r = session(adcli, "grad x + 2y @ x=1,y=1", "taylor sin(x) @ x=", "a = x +* 2", fmt="json")
    cols = [(rec["input"], rec["error"]["column"]) for rec in jsonl(r.out)]
    assert cols == [("grad x + 2y @ x=1,y=1", 11), ("taylor sin(x) @ x=", 19), ("a = x +* 2", 8)]


def test_two_sessions_at_once_both_keep_their_history(terminal, tmp_path):
    a, b = terminal("repl"), terminal("repl")
    a.expect("adcli> ")
    b.expect("adcli> ")
    a.send("x^2 @ x=1\r")
    a.expect("adcli> ")
    b.send("y^3 @ y=1\r")
    b.expect("adcli> ")
    a.send("\x04")
    assert a.wait() == 0
    b.send("\x04")
    assert b.wait() == 0
    history = (tmp_path / "state" / "adcli" / "history").read_text(encoding="utf-8").split("\n")
    assert "x^2 @ x=1" in history and "y^3 @ y=1" in history


def test_the_history_file_keeps_its_last_thousand_lines(terminal, tmp_path):
    path = tmp_path / "state" / "adcli" / "history"
    path.parent.mkdir(parents=True)
    path.write_text("".join(f"{k}\n" for k in range(2500)), encoding="utf-8")
    t = terminal("repl")
    t.expect("adcli> ")
    t.send("x^2 @ x=1\r")
    t.expect("adcli> ")
    t.send("\x04")
    assert t.wait() == 0
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1000 and lines[-1] == "x^2 @ x=1" and lines[0] == "1501"


import click  # noqa: E402  (a command of the test's own, for the command table)


@click.command("echo")
@click.argument("words", nargs=-1)
@click.option("--upper", is_flag=True)
def echo_cmd(words, upper):
    text = " ".join(words)
    click.echo(text.upper() if upper else text)


def test_a_command_with_arguments_of_its_own_gets_them_as_typed(adcli, monkeypatch):
    # fit MODEL DATA from another branch, say: no EXPR to fill in, its words passed on.
    from adcli import cli
    monkeypatch.setitem(cli.COMMANDS, "echo", ("test_repl", "echo_cmd", "Say it again."))
    r = session(adcli, "x^2 @ x=1", 'echo "a b" c --upper', "echo")
    assert r.out.endswith("A B C\n\n") and r.err == ""
