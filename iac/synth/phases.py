"""Watching a run: how long each phase took, and how far a slow phase has got.

The CLI passes a `Phases` to print timings (`--verbose`) and progress (on a terminal); library calls
pass none and pay nothing. The synth side only calls the two hooks (`on_phase` as a phase starts,
`on_progress` per step of a counted one); how they look is the CLI's business (iac/cli/progress.py).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator

import attrs

APP_LOAD = "app load"
SYNTHESIS = "synthesis"
SCHEMA_VALIDATION = "schema validation"
LINT = "lint"
WRITE = "write"
BASELINE = "baseline read"
DIFF = "diff"

#: (phase, done, total): called when a slow phase starts (done 0) and after each step of it.
ProgressCallback = Callable[[str, int, int], None]
#: (phase): called as each phase starts, so that a terminal can say what the run is doing now.
PhaseCallback = Callable[[str], None]


@attrs.define
class Phases:
    """Seconds spent per phase (in the order phases first ran), notes about them, progress reports."""

    seconds: dict[str, float] = attrs.field(factory=dict)
    notes: dict[str, str] = attrs.field(factory=dict)
    on_progress: ProgressCallback | None = None
    on_phase: PhaseCallback | None = None

    @contextlib.contextmanager
    def phase(self, name: str) -> Iterator[None]:
        self.started(name)
        started = time.perf_counter()
        try:
            yield
        finally:
            self.add(name, time.perf_counter() - started)

    def add(self, name: str, seconds: float) -> None:
        self.seconds[name] = self.seconds.get(name, 0.0) + seconds

    def note(self, name: str, text: str) -> None:
        self.notes[name] = text

    def started(self, name: str) -> None:
        """Phase `name` begins (`phase` says so itself; this is for work timed another way)."""
        if self.on_phase is not None:
            self.on_phase(name)

    def progress(self, name: str, done: int, total: int) -> None:
        if self.on_progress is not None:
            self.on_progress(name, done, total)
