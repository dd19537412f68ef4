"""CfnResource: any CloudFormation resource type, today's and tomorrow's (the L1 layer)."""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable
from typing import Any

import attrs

from iac.constructs.core.construct import Construct, props_validator_in
from iac.constructs.core.element import CfnElement
from iac.constructs.core.intrinsics import AttributeReference, Reference
from iac.constructs.core.tokens import Token
from iac.errors import ConstructError

RESOURCE_TYPE_RE = re.compile(
    r"^(?:[A-Za-z0-9]+::[A-Za-z0-9]+::[A-Za-z0-9]+(?:::MODULE)?|Custom::[A-Za-z0-9_@-]{1,60})$"
)
DELETION_POLICIES = ("Delete", "Retain", "RetainExceptOnCreate", "Snapshot")
UPDATE_REPLACE_POLICIES = ("Delete", "Retain", "Snapshot")


def _check_type(instance: Any, attribute: attrs.Attribute, value: str) -> None:
    if not isinstance(value, str) or not RESOURCE_TYPE_RE.match(value):
        raise ValueError(
            f"type {value!r} is not a CloudFormation resource type "
            "(expected Service::Provider::Resource, e.g. AWS::SQS::Queue, or Custom::Name)"
        )


def _check_mapping(instance: Any, attribute: attrs.Attribute, value: Any) -> None:
    if value is not None and not isinstance(value, dict | Token):
        raise TypeError(f"{attribute.name} must be a dict, got {type(value).__name__}")


@attrs.define(kw_only=True)
class ResourceOptions:
    """The attributes CloudFormation allows next to a resource's Properties."""

    type: str = attrs.field(validator=_check_type)
    properties: dict[str, Any] | None = attrs.field(default=None, validator=_check_mapping)
    # One logical id or resource is one dependency (list("Queue") would be five).
    depends_on: list[Any] = attrs.field(
        factory=list, converter=lambda v: [v] if isinstance(v, str | Construct) else list(v or [])
    )
    deletion_policy: str | None = attrs.field(default=None, validator=props_validator_in(DELETION_POLICIES))
    update_replace_policy: str | None = attrs.field(
        default=None, validator=props_validator_in(UPDATE_REPLACE_POLICIES)
    )
    update_policy: dict[str, Any] | None = attrs.field(default=None, validator=_check_mapping)
    creation_policy: dict[str, Any] | None = attrs.field(default=None, validator=_check_mapping)
    condition: Any = None
    metadata: dict[str, Any] | None = attrs.field(default=None, validator=_check_mapping)


class CfnResource(CfnElement):
    """One resource of any type: `CfnResource(stack, "Queue", type="AWS::SQS::Queue", properties={...})`.

    `properties` may hold tokens (`other.ref`, `other.get_att("Arn")`, f-strings with them); they are
    resolved when the template is written. `add_override` reaches anything the options do not.

    Args:
        type: the CloudFormation resource type, e.g. "AWS::SQS::Queue"; checked against the registry
            schemas (with a did-you-mean) when the template is validated.
        properties: the resource's Properties, with CloudFormation's own names; a None value leaves the
            property out.
        depends_on: resources (or their logical ids) CloudFormation must create first (DependsOn).
        deletion_policy: "Delete", "Retain", "RetainExceptOnCreate" or "Snapshot" (DeletionPolicy).
        update_replace_policy: what happens to the old resource when an update replaces it (UpdateReplacePolicy).
        update_policy: how CloudFormation updates some types (Auto Scaling groups, ElastiCache...) (UpdatePolicy).
        creation_policy: what CloudFormation waits for before the resource counts as created (CreationPolicy).
        condition: a Condition (or its name): the resource exists only where it holds.
        metadata: the resource's Metadata; iac adds its construct path there.
    """

    element_kind = "resource"

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        type: str,
        properties: dict[str, Any] | Token | None = None,
        depends_on: Iterable[CfnResource | str] | CfnResource | str | None = None,
        deletion_policy: str | None = None,
        update_replace_policy: str | None = None,
        update_policy: dict[str, Any] | Token | None = None,
        creation_policy: dict[str, Any] | Token | None = None,
        condition: Any = None,
        metadata: dict[str, Any] | Token | None = None,
    ) -> None:
        super().__init__(scope, id)
        options = self._build_props(
            ResourceOptions,
            dict(
                type=type,
                properties=properties,
                depends_on=depends_on,
                deletion_policy=deletion_policy,
                update_replace_policy=update_replace_policy,
                update_policy=update_policy,
                creation_policy=creation_policy,
                condition=condition,
                metadata=metadata,
            ),
        )
        self.resource_type: str = options.type
        self.properties: dict[str, Any] = dict(options.properties or {})
        self.deletion_policy = options.deletion_policy
        self.update_replace_policy = options.update_replace_policy
        self.update_policy = options.update_policy
        self.creation_policy = options.creation_policy
        self.condition = options.condition
        self.metadata: dict[str, Any] = dict(options.metadata or {})
        self._depends_on: list[CfnResource | str] = []
        self._overrides: list[tuple[list[str], Any]] = []
        self._attribute_tokens: dict[str, AttributeReference] = {}
        self._ref = Reference(self)
        self.add_depends_on(*options.depends_on)

    # -- references ------------------------------------------------------------------------

    @property
    def ref(self) -> Token:
        """`Ref` to this resource (its physical id or the value its type documents)."""
        return self._ref

    def get_att(self, attribute: str) -> Token:
        """`Fn::GetAtt` of one of this resource's attributes, e.g. `get_att("Arn")`."""
        if not isinstance(attribute, str) or not attribute:
            raise ConstructError(
                f"get_att needs an attribute name, got {attribute!r}", path=self.path, location=self.location
            )
        token = self._attribute_tokens.get(attribute)
        if token is None:
            token = self._attribute_tokens[attribute] = AttributeReference(self, attribute)
        return token

    # -- options ---------------------------------------------------------------------------

    def add_depends_on(self, *targets: CfnResource | str) -> None:
        """Make CloudFormation create this resource after `targets` (resources or logical ids)."""
        for target in targets:
            if not isinstance(target, CfnResource | str):
                raise ConstructError(
                    f"depends_on takes resources (or logical ids), got {type(target).__name__}",
                    path=self.path,
                    location=self.location,
                )
            if target is self:
                raise ConstructError("a resource cannot depend on itself", path=self.path, location=self.location)
            if target not in self._depends_on:
                self._depends_on.append(target)

    @property
    def depends_on(self) -> list[CfnResource | str]:
        return list(self._depends_on)

    def add_metadata(self, key: str, value: Any) -> None:
        self.metadata[key] = value

    def add_override(self, path: str, value: Any) -> None:
        """Set any key of the resource's template entry: `add_override("Properties.A.B", 1)`.

        Path components are separated by "."; write "\\." for a dot inside a key. Intermediate
        objects are created. Applied last, so it wins over everything the construct wrote.
        """
        self._overrides.append((_split_override_path(path, self), value))

    def add_property_override(self, path: str, value: Any) -> None:
        self.add_override(f"Properties.{path}", value)

    def add_deletion_override(self, path: str) -> None:
        """Remove a key from the resource's template entry."""
        self._overrides.append((_split_override_path(path, self), _DELETE))

    def add_property_deletion_override(self, path: str) -> None:
        self.add_deletion_override(f"Properties.{path}")

    # -- rendering -------------------------------------------------------------------------

    def render(self) -> dict[str, Any]:
        """The template entry before tokens are resolved (synthesis resolves and validates it)."""
        entry: dict[str, Any] = {"Type": self.resource_type}
        if self.properties:
            entry["Properties"] = self.properties
        if self._depends_on:
            entry["DependsOn"] = list(self._depends_on)
        if self.condition is not None:
            entry["Condition"] = self.condition
        for key, value in (
            ("DeletionPolicy", self.deletion_policy),
            ("UpdateReplacePolicy", self.update_replace_policy),
            ("UpdatePolicy", self.update_policy),
            ("CreationPolicy", self.creation_policy),
        ):
            if value is not None:
                entry[key] = value
        if self.metadata:
            entry["Metadata"] = self.metadata
        if self._overrides:
            entry = copy.deepcopy(entry, memo={id(t): t for t in _tokens_in(entry)})
            for keys, value in self._overrides:
                _apply_override(entry, keys, value)
        return entry


class _Delete:
    def __repr__(self) -> str:
        return "<delete>"


_DELETE = _Delete()


def _split_override_path(path: str, resource: CfnResource) -> list[str]:
    if not isinstance(path, str) or not path:
        raise ConstructError(f"override path must be a non-empty string, got {path!r}", path=resource.path,
                             location=resource.location)
    keys = [key.replace("\0", ".") for key in path.replace("\\.", "\0").split(".")]
    if any(not key for key in keys):
        raise ConstructError(f"override path {path!r} has an empty component", path=resource.path,
                             location=resource.location)
    return keys


def _apply_override(entry: dict[str, Any], keys: list[str], value: Any) -> None:
    node = entry
    for key in keys[:-1]:
        child = node.get(key)
        if not isinstance(child, dict):
            if value is _DELETE:
                return
            child = node[key] = {}
        node = child
    if value is _DELETE:
        node.pop(keys[-1], None)
    else:
        node[keys[-1]] = value


def _tokens_in(value: Any) -> list[Any]:
    """Objects deepcopy must not clone (tokens and constructs keep their identity)."""
    found: list[Any] = []
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, dict):
            pending.extend(item.values())
        elif isinstance(item, list | tuple):
            pending.extend(item)
        elif isinstance(item, Token | Construct):
            found.append(item)
    return found
