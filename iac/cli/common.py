"""What every command shares: error handling, the --app option, loading the app (selecting its stacks: selection.py)."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import click

from iac.cli.app_loader import discover_app_spec, load_app
from iac.cli.report import format_error, use_color
from iac.cli.terminal import guarded_terminal
from iac.constructs.core.app import App
from iac.errors import AppError, IacError
from iac.interrupts import interrupts_redelivered
from iac.synth.phases import APP_LOAD, SYNTHESIS, Phases

if TYPE_CHECKING:
    from iac.synth import CloudAssembly

EXIT_OK, EXIT_VALIDATION, EXIT_USAGE = 0, 1, 2
#: 128 + SIGINT, as a shell reports a command stopped by Ctrl-C.
EXIT_INTERRUPTED = 130


def handle_errors(command: Callable[..., Any]) -> Callable[..., Any]:
    """Turn IacErrors into a one-screen message and exit status; --debug adds the traceback.

    The whole command runs with a guarded terminal: no control character from user data reaches it.
    """

    @functools.wraps(command)
    def wrapper(*args: Any, debug: bool = False, **kwargs: Any) -> Any:
        try:
            with interrupts_redelivered():  # a Ctrl-C that lands in a finalizer is not lost
                return command(*args, **kwargs)
        except IacError as error:
            if debug:
                import traceback  # for an error's frames only: not imported on every start

                traceback.print_exception(error.original if isinstance(error, AppError) else error)
            click.echo(format_error(error, color=use_color(sys.stderr)), err=True)
            sys.exit(error.exit_status)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise
        except KeyboardInterrupt:  # Ctrl-C: nothing was written (the assembly swaps in whole or not at all)
            click.echo("interrupted", err=True)
            sys.exit(EXIT_INTERRUPTED)
        except BrokenPipeError:  # `iac ... | head`: the reader left; stop quietly
            _silence_stdout()
            sys.exit(EXIT_VALIDATION)
        except Exception as error:  # a bug in iac: say so, briefly, unless --debug
            if debug:
                raise
            click.echo(
                f"internal error in iac: {type(error).__name__}: {error}\n"
                "This is a bug in iac. Run again with --debug for the traceback and report it.",
                err=True,
            )
            sys.exit(EXIT_VALIDATION)

    @functools.wraps(command)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        with guarded_terminal():
            return wrapper(*args, **kwargs)

    return click.option("--debug", is_flag=True, help="Show full Python tracebacks.")(guarded)


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so flushing it at exit does not raise a second BrokenPipeError."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # pragma: no cover - stdout without a file descriptor
        pass


app_option = click.option(
    "--app", "app_spec", metavar="FILE|MODULE:ATTR",
    help="The app to run (default: [tool.iac] app in pyproject.toml, else ./app.py).",
)


def assembly_of(app: Any, format_: str) -> CloudAssembly:
    captured = app.captured_assembly
    if captured is not None and all(a.format == format_ for a in captured.stacks):
        return captured
    from iac.synth import synthesize

    return synthesize(app, format=format_)


def load_assembly(app_spec: str | None, format_: str | None, phases: Phases) -> tuple[App, CloudAssembly]:
    """Find and run the app, then synthesize it (no validation); `phases` gets both times.

    An app that calls `app.synth()` is synthesized while it runs: that time counts as synthesis.
    """
    spec = discover_app_spec(app_spec)
    phases.note(APP_LOAD, spec)
    with phases.phase(APP_LOAD):
        app = load_app(spec)
    captured = app.captured_assembly
    if captured is not None:
        seconds = captured.seconds.get(SYNTHESIS, 0.0)
        phases.add(APP_LOAD, -seconds)
        phases.add(SYNTHESIS, seconds)
    phases.started(SYNTHESIS)
    assembly = assembly_of(app, format_ or app.format)
    if assembly is not captured:
        phases.add(SYNTHESIS, assembly.seconds.get(SYNTHESIS, 0.0))
    return app, assembly

