"""`iac.suppress(construct, "IAC-S3-001", reason="...")`: a finding accepted, next to the code that needs it.

The suppression is written into the template, so that reviewers read the reason there and `iac validate`
of the template honours it: on every resource the construct holds (its own resource, or those of its
subtree) as `Metadata: {"iac:suppress": [{"id": ..., "reason": ...}]}`; for a stack, in the template's
Metadata; for a parameter or an output, in the template's Metadata with the element's logical id as
its "target". Call it once the construct is built: resources added to the subtree later are not covered.
"""

from __future__ import annotations

from typing import Any

from iac.checks._registry import rule_by_id, suggest
from iac.checks._run import SUPPRESS_KEY
from iac.errors import ConstructError


def suppress(construct: Any, rule_id: str, *, reason: str) -> None:
    """Accept rule `rule_id`'s findings on `construct`, for `reason` (required, shown to reviewers)."""
    from iac.constructs.core import CfnElement, CfnResource, Construct, Stack
    from iac.constructs.core.source import caller_location

    location = caller_location()
    path = getattr(construct, "path", None)
    if not isinstance(construct, Construct):
        raise ConstructError(f"suppress needs a construct, got {type(construct).__name__}", location=location)
    rule = rule_by_id(rule_id) if isinstance(rule_id, str) else None
    if rule is None:
        close = suggest(rule_id) if isinstance(rule_id, str) else None
        raise ConstructError(f"suppress: {rule_id!r} is no rule id", path=path, location=location,
                             hint=f"did you mean {close!r}?" if close else "iac validate --list-rules lists them")
    if not isinstance(reason, str) or not reason.strip():
        raise ConstructError(f"suppress {rule.id}: give the reason the finding does not apply (reason=...)",
                             path=path, location=location)
    entry = {"id": rule.id, "reason": reason.strip()}
    if isinstance(construct, Stack):
        _add(construct.template_options.setdefault("Metadata", {}), entry)
        return
    resources = [node for node in construct.walk() if isinstance(node, CfnResource)]
    if resources:
        for resource in resources:
            _add(resource.metadata, entry)
        return
    if isinstance(construct, CfnElement):  # a parameter, an output: the template says which
        _add(construct.stack.template_options.setdefault("Metadata", {}),
             {**entry, "target": construct.logical_id})
        return
    raise ConstructError(f"suppress {rule.id}: {path} holds no resource", path=path, location=location,
                         hint="call it on the construct that made the resource, once it is built")


def _add(metadata: dict[str, Any], entry: dict[str, Any]) -> None:
    from iac.constructs.core import Lazy

    entries = metadata.get(SUPPRESS_KEY)
    if isinstance(entries, list):
        if entry not in entries:
            entries.append(entry)
    elif isinstance(entries, Lazy):  # a construct's own, decided when the template is written
        earlier = entries
        metadata[SUPPRESS_KEY] = Lazy(lambda: [*(earlier.producer() or []), entry])
    else:
        metadata[SUPPRESS_KEY] = [entry]


def accept_finding(resource: Any, rule_id: str, *, reason: str) -> None:
    """For a construct of iac's own: accept `rule_id`'s finding on `resource` (a CfnResource) when, as the
    template is written, the rule finds it there; otherwise nothing is written, so a user's later change
    (a Retain policy dropped, versioning turned on) never leaves a suppression that matches nothing."""
    from iac.checks._run import finds
    from iac.constructs.core import Lazy

    entry = {"id": rule_id, "reason": reason}

    def entries() -> list[dict[str, Any]] | None:
        return [entry] if finds(rule_id, resource.render()) else None

    existing = resource.metadata.get(SUPPRESS_KEY)
    if existing is None:
        resource.metadata[SUPPRESS_KEY] = Lazy(entries)
    else:  # user entries (a list) or another construct's: both kept
        earlier = existing

        def combined() -> list[dict[str, Any]] | None:
            found = [*(earlier.producer() or [] if isinstance(earlier, Lazy) else earlier), *(entries() or [])]
            return found or None

        resource.metadata[SUPPRESS_KEY] = Lazy(combined)
