"""What a deployment tells its caller as it goes, and the one question it asks.

The deploy layer never prints: it calls a Reporter. The CLI's reporter draws progress lines and
asks for approval on a terminal; a library caller may pass its own (or `SilentReporter`).
"""

from __future__ import annotations

from typing import Protocol

import attrs

from iac.deploy.change_sets import ChangeSet
from iac.deploy.events import StackEvent
from iac.synth.diff.model import StackDiff


@attrs.frozen(kw_only=True)
class Review:
    """A change set ready to run: CloudFormation's entries, iac's diff with them merged in, and
    why approval is needed (None when it is not)."""

    stack: str
    region: str
    change_set: ChangeSet
    diff: StackDiff
    unconfirmed: tuple[str, ...] = ()
    approval: str | None = None
    execute: bool = True


class Reporter(Protocol):
    def note(self, stack: str, text: str) -> None:
        """A step of the stack's deployment, in words."""

    def event(self, stack: str, event: StackEvent, done: int, total: int) -> None:
        """A new stack event; `done` of `total` resources finished so far."""

    def review(self, review: Review) -> str | None:
        """Show the change set; None to go on, or why it was not approved. Runs on the main thread."""


class SilentReporter:
    """Reports nothing and approves only what needs no approval."""

    def note(self, stack: str, text: str) -> None:
        pass

    def event(self, stack: str, event: StackEvent, done: int, total: int) -> None:
        pass

    def review(self, review: Review) -> str | None:
        return f"approval required ({review.approval})" if review.approval else None
