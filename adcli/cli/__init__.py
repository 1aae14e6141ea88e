"""The command line: a thin click layer over adcli.api.

Commands live in adcli/commands/ and are imported only when invoked, so `adcli grad`
pays for neither numpy nor Rich unless it prints a table. main() is the one place
where exceptions become a message on stderr and an exit code:

    0   success
    1   evaluation failure (a variable has no value, a batch line failed)
    2   usage or parse error (bad option, bad expression, bad point)
    3   check: finite differences can neither confirm nor refute AD
    70  internal error (a bug in adcli: please report it; --traceback shows it)
    74  the input could not be read or the output written (a full disk, stdout closed)
    130 interrupted (Ctrl-C)
    141 standard output was closed by its reader (adcli ... | head): stops quietly,
        as a process killed by SIGPIPE would (128 + 13)
"""
import io
import os
import sys

import click

from .. import __version__
from ..errors import AdcliError, ExitCode, StreamError, error, printable

# command name -> (module, function, one-line help). Imported on first use.
COMMANDS = {
    "eval": ("adcli.cli.basic", "eval_cmd", "Evaluate an expression at a point."),
    "grad": ("adcli.cli.basic", "grad_cmd", "Value and gradient by automatic differentiation."),
    "diff": ("adcli.cli.diff", "diff_cmd", "The derivative as a program: adcli, Python, numpy, C or LaTeX."),
    "jacobian": ("adcli.cli.higher", "jacobian_cmd", "Jacobian of several outputs; picks the cheaper mode."),
    "hessian": ("adcli.cli.higher", "hessian_cmd", "Exact Hessian by forward-over-reverse AD."),
    "jvp": ("adcli.cli.higher", "jvp_cmd", "Jacobian-vector product along a direction."),
    "vjp": ("adcli.cli.higher", "vjp_cmd", "Vector-Jacobian product for a cotangent."),
    "taylor": ("adcli.cli.higher", "taylor_cmd", "Derivatives of any order by Taylor-mode AD."),
    "check": ("adcli.cli.higher", "check_cmd", "Check AD against extrapolated finite differences."),
    "trace": ("adcli.cli.visual", "trace_cmd", "Forward and reverse evaluation traces, as in textbooks."),
    "graph": ("adcli.cli.visual", "graph_cmd", "Draw the computational graph (or emit dot/mermaid/json)."),
    "parse": ("adcli.cli.visual", "parse_cmd", "Show how an expression is read: parenthesized, and its IR."),
    "plot": ("adcli.cli.visual", "plot_cmd", "Plot f and its derivatives in the terminal."),
    "fit": ("adcli.cli.optimize", "fit_cmd", "Fit a model's parameters to data, with the exact Jacobian."),
    "minimize": ("adcli.cli.optimize", "minimize_cmd", "A local minimum, with the exact gradient and Hessian."),
    "solve": ("adcli.cli.optimize", "solve_cmd", "A root of a square system, with the exact Jacobian."),
    "functions": ("adcli.cli.basic", "functions_cmd", "List functions, operators and conventions."),
    "repl": ("adcli.cli.repl", "repl_cmd", "An interactive session (also: adcli alone, on a terminal)."),
}


class ReaderGone(Exception):
    """Standard output was closed by its reader. Not an OSError, so that click's own
    EPIPE handler (which exits 1) lets it through to main()."""


class NoSuchCommand(click.UsageError):
    """A mistyped command name: one adcli-style line (with a guess), not click's usage
    block. A click exception, so that click's own runner (tests, embedding) exits 2 too."""

    def show(self, file=None):
        click.echo(f"adcli: error: {self.format_message()}", file=file, err=file is None)


class Interrupted(BaseException):
    """Ctrl-C, carried past click (which would print a blank line for a KeyboardInterrupt)
    to main(), which says so in one line."""


class LazyGroup(click.Group):
    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            raise ReaderGone() from None
        except KeyboardInterrupt:
            raise Interrupted() from None

    def make_context(self, *args, **kwargs):   # parses the options: `adcli --help` prints here
        try:
            return super().make_context(*args, **kwargs)
        except BrokenPipeError:
            raise ReaderGone() from None
        except KeyboardInterrupt:
            raise Interrupted() from None

    def list_commands(self, ctx):
        return list(COMMANDS)

    def get_command(self, ctx, name):
        if name not in COMMANDS:
            return None
        import importlib
        module, attr, _ = COMMANDS[name]
        return getattr(importlib.import_module(module), attr)

    def resolve_command(self, ctx, args):
        name = click.utils.make_str(args[0])
        if name in COMMANDS or name.startswith("-"):
            return super().resolve_command(ctx, args)
        import difflib
        close = difflib.get_close_matches(name, list(COMMANDS), n=1)
        raise NoSuchCommand(f"no such command '{name}'" + (f"; did you mean '{close[0]}'?" if close else
                                                            f"\ncommands: {', '.join(COMMANDS)}"))

    def format_commands(self, ctx, formatter):
        # Short help from the table above, without importing every command module.
        rows = [(name, help_) for name, (_, _, help_) in COMMANDS.items()]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]},
             invoke_without_command=True, subcommand_metavar="COMMAND [ARGS]...",
             epilog="Developers: adcli --traceback CMD ... shows Python tracebacks.")
@click.version_option(__version__, "-V", "--version", prog_name="adcli", message="%(prog)s %(version)s")
@click.option("--traceback", is_flag=True, hidden=True, help="Show Python tracebacks (for developers).")
@click.pass_context
def cli(ctx, traceback):
    """adcli: exact derivatives of formulas by automatic differentiation.

    \b
    Examples:
      adcli grad "(x+y)*(x-y)" --at x=3,y=2
      adcli eval "sin(x)^2 + cos(x)^2" --at x=0.7
      adcli grad "log(x1) + x1*x2 - sin(x2)" --at x1=2,x2=5 --format json
      adcli hessian "x^2*y + sin(x*y)" --at x=1,y=2
      adcli trace "log(x1) + x1*x2 - sin(x2)" --at x1=2,x2=5 --mode reverse
      adcli grad -f examples/jobs.txt --format json
      adcli functions

    On a terminal, adcli alone starts a session (adcli repl): definitions, a
    current point, and every command without 'adcli'.

    Exit codes: 0 success, 1 evaluation failure, 2 usage or parse error,
    3 check cannot verify, 70 internal error, 74 input or output failed, 130
    interrupted, 141 output closed by its reader.
    """
    ctx.obj = {"traceback": traceback}
    if ctx.invoked_subcommand is None and not ctx.resilient_parsing:
        # adcli alone: a session on a terminal; elsewhere (a script, a pipe) the usage, as before.
        from .repl import on_terminal
        if not on_terminal():
            raise click.exceptions.NoArgsIsHelpError(ctx)
        ctx.invoke(ctx.command.get_command(ctx, "repl"))


def _want_traceback(argv):
    return "--traceback" in argv or os.environ.get("ADCLI_TRACEBACK") == "1"


def _safe(text):
    return "\n".join(printable(line) for line in text.split("\n"))


class _Capture:
    """A text buffer that claims to be a terminal: click strips escape sequences from
    text bound for a file, which would hide them from the user; we escape them instead."""

    def __init__(self):
        self.parts = []

    def write(self, text):
        self.parts.append(text)

    def flush(self):
        pass

    def isatty(self):
        return True

    def getvalue(self):
        return "".join(self.parts)


def _never_fail_to_encode():
    """Last resort: a character the output encoding cannot show is written escaped
    (\\u2202), never an exit 70. Tables choose ASCII glyphs themselves (adcli.term)."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(errors="backslashreplace")
        except (AttributeError, ValueError, OSError):
            pass


class _FdWriter(io.RawIOBase):
    """Standard output's file descriptor, written whole: a short write is continued and a
    full non-blocking pipe is waited for, so no byte is ever dropped silently (Python's
    own stdout drops them under PYTHONUNBUFFERED=1). A failed write is a StreamError
    (exit 74); a reader that went away stays a BrokenPipeError (exit 141)."""

    def __init__(self, fd):
        self._fd = fd

    def writable(self):
        return True

    def fileno(self):
        return self._fd

    def isatty(self):
        return os.isatty(self._fd)

    def write(self, data):
        view = memoryview(data).cast("B")
        done = 0
        while done < len(view):
            try:
                done += os.write(self._fd, view[done:])
            except BlockingIOError:   # a non-blocking pipe is full: wait until it drains
                import select
                select.select([], [self._fd], [])
            except BrokenPipeError:
                raise
            except OSError as e:
                raise StreamError(f"cannot write the output: {e.strerror or e}") from None
        return done


class _ClosedStdout:
    """Standard output when there is none (adcli ... >&-): writing is a StreamError."""
    encoding = "utf-8"
    errors = "strict"

    def write(self, text):
        if text:
            raise StreamError("cannot write the output: standard output is closed")
        return 0

    def flush(self):
        pass

    def isatty(self):
        return False


def _guard_streams():
    """Standard streams that neither crash adcli nor fail silently: stderr closed
    (2>&-) takes messages nowhere and changes no exit code; stdout closed (>&-) or
    failing (a full disk) is a StreamError; stdout on a file descriptor is written whole
    (_FdWriter). Returns a function that puts the original streams back."""
    saved = sys.stdout, sys.stderr
    if sys.stderr is None:
        sys.stderr = open(os.devnull, "w", encoding="utf-8")
    out = sys.stdout
    if out is None:
        sys.stdout = _ClosedStdout()
    elif out is sys.__stdout__:
        try:
            fd = out.fileno()
            out.flush()
        except (AttributeError, OSError, ValueError):
            fd = None
        if fd is not None:
            raw = _FdWriter(fd)
            buffered = isinstance(getattr(out, "buffer", None), io.BufferedWriter)
            sys.stdout = io.TextIOWrapper(io.BufferedWriter(raw) if buffered else raw,
                                          encoding=out.encoding, errors="backslashreplace",
                                          line_buffering=out.line_buffering, write_through=out.write_through)

    def restore():
        sys.stdout, sys.stderr = saved
    return restore


def _silence_stdout():
    """After the reader went away or a write failed: what is still buffered goes to
    /dev/null, so that the exit is quiet."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (AttributeError, OSError, ValueError):
        pass


def _flush_stdout(code):
    """Flush standard output; a failure there is reported like one during the command."""
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        _silence_stdout()
        return code or ExitCode.READER_GONE
    except StreamError as e:
        _silence_stdout()
        error(e.render())
        return code or e.exit_code
    return code


def _raise_on_interrupt():
    """While a command runs, SIGINT raises KeyboardInterrupt (Output holds it back during
    a write), instead of the quiet exit of adcli.__main__ that covers start-up and exit.
    Returns a function that puts the quiet exit back. _signal, not signal: signal's
    import builds its enums (0.6 ms of every start)."""
    import _signal
    try:
        before = _signal.getsignal(_signal.SIGINT)
        if not getattr(before, "adcli_quiet", False):
            return lambda: None
        _signal.signal(_signal.SIGINT, _signal.default_int_handler)
    except (ValueError, OSError):   # not the main thread
        return lambda: None
    return lambda: _signal.signal(_signal.SIGINT, before)


def main(argv=None):
    """Run the command line; the exit code, as a plain int."""
    restore_streams = _guard_streams()
    quiet_again = _raise_on_interrupt()
    try:
        try:
            code = _main(argv)
        except Interrupted:
            code = _interrupted()
        return int(_flush_stdout(code))
    finally:
        quiet_again()
        restore_streams()


def _interrupted():
    try:
        sys.stderr.write("adcli: interrupted\n")
    except (OSError, ValueError):
        pass
    return ExitCode.INTERRUPTED


def _main(argv, failed=None):
    """Run one command line; the exit code. `failed`, if given, sees every error before
    its message is written (the session's JSON records, its carets moved onto the line
    typed)."""
    argv = sys.argv[1:] if argv is None else list(argv)
    _never_fail_to_encode()
    try:
        rv = cli.main(args=argv, prog_name="adcli", standalone_mode=False)
        sys.stdout.flush()
        return rv if isinstance(rv, int) else 0
    except StreamError as e:
        _silence_stdout()
        error(e.render())
        return e.exit_code
    except AdcliError as e:
        if _want_traceback(argv):
            raise
        if failed is not None:
            failed(e)
        error(e.render())
        return e.exit_code
    except (click.exceptions.Abort, Interrupted):
        return _interrupted()
    except click.UsageError as e:
        # In adcli's own style: one line saying what is wrong, then where to read more.
        where = e.ctx.command_path if e.ctx is not None else "adcli"
        hint = getattr(e, "hint", None) or f"try '{where} --help'"   # ExtraArguments has its own
        if failed is not None:
            failed(e)
        error(f"{e.format_message()}\n{hint}")
        return e.exit_code or ExitCode.USAGE
    except click.ClickException as e:
        if failed is not None:
            failed(e)
        buf = _Capture()
        e.show(file=buf)  # click echoes user text verbatim; escape it before it reaches a terminal
        sys.stderr.write(_safe(buf.getvalue().rstrip("\n")) + "\n")
        return e.exit_code if e.exit_code else ExitCode.USAGE
    except KeyboardInterrupt:
        return _interrupted()
    except (BrokenPipeError, ReaderGone):
        # The reader went away (adcli ... | head): stop quietly.
        _silence_stdout()
        return ExitCode.READER_GONE
    except MemoryError:
        # The machine's limit, not a bug: say so in one line (the work is dropped, so
        # there is memory left to say it).
        if _want_traceback(argv):
            raise
        error("out of memory: the job needs more memory than this machine or its limits allow\n"
              "differentiate with respect to fewer variables (--wrt), or give fewer points at once")
        return ExitCode.EVAL
    except Exception as e:  # noqa: BLE001 - the last line of defence: no traceback for users
        if _want_traceback(argv):
            raise
        error(f"internal error: {type(e).__name__}: {e}\n"
              "this is a bug in adcli; rerun with --traceback and report what it prints")
        return ExitCode.INTERNAL


def run():
    sys.exit(main())
