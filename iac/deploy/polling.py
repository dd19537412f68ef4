"""Waiting on CloudFormation: pauses that grow, and that stop at once when the run is interrupted."""

from __future__ import annotations

import threading

import attrs


class Interrupted(Exception):
    """The run was interrupted (Ctrl-C): iac stops waiting; CloudFormation carries on without it."""


@attrs.define
class Poller:
    """`pause(attempt)` waits `interval` seconds, growing by half each attempt up to `max_interval`;
    it raises Interrupted as soon as `cancel` is set (from another thread, or by Ctrl-C)."""

    interval: float = 2.0
    max_interval: float = 10.0
    cancel: threading.Event = attrs.field(factory=threading.Event)

    def pause(self, attempt: int = 0) -> None:
        delay = min(self.interval * (1.5 ** min(attempt, 20)), self.max_interval)
        if self.cancel.wait(delay):
            raise Interrupted()

    def check(self) -> None:
        if self.cancel.is_set():
            raise Interrupted()
