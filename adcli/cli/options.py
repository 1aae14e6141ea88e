"""Options shared by commands, and the code that prints a result in any format."""
import re
import sys

import click

from .. import __version__
from ..errors import UsageError, warn
from ..render.text import EXPORTS, FORMATS


class ExprCommand(click.Command):
    """Accepts an expression that starts with '-' (such as "-x^2") where click would
    read an option: any word that starts with '-' and is not one of this command's
    options is taken as the expression."""

    def parse_args(self, ctx, args):
        takes_value, flags = set(), set()
        for p in self.get_params(ctx):
            if isinstance(p, click.Option):
                names = set(p.opts) | set(p.secondary_opts)
                (flags if p.is_flag or p.count else takes_value).update(names)
        out, moved, i = [], [], 0
        unknown = {}   # each --word click will not know: whether a positional word came before it
        given = False
        while i < len(args):
            a = args[i]
            if a == "--":
                out.extend(args[i:])
                break
            head = a.split("=", 1)[0]
            if a in takes_value:
                out.extend(args[i:i + 2])
                i += 2
                continue
            if (a.startswith("-") and len(a) > 1 and a not in flags and head not in takes_value
                    and not (a.startswith("--") and a[2:3].isalpha())):
                moved.append(a)
            else:
                if a.startswith("--") and a not in flags and head not in takes_value:
                    unknown.setdefault(head, given or bool(moved))
                given = given or not a.startswith("-")
                out.append(a)
            i += 1
        if moved:
            out = out + ["--"] + moved if "--" not in out else out + moved
        # Extra arguments are refused below, as click would, but with a hint that fits them.
        allow, ctx.allow_extra_args = ctx.allow_extra_args, True
        try:
            rest = super().parse_args(ctx, out)
        except click.NoSuchOption as e:
            # `adcli grad --y` is -(-y) to the user but an option to click: say so, unless
            # the expression came before it (adcli grad x --bogus)
            if not unknown.get(e.option_name, True):
                e.hint = dashed_expr_hint(ctx, e.option_name, any(a.split("=", 1)[0] == "--at" for a in args))
            raise
        finally:
            ctx.allow_extra_args = allow
        if rest and not allow and not ctx.resilient_parsing:
            raise ExtraArguments(ctx, rest, after_dashes="--" in args)
        return rest


class ExtraArguments(click.UsageError):
    """Arguments left over: click's message, and a hint for the usual slip that left them
    (adcli grad "x^2" x=1 forgot --at; adcli grad x + y forgot the quotes)."""

    def __init__(self, ctx, extra, after_dashes=False):
        s = "" if len(extra) == 1 else "s"
        super().__init__(f"Got unexpected extra argument{s} ({' '.join(extra)})", ctx)
        self.hint = extra_hint(ctx, extra, after_dashes)


def _shown(text):
    """text as it can be quoted in a hint, or ... when it cannot be shown as typed."""
    return text if text and len(text) <= 40 and text.isprintable() and '"' not in text else "..."


def dashed_expr_hint(ctx, option, at_given=True):
    """For an unknown option that may be an expression starting with '--' (--y, --x+1):
    the two ways to write it; click's own message still says which option it may be a
    typo of (--pi: did you mean --help?). None (click's hint) for a command without EXPR.
    The point is shown as --at ... where one was given (parse takes one only for vectors)."""
    names = {p.name for p in ctx.command.params}
    if not option.startswith("--") or "expr" not in names:
        return None
    path, shown = ctx.command_path, _shown(option)
    at = " --at ..." if "at" in names and at_given else ""
    return (f"if {shown} is the expression, write it in parentheses, as in {path} \"({shown})\"{at}, "
            f"or last, after --: {path}{at} -- {shown}")


_PAIR = r"[A-Za-z_][A-Za-z0-9_]*="   # compiled on first use, by an error: not at every start


def extra_hint(ctx, extra, after_dashes=False):
    names = {p.name for p in ctx.command.params}
    path = ctx.command_path
    options = {o for p in ctx.command.params for o in getattr(p, "opts", ()) if o.startswith("-")}
    if after_dashes and any(a.split("=", 1)[0] in options for a in extra):
        expr = ctx.params.get("expr")
        return (f"everything after -- is the expression, so options go before it: "
                f"{path} {_shown(' '.join(extra))} -- {_shown(expr)}")
    if "at" in names and all(re.match(_PAIR, a) for a in extra):
        given = list(ctx.params.get("at") or ())
        if given:
            return f"give every value in one --at, pairs separated by commas: --at {','.join(given + extra)}"
        expr = ctx.params.get("expr")
        shown = f'"{expr}"' if expr and len(expr) <= 40 and expr.isprintable() and '"' not in expr else "..."
        return f"give the point with --at: {path} {shown} --at {','.join(extra)}"
    if "expr" in names:
        return ("quote the expression so that the shell passes it as one argument, "
                f"as in {path} \"x + y\" --at x=1,y=2")
    return f"{path} takes no arguments; try '{path} --help'"


EPILOG_EXIT = "Exit codes: 0 success, 1 evaluation failure, 2 usage or parse error."
EPILOG_EXPR = "EXPR as @FILE is read from FILE (UTF-8); as - or @-, from standard input."


def command(name, **kw):
    """A command that accepts an expression starting with '-' and has --version/--help."""
    def deco(f):
        f = click.version_option(__version__, "-V", "--version", prog_name="adcli",
                                 message="%(prog)s %(version)s")(f)
        takes_expr = any(p.name == "expr" for p in getattr(f, "__click_params__", ()))
        epilog = f"{EPILOG_EXPR}\n\n{EPILOG_EXIT}" if takes_expr else EPILOG_EXIT
        return click.command(name, cls=ExprCommand, epilog=epilog,
                             context_settings={"help_option_names": ["-h", "--help"]}, **kw)(f)
    return deco


class ExprText(click.ParamType):
    """EXPR as typed, or read from a file (@FILE) or standard input (@-, or - as other
    commands take it). No expression starts with '@' or is a lone '-', so these cannot be
    confused; a long program cannot pass through argv (the kernel refuses arguments above
    about 128 KB) and a multi-line one is awkward to quote."""
    name = "expr"

    def convert(self, value, param, ctx):
        if ctx is not None and ctx.resilient_parsing:
            return value   # shell completion: read nothing (standard input is the terminal)
        if value == "-":
            return read_expr("-", ctx)
        if not isinstance(value, str) or not value.startswith("@"):
            return value
        return read_expr(value[1:], ctx)


MAX_EXPR = 4 << 20   # bytes of an expression read from @FILE or @- (README, "Errors and exit codes")


def read_expr(path, ctx=None):
    from ..errors import printable
    if not path:
        raise UsageError("'@' needs a file name: give EXPR as @FILE, or @- for standard input")
    try:
        if path == "-":
            if ctx is not None:
                ctx.meta["adcli.expr_from_stdin"] = True
            stream = sys.stdin
            if stream is None:
                raise UsageError("cannot read the expression from standard input: it is closed")
            data = _read_limited(stream.buffer if hasattr(stream, "buffer") else stream)
        else:
            with open(path, "rb") as stream:
                data = _read_limited(stream)
    except ValueError:  # a closed stream
        raise UsageError("cannot read the expression from standard input: it is closed") from None
    except OSError as e:
        where = "standard input" if path == "-" else f"file '{printable(path)}'"
        raise UsageError(f"cannot read the expression {where}: {e.strerror or e}") from None
    if len(data) > MAX_EXPR:
        where = "standard input" if path == "-" else f"'{printable(path)}'"
        raise UsageError(f"the expression in {where} is longer than {MAX_EXPR:,} bytes, the limit for an expression "
                         "(is it the file you meant?)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        where = "standard input" if path == "-" else f"'{printable(path)}'"
        raise UsageError(f"the expression in {where} is not UTF-8 text "
                         f"(byte 0x{data[e.start]:02x} at offset {e.start})") from None
    # Trailing newlines end the file, not the program; positions before them are unchanged.
    return text.rstrip()


def _read_limited(stream):
    """Up to MAX_EXPR + 1 bytes (one more tells that there is more): /dev/zero or a
    mistaken 50 GB file is refused, never read whole."""
    parts, size = [], 0
    while size <= MAX_EXPR:
        data = stream.read(MAX_EXPR + 1 - size)
        if not data:
            break
        if isinstance(data, str):
            data = data.encode("utf-8", errors="surrogateescape")
        parts.append(data)
        size += len(data)
    return b"".join(parts)


def expr_argument(f):
    return click.argument("expr", required=False, type=ExprText())(f)


def point_option(help):
    """--at POINT for a command that runs at one point (trace, graph, plot)."""
    return click.option("--at", "at", multiple=True, metavar="POINT", help=help)


def at_option(f):
    return point_option("The point: x=3,y=2 (repeatable; values may be constant expressions such "
                        "as pi/4; a vector is x=[1,2,3] or x=@FILE, a whole point @FILE.json). In a "
                        "batch: values for the variables a line or row does not give.")(f)


class FormatChoice(click.Choice):
    """--format's choices, the same names in every command: `text` is the default output
    for reading (a table, a drawing, a listing). Old names still work as aliases, neither
    listed nor completed: `table` (every command), `ascii` (graph). `internal` maps a
    choice to the name the command's code uses (the renderers call text `table`)."""

    def __init__(self, choices, aliases=None, internal=None):
        super().__init__(choices)
        self.aliases = {"table": "text", **(aliases or {})}
        self.internal = internal or {}

    def convert(self, value, param, ctx):
        value = super().convert(self.aliases.get(value, value), param, ctx)
        return self.internal.get(value, value)


def format_option(choices, help, aliases=None, internal=None):
    return click.option("--format", "fmt", type=FormatChoice(choices, aliases, internal), default=choices[0],
                        show_default=True, help=help)


def format_options(f, exports=False):
    """--format and --precision; `exports`: also latex and markdown, for a command whose
    results adcli.render.tables builds (the exports write those tables)."""
    f = click.option("--precision", type=click.IntRange(1, 17), default=None, metavar="N",
                     help="Significant digits in text and plain output (default: all that "
                          "round-trip). Never applied to JSON or CSV.")(f)
    choices = ["text" if name == "table" else name for name in FORMATS + (EXPORTS if exports else ())]
    f = format_option(choices, "Output format. text is a table for reading; json and csv are for programs; "
                               "plain is one value a line" +
                               ("; latex and markdown are tables for lecture notes." if exports else "."),
                      internal={"text": "table"})(f)
    return f


def export_format_options(f):
    """format_options with latex and markdown."""
    return format_options(f, exports=True)


def mode_option(f):
    return click.option("--mode", type=click.Choice(["auto", "forward", "reverse"]), default="auto",
                        show_default=True,
                        help="AD mode. auto takes the one needing fewer sweeps: reverse when there are "
                             "fewer outputs than variables.")(f)


def wrt_option(f):
    return click.option("--wrt", metavar="VARS", multiple=True, callback=_wrt_names,
                        help="Variables to differentiate with respect to, as x,y (default: all, "
                             "in order of first appearance). Repeats merge: --wrt x --wrt y is x,y.")(f)


def one_var_option(help):
    """--wrt for a command that works along one variable (taylor, trace, plot)."""
    return click.option("--wrt", metavar="VAR", multiple=True, callback=_one_var, help=help)


def dir_option(help, required=False):
    """--dir POINT; repeats merge as --at's do (x=1 --dir y=2 is x=1,y=2)."""
    return click.option("--dir", "direction", metavar="DIR", multiple=True, required=required,
                        callback=_direction, help=help + " Repeats merge: --dir x=1 --dir y=2 is x=1,y=2.")


def cotangent_option(f):
    return click.option("--cotangent", metavar="U", multiple=True, callback=_cotangent,
                        help="The cotangent u, one number per output, as 1,0 (default 1 for one "
                             "output). Repeats concatenate in order: --cotangent 1 --cotangent 0 "
                             "is 1,0.")(f)


# Click keeps only the last value of a repeated single-valued option, silently; these
# options are declared multiple=True so that repeats merge (or are refused) instead.

def _wrt_names(ctx, param, values):
    from ..language.point import split_top
    names = []
    for text in values:
        for offset, piece in split_top(text):
            name = piece.strip()
            if not name:
                continue
            if name in names:
                raise UsageError(f"--wrt names '{name}' twice", text,
                                 offset + len(piece) - len(piece.lstrip()))
            names.append(name)
    return names or None


def _one_var(ctx, param, values):
    names = [v.strip() for v in values if v.strip()]
    if not names:
        return None
    hint = ("to move along several variables at once, give a direction with --dir x=1,y=1"
            if any(p.name == "direction" for p in ctx.command.params) else None)
    if len(names) > 1 or "," in names[0]:
        shown = ", ".join(names)
        raise UsageError(f"{ctx.command.name} takes one variable with --wrt, got {shown}", hint=hint)
    return names[0]


def _direction(ctx, param, values):
    if not values:
        return None
    from ..language.point import parse_point
    try:
        return parse_point(values)
    except UsageError as e:
        e.message = f"--dir: {e.message}"
        raise


def _cotangent(ctx, param, values):
    """The numbers of every --cotangent, in order. Concatenated rather than refused:
    a cotangent is a list with no names that could clash, and its length is checked
    against the number of outputs, so a stray repeat cannot pass unnoticed."""
    if not values:
        return None
    from ..language.point import constant_value, split_top
    out = []
    for text in values:
        for offset, piece in split_top(text):
            if not piece.strip():
                raise UsageError("empty entry in the cotangent: give numbers separated by commas, "
                                 "as in 1,0", text, offset)
            out.append(constant_value(piece, text, offset))
    return out


def explain_option(f):
    return click.option("--explain", is_flag=True,
                        help="Also show how the expression was read (fully parenthesized) and "
                             "which AD mode ran and why.")(f)


def _data_option(ctx, param, value):
    """The options of large data sets (--input-format, --output, --delimiter, --engine,
    --scheduler) go to ctx.meta rather than to every command's parameters: only the
    batch wiring reads them."""
    if value is not None:
        ctx.meta.setdefault("adcli.data", {})[param.name] = value
    return value


DELIMITERS = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";", "space": " ", "pipe": "|"}


def _delimiter(ctx, param, value):
    if value is None:
        return None
    d = DELIMITERS.get(value.lower(), value)
    if len(d) != 1 or d in "\"\r\n" or d.isalnum() or d in ".-+":
        from ..errors import printable
        raise click.BadParameter(f"'{printable(value)}' cannot separate cells: give one character such as "
                                 f"';' or '|', or tab", ctx, param)
    return _data_option(ctx, param, d)


def batch_options(f):
    """-f FILE, --points CSV and --strict: run the command on many jobs (adcli.batch);
    the options of large data sets (README, "Large data")."""
    f = click.option("--scheduler", metavar="ADDRESS", expose_value=False, callback=_data_option,
                     help="With --engine dask: the address of a running Dask scheduler "
                          "(tcp://host:8786); without it a local cluster is started.")(f)
    f = click.option("--engine", type=click.Choice(["local", "dask"]), expose_value=False,
                     callback=_data_option,
                     help="With --points: run here (local, the default) or on Dask, each partition of "
                          "the data set on a worker, writing a Parquet data set to --output DIR "
                          "(pip install \"adcli[dask]\").")(f)
    f = click.option("--delimiter", metavar="CHAR", expose_value=False, callback=_delimiter,
                     help="With --points CSV: the character between cells (';', '|', 'tab'; default ','), "
                          "used for CSV output too.")(f)
    f = click.option("-o", "--output", metavar="FILE", expose_value=False, callback=_data_option,
                     help="In a batch: write the results to FILE, in the format its extension names "
                          "(.csv, .jsonl, .parquet, .arrow; others take --format).")(f)
    f = click.option("--input-format", type=click.Choice(["csv", "parquet", "arrow"]), expose_value=False,
                     callback=_data_option,
                     help="With --points: the format of the file (default: by its extension or its "
                          "first bytes; a directory or glob is a Parquet data set).")(f)
    f = click.option("--strict", is_flag=True,
                     help="With -f or --points: stop at the first line that fails (exit 1).")(f)
    f = click.option("--points", metavar="FILE",
                     help="Run EXPR at every row of a CSV file whose header names the variables "
                          "('-' reads standard input), or of a Parquet or Arrow file, directory or "
                          "glob. Extra columns are carried through.")(f)
    f = click.option("-f", "--file", "job_file", metavar="FILE",
                     help="Run the jobs in FILE, one 'EXPR @ POINT' per line ('-' reads standard "
                          "input, as does a missing EXPR when standard input is not a terminal).")(f)
    return f


def batch(command, expr, job_file, points, strict, fmt, precision, at, explain=False, **options):
    """The exit code of a batch run, or None when the command runs on one point.
    options are the command's own (wrt=, mode=, ...), passed to its job function."""
    data = click.get_current_context().meta.get("adcli.data", {})
    if job_file is None and points is None:
        if expr is not None or not _stdin_has_jobs():
            if strict:
                raise UsageError("--strict applies to -f FILE and --points CSV")
            if data:
                name = next(iter(data)).replace("_", "-")
                raise UsageError(f"--{name} applies to a batch (--points FILE or -f FILE)")
            return None
    if fmt in EXPORTS:
        raise UsageError(f"--format {fmt} writes one result for lecture notes, not a batch",
                         hint="give one point with --at; batches take text, json, csv or plain")
    if "-" in (job_file, points) and click.get_current_context().meta.get("adcli.expr_from_stdin"):
        raise UsageError(f"standard input holds the expression (@-), so it cannot also hold the "
                         f"{'job lines' if job_file == '-' else 'points'}",
                         hint="give the expression as @FILE, or the points or jobs in a file")
    if explain:
        raise UsageError("--explain works on one point, not on a batch")
    from .batchrun import main
    return main(command, expr, job_file, points, strict, fmt, precision, at, options, data)


def _stdin_has_jobs():
    """Standard input can hold job lines: it is open, readable and not a terminal."""
    try:
        return sys.stdin is not None and sys.stdin.readable() and not sys.stdin.isatty()
    except (AttributeError, ValueError, OSError):
        return False


def warn_unused(program, point, wrt=()):
    case_slips(program, point, wrt)
    inputs, wrt = program.input_index, set(wrt or ())  # dict and set: linear in the names
    warned = set()
    for name in point:
        if name not in inputs and name not in wrt:
            base = name.partition("[")[0]   # a vector's elements x[1], x[2], ...: one warning for x
            if base in warned:
                continue
            warned.add(base)
            warn(f"'{base}' has a value but does not appear in the expression")


def case_slips(program, point, named=(), skip=None):
    """A variable without a value, or a name given by --wrt or --dir that is not in the
    expression, that differs only in case from one that is (x in the expression, --at X=1):
    the error says so, rather than 'no value for x' beside a warning that X is unused."""
    from ..errors import EvalError
    from ..numtext import number
    inputs = program.input_index   # a dict: linear in the number of names
    given = [n for n in point if n not in inputs]
    for v in (program.inputs if given else ()):
        if v == skip or v in point:
            continue
        for n in given:
            if n.lower() == v.lower():
                value = number(point[n])
                raise EvalError(f"no value for variable {v}: the point gives {n}, and names are case-sensitive",
                                hint=f"write {v}={value} instead of {n}={value}")
    ctx = click.get_current_context(silent=True)
    wrt = (ctx.params.get("wrt") if ctx is not None else None) or ()
    wrt = [wrt] if isinstance(wrt, str) else wrt     # taylor's one variable, or grad's list
    for w in named or ():
        if w in inputs or w in point:
            continue
        for v in program.inputs:
            if v.lower() == w.lower():
                if w in wrt:
                    raise UsageError(f"cannot differentiate with respect to '{w}': the expression has "
                                     f"{v}, and names are case-sensitive", hint=f"write --wrt {v}")
                raise UsageError(f"the direction names '{w}': the expression has {v}, and names are "
                                 "case-sensitive", hint=f"write --dir {v}=...")


def read_as(f):
    """--explain's first line: the expression fully parenthesized, as adcli read it."""
    from ..language.syntax import parenthesize, parse
    return f"read as: {parenthesize(parse(f.expr))}"


def emit(result, fmt, precision, explain_lines=None):
    """Warnings to stderr, then the result in its format (the renderers choose by type)."""
    for w in result.warnings:
        warn(w)
    if fmt == "table":
        from ..render.tables import print_result
        print_result(result, precision, explain_lines)
    elif fmt in EXPORTS:
        from ..render.export import write_result
        write_result(result, fmt, precision)
    else:
        from ..render import text
        if fmt == "plain":
            text.write_plain(result, precision)
        else:
            getattr(text, f"write_{fmt}")(result)
    if explain_lines and fmt != "table":
        for line in explain_lines:
            sys.stderr.write(line + "\n")
