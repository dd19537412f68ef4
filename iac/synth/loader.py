"""Read templates back: JSON, or YAML with short-form tags, into plain dicts.

Errors name the file and line (broken syntax, duplicate keys, a template that is not a mapping),
because these files are often hand-written or come from other tools.

Template files are also hostile input: a few hundred bytes of YAML aliases ("billion laughs") expand
to billions of values, and JSON nested thousands deep overflows Python's stack. Every read is bounded
(bytes, values, values produced through aliases, nesting depth) before anything walks the result.
"""

from __future__ import annotations

import json
import os
import re
import stat
from typing import Any

import yaml

from iac.constructs.core.source import SourceLocation
from iac.errors import TemplateError

_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# The bounds below are far above any template CloudFormation accepts, and far below what hangs iac.
# CloudFormation takes a template body of at most 1 MB (through S3; 51,200 bytes inline):
# https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html
#: Ten times that quota: a template somewhat over it still loads, so the limits check can say by how much.
MAX_TEMPLATE_FILE_BYTES = 10 * 1_048_576
#: Values (mappings, lists, keys, scalars) after aliases are expanded. Each value takes at least two bytes
#: (`0,`), so 1 MB holds at most ~524,000 of them; real templates hold one per 10-30 bytes.
MAX_TEMPLATE_VALUES = 2_000_000
#: Values produced by YAML aliases (`*name`), the amplification a "billion laughs" file relies on. It is
#: cfn-lint's own bound on an expanded document, so iac never loads what cfn-lint would refuse for it.
MAX_ALIAS_VALUES = 250_000
#: Nesting depth. Real templates nest 10-30 deep (an inline Step Functions definition or IAM condition at
#: the most); every recursive walk in iac and cfn-lint stays far from Python's recursion limit of 1,000.
MAX_TEMPLATE_DEPTH = 128


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
        assert isinstance(node, yaml.MappingNode)  # a YAML node is a scalar, a sequence or a mapping
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
    _check_size(text, file)
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
    return loads(read_template_text(path), file=name)


def read_template_text(path: str | os.PathLike[str]) -> str:
    """The text of a template file, read only if it is a regular file of at most MAX_TEMPLATE_FILE_BYTES.

    A FIFO would block the open and /dev/zero would never end, so the file's kind is checked first and
    the read stops one byte past the limit.
    """
    shown = os.fspath(path)
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            raise TemplateError(f"cannot read template {shown}: not a regular file",
                                hint="pass the template file itself (not a pipe, device or folder)")
        with open(path, "rb") as handle:
            data = handle.read(MAX_TEMPLATE_FILE_BYTES + 1)
    except FileNotFoundError:
        raise TemplateError(f"template file not found: {shown}") from None
    except OSError as error:
        raise TemplateError(f"cannot read template {shown}: {error.strerror or error}") from None
    if len(data) > MAX_TEMPLATE_FILE_BYTES:
        raise _too_large(shown, os.path.abspath(shown), data)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise TemplateError(f"cannot read template {shown}: not UTF-8 text (byte {error.start + 1}, line {line})",
                            location=SourceLocation(file=os.path.abspath(shown), line=line)) from None


def _check_size(text: str, file: str | None) -> None:
    """Text handed over directly (a deployed template, say) gets the same bound as a file."""
    if len(text) * 4 <= MAX_TEMPLATE_FILE_BYTES:  # no UTF-8 character takes more than four bytes
        return
    data = text.encode("utf-8", "surrogatepass")
    if len(data) > MAX_TEMPLATE_FILE_BYTES:
        raise _too_large(file or "text", file, data)


def _too_large(shown: str, file: str | None, data: bytes) -> TemplateError:
    line = data.count(b"\n", 0, MAX_TEMPLATE_FILE_BYTES) + 1
    return TemplateError(
        f"template {shown} is over {MAX_TEMPLATE_FILE_BYTES:,} bytes (line {line} crosses the limit); "
        "CloudFormation accepts at most 1 MB",
        location=SourceLocation(file=file, line=line) if file else None,
        hint="split the template into several stacks (nested stacks or exports)",
    )


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
        value = json.loads(text, object_pairs_hook=_reject_duplicates)
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
    except RecursionError:  # nested deeper than Python's stack: certainly deeper than the bound
        raise _too_deep(file, _json_line(text, depth=MAX_TEMPLATE_DEPTH + 1)) from None
    except ValueError as error:  # an integer past Python's 4,300-digit conversion bound
        raise _unreadable_value(error, file, None) from None
    depth, values = _json_shape(value)
    if depth > MAX_TEMPLATE_DEPTH:
        raise _too_deep(file, _json_line(text, depth=MAX_TEMPLATE_DEPTH + 1))
    if values > MAX_TEMPLATE_VALUES:
        raise _too_many_values(file, _json_line(text, values=MAX_TEMPLATE_VALUES + 1), aliases=False)
    return value


def _json_shape(value: Any) -> tuple[int, int]:
    """(nesting depth, number of values, keys included) of parsed JSON, one level at a time.

    Without recursion (the depth is what is in question), and only containers are visited: scalars
    are counted by their container's length. Exact types and no generators keep it cheaper than the parse.
    """
    depth, values = 1, 1
    level = [value] if type(value) in (dict, list) else []
    while level:
        below: list[Any] = []
        add = below.append
        for container in level:
            if type(container) is dict:
                values += 2 * len(container)
                children = container.values()
            else:
                values += len(container)
                children = container
            for child in children:
                if type(child) is dict or type(child) is list:
                    add(child)
        if below:
            depth += 1
        level = below
    return depth, values


#: A JSON string, an opening or closing bracket, or a bare scalar (number, true, false, null).
_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]|[^\s,:\[\]{}"]+')


def _json_line(text: str, *, depth: int | None = None, values: int | None = None) -> int:
    """The line where JSON text first reaches `depth` levels of nesting or its `values`-th value.

    Only called when a bound is broken, so the scan costs nothing on good templates.
    """
    level = count = 0
    for token in _JSON_TOKEN.finditer(text):
        first = token.group()[0]
        if first in "]}":
            level -= 1
            continue
        count += 1
        if first in "[{":
            level += 1
        if (depth is not None and level >= depth) or (values is not None and count >= values):
            return text.count("\n", 0, token.start()) + 1
    return 1


def _second_occurrence_line(text: str, key: str) -> int:
    """Best effort: the line where the key appears for the second time."""
    needle = json.dumps(key)
    first = text.find(needle)
    second = text.find(needle, first + 1) if first >= 0 else -1
    position = second if second >= 0 else max(first, 0)
    return text.count("\n", 0, position) + 1


def _load_yaml(text: str, file: str | None) -> Any:
    loader = _TemplateLoader(text)
    loader.iac_file = file
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_yaml_shape(node, file)
        return loader.construct_document(node)
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
    except RecursionError:  # the pure-Python parser, without libyaml's own depth bound
        raise _too_deep(file, None) from None
    except ValueError as error:  # an integer past Python's 4,300-digit conversion bound
        raise _unreadable_value(error, file, None) from None
    finally:
        loader.dispose()


def _unreadable_value(error: ValueError, file: str | None, line: int | None) -> TemplateError:
    """A value no template can hold (CloudFormation's numbers are 64-bit at the most): an input error."""
    return TemplateError(f"a value cannot be read: {error}".split("; use sys.")[0],
                         location=_location_of(file, line or 1))


def _collections_in(node: yaml.Node) -> list[yaml.Node]:
    """The mappings and sequences written directly in a collection node (scalars are only counted)."""
    if type(node) is yaml.MappingNode:
        return [part for pair in node.value for part in pair if type(part) is not yaml.ScalarNode]
    return [child for child in node.value if type(child) is not yaml.ScalarNode]


def _values_in(node: yaml.Node) -> int:
    """Values written directly in a collection node: a mapping's keys and values, a sequence's items."""
    return 2 * len(node.value) if type(node) is yaml.MappingNode else len(node.value)


def _check_yaml_shape(root: yaml.Node, file: str | None) -> None:
    """Bound the document as it would be once aliases are expanded, without expanding it.

    Depth counts collections (mappings and sequences), as for JSON. The composed document is a graph:
    an alias is the anchored node itself, met again. Walking its collections in document order, one
    met for the first time counts itself and its scalars; one met again counts its whole subtree,
    known by then (met again before its subtree is finished, it contains its own alias: the document
    is infinite). Cost: one visit per collection as written,
    however large the expansion. Errors point at the collection where the alias is written.
    """
    if type(root) is yaml.ScalarNode:
        return
    sizes: dict[int, tuple[int, int]] = {}  # id(collection) -> (values in its subtree, its height)
    unfinished: dict[int, list[yaml.Node]] = {}  # id(collection) -> the collections in it
    values = aliased = 0
    # (collection, its depth, the collection it is written in); a parent of None ends the collection.
    pending: list[tuple[yaml.Node, int, yaml.Node | None]] = [(root, 1, root)]
    while pending:
        node, depth, parent = pending.pop()
        key = id(node)
        if parent is None:
            _finish(node, unfinished.pop(key), sizes)
            continue
        if key in sizes:
            size, height = sizes[key]
            values, aliased, deepest, where = values + size, aliased + size, depth + height - 1, parent
        elif key in unfinished:
            raise TemplateError("a YAML alias refers to a node that contains it: the template would be infinite",
                                location=_location_of(file, _line(parent)))
        else:
            collections = unfinished[key] = _collections_in(node)
            scalars = _values_in(node) - len(collections)
            values, deepest, where = values + 1 + scalars, depth, node
            pending.append((node, depth, None))
            below = depth + 1
            pending.extend([(child, below, node) for child in reversed(collections)])
        if deepest > MAX_TEMPLATE_DEPTH:
            raise _too_deep(file, _line(where))
        if aliased > MAX_ALIAS_VALUES:
            raise _too_many_values(file, _line(where), aliases=True)
        if values > MAX_TEMPLATE_VALUES:
            raise _too_many_values(file, _line(where), aliases=False)


def _finish(node: yaml.Node, collections: list[yaml.Node], sizes: dict[int, tuple[int, int]]) -> None:
    """Record a collection's subtree size and height once every collection in it is known."""
    size, height = 1 + _values_in(node) - len(collections), 0
    for child in collections:
        child_size, child_height = sizes[id(child)]
        size += child_size
        height = max(height, child_height)
    sizes[id(node)] = (size, 1 + height)


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _location_of(file: str | None, line: int | None) -> SourceLocation | None:
    return SourceLocation(file=file, line=line) if file and line else None


def _too_deep(file: str | None, line: int | None) -> TemplateError:
    at = f" (line {line})" if line else ""
    return TemplateError(
        f"the template nests deeper than {MAX_TEMPLATE_DEPTH} levels{at}",
        location=_location_of(file, line),
        hint="CloudFormation templates nest a few dozen levels at the most; was this file generated wrongly?",
    )


def _too_many_values(file: str | None, line: int | None, *, aliases: bool) -> TemplateError:
    at = f" (line {line})" if line else ""
    if aliases:
        message = f"YAML aliases expand to more than {MAX_ALIAS_VALUES:,} values{at}"
        hint = "aliases (*name) that repeat aliases multiply; write the repeated part out, or fewer times"
    else:
        message = f"the template holds more than {MAX_TEMPLATE_VALUES:,} values{at}"
        hint = "CloudFormation accepts 1 MB of template at the most; split it into several stacks"
    return TemplateError(message, location=_location_of(file, line), hint=hint)
