"""Which logical names a piece of template refers to (Ref, GetAtt in both forms, ${X} in Sub).

Works on plain template JSON, so it serves synthesized templates and templates read from files
alike (cycle detection, validation, diff propagation).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

_SUB_VARIABLE = re.compile(r"\$\{([^!}][^}]*)\}")


def sub_variables(template: str) -> Iterator[str]:
    """Names used as ${Name} or ${Name.Attr} in an Fn::Sub string (not ${!Literal})."""
    for match in _SUB_VARIABLE.finditer(template):
        yield match.group(1).strip().split(".", 1)[0]


def sub_expressions(template: str) -> Iterator[str]:
    """The full ${...} expressions of an Fn::Sub string: "Name" or "Name.Attr" (not ${!Literal})."""
    for match in _SUB_VARIABLE.finditer(template):
        yield match.group(1).strip()


def referenced_names(value: Any) -> set[str]:
    """Every logical name `value` reaches through Ref, Fn::GetAtt or Fn::Sub (pseudo parameters too)."""
    names: set[str] = set()
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, list):
            pending.extend(item)
            continue
        if not isinstance(item, dict):
            continue
        if len(item) == 1:
            key, arg = next(iter(item.items()))
            if key == "Ref" and isinstance(arg, str):
                names.add(arg)
                continue
            if key == "Fn::GetAtt":
                target = _getatt_target(arg)
                if target is not None:
                    names.add(target)
                if isinstance(arg, list):
                    pending.extend(arg[1:])
                continue
            if key == "Fn::Sub":
                names.update(_sub_references(arg))
                if isinstance(arg, list) and len(arg) == 2:
                    pending.append(arg[1])
                continue
        pending.extend(item.values())
    return names


def _getatt_target(arg: Any) -> str | None:
    if isinstance(arg, list) and arg and isinstance(arg[0], str):
        return arg[0]
    if isinstance(arg, str):
        return arg.split(".", 1)[0]
    return None


def _sub_references(arg: Any) -> set[str]:
    if isinstance(arg, str):
        return set(sub_variables(arg))
    if isinstance(arg, list) and arg and isinstance(arg[0], str):
        local = set(arg[1]) if len(arg) > 1 and isinstance(arg[1], dict) else set()
        return {name for name in sub_variables(arg[0]) if name not in local}
    return set()


def functions_used(value: Any) -> set[str]:
    """Intrinsic function names (keys starting with "Fn::") that appear anywhere in `value`."""
    found: set[str] = set()
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, dict):
            for key, child in item.items():
                if key.startswith("Fn::"):
                    found.add(key)
                pending.append(child)
        elif isinstance(item, list):
            pending.extend(item)
    return found


def resource_dependencies(resource: dict[str, Any], resource_ids: set[str] | dict[str, Any]) -> set[str]:
    """The resources this template entry must wait for: references plus DependsOn."""
    names = referenced_names({k: v for k, v in resource.items() if k not in ("DependsOn", "Condition", "Type")})
    depends_on = resource.get("DependsOn")
    if isinstance(depends_on, str):
        names.add(depends_on)
    elif isinstance(depends_on, list):
        names.update(d for d in depends_on if isinstance(d, str))
    return {name for name in names if name in resource_ids}
