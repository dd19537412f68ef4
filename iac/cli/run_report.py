"""What a command tells about its own run on stderr: progress of slow steps, and with --verbose the
time each phase took.

Progress shows only when stderr is a terminal (never in a pipe, a log or CI output) and is erased
once the step ends; timings print whenever --verbose is given, also when the run fails.

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
import os
import sys
import time
from collections.abc import Iterator
from typing import IO, Any

import click

from iac.cli.terminal import own
from iac.synth.phases import Phases


def verbose_option(phases: str) -> Any:
    """The --verbose option of a command whose phases are `phases` (for the help text)."""
    return click.option("--verbose", "-v", is_flag=True,
                        help=f"Print the time each phase took ({phases}) to stderr.")


#: Back to the start of the line and erase it (written as iac's own, through the terminal guard).
ERASE_LINE = "\r\x1b[K"


class TerminalProgress:
    """`lint: 2/5 stacks` on one line of a terminal, rewritten in place and erased at the end."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream
        self.shown = False

    def __call__(self, phase: str, done: int, total: int) -> None:
        if done >= total:
            self.clear()
            return
        self.stream.write(f"{own(ERASE_LINE)}{phase}: {done}/{total} stack{'s' if total != 1 else ''}")
        self.stream.flush()
        self.shown = True

    def clear(self) -> None:
        if self.shown:
            self.stream.write(own(ERASE_LINE))
            self.stream.flush()
            self.shown = False


def is_terminal(stream: IO[str]) -> bool:
    """A terminal that understands "erase line" (not TERM=dumb)."""
    return hasattr(stream, "isatty") and stream.isatty() and os.environ.get("TERM") != "dumb"


@contextlib.contextmanager
def watched_run(command: str, *, verbose: bool, quiet: bool = False) -> Iterator[Phases]:
    """Phases for one command run: progress on a terminal (unless quiet), timings at the end if verbose."""
    started = time.perf_counter()
    stream = sys.stderr
    progress = TerminalProgress(stream) if not quiet and is_terminal(stream) else None
    phases = Phases(on_progress=progress)
    try:
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
