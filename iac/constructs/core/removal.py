"""Removal policies: what CloudFormation does with a stateful resource's data when the resource
leaves the template or has to be replaced.

L2 constructs of stateful resources (tables, buckets, log groups) take `removal_policy=` as one word
and write it to both `DeletionPolicy` and `UpdateReplacePolicy`: setting only the first would still
let a replacement delete the data, which is the surprise the default ("retain") exists to prevent.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any, Final, Literal

import attrs

from iac.constructs.core.resource import CfnResource
from iac.constructs.core.source import caller_location
from iac.errors import ConstructError

RETAIN: Final = "retain"
DESTROY: Final = "destroy"
SNAPSHOT: Final = "snapshot"

#: What a `removal_policy=` prop accepts (each construct narrows it with `removal_policy_rule`).
RemovalPolicy = Literal["retain", "destroy", "snapshot"]

#: removal policy -> the value written to DeletionPolicy and UpdateReplacePolicy
POLICY_VALUES = {RETAIN: "Retain", DESTROY: "Delete", SNAPSHOT: "Snapshot"}


def removal_policy_validator(allowed: tuple[str, ...], resource_type: str) -> Callable[..., None]:
    """attrs validator: one of `allowed`; the message says why others are refused for this type.

    "snapshot" exists only for the types CloudFormation can snapshot (RDS, EBS, ...); offering it
    elsewhere would produce a template CloudFormation and cfn-lint (E3035) reject.
    """

    def check(instance: Any, attribute: attrs.Attribute, value: Any) -> None:
        if value in allowed:
            return
        message = f"{attribute.name} must be one of {', '.join(repr(a) for a in allowed)}; got {value!r}"
        if value in POLICY_VALUES:
            message += f" ({resource_type} does not support the {POLICY_VALUES[value]} policy)"
        raise ValueError(message)

    return check


def removal_policy_rule(allowed: tuple[str, ...], resource_type: str) -> Callable[[Any], str | None]:
    """A props `Check` rule: the policy is one of `allowed`, else why not (see the validator above)."""

    def rule(value: Any) -> str | None:
        if value in allowed:
            return None
        message = f"must be one of {', '.join(repr(a) for a in allowed)}; got {value!r}"
        if value in POLICY_VALUES:
            message += f" ({resource_type} does not support the {POLICY_VALUES[value]} policy)"
        return message

    return rule


def apply_removal_policy(resource: CfnResource, policy: str) -> None:
    """Write `policy` to both DeletionPolicy and UpdateReplacePolicy of `resource`."""
    resource.deletion_policy = resource.update_replace_policy = POLICY_VALUES[policy]


class _Apply:
    """`RemovalPolicy.apply(scope, policy)` on the class; `RemovalPolicies.of(scope).apply(policy)` on an instance."""

    def __get__(self, instance: Any, owner: type) -> Callable[..., None]:
        if instance is None:
            return apply_to
        return functools.partial(apply_to, instance.scope)


class RemovalPolicies:
    """A removal policy for every resource below a scope, set on any construct:

        RemovalPolicy.apply(dev_stack, DESTROY)          # or RemovalPolicies.of(dev_stack).apply(DESTROY)
        RemovalPolicy.apply(database_tier, SNAPSHOT)

    It runs as an aspect before synthesis, so it reaches resources created after the call too, and writes
    both DeletionPolicy and UpdateReplacePolicy. It wins over what constructs set by default (a bucket's
    "retain"); of two calls, the one on the closer scope wins, and on one scope the later. "snapshot" is
    written only to the types CloudFormation can snapshot (iac.specs.snapshot_types); the others below the
    scope keep their policy. `include_resource_types` / `exclude_resource_types` narrow it by type.
    `iac diff` shows the consequence: a stateful resource removed or replaced without Retain or Snapshot is
    reported as stored data at risk.
    """

    RETAIN: Final = RETAIN
    DESTROY: Final = DESTROY
    SNAPSHOT: Final = SNAPSHOT

    #: apply(scope, policy, *, include_resource_types=None, exclude_resource_types=None) on the class,
    #: apply(policy, ...) on RemovalPolicies.of(scope).
    apply = _Apply()

    def __init__(self, scope: Any) -> None:
        self.scope = scope

    @staticmethod
    def of(scope: Any) -> RemovalPolicies:
        return RemovalPolicies(scope)

    def retain(self) -> None:
        apply_to(self.scope, RETAIN)

    def destroy(self) -> None:
        apply_to(self.scope, DESTROY)

    def snapshot(self) -> None:
        apply_to(self.scope, SNAPSHOT)


def apply_to(scope: Any, policy: str, *, include_resource_types: Iterable[str] | None = None,
             exclude_resource_types: Iterable[str] | None = None) -> None:
    """Set `policy` ("retain", "destroy" or "snapshot") on every resource below `scope`: see RemovalPolicies."""
    from iac.constructs.core.aspects import _Added, _added
    from iac.constructs.core.construct import Construct
    from iac.constructs.core.tags import resource_types

    location = caller_location()
    if not isinstance(scope, Construct):
        raise ConstructError(f"RemovalPolicy.apply takes a construct (an App, Stack or construct), got "
                             f"{type(scope).__name__}", location=location)
    if policy not in POLICY_VALUES:
        raise ConstructError(f"removal policy must be one of {', '.join(repr(p) for p in POLICY_VALUES)}; "
                             f"got {policy!r}", path=scope.path or None, location=location,
                             hint="use RETAIN, DESTROY or SNAPSHOT from iac.constructs.core.removal")
    aspect = _RemovalAspect(policy, resource_types(include_resource_types, scope, location),
                            resource_types(exclude_resource_types, scope, location))
    _added(scope).append(_Added(aspect, location))


@attrs.frozen(eq=False)
class _RemovalAspect:
    policy: str
    include: frozenset[str] | None
    exclude: frozenset[str] | None

    def visit(self, node: Any) -> None:
        if not isinstance(node, CfnResource):
            return
        if self.include is not None and node.resource_type not in self.include:
            return
        if self.exclude is not None and node.resource_type in self.exclude:
            return
        if self.policy == SNAPSHOT:
            from iac.specs import snapshot_types

            if node.resource_type not in snapshot_types():
                return
        apply_removal_policy(node, self.policy)
