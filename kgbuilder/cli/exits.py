"""How a command ends: kgbuilder's own errors as ``Error:`` lines and exit code 1, a reader that
closed the pipe, SIGTERM, Ctrl-C. No click here (it prints through :func:`.output.echo`, which
loads it only to print), so that the click-free front door of a plain ``kgbuilder query``
(:mod:`kgbuilder.cli.plain`) ends its commands in the very same way as click's do."""
from __future__ import annotations

import functools
import sys

from ..errors import KGBuilderError
from .output import echo

__all__ = ["fail", "handle_errors", "exit_on_sigterm", "as_click_ends"]


def fail(exc: KGBuilderError) -> None:
    """Print ``exc`` as one ``Error:`` line per problem and exit 1."""
    for line in exc.lines():
        echo(f"Error: {line}", err=True)
    sys.exit(1)


def handle_errors(fn):
    """Turn kgbuilder's own errors into one `Error:` line each and exit 1."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except KGBuilderError as exc:
            fail(exc)
        except BrokenPipeError:
            sys.exit(0)

    return wrapper


def exit_on_sigterm() -> None:
    """SIGTERM unwinds like Ctrl-C, so an interrupted write removes its temp file."""
    try:
        import _signal as signal    # the C module, loaded at startup: ``signal`` wraps it in enums (~1 ms)
    except ImportError:             # pragma: no cover - another Python
        import signal

    if signal.getsignal(signal.SIGTERM) == signal.SIG_DFL:
        try:
            signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
        except ValueError:          # not the main thread (a test's runner): its process is not ours
            pass


def as_click_ends(fn, *args, **kwargs) -> None:
    """Run a command's body as click's ``main`` runs a command (standalone mode), for a command
    line that click did not parse: Ctrl-C (or end of input) prints ``Aborted!`` and exits 1, a
    closed stdout exits 1 without a word (click's PacifyFlushWrapper: the flush at exit must
    not complain either), and a normal end exits 0. tests/test_plain_query.py runs both
    doors over the same command lines and compares what they print and their exit codes."""
    import errno

    try:
        fn(*args, **kwargs)
    except (EOFError, KeyboardInterrupt):
        echo("", err=True)      # click's blank line, which closes the terminal's ^C echo
        echo("Aborted!", err=True)
        sys.exit(1)
    except OSError as exc:
        if exc.errno != errno.EPIPE:
            raise
        from click import utils     # click's own wrapper, as its main uses it (renamed in 8.2)

        quiet = getattr(utils, "_PacifyFlushWrapper", None) or utils.PacifyFlushWrapper
        sys.stdout = quiet(sys.stdout)
        sys.stderr = quiet(sys.stderr)
        sys.exit(1)
    sys.exit(0)
