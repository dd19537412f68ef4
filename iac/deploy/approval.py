"""When a deployment needs a person's approval: `--require-approval never | widening | any-change`."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from iac.synth.diff.model import StackDiff

APPROVAL_LEVELS = ("never", "widening", "any-change")


def approval_reason(diff: StackDiff, level: str) -> str | None:
    """Why the change needs approval under `level`, or None: widening asks when access widens or
    stored data is at risk; any-change asks on any change; never never asks."""
    if level not in APPROVAL_LEVELS:
        raise ValueError(f"unknown approval level {level!r}; use one of {', '.join(APPROVAL_LEVELS)}")
    if level == "never":
        return None
    reasons = []
    if diff.widens_access:
        reasons.append("access widens")
    if diff.data_at_risk:  # a data-at-risk finding that is not acknowledged
        reasons.append("stored data is at risk")
    if level == "any-change" and not reasons and diff.has_changes:
        reasons.append("resources change")
    return " and ".join(reasons) or None
