"""`python -m adcli`, and the `adcli` command (the script entry in pyproject.toml).

Ctrl-C is taken care of before anything heavy is imported: until adcli.cli.main() runs
a command (and again once it has finished), SIGINT writes one line and exits 130,
instead of a KeyboardInterrupt traceback from inside click's or typing's import. Only
modules Python has loaded already are used before the handler is in place (`signal`
would import enum). What runs before this module (the interpreter's own start-up, and
the `import re` of pip's script wrapper) is beyond adcli's reach.
"""
import _signal
import os
import sys


def _interrupted(signum, frame):
    try:
        os.write(2, b"adcli: interrupted\n")
    except OSError:
        pass
    os._exit(130)


_interrupted.adcli_quiet = True   # adcli.cli.main() raises KeyboardInterrupt instead while it runs


def quiet_interrupts():
    """SIGINT: one line and exit 130 (adcli.cli.main raises KeyboardInterrupt instead while
    a command runs, and puts this back afterwards)."""
    try:
        _signal.signal(_signal.SIGINT, _interrupted)
    except (ValueError, OSError):   # not the main thread
        pass


def run():
    quiet_interrupts()
    from .cli import main
    sys.exit(main())


if __name__ == "__main__":
    run()
