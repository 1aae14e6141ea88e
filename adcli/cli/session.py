"""What a line typed in a session means, and the state it keeps: definitions, the current
point and the last expression. Every result is printed by the command itself, run through
the command line's own entry (adcli.cli._main), so a session prints exactly what the
command prints and reports errors in the same words.

A line is one of:
    :help  :vars  :clear  :quit           session commands
    a = x + y    sq(t) = t*t              a definition, kept as program text
    at x=3, y=2                           the current point
    grad (x+y)*(x-y) --wrt x              any command of the command table, without 'adcli'
    (x+y)*(x-y) @ x=3,y=2                 an expression (and a point): what 'grad' prints

Definitions are program text put in front of every later expression that uses them
(directly or through another definition), so that whatever the language can bind (let
names today, functions when it has them) works in a session without a second copy of its
rules here.
"""
import re
import shlex

from ..errors import AdcliError, ExitCode, UsageError, error

NAME = re.compile(r"(?<![\w.])[A-Za-z_][A-Za-z0-9_]*")
DEFINITION = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_]*)\s*(\([^()]*\))?\s*=(?!=)")
META = {":help": "this help", ":vars": "definitions, the current point and the last expression",
        ":clear": "forget them all", ":quit": "end the session (also Ctrl-D)"}
# Commands that draw f along one variable: the current point gives the others only.
ALONG_ONE = {"plot"}
# Ends of a word after which a word is part of an expression, not an option's name.
OPERATOR_END = tuple("+-*/^,(=@;")


def commands():
    """The command line's commands, from its one table, except the session itself."""
    from . import COMMANDS
    return {name: help_ for name, (_, _, help_) in COMMANDS.items() if name != "repl"}


def command_object(name):
    from . import cli
    return cli.get_command(None, name)


def option_names(cmd):
    """(options taking a value, flags) of a click command, by every name they have."""
    import click
    takes, flags = {}, {}
    for p in cmd.params:
        if isinstance(p, click.Option):
            for opt in list(p.opts) + list(p.secondary_opts):
                (flags if p.is_flag or p.count else takes)[opt] = p
    return takes, flags


def strip_comment(text):
    return text.split("#", 1)[0]


def split_point(text):
    """(expression, point text or None) at the first '@', as in a job line."""
    expr, at_sign, point = text.partition("@")
    return (expr, point) if at_sign else (text, None)


class Session:
    def __init__(self, fmt="text"):
        self.fmt = fmt
        self.definitions = {}   # name -> its program text, 'a = x + y', in the order defined
        self.point = {}         # the current point
        self.last = None        # the last expression run
        self.line = 0
        self.failures = 0

    # ---- the program text in front of an expression

    def prelude(self, text, defining=None):
        """'a = x + y; b = a*a; ' for the definitions `text` uses, directly or through each
        other, each after those it uses. `defining`: the name `text` is about to define,
        which it may not use, even through another definition."""
        defs = dict(self.definitions)
        defs.pop(defining, None)
        want = [n for n in NAME.findall(strip_comment(text)) if n in defs]
        order, state = [], {}
        stack = [(n, False) for n in reversed(want)]
        while stack:          # depth-first, by hand: dependencies first, cycles refused
            name, done = stack.pop()
            if done:
                state[name] = 2
                order.append(name)
                continue
            if state.get(name) == 2:
                continue
            if state.get(name) == 1:
                raise UsageError(f"'{name}' is defined in terms of itself",
                                 hint=f"redefine '{name}' without it, or :clear")
            state[name] = 1
            stack.append((name, True))
            body = defs[name].split("=", 1)[1]
            params = set()
            head = defs[name].split("=", 1)[0]
            if "(" in head:   # a function's parameters are its own, not definitions
                params = set(NAME.findall(head.split("(", 1)[1]))
            for dep in reversed(NAME.findall(strip_comment(body))):
                if dep == defining and dep not in params:
                    raise UsageError(f"'{defining}' would be defined in terms of itself, through '{name}'",
                                     hint=f"{self.definitions[name]}; a name can be bound once")
                if dep in defs and dep not in params and state.get(dep) != 2:
                    stack.append((dep, False))
        return "".join(defs[n] + "; " for n in order)

    # ---- one line

    def handle(self, text, run):
        """Do what the line says; run(argv, failed) runs a command line and returns its
        exit code. Returns False when the session should end."""
        self.line += 1
        self.text = text
        stripped = text.strip()
        if not stripped or stripped.startswith("#"):
            return True
        try:
            if stripped.startswith(":"):
                return self.meta(stripped)
            m = DEFINITION.match(text)
            if m and ";" not in text and "@" not in text and "\n" not in text.strip():
                self.define(text, m)
                return True
            word, _, rest = stripped.partition(" ")
            if word == "at" and (not rest.strip() or "=" in rest):
                self.set_point(text, rest)
                return True
            if word in commands():
                return self.command(word, text[text.index(word) + len(word):], run)
            if word == "repl":
                raise UsageError("this is a session already", hint="type :help to see what it takes")
            return self.command("grad", text, run)
        except AdcliError as e:
            self.fail(e, text)
            return True

    def fail(self, e, text):
        self.failures += 1
        if self.fmt == "json":
            self.json_error(e)
        error(e.render())

    def json_error(self, e):
        """The error record of the line, as a job file's: its column counted in the line
        typed (the error's own is counted in the part of it that was read)."""
        import sys

        from ..batch.records import Failure
        from ..render.text import dumps
        text, source = self.text, getattr(e, "source", None)
        offset = text.find(source) if source and source in text else 0
        sys.stdout.write(dumps(Failure(self.line, text, e, offset).record()) + "\n")

    def say(self, record, lines):
        """A session command's answer: JSON, or text lines."""
        import sys
        if self.fmt == "json":
            from ..render.text import dumps
            sys.stdout.write(dumps(record) + "\n")
        else:
            from ..errors import printable
            sys.stdout.write("".join(printable(line) + "\n" for line in lines))

    # ---- session commands

    def meta(self, text):
        word = text.split()[0]
        if word in (":quit", ":q", ":exit"):
            return False
        if word == ":help":
            self.say({"help": help_text()}, help_text().splitlines())
        elif word == ":vars":
            from ..numtext import number
            at = ", ".join(f"{k} = {number(v)}" for k, v in self.point.items())
            lines = [d for d in self.definitions.values()]
            lines.append(f"at {at}" if at else "no current point (set one: at x=3, y=2)")
            if self.last is not None:
                lines.append(f"last expression: {self.last}")
            from ..numtext import json_number
            self.say({"definitions": {k: v for k, v in self.definitions.items()},
                      "at": {k: json_number(v) for k, v in self.point.items()}, "last": self.last}, lines)
        elif word == ":clear":
            self.definitions.clear()
            self.point.clear()
            self.last = None
            self.say({"cleared": True}, ["definitions, point and last expression cleared"])
        else:
            import difflib
            close = difflib.get_close_matches(word, list(META) + [":q", ":exit"], n=1)
            raise UsageError(f"no session command '{word}'",
                             hint=f"did you mean {close[0]}?" if close else "type :help")
        return True

    def define(self, text, m):
        """Keep `name = ...` (or `name(params) = ...`) after checking that the language
        reads it in front of a use of the name."""
        name = m.group(1)
        definition = strip_comment(text).strip()   # a comment would hide what follows it
        lead = len(text) - len(text.lstrip())
        if name in commands() or name == "at":
            raise UsageError(f"'{name}' is a command; choose another name", text, lead)
        from ..api import parse
        from ..language.syntax import parse as read
        try:      # the definition alone first, so that a slip in it is shown where it is
            read(definition)
        except AdcliError as e:
            if "only defines" not in e.message:
                _move(e, definition, text, -lead)
                raise
        use = name if m.group(2) is None else f"{name}({', '.join('0' for _ in _params(m.group(2)))})"
        prelude = self.prelude(definition.split("=", 1)[1], defining=name)
        program = f"{prelude}{definition}; {use}"
        try:      # then with what it uses in front: unknown functions, arities
            parse(program)
        except AdcliError as e:
            _move(e, program, text, len(prelude) - lead)
            raise
        self.definitions.pop(name, None)
        self.definitions[name] = definition
        self.say({"defined": name, "text": definition}, [])

    def set_point(self, text, rest):
        from ..language.point import parse_point
        if rest.strip():
            start = text.index(rest)
            try:
                given = parse_point([rest])
            except AdcliError as e:
                _move(e, rest, text, -start)
                raise
            self.point.update(given)
        from ..numtext import json_number, number
        at = ", ".join(f"{k} = {number(v)}" for k, v in self.point.items())
        self.say({"at": {k: json_number(v) for k, v in self.point.items()}},
                 [f"at {at}" if at else "no current point (set one: at x=3, y=2)"])

    # ---- commands

    def command(self, name, rest, run):
        """Run `adcli NAME ...` with the session's definitions, point and last expression."""
        cmd = command_object(name)
        takes, flags = option_names(cmd)
        try:
            words = shlex.split(rest, posix=True)
        except ValueError as e:
            raise UsageError(f"cannot split the line into words: {e}") from None
        options, expr_words, point_texts, fmt_given = [], [], [], False
        i = 0
        while i < len(words):
            w = words[i]
            head = w.split("=", 1)[0]
            bare = f"--{w}"
            if not w.startswith("-") and bare in takes and i + 1 < len(words) and _a_value(words[i + 1]) \
                    and not (expr_words and expr_words[-1].endswith(OPERATOR_END)):
                w, head = bare, bare     # `taylor sin(x) order 5`: an option without its dashes
            if head in takes and head != w:
                value = w.split("=", 1)[1]
                i += 1
            elif w in takes:
                if i + 1 >= len(words):
                    raise UsageError(f"option {w} needs a value")
                value = words[i + 1]
                i += 2
            elif w in flags:
                options.append(w)
                i += 1
                continue
            else:
                expr_words.append(w)
                i += 1
                continue
            if takes[head].name == "at":
                point_texts.append(value)
                continue
            if takes[head].name == "fmt":
                fmt_given = True
            options += [head, value]
        takes_expr = any(p.name == "expr" for p in cmd.params)
        expr = " ".join(expr_words)
        if takes_expr:
            expr, point_text = split_point(expr)
            if point_text is not None:
                point_texts.append(point_text)
        expr = expr.strip()
        if takes_expr and not expr and ("-f" in options or "--file" in options):
            takes_expr = False     # a job file holds its own expressions
        if takes_expr and not expr:
            if self.last is None:
                raise UsageError("no expression yet: type one, as in (x+y)*(x-y) @ x=3,y=2")
            expr = self.last
        if point_texts:
            from ..language.point import parse_point
            self.point.update(parse_point(point_texts))
        argv = [name]
        if self.fmt == "json" and not fmt_given and "--format" in takes:
            choices = getattr(takes["--format"].type, "choices", ())
            if "json" in choices:
                argv += ["--format", "json"]
        argv += options
        if not takes_expr:
            # a command with arguments of its own (a model and a data file, say): as typed
            return self._run(run, argv + (["--"] + expr_words if expr_words else []), None, None)
        prelude = self.prelude(expr)
        program = prelude + expr
        inputs = self._inputs(program)
        if inputs is not None:
            self.last = expr      # an expression that reads is the one later lines reuse
            if "at" in {p.name for p in cmd.params}:
                at = self._point_for(name, inputs, options)
                if at:
                    argv += ["--at", at]
        argv += ["--", program]
        return self._run(run, argv, prelude, expr)

    @staticmethod
    def _inputs(program):
        """The program's variables, or None if it does not read (the command says why)."""
        try:
            from ..api import parse
            return parse(program).inputs
        except AdcliError:
            return None

    def _point_for(self, name, inputs, options):
        """The current point as --at text, for the variables the program has (a value
        for a name it lacks would only earn a warning)."""
        skip = set()
        if name in ALONG_ONE:
            wrt = [options[i + 1] for i in range(len(options) - 1) if options[i] == "--wrt"]
            skip = {wrt[-1] if wrt else (inputs[0] if inputs else None)}
        # a name in another case stays, for the command's hint that names are case-sensitive
        folded = {v.lower() for v in inputs}
        return ",".join(f"{k}={v!r}" for k, v in self.point.items()
                        if (k in inputs or k.lower() in folded) and k not in skip)

    def _run(self, run, argv, prelude, expr):
        def failed(e):
            if isinstance(e, AdcliError) and prelude is not None and e.source == prelude + expr:
                _move(e, e.source, expr, len(prelude))
            if self.fmt == "json":
                self.json_error(e)
        if run(argv, failed) != ExitCode.OK:
            self.failures += 1
        return True


def _a_value(word):
    """A word that can be an option's value: not an operator that would continue an
    expression (`order * 2` multiplies a variable called order)."""
    return word != "-" and not word.startswith(tuple("*/^+,)=@"))


def _params(text):
    inner = text.strip()[1:-1]
    return [p for p in inner.split(",") if p.strip()]


def _move(e, source, shown, shift):
    """An error in `source` (the program with the definitions in front) told against
    `shown` (what was typed): the caret moves by `shift`, or goes when it points into
    the definitions."""
    if e.source != source or e.pos is None:
        return
    pos = e.pos - shift
    if 0 <= pos <= len(shown):
        e.source, e.pos = shown, pos
    else:
        e.source, e.pos = source, e.pos


def help_text():
    rows = [("EXPR @ x=3, y=2", "what 'adcli grad' prints; the point becomes the current point"),
            ("EXPR", "the same at the current point"),
            ("a = x + y", "a definition, used by every later line that names it"),
            ("at x=3, y=2", "set the current point ('at' alone shows it)"),
            ("COMMAND [EXPR] [options]", "any adcli command without 'adcli': it takes the last expression and "
                                         "the current point when they are left out")]
    rows += [(k, v) for k, v in META.items()]
    width = max(len(k) for k, _ in rows)
    lines = [f"  {k.ljust(width)}  {v}" for k, v in rows]
    lines.append("commands:")
    cmds = commands()
    cw = max(len(k) for k in cmds)
    lines += [f"  {k.ljust(cw)}  {v}" for k, v in cmds.items()]
    lines.append("options as on the command line (taylor sin(x) --order 8, or order 8); 'COMMAND --help' "
                 "for more; Tab completes")
    return "\n".join(lines)
