"""What to know before deploying: stored data at risk, likely renames, changes CloudFormation refuses."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from iac.specs import DEFAULT_REGION, is_stateful, primary_identifier, replacement_corrections, resource_schema
from iac.synth.diff import knowledge
from iac.synth.diff.findings import (
    d001_data_deleted,
    d002_data_replaced,
    d003_rename,
    d004_type_change,
    d005_custom_name_replaced,
    d006_name_still_held,
    d007_update_refused,
)
from iac.synth.diff.model import ADD, MODIFY, REMOVE, Finding, ResourceChange
from iac.synth.diff.normalize import canonical_json, normalize
from iac.synth.template import ResourcePair, construct_path, resource_pair

#: Near-renames are searched among at most this many adds and removes of one type (quadratic part).
NEAR_RENAME_LIMIT = 40
NEAR_RENAME_SIMILARITY = 0.8


def data_at_risk(changes: list[ResourceChange], old: dict[str, Any], new: dict[str, Any], *,
                 resources: ResourcePair | None = None) -> list[Finding]:
    findings = []
    old_resources, new_resources = resource_pair(old, new, resources)
    for change in changes:
        if not is_stateful(change.resource_type):
            continue
        if change.action == REMOVE and change.policy_action == "Delete":
            policy = old_resources.get(change.logical_id, {}).get("DeletionPolicy")
            change.data_at_risk = True
            findings.append(d001_data_deleted.finding(change, _shown(policy)))
        elif change.action == MODIFY and change.policy_action == "ReplaceAndDelete":
            policy = new_resources.get(change.logical_id, {}).get("UpdateReplacePolicy")
            change.data_at_risk = True
            findings.append(d002_data_replaced.finding(change, _shown(policy)))
    return findings


def _shown(policy: Any) -> str:
    if policy is None:
        return "Delete (default)"
    return policy if isinstance(policy, str) else f"computed ({canonical_json(policy)}), so it may be Delete"


def renames(changes: list[ResourceChange], old: dict[str, Any], new: dict[str, Any], *,
            resources: ResourcePair | None = None) -> list[Finding]:
    """A Remove and an Add of one type with equal (or nearly equal) properties: a renamed construct."""
    old_resources, new_resources = resource_pair(old, new, resources)
    removed: dict[str, list[str]] = defaultdict(list)
    added: dict[str, list[str]] = defaultdict(list)
    renamed_paths = _paths(old_resources) ^ _paths(new_resources)
    for change in changes:
        if change.construct_path and change.construct_path not in renamed_paths:
            continue  # same construct, new id on purpose (a content hash: a Lambda Version, a Deployment)
        if change.action == REMOVE and change.logical_id not in new_resources:
            removed[change.resource_type].append(change.logical_id)
        elif change.action == ADD and change.logical_id not in old_resources:
            added[change.resource_type].append(change.logical_id)
    findings: list[Finding] = []
    for resource_type, new_ids in added.items():
        candidates = removed.get(resource_type)
        if not candidates:
            continue
        by_content: dict[str, list[str]] = defaultdict(list)
        for old_id in candidates:
            by_content[_content_key(old_resources[old_id])].append(old_id)
        unmatched_new: list[str] = []
        for new_id in new_ids:
            same = by_content.get(_content_key(new_resources[new_id]))
            if same:
                findings.append(_rename(same.pop(0), new_id, new_resources[new_id]))
            else:
                unmatched_new.append(new_id)
        left = [old_id for ids in by_content.values() for old_id in ids]
        if unmatched_new and left and len(unmatched_new) <= NEAR_RENAME_LIMIT and len(left) <= NEAR_RENAME_LIMIT:
            findings.extend(_near_renames(unmatched_new, left, old_resources, new_resources))
    return findings


def _near_renames(new_ids: list[str], old_ids: list[str], old_resources: dict[str, Any],
                  new_resources: dict[str, Any]) -> list[Finding]:
    old_leaves = {old_id: _leaves(old_resources[old_id]) for old_id in old_ids}
    findings = []
    for new_id in new_ids:
        leaves = _leaves(new_resources[new_id])
        best, score = None, 0.0
        for old_id, other in old_leaves.items():
            union = leaves | other
            similarity = len(leaves & other) / len(union) if union else 1.0
            if similarity > score:
                best, score = old_id, similarity
        if best is not None and score >= NEAR_RENAME_SIMILARITY:
            del old_leaves[best]
            findings.append(_rename(best, new_id, new_resources[new_id], nearly=True))
    return findings


def _rename(old_id: str, new_id: str, resource: dict[str, Any], nearly: bool = False) -> Finding:
    return d003_rename.finding(old_id, new_id, construct_path(resource) or new_id, nearly)


def _paths(resources: dict[str, Any]) -> set[str]:
    """The construct paths named by iac:path metadata."""
    return {path for path in map(construct_path, resources.values()) if path is not None}


def _content_key(resource: dict[str, Any]) -> str:
    return canonical_json(normalize(resource.get("Properties") or {}))


def _leaves(resource: dict[str, Any]) -> set[str]:
    found: set[str] = set()
    pending: list[tuple[str, Any]] = [("", normalize(resource.get("Properties") or {}))]
    while pending:
        path, value = pending.pop()
        if isinstance(value, dict) and value:
            pending.extend((f"{path}/{k}", v) for k, v in value.items())
        elif isinstance(value, list) and value:
            pending.extend((f"{path}/{i}", v) for i, v in enumerate(value))
        else:
            found.add(f"{path}={canonical_json(value)}")
    return found


def deployability(changes: list[ResourceChange], old: dict[str, Any], new: dict[str, Any],
                  region: str | None, *, resources: ResourcePair | None = None) -> list[Finding]:
    """Changes CloudFormation will refuse or fail on, said before deploying."""
    region = region or DEFAULT_REGION
    old_resources, new_resources = resource_pair(old, new, resources)
    findings: list[Finding] = []
    for logical_id, resource in new_resources.items():
        before = old_resources.get(logical_id)
        if before is not None and before.get("Type") != resource.get("Type"):
            findings.append(d004_type_change.finding(logical_id, before.get("Type"), resource.get("Type")))
    findings.extend(_refused_updates(changes))
    for change in changes:
        if change.action == MODIFY and change.is_replacement:
            names = _fixed_names(change.resource_type, new_resources[change.logical_id], region)
            old_names = _fixed_names(change.resource_type, old_resources.get(change.logical_id, {}), region)
            kept = {name: value for name, value in names.items() if old_names.get(name) == value}
            if kept:
                name, value = next(iter(kept.items()))
                findings.append(d005_custom_name_replaced.finding(change, name, value))
    held: dict[tuple[str, str, str], str] = {}
    for change in changes:
        if change.action == REMOVE:
            for name, value in _fixed_names(change.resource_type, old_resources.get(change.logical_id, {}),
                                            region).items():
                held[(change.resource_type, name, value)] = change.logical_id
    for change in changes:
        if change.action != ADD:
            continue
        for name, value in _fixed_names(change.resource_type, new_resources[change.logical_id], region).items():
            holder = held.get((change.resource_type, name, value))
            if holder:
                findings.append(d006_name_still_held.finding(change.logical_id, name, value, holder))
    return findings


def _refused_updates(changes: list[ResourceChange]) -> list[Finding]:
    """Properties whose update CloudFormation refuses (a "Fails" replacement correction, iac/spec_corrections.json)."""
    findings = []
    for change in changes:
        if change.action != MODIFY or not change.details:
            continue
        refused = {c.pointer.split("/")[2]: c for c in replacement_corrections(change.resource_type)
                   if c.requires == "Fails"}
        for detail in change.details:
            correction = refused.get(detail.target.name or "") if detail.target.attribute == "Properties" else None
            if correction is None:
                continue
            certain = detail.certain and detail.evaluation == "Static"
            findings.append(d007_update_refused.finding(change, detail.target.name or "", certain, correction))
    return findings


def _fixed_names(resource_type: str, resource: dict[str, Any], region: str) -> dict[str, str]:
    """Create-only name properties (primary identifier or *Name / *Identifier) set to a literal."""
    properties = resource.get("Properties")
    if not isinstance(properties, dict):
        return {}
    schema = resource_schema(resource_type, region)
    if schema is None:
        return {}
    identifiers = set(primary_identifier(resource_type, region=region))
    found = {}
    for pointer in schema.create_only:
        parts = pointer.split("/")[2:]
        if len(parts) != 1:
            continue
        name = parts[0]
        if name in identifiers or name.endswith(knowledge.NAME_PROPERTY_SUFFIXES):
            value = properties.get(name)
            if isinstance(value, str | int) and not isinstance(value, bool):
                found[name] = str(value)
    return found
