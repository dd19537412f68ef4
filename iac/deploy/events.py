"""Stack events: follow a stack until CloudFormation is done with it, one event at a time.

DescribeStackEvents lists the newest events first, a page at a time; the events of one operation are
those after the newest event seen before it started (`latest_event_id`). A stack is done when its
status no longer ends in `_IN_PROGRESS`.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import attrs

from iac.deploy.polling import Poller
from iac.deploy.session import aws_errors, error_code, error_message

#: Final statuses of a deployment that worked.
DEPLOYED = frozenset({"CREATE_COMPLETE", "UPDATE_COMPLETE", "IMPORT_COMPLETE"})
#: A failure that only says another resource failed first (not a cause of its own).
CASCADE_REASONS = ("Resource creation cancelled", "Resource update cancelled")
#: Rounds a terminal status is trusted without the stack's own event for it.
STALE_ROUNDS = 5


@attrs.frozen(kw_only=True)
class StackEvent:
    event_id: str
    stack_name: str
    logical_id: str
    resource_type: str
    status: str
    timestamp: datetime.datetime | None = None
    reason: str | None = None
    physical_id: str | None = None

    @property
    def is_stack(self) -> bool:
        return self.resource_type == "AWS::CloudFormation::Stack" and self.logical_id == self.stack_name

    @property
    def failed(self) -> bool:
        return self.status.endswith("_FAILED")

    @property
    def is_cause(self) -> bool:
        """A failure with a reason of its own (not "cancelled because another one failed")."""
        return self.failed and not any(self.reason and self.reason.startswith(c) for c in CASCADE_REASONS)

    @classmethod
    def from_api(cls, data: dict[str, Any]) -> StackEvent:
        return cls(
            event_id=str(data.get("EventId", "")),
            stack_name=str(data.get("StackName", "")),
            logical_id=str(data.get("LogicalResourceId", "")),
            resource_type=str(data.get("ResourceType", "")),
            status=str(data.get("ResourceStatus", "")),
            timestamp=data.get("Timestamp"),
            reason=data.get("ResourceStatusReason") or None,
            physical_id=data.get("PhysicalResourceId") or None,
        )


@attrs.frozen(kw_only=True)
class Outcome:
    """How an operation on a stack ended: its final status, and the failures on the way."""

    status: str
    reason: str | None = None
    failures: tuple[StackEvent, ...] = ()

    @property
    def causes(self) -> tuple[StackEvent, ...]:
        """The failures worth reading first: those with a reason of their own (all, if none has)."""
        return tuple(e for e in self.failures if e.is_cause) or self.failures


def is_terminal(status: str) -> bool:
    return not status.endswith("_IN_PROGRESS")


def latest_event_id(cfn: Any, stack_id: str) -> str | None:
    """The newest event of the stack now (None for a stack without events)."""
    with aws_errors():
        events = cfn.describe_stack_events(StackName=stack_id).get("StackEvents") or []
    return str(events[0]["EventId"]) if events else None


def new_events(cfn: Any, stack_id: str, after: str | None) -> list[StackEvent]:
    """The stack's events newer than event `after`, oldest first (all of them when `after` is None)."""
    found: list[StackEvent] = []
    token: str | None = None
    while True:
        with aws_errors():
            page = cfn.describe_stack_events(StackName=stack_id, **({"NextToken": token} if token else {}))
        for data in page.get("StackEvents") or []:
            if after is not None and str(data.get("EventId")) == after:
                return list(reversed(found))
            found.append(StackEvent.from_api(data))
        token = page.get("NextToken")
        if not token:
            return list(reversed(found))


def stack_status(cfn: Any, stack_id: str) -> tuple[str, str | None]:
    """The stack's status and its reason; DELETE_COMPLETE once CloudFormation no longer knows it."""
    with aws_errors():
        try:
            stacks = cfn.describe_stacks(StackName=stack_id).get("Stacks") or []
        except Exception as error:
            if is_missing_stack(error):
                return "DELETE_COMPLETE", None
            raise
    if not stacks:
        return "DELETE_COMPLETE", None
    return str(stacks[0]["StackStatus"]), stacks[0].get("StackStatusReason")


def follow(cfn: Any, stack_id: str, *, after: str | None, poller: Poller,
           on_event: Callable[[StackEvent], None]) -> Outcome:
    """Report each new event of the stack until it reaches a terminal status; return how it ended.

    The status is read before the events on each round, so the events that led to the terminal
    status are all reported before returning. Right after an Execute or Delete call the stack may
    still show the status it had before, so a terminal status counts once the stack's own event for
    it has been seen (or after `STALE_ROUNDS` rounds without one).
    """
    failures: list[StackEvent] = []
    seen = after
    attempt = 0
    rounds_terminal = 0
    finished = False
    while True:
        status, reason = stack_status(cfn, stack_id)
        events = new_events(cfn, stack_id, seen)
        for event in events:
            if event.failed:
                failures.append(event)
            if event.is_stack and is_terminal(event.status):
                finished = True
            on_event(event)
        if events:
            seen = events[-1].event_id
            attempt = 0
        if is_terminal(status):
            rounds_terminal += 1
            if finished or rounds_terminal >= STALE_ROUNDS or status == "DELETE_COMPLETE":
                return Outcome(status=status, reason=reason, failures=tuple(failures))
        poller.pause(attempt)
        attempt += 1


def is_missing_stack(error: BaseException) -> bool:
    """CloudFormation's answer for a stack it does not know (a ValidationError "... does not exist")."""
    return error_code(error) == "ValidationError" and "does not exist" in error_message(error)
