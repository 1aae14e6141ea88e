"""`adcli repl` (and `adcli` alone on a terminal): a session at a prompt, with line
editing, history kept between sessions and Tab completion (the standard library's
readline), or lines read from a pipe without a prompt. What a line means is
adcli.cli.session's business; this module reads lines and keeps the terminal's side.

History lives in $XDG_STATE_HOME/adcli/history (~/.local/state/adcli/history), a file
only its owner can read (what was typed may be private), in a directory likewise.
"""
import os
import sys

import click

from .options import command
from .session import META, Session, command_object, commands, option_names

PROMPT = "adcli> "
HISTORY_LENGTH = 1000


def on_terminal():
    """Standard input and output are both a terminal: a person is typing and reading."""
    from ..render.console import isatty
    return isatty(sys.stdin) and isatty(sys.stdout)


@command("repl")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="text: what each command prints; json: one JSON line for each line that gives an "
                   "answer, error records included, for driving adcli from another program.")
@click.option("-f", "--file", "script", metavar="FILE",
              help="Read the lines from FILE (UTF-8) instead of standard input, as from a pipe.")
def repl_cmd(fmt, script):
    """An interactive session: expressions, definitions kept for the session, a current
    point, and every command without the 'adcli' prefix. 'adcli' alone starts one on a
    terminal. Lines may also come from a pipe (no prompt then).

    \b
    What a line can be:
      (x+y)*(x-y) @ x=3,y=2     what 'adcli grad' prints
      a = x + y                 a definition, used by later lines that name it
      at x=3, y=2               the current point
      trace --mode reverse      a command; the last expression and point fill in
      taylor sin(x) order 5     options as on the command line, dashes optional
      :help :vars :clear :quit  (Ctrl-D ends, Ctrl-C cancels the line)

    \b
    Examples:
      adcli repl -f examples/session.txt
      adcli repl -f examples/session.txt --format json

    Exit code: 0; from a pipe or a file, 1 if a line failed. History is kept in
    $XDG_STATE_HOME/adcli/history (~/.local/state/adcli/history).
    """
    from . import _main
    session = Session(fmt)
    lines = _open_script(script) if script is not None else None
    interactive = lines is None and on_terminal()
    history = _start_readline(session) if interactive else None

    def run(argv, failed):
        return _main(argv, failed)

    try:
        while True:
            try:
                line = _read(interactive, lines)
            except KeyboardInterrupt:      # Ctrl-C: the line is dropped, the session goes on
                sys.stdout.write("\n")
                continue
            if line is None:               # Ctrl-D or the end of the input
                if interactive:
                    sys.stdout.write("\n")
                break
            try:
                going = session.handle(line, run)
            except KeyboardInterrupt:
                sys.stderr.write("adcli: interrupted\n")
                going = True
            _flush()
            if not going:
                break
    finally:
        if history is not None:
            _save_history(history)
    return 1 if session.failures and not interactive else 0


def _flush():
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        raise
    except OSError:
        pass


def _open_script(path):
    from ..errors import UsageError, printable
    try:
        with open(path, encoding="utf-8-sig", errors="replace") as f:
            return iter(f.read().splitlines())
    except OSError as e:
        raise UsageError(f"cannot read '{printable(path)}': {e.strerror or e}") from None


def _read(interactive, lines=None):
    """The next line, or None at the end."""
    if lines is not None:
        return next(lines, None)
    if interactive:
        try:
            return input(PROMPT)
        except EOFError:
            return None
    if sys.stdin is None:
        return None
    line = sys.stdin.readline()
    return line.rstrip("\r\n") if line else None


# ---------------------------------------------------------------- history

def history_path():
    """Where history is kept, or None where there is no home to keep it in."""
    base = os.environ.get("XDG_STATE_HOME")
    if not base or not os.path.isabs(base):    # the XDG spec: a relative path is to be ignored
        home = os.path.expanduser("~")
        if not os.path.isabs(home):
            return None
        base = os.path.join(home, ".local", "state")
    return os.path.join(base, "adcli", "history")


def _start_readline(session):
    """Line editing, history and completion; the history file's path, or None without
    readline (the session works without it)."""
    try:
        import readline
    except ImportError:
        return None
    readline.set_completer(Completer(session).complete)
    readline.set_completer_delims(" \t\n()+-*/^,;=@")
    if "libedit" in (readline.__doc__ or ""):
        readline.parse_and_bind("bind ^I rl_complete")
    else:
        readline.parse_and_bind("tab: complete")
    path = history_path()
    readline.set_history_length(HISTORY_LENGTH)
    if path is None:
        return None
    try:
        if os.path.exists(path):
            readline.read_history_file(path)
    except OSError:
        pass
    return path, readline.get_current_history_length()


def _save_history(history):
    """Add this session's lines to the history file (appended, so that two sessions at
    once both keep theirs), creating its directory and file for the owner alone, and
    keep its last HISTORY_LENGTH lines."""
    import readline
    path, before = history
    new = readline.get_current_history_length() - before
    try:
        os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
        if new > 0:
            readline.append_history_file(new, path)
        with open(path, "rb") as f:
            lines = f.read().split(b"\n")
        if len(lines) > 2 * HISTORY_LENGTH:
            fd = os.open(path, os.O_WRONLY | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as f:
                f.write(b"\n".join(lines[-HISTORY_LENGTH - 1:]))
    except OSError as e:
        from ..errors import warn
        warn(f"history not saved: {e.strerror or e}")


# ---------------------------------------------------------------- completion

class Completer:
    """Tab: commands and session commands at the start of a line; elsewhere functions,
    constants, defined names, variables of the current point and the command's options."""

    def __init__(self, session):
        self.session = session
        self.matches = []

    def complete(self, text, state):
        if state == 0:
            try:
                self.matches = self.candidates(text)
            except Exception:   # noqa: BLE001 - a completion must never end the session
                self.matches = []
        return self.matches[state] if state < len(self.matches) else None

    def candidates(self, text):
        import readline
        line = readline.get_line_buffer()
        start = readline.get_begidx()
        before = line[:start]
        words = []
        if not before.strip():
            words = [w + ("" if w.startswith(":") else " ") for w in list(commands()) + list(META) + ["at"]]
        elif before.endswith("--") and before.split()[0] in commands():
            # '-' separates words (x-y), so the dashes are before the word completed
            takes, flags = option_names(command_object(before.split()[0]))
            return sorted(o[2:] + " " for o in list(takes) + list(flags) if o.startswith("--" + text))
        return sorted({w for w in words + self.names() if w.startswith(text)})

    def names(self):
        from ..ops.table import CONSTANTS, FUNCTIONS
        names = [f + "(" for f in FUNCTIONS if f.isidentifier()] + list(CONSTANTS)
        names += [n + ("(" if "(" in d.split("=", 1)[0] else "") for n, d in self.session.definitions.items()]
        names += list(self.session.point)
        return names
