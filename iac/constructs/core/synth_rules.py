"""Rules a service module adds to synthesis, for what a construct cannot judge when it is built.

Some rules need more than the construct tree: the date, or what the previous synth (the baseline
assembly, the one `iac diff` compares against) already had. A Lambda runtime, for one, is blocked for
*new* functions on one date and for updates of *existing* ones on a later date. A service module
registers a rule for a resource type:

    add_resource_rule("AWS::Lambda::Function", runtime_lifecycle, replaces_lint=("E2531",))

and synthesis calls it for every resource of that type in every stack, with a `SynthContext` that
answers those questions. Synthesis knows no service: it only runs what was registered. A rule that
replaces cfn-lint rules names them (`replaces_lint`), and their findings are dropped while the rule
is registered, so one rule, not two, decides.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Literal, Protocol

import attrs


class SynthContext(Protocol):
    """What a synth rule may ask about the run it is part of."""

    @property
    def today(self) -> datetime.date:
        """The date rules go by (iac.clock.today(): IAC_TODAY when set)."""
        ...

    @property
    def baseline_name(self) -> str | None:
        """The baseline assembly's folder as the user would write it (None when there is none)."""
        ...

    def baseline_has(self, stack: str, logical_id: str, resource_type: str | None = None) -> bool:
        """Whether the baseline assembly's stack `stack` (an artifact name) has a resource with this
        logical id (of `resource_type`, when given). False when there is no baseline: a first synth
        makes everything new."""
        ...


@attrs.frozen
class StackResource:
    """One resource of a synthesized stack, as a rule sees it."""

    stack: str  # the stack's artifact name (as in the manifest and the baseline)
    logical_id: str
    resource_type: str
    properties: Mapping[str, Any]


@attrs.frozen
class RuleFinding:
    """A rule's finding; synthesis adds where it is (construct path, the user's file:line)."""

    message: str
    severity: Literal["error", "warning"] = "error"
    hint: str | None = None
    code: str | None = None
    #: The property the finding is about ("Runtime"), for the report and the location.
    property: str | None = None


ResourceRule = Callable[[StackResource, SynthContext], Iterable[RuleFinding]]


@attrs.frozen
class _Registered:
    rule: ResourceRule
    replaces_lint: tuple[str, ...]


_RULES: dict[str, list[_Registered]] = {}


def add_resource_rule(resource_type: str, rule: ResourceRule, *, replaces_lint: Iterable[str] = ()) -> None:
    """Run `rule` on every `resource_type` resource at synth (once, however often it is added)."""
    registered = _RULES.setdefault(resource_type, [])
    if all(entry.rule is not rule for entry in registered):
        registered.append(_Registered(rule=rule, replaces_lint=tuple(replaces_lint)))


def resource_rules(resource_type: str) -> tuple[ResourceRule, ...]:
    """The rules registered for `resource_type`, in the order they were added."""
    return tuple(entry.rule for entry in _RULES.get(resource_type, ()))


def ruled_types() -> tuple[str, ...]:
    """The resource types some rule is registered for."""
    return tuple(resource_type for resource_type, entries in _RULES.items() if entries)


def replaced_lint_rules() -> frozenset[str]:
    """The cfn-lint rule ids whose findings a registered rule replaces."""
    return frozenset(rule_id for entries in _RULES.values() for entry in entries for rule_id in entry.replaces_lint)


__all__ = [
    "ResourceRule",
    "RuleFinding",
    "StackResource",
    "SynthContext",
    "add_resource_rule",
    "replaced_lint_rules",
    "resource_rules",
    "ruled_types",
]
