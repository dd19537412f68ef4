"""Normalization: cosmetic differences must never show up as changes.

Two templates that CloudFormation treats the same normalize to equal values: GetAtt "A.B" and
["A", "B"]; DependsOn ignored; scalars as CloudFormation reads them (10 and "10", true and "true");
key order; IAM policy statements as sets, with Action/Resource/Principal lists as sets and a single
string equal to a one-element list; tag lists as sets keyed by Key. Policy documents and tag lists
are recognised by their shape, not by resource type.
"""

from __future__ import annotations

import json
from typing import Any

from iac.synth.template import PATH_METADATA_KEY

#: Metadata keys iac writes for its own bookkeeping (the construct path); never a change worth showing.
IGNORED_METADATA_KEYS = frozenset({PATH_METADATA_KEY, "iac:acknowledge"})
_POLICY_LIST_KEYS = ("Action", "NotAction", "Resource", "NotResource")


def normalize(value: Any) -> Any:
    """A canonical form of a template value (dicts compare by content, so key order is gone)."""
    if isinstance(value, dict):
        if len(value) == 1:
            key, arg = next(iter(value.items()))
            if key == "Fn::GetAtt" and isinstance(arg, str) and "." in arg:
                return {"Fn::GetAtt": arg.split(".", 1)}
        if _is_policy_document(value):
            return _normalize_policy(value)
        return {key: normalize(child) for key, child in value.items()}
    if isinstance(value, list):
        items = [normalize(item) for item in value]
        if items and all(_is_tag(item) for item in items):
            return sorted(items, key=lambda tag: str(tag.get("Key")))
        return items
    return normalize_scalar(value)


def normalize_scalar(value: Any) -> Any:
    """CloudFormation passes scalars as strings: 10, 10.0 and "10" are one value; true and "true" too."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return value


def normalize_resource(resource: dict[str, Any]) -> dict[str, Any]:
    """A resource entry in canonical form, without what CloudFormation does not update a resource for:
    DependsOn (it orders operations, it changes no resource) and iac's own metadata."""
    result = {key: normalize(value) for key, value in resource.items() if key not in ("DependsOn", "Metadata")}
    metadata = resource.get("Metadata")
    if isinstance(metadata, dict):
        kept = {k: normalize(v) for k, v in metadata.items() if k not in IGNORED_METADATA_KEYS}
        if kept:
            result["Metadata"] = kept
    elif metadata is not None:
        result["Metadata"] = normalize(metadata)
    return result


def canonical_json(value: Any) -> str:
    """json.dumps(value, sort_keys=True, separators=(",", ":"), default=str), with one encoder made once
    (json.dumps makes one per call when given options: a third of the cost for the small values here)."""
    return _CANONICAL.encode(value)


_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), default=str)


def _is_tag(value: Any) -> bool:
    return isinstance(value, dict) and set(value) == {"Key", "Value"}


def _is_policy_document(value: dict[str, Any]) -> bool:
    statement = value.get("Statement")
    if isinstance(statement, dict):
        statement = [statement]
    return (
        isinstance(statement, list)
        and set(value) <= {"Version", "Statement", "Id"}
        and all(isinstance(s, dict) and ("Effect" in s) for s in statement)
    )


def _normalize_policy(document: dict[str, Any]) -> dict[str, Any]:
    statements = document["Statement"]
    if isinstance(statements, dict):
        statements = [statements]
    normalized = [normalize_statement(statement) for statement in statements]
    unique = {canonical_json(statement): statement for statement in normalized}
    result = {key: normalize(value) for key, value in document.items() if key != "Statement"}
    result["Statement"] = [unique[key] for key in sorted(unique)]
    return result


def normalize_statement(statement: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in statement.items():
        if key in _POLICY_LIST_KEYS:
            result[key] = as_sorted_set(value)
        elif key in ("Principal", "NotPrincipal") and isinstance(value, dict):
            result[key] = {kind: as_sorted_set(ids) for kind, ids in value.items()}
        else:
            result[key] = normalize(value)
    return result


def as_sorted_set(value: Any) -> list[Any]:
    """A string or list as a sorted, de-duplicated list (IAM reads both the same)."""
    items = [normalize(item) for item in (value if isinstance(value, list) else [value])]
    unique = {canonical_json(item): item for item in items}
    return [unique[key] for key in sorted(unique)]


def mapping_at(mapping: dict[str, Any], key: str) -> dict[str, Any]:
    """The mapping under `key`, or an empty one when it is absent or not a mapping: the diff reads
    templates as they are, and a malformed section is the validator's to report, not the diff's."""
    value = mapping.get(key)
    return value if isinstance(value, dict) else {}
