"""Read templates back: JSON, or YAML with short-form tags, into plain dicts.

Errors name the file and line (broken syntax, duplicate keys, a template that is not a mapping),
because these files are often hand-written or come from other tools.
"""

from __future__ import annotations

import json
import os
from typing import Any

import yaml

from iac.constructs.core.source import SourceLocation
from iac.errors import TemplateError

_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _TemplateLoader(_BaseLoader):  # type: ignore[misc, valid-type]
    """SafeLoader that knows CloudFormation's tags, keeps dates as strings and rejects duplicate keys."""


def _construct_mapping(loader: _TemplateLoader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    loader.flatten_mapping(node)
    mapping: dict[Any, Any] = {}
    lines: dict[Any, int] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str | int | float | bool) and key is not None:
            raise TemplateError(
                f"mapping keys must be strings, got {type(key).__name__}",
                location=_location(loader, key_node),
            )
        if not isinstance(key, str) and isinstance(key_node, yaml.ScalarNode):
            key = key_node.value  # CloudFormation reads keys as text: `123456789012:` is an account id
        if key in mapping:
            raise TemplateError(
                f"duplicate key {key!r} (first at line {lines[key]})",
                location=_location(loader, key_node),
                hint="YAML and JSON keep only the last value of a repeated key; remove one of them",
            )
        lines[key] = key_node.start_mark.line + 1
        mapping[key] = loader.construct_object(value_node, deep=True)
    return mapping


def _location(loader: _TemplateLoader, node: yaml.Node) -> SourceLocation | None:
    name = getattr(loader, "iac_file", None)
    if not name:
        return None
    return SourceLocation(file=name, line=node.start_mark.line + 1)


def _construct_tag(loader: _TemplateLoader, tag_suffix: str, node: yaml.Node) -> dict[str, Any]:
    name = tag_suffix if tag_suffix in ("Ref", "Condition") else f"Fn::{tag_suffix}"
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
        if name == "Fn::GetAtt":
            if "." not in value:
                raise TemplateError(
                    f"!GetAtt {value!r} needs the form Resource.Attribute", location=_location(loader, node)
                )
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = _construct_mapping(loader, node, deep=True)
    return {name: value}


def _construct_timestamp_as_text(loader: _TemplateLoader, node: yaml.ScalarNode) -> str:
    """CloudFormation reads `2010-09-09` as a string; PyYAML would make it a date."""
    return loader.construct_scalar(node)


_TemplateLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_TemplateLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp_as_text)
_TemplateLoader.add_multi_constructor("!", _construct_tag)


def loads(text: str, *, file: str | None = None) -> dict[str, Any]:
    """Parse template text (JSON or YAML); `file` is used in error messages only."""
    location = SourceLocation(file=file, line=1) if file else None
    if not text.strip():
        raise TemplateError("the template is empty", location=location)
    if text.lstrip().startswith("{"):
        template = _load_json(text, file)
    else:
        template = _load_yaml(text, file)
    if not isinstance(template, dict):
        raise TemplateError(
            f"a template must be a mapping (an object) at the top, got {type(template).__name__}",
            location=location,
        )
    return template


def load(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read a template file (JSON or YAML with short-form tags)."""
    name = os.path.abspath(os.fspath(path))
    try:
        with open(name, encoding="utf-8") as handle:
            text = handle.read()
    except FileNotFoundError:
        raise TemplateError(f"template file not found: {os.fspath(path)}") from None
    except (OSError, UnicodeDecodeError) as error:
        raise TemplateError(f"cannot read template {os.fspath(path)}: {error}") from None
    return loads(text, file=name)


class _DuplicateKey(Exception):
    def __init__(self, key: str) -> None:
        self.key = key


def _reject_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKey(key)
        result[key] = value
    return result


def _load_json(text: str, file: str | None) -> Any:
    try:
        return json.loads(text, object_pairs_hook=_reject_duplicates)
    except json.JSONDecodeError as error:
        raise TemplateError(
            f"invalid JSON: {error.msg} (line {error.lineno}, column {error.colno})",
            location=SourceLocation(file=file, line=error.lineno) if file else None,
        ) from None
    except _DuplicateKey as duplicate:
        line = _second_occurrence_line(text, duplicate.key)
        raise TemplateError(
            f"duplicate key {duplicate.key!r} (line {line})",
            location=SourceLocation(file=file, line=line) if file else None,
            hint="JSON keeps only the last value of a repeated key; remove one of them",
        ) from None


def _second_occurrence_line(text: str, key: str) -> int:
    """Best effort: the line where the key appears for the second time."""
    needle = json.dumps(key)
    first = text.find(needle)
    second = text.find(needle, first + 1) if first >= 0 else -1
    position = second if second >= 0 else max(first, 0)
    return text.count("\n", 0, position) + 1


def _load_yaml(text: str, file: str | None) -> Any:
    loader = _TemplateLoader(text)
    loader.iac_file = file  # type: ignore[attr-defined]
    try:
        return loader.get_single_data()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else 1
        problem = error.problem or error.context or "syntax error"
        raise TemplateError(
            f"invalid YAML: {problem} (line {line}, column {mark.column + 1 if mark else 1})",
            location=SourceLocation(file=file, line=line) if file else None,
        ) from None
    except yaml.YAMLError as error:
        location = SourceLocation(file=file, line=1) if file else None
        raise TemplateError(f"invalid YAML: {error}", location=location) from None
    finally:
        loader.dispose()
