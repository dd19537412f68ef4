"""Tags on any construct: `Tags.of(scope).add("team", "payments")` tags every taggable resource below it.

Which resource types take tags, in which property and in which shape (a list of {"Key", "Value"}, or a map)
comes from each type's registry schema (iac.specs.tagging), in the stack's region: a type whose schema says
it is not taggable is left alone, as are types whose tags live where a template cannot set them as one
property (inside TagSpecifications).

Precedence, as in the CDK: a higher `priority` wins; on equal priority the scope closer to the resource
wins, and of two tags of one scope the one added last. A tag written on the resource itself (its Tags
property, an L2's own tags) counts as priority 100 at the closest scope, so it wins over an inherited `add`
of the default priority 100 and loses only to an `add(..., priority=101)` or more. `remove(key)` (default
priority 200) takes the key off every resource below the scope, its own tags included, unless a
higher-priority `add` puts it back.

Stack(tags=...) are different: they are not written into the template; CloudFormation applies them to the
stack's resources when it deploys (docs/constructs.md says how the two meet).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import attrs

from iac.constructs.core.aspects import _Added, _added
from iac.constructs.core.construct import Construct
from iac.constructs.core.resource import CfnResource
from iac.constructs.core.source import SourceLocation, caller_location
from iac.constructs.core.tokens import is_token
from iac.errors import ConstructError

#: The priority of Tags.of(...).add, of a tag set on the resource itself, and of Tags.of(...).remove.
ADD_PRIORITY = 100
OWN_PRIORITY = 100
REMOVE_PRIORITY = 200
_OWN_DEPTH = 1 << 30  # the resource itself: closer than any scope


class Tags:
    """The tags of one scope: `Tags.of(scope).add(key, value)` and `Tags.of(scope).remove(key)`."""

    def __init__(self, scope: Construct) -> None:
        self._scope = scope

    @staticmethod
    def of(scope: Construct) -> Tags:
        if not isinstance(scope, Construct):
            raise ConstructError(f"Tags.of takes a construct (an App, Stack or construct), got {type(scope).__name__}",
                                 location=caller_location())
        return Tags(scope)

    def add(self, key: str, value: str, *, include_resource_types: Iterable[str] | None = None,
            exclude_resource_types: Iterable[str] | None = None, priority: int = ADD_PRIORITY,
            apply_to_launched_instances: bool = True) -> None:
        """Tag every taggable resource below the scope with `key` = `value`.

        `include_resource_types` (only these CloudFormation types) and `exclude_resource_types` (not these)
        narrow it; `apply_to_launched_instances` is what types with a per-tag flag (an Auto Scaling group's
        PropagateAtLaunch) get.
        """
        location = caller_location()
        self._check_key(key, location)
        if not isinstance(value, str) and not is_token(value):
            raise ConstructError(f"tag {key!r}: the value must be a string, got {type(value).__name__}",
                                 path=self._scope.path or None, location=location)
        self._register(_TagAspect(key=key, value=value, remove=False, priority=_priority(priority, self, location),
                                  include=resource_types(include_resource_types, self._scope, location),
                                  exclude=resource_types(exclude_resource_types, self._scope, location),
                                  flag=bool(apply_to_launched_instances), depth=_depth(self._scope)), location)

    def remove(self, key: str, *, include_resource_types: Iterable[str] | None = None,
               exclude_resource_types: Iterable[str] | None = None, priority: int = REMOVE_PRIORITY) -> None:
        """Take the tag `key` off every resource below the scope (set there or inherited)."""
        location = caller_location()
        self._check_key(key, location)
        self._register(_TagAspect(key=key, value=None, remove=True, priority=_priority(priority, self, location),
                                  include=resource_types(include_resource_types, self._scope, location),
                                  exclude=resource_types(exclude_resource_types, self._scope, location),
                                  flag=True, depth=_depth(self._scope)), location)

    def _check_key(self, key: Any, location: SourceLocation | None) -> None:
        if not isinstance(key, str) or not key:
            raise ConstructError(f"a tag key must be a non-empty string, got {key!r}", path=self._scope.path or None,
                                 location=location)

    def _register(self, aspect: _TagAspect, location: SourceLocation | None) -> None:
        _added(self._scope).append(_Added(aspect, location))

    @property
    def scope(self) -> Construct:
        return self._scope


def _priority(value: Any, tags: Tags, location: SourceLocation | None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConstructError(f"priority must be an integer, got {value!r}", path=tags.scope.path or None,
                             location=location)
    return value


def resource_types(given: Iterable[str] | None, scope: Construct, location: SourceLocation | None
                   ) -> frozenset[str] | None:
    """The resource types named, each checked against the registry (with a did-you-mean)."""
    if given is None:
        return None
    if isinstance(given, str):
        given = [given]
    from iac.specs import provider_types, suggest_type

    known = provider_types("us-east-1")
    for name in given:
        if not isinstance(name, str) or (name not in known and not name.startswith("Custom::")):
            close = suggest_type(name) if isinstance(name, str) else None
            raise ConstructError(f"{name!r} is not a CloudFormation resource type", path=scope.path or None,
                                 location=location, hint=f"did you mean {close!r}?" if close else
                                 "write the type as CloudFormation does, e.g. 'AWS::S3::Bucket'")
    return frozenset(given)


def _depth(scope: Construct) -> int:
    depth, node = 0, scope
    while node.scope is not None:
        depth, node = depth + 1, node.scope
    return depth


@attrs.frozen(kw_only=True, eq=False)
class _TagAspect:
    """One add or remove, visiting every CfnResource below its scope."""

    key: str
    value: Any
    remove: bool
    priority: int
    include: frozenset[str] | None
    exclude: frozenset[str] | None
    flag: bool
    depth: int

    def visit(self, node: Construct) -> None:
        if not isinstance(node, CfnResource):
            return
        if self.include is not None and node.resource_type not in self.include:
            return
        if self.exclude is not None and node.resource_type in self.exclude:
            return
        manager = _TagManager.of(node)
        if manager is not None:
            manager.apply(self)


@attrs.define
class _Entry:
    value: Any  # None: removed
    priority: int
    depth: int
    flag: bool = True


@attrs.define
class _TagManager:
    """The tags one resource ends with: its own (captured once) and what the tag aspects set, by precedence."""

    resource: CfnResource
    property: str
    shape: str
    flags: tuple[str, ...]
    own: Any  # the property as the resource's code set it
    written: Any = None  # what this manager last wrote into the property
    entries: dict[str, _Entry] = attrs.field(factory=dict)
    seen: set[int] = attrs.field(factory=set)

    @staticmethod
    def of(resource: CfnResource) -> _TagManager | None:
        from iac.specs import tagging

        manager: _TagManager | None = resource.__dict__.get("_iac_tags")
        if manager is None:
            region = getattr(resource.stack, "region", None)
            try:
                how = tagging(resource.resource_type, region if isinstance(region, str) else "us-east-1")
            except ConstructError:
                how = None
            if how is None:
                return None
            manager = _TagManager(resource, how.property, how.shape, how.item_flags,
                                  resource.properties.get(how.property))
            resource.__dict__["_iac_tags"] = manager
        current = resource.properties.get(manager.property)
        if current is not manager.written:  # the code changed the property since: that is its own tags now
            manager.own, manager.written = current, None
            if manager.entries:
                manager._write()
        return manager

    def apply(self, aspect: _TagAspect) -> None:
        if id(aspect) in self.seen:
            return
        self.seen.add(id(aspect))
        if self.own is not None and not isinstance(self.own, dict if self.shape == "map" else list):
            return  # a whole-property token (Fn::If ...) or another shape: the resource's code decides alone
        entry = _Entry(None if aspect.remove else aspect.value, aspect.priority, aspect.depth, aspect.flag)
        own = self._own_keys()
        current = self.entries.get(aspect.key)
        if current is None and aspect.key in own:
            current = _Entry(own[aspect.key], OWN_PRIORITY, _OWN_DEPTH)
        if current is not None and (entry.priority, entry.depth) < (current.priority, current.depth):
            return
        self.entries[aspect.key] = entry
        self._write()

    def _own_keys(self) -> dict[str, Any]:
        if isinstance(self.own, dict):
            return {key: value for key, value in self.own.items() if isinstance(key, str)}
        if isinstance(self.own, list):
            return {item["Key"]: item.get("Value") for item in self.own
                    if isinstance(item, dict) and isinstance(item.get("Key"), str)}
        return {}

    def _write(self) -> None:
        if self.shape == "map":
            mapped = {key: value for key, value in (self.own or {}).items() if key not in self.entries}
            mapped.update({key: e.value for key, e in sorted(self.entries.items()) if e.value is not None})
            result: Any = mapped
        else:
            items: list[Any] = []
            for item in self.own or []:  # the resource's own tags keep their place, with the winning value
                key = item.get("Key") if isinstance(item, dict) else None
                if not isinstance(key, str) or key not in self.entries:
                    items.append(item)
                elif self.entries[key].value is not None:
                    items.append(self._item(key, self.entries[key]))
            own = self._own_keys()
            items.extend(self._item(key, e) for key, e in sorted(self.entries.items())
                         if e.value is not None and key not in own)
            result = items
        if result:
            self.resource.properties[self.property] = result
        else:
            self.resource.properties.pop(self.property, None)
            result = None
        self.written = result

    def _item(self, key: str, entry: _Entry) -> dict[str, Any]:
        return {"Key": key, "Value": entry.value, **{flag: entry.flag for flag in self.flags}}


__all__ = ["Tags"]
