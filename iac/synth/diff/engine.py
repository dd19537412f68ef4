"""The diff engine: two templates of one stack -> the change set CloudFormation would make.

1. Pair resources by logical id: only new is Add, only old is Remove, a changed Type is Remove + Add
   (and a deployability error); otherwise each top-level property that differs after normalization
   is a Static detail whose RequiresRecreation comes from the registry schema's
   createOnlyProperties (Always) and conditionalCreateOnlyProperties (Conditionally), nested paths
   included.
2. Propagate: a replaced resource gets a new physical id and new attributes, so every property that
   reaches it (Ref, GetAtt in both forms, ${X} / ${X.Attr} in Fn::Sub, at any depth of Join/If/
   Select) gets a Dynamic detail; where that property is create-only the referring resource is
   replaced too. A worklist runs this to a fixed point; a resource is revisited only when its
   replacement grows (False -> Conditional -> True), so the work is linear in the template size.
"""

from __future__ import annotations

import functools
import marshal
from collections import defaultdict
from typing import Any

from iac.specs import (
    DEFAULT_REGION,
    ReplacementCorrection,
    ResourceSchema,
    property_names,
    property_schema,
    replacement_corrections,
    resource_schema,
)
from iac.synth.diff import knowledge
from iac.synth.diff.conditions import SAME, WILL, Conditions, Status, if_conditions
from iac.synth.diff.model import (
    ADD,
    ALWAYS,
    CONDITIONALLY,
    DIRECT,
    DYNAMIC,
    MODIFY,
    NEVER,
    PARAMETER_REFERENCE,
    REMOVE,
    RESOURCE_ATTRIBUTE,
    RESOURCE_REFERENCE,
    STATIC,
    Detail,
    ResourceChange,
    StackDiff,
    Target,
)
from iac.synth.diff.normalize import canonical_json, normalize, normalize_resource
from iac.synth.references import looked_up_names, lookup_occurrences, reference_occurrences, referenced_names
from iac.synth.template import ResourcePair, construct_path, resource_pair, section
from iac.synth.template import resource_type as _type
from iac.synth.template import resources as _resources

#: Resource attributes besides Properties that CloudFormation compares. (Condition is not one: a resource whose
#: condition changes value is created or deleted, and one whose condition is renamed is not updated at all.)
OTHER_ATTRIBUTES = ("Metadata", "DeletionPolicy", "UpdateReplacePolicy", "UpdatePolicy", "CreationPolicy")
_RANK = {"False": 0, "Conditional": 1, "True": 2}
_RECREATION_RANK = {NEVER: 0, CONDITIONALLY: 1, ALWAYS: 2}
_REMOVE_POLICY_ACTIONS = {"Retain": "Retain", "RetainExceptOnCreate": "Retain", "Snapshot": "Snapshot"}
_REPLACE_POLICY_ACTIONS = {"Retain": "ReplaceAndRetain", "Snapshot": "ReplaceAndSnapshot"}


def identical_resources(old: dict[str, Any] | None, new: dict[str, Any] | None) -> frozenset[str]:
    """Logical ids whose entries are the same to the byte on both sides (most of them, usually).

    They need no normalization; `==` alone is not enough (True == 1, but CloudFormation reads "true"
    and "1"), so the marshalled bytes must match too.
    """
    old_resources, new_resources = _resources(old), _resources(new)
    same = []
    for logical_id, resource in new_resources.items():
        before = old_resources.get(logical_id)
        if before is not None and before == resource:
            try:
                if marshal.dumps(before, 0) == marshal.dumps(resource, 0):
                    same.append(logical_id)
            except ValueError:  # a value marshal cannot write: compare the normal way
                pass
    return frozenset(same)


def diff_resources(old: dict[str, Any], new: dict[str, Any], *, stack: str, region: str | None,
                   parameter_changes: dict[str, bool] | None = None,
                   entry_changes: set[str] | None = None,
                   identical: frozenset[str] = frozenset(),
                   conditions: Conditions | None = None, resources: ResourcePair | None = None) -> StackDiff:
    """Resource changes between two templates of `stack` (None/{} for a stack on one side only).

    `resources`: the two templates' Resources (iac.synth.template.resource_pair), when the caller has them."""
    region = region or DEFAULT_REGION
    conds = conditions or Conditions(old or {}, new or {})
    old_resources, new_resources = resource_pair(old, new, resources)
    result = StackDiff(stack=stack)
    changes: dict[str, ResourceChange] = {}
    replaced_type: set[str] = set()
    not_deployed: set[str] = set()  # under a condition known to be false on both sides
    for logical_id, resource in new_resources.items():
        before = old_resources.get(logical_id)
        if before is None:
            exists = _exists(conds, None, resource) if "Condition" in resource else _NEW_THERE
            if exists.new is False:
                not_deployed.add(logical_id)
                changes[logical_id] = ResourceChange(action=MODIFY, logical_id=logical_id,
                                                     resource_type=_type(resource))
            else:
                changes[logical_id] = _added(logical_id, resource, certain=exists.new is True,
                                             reasons=_existence_reasons(exists, None, _condition(resource)))
        elif _type(before) != _type(resource):
            replaced_type.add(logical_id)
            result.resources.append(_removed(logical_id, before))
            changes[logical_id] = _added(logical_id, resource)
        else:
            exists = _exists(conds, before, resource) if "Condition" in before or "Condition" in resource \
                else _ALWAYS_THERE
            if exists.change != SAME:
                changes[logical_id] = _existence_change(logical_id, before, resource, exists)
            elif exists.new is False:
                not_deployed.add(logical_id)
                changes[logical_id] = ResourceChange(action=MODIFY, logical_id=logical_id,
                                                     resource_type=_type(resource))
            elif logical_id in identical and not (conds.changed and _branches_on(resource, conds.changed)):
                changes[logical_id] = ResourceChange(action=MODIFY, logical_id=logical_id,
                                                     resource_type=_type(resource),
                                                     construct_path=construct_path(resource))
            else:
                changes[logical_id] = _compare(logical_id, before, resource, region, conds)
    removed = []
    for logical_id, resource in old_resources.items():
        if logical_id in new_resources:
            continue
        exists = _exists(conds, resource, None) if "Condition" in resource else _WAS_THERE
        if exists.old is not False:
            removed.append(_removed(logical_id, resource, certain=exists.old is True,
                                    reasons=_existence_reasons(exists, _condition(resource), None)))
    _propagate(changes, new_resources, old_resources, replaced_type, parameter_changes or {}, entry_changes or set(),
               region, conds, not_deployed)
    for logical_id in new_resources:
        change = changes[logical_id]
        if logical_id in not_deployed:
            continue
        if change.action != MODIFY or change.details:
            _finish(change, new_resources[logical_id])
            result.resources.append(change)
    result.resources.extend(removed)
    return result


# -- conditions: whether a resource exists ----------------------------------------------------

_ALWAYS_THERE = Status(change=SAME, old=True, new=True)
_NEW_THERE = Status(change=SAME, old=False, new=True)
_WAS_THERE = Status(change=SAME, old=True, new=False)


def _condition(resource: dict[str, Any] | None) -> str | None:
    value = resource.get("Condition") if resource is not None else None
    return value if isinstance(value, str) else None


def _exists(conds: Conditions, before: dict[str, Any] | None, after: dict[str, Any] | None) -> Status:
    """Whether the resource exists in the deployed stack (old) and after the deployment (new)."""
    old_name, new_name = _condition(before), _condition(after)
    if before is None:
        return Status(change=SAME, old=False, new=True if new_name is None else conds.new_value(new_name))
    if after is None:
        return Status(change=SAME, old=True if old_name is None else conds.old_value(old_name), new=False)
    if old_name is None and new_name is None:
        return Status(change=SAME, old=True, new=True)
    return conds.status(old_name, new_name)


def _existence_change(logical_id: str, before: dict[str, Any], after: dict[str, Any], exists: Status
                      ) -> ResourceChange:
    """A resource in both templates whose condition may change value: created, or deleted (or either)."""
    reasons = _existence_reasons(exists, _condition(before), _condition(after))
    if exists.new is True:
        return _added(logical_id, after, certain=exists.change == WILL, reasons=reasons)
    change = _removed(logical_id, before, certain=exists.change == WILL and exists.new is False, reasons=reasons)
    change.construct_path = construct_path(after) or change.construct_path
    return change


def _existence_reasons(exists: Status, old_name: str | None, new_name: str | None) -> list[str]:
    if old_name is None and new_name is None:
        return []
    if old_name == new_name or old_name is None or new_name is None:
        what = f"Condition {new_name or old_name}"
    else:
        what = f"its Condition, changed from {old_name} to {new_name},"
    if exists.new is True and exists.old is False:
        return [f"created: {what} becomes true"]
    if exists.new is False and exists.old is True:
        return [f"deleted: {what} becomes false"]
    if exists.new is True:
        return [f"may be created: {what} is true, and may have been false (then it is updated, if at all)"]
    if exists.new is False:
        return [f"may be deleted: {what} is false, and may have been true"]
    if exists.old is False:
        return [f"may be created: {what} was false and may become true"]
    return [f"may be deleted (or created): {what} may change value; it is known only at deploy time"]


def _branches_on(resource: dict[str, Any], names: frozenset[str]) -> bool:
    return any(name in names for name in if_conditions(resource))


# -- pairing --------------------------------------------------------------------------------

def _policy(resource: dict[str, Any], key: str) -> str | None:
    """A DeletionPolicy/UpdateReplacePolicy as text; None when absent or computed (Fn::If with the
    language extensions), which counts as Delete: the data is safe only if the template says so."""
    value = resource.get(key)
    return value if isinstance(value, str) else None


def deletion_policy(resource: dict[str, Any]) -> str:
    """The DeletionPolicy CloudFormation applies, its type's default when the template sets none."""
    if resource.get("DeletionPolicy") is not None:
        return _policy(resource, "DeletionPolicy") or "Delete"
    return knowledge.default_deletion_policy(_type(resource), section(resource, "Properties"))


def _added(logical_id: str, resource: dict[str, Any], *, certain: bool = True,
           reasons: list[str] | None = None) -> ResourceChange:
    return ResourceChange(action=ADD, logical_id=logical_id, resource_type=_type(resource),
                          construct_path=construct_path(resource), certain=certain, reasons=reasons or [])


def _removed(logical_id: str, resource: dict[str, Any], *, certain: bool = True,
             reasons: list[str] | None = None) -> ResourceChange:
    action = _REMOVE_POLICY_ACTIONS.get(deletion_policy(resource), "Delete")
    return ResourceChange(action=REMOVE, logical_id=logical_id, resource_type=_type(resource),
                          construct_path=construct_path(resource), policy_action=action, certain=certain,
                          reasons=reasons or [])


# -- static comparison ----------------------------------------------------------------------

def _compare(logical_id: str, before: dict[str, Any], after: dict[str, Any], region: str,
             conds: Conditions) -> ResourceChange:
    change = ResourceChange(action=MODIFY, logical_id=logical_id, resource_type=_type(after),
                            construct_path=construct_path(after) or construct_path(before))
    raw_before, raw_after = before, after
    if not conds.empty:  # each side's Fn::Ifs with a known condition become the branch it takes
        before, after = _resolved(before, conds.known_old, conds), _resolved(after, conds.known_new, conds)
    old = normalize_resource(before)
    new = normalize_resource(after)
    if old == new and not (conds.changed and _branches_on(new, conds.changed)):
        return change
    classifier = _Classifier.for_type(_type(after), region)
    old_props, new_props = section(old, "Properties"), section(new, "Properties")
    for name in _ordered_union(old_props, new_props):
        if name in classifier.read_only:
            continue
        was, now = old_props.get(name), new_props.get(name)
        verdict = _property_verdict(classifier, conds, name, was, now, new)
        if verdict is None:
            continue
        recreation, where, certain = verdict
        shown_before = (before.get("Properties") or {}).get(name)
        shown_after = (after.get("Properties") or {}).get(name)
        cause = None
        if conds.changed:
            raw_was = (raw_before.get("Properties") or {}).get(name)
            raw_now = (raw_after.get("Properties") or {}).get(name)
            if normalize(raw_was) == normalize(raw_now):  # the same text: only a condition's value makes it differ
                cause = next((f"Conditions/{c}" for c in if_conditions(raw_now) if c in conds.changed), None)
        change.details.append(Detail(
            target=Target(attribute="Tags" if name == "Tags" else "Properties", name=name,
                          path=f"/Properties/{where}", requires_recreation=recreation),
            evaluation=STATIC if was != now else DYNAMIC, causing_entity=cause, certain=certain,
            before=shown_before, after=shown_after,
        ))
    for attribute in OTHER_ATTRIBUTES:
        if old.get(attribute) != new.get(attribute):
            change.details.append(Detail(
                target=Target(attribute=attribute, name=None, path=f"/{attribute}"),
                before=before.get(attribute), after=after.get(attribute),
            ))
    return change


def _resolved(resource: dict[str, Any], known: dict[str, bool], conds: Conditions) -> dict[str, Any]:
    if not known:
        return resource
    result = {}
    for key, value in resource.items():
        resolved = value if key in ("Type", "Condition") else conds.resolve(value, known)
        if resolved is not None:
            result[key] = resolved
    return result


def _property_verdict(classifier: _Classifier, conds: Conditions, name: str, was: Any, now: Any,
                      resource: dict[str, Any]) -> tuple[str, str, bool] | None:
    """(RequiresRecreation, the path that decides it, whether the change is certain) for property `name`, or None
    when it does not change. Values that branch on unknown conditions are compared in every world the
    conditions allow: a change in some worlds only, or a replacement in some only, is not certain."""
    if was == now and not (conds.changed and any(c in conds.changed for c in if_conditions(now))):
        return None
    if next(iter(if_conditions(was)), None) is None and next(iter(if_conditions(now)), None) is None:
        if classifier.same_unordered(name, was, now):
            return None
        recreation, where = classifier.static(name, was, now, resource)
        return recreation, where, True
    worlds = conds.worlds(was, now)
    if worlds is None:  # too many conditions to enumerate: whatever differs only may change
        recreation, where = classifier.static(name, was, now, resource)
        return recreation, where, False
    verdicts: list[tuple[str, str] | None] = []
    for old_values, new_values in worlds:
        before, after = conds.resolve(was, old_values), conds.resolve(now, new_values)
        if before == after or classifier.same_unordered(name, before, after):
            verdicts.append(None)
        else:
            verdicts.append(classifier.static(name, before, after, resource))
    changed = [verdict for verdict in verdicts if verdict is not None]
    if not changed:
        return None
    best = max(changed, key=lambda verdict: _RECREATION_RANK[verdict[0]])
    certain = len(changed) == len(verdicts) and all(verdict[0] == best[0] for verdict in changed)
    return best[0], best[1], certain


def _ordered_union(first: dict[str, Any], second: dict[str, Any]) -> list[str]:
    return list(dict.fromkeys([*second, *first]))


class _Classifier:
    """RequiresRecreation for a property path of one type, from its registry schema."""

    _cache: dict[tuple[str, str], _Classifier] = {}

    def __init__(self, resource_type: str, region: str, schema: ResourceSchema | None) -> None:
        self.resource_type, self.region = resource_type, region
        self.custom = resource_type.startswith(knowledge.CUSTOM_TYPE_PREFIX) or \
            resource_type == knowledge.CUSTOM_RESOURCE_TYPE
        self.known = schema is not None
        self.always = [_split_pointer(p) for p in schema.create_only] if schema else []
        self.conditionally = [_split_pointer(p) for p in schema.conditional_create_only] if schema else []
        self.read_only = schema.read_only_roots if schema else frozenset()
        self.schema = schema
        #: corrections that need the values or the resource to decide (match_by, unless_update_policy)
        self.special: list[tuple[tuple[str, ...], ReplacementCorrection]] = []
        if schema is not None:
            self._correct(replacement_corrections(resource_type))

    def _correct(self, corrections: tuple[ReplacementCorrection, ...]) -> None:
        """The template reference's "Update requires" over the schema's marks, one property at a time."""
        for correction in corrections:
            pointer = _split_pointer(correction.pointer)
            self.always = [p for p in self.always if p != pointer]
            self.conditionally = [p for p in self.conditionally if p != pointer]
            if correction.requires not in (ALWAYS, CONDITIONALLY):
                continue  # Never: updated in place; Fails: in place as far as replacement goes (risk.py says it fails)
            if correction.match_by or correction.unless_update_policy:
                self.special.append((pointer, correction))
            else:
                (self.always if correction.requires == ALWAYS else self.conditionally).append(pointer)

    @classmethod
    def for_type(cls, resource_type: str, region: str) -> _Classifier:
        key = (resource_type, region)
        found = cls._cache.get(key)
        if found is None:
            found = cls._cache[key] = cls(resource_type, region, resource_schema(resource_type, region))
        return found

    def same_unordered(self, name: str, before: Any, after: Any) -> bool:
        """Equal once the lists the schema marks `insertionOrder: false` are compared as sets."""
        if self.schema is None:
            return False
        node = property_schema(self.resource_type, name, region=self.region)
        if node is None:
            return False
        return _unordered(before, node, self.schema) == _unordered(after, node, self.schema)

    def static(self, name: str, before: Any, after: Any, resource: dict[str, Any] | None = None) -> tuple[str, str]:
        """Recreation for a changed top-level property `name` (values already normalized), and the
        path that decides it: the create-only pointer that changed, else the property itself."""
        if self.custom:
            return NEVER, name
        if not self.known:
            return CONDITIONALLY, name  # no schema: CloudFormation may replace; we cannot tell
        for pointer, correction in self.special:
            if pointer[0] == name and _special_changed(pointer, correction, before, after, resource):
                return correction.requires, "/".join(pointer)
        for pointers, verdict in ((self.always, ALWAYS), (self.conditionally, CONDITIONALLY)):
            for pointer in pointers:
                if pointer[0] != name:
                    continue
                if len(pointer) == 1 or _values_at(before, pointer[1:]) != _values_at(after, pointer[1:]):
                    return verdict, "/".join(pointer)
        return NEVER, name

    def at_path(self, path: tuple[str | int, ...]) -> str:
        """Recreation for a change at `path` below Properties (a reference that will change)."""
        if self.custom:
            return NEVER
        if not self.known:
            return CONDITIONALLY
        best = NEVER
        for pointers, verdict in ((self.always, ALWAYS), (self.conditionally, CONDITIONALLY)):
            for pointer in pointers:
                if _prefix_of(pointer, path):
                    return verdict
                if _prefix_of(path, pointer):
                    best = CONDITIONALLY  # the value that holds the create-only part is computed
        for pointer, _ in self.special:
            if _prefix_of(pointer, path) or _prefix_of(path, pointer):
                best = CONDITIONALLY
        return best


def _special_changed(pointer: tuple[str, ...], correction: ReplacementCorrection, before: Any, after: Any,
                     resource: dict[str, Any] | None) -> bool:
    if correction.unless_update_policy:
        policy = section(resource or {}, "UpdatePolicy")
        if normalize(policy.get(correction.unless_update_policy)) == "true":
            return False
    rest = pointer[1:]
    if correction.match_by and rest[:1] == ("*",):
        old, new = _keyed(before, correction.match_by, rest[1:]), _keyed(after, correction.match_by, rest[1:])
        if old is None or new is None:
            return True  # computed: it may change an existing item
        return any(old[item] != new[item] for item in old.keys() & new.keys())
    return not rest or _values_at(before, rest) != _values_at(after, rest)


def _keyed(value: Any, key: str, rest: tuple[str, ...]) -> dict[str, Any] | None:
    """A list of objects as {item[key]: the value at `rest` in it}; None when the list is computed."""
    if value is None:
        return {}
    if not isinstance(value, list):
        return None
    found = {}
    for item in value:
        if not isinstance(item, dict) or not isinstance(item.get(key), str):
            return None
        found[item[key]] = _values_at(item, rest)
    return found


def _unordered(value: Any, node: dict[str, Any], schema: ResourceSchema, depth: int = 0) -> Any:
    """`value` (normalized) with every list the schema calls unordered sorted by content."""
    if depth > 32:
        return value
    node = schema.resolve(node) if "$ref" in node else node
    if isinstance(value, list):
        items_node = section(node, "items")
        items = [_unordered(item, items_node, schema, depth + 1) for item in value]
        if node.get("insertionOrder") is False:
            items.sort(key=canonical_json)
        return items
    if isinstance(value, dict):
        properties = section(node, "properties")
        return {key: _unordered(child, section(properties, key), schema, depth + 1) for key, child in value.items()}
    return value


def _split_pointer(pointer: str) -> tuple[str, ...]:
    return tuple(pointer.split("/")[2:])


def _prefix_of(prefix: tuple[Any, ...], path: tuple[Any, ...]) -> bool:
    if len(prefix) > len(path):
        return False
    return all(p == "*" or q == "*" or str(p) == str(q) for p, q in zip(prefix, path, strict=False))


def _values_at(value: Any, parts: tuple[str, ...]) -> Any:
    if not parts:
        return value
    if isinstance(value, dict) and len(value) == 1:
        key, arg = next(iter(value.items()))
        if key == "Fn::If" and isinstance(arg, list) and len(arg) == 3:
            return ["Fn::If", arg[0], _values_at(arg[1], parts), _values_at(arg[2], parts)]
        if key == "Ref" or key.startswith("Fn::"):
            return value  # computed: any change to it may change the create-only part
    head, rest = parts[0], parts[1:]
    if head == "*":
        return [_values_at(item, rest) for item in value] if isinstance(value, list) else None
    if isinstance(value, dict):
        return _values_at(value.get(head), rest)
    return None


# -- propagation ----------------------------------------------------------------------------

def _propagate(changes: dict[str, ResourceChange], new_resources: dict[str, Any], old_resources: dict[str, Any],
               replaced_type: set[str], parameter_changes: dict[str, bool], entry_changes: set[str],
               region: str, conds: Conditions, not_deployed: set[str]) -> None:
    status = {lid: _propagated(change) for lid, change in changes.items() if change.action == MODIFY}
    work: list[tuple[str, bool, str]] = [(lid, True, "resource") for lid in replaced_type]
    work += [(lid, state == "True", "resource") for lid, state in status.items() if state != "False"]
    work += [(name, certain, "parameter") for name, certain in parameter_changes.items()]
    work += [(name, False, "entry") for name in entry_changes]  # which key or branch is used is unknown
    if not work:
        return  # the usual review: nothing replaced, no parameter changed; skip indexing every reference
    # Only an entry ("Mappings/M", "Conditions/C") has lookups to follow: without one, skip that walk of every value.
    lookups = any("/" in target for target, _, _ in work)
    index = _ReferenceIndex(new_resources, changes, conds.known_new, conds, not_deployed, lookups=lookups)
    seen: dict[str, bool] = {}
    while work:
        target, certain, kind = work.pop()
        if seen.get(target) is True or (target in seen and not certain):
            continue
        seen[target] = certain
        for occurrence in index.get(target):
            referrer, name, path, attribute, in_branch = occurrence
            change = changes[referrer]
            classifier = _Classifier.for_type(change.resource_type, region)
            source = {"parameter": PARAMETER_REFERENCE, "entry": DIRECT}.get(
                kind, RESOURCE_ATTRIBUTE if attribute else RESOURCE_REFERENCE)
            sure = certain and not in_branch
            if sure and attribute and kind == "resource":
                sure = _attribute_changes(changes.get(target), _type(new_resources.get(target) or {}), attribute,
                                          region)
            detail = Detail(
                target=Target(attribute="Tags" if name == "Tags" else "Properties", name=name,
                              path="/Properties/" + "/".join(str(p) for p in path),
                              requires_recreation=classifier.at_path(path)),
                evaluation=DYNAMIC, change_source=source,
                causing_entity=f"{target}.{attribute}" if attribute else target, certain=sure,
            )
            if _add_detail(change, detail):
                before, after = status.get(referrer, "False"), _propagated(change)
                status[referrer] = after
                if _RANK[after] > _RANK[before]:
                    work.append((referrer, after == "True", "resource"))


def _attribute_changes(change: ResourceChange | None, resource_type: str, attribute: str, region: str) -> bool:
    """Whether attribute `attribute` surely takes a new value when its resource is replaced: an identity (an ARN,
    an id, a name, a URL) does; one that echoes a property of the resource (a security group's VpcId, a VPC's
    CidrBlock) does only when that property surely changes; one the service picks (an availability zone) may be
    the same after the replacement."""
    last = attribute.split(".")[-1]
    if last in _writable(resource_type, region):
        return change is not None and any(d.target.name == last and d.evaluation == STATIC and d.certain
                                          for d in change.details)
    return last.endswith(knowledge.IDENTITY_ATTRIBUTE_SUFFIXES)


@functools.cache
def _writable(resource_type: str, region: str) -> frozenset[str]:
    schema = resource_schema(resource_type, region)
    return property_names(resource_type, region=region) - schema.read_only_roots if schema else frozenset()


def _add_detail(change: ResourceChange, detail: Detail) -> bool:
    for existing in change.details:
        if existing.target.path == detail.target.path and existing.causing_entity == detail.causing_entity:
            if existing.certain or not detail.certain:
                return False
            change.details.remove(existing)
            break
    change.details.append(detail)
    return True


#: (referring resource, property name, property path, attribute or None, in an Fn::If branch)
_Occurrence = tuple[str, str, tuple[str | int, ...], str | None, bool]


class _ReferenceIndex:
    """target -> [(referring resource, property name, property path, attribute or None, in an Fn::If branch)].

    Only resources present on both sides refer in a way that can change (an Add is new anyway); an Fn::If whose
    condition is known counts with the branch it takes only. `lookups`: also index each Fn::FindInMap and Fn::If
    under its entry ("Mappings/M", "Conditions/C").

    Built in two steps, so the cost stays linear and small however few resources propagation reaches: the names
    each resource refers to, for every resource (a walk that builds no paths); the occurrences with their paths
    only for the resources that refer to a target propagation asks for, once each.
    """

    def __init__(self, new_resources: dict[str, Any], changes: dict[str, ResourceChange], known: dict[str, bool],
                 conds: Conditions, not_deployed: set[str], *, lookups: bool = True) -> None:
        self._lookups = lookups
        self._properties: dict[str, dict[str, Any]] = {}
        self._referrers: dict[str, list[str]] = defaultdict(list)
        self._occurrences: dict[str, dict[str, list[_Occurrence]]] = {}
        for logical_id, resource in new_resources.items():
            if changes[logical_id].action != MODIFY or logical_id in not_deployed:
                continue
            properties = resource.get("Properties")
            if known and isinstance(properties, dict):
                properties = conds.resolve(properties, known)
            if not isinstance(properties, dict):
                continue
            self._properties[logical_id] = properties
            values = list(properties.values())  # each property on its own, as a list walks its items
            names = referenced_names(values)
            if lookups:
                names |= looked_up_names(values)
            for name in names:
                self._referrers[name].append(logical_id)

    def targets(self) -> list[str]:
        return list(self._referrers)

    def get(self, target: str) -> list[_Occurrence]:
        """The occurrences of `target`, by referring resource in template order, then as each resource has them."""
        found: list[_Occurrence] = []
        for referrer in self._referrers.get(target, ()):
            found.extend(self._of(referrer).get(target, ()))
        return found

    def _of(self, logical_id: str) -> dict[str, list[_Occurrence]]:
        by_target = self._occurrences.get(logical_id)
        if by_target is None:
            by_target = self._occurrences[logical_id] = defaultdict(list)
            for name, value in self._properties[logical_id].items():
                for target, path, attribute in reference_occurrences(value, (name,)):
                    where, in_branch = _property_path(path)
                    by_target[target].append((logical_id, name, where, attribute, in_branch))
                if not self._lookups:
                    continue
                for entry, path in lookup_occurrences(value, (name,)):
                    where, _ = _property_path(path)
                    by_target[entry].append((logical_id, name, where, None, True))
        return by_target


def _reference_index(new_resources: dict[str, Any], changes: dict[str, ResourceChange], known: dict[str, bool],
                     conds: Conditions, not_deployed: set[str], *, lookups: bool = True
                     ) -> dict[str, list[_Occurrence]]:
    """Every target's occurrences at once: what `_ReferenceIndex` gives one target at a time."""
    index = _ReferenceIndex(new_resources, changes, known, conds, not_deployed, lookups=lookups)
    return {target: index.get(target) for target in index.targets()}


@functools.lru_cache(maxsize=4096)  # the same paths recur in every resource of a kind
def _property_path(path: tuple[str | int, ...]) -> tuple[tuple[str | int, ...], bool]:
    """The property a reference changes, as a template path (no function names), and whether it sits
    in a branch of an Fn::If (then it changes only if the condition picks that branch).

    `A/Fn::If/1/B` is property `A/B` in a branch; `A/Fn::Join/1/0` is `A` (the function computes A).
    """
    kept: list[str | int] = []
    in_branch = False
    index = 0
    while index < len(path):
        part = path[index]
        if part == "Fn::If" and index + 1 < len(path) and path[index + 1] in (1, 2):
            in_branch = True
            index += 2
            continue
        if isinstance(part, str) and (part.startswith("Fn::") or part == "Ref"):
            break
        kept.append(part)
        index += 1
    return tuple(kept), in_branch


# -- verdicts -------------------------------------------------------------------------------

def _propagated(change: ResourceChange) -> str:
    """Whether the resource gets a new physical id, as its referrers see it: "True" when that is certain (a
    create-only property changes for sure, to a known value or to a replaced resource's new id), which makes
    their details certain; the change set's own Replacement field (`_replacement`) says Conditional for the
    computed ones all the same."""
    verdict = "False"
    for detail in change.details:
        recreation = detail.target.requires_recreation
        if recreation == ALWAYS and detail.certain:
            return "True"
        if recreation in (ALWAYS, CONDITIONALLY):
            verdict = "Conditional"
    return verdict


def _replacement(change: ResourceChange) -> str:
    """CloudFormation's rule: a create-only property changed to a known value (Static) replaces the resource
    (True); one whose new value is computed at deploy time (Dynamic: a reference to a replaced resource, a
    parameter) may replace it (Conditional), and so may a change that happens only in some of the worlds the
    conditions allow (not certain)."""
    verdict = "False"
    for detail in change.details:
        recreation = detail.target.requires_recreation
        if recreation == ALWAYS and detail.certain and detail.evaluation == STATIC:
            return "True"
        if recreation in (ALWAYS, CONDITIONALLY):
            verdict = "Conditional"
    return verdict


def _finish(change: ResourceChange, resource: dict[str, Any]) -> None:
    if change.action != MODIFY:
        return
    change.replacement = _replacement(change)
    if change.is_replacement:
        policy = _policy(resource, "UpdateReplacePolicy")
        change.policy_action = _REPLACE_POLICY_ACTIONS.get(policy, "ReplaceAndDelete") if policy else "ReplaceAndDelete"
        change.reasons = _reasons(change)


def _reasons(change: ResourceChange) -> list[str]:
    reasons: list[str] = []
    for detail in change.details:
        recreation = detail.target.requires_recreation
        if recreation == NEVER:
            continue
        may = "" if recreation == ALWAYS and detail.certain and detail.evaluation == STATIC else "may "
        where = detail.target.path.removeprefix("/Properties/")
        what = f"create-only property {where}" if recreation == ALWAYS else \
            f"property {where} (create-only in some cases)"
        if detail.evaluation == DYNAMIC:
            cause = detail.causing_entity or "?"
            kind = {PARAMETER_REFERENCE: "parameter", DIRECT: "changed"}.get(detail.change_source, "replacement of")
            text = f"{may}replace: {what} follows the {kind} {cause.replace('/', ' ')}"
        elif not detail.certain:
            text = f"may replace: {what} changes in some branches of its Fn::If only (which one is taken is " \
                "known at deploy time)"
        else:
            text = f"{may}replace: {what} changed"
        if text not in reasons:
            reasons.append(text)
    return reasons


