"""What a command tells about its own run on stderr: the progress line (progress.py), and with --verbose
the time each phase took.

Progress shows only when stderr is a terminal (never in a pipe, a log or CI output) and is erased
when the run ends; timings print whenever --verbose is given, also when the run fails.

    timing (iac synth):
      app load               0.24s  app.py
      synthesis              0.01s
      schema validation      0.00s
      lint                   0.93s  2 stacks linted
      write                  0.00s
      total                  1.19s
"""

from __future__ import annotations

import contextlib
import sys
import time
from collections.abc import Iterator
from typing import Any

import click

from iac.cli.progress import ProgressLine, is_terminal
from iac.synth.phases import Phases


def verbose_option(phases: str) -> Any:
    """The --verbose option of a command whose phases are `phases` (for the help text)."""
    return click.option("--verbose", "-v", is_flag=True,
                        help=f"Print the time each phase took ({phases}) to stderr.")


@contextlib.contextmanager
def watched_run(command: str, *, verbose: bool, quiet: bool = False, unit: str = "stack") -> Iterator[Phases]:
    """Phases for one command run: the progress line on a terminal (unless quiet; progress.py, counting
    `unit`s), timings at the end if verbose."""
    started = time.perf_counter()
    stream = sys.stderr
    progress = ProgressLine(stream, command, unit=unit) if not quiet and is_terminal(stream) else None
    phases = Phases(on_progress=progress, on_phase=progress.phase_started if progress else None)
    try:
        with progress.around() if progress is not None else contextlib.nullcontext():
            yield phases
    finally:
        if progress is not None:
            progress.clear()
        if verbose:
            click.echo(format_timings(phases, time.perf_counter() - started, f"timing (iac {command}):"), err=True)


def format_timings(phases: Phases, total: float, header: str) -> str:
    width = max([len(name) for name in phases.seconds] + [len("total")]) + 2
    lines = [header]
    for name, seconds in phases.seconds.items():
        note = phases.notes.get(name)
        lines.append(f"  {name:<{width}} {seconds:>7.2f}s" + (f"  {note}" if note else ""))
    lines.append(f"  {'total':<{width}} {total:>7.2f}s")
    return "\n".join(lines)
