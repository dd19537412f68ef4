"""The progress line: what a run of `iac synth` or `iac validate` is doing now, on one terminal line.

    synth: running the app…
    synth: validating 3/12 stacks
    synth: linting 5/12 stacks
    validate: linting 40/120 files

Phases and counts, not a spinner: a phase that takes long shows its name for as long as it takes, a
counted one how far it has got. The line is rewritten in place (carriage return, erase to the end of
the line) and erased when the run ends, however it ends. It is shown only when stderr is a terminal
that can erase a line (not TERM=dumb), and never with --quiet or a document output (--json,
--format json/sarif): a pipe, a log or CI output gets nothing extra.

The synth side only calls the hooks of `iac.synth.phases.Phases` (`on_phase` as a phase starts,
`on_progress` per step of a counted phase); the words are chosen here. Anything else written to
stdout or stderr while the line shows (a print of the app, a warning) erases the line first
(`ProgressLine.around`), so it never runs into the line's text.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Callable, Iterator
from typing import IO, Any

from iac.cli.terminal import own
from iac.synth.phases import APP_LOAD, BASELINE, DIFF, LINT, SCHEMA_VALIDATION, SYNTHESIS, WRITE
from iac.text import one_line

#: Back to the start of the line and erase it (written as iac's own, through the terminal guard).
ERASE_LINE = "\r\x1b[K"

#: What the line says during each phase; a phase not named here is shown by its own name.
DOING = {
    APP_LOAD: "running the app",
    SYNTHESIS: "building the templates",
    SCHEMA_VALIDATION: "validating",
    LINT: "linting",
    WRITE: "writing the assembly",
    BASELINE: "reading the last synth",
    DIFF: "comparing",
}

#: Counted steps are redrawn at most this often (seconds): linting 3,000 stacks is not 3,000 redraws.
REDRAW_INTERVAL = 0.05


def is_terminal(stream: IO[str]) -> bool:
    """A terminal that understands "erase line" (not TERM=dumb)."""
    return hasattr(stream, "isatty") and stream.isatty() and os.environ.get("TERM") != "dumb"


class ProgressLine:
    """`synth: linting 2/5 stacks` on one line of `stream`, rewritten in place and erased at the end.

    Call it as the `on_progress` hook (phase, done, total) and pass `phase_started` as `on_phase`.
    `unit` names what is counted ("stack", "file").
    """

    def __init__(
        self, stream: IO[str], command: str, *, unit: str = "stack", clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.stream = stream
        self.command = command
        self.unit = unit
        self.clock = clock
        self.shown = False
        self._drawn_at: float | None = None

    def phase_started(self, phase: str) -> None:
        self._draw(f"{_doing(phase)}…")

    def __call__(self, phase: str, done: int, total: int) -> None:
        if total <= 0:
            return
        ends = done == 0 or done >= total  # the first and the last count are always drawn
        if not ends and self._drawn_at is not None and self.clock() - self._drawn_at < REDRAW_INTERVAL:
            return
        units = self.unit if total == 1 else f"{self.unit}s"
        self._draw(f"{_doing(phase)} {min(done, total)}/{total} {units}")

    def clear(self) -> None:
        if self.shown:
            self.stream.write(own(ERASE_LINE))
            self.stream.flush()
            self.shown = False

    def _draw(self, text: str) -> None:
        line = f"{one_line(self.command)}: {one_line(text)}"
        columns = _columns(self.stream)
        if columns is not None and len(line) >= columns:  # a wrapped line would not be erased whole
            line = line[: max(columns - 2, 0)] + "…"
        self.stream.write(f"{own(ERASE_LINE)}{line}")
        self.stream.flush()
        self.shown = True
        self._drawn_at = self.clock()

    @contextlib.contextmanager
    def around(self) -> Iterator[None]:
        """stdout and stderr erase the line before anything else is written to them, for the block."""
        saved = sys.stdout, sys.stderr
        if saved[0] is not None:
            sys.stdout = _Erasing(saved[0], self)
        if saved[1] is not None:
            sys.stderr = _Erasing(saved[1], self)
        try:
            yield
        finally:
            sys.stdout, sys.stderr = saved


def _columns(stream: IO[str]) -> int | None:
    """The terminal's width, when `stream` is one that says."""
    try:
        return os.get_terminal_size(stream.fileno()).columns or None
    except (AttributeError, OSError, ValueError):
        return None


def _doing(phase: str) -> str:
    return DOING.get(phase, phase)


class _Erasing:
    """A text stream that erases the progress line before each write; everything else is the stream's."""

    def __init__(self, stream: IO[str], line: ProgressLine) -> None:
        self._stream = stream
        self._line = line

    def write(self, text: str) -> int:
        if text:
            self._line.clear()
        return self._stream.write(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)
