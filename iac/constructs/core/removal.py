"""Removal policies: what CloudFormation does with a stateful resource's data when the resource
leaves the template or has to be replaced.

L2 constructs of stateful resources (tables, buckets, log groups) take `removal_policy=` as one word
and write it to both `DeletionPolicy` and `UpdateReplacePolicy`: setting only the first would still
let a replacement delete the data, which is the surprise the default ("retain") exists to prevent.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final, Literal

import attrs

from iac.constructs.core.resource import CfnResource

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
