"""What every command shares: error handling, the --app option, loading and selecting stacks."""

from __future__ import annotations

import fnmatch
import functools
import sys
import traceback
from collections.abc import Callable
from typing import Any

import click

from iac.cli.report import format_error, use_color
from iac.errors import AppError, IacError, UsageError
from iac.synth import CloudAssembly, StackArtifact, synthesize

EXIT_OK, EXIT_VALIDATION, EXIT_USAGE = 0, 1, 2


def handle_errors(command: Callable[..., Any]) -> Callable[..., Any]:
    """Turn IacErrors into a one-screen message and exit status; --debug adds the traceback."""

    @functools.wraps(command)
    def wrapper(*args: Any, debug: bool = False, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except IacError as error:
            if debug:
                traceback.print_exception(error.original if isinstance(error, AppError) else error)
            click.echo(format_error(error, color=use_color(sys.stderr)), err=True)
            sys.exit(error.exit_status)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise
        except Exception as error:  # a bug in iac: say so, briefly, unless --debug
            if debug:
                raise
            click.echo(
                f"internal error in iac: {type(error).__name__}: {error}\n"
                "This is a bug in iac. Run again with --debug for the traceback and report it.",
                err=True,
            )
            sys.exit(EXIT_VALIDATION)

    return click.option("--debug", is_flag=True, help="Show full Python tracebacks.")(wrapper)


app_option = click.option(
    "--app", "app_spec", metavar="FILE|MODULE:ATTR",
    help="The app to run (default: [tool.iac] app in pyproject.toml, else ./app.py).",
)


def assembly_of(app: Any, format_: str) -> CloudAssembly:
    captured = app.captured_assembly
    if captured is not None and all(a.format == format_ for a in captured.stacks):
        return captured
    return synthesize(app, format=format_)


def select_stacks(assembly: CloudAssembly, patterns: tuple[str, ...]) -> list[StackArtifact]:
    """Stacks matching any of `patterns` (names or globs); all stacks when there are none."""
    if not patterns:
        return list(assembly.stacks)
    selected: list[StackArtifact] = []
    for pattern in patterns:
        matches = [
            a for a in assembly.stacks
            if fnmatch.fnmatchcase(a.name, pattern) or fnmatch.fnmatchcase(a.stack_name, pattern)
        ]
        if not matches:
            known = ", ".join(a.name for a in assembly.stacks) or "none"
            raise UsageError(f"no stack matches {pattern!r} (stacks: {known})")
        selected.extend(a for a in matches if a not in selected)
    return selected
