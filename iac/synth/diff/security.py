"""Security changes: IAM statements and security group rules added or removed, and what widens access.

Policy documents are found by shape (an object with a Statement of Effect-bearing statements)
anywhere in a resource's properties, so roles, inline and managed policies and every resource
policy (bucket, queue, topic, key...) are covered without naming them. Managed policy attachments
and security group rules are found through the tables in `knowledge`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from iac.synth.diff import knowledge
from iac.synth.diff.model import ADD, REMOVE, RuleChange, StatementChange
from iac.synth.diff.normalize import canonical_json, mapping_at, normalize, normalize_statement
from iac.synth.template import ResourcePair, resource_pair
from iac.synth.template import resource_type as resource_type_of


def statement_changes(old: dict[str, Any], new: dict[str, Any], skip: frozenset[str] = frozenset(), *,
                      resources: ResourcePair | None = None) -> list[StatementChange]:
    """Statements added and removed; resources in `skip` are identical on both sides and not read.

    `resources`: the two templates' Resources (iac.synth.template.resource_pair), when the caller has them."""
    old_resources, new_resources = resource_pair(old, new, resources)
    before = _statements(old_resources, skip)
    after = _statements(new_resources, skip)
    changes: list[StatementChange] = []
    for key in [*after, *(k for k in before if k not in after)]:
        old_set, new_set = before.get(key, {}), after.get(key, {})
        for text, (statement, resource_type) in new_set.items():
            if text not in old_set:
                changes.append(_statement_change(ADD, key, resource_type, statement))
        for text, (statement, resource_type) in old_set.items():
            if text not in new_set:
                changes.append(_statement_change(REMOVE, key, resource_type, statement))
    return changes


def _statements(resources: dict[str, dict[str, Any]], skip: frozenset[str]
                ) -> dict[tuple[str, str], dict[str, tuple[dict[str, Any], str]]]:
    """(logical id, property path) -> {canonical statement: (statement, resource type)}."""
    found: dict[tuple[str, str], dict[str, tuple[dict[str, Any], str]]] = {}
    for logical_id, resource in _unskipped(resources, skip):
        resource_type = resource_type_of(resource)
        properties = resource.get("Properties")
        if not isinstance(properties, dict):
            continue
        for path, statement in _policy_statements(properties, ()):
            normalized = normalize_statement(statement)
            found.setdefault((logical_id, path), {})[canonical_json(normalized)] = (normalized, resource_type)
        permission = knowledge.PERMISSION_RESOURCES.get(resource_type)
        if permission is not None:
            statement = _permission_statement(properties, permission)
            found.setdefault((logical_id, "(permission)"), {})[canonical_json(statement)] = (statement, resource_type)
        for name in knowledge.MANAGED_POLICY_PROPERTIES:
            arns = properties.get(name)
            for arn in arns if isinstance(arns, list) else []:
                statement = {"Effect": "Allow", "Action": ["(managed policy)"], "Resource": [normalize(arn)]}
                found.setdefault((logical_id, name), {})[canonical_json(statement)] = (statement, resource_type)
    return found


def _permission_statement(properties: dict[str, Any], fields: dict[str, Any]) -> dict[str, Any]:
    """A resource permission written as the statement it amounts to (Allow principal action on resource)."""
    conditions = {name: normalize(properties[name]) for name in fields["conditions"] if name in properties}
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": normalize(properties.get(fields["principal"], "")),
        "Action": [normalize(properties.get(fields["action"], ""))],
        "Resource": [normalize(properties.get(fields["resource"], ""))],
    }
    if conditions:
        statement["Condition"] = conditions
    return statement


def _policy_statements(value: Any, path: tuple[str, ...]) -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(value, list):
        for index, item in enumerate(value):
            yield from _policy_statements(item, path + (str(index),))
        return
    if not isinstance(value, dict):
        return
    statements = value.get("Statement")
    if isinstance(statements, dict):
        statements = [statements]
    if isinstance(statements, list) and statements and all(isinstance(s, dict) and "Effect" in s for s in statements):
        for statement in statements:
            yield ".".join(path), statement
        return
    for key, child in value.items():
        yield from _policy_statements(child, path + (key,))


def _statement_change(action: str, key: tuple[str, str], resource_type: str, statement: dict[str, Any]
                      ) -> StatementChange:
    effect = str(statement.get("Effect", ""))
    widens = (action == ADD and effect == "Allow") or (action == REMOVE and effect == "Deny")
    actions = statement.get("Action", statement.get("NotAction", []))
    resources = statement.get("Resource", statement.get("NotResource", []))
    return StatementChange(
        action=action,
        logical_id=key[0],
        resource_type=resource_type,
        location=key[1],
        effect=effect if "NotAction" not in statement else f"{effect} (NotAction)",
        actions=tuple(_text(a) for a in actions),
        resources=tuple(_text(r) for r in resources),
        principal=_text(statement.get("Principal", statement.get("NotPrincipal", ""))),
        condition=_text(statement.get("Condition", "")),
        widens=widens,
    )


def rule_changes(old: dict[str, Any], new: dict[str, Any], skip: frozenset[str] = frozenset(), *,
                 resources: ResourcePair | None = None) -> list[RuleChange]:
    old_resources, new_resources = resource_pair(old, new, resources)
    before, after = _rules(old_resources, skip), _rules(new_resources, skip)
    changes = [_rule_change(ADD, rule) for key, rule in after.items() if key not in before]
    changes += [_rule_change(REMOVE, rule) for key, rule in before.items() if key not in after]
    return changes


def _rules(resources: dict[str, dict[str, Any]], skip: frozenset[str]
           ) -> dict[str, tuple[str, str, str, dict[str, Any]]]:
    """canonical key -> (logical id, group, direction, rule)."""
    found: dict[str, tuple[str, str, str, dict[str, Any]]] = {}
    for logical_id, resource in _unskipped(resources, skip):
        resource_type = resource_type_of(resource)
        properties = mapping_at(resource, "Properties")
        for name, direction in knowledge.RULE_LIST_PROPERTIES.get(resource_type, {}).items():
            rules = properties.get(name)
            for rule in rules if isinstance(rules, list) else []:
                if isinstance(rule, dict):
                    entry = (logical_id, logical_id, direction, normalize(rule))
                    found[canonical_json(entry)] = entry
        resource_direction = knowledge.RULE_RESOURCES.get(resource_type)
        if resource_direction:
            rule = normalize({k: v for k, v in properties.items() if k not in ("GroupId", "GroupName")})
            group = _text(normalize(properties.get("GroupId", properties.get("GroupName", ""))))
            entry = (logical_id, group, resource_direction, rule)
            found[canonical_json(entry)] = entry
    return found


def _rule_change(action: str, entry: tuple[str, str, str, dict[str, Any]]) -> RuleChange:
    logical_id, group, direction, rule = entry
    protocol = str(rule.get("IpProtocol", ""))
    low, high = rule.get("FromPort"), rule.get("ToPort")
    ports = "all" if protocol == "-1" or (low is None and high is None) else (
        str(low) if low == high else f"{low}-{high}")
    peer = next((_text(rule[k]) for k in knowledge.RULE_PEER_KEYS if k in rule), "")
    return RuleChange(action=action, logical_id=logical_id, group=group, direction=direction,
                      protocol="all" if protocol == "-1" else protocol, ports=ports, peer=peer,
                      widens=action == ADD)


def _unskipped(resources: dict[str, dict[str, Any]], skip: frozenset[str]) -> Iterator[tuple[str, dict[str, Any]]]:
    for logical_id, resource in resources.items():
        if logical_id not in skip:
            yield logical_id, resource


def _text(value: Any) -> str:
    """A compact one-line rendering: intrinsics as !Ref X / !GetAtt X.Y, lists comma-separated."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return ", ".join(_text(v) for v in value)
    if isinstance(value, dict) and len(value) == 1:
        key, arg = next(iter(value.items()))
        if key == "Ref":
            return f"!Ref {arg}"
        if key == "Fn::GetAtt" and isinstance(arg, list):
            return f"!GetAtt {'.'.join(map(str, arg))}"
        if key == "Fn::Sub" and isinstance(arg, str):
            return f"!Sub {arg}"
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)
