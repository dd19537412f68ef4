"""Which logical names a piece of template refers to (Ref, GetAtt in both forms, ${X} in Sub).

Works on plain template JSON, so it serves synthesized templates and templates read from files
alike (cycle detection, validation, diff propagation).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

_SUB_VARIABLE = re.compile(r"\$\{([^!}][^}]*)\}")


def sub_expressions(template: str) -> Iterator[str]:
    """The full ${...} expressions of an Fn::Sub string: "Name" or "Name.Attr" (not ${!Literal})."""
    for match in _SUB_VARIABLE.finditer(template):
        yield match.group(1).strip()


def referenced_names(value: Any) -> set[str]:
    """Every logical name `value` reaches through Ref, Fn::GetAtt or Fn::Sub (pseudo parameters too).

    The targets of `reference_occurrences`, found without their paths: one walk that builds no tuple
    per value, which is what cycle checks, export checks and the diff's reference index need for
    every resource of a template.
    """
    return references_and_keys(value, _NO_KEYS)[0]


def reference_occurrences(value: Any, path: tuple[str | int, ...]
                          ) -> Iterator[tuple[str, tuple[str | int, ...], str | None]]:
    """(target, path, attribute or None) for every Ref, GetAtt (both forms) and ${X} / ${X.Attr} of an
    Fn::Sub inside `value`, at any depth; `path` is where `value` sits. A computed GetAtt attribute
    is reported as "*"."""
    pending: list[tuple[Any, tuple[str | int, ...]]] = [(value, path)]
    while pending:
        item, where = pending.pop()
        if isinstance(item, list):
            pending.extend((child, where + (i,)) for i, child in enumerate(item))
            continue
        if not isinstance(item, dict):
            continue
        if len(item) == 1:
            key, arg = next(iter(item.items()))
            if key == "Ref" and isinstance(arg, str):
                yield arg, where, None
                continue
            if key == "Fn::GetAtt":
                parts = arg.split(".", 1) if isinstance(arg, str) else arg
                if isinstance(parts, list) and len(parts) == 2 and isinstance(parts[0], str):
                    yield parts[0], where, parts[1] if isinstance(parts[1], str) else "*"
                    if not isinstance(parts[1], str):
                        pending.append((parts[1], where))
                continue
            if key == "Fn::Sub":
                text, local = _sub_parts(arg)
                for expression in sub_expressions(text):
                    name, _, attribute = expression.partition(".")
                    if name not in local:
                        yield name, where, attribute or None
                pending.extend((child, where) for child in local.values())
                continue
        pending.extend((child, where + (k,)) for k, child in item.items())


def lookup_occurrences(value: Any, path: tuple[str | int, ...]) -> Iterator[tuple[str, tuple[str | int, ...]]]:
    """("Mappings/M", path) for each Fn::FindInMap of mapping M and ("Conditions/C", path) for each
    Fn::If on condition C inside `value`: the named template entries a value depends on."""
    pending: list[tuple[Any, tuple[str | int, ...]]] = [(value, path)]
    while pending:
        item, where = pending.pop()
        if isinstance(item, list):
            pending.extend((child, where + (i,)) for i, child in enumerate(item))
            continue
        if not isinstance(item, dict):
            continue
        if len(item) == 1:
            key, arg = next(iter(item.items()))
            if key in ("Fn::FindInMap", "Fn::If") and isinstance(arg, list) and arg and isinstance(arg[0], str):
                yield f"{'Mappings' if key == 'Fn::FindInMap' else 'Conditions'}/{arg[0]}", where
        pending.extend((child, where + (k,)) for k, child in item.items())


def looked_up_names(value: Any) -> set[str]:
    """The entries of `lookup_occurrences` ("Mappings/M", "Conditions/C"), found without their paths."""
    found: set[str] = set()
    pending: list[Any] = [value]
    pop, extend = pending.pop, pending.extend
    while pending:
        item = pop()
        if isinstance(item, list):
            extend(item)
            continue
        if not isinstance(item, dict):
            continue
        if len(item) == 1:
            key, arg = next(iter(item.items()))
            if key in ("Fn::FindInMap", "Fn::If") and isinstance(arg, list) and arg and isinstance(arg[0], str):
                found.add(f"{'Mappings' if key == 'Fn::FindInMap' else 'Conditions'}/{arg[0]}")
        extend(item.values())
    return found


def _sub_parts(arg: Any) -> tuple[str, dict[str, Any]]:
    """An Fn::Sub's text and variable map (either may be absent or malformed)."""
    if isinstance(arg, str):
        return arg, {}
    if isinstance(arg, list) and arg and isinstance(arg[0], str):
        local = arg[1] if len(arg) > 1 and isinstance(arg[1], dict) else {}
        return arg[0], local
    return "", {}


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


def keys_used(value: Any, names: frozenset[str]) -> set[str]:
    """Which of `names` are keys anywhere in `value`: `functions_used(value) & names`, with each mapping's
    keys compared in one set operation instead of one by one (a synth asks it of every stack)."""
    found: set[str] = set()
    pending: list[Any] = [value]
    pop, extend = pending.pop, pending.extend
    while pending:
        item = pop()
        if isinstance(item, dict):
            if not names.isdisjoint(item):
                found.update(names.intersection(item))
            extend(item.values())
        elif isinstance(item, list):
            extend(item)
    return found


#: The keys of a resource entry whose values are names, not references (see resource_dependencies).
_NOT_REFERENCES = ("DependsOn", "Condition", "Type")


_NO_KEYS: frozenset[str] = frozenset()


def references_and_keys(value: Any, keys: frozenset[str]) -> tuple[set[str], set[str]]:
    """`(referenced_names(value), keys_used(value, keys))` in one walk instead of two: a synth needs both
    of every resource (its dependencies for the cycle check, and whether it uses a function that needs a
    transform). Where the references do not lead inside a malformed Fn::GetAtt or Fn::Sub, the key search
    still looks (tests/synth/test_fast_paths_equal.py compares both with the occurrence and key walks)."""
    found: set[str] = set()
    found_keys: set[str] = set()
    add = found.add
    pending: list[Any] = [value]
    pop, push, extend = pending.pop, pending.append, pending.extend
    while pending:
        item = pop()
        if isinstance(item, list):
            extend(item)
            continue
        if not isinstance(item, dict):
            continue
        if not keys.isdisjoint(item):
            found_keys.update(keys.intersection(item))
        if len(item) == 1:
            key, arg = next(iter(item.items()))
            if key == "Ref" and isinstance(arg, str):
                add(arg)
                continue
            if key == "Fn::GetAtt":
                parts = arg.split(".", 1) if isinstance(arg, str) else arg
                if isinstance(parts, list) and len(parts) == 2 and isinstance(parts[0], str):
                    add(parts[0])
                    if not isinstance(parts[1], str):
                        push(parts[1])
                elif keys and not isinstance(arg, str):
                    found_keys.update(keys_used(arg, keys))
                continue
            if key == "Fn::Sub":
                text, local = _sub_parts(arg)
                if "${" in text:
                    for expression in sub_expressions(text):
                        name = expression.partition(".")[0]
                        if name not in local:
                            add(name)
                if not keys.isdisjoint(local):
                    found_keys.update(keys.intersection(local))
                extend(local.values())
                if keys and not (isinstance(arg, str) or (isinstance(arg, list) and len(arg) == 2 and local is arg[1])):
                    found_keys.update(keys_used(arg, keys))  # what _sub_parts leaves out of `local`
                continue
        extend(item.values())
    return found, found_keys


def resource_dependencies(resource: dict[str, Any], resource_ids: set[str] | dict[str, Any]) -> set[str]:
    """The resources this template entry must wait for: references plus DependsOn."""
    return dependencies_among(
        referenced_names({k: v for k, v in resource.items() if k not in _NOT_REFERENCES}), resource, resource_ids
    )


def resource_references_and_keys(resource: dict[str, Any], keys: frozenset[str]) -> tuple[set[str], set[str]]:
    """`references_and_keys` of a resource entry as `resource_dependencies` reads it, and `keys_used` of the
    whole entry: the names its references reach (give them to `dependencies_among`) and which of `keys` it
    uses."""
    names, found_keys = references_and_keys(
        {k: v for k, v in resource.items() if k not in _NOT_REFERENCES}, keys
    )
    for name in _NOT_REFERENCES:
        if not isinstance(resource.get(name, ""), str):
            found_keys.update(keys_used(resource[name], keys))
    return names, found_keys


def dependencies_among(names: set[str], resource: dict[str, Any], resource_ids: set[str] | dict[str, Any]
                       ) -> set[str]:
    """`resource_dependencies` from the names the entry's references reach (`referenced_names` of all but
    DependsOn, Condition and Type): those that are resources, plus DependsOn."""
    found = {name for name in names if name in resource_ids}
    depends_on = resource.get("DependsOn")
    if isinstance(depends_on, str):
        depends_on = [depends_on]
    if isinstance(depends_on, list):
        found.update(d for d in depends_on if isinstance(d, str) and d in resource_ids)
    return found
