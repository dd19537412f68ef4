"""Reading values in a template that may be literals or intrinsic functions.

A check says only what the template says: a value computed at deploy time (`Ref` to a parameter,
`Fn::If`, `Fn::GetAtt`) is unknown, and an unknown value is never a finding.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

#: What `known` returns for a value the template computes at deploy time.
UNKNOWN: Any = object()


def is_intrinsic(value: Any) -> bool:
    if not isinstance(value, dict) or len(value) != 1:
        return False
    (key,) = value
    return key == "Ref" or (isinstance(key, str) and key.startswith("Fn::"))


def known(value: Any) -> Any:
    """`value`, or UNKNOWN when an intrinsic function computes it."""
    return UNKNOWN if is_intrinsic(value) else value


def is_true(value: Any) -> bool:
    """CloudFormation's true: True or "true" (any case)."""
    return value is True or (isinstance(value, str) and value.lower() == "true")


def not_true(value: Any) -> bool:
    """Whether a setting is left out or set to anything but true: off (a value computed at deploy time is
    not judged)."""
    return not is_intrinsic(value) and not is_true(value)


def is_false(value: Any) -> bool:
    return value is False or (isinstance(value, str) and value.lower() == "false")


def as_list(value: Any) -> list[Any]:
    """A value CloudFormation accepts as one item or a list of them (IAM's Action, Resource, Principal)."""
    if isinstance(value, list):
        return value
    return [] if value is None else [value]


def strings(value: Any) -> Iterator[str]:
    """The literal strings of a one-or-many value (intrinsics skipped)."""
    for item in as_list(value):
        if isinstance(item, str):
            yield item


def refers_to(value: Any, logical_id: str) -> bool:
    """Whether `value` names resource `logical_id`: a Ref, a GetAtt, or a Sub/Join that mentions it."""
    if isinstance(value, dict):
        if value.get("Ref") == logical_id:
            return True
        attribute = value.get("Fn::GetAtt")
        if isinstance(attribute, list) and attribute and attribute[0] == logical_id:
            return True
        if isinstance(attribute, str) and attribute.split(".", 1)[0] == logical_id:
            return True
        substituted = value.get("Fn::Sub")
        template = substituted[0] if isinstance(substituted, list) and substituted else substituted
        if isinstance(template, str) and ("${" + logical_id + "}" in template or "${" + logical_id + "." in template):
            return True
        return any(refers_to(child, logical_id) for child in value.values())
    if isinstance(value, list):
        return any(refers_to(child, logical_id) for child in value)
    return False


def referenced_ids(value: Any) -> set[Any]:
    """Every logical id without "}" in it (a CloudFormation logical id is alphanumeric) that
    `refers_to(value, id)` may say True for: a superset (of a Sub's "${A.B}", both "A" and "A.B"). A rule
    indexes resources by it instead of asking refers_to of every pair, which is quadratic in resources."""
    found: set[Any] = set()
    _collect_ids(value, found)
    return found


def _collect_ids(value: Any, found: set[Any]) -> None:
    if isinstance(value, dict):
        attribute = value.get("Fn::GetAtt")
        for target in (value.get("Ref"), attribute[0] if isinstance(attribute, list) and attribute else None):
            if target is not None:
                try:
                    found.add(target)
                except TypeError:  # a list or a mapping: equal to no logical id
                    pass
        if isinstance(attribute, str):
            found.add(attribute.split(".", 1)[0])
        substituted = value.get("Fn::Sub")
        template = substituted[0] if isinstance(substituted, list) and substituted else substituted
        if isinstance(template, str):
            start = template.find("${")
            while start >= 0:
                close = template.find("}", start + 2)
                name = template[start + 2:] if close < 0 else template[start + 2:close + 1]
                found.update(name[:end] for end, char in enumerate(name) if char in "}.")
                start = template.find("${", start + 2)
        for child in value.values():
            _collect_ids(child, found)
    elif isinstance(value, list):
        for child in value:
            _collect_ids(child, found)


def text_of(value: Any) -> str | None:
    """A string as far as the template writes it: a literal, or the literal parts of Fn::Join/Fn::Sub with
    each computed part as "${}" (so "arn:${}:iam::aws:policy/AdministratorAccess" can be recognised)."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and len(value) == 1:
        (function, argument), = value.items()
        if function == "Fn::Sub":
            template = argument[0] if isinstance(argument, list) and argument else argument
            if isinstance(template, str):
                return re.sub(r"\$\{[^}!]*\}", "${}", template)
        if function == "Fn::Join" and isinstance(argument, list) and len(argument) == 2:
            separator, parts = argument
            if isinstance(separator, str) and isinstance(parts, list):
                return separator.join(text_of(part) or "${}" for part in parts)
        if function == "Ref" and isinstance(argument, str) and argument.startswith("AWS::"):
            return "${}"
    return None
